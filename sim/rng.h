/* rng.h — counter-based random numbers (Random123's Philox4x32-10).
 *
 * Every draw is a pure function of (seed, stream, counter), so no number depends on which
 * thread asked for it or in which order. Streams name the purpose and the object (a hash of
 * e.g. "proj:E->I"); counters name the element (neuron, step, draw index). */
#ifndef SOMA_RNG_H
#define SOMA_RNG_H

#include <stdint.h>
#include <Random123/philox.h>
#include <gsl/gsl_rng.h>

/* Four 32-bit random words for the counter (c0, c1, c2); the fourth counter word is 0. */
static inline philox4x32_ctr_t soma_philox(uint32_t seed, uint32_t stream, uint32_t c0,
                                           uint32_t c1, uint32_t c2) {
  philox4x32_ctr_t c = {{c0, c1, c2, 0}};
  philox4x32_key_t k = {{seed, stream}};
  return philox4x32(c, k);
}

/* A uniform double in the open interval (0, 1) from one word. */
static inline double soma_u01(uint32_t x) { return ((double)x + 0.5) * 0x1p-32; }

/* A sequential stream of words for counter (c0, c1, c2): draw k uses fourth word k/4. */
typedef struct soma_stream {
  philox4x32_key_t key;
  philox4x32_ctr_t ctr;
  philox4x32_ctr_t buf;
  int left;
} soma_stream;

static inline void soma_stream_init(soma_stream *s, uint32_t seed, uint32_t stream,
                                    uint32_t c0, uint32_t c1, uint32_t c2) {
  s->key.v[0] = seed;
  s->key.v[1] = stream;
  s->ctr.v[0] = c0;
  s->ctr.v[1] = c1;
  s->ctr.v[2] = c2;
  s->ctr.v[3] = 0;
  s->left = 0;
}

static inline uint32_t soma_stream_next(soma_stream *s) {
  if (s->left == 0) {
    s->buf = philox4x32(s->ctr, s->key);
    s->ctr.v[3]++;
    s->left = 4;
  }
  return s->buf.v[--s->left];
}

/* Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). n > 0. */
static inline uint32_t soma_stream_below(soma_stream *s, uint32_t n) {
  uint64_t m = (uint64_t)soma_stream_next(s) * n;
  uint32_t l = (uint32_t)m;
  if (l < n) {
    uint32_t t = (uint32_t)(-n) % n;
    while (l < t) {
      m = (uint64_t)soma_stream_next(s) * n;
      l = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

static inline double soma_stream_u01(soma_stream *s) { return soma_u01(soma_stream_next(s)); }

/* 32-bit FNV-1a hash of "kind:name", used as a stream id. */
uint32_t soma_stream_id(const char *kind, const char *name);

/* A gsl_rng view of a soma_stream, so GSL's distributions draw from counters. Allocate one
 * per thread, then point it at a counter with soma_gsl_rng_reset before each use. */
gsl_rng *soma_gsl_rng_alloc(void);
void soma_gsl_rng_free(gsl_rng *r);
void soma_gsl_rng_reset(gsl_rng *r, uint32_t seed, uint32_t stream, uint32_t c0, uint32_t c1,
                        uint32_t c2);

#endif
