/* rundir.c — a soma run directory read for the joint models (see rundir.h): meta.json (and
 * the agents' meta.json) say what was recorded; the .npy files are opened only when loaded,
 * each checked against what meta.json says about it. */
#include "rundir.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "joint/check.h"
#include "sim/npy.h"
#include "sim/soma.h"

/* ---- building the index from meta.json --------------------------------------------------- */

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

/* "dir/rel", malloc'd */
static char *join(const char *dir, const char *rel) {
  size_t n = strlen(dir) + strlen(rel) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, rel);
  return p;
}

/* "pop" in the first network's folder ".", else "folder/pop" */
static char *qualified(const char *folder, const char *name) {
  if (!strcmp(folder, ".") || !*folder) return strdup(name);
  return join(folder, name);
}

/* grows *items (of size sz) to hold one more than *n; a pointer to the new zeroed slot */
static void *grow(void **items, size_t *n, size_t sz) {
  size_t k = *n;
  if ((k & (k - 1)) == 0) {   /* capacity 1, 2, 4, ... */
    void *g = realloc(*items, (k ? 2 * k : 1) * sz);
    if (!g) return NULL;
    *items = g;
  }
  (*n)++;
  char *slot = (char *)*items + k * sz;
  memset(slot, 0, sz);
  return slot;
}

static void free_pop(joint_rundir_pop *p) { free(p->name), free(p->folder), free(p->population); }

static void free_env(joint_rundir_env *e) {
  free(e->name), free(e->world), free(e->file), free(e->clock);
  for (size_t j = 0; j < e->n_columns; j++) free(e->columns[j]);
  free(e->columns);
}

static void free_state(joint_rundir_state *s) {
  free(s->name), free(s->file), free(s->folder), free(s->variable), free(s->unit), free(s->ids);
}

void joint_rundir_close(joint_rundir *r) {
  if (!r) return;
  for (size_t k = 0; k < r->n_pops; k++) free_pop(&r->pops[k]);
  for (size_t k = 0; k < r->n_envs; k++) free_env(&r->envs[k]);
  for (size_t k = 0; k < r->n_states; k++) free_state(&r->states[k]);
  free(r->pops), free(r->envs), free(r->states);
  soma_json_free(r->meta);
  free(r->dir);
  free(r);
}

/* a whole number >= 0 member, or -1 */
static int count_of(const soma_json *o, const char *key, size_t *out) {
  double v;
  if (soma_json_double(o, key, &v) || !(v >= 0) || v != floor(v) || v > 9e15) return -1;
  *out = (size_t)v;
  return 0;
}

#define NOMEM() joint_fail(err, errlen, SOMA_ERR_NOMEM, "run directory: out of memory")

/* the populations with spike recordings and the state recordings of one network's
 * description (from meta.json `where`, e.g. "networks[0]") */
