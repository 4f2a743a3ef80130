/* dsa.c — delay-embedded DMD operators and their comparison up to an orthogonal change of
 * basis (Ostrow et al. 2023), see dsa.h. */
#include "dsa.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "joint/assign.h"
#include "joint/check.h"
#include "joint/mat.h"
#include "sim/rng.h"
#include "sim/soma.h"

#define WHO "dsa"

joint_dsa_opts joint_dsa_defaults(void) {
  return (joint_dsa_opts){.n_delays = 1, .delay_interval = 1, .rank = 0, .lambda = 0,
                          .score = JOINT_SHAPE_ANGULAR, .n_restarts = 8, .max_iter = 1000,
                          .seed = 0};
}

static int check_opts(joint_dsa_opts o, char *err, size_t errlen) {
  if (o.n_delays < 1 || o.delay_interval < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": n_delays and delay_interval must be >= 1 (got %zu and %zu)",
                      o.n_delays, o.delay_interval);
  if (!(o.lambda >= 0) || !isfinite(o.lambda))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": lambda must be >= 0 (got %g)",
                      o.lambda);
  if (o.n_restarts < 0 || o.max_iter < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": n_restarts must be >= 0 and max_iter >= 1 (got %d and %d)",
                      o.n_restarts, o.max_iter);
  if (o.score != JOINT_SHAPE_ANGULAR && o.score != JOINT_SHAPE_EUCLIDEAN)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": unknown score %d", (int)o.score);
  return SOMA_OK;
}

int joint_dsa_dmd(const gsl_matrix *x, joint_dsa_opts o, gsl_matrix **a, char *err,
                  size_t errlen) {
  *a = NULL;
  int rc = check_opts(o, err, errlen);
  if (!rc) rc = joint_mat_check(x, 1, WHO, "trajectory", err, errlen);
  if (rc) return rc;
  size_t T = x->size1, N = x->size2, span = (o.n_delays - 1) * o.delay_interval;
  if (T < span + 3)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": %zu time steps are too few for %zu delays %zu apart (needs >= %zu)",
                      T, o.n_delays, o.delay_interval, span + 3);
  size_t Tp = T - span, M = N * o.n_delays, k = Tp < M ? Tp : M;
  gsl_matrix *h = gsl_matrix_alloc(Tp, M), *v = gsl_matrix_alloc(Tp, k);
  gsl_vector *s = gsl_vector_alloc(k);
  gsl_matrix *g = NULL, *cross = NULL, *evec = NULL, *sol = NULL;
  gsl_vector *eval = NULL;
  gsl_eigen_symmv_workspace *ws = NULL;
  rc = SOMA_ERR_NOMEM;
  if (!h || !v || !s) goto done;
  for (size_t t = 0; t < Tp; t++)
    for (size_t d = 0; d < o.n_delays; d++)
      for (size_t j = 0; j < N; j++) {
        size_t src = t + (o.n_delays - 1 - d) * o.delay_interval;
        gsl_matrix_set(h, t, d * N + j, gsl_matrix_get(x, src, j));
      }
  if (joint_mat_svd(h, v, s, NULL)) goto done;
  size_t r = o.rank;
  if (r == 0) {
    double tol = (double)(Tp > M ? Tp : M) * DBL_EPSILON * gsl_vector_get(s, 0);
    while (r < k && gsl_vector_get(s, r) > tol) r++;
    if (r == 0) {
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": the trajectory is all zeros");
      goto done;
    }
  } else if (r > k) {
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    WHO ": rank %zu is larger than the Hankel matrix allows (%zu x %zu: at most "
                    "%zu)", r, Tp, M, k);
    goto done;
  }
  if (Tp - 1 < r && o.lambda == 0) {
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    WHO ": %zu transitions cannot fit a rank-%zu operator; lower the rank or "
                    "set lambda > 0", Tp - 1, r);
    goto done;
  }
  /* A = ((V₋ᵀV₋ + λI)⁻¹ V₋ᵀV₊)ᵀ through the eigendecomposition of the symmetric V₋ᵀV₋ + λI */
  gsl_matrix_const_view vm = gsl_matrix_const_submatrix(v, 0, 0, Tp - 1, r);
  gsl_matrix_const_view vp = gsl_matrix_const_submatrix(v, 1, 0, Tp - 1, r);
  g = gsl_matrix_alloc(r, r), cross = gsl_matrix_alloc(r, r), evec = gsl_matrix_alloc(r, r);
  sol = gsl_matrix_alloc(r, r), eval = gsl_vector_alloc(r), ws = gsl_eigen_symmv_alloc(r);
  *a = gsl_matrix_alloc(r, r);
  if (!g || !cross || !evec || !sol || !eval || !ws || !*a) goto done;
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &vm.matrix, &vm.matrix, 0.0, g);
  for (size_t i = 0; i < r; i++) *gsl_matrix_ptr(g, i, i) += o.lambda;
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &vm.matrix, &vp.matrix, 0.0, cross);
  gsl_eigen_symmv(g, eval, evec, ws);
  double emax = gsl_vector_max(eval);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, evec, cross, 0.0, sol);
  for (size_t i = 0; i < r; i++) {
    double e = gsl_vector_get(eval, i);
    if (!(e > 1e-12 * emax)) {
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": the DMD regression is singular; lower the rank or set lambda > 0");
      goto done;
    }
    gsl_vector_view row = gsl_matrix_row(sol, i);
    gsl_vector_scale(&row.vector, 1.0 / e);
  }
  /* (V diag(1/e) Vᵀ R)ᵀ */
  gsl_blas_dgemm(CblasTrans, CblasTrans, 1.0, sol, evec, 0.0, *a);
  rc = SOMA_OK;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, WHO ": out of memory");
  if (rc && *a) gsl_matrix_free(*a), *a = NULL;
  gsl_matrix *all[] = {h, v, g, cross, evec, sol};
  for (size_t i = 0; i < 6; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  if (s) gsl_vector_free(s);
  if (eval) gsl_vector_free(eval);
  if (ws) gsl_eigen_symmv_free(ws);
  return rc;
}

