/* test_joint_contrastive.c — the contrastive embedding's parts (joint/nn.c, contrastive_loss.c,
 * contrastive_sampler.c, adam.c, contrastive.c, contrastive_io.c): gradients of InfoNCE alone
 * and end to end through offset10/offset5/offset1 against central differences in double (test
 * E0 of ../shared/reference/joint.md §5.1), float against double, parameter counts, samplers
 * by hand, window clamping, Adam by hand, 1 vs 2 threads, save/load, and bad input. The
 * identifiability tests on the 1-D track are in test_joint_contrastive_track.c. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/adam.h"
#include "joint/contrastive.h"
#include "joint/contrastive_loss.h"
#include "joint/contrastive_sampler.h"
#include "joint/nn.h"
#include "sim/rng.h"
#include "sim/soma.h"

static double gauss(uint32_t seed, uint32_t a, uint32_t b) {
  philox4x32_ctr_t r = soma_philox(seed, 99, a, b, 0);
  return sqrt(-2 * log(soma_u01(r.v[0]))) * cos(2 * M_PI * soma_u01(r.v[1]));
}

/* the largest |a − b| / max(|a|, |b|) over components, ignoring those below 1e-3 of the
 * largest |b| (their relative error is all rounding) */
static double rel_error(const double *a, const double *b, size_t n) {
  double big = 0, worst = 0;
  for (size_t i = 0; i < n; i++) big = fmax(big, fabs(b[i]));
  for (size_t i = 0; i < n; i++) {
    double s = fmax(fmax(fabs(a[i]), fabs(b[i])), 1e-3 * big);
    if (s > 0) worst = fmax(worst, fabs(a[i] - b[i]) / s);
  }
  return worst;
}

/* ---- E0: the loss alone --------------------------------------------------------------- */

static double loss_of(joint_contrastive_loss_work_d *w, size_t ld, const double *e, size_t n,
                      int euclid, double beta) {
  return joint_contrastive_loss_d(w, ld, e, e + n * ld, e + 2 * n * ld, euclid, beta, NULL,
                                  NULL, NULL, 1).loss;
}

static void check_loss_gradient(int euclid) {
  size_t n = 11, ld = 5;   /* n not a multiple of the vector width; padded rows */
  int d = 3;
  double e[3 * 11 * 5], g[3 * 11 * 5], fd[3 * 11 * 5], beta = 1.7;
  for (size_t i = 0; i < 3 * n; i++) {
    double s = 0;
    for (int c = 0; c < (int)ld; c++) {
      e[i * ld + (size_t)c] = c < d ? gauss(3, (uint32_t)i, (uint32_t)c) : 0;
      s += e[i * ld + (size_t)c] * e[i * ld + (size_t)c];
    }
    if (!euclid)
      for (int c = 0; c < d; c++) e[i * ld + (size_t)c] /= sqrt(s);
  }
  joint_contrastive_loss_work_d w;
  REQUIRE(joint_contrastive_loss_alloc_d(&w, n, d) == 0);
  joint_contrastive_loss_value v = joint_contrastive_loss_d(&w, ld, e, e + n * ld,
                                                            e + 2 * n * ld, euclid, beta, g,
                                                            g + n * ld, g + 2 * n * ld, 2);
  double h = 1e-6;
  for (size_t i = 0; i < 3 * n * ld; i++) {
    double keep = e[i];
    e[i] = keep + h;
    double lp = loss_of(&w, ld, e, n, euclid, beta);
    e[i] = keep - h;
    double lm = loss_of(&w, ld, e, n, euclid, beta);
    e[i] = keep;
    fd[i] = i % ld < (size_t)d ? (lp - lm) / (2 * h) : 0;
  }
  double err = rel_error(g, fd, 3 * n * ld);
  CHECK_MSG(err < 1e-5, "%s: relative error %.3g", euclid ? "euclidean" : "cosine", err);
  double fdb = (loss_of(&w, ld, e, n, euclid, beta + h) - loss_of(&w, ld, e, n, euclid, beta - h)) /
               (2 * h);
  CHECK_MSG(fabs(v.dbeta - fdb) < 1e-5 * fmax(fabs(fdb), 1e-3), "dL/dβ %.9g, differences %.9g",
            v.dbeta, fdb);
  CHECK_NEAR(v.loss, v.align + v.uniform, 1e-12);
  /* by hand for row 0: −β f·p + log Σ_j exp(β f·q_j) (cosine) */
  if (!euclid) {
    double a = 0, z = 0, L = 0;
    for (size_t i = 0; i < n; i++) {
      a = 0, z = 0;
      for (int c = 0; c < d; c++) a += e[i * ld + (size_t)c] * e[(n + i) * ld + (size_t)c];
      for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (int c = 0; c < d; c++) s += e[i * ld + (size_t)c] * e[(2 * n + j) * ld + (size_t)c];
        z += exp(beta * s);
      }
      L += -beta * a + log(z);
    }
    CHECK_NEAR(v.loss, L / (double)n, 1e-12);
  }
  printf("  InfoNCE %s: loss %.6f, gradient relative error %.2g\n",
         euclid ? "euclidean" : "cosine", v.loss, err);
  joint_contrastive_loss_free_d(&w);
}

TEST(loss_gradient_cosine) { check_loss_gradient(0); }
TEST(loss_gradient_euclidean) { check_loss_gradient(1); }

