/* test_joint_consistency.c — CEBRA's consistency (joint/consistency.c): exactly 1 for any
 * invertible affine image, both directions (M1), golden values from numpy ports of scikit-learn
 * and of CEBRA's align_embeddings (M2), averaging per dataset pair, multi-column labels,
 * sensitivity (M4: same structure above shuffled), bad input. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "harness.h"
#include "joint/consistency.h"
#include "joint_metrics.h"
#include "sim/soma.h"

TEST(one_for_any_invertible_affine_image) {
  gsl_matrix *x = jm_random(500, 10, 1), *m = jm_random(10, 10, 2), *m2 = jm_random(10, 4, 3);
  gsl_matrix *y = jm_map(x, m, 1.0, 2.0), *z = jm_map(x, m2, -0.5, 1.0);
  const gsl_matrix *runs[] = {x, y, z};
  gsl_matrix *s = gsl_matrix_alloc(3, 3);
  char err[200];
  double mean = 0;
  REQUIRE(joint_consistency_runs(runs, 2, NULL, &mean, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(mean, 1.0, 1e-10);
  REQUIRE(joint_consistency_runs(runs, 3, s, &mean, err, sizeof err) == SOMA_OK);
  for (size_t i = 0; i < 3; i++) CHECK(isnan(gsl_matrix_get(s, i, i)));
  /* x and y map onto everything exactly; z (4 columns) cannot map back onto 10 */
  CHECK_NEAR(gsl_matrix_get(s, 0, 1), 1.0, 1e-10);
  CHECK_NEAR(gsl_matrix_get(s, 1, 0), 1.0, 1e-10);
  CHECK_NEAR(gsl_matrix_get(s, 0, 2), 1.0, 1e-10);
  CHECK_NEAR(gsl_matrix_get(s, 1, 2), 1.0, 1e-10);
  double back = gsl_matrix_get(s, 2, 0);
  CHECK_MSG(back < 0.6, "R2(z -> x) = %.3f", back);
  double sum = 0;
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++)
      if (i != j) sum += gsl_matrix_get(s, i, j);
  CHECK_NEAR(mean, sum / 6, 1e-15);
  gsl_matrix *all[] = {x, m, m2, y, z, s};
  for (size_t i = 0; i < 6; i++) gsl_matrix_free(all[i]);
}

/* Golden values (numpy 1.24; X1, X2, X3 of test_joint_cka.c):
 *   def r2_in_sample(x, y):   # sklearn LinearRegression().fit(x, y).score(x, y)
 *       A = np.hstack([x, np.ones((len(x), 1))]); pred = A @ np.linalg.lstsq(A, y, rcond=None)[0]
 *       return np.mean(1 - ((y - pred)**2).sum(0) / ((y - y.mean(0))**2).sum(0))
 *   def align(embs, labels, n_bins):   # cebra helpers.align_embeddings, 1-D labels
 *       lo = min(l.min() for l in labels); hi = max(l.max() for l in labels)
 *       out = []
 *       for e, l in zip(embs, labels):
 *           dig = np.digitize(l, np.linspace(lo, hi, n_bins)); q = []
 *           for b in range(1, n_bins):
 *               for tol in [0, 1, 2]:
 *                   m = np.abs(dig - b) <= tol
 *                   if m.sum(): q.append(e[m].mean(0)); break
 *           out.append(np.array([v / np.linalg.norm(v) for v in q]))
 *       return out
 *   l1 = np.sin(0.5 * np.arange(12)); l2 = np.cos(0.8 * np.arange(9))
 *   r2_in_sample(X1, X2), r2_in_sample(X2, X1)
 *   align([X1, X2[:9]], [l1, l2], 5)[0].ravel()
 *   al = align([X1, X3[:9]], [l1, l2], 7); r2_in_sample(al[0], al[1]), r2_in_sample(al[1], al[0])
 *   al[1][2] */
