/* lua_env.c — the environments from Lua: soma.env.<world>{...} makes one (soma.env.grid,
 * soma.env.bandit, ...), env:reset(), env:step(a), env:set{...}, env:draw(g); the catalogue
 * soma.env.worlds() / soma.env.world(name); and the per-step record each environment keeps
 * (record = true), written at the end of the run as behaviour.npy with its columns in
 * meta.json, next to the spikes. The column t_ms is the time of the network that stepped the
 * world: a spiking agent's own network for its steps, else the first network (NaN without
 * one); meta.json's "clock" names that network's folder. */
#include "app/lua_env.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/lua_args.h"
#include "app/lua_figure.h"
#include "app/lua_soma.h"
#include "envs/env.h"
#include "sim/json.h"
#include "sim/npy.h"
#include "sim/param.h"

#define LSOMA_ENV "soma.environment"
static const char *const ENVS_KEY = "soma.envs";   /* every environment made, in order */

typedef struct lenv {
  soma_env *e;
  int number;
  char name[64];
  int record;
  double *rows;             /* the record: cols values per row */
  size_t n_rows, cap;
  int cols;
  char *options_json;       /* the options as given, for meta.json */
  double episode_t0;        /* the first network's time when this episode began */
  int clock;                /* whose time t_ms is: CLOCK_* or a spiking agent's number */
  int next_agent;           /* the next row is a step of this agent (0: none) ... */
  double next_t;            /* ... at this time of its network (lenv_driver_clock) */
  int snapshot_every;       /* a PNG of the world at the end of every this many episodes */
  int64_t snapshot_last;    /* the episode of the last one */
  lua_State *L;             /* for the driver of agents in C (lenv_driver) */
} lenv;

/* lenv.clock: no row yet, the first network's time, NaN (no network), rows of several clocks;
 * k > 0: spiking agent k's network */
enum { CLOCK_NONE = 0, CLOCK_FIRST = -1, CLOCK_UNTIMED = -2, CLOCK_MIXED = -3 };

static lenv *env_check(lua_State *L, int idx, const char *call) {
  lenv *h = luaL_testudata(L, idx, LSOMA_ENV);
  if (!h)
    la_error(L, call, "expected an environment (made by soma.env.<world>{...}), got %s%s",
             la_typename(L, idx), idx == 1 ? "; call methods with a colon: env:step(a)" : "");
  if (!h->e) la_error(L, call, "environment '%s' was closed at the end of the run", h->name);
  return h;
}

/* ---- options ---------------------------------------------------------------------------- */

/* A relative map path that does not exist from here is looked up next to soma's own maps/
 * (in the folders above the soma binary: bin/soma or build/rel/soma in a source tree), so
 * scripts run from anywhere find the shipped maps. Returns path, or the other path pushed on
 * the stack. */
static const char *map_path(lua_State *L, const char *path) {
  if (path[0] == '/' || access(path, R_OK) == 0) return path;
  char dir[4096];
  ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
  if (n <= 0) return path;
  dir[n] = 0;
  for (int up = 0; up < 4; up++) {
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) break;
    *slash = 0;
    const char *alt = lua_pushfstring(L, "%s/%s", dir, path);
    if (access(alt, R_OK) == 0) return alt;   /* left on the stack for the caller to keep */
    lua_pop(L, 1);
  }
  return path;
}

/* Turns the option table at idx into soma_env_opt. The values they point to are kept in the
 * table at `keep` until the call returns. Lua-only keys (name, record) are skipped. */
