/* score.c — R² and median error of predictions (see score.h). */
#include "score.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

static int same_shape(const gsl_matrix *a, const gsl_matrix *b) {
  return a && b && a->size1 == b->size1 && a->size2 == b->size2 && a->size1 > 0;
}

double joint_r2_column(const gsl_matrix *truth, const gsl_matrix *pred, size_t col) {
  if (!same_shape(truth, pred) || col >= truth->size2) return NAN;
  size_t n = truth->size1;
  double mean = 0;
  for (size_t t = 0; t < n; t++) mean += gsl_matrix_get(truth, t, col);
  mean /= (double)n;
  double ss_res = 0, ss_tot = 0;
  for (size_t t = 0; t < n; t++) {
    double y = gsl_matrix_get(truth, t, col);
    double e = y - gsl_matrix_get(pred, t, col);
    ss_res += e * e;
    ss_tot += (y - mean) * (y - mean);
  }
  if (ss_tot == 0) return ss_res == 0 ? 1.0 : 0.0;
  return 1.0 - ss_res / ss_tot;
}

double joint_r2(const gsl_matrix *truth, const gsl_matrix *pred) {
  if (!same_shape(truth, pred) || truth->size2 == 0) return NAN;
  double sum = 0;
  for (size_t c = 0; c < truth->size2; c++) sum += joint_r2_column(truth, pred, c);
  return sum / (double)truth->size2;
}

double joint_median_error(const gsl_matrix *truth, const gsl_matrix *pred) {
  if (!same_shape(truth, pred)) return NAN;
  size_t n = truth->size1;
  double *d = malloc(n * sizeof *d);
  if (!d) return NAN;
  for (size_t t = 0; t < n; t++) {
    double s = 0;
    for (size_t c = 0; c < truth->size2; c++) {
      double e = gsl_matrix_get(truth, t, c) - gsl_matrix_get(pred, t, c);
      s += e * e;
    }
    d[t] = sqrt(s);
  }
  gsl_sort(d, 1, n);
  double m = gsl_stats_median_from_sorted_data(d, 1, n);
  free(d);
  return m;
}
