/* test_two_state.c — the two-state and one-state models of motor adaptation (agents/two_state.c):
 * trials against values computed by hand, the fit recovering known parameters from simulated
 * outputs (exactly without noise, within 5 % with noise), spontaneous recovery in error clamp
 * for two states and none for one, and messages for bad input. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "agents/two_state.h"
#include "harness.h"
#include "sim/rng.h"
#include "sim/soma.h"

#define MAX_TRIALS 2000

/* Smith et al. 2006's protocol: n0 null trials, n1 with f = 1, then f = -1 until the output
 * (simulated with m) is <= 0 (at most 100 trials), n3 error-clamp trials, then n4 null and n5
 * with f = 1. Returns the trial count; *clamp_at is the first error-clamp trial (0-based). */
static size_t protocol(const soma_two_state *m, int n0, int n1, int n3, int n4, int n5, double *f,
                       unsigned char *clamp, size_t *clamp_at) {
  size_t n = 0;
  double xf = 0, xs = 0;
  for (int i = 0; i < n0; i++, n++) f[n] = 0, clamp[n] = 0, soma_two_state_trial(m, &xf, &xs, 0, 0);
  for (int i = 0; i < n1; i++, n++) f[n] = 1, clamp[n] = 0, soma_two_state_trial(m, &xf, &xs, 1, 0);
  for (int i = 0; i < 100; i++, n++) {
    f[n] = -1, clamp[n] = 0;
    soma_two_state_trial(m, &xf, &xs, -1, 0);
    if (xf + xs <= 0) {
      n++;
      break;
    }
  }
  *clamp_at = n;
  for (int i = 0; i < n3; i++, n++) f[n] = 0, clamp[n] = 1;
  for (int i = 0; i < n4; i++, n++) f[n] = 0, clamp[n] = 0;
  for (int i = 0; i < n5; i++, n++) f[n] = 1, clamp[n] = 0;
  return n;
}

static double f_[MAX_TRIALS], x_[MAX_TRIALS], y_[MAX_TRIALS], xf_[MAX_TRIALS], xs_[MAX_TRIALS];
static unsigned char c_[MAX_TRIALS];

