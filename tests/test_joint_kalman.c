/* test_joint_kalman.c — the Wu et al. Kalman decoder (joint/kalman.c): the least-squares fit
 * recovers a linear-Gaussian system, the information-form filter equals the textbook one,
 * test D1b (velocity from 100 log-linear motor neurons), the place-code negative case, the
 * online step against the batch filter, the steady-state gain, and bad input. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/kalman.h"
#include "joint/knn.h"
#include "joint/linreg.h"
#include "joint/score.h"
#include "joint_models_sim.h"
#include "sim/soma.h"

/* x_{t+1} = A x_t + w, y_t = H x_t + c + v with d = 2, n = 5 */
static const double A_TRUE[4] = {0.9, 0.2, -0.2, 0.9};
static const double H_TRUE[10] = {1, 0, 0, 1, 1, 1, 0.5, -1, -0.3, 0.2};
static const double C_TRUE[5] = {3, -1, 0, 2, 1};

static void linear_gaussian(size_t T, uint32_t seed, gsl_matrix **x, gsl_matrix **y) {
  *x = gsl_matrix_alloc(T, 2);
  *y = gsl_matrix_alloc(T, 5);
  gsl_rng *r = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(r, seed, 5, 0, 0, 0);
  double s[2] = {0, 0};
  for (size_t t = 0; t < T; t++) {
    gsl_matrix_set(*x, t, 0, s[0]);
    gsl_matrix_set(*x, t, 1, s[1]);
    for (int i = 0; i < 5; i++)
      gsl_matrix_set(*y, t, (size_t)i,
                     H_TRUE[2 * i] * s[0] + H_TRUE[2 * i + 1] * s[1] + C_TRUE[i] +
                         0.5 * (i + 1) * gsl_ran_gaussian(r, 1.0));
    double n0 = A_TRUE[0] * s[0] + A_TRUE[1] * s[1] + 0.3 * gsl_ran_gaussian(r, 1.0);
    double n1 = A_TRUE[2] * s[0] + A_TRUE[3] * s[1] + 0.3 * gsl_ran_gaussian(r, 1.0);
    s[0] = n0, s[1] = n1;
  }
  soma_gsl_rng_free(r);
}

static double max_abs_diff(const gsl_matrix *a, const double *b) {
  double m = 0;
  for (size_t i = 0; i < a->size1; i++)
    for (size_t j = 0; j < a->size2; j++)
      m = fmax(m, fabs(gsl_matrix_get(a, i, j) - b[i * a->size2 + j]));
  return m;
}

TEST(fit_recovers_a_linear_gaussian_system) {
  gsl_matrix *x, *y;
  linear_gaussian(40000, 1, &x, &y);
  joint_kalman *m;
  char err[200];
  REQUIRE(joint_kalman_fit(x, y, NULL, &m, err, sizeof err) == SOMA_OK);
  CHECK_MSG(max_abs_diff(m->A, A_TRUE) < 0.01, "A error %.4f", max_abs_diff(m->A, A_TRUE));
  CHECK_MSG(max_abs_diff(m->H, H_TRUE) < 0.02, "H error %.4f", max_abs_diff(m->H, H_TRUE));
  for (int i = 0; i < 5; i++) {
    CHECK_NEAR(gsl_vector_get(m->c, (size_t)i), C_TRUE[i], 0.03);
    CHECK_NEAR(gsl_matrix_get(m->R, (size_t)i, (size_t)i), 0.25 * (i + 1) * (i + 1),
               0.04 * (i + 1) * (i + 1));
  }
  CHECK_NEAR(gsl_matrix_get(m->Q, 0, 0), 0.09, 0.005);
  CHECK_NEAR(gsl_matrix_get(m->Q, 0, 1), 0.0, 0.005);
  CHECK_NEAR(gsl_vector_get(m->a, 0), 0.0, 0.01);
  joint_kalman_free(m);
  gsl_matrix_free(x), gsl_matrix_free(y);
}

