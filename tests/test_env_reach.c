/* test_env_reach.c — the center-out reaching world: a proportional-derivative controller
 * reaches all 8 targets; a 30 deg rotation turns the cursor's initial direction by 30 deg; a
 * curl field pushes the hand to the side its sign says, in proportion to k; a force channel
 * keeps the hand on the line and measures the sideways push; a visual clamp shows zero error;
 * the same seed gives the same trials; bad options are named; drawing; steps per second. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "envs/env.h"

#define OPT(k, v) {(k), NULL, (const double[]){(v)}, 1}

static soma_env *make(const soma_env_opt *opts, int n) {
  char err[512];
  soma_env *e = soma_env_create("reach", opts, n, err, sizeof err);
  if (!e) printf("  create: %s\n", err);
  return e;
}

static double latent(const soma_env *e, const char *name) {
  int i = soma_env_latent_index(e, name);
  return i >= 0 ? e->latent[i] : NAN;
}

static int set1(soma_env *e, const char *key, double v) {
  char err[512];
  soma_env_opt o = OPT(key, v);
  int bad = soma_env_set(e, &o, 1, err, sizeof err);
  if (bad) printf("  set %s: %s\n", key, err);
  return bad;
}

/* The controller: a spring of Kp = 60 N/m from position (x, y) to the target and a damper of
 * Kd = 5 N s/m on the hand's velocity (with the world's default viscosity, near-critical),
 * plus a constant sideways push `bias` (action units, to the left of the target direction). */
enum { FROM_CURSOR, FROM_HAND };

typedef struct {
  int from;
  double bias;
  double aim;   /* deg: the controller's target, rotated about the start (0: the real one) */
} controller;

static void act(const soma_env *e, const controller *k, double a[2]) {
  const double *o = e->obs, kp = 60, kd = 5, max_force = 10;
  double x = k->from == FROM_CURSOR ? o[0] : latent(e, "x");
  double y = k->from == FROM_CURSOR ? o[1] : latent(e, "y");
  double c = cos(k->aim * M_PI / 180), s = sin(k->aim * M_PI / 180);
  double tx = c * o[4] - s * o[5], ty = s * o[4] + c * o[5];
  double r = hypot(o[4], o[5]), nx = -o[5] / r, ny = o[4] / r;
  a[0] = (kp * (tx - x) - kd * o[2]) / max_force + k->bias * nx;
  a[1] = (kp * (ty - y) - kd * o[3]) / max_force + k->bias * ny;
}

typedef struct {
  int steps, terminated, truncated;
  double reward, last_reward;
  double lateral_max;      /* the hand's largest signed distance from the line (+ = left) */
  double lateral_abs;      /* its largest absolute distance */
  double cursor_angle3;    /* the cursor's direction from the start after 3 steps (deg, vs target) */
  double channel_force;    /* at the step of peak speed */
  double peak_speed;
} trial;

/* One trial from reset (continuing the generator) to its end. */
static trial run(soma_env *e, const controller *k) {
  trial t = {0};
  char err[256];
  soma_env_reset(e, 0, 0);
  double ux = e->obs[4], uy = e->obs[5], r = hypot(ux, uy);
  ux /= r, uy /= r;
  for (;;) {
    double a[2];
    soma_env_result res;
    act(e, k, a);
    if (soma_env_step(e, a, 2, &res, err, sizeof err)) {
      printf("  step: %s\n", err);
      break;
    }
    t.steps++;
    t.reward += res.reward;
    t.last_reward = res.reward;
    double lat = ux * latent(e, "y") - uy * latent(e, "x");
    if (fabs(lat) > t.lateral_abs) t.lateral_abs = fabs(lat), t.lateral_max = lat;
    if (t.steps == 3)
      t.cursor_angle3 = atan2(ux * e->obs[1] - uy * e->obs[0], ux * e->obs[0] + uy * e->obs[1]) * 180 / M_PI;
    double speed = hypot(e->obs[2], e->obs[3]);
    if (speed > t.peak_speed) t.peak_speed = speed, t.channel_force = latent(e, "channel_force");
    if (res.terminated || res.truncated) {
      t.terminated = res.terminated, t.truncated = res.truncated;
      break;
    }
  }
  return t;
}

/* The velocity against the closed forms: under a constant force and viscosity, v = F/b
 * (1 - exp(-b t / m)); in a curl field without viscosity the speed stays and the velocity
 * turns clockwise at k / m rad/s. */
