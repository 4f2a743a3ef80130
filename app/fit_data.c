/* fit_data.c — what soma fit analyses, as T rows of spike counts, behaviour and latents: read
 * from a run directory (populations binned, the environment's columns aligned on the clock of
 * the network that stepped it, bins of held behaviour dropped), from plain .npy/CSV files, or
 * from matrices a script hands over. */
#include "app/fit.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "joint/check.h"
#include "joint/rundir.h"
#include "sim/param.h"
#include "sim/soma.h"

#define NOMEM() joint_fail(err, errlen, SOMA_ERR_NOMEM, "fit: out of memory")

fit_data_opts fit_data_defaults(void) {
  return (fit_data_opts){.behaviour = "position", .bin_ms = 25, .max_hold_ms = NAN};
}

void fit_data_free(fit_data *d) {
  if (!d) return;
  joint_table_free(d->x), joint_table_free(d->y), joint_table_free(d->latents);
  if (d->t) gsl_matrix_free(d->t);
  for (size_t k = 0; k < d->n_pops; k++) free(d->pops[k]);
  free(d->pops), free(d->discrete), free(d->source), free(d->env);
  memset(d, 0, sizeof *d);
}

/* ---- column lists -------------------------------------------------------------------------- */

typedef struct names {
  char **v;
  size_t n;
} names;

static void names_free(names *s) {
  for (size_t k = 0; k < s->n; k++) free(s->v[k]);
  free(s->v);
  s->v = NULL, s->n = 0;
}

static int names_add(names *s, const char *name, size_t len) {
  char **g = realloc(s->v, (s->n + 1) * sizeof *g);
  if (!g) return -1;
  s->v = g;
  if (!(s->v[s->n] = strndup(name, len))) return -1;
  s->n++;
  return 0;
}

static int names_has(const names *s, const char *name) {
  for (size_t k = 0; k < s->n; k++)
    if (!strcmp(s->v[k], name)) return 1;
  return 0;
}

/* "a, b, c" of env's latent columns */
static void latent_list(const joint_rundir_env *e, char *buf, size_t len) {
  size_t at = 0;
  buf[0] = 0;
  for (size_t j = e->first_latent; j < e->n_columns && at + 1 < len; j++) {
    int w = snprintf(buf + at, len - at, "%s%s", j > e->first_latent ? ", " : "", e->columns[j]);
    if (w > 0) at += (size_t)w;
  }
}

/* the comma-separated columns of text (or "position") into out, each checked against e */
static int parse_columns(const joint_rundir_env *e, const char *what, const char *text,
                         names *out, char *err, size_t errlen) {
  char known[1200];
  latent_list(e, known, sizeof known);
  if (!strcmp(text, "position")) {
    static const char *const pos[] = {"x", "y"};
    for (int k = 0; k < 2; k++)
      for (size_t j = e->first_latent; j < e->n_columns; j++)
        if (!strcmp(e->columns[j], pos[k]) && names_add(out, pos[k], 1)) return NOMEM();
    if (!out->n)
      return joint_fail(err, errlen, FIT_ERR_USAGE,
                        "%s: world '%s' has no position (x, y) among its latents; name the "
                        "columns to decode with --behaviour (its latents: %s)", what, e->world,
                        known);
    return SOMA_OK;
  }
  for (const char *p = text; *p;) {
    size_t len = strcspn(p, ",");
    if (!len)
      return joint_fail(err, errlen, FIT_ERR_USAGE, "%s '%s': an empty column name", what, text);
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)len, p);
    int found = 0;
    for (size_t j = 0; j < e->n_columns && !found; j++) found = !strcmp(e->columns[j], name);
    if (!found) {
      const char *guess = soma_closest_name(name, (const char *const *)e->columns,
                                            (int)e->n_columns);
      char hint[160] = "";
      if (guess) snprintf(hint, sizeof hint, " (did you mean '%s'?)", guess);
      return joint_fail(err, errlen, FIT_ERR_USAGE,
                        "%s: environment '%s' has no column '%s'%s; its latents: %s", what,
                        e->name, name, hint, known);
    }
    if (names_has(out, name))
      return joint_fail(err, errlen, FIT_ERR_USAGE, "%s: column '%s' is given twice", what,
                        name);
    if (names_add(out, name, len)) return NOMEM();
    p += len;
    if (*p == ',') p++;
  }
  return SOMA_OK;
}

