/* reacher.c — the spiking reaching controller: place cells on the ring of targets, a ring of
 * motor neurons read by their population vector, and target->motor synapses with fast and
 * slow parts taught by the visual error through the delta rule (see reacher.h). */
#include "agents/reacher.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/encode.h"
#include "agents/readout.h"
#include "sim/param.h"

#define N_TARGETS 8

struct soma_reacher {
  soma_reacher_params p;
  soma_net *net;
  soma_encoder *enc;
  soma_popvec *pv;
  soma_pop *target, *motor;
  soma_proj *proj;
  soma_rec *motor_spikes;
  size_t n_syn;
  double *w0;               /* the initial weights, in the projection's order */
  int32_t *pre, *post;      /* the synapses' neurons, same order */
  double *w, *fast, *slow;  /* scratch: the weights and their parts */
  double *counts, *rates, *teach;   /* per motor neuron */
  float *rho;               /* N_TARGETS x n_target: the place cells' rates for each target */
  double *ux, *uy;          /* the motor neurons' preferred directions */
  double *drive;            /* scratch: n_motor x 4 */
  double radius;            /* of the world the encoder was made for (0: not yet) */
  int64_t trials;
  int learning;
};

soma_reacher_params soma_reacher_defaults(void) {
  return (soma_reacher_params){
      .dt = 0.1, .threads = 1, .seed = 1,
      .n_target = 128, .target_width = 30, .target_hz = 60,
      .n_motor = 64, .w_peak = 150, .w_floor = 5, .motor_width = 30, .w_max = 1000,
      .noise_hz = 3000, .noise_w = 40,
      .lr = 0.006, .tau_rate = 100,
      .components = 2, .b_fast = 0.75, .b_slow = 0.06, .a_fast = 0.92, .a_slow = 0.996,
      .b_one = 0.3, .a_one = 0.99,
      .plan_ms = 100, .move_ms = 300, .pulse_ms = 200, .force = 0.5, .learn_ms = 100,
      .gap_ms = 50, .error_gain = 1,
  };
}

static int check(const soma_reacher_params *p, char *err, size_t len) {
  const struct {
    soma_param_def def;
    double v;
  } t[] = {
      {{"dt", "ms", 0, 0.001, 10, 0, ""}, p->dt},
      {{"threads", "", 0, 1, 1024, SOMA_INT, ""}, p->threads},
      {{"n_target", "neurons", 0, 4, 100000, SOMA_INT, ""}, p->n_target},
      {{"target_width", "deg", 0, 0, 360, SOMA_LO_OPEN, ""}, p->target_width},
      {{"target_hz", "Hz", 0, 0, 1000, SOMA_LO_OPEN, ""}, p->target_hz},
      {{"n_motor", "neurons", 0, 4, 100000, SOMA_INT, ""}, p->n_motor},
      {{"w_peak", "pA", 0, 0, 1e6, 0, ""}, p->w_peak},
      {{"w_floor", "pA", 0, 0, 1e6, 0, ""}, p->w_floor},
      {{"motor_width", "deg", 0, 0, 360, SOMA_LO_OPEN, ""}, p->motor_width},
      {{"w_max", "pA", 0, 0, 1e7, SOMA_LO_OPEN, ""}, p->w_max},
      {{"noise_hz", "Hz", 0, 0, 1e6, 0, ""}, p->noise_hz},
      {{"noise_w", "pA", 0, 0, 1e6, 0, ""}, p->noise_w},
      {{"lr", "pA/(Hz ms)", 0, 0, 1e3, 0, ""}, p->lr},
      {{"tau_rate", "ms", 0, 0, 1e6, SOMA_LO_OPEN, ""}, p->tau_rate},
      {{"components", "", 0, 1, 2, SOMA_INT, ""}, p->components},
      {{"b_fast", "", 0, 0, 10, 0, ""}, p->b_fast},
      {{"b_slow", "", 0, 0, 10, 0, ""}, p->b_slow},
      {{"a_fast", "", 0, 0, 1, SOMA_LO_OPEN, ""}, p->a_fast},
      {{"a_slow", "", 0, 0, 1, SOMA_LO_OPEN, ""}, p->a_slow},
      {{"b_one", "", 0, 0, 10, 0, ""}, p->b_one},
      {{"a_one", "", 0, 0, 1, SOMA_LO_OPEN, ""}, p->a_one},
      {{"plan_ms", "ms", 0, 0, 1e5, SOMA_LO_OPEN, ""}, p->plan_ms},
      {{"move_ms", "ms", 0, 0, 1e5, SOMA_LO_OPEN, ""}, p->move_ms},
      {{"pulse_ms", "ms", 0, 0, 1e5, SOMA_LO_OPEN, ""}, p->pulse_ms},
      {{"force", "", 0, 0, 1, SOMA_LO_OPEN, ""}, p->force},
      {{"learn_ms", "ms", 0, 0, 1e5, 0, ""}, p->learn_ms},
      {{"gap_ms", "ms", 0, 0, 1e5, 0, ""}, p->gap_ms},
      {{"error_gain", "", 0, 0, 10, 0, ""}, p->error_gain},
  };
  char msg[256];
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (soma_param_check(&t[i].def, t[i].v, msg, sizeof msg))
      return snprintf(err, len, "reacher: %s", msg), 1;
  if (p->pulse_ms > p->move_ms)
    return snprintf(err, len, "reacher: pulse_ms (%g) must be <= move_ms (%g)", p->pulse_ms,
                    p->move_ms), 1;
  const double spans[] = {p->plan_ms, p->move_ms, p->learn_ms, p->gap_ms};
  const char *names[] = {"plan_ms", "move_ms", "learn_ms", "gap_ms"};
  for (int k = 0; k < 4; k++) {
    double steps = spans[k] / p->dt;
    if (fabs(steps - round(steps)) > 1e-6 * fmax(1, steps))
      return snprintf(err, len, "reacher: %s (%g) must be a multiple of dt (%g)", names[k],
                      spans[k], p->dt), 1;
  }
  return 0;
}

