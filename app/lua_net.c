/* lua_net.c — soma.net{...} and the network's methods (pop, connect, record, run, destroy,
 * describe), the shared checks of the bindings, and the opening of the `soma` module. */
#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/cli.h"
#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_actor_critic.h"
#include "app/lua_reacher.h"
#include "app/lua_baselines.h"
#include "app/lua_dist.h"
#include "app/dashboard.h"
#include "app/lua_env.h"
#include "app/lua_figure.h"
#include "app/lua_joint.h"
#include "app/lua_soma.h"
#include "app/spike_hash.h"
#include "sim/json.h"
#include "sim/json_read.h"
#include "sim/npy.h"

static const char *const RUN_KEY = "soma.run";
static const char *const NETS_KEY = "soma.nets";   /* every network made, in order */
static const char *const DESC_KEY = "soma.net_json"; /* [number] = its description, once closed */

lsoma_run *lsoma_run_of(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, RUN_KEY);
  lsoma_run *r = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return r;
}

int lsoma_fail(lua_State *L, soma_net *net, const char *call) {
  return la_error(L, call, "%s", soma_net_errmsg(net));
}

soma_net *lnet_check(lua_State *L, int idx, const char *call, lnet **handle) {
  lnet *h = luaL_testudata(L, idx, LSOMA_NET);
  if (!h)
    la_error(L, call, "expected a network (made by soma.net{...}), got %s; call methods with a "
             "colon: net:run(100)", la_typename(L, idx));
  if (!h->net)
    la_error(L, call, "this network was destroyed (net:destroy()); make a new one with soma.net{...}");
  if (handle) *handle = h;
  return h->net;
}

static lobj *obj_check(lua_State *L, int idx, const char *mt, const char *call, const char *what) {
  lobj *o = luaL_testudata(L, idx, mt);
  if (!o) la_error(L, call, "expected %s, got %s%s", what, la_typename(L, idx),
                   idx == 1 ? "; call methods with a colon: pop:set{...}" : "");
  if (!o->owner->net)
    la_error(L, call, "%s belongs to a network that was destroyed (net:destroy())", o->label);
  return o;
}

soma_pop *lpop_check(lua_State *L, int idx, const char *call) {
  lobj *o = obj_check(L, idx, LSOMA_POP, call, "a population (made by net:pop{...})");
  return soma_net_pop(o->owner->net, o->index);
}

soma_proj *lproj_check(lua_State *L, int idx, const char *call) {
  lobj *o = obj_check(L, idx, LSOMA_PROJ, call, "a projection (made by net:connect(...))");
  return soma_net_proj(o->owner->net, o->index);
}

soma_rec *lrec_check(lua_State *L, int idx, const char *call) {
  lobj *o = obj_check(L, idx, LSOMA_REC, call, "a recording (made by net:record(...))");
  return soma_net_rec(o->owner->net, o->index);
}

int lobj_tostring(lua_State *L) {
  const lobj *o = lua_touserdata(L, 1);   /* reached only through the objects' metatables */
  lua_pushfstring(L, "soma %s%s", o->label, o->owner->net ? "" : " (destroyed)");
  return 1;
}

int lsoma_push_names(lua_State *L, int (*count)(void), const char *(*name)(int)) {
  lua_createtable(L, count(), 0);
  for (int i = 0; i < count(); i++) {
    lua_pushstring(L, name(i));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

int lsoma_push_description(lua_State *L, const char *call, const char *noun, const char *list,
                           int (*describe)(const char *, FILE *)) {
  const char *name = la_arg_str(L, 1, call, "the name");
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return la_error(L, call, "out of memory");
  int rc = describe(name, f);
  fclose(f);
  if (rc) {
    free(buf);
    return la_error(L, call, "unknown %s '%s'; %s lists them", noun, name, list);
  }
  lua_pushlstring(L, buf, len);
  free(buf);
  return 1;
}

void lobj_push(lua_State *L, int net_idx, const char *mt, int index, const char *label) {
  net_idx = lua_absindex(L, net_idx);
  lobj *o = lua_newuserdatauv(L, sizeof *o, 3);
  o->owner = lua_touserdata(L, net_idx);
  o->index = index;
  snprintf(o->label, sizeof o->label, "%s", label);
  lua_pushvalue(L, net_idx);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, mt);
}

/* ---- networks ------------------------------------------------------------------------ */

static int mkdirs(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || !*p) {
      char c = *p;
      *p = 0;
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
      if (!c) return 0;
      *p = c;
    }
  }
}

