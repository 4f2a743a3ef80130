/* test_joint_lds.c — the linear dynamical system (joint/lds.c): log-likelihood, filtered and
 * smoothed latents against the joint Gaussian of a small system computed directly (diagonal and
 * full R), test L1 (EM on a rotating 3-D system seen by 50 units: monotone likelihood,
 * eigenvalues, subspace), √counts of a Poisson population, and bad input. */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/assign.h"
#include "joint/chol.h"
#include "joint/lds.h"
#include "joint/linreg.h"
#include "joint_models_sim.h"
#include "sim/rng.h"
#include "sim/soma.h"

static void set_all(gsl_matrix *m, const double *v) {
  memcpy(m->data, v, m->size1 * m->size2 * sizeof *v);   /* freshly allocated: tda = size2 */
}

/* the first n blocks of the stacked Gaussian: E[x | y_0..y_{n-1}] for every t < n and the
 * log-density of those observations; x of T × q, y of T × p */
static double joint_gaussian(const joint_lds *m, const gsl_matrix *y, size_t n, gsl_matrix *xs) {
  size_t q = m->q, p = m->p, nq = n * q, np = n * p;
  gsl_matrix *Sx = gsl_matrix_calloc(nq, nq), *Cb = gsl_matrix_calloc(np, nq);
  gsl_matrix *Sy = gsl_matrix_calloc(np, np), *CS = gsl_matrix_alloc(np, nq);
  gsl_vector *mx = gsl_vector_alloc(nq), *r = gsl_vector_alloc(np), *tmp = gsl_vector_alloc(nq);
  gsl_matrix *V = gsl_matrix_alloc(q, q), *T1 = gsl_matrix_alloc(q, q);
  gsl_matrix *Ak = gsl_matrix_alloc(q, q);
  /* means and variances along the chain */
  gsl_matrix_memcpy(V, m->V0);
  for (size_t t = 0; t < n; t++) {
    for (size_t i = 0; i < q; i++) {
      double v = 0;
      if (t == 0) v = gsl_vector_get(m->mu0, i);
      else
        for (size_t j = 0; j < q; j++)
          v += gsl_matrix_get(m->A, i, j) * gsl_vector_get(mx, (t - 1) * q + j);
      gsl_vector_set(mx, t * q + i, v);
    }
    if (t) {
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, m->A, V, 0.0, T1);
      gsl_matrix_memcpy(V, m->Q);
      gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, T1, m->A, 1.0, V);
    }
    /* Cov(x_s, x_t) = A^{s−t} V_t for s >= t */
    gsl_matrix_memcpy(Ak, V);
    for (size_t s = t; s < n; s++) {
      if (s > t) {
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, m->A, Ak, 0.0, T1);
        gsl_matrix_memcpy(Ak, T1);
      }
      for (size_t i = 0; i < q; i++)
        for (size_t j = 0; j < q; j++) {
          gsl_matrix_set(Sx, s * q + i, t * q + j, gsl_matrix_get(Ak, i, j));
          gsl_matrix_set(Sx, t * q + j, s * q + i, gsl_matrix_get(Ak, i, j));
        }
    }
  }
  for (size_t t = 0; t < n; t++)
    for (size_t i = 0; i < p; i++) {
      for (size_t k = 0; k < q; k++)
        gsl_matrix_set(Cb, t * p + i, t * q + k, gsl_matrix_get(m->C, i, k));
      for (size_t j = 0; j < p; j++)
        gsl_matrix_set(Sy, t * p + i, t * p + j, gsl_matrix_get(m->R, i, j));
    }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Cb, Sx, 0.0, CS);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, CS, Cb, 1.0, Sy);
  /* r = y − C̄ μx − d */
  gsl_blas_dgemv(CblasNoTrans, -1.0, Cb, mx, 0.0, r);
  for (size_t t = 0; t < n; t++)
    for (size_t i = 0; i < p; i++)
      *gsl_vector_ptr(r, t * p + i) += gsl_matrix_get(y, t, i) - gsl_vector_get(m->d, i);
  joint_chol_decomp(Sy);
  double logdet = joint_chol_logdet(Sy);
  gsl_vector *z = gsl_vector_alloc(np);
  gsl_vector_memcpy(z, r);
  joint_chol_solve_vec(Sy, z);
  double quad;
  gsl_blas_ddot(r, z, &quad);
  /* E[x | y] = μx + (C̄ Σx)ᵀ Σy⁻¹ r */
  gsl_blas_dgemv(CblasTrans, 1.0, CS, z, 0.0, tmp);
  gsl_vector_add(tmp, mx);
  for (size_t t = 0; t < n; t++)
    for (size_t k = 0; k < q; k++) gsl_matrix_set(xs, t, k, gsl_vector_get(tmp, t * q + k));
  gsl_matrix_free(Sx), gsl_matrix_free(Cb), gsl_matrix_free(Sy), gsl_matrix_free(CS);
  gsl_vector_free(mx), gsl_vector_free(r), gsl_vector_free(tmp), gsl_vector_free(z);
  gsl_matrix_free(V), gsl_matrix_free(T1), gsl_matrix_free(Ak);
  return -0.5 * ((double)np * log(2 * M_PI) + logdet + quad);
}

