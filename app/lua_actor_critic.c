/* lua_actor_critic.c — the spiking actor-critic from Lua (agents/actor_critic.h), in the
 * soma.agent table beside the non-spiking baselines:
 *
 *   local agent = soma.agent.actor_critic{ env = env, input = "x,y",
 *                   encoder = { kind = "place", nx = 9, ny = 6, x_hi = 8, y_hi = 5, sigma = 0.7 } }
 *   local ep = agent:episode{ max_steps = 200, record = true }   -- ep.steps, ep.reward, ep.actions, ...
 *
 * Its encoder is described by a table (`kind` and that encoder's parameters); its episodes step
 * the environment through its driver (app/lua_env.c), so the environment's record, snapshots
 * and window see every step. */
#include "app/lua_actor_critic.h"

#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>

#include "agents/actor_critic.h"
#include "app/lua_agent.h"
#include "app/lua_args.h"
#include "app/lua_env.h"
#include "app/lua_soma.h"
#include "sim/npy.h"
#include "sim/param.h"

#define LSOMA_AC "soma.actor_critic"

typedef struct lac {
  soma_ac *ac;              /* NULL once closed */
  int64_t episodes;
  char name[64];            /* its folder in the run directory */
  int recording;            /* spikes recorded: written at the end of the run */
} lac;

static const char *const AGENTS_KEY = "soma.agents";   /* every spiking agent, in order */

static lac *ac_check(lua_State *L, int idx, const char *call) {
  lac *a = lagent_check(L, idx, LSOMA_AC, call, "a spiking agent", "soma.agent.actor_critic{...}");
  if (!a->ac) la_error(L, call, "agent '%s' was closed at the end of the run", a->name);
  return a;
}

/* ---- the encoder table ------------------------------------------------------------------- */

static soma_code_kind code_of(lua_State *L, int idx, const char *call, soma_code_kind def) {
  const char *c = la_str(L, idx, call, "code", NULL);
  if (!c) return def;
  if (!strcmp(c, "bump")) return SOMA_CODE_BUMP;
  if (!strcmp(c, "monotone")) return SOMA_CODE_MONOTONE;
  return la_error(L, call, "encoder code must be \"bump\" or \"monotone\" (got '%s')", c), def;
}

