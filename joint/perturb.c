/* perturb.c — seeded neuron dropping, Poisson noise and time jitter (see perturb.h). */
#include "perturb.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "joint/check.h"
#include "joint/mat.h"
#include "sim/rng.h"
#include "sim/soma.h"

int joint_perturb_drop(const gsl_matrix *x, double fraction, uint32_t seed, gsl_matrix **out,
                       size_t *kept, char *err, size_t errlen) {
  *out = NULL;
  int rc = joint_mat_check(x, 1, "drop neurons", "data", err, errlen);
  if (rc) return rc;
  if (!(fraction >= 0 && fraction < 1))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "drop neurons: fraction must be in [0, 1) (got %g)", fraction);
  size_t N = x->size2, n_drop = (size_t)llround(fraction * (double)N), n_keep = N - n_drop;
  if (n_keep == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "drop neurons: dropping %g of %zu columns leaves none", fraction, N);
  size_t *perm = malloc(N * sizeof *perm);
  unsigned char *drop = calloc(N, 1);
  gsl_matrix *y = gsl_matrix_alloc(x->size1, n_keep);
  if (!perm || !drop || !y) {
    free(perm), free(drop);
    if (y) gsl_matrix_free(y);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "drop neurons: out of memory");
  }
  /* the first n_drop places of a seeded Fisher–Yates shuffle */
  soma_stream s;
  soma_stream_init(&s, seed, soma_stream_id("joint", "perturb_drop"), 0, 0, 0);
  for (size_t j = 0; j < N; j++) perm[j] = j;
  for (size_t i = 0; i < n_drop; i++) {
    size_t j = i + soma_stream_below(&s, (uint32_t)(N - i));
    size_t t = perm[i];
    perm[i] = perm[j], perm[j] = t;
    drop[perm[i]] = 1;
  }
  for (size_t j = 0, c = 0; j < N; j++) {
    if (drop[j]) continue;
    gsl_vector_const_view src = gsl_matrix_const_column(x, j);
    gsl_vector_view dst = gsl_matrix_column(y, c);
    gsl_vector_memcpy(&dst.vector, &src.vector);
    if (kept) kept[c] = j;
    c++;
  }
  free(perm), free(drop);
  *out = y;
  return SOMA_OK;
}

int joint_perturb_poisson(const gsl_matrix *x, double level, uint32_t seed, gsl_matrix **out,
                          char *err, size_t errlen) {
  *out = NULL;
  int rc = joint_mat_check(x, 1, "poisson noise", "data", err, errlen);
  if (rc) return rc;
  if (!(level >= 0) || !isfinite(level))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "poisson noise: level must be >= 0 (got %g)",
                      level);
  size_t T = x->size1, N = x->size2;
  double *mu = malloc(N * sizeof *mu);
  gsl_matrix *y = gsl_matrix_alloc(T, N);
  if (!mu || !y) {
    free(mu);
    if (y) gsl_matrix_free(y);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "poisson noise: out of memory");
  }
  for (size_t j = 0; j < N; j++) {
    double s = 0;
    for (size_t t = 0; t < T; t++) s += gsl_matrix_get(x, t, j);
    mu[j] = level * s / (double)T;
    if (mu[j] < 0) {
      free(mu), gsl_matrix_free(y);
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "poisson noise: column %zu has a negative mean (%g): not counts", j,
                        s / (double)T);
    }
  }
  uint32_t stream = soma_stream_id("joint", "perturb_poisson");
  int nomem = 0;
#pragma omp parallel reduction(| : nomem)
  {
    gsl_rng *g = soma_gsl_rng_alloc();
    if (!g) nomem = 1;
#pragma omp for schedule(static)
    for (long t = 0; t < (long)T; t++) {
      if (!g) continue;
      soma_gsl_rng_reset(g, seed, stream, (uint32_t)t, (uint32_t)((uint64_t)t >> 32), 0);
      for (size_t j = 0; j < N; j++) {
        double add = mu[j] > 0 ? gsl_ran_poisson(g, mu[j]) : 0;
        gsl_matrix_set(y, (size_t)t, j, gsl_matrix_get(x, (size_t)t, j) + add);
      }
    }
    if (g) soma_gsl_rng_free(g);
  }
  free(mu);
  if (nomem) {
    gsl_matrix_free(y);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "poisson noise: out of memory");
  }
  *out = y;
  return SOMA_OK;
}

int joint_perturb_jitter(const gsl_matrix *x, joint_jitter_mode mode, uint32_t seed,
                         gsl_matrix **out, char *err, size_t errlen) {
  *out = NULL;
  int rc = joint_mat_check(x, 2, "time jitter", "data", err, errlen);
  if (rc) return rc;
  if (mode != JOINT_JITTER_ENTRY && mode != JOINT_JITTER_NEURON)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "time jitter: unknown mode %d", (int)mode);
  size_t T = x->size1;
  long N = (long)x->size2;
  gsl_matrix *y = gsl_matrix_calloc(T, x->size2);
  if (!y) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "time jitter: out of memory");
  uint32_t stream = soma_stream_id("joint", "perturb_jitter");
  /* one counter per column: each column's output depends only on its own draws */
#pragma omp parallel for schedule(static)
  for (long j = 0; j < N; j++) {
    soma_stream s;
    soma_stream_init(&s, seed, stream, (uint32_t)j, (uint32_t)mode, 0);
    if (mode == JOINT_JITTER_NEURON) {
      long d = soma_stream_below(&s, 2) ? 1 : -1;
      for (long t = 0; t < (long)T; t++) {
        long src = t - d;
        if (src < 0) src = 0;
        if (src > (long)T - 1) src = (long)T - 1;
        gsl_matrix_set(y, (size_t)t, (size_t)j, gsl_matrix_get(x, (size_t)src, (size_t)j));
      }
      continue;
    }
    for (long t = 0; t < (long)T; t++) {
      long dst = t + (long)soma_stream_below(&s, 3) - 1;
      if (dst < 0 || dst > (long)T - 1) dst = t;
      *gsl_matrix_ptr(y, (size_t)dst, (size_t)j) += gsl_matrix_get(x, (size_t)t, (size_t)j);
    }
  }
  *out = y;
  return SOMA_OK;
}
