/* grid.c — the grid-maze world `grid`: an agent steps north, east, south or west through a
 * map read from maps/<name>.txt (legend in envs/map.h) until it reaches the goal. Mazes of every
 * kind — the Rosenberg labyrinth, a T-maze, the Dyna mazes, an open field — are maps.
 *
 * Moves: into a wall (or off the map) the agent stays put; with probability `slip` the move is
 * replaced by one drawn uniformly from the four. The heading is the direction of the last
 * move taken (after slipping), whether or not the agent could move; at reset the agent faces
 * the first open direction from the start, in the order north, east, south, west.
 * Rewards: -step_cost every step, `hazard` for each step that ends on a hazard cell, `reward`
 * on reaching the goal, which ends the episode.
 *
 * Observations (obs): position = [col, row]; onehot = one-hot over the open cells (row-major
 * order, the open cells of map and map_after together); view = the view x view window of cell
 * codes (map.h: 0 floor, 1 wall or outside, 2 goal, 3 hazard, 4 home, 5.. cues) centred on the
 * agent and turned to its heading: row 0 is farthest ahead, column 0 is to its left;
 * both = position then view.
 *
 * Changes: goal = {col, row} (0-based) moves the goal (now, through env:set, as for a reversal);
 * start = {col, row} moves the start (from the next reset). map_after with change_at switches
 * to a second map of the same size after that many steps over the world's life (Sutton &
 * Barto's blocking and shortcut mazes): the start and goal become that map's S and G, and an
 * agent standing where a wall appears goes back to the start.
 *
 * Latents: x, y (cell), heading (0 north .. 3 west), dist_to_goal (steps along the shortest
 * path), node and level (the tree node containing the cell and its depth, NaN off the tree or
 * in maps that are no tree; see soma_map_parse), context (how many times the goal moved),
 * changed (1 after map_after took over). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envs/map.h"
#include "envs/worlds.h"

enum { P_REWARD, P_STEP_COST, P_HAZARD, P_SLIP, P_VIEW, P_CHANGE_AT, N_PARAMS };
enum { S_MAP, S_OBS, S_MAP_AFTER, N_STRS };
enum { L_GOAL, L_START, N_LISTS };
enum { L_X, L_Y, L_HEADING, L_DIST, L_NODE, L_LEVEL, L_CONTEXT, L_CHANGED, N_LATENTS };
enum { OBS_POSITION, OBS_ONEHOT, OBS_VIEW, OBS_BOTH };

#define MAX_VIEW 31

static const soma_param_def params[N_PARAMS] = {
    {"reward", "", 1, -INFINITY, INFINITY, 0, "payoff for reaching the goal"},
    {"step_cost", "", 0, -INFINITY, INFINITY, 0, "subtracted from the reward every step"},
    {"hazard", "", -1, -INFINITY, INFINITY, 0, "payoff of each step ending on a hazard cell 'x'"},
    {"slip", "", 0, 0, 1, 0, "probability that a move is replaced by a random one"},
    {"view", "cells", 5, 1, MAX_VIEW, SOMA_INT, "side of the egocentric view window (odd)"},
    {"change_at", "steps", 0, 0, 1e15, SOMA_INT,
     "switch to map_after after this many steps over the world's life (0: never)"},
};

static const soma_env_str_def strs[N_STRS] = {
    {"map", NULL, NULL, "the map file, e.g. maps/dyna_maze.txt (required)"},
    {"obs", "position", "position|onehot|view|both", "what the agent observes"},
    {"map_after", NULL, NULL, "a map of the same size to switch to at change_at"},
};

static const soma_env_list_def lists[N_LISTS] = {
    {"goal", 2, 2, 0, SOMA_MAP_MAX - 1, "the goal's {col, row}, 0-based, on a floor cell"},
    {"start", 2, 2, 0, SOMA_MAP_MAX - 1, "the start's {col, row}, 0-based, on a floor cell"},
};

static const char *const latents[N_LATENTS] = {"x",    "y",     "heading", "dist_to_goal",
                                               "node", "level", "context", "changed"};

static const char *const actions[4] = {"north", "east", "south", "west"};
static const char *const position_labels[2] = {"col", "row"};
static const int step_col[4] = {0, 1, 0, -1};   /* north, east, south, west */
static const int step_row[4] = {-1, 0, 1, 0};