/* an unknown population or environment, with the closest name and the known ones */
static int unknown_name(const joint_rundir *r, const char *flag, const char *what,
                        const char *name, char *err, size_t errlen) {
  int pop = !strcmp(what, "population");
  size_t n = pop ? r->n_pops : r->n_envs;
  const char **known = calloc(n + 1, sizeof *known);
  if (!known) return NOMEM();
  char list[1200];
  size_t at = 0;
  list[0] = 0;
  for (size_t k = 0; k < n; k++) {
    known[k] = pop ? r->pops[k].name : r->envs[k].name;
    int w = snprintf(list + at, sizeof list - at, "%s%s", k ? ", " : "", known[k]);
    if (w > 0 && (size_t)w < sizeof list - at) at += (size_t)w;
  }
  const char *guess = soma_closest_name(name, known, (int)n);
  char hint[160] = "";
  if (guess) snprintf(hint, sizeof hint, " (did you mean '%s'?)", guess);
  free(known);
  return joint_fail(err, errlen, FIT_ERR_USAGE, "%s: the run has no %s '%s' with recorded %s%s; "
                    "it has: %s", flag, what, name, pop ? "spikes" : "steps", hint,
                    n ? list : "none");
}

/* ---- held behaviour ------------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The median of the positive intervals between consecutive rows (NaN if none). */
static double median_interval(const double *t, size_t n) {
  double *g = malloc((n ? n : 1) * sizeof *g);
  size_t m = 0;
  if (!g) return NAN;
  for (size_t k = 1; k < n; k++)
    if (t[k] > t[k - 1]) g[m++] = t[k] - t[k - 1];
  double med = NAN;
  if (m) {
    qsort(g, m, sizeof *g, cmp_double);
    med = m % 2 ? g[m / 2] : 0.5 * (g[m / 2 - 1] + g[m / 2]);
  }
  free(g);
  return med;
}

/* keep[k] = 0 for the bins whose last behaviour row (at or before the bin's end) is at least
 * max_hold ms older than the bin's start */
static void held_bins(const double *rows_t, size_t n_rows, double t0, double bin, size_t T,
                      double max_hold, unsigned char *keep) {
  size_t j = 0;
  for (size_t k = 0; k < T; k++) {
    double start = t0 + (double)k * bin, end = start + bin;
    while (j < n_rows && rows_t[j] < end) j++;
    keep[k] = j > 0 && start - rows_t[j - 1] < max_hold;
  }
}

/* a new table of the rows of t with keep[k] */
static joint_table *keep_rows(const joint_table *t, const unsigned char *keep, size_t kept) {
  if (!t) return NULL;
  gsl_matrix *m = gsl_matrix_alloc(kept ? kept : 1, t->data->size2);
  if (!m) return NULL;
  for (size_t k = 0, i = 0; k < t->data->size1; k++) {
    if (!keep[k]) continue;
    gsl_vector_const_view src = gsl_matrix_const_row(t->data, k);
    gsl_matrix_set_row(m, i++, &src.vector);
  }
  joint_table *c = joint_table_make(m, (const char *const *)t->names);
  if (!c) gsl_matrix_free(m);
  return c;
}

/* the rows of every table of d with keep[k]; kept >= 1 */
static int filter_rows(fit_data *d, const unsigned char *keep, size_t kept, char *err,
                       size_t errlen) {
  joint_table *x = keep_rows(d->x, keep, kept), *y = keep_rows(d->y, keep, kept);
  joint_table *l = d->latents ? keep_rows(d->latents, keep, kept) : NULL;
  gsl_matrix *t = NULL;
  if (d->t && (t = gsl_matrix_alloc(kept, 1)))
    for (size_t k = 0, i = 0; k < d->t->size1; k++)
      if (keep[k]) gsl_matrix_set(t, i++, 0, gsl_matrix_get(d->t, k, 0));
  if (!x || !y || (d->latents && !l) || (d->t && !t)) {
    joint_table_free(x), joint_table_free(y), joint_table_free(l);
    if (t) gsl_matrix_free(t);
    return NOMEM();
  }
  joint_table_free(d->x), joint_table_free(d->y), joint_table_free(d->latents);
  if (d->t) gsl_matrix_free(d->t);
  d->x = x, d->y = y, d->latents = l, d->t = t;
  return SOMA_OK;
}

