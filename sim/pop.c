/* pop.c — populations: creation and validation of parameters, state variables, spike-source
 * events, schedules and Poisson drive, and the per-thread step of one population.
 *
 * Every setter validates into a copy and commits only on success. */
#include <gsl/gsl_randist.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "param.h"
#include "rng.h"

static int model_error(soma_net *net, const char *model) {
  const char *known[64];
  int n = soma_model_count();
  for (int i = 0; i < n && i < 64; i++) known[i] = soma_model_name(i);
  const char *guess = model ? soma_closest_name(model, known, n) : NULL;
  char list[512];
  soma_join_names(known, sizeof known[0], n, list, sizeof list);
  if (guess)
    return soma_net_fail(net, SOMA_ERR_PARAM, "unknown neuron model '%s' (did you mean '%s'?); models: %s",
                      model, guess, list);
  return soma_net_fail(net, SOMA_ERR_PARAM, "unknown neuron model '%s'; models: %s",
                    model ? model : "(null)", list);
}

/* Validates a full parameter vector: each bound, then the model's relations. */
static int check_params(soma_net *net, const char *pop, const soma_model *m, const double *p) {
  char msg[512];
  for (int i = 0; i < m->n_params; i++)
    if (soma_param_check(&m->params[i], p[i], msg, sizeof msg))
      return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s' (%s): %s", pop, m->name, msg);
  if (m->check && m->check(p, msg, sizeof msg))
    return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s' (%s): %s", pop, m->name, msg);
  return SOMA_OK;
}

static int check_var_value(soma_net *net, const soma_pop *pop, int var, double v) {
  const soma_var_def *d = &pop->model->vars[var];
  if (!isfinite(v) || fabs(v) > FLT_MAX)
    return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s' (%s): %s must be a finite number within float range (got %g)",
                      pop->name, pop->model->name, d->name, isnan(v) ? NAN : v);
  if (v < d->lo || v > d->hi)
    return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s' (%s): %s must be in [%g, %g] %s (got %g)",
                      pop->name, pop->model->name, d->name, d->lo, d->hi, d->unit, v);
  return SOMA_OK;
}

static int var_or_fail(const soma_pop *pop, const char *name) {
  int v = name ? soma_model_var_index(pop->model, name) : -1;
  if (v < 0) {
    char msg[768];
    soma_unknown_name_msg(pop->model, "state variable", name ? name : "(null)", msg, sizeof msg);
    soma_net_fail(pop->net, SOMA_ERR_PARAM, "population '%s': %s", pop->name, msg);
  }
  return v;
}

void soma__pop_destroy(soma_pop *pop) {
  if (!pop) return;
  if (pop->var)
    for (int i = 0; i < pop->model->n_vars; i++) soma__free(pop->var[i]);
  free(pop->var);
  if (pop->ring)
    for (int i = 0; i < pop->model->n_ports; i++) soma__free(pop->ring[i]);
  free(pop->ring);
  soma__free(pop->refr);
  soma__free(pop->spiked);
  free(pop->params);
  free(pop->consts);
  free(pop->part);
  if (pop->events) {
    free(pop->events->step);
    free(pop->events->id);
    free(pop->events->cursor);
    free(pop->events);
  }
  for (int i = 0; i < pop->n_sched; i++) {
    free(pop->sched[i].step);
    free(pop->sched[i].value);
  }
  free(pop->sched);
  free(pop->pin);
  free(pop->out);
  free(pop);
}

