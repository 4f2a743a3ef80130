/* cca.c — canonical correlations by SVD, SVCCA and PWCCA (see cca.h). */
#include "cca.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "joint/check.h"
#include "joint/mat.h"
#include "sim/soma.h"

/* One side: the centred data c (n × p), its left singular vectors u (n × p), singular values
 * s, and the rank r (directions above max(n, p) ε s_max). */
typedef struct side {
  gsl_matrix *c, *u;
  gsl_vector *s;
  size_t r;
} side;

static void side_free(side *a) {
  if (a->c) gsl_matrix_free(a->c);
  if (a->u) gsl_matrix_free(a->u);
  if (a->s) gsl_vector_free(a->s);
}

/* SOMA_OK, SOMA_ERR_NOMEM, or SOMA_ERR_PARAM when every column is constant. */
static int side_init(const gsl_matrix *x, side *a) {
  size_t n = x->size1, p = x->size2, k = n < p ? n : p;
  a->c = joint_mat_centred(x);
  a->u = gsl_matrix_alloc(n, k);
  a->s = gsl_vector_alloc(k);
  a->r = 0;
  if (!a->c || !a->u || !a->s || joint_mat_svd(a->c, a->u, a->s, NULL)) return SOMA_ERR_NOMEM;
  double tol = (double)(n > p ? n : p) * DBL_EPSILON * gsl_vector_get(a->s, 0);
  while (a->r < k && gsl_vector_get(a->s, a->r) > tol) a->r++;
  return a->r ? SOMA_OK : SOMA_ERR_PARAM;
}

/* weights s / sqrt(s² + λ) of the first r directions, λ = ridge × mean eigenvalue */
static void side_weights(const side *a, size_t cols, double ridge, double *w) {
  double total = 0;
  for (size_t k = 0; k < a->s->size; k++)
    total += gsl_vector_get(a->s, k) * gsl_vector_get(a->s, k);
  double lambda = ridge * total / (double)cols;
  for (size_t k = 0; k < a->r; k++) {
    double s = gsl_vector_get(a->s, k);
    w[k] = ridge > 0 ? s / sqrt(s * s + lambda) : 1.0;
  }
}

/* ρ (length min(rx, ry)) = singular values of diag(wx) U_x[:, :rx]ᵀ U_y[:, :ry] diag(wy);
 * left (rx × m, or NULL) their left singular vectors. */
static int correlations(const gsl_matrix *ux, size_t rx, const double *wx, const gsl_matrix *uy,
                        size_t ry, const double *wy, gsl_vector *rho, gsl_matrix *left) {
  gsl_matrix_const_view vx = gsl_matrix_const_submatrix(ux, 0, 0, ux->size1, rx);
  gsl_matrix_const_view vy = gsl_matrix_const_submatrix(uy, 0, 0, uy->size1, ry);
  gsl_matrix *m = gsl_matrix_alloc(rx, ry);
  if (!m) return SOMA_ERR_NOMEM;
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &vx.matrix, &vy.matrix, 0.0, m);
  for (size_t i = 0; i < rx; i++)
    for (size_t j = 0; j < ry; j++) *gsl_matrix_ptr(m, i, j) *= wx[i] * wy[j];
  int rc = joint_mat_svd(m, left, rho, NULL);
  gsl_matrix_free(m);
  for (size_t k = 0; k < rho->size; k++)
    if (gsl_vector_get(rho, k) > 1) gsl_vector_set(rho, k, 1);
  return rc;
}

static int init_pair(const gsl_matrix *x, const gsl_matrix *y, const char *who, side *a, side *b,
                     char *err, size_t errlen) {
  int rc = joint_mat_check_pair(x, y, 2, who, err, errlen);
  if (rc) return rc;
  rc = side_init(x, a);
  if (rc == SOMA_ERR_PARAM)
    return joint_fail(err, errlen, rc, "%s: every column of x is constant", who);
  if (!rc) rc = side_init(y, b);
  if (rc == SOMA_ERR_PARAM)
    return joint_fail(err, errlen, rc, "%s: every column of y is constant", who);
  if (rc) return joint_fail(err, errlen, rc, "%s: out of memory", who);
  return SOMA_OK;
}

static int too_few_rows(const char *who, size_t n, size_t p, size_t q, const char *what,
                        char *err, size_t errlen) {
  return joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "%s: %zu rows for %zu + %zu %s: the canonical correlations would be 1 "
                    "whatever the data; needs more rows than that (n >> p + q)%s", who, n, p, q,
                    what, what[0] == 'c' ? ", or ridge > 0" : "");
}

