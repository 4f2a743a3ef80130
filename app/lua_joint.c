/* lua_joint.c — soma.joint from Lua: fit{...}, the scorecard of `soma fit` (of a run
 * directory, of the run so far, or of arrays), returned as a table and written as the same
 * files; and the pieces a script uses on its own: bin (spikes to counts per bin), decode (kNN,
 * ridge, Kalman or GLM-Bayes on a split) and consistency (CEBRA's R² between embeddings).
 *
 *   local sc = soma.joint.fit{ model = "pca", behaviour = "position", dims = 3, seeds = 5 }
 *   print(sc.identifiability.x.knn_r2, sc.consistency_seeds, sc.dir)
 */
#include <ftw.h>
#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/fit.h"
#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_joint.h"
#include "app/lua_soma.h"
#include "app/rundir.h"
#include "joint/bin.h"
#include "joint/consistency.h"
#include "sim/json_read.h"

#define BOX "soma.joint.matrix"

/* ---- matrices owned by the Lua stack until handed over ------------------------------------ */

typedef struct box {
  gsl_matrix *m;
} box;

static int box_gc(lua_State *L) {
  box *b = lua_touserdata(L, 1);
  if (b->m) gsl_matrix_free(b->m);
  b->m = NULL;
  return 0;
}

/* a new rows × cols matrix held by a userdata pushed on the stack (freed unless taken) */
static box *box_push(lua_State *L, size_t rows, size_t cols, const char *call) {
  box *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->m = NULL;
  luaL_setmetatable(L, BOX);
  if (!rows || !cols) la_error(L, call, "an empty matrix (%zu x %zu)", rows, cols);
  if (!(b->m = gsl_matrix_alloc(rows, cols))) la_error(L, call, "out of memory");
  return b;
}

/* The value at idx as a matrix, one row per time bin: a 2-D soma.array, a table of rows (each
 * a table or soma.array of the same length), or a list of numbers (one column). Pushes its box. */
static box *matrix_arg(lua_State *L, int idx, const char *call, const char *what) {
  idx = lua_absindex(L, idx);
  if (!la_is_sequence(L, idx))
    la_error(L, call, "%s must be a soma.array, a table of rows or a list of numbers, got %s",
             what, la_typename(L, idx));
  size_t cols = la_cols(L, idx);
  int rows_table = 0;
  if (!cols && lua_istable(L, idx)) {
    lua_rawgeti(L, idx, 1);
    rows_table = la_is_sequence(L, -1);
    lua_pop(L, 1);
  }
  if (!rows_table) {
    size_t n;
    double *v = la_doubles(L, idx, call, what, &n);
    size_t c = cols ? cols : 1;
    box *b = box_push(L, n / c, c, call);
    memcpy(b->m->data, v, sizeof *v * n);   /* a fresh matrix is contiguous */
    lua_remove(L, -2);
    return b;
  }
  size_t rows = (size_t)lua_rawlen(L, idx);
  box *b = NULL;
  for (size_t i = 0; i < rows; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    char row[64];
    snprintf(row, sizeof row, "%s[%zu]", what, i + 1);
    size_t n;
    double *v = la_doubles(L, -1, call, row, &n);
    if (!b) {
      lua_insert(L, -2);   /* keep the row's values above the box */
      b = box_push(L, rows, n, call);
      lua_insert(L, -3);
    } else if (n != b->m->size2) {
      la_error(L, call, "%s has %zu values, the first row %zu", row, n, b->m->size2);
    }
    for (size_t j = 0; j < n; j++) gsl_matrix_set(b->m, i, j, v[j]);
    lua_pop(L, 2);
  }
  if (!b) la_error(L, call, "%s has no rows", what);
  return b;
}

/* a matrix as a new 2-D soma.array (float64) */
static void push_matrix(lua_State *L, const gsl_matrix *m) {
  double *out = la_push_owned(L, LA_F64, m->size1 * m->size2, m->size2);
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) out[i * m->size2 + j] = gsl_matrix_get(m, i, j);
}

/* ---- option values -------------------------------------------------------------------------- */

/* field key of the table at idx as "a,b,c": a string, or a list of strings; NULL when nil;
 * false gives "" */
