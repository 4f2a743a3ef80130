/* live_view.h — what the window shows when a script defines no draw(g): the status line and a
 * raster of the last second of spikes recorded in the script's first network, with each
 * recorded population's rate over that second. */
#ifndef SOMA_LIVE_VIEW_H
#define SOMA_LIVE_VIEW_H

#include <lua.h>

#include "app/figure.h"

void live_view_draw(lua_State *L, figure *f, const char *title, const char *status);

#endif
