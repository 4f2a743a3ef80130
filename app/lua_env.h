/* lua_env.h — environments from Lua (soma.env.<world>{...}), their per-step records and the
 * hooks `soma run` and the window use. */
#ifndef SOMA_LUA_ENV_H
#define SOMA_LUA_ENV_H

#include <lua.h>

#include "app/figure.h"
#include "envs/env.h"

/* Registers soma.env in the table at the top of the stack. */
void lenv_open(lua_State *L);
/* Writes each recording environment's behaviour.npy into dir (NULL: none), sets *json to the
 * environments' descriptions for meta.json (malloc'd, may be NULL) and frees them. Each says
 * in "clock" whose time its t_ms column is: the folder of the first network ("." unless
 * named), agents[k − 1] (the name of spiking agent k, its folder) for an agent's steps, null
 * when no network timed them, "mixed" when rows of several clocks were recorded. Returns 0,
 * or -1 with a message in err. */
int lenv_close_all(lua_State *L, const char *dir, const char *const *agents, int n_agents,
                   char **json, char *err, size_t errlen);
/* The same files and descriptions for the steps so far, leaving every environment open (the
 * run goes on): for soma.joint.fit of a run that has not ended. */
int lenv_write_records(lua_State *L, const char *dir, const char *const *agents, int n_agents,
                       char **json, char *err, size_t errlen);
/* The next row the environment behind d records (a step or reset through d) is timed by
 * spiking agent number `agent` (1, 2, ... in creation order) at t_ms of its own network. A
 * driver that is not an environment's is left alone. */
void lenv_driver_clock(const soma_env_driver *d, int agent, double t_ms);
/* The environment at idx for an agent written in C, with a driver that resets and steps it as
 * env:reset() and env:step() do (its record, snapshots, the window), or a Lua error naming
 * call. */
soma_env *lenv_driver(lua_State *L, int idx, const char *call, soma_env_driver *d);
/* Draws the first environment into a rectangle of fig; 0 when there is none (or no episode
 * has started). */
int lenv_draw_first(lua_State *L, figure *fig, int x, int y, int w, int h);
/* The first network's time (ms) when the first environment's current episode began (NaN when
 * unknown), and the number of episodes all environments have started. */
double lenv_episode_start(lua_State *L);
long long lenv_episodes(lua_State *L);

#endif
