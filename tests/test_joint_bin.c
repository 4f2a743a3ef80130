/* test_joint_bin.c — spike counts per bin (joint/bin.c) by hand: edges belong to the later
 * bin, t1 is exclusive, a partial last bin is dropped, unsorted spikes, counts add up; the
 * square root; Gaussian and boxcar smoothing against scipy.ndimage (reflecting edges, a kernel
 * wider than the signal), keeping every column's sum; the same answer for 1 and 2 threads;
 * bad input named. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "harness.h"
#include "joint/bin.h"
#include "sim/rng.h"
#include "sim/soma.h"

static gsl_matrix *from(size_t r, size_t c, const double *v) {
  gsl_matrix *m = gsl_matrix_alloc(r, c);
  memcpy(m->data, v, r * c * sizeof *v);
  return m;
}

static double col_sum(const gsl_matrix *m, size_t j) {
  double s = 0;
  for (size_t i = 0; i < m->size1; i++) s += gsl_matrix_get(m, i, j);
  return s;
}

TEST(counts_by_hand) {
  /* bins of 10 ms over [0, 35): [0,10) [10,20) [20,30); 35 - 30 is a partial bin, dropped */
  double t[] = {0.0, 9.999, 10.0, 25.0, 19.0, 30.0, 34.0, -0.5, 35.0, 12.5};
  int32_t id[] = {0, 0, 1, 2, 1, 0, 0, 0, 2, 1};
  joint_bin_opts o = joint_bin_defaults();
  o.t0_ms = 0, o.t1_ms = 35, o.bin_ms = 10;
  CHECK(joint_bin_count(0, 35, 10) == 3);
  CHECK(joint_bin_count(0, 1000, 25) == 40);
  CHECK(joint_bin_count(0, 0.3, 0.1) == 3);    /* 0.3 / 0.1 = 2.9999999999999996 */
  CHECK(joint_bin_count(5, 5, 1) == 0 && joint_bin_count(0, 1, 0) == 0);
  gsl_matrix *c = NULL;
  char err[200] = "";
  REQUIRE(joint_bin_spikes(t, id, 10, 3, &o, &c, err, sizeof err) == SOMA_OK);
  REQUIRE(c->size1 == 3 && c->size2 == 3);
  double want[] = {2, 0, 0,    /* 0.0 and 9.999 */
                   0, 3, 0,    /* 10.0 (an edge goes to the later bin), 19.0, 12.5 */
                   0, 0, 1};   /* 25.0; 30, 34 (partial bin), -0.5 and 35 are outside */
  for (int k = 0; k < 9; k++) CHECK_NEAR(c->data[k], want[k], 0);
  gsl_matrix_free(c);
  /* edges on a 0.1 ms grid: spikes at exactly k·0.1 land in bin k, even where k·0.1 in
   * floating point is not what (t - t0) / bin rounds to */
  double t2[30];
  int32_t i2[30] = {0};
  for (int k = 0; k < 30; k++) t2[k] = k * 0.1;
  o.t1_ms = 3.0, o.bin_ms = 0.1;
  REQUIRE(joint_bin_spikes(t2, i2, 30, 1, &o, &c, err, sizeof err) == SOMA_OK);
  int all_one = c->size1 == 30;
  for (size_t k = 0; k < c->size1; k++) all_one &= gsl_matrix_get(c, k, 0) == 1;
  CHECK(all_one);
  gsl_matrix_free(c);
  /* bin centres */
  gsl_matrix *ct = joint_bin_centres(100, 25, 3);
  CHECK(ct && gsl_matrix_get(ct, 0, 0) == 112.5 && gsl_matrix_get(ct, 2, 0) == 162.5);
  gsl_matrix_free(ct);
  CHECK(joint_bin_centres(0, 25, 0) == NULL);
}

TEST(square_root) {
  double t[] = {1, 2, 3, 4, 11};
  int32_t id[] = {0, 0, 0, 0, 1};
  joint_bin_opts o = joint_bin_defaults();
  o.t1_ms = 20, o.bin_ms = 10, o.sqrt = 1;
  gsl_matrix *c = NULL;
  char err[200];
  REQUIRE(joint_bin_spikes(t, id, 5, 2, &o, &c, err, sizeof err) == SOMA_OK);
  CHECK(gsl_matrix_get(c, 0, 0) == 2 && gsl_matrix_get(c, 1, 1) == 1 &&
        gsl_matrix_get(c, 1, 0) == 0);
  gsl_matrix_free(c);
  gsl_matrix *m = from(1, 2, (double[]){4, -1});
  CHECK(joint_sqrt(m, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "hold -1 at row 0, column 1"), "%s", err);
  CHECK(gsl_matrix_get(m, 0, 0) == 4);   /* unchanged */
  gsl_matrix_free(m);
}

