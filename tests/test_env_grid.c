/* test_env_grid.c — the grid world and its maps: every map in maps/ loads, the map errors name
 * file:line:col, random bytes never crash the parser, the Dyna mazes' shortest paths (14; 10
 * and 16 before and after the blocking/shortcut change), the labyrinth's tree (127 nodes, 64
 * end nodes, all 6 junctions from the entrance, water at node 116), goal moves (reversal),
 * observations at known cells, hazards, truncation, the same episode for the same seed, and
 * the step rate (printed, not asserted). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "envs/env.h"
#include "envs/map.h"

#define STR(k, v) {k, v, NULL, 0}
#define NUM(k, v) {k, NULL, (const double[]){v}, 1}
#define CELL(k, c, r) {k, NULL, (const double[]){c, r}, 2}

enum { NORTH, EAST, SOUTH, WEST };

static const char *const all_maps[] = {
    "maps/labyrinth.txt",     "maps/tmaze.txt",          "maps/open_field.txt",
    "maps/dyna_maze.txt",     "maps/dyna_blocking.txt",  "maps/dyna_blocking_after.txt",
    "maps/dyna_shortcut.txt", "maps/dyna_shortcut_after.txt",
};

static soma_env *grid_env(const soma_env_opt *opts, int n) {
  char err[512];
  soma_env *e = soma_env_create("grid", opts, n, err, sizeof err);
  if (!e) printf("  grid: %s\n", err);
  return e;
}

static soma_env_result go(soma_env *e, int action) {
  soma_env_result r;
  char err[256];
  double a = action;
  if (soma_env_step(e, &a, 1, &r, err, sizeof err)) printf("  step: %s\n", err);
  return r;
}

static double lat(const soma_env *e, const char *name) {
  int i = soma_env_latent_index(e, name);
  return i >= 0 ? e->latent[i] : NAN;
}

/* 1 when err has every one of the words */
static int says(const char *err, const char *a, const char *b) {
  return strstr(err, a) && (!b || strstr(err, b));
}

static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* Writes text to a new temporary file named in path (a "/tmp/soma_grid_XXXXXX" buffer). */
static int temp_map(char *path, const char *text) {
  int fd = mkstemp(path);
  if (fd < 0) return 1;
  size_t n = strlen(text);
  int bad = write(fd, text, n) != (ssize_t)n;
  close(fd);
  return bad;
}

/* Walks greedily down the distance to the goal (no slip), undoing moves that do not bring
 * it closer; returns the number of moves that did, or -1 when stuck. */
static int walk_to_goal(soma_env *e) {
  for (int n = 1; n <= 10000; n++) {
    double d = lat(e, "dist_to_goal");
    int closer = 0;
    for (int a = 0; a < 4 && !closer; a++) {
      double x = lat(e, "x"), y = lat(e, "y");
      soma_env_result r = go(e, a);
      if (r.terminated) return n;
      closer = lat(e, "dist_to_goal") < d;
      if (!closer && (lat(e, "x") != x || lat(e, "y") != y)) go(e, (a + 2) & 3);   /* back */
    }
    if (!closer) return -1;
  }
  return -1;
}

/* ---- maps ------------------------------------------------------------------------------ */

TEST(every_map_loads) {
  char err[512];
  for (size_t i = 0; i < sizeof all_maps / sizeof *all_maps; i++) {
    soma_map *m = soma_map_load(all_maps[i], err, sizeof err);
    CHECK_MSG(m != NULL, "%s: %s", all_maps[i], err);
    if (!m) continue;
    CHECK(m->glyph[m->start] == 'S');
    CHECK(m->glyph[m->goal] == 'G' || m->glyph[m->goal] == 'W');
    soma_map_destroy(m);
    soma_env *e = grid_env((soma_env_opt[]){STR("map", all_maps[i])}, 1);
    CHECK_MSG(e != NULL, "%s", all_maps[i]);
    soma_env_destroy(e);
  }
  CHECK(soma_map_load("maps/no_such_map.txt", err, sizeof err) == NULL);
  CHECK_MSG(says(err, "cannot open map 'maps/no_such_map.txt'", NULL), "%s", err);
}

static void expect_error(const char *text, size_t n, const char *a, const char *b) {
  char err[512] = "";
  soma_map *m = soma_map_parse(text, n, "maps/t.txt", err, sizeof err);
  CHECK_MSG(m == NULL && says(err, a, b), "wanted \"%s\" ... \"%s\", got \"%s\"", a, b ? b : "", err);
  soma_map_destroy(m);
}
#define ERR(text, a, b) expect_error(text, sizeof text - 1, a, b)