int fit_data_drop_nonfinite(fit_data *d, size_t *dropped, char *err, size_t errlen) {
  size_t T = d->y->data->size1, kept = 0;
  unsigned char *keep = malloc(T ? T : 1);
  if (!keep) return NOMEM();
  for (size_t k = 0; k < T; k++) {
    keep[k] = 1;
    for (size_t j = 0; j < d->y->data->size2; j++)
      if (!isfinite(gsl_matrix_get(d->y->data, k, j))) keep[k] = 0;
    kept += keep[k];
  }
  *dropped = T - kept;
  int rc = SOMA_OK;
  if (!kept)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: every row's behaviour holds NaN or inf");
  else if (kept < T)
    rc = filter_rows(d, keep, kept, err, errlen);
  free(keep);
  return rc;
}

/* ---- a run directory ----------------------------------------------------------------------- */

/* the distinct "pop" prefixes of "pop:i" column names */
static int pops_of(const joint_table *x, fit_data *d) {
  names s = {0};
  for (size_t j = 0; j < x->data->size2; j++) {
    const char *c = x->names[j], *colon = strrchr(c, ':');
    size_t len = colon ? (size_t)(colon - c) : strlen(c);
    if (s.n && !strncmp(s.v[s.n - 1], c, len) && !s.v[s.n - 1][len]) continue;
    if (names_add(&s, c, len)) {
      names_free(&s);
      return -1;
    }
  }
  d->pops = s.v, d->n_pops = s.n;
  return 0;
}

