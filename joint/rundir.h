/* rundir.h — reading a soma run directory for the joint models: which populations have spike
 * files (the first network at the top, net2/, named networks, agents' <name>/), their spikes,
 * binned; the recording environments' behaviour.npy columns by the names meta.json gives, and
 * state samples, aligned to the same bins. Everything is checked against meta.json.
 *
 * The way `soma fit RUN --behaviour x,y` goes (error handling shortened):
 *
 *   char err[512];
 *   joint_rundir *run = joint_rundir_open("runs/labyrinth-...", err, sizeof err);
 *   for (size_t k = 0; k < run->n_pops; k++) printf("%s: %zu neurons\n", run->pops[k].name,
 *                                                   run->pops[k].size);
 *   joint_rundir_request q = joint_rundir_request_defaults();
 *   q.pops = (const char *[]){"E"}, q.n_pops = 1;          // or every population on a clock
 *   q.columns = (const char *[]){"x", "y"}, q.n_columns = 2;   // of the first environment
 *   q.bin.bin_ms = 25, q.bin.sqrt = 1;
 *   joint_rundir_data d;
 *   if (joint_rundir_load(run, &q, &d, err, sizeof err)) { fprintf(stderr, "%s\n", err); ... }
 *   // d.x: T × N counts ("E:0", ...), d.y: T × 2 labels ("x", "y"), d.t: bin centres (ms)
 *   joint_split s;
 *   joint_split_make(d.x->data->size1, NULL, &s, err, sizeof err);     // CEBRA's 80/20
 *   joint_standardise *z;
 *   joint_standardise_fit(d.y->data, &s, &z, err, sizeof err);
 *   joint_standardise_apply(z, d.y->data, err, sizeof err);
 *   gsl_matrix *xtr, *ytr, *xva, *yva, *xte, *yte;   // joint_split_rows(d.x->data, &s, ...)
 *   joint_ridge *rr;
 *   joint_ridge_fit(xtr, ytr, xva, yva, NULL, &rr, err, sizeof err);   // or kNN, PCA, ...
 *   joint_npy_write("out/x.npy", d.x->data, NULL, err, sizeof err);   // and CSV, the split:
 *   joint_csv_write("out/y.csv", d.y->data, (const char *const *)d.y->names, err, sizeof err);
 *   gsl_matrix *parts = joint_split_column(&s);                     // 0 train 1 valid 2 test
 *   ...
 *   joint_rundir_data_free(&d);
 *   joint_rundir_close(run);
 */
#ifndef JOINT_RUNDIR_H
#define JOINT_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>

#include "joint/align.h"
#include "joint/bin.h"
#include "joint/io.h"
#include "sim/json_read.h"

/* A population with spike files. Populations of one network share its clock; an agent's
 * network runs on its own clock. */
typedef struct joint_rundir_pop {
  char *name;         /* "E", "net2/E", "agent/critic": its files without .spike_t.npy */
  char *folder;       /* its network's folder: ".", "net2", "agent" */
  char *population;   /* "E", "critic" */
  size_t size;        /* neurons (ids 0..size−1) */
  size_t spikes;      /* spikes, as meta.json says */
  double time_ms;     /* its network's time at the end of the run */
  double dt_ms;
  int agent;          /* 1: in a spiking agent's network */
} joint_rundir_pop;

/* A recording environment: its behaviour file and the names of its columns (episode, step,
 * t_ms, the action(s), reward, terminated, truncated, then the world's latents). */
typedef struct joint_rundir_env {
  char *name, *world, *file;   /* "env", "grid", "behaviour.npy" */
  size_t rows;                 /* as meta.json says */
  size_t n_columns;
  char **columns;
  size_t first_latent;         /* the column after "truncated" (n_columns if none) */
  char *clock;                 /* meta.json's "clock": the folder of the network whose time
                                  t_ms is ("." the first network, "agent" a spiking agent's),
                                  "" for null (no network timed the steps: t_ms is NaN),
                                  "mixed" (several clocks); NULL when meta.json has none (runs
                                  written before soma said: the first network's) */
  int has_clock;
} joint_rundir_env;

/* A sampled state variable: samples at t0_ms + k·interval_ms, one column per recorded id. */
typedef struct joint_rundir_state {
  char *name;                  /* "E.V_m", "net2/E.V_m" */
  char *file, *folder, *variable, *unit;
  double t0_ms, interval_ms;
  size_t samples, n_ids;
  int *ids;
} joint_rundir_state;

typedef struct joint_rundir {
  char *dir;
  const char *status;          /* meta.json's "ok", "error", "interrupted" (or "") */
  size_t n_pops, n_envs, n_states;
  joint_rundir_pop *pops;
  joint_rundir_env *envs;
  joint_rundir_state *states;
  soma_json *meta;             /* the whole meta.json, for anything else */
} joint_rundir;

/* Reads dir/meta.json and the agents' <folder>/meta.json (an agent that recorded no spikes has
 * none). NULL with a message naming the file and what is wrong: no meta.json, not JSON, a
 * network or environment entry without the fields soma writes. Files are opened only when
 * loaded. */
