/* map.c — fuzz target for the map loader (envs/map.c): any bytes give a map or an error that
 * names file:line:col, never a crash; a map that loads is consistent (sizes, start and goal,
 * the goal reachable, tree nodes in range), and reading it from a file gives the same map.
 * Seeds: the shipped maps (maps/) and small broken ones. */
#include "envs/map.h"
#include "tests/fuzz/fuzz.h"

static void check_map(const soma_map *m, const uint8_t *data, size_t size) {
  FUZZ_ASSERT(m->w >= 1 && m->h >= 1 && m->w <= SOMA_MAP_MAX && m->h <= SOMA_MAP_MAX,
              "size %d x %d", m->w, m->h);
  int n = m->w * m->h;
  FUZZ_ASSERT(m->start >= 0 && m->start < n && m->goal >= 0 && m->goal < n && m->start != m->goal,
              "start %d goal %d of %d", m->start, m->goal, n);
  for (int i = 0; i < n; i++) {
    FUZZ_ASSERT(m->cell[i] <= SOMA_CELL_MAX_CODE, "cell code %d", m->cell[i]);
    FUZZ_ASSERT(m->node[i] >= -1 && m->node[i] < (m->n_nodes ? 1 << 25 : 0), "node %d",
                m->node[i]);   /* ids 2k+1, 2k+2 over at most 24 levels */
    FUZZ_ASSERT(memchr(data, m->glyph[i], size) != NULL, "glyph not in the text");
  }
  FUZZ_ASSERT(m->cell[m->start] != SOMA_CELL_WALL && m->cell[m->goal] != SOMA_CELL_WALL,
              "start or goal on a wall");
  FUZZ_ASSERT(m->n_leaves <= m->n_nodes && m->depth <= 24, "tree %d nodes %d leaves depth %d",
              m->n_nodes, m->n_leaves, m->depth);
  int32_t *dist = malloc(sizeof *dist * (size_t)n);
  FUZZ_ASSERT(dist && soma_map_distances(m, m->goal, dist) == 0, "distances");
  FUZZ_ASSERT(dist[m->start] > 0, "goal unreachable but the map loaded");
  free(dist);
  char where[512];
  soma_map_where(m, m->w - 1, m->h - 1, where, sizeof where);
  soma_map_where(m, -1, m->h + 5, where, sizeof where);   /* outside: must not read out of bounds */
  FUZZ_ASSERT(!soma_map_open(m, -1, 0) && !soma_map_open(m, m->w, 0) && !soma_map_open(m, 0, m->h),
              "open outside the map");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[1024] = "";
  soma_map *m = soma_map_parse((const char *)data, size, "fuzz.txt", err, sizeof err);
  if (m) {
    check_map(m, data, size);
  } else {
    FUZZ_ASSERT(err[0], "NULL without a message");
    FUZZ_ASSERT(!strncmp(err, "fuzz.txt:", 9) || !strcmp(err, "out of memory"),
                "message does not start with the file name: %s", err);
  }
  /* the same bytes from a file: the same outcome */
  char err2[1024] = "";
  soma_map *f = soma_map_load(fuzz_file("map.txt", data, size), err2, sizeof err2);
  FUZZ_ASSERT(!m == !f, "parse and load disagree: %s | %s", err, err2);
  if (m && f) {
    FUZZ_ASSERT(m->w == f->w && m->h == f->h && m->start == f->start && m->goal == f->goal &&
                m->n_nodes == f->n_nodes && !memcmp(m->cell, f->cell, (size_t)(m->w * m->h)),
                "parse and load give different maps");
  }
  soma_map_destroy(f);
  soma_map_destroy(m);
  return 0;
}