int fit_data_rundir(const char *dir, const fit_data_opts *o, fit_data *out, char *err,
                    size_t errlen) {
  memset(out, 0, sizeof *out);
  fit_data_opts def = fit_data_defaults();
  if (!o) o = &def;
  struct stat st;
  if (stat(dir, &st) != 0)
    return joint_fail(err, errlen, FIT_ERR_USAGE, "%s: no such run directory (%s)", dir,
                      strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return joint_fail(err, errlen, FIT_ERR_USAGE, "%s is a file, not a run directory (plain "
                      "files go with --x FILE --y FILE)", dir);
  joint_rundir *r = joint_rundir_open(dir, err, errlen);
  if (!r) return SOMA_ERR_IO;
  names beh = {0}, lat = {0};
  double *rows_t = NULL;
  unsigned char *keep = NULL;
  joint_rundir_data d = {0};
  joint_table *rows = NULL;
  int rc = SOMA_OK;
  const joint_rundir_env *e = joint_rundir_find_env(r, o->env);
  if (!r->n_pops)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "%s: the run recorded no spikes (record them with net:record(pop, "
                    "\"spikes\"), or an agent's record = {\"input\", \"actors\", \"critic\"})",
                    dir);
  else if (!e && o->env && r->n_envs)
    rc = unknown_name(r, "--env", "environment", o->env, err, errlen);
  else if (!e)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "%s: the run recorded no behaviour (an environment made with record = "
                    "true writes it)", dir);
  for (size_t k = 0; !rc && k < o->n_pops; k++)
    if (!joint_rundir_find_pop(r, o->pops[k]))
      rc = unknown_name(r, "--pop", "population", o->pops[k], err, errlen);
  if (!rc) rc = parse_columns(e, "--behaviour", o->behaviour ? o->behaviour : "position", &beh,
                              err, errlen);
  if (!rc && o->latents) {
    rc = *o->latents ? parse_columns(e, "--latents", o->latents, &lat, err, errlen) : SOMA_OK;
    for (size_t k = 0; !rc && k < lat.n; k++)
      if (names_has(&beh, lat.v[k]))
        rc = joint_fail(err, errlen, FIT_ERR_USAGE, "--latents: '%s' is decoded already "
                        "(--behaviour)", lat.v[k]);
  } else if (!rc) {
    for (size_t j = e->first_latent; !rc && j < e->n_columns; j++)
      if (!names_has(&beh, e->columns[j]) && names_add(&lat, e->columns[j], strlen(e->columns[j])))
        rc = NOMEM();
  }
  /* every column in one load: the behaviour, then the latents */
  names all = {0};
  for (size_t k = 0; !rc && k < beh.n + lat.n; k++) {
    const char *c = k < beh.n ? beh.v[k] : lat.v[k - beh.n];
    if (names_add(&all, c, strlen(c))) rc = NOMEM();
  }
  if (!rc) {
    joint_rundir_request q = joint_rundir_request_defaults();
    q.pops = o->pops, q.n_pops = o->n_pops;
    q.env = e->name;
    q.columns = (const char *const *)all.v, q.n_columns = all.n;
    q.bin.bin_ms = o->bin_ms;
    rc = joint_rundir_load(r, &q, &d, err, errlen);
  }
  if (!rc) rc = joint_rundir_behaviour(r, e->name, (const char *[]){"t_ms"}, 1, &rows, &rows_t,
                                       err, errlen);
  size_t T = d.x ? d.x->data->size1 : 0;
  if (!rc) {
    out->bin_ms = o->bin_ms;
    out->bins = T;
    out->max_hold_ms = isnan(o->max_hold_ms) ? median_interval(rows_t, rows->data->size1)
                                             : o->max_hold_ms;
    keep = malloc(T ? T : 1);
    if (!keep) rc = NOMEM();
  }
  if (!rc) {
    size_t kept = T;
    if (isfinite(out->max_hold_ms)) {
      held_bins(rows_t, rows->data->size1, d.t0_ms, d.bin_ms, T, out->max_hold_ms, keep);
      kept = 0;
      for (size_t k = 0; k < T; k++) kept += keep[k];
    } else {
      out->max_hold_ms = NAN;
    }
    joint_table *y = NULL, *l = NULL;
    rc = joint_table_select(d.y, (const char *const *)beh.v, beh.n, &y, err, errlen);
    if (!rc && lat.n) rc = joint_table_select(d.y, (const char *const *)lat.v, lat.n, &l, err,
                                              errlen);
    out->x = d.x, d.x = NULL;
    out->y = y, out->latents = l;
    out->t = d.t, d.t = NULL;
    if (!rc && !kept)
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: no bin of %g ms has behaviour less than %g ms old (--max-hold)", dir,
                      o->bin_ms, out->max_hold_ms);
    if (!rc && kept < T) {
      out->dropped_held = T - kept;
      rc = filter_rows(out, keep, kept, err, errlen);
    }
  }
  if (!rc && lat.n && !(out->discrete = malloc(lat.n))) rc = NOMEM();
  for (size_t k = 0; !rc && k < lat.n; k++)
    out->discrete[k] = (unsigned char)joint_rundir_column_is_discrete(lat.v[k]);
  if (!rc && pops_of(out->x, out)) rc = NOMEM();
  if (!rc && (asprintf(&out->source, "run directory %s", dir) < 0 ||
              !(out->env = strdup(e->name)))) {
    out->source = NULL;
    rc = NOMEM();
  }
  size_t nan_rows = 0;
  if (!rc) rc = fit_data_drop_nonfinite(out, &nan_rows, err, errlen);
  out->dropped_held += nan_rows;
  names_free(&beh), names_free(&lat), names_free(&all);
  joint_table_free(rows);
  free(rows_t), free(keep);
  joint_rundir_data_free(&d);
  joint_rundir_close(r);
  if (rc) fit_data_free(out);
  return rc;
}

/* frees a table but not its matrix */
static void table_release(joint_table *t) {
  if (!t) return;
  for (size_t j = 0; t->names && t->data && j < t->data->size2; j++) free(t->names[j]);
  free(t->names);
  free(t);
}

/* ---- plain files and matrices -------------------------------------------------------------- */

static int has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

/* a .npy or .csv file as a table; npy columns named <prefix>0, <prefix>1, ... */
static int read_table(const char *path, const char *flag, const char *prefix, joint_table **out,
                      char *err, size_t errlen) {
  *out = NULL;
  if (has_suffix(path, ".csv")) return joint_csv_read(path, out, err, errlen);
  if (!has_suffix(path, ".npy"))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s %s: expected a .npy or .csv file", flag,
                      path);
  gsl_matrix *m = NULL;
  int rc = joint_npy_read(path, &m, err, errlen);
  if (rc) return rc;
  char **nm = calloc(m->size2, sizeof *nm);
  rc = nm ? SOMA_OK : NOMEM();
  for (size_t j = 0; !rc && j < m->size2; j++)
    if (asprintf(&nm[j], "%s%zu", prefix, j) < 0) nm[j] = NULL, rc = NOMEM();
  if (!rc && !(*out = joint_table_make(m, (const char *const *)nm))) rc = NOMEM();
  if (rc) gsl_matrix_free(m);
  for (size_t j = 0; nm && j < m->size2; j++) free(nm[j]);
  free(nm);
  return rc;
}