soma_pop *soma_pop_create(soma_net *net, const char *name, const char *model, int n,
                          const soma_param *params) {
  if (!net) return NULL;
  if (!soma_identifier_ok(name, SOMA_NAME_MAX)) {
    soma_net_fail(net, SOMA_ERR_PARAM,
               "population name '%s' is not valid: use 1-%d letters, digits, '_' or '-'",
               name ? name : "(null)", SOMA_NAME_MAX - 1);
    return NULL;
  }
  if (soma_net_find_pop(net, name)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "a population named '%s' already exists", name);
    return NULL;
  }
  const soma_model *m = model ? soma_model_find(model) : NULL;
  if (!m) {
    model_error(net, model);
    return NULL;
  }
  if (n <= 0 || n > (1 << 30)) {
    soma_net_fail(net, SOMA_ERR_PARAM, "population '%s': size must be between 1 and %d (got %d)",
               name, 1 << 30, n);
    return NULL;
  }
  double p[128], init[128];
  int init_set[128] = {0};
  for (int i = 0; i < m->n_params; i++) p[i] = m->params[i].def;
  for (int k = 0; params && params[k].name; k++) {
    int i = soma_model_param_index(m, params[k].name);
    if (i >= 0) {
      p[i] = params[k].value;
      continue;
    }
    int v = soma_model_var_index(m, params[k].name);
    if (v < 0) {
      char msg[768];
      soma_unknown_name_msg(m, "parameter", params[k].name, msg, sizeof msg);
      soma_net_fail(net, SOMA_ERR_PARAM, "population '%s': %s", name, msg);
      return NULL;
    }
    init[v] = params[k].value;
    init_set[v] = 1;
  }
  if (check_params(net, name, m, p)) return NULL;

  soma_pop *pop = calloc(1, sizeof *pop);
  if (!pop) goto nomem;
  pop->net = net;
  pop->model = m;
  snprintf(pop->name, sizeof pop->name, "%s", name);
  pop->n = n;
  pop->n_pad = (n + SOMA_BLOCK - 1) / SOMA_BLOCK * SOMA_BLOCK;
  for (int v = 0; v < m->n_vars; v++) {
    double x = init_set[v] ? init[v] : m->vars[v].init_param >= 0 ? p[m->vars[v].init_param]
                                                                  : m->vars[v].init_value;
    if (check_var_value(net, pop, v, x)) {
      soma__pop_destroy(pop);
      return NULL;
    }
    init[v] = x;
  }
  pop->params = malloc(sizeof(double) * (size_t)(m->n_params ? m->n_params : 1));
  pop->consts = calloc(1, m->consts_size ? m->consts_size : 1);
  pop->var = calloc((size_t)m->n_vars + 1, sizeof(float *));
  pop->refr = soma__alloc(sizeof(int32_t) * (size_t)pop->n_pad);
  pop->spiked = soma__alloc(sizeof(int32_t) * (size_t)pop->n_pad);
  pop->part = malloc(sizeof(int) * (size_t)(net->threads + 1));
  if (!pop->params || !pop->consts || !pop->var || !pop->refr || !pop->spiked || !pop->part)
    goto nomem;
  memcpy(pop->params, p, sizeof(double) * (size_t)m->n_params);
  for (int v = 0; v < m->n_vars; v++) {
    pop->var[v] = soma__alloc(sizeof(float) * (size_t)pop->n_pad);
    if (!pop->var[v]) goto nomem;
    for (int i = 0; i < n; i++) pop->var[v][i] = (float)init[v];
    for (int i = n; i < pop->n_pad; i++) pop->var[v][i] = (float)init[v];
  }
  soma__partition(pop->n_pad, net->threads, pop->part);
  pop->max_rate = m->is_source ? 0 : 1000;
  pop->stream = soma_stream_id("pop", name);

  soma_pop **pops = realloc(net->pops, sizeof *pops * (size_t)(net->n_pops + 1));
  if (!pops) goto nomem;
  net->pops = pops;
  pop->index = net->n_pops;
  pop->gid0 = net->n_neurons;
  net->pops[net->n_pops++] = pop;
  net->n_neurons += n;
  soma__unprepare(net);
  return pop;
nomem:
  soma__pop_destroy(pop);
  soma_net_fail(net, SOMA_ERR_NOMEM, "population '%s': out of memory for %d neurons", name, n);
  return NULL;
}

