/* io.h — plain files in and out of the joint layer: .npy (any numeric type numpy or soma
 * writes, read as doubles; written as float64 or float32) and CSV with a header row of column
 * names, so data from elsewhere can be analysed and everything fitted can be exported. */
#ifndef JOINT_IO_H
#define JOINT_IO_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* A matrix with the names of its columns: what a CSV holds, what the run-directory reader
 * returns (behaviour columns by name, neurons as "pop:index"). names has data->size2 entries,
 * or is NULL for unnamed columns. */
typedef struct joint_table {
  gsl_matrix *data;
  char **names;
} joint_table;

/* A table made of data (taken over on success; on failure it stays the caller's) and a copy
 * of names (data->size2 strings, or NULL). NULL when out of memory. */
joint_table *joint_table_make(gsl_matrix *data, const char *const *names);
/* NULL is a no-op; frees the matrix and the names. */
void joint_table_free(joint_table *t);
/* The column called name, or -1 (also for an unnamed table). */
int joint_table_find(const joint_table *t, const char *name);
/* A new table of the columns named in names[0..n) of t, in that order. SOMA_ERR_PARAM with
 * "no column 'v' (the columns are: x, y, ...)" for a name t does not have. */
int joint_table_select(const joint_table *t, const char *const *names, size_t n,
                       joint_table **out, char *err, size_t errlen);

/* Reads a .npy file into a new matrix: 1-D (n) as n × 1, 2-D (n, k) as n × k, from
 * little-endian <f8, <f4, <i8, <i4, <i2, |i1, <u8, <u4, <u2, |u1 or |b1 (bool as 0/1),
 * C order. Integers beyond 2^53 lose precision as doubles. SOMA_ERR_IO or SOMA_ERR_PARAM with
 * "<path>: ..." for a missing or damaged file, a big-endian or Fortran-ordered array, a 0-d
 * or 3-D or larger array, or no rows or columns. */
int joint_npy_read(const char *path, gsl_matrix **out, char *err, size_t errlen);

/* Writes m as a 2-D .npy (rows, columns) of "<f8" (descr NULL or "<f8") or "<f4". */
int joint_npy_write(const char *path, const gsl_matrix *m, const char *descr, char *err,
                    size_t errlen);

/* Reads a CSV of numbers, comma separated, one row per line. The first line is a header of
 * column names when any of its fields is text other than a number (numpy.savetxt's "# a,b" header
 * is recognised too); other lines starting with '#' and blank lines are skipped. Fields may be
 * double-quoted and padded with spaces; numbers are what strtod reads, with nan and inf.
 * Errors name "<path>:<line>:<column>: ...": a field that is not a number, an empty field,
 * a row with more or fewer fields than the first, a NUL byte; and "<path>: ..." for an empty file or a
 * header with no rows. CRLF line ends are fine. */
int joint_csv_read(const char *path, joint_table **out, char *err, size_t errlen);

/* Writes m as CSV with a header line: names (m->size2 strings; quoted when they hold a comma,
 * quote or line break), or "c0,c1,..." when names is NULL. Numbers as %.17g (they read back
 * exactly), non-finite values as nan, inf, -inf. A failed write removes the file. */
int joint_csv_write(const char *path, const gsl_matrix *m, const char *const *names,
                    char *err, size_t errlen);

#endif
