/* tabular.c — the non-spiking baselines: random walk, Q-learning, Dyna-Q and Dyna-Q+ over
 * states found by agents/state_table.c. Per state, the arrays hold the action values, and for
 * the Dyna kinds the model: the last outcome of each action (next state, reward, terminal, the
 * real step it was taken) and the list of actions taken there, so planning draws a state seen
 * and then one of its actions uniformly, as in Sutton & Barto's tabular Dyna-Q. */
#include "agents/tabular.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/state_table.h"
#include "sim/rng.h"

enum { RANDOM_WALK, QLEARNING, DYNAQ, DYNAQ_PLUS, N_KINDS };

static const char *const kind_names[N_KINDS + 1] = {"random_walk", "qlearning", "dynaq",
                                                    "dynaq_plus", NULL};

#define MAX_ACTIONS (1 << 16)
#define MAX_OBS (1 << 20)
#define MAX_STATES 100000000

struct soma_tabular {
  int kind, n_obs, n_actions;
  soma_tabular_params p;
  uint64_t seed;
  soma_stream rng;
  soma_state_table *states;
  int cap;                 /* states the arrays below hold */
  double *q;               /* cap x n_actions */
  /* the model (Dyna kinds only) */
  int32_t *next;           /* cap x n_actions: next state, -1 never taken */
  double *reward;
  uint8_t *terminal;
  int64_t *last;           /* the real step (1, 2, ...) when last taken */
  int32_t *taken;          /* cap x n_actions: per state, the actions taken, in order */
  int32_t *n_taken;        /* cap */
  int32_t *seen;           /* the states some action was taken from, in order */
  int n_seen;
  int64_t steps;           /* real steps learnt from */
  double *obs;             /* the episode's current observation (n_obs) */
  int32_t *ties;           /* n_actions */
  char err[512];
};

static int fail(soma_tabular *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(soma_tabular *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->err, sizeof t->err, fmt, ap);
  va_end(ap);
  return -1;
}

static int kind_of(const char *name) {
  for (int k = 0; k < N_KINDS; k++)
    if (name && !strcmp(name, kind_names[k])) return k;
  return -1;
}

static int has_model(const soma_tabular *t) { return t->kind == DYNAQ || t->kind == DYNAQ_PLUS; }

const char *const *soma_tabular_kinds(void) { return kind_names; }

soma_tabular_params soma_tabular_defaults(const char *kind) {
  int k = kind_of(kind);
  return (soma_tabular_params){
      .alpha = 0.1,
      .gamma = 0.95,
      .epsilon = 0.1,
      .planning = k == DYNAQ || k == DYNAQ_PLUS ? 5 : 0,
      .kappa = k == DYNAQ_PLUS ? 1e-3 : 0,
      .q_init = 0,
      .max_states = 1000000,
  };
}

/* ---- creation ----------------------------------------------------------------------------- */

static int check_params(const char *kind, int k, const soma_tabular_params *p, char *err,
                        size_t len) {
#define BAD(...) return snprintf(err, len, __VA_ARGS__), -1
  if (!(p->alpha > 0 && p->alpha <= 1)) BAD("%s: alpha must be in (0, 1] (got %g)", kind, p->alpha);
  if (!(p->gamma >= 0 && p->gamma <= 1))
    BAD("%s: gamma must be in [0, 1] (got %g)", kind, p->gamma);
  if (!(p->epsilon >= 0 && p->epsilon <= 1))
    BAD("%s: epsilon must be in [0, 1] (got %g)", kind, p->epsilon);
  if (!isfinite(p->q_init)) BAD("%s: q_init must be a finite number (got %g)", kind, p->q_init);
  if (p->max_states < 1 || p->max_states > MAX_STATES)
    BAD("%s: max_states must be from 1 to %d (got %d)", kind, MAX_STATES, p->max_states);
  if (k == DYNAQ || k == DYNAQ_PLUS) {
    if (p->planning < 0 || p->planning > 1000000)
      BAD("%s: planning must be from 0 to 1000000 steps (got %d)", kind, p->planning);
  } else if (p->planning != 0) {
    BAD("%s: planning must be 0 (got %d); planning steps are for dynaq and dynaq_plus", kind,
        p->planning);
  }
  if (k == DYNAQ_PLUS) {
    if (!(p->kappa >= 0 && isfinite(p->kappa)))
      BAD("%s: kappa must be a finite number >= 0 (got %g)", kind, p->kappa);
  } else if (p->kappa != 0) {
    BAD("%s: kappa must be 0 (got %g); the exploration bonus is dynaq_plus's", kind, p->kappa);
  }
  return 0;
#undef BAD
}

