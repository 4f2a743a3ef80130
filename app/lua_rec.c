/* lua_rec.c — recordings from Lua: net:record(pop, what, {...}) and reading them back as
 * arrays that view the recorder's memory (no copy). */
#include <lauxlib.h>
#include <math.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_soma.h"

/* net:record(pop, "spikes" | var, {ids = {...}, interval = ms, stream = false}) */
int lrec_create(lua_State *L) {
  static const char *const known[] = {"ids", "interval", "stream", NULL};
  const char *call = "net:record";
  lnet *h;
  soma_net *net = lnet_check(L, 1, call, &h);
  soma_pop *pop = lpop_check(L, 2, call);
  if (((lobj *)lua_touserdata(L, 2))->owner != h)
    la_error(L, call, "the population belongs to another network");
  const char *what = la_arg_str(L, 3, call, "what to record (\"spikes\" or a state variable)");
  if (lua_isnoneornil(L, 4)) {
    lua_settop(L, 3);
    lua_newtable(L);
  }
  la_table(L, 4, call, "a table of options: {ids = {0, 1}, interval = 1, stream = true}");
  la_known_keys(L, 4, call, known, NULL, NULL);
  int32_t *ids = NULL;
  size_t n_ids = 0;
  if (lua_getfield(L, 4, "ids") != LUA_TNIL)
    ids = la_int32s(L, -1, call, "ids", 0, soma_pop_size(pop) - 1, &n_ids);
  int is_spikes = !strcmp(what, "spikes");
  lua_getfield(L, 4, "interval");
  if (is_spikes && !lua_isnil(L, -1)) la_error(L, call, "'interval' applies to state variables, not spikes");
  double interval = la_num(L, 4, call, "interval", soma_net_dt(net), 0, HUGE_VAL);
  int stream = la_bool(L, 4, call, "stream", 0);
  soma_rec *rec = is_spikes ? soma_rec_spikes(net, pop, ids, (int)n_ids)
                            : soma_rec_state(net, pop, what, ids, (int)n_ids, interval);
  if (!rec) lsoma_fail(L, net, call);
  if (stream) {
    const char *dir = lnet_dir(L, h, call);
    if (!dir) la_error(L, call, "streaming needs a run directory (soma run makes one)");
    if (soma_rec_stream(rec, dir)) lsoma_fail(L, net, call);
  }
  char label[96];
  snprintf(label, sizeof label, "recording '%s'", soma_rec_name(rec));
  lobj_push(L, 1, LSOMA_REC, soma_net_rec_count(net) - 1, label);
  lua_pushvalue(L, 2);
  lua_setiuservalue(L, -2, 2);
  lua_pushboolean(L, stream);
  lua_setiuservalue(L, -2, 3);
  return 1;
}

enum { V_STEPS, V_IDS, V_DATA };

static const void *rec_base(lua_State *L, int owner_idx, int arg, size_t *avail) {
  soma_rec *rec = lrec_check(L, owner_idx, "recording array");
  if (arg == V_STEPS || arg == V_IDS) {
    *avail = soma_rec_spike_count(rec);
    return arg == V_STEPS ? (const void *)soma_rec_spike_steps(rec) : soma_rec_spike_ids(rec);
  }
  *avail = soma_rec_samples(rec) * (size_t)soma_rec_columns(rec);
  return soma_rec_data(rec);
}

static soma_rec *readable(lua_State *L, const char *call, int spikes) {
  return lrec_readable(L, 1, call, spikes);
}

/* the recording at idx, refused when it streams to disk (its data is not in memory) or is not
 * of the kind asked (spikes 1, state 0, either -1) */
soma_rec *lrec_readable(lua_State *L, int idx, const char *call, int spikes) {
  soma_rec *rec = lrec_check(L, idx, call);
  lua_getiuservalue(L, idx, 3);
  int streamed = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (streamed)
    la_error(L, call, "'%s' streams to disk; read its .npy files, or record without stream = true",
             soma_rec_name(rec));
  if (spikes >= 0 && spikes != soma_rec_is_spikes(rec))
    la_error(L, call, "'%s' records %s", soma_rec_name(rec),
             spikes ? "a state variable: use rec:data() and rec:times()" : "spikes: use rec:ids() and rec:times()");
  return rec;
}


