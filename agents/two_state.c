/* two_state.c — the two-state and one-state models of motor adaptation (Smith, Ghazizadeh &
 * Shadmehr 2006): trial-by-trial simulation, and least-squares fits of their parameters to a
 * measured output with GSL's nonlinear least squares (see two_state.h). */
#include "agents/two_state.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/soma.h"

soma_two_state soma_two_state_smith2006(void) {
  return (soma_two_state){.a_f = 0.92, .b_f = 0.03, .a_s = 0.996, .b_s = 0.004};
}

soma_two_state soma_one_state_smith2006(void) {
  return (soma_two_state){.a_f = 0.99, .b_f = 0.013, .a_s = 0, .b_s = 0};
}

double soma_two_state_trial(const soma_two_state *m, double *fast, double *slow, double f,
                            int clamp) {
  double x = *fast + *slow, e = clamp ? 0 : f - x;
  *fast = m->a_f * *fast + m->b_f * e;
  *slow = m->a_s * *slow + m->b_s * e;
  return x;
}

static int check_model(const soma_two_state *m, char *err, size_t len) {
  const double v[4] = {m->a_f, m->b_f, m->a_s, m->b_s};
  const char *names[4] = {"a_f", "b_f", "a_s", "b_s"};
  for (int k = 0; k < 4; k++)
    if (!isfinite(v[k]))
      return snprintf(err, len, "two-state model: %s must be a finite number (got %g)", names[k],
                      v[k]), SOMA_ERR_PARAM;
  return SOMA_OK;
}

/* f finite, clamp anything, y finite or NaN (y may be NULL) */
static int check_protocol(const double *f, const double *y, size_t n, const char *who, char *err,
                          size_t len) {
  if (n == 0 || !f) return snprintf(err, len, "%s: no trials", who), SOMA_ERR_PARAM;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(f[i]))
      return snprintf(err, len, "%s: the perturbation of trial %zu is %g; give finite numbers", who,
                      i + 1, f[i]), SOMA_ERR_PARAM;
    if (y && isinf(y[i]))
      return snprintf(err, len, "%s: the output of trial %zu is %g; give finite numbers (NaN: not "
                      "measured)", who, i + 1, y[i]), SOMA_ERR_PARAM;
  }
  return SOMA_OK;
}

int soma_two_state_simulate(const soma_two_state *m, const double *f, const unsigned char *clamp,
                            size_t n, double *out, double *fast, double *slow, char *err,
                            size_t len) {
  int rc = check_model(m, err, len);
  if (rc || (rc = check_protocol(f, NULL, n, "two-state model", err, len))) return rc;
  double xf = 0, xs = 0;
  for (size_t i = 0; i < n; i++) {
    if (fast) fast[i] = xf;
    if (slow) slow[i] = xs;
    double x = soma_two_state_trial(m, &xf, &xs, f[i], clamp && clamp[i]);
    if (out) out[i] = x;
  }
  return SOMA_OK;
}

/* ---- fitting ---------------------------------------------------------------------------- */

soma_two_state_fit_opts soma_two_state_fit_defaults(void) {
  return (soma_two_state_fit_opts){.states = 2, .max_iter = 200};
}

typedef struct fit_data {
  const double *f, *y;
  const unsigned char *clamp;
  size_t n;      /* trials */
  int states;
} fit_data;

static double logistic(double u) { return 1 / (1 + exp(-u)); }
static double logit(double p) { return log(p / (1 - p)); }

/* Unconstrained u -> the model, and d(a_f, b_f, a_s, b_s)/du (4 x 4, row = parameter).
 * Two states: a_s = L(u0), a_f = a_s L(u1), b_f = L(u2), b_s = b_f L(u3).
 * One state: a_f = L(u0), b_f = L(u1). */
