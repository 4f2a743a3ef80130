/* sweep.h — the parts of `soma sweep` shared between its files: the spec (grids, samples,
 * seeds) and the points it expands to (sweep_points.c), the table of results (sweep_table.c;
 * the JSON they read back goes through sim/json_read.h), the summary figure (sweep_plot.c) and
 * the MPI transport (sweep_mpi.c, built only with `make MPI=1`). */
#ifndef SOMA_SWEEP_H
#define SOMA_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "sim/json_read.h"

/* ---- the spec and its points (sweep_points.c) ------------------------------------------ */

enum { SWEEP_FLOAT, SWEEP_LOG, SWEEP_INT };          /* how a --sample range is drawn */
enum { SWEEP_LHS, SWEEP_RANDOM };                    /* --sampler */

typedef struct sweep_grid {
  char *key;
  char **values;
  int n;
} sweep_grid;

typedef struct sweep_sample {
  char *key;
  double lo, hi;
  int kind;
} sweep_sample;

/* What a sweep is: everything that decides its points. Two sweeps with the same spec (and the
 * same script contents) have the same points with the same ids. */
typedef struct sweep_spec {
  char *script;
  char **sets;                 /* fixed --set KEY=VAL for every point */
  int n_sets;
  sweep_grid *grids;
  int n_grids;
  sweep_sample *samples;
  int n_samples;
  long points;                 /* --points: samples drawn (0: none) */
  int sampler;
  unsigned long sample_seed;
  unsigned long *seeds;
  int n_seeds;
  int seeds_given;             /* --seeds or --seed-list was given */
} sweep_spec;

typedef struct sweep_point {
  int index;
  char *id;
  unsigned long seed;
  char **values;               /* one per parameter of the plan, as passed to --set */
} sweep_point;

typedef struct sweep_plan {
  int n_params;
  const char **params;         /* grid keys, then sample keys (borrowed from the spec) */
  int *is_sample;              /* per parameter: drawn from a --sample range */
  int n_points;
  sweep_point *points;
} sweep_plan;

/* Parses one spec option (flag is "--grid", "--sample", "--points", "--sampler",
 * "--sample-seed", "--seeds", "--seed-list" or "--set") into s. Returns 0, or prints
 * "soma sweep: FLAG VALUE: why" and returns 2. */
int sweep_spec_option(sweep_spec *s, const char *flag, const char *value);
/* Checks the spec as a whole (a --sample needs --points, ...) and fills the default seed.
 * Returns 0 or 2 after printing. */
int sweep_spec_finish(sweep_spec *s);
/* 1 when flag is one of the options sweep_spec_option takes. */
int sweep_spec_is_option(const char *flag);
/* The spec as a canonical JSON array of command-line words ("--grid", "g=1,2", ...; not the
 * script, which sweep.json identifies by its SHA-256): equal specs give equal text. Malloc'd. */
char *sweep_spec_json(const sweep_spec *s);
void sweep_spec_free(sweep_spec *s);

/* Expands the spec into its points: the grids' Cartesian product (first --grid outermost) ×
 * the sampled points × the seeds (innermost). Returns 0, or -1 when out of memory. */
int sweep_plan_make(const sweep_spec *s, sweep_plan *p);
void sweep_plan_free(sweep_plan *p);

/* Shortest decimal text that reads back as v. */
void sweep_fmt_num(char *buf, size_t n, double v);

/* ---- results of points and the table (sweep_table.c) ----------------------------------- */

enum { ROW_PENDING, ROW_OK, ROW_FAILED, ROW_INTERRUPTED };

enum { SWEEP_MAX_LIST = 32 };   /* longer lists in results stay out of the table */

/* One point's outcome: from its done.json, and the "result" of its results.json flattened
 * (nested objects as "a.b", short lists as "a.1", "a.2", ...), sorted by sweep_key_cmp;
 * kinds are 'n' number, 's' string, 'b' boolean, 'z' null. */
typedef struct sweep_row {
  int state;
  double wall_s;
  int exit_code;
  char *error;
  int n;
  char **keys, **vals;
  char *kinds;
} sweep_row;

const char *sweep_state_name(int state);
/* The order of result keys: by bytes, but runs of digits by their value ("a.2" < "a.10"). */
int sweep_key_cmp(const char *a, const char *b);
/* Reads DIR/points/<id>/done.json (absent: pending) and results.json into row. Returns 0, or
 * -1 with a message when a file exists but cannot be read (the row is then failed). */
int sweep_row_load(const char *dir, const sweep_point *pt, sweep_row *row, char *err,
                   size_t errlen);
void sweep_row_clear(sweep_row *row);
/* Writes the point's done.json (through a temporary name and a rename). */
int sweep_done_write(const char *pdir, const sweep_plan *plan, const sweep_point *pt,
                     const sweep_row *row, char *err, size_t errlen);
/* Writes DIR/sweep.csv and DIR/sweep.jsonl (each through a temporary name), rows in point
 * order, under the lock DIR/table.lock. */
int sweep_table_write(const char *dir, const sweep_plan *plan, const sweep_row *rows,
                      char *err, size_t errlen);
/* The column name of result key k in the table ("result.k" when k is taken by a fixed
 * column or a parameter). */
const char *sweep_result_column(const sweep_plan *plan, const char *key, char *buf, size_t n);

/* ---- the summary figure (sweep_plot.c) ------------------------------------------------- */

enum { SWEEP_PNG_W = 800, SWEEP_PNG_H = 500 };
/* Draws metric (NULL: the first numeric result) against the parameters that vary into path.
 * The chosen metric goes to used (may be empty when there is none). Returns 0 or -1 + err. */
int sweep_plot(const char *path, const sweep_plan *plan, const sweep_row *rows,
               const char *metric, char *used, size_t usedlen, char *err, size_t errlen);

/* ---- MPI (sweep_mpi.c with SOMA_MPI; without it, sweep.c's one-process versions) -------- */

/* Starts MPI when the process was launched by mpirun/srun with more than one rank (returns
 * the number of ranks, and this one in *rank); 1 without MPI. -1 when launched with ranks
 * but built without MPI. */
int sweep_mpi_init(int *rank);
/* Rank 0 sends v to every rank; the others receive it. Waits without spinning. */
void sweep_mpi_bcast(int *v);
/* Worker: asks rank 0 for a point; its index, or -1 when there are no more. */
int sweep_mpi_request(void);
/* Worker: tells rank 0 that point index ended in state. */
void sweep_mpi_report(int index, int state);
/* Worker: says it has no more points running. */
void sweep_mpi_bye(void);
/* Rank 0: answers the messages waiting: requests with next(ctx) (an index or -1), reports
 * with report(ctx, index, state), and counts the byes. Returns the byes so far. */
int sweep_mpi_serve(int (*next)(void *), void (*report)(void *, int, int), void *ctx);
void sweep_mpi_finalize(void);
void sweep_mpi_abort(int code);

#endif
