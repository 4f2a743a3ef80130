/* test_plasticity.c — learning rules against their definitions: the STDP window measured by
 * a pairing protocol, nearest vs all-to-all pairing, weight dependence and bounds, the triplet
 * rule's frequency dependence (Sjostrom et al. 2001), three-factor learning with a delayed
 * reward against its integral, neuromodulator dynamics, the same weights and spikes for any
 * thread count, and bad input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fixtures.h"

/* N pairs: pre neuron j fires at pre_t[j]; post neuron j is driven to fire by a strong input
 * arriving at drive_t[j] (+ delay 1 ms). The plastic synapse pre j -> post j has weight w0. */
typedef struct pairing {
  soma_net *net;
  soma_pop *pre, *post, *drive;
  soma_proj *syn;
  soma_rec *post_spikes;
} pairing;

/* per_synapse: delays drawn from normal(delay, 0), the same value for all, but stored per
 * synapse, which switches the rule to per-synapse presynaptic traces */
static int per_synapse;

static int pairing_make(pairing *x, int n, int threads, const char *rule, const soma_param *params,
                        double w0, double delay, const char *mod) {
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  memset(x, 0, sizeof *x);
  if (!(x->net = tf_net(c))) return 1;
  x->pre = tf_pop(x->net, "pre", "spike_source", n, NULL);
  x->drive = tf_pop(x->net, "drive", "spike_source", n, NULL);
  /* fast membrane and synapse: a strong input makes it fire once, right away */
  x->post = tf_pop(x->net, "post", "lif", n,
                   (soma_param[]){{"tau_m", 1}, {"t_ref", 2}, {"tau_syn_ex", 0.1}, {NULL, 0}});
  soma_conn k = soma_conn_defaults();
  k.rule = SOMA_CONN_ONE_TO_ONE;
  k.weight = soma_dist_const(1e6);
  k.delay = soma_dist_const(1);
  tf_proj(x->net, "drive", x->drive, x->post, &k);
  k.weight = soma_dist_const(w0);
  k.delay = per_synapse ? soma_dist_normal(delay, 0) : soma_dist_const(delay);
  x->syn = tf_proj(x->net, "syn", x->pre, x->post, &k);
  x->post_spikes = soma_rec_spikes(x->net, x->post, NULL, 0);
  if (!x->syn || !x->post_spikes) return 1;
  if (mod && !soma_mod_create(x->net, mod, 0, 200)) return 1;
  if (soma_proj_plastic(x->syn, rule, params, mod) != SOMA_OK) {
    printf("  plastic: %s\n", soma_net_errmsg(x->net));
    return 1;
  }
  return 0;
}

static double weight(const pairing *x, int j) {
  size_t n = soma_proj_size(x->syn);
  double *w = malloc(sizeof(double) * n);
  int32_t *post = malloc(sizeof(int32_t) * n);
  soma_proj_get(x->syn, NULL, post, w, NULL);
  double v = NAN;
  for (size_t k = 0; k < n; k++)
    if (post[k] == j) v = w[k];
  free(w);
  free(post);
  return v;
}

/* the stamp (ms) of post neuron j's only spike, or NAN */
static double post_time(const pairing *x, int j) {
  double t = NAN;
  int count = 0;
  for (size_t k = 0; k < soma_rec_spike_count(x->post_spikes); k++)
    if (soma_rec_spike_ids(x->post_spikes)[k] == j) {
      t = (double)soma_rec_spike_steps(x->post_spikes)[k] * 0.1;
      count++;
    }
  return count == 1 ? t : NAN;
}

