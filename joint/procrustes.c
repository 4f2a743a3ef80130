/* procrustes.c — generalised shape metrics (Williams et al. 2021), see procrustes.h. */
#include "procrustes.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>

#include "joint/check.h"
#include "joint/mat.h"
#include "sim/soma.h"

#define WHO "procrustes"
#define EIGVAL_TOL 1e-7   /* netrep's whiten(eigval_tol) */
#define BLOCK 256         /* rows per block of the aligned matrices */

joint_procrustes_opts joint_procrustes_defaults(void) {
  return (joint_procrustes_opts){.alpha = 1.0, .center = 1, .score = JOINT_SHAPE_ANGULAR};
}

/* z (P × P) = the partial whitening of the padded Gram matrix g (destroyed). */
static int whitening(gsl_matrix *g, double alpha, gsl_matrix *z) {
  size_t P = g->size1;
  if (alpha > 1 - EIGVAL_TOL) {
    gsl_matrix_set_identity(z);
    return SOMA_OK;
  }
  gsl_vector *lam = gsl_vector_alloc(P);
  gsl_matrix *v = gsl_matrix_alloc(P, P), *vd = gsl_matrix_alloc(P, P);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(P);
  int rc = SOMA_ERR_NOMEM;
  if (lam && v && vd && ws) {
    gsl_eigen_symmv(g, lam, v, ws);
    double total = 0, new_var = 0;
    for (size_t k = 0; k < P; k++) {
      double l = fmax(gsl_vector_get(lam, k), EIGVAL_TOL);
      gsl_vector_set(lam, k, l);
      total += l;
      new_var += alpha * alpha * l + 2 * alpha * (1 - alpha) * sqrt(l) + (1 - alpha) * (1 - alpha);
    }
    double rescale = sqrt(total / new_var);
    for (size_t k = 0; k < P; k++) {
      double d = (alpha + (1 - alpha) / sqrt(gsl_vector_get(lam, k))) * rescale;
      for (size_t i = 0; i < P; i++) gsl_matrix_set(vd, i, k, gsl_matrix_get(v, i, k) * d);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, vd, v, 0.0, z);
    rc = SOMA_OK;
  }
  if (lam) gsl_vector_free(lam);
  if (v) gsl_matrix_free(v);
  if (vd) gsl_matrix_free(vd);
  if (ws) gsl_eigen_symmv_free(ws);
  return rc;
}

/* Sums over row blocks of a = c_x w_x, b = c_y w_y (w: the first p or q rows of the P × P
 * alignment): pass 0 adds ‖a‖², ‖b‖² into s[0], s[1]; pass 1 adds ‖a / na − b / nb‖² into
 * s[2] (the Euclidean score uses na = nb = 1). */
static int aligned_sums(const gsl_matrix *cx, const gsl_matrix *wx, const gsl_matrix *cy,
                        const gsl_matrix *wy, int pass, double na, double nb, double *s) {
  size_t n = cx->size1, P = wx->size2;
  gsl_matrix *a = gsl_matrix_alloc(BLOCK, P), *b = gsl_matrix_alloc(BLOCK, P);
  if (!a || !b) {
    if (a) gsl_matrix_free(a);
    if (b) gsl_matrix_free(b);
    return SOMA_ERR_NOMEM;
  }
  gsl_matrix_const_view vx = gsl_matrix_const_submatrix(wx, 0, 0, cx->size2, P);
  gsl_matrix_const_view vy = gsl_matrix_const_submatrix(wy, 0, 0, cy->size2, P);
  for (size_t r0 = 0; r0 < n; r0 += BLOCK) {
    size_t m = n - r0 < BLOCK ? n - r0 : BLOCK;
    gsl_matrix_const_view bx = gsl_matrix_const_submatrix(cx, r0, 0, m, cx->size2);
    gsl_matrix_const_view by = gsl_matrix_const_submatrix(cy, r0, 0, m, cy->size2);
    gsl_matrix_view ba = gsl_matrix_submatrix(a, 0, 0, m, P);
    gsl_matrix_view bb = gsl_matrix_submatrix(b, 0, 0, m, P);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &bx.matrix, &vx.matrix, 0.0, &ba.matrix);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &by.matrix, &vy.matrix, 0.0, &bb.matrix);
    for (size_t i = 0; i < m; i++)
      for (size_t j = 0; j < P; j++) {
        double u = gsl_matrix_get(a, i, j), v = gsl_matrix_get(b, i, j);
        if (pass == 0) s[0] += u * u, s[1] += v * v;
        else s[2] += (u / na - v / nb) * (u / na - v / nb);
      }
  }
  gsl_matrix_free(a), gsl_matrix_free(b);
  return SOMA_OK;
}

