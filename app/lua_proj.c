/* lua_proj.c — projections from Lua: net:connect(pre, post, {...}) and the projection's
 * methods (reading and replacing synapses). */
#include <lauxlib.h>
#include <math.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_dist.h"
#include "app/lua_soma.h"
#include "sim/param.h"

static const char *const rules[] = {"all_to_all", "one_to_one", "bernoulli", "fixed_indegree",
                                    "fixed_outdegree", "list", NULL};

/* net:connect(pre, post, {rule = "bernoulli", p = 0.02, weight = 6, delay = 1.5, port = "ex",
 *                         name = "E->I", autapses = false, multapses = true, k = 10,
 *                         pre_ids = {...}, post_ids = {...}}) */
int lproj_create(lua_State *L) {
  static const char *const known[] = {"rule", "p", "k", "weight", "delay", "port", "name",
                                      "autapses", "multapses", "pre_ids", "post_ids",
                                      "plasticity", NULL};
  const char *call = "net:connect";
  lnet *h;
  soma_net *net = lnet_check(L, 1, call, &h);
  soma_pop *pre = lpop_check(L, 2, call), *post = lpop_check(L, 3, call);
  for (int k = 2; k <= 3; k++) {
    const lobj *o = lua_touserdata(L, k);
    if (o->owner != h)
      la_error(L, call, "%s belongs to network %d%s%s%s, not to this one (network %d%s%s%s): "
               "both populations must belong to this network", o->label,
               o->owner->number, o->owner->name[0] ? " '" : "", o->owner->name,
               o->owner->name[0] ? "'" : "", h->number, h->name[0] ? " '" : "", h->name,
               h->name[0] ? "'" : "");
  }
  if (lua_isnoneornil(L, 4)) {
    lua_settop(L, 3);
    lua_newtable(L);
  }
  la_table(L, 4, call, "a table of options: net:connect(pre, post, {rule = \"bernoulli\", p = 0.1})");
  la_known_keys(L, 4, call, known, NULL, NULL);
  soma_conn c = soma_conn_defaults();
  const char *rule = la_str(L, 4, call, "rule", "all_to_all");
  int r = 0;
  while (rules[r] && strcmp(rules[r], rule)) r++;
  if (!rules[r]) {
    const char *guess = soma_closest_name(rule, rules, r);
    la_error(L, call, "unknown rule '%s'%s%s%s (rules: all_to_all, one_to_one, bernoulli, "
             "fixed_indegree, fixed_outdegree, list)", rule, guess ? " (did you mean '" : "",
             guess ? guess : "", guess ? "'?)" : "");
  }
  c.rule = (soma_conn_rule)r;
  int needs_p = c.rule == SOMA_CONN_BERNOULLI;
  int needs_k = c.rule == SOMA_CONN_FIXED_INDEGREE || c.rule == SOMA_CONN_FIXED_OUTDEGREE;
  int is_list = c.rule == SOMA_CONN_LIST;
  static const char *const only[] = {"p", "k", "pre_ids", "post_ids", NULL};
  const int wanted[] = {needs_p, needs_k, is_list, is_list};
  for (int i = 0; only[i]; i++) {
    int given = lua_getfield(L, 4, only[i]) != LUA_TNIL;
    lua_pop(L, 1);
    if (given && !wanted[i])
      la_error(L, call, "'%s' does not apply to rule '%s'", only[i], rule);
    if (!given && wanted[i])
      la_error(L, call, "rule '%s' needs '%s'%s", rule, only[i],
               i == 0 ? " (the connection probability)" : i == 1 ? " (the number of connections per neuron)"
                                                                : " (the neuron indices, 0-based)");
  }
  c.p = la_num(L, 4, call, "p", 0, -HUGE_VAL, HUGE_VAL);
  c.k = (int)la_int(L, 4, call, "k", 0, 0, INT32_MAX);
  c.autapses = la_bool(L, 4, call, "autapses", c.autapses);
  c.multapses = la_bool(L, 4, call, "multapses", c.multapses);
  c.port = la_str(L, 4, call, "port", "ex");
  size_t n_w = 0, n_d = 0;
  const double *ws = NULL, *ds = NULL;
  if (is_list) {
    size_t n_post;
    c.pre_ids = la_int32s(L, (lua_getfield(L, 4, "pre_ids"), -1), call, "pre_ids", 0,
                          soma_pop_size(pre) - 1, &c.n);
    c.post_ids = la_int32s(L, (lua_getfield(L, 4, "post_ids"), -1), call, "post_ids", 0,
                           soma_pop_size(post) - 1, &n_post);
    if (n_post != c.n)
      la_error(L, call, "pre_ids has %zu entries but post_ids has %zu", c.n, n_post);
  }
  /* weight and delay: a number, a distribution, or (rule "list") one value per synapse */
  lua_getfield(L, 4, "weight");
  if (is_list && la_is_sequence(L, -1)) ws = la_doubles(L, -1, call, "weight", &n_w);
  else if (!lua_isnil(L, -1)) c.weight = ld_check(L, -1, call, "'weight'");
  lua_getfield(L, 4, "delay");
  if (is_list && la_is_sequence(L, -1)) ds = la_doubles(L, -1, call, "delay", &n_d);
  else if (!lua_isnil(L, -1)) c.delay = ld_check(L, -1, call, "'delay'");
  if ((ws && n_w != c.n) || (ds && n_d != c.n))
    la_error(L, call, "weight and delay lists need one value per synapse (%zu)", c.n);
  c.weights = ws;
  c.delays = ds;
  char auto_name[160];
  const char *name = la_str(L, 4, call, "name", NULL);
  if (!name) {
    /* "E->I", then "E->I#2", ... (the name seeds the synapses, so it must not depend on chance) */
    snprintf(auto_name, sizeof auto_name, "%s->%s", soma_pop_name(pre), soma_pop_name(post));
    for (int k = 2; k < 100000; k++) {
      int taken = 0;
      for (int i = 0; i < soma_net_proj_count(net); i++)
        taken |= !strcmp(soma_proj_name(soma_net_proj(net, i)), auto_name);
      if (!taken) break;
      snprintf(auto_name, sizeof auto_name, "%s->%s#%d", soma_pop_name(pre), soma_pop_name(post), k);
    }
    name = auto_name;
  }
  if (lua_getfield(L, 4, "plasticity") != LUA_TNIL)
    la_table(L, -1, call, "'plasticity' as a table: {rule = \"stdp\", A_plus = 0.01, ...}");
  lua_pop(L, 1);
  soma_proj *pr = soma_proj_create(net, name, pre, post, &c);
  if (!pr) lsoma_fail(L, net, call);
  if (lua_getfield(L, 4, "plasticity") != LUA_TNIL) lplastic_attach(L, net, pr, -1, call);
  lua_pop(L, 1);
  char label[96];
  snprintf(label, sizeof label, "projection '%.80s'", name);
  lobj_push(L, 1, LSOMA_PROJ, soma_net_proj_count(net) - 1, label);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, -2, 2);
  lua_pushvalue(L, 3);
  lua_setiuservalue(L, -2, 3);
  return 1;
}