static int progress_cb(void *user, double t_ms, double end_ms) {
  (void)end_ms;
  lsoma_run *r = user;
  progress_time(r->prog, t_ms);
  if (r->frame && r->running && r->frame(r->frame_ctx, r->running, 0)) return 1;
  return r->stop && *r->stop;
}

/* soma.net{dt, seed, threads, max_delay, chunk, stepping, name} */
static int l_net(lua_State *L) {
  static const char *const known[] = {"dt", "seed", "threads", "max_delay", "chunk", "stepping",
                                      "name", NULL};
  const char *call = "soma.net";
  lsoma_run *run = lsoma_run_of(L);
  if (lua_isnoneornil(L, 1)) lua_newtable(L);
  la_table(L, 1, call, "a table of options, e.g. soma.net{dt = 0.1}");
  la_known_keys(L, 1, call, known, NULL, NULL);
  soma_net_config c = soma_net_defaults();
  c.dt = la_num(L, 1, call, "dt", c.dt, 1e-4, 10);
  c.seed = (uint32_t)la_int(L, 1, call, "seed", run->seed, 0, UINT32_MAX);
  c.threads = (int)la_int(L, 1, call, "threads", run->threads, 1, 1024);
  /* the default max_delay shrinks with dt: delays are counted in at most 65535 steps */
  c.max_delay = la_num(L, 1, call, "max_delay", fmin(c.max_delay, 65535 * c.dt), 0, 1e5);
  c.chunk = la_num(L, 1, call, "chunk", c.chunk, 1e-4, 1e7);
  const char *stepping = la_str(L, 1, call, "stepping", "auto");
  if (!strcmp(stepping, "auto")) c.parallel = -1;
  else if (!strcmp(stepping, "parallel")) c.parallel = 1;
  else if (!strcmp(stepping, "serial")) c.parallel = 0;
  else la_error(L, call, "'stepping' must be \"auto\", \"parallel\" or \"serial\" (got \"%s\")", stepping);
  const char *name = la_str(L, 1, call, "name", NULL);
  /* the name is a folder next to the run's files (which all have a '.') and the folders
   * net2, net3, ... of unnamed networks */
  int numbered = name && !strncmp(name, "net", 3) && name[3] && strspn(name + 3, "0123456789") == strlen(name + 3);
  if (name && (!*name || strlen(name) >= 64 || numbered ||
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(name)))
    la_error(L, call, "'name' must be 1 to 63 letters, digits, '_' or '-', and not net<number> "
             "(it names the folder of the network's recordings), got \"%s\"", name);
  if (name) {
    lua_getfield(L, LUA_REGISTRYINDEX, NETS_KEY);
    for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1); i++) {
      lua_rawgeti(L, -1, i);
      const lnet *other = lua_touserdata(L, -1);
      if (!strcmp(other->name, name))
        la_error(L, call, "this run already has a network named \"%s\" (its recordings go to "
                 "the folder of that name); choose another", name);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lnet *h = lua_newuserdatauv(L, sizeof *h, 0);
  memset(h, 0, sizeof *h);
  luaL_setmetatable(L, LSOMA_NET);
  char err[512];
  h->net = soma_net_create(&c, err, sizeof err);
  if (!h->net) la_error(L, call, "%s", err);
  h->number = ++run->n_nets;
  if (h->number == 1) run->dt = c.dt;
  snprintf(h->name, sizeof h->name, "%s", name ? name : "");
  if (run->dir) {
    if (h->number == 1 && !name) snprintf(h->dir, sizeof h->dir, "%s", run->dir);
    else if (name) snprintf(h->dir, sizeof h->dir, "%s/%s", run->dir, name);
    else snprintf(h->dir, sizeof h->dir, "%s/net%d", run->dir, h->number);
  }
  soma_net_set_progress(h->net, progress_cb, run);
  lua_getfield(L, LUA_REGISTRYINDEX, NETS_KEY);
  lua_pushvalue(L, -2);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  lua_pop(L, 1);
  return 1;
}

/* The folder of a network's recordings, made when first needed; NULL without a run dir. */
const char *lnet_dir(lua_State *L, lnet *h, const char *call) {
  if (!h->dir[0]) return NULL;
  if (mkdirs(h->dir)) la_error(L, call, "cannot create %s: %s", h->dir, strerror(errno));
  return h->dir;
}

