/* model_adex.c — the adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005)
 * with exponential conductance synapses (NEST's aeif_cond_exp, same defaults). (V, w) advance
 * by the explicit midpoint rule with conductances held over the step; inside the exponential
 * V is capped at V_peak, so the upswing cannot overflow. Spikes when V reaches V_peak, at
 * the midpoint or the end of the step. */
#include <math.h>

#include "model.h"
#include "vmath.h"

enum { C_M, G_L, E_L, V_TH, DELTA_T, TAU_W, A, B, V_RESET, V_PEAK, T_REF, E_EX, E_IN, TAU_EX,
       TAU_IN, N_PARAMS };
enum { V_M, W, G_EX, G_IN, I_E, N_VARS };

static const soma_param_def params[N_PARAMS] = {
  SOMA_PARAM_C_M(281),
  SOMA_PARAM_G_L(30),
  SOMA_PARAM_MV("E_L", -70.6, "leak reversal potential"),
  SOMA_PARAM_MV("V_th", -50.4, "threshold of the exponential term"),
  {"Delta_T", "mV", 2, 0, INFINITY, SOMA_LO_OPEN, "slope factor"},
  SOMA_PARAM_MS("tau_w", 144, "adaptation time constant"),
  {"a", "nS", 4, -INFINITY, INFINITY, 0, "subthreshold adaptation"},
  {"b", "pA", 80.5, -INFINITY, INFINITY, 0, "spike-triggered adaptation"},
  SOMA_PARAM_MV("V_reset", -60, "reset potential"),
  SOMA_PARAM_MV("V_peak", 0, "spike detection"),
  SOMA_PARAM_T_REF(0),
  SOMA_PARAM_MV("E_ex", 0, "excitatory reversal potential"),
  SOMA_PARAM_MV("E_in", -85, "inhibitory reversal potential"),
  SOMA_PARAM_MS("tau_syn_ex", 0.2, "excitatory conductance decay"),
  SOMA_PARAM_MS("tau_syn_in", 2, "inhibitory conductance decay"),
};

static const soma_var_def vars[N_VARS] = {
  SOMA_VAR_V_M(E_L),
  SOMA_VAR("w", "pA", -1, "adaptation current"),
  SOMA_VAR("g_ex", "nS", -1, "excitatory conductance"),
  SOMA_VAR("g_in", "nS", -1, "inhibitory conductance"),
  SOMA_VAR_I_E,
};

static const soma_port_def ports[] = {SOMA_PORTS_CONDUCTANCE};

typedef struct {
  float inv_c, g_l, e_l, v_t, inv_delta_t, g_l_delta_t, inv_tau_w, a, b, v_reset, v_peak, e_ex,
      e_in, p_ex, p_in, h;
  int32_t n_ref;
} consts;

static int check(const double *p, char *msg, size_t len) {
  return soma_check_below(params, p, V_TH, V_PEAK, msg, len) ||
         soma_check_below(params, p, V_RESET, V_PEAK, msg, len);
}

static void prepare(const double *p, double dt, void *out) {
  consts *k = out;
  k->inv_c = (float)(1 / p[C_M]);
  k->g_l = (float)p[G_L];
  k->e_l = (float)p[E_L];
  k->v_t = (float)p[V_TH];
  k->inv_delta_t = (float)(1 / p[DELTA_T]);
  k->g_l_delta_t = (float)(p[G_L] * p[DELTA_T]);
  k->inv_tau_w = (float)(1 / p[TAU_W]);
  k->a = (float)p[A];
  k->b = (float)p[B];
  k->v_reset = (float)p[V_RESET];
  k->v_peak = (float)p[V_PEAK];
  k->e_ex = (float)p[E_EX];
  k->e_in = (float)p[E_IN];
  k->p_ex = (float)exp(-dt / p[TAU_EX]);
  k->p_in = (float)exp(-dt / p[TAU_IN]);
  k->h = (float)dt;
  k->n_ref = soma_steps_of(p[T_REF], dt);
}

static inline float dv(const consts *c, float v, float w, float ge, float gi, float ie) {
  float vc = v < c->v_peak ? v : c->v_peak;
  float spike = c->g_l_delta_t * soma_expf((vc - c->v_t) * c->inv_delta_t);
  return (-c->g_l * (v - c->e_l) + spike - ge * (v - c->e_ex) - gi * (v - c->e_in) - w + ie) *
         c->inv_c;
}

static inline float dw(const consts *c, float v, float w) {
  return (c->a * (v - c->e_l) - w) * c->inv_tau_w;
}

static void step(const soma_step_args *a) {
  float *restrict v = a->var[V_M], *restrict w = a->var[W];
  float *restrict gex = a->var[G_EX], *restrict gin = a->var[G_IN];
  const float *restrict ie = a->var[I_E];
  float *restrict inex = a->in[0], *restrict inin = a->in[1];
  int32_t *restrict refr = a->refr;
  int32_t *restrict spiked = a->spiked;
  const consts c = *(const consts *)a->consts;
  const int lo = a->lo, hi = a->hi;
#pragma omp simd
  for (int i = lo; i < hi; i++) {
    float ge = gex[i] + inex[i], gi = gin[i] + inin[i];
    inex[i] = 0;
    inin[i] = 0;
    float v0 = v[i], w0 = w[i];
    float vm = v0 + 0.5f * c.h * dv(&c, v0, w0, ge, gi, ie[i]);
    float wm = w0 + 0.5f * c.h * dw(&c, v0, w0);
    /* an upswing past V_peak by mid-step is a spike within this step; capping the midpoint
       keeps the exponential and the adaptation update bounded */
    int crossed = vm >= c.v_peak;
    vm = crossed ? c.v_peak : vm;
    float v1 = v0 + c.h * dv(&c, vm, wm, ge, gi, ie[i]);
    float w1 = w0 + c.h * dw(&c, vm, wm);
    v1 = crossed ? c.v_peak : v1;
    v[i] = soma_fire(v1, c.v_peak, c.v_reset, &refr[i], c.n_ref, &spiked[i]);
    w[i] = spiked[i] ? w1 + c.b : w1;
    gex[i] = c.p_ex * ge;
    gin[i] = c.p_in * gi;
  }
}

const soma_model soma_model_adex = {
  .name = "adex",
  .doc = "adaptive exponential integrate-and-fire (Brette & Gerstner 2005), conductance "
         "synapses, midpoint rule (NEST aeif_cond_exp)",
  SOMA_MODEL_TABLES(params, vars, ports),
  .consts_size = sizeof(consts),
  .check = check,
  .prepare = prepare,
  .step = step,
};
