/* rule_triplet.c — triplet STDP (Pfister & Gerstner 2006, J Neurosci 26:9673).
 *
 * Two presynaptic traces per synapse, r1 (tau_plus) and r2 (tau_x), and two postsynaptic
 * traces per neuron, o1 (tau_minus) and o2 (tau_y). At an arrival:
 *   w -= o1 (A2_minus + A3_minus r2),  then r1, r2 jump;
 * at a postsynaptic spike:
 *   w += r1 (A2_plus + A3_plus o2),    then o1, o2 jump
 * (r2 and o2 taken just before their own jump). Traces add up (all-to-all) or, with
 * nearest = 1, are reset to 1. Weights stay in [w_min, w_max]. The published fits to visual
 * cortex (Sjostrom et al. 2001) and hippocampal (Wang et al. 2005) data are presets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "plastic.h"

enum { A2P, A3P, A2M, A3M, TAU_PLUS, TAU_MINUS, TAU_X, TAU_Y, W_MIN, W_MAX, NEAREST, N_PARAMS };

static const soma_param_def params[] = {
    {"A2_plus", "w", 5e-10, 0, INFINITY, 0, "pair LTP amplitude"},
    {"A3_plus", "w", 6.2e-3, 0, INFINITY, 0, "triplet LTP amplitude (post-pre-post)"},
    {"A2_minus", "w", 7e-3, 0, INFINITY, 0, "pair LTD amplitude"},
    {"A3_minus", "w", 2.3e-4, 0, INFINITY, 0, "triplet LTD amplitude (pre-post-pre)"},
    {"tau_plus", "ms", 16.8, 0, INFINITY, SOMA_LO_OPEN, "decay of r1"},
    {"tau_minus", "ms", 33.7, 0, INFINITY, SOMA_LO_OPEN, "decay of o1"},
    {"tau_x", "ms", 101, 0, INFINITY, SOMA_LO_OPEN, "decay of r2"},
    {"tau_y", "ms", 125, 0, INFINITY, SOMA_LO_OPEN, "decay of o2"},
    {"w_min", "w", 0, -INFINITY, INFINITY, 0, "lowest weight"},
    {"w_max", "w", INFINITY, -INFINITY, INFINITY, SOMA_INF_OK, "highest weight"},
    {"nearest", "", 0, 0, 1, SOMA_INT, "1: nearest-spike interactions (traces reset to 1)"},
};

/* Pfister & Gerstner 2006, Table 4 (tau_plus 16.8 ms, tau_minus 33.7 ms throughout) */
#define PRESET(name, a2p, a3p, a2m, a3m, tx, ty, nn)                                               \
  static const soma_param name[] = {{"A2_plus", a2p}, {"A3_plus", a3p},   {"A2_minus", a2m},       \
                                    {"A3_minus", a3m}, {"tau_x", tx},     {"tau_y", ty},           \
                                    {"nearest", nn},   {"tau_plus", 16.8}, {"tau_minus", 33.7},    \
                                    {NULL, 0}}
PRESET(visual_all, 5e-10, 6.2e-3, 7e-3, 2.3e-4, 101, 125, 0);
PRESET(visual_nearest, 8.8e-11, 5.3e-2, 6.6e-3, 3.1e-3, 714, 40, 1);
PRESET(visual_minimal_all, 0, 6.5e-3, 7.1e-3, 0, 101, 114, 0);
PRESET(hippocampus_all, 6.1e-3, 6.7e-3, 1.6e-3, 1.4e-3, 946, 27, 0);
PRESET(hippocampus_nearest, 4.6e-3, 9.1e-3, 3e-3, 7.5e-9, 575, 47, 1);
PRESET(hippocampus_minimal_all, 5.3e-3, 8e-3, 3.5e-3, 0, 946, 40, 0);

static const struct {
  const char *name;
  const soma_param *params;
} presets[] = {
    {"visual_cortex_all_to_all", visual_all},
    {"visual_cortex_nearest", visual_nearest},
    {"visual_cortex_minimal", visual_minimal_all},
    {"hippocampus_all_to_all", hippocampus_all},
    {"hippocampus_nearest", hippocampus_nearest},
    {"hippocampus_minimal", hippocampus_minimal_all},
    {NULL, NULL},
};

const soma_param *soma_rule_preset(const char *rule, const char *preset) {
  if (!rule || !preset || strcmp(rule, "triplet")) return NULL;
  for (int k = 0; presets[k].name; k++)
    if (!strcmp(presets[k].name, preset)) return presets[k].params;
  return NULL;
}