static const char *list_field(lua_State *L, int idx, const char *call, const char *key) {
  int t = lua_getfield(L, idx, key);
  if (t == LUA_TNIL) return lua_pop(L, 1), NULL;
  if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    return "";
  }
  if (t == LUA_TSTRING) {   /* kept alive by the options table */
    const char *s = lua_tostring(L, -1);
    lua_pop(L, 1);
    return s;
  }
  if (t != LUA_TTABLE)
    la_error(L, call, "'%s' must be a name, a list of names or false (got %s)", key,
             la_typename(L, -1));
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, -2); k++) {
    lua_rawgeti(L, -2, k);
    if (lua_type(L, -1) != LUA_TSTRING)
      la_error(L, call, "'%s'[%lld] must be a name (got %s)", key, (long long)k,
               la_typename(L, -1));
    if (k > 1) luaL_addchar(&b, ',');
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  lua_setfield(L, idx, "\x01joint_list");   /* anchored in the options table */
  lua_pop(L, 1);
  lua_getfield(L, idx, "\x01joint_list");
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 1);
  return s;
}

static int split_kind(lua_State *L, int idx, const char *call) {
  const char *s = la_str(L, idx, call, "split", "cebra");
  if (!strcmp(s, "cebra")) return FIT_SPLIT_CEBRA;
  if (!strcmp(s, "interleaved")) return FIT_SPLIT_INTERLEAVED;
  return la_error(L, call, "split must be \"cebra\" or \"interleaved\" (got '%s')", s), 0;
}

/* ---- JSON to Lua ---------------------------------------------------------------------------- */

/* a parsed JSON value as Lua: objects as tables, arrays as sequences (null in an array is NaN,
 * so the sequence keeps its length; null in an object is left out) */
static void push_json(lua_State *L, const soma_json *v) {
  switch (v->t) {
    case SOMA_JSON_NULL: lua_pushnumber(L, NAN); break;
    case SOMA_JSON_BOOL: lua_pushboolean(L, v->s && !strcmp(v->s, "true")); break;
    case SOMA_JSON_NUM:
      if (!lua_stringtonumber(L, v->s)) lua_pushnumber(L, strtod(v->s, NULL));
      break;
    case SOMA_JSON_STR: lua_pushstring(L, v->s); break;
    case SOMA_JSON_ARR:
      lua_createtable(L, v->n, 0);
      for (int k = 0; k < v->n; k++) {
        push_json(L, &v->items[k]);
        lua_rawseti(L, -2, k + 1);
      }
      break;
    case SOMA_JSON_OBJ:
      lua_createtable(L, 0, v->n);
      for (int k = 0; k < v->n; k++) {
        if (v->items[k].t == SOMA_JSON_NULL) continue;
        push_json(L, &v->items[k]);
        lua_setfield(L, -2, v->keys[k]);
      }
      break;
  }
}

/* ---- soma.joint.fit ------------------------------------------------------------------------ */

static int rm_entry(const char *p, const struct stat *s, int flag, struct FTW *f) {
  (void)s, (void)flag, (void)f;
  return remove(p);
}

/* the run so far as fit data: written to a temporary run directory and read back as soma fit
 * reads one, then removed */
static int live_data(lua_State *L, const fit_data_opts *o, fit_data *d, char *err, size_t len) {
  char tmp[64];
  const char *base = getenv("TMPDIR");
  snprintf(tmp, sizeof tmp, "%s/soma_fit_XXXXXX", base && *base && strlen(base) < 40 ? base
                                                                                     : "/tmp");
  if (!mkdtemp(tmp)) return snprintf(err, len, "cannot create a temporary folder %s", tmp), -1;
  int rc = lsoma_snapshot(L, tmp, err, len);
  if (!rc) {
    rc = fit_data_rundir(tmp, o, d, err, len);
    if (!rc) {
      free(d->source);
      d->source = strdup("the run so far (soma.joint.fit)");
    } else {   /* name the run, not the temporary folder */
      char msg[2048], *at, *to = msg;
      const char *from = err;
      while ((at = strstr(from, tmp)) &&
             (size_t)(to - msg) + (size_t)(at - from) + 20 < sizeof msg) {
        memcpy(to, from, (size_t)(at - from));
        to += at - from;
        to += sprintf(to, "(the run so far)");
        from = at + strlen(tmp);
      }
      snprintf(to, sizeof msg - (size_t)(to - msg), "%s", from);
      snprintf(err, len, "%s", msg);
    }
  }
  nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return rc;
}

