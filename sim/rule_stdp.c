/* rule_stdp.c — pair-based STDP with traces, and its three-factor forms.
 *
 * stdp: a presynaptic trace x per synapse (jumps at each arrival) and a postsynaptic trace y
 * per neuron (jumps at each spike), decaying with tau_plus and tau_minus. At an arrival the
 * weight changes by -A_minus y f_-(w); at a postsynaptic spike by +A_plus x f_+(w), with
 *   f_+(w) = ((w_max - w) / (w_max - w_min))^mu_plus,  f_-(w) = ((w - w_min) / (w_max - w_min))^mu_minus
 * (mu = 0: additive, mu = 1: multiplicative, i.e. soft bounds), and w kept in [w_min, w_max].
 * Traces add up over all earlier spikes (all-to-all pairing), or with nearest = 1 are reset to
 * 1 at each spike (nearest-neighbour pairing). A single pair at dt = t_post - t_arrival gives
 * A_plus exp(-dt / tau_plus) for dt > 0 and -A_minus exp(dt / tau_minus) for dt <= 0.
 *
 * stdp_dopamine (Izhikevich 2007): the same pairing changes an eligibility trace e per synapse
 * (decaying with tau_e) instead of the weight; every `every` ms the weight moves by
 * lr * every * m * e, m the modulator's value (tonic + phasic dopamine).
 * td_ltp (Fremaux, Sprekeler & Gerstner 2013): only pre-before-post pairs (LTP) feed the
 * eligibility, which a TD-error signal (the modulator) turns into weight changes.
 *
 * The eligibility is stored relative to the last tick (the ticks fall on multiples of every):
 * e(t) = stored * exp(-(t - tick) / tau_e), so it needs no per-synapse time. */
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "plastic.h"

enum { A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS, W_MIN, W_MAX, MU_PLUS, MU_MINUS, NEAREST, N_PAIR };
enum { TAU_E = N_PAIR, LR, EVERY, N_MOD };

#define PAIR_PARAMS(a_plus, a_minus)                                                              \
  {"A_plus", "w", a_plus, 0, INFINITY, 0, "weight change of a pre-before-post pair at dt -> 0"},   \
  {"A_minus", "w", a_minus, 0, INFINITY, 0, "weight change (down) of a post-before-pre pair"},     \
  {"tau_plus", "ms", 20, 0, INFINITY, SOMA_LO_OPEN, "decay of the presynaptic trace"},             \
  {"tau_minus", "ms", 20, 0, INFINITY, SOMA_LO_OPEN, "decay of the postsynaptic trace"},           \
  {"w_min", "w", 0, -INFINITY, INFINITY, 0, "lowest weight"},                                      \
  {"w_max", "w", INFINITY, -INFINITY, INFINITY, SOMA_INF_OK, "highest weight (finite when mu > 0)"}, \
  {"mu_plus", "", 0, 0, 1, 0, "weight dependence of LTP: 0 additive, 1 multiplicative"},           \
  {"mu_minus", "", 0, 0, 1, 0, "weight dependence of LTD: 0 additive, 1 multiplicative"},          \
  {"nearest", "", 0, 0, 1, SOMA_INT, "1: nearest-neighbour pairing (traces reset to 1)"}

static const soma_param_def stdp_params[] = {PAIR_PARAMS(0.01, 0.0105)};

#define MOD_PARAMS(tau_e, lr, every)                                                              \
  {"tau_e", "ms", tau_e, 0, INFINITY, SOMA_LO_OPEN, "decay of the eligibility trace"},             \
  {"lr", "1/ms", lr, 0, INFINITY, 0, "learning rate: dw/dt = lr * modulator * eligibility"},       \
  {"every", "ms", every, 0, 1000, SOMA_LO_OPEN, "time between weight updates"}

/* Izhikevich 2007 (daspnet.m): A+ = 0.1, A- = 1.5 * 0.1, tau 20 ms, eligibility x0.99 per
 * 10 ms (tau_e = 995 ms), weights updated every 10 ms by (0.002 + DA) * c, so lr = 0.1/ms */
static const soma_param_def dopamine_params[] = {PAIR_PARAMS(0.1, 0.15),
                                                 MOD_PARAMS(995.0, 0.1, 10)};
static const soma_param_def td_ltp_params[] = {PAIR_PARAMS(0.1, 0), MOD_PARAMS(500, 0.1, 1)};

typedef struct {
  float a_plus, a_minus, w_min, w_max, mu_plus, mu_minus, inv_range;
  int nearest, modulated, ltd;
  float lr_every, e_tick;          /* lr * every (ms); exp(-every / tau_e) */
  int64_t quiet_steps;             /* after its last spike, a row's eligibility is flushed */
} stdp_consts;

