/* actor_critic.h — a closed-loop spiking actor-critic (after Frémaux, Sprekeler & Gerstner
 * 2013, with discrete decisions): an encoder turns what the agent observes into the rates of a
 * Poisson input population; a critic population's rate is the value, whose continuous-time TD
 * error (soma_rpe) and the rewards drive a dopamine signal; one actor population per action,
 * inhibiting each other, competes for a decision window and the most active wins (soma_wta,
 * with softmax or epsilon exploration). Input-to-actor and input-to-critic synapses learn with
 * the three-factor TD-LTP rule read from that dopamine, so the agent's values and policy live
 * in synaptic weights changed by the engine's plasticity.
 *
 *   soma_ac *ac = soma_ac_create(&p, enc, n_actions, err, sizeof err);   (enc: taken over)
 *   soma_ac_episode(ac, env, NULL, max_steps, &stats, NULL, NULL, err, sizeof err);
 *
 * Each environment step is one decision window of step_ms of network time: the input rates
 * are set from the observation (or chosen latents), the network runs, the actor populations'
 * spikes are counted, an action is drawn, the world steps and its reward is added to the
 * dopamine. After the last step the input goes silent for tail_ms + gap_ms, so the last reward
 * reaches the eligibility of the decision that earned it and no later one. */
#ifndef SOMA_AGENTS_ACTOR_CRITIC_H
#define SOMA_AGENTS_ACTOR_CRITIC_H

#include <stddef.h>
#include <stdint.h>

#include "agents/encode.h"
#include "agents/readout.h"
#include "agents/replay.h"
#include "envs/env.h"
#include "sim/soma.h"

typedef struct soma_ac_params {
  double dt;              /* ms (default 1) */
  int threads;            /* default 1 */
  uint64_t seed;          /* network and readout seed (default 1) */
  int group;              /* actor neurons per action (default 20) */
  int n_critic;           /* critic neurons (default 50) */
  double w_actor, w_critic;   /* initial input weights, pA (defaults 30, 30) */
  double w_max;           /* upper bound of the learned weights, pA (default 200) */
  double w_inh;           /* inhibition between actor populations, pA, <= 0 (default -150) */
  double noise_hz;        /* background Poisson drive of actor and critic neurons, Hz (default 5000) */
  double noise_w;         /* its weight, pA (default 30): the neurons sit near threshold */
  double critic_noise_hz, critic_noise_w;   /* the critic's own background (defaults 5000, 30) */
  double step_ms;         /* decision window (default 100) */
  double tail_ms;         /* input silent after the last step, for its reward to act (default 300) */
  double gap_ms;          /* input off between episodes (default 200) */
  double lr_actor, lr_critic;   /* TD-LTP learning rates, 1/ms (defaults 0.01, 0.01) */
  double a_plus;          /* TD-LTP pair amplitude, pA (default 1) */
  double tau_e;           /* eligibility time constant, ms (default 500) */
  double learn_every;     /* ms between the weight updates of TD-LTP (default 5: with 1 the
                             Dyna maze settles a little nearer its optimum, 4x slower) */
  double tau_dopamine;    /* ms (default 200) */
  double reward_scale;    /* dopamine per unit of reward (default 1) */
  double value_scale;     /* V = value_scale * critic rate (per Hz; default 0.002) */
  double tau_r;           /* reward discount time of the TD error, ms (default 1000) */
  double temperature;     /* softmax over spike counts (default 0: greedy; the noise explores) */
  double epsilon;         /* random actions (default 0) */
  const char *input;      /* "obs" (default) or latent names separated by commas ("x,y", "node") */
  double step_reward;     /* dopamine added at every step: a cost (< 0) that weakens useless
                             actions (default 0) */
  /* reverse replay (sleep) after an episode that ended with a reward: its states are
     re-injected from the reward backwards, time-compressed, each with the action taken there
     driven in its actor population and dopamine reward * replay_gain * replay_gamma^k */
  int replay;             /* 1: on (default 0) */
  int replay_capacity;    /* transitions kept (default 5000) */
  double replay_ms;       /* per replayed state (default 30) */
  double replay_drive;    /* pA into the replayed action's population (default 500) */
  double replay_gamma;    /* credit per step back from the reward (default 0.9) */
  double replay_gain;     /* dopamine per unit of reward in replay (default 1) */
  double replay_tau_e;    /* eligibility time constant during replay, ms (default 20) */
  /* discrete-time TD (td_discrete = 1): instead of the critic's continuous TD error and the
     rewards acting on the eligibility as the agent moves, each transition (s, a, r, s') is
     learnt right after the step by re-presenting it (the agent's synapses are frozen while it
     moves):
       1. s', then s, are shown for value_ms each (weights unchanged): the critic's mean rates
          give V(s') and V(s) = plan_scale * rate (V(s') = 0 after a terminal step);
       2. s is shown for replay_ms with action a driven into its population; meanwhile the
          critic's synapses move its rate towards the TD target (r + step_reward + gamma V(s'))
          / plan_scale by the delta rule (pred_error, lr_value), and input->actor pairs become
          eligible (tau_e = replay_tau_e);
       3. the input goes silent and the dopamine receives plan_gain * w * delta, delta =
          r + step_reward + gamma V(s') - V(s), for 3 * replay_tau_e ms, after which what is left
          of it is taken back, so it credits no other transition.
     `plan` stored transitions more are learnt the same way after every step (Dyna's planning
     by replay), drawn by priority |delta| (prioritized = 1, Schaul et al. 2016, importance
     weight w with exponent plan_beta) or uniformly (w = 1); each is logged as a replay event.
     Settings that work in the grid mazes: critic_noise_hz 4000, w_critic 25, step_reward
     -0.03, place-cell rates up to 300 Hz (scripts/dyna_maze.lua). */
  int td_discrete;        /* 0 (default): continuous TD; 1: discrete, as above */
  int plan;               /* replays per real step (default 0); needs td_discrete */
  int prioritized;        /* 1 (default): by priority; 0: uniform */
  double plan_beta;       /* importance-sampling exponent (default 0.5) */
  double gamma;           /* discount of the discrete TD error (default 0.95) */
  double plan_scale;      /* value per Hz of the critic's mean rate (default 0.02: V = 1 at 50 Hz) */
  double plan_gain;       /* dopamine per unit of TD error (default 10) */
  double value_ms;        /* presentation from which the critic's rate is read, ms (default 30) */
  double lr_value;        /* the critic's delta rule (pred_error), w/(Hz ms) (default 0.0005) */
} soma_ac_params;