int joint_cca(const gsl_matrix *x, const gsl_matrix *y, double ridge, gsl_vector *rho,
              size_t *n_rho, double *mean_rho, char *err, size_t errlen) {
  if (!(ridge >= 0) || !isfinite(ridge))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "cca: ridge must be >= 0 (got %g)", ridge);
  if (x && y && rho && rho->size < (x->size2 < y->size2 ? x->size2 : y->size2))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "cca: rho must hold >= %zu values",
                      x->size2 < y->size2 ? x->size2 : y->size2);
  side a = {0}, b = {0};
  int rc = init_pair(x, y, "cca", &a, &b, err, errlen);
  if (!rc && ridge == 0 && x->size1 <= x->size2 + y->size2)
    rc = too_few_rows("cca", x->size1, x->size2, y->size2, "columns", err, errlen);
  size_t m = a.r < b.r ? a.r : b.r;
  double *w = rc ? NULL : malloc((a.r + b.r) * sizeof *w);
  gsl_vector *r = rc ? NULL : gsl_vector_alloc(m);
  if (!rc && (!w || !r)) rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "cca: out of memory");
  if (!rc) {
    side_weights(&a, x->size2, ridge, w);
    side_weights(&b, y->size2, ridge, w + a.r);
    if ((rc = correlations(a.u, a.r, w, b.u, b.r, w + a.r, r, NULL)))
      joint_fail(err, errlen, rc, "cca: out of memory");
  }
  if (!rc) {
    double s = 0;
    for (size_t k = 0; k < m; k++) s += gsl_vector_get(r, k);
    if (rho) {
      gsl_vector_set_zero(rho);
      for (size_t k = 0; k < m; k++) gsl_vector_set(rho, k, gsl_vector_get(r, k));
    }
    if (n_rho) *n_rho = m;
    if (mean_rho) *mean_rho = s / (double)m;
  }
  free(w);
  if (r) gsl_vector_free(r);
  side_free(&a), side_free(&b);
  return rc;
}

/* the smallest k whose squared singular values hold >= keep of the total */
static size_t keep_count(const side *a, double keep) {
  double total = 0, acc = 0;
  for (size_t k = 0; k < a->r; k++) total += gsl_vector_get(a->s, k) * gsl_vector_get(a->s, k);
  for (size_t k = 0; k < a->r; k++) {
    acc += gsl_vector_get(a->s, k) * gsl_vector_get(a->s, k);
    if (acc >= keep * total) return k + 1;
  }
  return a->r;
}

int joint_svcca(const gsl_matrix *x, const gsl_matrix *y, double keep, double *mean_rho,
                size_t *kx, size_t *ky, char *err, size_t errlen) {
  if (!(keep > 0 && keep <= 1))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "svcca: keep must be in (0, 1] (got %g)",
                      keep);
  side a = {0}, b = {0};
  int rc = init_pair(x, y, "svcca", &a, &b, err, errlen);
  size_t ka = rc ? 0 : keep_count(&a, keep), kb = rc ? 0 : keep_count(&b, keep);
  if (!rc && x->size1 <= ka + kb)
    rc = too_few_rows("svcca", x->size1, ka, kb, "kept directions", err, errlen);
  size_t m = ka < kb ? ka : kb;
  double *w = rc ? NULL : malloc((ka + kb) * sizeof *w);
  gsl_vector *r = rc ? NULL : gsl_vector_alloc(m);
  if (!rc && (!w || !r)) rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "svcca: out of memory");
  if (!rc) {
    for (size_t k = 0; k < ka + kb; k++) w[k] = 1.0;
    if ((rc = correlations(a.u, ka, w, b.u, kb, w + ka, r, NULL)))
      joint_fail(err, errlen, rc, "svcca: out of memory");
  }
  if (!rc) {
    double s = 0;
    for (size_t k = 0; k < m; k++) s += gsl_vector_get(r, k);
    if (mean_rho) *mean_rho = s / (double)m;
    if (kx) *kx = ka;
    if (ky) *ky = kb;
  }
  free(w);
  if (r) gsl_vector_free(r);
  side_free(&a), side_free(&b);
  return rc;
}

int joint_pwcca(const gsl_matrix *x, const gsl_matrix *y, double *score, char *err,
                size_t errlen) {
  side a = {0}, b = {0};
  int rc = init_pair(x, y, "pwcca", &a, &b, err, errlen);
  if (!rc && x->size1 <= x->size2 + y->size2)
    rc = too_few_rows("pwcca", x->size1, x->size2, y->size2, "columns", err, errlen);
  int swap = !rc && y->size2 < x->size2;
  side *f = swap ? &b : &a, *o = swap ? &a : &b;   /* f: the side whose variates weigh */
  size_t m = a.r < b.r ? a.r : b.r;
  double *w = rc ? NULL : malloc((a.r + b.r) * sizeof *w);
  gsl_vector *r = rc ? NULL : gsl_vector_alloc(m);
  gsl_matrix *left = rc ? NULL : gsl_matrix_alloc(f->r, m);
  gsl_matrix *h = rc ? NULL : gsl_matrix_alloc(f->c->size1, m);
  gsl_matrix *proj = rc ? NULL : gsl_matrix_alloc(m, f->c->size2);
  if (!rc && (!w || !r || !left || !h || !proj))
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "pwcca: out of memory");
  if (!rc) {
    for (size_t k = 0; k < a.r + b.r; k++) w[k] = 1.0;
    if ((rc = correlations(f->u, f->r, w, o->u, o->r, w + f->r, r, left)))
      joint_fail(err, errlen, rc, "pwcca: out of memory");
  }
  if (!rc) {
    /* h = U_f[:, :r] A: the unit-norm canonical variates; proj = hᵀ C_f */
    gsl_matrix_const_view uf = gsl_matrix_const_submatrix(f->u, 0, 0, f->u->size1, f->r);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &uf.matrix, left, 0.0, h);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, h, f->c, 0.0, proj);
    double num = 0, den = 0;
    for (size_t k = 0; k < m; k++) {
      double alpha = 0;
      for (size_t j = 0; j < proj->size2; j++) alpha += fabs(gsl_matrix_get(proj, k, j));
      num += alpha * gsl_vector_get(r, k), den += alpha;
    }
    *score = num / den;
  }
  free(w);
  if (r) gsl_vector_free(r);
  gsl_matrix *all[] = {left, h, proj};
  for (size_t i = 0; i < 3; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  side_free(&a), side_free(&b);
  return rc;
}