/* rec:times(): spike times, or sample times (ms, float64, a copy) */
static int r_times(lua_State *L) {
  soma_rec *rec = readable(L, "rec:times", -1);
  double dt = soma_net_dt(((lobj *)lua_touserdata(L, 1))->owner->net);
  if (soma_rec_is_spikes(rec)) {
    size_t n = soma_rec_spike_count(rec);
    double *t = la_push_owned(L, LA_F64, n, 0);
    for (size_t i = 0; i < n; i++) t[i] = (double)soma_rec_spike_steps(rec)[i] * dt;
  } else {
    size_t n = soma_rec_samples(rec);
    double *t = la_push_owned(L, LA_F64, n, 0);
    for (size_t i = 0; i < n; i++) t[i] = soma_rec_t0(rec) + (double)i * soma_rec_interval(rec);
  }
  return 1;
}

/* rec:ids(): the neuron (0-based) of each spike, int32, a view */
static int r_ids(lua_State *L) {
  soma_rec *rec = readable(L, "rec:ids", 1);
  la_push_view(L, LA_I32, soma_rec_spike_count(rec), 0, 1, rec_base, V_IDS);
  return 1;
}

/* rec:steps(): the time step of each spike (time = step * dt), int64, a view */
static int r_steps(lua_State *L) {
  soma_rec *rec = readable(L, "rec:steps", 1);
  la_push_view(L, LA_I64, soma_rec_spike_count(rec), 0, 1, rec_base, V_STEPS);
  return 1;
}

/* rec:data(): samples x neurons float32, a view; rec:columns() the neurons of the columns */
static int r_data(lua_State *L) {
  soma_rec *rec = readable(L, "rec:data", 0);
  la_push_view(L, LA_F32, soma_rec_samples(rec) * (size_t)soma_rec_columns(rec),
               (size_t)soma_rec_columns(rec), 1, rec_base, V_DATA);
  return 1;
}

static int r_columns(lua_State *L) {
  soma_rec *rec = readable(L, "rec:columns", 0);
  int n = soma_rec_columns(rec);
  int32_t *c = la_push_owned(L, LA_I32, (size_t)n, 0);
  memcpy(c, soma_rec_ids(rec), sizeof(int32_t) * (size_t)n);
  return 1;
}

static int r_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  soma_rec *rec = lrec_check(L, 1, "rec");
  if (!k) return la_error(L, "rec", "no field %s", la_typename(L, 2));
  if (!strcmp(k, "name")) lua_pushstring(L, soma_rec_name(rec));
  else if (!strcmp(k, "pop")) lua_getiuservalue(L, 1, 2);
  else if (!strcmp(k, "spikes")) lua_pushboolean(L, soma_rec_is_spikes(rec));
  else if (!strcmp(k, "count")) {
    readable(L, "rec.count", -1);
    lua_pushinteger(L, (lua_Integer)(soma_rec_is_spikes(rec) ? soma_rec_spike_count(rec) : soma_rec_samples(rec)));
  } else if (!strcmp(k, "streamed")) {
    lua_getiuservalue(L, 1, 3);
  }
  else
    return la_error(L, "rec", "no field '%s' (fields: name, pop, spikes, count, streamed; methods: times, "
                    "ids, steps, data, columns)", k);
  return 1;
}

void lrec_open(lua_State *L) {
  static const luaL_Reg m[] = {{"times", r_times}, {"ids", r_ids},         {"steps", r_steps},
                               {"data", r_data},   {"columns", r_columns}, {"__index", r_index},
                               {"__tostring", lobj_tostring}, {NULL, NULL}};
  luaL_newmetatable(L, LSOMA_REC);
  luaL_setfuncs(L, m, 0);
  lua_pop(L, 1);
}
