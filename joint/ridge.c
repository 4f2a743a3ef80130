/* ridge.c — the ridge decoder with its penalty chosen on validation (see ridge.h). XᵀX is
 * factored once (joint_linreg_factor); the validation predictions for every lambda come from
 * Z = (Xv − 1x̄ᵀ)V, also made once: pred(λ) = 1ȳᵀ + Z diag(s(λ)) VᵀXcᵀYc. */
#include "ridge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "joint/check.h"
#include "joint/score.h"
#include "sim/soma.h"

joint_ridge_opts joint_ridge_defaults(void) {
  return (joint_ridge_opts){.lo = 1e-4, .hi = 1e4, .n_lambdas = 17, .refit = JOINT_RIDGE_TRAIN};
}

void joint_ridge_free(joint_ridge *r) {
  if (!r) return;
  joint_linreg_free(r->model);
  free(r->lambdas), free(r->valid_r2s);
  free(r);
}

/* rows of a stacked on rows of b */
static gsl_matrix *stack(const gsl_matrix *a, const gsl_matrix *b) {
  gsl_matrix *m = gsl_matrix_alloc(a->size1 + b->size1, a->size2);
  if (!m) return NULL;
  gsl_matrix_view top = gsl_matrix_submatrix(m, 0, 0, a->size1, a->size2);
  gsl_matrix_view bottom = gsl_matrix_submatrix(m, a->size1, 0, b->size1, b->size2);
  gsl_matrix_memcpy(&top.matrix, a);
  gsl_matrix_memcpy(&bottom.matrix, b);
  return m;
}