/* Writes the recordings, keeps the description for meta.json, frees the network. */
/* a network's folder relative to the run directory */
static const char *folder_of(const lsoma_run *run, const lnet *h) {
  if (h->number == 1 && !h->name[0]) return ".";
  return h->dir + strlen(run->dir ? run->dir : "") + (run->dir ? 1 : 0);
}

const char *lnet_folder(lua_State *L, int number, char *buf, size_t len) {
  lua_getfield(L, LUA_REGISTRYINDEX, NETS_KEY);
  lua_rawgeti(L, -1, number);
  lnet *h = lua_touserdata(L, -1);
  lua_pop(L, 2);
  if (!h) return NULL;
  snprintf(buf, len, "%s", folder_of(lsoma_run_of(L), h));
  return buf;
}

static int close_net(lua_State *L, lnet *h, char *err, size_t errlen) {
  if (!h->net) return 0;
  lsoma_run *run = lsoma_run_of(L);
  int rc = 0;
  if (soma_net_rec_count(h->net) > 0 && h->dir[0]) {
    if (mkdirs(h->dir)) {
      snprintf(err, errlen, "cannot create %s: %s", h->dir, strerror(errno));
      rc = -1;
    }
    for (int r = 0; !rc && r < soma_net_rec_count(h->net); r++)
      if (soma_rec_write(soma_net_rec(h->net, r), h->dir)) {
        snprintf(err, errlen, "%s", soma_net_errmsg(h->net));
        rc = -1;
      }
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f) {
    const char *folder = folder_of(run, h);
    fprintf(f, "{\"number\": %d, \"name\": \"%s\", \"folder\": \"%s\", \"description\": ",
            h->number, h->name, folder);
    soma_net_describe(h->net, f);
    fputc('}', f);
    fclose(f);
    lua_getfield(L, LUA_REGISTRYINDEX, DESC_KEY);
    lua_pushlstring(L, buf, len);
    lua_rawseti(L, -2, h->number);
    lua_pop(L, 1);
    free(buf);
  }
  soma_net_destroy(h->net);
  h->net = NULL;
  return rc;
}

double lsoma_now_ms(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, NETS_KEY);
  lua_rawgeti(L, -1, 1);
  lnet *h = lua_touserdata(L, -1);
  lua_pop(L, 2);
  return h && h->net ? soma_net_time(h->net) : NAN;
}

int lsoma_close_all(lua_State *L, char *err, size_t errlen) {
  lsoma_run *run = lsoma_run_of(L);
  free(run->envs_json);
  free(run->agents_json);
  run->envs_json = run->agents_json = NULL;
  /* the agents first: the environments name the agent whose clock timed their steps */
  int rc = lactor_critic_close_all(L, run->dir, &run->agents_json, err, errlen) ? -1 : 0;
  char jerr[256], *list = NULL;
  size_t n_agents = 0;
  const char **agents = NULL;
  soma_json *aj = NULL;
  if (run->agents_json && asprintf(&list, "[%s]", run->agents_json) > 0) {
    aj = soma_json_parse(list, jerr, sizeof jerr);
    if (aj && aj->t == SOMA_JSON_ARR && (agents = calloc((size_t)aj->n + 1, sizeof *agents))) {
      n_agents = (size_t)aj->n;
      for (size_t k = 0; k < n_agents; k++) agents[k] = soma_json_text(&aj->items[k], "name");
    }
  }
  if (lenv_close_all(L, run->dir, agents, (int)n_agents, &run->envs_json, err, errlen)) rc = -1;
  free(agents), free(list);
  soma_json_free(aj);
  lua_getfield(L, LUA_REGISTRYINDEX, NETS_KEY);
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    lnet *h = lua_touserdata(L, -1);
    if (h && close_net(L, h, err, errlen)) rc = -1;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  /* the descriptions in the order the networks were made */
  lua_getfield(L, LUA_REGISTRYINDEX, DESC_KEY);
  int descs = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (lua_Integer i = 1; i <= n; i++) {
    if (i > 1) luaL_addstring(&b, ",\n  ");
    lua_rawgeti(L, descs, i);
    luaL_addvalue(&b);   /* every network made is closed by now */
  }
  luaL_pushresult(&b);
  lua_remove(L, descs);
  free(run->nets_json);
  run->nets_json = strdup(lua_tostring(L, -1));
  lua_pop(L, 1);
  return rc;
}

/* ---- the run so far, as a run directory (soma.joint.fit before the run ends) ------------- */

static int snap_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int snap_fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

/* net's spikes recorded in memory into dir/folder, and its description (dt, time, the
 * populations with their sizes, the spike recordings) as JSON into f */
