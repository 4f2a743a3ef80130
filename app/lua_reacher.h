/* lua_reacher.h — soma.agent.reacher{...} (the spiking reaching controller), and the
 * non-spiking soma.agent.two_state{...}, one_state{...} and fit_two_state{...}. */
#ifndef SOMA_LUA_REACHER_H
#define SOMA_LUA_REACHER_H

#include <lua.h>

/* Adds reacher, two_state, one_state and fit_two_state to the table at the top of the stack
 * (soma.agent). */
void lreacher_open(lua_State *L);

#endif