TEST(loss_has_no_positive_in_the_denominator) {
  /* one reference, its positive equal to it, one negative opposite: L = −β + β·(−1)·(−1)...
   * with n = 1: L = −β fᵀp + β fᵀq = −1 − 1 = −2 at β = 1 (a positive in the denominator
   * would give log(e + e^{-1}) − 1 instead) */
  double e[3] = {1, 1, -1};
  joint_contrastive_loss_work_d w;
  REQUIRE(joint_contrastive_loss_alloc_d(&w, 1, 1) == 0);
  CHECK_NEAR(loss_of(&w, 1, e, 1, 0, 1.0), -2.0, 1e-15);
  /* euclidean: φ = −‖f − q‖²/τ (squared): L = 0 + (−4) = −4 */
  CHECK_NEAR(loss_of(&w, 1, e, 1, 1, 1.0), -4.0, 1e-15);
  joint_contrastive_loss_free_d(&w);
}

/* ---- E0: end to end through the networks ------------------------------------------------ */

typedef struct e2e {
  nn_net net;
  nn_data_d x;
  nn_work_d ws;
  joint_contrastive_loss_work_d lw;
  long starts[15];
  size_t n;
  double *dout;
} e2e;

static double e2e_loss(e2e *c, const double *p, double *grad) {
  nn_forward_d(&c->net, p, &c->x, c->starts, &c->ws);
  size_t dp = (size_t)c->net.layer[c->net.n_layers - 1].coutp, n = c->n;
  const double *e = c->ws.out;
  double *g = c->dout;
  joint_contrastive_loss_value v = joint_contrastive_loss_d(
      &c->lw, dp, e, e + n * dp, e + 2 * n * dp, 0, 1.3, grad ? g : NULL, grad ? g + n * dp : NULL,
      grad ? g + 2 * n * dp : NULL, 2);
  if (grad) nn_backward_d(&c->net, p, &c->x, c->starts, &c->ws, c->dout, grad);
  return v.loss;
}

static gsl_matrix *toy_data(size_t T, size_t N, int sparse, uint32_t seed) {
  gsl_matrix *x = gsl_matrix_alloc(T, N);
  for (size_t t = 0; t < T; t++)
    for (size_t i = 0; i < N; i++) {
      double g = gauss(seed, (uint32_t)t, (uint32_t)i);
      gsl_matrix_set(x, t, i, sparse ? (g > 1.0 ? floor(g * 2) : 0) : g);
    }
  return x;
}

/* every stride-th parameter (in PyTorch's order, so every layer, weights and biases) */
static void check_network_gradient(nn_arch arch, int hidden, int sparse, size_t stride) {
  e2e c;
  memset(&c, 0, sizeof c);
  size_t N = 7, T = 40;
  REQUIRE(nn_net_init(&c.net, arch, 1, (int)N, hidden, 3) == 0);
  gsl_matrix *x = toy_data(T, N, sparse, 5);
  REQUIRE(nn_data_build_d(&c.x, x, -1) == 0);
  CHECK(sparse ? c.x.dense == NULL : c.x.dense != NULL);
  c.n = 5;
  int R = c.net.left + c.net.right;
  for (size_t w = 0; w < 15; w++)   /* includes windows that run over both ends */
    c.starts[w] = (long)((w * 7) % (T - (size_t)R + 4)) - 2;
  REQUIRE(nn_work_alloc_d(&c.ws, &c.net, 15, R, 1, 2) == 0);
  REQUIRE(joint_contrastive_loss_alloc_d(&c.lw, c.n, 3) == 0);
  size_t np = c.net.n_params;
  float *pf = malloc(np * sizeof *pf);
  double *p = malloc(np * sizeof *p), *g = malloc(np * sizeof *g);
  double *ga = calloc(c.net.n_real, sizeof *ga), *fd = calloc(c.net.n_real, sizeof *fd);
  c.dout = malloc(15 * 16 * sizeof *c.dout);
  nn_init_params(&c.net, 7, pf);
  for (size_t i = 0; i < np; i++) p[i] = pf[i];
  e2e_loss(&c, p, g);
  /* fourth-order central differences: (−L(2h) + 8L(h) − 8L(−h) + L(−2h)) / 12h */
  double h = 1e-4;
  char *real = calloc(np, 1);
  for (size_t k = 0; k < c.net.n_real; k++) real[nn_param_index(&c.net, k)] = 1;
  size_t nk = 0;
  for (size_t k = 0; k < c.net.n_real; k += stride, nk++) {
    size_t i = nn_param_index(&c.net, k);
    double keep = p[i], l[4], at[4] = {2 * h, h, -h, -2 * h};
    for (int q = 0; q < 4; q++) {
      p[i] = keep + at[q];
      l[q] = e2e_loss(&c, p, NULL);
    }
    p[i] = keep;
    fd[nk] = (-l[0] + 8 * l[1] - 8 * l[2] + l[3]) / (12 * h), ga[nk] = g[i];
  }
  double err = rel_error(ga, fd, nk);
  /* the padding's gradients are exactly zero */
  double padded = 0;
  for (size_t i = 0; i < np; i++)
    if (!real[i]) padded += fabs(g[i]);
  free(real);
  static const char *names[] = {"offset1", "offset5", "offset10"};
  CHECK_MSG(err < 1e-5, "%s H=%d %s: relative error %.3g", names[arch], hidden,
            sparse ? "sparse" : "dense", err);
  CHECK_MSG(padded == 0, "padding gradient %g", padded);
  printf("  %s-model H=%d, %s data, %zu of %zu parameters: gradient relative error %.2g\n",
         names[arch], hidden, sparse ? "sparse" : "dense", nk, c.net.n_real, err);

  /* the float path agrees with the double path */
  nn_net *net = &c.net;
  nn_data_f xf;
  nn_work_f wf;
  joint_contrastive_loss_work_f lf;
  REQUIRE(nn_data_build_f(&xf, x, -1) == 0);
  REQUIRE(nn_work_alloc_f(&wf, net, 15, R, 1, 1) == 0);
  REQUIRE(joint_contrastive_loss_alloc_f(&lf, c.n, 3) == 0);
  float *gf = malloc(np * sizeof *gf), *df = malloc(15 * 16 * sizeof *df);
  e2e_loss(&c, p, g);
  nn_forward_f(net, pf, &xf, c.starts, &wf);
  size_t dp = (size_t)net->layer[net->n_layers - 1].coutp, n = c.n;
  double diff = 0;
  for (size_t i = 0; i < 15 * dp; i++) diff = fmax(diff, fabs(wf.out[i] - c.ws.out[i]));
  const float *e = wf.out;
  joint_contrastive_loss_f(&lf, dp, e, e + n * dp, e + 2 * n * dp, 0, 1.3, df, df + n * dp,
                           df + 2 * n * dp, 1);
  nn_backward_f(net, pf, &xf, c.starts, &wf, df, gf);
  double num = 0, den = 0;
  for (size_t i = 0; i < np; i++) num += (gf[i] - g[i]) * (gf[i] - g[i]), den += g[i] * g[i];
  CHECK_MSG(diff < 2e-6, "float embedding differs by %.3g", diff);
  CHECK_MSG(sqrt(num / den) < 1e-4, "float gradient differs by %.3g (relative)", sqrt(num / den));
  nn_data_free_f(&xf), nn_work_free_f(&wf), joint_contrastive_loss_free_f(&lf);
  free(gf), free(df);
  nn_data_free_d(&c.x), nn_work_free_d(&c.ws), joint_contrastive_loss_free_d(&c.lw);
  free(pf), free(p), free(g), free(ga), free(fd), free(c.dout);
  gsl_matrix_free(x);
}