TEST(map_errors_name_file_line_col) {
  ERR("S..\n..\n..G\n", "maps/t.txt:2:3: ragged map", "2 cells wide, expected 3");
  ERR("S..\n....\n..G\n", "maps/t.txt:2:4: ragged map", "4 cells wide, expected 3");
  ERR("; a comment\nS...........\n............\n...........Q\n........G...\n",
      "maps/t.txt:4:12: unknown cell 'Q'", "legend");
  ERR("S.G\n. .\n", "maps/t.txt:2:2: unknown cell ' '", NULL);
  ERR("...\n.G.\n", "maps/t.txt:1:1: no start", "'S'");
  ERR("; c\n\nS..\n...\n", "maps/t.txt:3:1: no goal", "'G'");
  ERR("S.S\n..G\n", "maps/t.txt:1:3: more than one start", "first is at 1:1");
  ERR("SGW\n...\n", "maps/t.txt:1:3: more than one goal", "first is at 1:2");
  ERR("S.#.\n..#G\n", "maps/t.txt:2:4: the goal 'G' cannot be reached from the start at 1:1", NULL);
  ERR("", "maps/t.txt:1:1: empty map", NULL);
  ERR("; only\n; comments\n\n", "maps/t.txt:1:1: empty map", NULL);
  ERR("S.\a\n..G\n", "maps/t.txt:1:3: non-printable byte 0x07", NULL);
  ERR("S.G\n.\xc3\xa9\n", "maps/t.txt:2:2: non-printable byte 0xc3", NULL);
  ERR("; bad \x01 comment\nS.G\n", "maps/t.txt:1:7: non-printable byte 0x01 in a comment", NULL);
  ERR("S.G\n\0..\n", "maps/t.txt:2:1: non-printable byte 0x00", NULL);
  ERR("S.G\n...\n\n...\n", "maps/t.txt:3:1: blank line inside the map", NULL);
  CHECK(soma_map_parse(NULL, 0, NULL, (char[64]){0}, 64) == NULL);

  /* huge maps: one row too wide, one row too many */
  size_t n = SOMA_MAP_MAX + 2;
  char *wide = malloc(n + 8);
  memset(wide, '.', n);
  wide[0] = 'S';
  wide[1] = 'G';
  wide[SOMA_MAP_MAX + 1] = '\n';
  expect_error(wide, SOMA_MAP_MAX + 2, "maps/t.txt:1:1025: the map is wider than 1024 cells", NULL);
  free(wide);
  size_t rows = SOMA_MAP_MAX + 1;
  char *tall = malloc(rows * 2 + 1);
  for (size_t r = 0; r < rows; r++) {
    tall[2 * r] = r == 0 ? 'S' : r == 1 ? 'G' : '.';
    tall[2 * r + 1] = '\n';
  }
  expect_error(tall, rows * 2, "maps/t.txt:1025:1: the map is taller than 1024 rows", NULL);
  free(tall);

  /* what is accepted: CRLF line ends, comments anywhere, blank lines around, UTF-8 comments */
  const char ok[] = "\r\n; Dyna \xc3\xa9t\xc3\xa9\r\nS.#\r\n; between rows\r\n..G\r\n\r\n\r\n";
  char err[512] = "";
  soma_map *m = soma_map_parse(ok, sizeof ok - 1, "maps/ok.txt", err, sizeof err);
  CHECK_MSG(m != NULL, "%s", err);
  if (m) {
    CHECK(m->w == 3 && m->h == 2);
    CHECK(m->start == 0 && m->goal == 5);
    CHECK(m->line[0] == 3 && m->line[1] == 5);
    soma_map_destroy(m);
  }
}

/* Random bytes, and valid maps with random bytes changed: a map or a message, never a crash
 * (the sanitizer build checks the memory accesses). */
