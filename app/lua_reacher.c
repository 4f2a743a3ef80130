/* lua_reacher.c — motor adaptation from Lua: the spiking reaching controller
 * (agents/reacher.h) and the NON-SPIKING two-state and one-state models with their fit
 * (agents/two_state.h), in the soma.agent table:
 *
 *   local agent = soma.agent.reacher{ env = soma.env.reach{}, components = 2 }
 *   local t = agent:trial{ target = 3 }          -- t.error, t.aim, t.hand, t.weights.fast, ...
 *   local m = soma.agent.two_state{}             -- Smith et al. 2006's fit by default
 *   local o = m:trial{ perturbation = 1, clamp = false }    -- o.output, o.fast, o.slow
 *   local fit = soma.agent.fit_two_state{ perturbation = f, clamp = c, output = y }
 *
 * The reacher's trials step its world through the environment's driver (app/lua_env.c), so
 * the world's record, snapshots and window see every step. */
#include "app/lua_reacher.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agents/reacher.h"
#include "agents/two_state.h"
#include "app/lua_agent.h"
#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_env.h"
#include "app/lua_soma.h"

#define LSOMA_REACHER "soma.reacher"
#define LSOMA_TWO_STATE "soma.two_state"

/* ---- the spiking reacher ----------------------------------------------------------------- */

typedef struct lreacher {
  soma_reacher *r;          /* NULL once closed */
} lreacher;

static lreacher *reacher_check(lua_State *L, int idx, const char *call) {
  lreacher *a = lagent_check(L, idx, LSOMA_REACHER, call, "a reaching agent",
                             "soma.agent.reacher{...}");
  if (!a->r) la_error(L, call, "attempt to use a closed agent");
  return a;
}

#define R_INTS(X) X(n_target) X(n_motor)
#define R_NUMBERS(X)                                                                               \
  X(dt) X(target_width) X(target_hz) X(w_peak) X(w_floor) X(motor_width) X(w_max) X(noise_hz)     \
  X(noise_w) X(lr) X(tau_rate) X(b_fast) X(b_slow) X(a_fast) X(a_slow) X(b_one) X(a_one)           \
  X(plan_ms) X(move_ms) X(pulse_ms) X(force) X(learn_ms) X(gap_ms) X(error_gain)

static int l_reacher(lua_State *L) {
  const char *call = "soma.agent.reacher";
#define NAME(f) #f,
  static const char *const known[] = {"env", "seed", "threads", "components", R_INTS(NAME)
                                      R_NUMBERS(NAME) NULL};
#undef NAME
  la_table(L, 1, call, "a table of options, e.g. {env = soma.env.reach{}}");
  la_known_keys(L, 1, call, known, NULL, NULL);
  lua_settop(L, 1);
  if (lua_getfield(L, 1, "env") == LUA_TNIL)   /* 2 */
    la_error(L, call, "give the world as env = soma.env.reach{...}");
  soma_env_driver unused;
  soma_env *e = lenv_driver(L, 2, call, &unused);
  if (strcmp(e->world->name, "reach"))
    la_error(L, call, "the reacher moves in the world 'reach' (got '%s')", e->world->name);
  soma_reacher_params p = soma_reacher_defaults();
#define READ(f) p.f = la_num(L, 1, call, #f, p.f, -HUGE_VAL, HUGE_VAL);
  R_NUMBERS(READ)
#undef READ
#define READ(f) p.f = (int)la_int(L, 1, call, #f, p.f, INT32_MIN, INT32_MAX);
  R_INTS(READ)
#undef READ
  p.components = (int)la_int(L, 1, call, "components", p.components, INT32_MIN, INT32_MAX);
  lsoma_run *run = lsoma_run_of(L);
  p.seed = (uint64_t)la_int(L, 1, call, "seed", run ? run->seed : 1, 0, INT64_MAX);
  p.threads = (int)la_int(L, 1, call, "threads", run ? run->threads : 1, 1, 1024);
  lreacher *a = lua_newuserdatauv(L, sizeof *a, 1);   /* 3 */
  memset(a, 0, sizeof *a);
  luaL_setmetatable(L, LSOMA_REACHER);
  char err[512];
  if (!(a->r = soma_reacher_create(&p, err, sizeof err)))
    la_error(L, call, "%s", !strncmp(err, "reacher: ", 9) ? err + 9 : err);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, -2, 1);   /* the agent keeps its world */
  return 1;
}

