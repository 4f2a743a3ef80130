/* test_joint_align.c — behaviour rows at their own times onto time bins (joint/align.c) by
 * hand: means of several rows, NaN values skipped, discrete columns by their last value,
 * sample-and-hold over empty bins, rows before t0, the rules before the first row; and
 * standardisation (joint/standardise.c) that takes its mean and sd from the training rows only.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "harness.h"
#include "joint/align.h"
#include "joint/split.h"
#include "joint/standardise.h"
#include "sim/soma.h"

/* t_ms, x (continuous), node (discrete) */
static const double ROWS[][3] = {
  {-5, 100, 9}, {3, 1, 1}, {7, 3, 2}, {12, 5, 3}, {15, NAN, 7},
  {31, 4, 4}, {31.5, 6, 5}, {50, 8, 6}, {60, 99, 99},
};

static gsl_matrix *values(size_t from, size_t n, double *t) {
  gsl_matrix *m = gsl_matrix_alloc(n, 2);
  for (size_t i = 0; i < n; i++) {
    t[i] = ROWS[from + i][0];
    gsl_matrix_set(m, i, 0, ROWS[from + i][1]);
    gsl_matrix_set(m, i, 1, ROWS[from + i][2]);
  }
  return m;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

TEST(mean_hold_and_last_value_by_hand) {
  double t[9];
  gsl_matrix *rows = values(0, 9, t);
  gsl_matrix *out = gsl_matrix_alloc(6, 2);
  unsigned char has[6], discrete[2] = {0, 1};
  size_t first = 99;
  joint_align_opts o = joint_align_defaults();
  o.discrete = discrete;
  char err[200] = "";
  REQUIRE(joint_align(rows, t, 0, 10, &o, out, has, &first, err, sizeof err) == SOMA_OK);
  /* bins of 10 ms: [0,10) rows 3, 7; [10,20) 12, 15 (x NaN skipped); [20,30) none: held;
   * [30,40) 31, 31.5; [40,50) held; [50,60) 50; the row at 60 is past the last bin */
  static const double want[6][2] = {{2, 2}, {5, 7}, {5, 7}, {5, 5}, {6, 5}, {8, 6}};
  static const unsigned char want_has[6] = {2, 2, 0, 2, 0, 1};
  for (int k = 0; k < 6; k++) {
    CHECK_MSG(same(gsl_matrix_get(out, k, 0), want[k][0]) &&
                  same(gsl_matrix_get(out, k, 1), want[k][1]),
              "bin %d: %g %g, want %g %g", k, gsl_matrix_get(out, k, 0), gsl_matrix_get(out, k, 1),
              want[k][0], want[k][1]);
    CHECK(has[k] == want_has[k]);
  }
  CHECK(first == 0);   /* the row at -5 ms is before bin 0 */
  /* all continuous: the node column is averaged too */
  REQUIRE(joint_align(rows, t, 0, 10, NULL, out, NULL, NULL, err, sizeof err) == SOMA_OK);
  CHECK(gsl_matrix_get(out, 0, 1) == 1.5 && gsl_matrix_get(out, 3, 1) == 4.5);
  gsl_matrix_free(rows), gsl_matrix_free(out);
}

TEST(before_the_first_row) {
  double t[8];
  gsl_matrix *rows = values(1, 8, t);   /* from the row at 3 ms */
  gsl_matrix *out = gsl_matrix_alloc(4, 2);   /* bins from -30 ms: three before any row */
  size_t first = 99;
  char err[200];
  REQUIRE(joint_align(rows, t, -30, 10, NULL, out, NULL, &first, err, sizeof err) == SOMA_OK);
  CHECK(isnan(gsl_matrix_get(out, 0, 0)) && isnan(gsl_matrix_get(out, 2, 1)));
  CHECK(gsl_matrix_get(out, 3, 0) == 2 && first == 3);   /* rows 3 and 7 */
  joint_align_opts o = joint_align_defaults();
  o.before = JOINT_BEFORE_FIRST;
  REQUIRE(joint_align(rows, t, -30, 10, &o, out, NULL, &first, err, sizeof err) == SOMA_OK);
  CHECK(gsl_matrix_get(out, 0, 0) == 1 && gsl_matrix_get(out, 2, 1) == 1 && first == 3);
  /* every row after the bins: nothing is known */
  REQUIRE(joint_align(rows, t, -100, 10, NULL, out, NULL, &first, err, sizeof err) == SOMA_OK);
  CHECK(first == 4 && isnan(gsl_matrix_get(out, 3, 0)));
  gsl_matrix_free(rows), gsl_matrix_free(out);
}

TEST(irregular_steps_onto_fine_bins) {
  /* one row per agent step of 100 ms, 25 ms bins: each row's value held over 4 bins */
  enum { STEPS = 50 };
  double t[STEPS];
  gsl_matrix *rows = gsl_matrix_alloc(STEPS, 1);
  for (int s = 0; s < STEPS; s++) t[s] = 100.0 * s, gsl_matrix_set(rows, (size_t)s, 0, s * s);
  gsl_matrix *out = gsl_matrix_alloc(4 * STEPS, 1);
  char err[200];
  REQUIRE(joint_align(rows, t, 0, 25, NULL, out, NULL, NULL, err, sizeof err) == SOMA_OK);
  int ok = 1;
  for (size_t k = 0; k < 4 * STEPS; k++)
    ok &= gsl_matrix_get(out, k, 0) == (double)((k / 4) * (k / 4));
  CHECK(ok);
  gsl_matrix_free(rows), gsl_matrix_free(out);
}

TEST(align_bad_input) {
  double t[3] = {0, 12, 10};
  gsl_matrix *rows = gsl_matrix_calloc(3, 2), *out = gsl_matrix_alloc(2, 2),
             *out3 = gsl_matrix_alloc(2, 3);
  char err[200] = "";
  CHECK(joint_align(rows, t, 0, 10, NULL, out, NULL, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "align: t_ms decreases at row 2 (10 after 12 ms)"), "%s", err);
  t[2] = NAN;
  CHECK(joint_align(rows, t, 0, 10, NULL, out, NULL, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "align: t_ms is nan at row 2"), "%s", err);
  t[2] = 20;
  CHECK(joint_align(rows, t, 0, 10, NULL, out3, NULL, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the rows have 2 columns but the output 3"), "%s", err);
  CHECK(joint_align(rows, t, 0, 0, NULL, out, NULL, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "bin_ms must be > 0"), "%s", err);
  gsl_matrix_free(rows), gsl_matrix_free(out), gsl_matrix_free(out3);
}

TEST(standardise_uses_the_training_rows_only) {
  /* 10 rows, test = the last 2: training rows 0..7 (no validation) */
  joint_split s;
  joint_split_opts so = joint_split_defaults();
  so.valid_fraction = 0;
  char err[300] = "";
  REQUIRE(joint_split_make(10, &so, &s, err, sizeof err) == SOMA_OK);
  gsl_matrix *y = gsl_matrix_alloc(10, 3);
  for (size_t i = 0; i < 10; i++) {
    gsl_matrix_set(y, i, 0, (double)i);
    gsl_matrix_set(y, i, 1, i < 8 ? 7.0 : 100.0);   /* constant on the training rows */
    gsl_matrix_set(y, i, 2, i < 8 ? (i % 2 ? 1.0 : -1.0) : NAN);   /* NaN in test: fine */
  }
  joint_standardise *z = NULL;
  REQUIRE(joint_standardise_fit(y, &s, &z, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(z->mean[0], 3.5, 1e-15);
  CHECK_NEAR(z->sd[0], sqrt(5.25), 1e-15);   /* ddof 0 over 0..7 */
  CHECK(z->constant[1] && z->n_constant == 1 && z->rows == 8);
  CHECK_NEAR(z->mean[2], 0, 0);
  CHECK_NEAR(z->sd[2], 1, 0);
  char note[200];
  const char *names[] = {"x", "reward", "y"};
  CHECK(joint_standardise_note(z, names, note, sizeof note) == 1);
  CHECK_MSG(strcmp(note, "column 'reward' is constant on the 8 training rows (sd 0): left as "
                         "it is") == 0, "%s", note);
  gsl_matrix *c = gsl_matrix_alloc(10, 3);
  gsl_matrix_memcpy(c, y);
  REQUIRE(joint_standardise_apply(z, c, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(c, 9, 0), (9 - 3.5) / sqrt(5.25), 1e-15);   /* test rows too */
  CHECK(gsl_matrix_get(c, 9, 1) == 100);                                 /* left as is */
  REQUIRE(joint_standardise_invert(z, c, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(gsl_matrix_get(c, 9, 0), 9, 1e-14);
  CHECK_NEAR(gsl_matrix_get(c, 3, 2), 1, 1e-15);
  /* the mean over all rows would differ: 4.5 */
  joint_standardise *all = NULL;
  gsl_matrix_view first2 = gsl_matrix_submatrix(y, 0, 0, 10, 1);
  REQUIRE(joint_standardise_fit(&first2.matrix, NULL, &all, err, sizeof err) == SOMA_OK);
  CHECK_NEAR(all->mean[0], 4.5, 1e-15);
  note[0] = 'x';
  CHECK(joint_standardise_note(all, NULL, note, sizeof note) == 0 && note[0] == 0);
  joint_standardise_free(all);
  /* bad input */
  gsl_matrix_set(y, 2, 2, NAN);
  joint_standardise *bad = NULL;
  CHECK(joint_standardise_fit(y, &s, &bad, err, sizeof err) == SOMA_ERR_PARAM && !bad);
  CHECK_MSG(strstr(err, "the training rows hold nan at row 2, column 2"), "%s", err);
  gsl_matrix *narrow = gsl_matrix_alloc(10, 2);
  CHECK(joint_standardise_apply(z, narrow, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "2 columns, fitted on 3"), "%s", err);
  gsl_matrix *short_y = gsl_matrix_alloc(5, 3);
  CHECK(joint_standardise_fit(short_y, &s, &bad, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "5 rows of data but the split has 10"), "%s", err);
  joint_standardise_free(z);
  joint_split_free(&s);
  gsl_matrix_free(y), gsl_matrix_free(c), gsl_matrix_free(narrow), gsl_matrix_free(short_y);
}

int main(void) {
  RUN(mean_hold_and_last_value_by_hand);
  RUN(before_the_first_row);
  RUN(irregular_steps_onto_fine_bins);
  RUN(align_bad_input);
  RUN(standardise_uses_the_training_rows_only);
  return h_done();
}
