/* test_readout.c — the action readouts (agents/readout.c): winner-take-all picks the most
 * spikes, breaks ties uniformly, draws softmax and epsilon choices with the probabilities it
 * reports, and repeats itself for a seed; the population vector recovers directions from
 * cosine-tuned counts and adds seeded Gaussian noise; spike counts come from a recording's
 * window, end to end with a poisson population; bad parameters get messages. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "agents/readout.h"
#include "fixtures.h"
#include "harness.h"

#define DRAWS 10000

static soma_wta *wta(int n_actions, int group, double temperature, double epsilon,
                     uint64_t seed) {
  soma_wta_params p = soma_wta_defaults();
  p.n_actions = n_actions, p.group = group, p.temperature = temperature, p.epsilon = epsilon;
  p.seed = seed;
  char err[256];
  soma_wta *w = soma_wta_create(&p, err, sizeof err);
  if (!w) printf("  wta: %s\n", err);
  return w;
}

/* |observed - expected| within 4.5 binomial standard deviations for `draws` draws */
static void check_frequency(int observed, double p, int draws, const char *what, int a) {
  double sd = sqrt(draws * p * (1 - p));
  CHECK_MSG(fabs(observed - draws * p) <= 4.5 * sd + 1e-9,
            "%s: action %d chosen %d times in %d, expected %.1f", what, a, observed, draws,
            draws * p);
}

/* draws DRAWS choices and checks the frequencies against the reported probabilities */
static void check_draws(soma_wta *w, const double *counts, int n, const double *want, const char *what) {
  int seen[16] = {0}, k = soma_wta_n_actions(w);
  for (int d = 0; d < DRAWS; d++) {
    int a = soma_wta_choose(w, counts, n);
    if (a < 0 || a >= k) {
      CHECK_MSG(0, "%s: choice %d (%s)", what, a, soma_wta_errmsg(w));
      return;
    }
    seen[a]++;
  }
  for (int a = 0; a < k; a++) {
    CHECK_NEAR(soma_wta_probs(w)[a], want[a], 1e-12);
    check_frequency(seen[a], want[a], DRAWS, what, a);
    if (want[a] == 0) CHECK(seen[a] == 0);
  }
}

TEST(wta_picks_the_most_spikes) {
  soma_wta *w = wta(4, 3, 0, 0, 5);
  REQUIRE(w);
  CHECK(soma_wta_counts(w)[0] == 0 && soma_wta_probs(w)[0] == 0 && soma_wta_choices(w) == 0);
  double per_neuron[12] = {1, 0, 2, 3, 3, 1, 0, 0, 2, 2, 2, 1};   /* action counts 3, 7, 2, 5 */
  for (int k = 0; k < 100; k++) CHECK(soma_wta_choose(w, per_neuron, 12) == 1);
  const double *c = soma_wta_counts(w), *p = soma_wta_probs(w);
  CHECK(c[0] == 3 && c[1] == 7 && c[2] == 2 && c[3] == 5);
  CHECK(p[0] == 0 && p[1] == 1 && p[2] == 0 && p[3] == 0);
  CHECK(soma_wta_explored(w) == 0 && soma_wta_choices(w) == 100);
  double per_action[4] = {9, 1, 1, 1};                          /* counts already per action */
  CHECK(soma_wta_choose(w, per_action, 4) == 0);
  soma_wta_destroy(w);
}

TEST(wta_ties_are_uniform) {
  soma_wta *w = wta(5, 1, 0, 0, 17);
  REQUIRE(w);
  double third = 1.0 / 3;
  check_draws(w, (double[]){5, 9, 9, 3, 9}, 5, (double[]){0, third, third, 0, third}, "ties");
  check_draws(w, (double[]){0, 0, 0, 0, 0}, 5, (double[]){0.2, 0.2, 0.2, 0.2, 0.2}, "no spikes");
  soma_wta_destroy(w);
}

