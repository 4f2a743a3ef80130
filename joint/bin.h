/* bin.h — spike trains to a matrix of counts per time bin (T bins × N neurons, one row per
 * bin), and what is done to counts before decoding: the square root, and Gaussian or boxcar
 * smoothing along time with scipy.ndimage's reflecting edges, which keep every column's sum. */
#ifndef JOINT_BIN_H
#define JOINT_BIN_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>

typedef enum { JOINT_SMOOTH_NONE, JOINT_SMOOTH_GAUSSIAN, JOINT_SMOOTH_BOXCAR } joint_smooth;

/* How spikes become rows. Bin k is [t0 + k·bin_ms, t0 + (k+1)·bin_ms) (edges computed so in
 * double precision), k = 0 .. T−1 with T = joint_bin_count(t0, t1, bin_ms): a last partial
 * bin is dropped. Then, in this order: the square root of the counts (sqrt), and smoothing. */
typedef struct joint_bin_opts {
  double t0_ms, t1_ms;   /* the window [t0, t1) in ms (default 0, 0: the caller must set t1,
                            or joint_rundir_bin takes the end of the recording) */
  double bin_ms;         /* bin width, ms (25) */
  int sqrt;              /* 1: square root of the counts (0) */
  joint_smooth smooth;   /* JOINT_SMOOTH_NONE */
  double sigma_bins;     /* Gaussian: standard deviation in bins (1) */
  double truncate;       /* Gaussian: kernel cut at truncate·sigma (4, scipy's default) */
  int width;             /* boxcar: bins averaged (5) */
} joint_bin_opts;

joint_bin_opts joint_bin_defaults(void);

/* Whole bins of bin_ms in [t0, t1): floor((t1 − t0)/bin_ms), with 1e-9 of a bin of slack so
 * that 1000 ms of 25 ms bins is 40 and not 39 by rounding. 0 when t1 <= t0 or bin_ms <= 0. */
size_t joint_bin_count(double t0_ms, double t1_ms, double bin_ms);

/* The centre of bin k, t0 + (k + ½)·bin_ms, for bins k = 0..T−1 as a new T × 1 matrix (to
 * export beside the counts). NULL when T is 0 or out of memory. */
gsl_matrix *joint_bin_centres(double t0_ms, double bin_ms, size_t T);

/* Counts (a new T × n_neurons matrix) of the spikes (t_ms[k], ids[k]), k < n_spikes, per bin
 * of the window of o, then o's square root and smoothing. Times need not be sorted; spikes
 * outside the bins are left out. SOMA_ERR_PARAM with a message for a non-finite time
 * ("spike 17: time nan ms"), an id outside 0..n_neurons−1, n_neurons 0, bin_ms <= 0, a window
 * shorter than one bin, or bad smoothing options. */
int joint_bin_spikes(const double *t_ms, const int32_t *ids, size_t n_spikes, size_t n_neurons,
                     const joint_bin_opts *o, gsl_matrix **counts, char *err, size_t errlen);

/* Square root of every entry of m, in place. SOMA_ERR_PARAM (m unchanged) if an entry is
 * negative or not finite. */
int joint_sqrt(gsl_matrix *m, char *err, size_t errlen);

/* Smooths every column of m along its rows, in place, with a Gaussian of sigma_bins > 0
 * (weights exp(−d²/2σ²) for |d| <= r = floor(truncate·σ + ½), truncate > 0, normalised to sum
 * 1) and edges reflected (… c b a | a b c …): scipy.ndimage.gaussian_filter1d(m, σ, axis=0,
 * mode='reflect', truncate=truncate). The kernel is symmetric, so each column keeps its sum
 * (up to rounding) whatever its length. */
int joint_smooth_gaussian(gsl_matrix *m, double sigma_bins, double truncate, char *err,
                          size_t errlen);

/* Replaces row i by the mean of rows i − width/2 … i + (width−1)/2 (integer division;
 * width >= 1), edges reflected: scipy.ndimage.uniform_filter1d(m, width, axis=0,
 * mode='reflect'). An odd width is centred and keeps each column's sum; an even one is half a
 * bin early (scipy's convention) and keeps it only away from the edges. */
int joint_smooth_boxcar(gsl_matrix *m, int width, char *err, size_t errlen);

#endif