const char *soma_pop_name(const soma_pop *pop) { return pop->name; }
const char *soma_pop_model(const soma_pop *pop) { return pop->model->name; }
int soma_pop_size(const soma_pop *pop) { return pop->n; }
int soma_pop_index(const soma_pop *pop) { return pop->index; }
int64_t soma_pop_first_id(const soma_pop *pop) { return pop->gid0; }
uint64_t soma_pop_spike_count(const soma_pop *pop) { return pop->n_spikes; }

int soma_pop_set(soma_pop *pop, const char *name, double value) {
  const soma_model *m = pop->model;
  int i = name ? soma_model_param_index(m, name) : -1;
  if (i >= 0) {
    double p[128];
    memcpy(p, pop->params, sizeof(double) * (size_t)m->n_params);
    p[i] = value;
    if (check_params(pop->net, pop->name, m, p)) return SOMA_ERR_PARAM;
    pop->params[i] = value;
    soma__unprepare(pop->net);
    return SOMA_OK;
  }
  int v = name ? soma_model_var_index(m, name) : -1;
  if (v < 0) {
    char msg[768];
    soma_unknown_name_msg(m, "parameter", name ? name : "(null)", msg, sizeof msg);
    return soma_net_fail(pop->net, SOMA_ERR_PARAM, "population '%s': %s", pop->name, msg);
  }
  if (check_var_value(pop->net, pop, v, value)) return SOMA_ERR_PARAM;
  for (int k = 0; k < pop->n; k++) pop->var[v][k] = (float)value;
  return SOMA_OK;
}

int soma_pop_set_many(soma_pop *pop, const soma_param *list) {
  const soma_model *m = pop->model;
  double p[128];
  memcpy(p, pop->params, sizeof(double) * (size_t)m->n_params);
  int params_changed = 0;
  /* check everything first: a failed call changes nothing */
  for (const soma_param *q = list; q && q->name; q++) {
    int i = soma_model_param_index(m, q->name);
    if (i >= 0) {
      p[i] = q->value;
      params_changed = 1;
      continue;
    }
    int v = soma_model_var_index(m, q->name);
    if (v < 0) {
      char msg[768];
      soma_unknown_name_msg(m, "parameter", q->name, msg, sizeof msg);
      return soma_net_fail(pop->net, SOMA_ERR_PARAM, "population '%s': %s", pop->name, msg);
    }
    if (check_var_value(pop->net, pop, v, q->value)) return SOMA_ERR_PARAM;
  }
  if (params_changed && check_params(pop->net, pop->name, m, p)) return SOMA_ERR_PARAM;
  if (params_changed) {
    memcpy(pop->params, p, sizeof(double) * (size_t)m->n_params);
    soma__unprepare(pop->net);
  }
  for (const soma_param *q = list; q && q->name; q++) {
    int v = soma_model_var_index(m, q->name);
    for (int k = 0; v >= 0 && k < pop->n; k++) pop->var[v][k] = (float)q->value;
  }
  return SOMA_OK;
}

int soma_pop_get_param(const soma_pop *pop, const char *name, double *value) {
  int i = name ? soma_model_param_index(pop->model, name) : -1;
  if (i < 0) {
    char msg[768];
    soma_unknown_name_msg(pop->model, "parameter", name ? name : "(null)", msg, sizeof msg);
    return soma_net_fail(pop->net, SOMA_ERR_PARAM, "population '%s': %s", pop->name, msg);
  }
  *value = pop->params[i];
  return SOMA_OK;
}

int soma_pop_set_var(soma_pop *pop, const char *var, const double *values, int n) {
  int v = var_or_fail(pop, var);
  if (v < 0) return SOMA_ERR_PARAM;
  if (n != pop->n)
    return soma_net_fail(pop->net, SOMA_ERR_PARAM,
                      "population '%s': %s needs %d values, one per neuron (got %d)", pop->name,
                      var, pop->n, n);
  for (int k = 0; k < n; k++)
    if (check_var_value(pop->net, pop, v, values[k])) {
      size_t len = strlen(pop->net->err);
      snprintf(pop->net->err + len, SOMA_ERR_MAX - len, " at neuron %d", k);
      return SOMA_ERR_PARAM;
    }
  for (int k = 0; k < n; k++) pop->var[v][k] = (float)values[k];
  return SOMA_OK;
}

