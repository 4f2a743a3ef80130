/* test_replay.c — the replay buffer (agents/replay.c): ring overwrite order, uniform and
 * prioritized sampling frequencies, importance weights, the sum-tree against a plain sum,
 * priorities of new transitions, reverse and forward replay across the ring's wrap, episode
 * listing, determinism, the replay log, bad input and its messages; then a micro timing,
 * printed for information only. */
#include <string.h>
#include <time.h>

#include "agents/replay.h"
#include "harness.h"
#include "sim/rng.h"

static soma_replay *buffer(int capacity, int obs_dim, double alpha, uint32_t seed) {
  soma_replay_config c = soma_replay_defaults();
  c.capacity = capacity;
  c.obs_dim = obs_dim;
  c.alpha = alpha;
  c.seed = seed;
  char err[256];
  soma_replay *r = soma_replay_create(&c, err, sizeof err);
  if (!r) printf("  (replay: %s)\n", err);
  return r;
}

/* Adds one transition with obs = (step, episode), action = step % 4; returns its slot. */
static int add(soma_replay *r, int64_t episode, int64_t step, double reward, int terminal) {
  double obs[2] = {(double)step, (double)episode}, next[2] = {(double)step + 1, (double)episode};
  double action = (double)(step % 4);
  char err[256] = "";
  int i = soma_replay_add(r,
                          &(soma_replay_transition){.obs = obs, .action = &action, .reward = reward,
                                                    .next_obs = next, .terminal = terminal,
                                                    .episode = episode, .step = step,
                                                    .t_ms = 10.0 * (double)step},
                          err, sizeof err);
  if (i < 0) printf("  (add: %s)\n", err);
  return i;
}

/* Adds an episode of n steps, rewarded (1) at step `rewarded` (-1: never), costing -0.1
 * elsewhere; the last step is terminal. */
static void add_episode(soma_replay *r, int64_t episode, int n, int rewarded) {
  for (int s = 0; s < n; s++) add(r, episode, s, s == rewarded ? 1.0 : -0.1, s == n - 1);
}

static int same_ints(const int *a, const int *b, int n) { return !memcmp(a, b, n * sizeof *a); }

static void print_ints(const char *what, const int *a, int n) {
  printf("    %s:", what);
  for (int k = 0; k < n; k++) printf(" %d", a[k]);
  printf("\n");
}

/* n slots in got, equal to the list that follows */
#define CHECK_INTS(got, n, ...)                                                            \
  do {                                                                                     \
    const int want_[] = {__VA_ARGS__};                                                     \
    int n_ = (int)(sizeof want_ / sizeof *want_), ok_ = (n) == n_ && same_ints(got, want_, n_); \
    CHECK_MSG(ok_, "got %d slots", (n));                                                   \
    if (!ok_) print_ints("got", got, (n) < 64 ? (n) : 64);                                 \
  } while (0)

TEST(ring_overwrites_the_oldest) {
  soma_replay *r = buffer(4, 2, 0.6, 1);
  REQUIRE(r);
  for (int s = 0; s < 6; s++) CHECK(add(r, 0, s, s, 0) == s % 4);
  CHECK(soma_replay_count(r) == 4 && soma_replay_capacity(r) == 4 && soma_replay_added(r) == 6);
  int order[4], want[4] = {2, 3, 0, 1};
  for (int k = 0; k < 4; k++) order[k] = soma_replay_oldest(r, k);
  CHECK(same_ints(order, want, 4));
  CHECK(soma_replay_oldest(r, 4) == -1 && soma_replay_oldest(r, -1) == -1);
  char err[256];
  for (int k = 0; k < 4; k++) {
    soma_replay_transition t;
    REQUIRE(soma_replay_get(r, order[k], &t, err, sizeof err) == SOMA_OK);
    int64_t step = k + 2;
    CHECK(t.step == step && t.serial == (uint64_t)step && t.reward == (double)step);
    CHECK(t.obs[0] == (double)step && t.next_obs[0] == (double)step + 1);
    CHECK(t.action[0] == (double)(step % 4) && t.t_ms == 10.0 * (double)step);
  }
  /* next_obs NULL stores zeros */
  double obs[2] = {7, 7}, a = 1;
  int i = soma_replay_add(r, &(soma_replay_transition){.obs = obs, .action = &a, .terminal = 5},
                          err, sizeof err);
  soma_replay_transition t;
  CHECK(i == 2 && soma_replay_get(r, i, &t, err, sizeof err) == SOMA_OK);
  CHECK(t.next_obs[0] == 0 && t.next_obs[1] == 0 && t.terminal == 1);
  CHECK(soma_replay_oldest(r, 0) == 3);
  soma_replay_destroy(r);
}

