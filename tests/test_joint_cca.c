/* test_joint_cca.c — canonical correlations, SVCCA and PWCCA (joint/cca.c): ρ = 1 for any
 * invertible linear image (M1), independent data near 0, golden values from numpy (M2), the
 * ridge shrinking correlations, the guard against n <= p + q, bad input. */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "joint/cca.h"
#include "joint_metrics.h"
#include "sim/soma.h"

TEST(one_for_an_invertible_linear_image) {
  gsl_matrix *x = jm_random(500, 10, 1), *m = jm_random(10, 10, 2);
  gsl_matrix *y = jm_map(x, m, 1.0, 5.0);
  gsl_vector *rho = gsl_vector_alloc(10);
  char err[200];
  size_t n = 0;
  double mean = 0;
  REQUIRE(joint_cca(x, y, 0, rho, &n, &mean, err, sizeof err) == SOMA_OK);
  CHECK(n == 10);
  for (size_t k = 0; k < 10; k++) CHECK_NEAR(gsl_vector_get(rho, k), 1.0, 1e-10);
  CHECK_NEAR(mean, 1.0, 1e-10);
  double sv = 0, pw = 0;
  REQUIRE(joint_svcca(x, y, 0.99, &sv, NULL, NULL, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_pwcca(x, y, &pw, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(pw, 1.0, 1e-10);
  CHECK_MSG(sv > 0.9, "svcca = %.4f", sv);
  /* independent data: correlations near sqrt(p q / n) at most */
  gsl_matrix *z = jm_random(500, 10, 3);
  REQUIRE(joint_cca(x, z, 0, rho, &n, &mean, err, sizeof err) == SOMA_OK);
  CHECK_MSG(mean < 0.15 && gsl_vector_get(rho, 0) < 0.35, "mean %.3f, top %.3f", mean,
            gsl_vector_get(rho, 0));
  /* the ridge shrinks every correlation and leaves exact ones below 1 */
  double mean_ridge = 0;
  REQUIRE(joint_cca(x, y, 0.5, rho, &n, &mean_ridge, err, sizeof err) == SOMA_OK);
  CHECK_MSG(mean_ridge < 0.95 && mean_ridge > 0.3, "ridge 0.5: mean %.4f", mean_ridge);
  gsl_matrix_free(x), gsl_matrix_free(m), gsl_matrix_free(y), gsl_matrix_free(z);
  gsl_vector_free(rho);
}

TEST(rank_deficient_sides_give_fewer_correlations) {
  /* y has 4 columns but rank 2 */
  gsl_matrix *x = jm_random(300, 3, 4), *m = jm_random(3, 2, 5), *w = jm_random(2, 4, 6);
  gsl_matrix *low = jm_map(x, m, 1.0, 0.0), *y = jm_map(low, w, 1.0, 1.0);
  gsl_vector *rho = gsl_vector_alloc(3);
  char err[200];
  size_t n = 0;
  double mean = 0;
  REQUIRE(joint_cca(x, y, 0, rho, &n, &mean, err, sizeof err) == SOMA_OK);
  CHECK(n == 2);
  CHECK_NEAR(gsl_vector_get(rho, 0), 1.0, 1e-10);
  CHECK_NEAR(gsl_vector_get(rho, 1), 1.0, 1e-10);
  CHECK(gsl_vector_get(rho, 2) == 0);
  gsl_matrix *all[] = {x, m, w, low, y};
  for (size_t i = 0; i < 5; i++) gsl_matrix_free(all[i]);
  gsl_vector_free(rho);
}

/* Golden values (numpy 1.24; X1, X2, c as in test_joint_cka.c):
 *   def cca(x, y):
 *       qx, _ = np.linalg.qr(c(x)); qy, _ = np.linalg.qr(c(y))
 *       return np.linalg.svd(qx.T @ qy, compute_uv=False)
 *   def svcca(x, y, keep=0.99):
 *       def red(z):
 *           u, s, _ = np.linalg.svd(c(z), full_matrices=False)
 *           k = int(np.argmax(np.cumsum(s**2) >= keep * np.sum(s**2))) + 1
 *           return u[:, :k]
 *       return np.linalg.svd(red(x).T @ red(y), compute_uv=False).mean()
 *   def pwcca(x, y):
 *       if y.shape[1] < x.shape[1]: x, y = y, x
 *       ux = np.linalg.svd(c(x), full_matrices=False)[0]
 *       uy = np.linalg.svd(c(y), full_matrices=False)[0]
 *       a, rho, _ = np.linalg.svd(ux.T @ uy, full_matrices=False)
 *       alpha = np.abs((ux @ a).T @ c(x)).sum(1)
 *       return (alpha * rho).sum() / alpha.sum()
 * cca(X1, X2), svcca(X1, X2), svcca(X2, X1, 0.9) (keeps 4 and 2), pwcca(X1, X2),
 * pwcca(X2, X3). */
TEST(golden_values_from_numpy) {
  gsl_matrix *x1 = jm_golden(1), *x2 = jm_golden(2), *x3 = jm_golden(3);
  gsl_vector *rho = gsl_vector_alloc(3);
  char err[200];
  double mean = 0, v = 0;
  size_t n = 0, kx = 0, ky = 0;
  REQUIRE(joint_cca(x1, x2, 0, rho, &n, &mean, err, sizeof err) == SOMA_OK);
  CHECK(n == 3);
  CHECK_NEAR(gsl_vector_get(rho, 0), 0.9982840328440964, 1e-8);
  CHECK_NEAR(gsl_vector_get(rho, 1), 0.8408911139570989, 1e-8);
  CHECK_NEAR(gsl_vector_get(rho, 2), 0.03810747557584872, 1e-8);
  CHECK_NEAR(mean, 0.6257608741256814, 1e-8);
  REQUIRE(joint_svcca(x1, x2, 0.99, &v, &kx, &ky, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.6257608741256814, 1e-8);
  CHECK(kx == 3 && ky == 4);
  REQUIRE(joint_svcca(x2, x1, 0.9, &v, &kx, &ky, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.660406948106921, 1e-8);
  CHECK(kx == 4 && ky == 2);
  REQUIRE(joint_pwcca(x1, x2, &v, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.6094167171770724, 1e-8);
  REQUIRE(joint_pwcca(x2, x3, &v, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(v, 0.784111933168631, 1e-8);
  gsl_matrix_free(x1), gsl_matrix_free(x2), gsl_matrix_free(x3);
  gsl_vector_free(rho);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = jm_random(15, 10, 7), *y = jm_random(15, 10, 8), *c = gsl_matrix_alloc(15, 2);
  gsl_matrix_set_all(c, 3.0);
  char err[300] = "";
  double mean;
  CHECK(joint_cca(x, y, 0, NULL, NULL, &mean, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "cca: 15 rows for 10 + 10 columns") != NULL, "%s", err);
  CHECK_MSG(strstr(err, "or ridge > 0") != NULL, "%s", err);
  CHECK(joint_cca(x, y, 0.1, NULL, NULL, &mean, err, sizeof err) == SOMA_OK);
  CHECK(joint_cca(x, y, -1, NULL, NULL, &mean, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "ridge must be >= 0 (got -1)") != NULL, "%s", err);
  CHECK(joint_cca(x, c, 0.1, NULL, NULL, &mean, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "every column of y is constant") != NULL, "%s", err);
  gsl_vector *small = gsl_vector_alloc(1);
  CHECK(joint_cca(x, y, 0.1, small, NULL, &mean, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "rho must hold >= 10 values") != NULL, "%s", err);
  CHECK(joint_svcca(x, y, 1.5, &mean, NULL, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "keep must be in (0, 1] (got 1.5)") != NULL, "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(c), gsl_vector_free(small);
}

int main(void) {
  RUN(one_for_an_invertible_linear_image);
  RUN(rank_deficient_sides_give_fewer_correlations);
  RUN(golden_values_from_numpy);
  RUN(bad_input_is_named);
  return h_done();
}