int soma_pop_set_var_dist(soma_pop *pop, const char *var, const soma_dist *d) {
  int v = var_or_fail(pop, var);
  if (v < 0) return SOMA_ERR_PARAM;
  char msg[256];
  if (soma__dist_check(d, msg, sizeof msg))
    return soma_net_fail(pop->net, SOMA_ERR_PARAM, "population '%s': %s: %s", pop->name, var, msg);
  double lo, hi;
  soma__dist_support(d, &lo, &hi);
  const soma_var_def *def = &pop->model->vars[v];
  if (lo < def->lo || hi > def->hi)
    return soma_net_fail(pop->net, SOMA_ERR_PARAM,
                      "population '%s': %s takes values in [%g, %g] %s, but %s can fall outside; "
                      "give the distribution bounds",
                      pop->name, var, def->lo, def->hi, def->unit, soma_dist_format(d, msg, sizeof msg));
  float *vals = malloc(sizeof(float) * (size_t)pop->n);
  gsl_rng *r = soma_gsl_rng_alloc();
  if (!vals || !r) {
    free(vals);
    soma_gsl_rng_free(r);
    return soma_net_fail(pop->net, SOMA_ERR_NOMEM, "out of memory");
  }
  uint32_t stream = soma_stream_id("init", pop->name) ^ soma_stream_id("var", var);
  for (int k = 0; k < pop->n; k++) {
    soma_gsl_rng_reset(r, pop->net->seed, stream, (uint32_t)k, 0, 0);
    double x = soma__dist_draw(d, r);
    if (isnan(x)) {
      free(vals);
      soma_gsl_rng_free(r);
      return soma_net_fail(pop->net, SOMA_ERR_PARAM,
                        "population '%s': %s: the bounds of %s hold almost no probability", pop->name,
                        var, soma_dist_format(d, msg, sizeof msg));
    }
    vals[k] = (float)x;
  }
  memcpy(pop->var[v], vals, sizeof(float) * (size_t)pop->n);
  free(vals);
  soma_gsl_rng_free(r);
  return SOMA_OK;
}

int soma_pop_get_var(const soma_pop *pop, const char *var, double *out, int n) {
  int v = var_or_fail(pop, var);
  if (v < 0) return SOMA_ERR_PARAM;
  if (n < pop->n)
    return soma_net_fail(pop->net, SOMA_ERR_PARAM, "population '%s': room for %d values, need %d",
                      pop->name, n, pop->n);
  for (int k = 0; k < pop->n; k++) out[k] = pop->var[v][k];
  return SOMA_OK;
}

const float *soma_pop_var_data(const soma_pop *pop, const char *var) {
  int v = var ? soma_model_var_index(pop->model, var) : -1;
  return v < 0 ? NULL : pop->var[v];
}

int soma_pop_set_max_rate(soma_pop *pop, double hz) {
  if (!(hz >= 0) || !isfinite(hz))
    return soma_net_fail(pop->net, SOMA_ERR_PARAM,
                      "population '%s': max_rate must be >= 0 Hz, 0 to disable (got %g)",
                      pop->name, hz);
  pop->max_rate = hz;
  return SOMA_OK;
}

/* ---- spike-source events ------------------------------------------------------------- */

typedef struct {
  int64_t step;
  int32_t id;
} event;