static int l_fit(lua_State *L) {
  const char *call = "soma.joint.fit";
  static const char *const known[] = {
      "data", "model", "behaviour", "latents", "pops", "env", "bin", "max_hold", "dims",
      "seeds", "seed", "iterations", "split", "sqrt", "smooth", "decoders", "robustness",
      "export", "out", "write", "quiet", "threads", NULL};
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  la_table(L, 1, call, "a table of options, e.g. {model = \"pca\", behaviour = \"position\"}");
  la_known_keys(L, 1, call, known, NULL, NULL);
  lua_settop(L, 1);
  lsoma_run *run = lsoma_run_of(L);
  fit_data_opts dopts = fit_data_defaults();
  fit_opts o = fit_opts_defaults();
  o.model = la_str(L, 1, call, "model", "contrastive");
  const char *b = list_field(L, 1, call, "behaviour");
  if (b) dopts.behaviour = *b ? b : "position";
  dopts.latents = list_field(L, 1, call, "latents");
  dopts.env = la_str(L, 1, call, "env", NULL);
  dopts.bin_ms = la_num(L, 1, call, "bin", 25, 0.001, 1e7);
  dopts.max_hold_ms = la_num(L, 1, call, "max_hold", NAN, 1e-9, INFINITY);
  const char *pops = list_field(L, 1, call, "pops");
  o.dims = (int)la_int(L, 1, call, "dims", 3, 1, 64);
  o.seeds = (int)la_int(L, 1, call, "seeds", 5, 1, 100);
  o.seed = (uint32_t)la_int(L, 1, call, "seed", 0, 0, 4294967295LL);
  o.iterations = (int)la_int(L, 1, call, "iterations", 0, 0, 100000000);
  o.split = split_kind(L, 1, call);
  o.sqrt = la_bool(L, 1, call, "sqrt", 0);
  o.smooth_bins = la_num(L, 1, call, "smooth", 0, 0, 1000);
  o.decoders = list_field(L, 1, call, "decoders");
  if (!o.decoders || !*o.decoders) o.decoders = "knn,ridge";
  const char *rob = la_str(L, 1, call, "robustness", "embedding");
  o.robustness = !strcmp(rob, "embedding") ? FIT_ROBUST_EMBEDDING
                 : !strcmp(rob, "data")    ? FIT_ROBUST_DATA
                 : !strcmp(rob, "none")    ? FIT_ROBUST_NONE
                                           : -1;
  if (o.robustness < 0)
    la_error(L, call, "robustness must be \"embedding\", \"data\" or \"none\" (got '%s')", rob);
  o.threads = (int)la_int(L, 1, call, "threads", run ? run->threads : 1, 1, 1024);
  o.quiet = la_bool(L, 1, call, "quiet", run ? run->prog == NULL : 1);
  o.progress = stderr;
  int export = la_bool(L, 1, call, "export", 0), write = la_bool(L, 1, call, "write", 1);
  const char *out = la_str(L, 1, call, "out", NULL);
  char err[2048];
  const fit_model *model;
  if (fit_model_lookup(o.model, &model, err, sizeof err) ||
      fit_decoders_check(o.decoders, err, sizeof err))
    la_error(L, call, "%s", err);
  /* the populations, split at commas into a list anchored on the stack */
  const char *pop_list[256];
  size_t n_pops = 0;
  char *pop_buf = NULL;
  if (pops && *pops) {
    pop_buf = lua_newuserdatauv(L, strlen(pops) + 1, 0);
    strcpy(pop_buf, pops);
    for (char *p = strtok(pop_buf, ","); p && n_pops < 256; p = strtok(NULL, ","))
      pop_list[n_pops++] = p;
    dopts.pops = pop_list, dopts.n_pops = n_pops;
  }
  /* the data: a run directory, arrays, or the run so far */
  lua_getfield(L, 1, "data");
  int data = lua_gettop(L);
  fit_data d;
  int rc;
  const char *parent = run ? run->dir : NULL;
  if (lua_type(L, data) == LUA_TSTRING &&
      !(run && run->dir && !strcmp(lua_tostring(L, data), run->dir))) {
    parent = lua_tostring(L, data);
    rc = fit_data_rundir(parent, &dopts, &d, err, sizeof err);
  } else if (lua_istable(L, data)) {
    static const char *const dkeys[] = {"x", "y", "latents", "x_names", "y_names",
                                        "latent_names", "bin_ms", NULL};
    la_known_keys(L, data, call, dkeys, NULL, NULL);
    const char *const *names[3] = {NULL, NULL, NULL};
    static const char *const nkeys[3] = {"x_names", "y_names", "latent_names"};
    box *bx[3] = {NULL, NULL, NULL};
    static const char *const mkeys[3] = {"x", "y", "latents"};
    for (int k = 0; k < 3; k++) {
      lua_getfield(L, data, mkeys[k]);
      if (lua_isnil(L, -1)) {
        if (k < 2) la_error(L, call, "data.%s is missing (data = {x = T x N activity, y = T x D "
                            "behaviour})", mkeys[k]);
        lua_pop(L, 1);
        continue;
      }
      char what[32];
      snprintf(what, sizeof what, "data.%s", mkeys[k]);
      bx[k] = matrix_arg(L, -1, call, what);
      lua_remove(L, -2);   /* the box stays */
      if (lua_getfield(L, data, nkeys[k]) == LUA_TTABLE) {
        size_t n = (size_t)lua_rawlen(L, -1);
        if (n != bx[k]->m->size2)
          la_error(L, call, "data.%s names %zu columns, data.%s has %zu", nkeys[k], n, mkeys[k],
                   bx[k]->m->size2);
        const char **v = lua_newuserdatauv(L, sizeof *v * (n + 1), 0);
        for (size_t j = 0; j < n; j++) {
          lua_rawgeti(L, -2, (lua_Integer)j + 1);
          if (!(v[j] = lua_tostring(L, -1)))
            la_error(L, call, "data.%s[%zu] must be a name", nkeys[k], j + 1);
          lua_pop(L, 1);   /* the string stays in the names table */
        }
        names[k] = v;
        lua_insert(L, -2);   /* the names table and its pointers stay */
      } else {
        lua_pop(L, 1);
      }
    }
    double bin = la_num(L, data, call, "bin_ms", NAN, 0, 1e7);
    rc = fit_data_make(bx[0]->m, names[0], bx[1]->m, names[1], bx[2] ? bx[2]->m : NULL,
                       names[2], bin, "arrays (soma.joint.fit)", &d, err, sizeof err);
    if (!rc)
      for (int k = 0; k < 3; k++)
        if (bx[k]) bx[k]->m = NULL;   /* taken */
  } else if (lua_isnil(L, data) || lua_type(L, data) == LUA_TSTRING) {
    rc = live_data(L, &dopts, &d, err, sizeof err);
  } else {
    return la_error(L, call, "data must be a run directory, a table {x = ..., y = ...} or nil "
                    "(the run so far), got %s", la_typename(L, data));
  }
  if (rc) la_error(L, call, "%s", err);
  fit_result r;
  if (fit_run(&d, &o, &r, err, sizeof err)) {
    fit_data_free(&d);
    la_error(L, call, "%s", err);
  }
  char dir[4096] = "";
  rc = 0;
  if (write) {
    if (!out && !parent) snprintf(err, sizeof err, "no run directory to write into: give out");
    rc = out ? rundir_create(out, NULL, dir, sizeof dir, err, sizeof err)
             : parent ? fit_out_dir(parent, model->name, dir, sizeof dir, err, sizeof err)
                      : -1;
    if (!rc) rc = fit_write(&r, dir, export, err, sizeof err);
  }
  char *json = NULL;
  size_t len = 0;
  FILE *f = rc ? NULL : open_memstream(&json, &len);
  if (f) {
    fit_report_json(&r, f);
    fclose(f);
  }
  soma_json *sc = json ? soma_json_parse(json, err, sizeof err) : NULL;
  free(json);
  if (!rc && !sc) snprintf(err, sizeof err, "out of memory");
  if (sc) {
    push_json(L, sc);
    soma_json_free(sc);
    if (dir[0]) {
      lua_pushstring(L, dir);
      lua_setfield(L, -2, "dir");
    }
    lua_createtable(L, (int)r.n_seeds, 0);
    for (size_t k = 0; k < r.n_seeds; k++) {
      push_matrix(L, r.seeds[k].emb);
      lua_rawseti(L, -2, (lua_Integer)k + 1);
    }
    lua_setfield(L, -2, "embeddings");
  }
  fit_result_free(&r);
  fit_data_free(&d);
  if (rc || !sc) la_error(L, call, "%s", err);
  return 1;
}

