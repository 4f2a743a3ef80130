/* kalman.c — the Wu et al. 2006 Kalman decoder: least-squares fit, causal filter, steady-state
 * gain (see kalman.h). The update is written in information form, P⁺ = (I + P⁻ M)⁻¹ P⁻ and
 * x⁺ = x⁻ + P⁺ (Hᵀ R⁻¹ (y − c) − M x⁻) with M = Hᵀ R⁻¹ H precomputed, so a bin costs
 * O(n d + d³) instead of inverting an n × n innovation covariance. */
#include "kalman.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>

#include "joint/check.h"
#include "joint/chol.h"
#include "joint/linreg.h"
#include "sim/soma.h"

struct joint_kalman_state {
  const joint_kalman *m;
  size_t t;                    /* bins seen since the last reset */
  gsl_vector *x, *xp, *r, *yc; /* posterior, prior, information innovation, y − c */
  gsl_matrix *P, *Pp, *S, *tmp;
  gsl_permutation *perm;
};

joint_kalman_options joint_kalman_defaults(void) {
  return (joint_kalman_options){.ridge = 0, .sqrt_counts = 0, .steady_state = 0,
                                .floor = 1e-6};
}

void joint_kalman_free(joint_kalman *m) {
  if (!m) return;
  gsl_matrix_free(m->A), gsl_vector_free(m->a), gsl_matrix_free(m->Q);
  gsl_matrix_free(m->H), gsl_vector_free(m->c), gsl_matrix_free(m->R);
  gsl_vector_free(m->mu0), gsl_matrix_free(m->P0), gsl_matrix_free(m->RinvH);
  gsl_matrix_free(m->M);
  if (m->P_ss) gsl_matrix_free(m->P_ss);
  free(m);
}

/* adds floor × (mean diagonal, or 1 if it is 0) to the diagonal */
static void add_floor(gsl_matrix *a, double floor) {
  double mean = 0;
  for (size_t i = 0; i < a->size1; i++) mean += gsl_matrix_get(a, i, i);
  mean /= (double)a->size1;
  double eps = floor * (mean > 0 ? mean : 1.0);
  for (size_t i = 0; i < a->size1; i++) *gsl_matrix_ptr(a, i, i) += eps;
}

/* cov (q × q) ← (y − fit(x))ᵀ (y − fit(x)) / div; out of memory → SOMA_ERR_NOMEM */
static int residual_cov(const joint_linreg *fit, const gsl_matrix *x, const gsl_matrix *y,
                        double div, gsl_matrix *cov) {
  gsl_matrix *e = gsl_matrix_alloc(y->size1, y->size2);
  if (!e) return SOMA_ERR_NOMEM;
  joint_linreg_predict(fit, x, e, NULL, 0);
  gsl_matrix_sub(e, y);   /* the sign does not matter */
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / div, e, 0.0, cov);
  for (size_t i = 0; i < cov->size1; i++)
    for (size_t j = i + 1; j < cov->size2; j++)
      gsl_matrix_set(cov, i, j, gsl_matrix_get(cov, j, i));
  gsl_matrix_free(e);
  return SOMA_OK;
}

/* post ← (I + prior M)⁻¹ prior, symmetrised; s and perm are d × d workspace */
static void posterior_cov(const gsl_matrix *prior, const gsl_matrix *M, gsl_matrix *s,
                          gsl_permutation *perm, gsl_matrix *post) {
  int signum;
  gsl_matrix_set_identity(s);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, prior, M, 1.0, s);
  gsl_linalg_LU_decomp(s, perm, &signum);   /* eigenvalues of I + P M are >= 1 */
  for (size_t j = 0; j < prior->size2; j++) {
    gsl_vector_const_view b = gsl_matrix_const_column(prior, j);
    gsl_vector_view x = gsl_matrix_column(post, j);
    gsl_linalg_LU_solve(s, perm, &b.vector, &x.vector);
  }
  joint_symmetrise(post);
}

/* prior ← A post Aᵀ + Q, with tmp d × d workspace */
static void predict_cov(const joint_kalman *m, const gsl_matrix *post, gsl_matrix *tmp,
                        gsl_matrix *prior) {
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, m->A, post, 0.0, tmp);
  gsl_matrix_memcpy(prior, m->Q);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, tmp, m->A, 1.0, prior);
  joint_symmetrise(prior);
}