static int event_cmp(const void *a, const void *b) {
  const event *x = a, *y = b;
  if (x->step != y->step) return x->step < y->step ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

int soma_pop_add_spikes(soma_pop *pop, size_t n, const int32_t *ids, const double *times) {
  soma_net *net = pop->net;
  if (strcmp(pop->model->name, "spike_source") != 0)
    return soma_net_fail(net, SOMA_ERR_PARAM,
                      "population '%s' is a '%s' population; only 'spike_source' populations take "
                      "given spike times",
                      pop->name, pop->model->name);
  if (n == 0) return SOMA_OK;
  if (!ids || !times) return soma_net_fail(net, SOMA_ERR_PARAM, "add_spikes: ids and times are required");
  soma_events *ev = pop->events;
  event *add = malloc(sizeof(event) * n);
  if (!add) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory for %zu spikes", n);
  for (size_t k = 0; k < n; k++) {
    if (ids[k] < 0 || ids[k] >= pop->n) {
      free(add);
      return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s': spike %zu names neuron %d, but the "
                        "population has neurons 0..%d", pop->name, k, ids[k], pop->n - 1);
    }
    /* a spike at time t is emitted by the step that ends at t */
    double steps = times[k] / net->dt;
    if (!isfinite(times[k]) || fabs(steps) > 4e15) {   /* (-1e308 ms overflowed the step) */
      free(add);
      return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s': spike %zu has time %g ms",
                        pop->name, k, times[k]);
    }
    int64_t s = llround(steps) - 1;
    if (s < net->step) {
      free(add);
      return soma_net_fail(net, SOMA_ERR_PARAM,
                        "population '%s': spike time %g ms of neuron %d is not after the current "
                        "time %g ms (spikes can only be added ahead of time)",
                        pop->name, times[k], ids[k], soma_net_time(net));
    }
    add[k].step = s;
    add[k].id = ids[k];
  }
  qsort(add, n, sizeof *add, event_cmp);
  size_t old = ev ? ev->n : 0, total = old + n;
  int64_t *st = malloc(sizeof(int64_t) * total);
  int32_t *id = malloc(sizeof(int32_t) * total);
  size_t *cursor = ev ? NULL : calloc((size_t)net->threads, sizeof(size_t));
  if (!st || !id || (!ev && !cursor)) {
    free(add), free(st), free(id), free(cursor);
    return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory for %zu spikes", total);
  }
  size_t i = 0, j = 0, o = 0;
  while (i < old || j < n) {
    int take_old = j >= n || (i < old && (ev->step[i] < add[j].step ||
                                          (ev->step[i] == add[j].step && ev->id[i] <= add[j].id)));
    int64_t s = take_old ? ev->step[i] : add[j].step;
    int32_t d = take_old ? ev->id[i] : add[j].id;
    if (o > 0 && st[o - 1] == s && id[o - 1] == d) {
      free(add), free(st), free(id), free(cursor);
      return soma_net_fail(net, SOMA_ERR_PARAM,
                        "population '%s': neuron %d has two spikes in the step ending at %g ms; a "
                        "source emits at most one spike per step of %g ms",
                        pop->name, d, (double)(s + 1) * net->dt, net->dt);
    }
    st[o] = s;
    id[o++] = d;
    if (take_old) i++; else j++;
  }
  free(add);
  if (!ev) {
    ev = calloc(1, sizeof *ev);
    if (!ev) {
      free(st), free(id), free(cursor);
      return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
    }
    ev->cursor = cursor;
    pop->events = ev;
  }
  free(ev->step);
  free(ev->id);
  ev->step = st;
  ev->id = id;
  ev->n = total;
  soma__events_seek(ev, net->threads, net->step);
  return SOMA_OK;
}

void soma__events_seek(soma_events *ev, int threads, int64_t step) {
  size_t lo = 0, hi = ev->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ev->step[mid] < step) lo = mid + 1; else hi = mid;
  }
  for (int t = 0; t < threads; t++) ev->cursor[t] = lo;
}

/* ---- schedules and Poisson drive ----------------------------------------------------- */

