/* ridge.h — the ridge-regression decoder, the linear baseline of every decoding comparison:
 * affine ridge from neural activity (rows: time bins) to labels, the penalty chosen on a
 * validation block from a log grid, scored on held-out rows by R² and median error. */
#ifndef JOINT_RIDGE_H
#define JOINT_RIDGE_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "joint/linreg.h"

enum { JOINT_RIDGE_TRAIN = 0, JOINT_RIDGE_TRAIN_VALID = 1 };

/* The grid: n_lambdas values log-spaced from lo·scale to hi·scale, scale = trace(XcᵀXc)/p of
 * the training rows (the mean eigenvalue, so the grid follows the data's units and size; 1 if
 * the inputs are constant). The lambda whose validation R² (joint_r2) is highest wins; the
 * larger lambda on a tie. The returned model is the training fit at that lambda
 * (refit = JOINT_RIDGE_TRAIN), or a refit on training + validation rows with the same lambda
 * (JOINT_RIDGE_TRAIN_VALID). */
typedef struct joint_ridge_opts {
  double lo, hi;       /* 1e-4, 1e4 */
  int n_lambdas;       /* 17 (two per decade) */
  int refit;           /* JOINT_RIDGE_TRAIN */
} joint_ridge_opts;

joint_ridge_opts joint_ridge_defaults(void);

typedef struct joint_ridge {
  joint_linreg *model;   /* the decoder */
  double lambda;         /* the chosen penalty (absolute) */
  double scale;          /* the grid's unit, trace(XcᵀXc)/p */
  double valid_r2;       /* validation R² at the chosen lambda (of the training fit) */
  int n_lambdas, chosen; /* the grid and the index chosen */
  double *lambdas, *valid_r2s;   /* n_lambdas each: the grid and its validation R² */
  int refit;
} joint_ridge;

/* Fits labels train_y (n × q) from train_x (n × p), choosing lambda on (valid_x, valid_y).
 * o may be NULL (defaults). SOMA_ERR_PARAM for shapes, non-finite values, a bad grid (lo <= 0,
 * hi < lo, n_lambdas < 1). */
int joint_ridge_fit(const gsl_matrix *train_x, const gsl_matrix *train_y,
                    const gsl_matrix *valid_x, const gsl_matrix *valid_y,
                    const joint_ridge_opts *o, joint_ridge **out, char *err, size_t errlen);

/* pred (rows of x × q) = the decoder's prediction. */
int joint_ridge_predict(const joint_ridge *r, const gsl_matrix *x, gsl_matrix *pred, char *err,
                        size_t errlen);

/* Scores the decoder on (x, y), e.g. the test block: R² (joint_r2) and median Euclidean error
 * (joint_median_error, in the labels' units); either pointer may be NULL. */
int joint_ridge_score(const joint_ridge *r, const gsl_matrix *x, const gsl_matrix *y, double *r2,
                      double *median_error, char *err, size_t errlen);

/* NULL is a no-op. */
void joint_ridge_free(joint_ridge *r);

#endif