TEST(wta_softmax_matches_the_formula) {
  double counts[4] = {10, 12, 15, 11}, want[4], sum = 0;
  for (double t = 0.5; t <= 8; t *= 2) {
    soma_wta *w = wta(4, 1, t, 0, 3);
    REQUIRE(w);
    sum = 0;
    for (int a = 0; a < 4; a++) sum += want[a] = exp(counts[a] / t);
    for (int a = 0; a < 4; a++) want[a] /= sum;
    check_draws(w, counts, 4, want, "softmax");
    CHECK(soma_wta_temperature(w) == t);
    soma_wta_destroy(w);
  }
  /* huge counts do not overflow: only differences matter */
  soma_wta *w = wta(2, 1, 1, 0, 3);
  REQUIRE(w);
  CHECK(soma_wta_choose(w, (double[]){1e6, 1e6 + 1}, 2) >= 0);
  CHECK_NEAR(soma_wta_probs(w)[1], 1 / (1 + exp(-1)), 1e-12);
  /* T -> 0 is greedy; T large is nearly uniform */
  CHECK(soma_wta_set_exploration(w, 1e-3, 0) == SOMA_OK);
  for (int k = 0; k < 200; k++) CHECK(soma_wta_choose(w, (double[]){4, 5}, 2) == 1);
  CHECK(soma_wta_probs(w)[1] == 1 && soma_wta_explored(w) == 0);
  CHECK(soma_wta_set_exploration(w, 1e-300, 0) == SOMA_OK);
  CHECK(soma_wta_choose(w, (double[]){4, 5}, 2) == 1 && soma_wta_probs(w)[0] == 0);
  CHECK(soma_wta_set_exploration(w, 1e9, 0) == SOMA_OK);
  CHECK(soma_wta_choose(w, (double[]){4, 5}, 2) >= 0);
  CHECK_NEAR(soma_wta_probs(w)[0], 0.5, 1e-8);
  soma_wta_destroy(w);
}

TEST(wta_epsilon_explores) {
  soma_wta *w = wta(4, 2, 0, 0.2, 9);
  REQUIRE(w);
  double counts[8] = {0, 1, 5, 5, 2, 2, 0, 0};                  /* actions 1, 10, 4, 0 */
  check_draws(w, counts, 8, (double[]){0.05, 0.85, 0.05, 0.05}, "epsilon");
  int explored = 0;
  for (int d = 0; d < DRAWS; d++) {
    int a = soma_wta_choose(w, counts, 8);
    CHECK(soma_wta_explored(w) == (a != 1));
    explored += soma_wta_explored(w);
  }
  check_frequency(explored, 0.15, DRAWS, "explored", -1);
  /* epsilon and softmax together */
  CHECK(soma_wta_set_exploration(w, 2, 0.5) == SOMA_OK);
  double e[4] = {exp(1 / 2.0), exp(10 / 2.0), exp(4 / 2.0), exp(0)}, s = e[0] + e[1] + e[2] + e[3];
  double want[4];
  for (int a = 0; a < 4; a++) want[a] = 0.5 / 4 + 0.5 * e[a] / s;
  check_draws(w, counts, 8, want, "epsilon + softmax");
  soma_wta_destroy(w);
}

TEST(wta_is_deterministic) {
  soma_wta *a = wta(3, 1, 1.5, 0.1, 42), *b = wta(3, 1, 1.5, 0.1, 42), *c = wta(3, 1, 1.5, 0.1, 43);
  REQUIRE(a && b && c);
  double counts[3] = {2, 3, 2};
  int seq[500], differ = 0, same = 1;
  for (int k = 0; k < 500; k++) {
    seq[k] = soma_wta_choose(a, counts, 3);
    same &= soma_wta_choose(b, counts, 3) == seq[k];
    differ += soma_wta_choose(c, counts, 3) != seq[k];
  }
  CHECK(same && differ > 50);
  soma_wta_reseed(a, 42);                                       /* the same sequence again */
  same = 1;
  for (int k = 0; k < 500; k++) same &= soma_wta_choose(a, counts, 3) == seq[k];
  CHECK(same && soma_wta_choices(a) == 500);
  soma_wta_destroy(a);
  soma_wta_destroy(b);
  soma_wta_destroy(c);
}

static soma_popvec *popvec(int n, const double *angles, double gain, double noise, uint64_t seed) {
  soma_popvec_params p = soma_popvec_defaults();
  p.n = n, p.angles = angles, p.gain = gain, p.noise = noise, p.seed = seed;
  char err[256];
  soma_popvec *pv = soma_popvec_create(&p, err, sizeof err);
  if (!pv) printf("  popvec: %s\n", err);
  return pv;
}

/* difference of two angles, wrapped to [-pi, pi] */
static double angle_diff(double a, double b) { return remainder(a - b, 2 * M_PI); }

