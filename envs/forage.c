/* forage.c — an arena in the manner of Animal-AI: a square floor [0, size]^2 (metres, y north)
 * with internal walls, red hazard zones that cost reward every step the agent stands in them,
 * and green food of two sizes that pays on contact and disappears. The episode ends when all
 * food is eaten (or at max_steps, default 1000). Food and the agent are placed at random each
 * episode from the world's generator (apart, clear of walls and hazards), or where the options
 * say (small, large, start).
 *
 * Actions: DISCRETE 3 (0 forward, 1 turn left, 2 turn right) or, with actions = 5, also 3 stay
 * and 4 back; forward and back move `step` metres, turns are `turn` degrees. The agent is a
 * disc of radius agent_radius that stops at walls. Observation: `rays` rays spread evenly over
 * `fov` degrees, from the leftmost (ray 0) to the rightmost, each giving for wall, small food,
 * large food and hazard (in that order, obs[4 * ray + type]) 1 - distance / range, 0 when
 * nothing of that type is within range. Walls hide what lies behind them; food and hazards
 * hide nothing; inside a hazard its value is 1. Latents: x, y (m), heading (rad, 0 east,
 * counter-clockwise), food_left, dist_to_goal (m, to the nearest food's centre), in_hazard,
 * context (changes made by set). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envs/geom2d.h"
#include "envs/worlds.h"

enum {
  SIZE, N_SMALL, N_LARGE, REWARD_SMALL, REWARD_LARGE, REWARD_HAZARD, RADIUS_SMALL, RADIUS_LARGE,
  AGENT_RADIUS, STEP, TURN, RAYS, FOV, RANGE, ACTIONS, N_PARAMS
};
enum { LIST_WALLS, LIST_HAZARDS, LIST_SMALL, LIST_LARGE, LIST_START, N_LISTS };
enum { L_X, L_Y, L_HEADING, L_FOOD_LEFT, L_DIST, L_IN_HAZARD, L_CONTEXT, N_LATENTS };
enum { T_WALL, T_SMALL, T_LARGE, T_HAZARD, N_TYPES };   /* what a ray sees */
enum { A_FORWARD, A_LEFT, A_RIGHT, A_STAY, A_BACK };

#define MAX_WALLS 64
#define MAX_HAZARDS 32
#define MAX_FOOD 64     /* of each size */
#define MAX_RAYS 64
#define PLACE_TRIES 1000

static const soma_param_def params[N_PARAMS] = {
    {"size", "m", 10, 0, 1e6, SOMA_LO_OPEN, "side of the square arena"},
    {"n_small", "", 4, 0, MAX_FOOD, SOMA_INT, "small food items at random places (unless 'small')"},
    {"n_large", "", 1, 0, MAX_FOOD, SOMA_INT, "large food items at random places (unless 'large')"},
    {"reward_small", "", 1, -INFINITY, INFINITY, 0, "reward for eating a small item"},
    {"reward_large", "", 2, -INFINITY, INFINITY, 0, "reward for eating a large item"},
    {"reward_hazard", "", -0.1, -INFINITY, INFINITY, 0, "reward of each step inside a hazard"},
    {"radius_small", "m", 0.25, 0, 1e6, SOMA_LO_OPEN, "radius of a small item"},
    {"radius_large", "m", 0.5, 0, 1e6, SOMA_LO_OPEN, "radius of a large item"},
    {"agent_radius", "m", 0.25, 0, 1e6, SOMA_LO_OPEN, "radius of the agent's body"},
    {"step", "m", 0.25, 0, 1e6, SOMA_LO_OPEN, "distance of a forward or back move"},
    {"turn", "deg", 15, 0, 180, SOMA_LO_OPEN, "angle of a turn"},
    {"rays", "", 9, 1, MAX_RAYS, SOMA_INT, "number of rays"},
    {"fov", "deg", 120, 0, 360, SOMA_LO_OPEN, "field of view the rays spread over"},
    {"range", "m", 10, 0, 1e6, SOMA_LO_OPEN, "how far the rays see"},
    {"actions", "", 3, 3, 5, SOMA_INT, "3 (forward, left, right) or 5 (also stay, back)"},
};

