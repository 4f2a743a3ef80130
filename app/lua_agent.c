/* lua_agent.c — what the agents' bindings share: agent:episode's options, the record of an
 * episode (actions, rewards, chosen latents per step) and its result. */
#include "app/lua_agent.h"

#include <lauxlib.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_env.h"

/* an episode's cap when neither the call nor the world gives one */
#define DEFAULT_MAX_STEPS 1000000

void *lagent_check(lua_State *L, int idx, const char *mt, const char *call, const char *what,
                   const char *made_by) {
  void *a = luaL_testudata(L, idx, mt);
  if (!a)
    la_error(L, call, "expected %s (made by %s), got %s%s", what, made_by, la_typename(L, idx),
             idx == 1 ? "; call methods with a colon: agent:episode{}" : "");
  return a;
}

/* every spiking agent, in creation order (app/lua_actor_critic.c keeps them there) */
static const char *const AGENTS_KEY = "soma.agents";

/* the number of the spiking agent at idx (1, 2, ...), or 0 for another kind of agent */
static int spiking_number(lua_State *L, int idx) {
  int number = 0;
  lua_getfield(L, LUA_REGISTRYINDEX, AGENTS_KEY);
  for (lua_Integer k = 1; lua_istable(L, -1) && k <= (lua_Integer)lua_rawlen(L, -1) && !number;
       k++) {
    lua_rawgeti(L, -1, k);
    if (lua_rawequal(L, -1, idx)) number = (int)k;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return number;
}

/* the next row the environment records is timed by the agent's network: agent.t now */
static void clock_in(lagent_trace *tr) {
  if (!tr->clock) return;
  lua_getfield(tr->L, 1, "t");
  double t = lua_tonumber(tr->L, -1);
  lua_pop(tr->L, 1);
  lenv_driver_clock(&tr->env, tr->clock, t);
}

static int trace_reset(void *ctx, soma_env *e, uint64_t seed, char *err, size_t len) {
  lagent_trace *tr = ctx;
  clock_in(tr);
  return tr->env.reset(tr->env.ctx, e, seed, err, len);
}

static int trace_step(void *ctx, soma_env *e, const double *a, int n, soma_env_result *r,
                      char *err, size_t len) {
  lagent_trace *tr = ctx;
  clock_in(tr);
  if (tr->env.step(tr->env.ctx, e, a, n, r, err, len)) return 1;
  if (!tr->record) return 0;
  lua_State *L = tr->L;
  tr->n++;
  if (e->act_space.kind == SOMA_SPACE_DISCRETE) {
    lua_pushinteger(L, (lua_Integer)a[0]);
  } else {
    lua_createtable(L, n, 0);
    for (int k = 0; k < n; k++) {
      lua_pushnumber(L, a[k]);
      lua_rawseti(L, -2, k + 1);
    }
  }
  lua_rawseti(L, 4, tr->n);
  lua_pushnumber(L, r->reward);
  lua_rawseti(L, 5, tr->n);
  for (int k = 0; k < tr->n_latents; k++) {
    lua_pushnumber(L, e->latent[tr->latent[k]]);
    lua_rawseti(L, 6 + k, tr->n);
  }
  return 0;
}

soma_env *lagent_episode_args(lua_State *L, const char *call, int64_t *max_steps,
                              lagent_trace *tr) {
  static const char *const known[] = {"max_steps", "record", "latents", NULL};
  memset(tr, 0, sizeof *tr);
  tr->L = L;
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_newtable(L);
  }
  la_table(L, 2, call, "a table of options, e.g. agent:episode{max_steps = 1000}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  *max_steps = la_int(L, 2, call, "max_steps", 0, 0, INT64_MAX);
  tr->record = la_bool(L, 2, call, "record", 0);
  lua_settop(L, 2);
  lua_getiuservalue(L, 1, 1);   /* 3: the environment */
  soma_env *e = lenv_driver(L, 3, call, &tr->env);
  if (*max_steps == 0 && e->max_steps == 0) *max_steps = DEFAULT_MAX_STEPS;
  lua_getfield(L, 2, "latents");
  if (!lua_isnil(L, -1)) {
    if (!lua_istable(L, -1))
      la_error(L, call, "latents must be a list of names, e.g. {\"node\"} (got %s)", la_typename(L, -1));
    int n = (int)lua_rawlen(L, -1);
    if (n > LAGENT_MAX_LATENTS) la_error(L, call, "at most %d latents (got %d)", LAGENT_MAX_LATENTS, n);
    for (int k = 0; k < n; k++) {
      lua_rawgeti(L, -1, k + 1);
      const char *name = lua_tostring(L, -1);
      int i = name ? soma_env_latent_index(e, name) : -1;
      if (i < 0)
        la_error(L, call, "world '%s' has no latent '%s'", e->world->name, name ? name : "(not a string)");
      tr->latent[k] = i;
      tr->latent_name[k] = e->world->latents[i];
      lua_pop(L, 1);
    }
    tr->n_latents = n;
    if (n) tr->record = 1;
  }
  lua_settop(L, 3);
  for (int k = 0; k < 2 + tr->n_latents; k++) lua_newtable(L);   /* 4, 5, 6...: the record */
  tr->next_slot = 6 + tr->n_latents;
  tr->clock = spiking_number(L, 1);
  tr->drive = tr->record || tr->clock ? (soma_env_driver){trace_reset, trace_step, tr} : tr->env;
  return e;
}

void lagent_push_result(lua_State *L, const lagent_trace *tr, int64_t steps, double reward,
                        int terminated, int truncated, int64_t episode) {
  lua_createtable(L, 0, 7 + tr->n_latents);
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
  if (!tr->record) return;
  lua_pushvalue(L, 4);
  lua_setfield(L, -2, "actions");
  lua_pushvalue(L, 5);
  lua_setfield(L, -2, "rewards");
  for (int k = 0; k < tr->n_latents; k++) {
    lua_pushvalue(L, 6 + k);
    lua_setfield(L, -2, tr->latent_name[k]);
  }
}
