/* test_joint_io.c — plain files of the joint layer (joint/io.c): .npy files made by numpy in
 * every numeric type read back exactly, matrices written as float64 and float32 and read back,
 * the arrays refused with their reasons; CSV round trips (names with commas and quotes, nan
 * and inf, exact doubles), numpy's and pandas' CSV, and every CSV error with line:column. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "harness.h"
#include "joint/io.h"
#include "joint_files.h"
#include "sim/soma.h"

/* The fixtures in tests/data/npy/ were made once with numpy 1.24 (/usr/bin/python3):
 *   import numpy as np
 *   np.save('f8.npy', np.array([[0.5, -1.25, 1e300], [np.nan, np.inf, -0.0]], dtype='<f8'))
 *   np.save('f4.npy', np.array([[0.5, -1.25, 3e38], [np.nan, -np.inf, 1e-3]], dtype='<f4'))
 *   np.save('i8.npy', np.array([[0, 1, -2], [3, 2**53, -2**40]], dtype='<i8'))
 *   np.save('i4.npy', np.array([[0, 1, -2], [3, 2**31 - 1, -2**31]], dtype='<i4'))
 *   np.save('i2.npy', np.array([[0, 1, -2], [3, 32767, -32768]], dtype='<i2'))
 *   np.save('i1.npy', np.array([[0, 1, -2], [3, 127, -128]], dtype='|i1'))
 *   np.save('u1.npy', np.array([[0, 1, 2], [3, 200, 255]], dtype='|u1'))
 *   np.save('u2.npy', np.array([[0, 1, 2], [3, 200, 65535]], dtype='<u2'))
 *   np.save('u4.npy', np.array([[0, 1, 2], [3, 200, 2**32 - 1]], dtype='<u4'))
 *   np.save('u8.npy', np.array([[0, 1, 2], [3, 200, 2**53]], dtype='<u8'))
 *   np.save('b1.npy', np.array([[True, False, True], [False, False, True]]))
 *   np.save('vec.npy', np.arange(5, dtype='<f8') / 4)
 *   np.save('big_endian.npy', np.arange(3, dtype='>f8'))
 *   np.save('fortran.npy', np.asfortranarray(np.arange(6, dtype='<f8').reshape(2, 3)))
 *   np.save('cube.npy', np.zeros((2, 2, 2)))
 *   np.save('scalar.npy', np.float64(3.0))
 *   np.save('no_rows.npy', np.zeros((0, 3)))
 *   np.save('text.npy', np.array(['a', 'b']))                                              */
#define FIX "tests/data/npy/"

