/* two_state.h — the linear state-space models of motor adaptation (Smith, Ghazizadeh &
 * Shadmehr 2006), NON-SPIKING reference learners: simulating a protocol trial by trial and
 * fitting the two-state (or the one-state) model to a measured trial-by-trial output.
 *
 *   soma_two_state m = soma_two_state_smith2006();         A_f 0.92, B_f 0.03, A_s 0.996, B_s 0.004
 *   soma_two_state_simulate(&m, f, clamp, n, x, NULL, NULL, err, sizeof err);
 *   soma_two_state_fit(f, clamp, y, n, &opts, &fit, err, sizeof err);    fit.m, fit.r2, ...
 *
 * On trial n the output is x(n) = x_f(n) + x_s(n), the error e(n) = f(n) - x(n) (0 in an
 * error-clamp trial), and then
 *   x_f(n+1) = A_f x_f(n) + B_f e(n),   x_s(n+1) = A_s x_s(n) + B_s e(n),
 * from x_f(1) = x_s(1) = 0. The one-state model x(n+1) = A x(n) + B e(n) is the same struct with
 * a_f = A, b_f = B and a_s = b_s = 0. f is the perturbation in the output's units (1 for the
 * full perturbation, -1 for the counter-perturbation). */
#ifndef SOMA_AGENTS_TWO_STATE_H
#define SOMA_AGENTS_TWO_STATE_H

#include <stddef.h>

typedef struct soma_two_state {
  double a_f, b_f;   /* retention and learning rate of the fast state (or of the one state) */
  double a_s, b_s;   /* of the slow state (0 and 0: the one-state model) */
} soma_two_state;

/* The published fits: two states 0.92, 0.03, 0.996, 0.004; one state A 0.99, B 0.013. */
soma_two_state soma_two_state_smith2006(void);
soma_two_state soma_one_state_smith2006(void);

/* One trial: returns the output x = *fast + *slow before it, then updates the states with the
 * error f - x (0 when clamp is nonzero). */
double soma_two_state_trial(const soma_two_state *m, double *fast, double *slow, double f,
                            int clamp);

/* Runs n trials of perturbation f[n] (clamp[n] nonzero: error clamp; clamp may be NULL) from
 * zero states: out[n] the outputs, fast[n] and slow[n] (each may be NULL) the states on each
 * trial. SOMA_OK, or SOMA_ERR_PARAM with a message (a value not finite, n = 0). */
int soma_two_state_simulate(const soma_two_state *m, const double *f, const unsigned char *clamp,
                            size_t n, double *out, double *fast, double *slow, char *err,
                            size_t len);

typedef struct soma_two_state_fit_opts {
  int states;         /* 2 (default) or 1 */
  int max_iter;       /* per start (default 200) */
} soma_two_state_fit_opts;

soma_two_state_fit_opts soma_two_state_fit_defaults(void);

typedef struct soma_two_state_fitted {
  soma_two_state m;   /* the fit (a_s = b_s = 0 for one state) */
  int states;
  size_t n;           /* trials with a measured output (finite y) */
  double sse;         /* sum of squared residuals */
  double rmse;        /* sqrt(sse / n) */
  double r2;          /* 1 - sse / (sum of (y - mean y)^2) */
  int starts;         /* starting points tried */
} soma_two_state_fitted;

/* Fits the model to the measured outputs y[n] (NaN: not measured, left out) of a protocol
 * f[n], clamp[n] (clamp may be NULL) by least squares on the outputs, under the constraints
 * 0 < A_f < A_s < 1 and 0 < B_s < B_f < 1 (one state: 0 < A, B < 1). The parameters are
 * mapped to unconstrained ones (logistic functions), and GSL's trust-region Levenberg-Marquardt
 * (gsl_multifit_nlinear, exact Jacobian by forward sensitivities) runs from a fixed grid of
 * starts (36 for two states, 9 for one); the best is kept. Deterministic. SOMA_OK, or
 * SOMA_ERR_PARAM with a message (n too small, fewer measured outputs than 2 x the parameters,
 * values not finite), SOMA_ERR_NUMERIC when no start converged to a finite fit. */
int soma_two_state_fit(const double *f, const unsigned char *clamp, const double *y, size_t n,
                       const soma_two_state_fit_opts *o, soma_two_state_fitted *out, char *err,
                       size_t len);

#endif
