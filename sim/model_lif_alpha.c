/* model_lif_alpha.c — leaky integrate-and-fire with alpha-shaped current synapses (NEST's
 * iaf_psc_alpha), integrated exactly with propagators. A weight w gives a current that peaks
 * at w pA tau_syn after the spike arrives. Used by the Brunel / hpc_benchmark network. */
#include <math.h>

#include "model.h"
#include "model_lif_params.h"

enum { V_M, I_EX, DI_EX, I_IN, DI_IN, I_E, N_VARS };

static const soma_param_def params[LIF_N_PARAMS] = {SOMA_LIF_PARAMS("alpha-current rise time")};

static const soma_var_def vars[N_VARS] = {
  SOMA_VAR_V_M(LIF_E_L),
  SOMA_VAR("I_syn_ex", "pA", -1, "excitatory synaptic current"),
  SOMA_VAR("dI_syn_ex", "pA/ms", -1, "its derivative"),
  SOMA_VAR("I_syn_in", "pA", -1, "inhibitory synaptic current"),
  SOMA_VAR("dI_syn_in", "pA/ms", -1, "its derivative"),
  SOMA_VAR_I_E,
};

static const soma_port_def ports[] = {SOMA_PORTS_CURRENT("alpha current, peak amplitude")};

/* per receptor: dI <- dI (p11), I <- dI (p21), I <- I (p22), V <- dI (p31), V <- I (p32) */
typedef struct {
  float p11, p21, p22, p31, p32, jump;
} syn;

typedef struct {
  syn ex, in;
  float p33, p30, e_l, v_th, v_reset;
  int32_t n_ref;
} consts;

static int check(const double *p, char *msg, size_t len) {
  return soma_check_below(params, p, LIF_V_RESET, LIF_V_TH, msg, len);
}

static syn propagators(double c, double tau_m, double tau_s, double h) {
  /* state (dI, I, V): dI' = -dI/tau_s, I' = dI - I/tau_s, V' = I/C - V/tau_m */
  double A[9] = {-1 / tau_s, 0, 0, 1, -1 / tau_s, 0, 0, 1 / c, -1 / tau_m}, P[9];
  soma_propagator(3, A, h, P);
  syn s = {(float)P[0], (float)P[3], (float)P[4], (float)P[6], (float)P[7],
           (float)(M_E / tau_s)};
  return s;
}

static void prepare(const double *p, double dt, void *out) {
  consts *k = out;
  k->ex = propagators(p[LIF_C_M], p[LIF_TAU_M], p[LIF_TAU_EX], dt);
  k->in = propagators(p[LIF_C_M], p[LIF_TAU_M], p[LIF_TAU_IN], dt);
  k->p33 = (float)exp(-dt / p[LIF_TAU_M]);
  k->p30 = (float)(-expm1(-dt / p[LIF_TAU_M]) * p[LIF_TAU_M] / p[LIF_C_M]);
  k->e_l = (float)p[LIF_E_L];
  k->v_th = (float)(p[LIF_V_TH] - p[LIF_E_L]);
  k->v_reset = (float)(p[LIF_V_RESET] - p[LIF_E_L]);
  k->n_ref = soma_steps_of(p[LIF_T_REF], dt);
}

static void step(const soma_step_args *a) {
  float *restrict v = a->var[V_M];
  float *restrict iex = a->var[I_EX], *restrict diex = a->var[DI_EX];
  float *restrict iin = a->var[I_IN], *restrict diin = a->var[DI_IN];
  const float *restrict ie = a->var[I_E];
  float *restrict inex = a->in[0], *restrict inin = a->in[1];
  int32_t *restrict refr = a->refr;
  int32_t *restrict spiked = a->spiked;
  const consts c = *(const consts *)a->consts;
  const int lo = a->lo, hi = a->hi;
#pragma omp simd
  for (int i = lo; i < hi; i++) {
    float dex = diex[i] + c.ex.jump * inex[i], din = diin[i] + c.in.jump * inin[i];
    float ex = iex[i], in = iin[i];
    inex[i] = 0;
    inin[i] = 0;
    float y = c.p33 * (v[i] - c.e_l) + c.p30 * ie[i] + c.ex.p31 * dex + c.ex.p32 * ex +
              c.in.p31 * din + c.in.p32 * in;
    v[i] = soma_fire(y, c.v_th, c.v_reset, &refr[i], c.n_ref, &spiked[i]) + c.e_l;
    iex[i] = c.ex.p21 * dex + c.ex.p22 * ex;
    diex[i] = c.ex.p11 * dex;
    iin[i] = c.in.p21 * din + c.in.p22 * in;
    diin[i] = c.in.p11 * din;
  }
}

const soma_model soma_model_lif_alpha = {
  .name = "lif_alpha",
  .doc = "leaky integrate-and-fire, alpha current synapses, exact integration "
         "(NEST iaf_psc_alpha)",
  SOMA_MODEL_TABLES(params, vars, ports),
  .consts_size = sizeof(consts),
  .check = check,
  .prepare = prepare,
  .step = step,
};
