/* identify.h — identifiability: how well the simulator's ground-truth latents can be read out
 * of an embedding, as R² on held-out rows, by a kNN regression (k chosen on a validation
 * block, CEBRA's decoder) and by an affine least-squares fit (trained on the training rows). */
#ifndef JOINT_IDENTIFY_H
#define JOINT_IDENTIFY_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "joint/knn.h"

/* A set of rows: idx[0..n) when idx is non-NULL, else the range [begin, end). */
typedef struct joint_rows {
  const size_t *idx;
  size_t n;
  size_t begin, end;
} joint_rows;

/* The rows [begin, end) (contiguous blocks: no leak between neighbouring time bins). */
joint_rows joint_rows_range(size_t begin, size_t end);
/* The rows idx[0..n) (interleaved blocks; idx is not copied and must outlive the call). */
joint_rows joint_rows_list(const size_t *idx, size_t n);

/* Which rows train, choose k (valid) and score (test). The three must not overlap. */
typedef struct joint_identify_split {
  joint_rows train, valid, test;
} joint_identify_split;

typedef struct joint_identify_opts {
  joint_distance distance;   /* of the kNN regression */
  const int *ks;             /* candidate k (NULL: JOINT_KNN_DEFAULT_KS, CEBRA's squares) */
  int n_ks;
  double lambda;             /* ridge penalty of the linear fit (0: ordinary least squares) */
} joint_identify_opts;

/* Euclidean distance, CEBRA's ks 1, 4, ..., 64, lambda 0. */
joint_identify_opts joint_identify_defaults(void);

typedef struct joint_identify_result {
  double knn_r2;         /* test R² of the kNN regression from the training rows */
  double knn_valid_r2;   /* its validation R² at the chosen k */
  int knn_k;             /* the chosen k */
  double linear_r2;      /* test R² of the affine fit on the training rows */
} joint_identify_result;

/* Identifiability of latents (n × q, the ground truth) from emb (n × d, the same rows): R²
 * (joint_r2, the mean over latent columns) on the test rows of (a) kNN regression from the
 * training rows with k chosen by validation R² (joint_knn_choose_k), and (b) joint_linreg
 * fitted on the training rows. The validation rows are used only to choose k. SOMA_OK, or
 * SOMA_ERR_PARAM (shapes, non-finite values, rows out of range or shared between sets, empty
 * sets) / SOMA_ERR_NOMEM with a message; *res is written only on success. */
int joint_identify(const gsl_matrix *emb, const gsl_matrix *latents, joint_identify_split split,
                   joint_identify_opts opts, joint_identify_result *res, char *err,
                   size_t errlen);

#endif