TEST(velocity_follows_the_closed_forms) {
  soma_env *e = make((soma_env_opt[]){OPT("max_steps", 0), OPT("mass", 2)}, 2);
  REQUIRE(e);
  char err[256];
  soma_env_result r;
  soma_env_reset(e, 1, 1);
  double x = 0;
  for (int s = 1; s <= 100; s++) {
    REQUIRE(!soma_env_step(e, (double[]){0.5, -0.25}, 2, &r, err, sizeof err));
    double decay = 1 - exp(-10.0 * s * 0.01 / 2);
    CHECK_NEAR(e->obs[2], 5.0 / 10 * decay, 1e-12);
    CHECK_NEAR(e->obs[3], -2.5 / 10 * decay, 1e-12);
    x += 0.01 * e->obs[2];
  }
  CHECK_NEAR(latent(e, "x"), x, 1e-12);   /* then x += dt v */
  soma_env_destroy(e);

  e = make((soma_env_opt[]){OPT("viscosity", 0), OPT("curl", 10), OPT("max_steps", 0)}, 3);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  REQUIRE(!soma_env_step(e, (double[]){1, 0}, 2, &r, err, sizeof err));
  double speed = hypot(e->obs[2], e->obs[3]), angle = atan2(e->obs[3], e->obs[2]);
  CHECK(speed > 0.09);
  for (int s = 1; s <= 200; s++) {
    REQUIRE(!soma_env_step(e, (double[]){0, 0}, 2, &r, err, sizeof err));
    CHECK_NEAR(hypot(e->obs[2], e->obs[3]), speed, 1e-12);
    double turned = remainder(atan2(e->obs[3], e->obs[2]) - angle + 10.0 * 0.01 * s, 2 * M_PI);
    CHECK_NEAR(turned, 0, 1e-9);
  }
  soma_env_destroy(e);
}

TEST(reaches_each_of_the_8_targets) {
  soma_env *e = make(NULL, 0);
  REQUIRE(e);
  CHECK(e->act_space.kind == SOMA_SPACE_BOX && e->act_space.n == 2);
  CHECK(e->obs_space.kind == SOMA_SPACE_BOX && e->obs_space.n == 6);
  CHECK(e->max_steps == 150);
  controller k = {FROM_CURSOR, 0, 0};
  for (int i = 0; i < 8; i++) {
    REQUIRE(!set1(e, "target", i));
    trial t = run(e, &k);
    CHECK_MSG(t.terminated && !t.truncated, "target %d: %d steps", i, t.steps);
    CHECK(t.steps < 100);
    CHECK(latent(e, "target") == i);
    CHECK_NEAR(latent(e, "target_angle"), 45.0 * i, 1e-12);
    CHECK_NEAR(e->obs[4], 0.1 * cos(i * M_PI / 4), 1e-12);
    CHECK_NEAR(e->obs[5], 0.1 * sin(i * M_PI / 4), 1e-12);
    CHECK_NEAR(hypot(e->obs[0] - e->obs[4], e->obs[1] - e->obs[5]), 0, 0.01);
    CHECK(latent(e, "trial_phase") == 1);
    CHECK(t.last_reward == 1 && t.reward == 1);
    CHECK_NEAR(latent(e, "angular_error"), 0, 1e-6);
    CHECK(t.lateral_abs < 1e-12);
    CHECK(isnan(latent(e, "channel_force")));
    CHECK(t.peak_speed > 0.2 && t.peak_speed < 1);
  }
  soma_env_destroy(e);
}

TEST(rotation_turns_the_cursor_by_its_angle) {
  soma_env *e = make((soma_env_opt[]){OPT("rotation", 30), OPT("target", 2)}, 2);
  REQUIRE(e);
  /* under cursor feedback: the first movement goes where the unadapted plan sends the hand,
   * so the cursor errs by 30 deg; feedback then corrects and the cursor still arrives */
  controller k = {FROM_CURSOR, 0, 0};
  trial t = run(e, &k);
  CHECK_NEAR(t.cursor_angle3, 30, 0.5);
  CHECK(t.terminated);
  double err = latent(e, "angular_error");
  CHECK_MSG(err > 5 && err < 30, "angular error at peak speed %g", err);
  /* aiming the hand at the target (no feedback from the cursor): 30 deg all along */
  k.from = FROM_HAND;
  t = run(e, &k);
  CHECK_NEAR(latent(e, "angular_error"), 30, 1e-6);
  CHECK_NEAR(latent(e, "hand_error"), 0, 1e-6);
  CHECK(t.truncated && !t.terminated && t.steps == 150);
  CHECK(latent(e, "rotation") == 30);
  /* switched at run time, per trial */
  REQUIRE(!set1(e, "rotation", -45));
  t = run(e, &k);
  CHECK_NEAR(latent(e, "angular_error"), -45, 1e-6);
  REQUIRE(!set1(e, "rotation", 0));
  t = run(e, &k);
  CHECK(t.terminated);
  CHECK_NEAR(latent(e, "angular_error"), 0, 1e-6);
  soma_env_destroy(e);
}

