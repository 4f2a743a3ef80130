/* hmm.c — Poisson HMM: emission log-probabilities as one matrix product, scaled forward–backward,
 * Baum–Welch M-step, k-means++ starts from Philox streams, Viterbi (see hmm.h). */
#include "hmm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include "joint/check.h"
#include "sim/rng.h"
#include "sim/soma.h"

joint_hmm_options joint_hmm_defaults(void) {
  return (joint_hmm_options){.states = 3, .max_iter = 200, .tol = 1e-9, .restarts = 4,
                             .seed = 1, .rate_floor = 1e-8};
}

void joint_hmm_free(joint_hmm *m) {
  if (!m) return;
  if (m->rates) gsl_matrix_free(m->rates);
  if (m->trans) gsl_matrix_free(m->trans);
  if (m->init) gsl_vector_free(m->init);
  if (m->loglik) gsl_vector_free(m->loglik);
  free(m);
}

/* parameters of one start */
typedef struct params {
  gsl_matrix *rates, *trans;
  gsl_vector *init;
} params;

static void params_free(params *p) {
  if (p->rates) gsl_matrix_free(p->rates);
  if (p->trans) gsl_matrix_free(p->trans);
  if (p->init) gsl_vector_free(p->init);
}

static int params_alloc(params *p, size_t k, size_t n) {
  p->rates = gsl_matrix_alloc(k, n), p->trans = gsl_matrix_alloc(k, k);
  p->init = gsl_vector_alloc(k);
  return p->rates && p->trans && p->init;
}

/* forward–backward workspace over T bins */
typedef struct fb {
  size_t T, k;
  gsl_matrix *b;          /* T × k: emission log-probabilities, then exp(· − row max) */
  gsl_matrix *alpha;      /* T × k: scaled forward probabilities; × beta = γ */
  gsl_matrix *beta;       /* T × k: scaled backward probabilities */
  gsl_matrix *logrates;   /* k × n */
  double *c;              /* T: the forward normaliser of each bin */
  gsl_matrix *xi;         /* k × k: expected transitions Σ_t ξ_t */
} fb;

static void fb_free(fb *w) {
  if (w->b) gsl_matrix_free(w->b);
  if (w->alpha) gsl_matrix_free(w->alpha);
  if (w->beta) gsl_matrix_free(w->beta);
  if (w->logrates) gsl_matrix_free(w->logrates);
  if (w->xi) gsl_matrix_free(w->xi);
  free(w->c);
}

static int fb_alloc(fb *w, size_t T, size_t k, size_t n) {
  memset(w, 0, sizeof *w);
  w->T = T, w->k = k;
  w->b = gsl_matrix_alloc(T, k), w->alpha = gsl_matrix_alloc(T, k);
  w->beta = gsl_matrix_alloc(T, k), w->logrates = gsl_matrix_alloc(k, n);
  w->c = malloc(T * sizeof(double)), w->xi = gsl_matrix_alloc(k, k);
  return w->b && w->alpha && w->beta && w->logrates && w->c && w->xi;
}

/* b[t, j] = Σ_i y_ti log λ_ji − Σ_i λ_ji (the Σ_i log y_ti! part is in the caller's constant) */
static void emissions(const gsl_matrix *y, const gsl_matrix *rates, fb *w) {
  size_t k = rates->size1, n = rates->size2;
  for (size_t j = 0; j < k; j++)
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(w->logrates, j, i, log(gsl_matrix_get(rates, j, i)));
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, y, w->logrates, 0.0, w->b);
  for (size_t j = 0; j < k; j++) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += gsl_matrix_get(rates, j, i);
    gsl_vector_view col = gsl_matrix_column(w->b, j);
    gsl_vector_add_constant(&col.vector, -s);
  }
}

/* Scaled forward (and with backward, backward and Σ ξ) pass over the emissions in w->b.
 * Returns log p(y) without the −Σ log y! constant; −inf if the data have probability 0. */