/* scipy 1.10 (/usr/bin/python3):
 *   x = np.array([[0,1],[3,0],[0,0],[1,2],[5,0],[0,1],[2,2]], dtype=float)
 *   gaussian_filter1d(x, 1.5, axis=0, mode='reflect', truncate=4.0)
 *   gaussian_filter1d(x, 3, axis=0, mode='reflect', truncate=4.0)    # radius 12 > 7 rows
 *   uniform_filter1d(x, 5, axis=0, mode='reflect'); uniform_filter1d(x, 4, ...)          */
static const double X[] = {0, 1, 3, 0, 0, 0, 1, 2, 5, 0, 0, 1, 2, 2};
static const double G15[] = {1.053824296788409, 0.5674111460335816, 1.1988978682422782,
                             0.5528796840578689, 1.4387086141719663, 0.624783788953034,
                             1.7495396203821376, 0.7730731366657284, 1.94694077179605,
                             0.9459750748086442, 1.8806036388494838, 1.168432172951662,
                             1.7314851897696752, 1.3674449965294813};
static const double G3[] = {1.3606608947139556, 0.6657821188269355, 1.408524108855766,
                            0.7001981345766247, 1.4902515669553242, 0.7647996701149824,
                            1.5839503793437153, 0.8501151494100827, 1.6682494067986622,
                            0.9406943756148766, 1.7287448686294504, 1.017229231345123,
                            1.759618774703127, 1.0611813201113756};
static const double U5[] = {1.2, 0.4, 0.8, 0.8, 1.8, 0.6, 1.8, 0.6, 1.6, 1, 2, 1.4, 1.8, 1.2};
static const double U4[] = {1.5, 0.5, 0.75, 0.5, 1, 0.75, 2.25,
                            0.5, 1.5, 0.75, 2, 1.25, 2.25, 1.25};

static void check_against(const gsl_matrix *m, const double *want, const char *what) {
  double worst = 0;
  for (size_t k = 0; k < 14; k++) worst = fmax(worst, fabs(m->data[k] - want[k]));
  CHECK_MSG(worst < 1e-12, "%s: off scipy by %g", what, worst);
}

TEST(smoothing_matches_scipy_and_keeps_the_sums) {
  char err[200];
  gsl_matrix *m = from(7, 2, X);
  REQUIRE(joint_smooth_gaussian(m, 1.5, 4, err, sizeof err) == SOMA_OK);
  check_against(m, G15, "gaussian 1.5");
  CHECK_NEAR(col_sum(m, 0), 11, 1e-12);
  CHECK_NEAR(col_sum(m, 1), 6, 1e-12);
  memcpy(m->data, X, sizeof X);
  REQUIRE(joint_smooth_gaussian(m, 3, 4, err, sizeof err) == SOMA_OK);
  check_against(m, G3, "gaussian 3 (kernel wider than the data)");
  CHECK_NEAR(col_sum(m, 0), 11, 1e-12);
  memcpy(m->data, X, sizeof X);
  REQUIRE(joint_smooth_boxcar(m, 5, err, sizeof err) == SOMA_OK);
  check_against(m, U5, "boxcar 5");
  CHECK_NEAR(col_sum(m, 0), 11, 1e-12);
  CHECK_NEAR(col_sum(m, 1), 6, 1e-12);
  memcpy(m->data, X, sizeof X);
  REQUIRE(joint_smooth_boxcar(m, 4, err, sizeof err) == SOMA_OK);
  check_against(m, U4, "boxcar 4");
  memcpy(m->data, X, sizeof X);
  REQUIRE(joint_smooth_boxcar(m, 1, err, sizeof err) == SOMA_OK);   /* width 1: unchanged */
  CHECK(memcmp(m->data, X, sizeof X) == 0);
  /* bad options, m unchanged */
  CHECK(joint_smooth_gaussian(m, 0, 4, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "sigma_bins and truncate must be > 0"), "%s", err);
  CHECK(joint_smooth_boxcar(m, 0, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "width must be from 1"), "%s", err);
  CHECK(memcmp(m->data, X, sizeof X) == 0);
  gsl_matrix_free(m);
}

