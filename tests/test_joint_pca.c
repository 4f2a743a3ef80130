/* test_joint_pca.c — PCA (joint/pca.c): components, variances and ratios against numpy's SVD
 * for a tall matrix (the covariance path) and a wide one (the Gram path); a planted rank-3
 * structure recovered with its variance ratios; transform and reconstruction; bad input. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort_vector.h>

#include "harness.h"
#include "joint/pca.h"
#include "sim/rng.h"
#include "sim/soma.h"

/* numpy 1.24 (/usr/bin/python3):
 *   X = np.array([[2,0,1,3],[1,1,0,2],[0,3,1,1],[4,1,2,0],[3,2,2,1],[1,0,3,2]], float)
 *   Xc = X - X.mean(0); U, S, Vt = np.linalg.svd(Xc, full_matrices=False)
 *   flip each row of Vt so its largest |entry| is positive; var = S**2 / (n - 1);
 *   ratio = var / Xc.var(0, ddof=1).sum(); scores = Xc @ Vt[:3].T
 * and the same for X.T (4 x 6). Components below are Vt[:3].T, row-major. */
static const double X[24] = {2, 0, 1, 3, 1, 1, 0, 2, 0, 3, 1, 1,
                             4, 1, 2, 0, 3, 2, 2, 1, 1, 0, 3, 2};
static const struct golden {
  double comp[18], var[3], ratio[3], score0[3];
} TALL = {
  {0.8488558931867922, -0.08607710809861288, -0.4320559336437027, -0.10930162799287049,
   0.8136265984025797, 0.00924912368133248, 0.3497494988863256, -0.1434031545008548,
   0.889444342141538, -0.38101458600547794, -0.5568105827949313, -0.14876453255666258},
  {2.7340918646424006, 1.9373829651765822, 0.9041773544369386},
  {0.47687648801902327, 0.3379156334610317, 0.15770535251807066},
  {-0.4774020802618987, -1.7270915130947482, -0.7506689364746013},
}, WIDE = {
  {0.10406328186846672, 0.6387518796430793, -0.4104822002748506, -0.16394042906474926,
   0.1928228710465042, -0.5340954452273498, -0.4755203382617962, -0.4218726926548347,
   0.08021633879300621, 0.7864903110504897, -0.2649918188717331, -0.07739330600916529,
   0.3262442277919408, -0.24397816158501226, -0.06959996424270705, 0.10569991220602466,
   0.49708429913508967, 0.727308654422555},
  {4.320022560659019, 3.353729065858048, 1.492915040149599},
  {0.47127518843552924, 0.3658613526390597, 0.16286345892541076},
  {2.6894295353140087, -0.2420350979738736, -0.9129007536032896},
};

static void against(const gsl_matrix *x, const struct golden *g, const char *what) {
  joint_pca *m = NULL;
  char err[200] = "";
  if (joint_pca_fit(x, 3, &m, err, sizeof err) != SOMA_OK) {
    CHECK_MSG(0, "%s: %s", what, err);
    return;
  }
  double worst = 0;
  for (size_t j = 0; j < m->p; j++)
    for (size_t c = 0; c < 3; c++)
      worst = fmax(worst, fabs(gsl_matrix_get(m->components, j, c) - g->comp[j * 3 + c]));
  for (size_t c = 0; c < 3; c++) {
    worst = fmax(worst, fabs(gsl_vector_get(m->variance, c) - g->var[c]));
    worst = fmax(worst, fabs(gsl_vector_get(m->ratio, c) - g->ratio[c]));
  }
  gsl_matrix *s = gsl_matrix_alloc(x->size1, 3);
  REQUIRE(joint_pca_transform(m, x, s, err, sizeof err) == SOMA_OK);
  for (size_t c = 0; c < 3; c++) worst = fmax(worst, fabs(gsl_matrix_get(s, 0, c) - g->score0[c]));
  CHECK_MSG(worst < 1e-12, "%s: off numpy by %g", what, worst);
  gsl_matrix_free(s);
  joint_pca_free(m);
}