TEST(parser_survives_any_bytes) {
  uint64_t s = 0x243f6a8885a308d3ull;
  const char base[] = "; a maze\n#########\n#S..#..G#\n#.#.#.#.#\n#...H.x.#\n#a..#...#\n#########\n";
  char buf[256], err[256];   /* random grids: at most 12 x 13 bytes */
  int parsed = 0, refused = 0;
  for (int t = 0; t < 20000; t++) {
    size_t n;
    if (t % 2) {
      n = xorshift(&s) % sizeof buf;
      for (size_t i = 0; i < n; i++) {
        uint64_t v = xorshift(&s);
        /* mostly map characters, so that some survive the first checks */
        buf[i] = v % 4 ? ".#SG\n;Wx"[v >> 8 & 7] : (char)(v >> 16);
      }
    } else if (t % 4 == 2) {
      /* a random grid with one S and one G: most parse, so the tree search meets every shape */
      int w = 1 + (int)(xorshift(&s) % 12), h = 1 + (int)(xorshift(&s) % 12);
      n = 0;
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) buf[n++] = "..#.H#.x"[xorshift(&s) % 8];
        buf[n++] = '\n';
      }
      buf[xorshift(&s) % n] = 'S';
      buf[xorshift(&s) % n] = xorshift(&s) % 2 ? 'G' : 'W';
    } else {
      n = sizeof base - 1;
      memcpy(buf, base, n);
      for (int k = (int)(xorshift(&s) % 4); k >= 0; k--) buf[xorshift(&s) % n] = (char)xorshift(&s);
      if (xorshift(&s) % 8 == 0) n = xorshift(&s) % n;   /* cut short */
    }
    err[0] = 0;
    soma_map *m = soma_map_parse(buf, n, "fuzz", err, sizeof err);
    if (m) {
      parsed++;
      CHECK(m->w >= 1 && m->h >= 1 && m->glyph[m->start] == 'S');
      soma_map_destroy(m);
    } else {
      refused++;
      CHECK(!strncmp(err, "fuzz:", 5) || !strcmp(err, "out of memory"));
    }
  }
  CHECK(parsed > 100 && refused > 100);
}

/* A comb: a corridor east from S with k teeth south, each tooth a junction's second child, so
 * the tree is k levels deep. */
static soma_map *comb(int k, char *err, size_t len) {
  int w = 2 * k + 2;
  char *text = malloc((size_t)(2 * (w + 1)));
  if (!text) return NULL;
  for (int c = 0; c < w; c++) {
    text[c] = c == 0 ? 'S' : c == w - 1 ? 'G' : '.';
    text[w + 1 + c] = c % 2 == 1 && c < 2 * k ? '.' : '#';
  }
  text[w] = text[2 * w + 1] = '\n';
  soma_map *m = soma_map_parse(text, (size_t)(2 * (w + 1)), "comb", err, len);
  free(text);
  return m;
}

TEST(tree_detection_rules) {
  char err[256];
  soma_map *m = comb(20, err, sizeof err);
  REQUIRE(m);
  CHECK(m->depth == 20 && m->n_nodes == 41 && m->n_leaves == 21);
  CHECK(m->node[1] == 0 && m->node[m->w + 1] == 2 && m->node[2] == 1);   /* east first, then south */
  soma_map_destroy(m);
  m = comb(30, err, sizeof err);   /* deeper than 24 levels: not counted as a tree */
  REQUIRE(m);
  CHECK(m->n_nodes == 0 && m->node[1] == -1);
  soma_map_destroy(m);
  const char *no_tree[] = {"#.#\nS.G\n#.#\n", /* a crossing */
                           "S..#\n#..G\n",       /* a loop */
                           ".S.\n##G\n",         /* S is no dead end */
                           "H.H\nH.G\nS##\n"};  /* two ways into the home area */
  for (int i = 0; i < 4; i++) {
    m = soma_map_parse(no_tree[i], strlen(no_tree[i]), "t", err, sizeof err);
    CHECK_MSG(m && m->n_nodes == 0, "map %d: %s", i, m ? "has a tree" : err);
    soma_map_destroy(m);
  }
}

/* ---- the world ------------------------------------------------------------------------- */