static int snapshot_net(soma_net *net, const char *dir, const char *folder, FILE *f, char *err,
                        size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, folder);
  if (mkdirs(path)) return snap_fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
  fputs("{\"dt_ms\": ", f);
  soma_json_num(f, soma_net_dt(net));
  fputs(", \"time_ms\": ", f);
  soma_json_num(f, soma_net_time(net));
  fputs(", \"populations\": [", f);
  for (int k = 0; k < soma_net_pop_count(net); k++) {
    const soma_pop *pop = soma_net_pop(net, k);
    fprintf(f, "%s{\"name\": ", k ? ", " : "");
    soma_json_str(f, soma_pop_name(pop));
    fprintf(f, ", \"size\": %d}", soma_pop_size(pop));
  }
  fputs("], \"recordings\": [", f);
  int first = 1;
  for (int r = 0; r < soma_net_rec_count(net); r++) {
    soma_rec *rec = soma_net_rec(net, r);
    if (!soma_rec_is_spikes(rec)) continue;
    const soma_pop *pop = soma_rec_pop(rec);
    size_t n = soma_rec_spike_count(rec);
    if (!n && soma_pop_spike_count(pop) > 0)
      return snprintf(err, errlen, "recording '%s' holds no spikes in memory though its "
                      "population fired (a recording with stream = true): fit the run directory "
                      "with soma fit once the run has ended", soma_rec_name(rec)), -1;
    double *t = malloc(sizeof *t * (n ? n : 1));
    if (!t) return snap_fail(err, errlen, "out of memory");
    const int64_t *steps = soma_rec_spike_steps(rec);
    for (size_t k = 0; k < n; k++) t[k] = (double)steps[k] * soma_net_dt(net);
    snprintf(path, sizeof path, "%s/%s/%s.spike_t.npy", dir, folder, soma_pop_name(pop));
    int bad = soma_npy_save(path, "<f8", n, 0, t);
    free(t);
    if (!bad) {
      snprintf(path, sizeof path, "%s/%s/%s.spike_i.npy", dir, folder, soma_pop_name(pop));
      bad = soma_npy_save(path, "<i4", n, 0, soma_rec_spike_ids(rec));
    }
    if (bad) return snap_fail(err, errlen, "cannot write %s", path);
    fprintf(f, "%s{\"population\": ", first ? "" : ", ");
    soma_json_str(f, soma_pop_name(pop));
    fprintf(f, ", \"kind\": \"spikes\", \"spikes\": %zu}", n);
    first = 0;
  }
  fputs("]}", f);
  return 0;
}

int lsoma_snapshot(lua_State *L, const char *dir, char *err, size_t errlen) {
  char path[4096], folder[1024];
  snprintf(path, sizeof path, "%s/meta.json", dir);
  FILE *f = fopen(path, "w");
  if (!f) return snap_fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
  int rc = 0;
  fputs("{\"command\": \"soma.joint.fit\", \"status\": \"running\",\n \"networks\": [", f);
  lua_getfield(L, LUA_REGISTRYINDEX, NETS_KEY);
  int first = 1;
  for (lua_Integer i = 1; !rc && i <= (lua_Integer)lua_rawlen(L, -1); i++) {
    lua_rawgeti(L, -1, i);
    lnet *h = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!h || !h->net) continue;   /* destroyed: its files are in the run directory */
    lnet_folder(L, (int)i, folder, sizeof folder);
    fprintf(f, "%s{\"number\": %d, \"folder\": ", first ? "" : ",\n  ", h->number);
    soma_json_str(f, folder);
    fputs(", \"description\": ", f);
    rc = snapshot_net(h->net, dir, folder, f, err, errlen);
    fputc('}', f);
    first = 0;
  }
  lua_pop(L, 1);
  /* the first spiking agent (the only one reachable from here), as its default folder */
  soma_net *agent = lactor_critic_first_net(L);
  static const char *const agents[] = {"agent"};
  fprintf(f, "],\n \"agents\": [%s],\n \"environments\": [",
          agent ? "{\"name\": \"agent\", \"folder\": \"agent\"}" : "");
  if (!rc && agent) {
    snprintf(path, sizeof path, "%s/agent/meta.json", dir);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) rc = snap_fail(err, errlen, "out of memory");
    else {
      fputs("{\"net\": ", m);
      rc = snapshot_net(agent, dir, "agent", m, err, errlen);
      fputs("}\n", m);
      fclose(m);
      FILE *am = rc ? NULL : fopen(path, "w");
      if (!rc && (!am || fputs(buf, am) < 0)) rc = snap_fail(err, errlen, "cannot write %s", path);
      if (am && fclose(am)) rc = snap_fail(err, errlen, "cannot write %s", path);
      free(buf);
    }
  }
  char *envs = NULL;
  if (!rc) rc = lenv_write_records(L, dir, agents, agent ? 1 : 0, &envs, err, errlen);
  fprintf(f, "%s]}\n", envs ? envs : "");
  free(envs);
  if (fclose(f) && !rc) rc = snap_fail(err, errlen, "cannot write %s/meta.json", dir);
  return rc ? -1 : 0;
}

