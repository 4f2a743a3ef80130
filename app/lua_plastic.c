/* lua_plastic.c — learning and teaching signals from Lua: neuromodulators
 * (net:modulator{...}), sensory prediction-error populations (net:mismatch{...}), learning
 * rules on projections (proj:plastic{...}, or the `plasticity` option of net:connect) with
 * scaling and consolidation, and the rule tables (soma.rules(), soma.rule(name)). */
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_soma.h"
#include "nets/mismatch.h"

static soma_mod *mod_check(lua_State *L, int idx, const char *call) {
  lobj *o = luaL_testudata(L, idx, LSOMA_MOD);
  if (!o) la_error(L, call, "expected a modulator (made by net:modulator{...}), got %s%s",
                   la_typename(L, idx), idx == 1 ? "; call methods with a colon: m:add(1)" : "");
  if (!o->owner->net)
    la_error(L, call, "%s belongs to a network that was destroyed (net:destroy())", o->label);
  return soma_net_mod(o->owner->net, o->index);
}

/* net:modulator{name = "dopamine", tonic = 0, tau = 200} */
int lmod_create(lua_State *L) {
  static const char *const known[] = {"name", "tonic", "tau", NULL};
  const char *call = "net:modulator";
  lnet *h;
  soma_net *net = lnet_check(L, 1, call, &h);
  la_table(L, 2, call, "a table: net:modulator{name = \"dopamine\", tonic = 0, tau = 200}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  const char *name = la_str(L, 2, call, "name", NULL);
  if (!name) la_error(L, call, "give the modulator a name: net:modulator{name = \"dopamine\"}");
  double tonic = la_num(L, 2, call, "tonic", 0, -HUGE_VAL, HUGE_VAL);
  double tau = 200;
  if (lua_getfield(L, 2, "tau") == LUA_TNUMBER && isinf(lua_tonumber(L, -1)) && lua_tonumber(L, -1) > 0)
    tau = INFINITY;   /* math.huge: no decay */
  else
    tau = la_num(L, 2, call, "tau", 200, 0, HUGE_VAL);
  lua_pop(L, 1);
  soma_mod *m = soma_mod_create(net, name, tonic, tau);
  if (!m) lsoma_fail(L, net, call);
  char label[96];
  snprintf(label, sizeof label, "modulator '%s'", name);
  lobj_push(L, 1, LSOMA_MOD, soma_net_mod_count(net) - 1, label);
  return 1;
}

static int m_add(lua_State *L) {
  soma_mod *m = mod_check(L, 1, "mod:add");
  if (soma_mod_add(m, la_arg_num(L, 2, "mod:add", "the amount", -HUGE_VAL, HUGE_VAL)))
    return lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "mod:add");
  return 0;
}

/* mod:schedule(times, amounts): increments at times (ms) during the coming runs */
static int m_schedule(lua_State *L) {
  soma_mod *m = mod_check(L, 1, "mod:schedule");
  size_t n, k;
  const double *t = la_doubles(L, 2, "mod:schedule", "times", &n);
  const double *a = la_doubles(L, 3, "mod:schedule", "amounts", &k);
  if (n != k) la_error(L, "mod:schedule", "%zu times but %zu amounts; give one amount per time", n, k);
  if (soma_mod_schedule(m, n, t, a))
    return lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "mod:schedule");
  return 0;
}

static int m_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  soma_mod *m = mod_check(L, 1, "mod");
  if (k && !strcmp(k, "name")) lua_pushstring(L, soma_mod_name(m));
  else if (k && !strcmp(k, "value")) lua_pushnumber(L, soma_mod_value(m));
  else if (k && !strcmp(k, "tonic")) lua_pushnumber(L, soma_mod_tonic(m));
  else if (k && !strcmp(k, "tau")) lua_pushnumber(L, soma_mod_tau(m));
  else
    return la_error(L, "mod", "no field '%s' (fields: name, value, tonic, tau; methods: add, "
                    "schedule; set the tonic level with mod.tonic = x)", k ? k : la_typename(L, 2));
  return 1;
}

