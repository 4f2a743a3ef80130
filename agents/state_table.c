/* state_table.c — the observation → state index hash table: open addressing with linear
 * probing over a power-of-two array of slots (kept at most half full), the vectors themselves
 * stored one after the other in index order, each with its hash so growing never rehashes the
 * values. */
#include "agents/state_table.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct soma_state_table {
  int dim, count, cap, max;   /* cap: vectors the arrays below hold */
  double *obs;                /* count x dim, canonical values */
  uint64_t *hash;             /* count */
  int32_t *slot;              /* n_slots: index + 1, 0 empty */
  size_t n_slots;             /* a power of two */
};

/* The value stored and hashed: -0 becomes 0 and every NaN one NaN, so values equal as
 * numbers have the same bits. */
static double canonical(double x) {
  if (x == 0) return 0.0;
  if (isnan(x)) return NAN;
  return x;
}

static uint64_t mix(uint64_t h) {   /* splitmix64's finaliser */
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

static uint64_t hash_of(const double *obs, int dim) {
  uint64_t h = 0x9e3779b97f4a7c15ull * (uint64_t)(dim + 1);
  for (int k = 0; k < dim; k++) {
    double v = canonical(obs[k]);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    h = mix(h ^ bits) + (uint64_t)k;
  }
  return h;
}

static int same(const double *stored, const double *obs, int dim) {
  for (int k = 0; k < dim; k++) {
    double v = obs[k];
    if (!(stored[k] == v || (isnan(stored[k]) && isnan(v)))) return 0;
  }
  return 1;
}

soma_state_table *soma_state_table_create(int dim, int max_states) {
  if (dim < 1 || max_states < 1) return NULL;
  soma_state_table *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->dim = dim;
  t->max = max_states;
  t->n_slots = 64;
  t->slot = calloc(t->n_slots, sizeof *t->slot);
  if (!t->slot) {
    free(t);
    return NULL;
  }
  return t;
}

void soma_state_table_destroy(soma_state_table *t) {
  if (!t) return;
  free(t->obs);
  free(t->hash);
  free(t->slot);
  free(t);
}

/* the slot holding obs (with hash h), or the empty slot where it would go */
static size_t probe(const soma_state_table *t, const double *obs, uint64_t h) {
  size_t mask = t->n_slots - 1, i = (size_t)h & mask;
  for (;; i = (i + 1) & mask) {
    int32_t s = t->slot[i];
    if (s == 0) return i;
    if (t->hash[s - 1] == h && same(t->obs + (size_t)(s - 1) * (size_t)t->dim, obs, t->dim))
      return i;
  }
}

int soma_state_table_find(const soma_state_table *t, const double *obs) {
  if (t->count == 0) return -1;
  return t->slot[probe(t, obs, hash_of(obs, t->dim))] - 1;
}

/* room for one more vector, and slots kept at most half full */
static int grow(soma_state_table *t) {
  if (t->count == t->cap) {
    int cap = t->cap ? (t->cap > t->max / 2 ? t->max : t->cap * 2) : (t->max < 64 ? t->max : 64);
    double *obs = realloc(t->obs, sizeof *obs * (size_t)cap * (size_t)t->dim);
    if (!obs) return -1;
    t->obs = obs;
    uint64_t *hash = realloc(t->hash, sizeof *hash * (size_t)cap);
    if (!hash) return -1;
    t->hash = hash;
    t->cap = cap;
  }
  if ((size_t)(t->count + 1) * 2 > t->n_slots) {
    size_t n = t->n_slots * 2;
    int32_t *slot = calloc(n, sizeof *slot);
    if (!slot) return -1;
    for (int s = 0; s < t->count; s++) {
      size_t i = (size_t)t->hash[s] & (n - 1);
      while (slot[i]) i = (i + 1) & (n - 1);
      slot[i] = s + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->n_slots = n;
  }
  return 0;
}

int soma_state_table_intern(soma_state_table *t, const double *obs, int *added) {
  if (added) *added = 0;
  uint64_t h = hash_of(obs, t->dim);
  size_t i = probe(t, obs, h);
  if (t->slot[i]) return t->slot[i] - 1;
  if (t->count == t->max || grow(t)) return -1;
  i = probe(t, obs, h);   /* the slots may have been rebuilt */
  int s = t->count++;
  double *v = t->obs + (size_t)s * (size_t)t->dim;
  for (int k = 0; k < t->dim; k++) v[k] = canonical(obs[k]);
  t->hash[s] = h;
  t->slot[i] = s + 1;
  if (added) *added = 1;
  return s;
}

int soma_state_table_count(const soma_state_table *t) { return t->count; }
int soma_state_table_dim(const soma_state_table *t) { return t->dim; }
int soma_state_table_max(const soma_state_table *t) { return t->max; }

const double *soma_state_table_obs(const soma_state_table *t, int i) {
  return t->obs + (size_t)i * (size_t)t->dim;
}
