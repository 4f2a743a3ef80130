/* test_joint_hmm.c — the Poisson HMM (joint/hmm.c): likelihood, posteriors and Viterbi path
 * against enumeration of every path of a small model, test H1 (3 states, 30 neurons, T = 20 000:
 * decoding accuracy after Hungarian matching, transitions, monotone likelihood), the same fit
 * for 1 and 2 threads, and bad input. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/assign.h"
#include "joint/hmm.h"
#include "joint_models_sim.h"
#include "sim/rng.h"
#include "sim/soma.h"

/* a 2-state, 2-neuron model set by hand (fit on dummy data, then overwritten) */
static joint_hmm *hand_model(void) {
  double yv[8] = {0, 1, 2, 0, 1, 1, 3, 0};
  gsl_matrix_view y = gsl_matrix_view_array(yv, 4, 2);
  joint_hmm_options o = joint_hmm_defaults();
  o.states = 2, o.max_iter = 1, o.restarts = 1;
  joint_hmm *m = NULL;
  joint_hmm_fit(&y.matrix, &o, &m, NULL, 0);
  if (!m) return NULL;
  double rates[4] = {0.5, 2.0, 3.0, 0.2}, trans[4] = {0.8, 0.2, 0.3, 0.7}, init[2] = {0.6, 0.4};
  memcpy(m->rates->data, rates, sizeof rates);
  memcpy(m->trans->data, trans, sizeof trans);
  memcpy(m->init->data, init, sizeof init);
  return m;
}

static double log_poisson(double y, double l) { return y * log(l) - l - lgamma(y + 1); }

