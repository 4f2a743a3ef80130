/* linreg.c — affine ridge regression through the eigendecomposition of XᵀX (see linreg.h). */
#include "linreg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>

#include "joint/check.h"
#include "joint/score.h"
#include "sim/soma.h"

/* column means of m into mean */
static void column_means(const gsl_matrix *m, gsl_vector *mean) {
  gsl_vector_set_zero(mean);
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) *gsl_vector_ptr(mean, j) += gsl_matrix_get(m, i, j);
  gsl_vector_scale(mean, 1.0 / (double)m->size1);
}

/* a copy of m with its column means subtracted */
static gsl_matrix *centred(const gsl_matrix *m, const gsl_vector *mean) {
  gsl_matrix *c = gsl_matrix_alloc(m->size1, m->size2);
  if (!c) return NULL;
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++)
      gsl_matrix_set(c, i, j, gsl_matrix_get(m, i, j) - gsl_vector_get(mean, j));
  return c;
}

void joint_linreg_free(joint_linreg *m) {
  if (!m) return;
  gsl_matrix_free(m->coef);
  gsl_vector_free(m->intercept);
  free(m);
}

int joint_linreg_fit(const gsl_matrix *x, const gsl_matrix *y, double lambda,
                     joint_linreg **out, char *err, size_t errlen) {
  *out = NULL;
  if (!x || !y || x->size1 == 0 || x->size2 == 0 || y->size2 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "linear fit: empty data");
  if (y->size1 != x->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "linear fit: %zu rows of input but %zu of output",
                x->size1, y->size1);
  if (!(lambda >= 0) || !isfinite(lambda))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "linear fit: lambda must be >= 0 (got %g)",
                      lambda);
  int rc = joint_check_finite(x, "linear fit", "input", err, errlen);
  if (!rc) rc = joint_check_finite(y, "linear fit", "output", err, errlen);
  if (rc) return rc;
  size_t p = x->size2, q = y->size2;
  joint_linreg *m = calloc(1, sizeof *m);
  gsl_vector *mx = gsl_vector_alloc(p), *my = gsl_vector_alloc(q), *eval = gsl_vector_alloc(p);
  gsl_matrix *xc = NULL, *yc = NULL;
  gsl_matrix *xtx = gsl_matrix_alloc(p, p), *evec = gsl_matrix_alloc(p, p);
  gsl_matrix *xty = gsl_matrix_alloc(p, q), *vty = gsl_matrix_alloc(p, q);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
  rc = SOMA_ERR_NOMEM;
  if (!m || !mx || !my || !eval || !xtx || !evec || !xty || !vty || !ws) goto done;
  m->coef = gsl_matrix_alloc(p, q);
  m->intercept = gsl_vector_alloc(q);
  column_means(x, mx);
  column_means(y, my);
  xc = centred(x, mx);
  yc = centred(y, my);
  if (!m->coef || !m->intercept || !xc || !yc) goto done;
  /* B = V diag(1 / (e + lambda)) Vᵀ Xcᵀ Yc */
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, xc, 0.0, xtx);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, xc, yc, 0.0, xty);
  gsl_eigen_symmv(xtx, eval, evec, ws);
  double emax = 0;
  for (size_t k = 0; k < p; k++) emax = fmax(emax, gsl_vector_get(eval, k));
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, evec, xty, 0.0, vty);
  for (size_t k = 0; k < p; k++) {
    double e = gsl_vector_get(eval, k), d = e + lambda;
    double s = (e > 1e-12 * emax || lambda > 0) && d > 0 ? 1.0 / d : 0.0;
    gsl_vector_view row = gsl_matrix_row(vty, k);
    gsl_vector_scale(&row.vector, s);
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, evec, vty, 0.0, m->coef);
  /* b = ȳ − Bᵀ x̄ */
  gsl_vector_memcpy(m->intercept, my);
  gsl_blas_dgemv(CblasTrans, -1.0, m->coef, mx, 1.0, m->intercept);
  m->p = p, m->q = q, m->lambda = lambda;
  rc = SOMA_OK;
done:
  if (rc) {
    joint_fail(err, errlen, rc, "linear fit: out of memory");
    joint_linreg_free(m);
  } else {
    *out = m;
  }
  gsl_vector_free(mx), gsl_vector_free(my), gsl_vector_free(eval);
  if (xc) gsl_matrix_free(xc);
  if (yc) gsl_matrix_free(yc);
  gsl_matrix_free(xtx), gsl_matrix_free(evec), gsl_matrix_free(xty), gsl_matrix_free(vty);
  if (ws) gsl_eigen_symmv_free(ws);
  return rc;
}

int joint_linreg_predict(const joint_linreg *m, const gsl_matrix *x, gsl_matrix *pred,
                         char *err, size_t errlen) {
  if (!m || !x || x->size2 != m->p)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "linear prediction: the input must have %zu columns",
                m ? m->p : 0);
  if (!pred || pred->size1 != x->size1 || pred->size2 != m->q)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "linear prediction: the output must be %zu x %zu",
                x->size1, m->q);
  for (size_t i = 0; i < x->size1; i++) {
    gsl_vector_view row = gsl_matrix_row(pred, i);
    gsl_vector_memcpy(&row.vector, m->intercept);
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, x, m->coef, 1.0, pred);
  return SOMA_OK;
}

double joint_linreg_r2_in_sample(const gsl_matrix *x, const gsl_matrix *y) {
  joint_linreg *m;
  if (joint_linreg_fit(x, y, 0.0, &m, NULL, 0) != SOMA_OK) return NAN;
  gsl_matrix *pred = gsl_matrix_alloc(y->size1, y->size2);
  double r2 = NAN;
  if (pred && joint_linreg_predict(m, x, pred, NULL, 0) == SOMA_OK) r2 = joint_r2(y, pred);
  if (pred) gsl_matrix_free(pred);
  joint_linreg_free(m);
  return r2;
}