soma_tabular *soma_tabular_create(const char *kind, int n_obs, int n_actions,
                                  const soma_tabular_params *p, uint64_t seed, char *err,
                                  size_t len) {
  int k = kind_of(kind);
  if (k < 0) {
    snprintf(err, len,
             "unknown baseline agent '%s'; kinds: random_walk, qlearning, dynaq, dynaq_plus",
             kind ? kind : "(null)");
    return NULL;
  }
  soma_tabular_params params = p ? *p : soma_tabular_defaults(kind);
  if (check_params(kind, k, &params, err, len)) return NULL;
  if (n_actions < 1 || n_actions > MAX_ACTIONS) {
    snprintf(err, len, "%s: the number of actions must be from 1 to %d (got %d)", kind, MAX_ACTIONS,
             n_actions);
    return NULL;
  }
  if (n_obs < 1 || n_obs > MAX_OBS) {
    snprintf(err, len, "%s: observations must have 1 to %d values (got %d)", kind, MAX_OBS, n_obs);
    return NULL;
  }
  soma_tabular *t = calloc(1, sizeof *t);
  if (t) {
    t->kind = k;
    t->n_obs = n_obs;
    t->n_actions = n_actions;
    t->p = params;
    t->seed = seed;
    soma_stream_init(&t->rng, (uint32_t)seed, soma_stream_id("agent", "tabular"),
                     (uint32_t)(seed >> 32), 0, 0);
    t->states = soma_state_table_create(n_obs, params.max_states);
    t->obs = malloc(sizeof *t->obs * (size_t)n_obs);
    t->ties = malloc(sizeof *t->ties * (size_t)n_actions);
  }
  if (!t || !t->states || !t->obs || !t->ties) {
    soma_tabular_destroy(t);
    snprintf(err, len, "%s: out of memory", kind);
    return NULL;
  }
  return t;
}

soma_tabular *soma_tabular_create_for(const char *kind, const soma_env *env,
                                      const soma_tabular_params *p, uint64_t seed, char *err,
                                      size_t len) {
  if (kind_of(kind) >= 0 && env->act_space.kind != SOMA_SPACE_DISCRETE) {
    snprintf(err, len, "%s needs a world with discrete actions; '%s' has continuous ones", kind,
             env->world->name);
    return NULL;
  }
  return soma_tabular_create(kind, env->obs_space.n, env->act_space.n, p, seed, err, len);
}

void soma_tabular_destroy(soma_tabular *t) {
  if (!t) return;
  soma_state_table_destroy(t->states);
  free(t->q);
  free(t->next);
  free(t->reward);
  free(t->terminal);
  free(t->last);
  free(t->taken);
  free(t->n_taken);
  free(t->seen);
  free(t->obs);
  free(t->ties);
  free(t);
}

const char *soma_tabular_errmsg(const soma_tabular *t) { return t ? t->err : "no agent"; }

/* ---- states ------------------------------------------------------------------------------- */

/* arrays for at least one more state (on failure, those already grown keep their contents) */
static int grow(soma_tabular *t) {
#define RESIZE(field, count)                                       \
  do {                                                             \
    void *grown = realloc(t->field, sizeof *t->field * (count));   \
    if (!grown) return -1;                                         \
    t->field = grown;                                              \
  } while (0)
  int cap = t->cap < 64 ? 64 : t->cap > t->p.max_states / 2 ? t->p.max_states : t->cap * 2;
  size_t pairs = (size_t)cap * (size_t)t->n_actions;
  RESIZE(q, pairs);
  if (has_model(t)) {
    RESIZE(next, pairs);
    RESIZE(reward, pairs);
    RESIZE(terminal, pairs);
    RESIZE(last, pairs);
    RESIZE(taken, pairs);
    RESIZE(n_taken, (size_t)cap);
    RESIZE(seen, (size_t)cap);
  }
  t->cap = cap;
  return 0;
#undef RESIZE
}

