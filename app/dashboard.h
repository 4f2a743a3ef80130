/* dashboard.h — the default view of the live window and the summary.png of runs with an
 * environment: the world, spike rasters with rates, a neuromodulator trace and the learning
 * curve, drawn by one function for the window and for the file. */
#ifndef SOMA_DASHBOARD_H
#define SOMA_DASHBOARD_H

#include <lua.h>
#include <stddef.h>

#include "app/figure.h"

typedef struct dashboard dashboard;

dashboard *dashboard_create(void);
void dashboard_destroy(dashboard *d);
/* Takes a sample of the shown neuromodulator (cheap; called between chunks of a run). */
void dashboard_sample(dashboard *d, lua_State *L);
/* Draws everything onto f. final = 1: the raster covers the last episode, else the last second. */
void dashboard_draw(dashboard *d, lua_State *L, figure *f, const char *title, const char *status,
                    int final);
/* Writes dir/summary.png when an environment ran at least one episode. 0 (also when there is
 * nothing to write), or -1 with a message. */
int dashboard_summary(dashboard *d, lua_State *L, const char *dir, const char *title, char *err,
                      size_t len);
/* Registers soma.view{curve = KEY, modulator = NAME} in the table at the top of the stack. */
void dashboard_open(lua_State *L);

#endif
