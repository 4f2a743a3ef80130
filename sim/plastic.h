/* plastic.h — synaptic plasticity inside the engine (files of sim/ only).
 *
 * A plastic projection keeps its weights per synapse and runs a learning rule. Work happens
 * at events, never per synapse per step:
 *   - a presynaptic spike is queued, at delivery, for the step it arrives at its synapse
 *     (stamp + delay); the thread that owns the target then adds the weight into the input
 *     and runs the rule's arrival update (depression, presynaptic traces);
 *   - a postsynaptic spike runs the rule over that neuron's incoming synapses, found through a
 *     transposed index (potentiation, postsynaptic traces);
 *   - rules that need it (modulated learning, consolidation) run a tick every `every` ms over
 *     all synapses of a thread's share.
 * Each thread owns the synapses onto its own neurons (the projection's parts), so every update
 * is made by one thread in one order, and the weights are the same for any thread count.
 *
 * Presynaptic traces: when every synapse of the projection has the same delay, all synapses of
 * a presynaptic neuron see its spikes at the same steps, so their traces are one record per
 * presynaptic neuron (per part), small enough to stay in cache; a spike is queued once per
 * part and processed along its row. With delays that differ, each synapse keeps its own.
 *
 * Time: a spike of step p is stamped p + 1 (steps); a spike stamped s with delay d arrives at
 * step s + d. Pairing uses dt_pair = t_post - t_arrival: at an arrival, postsynaptic spikes
 * stamped up to the arrival step count as before it (depression); a postsynaptic spike counts
 * the arrivals up to the step it was computed in (potentiation). */
#ifndef SOMA_PLASTIC_H
#define SOMA_PLASTIC_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "soma.h"

typedef struct soma_plastic soma_plastic;
typedef union soma_slot {
  uint32_t u;
  float f;
} soma_slot;

/* A learning rule: its parameters and the functions the step loop calls. */
typedef struct soma_rule {
  const char *name;
  const char *doc;
  const soma_param_def *params;
  int n_params;
  int pre_vars;     /* presynaptic traces (floats) */
  int syn_vars;     /* floats per synapse besides the weight and the traces (eligibility) */
  int post_vars;    /* floats per postsynaptic neuron */
  int uses_modulator;
  /* cross-parameter checks (after each parameter's own bounds); 0 or 1 with msg */
  int (*check)(const double *p, char *msg, size_t len);
  /* derived constants (decay tables) before a run */
  int (*prepare)(soma_plastic *pl);
  /* the queued items of part t arrive at step a: synapses, or presynaptic neurons with
   * pl->per_pre. Adds each synapse's weight to the input slot `in`, then learns; returns the
   * synaptic events (SOMA_RULE_ARRIVE writes this) */
  size_t (*arrive)(soma_plastic *pl, int t, const uint32_t *items, size_t n, int64_t a, float *in);
  /* postsynaptic neuron i (owned by part t) spiked, stamped s */
  void (*post)(soma_plastic *pl, int t, uint32_t i, int64_t s);
  /* every pl->every steps, at stamp s, over part t, with the modulator's value m */
  void (*tick)(soma_plastic *pl, int t, int64_t s, double m);
  int uses_target;  /* learns towards a target (soma_proj_set_target*) */
} soma_rule;

/* Arrivals waiting in part t: one list of synapse indices per ring slot. */
typedef struct soma_queue {
  uint32_t **ks;
  size_t *len, *cap;
} soma_queue;

