/* kalman.h — the Kalman-filter decoder of Wu et al. 2006, the classic brain–computer-interface
 * baseline: behaviour x_t (position, velocity, ...) follows x_{t+1} = A x_t + a + w, w ~ N(0, Q),
 * and the neural counts follow y_t = H x_t + c + v, v ~ N(0, R). A, a, Q, H, c, R come from
 * least squares on training pairs; decoding is causal (x̂_t uses y_0..y_t only), as a batch
 * over a matrix or one bin at a time from inside an agent, with no allocation per bin. */
#ifndef JOINT_KALMAN_H
#define JOINT_KALMAN_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct joint_kalman_options {
  double ridge;       /* ridge penalty of the observation fit y ~ x (0: least squares) */
  int sqrt_counts;    /* 1: observations are √y (counts must be >= 0), in fitting and decoding */
  int steady_state;   /* 1: decode with the steady-state gain (the Riccati limit) */
  double floor;       /* R, Q and the initial covariance get floor × (mean of their diagonal,
                       * or 1 if that is 0) added to the diagonal, so they are positive
                       * definite even for silent neurons, N > T or exact dynamics */
} joint_kalman_options;

/* ridge 0, sqrt_counts 0, steady_state 0, floor 1e-6. */
joint_kalman_options joint_kalman_defaults(void);

typedef struct joint_kalman {
  size_t d, n;            /* state columns (behaviour), observation columns (neurons) */
  joint_kalman_options options;
  gsl_matrix *A;          /* d × d */
  gsl_vector *a;          /* d: dynamics offset */
  gsl_matrix *Q;          /* d × d, floored */
  gsl_matrix *H;          /* n × d */
  gsl_vector *c;          /* n: observation offset */
  gsl_matrix *R;          /* n × n, floored */
  gsl_vector *mu0;        /* d: the initial state = mean of the training states */
  gsl_matrix *P0;         /* d × d: the initial covariance = their covariance, floored */
  gsl_matrix *RinvH;      /* n × d: R⁻¹ H, precomputed for the update */
  gsl_matrix *M;          /* d × d: Hᵀ R⁻¹ H */
  gsl_matrix *P_ss;       /* d × d posterior covariance of the steady state, or NULL */
  int ss_iterations;      /* Riccati iterations it took (0 without steady_state) */
} joint_kalman;

/* Fits the model from training states x (T × d) and observations y (T × n) of the same bins,
 * T >= 3: [A a] by least squares of x_{t+1} on x_t, Q their residual covariance (divided by
 * T − 1); [H c] by (ridge) least squares of y_t on x_t, R its residual covariance (divided by
 * T); the floor (options) is then added to R, Q and P0. Pair neural data with behaviour at
 * the lag you want before calling (Wu et al. used about 100–150 ms). opt may be NULL (the
 * defaults). Returns SOMA_OK with *out set, or SOMA_ERR_PARAM / SOMA_ERR_NOMEM /
 * SOMA_ERR_NUMERIC with a message. Memory and time: O(n²) and O(T n²) for the full R. */
int joint_kalman_fit(const gsl_matrix *x, const gsl_matrix *y, const joint_kalman_options *opt,
                     joint_kalman **out, char *err, size_t errlen);

/* NULL is a no-op. */
void joint_kalman_free(joint_kalman *m);

/* Decoding state of one causal pass; one per concurrent stream of bins. */
typedef struct joint_kalman_state joint_kalman_state;

/* A new state at the start of a pass (NULL if out of memory). It points at m, which must
 * outlive it. */
joint_kalman_state *joint_kalman_state_alloc(const joint_kalman *m);

/* Back to the start of a pass: the next step uses the prior (mu0, P0). */
void joint_kalman_state_reset(joint_kalman_state *s);

/* NULL is a no-op. */
void joint_kalman_state_free(joint_kalman_state *s);

/* One bin: y_t holds the n counts (raw: the √ is taken inside if the model was fitted with
 * sqrt_counts). Predicts (the prior at the first bin), updates with y_t, and writes the
 * posterior mean x̂_t (d values) to xhat. No allocation. Returns SOMA_OK, or SOMA_ERR_PARAM
 * (a non-finite count, or a negative one with sqrt_counts; the state is then unchanged). */
int joint_kalman_step(const joint_kalman *m, joint_kalman_state *s, const double *y_t,
                      double *xhat, char *err, size_t errlen);

/* The posterior covariance after the last step (d × d, owned by the state). */
const gsl_matrix *joint_kalman_state_cov(const joint_kalman_state *s);

/* The causal estimates of a whole pass: xhat (T × d) for y (T × n), row by row exactly as
 * joint_kalman_step would give them from a fresh state. */
int joint_kalman_filter(const joint_kalman *m, const gsl_matrix *y, gsl_matrix *xhat,
                        char *err, size_t errlen);

#endif
