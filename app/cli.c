/* cli.c — command-line value parsing shared by the soma subcommands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim/param.h"

int cli_long(const char *cmd, const char *flag, const char *text, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < lo || v > hi) {
    fprintf(stderr, "soma %s: %s: expected a whole number from %ld to %ld, got '%s'\n", cmd, flag,
            lo, hi, text);
    return 2;
  }
  *out = v;
  return 0;
}

int cli_double(const char *cmd, const char *flag, const char *text, double lo, double hi,
               double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || !isfinite(v) || v < lo || v > hi) {
    fprintf(stderr, "soma %s: %s: expected a number from %g to %g, got '%s'\n", cmd, flag, lo, hi,
            text);
    return 2;
  }
  *out = v;
  return 0;
}

const char *cli_value(const char *cmd, int argc, char **argv, int *i) {
  if (*i + 1 >= argc) {
    fprintf(stderr, "soma %s: %s needs a value\n", cmd, argv[*i]);
    return NULL;
  }
  return argv[++*i];
}

int cli_unknown(const char *cmd, const char *arg, const char *const *known) {
  int n = 0;
  while (known[n]) n++;
  const char *guess = soma_closest_name(arg, known, n);
  if (guess)
    fprintf(stderr, "soma %s: unknown option '%s' (did you mean '%s'?); see 'soma %s --help'\n",
            cmd, arg, guess, cmd);
  else
    fprintf(stderr, "soma %s: unknown option '%s'; see 'soma %s --help'\n", cmd, arg, cmd);
  return 2;
}

double cli_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_progress(void *user, double t_ms, double end_ms) {
  (void)user;
  fprintf(stderr, "\r  simulated %.0f of %.0f ms (%.0f%%)   ", t_ms, end_ms, 100 * t_ms / end_ms);
  return 0;
}