/* ---- the orthogonal similarity transform ---- */

typedef struct ascent_work {
  size_t r;
  gsl_matrix *t1, *t2, *grad, *w, *lhs, *rhs, *trial, *dir, *prev_c, *prev_dir;
  gsl_permutation *perm;
} ascent_work;

static void work_free(ascent_work *k) {
  gsl_matrix *all[] = {k->t1, k->t2, k->grad, k->w, k->lhs, k->rhs, k->trial, k->dir,
                       k->prev_c, k->prev_dir};
  for (size_t i = 0; i < 10; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  if (k->perm) gsl_permutation_free(k->perm);
}

static int work_alloc(ascent_work *k, size_t r) {
  *k = (ascent_work){.r = r};
  gsl_matrix **all[] = {&k->t1, &k->t2, &k->grad, &k->w, &k->lhs, &k->rhs, &k->trial, &k->dir,
                        &k->prev_c, &k->prev_dir};
  int ok = 1;
  for (size_t i = 0; i < 10; i++) ok &= (*all[i] = gsl_matrix_alloc(r, r)) != NULL;
  ok &= (k->perm = gsl_permutation_alloc(r)) != NULL;
  return ok ? SOMA_OK : SOMA_ERR_NOMEM;
}

static double frob_dot(const gsl_matrix *a, const gsl_matrix *b) {
  double s = 0;
  for (size_t i = 0; i < a->size1; i++)
    for (size_t j = 0; j < a->size2; j++) s += gsl_matrix_get(a, i, j) * gsl_matrix_get(b, i, j);
  return s;
}

/* g(C) = tr(Aᵀ C B Cᵀ) */
static double objective(const gsl_matrix *a, const gsl_matrix *b, const gsl_matrix *c,
                        ascent_work *k) {
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, c, b, 0.0, k->t1);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, k->t1, c, 0.0, k->t2);
  return frob_dot(a, k->t2);
}