static double forward_backward(const params *p, fb *w, int backward) {
  size_t T = w->T, k = w->k;
  double ll = 0;
  for (size_t t = 0; t < T; t++) {
    double *b = gsl_matrix_ptr(w->b, t, 0), mx = -INFINITY;
    for (size_t j = 0; j < k; j++) mx = fmax(mx, b[j]);
    for (size_t j = 0; j < k; j++) b[j] = exp(b[j] - mx);
    double *a = gsl_matrix_ptr(w->alpha, t, 0), c = 0;
    const double *ap = t ? gsl_matrix_const_ptr(w->alpha, t - 1, 0) : NULL;
    for (size_t j = 0; j < k; j++) {
      double s = 0;
      if (!ap) s = gsl_vector_get(p->init, j);
      else
        for (size_t i = 0; i < k; i++) s += ap[i] * gsl_matrix_get(p->trans, i, j);
      a[j] = s * b[j];
      c += a[j];
    }
    if (!(c > 0)) return -INFINITY;
    for (size_t j = 0; j < k; j++) a[j] /= c;
    w->c[t] = c;
    ll += mx + log(c);
  }
  if (!backward) return ll;
  gsl_matrix_set_zero(w->xi);
  for (size_t j = 0; j < k; j++) gsl_matrix_set(w->beta, T - 1, j, 1.0);
  for (size_t t = T - 1; t-- > 0;) {
    const double *b1 = gsl_matrix_const_ptr(w->b, t + 1, 0);
    const double *be1 = gsl_matrix_const_ptr(w->beta, t + 1, 0);
    const double *a = gsl_matrix_const_ptr(w->alpha, t, 0);
    double *be = gsl_matrix_ptr(w->beta, t, 0), c1 = w->c[t + 1];
    for (size_t i = 0; i < k; i++) {
      double s = 0;
      for (size_t j = 0; j < k; j++) {
        double f = gsl_matrix_get(p->trans, i, j) * b1[j] * be1[j] / c1;
        s += f;
        *gsl_matrix_ptr(w->xi, i, j) += a[i] * f;
      }
      be[i] = s;
    }
  }
  return ll;
}

/* Σ_t Σ_i log y_ti! */
static double log_factorials(const gsl_matrix *y) {
  double s = 0;
  for (size_t t = 0; t < y->size1; t++)
    for (size_t i = 0; i < y->size2; i++) {
      double v = gsl_matrix_get(y, t, i);
      if (v > 1) {
        int sign;
        s += lgamma_r(v + 1, &sign);
      }
    }
  return s;
}

/* The Baum–Welch M-step from γ = alpha ⊙ beta (kept in alpha) and Σ ξ. A state never visited
 * keeps its rates and transitions. */
static void mstep(const gsl_matrix *y, params *p, fb *w, double floor, gsl_matrix *num) {
  size_t T = w->T, k = w->k, n = y->size2;
  gsl_matrix_mul_elements(w->alpha, w->beta);   /* γ */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->alpha, y, 0.0, num);   /* Σ_t γ_tj y_t */
  for (size_t j = 0; j < k; j++) {
    double occ = 0, row = 0;
    for (size_t t = 0; t < T; t++) occ += gsl_matrix_get(w->alpha, t, j);
    gsl_vector_set(p->init, j, gsl_matrix_get(w->alpha, 0, j));
    if (occ > 0)
      for (size_t i = 0; i < n; i++)
        gsl_matrix_set(p->rates, j, i, fmax(gsl_matrix_get(num, j, i) / occ, floor));
    for (size_t l = 0; l < k; l++) row += gsl_matrix_get(w->xi, j, l);
    if (row > 0)
      for (size_t l = 0; l < k; l++)
        gsl_matrix_set(p->trans, j, l, gsl_matrix_get(w->xi, j, l) / row);
  }
  double z = 0;   /* γ_0 sums to 1 up to round-off */
  for (size_t j = 0; j < k; j++) z += gsl_vector_get(p->init, j);
  gsl_vector_scale(p->init, 1.0 / z);
}

/* k-means++ (Philox stream of the start), 20 Lloyd iterations on the count rows; rates = the
 * cluster means (floored), transitions = label transition counts + 1, π uniform */