const char *soma__rule_preset_name(const char *rule, int k) {
  if (!rule || strcmp(rule, "triplet") || k < 0 || k >= (int)(sizeof presets / sizeof *presets) - 1)
    return NULL;
  return presets[k].name;
}

typedef struct {
  float a2p, a3p, a2m, a3m, w_min, w_max;
  int nearest;
} triplet_consts;

static int prepare(soma_plastic *pl) {
  const double *p = pl->p, dt = pl->proj->net->dt;
  triplet_consts *c = pl->consts;
  if (!c && !(c = pl->consts = calloc(1, sizeof *c))) return SOMA_ERR_NOMEM;
  *c = (triplet_consts){(float)p[A2P], (float)p[A3P], (float)p[A2M], (float)p[A3M],
                        (float)p[W_MIN], isfinite(p[W_MAX]) ? (float)p[W_MAX] : INFINITY,
                        p[NEAREST] != 0};
  if (soma__decay_table(pl, 0, p[TAU_PLUS], dt) || soma__decay_table(pl, 1, p[TAU_MINUS], dt) ||
      soma__decay_table(pl, 2, p[TAU_X], dt) || soma__decay_table(pl, 3, p[TAU_Y], dt))
    return SOMA_ERR_NOMEM;
  return SOMA_OK;
}

static inline float clamp(float w, const triplet_consts *c) {
  return w < c->w_min ? c->w_min : w > c->w_max ? c->w_max : w;
}

/* a spike reaches synapse k: depression from o1, boosted by r2 before this spike */
static inline void ltd(soma_plastic *pl, int t, uint32_t k, uint32_t i, soma_slot *pre, int64_t a) {
  const triplet_consts *c = pl->consts;
  float o1v = pl->post[0][i] * soma__decay(pl, 1, a - pl->t_post[i]);
  if (o1v == 0) return;
  float r2v = pre[2].f * soma__decay(pl, 2, soma__since(pre, a));
  float *w = &pl->proj->part[t].w[k];
  *w = clamp(*w - o1v * (c->a2m + c->a3m * r2v), c);
}

/* r1 (slot 1) and r2 (slot 2) take the spike */
static inline void jump(soma_plastic *pl, soma_slot *pre, int64_t a) {
  const triplet_consts *c = pl->consts;
  int64_t since = soma__since(pre, a);
  pre[1].f = c->nearest ? 1.0f : pre[1].f * soma__decay(pl, 0, since) + 1.0f;
  pre[2].f = c->nearest ? 1.0f : pre[2].f * soma__decay(pl, 2, since) + 1.0f;
  pre[0].u = (uint32_t)a;
}

SOMA_RULE_ARRIVE(arrive, ltd, jump)

static void post(soma_plastic *pl, int t, uint32_t i, int64_t s) {
  const triplet_consts *c = pl->consts;
  const soma_part *pt = &pl->proj->part[t];
  float *o1 = pl->post[0], *o2 = pl->post[1];
  int64_t since = s - pl->t_post[i];
  float o2v = o2[i] * soma__decay(pl, 3, since);
  float gain = c->a2p + c->a3p * o2v;
  for (size_t j = pl->colptr[i]; j < pl->colptr[i + 1]; j++) {
    const soma_slot *pre = soma__pre_col(pl, t, j);
    float r1v = pre[1].f * soma__decay(pl, 0, soma__since(pre, s));
    if (r1v == 0) continue;
    float *w = &pt->w[pl->col[j]];
    *w = clamp(*w + r1v * gain, c);
  }
  o1[i] = c->nearest ? 1.0f : o1[i] * soma__decay(pl, 1, since) + 1.0f;
  o2[i] = c->nearest ? 1.0f : o2v + 1.0f;
  pl->t_post[i] = s;
}

const soma_rule soma_rule_triplet = {
    .name = "triplet",
    .doc = "triplet STDP (Pfister & Gerstner 2006); presets: visual_cortex_all_to_all, "
           "visual_cortex_nearest, visual_cortex_minimal, hippocampus_all_to_all, "
           "hippocampus_nearest, hippocampus_minimal",
    .params = params,
    .n_params = N_PARAMS,
    .pre_vars = 2,
    .post_vars = 2,
    .prepare = prepare,
    .arrive = arrive,
    .post = post,
};