static int m_newindex(lua_State *L) {
  soma_mod *m = mod_check(L, 1, "mod");
  const char *k = lua_tostring(L, 2);
  if (!k || strcmp(k, "tonic"))
    return la_error(L, "mod", "only 'tonic' can be set (got '%s')", k ? k : la_typename(L, 2));
  if (soma_mod_set_tonic(m, la_arg_num(L, 3, "mod.tonic", "the tonic level", -HUGE_VAL, HUGE_VAL)))
    return lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "mod.tonic");
  return 0;
}

/* the target of a rule that learns to predict: a population (neuron i teaches neuron i), a
 * rate for all (Hz), or one rate per neuron */
static void set_target(lua_State *L, soma_net *net, soma_proj *proj, int idx, const char *call) {
  int rc;
  if (luaL_testudata(L, idx, LSOMA_POP)) {
    rc = soma_proj_set_target_pop(proj, lpop_check(L, idx, call));
  } else if (lua_type(L, idx) == LUA_TNUMBER) {
    double hz = lua_tonumber(L, idx);
    rc = soma_proj_set_target(proj, &hz, 1);
  } else {
    size_t n;
    const double *hz = la_doubles(L, idx, call, "the targets", &n);
    rc = soma_proj_set_target(proj, hz, (int)n);
    lua_pop(L, 1);
  }
  if (rc) lsoma_fail(L, net, call);
}

/* homeostatic scaling from {target = Hz, tau = ms, gain = per ms per Hz, every = ms} */
static void set_scaling(lua_State *L, soma_net *net, soma_proj *proj, int idx, const char *call) {
  static const char *const known[] = {"target", "tau", "gain", "every", NULL};
  la_table(L, idx, call, "'scaling' as a table: {target = 5, tau = 1000, gain = 1e-6, every = 100}");
  la_known_keys(L, idx, call, known, NULL, NULL);
  if (lua_getfield(L, idx, "target") == LUA_TNIL)
    la_error(L, call, "scaling needs a target rate: {target = 5, ...} (Hz)");
  lua_pop(L, 1);
  double target = la_num(L, idx, call, "target", 0, 0, 1e4);
  double tau = la_num(L, idx, call, "tau", 1000, 1e-3, 1e7);
  double gain = la_num(L, idx, call, "gain", 1e-6, 0, 1);
  double every = la_num(L, idx, call, "every", 100, 1e-3, 1e6);
  if (soma_proj_scaling(proj, target, tau, gain, every)) lsoma_fail(L, net, call);
}

/* consolidation from {kind = "si" | "ewc", lambda, xi, every} */
static void set_consolidation(lua_State *L, soma_net *net, soma_proj *proj, int idx, const char *call) {
  static const char *const known[] = {"kind", "lambda", "xi", "every", NULL};
  la_table(L, idx, call, "'consolidation' as a table: {kind = \"si\", lambda = 1, xi = 0.1, every = 10}");
  la_known_keys(L, idx, call, known, NULL, NULL);
  const char *kind = la_str(L, idx, call, "kind", "si");
  double lambda = la_num(L, idx, call, "lambda", 1, 0, 1e12);
  double xi = la_num(L, idx, call, "xi", 0.1, 1e-12, 1e12);
  double every = la_num(L, idx, call, "every", 10, 1e-3, 1e6);
  if (soma_proj_consolidation(proj, kind, lambda, xi, every)) lsoma_fail(L, net, call);
}

/* fast and slow weights from {b_fast, b_slow, tau_fast, tau_slow, every} */
static void set_fast_slow(lua_State *L, soma_net *net, soma_proj *proj, int idx, const char *call) {
  static const char *const known[] = {"b_fast", "b_slow", "tau_fast", "tau_slow", "every", NULL};
  la_table(L, idx, call, "'fast_slow' as a table: {b_fast = 0.9, b_slow = 0.1, tau_fast = 2000, tau_slow = 1e5}");
  la_known_keys(L, idx, call, known, NULL, NULL);
  double tau[2];
  const char *names[2] = {"tau_fast", "tau_slow"};
  for (int k = 0; k < 2; k++) {
    lua_getfield(L, idx, names[k]);
    tau[k] = lua_type(L, -1) == LUA_TNUMBER && isinf(lua_tonumber(L, -1)) && lua_tonumber(L, -1) > 0
                 ? INFINITY : la_num(L, idx, call, names[k], k ? 1e5 : 2000, 1e-3, 1e12);
    lua_pop(L, 1);
  }
  double bf = la_num(L, idx, call, "b_fast", 0.9, 0, 1e6), bs = la_num(L, idx, call, "b_slow", 0.1, 0, 1e6);
  double every = la_num(L, idx, call, "every", 10, 1e-3, 1e6);
  if (soma_proj_fast_slow(proj, bf, bs, tau[0], tau[1], every)) lsoma_fail(L, net, call);
}

