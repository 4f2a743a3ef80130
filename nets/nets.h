/* nets.h — the standard benchmark networks (COBA, CUBA, Brunel/hpc_benchmark), built with
 * the public engine API so tests, benchmarks and scripts share one definition of each. */
#ifndef SOMA_NETS_H
#define SOMA_NETS_H

#include "sim/soma.h"

typedef struct soma_bench_net {
  soma_pop *exc, *inh;    /* the excitatory and inhibitory populations */
  double presim_ms;       /* simulate this long before measuring (transients) */
  const char *reference;  /* where the parameters come from */
} soma_bench_net;

/* Builds network `name` ("coba", "cuba", "brunel", "coba_stdp") into an empty net. scale multiplies the
 * neuron counts (COBA/CUBA keep 80 inputs per neuron; Brunel keeps its fixed in-degrees).
 * Returns SOMA_OK or an error with the message in soma_net_errmsg(net). */
int soma_nets_build(soma_net *net, const char *name, double scale, soma_bench_net *out);

/* Names of the networks, NULL-terminated. */
extern const char *const soma_nets_names[];

/* hpc_benchmark's conversion of a peak PSP (mV) to the alpha-current amplitude (pA) of a LIF
 * neuron: the factor 1 / max_t V(t) for a unit current. */
double soma_nets_psp_to_current(double tau_m, double tau_syn, double c_m);

#endif
