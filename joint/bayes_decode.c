/* bayes_decode.c — Poisson population decoding over a grid of behaviour points from fitted
 * GLMs: log-likelihoods of a block of bins as one matrix product, then the maximum and the
 * posterior mean per bin (see bayes_decode.h). */
#include "bayes_decode.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "joint/check.h"
#include "sim/soma.h"

enum { BLOCK = 256 };   /* bins per block */

joint_bayes_options joint_bayes_defaults(void) {
  return (joint_bayes_options){.grid = 40, .points = NULL, .prior_behaviour = NULL,
                               .pseudocount = 1.0};
}

/* index of the point nearest to row t of b (ties to the lower index) */
static size_t nearest(const gsl_matrix *pts, const gsl_matrix *b, size_t t) {
  size_t best = 0;
  double bd = INFINITY;
  for (size_t g = 0; g < pts->size1; g++) {
    double s = 0;
    for (size_t j = 0; j < pts->size2; j++) {
      double e = gsl_matrix_get(pts, g, j) - gsl_matrix_get(b, t, j);
      s += e * e;
    }
    if (s < bd) bd = s, best = g;
  }
  return best;
}

/* logprior[g] from the occupancy of the points by the prior's behaviour rows */
static int empirical_prior(const gsl_matrix *pts, const gsl_matrix *b, double pseudo,
                           double *logprior) {
  size_t T = b->size1, G = pts->size1;
  size_t *idx = malloc((T ? T : 1) * sizeof *idx);
  double *occ = calloc(G, sizeof *occ);
  if (!idx || !occ) {
    free(idx), free(occ);
    return SOMA_ERR_NOMEM;
  }
#pragma omp parallel for schedule(static)
  for (long t = 0; t < (long)T; t++) idx[t] = nearest(pts, b, (size_t)t);
  for (size_t t = 0; t < T; t++) occ[idx[t]] += 1;
  double total = 0;
  for (size_t g = 0; g < G; g++) total += occ[g] + pseudo;
  for (size_t g = 0; g < G; g++)
    logprior[g] = occ[g] + pseudo > 0 ? log((occ[g] + pseudo) / total) : -INFINITY;
  free(idx), free(occ);
  return SOMA_OK;
}

static int check(const joint_glm *glm, const gsl_matrix *counts, const joint_bayes_options *o,
                 const gsl_matrix *map, const gsl_matrix *mean, char *err, size_t errlen) {
  if (!glm || glm->d == 0 || glm->k == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "bayes decode: needs a GLM fitted with behaviour (a basis over it)");
  size_t d = glm->d;
  if (!counts || counts->size2 != glm->n || counts->size1 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "bayes decode: the counts must have %zu columns (the GLM's neurons)",
                      glm->n);
  size_t T = counts->size1;
  if (!map || map->size1 != T || map->size2 != d || (mean && (mean->size1 != T ||
                                                              mean->size2 != d)))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "bayes decode: the outputs must be %zu x %zu",
                      T, d);
  if (o->points && (o->points->size2 != d || o->points->size1 == 0))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "bayes decode: the points must have %zu columns", d);
  if (!o->points && o->grid < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "bayes decode: grid must be >= 1 (got %zu)",
                      o->grid);
  if (o->prior_behaviour && (o->prior_behaviour->size2 != d || o->prior_behaviour->size1 == 0))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "bayes decode: the prior behaviour must have %zu columns", d);
  if (!(o->pseudocount >= 0) || !isfinite(o->pseudocount))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "bayes decode: pseudocount must be >= 0 (got %g)", o->pseudocount);
  int rc = joint_check_finite(counts, "bayes decode", "counts", err, errlen);
  if (!rc && o->points) rc = joint_check_finite(o->points, "bayes decode", "points", err, errlen);
  if (!rc && o->prior_behaviour)
    rc = joint_check_finite(o->prior_behaviour, "bayes decode", "prior behaviour", err, errlen);
  if (rc) return rc;
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < glm->n; i++)
      if (gsl_matrix_get(counts, t, i) < 0)
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "bayes decode: counts must be >= 0 (got %g at row %zu, column %zu)",
                          gsl_matrix_get(counts, t, i), t, i);
  return SOMA_OK;
}

