/* glm.h — the Poisson GLM encoder (Pillow et al. 2008 style): for each neuron, the count in
 * bin t is Poisson with log mean  β0 + Φ(b_t)ᵀβ + Σ_j h_j f_j(t),  Φ a Gaussian radial basis
 * over the behaviour b_t and f_j the neuron's own recent counts through lag or raised-cosine
 * kernels. Fitted by IRLS with a ridge penalty, in parallel over neurons; gives per-neuron
 * tuning maps, deviance explained, and the rates the Bayesian decoder (bayes_decode.h) uses. */
#ifndef JOINT_GLM_H
#define JOINT_GLM_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef enum {
  JOINT_GLM_LAGS,           /* term j = the count at lag j + 1 (span = history) */
  JOINT_GLM_RAISED_COSINE   /* term j = raised-cosine bump over lags 1..span, log-spaced */
} joint_glm_history;

typedef struct joint_glm_options {
  size_t grid;                 /* RBF centres per behaviour column, on a regular grid spanning
                                * the training range (grid^d centres in all); default 5 */
  double width;                /* RBF σ in grid spacings along each column; default 1 */
  const gsl_matrix *centres;   /* or given centres, k × d (NULL: the grid) ... */
  const gsl_vector *widths;    /* ... with their σ per behaviour column (d values) */
  size_t history;              /* history terms; default 0 */
  joint_glm_history history_basis;   /* default JOINT_GLM_LAGS */
  size_t history_span;         /* lags the raised cosines cover; default 20 */
  double ridge;                /* λ of the penalty ½ λ ‖β, h‖² (β0 is not penalised) added to
                                * the negative log-likelihood summed over bins; default 1 */
  int max_iter;                /* IRLS iterations at most; default 50 */
  double tol;                  /* stop when the penalised deviance changes by less than
                                * tol × (|deviance| + 0.1) (R's glm rule); default 1e-8 */
} joint_glm_options;

joint_glm_options joint_glm_defaults(void);

typedef struct joint_glm {
  size_t n;                    /* neurons */
  size_t d;                    /* behaviour columns (0: history and intercept only) */
  size_t k;                    /* RBF basis functions */
  size_t h;                    /* history terms */
  size_t p;                    /* coefficients per neuron: 1 + k + h */
  size_t span;                 /* lags the history terms reach back */
  double ridge;
  gsl_matrix *centres;         /* k × d (NULL when k = 0) */
  gsl_vector *widths;          /* d */
  gsl_vector *lo, *hi;         /* d: the range of the training behaviour */
  gsl_matrix *kernels;         /* h × span: weight of lag l + 1 in history term j (or NULL) */
  gsl_matrix *coef;            /* n × p: row i = [β0, β_1..β_k, h_1..h_h] of neuron i */
  gsl_matrix *history_mean;    /* n × h: each history term's mean over the training bins */
  int *iterations;             /* n: weighted least-squares solves */
  int *converged;              /* n: 1 if the tolerance was met within max_iter */
  int *silent;                 /* n: 1 if the neuron has no spikes in training (see fit) */
  gsl_vector *deviance;        /* n: 2 Σ [y log(y/μ) − (y − μ)] on the training bins */
  gsl_vector *null_deviance;   /* n: the same for the intercept-only model μ = ȳ */
  gsl_vector *deviance_explained; /* n: 1 − deviance / null deviance (0 if the null is 0) */
  gsl_vector *loglik;          /* n: Σ [y log μ − μ − log y!] on the training bins */
} joint_glm;

/* Fits one GLM per column of counts (T × n, counts per bin >= 0, whole or not) with the
 * behaviour (T × d, the same bins; NULL or d = 0 for none). Counts before the first bin count
 * as 0 in the history terms. IRLS starts from μ = y + 0.1 (as R's glm) and halves a step
 * that would raise the penalised deviance. A neuron with no spikes gets the defined result
 * β0 = log(0.5 / T) (half a spike over the data), every other coefficient 0, silent = 1,
 * deviance explained 0, iterations 0. Deterministic, the same for any thread count. Time
 * O(iterations × T p²) per neuron, memory T (k + threads × (h + 3)) doubles. Returns SOMA_OK
 * with *out, or SOMA_ERR_PARAM / SOMA_ERR_NOMEM with a message. opt may be NULL. */
int joint_glm_fit(const gsl_matrix *behaviour, const gsl_matrix *counts,
                  const joint_glm_options *opt, joint_glm **out, char *err, size_t errlen);

/* NULL is a no-op. */
void joint_glm_free(joint_glm *m);

/* phi (T × k) ← the RBF basis of the model at the behaviour rows (T × d). */
int joint_glm_basis(const joint_glm *m, const gsl_matrix *behaviour, gsl_matrix *phi,
                    char *err, size_t errlen);

/* rates (T × n) ← the mean count per bin of every neuron given the behaviour (T × d; NULL if
 * d = 0) and, for the history terms, the observed counts (T × n, the same bins; counts before
 * the first row count as 0). counts = NULL puts every history term at its training mean. */
int joint_glm_rate(const joint_glm *m, const gsl_matrix *behaviour, const gsl_matrix *counts,
                   gsl_matrix *rates, char *err, size_t errlen);

/* ll (n) ← each neuron's log-likelihood Σ_t [y log μ − μ − log y!] of counts (T × n) under the
 * model, history from those counts: the held-out score of a fit. */
int joint_glm_loglik(const joint_glm *m, const gsl_matrix *behaviour, const gsl_matrix *counts,
                     gsl_vector *ll, char *err, size_t errlen);

/* The tuning maps: rates (G × n) ← exp(β0 + Φ(b)ᵀβ) at the behaviour points (G × d), i.e.
 * the mean count per bin with every history term at 0 (no recent spikes). */
int joint_glm_tuning(const joint_glm *m, const gsl_matrix *points, gsl_matrix *rates, char *err,
                     size_t errlen);

/* *grid (per^d × d) ← the regular grid of per points from lo[j] to hi[j] along each column
 * (per = 1: the midpoint); column 0 varies fastest. */
int joint_glm_grid(const gsl_vector *lo, const gsl_vector *hi, size_t per, gsl_matrix **grid,
                   char *err, size_t errlen);

#endif