static int fail_engine(soma_reacher *r, const char *what, char *err, size_t len) {
  snprintf(err, len, "reacher: %s: %s", what, soma_net_errmsg(r->net));
  return 1;
}

static double rad(double deg) { return deg * M_PI / 180; }
static double deg(double rad) { return rad * 180 / M_PI; }
/* an angle in (-180, 180] deg */
static double wrap(double d) {
  d = fmod(d, 360);
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d;
}

double soma_reacher_trial_ms(const soma_reacher *r) {
  const soma_reacher_params *p = &r->p;
  return p->plan_ms + p->move_ms + p->learn_ms + p->gap_ms;
}

/* the place cells sit on the ring of the targets, so they are made for the world's radius */
static int make_encoder(soma_reacher *r, double radius, char *err, size_t len) {
  if (r->enc && radius == r->radius) return 0;
  const soma_reacher_params *p = &r->p;
  double *c = malloc(sizeof *c * 2 * (size_t)p->n_target);
  if (!c) return snprintf(err, len, "out of memory"), 1;
  for (int i = 0; i < p->n_target; i++) {
    c[2 * i] = radius * cos(2 * M_PI * i / p->n_target);
    c[2 * i + 1] = radius * sin(2 * M_PI * i / p->n_target);
  }
  soma_place_params pp = soma_place_defaults();
  pp.centres = c;
  pp.n_centres = p->n_target;
  pp.sigma = radius * rad(p->target_width);
  pp.r_max = p->target_hz;
  pp.r_min = 0;
  soma_encoder *enc = soma_encoder_place(&pp, err, len);
  free(c);
  if (!enc) return 1;
  soma_encoder_destroy(r->enc);
  r->enc = enc;
  r->radius = radius;
  for (int k = 0; k < N_TARGETS; k++) {
    double xy[2] = {radius * cos(k * M_PI / 4), radius * sin(k * M_PI / 4)};
    if (soma_encoder_rates(enc, xy, 2, r->rho + (size_t)k * p->n_target) != SOMA_OK)
      return snprintf(err, len, "reacher: %s", soma_encoder_errmsg(enc)), 1;
  }
  return 0;
}

