/* fit.h — soma fit and soma.joint.fit: the joint brain–behaviour scorecard of binned spikes and
 * behaviour (read from a run directory, from plain .npy/CSV files or from a script's arrays):
 * an embedding model fitted once per seed, decoders of the behaviour, and the trust metrics —
 * consistency across seeds, identifiability of every latent, robustness to perturbations, CKA,
 * RSA and the Procrustes angle — written as scorecard.json, PNG figures and, on request, the
 * exact data, split and embeddings as .npy and CSV, so a peer (CEBRA) can be run on them.
 *
 *   fit_data d;   fit_data_rundir("runs/x", &dopts, &d, err, sizeof err);
 *   fit_result r; fit_run(&d, &opts, &r, err, sizeof err);
 *   fit_write(&r, "runs/x/fit-pca-...", export, err, sizeof err);   // scorecard, figures, files
 *   fit_result_free(&r); fit_data_free(&d);
 */
#ifndef SOMA_FIT_H
#define SOMA_FIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_matrix.h>

#include "joint/io.h"
#include "joint/knn.h"
#include "joint/split.h"

/* A failure caused by what the user named (a directory, population, environment, column or
 * model that is not there): a usage error, exit status 2. */
#define FIT_ERR_USAGE (-1000)

/* ---- the data (app/fit_data.c) ----------------------------------------------------------- */

/* What is fitted: T rows (time bins) of spike counts, behaviour and other latents. */
typedef struct fit_data {
  joint_table *x;                 /* T × N spike counts per bin, columns "pop:i" (or the file's) */
  joint_table *y;                 /* T × D behaviour: what is decoded ("x", "y", ...) */
  joint_table *latents;           /* T × q other ground-truth latents, or NULL */
  unsigned char *discrete;        /* q: 1 for an integer label (node, level, ...) */
  gsl_matrix *t;                  /* T × 1 bin centres in ms, or NULL (plain files) */
  double bin_ms;                  /* NaN when not known (plain files) */
  char *source;                   /* "run directory runs/x" or "files x.npy, y.csv" */
  char *env;                      /* the environment the behaviour is of (or NULL) */
  char **pops;                    /* the populations binned, n_pops (NULL for files) */
  size_t n_pops;
  size_t bins, dropped_held;      /* bins binned; bins dropped for held behaviour */
  double max_hold_ms;             /* the limit applied (NaN: none) */
} fit_data;

/* How a run directory becomes fit_data. */
typedef struct fit_data_opts {
  const char *const *pops;        /* populations (NULL: those of the network that stepped the
                                     environment) */
  size_t n_pops;
  const char *env;                /* NULL: the first recording environment */
  const char *behaviour;          /* columns "x,y", or "position" (the default): the world's
                                     position columns */
  const char *latents;            /* columns, "" for none, NULL: every other latent column */
  double bin_ms;                  /* 25 */
  double max_hold_ms;             /* bins whose last behaviour row is at least this much
                                     older than the bin's start are dropped (the agent's
                                     silent and replay periods); NaN (default): the median
                                     interval between behaviour rows; inf: keep every bin */
} fit_data_opts;

fit_data_opts fit_data_defaults(void);

/* Reads, bins and aligns a run directory (joint/rundir.h). FIT_ERR_USAGE with a message for
 * a missing directory, an unknown population, environment or column (with "did you mean"), a
 * world without position columns; SOMA_ERR_* for no spikes, no behaviour, damaged files, no
 * bins left. */
int fit_data_rundir(const char *dir, const fit_data_opts *o, fit_data *out, char *err,
                    size_t errlen);

/* Reads plain files: x (T × N, .npy or .csv), behaviour y (T × D) and optionally latents
 * (T × q), the same T rows; bin_ms may be NaN. Column names come from CSV headers (.npy:
 * "x0", ... for x, "y0", ... for y, "latent0", ... for latents). */
int fit_data_files(const char *x_path, const char *y_path, const char *latents_path,
                   double bin_ms, fit_data *out, char *err, size_t errlen);

/* Makes fit_data of matrices the caller hands over (taken on success, the caller's on failure;
 * latents may be NULL); names may be NULL. Non-finite data or behaviour is refused (naming the
 * row and column). */
int fit_data_make(gsl_matrix *x, const char *const *x_names, gsl_matrix *y,
                  const char *const *y_names, gsl_matrix *latents,
                  const char *const *latent_names, double bin_ms, const char *source,
                  fit_data *out, char *err, size_t errlen);

