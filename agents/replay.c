/* replay.c — the replay buffer: a ring of transitions stored field by field (one flat array
 * per field), three trees over the slots for prioritized sampling (the sum of p^alpha, its
 * minimum for the importance weights, the maximum p for new transitions), episode queries by
 * scanning the ring from oldest to newest, and a growable log of replay events. */
#include "agents/replay.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

struct soma_replay {
  soma_replay_config c;
  int count;              /* transitions stored */
  int next;               /* the slot the next add writes (the oldest when full) */
  uint64_t added;         /* adds since creation */
  uint64_t calls;         /* sampling calls so far: the counter of the next one */
  uint32_t stream;        /* Philox stream id of the sampling draws */
  int evicted;            /* a transition has been overwritten ... */
  int64_t evicted_episode;/* ... and the newest one so lost belonged to this episode */

  /* the transitions, one array per field, indexed by slot */
  double *obs, *next_obs; /* capacity × obs_dim */
  double *action;         /* capacity × act_dim */
  double *reward, *td_error, *priority, *t_ms;
  int64_t *episode, *step;
  uint64_t *serial;
  unsigned char *terminal;

  /* Trees over the slots in the layout of a bottom-up segment tree: leaf of slot i at
   * capacity + i, node k has children 2k and 2k+1, root at 1. Any capacity works: nodes
   * 1 .. capacity-1 are exactly the internal nodes of a heap of 2·capacity-1 nodes, so each
   * node combines a disjoint set of leaves and the root combines them all. Each parent is
   * recomputed from its children on every update, so the sums never drift. */
  double *sum;            /* p^alpha, 0 for an empty slot */
  double *min;            /* p^alpha, +inf for an empty slot */
  double *max;            /* p, 0 for an empty slot */

  soma_replay_event *events;
  size_t n_events, cap_events;
};

/* Writes a message into (err, len) when there is room, and returns code. */
static int fail(char *err, size_t len, int code, const char *fmt, ...) {
  if (err && len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
  }
  return code;
}

soma_replay_config soma_replay_defaults(void) {
  return (soma_replay_config){
      .capacity = 10000, .obs_dim = 1, .act_dim = 1, .alpha = 0.6, .eps = 1e-6, .seed = 1};
}

/* ---- trees --------------------------------------------------------------------------- */

typedef double (*combine_fn)(double, double);
static double combine_sum(double a, double b) { return a + b; }
static double combine_min(double a, double b) { return a < b ? a : b; }
static double combine_max(double a, double b) { return a > b ? a : b; }

static void tree_set(double *tree, int n, int i, double v, combine_fn f) {
  int k = n + i;
  tree[k] = v;
  for (k >>= 1; k >= 1; k >>= 1) tree[k] = f(tree[2 * k], tree[2 * k + 1]);
}

/* The slot whose share of the sum-tree holds u, for u in [0, root). A right subtree with no
 * weight is never entered, so rounding (u at or just above the root) cannot reach an empty
 * slot. */
static int tree_find(const double *sum, int n, double u) {
  int k = 1;
  while (k < n) {
    int left = 2 * k;
    if (u < sum[left] || !(sum[left + 1] > 0)) {
      k = left;
    } else {
      u -= sum[left];
      k = left + 1;
    }
  }
  return k - n;
}

/* Priority p (> 0), or 0 to empty the slot. */
static void set_priority(soma_replay *r, int i, double p) {
  int n = r->c.capacity;
  double pa = p > 0 ? pow(p, r->c.alpha) : 0;
  r->priority[i] = p;
  tree_set(r->sum, n, i, pa, combine_sum);
  tree_set(r->min, n, i, p > 0 ? pa : INFINITY, combine_min);
  tree_set(r->max, n, i, p, combine_max);
}

/* ---- lifetime ------------------------------------------------------------------------ */

void soma_replay_destroy(soma_replay *r) {
  if (!r) return;
  free(r->obs);
  free(r->next_obs);
  free(r->action);
  free(r->reward);
  free(r->td_error);
  free(r->priority);
  free(r->t_ms);
  free(r->episode);
  free(r->step);
  free(r->serial);
  free(r->terminal);
  free(r->sum);
  free(r->min);
  free(r->max);
  free(r->events);
  free(r);
}

