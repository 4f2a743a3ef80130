/* lua_dist.h — distributions from Lua (soma.normal(-65, 5), soma.uniform(0, 1):clip(0, 0.5)),
 * for initial states, weights and delays. */
#ifndef SOMA_LUA_DIST_H
#define SOMA_LUA_DIST_H

#include <lua.h>

#include "sim/soma.h"

/* 1 if the value at idx is a distribution, with *out set. */
int ld_test(lua_State *L, int idx, soma_dist *out);
/* A number (a constant) or a distribution at idx; raises an error naming call and what. */
soma_dist ld_check(lua_State *L, int idx, const char *call, const char *what);
/* Registers soma.uniform, normal, lognormal, exponential, gamma and constant in the table at
 * the top of the stack. */
void ld_open(lua_State *L);

#endif