/* Drops the rows whose behaviour holds NaN or inf (say how many in *dropped). */
int fit_data_drop_nonfinite(fit_data *d, size_t *dropped, char *err, size_t errlen);

void fit_data_free(fit_data *d);

/* ---- the models (app/fit_models.c) ------------------------------------------------------- */

typedef struct fit_opts fit_opts;

/* An embedding model: fitted on the training rows of x (T × N, the transformed counts; y the
 * behaviour, for supervised models), it embeds every row into T × dims. */
typedef struct fit_model {
  const char *name;               /* "pca" */
  const char *about;              /* one line for --help and the scorecard */
  int iterative;                  /* trained for opts.iterations steps ... */
  int default_iterations;         /* ... this many when opts.iterations is 0 */
  int deterministic;              /* every seed gives the same embedding */
  joint_distance distance;        /* of the kNN decoder on its embedding */
  int (*embed)(const gsl_matrix *x, const gsl_matrix *y, const joint_split *split,
               const fit_opts *o, uint32_t seed, gsl_matrix **emb, char *err, size_t errlen);
} fit_model;

/* The model called name, or NULL. */
const fit_model *fit_model_find(const char *name);
/* The same, or FIT_ERR_USAGE with "unknown model 'pcaa' (did you mean 'pca'?); the models:
 * ..." in err. */
int fit_model_lookup(const char *name, const fit_model **out, char *err, size_t errlen);
/* Every model, NULL-terminated. */
const fit_model *const *fit_models(void);
/* "pca, contrastive, ..." into buf. */
const char *fit_model_names(char *buf, size_t len);

/* ---- the scorecard (app/fit_score.c) ----------------------------------------------------- */

enum { FIT_SPLIT_CEBRA = 1, FIT_SPLIT_INTERLEAVED = 10 };
enum { FIT_ROBUST_NONE, FIT_ROBUST_EMBEDDING, FIT_ROBUST_DATA };

struct fit_opts {
  const char *model;              /* "pca" */
  int seeds;                      /* 5 */
  uint32_t seed;                  /* the first seed (0): seed, seed + 1, ... */
  int dims;                       /* 3 */
  int iterations;                 /* iterative models' training steps (0: the model's) */
  int split;                      /* FIT_SPLIT_CEBRA (80/20, valid the last 12.5 % of the
                                     rest) or FIT_SPLIT_INTERLEAVED (10 blocks, every 5th test) */
  int sqrt;                       /* the model and data decoders see √counts */
  double smooth_bins;             /* and counts smoothed by a Gaussian of this sd (0: none) */
  const char *decoders;           /* "knn,ridge" (default): decoders of the behaviour; "knn"
                                     is on the embedding, the others on the binned spikes */
  int robustness;                 /* FIT_ROBUST_EMBEDDING */
  int threads;                    /* OpenMP threads (0: as set) */
  int quiet;                      /* no progress */
  FILE *progress;                 /* where progress goes (stderr) */
};

fit_opts fit_opts_defaults(void);

/* One seed's embedding and what was measured on it. */
typedef struct fit_seed {
  uint32_t seed;
  gsl_matrix *emb;                /* T × dims */
  double fit_seconds;
  double knn_r2, knn_median_error, knn_valid_r2;
  int knn_k;
  double *ident_knn, *ident_linear;   /* per identified latent */
  double cka, cka_rbf, rsa, procrustes;
} fit_seed;

/* A decoder's score on the test rows. */
typedef struct fit_decoder {
  char name[32];                  /* "knn", "ridge" */
  char on[64];                    /* "embedding", "binned spikes" */
  double r2, median_error;        /* mean over seeds when on the embedding */
  double param;                   /* k or lambda */
  char param_name[16];
} fit_decoder;

/* A decoder of the behaviour from the binned spikes (app/fit_decoders.c): trained on the
 * training rows (hyperparameters chosen on the validation rows), it predicts the test rows. */
typedef struct fit_decoder_in {
  const gsl_matrix *counts;       /* T × N spike counts */
  const gsl_matrix *xt;           /* T × N as the model sees them (fit_opts' transform) */
  const gsl_matrix *y;            /* T × D behaviour */
  const joint_split *split;
} fit_decoder_in;

typedef struct fit_decoder_def {
  const char *name, *on, *param_name;   /* "ridge", "binned spikes", "lambda" ("" for none) */
  int (*decode)(const fit_decoder_in *in, gsl_matrix *pred, double *param, char *err,
                size_t errlen);   /* pred: test rows × D */
} fit_decoder_def;

