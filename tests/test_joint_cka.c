/* test_joint_cka.c — linear and RBF CKA (joint/cka.c): invariance to rotation, isotropic
 * scaling and shifts (M1), golden values from numpy (M2), the deterministic row cap, the same
 * bits for 1 and 2 threads, sensitivity (M4: same structure above shuffled), bad input. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "harness.h"
#include "joint/cka.h"
#include "joint/mat.h"
#include "joint_metrics.h"
#include "sim/soma.h"

TEST(invariant_to_rotation_scaling_and_shift) {
  gsl_matrix *x = jm_random(500, 10, 1), *q = jm_orthogonal(10, 2);
  gsl_matrix *y = jm_map(x, q, 2.5, -3.0);
  char err[200];
  double lin = 0, rbf = 0;
  REQUIRE(joint_cka_linear(x, y, &lin, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_cka_rbf(x, y, joint_cka_defaults(), &rbf, NULL, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(lin, 1.0, 1e-10);
  CHECK_NEAR(rbf, 1.0, 1e-10);
  /* not invariant to a general invertible map: stretch one axis by 10 */
  gsl_matrix *m = gsl_matrix_alloc(10, 10);
  gsl_matrix_set_identity(m);
  gsl_matrix_set(m, 0, 0, 10.0);
  gsl_matrix *z = jm_map(x, m, 1.0, 0.0);
  REQUIRE(joint_cka_linear(x, z, &lin, err, sizeof err) == SOMA_OK);
  CHECK_MSG(lin < 0.5, "linear CKA(X, X diag(10, 1, ...)) = %.4f", lin);
  /* unrelated data: near 0 */
  gsl_matrix *w = jm_random(500, 10, 3);
  REQUIRE(joint_cka_linear(x, w, &lin, err, sizeof err) == SOMA_OK);
  CHECK_MSG(lin < 0.05, "linear CKA of independent data = %.4f", lin);
  gsl_matrix_free(x), gsl_matrix_free(q), gsl_matrix_free(y), gsl_matrix_free(m);
  gsl_matrix_free(z), gsl_matrix_free(w);
}

/* Golden values (numpy 1.24, google-research representation_similarity's definitions):
 *   def c(x): return x - x.mean(0)
 *   def lin_cka(x, y):
 *       x, y = c(x), c(y)
 *       return np.linalg.norm(y.T @ x)**2 / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y))
 *   def gram_rbf(x, th):
 *       d = x @ x.T; s = np.diag(d); sq = -2 * d + s[:, None] + s[None, :]
 *       return np.exp(-sq / (2 * th**2 * np.median(sq)))
 *   def center_gram(g):
 *       g = g.copy(); m = g.mean(0); m -= m.mean() / 2
 *       return g - m[:, None] - m[None, :]
 *   def rbf_cka(x, y, th):
 *       a, b = center_gram(gram_rbf(x, th)), center_gram(gram_rbf(y, th))
 *       return a.ravel() @ b.ravel() / (np.linalg.norm(a) * np.linalg.norm(b))
 * with X1, X2, X3 of tests/joint_metrics.h (i = np.arange(12)[:, None]):
 *   X1 = np.sin(0.7 * i + 1.3 * np.arange(3)[None, :] + 0.2) + 0.05 * i
 *   X2 = np.cos(0.45 * i * (np.arange(4)[None, :] + 1) + 0.3)
 *   X3 = np.sin(0.9 * i + 0.4 * np.arange(2)[None, :]) ** 2 */
