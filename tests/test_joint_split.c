/* test_joint_split.c — train / validation / test blocks (joint/split.c): CEBRA's evaluation
 * split for T = 10 000 (reference/joint.md §5.1 C1: 80/20, validation = the last 12.5 % of
 * training), its rounding for awkward T, interleaved blocks that cover the whole range, gaps
 * around held-out rows, taking rows of a part, and bad options named. */
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "harness.h"
#include "joint/split.h"
#include "sim/soma.h"

/* rows [a, b] all in part p */
static int all_in(const joint_split *s, size_t a, size_t b, int p) {
  for (size_t i = a; i <= b; i++)
    if (s->part[i] != p) return 0;
  return 1;
}

TEST(cebra_split_for_10000_rows) {
  joint_split s;
  char err[300] = "", d[300];
  REQUIRE(joint_split_make(10000, NULL, &s, err, sizeof err) == SOMA_OK);
  CHECK(all_in(&s, 0, 6999, JOINT_TRAIN));
  CHECK(all_in(&s, 7000, 7999, JOINT_VALID));
  CHECK(all_in(&s, 8000, 9999, JOINT_TEST));
  CHECK(s.count[JOINT_TRAIN] == 7000 && s.count[JOINT_VALID] == 1000 &&
        s.count[JOINT_TEST] == 2000 && s.count[JOINT_GAP] == 0);
  joint_split_describe(&s, d, sizeof d);
  CHECK_MSG(strcmp(d, "train 0-6999 (7000 rows), valid 7000-7999 (1000 rows), test 8000-9999 "
                      "(2000 rows)") == 0, "%s", d);
  joint_split_free(&s);
  /* Python: int(1234 * (1 - 0.2)) = 987, int(987 * (1 - 0.125)) = 863 */
  REQUIRE(joint_split_make(1234, NULL, &s, err, sizeof err) == SOMA_OK);
  CHECK(s.count[JOINT_TRAIN] == 863 && s.count[JOINT_VALID] == 124 && s.count[JOINT_TEST] == 247);
  CHECK(s.part[862] == JOINT_TRAIN && s.part[863] == JOINT_VALID && s.part[987] == JOINT_TEST);
  joint_split_free(&s);
}

TEST(interleaved_blocks_cover_the_range) {
  joint_split_opts o = joint_split_defaults();
  o.blocks = 10, o.every = 5;
  joint_split s;
  char err[300] = "", d[400];
  REQUIRE(joint_split_make(1000, &o, &s, err, sizeof err) == SOMA_OK);
  /* blocks of 100; blocks 5 and 10 (rows 400-499, 900-999) test; of each other block the
   * last 13 rows (100 - int(100 * 0.875) = 100 - 87) validation */
  CHECK(all_in(&s, 400, 499, JOINT_TEST) && all_in(&s, 900, 999, JOINT_TEST));
  CHECK(all_in(&s, 0, 86, JOINT_TRAIN) && all_in(&s, 87, 99, JOINT_VALID));
  CHECK(all_in(&s, 500, 586, JOINT_TRAIN) && all_in(&s, 587, 599, JOINT_VALID));
  CHECK(s.count[JOINT_TEST] == 200 && s.count[JOINT_VALID] == 8 * 13 &&
        s.count[JOINT_TRAIN] == 8 * 87);
  /* every tenth of the range has training rows, and both halves have test rows */
  for (size_t b = 0; b < 10; b++) {
    int has_train = 0;
    for (size_t i = b * 100; i < (b + 1) * 100; i++) has_train |= s.part[i] == JOINT_TRAIN;
    CHECK(has_train == ((b + 1) % 5 != 0));
  }
  joint_split_describe(&s, d, sizeof d);
  CHECK_MSG(strstr(d, "train 0-86 100-186 200-286 300-386 ... (696 rows)"), "%s", d);
  joint_split_free(&s);
  /* uneven blocks: 7 rows in 3 blocks = 0-1, 2-3, 4-6 */
  o.blocks = 3, o.every = 3, o.valid_fraction = 0;
  REQUIRE(joint_split_make(7, &o, &s, err, sizeof err) == SOMA_OK);
  CHECK(all_in(&s, 0, 3, JOINT_TRAIN) && all_in(&s, 4, 6, JOINT_TEST));
  joint_split_free(&s);
}