static int check_config(const soma_replay_config *c, char *err, size_t len) {
  if (!c) return fail(err, len, SOMA_ERR_PARAM, "replay: no configuration given");
  if (c->capacity < 1 || c->capacity > SOMA_REPLAY_MAX_CAPACITY)
    return fail(err, len, SOMA_ERR_PARAM, "replay: capacity must be from 1 to %d (got %d)",
                SOMA_REPLAY_MAX_CAPACITY, c->capacity);
  if (c->obs_dim < 1 || c->obs_dim > SOMA_REPLAY_MAX_DIM)
    return fail(err, len, SOMA_ERR_PARAM, "replay: obs_dim must be from 1 to %d (got %d)",
                SOMA_REPLAY_MAX_DIM, c->obs_dim);
  if (c->act_dim < 1 || c->act_dim > SOMA_REPLAY_MAX_DIM)
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: act_dim must be from 1 to %d (got %d; 1 for a discrete action)",
                SOMA_REPLAY_MAX_DIM, c->act_dim);
  if (!(c->alpha >= 0) || !isfinite(c->alpha))
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: alpha must be >= 0 and finite (got %g; 0 is uniform, 0.6 is Schaul "
                "et al.'s)",
                c->alpha);
  if (!(c->eps > 0) || !isfinite(c->eps))
    return fail(err, len, SOMA_ERR_PARAM, "replay: eps must be > 0 and finite (got %g)", c->eps);
  if (!(pow(c->eps, c->alpha) > 0))
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: eps^alpha = %g^%g underflows to 0; raise eps or lower alpha", c->eps,
                c->alpha);
  return SOMA_OK;
}

soma_replay *soma_replay_create(const soma_replay_config *c, char *err, size_t len) {
  if (check_config(c, err, len)) return NULL;
  soma_replay *r = calloc(1, sizeof *r);
  if (!r) return fail(err, len, SOMA_ERR_NOMEM, "replay: out of memory"), NULL;
  r->c = *c;
  r->stream = soma_stream_id("replay", "sample");
  size_t n = (size_t)c->capacity;
  r->obs = calloc(n * (size_t)c->obs_dim, sizeof *r->obs);
  r->next_obs = calloc(n * (size_t)c->obs_dim, sizeof *r->next_obs);
  r->action = calloc(n * (size_t)c->act_dim, sizeof *r->action);
  r->reward = calloc(n, sizeof *r->reward);
  r->td_error = calloc(n, sizeof *r->td_error);
  r->priority = calloc(n, sizeof *r->priority);
  r->t_ms = calloc(n, sizeof *r->t_ms);
  r->episode = calloc(n, sizeof *r->episode);
  r->step = calloc(n, sizeof *r->step);
  r->serial = calloc(n, sizeof *r->serial);
  r->terminal = calloc(n, sizeof *r->terminal);
  r->sum = calloc(2 * n, sizeof *r->sum);
  r->min = malloc(2 * n * sizeof *r->min);
  r->max = calloc(2 * n, sizeof *r->max);
  if (!r->obs || !r->next_obs || !r->action || !r->reward || !r->td_error || !r->priority ||
      !r->t_ms || !r->episode || !r->step || !r->serial || !r->terminal || !r->sum || !r->min ||
      !r->max) {
    double mb = (double)n * (8.0 * (2 * c->obs_dim + c->act_dim) + 8 * 7 + 1 + 48) / 1e6;
    soma_replay_destroy(r);
    return fail(err, len, SOMA_ERR_NOMEM,
                "replay: out of memory for %d transitions of obs_dim %d, act_dim %d (%.0f MB); "
                "lower the capacity",
                c->capacity, c->obs_dim, c->act_dim, mb),
           NULL;
  }
  for (size_t k = 0; k < 2 * n; k++) r->min[k] = INFINITY;
  return r;
}

/* ---- storing ------------------------------------------------------------------------- */

/* v[0..n) all finite; the message names the first value that is not. */
static int check_values(const char *what, const double *v, int n, char *err, size_t len) {
  if (!v) return fail(err, len, SOMA_ERR_PARAM, "replay: %s is missing (NULL)", what);
  for (int k = 0; k < n; k++)
    if (!isfinite(v[k]))
      return fail(err, len, SOMA_ERR_PARAM, "replay: %s[%d] must be a finite number (got %g)",
                  what, k, v[k]);
  return SOMA_OK;
}