/* the Riccati recursion to its fixed point, into m->P_ss */
static int steady_state(joint_kalman *m, char *err, size_t errlen) {
  size_t d = m->d;
  gsl_matrix *prior = gsl_matrix_alloc(d, d), *s = gsl_matrix_alloc(d, d);
  gsl_matrix *tmp = gsl_matrix_alloc(d, d);
  gsl_permutation *perm = gsl_permutation_alloc(d);
  m->P_ss = gsl_matrix_alloc(d, d);
  int rc = SOMA_ERR_NOMEM;
  if (!prior || !s || !tmp || !perm || !m->P_ss) goto done;
  gsl_matrix_memcpy(prior, m->P0);
  posterior_cov(prior, m->M, s, perm, m->P_ss);
  rc = SOMA_ERR_NUMERIC;
  for (int it = 1; it <= 100000; it++) {
    predict_cov(m, m->P_ss, tmp, prior);
    gsl_matrix_memcpy(tmp, m->P_ss);
    posterior_cov(prior, m->M, s, perm, m->P_ss);
    double diff = 0, scale = 0;
    for (size_t i = 0; i < d; i++)
      for (size_t j = 0; j < d; j++) {
        double v = gsl_matrix_get(m->P_ss, i, j);
        diff = fmax(diff, fabs(v - gsl_matrix_get(tmp, i, j)));
        scale = fmax(scale, fabs(v));
      }
    if (!isfinite(diff)) break;
    if (diff <= 1e-13 * scale) {
      m->ss_iterations = it;
      rc = SOMA_OK;
      break;
    }
  }
done:
  if (prior) gsl_matrix_free(prior);
  if (s) gsl_matrix_free(s);
  if (tmp) gsl_matrix_free(tmp);
  if (perm) gsl_permutation_free(perm);
  if (rc == SOMA_ERR_NOMEM) return joint_fail(err, errlen, rc, "kalman: out of memory");
  if (rc)
    return joint_fail(err, errlen, rc,
                      "kalman: the steady-state covariance did not converge in 100000 "
                      "iterations; fit with steady_state = 0");
  return SOMA_OK;
}

