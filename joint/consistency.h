/* consistency.h — CEBRA's consistency score: the R² of an affine least-squares map from one
 * embedding to another, fitted and scored on the same rows, for every ordered pair (both
 * directions). Between runs the embeddings share their rows; between datasets (agents,
 * animals) they are first aligned on a behaviour label binned into common bins. */
#ifndef JOINT_CONSISTENCY_H
#define JOINT_CONSISTENCY_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* Consistency between k >= 2 runs on the same data: emb[i] is n × d_i (same n for all, the
 * widths may differ). scores (k × k, or NULL) gets R²(emb[i] → emb[j]) at (i, j) —
 * joint_linreg_r2_in_sample, i.e. scikit-learn's LinearRegression().fit(i, j).score(i, j) —
 * and NAN on the diagonal; *mean (or NULL) the mean of the k(k − 1) off-diagonal scores.
 * This is cebra.sklearn.metrics.consistency_score(between="runs"). SOMA_OK, or
 * SOMA_ERR_PARAM / SOMA_ERR_NOMEM with a message. */
int joint_consistency_runs(const gsl_matrix *const *emb, size_t k, gsl_matrix *scores,
                           double *mean, char *err, size_t errlen);

typedef struct joint_label_align_opts {
  size_t n_bins;   /* bin edges per label column, linspace(min, max, n_bins); >= 2 */
  int normalize;   /* divide each bin's mean embedding by its L2 norm */
} joint_label_align_opts;

/* n_bins 100, normalize 1: CEBRA's align_embeddings defaults. */
joint_label_align_opts joint_label_align_defaults(void);

/* CEBRA's label alignment (helpers.py::align_embeddings), for k >= 1 embeddings emb[i]
 * (n_i × d_i) with labels[i] (n_i × D, the same D >= 1 for all; rows may differ between i).
 * Per label column, the edges are linspace(lo, hi, n_bins) with lo, hi the minimum and maximum
 * over all k label sets, and a value's digit is the number of edges <= it (numpy.digitize:
 * 1 .. n_bins, the maximum alone gets n_bins). For each bin b = 1 .. n_bins − 1 (for D > 1,
 * each tuple of such bins, the first column varying slowest) the aligned row is the mean of
 * the embedding rows whose digits are all within tol of b, with tol = 0, else 1, else 2 (the
 * first that holds any row), then L2-normalised if o.normalize. aligned[i] receives a new
 * (n_bins − 1)^D × d_i matrix (the caller frees it). Fails with a message naming the dataset
 * and the bin if no row is within 2 bins, if a label column is constant over all datasets,
 * or if a bin mean is zero and normalize is on. Non-finite values are rejected (CEBRA drops
 * NaN rows instead). For D = 1 this is CEBRA's function exactly (CEBRA accepts only D = 1). */
int joint_consistency_align(const gsl_matrix *const *emb, const gsl_matrix *const *labels,
                            size_t k, joint_label_align_opts o, gsl_matrix **aligned, char *err,
                            size_t errlen);

/* Consistency between datasets (cebra...consistency_score(between="datasets")): the k >= 2
 * embeddings are aligned with joint_consistency_align, then every ordered pair (i, j) from
 * different datasets is scored by R²(aligned i → aligned j). ids[i] names the dataset of
 * emb[i] (NULL: all different); at least 2 distinct ids. scores (k × k, or NULL) gets the
 * pair scores, NAN on the diagonal and between embeddings of one dataset. *mean (or NULL) is
 * CEBRA's summary: scores averaged per ordered pair of dataset ids, then the mean of those
 * averages (4 animals, one embedding each: the mean of 12 scores). */
int joint_consistency_datasets(const gsl_matrix *const *emb, const gsl_matrix *const *labels,
                               const int *ids, size_t k, joint_label_align_opts o,
                               gsl_matrix *scores, double *mean, char *err, size_t errlen);

#endif