static int check_transition(const soma_replay *r, const soma_replay_transition *t, char *err,
                            size_t len) {
  if (!t) return fail(err, len, SOMA_ERR_PARAM, "replay: no transition given");
  int rc;
  if ((rc = check_values("obs", t->obs, r->c.obs_dim, err, len))) return rc;
  if ((rc = check_values("action", t->action, r->c.act_dim, err, len))) return rc;
  if (t->next_obs && (rc = check_values("next_obs", t->next_obs, r->c.obs_dim, err, len)))
    return rc;
  const struct { const char *name; double v; } scalars[] = {
      {"reward", t->reward}, {"td_error", t->td_error}, {"t_ms", t->t_ms}};
  for (size_t k = 0; k < sizeof scalars / sizeof *scalars; k++)
    if (!isfinite(scalars[k].v))
      return fail(err, len, SOMA_ERR_PARAM, "replay: %s must be a finite number (got %g)",
                  scalars[k].name, scalars[k].v);
  if (t->episode < 0 || t->step < 0)
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: episode and step must be >= 0 (got episode %lld, step %lld)",
                (long long)t->episode, (long long)t->step);
  return SOMA_OK;
}

int soma_replay_add(soma_replay *r, const soma_replay_transition *t, char *err, size_t len) {
  int rc = check_transition(r, t, err, len);
  if (rc) return rc;
  int i = r->next, od = r->c.obs_dim, ad = r->c.act_dim;
  if (r->count == r->c.capacity) {
    r->evicted = 1;
    r->evicted_episode = r->episode[i];
    set_priority(r, i, 0);
  }
  double p = r->max[1] > 0 ? r->max[1] : 1.0;
  memcpy(r->obs + (size_t)i * od, t->obs, (size_t)od * sizeof *t->obs);
  if (t->next_obs) memcpy(r->next_obs + (size_t)i * od, t->next_obs, (size_t)od * sizeof *t->obs);
  else memset(r->next_obs + (size_t)i * od, 0, (size_t)od * sizeof *t->obs);
  memcpy(r->action + (size_t)i * ad, t->action, (size_t)ad * sizeof *t->action);
  r->reward[i] = t->reward;
  r->terminal[i] = t->terminal != 0;
  r->td_error[i] = t->td_error;
  r->episode[i] = t->episode;
  r->step[i] = t->step;
  r->t_ms[i] = t->t_ms;
  r->serial[i] = r->added++;
  set_priority(r, i, p);
  r->next = (i + 1) % r->c.capacity;
  if (r->count < r->c.capacity) r->count++;
  return i;
}

static int check_slot(const soma_replay *r, int i, char *err, size_t len) {
  if (i < 0 || i >= r->count)
    return fail(err, len, SOMA_ERR_PARAM,
                r->count ? "replay: slot %d is not stored (slots 0 to %d hold transitions)"
                         : "replay: slot %d is not stored (the buffer is empty)",
                i, r->count - 1);
  return SOMA_OK;
}

int soma_replay_update_priority(soma_replay *r, int i, double td_error, char *err, size_t len) {
  int rc = check_slot(r, i, err, len);
  if (rc) return rc;
  if (!isfinite(td_error))
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: td_error of slot %d must be a finite number (got %g)", i, td_error);
  /* p^alpha must stay positive, and small enough that a sum of capacity of them is finite */
  double p = fabs(td_error) + r->c.eps, pa = pow(p, r->c.alpha), pa_max = DBL_MAX / r->c.capacity;
  if (!(pa > 0 && pa <= pa_max))
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: td_error %g of slot %d gives a priority (|td_error| + eps)^alpha = "
                "%g^%g = %g, out of range (0, %g]",
                td_error, i, p, r->c.alpha, pa, pa_max);
  r->td_error[i] = td_error;
  set_priority(r, i, p);
  return SOMA_OK;
}

/* ---- reading ------------------------------------------------------------------------- */

int soma_replay_count(const soma_replay *r) { return r->count; }
int soma_replay_capacity(const soma_replay *r) { return r->c.capacity; }
int soma_replay_obs_dim(const soma_replay *r) { return r->c.obs_dim; }
int soma_replay_act_dim(const soma_replay *r) { return r->c.act_dim; }
uint64_t soma_replay_added(const soma_replay *r) { return r->added; }

/* Slot of the k-th oldest, for k in [0, count): the ring starts at slot 0 until it is full,
 * then at the slot the next add will overwrite. */
static int slot_at_age(const soma_replay *r, int k) {
  int first = r->count < r->c.capacity ? 0 : r->next;
  return (int)(((int64_t)first + k) % r->c.capacity);
}

