/* joint_models_sim.h — synthetic data for the tests of the joint layer's classical models
 * (Kalman, GLM, Bayesian decoder, LDS, HMM): a 2-D place code in a unit box and a log-linear
 * "motor" code of 2-D velocity, both Poisson, both drawn from counter-based streams so every run
 * is the same; and the check of an EM log-likelihood trace. */
#ifndef JOINT_MODELS_SIM_H
#define JOINT_MODELS_SIM_H

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "sim/rng.h"

/* A smooth random walk in [0, 1]² reflected at the walls (velocity AR(1), 25 ms bins, mean
 * speed about 0.25 box widths per second), and n place cells with Gaussian fields (σ = 0.1,
 * peak 20 Hz) centred on a jittered √n × √n grid (n a square): *pos (T × 2), *counts (T × n).
 * The cells depend on seed_cells only, the walk and spikes on seed. */
static inline void sim_place_code(size_t T, size_t n, uint32_t seed, uint32_t seed_cells,
                                  gsl_matrix **counts, gsl_matrix **pos) {
  size_t side = (size_t)lround(sqrt((double)n));
  double *cx = malloc(n * sizeof *cx), *cy = malloc(n * sizeof *cy);
  soma_stream s;
  soma_stream_init(&s, seed_cells, 31, 0, 0, 0);
  for (size_t i = 0; i < n; i++) {
    cx[i] = ((double)(i % side) + 0.5) / (double)side + 0.06 * (soma_stream_u01(&s) - 0.5);
    cy[i] = ((double)(i / side) + 0.5) / (double)side + 0.06 * (soma_stream_u01(&s) - 0.5);
  }
  *counts = gsl_matrix_alloc(T, n);
  *pos = gsl_matrix_alloc(T, 2);
  gsl_rng *r = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(r, seed, 32, 0, 0, 0);
  double x = 0.5, y = 0.5, vx = 0, vy = 0, dt = 0.025, sig = 0.1;
  for (size_t t = 0; t < T; t++) {
    vx = 0.98 * vx + 0.0015 * gsl_ran_gaussian(r, 1.0);
    vy = 0.98 * vy + 0.0015 * gsl_ran_gaussian(r, 1.0);
    x += vx, y += vy;
    if (x < 0) x = -x, vx = -vx;
    if (x > 1) x = 2 - x, vx = -vx;
    if (y < 0) y = -y, vy = -vy;
    if (y > 1) y = 2 - y, vy = -vy;
    gsl_matrix_set(*pos, t, 0, x);
    gsl_matrix_set(*pos, t, 1, y);
    for (size_t i = 0; i < n; i++) {
      double d2 = (x - cx[i]) * (x - cx[i]) + (y - cy[i]) * (y - cy[i]);
      double rate = 20.0 * exp(-d2 / (2 * sig * sig));
      gsl_matrix_set(*counts, t, i, gsl_ran_poisson(r, rate * dt));
    }
  }
  soma_gsl_rng_free(r);
  free(cx), free(cy);
}

/* Test D1b: 2-D velocity v, AR(1) with coefficient 0.95 and unit stationary variance per
 * component, position p_{t+1} = p_t + 0.05 v_t (50 ms bins): *state (T × 4) = (px, py, vx, vy).
 * n "motor" neurons with log-linear tuning, mean count per bin λ = exp(b_i + k_iᵀ v): baseline
 * 5–15 Hz, k_i of length 0.5 in a random direction. *counts is T × n. */
static inline void sim_motor_code(size_t T, size_t n, uint32_t seed, gsl_matrix **counts,
                                  gsl_matrix **state) {
  double *b = malloc(n * sizeof *b), *k = malloc(2 * n * sizeof *k), dt = 0.05;
  soma_stream s;
  soma_stream_init(&s, 77, 41, 0, 0, 0);
  for (size_t i = 0; i < n; i++) {
    b[i] = log((5 + 10 * soma_stream_u01(&s)) * dt);
    double th = 2 * M_PI * soma_stream_u01(&s);
    k[2 * i] = 0.5 * cos(th), k[2 * i + 1] = 0.5 * sin(th);
  }
  *counts = gsl_matrix_alloc(T, n);
  *state = gsl_matrix_alloc(T, 4);
  gsl_rng *r = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(r, seed, 42, 0, 0, 0);
  double px = 0, py = 0, vx = 0, vy = 0, rho = 0.95, e = sqrt(1 - rho * rho);
  for (size_t t = 0; t < T; t++) {
    double st[4] = {px, py, vx, vy};
    for (int j = 0; j < 4; j++) gsl_matrix_set(*state, t, (size_t)j, st[j]);
    for (size_t i = 0; i < n; i++) {
      double lam = exp(b[i] + k[2 * i] * vx + k[2 * i + 1] * vy);
      gsl_matrix_set(*counts, t, i, gsl_ran_poisson(r, lam));
    }
    px += dt * vx, py += dt * vy;
    vx = rho * vx + e * gsl_ran_gaussian(r, 1.0);
    vy = rho * vy + e * gsl_ran_gaussian(r, 1.0);
  }
  soma_gsl_rng_free(r);
  free(b), free(k);
}

/* rows [r0, r0 + n) of m, copied */
static inline gsl_matrix *sim_rows(const gsl_matrix *m, size_t r0, size_t n) {
  gsl_matrix *c = gsl_matrix_alloc(n, m->size2);
  gsl_matrix_const_view v = gsl_matrix_const_submatrix(m, r0, 0, n, m->size2);
  gsl_matrix_memcpy(c, &v.matrix);
  return c;
}

/* the largest relative fall (a − b) / |a| between consecutive entries among the first n of ll
 * (0 if it never falls): an EM trace must stay at round-off */
static inline double sim_worst_fall(const gsl_vector *ll, int n) {
  double worst = 0;
  for (int it = 1; it < n; it++) {
    double a = gsl_vector_get(ll, (size_t)it - 1), b = gsl_vector_get(ll, (size_t)it);
    worst = fmax(worst, (a - b) / fabs(a));
  }
  return worst;
}

#endif
