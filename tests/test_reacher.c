/* test_reacher.c — the spiking reaching controller (agents/reacher.c): it points at the targets
 * before any perturbation, learns a 30 deg rotation (the error falls) and does not with its
 * synapses frozen; its fast weight part forgets as a_fast per trial and its slow part as
 * a_slow, exactly; with two parts the adaptation comes back in error clamp after a
 * counter-perturbation and with one part it does not; the same seed gives the same trials for
 * 1 and 2 threads; bad parameters and worlds get messages. */
#include <math.h>
#include <string.h>

#include "agents/reacher.h"
#include "envs/env.h"
#include "harness.h"
#include "sim/soma.h"

static soma_env *reach_world(void) {
  char err[256];
  soma_env *e = soma_env_create("reach", NULL, 0, err, sizeof err);
  if (!e) printf("  %s\n", err);
  return e;
}

/* rotation (deg) and clamp (0 none, 2 visual) of the next trials */
static void perturb(soma_env *e, double rotation, double clamp) {
  soma_env_opt o[2] = {{.key = "rotation", .num = &rotation, .n = 1},
                       {.key = "clamp", .num = &clamp, .n = 1}};
  char err[256];
  if (soma_env_set(e, o, 2, err, sizeof err)) printf("  %s\n", err);
}

/* n trials to targets 0, 1, ..., 7, 0, ... (continuing from the agent's last trial); their
 * aims and errors (may be NULL) */
static int trials(soma_reacher *r, soma_env *e, int n, double *aim, double *error) {
  char err[512];
  for (int k = 0; k < n; k++) {
    soma_reacher_trial t;
    int target = (int)(soma_reacher_trials(r) % 8);
    if (soma_reacher_run_trial(r, e, NULL, target, &t, err, sizeof err) != SOMA_OK) {
      printf("  %s\n", err);
      return 1;
    }
    if (aim) aim[k] = t.aim;
    if (error) error[k] = t.error;
  }
  return 0;
}

static double mean(const double *x, int from, int to) {
  double s = 0;
  for (int k = from; k < to; k++) s += x[k];
  return s / (to - from);
}

TEST(it_reaches_for_the_targets) {
  soma_reacher_params p = soma_reacher_defaults();
  char err[512];
  soma_reacher *r = soma_reacher_create(&p, err, sizeof err);
  soma_env *e = reach_world();
  REQUIRE(r && e);
  soma_reacher_trial t;
  double sq = 0, m = 0;
  for (int k = 0; k < 24; k++) {
    REQUIRE(soma_reacher_run_trial(r, e, NULL, k % 8, &t, err, sizeof err) == SOMA_OK);
    CHECK(t.target == k % 8 && t.target_angle == 45.0 * (k % 8));
    CHECK_NEAR(t.hand, t.aim, 0.01);          /* a straight push: the hand goes where aimed */
    CHECK_NEAR(t.error, t.aim, 0.01);         /* no perturbation: the cursor is the hand */
    CHECK(t.steps == 30 && t.plan_spikes > 50 && isnan(t.channel_force));
    CHECK_NEAR(t.t_ms, (k + 1) * soma_reacher_trial_ms(r), 1e-6);
    sq += t.aim * t.aim / 24, m += t.aim / 24;
  }
  printf("  aim before learning: mean %.2f deg, rms %.2f deg\n", m, sqrt(sq));
  CHECK(fabs(m) < 2 && sqrt(sq) < 5);
  CHECK(soma_reacher_trials(r) == 24 && soma_reacher_trial_ms(r) == 550);
  soma_reacher_destroy(r);
  soma_env_destroy(e);
}

