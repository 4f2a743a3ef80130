/* lua_pop.c — populations from Lua: net:pop{...} and the population's methods. */
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_dist.h"
#include "app/lua_soma.h"

static const char *const pop_keys[] = {"name", "model", "n", "max_rate", NULL};

/* Checks a value that is not a number before anything changes: max_rate, or a state
 * variable of the model given as a valid distribution or one finite value per neuron. */
static void check_value(lua_State *L, const char *model, int n, const char *name, int idx,
                        const char *call) {
  char msg[1024];
  if (!strcmp(name, "max_rate")) {
    la_arg_num(L, idx, call, "max_rate", 0, HUGE_VAL);
    return;
  }
  int kind = soma_model_kind(model, name, msg, sizeof msg);
  if (kind <= 0) la_error(L, call, "%s", msg);
  if (kind == SOMA_MODEL_PARAM)
    la_error(L, call, "'%s' is a parameter of %s, one value for the whole population: give a "
             "number, not %s", name, model, la_typename(L, idx));
  soma_dist d;
  if (ld_test(L, idx, &d)) {
    if (soma_dist_check(&d, msg, sizeof msg)) la_error(L, call, "'%s': %s", name, msg);
    return;
  }
  if (!la_is_sequence(L, idx))
    la_error(L, call, "'%s' must be a number, a distribution or one value per neuron, got %s",
             name, la_typename(L, idx));
  size_t m;
  char what[80];
  snprintf(what, sizeof what, "'%s'", name);
  const double *v = la_doubles(L, idx, call, what, &m);
  if ((int)m != n)
    la_error(L, call, "'%s' has %zu values for %d neurons; give one per neuron, a number or a "
             "distribution", name, m, n);
  for (size_t i = 0; i < m; i++)
    if (!isfinite(v[i])) la_error(L, call, "'%s'[%zu] is %g; values must be finite", name, i + 1, v[i]);
  lua_pop(L, 1);
}

/* Applies a checked non-number value (check_value said yes). */
static void apply_value(lua_State *L, soma_net *net, soma_pop *pop, const char *name, int idx,
                        const char *call) {
  soma_dist d;
  int rc;
  if (!strcmp(name, "max_rate")) {
    rc = soma_pop_set_max_rate(pop, lua_tonumber(L, idx));
  } else if (ld_test(L, idx, &d)) {
    rc = soma_pop_set_var_dist(pop, name, &d);
  } else {
    size_t n;
    const double *v = la_doubles(L, idx, call, name, &n);
    rc = soma_pop_set_var(pop, name, v, (int)n);
    lua_pop(L, 1);
  }
  if (rc) lsoma_fail(L, net, call);
}

static int is_structural(const char *key) {
  for (int j = 0; pop_keys[j]; j++)
    if (!strcmp(key, pop_keys[j])) return 1;
  return 0;
}

/* The numbers of table idx as a soma_param list in a userdata pushed on the stack (with
 * structural set, name/model/n are left out); the other values are checked with check_value. */
static soma_param *split(lua_State *L, int idx, const char *model, int n, const char *call,
                         int structural) {
  int count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
  }
  soma_param *params = lua_newuserdatauv(L, sizeof(soma_param) * ((size_t)count + 1), 0);
  int k = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      la_error(L, call, "the table has a %s key; give values as name = value", la_typename(L, -2));
    const char *key = lua_tostring(L, -2);
    if (structural && is_structural(key) && strcmp(key, "max_rate")) {
      /* name, model, n: read by the caller */
    } else if (lua_type(L, -1) == LUA_TNUMBER && strcmp(key, "max_rate")) {
      params[k++] = (soma_param){key, lua_tonumber(L, -1)};
    } else {
      check_value(L, model, n, key, lua_gettop(L), call);
    }
    lua_pop(L, 1);
  }
  params[k].name = NULL;
  return params;
}