/* net:destroy(): writes its recordings to the run directory and frees it */
static int n_destroy(lua_State *L) {
  lnet *h;
  lnet_check(L, 1, "net:destroy", &h);
  char err[1024];
  if (close_net(L, h, err, sizeof err)) la_error(L, "net:destroy", "%s", err);
  return 0;
}

static int n_gc(lua_State *L) {
  lnet *h = lua_touserdata(L, 1);
  if (h->net) soma_net_destroy(h->net);
  h->net = NULL;
  return 0;
}

/* net:run(ms) */
static int n_run(lua_State *L) {
  soma_net *net = lnet_check(L, 1, "net:run", NULL);
  double ms = la_arg_num(L, 2, "net:run", "the time to run (ms)", 0, 1e12);
  if (soma_net_pop_count(net) == 0)
    la_error(L, "net:run", "the network has no populations; add some with net:pop{...} first");
  lsoma_run *run = lsoma_run_of(L);
  if (run->stop && *run->stop) la_error(L, "net:run", "interrupted");
  if (run->drawing || run->running)
    la_error(L, "net:run", "a network cannot run inside draw(g) or while another runs; draw "
             "only reads the state");
  progress_run(run->prog, soma_net_time(net), soma_net_time(net) + ms);
  run->running = L;
  int rc = soma_net_run(net, ms);
  run->running = NULL;
  if (rc == SOMA_INTERRUPTED && run->stop_message[0]) {
    lua_pushstring(L, run->stop_message);
    return lua_error(L);
  }
  if (rc == SOMA_INTERRUPTED) la_error(L, "net:run", "interrupted at t = %g ms", soma_net_time(net));
  if (rc) lsoma_fail(L, net, "net:run");
  return 0;
}

static int n_describe(lua_State *L) {
  soma_net *net = lnet_check(L, 1, "net:describe", NULL);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return la_error(L, "net:describe", "out of memory");
  soma_net_describe(net, f);
  fclose(f);
  lua_pushlstring(L, buf, len);
  free(buf);
  return 1;
}

static int n_index(lua_State *L) {
  lnet *h = luaL_checkudata(L, 1, LSOMA_NET);
  const char *k = lua_tostring(L, 2);
  if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  if (k && !strcmp(k, "alive")) {
    lua_pushboolean(L, h->net != NULL);
    return 1;
  }
  soma_net *net = lnet_check(L, 1, "net", NULL);
  if (!k) return la_error(L, "net", "no field %s", la_typename(L, 2));
  if (!strcmp(k, "t")) lua_pushnumber(L, soma_net_time(net));
  else if (!strcmp(k, "dt")) lua_pushnumber(L, soma_net_dt(net));
  else if (!strcmp(k, "steps")) lua_pushinteger(L, soma_net_steps(net));
  else if (!strcmp(k, "seed")) lua_pushinteger(L, soma_net_seed(net));
  else if (!strcmp(k, "threads")) lua_pushinteger(L, soma_net_threads(net));
  else if (!strcmp(k, "spikes")) lua_pushinteger(L, (lua_Integer)soma_net_spike_count(net));
  else if (!strcmp(k, "events")) lua_pushinteger(L, (lua_Integer)soma_net_event_count(net));
  else if (!strcmp(k, "synapses")) lua_pushinteger(L, (lua_Integer)soma_net_synapse_count(net));
  else if (!strcmp(k, "synapse_bytes")) lua_pushinteger(L, (lua_Integer)soma_net_synapse_bytes(net));
  else if (!strcmp(k, "parallel_steps")) lua_pushinteger(L, soma_net_parallel_steps(net));
  else if (!strcmp(k, "name")) lua_pushstring(L, h->name);
  else if (!strcmp(k, "folder")) lua_pushstring(L, h->dir);
  else
    return la_error(L, "net", "no field '%s' (fields: t, dt, steps, seed, threads, spikes, "
                    "events, synapses, synapse_bytes, parallel_steps, name, folder, alive; methods: pop, connect, record, run, "
                    "modulator, mismatch, rpe, describe, destroy)", k);
  return 1;
}