/* ---- the pieces ------------------------------------------------------------------------------ */

/* soma.joint.bin{rec = recording | times = ..., ids = ..., n = N, bin = 25, t0 = 0, t1 = ...,
 * sqrt = false} -> counts (T x N soma.array), bin centres (T) */
static int l_bin(lua_State *L) {
  const char *call = "soma.joint.bin";
  static const char *const known[] = {"rec", "times", "ids", "n", "bin", "t0", "t1", "sqrt",
                                      NULL};
  la_table(L, 1, call, "a table: {rec = recording} or {times = ..., ids = ..., n = N}");
  la_known_keys(L, 1, call, known, NULL, NULL);
  lua_settop(L, 1);
  joint_bin_opts o = joint_bin_defaults();
  o.bin_ms = la_num(L, 1, call, "bin", 25, 1e-6, 1e9);
  o.t0_ms = la_num(L, 1, call, "t0", 0, -1e15, 1e15);
  o.sqrt = la_bool(L, 1, call, "sqrt", 0);
  double *t = NULL;
  const int32_t *ids = NULL;
  size_t n = 0, n_neurons = 0;
  double end = NAN;
  if (lua_getfield(L, 1, "rec") != LUA_TNIL) {   /* 2 */
    soma_rec *rec = lrec_readable(L, 2, call, 1);
    lobj *h = lua_touserdata(L, 2);
    double dt = soma_net_dt(h->owner->net);
    n = soma_rec_spike_count(rec);
    t = lua_newuserdatauv(L, sizeof *t * (n ? n : 1), 0);
    const int64_t *steps = soma_rec_spike_steps(rec);
    for (size_t k = 0; k < n; k++) t[k] = (double)steps[k] * dt;
    ids = soma_rec_spike_ids(rec);
    n_neurons = (size_t)soma_pop_size(soma_rec_pop(rec));
    end = soma_net_time(h->owner->net);
  } else {
    lua_getfield(L, 1, "times");
    size_t nt;
    t = la_doubles(L, -1, call, "times", &nt);
    n_neurons = (size_t)la_int(L, 1, call, "n", 0, 1, 1 << 30);
    if (!n_neurons) la_error(L, call, "give n, the number of neurons (ids 0 to n - 1)");
    lua_getfield(L, 1, "ids");
    ids = la_int32s(L, -1, call, "ids", 0, (int32_t)(n_neurons - 1), &n);
    if (n != nt) la_error(L, call, "%zu times but %zu ids", nt, n);
    double last = o.t0_ms;   /* whole bins up to and with the last spike */
    for (size_t k = 0; k < n; k++) last = fmax(last, t[k]);
    end = o.t0_ms + (floor((last - o.t0_ms) / o.bin_ms) + 1) * o.bin_ms;
  }
  o.t1_ms = la_num(L, 1, call, "t1", end, -1e15, 1e15);
  gsl_matrix *counts = NULL;
  char err[512];
  if (joint_bin_spikes(t, ids, n, n_neurons, &o, &counts, err, sizeof err))
    la_error(L, call, "%s", err);
  push_matrix(L, counts);
  size_t T = counts->size1;
  gsl_matrix_free(counts);
  double *c = la_push_owned(L, LA_F64, T, 0);
  for (size_t k = 0; k < T; k++) c[k] = o.t0_ms + ((double)k + 0.5) * o.bin_ms;
  return 2;
}

