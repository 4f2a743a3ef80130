/* test_actor_critic.c — the spiking actor-critic learns through the engine: on a two-armed
 * bandit (one step per episode) it comes to prefer the better arm, whichever it is, only
 * through TD-LTP on its input synapses (frozen synapses do not learn); the actor populations
 * compete (one wins a window); in a T-maze, reverse replay of the loop-erased rewarded path
 * makes it take the 7-step path within a few rewards, and without replay it does not learn in
 * that time; with discrete TD the rewarded transition's TD error is near r - V = 1 and the
 * others near 0, planning replays (prioritized, logged) make it learn the T-maze faster and
 * build a value gradient towards the goal; the same seed gives the same choices for 1 and 2
 * threads; bad parameters and unsuitable worlds are refused with messages. */
#include <math.h>
#include <string.h>

#include "agents/actor_critic.h"
#include "harness.h"

static soma_env *bandit(double p0, double p1) {
  double arms = 2, trials = 1, p[] = {p0, p1};
  soma_env_opt o[] = {{"arms", NULL, &arms, 1}, {"p", NULL, p, 2}, {"trials", NULL, &trials, 1}};
  char err[512];
  soma_env *e = soma_env_create("bandit", o, 3, err, sizeof err);
  if (!e) printf("  (%s)\n", err);
  return e;
}

/* a constant input: the bandit's context (0) coded by 100 neurons at 20 Hz */
static soma_encoder *constant_input(void) {
  soma_ratecode_params r = soma_ratecode_defaults();
  r.group = 100;
  r.code = SOMA_CODE_MONOTONE;
  r.lo = -1;
  r.hi = 1;
  r.r_max = 40;
  char err[256];
  return soma_encoder_ratecode(&r, err, sizeof err);
}

static soma_ac *agent(int threads, uint64_t seed) {
  soma_ac_params p = soma_ac_defaults();
  p.input = "context";
  p.threads = threads;
  p.seed = seed;
  char err[512];
  soma_ac *ac = soma_ac_create(&p, constant_input(), 2, err, sizeof err);
  if (!ac) printf("  (%s)\n", err);
  return ac;
}

typedef struct {
  int action;
  double counts[2];
} last_step;

static void remember(void *user, const soma_ac_step *s, const soma_env *env) {
  (void)env;
  last_step *l = user;
  l->action = s->action;
  l->counts[0] = s->counts[0];
  l->counts[1] = s->counts[1];
}

/* choices of arm 0 in trials [from, to] of n trials; the choices in order into seq */
static int play(soma_ac *ac, soma_env *env, int n, int from, int to, char *seq, double *margin) {
  int arm0 = 0;
  char err[512];
  *margin = 0;
  for (int k = 1; k <= n; k++) {
    soma_ac_stats st;
    last_step l = {-1, {0, 0}};
    if (soma_ac_episode(ac, env, NULL, 0, &st, remember, &l, err, sizeof err)) {
      printf("  (%s)\n", err);
      return -1;
    }
    if (seq) seq[k - 1] = (char)('0' + l.action);
    if (k >= from && k <= to) {
      arm0 += l.action == 0;
      double hi = l.counts[0] > l.counts[1] ? l.counts[0] : l.counts[1];
      double lo = l.counts[0] > l.counts[1] ? l.counts[1] : l.counts[0];
      *margin += (hi - lo) / (hi + lo + 1e-9) / (to - from + 1);
    }
  }
  return arm0;
}

TEST(learns_the_better_arm_either_way) {
  for (int swap = 0; swap < 2; swap++) {
    soma_env *env = swap ? bandit(0.2, 0.8) : bandit(0.8, 0.2);
    soma_ac *ac = agent(1, 3);
    REQUIRE(env && ac);
    double margin;
    int arm0 = play(ac, env, 150, 51, 150, NULL, &margin);
    int better = swap ? 100 - arm0 : arm0;
    printf("     p = %s: the better arm in %d of trials 51-150; the winning population's margin %.2f\n",
           swap ? "(0.2, 0.8)" : "(0.8, 0.2)", better, margin);
    CHECK_MSG(better >= 85, "better arm chosen %d of 100 times", better);
    CHECK_MSG(margin > 0.5, "the actor populations do not compete (margin %.2f)", margin);
    soma_ac_destroy(ac);
    soma_env_destroy(env);
  }
}