TEST(matches_enumeration_of_every_path) {
  joint_hmm *m = hand_model();
  REQUIRE(m != NULL);
  enum { T = 6 };
  double yv[2 * T] = {0, 3, 2, 0, 4, 1, 1, 1, 0, 2, 3, 0};
  gsl_matrix_view y = gsl_matrix_view_array(yv, T, 2);
  double total = 0, post[T][2] = {{0}}, best = -INFINITY;
  int best_path = 0;
  for (int path = 0; path < 1 << T; path++) {
    double lp = 0;
    for (int t = 0; t < T; t++) {
      int s = path >> t & 1;
      lp += t == 0 ? log(gsl_vector_get(m->init, (size_t)s))
                   : log(gsl_matrix_get(m->trans, (size_t)(path >> (t - 1) & 1), (size_t)s));
      for (int i = 0; i < 2; i++)
        lp += log_poisson(yv[2 * t + i], gsl_matrix_get(m->rates, (size_t)s, (size_t)i));
    }
    total += exp(lp);
    for (int t = 0; t < T; t++) post[t][path >> t & 1] += exp(lp);
    if (lp > best) best = lp, best_path = path;
  }
  gsl_matrix *g = gsl_matrix_alloc(T, 2);
  double ll, lv;
  int states[T];
  char err[200];
  REQUIRE(joint_hmm_posterior(m, &y.matrix, g, &ll, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(ll, log(total), 1e-10);
  for (int t = 0; t < T; t++)
    for (int j = 0; j < 2; j++)
      CHECK_NEAR(gsl_matrix_get(g, (size_t)t, (size_t)j), post[t][j] / total, 1e-12);
  REQUIRE(joint_hmm_viterbi(m, &y.matrix, states, &lv, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(lv, best, 1e-10);
  for (int t = 0; t < T; t++) CHECK(states[t] == (best_path >> t & 1));
  joint_hmm_free(m);
  gsl_matrix_free(g);
}

/* H1: 3 states (stay 0.98, leave to either other 0.01), 30 neurons with rates 0.2–3 counts
 * per bin drawn per state; *truth the simulated states */
static gsl_matrix *h1_data(size_t T, int *truth, gsl_matrix *rates, gsl_matrix *trans) {
  size_t n = 30;
  soma_stream s;
  soma_stream_init(&s, 4, 71, 0, 0, 0);
  for (size_t j = 0; j < 3; j++)
    for (size_t i = 0; i < n; i++) gsl_matrix_set(rates, j, i, 0.2 + 2.8 * soma_stream_u01(&s));
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++) gsl_matrix_set(trans, i, j, i == j ? 0.98 : 0.01);
  gsl_matrix *y = gsl_matrix_alloc(T, n);
  gsl_rng *r = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(r, 4, 72, 0, 0, 0);
  int st = 0;
  for (size_t t = 0; t < T; t++) {
    if (t) {
      double u = gsl_rng_uniform(r), acc = 0;
      int next = 2;
      for (int j = 0; j < 3; j++) {
        acc += gsl_matrix_get(trans, (size_t)st, (size_t)j);
        if (u < acc) {
          next = j;
          break;
        }
      }
      st = next;
    }
    truth[t] = st;
    for (size_t i = 0; i < n; i++)
      gsl_matrix_set(y, t, i, gsl_ran_poisson(r, gsl_matrix_get(rates, (size_t)st, i)));
  }
  soma_gsl_rng_free(r);
  return y;
}

TEST(h1_recovers_three_states) {
  enum { T = 20000 };
  static int truth[T], vit[T], post[T];
  gsl_matrix *rates = gsl_matrix_alloc(3, 30), *trans = gsl_matrix_alloc(3, 3);
  gsl_matrix *y = h1_data(T, truth, rates, trans);
  joint_hmm *m;
  char err[200];
  REQUIRE(joint_hmm_fit(y, NULL, &m, err, sizeof err) == SOMA_OK);
  double worst_fall = sim_worst_fall(m->loglik, m->iterations);
  CHECK_MSG(m->decreases == 0 && worst_fall <= 1e-9, "%d decreases, worst %.3g", m->decreases,
            worst_fall);
  gsl_matrix *g = gsl_matrix_alloc(T, 3);
  REQUIRE(joint_hmm_viterbi(m, y, vit, NULL, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_hmm_posterior(m, y, g, NULL, err, sizeof err) == SOMA_OK);
  for (size_t t = 0; t < T; t++) {
    int a = 0;
    for (int j = 1; j < 3; j++)
      if (gsl_matrix_get(g, t, (size_t)j) > gsl_matrix_get(g, t, (size_t)a)) a = j;
    post[t] = a;
  }
  int map[3];
  double acc_v, acc_p;
  REQUIRE(joint_assign_labels(truth, vit, T, 3, 3, map, &acc_v, err, sizeof err) == SOMA_OK);
  int map_p[3];
  REQUIRE(joint_assign_labels(truth, post, T, 3, 3, map_p, &acc_p, err, sizeof err) == SOMA_OK);
  /* learned state j is true state map[j] */
  double terr = 0, rerr = 0;
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++)
      terr = fmax(terr, fabs(gsl_matrix_get(m->trans, i, j) -
                             gsl_matrix_get(trans, (size_t)map[i], (size_t)map[j])));
  for (size_t j = 0; j < 3; j++)
    for (size_t i = 0; i < 30; i++) {
      double tr = gsl_matrix_get(rates, (size_t)map[j], i);
      rerr = fmax(rerr, fabs(gsl_matrix_get(m->rates, j, i) - tr) / tr);
    }
  printf("  H1: start %d, %d iterations (converged %d); accuracy Viterbi %.4f, posterior %.4f; "
         "transition error %.4f; worst rate error %.3f\n", m->start, m->iterations,
         m->converged, acc_v, acc_p, terr, rerr);
  CHECK_MSG(acc_v >= 0.95 && acc_p >= 0.95, "accuracy %.4f / %.4f", acc_v, acc_p);
  CHECK_MSG(terr <= 0.02, "transition error %.4f", terr);
  CHECK_MSG(rerr <= 0.15, "rate error %.3f", rerr);
  joint_hmm_free(m);
  gsl_matrix_free(rates), gsl_matrix_free(trans), gsl_matrix_free(y), gsl_matrix_free(g);
}

TEST(same_fit_for_any_thread_count) {
  enum { T = 3000 };
  static int truth[T];
  gsl_matrix *rates = gsl_matrix_alloc(3, 30), *trans = gsl_matrix_alloc(3, 3);
  gsl_matrix *y = h1_data(T, truth, rates, trans);
  joint_hmm_options o = joint_hmm_defaults();
  o.restarts = 5;
  joint_hmm *a, *b;
  char err[200];
  omp_set_num_threads(1);
  REQUIRE(joint_hmm_fit(y, &o, &a, err, sizeof err) == SOMA_OK);
  omp_set_num_threads(2);
  REQUIRE(joint_hmm_fit(y, &o, &b, err, sizeof err) == SOMA_OK);
  CHECK(a->start == b->start && a->iterations == b->iterations);
  CHECK(memcmp(a->rates->data, b->rates->data, 90 * sizeof(double)) == 0);
  CHECK(memcmp(a->trans->data, b->trans->data, 9 * sizeof(double)) == 0);
  /* another seed gives other starts (the result may still agree) */
  o.seed = 2;
  joint_hmm *c;
  REQUIRE(joint_hmm_fit(y, &o, &c, err, sizeof err) == SOMA_OK);
  CHECK(fabs(gsl_vector_get(c->loglik, 0) - gsl_vector_get(a->loglik, 0)) > 0);
  joint_hmm_free(a), joint_hmm_free(b), joint_hmm_free(c);
  gsl_matrix_free(rates), gsl_matrix_free(trans), gsl_matrix_free(y);
}

TEST(bad_input_is_named) {
  double yv[6] = {0, 1, 2, -1, 0, 0};
  gsl_matrix_view y = gsl_matrix_view_array(yv, 3, 2);
  joint_hmm_options o = joint_hmm_defaults();
  joint_hmm *m;
  char err[200] = "";
  CHECK(joint_hmm_fit(&y.matrix, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "hmm: counts must be >= 0 (got -1 at row 1, column 1)") != NULL, "%s",
            err);
  yv[3] = 1;
  o.states = 4;
  CHECK(joint_hmm_fit(&y.matrix, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "states must be from 1 to the 3 bins") != NULL, "%s", err);
  o = joint_hmm_defaults();
  o.states = 2, o.restarts = 0;
  CHECK(joint_hmm_fit(&y.matrix, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "restarts must be >= 1") != NULL, "%s", err);
  /* a silent neuron: finite rates at the floor, no NaN */
  yv[1] = yv[3] = yv[5] = 0;
  o = joint_hmm_defaults();
  o.states = 2;
  REQUIRE(joint_hmm_fit(&y.matrix, &o, &m, err, sizeof err) == SOMA_OK);
  CHECK(gsl_matrix_get(m->rates, 0, 1) == 1e-8 && isfinite(gsl_vector_get(m->loglik, 0)));
  gsl_matrix_view y1 = gsl_matrix_view_array(yv, 6, 1);
  gsl_matrix *g = gsl_matrix_alloc(6, 2);
  CHECK(joint_hmm_posterior(m, &y1.matrix, g, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the counts must have 2 columns") != NULL, "%s", err);
  joint_hmm_free(m);
  gsl_matrix_free(g);
}

int main(void) {
  RUN(matches_enumeration_of_every_path);
  RUN(h1_recovers_three_states);
  RUN(same_fit_for_any_thread_count);
  RUN(bad_input_is_named);
  return h_done();
}