/* proj:weight_parts(): fast, slow (float64 arrays, order of proj:get()) */
static int j_weight_parts(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:weight_parts");
  double *f = la_push_owned(L, LA_F64, soma_proj_size(pr), 0);
  double *s = la_push_owned(L, LA_F64, soma_proj_size(pr), 0);
  if (soma_proj_weight_parts(pr, f, s))
    la_error(L, "proj:weight_parts", "turn fast and slow weights on first (proj:fast_slow{...})");
  return 2;
}

/* proj:consolidate(): the end of a task */
static int j_consolidate(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:consolidate");
  if (soma_proj_consolidate(pr)) lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "proj:consolidate");
  return 0;
}

/* proj:importance(): Omega per synapse (float64, order of proj:get()) */
static int j_importance(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:importance");
  double *o = la_push_owned(L, LA_F64, soma_proj_size(pr), 0);
  if (soma_proj_importance(pr, o))
    la_error(L, "proj:importance", "turn consolidation on first (proj:consolidation{...})");
  return 1;
}

/* proj:rule_param(name [, value]): reads, or changes between runs, a rule parameter */
static int j_rule_param(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:rule_param");
  const char *name = la_arg_str(L, 2, "proj:rule_param", "the parameter name");
  soma_net *net = ((lobj *)lua_touserdata(L, 1))->owner->net;
  if (!lua_isnoneornil(L, 3)) {
    if (soma_proj_set_rule_param(pr, name, la_arg_num(L, 3, "proj:rule_param", "the value", -HUGE_VAL, HUGE_VAL)))
      lsoma_fail(L, net, "proj:rule_param");
    return 0;
  }
  double v;
  if (soma_proj_get_rule_param(pr, name, &v)) {
    if (!soma_proj_rule(pr)) la_error(L, "proj:rule_param", "the projection has no learning rule");
    soma_proj_set_rule_param(pr, name, 0);   /* for its message */
    lsoma_fail(L, net, "proj:rule_param");
  }
  lua_pushnumber(L, v);
  return 1;
}

/* proj:learning(on): false freezes the weights (tests), true learns again */
static int j_learning(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:learning");
  if (lua_type(L, 2) != LUA_TBOOLEAN)
    la_error(L, "proj:learning", "give true or false, got %s", la_typename(L, 2));
  if (soma_proj_learning(pr, lua_toboolean(L, 2)))
    lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "proj:learning");
  return 0;
}

/* proj:set_target(x), proj:scaling{...}, proj:consolidation{...}, proj:fast_slow{...}: the
 * projection's options between runs, each through the setter its plasticity table uses */
typedef void (*option_setter)(lua_State *, soma_net *, soma_proj *, int, const char *);
static const struct {
  const char *method, *call;
  option_setter set;
} options[] = {
    {"set_target", "proj:set_target", set_target},
    {"scaling", "proj:scaling", set_scaling},
    {"consolidation", "proj:consolidation", set_consolidation},
    {"fast_slow", "proj:fast_slow", set_fast_slow},
};

static int j_option(lua_State *L) {
  int k = (int)lua_tointeger(L, lua_upvalueindex(1));
  soma_proj *pr = lproj_check(L, 1, options[k].call);
  options[k].set(L, ((lobj *)lua_touserdata(L, 1))->owner->net, pr, 2, options[k].call);
  return 0;
}

/* Attaches the rule described by the table at idx to proj: {rule = "stdp", preset = "...",
 * modulator = "dopamine" or a modulator, <parameter> = number, ...}. */
