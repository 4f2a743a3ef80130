/* fit_decoders.c — the decoders of the behaviour from the binned spikes themselves, beside kNN
 * on the embedding: ridge regression (the linear baseline), the Kalman filter of Wu et al.
 * 2006 (causal, the BCI baseline) and the Bayesian decoder over Poisson GLM encoders. Each is
 * trained on the training rows (its hyperparameters, where it has any, chosen on the
 * validation rows) and predicts the test rows. */
#include "app/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "joint/bayes_decode.h"
#include "joint/check.h"
#include "joint/glm.h"
#include "joint/kalman.h"
#include "joint/ridge.h"
#include "joint/score.h"
#include "sim/param.h"
#include "sim/soma.h"

#define NOMEM() joint_fail(err, errlen, SOMA_ERR_NOMEM, "fit: out of memory")

/* the rows of m in the parts of the split, one matrix each (freed by free_parts) */
typedef struct parts {
  gsl_matrix *m[3];
} parts;

static void free_parts(parts *p) {
  for (int k = 0; k < 3; k++)
    if (p->m[k]) gsl_matrix_free(p->m[k]), p->m[k] = NULL;
}

static int split_parts(const gsl_matrix *m, const joint_split *s, parts *p, char *err,
                       size_t errlen) {
  memset(p, 0, sizeof *p);
  int rc = SOMA_OK;
  for (int k = JOINT_TRAIN; k <= JOINT_TEST && !rc; k++)
    rc = joint_split_rows(m, s, k, &p->m[k], err, errlen);
  if (rc) free_parts(p);
  return rc;
}

static int dec_ridge(const fit_decoder_in *in, gsl_matrix *pred, double *param, char *err,
                     size_t errlen) {
  parts x, y;
  int rc = split_parts(in->xt, in->split, &x, err, errlen);
  if (rc) return rc;
  if ((rc = split_parts(in->y, in->split, &y, err, errlen))) return free_parts(&x), rc;
  joint_ridge *m = NULL;
  rc = joint_ridge_fit(x.m[0], y.m[0], x.m[1], y.m[1], NULL, &m, err, errlen);
  if (!rc) rc = joint_ridge_predict(m, x.m[2], pred, err, errlen);
  if (!rc) *param = m->lambda;
  joint_ridge_free(m);
  free_parts(&x), free_parts(&y);
  return rc;
}

/* the Kalman filter fitted on the training rows (state: the behaviour), run causally over
 * every row (it sees only the spikes), its estimates of the test rows kept */
static int dec_kalman(const fit_decoder_in *in, gsl_matrix *pred, double *param, char *err,
                      size_t errlen) {
  gsl_matrix *xtr = NULL, *ytr = NULL, *all = NULL;
  joint_kalman *m = NULL;
  int rc = joint_split_rows(in->y, in->split, JOINT_TRAIN, &xtr, err, errlen);
  if (!rc) rc = joint_split_rows(in->xt, in->split, JOINT_TRAIN, &ytr, err, errlen);
  if (!rc) rc = joint_kalman_fit(xtr, ytr, NULL, &m, err, errlen);
  if (!rc && !(all = gsl_matrix_alloc(in->y->size1, in->y->size2))) rc = NOMEM();
  if (!rc) rc = joint_kalman_filter(m, in->xt, all, err, errlen);
  for (size_t k = 0, i = 0; !rc && k < in->split->n; k++)
    if (in->split->part[k] == JOINT_TEST) {
      gsl_vector_const_view row = gsl_matrix_const_row(all, k);
      gsl_matrix_set_row(pred, i++, &row.vector);
    }
  *param = NAN;
  joint_kalman_free(m);
  if (xtr) gsl_matrix_free(xtr);
  if (ytr) gsl_matrix_free(ytr);
  if (all) gsl_matrix_free(all);
  return rc;
}

/* Poisson GLMs of every neuron's counts on the behaviour (training rows), then the posterior
 * mean over a grid of behaviour points for each test row, with the training rows' occupancy
 * as the prior */