int joint_procrustes(const gsl_matrix *x, const gsl_matrix *y, joint_procrustes_opts o,
                     double *dist, char *err, size_t errlen) {
  int rc = joint_mat_check_pair(x, y, 2, WHO, err, errlen);
  if (rc) return rc;
  if (!(o.alpha >= 0 && o.alpha <= 1))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": alpha must be in [0, 1] (got %g)",
                      o.alpha);
  if (o.score != JOINT_SHAPE_ANGULAR && o.score != JOINT_SHAPE_EUCLIDEAN)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": unknown score %d", (int)o.score);
  size_t p = x->size2, q = y->size2, P = p > q ? p : q;
  gsl_matrix *cx = NULL, *cy = NULL;
  if (o.center) cx = joint_mat_centred(x), cy = joint_mat_centred(y);
  else if ((cx = gsl_matrix_alloc(x->size1, p)) && (cy = gsl_matrix_alloc(y->size1, q)))
    gsl_matrix_memcpy(cx, x), gsl_matrix_memcpy(cy, y);
  gsl_matrix *gx = gsl_matrix_calloc(P, P), *gy = gsl_matrix_calloc(P, P);
  gsl_matrix *zx = gsl_matrix_alloc(P, P), *zy = gsl_matrix_alloc(P, P);
  gsl_matrix *m = gsl_matrix_calloc(P, P), *t = gsl_matrix_alloc(P, P);
  gsl_matrix *u = gsl_matrix_alloc(P, P), *v = gsl_matrix_alloc(P, P);
  gsl_vector *s = gsl_vector_alloc(P);
  double sums[3] = {0, 0, 0};
  rc = SOMA_ERR_NOMEM;
  if (!cx || !cy || !gx || !gy || !zx || !zy || !m || !t || !u || !v || !s) goto done;
  gsl_matrix_view gxv = gsl_matrix_submatrix(gx, 0, 0, p, p);
  gsl_matrix_view gyv = gsl_matrix_submatrix(gy, 0, 0, q, q);
  gsl_matrix_view mv = gsl_matrix_submatrix(m, 0, 0, p, q);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, cx, cx, 0.0, &gxv.matrix);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, cy, cy, 0.0, &gyv.matrix);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, cx, cy, 0.0, &mv.matrix);
  if (whitening(gx, o.alpha, zx) || whitening(gy, o.alpha, zy)) goto done;
  /* X̃ᵀỸ = Z_x (XᵀY) Z_y; its SVD U S Vᵀ; the alignments W_x = Z_x U, W_y = Z_y V */
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, zx, m, 0.0, t);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, t, zy, 0.0, m);
  if (joint_mat_svd(m, u, s, v)) goto done;
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, zx, u, 0.0, t);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, zy, v, 0.0, m);
  if (aligned_sums(cx, t, cy, m, 0, 1, 1, sums)) goto done;
  double na = sqrt(sums[0]), nb = sqrt(sums[1]);
  if (!(na > 0) || !(nb > 0)) {
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": %s has no variance (all rows alike%s)",
                    na > 0 ? "y" : "x", o.center ? " after centring" : "");
    goto done;
  }
  int angular = o.score == JOINT_SHAPE_ANGULAR;
  if (aligned_sums(cx, t, cy, m, 1, angular ? na : 1, angular ? nb : 1, sums)) goto done;
  *dist = angular ? 2 * asin(fmin(1.0, sqrt(sums[2]) / 2)) : sqrt(sums[2]);
  rc = SOMA_OK;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, WHO ": out of memory");
  gsl_matrix *all[] = {cx, cy, gx, gy, zx, zy, m, t, u, v};
  for (size_t i = 0; i < 10; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  if (s) gsl_vector_free(s);
  return rc;
}