/* w = G Cᵀ − C Gᵀ with G = A C Bᵀ + Aᵀ C B (the Euclidean gradient of g), and
 * dir = W C, the ascent direction on O(r). Returns ⟨G, W C⟩ = ‖W‖² / 2. */
static double ascent_direction(const gsl_matrix *a, const gsl_matrix *b, const gsl_matrix *c,
                               ascent_work *k) {
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, a, c, 0.0, k->t1);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, k->t1, b, 0.0, k->grad);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, a, c, 0.0, k->t1);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, k->t1, b, 1.0, k->grad);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, k->grad, c, 0.0, k->t1);
  for (size_t i = 0; i < k->r; i++)
    for (size_t j = 0; j < k->r; j++)
      gsl_matrix_set(k->w, i, j, gsl_matrix_get(k->t1, i, j) - gsl_matrix_get(k->t1, j, i));
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, k->w, c, 0.0, k->dir);
  return 0.5 * frob_dot(k->w, k->w);
}

/* trial = (I − η W / 2)⁻¹ (I + η W / 2) C: the Cayley retraction, orthogonal for any η */
static void cayley_step(const gsl_matrix *c, double eta, ascent_work *k) {
  for (size_t i = 0; i < k->r; i++)
    for (size_t j = 0; j < k->r; j++) {
      double wij = 0.5 * eta * gsl_matrix_get(k->w, i, j), id = i == j;
      gsl_matrix_set(k->lhs, i, j, id - wij);
      gsl_matrix_set(k->t1, i, j, id + wij);
    }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, k->t1, c, 0.0, k->rhs);
  int sign;
  gsl_linalg_LU_decomp(k->lhs, k->perm, &sign);
  for (size_t j = 0; j < k->r; j++) {
    gsl_vector_view col = gsl_matrix_column(k->rhs, j);
    gsl_linalg_LU_svx(k->lhs, k->perm, &col.vector);
  }
  gsl_matrix_memcpy(k->trial, k->rhs);
}

/* c ← the closest orthogonal matrix (polar factor), against rounding drift */
static void reorthogonalise(gsl_matrix *c, ascent_work *k) {
  gsl_vector *s = gsl_vector_alloc(k->r);
  if (!s) return;
  if (joint_mat_svd(c, k->t1, s, k->t2) == SOMA_OK)
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, k->t1, k->t2, 0.0, c);
  gsl_vector_free(s);
}

/* Maximises g from c (overwritten with the result); returns the maximum found. Step sizes:
 * Barzilai–Borwein guesses, accepted by Armijo backtracking, so g never decreases. */
static double ascend(const gsl_matrix *a, const gsl_matrix *b, gsl_matrix *c, int max_iter,
                     ascent_work *k) {
  double g = objective(a, b, c, k), eta = 1.0;
  for (int it = 0; it < max_iter; it++) {
    double slope = ascent_direction(a, b, c, k);
    if (!(slope > 1e-30)) break;
    if (it > 0) {
      /* BB step from s = C − C_prev, y = D − D_prev (D the ascent direction) */
      double ss = 0, sy = 0;
      for (size_t i = 0; i < k->r; i++)
        for (size_t j = 0; j < k->r; j++) {
          double sv = gsl_matrix_get(c, i, j) - gsl_matrix_get(k->prev_c, i, j);
          double yv = gsl_matrix_get(k->dir, i, j) - gsl_matrix_get(k->prev_dir, i, j);
          ss += sv * sv, sy += sv * yv;
        }
      if (sy != 0 && ss > 0) eta = fmin(fmax(ss / fabs(sy), 1e-10), 1e10);
    }
    gsl_matrix_memcpy(k->prev_c, c);
    gsl_matrix_memcpy(k->prev_dir, k->dir);
    int accepted = 0;
    for (int back = 0; back < 60; back++, eta *= 0.5) {
      cayley_step(c, eta, k);
      double gt = objective(a, b, k->trial, k);
      if (gt >= g + 1e-4 * eta * slope) {
        gsl_matrix_memcpy(c, k->trial);
        g = gt, accepted = 1;
        break;
      }
    }
    if (!accepted) break;
  }
  reorthogonalise(c, k);
  return objective(a, b, c, k);
}