TEST(population_vector_recovers_the_direction) {
  soma_popvec *pv = popvec(16, NULL, 2, 0, 1);
  REQUIRE(pv);
  CHECK_NEAR(soma_popvec_angles(pv)[4], M_PI / 2, 1e-12);
  double counts[64];
  soma_popvec_result r;
  for (double theta = -3; theta < 3.2; theta += 0.37) {        /* cosine tuning: exact */
    for (int i = 0; i < 16; i++) counts[i] = 25 + 20 * cos(soma_popvec_angles(pv)[i] - theta);
    REQUIRE(soma_popvec_read(pv, counts, 16, &r) == SOMA_OK);
    CHECK_NEAR(angle_diff(r.angle, theta), 0, 1e-9);
    CHECK_NEAR(r.action[0], 2 * r.mean[0], 1e-12);
    CHECK_NEAR(r.action[1], 2 * r.mean[1], 1e-12);
    CHECK(r.length > 0 && r.length <= 1);
  }
  for (int i = 0; i < 16; i++) counts[i] = i == 3 ? 7 : 0;     /* one neuron: its direction, length 1 */
  REQUIRE(soma_popvec_read(pv, counts, 16, &r) == SOMA_OK);
  CHECK_NEAR(r.length, 1, 1e-12);
  CHECK_NEAR(r.action[0], 2 * cos(3 * M_PI / 8), 1e-12);
  CHECK(r.total == 7);
  memset(counts, 0, sizeof counts);                            /* no spikes: no action */
  REQUIRE(soma_popvec_read(pv, counts, 16, &r) == SOMA_OK);
  CHECK(isnan(r.angle) && r.action[0] == 0 && r.action[1] == 0 && r.length == 0);
  soma_popvec_destroy(pv);

  /* Poisson counts of 64 cosine-tuned neurons (100 + 80 cos spikes in the window, with an
   * angular error of about 1.3 degrees rms): within a few degrees */
  pv = popvec(64, NULL, 1, 0, 1);
  REQUIRE(pv);
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(g, 3);
  double worst = 0, sq = 0;
  for (int trial = 0; trial < 200; trial++) {
    double theta = 2 * M_PI * gsl_rng_uniform(g) - M_PI;
    for (int i = 0; i < 64; i++)
      counts[i] = gsl_ran_poisson(g, 100 + 80 * cos(soma_popvec_angles(pv)[i] - theta));
    REQUIRE(soma_popvec_read(pv, counts, 64, &r) == SOMA_OK);
    double err = fabs(angle_diff(r.angle, theta)) * 180 / M_PI;
    worst = fmax(worst, err);
    sq += err * err;
  }
  CHECK_MSG(sqrt(sq / 200) < 2, "rms error %.2f degrees", sqrt(sq / 200));
  CHECK_MSG(worst < 6, "worst error %.2f degrees", worst);
  gsl_rng_free(g);
  soma_popvec_destroy(pv);

  /* given, uneven directions */
  pv = popvec(3, (double[]){0, M_PI / 2, M_PI}, 1, 0, 1);
  REQUIRE(pv);
  REQUIRE(soma_popvec_read(pv, (double[]){1, 2, 1}, 3, &r) == SOMA_OK);
  CHECK_NEAR(r.angle, M_PI / 2, 1e-12);
  CHECK_NEAR(r.length, 0.5, 1e-12);
  soma_popvec_destroy(pv);
}

