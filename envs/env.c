/* env.c — what every world shares: options checked against the world's tables, the seeded
 * generator, episode bookkeeping (steps, truncation at max_steps, refusing steps after the
 * end), action checks, and the registry of worlds. */
#include "envs/env.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/param.h"

static const soma_param_def max_steps_def = {
    "max_steps", "steps", 0, 0, 1e15, SOMA_INT, "steps before an episode is truncated (0: never)"};

/* ---- option tables -------------------------------------------------------------------- */

enum { OPT_NONE, OPT_PARAM, OPT_STR, OPT_LIST, OPT_MAX_STEPS };

static int find_opt(const soma_world *w, const char *key, int *index) {
  for (int i = 0; i < w->n_params; i++)
    if (!strcmp(w->params[i].name, key)) return *index = i, OPT_PARAM;
  for (int i = 0; i < w->n_strs; i++)
    if (!strcmp(w->strs[i].name, key)) return *index = i, OPT_STR;
  for (int i = 0; i < w->n_lists; i++)
    if (!strcmp(w->lists[i].name, key)) return *index = i, OPT_LIST;
  if (!strcmp(key, "max_steps")) return *index = 0, OPT_MAX_STEPS;
  return OPT_NONE;
}

static void unknown_opt(const soma_world *w, const char *key, char *err, size_t len) {
  const char *names[128];
  int n = 0;
  for (int i = 0; i < w->n_params && n < 127; i++) names[n++] = w->params[i].name;
  for (int i = 0; i < w->n_strs && n < 127; i++) names[n++] = w->strs[i].name;
  for (int i = 0; i < w->n_lists && n < 127; i++) names[n++] = w->lists[i].name;
  names[n++] = "max_steps";
  const char *close = soma_closest_name(key, names, n);
  char all[1024] = "";
  size_t off = 0;
  for (int i = 0; i < n && off < sizeof all; i++)
    off += (size_t)snprintf(all + off, sizeof all - off, "%s%s", i ? ", " : "", names[i]);
  if (close)
    snprintf(err, len, "unknown option '%s' of world '%s' (did you mean '%s'?); options: %s", key,
             w->name, close, all);
  else
    snprintf(err, len, "unknown option '%s' of world '%s'; options: %s", key, w->name, all);
}

/* 1 when s is one of the '|'-separated words of allowed */
static int word_in(const char *s, const char *allowed) {
  size_t n = strlen(s);
  for (const char *p = allowed; *p;) {
    const char *q = strchr(p, '|');
    size_t m = q ? (size_t)(q - p) : strlen(p);
    if (m == n && !strncmp(p, s, n)) return 1;
    if (!q) break;
    p = q + 1;
  }
  return 0;
}

/* Checks one option against its table entry and stores it. */
static int store_opt(soma_env *e, const soma_env_opt *o, char *err, size_t len) {
  const soma_world *w = e->world;
  int i, kind = o->key ? find_opt(w, o->key, &i) : OPT_NONE;
  char msg[512];
  if (kind == OPT_NONE) {
    if (o->key) unknown_opt(w, o->key, err, len);
    else snprintf(err, len, "world '%s': an option without a name", w->name);
    return 1;
  }
  if (kind == OPT_PARAM || kind == OPT_MAX_STEPS) {
    const soma_param_def *def = kind == OPT_PARAM ? &w->params[i] : &max_steps_def;
    if (o->str || o->n != 1) {
      snprintf(err, len, "world '%s': option '%s' takes one number (%s)", w->name, o->key, def->doc);
      return 1;
    }
    if (soma_param_check(def, o->num[0], msg, sizeof msg)) {
      snprintf(err, len, "world '%s': %s", w->name, msg);
      return 1;
    }
    if (kind == OPT_PARAM) e->param[i] = o->num[0];
    else e->max_steps = (int64_t)o->num[0];
    return 0;
  }
  if (kind == OPT_STR) {
    const soma_env_str_def *def = &w->strs[i];
    if (!o->str) {
      snprintf(err, len, "world '%s': option '%s' takes a string (%s%s%s)", w->name, o->key,
               def->doc, def->allowed ? ": " : "", def->allowed ? def->allowed : "");
      return 1;
    }
    if (def->allowed && !word_in(o->str, def->allowed)) {
      snprintf(err, len, "world '%s': option '%s' must be one of %s (got '%s')", w->name, o->key,
               def->allowed, o->str);
      return 1;
    }
    char *copy = strdup(o->str);
    if (!copy) return snprintf(err, len, "out of memory"), 1;
    free(e->str[i]);
    e->str[i] = copy;
    return 0;
  }
  const soma_env_list_def *def = &w->lists[i];
  if (o->str || o->n < def->min_n || o->n > def->max_n) {
    if (def->min_n == def->max_n)
      snprintf(err, len, "world '%s': option '%s' takes %d numbers (%s)", w->name, o->key,
               def->min_n, def->doc);
    else
      snprintf(err, len, "world '%s': option '%s' takes %d to %d numbers (%s)", w->name, o->key,
               def->min_n, def->max_n, def->doc);
    return 1;
  }
  for (int k = 0; k < o->n; k++)
    if (!(o->num[k] >= def->lo && o->num[k] <= def->hi)) {
      snprintf(err, len, "world '%s': option '%s': value %d must be in [%g, %g] (got %g)", w->name,
               o->key, k + 1, def->lo, def->hi, o->num[k]);
      return 1;
    }
  double *copy = malloc(sizeof *copy * (size_t)(o->n ? o->n : 1));
  if (!copy) return snprintf(err, len, "out of memory"), 1;
  if (o->n) memcpy(copy, o->num, sizeof *copy * (size_t)o->n);
  free(e->list[i]);
  e->list[i] = copy;
  e->list_n[i] = o->n;
  return 0;
}

