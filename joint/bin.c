/* bin.c — spike counts per time bin, square root and smoothing along time (see bin.h).
 * Smoothing is a direct sum over the kernel per output row, parallel over rows: each row is
 * summed by one thread in a fixed order, so the result does not depend on the thread count. */
#include "bin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joint/check.h"
#include "sim/soma.h"

joint_bin_opts joint_bin_defaults(void) {
  return (joint_bin_opts){.t0_ms = 0, .t1_ms = 0, .bin_ms = 25, .sqrt = 0,
                          .smooth = JOINT_SMOOTH_NONE, .sigma_bins = 1, .truncate = 4,
                          .width = 5};
}

size_t joint_bin_count(double t0_ms, double t1_ms, double bin_ms) {
  if (!(bin_ms > 0) || !isfinite(bin_ms) || !isfinite(t0_ms) || !isfinite(t1_ms) ||
      !(t1_ms > t0_ms))
    return 0;
  double n = floor((t1_ms - t0_ms) / bin_ms + 1e-9);
  return n >= 1 && n < 9e15 ? (size_t)n : 0;
}

gsl_matrix *joint_bin_centres(double t0_ms, double bin_ms, size_t T) {
  if (T == 0) return NULL;
  gsl_matrix *c = gsl_matrix_alloc(T, 1);
  if (!c) return NULL;
  for (size_t k = 0; k < T; k++) gsl_matrix_set(c, k, 0, t0_ms + ((double)k + 0.5) * bin_ms);
  return c;
}

/* the bin of time t (edges t0 + k·bin), or -1 outside [t0, t0 + T·bin) */
static long bin_of(double t, double t0, double bin, size_t T) {
  double k = floor((t - t0) / bin);
  if (!(k >= -1) || k > (double)T) return -1;
  long b = (long)k;
  /* the division may land one bin off an edge: compare with the edges themselves */
  if (t0 + (double)(b + 1) * bin <= t) b++;
  else if (b >= 0 && t0 + (double)b * bin > t) b--;
  return b >= 0 && (size_t)b < T ? b : -1;
}

static int check_smoothing(const joint_bin_opts *o, char *err, size_t errlen) {
  switch (o->smooth) {
    case JOINT_SMOOTH_NONE: return SOMA_OK;
    case JOINT_SMOOTH_GAUSSIAN:
      if (!(o->sigma_bins > 0) || !isfinite(o->sigma_bins) || !(o->truncate > 0) ||
          !isfinite(o->truncate))
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "binning: Gaussian smoothing needs sigma_bins > 0 and truncate > 0 "
                          "(got %g and %g)", o->sigma_bins, o->truncate);
      return SOMA_OK;
    case JOINT_SMOOTH_BOXCAR:
      if (o->width < 1)
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "binning: boxcar smoothing needs width >= 1 bin (got %d)", o->width);
      return SOMA_OK;
  }
  return joint_fail(err, errlen, SOMA_ERR_PARAM, "binning: unknown smoothing %d", (int)o->smooth);
}

int joint_bin_spikes(const double *t_ms, const int32_t *ids, size_t n_spikes, size_t n_neurons,
                     const joint_bin_opts *o, gsl_matrix **counts, char *err, size_t errlen) {
  *counts = NULL;
  if (!o) return joint_fail(err, errlen, SOMA_ERR_PARAM, "binning: no options");
  if (!(o->bin_ms > 0) || !isfinite(o->bin_ms))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "binning: bin_ms must be > 0 (got %g)",
                      o->bin_ms);
  size_t T = joint_bin_count(o->t0_ms, o->t1_ms, o->bin_ms);
  if (T == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "binning: the window [%g, %g) ms holds no whole bin of %g ms", o->t0_ms,
                      o->t1_ms, o->bin_ms);
  if (n_neurons == 0 || n_neurons > INT32_MAX)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "binning: the number of neurons must be from 1 to %d (got %zu)",
                      INT32_MAX, n_neurons);
  if (n_spikes && (!t_ms || !ids))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "binning: no spike times or ids");
  int rc = check_smoothing(o, err, errlen);
  if (rc) return rc;
  for (size_t k = 0; k < n_spikes; k++) {
    if (!isfinite(t_ms[k]))
      return joint_fail(err, errlen, SOMA_ERR_PARAM, "binning: spike %zu: time %g ms", k, t_ms[k]);
    if (ids[k] < 0 || (size_t)ids[k] >= n_neurons)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "binning: spike %zu: neuron id %d outside 0..%zu", k, (int)ids[k],
                        n_neurons - 1);
  }
  gsl_matrix *m = gsl_matrix_calloc(T, n_neurons);
  if (!m) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "binning: out of memory for %zu x %zu",
                            T, n_neurons);
  for (size_t k = 0; k < n_spikes; k++) {
    long b = bin_of(t_ms[k], o->t0_ms, o->bin_ms, T);
    if (b >= 0) m->data[(size_t)b * m->tda + (size_t)ids[k]] += 1.0;
  }
  if (o->sqrt) rc = joint_sqrt(m, err, errlen);
  if (!rc && o->smooth == JOINT_SMOOTH_GAUSSIAN)
    rc = joint_smooth_gaussian(m, o->sigma_bins, o->truncate, err, errlen);
  if (!rc && o->smooth == JOINT_SMOOTH_BOXCAR) rc = joint_smooth_boxcar(m, o->width, err, errlen);
  if (rc) {
    gsl_matrix_free(m);
    return rc;
  }
  *counts = m;
  return SOMA_OK;
}