static soma_two_state model_of(const double *u, int states, double d[4][4]) {
  soma_two_state m = {0};
  if (d) memset(d, 0, sizeof(double[4][4]));
  if (states == 1) {
    m.a_f = logistic(u[0]);
    m.b_f = logistic(u[1]);
    if (d) d[0][0] = m.a_f * (1 - m.a_f), d[1][1] = m.b_f * (1 - m.b_f);
    return m;
  }
  double l0 = logistic(u[0]), l1 = logistic(u[1]), l2 = logistic(u[2]), l3 = logistic(u[3]);
  m.a_s = l0, m.a_f = l0 * l1, m.b_f = l2, m.b_s = l2 * l3;
  if (d) {
    d[2][0] = l0 * (1 - l0);
    d[0][0] = l1 * d[2][0];
    d[0][1] = l0 * l1 * (1 - l1);
    d[1][2] = l2 * (1 - l2);
    d[3][2] = l3 * d[1][2];
    d[3][3] = l2 * l3 * (1 - l3);
  }
  return m;
}

static void to_u(const soma_two_state *m, int states, double *u) {
  if (states == 1) {
    u[0] = logit(m->a_f), u[1] = logit(m->b_f);
    return;
  }
  u[0] = logit(m->a_s), u[1] = logit(m->a_f / m->a_s);
  u[2] = logit(m->b_f), u[3] = logit(m->b_s / m->b_f);
}

/* Residuals x - y of the measured trials and, when J is not NULL, their Jacobian in u, by
 * forward sensitivities: s_f = dx_f/dtheta, s_s = dx_s/dtheta for theta = (a_f, b_f, a_s, b_s). */
static int residuals(const gsl_vector *uv, void *data, gsl_vector *r, gsl_matrix *J) {
  const fit_data *fd = data;
  int p = fd->states == 1 ? 2 : 4;
  double u[4], d[4][4];
  for (int k = 0; k < p; k++) u[k] = gsl_vector_get(uv, (size_t)k);
  soma_two_state m = model_of(u, fd->states, d);
  double xf = 0, xs = 0, sf[4] = {0}, ss[4] = {0};
  size_t row = 0;
  for (size_t i = 0; i < fd->n; i++) {
    double x = xf + xs;
    if (!isnan(fd->y[i])) {
      if (r) gsl_vector_set(r, row, x - fd->y[i]);
      if (J)
        for (int k = 0; k < p; k++) {
          double g = 0;
          for (int t = 0; t < 4; t++) g += (sf[t] + ss[t]) * d[t][k];
          gsl_matrix_set(J, row, (size_t)k, g);
        }
      row++;
    }
    int open = !(fd->clamp && fd->clamp[i]);
    double e = open ? fd->f[i] - x : 0;
    if (J) {
      double de[4];
      for (int t = 0; t < 4; t++) de[t] = open ? -(sf[t] + ss[t]) : 0;
      double nf[4], ns[4];
      for (int t = 0; t < 4; t++) {
        nf[t] = m.a_f * sf[t] + m.b_f * de[t] + (t == 0 ? xf : t == 1 ? e : 0);
        ns[t] = m.a_s * ss[t] + m.b_s * de[t] + (t == 2 ? xs : t == 3 ? e : 0);
      }
      memcpy(sf, nf, sizeof sf);
      memcpy(ss, ns, sizeof ss);
    }
    xf = m.a_f * xf + m.b_f * e;
    xs = m.a_s * xs + m.b_s * e;
  }
  return GSL_SUCCESS;
}

static int f_only(const gsl_vector *u, void *data, gsl_vector *r) {
  return residuals(u, data, r, NULL);
}

static int df_only(const gsl_vector *u, void *data, gsl_matrix *J) {
  return residuals(u, data, NULL, J);
}

/* the starting grid, in the model's parameters */
static int starts(int states, soma_two_state *out) {
  int k = 0;
  if (states == 1) {
    const double a[] = {0.9, 0.97, 0.995}, b[] = {0.01, 0.05, 0.2};
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) out[k++] = (soma_two_state){a[i], b[j], 0, 0};
    return k;
  }
  const double af[] = {0.7, 0.9, 0.97}, as[] = {0.99, 0.998}, bf[] = {0.03, 0.1, 0.3};
  const double ratio[] = {0.1, 0.4};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 2; j++)
      for (int l = 0; l < 3; l++)
        for (int q = 0; q < 2; q++)
          out[k++] = (soma_two_state){af[i], bf[l], as[j], bf[l] * ratio[q]};
  return k;
}