int soma_pop_schedule(soma_pop *pop, const char *var, size_t n, const double *times,
                      const double *values) {
  soma_net *net = pop->net;
  int v = var_or_fail(pop, var);
  if (v < 0) return SOMA_ERR_PARAM;
  if (n == 0) return SOMA_OK;
  if (!times || !values) return soma_net_fail(net, SOMA_ERR_PARAM, "schedule: times and values are required");
  int64_t *st = malloc(sizeof(int64_t) * n);
  double *val = malloc(sizeof(double) * n);
  soma_schedule *grown = realloc(pop->sched, sizeof *grown * (size_t)(pop->n_sched + 1));
  if (!st || !val || !grown) {
    free(st), free(val);
    if (grown) pop->sched = grown;
    return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
  }
  pop->sched = grown;
  for (size_t k = 0; k < n; k++) {
    int bad = !isfinite(times[k]) || fabs(times[k] / net->dt) > 4e15;
    int64_t s = bad ? 0 : llround(times[k] / net->dt);
    const char *why = bad ? "is not a valid time"
                      : s < net->step ? "is in the past"
                      : (k > 0 && s <= st[k - 1]) ? "does not come after the previous one"
                                                  : NULL;
    if (!why && check_var_value(net, pop, v, values[k])) why = "";
    if (why) {
      free(st), free(val);
      if (*why)
        return soma_net_fail(net, SOMA_ERR_PARAM,
                          "population '%s': schedule of %s: time %g ms (entry %zu) %s (now %g ms; "
                          "times must increase by at least dt = %g ms)",
                          pop->name, var, times[k], k + 1, why, soma_net_time(net), net->dt);
      return SOMA_ERR_PARAM;
    }
    st[k] = s;
    val[k] = values[k];
  }
  soma_schedule *s = &pop->sched[pop->n_sched++];
  s->var = v;
  s->step = st;
  s->value = val;
  s->n = n;
  return SOMA_OK;
}

int soma_pop_poisson_input(soma_pop *pop, const char *port, double rate_hz, double weight) {
  soma_net *net = pop->net;
  int p = port ? soma_model_port_index(pop->model, port) : -1;
  if (p < 0) {
    char ports[256];
    soma_join_names(pop->model->ports, sizeof *pop->model->ports, pop->model->n_ports, ports, sizeof ports);
    return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s' (%s) has no port '%s'%s%s%s", pop->name,
                      pop->model->name, port ? port : "(null)",
                      pop->model->n_ports ? " (ports: " : "; it takes no input",
                      pop->model->n_ports ? ports : "", pop->model->n_ports ? ")" : "");
  }
  /* the bound keeps the count per step well inside what the Poisson sampler handles */
  if (!(rate_hz >= 0) || !isfinite(rate_hz))
    return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s': Poisson input rate must be >= 0 Hz (got %g)",
                      pop->name, rate_hz);
  if (rate_hz > 1e8)
    return soma_net_fail(net, SOMA_ERR_PARAM, "population '%s': Poisson input rate must be at most "
                      "1e+08 Hz, the summed rate of all its inputs (got %g)", pop->name, rate_hz);
  const soma_port_def *pd = &pop->model->ports[p];
  if (!isfinite(weight) || fabs(weight) > FLT_MAX || (pd->sign > 0 && weight < 0) ||
      (pd->sign < 0 && weight > 0))
    return soma_net_fail(net, SOMA_ERR_PARAM,
                      "population '%s': weights on port '%s' must be %s %s (got %g)", pop->name,
                      pd->name, pd->sign > 0 ? ">= 0" : pd->sign < 0 ? "<= 0" : "finite", pd->unit,
                      weight);
  soma_pinput *grown = realloc(pop->pin, sizeof *grown * (size_t)(pop->n_pin + 1));
  if (!grown) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
  pop->pin = grown;
  char key[SOMA_NAME_MAX + 16];
  snprintf(key, sizeof key, "%s#%d", pop->name, pop->n_pin);
  soma_pinput *in = &pop->pin[pop->n_pin++];
  memset(in, 0, sizeof *in);
  in->port = p;
  in->rate = rate_hz;
  in->weight = weight;
  in->stream = soma_stream_id("poisson_input", key);
  soma__unprepare(net);
  return SOMA_OK;
}

/* The Poisson(lambda) distribution function on a 2^-32 grid: P(X <= j) * 2^32 for j = 0, 1, ...
 * until the remaining mass is below the grid. Returns the table length (0 when even one event
 * is less likely than 2^-32), or -1 when 64 entries do not reach that far (large lambda). */