TEST(gaps_around_held_out_rows) {
  joint_split_opts o = joint_split_defaults();
  o.gap = 5;
  joint_split s;
  char err[300];
  REQUIRE(joint_split_make(10000, &o, &s, err, sizeof err) == SOMA_OK);
  CHECK(all_in(&s, 0, 6994, JOINT_TRAIN) && all_in(&s, 6995, 6999, JOINT_GAP));
  CHECK(all_in(&s, 7000, 7999, JOINT_VALID) && all_in(&s, 8000, 9999, JOINT_TEST));
  joint_split_free(&s);
  o.blocks = 10, o.every = 5, o.valid_fraction = 0, o.gap = 3;
  REQUIRE(joint_split_make(1000, &o, &s, err, sizeof err) == SOMA_OK);
  CHECK(all_in(&s, 396, 396, JOINT_TRAIN) && all_in(&s, 397, 399, JOINT_GAP));
  CHECK(all_in(&s, 500, 502, JOINT_GAP) && s.part[503] == JOINT_TRAIN);
  CHECK(s.count[JOINT_GAP] == 3 * 3);   /* before 400 and 900, after 499 */
  joint_split_free(&s);
}

TEST(rows_of_a_part) {
  joint_split s;
  char err[300] = "";
  REQUIRE(joint_split_make(20, NULL, &s, err, sizeof err) == SOMA_OK);   /* 14 / 2 / 4 */
  gsl_matrix *m = gsl_matrix_alloc(20, 2), *t = NULL;
  for (size_t i = 0; i < 20; i++)
    gsl_matrix_set(m, i, 0, (double)i), gsl_matrix_set(m, i, 1, -(double)i);
  REQUIRE(joint_split_rows(m, &s, JOINT_VALID, &t, err, sizeof err) == SOMA_OK);
  CHECK(t->size1 == 2 && gsl_matrix_get(t, 0, 0) == 14 && gsl_matrix_get(t, 1, 1) == -15);
  gsl_matrix_free(t);
  size_t idx[20];
  CHECK(joint_split_index(&s, JOINT_TEST, idx) == 4 && idx[0] == 16 && idx[3] == 19);
  gsl_matrix *col = joint_split_column(&s);
  CHECK(col && gsl_matrix_get(col, 13, 0) == 0 && gsl_matrix_get(col, 14, 0) == 1 &&
        gsl_matrix_get(col, 19, 0) == 2);
  gsl_matrix_free(col);
  CHECK(joint_split_rows(m, &s, JOINT_GAP, &t, err, sizeof err) == SOMA_ERR_PARAM && !t);
  CHECK_MSG(strstr(err, "the gap part has no rows"), "%s", err);
  gsl_matrix_view v = gsl_matrix_submatrix(m, 0, 0, 10, 2);
  CHECK(joint_split_rows(&v.matrix, &s, JOINT_TRAIN, &t, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "the matrix has 10 rows, the split 20"), "%s", err);
  gsl_matrix_free(m);
  joint_split_free(&s);
}

TEST(bad_options_are_named) {
  joint_split s;
  joint_split_opts o = joint_split_defaults();
  char err[300] = "";
  o.test_fraction = 1;
  CHECK(joint_split_make(100, &o, &s, err, sizeof err) == SOMA_ERR_PARAM && s.part == NULL);
  CHECK_MSG(strstr(err, "must be in [0, 1) (got 1, 0.125)"), "%s", err);
  o = joint_split_defaults();
  CHECK(joint_split_make(1, &o, &s, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "split: 1 row leaves no training row"), "%s", err);
  REQUIRE(joint_split_make(3, &o, &s, err, sizeof err) == SOMA_OK);   /* 1 of each */
  CHECK(s.count[JOINT_TRAIN] == 1 && s.count[JOINT_VALID] == 1 && s.count[JOINT_TEST] == 1);
  joint_split_free(&s);
  o.blocks = 10, o.every = 1;
  CHECK(joint_split_make(100, &o, &s, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "with 10 blocks, every must be from 2 to 10 (got 1)"), "%s", err);
  o.blocks = 200;
  CHECK(joint_split_make(100, &o, &s, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "blocks must be from 1 to the 100 rows (got 200)"), "%s", err);
  CHECK(joint_split_make(0, NULL, &s, err, sizeof err) == SOMA_ERR_PARAM);
  joint_split_free(&s);   /* zeroed: a no-op */
}

int main(void) {
  RUN(cebra_split_for_10000_rows);
  RUN(interleaved_blocks_cover_the_range);
  RUN(gaps_around_held_out_rows);
  RUN(rows_of_a_part);
  RUN(bad_options_are_named);
  return h_done();
}