TEST(it_learns_a_rotation_and_not_when_frozen) {
  enum { N = 96 };
  double error[2][N];
  for (int frozen = 0; frozen <= 1; frozen++) {
    soma_reacher_params p = soma_reacher_defaults();
    char err[512];
    soma_reacher *r = soma_reacher_create(&p, err, sizeof err);
    soma_env *e = reach_world();
    REQUIRE(r && e);
    if (frozen) soma_reacher_learning(r, 0);
    perturb(e, 30, 0);
    REQUIRE(!trials(r, e, N, NULL, error[frozen]));
    double w;
    REQUIRE(soma_reacher_weight_angles(r, &w, NULL, NULL) == SOMA_OK);
    if (frozen) CHECK(fabs(w) < 1e-4);   /* the initial weights, in single precision */
    else CHECK_MSG(w < -5, "weights turned by %.2f deg", w);
    soma_reacher_destroy(r);
    soma_env_destroy(e);
  }
  double first = mean(error[0], 0, 8), last = mean(error[0], N - 24, N);
  double frozen_last = mean(error[1], N - 24, N);
  printf("  error: first 8 trials %.1f deg, last 24 %.1f deg (frozen: %.1f deg)\n", first, last,
         frozen_last);
  CHECK(first > 25 && first < 35);
  CHECK(last < 0.7 * first);
  CHECK(frozen_last > 27 && frozen_last < 33);
}

TEST(the_fast_part_forgets_faster_than_the_slow_part) {
  soma_reacher_params p = soma_reacher_defaults();
  char err[512];
  soma_reacher *r = soma_reacher_create(&p, err, sizeof err);
  soma_env *e = reach_world();
  REQUIRE(r && e);
  perturb(e, 30, 0);
  REQUIRE(!trials(r, e, 40, NULL, NULL));
  /* between trials the rule is off: the network alone runs ten trials' time */
  double f0, s0, f1, s1;
  REQUIRE(soma_reacher_parts_rms(r, &f0, &s0) == SOMA_OK);
  CHECK(f0 > 0 && s0 > 0 && f0 > s0);
  REQUIRE(soma_net_run(soma_reacher_net(r), 10 * soma_reacher_trial_ms(r)) == SOMA_OK);
  REQUIRE(soma_reacher_parts_rms(r, &f1, &s1) == SOMA_OK);
  CHECK_NEAR(f1 / f0, pow(0.92, 10), 1e-4);
  CHECK_NEAR(s1 / s0, pow(0.996, 10), 1e-4);
  /* in error clamp the fast part's turn decays and the slow part's stays */
  double fa0, sa0, fa1, sa1;
  REQUIRE(soma_reacher_weight_angles(r, NULL, &fa0, &sa0) == SOMA_OK);
  perturb(e, 30, 2);
  REQUIRE(!trials(r, e, 40, NULL, NULL));
  REQUIRE(soma_reacher_weight_angles(r, NULL, &fa1, &sa1) == SOMA_OK);
  printf("  fast part %.2f -> %.2f deg, slow part %.2f -> %.2f deg over 40 error-clamp trials\n",
         fa0, fa1, sa0, sa1);
  CHECK(fa0 < -3 && fabs(fa1) < 0.2 * fabs(fa0));
  CHECK(sa0 < -0.5 && sa1 / sa0 > 0.7);
  soma_reacher_destroy(r);
  soma_env_destroy(e);
}

/* adapt 200 trials, counter-perturb until the mean aim of 8 trials is back at 0, error clamp 40:
 * the mean adaptation (-aim / 30) over clamp trials 6..40 */
static double recovery(int components) {
  soma_reacher_params p = soma_reacher_defaults();
  p.components = components;
  char err[512];
  soma_reacher *r = soma_reacher_create(&p, err, sizeof err);
  soma_env *e = reach_world();
  if (!r || !e) return NAN;
  double aim[200];
  perturb(e, 30, 0);
  trials(r, e, 200, NULL, NULL);
  perturb(e, -30, 0);
  int k = 0;
  for (; k < 60; k++) {
    trials(r, e, 1, aim + k, NULL);
    if (k >= 7 && mean(aim, k - 7, k + 1) >= 0) break;
  }
  perturb(e, 0, 2);
  trials(r, e, 40, aim, NULL);
  soma_reacher_destroy(r);
  soma_env_destroy(e);
  printf("  %d component(s): %d counter trials, recovery %.3f\n", components, k + 1,
         -mean(aim, 5, 40) / 30);
  return -mean(aim, 5, 40) / 30;
}

TEST(two_parts_recover_spontaneously_and_one_part_does_not) {
  CHECK(recovery(2) > 0.05);
  CHECK(recovery(1) < 0.02);
}