static int add_network(joint_rundir *r, const char *folder, const soma_json *desc, int agent,
                       const char *file, const char *where, char *err, size_t errlen) {
  const soma_json *pops = soma_json_get(desc, "populations"),
                  *recs = soma_json_get(desc, "recordings");
  double time_ms = NAN, dt_ms = NAN;
  soma_json_double(desc, "time_ms", &time_ms);
  soma_json_double(desc, "dt_ms", &dt_ms);
  if (!pops || pops->t != SOMA_JSON_ARR || !recs || recs->t != SOMA_JSON_ARR)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: %s has no \"populations\" and \"recordings\" lists", file, where);
  for (int k = 0; k < recs->n; k++) {
    const soma_json *rec = &recs->items[k];
    const char *kind = soma_json_text(rec, "kind"), *pop = soma_json_text(rec, "population");
    if (!kind || !pop)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "%s: %s recording %d has no \"kind\" or \"population\"", file, where, k);
    size_t size = 0, spikes = 0;
    int found = 0;
    for (int q = 0; q < pops->n && !found; q++) {
      const char *name = soma_json_text(&pops->items[q], "name");
      if (name && !strcmp(name, pop)) found = count_of(&pops->items[q], "size", &size) == 0;
    }
    if (!found)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "%s: %s records population '%s', which it does not list with a size",
                        file, where, pop);
    if (!strcmp(kind, "spikes")) {
      count_of(rec, "spikes", &spikes);
      joint_rundir_pop *p = grow((void **)&r->pops, &r->n_pops, sizeof *p);
      if (!p) return NOMEM();
      p->name = qualified(folder, pop);
      p->folder = strdup(folder);
      p->population = strdup(pop);
      p->size = size, p->spikes = spikes, p->time_ms = time_ms, p->dt_ms = dt_ms;
      p->agent = agent;
      if (!p->name || !p->folder || !p->population) return NOMEM();
    } else if (!strcmp(kind, "state")) {
      const char *name = soma_json_text(rec, "name"), *f = soma_json_text(rec, "file");
      const soma_json *ids = soma_json_get(rec, "ids");
      joint_rundir_state *s = grow((void **)&r->states, &r->n_states, sizeof *s);
      if (!s) return NOMEM();
      if (!name || !f || !ids || ids->t != SOMA_JSON_ARR ||
          soma_json_double(rec, "t0_ms", &s->t0_ms) ||
          soma_json_double(rec, "interval_ms", &s->interval_ms) ||
          count_of(rec, "samples", &s->samples))
        return joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "%s: %s state recording %d lacks name, file, t0_ms, interval_ms, "
                          "samples or ids", file, where, k);
      s->name = qualified(folder, name);
      s->file = qualified(folder, f);
      s->folder = strdup(folder);
      s->variable = dup_or_empty(soma_json_text(rec, "variable"));
      s->unit = dup_or_empty(soma_json_text(rec, "unit"));
      s->n_ids = (size_t)ids->n;
      s->ids = calloc(s->n_ids ? s->n_ids : 1, sizeof *s->ids);
      if (!s->name || !s->file || !s->folder || !s->variable || !s->unit || !s->ids)
        return NOMEM();
      for (int q = 0; q < ids->n; q++)
        s->ids[q] = ids->items[q].s ? atoi(ids->items[q].s) : 0;
    }
  }
  return SOMA_OK;
}

static int add_env(joint_rundir *r, const soma_json *e, const char *file, int k, char *err,
                   size_t errlen) {
  const char *name = soma_json_text(e, "name"), *f = soma_json_text(e, "file");
  const soma_json *cols = soma_json_get(e, "columns"), *clock = soma_json_get(e, "clock");
  if (!f && !cols && name) return SOMA_OK;   /* an environment that recorded nothing */
  joint_rundir_env *v = grow((void **)&r->envs, &r->n_envs, sizeof *v);
  if (!v) return NOMEM();
  if (!name || !f || !cols || cols->t != SOMA_JSON_ARR || count_of(e, "rows", &v->rows))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: environments[%d] lacks name, file, rows or columns", file, k);
  v->name = strdup(name);
  v->file = strdup(f);
  v->world = dup_or_empty(soma_json_text(e, "world"));
  if (clock && clock->t != SOMA_JSON_STR && clock->t != SOMA_JSON_NULL)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: environments[%d] \"clock\" is not a "
                      "network's folder or null", file, k);
  if (clock && !(v->clock = strdup(clock->t == SOMA_JSON_STR ? clock->s : ""))) return NOMEM();
  v->has_clock = clock != NULL;
  v->columns = calloc(cols->n ? (size_t)cols->n : 1, sizeof *v->columns);
  if (!v->name || !v->file || !v->world || !v->columns) return NOMEM();
  v->n_columns = (size_t)cols->n;
  v->first_latent = v->n_columns;
  for (int j = 0; j < cols->n; j++) {
    if (cols->items[j].t != SOMA_JSON_STR)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "%s: environments[%d] column %d is not a name", file, k, j);
    if (!(v->columns[j] = strdup(cols->items[j].s))) return NOMEM();
    if (!strcmp(v->columns[j], "truncated")) v->first_latent = (size_t)j + 1;
  }
  return SOMA_OK;
}

