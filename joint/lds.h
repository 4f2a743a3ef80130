/* lds.h — the linear dynamical system as an unsupervised latent model of population activity:
 *   x_{t+1} = A x_t + w,  w ~ N(0, Q);   y_t = C x_t + d + v,  v ~ N(0, R);   x_0 ~ N(μ0, V0),
 * fitted by EM (Shumway & Stoffer 1982; Ghahramani & Hinton 1996): a Kalman filter and RTS
 * smoother give the E-step, the M-step is closed form. Initialised by probabilistic PCA; the
 * log-likelihood is recorded each iteration and checked never to fall. */
#ifndef JOINT_LDS_H
#define JOINT_LDS_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct joint_lds_options {
  size_t latents;     /* q >= 1; default 3 */
  int diagonal_r;     /* 1: R diagonal (factor-analysis noise), 0: full; default 1 */
  int sqrt_counts;    /* 1: model √y (counts >= 0), in fitting and inference; default 0 */
  int max_iter;       /* EM iterations at most; default 500 */
  double tol;         /* stop when the log-likelihood rises by less than tol × |log-lik|;
                       * default 1e-9 */
  double floor;       /* R_ii >= floor × (variance of column i, or the mean variance if it is
                       * 0), so silent units keep R positive definite; default 1e-6 */
} joint_lds_options;

joint_lds_options joint_lds_defaults(void);

typedef struct joint_lds {
  size_t q, p;                 /* latents, observed columns */
  joint_lds_options options;
  gsl_matrix *A, *Q;           /* q × q */
  gsl_matrix *C;               /* p × q */
  gsl_vector *d;               /* p */
  gsl_matrix *R;               /* p × p (diagonal when diagonal_r) */
  gsl_vector *mu0;             /* q */
  gsl_matrix *V0;              /* q × q */
  gsl_vector *loglik;          /* log-likelihood of the data at each iteration's parameters
                                * (entry k: after k M-steps; the last is the returned model) */
  int iterations;              /* entries of loglik */
  int converged;               /* 1 if the tolerance was met */
  int decreases;               /* iterations whose log-likelihood fell by more than round-off
                                * (1e-9 relative): 0 for a correct EM */
  double max_decrease;         /* the largest relative fall seen (0 if none) */
} joint_lds;

/* Fits the model to y (T × p, T >= 3, finite; counts >= 0 with sqrt_counts). opt may be NULL.
 * Time O(T p² + iterations × T (p q + q³)), memory O(p² + T q²). Returns SOMA_OK with *out,
 * or SOMA_ERR_PARAM / SOMA_ERR_NOMEM / SOMA_ERR_NUMERIC with a message. */
int joint_lds_fit(const gsl_matrix *y, const joint_lds_options *opt, joint_lds **out, char *err,
                  size_t errlen);

/* NULL is a no-op. */
void joint_lds_free(joint_lds *m);

/* Latents of y (T × p, the model's columns and transform) under the model's parameters:
 * filtered (T × q, causal: E[x_t | y_0..y_t]) and smoothed (T × q: E[x_t | all y]); either may
 * be NULL. loglik (may be NULL) receives log p(y). The parameters are read from the struct,
 * so they may be set by hand. Returns SOMA_OK, or SOMA_ERR_PARAM / SOMA_ERR_NOMEM /
 * SOMA_ERR_NUMERIC (a covariance not positive definite) with a message. */
int joint_lds_infer(const joint_lds *m, const gsl_matrix *y, gsl_matrix *filtered,
                    gsl_matrix *smoothed, double *loglik, char *err, size_t errlen);

#endif