/* encoder = {kind = ..., <parameters>} at idx */
static soma_encoder *encoder_of(lua_State *L, int idx, const char *call) {
  static const char *const place[] = {"kind", "nx", "ny", "x_lo", "x_hi", "y_lo", "y_hi", "sigma",
                                      "r_max", "r_min", NULL};
  static const char *const graph[] = {"kind", "n_nodes", "sigma", "r_max", "r_min", NULL};
  static const char *const onehot[] = {"kind", "n", "r_max", "r_min", NULL};
  static const char *const ratecode[] = {"kind", "dims", "group", "code", "lo", "hi", "width",
                                         "r_max", "r_min", NULL};
  static const char *const rays[] = {"kind", "rays", "types", "group", "code", "width", "r_max",
                                     "r_min", NULL};
  if (!lua_istable(L, idx))
    la_error(L, call, "give the encoder as encoder = {kind = \"place\" | \"graph\" | \"onehot\" | "
             "\"ratecode\" | \"rays\", ...} (got %s)", la_typename(L, idx));
  const char *kind = la_str(L, idx, call, "kind", NULL);
  char err[512];
  soma_encoder *enc = NULL;
#define NUM(field, name) p.field = la_num(L, idx, call, name, p.field, -HUGE_VAL, HUGE_VAL)
#define INT(field, name) p.field = (int)la_int(L, idx, call, name, p.field, INT32_MIN, INT32_MAX)
  if (kind && !strcmp(kind, "place")) {
    la_known_keys(L, idx, call, place, NULL, NULL);
    soma_place_params p = soma_place_defaults();
    INT(nx, "nx"), INT(ny, "ny"), NUM(x_lo, "x_lo"), NUM(x_hi, "x_hi"), NUM(y_lo, "y_lo");
    NUM(y_hi, "y_hi"), NUM(sigma, "sigma"), NUM(r_max, "r_max"), NUM(r_min, "r_min");
    enc = soma_encoder_place(&p, err, sizeof err);
  } else if (kind && !strcmp(kind, "graph")) {
    la_known_keys(L, idx, call, graph, NULL, NULL);
    soma_graph_params p = soma_graph_defaults();
    INT(n_nodes, "n_nodes"), NUM(sigma, "sigma"), NUM(r_max, "r_max"), NUM(r_min, "r_min");
    enc = soma_encoder_graph(&p, err, sizeof err);
  } else if (kind && !strcmp(kind, "onehot")) {
    la_known_keys(L, idx, call, onehot, NULL, NULL);
    soma_onehot_params p = soma_onehot_defaults();
    INT(n, "n"), NUM(r_max, "r_max"), NUM(r_min, "r_min");
    enc = soma_encoder_onehot(&p, err, sizeof err);
  } else if (kind && !strcmp(kind, "ratecode")) {
    la_known_keys(L, idx, call, ratecode, NULL, NULL);
    soma_ratecode_params p = soma_ratecode_defaults();
    INT(dims, "dims"), INT(group, "group"), NUM(lo, "lo"), NUM(hi, "hi"), NUM(width, "width");
    NUM(r_max, "r_max"), NUM(r_min, "r_min");
    p.code = code_of(L, idx, call, p.code);
    enc = soma_encoder_ratecode(&p, err, sizeof err);
  } else if (kind && !strcmp(kind, "rays")) {
    la_known_keys(L, idx, call, rays, NULL, NULL);
    soma_rays_params p = soma_rays_defaults();
    INT(rays, "rays"), INT(types, "types"), INT(group, "group"), NUM(width, "width");
    NUM(r_max, "r_max"), NUM(r_min, "r_min");
    p.code = code_of(L, idx, call, p.code);
    enc = soma_encoder_rays(&p, err, sizeof err);
  } else {
    la_error(L, call, "encoder kind must be \"place\", \"graph\", \"onehot\", \"ratecode\" or "
             "\"rays\" (got %s)", kind ? kind : "none");
  }
#undef NUM
#undef INT
  if (!enc) la_error(L, call, "%s", err);
  return enc;
}

/* ---- creation ---------------------------------------------------------------------------- */

/* the agent's numeric parameters by name, in soma_ac_params */
#define AC_INTS(X) X(group) X(n_critic) X(replay_capacity)
#define AC_COUNTS(X) X(plan)
#define AC_NUMBERS(X)                                                                              \
  X(dt) X(w_actor) X(w_critic) X(w_max) X(w_inh) X(noise_hz) X(noise_w) X(critic_noise_hz) X(critic_noise_w)     \
  X(step_ms) X(tail_ms) X(gap_ms) X(lr_actor) X(lr_critic) X(a_plus) X(tau_e) X(learn_every) X(tau_dopamine)    \
  X(reward_scale) X(value_scale) X(tau_r) X(temperature) X(epsilon) X(step_reward)             \
  X(replay_ms) X(replay_drive) X(replay_gamma) X(replay_gain) X(replay_tau_e)                  \
  X(plan_beta) X(gamma) X(plan_scale) X(plan_gain) X(value_ms) X(lr_value)

