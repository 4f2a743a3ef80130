/* reach.c — center-out reaching: a point-mass hand moves from the start (0, 0) to one of 8
 * targets 45 deg apart on a circle, one trial per episode, under switchable perturbations:
 * a visuomotor rotation of the cursor, a velocity-dependent curl force field, and error-clamp
 * trials (a force channel to the target, or a visual clamp), as in motor-adaptation studies.
 *
 * Physics: m dv/dt = F + (B - b I) v with the agent's force F = a * max_force (a in [-1, 1]^2),
 * viscosity b and curl field B = [[0, k], [-k, 0]] (k > 0 pushes clockwise of the motion).
 * Fixed step dt, semi-implicit: the velocity is propagated exactly over the step with the
 * force held (an exponential propagator computed once per option change, as NEST does for
 * linear ODEs: no energy gained or lost to the curl field, stable for any b), then x += dt v.
 * With the default viscosity the speed follows the force with tau = m/b = 0.1 s, so the
 * action also reads as a velocity command (at most max_force / b = 1 m/s).
 *
 * Action BOX 2 (fx, fy). Observation BOX 6: cursor x, y (m), hand vx, vy (m/s), target x, y
 * (m). Target i sits at angle 45 i deg (0 at +x, counter-clockwise). A trial ends (terminated,
 * reward `reward`) when the cursor is within target_radius of the target and the hand slower
 * than stop_speed; it is truncated after max_steps (this world's default: 150 = 1.5 s).
 * Latents: see `latents` below; angular errors are measured at peak speed (see measure()). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envs/worlds.h"

enum {
  P_TARGET, P_RADIUS, P_TARGET_RADIUS, P_STOP_SPEED, P_MASS, P_VISCOSITY, P_MAX_FORCE, P_DT,
  P_ROTATION, P_CURL, P_CLAMP, P_REWARD, P_DISTANCE_COST, N_PARAMS
};
enum {
  L_X, L_Y, L_CURSOR_X, L_CURSOR_Y, L_VX, L_VY, L_TARGET, L_TARGET_ANGLE, L_ROTATION, L_CURL,
  L_CLAMP, L_PHASE, L_ANGULAR_ERROR, L_HAND_ERROR, L_CHANNEL_FORCE, L_CONTEXT, N_LATENTS
};
enum { CLAMP_NONE, CLAMP_CHANNEL, CLAMP_VISUAL };

#define N_TARGETS 8
#define TRACE_MAX 512   /* points kept for drawing; longer trials are thinned, never grown */

static const soma_param_def params[N_PARAMS] = {
    {"target", "", -1, -1, N_TARGETS - 1, SOMA_INT,
     "target of the next trials: 0..7 (at 45*i deg, 0 at +x, counter-clockwise), -1: random each trial"},
    {"radius", "m", 0.1, 0, 1, SOMA_LO_OPEN, "distance of the targets from the start"},
    {"target_radius", "m", 0.01, 0, 1, SOMA_LO_OPEN, "the cursor must come this close to the target"},
    {"stop_speed", "m/s", 0.03, 0, 10, SOMA_LO_OPEN, "and the hand be slower than this, to end the trial there"},
    {"mass", "kg", 1, 0, 100, SOMA_LO_OPEN, "mass of the hand"},
    {"viscosity", "N s/m", 10, 0, 1000, 0, "viscous damping b of the hand (force -b v)"},
    {"max_force", "N", 10, 0, 1e4, SOMA_LO_OPEN, "force of an action of 1"},
    {"dt", "s", 0.01, 0, 0.1, SOMA_LO_OPEN, "time step"},
    {"rotation", "deg", 0, -180, 180, 0,
     "visuomotor rotation of the cursor about the start (positive: counter-clockwise)"},
    {"curl", "N s/m", 0, -100, 100, 0, "curl field k: F = [[0, k], [-k, 0]] v (k > 0: clockwise)"},
    {"clamp", "", 0, 0, 2, SOMA_INT,
     "error clamp: 0 none, 1 force channel to the target (cursor = hand), 2 visual (hand free, "
     "cursor on the target line at the hand's distance)"},
    {"reward", "", 1, -INFINITY, INFINITY, 0, "reward on reaching the target"},
    {"distance_cost", "1/m", 0, 0, 1e6, 0, "each step costs this times the cursor's distance to the target"},
};