static void set_num(lua_State *L, const char *key, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, key);
}

/* adds a trial's fields to the table at the top of the stack */
static void push_trial_fields(lua_State *L, const soma_reacher_trial *t) {
  lua_pushinteger(L, t->trial);
  lua_setfield(L, -2, "trial");
  lua_pushinteger(L, t->target);
  lua_setfield(L, -2, "target");
  set_num(L, "target_angle", t->target_angle);
  set_num(L, "aim", t->aim);
  set_num(L, "hand", t->hand);
  set_num(L, "error", t->error);
  set_num(L, "channel_force", t->channel_force);
  set_num(L, "plan_spikes", t->plan_spikes);
  set_num(L, "t_ms", t->t_ms);
  lua_createtable(L, 0, 3);
  set_num(L, "total", t->weights_total);
  set_num(L, "fast", t->weights_fast);
  set_num(L, "slow", t->weights_slow);
  lua_setfield(L, -2, "weights");
}

/* a trial through the driver d; raises on failure */
static void run_trial(lua_State *L, lreacher *a, soma_env *e, const soma_env_driver *d, int target,
                      const char *call, soma_reacher_trial *t) {
  char err[512];
  lsoma_run *run = lsoma_run_of(L);
  if (run && run->stop && *run->stop) la_error(L, call, "interrupted");
  if (soma_reacher_run_trial(a->r, e, d, target, t, err, sizeof err) != SOMA_OK)
    la_error(L, call, "%s", !strncmp(err, "reacher: ", 9) ? err + 9 : err);
}

/* agent:trial{target = k} -> {trial, target, target_angle, aim, hand, error, channel_force,
 * plan_spikes, t_ms, steps, terminated, weights = {total, fast, slow}} */
