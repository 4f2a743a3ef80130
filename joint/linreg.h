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

/* pred (rows of x × q) = x B + 1 bᵀ. */
int joint_linreg_predict(const joint_linreg *m, const gsl_matrix *x, gsl_matrix *pred,
                         char *err, size_t errlen);

/* NULL is a no-op. */
void joint_linreg_free(joint_linreg *m);

/* R² (joint_r2) of the affine least-squares fit of y from x, scored on the same rows:
 * scikit-learn's LinearRegression().fit(x, y).score(x, y). NAN on bad input. */
double joint_linreg_r2_in_sample(const gsl_matrix *x, const gsl_matrix *y);

#endif
