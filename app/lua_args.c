/* lua_args.c — argument checking for the Lua bindings. */
#include "lua_args.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/param.h"

int la_error(lua_State *L, const char *call, const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  luaL_where(L, 1);
  lua_pushfstring(L, "%s: %s", call, msg);
  lua_concat(L, 2);
  lua_error(L);
  __builtin_unreachable();
}

const char *la_typename(lua_State *L, int idx) {
  int t = luaL_getmetafield(L, idx, "__name");
  if (t != LUA_TNIL) {
    /* the name string stays alive in the metatable after the pop */
    const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);
    if (s) return s;
  }
  if (lua_isinteger(L, idx)) return "integer";
  return luaL_typename(L, idx);
}

void la_table(lua_State *L, int idx, const char *call, const char *what) {
  if (!lua_istable(L, idx)) la_error(L, call, "expected %s, got %s", what, la_typename(L, idx));
}

void la_known_keys(lua_State *L, int idx, const char *call, const char *const *known,
                   int (*is_extra)(void *ctx, const char *key), void *ctx) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      la_error(L, call, "the table has a %s key; give options as name = value", la_typename(L, -1));
    const char *key = lua_tostring(L, -1);
    int ok = is_extra && is_extra(ctx, key);
    int n = 0;
    for (; known[n]; n++) ok |= !strcmp(known[n], key);
    if (ok) continue;
    char list[1024];
    soma_join_names(known, sizeof *known, n, list, sizeof list);
    const char *guess = soma_closest_name(key, known, n);
    if (guess) la_error(L, call, "unknown option '%s' (did you mean '%s'?); options: %s", key, guess, list);
    la_error(L, call, "unknown option '%s'; options: %s", key, list);
  }
}

/* pushes field key of the table at idx and names it in what ("'key'"); 0 (nothing pushed)
 * when it is nil */
static int present(lua_State *L, int idx, const char *key, char *what, size_t n) {
  if (lua_getfield(L, idx, key) == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  snprintf(what, n, "'%s'", key);
  return 1;
}

static void range_error(lua_State *L, const char *call, const char *what, double v, double lo,
                        double hi, int whole) {
  char range[96];
  if (lo == -INFINITY && hi == INFINITY) snprintf(range, sizeof range, "a finite number");
  else if (hi == INFINITY) snprintf(range, sizeof range, ">= %.17g", lo);
  else if (lo == -INFINITY) snprintf(range, sizeof range, "<= %.17g", hi);
  else snprintf(range, sizeof range, "from %.17g to %.17g", lo, hi);
  if (lo == -INFINITY && hi == INFINITY)
    la_error(L, call, "%s must be a finite number (got %.17g)", what, v);
  la_error(L, call, "%s must be %s%s (got %.17g)", what, whole ? "a whole number " : "", range, v);
}

static double checked_num(lua_State *L, int at, const char *call, const char *what, double lo,
                          double hi) {
  if (lua_type(L, at) != LUA_TNUMBER)
    la_error(L, call, "%s must be a number, got %s", what, la_typename(L, at));
  double v = lua_tonumber(L, at);
  if (!(v >= lo && v <= hi) || !isfinite(v)) range_error(L, call, what, v, lo, hi, 0);
  return v;
}

static int64_t checked_int(lua_State *L, int at, const char *call, const char *what, int64_t lo,
                           int64_t hi) {
  lua_Integer v;
  if (lua_isinteger(L, at)) {
    v = lua_tointeger(L, at);
  } else if (lua_type(L, at) == LUA_TNUMBER) {
    double d = lua_tonumber(L, at);
    if (!(d == floor(d)) || fabs(d) > 9e15) range_error(L, call, what, d, (double)lo, (double)hi, 1);
    v = (lua_Integer)d;
  } else {
    la_error(L, call, "%s must be a whole number, got %s", what, la_typename(L, at));
  }
  if (v < lo || v > hi) range_error(L, call, what, (double)v, (double)lo, (double)hi, 1);
  return v;
}

double la_num(lua_State *L, int idx, const char *call, const char *key, double def, double lo,
              double hi) {
  char what[96];
  if (!present(L, idx, key, what, sizeof what)) return def;
  double v = checked_num(L, -1, call, what, lo, hi);
  lua_pop(L, 1);
  return v;
}

int64_t la_int(lua_State *L, int idx, const char *call, const char *key, int64_t def, int64_t lo,
               int64_t hi) {
  char what[96];
  if (!present(L, idx, key, what, sizeof what)) return def;
  int64_t v = checked_int(L, -1, call, what, lo, hi);
  lua_pop(L, 1);
  return v;
}

const char *la_str(lua_State *L, int idx, const char *call, const char *key, const char *def) {
  char what[96];
  if (!present(L, idx, key, what, sizeof what)) return def;
  if (lua_type(L, -1) != LUA_TSTRING) la_error(L, call, "'%s' must be a string, got %s", key, la_typename(L, -1));
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 1);   /* still referenced by the table */
  return s;
}

int la_bool(lua_State *L, int idx, const char *call, const char *key, int def) {
  char what[96];
  if (!present(L, idx, key, what, sizeof what)) return def;
  if (lua_type(L, -1) != LUA_TBOOLEAN) la_error(L, call, "'%s' must be true or false, got %s", key, la_typename(L, -1));
  int v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

double la_arg_num(lua_State *L, int idx, const char *call, const char *what, double lo, double hi) {
  return checked_num(L, idx, call, what, lo, hi);
}

int64_t la_arg_int(lua_State *L, int idx, const char *call, const char *what, int64_t lo,
                   int64_t hi) {
  return checked_int(L, idx, call, what, lo, hi);
}

const char *la_arg_str(lua_State *L, int idx, const char *call, const char *what) {
  if (lua_type(L, idx) != LUA_TSTRING)
    la_error(L, call, "%s must be a string, got %s", what, la_typename(L, idx));
  return lua_tostring(L, idx);
}
