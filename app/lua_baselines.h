/* lua_baselines.h — the non-spiking baseline agents from Lua (agents/tabular.h):
 * soma.agent.random_walk, .qlearning, .dynaq, .dynaq_plus. */
#ifndef SOMA_LUA_BASELINES_H
#define SOMA_LUA_BASELINES_H

#include <lua.h>

/* Adds the baseline constructors to the table at the top of the stack (soma.agent), leaving it
 * there; other agents may share that table. */
void lbaselines_open(lua_State *L);

#endif