TEST(world_option_errors) {
  char err[512];
  CHECK(soma_env_create("grid", NULL, 0, err, sizeof err) == NULL);
  CHECK_MSG(says(err, "option 'map' is required", NULL), "%s", err);
  CHECK(soma_env_create("grid", (soma_env_opt[]){STR("map", "maps/tmaze.txt"), NUM("view", 4)}, 2,
                        err, sizeof err) == NULL);
  CHECK_MSG(says(err, "view must be odd", "got 4"), "%s", err);
  CHECK(soma_env_create("grid", (soma_env_opt[]){STR("map", "maps/tmaze.txt"), STR("obs", "pixels")}, 2,
                        err, sizeof err) == NULL);
  CHECK_MSG(says(err, "obs", "position|onehot|view|both"), "%s", err);
  /* the goal on a wall names the cell and where it is in the file (row 0 is line 5) */
  CHECK(soma_env_create("grid", (soma_env_opt[]){STR("map", "maps/tmaze.txt"), CELL("goal", 0, 0)}, 2,
                        err, sizeof err) == NULL);
  CHECK_MSG(says(err, "goal (0, 0) is a wall ('#' at maps/tmaze.txt:5:1)", "floor cell"), "%s", err);
  CHECK(soma_env_create("grid", (soma_env_opt[]){STR("map", "maps/tmaze.txt"), CELL("start", 20, 1)}, 2,
                        err, sizeof err) == NULL);
  CHECK_MSG(says(err, "start (20, 1) is outside the map", "9 x 7"), "%s", err);
  CHECK(soma_env_create("grid", (soma_env_opt[]){STR("map", "maps/tmaze.txt"), CELL("goal", 1.5, 1)}, 2,
                        err, sizeof err) == NULL);
  CHECK_MSG(says(err, "whole numbers", NULL), "%s", err);
  CHECK(soma_env_create("grid",
                        (soma_env_opt[]){STR("map", "maps/tmaze.txt"),
                                         STR("map_after", "maps/dyna_maze.txt")},
                        2, err, sizeof err) == NULL);
  CHECK_MSG(says(err, "same size", NULL), "%s", err);
  CHECK(soma_env_create("grid", (soma_env_opt[]){STR("map", "maps/missing.txt")}, 1, err,
                        sizeof err) == NULL);
  CHECK_MSG(says(err, "cannot open map 'maps/missing.txt'", NULL), "%s", err);

  /* a goal the start cannot reach, at creation and later */
  char path[] = "/tmp/soma_grid_XXXXXX";
  REQUIRE(temp_map(path, "S.G#.\n") == 0);
  CHECK(soma_env_create("grid", (soma_env_opt[]){STR("map", path), CELL("goal", 4, 0)}, 2, err,
                        sizeof err) == NULL);
  CHECK_MSG(says(err, "the goal (4, 0) cannot be reached from the start (0, 0)", NULL), "%s", err);
  soma_env *e = grid_env((soma_env_opt[]){STR("map", path)}, 1);
  unlink(path);
  REQUIRE(e);
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("goal", 4, 0)}, 1, err, sizeof err));
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("start", 4, 0)}, 1, err, sizeof err));
  CHECK_MSG(says(err, "cannot be reached from the start (4, 0)", NULL), "%s", err);
  soma_env_reset(e, 1, 1);
  CHECK(lat(e, "dist_to_goal") == 2 && lat(e, "context") == 0);
  soma_env_destroy(e);

  e = grid_env((soma_env_opt[]){STR("map", "maps/tmaze.txt")}, 1);
  REQUIRE(e);
  CHECK(soma_env_set(e, (soma_env_opt[]){STR("map", "maps/dyna_maze.txt")}, 1, err, sizeof err));
  CHECK_MSG(says(err, "'map' cannot change", NULL), "%s", err);
  CHECK(soma_env_set(e, (soma_env_opt[]){NUM("view", 3)}, 1, err, sizeof err));
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("goal", 4, 4)}, 1, err, sizeof err) == 0);
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("goal", 3, 3)}, 1, err, sizeof err));
  CHECK_MSG(says(err, "goal (3, 3) is a wall ('#' at maps/tmaze.txt:8:4)", NULL), "%s", err);
  CHECK(soma_env_set(e, (soma_env_opt[]){NUM("slip", 2)}, 1, err, sizeof err));
  soma_env_destroy(e);
}