/* decay tables 0 and 1 (tau_plus, tau_minus); table 2 holds exp(+k dt / tau_e), k = 0 .. every */
enum { GROW = 2 };

static int check(const double *p, char *msg, size_t len) {
  if ((p[MU_PLUS] > 0 || p[MU_MINUS] > 0) && !isfinite(p[W_MAX])) {
    snprintf(msg, len, "multiplicative weight dependence (mu_plus or mu_minus > 0) needs a finite w_max");
    return 1;
  }
  return 0;
}

/* the modulated rules apply pairs additively to the eligibility */
static int check_modulated(const double *p, char *msg, size_t len) {
  if (p[MU_PLUS] > 0 || p[MU_MINUS] > 0) {
    snprintf(msg, len, "mu_plus and mu_minus (weight dependence) apply to rule 'stdp'; the "
             "modulated rules are additive, with weights kept in [w_min, w_max]");
    return 1;
  }
  return 0;
}

static int prepare(soma_plastic *pl) {
  const double *p = pl->p, dt = pl->proj->net->dt;
  stdp_consts *c = pl->consts;
  if (!c && !(c = pl->consts = calloc(1, sizeof *c))) return SOMA_ERR_NOMEM;
  c->a_plus = (float)p[A_PLUS];
  c->a_minus = (float)p[A_MINUS];
  c->w_min = (float)p[W_MIN];
  c->w_max = isfinite(p[W_MAX]) ? (float)p[W_MAX] : INFINITY;
  c->mu_plus = (float)p[MU_PLUS];
  c->mu_minus = (float)p[MU_MINUS];
  c->inv_range = isfinite(p[W_MAX]) ? (float)(1.0 / (p[W_MAX] - p[W_MIN])) : 0;
  c->nearest = p[NEAREST] != 0;
  c->modulated = pl->rule->uses_modulator;
  c->ltd = c->a_minus > 0;
  if (soma__decay_table(pl, 0, p[TAU_PLUS], dt) || soma__decay_table(pl, 1, p[TAU_MINUS], dt))
    return SOMA_ERR_NOMEM;
  if (c->modulated) {
    c->lr_every = (float)(p[LR] * pl->every * dt);
    c->e_tick = (float)exp(-pl->every * dt / p[TAU_E]);
    float *g = realloc(pl->table[GROW], sizeof(float) * ((size_t)pl->every + 1));
    if (!g) return SOMA_ERR_NOMEM;
    for (int k = 0; k <= pl->every; k++) g[k] = (float)exp(k * dt / p[TAU_E]);
    pl->table[GROW] = g;
    pl->table_n[GROW] = pl->every + 1;
    /* the presynaptic trace is exactly 0 after table_n[0] steps, so no pair can form later;
       ten eligibility time constants on, what is left (< 5e-5 of it) is set to 0 */
    double e_steps = ceil(10 * p[TAU_E] / dt);   /* tau_e up to 3e38 ms: never quiet */
    c->quiet_steps = pl->proj->d_max + 1 + pl->table_n[0] + (e_steps < 1e15 ? (int64_t)e_steps
                                                                             : (int64_t)1e15);
  }
  return SOMA_OK;
}

static inline float factor(float x, float mu) {
  if (mu == 0) return 1;
  x = x < 0 ? 0 : x;
  return mu == 1 ? x : powf(x, mu);
}

static inline float clamp(float w, const stdp_consts *c) {
  return w < c->w_min ? c->w_min : w > c->w_max ? c->w_max : w;
}

/* the change dw of the weight, or of the eligibility (relative to the tick before `at`) */
static inline void apply(soma_plastic *pl, int t, uint32_t k, float dw, int64_t tick_age) {
  const stdp_consts *c = pl->consts;
  if (c->modulated) {
    soma__syn(pl, t, k)[0].f += dw * pl->table[GROW][tick_age];
  } else {
    float *w = &pl->proj->part[t].w[k];
    *w = clamp(*w + dw, c);
  }
}

/* a spike reaches synapse k: depression from the postsynaptic trace */
static inline void ltd(soma_plastic *pl, int t, uint32_t k, uint32_t i, soma_slot *pre, int64_t a) {
  (void)pre;
  const stdp_consts *c = pl->consts;
  if (!c->ltd) return;
  float yv = pl->post[0][i] * soma__decay(pl, 1, a - pl->t_post[i]);
  if (yv == 0) return;
  float dw = -c->a_minus * yv;
  if (!c->modulated) dw *= factor((pl->proj->part[t].w[k] - c->w_min) * c->inv_range, c->mu_minus);
  apply(pl, t, k, dw, pl->every ? a % pl->every : 0);   /* arrivals come after the tick at a */
}

