/* lua_actor_critic.h — soma.agent.actor_critic{...}: the spiking actor-critic from Lua. */
#ifndef SOMA_LUA_ACTOR_CRITIC_H
#define SOMA_LUA_ACTOR_CRITIC_H

#include <lua.h>

#include "sim/soma.h"

/* Adds actor_critic to the table at the top of the stack (soma.agent). */
void lactor_critic_open(lua_State *L);
/* Writes each spiking agent's recorded spikes and replay log into dir/<name>/ (dir NULL: none),
 * sets *json to their descriptions for meta.json (malloc'd) and frees them. 0, or -1 with a
 * message in err. */
int lactor_critic_close_all(lua_State *L, const char *dir, char **json, char *err, size_t len);
/* The first spiking agent's network (for the window's raster), or NULL. */
soma_net *lactor_critic_first_net(lua_State *L);

#endif