/* ---- creation ------------------------------------------------------------------------- */

soma_env *soma_env_create(const char *world, const soma_env_opt *opts, int n, char *err,
                          size_t len) {
  const soma_world *w = world ? soma_world_find(world) : NULL;
  if (!w) {
    char names[512] = "";
    size_t off = 0;
    const soma_world *const *all = soma_worlds();
    for (int i = 0; all[i] && off < sizeof names; i++)
      off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? ", " : "", all[i]->name);
    snprintf(err, len, "unknown world '%s'; worlds: %s", world ? world : "(null)", names);
    return NULL;
  }
  soma_env *e = calloc(1, sizeof *e);
  if (!e) return snprintf(err, len, "out of memory"), NULL;
  e->world = w;
  e->param = calloc((size_t)w->n_params + 1, sizeof *e->param);
  e->str = calloc((size_t)w->n_strs + 1, sizeof *e->str);
  e->list = calloc((size_t)w->n_lists + 1, sizeof *e->list);
  e->list_n = calloc((size_t)w->n_lists + 1, sizeof *e->list_n);
  e->latent = calloc((size_t)w->n_latents + 1, sizeof *e->latent);
  e->rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!e->param || !e->str || !e->list || !e->list_n || !e->latent || !e->rng) {
    soma_env_destroy(e);
    return snprintf(err, len, "out of memory"), NULL;
  }
  for (int i = 0; i < w->n_params; i++) e->param[i] = w->params[i].def;
  e->max_steps = w->max_steps;
  for (int i = 0; i < w->n_strs; i++)
    if (w->strs[i].def && !(e->str[i] = strdup(w->strs[i].def))) {
      soma_env_destroy(e);
      return snprintf(err, len, "out of memory"), NULL;
    }
  for (int k = 0; k < n; k++)
    if (store_opt(e, &opts[k], err, len)) {
      soma_env_destroy(e);
      return NULL;
    }
  for (int i = 0; i < w->n_latents; i++) e->latent[i] = NAN;
  e->lx = soma_env_latent_index(e, "x");
  e->ly = soma_env_latent_index(e, "y");
  if (w->create(e, err, len)) {
    soma_env_destroy(e);
    return NULL;
  }
  if (!(e->obs = calloc((size_t)e->obs_space.n + 1, sizeof *e->obs))) {
    soma_env_destroy(e);
    return snprintf(err, len, "out of memory"), NULL;
  }
  e->done = 1;   /* until the first reset */
  return e;
}

void soma_env_destroy(soma_env *e) {
  if (!e) return;
  if (e->state && e->world->destroy) e->world->destroy(e);
  free(e->state);
  for (int i = 0; e->str && i < e->world->n_strs; i++) free(e->str[i]);
  for (int i = 0; e->list && i < e->world->n_lists; i++) free(e->list[i]);
  free(e->str);
  free(e->list);
  free(e->list_n);
  free(e->param);
  free(e->latent);
  free(e->obs);
  free(e->path);
  if (e->rng) gsl_rng_free(e->rng);
  free(e);
}