static int index_run(joint_rundir *r, const char *file, char *err, size_t errlen) {
  const soma_json *nets = soma_json_get(r->meta, "networks"),
                  *agents = soma_json_get(r->meta, "agents"),
                  *envs = soma_json_get(r->meta, "environments");
  if (r->meta->t != SOMA_JSON_OBJ)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: not a JSON object", file);
  char where[64];
  int rc = SOMA_OK;
  for (int k = 0; !rc && nets && nets->t == SOMA_JSON_ARR && k < nets->n; k++) {
    const char *folder = soma_json_text(&nets->items[k], "folder");
    const soma_json *desc = soma_json_get(&nets->items[k], "description");
    snprintf(where, sizeof where, "networks[%d]", k);
    if (!folder || !desc)
      return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: %s has no \"folder\" or "
                        "\"description\"", file, where);
    rc = add_network(r, folder, desc, 0, file, where, err, errlen);
  }
  for (int k = 0; !rc && agents && agents->t == SOMA_JSON_ARR && k < agents->n; k++) {
    const char *folder = soma_json_text(&agents->items[k], "folder");
    if (!folder)
      return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: agents[%d] has no \"folder\"", file, k);
    char *sub = join(r->dir, folder), *meta = sub ? join(sub, "meta.json") : NULL;
    free(sub);
    if (!meta) return NOMEM();
    if (access(meta, F_OK) != 0) {   /* an agent that recorded no spikes */
      free(meta);
      continue;
    }
    soma_json *am = soma_json_load(meta, err, errlen);
    if (!am) {
      free(meta);
      return SOMA_ERR_IO;
    }
    const soma_json *desc = soma_json_get(am, "net");
    if (!desc) rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: no \"net\" description", meta);
    else rc = add_network(r, folder, desc, 1, meta, "net", err, errlen);
    soma_json_free(am);
    free(meta);
  }
  for (int k = 0; !rc && envs && envs->t == SOMA_JSON_ARR && k < envs->n; k++)
    rc = add_env(r, &envs->items[k], file, k, err, errlen);
  return rc;
}

joint_rundir *joint_rundir_open(const char *dir, char *err, size_t errlen) {
  joint_rundir *r = calloc(1, sizeof *r);
  char *file = NULL;
  if (!r || !(r->dir = strdup(dir)) || !(file = join(dir, "meta.json"))) {
    NOMEM();
    joint_rundir_close(r);
    return NULL;
  }
  int rc;
  if (access(file, F_OK) != 0)
    rc = joint_fail(err, errlen, SOMA_ERR_IO, "%s: not a soma run directory (no meta.json: %s)",
                    dir, strerror(errno));
  else if (!(r->meta = soma_json_load(file, err, errlen)))
    rc = SOMA_ERR_IO;
  else
    rc = index_run(r, file, err, errlen);
  if (rc == SOMA_OK) {
    r->status = soma_json_text(r->meta, "status");
    if (!r->status) r->status = "";
  }
  free(file);
  if (rc) {
    joint_rundir_close(r);
    return NULL;
  }
  return r;
}

/* ---- finding ------------------------------------------------------------------------------ */

const joint_rundir_pop *joint_rundir_find_pop(const joint_rundir *r, const char *name) {
  if (!r || !name) return NULL;
  for (size_t k = 0; k < r->n_pops; k++)
    if (!strcmp(r->pops[k].name, name)) return &r->pops[k];
  const joint_rundir_pop *only = NULL;
  for (size_t k = 0; k < r->n_pops; k++)
    if (!strcmp(r->pops[k].population, name)) {
      if (only) return NULL;   /* ambiguous */
      only = &r->pops[k];
    }
  return only;
}

const joint_rundir_env *joint_rundir_find_env(const joint_rundir *r, const char *name) {
  if (!r || !r->n_envs) return NULL;
  if (!name) return &r->envs[0];
  for (size_t k = 0; k < r->n_envs; k++)
    if (!strcmp(r->envs[k].name, name)) return &r->envs[k];
  return NULL;
}

const joint_rundir_state *joint_rundir_find_state(const joint_rundir *r, const char *name) {
  if (!r || !name) return NULL;
  for (size_t k = 0; k < r->n_states; k++)
    if (!strcmp(r->states[k].name, name)) return &r->states[k];
  return NULL;
}

/* "a, b, c" of n names taken by name(i), into buf */
static void list(char *buf, size_t len, size_t n, const char *(*name)(const joint_rundir *, size_t),
                 const joint_rundir *r) {
  size_t at = 0;
  buf[0] = 0;
  for (size_t k = 0; k < n && at + 1 < len; k++) {
    int w = snprintf(buf + at, len - at, "%s%s", k ? ", " : "", name(r, k));
    if (w > 0) at += (size_t)w;
  }
  if (!n) snprintf(buf, len, "none");
}