static int read_opts(lua_State *L, int idx, int keep, const char *call, soma_env_opt *opts, int max) {
  int n = 0, kept = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING)
      la_error(L, call, "option names must be strings (got a %s key)", luaL_typename(L, -2));
    const char *key = lua_tostring(L, -2);
    if (!strcmp(key, "name") || !strcmp(key, "record") || !strcmp(key, "snapshot_every")) {
      lua_pop(L, 1);
      continue;
    }
    if (n == max) la_error(L, call, "too many options (at most %d)", max);
    soma_env_opt *o = &opts[n++];
    memset(o, 0, sizeof *o);
    o->key = key;   /* the key stays referenced by the table */
    int t = lua_type(L, -1);
    if (t == LUA_TSTRING) {
      o->str = lua_tostring(L, -1);
      if (!strncmp(key, "map", 3)) {
        const char *given = o->str;
        if ((o->str = map_path(L, given)) != given) lua_rawseti(L, keep, ++kept);
      }
    } else if (t == LUA_TNUMBER || t == LUA_TBOOLEAN) {
      double *v = lua_newuserdatauv(L, sizeof *v, 0);
      *v = t == LUA_TBOOLEAN ? lua_toboolean(L, -2) : lua_tonumber(L, -2);
      lua_rawseti(L, keep, ++kept);
      o->num = v;
      o->n = 1;
    } else if (t == LUA_TTABLE) {
      int len = (int)lua_rawlen(L, -1);
      double *v = lua_newuserdatauv(L, sizeof *v * (size_t)(len ? len : 1), 0);
      lua_rawseti(L, keep, ++kept);
      for (int k = 1; k <= len; k++) {
        lua_rawgeti(L, -1, k);
        if (lua_type(L, -1) != LUA_TNUMBER)
          la_error(L, call, "option '%s' must be a list of numbers (value %d is %s)", key, k,
                   luaL_typename(L, -1));
        v[k - 1] = lua_tonumber(L, -1);
        lua_pop(L, 1);
      }
      o->num = v;
      o->n = len;
    } else {
      la_error(L, call, "option '%s' must be a number, a string or a list of numbers (got %s)",
               key, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  return n;
}

/* ---- creation --------------------------------------------------------------------------- */

static void push_space(lua_State *L, const soma_space *s) {
  lua_createtable(L, 0, 5);
  lua_pushstring(L, s->kind == SOMA_SPACE_DISCRETE ? "discrete" : "box");
  lua_setfield(L, -2, "kind");
  lua_pushinteger(L, s->n);
  lua_setfield(L, -2, "n");
  if (s->kind == SOMA_SPACE_BOX) {
    lua_pushnumber(L, s->lo);
    lua_setfield(L, -2, "lo");
    lua_pushnumber(L, s->hi);
    lua_setfield(L, -2, "hi");
  }
  if (s->labels) {
    lua_createtable(L, s->n, 0);
    for (int i = 0; i < s->n; i++) {
      lua_pushstring(L, s->labels[i]);
      lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "labels");
  }
}

static int l_create(lua_State *L) {
  const char *world = lua_tostring(L, lua_upvalueindex(1));
  char call[96];
  snprintf(call, sizeof call, "soma.env.%s", world);
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  la_table(L, 1, call, "a table of options");
  lua_settop(L, 1);
  lua_newtable(L);   /* 2: what the options point to */
  soma_env_opt opts[64];
  int n = read_opts(L, 1, 2, call, opts, 64);

  lua_getfield(L, LUA_REGISTRYINDEX, ENVS_KEY);
  int number = (int)lua_rawlen(L, -1) + 1;
  lua_pop(L, 1);
  const char *name = la_str(L, 1, call, "name", NULL);
  if (name && !soma_identifier_ok(name, 64))
    la_error(L, call, "name must be 1 to 63 letters, digits, '_' or '-' (got '%s')", name);
  int record = la_bool(L, 1, call, "record", 0);
  int snapshot_every = (int)la_int(L, 1, call, "snapshot_every", 0, 0, 1000000000);

  lenv *h = lua_newuserdatauv(L, sizeof *h, 0);
  memset(h, 0, sizeof *h);
  luaL_setmetatable(L, LSOMA_ENV);
  char err[1024];
  if (!(h->e = soma_env_create(world, opts, n, err, sizeof err))) la_error(L, call, "%s", err);
  h->number = number;
  h->record = record;
  h->snapshot_every = snapshot_every;
  h->episode_t0 = NAN;
  if (name) snprintf(h->name, sizeof h->name, "%s", name);
  else if (number == 1) snprintf(h->name, sizeof h->name, "env");
  else snprintf(h->name, sizeof h->name, "env%d", number);
  /* episode, step, t_ms, the action, reward, terminated, truncated, the latents */
  h->cols = 6 + (h->e->act_space.kind == SOMA_SPACE_BOX ? h->e->act_space.n : 1) +
            h->e->world->n_latents;

  /* the options as JSON for meta.json */
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f) {
    fputc('{', f);
    for (int k = 0; k < n; k++) {
      fputs(k ? ", " : "", f);
      soma_json_str(f, opts[k].key);
      fputs(": ", f);
      if (opts[k].str) soma_json_str(f, opts[k].str);
      else if (opts[k].n == 1) soma_json_num(f, opts[k].num[0]);
      else {
        fputc('[', f);
        for (int j = 0; j < opts[k].n; j++) {
          fputs(j ? ", " : "", f);
          soma_json_num(f, opts[k].num[j]);
        }
        fputc(']', f);
      }
    }
    fputc('}', f);
    fclose(f);
    h->options_json = buf;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, ENVS_KEY);
  lua_pushvalue(L, -2);
  lua_rawseti(L, -2, number);
  lua_pop(L, 1);
  return 1;
}

