/* test_joint_ridge.c — the ridge decoder (joint/ridge.c) and the data layer end to end: the
 * validation grid against explicit fits, a larger penalty for noisier data, the refit on
 * training + validation; then reference/joint.md §5.1's decoding tests on spike trains made
 * here, binned, square-rooted and split as soma fit does: D1b (100 neurons log-linearly tuned
 * to a 2-D velocity: ridge R² >= 0.7), D1a (100 place cells on a 2-D random walk: kNN on
 * boxcar-smoothed √counts R² >= 0.9, ridge reported), D2 (labels shifted by T/2: R² <= 0.05). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/bin.h"
#include "joint/knn.h"
#include "joint/linreg.h"
#include "joint/ridge.h"
#include "joint/score.h"
#include "joint/split.h"
#include "sim/rng.h"
#include "sim/soma.h"

static gsl_matrix *gaussian(size_t r, size_t c, gsl_rng *g, double sd) {
  gsl_matrix *m = gsl_matrix_alloc(r, c);
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < c; j++) gsl_matrix_set(m, i, j, gsl_ran_gaussian(g, sd));
  return m;
}

/* y = x·beta + noise of sd */
static gsl_matrix *linear(const gsl_matrix *x, const gsl_matrix *beta, double sd, gsl_rng *g) {
  gsl_matrix *y = gaussian(x->size1, beta->size2, g, sd);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, x, beta, 1.0, y);
  return y;
}

TEST(grid_matches_explicit_fits) {
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, 1, 21, 0, 0, 0);
  gsl_matrix *beta = gaussian(30, 2, g, 1);
  gsl_matrix *xt = gaussian(80, 30, g, 1), *xv = gaussian(40, 30, g, 1);
  gsl_matrix *yt = linear(xt, beta, 3, g), *yv = linear(xv, beta, 3, g);
  joint_ridge *r = NULL;
  char err[300] = "";
  REQUIRE(joint_ridge_fit(xt, yt, xv, yv, NULL, &r, err, sizeof err) == SOMA_OK);
  CHECK(r->n_lambdas == 17);
  CHECK_NEAR(r->lambdas[16] / r->lambdas[0], 1e8, 1e-3);
  /* every grid point's validation R² is that of an explicit fit at that lambda */
  double worst = 0;
  gsl_matrix *pred = gsl_matrix_alloc(40, 2);
  for (int k = 0; k < r->n_lambdas; k++) {
    joint_linreg *m;
    REQUIRE(joint_linreg_fit(xt, yt, r->lambdas[k], &m, err, sizeof err) == SOMA_OK);
    joint_linreg_predict(m, xv, pred, err, sizeof err);
    worst = fmax(worst, fabs(joint_r2(yv, pred) - r->valid_r2s[k]));
    CHECK(r->valid_r2s[k] <= r->valid_r2 + 1e-15);
    joint_linreg_free(m);
  }
  CHECK_MSG(worst < 1e-10, "grid R² off explicit fits by %g", worst);
  CHECK(r->chosen > 0 && r->chosen < 16);   /* an interior optimum: noise sd 3, n = 80, p = 30 */
  /* the model is the training fit at the chosen lambda */
  joint_linreg *m;
  REQUIRE(joint_linreg_fit(xt, yt, r->lambda, &m, err, sizeof err) == SOMA_OK);
  double d = 0;
  for (size_t k = 0; k < 60; k++) d = fmax(d, fabs(m->coef->data[k] - r->model->coef->data[k]));
  CHECK_MSG(d < 1e-12, "coefficients differ by %g", d);
  joint_linreg_free(m);
  /* the grid's unit is the mean eigenvalue of the centred XᵀX */
  joint_linreg_factor *f;
  REQUIRE(joint_linreg_factor_make(xt, yt, &f, err, sizeof err) == SOMA_OK);
  double tr = 0;
  for (size_t k = 0; k < 30; k++) tr += gsl_vector_get(f->eval, k);
  CHECK_NEAR(r->scale, tr / 30, 1e-9 * tr);
  joint_linreg_factor_free(f);
  /* refit on training + validation rows with the chosen lambda */
  joint_ridge_opts o = joint_ridge_defaults();
  o.refit = JOINT_RIDGE_TRAIN_VALID;
  joint_ridge *r2 = NULL;
  REQUIRE(joint_ridge_fit(xt, yt, xv, yv, &o, &r2, err, sizeof err) == SOMA_OK);
  gsl_matrix *ax = gsl_matrix_alloc(120, 30), *ay = gsl_matrix_alloc(120, 2);
  for (size_t i = 0; i < 120; i++)
    for (size_t j = 0; j < 30; j++) {
      gsl_matrix_set(ax, i, j, i < 80 ? gsl_matrix_get(xt, i, j) : gsl_matrix_get(xv, i - 80, j));
      if (j < 2)
        gsl_matrix_set(ay, i, j, i < 80 ? gsl_matrix_get(yt, i, j) : gsl_matrix_get(yv, i - 80, j));
    }
  REQUIRE(joint_linreg_fit(ax, ay, r2->lambda, &m, err, sizeof err) == SOMA_OK);
  d = 0;
  for (size_t k = 0; k < 60; k++) d = fmax(d, fabs(m->coef->data[k] - r2->model->coef->data[k]));
  CHECK_MSG(d < 1e-12 && r2->lambda == r->lambda, "refit differs by %g", d);
  joint_linreg_free(m);
  joint_ridge_free(r), joint_ridge_free(r2);
  gsl_matrix_free(beta), gsl_matrix_free(xt), gsl_matrix_free(xv), gsl_matrix_free(yt);
  gsl_matrix_free(yv), gsl_matrix_free(pred), gsl_matrix_free(ax), gsl_matrix_free(ay);
  soma_gsl_rng_free(g);
}