/* Poisson spikes of 50 neurons (5 to 103 Hz) over 20 s, not sorted by time (by neuron) */
static size_t random_spikes(double **t, int32_t **id) {
  size_t cap = 200000, n = 0;
  *t = malloc(cap * sizeof **t);
  *id = malloc(cap * sizeof **id);
  for (int i = 0; i < 50; i++) {
    soma_stream s;
    soma_stream_init(&s, 3, 11, (uint32_t)i, 0, 0);
    double tt = 0, rate_hz = 5 + 2.0 * i;
    for (;;) {
      tt += -log(soma_stream_u01(&s)) * 1000 / rate_hz;
      if (tt >= 20000 || n == cap) break;
      (*t)[n] = tt, (*id)[n] = i, n++;
    }
  }
  return n;
}

TEST(smoothing_keeps_totals_and_is_thread_independent) {
  double *t;
  int32_t *id;
  size_t n = random_spikes(&t, &id);
  joint_bin_opts o = joint_bin_defaults();
  o.t1_ms = 20000, o.bin_ms = 25;
  gsl_matrix *raw = NULL, *g1 = NULL, *g2 = NULL, *b = NULL;
  char err[200];
  REQUIRE(joint_bin_spikes(t, id, n, 50, &o, &raw, err, sizeof err) == SOMA_OK);
  double total = 0;
  for (size_t j = 0; j < 50; j++) total += col_sum(raw, j);
  CHECK_NEAR(total, (double)n, 0);   /* every spike is in [0, 20000) */
  o.smooth = JOINT_SMOOTH_GAUSSIAN, o.sigma_bins = 2;
  omp_set_num_threads(1);
  REQUIRE(joint_bin_spikes(t, id, n, 50, &o, &g1, err, sizeof err) == SOMA_OK);
  omp_set_num_threads(2);
  REQUIRE(joint_bin_spikes(t, id, n, 50, &o, &g2, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(g1->data, g2->data, g1->size1 * g1->size2 * sizeof(double)) == 0);
  o.smooth = JOINT_SMOOTH_BOXCAR, o.width = 5;
  REQUIRE(joint_bin_spikes(t, id, n, 50, &o, &b, err, sizeof err) == SOMA_OK);
  double worst = 0;
  for (size_t j = 0; j < 50; j++) {
    worst = fmax(worst, fabs(col_sum(g1, j) - col_sum(raw, j)));
    worst = fmax(worst, fabs(col_sum(b, j) - col_sum(raw, j)));
  }
  CHECK_MSG(worst < 1e-9, "column sums change by %g", worst);
  gsl_matrix_free(raw), gsl_matrix_free(g1), gsl_matrix_free(g2), gsl_matrix_free(b);
  free(t), free(id);
}

TEST(bad_input_is_named) {
  double t[] = {1, NAN};
  int32_t id[] = {0, 5};
  joint_bin_opts o = joint_bin_defaults();
  o.t1_ms = 100, o.bin_ms = 10;
  gsl_matrix *c = NULL;
  char err[200];
  CHECK(joint_bin_spikes(t, id, 2, 3, &o, &c, err, sizeof err) == SOMA_ERR_PARAM && !c);
  CHECK_MSG(strstr(err, "spike 1: time nan ms"), "%s", err);
  t[1] = 2;
  CHECK(joint_bin_spikes(t, id, 2, 3, &o, &c, err, sizeof err) == SOMA_ERR_PARAM && !c);
  CHECK_MSG(strstr(err, "spike 1: neuron id 5 outside 0..2"), "%s", err);
  o.bin_ms = -1;
  CHECK(joint_bin_spikes(t, id, 2, 6, &o, &c, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "bin_ms must be > 0 (got -1)"), "%s", err);
  o.bin_ms = 200;
  CHECK(joint_bin_spikes(t, id, 2, 6, &o, &c, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the window [0, 100) ms holds no whole bin of 200 ms"), "%s", err);
  o.bin_ms = 10;
  CHECK(joint_bin_spikes(t, id, 2, 0, &o, &c, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "number of neurons must be from 1"), "%s", err);
  o.smooth = JOINT_SMOOTH_BOXCAR, o.width = 0;
  CHECK(joint_bin_spikes(t, id, 2, 6, &o, &c, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "boxcar smoothing needs width >= 1 bin (got 0)"), "%s", err);
  /* no spikes at all is fine: zeros */
  o.smooth = JOINT_SMOOTH_NONE;
  REQUIRE(joint_bin_spikes(NULL, NULL, 0, 2, &o, &c, err, sizeof err) == SOMA_OK);
  CHECK(c->size1 == 10 && col_sum(c, 0) == 0);
  gsl_matrix_free(c);
}

int main(void) {
  RUN(counts_by_hand);
  RUN(square_root);
  RUN(smoothing_matches_scipy_and_keeps_the_sums);
  RUN(smoothing_keeps_totals_and_is_thread_independent);
  RUN(bad_input_is_named);
  return h_done();
}
