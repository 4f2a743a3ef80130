/* test_joint_rsa.c — representational similarity analysis (joint/rsa.c): RSA(X, X) = 1 and
 * invariance to anything that keeps the rank order of the RDM (M1), golden values from numpy
 * and scipy (M2), binning and discrete conditions, sensitivity (M4), bad input. */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "joint/rsa.h"
#include "joint_metrics.h"
#include "sim/soma.h"

static double rsa_bins(const gsl_matrix *x, const gsl_matrix *y, const gsl_matrix *label,
                       size_t n_bins, joint_rsa_method m) {
  size_t *cond = malloc(label->size1 * sizeof *cond), n_cond = 0;
  char err[200];
  double s = NAN;
  if (joint_rsa_bin_label(label, n_bins, cond, &n_cond, err, sizeof err) ||
      joint_rsa(x, cond, y, cond, n_cond, m, &s, NULL, err, sizeof err))
    printf("  %s\n", err);
  free(cond);
  return s;
}

TEST(rsa_of_x_with_itself_is_one) {
  gsl_matrix *x = jm_random(500, 10, 1), *label = jm_random(500, 1, 2);
  CHECK_NEAR(rsa_bins(x, x, label, 20, JOINT_RSA_SPEARMAN), 1.0, 1e-12);
  CHECK_NEAR(rsa_bins(x, x, label, 20, JOINT_RSA_KENDALL_TAU_A), 1.0, 1e-12);
  /* RDMs use correlations across units: a scaled copy gives the same RDM */
  gsl_matrix *m = gsl_matrix_alloc(10, 10);
  gsl_matrix_set_identity(m);
  gsl_matrix *y = jm_map(x, m, 4.0, 0.0);
  CHECK_NEAR(rsa_bins(x, y, label, 20, JOINT_RSA_SPEARMAN), 1.0, 1e-12);
  gsl_matrix_free(x), gsl_matrix_free(label), gsl_matrix_free(m), gsl_matrix_free(y);
}

TEST(conditions_from_bins_and_discrete_labels) {
  double v[] = {0.0, 0.25, 0.5, 0.999, 1.0, 0.74};
  gsl_matrix_view l = gsl_matrix_view_array(v, 6, 1);
  size_t cond[6], n = 0;
  char err[200];
  REQUIRE(joint_rsa_bin_label(&l.matrix, 4, cond, &n, err, sizeof err) == SOMA_OK);
  CHECK(n == 4);
  size_t want[] = {0, 1, 2, 3, 3, 2};
  for (int i = 0; i < 6; i++) CHECK_MSG(cond[i] == want[i], "row %d: %zu", i, cond[i]);
  /* two columns: first slowest */
  double w[] = {0, 0, 0, 1, 1, 0, 1, 1};
  gsl_matrix_view l2 = gsl_matrix_view_array(w, 4, 2);
  REQUIRE(joint_rsa_bin_label(&l2.matrix, 2, cond, &n, err, sizeof err) == SOMA_OK);
  CHECK(n == 4 && cond[0] == 0 && cond[1] == 1 && cond[2] == 2 && cond[3] == 3);
  double d[] = {7, -2, 7, 3.5, -2};
  gsl_matrix_view l3 = gsl_matrix_view_array(d, 5, 1);
  REQUIRE(joint_rsa_discrete_label(&l3.matrix, 0, cond, &n, err, sizeof err) == SOMA_OK);
  CHECK(n == 3 && cond[0] == 2 && cond[1] == 0 && cond[2] == 2 && cond[3] == 1 && cond[4] == 0);
}

/* Golden values (numpy 1.24, scipy 1.10; X1, X2 of test_joint_cka.c), conditions i mod 4:
 *   cond = np.arange(12) % 4
 *   def cmeans(x): return np.array([x[cond == a].mean(0) for a in range(4)])
 *   def rsa(x, y, kendall=False):
 *       iu = np.triu_indices(4, 1)
 *       u, v = (1 - np.corrcoef(cmeans(x)))[iu], (1 - np.corrcoef(cmeans(y)))[iu]
 *       if kendall:
 *           return sum(np.sign(u[j] - u[i]) * np.sign(v[j] - v[i])
 *                      for i in range(6) for j in range(i + 1, 6)) / 15
 *       return scipy.stats.spearmanr(u, v).correlation
 * and the same with 6 conditions (i mod 6, np.triu_indices(6, 1), 105 pairs). X3 is left out:
 * with 2 units every correlation is ±1, and rounding decides the ties of its RDM. */