/* proj:get(): {pre = int32, post = int32, weight = float64, delay = float64 (ms)} arrays, one
 * entry per synapse, by pre then post (0-based indices) */
static int j_get(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:get");
  size_t n = soma_proj_size(pr);
  lua_createtable(L, 0, 4);
  int32_t *pre = la_push_owned(L, LA_I32, n, 0);
  lua_setfield(L, -2, "pre");
  int32_t *post = la_push_owned(L, LA_I32, n, 0);
  lua_setfield(L, -2, "post");
  double *w = la_push_owned(L, LA_F64, n, 0);
  lua_setfield(L, -2, "weight");
  double *d = la_push_owned(L, LA_F64, n, 0);
  lua_setfield(L, -2, "delay");
  soma_proj_get(pr, pre, post, w, d);
  return 1;
}

/* proj:weights(): a float64 array of the weights, in the order of proj:get() */
static int j_weights(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:weights");
  double *w = la_push_owned(L, LA_F64, soma_proj_size(pr), 0);
  soma_proj_get(pr, NULL, NULL, w, NULL);
  return 1;
}

/* proj:set_weights(w): one number for all, or one value per synapse (order of proj:get()) */
static int j_set_weights(lua_State *L) {
  soma_proj *pr = lproj_check(L, 1, "proj:set_weights");
  int rc;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    double w = lua_tonumber(L, 2);
    rc = soma_proj_set_weights(pr, &w, 1);
  } else {
    size_t n;
    const double *w = la_doubles(L, 2, "proj:set_weights", "the weights", &n);
    rc = soma_proj_set_weights(pr, w, n);
  }
  if (rc) lsoma_fail(L, ((lobj *)lua_touserdata(L, 1))->owner->net, "proj:set_weights");
  return 0;
}

static int j_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  soma_proj *pr = lproj_check(L, 1, "proj");
  if (!k) return la_error(L, "proj", "no field %s", la_typename(L, 2));
  if (!strcmp(k, "name")) lua_pushstring(L, soma_proj_name(pr));
  else if (!strcmp(k, "size")) lua_pushinteger(L, (lua_Integer)soma_proj_size(pr));
  else if (!strcmp(k, "pre")) lua_getiuservalue(L, 1, 2);
  else if (!strcmp(k, "post")) lua_getiuservalue(L, 1, 3);
  else if (!strcmp(k, "rule")) lua_pushstring(L, soma_proj_rule(pr));   /* nil when static */
  else
    return la_error(L, "proj", "no field '%s' (fields: name, size, pre, post, rule; methods: get, "
                    "weights, set_weights, plastic)", k);
  return 1;
}

void lproj_open(lua_State *L) {
  static const luaL_Reg m[] = {{"get", j_get},         {"weights", j_weights},
                               {"set_weights", j_set_weights}, {"__index", j_index},
                               {"__tostring", lobj_tostring},     {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_PROJ);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}