TEST(network_gradient_offset10) {
  check_network_gradient(NN_OFFSET10, 8, 1, 1);
  check_network_gradient(NN_OFFSET10, 16, 0, 3);
}
TEST(network_gradient_offset5) { check_network_gradient(NN_OFFSET5, 8, 1, 1); }
TEST(network_gradient_offset1) {
  check_network_gradient(NN_OFFSET1, 12, 0, 1);
  check_network_gradient(NN_OFFSET1, 32, 1, 2);
}

TEST(architectures_as_cebra) {
  nn_net net;
  REQUIRE(nn_net_init(&net, NN_OFFSET10, 1, 100, 32, 3) == 0);
  CHECK(net.n_real == 16035);   /* N·H·2 + H + 3(3H² + H) + 3Hd + d, joint.md §1.3 */
  CHECK(net.left == 5 && net.right == 5);
  REQUIRE(nn_net_init(&net, NN_OFFSET5, 1, 100, 32, 3) == 0);
  CHECK(net.n_real == 100 * 32 * 2 + 32 + 3 * 32 * 32 + 32 + 2 * 32 * 3 + 3);
  CHECK(net.left == 2 && net.right == 3);
  REQUIRE(nn_net_init(&net, NN_OFFSET1, 1, 100, 32, 8) == 0);
  CHECK(net.n_real == 100 * 32 + 32 + 32 * 32 + 32 + 32 * 16 + 16 + 16 * 8 + 8);
  CHECK(net.left == 0 && net.right == 1);
  nn_arch a;
  int norm;
  CHECK(nn_arch_parse("offset10-model-mse", &a, &norm) == 0 && a == NN_OFFSET10 && !norm);
  CHECK(nn_arch_parse("offset11-model", &a, &norm) == -1);
  /* PyTorch's initialisation: weights and biases within ±1/√fan_in, spread over the range */
  REQUIRE(nn_net_init(&net, NN_OFFSET10, 1, 100, 32, 3) == 0);
  float *p = malloc(net.n_params * sizeof *p);
  nn_init_params(&net, 1, p);
  double lim = 1 / sqrt(200.0), mx = 0, s2 = 0;
  size_t nw = 100 * 32 * 2;
  for (size_t k = 0; k < nw + 32; k++) {
    double v = p[nn_param_index(&net, k)];
    mx = fmax(mx, fabs(v));
    s2 += v * v;
  }
  CHECK(mx <= lim && mx > 0.99 * lim);
  CHECK_NEAR(s2 / (double)(nw + 32), lim * lim / 3, 0.05 * lim * lim / 3);   /* U(−a, a): a²/3 */
  free(p);
}

/* ---- samplers --------------------------------------------------------------------------- */

static size_t brute_nearest(const gsl_matrix *y, const double *q, const gsl_vector_int *cls,
                            int want) {
  size_t best = SIZE_MAX;
  double bd = INFINITY;
  for (size_t t = 0; t < y->size1; t++) {
    if (cls && gsl_vector_int_get(cls, t) != want) continue;
    double d = 0;
    for (size_t j = 0; j < y->size2; j++)
      d += (gsl_matrix_get(y, t, j) - q[j]) * (gsl_matrix_get(y, t, j) - q[j]);
    if (d < bd) bd = d, best = t;
  }
  return best;
}

