/* test_inputs.c — what drives a network: Poisson populations (rates from parameters and per
 * neuron, exponential-like ISIs, time-varying rates through schedules), Poisson drive into a
 * port (per-step counts with the mean and variance of Poisson(rate dt), independent across
 * neurons and steps), DC and stepped currents that act exactly at their step, and spike
 * sources fed in several calls, between runs and from the progress callback. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "sim/soma.h"

static soma_net *make_net(double dt, int threads, double chunk, uint32_t seed) {
  soma_net_config c = soma_net_defaults();
  c.dt = dt;
  c.threads = threads;
  c.chunk = chunk;
  c.seed = seed;
  return tf_net(c);
}

/* |got - expect| within z standard errors */
#define CHECK_Z(got, expect, se, z)                                                              \
  CHECK_MSG(fabs((got) - (expect)) <= (z) * (se), "%s = %.6g, expected %.6g +- %.3g (%g sigma)", \
            #got, (double)(got), (double)(expect), (double)(z) * (se), (double)(z))

/* ---- Poisson populations ------------------------------------------------------------- */

/* Each neuron fires in a step with probability rate * dt: counts match rate * T within
 * statistical error for rates from 2 Hz to 1 kHz, with rates from parameters and per neuron. */
TEST(poisson_population_rates) {
  const double T = 2000, dt = 0.1;
  soma_net *net = make_net(dt, 1, 500, 11);
  REQUIRE(net);
  const double rates[] = {2, 10, 50, 1000};
  soma_pop *p[4];
  for (int k = 0; k < 4; k++) {
    char name[16];
    snprintf(name, sizeof name, "r%d", k);
    p[k] = soma_pop_create(net, name, "poisson", 150, (soma_param[]){{"rate", rates[k]}, {NULL, 0}});
    REQUIRE(p[k]);
  }
  /* per-neuron rates: neuron i at 5 * 4^(i % 4) Hz */
  enum { NM = 200 };
  soma_pop *mixed = soma_pop_create(net, "mixed", "poisson", NM, NULL);
  REQUIRE(mixed);
  double r[NM];
  for (int i = 0; i < NM; i++) r[i] = 5 * pow(4, i % 4);
  CHECK(soma_pop_set_var(mixed, "rate", r, NM) == SOMA_OK);
  soma_pop *silent = soma_pop_create(net, "silent", "poisson", 20, NULL);   /* rate 0 by default */
  soma_pop *sat = soma_pop_create(net, "saturated", "poisson", 20, (soma_param[]){{"rate", 1e4}, {NULL, 0}});
  REQUIRE(silent && sat);
  soma_rec *rm = soma_rec_spikes(net, mixed, NULL, 0);
  REQUIRE(rm);
  CHECK(soma_net_run(net, T) == SOMA_OK);
  for (int k = 0; k < 4; k++) {
    double pstep = rates[k] * dt * 1e-3, steps = 150 * T / dt;
    double expect = steps * pstep, se = sqrt(steps * pstep * (1 - pstep));
    CHECK_Z((double)soma_pop_spike_count(p[k]), expect, se, 5);
  }
  double count[4] = {0};
  for (size_t s = 0; s < soma_rec_spike_count(rm); s++) count[soma_rec_spike_ids(rm)[s] % 4]++;
  for (int g = 0; g < 4; g++) {
    double pstep = r[g] * dt * 1e-3, steps = NM / 4 * T / dt;
    CHECK_Z(count[g], steps * pstep, sqrt(steps * pstep * (1 - pstep)), 5);
  }
  CHECK(soma_pop_spike_count(silent) == 0);
  CHECK(soma_pop_spike_count(sat) == (uint64_t)(20 * T / dt));   /* rate >= 1/dt: every step */
  soma_net_destroy(net);
}

/* ISIs of a Poisson neuron are geometric on the dt grid: mean 1/rate, CV sqrt(1 - p) ~ 1, and
 * P(ISI > mean) ~ 1/e; no two spikes of a neuron in one step. */
TEST(poisson_isi_is_exponential) {
  enum { N = 200 };
  const double rate = 40, dt = 0.1, T = 2500;
  soma_net *net = make_net(dt, 2, 500, 5);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "p", "poisson", N, (soma_param[]){{"rate", rate}, {NULL, 0}});
  REQUIRE(p);
  soma_rec *rec = soma_rec_spikes(net, p, NULL, 0);
  REQUIRE(rec);
  CHECK(soma_net_run(net, T) == SOMA_OK);
  size_t n = soma_rec_spike_count(rec);
  const int64_t *st = soma_rec_spike_steps(rec);
  const int32_t *id = soma_rec_spike_ids(rec);
  int64_t *last = malloc(sizeof(int64_t) * N);
  for (int i = 0; i < N; i++) last[i] = -1;
  double sum = 0, sum2 = 0;
  size_t k = 0, zero = 0;
  double *isi = malloc(sizeof(double) * n);
  for (size_t s = 0; s < n; s++) {
    int i = id[s];
    if (last[i] >= 0) {
      double d = (double)(st[s] - last[i]) * dt;
      zero += d <= 0;
      isi[k++] = d;
      sum += d;
      sum2 += d * d;
    }
    last[i] = st[s];
  }
  double mean = sum / k, sd = sqrt(sum2 / k - mean * mean), cv = sd / mean;
  size_t above = 0;
  for (size_t j = 0; j < k; j++) above += isi[j] > mean;
  double frac = (double)above / k;
  printf("  %zu ISIs: mean %.3f ms (1/rate = %.3f), CV %.4f, P(ISI > mean) %.4f (1/e = %.4f)\n", k, mean,
         1000 / rate, cv, frac, exp(-1));
  CHECK(zero == 0);
  CHECK(k > 15000);
  CHECK_Z(mean, 1000 / rate, 1000 / rate / sqrt((double)k), 5);
  CHECK_NEAR(cv, sqrt(1 - rate * dt * 1e-3), 0.03);
  CHECK_NEAR(frac, exp(-1), 5 * sqrt(0.233 / k));
  free(isi);
  free(last);
  soma_net_destroy(net);
}