TEST(golden_values_from_numpy) {
  gsl_matrix *x1 = jm_golden(1), *x2 = jm_golden(2);
  size_t cond[12];
  for (size_t i = 0; i < 12; i++) cond[i] = i % 4;
  char err[200];
  double s = 0;
  size_t used = 0;
  REQUIRE(joint_rsa(x1, cond, x2, cond, 4, JOINT_RSA_SPEARMAN, &s, &used, err, sizeof err) == 0);
  CHECK(used == 4);
  CHECK_NEAR(s, 0.028571428571428574, 1e-8);
  REQUIRE(joint_rsa(x1, cond, x2, cond, 4, JOINT_RSA_KENDALL_TAU_A, &s, NULL, err, sizeof err) ==
          0);
  CHECK_NEAR(s, -0.06666666666666667, 1e-8);
  for (size_t i = 0; i < 12; i++) cond[i] = i % 6;
  REQUIRE(joint_rsa(x1, cond, x2, cond, 6, JOINT_RSA_SPEARMAN, &s, NULL, err, sizeof err) == 0);
  CHECK_NEAR(s, 0.5428571428571428, 1e-8);
  REQUIRE(joint_rsa(x1, cond, x2, cond, 6, JOINT_RSA_KENDALL_TAU_A, &s, NULL, err, sizeof err) ==
          0);
  CHECK_NEAR(s, 0.4095238095238095, 1e-8);
  gsl_matrix_free(x1), gsl_matrix_free(x2);
}

TEST(same_structure_ranks_above_shuffled) {
  gsl_matrix *u = jm_track_label(2000);
  gsl_matrix *e0 = jm_track_embedding(u, 0, 1, 0), *e1 = jm_track_embedding(u, 0, 2, 0);
  gsl_matrix *sh = jm_track_embedding(u, 0, 3, 1);
  double same = rsa_bins(e0, e1, u, 20, JOINT_RSA_SPEARMAN);
  double shuf = rsa_bins(e0, sh, u, 20, JOINT_RSA_SPEARMAN);
  /* the same coordinates, other noise: the RDM (a correlation across units) is not rotation
   * invariant, so embeddings from different seeds need aligning (e.g. by Procrustes) first */
  printf("  RSA (20 position bins) same %.3f shuffled %.3f\n", same, shuf);
  CHECK(same > 0.9 && fabs(shuf) < 0.3);
  gsl_matrix_free(u), gsl_matrix_free(e0), gsl_matrix_free(e1), gsl_matrix_free(sh);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = jm_random(10, 3, 8), *one = jm_random(10, 1, 9);
  size_t cond[10];
  for (size_t i = 0; i < 10; i++) cond[i] = i % 2;
  char err[200] = "";
  double s;
  CHECK(joint_rsa(x, cond, x, cond, 4, JOINT_RSA_SPEARMAN, &s, NULL, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "only 2 conditions hold rows of both x and y") != NULL, "%s", err);
  cond[3] = 9;
  CHECK(joint_rsa(x, cond, x, cond, 4, JOINT_RSA_SPEARMAN, &s, NULL, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "row 3 has condition 9 (must be < 4)") != NULL, "%s", err);
  for (size_t i = 0; i < 10; i++) cond[i] = i % 3;
  CHECK(joint_rsa(one, cond, x, cond, 3, JOINT_RSA_SPEARMAN, &s, NULL, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "needs >= 2 columns (got 1)") != NULL, "%s", err);
  CHECK(joint_rsa_bin_label(x, 0, cond, &(size_t){0}, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "n_bins must be >= 1 (got 0)") != NULL, "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(one);
}

int main(void) {
  RUN(rsa_of_x_with_itself_is_one);
  RUN(conditions_from_bins_and_discrete_labels);
  RUN(golden_values_from_numpy);
  RUN(same_structure_ranks_above_shuffled);
  RUN(bad_input_is_named);
  return h_done();
}