int soma_replay_oldest(const soma_replay *r, int k) {
  return k >= 0 && k < r->count ? slot_at_age(r, k) : -1;
}

int soma_replay_get(const soma_replay *r, int i, soma_replay_transition *t, char *err,
                    size_t len) {
  int rc = check_slot(r, i, err, len);
  if (rc) return rc;
  if (!t) return fail(err, len, SOMA_ERR_PARAM, "replay: nowhere to write the transition");
  *t = (soma_replay_transition){
      .obs = r->obs + (size_t)i * r->c.obs_dim,
      .action = r->action + (size_t)i * r->c.act_dim,
      .reward = r->reward[i],
      .next_obs = r->next_obs + (size_t)i * r->c.obs_dim,
      .terminal = r->terminal[i],
      .td_error = r->td_error[i],
      .episode = r->episode[i],
      .step = r->step[i],
      .t_ms = r->t_ms[i],
      .priority = r->priority[i],
      .serial = r->serial[i],
  };
  return SOMA_OK;
}

double soma_replay_priority_sum(const soma_replay *r) { return r->sum[1]; }

double soma_replay_probability(const soma_replay *r, int i) {
  if (i < 0 || i >= r->count || !(r->sum[1] > 0)) return 0;
  return r->sum[r->c.capacity + i] / r->sum[1];
}

/* ---- sampling ------------------------------------------------------------------------ */

/* Checks a sampling request. */
static int check_sampling(const soma_replay *r, int n, const int *idx, char *err, size_t len) {
  if (n < 0) return fail(err, len, SOMA_ERR_PARAM, "replay: cannot draw %d samples", n);
  if (n > 0 && !idx) return fail(err, len, SOMA_ERR_PARAM, "replay: nowhere to write the samples");
  if (r->count == 0)
    return fail(err, len, SOMA_ERR_PARAM, "replay: cannot sample from an empty buffer; add "
                                          "transitions first");
  return SOMA_OK;
}

/* The draws of the next sampling call: Philox counters (seed, stream, call number). */
static soma_stream next_stream(soma_replay *r) {
  soma_stream s;
  soma_stream_init(&s, r->c.seed, r->stream, (uint32_t)r->calls, (uint32_t)(r->calls >> 32), 0);
  r->calls++;
  return s;
}

int soma_replay_sample_uniform(soma_replay *r, int n, int *idx, char *err, size_t len) {
  int rc = check_sampling(r, n, idx, err, len);
  if (rc) return rc;
  soma_stream s = next_stream(r);
  /* until the ring is full, the stored slots are 0 .. count-1; then all of them */
  for (int k = 0; k < n; k++) idx[k] = (int)soma_stream_below(&s, (uint32_t)r->count);
  return SOMA_OK;
}

int soma_replay_sample_prioritized(soma_replay *r, int n, double beta, int *idx, double *weight,
                                   char *err, size_t len) {
  if (!(beta >= 0 && beta <= 1))
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: beta must be in [0, 1] (got %g; anneal it from 0.4 to 1)", beta);
  int rc = check_sampling(r, n, idx, err, len);
  if (rc) return rc;
  soma_stream s = next_stream(r);
  int cap = r->c.capacity;
  double total = r->sum[1], N = r->count;
  /* the largest weight belongs to the smallest probability */
  double w_max = pow(N * (r->min[1] / total), -beta);
  for (int k = 0; k < n; k++) {
    int i = tree_find(r->sum, cap, soma_stream_u01(&s) * total);
    idx[k] = i;
    if (weight) weight[k] = pow(N * (r->sum[cap + i] / total), -beta) / w_max;
  }
  return SOMA_OK;
}

/* ---- episodes and reverse replay ----------------------------------------------------- */

int soma_replay_episodes(const soma_replay *r, soma_replay_episode_info *out, int max) {
  int runs = 0;
  for (int k = 0; k < r->count; k++) {
    int i = slot_at_age(r, k);
    int fresh = k == 0 || r->episode[i] != r->episode[slot_at_age(r, k - 1)];
    if (fresh) runs++;
    if (!out || runs > max) continue;
    soma_replay_episode_info *e = &out[runs - 1];
    if (fresh)
      *e = (soma_replay_episode_info){
          .episode = r->episode[i], .first = i, .first_step = r->step[i],
          .partial = k == 0 && r->evicted && r->evicted_episode == r->episode[i]};
    e->last = i;
    e->n++;
    e->last_step = r->step[i];
    e->reward += r->reward[i];
    e->terminal = r->terminal[i];
  }
  return runs;
}