TEST(time_sampler_is_exact) {
  joint_contrastive_sampler s;
  char err[200];
  REQUIRE(joint_contrastive_sampler_init(&s, JOINT_SAMPLE_TIME, 100, NULL, NULL, 10, 0, 0, 3,
                                         err, sizeof err) == SOMA_OK);
  long ref[300], pos[300], neg[300];
  joint_contrastive_sampler_draw(&s, 0, 300, ref, pos, neg, 1);
  int ok = 1, lo = 100, hi = -1;
  for (int i = 0; i < 300; i++) {
    ok &= pos[i] == ref[i] + 10 && ref[i] >= 0 && ref[i] < 90 && neg[i] >= 0 && neg[i] < 90;
    lo = ref[i] < lo ? (int)ref[i] : lo, hi = ref[i] > hi ? (int)ref[i] : hi;
  }
  CHECK(ok);
  CHECK(lo == 0 && hi == 89);   /* the whole prior range U[0, T − offset) */
  /* another iteration draws another batch; the same iteration the same one */
  long r2[300], p2[300], n2[300];
  joint_contrastive_sampler_draw(&s, 1, 300, r2, p2, n2, 2);
  CHECK(memcmp(ref, r2, sizeof ref) != 0);
  joint_contrastive_sampler_draw(&s, 0, 300, r2, p2, n2, 2);
  CHECK(memcmp(ref, r2, sizeof ref) == 0 && memcmp(neg, n2, sizeof neg) == 0);
  joint_contrastive_sampler_free(&s);
}

TEST(nearest_label_first_on_ties) {
  /* 1-D labels in runs of 7 equal values; 2-D labels with repeats */
  size_t T = 200;
  gsl_matrix *y1 = gsl_matrix_alloc(T, 1), *y2 = gsl_matrix_alloc(T, 2);
  for (size_t t = 0; t < T; t++) {
    gsl_matrix_set(y1, t, 0, (double)((t * 37) % 29 / 7) * 0.25);
    gsl_matrix_set(y2, t, 0, floor(4 * soma_u01(soma_philox(1, 2, (uint32_t)t, 0, 0).v[0])) / 4);
    gsl_matrix_set(y2, t, 1, floor(4 * soma_u01(soma_philox(1, 2, (uint32_t)t, 1, 0).v[0])) / 4);
  }
  char err[200];
  joint_contrastive_sampler s1, s2;
  REQUIRE(joint_contrastive_sampler_init(&s1, JOINT_SAMPLE_TIME_DELTA, T, y1, NULL, 1, 0, 0, 0,
                                         err, sizeof err) == SOMA_OK);
  REQUIRE(joint_contrastive_sampler_init(&s2, JOINT_SAMPLE_TIME_DELTA, T, y2, NULL, 1, 0, 0, 0,
                                         err, sizeof err) == SOMA_OK);
  int bad = 0;
  for (int k = 0; k < 400; k++) {
    /* queries on the grid (ties within a run), halfway between (ties across runs), random */
    double u = soma_u01(soma_philox(4, 4, (uint32_t)k, 0, 0).v[0]) * 1.5 - 0.25;
    double q1 = k % 3 == 0 ? round(u * 4) / 4 : k % 3 == 1 ? round(u * 8) / 8 : u;
    bad += joint_contrastive_sampler_nearest(&s1, &q1, 0) != brute_nearest(y1, &q1, NULL, 0);
    double q2[2] = {q1, k % 2 ? 0.125 : soma_u01(soma_philox(4, 4, (uint32_t)k, 1, 0).v[0])};
    bad += joint_contrastive_sampler_nearest(&s2, q2, 0) != brute_nearest(y2, q2, NULL, 0);
  }
  CHECK_MSG(bad == 0, "%d of 800 searches differ from brute force", bad);
  joint_contrastive_sampler_free(&s1), joint_contrastive_sampler_free(&s2);
  gsl_matrix_free(y1), gsl_matrix_free(y2);
}

TEST(time_delta_positive_is_a_nearest_label) {
  size_t T = 150;
  gsl_matrix *y = gsl_matrix_alloc(T, 1);
  for (size_t t = 0; t < T; t++) gsl_matrix_set(y, t, 0, 0.5 + 0.5 * sin(0.07 * (double)t));
  char err[200];
  joint_contrastive_sampler s;
  REQUIRE(joint_contrastive_sampler_init(&s, JOINT_SAMPLE_TIME_DELTA, T, y, NULL, 5, 0, 0, 9,
                                         err, sizeof err) == SOMA_OK);
  long ref[60], pos[60], neg[60];
  joint_contrastive_sampler_draw(&s, 3, 60, ref, pos, neg, 2);
  int bad = 0;
  for (int i = 0; i < 60; i++) {
    /* pos must be the nearest label to y[ref] + Δ for some Δ of the pool (0 for t < 5) */
    int found = 0;
    for (size_t t = 0; t < T && !found; t++) {
      double d = t >= 5 ? gsl_matrix_get(y, t, 0) - gsl_matrix_get(y, t - 5, 0) : 0;
      double q = gsl_matrix_get(y, (size_t)ref[i], 0) + d;
      found = brute_nearest(y, &q, NULL, 0) == (size_t)pos[i];
    }
    bad += !found;
  }
  CHECK_MSG(bad == 0, "%d positives are no nearest label of y[ref] + Δ", bad);
  joint_contrastive_sampler_free(&s);
  gsl_matrix_free(y);
}

