/* readout.c — action readouts from spike counts: counting a recording's spikes in a window,
 * the winner-take-all choice (greedy with random ties, softmax, epsilon) drawn from the
 * probabilities it reports, and the population vector with Gaussian noise. Random numbers are
 * Philox words keyed by the seed and indexed by the draw number, so they depend on nothing else. */
#include "agents/readout.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/param.h"
#include "sim/rng.h"

enum { TAG_WTA = 0x77746131u, TAG_POPVEC = 0x70766563u };   /* separate the two kinds' draws */

/* ---- messages and checks ---------------------------------------------------------------- */

static void vformat(char *err, size_t len, const char *who, const char *fmt, va_list ap) {
  if (!err || !len) return;
  int k = snprintf(err, len, "%s: ", who);
  if (k >= 0 && (size_t)k < len) vsnprintf(err + k, len - (size_t)k, fmt, ap);
}

static int fail(char *err, size_t len, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t len, const char *who, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(err, len, who, fmt, ap);
  va_end(ap);
  return SOMA_ERR_PARAM;
}

/* v against [lo, hi] (flags as in soma_param_def), the message naming the parameter. */
static int check(char *err, size_t len, const char *who, const char *name, double v, double lo,
                 double hi, unsigned flags) {
  char m[200];
  soma_param_def d = {name, "", 0, lo, hi, flags, NULL};
  return soma_param_check(&d, v, m, sizeof m) ? fail(err, len, who, "%s", m) : SOMA_OK;
}

/* Counts must be finite and >= 0. */
static int check_counts(char *err, size_t len, const char *who, const double *c, int n) {
  for (int i = 0; i < n; i++)
    if (!(c[i] >= 0) || isinf(c[i]))
      return fail(err, len, who, "counts[%d] must be a finite number >= 0 (got %g)", i, c[i]);
  return SOMA_OK;
}

/* Four random words for draw k of a generator seeded by seed. */
static philox4x32_ctr_t draw(uint64_t seed, uint32_t tag, uint64_t k) {
  return soma_philox((uint32_t)seed, (uint32_t)(seed >> 32), (uint32_t)k, (uint32_t)(k >> 32),
                     tag);
}

/* ---- spike counts ---------------------------------------------------------------------- */

int soma_spike_counts(const soma_rec *rec, int64_t from_step, int64_t to_step, double *counts,
                      int n, char *err, size_t len) {
  const char *who = "spike counts";
  if (!rec || !soma_rec_is_spikes(rec))
    return fail(err, len, who, "need a spike recording (got %s)",
                rec ? soma_rec_name(rec) : "none");
  int size = soma_pop_size(soma_rec_pop(rec));
  if (n != size || !counts)
    return fail(err, len, who, "'%s' records %d neurons; counts must hold %d values (got %d)",
                soma_rec_name(rec), size, size, counts ? n : 0);
  if (from_step > to_step)
    return fail(err, len, who, "the window must not end before it starts (steps %lld to %lld)",
                (long long)from_step, (long long)to_step);
  memset(counts, 0, sizeof *counts * (size_t)n);
  size_t total = soma_rec_spike_count(rec), lo = 0, hi = total;
  const int64_t *steps = soma_rec_spike_steps(rec);
  const int32_t *ids = soma_rec_spike_ids(rec);
  /* a spike of step s is stamped s + 1 (its time is the end of the step), and stamps are
   * sorted: find the first stamp after from_step, count up to to_step included */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (steps[mid] <= from_step) lo = mid + 1;
    else hi = mid;
  }
  for (size_t k = lo; k < total && steps[k] <= to_step; k++) counts[ids[k]] += 1;
  return SOMA_OK;
}

/* ---- winner-take-all ------------------------------------------------------------------- */

struct soma_wta {
  int n_actions, group;
  double temperature, epsilon;
  uint64_t seed, draws;
  double *counts, *probs;   /* per action, of the last choice */
  int explored;
  char err[256];
};

soma_wta_params soma_wta_defaults(void) {
  return (soma_wta_params){.n_actions = 4, .group = 1, .temperature = 0, .epsilon = 0, .seed = 1};
}

static int check_exploration(char *err, size_t len, double temperature, double epsilon) {
  if (check(err, len, "wta readout", "temperature", temperature, 0, INFINITY, 0) ||
      check(err, len, "wta readout", "epsilon", epsilon, 0, 1, 0))
    return SOMA_ERR_PARAM;
  return SOMA_OK;
}

