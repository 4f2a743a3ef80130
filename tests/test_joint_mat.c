/* test_joint_mat.c — the metrics' matrix helpers (joint/mat.c): the thin SVD of tall, square
 * and wide matrices reconstructs its input with orthonormal factors (both the plain and the
 * QR-first paths, many times in a row so that reused memory is exercised), centring, even row
 * subsampling, and the input checks' messages. */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "joint/mat.h"
#include "joint_metrics.h"
#include "sim/soma.h"

/* max |UᵀU − I| */
static double orthonormality(const gsl_matrix *u) {
  double o = 0;
  for (size_t p = 0; p < u->size2; p++)
    for (size_t q = 0; q < u->size2; q++) {
      double x = 0;
      for (size_t i = 0; i < u->size1; i++) x += gsl_matrix_get(u, i, p) * gsl_matrix_get(u, i, q);
      o = fmax(o, fabs(x - (p == q)));
    }
  return o;
}

TEST(thin_svd_of_any_shape) {
  size_t shapes[][2] = {{1000, 7}, {50, 20}, {14, 7}, {13, 7}, {7, 7}, {7, 14}, {3, 40},
                        {300, 1}, {1, 5}, {24, 2}, {44, 2}, {26, 3}};
  double worst_rec = 0, worst_orth = 0;
  for (int rep = 0; rep < 3; rep++)
    for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
      size_t r = shapes[k][0], c = shapes[k][1], m = r < c ? r : c;
      gsl_matrix *a = jm_random(r, c, 10 + (uint32_t)k), *u = gsl_matrix_alloc(r, m);
      gsl_matrix *v = gsl_matrix_alloc(c, m);
      gsl_vector *s = gsl_vector_alloc(m);
      REQUIRE(joint_mat_svd(a, u, s, v) == SOMA_OK);
      for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++) {
          double x = 0;
          for (size_t q = 0; q < m; q++)
            x += gsl_matrix_get(u, i, q) * gsl_vector_get(s, q) * gsl_matrix_get(v, j, q);
          worst_rec = fmax(worst_rec, fabs(x - gsl_matrix_get(a, i, j)));
        }
      worst_orth = fmax(worst_orth, fmax(orthonormality(u), orthonormality(v)));
      for (size_t q = 1; q < m; q++) CHECK(gsl_vector_get(s, q) <= gsl_vector_get(s, q - 1));
      gsl_matrix_free(a), gsl_matrix_free(u), gsl_matrix_free(v), gsl_vector_free(s);
    }
  printf("  worst reconstruction %.2g, worst |UᵀU − I| %.2g\n", worst_rec, worst_orth);
  CHECK(worst_rec < 1e-12 && worst_orth < 1e-12);
}

TEST(centring_subsampling_and_checks) {
  gsl_matrix *r = jm_random(20, 3, 1), *q = jm_orthogonal(3, 2), *x = jm_map(r, q, 1.0, 5.0);
  gsl_matrix *c = joint_mat_centred(x);
  for (size_t j = 0; j < 3; j++) {
    double s = 0;
    for (size_t i = 0; i < 20; i++) s += gsl_matrix_get(c, i, j);
    CHECK_NEAR(s, 0, 1e-12);
  }
  size_t rows[4];
  joint_mat_even_rows(10, 4, rows);
  CHECK(rows[0] == 0 && rows[1] == 2 && rows[2] == 5 && rows[3] == 7);
  char err[200] = "";
  CHECK(joint_mat_check(NULL, 1, "who", "thing", err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strcmp(err, "who: the thing is missing") == 0, "%s", err);
  CHECK(joint_mat_check(x, 30, "who", "thing", err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the thing has 20 rows and 3 columns (needs >= 30 rows") != NULL, "%s",
            err);
  gsl_matrix_free(r), gsl_matrix_free(q), gsl_matrix_free(x), gsl_matrix_free(c);
}

/* xᵀx and x xᵀ against the sums they are, every entry, both triangles */
TEST(gram_matrices) {
  gsl_matrix *x = jm_random(37, 5, 11), *inner = gsl_matrix_alloc(5, 5),
             *outer = gsl_matrix_alloc(37, 37);
  CHECK(joint_mat_gram(x, 0, inner) == SOMA_OK && joint_mat_gram(x, 1, outer) == SOMA_OK);
  double worst = 0;
  for (size_t a = 0; a < 5; a++)
    for (size_t b = 0; b < 5; b++) {
      double s = 0;
      for (size_t i = 0; i < 37; i++) s += gsl_matrix_get(x, i, a) * gsl_matrix_get(x, i, b);
      worst = fmax(worst, fabs(gsl_matrix_get(inner, a, b) - s));
    }
  for (size_t i = 0; i < 37; i++)
    for (size_t j = 0; j < 37; j++) {
      double s = 0;
      for (size_t a = 0; a < 5; a++) s += gsl_matrix_get(x, i, a) * gsl_matrix_get(x, j, a);
      worst = fmax(worst, fabs(gsl_matrix_get(outer, i, j) - s));
    }
  CHECK_MSG(worst < 1e-12, "largest difference %g", worst);
  gsl_matrix_free(x), gsl_matrix_free(inner), gsl_matrix_free(outer);
}

int main(void) {
  RUN(thin_svd_of_any_shape);
  RUN(gram_matrices);
  RUN(centring_subsampling_and_checks);
  return h_done();
}