static gsl_matrix *gaussian_matrix(size_t r, size_t c, uint32_t seed, double sd) {
  gsl_matrix *m = gsl_matrix_alloc(r, c);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, seed, 61, 0, 0, 0);
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < c; j++) gsl_matrix_set(m, i, j, gsl_ran_gaussian(g, sd));
  soma_gsl_rng_free(g);
  return m;
}

TEST(inference_equals_the_joint_gaussian) {
  for (int full = 0; full < 2; full++) {
    gsl_matrix *y = gaussian_matrix(6, 3, 1, 1.0);
    joint_lds_options o = joint_lds_defaults();
    o.latents = 2, o.max_iter = 1, o.diagonal_r = !full;
    joint_lds *m;
    char err[200];
    REQUIRE(joint_lds_fit(y, &o, &m, err, sizeof err) == SOMA_OK);
    set_all(m->A, (double[]){0.9, -0.3, 0.25, 0.8});
    set_all(m->Q, (double[]){0.5, 0.1, 0.1, 0.3});
    set_all(m->C, (double[]){1, 0.5, -0.4, 1.2, 0.7, -0.9});
    set_all(m->R, full ? (double[]){0.6, 0.2, 0.1, 0.2, 0.8, -0.15, 0.1, -0.15, 0.5}
                       : (double[]){0.6, 0, 0, 0, 0.8, 0, 0, 0, 0.5});
    double d[3] = {0.3, -0.2, 1.0}, mu0[2] = {0.5, -1};
    memcpy(m->d->data, d, sizeof d), memcpy(m->mu0->data, mu0, sizeof mu0);
    set_all(m->V0, (double[]){1.0, 0.2, 0.2, 0.7});
    gsl_matrix *xs = gsl_matrix_alloc(6, 2), *xf = gsl_matrix_alloc(6, 2);
    gsl_matrix *ref = gsl_matrix_alloc(6, 2);
    double ll;
    REQUIRE(joint_lds_infer(m, y, xf, xs, &ll, err, sizeof err) == SOMA_OK);
    double ll_ref = joint_gaussian(m, y, 6, ref), worst = 0;
    CHECK_NEAR(ll, ll_ref, 1e-9 * fabs(ll_ref));
    for (size_t i = 0; i < 12; i++) worst = fmax(worst, fabs(xs->data[i] - ref->data[i]));
    CHECK_MSG(worst < 1e-9, "smoothed latents differ by %.3g (full R %d)", worst, full);
    /* filtered = the smoothed latent of the last bin given the bins so far */
    worst = 0;
    for (size_t n = 1; n <= 6; n++) {
      joint_gaussian(m, y, n, ref);
      for (size_t k = 0; k < 2; k++)
        worst = fmax(worst, fabs(gsl_matrix_get(xf, n - 1, k) - gsl_matrix_get(ref, n - 1, k)));
    }
    CHECK_MSG(worst < 1e-9, "filtered latents differ by %.3g (full R %d)", worst, full);
    joint_lds_free(m);
    gsl_matrix_free(y), gsl_matrix_free(xs), gsl_matrix_free(xf), gsl_matrix_free(ref);
  }
}