/* A rate schedule acts from the step round(t / dt): 0 Hz, then 200 Hz from 100 ms, 20 Hz from
 * 200 ms, 0 Hz from 300 ms. The first possible spike is stamped 100.1 ms, the last 300.0 ms. */
TEST(poisson_rate_schedule) {
  enum { N = 500 };
  const double dt = 0.1;
  soma_net *net = make_net(dt, 2, 70, 3);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "p", "poisson", N, NULL);
  REQUIRE(p);
  double r[N];
  for (int i = 0; i < N; i++) r[i] = 3000 * (i % 2);   /* overridden at 100 ms... but active before */
  CHECK(soma_pop_set_var(p, "rate", r, N) == SOMA_OK);
  double t[] = {50, 100, 200, 300}, v[] = {0, 200, 20, 0};
  CHECK(soma_pop_schedule(p, "rate", 4, t, v) == SOMA_OK);
  soma_rec *rec = soma_rec_spikes(net, p, NULL, 0);
  soma_rec *rr = soma_rec_state(net, p, "rate", (int32_t[]){0, 1}, 2, 0.1);
  REQUIRE(rec && rr);
  CHECK(soma_net_run(net, 400) == SOMA_OK);
  size_t n = soma_rec_spike_count(rec);
  const int64_t *st = soma_rec_spike_steps(rec);
  const int32_t *id = soma_rec_spike_ids(rec);
  size_t before = 0, odd_before = 0, gap = 0, w1 = 0, w2 = 0, after = 0;
  int64_t first = -1, last = -1;
  for (size_t s = 0; s < n; s++) {
    if (st[s] <= 500) {
      before++;
      odd_before += id[s] % 2;
    } else if (st[s] <= 1000) {
      gap++;   /* nothing may fire between 50 and 100 ms */
    } else if (st[s] <= 2000) {
      w1++;
      if (first < 0) first = st[s];
    } else if (st[s] <= 3000) {
      w2++;
      last = st[s];
    } else {
      after++;
    }
  }
  /* 3 kHz on the odd neurons for the first 50 ms: p = 0.3 per step */
  CHECK(before == odd_before);
  CHECK_Z((double)before, 250 * 500 * 0.3, sqrt(250 * 500 * 0.3 * 0.7), 5);
  CHECK(gap == 0 && after == 0);
  CHECK_Z((double)w1, N * 1000 * 0.02, sqrt(N * 1000 * 0.02), 5);
  CHECK_Z((double)w2, N * 1000 * 0.002, sqrt(N * 1000 * 0.002), 5);
  CHECK(first >= 1001 && first < 1010);   /* at 200 Hz x 500 neurons, ~2 spikes per step */
  CHECK(last > 2900 && last <= 3000);
  /* the rate itself, sampled after each step: 3000 at 5.0 ms on neuron 1, 0 at 5.01 ... */
  const float *R = soma_rec_data(rr);
  CHECK(R[2 * 498 + 1] == 3000.0f && R[2 * 499 + 1] == 3000.0f && R[2 * 500 + 1] == 0.0f);
  CHECK(R[2 * 999] == 0.0f && R[2 * 1000] == 200.0f && R[2 * 1999] == 200.0f && R[2 * 2000] == 20.0f);
  CHECK(R[2 * 2999] == 20.0f && R[2 * 3000] == 0.0f);
  soma_net_destroy(net);
}