TEST(discrete_and_mixed_samplers) {
  size_t T = 400;
  gsl_vector_int *cls = gsl_vector_int_alloc(T);
  gsl_matrix *y = gsl_matrix_alloc(T, 1);
  for (size_t t = 0; t < T; t++) {
    gsl_vector_int_set(cls, t, t % 10 == 0 ? 7 : -2);   /* 10 % class 7, 90 % class −2 */
    gsl_matrix_set(y, t, 0, (double)t / (double)T);
  }
  char err[200];
  long ref[1000], pos[1000], neg[1000];
  for (int uniform = 0; uniform < 2; uniform++) {
    joint_contrastive_sampler s;
    REQUIRE(joint_contrastive_sampler_init(&s, JOINT_SAMPLE_DISCRETE, T, NULL, cls, 1, 0,
                                           uniform, 2, err, sizeof err) == SOMA_OK);
    joint_contrastive_sampler_draw(&s, 0, 1000, ref, pos, neg, 1);
    int same = 1, rare = 0;
    for (int i = 0; i < 1000; i++) {
      same &= gsl_vector_int_get(cls, (size_t)pos[i]) == gsl_vector_int_get(cls, (size_t)ref[i]);
      rare += gsl_vector_int_get(cls, (size_t)ref[i]) == 7;
      rare += gsl_vector_int_get(cls, (size_t)neg[i]) == 7;
    }
    CHECK(same);
    /* empirical: 10 % of draws; uniform (class-balanced): 50 % */
    CHECK_MSG(fabs(rare / 2000.0 - (uniform ? 0.5 : 0.1)) < 0.04, "prior %s: %.3f",
              uniform ? "uniform" : "empirical", rare / 2000.0);
    joint_contrastive_sampler_free(&s);
  }
  joint_contrastive_sampler s;
  REQUIRE(joint_contrastive_sampler_init(&s, JOINT_SAMPLE_MIXED, T, y, cls, 3, 0, 0, 2, err,
                                         sizeof err) == SOMA_OK);
  joint_contrastive_sampler_draw(&s, 1, 200, ref, pos, neg, 2);
  int bad = 0, rare = 0;
  for (int i = 0; i < 200; i++) {
    int c = gsl_vector_int_get(cls, (size_t)ref[i]);
    bad += gsl_vector_int_get(cls, (size_t)pos[i]) != c;
    rare += c == 7;
    int found = 0;   /* nearest within the class to y[ref] + Δ for some Δ */
    for (size_t t = 0; t < T && !found; t++) {
      double q = gsl_matrix_get(y, (size_t)ref[i], 0) +
                 (t >= 3 ? gsl_matrix_get(y, t, 0) - gsl_matrix_get(y, t - 3, 0) : 0);
      found = brute_nearest(y, &q, cls, c) == (size_t)pos[i];
    }
    bad += !found;
  }
  CHECK_MSG(bad == 0, "%d mixed positives wrong", bad);
  CHECK(rare > 60 && rare < 140);   /* class-balanced prior */
  joint_contrastive_sampler_free(&s);
  gsl_vector_int_free(cls), gsl_matrix_free(y);
}

TEST(delta_sampler_spreads_by_delta) {
  size_t T = 2000;
  gsl_matrix *y = gsl_matrix_alloc(T, 1);
  for (size_t t = 0; t < T; t++) gsl_matrix_set(y, t, 0, (double)t / (double)T * 10);
  char err[200];
  joint_contrastive_sampler s;
  REQUIRE(joint_contrastive_sampler_init(&s, JOINT_SAMPLE_DELTA, T, y, NULL, 1, 0.5, 0, 2, err,
                                         sizeof err) == SOMA_OK);
  long ref[2000], pos[2000], neg[2000];
  joint_contrastive_sampler_draw(&s, 0, 2000, ref, pos, neg, 2);
  double sd = 0;
  int n = 0;
  for (int i = 0; i < 2000; i++)
    if (ref[i] > 400 && ref[i] < 1600) {   /* away from the ends, where the search clips */
      double d = gsl_matrix_get(y, (size_t)pos[i], 0) - gsl_matrix_get(y, (size_t)ref[i], 0);
      sd += d * d, n++;
    }
  CHECK_NEAR(sqrt(sd / n), 0.5, 0.05);
  joint_contrastive_sampler_free(&s);
  gsl_matrix_free(y);
}

TEST(adam_by_hand) {
  /* torch.optim.Adam([p], lr=0.1) on p = [1, −2] with gradients 2p − 1, three steps; by the
   * formulas in double */
  joint_adam a;
  REQUIRE(joint_adam_init(&a, 2, 0.1) == 0);
  float p[2] = {1, -2};
  double q[2] = {1, -2}, m[2] = {0, 0}, v[2] = {0, 0};
  for (int t = 1; t <= 3; t++) {
    float g[2];
    for (int i = 0; i < 2; i++) {
      g[i] = 2 * p[i] - 1;
      double gd = 2 * q[i] - 1;
      m[i] = 0.9 * m[i] + 0.1 * gd;
      v[i] = 0.999 * v[i] + 0.001 * gd * gd;
      double mh = m[i] / (1 - pow(0.9, t)), vh = v[i] / (1 - pow(0.999, t));
      q[i] -= 0.1 * mh / (sqrt(vh) + 1e-8);
    }
    joint_adam_step(&a, p, g);
  }
  /* the first step moves every parameter by lr against its gradient's sign */
  CHECK_NEAR(p[0], q[0], 1e-6);
  CHECK_NEAR(p[1], q[1], 1e-6);
  CHECK_NEAR(q[0], 1 - 0.3, 0.02);
  joint_adam_free(&a);
}

/* ---- fits ------------------------------------------------------------------------------- */

