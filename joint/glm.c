/* glm.c — Poisson GLM encoder: RBF and history design, IRLS with ridge and step halving per
 * neuron (parallel over neurons, each neuron's arithmetic in a fixed order), rates, held-out
 * log-likelihood and tuning maps (see glm.h). */
#include "glm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "joint/check.h"
#include "joint/chol.h"
#include "sim/soma.h"

joint_glm_options joint_glm_defaults(void) {
  return (joint_glm_options){.grid = 5, .width = 1.0, .centres = NULL, .widths = NULL,
                             .history = 0, .history_basis = JOINT_GLM_LAGS, .history_span = 20,
                             .ridge = 1.0, .max_iter = 50, .tol = 1e-8};
}

void joint_glm_free(joint_glm *m) {
  if (!m) return;
  if (m->centres) gsl_matrix_free(m->centres);
  if (m->widths) gsl_vector_free(m->widths);
  if (m->lo) gsl_vector_free(m->lo);
  if (m->hi) gsl_vector_free(m->hi);
  if (m->kernels) gsl_matrix_free(m->kernels);
  if (m->coef) gsl_matrix_free(m->coef);
  if (m->history_mean) gsl_matrix_free(m->history_mean);
  free(m->iterations), free(m->converged), free(m->silent);
  if (m->deviance) gsl_vector_free(m->deviance);
  if (m->null_deviance) gsl_vector_free(m->null_deviance);
  if (m->deviance_explained) gsl_vector_free(m->deviance_explained);
  if (m->loglik) gsl_vector_free(m->loglik);
  free(m);
}

int joint_glm_grid(const gsl_vector *lo, const gsl_vector *hi, size_t per, gsl_matrix **grid,
                   char *err, size_t errlen) {
  *grid = NULL;
  if (!lo || !hi || lo->size != hi->size || lo->size == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "grid: lo and hi must have the same size");
  size_t d = lo->size, g = 1;
  if (per < 1) return joint_fail(err, errlen, SOMA_ERR_PARAM, "grid: need >= 1 point per column");
  for (size_t j = 0; j < d; j++) {
    if (g > 10000000 / per)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "grid: %zu points per column over %zu columns is too many", per, d);
    g *= per;
  }
  gsl_matrix *m = gsl_matrix_alloc(g, d);
  if (!m) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "grid: out of memory");
  for (size_t i = 0; i < g; i++) {
    size_t r = i;
    for (size_t j = 0; j < d; j++) {
      size_t ij = r % per;
      r /= per;
      double a = gsl_vector_get(lo, j), b = gsl_vector_get(hi, j);
      double v = per == 1 ? 0.5 * (a + b) : a + (b - a) * (double)ij / (double)(per - 1);
      gsl_matrix_set(m, i, j, v);
    }
  }
  *grid = m;
  return SOMA_OK;
}

/* phi[t, j] = exp(−½ Σ_c ((b[t, c] − centre[j, c]) / σ_c)²) */
static void basis(const gsl_matrix *centres, const gsl_vector *widths, const gsl_matrix *b,
                  gsl_matrix *phi) {
  size_t T = b->size1, k = centres->size1, d = centres->size2;
  for (size_t t = 0; t < T; t++)
    for (size_t j = 0; j < k; j++) {
      double s = 0;
      for (size_t c = 0; c < d; c++) {
        double z = (gsl_matrix_get(b, t, c) - gsl_matrix_get(centres, j, c)) /
                   gsl_vector_get(widths, c);
        s += z * z;
      }
      gsl_matrix_set(phi, t, j, exp(-0.5 * s));
    }
}