/* the state of obs, added (with fresh values and an empty model) when new; -1 when full */
static int state_of(soma_tabular *t, const double *obs) {
  int n = soma_state_table_count(t->states);
  if (n == t->cap && n < t->p.max_states && soma_state_table_find(t->states, obs) < 0 && grow(t))
    return fail(t, "%s: out of memory for %d states", kind_names[t->kind], n + 1);
  int added, s = soma_state_table_intern(t->states, obs, &added);
  if (s < 0) {
    if (n < t->p.max_states)
      return fail(t, "%s: out of memory for %d states", kind_names[t->kind], n + 1);
    return fail(t, "%s: more than %d states seen (max_states); tabular baselines need "
                "observations that are discrete in practice (a grid position, a one-hot), not "
                "continuous ones", kind_names[t->kind], t->p.max_states);
  }
  if (added) {
    size_t row = (size_t)s * (size_t)t->n_actions;
    for (int a = 0; a < t->n_actions; a++) t->q[row + (size_t)a] = t->p.q_init;
    if (has_model(t)) {
      for (int a = 0; a < t->n_actions; a++) t->next[row + (size_t)a] = -1;
      t->n_taken[s] = 0;
    }
  }
  return s;
}

static double max_q(const soma_tabular *t, int s) {
  const double *q = t->q + (size_t)s * (size_t)t->n_actions;
  double m = q[0];
  for (int a = 1; a < t->n_actions; a++)
    if (q[a] > m) m = q[a];
  return m;
}

/* ---- acting and learning ------------------------------------------------------------------ */

int soma_tabular_act(soma_tabular *t, const double *obs) {
  int s = state_of(t, obs);
  if (s < 0) return -1;
  if (t->kind == RANDOM_WALK || soma_stream_u01(&t->rng) < t->p.epsilon)
    return (int)soma_stream_below(&t->rng, (uint32_t)t->n_actions);
  /* greedy, ties broken uniformly: with equal initial values this matters a lot */
  const double *q = t->q + (size_t)s * (size_t)t->n_actions;
  double best = max_q(t, s);
  int n = 0;
  for (int a = 0; a < t->n_actions; a++)
    if (q[a] == best) t->ties[n++] = a;
  return n == 1 ? t->ties[0] : t->ties[soma_stream_below(&t->rng, (uint32_t)n)];
}

static void update(soma_tabular *t, int s, int a, double r, int s2, int terminal) {
  double *q = t->q + (size_t)s * (size_t)t->n_actions + (size_t)a;
  double target = terminal ? r : r + t->p.gamma * max_q(t, s2);
  *q += t->p.alpha * (target - *q);
}

static void remember(soma_tabular *t, int s, int a, double r, int s2, int terminal) {
  size_t i = (size_t)s * (size_t)t->n_actions + (size_t)a;
  if (t->next[i] < 0) {
    if (t->n_taken[s] == 0) t->seen[t->n_seen++] = s;
    t->taken[(size_t)s * (size_t)t->n_actions + (size_t)t->n_taken[s]++] = a;
  }
  t->next[i] = s2;
  t->reward[i] = r;
  t->terminal[i] = (uint8_t)(terminal != 0);
  t->last[i] = t->steps;
}

/* One planning update: a state some action was taken from, one of its actions (Dyna-Q: one
 * taken there; Dyna-Q+: any, those never taken modelled as staying put with reward 0), the
 * model's outcome (Dyna-Q+: plus kappa sqrt(real steps since last taken)). */
static void plan(soma_tabular *t) {
  int s = t->seen[soma_stream_below(&t->rng, (uint32_t)t->n_seen)];
  size_t row = (size_t)s * (size_t)t->n_actions;
  int a = t->kind == DYNAQ_PLUS
              ? (int)soma_stream_below(&t->rng, (uint32_t)t->n_actions)
              : t->taken[row + soma_stream_below(&t->rng, (uint32_t)t->n_taken[s])];
  size_t i = row + (size_t)a;
  int taken = t->next[i] >= 0;
  double r = taken ? t->reward[i] : 0;
  if (t->kind == DYNAQ_PLUS) r += t->p.kappa * sqrt((double)(t->steps - (taken ? t->last[i] : 0)));
  update(t, s, a, r, taken ? t->next[i] : s, taken && t->terminal[i]);
}

