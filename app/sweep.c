/* sweep.c — `soma sweep SCRIPT.lua`: runs a script at every point of a parameter sweep.
 *
 * Each point is a child process, `soma run SCRIPT --headless --quiet --seed S --threads T
 * --set k=v ... --out DIR/points/<id>`, so a crash in one never takes down the others; at
 * most --jobs run at once. When a point's process has ended (its files closed) the driver
 * writes DIR/points/<id>/done.json through a temporary name and a rename: a point is complete
 * exactly when that file exists, so a sweep killed at any moment is resumed by running the
 * same command again. DIR/sweep.json keeps the spec; DIR/sweep.lock keeps a second sweep out;
 * DIR/sweep.csv and sweep.jsonl hold the table, DIR/sweep.png the summary figure.
 *
 * Under mpirun (built with make MPI=1) every rank runs points the same way; rank 0 hands out
 * point indices on request (sweep_mpi.c) and writes the table. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/rundir.h"
#include "app/sweep.h"
#include "sim/json.h"
#include "sim/soma.h"

static const char *usage =
    "usage: soma sweep SCRIPT.lua [--grid KEY=V1,V2,...]... [--sample KEY=LO:HI... --points N]\n"
    "                  [--seeds N | --seed-list S1,S2,...] [--set KEY=VAL]... [options]\n"
    "       soma sweep --resume --out DIR [options]\n"
    "       soma sweep --collect DIR [--metric KEY]\n"
    "\n"
    "Runs a Lua experiment script at every point of a sweep: the product of the grids (and of\n"
    "the points drawn from --sample ranges) with the seeds. Each point is its own process,\n"
    "`soma run --headless --quiet` into DIR/points/<id>/, at most --jobs at a time; a failing or\n"
    "crashing point is recorded and the sweep goes on. The table of every point (parameters,\n"
    "seed, status, wall time, results) goes to DIR/sweep.csv and DIR/sweep.jsonl, a summary\n"
    "figure to DIR/sweep.png. Running the same command again resumes: completed points are kept.\n"
    "\n"
    "what to run:\n"
    "  --grid KEY=V1,V2,...   values of params.KEY, passed as --set KEY=V (repeatable: product)\n"
    "  --sample KEY=LO:HI     a range of params.KEY to draw --points values from (repeatable);\n"
    "                         LO:HI:log draws on a log scale, LO:HI:int whole numbers\n"
    "  --points N             how many points to draw from the --sample ranges\n"
    "  --sampler lhs|random   Latin hypercube (default: one point in each of N strata of every\n"
    "                         range) or independent uniform draws\n"
    "  --sample-seed N        seed of the draws (default 1)\n"
    "  --seeds N              run every point with seeds 1..N (default 1)\n"
    "  --seed-list S1,S2,...  ... or with these seeds\n"
    "  --set KEY=VAL          the same override for every point (repeatable)\n"
    "\n"
    "how to run it:\n"
    "  --out DIR              the sweep directory (default sweeps/<script>-<date>-<time>)\n"
    "  --jobs N               points running at once (default: CPUs / --threads-per-job; under\n"
    "                         MPI 1 per rank)\n"
    "  --threads-per-job N    --threads of every run (default 1)\n"
    "  --timeout S            stop a point still running after S seconds (it fails)\n"
    "  --shard K/N            run only the K-th of N interleaved slices of the points, e.g. one per\n"
    "                         task of a SLURM job array, all with the same --out\n"
    "  --resume               continue the sweep in --out DIR, whose spec is read from\n"
    "                         DIR/sweep.json (running the same command again does the same)\n"
    "  --retry-failed         also rerun the points that failed (interrupted ones always rerun)\n"
    "  --metric KEY           the result sweep.png shows (default: the first numeric one that\n"
    "                         varies)\n"
    "  --collect DIR          rebuild DIR's table and figure from its point folders; run nothing\n"
    "  --quiet                no progress display and no summary line\n"
    "  -h, --help             this text\n"
    "\n"
    "Progress goes to stderr: one line redrawn on a terminal, else a plain line every 10 s\n"
    "(SOMA_PROGRESS_INTERVAL=S). Ctrl-C or SIGTERM stops every running point (status\n"
    "\"interrupted\"), writes the table and exits; run the command again to resume.\n"
    "Exit status: 0 every point ok; N when N points failed (at most 100); 2 usage error; 101 the\n"
    "sweep could not run (DIR in use by another sweep, or not writable); 128+signal interrupted.\n"
    "\n"
    "examples:\n"
    "  soma sweep scripts/ei_network.lua --grid g=4,5,6 --grid rate=40,60 --seeds 3 --out sweeps/ei\n"
    "  soma sweep scripts/ei_network.lua --sample g=3:8 --sample w=20:80:log --points 40 --jobs 8\n"
    "  soma sweep scripts/ei_network.lua --grid g=2,3,4,5,6 --seeds 20 --out sweeps/g --shard 2/4\n"
    "  mpirun -np 16 soma sweep scripts/ei_network.lua --grid g=2,3,4,5,6 --seeds 20 --out sweeps/g\n"
    "  soma sweep --collect sweeps/ei --metric rate_e\n";

enum { EXIT_USAGE = 2, EXIT_CANNOT = 101 };
/* what a point's attempt came to, besides the row states */
enum { REP_BUSY = 10, REP_SKIPPED = 11, REP_USAGE = 12 };
enum { NEXT_WAIT = -2, NEXT_NONE = -1 };

typedef struct slot {
  int index;                 /* -1: free */
  pid_t pid;
  int lock_fd;
  double t0, kill_at;
  int timed_out;
  int signalled;             /* the signal the sweep sent it (stopping), or 0 */
} slot;

typedef struct sweep {
  /* options */
  const char *out, *metric;
  long jobs, threads;
  int resume, retry_failed, quiet;
  long shard_k, shard_n;
  double timeout;
  /* what */
  sweep_spec spec;
  sweep_plan plan;
  char *spec_json;
  char dir[4096], script_sha[65];
  const char *script;        /* the path the runs get */
  const char *script_arg;    /* the SCRIPT argument */
  int rank, ranks;
  /* rank 0: the rows, and which are up to date */
  sweep_row *rows;
  char *fresh;
  /* the points to run: a queue, and points another process holds (retried later) */
  int *queue, nq, qhead;
  int *deferred, nd;
  double *retry_at;
  int exhausted;             /* workers: rank 0 has no more */
  double ask_after;          /* workers: rank 0 said "later" */
  /* children */
  slot *slots;
  int running;
  sigset_t blocked, old_mask;
  int stop_sig, forwarded, fatal;
  double stop_time;
  char fatal_msg[1024];
  /* counts (rank 0) */
  int total, done_before, done_now, failed_now, remote_running, byes, started_here;
  double t_start, last_table, last_progress;
  int tty, progress_shown;
  double progress_every;
  int lock_fd, shard_fd, locked;
} sweep;

/* ---- small file helpers ------------------------------------------------------------------ */


static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static int remove_tree(const char *path) {
  if (access(path, F_OK) != 0) return 0;
  return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}