static const char *const latents[N_LATENTS] = {
    "x", "y", "cursor_x", "cursor_y", "vx", "vy", "target", "target_angle", "rotation", "curl",
    "clamp", "trial_phase", "angular_error", "hand_error", "channel_force", "context"};

static const char *const obs_labels[6] = {"cursor_x", "cursor_y", "vx", "vy", "target_x", "target_y"};
static const char *const act_labels[2] = {"fx", "fy"};

typedef struct {
  /* derived from the options (prepare) */
  /* one step of the velocity, v + i vy as a complex number: v' = P v + Q F (complex
   * products), and along a channel (no curl) v' = p v + q F */
  double P[2], Q[2], p_along, q_along;
  double cos_rot, sin_rot;
  /* the trial */
  int target;
  double ux, uy;          /* unit vector from the start to the target */
  double px, py, vx, vy;  /* hand */
  double cx, cy;          /* cursor */
  double channel_force;   /* the agent's force across the channel (N, + = left of the motion) */
  int reached;
  /* angular errors at peak speed */
  double peak_speed, cursor_error, hand_error;
  int error_known;
  double perturbation[3]; /* rotation, curl, clamp: to count changes */
  int context;            /* perturbation changes so far */
  /* trace of the trial for drawing: hand and cursor every `stride` steps */
  float trace[TRACE_MAX][4];
  int n_trace, stride;
} reach;

/* With z = vx + i vy, m dz/dt = F - (b + i k) z; over dt with F held, z' = P z + Q F where
 * P = exp(-(b + i k) dt / m) and Q = (1 - P) / (b + i k) (dt / m when b = k = 0). */
static void propagator(double b, double k, double m, double dt, double P[2], double Q[2]) {
  double decay = expm1(-b * dt / m), turn = k * dt / m, half = sin(turn / 2);
  P[0] = (1 + decay) * cos(turn);
  P[1] = -(1 + decay) * sin(turn);
  double nr = decay * cos(turn) - 2 * half * half, ni = P[1];   /* P - 1, without cancellation */
  double d = b * b + k * k;
  if (sqrt(d) * dt / m < 1e-12) {
    Q[0] = dt / m, Q[1] = 0;
  } else {
    Q[0] = -(nr * b + ni * k) / d;
    Q[1] = -(ni * b - nr * k) / d;
  }
}

static void prepare(soma_env *e, reach *r) {
  const double *p = e->param;
  double along_P[2], along_Q[2];
  propagator(p[P_VISCOSITY], p[P_CURL], p[P_MASS], p[P_DT], r->P, r->Q);
  propagator(p[P_VISCOSITY], 0, p[P_MASS], p[P_DT], along_P, along_Q);
  r->p_along = along_P[0], r->q_along = along_Q[0];
  double rot = p[P_ROTATION] * M_PI / 180;
  r->cos_rot = cos(rot);
  r->sin_rot = sin(rot);
}

/* Remembers the perturbation (rotation, curl, clamp); 1 when it differs from the last one. */
static int perturbation_changed(const soma_env *e, reach *r) {
  const double now[3] = {e->param[P_ROTATION], e->param[P_CURL], e->param[P_CLAMP]};
  int changed = 0;
  for (int i = 0; i < 3; i++) changed |= now[i] != r->perturbation[i], r->perturbation[i] = now[i];
  return changed;
}