/* a small place code: T rows, 30 cells, position on a sine path */
static void small_data(size_t T, gsl_matrix **x, gsl_matrix **y) {
  *x = gsl_matrix_alloc(T, 30);
  *y = gsl_matrix_alloc(T, 1);
  gsl_rng *r = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(r, 1, 5, 0, 0, 0);
  for (size_t t = 0; t < T; t++) {
    double p = 0.5 + 0.5 * sin(0.05 * (double)t);
    gsl_matrix_set(*y, t, 0, p);
    for (size_t i = 0; i < 30; i++) {
      double c = (double)i / 29, rate = 0.5 + 20 * exp(-(p - c) * (p - c) / (2 * 0.01));
      gsl_matrix_set(*x, t, i, gsl_ran_poisson(r, rate * 0.025));
    }
  }
  soma_gsl_rng_free(r);
}

static joint_contrastive_options small_options(void) {
  joint_contrastive_options o = joint_contrastive_defaults();
  o.model_architecture = "offset10-model", o.output_dimension = 3, o.batch_size = 64;
  o.time_offsets = 10, o.max_iterations = 40, o.seed = 4;
  return o;
}

TEST(window_clamping_matches_cebra) {
  /* a reference at t < left uses rows [0, R): its embedding is the transform's at t = left */
  gsl_matrix *x, *y;
  small_data(300, &x, &y);
  joint_contrastive_options o = small_options();
  joint_contrastive *m;
  char err[200];
  REQUIRE(joint_contrastive_fit(x, y, NULL, &o, NULL, NULL, &m, err, sizeof err) == SOMA_OK);
  nn_net net;
  REQUIRE(nn_net_init(&net, NN_OFFSET10, 1, 30, 32, 3) == 0);
  nn_data_f d;
  nn_work_f ws;
  REQUIRE(nn_data_build_f(&d, x, -1) == 0);
  REQUIRE(nn_work_alloc_f(&ws, &net, 2, 10, 0, 1) == 0);
  long starts[2] = {0, 290};   /* clamp(2, 5, 295) − 5 and clamp(299, 5, 295) − 5 */
  nn_forward_f(&net, m->params, &d, starts, &ws);
  gsl_matrix *e = gsl_matrix_alloc(300, 3);
  REQUIRE(joint_contrastive_transform(m, x, e, err, sizeof err) == SOMA_OK);
  double diff = 0;
  for (int j = 0; j < 3; j++) {
    diff = fmax(diff, fabs(ws.out[j] - gsl_matrix_get(e, 5, (size_t)j)));
    diff = fmax(diff, fabs(ws.out[16 + j] - gsl_matrix_get(e, 295, (size_t)j)));
  }
  CHECK_MSG(diff == 0, "training windows and transform differ by %g", diff);
  /* replicate padding: output 0 sees x[0] five times, then x[0..4] */
  gsl_matrix *xp = gsl_matrix_alloc(310, 30);
  for (size_t t = 0; t < 310; t++)
    for (size_t i = 0; i < 30; i++)
      gsl_matrix_set(xp, t, i, gsl_matrix_get(x, t < 5 ? 0 : t - 5 < 300 ? t - 5 : 299, i));
  gsl_matrix *ep = gsl_matrix_alloc(310, 3);
  REQUIRE(joint_contrastive_transform(m, xp, ep, err, sizeof err) == SOMA_OK);
  diff = 0;
  for (size_t t = 0; t < 300; t++)   /* padded output t + 5 with no clamping = output t */
    for (size_t j = 0; j < 3; j++)
      diff = fmax(diff, fabs(gsl_matrix_get(ep, t + 5, j) - gsl_matrix_get(e, t, j)));
  CHECK_MSG(diff == 0, "replicate padding differs by %g", diff);
  nn_data_free_f(&d), nn_work_free_f(&ws);
  gsl_matrix_free(e), gsl_matrix_free(xp), gsl_matrix_free(ep);
  gsl_matrix_free(x), gsl_matrix_free(y);
  joint_contrastive_free(m);
}

static int count_calls(int it, double loss, void *user) {
  (void)loss;
  *(int *)user = it;
  return it >= 7;
}

TEST(same_bits_for_one_and_two_threads) {
  gsl_matrix *x, *y;
  small_data(600, &x, &y);
  const char *archs[] = {"offset10-model", "offset1-model", "offset5-model"};
  const char *conds[] = {"time_delta", "time", "time_delta"};
  for (int a = 0; a < 3; a++) {
    joint_contrastive_options o = small_options();
    o.model_architecture = archs[a], o.conditional = conds[a];
    if (a == 2) o.temperature_mode = "auto", o.distance = "euclidean";
    joint_contrastive *m[2];
    gsl_matrix *e[2];
    char err[200];
    for (int k = 0; k < 2; k++) {
      o.threads = k + 1;
      REQUIRE(joint_contrastive_fit(x, y, NULL, &o, NULL, NULL, &m[k], err, sizeof err) ==
              SOMA_OK);
      omp_set_num_threads(k + 1);
      e[k] = gsl_matrix_alloc(600, 3);
      REQUIRE(joint_contrastive_transform(m[k], x, e[k], err, sizeof err) == SOMA_OK);
    }
    omp_set_num_threads(1);
    CHECK_MSG(memcmp(m[0]->params, m[1]->params, m[0]->n_params * sizeof(float)) == 0, "%s",
              archs[a]);
    CHECK(memcmp(m[0]->loss, m[1]->loss, 40 * sizeof(double)) == 0);
    CHECK(memcmp(e[0]->data, e[1]->data, 600 * 3 * sizeof(double)) == 0);
    CHECK(m[0]->loss[39] < m[0]->loss[0]);   /* it learns */
    if (a == 2) CHECK(m[0]->temperature != 1.0);   /* a learnt τ moved */
    for (int k = 0; k < 2; k++) joint_contrastive_free(m[k]), gsl_matrix_free(e[k]);
  }
  /* a progress callback stops the fit with a consistent model */
  joint_contrastive_options o = small_options();
  joint_contrastive *m;
  char err[200];
  int calls = 0;
  CHECK(joint_contrastive_fit(x, y, NULL, &o, count_calls, &calls, &m, err, sizeof err) ==
        SOMA_INTERRUPTED);
  CHECK(calls == 7 && m && m->iterations == 7);
  joint_contrastive_free(m);
  gsl_matrix_free(x), gsl_matrix_free(y);
}