/* the last non-empty line of a text file (its last 4 KB), or "" */
static void last_line(const char *path, char *out, size_t n) {
  out[0] = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return;
  char buf[4097];
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  long from = size > 4096 ? size - 4096 : 0;
  fseek(f, from, SEEK_SET);
  size_t got = fread(buf, 1, 4096, f);
  fclose(f);
  buf[got] = 0;
  char *end = buf + got;
  while (end > buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ')) *--end = 0;
  char *start = strrchr(buf, '\n');
  snprintf(out, n, "%.1000s", start ? start + 1 : buf);
}

static void duration(char *buf, size_t n, double s) {
  if (!isfinite(s) || s < 0) snprintf(buf, n, "?");
  else if (s < 60) snprintf(buf, n, "%.0f s", s);
  else if (s < 3600) snprintf(buf, n, "%d min %02d s", (int)(s / 60), (int)fmod(s, 60));
  else snprintf(buf, n, "%d h %02d min", (int)(s / 3600), (int)fmod(s / 60, 60));
}

/* ---- progress ---------------------------------------------------------------------------- */

static void progress_clear_line(sweep *sw) {
  if (sw->progress_shown) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    sw->progress_shown = 0;
  }
}

static void progress(sweep *sw, int force) {
  if (sw->quiet || sw->rank != 0) return;
  double now = cli_now();
  if (!force && now - sw->last_progress < sw->progress_every) return;
  sw->last_progress = now;
  int done = sw->done_before + sw->done_now;
  char eta[32], line[256];
  double elapsed = now - sw->t_start;
  if (sw->done_now > 0)
    duration(eta, sizeof eta, elapsed / sw->done_now * (sw->total - done));
  else
    snprintf(eta, sizeof eta, "?");
  snprintf(line, sizeof line, "sweep: %d of %d points done (%d failed), %d running, ETA %s", done,
           sw->total, sw->failed_now, sw->running + sw->remote_running, eta);
  if (sw->tty) {
    fprintf(stderr, "\r\033[K  %s", line);
    sw->progress_shown = 1;
  } else {
    fprintf(stderr, "%s\n", line);
  }
  fflush(stderr);
}

/* ---- the spec, the directory, the lock ----------------------------------------------------- */

/* reads DIR/sweep.json: the spec words into spec (with the script), and the stored sha */
static int read_sweep_json(const char *dir, sweep_spec *spec, char *sha, char *script_abs,
                           size_t abslen, char *err, size_t errlen) {
  char path[4096 + 512];
  snprintf(path, sizeof path, "%s/sweep.json", dir);
  soma_json *j = soma_json_load(path, err, errlen);
  if (!j) return -1;
  const soma_json *words = soma_json_get(j, "spec");
  const char *script = soma_json_text(j, "script"), *hash = soma_json_text(j, "script_sha256"),
             *abs = soma_json_text(j, "script_realpath");
  int rc = -1;
  if (!words || words->t != SOMA_JSON_ARR || !script || !hash || words->n % 2) {
    snprintf(err, errlen, "%s: not a sweep spec (no \"spec\", \"script\" or \"script_sha256\")", path);
    goto done;
  }
  memset(spec, 0, sizeof *spec);
  spec->script = strdup(script);
  snprintf(sha, 65, "%s", hash);
  snprintf(script_abs, abslen, "%s", abs ? abs : "");
  for (int i = 0; i + 1 < words->n; i += 2) {
    if (words->items[i].t != SOMA_JSON_STR || words->items[i + 1].t != SOMA_JSON_STR ||
        !sweep_spec_is_option(words->items[i].s) ||
        sweep_spec_option(spec, words->items[i].s, words->items[i + 1].s)) {
      snprintf(err, errlen, "%s: a bad spec word '%s'", path, words->items[i].s ? words->items[i].s : "?");
      goto done;
    }
  }
  if (sweep_spec_finish(spec)) {
    snprintf(err, errlen, "%s: the spec does not check", path);
    goto done;
  }
  rc = 0;
done:
  soma_json_free(j);
  return rc;
}

static int write_sweep_json(sweep *sw, int replace, char *err, size_t errlen) {
  char tmp[4096 + 512], path[4096 + 512], abs[PATH_MAX], created[40];
  snprintf(tmp, sizeof tmp, "%s/sweep.json.tmp.%d", sw->dir, (int)getpid());
  snprintf(path, sizeof path, "%s/sweep.json", sw->dir);
  if (!realpath(sw->spec.script, abs)) snprintf(abs, sizeof abs, "%s", sw->spec.script);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    return -1;
  }
  fprintf(f, "{\"command\": \"soma sweep\", \"soma_version\": \"%s\", \"git_revision\": \"%s\",\n"
             " \"created\": \"%s\",\n \"script\": ",
          SOMA_VERSION, rundir_git_revision(), rundir_timestamp(created, sizeof created));
  soma_json_str(f, sw->spec.script);
  fputs(", \"script_realpath\": ", f);
  soma_json_str(f, abs);
  fprintf(f, ", \"script_sha256\": \"%s\",\n \"spec\": %s,\n \"params\": [", sw->script_sha,
          sw->spec_json);
  for (int i = 0; i < sw->plan.n_params; i++) {
    fputs(i ? ", " : "", f);
    soma_json_str(f, sw->plan.params[i]);
  }
  fprintf(f, "], \"points\": %d}\n", sw->plan.n_points);
  int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
  bad |= fclose(f) != 0;
  if (bad) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    unlink(tmp);
    return -1;
  }
  /* link() fails when another shard wrote it first: then its spec is compared */
  int rc = replace ? rename(tmp, path) : link(tmp, path);
  int e = errno;
  unlink(tmp);
  if (rc != 0 && !(e == EEXIST && !replace)) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
    return -1;
  }
  return rc != 0 ? 1 : 0;   /* 1: it exists already */
}

/* 1 when some point of DIR completed (ok or failed; interrupted ones do not count) */
static int any_point_done(const char *dir) {
  char path[4096 + 512];
  snprintf(path, sizeof path, "%s/points", dir);
  DIR *d = opendir(path);
  if (!d) return 0;
  struct dirent *e;
  int found = 0;
  while (!found && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char done[2 * 4096 + 600], err[256];
    snprintf(done, sizeof done, "%s/%s/done.json", path, e->d_name);
    soma_json *j = access(done, F_OK) == 0 ? soma_json_load(done, err, sizeof err) : NULL;
    const char *status = soma_json_text(j, "status");
    found = status && (!strcmp(status, "ok") || !strcmp(status, "failed"));
    soma_json_free(j);
  }
  closedir(d);
  return found;
}

/* who holds a lock, for the message to a sweep refused (a failure only loses the note) */
static void write_note(int fd, const char *text) {
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text, strlen(text), 0) < 0) return;
}

/* takes DIR/sweep.lock: exclusive for a whole sweep, shared (with an exclusive lock of
 * DIR/shard-K-of-N.lock) for a shard, so shards run side by side and nothing else does */
