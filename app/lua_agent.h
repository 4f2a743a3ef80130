/* lua_agent.h — what the agents' bindings share (app/lua_actor_critic.c, lua_baselines.c):
 * reading agent:episode's options and building its result. */
#ifndef SOMA_LUA_AGENT_H
#define SOMA_LUA_AGENT_H

#include <lua.h>
#include <stdint.h>

#include "envs/env.h"

/* agent:episode{max_steps = N, record = false} with the agent at 1 and its world as user value
 * 1: checks the options at 2, pushes the world (at 3) and returns it with its driver. max_steps
 * defaults to the world's own limit, else 10^6. Then pushes n_lists empty tables (4, 5, ...)
 * for the record. */
soma_env *lagent_episode_args(lua_State *L, const char *call, int64_t *max_steps, int *record,
                              soma_env_driver *d, int n_lists);
/* Pushes the episode's result {steps, reward, terminated, truncated, episode}, with the lists
 * at 4, 5, ... under their names when recording. */
void lagent_push_result(lua_State *L, int64_t steps, double reward, int terminated, int truncated,
                        int64_t episode, int record, const char *const *lists, int n_lists);

#endif