static const char *pop_name(const joint_rundir *r, size_t k) { return r->pops[k].name; }
static const char *env_name(const joint_rundir *r, size_t k) { return r->envs[k].name; }
static const char *state_name(const joint_rundir *r, size_t k) { return r->states[k].name; }

static int unknown(const joint_rundir *r, const char *what, const char *name, char *err,
                   size_t errlen) {
  char known[600];
  if (!strcmp(what, "population")) list(known, sizeof known, r->n_pops, pop_name, r);
  else if (!strcmp(what, "environment")) list(known, sizeof known, r->n_envs, env_name, r);
  else list(known, sizeof known, r->n_states, state_name, r);
  return joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "%s/meta.json: no %s '%s' with recorded %s (the run has: %s)", r->dir, what,
                    name ? name : "(first)", !strcmp(what, "environment") ? "steps" : "data",
                    known);
}

/* ---- spikes ------------------------------------------------------------------------------- */

void joint_spikes_free(joint_spikes *s) {
  if (!s) return;
  free(s->t_ms), free(s->ids);
  memset(s, 0, sizeof *s);
}

/* loads dir/<name><suffix>, a 1-D array of descr */
static int load_1d(const joint_rundir *r, const char *name, const char *suffix, const char *descr,
                   soma_npy_array *a, char *path, size_t plen, char *err, size_t errlen) {
  snprintf(path, plen, "%s/%s%s", r->dir, name, suffix);
  char msg[600];
  if (soma_npy_load(path, a, msg, sizeof msg))
    return joint_fail(err, errlen, SOMA_ERR_IO, "%s", msg);
  if (strcmp(a->descr, descr) || a->ndim != 1) {
    int rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: need a 1-D array of %s, found %d-D %s",
                        path, descr, a->ndim, a->descr);
    soma_npy_free(a);
    return rc;
  }
  return SOMA_OK;
}

int joint_rundir_spikes(const joint_rundir *r, const char *pop, joint_spikes *out, char *err,
                        size_t errlen) {
  memset(out, 0, sizeof *out);
  const joint_rundir_pop *p = joint_rundir_find_pop(r, pop);
  if (!p) return unknown(r, "population", pop, err, errlen);
  soma_npy_array t, i;
  char tpath[4200], ipath[4200];
  int rc = load_1d(r, p->name, ".spike_t.npy", "<f8", &t, tpath, sizeof tpath, err, errlen);
  if (rc) return rc;
  rc = load_1d(r, p->name, ".spike_i.npy", "<i4", &i, ipath, sizeof ipath, err, errlen);
  if (rc) {
    soma_npy_free(&t);
    return rc;
  }
  const double *tv = t.data;
  const int32_t *iv = i.data;
  if (t.count != i.count)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s holds %zu times but %s %zu ids", tpath,
                    t.count, ipath, i.count);
  for (size_t k = 0; !rc && k < t.count; k++) {
    if (!isfinite(tv[k]))
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: spike %zu: time %g ms", tpath, k, tv[k]);
    else if (iv[k] < 0 || (size_t)iv[k] >= p->size)
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: spike %zu: neuron %d, but population '%s' has %zu neurons", ipath, k,
                      (int)iv[k], p->name, p->size);
  }
  if (rc) {
    soma_npy_free(&t), soma_npy_free(&i);
    return rc;
  }
  out->t_ms = t.data, out->ids = i.data, out->n = t.count, out->n_neurons = p->size;
  return SOMA_OK;
}

/* ---- behaviour and state ------------------------------------------------------------------ */

