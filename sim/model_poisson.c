/* model_poisson.c — Poisson spike sources: each neuron fires in a step with probability
 * rate * dt, independently, drawn from Philox counters (seed, population, neuron, step).
 * The per-neuron rate is a state variable, so scripts and schedules can change it over time. */
#include <math.h>

#include "model.h"
#include "rng.h"

enum { RATE, N_VARS };

static const soma_var_def vars[N_VARS] = {
  {"rate", "Hz", -1, 0, 0, INFINITY, "firing rate"},
};

typedef struct {
  double scale;   /* Hz -> probability per step in units of 2^-32 */
} consts;

static void prepare(const double *p, double dt, void *out) {
  (void)p;
  ((consts *)out)->scale = dt * 1e-3 * 4294967296.0;
}

static void step(const soma_step_args *a) {
  const float *rate = a->var[RATE];
  const double scale = ((const consts *)a->consts)->scale;
  uint32_t s_lo = (uint32_t)a->step, s_hi = (uint32_t)((uint64_t)a->step >> 32);
  for (int i = a->lo; i < a->hi; i += 4) {   /* lo is a multiple of 16: blocks of 4 */
    philox4x32_ctr_t x = soma_philox(a->seed, a->stream, (uint32_t)i >> 2, s_lo, s_hi);
    for (int j = 0; j < 4 && i + j < a->hi; j++) {
      double thr = rate[i + j] * scale;
      a->spiked[i + j] = thr >= 4294967296.0 || (double)x.v[j] < thr;
    }
  }
}

const soma_model soma_model_poisson = {
  .name = "poisson",
  .doc = "independent Poisson spike sources with per-neuron, time-varying rates",
  .vars = vars,
  .n_vars = N_VARS,
  .is_source = 1,
  .consts_size = sizeof(consts),
  .prepare = prepare,
  .step = step,
};
