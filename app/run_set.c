/* run_set.c — the --set overrides of `soma run` (see run_set.h): the KEY=VALUE split and the
 * typing of VALUE after the script's default. */
#include "app/run_set.h"

#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/lua_json.h"
#include "sim/param.h"

int run_set_parse(const char *text, run_setting *s, char *err, size_t errlen) {
  const char *eq = strchr(text, '=');
  if (!eq || eq == text) {
    snprintf(err, errlen, "--set: expected KEY=VALUE, got '%s'", text);
    return 2;
  }
  char *key = strndup(text, (size_t)(eq - text));
  if (!key) {
    snprintf(err, errlen, "--set: out of memory");
    return 2;
  }
  s->text = text;
  s->key = key;
  s->value = eq + 1;
  s->used = 0;
  return 0;
}

static int set_error(lua_State *L, const run_setting *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_error(lua_State *L, const run_setting *s, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  lua_pushfstring(L, "--set %s: %s", s->text, msg);   /* no script location: a usage error */
  return lua_error(L);
}

void run_set_apply(lua_State *L, int idx, run_setting *s) {
  idx = lua_absindex(L, idx);
  int t = lua_getfield(L, idx, s->key);
  if (t == LUA_TNIL) {
    lj_sorted_keys(L, idx);
    int n = (int)lua_rawlen(L, -1);
    const char **names = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1), 0);
    for (int i = 0; i < n; i++) {
      lua_rawgeti(L, -2, i + 1);
      names[i] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    char list[1024];
    soma_join_names(names, sizeof *names, n, list, sizeof list);
    const char *guess = soma_closest_name(s->key, names, n);
    if (guess) set_error(L, s, "the script has no parameter '%s' (did you mean '%s'?); its parameters: %s", s->key, guess, list);
    set_error(L, s, "the script has no parameter '%s'; its parameters: %s", s->key, n ? list : "(none)");
  }
  if (t == LUA_TNUMBER) {
    int whole = lua_isinteger(L, -1);
    if (!lua_stringtonumber(L, s->value))
      set_error(L, s, "params.%s is a number (default %s), and '%s' is not", s->key,
                lua_tostring(L, -1), s->value);
    double v = lua_tonumber(L, -1);
    if (!isfinite(v))
      set_error(L, s, "params.%s is a number (default %s), and '%s' is not a finite one", s->key,
                lua_tostring(L, -2), s->value);
    /* a whole default takes whole values as integers ("10.0" too) and fractions as floats
     * (a default of 0 often stands for any number); a fractional default keeps floats */
    if (whole && !lua_isinteger(L, -1)) {
      if (v == floor(v) && fabs(v) < 9e15) lua_pushinteger(L, (lua_Integer)v);
      else lua_pushnumber(L, v);
    } else if (!whole) {
      lua_pushnumber(L, v);
    } else {
      lua_pushvalue(L, -1);
    }
  } else if (t == LUA_TBOOLEAN) {
    const char *v = s->value;
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"))
      lua_pushboolean(L, 1);
    else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "off"))
      lua_pushboolean(L, 0);
    else
      set_error(L, s, "params.%s is true or false, and '%s' is neither", s->key, v);
  } else if (t == LUA_TSTRING) {
    lua_pushstring(L, s->value);
  } else {
    set_error(L, s, "params.%s is a %s; --set changes numbers, strings and booleans", s->key,
              luaL_typename(L, -1));
  }
  lua_setfield(L, idx, s->key);
  lua_settop(L, idx);
  s->used = 1;
}