/* the textbook covariance form: K = P Hᵀ (H P Hᵀ + R)⁻¹, x += K (y − c − H x), P = (I − K H) P */
static void textbook_filter(const joint_kalman *m, const gsl_matrix *y, gsl_matrix *out) {
  size_t d = m->d, n = m->n;
  gsl_vector *x = gsl_vector_alloc(d), *e = gsl_vector_alloc(n), *xn = gsl_vector_alloc(d);
  gsl_matrix *P = gsl_matrix_alloc(d, d), *PHt = gsl_matrix_alloc(d, n);
  gsl_matrix *S = gsl_matrix_alloc(n, n), *Si = gsl_matrix_alloc(n, n);
  gsl_matrix *K = gsl_matrix_alloc(d, n), *KH = gsl_matrix_alloc(d, d);
  gsl_matrix *P2 = gsl_matrix_alloc(d, d), *AP = gsl_matrix_alloc(d, d);
  gsl_permutation *perm = gsl_permutation_alloc(n);
  for (size_t t = 0; t < y->size1; t++) {
    if (t == 0) {
      gsl_vector_memcpy(x, m->mu0);
      gsl_matrix_memcpy(P, m->P0);
    } else {
      gsl_vector_memcpy(xn, m->a);
      gsl_blas_dgemv(CblasNoTrans, 1.0, m->A, x, 1.0, xn);
      gsl_vector_memcpy(x, xn);
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, m->A, P, 0.0, AP);
      gsl_matrix_memcpy(P, m->Q);
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, AP, m->A, 1.0, P);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, P, m->H, 0.0, PHt);
    gsl_matrix_memcpy(S, m->R);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, m->H, PHt, 1.0, S);
    int sg;
    gsl_linalg_LU_decomp(S, perm, &sg);
    gsl_linalg_LU_invert(S, perm, Si);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, PHt, Si, 0.0, K);
    for (size_t i = 0; i < n; i++) gsl_vector_set(e, i, gsl_matrix_get(y, t, i));
    gsl_vector_sub(e, m->c);
    gsl_blas_dgemv(CblasNoTrans, -1.0, m->H, x, 1.0, e);
    gsl_blas_dgemv(CblasNoTrans, 1.0, K, e, 1.0, x);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, K, m->H, 0.0, KH);
    gsl_matrix_memcpy(P2, P);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, KH, P2, 1.0, P);
    for (size_t j = 0; j < d; j++) gsl_matrix_set(out, t, j, gsl_vector_get(x, j));
  }
  gsl_vector_free(x), gsl_vector_free(e), gsl_vector_free(xn);
  gsl_matrix_free(P), gsl_matrix_free(PHt), gsl_matrix_free(S), gsl_matrix_free(Si);
  gsl_matrix_free(K), gsl_matrix_free(KH), gsl_matrix_free(P2), gsl_matrix_free(AP);
  gsl_permutation_free(perm);
}