static int l_create(lua_State *L) {
  const char *call = "soma.agent.actor_critic";
#define NAME(f) #f,
  static const char *const known[] = {"env", "encoder", "input", "seed", "threads", "replay", "name", "record",
                                      "td", "prioritized", AC_INTS(NAME) AC_COUNTS(NAME)
                                      AC_NUMBERS(NAME) NULL};
#undef NAME
  la_table(L, 1, call, "a table of options, e.g. {env = env, encoder = {kind = \"place\", ...}}");
  la_known_keys(L, 1, call, known, NULL, NULL);
  lua_settop(L, 1);
  if (lua_getfield(L, 1, "env") == LUA_TNIL)   /* 2 */
    la_error(L, call, "give the world as env = soma.env.<world>{...}");
  soma_env_driver unused;
  soma_env *e = lenv_driver(L, 2, call, &unused);
  if (e->act_space.kind != SOMA_SPACE_DISCRETE)
    la_error(L, call, "the actor-critic chooses among discrete actions; world '%s' has continuous "
             "ones", e->world->name);

  soma_ac_params p = soma_ac_defaults();
#define READ(f) p.f = la_num(L, 1, call, #f, p.f, -HUGE_VAL, HUGE_VAL);
  AC_NUMBERS(READ)
#undef READ
#define READ(f) p.f = (int)la_int(L, 1, call, #f, p.f, 1, 100000);
  AC_INTS(READ)
#undef READ
#define READ(f) p.f = (int)la_int(L, 1, call, #f, p.f, 0, 1024);
  AC_COUNTS(READ)
#undef READ
  const char *td = la_str(L, 1, call, "td", "continuous");
  if (strcmp(td, "continuous") && strcmp(td, "discrete"))
    la_error(L, call, "td must be \"continuous\" (the critic's TD error as the agent moves) or "
             "\"discrete\" (each transition learnt by re-presenting it; needed by plan) (got '%s')", td);
  p.td_discrete = !strcmp(td, "discrete");
  p.prioritized = la_bool(L, 1, call, "prioritized", p.prioritized);
  lsoma_run *run = lsoma_run_of(L);
  p.seed = (uint64_t)la_int(L, 1, call, "seed", run ? run->seed : 1, 0, INT64_MAX);
  p.threads = (int)la_int(L, 1, call, "threads", run ? run->threads : 1, 1, 1024);
  p.input = la_str(L, 1, call, "input", p.input);
  p.replay = la_bool(L, 1, call, "replay", p.replay);
  lua_getfield(L, LUA_REGISTRYINDEX, AGENTS_KEY);
  int number = (int)lua_rawlen(L, -1) + 1;
  lua_pop(L, 1);
  const char *name = la_str(L, 1, call, "name", NULL);
  if (name && !soma_identifier_ok(name, 64))
    la_error(L, call, "name must be 1 to 63 letters, digits, '_' or '-' (got '%s')", name);
  lac *a = lua_newuserdatauv(L, sizeof *a, 1);   /* 3 */
  memset(a, 0, sizeof *a);
  luaL_setmetatable(L, LSOMA_AC);
  if (name) snprintf(a->name, sizeof a->name, "%s", name);
  else snprintf(a->name, sizeof a->name, number == 1 ? "agent" : "agent%d", number);
  lua_getfield(L, 1, "encoder");   /* 4 */
  soma_encoder *enc = encoder_of(L, 4, call);
  lua_pop(L, 1);
  char err[512];   /* nothing raises between the encoder and the agent that takes it over */
  if (!(a->ac = soma_ac_create(&p, enc, e->act_space.n, err, sizeof err)))
    la_error(L, call, "%s", err);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, -2, 1);   /* the agent keeps its world */
  /* record = {"critic", "actors", "input"}: spikes kept in memory, written at the end */
  lua_getfield(L, 1, "record");
  if (!lua_isnil(L, -1)) {
    if (!lua_istable(L, -1))
      la_error(L, call, "record must be a list of \"input\", \"critic\", \"actors\" (got %s)", la_typename(L, -1));
    for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, -1); k++) {
      lua_rawgeti(L, -1, k);
      const char *what = lua_tostring(L, -1);
      if (!what || soma_ac_record_spikes(a->ac, what) != SOMA_OK)
        la_error(L, call, "record: '%s' is not one of input, critic, actors", what ? what : "?");
      lua_pop(L, 1);
      a->recording = 1;
    }
  }
  lua_pop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, AGENTS_KEY);
  lua_pushvalue(L, -2);
  lua_rawseti(L, -2, number);
  lua_pop(L, 1);
  return 1;
}

/* ---- episodes ---------------------------------------------------------------------------- */

/* the critic's value and the dopamine at each decision, into two lists from slot `first` */
typedef struct signals {
  lua_State *L;
  int first;                /* 0: not recording */
  lua_Integer n;
} signals;

