/* nets.c — the benchmark networks with their published parameters.
 *
 * COBA: Brette et al. 2007 Benchmark 1 (Vogels & Abbott 2005), the reference Brian script:
 *   4000 LIF neurons with conductance synapses, 3200 E / 800 I, p = 0.02 (self-connections
 *   allowed, as in the reference), dg = 6 nS (E) / 67 nS (I), no external input.
 * CUBA: Benchmark 2, current-based: E_L = -49 mV above threshold, w = 1.62 mV / -9 mV.
 * Brunel: NEST's hpc_benchmark (Brunel 2000 model A with alpha synapses), static synapses:
 *   9000 scale E + 2250 scale I, fixed in-degrees 9000 / 2250 with multapses, J_E = 0.14 mV
 *   peak PSP, g = -5, delay 1.5 ms, Poisson drive at eta = 1.685 times threshold rate.
 *   (The plastic E->E synapses of hpc_benchmark come with the plasticity rules.) */
#include "nets.h"

#include <gsl/gsl_sf_lambert.h>
#include <math.h>
#include <string.h>

const char *const soma_nets_names[] = {"coba", "cuba", "brunel", "coba_stdp", NULL};

static soma_conn bernoulli(double p, double w, const char *port) {
  soma_conn c = soma_conn_rule_bernoulli(p);
  c.autapses = 1;
  c.weight = soma_dist_const(w);
  c.port = port;
  return c;
}

/* Connects E and I all ways with the given excitatory and inhibitory connections. */
static int connect_ei(soma_net *net, soma_pop *e, soma_pop *i, const soma_conn *ce,
                      const soma_conn *ci) {
  if (!soma_proj_create(net, "E->E", e, e, ce) || !soma_proj_create(net, "E->I", e, i, ce) ||
      !soma_proj_create(net, "I->E", i, e, ci) || !soma_proj_create(net, "I->I", i, i, ci))
    return SOMA_ERR_PARAM;
  return SOMA_OK;
}

static int build_coba(soma_net *net, double scale, soma_bench_net *out) {
  int ne = (int)lround(3200 * scale), ni = (int)lround(800 * scale);
  soma_param p[] = {{"C_m", 200},      {"g_L", 10},      {"E_L", -60},       {"V_th", -50},
                    {"V_reset", -60},  {"t_ref", 5},     {"E_ex", 0},        {"E_in", -80},
                    {"tau_syn_ex", 5}, {"tau_syn_in", 10}, {NULL, 0}};
  soma_pop *e = soma_pop_create(net, "E", "lif_cond", ne, p);
  soma_pop *i = e ? soma_pop_create(net, "I", "lif_cond", ni, p) : NULL;
  if (!i) return SOMA_ERR_PARAM;
  /* v ~ N(-65, 5) mV, g_ex ~ N(4, 1.5) g_L, g_in ~ N(20, 12) g_L, as in the reference */
  soma_dist v = soma_dist_normal(-65, 5), ge = soma_dist_normal(40, 15), gi = soma_dist_normal(200, 120);
  for (soma_pop **q = (soma_pop *[]){e, i, NULL}; *q; q++)
    if (soma_pop_set_var_dist(*q, "V_m", &v) || soma_pop_set_var_dist(*q, "g_ex", &ge) ||
        soma_pop_set_var_dist(*q, "g_in", &gi))
      return SOMA_ERR_PARAM;
  double prob = 0.02 / scale > 1 ? 1 : 0.02 / scale;
  soma_conn ce = bernoulli(prob, 6, "ex"), ci = bernoulli(prob, 67, "in");
  out->exc = e;
  out->inh = i;
  out->presim_ms = 0;
  out->reference = "Brette et al. 2007, Benchmark 1 (COBA), reference Brian script";
  return connect_ei(net, e, i, &ce, &ci);
}

static int build_cuba(soma_net *net, double scale, soma_bench_net *out) {
  int ne = (int)lround(3200 * scale), ni = (int)lround(800 * scale);
  const double c_m = 200, tau_m = 20;   /* current = (mV jump of g) * C_m / tau_m */
  soma_param p[] = {{"C_m", c_m},      {"tau_m", tau_m},   {"E_L", -49},       {"V_th", -50},
                    {"V_reset", -60},  {"t_ref", 5},       {"tau_syn_ex", 5},  {"tau_syn_in", 10},
                    {NULL, 0}};
  soma_pop *e = soma_pop_create(net, "E", "lif", ne, p);
  soma_pop *i = e ? soma_pop_create(net, "I", "lif", ni, p) : NULL;
  if (!i) return SOMA_ERR_PARAM;
  soma_dist v = soma_dist_uniform(-60, -50);
  if (soma_pop_set_var_dist(e, "V_m", &v) || soma_pop_set_var_dist(i, "V_m", &v)) return SOMA_ERR_PARAM;
  double prob = 0.02 / scale > 1 ? 1 : 0.02 / scale;
  soma_conn ce = bernoulli(prob, 1.62 * c_m / tau_m, "ex");
  soma_conn ci = bernoulli(prob, -9.0 * c_m / tau_m, "in");
  out->exc = e;
  out->inh = i;
  out->presim_ms = 0;
  out->reference = "Brette et al. 2007, Benchmark 2 (CUBA), Brian2 example CUBA.py";
  return connect_ei(net, e, i, &ce, &ci);
}

