/* linreg.h — affine least squares with an optional ridge penalty, Y ≈ X B + 1 bᵀ: the linear
 * decoder, the core of CEBRA's consistency score (R² of an affine map between embeddings), and
 * the linear identifiability fit. The intercept b is never penalised. */
#ifndef JOINT_LINREG_H
#define JOINT_LINREG_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct joint_linreg {
  size_t p, q;            /* input and output columns */
  double lambda;          /* the ridge penalty it was fitted with */
  gsl_matrix *coef;       /* B, p × q */
  gsl_vector *intercept;  /* b, q */
} joint_linreg;

/* Fits y (n × q) from x (n × p), n >= 1, minimising ‖Y − XB − 1bᵀ‖² + lambda ‖B‖²
 * (lambda >= 0).
 * Solved through the eigendecomposition of the centred XᵀX, so lambda = 0 with collinear
 * columns gives the minimum-norm solution (directions with eigenvalues below 1e-12 of the
 * largest are dropped) instead of failing. Returns SOMA_OK with *out set, or SOMA_ERR_PARAM /
 * SOMA_ERR_NOMEM with a message (non-finite values, shapes, lambda). */
int joint_linreg_fit(const gsl_matrix *x, const gsl_matrix *y, double lambda,
                     joint_linreg **out, char *err, size_t errlen);

/* The part of a fit that does not depend on lambda, made once for many lambdas (the ridge
 * decoder's validation grid): the means, the eigendecomposition of the centred XᵀX and
 * Vᵀ Xcᵀ Yc. joint_linreg_fit is joint_linreg_factor_make + joint_linreg_solve. */
typedef struct joint_linreg_factor {
  size_t n, p, q;
  gsl_vector *mean_x, *mean_y;  /* p, q */
  gsl_vector *eval;             /* eigenvalues of Xcᵀ Xc (p, >= 0 up to rounding) */
  gsl_matrix *evec;             /* V, p × p: its eigenvectors as columns */
  gsl_matrix *vty;              /* Vᵀ Xcᵀ Yc, p × q */
  double emax;                  /* the largest eigenvalue */
} joint_linreg_factor;

/* Factors x (n × p) and y (n × q) as joint_linreg_fit would; same checks and messages. */
int joint_linreg_factor_make(const gsl_matrix *x, const gsl_matrix *y,
                             joint_linreg_factor **out, char *err, size_t errlen);
/* The model for lambda >= 0: B = V diag(s) Vᵀ Xcᵀ Yc with s = 1/(e + lambda) (s = 0 for
 * directions with e <= 1e-12 · emax when lambda is 0), b = ȳ − Bᵀ x̄. */
int joint_linreg_solve(const joint_linreg_factor *f, double lambda, joint_linreg **out,
                       char *err, size_t errlen);
/* The diagonal factor s of joint_linreg_solve for eigenvalue k. */
double joint_linreg_shrink(const joint_linreg_factor *f, size_t k, double lambda);
/* NULL is a no-op. */
void joint_linreg_factor_free(joint_linreg_factor *f);

/* pred (rows of x × q) = x B + 1 bᵀ. */
int joint_linreg_predict(const joint_linreg *m, const gsl_matrix *x, gsl_matrix *pred,
                         char *err, size_t errlen);

/* NULL is a no-op. */
void joint_linreg_free(joint_linreg *m);

/* R² (joint_r2) of the affine least-squares fit of y from x, scored on the same rows:
 * scikit-learn's LinearRegression().fit(x, y).score(x, y). NAN on bad input. */
double joint_linreg_r2_in_sample(const gsl_matrix *x, const gsl_matrix *y);

#endif