static int check(const soma_env *e, char *err, size_t len) {
  if (e->param[P_TARGET_RADIUS] >= e->param[P_RADIUS]) {
    snprintf(err, len, "world 'reach': target_radius must be < radius (%g m; got %g m)",
             e->param[P_RADIUS], e->param[P_TARGET_RADIUS]);
    return 1;
  }
  return 0;
}

static int create(soma_env *e, char *err, size_t len) {
  if (check(e, err, len)) return 1;
  reach *r = calloc(1, sizeof *r);
  if (!r) return snprintf(err, len, "out of memory"), 1;
  e->state = r;
  prepare(e, r);
  perturbation_changed(e, r);   /* the perturbation given at creation is context 0 */
  e->act_space = (soma_space){SOMA_SPACE_BOX, 2, -1, 1, act_labels};
  e->obs_space = (soma_space){SOMA_SPACE_BOX, 6, -INFINITY, INFINITY, obs_labels};
  return 0;
}

/* The cursor shown for the hand: rotated about the start, or clamped to the target line. */
static void place_cursor(const soma_env *e, reach *r) {
  int clamp = (int)e->param[P_CLAMP];
  if (clamp == CLAMP_CHANNEL) {
    r->cx = r->px, r->cy = r->py;
  } else if (clamp == CLAMP_VISUAL) {
    double d = sqrt(r->px * r->px + r->py * r->py);
    r->cx = d * r->ux, r->cy = d * r->uy;
  } else {
    r->cx = r->cos_rot * r->px - r->sin_rot * r->py;
    r->cy = r->sin_rot * r->px + r->cos_rot * r->py;
  }
}

/* Signed angle (deg) from the target direction to (x, y), positive counter-clockwise. */
static double error_angle(const reach *r, double x, double y) {
  return atan2(r->ux * y - r->uy * x, r->ux * x + r->uy * y) * 180 / M_PI;
}

/* Angular errors at peak speed: while the speed rises, the errors of the cursor's and the
 * hand's directions (from the start, against the target's) are taken at each new maximum;
 * they become known (latents, NaN before) once the speed falls below half its peak, or when
 * the trial ends, and then stay. Motions slower than stop_speed do not count as a peak. */
static void measure(const soma_env *e, reach *r, int trial_over) {
  if (r->error_known) return;
  double speed = sqrt(r->vx * r->vx + r->vy * r->vy);
  if (speed > r->peak_speed) {
    r->peak_speed = speed;
    r->cursor_error = error_angle(r, r->cx, r->cy);
    r->hand_error = error_angle(r, r->px, r->py);
  } else if (r->peak_speed >= e->param[P_STOP_SPEED] && speed < 0.5 * r->peak_speed) {
    r->error_known = 1;
  }
  if (trial_over && r->peak_speed > 0) r->error_known = 1;
}

static void record_trace(reach *r, int64_t step) {
  if (step % r->stride) return;
  if (r->n_trace == TRACE_MAX) {   /* thin to every second point, sample half as often */
    for (int i = 0; i < TRACE_MAX / 2; i++) memcpy(r->trace[i], r->trace[2 * i], sizeof r->trace[i]);
    r->n_trace = TRACE_MAX / 2;
    r->stride *= 2;
    if (step % r->stride) return;
  }
  float *t = r->trace[r->n_trace++];
  t[0] = (float)r->px, t[1] = (float)r->py, t[2] = (float)r->cx, t[3] = (float)r->cy;
}