static const soma_env_list_def lists[N_LISTS] = {
    {"walls", 4, 4 * MAX_WALLS, -INFINITY, INFINITY, "internal walls {x0, y0, x1, y1, ...} in m"},
    {"hazards", 3, 3 * MAX_HAZARDS, -INFINITY, INFINITY, "hazard zones {x, y, radius, ...} in m"},
    {"small", 2, 2 * MAX_FOOD, -INFINITY, INFINITY,
     "fixed small food {x, y, ...} in m, instead of n_small random ones"},
    {"large", 2, 2 * MAX_FOOD, -INFINITY, INFINITY,
     "fixed large food {x, y, ...} in m, instead of n_large random ones"},
    {"start", 2, 3, -INFINITY, INFINITY,
     "fixed start {x, y} or {x, y, heading in degrees} (default: random place and heading)"},
};

static const char *const latents[N_LATENTS] = {"x",            "y",         "heading", "food_left",
                                               "dist_to_goal", "in_hazard", "context"};
static const char *const action_labels[5] = {"forward", "left", "right", "stay", "back"};
static const char *const type_names[N_TYPES] = {"wall", "small", "large", "hazard"};

typedef struct {
  double x, y, r;
} disc;

/* What the options fix: checked as a whole into a copy, then committed. */
typedef struct {
  double size;
  int n_walls;            /* the four sides first, then the internal walls */
  geom_seg walls[MAX_WALLS + 4];
  int n_hazards;
  disc hazards[MAX_HAZARDS];
  int has_start;
  double start[3];        /* x, y, heading (rad) */
} layout;

typedef struct {
  disc d;
  int large, eaten;
} food;

typedef struct {
  layout lay;
  int n_food, food_left, changes;
  food food[2 * MAX_FOOD];
  double x, y, heading;
  int in_hazard;
  int rays;
  double ray_cos[MAX_RAYS], ray_sin[MAX_RAYS];   /* each ray's direction relative to heading */
  double ray_len[MAX_RAYS];                      /* how far each ray reaches (for drawing) */
  char obs_names[MAX_RAYS * N_TYPES][20];
  const char *obs_labels[MAX_RAYS * N_TYPES];
} arena;

/* ---- options -------------------------------------------------------------------------- */

static int inside(double size, double x, double y, double margin) {
  return x >= margin && x <= size - margin && y >= margin && y <= size - margin;
}

/* distance from (x, y) to the nearest wall (sides included) */
static double wall_clearance(const layout *l, double x, double y) {
  double best = INFINITY;
  for (int i = 0; i < l->n_walls; i++) {
    double d = geom_point_segment(x, y, &l->walls[i], NULL, NULL);
    if (d < best) best = d;
  }
  return best;
}

/* Checks fixed food positions: inside the arena, clear of the walls. */
static int check_food(soma_env *e, const layout *l, int which, double r, char *err, size_t len) {
  int n;
  const double *v = soma_env_list(e, lists[which].name, &n);
  if (!v) return 0;
  if (n % 2) {
    snprintf(err, len, "world 'forage': %s takes pairs {x, y, ...} (got %d numbers)",
             lists[which].name, n);
    return 1;
  }
  for (int k = 0; k < n; k += 2)
    if (!inside(l->size, v[k], v[k + 1], r) || wall_clearance(l, v[k], v[k + 1]) < r) {
      snprintf(err, len,
               "world 'forage': %s food %d at {%g, %g} (radius %g m) must lie inside the %g m "
               "arena, clear of the walls",
               lists[which].name, k / 2 + 1, v[k], v[k + 1], r, l->size);
      return 1;
    }
  return 0;
}

