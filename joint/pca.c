/* pca.c — PCA through gsl_eigen_symmv of XcᵀXc (p <= n) or of the Gram matrix XcXcᵀ (p > n),
 * both formed with one product (joint_mat_gram; see pca.h). */
#include "pca.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>

#include "joint/check.h"
#include "joint/mat.h"
#include "sim/soma.h"

void joint_pca_free(joint_pca *m) {
  if (!m) return;
  if (m->mean) gsl_vector_free(m->mean);
  if (m->components) gsl_matrix_free(m->components);
  if (m->variance) gsl_vector_free(m->variance);
  if (m->ratio) gsl_vector_free(m->ratio);
  free(m);
}

/* the eigenvalues (descending) and vectors of the symmetric s (lower triangle used) */
static int eigen(gsl_matrix *s, gsl_vector *eval, gsl_matrix *evec) {
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(s->size1);
  if (!ws) return SOMA_ERR_NOMEM;
  gsl_eigen_symmv(s, eval, evec, ws);
  gsl_eigen_symmv_free(ws);
  gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
  return SOMA_OK;
}

int joint_pca_fit(const gsl_matrix *x, size_t k, joint_pca **out, char *err, size_t errlen) {
  *out = NULL;
  if (!x || x->size1 < 2 || x->size2 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "PCA: need at least 2 rows and 1 column");
  size_t n = x->size1, p = x->size2, kmax = p < n - 1 ? p : n - 1;
  if (k == 0) k = kmax;
  if (k > kmax)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "PCA: k must be from 1 to min(rows - 1, columns) = %zu (got %zu)", kmax, k);
  int rc = joint_check_finite(x, "PCA", "data", err, errlen);
  if (rc) return rc;
  int gram = p > n;
  size_t s = gram ? n : p;
  joint_pca *m = calloc(1, sizeof *m);
  gsl_matrix *xc = gsl_matrix_alloc(n, p), *sym = gsl_matrix_alloc(s, s),
             *evec = gsl_matrix_alloc(s, s);
  gsl_vector *eval = gsl_vector_alloc(s);
  rc = SOMA_ERR_NOMEM;
  if (!m || !xc || !sym || !evec || !eval) goto done;
  m->n = n, m->p = p, m->k = k;
  m->mean = gsl_vector_calloc(p);
  m->components = gsl_matrix_calloc(p, k);
  m->variance = gsl_vector_alloc(k);
  m->ratio = gsl_vector_alloc(k);
  if (!m->mean || !m->components || !m->variance || !m->ratio) goto done;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) *gsl_vector_ptr(m->mean, j) += gsl_matrix_get(x, i, j);
  gsl_vector_scale(m->mean, 1.0 / (double)n);
  double total = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < p; j++) {
      double c = gsl_matrix_get(x, i, j) - gsl_vector_get(m->mean, j);
      gsl_matrix_set(xc, i, j, c);
      total += c * c;
    }
  m->total_variance = total / (double)(n - 1);
  if (joint_mat_gram(xc, gram, sym)) goto done;
  if ((rc = eigen(sym, eval, evec))) goto done;
  double emax = fmax(gsl_vector_get(eval, 0), 0);
  for (size_t c = 0; c < k; c++) {
    double e = fmax(gsl_vector_get(eval, c), 0);
    gsl_vector_view comp = gsl_matrix_column(m->components, c);
    if (!gram) {
      gsl_vector_const_view v = gsl_matrix_const_column(evec, c);
      gsl_vector_memcpy(&comp.vector, &v.vector);
    } else if (e > 1e-12 * emax && e > 0) {   /* v = Xcᵀu / √λ */
      gsl_vector_const_view u = gsl_matrix_const_column(evec, c);
      gsl_blas_dgemv(CblasTrans, 1.0 / sqrt(e), xc, &u.vector, 0.0, &comp.vector);
    } else {
      e = 0;   /* no variance left: a zero component */
    }
    size_t big = 0;
    for (size_t j = 1; j < p; j++)
      if (fabs(gsl_vector_get(&comp.vector, j)) > fabs(gsl_vector_get(&comp.vector, big))) big = j;
    if (gsl_vector_get(&comp.vector, big) < 0) gsl_vector_scale(&comp.vector, -1.0);
    gsl_vector_set(m->variance, c, e / (double)(n - 1));
    gsl_vector_set(m->ratio, c,
                   m->total_variance > 0 ? e / (double)(n - 1) / m->total_variance : 0);
  }
  rc = SOMA_OK;
done:
  if (rc) {
    joint_fail(err, errlen, rc, "PCA: out of memory");
    joint_pca_free(m);
  } else {
    *out = m;
  }
  if (xc) gsl_matrix_free(xc);
  if (sym) gsl_matrix_free(sym);
  if (evec) gsl_matrix_free(evec);
  if (eval) gsl_vector_free(eval);
  return rc;
}

int joint_pca_transform(const joint_pca *m, const gsl_matrix *x, gsl_matrix *scores, char *err,
                        size_t errlen) {
  if (!m || !x || x->size2 != m->p || !scores || scores->size1 != x->size1 ||
      scores->size2 != m->k)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "PCA transform: need data of %zu columns and scores of its rows x %zu",
                      m ? m->p : 0, m ? m->k : 0);
  gsl_matrix *xc = gsl_matrix_alloc(x->size1, x->size2);
  if (!xc) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "PCA transform: out of memory");
  for (size_t i = 0; i < x->size1; i++)
    for (size_t j = 0; j < x->size2; j++)
      gsl_matrix_set(xc, i, j, gsl_matrix_get(x, i, j) - gsl_vector_get(m->mean, j));
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, xc, m->components, 0.0, scores);
  gsl_matrix_free(xc);
  return SOMA_OK;
}

int joint_pca_reconstruct(const joint_pca *m, const gsl_matrix *scores, gsl_matrix *x, char *err,
                          size_t errlen) {
  if (!m || !scores || scores->size2 != m->k || !x || x->size1 != scores->size1 ||
      x->size2 != m->p)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "PCA reconstruct: need scores of %zu columns and data of its rows x %zu",
                      m ? m->k : 0, m ? m->p : 0);
  for (size_t i = 0; i < x->size1; i++) {
    gsl_vector_view row = gsl_matrix_row(x, i);
    gsl_vector_memcpy(&row.vector, m->mean);
  }
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, scores, m->components, 1.0, x);
  return SOMA_OK;
}
