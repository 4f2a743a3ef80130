/* cka.c — linear and RBF centred kernel alignment (see cka.h). */
#include "cka.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_statistics_double.h>

#include "joint/check.h"
#include "joint/mat.h"
#include "sim/soma.h"

joint_cka_opts joint_cka_defaults(void) {
  return (joint_cka_opts){.theta = 1.0, .max_rows = 3000};
}

int joint_cka_linear(const gsl_matrix *x, const gsl_matrix *y, double *cka, char *err,
                     size_t errlen) {
  int rc = joint_mat_check_pair(x, y, 2, "linear cka", err, errlen);
  if (rc) return rc;
  size_t p = x->size2, q = y->size2;
  gsl_matrix *xc = joint_mat_centred(x), *yc = joint_mat_centred(y);
  gsl_matrix *xx = gsl_matrix_alloc(p, p), *yy = gsl_matrix_alloc(q, q);
  gsl_matrix *yx = gsl_matrix_alloc(q, p);
  rc = SOMA_ERR_NOMEM;
  if (xc && yc && xx && yy && yx) {
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, xc, xc, 0.0, xx);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, yc, yc, 0.0, yy);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, yc, xc, 0.0, yx);
    double nx = joint_mat_frobenius(xx), ny = joint_mat_frobenius(yy);
    double cross = joint_mat_frobenius(yx);
    if (!(nx > 0) || !(ny > 0))
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "linear cka: every column of %s is constant",
                      nx > 0 ? "y" : "x");
    else
      *cka = cross / nx * (cross / ny), rc = SOMA_OK;
  } else {
    joint_fail(err, errlen, rc, "linear cka: out of memory");
  }
  gsl_matrix *all[] = {xc, yc, xx, yy, yx};
  for (size_t i = 0; i < 5; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  return rc;
}

/* The centred RBF Gram matrix of x (n × p) into g (n × n). SOMA_ERR_PARAM if the median
 * squared distance is 0. */
static int centred_rbf_gram(const gsl_matrix *x, double theta, gsl_matrix *g, double *upper) {
  long n = (long)x->size1;
  size_t p = x->size2;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) {
    const double *a = gsl_matrix_const_ptr(x, (size_t)i, 0);
    gsl_matrix_set(g, (size_t)i, (size_t)i, 0.0);
    for (long j = i + 1; j < n; j++) {
      const double *b = gsl_matrix_const_ptr(x, (size_t)j, 0);
      double s = 0;
      for (size_t k = 0; k < p; k++) s += (a[k] - b[k]) * (a[k] - b[k]);
      gsl_matrix_set(g, (size_t)i, (size_t)j, s);
      gsl_matrix_set(g, (size_t)j, (size_t)i, s);
    }
  }
  /* The median of all n² entries: n zeros (diagonal), then every upper-triangle value twice,
   * so the t-th smallest (t >= n) is the ((t − n) / 2)-th smallest of the upper triangle. */
  size_t m = 0, N = (size_t)n * (size_t)n;
  for (long i = 0; i < n; i++)
    for (long j = i + 1; j < n; j++) upper[m++] = gsl_matrix_get(g, (size_t)i, (size_t)j);
  size_t t_lo = (N - 1) / 2, t_hi = N / 2;
  double v_lo = t_lo < (size_t)n ? 0 : gsl_stats_select(upper, 1, m, (t_lo - (size_t)n) / 2);
  double v_hi = t_hi < (size_t)n ? 0 : gsl_stats_select(upper, 1, m, (t_hi - (size_t)n) / 2);
  double median = 0.5 * (v_lo + v_hi);
  if (!(median > 0)) return SOMA_ERR_PARAM;
  double scale = -1.0 / (2.0 * theta * theta * median);
  double *rowmean = upper;   /* reused: m >= n for n >= 3; n = 2 handled by the caller */
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) {
    double s = 0;
    for (long j = 0; j < n; j++) {
      double k = exp(gsl_matrix_get(g, (size_t)i, (size_t)j) * scale);
      gsl_matrix_set(g, (size_t)i, (size_t)j, k);
      s += k;
    }
    rowmean[i] = s / (double)n;
  }
  double grand = 0;
  for (long i = 0; i < n; i++) grand += rowmean[i];
  grand /= (double)n;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++)
      *gsl_matrix_ptr(g, (size_t)i, (size_t)j) += grand - rowmean[i] - rowmean[j];
  return SOMA_OK;
}

/* ⟨a, b⟩_F with per-row partial sums added in row order */
static double frobenius_dot(const gsl_matrix *a, const gsl_matrix *b, double *partial) {
  long n = (long)a->size1;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) {
    double s = 0;
    for (size_t j = 0; j < a->size2; j++)
      s += gsl_matrix_get(a, (size_t)i, j) * gsl_matrix_get(b, (size_t)i, j);
    partial[i] = s;
  }
  double s = 0;
  for (long i = 0; i < n; i++) s += partial[i];
  return s;
}

int joint_cka_rbf(const gsl_matrix *x, const gsl_matrix *y, joint_cka_opts o, double *cka,
                  size_t *rows_used, char *err, size_t errlen) {
  int rc = joint_mat_check_pair(x, y, 3, "rbf cka", err, errlen);
  if (rc) return rc;
  if (!(o.theta > 0) || !isfinite(o.theta))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "rbf cka: theta must be > 0 (got %g)",
                      o.theta);
  if (o.max_rows < 3)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "rbf cka: max_rows must be >= 3 (got %zu)",
                      o.max_rows);
  size_t n = x->size1 > o.max_rows ? o.max_rows : x->size1;
  size_t *rows = malloc(n * sizeof *rows);
  gsl_matrix *xs = NULL, *ys = NULL, *gx = NULL, *gy = NULL;
  double *upper = malloc((n * (n - 1) / 2) * sizeof *upper);
  rc = SOMA_ERR_NOMEM;
  if (!rows || !upper) goto done;
  joint_mat_even_rows(x->size1, n, rows);
  xs = joint_mat_rows(x, rows, n), ys = joint_mat_rows(y, rows, n);
  gx = gsl_matrix_alloc(n, n), gy = gsl_matrix_alloc(n, n);
  if (!xs || !ys || !gx || !gy) goto done;
  const char *same = NULL;
  if ((rc = centred_rbf_gram(xs, o.theta, gx, upper))) same = "x";
  else if ((rc = centred_rbf_gram(ys, o.theta, gy, upper))) same = "y";
  if (rc) {
    joint_fail(err, errlen, rc,
               "rbf cka: the median squared distance between the %zu rows of %s is 0 (most "
               "rows are identical): no kernel width", n, same);
    goto done;
  }
  double kl = frobenius_dot(gx, gy, upper), kk = frobenius_dot(gx, gx, upper);
  double ll = frobenius_dot(gy, gy, upper);
  *cka = kl / (sqrt(kk) * sqrt(ll));
  if (rows_used) *rows_used = n;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, "rbf cka: out of memory (%zu rows)", n);
  free(rows), free(upper);
  gsl_matrix *all[] = {xs, ys, gx, gy};
  for (size_t i = 0; i < 4; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  return rc;
}
