/* worlds.h — the world descriptors defined in envs/<name>.c, listed in worlds.c. */
#ifndef SOMA_WORLDS_H
#define SOMA_WORLDS_H

#include "envs/env.h"

extern const soma_world soma_world_bandit;
extern const soma_world soma_world_grid;
extern const soma_world soma_world_watermaze;
extern const soma_world soma_world_forage;
extern const soma_world soma_world_reach;

#endif
