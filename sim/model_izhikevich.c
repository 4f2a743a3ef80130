/* model_izhikevich.c — the Izhikevich (2003) neuron, as NEST's izhikevich with consistent
 * integration: forward Euler on (v, u) from the same old values; synaptic inputs are jumps of
 * v in mV. Regular spiking, fast spiking, chattering and more through (a, b, c, d). */
#include <math.h>

#include "model.h"

enum { A, B, C, D, V_TH, V_MIN, N_PARAMS };
enum { V_M, U_M, I_E, N_VARS };

static const soma_param_def params[N_PARAMS] = {
  {"a", "1/ms", 0.02, 0, INFINITY, SOMA_LO_OPEN, "recovery time scale"},
  {"b", "", 0.2, -INFINITY, INFINITY, 0, "sensitivity of u to v"},
  {"c", "mV", -65, -INFINITY, INFINITY, 0, "after-spike reset of v"},
  {"d", "mV/ms", 8, -INFINITY, INFINITY, 0, "after-spike increment of u"},
  {"V_th", "mV", 30, -INFINITY, INFINITY, 0, "spike cutoff (peak)"},
  {"V_min", "mV", -INFINITY, -INFINITY, INFINITY, SOMA_INF_OK, "lower bound of v (-inf: none)"},
};

static const soma_var_def vars[N_VARS] = {
  {"V_m", "mV", -1, -65, -INFINITY, INFINITY, "membrane potential v"},
  {"U_m", "mV/ms", -1, -13, -INFINITY, INFINITY, "recovery variable u"},
  SOMA_VAR_I_E,
};

static const soma_port_def ports[] = {
  {"ex", "mV", 1, "excitatory jump of v"},
  {"in", "mV", -1, "inhibitory jump of v"},
};

typedef struct {
  float a, b, c, d, v_th, v_min, h;
} consts;

static int check(const double *p, char *msg, size_t len) {
  return soma_check_below(params, p, C, V_TH, msg, len);
}

static void prepare(const double *p, double dt, void *out) {
  consts *k = out;
  k->a = (float)p[A];
  k->b = (float)p[B];
  k->c = (float)p[C];
  k->d = (float)p[D];
  k->v_th = (float)p[V_TH];
  k->v_min = isfinite(p[V_MIN]) ? (float)p[V_MIN] : -INFINITY;
  k->h = (float)dt;
}

static void step(const soma_step_args *a) {
  float *restrict v = a->var[V_M], *restrict u = a->var[U_M];
  const float *restrict ie = a->var[I_E];
  float *restrict inex = a->in[0], *restrict inin = a->in[1];
  int32_t *restrict spiked = a->spiked;
  const consts c = *(const consts *)a->consts;
  const int lo = a->lo, hi = a->hi;
#pragma omp simd
  for (int i = lo; i < hi; i++) {
    float v0 = v[i] + inex[i] + inin[i], u0 = u[i];
    inex[i] = 0;
    inin[i] = 0;
    float v1 = v0 + c.h * ((0.04f * v0 + 5.0f) * v0 + 140.0f - u0 + ie[i]);
    float u1 = u0 + c.h * c.a * (c.b * v0 - u0);
    v1 = v1 < c.v_min ? c.v_min : v1;
    int s = v1 >= c.v_th;
    spiked[i] = s;
    v[i] = s ? c.c : v1;
    u[i] = s ? u1 + c.d : u1;
  }
}

const soma_model soma_model_izhikevich = {
  .name = "izhikevich",
  .doc = "Izhikevich 2003 simple model, forward Euler (NEST izhikevich)",
  SOMA_MODEL_TABLES(params, vars, ports),
  .consts_size = sizeof(consts),
  .check = check,
  .prepare = prepare,
  .step = step,
};
