/* test_joint_identify.c — identifiability (joint/identify.c): an affine image of the latents is
 * read out exactly by the linear fit, a nonlinear code (an arc of a circle) only by kNN,
 * unrelated data by neither; index lists against ranges; overlapping or out-of-range rows are
 * refused. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "harness.h"
#include "joint/identify.h"
#include "joint_metrics.h"
#include "sim/soma.h"

/* latent u (T × 1): independent uniform draws on [0, 1], so that every block covers the range */
static gsl_matrix *uniform_latent(size_t T, uint32_t seed) {
  gsl_matrix *u = jm_random(T, 1, seed);
  for (size_t t = 0; t < T; t++) u->data[t] = gsl_cdf_ugaussian_P(u->data[t]);
  return u;
}

static joint_identify_split blocks(size_t T) {
  return (joint_identify_split){.train = joint_rows_range(0, T * 6 / 10),
                                .valid = joint_rows_range(T * 6 / 10, T * 8 / 10),
                                .test = joint_rows_range(T * 8 / 10, T)};
}

TEST(affine_codes_are_read_out_exactly_circular_ones_by_knn) {
  size_t T = 3000;
  gsl_matrix *u = uniform_latent(T, 7), *m = jm_random(1, 3, 1);
  gsl_matrix *lin = jm_map(u, m, 1.0, 0.5), *circ = gsl_matrix_alloc(T, 2);
  for (size_t t = 0; t < T; t++) {
    double v = gsl_matrix_get(u, t, 0);
    gsl_matrix_set(circ, t, 0, cos(1.8 * M_PI * v));
    gsl_matrix_set(circ, t, 1, sin(1.8 * M_PI * v));
  }
  gsl_matrix *noise = jm_random(T, 3, 2);
  joint_identify_result r;
  char err[200];
  joint_identify_opts o = joint_identify_defaults();
  REQUIRE(joint_identify(lin, u, blocks(T), o, &r, err, sizeof err) == SOMA_OK);
  printf("  affine code: linear R2 %.12f, kNN R2 %.4f (k = %d)\n", r.linear_r2, r.knn_r2, r.knn_k);
  CHECK_NEAR(r.linear_r2, 1.0, 1e-10);
  CHECK(r.knn_r2 > 0.95);
  REQUIRE(joint_identify(circ, u, blocks(T), o, &r, err, sizeof err) == SOMA_OK);
  printf("  circular code: linear R2 %.3f, kNN R2 %.4f (k = %d, valid %.4f)\n", r.linear_r2,
         r.knn_r2, r.knn_k, r.knn_valid_r2);
  CHECK(r.knn_r2 > 0.95 && r.linear_r2 < 0.9);
  REQUIRE(joint_identify(noise, u, blocks(T), o, &r, err, sizeof err) == SOMA_OK);
  printf("  unrelated data: linear R2 %.3f, kNN R2 %.3f\n", r.linear_r2, r.knn_r2);
  CHECK(r.knn_r2 < 0.1 && r.linear_r2 < 0.1);
  gsl_matrix *all[] = {u, m, lin, circ, noise};
  for (size_t i = 0; i < 5; i++) gsl_matrix_free(all[i]);
}

TEST(index_lists_match_ranges) {
  size_t T = 1000;
  gsl_matrix *u = jm_track_label(T), *e = jm_random(T, 2, 3);
  for (size_t t = 0; t < T; t++) *gsl_matrix_ptr(e, t, 0) += 3 * gsl_matrix_get(u, t, 0);
  size_t tr[600], va[200], te[200];
  for (size_t i = 0; i < 600; i++) tr[i] = i;
  for (size_t i = 0; i < 200; i++) va[i] = 600 + i, te[i] = 800 + i;
  joint_identify_split lists = {joint_rows_list(tr, 600), joint_rows_list(va, 200),
                                joint_rows_list(te, 200)};
  joint_identify_result a, b;
  char err[200];
  REQUIRE(joint_identify(e, u, blocks(T), joint_identify_defaults(), &a, err, sizeof err) == 0);
  REQUIRE(joint_identify(e, u, lists, joint_identify_defaults(), &b, err, sizeof err) == 0);
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  gsl_matrix_free(u), gsl_matrix_free(e);
}

TEST(bad_input_is_named) {
  gsl_matrix *u = jm_random(100, 1, 4), *e = jm_random(100, 2, 5), *e9 = jm_random(99, 2, 6);
  joint_identify_opts o = joint_identify_defaults();
  joint_identify_result r = {.knn_k = -7};
  char err[200] = "";
  joint_identify_split s = {joint_rows_range(0, 60), joint_rows_range(50, 80),
                            joint_rows_range(80, 100)};
  CHECK(joint_identify(e, u, s, o, &r, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "row 50 is both a training and a validation row") != NULL, "%s", err);
  CHECK(r.knn_k == -7);
  s.valid = joint_rows_range(60, 80), s.test = joint_rows_range(80, 101);
  CHECK(joint_identify(e, u, s, o, &r, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "test row 100 is out of range (the data has 100 rows)") != NULL, "%s",
            err);
  s.test = joint_rows_range(80, 80);
  CHECK(joint_identify(e, u, s, o, &r, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the test rows are empty") != NULL, "%s", err);
  s.test = joint_rows_range(80, 100);
  CHECK(joint_identify(e9, u, s, o, &r, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the embedding has 99 rows but the latents 100") != NULL, "%s", err);
  gsl_matrix_free(u), gsl_matrix_free(e), gsl_matrix_free(e9);
}

int main(void) {
  RUN(affine_codes_are_read_out_exactly_circular_ones_by_knn);
  RUN(index_lists_match_ranges);
  RUN(bad_input_is_named);
  return h_done();
}
