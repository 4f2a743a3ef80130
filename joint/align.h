/* align.h — rows sampled at their own times (behaviour at every agent step, latents, state
 * samples: irregular, several per time bin or none) to one row per time bin, so that they line
 * up with the binned spikes: continuous columns averaged, discrete ones by their last value,
 * empty bins held from the last row before them. */
#ifndef JOINT_ALIGN_H
#define JOINT_ALIGN_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* What bins before the first row get. */
typedef enum {
  JOINT_BEFORE_NAN,     /* NaN (default): nothing is known yet; crop them (first_bin) */
  JOINT_BEFORE_FIRST    /* the first row's values, held backwards */
} joint_before;

typedef struct joint_align_opts {
  const unsigned char *discrete;  /* per column: 1 discrete (an integer label such as a maze
                                     node: the last value in the bin), 0 continuous (the mean);
                                     NULL: all continuous */
  joint_before before;            /* JOINT_BEFORE_NAN */
} joint_align_opts;

joint_align_opts joint_align_defaults(void);

/* Bins out->size1 bins of bin_ms from t0_ms: bin k is [t0 + k·bin, t0 + (k+1)·bin) as in
 * joint/bin.h. rows (n × D) were sampled at t_ms[0..n) (ms, finite, non-decreasing: a row at a
 * bin's start edge belongs to that bin). For each bin with rows in it: a continuous column
 * gets the mean of its finite values there (NaN when all are NaN), a discrete column the value
 * of the bin's last row. A bin without rows holds the signal (sample-and-hold): a continuous
 * column its last finite value so far, a discrete one the last row's value; rows before t0
 * count. Bins before the first row follow o->before. Rows after the last bin are unused.
 * out (caller's) is D columns wide; has_data (may be NULL) gets, per bin, the number of rows
 * in it, capped at 255 (0: held). *first_bin (may be NULL) is the first bin at or after the
 * first row (out->size1 if none): the bins before it are what o->before filled.
 * SOMA_ERR_PARAM for shapes, a non-finite or decreasing time ("align: t_ms decreases at row 5
 * (10 after 12 ms)"), or bin_ms <= 0. */
int joint_align(const gsl_matrix *rows, const double *t_ms, double t0_ms, double bin_ms,
                const joint_align_opts *o, gsl_matrix *out, unsigned char *has_data,
                size_t *first_bin, char *err, size_t errlen);

#endif