TEST(filter_equals_the_textbook_form_and_the_online_step) {
  gsl_matrix *x, *y;
  linear_gaussian(3000, 2, &x, &y);
  joint_kalman *m;
  char err[200];
  REQUIRE(joint_kalman_fit(x, y, NULL, &m, err, sizeof err) == SOMA_OK);
  gsl_matrix *f = gsl_matrix_alloc(3000, 2), *g = gsl_matrix_alloc(3000, 2);
  gsl_matrix *h = gsl_matrix_alloc(3000, 2);
  REQUIRE(joint_kalman_filter(m, y, f, err, sizeof err) == SOMA_OK);
  textbook_filter(m, y, g);
  double md = 0;
  for (size_t i = 0; i < 6000; i++) md = fmax(md, fabs(f->data[i] - g->data[i]));
  CHECK_MSG(md < 1e-9, "max difference from the textbook filter %.3g", md);
  /* the online step, bin by bin, gives exactly the batch output; a reset restarts the pass */
  joint_kalman_state *s = joint_kalman_state_alloc(m);
  REQUIRE(s != NULL);
  for (int pass = 0; pass < 2; pass++) {
    joint_kalman_state_reset(s);
    for (size_t t = 0; t < 3000; t++)
      REQUIRE(joint_kalman_step(m, s, gsl_matrix_const_ptr(y, t, 0), gsl_matrix_ptr(h, t, 0),
                                err, sizeof err) == SOMA_OK);
    CHECK(memcmp(f->data, h->data, 6000 * sizeof(double)) == 0);
  }
  /* decoding is causal: changing bin 2000 leaves every estimate before it alone */
  gsl_matrix_set(y, 2000, 0, 100);
  REQUIRE(joint_kalman_filter(m, y, g, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(f->data, g->data, 4000 * sizeof(double)) == 0);
  CHECK(gsl_matrix_get(f, 2000, 0) != gsl_matrix_get(g, 2000, 0));
  joint_kalman_state_free(s);
  joint_kalman_free(m);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(f), gsl_matrix_free(g);
  gsl_matrix_free(h);
}

TEST(steady_state_gain_is_the_riccati_limit) {
  gsl_matrix *x, *y;
  linear_gaussian(3000, 3, &x, &y);
  joint_kalman_options o = joint_kalman_defaults();
  joint_kalman *m, *ms;
  char err[200];
  REQUIRE(joint_kalman_fit(x, y, NULL, &m, err, sizeof err) == SOMA_OK);
  o.steady_state = 1;
  REQUIRE(joint_kalman_fit(x, y, &o, &ms, err, sizeof err) == SOMA_OK);
  CHECK(ms->ss_iterations > 0 && ms->P_ss != NULL);
  /* after the transient the exact filter's covariance and estimates are the steady ones */
  joint_kalman_state *s = joint_kalman_state_alloc(m);
  gsl_matrix *f = gsl_matrix_alloc(3000, 2), *g = gsl_matrix_alloc(3000, 2);
  double xh[2];
  for (size_t t = 0; t < 200; t++) joint_kalman_step(m, s, gsl_matrix_const_ptr(y, t, 0), xh,
                                                     err, sizeof err);
  const gsl_matrix *P = joint_kalman_state_cov(s);
  double dp = 0;
  for (size_t i = 0; i < 2; i++)
    for (size_t j = 0; j < 2; j++)
      dp = fmax(dp, fabs(gsl_matrix_get(P, i, j) - gsl_matrix_get(ms->P_ss, i, j)));
  CHECK_MSG(dp < 1e-12, "covariance after 200 bins differs from the steady state by %.3g", dp);
  REQUIRE(joint_kalman_filter(m, y, f, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_kalman_filter(ms, y, g, err, sizeof err) == SOMA_OK);
  double late = 0;
  for (size_t t = 500; t < 3000; t++)
    for (size_t j = 0; j < 2; j++)
      late = fmax(late, fabs(gsl_matrix_get(f, t, j) - gsl_matrix_get(g, t, j)));
  CHECK_MSG(late < 1e-9, "steady-state estimates differ by %.3g after 500 bins", late);
  joint_kalman_state_free(s);
  joint_kalman_free(m), joint_kalman_free(ms);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(f), gsl_matrix_free(g);
}

/* R² of the velocity columns (2, 3) of a T × 4 state */
static double velocity_r2(const gsl_matrix *truth, const gsl_matrix *pred) {
  return 0.5 * (joint_r2_column(truth, pred, 2) + joint_r2_column(truth, pred, 3));
}

/* D1b: state (position, velocity), 10 000 training bins (50 ms), 5 000 test bins. Measured
 * velocity R2: Kalman 0.924 on counts, 0.925 on sqrt counts; ridge from one bin 0.877. The
 * threshold 0.85 keeps a margin below that (the issue asks for >= 0.8). */
TEST(d1b_decodes_velocity_from_a_motor_code) {
  gsl_matrix *counts, *state;
  sim_motor_code(15000, 100, 11, &counts, &state);
  gsl_matrix *ytr = sim_rows(counts, 0, 10000), *xtr = sim_rows(state, 0, 10000);
  gsl_matrix *yte = sim_rows(counts, 10000, 5000), *xte = sim_rows(state, 10000, 5000);
  gsl_matrix *pred = gsl_matrix_alloc(5000, 4);
  char err[200];
  double r2[2];
  for (int sq = 0; sq < 2; sq++) {
    joint_kalman_options o = joint_kalman_defaults();
    o.sqrt_counts = sq;
    joint_kalman *m;
    REQUIRE(joint_kalman_fit(xtr, ytr, &o, &m, err, sizeof err) == SOMA_OK);
    REQUIRE(joint_kalman_filter(m, yte, pred, err, sizeof err) == SOMA_OK);
    r2[sq] = velocity_r2(xte, pred);
    joint_kalman_free(m);
  }
  /* ridge from the counts of one bin, to velocity (for comparison) */
  gsl_matrix *vtr = sim_rows(state, 0, 10000), *rp = gsl_matrix_alloc(5000, 4);
  joint_linreg *lr;
  REQUIRE(joint_linreg_fit(ytr, vtr, 1.0, &lr, err, sizeof err) == SOMA_OK);
  joint_linreg_predict(lr, yte, rp, err, sizeof err);
  double r2_ridge = velocity_r2(xte, rp);
  printf("  D1b: velocity R2 Kalman %.3f (counts), %.3f (sqrt counts), ridge %.3f\n", r2[0],
         r2[1], r2_ridge);
  CHECK_MSG(r2[0] >= 0.85 && r2[1] >= 0.85, "Kalman velocity R2 %.3f / %.3f", r2[0], r2[1]);
  CHECK_MSG(r2[0] > r2_ridge, "Kalman %.3f is not above ridge %.3f", r2[0], r2_ridge);
  joint_linreg_free(lr);
  gsl_matrix_free(counts), gsl_matrix_free(state), gsl_matrix_free(ytr), gsl_matrix_free(xtr);
  gsl_matrix_free(yte), gsl_matrix_free(xte), gsl_matrix_free(pred), gsl_matrix_free(vtr);
  gsl_matrix_free(rp);
}

/* the counts' square roots summed over the last 5 bins (causal, like the filter) */
static gsl_matrix *causal_sqrt_sum(const gsl_matrix *c) {
  gsl_matrix *s = gsl_matrix_alloc(c->size1, c->size2);
  for (size_t t = 0; t < c->size1; t++)
    for (size_t i = 0; i < c->size2; i++) {
      double a = 0;
      for (size_t l = 0; l < 5 && l <= t; l++) a += sqrt(gsl_matrix_get(c, t - l, i));
      gsl_matrix_set(s, t, i, a);
    }
  return s;
}

/* kNN from train rows [0, 10000) (k chosen on [10000, 12000)) to the test rows [12000, 16000) */
static void knn_position(const gsl_matrix *x, const gsl_matrix *pos, gsl_matrix *pred, int *k) {
  gsl_matrix *xtr = sim_rows(x, 0, 10000), *xva = sim_rows(x, 10000, 2000);
  gsl_matrix *xte = sim_rows(x, 12000, 4000);
  gsl_matrix *ptr = sim_rows(pos, 0, 10000), *pva = sim_rows(pos, 10000, 2000);
  int ks[] = JOINT_KNN_DEFAULT_KS;
  double r2v;
  *k = 0;
  if (joint_knn_choose_k(xtr, ptr, xva, pva, ks, JOINT_KNN_DEFAULT_NKS, JOINT_EUCLIDEAN, k, &r2v,
                         NULL, 0) != SOMA_OK ||
      joint_knn_predict(xtr, ptr, xte, *k, JOINT_EUCLIDEAN, pred, NULL, 0) != SOMA_OK)
    gsl_matrix_set_all(pred, NAN);
  gsl_matrix_free(xtr), gsl_matrix_free(xva), gsl_matrix_free(xte);
  gsl_matrix_free(ptr), gsl_matrix_free(pva);
}

TEST(place_code_is_a_negative_case) {
  /* position + velocity from 100 place cells (the code of test D1a): the observation model is
   * linear in position, the code is not, so the filter is worse than the kNN decoder given the
   * same information (sqrt counts of the last 5 bins, test D1a's input). Measured: Kalman R2
   * 0.876, median error 0.098; kNN on 5 bins 0.957, 0.053; kNN on single bins 0.749, 0.092
   * (there the filter's dynamics prior wins on R2). */
  gsl_matrix *counts, *pos;
  sim_place_code(16000, 100, 21, 22, &counts, &pos);
  gsl_matrix *state = gsl_matrix_alloc(16000, 4);
  for (size_t t = 0; t < 16000; t++) {
    size_t p = t ? t - 1 : 0;
    for (size_t j = 0; j < 2; j++) {
      gsl_matrix_set(state, t, j, gsl_matrix_get(pos, t, j));
      gsl_matrix_set(state, t, 2 + j, gsl_matrix_get(pos, t, j) - gsl_matrix_get(pos, p, j));
    }
  }
  gsl_matrix *ytr = sim_rows(counts, 0, 10000), *xtr = sim_rows(state, 0, 10000);
  gsl_matrix *yte = sim_rows(counts, 12000, 4000), *pte = sim_rows(pos, 12000, 4000);
  gsl_matrix *pred = gsl_matrix_alloc(4000, 4), *kp = gsl_matrix_alloc(4000, 2);
  char err[200];
  joint_kalman *m;
  REQUIRE(joint_kalman_fit(xtr, ytr, NULL, &m, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_kalman_filter(m, yte, pred, err, sizeof err) == SOMA_OK);
  gsl_matrix_view kpos = gsl_matrix_submatrix(pred, 0, 0, 4000, 2);
  double r2_kal = joint_r2(pte, &kpos.matrix), me_kal = joint_median_error(pte, &kpos.matrix);
  int k1, k5;
  knn_position(counts, pos, kp, &k1);
  double r2_1 = joint_r2(pte, kp), me_1 = joint_median_error(pte, kp);
  gsl_matrix *sm = causal_sqrt_sum(counts);
  knn_position(sm, pos, kp, &k5);
  double r2_5 = joint_r2(pte, kp), me_5 = joint_median_error(pte, kp);
  printf("  place code: Kalman position R2 %.3f, median error %.3f; kNN on 5 bins (k = %d) "
         "%.3f, %.3f; kNN on single bins (k = %d) %.3f, %.3f\n", r2_kal, me_kal, k5, r2_5, me_5,
         k1, r2_1, me_1);
  CHECK_MSG(r2_kal < r2_5 - 0.03 && me_kal > me_5 + 0.02, "Kalman %.3f / %.3f vs kNN %.3f / %.3f",
            r2_kal, me_kal, r2_5, me_5);
  CHECK_MSG(me_kal > me_1, "single-bin kNN median error %.3f vs Kalman %.3f", me_1, me_kal);
  joint_kalman_free(m);
  gsl_matrix_free(counts), gsl_matrix_free(pos), gsl_matrix_free(state), gsl_matrix_free(ytr);
  gsl_matrix_free(xtr), gsl_matrix_free(yte), gsl_matrix_free(pte), gsl_matrix_free(pred);
  gsl_matrix_free(kp), gsl_matrix_free(sm);
}

TEST(handles_silent_neurons_and_bad_input) {
  gsl_matrix *x, *y;
  linear_gaussian(500, 4, &x, &y);
  gsl_matrix *y2 = gsl_matrix_alloc(500, 6);
  gsl_matrix_set_zero(y2);   /* column 5 is a silent neuron: R gets the floor, no NaN */
  gsl_matrix_view v = gsl_matrix_submatrix(y2, 0, 0, 500, 5);
  gsl_matrix_memcpy(&v.matrix, y);
  joint_kalman *m;
  char err[200] = "";
  REQUIRE(joint_kalman_fit(x, y2, NULL, &m, err, sizeof err) == SOMA_OK);
  gsl_matrix *f = gsl_matrix_alloc(500, 2);
  REQUIRE(joint_kalman_filter(m, y2, f, err, sizeof err) == SOMA_OK);
  CHECK(isfinite(gsl_matrix_get(f, 499, 0)) && isfinite(gsl_matrix_get(f, 499, 1)));
  double yt[6] = {0, 0, 0, 0, NAN, 0}, xh[2] = {7, 7};
  joint_kalman_state *s = joint_kalman_state_alloc(m);
  CHECK(joint_kalman_step(m, s, yt, xh, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "count 4 is nan") != NULL, "%s", err);
  CHECK(xh[0] == 7);
  joint_kalman_state_free(s);
  gsl_matrix_set(y2, 3, 2, -1);
  CHECK(joint_kalman_filter(m, y2, f, err, sizeof err) == SOMA_OK);   /* raw counts: allowed */
  joint_kalman_free(m);
  joint_kalman_options o = joint_kalman_defaults();
  o.sqrt_counts = 1;
  for (size_t i = 0; i < 500 * 6; i++) y2->data[i] = fabs(y2->data[i]);
  gsl_matrix_set(y2, 3, 2, -1);
  CHECK(joint_kalman_fit(x, y2, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "sqrt_counts needs counts >= 0 (got -1 at row 3, column 2)"), "%s", err);
  o = joint_kalman_defaults();
  o.ridge = -1;
  CHECK(joint_kalman_fit(x, y, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "kalman: ridge must be >= 0 (got -1)") != NULL, "%s", err);
  gsl_matrix_view short_y = gsl_matrix_submatrix(y, 0, 0, 400, 5);
  CHECK(joint_kalman_fit(x, &short_y.matrix, NULL, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "500 rows of states but 400 of observations") != NULL, "%s", err);
  gsl_matrix_set(x, 7, 1, INFINITY);
  CHECK(joint_kalman_fit(x, y, NULL, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "kalman: the states hold inf at row 7, column 1") != NULL, "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(y2), gsl_matrix_free(f);
}

int main(void) {
  RUN(fit_recovers_a_linear_gaussian_system);
  RUN(filter_equals_the_textbook_form_and_the_online_step);
  RUN(steady_state_gain_is_the_riccati_limit);
  RUN(d1b_decodes_velocity_from_a_motor_code);
  RUN(place_code_is_a_negative_case);
  RUN(handles_silent_neurons_and_bad_input);
  return h_done();
}