typedef struct {
  soma_map *map[2];       /* the map and map_after (or NULL) */
  int phase;              /* 1 once map_after took over */
  int32_t *dist;          /* steps from each cell to the goal, on the map in use */
  int32_t *dist_after;    /* the same for map_after's goal, ready for the switch */
  int32_t *open_index;    /* each cell's place in the one-hot observation, -1: wall in both */
  int n_open;
  int obs_kind, view;
  int col, row, heading;
  int start, goal;        /* cell indices */
  int goal_moves;
  int onehot_at;          /* the one-hot entry set now, -1: none */
  int64_t life;           /* steps over the world's life, for change_at */
} grid;

static const soma_map *in_use(const grid *g) { return g->map[g->phase]; }

/* The direction the agent faces at cell i of m before its first move. */
static int first_heading(const soma_map *m, int i) {
  for (int d = 0; d < 4; d++)
    if (soma_map_open(m, i % m->w + step_col[d], i / m->w + step_row[d])) return d;
  return 0;
}

/* ---- observation ----------------------------------------------------------------------- */

static double view_code(const grid *g, const soma_map *m, int col, int row) {
  if (!soma_map_open(m, col, row)) return SOMA_CELL_WALL;
  int i = row * m->w + col;
  return i == g->goal ? SOMA_CELL_GOAL : m->cell[i];
}

/* The window turned so that the heading points up: window row r is (half - r) cells ahead,
 * window column c is (c - half) cells to the right. */
static void write_view(const grid *g, double *o) {
  const soma_map *m = in_use(g);
  int k = g->view, half = k / 2, h = g->heading;
  int ahead_c = step_col[h], ahead_r = step_row[h];
  int right_c = step_col[(h + 1) & 3], right_r = step_row[(h + 1) & 3];
  for (int r = 0; r < k; r++)
    for (int c = 0; c < k; c++) {
      int f = half - r, s = c - half;
      o[r * k + c] =
          view_code(g, m, g->col + f * ahead_c + s * right_c, g->row + f * ahead_r + s * right_r);
    }
}

static void observe(soma_env *e, grid *g) {
  const soma_map *m = in_use(g);
  int here = g->row * m->w + g->col;
  double *o = e->obs;
  if (g->obs_kind == OBS_POSITION || g->obs_kind == OBS_BOTH) {
    o[0] = g->col;
    o[1] = g->row;
    o += 2;
  }
  if (g->obs_kind == OBS_VIEW || g->obs_kind == OBS_BOTH) write_view(g, o);
  if (g->obs_kind == OBS_ONEHOT) {
    if (g->onehot_at >= 0) o[g->onehot_at] = 0;
    g->onehot_at = g->open_index[here];
    o[g->onehot_at] = 1;
  }
  int node = m->node[here], level = 0;
  for (int k = node + 1; k > 1; k >>= 1) level++;
  e->latent[L_X] = g->col;
  e->latent[L_Y] = g->row;
  e->latent[L_HEADING] = g->heading;
  e->latent[L_DIST] = g->dist[here] >= 0 ? g->dist[here] : NAN;
  e->latent[L_NODE] = node >= 0 ? node : NAN;
  e->latent[L_LEVEL] = node >= 0 ? level : NAN;
  e->latent[L_CONTEXT] = g->goal_moves;
  e->latent[L_CHANGED] = g->phase;
}

/* ---- goal and start -------------------------------------------------------------------- */

