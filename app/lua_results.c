/* lua_results.c — what a script reports: soma.log{...} rows (a learning curve, one row per
 * trial) and soma.result{...} headline numbers, written as results.json ({"result": {...},
 * "log": [...]}) and results.csv (the log rows; columns sorted by name). When the script never
 * calls soma.result, its last logged row is the result. */
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_json.h"
#include "app/lua_soma.h"
#include "app/rundir.h"
#include "sim/json.h"

static const char *const LOG_KEY = "soma.log";
static const char *const RESULT_KEY = "soma.result";

/* pushes a deep copy of the value at idx for soma.result: numbers, strings, booleans, and
 * tables of them (arrays become tables: a snapshot) */
static void copy_value(lua_State *L, int idx, const char *call, const char *key, int depth) {
  idx = lua_absindex(L, idx);
  int t = lua_type(L, idx);
  if (t == LUA_TNUMBER || t == LUA_TSTRING || t == LUA_TBOOLEAN) {
    lua_pushvalue(L, idx);
    return;
  }
  if (luaL_testudata(L, idx, "soma.array")) {
    lua_getfield(L, idx, "table");
    lua_pushvalue(L, idx);
    lua_call(L, 1, 1);
    return;
  }
  if (t != LUA_TTABLE || depth > 16)
    la_error(L, call, "'%s' holds %s; results are numbers, strings, booleans, arrays and tables "
             "of them%s", key, la_typename(L, idx), depth > 16 ? " (nested at most 16 deep)" : "");
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int kt = lua_type(L, -2);
    if (kt != LUA_TSTRING && kt != LUA_TNUMBER)
      la_error(L, call, "'%s' has a %s key; tables in results have names or indices as keys", key,
               la_typename(L, -2));
    copy_value(L, -1, call, key, depth + 1);
    lua_pushvalue(L, -3);
    lua_insert(L, -2);
    lua_rawset(L, -5);
    lua_pop(L, 1);
  }
}

/* copies the flat table at idx, checking its values, and pushes the copy */
static void copy_row(lua_State *L, int idx, const char *call, int allow_lists) {
  la_table(L, idx, call, "a table of name = value, e.g. {trial = 3, reward = 1}");
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      la_error(L, call, "the table has a %s key; give values as name = value", la_typename(L, -2));
    int t = lua_type(L, -1);
    int ok = t == LUA_TNUMBER || t == LUA_TSTRING || t == LUA_TBOOLEAN;
    if (allow_lists && (t == LUA_TTABLE || luaL_testudata(L, -1, "soma.array"))) ok = 1;
    if (!ok)
      la_error(L, call, "'%s' is %s; %s", lua_tostring(L, -2), la_typename(L, -1),
               allow_lists ? "results are numbers, strings, booleans or lists of them"
                           : "log numbers, strings or booleans (soma.result takes lists)");
    if (allow_lists) {
      /* a snapshot: a view would change, or die with its network, before it is written */
      copy_value(L, -1, call, lua_tostring(L, -2), 0);
      lua_remove(L, -2);
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
}

static int l_log(lua_State *L) {
  copy_row(L, 1, "soma.log", 0);
  lua_getfield(L, LUA_REGISTRYINDEX, LOG_KEY);
  lua_insert(L, -2);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  return 0;
}

static int l_result(lua_State *L) {
  copy_row(L, 1, "soma.result", 1);
  lua_getfield(L, LUA_REGISTRYINDEX, RESULT_KEY);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, RESULT_KEY);
  }
  lua_pushnil(L);
  while (lua_next(L, -3)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
  return 0;
}

/* soma.logged(): a copy of the rows logged so far (for plots and summaries in the script) */
static int l_logged(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, LOG_KEY);
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  lua_createtable(L, (int)n, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -2, i);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, -3)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
    lua_rawseti(L, -3, i);
    lua_pop(L, 1);
  }
  return 1;
}