int joint_rundir_behaviour(const joint_rundir *r, const char *env, const char *const *names,
                           size_t n, joint_table **out, double **t_ms, char *err, size_t errlen) {
  *out = NULL;
  if (t_ms) *t_ms = NULL;
  const joint_rundir_env *e = joint_rundir_find_env(r, env);
  if (!e) return unknown(r, "environment", env, err, errlen);
  char *path = join(r->dir, e->file);
  if (!path) return NOMEM();
  gsl_matrix *m = NULL;
  joint_table *all = NULL;
  double *times = NULL;
  int rc = joint_npy_read(path, &m, err, errlen);
  if (!rc && (m->size1 != e->rows || m->size2 != e->n_columns))
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: %zu x %zu, but meta.json says %zu rows of "
                    "%zu columns", path, m->size1, m->size2, e->rows, e->n_columns);
  if (!rc && !(all = joint_table_make(m, (const char *const *)e->columns))) rc = NOMEM();
  if (!rc) m = NULL;
  if (!rc && t_ms) {
    int c = joint_table_find(all, "t_ms");
    if (c < 0)
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: meta.json names no column t_ms", path);
    else if (!(times = malloc(all->data->size1 * sizeof *times)))
      rc = NOMEM();
    for (size_t k = 0; !rc && k < all->data->size1; k++)
      if (!isfinite(times[k] = gsl_matrix_get(all->data, k, (size_t)c)))
        rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "%s: t_ms is %g at row %zu: these steps were not timed by a network "
                        "(t_ms is the clock of the network that stepped the world: a spiking "
                        "agent's, else the first network's)", path, times[k], k);
  }
  if (!rc) {
    if (names && n) rc = joint_table_select(all, names, n, out, err, errlen);
    else *out = all, all = NULL;
  }
  if (!rc && t_ms) *t_ms = times, times = NULL;
  if (rc && rc != SOMA_ERR_NOMEM && strncmp(err, path, strlen(path)) && names) {
    /* a column that is not there: say which file's */
    char msg[800];
    snprintf(msg, sizeof msg, "%s", err);
    joint_fail(err, errlen, rc, "%s (environment '%s'): %s", path, e->name, msg);
  }
  if (m) gsl_matrix_free(m);
  joint_table_free(all);
  free(times);
  free(path);
  return rc;
}

int joint_rundir_samples(const joint_rundir *r, const char *name, joint_table **out,
                         double **t_ms, char *err, size_t errlen) {
  *out = NULL;
  if (t_ms) *t_ms = NULL;
  const joint_rundir_state *s = joint_rundir_find_state(r, name);
  if (!s) return unknown(r, "state recording", name, err, errlen);
  char *path = join(r->dir, s->file);
  if (!path) return NOMEM();
  gsl_matrix *m = NULL;
  int rc = joint_npy_read(path, &m, err, errlen);
  if (!rc && (m->size1 != s->samples || m->size2 != s->n_ids))
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: %zu x %zu, but meta.json says %zu samples "
                    "of %zu ids", path, m->size1, m->size2, s->samples, s->n_ids);
  char **names = NULL;
  double *times = NULL;
  if (!rc) {
    names = calloc(s->n_ids, sizeof *names);
    times = t_ms ? malloc(s->samples * sizeof *times) : NULL;
    if (!names || (t_ms && !times)) rc = NOMEM();
  }
  for (size_t j = 0; !rc && j < s->n_ids; j++) {
    size_t len = strlen(s->name) + 24;
    if (!(names[j] = malloc(len))) rc = NOMEM();
    else snprintf(names[j], len, "%s:%d", s->name, s->ids[j]);
  }
  if (!rc && times)
    for (size_t k = 0; k < s->samples; k++) times[k] = s->t0_ms + (double)k * s->interval_ms;
  if (!rc && !(*out = joint_table_make(m, (const char *const *)names))) rc = NOMEM();
  if (!rc) {
    m = NULL;
    if (t_ms) *t_ms = times, times = NULL;
  }
  if (names)
    for (size_t j = 0; j < s->n_ids; j++) free(names[j]);
  free(names), free(times), free(path);
  if (m) gsl_matrix_free(m);
  return rc;
}

/* ---- everything for a fit ----------------------------------------------------------------- */

int joint_rundir_column_is_discrete(const char *name) {
  static const char *const labels[] = {"episode", "step", "action", "terminated", "truncated",
                                       "node", "level", "context", "changed", "trial",
                                       "best_arm", "in_hazard", "target", "trial_phase", "clamp"};
  for (size_t k = 0; k < sizeof labels / sizeof labels[0]; k++)
    if (!strcmp(name, labels[k])) return 1;
  return 0;
}

