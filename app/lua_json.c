/* lua_json.c — writing Lua values as JSON. */
#include "lua_json.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "sim/json.h"

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void lj_sorted_keys(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_newtable(L);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, -3, ++n);
    }
  }
  const char **names = lua_newuserdatauv(L, sizeof(char *) * (size_t)(n ? n : 1), 0);
  for (int i = 0; i < n; i++) {
    lua_rawgeti(L, -2, i + 1);
    names[i] = lua_tostring(L, -1);
    lua_pop(L, 1);   /* kept alive by the table */
  }
  qsort(names, (size_t)n, sizeof *names, cmp_str);
  lua_newtable(L);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, names[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_replace(L, -3);
  lua_pop(L, 1);
}

static int is_sequence(lua_State *L, int idx, lua_Integer *len) {
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
  }
  *len = n;
  return count == n && n > 0;
}

static int write(lua_State *L, int idx, FILE *f, int depth) {
  idx = lua_absindex(L, idx);
  if (depth > 32) {
    lua_pushstring(L, "nesting deeper than 32 (or a table that contains itself)");
    return -1;
  }
  switch (lua_type(L, idx)) {
    case LUA_TNIL: fputs("null", f); return 0;
    case LUA_TBOOLEAN: fputs(lua_toboolean(L, idx) ? "true" : "false", f); return 0;
    case LUA_TSTRING: soma_json_str(f, lua_tostring(L, idx)); return 0;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) fprintf(f, "%lld", (long long)lua_tointeger(L, idx));
      else soma_json_num(f, lua_tonumber(L, idx));
      return 0;
    case LUA_TUSERDATA:
      if (luaL_testudata(L, idx, "soma.array")) {
        lua_getfield(L, idx, "table");
        lua_pushvalue(L, idx);
        lua_call(L, 1, 1);
        int rc = write(L, -1, f, depth + 1);
        if (rc == 0) lua_pop(L, 1);
        return rc;
      }
      break;
    case LUA_TTABLE: {
      lua_Integer n;
      if (is_sequence(L, idx, &n)) {
        fputc('[', f);
        for (lua_Integer i = 1; i <= n; i++) {
          if (i > 1) fputs(", ", f);
          lua_rawgeti(L, idx, i);
          if (write(L, -1, f, depth + 1)) return -1;
          lua_pop(L, 1);
        }
        fputc(']', f);
        return 0;
      }
      lj_sorted_keys(L, idx);
      int keys = lua_gettop(L);
      lua_Integer nk = (lua_Integer)lua_rawlen(L, keys);
      fputc('{', f);
      for (lua_Integer i = 1; i <= nk; i++) {
        lua_rawgeti(L, keys, i);
        if (i > 1) fputs(", ", f);
        soma_json_str(f, lua_tostring(L, -1));
        fputs(": ", f);
        lua_rawget(L, idx);
        if (write(L, -1, f, depth + 1)) return -1;
        lua_pop(L, 1);
      }
      fputc('}', f);
      lua_pop(L, 1);
      return 0;
    }
    default: break;
  }
  lua_pushfstring(L, "a %s cannot be written as JSON", luaL_typename(L, idx));
  return -1;
}

int lj_write(lua_State *L, int idx, FILE *f) {
  int top = lua_gettop(L);
  int rc = write(L, idx, f, 0);
  if (rc) {
    lua_replace(L, top + 1);   /* keep only the message */
    lua_settop(L, top + 1);
  }
  return rc;
}
