/* rec.c — recorders: spikes of a population and sampled state variables, kept in memory or
 * streamed to .npy files chunk by chunk, so long runs need no memory for their recordings.
 *
 * Spike times are stamped at the end of the step that produced them (step + 1) * dt, as in
 * NEST. A state sample taken after step k holds the state at time (k + 1) * dt; samples fall
 * on multiples of the interval. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "param.h"

static soma_rec *add_rec(soma_net *net, soma_pop *pop, const char *name) {
  for (int i = 0; i < net->n_recs; i++)
    if (strcmp(net->recs[i]->name, name) == 0) {
      soma_net_fail(net, SOMA_ERR_PARAM, "'%s' is already being recorded", name);
      return NULL;
    }
  soma_rec *rec = calloc(1, sizeof *rec);
  soma_rec **recs = realloc(net->recs, sizeof *recs * (size_t)(net->n_recs + 1));
  if (recs) net->recs = recs;
  if (!rec || !recs) {
    free(rec);
    soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
    return NULL;
  }
  rec->net = net;
  rec->pop = pop;
  snprintf(rec->name, sizeof rec->name, "%s", name);
  return rec;
}

static void commit(soma_net *net, soma_rec *rec) {
  rec->index = net->n_recs;
  net->recs[net->n_recs++] = rec;
  soma__unprepare(net);
}

static int check_ids(soma_net *net, const soma_pop *pop, const int32_t *ids, int n) {
  if (ids && n <= 0)
    return soma_net_fail(net, SOMA_ERR_PARAM, "recording '%s': the list of neurons is empty", pop->name);
  for (int k = 0; ids && k < n; k++)
    if (ids[k] < 0 || ids[k] >= pop->n)
      return soma_net_fail(net, SOMA_ERR_PARAM,
                        "recording '%s': neuron %d is outside the population (0..%d)", pop->name,
                        ids[k], pop->n - 1);
  return SOMA_OK;
}

soma_rec *soma_rec_spikes(soma_net *net, soma_pop *pop, const int32_t *ids, int n_ids) {
  if (!pop || pop->net != net) {
    soma_net_fail(net, SOMA_ERR_PARAM, "recording spikes: the population belongs to another network");
    return NULL;
  }
  if (check_ids(net, pop, ids, n_ids)) return NULL;
  char name[2 * SOMA_NAME_MAX + 8];
  snprintf(name, sizeof name, "%s.spikes", pop->name);
  soma_rec *rec = add_rec(net, pop, name);
  if (!rec) return NULL;
  rec->is_spikes = 1;
  if (ids) {
    rec->mask = calloc((size_t)pop->n, 1);
    if (!rec->mask) {
      soma__rec_destroy(rec);
      soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
      return NULL;
    }
    for (int k = 0; k < n_ids; k++) rec->mask[ids[k]] = 1;
  }
  commit(net, rec);
  return rec;
}

soma_rec *soma_rec_state(soma_net *net, soma_pop *pop, const char *var, const int32_t *ids,
                         int n_ids, double interval) {
  if (!pop || pop->net != net) {
    soma_net_fail(net, SOMA_ERR_PARAM, "recording: the population belongs to another network");
    return NULL;
  }
  int v = var ? soma_model_var_index(pop->model, var) : -1;
  if (v < 0) {
    char list[512];
    soma_join_names(pop->model->vars, sizeof(soma_var_def), pop->model->n_vars, list,
                    sizeof list);
    soma_net_fail(net, SOMA_ERR_PARAM, "recording '%s': model '%s' has no state variable '%s' (%s%s)",
               pop->name, pop->model->name, var ? var : "(null)",
               pop->model->n_vars ? "variables: " : "it has no state variables", list);
    return NULL;
  }
  double steps = interval / net->dt;
  int64_t every = isfinite(steps) ? llround(steps) : 0;
  if (!(interval > 0) || every < 1 || every > INT32_MAX ||
      fabs(steps - (double)every) > 1e-6 * steps) {
    soma_net_fail(net, SOMA_ERR_PARAM,
               "recording '%s.%s': interval must be a positive multiple of dt = %g ms (got %g)",
               pop->name, var, net->dt, interval);
    return NULL;
  }
  if (check_ids(net, pop, ids, n_ids)) return NULL;
  char name[2 * SOMA_NAME_MAX + 8];
  snprintf(name, sizeof name, "%s.%s", pop->name, var);
  soma_rec *rec = add_rec(net, pop, name);
  if (!rec) return NULL;
  rec->var = v;
  rec->every = (int)every;
  rec->n_ids = ids ? n_ids : pop->n;
  rec->ids = malloc(sizeof(int32_t) * (size_t)rec->n_ids);
  rec->cols = malloc(sizeof(int) * (size_t)rec->n_ids);
  rec->col_off = calloc((size_t)net->threads + 1, sizeof(int));
  if (!rec->ids || !rec->cols || !rec->col_off) {
    soma__rec_destroy(rec);
    soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
    return NULL;
  }
  for (int k = 0; k < rec->n_ids; k++) rec->ids[k] = ids ? ids[k] : k;
  int c = 0;
  for (int t = 0; t < net->threads; t++) {
    rec->col_off[t] = c;
    for (int k = 0; k < rec->n_ids; k++)
      if (rec->ids[k] >= pop->part[t] && rec->ids[k] < pop->part[t + 1]) rec->cols[c++] = k;
  }
  rec->col_off[net->threads] = c;
  rec->first_stamp = (net->step / every + 1) * every;
  commit(net, rec);
  return rec;
}

void soma__rec_destroy(soma_rec *rec) {
  if (!rec) return;
  if (rec->streaming) {
    soma_npy_end(&rec->w1);
    soma_npy_end(&rec->w2);
  }
  free(rec->mask);
  free(rec->steps);
  free(rec->sids);
  free(rec->ids);
  free(rec->data);
  free(rec->cols);
  free(rec->col_off);
  free(rec);
}

int soma__rec_begin_chunk(soma_rec *rec, int64_t s0, int64_t s1) {
  if (rec->is_spikes) return SOMA_OK;
  int64_t k0 = s0 / rec->every + 1, k1 = s1 / rec->every;
  size_t rows = k1 >= k0 ? (size_t)(k1 - k0 + 1) : 0;
  rec->chunk_k0 = k0;
  rec->chunk_rows = rows;
  rec->chunk_row0 = rec->streaming ? 0 : rec->samples;
  size_t need = rec->chunk_row0 + rows;
  if (need > rec->cap_samples) {
    size_t cap = rec->cap_samples ? rec->cap_samples : 16;
    while (cap < need) cap *= 2;
    float *d = realloc(rec->data, sizeof(float) * cap * (size_t)rec->n_ids);
    if (!d)
      return soma_net_fail(rec->net, SOMA_ERR_NOMEM, "recording '%s': out of memory for %zu samples",
                        rec->name, need);
    rec->data = d;
    rec->cap_samples = cap;
  }
  return SOMA_OK;
}

void soma__rec_sample(soma_rec *rec, int t, int64_t step) {
  int64_t stamp = step + 1;
  if (stamp % rec->every) return;
  size_t row = rec->chunk_row0 + (size_t)(stamp / rec->every - rec->chunk_k0);
  float *out = rec->data + row * (size_t)rec->n_ids;
  const float *v = rec->pop->var[rec->var];
  for (int c = rec->col_off[t]; c < rec->col_off[t + 1]; c++) out[rec->cols[c]] = v[rec->ids[rec->cols[c]]];
}

int soma__rec_spikes(soma_rec *rec, int64_t stamp, const uint32_t *ids, size_t n) {
  if (rec->n + n > rec->cap) {
    size_t cap = rec->cap ? rec->cap * 2 : 4096;
    while (cap < rec->n + n) cap *= 2;
    int64_t *s = realloc(rec->steps, sizeof(int64_t) * cap);
    if (s) rec->steps = s;
    int32_t *i = realloc(rec->sids, sizeof(int32_t) * cap);
    if (i) rec->sids = i;
    if (!s || !i) return 1;
    rec->cap = cap;
  }
  for (size_t k = 0; k < n; k++) {
    if (rec->mask && !rec->mask[ids[k]]) continue;
    rec->steps[rec->n] = stamp;
    rec->sids[rec->n++] = (int32_t)ids[k];
  }
  return 0;
}

static int io_fail(soma_rec *rec, const char *what, const char *path) {
  return soma_net_fail(rec->net, SOMA_ERR_IO, "recording '%s': cannot %s %s: %s", rec->name, what,
                    path, strerror(errno));
}

/* Appends the spikes held in memory to the open streams, as times in ms and ids. */
static int flush_spikes(soma_rec *rec) {
  double dt = rec->net->dt;
  for (size_t b = 0; b < rec->n; b += 4096) {
    double t[4096];
    size_t m = rec->n - b < 4096 ? rec->n - b : 4096;
    for (size_t k = 0; k < m; k++) t[k] = (double)rec->steps[b + k] * dt;
    if (soma_npy_append(&rec->w1, t, m)) return 1;
  }
  if (soma_npy_append(&rec->w2, rec->sids, rec->n)) return 1;
  rec->streamed += rec->n;
  rec->n = 0;
  return 0;
}

