/* lua_args.h — reading a Lua call's arguments with messages that name the call, the field and
 * the fix: "net:pop: 'n' must be a whole number from 1 to 2147483647 (got 0)". Used by every
 * binding in app/lua_*.c. */
#ifndef SOMA_LUA_ARGS_H
#define SOMA_LUA_ARGS_H

#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>

/* Raises "<where>: <call>: <message>" (where = the script's file:line). Never returns. */
int la_error(lua_State *L, const char *call, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* Checks that argument idx is a table (naming what it should hold in the message). */
void la_table(lua_State *L, int idx, const char *call, const char *what);

/* Refuses keys of table idx that are not in known (NULL-terminated), suggesting the closest
 * one. Keys for which is_extra(name) returns 1 are also accepted (may be NULL). */
void la_known_keys(lua_State *L, int idx, const char *call, const char *const *known,
                   int (*is_extra)(void *ctx, const char *key), void *ctx);

/* Field `key` of table idx: its default when nil, else checked for type and range. */
double la_num(lua_State *L, int idx, const char *call, const char *key, double def, double lo,
              double hi);
int64_t la_int(lua_State *L, int idx, const char *call, const char *key, int64_t def, int64_t lo,
               int64_t hi);
const char *la_str(lua_State *L, int idx, const char *call, const char *key, const char *def);
int la_bool(lua_State *L, int idx, const char *call, const char *key, int def);

/* Argument idx (not a field): a number in [lo, hi] or a whole number. */
double la_arg_num(lua_State *L, int idx, const char *call, const char *what, double lo, double hi);
int64_t la_arg_int(lua_State *L, int idx, const char *call, const char *what, int64_t lo,
                   int64_t hi);
const char *la_arg_str(lua_State *L, int idx, const char *call, const char *what);

/* The Lua type name of the value at idx, with "soma.array"/"soma.population"/... for soma's
 * userdata, for messages. */
const char *la_typename(lua_State *L, int idx);

#endif