/* soma.joint.decode{x = ..., y = ..., decoder = "knn", split = "cebra", distance =
 * "euclidean"} -> {r2, median_error, decoder, k or lambda, pred, test_rows} */
static int l_decode(lua_State *L) {
  const char *call = "soma.joint.decode";
  static const char *const known[] = {"x", "y", "decoder", "split", "distance", NULL};
  la_table(L, 1, call, "a table: {x = T x N, y = T x D, decoder = \"knn\"}");
  la_known_keys(L, 1, call, known, NULL, NULL);
  lua_settop(L, 1);
  const char *name = la_str(L, 1, call, "decoder", "knn");
  int split = split_kind(L, 1, call);
  int dist = joint_distance_parse(la_str(L, 1, call, "distance", "euclidean"));
  if (dist < 0) la_error(L, call, "distance must be \"euclidean\" or \"cosine\"");
  char err[1024];
  if (fit_decoders_check(name, err, sizeof err)) la_error(L, call, "%s", err);
  lua_getfield(L, 1, "x");
  box *x = matrix_arg(L, -1, call, "x");
  lua_getfield(L, 1, "y");
  box *y = matrix_arg(L, -1, call, "y");
  if (x->m->size1 != y->m->size1)
    la_error(L, call, "x has %zu rows, y %zu: the same time bins are needed", x->m->size1,
             y->m->size1);
  joint_split s;
  joint_split_opts so = joint_split_defaults();
  so.blocks = split;
  if (joint_split_make(x->m->size1, &so, &s, err, sizeof err)) la_error(L, call, "%s", err);
  gsl_matrix *pred = NULL;
  fit_decoder dec = {0};
  int k = 0, rc;
  double valid;
  if (!strcmp(name, "knn")) {
    rc = fit_knn_decode(x->m, y->m, &s, (joint_distance)dist, &dec.r2, &dec.median_error, &k,
                        &valid, &pred, err, sizeof err);
    dec.param = k;
    strcpy(dec.param_name, "k");
  } else {
    fit_decoder_in in = {x->m, x->m, y->m, &s};
    rc = fit_decode(fit_decoder_find(name), &in, &dec, err, sizeof err);
  }
  if (rc) {
    joint_split_free(&s);
    la_error(L, call, "%s", err);
  }
  lua_createtable(L, 0, 6);
  lua_pushnumber(L, dec.r2);
  lua_setfield(L, -2, "r2");
  lua_pushnumber(L, dec.median_error);
  lua_setfield(L, -2, "median_error");
  lua_pushstring(L, name);
  lua_setfield(L, -2, "decoder");
  if (dec.param_name[0]) {
    lua_pushnumber(L, dec.param);
    lua_setfield(L, -2, dec.param_name);
  }
  if (pred) {
    push_matrix(L, pred);
    lua_setfield(L, -2, "pred");
    gsl_matrix_free(pred);
  }
  lua_createtable(L, (int)s.count[JOINT_TEST], 0);
  for (size_t i = 0, j = 0; i < s.n; i++)
    if (s.part[i] == JOINT_TEST) {
      lua_pushinteger(L, (lua_Integer)i + 1);
      lua_rawseti(L, -2, (lua_Integer)++j);
    }
  lua_setfield(L, -2, "test_rows");
  joint_split_free(&s);
  return 1;
}