static int build(soma_reacher *r, char *err, size_t len) {
  const soma_reacher_params *p = &r->p;
  soma_net_config cfg = soma_net_defaults();
  cfg.dt = p->dt;
  cfg.seed = (uint32_t)(p->seed ^ (p->seed >> 32));
  cfg.threads = p->threads;
  if (!(r->net = soma_net_create(&cfg, err, len))) return 1;
  if (!(r->target = soma_pop_create(r->net, "target", "poisson", p->n_target, NULL)))
    return fail_engine(r, "target", err, len);
  if (!(r->motor = soma_pop_create(r->net, "motor", "lif", p->n_motor, NULL)))
    return fail_engine(r, "motor", err, len);
  if (p->noise_hz > 0 && p->noise_w > 0 &&
      soma_pop_poisson_input(r->motor, "ex", p->noise_hz, p->noise_w) != SOMA_OK)
    return fail_engine(r, "noise", err, len);
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ALL_TO_ALL;
  c.delay.a = p->dt;
  if (!(r->proj = soma_proj_create(r->net, "target->motor", r->target, r->motor, &c)))
    return fail_engine(r, "target->motor", err, len);
  size_t n = r->n_syn = soma_proj_size(r->proj);
  r->w0 = malloc(sizeof *r->w0 * n);
  r->w = malloc(sizeof *r->w * n);
  r->fast = calloc(n, sizeof *r->fast);
  r->slow = calloc(n, sizeof *r->slow);
  r->pre = malloc(sizeof *r->pre * n);
  r->post = malloc(sizeof *r->post * n);
  r->counts = calloc((size_t)p->n_motor, sizeof *r->counts);
  r->rates = calloc((size_t)p->n_motor, sizeof *r->rates);
  r->teach = calloc((size_t)p->n_motor, sizeof *r->teach);
  r->rho = calloc((size_t)N_TARGETS * (size_t)p->n_target, sizeof *r->rho);
  r->ux = malloc(sizeof *r->ux * (size_t)p->n_motor);
  r->uy = malloc(sizeof *r->uy * (size_t)p->n_motor);
  r->drive = malloc(sizeof *r->drive * 4 * (size_t)p->n_motor);
  if (!r->w0 || !r->w || !r->fast || !r->slow || !r->pre || !r->post || !r->counts || !r->rates ||
      !r->teach || !r->rho || !r->ux || !r->uy || !r->drive)
    return snprintf(err, len, "out of memory"), 1;
  for (int j = 0; j < p->n_motor; j++)
    r->ux[j] = cos(2 * M_PI * j / p->n_motor), r->uy[j] = sin(2 * M_PI * j / p->n_motor);
  if (soma_proj_get(r->proj, r->pre, r->post, NULL, NULL) != SOMA_OK)
    return fail_engine(r, "target->motor", err, len);
  /* place cell i (at 360 i / n_target deg) drives the motor neurons preferring its direction */
  double kappa = 1 / (rad(p->motor_width) * rad(p->motor_width));
  for (size_t k = 0; k < n; k++) {
    double d = 2 * M_PI * ((double)r->pre[k] / p->n_target - (double)r->post[k] / p->n_motor);
    r->w0[k] = p->w_floor + p->w_peak * exp(kappa * (cos(d) - 1));
  }
  if (soma_proj_set_weights(r->proj, r->w0, n) != SOMA_OK)
    return fail_engine(r, "target->motor", err, len);
  soma_param rule[] = {{"lr", 0}, {"tau_pre", 20}, {"tau_rate", p->tau_rate}, {"every", 1},
                       {"w_min", 0}, {"w_max", p->w_max}, {NULL, 0}};
  double none = 0;
  if (soma_proj_plastic(r->proj, "pred_error", rule, NULL) != SOMA_OK ||
      soma_proj_set_target(r->proj, &none, 1) != SOMA_OK)
    return fail_engine(r, "the delta rule", err, len);
  /* the parts forget per trial: a = exp(-trial_ms / tau) */
  double T = soma_reacher_trial_ms(r);
  double bf = p->components == 2 ? p->b_fast : p->b_one, bs = p->components == 2 ? p->b_slow : 0;
  double af = p->components == 2 ? p->a_fast : p->a_one, as = p->components == 2 ? p->a_slow : 1;
  double tf = af < 1 ? -T / log(af) : INFINITY, ts = as < 1 ? -T / log(as) : INFINITY;
  /* the parts are updated every 10 ms or the largest span below that divides a trial */
  long long t_steps = llround(T / p->dt), every = llround(floor(10 / p->dt + 1e-9));
  while (every > 1 && t_steps % every) every--;
  double every_ms = (double)(every < 1 ? 1 : every) * p->dt;
  if (soma_proj_fast_slow(r->proj, bf, bs, tf, ts, every_ms) != SOMA_OK)
    return fail_engine(r, "fast and slow weights", err, len);
  if (!(r->motor_spikes = soma_rec_spikes(r->net, r->motor, NULL, 0)))
    return fail_engine(r, "motor spikes", err, len);
  soma_popvec_params pv = soma_popvec_defaults();
  pv.n = p->n_motor;
  pv.seed = p->seed;
  if (!(r->pv = soma_popvec_create(&pv, err, len))) return 1;
  r->learning = 1;
  return 0;
}

