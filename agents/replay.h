/* replay.h — the replay buffer of the agents layer: experienced transitions kept in a ring of
 * fixed capacity, sampled uniformly (Lin 1992, Dyna) or by priority (Schaul et al. 2016), read
 * back as whole episodes, forwards or in reverse from a reward (hippocampal reverse replay),
 * with a log of which transition was replayed when. A data structure only: no spikes.
 *
 *   soma_replay_config c = soma_replay_defaults();
 *   c.capacity = 2000; c.obs_dim = 2; c.act_dim = 1;
 *   soma_replay *r = soma_replay_create(&c, err, sizeof err);
 *   soma_replay_add(r, &(soma_replay_transition){.obs = o, .action = &a, .reward = 1, ...}, ...);
 *   soma_replay_sample_prioritized(r, 32, beta, idx, w, err, sizeof err);
 *   ... learn from the transitions idx[k], weighted by w[k] ...
 *   soma_replay_update_priority(r, idx[k], new_td_error, err, sizeof err);
 *   soma_replay_log(r, t_ms, SOMA_REPLAY_PRIORITIZED, idx, 32, err, sizeof err);
 *
 * Indices are slots of the ring, 0 .. capacity-1. Slots fill in order 0, 1, 2, ...; once the
 * buffer is full each add overwrites the oldest transition, so an index stays valid until
 * `capacity` more transitions have been added. Every transition also gets a serial number
 * (the count of adds before it), which is never reused.
 *
 * Randomness: every sampling call draws from Philox counters keyed by (seed, "replay:sample")
 * with the number of sampling calls so far as the counter, so the same seed and the same
 * sequence of calls give the same samples, whatever else the program draws.
 *
 * Fallible calls return SOMA_OK (or a count or an index, >= 0) or a negative SOMA_ERR_* code
 * with a message naming the value and the fix in the caller's buffer (err, len); a call that
 * fails leaves the buffer as it was. */
#ifndef SOMA_REPLAY_H
#define SOMA_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "sim/soma.h"   /* SOMA_OK, SOMA_ERR_PARAM, SOMA_ERR_NOMEM */

#define SOMA_REPLAY_MAX_CAPACITY (1 << 28)
#define SOMA_REPLAY_MAX_DIM (1 << 16)

typedef struct soma_replay soma_replay;

typedef struct soma_replay_config {
  int capacity;     /* transitions kept, 1 .. SOMA_REPLAY_MAX_CAPACITY (default 10000) */
  int obs_dim;      /* values per observation, 1 .. SOMA_REPLAY_MAX_DIM (default 1) */
  int act_dim;      /* values per action (1 for a discrete index), 1 .. MAX_DIM (default 1) */
  double alpha;     /* priority exponent, >= 0; 0 is uniform (default 0.6, Schaul et al.) */
  double eps;       /* added to |td_error| so no priority is 0, > 0 (default 1e-6) */
  uint32_t seed;    /* of the sampling generator (default 1) */
} soma_replay_config;

/* One transition: given to add(), returned by get() (pointers then point into the buffer,
 * valid until the slot is overwritten or the buffer destroyed). */
typedef struct soma_replay_transition {
  const double *obs;        /* obs_dim values */
  const double *action;     /* act_dim values: the index of a discrete action, or a vector */
  double reward;
  const double *next_obs;   /* obs_dim values; NULL on add stores zeros (terminal states) */
  int terminal;             /* the episode ended with this transition (nonzero: 1 stored) */
  double td_error;          /* TD error at storage; update_priority() replaces it */
  int64_t episode, step;    /* where it came from, both >= 0 */
  double t_ms;              /* when it happened, ms */
  /* read-only, filled by get(): */
  double priority;          /* p = |td_error| + eps, or the maximum given on add */
  uint64_t serial;          /* adds before this one */
} soma_replay_transition;

/* What a replay event was: how the transition was chosen. */
typedef enum {
  SOMA_REPLAY_UNIFORM,
  SOMA_REPLAY_PRIORITIZED,
  SOMA_REPLAY_REVERSE,
  SOMA_REPLAY_FORWARD,
  SOMA_REPLAY_N_KINDS
} soma_replay_kind;

/* One replay of one transition, as the caller logged it. */
typedef struct soma_replay_event {
  double t_ms;              /* when it was replayed */
  int index;                /* the slot */
  int kind;                 /* soma_replay_kind */
  int64_t episode, step;    /* of the transition replayed */
} soma_replay_event;

/* A stored episode: a run of consecutive adds with the same episode number. Episodes added
 * one after another each give one run; interleaved episodes (two agents sharing a buffer)
 * give one run per piece. */
typedef struct soma_replay_episode_info {
  int64_t episode;
  int first, last;          /* slots of its oldest and newest stored transitions */
  int n;                    /* transitions stored */
  int64_t first_step, last_step;
  double reward;            /* sum over the stored transitions */
  int terminal;             /* its newest stored transition ended the episode */
  int partial;              /* some of its transitions were overwritten by the ring */
} soma_replay_episode_info;

/* ---- lifetime ------------------------------------------------------------------------ */

soma_replay_config soma_replay_defaults(void);

/* Allocates every field once (nothing is allocated per add). NULL with a message when a
 * setting is out of range or memory runs out. */