int joint_kalman_fit(const gsl_matrix *x, const gsl_matrix *y, const joint_kalman_options *opt,
                     joint_kalman **out, char *err, size_t errlen) {
  joint_kalman_options o = opt ? *opt : joint_kalman_defaults();
  *out = NULL;
  if (!x || !y || x->size2 == 0 || y->size2 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "kalman: empty states or observations");
  if (x->size1 != y->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "kalman: %zu rows of states but %zu of observations (one row per bin)",
                      x->size1, y->size1);
  if (x->size1 < 3)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "kalman: need at least 3 training bins (got %zu)", x->size1);
  if (!(o.ridge >= 0) || !isfinite(o.ridge))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "kalman: ridge must be >= 0 (got %g)",
                      o.ridge);
  if (!(o.floor > 0) || !isfinite(o.floor))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "kalman: floor must be > 0 (got %g)",
                      o.floor);
  int rc = joint_check_finite(x, "kalman", "states", err, errlen);
  if (!rc) rc = joint_check_finite(y, "kalman", "observations", err, errlen);
  if (rc) return rc;
  size_t T = x->size1, d = x->size2, n = y->size2;
  gsl_matrix *yt = gsl_matrix_alloc(T, n);
  if (!yt) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "kalman: out of memory");
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < n; i++) {
      double v = gsl_matrix_get(y, t, i);
      if (o.sqrt_counts && v < 0) {
        gsl_matrix_free(yt);
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "kalman: sqrt_counts needs counts >= 0 (got %g at row %zu, column "
                          "%zu)", v, t, i);
      }
      gsl_matrix_set(yt, t, i, o.sqrt_counts ? sqrt(v) : v);
    }
  joint_kalman *m = calloc(1, sizeof *m);
  joint_linreg *dyn = NULL, *obs = NULL;
  gsl_matrix *L = NULL;
  rc = SOMA_ERR_NOMEM;
  if (!m) goto done;
  m->d = d, m->n = n, m->options = o;
  m->A = gsl_matrix_alloc(d, d), m->a = gsl_vector_alloc(d), m->Q = gsl_matrix_alloc(d, d);
  m->H = gsl_matrix_alloc(n, d), m->c = gsl_vector_alloc(n), m->R = gsl_matrix_alloc(n, n);
  m->mu0 = gsl_vector_alloc(d), m->P0 = gsl_matrix_alloc(d, d);
  m->RinvH = gsl_matrix_alloc(n, d), m->M = gsl_matrix_alloc(d, d);
  L = gsl_matrix_alloc(n, n);
  if (!m->A || !m->a || !m->Q || !m->H || !m->c || !m->R || !m->mu0 || !m->P0 || !m->RinvH ||
      !m->M || !L)
    goto done;
  /* dynamics: x_{t+1} ≈ A x_t + a */
  gsl_matrix_const_view x1 = gsl_matrix_const_submatrix(x, 0, 0, T - 1, d);
  gsl_matrix_const_view x2 = gsl_matrix_const_submatrix(x, 1, 0, T - 1, d);
  rc = joint_linreg_fit(&x1.matrix, &x2.matrix, 0.0, &dyn, err, errlen);
  if (rc) goto done;
  gsl_matrix_transpose_memcpy(m->A, dyn->coef);
  gsl_vector_memcpy(m->a, dyn->intercept);
  if ((rc = residual_cov(dyn, &x1.matrix, &x2.matrix, (double)(T - 1), m->Q))) goto done;
  /* observations: y_t ≈ H x_t + c */
  rc = joint_linreg_fit(x, yt, o.ridge, &obs, err, errlen);
  if (rc) goto done;
  gsl_matrix_transpose_memcpy(m->H, obs->coef);
  gsl_vector_memcpy(m->c, obs->intercept);
  if ((rc = residual_cov(obs, x, yt, (double)T, m->R))) goto done;
  /* the prior of the first bin: the training states' mean and covariance */
  gsl_vector_set_zero(m->mu0);
  for (size_t t = 0; t < T; t++)
    for (size_t j = 0; j < d; j++) *gsl_vector_ptr(m->mu0, j) += gsl_matrix_get(x, t, j);
  gsl_vector_scale(m->mu0, 1.0 / (double)T);
  gsl_matrix_set_zero(m->P0);
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < d; i++)
      for (size_t j = 0; j < d; j++)
        *gsl_matrix_ptr(m->P0, i, j) += (gsl_matrix_get(x, t, i) - gsl_vector_get(m->mu0, i)) *
                                        (gsl_matrix_get(x, t, j) - gsl_vector_get(m->mu0, j));
  gsl_matrix_scale(m->P0, 1.0 / (double)T);
  add_floor(m->R, o.floor), add_floor(m->Q, o.floor), add_floor(m->P0, o.floor);
  /* R⁻¹ H and M = Hᵀ R⁻¹ H */
  gsl_matrix_memcpy(L, m->R);
  if (joint_chol_decomp(L) != SOMA_OK) {
    rc = joint_fail(err, errlen, SOMA_ERR_NUMERIC,
                    "kalman: the observation covariance R is not positive definite even "
                    "with the floor; raise floor (now %g)", o.floor);
    goto done;
  }
  gsl_matrix_memcpy(m->RinvH, m->H);
  joint_chol_solve(L, m->RinvH);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, m->H, m->RinvH, 0.0, m->M);
  joint_symmetrise(m->M);
  rc = o.steady_state ? steady_state(m, err, errlen) : SOMA_OK;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, "kalman: out of memory");
  if (rc) joint_kalman_free(m);
  else *out = m;
  joint_linreg_free(dyn), joint_linreg_free(obs);
  if (L) gsl_matrix_free(L);
  gsl_matrix_free(yt);
  return rc;
}

void joint_kalman_state_free(joint_kalman_state *s) {
  if (!s) return;
  gsl_vector_free(s->x), gsl_vector_free(s->xp), gsl_vector_free(s->r);
  gsl_vector_free(s->yc);
  gsl_matrix_free(s->P), gsl_matrix_free(s->Pp), gsl_matrix_free(s->S);
  gsl_matrix_free(s->tmp);
  if (s->perm) gsl_permutation_free(s->perm);
  free(s);
}

joint_kalman_state *joint_kalman_state_alloc(const joint_kalman *m) {
  if (!m) return NULL;
  joint_kalman_state *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  size_t d = m->d;
  s->m = m;
  s->x = gsl_vector_alloc(d), s->xp = gsl_vector_alloc(d), s->r = gsl_vector_alloc(d);
  s->yc = gsl_vector_alloc(m->n);
  s->P = gsl_matrix_alloc(d, d), s->Pp = gsl_matrix_alloc(d, d), s->S = gsl_matrix_alloc(d, d);
  s->tmp = gsl_matrix_alloc(d, d);
  s->perm = gsl_permutation_alloc(d);
  if (!s->x || !s->xp || !s->r || !s->yc || !s->P || !s->Pp || !s->S || !s->tmp || !s->perm) {
    joint_kalman_state_free(s);
    return NULL;
  }
  joint_kalman_state_reset(s);
  return s;
}