/* the history kernels, h × span */
static gsl_matrix *history_kernels(size_t h, joint_glm_history kind, size_t span) {
  gsl_matrix *k = gsl_matrix_calloc(h, span);
  if (!k) return NULL;
  if (kind == JOINT_GLM_LAGS) {
    for (size_t j = 0; j < h; j++) gsl_matrix_set(k, j, j, 1.0);
    return k;
  }
  /* Pillow et al. 2008: bumps ½(1 + cos) in u = log(lag + 1), peaks from lag 1 to lag span
   * spaced Δ apart, each 4Δ wide, so the bumps sum to 2 between the second and the
   * second-to-last peak; a single term weights every lag 1..span by 1 */
  double u1 = log(2.0), un = log((double)span + 1), delta = h > 1 ? (un - u1) / (double)(h - 1) : 0;
  for (size_t j = 0; j < h; j++)
    for (size_t l = 1; l <= span; l++) {
      if (h == 1) {
        gsl_matrix_set(k, j, l - 1, 1.0);
        continue;
      }
      double x = (log((double)l + 1) - (u1 + delta * (double)j)) / delta;
      if (fabs(x) < 2) gsl_matrix_set(k, j, l - 1, 0.5 * (1 + cos(M_PI * x / 2)));
    }
  return k;
}

/* hist[t * h + j] = Σ_l kernels[j, l] y[t − 1 − l] for the counts column col (0 before row 0) */
static void history_features(const gsl_matrix *kernels, const gsl_matrix *counts, size_t col,
                             double *hist) {
  size_t T = counts->size1, h = kernels->size1, span = kernels->size2;
  for (size_t t = 0; t < T; t++)
    for (size_t j = 0; j < h; j++) {
      double s = 0;
      for (size_t l = 0; l < span && l < t; l++)
        s += gsl_matrix_get(kernels, j, l) * gsl_matrix_get(counts, t - 1 - l, col);
      hist[t * h + j] = s;
    }
}

/* per-thread workspace of the IRLS */
typedef struct work {
  double *hist, *eta, *mu, *row;
  gsl_matrix *xtwx, *L;
  gsl_vector *beta, *beta_old, *rhs_p;
} work;

static void work_free(work *w) {
  free(w->hist), free(w->eta), free(w->mu), free(w->row);
  if (w->xtwx) gsl_matrix_free(w->xtwx);
  if (w->L) gsl_matrix_free(w->L);
  if (w->beta) gsl_vector_free(w->beta);
  if (w->beta_old) gsl_vector_free(w->beta_old);
  if (w->rhs_p) gsl_vector_free(w->rhs_p);
}

static int work_alloc(work *w, size_t T, size_t h, size_t p) {
  memset(w, 0, sizeof *w);
  w->hist = malloc((T * h > 0 ? T * h : 1) * sizeof(double));
  w->eta = malloc(T * sizeof(double)), w->mu = malloc(T * sizeof(double));
  w->row = malloc(p * sizeof(double));
  w->xtwx = gsl_matrix_alloc(p, p);
  w->L = gsl_matrix_alloc(p, p);
  w->beta = gsl_vector_alloc(p), w->beta_old = gsl_vector_alloc(p);
  w->rhs_p = gsl_vector_alloc(p);
  return w->hist && w->eta && w->mu && w->row && w->xtwx && w->L && w->beta &&
         w->beta_old && w->rhs_p;
}

/* row t of the design: [1, φ_t, hist_t] */
static void design_row(const gsl_matrix *phi, const double *hist, size_t h, size_t t,
                       double *row) {
  size_t k = phi ? phi->size2 : 0;
  row[0] = 1.0;
  if (k) memcpy(row + 1, phi->data + t * phi->tda, k * sizeof *row);
  if (h) memcpy(row + 1 + k, hist + t * h, h * sizeof *row);
}

/* eta ← Xβ; returns the penalised deviance D + λ‖β_{1:}‖² (mu ← exp(eta)) */
static double pen_deviance(const gsl_matrix *phi, const double *hist, size_t h,
                           const gsl_matrix *counts, size_t col, const gsl_vector *beta,
                           double ridge, double *eta, double *mu, double *rowbuf) {
  size_t T = counts->size1, p = beta->size, tda = counts->tda;
  const double *b = beta->data, *y_col = counts->data + col;   /* our vectors: stride 1 */
  double dev = 0;
  for (size_t t = 0; t < T; t++) {
    design_row(phi, hist, h, t, rowbuf);
    double e = 0;
    for (size_t j = 0; j < p; j++) e += rowbuf[j] * b[j];
    double y = y_col[t * tda], u = exp(fmin(e, 700.0));
    eta[t] = e, mu[t] = u;
    dev += 2 * ((y > 0 ? y * (log(y) - e) : 0) - (y - u));
  }
  double pen = 0;
  for (size_t j = 1; j < p; j++) pen += b[j] * b[j];
  return dev + ridge * pen;
}

