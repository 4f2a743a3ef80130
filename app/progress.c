/* progress.c — the progress line. */
#include "progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"

struct progress {
  FILE *out;
  int tty;
  double every;               /* seconds between lines (plain) or redraws (tty) */
  double last_shown;          /* wall time of the last output */
  int shown;                  /* a tty line is on screen */
  /* the current run of a network */
  double run_end, run_t0, run_wall0, t;
  /* units of work (episodes) */
  double done, total, count_wall0;
  char unit[32];
};

progress *progress_create(FILE *out, int tty, double every_s) {
  progress *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->out = out;
  p->tty = tty;
  p->every = every_s;
  p->last_shown = cli_now();
  p->run_end = -1;
  return p;
}

void progress_destroy(progress *p) {
  if (!p) return;
  progress_clear(p);
  free(p);
}

static void duration(char *buf, size_t n, double s) {
  if (!isfinite(s) || s < 0) snprintf(buf, n, "?");
  else if (s < 60) snprintf(buf, n, "%.0f s", s);
  else if (s < 3600) snprintf(buf, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
  else snprintf(buf, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* the status line: simulated time, run percentage, speed, ETA, units done */
const char *progress_describe(progress *p, char *line, size_t size) {
  double now = cli_now();
  char eta[32];
  if (size > 256) size = 256;
  int len = snprintf(line, size, "t = %.3g s", p->t / 1000);
  double wall = now - p->run_wall0, sim = (p->t - p->run_t0) / 1000;
  if (p->run_end > p->run_t0) {
    len += snprintf(line + len, size - (size_t)len, ", run %.0f%%",
                    100 * (p->t - p->run_t0) / (p->run_end - p->run_t0));
    if (wall > 0 && sim > 0 && len < (int)size - 64) {
      double speed = sim / wall;
      duration(eta, sizeof eta, (p->run_end - p->t) / 1000 / speed);
      len += snprintf(line + len, size - (size_t)len, ", %.3gx real time, ETA %s", speed, eta);
    }
  }
  if (p->total > 0 && len < (int)size - 80) {
    double per = p->done > 0 ? (now - p->count_wall0) / p->done : NAN;
    duration(eta, sizeof eta, per * (p->total - p->done));
    snprintf(line + len, size - (size_t)len, "; %s %.0f of %.0f, ETA %s", p->unit,
             p->done, p->total, p->done > 0 ? eta : "?");
  }
  return line;
}

static void show(progress *p) {
  char line[256];
  if (!p->out) return;
  progress_describe(p, line, sizeof line);
  if (p->tty) {
    fprintf(p->out, "\r\033[K  %s", line);
    p->shown = 1;
  } else {
    fprintf(p->out, "progress: %s\n", line);
  }
  fflush(p->out);
  p->last_shown = cli_now();
}

static void maybe_show(progress *p) {
  if (cli_now() - p->last_shown >= p->every) show(p);
}

void progress_run(progress *p, double t0_ms, double end_ms) {
  if (!p) return;
  p->run_t0 = p->t = t0_ms;
  p->run_end = end_ms;
  p->run_wall0 = cli_now();
}

void progress_time(progress *p, double t_ms) {
  if (!p) return;
  p->t = t_ms;
  maybe_show(p);
}

void progress_count(progress *p, double done, double total, const char *unit) {
  if (!p) return;
  if (p->total <= 0 || done < p->done) p->count_wall0 = cli_now();
  p->done = done;
  p->total = total;
  snprintf(p->unit, sizeof p->unit, "%s", unit);
  maybe_show(p);
}

void progress_clear(progress *p) {
  if (!p || !p->shown || !p->out) return;
  fputs("\r\033[K", p->out);
  fflush(p->out);
  p->shown = 0;
}
