/* lds.c — linear dynamical system by EM: PPCA start, Kalman filter in information form (using
 * M = CᵀR⁻¹C, so no p × p solve per bin) with the exact log-likelihood, RTS smoother with
 * lag-one covariances, closed-form M-step (see lds.h). The data are centred once; d is kept
 * relative to the mean inside and restored at the end. */
#include "lds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>

#include "joint/check.h"
#include "joint/chol.h"
#include "sim/soma.h"

joint_lds_options joint_lds_defaults(void) {
  return (joint_lds_options){.latents = 3, .diagonal_r = 1, .sqrt_counts = 0, .max_iter = 500,
                             .tol = 1e-9, .floor = 1e-6};
}

void joint_lds_free(joint_lds *m) {
  if (!m) return;
  gsl_matrix_free(m->A), gsl_matrix_free(m->Q), gsl_matrix_free(m->C);
  gsl_vector_free(m->d), gsl_matrix_free(m->R), gsl_vector_free(m->mu0);
  gsl_matrix_free(m->V0);
  if (m->loglik) gsl_vector_free(m->loglik);
  free(m);
}

static joint_lds *lds_alloc(size_t p, size_t q) {
  joint_lds *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->p = p, m->q = q;
  m->A = gsl_matrix_alloc(q, q), m->Q = gsl_matrix_alloc(q, q), m->C = gsl_matrix_alloc(p, q);
  m->d = gsl_vector_alloc(p), m->R = gsl_matrix_calloc(p, p), m->mu0 = gsl_vector_alloc(q);
  m->V0 = gsl_matrix_alloc(q, q);
  if (!m->A || !m->Q || !m->C || !m->d || !m->R || !m->mu0 || !m->V0) {
    joint_lds_free(m);
    return NULL;
  }
  return m;
}

/* The centred data: yc = f(y) − mean (f = √ or identity), its mean, and Syy = ycᵀyc (full, or
 * only the diagonal in syy_diag when full is 0). */
typedef struct data {
  size_t T, p;
  gsl_matrix *yc;
  gsl_vector *mean;
  gsl_matrix *syy;      /* p × p or NULL */
  double *syy_diag;     /* p */
} data;

static void data_free(data *x) {
  if (x->yc) gsl_matrix_free(x->yc);
  if (x->mean) gsl_vector_free(x->mean);
  if (x->syy) gsl_matrix_free(x->syy);
  free(x->syy_diag);
}

static int data_make(const gsl_matrix *y, int sqrt_counts, int full, data *x) {
  memset(x, 0, sizeof *x);
  size_t T = y->size1, p = y->size2;
  x->T = T, x->p = p;
  x->yc = gsl_matrix_alloc(T, p), x->mean = gsl_vector_calloc(p);
  x->syy_diag = calloc(p, sizeof(double));
  if (full) x->syy = gsl_matrix_alloc(p, p);
  if (!x->yc || !x->mean || !x->syy_diag || (full && !x->syy)) return SOMA_ERR_NOMEM;
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < p; i++) {
      double v = gsl_matrix_get(y, t, i);
      gsl_matrix_set(x->yc, t, i, sqrt_counts ? sqrt(v) : v);
      *gsl_vector_ptr(x->mean, i) += gsl_matrix_get(x->yc, t, i);
    }
  gsl_vector_scale(x->mean, 1.0 / (double)T);
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < p; i++) {
      double v = gsl_matrix_get(x->yc, t, i) - gsl_vector_get(x->mean, i);
      gsl_matrix_set(x->yc, t, i, v);
      x->syy_diag[i] += v * v;
    }
  if (full) {
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, x->yc, 0.0, x->syy);
    for (size_t i = 0; i < p; i++)
      for (size_t j = i + 1; j < p; j++) gsl_matrix_set(x->syy, i, j, gsl_matrix_get(x->syy, j, i));
  }
  return SOMA_OK;
}