TEST(the_same_seed_gives_the_same_trials_for_1_and_2_threads) {
  enum { N = 16 };
  double aim[3][N], error[3][N], w[3];
  for (int k = 0; k < 3; k++) {
    soma_reacher_params p = soma_reacher_defaults();
    p.threads = k == 1 ? 2 : 1;
    p.seed = k == 2 ? 2 : 1;
    char err[512];
    soma_reacher *r = soma_reacher_create(&p, err, sizeof err);
    soma_env *e = reach_world();
    REQUIRE(r && e);
    perturb(e, 30, 0);
    REQUIRE(!trials(r, e, N, aim[k], error[k]));
    REQUIRE(soma_reacher_weight_angles(r, w + k, NULL, NULL) == SOMA_OK);
    soma_reacher_destroy(r);
    soma_env_destroy(e);
  }
  CHECK(!memcmp(aim[0], aim[1], sizeof aim[0]) && !memcmp(error[0], error[1], sizeof error[0]));
  CHECK(w[0] == w[1]);
  CHECK(memcmp(aim[0], aim[2], sizeof aim[0]));   /* another seed, other trials */
}

static void refused(soma_reacher_params p, const char *want) {
  char err[512] = "";
  soma_reacher *r = soma_reacher_create(&p, err, sizeof err);
  CHECK_MSG(!r && strstr(err, want), "got '%s', wanted '%s'", err, want);
  soma_reacher_destroy(r);
}

TEST(bad_parameters_and_worlds_get_messages) {
  soma_reacher_params p = soma_reacher_defaults();
  p.components = 3;
  refused(p, "reacher: components must be <= 2 (got 3)");
  p = soma_reacher_defaults(), p.n_motor = 2;
  refused(p, "reacher: n_motor must be >= 4 neurons (got 2)");
  p = soma_reacher_defaults(), p.a_fast = 0;
  refused(p, "reacher: a_fast must be > 0 (got 0)");
  p = soma_reacher_defaults(), p.lr = -1;
  refused(p, "reacher: lr must be >= 0 pA/(Hz ms) (got -1)");
  p = soma_reacher_defaults(), p.pulse_ms = 400;
  refused(p, "reacher: pulse_ms (400) must be <= move_ms (300)");
  p = soma_reacher_defaults(), p.dt = 0.3, p.plan_ms = 100;
  refused(p, "reacher: plan_ms (100) must be a multiple of dt (0.3)");
  p = soma_reacher_defaults(), p.noise_hz = NAN;
  refused(p, "reacher: noise_hz must be");
  char err[512];
  p = soma_reacher_defaults();
  soma_reacher *r = soma_reacher_create(&p, err, sizeof err);
  REQUIRE(r);
  soma_env *grid = soma_env_create("bandit", NULL, 0, err, sizeof err);
  soma_reacher_trial t;
  REQUIRE(grid);
  CHECK(soma_reacher_run_trial(r, grid, NULL, 0, &t, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "reacher: the reacher moves in the world 'reach' (got 'bandit')"));
  double dt = 0.007;
  soma_env_opt o = {.key = "dt", .num = &dt, .n = 1};
  soma_env *odd = soma_env_create("reach", &o, 1, err, sizeof err);
  REQUIRE(odd);
  CHECK(soma_reacher_run_trial(r, odd, NULL, 0, &t, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "the world's dt (7 ms) must divide move_ms (300)"));
  soma_env *e = reach_world();
  CHECK(soma_reacher_run_trial(r, e, NULL, 8, &t, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "target must be 0..7, or -1 for the world's choice (got 8)"));
  CHECK(soma_reacher_trials(r) == 0);   /* nothing ran */
  CHECK(soma_reacher_run_trial(r, e, NULL, -1, &t, err, sizeof err) == SOMA_OK);
  soma_env_destroy(grid);
  soma_env_destroy(odd);
  soma_env_destroy(e);
  soma_reacher_destroy(r);
  soma_reacher_destroy(NULL);
}

int main(void) {
  RUN(it_reaches_for_the_targets);
  RUN(it_learns_a_rotation_and_not_when_frozen);
  RUN(the_fast_part_forgets_faster_than_the_slow_part);
  RUN(two_parts_recover_spontaneously_and_one_part_does_not);
  RUN(the_same_seed_gives_the_same_trials_for_1_and_2_threads);
  RUN(bad_parameters_and_worlds_get_messages);
  return h_done();
}
