/* model_spike_source.c — neurons that fire at given times (spike-source arrays). Scripts and
 * replay add spikes ahead of time with soma_pop_add_spikes(); each thread walks the shared,
 * sorted event list with its own cursor and emits the events of its neurons. */
#include <string.h>

#include "internal.h"

static void step(const soma_step_args *a) {
  soma_events *ev = a->extra;
  memset(a->spiked + a->lo, 0, sizeof(int32_t) * (size_t)(a->hi - a->lo));
  if (!ev) return;
  size_t c = ev->cursor[a->thread];
  while (c < ev->n && ev->step[c] < a->step) c++;
  for (; c < ev->n && ev->step[c] == a->step; c++)
    if (ev->id[c] >= a->lo && ev->id[c] < a->hi) a->spiked[ev->id[c]] = 1;
  ev->cursor[a->thread] = c;
}

const soma_model soma_model_spike_source = {
  .name = "spike_source",
  .doc = "neurons that fire at given times (spike-source arrays; replay re-injects through them)",
  .is_source = 1,
  .step = step,
};