void joint_kalman_state_reset(joint_kalman_state *s) {
  if (!s) return;
  s->t = 0;
  gsl_vector_memcpy(s->x, s->m->mu0);
  gsl_matrix_memcpy(s->P, s->m->P0);
}

const gsl_matrix *joint_kalman_state_cov(const joint_kalman_state *s) { return s ? s->P : NULL; }

int joint_kalman_step(const joint_kalman *m, joint_kalman_state *s, const double *y_t,
                      double *xhat, char *err, size_t errlen) {
  if (!m || !s || s->m != m || !y_t || !xhat)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "kalman step: needs the model, a state made for it, counts and an "
                      "output");
  for (size_t i = 0; i < m->n; i++) {
    if (!isfinite(y_t[i]) || (m->options.sqrt_counts && y_t[i] < 0))
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "kalman step: count %zu is %g (must be finite%s)", i, y_t[i],
                        m->options.sqrt_counts ? " and >= 0" : "");
  }
  for (size_t i = 0; i < m->n; i++)
    gsl_vector_set(s->yc, i, (m->options.sqrt_counts ? sqrt(y_t[i]) : y_t[i]) -
                                 gsl_vector_get(m->c, i));
  /* predict */
  if (s->t == 0) {
    gsl_vector_memcpy(s->xp, m->mu0);
    gsl_matrix_memcpy(s->Pp, m->P0);
  } else {
    gsl_vector_memcpy(s->xp, m->a);
    gsl_blas_dgemv(CblasNoTrans, 1.0, m->A, s->x, 1.0, s->xp);
    if (!m->P_ss) predict_cov(m, s->P, s->tmp, s->Pp);
  }
  /* update: r = Hᵀ R⁻¹ (y − c) − M x⁻, P⁺ = (I + P⁻ M)⁻¹ P⁻, x⁺ = x⁻ + P⁺ r */
  gsl_blas_dgemv(CblasTrans, 1.0, m->RinvH, s->yc, 0.0, s->r);
  gsl_blas_dgemv(CblasNoTrans, -1.0, m->M, s->xp, 1.0, s->r);
  if (m->P_ss) gsl_matrix_memcpy(s->P, m->P_ss);
  else posterior_cov(s->Pp, m->M, s->S, s->perm, s->P);
  gsl_vector_memcpy(s->x, s->xp);
  gsl_blas_dgemv(CblasNoTrans, 1.0, s->P, s->r, 1.0, s->x);
  s->t++;
  for (size_t j = 0; j < m->d; j++) xhat[j] = gsl_vector_get(s->x, j);
  return SOMA_OK;
}

int joint_kalman_filter(const joint_kalman *m, const gsl_matrix *y, gsl_matrix *xhat,
                        char *err, size_t errlen) {
  if (!m || !y || y->size2 != m->n)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "kalman filter: the observations must have %zu columns (got %zu)",
                      m ? m->n : 0, y ? y->size2 : 0);
  if (!xhat || xhat->size1 != y->size1 || xhat->size2 != m->d)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "kalman filter: the output must be %zu x %zu",
                      y->size1, m->d);
  int rc = joint_check_finite(y, "kalman filter", "observations", err, errlen);
  if (rc) return rc;
  if (m->options.sqrt_counts)
    for (size_t t = 0; t < y->size1; t++)
      for (size_t i = 0; i < y->size2; i++)
        if (gsl_matrix_get(y, t, i) < 0)
          return joint_fail(err, errlen, SOMA_ERR_PARAM,
                            "kalman filter: sqrt_counts needs counts >= 0 (got %g at row %zu, "
                            "column %zu)", gsl_matrix_get(y, t, i), t, i);
  joint_kalman_state *s = joint_kalman_state_alloc(m);
  if (!s) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "kalman filter: out of memory");
  for (size_t t = 0; t < y->size1 && !rc; t++)
    rc = joint_kalman_step(m, s, gsl_matrix_const_ptr(y, t, 0), gsl_matrix_ptr(xhat, t, 0),
                           err, errlen);
  joint_kalman_state_free(s);
  return rc;
}