TEST(stdp_window_matches_its_definition) {
  const double A_plus = 0.01, A_minus = 0.012, tau_plus = 16.8, tau_minus = 33.7, w0 = 1;
  const double delay = 1.5;
  int n = 41;
  pairing x;
  REQUIRE(!pairing_make(&x, n, 2, "stdp",
                        (soma_param[]){{"A_plus", A_plus}, {"A_minus", A_minus}, {"tau_plus", tau_plus},
                                       {"tau_minus", tau_minus}, {"w_max", 100}, {NULL, 0}},
                        w0, delay, NULL));
  /* pair j: pre at 200 ms, post driven around 200 + (j - 20) * 5 ms: dt from -100 to +100 */
  for (int j = 0; j < n; j++) {
    int32_t id = j;
    double tp = 200, td = 200 + (j - 20) * 5.0 - 1 + delay;
    soma_pop_add_spikes(x.pre, 1, &id, &tp);
    soma_pop_add_spikes(x.drive, 1, &id, &td);
  }
  REQUIRE(soma_net_run(x.net, 500) == SOMA_OK);
  double worst = 0;
  for (int j = 0; j < n; j++) {
    double t_post = post_time(&x, j), t_arrive = 200 + delay;
    REQUIRE(!isnan(t_post));
    double dt = t_post - t_arrive;
    double want = dt > 1e-9 ? A_plus * exp(-dt / tau_plus) : -A_minus * exp(dt / tau_minus);
    double got = weight(&x, j) - w0;
    double rel = fabs(got - want) / fabs(want);
    if (rel > worst) worst = rel;
    CHECK_MSG(rel < 0.02, "dt = %g ms: dw = %.6g, expected %.6g", dt, got, want);
  }
  printf("  STDP window (%s traces), dt from -100 to +100 ms: worst relative error %.2g\n",
         per_synapse ? "per-synapse" : "per-neuron", worst);
  soma_net_destroy(x.net);
}


/* pre at 100 and 110 ms, post at 120 ms: all-to-all sums both pairs, nearest only the later */
TEST(nearest_and_all_to_all_pairing) {
  for (int nearest = 0; nearest <= 1; nearest++) {
    pairing x;
    REQUIRE(!pairing_make(&x, 1, 1, "stdp",
                          (soma_param[]){{"A_plus", 0.01}, {"A_minus", 0}, {"nearest", nearest},
                                         {"w_max", 10}, {NULL, 0}},
                          1, 1, NULL));
    int32_t id = 0;
    double tp[2] = {100, 110}, td = 120;
    soma_pop_add_spikes(x.pre, 2, (int32_t[]){0, 0}, tp);
    soma_pop_add_spikes(x.drive, 1, &id, &td);
    REQUIRE(soma_net_run(x.net, 200) == SOMA_OK);
    double t_post = post_time(&x, 0);
    double e1 = exp(-(t_post - 111) / 20), e2 = exp(-(t_post - 101) / 20);
    double want = nearest ? 0.01 * e1 : 0.01 * (e1 + e2);
    CHECK_NEAR(weight(&x, 0) - 1, want, 1e-6);
    soma_net_destroy(x.net);
  }
}

/* multiplicative LTP shrinks with the weight: dw = A+ x (w_max - w) / (w_max - w_min) */
TEST(weight_dependence_and_bounds) {
  pairing x;
  REQUIRE(!pairing_make(&x, 2, 1, "stdp",
                        (soma_param[]){{"A_plus", 1}, {"A_minus", 0}, {"mu_plus", 1}, {"w_max", 4},
                                       {NULL, 0}},
                        1, 1, NULL));
  double tp = 100, td = 100.5;
  soma_pop_add_spikes(x.pre, 1, (int32_t[]){0}, &tp);
  soma_pop_add_spikes(x.drive, 1, (int32_t[]){0}, &td);
  REQUIRE(soma_net_run(x.net, 200) == SOMA_OK);
  double t_post = post_time(&x, 0), xv = exp(-(t_post - 101) / 20);
  CHECK_NEAR(weight(&x, 0), 1 + xv * (4 - 1) / 4, 1e-5);
  soma_net_destroy(x.net);
  /* additive with a huge A_plus stops at w_max */
  REQUIRE(!pairing_make(&x, 1, 1, "stdp",
                        (soma_param[]){{"A_plus", 100}, {"w_max", 4}, {NULL, 0}}, 1, 1, NULL));
  soma_pop_add_spikes(x.pre, 1, (int32_t[]){0}, &tp);
  soma_pop_add_spikes(x.drive, 1, (int32_t[]){0}, &td);
  REQUIRE(soma_net_run(x.net, 200) == SOMA_OK);
  CHECK(weight(&x, 0) == 4);
  soma_net_destroy(x.net);
}

/* Sjostrom et al. 2001: 60 pairings at +10 ms and -10 ms; with the triplet rule (visual cortex
 * fit) LTP grows with the pairing frequency, and at 50 Hz both orders potentiate. */