TEST(more_noise_a_larger_penalty) {
  gsl_rng *g = soma_gsl_rng_alloc();
  double lam[3], sds[3] = {0.1, 3, 30};
  for (int k = 0; k < 3; k++) {
    soma_gsl_rng_reset(g, 2, 22, 0, 0, 0);   /* the same inputs and code, more noise */
    gsl_matrix *beta = gaussian(40, 1, g, 1);
    gsl_matrix *xt = gaussian(100, 40, g, 1), *xv = gaussian(100, 40, g, 1);
    gsl_matrix *yt = linear(xt, beta, sds[k], g), *yv = linear(xv, beta, sds[k], g);
    joint_ridge *r = NULL;
    char err[300];
    REQUIRE(joint_ridge_fit(xt, yt, xv, yv, NULL, &r, err, sizeof err) == SOMA_OK);
    lam[k] = r->lambda / r->scale;
    printf("  noise sd %g: lambda %.3g x scale, validation R2 %.3f\n", sds[k], lam[k], r->valid_r2);
    joint_ridge_free(r);
    gsl_matrix_free(beta), gsl_matrix_free(xt), gsl_matrix_free(xv), gsl_matrix_free(yt);
    gsl_matrix_free(yv);
  }
  CHECK(lam[0] < lam[1] && lam[1] < lam[2]);
  soma_gsl_rng_free(g);
}

/* ---- decoding spike trains (reference/joint.md §5.1 C2) --------------------------------- */

enum { T_BINS = 20000, N_CELLS = 100 };
#define BIN_MS 25.0

/* Poisson spike times with rate rates(t, i) Hz, constant within each 25 ms bin, binned back
 * by joint_bin_spikes: √counts, boxcar-smoothed over width bins (1: none) */
static gsl_matrix *spiking(const gsl_matrix *rates, uint32_t seed, int width) {
  size_t T = rates->size1, N = rates->size2, cap = 1 << 20, n = 0;
  double *t = malloc(cap * sizeof *t);
  int32_t *id = malloc(cap * sizeof *id);
  gsl_rng *g = soma_gsl_rng_alloc();
  for (size_t k = 0; k < T; k++) {
    soma_gsl_rng_reset(g, seed, 23, (uint32_t)k, 0, 0);
    for (size_t i = 0; i < N; i++) {
      unsigned c = gsl_ran_poisson(g, gsl_matrix_get(rates, k, i) * BIN_MS / 1000);
      for (unsigned s = 0; s < c; s++) {
        if (n == cap) {
          cap *= 2;
          t = realloc(t, cap * sizeof *t), id = realloc(id, cap * sizeof *id);
        }
        t[n] = ((double)k + gsl_rng_uniform(g)) * BIN_MS, id[n] = (int32_t)i, n++;
      }
    }
  }
  soma_gsl_rng_free(g);
  joint_bin_opts o = joint_bin_defaults();
  o.t0_ms = 0, o.t1_ms = (double)T * BIN_MS, o.bin_ms = BIN_MS, o.sqrt = 1;
  if (width > 1) o.smooth = JOINT_SMOOTH_BOXCAR, o.width = width;
  gsl_matrix *x = NULL;
  char err[300];
  if (joint_bin_spikes(t, id, n, N, &o, &x, err, sizeof err)) printf("  bin: %s\n", err);
  free(t), free(id);
  return x;
}

