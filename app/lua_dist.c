/* lua_dist.c — the soma.distribution userdata. */
#include "lua_dist.h"

#include <lauxlib.h>
#include <math.h>

#include "app/lua_args.h"

#define MT "soma.distribution"

static void push(lua_State *L, soma_dist d, const char *call) {
  char msg[256];
  if (soma_dist_check(&d, msg, sizeof msg)) la_error(L, call, "%s", msg);
  soma_dist *u = lua_newuserdatauv(L, sizeof *u, 0);
  *u = d;
  luaL_setmetatable(L, MT);
}

int ld_test(lua_State *L, int idx, soma_dist *out) {
  soma_dist *d = luaL_testudata(L, idx, MT);
  if (d) *out = *d;
  return d != NULL;
}

soma_dist ld_check(lua_State *L, int idx, const char *call, const char *what) {
  soma_dist d;
  if (lua_type(L, idx) == LUA_TNUMBER) return soma_dist_const(lua_tonumber(L, idx));
  if (ld_test(L, idx, &d)) return d;
  la_error(L, call, "%s must be a number or a distribution (soma.normal(mean, sd), "
           "soma.uniform(low, high), ...), got %s", what, la_typename(L, idx));
}

static double arg(lua_State *L, int i, const char *call, const char *what) {
  return la_arg_num(L, i, call, what, -HUGE_VAL, HUGE_VAL);
}

static int l_constant(lua_State *L) {
  push(L, soma_dist_const(arg(L, 1, "soma.constant", "the value")), "soma.constant");
  return 1;
}

static int l_uniform(lua_State *L) {
  double lo = arg(L, 1, "soma.uniform", "low"), hi = arg(L, 2, "soma.uniform", "high");
  if (!(lo < hi)) la_error(L, "soma.uniform", "low (%g) must be below high (%g)", lo, hi);
  push(L, soma_dist_uniform(lo, hi), "soma.uniform");
  return 1;
}

static int l_normal(lua_State *L) {
  double m = arg(L, 1, "soma.normal", "the mean");
  double sd = la_arg_num(L, 2, "soma.normal", "the standard deviation", 0, HUGE_VAL);
  push(L, soma_dist_normal(m, sd), "soma.normal");
  return 1;
}

static int l_lognormal(lua_State *L) {
  double mu = arg(L, 1, "soma.lognormal", "mu");
  double s = la_arg_num(L, 2, "soma.lognormal", "sigma", 0, HUGE_VAL);
  push(L, soma_dist_lognormal(mu, s), "soma.lognormal");
  return 1;
}

static int l_exponential(lua_State *L) {
  push(L, soma_dist_exponential(la_arg_num(L, 1, "soma.exponential", "the mean", 0, HUGE_VAL)),
       "soma.exponential");
  return 1;
}

static int l_gamma(lua_State *L) {
  double k = la_arg_num(L, 1, "soma.gamma", "the shape k", 0, HUGE_VAL);
  double th = la_arg_num(L, 2, "soma.gamma", "the scale theta", 0, HUGE_VAL);
  push(L, soma_dist_gamma(k, th), "soma.gamma");
  return 1;
}

/* d:clip(lo, hi): the distribution truncated to [lo, hi] by redrawing */
static int d_clip(lua_State *L) {
  soma_dist d = *(soma_dist *)luaL_checkudata(L, 1, MT);
  /* nil or +-math.huge: unbounded on that side */
  for (int i = 2; i <= 3; i++)
    if (!lua_isnoneornil(L, i) && (lua_type(L, i) != LUA_TNUMBER || isnan(lua_tonumber(L, i))))
      la_error(L, "dist:clip", "%s must be a number (or nil: no bound), got %s", i == 2 ? "lo" : "hi",
               la_typename(L, i));
  double lo = lua_isnoneornil(L, 2) ? -INFINITY : lua_tonumber(L, 2);
  double hi = lua_isnoneornil(L, 3) ? INFINITY : lua_tonumber(L, 3);
  if (!(lo < hi)) la_error(L, "dist:clip", "lo (%g) must be below hi (%g)", lo, hi);
  push(L, soma_dist_clip(d, lo, hi), "dist:clip");
  return 1;
}

static int d_tostring(lua_State *L) {
  char buf[160];
  lua_pushstring(L, soma_dist_format(luaL_checkudata(L, 1, MT), buf, sizeof buf));
  return 1;
}

void ld_open(lua_State *L) {
  luaL_newmetatable(L, MT);
  lua_newtable(L);
  lua_pushcfunction(L, d_clip);
  lua_setfield(L, -2, "clip");
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, d_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  static const luaL_Reg fns[] = {{"constant", l_constant},   {"uniform", l_uniform},
                                 {"normal", l_normal},       {"lognormal", l_lognormal},
                                 {"exponential", l_exponential}, {"gamma", l_gamma},
                                 {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
}