/* Workspace and results of one E-step. */
typedef struct estep {
  size_t T, p, q;
  gsl_matrix *xf, *xs, *U, *G, *M, *Z;   /* T×q, T×q, T×q, q×p, q×q, p×q */
  double *Pf, *Pp;                       /* T q² each */
  gsl_matrix *Rinv, *Lr;                 /* p × p (full R only) */
  gsl_matrix *S, *T1, *T2, *J, *Vnext, *Vcur;
  gsl_vector *xp, *w, *v1, *gd;
  gsl_permutation *perm;
  /* sufficient statistics */
  gsl_matrix *Sxx, *Sx1x0, *Pfirst, *Plast, *Syx;
  gsl_vector *Sx;
} estep;

static void estep_free(estep *e) {
  gsl_matrix *ms[] = {e->xf, e->xs, e->U, e->G, e->M, e->Z, e->Rinv, e->Lr, e->S, e->T1, e->T2,
                      e->J, e->Vnext, e->Vcur, e->Sxx, e->Sx1x0, e->Pfirst, e->Plast, e->Syx};
  for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
    if (ms[i]) gsl_matrix_free(ms[i]);
  gsl_vector *vs[] = {e->xp, e->w, e->v1, e->gd, e->Sx};
  for (size_t i = 0; i < sizeof vs / sizeof *vs; i++)
    if (vs[i]) gsl_vector_free(vs[i]);
  if (e->perm) gsl_permutation_free(e->perm);
  free(e->Pf), free(e->Pp);
}

static int estep_alloc(estep *e, size_t T, size_t p, size_t q, int full) {
  memset(e, 0, sizeof *e);
  e->T = T, e->p = p, e->q = q;
  e->xf = gsl_matrix_alloc(T, q), e->xs = gsl_matrix_alloc(T, q), e->U = gsl_matrix_alloc(T, q);
  e->G = gsl_matrix_alloc(q, p), e->M = gsl_matrix_alloc(q, q), e->Z = gsl_matrix_alloc(p, q);
  e->Pf = malloc(T * q * q * sizeof(double)), e->Pp = malloc(T * q * q * sizeof(double));
  if (full) e->Rinv = gsl_matrix_alloc(p, p), e->Lr = gsl_matrix_alloc(p, p);
  e->S = gsl_matrix_alloc(q, q), e->T1 = gsl_matrix_alloc(q, q), e->T2 = gsl_matrix_alloc(q, q);
  e->J = gsl_matrix_alloc(q, q), e->Vnext = gsl_matrix_alloc(q, q);
  e->Vcur = gsl_matrix_alloc(q, q);
  e->xp = gsl_vector_alloc(q), e->w = gsl_vector_alloc(q), e->v1 = gsl_vector_alloc(q);
  e->gd = gsl_vector_alloc(q);
  e->perm = gsl_permutation_alloc(q);
  e->Sxx = gsl_matrix_alloc(q, q), e->Sx1x0 = gsl_matrix_alloc(q, q);
  e->Pfirst = gsl_matrix_alloc(q, q), e->Plast = gsl_matrix_alloc(q, q);
  e->Syx = gsl_matrix_alloc(p, q), e->Sx = gsl_vector_alloc(q);
  return e->xf && e->xs && e->U && e->G && e->M && e->Z && e->Pf && e->Pp &&
         (!full || (e->Rinv && e->Lr)) && e->S && e->T1 && e->T2 && e->J && e->Vnext &&
         e->Vcur && e->xp && e->w && e->v1 && e->gd && e->perm && e->Sxx && e->Sx1x0 &&
         e->Pfirst && e->Plast && e->Syx && e->Sx;
}

static gsl_matrix_view block(double *a, size_t t, size_t q) {
  return gsl_matrix_view_array(a + t * q * q, q, q);
}

/* out ← a b (q × q), or a bᵀ with trans_b */
static void mul(const gsl_matrix *a, const gsl_matrix *b, int trans_b, gsl_matrix *out) {
  gsl_blas_dgemm(CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, 1.0, a, b, 0.0, out);
}

/* Kalman filter, then (if smooth) the RTS smoother and the sufficient statistics, for the
 * parameters of m with d relative to the data's mean (dc). *ll ← log p(y). */