int soma__rec_end_chunk(soma_rec *rec) {
  if (rec->is_spikes) {
    if (rec->streaming && flush_spikes(rec)) return io_fail(rec, "write", "its stream");
    return SOMA_OK;
  }
  if (rec->streaming) {
    if (soma_npy_append(&rec->w1, rec->data, rec->chunk_rows)) return io_fail(rec, "write", "its stream");
    rec->streamed += rec->chunk_rows;
  } else {
    rec->samples += rec->chunk_rows;
  }
  rec->chunk_rows = 0;
  return SOMA_OK;
}

static void paths(const soma_rec *rec, const char *dir, char *p1, char *p2, size_t n) {
  if (rec->is_spikes) {
    snprintf(p1, n, "%s/%s.spike_t.npy", dir, rec->pop->name);
    snprintf(p2, n, "%s/%s.spike_i.npy", dir, rec->pop->name);
  } else {
    snprintf(p1, n, "%s/%s.npy", dir, rec->name);
    p2[0] = 0;
  }
}

int soma_rec_stream(soma_rec *rec, const char *dir) {
  if (rec->streaming)
    return soma_net_fail(rec->net, SOMA_ERR_PARAM, "recording '%s' is already streaming", rec->name);
  char p1[4096], p2[4096];
  paths(rec, dir, p1, p2, sizeof p1);
  const char *descr = rec->is_spikes ? "<f8" : "<f4";
  if (soma_npy_begin(&rec->w1, p1, descr, rec->is_spikes ? 0 : (size_t)rec->n_ids))
    return io_fail(rec, "create", p1);
  if (rec->is_spikes && soma_npy_begin(&rec->w2, p2, "<i4", 0)) {
    int rc = io_fail(rec, "create", p2);
    soma_npy_end(&rec->w1);
    return rc;
  }
  rec->streaming = 1;
  /* what is already in memory goes first */
  if (rec->is_spikes) {
    if (flush_spikes(rec)) return io_fail(rec, "write", p1);
  } else {
    if (soma_npy_append(&rec->w1, rec->data, rec->samples)) return io_fail(rec, "write", p1);
    rec->streamed = rec->samples;
    rec->samples = 0;
  }
  return SOMA_OK;
}