static int take_layout(soma_env *e, layout *l, char *err, size_t len) {
  double s = e->param[SIZE];
  int n;
  if (!(2 * e->param[AGENT_RADIUS] < s)) {
    snprintf(err, len, "world 'forage': agent_radius %g m must be less than half the size (%g m)",
             e->param[AGENT_RADIUS], s);
    return 1;
  }
  l->size = s;
  const geom_seg sides[4] = {{0, 0, s, 0}, {s, 0, s, s}, {s, s, 0, s}, {0, s, 0, 0}};
  memcpy(l->walls, sides, sizeof sides);
  l->n_walls = 4;
  const double *w = soma_env_list(e, "walls", &n);
  if (w && n % 4) {
    snprintf(err, len,
             "world 'forage': walls takes 4 numbers per wall {x0, y0, x1, y1, ...} (got %d, not "
             "a multiple of 4)",
             n);
    return 1;
  }
  for (int k = 0; w && k < n; k += 4) {
    if (!inside(s, w[k], w[k + 1], 0) || !inside(s, w[k + 2], w[k + 3], 0)) {
      snprintf(err, len,
               "world 'forage': walls: wall %d {%g, %g, %g, %g} must lie inside the %g m arena",
               k / 4 + 1, w[k], w[k + 1], w[k + 2], w[k + 3], s);
      return 1;
    }
    l->walls[l->n_walls++] = (geom_seg){w[k], w[k + 1], w[k + 2], w[k + 3]};
  }
  const double *h = soma_env_list(e, "hazards", &n);
  if (h && n % 3) {
    snprintf(err, len,
             "world 'forage': hazards takes 3 numbers per zone {x, y, radius, ...} (got %d, not a "
             "multiple of 3)",
             n);
    return 1;
  }
  l->n_hazards = 0;
  for (int k = 0; h && k < n; k += 3) {
    if (!inside(s, h[k], h[k + 1], 0) || !(h[k + 2] > 0) || !isfinite(h[k + 2])) {
      snprintf(err, len,
               "world 'forage': hazards: zone %d {%g, %g, %g} needs its centre inside the %g m "
               "arena and a radius > 0",
               k / 3 + 1, h[k], h[k + 1], h[k + 2], s);
      return 1;
    }
    l->hazards[l->n_hazards++] = (disc){h[k], h[k + 1], h[k + 2]};
  }
  const double *st = soma_env_list(e, "start", &n);
  l->has_start = st != NULL;
  if (st) {
    double ar = e->param[AGENT_RADIUS];
    if (!inside(s, st[0], st[1], ar) || wall_clearance(l, st[0], st[1]) < ar ||
        (n > 2 && !isfinite(st[2]))) {
      snprintf(err, len,
               "world 'forage': start {%g, %g} must lie inside the %g m arena, agent_radius %g m "
               "clear of its sides and walls",
               st[0], st[1], s, ar);
      return 1;
    }
    l->start[0] = st[0], l->start[1] = st[1];
    l->start[2] = n > 2 ? st[2] * M_PI / 180 : 0;
  }
  if (check_food(e, l, LIST_SMALL, e->param[RADIUS_SMALL], err, len) ||
      check_food(e, l, LIST_LARGE, e->param[RADIUS_LARGE], err, len))
    return 1;
  /* random items must fit loosely: their discs may cover at most a quarter of the floor */
  double area = 0;
  if (!soma_env_list(e, "small", &n)) area += e->param[N_SMALL] * pow(e->param[RADIUS_SMALL], 2);
  if (!soma_env_list(e, "large", &n)) area += e->param[N_LARGE] * pow(e->param[RADIUS_LARGE], 2);
  if (M_PI * area > 0.25 * s * s) {
    snprintf(err, len,
             "world 'forage': %g small and %g large food items cover more than a quarter of the "
             "%g m arena; use fewer or smaller items, or a larger size",
             e->param[N_SMALL], e->param[N_LARGE], s);
    return 1;
  }
  return 0;
}

/* The rays' directions relative to the heading: evenly over fov, leftmost first; a full circle
 * is split into rays equal sectors. */
static void take_rays(soma_env *e, arena *a) {
  double fov = e->param[FOV] * M_PI / 180;
  double gap = a->rays == 1 ? 0 : e->param[FOV] >= 360 ? fov / a->rays : fov / (a->rays - 1);
  for (int i = 0; i < a->rays; i++) {
    double off = (0.5 * (a->rays - 1) - i) * gap;
    a->ray_cos[i] = cos(off), a->ray_sin[i] = sin(off);
  }
}

