/* set.c — fuzz target for `soma run --set KEY=VALUE` (app/run_set.c): the split, then the
 * typing against a params table of defaults made from the input (whole and fractional
 * numbers, booleans, strings, a table, and names near each other so that suggestions run).
 * A refused --set raises "--set TEXT: ..." and leaves the table as it was; an accepted one
 * keeps the default's type (a whole default and a whole value: an integer) and a finite
 * number. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "app/run_set.h"
#include "tests/fuzz/fuzz.h"

static int apply(lua_State *l) {
  run_set_apply(l, 1, lua_touserdata(l, 2));
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_State *L = luaL_newstate();   /* per input: what one allocates, it frees (for LSan) */
  if (!L) abort();
  fuzz_in in = {data, size};
  static const char *const names[] = {"n", "g", "quick", "name", "w_ext", "w_ex", "episodes",
                                      "tbl", "rate", "demo"};
  lua_newtable(L);
  int n_keys = (int)fuzz_pick(&in, 12);
  char key[64], text[1024];
  for (int k = 0; k < n_keys; k++) {
    unsigned pick = fuzz_pick(&in, 12);
    if (pick < 10) snprintf(key, sizeof key, "%s", names[pick]);
    else fuzz_text(&in, key, sizeof key);
    switch (fuzz_pick(&in, 6)) {
      case 0: lua_pushinteger(L, (lua_Integer)fuzz_pick(&in, 200) - 50); break;
      case 1: lua_pushnumber(L, fuzz_number(&in)); break;
      case 2: lua_pushboolean(L, fuzz_byte(&in) & 1); break;
      case 3: lua_pushstring(L, fuzz_text(&in, text, 32)); break;
      case 4: lua_newtable(L); break;
      default: lua_pushinteger(L, 0); break;
    }
    lua_setfield(L, 1, key);
  }
  fuzz_text(&in, text, sizeof text);
  run_setting s;
  char err[4200];
  if (run_set_parse(text, &s, err, sizeof err)) {
    FUZZ_ASSERT(!strncmp(err, "--set: expected KEY=VALUE", 25), "message: %s", err);
    lua_close(L);
    return 0;
  }
  int before = lua_getfield(L, 1, s.key);
  int was_int = lua_isinteger(L, -1);
  lua_pop(L, 1);
  lua_pushcfunction(L, apply);
  lua_pushvalue(L, 1);
  lua_pushlightuserdata(L, &s);
  int rc = lua_pcall(L, 2, 0, 0);
  if (rc != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    FUZZ_ASSERT(msg && !strncmp(msg, "--set ", 6) && !strncmp(msg + 6, text, strlen(text)),
                "message: %s", msg ? msg : "(none)");
    FUZZ_ASSERT(!s.used, "used after an error");
    lua_pop(L, 1);
  } else {
    FUZZ_ASSERT(s.used, "not marked used");
    int after = lua_getfield(L, 1, s.key);
    FUZZ_ASSERT(after == before, "type %d became %d", before, after);
    if (after == LUA_TNUMBER) {
      FUZZ_ASSERT(isfinite(lua_tonumber(L, -1)), "not finite");
      if (!was_int) FUZZ_ASSERT(!lua_isinteger(L, -1), "a fractional default became an integer");
    }
    if (after == LUA_TSTRING) FUZZ_ASSERT(!strcmp(lua_tostring(L, -1), s.value), "string");
    lua_pop(L, 1);
  }
  free(s.key);
  lua_close(L);
  return 0;
}