/* The cell named by the list option `name`, or the map's own (fallback) when not given. */
static int take_cell(soma_env *e, const soma_map *m, const char *name, int fallback, int *cell,
                     char *err, size_t len) {
  int n;
  const double *v = soma_env_list(e, name, &n);
  if (!v) return *cell = fallback, 0;
  if (v[0] != floor(v[0]) || v[1] != floor(v[1])) {
    snprintf(err, len, "world 'grid': %s (%g, %g) must be whole numbers {col, row}", name, v[0], v[1]);
    return 1;
  }
  int col = (int)v[0], row = (int)v[1];
  if (col >= m->w || row >= m->h) {
    snprintf(err, len,
             "world 'grid': %s (%d, %d) is outside the map (%s is %d x %d cells; col and row "
             "count from 0)",
             name, col, row, m->file, m->w, m->h);
    return 1;
  }
  if (!soma_map_open(m, col, row)) {
    char where[256];
    soma_map_where(m, col, row, where, sizeof where);
    snprintf(err, len, "world 'grid': %s (%d, %d) is a wall ('%c' at %s); it must be a floor cell",
             name, col, row, m->glyph[row * m->w + col], where);
    return 1;
  }
  *cell = row * m->w + col;
  return 0;
}

/* Puts the goal and the start on the map in use: checks that the start can reach the goal,
 * then replaces the distances. Leaves everything unchanged on failure. */
static int place(grid *g, int goal, int start, char *err, size_t len) {
  const soma_map *m = in_use(g);
  int32_t *dist = malloc(sizeof *dist * (size_t)m->w * (size_t)m->h);
  if (!dist || soma_map_distances(m, goal, dist)) {
    free(dist);
    return snprintf(err, len, "out of memory"), 1;
  }
  if (dist[start] < 0) {
    snprintf(err, len, "world 'grid': the goal (%d, %d) cannot be reached from the start (%d, %d) in %s",
             goal % m->w, goal / m->w, start % m->w, start / m->w, m->file);
    free(dist);
    return 1;
  }
  free(g->dist);
  g->dist = dist;
  if (goal != g->goal) g->goal_moves++;
  g->goal = goal;
  g->start = start;
  return 0;
}

/* map_after takes over (after step change_at). */
static void change_map(grid *g) {
  g->phase = 1;
  const soma_map *m = in_use(g);
  int32_t *t = g->dist;
  g->dist = g->dist_after;
  g->dist_after = t;
  if (m->goal != g->goal) g->goal_moves++;
  g->goal = m->goal;
  g->start = m->start;
  if (!soma_map_open(m, g->col, g->row)) {
    g->col = g->start % m->w;
    g->row = g->start / m->w;
  }
}

/* ---- the world ------------------------------------------------------------------------- */

static int load_maps(soma_env *e, grid *g, char *err, size_t len) {
  const char *path = e->str[S_MAP], *after = e->str[S_MAP_AFTER];
  if (!path) {
    snprintf(err, len, "world 'grid': option 'map' is required (a map file such as maps/dyna_maze.txt)");
    return 1;
  }
  if (!(g->map[0] = soma_map_load(path, err, len))) return 1;
  if (!after) return 0;
  if (!(g->map[1] = soma_map_load(after, err, len))) return 1;
  if (g->map[1]->w != g->map[0]->w || g->map[1]->h != g->map[0]->h) {
    snprintf(err, len,
             "world 'grid': map_after '%s' is %d x %d cells but map '%s' is %d x %d; they must "
             "be the same size",
             after, g->map[1]->w, g->map[1]->h, path, g->map[0]->w, g->map[0]->h);
    return 1;
  }
  size_t n = (size_t)g->map[1]->w * (size_t)g->map[1]->h;
  if (!(g->dist_after = malloc(sizeof *g->dist_after * n)) ||
      soma_map_distances(g->map[1], g->map[1]->goal, g->dist_after))
    return snprintf(err, len, "out of memory"), 1;
  return 0;
}

/* Numbers the cells open in either map, for the one-hot observation. */
static int index_open_cells(grid *g) {
  const soma_map *m = g->map[0], *a = g->map[1];
  int n = m->w * m->h;
  if (!(g->open_index = malloc(sizeof *g->open_index * (size_t)n))) return 1;
  g->n_open = 0;
  for (int i = 0; i < n; i++)
    g->open_index[i] =
        m->cell[i] != SOMA_CELL_WALL || (a && a->cell[i] != SOMA_CELL_WALL) ? g->n_open++ : -1;
  return 0;
}