static int poisson_table(double lambda, uint32_t *cdf) {
  double p = exp(-lambda), f = p;
  for (int j = 0; j < 64; j++) {
    double scaled = f * 4294967296.0;
    if (scaled >= 4294967295.5) return j;
    cdf[j] = (uint32_t)llround(scaled);
    p *= lambda / (j + 1);
    f += p;
  }
  return -1;
}

int soma__pop_prepare(soma_pop *pop) {
  if (pop->model->prepare) pop->model->prepare(pop->params, pop->net->dt, pop->consts);
  for (int k = 0; k < pop->n_pin; k++) {
    soma_pinput *in = &pop->pin[k];
    in->lambda = in->rate * pop->net->dt * 1e-3;
    in->cdf_n = in->lambda > 0 ? poisson_table(in->lambda, in->cdf) : 0;   /* 0: no events */
  }
  return SOMA_OK;
}

/* ---- one step of one thread's share ------------------------------------------------- */

static void apply_schedules(soma_pop *pop, int lo, int hi, int64_t step) {
  for (int k = 0; k < pop->n_sched; k++) {
    const soma_schedule *s = &pop->sched[k];
    size_t a = 0, b = s->n;
    while (a < b) {
      size_t mid = a + (b - a) / 2;
      if (s->step[mid] < step) a = mid + 1; else b = mid;
    }
    if (a < s->n && s->step[a] == step) {
      float x = (float)s->value[a];
      float *v = pop->var[s->var];
      for (int i = lo; i < hi; i++) v[i] = x;
    }
  }
}

static void poisson_drive(const soma_pop *pop, const soma_pinput *in, float *buf, int lo, int hi,
                          int64_t step, gsl_rng *r) {
  uint32_t seed = pop->net->seed, s_lo = (uint32_t)step, s_hi = (uint32_t)((uint64_t)step >> 32);
  float w = (float)in->weight;
  if (in->lambda <= 0 || in->cdf_n == 0) return;
  if (in->cdf_n > 0) {
    /* inversion by table: one 32-bit word per neuron, four neurons per Philox block; the
       count is the number of table entries the word reaches (branch-free) */
    const int n = in->cdf_n;
    for (int i = lo; i < hi; i += 4) {
      philox4x32_ctr_t x = soma_philox(seed, in->stream, (uint32_t)i >> 2, s_lo, s_hi);
      for (int j = 0; j < 4 && i + j < hi; j++) {
        uint32_t u = x.v[j];
        int k = 0;
        for (int t = 0; t < n; t++) k += u >= in->cdf[t];
        buf[i + j] += (float)k * w;
      }
    }
    return;
  }
  for (int i = lo; i < hi; i++) {
    soma_gsl_rng_reset(r, seed, in->stream, (uint32_t)i, s_lo, s_hi | 0x80000000u);
    buf[i] += (float)gsl_ran_poisson(r, in->lambda) * w;
  }
}

size_t soma__pop_update(soma_pop *pop, int lo, int hi, int t, int64_t step, float *const *in,
                        gsl_rng *r, uint32_t *out) {
  if (lo >= hi) return 0;
  if (pop->n_sched) apply_schedules(pop, lo, hi < pop->n ? hi : pop->n, step);
  for (int k = 0; k < pop->n_pin; k++)
    poisson_drive(pop, &pop->pin[k], in[pop->pin[k].port], lo, hi < pop->n ? hi : pop->n, step, r);
  soma_step_args a = {
    .params = pop->params,
    .consts = pop->consts,
    .var = pop->var,
    .in = in,
    .refr = pop->refr,
    .spiked = pop->spiked,
    .lo = lo,
    .hi = hi,
    .step = step,
    .seed = pop->net->seed,
    .stream = pop->stream,
    .extra = pop->events,
    .thread = t,
  };
  pop->model->step(&a);
  return soma_compact_spikes(pop->spiked, lo, hi < pop->n ? hi : pop->n, out);
}