static int run_estep(const joint_lds *m, const gsl_vector *dc, const data *x, estep *e,
                     int smooth, double *ll) {
  size_t T = x->T, p = x->p, q = m->q, full = !m->options.diagonal_r;
  double logdet_r = 0, s_sum = 0;
  /* G = CᵀR⁻¹, M = G C, Σ_t (y − dc)ᵀR⁻¹(y − dc) = tr(R⁻¹ Syy) + T dcᵀR⁻¹dc */
  if (full) {
    gsl_matrix_memcpy(e->Lr, m->R);
    if (joint_chol_decomp(e->Lr) != SOMA_OK) return SOMA_ERR_NUMERIC;
    logdet_r = joint_chol_logdet(e->Lr);
    joint_chol_inverse(e->Lr, e->Rinv);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, m->C, e->Rinv, 0.0, e->G);
    for (size_t i = 0; i < p; i++)
      for (size_t j = 0; j < p; j++)
        s_sum += gsl_matrix_get(e->Rinv, i, j) *
                 (gsl_matrix_get(x->syy, i, j) +
                  (double)T * gsl_vector_get(dc, i) * gsl_vector_get(dc, j));
  } else {
    for (size_t i = 0; i < p; i++) {
      double r = gsl_matrix_get(m->R, i, i);
      if (!(r > 0)) return SOMA_ERR_NUMERIC;
      logdet_r += log(r);
      s_sum += (x->syy_diag[i] + (double)T * gsl_vector_get(dc, i) * gsl_vector_get(dc, i)) / r;
      for (size_t k = 0; k < q; k++) gsl_matrix_set(e->G, k, i, gsl_matrix_get(m->C, i, k) / r);
    }
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, e->G, m->C, 0.0, e->M);
  joint_symmetrise(e->M);
  /* U = (Yc − 1 dcᵀ) Gᵀ */
  gsl_blas_dgemv(CblasNoTrans, 1.0, e->G, dc, 0.0, e->gd);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, x->yc, e->G, 0.0, e->U);
  for (size_t t = 0; t < T; t++) {
    gsl_vector_view u = gsl_matrix_row(e->U, t);
    gsl_vector_sub(&u.vector, e->gd);
  }
  /* filter */
  double logdets = 0, quad = 0;
  for (size_t t = 0; t < T; t++) {
    gsl_matrix_view Pp = block(e->Pp, t, q), Pf = block(e->Pf, t, q);
    if (t == 0) {
      gsl_vector_memcpy(e->xp, m->mu0);
      gsl_matrix_memcpy(&Pp.matrix, m->V0);
    } else {
      gsl_vector_const_view xprev = gsl_matrix_const_row(e->xf, t - 1);
      gsl_matrix_view Pprev = block(e->Pf, t - 1, q);
      gsl_blas_dgemv(CblasNoTrans, 1.0, m->A, &xprev.vector, 0.0, e->xp);
      mul(m->A, &Pprev.matrix, 0, e->T1);
      gsl_matrix_memcpy(&Pp.matrix, m->Q);
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, e->T1, m->A, 1.0, &Pp.matrix);
      joint_symmetrise(&Pp.matrix);
    }
    /* S = I + Pp M; Pf = S⁻¹ Pp; log det S */
    int signum;
    gsl_matrix_set_identity(e->S);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &Pp.matrix, e->M, 1.0, e->S);
    gsl_linalg_LU_decomp(e->S, e->perm, &signum);
    for (size_t j = 0; j < q; j++) {
      gsl_vector_view b = gsl_matrix_column(&Pp.matrix, j), c = gsl_matrix_column(&Pf.matrix, j);
      gsl_linalg_LU_solve(e->S, e->perm, &b.vector, &c.vector);
    }
    joint_symmetrise(&Pf.matrix);
    logdets += gsl_linalg_LU_lndet(e->S);
    /* w = u − M xp; xf = xp + Pf w; quad += −2 uᵀxp + xpᵀMxp − wᵀPf w */
    gsl_vector_const_view u = gsl_matrix_const_row(e->U, t);
    gsl_vector_view xf = gsl_matrix_row(e->xf, t);
    gsl_vector_memcpy(e->w, &u.vector);
    gsl_blas_dgemv(CblasNoTrans, -1.0, e->M, e->xp, 1.0, e->w);
    gsl_vector_memcpy(&xf.vector, e->xp);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &Pf.matrix, e->w, 1.0, &xf.vector);
    double ux, xmx, wpw;
    gsl_blas_ddot(&u.vector, e->xp, &ux);
    gsl_blas_dgemv(CblasNoTrans, 1.0, e->M, e->xp, 0.0, e->v1);
    gsl_blas_ddot(e->xp, e->v1, &xmx);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &Pf.matrix, e->w, 0.0, e->v1);
    gsl_blas_ddot(e->w, e->v1, &wpw);
    quad += -2 * ux + xmx - wpw;
  }
  *ll = -0.5 * ((double)T * (double)p * log(2 * M_PI) + (double)T * logdet_r + logdets + s_sum +
                quad);
  if (!isfinite(*ll)) return SOMA_ERR_NUMERIC;
  if (!smooth) return SOMA_OK;
  /* RTS smoother, backwards, accumulating E[x xᵀ] and E[x_{t+1} x_tᵀ] */
  gsl_matrix_set_zero(e->Sxx), gsl_matrix_set_zero(e->Sx1x0), gsl_vector_set_zero(e->Sx);
  gsl_vector_view xl = gsl_matrix_row(e->xs, T - 1);
  gsl_vector_const_view xfl = gsl_matrix_const_row(e->xf, T - 1);
  gsl_vector_memcpy(&xl.vector, &xfl.vector);
  gsl_matrix_view Pfl = block(e->Pf, T - 1, q);
  gsl_matrix_memcpy(e->Vnext, &Pfl.matrix);
  for (size_t t = T; t-- > 0;) {
    gsl_vector_view xs = gsl_matrix_row(e->xs, t);
    if (t < T - 1) {
      gsl_vector_const_view xs1 = gsl_matrix_const_row(e->xs, t + 1);
      gsl_vector_const_view xft = gsl_matrix_const_row(e->xf, t);
      gsl_matrix_view Pft = block(e->Pf, t, q), Pp1 = block(e->Pp, t + 1, q);
      /* Jᵀ = Pp⁻¹ A Pf (all symmetric but A) */
      gsl_matrix_memcpy(e->S, &Pp1.matrix);
      if (joint_chol_decomp(e->S) != SOMA_OK) return SOMA_ERR_NUMERIC;
      mul(m->A, &Pft.matrix, 0, e->T1);
      joint_chol_solve(e->S, e->T1);
      gsl_matrix_transpose_memcpy(e->J, e->T1);
      /* xs = xf + J (xs1 − A xf) */
      gsl_blas_dgemv(CblasNoTrans, 1.0, m->A, &xft.vector, 0.0, e->xp);
      gsl_vector_memcpy(e->v1, &xs1.vector);
      gsl_vector_sub(e->v1, e->xp);
      gsl_vector_memcpy(&xs.vector, &xft.vector);
      gsl_blas_dgemv(CblasNoTrans, 1.0, e->J, e->v1, 1.0, &xs.vector);
      /* cross covariance Cov(x_{t+1}, x_t) = Vs_{t+1} Jᵀ, into Sx1x0 with the means */
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, e->Vnext, e->J, 1.0, e->Sx1x0);
      gsl_blas_dger(1.0, &xs1.vector, &xs.vector, e->Sx1x0);
      /* Vs = Pf + J (Vs1 − Pp1) Jᵀ */
      gsl_matrix_memcpy(e->T2, e->Vnext);
      gsl_matrix_sub(e->T2, &Pp1.matrix);
      mul(e->J, e->T2, 0, e->T1);
      gsl_matrix_memcpy(e->Vcur, &Pft.matrix);
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, e->T1, e->J, 1.0, e->Vcur);
      joint_symmetrise(e->Vcur);
      gsl_matrix_memcpy(e->Vnext, e->Vcur);
    }
    /* Vnext now holds Vs_t */
    gsl_matrix_memcpy(e->T1, e->Vnext);
    gsl_blas_dger(1.0, &xs.vector, &xs.vector, e->T1);
    gsl_matrix_add(e->Sxx, e->T1);
    gsl_vector_add(e->Sx, &xs.vector);
    if (t == T - 1) gsl_matrix_memcpy(e->Plast, e->T1);
    if (t == 0) gsl_matrix_memcpy(e->Pfirst, e->T1);
  }
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, x->yc, e->xs, 0.0, e->Syx);
  return SOMA_OK;
}