soma_wta *soma_wta_create(const soma_wta_params *p, char *err, size_t len) {
  const char *who = "wta readout";
  if (!p) {
    fail(err, len, who, "no parameters");
    return NULL;
  }
  if (check(err, len, who, "n_actions", p->n_actions, 1, SOMA_READOUT_MAX_SIZE, SOMA_INT) ||
      check(err, len, who, "group", p->group, 1, SOMA_READOUT_MAX_SIZE, SOMA_INT) ||
      check_exploration(err, len, p->temperature, p->epsilon))
    return NULL;
  if ((int64_t)p->n_actions * p->group > SOMA_READOUT_MAX_SIZE) {
    fail(err, len, who, "n_actions * group must be <= %d neurons (got %lld)",
         SOMA_READOUT_MAX_SIZE, (long long)p->n_actions * p->group);
    return NULL;
  }
  soma_wta *w = calloc(1, sizeof *w);
  if (w) {
    w->counts = calloc((size_t)p->n_actions, sizeof *w->counts);
    w->probs = calloc((size_t)p->n_actions, sizeof *w->probs);
  }
  if (!w || !w->counts || !w->probs) {
    soma_wta_destroy(w);
    fail(err, len, who, "out of memory");
    return NULL;
  }
  w->n_actions = p->n_actions;
  w->group = p->group;
  w->temperature = p->temperature;
  w->epsilon = p->epsilon;
  w->seed = p->seed;
  return w;
}

void soma_wta_destroy(soma_wta *w) {
  if (!w) return;
  free(w->counts);
  free(w->probs);
  free(w);
}