/* a copy of m zero-padded to r × r and scaled to unit Frobenius norm */
static gsl_matrix *padded_unit(const gsl_matrix *m, size_t r) {
  gsl_matrix *p = gsl_matrix_calloc(r, r);
  if (!p) return NULL;
  gsl_matrix_view dst = gsl_matrix_submatrix(p, 0, 0, m->size1, m->size2);
  gsl_matrix_memcpy(&dst.matrix, m);
  gsl_matrix_scale(p, 1.0 / joint_mat_frobenius(m));
  return p;
}

static int check_operator(const gsl_matrix *m, const char *what, char *err, size_t errlen) {
  int rc = joint_mat_check(m, 1, WHO, what, err, errlen);
  if (rc) return rc;
  if (m->size1 != m->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": the %s must be square (got %zu x %zu)",
                      what, m->size1, m->size2);
  if (!(joint_mat_frobenius(m) > 0))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": the %s is all zeros", what);
  return SOMA_OK;
}

int joint_dsa_compare(const gsl_matrix *a, const gsl_matrix *b, joint_dsa_opts o, double *dist,
                      gsl_matrix *c, char *err, size_t errlen) {
  int rc = check_opts(o, err, errlen);
  if (!rc) rc = check_operator(a, "first operator", err, errlen);
  if (!rc) rc = check_operator(b, "second operator", err, errlen);
  if (rc) return rc;
  size_t r = a->size1 > b->size1 ? a->size1 : b->size1;
  if (c && (c->size1 != r || c->size2 != r))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": C must be %zu x %zu", r, r);
  int starts = 2 + o.n_restarts;
  gsl_matrix *ua = padded_unit(a, r), *ub = padded_unit(b, r);
  gsl_matrix **cs = calloc((size_t)starts, sizeof *cs);
  double *best = malloc((size_t)starts * sizeof *best);
  const int ready = ua && ub && cs && best;
  const uint32_t stream = soma_stream_id("joint", "dsa_restart");
  int nomem = 0;
#pragma omp parallel for schedule(static) reduction(| : nomem)
  for (int s = 0; s < starts; s++) {
    if (!ready) continue;
    ascent_work k;
    gsl_matrix *cc = gsl_matrix_alloc(r, r);
    if (work_alloc(&k, r) || !cc) {
      nomem = 1;
      work_free(&k);
      if (cc) gsl_matrix_free(cc);
      continue;
    }
    gsl_matrix_set_identity(cc);
    if (s == 1 && r >= 2) {   /* swap the first two coordinates: det −1 */
      gsl_matrix_swap_rows(cc, 0, 1);
    } else if (s == 1) {
      gsl_matrix_set(cc, 0, 0, -1.0);
    } else if (s >= 2 && joint_mat_random_orthogonal(o.seed, stream, (uint32_t)(s - 2), cc)) {
      nomem = 1;
    }
    best[s] = nomem ? -INFINITY : ascend(ua, ub, cc, o.max_iter, &k);   /* private flag */
    cs[s] = cc;
    work_free(&k);
  }
  if (nomem || !ready) {
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
  } else {
    int pick = 0;
    for (int s = 1; s < starts; s++)
      if (best[s] > best[pick]) pick = s;
    /* the residual ‖A − C B Cᵀ‖ directly, accurate near 0 */
    gsl_matrix *t1 = gsl_matrix_alloc(r, r), *t2 = gsl_matrix_alloc(r, r);
    if (!t1 || !t2) {
      rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
    } else {
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, cs[pick], ub, 0.0, t1);
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, t1, cs[pick], 0.0, t2);
      gsl_matrix_sub(t2, ua);
      double res = joint_mat_frobenius(t2);
      *dist = o.score == JOINT_SHAPE_ANGULAR ? 2 * asin(fmin(1.0, res / 2)) : res;
      if (c) gsl_matrix_memcpy(c, cs[pick]);
    }
    if (t1) gsl_matrix_free(t1);
    if (t2) gsl_matrix_free(t2);
  }
  for (int s = 0; cs && s < starts; s++)
    if (cs[s]) gsl_matrix_free(cs[s]);
  free(cs), free(best);
  if (ua) gsl_matrix_free(ua);
  if (ub) gsl_matrix_free(ub);
  return rc;
}