/* mean steps of episodes 21-30 in the T-maze (optimum 7), with or without replay; the steps
 * of every episode into steps (30 values) when not NULL */
static double tmaze_threads(int replay, int seed, int threads, int *replayed, int64_t *steps) {
  char err[512];
  double max_steps = 60;
  soma_env_opt o[] = {{"map", "maps/tmaze.txt", NULL, 0}, {"max_steps", NULL, &max_steps, 1}};
  soma_env *env = soma_env_create("grid", o, 2, err, sizeof err);
  soma_place_params pp = soma_place_defaults();
  pp.nx = 9, pp.ny = 7, pp.x_hi = 8, pp.y_hi = 6, pp.sigma = 0.6, pp.r_max = 40;
  soma_ac_params p = soma_ac_defaults();
  p.input = "x,y";
  p.seed = (uint64_t)seed;
  p.replay = replay;
  p.replay_gain = 20;
  p.step_reward = -0.3;
  p.threads = threads;
  soma_ac *ac = env ? soma_ac_create(&p, soma_encoder_place(&pp, err, sizeof err), 4, err, sizeof err) : NULL;
  if (!ac) {
    printf("  (%s)\n", err);
    soma_env_destroy(env);
    return NAN;
  }
  double late = 0;
  *replayed = 0;
  for (int k = 1; k <= 30; k++) {
    soma_ac_stats st;
    if (soma_ac_episode(ac, env, NULL, 0, &st, NULL, NULL, err, sizeof err)) {
      printf("  (%s)\n", err);
      late = NAN;
      break;
    }
    if (k > 20) late += st.steps / 10.0;
    if (steps) steps[k - 1] = st.steps;
    *replayed += st.replayed;
  }
  if (replay) {
    size_t n;
    soma_replay_events(soma_ac_replay(ac), &n);
    if ((int)n != *replayed) *replayed = -1;   /* every replayed state is logged */
  }
  soma_ac_destroy(ac);
  soma_env_destroy(env);
  return late;
}

static double tmaze(int replay, int seed, int *replayed) {
  return tmaze_threads(replay, seed, 1, replayed, NULL);
}

TEST(reverse_replay_learns_the_tmaze_in_few_rewards) {
  for (int seed = 1; seed <= 2; seed++) {
    int replayed, none;
    double with = tmaze(1, seed, &replayed), without = tmaze(0, seed, &none);
    printf("     T-maze, seed %d: mean steps in episodes 21-30: %.1f with replay (%d states replayed), "
           "%.1f without (optimum 7, cap 60)\n", seed, with, replayed, without);
    CHECK_MSG(with <= 13, "with replay %.1f steps", with);
    CHECK_MSG(without >= 2 * with, "without replay %.1f steps", without);
    CHECK_MSG(replayed > 0 && none == 0, "replayed %d and %d", replayed, none);
  }
}

/* the discrete-TD agent of scripts/dyna_maze.lua, in the T-maze */
static soma_ac *discrete_agent(int plan, int seed, int threads, soma_env **env) {
  char err[512];
  double max_steps = 60;
  soma_env_opt o[] = {{"map", "maps/tmaze.txt", NULL, 0}, {"max_steps", NULL, &max_steps, 1}};
  *env = soma_env_create("grid", o, 2, err, sizeof err);
  soma_place_params pp = soma_place_defaults();
  pp.nx = 9, pp.ny = 7, pp.x_hi = 8, pp.y_hi = 6, pp.sigma = 0.6, pp.r_max = 300;
  soma_ac_params p = soma_ac_defaults();
  p.input = "x,y";
  p.seed = (uint64_t)seed;
  p.threads = threads;
  p.td_discrete = 1;
  p.plan = plan;
  p.critic_noise_hz = 4000;
  p.w_critic = 25;
  p.step_reward = -0.03;
  soma_ac *ac = *env ? soma_ac_create(&p, soma_encoder_place(&pp, err, sizeof err), 4, err, sizeof err) : NULL;
  if (!ac) printf("  (%s)\n", err);
  return ac;
}