static void on_step(void *user, const soma_ac_step *s, const soma_env *env) {
  (void)env;
  signals *t = user;
  if (!t->first) return;
  t->n++;
  lua_pushnumber(t->L, s->value);
  lua_rawseti(t->L, t->first, t->n);
  lua_pushnumber(t->L, s->dopamine);
  lua_rawseti(t->L, t->first + 1, t->n);
}

/* agent:episode{max_steps = N, record = false, latents = {...}} -> {steps, reward, terminated,
 * truncated, episode, replayed [, actions, rewards, values, dopamine, <latents>]} */
static int a_episode(lua_State *L) {
  const char *call = "agent:episode";
  lac *a = ac_check(L, 1, call);
  int64_t max_steps;
  lagent_trace tr;
  soma_env *e = lagent_episode_args(L, call, &max_steps, &tr);
  signals t = {L, tr.record ? tr.next_slot : 0, 0};
  lua_newtable(L);   /* values, dopamine */
  lua_newtable(L);
  soma_ac_stats s;
  char err[512];
  if (soma_ac_episode(a->ac, e, &tr.drive, max_steps, &s, on_step, &t, err, sizeof err) != SOMA_OK)
    la_error(L, call, "%s", err);
  a->episodes++;
  lagent_push_result(L, &tr, s.steps, s.reward, s.terminated, s.truncated, a->episodes);
  lua_pushinteger(L, s.replayed);
  lua_setfield(L, -2, "replayed");
  lua_pushinteger(L, s.planned);
  lua_setfield(L, -2, "planned");
  const double *da_t, *da_v;
  size_t n_da = soma_ac_dopamine_trace(a->ac, &da_t, &da_v);
  if (n_da) {
    lua_createtable(L, (int)n_da, 0);
    lua_createtable(L, (int)n_da, 0);
    for (size_t k = 0; k < n_da; k++) {
      lua_pushnumber(L, da_t[k]);
      lua_rawseti(L, -3, (lua_Integer)k + 1);
      lua_pushnumber(L, da_v[k]);
      lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -3, "da");
    lua_setfield(L, -2, "da_t");
  }
  lua_pushnumber(L, s.td_abs);
  lua_setfield(L, -2, "td_abs");
  if (tr.record) {
    lua_pushvalue(L, tr.next_slot);
    lua_setfield(L, -2, "values");
    lua_pushvalue(L, tr.next_slot + 1);
    lua_setfield(L, -2, "dopamine");
  }
  return 1;
}

/* agent:replays() -> {{t_ms, episode, step, kind}, ...}: every state replayed so far */
/* agent:trace_dopamine(ms): sample the dopamine every ms from now on (0: stop); each episode's
 * result then has da_t (network ms) and da (the values) */
static int a_trace_dopamine(lua_State *L) {
  const char *call = "agent:trace_dopamine";
  lac *a = ac_check(L, 1, call);
  double ms = luaL_checknumber(L, 2);
  if (soma_ac_trace_dopamine(a->ac, ms) != SOMA_OK)
    la_error(L, call, "%s", soma_net_errmsg(soma_ac_net(a->ac)));
  return 0;
}