/* The slots of `episode` among ages 0 .. last_age, oldest first or newest first, into idx (up
 * to max); returns how many there are. */
static int collect(const soma_replay *r, int64_t episode, int last_age, int reverse, int *idx,
                   int max) {
  int n = 0;
  for (int j = 0; j <= last_age; j++) {
    int i = slot_at_age(r, reverse ? last_age - j : j);
    if (r->episode[i] != episode) continue;
    if (idx && n < max) idx[n] = i;
    n++;
  }
  return n;
}

int soma_replay_episode(const soma_replay *r, int64_t episode, int reverse, int *idx, int max) {
  return collect(r, episode, r->count - 1, reverse, idx, max);
}

int soma_replay_reward_sequence(const soma_replay *r, int64_t episode, int reverse, int *idx,
                                int max, int64_t *which) {
  int end = -1;          /* age of the newest rewarded transition of the episode */
  int newest = -1;       /* age of the newest transition of the episode */
  for (int k = r->count - 1; k >= 0 && end < 0; k--) {
    int i = slot_at_age(r, k);
    if (episode != -1 && r->episode[i] != episode) continue;
    if (newest < 0) newest = k;
    if (r->reward[i] > 0) end = k;
  }
  if (end < 0 && episode != -1) end = newest;
  if (end < 0) return 0;
  int64_t e = r->episode[slot_at_age(r, end)];
  if (which) *which = e;
  return collect(r, e, end, reverse, idx, max);
}

int soma_replay_loop_erase(const soma_replay *r, int *idx, int n) {
  const int d = r->c.obs_dim;
  int kept = 0;
  for (int k = 0; k < n; k++) {
    const double *s = r->obs + (size_t)idx[k] * (size_t)d;
    int j = 0;
    while (j < kept && memcmp(r->obs + (size_t)idx[j] * (size_t)d, s, sizeof *s * (size_t)d)) j++;
    kept = j;   /* a state seen before: the loop since then is erased with its first visit */
    idx[kept++] = idx[k];
  }
  return kept;
}

/* ---- the replay log ------------------------------------------------------------------ */

static const char *const kind_names[SOMA_REPLAY_N_KINDS] = {"uniform", "prioritized", "reverse",
                                                            "forward"};

const char *soma_replay_kind_name(int kind) {
  return kind >= 0 && kind < SOMA_REPLAY_N_KINDS ? kind_names[kind] : "?";
}

int soma_replay_log(soma_replay *r, double t_ms, int kind, const int *idx, int n, char *err,
                    size_t len) {
  if (kind < 0 || kind >= SOMA_REPLAY_N_KINDS)
    return fail(err, len, SOMA_ERR_PARAM,
                "replay: unknown replay kind %d (uniform 0, prioritized 1, reverse 2, forward 3)",
                kind);
  if (!isfinite(t_ms))
    return fail(err, len, SOMA_ERR_PARAM, "replay: t_ms of a replay must be finite (got %g)", t_ms);
  if (n < 0 || (n > 0 && !idx))
    return fail(err, len, SOMA_ERR_PARAM, "replay: cannot log %d replays%s", n,
                n > 0 ? " from a NULL list" : "");
  for (int k = 0; k < n; k++) {
    int rc = check_slot(r, idx[k], err, len);
    if (rc) return rc;
  }
  if (r->n_events + (size_t)n > r->cap_events) {
    size_t cap = r->cap_events ? r->cap_events : 256;
    while (cap < r->n_events + (size_t)n) cap *= 2;
    soma_replay_event *grown = realloc(r->events, cap * sizeof *grown);
    if (!grown)
      return fail(err, len, SOMA_ERR_NOMEM, "replay: out of memory for a log of %zu events", cap);
    r->events = grown;
    r->cap_events = cap;
  }
  for (int k = 0; k < n; k++) {
    int i = idx[k];
    r->events[r->n_events++] = (soma_replay_event){
        .t_ms = t_ms, .index = i, .kind = kind, .episode = r->episode[i], .step = r->step[i]};
  }
  return SOMA_OK;
}

const soma_replay_event *soma_replay_events(const soma_replay *r, size_t *n) {
  if (n) *n = r->n_events;
  return r->events;
}

void soma_replay_events_clear(soma_replay *r) { r->n_events = 0; }
