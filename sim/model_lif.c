/* model_lif.c — leaky integrate-and-fire with exponential current synapses (NEST's
 * iaf_psc_exp), integrated exactly: the linear subthreshold dynamics advance by propagators
 * computed once per run, so the result does not depend on dt beyond spike-time rounding. */
#include <math.h>

#include "model.h"
#include "model_lif_params.h"

enum { V_M, I_EX, I_IN, I_E, N_VARS };

static const soma_param_def params[LIF_N_PARAMS] = {SOMA_LIF_PARAMS("synaptic time constant")};

static const soma_var_def vars[N_VARS] = {
  SOMA_VAR_V_M(LIF_E_L),
  SOMA_VAR("I_syn_ex", "pA", -1, "excitatory synaptic current"),
  SOMA_VAR("I_syn_in", "pA", -1, "inhibitory synaptic current"),
  SOMA_VAR_I_E,
};

static const soma_port_def ports[] = {SOMA_PORTS_CURRENT("current jump")};

typedef struct {
  float p33, p30, p31ex, p31in, p11ex, p11in;
  float e_l, v_th, v_reset;
  int32_t n_ref;
} consts;

static int check(const double *p, char *msg, size_t len) {
  return soma_check_below(params, p, LIF_V_RESET, LIF_V_TH, msg, len);
}

/* V' = -V/tau_m + I/C with I' = -I/tau_s; the (V <- I) entry of exp(A h) is P31. */
static double v_from_current(double c, double tau_m, double tau_s, double h) {
  double A[4] = {-1 / tau_s, 0, 1 / c, -1 / tau_m}, P[4];
  soma_propagator(2, A, h, P);
  return P[2];
}

static void prepare(const double *p, double dt, void *out) {
  consts *k = out;
  k->p33 = (float)exp(-dt / p[LIF_TAU_M]);
  k->p30 = (float)(-expm1(-dt / p[LIF_TAU_M]) * p[LIF_TAU_M] / p[LIF_C_M]);
  k->p31ex = (float)v_from_current(p[LIF_C_M], p[LIF_TAU_M], p[LIF_TAU_EX], dt);
  k->p31in = (float)v_from_current(p[LIF_C_M], p[LIF_TAU_M], p[LIF_TAU_IN], dt);
  k->p11ex = (float)exp(-dt / p[LIF_TAU_EX]);
  k->p11in = (float)exp(-dt / p[LIF_TAU_IN]);
  k->e_l = (float)p[LIF_E_L];
  k->v_th = (float)(p[LIF_V_TH] - p[LIF_E_L]);
  k->v_reset = (float)(p[LIF_V_RESET] - p[LIF_E_L]);
  k->n_ref = soma_steps_of(p[LIF_T_REF], dt);
}

static void step(const soma_step_args *a) {
  float *restrict v = a->var[V_M], *restrict iex = a->var[I_EX], *restrict iin = a->var[I_IN];
  const float *restrict ie = a->var[I_E];
  float *restrict inex = a->in[0], *restrict inin = a->in[1];
  int32_t *restrict refr = a->refr;
  int32_t *restrict spiked = a->spiked;
  const consts c = *(const consts *)a->consts;
  const int lo = a->lo, hi = a->hi;
  #pragma omp simd
  for (int i = lo; i < hi; i++) {
    float ex = iex[i] + inex[i], in = iin[i] + inin[i];
    inex[i] = 0;
    inin[i] = 0;
    float y = c.p33 * (v[i] - c.e_l) + c.p30 * ie[i] + c.p31ex * ex + c.p31in * in;
    v[i] = soma_fire(y, c.v_th, c.v_reset, &refr[i], c.n_ref, &spiked[i]) + c.e_l;
    iex[i] = c.p11ex * ex;
    iin[i] = c.p11in * in;
  }
}

const soma_model soma_model_lif = {
  .name = "lif",
  .doc = "leaky integrate-and-fire, exponential current synapses, exact integration "
         "(NEST iaf_psc_exp)",
  SOMA_MODEL_TABLES(params, vars, ports),
  .consts_size = sizeof(consts),
  .check = check,
  .prepare = prepare,
  .step = step,
};