void lresults_open(lua_State *L) {
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, LOG_KEY);
  lua_pushcfunction(L, l_log);
  lua_setfield(L, -2, "log");
  lua_pushcfunction(L, l_result);
  lua_setfield(L, -2, "result");
  lua_pushcfunction(L, l_logged);
  lua_setfield(L, -2, "logged");
}

static void csv_value(lua_State *L, int idx, FILE *f) {
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) fprintf(f, "%lld", (long long)lua_tointeger(L, idx));
      else if (isfinite(lua_tonumber(L, idx))) soma_json_num(f, lua_tonumber(L, idx));
      else fputs(isnan(lua_tonumber(L, idx)) ? "nan" : lua_tonumber(L, idx) > 0 ? "inf" : "-inf", f);
      break;
    case LUA_TBOOLEAN: fputs(lua_toboolean(L, idx) ? "true" : "false", f); break;
    case LUA_TSTRING: {
      const char *s = lua_tostring(L, idx);
      if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        break;
      }
      fputc('"', f);
      for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
      }
      fputc('"', f);
      break;
    }
    default: break;
  }
}

int lresults_write(lua_State *L, const char *dir, char *err, size_t errlen) {
  int top = lua_gettop(L);
  lua_getfield(L, LUA_REGISTRYINDEX, LOG_KEY);
  int log = lua_gettop(L);
  lua_Integer rows = (lua_Integer)lua_rawlen(L, log);
  lua_getfield(L, LUA_REGISTRYINDEX, RESULT_KEY);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    if (rows > 0) lua_rawgeti(L, log, rows);
    else lua_newtable(L);
  }
  int result = lua_gettop(L);
  FILE *f = rundir_open(dir, "results.json", err, errlen);
  if (!f) return lua_settop(L, top), -1;
  fputs("{\"result\": ", f);
  int rc = lj_write(L, result, f);
  if (!rc) {
    fputs(",\n \"log\": [", f);
    for (lua_Integer i = 1; !rc && i <= rows; i++) {
      fputs(i > 1 ? ",\n  " : "\n  ", f);
      lua_rawgeti(L, log, i);
      rc = lj_write(L, -1, f);
      lua_pop(L, 1);
    }
    fputs("]}\n", f);
  }
  if (rc) {
    snprintf(err, errlen, "results.json: %s", lua_tostring(L, -1));
    char tmp[4200];
    fclose(f);
    snprintf(tmp, sizeof tmp, "%s/results.json.tmp", dir);
    remove(tmp);
  } else if (rundir_commit(f, dir, "results.json", err, errlen)) {
    rc = -1;
  }
  if (rc || rows == 0) return lua_settop(L, top), rc;

  /* the CSV: the union of the rows' keys, sorted */
  lua_newtable(L);
  int all = lua_gettop(L);
  for (lua_Integer i = 1; i <= rows; i++) {
    lua_rawgeti(L, log, i);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_pushboolean(L, 1);
      lua_rawset(L, all);
    }
    lua_pop(L, 1);
  }
  lj_sorted_keys(L, all);
  int cols = lua_gettop(L);
  lua_Integer nc = (lua_Integer)lua_rawlen(L, cols);
  f = rundir_open(dir, "results.csv", err, errlen);
  if (!f) return lua_settop(L, top), -1;
  for (lua_Integer c = 1; c <= nc; c++) {
    lua_rawgeti(L, cols, c);
    if (c > 1) fputc(',', f);
    csv_value(L, -1, f);
    lua_pop(L, 1);
  }
  fputc('\n', f);
  for (lua_Integer i = 1; i <= rows; i++) {
    lua_rawgeti(L, log, i);
    for (lua_Integer c = 1; c <= nc; c++) {
      if (c > 1) fputc(',', f);
      lua_rawgeti(L, cols, c);
      lua_rawget(L, -2);
      csv_value(L, -1, f);
      lua_pop(L, 1);
    }
    fputc('\n', f);
    lua_pop(L, 1);
  }
  rc = rundir_commit(f, dir, "results.csv", err, errlen);
  lua_settop(L, top);
  return rc;
}