int joint_ridge_fit(const gsl_matrix *train_x, const gsl_matrix *train_y,
                    const gsl_matrix *valid_x, const gsl_matrix *valid_y,
                    const joint_ridge_opts *o, joint_ridge **out, char *err, size_t errlen) {
  *out = NULL;
  joint_ridge_opts d = joint_ridge_defaults();
  if (!o) o = &d;
  if (!(o->lo > 0) || !(o->hi >= o->lo) || !isfinite(o->hi) || o->n_lambdas < 1 ||
      (o->refit != JOINT_RIDGE_TRAIN && o->refit != JOINT_RIDGE_TRAIN_VALID))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "ridge: the grid needs 0 < lo <= hi and "
                      "n_lambdas >= 1, refit 0 or 1 (got %g, %g, %d, %d)", o->lo, o->hi,
                      o->n_lambdas, o->refit);
  if (!valid_x || !valid_y || !train_x || !train_y || valid_x->size1 == 0 ||
      valid_x->size1 != valid_y->size1 || valid_x->size2 != train_x->size2 ||
      valid_y->size2 != train_y->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "ridge: the validation rows must have the training rows' columns (%zu "
                      "inputs, %zu labels) and as many labels as inputs",
                      train_x ? train_x->size2 : 0, train_y ? train_y->size2 : 0);
  int rc = joint_check_finite(valid_x, "ridge", "validation inputs", err, errlen);
  if (!rc) rc = joint_check_finite(valid_y, "ridge", "validation labels", err, errlen);
  joint_linreg_factor *f = NULL;
  if (!rc) rc = joint_linreg_factor_make(train_x, train_y, &f, err, errlen);
  if (rc) return rc;
  size_t p = f->p, q = f->q, nv = valid_x->size1;
  int n = o->n_lambdas;
  joint_ridge *r = calloc(1, sizeof *r);
  gsl_matrix *z = gsl_matrix_alloc(nv, p), *xv = gsl_matrix_alloc(nv, p);
  gsl_matrix *w = gsl_matrix_alloc(p, q), *pred = gsl_matrix_alloc(nv, q);
  if (r) r->lambdas = malloc((size_t)n * sizeof *r->lambdas),
         r->valid_r2s = malloc((size_t)n * sizeof *r->valid_r2s);
  rc = SOMA_ERR_NOMEM;
  if (!r || !z || !xv || !w || !pred || !r->lambdas || !r->valid_r2s) goto done;
  /* the grid's unit: the mean eigenvalue of the centred XᵀX */
  double trace = 0;
  for (size_t k = 0; k < p; k++) trace += fmax(0.0, gsl_vector_get(f->eval, k));
  r->scale = trace > 0 ? trace / (double)p : 1.0;
  /* Z = (Xv − 1 x̄ᵀ) V */
  for (size_t i = 0; i < nv; i++)
    for (size_t j = 0; j < p; j++)
      gsl_matrix_set(xv, i, j, gsl_matrix_get(valid_x, i, j) - gsl_vector_get(f->mean_x, j));
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, xv, f->evec, 0.0, z);
  r->chosen = 0;
  for (int k = 0; k < n; k++) {
    double lam = r->scale * (n == 1 ? o->lo : o->lo * pow(o->hi / o->lo, (double)k / (n - 1)));
    r->lambdas[k] = lam;
    gsl_matrix_memcpy(w, f->vty);
    for (size_t e = 0; e < p; e++) {
      gsl_vector_view row = gsl_matrix_row(w, e);
      gsl_vector_scale(&row.vector, joint_linreg_shrink(f, e, lam));
    }
    for (size_t i = 0; i < nv; i++) {
      gsl_vector_view row = gsl_matrix_row(pred, i);
      gsl_vector_memcpy(&row.vector, f->mean_y);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, z, w, 1.0, pred);
    r->valid_r2s[k] = joint_r2(valid_y, pred);
    if (k == 0 || r->valid_r2s[k] >= r->valid_r2s[r->chosen]) r->chosen = k;
  }
  r->n_lambdas = n;
  r->lambda = r->lambdas[r->chosen];
  r->valid_r2 = r->valid_r2s[r->chosen];
  r->refit = o->refit;
  if (o->refit == JOINT_RIDGE_TRAIN) {
    rc = joint_linreg_solve(f, r->lambda, &r->model, err, errlen);
  } else {
    gsl_matrix *ax = stack(train_x, valid_x), *ay = stack(train_y, valid_y);
    rc = ax && ay ? joint_linreg_fit(ax, ay, r->lambda, &r->model, err, errlen) : SOMA_ERR_NOMEM;
    if (ax) gsl_matrix_free(ax);
    if (ay) gsl_matrix_free(ay);
  }
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, "ridge: out of memory");
  if (rc) joint_ridge_free(r);
  else *out = r;
  joint_linreg_factor_free(f);
  if (z) gsl_matrix_free(z);
  if (xv) gsl_matrix_free(xv);
  if (w) gsl_matrix_free(w);
  if (pred) gsl_matrix_free(pred);
  return rc;
}

int joint_ridge_predict(const joint_ridge *r, const gsl_matrix *x, gsl_matrix *pred, char *err,
                        size_t errlen) {
  if (!r) return joint_fail(err, errlen, SOMA_ERR_PARAM, "ridge: no model");
  return joint_linreg_predict(r->model, x, pred, err, errlen);
}

int joint_ridge_score(const joint_ridge *r, const gsl_matrix *x, const gsl_matrix *y, double *r2,
                      double *median_error, char *err, size_t errlen) {
  if (!r || !x || !y || y->size1 != x->size1 || y->size2 != r->model->q || !x->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "ridge score: need as many label rows as input rows, %zu label columns",
                      r ? r->model->q : 0);
  gsl_matrix *pred = gsl_matrix_alloc(y->size1, y->size2);
  if (!pred) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "ridge score: out of memory");
  int rc = joint_ridge_predict(r, x, pred, err, errlen);
  if (!rc) {
    if (r2) *r2 = joint_r2(y, pred);
    if (median_error) *median_error = joint_median_error(y, pred);
  }
  gsl_matrix_free(pred);
  return rc;
}
