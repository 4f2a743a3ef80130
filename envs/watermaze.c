/* watermaze.c — the Morris water maze as modelled by Foster, Morris & Dayan (2000), Vasilaki
 * et al. (2009) and Frémaux et al. (2013): a round pool (metres, seconds), a hidden round
 * platform, and a swimmer released at one of four points on the rim (N, E, S, W). Each step the
 * swimmer moves speed * dt along the commanded direction; at the rim it bounces back (edge =
 * "reflect"), slides along the rim ("slide") or stops ("stop": a command pushing outwards, even
 * along the tangent, then goes nowhere). Reaching the platform ends the trial with `reward`.
 * Trials time out through max_steps (default 1200: 120 s at dt = 0.1 s).
 *
 * Actions (option `actions`): "continuous", a velocity command {vx, vy} in [-1, 1] (its norm is
 * capped at 1, so speed is the top speed in every direction), or "discrete8", the eight compass
 * directions N, NE, E, SE, S, SW, W, NW at full speed. Both are turned into one velocity, so the
 * motion is the same code. Observation: the position {x, y} / radius (y points north), then
 * with obs = "position_velocity" the velocity / speed. Latents: x, y (m), heading (rad, 0 east,
 * counter-clockwise), speed (m/s), dist_to_goal (m, to the platform's centre), trial_phase (0
 * swimming, 1 on the platform), context (platform moves by set). env:set{platform = {x, y}}
 * moves the platform (reversal); it must lie inside the pool. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envs/geom2d.h"
#include "envs/worlds.h"

enum { RADIUS, PLATFORM_RADIUS, SPEED, DT, REWARD, REWARD_WALL, N_PARAMS };
enum { S_START, S_ACTIONS, S_OBS, S_EDGE, N_STRS };
enum { L_X, L_Y, L_HEADING, L_SPEED, L_DIST, L_PHASE, L_CONTEXT, N_LATENTS };

static const soma_param_def params[N_PARAMS] = {
    {"radius", "m", 1, 0, 1e6, SOMA_LO_OPEN, "radius of the pool"},
    {"platform_radius", "m", 0.1, 0, 1e6, SOMA_LO_OPEN, "radius of the hidden platform"},
    {"speed", "m/s", 0.3, 0, 1e6, SOMA_LO_OPEN, "swimming speed at full command"},
    {"dt", "s", 0.1, 0, 1e6, SOMA_LO_OPEN, "time per step"},
    {"reward", "", 1, -INFINITY, INFINITY, 0, "reward on reaching the platform"},
    {"reward_wall", "", 0, -INFINITY, INFINITY, 0, "reward of a step that meets the rim"},
};

static const soma_env_str_def strs[N_STRS] = {
    {"start", "random", "random|N|E|S|W", "start point on the rim, or one of the four at random"},
    {"actions", "continuous", "continuous|discrete8",
     "velocity command {vx, vy} in [-1, 1], or one of 8 compass directions"},
    {"obs", "position", "position|position_velocity",
     "position / radius, or also velocity / speed"},
    {"edge", "reflect", "reflect|slide|stop",
     "at the rim the swimmer bounces back, slides along it, or stops"},
};

static const soma_env_list_def lists[] = {
    {"platform", 2, 2, -INFINITY, INFINITY,
     "centre {x, y} of the platform in m, origin at the pool's centre, y north (default "
     "{radius/2, radius/2}, the middle of the NE quadrant)"},
};

static const char *const latents[N_LATENTS] = {"x",            "y",           "heading", "speed",
                                               "dist_to_goal", "trial_phase", "context"};

static const char *const compass[8] = {"N", "NE", "E", "SE", "S", "SW", "W", "NW"};
static const char *const velocity_labels[2] = {"vx", "vy"};
static const char *const obs_labels[4] = {"x", "y", "vx", "vy"};
static const double start_dir[4][2] = {{0, 1}, {1, 0}, {0, -1}, {-1, 0}};   /* N, E, S, W */

typedef struct {
  double R, speed, dt;
  double plat_x, plat_y, plat_r;
  geom_rim rim;
  int start;            /* 0..3: N, E, S, W; -1: at random */
  int discrete, with_velocity;
  double x, y, vx, vy, heading;
  int on_platform, moves;
  double dir8[8][2];    /* unit vectors of the compass actions */
} pool;

static int start_index(const char *s) {
  for (int i = 0; i < 4; i++)
    if (!strcmp(s, compass[2 * i])) return i;
  return -1;
}

/* Reads the options that may change between steps into p (the platform is checked against the
 * pool). On failure p is left as it was. */
