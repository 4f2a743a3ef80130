/* test_joint_dsa.c — dynamical similarity analysis (joint/dsa.c): the DMD operator and the
 * eigenvalue score against numpy ports of DSA (M2), DSA(A, Q A Qᵀ) ≈ 0 for orthogonal Q of
 * either determinant (M1), a damped rotation vs itself in other coordinates (≈ 0) vs a line
 * attractor (> 0), the same bits for 1 and 2 threads, bad input. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>

#include "harness.h"
#include "joint/dsa.h"
#include "joint/mat.h"
#include "joint_metrics.h"
#include "sim/soma.h"

/* z_t = rho R(w) z_{t−1}, z_0 = (1, 0), plus a * sin(b t (j + 1.3)) in column j */
static gsl_matrix *trajectory(size_t T, double rho, double w, double a, double b) {
  gsl_matrix *x = gsl_matrix_alloc(T, 2);
  double z0 = 1, z1 = 0;
  for (size_t t = 0; t < T; t++) {
    if (t > 0) {
      double n0 = rho * (cos(w) * z0 - sin(w) * z1), n1 = rho * (sin(w) * z0 + cos(w) * z1);
      z0 = n0, z1 = n1;
    }
    gsl_matrix_set(x, t, 0, z0 + a * sin(b * (double)t * 1.3));
    gsl_matrix_set(x, t, 1, z1 + a * sin(b * (double)t * 2.3));
  }
  return x;
}

/* eigenvalues sorted by real then imaginary part (numpy.sort_complex) */
static void sorted_eigenvalues(const gsl_matrix *m, double *re, double *im) {
  size_t r = m->size1;
  gsl_matrix *c = gsl_matrix_alloc(r, r);
  gsl_vector_complex *e = gsl_vector_complex_alloc(r);
  gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(r);
  gsl_matrix_memcpy(c, m);
  gsl_eigen_nonsymm(c, e, ws);
  for (size_t i = 0; i < r; i++)
    re[i] = GSL_REAL(gsl_vector_complex_get(e, i)), im[i] = GSL_IMAG(gsl_vector_complex_get(e, i));
  for (size_t i = 1; i < r; i++)
    for (size_t j = i; j > 0 && (re[j] < re[j - 1] - 1e-12 ||
                                 (fabs(re[j] - re[j - 1]) <= 1e-12 && im[j] < im[j - 1])); j--) {
      double t = re[j];
      re[j] = re[j - 1], re[j - 1] = t;
      t = im[j], im[j] = im[j - 1], im[j - 1] = t;
    }
  gsl_matrix_free(c), gsl_vector_complex_free(e), gsl_eigen_nonsymm_free(ws);
}