struct soma_plastic {
  const soma_rule *rule;
  soma_proj *proj;
  double p[32];             /* the rule's parameters, in descriptor order */
  struct soma_mod *mod;     /* read by modulated rules, else NULL */
  int every;                /* steps between ticks (0: no tick) */
  /* Presynaptic traces: a record of 1 + pre_vars slots, slot 0 the step of the last arrival
   * (stamp + delay, modulo 2^32), then the traces. With per_pre, one record per presynaptic
   * neuron and part in pre[t], and per synapse only the syn_vars; else each synapse's record
   * in syn[t] holds its traces and then its syn_vars. One record, one cache line. */
  int per_pre;
  soma_slot **pre;
  soma_slot **syn;
  int stride;               /* slots per synapse record */
  int syn_off;              /* where the syn_vars start in it */
  uint32_t *colpre;         /* with per_pre: the presynaptic neuron of each col entry */
  /* per postsynaptic neuron (n_pad): post_vars arrays and the stamp of its last spike */
  float **post;
  int64_t *t_post;
  /* transposed index: synapses onto neuron i are col[colptr[i] .. colptr[i + 1]) in the part
   * that owns i */
  size_t *colptr;
  uint32_t *col;
  soma_queue *queue;        /* per part */
  /* per part, per presynaptic neuron: the step of its last spike queued, and whether its row
   * is quiet (every eligibility in it 0, and no spike since): ticks skip quiet rows */
  int64_t **row_last;
  unsigned char **row_quiet;
  int slots;                /* ring slots of the queues */
  /* decay tables: exp(-k dt / tau) for k < table_n[j] (0 beyond) */
  float *table[5];          /* 0-3 the rule's, 4 the scaling's rate window */
  int table_n[5];
  void *consts;             /* the rule's derived constants */
  /* the teaching signal of rules that learn to predict: per postsynaptic neuron, a target
   * set by the script (target, Hz), or the rate trace of a population of the same size */
  float *target;
  soma_pop *target_pop;
  float *target_trace;      /* n_pad: jumps by 1 at each spike of target_pop neuron i */
  int64_t *target_t;        /* stamp of its last spike */
  /* homeostatic scaling: every scale_every steps, the weights onto neuron i are multiplied by
   * 1 + scale_gain (target - rate_i), rate_i a spike trace over scale_tau (Hz) */
  int scale_every;          /* 0: off */
  double scale_target, scale_gain, scale_tau;
  float *rate;              /* n_pad */
  int64_t *rate_t;
  /* consolidation: per part, per synapse: the weight at the last sample, the importance
   * accumulated since the last consolidation (omega), the weight then (start), the anchor and
   * the importance Omega. Every cons_every steps omega += dw^2 and every weight is pulled
   * towards its anchor: dw/dt = -lambda Omega (w - anchor). consolidate(): SI sets
   * Omega += omega / ((w - start)^2 + xi), EWC Omega += omega; anchor = w, omega = 0. */
  int frozen;               /* learning off: spikes pass, weights and traces stay */
  int cons_every;           /* 0: off */
  int cons_kind;            /* 0 SI, 1 EWC */
  double cons_lambda, cons_xi;
  float **c_prev, **c_omega, **c_start, **c_anchor, **c_imp;
  /* fast and slow weights: w = base + fast + slow; every fs_every steps the rule's change
   * since the last tick, d, is split: fast = a_f fast + b_f d, slow = a_s slow + b_s d */
  int fs_every;             /* 0: off */
  float fs_af, fs_as, fs_bf, fs_bs;
  float **fs_base, **fs_fast, **fs_slow, **fs_prev;
};

const soma_rule *soma__rule_find(const char *name);
extern const soma_rule soma_rule_stdp, soma_rule_stdp_dopamine, soma_rule_td_ltp, soma_rule_triplet,
    soma_rule_pred_error;

/* synapse k's own variables (eligibility ...) in part t */
static inline soma_slot *soma__syn(const soma_plastic *pl, int t, uint32_t k) {
  return pl->syn[t] + (size_t)k * (size_t)pl->stride + pl->syn_off;
}
/* the presynaptic traces seen by entry j of the transposed index (synapse col[j]) */
static inline soma_slot *soma__pre_col(const soma_plastic *pl, int t, size_t j) {
  return pl->per_pre ? pl->pre[t] + (size_t)pl->colpre[j] * (size_t)(1 + pl->rule->pre_vars)
                     : pl->syn[t] + (size_t)pl->col[j] * (size_t)pl->stride;
}