TEST(matches_numpy_tall_and_wide) {
  gsl_matrix_const_view x = gsl_matrix_const_view_array(X, 6, 4);
  against(&x.matrix, &TALL, "6 x 4 (covariance)");
  gsl_matrix *xt = gsl_matrix_alloc(4, 6);
  gsl_matrix_transpose_memcpy(xt, &x.matrix);
  against(xt, &WIDE, "4 x 6 (Gram)");
  gsl_matrix_free(xt);
}

TEST(recovers_a_planted_low_rank_structure) {
  /* X = Z Aᵀ + noise: Z (2000 x 3) of sd 3, 2, 1; A (20 x 3) orthonormal; noise sd 0.1 */
  enum { N = 2000, P = 20 };
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, 9, 31, 0, 0, 0);
  gsl_matrix *a = gsl_matrix_alloc(P, 3), *z = gsl_matrix_alloc(N, 3), *x = gsl_matrix_alloc(N, P);
  for (size_t i = 0; i < P; i++)
    for (size_t c = 0; c < 3; c++) gsl_matrix_set(a, i, c, gsl_ran_gaussian(g, 1));
  gsl_vector *tau = gsl_vector_alloc(3);
  gsl_matrix *q = gsl_matrix_alloc(P, P), *r = gsl_matrix_alloc(P, 3);
  gsl_linalg_QR_decomp(a, tau);
  gsl_linalg_QR_unpack(a, tau, q, r);
  gsl_matrix_const_view qa = gsl_matrix_const_submatrix(q, 0, 0, P, 3);
  double sd[3] = {3, 2, 1};
  for (size_t i = 0; i < N; i++)
    for (size_t c = 0; c < 3; c++) gsl_matrix_set(z, i, c, gsl_ran_gaussian(g, sd[c]));
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, z, &qa.matrix, 0.0, x);
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < P; j++) *gsl_matrix_ptr(x, i, j) += gsl_ran_gaussian(g, 0.1) + 5;
  joint_pca *m = NULL;
  char err[200];
  REQUIRE(joint_pca_fit(x, 0, &m, err, sizeof err) == SOMA_OK);
  CHECK(m->k == P);
  /* variances 9, 4, 1 planted: exactly, the eigenvalues of Z's sample covariance, plus the
   * noise's 0.01 in every direction; ratios of the total (ΣZ variances + 20 · 0.01) */
  gsl_matrix *cz = gsl_matrix_alloc(3, 3);
  gsl_matrix_const_view zc = gsl_matrix_const_submatrix(z, 0, 0, N, 3);
  gsl_vector *zm = gsl_vector_calloc(3), *ez = gsl_vector_alloc(3);
  for (size_t i = 0; i < N; i++)
    for (size_t c = 0; c < 3; c++) *gsl_vector_ptr(zm, c) += gsl_matrix_get(z, i, c) / N;
  gsl_matrix_set_zero(cz);
  for (size_t i = 0; i < N; i++)
    for (size_t c = 0; c < 3; c++)
      for (size_t d = 0; d < 3; d++)
        *gsl_matrix_ptr(cz, c, d) += (gsl_matrix_get(&zc.matrix, i, c) - gsl_vector_get(zm, c)) *
                                     (gsl_matrix_get(&zc.matrix, i, d) - gsl_vector_get(zm, d)) /
                                     (N - 1);
  double total =
      20 * 0.01 + gsl_matrix_get(cz, 0, 0) + gsl_matrix_get(cz, 1, 1) + gsl_matrix_get(cz, 2, 2);
  gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(3);
  gsl_eigen_symm(cz, ez, ws);
  gsl_eigen_symm_free(ws);
  gsl_sort_vector(ez);
  for (int c = 0; c < 3; c++) {
    double v = gsl_vector_get(m->variance, (size_t)c),
           want = gsl_vector_get(ez, 2 - (size_t)c) + 0.01;
    printf("  component %d: variance %.4f (planted %.0f; in this sample %.4f), ratio %.4f (%.4f)\n",
           c + 1, v, sd[c] * sd[c], want, gsl_vector_get(m->ratio, (size_t)c), want / total);
    CHECK_NEAR(v, want, 0.01 * want);
    CHECK_NEAR(gsl_vector_get(m->ratio, (size_t)c), want / total, 0.01 * want / total);
  }
  gsl_matrix_free(cz), gsl_vector_free(zm), gsl_vector_free(ez);
  double rest = 0;
  for (size_t c = 3; c < P; c++) rest += gsl_vector_get(m->ratio, c);
  CHECK_MSG(rest < 0.02, "noise ratio %.4f", rest);
  double sum = rest;
  for (size_t c = 0; c < 3; c++) sum += gsl_vector_get(m->ratio, c);
  CHECK_NEAR(sum, 1.0, 1e-12);   /* all components: everything */
  /* the first 3 components span A's columns: ‖Aᵀ W‖²_F = 3 for the same subspace */
  gsl_matrix_const_view w = gsl_matrix_const_submatrix(m->components, 0, 0, P, 3);
  gsl_matrix *aw = gsl_matrix_alloc(3, 3);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &qa.matrix, &w.matrix, 0.0, aw);
  double f = 0;
  for (size_t k = 0; k < 9; k++) f += aw->data[k] * aw->data[k];
  CHECK_MSG(f > 3 - 1e-3, "subspace overlap %.6f of 3", f);
  /* scores are uncorrelated with the fitted variances; 3 components reconstruct to noise */
  joint_pca *m3 = NULL;
  REQUIRE(joint_pca_fit(x, 3, &m3, err, sizeof err) == SOMA_OK);
  gsl_matrix *s = gsl_matrix_alloc(N, 3), *back = gsl_matrix_alloc(N, P),
             *c = gsl_matrix_alloc(3, 3);
  REQUIRE(joint_pca_transform(m3, x, s, err, sizeof err) == SOMA_OK);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0 / (N - 1), s, s, 0.0, c);
  CHECK_NEAR(gsl_matrix_get(c, 0, 0), gsl_vector_get(m3->variance, 0), 1e-9);
  CHECK_NEAR(gsl_matrix_get(c, 0, 1), 0, 1e-9);
  REQUIRE(joint_pca_reconstruct(m3, s, back, err, sizeof err) == SOMA_OK);
  double ss = 0;
  for (size_t k = 0; k < N * P; k++)
    ss += (back->data[k] - x->data[k]) * (back->data[k] - x->data[k]);
  CHECK_MSG(sqrt(ss / (N * P)) < 0.11, "reconstruction RMS %.4f (noise 0.1)", sqrt(ss / (N * P)));
  joint_pca_free(m), joint_pca_free(m3);
  gsl_matrix_free(a), gsl_matrix_free(z), gsl_matrix_free(x), gsl_matrix_free(q);
  gsl_matrix_free(r), gsl_matrix_free(aw), gsl_matrix_free(s), gsl_matrix_free(back);
  gsl_matrix_free(c), gsl_vector_free(tau);
  soma_gsl_rng_free(g);
}

