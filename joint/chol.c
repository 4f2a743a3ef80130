/* chol.c — Cholesky factorisation, solves, log-determinant and inverse that report failure
 * instead of aborting (see chol.h). */
#include "chol.h"

#include <math.h>

#include <gsl/gsl_blas.h>

#include "sim/soma.h"

int joint_chol_decomp(gsl_matrix *a) {
  size_t n = a->size1;
  if (a->size2 != n) return SOMA_ERR_NUMERIC;
  for (size_t j = 0; j < n; j++) {
    double *lj = gsl_matrix_ptr(a, j, 0);
    double s = lj[j];
    for (size_t k = 0; k < j; k++) s -= lj[k] * lj[k];
    if (!(s > 0) || !isfinite(s)) return SOMA_ERR_NUMERIC;
    double d = sqrt(s);
    lj[j] = d;
    for (size_t i = j + 1; i < n; i++) {
      double *li = gsl_matrix_ptr(a, i, 0);
      double v = li[j];
      for (size_t k = 0; k < j; k++) v -= li[k] * lj[k];
      li[j] = v / d;
    }
  }
  return SOMA_OK;
}

void joint_chol_solve(const gsl_matrix *l, gsl_matrix *b) {
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, l, b);
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, l, b);
}

void joint_chol_solve_vec(const gsl_matrix *l, gsl_vector *b) {
  gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, l, b);
  gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, l, b);
}

double joint_chol_logdet(const gsl_matrix *l) {
  double s = 0;
  for (size_t i = 0; i < l->size1; i++) s += log(gsl_matrix_get(l, i, i));
  return 2 * s;
}

void joint_chol_inverse(const gsl_matrix *l, gsl_matrix *inv) {
  gsl_matrix_set_identity(inv);
  joint_chol_solve(l, inv);
  joint_symmetrise(inv);
}

void joint_symmetrise(gsl_matrix *a) {
  for (size_t i = 0; i < a->size1; i++)
    for (size_t j = 0; j < i; j++) {
      double v = 0.5 * (gsl_matrix_get(a, i, j) + gsl_matrix_get(a, j, i));
      gsl_matrix_set(a, i, j, v);
      gsl_matrix_set(a, j, i, v);
    }
}