TEST(goal_moves_for_reversal) {
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/tmaze.txt")}, 1);
  REQUIRE(e);
  char err[256];
  soma_env_reset(e, 1, 1);
  CHECK(lat(e, "x") == 4 && lat(e, "y") == 5 && lat(e, "heading") == NORTH);
  CHECK(lat(e, "dist_to_goal") == 7 && lat(e, "context") == 0);
  CHECK(lat(e, "node") == 0 && lat(e, "level") == 0);
  for (int i = 0; i < 4; i++) go(e, NORTH);
  CHECK(lat(e, "y") == 1 && lat(e, "node") == 0);   /* the junction ends the stem's run */
  soma_env_result r = go(e, NORTH);                /* a wall: stays, faces it */
  CHECK(lat(e, "y") == 1 && lat(e, "heading") == NORTH && r.reward == 0);
  go(e, WEST);
  CHECK(lat(e, "node") == 1 && lat(e, "level") == 1);
  go(e, WEST);
  r = go(e, WEST);
  CHECK(r.terminated && r.reward == 1);

  /* reversal: the goal moves to the right arm */
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("goal", 7, 1)}, 1, err, sizeof err) == 0);
  CHECK(lat(e, "context") == 1 && lat(e, "dist_to_goal") == 6);
  soma_env_reset(e, 1, 0);
  for (int i = 0; i < 4; i++) go(e, NORTH);
  for (int i = 0; i < 3; i++) r = go(e, WEST);
  CHECK(!r.terminated && r.reward == 0 && lat(e, "x") == 1);
  for (int i = 0; i < 5; i++) r = go(e, EAST);
  CHECK(!r.terminated && lat(e, "node") == 2);
  r = go(e, EAST);
  CHECK(r.terminated && r.reward == 1 && lat(e, "x") == 7);
  /* a refused move leaves the goal where it was; moving it back is a new context */
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("goal", 0, 1)}, 1, err, sizeof err));
  CHECK(lat(e, "context") == 1);
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("goal", 1, 1)}, 1, err, sizeof err) == 0);
  CHECK(lat(e, "context") == 2);
  /* a new start, from the next reset */
  CHECK(soma_env_set(e, (soma_env_opt[]){CELL("start", 4, 3)}, 1, err, sizeof err) == 0);
  soma_env_reset(e, 1, 0);
  CHECK(lat(e, "x") == 4 && lat(e, "y") == 3 && lat(e, "dist_to_goal") == 5);
  soma_env_destroy(e);
}

static int shortest(const char *map) {
  soma_env *e = grid_env((soma_env_opt[]){STR("map", map)}, 1);
  if (!e) return -1;
  soma_env_reset(e, 1, 1);
  int d = (int)lat(e, "dist_to_goal"), walked = walk_to_goal(e);
  soma_env_destroy(e);
  return walked == d ? d : -2;
}

TEST(dyna_mazes_shortest_paths) {
  CHECK(shortest("maps/dyna_maze.txt") == 14);
  CHECK(shortest("maps/dyna_blocking.txt") == 10);
  CHECK(shortest("maps/dyna_blocking_after.txt") == 16);
  CHECK(shortest("maps/dyna_shortcut.txt") == 16);
  CHECK(shortest("maps/dyna_shortcut_after.txt") == 10);
}

TEST(map_after_switches_at_change_at) {
  /* blocking maze, the change after 7 steps: the agent walks to the right gap (8, 3), which
   * the new wall fills, so it goes back to the start */
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/dyna_blocking.txt"),
                                          STR("map_after", "maps/dyna_blocking_after.txt"),
                                          NUM("change_at", 7)},
                         3);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK(lat(e, "dist_to_goal") == 10 && lat(e, "changed") == 0);
  for (int i = 0; i < 5; i++) go(e, EAST);
  go(e, NORTH);
  CHECK(lat(e, "changed") == 0 && lat(e, "x") == 8 && lat(e, "y") == 4);
  go(e, NORTH);
  CHECK(lat(e, "changed") == 1);
  CHECK(lat(e, "x") == 3 && lat(e, "y") == 5);   /* the cell became a wall: back to the start */
  CHECK(lat(e, "dist_to_goal") == 16 && lat(e, "context") == 0);
  /* it stays changed across episodes */
  soma_env_reset(e, 2, 1);
  CHECK(lat(e, "changed") == 1 && lat(e, "dist_to_goal") == 16);
  CHECK(walk_to_goal(e) == 16);
  soma_env_destroy(e);

  /* the shortcut opens after 3 steps; the count runs over the world's life, across episodes */
  e = grid_env((soma_env_opt[]){STR("map", "maps/dyna_shortcut.txt"),
                                STR("map_after", "maps/dyna_shortcut_after.txt"), NUM("change_at", 3)},
               3);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  go(e, SOUTH);
  go(e, SOUTH);
  soma_env_reset(e, 1, 0);
  CHECK(lat(e, "dist_to_goal") == 16);
  go(e, SOUTH);
  CHECK(lat(e, "changed") == 1 && lat(e, "dist_to_goal") == 10);
  soma_env_destroy(e);
}

