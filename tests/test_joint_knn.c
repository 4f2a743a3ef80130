/* test_joint_knn.c — the scores (joint/score.c: R² as scikit-learn defines it, median error)
 * and the kNN decoder (joint/knn.c): neighbours by hand, cosine against Euclidean, the choice
 * of k, a decoded 1-D place code, the same answer for 1 and 2 threads, and bad input. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/knn.h"
#include "joint/score.h"
#include "sim/rng.h"
#include "sim/soma.h"

static gsl_matrix *from(size_t r, size_t c, const double *v) {
  gsl_matrix *m = gsl_matrix_alloc(r, c);
  memcpy(m->data, v, r * c * sizeof *v);
  return m;
}

TEST(r2_matches_sklearn) {
  /* sklearn.metrics.r2_score([[3, -1], [0.5, 2], [2, 1], [7, 5]],
   *                          [[2.5, -1.5], [0.0, 2], [2, 1.5], [8, 4]]) = 0.92765498652  */
  gsl_matrix *y = from(4, 2, (double[]){3, -1, 0.5, 2, 2, 1, 7, 5});
  gsl_matrix *p = from(4, 2, (double[]){2.5, -1.5, 0.0, 2, 2, 1.5, 8, 4});
  double r0 = 1 - (0.25 + 0.25 + 0 + 1) / (3 * 3 + 0.5 * 0.5 + 2 * 2 + 7 * 7 - 4 * 3.125 * 3.125);
  double r1 = 1 - (0.25 + 0 + 0.25 + 1) / (1 + 4 + 1 + 25 - 4 * 1.75 * 1.75);
  CHECK_NEAR(joint_r2_column(y, p, 0), r0, 1e-12);
  CHECK_NEAR(joint_r2(y, p), (r0 + r1) / 2, 1e-12);
  CHECK_NEAR(joint_r2(y, p), 0.92765498652, 1e-10);
  CHECK_NEAR(joint_r2(y, y), 1.0, 0);
  /* a constant column: 1 if exact, else 0 */
  gsl_matrix *c = from(2, 1, (double[]){4, 4}), *c2 = from(2, 1, (double[]){4, 5});
  CHECK_NEAR(joint_r2(c, c), 1.0, 0);
  CHECK_NEAR(joint_r2(c, c2), 0.0, 0);
  CHECK(isnan(joint_r2(y, c)));
  gsl_matrix_free(y), gsl_matrix_free(p), gsl_matrix_free(c), gsl_matrix_free(c2);
}

TEST(median_error_is_euclidean) {
  gsl_matrix *y = from(3, 2, (double[]){0, 0, 0, 0, 0, 0});
  gsl_matrix *p = from(3, 2, (double[]){3, 4, 1, 0, 0, 10});
  CHECK_NEAR(joint_median_error(y, p), 5.0, 1e-12);
  gsl_matrix_free(y), gsl_matrix_free(p);
}