static int create(soma_env *e, char *err, size_t len) {
  arena *a = calloc(1, sizeof *a);
  if (!a) return snprintf(err, len, "out of memory"), 1;
  e->state = a;
  if (e->param[ACTIONS] == 4) {
    snprintf(err, len,
             "world 'forage': actions must be 3 (forward, left, right) or 5 (also stay, back), "
             "got 4");
    return 1;
  }
  if (take_layout(e, &a->lay, err, len)) return 1;
  a->rays = (int)e->param[RAYS];
  take_rays(e, a);
  for (int i = 0; i < a->rays * N_TYPES; i++) {
    snprintf(a->obs_names[i], sizeof a->obs_names[i], "ray%d_%s", i / N_TYPES,
             type_names[i % N_TYPES]);
    a->obs_labels[i] = a->obs_names[i];
  }
  int n_act = (int)e->param[ACTIONS];
  e->act_space = (soma_space){SOMA_SPACE_DISCRETE, n_act, 0, n_act - 1, action_labels};
  e->obs_space = (soma_space){SOMA_SPACE_BOX, a->rays * N_TYPES, 0, 1, a->obs_labels};
  return 0;
}

/* ---- episodes ------------------------------------------------------------------------- */

static int in_any(const disc *d, int n, double x, double y, double margin) {
  for (int i = 0; i < n; i++)
    if (hypot(x - d[i].x, y - d[i].y) < d[i].r + margin) return 1;
  return 0;
}

/* A random place for a disc of radius r: clear of walls, hazards, the agent (when placed) and
 * the food so far. 0 when none was found. */
static int random_place(soma_env *e, arena *a, double r, int with_agent, double *x, double *y) {
  const layout *l = &a->lay;
  double ar = e->param[AGENT_RADIUS];
  for (int t = 0; t < PLACE_TRIES; t++) {
    *x = r + (l->size - 2 * r) * soma_env_uniform(e);
    *y = r + (l->size - 2 * r) * soma_env_uniform(e);
    if (wall_clearance(l, *x, *y) < r || in_any(l->hazards, l->n_hazards, *x, *y, r)) continue;
    if (with_agent && hypot(*x - a->x, *y - a->y) < r + ar) continue;
    int clear = 1;
    for (int i = 0; i < a->n_food && clear; i++)
      clear = hypot(*x - a->food[i].d.x, *y - a->food[i].d.y) >= r + a->food[i].d.r;
    if (clear) return 1;
  }
  return 0;
}

/* Food of one size: the fixed positions when given, else n_random at random places (an item
 * that finds no place in PLACE_TRIES tries is left out). */
static void place_food(soma_env *e, arena *a, int which, int large, int n_random, double r) {
  int n;
  const double *v = soma_env_list(e, lists[which].name, &n);
  int count = v ? n / 2 : n_random;
  for (int k = 0; k < count; k++) {
    double x, y;
    if (v) x = v[2 * k], y = v[2 * k + 1];
    else if (!random_place(e, a, r, 1, &x, &y)) continue;
    a->food[a->n_food++] = (food){{x, y, r}, large, 0};
  }
}

static void observe(soma_env *e, arena *a) {
  const layout *l = &a->lay;
  double range = e->param[RANGE], ch = cos(a->heading), sh = sin(a->heading);
  for (int i = 0; i < a->rays; i++) {
    double ux = ch * a->ray_cos[i] - sh * a->ray_sin[i];
    double uy = sh * a->ray_cos[i] + ch * a->ray_sin[i];
    double near[N_TYPES] = {INFINITY, INFINITY, INFINITY, INFINITY};
    for (int k = 0; k < l->n_walls; k++) {
      double t = geom_ray_segment(a->x, a->y, ux, uy, &l->walls[k]);
      if (t < near[T_WALL]) near[T_WALL] = t;
    }
    for (int k = 0; k < a->n_food; k++) {
      const food *f = &a->food[k];
      if (f->eaten) continue;
      double t = geom_ray_circle(a->x, a->y, ux, uy, f->d.x, f->d.y, f->d.r);
      double *best = &near[f->large ? T_LARGE : T_SMALL];
      if (t < *best) *best = t;
    }
    for (int k = 0; k < l->n_hazards; k++) {
      const disc *d = &l->hazards[k];
      double t = geom_ray_circle(a->x, a->y, ux, uy, d->x, d->y, d->r);
      if (t < near[T_HAZARD]) near[T_HAZARD] = t;
    }
    double seen = near[T_WALL] < range ? near[T_WALL] : range;   /* walls hide what is behind */
    for (int k = 0; k < N_TYPES; k++)
      e->obs[i * N_TYPES + k] = (k == T_WALL ? near[k] < range : near[k] < seen)
                                    ? 1 - near[k] / range : 0;
    a->ray_len[i] = seen;
  }
  double nearest = INFINITY;
  for (int k = 0; k < a->n_food; k++)
    if (!a->food[k].eaten) {
      double d = hypot(a->x - a->food[k].d.x, a->y - a->food[k].d.y);
      if (d < nearest) nearest = d;
    }
  e->latent[L_X] = a->x;
  e->latent[L_Y] = a->y;
  e->latent[L_HEADING] = a->heading;
  e->latent[L_FOOD_LEFT] = a->food_left;
  e->latent[L_DIST] = isfinite(nearest) ? nearest : NAN;
  e->latent[L_IN_HAZARD] = a->in_hazard;
  e->latent[L_CONTEXT] = a->changes;
}