/* applies the values split() left out */
static void apply_rest(lua_State *L, int idx, soma_net *net, soma_pop *pop, const char *call,
                       int structural) {
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *key = lua_tostring(L, -2);
    int skip = structural && is_structural(key) && strcmp(key, "max_rate");
    if (!skip && (lua_type(L, -1) != LUA_TNUMBER || !strcmp(key, "max_rate")))
      apply_value(L, net, pop, key, lua_gettop(L), call);
    lua_pop(L, 1);
  }
}

/* net:pop{name = "E", model = "lif", n = 100, <parameter or state> = value, ...}: checked
 * completely before the population is made */
int lpop_create(lua_State *L) {
  const char *call = "net:pop";
  lnet *h;
  soma_net *net = lnet_check(L, 1, call, &h);
  la_table(L, 2, call, "a table: net:pop{name = \"E\", model = \"lif\", n = 100, ...}");
  const char *name = la_str(L, 2, call, "name", NULL);
  const char *model = la_str(L, 2, call, "model", NULL);
  if (!name) la_error(L, call, "give the population a name: net:pop{name = \"E\", ...}");
  if (!model) la_error(L, call, "give a model: net:pop{name = \"%s\", model = \"lif\", ...}; "
                       "soma.models() lists them", name);
  if (lua_getfield(L, 2, "n") == LUA_TNIL)
    la_error(L, call, "give the number of neurons: net:pop{name = \"%s\", n = 100, ...}", name);
  lua_pop(L, 1);
  int n = (int)la_int(L, 2, call, "n", 0, 1, INT32_MAX / 2);
  char msg[1024];
  if (soma_model_kind(model, "", msg, sizeof msg) < 0) {
    /* the engine's message suggests the closest model */
    if (!soma_pop_create(net, name, model, n, NULL)) lsoma_fail(L, net, call);
  }
  soma_param *params = split(L, 2, model, n, call, 1);
  soma_pop *pop = soma_pop_create(net, name, model, n, params);
  if (!pop) lsoma_fail(L, net, call);
  lua_pop(L, 1);
  apply_rest(L, 2, net, pop, call, 1);
  char label[96];
  snprintf(label, sizeof label, "population '%s'", name);
  lobj_push(L, 1, LSOMA_POP, soma_pop_index(pop), label);
  return 1;
}

/* pop:set{name = value, ...}: parameters, state variables (number, distribution or one value
 * per neuron) and max_rate, checked together: on error nothing changes */
static int p_set(lua_State *L) {
  soma_pop *pop = lpop_check(L, 1, "pop:set");
  la_table(L, 2, "pop:set", "a table of name = value");
  soma_net *net = ((lobj *)lua_touserdata(L, 1))->owner->net;
  soma_param *params = split(L, 2, soma_pop_model(pop), soma_pop_size(pop), "pop:set", 0);
  if (soma_pop_set_many(pop, params)) lsoma_fail(L, net, "pop:set");
  lua_pop(L, 1);
  apply_rest(L, 2, net, pop, "pop:set", 0);
  return 0;
}

static const void *var_base(lua_State *L, int owner_idx, int arg, size_t *avail) {
  (void)arg;
  soma_pop *pop = lpop_check(L, owner_idx, "population array");
  lua_getiuservalue(L, owner_idx, 2);   /* the variable's name */
  const float *p = soma_pop_var_data(pop, lua_tostring(L, -1));
  lua_pop(L, 1);
  *avail = (size_t)soma_pop_size(pop);
  return p;
}

/* pop:get(name): a parameter's value, or a live read-only view of a state variable (float32,
 * one per neuron; a:copy() keeps a snapshot) */
static int p_get(lua_State *L) {
  soma_pop *pop = lpop_check(L, 1, "pop:get");
  const char *name = la_arg_str(L, 2, "pop:get", "the name");
  double v;
  if (soma_pop_get_param(pop, name, &v) == SOMA_OK) {
    lua_pushnumber(L, v);
    return 1;
  }
  if (!soma_pop_var_data(pop, name))
    return lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "pop:get");
  /* the view's owner: a copy of the population handle carrying the variable name */
  lobj *o = lua_touserdata(L, 1);
  lua_getiuservalue(L, 1, 1);
  lobj_push(L, -1, LSOMA_POP, o->index, o->label);
  lua_pushstring(L, name);
  lua_setiuservalue(L, -2, 2);
  la_push_view(L, LA_F32, (size_t)soma_pop_size(pop), 0, -1, var_base, 0);
  return 1;
}

