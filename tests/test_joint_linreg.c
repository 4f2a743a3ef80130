/* test_joint_linreg.c — affine ridge regression (joint/linreg.c): exact recovery of an affine
 * map, the ridge solution against its normal equations, minimum-norm answers for collinear
 * inputs, consistency(X, XM + b) = 1 (CEBRA's core), and messages for bad input. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/linreg.h"
#include "sim/rng.h"
#include "sim/soma.h"

static gsl_matrix *random_matrix(size_t r, size_t c, uint32_t seed) {
  gsl_matrix *m = gsl_matrix_alloc(r, c);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, seed, 11, 0, 0, 0);
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < c; j++) gsl_matrix_set(m, i, j, gsl_ran_gaussian(g, 1.0));
  soma_gsl_rng_free(g);
  return m;
}

/* y = x M + 1 bᵀ */
static gsl_matrix *affine(const gsl_matrix *x, const gsl_matrix *M, const double *b) {
  gsl_matrix *y = gsl_matrix_alloc(x->size1, M->size2);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, x, M, 0.0, y);
  for (size_t i = 0; i < y->size1; i++)
    for (size_t j = 0; j < y->size2; j++) *gsl_matrix_ptr(y, i, j) += b[j];
  return y;
}

TEST(recovers_an_affine_map) {
  gsl_matrix *x = random_matrix(200, 4, 1), *M = random_matrix(4, 3, 2);
  double b[3] = {1, -2, 0.5};
  gsl_matrix *y = affine(x, M, b);
  joint_linreg *m;
  char err[200];
  REQUIRE(joint_linreg_fit(x, y, 0, &m, err, sizeof err) == SOMA_OK);
  for (size_t i = 0; i < 4; i++)
    for (size_t j = 0; j < 3; j++)
      CHECK_NEAR(gsl_matrix_get(m->coef, i, j), gsl_matrix_get(M, i, j), 1e-10);
  for (size_t j = 0; j < 3; j++) CHECK_NEAR(gsl_vector_get(m->intercept, j), b[j], 1e-10);
  CHECK_NEAR(joint_linreg_r2_in_sample(x, y), 1.0, 1e-12);
  joint_linreg_free(m);
  gsl_matrix_free(x), gsl_matrix_free(M), gsl_matrix_free(y);
}

TEST(ridge_solves_its_normal_equations) {
  /* (XcᵀXc + λI) B = XcᵀYc, checked by substitution */
  gsl_matrix *x = random_matrix(50, 5, 3), *y = random_matrix(50, 2, 4);
  joint_linreg *m;
  char err[200];
  double lambda = 7.5;
  REQUIRE(joint_linreg_fit(x, y, lambda, &m, err, sizeof err) == SOMA_OK);
  double mx[5] = {0}, my[2] = {0};
  for (size_t i = 0; i < 50; i++) {
    for (size_t j = 0; j < 5; j++) mx[j] += gsl_matrix_get(x, i, j) / 50;
    for (size_t j = 0; j < 2; j++) my[j] += gsl_matrix_get(y, i, j) / 50;
  }
  for (size_t a = 0; a < 5; a++)
    for (size_t c = 0; c < 2; c++) {
      double lhs = lambda * gsl_matrix_get(m->coef, a, c), rhs = 0;
      for (size_t i = 0; i < 50; i++) {
        double xa = gsl_matrix_get(x, i, a) - mx[a];
        rhs += xa * (gsl_matrix_get(y, i, c) - my[c]);
        for (size_t k = 0; k < 5; k++)
          lhs += xa * (gsl_matrix_get(x, i, k) - mx[k]) * gsl_matrix_get(m->coef, k, c);
      }
      CHECK_NEAR(lhs, rhs, 1e-9);
    }
  /* the intercept makes the fit pass through the means */
  for (size_t c = 0; c < 2; c++) {
    double at_mean = gsl_vector_get(m->intercept, c);
    for (size_t k = 0; k < 5; k++) at_mean += mx[k] * gsl_matrix_get(m->coef, k, c);
    CHECK_NEAR(at_mean, my[c], 1e-12);
  }
  joint_linreg_free(m);
  gsl_matrix_free(x), gsl_matrix_free(y);
}

TEST(collinear_columns_give_the_minimum_norm_answer) {
  /* x = [u, u]: y = 2u is fitted by coefficients (1, 1), the shortest of all a + b = 2 */
  gsl_matrix *u = random_matrix(30, 1, 5);
  gsl_matrix *x = gsl_matrix_alloc(30, 2), *y = gsl_matrix_alloc(30, 1);
  for (size_t i = 0; i < 30; i++) {
    double v = gsl_matrix_get(u, i, 0);
    gsl_matrix_set(x, i, 0, v), gsl_matrix_set(x, i, 1, v), gsl_matrix_set(y, i, 0, 2 * v);
  }
  joint_linreg *m;
  char err[200];
  REQUIRE(joint_linreg_fit(x, y, 0, &m, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(m->coef, 0, 0), 1, 1e-9);
  CHECK_NEAR(gsl_matrix_get(m->coef, 1, 0), 1, 1e-9);
  joint_linreg_free(m);
  gsl_matrix_free(u), gsl_matrix_free(x), gsl_matrix_free(y);
}

TEST(consistency_of_an_invertible_affine_image_is_one) {
  gsl_matrix *x = random_matrix(500, 3, 6), *M = random_matrix(3, 3, 7);
  double b[3] = {3, 0, -1};
  gsl_matrix *y = affine(x, M, b);
  CHECK_NEAR(joint_linreg_r2_in_sample(x, y), 1.0, 1e-10);
  CHECK_NEAR(joint_linreg_r2_in_sample(y, x), 1.0, 1e-10);
  /* unrelated data: R² near 0 */
  gsl_matrix *z = random_matrix(500, 3, 8);
  CHECK(joint_linreg_r2_in_sample(x, z) < 0.05);
  gsl_matrix_free(x), gsl_matrix_free(M), gsl_matrix_free(y), gsl_matrix_free(z);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = random_matrix(10, 2, 9), *y = random_matrix(9, 1, 10);
  joint_linreg *m = (joint_linreg *)1;
  char err[200] = "";
  CHECK(joint_linreg_fit(x, y, 0, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK(m == NULL);
  CHECK_MSG(strstr(err, "10 rows of input but 9") != NULL, "%s", err);
  gsl_matrix *y10 = random_matrix(10, 1, 11);
  CHECK(joint_linreg_fit(x, y10, -1, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "lambda must be >= 0 (got -1)") != NULL, "%s", err);
  gsl_matrix_set(y10, 4, 0, INFINITY);
  CHECK(joint_linreg_fit(x, y10, 0, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "output hold inf at row 4, column 0") != NULL, "%s", err);
  CHECK(isnan(joint_linreg_r2_in_sample(x, y)));
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(y10);
}

int main(void) {
  RUN(recovers_an_affine_map);
  RUN(ridge_solves_its_normal_equations);
  RUN(collinear_columns_give_the_minimum_norm_answer);
  RUN(consistency_of_an_invertible_affine_image_is_one);
  RUN(bad_input_is_named);
  return h_done();
}