static int take_options(soma_env *e, pool *p, char *err, size_t len) {
  double R = e->param[RADIUS], r = e->param[PLATFORM_RADIUS], px = R / 2, py = R / 2;
  int n;
  const double *plat = soma_env_list(e, "platform", &n);
  if (plat) px = plat[0], py = plat[1];
  if (!(hypot(px, py) + r <= R)) {
    snprintf(err, len,
             "world 'watermaze': platform {%g, %g} with platform_radius %g m must lie inside the "
             "pool (radius %g m): its centre within %g m of the pool's centre",
             px, py, r, R, R - r);
    return 1;
  }
  p->R = R;
  p->plat_x = px, p->plat_y = py, p->plat_r = r;
  p->speed = e->param[SPEED];
  p->dt = e->param[DT];
  p->start = start_index(e->str[S_START]);
  const char *edge = e->str[S_EDGE];
  p->rim = !strcmp(edge, "stop") ? GEOM_RIM_STOP
           : !strcmp(edge, "slide") ? GEOM_RIM_SLIDE
                                    : GEOM_RIM_REFLECT;
  return 0;
}

static int create(soma_env *e, char *err, size_t len) {
  pool *p = calloc(1, sizeof *p);
  if (!p) return snprintf(err, len, "out of memory"), 1;
  e->state = p;
  if (take_options(e, p, err, len)) return 1;
  p->discrete = !strcmp(e->str[S_ACTIONS], "discrete8");
  p->with_velocity = !strcmp(e->str[S_OBS], "position_velocity");
  for (int k = 0; k < 8; k++) {
    double a = M_PI / 2 - k * M_PI / 4;   /* clockwise from north */
    p->dir8[k][0] = k % 2 ? cos(a) : round(cos(a));
    p->dir8[k][1] = k % 2 ? sin(a) : round(sin(a));
  }
  e->act_space = p->discrete ? (soma_space){SOMA_SPACE_DISCRETE, 8, 0, 7, compass}
                             : (soma_space){SOMA_SPACE_BOX, 2, -1, 1, velocity_labels};
  e->obs_space = (soma_space){SOMA_SPACE_BOX, p->with_velocity ? 4 : 2, -1, 1, obs_labels};
  return 0;
}

static void observe(soma_env *e, const pool *p) {
  e->obs[0] = p->x / p->R;
  e->obs[1] = p->y / p->R;
  if (p->with_velocity) {
    e->obs[2] = p->vx / p->speed;
    e->obs[3] = p->vy / p->speed;
  }
  e->latent[L_X] = p->x;
  e->latent[L_Y] = p->y;
  e->latent[L_HEADING] = p->heading;
  e->latent[L_SPEED] = hypot(p->vx, p->vy);
  e->latent[L_DIST] = hypot(p->x - p->plat_x, p->y - p->plat_y);
  e->latent[L_PHASE] = p->on_platform;
  e->latent[L_CONTEXT] = p->moves;
}

static void reset(soma_env *e) {
  pool *p = e->state;
  int s = p->start >= 0 ? p->start : (int)soma_env_uniform_int(e, 4);
  p->x = p->R * start_dir[s][0];
  p->y = p->R * start_dir[s][1];
  p->vx = p->vy = 0;
  p->heading = atan2(-p->y, -p->x);   /* facing the centre */
  p->on_platform = 0;
  observe(e, p);
}

/* Where the path first meets the platform: 1 and the point in (*hx, *hy), or 0. */
static int meets_platform(const pool *p, const double *px, const double *py, int n, double *hx,
                          double *hy) {
  for (int k = 0; k + 1 < n; k++) {
    double dx = px[k + 1] - px[k], dy = py[k + 1] - py[k], leg = hypot(dx, dy);
    double t = leg > 0 ? geom_ray_circle(px[k], py[k], dx / leg, dy / leg, p->plat_x, p->plat_y,
                                         p->plat_r)
                       : hypot(px[k] - p->plat_x, py[k] - p->plat_y) <= p->plat_r ? 0 : INFINITY;
    if (t <= leg) {
      *hx = leg > 0 ? px[k] + dx / leg * t : px[k];
      *hy = leg > 0 ? py[k] + dy / leg * t : py[k];
      return 1;
    }
  }
  return 0;
}

