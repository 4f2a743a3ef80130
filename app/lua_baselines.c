/* lua_baselines.c — the NON-SPIKING baseline agents from Lua (agents/tabular.h), reference
 * points for the spiking agents in the same soma.agent table:
 *
 *   local agent = soma.agent.dynaq{ env = env, planning = 5, alpha = 0.1, seed = 1 }
 *   local ep = agent:episode{ max_steps = 2000 }     -- ep.steps, ep.reward, ...
 *   local a = agent:act(obs); agent:learn(obs, a, r, next_obs, terminated)
 *   agent.states, agent:value(obs), agent:q(obs), agent.kind
 *
 * Episodes step the environment through its driver (app/lua_env.c), so its record
 * (behaviour.npy), its snapshots and the window see every step, exactly as when a script
 * drives the world itself. */
#include "app/lua_baselines.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agents/tabular.h"
#include "app/lua_agent.h"
#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_env.h"
#include "app/lua_soma.h"

#define LSOMA_BASELINE "soma.baseline_agent"


typedef struct lagent {
  soma_tabular *t;          /* NULL once closed */
  int64_t episodes;         /* agent:episode calls that finished */
  uint64_t seed;
} lagent;

static lagent *agent_check(lua_State *L, int idx, const char *call) {
  lagent *a = lagent_check(L, idx, LSOMA_BASELINE, call, "a baseline agent", "soma.agent.qlearning{...}");
  if (!a->t) la_error(L, call, "attempt to use a closed agent");
  return a;
}

/* An observation argument: a list of numbers as long as the agent's world gives. */
static const double *obs_arg(lua_State *L, int idx, const soma_tabular *t, const char *call,
                             const char *what) {
  size_t n;
  const double *v = la_doubles(L, idx, call, what, &n);
  if (n != (size_t)soma_tabular_n_obs(t))
    la_error(L, call, "%s has %zu values; this agent's world gives %d", what, n,
             soma_tabular_n_obs(t));
  return v;
}

/* ---- creation ----------------------------------------------------------------------------- */

static const char *const known_random_walk[] = {"env", "seed", "max_states", NULL};
static const char *const known_qlearning[] = {"env",     "seed",   "max_states", "alpha",
                                              "gamma",   "epsilon", "q_init",    NULL};
static const char *const known_dynaq[] = {"env",     "seed",   "max_states", "alpha",    "gamma",
                                          "epsilon", "q_init", "planning",   NULL};
static const char *const known_dynaq_plus[] = {"env",    "seed",     "max_states", "alpha",
                                               "gamma",  "epsilon",  "q_init",     "planning",
                                               "kappa",  NULL};

static const struct {
  const char *kind;
  const char *const *known;
} constructors[] = {{"random_walk", known_random_walk},
                    {"qlearning", known_qlearning},
                    {"dynaq", known_dynaq},
                    {"dynaq_plus", known_dynaq_plus}};