static void observe(soma_env *e, const reach *r) {
  double radius = e->param[P_RADIUS], *o = e->obs, *l = e->latent;
  o[0] = r->cx, o[1] = r->cy, o[2] = r->vx, o[3] = r->vy;
  o[4] = radius * r->ux, o[5] = radius * r->uy;
  l[L_X] = r->px, l[L_Y] = r->py;
  l[L_CURSOR_X] = r->cx, l[L_CURSOR_Y] = r->cy;
  l[L_VX] = r->vx, l[L_VY] = r->vy;
  l[L_TARGET] = r->target;
  l[L_TARGET_ANGLE] = 45.0 * r->target;
  l[L_ROTATION] = e->param[P_ROTATION];
  l[L_CURL] = e->param[P_CURL];
  l[L_CLAMP] = e->param[P_CLAMP];
  l[L_PHASE] = r->reached;
  l[L_ANGULAR_ERROR] = r->error_known ? r->cursor_error : NAN;
  l[L_HAND_ERROR] = r->error_known ? r->hand_error : NAN;
  l[L_CHANNEL_FORCE] = (int)e->param[P_CLAMP] == CLAMP_CHANNEL ? r->channel_force : NAN;
  l[L_CONTEXT] = r->context;
}

static void reset(soma_env *e) {
  reach *r = e->state;
  int t = (int)e->param[P_TARGET];
  r->target = t >= 0 ? t : (int)soma_env_uniform_int(e, N_TARGETS);
  double angle = r->target * (M_PI / 4);
  r->ux = cos(angle), r->uy = sin(angle);
  r->px = r->py = r->vx = r->vy = 0;
  r->channel_force = 0;
  r->reached = 0;
  r->peak_speed = 0;
  r->cursor_error = r->hand_error = NAN;
  r->error_known = 0;
  r->n_trace = 0;
  r->stride = 1;
  place_cursor(e, r);
  record_trace(r, 0);
  observe(e, r);
}

static void step(soma_env *e, const double *a, soma_env_result *res) {
  reach *r = e->state;
  const double *p = e->param;
  double fx = a[0] * p[P_MAX_FORCE], fy = a[1] * p[P_MAX_FORCE];
  if ((int)p[P_CLAMP] == CLAMP_CHANNEL) {
    /* the wall takes every force across the line (the curl field's too, which is always
     * across the motion), so the hand moves along it, damped by the viscosity alone */
    double along = r->ux * r->vx + r->uy * r->vy;
    along = r->p_along * along + r->q_along * (r->ux * fx + r->uy * fy);
    double s = r->ux * r->px + r->uy * r->py + p[P_DT] * along;
    r->vx = along * r->ux, r->vy = along * r->uy;
    r->px = s * r->ux, r->py = s * r->uy;
    r->channel_force = r->ux * fy - r->uy * fx;
  } else {
    const double *P = r->P, *Q = r->Q;
    double vx = P[0] * r->vx - P[1] * r->vy + Q[0] * fx - Q[1] * fy;
    double vy = P[1] * r->vx + P[0] * r->vy + Q[1] * fx + Q[0] * fy;
    r->vx = vx, r->vy = vy;
    r->px += p[P_DT] * r->vx;
    r->py += p[P_DT] * r->vy;
  }
  place_cursor(e, r);
  double dx = p[P_RADIUS] * r->ux - r->cx, dy = p[P_RADIUS] * r->uy - r->cy;
  double dist = sqrt(dx * dx + dy * dy), speed2 = r->vx * r->vx + r->vy * r->vy;
  r->reached = dist < p[P_TARGET_RADIUS] && speed2 < p[P_STOP_SPEED] * p[P_STOP_SPEED];
  res->reward = (r->reached ? p[P_REWARD] : 0) - p[P_DISTANCE_COST] * dist;
  res->terminated = r->reached;
  measure(e, r, r->reached || (e->max_steps > 0 && e->steps >= e->max_steps));
  record_trace(r, e->steps);
  observe(e, r);
}

/* Options apply from the next step (a new rotation moves the cursor at once), except target,
 * which chooses the next trial's target. A new value of rotation, curl or clamp starts a new
 * context (latent context counts them). */
static int set(soma_env *e, const soma_env_opt *o, char *err, size_t len) {
  (void)o;
  reach *r = e->state;
  if (check(e, err, len)) return 1;
  prepare(e, r);
  r->context += perturbation_changed(e, r);
  if (e->episode > 0) {   /* before the first trial there is nothing to show */
    place_cursor(e, r);
    observe(e, r);
  }
  return 0;
}