/* One weighted least-squares solve at (eta, mu): β ← (XᵀWX + Λ)⁻¹ XᵀW z, z = η + (y − μ)/μ.
 * A failed factorisation is retried with a growing jitter on the diagonal. */
static int wls(const gsl_matrix *phi, const double *hist, size_t h, const gsl_matrix *counts,
               size_t col, double ridge, work *w) {
  size_t T = counts->size1, p = w->beta->size;
  gsl_matrix_set_zero(w->xtwx);
  gsl_vector_set_zero(w->rhs_p);
  /* row by row rank-1 updates of the lower triangle: the inner loop is contiguous and
   * vectorises, and the order of the additions is fixed */
  double *restrict row = w->row, *restrict b = w->rhs_p->data;
  size_t tda = w->xtwx->tda;
  for (size_t t = 0; t < T; t++) {
    design_row(phi, hist, h, t, row);
    double u = w->mu[t], y = counts->data[t * counts->tda + col], z = w->eta[t] + (y - u) / u;
    for (size_t i = 0; i < p; i++) {
      double a = u * row[i];
      double *restrict ai = w->xtwx->data + i * tda;
      for (size_t j = 0; j <= i; j++) ai[j] += a * row[j];
      b[i] += a * z;
    }
  }
  for (size_t j = 1; j < p; j++) *gsl_matrix_ptr(w->xtwx, j, j) += ridge;
  double tr = 0;
  for (size_t j = 0; j < p; j++) tr += gsl_matrix_get(w->xtwx, j, j);
  double jitter = 0;
  for (int attempt = 0; attempt < 6; attempt++) {
    gsl_matrix_memcpy(w->L, w->xtwx);
    for (size_t j = 0; j < p; j++) *gsl_matrix_ptr(w->L, j, j) += jitter;
    if (joint_chol_decomp(w->L) == SOMA_OK) {
      gsl_vector_memcpy(w->beta, w->rhs_p);
      joint_chol_solve_vec(w->L, w->beta);
      return SOMA_OK;
    }
    jitter = (jitter ? jitter * 100 : 1e-10) * (tr > 0 ? tr / (double)p : 1.0);
  }
  return SOMA_ERR_NUMERIC;
}