TEST(uniform_sampling_is_uniform_over_stored_slots) {
  enum { DRAWS = 100000, STORED = 7 };
  soma_replay *r = buffer(10, 2, 0.6, 3);
  REQUIRE(r);
  for (int s = 0; s < STORED; s++) add(r, 0, s, 0, 0);
  static int idx[DRAWS];
  char err[256];
  REQUIRE(soma_replay_sample_uniform(r, DRAWS, idx, err, sizeof err) == SOMA_OK);
  int count[10] = {0}, outside = 0;
  for (int k = 0; k < DRAWS; k++) {
    if (idx[k] < 0 || idx[k] >= STORED) outside++;
    else count[idx[k]]++;
  }
  CHECK(outside == 0);
  double expect = (double)DRAWS / STORED, chi2 = 0;
  for (int i = 0; i < STORED; i++) chi2 += (count[i] - expect) * (count[i] - expect) / expect;
  /* 6 degrees of freedom: P(chi2 > 22.46) = 0.001 */
  CHECK_MSG(chi2 < 22.46, "chi-square %g over %d slots", chi2, STORED);
  soma_replay_destroy(r);
}

/* Draws DRAWS prioritized samples and checks each slot's frequency against P(i) = p^alpha / Σ
 * within 5 % (relative), and P(i) itself against priorities computed here. */
static void check_frequencies(soma_replay *r, const double *p, int n, double alpha) {
  enum { DRAWS = 100000 };
  static int idx[DRAWS];
  char err[256];
  REQUIRE(soma_replay_sample_prioritized(r, DRAWS, 0.4, idx, NULL, err, sizeof err) == SOMA_OK);
  int count[16] = {0};
  for (int k = 0; k < DRAWS; k++) {
    REQUIRE(idx[k] >= 0 && idx[k] < n);
    count[idx[k]]++;
  }
  double total = 0;
  for (int i = 0; i < n; i++) total += pow(p[i], alpha);
  for (int i = 0; i < n; i++) {
    double P = pow(p[i], alpha) / total, f = (double)count[i] / DRAWS;
    CHECK_NEAR(soma_replay_probability(r, i), P, 1e-12);
    CHECK_MSG(fabs(f - P) <= 0.05 * P, "slot %d: frequency %.5f, P = %.5f", i, f, P);
  }
}

TEST(prioritized_sampling_follows_priorities) {
  const double alpha = 0.6, eps = 1e-6, delta[5] = {0.1, -0.5, 1, 2, -4};
  soma_replay *r = buffer(5, 2, alpha, 5);
  REQUIRE(r);
  char err[256];
  double p[5];
  for (int i = 0; i < 5; i++) {
    add(r, 0, i, 0, 0);
    CHECK(soma_replay_update_priority(r, i, delta[i], err, sizeof err) == SOMA_OK);
    p[i] = fabs(delta[i]) + eps;
  }
  check_frequencies(r, p, 5, alpha);
  /* after an update the draws follow the new priorities */
  CHECK(soma_replay_update_priority(r, 4, 0.05, err, sizeof err) == SOMA_OK);
  p[4] = 0.05 + eps;
  CHECK(soma_replay_update_priority(r, 0, 3, err, sizeof err) == SOMA_OK);
  p[0] = 3 + eps;
  check_frequencies(r, p, 5, alpha);
  soma_replay_transition t;
  CHECK(soma_replay_get(r, 4, &t, err, sizeof err) == SOMA_OK && t.td_error == 0.05);
  CHECK(t.priority == p[4]);
  soma_replay_destroy(r);

  /* alpha = 0: every stored slot equally likely */
  r = buffer(8, 2, 0, 5);
  REQUIRE(r);
  for (int i = 0; i < 4; i++) {
    add(r, 0, i, 0, 0);
    soma_replay_update_priority(r, i, delta[i], err, sizeof err);
  }
  check_frequencies(r, (double[]){1, 1, 1, 1}, 4, 1);
  soma_replay_destroy(r);
}