static double value_at(soma_ac *ac, double x, double y) {
  double in[2] = {x, y}, v = NAN;
  char err[512];
  if (soma_ac_value(ac, in, 2, &v, err, sizeof err) != SOMA_OK) printf("  (%s)\n", err);
  return v;
}

TEST(discrete_td_error_has_the_right_sign_and_size) {
  soma_env *env;
  soma_ac *ac = discrete_agent(0, 2, 1, &env);
  REQUIRE(ac);
  char err[512];
  soma_ac_stats st;
  int rewarded = 0;
  for (int k = 0; k < 10 && !rewarded; k++) {
    REQUIRE(soma_ac_episode(ac, env, NULL, 0, &st, NULL, NULL, err, sizeof err) == SOMA_OK);
    rewarded = st.reward > 0;
  }
  REQUIRE(rewarded);
  /* before any reward V is near 0 everywhere: the rewarded transition's TD error is near
     r - 0.03 - V(s) = 0.97; the others' near gamma V(s') - V(s) - 0.03 */
  soma_replay *r = soma_ac_replay(ac);
  int n = soma_replay_count(r);
  double last = NAN, others = 0;
  for (int k = 0; k < n; k++) {
    soma_replay_transition t;
    REQUIRE(soma_replay_get(r, soma_replay_oldest(r, k), &t, err, sizeof err) >= 0);
    if (t.reward > 0) last = t.td_error;
    else others += fabs(t.td_error) / (n - 1);
  }
  printf("     first reward: TD error %.3f; mean |TD error| of the %d other steps %.3f\n", last,
         n - 1, others);
  CHECK_MSG(last > 0.7 && last < 1.05, "TD error %.3f at the reward", last);
  CHECK_MSG(others < 0.1, "mean |TD error| %.3f elsewhere", others);
  CHECK(st.planned == 0 && st.td_abs > 0);
  soma_ac_destroy(ac);
  soma_env_destroy(env);
}

/* mean steps in episodes 11-20 */
static double tmaze_planning(int plan, int seed, soma_ac **keep, soma_env **keep_env) {
  soma_env *env;
  soma_ac *ac = discrete_agent(plan, seed, 1, &env);
  if (!ac) return NAN;
  char err[512];
  double late = 0;
  for (int k = 1; k <= 20; k++) {
    soma_ac_stats st;
    if (soma_ac_episode(ac, env, NULL, 0, &st, NULL, NULL, err, sizeof err)) {
      printf("  (%s)\n", err);
      late = NAN;
      break;
    }
    if (plan > 0 && st.planned != plan * st.steps) late = NAN;   /* plan replays per step */
    if (k > 10) late += st.steps / 10.0;
  }
  *keep = ac;
  *keep_env = env;
  return late;
}