/* R_ii ← max(R_ii, floor_i) */
static void floor_r(joint_lds *m, const data *x) {
  double mean = 0;
  for (size_t i = 0; i < x->p; i++) mean += x->syy_diag[i] / (double)x->T;
  mean /= (double)x->p;
  for (size_t i = 0; i < x->p; i++) {
    double v = x->syy_diag[i] / (double)x->T;
    double f = m->options.floor * (v > 0 ? v : mean > 0 ? mean : 1.0);
    if (!(gsl_matrix_get(m->R, i, i) >= f)) gsl_matrix_set(m->R, i, i, f);
  }
}

/* a ← a + jitter I until its Cholesky factor exists (jitter from 1e-12 of the mean diagonal) */
static int make_pd(gsl_matrix *a, gsl_matrix *work) {
  double tr = 0, jit = 0;
  for (size_t i = 0; i < a->size1; i++) tr += gsl_matrix_get(a, i, i);
  tr = tr > 0 ? tr / (double)a->size1 : 1.0;
  for (int k = 0; k < 12; k++) {
    gsl_matrix_memcpy(work, a);
    if (joint_chol_decomp(work) == SOMA_OK) return SOMA_OK;
    double add = (jit ? jit * 9 : 1e-12 * tr);
    for (size_t i = 0; i < a->size1; i++) *gsl_matrix_ptr(a, i, i) += add;
    jit += add;
  }
  return SOMA_ERR_NUMERIC;
}