static int lock_dir(sweep *sw) {
  char path[4096 + 512], info[512] = "", when[40], host[256] = "";
  snprintf(path, sizeof path, "%s/sweep.lock", sw->dir);
  sw->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (sw->lock_fd < 0) {
    fprintf(stderr, "soma sweep: cannot create %s: %s\n", path, strerror(errno));
    return EXIT_CANNOT;
  }
  int sharded = sw->shard_n > 1;
  if (flock(sw->lock_fd, (sharded ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    ssize_t got = pread(sw->lock_fd, info, sizeof info - 1, 0);
    info[got > 0 ? got : 0] = 0;
    char *nl = strchr(info, '\n');
    if (nl) *nl = 0;
    fprintf(stderr, "soma sweep: %s is in use by another sweep (%s); two sweeps never write "
                    "into one directory: wait for it to end, or choose another --out\n",
            sw->dir, info[0] ? info : "shards of a sweep");
    return EXIT_CANNOT;
  }
  gethostname(host, sizeof host - 1);
  snprintf(info, sizeof info, "pid %d on %s since %s\n", (int)getpid(), host,
           rundir_timestamp(when, sizeof when));
  if (!sharded) {
    sw->locked = 1;
    write_note(sw->lock_fd, info);
    return 0;
  }
  snprintf(path, sizeof path, "%s/shard-%ld-of-%ld.lock", sw->dir, sw->shard_k, sw->shard_n);
  sw->shard_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (sw->shard_fd < 0 || flock(sw->shard_fd, LOCK_EX | LOCK_NB) != 0) {
    fprintf(stderr, "soma sweep: shard %ld/%ld of the sweep in %s is already running; wait for "
                    "it to end\n", sw->shard_k, sw->shard_n, sw->dir);
    return EXIT_CANNOT;
  }
  write_note(sw->shard_fd, info);
  return 0;
}

static void unlock_dir(sweep *sw) {
  if (sw->locked) write_note(sw->lock_fd, "");
  if (sw->lock_fd >= 0) close(sw->lock_fd);
  sw->locked = 0;
  if (sw->shard_fd >= 0) close(sw->shard_fd);
  sw->lock_fd = sw->shard_fd = -1;
}

/* the spec words as one line, for messages */
static void spec_words_text(const char *json, char *out, size_t n) {
  char err[128];
  soma_json *j = soma_json_parse(json, err, sizeof err);
  int len = 0;
  out[0] = 0;
  for (int i = 0; j && i < j->n && len < (int)n - 1; i++)
    len += snprintf(out + len, n - (size_t)len, "%s%s", i ? " " : "", j->items[i].s);
  soma_json_free(j);
}

/* rank 0: makes DIR, takes the lock, writes sweep.json or checks it against this spec */
static int setup_dir(sweep *sw) {
  char err[8192];
  struct stat st;
  int exists = stat(sw->dir, &st) == 0;
  if (exists && !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "soma sweep: --out %s: not a directory\n", sw->dir);
    return EXIT_USAGE;
  }
  if (rundir_mkdirs(sw->dir, err, sizeof err)) {
    fprintf(stderr, "soma sweep: %s\n", err);
    return EXIT_CANNOT;
  }
  char path[4096 + 512];
  snprintf(path, sizeof path, "%s/sweep.json", sw->dir);
  if (exists && access(path, F_OK) != 0) {
    /* only a sweep's own files (another shard may be starting too) */
    DIR *d = opendir(sw->dir);
    int foreign = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
      foreign |= strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "points") &&
                 strncmp(e->d_name, "sweep.", 6) && strncmp(e->d_name, "shard-", 6) &&
                 strcmp(e->d_name, "points.lock") && strcmp(e->d_name, "table.lock");
    if (d) closedir(d);
    if (foreign) {
      fprintf(stderr, "soma sweep: %s exists and holds no sweep (no sweep.json); choose another "
                      "--out or empty it\n", sw->dir);
      return EXIT_USAGE;
    }
  }
  int rc = lock_dir(sw);
  if (rc) return rc;
  snprintf(path, sizeof path, "%s/points", sw->dir);
  if (mkdir(path, 0777) != 0 && errno != EEXIST) {
    fprintf(stderr, "soma sweep: cannot create %s: %s\n", path, strerror(errno));
    return EXIT_CANNOT;
  }
  for (int attempt = 0; attempt < 2; attempt++) {
    rc = write_sweep_json(sw, 0, err, sizeof err);
    if (rc < 0) {
      fprintf(stderr, "soma sweep: %s\n", err);
      return EXIT_CANNOT;
    }
    if (rc == 0) return 0;
    /* a sweep.json exists: the same spec continues, another one is refused */
    sweep_spec old;
    char sha[65], abs[PATH_MAX];
    if (read_sweep_json(sw->dir, &old, sha, abs, sizeof abs, err, sizeof err)) {
      fprintf(stderr, "soma sweep: %s; remove it or choose another --out\n", err);
      return EXIT_CANNOT;
    }
    char *old_json = sweep_spec_json(&old);
    int same_spec = old_json && !strcmp(old_json, sw->spec_json), same_script = !strcmp(sha, sw->script_sha);
    char was[2048], now[2048];
    spec_words_text(old_json ? old_json : "[]", was, sizeof was);
    spec_words_text(sw->spec_json, now, sizeof now);
    free(old_json);
    sweep_spec_free(&old);
    if (same_spec && same_script) return 0;
    if (sw->shard_n <= 1 && !any_point_done(sw->dir)) {
      /* nothing of the old spec completed: this sweep takes the directory over */
      snprintf(path, sizeof path, "%s/points", sw->dir);
      if (remove_tree(path) || mkdir(path, 0777) != 0 || write_sweep_json(sw, 1, err, sizeof err)) {
        fprintf(stderr, "soma sweep: cannot reset %s: %s\n", sw->dir, err);
        return EXIT_CANNOT;
      }
      return 0;
    }
    if (!same_script)
      fprintf(stderr, "soma sweep: %s changed since the sweep in %s began (its SHA-256 differs "
                      "from sweep.json's); the points done ran the old script: choose another "
                      "--out\n", sw->spec.script, sw->dir);
    else
      fprintf(stderr, "soma sweep: %s holds another sweep:\n  there: %s\n  now:   %s\n"
                      "a directory holds one sweep: run the same spec to continue it (or "
                      "--resume --out %s), or choose another --out\n", sw->dir, was, now, sw->dir);
    return EXIT_USAGE;
  }
  return EXIT_CANNOT;
}