/* Golden values (numpy 1.24, scipy 1.10), ports of DSA's dmd.py and simdist.py:
 *   def traj(T, rho, w, a, b):
 *       z = np.zeros((T, 2)); z[0] = [1.0, 0.0]
 *       R = rho * np.array([[np.cos(w), -np.sin(w)], [np.sin(w), np.cos(w)]])
 *       for t in range(1, T): z[t] = R @ z[t - 1]
 *       t = np.arange(T)[:, None]
 *       return z + a * np.sin(b * t * (np.arange(2)[None, :] + 1.3))
 *   def hankel(x, nd, tau=1):   # embed_signal_torch
 *       Tp = x.shape[0] - (nd - 1) * tau
 *       return np.hstack([x[(nd - 1 - d) * tau: (nd - 1 - d) * tau + Tp] for d in range(nd)])
 *   def dmd(x, nd, rank=None, lamb=0.0):   # compute_havok_dmd, A_v
 *       U, S, Vh = np.linalg.svd(hankel(x, nd).T, full_matrices=False)
 *       V = Vh.T; r = len(S) if rank is None else rank
 *       Vm, Vp = V[:-1, :r], V[1:, :r]
 *       return (np.linalg.inv(Vm.T @ Vm + lamb * np.eye(r)) @ Vm.T @ Vp).T
 *   def sim_angle(A, B, starts=200):   # max tr(A^T C B C^T) over O(r), unit-norm A, B
 *       A = A / np.linalg.norm(A); B = B / np.linalg.norm(B); r = A.shape[0]
 *       iu = np.triu_indices(r, 1); rng = np.random.default_rng(0); best = -2
 *       for s in range(starts):
 *           D = np.eye(r)
 *           if s % 2: D[0, 0] = -1
 *           def C(p):
 *               S = np.zeros((r, r)); S[iu] = p; return scipy.linalg.expm(S - S.T) @ D
 *           f = lambda p: -np.trace(A.T @ C(p) @ B @ C(p).T)
 *           res = scipy.optimize.minimize(f, rng.normal(size=len(iu[0])), method="BFGS",
 *                                         options={"gtol": 1e-12})
 *           best = max(best, -res.fun)
 *       return np.arccos(min(1.0, best))
 *   def wass(A, B):
 *       a, b = np.linalg.eigvals(A), np.linalg.eigvals(B)
 *       M = np.abs(a[:, None] - b[None, :])**2
 *       r, c = scipy.optimize.linear_sum_assignment(M); return M[r, c].sum()
 *   x1 = traj(40, 0.95, 0.3, 0.05, 1.7); x2 = traj(40, 0.9, 0.5, 0.08, 0.9)
 *   A1, A2 = dmd(x1, 2), dmd(x2, 2)
 *   np.sort_complex(np.linalg.eigvals(A1)), np.linalg.norm(A1), np.linalg.norm(A2)
 *   np.sort_complex(np.linalg.eigvals(dmd(x1, 2, 3, 0.01)))
 *   sim_angle(A1, A2), wass(A1, A2)
 * (A itself depends on the signs of the singular vectors; its eigenvalues and norm do not.) */