/* The closed-form M-step from the statistics of e. */
static int mstep(joint_lds *m, gsl_vector *dc, const data *x, estep *e) {
  size_t T = x->T, p = x->p, q = m->q;
  int rc = SOMA_ERR_NUMERIC;
  gsl_matrix *K = gsl_matrix_alloc(q + 1, q + 1), *B = gsl_matrix_alloc(q + 1, p);
  if (!K || !B) {
    rc = SOMA_ERR_NOMEM;
    goto done;
  }
  /* A = Sx1x0 Shead⁻¹, Shead = Sxx − Plast: Aᵀ = Shead⁻¹ Sx1x0ᵀ */
  gsl_matrix_memcpy(e->S, e->Sxx);
  gsl_matrix_sub(e->S, e->Plast);
  if (joint_chol_decomp(e->S) != SOMA_OK) goto done;
  gsl_matrix_transpose_memcpy(e->T1, e->Sx1x0);
  joint_chol_solve(e->S, e->T1);
  gsl_matrix_transpose_memcpy(m->A, e->T1);
  /* Q = (Stail − A Sx1x0ᵀ) / (T − 1), Stail = Sxx − Pfirst */
  gsl_matrix_memcpy(m->Q, e->Sxx);
  gsl_matrix_sub(m->Q, e->Pfirst);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, m->A, e->Sx1x0, 1.0, m->Q);
  gsl_matrix_scale(m->Q, 1.0 / (double)(T - 1));
  joint_symmetrise(m->Q);
  if (make_pd(m->Q, e->T2) != SOMA_OK) goto done;
  /* [C dc] = [Syx 0] K⁻¹ with K = [[Sxx, Sx], [Sxᵀ, T]] (the data are centred: Σ y = 0) */
  for (size_t i = 0; i < q; i++) {
    for (size_t j = 0; j < q; j++) gsl_matrix_set(K, i, j, gsl_matrix_get(e->Sxx, i, j));
    gsl_matrix_set(K, i, q, gsl_vector_get(e->Sx, i));
    gsl_matrix_set(K, q, i, gsl_vector_get(e->Sx, i));
  }
  gsl_matrix_set(K, q, q, (double)T);
  if (joint_chol_decomp(K) != SOMA_OK) goto done;
  for (size_t i = 0; i < p; i++) {
    for (size_t k = 0; k < q; k++) gsl_matrix_set(B, k, i, gsl_matrix_get(e->Syx, i, k));
    gsl_matrix_set(B, q, i, 0.0);
  }
  joint_chol_solve(K, B);
  for (size_t i = 0; i < p; i++) {
    for (size_t k = 0; k < q; k++) gsl_matrix_set(m->C, i, k, gsl_matrix_get(B, k, i));
    gsl_vector_set(dc, i, gsl_matrix_get(B, q, i));
  }
  /* R = (Syy − C Syxᵀ) / T (full, or its diagonal) */
  if (!m->options.diagonal_r) {
    gsl_matrix_memcpy(m->R, x->syy);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, -1.0, m->C, e->Syx, 1.0, m->R);
    gsl_matrix_scale(m->R, 1.0 / (double)T);
    joint_symmetrise(m->R);
  } else {
    for (size_t i = 0; i < p; i++) {
      double r = x->syy_diag[i];
      for (size_t k = 0; k < q; k++) r -= gsl_matrix_get(m->C, i, k) * gsl_matrix_get(e->Syx, i, k);
      gsl_matrix_set(m->R, i, i, r / (double)T);
    }
  }
  floor_r(m, x);
  /* μ0, V0: the smoothed first state */
  gsl_vector_const_view x0 = gsl_matrix_const_row(e->xs, 0);
  gsl_vector_memcpy(m->mu0, &x0.vector);
  gsl_matrix_memcpy(m->V0, e->Pfirst);
  gsl_blas_dger(-1.0, &x0.vector, &x0.vector, m->V0);
  joint_symmetrise(m->V0);
  rc = make_pd(m->V0, e->T2);