TEST(curl_field_pushes_the_hand_sideways_in_proportion_to_k) {
  const double ks[] = {2, 4, 15, -4};
  double dev[4];
  controller k = {FROM_CURSOR, 0, 0};
  for (int i = 0; i < 4; i++) {
    soma_env *e = make((soma_env_opt[]){OPT("curl", ks[i]), OPT("target", 1)}, 2);
    REQUIRE(e);
    trial t = run(e, &k);
    dev[i] = t.lateral_max;
    CHECK_MSG(t.terminated, "curl %g: %d steps", ks[i], t.steps);
    /* k > 0 pushes clockwise of the motion: right of the target line, and so does the
     * direction at peak speed */
    CHECK(ks[i] > 0 ? latent(e, "angular_error") < 0 : latent(e, "angular_error") > 0);
    CHECK(latent(e, "curl") == ks[i]);
    soma_env_destroy(e);
  }
  printf("  largest lateral deviation (mm): k=2 %.2f, k=4 %.2f, k=15 %.2f, k=-4 %.2f\n",
         1e3 * dev[0], 1e3 * dev[1], 1e3 * dev[2], 1e3 * dev[3]);
  CHECK(dev[0] < -0.002 && dev[1] < dev[0] && dev[2] < dev[1]);
  /* proportional to k for small fields (the controller's feedback makes it saturate later) */
  CHECK_NEAR(dev[1] / dev[0], 2, 0.15);
  CHECK_NEAR(dev[3], -dev[1], 1e-12);
}

TEST(force_channel_keeps_the_hand_on_the_line_and_measures_the_push) {
  soma_env *e = make((soma_env_opt[]){OPT("clamp", 1), OPT("curl", 15), OPT("target", 0)}, 3);
  REQUIRE(e);
  controller k = {FROM_CURSOR, 0.3, 0};
  trial t = run(e, &k);
  CHECK(t.terminated);
  CHECK(t.lateral_abs < 1e-12);
  CHECK_NEAR(t.channel_force, 3, 1e-9);   /* 0.3 of max_force 10 N, to the left */
  CHECK_NEAR(latent(e, "angular_error"), 0, 1e-9);
  CHECK(latent(e, "clamp") == 1);
  k.bias = -0.2;
  REQUIRE(!set1(e, "target", 5));
  t = run(e, &k);
  CHECK(t.terminated && t.lateral_abs < 1e-12);
  CHECK_NEAR(t.channel_force, -2, 1e-9);
  k.bias = 0;
  t = run(e, &k);
  CHECK_NEAR(t.channel_force, 0, 1e-9);
  /* a rotation does not show in a channel trial: the cursor is the hand, on the line */
  REQUIRE(!set1(e, "rotation", 30));
  t = run(e, &k);
  CHECK(t.terminated);
  CHECK_NEAR(latent(e, "angular_error"), 0, 1e-9);
  soma_env_destroy(e);
}

TEST(visual_clamp_shows_the_cursor_on_the_target_line) {
  soma_env *e = make((soma_env_opt[]){OPT("clamp", 2), OPT("rotation", 30), OPT("target", 3)}, 3);
  REQUIRE(e);
  controller k = {FROM_HAND, 0, -20};   /* an adapted plan: the hand aims 20 deg clockwise */
  trial t = run(e, &k);
  CHECK_NEAR(latent(e, "angular_error"), 0, 1e-9);
  CHECK_NEAR(latent(e, "hand_error"), -20, 1e-6);
  CHECK(t.lateral_abs > 0.02);
  CHECK(isnan(latent(e, "channel_force")));
  soma_env_destroy(e);
}