/* soma.joint.consistency(e1, e2, ...) or ({e1, e2, ...}) -> mean R², the k x k matrix */
static int l_consistency(lua_State *L) {
  const char *call = "soma.joint.consistency";
  /* one table whose first element is an embedding (a 2-D array or a table of rows) */
  int list = 0;
  if (lua_gettop(L) == 1 && lua_istable(L, 1)) {
    lua_rawgeti(L, 1, 1);
    if (la_cols(L, -1)) {
      list = 1;
    } else if (lua_istable(L, -1)) {
      lua_rawgeti(L, -1, 1);
      list = la_is_sequence(L, -1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  int k = list ? (int)lua_rawlen(L, 1) : lua_gettop(L);
  if (k < 2) la_error(L, call, "give at least two embeddings of the same rows");
  const gsl_matrix **e = lua_newuserdatauv(L, sizeof *e * (size_t)k, 0);
  for (int i = 0; i < k; i++) {
    char what[32];
    snprintf(what, sizeof what, "embedding %d", i + 1);
    if (list) lua_rawgeti(L, 1, i + 1);
    else lua_pushvalue(L, i + 1);
    e[i] = matrix_arg(L, -1, call, what)->m;
    lua_remove(L, -2);
  }
  box *scores = box_push(L, (size_t)k, (size_t)k, call);
  double mean;
  char err[512];
  if (joint_consistency_runs(e, (size_t)k, scores->m, &mean, err, sizeof err))
    la_error(L, call, "%s", err);
  lua_pushnumber(L, mean);
  lua_createtable(L, k, 0);
  for (int i = 0; i < k; i++) {
    lua_createtable(L, k, 0);
    for (int j = 0; j < k; j++) {
      lua_pushnumber(L, gsl_matrix_get(scores->m, (size_t)i, (size_t)j));
      lua_rawseti(L, -2, j + 1);
    }
    lua_rawseti(L, -2, i + 1);
  }
  return 2;
}

void ljoint_open(lua_State *L) {
  luaL_newmetatable(L, BOX);
  lua_pushcfunction(L, box_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  static const luaL_Reg fns[] = {{"fit", l_fit},
                                 {"bin", l_bin},
                                 {"decode", l_decode},
                                 {"consistency", l_consistency},
                                 {NULL, NULL}};
  luaL_newlib(L, fns);
  lua_setfield(L, -2, "joint");
}