joint_rundir_request joint_rundir_request_defaults(void) {
  return (joint_rundir_request){.bin = joint_bin_defaults(), .before = JOINT_BEFORE_NAN,
                                .crop = 1};
}

void joint_rundir_data_free(joint_rundir_data *d) {
  if (!d) return;
  joint_table_free(d->x), joint_table_free(d->y);
  if (d->t) gsl_matrix_free(d->t);
  free(d->has_data);
  memset(d, 0, sizeof *d);
}

/* the populations asked for (or the default set) into a malloc'd array */
static int resolve_pops(const joint_rundir *r, const joint_rundir_request *q,
                        const joint_rundir_pop ***out, size_t *n, char *err, size_t errlen) {
  *out = NULL, *n = 0;
  if (!r->n_pops)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s/meta.json: the run recorded no spikes",
                      r->dir);
  const joint_rundir_pop **p = calloc(q->pops ? (q->n_pops ? q->n_pops : 1) : r->n_pops,
                                      sizeof *p);
  if (!p) return NOMEM();
  if (q->pops && q->n_pops) {
    for (size_t k = 0; k < q->n_pops; k++)
      if (!(p[(*n)++] = joint_rundir_find_pop(r, q->pops[k]))) {
        free(p);
        return unknown(r, "population", q->pops[k], err, errlen);
      }
  } else {
    const joint_rundir_pop *first = &r->pops[0];
    const joint_rundir_env *e = q->n_columns ? joint_rundir_find_env(r, q->env) : NULL;
    int by_clock = 0;   /* the populations of the network that stepped the environment */
    for (size_t k = 0; e && e->clock && k < r->n_pops && !by_clock; k++)
      if (!strcmp(r->pops[k].folder, e->clock)) first = &r->pops[k], by_clock = 1;
    for (size_t k = 0; k < r->n_pops && !by_clock; k++)
      if (!r->pops[k].agent) {
        first = &r->pops[k];
        break;
      }
    for (size_t k = 0; k < r->n_pops; k++)
      if (!strcmp(r->pops[k].folder, first->folder)) p[(*n)++] = &r->pops[k];
  }
  for (size_t k = 1; k < *n; k++)
    if (strcmp(p[k]->folder, p[0]->folder)) {
      int rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                          "populations '%s' (network '%s') and '%s' (network '%s') run on "
                          "different clocks: bin them separately", p[0]->name, p[0]->folder,
                          p[k]->name, p[k]->folder);
      free(p);
      return rc;
    }
  *out = p;
  return SOMA_OK;
}

/* bins the populations side by side into a T × ΣN table with "pop:id" columns */
static int bin_pops(const joint_rundir *r, const joint_rundir_pop **p, size_t np,
                    const joint_bin_opts *o, joint_table **out, char *err, size_t errlen) {
  size_t T = joint_bin_count(o->t0_ms, o->t1_ms, o->bin_ms), N = 0;
  for (size_t k = 0; k < np; k++) N += p[k]->size;
  if (T == 0 || N == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "binning: the window [%g, %g) ms holds no whole bin of %g ms, or the "
                      "populations have no neurons", o->t0_ms, o->t1_ms, o->bin_ms);
  gsl_matrix *x = gsl_matrix_alloc(T, N);
  char **names = calloc(N, sizeof *names);
  int rc = x && names ? SOMA_OK : NOMEM();
  size_t col = 0;
  for (size_t k = 0; !rc && k < np; k++) {
    joint_spikes s;
    gsl_matrix *c = NULL;
    rc = joint_rundir_spikes(r, p[k]->name, &s, err, errlen);
    if (!rc) rc = joint_bin_spikes(s.t_ms, s.ids, s.n, s.n_neurons, o, &c, err, errlen);
    joint_spikes_free(&s);
    if (rc) break;
    gsl_matrix_view dst = gsl_matrix_submatrix(x, 0, col, T, p[k]->size);
    gsl_matrix_memcpy(&dst.matrix, c);
    gsl_matrix_free(c);
    for (size_t j = 0; !rc && j < p[k]->size; j++) {
      size_t len = strlen(p[k]->name) + 24;
      if (!(names[col + j] = malloc(len))) rc = NOMEM();
      else snprintf(names[col + j], len, "%s:%zu", p[k]->name, j);
    }
    col += p[k]->size;
  }
  if (!rc && !(*out = joint_table_make(x, (const char *const *)names))) rc = NOMEM();
  if (names)
    for (size_t j = 0; j < N; j++) free(names[j]);
  free(names);
  if (rc && x) gsl_matrix_free(x);
  return rc;
}