TEST(planning_replays_learn_faster_and_spread_the_value) {
  for (int seed = 1; seed <= 2; seed++) {
    soma_ac *a0, *a10;
    soma_env *e0, *e10;
    double without = tmaze_planning(0, seed, &a0, &e0), with = tmaze_planning(10, seed, &a10, &e10);
    REQUIRE(a0 && a10);
    double near = value_at(a10, 2, 1), stem = value_at(a10, 4, 4), arm = value_at(a10, 6, 1);
    printf("     T-maze, seed %d: mean steps in episodes 11-20: %.1f with 10 replays per step, "
           "%.1f without (optimum 7); V next to the goal %.2f, in the stem %.2f, other arm %.2f\n",
           seed, with, without, near, stem, arm);
    CHECK_MSG(with <= 8.5, "with planning %.1f steps", with);
    CHECK_MSG(without >= with + 1.5, "without planning %.1f steps, with %.1f", without, with);
    CHECK_MSG(near > stem + 0.3 && near > arm + 0.3, "V %.2f next to the goal", near);
    /* planning replays are logged, drawn by priority */
    size_t n;
    const soma_replay_event *ev = soma_replay_events(soma_ac_replay(a10), &n);
    CHECK(n > 0 && ev[0].kind == SOMA_REPLAY_PRIORITIZED);
    soma_ac_destroy(a0), soma_ac_destroy(a10);
    soma_env_destroy(e0), soma_env_destroy(e10);
  }
}

TEST(frozen_synapses_do_not_learn) {
  soma_env *env = bandit(0.8, 0.2);
  soma_ac *ac = agent(1, 3);
  REQUIRE(env && ac);
  CHECK(soma_ac_learning(ac, 0) == SOMA_OK);
  double margin;
  int arm0 = play(ac, env, 150, 51, 150, NULL, &margin);
  printf("     frozen: arm 0 in %d of trials 51-150\n", arm0);
  CHECK_MSG(arm0 > 30 && arm0 < 70, "arm 0 chosen %d of 100 times without learning", arm0);
  soma_ac_destroy(ac);
  soma_env_destroy(env);
}

/* sampling the dopamine cuts the runs into pieces: the choices stay the same */
TEST(the_dopamine_trace_changes_nothing) {
  char seq[2][41];
  memset(seq, 0, sizeof seq);
  size_t n = 0;
  double first = NAN;
  for (int run = 0; run < 2; run++) {
    soma_env *env = bandit(0.8, 0.2);
    soma_ac *ac = agent(1, 3);
    REQUIRE(env && ac);
    if (run == 1) REQUIRE(soma_ac_trace_dopamine(ac, 5) == SOMA_OK);
    double margin;
    play(ac, env, 40, 1, 40, seq[run], &margin);
    const double *t, *v;
    if (run == 1) {
      n = soma_ac_dopamine_trace(ac, &t, &v);
      first = n ? t[1] - t[0] : NAN;
    }
    soma_ac_destroy(ac);
    soma_env_destroy(env);
  }
  CHECK_MSG(!strcmp(seq[0], seq[1]), "without %s, with %s", seq[0], seq[1]);
  /* one trial: 100 ms decision, 300 ms tail, 200 ms gap, sampled every 5 ms */
  CHECK_MSG(n == 120, "%zu samples in the last trial", n);
  CHECK_NEAR(first, 5.0, 1e-9);
  soma_ac *ac = agent(1, 3);
  CHECK(soma_ac_trace_dopamine(ac, -1) == SOMA_ERR_PARAM);
  soma_ac_destroy(ac);
}

TEST(same_seed_same_choices_for_any_thread_count) {
  char seq[3][61];
  memset(seq, 0, sizeof seq);
  for (int run = 0; run < 3; run++) {
    soma_env *env = bandit(0.8, 0.2);
    soma_ac *ac = agent(run == 2 ? 2 : 1, run == 1 ? 4 : 3);   /* run 1: another seed */
    REQUIRE(env && ac);
    double margin;
    play(ac, env, 60, 1, 60, seq[run], &margin);
    soma_ac_destroy(ac);
    soma_env_destroy(env);
  }
  CHECK_MSG(!strcmp(seq[0], seq[2]), "1 thread %s, 2 threads %s", seq[0], seq[2]);
  CHECK_MSG(strcmp(seq[0], seq[1]), "seeds 3 and 4 chose the same");
}