/* equal values, NaN equal to NaN, and the sign of zero kept */
static int same(double a, double b) {
  return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

static int matrix_is(const gsl_matrix *m, size_t r, size_t c, const double *v) {
  if (!m || m->size1 != r || m->size2 != c) return 0;
  for (size_t i = 0; i < r; i++)
    for (size_t j = 0; j < c; j++)
      if (!same(gsl_matrix_get(m, i, j), v[i * c + j])) return 0;
  return 1;
}

TEST(npy_every_type_numpy_writes) {
  static const struct { const char *file; double v[6]; } cases[] = {
    {FIX "f8.npy", {0.5, -1.25, 1e300, NAN, INFINITY, -0.0}},
    {FIX "f4.npy", {0.5, -1.25, (float)3e38, NAN, -INFINITY, (float)1e-3}},
    {FIX "i8.npy", {0, 1, -2, 3, 9007199254740992.0, -1099511627776.0}},
    {FIX "i4.npy", {0, 1, -2, 3, 2147483647.0, -2147483648.0}},
    {FIX "i2.npy", {0, 1, -2, 3, 32767, -32768}},
    {FIX "i1.npy", {0, 1, -2, 3, 127, -128}},
    {FIX "u1.npy", {0, 1, 2, 3, 200, 255}},
    {FIX "u2.npy", {0, 1, 2, 3, 200, 65535}},
    {FIX "u4.npy", {0, 1, 2, 3, 200, 4294967295.0}},
    {FIX "u8.npy", {0, 1, 2, 3, 200, 9007199254740992.0}},
    {FIX "b1.npy", {1, 0, 1, 0, 0, 1}},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    gsl_matrix *m = NULL;
    char err[300] = "";
    int rc = joint_npy_read(cases[k].file, &m, err, sizeof err);
    CHECK_MSG(rc == SOMA_OK, "%s: %s", cases[k].file, err);
    CHECK_MSG(matrix_is(m, 2, 3, cases[k].v), "%s: wrong values", cases[k].file);
    if (m) gsl_matrix_free(m);
  }
  gsl_matrix *v = NULL;
  char err[300];
  REQUIRE(joint_npy_read(FIX "vec.npy", &v, err, sizeof err) == SOMA_OK);
  CHECK(matrix_is(v, 5, 1, (double[]){0, 0.25, 0.5, 0.75, 1}));   /* 1-D: a column */
  gsl_matrix_free(v);
}

TEST(npy_refuses_what_it_cannot_read) {
  static const struct { const char *file, *expect; int code; } cases[] = {
    {FIX "big_endian.npy", "big-endian: save a.astype('<f8')", SOMA_ERR_IO},
    {FIX "fortran.npy", "fortran_order must be False", SOMA_ERR_IO},
    {FIX "cube.npy", "a 3-D array; need 1-D (n) or 2-D (n, columns)", SOMA_ERR_PARAM},
    {FIX "scalar.npy", "a 0-d array", SOMA_ERR_PARAM},
    {FIX "no_rows.npy", "empty array (shape (0, 3)): no rows", SOMA_ERR_PARAM},
    {FIX "text.npy", "unsupported element type '<U1'", SOMA_ERR_IO},
    {FIX "missing.npy", "cannot open", SOMA_ERR_IO},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    gsl_matrix *m = NULL;
    char err[300] = "";
    int rc = joint_npy_read(cases[k].file, &m, err, sizeof err);
    CHECK_MSG(rc == cases[k].code && m == NULL, "%s: rc %d", cases[k].file, rc);
    CHECK_MSG(strstr(err, cases[k].file) && strstr(err, cases[k].expect), "%s: \"%s\"",
              cases[k].file, err);
  }
}

TEST(npy_round_trip) {
  char dir[64], path[128], err[300];
  REQUIRE(jf_tmpdir(dir, "joint_io"));
  gsl_matrix *m = gsl_matrix_alloc(4, 5);
  for (size_t i = 0; i < 4; i++)
    for (size_t j = 0; j < 5; j++) gsl_matrix_set(m, i, j, 0.1 * (double)i - 1e-7 * (double)j);
  gsl_matrix_set(m, 3, 4, NAN);
  snprintf(path, sizeof path, "%s/m.npy", dir);
  REQUIRE(joint_npy_write(path, m, NULL, err, sizeof err) == SOMA_OK);
  gsl_matrix *back = NULL;
  REQUIRE(joint_npy_read(path, &back, err, sizeof err) == SOMA_OK);
  CHECK(matrix_is(back, 4, 5, m->data));   /* float64: exact */
  gsl_matrix_free(back);
  /* float32, of a view whose rows are not contiguous (the middle 2 x 3 block) */
  gsl_matrix_view v = gsl_matrix_submatrix(m, 1, 1, 2, 3);
  snprintf(path, sizeof path, "%s/v.npy", dir);
  REQUIRE(joint_npy_write(path, &v.matrix, "<f4", err, sizeof err) == SOMA_OK);
  REQUIRE(joint_npy_read(path, &back, err, sizeof err) == SOMA_OK);
  double want[6];
  for (size_t i = 0; i < 2; i++)
    for (size_t j = 0; j < 3; j++) want[i * 3 + j] = (float)gsl_matrix_get(&v.matrix, i, j);
  CHECK(matrix_is(back, 2, 3, want));
  gsl_matrix_free(back);
  CHECK(joint_npy_write(path, m, "<i4", err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "can write \"<f8\" or \"<f4\", not \"<i4\""), "%s", err);
  CHECK(joint_npy_write("/nonexistent/dir/m.npy", m, NULL, err, sizeof err) == SOMA_ERR_IO);
  CHECK_MSG(strstr(err, "/nonexistent/dir/m.npy: cannot write"), "%s", err);
  gsl_matrix_free(m);
  jf_rmtree(dir);
}

TEST(csv_round_trip) {
  char dir[64], path[128], err[300] = "";
  REQUIRE(jf_tmpdir(dir, "joint_io"));
  snprintf(path, sizeof path, "%s/t.csv", dir);
  double v[] = {0.1, -0.0, 1e-300, 2.0 / 3.0, NAN, INFINITY, -INFINITY, 123456789012345678.0};
  gsl_matrix *m = gsl_matrix_alloc(2, 4);
  memcpy(m->data, v, sizeof v);
  const char *names[] = {"x", "speed, m/s", "say \"hi\"", "#k"};
  REQUIRE(joint_csv_write(path, m, names, err, sizeof err) == SOMA_OK);
  joint_table *t = NULL;
  REQUIRE(joint_csv_read(path, &t, err, sizeof err) == SOMA_OK);
  CHECK(matrix_is(t->data, 2, 4, v));
  REQUIRE(t->names);
  for (int j = 0; j < 4; j++) CHECK_MSG(strcmp(t->names[j], names[j]) == 0, "%s", t->names[j]);
  CHECK(joint_table_find(t, "say \"hi\"") == 2 && joint_table_find(t, "y") == -1);
  /* selecting columns by name, and a name that is not there */
  joint_table *s = NULL;
  REQUIRE(joint_table_select(t, (const char *[]){"#k", "x"}, 2, &s, err, sizeof err) == 0);
  CHECK(s->data->size2 == 2 && strcmp(s->names[0], "#k") == 0 &&
        gsl_matrix_get(s->data, 0, 1) == 0.1);
  joint_table_free(s);
  CHECK(joint_table_select(t, (const char *[]){"y"}, 1, &s, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strcmp(err, "no column 'y' (the columns are: x, speed, m/s, say \"hi\", #k)") == 0,
            "%s", err);
  joint_table_free(t);
  /* without names: c0, c1, ... */
  REQUIRE(joint_csv_write(path, m, NULL, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_csv_read(path, &t, err, sizeof err) == SOMA_OK);
  CHECK(t->names && strcmp(t->names[3], "c3") == 0);
  joint_table_free(t);
  gsl_matrix_free(m);
  jf_rmtree(dir);
}

/* text written to a file, read as CSV */
static int read_text(const char *dir, const char *text, joint_table **t, char *err, size_t n) {
  jf_text(dir, "in.csv", text);
  char path[128];
  snprintf(path, sizeof path, "%s/in.csv", dir);
  return joint_csv_read(path, t, err, n);
}

TEST(csv_from_numpy_and_pandas) {
  char dir[64], err[300] = "";
  REQUIRE(jf_tmpdir(dir, "joint_io"));
  joint_table *t = NULL;
  /* np.savetxt(f, a, delimiter=",", header="x,y"): a "# " header, numbers in %.18e */
  REQUIRE(read_text(dir, "# x,y\n1.000000000000000000e+00,2.500000000000000000e-01\n"
                         "-3.000000000000000000e+00,nan\n", &t, err, sizeof err) == SOMA_OK);
  CHECK(t->names && strcmp(t->names[1], "y") == 0);
  CHECK(matrix_is(t->data, 2, 2, (double[]){1, 0.25, -3, NAN}));
  joint_table_free(t);
  /* a comment that is not a header, blank lines, CRLF, spaces, quoted numbers */
  REQUIRE(read_text(dir, "# made by hand\r\n1, 2\r\n\r\n \"3\" ,4\r\n", &t, err, sizeof err) == 0);
  CHECK(t->names == NULL && matrix_is(t->data, 2, 2, (double[]){1, 2, 3, 4}));
  joint_table_free(t);
  /* pandas' to_csv(index=False): a plain header, a quoted name with a comma */
  REQUIRE(read_text(dir, "time_ms,\"x, cm\"\n0.0,1.5\n25.0,-inf\n", &t, err, sizeof err) == 0);
  CHECK(strcmp(t->names[1], "x, cm") == 0 &&
        matrix_is(t->data, 2, 2, (double[]){0, 1.5, 25, -INFINITY}));
  joint_table_free(t);
  jf_rmtree(dir);
}

TEST(csv_errors_say_where) {
  char dir[64];
  REQUIRE(jf_tmpdir(dir, "joint_io"));
  static const struct { const char *text, *expect; } cases[] = {
    {"x,y\n1,abc\n", ":2:3: 'abc' is not a number"},
    {"1,2,3\n4,5\n", ":2:4: 2 fields, but the first row has 3"},
    {"a,b\n1,2\n3,4,5\n", ":3:5: 3 fields, but the header has 2"},
    {"1,,3\n", ":1:3: empty field (write nan for a missing value)"},
    {"a,,c\n1,2,3\n", ":1:3: empty column name in the header"},
    {"\"a,b\n1\n", ":1:1: a quoted field must end with a quote"},
    {"", ": empty file (no rows)"},
    {"\n# nothing\n\n", ": empty file (no rows)"},
    {"x,y\n", ": a header but no rows of numbers"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    joint_table *t = NULL;
    char err[300] = "", want[200];
    snprintf(want, sizeof want, "%s/in.csv%s", dir, cases[k].expect);
    int rc = read_text(dir, cases[k].text, &t, err, sizeof err);
    CHECK_MSG(rc == SOMA_ERR_PARAM && t == NULL, "case %zu: rc %d", k, rc);
    CHECK_MSG(strncmp(err, want, strlen(want)) == 0, "case %zu: \"%s\", want \"%s\"", k, err, want);
  }
  joint_table *t = NULL;
  char err[300];
  CHECK(joint_csv_read("/nonexistent.csv", &t, err, sizeof err) == SOMA_ERR_IO);
  CHECK_MSG(strstr(err, "/nonexistent.csv: cannot open"), "%s", err);
  jf_rmtree(dir);
}

/* Inputs found by tests/fuzz/csv.c (write, read back: the same table), each fixed in io.c */
TEST(csv_fuzz_findings) {
  char dir[64], path[128], err[300] = "";
  REQUIRE(jf_tmpdir(dir, "joint_io"));
  joint_table *t = NULL;
  /* "# x,\n3,4\n": a '#' line with an empty name was taken as the header, and the file
   * written from it could not be read; it is a comment */
  REQUIRE(read_text(dir, "# x,\n3,4\n", &t, err, sizeof err) == SOMA_OK);
  CHECK(t->names == NULL && matrix_is(t->data, 1, 2, (double[]){3, 4}));
  joint_table_free(t);
  /* a NUL byte cut a name short ("#\xb6 \0\0t..." gave the name "\xb6 "): refused */
  snprintf(path, sizeof path, "%s/nul.csv", dir);
  FILE *f = fopen(path, "wb");
  REQUIRE(f);
  fwrite("a,b\n1,2\0x\n", 1, 10, f);
  fclose(f);
  CHECK(joint_csv_read(path, &t, err, sizeof err) == SOMA_ERR_PARAM && t == NULL);
  CHECK_MSG(strstr(err, "nul.csv:2:4: a NUL byte"), "%s", err);
  /* names with spaces or tabs at either end (quoted in the input) were written bare and
   * read back trimmed */
  REQUIRE(read_text(dir, "\" x\",\"y \",\"\tz\"\n1,2,3\n", &t, err, sizeof err) == SOMA_OK);
  CHECK(strcmp(t->names[0], " x") == 0 && strcmp(t->names[1], "y ") == 0 &&
        strcmp(t->names[2], "\tz") == 0);
  snprintf(path, sizeof path, "%s/out.csv", dir);
  REQUIRE(joint_csv_write(path, t->data, (const char *const *)t->names, err, sizeof err) == 0);
  joint_table *b = NULL;
  REQUIRE(joint_csv_read(path, &b, err, sizeof err) == SOMA_OK);
  for (int j = 0; j < 3; j++)
    CHECK_MSG(strcmp(b->names[j], t->names[j]) == 0, "'%s' read back as '%s'", t->names[j],
              b->names[j]);
  joint_table_free(b);
  joint_table_free(t);
  jf_rmtree(dir);
}

int main(void) {
  RUN(npy_every_type_numpy_writes);
  RUN(npy_refuses_what_it_cannot_read);
  RUN(npy_round_trip);
  RUN(csv_round_trip);
  RUN(csv_from_numpy_and_pandas);
  RUN(csv_errors_say_where);
  RUN(csv_fuzz_findings);
  return h_done();
}