/* IRLS for neuron col; fills its row of the model */
static void fit_neuron(joint_glm *m, const gsl_matrix *phi, const gsl_matrix *counts, size_t col,
                       int max_iter, double tol, work *w) {
  size_t T = counts->size1, h = m->h;
  double sum = 0, *row = w->row;
  for (size_t t = 0; t < T; t++) sum += gsl_matrix_get(counts, t, col);
  if (h) history_features(m->kernels, counts, col, w->hist);
  for (size_t j = 0; j < h; j++) {
    double s = 0;
    for (size_t t = 0; t < T; t++) s += w->hist[t * h + j];
    gsl_matrix_set(m->history_mean, col, j, s / (double)T);
  }
  gsl_vector_view coef = gsl_matrix_row(m->coef, col);
  if (sum == 0) {   /* silent: the defined result */
    gsl_vector_set_zero(&coef.vector);
    gsl_vector_set(&coef.vector, 0, log(0.5 / (double)T));
    m->silent[col] = 1, m->converged[col] = 1, m->iterations[col] = 0;
    gsl_vector_set(m->deviance, col, 2 * 0.5);
    gsl_vector_set(m->null_deviance, col, 0);
    gsl_vector_set(m->deviance_explained, col, 0);
    gsl_vector_set(m->loglik, col, -0.5);
    return;
  }
  /* start: one solve at μ = y + 0.1 */
  for (size_t t = 0; t < T; t++) {
    w->mu[t] = gsl_matrix_get(counts, t, col) + 0.1;
    w->eta[t] = log(w->mu[t]);
  }
  int its = 0, converged = 0;
  double dev = INFINITY;
  if (wls(phi, w->hist, h, counts, col, m->ridge, w) == SOMA_OK) {
    its = 1;
    dev = pen_deviance(phi, w->hist, h, counts, col, w->beta, m->ridge, w->eta, w->mu, row);
  } else {   /* cannot even start: the intercept-only rate */
    gsl_vector_set_zero(w->beta);
    gsl_vector_set(w->beta, 0, log(sum / (double)T));
  }
  while (its && its < max_iter && isfinite(dev)) {
    gsl_vector_memcpy(w->beta_old, w->beta);
    double dev_old = dev;
    if (wls(phi, w->hist, h, counts, col, m->ridge, w) != SOMA_OK) {
      gsl_vector_memcpy(w->beta, w->beta_old);
      break;
    }
    its++;
    dev = pen_deviance(phi, w->hist, h, counts, col, w->beta, m->ridge, w->eta, w->mu, row);
    for (int half = 0; half < 30 && !(dev <= dev_old + 1e-12 * fabs(dev_old)); half++) {
      gsl_vector_add(w->beta, w->beta_old);
      gsl_vector_scale(w->beta, 0.5);
      dev = pen_deviance(phi, w->hist, h, counts, col, w->beta, m->ridge, w->eta, w->mu, row);
    }
    if (!(dev <= dev_old + 1e-12 * fabs(dev_old))) {   /* no step lowers it: stay */
      gsl_vector_memcpy(w->beta, w->beta_old);
      dev = dev_old;
      break;
    }
    if (fabs(dev - dev_old) < tol * (fabs(dev) + 0.1)) {
      converged = 1;
      break;
    }
  }
  /* the unpenalised summaries at the final β */
  gsl_vector_memcpy(&coef.vector, w->beta);
  pen_deviance(phi, w->hist, h, counts, col, w->beta, 0.0, w->eta, w->mu, row);
  double D = 0, Dn = 0, ll = 0, ybar = sum / (double)T;
  for (size_t t = 0; t < T; t++) {
    double y = gsl_matrix_get(counts, t, col);
    if (y > 0) {
      D += 2 * y * (log(y) - w->eta[t]);
      Dn += 2 * y * log(y / ybar);
    }
    D -= 2 * (y - w->mu[t]);
    int sign;
    ll += y * w->eta[t] - w->mu[t] - lgamma_r(y + 1, &sign);   /* lgamma races on signgam */
  }
  m->iterations[col] = its, m->converged[col] = converged, m->silent[col] = 0;
  gsl_vector_set(m->deviance, col, D);
  gsl_vector_set(m->null_deviance, col, Dn);
  gsl_vector_set(m->deviance_explained, col, Dn > 0 ? 1 - D / Dn : 0);
  gsl_vector_set(m->loglik, col, ll);
}