/* the bins [t0, t0 + nb): L = Y log Λᵀ − Σλ + log prior, then argmax and mean */
static void decode_block(const gsl_matrix *counts, const gsl_matrix *logrates,
                         const double *offset, const gsl_matrix *pts, size_t t0, size_t nb,
                         gsl_matrix *L, gsl_matrix *map, gsl_matrix *mean) {
  size_t G = pts->size1, d = pts->size2;
  gsl_matrix_const_view y = gsl_matrix_const_submatrix(counts, t0, 0, nb, counts->size2);
  gsl_matrix_view l = gsl_matrix_submatrix(L, 0, 0, nb, G);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &y.matrix, logrates, 0.0, &l.matrix);
  for (size_t r = 0; r < nb; r++) {
    double *row = gsl_matrix_ptr(&l.matrix, r, 0), best = -INFINITY;
    size_t arg = 0;
    for (size_t g = 0; g < G; g++) {
      row[g] += offset[g];
      if (row[g] > best) best = row[g], arg = g;
    }
    for (size_t j = 0; j < d; j++) gsl_matrix_set(map, t0 + r, j, gsl_matrix_get(pts, arg, j));
    if (!mean) continue;
    double z = 0;
    for (size_t j = 0; j < d; j++) gsl_matrix_set(mean, t0 + r, j, 0);
    for (size_t g = 0; g < G; g++) {
      double w = exp(row[g] - best);
      z += w;
      for (size_t j = 0; j < d; j++)
        *gsl_matrix_ptr(mean, t0 + r, j) += w * gsl_matrix_get(pts, g, j);
    }
    for (size_t j = 0; j < d; j++) *gsl_matrix_ptr(mean, t0 + r, j) /= z;
  }
}

int joint_bayes_decode(const joint_glm *glm, const gsl_matrix *counts,
                       const joint_bayes_options *opt, gsl_matrix *map, gsl_matrix *mean,
                       char *err, size_t errlen) {
  joint_bayes_options o = opt ? *opt : joint_bayes_defaults();
  int rc = check(glm, counts, &o, map, mean, err, errlen);
  if (rc) return rc;
  gsl_matrix *grid = NULL, *rates = NULL;
  double *offset = NULL;
  const gsl_matrix *pts = o.points;
  if (!pts) {
    if ((rc = joint_glm_grid(glm->lo, glm->hi, o.grid, &grid, err, errlen))) return rc;
    pts = grid;
  }
  size_t G = pts->size1, n = glm->n, T = counts->size1;
  rates = gsl_matrix_alloc(G, n);
  offset = malloc(G * sizeof *offset);
  rc = SOMA_ERR_NOMEM;
  if (!rates || !offset) goto done;
  if ((rc = joint_glm_rate(glm, pts, NULL, rates, err, errlen))) goto done;
  /* offset[g] = −Σ_i λ_i(g) + log prior(g); rates ← log rates (floored at the smallest
   * normal double, so 0 · log 0 never makes NaN) */
  if (o.prior_behaviour) {
    if ((rc = empirical_prior(pts, o.prior_behaviour, o.pseudocount, offset))) goto done;
  } else {
    for (size_t g = 0; g < G; g++) offset[g] = 0;
  }
  for (size_t g = 0; g < G; g++)
    for (size_t i = 0; i < n; i++) {
      double u = gsl_matrix_get(rates, g, i);
      offset[g] -= u;
      gsl_matrix_set(rates, g, i, log(fmax(u, DBL_MIN)));
    }
  long nblocks = (long)((T + BLOCK - 1) / BLOCK);
  int nomem = 0;
#pragma omp parallel reduction(| : nomem)
  {
    gsl_matrix *L = gsl_matrix_alloc(BLOCK, G);
    if (!L) nomem = 1;
#pragma omp for schedule(static)
    for (long b = 0; b < nblocks; b++) {
      if (!L) continue;
      size_t t0 = (size_t)b * BLOCK, nb = T - t0 < BLOCK ? T - t0 : BLOCK;
      decode_block(counts, rates, offset, pts, t0, nb, L, map, mean);
    }
    if (L) gsl_matrix_free(L);
  }
  rc = nomem ? SOMA_ERR_NOMEM : SOMA_OK;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, "bayes decode: out of memory");
  if (grid) gsl_matrix_free(grid);
  if (rates) gsl_matrix_free(rates);
  free(offset);
  return rc;
}