TEST(angular_error_is_nan_until_the_peak_has_passed) {
  soma_env *e = make((soma_env_opt[]){OPT("target", 4)}, 1);
  REQUIRE(e);
  char err[256];
  soma_env_reset(e, 1, 1);
  CHECK(isnan(latent(e, "angular_error")));
  controller k = {FROM_CURSOR, 0, 0};
  int known_at = 0, peak_at = 0;
  double peak = 0;
  for (int s = 1; s <= 150 && !known_at; s++) {
    double a[2];
    soma_env_result r;
    act(e, &k, a);
    REQUIRE(!soma_env_step(e, a, 2, &r, err, sizeof err));
    double speed = hypot(e->obs[2], e->obs[3]);
    if (speed > peak) peak = speed, peak_at = s;
    if (!isnan(latent(e, "angular_error"))) known_at = s;
  }
  CHECK_MSG(known_at > peak_at && peak_at > 3, "peak at step %d, known at %d", peak_at, known_at);
  soma_env_destroy(e);
}

TEST(same_seed_same_trials) {
  soma_env *a = make(NULL, 0), *b = make(NULL, 0), *c = make(NULL, 0);
  REQUIRE(a && b && c);
  controller k = {FROM_CURSOR, 0, 0};
  int seen[8] = {0}, differ = 0, same_traj = 1, first[61];
  soma_env_reset(a, 42, 1);
  soma_env_reset(b, 42, 1);
  soma_env_reset(c, 43, 1);
  first[0] = (int)latent(a, "target");
  for (int i = 1; i <= 60; i++) {
    trial ta = run(a, &k), tb = run(b, &k);
    run(c, &k);
    int t = (int)latent(a, "target");
    first[i] = t;
    seen[t]++;
    CHECK(t == (int)latent(b, "target"));
    differ += t != (int)latent(c, "target");
    same_traj &= ta.steps == tb.steps && !memcmp(a->obs, b->obs, 6 * sizeof *a->obs) &&
                 !memcmp(a->latent, b->latent, 2 * sizeof *a->latent);
  }
  CHECK(same_traj);
  CHECK(differ > 30);
  for (int i = 0; i < 8; i++) CHECK_MSG(seen[i] > 0, "target %d never drawn", i);
  /* reseeding with 42 replays the same sequence */
  soma_env_reset(a, 42, 1);
  int replay = (int)latent(a, "target") == first[0];
  for (int i = 1; i <= 60; i++) replay &= (run(a, &k), (int)latent(a, "target")) == first[i];
  CHECK(replay);
  /* a fixed target overrides the generator; -1 returns to random */
  REQUIRE(!set1(a, "target", 6));
  for (int i = 0; i < 5; i++) CHECK((run(a, &k), latent(a, "target")) == 6);
  REQUIRE(!set1(a, "target", -1));
  int varied = 0;
  for (int i = 0; i < 20; i++) varied += (run(a, &k), latent(a, "target")) != 6;
  CHECK(varied > 0);
  soma_env_destroy(a);
  soma_env_destroy(b);
  soma_env_destroy(c);
}

TEST(context_counts_perturbation_changes) {
  soma_env *e = make((soma_env_opt[]){OPT("curl", 12)}, 1);
  REQUIRE(e);
  soma_env_reset(e, 3, 1);
  CHECK(latent(e, "context") == 0);
  REQUIRE(!set1(e, "curl", 12));   /* the same value: the same context */
  CHECK(latent(e, "context") == 0);
  REQUIRE(!set1(e, "curl", 0));
  CHECK(latent(e, "context") == 1);
  REQUIRE(!set1(e, "clamp", 1));
  CHECK(latent(e, "context") == 2);
  CHECK(latent(e, "clamp") == 1 && latent(e, "curl") == 0);
  REQUIRE(!set1(e, "mass", 2));   /* not a perturbation */
  CHECK(latent(e, "context") == 2);
  soma_env_destroy(e);
  /* set before the first trial: counted, shown from the reset on */
  e = make(NULL, 0);
  REQUIRE(e);
  REQUIRE(!set1(e, "rotation", 15));
  CHECK(isnan(latent(e, "context")) && isnan(latent(e, "rotation")));
  soma_env_reset(e, 3, 1);
  CHECK(latent(e, "context") == 1 && latent(e, "rotation") == 15);
  soma_env_destroy(e);
}

