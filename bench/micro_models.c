/* micro_models.c — nanoseconds per neuron-step of each model's update loop, alone, on a
 * population that fits in L2 (4000 neurons), plus the spike-flag compaction. Compare the
 * figures with the floor in ../shared/reference/benchmarks.md (0.16 ns, SIMD Euler). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/model.h"
#include "sim/soma.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *zalloc(size_t n) {
  void *p = aligned_alloc(64, (n + 63) / 64 * 64);
  memset(p, 0, (n + 63) / 64 * 64);
  return p;
}

int main(int argc, char **argv) {
  /* the step loop flushes denormals to zero (sim/net.c); measure under the same mode */
#if defined(__x86_64__)
  __builtin_ia32_ldmxcsr(__builtin_ia32_stmxcsr() | 0x8040);
#endif
  int n = argc > 1 ? atoi(argv[1]) : 4000, steps = argc > 2 ? atoi(argv[2]) : 20000;
  n = (n + 15) / 16 * 16;
  printf("%-14s %12s %12s\n", "model", "ns/neuron", "Gneuron-steps/s");
  for (int m = 0; m < soma_model_count(); m++) {
    const soma_model *md = soma_model_at(m);
    if (md->is_source) continue;
    double params[64];
    for (int k = 0; k < md->n_params; k++) params[k] = md->params[k].def;
    void *consts = zalloc(md->consts_size);
    md->prepare(params, 0.1, consts);
    float *var[16], *in[4];
    for (int v = 0; v < md->n_vars; v++) {
      var[v] = zalloc(sizeof(float) * (size_t)n);
      double x = md->vars[v].init_param >= 0 ? params[md->vars[v].init_param] : md->vars[v].init_value;
      for (int i = 0; i < n; i++) var[v][i] = (float)x;
    }
    for (int p = 0; p < md->n_ports; p++) in[p] = zalloc(sizeof(float) * (size_t)n);
    int32_t *refr = zalloc(sizeof(int32_t) * (size_t)n), *spiked = zalloc(sizeof(int32_t) * (size_t)n);
    uint32_t *out = zalloc(sizeof(uint32_t) * (size_t)n);
    soma_step_args a = {.params = params, .consts = consts, .var = var, .in = in, .refr = refr,
                        .spiked = spiked, .lo = 0, .hi = n};
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
      double t0 = now();
      for (int s = 0; s < steps; s++) {
        a.step = s;
        in[0][s % n] += 1.0f;   /* a little input so the branchless paths all run */
        md->step(&a);
      }
      double t = (now() - t0) / ((double)steps * n) * 1e9;
      if (t < best) best = t;
    }
    printf("%-14s %12.3f %12.2f\n", md->name, best, 1 / best);
    double c0 = now();
    size_t k = 0;
    for (int s = 0; s < steps; s++) k += soma_compact_spikes(spiked, 0, n, out);
    if (m == 0) printf("%-14s %12.3f %12s (%zu)\n", "compaction", (now() - c0) / ((double)steps * n) * 1e9, "", k);
    for (int v = 0; v < md->n_vars; v++) free(var[v]);
    for (int p = 0; p < md->n_ports; p++) free(in[p]);
    free(refr), free(spiked), free(out), free(consts);
  }
  return 0;
}