soma_reacher *soma_reacher_create(const soma_reacher_params *p, char *err, size_t len) {
  if (!p) return snprintf(err, len, "reacher: no parameters"), NULL;
  if (check(p, err, len)) return NULL;
  soma_reacher *r = calloc(1, sizeof *r);
  if (!r) return snprintf(err, len, "out of memory"), NULL;
  r->p = *p;
  if (build(r, err, len)) {
    soma_reacher_destroy(r);
    return NULL;
  }
  return r;
}

void soma_reacher_destroy(soma_reacher *r) {
  if (!r) return;
  soma_net_destroy(r->net);
  soma_encoder_destroy(r->enc);
  soma_popvec_destroy(r->pv);
  free(r->w0), free(r->w), free(r->fast), free(r->slow), free(r->pre), free(r->post);
  free(r->counts), free(r->rates), free(r->teach), free(r->rho), free(r->ux), free(r->uy);
  free(r->drive);
  free(r);
}

soma_net *soma_reacher_net(soma_reacher *r) { return r->net; }
soma_proj *soma_reacher_proj(soma_reacher *r) { return r->proj; }
const soma_reacher_params *soma_reacher_params_of(const soma_reacher *r) { return &r->p; }
int64_t soma_reacher_trials(const soma_reacher *r) { return r->trials; }

int soma_reacher_learning(soma_reacher *r, int on) {
  r->learning = on != 0;
  return soma_proj_learning(r->proj, r->learning);
}

/* ---- reading the weights ----------------------------------------------------------------- */

static int read_parts(soma_reacher *r) {
  if (soma_proj_get(r->proj, NULL, NULL, r->w, NULL) != SOMA_OK ||
      soma_proj_weight_parts(r->proj, r->fast, r->slow) != SOMA_OK)
    return 1;
  return 0;
}

/* the angles (rad) of the drive onto the motor ring for target k with the weights as they are
 * (a[0]), the initial ones (a[1]), initial + fast (a[2]) and initial + slow (a[3]) */
static void drive_angles(soma_reacher *r, int k, double a[4]) {
  const soma_reacher_params *p = &r->p;
  const float *rho = r->rho + (size_t)k * p->n_target;
  double *D = r->drive;
  memset(D, 0, sizeof *D * 4 * (size_t)p->n_motor);
  for (size_t s = 0; s < r->n_syn; s++) {
    double x = rho[r->pre[s]], *d = D + 4 * (size_t)r->post[s];
    d[0] += x * r->w[s];
    d[1] += x * r->w0[s];
    d[2] += x * (r->w0[s] + r->fast[s]);
    d[3] += x * (r->w0[s] + r->slow[s]);
  }
  for (int v = 0; v < 4; v++) {
    double sx = 0, sy = 0;
    for (int j = 0; j < p->n_motor; j++) {
      sx += D[4 * j + v] * r->ux[j];
      sy += D[4 * j + v] * r->uy[j];
    }
    a[v] = atan2(sy, sx);
  }
}