/* an AR(1) process per column with time constant tau (bins), unit variance */
static void ar1(gsl_matrix *v, double tau, gsl_rng *g) {
  double a = exp(-1 / tau), s = sqrt(1 - a * a);
  for (size_t j = 0; j < v->size2; j++) gsl_matrix_set(v, 0, j, gsl_ran_gaussian(g, 1));
  for (size_t k = 1; k < v->size1; k++)
    for (size_t j = 0; j < v->size2; j++)
      gsl_matrix_set(v, k, j, a * gsl_matrix_get(v, k - 1, j) + s * gsl_ran_gaussian(g, 1));
}

typedef struct scores { double ridge_r2, ridge_err, knn_r2, knn_err, lambda; int k; } scores;

/* CEBRA's split of x and y; ridge, and kNN (k on validation) when knn is set, on the test rows */
static scores decode(const gsl_matrix *x, const gsl_matrix *y, int knn) {
  scores s = {NAN, NAN, NAN, NAN, NAN, 0};
  joint_split sp;
  char err[300];
  if (joint_split_make(x->size1, NULL, &sp, err, sizeof err)) return s;
  gsl_matrix *p[6];
  for (int part = 0; part < 3; part++) {
    joint_split_rows(x, &sp, part, &p[2 * part], err, sizeof err);
    joint_split_rows(y, &sp, part, &p[2 * part + 1], err, sizeof err);
  }
  joint_ridge *r = NULL;
  if (joint_ridge_fit(p[0], p[1], p[2], p[3], NULL, &r, err, sizeof err) == SOMA_OK) {
    joint_ridge_score(r, p[4], p[5], &s.ridge_r2, &s.ridge_err, err, sizeof err);
    s.lambda = r->lambda / r->scale;
  }
  joint_ridge_free(r);
  if (knn) {
    int ks[] = JOINT_KNN_DEFAULT_KS;
    double vr2;
    gsl_matrix *pred = gsl_matrix_alloc(p[5]->size1, p[5]->size2);
    if (joint_knn_choose_k(p[0], p[1], p[2], p[3], ks, JOINT_KNN_DEFAULT_NKS, JOINT_EUCLIDEAN,
                           &s.k, &vr2, err, sizeof err) == SOMA_OK &&
        joint_knn_predict(p[0], p[1], p[4], s.k, JOINT_EUCLIDEAN, pred, err, sizeof err) == 0) {
      s.knn_r2 = joint_r2(p[5], pred);
      s.knn_err = joint_median_error(p[5], pred);
    }
    gsl_matrix_free(pred);
  }
  for (int k = 0; k < 6; k++) gsl_matrix_free(p[k]);
  joint_split_free(&sp);
  return s;
}

/* labels circularly shifted by half the rows */
static gsl_matrix *shifted(const gsl_matrix *y) {
  size_t T = y->size1;
  gsl_matrix *s = gsl_matrix_alloc(T, y->size2);
  for (size_t k = 0; k < T; k++)
    for (size_t j = 0; j < y->size2; j++)
      gsl_matrix_set(s, k, j, gsl_matrix_get(y, (k + T / 2) % T, j));
  return s;
}

TEST(d1b_linear_velocity_code) {
  /* v: 2-D AR(1), time constant 500 ms; lambda_i = exp(b + k_iᵀv), 15 Hz at v = 0, preferred
   * directions around the circle, gain 0.5 per unit of v */
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, 5, 24, 0, 0, 0);
  gsl_matrix *v = gsl_matrix_alloc(T_BINS, 2), *rates = gsl_matrix_alloc(T_BINS, N_CELLS);
  ar1(v, 20, g);
  for (size_t k = 0; k < T_BINS; k++)
    for (size_t i = 0; i < N_CELLS; i++) {
      double th = 2 * M_PI * (double)i / N_CELLS, gain = 0.5;
      gsl_matrix_set(rates, k, i, 15 * exp(gain * (cos(th) * gsl_matrix_get(v, k, 0) +
                                                   sin(th) * gsl_matrix_get(v, k, 1))));
    }
  gsl_matrix *x = spiking(rates, 6, 1);
  REQUIRE(x);
  scores s = decode(x, v, 0);
  printf("  D1b: ridge velocity R2 %.3f (median error %.3f, lambda %.3g x scale) on sqrt counts\n",
         s.ridge_r2, s.ridge_err, s.lambda);
  CHECK_MSG(s.ridge_r2 >= 0.7, "ridge R2 %.3f", s.ridge_r2);
  gsl_matrix *vs = shifted(v);
  scores c = decode(x, vs, 0);
  printf("  D2 on D1b: shifted labels, ridge R2 %.3f\n", c.ridge_r2);
  CHECK_MSG(c.ridge_r2 <= 0.05, "shifted ridge R2 %.3f", c.ridge_r2);
  gsl_matrix_free(v), gsl_matrix_free(rates), gsl_matrix_free(x), gsl_matrix_free(vs);
  soma_gsl_rng_free(g);
}