static double pairing_protocol(double freq, double dt) {
  pairing x;
  const soma_param *preset = soma_rule_preset("triplet", "visual_cortex_all_to_all");
  soma_param p[16];
  int n = 0;
  while (preset[n].name) p[n] = preset[n], n++;
  p[n++] = (soma_param){"w_max", 100};
  p[n] = (soma_param){NULL, 0};
  if (pairing_make(&x, 1, 1, "triplet", p, 1, 1, NULL)) return NAN;
  for (int k = 0; k < 60; k++) {
    double t0 = 100 + k * 1000.0 / freq;
    double tp = dt > 0 ? t0 : t0 - dt;         /* arrival = tp + 1 */
    double td = dt > 0 ? t0 + dt : t0;         /* post fires at td + 1 */
    soma_pop_add_spikes(x.pre, 1, (int32_t[]){0}, &tp);
    soma_pop_add_spikes(x.drive, 1, (int32_t[]){0}, &td);
  }
  double dw = NAN;
  if (soma_net_run(x.net, 100 + 60 * 1000.0 / freq + 200) == SOMA_OK) dw = weight(&x, 0) - 1;
  soma_net_destroy(x.net);
  return dw;
}

TEST(triplet_frequency_dependence) {
  const double freqs[] = {0.1, 10, 20, 40, 50};
  double ltp[5], ltd[5];
  for (int i = 0; i < 5; i++) {
    ltp[i] = pairing_protocol(freqs[i], 10);
    ltd[i] = pairing_protocol(freqs[i], -10);
    printf("  %4.1f Hz: +10 ms %+.4f, -10 ms %+.4f\n", freqs[i], ltp[i], ltd[i]);
  }
  /* at 0.1 Hz the visual cortex fit gives depression for -10 ms and (almost) nothing for +10 ms */
  CHECK(ltd[0] < 0 && fabs(ltp[0]) < 1e-3);
  for (int i = 1; i < 5; i++) CHECK_MSG(ltp[i] > ltp[i - 1], "LTP at %g Hz not above %g Hz", freqs[i], freqs[i - 1]);
  CHECK(ltd[4] > 0);   /* at 50 Hz, post-before-pre pairs potentiate too */
}

/* Three-factor: a pair builds eligibility A+ exp(-dt/tau+); dopamine D added at T decays with
 * tau_d; the weight then grows by lr * sum over ticks of every * m * e, close to
 * lr * D * e(T) * tau_d tau_e / (tau_d + tau_e). */
TEST(dopamine_turns_eligibility_into_weight) {
  const double tau_e = 1000, tau_d = 200, lr = 0.1, D = 0.5, T = 1100;
  pairing x;
  REQUIRE(!pairing_make(&x, 1, 1, "stdp_dopamine",
                        (soma_param[]){{"tau_e", tau_e}, {"lr", lr}, {"every", 1}, {"w_max", 100},
                                       {NULL, 0}},
                        1, 1, "dopamine"));
  soma_mod *da = soma_net_find_mod(x.net, "dopamine");
  double tp = 99, td = 104;
  soma_pop_add_spikes(x.pre, 1, (int32_t[]){0}, &tp);
  soma_pop_add_spikes(x.drive, 1, (int32_t[]){0}, &td);
  REQUIRE(soma_net_run(x.net, 1000) == SOMA_OK);
  CHECK(weight(&x, 0) == 1);   /* no dopamine yet: no change */
  REQUIRE(soma_mod_schedule(da, 1, &T, &D) == SOMA_OK);
  REQUIRE(soma_net_run(x.net, 5000) == SOMA_OK);
  double t_post = post_time(&x, 0), e_pair = 0.1 * exp(-(t_post - 100) / 20);
  double e_T = e_pair * exp(-(T - t_post) / tau_e);
  double want = lr * D * e_T * tau_d * tau_e / (tau_d + tau_e);
  double got = weight(&x, 0) - 1;
  CHECK_MSG(fabs(got - want) < 0.02 * want, "dw %.6g, expected %.6g", got, want);
  CHECK_NEAR(soma_mod_value(da), D * exp(-(6000 - T) / tau_d), 1e-9);
  soma_net_destroy(x.net);
}