/* shape, range and option checks of the fit */
static int check_fit(const gsl_matrix *b, const gsl_matrix *y, const joint_glm_options *o,
                     char *err, size_t errlen) {
  if (!y || y->size1 == 0 || y->size2 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: empty counts");
  if (b && b->size2 && b->size1 != y->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "glm: %zu rows of behaviour but %zu of counts (one row per bin)", b->size1,
                      y->size1);
  if (!(o->ridge >= 0) || !isfinite(o->ridge))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: ridge must be >= 0 (got %g)", o->ridge);
  if (o->max_iter < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: max_iter must be >= 1 (got %d)",
                      o->max_iter);
  if (!(o->tol > 0))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: tol must be > 0 (got %g)", o->tol);
  if (o->history_basis != JOINT_GLM_LAGS && o->history_basis != JOINT_GLM_RAISED_COSINE)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: unknown history basis %d",
                      (int)o->history_basis);
  if (o->history && o->history_basis == JOINT_GLM_RAISED_COSINE &&
      (o->history_span < o->history || o->history_span > 100000))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "glm: history_span must be from history (%zu) to 100000 (got %zu)",
                      o->history, o->history_span);
  if (o->history > 1000)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: history must be <= 1000 (got %zu)",
                      o->history);
  int rc = joint_check_finite(y, "glm", "counts", err, errlen);
  if (rc) return rc;
  for (size_t t = 0; t < y->size1; t++)
    for (size_t i = 0; i < y->size2; i++)
      if (gsl_matrix_get(y, t, i) < 0)
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "glm: counts must be >= 0 (got %g at row %zu, column %zu)",
                          gsl_matrix_get(y, t, i), t, i);
  size_t d = b ? b->size2 : 0;
  if (d && (rc = joint_check_finite(b, "glm", "behaviour", err, errlen))) return rc;
  if (!d) return SOMA_OK;
  if (o->centres) {
    if (o->centres->size2 != d || o->centres->size1 == 0)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "glm: the centres must have %zu columns (one per behaviour column)", d);
    if (!o->widths || o->widths->size != d)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "glm: given centres need widths, one per behaviour column (%zu)", d);
    for (size_t j = 0; j < d; j++)
      if (!(gsl_vector_get(o->widths, j) > 0) || !isfinite(gsl_vector_get(o->widths, j)))
        return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: width %zu must be > 0 (got %g)", j,
                          gsl_vector_get(o->widths, j));
    return joint_check_finite(o->centres, "glm", "centres", err, errlen);
  }
  if (o->grid < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: grid must be >= 1 (got %zu)", o->grid);
  if (!(o->width > 0) || !isfinite(o->width))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm: width must be > 0 (got %g)", o->width);
  double k = pow((double)o->grid, (double)d);
  if (k > 10000)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "glm: a grid of %zu per column over %zu columns makes %.0f basis "
                      "functions (at most 10000); lower grid or give centres", o->grid, d, k);
  return SOMA_OK;
}

/* centres, widths, lo, hi of the behaviour basis */
static int set_basis(joint_glm *m, const gsl_matrix *b, const joint_glm_options *o, char *err,
                     size_t errlen) {
  size_t d = m->d, T = b->size1;
  m->lo = gsl_vector_alloc(d), m->hi = gsl_vector_alloc(d), m->widths = gsl_vector_alloc(d);
  if (!m->lo || !m->hi || !m->widths) return SOMA_ERR_NOMEM;
  for (size_t j = 0; j < d; j++) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t t = 0; t < T; t++) {
      lo = fmin(lo, gsl_matrix_get(b, t, j));
      hi = fmax(hi, gsl_matrix_get(b, t, j));
    }
    gsl_vector_set(m->lo, j, lo), gsl_vector_set(m->hi, j, hi);
    if (!o->centres && hi == lo && o->grid > 1)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "glm: behaviour column %zu is constant (%g): drop it or give centres",
                        j, lo);
  }
  if (o->centres) {
    m->centres = gsl_matrix_alloc(o->centres->size1, d);
    if (!m->centres) return SOMA_ERR_NOMEM;
    gsl_matrix_memcpy(m->centres, o->centres);
    gsl_vector_memcpy(m->widths, o->widths);
    return SOMA_OK;
  }
  int rc = joint_glm_grid(m->lo, m->hi, o->grid, &m->centres, err, errlen);
  if (rc) return rc;
  for (size_t j = 0; j < d; j++) {
    double range = gsl_vector_get(m->hi, j) - gsl_vector_get(m->lo, j);
    double spacing = o->grid > 1 ? range / (double)(o->grid - 1) : (range > 0 ? range : 1.0);
    gsl_vector_set(m->widths, j, o->width * spacing);
  }
  return SOMA_OK;
}

/* the per-neuron result arrays */
static int alloc_results(joint_glm *m) {
  size_t n = m->n;
  m->coef = gsl_matrix_alloc(n, m->p);
  m->history_mean = gsl_matrix_calloc(n, m->h ? m->h : 1);
  m->iterations = calloc(n, sizeof(int)), m->converged = calloc(n, sizeof(int));
  m->silent = calloc(n, sizeof(int));
  m->deviance = gsl_vector_alloc(n), m->null_deviance = gsl_vector_alloc(n);
  m->deviance_explained = gsl_vector_alloc(n), m->loglik = gsl_vector_alloc(n);
  return m->coef && m->history_mean && m->iterations && m->converged && m->silent &&
         m->deviance && m->null_deviance && m->deviance_explained && m->loglik;
}

