/* worlds.c — the list of worlds soma knows, for lookup by name (soma.env.<name> in Lua). */
#include <stdio.h>
#include <string.h>

#include "envs/worlds.h"

static const soma_world *const all[] = {
    &soma_world_bandit,
    &soma_world_grid,
    &soma_world_watermaze,
    &soma_world_forage,
    &soma_world_reach,
    NULL,
};

const soma_world *const *soma_worlds(void) { return all; }

const soma_world *soma_world_find(const char *name) {
  for (int i = 0; all[i]; i++)
    if (!strcmp(all[i]->name, name)) return all[i];
  return NULL;
}

int soma_world_count(void) { return (int)(sizeof all / sizeof *all) - 1; }

const char *soma_world_name(int i) { return all[i]->name; }

int soma_world_describe_name(const char *name, FILE *f) {
  const soma_world *w = soma_world_find(name);
  if (!w) return 1;
  soma_world_describe(w, f);
  return 0;
}