/* ---- reset, step, set ------------------------------------------------------------------- */

static void push_obs(lua_State *L, const soma_env *e) {
  lua_createtable(L, e->obs_space.n, 0);
  for (int i = 0; i < e->obs_space.n; i++) {
    lua_pushnumber(L, e->obs[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

/* info: every latent by name, with episode and step */
static void push_info(lua_State *L, const soma_env *e) {
  lua_createtable(L, 0, e->world->n_latents + 2);
  for (int i = 0; i < e->world->n_latents; i++) {
    lua_pushnumber(L, e->latent[i]);
    lua_setfield(L, -2, e->world->latents[i]);
  }
  lua_pushinteger(L, e->episode);
  lua_setfield(L, -2, "episode");
  lua_pushinteger(L, e->steps);
  lua_setfield(L, -2, "step");
}

static void record_row(lua_State *L, lenv *h, const double *action, int n_action,
                       const soma_env_result *r) {
  if (!h->record) return;
  if (h->n_rows == h->cap) {
    size_t cap = h->cap ? h->cap * 2 : 1024;
    double *grown = realloc(h->rows, sizeof *grown * cap * (size_t)h->cols);
    if (!grown) la_error(L, "env:step", "out of memory for the record of environment '%s'", h->name);
    h->rows = grown;
    h->cap = cap;
  }
  const soma_env *e = h->e;
  double *row = h->rows + h->n_rows++ * (size_t)h->cols;
  int k = 0;
  row[k++] = (double)e->episode;
  row[k++] = (double)e->steps;
  double t = h->next_agent ? h->next_t : lsoma_now_ms(L);
  int clock = h->next_agent ? h->next_agent : isnan(t) ? CLOCK_UNTIMED : CLOCK_FIRST;
  h->next_agent = 0;
  if (h->clock == CLOCK_NONE) h->clock = clock;
  else if (h->clock != clock) h->clock = CLOCK_MIXED;
  row[k++] = t;
  int na = e->act_space.kind == SOMA_SPACE_BOX ? e->act_space.n : 1;
  for (int i = 0; i < na; i++) row[k++] = i < n_action ? action[i] : NAN;
  row[k++] = r ? r->reward : 0;
  row[k++] = r ? r->terminated : 0;
  row[k++] = r ? r->truncated : 0;
  for (int i = 0; i < e->world->n_latents; i++) row[k++] = e->latent[i];
}

/* <name>-episode-<k>.png: the world and the path of episode k, as it ended, when k is a
 * multiple of snapshot_every (once per episode) */
static void snapshot(lua_State *L, lenv *h) {
  lsoma_run *run = lsoma_run_of(L);
  if (h->snapshot_every <= 0 || h->e->episode <= 0 || h->e->episode % h->snapshot_every) return;
  if (!run || !run->dir || h->snapshot_last == h->e->episode) return;
  h->snapshot_last = h->e->episode;
  figure *f = figure_create(480, 480);
  if (!f) return;
  soma_env_draw(h->e, figure_canvas(f), 0, 0, 480, 480);
  char path[4400], err[512];
  snprintf(path, sizeof path, "%s/%s-episode-%lld.png", run->dir, h->name, (long long)h->e->episode);
  if (figure_save(f, path, err, sizeof err)) fprintf(stderr, "soma: warning: %s\n", err);
  figure_destroy(f);
}

/* env:reset([seed]) -> obs, info. The first reset without a seed takes one from --seed and the
 * environment's number; later ones continue the world's random stream. */
/* a reset with its snapshot and record; without reseed, the first one seeds from --seed and
 * the environment's number */
static void env_reset(lua_State *L, lenv *h, uint64_t seed, int reseed) {
  soma_env *e = h->e;
  if (!reseed) {
    lsoma_run *run = lsoma_run_of(L);
    seed = (uint64_t)(run ? run->seed : 1) * 1000003u + (uint64_t)h->number;
  }
  snapshot(L, h);   /* an episode cut short by the script, not ended by the world */
  soma_env_reset(e, seed, reseed);
  h->episode_t0 = lsoma_now_ms(L);
  record_row(L, h, NULL, 0, NULL);
}

/* a step with its record and, with a window, a frame now and then (raises the window's stop) */
static int env_step(lua_State *L, lenv *h, const double *a, int n, soma_env_result *r, char *err,
                    size_t len) {
  if (soma_env_step(h->e, a, n, r, err, len)) return 1;
  record_row(L, h, a, n, r);
  if (h->e->done) snapshot(L, h);   /* as the episode ended, before any change */
  lsoma_run *run = lsoma_run_of(L);
  if (run && run->frame && !run->drawing && run->frame(run->frame_ctx, L, 0)) {
    lua_pushstring(L, run->stop_message);
    lua_error(L);
  }
  return 0;
}

static int e_reset(lua_State *L) {
  lenv *h = env_check(L, 1, "env:reset");
  int reseed = !lua_isnoneornil(L, 2);
  uint64_t seed = reseed ? (uint64_t)la_arg_int(L, 2, "env:reset", "the seed", 0, INT64_MAX) : 0;
  env_reset(L, h, seed, reseed);
  push_obs(L, h->e);
  push_info(L, h->e);
  return 2;
}

/* env:step(a) -> obs, reward, terminated, truncated, info. a: an action index (discrete
 * worlds) or a list of numbers (continuous ones). */
static int e_step(lua_State *L) {
  lenv *h = env_check(L, 1, "env:step");
  soma_env *e = h->e;
  double a[64];
  int n = 0;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    a[n++] = lua_tonumber(L, 2);
  } else if (lua_istable(L, 2)) {
    n = (int)lua_rawlen(L, 2);
    if (n > 64) la_error(L, "env:step", "the action has %d numbers (at most 64)", n);
    for (int k = 1; k <= n; k++) {
      lua_rawgeti(L, 2, k);
      if (lua_type(L, -1) != LUA_TNUMBER)
        la_error(L, "env:step", "action value %d is %s, not a number", k, luaL_typename(L, -1));
      a[k - 1] = lua_tonumber(L, -1);
      lua_pop(L, 1);
    }
  } else {
    la_error(L, "env:step", "the action must be %s (got %s)",
             e->act_space.kind == SOMA_SPACE_DISCRETE ? "a whole number (an action index)"
                                                      : "a list of numbers", la_typename(L, 2));
  }
  soma_env_result r;
  char err[512];
  if (env_step(L, h, a, n, &r, err, sizeof err)) la_error(L, "env:step", "%s", err);
  push_obs(L, e);
  lua_pushnumber(L, r.reward);
  lua_pushboolean(L, r.terminated);
  lua_pushboolean(L, r.truncated);
  push_info(L, e);
  return 5;
}

/* ---- agents written in C step the environment as env:reset/env:step would -------------- */

static int drive_reset(void *ctx, soma_env *e, uint64_t seed, char *err, size_t len) {
  (void)e, (void)seed, (void)err, (void)len;
  lenv *h = ctx;
  env_reset(h->L, h, 0, 0);
  return 0;
}

static int drive_step(void *ctx, soma_env *e, const double *a, int n, soma_env_result *r,
                      char *err, size_t len) {
  (void)e;
  lenv *h = ctx;
  return env_step(h->L, h, a, n, r, err, len);
}

soma_env *lenv_driver(lua_State *L, int idx, const char *call, soma_env_driver *d) {
  lenv *h = luaL_testudata(L, idx, LSOMA_ENV);
  if (!h)
    la_error(L, call, "'env' must be an environment made by soma.env.<world>{...}, got %s",
             la_typename(L, idx));
  if (!h->e) la_error(L, call, "environment '%s' was closed at the end of the run", h->name);
  h->L = L;
  *d = (soma_env_driver){drive_reset, drive_step, h};
  return h->e;
}

void lenv_driver_clock(const soma_env_driver *d, int agent, double t_ms) {
  if (!d || d->reset != drive_reset) return;
  lenv *h = d->ctx;
  h->next_agent = agent;
  h->next_t = t_ms;
}

/* env:set{goal = {3, 4}, ...}: changes options between steps */
static int e_set(lua_State *L) {
  lenv *h = env_check(L, 1, "env:set");
  la_table(L, 2, "env:set", "a table of options");
  lua_settop(L, 2);
  lua_newtable(L);   /* 3: what the options point to */
  soma_env_opt opts[64];
  int n = read_opts(L, 2, 3, "env:set", opts, 64);
  char err[1024];
  if (soma_env_set(h->e, opts, n, err, sizeof err)) la_error(L, "env:set", "%s", err);
  return 0;
}

/* env:draw(g [, x, y, w, h]): the world onto a canvas, by default all of it */
static int e_draw(lua_State *L) {
  lenv *h = env_check(L, 1, "env:draw");
  figure *f = lfig_check(L, 2, "env:draw");
  int fw, fh;
  figure_pixels(f, &fw, &fh);
  int x = lua_isnoneornil(L, 3) ? 0 : (int)la_arg_num(L, 3, "env:draw", "x", -1e6, 1e6);
  int y = lua_isnoneornil(L, 4) ? 0 : (int)la_arg_num(L, 4, "env:draw", "y", -1e6, 1e6);
  int w = lua_isnoneornil(L, 5) ? fw - x : (int)la_arg_num(L, 5, "env:draw", "w", 1, 16384);
  int hh = lua_isnoneornil(L, 6) ? fh - y : (int)la_arg_num(L, 6, "env:draw", "h", 1, 16384);
  soma_env_draw(h->e, figure_canvas(f), x, y, w, hh);
  return 0;
}

static int e_describe(lua_State *L) {
  lenv *h = env_check(L, 1, "env:describe");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return la_error(L, "env:describe", "out of memory");
  soma_world_describe(h->e->world, f);
  fclose(f);
  lua_pushlstring(L, buf, len);
  free(buf);
  return 1;
}

static int e_index(lua_State *L) {
  const char *key = lua_tostring(L, 2);
  if (key && luaL_getmetafield(L, 1, key) != LUA_TNIL) {
    if (lua_iscfunction(L, -1)) return 1;
    lua_pop(L, 1);
  }
  lenv *h = env_check(L, 1, "env");
  const soma_env *e = h->e;
  if (!key) return 0;
  if (!strcmp(key, "obs")) push_obs(L, e);
  else if (!strcmp(key, "info")) push_info(L, e);
  else if (!strcmp(key, "action_space")) push_space(L, &e->act_space);
  else if (!strcmp(key, "obs_space")) push_space(L, &e->obs_space);
  else if (!strcmp(key, "steps")) lua_pushinteger(L, e->steps);
  else if (!strcmp(key, "episode")) lua_pushinteger(L, e->episode);
  else if (!strcmp(key, "done")) lua_pushboolean(L, e->done);
  else if (!strcmp(key, "name")) lua_pushstring(L, h->name);
  else if (!strcmp(key, "world")) lua_pushstring(L, e->world->name);
  else if (!strcmp(key, "latent_names")) {
    lua_createtable(L, e->world->n_latents, 0);
    for (int i = 0; i < e->world->n_latents; i++) {
      lua_pushstring(L, e->world->latents[i]);
      lua_rawseti(L, -2, i + 1);
    }
  } else {
    return la_error(L, "env", "environments have no field '%s' (fields: obs, info, action_space, "
                    "obs_space, steps, episode, done, name, world, latent_names; methods: reset, "
                    "step, set, draw, describe)", key);
  }
  return 1;
}

static int e_tostring(lua_State *L) {
  lenv *h = lua_touserdata(L, 1);
  lua_pushfstring(L, "soma environment '%s' (%s)%s", h->name, h->e ? h->e->world->name : "?",
                  h->e ? "" : " (closed)");
  return 1;
}

static void env_free(lenv *h) {
  soma_env_destroy(h->e);
  h->e = NULL;
  free(h->rows);
  h->rows = NULL;
  free(h->options_json);
  h->options_json = NULL;
}

static int e_gc(lua_State *L) {
  env_free(lua_touserdata(L, 1));
  return 0;
}

/* ---- the end of the run ----------------------------------------------------------------- */

static void write_columns(FILE *f, const soma_env *e) {
  fputs("[\"episode\", \"step\", \"t_ms\"", f);
  if (e->act_space.kind == SOMA_SPACE_DISCRETE) fputs(", \"action\"", f);
  else
    for (int i = 0; i < e->act_space.n; i++) fprintf(f, ", \"action%d\"", i);
  fputs(", \"reward\", \"terminated\", \"truncated\"", f);
  for (int i = 0; i < e->world->n_latents; i++) {
    fputs(", ", f);
    soma_json_str(f, e->world->latents[i]);
  }
  fputc(']', f);
}

/* meta.json's "clock" of an environment: the folder of the network whose time its t_ms is */
static void write_clock(FILE *f, lua_State *L, const lenv *h, const char *const *agents,
                        int n_agents) {
  char folder[4096];
  fputs(", \"clock\": ", f);
  if (h->clock > 0 && h->clock <= n_agents && agents[h->clock - 1])
    soma_json_str(f, agents[h->clock - 1]);
  else if (h->clock == CLOCK_FIRST && lnet_folder(L, 1, folder, sizeof folder))
    soma_json_str(f, folder);
  else if (h->clock == CLOCK_MIXED)
    fputs("\"mixed\"", f);
  else
    fputs("null", f);
}

/* the records (and descriptions) of every environment; close: the end of the run (snapshots
 * of the last episodes, then each environment is freed) */
static int write_all(lua_State *L, const char *dir, const char *const *agents, int n_agents,
                     int close, char **json, char *err, size_t errlen) {
  int rc = 0;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  lua_getfield(L, LUA_REGISTRYINDEX, ENVS_KEY);
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    lenv *h = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!h || !h->e) continue;
    if (close) snapshot(L, h);
    char file[128] = "";
    if (h->record && dir) {
      snprintf(file, sizeof file, "%s%sbehaviour.npy", h->number == 1 && !strcmp(h->name, "env") ? "" : h->name,
               h->number == 1 && !strcmp(h->name, "env") ? "" : ".");
      char path[4400];
      snprintf(path, sizeof path, "%s/%s", dir, file);
      if (soma_npy_save(path, "<f8", h->n_rows, (size_t)h->cols, h->rows)) {
        snprintf(err, errlen, "cannot write %s", path);
        rc = -1;
      }
    }
    if (f) {
      fprintf(f, "%s{\"number\": %d, \"name\": ", i > 1 ? ",\n  " : "", h->number);
      soma_json_str(f, h->name);
      fputs(", \"world\": ", f);
      soma_json_str(f, h->e->world->name);
      fprintf(f, ", \"options\": %s, \"episodes\": %lld", h->options_json ? h->options_json : "{}",
              (long long)h->e->episode);
      if (file[0]) {
        fputs(", \"file\": ", f);
        soma_json_str(f, file);
        fprintf(f, ", \"rows\": %zu, \"columns\": ", h->n_rows);
        write_columns(f, h->e);
        write_clock(f, L, h, agents, n_agents);
      }
      fputc('}', f);
    }
    if (close) env_free(h);
  }
  lua_pop(L, 1);
  if (f) fclose(f);
  *json = buf;
  return rc;
}

int lenv_close_all(lua_State *L, const char *dir, const char *const *agents, int n_agents,
                   char **json, char *err, size_t errlen) {
  return write_all(L, dir, agents, n_agents, 1, json, err, errlen);
}

int lenv_write_records(lua_State *L, const char *dir, const char *const *agents, int n_agents,
                       char **json, char *err, size_t errlen) {
  return write_all(L, dir, agents, n_agents, 0, json, err, errlen);
}

int lenv_draw_first(lua_State *L, figure *fig, int x, int y, int w, int h) {
  lua_getfield(L, LUA_REGISTRYINDEX, ENVS_KEY);
  lua_rawgeti(L, -1, 1);
  lenv *e = lua_touserdata(L, -1);
  lua_pop(L, 2);
  if (!e || !e->e || e->e->episode == 0) return 0;
  soma_env_draw(e->e, figure_canvas(fig), x, y, w, h);
  return 1;
}

double lenv_episode_start(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, ENVS_KEY);
  lua_rawgeti(L, -1, 1);
  lenv *e = lua_touserdata(L, -1);
  lua_pop(L, 2);
  return e && e->e ? e->episode_t0 : NAN;
}