static void step(soma_env *e, const double *a, soma_env_result *r) {
  pool *p = e->state;
  double cx, cy;
  if (p->discrete) {
    cx = p->dir8[(int)a[0]][0], cy = p->dir8[(int)a[0]][1];
  } else {
    double norm = hypot(a[0], a[1]);
    double k = norm > 1 ? 1 / norm : 1;
    cx = a[0] * k, cy = a[1] * k;
  }
  double px[GEOM_POOL_MAX_PATH], py[GEOM_POOL_MAX_PATH], hx, hy;
  int hits, n = geom_pool_move(p->R, p->rim, p->x, p->y, cx * p->speed * p->dt,
                               cy * p->speed * p->dt, px, py, &hits);
  p->on_platform = meets_platform(p, px, py, n, &hx, &hy);
  if (!p->on_platform) hx = px[n - 1], hy = py[n - 1];
  p->vx = (hx - p->x) / p->dt;
  p->vy = (hy - p->y) / p->dt;
  if (p->vx != 0 || p->vy != 0) p->heading = atan2(p->vy, p->vx);
  p->x = hx, p->y = hy;
  r->reward = p->on_platform ? e->param[REWARD] : hits ? e->param[REWARD_WALL] : 0;
  r->terminated = p->on_platform;
  observe(e, p);
}

static int set(soma_env *e, const soma_env_opt *o, char *err, size_t len) {
  pool *p = e->state;
  if (take_options(e, p, err, len)) return 1;
  if (!strcmp(o->key, "platform")) p->moves++;
  observe(e, p);
  return 0;
}

/* A circle drawn as 24 dashes, for the hidden platform. */
static void dashed_circle(soma_canvas *c, int cx, int cy, int r, uint32_t rgba) {
  for (int k = 0; k < 48; k += 2) {
    double a0 = k * M_PI / 24, a1 = (k + 1) * M_PI / 24;
    canvas_segment(c, cx + (int)lround(r * cos(a0)), cy - (int)lround(r * sin(a0)),
                   cx + (int)lround(r * cos(a1)), cy - (int)lround(r * sin(a1)), rgba);
  }
}

/* the pool fills the rectangle */
static geom_view view(const pool *p, int x, int y, int w, int h) {
  return geom_view_fit(-p->R, -p->R, p->R, p->R, x, y, w, h, 4);
}

static void locate(const soma_env *e, double wx, double wy, int x, int y, int w, int h, int *px,
                   int *py) {
  geom_view v = view(e->state, x, y, w, h);
  *px = geom_view_x(&v, wx);
  *py = geom_view_y(&v, wy);
}

static void draw(const soma_env *e, soma_canvas *c, int x, int y, int w, int h) {
  const pool *p = e->state;
  geom_view v = view(p, x, y, w, h);
  canvas_rect(c, x, y, w, h, 0xf4f4f4ffu, 1);
  int ox = geom_view_x(&v, 0), oy = geom_view_y(&v, 0), R = geom_view_len(&v, p->R);
  canvas_circle(c, ox, oy, R, 0xd8e8f4ffu, 1);
  canvas_circle(c, ox, oy, R, 0x5b7f9cffu, 0);
  for (int s = 0; s < 4; s++)
    canvas_circle(c, geom_view_x(&v, p->R * start_dir[s][0]),
                  geom_view_y(&v, p->R * start_dir[s][1]), 2, 0x5b7f9cffu, 1);
  int pcx = geom_view_x(&v, p->plat_x), pcy = geom_view_y(&v, p->plat_y);
  int pr = geom_view_len(&v, p->plat_r);
  if (p->on_platform) canvas_circle(c, pcx, pcy, pr, 0x2e8b5760u, 1);
  dashed_circle(c, pcx, pcy, pr, 0x40404090u);
  int ax = geom_view_x(&v, p->x), ay = geom_view_y(&v, p->y);
  int ar = R / 30 > 3 ? R / 30 : 3;
  canvas_circle(c, ax, ay, ar, 0x1f3b73ffu, 1);
  canvas_segment_clipped(c, ax, ay, ax + (int)lround(2.5 * ar * cos(p->heading)),
                         ay - (int)lround(2.5 * ar * sin(p->heading)), 0x1f3b73ffu, x, y, w, h);
}

const soma_world soma_world_watermaze = {
    .name = "watermaze",
    .doc = "Morris water maze: round pool, hidden platform, four start points on the rim",
    SOMA_WORLD_PARAMS(params),
    SOMA_WORLD_STRS(strs),
    SOMA_WORLD_LISTS(lists),
    SOMA_WORLD_LATENTS(latents),
    .max_steps = 1200,
    .fixed = "radius|actions|obs",
    .create = create,
    .reset = reset,
    .step = step,
    .draw = draw,
    .locate = locate,
    .set = set,
};
