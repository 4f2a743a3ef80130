/* rng.c — stream ids, a GSL generator type over Philox counters, Poisson counts.
 *
 * The GSL type lets every GSL distribution (gaussian, gamma, lognormal, poisson) draw from a
 * counter-addressed stream, so a value depends only on what it is for, never on a thread. */
#include "rng.h"

#include <stdlib.h>

uint32_t soma_stream_id(const char *kind, const char *name) {
  uint32_t h = 2166136261u;
  for (const char *p = kind; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
  h = (h ^ (uint8_t)':') * 16777619u;
  for (const char *p = name; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
  return h;
}

static void stream_set(void *state, unsigned long seed) {
  soma_stream *s = state;
  soma_stream_init(s, (uint32_t)seed, 0, 0, 0, 0);
}

static unsigned long stream_get(void *state) { return soma_stream_next(state); }

static double stream_get_double(void *state) {
  /* GSL wants [0, 1); 32 random bits at 2^-32 spacing */
  return soma_stream_next(state) * 0x1p-32;
}

static const gsl_rng_type soma_philox_type = {
  "soma_philox4x32", 0xffffffffUL, 0, sizeof(soma_stream), stream_set, stream_get,
  stream_get_double,
};

gsl_rng *soma_gsl_rng_alloc(void) { return gsl_rng_alloc(&soma_philox_type); }

void soma_gsl_rng_free(gsl_rng *r) {
  if (r) gsl_rng_free(r);
}

void soma_gsl_rng_reset(gsl_rng *r, uint32_t seed, uint32_t stream, uint32_t c0, uint32_t c1,
                        uint32_t c2) {
  soma_stream_init(r->state, seed, stream, c0, c1, c2);
}