int joint_dsa(const gsl_matrix *x, const gsl_matrix *y, joint_dsa_opts o, double *dist,
              char *err, size_t errlen) {
  gsl_matrix *a = NULL, *b = NULL;
  int rc = joint_dsa_dmd(x, o, &a, err, errlen);
  if (!rc) rc = joint_dsa_dmd(y, o, &b, err, errlen);
  if (!rc) rc = joint_dsa_compare(a, b, o, dist, NULL, err, errlen);
  if (a) gsl_matrix_free(a);
  if (b) gsl_matrix_free(b);
  return rc;
}

/* ---- eigenvalue matching ---- */

/* the eigenvalues of m into re, im (length m->size1) */
static int eigenvalues(const gsl_matrix *m, double *re, double *im) {
  size_t r = m->size1;
  gsl_matrix *c = gsl_matrix_alloc(r, r);
  gsl_vector_complex *e = gsl_vector_complex_alloc(r);
  gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(r);
  int rc = SOMA_ERR_NOMEM;
  if (c && e && ws) {
    gsl_matrix_memcpy(c, m);
    /* GSL's default handler would abort if the QR iteration did not converge: report it */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = gsl_eigen_nonsymm(c, e, ws);
    gsl_set_error_handler(old);
    rc = status ? SOMA_ERR_NUMERIC : SOMA_OK;
    for (size_t i = 0; i < r && !rc; i++) {
      re[i] = GSL_REAL(gsl_vector_complex_get(e, i));
      im[i] = GSL_IMAG(gsl_vector_complex_get(e, i));
    }
  }
  if (c) gsl_matrix_free(c);
  if (e) gsl_vector_complex_free(e);
  if (ws) gsl_eigen_nonsymm_free(ws);
  return rc;
}

int joint_dsa_wasserstein(const gsl_matrix *a, const gsl_matrix *b, double *dist, char *err,
                          size_t errlen) {
  int rc = check_operator(a, "first operator", err, errlen);
  if (!rc) rc = check_operator(b, "second operator", err, errlen);
  if (rc) return rc;
  size_t n = a->size1 > b->size1 ? a->size1 : b->size1;
  double *ev = calloc(4 * n, sizeof *ev);
  gsl_matrix *cost = gsl_matrix_alloc(n, n);
  int *match = malloc(n * sizeof *match);
  if (!ev || !cost || !match) {
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
    goto done;
  }
  double *ar = ev, *ai = ev + n, *br = ev + 2 * n, *bi = ev + 3 * n;   /* zero padded */
  if ((rc = eigenvalues(a, ar, ai)) || (rc = eigenvalues(b, br, bi))) {
    joint_fail(err, errlen, rc, rc == SOMA_ERR_NOMEM ? WHO ": out of memory"
                                                     : WHO ": the eigenvalues did not converge");
    goto done;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++)
      gsl_matrix_set(cost, i, j,
                     (ar[i] - br[j]) * (ar[i] - br[j]) + (ai[i] - bi[j]) * (ai[i] - bi[j]));
  rc = joint_assign(cost, match, dist, err, errlen);
done:
  free(ev), free(match);
  if (cost) gsl_matrix_free(cost);
  return rc;
}
