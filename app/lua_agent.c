/* lua_agent.c — what the agents' bindings share: agent:episode's options and its result. */
#include "app/lua_agent.h"

#include <lauxlib.h>

#include "app/lua_args.h"
#include "app/lua_env.h"

/* an episode's cap when neither the call nor the world gives one */
#define DEFAULT_MAX_STEPS 1000000

soma_env *lagent_episode_args(lua_State *L, const char *call, int64_t *max_steps, int *record,
                              soma_env_driver *d, int n_lists) {
  static const char *const known[] = {"max_steps", "record", NULL};
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_newtable(L);
  }
  la_table(L, 2, call, "a table of options, e.g. agent:episode{max_steps = 1000}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  *max_steps = la_int(L, 2, call, "max_steps", 0, 0, INT64_MAX);
  *record = la_bool(L, 2, call, "record", 0);
  lua_settop(L, 2);
  lua_getiuservalue(L, 1, 1);   /* 3: the environment */
  soma_env *e = lenv_driver(L, 3, call, d);
  if (*max_steps == 0 && e->max_steps == 0) *max_steps = DEFAULT_MAX_STEPS;
  for (int k = 0; k < n_lists; k++) lua_newtable(L);
  return e;
}

void lagent_push_result(lua_State *L, int64_t steps, double reward, int terminated, int truncated,
                        int64_t episode, int record, const char *const *lists, int n_lists) {
  lua_createtable(L, 0, 5 + n_lists);
  lua_pushinteger(L, steps);
  lua_setfield(L, -2, "steps");
  lua_pushnumber(L, reward);
  lua_setfield(L, -2, "reward");
  lua_pushboolean(L, terminated);
  lua_setfield(L, -2, "terminated");
  lua_pushboolean(L, truncated);
  lua_setfield(L, -2, "truncated");
  lua_pushinteger(L, episode);
  lua_setfield(L, -2, "episode");
  for (int k = 0; record && k < n_lists; k++) {
    lua_pushvalue(L, 4 + k);
    lua_setfield(L, -2, lists[k]);
  }
}