static int wta_refuse(soma_wta *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int wta_refuse(soma_wta *w, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(w->err, sizeof w->err, "wta readout", fmt, ap);
  va_end(ap);
  return SOMA_ERR_PARAM;
}

/* The probabilities of each action for counts c (see soma_wta_params). */
static void wta_probs(const soma_wta *w, const double *c, double *p) {
  int n = w->n_actions;
  double max = c[0], sum = 0;
  for (int a = 1; a < n; a++)
    if (c[a] > max) max = c[a];
  for (int a = 0; a < n; a++) {
    p[a] = w->temperature > 0 ? exp((c[a] - max) / w->temperature) : c[a] == max;
    sum += p[a];   /* >= 1: the largest count contributes exp(0) */
  }
  for (int a = 0; a < n; a++) p[a] = w->epsilon / n + (1 - w->epsilon) * p[a] / sum;
}

int soma_wta_choose(soma_wta *w, const double *counts, int n) {
  int per_neuron = n == w->n_actions * w->group;
  if (!counts || (!per_neuron && n != w->n_actions))
    return wta_refuse(w, "takes %d counts (%d per action) or %d (one per action); got %d",
                      w->n_actions * w->group, w->group, w->n_actions, counts ? n : 0);
  if (check_counts(w->err, sizeof w->err, "wta readout", counts, n)) return SOMA_ERR_PARAM;
  int group = per_neuron ? w->group : 1;
  double max = 0;
  for (int a = 0; a < w->n_actions; a++) {
    double s = 0;
    for (int j = 0; j < group; j++) s += counts[(size_t)a * group + j];
    w->counts[a] = s;
    if (s > max) max = s;
  }
  wta_probs(w, w->counts, w->probs);
  double u = soma_u01(draw(w->seed, TAG_WTA, w->draws++).v[0]), cum = 0;
  int choice = -1;
  for (int a = 0; a < w->n_actions; a++) {
    if (w->probs[a] <= 0) continue;
    choice = a;   /* the last action with a chance, should rounding leave u beyond the sum */
    cum += w->probs[a];
    if (u < cum) break;
  }
  w->explored = w->counts[choice] < max;
  w->err[0] = 0;
  return choice;
}

const double *soma_wta_counts(const soma_wta *w) { return w->counts; }
const double *soma_wta_probs(const soma_wta *w) { return w->probs; }
int soma_wta_explored(const soma_wta *w) { return w->explored; }

int soma_wta_set_exploration(soma_wta *w, double temperature, double epsilon) {
  if (check_exploration(w->err, sizeof w->err, temperature, epsilon)) return SOMA_ERR_PARAM;
  w->temperature = temperature;
  w->epsilon = epsilon;
  return SOMA_OK;
}

void soma_wta_reseed(soma_wta *w, uint64_t seed) {
  w->seed = seed;
  w->draws = 0;
}

int soma_wta_n_actions(const soma_wta *w) { return w->n_actions; }
int soma_wta_group(const soma_wta *w) { return w->group; }
double soma_wta_temperature(const soma_wta *w) { return w->temperature; }
double soma_wta_epsilon(const soma_wta *w) { return w->epsilon; }
uint64_t soma_wta_choices(const soma_wta *w) { return w->draws; }
const char *soma_wta_errmsg(const soma_wta *w) { return w->err; }

/* ---- population vector ----------------------------------------------------------------- */

struct soma_popvec {
  int n;
  double *angles, *ux, *uy;   /* preferred directions and their unit vectors */
  double gain, noise;
  uint64_t seed, draws;
  char err[256];
};

soma_popvec_params soma_popvec_defaults(void) {
  return (soma_popvec_params){.n = 8, .gain = 1, .noise = 0, .seed = 1};
}

soma_popvec *soma_popvec_create(const soma_popvec_params *p, char *err, size_t len) {
  const char *who = "popvec readout";
  if (!p) {
    fail(err, len, who, "no parameters");
    return NULL;
  }
  if (check(err, len, who, "n", p->n, 1, SOMA_READOUT_MAX_SIZE, SOMA_INT) ||
      check(err, len, who, "gain", p->gain, 0, INFINITY, 0) ||
      check(err, len, who, "noise", p->noise, 0, INFINITY, 0))
    return NULL;
  for (int i = 0; p->angles && i < p->n; i++)
    if (!isfinite(p->angles[i])) {
      fail(err, len, who, "angles[%d] must be a finite number (got %g)", i, p->angles[i]);
      return NULL;
    }
  soma_popvec *pv = calloc(1, sizeof *pv);
  if (pv) {
    pv->angles = malloc(sizeof *pv->angles * (size_t)p->n);
    pv->ux = malloc(sizeof *pv->ux * (size_t)p->n);
    pv->uy = malloc(sizeof *pv->uy * (size_t)p->n);
  }
  if (!pv || !pv->angles || !pv->ux || !pv->uy) {
    soma_popvec_destroy(pv);
    fail(err, len, who, "out of memory");
    return NULL;
  }
  pv->n = p->n;
  for (int i = 0; i < p->n; i++) {
    pv->angles[i] = p->angles ? p->angles[i] : 2 * M_PI * i / p->n;
    pv->ux[i] = cos(pv->angles[i]);
    pv->uy[i] = sin(pv->angles[i]);
  }
  pv->gain = p->gain;
  pv->noise = p->noise;
  pv->seed = p->seed;
  return pv;
}

void soma_popvec_destroy(soma_popvec *pv) {
  if (!pv) return;
  free(pv->angles);
  free(pv->ux);
  free(pv->uy);
  free(pv);
}

int soma_popvec_read(soma_popvec *pv, const double *counts, int n, soma_popvec_result *out) {
  if (!counts || !out || n != pv->n)
    return fail(pv->err, sizeof pv->err, "popvec readout", "takes %d counts (got %d)", pv->n,
                counts ? n : 0);
  if (check_counts(pv->err, sizeof pv->err, "popvec readout", counts, n)) return SOMA_ERR_PARAM;
  double sx = 0, sy = 0, total = 0;
  for (int i = 0; i < n; i++) {
    sx += counts[i] * pv->ux[i];
    sy += counts[i] * pv->uy[i];
    total += counts[i];
  }
  soma_popvec_result r = {.total = total, .angle = NAN};
  if (total > 0) {
    r.mean[0] = sx / total;
    r.mean[1] = sy / total;
    r.length = hypot(r.mean[0], r.mean[1]);
    r.angle = atan2(r.mean[1], r.mean[0]);
  }
  /* Box-Muller: one pair of Gaussians per read, drawn whether or not noise is on */
  philox4x32_ctr_t x = draw(pv->seed, TAG_POPVEC, pv->draws++);
  double rad = sqrt(-2 * log(soma_u01(x.v[0]))), phi = 2 * M_PI * soma_u01(x.v[1]);
  r.action[0] = pv->gain * r.mean[0] + pv->noise * rad * cos(phi);
  r.action[1] = pv->gain * r.mean[1] + pv->noise * rad * sin(phi);
  *out = r;
  pv->err[0] = 0;
  return SOMA_OK;
}

int soma_popvec_set_noise(soma_popvec *pv, double noise) {
  if (check(pv->err, sizeof pv->err, "popvec readout", "noise", noise, 0, INFINITY, 0))
    return SOMA_ERR_PARAM;
  pv->noise = noise;
  return SOMA_OK;
}

void soma_popvec_reseed(soma_popvec *pv, uint64_t seed) {
  pv->seed = seed;
  pv->draws = 0;
}

int soma_popvec_size(const soma_popvec *pv) { return pv->n; }
const double *soma_popvec_angles(const soma_popvec *pv) { return pv->angles; }
double soma_popvec_gain(const soma_popvec *pv) { return pv->gain; }
double soma_popvec_noise(const soma_popvec *pv) { return pv->noise; }
const char *soma_popvec_errmsg(const soma_popvec *pv) { return pv->err; }