void lplastic_attach(lua_State *L, soma_net *net, soma_proj *proj, int idx, const char *call) {
  idx = lua_absindex(L, idx);
  la_table(L, idx, call, "a table: {rule = \"stdp\", A_plus = 0.01, ...}");
  const char *rule = la_str(L, idx, call, "rule", NULL);
  if (!rule) la_error(L, call, "name the learning rule: {rule = \"stdp\", ...}; soma.rules() lists them");
  const char *preset = la_str(L, idx, call, "preset", NULL);
  const char *modname = NULL;
  if (lua_getfield(L, idx, "modulator") != LUA_TNIL) {
    if (luaL_testudata(L, -1, LSOMA_MOD)) modname = soma_mod_name(mod_check(L, -1, call));
    else modname = la_str(L, idx, call, "modulator", NULL);
  }
  lua_pop(L, 1);
  const soma_param *base = NULL;
  if (preset && !(base = soma_rule_preset(rule, preset)))
    la_error(L, call, "rule '%s' has no preset '%s'%s", rule, preset,
             strcmp(rule, "triplet") ? "" : " (presets: visual_cortex_all_to_all, visual_cortex_nearest, "
             "visual_cortex_minimal, hippocampus_all_to_all, hippocampus_nearest, hippocampus_minimal)");
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    n++;
  }
  while (base && base[n].name) n++;
  soma_param *p = lua_newuserdatauv(L, sizeof(soma_param) * ((size_t)n + 16), 0);
  int k = 0;
  for (int j = 0; base && base[j].name; j++) p[k++] = base[j];
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      la_error(L, call, "the table has a %s key; give parameters as name = value", la_typename(L, -2));
    const char *key = lua_tostring(L, -2);
    if (strcmp(key, "rule") && strcmp(key, "preset") && strcmp(key, "modulator") &&
        strcmp(key, "target") && strcmp(key, "scaling") && strcmp(key, "consolidation") &&
        strcmp(key, "fast_slow")) {
      char what[80];
      snprintf(what, sizeof what, "'%s'", key);
      double v = lua_type(L, -1) == LUA_TNUMBER && isinf(lua_tonumber(L, -1))
                     ? lua_tonumber(L, -1)   /* w_max = math.huge: unbounded */
                     : la_arg_num(L, -1, call, what, -HUGE_VAL, HUGE_VAL);
      int j = 0;
      while (j < k && strcmp(p[j].name, key)) j++;   /* explicit values replace the preset's */
      p[j] = (soma_param){key, v};
      if (j == k) k++;
    }
    lua_pop(L, 1);
  }
  p[k].name = NULL;
  if (soma_proj_plastic(proj, rule, p, modname)) lsoma_fail(L, net, call);
  lua_pop(L, 1);
  if (lua_getfield(L, idx, "target") != LUA_TNIL) set_target(L, net, proj, lua_gettop(L), call);
  lua_pop(L, 1);
  if (lua_getfield(L, idx, "scaling") != LUA_TNIL) set_scaling(L, net, proj, lua_gettop(L), call);
  lua_pop(L, 1);
  if (lua_getfield(L, idx, "consolidation") != LUA_TNIL) set_consolidation(L, net, proj, lua_gettop(L), call);
  lua_pop(L, 1);
  if (lua_getfield(L, idx, "fast_slow") != LUA_TNIL) set_fast_slow(L, net, proj, lua_gettop(L), call);
  lua_pop(L, 1);
}

/* net:mismatch{name = "err", actual = pop, prediction = pop, weight = 500}: the positive and
 * negative prediction-error populations */