static int create(soma_env *e, char *err, size_t len) {
  grid *g = calloc(1, sizeof *g);
  if (!g) return snprintf(err, len, "out of memory"), 1;
  e->state = g;
  g->view = (int)e->param[P_VIEW];
  if (g->view % 2 == 0) {
    snprintf(err, len, "world 'grid': view must be odd, so that the agent is at its centre (got %d)",
             g->view);
    return 1;
  }
  const char *obs = e->str[S_OBS];
  g->obs_kind = !strcmp(obs, "onehot") ? OBS_ONEHOT : !strcmp(obs, "view") ? OBS_VIEW
              : !strcmp(obs, "both")   ? OBS_BOTH : OBS_POSITION;
  if (load_maps(e, g, err, len)) return 1;
  const soma_map *m = g->map[0];
  int goal, start;
  if (take_cell(e, m, "goal", m->goal, &goal, err, len) ||
      take_cell(e, m, "start", m->start, &start, err, len))
    return 1;
  g->goal = goal;   /* the first goal is no move: context 0 */
  if (place(g, goal, start, err, len)) return 1;
  if (index_open_cells(g)) return snprintf(err, len, "out of memory"), 1;

  int side = m->w > m->h ? m->w : m->h, k2 = g->view * g->view;
  int both_hi = side - 1 > SOMA_CELL_MAX_CODE ? side - 1 : SOMA_CELL_MAX_CODE;
  switch (g->obs_kind) {
  case OBS_ONEHOT: e->obs_space = (soma_space){SOMA_SPACE_BOX, g->n_open, 0, 1, NULL}; break;
  case OBS_VIEW: e->obs_space = (soma_space){SOMA_SPACE_BOX, k2, 0, SOMA_CELL_MAX_CODE, NULL}; break;
  case OBS_BOTH:
    e->obs_space = (soma_space){SOMA_SPACE_BOX, 2 + k2, 0, both_hi, NULL};
    break;
  default: e->obs_space = (soma_space){SOMA_SPACE_BOX, 2, 0, side - 1, position_labels};
  }
  e->act_space = (soma_space){SOMA_SPACE_DISCRETE, 4, 0, 3, actions};
  g->col = g->start % m->w;
  g->row = g->start / m->w;
  g->heading = first_heading(m, g->start);
  g->onehot_at = -1;
  return 0;
}

static void destroy(soma_env *e) {
  grid *g = e->state;
  soma_map_destroy(g->map[0]);
  soma_map_destroy(g->map[1]);
  free(g->dist);
  free(g->dist_after);
  free(g->open_index);
}

static void reset(soma_env *e) {
  grid *g = e->state;
  const soma_map *m = in_use(g);
  g->col = g->start % m->w;
  g->row = g->start / m->w;
  g->heading = first_heading(m, g->start);
  if (g->obs_kind == OBS_ONEHOT) memset(e->obs, 0, sizeof *e->obs * (size_t)g->n_open);
  g->onehot_at = -1;
  observe(e, g);
}

static void step(soma_env *e, const double *a, soma_env_result *r) {
  grid *g = e->state;
  const soma_map *m = in_use(g);
  int dir = (int)a[0];
  double slip = e->param[P_SLIP];
  if (slip > 0 && soma_env_uniform(e) < slip) dir = (int)soma_env_uniform_int(e, 4);
  g->heading = dir;
  int col = g->col + step_col[dir], row = g->row + step_row[dir];
  if (soma_map_open(m, col, row)) {
    g->col = col;
    g->row = row;
  }
  int here = g->row * m->w + g->col;
  r->reward = -e->param[P_STEP_COST];
  if (m->cell[here] == SOMA_CELL_HAZARD) r->reward += e->param[P_HAZARD];
  if (here == g->goal) {
    r->reward += e->param[P_REWARD];
    r->terminated = 1;
  }
  g->life++;
  int64_t change_at = (int64_t)e->param[P_CHANGE_AT];
  if (g->map[1] && !g->phase && change_at > 0 && g->life >= change_at) change_map(g);
  observe(e, g);
}