int joint_glm_fit(const gsl_matrix *behaviour, const gsl_matrix *counts,
                  const joint_glm_options *opt, joint_glm **out, char *err, size_t errlen) {
  joint_glm_options o = opt ? *opt : joint_glm_defaults();
  *out = NULL;
  int rc = check_fit(behaviour, counts, &o, err, errlen);
  if (rc) return rc;
  size_t T = counts->size1, n = counts->size2, d = behaviour ? behaviour->size2 : 0;
  joint_glm *m = calloc(1, sizeof *m);
  gsl_matrix *phi = NULL;
  rc = SOMA_ERR_NOMEM;
  if (!m) goto done;
  m->n = n, m->d = d, m->h = o.history, m->ridge = o.ridge;
  if (d && (rc = set_basis(m, behaviour, &o, err, errlen))) goto done;
  rc = SOMA_ERR_NOMEM;
  m->k = d ? m->centres->size1 : 0;
  m->p = 1 + m->k + m->h;
  m->span = !m->h ? 0 : o.history_basis == JOINT_GLM_LAGS ? m->h : o.history_span;
  if (m->h && !(m->kernels = history_kernels(m->h, o.history_basis, m->span))) goto done;
  if (!alloc_results(m)) goto done;
  if (m->k) {
    if (!(phi = gsl_matrix_alloc(T, m->k))) goto done;
    basis(m->centres, m->widths, behaviour, phi);
  }
  int nomem = 0;
#pragma omp parallel reduction(| : nomem)
  {
    work w;
    int ok = work_alloc(&w, T, m->h, m->p);
    if (!ok) nomem = 1;
#pragma omp for schedule(static)
    for (long i = 0; i < (long)n; i++)
      if (ok) fit_neuron(m, phi, counts, (size_t)i, o.max_iter, o.tol, &w);
    work_free(&w);
  }
  rc = nomem ? SOMA_ERR_NOMEM : SOMA_OK;
done:
  if (rc == SOMA_ERR_NOMEM) joint_fail(err, errlen, rc, "glm: out of memory");
  if (rc) joint_glm_free(m);
  else *out = m;
  if (phi) gsl_matrix_free(phi);
  return rc;
}

int joint_glm_basis(const joint_glm *m, const gsl_matrix *behaviour, gsl_matrix *phi,
                    char *err, size_t errlen) {
  if (!m || !m->k)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm basis: the model has no behaviour basis");
  if (!behaviour || behaviour->size2 != m->d)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "glm basis: the behaviour must have %zu columns", m->d);
  if (!phi || phi->size1 != behaviour->size1 || phi->size2 != m->k)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm basis: the output must be %zu x %zu",
                      behaviour->size1, m->k);
  int rc = joint_check_finite(behaviour, "glm basis", "behaviour", err, errlen);
  if (rc) return rc;
  basis(m->centres, m->widths, behaviour, phi);
  return SOMA_OK;
}

typedef enum { HISTORY_COUNTS, HISTORY_MEAN, HISTORY_ZERO } history_mode;