/* Counts the open neighbours of a cell that are not home. */
static int corridor_ways(const soma_map *m, int i) {
  static const int dc[4] = {0, 1, 0, -1}, dr[4] = {-1, 0, 1, 0};
  int n = 0;
  for (int d = 0; d < 4; d++) {
    int c = i % m->w + dc[d], r = i / m->w + dr[d];
    int j = r * m->w + c;
    if (soma_map_open(m, c, r) && m->cell[j] != SOMA_CELL_HOME && j != m->start) n++;
  }
  return n;
}

TEST(labyrinth_is_rosenbergs_tree) {
  char err[512];
  soma_map *m = soma_map_load("maps/labyrinth.txt", err, sizeof err);
  REQUIRE(m);
  CHECK(m->n_nodes == 127 && m->n_leaves == 64 && m->depth == 6);
  CHECK(m->w == 37 && m->h == 31);
  /* every node 0..126 appears; corridor cells of the 15x15 grid (odd characters) number 176 */
  int seen[127] = {0}, cells = 0, entry = -1;
  for (int i = 0; i < m->w * m->h; i++) {
    int node = m->node[i];
    CHECK(node >= -1 && node < 127);
    if (node >= 0) seen[node] = 1;
    int col = i % m->w - 6, row = i / m->w;
    if (col >= 0 && col % 2 == 1 && row % 2 == 1 && soma_map_open(m, i % m->w, row)) cells++;
    if (node == 0 && m->cell[i - 1] == SOMA_CELL_HOME) entry = i;
  }
  int all = 1;
  for (int k = 0; k < 127; k++) all &= seen[k];
  CHECK(all);
  CHECK(cells == 176);
  REQUIRE(entry >= 0);
  /* end nodes: dead ends, all at level 6 and equally far from the entrance (21 cell steps of 2
   * characters, plus the 2-character tunnel to the first cell) */
  int32_t *from_entry = malloc(sizeof *from_entry * (size_t)(m->w * m->h));
  soma_map_distances(m, entry, from_entry);
  int ends = 0, same_level = 1, same_distance = 1, at = -1;
  for (int i = 0; i < m->w * m->h; i++)
    if (m->node[i] >= 0 && i != entry && corridor_ways(m, i) == 1) {
      ends++;
      same_level &= m->node[i] >= 63 && m->node[i] <= 126;
      if (at < 0) at = from_entry[i];
      same_distance &= from_entry[i] == at;
    }
  CHECK(ends == 64 && same_level && same_distance);
  CHECK_MSG(at == 2 + 2 * 21, "end nodes are %d steps from the entry", at);
  free(from_entry);

  /* the water: end node 116; the shortest path from home passes 6 T-junctions */
  CHECK(m->glyph[m->goal] == 'W' && m->node[m->goal] == 116);
  int32_t *to_water = malloc(sizeof *to_water * (size_t)(m->w * m->h));
  soma_map_distances(m, m->goal, to_water);
  int junctions = 0, here = m->start, steps = 0;
  static const int dc[4] = {0, 1, 0, -1}, dr[4] = {-1, 0, 1, 0};
  while (here != m->goal && steps < 1000) {
    for (int d = 0; d < 4; d++) {
      int c = here % m->w + dc[d], r = here / m->w + dr[d];
      if (soma_map_open(m, c, r) && to_water[r * m->w + c] == to_water[here] - 1) {
        here = r * m->w + c;
        break;
      }
    }
    steps++;
    if (m->node[here] >= 0 && corridor_ways(m, here) == 3) junctions++;
  }
  CHECK(here == m->goal && junctions == 6);
  CHECK_MSG(steps == 5 + 2 * 21, "home to water: %d steps", steps);
  free(to_water);
  soma_map_destroy(m);

  /* the world reports the same as latents; NaN in the home area */
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/labyrinth.txt")}, 1);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK(isnan(lat(e, "node")) && isnan(lat(e, "level")) && lat(e, "dist_to_goal") == 47);
  int walked = walk_to_goal(e);
  CHECK(walked == 47 && lat(e, "node") == 116 && lat(e, "level") == 6);
  soma_env_destroy(e);
  /* maps without a tree: NaN */
  e = grid_env((soma_env_opt[]){STR("map", "maps/open_field.txt")}, 1);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK(isnan(lat(e, "node")) && isnan(lat(e, "level")));
  soma_env_destroy(e);
}

