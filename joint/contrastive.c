/* contrastive.c — CEBRA's training loop (cebra/solver/base.py: one fresh batch per step,
 * embed reference/positive/negative windows with one encoder, InfoNCE, backward, Adam) and its
 * transform with replicate padding. See contrastive.h. */
#include "contrastive.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "joint/adam.h"
#include "joint/check.h"
#include "joint/contrastive_loss.h"
#include "joint/contrastive_sampler.h"
#include "joint/nn.h"
#include "sim/soma.h"

joint_contrastive_options joint_contrastive_defaults(void) {
  return (joint_contrastive_options){
    .model_architecture = "offset1-model", .conditional = NULL, .distance = "cosine",
    .temperature = 1.0, .temperature_mode = "constant", .min_temperature = 0.1,
    .time_offsets = 1, .delta = 0, .max_iterations = 10000, .batch_size = 512,
    .learning_rate = 3e-4, .output_dimension = 8, .num_hidden_units = 32,
    .prior = "empirical", .seed = 0, .threads = 0,
  };
}

void joint_contrastive_free(joint_contrastive *m) {
  if (!m) return;
  free(m->loss), free(m->params), free(m);
}

static const char *mode_name(joint_sample_mode m) {
  static const char *names[] = {"time", "time_delta", "delta", "discrete", "mixed"};
  return names[m];
}

/* the options and the data, checked; the sampler mode chosen as CEBRA's sklearn API does */
static int check_inputs(const gsl_matrix *x, const gsl_matrix *labels,
                        const gsl_vector_int *discrete, const joint_contrastive_options *o,
                        nn_arch *arch, int *normalize, int *euclid, int *learnt,
                        joint_sample_mode *mode, char *err, size_t errlen) {
  const char *w = "contrastive";
  if (nn_arch_parse(o->model_architecture, arch, normalize))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: unknown model_architecture '%s' (use offset1-model, offset5-model, "
                      "offset10-model, offset1-model-mse or offset10-model-mse)", w,
                      o->model_architecture ? o->model_architecture : "(null)");
  if (!o->distance || (strcmp(o->distance, "cosine") && strcmp(o->distance, "euclidean")))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: unknown distance '%s' (use cosine or euclidean)", w,
                      o->distance ? o->distance : "(null)");
  *euclid = !strcmp(o->distance, "euclidean");
  if (!o->temperature_mode ||
      (strcmp(o->temperature_mode, "constant") && strcmp(o->temperature_mode, "auto")))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: unknown temperature_mode '%s' (use constant or auto)", w,
                      o->temperature_mode ? o->temperature_mode : "(null)");
  *learnt = !strcmp(o->temperature_mode, "auto");
  if (!(o->temperature > 0 && isfinite(o->temperature)))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: temperature must be > 0 (got %g)", w,
                      o->temperature);
  if (*learnt && !(o->min_temperature > 0 && isfinite(o->min_temperature)))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: min_temperature must be > 0 (got %g)",
                      w, o->min_temperature);
  if (o->max_iterations < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: max_iterations must be >= 1 (got %d)",
                      w, o->max_iterations);
  if (o->batch_size < 1 || o->batch_size > 1 << 20)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: batch_size must be in 1 .. 1048576 (got %d)", w, o->batch_size);
  if (!(o->learning_rate > 0 && isfinite(o->learning_rate)))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: learning_rate must be > 0 (got %g)", w,
                      o->learning_rate);
  if (o->output_dimension < 1 || o->output_dimension > 4096)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: output_dimension must be in 1 .. 4096 (got %d)", w,
                      o->output_dimension);
  if (o->num_hidden_units < 2 || o->num_hidden_units > 4096)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: num_hidden_units must be in 2 .. 4096 (got %d)", w,
                      o->num_hidden_units);
  if (o->time_offsets < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: time_offsets must be >= 1 (got %d)", w,
                      o->time_offsets);
  if (!o->prior || (strcmp(o->prior, "empirical") && strcmp(o->prior, "uniform")))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: unknown prior '%s' (use empirical or uniform)", w,
                      o->prior ? o->prior : "(null)");
  if (o->threads < 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: threads must be >= 0 (got %d)", w,
                      o->threads);
  if (!x || x->size1 < 1 || x->size2 < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: the data must have rows and columns", w);
  int rc = joint_check_finite(x, w, "data", err, errlen);
  if (rc) return rc;
  size_t T = x->size1;
  if (labels) {
    if (labels->size1 != T)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "%s: the labels have %zu rows but the data %zu", w, labels->size1, T);
    if ((rc = joint_check_finite(labels, w, "labels", err, errlen))) return rc;
  }
  if (discrete && discrete->size != T)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: the discrete labels have %zu entries but the data %zu rows", w,
                      discrete->size, T);
  const char *c = o->conditional;
  if (c && strcmp(c, "time") && strcmp(c, "time_delta") && strcmp(c, "delta"))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: unknown conditional '%s' (use time, time_delta or delta)", w, c);
  if (c && !strcmp(c, "time")) *mode = JOINT_SAMPLE_TIME;
  else if (c && !strcmp(c, "delta")) {
    if (!labels)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "%s: conditional 'delta' needs continuous labels", w);
    if (discrete)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "%s: conditional 'delta' takes no discrete labels (CEBRA mixes "
                        "discrete labels only with time_delta)", w);
    *mode = JOINT_SAMPLE_DELTA;
  } else if (labels) *mode = discrete ? JOINT_SAMPLE_MIXED : JOINT_SAMPLE_TIME_DELTA;
  else if (discrete) *mode = JOINT_SAMPLE_DISCRETE;
  else if (c)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: conditional '%s' needs continuous labels (pass labels, or use "
                      "conditional = time)", w, c);
  else *mode = JOINT_SAMPLE_TIME;
  nn_net net;
  if (nn_net_init(&net, *arch, *normalize, (int)(x->size2 < 1000000 ? x->size2 : 1000000),
                  o->num_hidden_units, o->output_dimension) || x->size2 > 1000000)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: %zu neurons (at most 1000000)", w,
                      x->size2);
  size_t R = (size_t)(net.left + net.right);
  if (T < R)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: %zu time points, but %s needs windows of %zu (pass at least %zu "
                      "rows)", w, T, o->model_architecture, R, R);
  return SOMA_OK;
}