static void init_start(const gsl_matrix *y, params *p, int start, uint32_t seed, double floor,
                       int *label, double *d2) {
  size_t T = y->size1, n = y->size2, k = p->rates->size1;
  soma_stream s;
  soma_stream_init(&s, seed, soma_stream_id("joint", "hmm_start"), (uint32_t)start, 0, 0);
  gsl_matrix *cen = p->rates;   /* the centres become the rates */
  size_t first = soma_stream_below(&s, (uint32_t)T);
  for (size_t i = 0; i < n; i++) gsl_matrix_set(cen, 0, i, gsl_matrix_get(y, first, i));
  for (size_t c = 1; c < k; c++) {
    double total = 0;
    for (size_t t = 0; t < T; t++) {
      double best = INFINITY;
      for (size_t j = 0; j < c; j++) {
        double e = 0;
        for (size_t i = 0; i < n; i++) {
          double v = gsl_matrix_get(y, t, i) - gsl_matrix_get(cen, j, i);
          e += v * v;
        }
        best = fmin(best, e);
      }
      d2[t] = best;
      total += best;
    }
    size_t pick = 0;
    if (total > 0) {
      double u = soma_stream_u01(&s) * total, acc = 0;
      for (pick = 0; pick + 1 < T; pick++) {
        acc += d2[pick];
        if (acc >= u && d2[pick] > 0) break;
      }
    } else {
      pick = soma_stream_below(&s, (uint32_t)T);
    }
    for (size_t i = 0; i < n; i++) gsl_matrix_set(cen, c, i, gsl_matrix_get(y, pick, i));
  }
  for (int it = 0; it < 20; it++) {
    int changed = 0;
    for (size_t t = 0; t < T; t++) {
      double best = INFINITY;
      int arg = 0;
      for (size_t j = 0; j < k; j++) {
        double e = 0;
        for (size_t i = 0; i < n; i++) {
          double v = gsl_matrix_get(y, t, i) - gsl_matrix_get(cen, j, i);
          e += v * v;
        }
        if (e < best) best = e, arg = (int)j;
      }
      if (it == 0 || label[t] != arg) changed = 1;
      label[t] = arg;
    }
    if (!changed) break;
    for (size_t j = 0; j < k; j++) {   /* means; an empty cluster keeps its centre */
      double cnt = 0;
      for (size_t t = 0; t < T; t++) cnt += label[t] == (int)j;
      if (cnt == 0) continue;
      for (size_t i = 0; i < n; i++) {
        double sum = 0;
        for (size_t t = 0; t < T; t++)
          if (label[t] == (int)j) sum += gsl_matrix_get(y, t, i);
        gsl_matrix_set(cen, j, i, sum / cnt);
      }
    }
  }
  for (size_t j = 0; j < k; j++)
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(cen, j, i, fmax(gsl_matrix_get(cen, j, i), floor));
  gsl_matrix_set_all(p->trans, 1.0);
  for (size_t t = 0; t + 1 < T; t++)
    *gsl_matrix_ptr(p->trans, (size_t)label[t], (size_t)label[t + 1]) += 1;
  for (size_t j = 0; j < k; j++) {
    gsl_vector_view r = gsl_matrix_row(p->trans, j);
    double z = 0;
    for (size_t l = 0; l < k; l++) z += gsl_vector_get(&r.vector, l);
    gsl_vector_scale(&r.vector, 1.0 / z);
  }
  gsl_vector_set_all(p->init, 1.0 / (double)k);
}

/* the result of one start */
typedef struct run {
  params p;
  double *trace;
  int iterations, converged, decreases, ok;
  double max_decrease, final;
} run;

