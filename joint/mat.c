/* mat.c — checks, centring, thin SVD and subsampling shared by the metrics (see mat.h). */
#include "mat.h"

#include <math.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "joint/check.h"
#include "sim/rng.h"
#include "sim/soma.h"

int joint_mat_check(const gsl_matrix *x, size_t min_rows, const char *who, const char *what,
                    char *err, size_t len) {
  if (!x) return joint_fail(err, len, SOMA_ERR_PARAM, "%s: the %s is missing", who, what);
  if (x->size1 < min_rows || x->size2 == 0)
    return joint_fail(err, len, SOMA_ERR_PARAM,
                      "%s: the %s has %zu rows and %zu columns (needs >= %zu rows and >= 1 "
                      "column)", who, what, x->size1, x->size2, min_rows);
  return joint_check_finite(x, who, what, err, len);
}

int joint_mat_check_pair(const gsl_matrix *x, const gsl_matrix *y, size_t min_rows,
                         const char *who, char *err, size_t len) {
  int rc = joint_mat_check(x, min_rows, who, "x", err, len);
  if (!rc) rc = joint_mat_check(y, min_rows, who, "y", err, len);
  if (!rc && x->size1 != y->size1)
    rc = joint_fail(err, len, SOMA_ERR_PARAM,
                    "%s: x has %zu rows but y has %zu (rows must be the same samples)", who,
                    x->size1, y->size1);
  return rc;
}

gsl_matrix *joint_mat_centred(const gsl_matrix *m) {
  gsl_matrix *c = gsl_matrix_alloc(m->size1, m->size2);
  if (!c) return NULL;
  for (size_t j = 0; j < m->size2; j++) {
    double s = 0;
    for (size_t i = 0; i < m->size1; i++) s += gsl_matrix_get(m, i, j);
    double mean = s / (double)m->size1;
    for (size_t i = 0; i < m->size1; i++) gsl_matrix_set(c, i, j, gsl_matrix_get(m, i, j) - mean);
  }
  return c;
}

gsl_matrix *joint_mat_rows(const gsl_matrix *m, const size_t *rows, size_t n) {
  gsl_matrix *c = gsl_matrix_alloc(n, m->size2);
  if (!c) return NULL;
  for (size_t i = 0; i < n; i++) {
    gsl_vector_const_view src = gsl_matrix_const_row(m, rows[i]);
    gsl_vector_view dst = gsl_matrix_row(c, i);
    gsl_vector_memcpy(&dst.vector, &src.vector);
  }
  return c;
}

void joint_mat_even_rows(size_t n, size_t m, size_t *rows) {
  for (size_t i = 0; i < m; i++) rows[i] = i * n / m;   /* n <= 1e9 and m <= 1e9 do not overflow */
}

/* Thin SVD of a tall r × c matrix w (r >= c), overwritten with U. For r >= 2c, a blocked QR
 * first (gsl_linalg_QR_decomp_r: w = Q R with Q = I − V T Vᵀ, V unit lower trapezoidal in
 * the lower part of w), the SVD of the small R = U_R S Vᵀ, then U = Q [U_R; 0] =
 * [U_R; 0] − V (T (V_topᵀ U_R)), all with Level-3 BLAS. */
static int tall_svd(gsl_matrix *w, gsl_vector *s, gsl_matrix *vv) {
  size_t r = w->size1, c = w->size2;
  gsl_vector *work = gsl_vector_alloc(c);
  gsl_matrix *t = NULL, *v = NULL, *ur = NULL, *m = NULL, *tm = NULL;
  int rc = SOMA_ERR_NOMEM;
  if (!work) goto done;
  if (r < 2 * c) {
    gsl_linalg_SV_decomp(w, vv, s, work);
    rc = SOMA_OK;
    goto done;
  }
  /* T is upper triangular; QR_decomp_r leaves its lower part untouched: start from zeros */
  t = gsl_matrix_calloc(c, c), v = gsl_matrix_alloc(r, c), ur = gsl_matrix_alloc(c, c);
  m = gsl_matrix_alloc(c, c), tm = gsl_matrix_alloc(c, c);
  if (!t || !v || !ur || !m || !tm) goto done;
  gsl_linalg_QR_decomp_r(w, t);
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < c; j++) {
      double x = gsl_matrix_get(w, i, j);
      gsl_matrix_set(v, i, j, i > j ? x : i == j ? 1.0 : 0.0);
      if (i < c) gsl_matrix_set(ur, i, j, i <= j ? x : 0.0);
    }
  gsl_linalg_SV_decomp(ur, vv, s, work);   /* ur becomes U_R */
  gsl_matrix_const_view vtop = gsl_matrix_const_submatrix(v, 0, 0, c, c);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &vtop.matrix, ur, 0.0, m);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, t, m, 0.0, tm);
  gsl_matrix_set_zero(w);
  gsl_matrix_view wtop = gsl_matrix_submatrix(w, 0, 0, c, c);
  gsl_matrix_memcpy(&wtop.matrix, ur);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, v, tm, 1.0, w);
  rc = SOMA_OK;