soma_ac_params soma_ac_defaults(void);

typedef struct soma_ac soma_ac;

/* What one step did, for recordings (soma_ac_episode's callback). */
typedef struct soma_ac_step {
  int64_t step;
  int action;
  double reward;
  double value, dopamine;   /* the critic's V and the dopamine level at the decision */
  const double *counts;     /* actor spikes per action in the window */
  double t_ms;              /* network time at the decision */
} soma_ac_step;

typedef struct soma_ac_stats {
  int64_t steps;
  double reward;
  int terminated, truncated;
  int replayed;             /* states replayed after the episode */
  int planned;              /* transitions learnt by replay during the episode (td_discrete) */
  double td_abs;            /* mean |TD error| of the discrete updates (td_discrete) */
} soma_ac_stats;

typedef void (*soma_ac_step_fn)(void *user, const soma_ac_step *s, const soma_env *env);

/* Builds the agent's network for an encoder (taken over, freed with the agent) and n_actions
 * discrete actions. NULL with a message on bad parameters. */
soma_ac *soma_ac_create(const soma_ac_params *p, soma_encoder *enc, int n_actions, char *err,
                        size_t len);
void soma_ac_destroy(soma_ac *ac);

/* Runs one episode in env, moved directly (d = NULL: a world never reset is seeded with the
 * agent's seed, later episodes continue its stream) or through a driver (the Lua layer's).
 * max_steps caps it (0: the world's own limit). Returns SOMA_OK, or an error with a message (a
 * world with continuous actions or another number of actions, an input that does not fit the
 * encoder, an engine error). */
int soma_ac_episode(soma_ac *ac, soma_env *env, const soma_env_driver *d, int64_t max_steps,
                    soma_ac_stats *out, soma_ac_step_fn on_step, void *user, char *err,
                    size_t len);

/* Its network (to record from, to read weights), and its parts by name: the input population
 * "input", the critic "critic", actors "actor0", "actor1", ..., the modulator "dopamine". */
soma_net *soma_ac_net(soma_ac *ac);
int soma_ac_n_actions(const soma_ac *ac);
/* Learning on (1) or off (0) for every plastic projection (evaluation without learning). */
int soma_ac_learning(soma_ac *ac, int on);
/* Exploration between episodes. */
int soma_ac_set_exploration(soma_ac *ac, double temperature, double epsilon);
/* Records the spikes (in memory) of "input", "critic" or "actors" (every actor population).
 * SOMA_OK, or SOMA_ERR_PARAM for another name (message in the network's errmsg). */
int soma_ac_record_spikes(soma_ac *ac, const char *which);

/* The critic's value of an input (what the encoder reads: n values), as discrete TD reads it:
 * the input presented for value_ms with learning frozen, V = plan_scale * the critic's mean
 * rate. The network's time advances. SOMA_OK, or SOMA_ERR_PARAM with a message. */
int soma_ac_value(soma_ac *ac, const double *in, int n, double *value, char *err, size_t len);

/* Samples the dopamine every every_ms of network time from then on (0: off, the default):
 * every run of the agent's network is cut into pieces of every_ms (the spikes do not change).
 * soma_ac_dopamine_trace gives the samples since the last episode began: n pairs of network
 * time (ms, at the end of each piece) and the dopamine's value then; valid until the next
 * episode. SOMA_ERR_PARAM for a negative or non-finite every_ms. */
int soma_ac_trace_dopamine(soma_ac *ac, double every_ms);
size_t soma_ac_dopamine_trace(const soma_ac *ac, const double **t_ms, const double **value);

/* The replay buffer (NULL without replay): its stored transitions and its log of replay events
 * (agents/replay.h). */
struct soma_replay *soma_ac_replay(soma_ac *ac);

#endif