double soma_nets_psp_to_current(double tau_m, double tau_syn, double c_m) {
  double a = tau_m / tau_syn, b = 1.0 / tau_syn - 1.0 / tau_m;
  double t_rise = 1.0 / b * (-gsl_sf_lambert_Wm1(-exp(-1.0 / a) / a) - 1.0 / a);
  double v_max = exp(1.0) / (tau_syn * c_m * b) *
                 ((exp(-t_rise / tau_m) - exp(-t_rise / tau_syn)) / b - t_rise * exp(-t_rise / tau_syn));
  return 1.0 / v_max;
}

static int build_brunel(soma_net *net, double scale, soma_bench_net *out) {
  const double tau_syn = 0.32582722403722841, tau_m = 10, c_m = 250, v_th = 20;
  const int ce = 9000, ci = 2250;
  int ne = (int)lround(9000 * scale), ni = (int)lround(2250 * scale);
  soma_param p[] = {{"E_L", 0},         {"C_m", c_m},     {"tau_m", tau_m},
                    {"t_ref", 0.5},     {"V_th", v_th},   {"V_reset", 0},
                    {"tau_syn_ex", tau_syn}, {"tau_syn_in", tau_syn}, {"V_m", 5.7},
                    {NULL, 0}};
  soma_pop *e = soma_pop_create(net, "E", "lif_alpha", ne, p);
  soma_pop *i = e ? soma_pop_create(net, "I", "lif_alpha", ni, p) : NULL;
  if (!i) return SOMA_ERR_PARAM;
  double je = soma_nets_psp_to_current(tau_m, tau_syn, c_m) * 0.14;
  double nu_th = v_th / (ce * tau_m / c_m * je * exp(1.0) * tau_syn);
  double rate = 1.685 * nu_th * ce * 1000.0;
  if (soma_pop_poisson_input(e, "ex", rate, je) || soma_pop_poisson_input(i, "ex", rate, je))
    return SOMA_ERR_PARAM;
  soma_conn cex = soma_conn_rule_fixed_indegree(ce), cin = soma_conn_rule_fixed_indegree(ci);
  cex.weight = soma_dist_const(je);
  cex.delay = soma_dist_const(1.5);
  cin.weight = soma_dist_const(-5 * je);
  cin.delay = soma_dist_const(1.5);
  cin.port = "in";
  out->exc = e;
  out->inh = i;
  out->presim_ms = 100;
  out->reference = "NEST hpc_benchmark (Brunel 2000, alpha synapses), static synapses";
  return connect_ei(net, e, i, &cex, &cin);
}

/* COBA with pair STDP on E->E (all-to-all, additive, tau 20 ms, A- = 1.05 A+, weights in
 * [0, 12] nS around their 6 nS start): the plasticity benchmark */
static int build_coba_stdp(soma_net *net, double scale, soma_bench_net *out) {
  int rc = build_coba(net, scale, out);
  if (rc) return rc;
  out->reference = "COBA (Brette et al. 2007 benchmark 1) with pair STDP on E->E";
  soma_param p[] = {{"A_plus", 0.06}, {"A_minus", 0.063}, {"tau_plus", 20}, {"tau_minus", 20},
                    {"w_min", 0}, {"w_max", 12}, {NULL, 0}};
  return soma_proj_plastic(soma_net_proj(net, 0), "stdp", p, NULL);
}

int soma_nets_build(soma_net *net, const char *name, double scale, soma_bench_net *out) {
  memset(out, 0, sizeof *out);
  if (!(scale > 0) || !isfinite(scale) || scale > 1000) {
    soma_net_fail(net, SOMA_ERR_PARAM, "scale must be > 0 and <= 1000 (got %g)", scale);
    return SOMA_ERR_PARAM;
  }
  if (strcmp(name, "coba") == 0) return build_coba(net, scale, out);
  if (strcmp(name, "cuba") == 0) return build_cuba(net, scale, out);
  if (strcmp(name, "brunel") == 0) return build_brunel(net, scale, out);
  if (strcmp(name, "coba_stdp") == 0) return build_coba_stdp(net, scale, out);
  soma_net_fail(net, SOMA_ERR_PARAM, "unknown benchmark network '%s' (networks: coba, cuba, brunel, coba_stdp)", name);
  return SOMA_ERR_PARAM;
}
