/* spike_stats.c — rate, CV of ISIs and population Fano factor from (step, id) arrays. */
#include "spike_stats.h"

#include <math.h>
#include <stdlib.h>

int joint_spike_stats_compute(size_t n_spikes, const int64_t *steps, const int32_t *ids,
                              int n_neurons, double dt, int64_t s0, int64_t s1,
                              joint_spike_stats *out) {
  out->spikes = 0;
  out->rate_hz = out->cv_isi = out->sync_fano = NAN;
  out->cv_neurons = 0;
  if (n_neurons <= 0 || !(dt > 0) || s1 <= s0) return -1;
  int64_t *last = malloc(sizeof(int64_t) * (size_t)n_neurons);
  double *sum = calloc((size_t)n_neurons, sizeof(double));
  double *sum2 = calloc((size_t)n_neurons, sizeof(double));
  int *count = calloc((size_t)n_neurons, sizeof(int));
  int64_t bin = (int64_t)llround(1.0 / dt);   /* 1 ms bins */
  if (bin < 1) bin = 1;
  size_t n_bins = (size_t)((s1 - s0 + bin - 1) / bin);
  double *pop = calloc(n_bins ? n_bins : 1, sizeof(double));
  if (!last || !sum || !sum2 || !count || !pop) {
    free(last), free(sum), free(sum2), free(count), free(pop);
    return -1;
  }
  for (int i = 0; i < n_neurons; i++) last[i] = -1;
  size_t n = 0;
  for (size_t k = 0; k < n_spikes; k++) {
    int64_t s = steps[k];
    int32_t i = ids[k];
    if (s < s0 || s >= s1 || i < 0 || i >= n_neurons) continue;
    n++;
    pop[(s - s0) / bin] += 1;
    if (last[i] >= 0) {
      double isi = (double)(s - last[i]) * dt;
      sum[i] += isi;
      sum2[i] += isi * isi;
    }
    last[i] = s;
    count[i]++;
  }
  out->spikes = n;
  out->rate_hz = (double)n / n_neurons / ((double)(s1 - s0) * dt * 1e-3);
  double cv_sum = 0;
  for (int i = 0; i < n_neurons; i++) {
    int m = count[i] - 1;   /* intervals */
    if (m < 2) continue;
    double mean = sum[i] / m, var = sum2[i] / m - mean * mean;
    cv_sum += sqrt(var > 0 ? var : 0) / mean;
    out->cv_neurons++;
  }
  if (out->cv_neurons) out->cv_isi = cv_sum / out->cv_neurons;
  double m1 = 0, m2 = 0;
  for (size_t b = 0; b < n_bins; b++) m1 += pop[b] / n_bins;
  for (size_t b = 0; b < n_bins; b++) m2 += (pop[b] - m1) * (pop[b] - m1) / n_bins;
  out->sync_fano = m1 > 0 ? m2 / m1 : NAN;
  free(last), free(sum), free(sum2), free(count), free(pop);
  return 0;
}