/* ---- Poisson drive into a port ------------------------------------------------------- */

/* With tau_syn_ex huge the synaptic current never decays (its factor is 1.0f), so I_syn_ex
 * after step k is the running sum of the drive: the differences of consecutive samples are
 * the per-step input counts times the weight, exactly (integers well below 2^24). */
typedef struct counts {
  int n, steps;
  float *I;         /* steps x n samples */
} counts;

static int drive_counts(counts *c, int n, int steps, int threads, double r1, double w1, double r2,
                        double w2, uint32_t seed) {
  soma_net *net = make_net(0.1, threads, 50, seed);
  if (!net) return 0;
  soma_pop *p = soma_pop_create(net, "target", "lif", n,
                                (soma_param[]){{"tau_syn_ex", 1e9}, {"V_th", 1e9}, {NULL, 0}});
  int ok = p && soma_pop_poisson_input(p, "ex", r1, w1) == SOMA_OK;
  if (ok && r2 > 0) ok = soma_pop_poisson_input(p, "ex", r2, w2) == SOMA_OK;
  soma_rec *rec = ok ? soma_rec_state(net, p, "I_syn_ex", NULL, 0, 0.1) : NULL;
  ok = rec && soma_net_run(net, steps * 0.1) == SOMA_OK && soma_rec_samples(rec) == (size_t)steps;
  if (!ok) printf("  drive: %s\n", soma_net_errmsg(net));
  if (ok) {
    c->n = n;
    c->steps = steps;
    c->I = malloc(sizeof(float) * (size_t)n * (size_t)steps);
    memcpy(c->I, soma_rec_data(rec), sizeof(float) * (size_t)n * (size_t)steps);
  }
  soma_net_destroy(net);
  return ok;
}

static double count_at(const counts *c, int k, int i, double w) {
  double prev = k ? c->I[(size_t)(k - 1) * c->n + i] : 0;
  return (c->I[(size_t)k * c->n + i] - prev) / w;
}

static void check_poisson_counts(double rate, double weight) {
  enum { N = 64, STEPS = 8000 };
  counts c;
  REQUIRE(drive_counts(&c, N, STEPS, 1, rate, weight, 0, 0, 21));
  const double lam = rate * 0.1e-3, M = (double)N * STEPS;
  double s = 0, s2 = 0, zeros = 0, lag = 0, nb = 0;
  int not_integer = 0;
  for (int k = 0; k < STEPS; k++)
    for (int i = 0; i < N; i++) {
      double x = count_at(&c, k, i, weight);
      not_integer += x != floor(x) || x < 0;
      s += x;
      s2 += x * x;
      zeros += x == 0;
      if (k) lag += (x - lam) * (count_at(&c, k - 1, i, weight) - lam);
      if (i % 2 == 0) nb += (x - lam) * (count_at(&c, k, i + 1, weight) - lam);
    }
  double mean = s / M, var = s2 / M - mean * mean;
  double r_lag = lag / (M - N) / lam, r_nb = nb / (M / 2) / lam;   /* correlations */
  printf("  rate %g Hz (lambda %g): mean %.5f, variance %.5f, P(0) %.5f (e^-lambda %.5f), "
         "r(step) %.4f, r(neighbour) %.4f\n",
         rate, lam, mean, var, zeros / M, exp(-lam), r_lag, r_nb);
  CHECK(not_integer == 0);
  CHECK_Z(mean, lam, sqrt(lam / M), 5);
  CHECK_Z(var, lam, sqrt((lam + 2 * lam * lam) / M), 5);
  CHECK_Z(zeros / M, exp(-lam), sqrt(exp(-lam) * (1 - exp(-lam)) / M), 5);
  CHECK_NEAR(r_lag, 0, 5 / sqrt(M));
  CHECK_NEAR(r_nb, 0, 5 / sqrt(M / 2));
  free(c.I);
}

