/* lua_agent.h — what the agents' bindings share (app/lua_actor_critic.c, lua_baselines.c):
 * agent:episode's options, the record of an episode, and its result. */
#ifndef SOMA_LUA_AGENT_H
#define SOMA_LUA_AGENT_H

#include <lua.h>
#include <stdint.h>

#include "envs/env.h"

#define LAGENT_MAX_LATENTS 8

/* An episode's record: the environment's driver wrapped so that, with record = true, every
 * step appends the action, the reward and the latents asked for to Lua lists (stack slots 4,
 * 5, 6, ...), and, for a spiking agent, every step and reset the environment records is timed
 * by the agent's own network (lenv_driver_clock). */
typedef struct lagent_trace {
  soma_env_driver drive;    /* what the agent steps the world through */
  soma_env_driver env;      /* the environment's own driver */
  lua_State *L;
  int record;
  int n_latents, latent[LAGENT_MAX_LATENTS];
  const char *latent_name[LAGENT_MAX_LATENTS];
  int next_slot;            /* the first free stack slot after the record's lists */
  lua_Integer n;
  int clock;                /* a spiking agent's number (its steps are timed on its own
                               network's clock, read from agent.t), or 0 */
} lagent_trace;

/* The agent userdata at idx of metatable mt, or a Lua error naming call and how such an agent
 * is made ("soma.agent.qlearning{...}"). */
void *lagent_check(lua_State *L, int idx, const char *mt, const char *call, const char *what,
                   const char *made_by);

/* agent:episode{max_steps = N, record = false, latents = {"node", ...}} with the agent at 1 and
 * its world as user value 1: checks the options at 2, pushes the world (at 3) and the record's
 * lists, and returns the world. max_steps defaults to the world's own limit, else 10^6. */
soma_env *lagent_episode_args(lua_State *L, const char *call, int64_t *max_steps,
                              lagent_trace *tr);
/* Pushes the episode's result {steps, reward, terminated, truncated, episode} with, when
 * recording, the lists actions, rewards and one per latent asked for. */
void lagent_push_result(lua_State *L, const lagent_trace *tr, int64_t steps, double reward,
                        int terminated, int truncated, int64_t episode);

#endif