/* A rule's arrival function from two inline functions of the rule:
 *   LTD(pl, t, k, i, pre, a)  synapse k (onto neuron i) receives a spike at step a, after its
 *                             weight went into the input; pre holds the presynaptic traces
 *                             before this spike
 *   JUMP(pl, pre, a)          the traces take the spike (and slot 0 the step)
 * The weight is read for the input before the depression it causes, in one pass. */
#define SOMA_RULE_ARRIVE(fn, LTD, JUMP)                                                          \
  static size_t fn(soma_plastic *pl, int t, const uint32_t *items, size_t n, int64_t a,         \
                   float *in) {                                                                  \
    const soma_part *pt = &pl->proj->part[t];                                                    \
    size_t events = 0;                                                                           \
    if (pl->per_pre) {                                                                           \
      const size_t ps = 1 + (size_t)pl->rule->pre_vars;                                          \
      for (size_t q = 0; q < n; q++) {                                                           \
        soma_slot *pre = pl->pre[t] + (size_t)items[q] * ps;                                     \
        size_t b = pt->row[items[q]], e = pt->row[items[q] + 1];                                 \
        for (size_t k = b; k < e; k++) {                                                         \
          in[pt->post[k]] += pt->w[k];                                                           \
          LTD(pl, t, (uint32_t)k, pt->post[k], pre, a);                                          \
        }                                                                                        \
        JUMP(pl, pre, a);                                                                        \
        events += e - b;                                                                         \
      }                                                                                          \
    } else {                                                                                     \
      for (size_t q = 0; q < n; q++) {                                                           \
        soma_slot *pre = pl->syn[t] + (size_t)items[q] * (size_t)pl->stride;                     \
        in[pt->post[items[q]]] += pt->w[items[q]];                                               \
        LTD(pl, t, items[q], pt->post[items[q]], pre, a);                                        \
        JUMP(pl, pre, a);                                                                        \
      }                                                                                          \
      events = n;                                                                                \
    }                                                                                            \
    return events;                                                                               \
  }

/* for arrival functions of rules with no depression, or that only pass spikes */
static inline void soma__no_ltd(soma_plastic *pl, int t, uint32_t k, uint32_t i, soma_slot *pre,
                                int64_t a) {
  (void)pl, (void)t, (void)k, (void)i, (void)pre, (void)a;
}
static inline void soma__no_jump(soma_plastic *pl, soma_slot *pre, int64_t a) {
  (void)pl, (void)pre, (void)a;
}
/* steps from the record's last arrival to step s */
static inline int64_t soma__since(const soma_slot *r, int64_t s) {
  return (int64_t)(uint32_t)((uint32_t)s - r[0].u);
}

/* exp(-k dt / tau) from table j (k >= 0 steps) */
static inline float soma__decay(const soma_plastic *pl, int j, int64_t k) {
  return k < pl->table_n[j] ? pl->table[j][k] : 0.0f;
}
/* fills table j for time constant tau (ms) */
int soma__decay_table(soma_plastic *pl, int j, double tau, double dt);

/* The step loop's hooks (net.c). */
int soma__plastic_prepare(soma_net *net, int slots);
/* queues the synapses of rows[ids] for their arrival steps (delivery of source step `step`) */
int soma__plastic_queue(soma_plastic *pl, int t, const uint32_t *ids, size_t n, int64_t step);
/* arrivals of step a in part t: input, then the rule; returns how many */
size_t soma__plastic_arrivals(soma_plastic *pl, int t, int64_t a, float *ring, int mask, int n_pad);
/* the spikes ids (neurons of the post population, ascending, within part t's range unless
 * whole) of step p */
void soma__plastic_spikes(soma_plastic *pl, const uint32_t *ids, size_t n, int64_t p);
/* spikes ids of step p of the population a rule takes its target from */
void soma__plastic_target_spikes(soma_plastic *pl, const uint32_t *ids, size_t n, int64_t p);
/* ticks due after step p, for part t, run by thread slot `slot` (modulators are read with
 * that slot's copy) */
void soma__plastic_tick(soma_plastic *pl, int t, int slot, int64_t p);
void soma__plastic_destroy(soma_plastic *pl);

#endif