int soma_two_state_fit(const double *f, const unsigned char *clamp, const double *y, size_t n,
                       const soma_two_state_fit_opts *o, soma_two_state_fitted *out, char *err,
                       size_t len) {
  soma_two_state_fit_opts opts = o ? *o : soma_two_state_fit_defaults();
  const char *who = "two-state fit";
  if (opts.states != 1 && opts.states != 2)
    return snprintf(err, len, "%s: states must be 1 or 2 (got %d)", who, opts.states),
           SOMA_ERR_PARAM;
  if (opts.max_iter < 1)
    return snprintf(err, len, "%s: max_iter must be >= 1 (got %d)", who, opts.max_iter),
           SOMA_ERR_PARAM;
  if (!y) return snprintf(err, len, "%s: no outputs", who), SOMA_ERR_PARAM;
  int rc = check_protocol(f, y, n, who, err, len);
  if (rc) return rc;
  size_t p = opts.states == 1 ? 2 : 4, n_obs = 0;
  double mean = 0, sst = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(y[i])) n_obs++, mean += y[i];
  if (n_obs < 2 * p)
    return snprintf(err, len, "%s: %zu measured outputs for %zu parameters; give at least %zu", who,
                    n_obs, p, 2 * p), SOMA_ERR_PARAM;
  mean /= (double)n_obs;
  for (size_t i = 0; i < n; i++)
    if (!isnan(y[i])) sst += (y[i] - mean) * (y[i] - mean);

  fit_data fd = {.f = f, .y = y, .clamp = clamp, .n = n, .states = opts.states};
  gsl_multifit_nlinear_fdf fdf = {.f = f_only, .df = df_only, .fvv = NULL, .n = n_obs, .p = p,
                                  .params = &fd};
  gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
  gsl_multifit_nlinear_workspace *w = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par,
                                                                  n_obs, p);
  gsl_vector *u0 = gsl_vector_alloc(p);
  if (!w || !u0) {
    if (w) gsl_multifit_nlinear_free(w);
    if (u0) gsl_vector_free(u0);
    return snprintf(err, len, "%s: out of memory", who), SOMA_ERR_NOMEM;
  }
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  soma_two_state grid[64];
  int n_starts = starts(opts.states, grid);
  double best_sse = INFINITY, best_u[4] = {0};
  for (int s = 0; s < n_starts; s++) {
    double u[4];
    to_u(&grid[s], opts.states, u);
    for (size_t k = 0; k < p; k++) gsl_vector_set(u0, k, u[k]);
    if (gsl_multifit_nlinear_init(u0, &fdf, w) != GSL_SUCCESS) continue;
    int info;
    gsl_multifit_nlinear_driver((size_t)opts.max_iter, 1e-10, 1e-10, 1e-12, NULL, NULL, &info, w);
    const gsl_vector *res = gsl_multifit_nlinear_residual(w);
    const gsl_vector *pos = gsl_multifit_nlinear_position(w);
    double sse = 0;
    for (size_t i = 0; i < n_obs; i++) sse += gsl_vector_get(res, i) * gsl_vector_get(res, i);
    int finite = isfinite(sse);
    for (size_t k = 0; k < p; k++) finite &= isfinite(gsl_vector_get(pos, k));
    if (finite && sse < best_sse) {
      best_sse = sse;
      for (size_t k = 0; k < p; k++) best_u[k] = gsl_vector_get(pos, k);
    }
  }
  gsl_set_error_handler(old);
  gsl_multifit_nlinear_free(w);
  gsl_vector_free(u0);
  if (!isfinite(best_sse))
    return snprintf(err, len, "%s: no starting point converged to a finite fit", who),
           SOMA_ERR_NUMERIC;
  out->m = model_of(best_u, opts.states, NULL);
  out->states = opts.states;
  out->n = n_obs;
  out->sse = best_sse;
  out->rmse = sqrt(best_sse / (double)n_obs);
  out->r2 = sst > 0 ? 1 - best_sse / sst : NAN;
  out->starts = n_starts;
  return SOMA_OK;
}