TEST(max_steps_defaults_to_150_and_can_be_lifted) {
  soma_env *e = make((soma_env_opt[]){OPT("max_steps", 0)}, 1);
  REQUIRE(e);
  char err[256];
  soma_env_reset(e, 1, 1);
  int ended = 0;
  for (int s = 0; s < 400 && !ended; s++) {
    soma_env_result r;
    REQUIRE(!soma_env_step(e, (double[]){0, 0}, 2, &r, err, sizeof err));
    ended = r.terminated || r.truncated;
  }
  CHECK(!ended);
  REQUIRE(!set1(e, "max_steps", 20));
  soma_env_reset(e, 1, 0);
  int steps = 0;
  for (;;) {
    soma_env_result r;
    REQUIRE(!soma_env_step(e, (double[]){0, 0}, 2, &r, err, sizeof err));
    steps++;
    if (r.terminated || r.truncated) {
      CHECK(r.truncated && !r.terminated);
      break;
    }
  }
  CHECK(steps == 20);
  CHECK(isnan(latent(e, "angular_error")));   /* no motion: no peak, no error */
  soma_env_destroy(e);
}

TEST(distance_cost_and_reward_options) {
  soma_env *e = make((soma_env_opt[]){OPT("reward", 5), OPT("distance_cost", 2), OPT("target", 0)}, 3);
  REQUIRE(e);
  char err[256];
  soma_env_reset(e, 1, 1);
  soma_env_result r;
  REQUIRE(!soma_env_step(e, (double[]){0, 0}, 2, &r, err, sizeof err));
  CHECK_NEAR(r.reward, -2 * 0.1, 1e-12);
  controller k = {FROM_CURSOR, 0, 0};
  trial t = run(e, &k);
  CHECK(t.terminated);
  CHECK(t.last_reward > 4.9 && t.last_reward <= 5);
  soma_env_destroy(e);
}

static int refused(const soma_env_opt *opts, int n, const char *want1, const char *want2) {
  char err[512] = "";
  soma_env *e = soma_env_create("reach", opts, n, err, sizeof err);
  if (e) {
    soma_env_destroy(e);
    printf("  accepted %s\n", opts[0].key);
    return 0;
  }
  int ok = strstr(err, want1) && (!want2 || strstr(err, want2));
  if (!ok) printf("  message: %s\n", err);
  return ok;
}

TEST(bad_options_are_named) {
  CHECK(refused((soma_env_opt[]){OPT("rotation", 200)}, 1, "rotation", "180"));
  CHECK(refused((soma_env_opt[]){OPT("rotation", -181)}, 1, "rotation", "-180"));
  CHECK(refused((soma_env_opt[]){OPT("rotation", NAN)}, 1, "rotation", "finite"));
  CHECK(refused((soma_env_opt[]){OPT("rotation", INFINITY)}, 1, "rotation", "finite"));
  CHECK(refused((soma_env_opt[]){OPT("target", 8)}, 1, "target", NULL));
  CHECK(refused((soma_env_opt[]){OPT("target", 1.5)}, 1, "target", "whole"));
  CHECK(refused((soma_env_opt[]){OPT("mass", 0)}, 1, "mass", "kg"));
  CHECK(refused((soma_env_opt[]){OPT("dt", -0.01)}, 1, "dt", NULL));
  CHECK(refused((soma_env_opt[]){OPT("clamp", 3)}, 1, "clamp", NULL));
  CHECK(refused((soma_env_opt[]){OPT("viscosity", -1)}, 1, "viscosity", NULL));
  CHECK(refused((soma_env_opt[]){OPT("target_radius", 0.2)}, 1, "target_radius", "radius"));
  CHECK(refused((soma_env_opt[]){OPT("rotaton", 30)}, 1, "did you mean 'rotation'", NULL));
  CHECK(refused((soma_env_opt[]){{"curl", "strong", NULL, 0}}, 1, "curl", "one number"));

  /* at run time: refused and unchanged */
  soma_env *e = make((soma_env_opt[]){OPT("rotation", 10)}, 1);
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  char err[512];
  soma_env_opt o = OPT("rotation", 190);
  CHECK(soma_env_set(e, &o, 1, err, sizeof err) && strstr(err, "rotation"));
  o = (soma_env_opt)OPT("radius", 0.005);
  CHECK(soma_env_set(e, &o, 1, err, sizeof err) && strstr(err, "target_radius"));
  CHECK(soma_env_param(e, "rotation") == 10 && soma_env_param(e, "radius") == 0.1);
  CHECK(latent(e, "rotation") == 10);
  soma_env_result r;
  CHECK(soma_env_step(e, (double[]){0}, 1, &r, err, sizeof err) && strstr(err, "2 numbers"));
  CHECK(soma_env_step(e, (double[]){NAN, 0}, 2, &r, err, sizeof err));
  soma_env_destroy(e);
}