/* A 3-D system: eigenvalues 0.97 e^{±0.25 i} and 0.9, in a random basis; 50 units */
static void l1_system(size_t T, size_t p, uint32_t seed, gsl_matrix **x, gsl_matrix **y,
                      gsl_matrix **A, gsl_matrix **C) {
  double r = 0.97, th = 0.25;
  gsl_matrix *D = gsl_matrix_calloc(3, 3), *S = gaussian_matrix(3, 3, seed + 1, 1.0);
  for (size_t i = 0; i < 3; i++) *gsl_matrix_ptr(S, i, i) += 2;   /* well conditioned */
  gsl_matrix_set(D, 0, 0, r * cos(th)), gsl_matrix_set(D, 0, 1, -r * sin(th));
  gsl_matrix_set(D, 1, 0, r * sin(th)), gsl_matrix_set(D, 1, 1, r * cos(th));
  gsl_matrix_set(D, 2, 2, 0.9);
  /* A = S D S⁻¹ */
  gsl_matrix *Si = gsl_matrix_alloc(3, 3), *LU = gsl_matrix_alloc(3, 3);
  gsl_matrix *T1 = gsl_matrix_alloc(3, 3);
  gsl_permutation *perm = gsl_permutation_alloc(3);
  int sg;
  gsl_matrix_memcpy(LU, S);
  gsl_linalg_LU_decomp(LU, perm, &sg);
  gsl_linalg_LU_invert(LU, perm, Si);
  *A = gsl_matrix_alloc(3, 3);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, S, D, 0.0, T1);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, T1, Si, 0.0, *A);
  *C = gaussian_matrix(p, 3, seed + 2, 1.0);
  *x = gsl_matrix_alloc(T, 3);
  *y = gsl_matrix_alloc(T, p);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, seed, 62, 0, 0, 0);
  double s[3] = {0, 0, 0};
  for (size_t t = 0; t < T; t++) {
    for (size_t k = 0; k < 3; k++) gsl_matrix_set(*x, t, k, s[k]);
    for (size_t i = 0; i < p; i++) {
      double v = 2.0 + 0.8 * gsl_ran_gaussian(g, 1.0) * (1 + 0.5 * (double)(i % 3));
      for (size_t k = 0; k < 3; k++) v += gsl_matrix_get(*C, i, k) * s[k];
      gsl_matrix_set(*y, t, i, v);
    }
    double n[3];
    for (size_t k = 0; k < 3; k++) {
      n[k] = 0.3 * gsl_ran_gaussian(g, 1.0);
      for (size_t j = 0; j < 3; j++) n[k] += gsl_matrix_get(*A, k, j) * s[j];
    }
    memcpy(s, n, sizeof s);
  }
  soma_gsl_rng_free(g);
  gsl_matrix_free(D), gsl_matrix_free(S), gsl_matrix_free(Si), gsl_matrix_free(LU);
  gsl_matrix_free(T1), gsl_permutation_free(perm);
}

/* the eigenvalues of a (3 × 3) */
static void eigenvalues(const gsl_matrix *a, gsl_complex *ev) {
  gsl_matrix *c = gsl_matrix_alloc(3, 3);
  gsl_vector_complex *e = gsl_vector_complex_alloc(3);
  gsl_eigen_nonsymm_workspace *w = gsl_eigen_nonsymm_alloc(3);
  gsl_matrix_memcpy(c, a);
  gsl_eigen_nonsymm(c, e, w);
  for (size_t i = 0; i < 3; i++) ev[i] = gsl_vector_complex_get(e, i);
  gsl_matrix_free(c), gsl_vector_complex_free(e), gsl_eigen_nonsymm_free(w);
}