TEST(observations_at_known_cells) {
  /* onehot over the 100 open cells of the open field, row-major */
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/open_field.txt"), STR("obs", "onehot")}, 2);
  REQUIRE(e);
  CHECK(e->obs_space.n == 100 && e->act_space.n == 4 && !strcmp(e->act_space.labels[3], "west"));
  soma_env_reset(e, 1, 1);
  double sum = 0;
  for (int i = 0; i < 100; i++) sum += e->obs[i];
  CHECK(e->obs[90] == 1 && sum == 1);   /* start (1, 10): row 9, column 0 of the open cells */
  go(e, NORTH);
  go(e, EAST);
  sum = 0;
  for (int i = 0; i < 100; i++) sum += e->obs[i];
  CHECK(e->obs[81] == 1 && sum == 1);
  soma_env_reset(e, 1, 0);
  CHECK(e->obs[90] == 1 && e->obs[81] == 0);
  soma_env_destroy(e);

  /* view 5 at the start facing north, then facing east one cell on */
  e = grid_env((soma_env_opt[]){STR("map", "maps/open_field.txt"), STR("obs", "view")}, 2);
  REQUIRE(e);
  CHECK(e->obs_space.n == 25);
  soma_env_reset(e, 1, 1);
  const double north[25] = {1, 1, 0, 0, 0,  /* 2 ahead: row 8, cols -1..3 */
                            1, 1, 0, 0, 0,  /* row 9 */
                            1, 1, 0, 0, 0,  /* row 10: the agent in the middle */
                            1, 1, 1, 1, 1,  /* row 11: the wall */
                            1, 1, 1, 1, 1}; /* outside */
  int same = 1;
  for (int i = 0; i < 25; i++) same &= e->obs[i] == north[i];
  CHECK(same);
  go(e, EAST);
  const double east[25] = {0, 0, 0, 1, 1,  /* 2 ahead: col 4, rows 8..12 (left is north) */
                           0, 0, 0, 1, 1,  /* col 3 */
                           0, 0, 0, 1, 1,  /* col 2: the agent in the middle */
                           0, 0, 0, 1, 1,  /* col 1 */
                           1, 1, 1, 1, 1}; /* col 0: the wall */
  same = 1;
  for (int i = 0; i < 25; i++) same &= e->obs[i] == east[i];
  CHECK(same && lat(e, "heading") == EAST);
  soma_env_destroy(e);

  /* both = position + view 31: the cues (codes 5 and 6) and the goal (2) */
  e = grid_env(
      (soma_env_opt[]){STR("map", "maps/open_field.txt"), STR("obs", "both"), NUM("view", 31)}, 3);
  REQUIRE(e);
  CHECK(e->obs_space.n == 2 + 31 * 31);
  soma_env_reset(e, 1, 1);
  const double *v = e->obs + 2;
  CHECK(e->obs[0] == 1 && e->obs[1] == 10);
  CHECK(v[7 * 31 + 19] == 5);    /* a at (5, 2): 8 ahead, 4 right */
  CHECK(v[11 * 31 + 24] == 6);   /* b at (10, 6): 4 ahead, 9 right */
  CHECK(v[9 * 31 + 22] == 2);    /* G at (8, 4): 6 ahead, 7 right */
  soma_env_destroy(e);

  /* the T-maze's goal, 3 cells to the left at the junction; the labyrinth's home (4) */
  e = grid_env((soma_env_opt[]){STR("map", "maps/tmaze.txt"), STR("obs", "view"), NUM("view", 7)}, 3);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  for (int i = 0; i < 4; i++) go(e, NORTH);
  CHECK(e->obs[3 * 7 + 0] == 2 && e->obs[3 * 7 + 6] == 0 && e->obs[2 * 7 + 3] == 1);
  soma_env_destroy(e);
  e = grid_env(
      (soma_env_opt[]){STR("map", "maps/labyrinth.txt"), STR("obs", "view"), NUM("view", 3)}, 3);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK(e->obs[1] == 4 && e->obs[3] == 4 && e->obs[4] == 0 && e->obs[5] == 4);
  soma_env_destroy(e);
}