/* rows [from, from + n) of t as a new table */
static joint_table *rows_of(const joint_table *t, size_t from, size_t n) {
  gsl_matrix *m = gsl_matrix_alloc(n, t->data->size2);
  if (!m) return NULL;
  gsl_matrix_const_view v = gsl_matrix_const_submatrix(t->data, from, 0, n, t->data->size2);
  gsl_matrix_memcpy(m, &v.matrix);
  joint_table *c = joint_table_make(m, (const char *const *)t->names);
  if (!c) gsl_matrix_free(m);
  return c;
}

/* aligns a table sampled at t_ms into columns [col, col + D) of y */
static int align_into(const joint_table *src, const double *t_ms, const unsigned char *discrete,
                      const joint_rundir_request *q, double t0, gsl_matrix *y, size_t col,
                      unsigned char *has, size_t *first, char *err, size_t errlen) {
  gsl_matrix *part = gsl_matrix_alloc(y->size1, src->data->size2);
  if (!part) return NOMEM();
  joint_align_opts ao = {.discrete = discrete, .before = q->before};
  int rc = joint_align(src->data, t_ms, t0, q->bin.bin_ms, &ao, part, has, first, err, errlen);
  if (!rc) {
    gsl_matrix_view dst = gsl_matrix_submatrix(y, 0, col, y->size1, part->size2);
    gsl_matrix_memcpy(&dst.matrix, part);
  }
  gsl_matrix_free(part);
  return rc;
}

/* SOMA_OK when the environment's t_ms is on the clock of population p's network */
static int clock_check(const joint_rundir_env *e, const joint_rundir_pop *p, char *err,
                       size_t errlen) {
  if (!e->has_clock) {   /* written before meta.json said: t_ms is the first network's */
    if (!p->agent) return SOMA_OK;
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "population '%s' runs on agent '%s''s own clock, but this run's behaviour "
                      "t_ms is the first network's (a run made before soma timed an agent's "
                      "steps on its clock): they cannot be aligned", p->name, p->folder);
  }
  if (!strcmp(e->clock, p->folder)) return SOMA_OK;
  if (!strcmp(e->clock, "mixed"))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "environment '%s' was stepped on several clocks (\"clock\": \"mixed\" in "
                      "meta.json: by a spiking agent and by the script, or by two agents), so its "
                      "t_ms cannot be aligned with the spikes of '%s'", e->name, p->name);
  if (!*e->clock) return SOMA_OK;   /* no network timed it: t_ms is NaN, said when loaded */
  return joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "population '%s' runs on network '%s''s clock, but environment '%s' was "
                    "stepped on network '%s''s: choose populations of '%s'", p->name, p->folder,
                    e->name, e->clock, e->clock);
}