TEST(importance_weights_are_normalised_by_their_maximum) {
  const double alpha = 0.7, delta[6] = {0.3, 2, 0.01, 5, 1, 0.7};
  soma_replay *r = buffer(9, 2, alpha, 11);
  REQUIRE(r);
  char err[256];
  for (int i = 0; i < 6; i++) {
    add(r, 0, i, 0, 0);
    soma_replay_update_priority(r, i, delta[i], err, sizeof err);
  }
  const double betas[] = {0, 0.4, 0.77, 1};
  for (size_t b = 0; b < sizeof betas / sizeof *betas; b++) {
    double beta = betas[b], N = 6, w_max = 0;
    for (int j = 0; j < 6; j++) {
      double w = pow(N * soma_replay_probability(r, j), -beta);
      if (w > w_max) w_max = w;
    }
    static int idx[5000];
    static double w[5000];
    REQUIRE(soma_replay_sample_prioritized(r, 5000, beta, idx, w, err, sizeof err) == SOMA_OK);
    int exact = 1, saw_min = 0;
    for (int k = 0; k < 5000; k++) {
      double want = pow(N * soma_replay_probability(r, idx[k]), -beta) / w_max;
      if (w[k] != want || w[k] > 1) exact = 0;
      if (idx[k] == 2) saw_min = 1, exact &= w[k] == 1;   /* the least likely weighs 1 */
    }
    CHECK_MSG(exact, "beta %g", beta);
    CHECK(saw_min);
  }
  soma_replay_destroy(r);
}

TEST(sum_tree_matches_the_plain_sum) {
  const int capacities[] = {1, 2, 37, 1000, 1024};
  for (size_t c = 0; c < sizeof capacities / sizeof *capacities; c++) {
    int cap = capacities[c];
    soma_replay *r = buffer(cap, 1, 0.6, 2);
    REQUIRE(r);
    char err[256];
    double obs = 0, a = 0;
    soma_stream s;
    soma_stream_init(&s, 99, 0, (uint32_t)cap, 0, 0);
    for (int k = 0; k < 100000; k++) {
      if (k % 7 == 0)   /* keep adding, so slots are also overwritten */
        soma_replay_add(r, &(soma_replay_transition){.obs = &obs, .action = &a, .step = k}, err,
                        sizeof err);
      int i = (int)soma_stream_below(&s, (uint32_t)soma_replay_count(r));
      double td = (soma_stream_u01(&s) - 0.5) * pow(10, 6 * soma_stream_u01(&s) - 3);
      REQUIRE(soma_replay_update_priority(r, i, td, err, sizeof err) == SOMA_OK);
    }
    double plain = 0, total_p = 0;
    for (int i = 0; i < soma_replay_count(r); i++) {
      soma_replay_transition t;
      soma_replay_get(r, i, &t, err, sizeof err);
      plain += pow(t.priority, 0.6);
      total_p += soma_replay_probability(r, i);
    }
    double tree = soma_replay_priority_sum(r);
    CHECK_MSG(fabs(tree - plain) <= 1e-9 * plain, "capacity %d: tree %.17g, plain %.17g", cap,
              tree, plain);
    CHECK_NEAR(total_p, 1, 1e-9);
    soma_replay_destroy(r);
  }
}