/* the presynaptic trace x (slot 1) takes the spike */
static inline void jump(soma_plastic *pl, soma_slot *pre, int64_t a) {
  const stdp_consts *c = pl->consts;
  pre[1].f = c->nearest ? 1.0f : pre[1].f * soma__decay(pl, 0, soma__since(pre, a)) + 1.0f;
  pre[0].u = (uint32_t)a;
}

SOMA_RULE_ARRIVE(arrive, ltd, jump)

static void post(soma_plastic *pl, int t, uint32_t i, int64_t s) {
  const stdp_consts *c = pl->consts;
  const soma_part *pt = &pl->proj->part[t];
  /* post spikes come before the tick at s: their eligibility is relative to the one before */
  const int64_t age = pl->every ? (s - 1) % pl->every + 1 : 0;
  for (size_t j = pl->colptr[i]; j < pl->colptr[i + 1]; j++) {
    const soma_slot *pre = soma__pre_col(pl, t, j);
    float xv = pre[1].f * soma__decay(pl, 0, soma__since(pre, s));
    if (xv == 0) continue;
    uint32_t k = pl->col[j];
    float dw = c->a_plus * xv;
    if (!c->modulated) dw *= factor((c->w_max - pt->w[k]) * c->inv_range, c->mu_plus);
    apply(pl, t, k, dw, age);
  }
  float *y = pl->post[0];
  y[i] = c->nearest ? 1.0f : y[i] * soma__decay(pl, 1, s - pl->t_post[i]) + 1.0f;
  pl->t_post[i] = s;
}

/* Every `every` steps: eligibilities decay by e_tick and the weights move by lr every m e.
 * Rows of presynaptic neurons silent for quiet_steps have their eligibility set to 0 once and
 * are skipped until their next spike: in a place code most inputs are silent most of the time. */
static void tick(soma_plastic *pl, int t, int64_t s, double m) {
  const stdp_consts *c = pl->consts;
  const soma_part *pt = &pl->proj->part[t];
  soma_slot *e = pl->syn[t] + pl->syn_off;
  float *w = pt->w;
  const float g = c->lr_every * (float)m, d = c->e_tick;
  const size_t stride = (size_t)pl->stride;
  const int64_t *last = pl->row_last[t];
  unsigned char *quiet = pl->row_quiet[t];
  for (int r = 0; r < pl->proj->pre->n; r++) {
    if (quiet[r]) continue;
    const size_t b = pt->row[r], end = pt->row[r + 1];
    if (s - last[r] > c->quiet_steps) {
      for (size_t k = b; k < end; k++) e[k * stride].f = 0;
      quiet[r] = 1;
      continue;
    }
    for (size_t k = b; k < end; k++) {
      float ev = e[k * stride].f * d;
      e[k * stride].f = ev;
      float v = w[k] + g * ev;
      w[k] = v < c->w_min ? c->w_min : v > c->w_max ? c->w_max : v;
    }
  }
}

const soma_rule soma_rule_stdp = {
    .name = "stdp",
    .doc = "pair-based STDP with traces (additive or multiplicative, all-to-all or nearest pairing)",
    .params = stdp_params,
    .n_params = N_PAIR,
    .pre_vars = 1,
    .post_vars = 1,
    .check = check,
    .prepare = prepare,
    .arrive = arrive,
    .post = post,
};

/* the three-factor rules differ only in their names and parameter tables */
#define MODULATED_RULE(rule_name, rule_doc, table)                                                 \
  {.name = rule_name, .doc = rule_doc, .params = table, .n_params = N_MOD, .pre_vars = 1,        \
   .syn_vars = 1, .post_vars = 1, .uses_modulator = 1, .check = check_modulated,                 \
   .prepare = prepare, .arrive = arrive, .post = post, .tick = tick}

const soma_rule soma_rule_stdp_dopamine = MODULATED_RULE(
    "stdp_dopamine",
    "dopamine-modulated STDP (Izhikevich 2007): pairs build an eligibility trace that the "
    "modulator turns into weight changes",
    dopamine_params);

const soma_rule soma_rule_td_ltp = MODULATED_RULE(
    "td_ltp",
    "TD-LTP (Fremaux, Sprekeler & Gerstner 2013): pre-before-post pairs build an eligibility "
    "trace that a TD-error modulator turns into weight changes",
    td_ltp_params);