TEST(golden_values_from_numpy) {
  gsl_matrix *x1 = jm_golden(1), *x2 = jm_golden(2), *x3 = jm_golden(3);
  gsl_matrix *l1 = gsl_matrix_alloc(12, 1), *l2 = gsl_matrix_alloc(9, 1);
  for (size_t i = 0; i < 12; i++) gsl_matrix_set(l1, i, 0, sin(0.5 * (double)i));
  for (size_t i = 0; i < 9; i++) gsl_matrix_set(l2, i, 0, cos(0.8 * (double)i));
  gsl_matrix_view x2s = gsl_matrix_submatrix(x2, 0, 0, 9, 4);
  gsl_matrix_view x3s = gsl_matrix_submatrix(x3, 0, 0, 9, 2);
  gsl_matrix *s = gsl_matrix_alloc(2, 2), *al[2];
  char err[200];
  double mean = 0;
  const gsl_matrix *runs[] = {x1, x2};
  REQUIRE(joint_consistency_runs(runs, 2, s, &mean, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(s, 0, 1), 0.4328571715206906, 1e-8);
  CHECK_NEAR(gsl_matrix_get(s, 1, 0), 0.6198893251832645, 1e-8);
  const gsl_matrix *embs[] = {x1, &x2s.matrix}, *labs[] = {l1, l2};
  joint_label_align_opts o = joint_label_align_defaults();
  o.n_bins = 5;
  REQUIRE(joint_consistency_align(embs, labs, 2, o, al, err, sizeof err) == SOMA_OK);
  double want[] = {0.5675276692210459, 0.7662724498922201, 0.3012289448321691,
                   -0.16724699155612424, 0.6492377157266382, 0.7419695629158131,
                   0.19910214067034535, 0.6659323317065626, 0.7189523399839148,
                   0.6759432087322905, -0.4530345635140253, -0.581257656147729};
  CHECK(al[0]->size1 == 4 && al[0]->size2 == 3 && al[1]->size1 == 4 && al[1]->size2 == 4);
  for (size_t k = 0; k < 12; k++) CHECK_NEAR(al[0]->data[k], want[k], 1e-8);
  gsl_matrix_free(al[0]), gsl_matrix_free(al[1]);
  embs[1] = &x3s.matrix;
  o.n_bins = 7;
  REQUIRE(joint_consistency_datasets(embs, labs, NULL, 2, o, s, &mean, err, sizeof err) == 0);
  CHECK_NEAR(gsl_matrix_get(s, 0, 1), 0.5944526291775594, 1e-8);
  CHECK_NEAR(gsl_matrix_get(s, 1, 0), 0.5046980572586112, 1e-8);
  CHECK_NEAR(mean, (0.5944526291775594 + 0.5046980572586112) / 2, 1e-8);
  REQUIRE(joint_consistency_align(embs, labs, 2, o, al, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(al[1], 2, 0), 0.8233702667969982, 1e-8);
  CHECK_NEAR(gsl_matrix_get(al[1], 2, 1), 0.5675045407348209, 1e-8);
  gsl_matrix_free(al[0]), gsl_matrix_free(al[1]);
  gsl_matrix *all[] = {x1, x2, x3, l1, l2, s};
  for (size_t i = 0; i < 6; i++) gsl_matrix_free(all[i]);
}

/* emb = g(label) Q: a fixed smooth map of the label, rotated */
static gsl_matrix *coded(const gsl_matrix *label, uint32_t seed) {
  gsl_matrix *f = gsl_matrix_alloc(label->size1, 3), *q = jm_orthogonal(3, seed);
  for (size_t i = 0; i < label->size1; i++) {
    double a = gsl_matrix_get(label, i, 0), b = gsl_matrix_get(label, i, label->size2 - 1);
    gsl_matrix_set(f, i, 0, 1 + a), gsl_matrix_set(f, i, 1, cos(3 * a) + b);
    gsl_matrix_set(f, i, 2, sin(2 * b));
  }
  gsl_matrix *e = jm_map(f, q, 1.0, 0.0);
  gsl_matrix_free(f), gsl_matrix_free(q);
  return e;
}

TEST(datasets_coding_the_label_alike_score_one) {
  /* 3 agents of different lengths (labels uniform on [0, 1]), each a rotation of the same
   * label code; agents 0 and 1 are one dataset: CEBRA averages per ordered dataset pair, then
   * over pairs */
  gsl_matrix *lab[3], *emb[3];
  size_t rows[] = {800, 600, 1000};
  for (int a = 0; a < 3; a++) {
    lab[a] = jm_random(rows[a], 2, 10 + (uint32_t)a);
    for (size_t i = 0; i < rows[a] * 2; i++) lab[a]->data[i] = gsl_cdf_ugaussian_P(lab[a]->data[i]);
    emb[a] = coded(lab[a], 20 + (uint32_t)a);
  }
  const gsl_matrix *e[] = {emb[0], emb[1], emb[2]}, *l[] = {lab[0], lab[1], lab[2]};
  joint_label_align_opts o = joint_label_align_defaults();
  gsl_matrix *s = gsl_matrix_alloc(3, 3);
  char err[200];
  double mean = 0;
  /* 1-D: the first column only, 100 bins; columns 2 of the code then vary within a bin */
  gsl_matrix_view c0[3];
  for (int a = 0; a < 3; a++) c0[a] = gsl_matrix_submatrix(lab[a], 0, 0, rows[a], 1);
  const gsl_matrix *l1[] = {&c0[0].matrix, &c0[1].matrix, &c0[2].matrix};
  int rc = joint_consistency_datasets(e, l1, NULL, 3, o, s, &mean, err, sizeof err);
  if (rc) printf("  %s\n", err);
  REQUIRE(rc == SOMA_OK);
  printf("  1-D label, 100 bins: mean %.4f over 6 pairs\n", mean);
  CHECK(mean > 0.7 && mean < 0.99);
  /* 2-D label, 6 edges per column (25 cells): the code is a function of the label, and the
   * bins are fine enough that all three align closely */
  o.n_bins = 6;
  int ids[] = {0, 0, 1};
  rc = joint_consistency_datasets(e, l, ids, 3, o, s, &mean, err, sizeof err);
  if (rc) printf("  %s\n", err);
  REQUIRE(rc == SOMA_OK);
  CHECK(isnan(gsl_matrix_get(s, 0, 1)) && isnan(gsl_matrix_get(s, 1, 0)));
  double want = 0.5 * (gsl_matrix_get(s, 0, 2) + gsl_matrix_get(s, 1, 2)) / 2 +
                0.5 * (gsl_matrix_get(s, 2, 0) + gsl_matrix_get(s, 2, 1)) / 2;
  CHECK_NEAR(mean, want, 1e-15);
  printf("  2-D label, 25 cells: mean %.4f over 2 dataset pairs\n", mean);
  CHECK(mean > 0.9);
  /* identical labels: the aligned matrices are exact rotations of each other */
  gsl_matrix *e1 = coded(lab[0], 99);
  const gsl_matrix *same[] = {emb[0], e1}, *same_l[] = {lab[0], lab[0]};
  REQUIRE(joint_consistency_datasets(same, same_l, NULL, 2, o, NULL, &mean, err, sizeof err) ==
          0);
  CHECK_NEAR(mean, 1.0, 1e-10);
  for (int a = 0; a < 3; a++) gsl_matrix_free(lab[a]), gsl_matrix_free(emb[a]);
  gsl_matrix_free(s), gsl_matrix_free(e1);
}

TEST(same_structure_ranks_above_shuffled) {
  gsl_matrix *u = jm_track_label(2000);
  gsl_matrix *e0 = jm_track_embedding(u, 1, 1, 0), *e1 = jm_track_embedding(u, 2, 2, 0);
  gsl_matrix *sh = jm_track_embedding(u, 3, 3, 1);
  const gsl_matrix *same[] = {e0, e1}, *shuf[] = {e0, sh};
  char err[200];
  double a = 0, b = 0;
  REQUIRE(joint_consistency_runs(same, 2, NULL, &a, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_consistency_runs(shuf, 2, NULL, &b, err, sizeof err) == SOMA_OK);
  printf("  consistency between runs: same %.3f shuffled %.3f\n", a, b);
  CHECK(a > 0.7 && b < 0.05);
  gsl_matrix_free(u), gsl_matrix_free(e0), gsl_matrix_free(e1), gsl_matrix_free(sh);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = jm_random(10, 2, 30), *y = jm_random(9, 2, 31);
  gsl_matrix *lx = gsl_matrix_alloc(10, 1), *ly = gsl_matrix_alloc(9, 1);
  for (size_t i = 0; i < 10; i++) gsl_matrix_set(lx, i, 0, (double)i / 9);
  for (size_t i = 0; i < 9; i++) gsl_matrix_set(ly, i, 0, 0.1 * (double)i / 8);
  const gsl_matrix *e[] = {x, y}, *l[] = {lx, ly};
  char err[300] = "";
  double mean;
  CHECK(joint_consistency_runs(e, 2, NULL, &mean, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "embedding 1 has 9 rows but embedding 0 has 10") != NULL, "%s", err);
  CHECK(joint_consistency_runs(e, 1, NULL, &mean, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "needs at least 2 embeddings (got 1)") != NULL, "%s", err);
  /* dataset 1 covers only the first tenth of the label range */
  joint_label_align_opts o = joint_label_align_defaults();
  o.n_bins = 10;
  CHECK(joint_consistency_datasets(e, l, NULL, 2, o, NULL, &mean, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "dataset 1 has no samples within 2 bins of label bin 4 (of 9)") != NULL,
            "%s", err);
  int ids[] = {3, 3};
  CHECK(joint_consistency_datasets(e, l, ids, 2, o, NULL, &mean, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "all 2 embeddings belong to dataset 3") != NULL, "%s", err);
  gsl_matrix_set_all(lx, 0.5), gsl_matrix_set_all(ly, 0.5);
  CHECK(joint_consistency_datasets(e, l, NULL, 2, o, NULL, &mean, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "label column 0 is constant (0.5)") != NULL, "%s", err);
  const gsl_matrix *wrong[] = {lx, lx};
  CHECK(joint_consistency_datasets(e, wrong, NULL, 2, o, NULL, &mean, err, sizeof err) ==
        SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "embedding 1 has 9 rows but its labels 10") != NULL, "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(lx), gsl_matrix_free(ly);
}

int main(void) {
  RUN(one_for_any_invertible_affine_image);
  RUN(golden_values_from_numpy);
  RUN(datasets_coding_the_label_alike_score_one);
  RUN(same_structure_ranks_above_shuffled);
  RUN(bad_input_is_named);
  return h_done();
}