int lmismatch_create(lua_State *L) {
  static const char *const known[] = {"name", "actual", "prediction", "weight", NULL};
  const char *call = "net:mismatch";
  lnet *h;
  soma_net *net = lnet_check(L, 1, call, &h);
  la_table(L, 2, call, "a table: net:mismatch{name = \"err\", actual = A, prediction = P}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  const char *name = la_str(L, 2, call, "name", "mismatch");
  lua_getfield(L, 2, "actual");
  soma_pop *actual = lpop_check(L, -1, call);
  lua_getfield(L, 2, "prediction");
  soma_pop *prediction = lpop_check(L, -1, call);
  double w = la_num(L, 2, call, "weight", 500, 1e-9, 1e9);
  soma_pop *pos, *neg;
  if (soma_nets_mismatch(net, name, actual, prediction, w, &pos, &neg)) lsoma_fail(L, net, call);
  char label[96];
  snprintf(label, sizeof label, "population '%s'", soma_pop_name(pos));
  lobj_push(L, 1, LSOMA_POP, soma_pop_index(pos), label);
  snprintf(label, sizeof label, "population '%s'", soma_pop_name(neg));
  lobj_push(L, 1, LSOMA_POP, soma_pop_index(neg), label);
  return 2;
}

/* net:rpe{critic = pop, modulator = m, scale = 1, v0 = 0, tau_r = 1000, tau_v = 50,
 * tau_delta = 20}: the critic's TD error drives the modulator */
int lrpe_create(lua_State *L) {
  static const char *const known[] = {"critic", "modulator", "scale", "v0", "tau_r", "tau_v",
                                      "tau_delta", NULL};
  const char *call = "net:rpe";
  lnet *h;
  soma_net *net = lnet_check(L, 1, call, &h);
  la_table(L, 2, call, "a table: net:rpe{critic = V, modulator = dopamine}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  lua_getfield(L, 2, "critic");
  soma_pop *critic = lpop_check(L, -1, call);
  lua_getfield(L, 2, "modulator");
  soma_mod *mod = mod_check(L, -1, call);
  double scale = la_num(L, 2, call, "scale", 1, -1e9, 1e9), v0 = la_num(L, 2, call, "v0", 0, -1e9, 1e9);
  double tau_r = la_num(L, 2, call, "tau_r", 1000, 1e-3, 1e9), tau_v = la_num(L, 2, call, "tau_v", 50, 1e-3, 1e9);
  double tau_d = la_num(L, 2, call, "tau_delta", 20, 1e-3, 1e9);
  if (!soma_rpe_create(net, critic, mod, scale, v0, tau_r, tau_v, tau_d)) lsoma_fail(L, net, call);
  lobj_push(L, 1, LSOMA_RPE, soma_net_rpe_count(net) - 1, "the reward-prediction-error source");
  return 1;
}

static int r_index(lua_State *L) {
  lobj *o = luaL_checkudata(L, 1, LSOMA_RPE);
  if (!o->owner->net) return la_error(L, "rpe", "its network was destroyed (net:destroy())");
  soma_rpe *r = soma_net_rpe(o->owner->net, o->index);
  const char *k = lua_tostring(L, 2);
  if (k && !strcmp(k, "value")) lua_pushnumber(L, soma_rpe_value(r));
  else if (k && !strcmp(k, "delta")) lua_pushnumber(L, soma_rpe_delta(r));
  else return la_error(L, "rpe", "no field '%s' (fields: value, delta)", k ? k : la_typename(L, 2));
  return 1;
}

/* proj:plastic{rule = ..., ...} */
static int j_plastic(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:plastic");
  lplastic_attach(L, ((lobj *)lua_touserdata(L, 1))->owner->net, pr, 2, "proj:plastic");
  return 0;
}

static int l_rules(lua_State *L) { return lsoma_push_names(L, soma_rule_count, soma_rule_name); }

static int l_rule(lua_State *L) {
  return lsoma_push_description(L, "soma.rule", "learning rule", "soma.rules()", soma_rule_describe);
}

void lplastic_open(lua_State *L) {
  static const luaL_Reg m[] = {{"add", m_add},         {"schedule", m_schedule},
                               {"__index", m_index},   {"__newindex", m_newindex},
                               {"__tostring", lobj_tostring}, {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_MOD);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
  luaL_newmetatable(L, LSOMA_RPE);
  lua_pushcfunction(L, r_index);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  /* proj:plastic joins the projection's methods */
  luaL_getmetatable(L, LSOMA_PROJ);
  lua_pushcfunction(L, j_plastic);
  lua_setfield(L, -2, "plastic");
  for (int k = 0; k < (int)(sizeof options / sizeof *options); k++) {
    lua_pushinteger(L, k);
    lua_pushcclosure(L, j_option, 1);
    lua_setfield(L, -2, options[k].method);
  }
  static const luaL_Reg more[] = {{"consolidate", j_consolidate},     {"importance", j_importance},
                                  {"rule_param", j_rule_param},       {"learning", j_learning},
                                  {"weight_parts", j_weight_parts},
                                  {NULL, NULL}};
  luaL_setfuncs(L, more, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, l_rules);
  lua_setfield(L, -2, "rules");
  lua_pushcfunction(L, l_rule);
  lua_setfield(L, -2, "rule");
}
