/* contrastive_sampler.c — CEBRA's reference/positive/negative sampling (see
 * contrastive_sampler.h). The nearest-label search is exact: a sweep outwards from the query in
 * the order of the first label column, stopping once that column alone is farther than the
 * best match (for one column, two binary searches). */
#include "contrastive_sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joint/check.h"
#include "sim/rng.h"
#include "sim/soma.h"

void joint_contrastive_sampler_free(joint_contrastive_sampler *s) {
  if (!s) return;
  free(s->y), free(s->dy), free(s->class_of), free(s->class_start), free(s->byclass);
  free(s->sorted), free(s->key);
  memset(s, 0, sizeof *s);
}

typedef struct { double key; size_t idx; } keyed;

static int by_key_then_index(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

static int by_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* classes: distinct values in ascending order; members grouped, ascending */
static int build_classes(joint_contrastive_sampler *s, const gsl_vector_int *discrete) {
  size_t T = s->T;
  int *v = malloc(T * sizeof *v);
  s->class_of = malloc(T * sizeof *s->class_of);
  s->byclass = malloc(T * sizeof *s->byclass);
  if (!v || !s->class_of || !s->byclass) {
    free(v);
    return SOMA_ERR_NOMEM;
  }
  for (size_t t = 0; t < T; t++) v[t] = gsl_vector_int_get(discrete, t);
  qsort(v, T, sizeof *v, by_int);
  size_t k = 0;
  for (size_t t = 0; t < T; t++)
    if (t == 0 || v[t] != v[t - 1]) v[k++] = v[t];
  s->n_classes = k;
  s->class_start = calloc(k + 1, sizeof *s->class_start);
  if (!s->class_start) {
    free(v);
    return SOMA_ERR_NOMEM;
  }
  for (size_t t = 0; t < T; t++) {
    int x = gsl_vector_int_get(discrete, t);
    size_t lo = 0, hi = k;   /* binary search of x among the distinct values */
    while (hi - lo > 1) {
      size_t mid = (lo + hi) / 2;
      if (v[mid] <= x) lo = mid; else hi = mid;
    }
    s->class_of[t] = (int)lo;
    s->class_start[lo + 1]++;
  }
  for (size_t c = 0; c < k; c++) s->class_start[c + 1] += s->class_start[c];
  size_t *fill = malloc((k ? k : 1) * sizeof *fill);
  if (!fill) {
    free(v);
    return SOMA_ERR_NOMEM;
  }
  memcpy(fill, s->class_start, k * sizeof *fill);
  for (size_t t = 0; t < T; t++) s->byclass[fill[s->class_of[t]]++] = t;
  free(fill), free(v);
  return SOMA_OK;
}

/* the search index: one group (all points), or one per class (mixed) */
static int build_index(joint_contrastive_sampler *s) {
  size_t T = s->T;
  keyed *k = malloc(T * sizeof *k);
  s->sorted = malloc(T * sizeof *s->sorted);
  s->key = malloc(T * sizeof *s->key);
  if (!k || !s->sorted || !s->key) {
    free(k);
    return SOMA_ERR_NOMEM;
  }
  for (size_t i = 0; i < T; i++) {
    size_t t = s->mode == JOINT_SAMPLE_MIXED ? s->byclass[i] : i;
    k[i].key = s->y[t * s->D], k[i].idx = t;
  }
  if (s->mode == JOINT_SAMPLE_MIXED)
    for (size_t c = 0; c < s->n_classes; c++)
      qsort(k + s->class_start[c], s->class_start[c + 1] - s->class_start[c], sizeof *k,
            by_key_then_index);
  else
    qsort(k, T, sizeof *k, by_key_then_index);
  for (size_t i = 0; i < T; i++) s->sorted[i] = k[i].idx, s->key[i] = k[i].key;
  free(k);
  return SOMA_OK;
}

int joint_contrastive_sampler_init(joint_contrastive_sampler *s, joint_sample_mode mode,
                                   size_t T, const gsl_matrix *labels,
                                   const gsl_vector_int *discrete, int time_offset,
                                   double delta, int uniform_prior, uint32_t seed, char *err,
                                   size_t errlen) {
  memset(s, 0, sizeof *s);
  s->mode = mode, s->T = T, s->time_offset = time_offset, s->delta = delta;
  s->uniform_prior = uniform_prior, s->seed = seed;
  int continuous = mode == JOINT_SAMPLE_TIME_DELTA || mode == JOINT_SAMPLE_DELTA ||
                   mode == JOINT_SAMPLE_MIXED;
  int classes = mode == JOINT_SAMPLE_DISCRETE || mode == JOINT_SAMPLE_MIXED;
  if (T < 1 || T > UINT32_MAX)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "contrastive: %zu time points (need 1 .. %u)",
                      T, UINT32_MAX);
  if (time_offset < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "contrastive: time_offsets must be >= 1 (got %d)", time_offset);
  if (mode == JOINT_SAMPLE_TIME && (size_t)time_offset >= T)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "contrastive: time_offsets (%d) must be smaller than the number of time "
                      "points (%zu)", time_offset, T);
  if (continuous && (!labels || labels->size1 != T || labels->size2 < 1))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "contrastive: this conditional needs continuous labels with %zu rows", T);
  if (classes && (!discrete || discrete->size != T))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "contrastive: this conditional needs %zu discrete labels", T);
  if (mode == JOINT_SAMPLE_DELTA && !(delta > 0 && isfinite(delta)))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "contrastive: conditional \"delta\" needs delta > 0 (got %g)", delta);
  int rc = SOMA_OK;
  if (classes) rc = build_classes(s, discrete);
  if (rc == SOMA_OK && continuous) {
    size_t D = s->D = labels->size2;
    s->y = malloc(T * D * sizeof *s->y);
    s->dy = calloc(T * D, sizeof *s->dy);
    if (!s->y || !s->dy) rc = SOMA_ERR_NOMEM;
    for (size_t t = 0; rc == SOMA_OK && t < T; t++)
      for (size_t j = 0; j < D; j++) {
        s->y[t * D + j] = gsl_matrix_get(labels, t, j);
        if (t >= (size_t)time_offset)
          s->dy[t * D + j] = gsl_matrix_get(labels, t, j) -
                             gsl_matrix_get(labels, t - (size_t)time_offset, j);
      }
    if (rc == SOMA_OK) rc = build_index(s);
  }
  if (rc != SOMA_OK) {
    joint_contrastive_sampler_free(s);
    return joint_fail(err, errlen, rc, "contrastive: out of memory for the sampler (T = %zu)", T);
  }
  return SOMA_OK;
}