/* agent:value{v1, v2, ...} -> the critic's value of that input (soma_ac_value) */
static int a_value(lua_State *L) {
  const char *call = "agent:value";
  lac *a = ac_check(L, 1, call);
  la_table(L, 2, call, "a list of the input's values, e.g. {x, y}");
  double in[64];
  int n = (int)lua_rawlen(L, 2);
  if (n < 1 || n > 64) la_error(L, call, "give 1 to 64 input values (got %d)", n);
  for (int k = 0; k < n; k++) {
    lua_rawgeti(L, 2, k + 1);
    if (!lua_isnumber(L, -1)) la_error(L, call, "input value %d is not a number", k + 1);
    in[k] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  double v;
  char err[512];
  if (soma_ac_value(a->ac, in, n, &v, err, sizeof err) != SOMA_OK) la_error(L, call, "%s", err);
  lua_pushnumber(L, v);
  return 1;
}

static int a_replays(lua_State *L) {
  lac *a = ac_check(L, 1, "agent:replays");
  soma_replay *r = soma_ac_replay(a->ac);
  size_t n = 0;
  const soma_replay_event *ev = r ? soma_replay_events(r, &n) : NULL;
  lua_createtable(L, (int)n, 0);
  for (size_t k = 0; k < n; k++) {
    lua_createtable(L, 0, 4);
    lua_pushnumber(L, ev[k].t_ms);
    lua_setfield(L, -2, "t_ms");
    lua_pushinteger(L, ev[k].episode);
    lua_setfield(L, -2, "episode");
    lua_pushinteger(L, ev[k].step);
    lua_setfield(L, -2, "step");
    lua_pushstring(L, soma_replay_kind_name(ev[k].kind));
    lua_setfield(L, -2, "kind");
    lua_rawseti(L, -2, (lua_Integer)k + 1);
  }
  return 1;
}

/* agent:learning(on): freeze (false) or thaw the plastic synapses, for evaluation */
static int a_learning(lua_State *L) {
  lac *a = ac_check(L, 1, "agent:learning");
  if (!lua_isboolean(L, 2)) la_error(L, "agent:learning", "give true or false (got %s)", la_typename(L, 2));
  soma_ac_learning(a->ac, lua_toboolean(L, 2));
  return 0;
}

/* agent:exploration{temperature = T, epsilon = e} */
static int a_exploration(lua_State *L) {
  static const char *const known[] = {"temperature", "epsilon", NULL};
  const char *call = "agent:exploration";
  lac *a = ac_check(L, 1, call);
  la_table(L, 2, call, "a table, e.g. {temperature = 1, epsilon = 0.05}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  double t = la_num(L, 2, call, "temperature", 0, 0, 1e6);
  double eps = la_num(L, 2, call, "epsilon", 0, 0, 1);
  if (soma_ac_set_exploration(a->ac, t, eps) != SOMA_OK) la_error(L, call, "bad exploration");
  return 0;
}

static int a_index(lua_State *L) {
  const char *key = lua_tostring(L, 2);
  if (key && luaL_getmetafield(L, 1, key) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  lac *a = ac_check(L, 1, "agent");
  soma_net *net = soma_ac_net(a->ac);
  if (!key) return 0;
  if (!strcmp(key, "kind")) lua_pushstring(L, "actor_critic");
  else if (!strcmp(key, "spiking")) lua_pushboolean(L, 1);
  else if (!strcmp(key, "episodes")) lua_pushinteger(L, a->episodes);
  else if (!strcmp(key, "actions")) lua_pushinteger(L, soma_ac_n_actions(a->ac));
  else if (!strcmp(key, "neurons")) {
    int64_t n = 0;
    for (int i = 0; i < soma_net_pop_count(net); i++) n += soma_pop_size(soma_net_pop(net, i));
    lua_pushinteger(L, n);
  } else if (!strcmp(key, "synapses")) lua_pushinteger(L, (lua_Integer)soma_net_synapse_count(net));
  else if (!strcmp(key, "t")) lua_pushnumber(L, soma_net_time(net));
  else if (!strcmp(key, "spikes")) lua_pushinteger(L, (lua_Integer)soma_net_spike_count(net));
  else
    return la_error(L, "agent", "spiking agents have no field '%s' (fields: kind, spiking, "
                    "episodes, actions, neurons, synapses, t, spikes; methods: episode, learning, "
                    "exploration, replays)", key);
  return 1;
}

static int a_tostring(lua_State *L) {
  lac *a = lua_touserdata(L, 1);
  lua_pushfstring(L, "soma spiking agent 'actor_critic' (%d actions)", a->ac ? soma_ac_n_actions(a->ac) : 0);
  return 1;
}

static int a_gc(lua_State *L) {
  lac *a = lua_touserdata(L, 1);
  soma_ac_destroy(a->ac);
  a->ac = NULL;
  return 0;
}

/* ---- the end of the run ----------------------------------------------------------------- */

/* <name>/: the recorded spikes with the network's description (meta.json), and replays.npy:
 * one row per replayed state (t_ms, episode, step, kind: 0 uniform, 1 prioritized, 2 reverse,
 * 3 forward) */
static int write_agent(lac *a, const char *dir, char *err, size_t len) {
  soma_replay *r = soma_ac_replay(a->ac);
  size_t n = 0;
  const soma_replay_event *ev = r ? soma_replay_events(r, &n) : NULL;
  if (!a->recording && !n) return 0;
  char path[4400];
  snprintf(path, sizeof path, "%s/%s", dir, a->name);
  if (mkdir(path, 0777) && errno != EEXIST) return snprintf(err, len, "cannot create %s", path), -1;
  if (a->recording && soma_net_write(soma_ac_net(a->ac), path) != SOMA_OK)
    return snprintf(err, len, "%s", soma_net_errmsg(soma_ac_net(a->ac))), -1;
  if (n) {
    double *rows = malloc(sizeof *rows * 4 * n);
    if (!rows) return snprintf(err, len, "out of memory"), -1;
    for (size_t k = 0; k < n; k++) {
      rows[4 * k] = ev[k].t_ms;
      rows[4 * k + 1] = (double)ev[k].episode;
      rows[4 * k + 2] = (double)ev[k].step;
      rows[4 * k + 3] = ev[k].kind;
    }
    snprintf(path, sizeof path, "%s/%s/replays.npy", dir, a->name);
    int rc = soma_npy_save(path, "<f8", n, 4, rows);
    free(rows);
    if (rc) return snprintf(err, len, "cannot write %s", path), -1;
  }
  return 0;
}

int lactor_critic_close_all(lua_State *L, const char *dir, char **json, char *err, size_t len) {
  int rc = 0;
  char *buf = NULL;
  size_t blen = 0;
  FILE *f = open_memstream(&buf, &blen);
  lua_getfield(L, LUA_REGISTRYINDEX, AGENTS_KEY);
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    lac *a = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!a || !a->ac) continue;
    if (dir && write_agent(a, dir, err, len)) rc = -1;
    soma_net *net = soma_ac_net(a->ac);
    size_t replays = 0;
    if (soma_ac_replay(a->ac)) soma_replay_events(soma_ac_replay(a->ac), &replays);
    if (f)
      fprintf(f, "%s{\"name\": \"%s\", \"kind\": \"actor_critic\", \"episodes\": %lld, \"time_ms\": %.17g, "
              "\"spikes\": %llu, \"synapses\": %llu, \"replays\": %zu, \"folder\": %s%s%s}",
              i > 1 ? ",\n  " : "", a->name, (long long)a->episodes, soma_net_time(net),
              (unsigned long long)soma_net_spike_count(net), (unsigned long long)soma_net_synapse_count(net),
              replays, a->recording || replays ? "\"" : "null", a->recording || replays ? a->name : "",
              a->recording || replays ? "\"" : "");
    soma_ac_destroy(a->ac);
    a->ac = NULL;
  }
  lua_pop(L, 1);
  if (f) fclose(f);
  *json = buf;
  return rc;
}

soma_net *lactor_critic_first_net(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, AGENTS_KEY);
  lua_rawgeti(L, -1, 1);
  lac *a = lua_touserdata(L, -1);
  lua_pop(L, 2);
  return a && a->ac ? soma_ac_net(a->ac) : NULL;
}

void lactor_critic_open(lua_State *L) {
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, AGENTS_KEY);
  static const luaL_Reg methods[] = {{"episode", a_episode},   {"learning", a_learning},
                                     {"replays", a_replays},
                                     {"value", a_value},
                                     {"trace_dopamine", a_trace_dopamine},
                                     {"exploration", a_exploration}, {"__index", a_index},
                                     {"__gc", a_gc},           {"__tostring", a_tostring},
                                     {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_AC);
  luaL_setfuncs(L, methods, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, l_create);
  lua_setfield(L, -2, "actor_critic");
}
