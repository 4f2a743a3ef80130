/* csv.c — fuzz target for the joint layer's CSV reader (joint/io.c, joint_csv_read): any bytes
 * give a table or a message "<path>:<line>:<col>: ..." (or "<path>: ..."); a table that loads
 * is written back by joint_csv_write and reads back with the same numbers (NaN included) and
 * the same column names. Seeds: small CSVs as numpy.savetxt, pandas and soma write them. */
#include <gsl/gsl_matrix.h>

#include "joint/io.h"
#include "tests/fuzz/fuzz.h"

static int same(double a, double b) {
  return (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
}

/* 1 when every name reads as a number: such a header cannot be told from a row */
static int numeric_names(const joint_table *t) {
  for (size_t j = 0; j < t->data->size2; j++) {
    char *end;
    strtod(t->names[j], &end);
    if (!t->names[j][0] || *end) return 0;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file("in.csv", data, size);
  char in_path[512];
  snprintf(in_path, sizeof in_path, "%s", path);
  joint_table *t = NULL;
  char err[1024] = "";
  int rc = joint_csv_read(in_path, &t, err, sizeof err);
  if (rc) {
    FUZZ_ASSERT(!t && !strncmp(err, in_path, strlen(in_path)), "message: %s", err);
    return 0;
  }
  FUZZ_ASSERT(t && t->data && t->data->size1 >= 1 && t->data->size2 >= 1, "empty table");
  if (t->names)
    for (size_t j = 0; j < t->data->size2; j++) FUZZ_ASSERT(t->names[j], "a NULL name");
  char out[512];
  snprintf(out, sizeof out, "%s/out.csv", fuzz_dir());
  FUZZ_ASSERT(joint_csv_write(out, t->data, (const char *const *)t->names, err, sizeof err) == 0,
              "write: %s", err);
  if (!t->names || !numeric_names(t)) {
    joint_table *b = NULL;
    FUZZ_ASSERT(joint_csv_read(out, &b, err, sizeof err) == 0, "own file unreadable: %s", err);
    FUZZ_ASSERT(b->data->size1 == t->data->size1 && b->data->size2 == t->data->size2,
                "shape %zu x %zu became %zu x %zu", t->data->size1, t->data->size2,
                b->data->size1, b->data->size2);
    for (size_t i = 0; i < t->data->size1; i++)
      for (size_t j = 0; j < t->data->size2; j++)
        FUZZ_ASSERT(same(gsl_matrix_get(t->data, i, j), gsl_matrix_get(b->data, i, j)),
                    "value (%zu, %zu) %.17g became %.17g", i, j, gsl_matrix_get(t->data, i, j),
                    gsl_matrix_get(b->data, i, j));
    FUZZ_ASSERT(b->names != NULL, "names lost");
    for (size_t j = 0; t->names && j < t->data->size2; j++)
      FUZZ_ASSERT(!strcmp(t->names[j], b->names[j]), "name '%s' became '%s'", t->names[j],
                  b->names[j]);
    joint_table_free(b);
  }
  joint_table_free(t);
  return 0;
}