TEST(poisson_input_counts_small_lambda) { check_poisson_counts(5000, 1.0); }    /* lambda 0.5 */
TEST(poisson_input_counts_medium_lambda) { check_poisson_counts(80000, 2.5); }  /* lambda 8 */
TEST(poisson_input_counts_large_lambda) { check_poisson_counts(300000, 1.0); }  /* lambda 30 */

/* Two drives on one port add up (Poisson(l1) + Poisson(l2) = Poisson(l1 + l2) in distribution
 * when both weights are equal); the draws do not depend on the number of threads. */
TEST(poisson_inputs_add_and_ignore_threads) {
  enum { N = 40, STEPS = 4000 };
  counts a, b;
  REQUIRE(drive_counts(&a, N, STEPS, 1, 3000, 1.0, 7000, 1.0, 9));
  REQUIRE(drive_counts(&b, N, STEPS, 2, 3000, 1.0, 7000, 1.0, 9));
  CHECK(memcmp(a.I, b.I, sizeof(float) * N * STEPS) == 0);
  double lam = 1.0, M = (double)N * STEPS, s = 0, s2 = 0;
  for (int k = 0; k < STEPS; k++)
    for (int i = 0; i < N; i++) {
      double x = count_at(&a, k, i, 1.0);
      s += x;
      s2 += x * x;
    }
  double mean = s / M, var = s2 / M - mean * mean;
  CHECK_Z(mean, lam, sqrt(lam / M), 5);
  CHECK_Z(var, lam, sqrt((lam + 2 * lam * lam) / M), 5);
  /* another seed gives other draws */
  counts c;
  REQUIRE(drive_counts(&c, N, STEPS, 1, 3000, 1.0, 7000, 1.0, 10));
  CHECK(memcmp(a.I, c.I, sizeof(float) * N * STEPS) != 0);
  free(a.I);
  free(b.I);
  free(c.I);
}

/* Inhibitory drive lands on I_syn_in with its negative weight; a lif driven by excitatory
 * Poisson input sits at the mean-field potential E_L + rate * w * tau_syn * tau_m / C on
 * average. Sampled after each step's decay, the mean current is p11 rate w dt / (1 - p11). */
TEST(poisson_input_mean_effect) {
  soma_net *net = make_net(0.1, 1, 100, 4);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "p", "lif", 100, (soma_param[]){{"V_th", 1e9}, {NULL, 0}});
  soma_pop *q = soma_pop_create(net, "q", "lif", 100, (soma_param[]){{"V_th", 1e9}, {NULL, 0}});
  REQUIRE(p && q);
  CHECK(soma_pop_poisson_input(p, "ex", 2000, 10) == SOMA_OK);
  CHECK(soma_pop_poisson_input(q, "in", 2000, -10) == SOMA_OK);
  soma_rec *rv = soma_rec_state(net, p, "V_m", NULL, 0, 1.0);
  soma_rec *ri = soma_rec_state(net, q, "I_syn_in", NULL, 0, 1.0);
  soma_rec *re = soma_rec_state(net, q, "I_syn_ex", NULL, 0, 1.0);
  REQUIRE(rv && ri && re);
  CHECK(soma_net_run(net, 400) == SOMA_OK);
  double mv = 0, mi = 0, me = 0;
  int m = 0;
  for (int k = 100; k < 400; k++, m++)   /* from 100 ms: settled */
    for (int i = 0; i < 100; i++) {
      mv += soma_rec_data(rv)[k * 100 + i] / 100;
      mi += soma_rec_data(ri)[k * 100 + i] / 100;
      me += fabs(soma_rec_data(re)[k * 100 + i]);
    }
  mv /= m, mi /= m;
  double p11 = exp(-0.1 / 2);
  printf("  mean V_m %.4f mV (mean field -68.4), mean I_syn_in %.3f pA (expected %.3f)\n", mv, mi,
         -p11 * 2000 * 10 * 1e-4 / (1 - p11));
  CHECK_NEAR(mv, -68.4, 0.05);
  CHECK_NEAR(mi, -p11 * 2000 * 10 * 1e-4 / (1 - p11), 1.0);
  CHECK(me == 0);
  soma_net_destroy(net);
}