/* pop:add_spikes(ids, times): spike sources fire neurons ids (0-based) at times (ms) */
static int p_add_spikes(lua_State *L) {
  soma_pop *pop = lpop_check(L, 1, "pop:add_spikes");
  size_t n, m;
  const int32_t *ids = la_int32s(L, 2, "pop:add_spikes", "ids", 0, soma_pop_size(pop) - 1, &n);
  const double *t = la_doubles(L, 3, "pop:add_spikes", "times", &m);
  if (n != m) la_error(L, "pop:add_spikes", "%zu ids but %zu times; give one time per id", n, m);
  if (soma_pop_add_spikes(pop, n, ids, t))
    lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "pop:add_spikes");
  return 0;
}

/* pop:schedule(var, times, values): var of every neuron becomes values[k] at times[k] */
static int p_schedule(lua_State *L) {
  soma_pop *pop = lpop_check(L, 1, "pop:schedule");
  const char *var = la_arg_str(L, 2, "pop:schedule", "the variable");
  size_t n, m;
  const double *t = la_doubles(L, 3, "pop:schedule", "times", &n);
  const double *v = la_doubles(L, 4, "pop:schedule", "values", &m);
  if (n != m) la_error(L, "pop:schedule", "%zu times but %zu values; give one value per time", n, m);
  if (soma_pop_schedule(pop, var, n, t, v))
    lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "pop:schedule");
  return 0;
}

/* pop:poisson_input{rate = Hz, weight = w, port = "ex"} */
static int p_poisson_input(lua_State *L) {
  static const char *const known[] = {"rate", "weight", "port", NULL};
  const char *call = "pop:poisson_input";
  soma_pop *pop = lpop_check(L, 1, call);
  la_table(L, 2, call, "a table: pop:poisson_input{rate = 100, weight = 5, port = \"ex\"}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  if (lua_getfield(L, 2, "rate") == LUA_TNIL || lua_getfield(L, 2, "weight") == LUA_TNIL)
    la_error(L, call, "give both rate (Hz) and weight: pop:poisson_input{rate = 100, weight = 5}");
  lua_pop(L, 2);
  double rate = la_num(L, 2, call, "rate", 0, 0, HUGE_VAL);
  double w = la_num(L, 2, call, "weight", 0, -HUGE_VAL, HUGE_VAL);
  const char *port = la_str(L, 2, call, "port", "ex");
  if (soma_pop_poisson_input(pop, port, rate, w))
    lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, call);
  return 0;
}

static int p_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  soma_pop *pop = lpop_check(L, 1, "pop");
  if (!k) return la_error(L, "pop", "no field %s", la_typename(L, 2));
  if (!strcmp(k, "name")) lua_pushstring(L, soma_pop_name(pop));
  else if (!strcmp(k, "model")) lua_pushstring(L, soma_pop_model(pop));
  else if (!strcmp(k, "n")) lua_pushinteger(L, soma_pop_size(pop));
  else if (!strcmp(k, "first_id")) lua_pushinteger(L, soma_pop_first_id(pop));
  else if (!strcmp(k, "spikes")) lua_pushinteger(L, (lua_Integer)soma_pop_spike_count(pop));
  else
    return la_error(L, "pop", "no field '%s' (fields: name, model, n, first_id, spikes; methods: "
                    "set, get, add_spikes, schedule, poisson_input; parameters and state through "
                    "pop:get(\"%s\"))", k, k);
  return 1;
}

void lpop_open(lua_State *L) {
  static const luaL_Reg m[] = {{"set", p_set},
                               {"get", p_get},
                               {"add_spikes", p_add_spikes},
                               {"schedule", p_schedule},
                               {"poisson_input", p_poisson_input},
                               {"__index", p_index},
                               {"__tostring", lobj_tostring},
                               {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_POP);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}