int soma_tabular_learn(soma_tabular *t, const double *obs, int action, double reward,
                       const double *next_obs, int terminal) {
  if (action < 0 || action >= t->n_actions)
    return fail(t, "%s: the action must be from 0 to %d (got %d)", kind_names[t->kind],
                t->n_actions - 1, action);
  if (!isfinite(reward))
    return fail(t, "%s: the reward must be a finite number (got %g)", kind_names[t->kind], reward);
  int s = state_of(t, obs);
  int s2 = s < 0 ? -1 : state_of(t, next_obs);
  if (s2 < 0) return -1;
  t->steps++;
  if (t->kind == RANDOM_WALK) return 0;
  update(t, s, action, reward, s2, terminal);
  if (!has_model(t)) return 0;
  remember(t, s, action, reward, s2, terminal);
  for (int k = 0; k < t->p.planning; k++) plan(t);
  return 0;
}

/* ---- episodes ----------------------------------------------------------------------------- */

int soma_tabular_episode(soma_tabular *t, soma_env *env, const soma_env_driver *d,
                              int64_t max_steps, soma_tabular_stats *out) {
  const char *kind = kind_names[t->kind];
  memset(out, 0, sizeof *out);
  if (env->act_space.kind != SOMA_SPACE_DISCRETE || env->act_space.n != t->n_actions ||
      env->obs_space.n != t->n_obs)
    return fail(t, "%s: world '%s' does not fit this agent (%d %s actions and observations of "
                "%d values; the agent was made for %d actions and %d values)", kind,
                env->world->name, env->act_space.n,
                env->act_space.kind == SOMA_SPACE_DISCRETE ? "discrete" : "continuous",
                env->obs_space.n, t->n_actions, t->n_obs);
  char err[512];
  if (soma_env_drive_reset(d, env, t->seed, err, sizeof err)) return fail(t, "%s", err);
  memcpy(t->obs, env->obs, sizeof *t->obs * (size_t)t->n_obs);
  for (;;) {
    int a = soma_tabular_act(t, t->obs);
    if (a < 0) return -1;
    soma_env_result r;
    double action = a;
    if (soma_env_drive_step(d, env, &action, 1, &r, err, sizeof err)) return fail(t, "%s", err);
    if (soma_tabular_learn(t, t->obs, a, r.reward, env->obs, r.terminated)) return -1;
    out->steps++;
    out->reward += r.reward;
    out->terminated = r.terminated;
    out->truncated = r.truncated || (!r.terminated && max_steps > 0 && out->steps >= max_steps);
    if (out->terminated || out->truncated) return 0;
    memcpy(t->obs, env->obs, sizeof *t->obs * (size_t)t->n_obs);
  }
}

/* ---- reading ------------------------------------------------------------------------------ */

int soma_tabular_q(const soma_tabular *t, const double *obs, double *q) {
  int s = soma_state_table_find(t->states, obs);
  for (int a = 0; a < t->n_actions; a++)
    q[a] = s < 0 ? t->p.q_init : t->q[(size_t)s * (size_t)t->n_actions + (size_t)a];
  return s >= 0;
}

double soma_tabular_value(const soma_tabular *t, const double *obs) {
  int s = soma_state_table_find(t->states, obs);
  return s < 0 ? t->p.q_init : max_q(t, s);
}

const char *soma_tabular_kind(const soma_tabular *t) { return kind_names[t->kind]; }
soma_tabular_params soma_tabular_params_of(const soma_tabular *t) { return t->p; }
int soma_tabular_n_obs(const soma_tabular *t) { return t->n_obs; }
int soma_tabular_n_actions(const soma_tabular *t) { return t->n_actions; }
int soma_tabular_states(const soma_tabular *t) { return soma_state_table_count(t->states); }
int64_t soma_tabular_steps(const soma_tabular *t) { return t->steps; }