/* ---- episodes ------------------------------------------------------------------------- */

/* the agent's position joins the episode's path (amortised growth; stops growing at 1e6) */
static void follow(soma_env *e) {
  if (!e->world->locate || e->lx < 0 || e->ly < 0) return;
  if (e->path_n == e->path_cap) {
    if (e->path_cap >= 1000000) return;
    size_t cap = e->path_cap ? e->path_cap * 2 : 256;
    double *grown = realloc(e->path, sizeof *grown * 2 * cap);
    if (!grown) return;
    e->path = grown;
    e->path_cap = cap;
  }
  e->path[2 * e->path_n] = e->latent[e->lx];
  e->path[2 * e->path_n + 1] = e->latent[e->ly];
  e->path_n++;
}

void soma_env_reset(soma_env *e, uint64_t seed, int reseed) {
  if (reseed || e->episode == 0) {
    e->seed = seed;
    /* mt19937 takes an unsigned long; mix the high half in so 64-bit seeds differ */
    gsl_rng_set(e->rng, (unsigned long)(seed ^ (seed >> 32) * 0x9e3779b97f4a7c15ull));
  }
  e->steps = 0;
  e->done = 0;
  e->episode++;
  e->world->reset(e);
  e->path_n = 0;
  follow(e);
}

int soma_env_step(soma_env *e, const double *action, int n, soma_env_result *r, char *err,
                  size_t len) {
  const soma_space *a = &e->act_space;
  memset(r, 0, sizeof *r);
  if (e->done) {
    snprintf(err, len, "world '%s': %s; call reset() to start an episode", e->world->name,
             e->episode ? "the episode is over" : "no episode yet");
    return 1;
  }
  double clipped[64];
  if (a->kind == SOMA_SPACE_DISCRETE) {
    if (n != 1 || !(action[0] >= 0 && action[0] < a->n) || action[0] != floor(action[0])) {
      snprintf(err, len, "world '%s': the action must be a whole number from 0 to %d (got %s%g)",
               e->world->name, a->n - 1, n != 1 ? "a list of numbers, first " : "", n ? action[0] : NAN);
      return 1;
    }
  } else {
    if (n != a->n || n > 64) {
      snprintf(err, len, "world '%s': the action is %d numbers (got %d)", e->world->name, a->n, n);
      return 1;
    }
    for (int k = 0; k < n; k++) {
      if (isnan(action[k])) {
        snprintf(err, len, "world '%s': action value %d is not a number", e->world->name, k + 1);
        return 1;
      }
      clipped[k] = action[k] < a->lo ? a->lo : action[k] > a->hi ? a->hi : action[k];
    }
    action = clipped;
  }
  e->steps++;   /* worlds see the count including this step */
  e->world->step(e, action, r);
  follow(e);
  if (!r->terminated && e->max_steps > 0 && e->steps >= e->max_steps) r->truncated = 1;
  e->done = r->terminated || r->truncated;
  return 0;
}

int soma_env_set(soma_env *e, const soma_env_opt *opts, int n, char *err, size_t len) {
  const soma_world *w = e->world;
  for (int k = 0; k < n; k++) {
    int i, kind = opts[k].key ? find_opt(w, opts[k].key, &i) : OPT_NONE;
    if (kind == OPT_MAX_STEPS) {
      if (store_opt(e, &opts[k], err, len)) return 1;
      continue;
    }
    if (kind != OPT_NONE && (!w->set || (w->fixed && word_in(opts[k].key, w->fixed)))) {
      snprintf(err, len, "world '%s': option '%s' cannot change after creation", w->name,
               opts[k].key);
      return 1;
    }
    /* keep the old value, store and let the world accept or refuse it */
    double old_p = kind == OPT_PARAM ? e->param[i] : 0;
    char *old_s = NULL;
    double *old_l = NULL;
    int old_n = 0;
    if (kind == OPT_STR) old_s = e->str[i], e->str[i] = NULL;
    if (kind == OPT_LIST) old_l = e->list[i], old_n = e->list_n[i], e->list[i] = NULL;
    int bad = store_opt(e, &opts[k], err, len) || w->set(e, &opts[k], err, len);
    if (bad) {
      if (kind == OPT_PARAM) e->param[i] = old_p;
      if (kind == OPT_STR) free(e->str[i]), e->str[i] = old_s;
      if (kind == OPT_LIST) free(e->list[i]), e->list[i] = old_l, e->list_n[i] = old_n;
      return 1;
    }
    if (kind == OPT_STR) free(old_s);
    if (kind == OPT_LIST) free(old_l);
  }
  return 0;
}