soma_replay *soma_replay_create(const soma_replay_config *c, char *err, size_t len);
void soma_replay_destroy(soma_replay *r);   /* NULL is a no-op */

/* ---- storing ------------------------------------------------------------------------- */

/* Stores t (copying its arrays) at the next slot, overwriting the oldest transition when the
 * buffer is full, and returns that slot. Its priority is the largest priority now stored (1
 * in an empty buffer), so every new transition is replayed at least once with high
 * probability (Schaul et al. 2016); td_error is kept for reading. NaN or infinite values
 * (reward, td_error, t_ms, any obs/action value) and negative episode or step are refused. */
int soma_replay_add(soma_replay *r, const soma_replay_transition *t, char *err, size_t len);

/* Sets the TD error of slot i after replaying it; its priority becomes |td_error| + eps. */
int soma_replay_update_priority(soma_replay *r, int i, double td_error, char *err, size_t len);

/* ---- reading ------------------------------------------------------------------------- */

int soma_replay_count(const soma_replay *r);      /* transitions stored, <= capacity */
int soma_replay_capacity(const soma_replay *r);
int soma_replay_obs_dim(const soma_replay *r);
int soma_replay_act_dim(const soma_replay *r);
uint64_t soma_replay_added(const soma_replay *r); /* adds since creation */

/* The slot of the k-th oldest stored transition (k = 0: the oldest, count-1: the newest), or
 * -1 when k is out of range. */
int soma_replay_oldest(const soma_replay *r, int k);

/* Fills *t with the transition in slot i (pointers into the buffer). */
int soma_replay_get(const soma_replay *r, int i, soma_replay_transition *t, char *err,
                    size_t len);

/* Σ p^alpha over stored transitions (the sum-tree's root), and P(i) = p_i^alpha / Σ p^alpha
 * (0 for a slot not stored). */
double soma_replay_priority_sum(const soma_replay *r);
double soma_replay_probability(const soma_replay *r, int i);

/* ---- sampling ------------------------------------------------------------------------ */

/* n slots drawn uniformly, with replacement, into idx. Refused on an empty buffer. */
int soma_replay_sample_uniform(soma_replay *r, int n, int *idx, char *err, size_t len);

/* n slots drawn with replacement with probability P(i) = p_i^alpha / Σ p^alpha, through a
 * sum-tree (O(log capacity) per draw), into idx. When weight is not NULL it receives the
 * importance-sampling weights w_i = (N·P(i))^-beta / max_j (N·P(j))^-beta, the maximum taken
 * over every stored transition j (so a weight does not depend on the rest of the batch; all
 * are <= 1); N is the count stored. beta in [0, 1], annealed towards 1 by the caller
 * (Schaul et al.: 0.4 at the start). */
int soma_replay_sample_prioritized(soma_replay *r, int n, double beta, int *idx, double *weight,
                                   char *err, size_t len);

/* ---- episodes and reverse replay ----------------------------------------------------- */

/* Lists the stored episodes, oldest first, into out (up to max of them); returns how many
 * there are (call with max = 0 to count). The oldest one is partial when the ring has
 * overwritten its beginning. */
int soma_replay_episodes(const soma_replay *r, soma_replay_episode_info *out, int max);

/* The slots of episode `episode`, in the order they were added (forward) or newest first
 * (reverse != 0), into idx (up to max); returns how many are stored (0: none). Only the part
 * the ring has not overwritten is there. */
int soma_replay_episode(const soma_replay *r, int64_t episode, int reverse, int *idx, int max);

/* The sequence that led to a reward: the transitions of an episode up to and including its
 * newest transition with reward > 0 (or up to its newest transition when it has none). With
 * episode = -1, the episode of the newest rewarded transition in the buffer. reverse != 0
 * gives them from the rewarded step backwards (hippocampal reverse replay, Lin's backward
 * lessons), else from the episode's oldest stored step forwards. Writes up to max slots into
 * idx and the episode into *which (when not NULL); returns how many (0: nothing rewarded, or
 * that episode is not stored). */
int soma_replay_reward_sequence(const soma_replay *r, int64_t episode, int reverse, int *idx,
                                int max, int64_t *which);

/* Erases the loops of a sequence of slots in forward (time) order, in place: when a state
 * (the observation, compared exactly) comes back, everything since its earlier visit goes,
 * that visit included, so each state keeps only the action last taken from it (the
 * loop-erased path, as in a loop-erased random walk). Returns the new length. */
int soma_replay_loop_erase(const soma_replay *r, int *idx, int n);

/* ---- the replay log ------------------------------------------------------------------ */

/* Appends one event per slot in idx[0..n): replayed at t_ms, chosen by `kind`; the episode
 * and step of each transition are copied, so the log outlives overwrites. The log grows as
 * needed. Refused (nothing appended) for a slot not stored, an unknown kind, a t_ms not
 * finite, or out of memory. */
int soma_replay_log(soma_replay *r, double t_ms, int kind, const int *idx, int n, char *err,
                    size_t len);

/* The events so far, oldest first; *n receives their count. Valid until the next log. */
const soma_replay_event *soma_replay_events(const soma_replay *r, size_t *n);
void soma_replay_events_clear(soma_replay *r);

/* "uniform", "prioritized", "reverse", "forward"; "?" for anything else. */
const char *soma_replay_kind_name(int kind);

#endif