/* The decoder called name ("ridge", "kalman", "glm_bayes"; "knn" is on the embedding and not
 * in this table), or NULL. */
const fit_decoder_def *fit_decoder_find(const char *name);
/* "knn, ridge, kalman, glm_bayes" into buf. */
const char *fit_decoder_names(char *buf, size_t len);
/* FIT_ERR_USAGE naming the first unknown decoder of a comma-separated list, else SOMA_OK. */
int fit_decoders_check(const char *list, char *err, size_t errlen);
/* Trains def and scores its test-row predictions into out (R², median error, param). */
int fit_decode(const fit_decoder_def *def, const fit_decoder_in *in, fit_decoder *out,
               char *err, size_t errlen);

#define FIT_MAX_DECODERS 8
#define FIT_MAX_PERTURB 8

typedef struct fit_result {
  const fit_data *data;
  fit_opts opts;
  const fit_model *model;
  gsl_matrix *counts;             /* T × n_active: the neurons that fire in some row (a silent
                                     neuron's column is all zeros and adds nothing) */
  size_t n_active;
  joint_split split;
  size_t n_seeds;
  fit_seed *seeds;
  gsl_matrix *consistency;        /* seeds × seeds R² (NaN diagonal), NULL for one seed */
  double consistency_mean;
  /* identifiability: the behaviour columns, then the latents that are not constant */
  size_t n_ident;
  char **ident_names;
  unsigned char *ident_discrete;
  char *skipped;                  /* "context (constant), ..." or NULL */
  int n_decoders;
  fit_decoder decoders[FIT_MAX_DECODERS];
  size_t *test_rows, n_test;      /* the test rows ... */
  gsl_matrix *test_pred;          /* ... and seed 0's kNN decoding of them (n_test × D) */
  int n_perturb;
  char perturb_name[FIT_MAX_PERTURB][24];
  double perturb_r2[FIT_MAX_PERTURB];
  char robustness_on[160];
  char robustness_skipped[1024];  /* the perturbations that could not be measured, and why */
  char transform[64];             /* "counts", "sqrt counts, smoothed (sigma 2 bins)" */
  double wall_seconds;
} fit_result;

/* kNN decoding of y (T × D) from emb (T × d): k chosen among 1, 4, ..., 64 on the validation
 * rows, the test rows predicted from the training rows; R², median error, k, the validation
 * R², and the predictions (test rows × D) when pred_out is not NULL. */
int fit_knn_decode(const gsl_matrix *emb, const gsl_matrix *y, const joint_split *s,
                   joint_distance dist, double *r2, double *median_error, int *k_out,
                   double *valid_r2, gsl_matrix **pred_out, char *err, size_t errlen);

/* Fits the model for every seed and measures the scorecard. SOMA_ERR_* with a message for an
 * unknown model, too few rows for the split, dims out of range, or a model's failure. */
int fit_run(const fit_data *d, const fit_opts *o, fit_result *out, char *err, size_t errlen);
void fit_result_free(fit_result *r);

/* The mean of the per-seed values of a fit_seed field. */
double fit_seed_mean(const fit_result *r, size_t offset);
#define FIT_MEAN(r, field) fit_seed_mean(r, offsetof(fit_seed, field))
/* The mean over seeds of identifiability entry e: kNN R² (linear 0) or linear R² (1). */
double fit_ident_mean(const fit_result *r, size_t e, int linear);

/* ---- the outputs (app/fit_report.c, fit_figures.c, fit_export.c) ------------------------- */

/* scorecard.json into f. */
void fit_report_json(const fit_result *r, FILE *f);
/* The four figures into dir: embedding.png, decoding.png, consistency.png, metrics.png. */
int fit_figures(const fit_result *r, const char *dir, char *err, size_t errlen);
/* x, behaviour, latents, t, split and embedding_seed<k> as .npy and .csv into dir. */
int fit_export(const fit_result *r, const char *dir, char *err, size_t errlen);
/* scorecard.json, the figures and (export) the files into dir, which must exist. */
int fit_write(const fit_result *r, const char *dir, int export, char *err, size_t errlen);

/* The default output folder of a fit of model into parent: parent/fit-<model>-<date>-<time>
 * (made, never an existing one), into out. 0 or -1 with a message. */
int fit_out_dir(const char *parent, const char *model, char *out, size_t len, char *err,
                size_t errlen);

#endif