static size_t lower_bound(const double *key, size_t lo, size_t hi, double q) {
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (key[mid] < q) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/* one candidate of the sweep; 0 once the first column alone is farther than the best */
static int visit(const joint_contrastive_sampler *s, size_t i, const double *query, double *bd,
                 size_t *best) {
  double dk = s->key[i] - query[0];
  if (dk * dk > *bd) return 0;
  const double *y = s->y + s->sorted[i] * s->D;
  double d2 = 0;
  for (size_t j = 0; j < s->D; j++) d2 += (y[j] - query[j]) * (y[j] - query[j]);
  if (d2 < *bd || (d2 == *bd && s->sorted[i] < *best)) *bd = d2, *best = s->sorted[i];
  return 1;
}

size_t joint_contrastive_sampler_nearest(const joint_contrastive_sampler *s,
                                         const double *query, size_t group) {
  size_t gs = 0, ge = s->T, D = s->D;
  if (s->mode == JOINT_SAMPLE_MIXED) gs = s->class_start[group], ge = s->class_start[group + 1];
  double q0 = query[0];
  size_t pos = lower_bound(s->key, gs, ge, q0);
  if (D == 1) {
    /* the first key >= q (its run's lowest index), and the run just below it */
    size_t best = SIZE_MAX;
    double bd = INFINITY;
    if (pos < ge) best = s->sorted[pos], bd = s->key[pos] - q0;
    if (pos > gs) {
      size_t b = lower_bound(s->key, gs, pos, s->key[pos - 1]);
      double d = q0 - s->key[b];
      if (d < bd || (d == bd && s->sorted[b] < best)) best = s->sorted[b];
    }
    return best;
  }
  size_t best = SIZE_MAX;
  double bd = INFINITY;
  for (size_t h = pos; h < ge && visit(s, h, query, &bd, &best); h++) {}
  for (size_t h = pos; h > gs && visit(s, h - 1, query, &bd, &best); h--) {}
  return best;
}

/* a prior draw: a time point (class-balanced: a class, then a member) */
static long prior_draw(const joint_contrastive_sampler *s, soma_stream *st) {
  uint32_t T = (uint32_t)s->T;
  if (s->mode == JOINT_SAMPLE_TIME) return soma_stream_below(st, T - (uint32_t)s->time_offset);
  int balanced = s->mode == JOINT_SAMPLE_MIXED ||
                 (s->mode == JOINT_SAMPLE_DISCRETE && s->uniform_prior);
  if (!balanced) return soma_stream_below(st, T);
  size_t c = soma_stream_below(st, (uint32_t)s->n_classes);
  size_t a = s->class_start[c], n = s->class_start[c + 1] - a;
  return (long)s->byclass[a + soma_stream_below(st, (uint32_t)n)];
}

static long conditional_draw(const joint_contrastive_sampler *s, soma_stream *st, long ref) {
  size_t D = s->D, r = (size_t)ref;
  double q[64], *qq = D <= 64 ? q : malloc(D * sizeof *qq);
  long out = ref;
  if (!qq) return ref;   /* out of memory: the reference is its own positive */
  switch (s->mode) {
  case JOINT_SAMPLE_TIME:
    out = ref + s->time_offset;
    break;
  case JOINT_SAMPLE_TIME_DELTA:
  case JOINT_SAMPLE_MIXED: {
    size_t t = soma_stream_below(st, (uint32_t)s->T);
    for (size_t j = 0; j < D; j++) qq[j] = s->y[r * D + j] + s->dy[t * D + j];
    out = (long)joint_contrastive_sampler_nearest(
        s, qq, s->mode == JOINT_SAMPLE_MIXED ? (size_t)s->class_of[r] : 0);
    break;
  }
  case JOINT_SAMPLE_DELTA:
    for (size_t j = 0; j < D; j++) {
      double u1 = soma_stream_u01(st), u2 = soma_stream_u01(st);
      qq[j] = s->y[r * D + j] + s->delta * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
    }
    out = (long)joint_contrastive_sampler_nearest(s, qq, 0);
    break;
  case JOINT_SAMPLE_DISCRETE: {
    size_t c = (size_t)s->class_of[r], a = s->class_start[c], n = s->class_start[c + 1] - a;
    out = (long)s->byclass[a + soma_stream_below(st, (uint32_t)n)];
    break;
  }
  }
  if (qq != q) free(qq);
  return out;
}

void joint_contrastive_sampler_draw(const joint_contrastive_sampler *s, uint32_t iter, size_t n,
                                    long *ref, long *pos, long *neg, int nthreads) {
  uint32_t prior = soma_stream_id("contrastive", "prior");
  uint32_t cond = soma_stream_id("contrastive", "conditional");
  int search = s->mode != JOINT_SAMPLE_TIME && s->mode != JOINT_SAMPLE_DISCRETE;
#pragma omp parallel for schedule(static) num_threads(nthreads > 0 ? nthreads : 1) \
    if (search && n >= 64)
  for (long i = 0; i < (long)n; i++) {
    soma_stream st;
    soma_stream_init(&st, s->seed, prior, iter, (uint32_t)i, 0);
    ref[i] = prior_draw(s, &st);
    soma_stream_init(&st, s->seed, prior, iter, (uint32_t)(n + (size_t)i), 0);
    neg[i] = prior_draw(s, &st);
    soma_stream_init(&st, s->seed, cond, iter, (uint32_t)i, 0);
    pos[i] = conditional_draw(s, &st, ref[i]);
  }
}