TEST(hazards_and_step_cost) {
  char path[] = "/tmp/soma_grid_XXXXXX";
  REQUIRE(temp_map(path, "; a hazard between the start and the goal\nSxG\n") == 0);
  soma_env *e = grid_env((soma_env_opt[]){STR("map", path), STR("obs", "view"), NUM("view", 3),
                                          NUM("hazard", -5), NUM("step_cost", 0.25)},
                         5);
  unlink(path);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK(lat(e, "heading") == EAST && e->obs[1] == 3 && e->obs[0] == 1);   /* the hazard ahead */
  soma_env_result r = go(e, EAST);
  CHECK(r.reward == -5.25 && !r.terminated);
  r = go(e, NORTH);   /* bumping the edge: still on the hazard */
  CHECK(r.reward == -5.25);
  r = go(e, EAST);
  CHECK(r.reward == 1 - 0.25 && r.terminated);
  soma_env_destroy(e);
}

TEST(max_steps_truncates) {
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/open_field.txt"), NUM("max_steps", 3)}, 2);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  soma_env_result r = go(e, WEST);
  CHECK(!r.truncated && !r.terminated);
  go(e, SOUTH);
  r = go(e, WEST);
  CHECK(r.truncated && !r.terminated);
  char err[256];
  double a = 0;
  CHECK(soma_env_step(e, &a, 1, &r, err, sizeof err) != 0);
  CHECK_MSG(says(err, "episode is over", NULL), "%s", err);
  soma_env_destroy(e);
}

/* The positions of an episode run with slip and random actions. */
static int run_episode(uint64_t seed, int *xs, int n) {
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/labyrinth.txt"), NUM("slip", 0.3)}, 2);
  if (!e) return 0;
  soma_env_reset(e, seed, 1);
  uint64_t s = 88172645463325252ull;
  int k = 0;
  for (; k < n; k++) {
    soma_env_result r = go(e, (int)(xorshift(&s) % 4));
    xs[k] = (int)(lat(e, "y") * 100 + lat(e, "x"));
    if (r.terminated) break;
  }
  soma_env_destroy(e);
  return k;
}

TEST(same_seed_same_episode) {
  enum { N = 3000 };
  static int a[N], b[N], c[N];
  int na = run_episode(42, a, N), nb = run_episode(42, b, N), nc = run_episode(43, c, N);
  CHECK(na > 100 && na == nb && !memcmp(a, b, sizeof(int) * (size_t)na));
  CHECK(na != nc || memcmp(a, c, sizeof(int) * (size_t)na));
}

TEST(draws_the_maze) {
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/tmaze.txt")}, 1);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  soma_canvas c = {90, 70, calloc(90 * 70, 4)};
  REQUIRE(c.rgba);
  soma_env_draw(e, &c, 0, 0, 90, 70);   /* 10 pixels a cell */
  const uint8_t *goal = c.rgba + (15 * 90 + 15) * 4, *wall = c.rgba + (5 * 90 + 5) * 4,
                *floor_px = c.rgba + (15 * 90 + 35) * 4, *agent = c.rgba + (56 * 90 + 47) * 4;
  CHECK(goal[1] > goal[0] && goal[1] > goal[2]);   /* green */
  CHECK(wall[0] < 80 && floor_px[0] > 200);
  CHECK(agent[0] > 200 && agent[2] < 100);          /* orange */
  soma_env_draw(e, &c, 80, 60, 5, 5);               /* tiny and partly outside: no crash */
  free(c.rgba);
  soma_env_destroy(e);
}

TEST(step_rate) {
  soma_env *e = grid_env((soma_env_opt[]){STR("map", "maps/labyrinth.txt"), NUM("slip", 0.1)}, 2);
  REQUIRE(e);
  soma_env_reset(e, 7, 1);
  uint64_t s = 1;
  const int n = 2000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) {
    soma_env_result r = go(e, (int)(xorshift(&s) & 3));
    if (r.terminated || r.truncated) soma_env_reset(e, 0, 0);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  printf("  grid steps/s (labyrinth, position obs, slip 0.1): %.3g (%.0f ns a step)\n", n / sec,
         1e9 * sec / n);
  soma_env_destroy(e);
}

int main(void) {
  RUN(every_map_loads);
  RUN(map_errors_name_file_line_col);
  RUN(parser_survives_any_bytes);
  RUN(tree_detection_rules);
  RUN(world_option_errors);
  RUN(goal_moves_for_reversal);
  RUN(dyna_mazes_shortest_paths);
  RUN(map_after_switches_at_change_at);
  RUN(labyrinth_is_rosenbergs_tree);
  RUN(observations_at_known_cells);
  RUN(hazards_and_step_cost);
  RUN(max_steps_truncates);
  RUN(same_seed_same_episode);
  RUN(draws_the_maze);
  RUN(step_rate);
  return h_done();
}
