/* model_lif_cond.c — leaky integrate-and-fire with exponential conductance synapses (NEST's
 * iaf_cond_exp; the COBA network of Vogels & Abbott 2005). Conductances decay exactly; the
 * membrane uses the exponential-Euler step, exact for conductances held over the step:
 * V <- V_inf + (V - V_inf) exp(-g_tot dt / C), as Brian2's exponential_euler does. */
#include <math.h>

#include "model.h"
#include "vmath.h"

enum { C_M, G_L, E_L, V_TH, V_RESET, T_REF, E_EX, E_IN, TAU_EX, TAU_IN, N_PARAMS };
enum { V_M, G_EX, G_IN, I_E, N_VARS };

static const soma_param_def params[N_PARAMS] = {
  SOMA_PARAM_C_M(250),
  SOMA_PARAM_G_L(16.6667),
  SOMA_PARAM_MV("E_L", -70, "leak reversal potential"),
  SOMA_PARAM_MV("V_th", -55, "spike threshold"),
  SOMA_PARAM_MV("V_reset", -60, "reset potential"),
  SOMA_PARAM_T_REF(2),
  SOMA_PARAM_MV("E_ex", 0, "excitatory reversal potential"),
  SOMA_PARAM_MV("E_in", -85, "inhibitory reversal potential"),
  SOMA_PARAM_MS("tau_syn_ex", 0.2, "excitatory conductance decay"),
  SOMA_PARAM_MS("tau_syn_in", 2, "inhibitory conductance decay"),
};

static const soma_var_def vars[N_VARS] = {
  SOMA_VAR_V_M(E_L),
  SOMA_VAR("g_ex", "nS", -1, "excitatory conductance"),
  SOMA_VAR("g_in", "nS", -1, "inhibitory conductance"),
  SOMA_VAR_I_E,
};

static const soma_port_def ports[] = {SOMA_PORTS_CONDUCTANCE};

typedef struct {
  float g_l, g_l_e_l, e_ex, e_in, minus_dt_over_c, p_ex, p_in, v_th, v_reset;
  int32_t n_ref;
} consts;

static int check(const double *p, char *msg, size_t len) {
  return soma_check_below(params, p, V_RESET, V_TH, msg, len);
}

static void prepare(const double *p, double dt, void *out) {
  consts *k = out;
  k->g_l = (float)p[G_L];
  k->g_l_e_l = (float)(p[G_L] * p[E_L]);
  k->e_ex = (float)p[E_EX];
  k->e_in = (float)p[E_IN];
  k->minus_dt_over_c = (float)(-dt / p[C_M]);
  k->p_ex = (float)exp(-dt / p[TAU_EX]);
  k->p_in = (float)exp(-dt / p[TAU_IN]);
  k->v_th = (float)p[V_TH];
  k->v_reset = (float)p[V_RESET];
  k->n_ref = soma_steps_of(p[T_REF], dt);
}

static void step(const soma_step_args *a) {
  float *restrict v = a->var[V_M], *restrict gex = a->var[G_EX], *restrict gin = a->var[G_IN];
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
    float gtot = c.g_l + ge + gi;
    float vinf = (c.g_l_e_l + ge * c.e_ex + gi * c.e_in + ie[i]) / gtot;
    float y = vinf + (v[i] - vinf) * soma_expf(gtot * c.minus_dt_over_c);
    v[i] = soma_fire(y, c.v_th, c.v_reset, &refr[i], c.n_ref, &spiked[i]);
    gex[i] = c.p_ex * ge;
    gin[i] = c.p_in * gi;
  }
}

const soma_model soma_model_lif_cond = {
  .name = "lif_cond",
  .doc = "leaky integrate-and-fire, exponential conductance synapses, exponential Euler "
         "(NEST iaf_cond_exp; COBA)",
  SOMA_MODEL_TABLES(params, vars, ports),
  .consts_size = sizeof(consts),
  .check = check,
  .prepare = prepare,
  .step = step,
};
