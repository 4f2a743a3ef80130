/* tabular.h — the NON-SPIKING baselines of the agents layer, reference points for the spiking
 * agents: a random walk, tabular Q-learning, Dyna-Q (n planning updates per real step from a
 * learned model) and Dyna-Q+ (an exploration bonus kappa sqrt(tau) in planning), after Sutton
 * & Barto (2018) §6.5, §8.2 and §8.3.
 *
 *   soma_tabular_params p = soma_tabular_defaults("dynaq");   p.planning = 50;
 *   soma_tabular *t = soma_tabular_create_for("dynaq", env, &p, seed, err, sizeof err);
 *   soma_tabular_stats s;
 *   soma_tabular_episode(t, env, 0, &s);                 s.steps, s.reward
 *   soma_tabular_destroy(t);
 *
 * They run on any world with discrete actions whose observations are discrete in practice
 * (grid positions, one-hots, the bandit's last pull): the state is the observation vector
 * itself, given an index the first time it is seen (agents/state_table.h), so no world-specific
 * code is needed. Tables grow with the states seen, up to max_states (a continuous observation
 * fills them: an error says so). The same seed gives the same choices: every random number
 * comes from the agent's own counter-based stream (sim/rng.h). */
#ifndef SOMA_TABULAR_H
#define SOMA_TABULAR_H

#include <stddef.h>
#include <stdint.h>

#include "envs/env.h"

typedef struct soma_tabular soma_tabular;

/* Kinds: "random_walk" (uniform actions, learns nothing), "qlearning" (one-step Q-learning),
 * "dynaq" (Q-learning + planning updates from a deterministic model: the last outcome of
 * each state-action pair), "dynaq_plus" (Dyna-Q whose planning also tries actions never taken
 * in a state, modelled as staying put with reward 0, and adds kappa sqrt(tau) to modelled
 * rewards, tau = real steps since the pair was last taken). */
typedef struct soma_tabular_params {
  double alpha;     /* step size, (0, 1] (default 0.1) */
  double gamma;     /* discount, [0, 1] (0.95) */
  double epsilon;   /* probability of a uniformly random action, [0, 1] (0.1); otherwise the
                       best action, ties broken at random */
  int planning;     /* planning updates per real step: dynaq and dynaq_plus (5); 0 for the others */
  double kappa;     /* dynaq_plus's bonus factor, >= 0 (1e-3); 0 for the others */
  double q_init;    /* initial action values, finite (0) */
  int max_states;   /* states the tables may hold, [1, 1e8] (1e6) */
} soma_tabular_params;

/* One episode: real steps taken, total reward, and how it ended (terminated inside the task;
 * truncated by the world's max_steps or the episode's own cap). */
typedef struct soma_tabular_stats {
  int64_t steps;
  double reward;
  int terminated, truncated;
} soma_tabular_stats;

/* The kinds, NULL-terminated, and each one's defaults (an unknown kind gets qlearning's). */
const char *const *soma_tabular_kinds(void);
soma_tabular_params soma_tabular_defaults(const char *kind);

/* An agent choosing among n_actions, seeing observations of n_obs values. NULL with a message
 * naming the kind and the parameter on an unknown kind or a value out of range
 * ("qlearning: epsilon must be in [0, 1] (got 2)"). p NULL: the kind's defaults. */
soma_tabular *soma_tabular_create(const char *kind, int n_obs, int n_actions,
                                  const soma_tabular_params *p, uint64_t seed, char *err,
                                  size_t len);
/* The same, sized for a world; refuses worlds whose actions are not discrete
 * ("qlearning needs a world with discrete actions; 'reach' has continuous ones"). */
soma_tabular *soma_tabular_create_for(const char *kind, const soma_env *env,
                                      const soma_tabular_params *p, uint64_t seed, char *err,
                                      size_t len);
void soma_tabular_destroy(soma_tabular *t);   /* NULL: no-op */

/* The message of the last failed call. */
const char *soma_tabular_errmsg(const soma_tabular *t);

/* An action for the observation obs (n_obs values), drawn epsilon-greedily (the random walk:
 * uniformly). The observation becomes a known state. -1 when the state tables are full. */
int soma_tabular_act(soma_tabular *t, const double *obs);

/* Learns from one real step: obs, action, reward, next_obs, and whether the episode ended
 * inside the task there (terminal: no value after it; a truncation is not terminal). Q-learning
 * updates Q(obs, action); Dyna-Q also stores the outcome in its model, then makes `planning`
 * updates on pairs drawn from those seen (a state seen, then an action taken there; for
 * Dyna-Q+ any action). The random walk only notes the states. Returns 0, or -1 (a bad action,
 * the state tables full) with the message on the handle and nothing learnt. */
int soma_tabular_learn(soma_tabular *t, const double *obs, int action, double reward,
                       const double *next_obs, int terminal);

/* Runs one episode on env: reset (the first reset of a world never reset before seeds it with
 * the agent's seed; later ones continue its random stream), then act, step and learn until
 * the world ends the episode or max_steps steps were taken (0: no cap of its own). The world's
 * spaces must match the agent's. The world moves directly (d = NULL) or through a driver (the
 * Lua layer's, so the environment's record and window see every step). Returns 0 with *out
 * filled, or -1 with the message on the handle (what was learnt before the failure stays). */
int soma_tabular_episode(soma_tabular *t, soma_env *env, const soma_env_driver *d,
                              int64_t max_steps, soma_tabular_stats *out);

/* The action values of obs into q (n_actions values); 1 when obs is a known state, 0 when not
 * (q then holds q_init). The value (max over actions) of obs. Neither adds a state. */
int soma_tabular_q(const soma_tabular *t, const double *obs, double *q);
double soma_tabular_value(const soma_tabular *t, const double *obs);

/* What the agent is: its kind, parameters, sizes, states seen and real steps learnt from. */
const char *soma_tabular_kind(const soma_tabular *t);
soma_tabular_params soma_tabular_params_of(const soma_tabular *t);
int soma_tabular_n_obs(const soma_tabular *t);
int soma_tabular_n_actions(const soma_tabular *t);
int soma_tabular_states(const soma_tabular *t);
int64_t soma_tabular_steps(const soma_tabular *t);

#endif
