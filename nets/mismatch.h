/* mismatch.h — sensory prediction-error populations in the manner of Keller's mismatch
 * neurons: for an actual input population and a prediction population of the same size, a
 * positive error population (excited by the input, inhibited by the prediction: it fires when
 * the input exceeds its prediction) and a negative one (the reverse). Built from ordinary
 * populations and one-to-one projections, so everything about them is recordable. */
#ifndef SOMA_NETS_MISMATCH_H
#define SOMA_NETS_MISMATCH_H

#include "sim/soma.h"

/* Makes "<name>_pos" and "<name>_neg" (LIF neurons, one per input neuron) with one-to-one
 * projections of weight w (pA: +w excitatory, -w inhibitory, delay dt). Returns SOMA_OK or an
 * error (message in soma_net_errmsg) and the populations in pos and neg. */
int soma_nets_mismatch(soma_net *net, const char *name, soma_pop *actual, soma_pop *prediction,
                       double w, soma_pop **pos, soma_pop **neg);

#endif