/* soma.spike_hash{rec, rec, ...}: SHA-256 of the recorded spikes merged in time order */
static int l_spike_hash(lua_State *L) {
  la_table(L, 1, "soma.spike_hash", "a table of spike recordings");
  soma_rec *recs[64];
  int n = (int)lua_rawlen(L, 1);
  if (n < 1 || n > 64) la_error(L, "soma.spike_hash", "give 1 to 64 spike recordings (got %d)", n);
  for (int i = 0; i < n; i++) {
    lua_rawgeti(L, 1, i + 1);
    recs[i] = lrec_readable(L, lua_gettop(L), "soma.spike_hash", 1);
    lua_pop(L, 1);
  }
  char hex[65];
  spike_hash(recs, n, hex);
  lua_pushstring(L, hex);
  return 1;
}

static int l_models(lua_State *L) { return lsoma_push_names(L, soma_model_count, soma_model_name); }

static int l_model(lua_State *L) {
  return lsoma_push_description(L, "soma.model", "model", "soma.models()", soma_model_describe);
}

/* soma.progress(done, total [, unit]): for scripts that loop over trials themselves */
static int l_progress(lua_State *L) {
  double total = la_arg_num(L, 2, "soma.progress", "the total", 0, HUGE_VAL);
  double done = la_arg_num(L, 1, "soma.progress", "the count done", 0, total);
  const char *unit = lua_isnoneornil(L, 3) ? "done" : la_arg_str(L, 3, "soma.progress", "the unit");
  progress_count(lsoma_run_of(L)->prog, done, total, unit);
  return 0;
}

/* soma.clock(): wall-clock seconds from a monotonic clock, for timing parts of a script */
static int l_clock(lua_State *L) {
  lua_pushnumber(L, cli_now());
  return 1;
}

/* soma.rss_mb(): the process's resident memory now (VmRSS of /proc/self/status), MB; nil
 * where the system does not say (not Linux) */
static int l_rss_mb(lua_State *L) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  if (f) fclose(f);
  if (kb < 0) lua_pushnil(L);
  else lua_pushnumber(L, (double)kb / 1024.0);
  return 1;
}

void lsoma_open(lua_State *L, lsoma_run *run) {
  lua_pushlightuserdata(L, run);
  lua_setfield(L, LUA_REGISTRYINDEX, RUN_KEY);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, NETS_KEY);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, DESC_KEY);

  static const luaL_Reg net_methods[] = {{"pop", lpop_create},       {"connect", lproj_create},
                                         {"record", lrec_create},     {"run", n_run},
                                         {"describe", n_describe},   {"destroy", n_destroy},
                                         {"modulator", lmod_create}, {"mismatch", lmismatch_create},
                                         {"rpe", lrpe_create},
                                         {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_NET);
  luaL_setfuncs(L, net_methods, 0);
  lua_pushcfunction(L, n_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, n_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  lpop_open(L);
  lproj_open(L);
  lrec_open(L);

  lua_newtable(L);   /* the module */
  static const luaL_Reg fns[] = {{"net", l_net},         {"spike_hash", l_spike_hash},
                                 {"models", l_models},   {"model", l_model},
                                 {"progress", l_progress}, {"clock", l_clock},
                                 {"rss_mb", l_rss_mb},
                                 {NULL, NULL}};
  luaL_setfuncs(L, fns, 0);
  lplastic_open(L);
  la_array_open(L);
  ld_open(L);
  lfig_open(L);
  lenv_open(L);
  ljoint_open(L);
  dashboard_open(L);
  lua_newtable(L);
  lbaselines_open(L);
  lactor_critic_open(L);
  lreacher_open(L);
  lua_setfield(L, -2, "agent");
  lresults_open(L);
  lua_pushstring(L, SOMA_VERSION);
  lua_setfield(L, -2, "version");
  lua_pushinteger(L, run->seed);
  lua_setfield(L, -2, "seed");
  lua_pushinteger(L, run->threads);
  lua_setfield(L, -2, "threads");
  lua_pushboolean(L, run->headless);
  lua_setfield(L, -2, "headless");
  if (run->dir) {
    lua_pushstring(L, run->dir);
    lua_setfield(L, -2, "dir");
  }
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "soma");
  lua_pop(L, 2);
  lua_setglobal(L, "soma");
}