/* ---- currents ------------------------------------------------------------------------ */

static double v_free(double t, double I) { return -70 + I * 10 / 250 * (1 - exp(-t / 10)); }

/* DC from a parameter, and steps through soma_pop_schedule("I_e"): V_m leaves E_L in exactly
 * the step the current is switched on and relaxes from exactly the step it is switched off. */
TEST(step_current_acts_at_its_step) {
  soma_net *net = make_net(0.1, 1, 3, 1);
  REQUIRE(net);
  soma_pop *dc = soma_pop_create(net, "dc", "lif", 1, (soma_param[]){{"I_e", 200}, {NULL, 0}});
  soma_pop *st = soma_pop_create(net, "step", "lif", 3, NULL);
  REQUIRE(dc && st);
  double t[] = {5.0, 20.0}, v[] = {300, 0};
  CHECK(soma_pop_schedule(st, "I_e", 2, t, v) == SOMA_OK);
  soma_rec *rd = soma_rec_state(net, dc, "V_m", NULL, 0, 0.1);
  soma_rec *rs = soma_rec_state(net, st, "V_m", NULL, 0, 0.1);
  REQUIRE(rd && rs);
  CHECK(soma_net_run(net, 40) == SOMA_OK);
  const float *D = soma_rec_data(rd), *S = soma_rec_data(rs);
  double worst = 0;
  for (int k = 0; k < 400; k++) worst = fmax(worst, fabs(D[k] - v_free((k + 1) * 0.1, 200)));
  CHECK_MSG(worst < 1e-4, "DC: worst deviation %.3g mV", worst);
  int untouched = 0;
  for (int k = 0; k < 50; k++) untouched += S[3 * k] == -70.0f && S[3 * k + 2] == -70.0f;
  CHECK(untouched == 50);                               /* through 5.0 ms */
  CHECK(S[3 * 50] > -70.0f);                            /* 5.1 ms */
  CHECK_NEAR(S[3 * 50], v_free(0.1, 300), 1e-5);
  CHECK_NEAR(S[3 * 199], v_free(15.0, 300), 1e-4);      /* 20.0 ms: still driven */
  double v20 = v_free(15.0, 300) + 70;
  for (int k = 200; k < 400; k++)                       /* from 20.1 ms: free decay */
    CHECK_NEAR(S[3 * k + 1], -70 + v20 * exp(-((k + 1) * 0.1 - 20) / 10), 1e-4);
  soma_net_destroy(net);
}

/* Off-grid schedule times round to the nearest step; a schedule added between runs for the
 * current time acts in the next step; two schedules of one variable both act. */