static int default_dir(sweep *sw) {
  char stem[256], stamp[32], err[512];
  const char *base = strrchr(sw->spec.script, '/');
  snprintf(stem, sizeof stem, "%s", base ? base + 1 : sw->spec.script);
  char *dot = strrchr(stem, '.');
  if (dot && dot != stem) *dot = 0;
  time_t t = time(NULL);
  struct tm tm;
  localtime_r(&t, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  if (rundir_mkdirs("sweeps", err, sizeof err)) {
    fprintf(stderr, "soma sweep: %s\n", err);
    return EXIT_CANNOT;
  }
  for (int k = 1; k < 1000; k++) {
    if (k == 1) snprintf(sw->dir, sizeof sw->dir, "sweeps/%s-%s", stem, stamp);
    else snprintf(sw->dir, sizeof sw->dir, "sweeps/%s-%s-%d", stem, stamp, k);
    if (mkdir(sw->dir, 0777) == 0) return 0;
    if (errno != EEXIST) {
      fprintf(stderr, "soma sweep: cannot create %s: %s\n", sw->dir, strerror(errno));
      return EXIT_CANNOT;
    }
  }
  fprintf(stderr, "soma sweep: no free name for sweeps/%s-%s\n", stem, stamp);
  return EXIT_CANNOT;
}

/* ---- the queue ------------------------------------------------------------------------------ */

static int in_shard(const sweep *sw, int index) {
  return sw->shard_n <= 1 || index % sw->shard_n == sw->shard_k - 1;
}

static int wants_run(const sweep *sw, int state) {
  return state == ROW_PENDING || state == ROW_INTERRUPTED || (state == ROW_FAILED && sw->retry_failed);
}

static void defer(sweep *sw, int index) {
  sw->deferred[sw->nd] = index;
  sw->retry_at[sw->nd] = cli_now() + 0.2;
  sw->nd++;
}

/* the next point to run here: an index, NEXT_WAIT (only points held elsewhere are left) or
 * NEXT_NONE */
static int local_next(sweep *sw) {
  if (sw->stop_sig || sw->fatal) return NEXT_NONE;
  if (sw->qhead < sw->nq) return sw->queue[sw->qhead++];
  if (!sw->nd) return NEXT_NONE;
  double now = cli_now();
  for (int i = 0; i < sw->nd; i++)
    if (sw->retry_at[i] <= now) {
      int index = sw->deferred[i];
      sw->deferred[i] = sw->deferred[sw->nd - 1];
      sw->retry_at[i] = sw->retry_at[sw->nd - 1];
      sw->nd--;
      return index;
    }
  return NEXT_WAIT;
}

/* rank 0: a point ended here or on another rank */
static void point_ended(sweep *sw, int index, int state) {
  char err[8192];
  if (state == REP_BUSY) {
    defer(sw, index);
    return;
  }
  if (sweep_row_load(sw->dir, &sw->plan.points[index], &sw->rows[index], err, sizeof err))
    fprintf(stderr, "soma sweep: %s\n", err);
  sw->fresh[index] = 1;
  if (state == REP_SKIPPED) {
    if (!wants_run(sw, sw->rows[index].state)) sw->done_before++;
    return;
  }
  if (state == REP_USAGE) {
    if (!sw->fatal) {
      sw->fatal = 1;
      snprintf(sw->fatal_msg, sizeof sw->fatal_msg, "point %s: %.900s", sw->plan.points[index].id,
               sw->rows[index].error ? sw->rows[index].error : "a usage error");
    }
    return;
  }
  if (state == ROW_OK || state == ROW_FAILED) sw->done_now++;
  if (state == ROW_FAILED) {
    sw->failed_now++;
    if (sw->rank == 0) {
      progress_clear_line(sw);
      fprintf(stderr, "soma sweep: point %s failed: %s\n", sw->plan.points[index].id,
              sw->rows[index].error ? sw->rows[index].error : "(no message)");
    }
  }
  double now = cli_now();
  if (now - sw->last_table > 2) {
    sw->last_table = now;
    if (sweep_table_write(sw->dir, &sw->plan, sw->rows, err, sizeof err))
      fprintf(stderr, "soma sweep: %s\n", err);
  }
  progress(sw, sw->tty);
}

/* ---- running points ------------------------------------------------------------------------ */

/* The binary points run: this one. By its path while that file is still the one started
 * (so valgrind, which runs soma as its client, can follow the points), else through
 * /proc/self/exe (the path was replaced, e.g. by a rebuild: the points keep this version). */
static char self_path[PATH_MAX];
static ino_t self_ino;

static void self_exe_remember(void) {
  ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  struct stat st;
  self_path[n > 0 ? n : 0] = 0;
  if (n <= 0 || stat(self_path, &st) != 0) self_path[0] = 0;
  else self_ino = st.st_ino;
}

static const char *self_exe(void) {
  struct stat st;
  return self_path[0] && stat(self_path, &st) == 0 && st.st_ino == self_ino ? self_path
                                                                              : "/proc/self/exe";
}

/* starts point index in a free slot: 0, REP_BUSY (another process runs it), REP_SKIPPED
 * (done meanwhile) or ROW_FAILED (could not start; recorded) */
static int launch(sweep *sw, slot *sl, int index) {
  const sweep_point *pt = &sw->plan.points[index];
  char pdir[4096 + 256], path[4096 + 512], out_log[4096 + 512], err_log[4096 + 512];
  snprintf(pdir, sizeof pdir, "%s/points/%s", sw->dir, pt->id);
  snprintf(path, sizeof path, "%s/points.lock", sw->dir);
  int lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = index, .l_len = 1};
  if (lfd >= 0 && fcntl(lfd, F_OFD_SETLK, &fl) != 0) {
    if (errno == EAGAIN || errno == EACCES) {   /* another process runs this point */
      close(lfd);
      return REP_BUSY;
    }
    static int warned;   /* a filesystem without byte-range locks: the sweep's own lock stays */
    if (!warned++)
      fprintf(stderr, "soma sweep: warning: no lock for points in %s (%s)\n", path, strerror(errno));
  }
  snprintf(path, sizeof path, "%s/done.json", pdir);
  if (access(path, F_OK) == 0) {
    sweep_row row = {0};
    char err[256];
    sweep_row_load(sw->dir, pt, &row, err, sizeof err);
    int state = row.state;
    sweep_row_clear(&row);
    if (!wants_run(sw, state)) {
      if (lfd >= 0) close(lfd);
      return REP_SKIPPED;
    }
  }
  remove_tree(pdir);   /* an earlier attempt's files */
  snprintf(out_log, sizeof out_log, "%s/points/.%s.stdout", sw->dir, pt->id);
  snprintf(err_log, sizeof err_log, "%s/points/.%s.stderr", sw->dir, pt->id);
  int ofd = open(out_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  int efd = open(err_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  int nfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  /* soma run SCRIPT --headless --quiet --seed S --threads T --set ... --out pdir */
  int argc = 0, cap = 12 + 2 * (sw->spec.n_sets + sw->plan.n_params);   /* with the NULL */
  char **argv = calloc((size_t)cap, sizeof *argv);
  char seed[32], threads[32], **sets = calloc((size_t)sw->plan.n_params + 1, sizeof *sets);
  snprintf(seed, sizeof seed, "%lu", pt->seed);
  snprintf(threads, sizeof threads, "%ld", sw->threads);
  if (argv && sets) {
    argv[argc++] = "soma";
    argv[argc++] = "run";
    argv[argc++] = (char *)sw->script;
    argv[argc++] = "--headless";
    argv[argc++] = "--quiet";
    argv[argc++] = "--seed";
    argv[argc++] = seed;
    argv[argc++] = "--threads";
    argv[argc++] = threads;
    for (int i = 0; i < sw->spec.n_sets; i++) {
      argv[argc++] = "--set";
      argv[argc++] = sw->spec.sets[i];
    }
    for (int i = 0; i < sw->plan.n_params; i++) {
      size_t len = strlen(sw->plan.params[i]) + strlen(pt->values[i]) + 2;
      if (!(sets[i] = malloc(len))) break;
      snprintf(sets[i], len, "%s=%s", sw->plan.params[i], pt->values[i]);
      argv[argc++] = "--set";
      argv[argc++] = sets[i];
    }
    argv[argc++] = "--out";
    argv[argc++] = pdir;
  }
  pid_t parent = getpid(), pid = -1;
  if (ofd >= 0 && efd >= 0 && nfd >= 0 && argv && sets && argc == cap - 1) pid = fork();
  if (pid == 0) {
    /* the child: its own process group (a terminal's Ctrl-C reaches the sweep, which passes
     * it on once), killed if the sweep dies, holding the point's lock until it exits */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(137);
    if (lfd >= 0) fcntl(lfd, F_SETFD, 0);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &sw->old_mask, NULL);
    dup2(nfd, 0);
    dup2(ofd, 1);
    dup2(efd, 2);
    execv(self_exe(), argv);
    dprintf(2, "soma sweep: cannot run %s: %s\n", self_exe(), strerror(errno));
    _exit(127);
  }
  int fork_errno = errno;
  if (ofd >= 0) close(ofd);
  if (efd >= 0) close(efd);
  if (nfd >= 0) close(nfd);
  for (int i = 0; i < sw->plan.n_params; i++) free(sets[i]);
  free(sets);
  free(argv);
  if (pid < 0 && (fork_errno == EAGAIN || fork_errno == ENOMEM) && sw->running > 0) {
    if (lfd >= 0) close(lfd);   /* out of processes for now: again when a point ends */
    return REP_BUSY;
  }
  if (pid < 0) {
    /* recorded as a failed point, so the sweep goes on */
    sweep_row row = {0};
    row.state = ROW_FAILED;
    row.exit_code = -1;
    char msg[512], err[1024];
    snprintf(msg, sizeof msg, "cannot start the point's process: %s", strerror(fork_errno));
    row.error = msg;
    rundir_mkdirs(pdir, err, sizeof err);
    if (sweep_done_write(pdir, &sw->plan, pt, &row, err, sizeof err))
      fprintf(stderr, "soma sweep: %s\n", err);
    if (lfd >= 0) close(lfd);
    return ROW_FAILED;
  }
  sl->index = index;
  sl->pid = pid;
  sl->lock_fd = lfd;
  sl->t0 = cli_now();
  sl->timed_out = 0;
  sl->signalled = 0;
  sl->kill_at = 0;
  sw->running++;
  sw->started_here++;
  return 0;
}

/* a child ended: its state from the exit status and meta.json; its logs moved into its folder;
 * done.json written. Returns the row state, or REP_USAGE. */
static int finish(sweep *sw, slot *sl, int wstatus) {
  const sweep_point *pt = &sw->plan.points[sl->index];
  char pdir[4096 + 256], path[4096 + 512], log[4096 + 512], err[1024], msg[1024] = "";
  snprintf(pdir, sizeof pdir, "%s/points/%s", sw->dir, pt->id);
  sweep_row row = {0};
  row.wall_s = cli_now() - sl->t0;
  int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  row.exit_code = code;
  rundir_mkdirs(pdir, err, sizeof err);   /* a usage error before the run made it */
  snprintf(log, sizeof log, "%s/points/.%s.stdout", sw->dir, pt->id);
  snprintf(path, sizeof path, "%s/stdout.txt", pdir);
  rename(log, path);
  snprintf(log, sizeof log, "%s/points/.%s.stderr", sw->dir, pt->id);
  snprintf(path, sizeof path, "%s/stderr.txt", pdir);
  rename(log, path);
  snprintf(path, sizeof path, "%s/meta.json", pdir);
  soma_json *meta = access(path, F_OK) == 0 ? soma_json_load(path, err, sizeof err) : NULL;
  const char *mstatus = soma_json_text(meta, "status");
  const soma_json *merr = soma_json_get(meta, "error");
  int usage_error = 0;
  if (sl->timed_out) {
    row.state = ROW_FAILED;
    snprintf(msg, sizeof msg, "timed out after %g s (--timeout)", sw->timeout);
  } else if (code == 0) {
    row.state = ROW_OK;
  } else if ((mstatus && !strcmp(mstatus, "interrupted")) ||
             (sl->signalled && (code == 128 + sl->signalled || code == 128 + SIGKILL))) {
    row.state = ROW_INTERRUPTED;
    int sig = sl->signalled ? sl->signalled : code - 128;
    snprintf(msg, sizeof msg, "interrupted by %s", sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "SIGINT");
  } else if (WIFSIGNALED(wstatus)) {
    row.state = ROW_FAILED;
    snprintf(msg, sizeof msg, "crashed: killed by signal %d (%s)", WTERMSIG(wstatus),
             strsignal(WTERMSIG(wstatus)));
  } else {
    row.state = ROW_FAILED;
    if (merr && merr->t == SOMA_JSON_STR) {
      snprintf(msg, sizeof msg, "%s", merr->s);
    } else {
      snprintf(path, sizeof path, "%s/stderr.txt", pdir);
      last_line(path, msg, sizeof msg);
      if (!msg[0]) snprintf(msg, sizeof msg, "soma run exited with status %d", code);
    }
    /* a bad --set (or option): every point would fail alike */
    usage_error = code == 2 && (!meta || (merr && merr->t == SOMA_JSON_STR && !strncmp(merr->s, "--set ", 6)));
  }
  soma_json_free(meta);
  row.error = msg[0] ? msg : NULL;
  int state = row.state;
  if (usage_error && sw->rank == 0 && (sw->fatal || sw->done_now == 0)) {
    /* not marked done: after the command is fixed the directory can be reused */
    state = REP_USAGE;
    if (!sw->fatal) {
      sw->fatal = 1;
      snprintf(sw->fatal_msg, sizeof sw->fatal_msg, "point %s: %.900s", pt->id, msg);
    }
  } else if (sweep_done_write(pdir, &sw->plan, pt, &row, err, sizeof err)) {
    fprintf(stderr, "soma sweep: %s\n", err);
  }
  if (sl->lock_fd >= 0) close(sl->lock_fd);
  sl->index = -1;
  sl->pid = 0;
  sw->running--;
  return state;
}

static void forward(sweep *sw, int sig) {
  if (sig == SIGHUP) sig = SIGTERM;   /* soma run stops cleanly on SIGINT and SIGTERM */
  for (int i = 0; i < sw->jobs; i++)
    if (sw->slots[i].index >= 0) {
      sw->slots[i].signalled = sig;
      kill(sw->slots[i].pid, sig);
    }
}

/* rank 0 under MPI: the next point for a worker */
static int serve_next(void *ctx) {
  sweep *sw = ctx;
  int index = local_next(sw);
  if (index >= 0) sw->remote_running++;
  return index;
}

static void serve_report(void *ctx, int index, int state) {
  sweep *sw = ctx;
  sw->remote_running--;
  point_ended(sw, index, state);
}

/* the next point for this rank */
static int next_point(sweep *sw) {
  if (sw->rank == 0) return local_next(sw);
  if (sw->exhausted || sw->stop_sig) return NEXT_NONE;
  if (cli_now() < sw->ask_after) return NEXT_WAIT;
  int index = sweep_mpi_request();
  if (index == NEXT_NONE) sw->exhausted = 1;
  if (index == NEXT_WAIT) sw->ask_after = cli_now() + 0.1;
  return index;
}

static void ended(sweep *sw, int index, int state) {
  if (sw->rank == 0) point_ended(sw, index, state);
  else sweep_mpi_report(index, state);
}

/* runs points until there are none left (or a signal): the loop of every rank */
static void run_points(sweep *sw) {
  int mpi_root = sw->rank == 0 && sw->ranks > 1;
  for (;;) {
    /* reap */
    for (int i = 0; i < sw->jobs; i++) {
      slot *sl = &sw->slots[i];
      int ws;
      if (sl->index < 0) continue;
      pid_t r = waitpid(sl->pid, &ws, WNOHANG);
      if (r == sl->pid) {
        int index = sl->index;
        ended(sw, index, finish(sw, sl, ws));
      }
    }
    if (mpi_root) sw->byes = sweep_mpi_serve(serve_next, serve_report, sw);
    if ((sw->stop_sig || sw->fatal) && !sw->forwarded) {
      forward(sw, sw->stop_sig ? sw->stop_sig : SIGTERM);
      sw->forwarded = 1;
      sw->stop_time = cli_now();
    }
    /* timeouts: SIGTERM, then SIGKILL 5 s later */
    double now = cli_now();
    for (int i = 0; sw->timeout > 0 && i < sw->jobs; i++) {
      slot *sl = &sw->slots[i];
      if (sl->index < 0) continue;
      if (!sl->timed_out && now - sl->t0 > sw->timeout) {
        sl->timed_out = 1;
        sl->kill_at = now + 5;
        kill(sl->pid, SIGTERM);
      } else if (sl->timed_out && now > sl->kill_at) {
        kill(sl->pid, SIGKILL);
        sl->kill_at = now + 5;
      }
    }
    /* launch */
    int waiting = 0;
    for (int i = 0; i < sw->jobs && !sw->stop_sig && !sw->fatal; i++) {
      slot *sl = &sw->slots[i];
      if (sl->index >= 0) continue;
      int index = next_point(sw);
      if (index == NEXT_WAIT) waiting = 1;
      if (index < 0) break;
      int rc = launch(sw, sl, index);
      if (rc) ended(sw, index, rc);
      if (rc) i--;   /* the slot is still free */
    }
    int local_left = sw->running > 0 || waiting ||
                     (!sw->stop_sig && !sw->fatal && sw->rank == 0 && (sw->qhead < sw->nq || sw->nd));
    if (!local_left) {
      if (!mpi_root) break;
      if (sw->byes >= sw->ranks - 1) break;
      /* after a signal, workers get a few seconds to say goodbye */
      if ((sw->stop_sig || sw->fatal) && sw->forwarded && cli_now() - sw->stop_time > 10) break;
    }
    progress(sw, 0);
    /* wait for a child, a signal, a deadline */
    double wait = sw->progress_every > 0 ? sw->progress_every : 1;
    if (wait > 1) wait = 1;
    if (waiting || sw->nd) wait = fmin(wait, 0.05);
    if (mpi_root) wait = 0.002;
    struct timespec ts = {(time_t)wait, (long)((wait - floor(wait)) * 1e9)};
    siginfo_t si;
    int sig = sigtimedwait(&sw->blocked, &si, &ts);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
      if (sw->stop_sig) forward(sw, sig);   /* a second signal ends the runs at once */
      sw->stop_sig = sig;
      sw->stop_time = cli_now();
    }
  }
}