/* the largest principal angle (degrees) between the column spaces of a and b (p × 3) */
static double subspace_angle(const gsl_matrix *a, const gsl_matrix *b) {
  size_t p = a->size1;
  gsl_matrix *qa = gsl_matrix_alloc(p, 3), *qb = gsl_matrix_alloc(p, 3);
  gsl_matrix *m = gsl_matrix_alloc(3, 3);
  gsl_matrix *v = gsl_matrix_alloc(3, 3);
  gsl_vector *s = gsl_vector_alloc(3), *w = gsl_vector_alloc(3);
  const gsl_matrix *in[2] = {a, b};
  gsl_matrix *out[2] = {qa, qb};
  for (int k = 0; k < 2; k++) {   /* orthonormal basis: the left singular vectors */
    gsl_matrix_memcpy(out[k], in[k]);
    gsl_linalg_SV_decomp(out[k], v, s, w);
  }
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, qa, qb, 0.0, m);
  gsl_linalg_SV_decomp(m, v, s, w);
  double smin = fmin(1.0, gsl_vector_get(s, 2));
  gsl_matrix_free(qa), gsl_matrix_free(qb), gsl_matrix_free(m), gsl_matrix_free(v);
  gsl_vector_free(s), gsl_vector_free(w);
  return acos(smin) * 180 / M_PI;
}

TEST(l1_recovers_a_rotating_system) {
  gsl_matrix *x, *y, *A, *C;
  l1_system(10000, 50, 3, &x, &y, &A, &C);
  joint_lds_options o = joint_lds_defaults();
  o.latents = 3;
  joint_lds *m;
  char err[200];
  REQUIRE(joint_lds_fit(y, &o, &m, err, sizeof err) == SOMA_OK);
  /* monotone: every step up to round-off */
  double worst_fall = sim_worst_fall(m->loglik, m->iterations);
  CHECK_MSG(m->decreases == 0 && worst_fall <= 1e-9, "%d decreases, worst %.3g", m->decreases,
            worst_fall);
  /* eigenvalues matched by optimal assignment */
  gsl_complex et[3], el[3];
  eigenvalues(A, et), eigenvalues(m->A, el);
  gsl_matrix *cost = gsl_matrix_alloc(3, 3);
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++)
      gsl_matrix_set(cost, i, j, gsl_complex_abs(gsl_complex_sub(et[i], el[j])));
  int col[3];
  REQUIRE(joint_assign(cost, col, NULL, err, sizeof err) == SOMA_OK);
  double worst_ev = 0;
  for (size_t i = 0; i < 3; i++) worst_ev = fmax(worst_ev, gsl_matrix_get(cost, i, (size_t)col[i]));
  double angle = subspace_angle(C, m->C);
  printf("  L1: %d EM iterations (converged %d), log-likelihood %.1f -> %.1f, worst fall %.2g; "
         "eigenvalue error %.4f; subspace angle %.2f deg\n", m->iterations, m->converged,
         gsl_vector_get(m->loglik, 0), gsl_vector_get(m->loglik, (size_t)m->iterations - 1),
         worst_fall, worst_ev, angle);
  CHECK_MSG(worst_ev <= 0.02, "eigenvalue error %.4f", worst_ev);
  CHECK_MSG(angle < 5, "subspace angle %.2f deg", angle);
  CHECK(gsl_vector_get(m->loglik, (size_t)m->iterations - 1) > gsl_vector_get(m->loglik, 0));
  /* the smoothed latents span the true ones */
  gsl_matrix *xs = gsl_matrix_alloc(10000, 3);
  double ll;
  REQUIRE(joint_lds_infer(m, y, NULL, xs, &ll, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(ll, gsl_vector_get(m->loglik, (size_t)m->iterations - 1), 1e-9 * fabs(ll));
  double r2 = joint_linreg_r2_in_sample(xs, x);
  CHECK_MSG(r2 > 0.95, "latent R2 %.3f", r2);
  joint_lds_free(m);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(A), gsl_matrix_free(C);
  gsl_matrix_free(cost), gsl_matrix_free(xs);
}

TEST(sqrt_counts_of_a_poisson_population) {
  /* counts ~ Poisson(exp(0.5 + 0.2 cᵢᵀx)) of the L1 latents, 40 neurons, full R; measured
   * latent R2 0.922 (a stronger gain makes the code more nonlinear: 0.4 gives 0.81) */
  gsl_matrix *x, *y, *A, *C;
  l1_system(4000, 40, 5, &x, &y, &A, &C);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, 9, 63, 0, 0, 0);
  for (size_t t = 0; t < 4000; t++)
    for (size_t i = 0; i < 40; i++) {
      double e = 0.5;
      for (size_t k = 0; k < 3; k++) e += 0.2 * gsl_matrix_get(C, i, k) * gsl_matrix_get(x, t, k);
      gsl_matrix_set(y, t, i, gsl_ran_poisson(g, exp(e)));
    }
  soma_gsl_rng_free(g);
  for (size_t t = 0; t < 4000; t++) gsl_matrix_set(y, t, 7, 0);   /* one silent neuron */
  joint_lds_options o = joint_lds_defaults();
  o.sqrt_counts = 1, o.diagonal_r = 0, o.max_iter = 100;
  joint_lds *m;
  char err[200];
  REQUIRE(joint_lds_fit(y, &o, &m, err, sizeof err) == SOMA_OK);
  CHECK_MSG(m->decreases == 0, "%d decreases (worst %.3g)", m->decreases, m->max_decrease);
  gsl_matrix *xs = gsl_matrix_alloc(4000, 3);
  REQUIRE(joint_lds_infer(m, y, NULL, xs, NULL, err, sizeof err) == SOMA_OK);
  double r2 = joint_linreg_r2_in_sample(xs, x);
  printf("  sqrt counts: %d iterations, latent R2 %.3f\n", m->iterations, r2);
  CHECK_MSG(r2 > 0.85, "latent R2 %.3f", r2);
  joint_lds_free(m);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(A), gsl_matrix_free(C);
  gsl_matrix_free(xs);
}

