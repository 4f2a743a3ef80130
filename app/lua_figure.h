/* lua_figure.h — canvases from Lua: soma.figure{width, height} for PNG figures in the run
 * directory, and the canvas the live window hands to a script's draw(g) callback. Pixel
 * drawing (rect, line, circle, text) and data axes (line, points, bars) with round ticks. */
#ifndef SOMA_LUA_FIGURE_H
#define SOMA_LUA_FIGURE_H

#include <lua.h>

#include "app/figure.h"

/* Registers soma.figure in the table at the top of the stack. */
void lfig_open(lua_State *L);
/* Pushes a canvas drawing onto f, which the caller keeps owning (the window's frame). */
void lfig_push_borrowed(lua_State *L, figure *f);
/* The figure of the canvas at idx, or a Lua error naming call. */
figure *lfig_check(lua_State *L, int idx, const char *call);

#endif