/* ---- the table at the end ---------------------------------------------------------------- */

static int write_outputs(sweep *sw, int final, int *failed, int *counts) {
  char err[8192], used[512];
  int rc = 0;
  for (int i = 0; i < sw->plan.n_points && final; i++)
    if (!sw->fresh[i] && sweep_row_load(sw->dir, &sw->plan.points[i], &sw->rows[i], err, sizeof err))
      fprintf(stderr, "soma sweep: %s\n", err);
  if (sweep_table_write(sw->dir, &sw->plan, sw->rows, err, sizeof err)) {
    fprintf(stderr, "soma sweep: %s\n", err);
    rc = -1;
  }
  if (final) {
    char png[4096 + 16];
    snprintf(png, sizeof png, "%s/sweep.png", sw->dir);
    if (sweep_plot(png, &sw->plan, sw->rows, sw->metric, used, sizeof used, err, sizeof err))
      fprintf(stderr, "soma sweep: %s\n", err);
  }
  *failed = 0;
  memset(counts, 0, 4 * sizeof *counts);
  for (int i = 0; i < sw->plan.n_points; i++) {
    if (!in_shard(sw, i)) continue;
    counts[sw->rows[i].state]++;
    *failed += sw->rows[i].state == ROW_FAILED;
  }
  return rc;
}