TEST(new_transitions_get_the_largest_priority) {
  soma_replay *r = buffer(3, 2, 0.6, 1);
  REQUIRE(r);
  char err[256];
  soma_replay_transition t;
  add(r, 0, 0, 0, 0);
  CHECK(soma_replay_get(r, 0, &t, err, sizeof err) == SOMA_OK && t.priority == 1);
  soma_replay_update_priority(r, 0, 0.5, err, sizeof err);
  add(r, 0, 1, 0, 0);
  soma_replay_get(r, 1, &t, err, sizeof err);
  CHECK(t.priority == 0.5 + 1e-6);
  soma_replay_update_priority(r, 1, -3, err, sizeof err);
  add(r, 0, 2, 0, 0);
  soma_replay_get(r, 2, &t, err, sizeof err);
  CHECK(t.priority == 3 + 1e-6);
  /* the largest of those still stored: slot 1 falls to 0.2, slot 2 keeps 3 */
  soma_replay_update_priority(r, 1, 0.2, err, sizeof err);
  CHECK(add(r, 0, 3, 0, 0) == 0);
  soma_replay_get(r, 0, &t, err, sizeof err);
  CHECK(t.priority == 3 + 1e-6);
  soma_replay_update_priority(r, 0, 0.1, err, sizeof err);
  soma_replay_update_priority(r, 2, 0.1, err, sizeof err);
  add(r, 0, 4, 0, 0);   /* overwrites slot 1 (0.2): the largest left is 0.1 */
  soma_replay_get(r, 1, &t, err, sizeof err);
  CHECK(t.priority == 0.1 + 1e-6);
  soma_replay_destroy(r);
}

TEST(reverse_replay_runs_back_from_the_reward_across_the_wrap) {
  soma_replay *r = buffer(8, 2, 0.6, 1);
  REQUIRE(r);
  int idx[16], n;
  int64_t which = -7;
  CHECK(soma_replay_reward_sequence(r, -1, 1, idx, 16, &which) == 0 && which == -7);
  add_episode(r, 1, 4, 3);    /* slots 0..3, rewarded at the last step */
  add_episode(r, 2, 3, -1);   /* slots 4..6, never rewarded */
  n = soma_replay_reward_sequence(r, -1, 1, idx, 16, &which);
  CHECK(which == 1);
  CHECK_INTS(idx, n, 3, 2, 1, 0);
  n = soma_replay_reward_sequence(r, -1, 0, idx, 16, NULL);
  CHECK_INTS(idx, n, 0, 1, 2, 3);
  /* an episode with no reward: all of it, from its last step */
  n = soma_replay_reward_sequence(r, 2, 1, idx, 16, &which);
  CHECK(which == 2);
  CHECK_INTS(idx, n, 6, 5, 4);
  /* episode 3 wraps: slot 7, then 0..3 (episode 1 is gone) */
  add_episode(r, 3, 5, 4);
  n = soma_replay_reward_sequence(r, -1, 1, idx, 16, &which);
  CHECK(which == 3);
  CHECK_INTS(idx, n, 3, 2, 1, 0, 7);
  n = soma_replay_reward_sequence(r, -1, 0, idx, 16, NULL);
  CHECK_INTS(idx, n, 7, 0, 1, 2, 3);
  CHECK(soma_replay_reward_sequence(r, 1, 1, idx, 16, NULL) == 0);
  /* a reward in the middle: the sequence ends there; max cuts the list, not the count */
  add_episode(r, 4, 4, 1);    /* slots 4, 5, 6, 7; rewarded at step 1 (slot 5) */
  n = soma_replay_reward_sequence(r, -1, 1, idx, 16, &which);
  CHECK(which == 4);
  CHECK_INTS(idx, n, 5, 4);
  n = soma_replay_reward_sequence(r, 3, 1, idx, 2, NULL);
  CHECK(n == 4 && idx[0] == 3 && idx[1] == 2);   /* slot 7 of episode 3 is overwritten */
  n = soma_replay_episode(r, 3, 0, idx, 16);
  CHECK_INTS(idx, n, 0, 1, 2, 3);
  n = soma_replay_episode(r, 4, 1, idx, 16);
  CHECK_INTS(idx, n, 7, 6, 5, 4);
  CHECK(soma_replay_episode(r, 2, 0, idx, 16) == 0);
  soma_replay_destroy(r);
}