/* the fit's buffers, freed together */
typedef struct fit_state {
  joint_contrastive_sampler sampler;
  nn_data_f data;
  nn_work_f work;
  joint_contrastive_loss_work_f lw;
  joint_adam adam;
  float *params, *grad, *dout;
  long *starts, *idx;
  double *loss;
} fit_state;

static void fit_state_free(fit_state *s) {
  joint_contrastive_sampler_free(&s->sampler);
  nn_data_free_f(&s->data);
  nn_work_free_f(&s->work);
  joint_contrastive_loss_free_f(&s->lw);
  joint_adam_free(&s->adam);
  free(s->params), free(s->grad), free(s->dout), free(s->starts), free(s->idx), free(s->loss);
}

int joint_contrastive_fit(const gsl_matrix *x, const gsl_matrix *labels,
                          const gsl_vector_int *discrete, const joint_contrastive_options *opt,
                          joint_contrastive_progress progress, void *user,
                          joint_contrastive **out, char *err, size_t errlen) {
  if (out) *out = NULL;
  if (!out) return joint_fail(err, errlen, SOMA_ERR_PARAM, "contrastive: out must not be NULL");
  joint_contrastive_options o = opt ? *opt : joint_contrastive_defaults();
  nn_arch arch = NN_OFFSET1;
  int normalize = 1, euclid = 0, learnt = 0;
  joint_sample_mode mode = JOINT_SAMPLE_TIME;
  int rc = check_inputs(x, labels, discrete, &o, &arch, &normalize, &euclid, &learnt, &mode,
                        err, errlen);
  if (rc) return rc;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t T = x->size1, n = (size_t)o.batch_size;
  int nthreads = o.threads > 0 ? o.threads : omp_get_max_threads();
  nn_net net;
  nn_net_init(&net, arch, normalize, (int)x->size2, o.num_hidden_units, o.output_dimension);
  fit_state s;
  memset(&s, 0, sizeof s);
  rc = joint_contrastive_sampler_init(&s.sampler, mode, T, labels, discrete, o.time_offsets,
                                      o.delta, !strcmp(o.prior, "uniform"), o.seed, err, errlen);
  if (rc) return rc;
  size_t np = net.n_params, dp = (size_t)net.layer[net.n_layers - 1].coutp;
  int R = net.left + net.right;
  s.params = malloc((np + 1) * sizeof *s.params);
  s.grad = malloc((np + 1) * sizeof *s.grad);
  s.dout = malloc(3 * n * dp * sizeof *s.dout);
  s.starts = malloc(3 * n * sizeof *s.starts);
  s.idx = malloc(3 * n * sizeof *s.idx);
  s.loss = malloc((size_t)o.max_iterations * sizeof *s.loss);
  if (!s.params || !s.grad || !s.dout || !s.starts || !s.idx || !s.loss ||
      nn_data_build_f(&s.data, x, -1) ||
      nn_work_alloc_f(&s.work, &net, 3 * n, R, 1, nthreads) ||
      joint_contrastive_loss_alloc_f(&s.lw, n, o.output_dimension) ||
      joint_adam_init(&s.adam, np + (learnt ? 1 : 0), o.learning_rate)) {
    fit_state_free(&s);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM,
                      "contrastive: out of memory (%zu parameters, batch %zu, %zu rows)", np, n,
                      T);
  }
  nn_init_params(&net, o.seed, s.params);
  s.params[np] = (float)log(1 / o.temperature);   /* log β, learnt with "auto" */
  s.grad[np] = 0;
  double beta = 1 / o.temperature;
  int it = 0, stopped = 0;
  for (; it < o.max_iterations; it++) {
    long *ref = s.idx, *pos = ref + n, *neg = pos + n;
    joint_contrastive_sampler_draw(&s.sampler, (uint32_t)it, n, ref, pos, neg, nthreads);
    for (size_t w = 0; w < 3 * n; w++) {   /* CEBRA's expand_index: clamp, then the window */
      long i = s.idx[w], lo = net.left, hi = (long)T - net.right;
      s.starts[w] = (i < lo ? lo : i > hi ? hi : i) - net.left;
    }
    int clamped = 0;
    if (learnt) {
      double b = exp((double)s.params[np]), cap = 1 / o.min_temperature;
      clamped = b > cap;
      beta = clamped ? cap : b;
    }
    nn_forward_f(&net, s.params, &s.data, s.starts, &s.work);
    const float *e = s.work.out;
    joint_contrastive_loss_value v =
        joint_contrastive_loss_f(&s.lw, dp, e, e + n * dp, e + 2 * n * dp, euclid, beta, s.dout,
                                 s.dout + n * dp, s.dout + 2 * n * dp, nthreads);
    if (!isfinite(v.loss)) {
      fit_state_free(&s);
      return joint_fail(err, errlen, SOMA_ERR_NUMERIC,
                        "contrastive: the loss became %g at iteration %d (lower the "
                        "learning_rate?)", v.loss, it + 1);
    }
    nn_backward_f(&net, s.params, &s.data, s.starts, &s.work, s.dout, s.grad);
    if (learnt) s.grad[np] = clamped ? 0 : (float)(beta * v.dbeta);   /* ∂L/∂log β */
    joint_adam_step(&s.adam, s.params, s.grad);
    s.loss[it] = v.loss;
    if (progress && progress(it + 1, v.loss, user)) {
      stopped = 1, it++;
      break;
    }
  }
  if (learnt) {
    double b = exp((double)s.params[np]), cap = 1 / o.min_temperature;
    beta = b > cap ? cap : b;
  }
  joint_contrastive *m = calloc(1, sizeof *m);
  if (!m) {
    fit_state_free(&s);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "contrastive: out of memory");
  }
  snprintf(m->model_architecture, sizeof m->model_architecture, "%s", o.model_architecture);
  snprintf(m->conditional, sizeof m->conditional, "%s", mode_name(mode));
  snprintf(m->distance, sizeof m->distance, "%s", o.distance);
  m->n_neurons = net.n_inputs, m->num_hidden_units = net.hidden;
  m->output_dimension = net.output_dimension;
  m->offset_left = net.left, m->offset_right = net.right;
  m->temperature = 1 / beta, m->seed = o.seed, m->iterations = it;
  m->n_params = np;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  m->fit_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  m->params = s.params, s.params = NULL;   /* one extra float (log β) at the end: harmless */
  m->loss = s.loss, s.loss = NULL;
  fit_state_free(&s);
  *out = m;
  return stopped ? SOMA_INTERRUPTED : SOMA_OK;
}