TEST(discrete_and_mixed_fits) {
  /* classes = the half of the track: positives share the class; with positions too, the
   * nearest position within the class (CEBRA's mixed loader) */
  gsl_matrix *x, *y;
  small_data(400, &x, &y);
  gsl_vector_int *c = gsl_vector_int_alloc(400);
  for (size_t t = 0; t < 400; t++) gsl_vector_int_set(c, t, gsl_matrix_get(y, t, 0) > 0.5);
  joint_contrastive_options o = small_options();
  o.prior = "uniform";
  joint_contrastive *m;
  char err[200];
  REQUIRE(joint_contrastive_fit(x, NULL, c, &o, NULL, NULL, &m, err, sizeof err) == SOMA_OK);
  CHECK(!strcmp(m->conditional, "discrete"));
  /* the two classes end up on opposite sides: the class means' cosine is negative */
  gsl_matrix *e = gsl_matrix_alloc(400, 3);
  REQUIRE(joint_contrastive_transform(m, x, e, err, sizeof err) == SOMA_OK);
  double mean[2][3] = {{0}};
  for (size_t t = 0; t < 400; t++)
    for (size_t j = 0; j < 3; j++) mean[gsl_vector_int_get(c, t)][j] += gsl_matrix_get(e, t, j);
  double dot = 0, n0 = 0, n1 = 0;
  for (int j = 0; j < 3; j++)
    dot += mean[0][j] * mean[1][j], n0 += mean[0][j] * mean[0][j], n1 += mean[1][j] * mean[1][j];
  CHECK_MSG(dot / sqrt(n0 * n1) < 0, "class means' cosine %.3f", dot / sqrt(n0 * n1));
  joint_contrastive_free(m);
  REQUIRE(joint_contrastive_fit(x, y, c, &o, NULL, NULL, &m, err, sizeof err) == SOMA_OK);
  CHECK(!strcmp(m->conditional, "mixed") && m->loss[39] < m->loss[0]);
  joint_contrastive_free(m);
  gsl_matrix_free(e), gsl_matrix_free(x), gsl_matrix_free(y), gsl_vector_int_free(c);
}

static void patch(const char *path, long off, const void *bytes, size_t n) {
  FILE *f = fopen(path, "r+b");
  fseek(f, off, SEEK_SET);
  fwrite(bytes, 1, n, f);
  fclose(f);
}