static double wrap_angle(double h) { return remainder(h, 2 * M_PI); }

static void reset(soma_env *e) {
  arena *a = e->state;
  const layout *l = &a->lay;
  a->n_food = 0;
  if (l->has_start) {
    a->x = l->start[0], a->y = l->start[1], a->heading = wrap_angle(l->start[2]);
  } else {
    random_place(e, a, e->param[AGENT_RADIUS], 0, &a->x, &a->y);   /* no food yet */
    a->heading = wrap_angle(2 * M_PI * soma_env_uniform(e));
  }
  place_food(e, a, LIST_SMALL, 0, (int)e->param[N_SMALL], e->param[RADIUS_SMALL]);
  place_food(e, a, LIST_LARGE, 1, (int)e->param[N_LARGE], e->param[RADIUS_LARGE]);
  a->food_left = a->n_food;
  a->in_hazard = in_any(l->hazards, l->n_hazards, a->x, a->y, 0);
  observe(e, a);
}

static void step(soma_env *e, const double *act, soma_env_result *r) {
  arena *a = e->state;
  const layout *l = &a->lay;
  double turn = e->param[TURN] * M_PI / 180, ar = e->param[AGENT_RADIUS];
  double move = 0;
  switch ((int)act[0]) {
    case A_FORWARD: move = e->param[STEP]; break;
    case A_BACK: move = -e->param[STEP]; break;
    case A_LEFT: a->heading = wrap_angle(a->heading + turn); break;
    case A_RIGHT: a->heading = wrap_angle(a->heading - turn); break;
    default: break;   /* stay */
  }
  if (move != 0)
    geom_move_among(l->walls, l->n_walls, ar, &a->x, &a->y, move * cos(a->heading),
                    move * sin(a->heading));
  r->reward = 0;
  for (int k = 0; k < a->n_food; k++) {
    food *f = &a->food[k];
    if (f->eaten || hypot(a->x - f->d.x, a->y - f->d.y) > ar + f->d.r) continue;
    f->eaten = 1;
    a->food_left--;
    r->reward += e->param[f->large ? REWARD_LARGE : REWARD_SMALL];
  }
  a->in_hazard = in_any(l->hazards, l->n_hazards, a->x, a->y, 0);
  if (a->in_hazard) r->reward += e->param[REWARD_HAZARD];
  r->terminated = a->n_food > 0 && a->food_left == 0;
  observe(e, a);
}

/* Everything may change between steps except the arena's size and what shapes the spaces
 * (rays, actions: `fixed`). Walls and hazards apply at once, the food and start options at
 * the next reset; each change counts as a new context. */
static int set(soma_env *e, const soma_env_opt *o, char *err, size_t len) {
  (void)o;   /* every option is re-read */
  arena *a = e->state;
  layout next;
  if (take_layout(e, &next, err, len)) return 1;
  a->lay = next;
  take_rays(e, a);
  geom_move_among(next.walls, next.n_walls, e->param[AGENT_RADIUS], &a->x, &a->y, 0, 0);
  a->in_hazard = in_any(next.hazards, next.n_hazards, a->x, a->y, 0);
  a->changes++;
  observe(e, a);
  return 0;
}