static int collect(const char *dir, const char *metric, int quiet) {
  sweep sw;
  memset(&sw, 0, sizeof sw);
  char err[8192], sha[65], abs[PATH_MAX];
  snprintf(sw.dir, sizeof sw.dir, "%s", dir);
  if (read_sweep_json(dir, &sw.spec, sha, abs, sizeof abs, err, sizeof err)) {
    fprintf(stderr, "soma sweep: --collect %s: %s\n", dir, err);
    return EXIT_USAGE;
  }
  sw.metric = metric;
  int rc = 0;
  if (sweep_plan_make(&sw.spec, &sw.plan) ||
      !(sw.rows = calloc((size_t)sw.plan.n_points, sizeof *sw.rows)) ||
      !(sw.fresh = calloc((size_t)sw.plan.n_points, 1))) {
    fprintf(stderr, "soma sweep: out of memory\n");
    rc = EXIT_CANNOT;
    goto done;
  }
  int failed, counts[4];
  if (write_outputs(&sw, 1, &failed, counts)) rc = EXIT_CANNOT;
  if (!quiet)
    printf("sweep: %d points: %d ok, %d failed, %d interrupted, %d pending; wrote %s/sweep.csv, "
           "sweep.jsonl, sweep.png\n", sw.plan.n_points, counts[ROW_OK], counts[ROW_FAILED],
           counts[ROW_INTERRUPTED], counts[ROW_PENDING], dir);
done:
  for (int i = 0; sw.rows && i < sw.plan.n_points; i++) sweep_row_clear(&sw.rows[i]);
  free(sw.rows);
  free(sw.fresh);
  sweep_plan_free(&sw.plan);
  sweep_spec_free(&sw.spec);
  return rc;
}

/* ---- the command ------------------------------------------------------------------------- */