TEST(modulator_dynamics) {
  soma_net *net = tf_net(soma_net_defaults());
  soma_pop_create(net, "a", "lif", 1, NULL);
  soma_mod *m = soma_mod_create(net, "ach", 0.25, 100);
  REQUIRE(m);
  CHECK_NEAR(soma_mod_value(m), 0.25, 1e-12);
  soma_mod_add(m, 1);
  CHECK_NEAR(soma_mod_value(m), 1.25, 1e-12);
  double times[2] = {150, 50}, amounts[2] = {2, 0.5};
  REQUIRE(soma_mod_schedule(m, 2, times, amounts) == SOMA_OK);
  soma_net_run(net, 200);
  double want = 0.25 + exp(-2) + 0.5 * exp(-1.5) + 2 * exp(-0.5);
  CHECK_NEAR(soma_mod_value(m), want, 1e-9);
  CHECK(soma_mod_schedule(m, 1, (double[]){100}, (double[]){1}) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_net_errmsg(net), "not in the past"));
  CHECK(!soma_mod_create(net, "ach", 0, 10));
  CHECK(!soma_mod_create(net, "x", 0, -1));
  soma_net_destroy(net);
}

/* a recurrent network with STDP on E->E and dopamine STDP on a second projection */
static uint64_t plastic_network(int threads, int parallel, double *w_sum) {
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  c.parallel = parallel;
  soma_net *net = tf_net(c);
  soma_pop *e = tf_pop(net, "E", "lif", 400, (soma_param[]){{"I_e", 360}, {NULL, 0}});
  soma_dist v = soma_dist_uniform(-70, -55);
  soma_pop_set_var_dist(e, "V_m", &v);
  soma_pop_poisson_input(e, "ex", 2000, 30);
  soma_conn k = soma_conn_rule_bernoulli(0.1);
  k.weight = soma_dist_uniform(10, 40);
  k.delay = soma_dist_uniform(0.5, 3);
  soma_proj *ee = tf_proj(net, "E->E", e, e, &k);
  soma_proj *ee2 = tf_proj(net, "E->E2", e, e, &k);
  soma_mod_create(net, "dopamine", 0.01, 200);
  int ok = soma_proj_plastic(ee, "stdp", (soma_param[]){{"A_plus", 1}, {"A_minus", 1.1}, {"w_max", 60}, {NULL, 0}}, NULL) == SOMA_OK &&
           soma_proj_plastic(ee2, "stdp_dopamine", (soma_param[]){{"A_plus", 1}, {"w_max", 60}, {NULL, 0}}, "dopamine") == SOMA_OK;
  CHECK(ok);
  soma_rec *r = soma_rec_spikes(net, e, NULL, 0);
  soma_net_run(net, 150);
  soma_mod_add(soma_net_find_mod(net, "dopamine"), 1);
  soma_net_run(net, 150);
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < soma_rec_spike_count(r); i++)
    h = (h ^ (uint64_t)(soma_rec_spike_steps(r)[i] * 7919 + soma_rec_spike_ids(r)[i])) * 1099511628211ull;
  *w_sum = 0;
  for (int p = 0; p < 2; p++) {
    soma_proj *pr = p ? ee2 : ee;
    size_t n = soma_proj_size(pr);
    double *w = malloc(sizeof(double) * n);
    soma_proj_get(pr, NULL, NULL, w, NULL);
    for (size_t i = 0; i < n; i++) {
      *w_sum += w[i] * (double)(i % 13 + 1);
      h = (h ^ (uint64_t)(w[i] * 1e6)) * 1099511628211ull;
    }
    free(w);
  }
  if (soma_rec_spike_count(r) < 1000) printf("  only %zu spikes\n", soma_rec_spike_count(r));
  soma_net_destroy(net);
  return h;
}

TEST(same_weights_and_spikes_for_any_thread_count) {
  double s1, s;
  uint64_t h1 = plastic_network(1, -1, &s1);
  const int cases[][2] = {{2, 0}, {2, 1}, {3, 1}, {3, -1}};
  for (int i = 0; i < 4; i++) {
    uint64_t h = plastic_network(cases[i][0], cases[i][1], &s);
    CHECK_MSG(h == h1 && s == s1, "threads %d, parallel %d: weights %.9g vs %.9g", cases[i][0],
              cases[i][1], s, s1);
  }
}

