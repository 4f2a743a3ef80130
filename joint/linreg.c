/* linreg.c — affine ridge regression through the eigendecomposition of XᵀX, factored once so
 * that many lambdas cost little (see linreg.h). */
#include "linreg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>

#include "joint/check.h"
#include "joint/mat.h"
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
  if (m->coef) gsl_matrix_free(m->coef);
  if (m->intercept) gsl_vector_free(m->intercept);
  free(m);
}

void joint_linreg_factor_free(joint_linreg_factor *f) {
  if (!f) return;
  if (f->mean_x) gsl_vector_free(f->mean_x);
  if (f->mean_y) gsl_vector_free(f->mean_y);
  if (f->eval) gsl_vector_free(f->eval);
  if (f->evec) gsl_matrix_free(f->evec);
  if (f->vty) gsl_matrix_free(f->vty);
  free(f);
}

int joint_linreg_factor_make(const gsl_matrix *x, const gsl_matrix *y,
                             joint_linreg_factor **out, char *err, size_t errlen) {
  *out = NULL;
  if (!x || !y || x->size1 == 0 || x->size2 == 0 || y->size2 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "linear fit: empty data");
  if (y->size1 != x->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "linear fit: %zu rows of input but %zu of output",
                x->size1, y->size1);
  int rc = joint_check_finite(x, "linear fit", "input", err, errlen);
  if (!rc) rc = joint_check_finite(y, "linear fit", "output", err, errlen);
  if (rc) return rc;
  size_t p = x->size2, q = y->size2;
  joint_linreg_factor *f = calloc(1, sizeof *f);
  gsl_matrix *xc = NULL, *yc = NULL, *xtx = gsl_matrix_alloc(p, p), *xty = gsl_matrix_alloc(p, q);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
  rc = SOMA_ERR_NOMEM;
  if (!f || !xtx || !xty || !ws) goto done;
  f->n = x->size1, f->p = p, f->q = q;
  f->mean_x = gsl_vector_alloc(p), f->mean_y = gsl_vector_alloc(q);
  f->eval = gsl_vector_alloc(p), f->evec = gsl_matrix_alloc(p, p), f->vty = gsl_matrix_alloc(p, q);
  if (!f->mean_x || !f->mean_y || !f->eval || !f->evec || !f->vty) goto done;
  column_means(x, f->mean_x);
  column_means(y, f->mean_y);
  xc = centred(x, f->mean_x);
  yc = centred(y, f->mean_y);
  if (!xc || !yc) goto done;
  joint_mat_gram(xc, 0, xtx);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, xc, yc, 0.0, xty);
  gsl_eigen_symmv(xtx, f->eval, f->evec, ws);
  f->emax = 0;
  for (size_t k = 0; k < p; k++) f->emax = fmax(f->emax, gsl_vector_get(f->eval, k));
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, f->evec, xty, 0.0, f->vty);
  rc = SOMA_OK;
done:
  if (rc) {
    joint_fail(err, errlen, rc, "linear fit: out of memory");
    joint_linreg_factor_free(f);
  } else {
    *out = f;
  }
  if (xc) gsl_matrix_free(xc);
  if (yc) gsl_matrix_free(yc);
  if (xtx) gsl_matrix_free(xtx);
  if (xty) gsl_matrix_free(xty);
  if (ws) gsl_eigen_symmv_free(ws);
  return rc;
}

double joint_linreg_shrink(const joint_linreg_factor *f, size_t k, double lambda) {
  double e = gsl_vector_get(f->eval, k), d = e + lambda;
  return (e > 1e-12 * f->emax || lambda > 0) && d > 0 ? 1.0 / d : 0.0;
}

int joint_linreg_solve(const joint_linreg_factor *f, double lambda, joint_linreg **out,
                       char *err, size_t errlen) {
  *out = NULL;
  if (!(lambda >= 0) || !isfinite(lambda))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "linear fit: lambda must be >= 0 (got %g)",
                      lambda);
  size_t p = f->p, q = f->q;
  joint_linreg *m = calloc(1, sizeof *m);
  gsl_matrix *svty = gsl_matrix_alloc(p, q);
  if (m) m->coef = gsl_matrix_alloc(p, q), m->intercept = gsl_vector_alloc(q);
  if (!m || !svty || !m->coef || !m->intercept) {
    joint_linreg_free(m);
    if (svty) gsl_matrix_free(svty);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "linear fit: out of memory");
  }
  /* B = V diag(1 / (e + lambda)) Vᵀ Xcᵀ Yc */
  gsl_matrix_memcpy(svty, f->vty);
  for (size_t k = 0; k < p; k++) {
    gsl_vector_view row = gsl_matrix_row(svty, k);
    gsl_vector_scale(&row.vector, joint_linreg_shrink(f, k, lambda));
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, f->evec, svty, 0.0, m->coef);
  gsl_matrix_free(svty);
  /* b = ȳ − Bᵀ x̄ */
  gsl_vector_memcpy(m->intercept, f->mean_y);
  gsl_blas_dgemv(CblasTrans, -1.0, m->coef, f->mean_x, 1.0, m->intercept);
  m->p = p, m->q = q, m->lambda = lambda;
  *out = m;
  return SOMA_OK;
}

int joint_linreg_fit(const gsl_matrix *x, const gsl_matrix *y, double lambda,
                     joint_linreg **out, char *err, size_t errlen) {
  *out = NULL;
  if (!(lambda >= 0) || !isfinite(lambda))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "linear fit: lambda must be >= 0 (got %g)",
                      lambda);
  joint_linreg_factor *f;
  int rc = joint_linreg_factor_make(x, y, &f, err, errlen);
  if (rc) return rc;
  rc = joint_linreg_solve(f, lambda, out, err, errlen);
  joint_linreg_factor_free(f);
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
