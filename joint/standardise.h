/* standardise.h — labels (or any columns) to zero mean and unit standard deviation, with the
 * mean and sd taken from the training rows only and applied to every row, so nothing about
 * the validation or test rows leaks into the fit (scikit-learn's StandardScaler, ddof = 0). */
#ifndef JOINT_STANDARDISE_H
#define JOINT_STANDARDISE_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "joint/split.h"

typedef struct joint_standardise {
  size_t d;                 /* columns */
  double *mean, *sd;        /* per column, over the training rows (sd with ddof = 0) */
  unsigned char *constant;  /* 1: sd 0 on the training rows (<= 1e-12 · max(1, |mean|)); such
                               a column is left as it is by apply and invert */
  size_t n_constant;
  size_t rows;              /* training rows it was fitted on */
} joint_standardise;

/* Fits the mean and sd of every column of y over the rows split marks JOINT_TRAIN (all rows
 * when split is NULL). SOMA_ERR_PARAM if y and split differ in rows, there are no training
 * rows, or a training row holds NaN or inf (named by row and column). */
int joint_standardise_fit(const gsl_matrix *y, const joint_split *split,
                          joint_standardise **out, char *err, size_t errlen);
/* y ← (y − mean)/sd per column, every row, in place (constant columns unchanged). */
int joint_standardise_apply(const joint_standardise *s, gsl_matrix *y, char *err,
                            size_t errlen);
/* y ← y·sd + mean: back to the original units (e.g. a decoder's predictions). */
int joint_standardise_invert(const joint_standardise *s, gsl_matrix *y, char *err,
                             size_t errlen);
/* NULL is a no-op. */
void joint_standardise_free(joint_standardise *s);

/* Says which columns were constant: "column 'reward' is constant on the 7000 training rows
 * (sd 0): left as it is" (names may be NULL: "column 3"; several are listed together).
 * Returns n_constant; buf is "" when 0. */
size_t joint_standardise_note(const joint_standardise *s, const char *const *names, char *buf,
                              size_t len);

#endif