static void run_start(const gsl_matrix *y, const joint_hmm_options *o, double logfact,
                      int start, run *r) {
  size_t T = y->size1, n = y->size2, k = (size_t)o->states;
  fb w;
  int *label = malloc(T * sizeof *label);
  double *d2 = malloc(T * sizeof *d2);
  gsl_matrix *num = gsl_matrix_alloc(k, n);
  r->ok = 0;
  if (fb_alloc(&w, T, k, n) && label && d2 && num) {
    init_start(y, &r->p, start, o->seed, o->rate_floor, label, d2);
    double prev = -INFINITY;
    r->ok = 1;
    for (int it = 0; it < o->max_iter; it++) {
      emissions(y, r->p.rates, &w);
      double ll = forward_backward(&r->p, &w, 1) - logfact;
      r->trace[it] = ll;
      r->iterations = it + 1;
      r->final = ll;
      if (it > 0) {
        double fall = (prev - ll) / fabs(prev);
        if (fall > 1e-9) r->decreases++;
        if (fall > r->max_decrease) r->max_decrease = fall;
        if (ll - prev <= o->tol * fabs(ll)) {
          r->converged = 1;
          break;
        }
      }
      prev = ll;
      if (it == o->max_iter - 1) break;
      mstep(y, &r->p, &w, o->rate_floor, num);
    }
  }
  fb_free(&w);
  free(label), free(d2);
  if (num) gsl_matrix_free(num);
}

static int check_counts(const gsl_matrix *y, const char *who, char *err, size_t errlen) {
  int rc = joint_check_finite(y, who, "counts", err, errlen);
  if (rc) return rc;
  for (size_t t = 0; t < y->size1; t++)
    for (size_t i = 0; i < y->size2; i++)
      if (gsl_matrix_get(y, t, i) < 0)
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "%s: counts must be >= 0 (got %g at row %zu, column %zu)", who,
                          gsl_matrix_get(y, t, i), t, i);
  return SOMA_OK;
}

int joint_hmm_fit(const gsl_matrix *counts, const joint_hmm_options *opt, joint_hmm **out,
                  char *err, size_t errlen) {
  joint_hmm_options o = opt ? *opt : joint_hmm_defaults();
  *out = NULL;
  if (!counts || counts->size1 == 0 || counts->size2 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "hmm: empty counts");
  size_t T = counts->size1, n = counts->size2;
  if (o.states < 1 || (size_t)o.states > T || o.states > 1000)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "hmm: states must be from 1 to the %zu bins (and <= 1000) (got %d)", T,
                      o.states);
  if (o.max_iter < 1 || o.restarts < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "hmm: max_iter and restarts must be >= 1 (got %d and %d)", o.max_iter,
                      o.restarts);
  if (!(o.tol >= 0) || !(o.rate_floor > 0) || !isfinite(o.rate_floor))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "hmm: tol must be >= 0 and rate_floor > 0 (got %g and %g)", o.tol,
                      o.rate_floor);
  if (T > UINT32_MAX)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "hmm: too many bins (%zu)", T);
  int rc = check_counts(counts, "hmm", err, errlen);
  if (rc) return rc;
  size_t k = (size_t)o.states;
  double logfact = log_factorials(counts);
  run *runs = calloc((size_t)o.restarts, sizeof *runs);
  joint_hmm *m = calloc(1, sizeof *m);
  rc = SOMA_ERR_NOMEM;
  if (!runs || !m) goto done;
  int nomem = 0;
  for (int s = 0; s < o.restarts; s++) {
    runs[s].trace = malloc((size_t)o.max_iter * sizeof(double));
    if (!runs[s].trace || !params_alloc(&runs[s].p, k, n)) nomem = 1;
  }
  if (nomem) goto done;
#pragma omp parallel for schedule(static)
  for (int s = 0; s < o.restarts; s++) run_start(counts, &o, logfact, s, &runs[s]);
  int best = -1;
  for (int s = 0; s < o.restarts; s++) {
    if (!runs[s].ok) goto done;
    m->decreases += runs[s].decreases;
    m->max_decrease = fmax(m->max_decrease, runs[s].max_decrease);
    if (best < 0 || runs[s].final > runs[best].final) best = s;
  }
  m->k = k, m->n = n, m->start = best;
  m->rates = runs[best].p.rates, m->trans = runs[best].p.trans, m->init = runs[best].p.init;
  runs[best].p = (params){0};
  m->iterations = runs[best].iterations, m->converged = runs[best].converged;
  m->loglik = gsl_vector_alloc((size_t)m->iterations);
  if (!m->loglik) goto done;
  memcpy(m->loglik->data, runs[best].trace, (size_t)m->iterations * sizeof(double));
  rc = SOMA_OK;