int joint_contrastive_transform(const joint_contrastive *m, const gsl_matrix *x,
                                gsl_matrix *out, char *err, size_t errlen) {
  const char *w = "contrastive transform";
  if (!m || !x || !out)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: model, data and output are required", w);
  nn_net net;
  nn_arch arch;
  int normalize;
  if (nn_arch_parse(m->model_architecture, &arch, &normalize) ||
      nn_net_init(&net, arch, normalize, m->n_neurons, m->num_hidden_units,
                  m->output_dimension) || net.n_params != m->n_params)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: the model is inconsistent", w);
  if (x->size2 != (size_t)m->n_neurons || x->size1 < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: the data have %zu columns but the model was fitted on %d neurons", w,
                      x->size2, m->n_neurons);
  if (out->size1 != x->size1 || out->size2 != (size_t)m->output_dimension)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: the output is %zu × %zu, expected %zu × %d", w, out->size1,
                      out->size2, x->size1, m->output_dimension);
  int rc = joint_check_finite(x, w, "data", err, errlen);
  if (rc) return rc;
  size_t T = x->size1, ct = T < 128 ? T : 128;   /* outputs per window */
  int R = net.left + net.right, win = (int)ct + R - 1;
  size_t nwin = (T + ct - 1) / ct, block = nwin < 32 ? nwin : 32;
  nn_data_f data;
  nn_work_f ws;
  long *starts = malloc(block * sizeof *starts);
  int bad = !starts || nn_data_build_f(&data, x, -1);
  if (!bad && nn_work_alloc_f(&ws, &net, block, win, 0, omp_get_max_threads())) {
    nn_data_free_f(&data);
    bad = 1;
  }
  if (bad) {
    free(starts);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory (%zu rows)", w, T);
  }
  size_t dp = (size_t)net.layer[net.n_layers - 1].coutp;
  for (size_t w0 = 0; w0 < nwin; w0 += block) {
    size_t nb = nwin - w0 < block ? nwin - w0 : block;
    for (size_t b = 0; b < nb; b++) starts[b] = (long)((w0 + b) * ct) - net.left;
    ws.nwin = nb;
    nn_forward_f(&net, m->params, &data, starts, &ws);
    for (size_t b = 0; b < nb; b++)
      for (size_t t = 0; t < ct && (w0 + b) * ct + t < T; t++)
        for (int j = 0; j < m->output_dimension; j++)
          gsl_matrix_set(out, (w0 + b) * ct + t, (size_t)j, ws.out[(b * ct + t) * dp + (size_t)j]);
  }
  ws.nwin = block;
  nn_work_free_f(&ws);
  nn_data_free_f(&data);
  free(starts);
  return SOMA_OK;
}