TEST(golden_values_from_numpy) {
  gsl_matrix *x1 = trajectory(40, 0.95, 0.3, 0.05, 1.7), *x2 = trajectory(40, 0.9, 0.5, 0.08, 0.9);
  joint_dsa_opts o = joint_dsa_defaults();
  o.n_delays = 2;
  gsl_matrix *a1 = NULL, *a2 = NULL, *a3 = NULL;
  char err[200];
  REQUIRE(joint_dsa_dmd(x1, o, &a1, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_dsa_dmd(x2, o, &a2, err, sizeof err) == SOMA_OK);
  REQUIRE(a1->size1 == 4 && a2->size1 == 4);
  double re[4], im[4];
  sorted_eigenvalues(a1, re, im);
  double wre[] = {-0.6726962210297376, -0.6726962210297376, 0.9009815907495258, 0.9009815907495258};
  double wim[] = {-0.08448929913414487, 0.08448929913414487, -0.2817519107414366,
                  0.2817519107414366};
  for (int i = 0; i < 4; i++) {
    CHECK_NEAR(re[i], wre[i], 1e-8);
    CHECK_NEAR(im[i], wim[i], 1e-8);
  }
  CHECK_NEAR(joint_mat_frobenius(a1), 1.6562951595683417, 1e-8);
  CHECK_NEAR(joint_mat_frobenius(a2), 1.5496473188604862, 1e-8);
  o.rank = 3, o.lambda = 0.01;
  REQUIRE(joint_dsa_dmd(x1, o, &a3, err, sizeof err) == SOMA_OK);
  sorted_eigenvalues(a3, re, im);
  double w3re[] = {-0.7298721419978789, 0.8925936593599076, 0.8925936593599076};
  double w3im[] = {0, -0.27975901428752414, 0.27975901428752414};
  for (int i = 0; i < 3; i++) {
    CHECK_NEAR(re[i], w3re[i], 1e-8);
    CHECK_NEAR(im[i], w3im[i], 1e-8);
  }
  o = joint_dsa_defaults();
  double d = 0, w = 0;
  REQUIRE(joint_dsa_compare(a1, a2, o, &d, NULL, err, sizeof err) == SOMA_OK);
  printf("  angle(A1, A2) = %.13f (numpy/scipy, 200 starts: 0.7305570433395)\n", d);
  CHECK_NEAR(d, 0.7305570433394631, 1e-8);   /* C5 allows 1e-3 */
  REQUIRE(joint_dsa_wasserstein(a1, a2, &w, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(w, 0.972738114291275, 1e-8);
  gsl_matrix_free(x1), gsl_matrix_free(x2), gsl_matrix_free(a1), gsl_matrix_free(a2);
  gsl_matrix_free(a3);
}

TEST(zero_for_an_orthogonal_similarity_of_either_determinant) {
  joint_dsa_opts o = joint_dsa_defaults();
  char err[200];
  double worst = 0;
  for (uint32_t t = 0; t < 6; t++) {
    size_t r = 3 + t;
    gsl_matrix *a = jm_random(r, r, 40 + t), *q = jm_orthogonal(r, 50 + t);
    if (t % 2) {   /* det −1 */
      gsl_vector_view col = gsl_matrix_column(q, 0);
      gsl_vector_scale(&col.vector, -1.0);
    }
    gsl_matrix *qa = jm_map(q, a, 1.0, 0.0), *b = gsl_matrix_alloc(r, r);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 3.0, qa, q, 0.0, b);   /* 3 Q A Qᵀ */
    double d = 1, w = 1;
    gsl_matrix *c = gsl_matrix_alloc(r, r);
    REQUIRE(joint_dsa_compare(a, b, o, &d, c, err, sizeof err) == SOMA_OK);
    worst = fmax(worst, d);
    CHECK_MSG(d <= 1e-3, "r = %zu: DSA(A, QAQᵀ) = %.3g rad", r, d);
    /* the eigenvalue score sees only the scale (3x) */
    gsl_matrix_scale(b, 1.0 / 3);
    REQUIRE(joint_dsa_wasserstein(a, b, &w, err, sizeof err) == SOMA_OK);
    CHECK_NEAR(w, 0, 1e-18);
    gsl_matrix_free(a), gsl_matrix_free(q), gsl_matrix_free(qa), gsl_matrix_free(b);
    gsl_matrix_free(c);
  }
  printf("  largest DSA(A, 3 Q A Qᵀ) over r = 3..8: %.2g rad\n", worst);
}

/* x_t = M z_t for z of a 2-D linear system: rotation (rho, w) or a line attractor
 * (eigenvalues 1 and 0.8), z_0 = (1, 1) */
static gsl_matrix *system_in(size_t T, int line, const gsl_matrix *m) {
  gsl_matrix *z = gsl_matrix_alloc(T, 2);
  double z0 = 1, z1 = 1, rho = 0.97, w = 0.25;
  for (size_t t = 0; t < T; t++) {
    if (t > 0) {
      double n0 = line ? z0 : rho * (cos(w) * z0 - sin(w) * z1);
      double n1 = line ? 0.8 * z1 : rho * (sin(w) * z0 + cos(w) * z1);
      z0 = n0, z1 = n1;
    }
    gsl_matrix_set(z, t, 0, z0), gsl_matrix_set(z, t, 1, z1);
  }
  gsl_matrix *x = jm_map(z, m, 1.0, 0.0);
  gsl_matrix_free(z);
  return x;
}

TEST(rotation_vs_itself_elsewhere_vs_a_line_attractor) {
  gsl_matrix *id = gsl_matrix_alloc(2, 2), *m = jm_random(2, 2, 60);
  gsl_matrix_set_identity(id);
  gsl_matrix *rot = system_in(200, 0, id), *rot2 = system_in(200, 0, m);
  gsl_matrix *line = system_in(200, 1, m);
  joint_dsa_opts o = joint_dsa_defaults();
  char err[200];
  double same = 1, diff = 0;
  REQUIRE(joint_dsa(rot, rot2, o, &same, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_dsa(rot, line, o, &diff, err, sizeof err) == SOMA_OK);
  printf("  DSA rotation vs rotation in other coordinates %.2g rad, vs line attractor %.3f rad\n",
         same, diff);
  CHECK(same < 1e-4);
  CHECK(diff > 0.1);
  gsl_matrix_free(id), gsl_matrix_free(m), gsl_matrix_free(rot), gsl_matrix_free(rot2);
  gsl_matrix_free(line);
}

TEST(same_bits_for_one_and_two_threads) {
  gsl_matrix *a = jm_random(7, 7, 70), *b = jm_random(7, 7, 71), *c1 = gsl_matrix_alloc(7, 7);
  gsl_matrix *c2 = gsl_matrix_alloc(7, 7);
  joint_dsa_opts o = joint_dsa_defaults();
  char err[200];
  double d1 = 0, d2 = 1;
  omp_set_num_threads(1);
  REQUIRE(joint_dsa_compare(a, b, o, &d1, c1, err, sizeof err) == SOMA_OK);
  omp_set_num_threads(2);
  REQUIRE(joint_dsa_compare(a, b, o, &d2, c2, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(&d1, &d2, sizeof d1) == 0);
  CHECK(memcmp(c1->data, c2->data, 49 * sizeof(double)) == 0);
  /* more restarts can only lower the distance */
  o.n_restarts = 30;
  double d3 = 1;
  REQUIRE(joint_dsa_compare(a, b, o, &d3, NULL, err, sizeof err) == SOMA_OK);
  printf("  random 7 x 7 pair: %.6f rad with 8 restarts, %.6f with 30\n", d1, d3);
  CHECK(d3 <= d1 + 1e-12);
  gsl_matrix_free(a), gsl_matrix_free(b), gsl_matrix_free(c1), gsl_matrix_free(c2);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = jm_random(5, 3, 80), *sq = jm_random(3, 3, 81), *wide = jm_random(3, 4, 82);
  gsl_matrix *zero = gsl_matrix_calloc(3, 3), *a = NULL;
  joint_dsa_opts o = joint_dsa_defaults();
  char err[200] = "";
  double d;
  o.n_delays = 3;
  CHECK(joint_dsa_dmd(x, o, &a, err, sizeof err) == SOMA_ERR_PARAM && a == NULL);
  CHECK_MSG(strstr(err, "2 transitions cannot fit a rank-3 operator") != NULL, "%s", err);
  o.n_delays = 5;
  CHECK(joint_dsa_dmd(x, o, &a, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "5 time steps are too few for 5 delays 1 apart (needs >= 7)") != NULL,
            "%s", err);
  o = joint_dsa_defaults();
  o.rank = 4;
  CHECK(joint_dsa_dmd(x, o, &a, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "rank 4 is larger than the Hankel matrix allows (5 x 3: at most 3)") !=
            NULL, "%s", err);
  o = joint_dsa_defaults();
  CHECK(joint_dsa_compare(sq, wide, o, &d, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the second operator must be square (got 3 x 4)") != NULL, "%s", err);
  CHECK(joint_dsa_compare(zero, sq, o, &d, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the first operator is all zeros") != NULL, "%s", err);
  o.lambda = -1;
  CHECK(joint_dsa_compare(sq, sq, o, &d, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "lambda must be >= 0 (got -1)") != NULL, "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(sq), gsl_matrix_free(wide), gsl_matrix_free(zero);
}

int main(void) {
  RUN(golden_values_from_numpy);
  RUN(zero_for_an_orthogonal_similarity_of_either_determinant);
  RUN(rotation_vs_itself_elsewhere_vs_a_line_attractor);
  RUN(same_bits_for_one_and_two_threads);
  RUN(bad_input_is_named);
  return h_done();
}
