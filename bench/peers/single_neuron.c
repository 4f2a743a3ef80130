/* single_neuron.c — one soma neuron with the COBA (lif_cond) or CUBA (lif) parameters of
 * nets/nets.c, driven by a constant current and/or by input spikes, for the single-neuron
 * equivalence check against Brian2 (bench/peers/single_neuron.py builds and runs it).
 *
 * usage: single_neuron cond|psc|alpha T_MS I_E_PA T_REF_MS V0 [V_TH [POISSON_HZ]] < inputs
 *   cond: COBA's lif_cond, psc: CUBA's lif, alpha: Brunel's lif_alpha (hpc_benchmark).
 *   inputs: lines "e TIME" / "i TIME" (ms): a spike-source spike, stamped TIME, into port
 *   ex / in of the neuron through a synapse of the benchmark weight and the minimum delay.
 *   V_TH overrides the threshold; POISSON_HZ adds soma_pop_poisson_input of that total rate
 *   and the excitatory weight (Brunel's external drive). Environment: SN_DELAY_MS sets the
 *   delay of the input synapses (default one step).
 * output: "S t" per spike of the neuron (soma stamps), "V t v g_ex g_in" per step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nets/nets.h"
#include "sim/soma.h"

static int fail(soma_net *net) {
  fprintf(stderr, "single_neuron: %s\n", soma_net_errmsg(net));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 6 || argc > 8) {
    fprintf(stderr, "usage: single_neuron cond|psc|alpha T_MS I_E_PA T_REF_MS V0 [V_TH [POISSON_HZ]] < inputs\n");
    return 2;
  }
  int cond = strcmp(argv[1], "cond") == 0, alpha = strcmp(argv[1], "alpha") == 0;
  double t_ms = atof(argv[2]), ie = atof(argv[3]), tref = atof(argv[4]), v0 = atof(argv[5]);
  char err[256];
  soma_net_config cfg = soma_net_defaults();
  soma_net *net = soma_net_create(&cfg, err, sizeof err);
  if (!net) return fprintf(stderr, "%s\n", err), 1;
  soma_param pc[] = {{"C_m", 200},      {"g_L", 10},        {"E_L", -60},  {"V_th", -50},
                     {"V_reset", -60},  {"t_ref", tref},    {"E_ex", 0},   {"E_in", -80},
                     {"tau_syn_ex", 5}, {"tau_syn_in", 10}, {"V_m", v0},   {"I_e", ie},
                     {NULL, 0}};
  soma_param pp[] = {{"C_m", 200},     {"tau_m", 20},     {"E_L", -49},         {"V_th", -50},
                     {"V_reset", -60}, {"t_ref", tref},   {"tau_syn_ex", 5},    {"tau_syn_in", 10},
                     {"V_m", v0},      {"I_e", ie},       {NULL, 0}};
  const double tau_a = 0.32582722403722841, je = soma_nets_psp_to_current(10, tau_a, 250) * 0.14;
  soma_param pa[] = {{"E_L", 0},       {"C_m", 250},          {"tau_m", 10},         {"t_ref", tref},
                     {"V_th", 20},     {"V_reset", 0},        {"tau_syn_ex", tau_a}, {"tau_syn_in", tau_a},
                     {"V_m", v0},      {"I_e", ie},           {NULL, 0}};
  soma_param *par = cond ? pc : alpha ? pa : pp;
  if (argc > 6)
    for (soma_param *q = par; q->name; q++)
      if (!strcmp(q->name, "V_th")) q->value = atof(argv[6]);
  soma_pop *n = soma_pop_create(net, "N", cond ? "lif_cond" : alpha ? "lif_alpha" : "lif", 1, par);
  if (!n) return fail(net);
  if (argc > 7 && soma_pop_poisson_input(n, "ex", atof(argv[7]), je)) return fail(net);
  double te[100000], ti[100000];
  int32_t ze[100000] = {0}, zi[100000] = {0};
  size_t ne = 0, ni = 0;
  char kind[8];
  double t;
  while (scanf("%7s %lf", kind, &t) == 2) {
    if (kind[0] == 'e' && ne < 100000) te[ne++] = t;
    if (kind[0] == 'i' && ni < 100000) ti[ni++] = t;
  }
  soma_pop *se = soma_pop_create(net, "SE", "spike_source", 1, NULL);
  soma_pop *si = soma_pop_create(net, "SI", "spike_source", 1, NULL);
  if (!se || !si || soma_pop_add_spikes(se, ne, ze, te) || soma_pop_add_spikes(si, ni, zi, ti))
    return fail(net);
  soma_conn ce = soma_conn_defaults(), ci = soma_conn_defaults();
  ce.weight = soma_dist_const(cond ? 6 : alpha ? je : 1.62 * 200 / 20);
  ci.weight = soma_dist_const(cond ? 67 : alpha ? -5 * je : -9.0 * 200 / 20);
  ci.port = "in";
  if (getenv("SN_DELAY_MS")) ce.delay = ci.delay = soma_dist_const(atof(getenv("SN_DELAY_MS")));
  if (!soma_proj_create(net, "SE->N", se, n, &ce) || !soma_proj_create(net, "SI->N", si, n, &ci))
    return fail(net);
  soma_rec *rs = soma_rec_spikes(net, n, NULL, 0);
  soma_rec *rv = soma_rec_state(net, n, "V_m", NULL, 0, cfg.dt);
  soma_rec *rge = soma_rec_state(net, n, cond ? "g_ex" : "I_syn_ex", NULL, 0, cfg.dt);
  soma_rec *rgi = soma_rec_state(net, n, cond ? "g_in" : "I_syn_in", NULL, 0, cfg.dt);
  if (!rge || !rgi) return fail(net);
  if (!rs || !rv || !rge || !rgi) return fail(net);
  if (soma_net_run(net, t_ms)) return fail(net);
  for (size_t k = 0; k < soma_rec_spike_count(rs); k++)
    printf("S %.1f\n", (double)soma_rec_spike_steps(rs)[k] * cfg.dt);
  for (size_t k = 0; k < soma_rec_samples(rv); k++)
    printf("V %.1f %.9g %.9g %.9g\n", soma_rec_t0(rv) + (double)k * soma_rec_interval(rv),
           (double)soma_rec_data(rv)[k], (double)soma_rec_data(rge)[k], (double)soma_rec_data(rgi)[k]);
  soma_net_destroy(net);
  return 0;
}