int soma_rec_write(soma_rec *rec, const char *dir) {
  if (rec->streaming) {
    /* after a failed write (a full disk) each file keeps its rows that reached the disk whole;
     * spike times and ids are cut to the same length */
    rec->streaming = 0;
    if (rec->is_spikes) {
      soma_npy_flush(&rec->w1);
      soma_npy_flush(&rec->w2);
    }
    size_t keep = soma_npy_kept(&rec->w1);
    if (rec->is_spikes && soma_npy_kept(&rec->w2) < keep) keep = soma_npy_kept(&rec->w2);
    int bad = soma_npy_end_at(&rec->w1, keep) != 0;
    int e = rec->w1.err;
    if (rec->is_spikes && soma_npy_end_at(&rec->w2, keep) != 0) bad = 1, e = e ? e : rec->w2.err;
    if (!bad) return SOMA_OK;
    return soma_net_fail(rec->net, SOMA_ERR_IO, "recording '%s': cannot finish its stream: %s; "
                         "%s the first %zu %s", rec->name, strerror(e ? e : EIO),
                         rec->is_spikes ? "its two files keep" : "its file keeps", keep,
                         rec->is_spikes ? "spikes" : "samples");
  }
  char p1[4096], p2[4096];
  paths(rec, dir, p1, p2, sizeof p1);
  if (!rec->is_spikes) {
    if (soma_npy_save(p1, "<f4", rec->samples, (size_t)rec->n_ids, rec->data))
      return io_fail(rec, "write", p1);
    return SOMA_OK;
  }
  double *t = malloc(sizeof(double) * (rec->n ? rec->n : 1));
  if (!t) return soma_net_fail(rec->net, SOMA_ERR_NOMEM, "out of memory");
  for (size_t k = 0; k < rec->n; k++) t[k] = (double)rec->steps[k] * rec->net->dt;
  int bad = soma_npy_save(p1, "<f8", rec->n, 0, t);
  free(t);
  if (bad) return io_fail(rec, "write", p1);
  if (soma_npy_save(p2, "<i4", rec->n, 0, rec->sids)) return io_fail(rec, "write", p2);
  return SOMA_OK;
}

const char *soma_rec_name(const soma_rec *rec) { return rec->name; }
soma_pop *soma_rec_pop(const soma_rec *rec) { return rec->pop; }
int soma_rec_is_spikes(const soma_rec *rec) { return rec->is_spikes; }
size_t soma_rec_spike_count(const soma_rec *rec) { return rec->n; }
const int64_t *soma_rec_spike_steps(const soma_rec *rec) { return rec->steps; }
const int32_t *soma_rec_spike_ids(const soma_rec *rec) { return rec->sids; }
size_t soma_rec_samples(const soma_rec *rec) { return rec->samples; }
int soma_rec_columns(const soma_rec *rec) { return rec->n_ids; }
const float *soma_rec_data(const soma_rec *rec) { return rec->data; }
double soma_rec_t0(const soma_rec *rec) { return (double)rec->first_stamp * rec->net->dt; }
double soma_rec_interval(const soma_rec *rec) { return rec->every * rec->net->dt; }
const int32_t *soma_rec_ids(const soma_rec *rec) { return rec->ids; }