/* ---- drawing ---------------------------------------------------------------------------- */

typedef struct {
  double cx, cy, scale;   /* pixel centre and pixels per metre */
  int x, y, w, h;
} view;

static int px_x(const view *v, double x) { return (int)lround(v->cx + fmax(-1e5, fmin(1e5, v->scale * x))); }
static int px_y(const view *v, double y) { return (int)lround(v->cy - fmax(-1e5, fmin(1e5, v->scale * y))); }

static void trace_line(soma_canvas *c, const view *v, const reach *r, int k, uint32_t col) {
  for (int i = 1; i < r->n_trace; i++)
    canvas_segment_clipped(c, px_x(v, r->trace[i - 1][k]), px_y(v, r->trace[i - 1][k + 1]),
                           px_x(v, r->trace[i][k]), px_y(v, r->trace[i][k + 1]), col, v->x, v->y,
                           v->w, v->h);
}

/* a marker at (x, y), kept inside the rectangle so a hand that left the view stays visible */
static void marker(soma_canvas *c, const view *v, double x, double y, int rad, uint32_t col) {
  int px = px_x(v, x), py = px_y(v, y);
  px = px < v->x + rad ? v->x + rad : px > v->x + v->w - 1 - rad ? v->x + v->w - 1 - rad : px;
  py = py < v->y + rad ? v->y + rad : py > v->y + v->h - 1 - rad ? v->y + v->h - 1 - rad : py;
  canvas_circle(c, px, py, rad, col, 1);
}

static void draw(const soma_env *e, soma_canvas *c, int x, int y, int w, int h) {
  const reach *r = e->state;
  double radius = e->param[P_RADIUS];
  int side = w < h ? w : h;
  view v = {x + w / 2.0, y + h / 2.0, side / (2.6 * radius), x, y, w, h};
  canvas_rect(c, x, y, w, h, 0xf4f4f4ffu, 1);
  if (side < 24) return;   /* too small to show anything but the background */
  int tr = (int)lround(e->param[P_TARGET_RADIUS] * v.scale);
  tr = tr < 3 ? 3 : tr > side / 10 ? side / 10 : tr;
  int dot = side / 60 < 2 ? 2 : side / 60;
  if ((int)e->param[P_CLAMP] == CLAMP_CHANNEL)
    canvas_segment_clipped(c, px_x(&v, 0), px_y(&v, 0), px_x(&v, radius * r->ux),
                           px_y(&v, radius * r->uy), 0xc8c8c8ffu, x, y, w, h);
  for (int i = 0; i < N_TARGETS; i++) {
    double tx = radius * cos(i * M_PI / 4), ty = radius * sin(i * M_PI / 4);
    if (i == r->target)
      canvas_circle(c, px_x(&v, tx), px_y(&v, ty), tr, r->reached ? 0x2e8b57ffu : 0xe6a23cffu, 1);
    else
      canvas_circle(c, px_x(&v, tx), px_y(&v, ty), tr, 0xb4b4b4ffu, 0);
  }
  canvas_circle(c, px_x(&v, 0), px_y(&v, 0), tr, 0x606060ffu, 0);
  trace_line(c, &v, r, 0, 0xa0a0a0ffu);
  trace_line(c, &v, r, 2, 0x1f77b4ffu);
  marker(c, &v, r->px, r->py, dot, 0x808080ffu);
  marker(c, &v, r->cx, r->cy, dot, 0x1f77b4ffu);
}

const soma_world soma_world_reach = {
    .name = "reach",
    .doc = "center-out reaching with a point-mass hand: 8 targets, visuomotor rotation, curl "
           "force field, error-clamp trials",
    SOMA_WORLD_PARAMS(params),
    SOMA_WORLD_LATENTS(latents),
    .max_steps = 150,
    .create = create,
    .reset = reset,
    .step = step,
    .draw = draw,
    .set = set,
};
