/* split.h — train / validation / test parts of a time series as contiguous blocks of rows,
 * never random rows (neighbouring time bins are alike, so a random split leaks): CEBRA's
 * evaluation split by default, or interleaved blocks so that every part covers the space. */
#ifndef JOINT_SPLIT_H
#define JOINT_SPLIT_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* What each row is used for. JOINT_GAP rows are in no part (see joint_split_opts.gap). */
enum { JOINT_TRAIN = 0, JOINT_VALID = 1, JOINT_TEST = 2, JOINT_GAP = 3 };

/* blocks = 1 (the default) is CEBRA's split: test = the last test_fraction of the rows,
 * validation = the last valid_fraction of the rows before it, training = the rest, with the
 * row counts rounded down as Python's int() does: n_fit = (size_t)(n·(1 − test_fraction)),
 * n_train = (size_t)(n_fit·(1 − valid_fraction)). For n = 10 000: training 0–6999, validation
 * 7000–7999, test 8000–9999.
 * blocks = K >= 2 interleaves: the rows are cut into K blocks, block b holding rows
 * floor(b·n/K) .. floor((b+1)·n/K) − 1; every `every`-th block (b + 1 a multiple of every) is
 * test, and the last valid_fraction of each other block (rounded down as above) validation.
 * test_fraction is then unused (K = 10, every = 5: blocks 5 and 10, 20 % of the rows).
 * gap > 0 leaves out (JOINT_GAP) the training rows within gap rows of a validation or test row,
 * so that smoothing windows and histories do not reach across. */
typedef struct joint_split_opts {
  double test_fraction;    /* 0.2 */
  double valid_fraction;   /* 0.125 (of the rows not in the test part) */
  int blocks;              /* 1 */
  int every;               /* 5 */
  size_t gap;              /* 0 rows */
} joint_split_opts;

joint_split_opts joint_split_defaults(void);

typedef struct joint_split {
  size_t n;                /* rows */
  unsigned char *part;     /* n: JOINT_TRAIN, JOINT_VALID, JOINT_TEST or JOINT_GAP */
  size_t count[4];         /* rows per part */
} joint_split;

/* Makes the split of n rows into *out (freed with joint_split_free). A fraction > 0 always
 * gets at least one row (n − int(n·(1 − f)) >= 1). SOMA_ERR_PARAM with a message for fractions
 * outside [0, 1), blocks < 1, every outside 2..blocks with blocks >= 2, more blocks than rows,
 * or no training rows left ("split: 1 row leaves no training row"). */
int joint_split_make(size_t n, const joint_split_opts *o, joint_split *out, char *err,
                     size_t errlen);
/* Frees the part array; NULL and a zeroed split are no-ops. */
void joint_split_free(joint_split *s);

/* The indices of the rows of part (ascending) into idx (count[part] entries); returns how
 * many. */
size_t joint_split_index(const joint_split *s, int part, size_t *idx);

/* A new matrix of the rows of m in part, in order. SOMA_ERR_PARAM if m has not s->n rows or
 * the part is empty. */
int joint_split_rows(const gsl_matrix *m, const joint_split *s, int part, gsl_matrix **out,
                     char *err, size_t errlen);

/* The part of every row as a new n × 1 matrix (0 train, 1 valid, 2 test, 3 gap), to export
 * with the data. NULL when out of memory. */
gsl_matrix *joint_split_column(const joint_split *s);

/* "train 0-6999 (7000 rows), valid 7000-7999 (1000 rows), test 8000-9999 (2000 rows)": each
 * part's ranges of rows (the first 4 per part, then "..."), cut with "..." to fit len. */
void joint_split_describe(const joint_split *s, char *buf, size_t len);

const char *joint_split_part_name(int part);   /* "train", "valid", "test", "gap" */

#endif
