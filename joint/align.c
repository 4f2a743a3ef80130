/* align.c — irregularly timed rows to one row per time bin (see align.h): one pass over the
 * bins and the rows together, the bins' edges computed as joint/bin.c computes them. */
#include "align.h"

#include <math.h>
#include <stdlib.h>

#include "joint/check.h"
#include "sim/soma.h"

joint_align_opts joint_align_defaults(void) {
  return (joint_align_opts){.discrete = NULL, .before = JOINT_BEFORE_NAN};
}

int joint_align(const gsl_matrix *rows, const double *t_ms, double t0_ms, double bin_ms,
                const joint_align_opts *o, gsl_matrix *out, unsigned char *has_data,
                size_t *first_bin, char *err, size_t errlen) {
  joint_align_opts d = joint_align_defaults();
  if (!o) o = &d;
  if (!rows || !t_ms || !out)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "align: no rows, times or output");
  if (rows->size2 != out->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "align: the rows have %zu columns but the output %zu", rows->size2,
                      out->size2);
  if (!(bin_ms > 0) || !isfinite(bin_ms) || !isfinite(t0_ms))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "align: bin_ms must be > 0 and t0 finite "
                      "(got %g, %g)", bin_ms, t0_ms);
  if (o->before != JOINT_BEFORE_NAN && o->before != JOINT_BEFORE_FIRST)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "align: unknown rule %d for the bins before "
                      "the first row", (int)o->before);
  size_t n = rows->size1, T = out->size1, D = out->size2;
  for (size_t r = 0; r < n; r++) {
    if (!isfinite(t_ms[r]))
      return joint_fail(err, errlen, SOMA_ERR_PARAM, "align: t_ms is %g at row %zu", t_ms[r], r);
    if (r && t_ms[r] < t_ms[r - 1])
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "align: t_ms decreases at row %zu (%g after %g ms)", r, t_ms[r],
                        t_ms[r - 1]);
  }
  double *sum = calloc(D, sizeof *sum), *held = malloc((D ? D : 1) * sizeof *held);
  size_t *cnt = calloc(D, sizeof *cnt);
  if (!sum || !cnt || !held) {
    free(sum), free(cnt), free(held);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "align: out of memory");
  }
  for (size_t j = 0; j < D; j++) held[j] = NAN;
  size_t r = 0, first = T;
  int seen = 0;   /* a row has been consumed: held[] is the signal so far */
  for (size_t k = 0; k < T; k++) {
    double lo = t0_ms + (double)k * bin_ms, hi = t0_ms + (double)(k + 1) * bin_ms;
    for (size_t j = 0; j < D; j++) sum[j] = 0, cnt[j] = 0;
    size_t start = r;
    for (; r < n && t_ms[r] < hi; r++) {
      int inside = t_ms[r] >= lo;
      for (size_t j = 0; j < D; j++) {
        double v = gsl_matrix_get(rows, r, j);
        if (o->discrete && o->discrete[j]) held[j] = v;
        else if (isfinite(v)) {
          held[j] = v;
          if (inside) sum[j] += v, cnt[j]++;
        }
      }
      if (!inside) start = r + 1;   /* before t0: only held */
      seen = 1;
    }
    if (has_data) has_data[k] = (unsigned char)(r - start > 255 ? 255 : r - start);
    if (seen && first == T) first = k;
    for (size_t j = 0; j < D; j++) {
      double v;
      if (r > start && !(o->discrete && o->discrete[j])) v = cnt[j] ? sum[j] / (double)cnt[j] : NAN;
      else if (seen) v = held[j];
      else v = o->before == JOINT_BEFORE_FIRST && n ? gsl_matrix_get(rows, 0, j) : NAN;
      gsl_matrix_set(out, k, j, v);
    }
  }
  free(sum), free(cnt), free(held);
  if (first_bin) *first_bin = first;
  return SOMA_OK;
}