/* rates (T × n) of the model at behaviour (T × d or NULL when d = 0; T = rows) */
static int predict(const joint_glm *m, const gsl_matrix *behaviour, const gsl_matrix *counts,
                   history_mode mode, size_t T, gsl_matrix *rates, const char *who, char *err,
                   size_t errlen) {
  if (!m) return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: no model", who);
  if (m->d && (!behaviour || behaviour->size2 != m->d || behaviour->size1 != T))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: the behaviour must be %zu x %zu (one row per bin)", who, T, m->d);
  if (mode == HISTORY_COUNTS && (!counts || counts->size2 != m->n || counts->size1 != T))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: the counts must be %zu x %zu", who, T,
                      m->n);
  if (!rates || rates->size1 != T || rates->size2 != m->n)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: the output must be %zu x %zu", who, T,
                      m->n);
  int rc = m->d ? joint_check_finite(behaviour, who, "behaviour", err, errlen) : SOMA_OK;
  if (!rc && mode == HISTORY_COUNTS) rc = joint_check_finite(counts, who, "counts", err, errlen);
  if (rc) return rc;
  size_t n = m->n, k = m->k, h = m->h;
  /* η = 1 β0ᵀ + Φ Bᵀ (+ history) */
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < n; i++) gsl_matrix_set(rates, t, i, gsl_matrix_get(m->coef, i, 0));
  if (k) {
    gsl_matrix *phi = gsl_matrix_alloc(T, k);
    if (!phi) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory", who);
    basis(m->centres, m->widths, behaviour, phi);
    gsl_matrix_const_view B = gsl_matrix_const_submatrix(m->coef, 0, 1, n, k);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, phi, &B.matrix, 1.0, rates);
    gsl_matrix_free(phi);
  }
  if (h && mode != HISTORY_ZERO) {
    double *hist = mode == HISTORY_COUNTS ? malloc(T * h * sizeof *hist) : NULL;
    if (mode == HISTORY_COUNTS && !hist)
      return joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory", who);
    for (size_t i = 0; i < n; i++) {
      if (hist) history_features(m->kernels, counts, i, hist);
      for (size_t t = 0; t < T; t++) {
        double s = 0;
        for (size_t j = 0; j < h; j++)
          s += gsl_matrix_get(m->coef, i, 1 + k + j) *
               (hist ? hist[t * h + j] : gsl_matrix_get(m->history_mean, i, j));
        *gsl_matrix_ptr(rates, t, i) += s;
      }
    }
    free(hist);
  }
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(rates, t, i, exp(fmin(gsl_matrix_get(rates, t, i), 700.0)));
  return SOMA_OK;
}

static size_t rows_of(const gsl_matrix *a, const gsl_matrix *b) {
  return a ? a->size1 : b ? b->size1 : 0;
}

int joint_glm_rate(const joint_glm *m, const gsl_matrix *behaviour, const gsl_matrix *counts,
                   gsl_matrix *rates, char *err, size_t errlen) {
  size_t T = rows_of(m && m->d ? behaviour : NULL, counts);
  if (!T && rates) T = rates->size1;
  return predict(m, behaviour, counts, counts ? HISTORY_COUNTS : HISTORY_MEAN, T, rates,
                 "glm rate", err, errlen);
}

int joint_glm_tuning(const joint_glm *m, const gsl_matrix *points, gsl_matrix *rates, char *err,
                     size_t errlen) {
  size_t T = points ? points->size1 : rates ? rates->size1 : 0;
  return predict(m, points, NULL, HISTORY_ZERO, T, rates, "glm tuning", err, errlen);
}

int joint_glm_loglik(const joint_glm *m, const gsl_matrix *behaviour, const gsl_matrix *counts,
                     gsl_vector *ll, char *err, size_t errlen) {
  if (!m || !counts || !ll || ll->size != m->n)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "glm loglik: needs the model, counts and an output of %zu values",
                      m ? m->n : 0);
  gsl_matrix *rates = gsl_matrix_alloc(counts->size1 ? counts->size1 : 1, m->n);
  if (!rates) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "glm loglik: out of memory");
  int rc = predict(m, behaviour, counts, HISTORY_COUNTS, counts->size1, rates, "glm loglik",
                   err, errlen);
  if (!rc) {
    for (size_t t = 0; t < counts->size1; t++)
      for (size_t i = 0; i < m->n; i++)
        if (gsl_matrix_get(counts, t, i) < 0)
          rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "glm loglik: counts must be >= 0 (got %g at row %zu, column %zu)",
                          gsl_matrix_get(counts, t, i), t, i);
  }
  if (!rc) {
    gsl_vector_set_zero(ll);
    for (size_t t = 0; t < counts->size1; t++)
      for (size_t i = 0; i < m->n; i++) {
        double y = gsl_matrix_get(counts, t, i), u = gsl_matrix_get(rates, t, i);
        *gsl_vector_ptr(ll, i) += (y > 0 ? y * log(u) : 0) - u - lgamma(y + 1);
      }
  }
  gsl_matrix_free(rates);
  return rc;
}
