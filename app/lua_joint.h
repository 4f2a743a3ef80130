/* lua_joint.h — soma.joint: joint brain–behaviour models from Lua (app/lua_joint.c). */
#ifndef SOMA_LUA_JOINT_H
#define SOMA_LUA_JOINT_H

#include <lua.h>

/* Registers soma.joint (fit, bin, decode, consistency) in the table at the top of the stack. */
void ljoint_open(lua_State *L);

#endif