TEST(trials_match_the_update_equations) {
  /* by hand: x_f' = 0.92 x_f + 0.03 e, x_s' = 0.996 x_s + 0.004 e, e = f - x_f - x_s */
  soma_two_state m = soma_two_state_smith2006();
  double f[4] = {1, 1, 1, 0};
  unsigned char clamp[4] = {0, 0, 0, 1};
  double out[4], fast[4], slow[4];
  char err[200];
  REQUIRE(soma_two_state_simulate(&m, f, clamp, 4, out, fast, slow, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(out[0], 0, 1e-15);
  CHECK_NEAR(out[1], 0.034, 1e-15);                       /* 0.03 + 0.004 */
  CHECK_NEAR(fast[2], 0.92 * 0.03 + 0.03 * 0.966, 1e-15);  /* 0.05658 */
  CHECK_NEAR(slow[2], 0.996 * 0.004 + 0.004 * 0.966, 1e-15);
  double x2 = fast[2] + slow[2], e2 = 1 - x2;
  CHECK_NEAR(out[3], 0.92 * fast[2] + 0.03 * e2 + 0.996 * slow[2] + 0.004 * e2, 1e-15);
  /* the one-state model settles at B / (1 - A + B) */
  soma_two_state one = soma_one_state_smith2006();
  double xf = 0, xs = 0, x = 0;
  for (int i = 0; i < 5000; i++) x = soma_two_state_trial(&one, &xf, &xs, 1, 0);
  CHECK_NEAR(x, 0.013 / (1 - 0.99 + 0.013), 1e-12);
  CHECK(xs == 0);
}

TEST(the_two_state_model_recovers_spontaneously_and_the_one_state_model_does_not) {
  soma_two_state two = soma_two_state_smith2006(), one = soma_one_state_smith2006();
  size_t at;
  size_t n = protocol(&two, 50, 350, 150, 0, 0, f_, c_, &at);
  char err[200];
  REQUIRE(soma_two_state_simulate(&two, f_, c_, n, x_, xf_, xs_, err, sizeof err) == SOMA_OK);
  CHECK_MSG(at - 400 >= 10 && at - 400 <= 25, "counter-perturbation of %zu trials", at - 400);
  CHECK(x_[at] <= 0 && x_[at - 1] > 0);    /* the counter-perturbation ended at zero */
  CHECK(xf_[at] < 0 && xs_[at] > 0);       /* the fast state cancels the slow one */
  double rebound = 0, peak = -1;
  for (size_t i = at; i < at + 50; i++) rebound += x_[i] / 50, peak = fmax(peak, x_[i]);
  CHECK_MSG(rebound > 0.15 && peak > 0.2, "two states: mean %.3f, peak %.3f", rebound, peak);
  n = protocol(&one, 50, 350, 150, 0, 0, f_, c_, &at);
  REQUIRE(soma_two_state_simulate(&one, f_, c_, n, x_, NULL, NULL, err, sizeof err) == SOMA_OK);
  peak = -1;
  for (size_t i = at; i < n; i++) peak = fmax(peak, x_[i]);
  CHECK_MSG(peak <= 0, "one state: peak %.4f in error clamp", peak);
}

/* the full protocol simulated with m, Gaussian noise of sd added to the outputs */
static size_t noisy(const soma_two_state *m, double sd, uint32_t seed) {
  size_t at;
  size_t n = protocol(m, 50, 350, 150, 100, 150, f_, c_, &at);
  char err[200];
  soma_two_state_simulate(m, f_, c_, n, x_, NULL, NULL, err, sizeof err);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, seed, 7, 0, 0, 0);
  for (size_t i = 0; i < n; i++) y_[i] = x_[i] + (sd > 0 ? gsl_ran_gaussian(g, sd) : 0);
  soma_gsl_rng_free(g);
  return n;
}

static double rel(double a, double b) { return fabs(a - b) / fabs(b); }

TEST(the_fit_recovers_known_parameters) {
  soma_two_state m = soma_two_state_smith2006();
  soma_two_state_fit_opts o = soma_two_state_fit_defaults();
  soma_two_state_fitted fit;
  char err[200];
  size_t n = noisy(&m, 0, 1);
  REQUIRE(soma_two_state_fit(f_, c_, y_, n, &o, &fit, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(fit.m.a_f, 0.92, 1e-5);
  CHECK_NEAR(fit.m.b_f, 0.03, 1e-6);
  CHECK_NEAR(fit.m.a_s, 0.996, 1e-6);
  CHECK_NEAR(fit.m.b_s, 0.004, 1e-6);
  CHECK(fit.r2 > 0.999999 && fit.n == n && fit.starts == 36);
  /* noise of 0.02 (0.6 deg of a 30 deg rotation) on every trial, five noise seeds */
  double worst = 0;
  for (uint32_t seed = 1; seed <= 5; seed++) {
    n = noisy(&m, 0.02, seed);
    REQUIRE(soma_two_state_fit(f_, c_, y_, n, &o, &fit, err, sizeof err) == SOMA_OK);
    double r[4] = {rel(fit.m.a_f, 0.92), rel(fit.m.b_f, 0.03), rel(fit.m.a_s, 0.996),
                   rel(fit.m.b_s, 0.004)};
    for (int k = 0; k < 4; k++) worst = fmax(worst, r[k]);
    CHECK_MSG(r[0] < 0.05 && r[1] < 0.05 && r[2] < 0.05 && r[3] < 0.05,
              "seed %u: A_f %.4f B_f %.4f A_s %.5f B_s %.5f", seed, fit.m.a_f, fit.m.b_f,
              fit.m.a_s, fit.m.b_s);
    CHECK(fit.m.a_f < fit.m.a_s && fit.m.b_s < fit.m.b_f);
    CHECK_NEAR(fit.rmse, 0.02, 0.002);
  }
  printf("  worst relative error over 5 noise seeds: %.4f\n", worst);
  /* missing outputs (NaN) are left out */
  n = noisy(&m, 0, 1);
  for (size_t i = 0; i < n; i += 3) y_[i] = NAN;
  REQUIRE(soma_two_state_fit(f_, c_, y_, n, &o, &fit, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(fit.m.b_f, 0.03, 1e-6);
  CHECK(fit.n == n - (n + 2) / 3);
}

TEST(the_one_state_fit_recovers_its_parameters) {
  soma_two_state m = soma_one_state_smith2006();
  soma_two_state_fit_opts o = soma_two_state_fit_defaults();
  o.states = 1;
  soma_two_state_fitted fit;
  char err[200];
  size_t n = noisy(&m, 0.05, 3);
  REQUIRE(soma_two_state_fit(f_, c_, y_, n, &o, &fit, err, sizeof err) == SOMA_OK);
  CHECK_MSG(rel(fit.m.a_f, 0.99) < 0.05 && rel(fit.m.b_f, 0.013) < 0.05, "A %.4f B %.4f", fit.m.a_f,
            fit.m.b_f);
  CHECK(fit.m.a_s == 0 && fit.m.b_s == 0 && fit.states == 1 && fit.starts == 9);
  /* two states fitted to one-state data: no better than the one state by more than noise */
  soma_two_state_fitted two;
  o.states = 2;
  REQUIRE(soma_two_state_fit(f_, c_, y_, n, &o, &two, err, sizeof err) == SOMA_OK);
  CHECK(two.sse <= fit.sse * (1 + 1e-9));
  CHECK(two.sse > 0.99 * fit.sse);
  /* and one state fitted to two-state data is clearly worse than two */
  n = noisy(&(soma_two_state){0.92, 0.03, 0.996, 0.004}, 0.02, 4);
  REQUIRE(soma_two_state_fit(f_, c_, y_, n, &o, &two, err, sizeof err) == SOMA_OK);
  o.states = 1;
  REQUIRE(soma_two_state_fit(f_, c_, y_, n, &o, &fit, err, sizeof err) == SOMA_OK);
  CHECK_MSG(fit.sse > 1.5 * two.sse, "one state sse %.4f, two states %.4f", fit.sse, two.sse);
}

TEST(bad_input_gets_messages) {
  double f[12] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, y[12] = {0};
  soma_two_state_fit_opts o = soma_two_state_fit_defaults();
  soma_two_state_fitted fit;
  memset(&fit, 0x5a, sizeof fit);
  soma_two_state_fitted before = fit;
  char err[300];
  o.states = 3;
  CHECK(soma_two_state_fit(f, NULL, y, 12, &o, &fit, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "states must be 1 or 2 (got 3)"));
  o.states = 2;
  CHECK(soma_two_state_fit(f, NULL, y, 7, &o, &fit, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "7 measured outputs for 4 parameters; give at least 8"));
  f[3] = NAN;
  CHECK(soma_two_state_fit(f, NULL, y, 12, &o, &fit, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "the perturbation of trial 4 is nan"));
  f[3] = 1;
  y[5] = INFINITY;
  CHECK(soma_two_state_fit(f, NULL, y, 12, &o, &fit, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "the output of trial 6 is inf"));
  CHECK(soma_two_state_fit(f, NULL, y, 0, &o, &fit, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "no trials"));
  CHECK(!memcmp(&fit, &before, sizeof fit));   /* failed fits leave the result alone */
  soma_two_state m = {NAN, 0.1, 0.9, 0.01};
  double out[12];
  CHECK(soma_two_state_simulate(&m, f, NULL, 12, out, NULL, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(strstr(err, "a_f must be a finite number (got nan)"));
}

int main(void) {
  RUN(trials_match_the_update_equations);
  RUN(the_two_state_model_recovers_spontaneously_and_the_one_state_model_does_not);
  RUN(the_fit_recovers_known_parameters);
  RUN(the_one_state_fit_recovers_its_parameters);
  RUN(bad_input_gets_messages);
  return h_done();
}