int soma_reacher_weight_angles(soma_reacher *r, double *total, double *fast, double *slow) {
  if (!r->enc) {   /* no world seen yet: the ring of the default world */
    char err[256];
    if (make_encoder(r, 0.1, err, sizeof err)) return SOMA_ERR_PARAM;
  }
  if (read_parts(r)) return SOMA_ERR_PARAM;
  double t = 0, f = 0, s = 0, a[4];
  for (int k = 0; k < N_TARGETS; k++) {
    drive_angles(r, k, a);
    t += wrap(deg(a[0] - a[1]));
    f += wrap(deg(a[2] - a[1]));
    s += wrap(deg(a[3] - a[1]));
  }
  if (total) *total = t / N_TARGETS;
  if (fast) *fast = f / N_TARGETS;
  if (slow) *slow = s / N_TARGETS;
  return SOMA_OK;
}

int soma_reacher_parts_rms(soma_reacher *r, double *fast, double *slow) {
  if (read_parts(r)) return SOMA_ERR_PARAM;
  double f = 0, s = 0;
  for (size_t k = 0; k < r->n_syn; k++) f += r->fast[k] * r->fast[k], s += r->slow[k] * r->slow[k];
  if (fast) *fast = sqrt(f / (double)r->n_syn);
  if (slow) *slow = sqrt(s / (double)r->n_syn);
  return SOMA_OK;
}

/* ---- a trial ---------------------------------------------------------------------------- */

static int run(soma_reacher *r, double ms, char *err, size_t len) {
  if (ms <= 0) return SOMA_OK;
  int rc = soma_net_run(r->net, ms);
  if (rc == SOMA_OK) return SOMA_OK;
  if (rc == SOMA_INTERRUPTED) {
    snprintf(err, len, "reacher: interrupted");
    return rc;
  }
  fail_engine(r, "run", err, len);
  return rc;
}

static int set_lr(soma_reacher *r, double lr, char *err, size_t len) {
  if (soma_proj_set_rule_param(r->proj, "lr", lr) != SOMA_OK)
    return fail_engine(r, "learning rate", err, len), SOMA_ERR_PARAM;
  return SOMA_OK;
}

/* the motor rates turned by -turn rad: neuron j gets the rate of the (interpolated) neuron at
 * its preferred direction + turn */
static void turn_rates(const double *rates, int n, double turn, double *out) {
  double shift = turn / (2 * M_PI) * n;
  for (int j = 0; j < n; j++) {
    double x = j + shift, fl = floor(x), f = x - fl;
    int a = (int)(((long long)fl % n + n) % n), b = (a + 1) % n;
    out[j] = (1 - f) * rates[a] + f * rates[b];
  }
}

static int latent(const soma_env *env, const char *name) {
  return soma_env_latent_index(env, name);
}