done:
  if (K) gsl_matrix_free(K);
  if (B) gsl_matrix_free(B);
  return rc;
}

/* Probabilistic PCA for C and R, factor-analysis latents for A, Q, μ0, V0; dc = 0. */
static int init_ppca(joint_lds *m, gsl_vector *dc, const data *x, estep *e) {
  size_t T = x->T, p = x->p, q = m->q;
  gsl_matrix *S = gsl_matrix_alloc(p, p), *V = gsl_matrix_alloc(p, p);
  gsl_vector *ev = gsl_vector_alloc(p);
  gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
  int rc = SOMA_ERR_NOMEM;
  if (!S || !V || !ev || !ws) goto done;
  if (x->syy) {
    gsl_matrix_memcpy(S, x->syy);
  } else {
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, x->yc, 0.0, S);
    for (size_t i = 0; i < p; i++)
      for (size_t j = i + 1; j < p; j++) gsl_matrix_set(S, i, j, gsl_matrix_get(S, j, i));
  }
  gsl_matrix_scale(S, 1.0 / (double)T);
  gsl_matrix *Scopy = gsl_matrix_alloc(p, p);
  if (!Scopy) goto done;
  gsl_matrix_memcpy(Scopy, S);
  gsl_eigen_symmv(Scopy, ev, V, ws);   /* destroys its input */
  gsl_matrix_free(Scopy);
  gsl_eigen_symmv_sort(ev, V, GSL_EIGEN_SORT_VAL_DESC);
  double sigma2 = 0, top = fmax(gsl_vector_get(ev, 0), 0);
  for (size_t k = q; k < p; k++) sigma2 += fmax(gsl_vector_get(ev, k), 0);
  sigma2 = p > q ? sigma2 / (double)(p - q) : 0;
  for (size_t k = 0; k < q; k++) {
    double s = sqrt(fmax(gsl_vector_get(ev, k) - sigma2, 1e-6 * top + 1e-300));
    for (size_t i = 0; i < p; i++) gsl_matrix_set(m->C, i, k, gsl_matrix_get(V, i, k) * s);
  }
  gsl_matrix_set_zero(m->R);
  for (size_t i = 0; i < p; i++) {
    double cc = 0;
    for (size_t k = 0; k < q; k++) cc += gsl_matrix_get(m->C, i, k) * gsl_matrix_get(m->C, i, k);
    gsl_matrix_set(m->R, i, i, gsl_matrix_get(S, i, i) - cc);
  }
  int diag = m->options.diagonal_r;
  m->options.diagonal_r = 1;   /* the start is diagonal either way */
  floor_r(m, x);
  gsl_vector_set_zero(dc);
  /* x̂_t = (I + M)⁻¹ CᵀR⁻¹ y_t: the E-step's U with dc = 0, then a q × q solve */
  for (size_t i = 0; i < p; i++)
    for (size_t k = 0; k < q; k++)
      gsl_matrix_set(e->G, k, i, gsl_matrix_get(m->C, i, k) / gsl_matrix_get(m->R, i, i));
  m->options.diagonal_r = diag;
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, e->G, m->C, 0.0, e->M);
  for (size_t k = 0; k < q; k++) *gsl_matrix_ptr(e->M, k, k) += 1;
  joint_symmetrise(e->M);
  rc = SOMA_ERR_NUMERIC;
  if (joint_chol_decomp(e->M) != SOMA_OK) goto done;
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, x->yc, e->G, 0.0, e->xs);
  for (size_t t = 0; t < T; t++) {
    gsl_vector_view r = gsl_matrix_row(e->xs, t);
    joint_chol_solve_vec(e->M, &r.vector);
  }
  /* A, Q by least squares of x̂_{t+1} on x̂_t; μ0 = x̂_0, V0 = covariance of x̂ */
  gsl_matrix_const_view x0 = gsl_matrix_const_submatrix(e->xs, 0, 0, T - 1, q);
  gsl_matrix_const_view x1 = gsl_matrix_const_submatrix(e->xs, 1, 0, T - 1, q);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &x0.matrix, &x0.matrix, 0.0, e->S);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &x0.matrix, &x1.matrix, 0.0, e->T1);
  if (joint_chol_decomp(e->S) != SOMA_OK) goto done;
  joint_chol_solve(e->S, e->T1);   /* Aᵀ */
  gsl_matrix_transpose_memcpy(m->A, e->T1);
  gsl_matrix_set_zero(m->Q);
  for (size_t t = 0; t + 1 < T; t++) {
    gsl_vector_const_view a = gsl_matrix_const_row(e->xs, t);
    gsl_vector_const_view b = gsl_matrix_const_row(e->xs, t + 1);
    gsl_vector_memcpy(e->v1, &b.vector);
    gsl_blas_dgemv(CblasNoTrans, -1.0, m->A, &a.vector, 1.0, e->v1);
    gsl_blas_dger(1.0 / (double)(T - 1), e->v1, e->v1, m->Q);
  }
  if (make_pd(m->Q, e->T2) != SOMA_OK) goto done;
  gsl_vector_const_view first = gsl_matrix_const_row(e->xs, 0);
  gsl_vector_memcpy(m->mu0, &first.vector);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0 / (double)T, e->xs, e->xs, 0.0, m->V0);
  if (make_pd(m->V0, e->T2) != SOMA_OK) goto done;
  rc = SOMA_OK;