TEST(d1a_place_code_and_d2_control) {
  /* a 2-D random walk in the unit box (velocity AR(1), 1 s, 0.3 box/s, walls reflect), 100
   * place cells on a 10 x 10 grid, sigma 0.1, peak 20 Hz */
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, 7, 25, 0, 0, 0);
  gsl_matrix *pos = gsl_matrix_alloc(T_BINS, 2), *rates = gsl_matrix_alloc(T_BINS, N_CELLS);
  double p[2] = {0.5, 0.5}, v[2] = {0, 0}, a = exp(-BIN_MS / 1000), sa = sqrt(1 - a * a);
  for (size_t k = 0; k < T_BINS; k++) {
    for (int d = 0; d < 2; d++) {
      v[d] = a * v[d] + sa * gsl_ran_gaussian(g, 1);
      p[d] += 0.3 * BIN_MS / 1000 * v[d];
      if (p[d] < 0) p[d] = -p[d], v[d] = -v[d];
      if (p[d] > 1) p[d] = 2 - p[d], v[d] = -v[d];
      gsl_matrix_set(pos, k, (size_t)d, p[d]);
    }
    for (size_t i = 0; i < N_CELLS; i++) {
      double cx = (double)(i % 10 + 0.5) / 10, cy = (double)(i / 10 + 0.5) / 10;
      double d2 = (p[0] - cx) * (p[0] - cx) + (p[1] - cy) * (p[1] - cy);
      gsl_matrix_set(rates, k, i, 20 * exp(-d2 / (2 * 0.1 * 0.1)));
    }
  }
  /* the test block (last 20 %) visits the whole box: every quarter of it */
  int quarter[4] = {0};
  for (size_t k = T_BINS * 8 / 10; k < T_BINS; k++)
    quarter[(gsl_matrix_get(pos, k, 0) > 0.5) + 2 * (gsl_matrix_get(pos, k, 1) > 0.5)]++;
  CHECK(quarter[0] > 200 && quarter[1] > 200 && quarter[2] > 200 && quarter[3] > 200);
  gsl_matrix *x = spiking(rates, 8, 5);
  REQUIRE(x);
  scores s = decode(x, pos, 1);
  printf("  D1a: kNN position R2 %.3f (k = %d, median error %.3f of the box); ridge R2 %.3f "
         "(median error %.3f), reported only\n",
         s.knn_r2, s.k, s.knn_err, s.ridge_r2, s.ridge_err);
  CHECK_MSG(s.knn_r2 >= 0.9, "kNN R2 %.3f", s.knn_r2);
  gsl_matrix *ps = shifted(pos);
  scores c = decode(x, ps, 1);
  printf("  D2 on D1a: shifted labels, kNN R2 %.3f, ridge R2 %.3f\n", c.knn_r2, c.ridge_r2);
  CHECK_MSG(c.knn_r2 <= 0.05 && c.ridge_r2 <= 0.05, "shifted: kNN %.3f ridge %.3f", c.knn_r2,
            c.ridge_r2);
  gsl_matrix_free(pos), gsl_matrix_free(rates), gsl_matrix_free(x), gsl_matrix_free(ps);
  soma_gsl_rng_free(g);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = gsl_matrix_calloc(10, 3), *y = gsl_matrix_calloc(10, 1);
  gsl_matrix *x2 = gsl_matrix_calloc(5, 2);
  joint_ridge *r = NULL;
  char err[300] = "";
  CHECK(joint_ridge_fit(x, y, x2, y, NULL, &r, err, sizeof err) == SOMA_ERR_PARAM && !r);
  CHECK_MSG(strstr(err, "validation rows must have the training rows' columns (3 inputs"), "%s",
            err);
  joint_ridge_opts o = joint_ridge_defaults();
  o.lo = 0;
  CHECK(joint_ridge_fit(x, y, x, y, &o, &r, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the grid needs 0 < lo <= hi"), "%s", err);
  gsl_matrix_set(x, 4, 1, NAN);
  CHECK(joint_ridge_fit(x, y, x, y, NULL, &r, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "ridge: the validation inputs hold nan at row 4, column 1"), "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(x2);
}

int main(void) {
  RUN(grid_matches_explicit_fits);
  RUN(more_noise_a_larger_penalty);
  RUN(d1b_linear_velocity_code);
  RUN(d1a_place_code_and_d2_control);
  RUN(bad_input_is_named);
  return h_done();
}