done:
  if (work) gsl_vector_free(work);
  gsl_matrix *all[] = {t, v, ur, m, tm};
  for (size_t i = 0; i < 5; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  return rc;
}

int joint_mat_svd(const gsl_matrix *a, gsl_matrix *u, gsl_vector *s, gsl_matrix *v) {
  int tall = a->size1 >= a->size2;
  size_t r = tall ? a->size1 : a->size2, c = tall ? a->size2 : a->size1;
  gsl_matrix *w = gsl_matrix_alloc(r, c), *vv = gsl_matrix_alloc(c, c);
  int rc = SOMA_ERR_NOMEM;
  if (!w || !vv) goto done;
  if (tall) gsl_matrix_memcpy(w, a);
  else gsl_matrix_transpose_memcpy(w, a);
  if ((rc = tall_svd(w, s, vv))) goto done;
  for (size_t k = 0; k < c; k++)
    if (gsl_vector_get(s, k) < 0) gsl_vector_set(s, k, 0);
  gsl_matrix *left = tall ? u : v, *right = tall ? v : u;
  if (left) gsl_matrix_memcpy(left, w);
  if (right) gsl_matrix_memcpy(right, vv);
done:
  if (w) gsl_matrix_free(w);
  if (vv) gsl_matrix_free(vv);
  return rc;
}

int joint_mat_random_orthogonal(uint32_t seed, uint32_t stream, uint32_t counter, gsl_matrix *q) {
  size_t r = q->size1;
  gsl_matrix *m = gsl_matrix_alloc(r, r), *rr = gsl_matrix_alloc(r, r);
  gsl_vector *tau = gsl_vector_alloc(r);
  gsl_rng *g = soma_gsl_rng_alloc();
  int rc = SOMA_ERR_NOMEM;
  if (m && rr && tau && g) {
    soma_gsl_rng_reset(g, seed, stream, counter, 0, 0);
    for (size_t i = 0; i < r; i++)
      for (size_t j = 0; j < r; j++) gsl_matrix_set(m, i, j, gsl_ran_gaussian(g, 1.0));
    gsl_linalg_QR_decomp(m, tau);
    gsl_linalg_QR_unpack(m, tau, q, rr);
    for (size_t j = 0; j < r; j++)
      if (gsl_matrix_get(rr, j, j) < 0) {
        gsl_vector_view col = gsl_matrix_column(q, j);
        gsl_vector_scale(&col.vector, -1.0);
      }
    rc = SOMA_OK;
  }
  if (m) gsl_matrix_free(m);
  if (rr) gsl_matrix_free(rr);
  if (tau) gsl_vector_free(tau);
  if (g) soma_gsl_rng_free(g);
  return rc;
}

double joint_mat_frobenius(const gsl_matrix *m) {
  double s = 0;
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) s += gsl_matrix_get(m, i, j) * gsl_matrix_get(m, i, j);
  return sqrt(s);
}

int joint_mat_gram(const gsl_matrix *x, int outer, gsl_matrix *out) {
  if (!outer) {
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, x, x, 0.0, out);
    return SOMA_OK;
  }
  gsl_matrix *t = gsl_matrix_alloc(x->size2, x->size1);
  if (!t) return SOMA_ERR_NOMEM;
  gsl_matrix_transpose_memcpy(t, x);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, t, t, 0.0, out);
  gsl_matrix_free(t);
  return SOMA_OK;
}