done:
  if (S) gsl_matrix_free(S);
  if (V) gsl_matrix_free(V);
  if (ev) gsl_vector_free(ev);
  if (ws) gsl_eigen_symmv_free(ws);
  return rc;
}

static int check_y(const gsl_matrix *y, int sqrt_counts, const char *who, char *err,
                   size_t errlen) {
  int rc = joint_check_finite(y, who, "observations", err, errlen);
  if (rc || !sqrt_counts) return rc;
  for (size_t t = 0; t < y->size1; t++)
    for (size_t i = 0; i < y->size2; i++)
      if (gsl_matrix_get(y, t, i) < 0)
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "%s: sqrt_counts needs counts >= 0 (got %g at row %zu, column %zu)",
                          who, gsl_matrix_get(y, t, i), t, i);
  return SOMA_OK;
}

int joint_lds_fit(const gsl_matrix *y, const joint_lds_options *opt, joint_lds **out, char *err,
                  size_t errlen) {
  joint_lds_options o = opt ? *opt : joint_lds_defaults();
  *out = NULL;
  if (!y || y->size2 == 0 || y->size1 < 3)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "lds: need at least 3 rows (bins) of data");
  size_t T = y->size1, p = y->size2, q = o.latents;
  if (q < 1 || q > p || q >= T)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "lds: latents must be from 1 to the %zu observed columns (and < %zu bins) "
                      "(got %zu)", p, T, q);
  if (o.max_iter < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "lds: max_iter must be >= 1 (got %d)",
                      o.max_iter);
  if (!(o.tol >= 0))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "lds: tol must be >= 0 (got %g)", o.tol);
  if (!(o.floor > 0) || !isfinite(o.floor))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "lds: floor must be > 0 (got %g)", o.floor);
  int rc = check_y(y, o.sqrt_counts, "lds", err, errlen);
  if (rc) return rc;
  data x;
  estep e;
  joint_lds *m = lds_alloc(p, q);
  gsl_vector *dc = gsl_vector_alloc(p);
  rc = SOMA_ERR_NOMEM;
  int have_e = 0;
  if (data_make(y, o.sqrt_counts, 1, &x) != SOMA_OK || !m || !dc) goto done;
  have_e = 1;
  if (!estep_alloc(&e, T, p, q, !o.diagonal_r)) goto done;
  m->options = o;
  m->loglik = gsl_vector_alloc((size_t)o.max_iter);
  if (!m->loglik) goto done;
  if ((rc = init_ppca(m, dc, &x, &e))) goto done;
  double prev = -INFINITY;
  for (int it = 0; it < o.max_iter; it++) {
    double ll;
    if ((rc = run_estep(m, dc, &x, &e, 1, &ll))) goto done;
    gsl_vector_set(m->loglik, (size_t)it, ll);
    m->iterations = it + 1;
    if (it > 0) {
      double fall = (prev - ll) / fabs(prev);
      if (fall > 1e-9) m->decreases++;
      if (fall > m->max_decrease) m->max_decrease = fall;
      if (ll - prev <= o.tol * fabs(ll)) {
        m->converged = 1;
        break;
      }
    }
    prev = ll;
    if (it == o.max_iter - 1) break;   /* keep the parameters whose likelihood is recorded */
    if ((rc = mstep(m, dc, &x, &e))) goto done;
  }
  /* d back to the data's coordinates */
  gsl_vector_memcpy(m->d, dc);
  gsl_vector_add(m->d, x.mean);
  rc = SOMA_OK;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, "lds: out of memory");
  else if (rc == SOMA_ERR_NUMERIC)
    joint_fail(err, errlen, rc,
               "lds: a covariance lost positive definiteness (too many latents for the data, "
               "or a constant column with a tiny floor): lower latents or raise floor");
  if (rc) joint_lds_free(m);
  else *out = m;
  data_free(&x);
  if (have_e) estep_free(&e);
  if (dc) gsl_vector_free(dc);
  return rc;
}

