/* test_actor_critic.c — the spiking actor-critic learns through the engine: on a two-armed
 * bandit (one step per episode) it comes to prefer the better arm, whichever it is, only
 * through TD-LTP on its input synapses (frozen synapses do not learn); the actor populations
 * compete (one wins a window); in a T-maze, reverse replay of the loop-erased rewarded path
 * makes it take the 7-step path within a few rewards, and without replay it does not learn in
 * that time; the same seed gives the same choices for 1 and 2 threads; bad parameters and
 * unsuitable worlds are refused with messages. */
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

TEST(bad_parameters_and_worlds) {
  char err[512] = "";
  soma_ac_params p = soma_ac_defaults();
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
  RUN(frozen_synapses_do_not_learn);
  RUN(same_seed_same_choices_for_any_thread_count);
  RUN(the_same_learning_curve_for_any_thread_count);
  RUN(bad_parameters_and_worlds);
  return h_done();
}