TEST(population_vector_noise_is_gaussian_and_seeded) {
  soma_popvec *a = popvec(8, NULL, 1, 0.3, 7), *b = popvec(8, NULL, 1, 0.3, 7);
  REQUIRE(a && b);
  double counts[8] = {0, 0, 4, 0, 0, 0, 0, 0};                  /* pointing up: mean (0, 1) */
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  int same = 1;
  soma_popvec_result r, q;
  for (int k = 0; k < DRAWS; k++) {
    REQUIRE(soma_popvec_read(a, counts, 8, &r) == SOMA_OK);
    REQUIRE(soma_popvec_read(b, counts, 8, &q) == SOMA_OK);
    same &= r.action[0] == q.action[0] && r.action[1] == q.action[1];
    double x = r.action[0], y = r.action[1] - 1;
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  CHECK(same);
  double n = DRAWS, se_mean = 0.3 / sqrt(n), se_var = 0.09 * sqrt(2 / n);
  CHECK_NEAR(sx / n, 0, 4.5 * se_mean);
  CHECK_NEAR(sy / n, 0, 4.5 * se_mean);
  CHECK_NEAR(sxx / n, 0.09, 4.5 * se_var);
  CHECK_NEAR(syy / n, 0.09, 4.5 * se_var);
  CHECK_NEAR(sxy / n, 0, 4.5 * 0.09 / sqrt(n));
  soma_popvec_reseed(a, 7);
  soma_popvec_reseed(b, 8);
  REQUIRE(soma_popvec_read(a, counts, 8, &r) == SOMA_OK);
  REQUIRE(soma_popvec_read(b, counts, 8, &q) == SOMA_OK);
  CHECK(r.action[0] != q.action[0]);
  CHECK(soma_popvec_set_noise(a, 0) == SOMA_OK && soma_popvec_noise(a) == 0);
  REQUIRE(soma_popvec_read(a, counts, 8, &r) == SOMA_OK);
  CHECK_NEAR(r.action[0], 0, 1e-15);
  CHECK(r.action[1] == 1);
  soma_popvec_destroy(a);
  soma_popvec_destroy(b);
}

TEST(spike_counts_drive_a_choice_end_to_end) {
  soma_net_config c = soma_net_defaults();
  c.seed = 5;
  soma_net *net = tf_net(c);
  REQUIRE(net);
  soma_pop *pop = tf_pop(net, "actions", "poisson", 40, NULL);   /* 4 actions x 10 neurons */
  REQUIRE(pop);
  double rate[40];
  for (int i = 0; i < 40; i++) rate[i] = i / 10 == 2 ? 60 : 20;   /* action 2 fires most */
  REQUIRE(soma_pop_set_var(pop, "rate", rate, 40) == SOMA_OK);
  soma_rec *rec = soma_rec_spikes(net, pop, NULL, 0);
  REQUIRE(rec);
  soma_wta *w = wta(4, 10, 0, 0, 1);
  REQUIRE(w);
  char err[256];
  double counts[40], whole[40], sum[40] = {0};
  for (int window = 0; window < 5; window++) {
    int64_t from = soma_net_steps(net);
    REQUIRE(soma_net_run(net, 200) == SOMA_OK);
    REQUIRE(soma_spike_counts(rec, from, soma_net_steps(net), counts, 40, err, sizeof err) == SOMA_OK);
    CHECK(soma_wta_choose(w, counts, 40) == 2);
    for (int i = 0; i < 40; i++) sum[i] += counts[i];
  }
  REQUIRE(soma_spike_counts(rec, 0, soma_net_steps(net), whole, 40, err, sizeof err) == SOMA_OK);
  CHECK(!memcmp(whole, sum, sizeof sum));                       /* windows add up */
  double total = 0;
  for (int i = 0; i < 40; i++) total += whole[i];
  CHECK(total == (double)soma_pop_spike_count(pop));
  REQUIRE(soma_spike_counts(rec, 5, 5, counts, 40, err, sizeof err) == SOMA_OK);
  CHECK(counts[0] == 0 && counts[39] == 0);                     /* an empty window */

  CHECK(soma_spike_counts(rec, 0, 10, counts, 39, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err,
               "spike counts: 'actions.spikes' records 40 neurons; counts must hold 40 values (got 39)"));
  CHECK(soma_spike_counts(rec, 10, 0, counts, 40, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "the window must not end before it starts"));
  soma_rec *v = soma_rec_state(net, pop, "rate", NULL, 0, 1);
  REQUIRE(v);
  CHECK(soma_spike_counts(v, 0, 10, counts, 40, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "need a spike recording (got actions.rate)"));
  soma_wta_destroy(w);
  soma_net_destroy(net);
}

/* creation fails with a message containing want */
#define REFUSED(type, call, want)                                                            \
  do {                                                                                       \
    char err_[512] = "";                                                                     \
    type *o_ = call;                                                                         \
    CHECK_MSG(!o_ && strstr(err_, want), "expected '%s', got '%s'", want, o_ ? "(made)" : err_); \
    type##_destroy(o_);                                                                      \
  } while (0)

TEST(bad_parameters_and_counts_get_messages) {
  soma_wta_params p = soma_wta_defaults();
  p.n_actions = 0;
  REFUSED(soma_wta, soma_wta_create(&p, err_, sizeof err_),
          "wta readout: n_actions must be >= 1 (got 0)");
  p = soma_wta_defaults(), p.temperature = -1;
  REFUSED(soma_wta, soma_wta_create(&p, err_, sizeof err_),
          "wta readout: temperature must be >= 0 (got -1)");
  p = soma_wta_defaults(), p.epsilon = 1.5;
  REFUSED(soma_wta, soma_wta_create(&p, err_, sizeof err_),
          "wta readout: epsilon must be <= 1 (got 1.5)");
  p = soma_wta_defaults(), p.temperature = INFINITY;
  REFUSED(soma_wta, soma_wta_create(&p, err_, sizeof err_), "temperature must be a finite number");
  p = soma_wta_defaults(), p.n_actions = 100000, p.group = 1000;
  REFUSED(soma_wta, soma_wta_create(&p, err_, sizeof err_),
          "n_actions * group must be <= 16777216 neurons");
  REFUSED(soma_wta, soma_wta_create(NULL, err_, sizeof err_), "wta readout: no parameters");

  soma_wta *w = wta(3, 2, 1, 0.1, 1);
  REQUIRE(w);
  CHECK(soma_wta_choose(w, (double[]){1, 2, 3, 4}, 4) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_wta_errmsg(w),
               "wta readout: takes 6 counts (2 per action) or 3 (one per action); got 4"));
  CHECK(soma_wta_choose(w, (double[]){1, -2, 3}, 3) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_wta_errmsg(w), "wta readout: counts[1] must be a finite number >= 0 (got -2)"));
  CHECK(soma_wta_choose(w, (double[]){1, NAN, 3}, 3) == SOMA_ERR_PARAM);
  CHECK(soma_wta_choose(w, NULL, 3) == SOMA_ERR_PARAM);
  CHECK(soma_wta_choices(w) == 0);                              /* refused calls draw nothing */
  CHECK(soma_wta_set_exploration(w, 2, -0.1) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_wta_errmsg(w), "epsilon must be >= 0 (got -0.1)"));
  CHECK(soma_wta_temperature(w) == 1 && soma_wta_epsilon(w) == 0.1);   /* unchanged */
  CHECK(soma_wta_choose(w, (double[]){1, 2, 3}, 3) >= 0 && !strcmp(soma_wta_errmsg(w), ""));
  soma_wta_destroy(w);

  soma_popvec_params q = soma_popvec_defaults();
  q.n = 0;
  REFUSED(soma_popvec, soma_popvec_create(&q, err_, sizeof err_),
          "popvec readout: n must be >= 1 (got 0)");
  q = soma_popvec_defaults(), q.gain = -1;
  REFUSED(soma_popvec, soma_popvec_create(&q, err_, sizeof err_),
          "popvec readout: gain must be >= 0 (got -1)");
  q = soma_popvec_defaults(), q.noise = NAN;
  REFUSED(soma_popvec, soma_popvec_create(&q, err_, sizeof err_),
          "popvec readout: noise must be a finite number");
  q = soma_popvec_defaults(), q.n = 2, q.angles = (double[]){0, INFINITY};
  REFUSED(soma_popvec, soma_popvec_create(&q, err_, sizeof err_),
          "popvec readout: angles[1] must be a finite number (got inf)");
  soma_popvec *pv = popvec(2, NULL, 1, 0, 1);
  REQUIRE(pv);
  soma_popvec_result r = {.total = -1};
  CHECK(soma_popvec_read(pv, (double[]){1, 2, 3}, 3, &r) == SOMA_ERR_PARAM && r.total == -1);
  CHECK(strstr(soma_popvec_errmsg(pv), "popvec readout: takes 2 counts (got 3)"));
  CHECK(soma_popvec_read(pv, (double[]){1, INFINITY}, 2, &r) == SOMA_ERR_PARAM && r.total == -1);
  CHECK(strstr(soma_popvec_errmsg(pv), "counts[1] must be a finite number >= 0 (got inf)"));
  CHECK(soma_popvec_set_noise(pv, -1) == SOMA_ERR_PARAM && soma_popvec_noise(pv) == 0);
  soma_popvec_destroy(pv);
}

int main(void) {
  RUN(wta_picks_the_most_spikes);
  RUN(wta_ties_are_uniform);
  RUN(wta_softmax_matches_the_formula);
  RUN(wta_epsilon_explores);
  RUN(wta_is_deterministic);
  RUN(population_vector_recovers_the_direction);
  RUN(population_vector_noise_is_gaussian_and_seeded);
  RUN(spike_counts_drive_a_choice_end_to_end);
  RUN(bad_parameters_and_counts_get_messages);
  return h_done();
}
