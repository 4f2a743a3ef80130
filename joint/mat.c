/* mat.c — checks, centring, thin SVD and subsampling shared by the metrics (see mat.h). */
#include "mat.h"

#include <math.h>

#include <gsl/gsl_linalg.h>

#include "joint/check.h"
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

int joint_mat_svd(const gsl_matrix *a, gsl_matrix *u, gsl_vector *s, gsl_matrix *v) {
  int tall = a->size1 >= a->size2;
  size_t r = tall ? a->size1 : a->size2, c = tall ? a->size2 : a->size1;
  gsl_matrix *w = gsl_matrix_alloc(r, c), *vv = gsl_matrix_alloc(c, c), *x = gsl_matrix_alloc(c, c);
  gsl_vector *work = gsl_vector_alloc(c);
  int rc = SOMA_ERR_NOMEM;
  if (!w || !vv || !x || !work) goto done;
  if (tall) gsl_matrix_memcpy(w, a);
  else gsl_matrix_transpose_memcpy(w, a);
  /* w = W diag(s) Vᵀ; the modified (QR first) algorithm is faster for r >> c */
  if (r >= 2 * c) gsl_linalg_SV_decomp_mod(w, x, vv, s, work);
  else gsl_linalg_SV_decomp(w, vv, s, work);
  for (size_t k = 0; k < c; k++)
    if (gsl_vector_get(s, k) < 0) gsl_vector_set(s, k, 0);
  gsl_matrix *left = tall ? u : v, *right = tall ? v : u;
  if (left) gsl_matrix_memcpy(left, w);
  if (right) gsl_matrix_memcpy(right, vv);
  rc = SOMA_OK;
done:
  if (w) gsl_matrix_free(w);
  if (vv) gsl_matrix_free(vv);
  if (x) gsl_matrix_free(x);
  if (work) gsl_vector_free(work);
  return rc;
}

double joint_mat_frobenius(const gsl_matrix *m) {
  double s = 0;
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) s += gsl_matrix_get(m, i, j) * gsl_matrix_get(m, i, j);
  return sqrt(s);
}