joint_rundir *joint_rundir_open(const char *dir, char *err, size_t errlen);
/* NULL is a no-op. */
void joint_rundir_close(joint_rundir *r);

/* The population called name ("net2/E"), or, when no population has that full name, the one
 * whose population name it is if only one has it ("critic" for "agent/critic"). NULL if none. */
const joint_rundir_pop *joint_rundir_find_pop(const joint_rundir *r, const char *name);
/* The environment called name, or the first when name is NULL. NULL if none. */
const joint_rundir_env *joint_rundir_find_env(const joint_rundir *r, const char *name);
const joint_rundir_state *joint_rundir_find_state(const joint_rundir *r, const char *name);

/* Spikes as the files hold them: times (ms, sorted) and neuron ids (0..n_neurons−1). */
typedef struct joint_spikes {
  double *t_ms;
  int32_t *ids;
  size_t n, n_neurons;
} joint_spikes;

/* Loads a population's <name>.spike_t.npy (float64) and .spike_i.npy (int32). Messages name
 * the file: missing, not 1-D, of another type, lengths that differ, an id outside the
 * population's size, a time that is not finite. */
int joint_rundir_spikes(const joint_rundir *r, const char *pop, joint_spikes *out, char *err,
                        size_t errlen);
/* Frees the arrays; a zeroed joint_spikes is a no-op. */
void joint_spikes_free(joint_spikes *s);

/* Loads an environment's behaviour file (checked against meta.json's rows and columns) and
 * returns the columns named (n > 0; all of them when names is NULL) as a table, and, when
 * t_ms is not NULL, a malloc'd copy of its t_ms column (rows entries). The message says when
 * t_ms is NaN: the steps were not timed by a network. */
int joint_rundir_behaviour(const joint_rundir *r, const char *env, const char *const *names,
                           size_t n, joint_table **out, double **t_ms, char *err, size_t errlen);

/* Loads a state recording: samples × ids, columns "<name>:<id>" ("E.V_m:3"), and a malloc'd
 * array of its sample times when t_ms is not NULL. */
int joint_rundir_samples(const joint_rundir *r, const char *name, joint_table **out,
                         double **t_ms, char *err, size_t errlen);

/* What joint_rundir_load assembles. */
typedef struct joint_rundir_request {
  const char *const *pops;     /* populations to bin (NULL: every population of the network
                                  that stepped the environment, its "clock", when labels are
                                  asked for; else of the first network that is no agent's) */
  size_t n_pops;
  const char *env;             /* environment (NULL: the first) */
  const char *const *columns;  /* its columns to align (NULL or n_columns 0: no labels) */
  size_t n_columns;
  const unsigned char *discrete;   /* per column: 1 last value, 0 mean (NULL: the columns
                                      soma knows are labels — episode, step, action, node,
                                      level, context, ... — are discrete, the rest continuous) */
  const char *const *states;   /* state recordings to align as extra label columns (may be
                                  NULL), after the behaviour columns */
  size_t n_states;
  joint_bin_opts bin;          /* t1 <= t0: up to the populations' network time */
  joint_before before;         /* JOINT_BEFORE_NAN */
  int crop;                    /* 1 (default): drop the bins before the first behaviour row */
} joint_rundir_request;

joint_rundir_request joint_rundir_request_defaults(void);

typedef struct joint_rundir_data {
  joint_table *x;              /* T × N: counts (after o->bin's transforms), "pop:id" columns */
  joint_table *y;              /* T × D: aligned labels, or NULL when none were asked for */
  gsl_matrix *t;               /* T × 1: bin centres, ms */
  unsigned char *has_data;     /* T: behaviour rows per bin (capped at 255); NULL without y */
  double t0_ms, bin_ms;        /* bin k is [t0 + k·bin, t0 + (k+1)·bin) after cropping */
  size_t cropped;              /* bins dropped at the start */
} joint_rundir_data;

/* Bins the populations (one clock: all in the same network), then aligns the behaviour
 * columns (and state samples) to the bins (joint_align), and crops the bins before the first
 * behaviour row. SOMA_ERR_PARAM with a message for unknown names (listing the known ones),
 * populations of different networks, or labels that cannot be put on the populations' clock
 * (the environment's "clock" is another network's or "mixed"; an agent's populations against
 * a run whose meta.json gives no clock; no t_ms at all). Environments that recorded nothing
 * (no "file" in meta.json) are not listed. */
int joint_rundir_load(const joint_rundir *r, const joint_rundir_request *q,
                      joint_rundir_data *out, char *err, size_t errlen);
void joint_rundir_data_free(joint_rundir_data *d);

/* 1 for the behaviour columns soma's worlds write as integer labels: episode, step, action
 * (a discrete action; box actions are action0, action1, ...: continuous), terminated,
 * truncated, node, level, context, changed, trial, best_arm, in_hazard, target, trial_phase,
 * clamp. Anything else (x, y, heading, reward, ...) is continuous. */
int joint_rundir_column_is_discrete(const char *name);

#endif
