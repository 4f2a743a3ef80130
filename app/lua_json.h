/* lua_json.h — Lua values as JSON: numbers (whole numbers stay whole), strings, booleans,
 * tables (a sequence 1..n becomes an array, other tables objects with sorted keys) and
 * soma.array. For meta.json's params and results.json. */
#ifndef SOMA_LUA_JSON_H
#define SOMA_LUA_JSON_H

#include <lua.h>
#include <stdio.h>

/* Writes the value at idx; returns 0, or -1 (with a message pushed) for a value JSON cannot
 * hold (a function, a cycle, nesting deeper than 32). */
int lj_write(lua_State *L, int idx, FILE *f);
/* Pushes the keys of the table at idx as a sorted sequence of strings (other keys skipped). */
void lj_sorted_keys(lua_State *L, int idx);

#endif