static int parse_shard(sweep *sw, const char *v) {
  char *end;
  errno = 0;
  long k = strtol(v, &end, 10);
  if (end == v || *end != '/') goto bad;
  const char *n_text = end + 1;
  long n = strtol(n_text, &end, 10);
  if (errno || end == n_text || *end || n < 1 || n > 1000000) goto bad;
  if (k < 1 || k > n) {
    fprintf(stderr, "soma sweep: --shard %s: K must be in 1..N\n", v);
    return EXIT_USAGE;
  }
  sw->shard_k = k;
  sw->shard_n = n;
  return 0;
bad:
  fprintf(stderr, "soma sweep: --shard %s: expected K/N, this being slice K of N (e.g. --shard 2/8)\n", v);
  return EXIT_USAGE;
}

static int parse_args(sweep *sw, int argc, char **argv, const char **collect_dir, int *spec_given,
                      int *help) {
  static const char *const known[] = {"--grid", "--sample", "--points", "--sampler",
                                      "--sample-seed", "--seeds", "--seed-list", "--set",
                                      "--jobs", "--threads-per-job", "--out", "--resume",
                                      "--retry-failed", "--shard", "--timeout", "--metric",
                                      "--collect", "--quiet", "--help", NULL};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      *help = 1;
      return 0;
    } else if (!strcmp(a, "--quiet")) {
      sw->quiet = 1;
    } else if (!strcmp(a, "--resume")) {
      sw->resume = 1;
    } else if (!strcmp(a, "--retry-failed")) {
      sw->retry_failed = 1;
    } else if (sweep_spec_is_option(a)) {
      if (!(v = cli_value("sweep", argc, argv, &i)) || sweep_spec_option(&sw->spec, a, v))
        return EXIT_USAGE;
      *spec_given = 1;
    } else if (!strcmp(a, "--jobs") || !strcmp(a, "--threads-per-job")) {
      if (!(v = cli_value("sweep", argc, argv, &i)) ||
          cli_long("sweep", a, v, 1, 1024, !strcmp(a, "--jobs") ? &sw->jobs : &sw->threads))
        return EXIT_USAGE;
    } else if (!strcmp(a, "--timeout")) {
      if (!(v = cli_value("sweep", argc, argv, &i)) ||
          cli_double("sweep", a, v, 1e-3, 1e9, &sw->timeout))
        return EXIT_USAGE;
    } else if (!strcmp(a, "--shard")) {
      if (!(v = cli_value("sweep", argc, argv, &i)) || parse_shard(sw, v)) return EXIT_USAGE;
    } else if (!strcmp(a, "--out")) {
      if (!(sw->out = cli_value("sweep", argc, argv, &i))) return EXIT_USAGE;
      if (!*sw->out) {
        fprintf(stderr, "soma sweep: --out: an empty path\n");
        return EXIT_USAGE;
      }
    } else if (!strcmp(a, "--metric")) {
      if (!(sw->metric = cli_value("sweep", argc, argv, &i))) return EXIT_USAGE;
    } else if (!strcmp(a, "--collect")) {
      if (!(*collect_dir = cli_value("sweep", argc, argv, &i))) return EXIT_USAGE;
    } else if (a[0] == '-' && a[1]) {
      return cli_unknown("sweep", a, known);
    } else if (!sw->script_arg) {
      sw->script_arg = a;
    } else {
      fprintf(stderr, "soma sweep: one script at a time (got '%s' and '%s')\n", sw->script_arg, a);
      return EXIT_USAGE;
    }
  }
  return 0;
}

/* the spec from the command line, or (with --resume and none given) from DIR/sweep.json */
static int resolve_spec(sweep *sw, int spec_given) {
  char err[8192], sha[65], abs[PATH_MAX];
  if (sw->resume && !spec_given) {
    if (read_sweep_json(sw->out, &sw->spec, sha, abs, sizeof abs, err, sizeof err)) {
      fprintf(stderr, "soma sweep: --resume: %s; nothing to resume\n", err);
      return EXIT_USAGE;
    }
    const char *path = sw->script_arg ? sw->script_arg
                       : access(sw->spec.script, R_OK) != 0 && abs[0] && access(abs, R_OK) == 0
                           ? abs   /* started from another directory */
                           : NULL;
    if (path) {
      free(sw->spec.script);
      sw->spec.script = strdup(path);
    }
    return sw->spec.script ? 0 : EXIT_CANNOT;
  }
  if (!sw->script_arg) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  if (!(sw->spec.script = strdup(sw->script_arg))) return EXIT_CANNOT;
  return sweep_spec_finish(&sw->spec);
}

static void free_sweep(sweep *sw) {
  for (int i = 0; sw->rows && i < sw->plan.n_points; i++) sweep_row_clear(&sw->rows[i]);
  free(sw->rows);
  free(sw->fresh);
  free(sw->queue);
  free(sw->deferred);
  free(sw->retry_at);
  free(sw->slots);
  free(sw->spec_json);
  sweep_plan_free(&sw->plan);
  sweep_spec_free(&sw->spec);
}

