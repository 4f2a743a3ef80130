/* standardise.c — z-scores from the training rows (see standardise.h). Means and variances
 * are two-pass (mean first, then squared deviations) for accuracy. */
#include "standardise.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "joint/check.h"
#include "sim/soma.h"

void joint_standardise_free(joint_standardise *s) {
  if (!s) return;
  free(s->mean), free(s->sd), free(s->constant);
  free(s);
}

static int used(const joint_split *split, size_t i) {
  return !split || split->part[i] == JOINT_TRAIN;
}

int joint_standardise_fit(const gsl_matrix *y, const joint_split *split,
                          joint_standardise **out, char *err, size_t errlen) {
  *out = NULL;
  if (!y) return joint_fail(err, errlen, SOMA_ERR_PARAM, "standardise: no data");
  if (split && split->n != y->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "standardise: %zu rows of data but the split has %zu", y->size1, split->n);
  size_t n = split ? split->count[JOINT_TRAIN] : y->size1, d = y->size2;
  if (n == 0) return joint_fail(err, errlen, SOMA_ERR_PARAM, "standardise: no training rows");
  for (size_t i = 0; i < y->size1; i++)
    if (used(split, i))
      for (size_t j = 0; j < d; j++)
        if (!isfinite(gsl_matrix_get(y, i, j)))
          return joint_fail(err, errlen, SOMA_ERR_PARAM,
                            "standardise: the training rows hold %g at row %zu, column %zu",
                            gsl_matrix_get(y, i, j), i, j);
  joint_standardise *s = calloc(1, sizeof *s);
  if (s) {
    s->mean = calloc(d, sizeof *s->mean);
    s->sd = calloc(d, sizeof *s->sd);
    s->constant = calloc(d, 1);
  }
  if (!s || !s->mean || !s->sd || !s->constant) {
    joint_standardise_free(s);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "standardise: out of memory");
  }
  s->d = d, s->rows = n;
  for (size_t i = 0; i < y->size1; i++)
    if (used(split, i))
      for (size_t j = 0; j < d; j++) s->mean[j] += gsl_matrix_get(y, i, j);
  for (size_t j = 0; j < d; j++) s->mean[j] /= (double)n;
  for (size_t i = 0; i < y->size1; i++)
    if (used(split, i))
      for (size_t j = 0; j < d; j++) {
        double e = gsl_matrix_get(y, i, j) - s->mean[j];
        s->sd[j] += e * e;
      }
  for (size_t j = 0; j < d; j++) {
    s->sd[j] = sqrt(s->sd[j] / (double)n);
    if (s->sd[j] <= 1e-12 * fmax(1.0, fabs(s->mean[j]))) {
      s->constant[j] = 1;
      s->n_constant++;
    }
  }
  *out = s;
  return SOMA_OK;
}

static int transform(const joint_standardise *s, gsl_matrix *y, int invert, char *err,
                     size_t errlen) {
  const char *who = invert ? "standardise (invert)" : "standardise";
  if (!s || !y) return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: no data", who);
  if (y->size2 != s->d)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: %zu columns, fitted on %zu", who,
                      y->size2, s->d);
  for (size_t i = 0; i < y->size1; i++)
    for (size_t j = 0; j < s->d; j++) {
      if (s->constant[j]) continue;
      double *v = gsl_matrix_ptr(y, i, j);
      *v = invert ? *v * s->sd[j] + s->mean[j] : (*v - s->mean[j]) / s->sd[j];
    }
  return SOMA_OK;
}

int joint_standardise_apply(const joint_standardise *s, gsl_matrix *y, char *err,
                            size_t errlen) {
  return transform(s, y, 0, err, errlen);
}

int joint_standardise_invert(const joint_standardise *s, gsl_matrix *y, char *err,
                             size_t errlen) {
  return transform(s, y, 1, err, errlen);
}

size_t joint_standardise_note(const joint_standardise *s, const char *const *names, char *buf,
                              size_t len) {
  if (!len) return s ? s->n_constant : 0;
  buf[0] = 0;
  if (!s || !s->n_constant) return 0;
  size_t at = 0;
  int w = snprintf(buf, len, "%s ", s->n_constant == 1 ? "column" : "columns");
  at = w > 0 ? (size_t)w : 0;
  size_t k = 0;
  for (size_t j = 0; j < s->d && at < len; j++) {
    if (!s->constant[j]) continue;
    const char *sep = k == 0 ? "" : k + 1 == s->n_constant ? " and " : ", ";
    w = names ? snprintf(buf + at, len - at, "%s'%s'", sep, names[j])
              : snprintf(buf + at, len - at, "%s%zu", sep, j);
    if (w > 0) at += (size_t)w;
    k++;
  }
  if (at < len)
    snprintf(buf + at, len - at, " %s constant on the %zu training rows (sd 0): left as %s",
             s->n_constant == 1 ? "is" : "are", s->rows, s->n_constant == 1 ? "it is" : "they are");
  return s->n_constant;
}