/* soma.agent.<kind>{env = env, ...}; upvalue 1: the index in constructors */
static int l_create(lua_State *L) {
  int which = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *kind = constructors[which].kind;
  char call[64];
  snprintf(call, sizeof call, "soma.agent.%s", kind);
  la_table(L, 1, call,
           "a table of options, e.g. {env = soma.env.grid{map = \"maps/dyna_maze.txt\"}}");
  la_known_keys(L, 1, call, constructors[which].known, NULL, NULL);
  lua_settop(L, 1);
  if (lua_getfield(L, 1, "env") == LUA_TNIL)
    la_error(L, call, "give the world as env = soma.env.<world>{...}");
  soma_env_driver unused;
  soma_env *e = lenv_driver(L, 2, call, &unused);

  soma_tabular_params p = soma_tabular_defaults(kind);
  p.alpha = la_num(L, 1, call, "alpha", p.alpha, -HUGE_VAL, HUGE_VAL);
  p.gamma = la_num(L, 1, call, "gamma", p.gamma, -HUGE_VAL, HUGE_VAL);
  p.epsilon = la_num(L, 1, call, "epsilon", p.epsilon, -HUGE_VAL, HUGE_VAL);
  p.q_init = la_num(L, 1, call, "q_init", p.q_init, -HUGE_VAL, HUGE_VAL);
  p.kappa = la_num(L, 1, call, "kappa", p.kappa, -HUGE_VAL, HUGE_VAL);
  p.planning = (int)la_int(L, 1, call, "planning", p.planning, INT32_MIN, INT32_MAX);
  p.max_states = (int)la_int(L, 1, call, "max_states", p.max_states, INT32_MIN, INT32_MAX);
  lsoma_run *run = lsoma_run_of(L);
  uint64_t seed = (uint64_t)la_int(L, 1, call, "seed", run ? run->seed : 1, 0, INT64_MAX);

  lagent *a = lua_newuserdatauv(L, sizeof *a, 1);
  memset(a, 0, sizeof *a);
  luaL_setmetatable(L, LSOMA_BASELINE);
  char err[512];
  if (!(a->t = soma_tabular_create_for(kind, e, &p, seed, err, sizeof err))) {
    size_t k = strlen(kind);   /* the call already names the kind */
    const char *msg = !strncmp(err, kind, k) && !strncmp(err + k, ": ", 2) ? err + k + 2 : err;
    la_error(L, call, "%s", msg);
  }
  a->seed = seed;
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, -2, 1);   /* the agent keeps its world alive */
  return 1;
}

/* ---- episodes ----------------------------------------------------------------------------- */

/* agent:episode{max_steps = N, record = false} -> {steps, reward, terminated, truncated,
 * episode [, actions, rewards]} */
static int a_episode(lua_State *L) {
  const char *call = "agent:episode";
  lagent *a = agent_check(L, 1, call);
  int64_t max_steps;
  lagent_trace tr;
  soma_env *e = lagent_episode_args(L, call, &max_steps, &tr);
  soma_tabular_stats s;
  if (soma_tabular_episode(a->t, e, &tr.drive, max_steps, &s))
    la_error(L, call, "%s", soma_tabular_errmsg(a->t));
  a->episodes++;
  lagent_push_result(L, &tr, s.steps, s.reward, s.terminated, s.truncated, a->episodes);
  return 1;
}

/* ---- one step at a time ------------------------------------------------------------------- */

/* agent:act(obs) -> an action index (0-based, as env:step takes it) */
static int a_act(lua_State *L) {
  const char *call = "agent:act";
  lagent *a = agent_check(L, 1, call);
  int action = soma_tabular_act(a->t, obs_arg(L, 2, a->t, call, "the observation"));
  if (action < 0) la_error(L, call, "%s", soma_tabular_errmsg(a->t));
  lua_pushinteger(L, action);
  return 1;
}

/* agent:learn(obs, action, reward, next_obs, terminated) */
static int a_learn(lua_State *L) {
  const char *call = "agent:learn";
  lagent *a = agent_check(L, 1, call);
  const double *obs = obs_arg(L, 2, a->t, call, "the observation");
  int action = (int)la_arg_int(L, 3, call, "the action", 0, soma_tabular_n_actions(a->t) - 1);
  double reward = la_arg_num(L, 4, call, "the reward", -HUGE_VAL, HUGE_VAL);
  const double *next = obs_arg(L, 5, a->t, call, "the next observation");
  if (!lua_isnoneornil(L, 6) && !lua_isboolean(L, 6))
    la_error(L, call, "terminated (argument 5) must be true or false, got %s", la_typename(L, 6));
  if (soma_tabular_learn(a->t, obs, action, reward, next, lua_toboolean(L, 6)))
    la_error(L, call, "%s", soma_tabular_errmsg(a->t));
  return 0;
}

/* agent:value(obs) -> max over actions of Q(obs, a) (q_init for a state never seen) */
static int a_value(lua_State *L) {
  const char *call = "agent:value";
  lagent *a = agent_check(L, 1, call);
  lua_pushnumber(L, soma_tabular_value(a->t, obs_arg(L, 2, a->t, call, "the observation")));
  return 1;
}