int fit_data_make(gsl_matrix *x, const char *const *x_names, gsl_matrix *y,
                  const char *const *y_names, gsl_matrix *latents,
                  const char *const *latent_names, double bin_ms, const char *source,
                  fit_data *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!x || !y) return joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: no data or no behaviour");
  if (y->size1 != x->size1 || (latents && latents->size1 != x->size1))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "fit: the data has %zu rows, the behaviour %zu%s%zu: they must be the same "
                      "time bins", x->size1, y->size1, latents ? " and the latents " : "",
                      latents ? latents->size1 : 0);
  int rc = joint_check_finite(x, "fit", "data", err, errlen);
  if (!rc) rc = joint_check_finite(y, "fit", "behaviour", err, errlen);
  if (rc) return rc;
  if (latents && (rc = joint_check_finite(latents, "fit", "latents", err, errlen))) return rc;
  names gen[3] = {{0}};
  const char *const *given[3] = {x_names, y_names, latent_names};
  gsl_matrix *mats[3] = {x, y, latents};
  static const char *const prefix[3] = {"x", "y", "latent"};
  for (int k = 0; k < 3 && !rc; k++)
    for (size_t j = 0; mats[k] && !given[k] && j < mats[k]->size2 && !rc; j++) {
      char nm[32];
      snprintf(nm, sizeof nm, "%s%zu", prefix[k], j);
      if (names_add(&gen[k], nm, strlen(nm))) rc = NOMEM();
    }
  joint_table *t[3] = {NULL, NULL, NULL};
  for (int k = 0; k < 3 && !rc; k++)
    if (mats[k] && !(t[k] = joint_table_make(mats[k], given[k] ? given[k]
                                                               : (const char *const *)gen[k].v)))
      rc = NOMEM();
  for (int k = 0; k < 3; k++) names_free(&gen[k]);
  if (!rc && latents && !(out->discrete = calloc(latents->size2, 1))) rc = NOMEM();
  if (!rc && !(out->source = strdup(source ? source : "arrays"))) rc = NOMEM();
  if (rc) {   /* the matrices stay the caller's */
    for (int k = 0; k < 3; k++) table_release(t[k]);
    free(out->discrete), free(out->source);
    memset(out, 0, sizeof *out);
    return rc;
  }
  for (size_t j = 0; latents && j < latents->size2; j++)
    out->discrete[j] = (unsigned char)joint_rundir_column_is_discrete(t[2]->names[j]);
  out->x = t[0], out->y = t[1], out->latents = t[2];
  out->bin_ms = bin_ms;
  out->bins = x->size1;
  out->max_hold_ms = NAN;
  return SOMA_OK;
}

int fit_data_files(const char *x_path, const char *y_path, const char *latents_path,
                   double bin_ms, fit_data *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  joint_table *x = NULL, *y = NULL, *l = NULL;
  int rc = read_table(x_path, "--x", "x", &x, err, errlen);
  if (!rc) rc = read_table(y_path, "--y", "y", &y, err, errlen);
  if (!rc && latents_path) rc = read_table(latents_path, "--latents-file", "latent", &l, err,
                                           errlen);
  char *source = NULL;
  if (!rc && asprintf(&source, "files %s, %s%s%s", x_path, y_path, latents_path ? ", " : "",
                      latents_path ? latents_path : "") < 0) {
    source = NULL;
    rc = NOMEM();
  }
  if (!rc) {
    rc = fit_data_make(x->data, (const char *const *)x->names, y->data,
                       (const char *const *)y->names, l ? l->data : NULL,
                       l ? (const char *const *)l->names : NULL, bin_ms, source, out, err,
                       errlen);
    if (!rc) {   /* the matrices are out's now */
      table_release(x), table_release(y), table_release(l);
      x = y = l = NULL;
    } else if (!strncmp(err, "fit: the ", 9)) {   /* name the files */
      char msg[600];
      snprintf(msg, sizeof msg, "%s", err + 5);
      joint_fail(err, errlen, rc, "%s (--x %s, --y %s)", msg, x_path, y_path);
    }
  }
  free(source);
  joint_table_free(x), joint_table_free(y), joint_table_free(l);
  return rc;
}