static int set(soma_env *e, const soma_env_opt *o, char *err, size_t len) {
  grid *g = e->state;
  int is_goal = !strcmp(o->key, "goal");
  if (is_goal || !strcmp(o->key, "start")) {
    int cell;
    if (take_cell(e, in_use(g), o->key, -1, &cell, err, len) ||
        place(g, is_goal ? cell : g->goal, is_goal ? g->start : cell, err, len))
      return 1;
    observe(e, g);   /* new distances and context */
  }
  return 0;
}

/* ---- drawing --------------------------------------------------------------------------- */

static uint32_t cell_colour(int code) {
  static const uint32_t cues[] = {0xd9a400ff, 0x7b52abff, 0x1f9bb5ff, 0xd95f9eff,
                                  0x8c6d31ff, 0x3f7fbfff, 0xb35c1eff, 0x5a9e3aff};
  switch (code) {
  case SOMA_CELL_WALL: return 0x2b2b30ff;
  case SOMA_CELL_FLOOR: return 0xf2f0ebff;
  case SOMA_CELL_HAZARD: return 0xd2553cff;
  case SOMA_CELL_HOME: return 0xdcd2bcff;
  default: return cues[(code - SOMA_CELL_CUE) % 8];
  }
}

/* Pixel edge k of a row or column of cells of s pixels starting at origin. */
static int edge(int origin, int k, double s) { return origin + (int)(k * s); }

static void draw(const soma_env *e, soma_canvas *c, int x, int y, int w, int h) {
  const grid *g = e->state;
  const soma_map *m = in_use(g);
  double s = fmin((double)w / m->w, (double)h / m->h);
  int x0 = x + (int)((w - s * m->w) / 2), y0 = y + (int)((h - s * m->h) / 2);
  canvas_rect(c, x, y, w, h, 0xffffffff, 1);
  for (int row = 0; row < m->h; row++)
    for (int col = 0; col < m->w; col++) {
      int i = row * m->w + col, left = edge(x0, col, s), top = edge(y0, row, s);
      uint32_t colour = i == g->goal ? 0x2e8b57ffu : cell_colour(m->cell[i]);
      canvas_rect(c, left, top, edge(x0, col + 1, s) - left, edge(y0, row + 1, s) - top, colour, 1);
    }
  /* the start: an outline inside its cell */
  int sc = g->start % m->w, sr = g->start / m->w, inset = (int)(s / 6);
  int left = edge(x0, sc, s) + inset, top = edge(y0, sr, s) + inset;
  canvas_rect(c, left, top, edge(x0, sc + 1, s) - inset - left, edge(y0, sr + 1, s) - inset - top,
              0x3f6fb5ff, 0);
  /* the agent: a disc with a tick toward its heading */
  int cx = x0 + (int)((g->col + 0.5) * s), cy = y0 + (int)((g->row + 0.5) * s);
  int radius = (int)fmax(2, s * 0.35), tick = (int)fmax(3, s * 0.55);
  canvas_circle(c, cx, cy, radius, 0xe8731aff, 1);
  canvas_segment_clipped(c, cx, cy, cx + step_col[g->heading] * tick, cy + step_row[g->heading] * tick,
                         0x1a1a1aff, x, y, w, h);
}

/* a cell (x = column, y = row) to the pixel at its centre, as draw lays the map out */
static void locate(const soma_env *e, double col, double row, int x, int y, int w, int h, int *px,
                   int *py) {
  const soma_map *m = in_use(e->state);
  double s = fmin((double)w / m->w, (double)h / m->h);
  *px = x + (int)((w - s * m->w) / 2) + (int)((col + 0.5) * s);
  *py = y + (int)((h - s * m->h) / 2) + (int)((row + 0.5) * s);
}

const soma_world soma_world_grid = {
    .name = "grid",
    .doc = "grid mazes from maps/*.txt: labyrinth, T-maze, Dyna mazes, open field",
    SOMA_WORLD_PARAMS(params),
    SOMA_WORLD_STRS(strs),
    SOMA_WORLD_LISTS(lists),
    SOMA_WORLD_LATENTS(latents),
    .fixed = "map|map_after|obs|view",
    .create = create,
    .destroy = destroy,
    .reset = reset,
    .step = step,
    .draw = draw,
    .locate = locate,
    .set = set,
};