/* The delta rule drives a prediction population's rates to its targets: set by the script
 * (two groups, 10 and 25 Hz) or read from a teacher population (Poisson, 15 Hz). */
static void predict(int threads, int from_pop, double *rates, int n) {
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  soma_net *net = tf_net(c);
  soma_pop *in = tf_pop(net, "in", "poisson", 100, (soma_param[]){{"rate", 20}, {NULL, 0}});
  soma_pop *pred = tf_pop(net, "pred", "lif", n, NULL);
  soma_pop *teacher = tf_pop(net, "teacher", "poisson", n, (soma_param[]){{"rate", 15}, {NULL, 0}});
  soma_conn k = soma_conn_defaults();
  k.weight = soma_dist_uniform(0, 10);
  soma_proj *pr = tf_proj(net, "in->pred", in, pred, &k);
  CHECK(soma_proj_plastic(pr, "pred_error", (soma_param[]){{"lr", 2e-3}, {"w_max", 500}, {NULL, 0}}, NULL) == SOMA_OK);
  CHECK(soma_net_run(net, 10) == SOMA_ERR_PARAM);   /* no target yet */
  CHECK(strstr(soma_net_errmsg(net), "learns towards a target"));
  if (from_pop) {
    CHECK(soma_proj_set_target_pop(pr, teacher) == SOMA_OK);
  } else {
    double *hz = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) hz[i] = i < n / 2 ? 10 : 25;
    CHECK(soma_proj_set_target(pr, hz, n) == SOMA_OK);
    free(hz);
  }
  soma_net_run(net, 20000);
  soma_rec *r = soma_rec_spikes(net, pred, NULL, 0);
  soma_net_run(net, 10000);
  for (int i = 0; i < n; i++) rates[i] = 0;
  for (size_t s = 0; s < soma_rec_spike_count(r); s++) rates[soma_rec_spike_ids(r)[s]] += 0.1;
  soma_net_destroy(net);
}

TEST(prediction_error_rule_learns_targets) {
  double rates[8], rates2[8];
  predict(1, 0, rates, 8);
  for (int i = 0; i < 8; i++) {
    double want = i < 4 ? 10 : 25;
    CHECK_MSG(fabs(rates[i] - want) < 0.15 * want, "neuron %d: %.2f Hz, target %g", i, rates[i], want);
  }
  printf("  script targets 10 / 25 Hz: %.1f %.1f ... %.1f %.1f Hz\n", rates[0], rates[1], rates[6], rates[7]);
  predict(2, 0, rates2, 8);
  for (int i = 0; i < 8; i++) CHECK(rates2[i] == rates[i]);   /* any thread count */
  predict(1, 1, rates, 8);
  for (int i = 0; i < 8; i++)
    CHECK_MSG(fabs(rates[i] - 15) < 0.2 * 15, "neuron %d: %.2f Hz, teacher 15 Hz", i, rates[i]);
  printf("  teacher population at 15 Hz: %.1f %.1f ... %.1f Hz\n", rates[0], rates[1], rates[7]);
}

/* The RPE source: a critic whose rate steps from 10 to 30 Hz gives delta = -V/tau_r before,
 * a positive burst (dV/dt) at the step, and -V/tau_r at the new level; the same numbers for
 * any thread count. */
static void rpe_trace(int threads, double *out, int n_out) {
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  soma_net *net = tf_net(c);
  soma_pop *critic = tf_pop(net, "critic", "poisson", 2000, (soma_param[]){{"rate", 10}, {NULL, 0}});
  soma_mod *da = soma_mod_create(net, "dopamine", 0, 100);
  soma_rpe *r = soma_rpe_create(net, critic, da, 0.1, 0, 1000, 50, 20);
  if (!r) {
    printf("  rpe: %s\n", soma_net_errmsg(net));
    soma_net_destroy(net);
    return;
  }
  double t = 1000, v = 30;
  soma_pop_schedule(critic, "rate", 1, &t, &v);
  for (int k = 0; k < n_out; k++) {
    soma_net_run(net, 10);
    out[k] = soma_mod_value(da);
  }
  soma_net_destroy(net);
}

