/* spike_stats.h — summary statistics of spike trains given as plain arrays: mean rate,
 * irregularity (CV of interspike intervals) and synchrony (Fano factor of the population
 * count), the numbers by which network states are classified (Brunel 2000). */
#ifndef JOINT_SPIKE_STATS_H
#define JOINT_SPIKE_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct joint_spike_stats {
  size_t spikes;        /* spikes in the window */
  double rate_hz;       /* mean rate per neuron */
  double cv_isi;        /* mean CV of ISIs over neurons with >= 3 spikes (NAN if none) */
  int cv_neurons;       /* how many neurons entered cv_isi */
  double sync_fano;     /* variance / mean of the population count in 1 ms bins (1: Poisson) */
} joint_spike_stats;

/* Spikes (step, id) sorted by step, ids in [0, n); window of steps [s0, s1) at dt ms.
 * Returns 0, or -1 on bad input or no memory. */
int joint_spike_stats_compute(size_t n_spikes, const int64_t *steps, const int32_t *ids,
                              int n_neurons, double dt, int64_t s0, int64_t s1,
                              joint_spike_stats *out);

#endif