TEST(schedule_rounding_and_between_runs) {
  soma_net *net = make_net(0.1, 1, 100, 1);
  REQUIRE(net);
  soma_pop *a = soma_pop_create(net, "a", "lif", 1, NULL);
  soma_pop *b = soma_pop_create(net, "b", "lif", 1, NULL);
  REQUIRE(a && b);
  CHECK(soma_pop_schedule(a, "I_e", 1, (double[]){2.04}, (double[]){100}) == SOMA_OK);   /* step 20 */
  CHECK(soma_pop_schedule(b, "I_e", 1, (double[]){2.06}, (double[]){100}) == SOMA_OK);   /* step 21 */
  soma_rec *ra = soma_rec_state(net, a, "I_e", NULL, 0, 0.1), *rb = soma_rec_state(net, b, "I_e", NULL, 0, 0.1);
  REQUIRE(ra && rb);
  CHECK(soma_net_run(net, 10) == SOMA_OK);
  CHECK(soma_pop_schedule(a, "I_e", 1, (double[]){10.0}, (double[]){-50}) == SOMA_OK);
  CHECK(soma_pop_schedule(a, "I_e", 2, (double[]){12.0, 14.0}, (double[]){7, 8}) == SOMA_OK);
  CHECK(soma_net_run(net, 5) == SOMA_OK);
  const float *A = soma_rec_data(ra), *B = soma_rec_data(rb);
  CHECK(A[19] == 0 && A[20] == 100);    /* sample k: after step k */
  CHECK(B[20] == 0 && B[21] == 100);
  CHECK(A[99] == 100 && A[100] == -50 && A[119] == -50 && A[120] == 7 && A[139] == 7 && A[140] == 8);
  CHECK(A[149] == 8);
  soma_net_destroy(net);
}

/* A step current makes a lif fire after the closed-form latency from the step on:
 * t_free = tau ln(V_inf - V_reset) / (V_inf - V_th), seen at the end of its step. */
TEST(step_current_first_spike_latency) {
  soma_net *net = make_net(0.1, 1, 100, 1);
  REQUIRE(net);
  const double I[] = {420, 700, 1000};
  soma_pop *p = soma_pop_create(net, "p", "lif", 3, NULL);
  REQUIRE(p);
  soma_rec *rec = soma_rec_spikes(net, p, NULL, 0);
  REQUIRE(rec);
  CHECK(soma_net_run(net, 3) == SOMA_OK);
  /* the step: per-neuron currents switched on between runs, at 3 ms */
  CHECK(soma_pop_set_var(p, "I_e", I, 3) == SOMA_OK);
  CHECK(soma_net_run(net, 30) == SOMA_OK);
  for (int i = 0; i < 3; i++) {
    double v_inf = -70 + I[i] * 10 / 250;
    double t_free = 10 * log((v_inf + 70) / (v_inf + 55));
    int64_t expect = 30 + (int64_t)ceil(t_free / 0.1 - 1e-6);   /* stamp of the first spike */
    int64_t got = -1;
    for (size_t s = 0; s < soma_rec_spike_count(rec); s++)
      if (soma_rec_spike_ids(rec)[s] == i) {
        got = soma_rec_spike_steps(rec)[s];
        break;
      }
    CHECK_MSG(got == expect, "I = %g pA: first spike stamped %lld, expected %lld", I[i], (long long)got,
              (long long)expect);
  }
  soma_net_destroy(net);
}

/* ---- spike sources ------------------------------------------------------------------- */

/* Spikes added in several calls, out of order, on a dt of 0.25 ms, between runs and from the
 * progress callback: each is emitted once, stamped t / dt, in (step, id) order. */
typedef struct feeder {
  soma_pop *src;
  int calls;
} feeder;

static int feed(void *user, double t, double t_end) {
  feeder *f = user;
  (void)t_end;
  int32_t id = f->calls % 3;
  double at = t + 0.5;   /* half a ms ahead of the time reached */
  if (soma_pop_add_spikes(f->src, 1, &id, &at) != SOMA_OK) return 1;
  f->calls++;
  return 0;
}

