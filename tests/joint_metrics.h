/* joint_metrics.h — data shared by the tests of the joint layer's metrics: seeded Gaussian
 * matrices, random orthogonal maps, the three fixed small matrices of the golden values (each
 * test quotes the numpy that computed them), and the 1-D track embeddings of the sensitivity
 * tests (the same structure with other noise vs shuffled labels). */
#ifndef SOMA_JOINT_METRICS_H
#define SOMA_JOINT_METRICS_H

#include <math.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "joint/mat.h"
#include "sim/rng.h"

/* r × c standard normal entries, a pure function of seed */
static inline gsl_matrix *jm_random(size_t r, size_t c, uint32_t seed) {
  gsl_matrix *m = gsl_matrix_alloc(r, c);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, seed, 101, 0, 0, 0);
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < c; j++) gsl_matrix_set(m, i, j, gsl_ran_gaussian(g, 1.0));
  soma_gsl_rng_free(g);
  return m;
}

/* a random p × p orthogonal matrix (joint_mat_random_orthogonal) */
static inline gsl_matrix *jm_orthogonal(size_t p, uint32_t seed) {
  gsl_matrix *q = gsl_matrix_alloc(p, p);
  joint_mat_random_orthogonal(seed, 104, 0, q);
  return q;
}

/* s x M + 1 bᵀ with b_j = shift (j + 1) */
static inline gsl_matrix *jm_map(const gsl_matrix *x, const gsl_matrix *M, double s, double shift) {
  gsl_matrix *y = gsl_matrix_alloc(x->size1, M->size2);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, s, x, M, 0.0, y);
  for (size_t i = 0; i < y->size1; i++)
    for (size_t j = 0; j < y->size2; j++) *gsl_matrix_ptr(y, i, j) += shift * (double)(j + 1);
  return y;
}

/* The golden matrices (12 rows), X1, X2, X3 of the numpy in the tests:
 * 1: sin(0.7 i + 1.3 j + 0.2) + 0.05 i (3 columns); 2: cos(0.45 i (j + 1) + 0.3) (4);
 * 3: sin(0.9 i + 0.4 j)² (2). */
static inline gsl_matrix *jm_golden(int which) {
  size_t cols = which == 1 ? 3 : which == 2 ? 4 : 2;
  gsl_matrix *m = gsl_matrix_alloc(12, cols);
  for (size_t i = 0; i < 12; i++)
    for (size_t j = 0; j < cols; j++) {
      double di = (double)i, dj = (double)j, v;
      if (which == 1) v = sin(0.7 * di + 1.3 * dj + 0.2) + 0.05 * di;
      else if (which == 2) v = cos(0.45 * di * (dj + 1) + 0.3);
      else v = sin(0.9 * di + 0.4 * dj) * sin(0.9 * di + 0.4 * dj);
      gsl_matrix_set(m, i, j, v);
    }
  return m;
}

/* A 1-D track: position u_t (T × 1) a reflected random walk on [0, 1] (seed 1). */
static inline gsl_matrix *jm_track_label(size_t T) {
  gsl_matrix *u = gsl_matrix_alloc(T, 1);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, 1, 102, 0, 0, 0);
  double p = 0.5;
  for (size_t t = 0; t < T; t++) {
    p += gsl_ran_gaussian(g, 0.03);
    if (p < 0) p = -p;
    if (p > 1) p = 2 - p;
    gsl_matrix_set(u, t, 0, p);
  }
  soma_gsl_rng_free(g);
  return u;
}

/* An embedding (T × 3) of the track: f(u) = (cos πu, sin πu, u − 1/2) turned by a random
 * orthogonal map drawn from rotation (0: none), plus Gaussian noise of sd 0.1 drawn from
 * noise. shuffled != 0 embeds u at permuted times instead (the structure of a model trained
 * on shuffled labels). */
static inline gsl_matrix *jm_track_embedding(const gsl_matrix *u, uint32_t rotation,
                                             uint32_t noise, int shuffled) {
  size_t T = u->size1;
  gsl_matrix *f = gsl_matrix_alloc(T, 3), *z = jm_random(T, 3, noise + 1000);
  gsl_matrix *q = gsl_matrix_alloc(3, 3);
  if (rotation) joint_mat_random_orthogonal(rotation, 105, 0, q);
  else gsl_matrix_set_identity(q);
  for (size_t t = 0; t < T; t++) {
    size_t s = shuffled ? (t * 7919 + 13) % T : t;
    double v = gsl_matrix_get(u, s, 0);
    gsl_matrix_set(f, t, 0, cos(M_PI * v));
    gsl_matrix_set(f, t, 1, sin(M_PI * v));
    gsl_matrix_set(f, t, 2, v - 0.5);
  }
  gsl_matrix *e = jm_map(f, q, 1.0, 0.0);
  gsl_matrix_scale(z, 0.1);
  gsl_matrix_add(e, z);
  gsl_matrix_free(f), gsl_matrix_free(z), gsl_matrix_free(q);
  return e;
}

#endif