TEST(save_and_load) {
  gsl_matrix *x, *y;
  small_data(300, &x, &y);
  joint_contrastive_options o = small_options();
  joint_contrastive *m, *l;
  char err[300], path[] = "/tmp/soma_test_contrastive.bin", bad[] = "/tmp/soma_test_ctr_bad.bin";
  REQUIRE(joint_contrastive_fit(x, y, NULL, &o, NULL, NULL, &m, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_contrastive_save(m, path, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_contrastive_load(path, &l, err, sizeof err) == SOMA_OK);
  gsl_matrix *e1 = gsl_matrix_alloc(300, 3), *e2 = gsl_matrix_alloc(300, 3);
  REQUIRE(joint_contrastive_transform(m, x, e1, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_contrastive_transform(l, x, e2, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(e1->data, e2->data, 300 * 3 * sizeof(double)) == 0);
  CHECK(l->iterations == 40 && memcmp(l->loss, m->loss, 40 * sizeof(double)) == 0);
  CHECK(!strcmp(l->conditional, "time_delta") && l->temperature == 1.0);
  CHECK(l->fit_seconds == m->fit_seconds && m->fit_seconds > 0);
  joint_contrastive_free(l);
  /* corrupt, truncated, other-version, foreign and missing files */
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fclose(f);
  char cmd[200];
  snprintf(cmd, sizeof cmd, "cp %s %s", path, bad);
  CHECK(system(cmd) == 0);
  unsigned char flip = 0x5a;
  patch(bad, size - 100, &flip, 1);
  CHECK(joint_contrastive_load(bad, &l, err, sizeof err) == SOMA_ERR_IO && !l);
  CHECK_MSG(strstr(err, "checksum") != NULL, "%s", err);
  CHECK(system(cmd) == 0);
  CHECK(truncate(bad, size - 3) == 0);
  CHECK(joint_contrastive_load(bad, &l, err, sizeof err) == SOMA_ERR_IO);
  CHECK_MSG(strstr(err, "truncated") != NULL, "%s", err);
  CHECK(system(cmd) == 0);
  uint32_t v = 2;
  patch(bad, 8, &v, 4);
  CHECK(joint_contrastive_load(bad, &l, err, sizeof err) == SOMA_ERR_IO);
  CHECK_MSG(strstr(err, "version 2") != NULL, "%s", err);
  patch(bad, 0, "NOTAMODL", 8);
  CHECK(joint_contrastive_load(bad, &l, err, sizeof err) == SOMA_ERR_IO);
  CHECK_MSG(strstr(err, "not a soma contrastive model") != NULL, "%s", err);
  CHECK(truncate(bad, 10) == 0);
  CHECK(joint_contrastive_load(bad, &l, err, sizeof err) == SOMA_ERR_IO);
  CHECK_MSG(strstr(err, "truncated") != NULL, "%s", err);
  CHECK(joint_contrastive_load("/tmp/no/such/model.bin", &l, err, sizeof err) == SOMA_ERR_IO);
  CHECK_MSG(strstr(err, "cannot open") != NULL, "%s", err);
  remove(path), remove(bad);
  joint_contrastive_free(m);
  gsl_matrix_free(e1), gsl_matrix_free(e2), gsl_matrix_free(x), gsl_matrix_free(y);
}

static void expect_fit_error(const gsl_matrix *x, const gsl_matrix *y, const gsl_vector_int *c,
                             joint_contrastive_options o, const char *text) {
  joint_contrastive *m = (joint_contrastive *)1;
  char err[300] = "";
  int rc = joint_contrastive_fit(x, y, c, &o, NULL, NULL, &m, err, sizeof err);
  CHECK_MSG(rc == SOMA_ERR_PARAM && m == NULL && strstr(err, text), "want '%s', got %d '%s'",
            text, rc, err);
}

TEST(bad_input_messages) {
  gsl_matrix *x, *y;
  small_data(100, &x, &y);
  joint_contrastive_options o = small_options();
  gsl_matrix_view few = gsl_matrix_submatrix(x, 0, 0, 7, 30);
  gsl_matrix_view fewy = gsl_matrix_submatrix(y, 0, 0, 7, 1);
  expect_fit_error(&few.matrix, &fewy.matrix, NULL, o, "needs windows of 10");
  joint_contrastive_options t = o;
  t.conditional = "time";
  gsl_matrix_view twelve = gsl_matrix_submatrix(x, 0, 0, 10, 30);
  expect_fit_error(&twelve.matrix, NULL, NULL, t, "time_offsets (10) must be smaller");
  gsl_matrix_set(x, 3, 4, NAN);
  expect_fit_error(x, y, NULL, o, "the data hold nan at row 3, column 4");
  gsl_matrix_set(x, 3, 4, 0);
  gsl_matrix_set(y, 9, 0, INFINITY);
  expect_fit_error(x, y, NULL, o, "the labels hold inf at row 9");
  gsl_matrix_set(y, 9, 0, 0);
  joint_contrastive_options b = o;
  b.model_architecture = "offset11-model";
  expect_fit_error(x, y, NULL, b, "unknown model_architecture 'offset11-model'");
  b = o, b.temperature = -1;
  expect_fit_error(x, y, NULL, b, "temperature must be > 0 (got -1)");
  b = o, b.batch_size = 0;
  expect_fit_error(x, y, NULL, b, "batch_size must be in 1 .. 1048576 (got 0)");
  b = o, b.distance = "manhattan";
  expect_fit_error(x, y, NULL, b, "unknown distance 'manhattan'");
  b = o, b.conditional = "time_delta";
  expect_fit_error(x, NULL, NULL, b, "needs continuous labels");
  b = o, b.conditional = "delta";
  expect_fit_error(x, y, NULL, b, "needs delta > 0");
  b = o, b.learning_rate = NAN;
  expect_fit_error(x, y, NULL, b, "learning_rate must be > 0");
  b = o, b.temperature_mode = "learnt";
  expect_fit_error(x, y, NULL, b, "unknown temperature_mode 'learnt'");
  gsl_matrix_view y50 = gsl_matrix_submatrix(y, 0, 0, 50, 1);
  expect_fit_error(x, &y50.matrix, NULL, o, "the labels have 50 rows but the data 100");
  gsl_vector_int *c = gsl_vector_int_calloc(99);
  expect_fit_error(x, NULL, c, o, "discrete labels have 99 entries");
  gsl_vector_int_free(c);
  /* transform */
  joint_contrastive *m;
  char err[300];
  REQUIRE(joint_contrastive_fit(x, y, NULL, &o, NULL, NULL, &m, err, sizeof err) == SOMA_OK);
  gsl_matrix *x29 = gsl_matrix_calloc(20, 29), *e = gsl_matrix_alloc(20, 3);
  CHECK(joint_contrastive_transform(m, x29, e, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "29 columns but the model was fitted on 30") != NULL, "%s", err);
  gsl_matrix *one = gsl_matrix_calloc(1, 30), *e1 = gsl_matrix_alloc(1, 3);
  CHECK(joint_contrastive_transform(m, one, e1, err, sizeof err) == SOMA_OK);   /* any T */
  gsl_matrix_free(x29), gsl_matrix_free(e), gsl_matrix_free(one), gsl_matrix_free(e1);
  joint_contrastive_free(m);
  gsl_matrix_free(x), gsl_matrix_free(y);
}

int main(void) {
  omp_set_num_threads(1);
  RUN(loss_gradient_cosine);
  RUN(loss_gradient_euclidean);
  RUN(loss_has_no_positive_in_the_denominator);
  RUN(network_gradient_offset10);
  RUN(network_gradient_offset5);
  RUN(network_gradient_offset1);
  RUN(architectures_as_cebra);
  RUN(time_sampler_is_exact);
  RUN(nearest_label_first_on_ties);
  RUN(time_delta_positive_is_a_nearest_label);
  RUN(discrete_and_mixed_samplers);
  RUN(delta_sampler_spreads_by_delta);
  RUN(adam_by_hand);
  RUN(window_clamping_matches_cebra);
  RUN(same_bits_for_one_and_two_threads);
  RUN(discrete_and_mixed_fits);
  RUN(save_and_load);
  RUN(bad_input_messages);
  return h_done();
}