/* a walk through states (one number each): the loops erased, each state keeps its last visit */
TEST(loops_are_erased_from_a_path) {
  soma_replay *r = buffer(32, 1, 0.6, 1);
  REQUIRE(r);
  /* states A B C B D D E: the loop B C B and the bump D D go; A B D E stays */
  const double walk[] = {1, 2, 3, 2, 4, 4, 5};
  int idx[16];
  char err[256];
  for (int k = 0; k < 7; k++) {
    double a = k;
    soma_replay_transition t = {.obs = &walk[k], .action = &a, .episode = 1, .step = k};
    idx[k] = soma_replay_add(r, &t, err, sizeof err);
  }
  int n = soma_replay_loop_erase(r, idx, 7);
  CHECK_INTS(idx, n, 0, 3, 5, 6);   /* B from its second visit (slot 3), D from its second (5) */
  /* a path that comes back to its start: only the last visit of it stays */
  const double ring[] = {7, 8, 9, 7};
  for (int k = 0; k < 4; k++) {
    double a = k;
    soma_replay_transition t = {.obs = &ring[k], .action = &a, .episode = 2, .step = k};
    idx[k] = soma_replay_add(r, &t, err, sizeof err);
  }
  n = soma_replay_loop_erase(r, idx, 4);
  CHECK_INTS(idx, n, 10);
  CHECK(soma_replay_loop_erase(r, idx, 0) == 0);
  soma_replay_destroy(r);
}

TEST(episodes_are_listed_oldest_first) {
  soma_replay *r = buffer(8, 2, 0.6, 1);
  REQUIRE(r);
  CHECK(soma_replay_episodes(r, NULL, 0) == 0);
  add_episode(r, 1, 4, 3);
  add_episode(r, 2, 3, -1);
  add_episode(r, 3, 2, 1);    /* overwrites slot 7 then 0: episode 1 keeps slots 1..3 */
  soma_replay_episode_info e[4];
  int n = soma_replay_episodes(r, e, 4);
  REQUIRE(n == 3);
  CHECK(e[0].episode == 1 && e[0].first == 1 && e[0].last == 3 && e[0].n == 3);
  CHECK(e[0].first_step == 1 && e[0].last_step == 3 && e[0].partial && e[0].terminal);
  CHECK_NEAR(e[0].reward, 0.8, 1e-12);
  CHECK(e[1].episode == 2 && e[1].first == 4 && e[1].last == 6 && e[1].n == 3);
  CHECK(!e[1].partial && e[1].terminal);
  CHECK_NEAR(e[1].reward, -0.3, 1e-12);
  CHECK(e[2].episode == 3 && e[2].first == 7 && e[2].last == 0 && e[2].n == 2);
  CHECK(e[2].first_step == 0 && e[2].last_step == 1 && !e[2].partial);
  /* max limits what is written, not the count */
  soma_replay_episode_info one[2] = {{0}, {.episode = 42}};
  CHECK(soma_replay_episodes(r, one, 1) == 3 && one[0].episode == 1 && one[1].episode == 42);
  /* an episode still running is listed, not terminal */
  add(r, 4, 0, 0, 0);
  n = soma_replay_episodes(r, e, 4);
  CHECK(n == 4 && e[3].episode == 4 && !e[3].terminal && e[0].n == 2);
  soma_replay_destroy(r);
}

/* Adds the same 50 transitions to a new buffer and draws uniform then prioritized samples. */
static void draw_sequence(uint32_t seed, int *idx, double *w) {
  soma_replay *r = buffer(32, 2, 0.6, seed);
  if (!r) return;
  char err[256];
  for (int s = 0; s < 50; s++) {
    add(r, s / 10, s % 10, 0, 0);
    soma_replay_update_priority(r, s % 32, 0.1 * s, err, sizeof err);
  }
  soma_replay_sample_uniform(r, 100, idx, err, sizeof err);
  soma_replay_sample_prioritized(r, 100, 0.5, idx + 100, w, err, sizeof err);
  soma_replay_destroy(r);
}

