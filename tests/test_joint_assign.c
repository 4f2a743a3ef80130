/* test_joint_assign.c — optimal assignment (joint/assign.c): a case by hand, every square and
 * rectangular random matrix up to 6 × 6 against brute force over all pairings, integer ties,
 * label matching after a renaming, and messages for bad input. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "harness.h"
#include "joint/assign.h"
#include "sim/rng.h"
#include "sim/soma.h"

/* the minimum over injective maps of the smaller side into the larger, by recursion */
static double brute(const gsl_matrix *c, size_t i, unsigned used) {
  size_t r = c->size1, k = c->size2;
  if (r <= k) {
    if (i == r) return 0;
    double best = INFINITY;
    for (size_t j = 0; j < k; j++)
      if (!(used >> j & 1u))
        best = fmin(best, gsl_matrix_get(c, i, j) + brute(c, i + 1, used | 1u << j));
    return best;
  }
  if (i == k) return 0;   /* more rows than columns: choose a row for each column i */
  double best = INFINITY;
  for (size_t j = 0; j < r; j++)
    if (!(used >> j & 1u))
      best = fmin(best, gsl_matrix_get(c, j, i) + brute(c, i + 1, used | 1u << j));
  return best;
}

TEST(a_case_by_hand) {
  /* of the 6 pairings the cheapest is 0→1, 1→0, 2→2: 1 + 2 + 2 = 5 (the next is 6) */
  double v[9] = {4, 1, 3, 2, 0, 5, 3, 2, 2};
  gsl_matrix_view c = gsl_matrix_view_array(v, 3, 3);
  int col[3];
  double total;
  char err[200];
  REQUIRE(joint_assign(&c.matrix, col, &total, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(total, 5, 1e-12);
  CHECK(col[0] == 1 && col[1] == 0 && col[2] == 2);
}

TEST(matches_brute_force) {
  soma_stream s;
  int bad = 0, cases = 0;
  for (size_t r = 1; r <= 6; r++)
    for (size_t k = 1; k <= 6; k++)
      for (int rep = 0; rep < 20; rep++) {
        soma_stream_init(&s, 5, 1, (uint32_t)r, (uint32_t)k, (uint32_t)rep);
        gsl_matrix *c = gsl_matrix_alloc(r, k);
        for (size_t i = 0; i < r; i++)
          for (size_t j = 0; j < k; j++) {
            /* half the cases small integers (many ties), half continuous, some negative */
            double x = rep % 2 ? (double)soma_stream_below(&s, 4)
                               : 10 * soma_stream_u01(&s) - 3;
            gsl_matrix_set(c, i, j, x);
          }
        int col[6];
        double total;
        if (joint_assign(c, col, &total, NULL, 0) != SOMA_OK) bad++;
        /* one-to-one, and the total is what the pairing costs */
        double sum = 0;
        int seen[6] = {0}, n_assigned = 0;
        for (size_t i = 0; i < r; i++) {
          if (col[i] < 0) continue;
          if (col[i] >= (int)k || seen[col[i]]++) bad++;
          sum += gsl_matrix_get(c, i, (size_t)col[i]);
          n_assigned++;
        }
        if (n_assigned != (int)(r < k ? r : k)) bad++;
        if (fabs(sum - total) > 1e-12 || fabs(total - brute(c, 0, 0)) > 1e-9) bad++;
        cases++;
        gsl_matrix_free(c);
      }
  CHECK_MSG(bad == 0, "%d of %d cases wrong", bad, cases);
}

TEST(matches_renamed_labels) {
  /* pred is truth renamed by 0→2, 1→0, 2→1, 3→3 with 10 % of the samples changed */
  enum { N = 1000 };
  int truth[N], pred[N], rename[4] = {2, 0, 1, 3}, map[4];
  soma_stream s;
  soma_stream_init(&s, 9, 2, 0, 0, 0);
  for (int t = 0; t < N; t++) {
    truth[t] = (int)soma_stream_below(&s, 4);
    pred[t] = t % 10 == 3 ? (int)soma_stream_below(&s, 4) : rename[truth[t]];
  }
  double acc;
  char err[200];
  REQUIRE(joint_assign_labels(truth, pred, N, 4, 4, map, &acc, err, sizeof err) == SOMA_OK);
  for (int j = 0; j < 4; j++) CHECK(rename[map[j]] == j);
  int agree = 0;
  for (int t = 0; t < N; t++) agree += map[pred[t]] == truth[t];
  CHECK_NEAR(acc, agree / (double)N, 1e-15);
  CHECK_MSG(acc > 0.9, "accuracy %.3f", acc);
  /* more predicted labels than true ones: one is left over */
  int map5[5];
  for (int t = 0; t < N; t++) pred[t] = t % 7 == 0 ? 4 : rename[truth[t]];
  REQUIRE(joint_assign_labels(truth, pred, N, 4, 5, map5, &acc, err, sizeof err) == SOMA_OK);
  CHECK(map5[4] == -1);
}

TEST(bad_input_is_named) {
  double v[4] = {1, NAN, 0, 2};
  gsl_matrix_view c = gsl_matrix_view_array(v, 2, 2);
  int col[2];
  char err[200] = "";
  CHECK(joint_assign(&c.matrix, col, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "assign: the costs hold nan at row 0, column 1") != NULL, "%s", err);
  int truth[3] = {0, 1, 2}, pred[3] = {0, 1, 3}, map[3];
  CHECK(joint_assign_labels(truth, pred, 3, 3, 3, map, NULL, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "predicted label 3 at sample 2 is outside [0, 3)") != NULL, "%s", err);
  CHECK(joint_assign_labels(truth, pred, 0, 3, 3, map, NULL, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "no samples") != NULL, "%s", err);
}

int main(void) {
  RUN(a_case_by_hand);
  RUN(matches_brute_force);
  RUN(matches_renamed_labels);
  RUN(bad_input_is_named);
  return h_done();
}