int joint_lds_infer(const joint_lds *m, const gsl_matrix *y, gsl_matrix *filtered,
                    gsl_matrix *smoothed, double *loglik, char *err, size_t errlen) {
  if (!m || !y || y->size2 != m->p || y->size1 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "lds infer: the observations must have %zu columns", m ? m->p : 0);
  size_t T = y->size1, q = m->q, p = m->p;
  if ((filtered && (filtered->size1 != T || filtered->size2 != q)) ||
      (smoothed && (smoothed->size1 != T || smoothed->size2 != q)))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "lds infer: the latents must be %zu x %zu",
                      T, q);
  int rc = check_y(y, m->options.sqrt_counts, "lds infer", err, errlen);
  if (rc) return rc;
  data x;
  estep e;
  gsl_vector *dc = gsl_vector_alloc(p);
  int full = !m->options.diagonal_r;
  rc = SOMA_ERR_NOMEM;
  int have_e = 0;
  if (data_make(y, m->options.sqrt_counts, full, &x) != SOMA_OK || !dc) goto done;
  have_e = 1;
  if (!estep_alloc(&e, T, p, q, full)) goto done;
  gsl_vector_memcpy(dc, m->d);
  gsl_vector_sub(dc, x.mean);
  double ll;
  rc = run_estep(m, dc, &x, &e, smoothed != NULL && T > 0, &ll);
  if (rc) goto done;
  if (filtered) gsl_matrix_memcpy(filtered, e.xf);
  if (smoothed) gsl_matrix_memcpy(smoothed, e.xs);
  if (loglik) *loglik = ll;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, "lds infer: out of memory");
  else if (rc)
    joint_fail(err, errlen, rc,
               "lds infer: R, V0, Q or a predicted covariance is not positive definite");
  data_free(&x);
  if (have_e) estep_free(&e);
  if (dc) gsl_vector_free(dc);
  return rc;
}