TEST(same_seed_same_samples) {
  int a[200], b[200], c[200];
  double wa[100], wb[100], wc[100];
  draw_sequence(7, a, wa);
  draw_sequence(7, b, wb);
  draw_sequence(8, c, wc);
  CHECK(same_ints(a, b, 200) && !memcmp(wa, wb, sizeof wa));
  CHECK(!same_ints(a, c, 100) && !same_ints(a + 100, c + 100, 100));
}

TEST(the_log_keeps_what_was_replayed_when) {
  soma_replay *r = buffer(4, 2, 0.6, 1);
  REQUIRE(r);
  char err[256];
  size_t n = 99;
  CHECK(soma_replay_events(r, &n) == NULL && n == 0);
  add_episode(r, 1, 3, 2);
  int seq[8], k = soma_replay_reward_sequence(r, -1, 1, seq, 8, NULL);
  CHECK(soma_replay_log(r, 250.5, SOMA_REPLAY_REVERSE, seq, k, err, sizeof err) == SOMA_OK);
  int drawn[600];
  soma_replay_sample_uniform(r, 600, drawn, err, sizeof err);
  CHECK(soma_replay_log(r, 300, SOMA_REPLAY_UNIFORM, drawn, 600, err, sizeof err) == SOMA_OK);
  add_episode(r, 2, 3, -1);   /* overwrites episode 1's slots; the log keeps what they were */
  const soma_replay_event *ev = soma_replay_events(r, &n);
  REQUIRE(n == 603);
  for (int j = 0; j < 3; j++)
    CHECK(ev[j].t_ms == 250.5 && ev[j].index == 2 - j && ev[j].episode == 1 &&
          ev[j].step == 2 - j && ev[j].kind == SOMA_REPLAY_REVERSE);
  CHECK(ev[603 - 1].t_ms == 300 && ev[602].index == drawn[599] && ev[602].step == drawn[599]);
  CHECK(strcmp(soma_replay_kind_name(ev[3].kind), "uniform") == 0);
  CHECK(strcmp(soma_replay_kind_name(SOMA_REPLAY_PRIORITIZED), "prioritized") == 0);
  CHECK(strcmp(soma_replay_kind_name(SOMA_REPLAY_FORWARD), "forward") == 0);
  CHECK(strcmp(soma_replay_kind_name(9), "?") == 0);
  /* a bad slot anywhere in the list: nothing appended */
  int bad[3] = {0, 1, 4};
  CHECK(soma_replay_log(r, 400, SOMA_REPLAY_FORWARD, bad, 3, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "slot 4 is not stored (slots 0 to 3 hold transitions)"));
  soma_replay_events(r, &n);
  CHECK(n == 603);
  soma_replay_events_clear(r);
  soma_replay_events(r, &n);
  CHECK(n == 0);
  soma_replay_destroy(r);
}

/* creation refused with a message containing want */
static void refused(soma_replay_config c, const char *want) {
  char err[512] = "";
  soma_replay *r = soma_replay_create(&c, err, sizeof err);
  CHECK_MSG(!r && strstr(err, want), "expected '%s', got '%s'", want, r ? "(created)" : err);
  soma_replay_destroy(r);
}

/* call (writing into the err in scope) was refused with a message containing want */
#define REFUSED(call, want)                                                                \
  do {                                                                                     \
    err[0] = 0;                                                                            \
    int rc_ = (call);                                                                      \
    CHECK_MSG(rc_ == SOMA_ERR_PARAM && strstr(err, want), "expected '%s', got %d '%s'", want, \
              rc_, err);                                                                   \
  } while (0)