static int a_trial(lua_State *L) {
  static const char *const known[] = {"target", NULL};
  const char *call = "agent:trial";
  lreacher *a = reacher_check(L, 1, call);
  if (lua_isnoneornil(L, 2)) {
    lua_settop(L, 1);
    lua_newtable(L);
  }
  la_table(L, 2, call, "a table of options, e.g. agent:trial{target = 3}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  int target = (int)la_int(L, 2, call, "target", -1, -1, 7);
  lua_settop(L, 2);
  lua_getiuservalue(L, 1, 1);   /* 3: the world */
  soma_env_driver d;
  soma_env *e = lenv_driver(L, 3, call, &d);
  soma_reacher_trial t;
  run_trial(L, a, e, &d, target, call, &t);
  lua_createtable(L, 0, 14);
  push_trial_fields(L, &t);
  lua_pushinteger(L, t.steps);
  lua_setfield(L, -2, "steps");
  lua_pushboolean(L, t.terminated);
  lua_setfield(L, -2, "terminated");
  return 1;
}

/* agent:episode{max_steps, record, latents}: one trial to the world's own target, with the
 * shared episode record -> the episode's result and the trial's fields */
static int a_episode(lua_State *L) {
  const char *call = "agent:episode";
  lreacher *a = reacher_check(L, 1, call);
  int64_t max_steps;
  lagent_trace tr;
  soma_env *e = lagent_episode_args(L, call, &max_steps, &tr);
  (void)max_steps;   /* a trial is move_ms long (the world's own max_steps still truncates) */
  soma_reacher_trial t;
  run_trial(L, a, e, &tr.drive, -1, call, &t);
  lagent_push_result(L, &tr, t.steps, t.reward, t.terminated, e->done && !t.terminated,
                     t.trial);
  push_trial_fields(L, &t);
  return 1;
}

/* agent:learning(on) */
static int a_learning(lua_State *L) {
  lreacher *a = reacher_check(L, 1, "agent:learning");
  if (!lua_isboolean(L, 2))
    la_error(L, "agent:learning", "give true or false (got %s)", la_typename(L, 2));
  soma_reacher_learning(a->r, lua_toboolean(L, 2));
  return 0;
}

/* agent:weights() -> {total, fast, slow (deg), fast_rms, slow_rms (pA)} */
static int a_weights(lua_State *L) {
  const char *call = "agent:weights";
  lreacher *a = reacher_check(L, 1, call);
  double t, f, s, fr, sr;
  if (soma_reacher_weight_angles(a->r, &t, &f, &s) != SOMA_OK ||
      soma_reacher_parts_rms(a->r, &fr, &sr) != SOMA_OK)
    la_error(L, call, "cannot read the weights");
  lua_createtable(L, 0, 5);
  set_num(L, "total", t);
  set_num(L, "fast", f);
  set_num(L, "slow", s);
  set_num(L, "fast_rms", fr);
  set_num(L, "slow_rms", sr);
  return 1;
}

static int a_close(lua_State *L) {
  lreacher *a = luaL_checkudata(L, 1, LSOMA_REACHER);
  soma_reacher_destroy(a->r);
  a->r = NULL;
  return 0;
}

static int a_index(lua_State *L) {
  const char *key = lua_tostring(L, 2);
  if (key && luaL_getmetafield(L, 1, key) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  lreacher *a = reacher_check(L, 1, "agent");
  soma_net *net = soma_reacher_net(a->r);
  const soma_reacher_params *p = soma_reacher_params_of(a->r);
  if (!key) return 0;
  if (!strcmp(key, "kind")) lua_pushstring(L, "reacher");
  else if (!strcmp(key, "spiking")) lua_pushboolean(L, 1);
  else if (!strcmp(key, "trials") || !strcmp(key, "episodes"))
    lua_pushinteger(L, soma_reacher_trials(a->r));
  else if (!strcmp(key, "trial_ms")) lua_pushnumber(L, soma_reacher_trial_ms(a->r));
  else if (!strcmp(key, "components")) lua_pushinteger(L, p->components);
  else if (!strcmp(key, "neurons")) lua_pushinteger(L, p->n_target + p->n_motor);
  else if (!strcmp(key, "synapses")) lua_pushinteger(L, (lua_Integer)soma_net_synapse_count(net));
  else if (!strcmp(key, "t")) lua_pushnumber(L, soma_net_time(net));
  else if (!strcmp(key, "spikes")) lua_pushinteger(L, (lua_Integer)soma_net_spike_count(net));
  else if (!strcmp(key, "env")) lua_getiuservalue(L, 1, 1);
  else
    return la_error(L, "agent", "reaching agents have no field '%s' (fields: kind, spiking, "
                    "trials, episodes, trial_ms, components, neurons, synapses, t, spikes, env; methods: "
                    "trial, episode, learning, weights, close)", key);
  return 1;
}

static int a_tostring(lua_State *L) {
  lreacher *a = luaL_checkudata(L, 1, LSOMA_REACHER);
  if (a->r)
    lua_pushfstring(L, "soma spiking agent 'reacher' (%d components, %d trials)",
                    soma_reacher_params_of(a->r)->components, (int)soma_reacher_trials(a->r));
  else lua_pushstring(L, "soma spiking agent 'reacher' (closed)");
  return 1;
}

/* ---- the two-state and one-state models --------------------------------------------------- */

typedef struct lmodel {
  soma_two_state m;
  int states;
  double fast, slow;
  int64_t trials;
} lmodel;

static lmodel *model_check(lua_State *L, int idx, const char *call) {
  return lagent_check(L, idx, LSOMA_TWO_STATE, call, "a state-space model",
                      "soma.agent.two_state{...} or soma.agent.one_state{...}");
}

static double model_param(lua_State *L, const char *call, const char *key, double def) {
  double v = la_num(L, 1, call, key, def, -HUGE_VAL, HUGE_VAL);
  if (!(v >= 0 && v <= 1)) la_error(L, call, "%s must be in [0, 1] (got %g)", key, v);
  return v;
}

/* soma.agent.two_state{a_f, b_f, a_s, b_s} and soma.agent.one_state{a, b}; upvalue: states */
static int l_model(lua_State *L) {
  int states = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *call = states == 2 ? "soma.agent.two_state" : "soma.agent.one_state";
  static const char *const known2[] = {"a_f", "b_f", "a_s", "b_s", NULL};
  static const char *const known1[] = {"a", "b", NULL};
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  la_table(L, 1, call,
           states == 2 ? "a table, e.g. {a_f = 0.92, b_f = 0.03, a_s = 0.996, b_s = 0.004}"
                       : "a table, e.g. {a = 0.99, b = 0.013}");
  la_known_keys(L, 1, call, states == 2 ? known2 : known1, NULL, NULL);
  soma_two_state m = states == 2 ? soma_two_state_smith2006() : soma_one_state_smith2006();
  if (states == 2) {
    m.a_f = model_param(L, call, "a_f", m.a_f), m.b_f = model_param(L, call, "b_f", m.b_f);
    m.a_s = model_param(L, call, "a_s", m.a_s), m.b_s = model_param(L, call, "b_s", m.b_s);
  } else {
    m.a_f = model_param(L, call, "a", m.a_f), m.b_f = model_param(L, call, "b", m.b_f);
  }
  lmodel *o = lua_newuserdatauv(L, sizeof *o, 0);
  memset(o, 0, sizeof *o);
  o->m = m;
  o->states = states;
  luaL_setmetatable(L, LSOMA_TWO_STATE);
  return 1;
}

static int clamp_of(lua_State *L, int idx, const char *call, const char *what) {
  if (lua_isnil(L, idx)) return 0;
  if (lua_isboolean(L, idx)) return lua_toboolean(L, idx);
  if (lua_type(L, idx) == LUA_TNUMBER && (lua_tonumber(L, idx) == 0 || lua_tonumber(L, idx) == 1))
    return lua_tonumber(L, idx) == 1;
  return la_error(L, call, "%s must be true or false (or 1 or 0), got %s", what,
                  la_typename(L, idx));
}

/* m:trial{perturbation = f, clamp = false} -> {output, error, fast, slow, trial} */
static int m_trial(lua_State *L) {
  static const char *const known[] = {"perturbation", "clamp", NULL};
  const char *call = "model:trial";
  lmodel *o = model_check(L, 1, call);
  la_table(L, 2, call, "a table, e.g. m:trial{perturbation = 1, clamp = false}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  double f = la_num(L, 2, call, "perturbation", 0, -1e6, 1e6);
  lua_getfield(L, 2, "clamp");
  int clamp = clamp_of(L, -1, call, "clamp");
  double x = soma_two_state_trial(&o->m, &o->fast, &o->slow, f, clamp);
  o->trials++;
  lua_createtable(L, 0, 5);
  set_num(L, "output", x);
  set_num(L, "error", clamp ? 0 : f - x);
  set_num(L, "fast", o->fast);
  set_num(L, "slow", o->slow);
  lua_pushinteger(L, o->trials);
  lua_setfield(L, -2, "trial");
  return 1;
}

/* m:reset(): the states back to 0 */
static int m_reset(lua_State *L) {
  lmodel *o = model_check(L, 1, "model:reset");
  o->fast = o->slow = 0;
  o->trials = 0;
  return 0;
}

/* the protocol of table idx: perturbation (numbers), clamp (booleans or 0/1, optional, as long);
 * pushes two blocks, returns the trial count */
static size_t protocol_of(lua_State *L, int idx, const char *call, double **f,
                          unsigned char **clamp) {
  lua_getfield(L, idx, "perturbation");
  if (lua_isnil(L, -1)) la_error(L, call, "give perturbation = {f1, f2, ...}, one per trial");
  size_t n;
  *f = la_doubles(L, -1, call, "perturbation", &n);
  lua_remove(L, -2);
  *clamp = lua_newuserdatauv(L, n ? n : 1, 0);
  memset(*clamp, 0, n ? n : 1);
  lua_getfield(L, idx, "clamp");
  if (!lua_isnil(L, -1)) {
    if (!lua_istable(L, -1))
      la_error(L, call, "clamp must be a list of true/false, one per trial (got %s)",
               la_typename(L, -1));
    if ((size_t)lua_rawlen(L, -1) != n)
      la_error(L, call, "clamp has %zu values and perturbation %zu; give one per trial",
               (size_t)lua_rawlen(L, -1), n);
    for (size_t i = 0; i < n; i++) {
      char what[32];
      snprintf(what, sizeof what, "clamp[%zu]", i + 1);
      lua_rawgeti(L, -1, (lua_Integer)i + 1);
      (*clamp)[i] = (unsigned char)clamp_of(L, -1, call, what);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return n;
}

static void push_list(lua_State *L, const double *v, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushnumber(L, v[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* m:simulate{perturbation = {...}, clamp = {...}} -> {output, fast, slow} from zero states (the
 * model's own state is left alone) */
static int m_simulate(lua_State *L) {
  static const char *const known[] = {"perturbation", "clamp", NULL};
  const char *call = "model:simulate";
  lmodel *o = model_check(L, 1, call);
  la_table(L, 2, call,
           "a table, e.g. m:simulate{perturbation = {0, 1, 1}, clamp = {false, false, true}}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  lua_settop(L, 2);
  double *f;
  unsigned char *clamp;
  size_t n = protocol_of(L, 2, call, &f, &clamp);
  double *x = lua_newuserdatauv(L, sizeof *x * 3 * (n ? n : 1), 0);
  char err[256];
  if (soma_two_state_simulate(&o->m, f, clamp, n, x, x + n, x + 2 * n, err, sizeof err) != SOMA_OK)
    la_error(L, call, "%s", err);
  lua_createtable(L, 0, 3);
  push_list(L, x, n);
  lua_setfield(L, -2, "output");
  push_list(L, x + n, n);
  lua_setfield(L, -2, "fast");
  push_list(L, x + 2 * n, n);
  lua_setfield(L, -2, "slow");
  return 1;
}

static int m_index(lua_State *L) {
  const char *key = lua_tostring(L, 2);
  if (key && luaL_getmetafield(L, 1, key) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  lmodel *o = model_check(L, 1, "model");
  if (!key) return 0;
  int two = o->states == 2;
  if (!strcmp(key, "kind")) lua_pushstring(L, two ? "two_state" : "one_state");
  else if (!strcmp(key, "spiking")) lua_pushboolean(L, 0);
  else if (!strcmp(key, "states")) lua_pushinteger(L, o->states);
  else if (!strcmp(key, "trials")) lua_pushinteger(L, o->trials);
  else if (!strcmp(key, "fast")) lua_pushnumber(L, o->fast);
  else if (!strcmp(key, "slow")) lua_pushnumber(L, o->slow);
  else if (!strcmp(key, "output")) lua_pushnumber(L, o->fast + o->slow);
  else if (two && !strcmp(key, "a_f")) lua_pushnumber(L, o->m.a_f);
  else if (two && !strcmp(key, "b_f")) lua_pushnumber(L, o->m.b_f);
  else if (two && !strcmp(key, "a_s")) lua_pushnumber(L, o->m.a_s);
  else if (two && !strcmp(key, "b_s")) lua_pushnumber(L, o->m.b_s);
  else if (!two && !strcmp(key, "a")) lua_pushnumber(L, o->m.a_f);
  else if (!two && !strcmp(key, "b")) lua_pushnumber(L, o->m.b_f);
  else
    return la_error(L, "model", "%s models have no field '%s' (fields: kind, spiking, states, "
                    "trials, fast, slow, output, %s; methods: trial, reset, simulate)",
                    two ? "two-state" : "one-state", key, two ? "a_f, b_f, a_s, b_s" : "a, b");
  return 1;
}

static int m_tostring(lua_State *L) {
  lmodel *o = luaL_checkudata(L, 1, LSOMA_TWO_STATE);
  if (o->states == 2)
    lua_pushfstring(L, "soma two-state model (non-spiking): A_f %f, B_f %f, A_s %f, B_s %f",
                    o->m.a_f, o->m.b_f, o->m.a_s, o->m.b_s);
  else
    lua_pushfstring(L, "soma one-state model (non-spiking): A %f, B %f", o->m.a_f, o->m.b_f);
  return 1;
}

/* soma.agent.fit_two_state{perturbation, clamp, output, states = 2} -> {a_f, b_f, a_s, b_s (or
 * a, b), states, n, sse, rmse, r2, starts} */
static int l_fit(lua_State *L) {
  static const char *const known[] = {"perturbation", "clamp", "output", "states", NULL};
  const char *call = "soma.agent.fit_two_state";
  la_table(L, 1, call, "a table, e.g. {perturbation = f, clamp = c, output = y}");
  la_known_keys(L, 1, call, known, NULL, NULL);
  lua_settop(L, 1);
  soma_two_state_fit_opts o = soma_two_state_fit_defaults();
  o.states = (int)la_int(L, 1, call, "states", 2, 1, 2);
  double *f;
  unsigned char *clamp;
  size_t n = protocol_of(L, 1, call, &f, &clamp);
  lua_getfield(L, 1, "output");
  if (lua_isnil(L, -1))
    la_error(L, call, "give output = {y1, y2, ...}, one per trial (0/0: not measured)");
  size_t ny;
  double *y = la_doubles(L, -1, call, "output", &ny);
  if (ny != n)
    la_error(L, call, "output has %zu values and perturbation %zu; give one per trial", ny, n);
  soma_two_state_fitted fit;
  char err[256];
  if (soma_two_state_fit(f, clamp, y, n, &o, &fit, err, sizeof err) != SOMA_OK)
    la_error(L, call, "%s", !strncmp(err, "two-state fit: ", 15) ? err + 15 : err);
  lua_createtable(L, 0, 10);
  if (fit.states == 2) {
    set_num(L, "a_f", fit.m.a_f), set_num(L, "b_f", fit.m.b_f);
    set_num(L, "a_s", fit.m.a_s), set_num(L, "b_s", fit.m.b_s);
  } else {
    set_num(L, "a", fit.m.a_f), set_num(L, "b", fit.m.b_f);
  }
  lua_pushinteger(L, fit.states);
  lua_setfield(L, -2, "states");
  lua_pushinteger(L, (lua_Integer)fit.n);
  lua_setfield(L, -2, "n");
  set_num(L, "sse", fit.sse);
  set_num(L, "rmse", fit.rmse);
  set_num(L, "r2", fit.r2);
  lua_pushinteger(L, fit.starts);
  lua_setfield(L, -2, "starts");
  return 1;
}

void lreacher_open(lua_State *L) {
  static const luaL_Reg r_methods[] = {
      {"trial", a_trial},     {"episode", a_episode}, {"learning", a_learning},
      {"weights", a_weights}, {"close", a_close},     {"__index", a_index},
      {"__gc", a_close},      {"__close", a_close},   {"__tostring", a_tostring},
      {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_REACHER);
  luaL_setfuncs(L, r_methods, 0);
  lua_pop(L, 1);
  static const luaL_Reg m_methods[] = {
      {"trial", m_trial},     {"reset", m_reset},        {"simulate", m_simulate},
      {"__index", m_index},   {"__tostring", m_tostring}, {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_TWO_STATE);
  luaL_setfuncs(L, m_methods, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, l_reacher);
  lua_setfield(L, -2, "reacher");
  lua_pushinteger(L, 2);
  lua_pushcclosure(L, l_model, 1);
  lua_setfield(L, -2, "two_state");
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, l_model, 1);
  lua_setfield(L, -2, "one_state");
  lua_pushcfunction(L, l_fit);
  lua_setfield(L, -2, "fit_two_state");
}