TEST(spike_source_merges_calls_and_runs) {
  const double dt = 0.25;
  soma_net *net = make_net(dt, 2, 5, 1);
  REQUIRE(net);
  soma_pop *src = soma_pop_create(net, "src", "spike_source", 3, NULL);
  REQUIRE(src);
  soma_rec *rec = soma_rec_spikes(net, src, NULL, 0);
  REQUIRE(rec);
  CHECK(soma_pop_add_spikes(src, 3, (int32_t[]){2, 0, 1}, (double[]){3.0, 3.0, 0.25}) == SOMA_OK);
  CHECK(soma_pop_add_spikes(src, 2, (int32_t[]){1, 2}, (double[]){3.0, 1.5}) == SOMA_OK);
  CHECK(soma_pop_add_spikes(src, 2, (int32_t[]){0, 0}, (double[]){9.75, 0.5}) == SOMA_OK);
  CHECK(soma_net_run(net, 4) == SOMA_OK);   /* t = 4 */
  /* for later times, including the very next step and a time in a later chunk */
  CHECK(soma_pop_add_spikes(src, 3, (int32_t[]){1, 2, 2}, (double[]){4.25, 12.0, 4.25}) == SOMA_OK);
  CHECK(soma_net_run(net, 6) == SOMA_OK);   /* t = 10 */
  feeder f = {src, 0};
  soma_net_set_progress(net, feed, &f);
  CHECK(soma_net_run(net, 15) == SOMA_OK);  /* t = 25: callbacks at 15, 20, 25 add spikes */
  soma_net_set_progress(net, NULL, NULL);
  CHECK(f.calls == 3);
  CHECK(soma_net_run(net, 5) == SOMA_OK);   /* the one added at 25 for 25.5 */
  const int64_t expect[][2] = {{1, 1}, {2, 0}, {6, 2}, {12, 0}, {12, 1}, {12, 2}, {17, 1}, {17, 2},
                               {39, 0}, {48, 2}, {62, 0}, {82, 1}, {102, 2}};
  size_t n = soma_rec_spike_count(rec), m = sizeof expect / sizeof expect[0];
  CHECK_MSG(n == m, "recorded %zu spikes, expected %zu", n, m);
  for (size_t k = 0; k < n && k < m; k++)
    CHECK_MSG(soma_rec_spike_steps(rec)[k] == expect[k][0] && soma_rec_spike_ids(rec)[k] == expect[k][1],
              "spike %zu: (%lld, %d), expected (%lld, %lld)", k, (long long)soma_rec_spike_steps(rec)[k],
              soma_rec_spike_ids(rec)[k], (long long)expect[k][0], (long long)expect[k][1]);
  CHECK(soma_pop_spike_count(src) == m);
  soma_net_destroy(net);
}

/* Source spikes reach their targets after the delay: a spike stamped t with delay d lands in
 * the step that starts at t + d, seen in I_syn_ex after that step. */
TEST(spike_source_drives_targets_on_time) {
  soma_net *net = make_net(0.1, 1, 100, 1);
  REQUIRE(net);
  soma_pop *src = soma_pop_create(net, "src", "spike_source", 2, NULL);
  soma_pop *lif = soma_pop_create(net, "lif", "lif", 2, NULL);
  REQUIRE(src && lif);
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ONE_TO_ONE;
  c.weight = soma_dist_const(50);
  c.delay = soma_dist_const(2.0);
  REQUIRE(soma_proj_create(net, "s->l", src, lif, &c));
  soma_rec *r = soma_rec_state(net, lif, "I_syn_ex", NULL, 0, 0.1);
  REQUIRE(r);
  CHECK(soma_net_run(net, 1) == SOMA_OK);
  CHECK(soma_pop_add_spikes(src, 2, (int32_t[]){0, 1}, (double[]){3.0, 1.1}) == SOMA_OK);
  CHECK(soma_net_run(net, 9) == SOMA_OK);
  const float *I = soma_rec_data(r);
  /* neuron 0: stamped 3.0, lands in the step from 5.0: sample index 50 (5.1 ms) */
  CHECK(I[2 * 49] == 0 && I[2 * 50] > 0);
  CHECK_NEAR(I[2 * 50], 50 * exp(-0.1 / 2), 1e-3);
  /* neuron 1: stamped 1.1, lands from 3.1: sample index 31 */
  CHECK(I[2 * 30 + 1] == 0 && I[2 * 31 + 1] > 0);
  soma_net_destroy(net);
}

int main(void) {
  RUN(poisson_population_rates);
  RUN(poisson_isi_is_exponential);
  RUN(poisson_rate_schedule);
  RUN(poisson_input_counts_small_lambda);
  RUN(poisson_input_counts_medium_lambda);
  RUN(poisson_input_counts_large_lambda);
  RUN(poisson_inputs_add_and_ignore_threads);
  RUN(poisson_input_mean_effect);
  RUN(step_current_acts_at_its_step);
  RUN(schedule_rounding_and_between_runs);
  RUN(step_current_first_spike_latency);
  RUN(spike_source_merges_calls_and_runs);
  RUN(spike_source_drives_targets_on_time);
  return h_done();
}