TEST(bad_settings_are_refused_with_their_value) {
  soma_replay_config d = soma_replay_defaults(), c;
  CHECK(d.capacity == 10000 && d.alpha == 0.6 && d.eps == 1e-6 && d.act_dim == 1);
  refused((c = d, c.capacity = 0, c), "capacity must be from 1 to 268435456 (got 0)");
  refused((c = d, c.obs_dim = 0, c), "obs_dim must be from 1 to 65536 (got 0)");
  refused((c = d, c.act_dim = 70000, c), "act_dim must be from 1 to 65536 (got 70000");
  refused((c = d, c.alpha = -1, c), "alpha must be >= 0 and finite (got -1");
  refused((c = d, c.alpha = NAN, c), "alpha must be >= 0 and finite (got nan");
  refused((c = d, c.eps = 0, c), "eps must be > 0 and finite (got 0)");
  refused((c = d, c.eps = 1e-300, c.alpha = 2, c), "eps^alpha = 1e-300^2 underflows to 0");
  char err[512] = "";
  CHECK(soma_replay_create(NULL, err, sizeof err) == NULL && strstr(err, "no configuration"));
  soma_replay_destroy(NULL);
}

TEST(bad_transitions_are_refused_and_change_nothing) {
  soma_replay *r = buffer(4, 2, 0.6, 1);
  REQUIRE(r);
  add(r, 0, 0, 0, 0);
  char err[512];
  double obs[2] = {0, 0}, nan_obs[2] = {0, NAN}, inf_obs[2] = {INFINITY, 0}, a = 0;
  const soma_replay_transition ok = {.obs = obs, .action = &a};
  soma_replay_transition t;
  REFUSED(soma_replay_add(r, (t = ok, t.reward = NAN, &t), err, sizeof err),
          "reward must be a finite number (got nan)");
  REFUSED(soma_replay_add(r, (t = ok, t.td_error = -INFINITY, &t), err, sizeof err),
          "td_error must be a finite number (got -inf)");
  REFUSED(soma_replay_add(r, (t = ok, t.t_ms = NAN, &t), err, sizeof err),
          "t_ms must be a finite number (got nan)");
  REFUSED(soma_replay_add(r, (t = ok, t.obs = nan_obs, &t), err, sizeof err),
          "obs[1] must be a finite number (got nan)");
  REFUSED(soma_replay_add(r, (t = ok, t.next_obs = inf_obs, &t), err, sizeof err),
          "next_obs[0] must be a finite number (got inf)");
  REFUSED(soma_replay_add(r, (t = ok, t.action = NULL, &t), err, sizeof err), "action is missing");
  REFUSED(soma_replay_add(r, (t = ok, t.step = -2, &t), err, sizeof err),
          "episode and step must be >= 0 (got episode 0, step -2)");
  REFUSED(soma_replay_add(r, NULL, err, sizeof err), "no transition given");
  CHECK(soma_replay_count(r) == 1 && soma_replay_added(r) == 1);
  soma_replay_destroy(r);
}