TEST(golden_values_from_numpy) {
  gsl_matrix *x1 = jm_golden(1), *x2 = jm_golden(2), *x3 = jm_golden(3);
  char err[200];
  double v = 0;
  joint_cka_opts o = joint_cka_defaults();
  REQUIRE(joint_cka_linear(x1, x2, &v, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.4611285209780495, 1e-8);
  REQUIRE(joint_cka_linear(x1, x3, &v, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.0016371383090300463, 1e-8);
  REQUIRE(joint_cka_linear(x2, x3, &v, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.506462624210093, 1e-8);
  REQUIRE(joint_cka_rbf(x1, x2, o, &v, NULL, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.5378480487297987, 1e-8);
  REQUIRE(joint_cka_rbf(x1, x3, o, &v, NULL, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.03409990567525897, 1e-8);
  o.theta = 0.5;
  REQUIRE(joint_cka_rbf(x2, x3, o, &v, NULL, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.564844937680688, 1e-8);
  gsl_matrix_free(x1), gsl_matrix_free(x2), gsl_matrix_free(x3);
}

TEST(rows_above_the_cap_are_subsampled_evenly) {
  gsl_matrix *x = jm_random(4001, 3, 4), *y = jm_random(4001, 2, 5);
  for (size_t i = 0; i < 4001; i++) *gsl_matrix_ptr(y, i, 0) += gsl_matrix_get(x, i, 0);
  joint_cka_opts o = joint_cka_defaults();
  o.max_rows = 1000;
  char err[200];
  double v = 0, w = 0;
  size_t used = 0, rows[1000];
  REQUIRE(joint_cka_rbf(x, y, o, &v, &used, err, sizeof err) == SOMA_OK);
  CHECK(used == 1000);
  joint_mat_even_rows(4001, 1000, rows);
  CHECK(rows[0] == 0 && rows[1] == 4 && rows[999] == 3996);
  gsl_matrix *xs = joint_mat_rows(x, rows, 1000), *ys = joint_mat_rows(y, rows, 1000);
  REQUIRE(joint_cka_rbf(xs, ys, o, &w, &used, err, sizeof err) == SOMA_OK);
  CHECK(used == 1000);
  CHECK(v == w);
  CHECK_MSG(v > 0.1 && v < 0.9, "rbf CKA = %.3f", v);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(xs), gsl_matrix_free(ys);
}

TEST(same_bits_for_one_and_two_threads) {
  gsl_matrix *x = jm_random(700, 4, 6), *y = jm_random(700, 5, 7);
  char err[200];
  double a = 0, b = 1;
  omp_set_num_threads(1);
  REQUIRE(joint_cka_rbf(x, y, joint_cka_defaults(), &a, NULL, err, sizeof err) == SOMA_OK);
  omp_set_num_threads(2);
  REQUIRE(joint_cka_rbf(x, y, joint_cka_defaults(), &b, NULL, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  gsl_matrix_free(x), gsl_matrix_free(y);
}

TEST(same_structure_ranks_above_shuffled) {
  gsl_matrix *u = jm_track_label(2000);
  gsl_matrix *e0 = jm_track_embedding(u, 1, 1, 0), *e1 = jm_track_embedding(u, 2, 2, 0);
  gsl_matrix *sh = jm_track_embedding(u, 3, 3, 1);
  char err[200];
  double same = 0, shuf = 0, rsame = 0, rshuf = 0;
  REQUIRE(joint_cka_linear(e0, e1, &same, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_cka_linear(e0, sh, &shuf, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_cka_rbf(e0, e1, joint_cka_defaults(), &rsame, NULL, err, sizeof err) == 0);
  REQUIRE(joint_cka_rbf(e0, sh, joint_cka_defaults(), &rshuf, NULL, err, sizeof err) == 0);
  printf("  linear CKA same %.3f shuffled %.3f; rbf same %.3f shuffled %.3f\n", same, shuf,
         rsame, rshuf);
  CHECK(same > 0.8 && shuf < 0.1);
  CHECK(rsame > 0.8 && rshuf < 0.1);
  gsl_matrix_free(u), gsl_matrix_free(e0), gsl_matrix_free(e1), gsl_matrix_free(sh);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = jm_random(10, 2, 8), *y = jm_random(9, 2, 9), *z = gsl_matrix_calloc(10, 2);
  char err[200] = "";
  double v;
  CHECK(joint_cka_linear(x, y, &v, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "x has 10 rows but y has 9") != NULL, "%s", err);
  CHECK(joint_cka_linear(x, z, &v, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "every column of y is constant") != NULL, "%s", err);
  joint_cka_opts o = joint_cka_defaults();
  o.theta = -1;
  CHECK(joint_cka_rbf(x, x, o, &v, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "theta must be > 0 (got -1)") != NULL, "%s", err);
  CHECK(joint_cka_rbf(z, x, joint_cka_defaults(), &v, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "median squared distance between the 10 rows of x is 0") != NULL, "%s",
            err);
  gsl_matrix_set(x, 3, 1, NAN);
  CHECK(joint_cka_rbf(x, x, joint_cka_defaults(), &v, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "rbf cka: the x hold nan at row 3, column 1") != NULL, "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(z);
}

int main(void) {
  RUN(invariant_to_rotation_scaling_and_shift);
  RUN(golden_values_from_numpy);
  RUN(rows_above_the_cap_are_subsampled_evenly);
  RUN(same_bits_for_one_and_two_threads);
  RUN(same_structure_ranks_above_shuffled);
  RUN(bad_input_is_named);
  return h_done();
}