long long lenv_episodes(lua_State *L) {
  long long n = 0;
  lua_getfield(L, LUA_REGISTRYINDEX, ENVS_KEY);
  for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
    lua_rawgeti(L, -1, i);
    lenv *e = lua_touserdata(L, -1);
    if (e && e->e) n += e->e->episode;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return n;
}

/* ---- the catalogue ---------------------------------------------------------------------- */

static int l_worlds(lua_State *L) { return lsoma_push_names(L, soma_world_count, soma_world_name); }

static int l_world(lua_State *L) {
  return lsoma_push_description(L, "soma.env.world", "world", "soma.env.worlds()",
                                soma_world_describe_name);
}

void lenv_open(lua_State *L) {
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, ENVS_KEY);
  static const luaL_Reg methods[] = {{"reset", e_reset}, {"step", e_step}, {"set", e_set},
                                     {"draw", e_draw},   {"describe", e_describe}, {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_ENV);
  luaL_setfuncs(L, methods, 0);
  lua_pushcfunction(L, e_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, e_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, e_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);

  lua_newtable(L);   /* soma.env */
  for (const soma_world *const *w = soma_worlds(); *w; w++) {
    lua_pushstring(L, (*w)->name);
    lua_pushcclosure(L, l_create, 1);
    lua_setfield(L, -2, (*w)->name);
  }
  lua_pushcfunction(L, l_worlds);
  lua_setfield(L, -2, "worlds");
  lua_pushcfunction(L, l_world);
  lua_setfield(L, -2, "world");
  lua_setfield(L, -2, "env");
}