TEST(bad_calls_are_refused_and_change_nothing) {
  soma_replay *r = buffer(4, 2, 0.6, 1);
  REQUIRE(r);
  char err[512];
  int idx[4];
  REFUSED(soma_replay_sample_uniform(r, 4, idx, err, sizeof err),
          "cannot sample from an empty buffer");
  REFUSED(soma_replay_update_priority(r, 0, 1, err, sizeof err),
          "slot 0 is not stored (the buffer is empty)");
  add(r, 0, 0, 0, 0);
  REFUSED(soma_replay_update_priority(r, 0, NAN, err, sizeof err),
          "td_error of slot 0 must be a finite number (got nan)");
  REFUSED(soma_replay_update_priority(r, 1, 0.5, err, sizeof err),
          "slot 1 is not stored (slots 0 to 0 hold transitions)");
  REFUSED(soma_replay_update_priority(r, -1, 0.5, err, sizeof err), "slot -1 is not stored");
  soma_replay_transition t;
  soma_replay_get(r, 0, &t, err, sizeof err);
  CHECK(t.priority == 1 && t.td_error == 0);   /* unchanged */
  REFUSED(soma_replay_sample_prioritized(r, 4, 1.5, idx, NULL, err, sizeof err),
          "beta must be in [0, 1] (got 1.5");
  REFUSED(soma_replay_sample_prioritized(r, 4, NAN, idx, NULL, err, sizeof err),
          "beta must be in [0, 1] (got nan");
  REFUSED(soma_replay_sample_uniform(r, -1, idx, err, sizeof err), "cannot draw -1 samples");
  REFUSED(soma_replay_sample_uniform(r, 3, NULL, err, sizeof err), "nowhere to write");
  REFUSED(soma_replay_get(r, 3, &t, err, sizeof err), "slot 3 is not stored");
  REFUSED(soma_replay_log(r, 0, 7, idx, 0, err, sizeof err), "unknown replay kind 7");
  REFUSED(soma_replay_log(r, NAN, 0, idx, 0, err, sizeof err),
          "t_ms of a replay must be finite (got nan)");
  CHECK(soma_replay_sample_uniform(r, 0, NULL, err, sizeof err) == SOMA_OK);
  soma_replay_destroy(r);

  /* a priority whose p^alpha would overflow the sum */
  r = buffer(4, 2, 3, 1);
  REQUIRE(r);
  add(r, 0, 0, 0, 0);
  REFUSED(soma_replay_update_priority(r, 0, 1e200, err, sizeof err),
          "td_error 1e+200 of slot 0 gives a priority (|td_error| + eps)^alpha = 1e+200^3 = inf");
  soma_replay_destroy(r);
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Adds, samples and updates per second for a buffer of 10^5 transitions of 4 + 4 values:
 * printed, never checked. */
TEST(timing_for_information) {
  enum { CAP = 100000, N = 1000000, BATCH = 32 };
  soma_replay *r = buffer(CAP, 4, 0.6, 1);
  REQUIRE(r);
  char err[256];
  double obs[4] = {1, 2, 3, 4}, a = 1;
  soma_replay_transition t = {.obs = obs, .action = &a, .next_obs = obs, .reward = 1};
  double t0 = seconds();
  for (int k = 0; k < N; k++) {
    t.step = k;
    soma_replay_add(r, &t, err, sizeof err);
  }
  double t1 = seconds();
  int idx[BATCH];
  double w[BATCH];
  for (int k = 0; k < N / BATCH; k++) soma_replay_sample_uniform(r, BATCH, idx, err, sizeof err);
  double t2 = seconds();
  for (int k = 0; k < N / BATCH; k++)
    soma_replay_sample_prioritized(r, BATCH, 0.4, idx, w, err, sizeof err);
  double t3 = seconds();
  for (int k = 0; k < N; k++) {
    int i = (int)((int64_t)k * 7919 % CAP);
    soma_replay_update_priority(r, i, 0.001 * (k % 1000), err, sizeof err);
  }
  double t4 = seconds();
  printf("    capacity %d, obs_dim 4: %.2g adds/s, %.2g uniform samples/s, %.2g prioritized "
         "samples/s (with weights), %.2g priority updates/s\n",
         CAP, N / (t1 - t0), N / (t2 - t1), N / (t3 - t2), N / (t4 - t3));
  soma_replay_destroy(r);
}

int main(void) {
  RUN(ring_overwrites_the_oldest);
  RUN(uniform_sampling_is_uniform_over_stored_slots);
  RUN(prioritized_sampling_follows_priorities);
  RUN(importance_weights_are_normalised_by_their_maximum);
  RUN(sum_tree_matches_the_plain_sum);
  RUN(new_transitions_get_the_largest_priority);
  RUN(reverse_replay_runs_back_from_the_reward_across_the_wrap);
  RUN(episodes_are_listed_oldest_first);
  RUN(same_seed_same_samples);
  RUN(the_log_keeps_what_was_replayed_when);
  RUN(bad_settings_are_refused_with_their_value);
  RUN(bad_transitions_are_refused_and_change_nothing);
  RUN(bad_calls_are_refused_and_change_nothing);
  RUN(loops_are_erased_from_a_path);
  RUN(timing_for_information);
  return h_done();
}