void soma_env_draw(const soma_env *e, soma_canvas *c, int x, int y, int w, int h) {
  if (!e->world->draw || w <= 0 || h <= 0) return;
  e->world->draw(e, c, x, y, w, h);
  if (!e->world->locate) return;
  int px0 = 0, py0 = 0;
  for (size_t k = 0; k < e->path_n; k++) {
    int px, py;
    e->world->locate(e, e->path[2 * k], e->path[2 * k + 1], x, y, w, h, &px, &py);
    if (k) canvas_segment_clipped(c, px0, py0, px, py, 0xe08a1ec0u, x, y, w, h);
    px0 = px;
    py0 = py;
  }
}

int soma_env_drive_reset(const soma_env_driver *d, soma_env *e, uint64_t seed, char *err,
                         size_t len) {
  if (d) return d->reset(d->ctx, e, seed, err, len);
  soma_env_reset(e, seed, e->episode == 0);
  return 0;
}

int soma_env_drive_step(const soma_env_driver *d, soma_env *e, const double *action, int n,
                        soma_env_result *r, char *err, size_t len) {
  return d ? d->step(d->ctx, e, action, n, r, err, len) : soma_env_step(e, action, n, r, err, len);
}

/* ---- for worlds ----------------------------------------------------------------------- */

double soma_env_param(const soma_env *e, const char *name) {
  int i;
  int kind = find_opt(e->world, name, &i);
  return kind == OPT_PARAM ? e->param[i] : kind == OPT_MAX_STEPS ? (double)e->max_steps : NAN;
}


const double *soma_env_list(const soma_env *e, const char *name, int *n) {
  int i;
  if (find_opt(e->world, name, &i) != OPT_LIST) return *n = 0, NULL;
  *n = e->list_n[i];
  return e->list[i];
}

double soma_env_uniform(soma_env *e) { return gsl_rng_uniform(e->rng); }

double soma_env_gaussian(soma_env *e, double sigma) { return gsl_ran_gaussian_ziggurat(e->rng, sigma); }

unsigned long soma_env_uniform_int(soma_env *e, unsigned long n) {
  return n ? gsl_rng_uniform_int(e->rng, n) : 0;
}

void soma_world_describe(const soma_world *w, FILE *f) {
  fprintf(f, "%s: %s\n\noptions:\n", w->name, w->doc);
  for (int i = 0; i < w->n_params; i++) {
    const soma_param_def *p = &w->params[i];
    fprintf(f, "  %-16s %-10g %s%s%s [%g, %g]\n", p->name, p->def, p->doc,
            p->unit && *p->unit ? ", " : "", p->unit ? p->unit : "", p->lo, p->hi);
  }
  for (int i = 0; i < w->n_strs; i++) {
    const soma_env_str_def *p = &w->strs[i];
    fprintf(f, "  %-16s %-10s %s%s%s\n", p->name, p->def ? p->def : "(none)", p->doc,
            p->allowed ? ": " : "", p->allowed ? p->allowed : "");
  }
  for (int i = 0; i < w->n_lists; i++) {
    const soma_env_list_def *p = &w->lists[i];
    char count[32];
    if (p->min_n == p->max_n) snprintf(count, sizeof count, "%d", p->min_n);
    else snprintf(count, sizeof count, "%d to %d", p->min_n, p->max_n);
    fprintf(f, "  %-16s %-10s %s (%s numbers in [%g, %g])\n", p->name, "{...}", p->doc, count,
            p->lo, p->hi);
  }
  fprintf(f, "  %-16s %-10lld %s\n\nlatents (info, behaviour.npy):", max_steps_def.name,
          (long long)w->max_steps, max_steps_def.doc);
  for (int i = 0; i < w->n_latents; i++) fprintf(f, "%s %s", i ? "," : "", w->latents[i]);
  fputc('\n', f);
}

int soma_env_latent_index(const soma_env *e, const char *name) {
  for (int i = 0; i < e->world->n_latents; i++)
    if (!strcmp(e->world->latents[i], name)) return i;
  return -1;
}