static int dec_glm_bayes(const fit_decoder_in *in, gsl_matrix *pred, double *param, char *err,
                         size_t errlen) {
  if (in->y->size2 > 2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "glm_bayes: decodes at most 2 behaviour "
                      "columns (its grid has 40^D points); got %zu", in->y->size2);
  parts c, y;
  int rc = split_parts(in->counts, in->split, &c, err, errlen);
  if (rc) return rc;
  if ((rc = split_parts(in->y, in->split, &y, err, errlen))) return free_parts(&c), rc;
  joint_glm *m = NULL;
  rc = joint_glm_fit(y.m[0], c.m[0], NULL, &m, err, errlen);
  gsl_matrix *map = NULL;
  if (!rc && !(map = gsl_matrix_alloc(pred->size1, pred->size2))) rc = NOMEM();
  joint_bayes_options bo = joint_bayes_defaults();
  bo.prior_behaviour = y.m[0];
  if (!rc) rc = joint_bayes_decode(m, c.m[2], &bo, map, pred, err, errlen);
  *param = (double)bo.grid;
  if (map) gsl_matrix_free(map);
  joint_glm_free(m);
  free_parts(&c), free_parts(&y);
  return rc;
}

static const fit_decoder_def DECODERS[] = {
    {"ridge", "binned spikes", "lambda", dec_ridge},
    {"kalman", "binned spikes", "", dec_kalman},
    {"glm_bayes", "spike counts", "grid", dec_glm_bayes},
    {NULL, NULL, NULL, NULL},
};

const fit_decoder_def *fit_decoder_find(const char *name) {
  for (const fit_decoder_def *d = DECODERS; d->name; d++)
    if (!strcmp(d->name, name)) return d;
  return NULL;
}

const char *fit_decoder_names(char *buf, size_t len) {
  size_t at = (size_t)snprintf(buf, len, "knn");
  for (const fit_decoder_def *d = DECODERS; d->name && at < len; d++)
    at += (size_t)snprintf(buf + at, len - at, ", %s", d->name);
  return buf;
}

int fit_decoders_check(const char *list, char *err, size_t errlen) {
  const char *names[8] = {"knn"};
  int n = 1;
  for (const fit_decoder_def *d = DECODERS; d->name && n < 8; d++) names[n++] = d->name;
  for (const char *p = list; *p;) {
    size_t len = strcspn(p, ",");
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)len, p);
    if (strcmp(name, "knn") && !fit_decoder_find(name)) {
      const char *guess = soma_closest_name(name, names, n);
      char hint[96] = "", known[160];
      if (guess) snprintf(hint, sizeof hint, " (did you mean '%s'?)", guess);
      return joint_fail(err, errlen, FIT_ERR_USAGE, "unknown decoder '%s'%s; the decoders: %s",
                        name, hint, fit_decoder_names(known, sizeof known));
    }
    p += len;
    if (*p == ',') p++;
  }
  return SOMA_OK;
}

int fit_decode(const fit_decoder_def *def, const fit_decoder_in *in, fit_decoder *out,
               char *err, size_t errlen) {
  size_t n_test = in->split->count[JOINT_TEST];
  gsl_matrix *pred = gsl_matrix_alloc(n_test, in->y->size2), *truth = NULL;
  if (!pred) return NOMEM();
  double param = NAN;
  int rc = def->decode(in, pred, &param, err, errlen);
  if (!rc) rc = joint_split_rows(in->y, in->split, JOINT_TEST, &truth, err, errlen);
  if (!rc) {
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", def->name);
    snprintf(out->on, sizeof out->on, "%s", def->on);
    snprintf(out->param_name, sizeof out->param_name, "%s", def->param_name);
    out->r2 = joint_r2(truth, pred);
    out->median_error = joint_median_error(truth, pred);
    out->param = param;
  }
  gsl_matrix_free(pred);
  if (truth) gsl_matrix_free(truth);
  return rc;
}
