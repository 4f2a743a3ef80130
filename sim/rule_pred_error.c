/* rule_pred_error.c — learning to predict: a synapse onto a "prediction" population changes
 * by  lr * (target - prediction) * x,  where x is the presynaptic trace (jumps by 1 at each
 * arrival, decays with tau_pre), the prediction is the postsynaptic neuron's rate and the
 * target a rate too: set per neuron by the script (soma_proj_set_target) or read from
 * another population of the same size (soma_proj_set_target_pop: neuron i teaches neuron i).
 * Rates are spike traces over tau_rate, in Hz. Applied every `every` ms as
 * dw = lr * every * (target - prediction) * x, weights kept in [w_min, w_max]. The delta rule
 * of world models and motor internal models. */
#include <math.h>
#include <stdlib.h>

#include "internal.h"
#include "plastic.h"

enum { LR, TAU_PRE, TAU_RATE, EVERY, W_MIN, W_MAX, N_PARAMS };

static const soma_param_def params[] = {
    {"lr", "w/(Hz ms)", 1e-4, 0, INFINITY, 0, "learning rate"},
    {"tau_pre", "ms", 20, 0, INFINITY, SOMA_LO_OPEN, "decay of the presynaptic trace"},
    {"tau_rate", "ms", 100, 0, INFINITY, SOMA_LO_OPEN, "window of the rates (prediction, target)"},
    {"every", "ms", 1, 0, 1000, SOMA_LO_OPEN, "time between weight updates"},
    {"w_min", "w", 0, -INFINITY, INFINITY, 0, "lowest weight"},
    {"w_max", "w", INFINITY, -INFINITY, INFINITY, SOMA_INF_OK, "highest weight"},
};

typedef struct {
  float gain, hz, w_min, w_max;   /* lr * every (ms); 1000 / tau_rate (trace -> Hz) */
} pe_consts;

static int prepare(soma_plastic *pl) {
  const double *p = pl->p, dt = pl->proj->net->dt;
  pe_consts *c = pl->consts;
  if (!c && !(c = pl->consts = calloc(1, sizeof *c))) return SOMA_ERR_NOMEM;
  c->gain = (float)(p[LR] * pl->every * dt);
  c->hz = (float)(1000.0 / p[TAU_RATE]);
  c->w_min = (float)p[W_MIN];
  c->w_max = isfinite(p[W_MAX]) ? (float)p[W_MAX] : INFINITY;
  if (soma__decay_table(pl, 0, p[TAU_PRE], dt) || soma__decay_table(pl, 1, p[TAU_RATE], dt))
    return SOMA_ERR_NOMEM;
  return SOMA_OK;
}

static inline void jump(soma_plastic *pl, soma_slot *pre, int64_t a) {
  pre[1].f = pre[1].f * soma__decay(pl, 0, soma__since(pre, a)) + 1.0f;
  pre[0].u = (uint32_t)a;
}

SOMA_RULE_ARRIVE(arrive, soma__no_ltd, jump)

static void post(soma_plastic *pl, int t, uint32_t i, int64_t s) {
  (void)t;
  float *y = pl->post[0];
  y[i] = y[i] * soma__decay(pl, 1, s - pl->t_post[i]) + 1.0f;
  pl->t_post[i] = s;
}

static void tick(soma_plastic *pl, int t, int64_t s, double m) {
  (void)m;
  const pe_consts *c = pl->consts;
  const soma_proj *pr = pl->proj;
  float *w = pr->part[t].w;
  int lo = pr->post->part[t], hi = pr->post->part[t + 1] < pr->post->n ? pr->post->part[t + 1] : pr->post->n;
  for (int i = lo; i < hi; i++) {
    float pred = pl->post[0][i] * soma__decay(pl, 1, s - pl->t_post[i]) * c->hz;
    float target = pl->target_pop
                       ? pl->target_trace[i] * soma__decay(pl, 1, s - pl->target_t[i]) * c->hz
                       : pl->target[i];
    float g = c->gain * (target - pred);
    if (g == 0) continue;
    for (size_t j = pl->colptr[i]; j < pl->colptr[i + 1]; j++) {
      const soma_slot *pre = soma__pre_col(pl, t, j);
      float xv = pre[1].f * soma__decay(pl, 0, soma__since(pre, s));
      if (xv == 0) continue;
      float *wk = &w[pl->col[j]], v = *wk + g * xv;
      *wk = v < c->w_min ? c->w_min : v > c->w_max ? c->w_max : v;
    }
  }
}

const soma_rule soma_rule_pred_error = {
    .name = "pred_error",
    .doc = "prediction-error (delta) rule: dw = lr (target rate - own rate) x_pre, the target "
           "from the script or from another population",
    .params = params,
    .n_params = N_PARAMS,
    .pre_vars = 1,
    .post_vars = 1,
    .prepare = prepare,
    .arrive = arrive,
    .post = post,
    .tick = tick,
    .uses_target = 1,
};