/* learning with replay in a maze: the same steps in every episode for 1 and 2 threads */
TEST(the_same_learning_curve_for_any_thread_count) {
  int64_t one[30], two[30];
  int r1, r2;
  tmaze_threads(1, 5, 1, &r1, one);
  tmaze_threads(1, 5, 2, &r2, two);
  CHECK(r1 == r2);
  CHECK_MSG(!memcmp(one, two, sizeof one), "episode 1: %lld and %lld steps", (long long)one[0], (long long)two[0]);
}

TEST(planning_gives_the_same_learning_curve_for_any_thread_count) {
  int64_t steps[2][8];
  for (int th = 1; th <= 2; th++) {
    soma_env *env;
    soma_ac *ac = discrete_agent(5, 3, th, &env);
    REQUIRE(ac);
    char err[512];
    for (int k = 0; k < 8; k++) {
      soma_ac_stats st;
      REQUIRE(soma_ac_episode(ac, env, NULL, 0, &st, NULL, NULL, err, sizeof err) == SOMA_OK);
      steps[th - 1][k] = st.steps;
    }
    soma_ac_destroy(ac);
    soma_env_destroy(env);
  }
  CHECK(!memcmp(steps[0], steps[1], sizeof steps[0]));
}

TEST(bad_parameters_and_worlds) {
  char err[512] = "";
  soma_ac_params p = soma_ac_defaults();
  p.plan = 5;
  CHECK(!soma_ac_create(&p, constant_input(), 2, err, sizeof err) && strstr(err, "needs td_discrete = 1"));
  p = soma_ac_defaults();
  p.tau_e = -1;
  CHECK(!soma_ac_create(&p, constant_input(), 2, err, sizeof err) && strstr(err, "tau_e must be > 0"));
  p = soma_ac_defaults();
  p.w_inh = 5;
  CHECK(!soma_ac_create(&p, constant_input(), 2, err, sizeof err) && strstr(err, "w_inh must be <= 0"));
  p = soma_ac_defaults();
  p.step_ms = 2.5;
  p.dt = 1;
  CHECK(!soma_ac_create(&p, constant_input(), 2, err, sizeof err) && strstr(err, "multiple of dt"));
  CHECK(!soma_ac_create(&p, NULL, 2, err, sizeof err) && strstr(err, "no encoder"));
  p = soma_ac_defaults();
  CHECK(!soma_ac_create(&p, constant_input(), 1, err, sizeof err) && strstr(err, "actions must be >= 2"));

  soma_ac *ac = agent(1, 1);
  REQUIRE(ac);
  soma_ac_stats st;
  soma_env *reach = soma_env_create("reach", NULL, 0, err, sizeof err);
  CHECK(soma_ac_episode(ac, reach, NULL, 10, &st, NULL, NULL, err, sizeof err) != SOMA_OK &&
        strstr(err, "world 'reach' has 2 continuous ones"));
  soma_env *env = bandit(0.5, 0.5);
  soma_ac_destroy(ac);
  p = soma_ac_defaults();
  p.input = "position";
  ac = soma_ac_create(&p, constant_input(), 2, err, sizeof err);
  REQUIRE(ac);
  CHECK(soma_ac_episode(ac, env, NULL, 10, &st, NULL, NULL, err, sizeof err) != SOMA_OK &&
        strstr(err, "world 'bandit' has no latent 'position'"));
  soma_ac_destroy(ac);
  soma_env_destroy(env);
  soma_env_destroy(reach);
}

int main(void) {
  RUN(learns_the_better_arm_either_way);
  RUN(reverse_replay_learns_the_tmaze_in_few_rewards);
  RUN(discrete_td_error_has_the_right_sign_and_size);
  RUN(planning_replays_learn_faster_and_spread_the_value);
  RUN(frozen_synapses_do_not_learn);
  RUN(the_dopamine_trace_changes_nothing);
  RUN(same_seed_same_choices_for_any_thread_count);
  RUN(the_same_learning_curve_for_any_thread_count);
  RUN(planning_gives_the_same_learning_curve_for_any_thread_count);
  RUN(bad_parameters_and_worlds);
  return h_done();
}