done:
  if (rc) {
    joint_fail(err, errlen, rc, "hmm: out of memory");
    joint_hmm_free(m);
  } else {
    *out = m;
  }
  if (runs)
    for (int s = 0; s < o.restarts; s++) {
      params_free(&runs[s].p);
      free(runs[s].trace);
    }
  free(runs);
  return rc;
}

static int check_model(const joint_hmm *m, const gsl_matrix *y, const char *who, char *err,
                       size_t errlen) {
  if (!m || !m->rates || !m->trans || !m->init)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: no model", who);
  if (!y || y->size2 != m->n || y->size1 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: the counts must have %zu columns (the model's neurons)", who, m->n);
  for (size_t j = 0; j < m->k; j++)
    for (size_t i = 0; i < m->n; i++)
      if (!(gsl_matrix_get(m->rates, j, i) > 0) || !isfinite(gsl_matrix_get(m->rates, j, i)))
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "%s: rate of state %zu, neuron %zu must be > 0 (got %g)", who, j, i,
                          gsl_matrix_get(m->rates, j, i));
  return check_counts(y, who, err, errlen);
}

int joint_hmm_posterior(const joint_hmm *m, const gsl_matrix *counts, gsl_matrix *gamma,
                        double *loglik, char *err, size_t errlen) {
  int rc = check_model(m, counts, "hmm posterior", err, errlen);
  if (rc) return rc;
  size_t T = counts->size1;
  if (!gamma || gamma->size1 != T || gamma->size2 != m->k)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "hmm posterior: gamma must be %zu x %zu", T,
                      m->k);
  fb w;
  if (!fb_alloc(&w, T, m->k, m->n)) {
    fb_free(&w);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "hmm posterior: out of memory");
  }
  params p = {m->rates, m->trans, m->init};
  emissions(counts, m->rates, &w);
  double ll = forward_backward(&p, &w, 1);
  if (!isfinite(ll)) {
    fb_free(&w);
    return joint_fail(err, errlen, SOMA_ERR_NUMERIC,
                      "hmm posterior: the counts have probability 0 under the model");
  }
  gsl_matrix_memcpy(gamma, w.alpha);
  gsl_matrix_mul_elements(gamma, w.beta);
  if (loglik) *loglik = ll - log_factorials(counts);
  fb_free(&w);
  return SOMA_OK;
}

int joint_hmm_viterbi(const joint_hmm *m, const gsl_matrix *counts, int *states, double *logp,
                      char *err, size_t errlen) {
  int rc = check_model(m, counts, "hmm viterbi", err, errlen);
  if (rc) return rc;
  if (!states) return joint_fail(err, errlen, SOMA_ERR_PARAM, "hmm viterbi: no output");
  size_t T = counts->size1, k = m->k;
  fb w;
  int *back = malloc(T * k * sizeof *back);
  double *prev = malloc(k * sizeof *prev), *cur = malloc(k * sizeof *cur);
  if (!fb_alloc(&w, T, k, m->n) || !back || !prev || !cur) {
    fb_free(&w);
    free(back), free(prev), free(cur);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "hmm viterbi: out of memory");
  }
  emissions(counts, m->rates, &w);
  for (size_t j = 0; j < k; j++)
    prev[j] = log(gsl_vector_get(m->init, j)) + gsl_matrix_get(w.b, 0, j);
  for (size_t t = 1; t < T; t++) {
    for (size_t j = 0; j < k; j++) {
      double best = -INFINITY;
      int arg = 0;
      for (size_t i = 0; i < k; i++) {
        double v = prev[i] + log(gsl_matrix_get(m->trans, i, j));
        if (v > best) best = v, arg = (int)i;
      }
      cur[j] = best + gsl_matrix_get(w.b, t, j);
      back[t * k + j] = arg;
    }
    memcpy(prev, cur, k * sizeof *cur);
  }
  double best = -INFINITY;
  int s = 0;
  for (size_t j = 0; j < k; j++)
    if (prev[j] > best) best = prev[j], s = (int)j;
  for (size_t t = T; t-- > 0;) {
    states[t] = s;
    if (t) s = back[t * k + (size_t)s];
  }
  if (logp) *logp = best - log_factorials(counts);
  fb_free(&w);
  free(back), free(prev), free(cur);
  return SOMA_OK;
}