int joint_sqrt(gsl_matrix *m, char *err, size_t errlen) {
  if (!m) return joint_fail(err, errlen, SOMA_ERR_PARAM, "square root: no matrix");
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) {
      double v = gsl_matrix_get(m, i, j);
      if (!(v >= 0) || !isfinite(v))
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "square root: the counts hold %g at row %zu, column %zu", v, i, j);
    }
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) {
      double *v = gsl_matrix_ptr(m, i, j);
      *v = sqrt(*v);
    }
  return SOMA_OK;
}

/* row p of a signal of T rows extended by reflection (… c b a | a b c … z | z y …) */
static size_t reflect(long p, size_t T) {
  long period = 2 * (long)T, q = p % period;
  if (q < 0) q += period;
  return (size_t)(q < (long)T ? q : period - 1 - q);
}

/* m ← Σ_d w[d + left] · m[reflect(i + d)], d = −left .. right */
static int filter_rows(gsl_matrix *m, const double *w, long left, long right, const char *who,
                       char *err, size_t errlen) {
  size_t T = m->size1, N = m->size2;
  gsl_matrix *in = gsl_matrix_alloc(T, N);
  if (!in) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory", who);
  gsl_matrix_memcpy(in, m);
  #pragma omp parallel for schedule(static)
  for (long i = 0; i < (long)T; i++) {
    double *out = m->data + (size_t)i * m->tda;
    for (size_t j = 0; j < N; j++) out[j] = 0;
    for (long d = -left; d <= right; d++) {
      const double *src = in->data + reflect(i + d, T) * in->tda, wd = w[d + left];
      for (size_t j = 0; j < N; j++) out[j] += wd * src[j];
    }
  }
  gsl_matrix_free(in);
  return SOMA_OK;
}

int joint_smooth_gaussian(gsl_matrix *m, double sigma_bins, double truncate, char *err,
                          size_t errlen) {
  if (!m) return joint_fail(err, errlen, SOMA_ERR_PARAM, "Gaussian smoothing: no matrix");
  if (!(sigma_bins > 0) || !isfinite(sigma_bins) || !(truncate > 0) || !isfinite(truncate) ||
      truncate * sigma_bins > 1e6)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "Gaussian smoothing: sigma_bins and truncate must be > 0, their product "
                      "at most 1e6 (got %g and %g)", sigma_bins, truncate);
  long r = (long)(truncate * sigma_bins + 0.5);
  double *w = malloc((size_t)(2 * r + 1) * sizeof *w), sum = 0;
  if (!w) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "Gaussian smoothing: out of memory");
  for (long d = -r; d <= r; d++)
    sum += w[d + r] = exp(-0.5 * (double)(d * d) / (sigma_bins * sigma_bins));
  for (long d = -r; d <= r; d++) w[d + r] /= sum;
  int rc = filter_rows(m, w, r, r, "Gaussian smoothing", err, errlen);
  free(w);
  return rc;
}

int joint_smooth_boxcar(gsl_matrix *m, int width, char *err, size_t errlen) {
  if (!m) return joint_fail(err, errlen, SOMA_ERR_PARAM, "boxcar smoothing: no matrix");
  if (width < 1 || width > 1000000)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "boxcar smoothing: width must be from 1 to 1e6 bins (got %d)", width);
  double *w = malloc((size_t)width * sizeof *w);
  if (!w) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "boxcar smoothing: out of memory");
  for (int k = 0; k < width; k++) w[k] = 1.0 / width;
  int rc = filter_rows(m, w, width / 2, (width - 1) / 2, "boxcar smoothing", err, errlen);
  free(w);
  return rc;
}