static int count_colour(const soma_canvas *c, uint32_t rgba) {
  int n = 0;
  for (int i = 0; i < c->w * c->h; i++) {
    const uint8_t *p = c->rgba + 4 * i;
    n += p[0] == (rgba >> 24) && p[1] == ((rgba >> 16) & 0xff) && p[2] == ((rgba >> 8) & 0xff);
  }
  return n;
}

TEST(draws_a_top_view) {
  soma_env *e = make((soma_env_opt[]){OPT("target", 2), OPT("viscosity", 0)}, 2);
  REQUIRE(e);
  uint8_t px[240 * 160 * 4];
  soma_canvas c = {240, 160, px};
  canvas_clear(&c, 0x000000ffu);
  soma_env_reset(e, 1, 1);
  char err[256];
  soma_env_result r;
  for (int s = 0; s < 10; s++) REQUIRE(!soma_env_step(e, (double[]){0.05, 0.3}, 2, &r, err, sizeof err));
  soma_env_draw(e, &c, 20, 10, 200, 140);
  /* the rectangle is filled, outside untouched */
  CHECK(px[0] == 0 && px[1] == 0 && px[2] == 0);
  CHECK(count_colour(&c, 0xf4f4f4ffu) > 1000);
  CHECK(count_colour(&c, 0xe6a23cffu) > 5);    /* the current target */
  CHECK(count_colour(&c, 0xb4b4b4ffu) > 20);   /* the others */
  CHECK(count_colour(&c, 0x1f77b4ffu) > 5);    /* cursor and its trace */
  /* the current target above the centre: 0.1 m at 140 / 0.26 px/m */
  int tx = 20 + 100, ty = 10 + 70 - (int)lround(0.1 * 140 / 0.26);
  const uint8_t *p = px + 4 * (ty * 240 + tx);
  CHECK(p[0] == 0xe6 && p[1] == 0xa2 && p[2] == 0x3c);
  /* a hand pushed far out of view (no viscosity) and a long trial: nothing outside */
  for (int s = 0; s < 139; s++) REQUIRE(!soma_env_step(e, (double[]){1, 1}, 2, &r, err, sizeof err));
  canvas_clear(&c, 0x000000ffu);
  soma_env_draw(e, &c, 20, 10, 200, 140);
  soma_env_draw(e, &c, 0, 0, 1, 1);
  int outside = 0;
  for (int y = 0; y < 160; y++)
    for (int x = 0; x < 240; x++)
      if ((x < 20 || x >= 220 || y < 10 || y >= 150) && !(x == 0 && y == 0))
        outside += px[4 * (y * 240 + x)] || px[4 * (y * 240 + x) + 1] || px[4 * (y * 240 + x) + 2];
  CHECK(outside == 0);
  soma_env_destroy(e);
}

TEST(steps_per_second) {
  soma_env *e = make((soma_env_opt[]){OPT("curl", 10), OPT("max_steps", 0)}, 2);
  REQUIRE(e);
  char err[256];
  soma_env_reset(e, 1, 1);
  const int n = 2000000;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double sum = 0;
  for (int s = 0; s < n; s++) {
    soma_env_result r;
    double a[2] = {((s >> 6) & 1) ? 0.5 : -0.5, ((s >> 7) & 1) ? 0.3 : -0.3};
    if (soma_env_step(e, a, 2, &r, err, sizeof err)) break;
    sum += e->obs[0];
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  printf("  reach: %.3g steps/s (%.1f ns per step, soma_env_step included)\n", n / sec, 1e9 * sec / n);
  CHECK(isfinite(sum));
  soma_env_destroy(e);
}

int main(void) {
  RUN(velocity_follows_the_closed_forms);
  RUN(reaches_each_of_the_8_targets);
  RUN(rotation_turns_the_cursor_by_its_angle);
  RUN(curl_field_pushes_the_hand_sideways_in_proportion_to_k);
  RUN(force_channel_keeps_the_hand_on_the_line_and_measures_the_push);
  RUN(visual_clamp_shows_the_cursor_on_the_target_line);
  RUN(angular_error_is_nan_until_the_peak_has_passed);
  RUN(same_seed_same_trials);
  RUN(context_counts_perturbation_changes);
  RUN(max_steps_defaults_to_150_and_can_be_lifted);
  RUN(distance_cost_and_reward_options);
  RUN(bad_options_are_named);
  RUN(draws_a_top_view);
  RUN(steps_per_second);
  return h_done();
}