/* agent:q(obs) -> {Q(obs, 0), Q(obs, 1), ...} (a Lua list: action a at index a + 1) */
static int a_q(lua_State *L) {
  const char *call = "agent:q";
  lagent *a = agent_check(L, 1, call);
  const double *obs = obs_arg(L, 2, a->t, call, "the observation");
  int n = soma_tabular_n_actions(a->t);
  double *q = lua_newuserdatauv(L, sizeof *q * (size_t)n, 0);
  soma_tabular_q(a->t, obs, q);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushnumber(L, q[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* ---- fields, printing, closing ------------------------------------------------------------ */

static int a_index(lua_State *L) {
  const char *key = lua_tostring(L, 2);
  if (key && luaL_getmetafield(L, 1, key) != LUA_TNIL) {
    if (lua_iscfunction(L, -1)) return 1;
    lua_pop(L, 1);
  }
  lagent *a = agent_check(L, 1, "agent");
  const soma_tabular *t = a->t;
  soma_tabular_params p = soma_tabular_params_of(t);
  if (!key) return 0;
  if (!strcmp(key, "kind")) lua_pushstring(L, soma_tabular_kind(t));
  else if (!strcmp(key, "spiking")) lua_pushboolean(L, 0);
  else if (!strcmp(key, "states")) lua_pushinteger(L, soma_tabular_states(t));
  else if (!strcmp(key, "steps")) lua_pushinteger(L, soma_tabular_steps(t));
  else if (!strcmp(key, "episodes")) lua_pushinteger(L, a->episodes);
  else if (!strcmp(key, "actions")) lua_pushinteger(L, soma_tabular_n_actions(t));
  else if (!strcmp(key, "seed")) lua_pushinteger(L, (lua_Integer)a->seed);
  else if (!strcmp(key, "alpha")) lua_pushnumber(L, p.alpha);
  else if (!strcmp(key, "gamma")) lua_pushnumber(L, p.gamma);
  else if (!strcmp(key, "epsilon")) lua_pushnumber(L, p.epsilon);
  else if (!strcmp(key, "planning")) lua_pushinteger(L, p.planning);
  else if (!strcmp(key, "kappa")) lua_pushnumber(L, p.kappa);
  else if (!strcmp(key, "q_init")) lua_pushnumber(L, p.q_init);
  else if (!strcmp(key, "max_states")) lua_pushinteger(L, p.max_states);
  else if (!strcmp(key, "env")) lua_getiuservalue(L, 1, 1);
  else
    return la_error(L, "agent", "baseline agents have no field '%s' (fields: kind, spiking, "
                    "states, steps, episodes, actions, seed, alpha, gamma, epsilon, planning, "
                    "kappa, q_init, max_states, env; methods: episode, act, learn, value, q)", key);
  return 1;
}

static int a_tostring(lua_State *L) {
  lagent *a = luaL_checkudata(L, 1, LSOMA_BASELINE);
  if (a->t) lua_pushfstring(L, "soma baseline agent '%s' (non-spiking)", soma_tabular_kind(a->t));
  else lua_pushstring(L, "soma baseline agent (non-spiking, closed)");
  return 1;
}

static int a_gc(lua_State *L) {
  lagent *a = luaL_checkudata(L, 1, LSOMA_BASELINE);
  soma_tabular_destroy(a->t);
  a->t = NULL;
  return 0;
}

void lbaselines_open(lua_State *L) {
  static const luaL_Reg methods[] = {
      {"episode", a_episode}, {"act", a_act},         {"learn", a_learn},   {"value", a_value},
      {"q", a_q},             {"__index", a_index},   {"__gc", a_gc},       {"__close", a_gc},
      {"__tostring", a_tostring}, {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_BASELINE);
  luaL_setfuncs(L, methods, 0);
  lua_pop(L, 1);
  for (int i = 0; i < (int)(sizeof constructors / sizeof *constructors); i++) {
    lua_pushinteger(L, i);
    lua_pushcclosure(L, l_create, 1);
    lua_setfield(L, -2, constructors[i].kind);
  }
}