/* the labels: behaviour columns, then state samples, aligned to x's bins */
static int labels(const joint_rundir *r, const joint_rundir_request *q, const joint_rundir_pop *p,
                  double t0, size_t T, joint_table **out, unsigned char *has, size_t *first,
                  char *err, size_t errlen) {
  const joint_rundir_env *env = q->n_columns ? joint_rundir_find_env(r, q->env) : NULL;
  int rc = env ? clock_check(env, p, err, errlen) : SOMA_OK;
  if (rc) return rc;
  joint_table *beh = NULL, **st = NULL;
  double *bt = NULL, **stt = NULL;
  size_t D = 0;
  if (q->n_columns) {
    rc = joint_rundir_behaviour(r, q->env, q->columns, q->n_columns, &beh, &bt, err, errlen);
    if (!rc) D += beh->data->size2;
  }
  if (!rc && q->n_states) {
    st = calloc(q->n_states, sizeof *st);
    stt = calloc(q->n_states, sizeof *stt);
    if (!st || !stt) rc = NOMEM();
    for (size_t k = 0; !rc && k < q->n_states; k++) {
      const joint_rundir_state *s = joint_rundir_find_state(r, q->states[k]);
      if (s && strcmp(s->folder, p->folder))
        rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "state '%s' is of network '%s', the "
                        "populations of '%s': different clocks", s->name, s->folder, p->folder);
      else rc = joint_rundir_samples(r, q->states[k], &st[k], &stt[k], err, errlen);
      if (!rc) D += st[k]->data->size2;
    }
  }
  gsl_matrix *y = NULL;
  char **names = NULL;
  if (!rc && !((y = gsl_matrix_alloc(T, D)) && (names = calloc(D, sizeof *names)))) rc = NOMEM();
  size_t col = 0;
  *first = 0;
  if (!rc && beh) {
    unsigned char *disc = malloc(beh->data->size2);
    if (!disc) rc = NOMEM();
    for (size_t j = 0; !rc && j < beh->data->size2; j++)
      disc[j] = q->discrete ? q->discrete[j]
                            : (unsigned char)joint_rundir_column_is_discrete(beh->names[j]);
    if (!rc) rc = align_into(beh, bt, disc, q, t0, y, 0, has, first, err, errlen);
    free(disc);
    for (size_t j = 0; !rc && j < beh->data->size2; j++)
      if (!(names[col++] = strdup(beh->names[j]))) rc = NOMEM();
  }
  for (size_t k = 0; !rc && k < q->n_states; k++) {
    size_t f = 0;
    rc = align_into(st[k], stt[k], NULL, q, t0, y, col, beh ? NULL : has, &f, err, errlen);
    if (f > *first) *first = f;
    for (size_t j = 0; !rc && j < st[k]->data->size2; j++)
      if (!(names[col++] = strdup(st[k]->names[j]))) rc = NOMEM();
  }
  if (!rc && !(*out = joint_table_make(y, (const char *const *)names))) rc = NOMEM();
  if (names)
    for (size_t j = 0; j < D; j++) free(names[j]);
  free(names);
  if (rc && y) gsl_matrix_free(y);
  joint_table_free(beh);
  free(bt);
  for (size_t k = 0; st && k < q->n_states; k++) joint_table_free(st[k]), free(stt ? stt[k] : NULL);
  free(st), free(stt);
  return rc;
}

int joint_rundir_load(const joint_rundir *r, const joint_rundir_request *q,
                      joint_rundir_data *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  joint_rundir_request d = joint_rundir_request_defaults();
  if (!q) q = &d;
  const joint_rundir_pop **p;
  size_t np;
  int rc = resolve_pops(r, q, &p, &np, err, errlen);
  if (rc) return rc;
  joint_bin_opts o = q->bin;
  if (!(o.t1_ms > o.t0_ms)) o.t1_ms = p[0]->time_ms;
  joint_rundir_data z = {.t0_ms = o.t0_ms, .bin_ms = o.bin_ms};
  rc = bin_pops(r, p, np, &o, &z.x, err, errlen);
  size_t T = z.x ? z.x->data->size1 : 0, first = 0;
  if (!rc && (q->n_columns || q->n_states)) {
    if (!(z.has_data = calloc(T, 1))) rc = NOMEM();
    if (!rc) rc = labels(r, q, p[0], o.t0_ms, T, &z.y, z.has_data, &first, err, errlen);
    if (!rc && first >= T)
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "no behaviour row falls in the bins [%g, %g) ms of '%s'", o.t0_ms,
                      o.t0_ms + (double)T * o.bin_ms, p[0]->name);
  }
  if (!rc && q->crop && first > 0) {   /* drop the bins before the first behaviour row */
    joint_table *x = rows_of(z.x, first, T - first), *y = rows_of(z.y, first, T - first);
    if (!x || !y) {
      joint_table_free(x), joint_table_free(y);
      rc = NOMEM();
    } else {
      joint_table_free(z.x), joint_table_free(z.y);
      z.x = x, z.y = y;
      memmove(z.has_data, z.has_data + first, T - first);
      z.cropped = first;
      z.t0_ms += (double)first * o.bin_ms;
      T -= first;
    }
  }
  if (!rc && !(z.t = joint_bin_centres(z.t0_ms, z.bin_ms, T))) rc = NOMEM();
  free(p);
  if (rc) {
    joint_rundir_data_free(&z);
    return rc;
  }
  *out = z;
  return SOMA_OK;
}
