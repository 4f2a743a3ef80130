/* lua_actor_critic.h — soma.agent.actor_critic{...}: the spiking actor-critic from Lua. */
#ifndef SOMA_LUA_ACTOR_CRITIC_H
#define SOMA_LUA_ACTOR_CRITIC_H

#include <lua.h>

/* Adds actor_critic to the table at the top of the stack (soma.agent). */
void lactor_critic_open(lua_State *L);

#endif