TEST(reward_prediction_error_from_a_critic) {
  enum { N = 200 };   /* 2 s in 10 ms steps */
  double d[N], d2[N];
  rpe_trace(1, d, N);
  double before = 0, after = 0, peak = -1e9;   /* means over the last 400 ms of each level */
  for (int k = 60; k < 100; k++) before += d[k] / 40;
  for (int k = 160; k < 200; k++) after += d[k] / 40;
  for (int k = 100; k < 115; k++) peak = d[k] > peak ? d[k] : peak;
  printf("  delta: %.2f /s at 10 Hz, peak %.1f /s after the step, %.2f /s at 30 Hz\n", before, peak, after);
  CHECK_NEAR(before, -1, 0.4);   /* V = 0.1 * 10 Hz = 1, tau_r = 1 s */
  CHECK_NEAR(after, -3, 0.5);
  CHECK(peak > 10);              /* dV/dt: +2 over ~50 ms */
  rpe_trace(2, d2, N);
  for (int k = 0; k < N; k++) CHECK(d2[k] == d[k]);
}

TEST(bad_plasticity_input) {
  pairing x;
  REQUIRE(!pairing_make(&x, 2, 1, "stdp", NULL, 1, 1, NULL));
  struct {
    const char *rule;
    soma_param params[3];
    const char *mod, *want;
  } cases[] = {
      {"stpd", {{NULL, 0}}, NULL, "unknown learning rule 'stpd' (did you mean 'stdp'?)"},
      {"stdp", {{"tau_plu", 1}, {NULL, 0}}, NULL, "has no parameter 'tau_plu' (did you mean 'tau_plus'?)"},
      {"stdp", {{"tau_plus", -1}, {NULL, 0}}, NULL, "tau_plus must be > 0 ms"},
      {"stdp", {{"mu_plus", 1}, {NULL, 0}}, NULL, "needs a finite w_max"},
      {"stdp", {{"w_max", 0.5}, {NULL, 0}}, NULL, "2 synapses have weights outside [0, 0.5]"},
      {"stdp", {{"w_min", -1}, {"w_max", 2}, {NULL, 0}}, NULL, "w_min must be >= 0"},
      {"stdp_dopamine", {{NULL, 0}}, NULL, "reads a neuromodulator"},
      {"stdp_dopamine", {{NULL, 0}}, "dopa", "no modulator of that name"},
      {"stdp", {{NULL, 0}}, "dopamine", "reads no neuromodulator"},
      {"stdp_dopamine", {{"mu_plus", 1}, {"w_max", 4}, {NULL, 0}}, "dopamine", "apply to rule 'stdp'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    CHECK(soma_proj_plastic(x.syn, cases[i].rule, cases[i].params, cases[i].mod) == SOMA_ERR_PARAM);
    CHECK_MSG(strstr(soma_net_errmsg(x.net), cases[i].want), "%s: got '%s'", cases[i].want,
              soma_net_errmsg(x.net));
  }
  double w = 5;
  CHECK(soma_proj_set_weights(x.syn, &w, 1) == SOMA_OK);   /* inside [0, inf) */
  CHECK(!strcmp(soma_proj_rule(x.syn), "stdp"));
  soma_net_destroy(x.net);
}

/* the same rules with each synapse keeping its own presynaptic traces */
TEST(per_synapse_traces_give_the_same_learning) {
  per_synapse = 1;
  stdp_window_matches_its_definition();
  nearest_and_all_to_all_pairing();
  triplet_frequency_dependence();
  dopamine_turns_eligibility_into_weight();
  per_synapse = 0;
}

int main(void) {
  RUN(stdp_window_matches_its_definition);
  RUN(nearest_and_all_to_all_pairing);
  RUN(weight_dependence_and_bounds);
  RUN(triplet_frequency_dependence);
  RUN(dopamine_turns_eligibility_into_weight);
  RUN(modulator_dynamics);
  RUN(per_synapse_traces_give_the_same_learning);
  RUN(prediction_error_rule_learns_targets);
  RUN(reward_prediction_error_from_a_critic);
  RUN(same_weights_and_spikes_for_any_thread_count);
  RUN(bad_plasticity_input);
  return h_done();
}