TEST(bad_input_is_named) {
  gsl_matrix *y = gaussian_matrix(20, 4, 2, 1.0);
  joint_lds_options o = joint_lds_defaults();
  joint_lds *m;
  char err[200] = "";
  o.latents = 5;
  CHECK(joint_lds_fit(y, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "latents must be from 1 to the 4 observed columns") != NULL, "%s", err);
  o = joint_lds_defaults();
  o.sqrt_counts = 1;
  CHECK(joint_lds_fit(y, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "lds: sqrt_counts needs counts >= 0") != NULL, "%s", err);
  o = joint_lds_defaults();
  gsl_matrix_set(y, 3, 2, NAN);
  CHECK(joint_lds_fit(y, &o, &m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "lds: the observations hold nan at row 3, column 2") != NULL, "%s", err);
  gsl_matrix_set(y, 3, 2, 0);
  o.latents = 2, o.max_iter = 5;
  REQUIRE(joint_lds_fit(y, &o, &m, err, sizeof err) == SOMA_OK);
  gsl_matrix *x3 = gsl_matrix_alloc(20, 3);
  CHECK(joint_lds_infer(m, y, x3, NULL, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "lds infer: the latents must be 20 x 2") != NULL, "%s", err);
  joint_lds_free(m);
  gsl_matrix_free(y), gsl_matrix_free(x3);
}

int main(void) {
  RUN(inference_equals_the_joint_gaussian);
  RUN(l1_recovers_a_rotating_system);
  RUN(sqrt_counts_of_a_poisson_population);
  RUN(bad_input_is_named);
  return h_done();
}
