/* contrastive.h — contrastive embeddings faithful to CEBRA (Schneider, Lee & Mathis, Nature
 * 2023; release 0.6.1): an encoder (offset10/offset5 convolutional models or the offset1 MLP,
 * outputs on the unit sphere) trained by Adam on InfoNCE over batches of reference, positive
 * and negative time points — positives by time offset (CEBRA-Time), by behaviour (time_delta,
 * delta: CEBRA-Behavior) or by discrete label. Seeded and deterministic: the same seed gives
 * the same bits for any thread count. Options carry CEBRA's names and defaults. */
#ifndef JOINT_CONTRASTIVE_H
#define JOINT_CONTRASTIVE_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct joint_contrastive_options {
  const char *model_architecture; /* "offset1-model" (CEBRA's default), "offset5-model",
                                     "offset10-model", or the unnormalised "offset1-model-mse",
                                     "offset10-model-mse" */
  const char *conditional;        /* NULL: "time" without labels, "time_delta" with continuous
                                     labels (within the class when discrete labels are given
                                     too: CEBRA's mixed loader); or "time", "time_delta",
                                     "delta". With discrete labels only, positives share the
                                     class (unless "time"). */
  const char *distance;           /* "cosine" (default) or "euclidean" (φ = −‖f − q‖²/τ) */
  double temperature;             /* τ, default 1.0; the initial τ when temperature_mode is
                                     "auto" */
  const char *temperature_mode;   /* "constant" (default) or "auto" (1/τ learnt by Adam) */
  double min_temperature;         /* floor of a learnt τ, default 0.1 */
  int time_offsets;               /* default 1 (CEBRA's papers use 10) */
  double delta;                   /* σ of the "delta" conditional, in label units; default 0
                                     (CEBRA: None), required for "delta" */
  int max_iterations;             /* default 10000 */
  int batch_size;                 /* default 512. CEBRA's default None (the whole dataset
                                     each step) is not offered: its n × n similarities do not
                                     scale, and CEBRA's documentation recommends >= 512. */
  double learning_rate;           /* default 3e-4 */
  int output_dimension;           /* default 8 */
  int num_hidden_units;           /* default 32 */
  const char *prior;              /* discrete labels: "empirical" (default, uniform over time
                                     points) or "uniform" (class-balanced) */
  uint32_t seed;                  /* default 0 */
  int threads;                    /* OpenMP threads; 0 (default) = omp_get_max_threads() */
} joint_contrastive_options;

joint_contrastive_options joint_contrastive_defaults(void);

/* A fitted model. Read-only for callers. */
typedef struct joint_contrastive {
  char model_architecture[24];
  char conditional[16];   /* the sampler used: "time", "time_delta", "delta", "discrete",
                             "mixed" */
  char distance[12];
  int n_neurons, num_hidden_units, output_dimension;
  int offset_left, offset_right;  /* output t sees input rows t − left .. t + right − 1 */
  double temperature;             /* the τ of the last step (learnt with "auto") */
  uint32_t seed;
  int iterations;                 /* Adam steps taken */
  double fit_seconds;             /* wall time of the fit (informational; scorecards report
                                     fit_seconds / iterations × 1000) */
  double *loss;                   /* InfoNCE of each step's batch, iterations values (nats;
                                     chance level with a constant embedding is log batch) */
  size_t n_params;
  float *params;                  /* the encoder, in the padded layout of joint/nn.h */
} joint_contrastive;

/* Called after each Adam step with the step count (1, 2, ...) and the batch's loss; return
 * nonzero to stop early. */
typedef int (*joint_contrastive_progress)(int iteration, double loss, void *user);

/* Fits an encoder to x (T time bins × N neurons, e.g. spike counts), with optional continuous
 * labels (T × D behaviour, standardise them to similar scales: positives are found by
 * Euclidean distance in label space) and optional discrete labels (T). opt NULL = defaults.
 * Windows near the ends are moved inwards as CEBRA does (a reference at t uses rows
 * [t − left, t + right) with t clamped to [left, T − right]). Returns SOMA_OK with *out set;
 * SOMA_INTERRUPTED with *out set to the model so far when progress asked to stop;
 * SOMA_ERR_PARAM / SOMA_ERR_NOMEM / SOMA_ERR_NUMERIC with a message and *out NULL. */
int joint_contrastive_fit(const gsl_matrix *x, const gsl_matrix *labels,
                          const gsl_vector_int *discrete, const joint_contrastive_options *opt,
                          joint_contrastive_progress progress, void *user,
                          joint_contrastive **out, char *err, size_t errlen);

/* out (T × output_dimension) = the embedding of every row of x (T × n_neurons, any T >= 1):
 * the network runs over x padded by replicating its first row offset_left times and its last
 * row offset_right − 1 times, as CEBRA's transform does. Same bits for any thread count. */
int joint_contrastive_transform(const joint_contrastive *m, const gsl_matrix *x,
                                gsl_matrix *out, char *err, size_t errlen);

/* Writes the model to path (binary, versioned, CRC-32 checked; little-endian floats as in
 * memory). Loading gives a model whose transform is bitwise the same. */
int joint_contrastive_save(const joint_contrastive *m, const char *path, char *err,
                           size_t errlen);

/* Reads a model written by joint_contrastive_save; refuses (SOMA_ERR_IO with a message) a
 * missing, truncated, corrupt or other-version file. */
int joint_contrastive_load(const char *path, joint_contrastive **out, char *err, size_t errlen);

/* NULL is a no-op. */
void joint_contrastive_free(joint_contrastive *m);

#endif