TEST(neighbours_by_hand) {
  /* 1-D points 0, 1, 2, 10 with labels 0, 10, 20, 100: the 2 nearest to 1.4 are 1 and 2 */
  gsl_matrix *x = from(4, 1, (double[]){0, 1, 2, 10});
  gsl_matrix *y = from(4, 1, (double[]){0, 10, 20, 100});
  gsl_matrix *q = from(2, 1, (double[]){1.4, 9});
  gsl_matrix *p = gsl_matrix_alloc(2, 1);
  char err[200];
  REQUIRE(joint_knn_predict(x, y, q, 2, JOINT_EUCLIDEAN, p, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(p, 0, 0), 15, 1e-12);
  CHECK_NEAR(gsl_matrix_get(p, 1, 0), 60, 1e-12);
  /* a tie (0.5 from 0 and from 1) goes to the lower row */
  gsl_matrix *t = from(1, 1, (double[]){0.5});
  gsl_matrix *pt = gsl_matrix_alloc(1, 1);
  REQUIRE(joint_knn_predict(x, y, t, 1, JOINT_EUCLIDEAN, pt, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(pt, 0, 0), 0, 0);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(q), gsl_matrix_free(p);
  gsl_matrix_free(t), gsl_matrix_free(pt);
}

TEST(cosine_ignores_length) {
  /* directions: (1,0) label 1, (0,1) label 2; query (5, 1) is nearer (0,1) in Euclidean
   * distance after scaling the training rows, but its direction is that of (1,0) */
  gsl_matrix *x = from(2, 2, (double[]){100, 0, 0, 5});
  gsl_matrix *y = from(2, 1, (double[]){1, 2});
  gsl_matrix *q = from(1, 2, (double[]){5, 1});
  gsl_matrix *p = gsl_matrix_alloc(1, 1);
  char err[200];
  REQUIRE(joint_knn_predict(x, y, q, 1, JOINT_COSINE, p, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(p, 0, 0), 1, 0);
  REQUIRE(joint_knn_predict(x, y, q, 1, JOINT_EUCLIDEAN, p, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(p, 0, 0), 2, 0);
  CHECK(joint_distance_parse("cosine") == JOINT_COSINE);
  CHECK(joint_distance_parse("manhattan") == -1);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(q), gsl_matrix_free(p);
}

/* 40 Poisson place cells on a track [0, 1] sampled at n positions, counts in 100 ms bins */
static void place_code(int n, uint32_t seed, gsl_matrix **counts, gsl_matrix **pos) {
  *counts = gsl_matrix_alloc((size_t)n, 40);
  *pos = gsl_matrix_alloc((size_t)n, 1);
  gsl_rng *r = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(r, seed, 7, 0, 0, 0);
  for (int t = 0; t < n; t++) {
    double x = 0.5 + 0.5 * sin(t * 0.01);
    gsl_matrix_set(*pos, (size_t)t, 0, x);
    for (int i = 0; i < 40; i++) {
      double c = i / 39.0, rate = 0.5 + 20 * exp(-(x - c) * (x - c) / (2 * 0.05 * 0.05));
      gsl_matrix_set(*counts, (size_t)t, (size_t)i, gsl_ran_poisson(r, rate * 0.1));
    }
  }
  soma_gsl_rng_free(r);
}

TEST(decodes_a_place_code_and_chooses_k) {
  gsl_matrix *xtr, *ytr, *xva, *yva;
  place_code(4000, 1, &xtr, &ytr);
  place_code(1000, 2, &xva, &yva);
  int ks[] = JOINT_KNN_DEFAULT_KS, k = 0;
  double r2 = 0;
  char err[200];
  REQUIRE(joint_knn_choose_k(xtr, ytr, xva, yva, ks, JOINT_KNN_DEFAULT_NKS, JOINT_EUCLIDEAN,
                             &k, &r2, err, sizeof err) == SOMA_OK);
  CHECK_MSG(k > 1, "k = %d", k);   /* noisy counts: averaging helps */
  CHECK_MSG(r2 > 0.85, "R2 = %.3f with k = %d", r2, k);
  /* the chosen R² is the R² of predicting with that k */
  gsl_matrix *p = gsl_matrix_alloc(1000, 1);
  REQUIRE(joint_knn_predict(xtr, ytr, xva, k, JOINT_EUCLIDEAN, p, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(joint_r2(yva, p), r2, 1e-12);
  /* permuted labels carry no information */
  gsl_matrix *shifted = gsl_matrix_alloc(4000, 1);
  for (size_t t = 0; t < 4000; t++)
    gsl_matrix_set(shifted, t, 0, gsl_matrix_get(ytr, (t * 7919) % 4000, 0));
  REQUIRE(joint_knn_predict(xtr, shifted, xva, k, JOINT_EUCLIDEAN, p, err, sizeof err) == 0);
  CHECK_MSG(joint_r2(yva, p) < 0.1, "shuffled R2 = %.3f", joint_r2(yva, p));
  gsl_matrix_free(xtr), gsl_matrix_free(ytr), gsl_matrix_free(xva), gsl_matrix_free(yva);
  gsl_matrix_free(p), gsl_matrix_free(shifted);
}

TEST(same_answer_for_any_thread_count) {
  gsl_matrix *xtr, *ytr, *xva, *yva;
  place_code(2000, 3, &xtr, &ytr);
  place_code(500, 4, &xva, &yva);
  gsl_matrix *p1 = gsl_matrix_alloc(500, 1), *p2 = gsl_matrix_alloc(500, 1);
  char err[200];
  omp_set_num_threads(1);
  REQUIRE(joint_knn_predict(xtr, ytr, xva, 9, JOINT_COSINE, p1, err, sizeof err) == 0);
  omp_set_num_threads(2);
  REQUIRE(joint_knn_predict(xtr, ytr, xva, 9, JOINT_COSINE, p2, err, sizeof err) == 0);
  CHECK(memcmp(p1->data, p2->data, 500 * sizeof(double)) == 0);
  gsl_matrix_free(xtr), gsl_matrix_free(ytr), gsl_matrix_free(xva), gsl_matrix_free(yva);
  gsl_matrix_free(p1), gsl_matrix_free(p2);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = from(3, 2, (double[]){0, 0, 1, 1, 2, NAN});
  gsl_matrix *y = from(3, 1, (double[]){0, 1, 2});
  gsl_matrix *q = from(1, 2, (double[]){0, 0});
  gsl_matrix *q3 = from(1, 3, (double[]){0, 0, 0});
  gsl_matrix *p = gsl_matrix_alloc(1, 1);
  char err[200] = "";
  CHECK(joint_knn_predict(x, y, q, 1, JOINT_EUCLIDEAN, p, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "row 2, column 1") != NULL, "%s", err);
  gsl_matrix_set(x, 2, 1, 2);
  CHECK(joint_knn_predict(x, y, q, 4, JOINT_EUCLIDEAN, p, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "k must be from 1 to 3") != NULL, "%s", err);
  CHECK(joint_knn_predict(x, y, q3, 1, JOINT_EUCLIDEAN, p, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "3 columns") != NULL, "%s", err);
  int ks[] = {5, 9}, k;
  double r2;
  CHECK(joint_knn_choose_k(x, y, q, y, ks, 2, JOINT_EUCLIDEAN, &k, &r2, err, sizeof err) ==
        SOMA_ERR_PARAM);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(q), gsl_matrix_free(q3);
  gsl_matrix_free(p);
}

int main(void) {
  RUN(r2_matches_sklearn);
  RUN(median_error_is_euclidean);
  RUN(neighbours_by_hand);
  RUN(cosine_ignores_length);
  RUN(decodes_a_place_code_and_chooses_k);
  RUN(same_answer_for_any_thread_count);
  RUN(bad_input_is_named);
  return h_done();
}