/* ---- drawing -------------------------------------------------------------------------- */

static void thick_segment(soma_canvas *c, const geom_view *v, const geom_seg *s, int half,
                          uint32_t rgba) {
  int x0 = geom_view_x(v, s->x0), y0 = geom_view_y(v, s->y0);
  int x1 = geom_view_x(v, s->x1), y1 = geom_view_y(v, s->y1);
  int steep = abs(y1 - y0) > abs(x1 - x0);   /* thicken across the line */
  for (int k = -half; k <= half; k++)
    canvas_segment(c, x0 + (steep ? k : 0), y0 + (steep ? 0 : k), x1 + (steep ? k : 0),
                   y1 + (steep ? 0 : k), rgba);
}

/* the arena fills the rectangle */
static geom_view view(const arena *a, int x, int y, int w, int h) {
  return geom_view_fit(0, 0, a->lay.size, a->lay.size, x, y, w, h, 4);
}

static void locate(const soma_env *e, double wx, double wy, int x, int y, int w, int h, int *px,
                   int *py) {
  geom_view v = view(e->state, x, y, w, h);
  *px = geom_view_x(&v, wx);
  *py = geom_view_y(&v, wy);
}

static void draw(const soma_env *e, soma_canvas *c, int x, int y, int w, int h) {
  const arena *a = e->state;
  const layout *l = &a->lay;
  geom_view v = view(a, x, y, w, h);
  canvas_rect(c, x, y, w, h, 0xf4f4f4ffu, 1);
  int x0 = geom_view_x(&v, 0), y1 = geom_view_y(&v, l->size);
  int side = geom_view_len(&v, l->size);
  canvas_rect(c, x0, y1, side, side, 0xfbfaf3ffu, 1);
  for (int k = 0; k < l->n_hazards; k++) {
    const disc *d = &l->hazards[k];
    int cx = geom_view_x(&v, d->x), cy = geom_view_y(&v, d->y), r = geom_view_len(&v, d->r);
    canvas_circle(c, cx, cy, r, 0xe0303050u, 1);
    canvas_circle(c, cx, cy, r, 0xc8322dffu, 0);
  }
  for (int k = 0; k < l->n_walls; k++)
    thick_segment(c, &v, &l->walls[k], side > 200 ? 1 : 0, 0x404040ffu);
  for (int k = 0; k < a->n_food; k++) {
    const food *f = &a->food[k];
    if (f->eaten) continue;
    canvas_circle(c, geom_view_x(&v, f->d.x), geom_view_y(&v, f->d.y), geom_view_len(&v, f->d.r),
                  f->large ? 0x1e7b3cffu : 0x5cb85cffu, 1);
  }
  int ax = geom_view_x(&v, a->x), ay = geom_view_y(&v, a->y);
  double ch = cos(a->heading), sh = sin(a->heading);
  for (int i = 0; i < a->rays; i++) {
    double ux = ch * a->ray_cos[i] - sh * a->ray_sin[i];
    double uy = sh * a->ray_cos[i] + ch * a->ray_sin[i];
    canvas_segment_clipped(c, ax, ay, geom_view_x(&v, a->x + ux * a->ray_len[i]),
                           geom_view_y(&v, a->y + uy * a->ray_len[i]), 0x60606040u, x, y, w, h);
  }
  int ar = geom_view_len(&v, e->param[AGENT_RADIUS]);
  if (ar < 3) ar = 3;
  canvas_circle(c, ax, ay, ar, 0x1f3b73ffu, 1);
  canvas_segment_clipped(c, ax, ay, ax + (int)lround(2 * ar * ch), ay - (int)lround(2 * ar * sh),
                         0x1f3b73ffu, x, y, w, h);
}

const soma_world soma_world_forage = {
    .name = "forage",
    .doc = "Animal-AI-style arena: food of two sizes, walls, hazard zones, ray observations",
    SOMA_WORLD_PARAMS(params),
    SOMA_WORLD_LISTS(lists),
    SOMA_WORLD_LATENTS(latents),
    .max_steps = 1000,
    .fixed = "rays|actions|size",
    .create = create,
    .reset = reset,
    .step = step,
    .draw = draw,
    .locate = locate,
    .set = set,
};