int cmd_sweep(int argc, char **argv) {
  sweep sw;
  memset(&sw, 0, sizeof sw);
  sw.lock_fd = sw.shard_fd = -1;
  sw.threads = 1;
  self_exe_remember();
  /* signals are taken with sigtimedwait: blocked here, before MPI starts any thread */
  sigemptyset(&sw.blocked);
  sigaddset(&sw.blocked, SIGINT);
  sigaddset(&sw.blocked, SIGTERM);
  sigaddset(&sw.blocked, SIGHUP);
  sigaddset(&sw.blocked, SIGCHLD);
  sigprocmask(SIG_BLOCK, &sw.blocked, &sw.old_mask);
  int ranks = sweep_mpi_init(&sw.rank);
  int rc = 0, help = 0, spec_given = 0;
  const char *collect_dir = NULL;
  if (ranks < 0) {
    fprintf(stderr, "soma sweep: started by mpirun (or srun) with several ranks, but this soma "
                    "was built without MPI: build it with make MPI=1, or run one process\n");
    rc = EXIT_USAGE;
    goto out;
  }
  sw.ranks = ranks;
  /* every rank parses the same command; only rank 0 speaks */
  int saved = -1;
  if (sw.rank) {
    saved = dup(2);
    int nul = open("/dev/null", O_WRONLY);
    if (nul >= 0) dup2(nul, 2), close(nul);
  }
  rc = parse_args(&sw, argc, argv, &collect_dir, &spec_given, &help);
  if (!rc && !help && !collect_dir) {
    if (sw.resume && !sw.out) {
      fprintf(stderr, "soma sweep: --resume needs --out DIR (the sweep to continue)\n");
      rc = EXIT_USAGE;
    } else if (!sw.out && (sw.shard_n > 0 || ranks > 1)) {
      fprintf(stderr, "soma sweep: %s needs --out DIR: every %s writes into the same directory\n",
              sw.shard_n ? "--shard" : "a sweep under MPI", sw.shard_n ? "shard" : "rank");
      rc = EXIT_USAGE;
    } else if (sw.rank == 0 || !sw.resume || spec_given) {
      rc = resolve_spec(&sw, spec_given);   /* workers resuming read sweep.json once it is sure */
    }
  }
  if (saved >= 0) dup2(saved, 2), close(saved);
  if (rc || help) {
    if (help && sw.rank == 0) fputs(usage, stdout);
    goto out;
  }
  if (collect_dir) {
    if (spec_given || sw.resume)
      fprintf(stderr, "soma sweep: --collect DIR reads the spec from DIR/sweep.json; the other "
                      "spec options are ignored\n");
    rc = sw.rank == 0 ? collect(collect_dir, sw.metric, sw.quiet) : 0;
    goto out;
  }
  if (!sw.jobs) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    sw.jobs = ranks > 1 ? 1 : cpus / sw.threads > 1 ? cpus / sw.threads : 1;
  }
  /* rank 0 sets the directory up; the others wait for its word */
  int ok = 1;
  if (sw.rank == 0) {
    if (sw.out) snprintf(sw.dir, sizeof sw.dir, "%s", sw.out);
    else rc = default_dir(&sw);
    char err[8192];
    if (!rc && rundir_file_sha256(sw.spec.script, sw.script_sha, err, sizeof err)) {
      fprintf(stderr, "soma sweep: %s\n", err);
      rc = EXIT_USAGE;
    }
    if (!rc && !(sw.spec_json = sweep_spec_json(&sw.spec))) rc = EXIT_CANNOT;
    if (!rc && sweep_plan_make(&sw.spec, &sw.plan)) {
      fprintf(stderr, "soma sweep: out of memory\n");
      rc = EXIT_CANNOT;
    }
    if (!rc) rc = setup_dir(&sw);
    ok = rc == 0;
  }
  sweep_mpi_bcast(&ok);
  if (!ok) {
    if (sw.rank) rc = 0;   /* rank 0 said why */
    goto out;
  }
  if (sw.rank) {
    snprintf(sw.dir, sizeof sw.dir, "%s", sw.out);
    if (sw.resume && !spec_given && resolve_spec(&sw, 0)) goto finalize;
    if (sweep_plan_make(&sw.spec, &sw.plan)) goto finalize;
  }
  sw.script = sw.spec.script;
  int n = sw.plan.n_points;
  sw.slots = calloc((size_t)sw.jobs, sizeof *sw.slots);
  sw.rows = calloc((size_t)n, sizeof *sw.rows);
  sw.fresh = calloc((size_t)n, 1);
  sw.queue = calloc((size_t)n, sizeof *sw.queue);
  sw.deferred = calloc((size_t)n, sizeof *sw.deferred);
  sw.retry_at = calloc((size_t)n, sizeof *sw.retry_at);
  if (!sw.slots || !sw.rows || !sw.fresh || !sw.queue || !sw.deferred || !sw.retry_at) {
    fprintf(stderr, "soma sweep: out of memory\n");
    rc = EXIT_CANNOT;
    goto finalize;
  }
  for (int i = 0; i < sw.jobs; i++) sw.slots[i].index = -1;
  sw.tty = isatty(2);
  const char *every = getenv("SOMA_PROGRESS_INTERVAL");
  sw.progress_every = every && atof(every) > 0 ? atof(every) : sw.tty ? 0.25 : 10;
  sw.t_start = sw.last_table = sw.last_progress = cli_now();
  if (sw.rank == 0) {
    /* what is left to do in this shard */
    char err[8192];
    for (int i = 0; i < n; i++) {
      if (sweep_row_load(sw.dir, &sw.plan.points[i], &sw.rows[i], err, sizeof err))
        fprintf(stderr, "soma sweep: %s\n", err);
      if (!in_shard(&sw, i)) continue;
      sw.total++;
      if (wants_run(&sw, sw.rows[i].state)) sw.queue[sw.nq++] = i;
      else sw.done_before++;
    }
    if (sweep_table_write(sw.dir, &sw.plan, sw.rows, err, sizeof err))
      fprintf(stderr, "soma sweep: %s\n", err);
    if (!sw.quiet && sw.done_before)
      fprintf(stderr, "soma sweep: %s: %d of %d points already done; running the other %d\n",
              sw.dir, sw.done_before, sw.total, sw.nq);
    progress(&sw, 1);
  }
  run_points(&sw);
  if (sw.rank != 0) {
    sweep_mpi_bye();
    goto finalize;
  }
  progress_clear_line(&sw);
  int failed, counts[4];
  write_outputs(&sw, 1, &failed, counts);
  if (sw.stop_sig) {
    fprintf(stderr, "soma sweep: interrupted by %s: %d of %d points done, %d interrupted, %d not "
                    "started; run the same command (or soma sweep --resume --out %s) to finish\n",
            sw.stop_sig == SIGTERM ? "SIGTERM" : sw.stop_sig == SIGHUP ? "SIGHUP" : "SIGINT",
            counts[ROW_OK] + counts[ROW_FAILED], sw.total, counts[ROW_INTERRUPTED],
            counts[ROW_PENDING], sw.dir);
    rc = 128 + sw.stop_sig;
  } else if (sw.fatal) {
    fprintf(stderr, "soma sweep: stopped: %s\n(every point would fail alike: fix the command; "
                    "%s holds no completed point of it)\n", sw.fatal_msg, sw.dir);
    rc = EXIT_USAGE;
  } else {
    rc = failed > 100 ? 100 : failed;
  }
  if (!sw.quiet && !sw.stop_sig && !sw.fatal)
    printf("sweep: %d points: %d ok, %d failed%s; wrote %s/sweep.csv, sweep.jsonl, sweep.png\n",
           sw.total, counts[ROW_OK], counts[ROW_FAILED],
           counts[ROW_PENDING] + counts[ROW_INTERRUPTED] ? " (and some not done: run the command again)" : "",
           sw.dir);
  fflush(stdout);
finalize:
  if (ranks > 1) {
    sweep_mpi_bcast(&rc);
    if (sw.stop_sig && sw.rank == 0 && sw.byes < ranks - 1) sweep_mpi_abort(rc);   /* a rank is lost */
  }
out:
  unlock_dir(&sw);
  free_sweep(&sw);
  if (ranks > 1) sweep_mpi_finalize();
  sigprocmask(SIG_SETMASK, &sw.old_mask, NULL);
  return rc;
}

#ifndef SOMA_MPI
/* without MPI: one process; refuse to be one of several ranks */
int sweep_mpi_init(int *rank) {
  *rank = 0;
  const char *s = getenv("OMPI_COMM_WORLD_SIZE");
  if (!s) s = getenv("PMI_SIZE");
  return s && atoi(s) > 1 ? -1 : 1;
}
void sweep_mpi_bcast(int *v) { (void)v; }
int sweep_mpi_request(void) { return NEXT_NONE; }
void sweep_mpi_report(int index, int state) {
  (void)index;
  (void)state;
}
void sweep_mpi_bye(void) {}
int sweep_mpi_serve(int (*next)(void *), void (*report)(void *, int, int), void *ctx) {
  (void)next;
  (void)report;
  (void)ctx;
  return 0;
}
void sweep_mpi_finalize(void) {}
void sweep_mpi_abort(int code) { (void)code; }
#endif