TEST(bad_input_is_named) {
  gsl_matrix_const_view x = gsl_matrix_const_view_array(X, 6, 4);
  joint_pca *m = NULL;
  char err[200] = "";
  CHECK(joint_pca_fit(&x.matrix, 5, &m, err, sizeof err) == SOMA_ERR_PARAM && !m);
  CHECK_MSG(strstr(err, "k must be from 1 to min(rows - 1, columns) = 4 (got 5)"), "%s", err);
  gsl_matrix_const_view one = gsl_matrix_const_view_array(X, 1, 4);
  CHECK(joint_pca_fit(&one.matrix, 1, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "at least 2 rows"), "%s", err);
  REQUIRE(joint_pca_fit(&x.matrix, 2, &m, err, sizeof err) == SOMA_OK);
  gsl_matrix *s = gsl_matrix_alloc(6, 3);
  CHECK(joint_pca_transform(m, &x.matrix, s, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "scores of its rows x 2"), "%s", err);
  gsl_matrix_free(s);
  joint_pca_free(m);
  double bad[8] = {0, 1, 2, NAN, 4, 5, 6, 7};
  gsl_matrix_view b = gsl_matrix_view_array(bad, 4, 2);
  CHECK(joint_pca_fit(&b.matrix, 1, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "PCA: the data hold nan at row 1, column 1"), "%s", err);
}

int main(void) {
  RUN(matches_numpy_tall_and_wide);
  RUN(recovers_a_planted_low_rank_structure);
  RUN(bad_input_is_named);
  return h_done();
}