int soma_reacher_run_trial(soma_reacher *r, soma_env *env, const soma_env_driver *d, int target,
                           soma_reacher_trial *out, char *err, size_t len) {
  const soma_reacher_params *p = &r->p;
  memset(out, 0, sizeof *out);
  if (strcmp(env->world->name, "reach")) {
    snprintf(err, len, "reacher: the reacher moves in the world 'reach' (got '%s')",
             env->world->name);
    return SOMA_ERR_PARAM;
  }
  double env_dt = soma_env_param(env, "dt") * 1000, steps_f = p->move_ms / env_dt;
  if (fabs(steps_f - round(steps_f)) > 1e-6 * steps_f || env_dt < p->dt ||
      fabs(env_dt / p->dt - round(env_dt / p->dt)) > 1e-6 * env_dt / p->dt) {
    snprintf(err, len, "reacher: the world's dt (%g ms) must divide move_ms (%g) and be a multiple "
             "of the network's dt (%g ms)", env_dt, p->move_ms, p->dt);
    return SOMA_ERR_PARAM;
  }
  if (target > 7) {
    snprintf(err, len, "reacher: target must be 0..7, or -1 for the world's choice (got %d)",
             target);
    return SOMA_ERR_PARAM;
  }
  if (target >= 0) {
    double v = target;
    soma_env_opt o = {.key = "target", .num = &v, .n = 1};
    if (soma_env_set(env, &o, 1, err, len)) return SOMA_ERR_PARAM;
  }
  if (make_encoder(r, soma_env_param(env, "radius"), err, len)) return SOMA_ERR_PARAM;
  if (soma_env_drive_reset(d, env, p->seed, err, len)) return SOMA_ERR_PARAM;
  int rc;
  out->target = (int)env->latent[latent(env, "target")];
  out->target_angle = env->latent[latent(env, "target_angle")];
  /* plan: the target's position (observation 4, 5) drives the place cells */
  if (soma_encoder_apply(r->enc, env->obs + 4, 2, r->target) != SOMA_OK) {
    snprintf(err, len, "reacher: %s", soma_encoder_errmsg(r->enc));
    return SOMA_ERR_PARAM;
  }
  int64_t s0 = soma_net_steps(r->net);
  if ((rc = run(r, p->plan_ms, err, len))) return rc;
  int64_t s1 = soma_net_steps(r->net);
  if (soma_spike_counts(r->motor_spikes, s0, s1, r->counts, p->n_motor, err, len))
    return SOMA_ERR_PARAM;
  soma_popvec_result pv;
  if (soma_popvec_read(r->pv, r->counts, p->n_motor, &pv) != SOMA_OK) {
    snprintf(err, len, "reacher: %s", soma_popvec_errmsg(r->pv));
    return SOMA_ERR_PARAM;
  }
  out->plan_spikes = pv.total;
  double aim = pv.total > 0 ? pv.angle : NAN;
  out->aim = wrap(deg(aim) - out->target_angle);
  /* move: a force pulse in the aimed direction; the network runs alongside */
  int n_steps = (int)lround(steps_f), pulse = (int)lround(p->pulse_ms / env_dt);
  int i_force = latent(env, "channel_force");
  out->channel_force = NAN;
  for (int k = 0; k < n_steps; k++) {
    if (!env->done) {
      double a[2] = {0, 0};
      if (k < pulse && isfinite(aim)) a[0] = p->force * cos(aim), a[1] = p->force * sin(aim);
      soma_env_result res;
      if (soma_env_drive_step(d, env, a, 2, &res, err, len)) return SOMA_ERR_PARAM;
      out->steps++;
      out->reward += res.reward;
      out->terminated |= res.terminated;
      if (k == pulse - 1) out->channel_force = env->latent[i_force];
    }
    if ((rc = run(r, env_dt, err, len))) return rc;
  }
  out->hand = env->latent[latent(env, "hand_error")];
  out->error = env->latent[latent(env, "angular_error")];
  /* learn: the motor neurons are taught what they did, turned against the error */
  int64_t s2 = soma_net_steps(r->net);
  if (soma_spike_counts(r->motor_spikes, s0, s2, r->counts, p->n_motor, err, len))
    return SOMA_ERR_PARAM;
  double window_s = (double)(s2 - s0) * p->dt * 1e-3;
  for (int j = 0; j < p->n_motor; j++) r->rates[j] = r->counts[j] / window_s;
  int teach = isfinite(out->error) && r->learning && p->learn_ms > 0;
  if (teach) {
    turn_rates(r->rates, p->n_motor, rad(p->error_gain * out->error), r->teach);
    if (soma_proj_set_target(r->proj, r->teach, p->n_motor) != SOMA_OK)
      return fail_engine(r, "teacher", err, len), SOMA_ERR_PARAM;
    if ((rc = set_lr(r, p->lr, err, len))) return rc;
  }
  if ((rc = run(r, p->learn_ms, err, len))) return rc;
  if (teach && (rc = set_lr(r, 0, err, len))) return rc;
  /* gap: the target goes away */
  soma_dist zero = soma_dist_const(0);
  if (soma_pop_set_var_dist(r->target, "rate", &zero) != SOMA_OK)
    return fail_engine(r, "target", err, len), SOMA_ERR_PARAM;
  if ((rc = run(r, p->gap_ms, err, len))) return rc;
  r->trials++;
  out->trial = r->trials;
  out->t_ms = soma_net_time(r->net);
  if (soma_reacher_weight_angles(r, &out->weights_total, &out->weights_fast, &out->weights_slow))
    return fail_engine(r, "weights", err, len), SOMA_ERR_PARAM;
  return SOMA_OK;
}
