/* dashboard.c — what the window shows when a script defines no draw(g), and the summary.png a
 * run with an environment ends with: the world with the agent and the path of its episode,
 * a raster per recorded population with their rates, a neuromodulator's trace (dopamine by
 * default) and the learning curve from soma.log. One drawing function serves the live window
 * and the headless figure. */
#include "app/dashboard.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/lua_actor_critic.h"
#include "app/lua_args.h"
#include "app/lua_env.h"
#include "app/lua_soma.h"

static const uint32_t palette[] = {FIG_BLUE, FIG_RED, FIG_GREEN, 0xe08a1effu, 0x7b4fa8ffu};
static const char *const VIEW_KEY = "soma.view";

#define HISTORY 4096

struct dashboard {
  double t[HISTORY], v[HISTORY];   /* the modulator's samples: a ring */
  size_t n, head;
  char mod_name[64];
};

dashboard *dashboard_create(void) { return calloc(1, sizeof(dashboard)); }

void dashboard_destroy(dashboard *d) { free(d); }

/* the first network of the script that is still open */
static soma_net *first_net(lua_State *L) {
  soma_net *net = NULL;
  lua_getfield(L, LUA_REGISTRYINDEX, "soma.nets");
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer i = 1; i <= n && !net; i++) {
    lua_rawgeti(L, -1, i);
    lnet *h = lua_touserdata(L, -1);
    if (h && h->net) net = h->net;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return net ? net : lactor_critic_first_net(L);   /* else a spiking agent's */
}

/* a preference from soma.view{...}, or NULL */
static const char *view_pref(lua_State *L, const char *key, char *buf, size_t len) {
  int top = lua_gettop(L);
  const char *v = NULL;
  if (lua_getfield(L, LUA_REGISTRYINDEX, VIEW_KEY) == LUA_TTABLE &&
      lua_getfield(L, -1, key) == LUA_TSTRING) {
    snprintf(buf, len, "%s", lua_tostring(L, -1));
    v = buf;
  }
  lua_settop(L, top);
  return v;
}

static soma_mod *chosen_mod(lua_State *L, soma_net *net) {
  char name[64];
  if (!net || soma_net_mod_count(net) == 0) return NULL;
  const char *want = view_pref(L, "modulator", name, sizeof name);
  soma_mod *m = soma_net_find_mod(net, want ? want : "dopamine");
  return m ? m : want ? NULL : soma_net_mod(net, 0);
}

void dashboard_sample(dashboard *d, lua_State *L) {
  soma_net *net = first_net(L);
  soma_mod *m = chosen_mod(L, net);
  if (!m) return;
  double t = soma_net_time(net);
  if (strcmp(d->mod_name, soma_mod_name(m)) || (d->n && t < d->t[(d->head + HISTORY - 1) % HISTORY])) {
    d->n = d->head = 0;   /* another modulator, or time went back (a new network) */
    snprintf(d->mod_name, sizeof d->mod_name, "%s", soma_mod_name(m));
  }
  if (d->n && t == d->t[(d->head + HISTORY - 1) % HISTORY]) return;
  d->t[d->head] = t;
  d->v[d->head] = soma_mod_value(m);
  d->head = (d->head + 1) % HISTORY;
  if (d->n < HISTORY) d->n++;
}

/* ---- panels ---------------------------------------------------------------------------- */

static void raster(lua_State *L, figure *f, soma_net *net, int x, int y, int w, int h, double t0) {
  double t = soma_net_time(net), dt = soma_net_dt(net);
  if (!(t0 < t)) t0 = t > 1000 ? t - 1000 : 0;
  soma_rec *recs[16];
  int n = 0, rows = 0;
  for (int r = 0; r < soma_net_rec_count(net) && n < 16; r++)
    if (soma_rec_is_spikes(soma_net_rec(net, r))) {
      recs[n++] = soma_net_rec(net, r);
      rows += soma_pop_size(soma_rec_pop(recs[n - 1]));
    }
  (void)L;
  if (!n) {
    figure_text(f, x + w / 2, y + h / 2, "record spikes (net:record(pop, \"spikes\")) to see them here",
                14, FIG_GREY, 0, 0);
    return;
  }
  fig_axes a = figure_axes(f, x, y, w, h, t0, t > t0 ? t : t0 + 1, 0, rows, "time (ms)", "neuron", NULL);
  int base = 0;
  for (int r = 0; r < n; r++) {
    soma_rec *rec = recs[r];
    const int64_t *steps = soma_rec_spike_steps(rec);
    const int32_t *ids = soma_rec_spike_ids(rec);
    size_t count = soma_rec_spike_count(rec), shown = 0;
    uint32_t c = palette[r % 5];
    for (size_t k = count; k-- > 0;) {
      double ts = (double)steps[k] * dt;
      if (ts < t0) break;
      figure_point(f, &a, ts, base + ids[k] + 0.5, c, 2);
      shown++;
    }
    soma_pop *pop = soma_rec_pop(rec);
    char label[128];
    double span = (t - t0) / 1000;
    snprintf(label, sizeof label, "%s: %.1f Hz", soma_pop_name(pop),
             span > 0 ? (double)shown / soma_pop_size(pop) / span : 0);
    figure_text(f, x + 150 * r, y - 12, label, 13, c, -1, 0);
    base += soma_pop_size(pop);
  }
}

static void modulator(dashboard *d, figure *f, int x, int y, int w, int h) {
  double xs[HISTORY], ys[HISTORY], lo = INFINITY, hi = -INFINITY;
  for (size_t k = 0; k < d->n; k++) {
    size_t i = (d->head + HISTORY - d->n + k) % HISTORY;
    xs[k] = d->t[i] / 1000;
    ys[k] = d->v[i];
    lo = fmin(lo, ys[k]);
    hi = fmax(hi, ys[k]);
  }
  if (!(hi > lo)) hi = lo + 1;
  char title[96];
  snprintf(title, sizeof title, "%s", d->mod_name);
  fig_axes a = figure_axes(f, x, y, w, h, xs[0], xs[d->n - 1] > xs[0] ? xs[d->n - 1] : xs[0] + 1,
                           lo, hi + 0.05 * (hi - lo), "time (s)", NULL, NULL);
  figure_text(f, x, y - 12, title, 13, 0x7b4fa8ffu, -1, 0);
  figure_line(f, &a, xs, ys, d->n, 0x7b4fa8ffu);
}

/* the learning curve: the key soma.view{curve = ...} names, else reward, return, steps or the
 * first numeric key (alphabetical) of the logged rows; x is episode or trial when logged */
static int curve(lua_State *L, figure *f, int x, int y, int w, int h) {
  lua_getfield(L, LUA_REGISTRYINDEX, "soma.log");
  int rows = lua_gettop(L);
  lua_Integer n = (lua_Integer)lua_rawlen(L, rows);
  if (n == 0) {
    lua_pop(L, 1);
    return 0;
  }
  char key[64] = "", buf[64];
  const char *pref = view_pref(L, "curve", buf, sizeof buf);
  lua_rawgeti(L, rows, n);
  if (pref) {
    snprintf(key, sizeof key, "%s", pref);
  } else {
    static const char *const usual[] = {"reward", "return", "steps", "latency", "error", NULL};
    for (int k = 0; usual[k] && !key[0]; k++) {
      if (lua_getfield(L, -1, usual[k]) == LUA_TNUMBER) snprintf(key, sizeof key, "%s", usual[k]);
      lua_pop(L, 1);
    }
    lua_pushnil(L);
    while (!key[0] && lua_next(L, -2)) {
      if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TNUMBER) {
        const char *k = lua_tostring(L, -2);
        if (strcmp(k, "episode") && strcmp(k, "trial") && (!key[0] || strcmp(k, key) < 0))
          snprintf(key, sizeof key, "%s", k);
      }
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  if (!key[0]) {
    lua_pop(L, 1);
    return 0;
  }
  size_t m = 0;
  double *xs = malloc(sizeof *xs * (size_t)n), *ys = malloc(sizeof *ys * (size_t)n);
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (lua_Integer i = 1; xs && ys && i <= n; i++) {
    lua_rawgeti(L, rows, i);
    if (lua_getfield(L, -1, key) == LUA_TNUMBER) {
      double yv = lua_tonumber(L, -1), xv = (double)i;
      if (lua_getfield(L, -2, "episode") == LUA_TNUMBER || (lua_pop(L, 1), lua_getfield(L, -2, "trial")) == LUA_TNUMBER)
        xv = lua_tonumber(L, -1);
      lua_pop(L, 1);
      if (isfinite(xv) && isfinite(yv)) {
        xs[m] = xv;
        ys[m++] = yv;
        x0 = fmin(x0, xv), x1 = fmax(x1, xv), y0 = fmin(y0, yv), y1 = fmax(y1, yv);
      }
    }
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
  if (m) {
    if (!(y1 > y0)) y1 = y0 + 1;
    fig_axes a = figure_axes(f, x, y, w, h, x0, x1 > x0 ? x1 : x0 + 1, fmin(0, y0), y1 + 0.05 * (y1 - y0),
                             "episode", NULL, NULL);
    figure_text(f, x, y - 12, key, 13, FIG_GREEN, -1, 0);
    figure_line(f, &a, xs, ys, m, FIG_GREEN);
    for (size_t k = 0; k < m && m <= 200; k++) figure_point(f, &a, xs[k], ys[k], FIG_GREEN, 3);
  }
  free(xs);
  free(ys);
  return m > 0;
}

static int has_curve(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "soma.log");
  int n = (int)lua_rawlen(L, -1);
  lua_pop(L, 1);
  return n > 0;
}

void dashboard_draw(dashboard *d, lua_State *L, figure *f, const char *title, const char *status,
                    int final) {
  int w, h;
  figure_pixels(f, &w, &h);
  figure_clear(f, 0xffffffffu);
  figure_text(f, 16, 16, title, 16, 0x000000ffu, -1, 0);
  if (status) figure_text(f, 16, 38, status, 13, 0x404040ffu, -1, 0);
  dashboard_sample(d, L);
  int top = 64, left = 16;
  int side = h - top - 16 < (int)(w * 0.42) ? h - top - 16 : (int)(w * 0.42);
  if (lenv_draw_first(L, f, left, top, side, side)) left += side + 24;
  soma_net *net = first_net(L);
  int with_mod = d->n > 1, with_curve = has_curve(L), with_raster = net != NULL;
  int units = 2 * with_raster + with_mod + with_curve;
  if (!units) {
    if (left == 16) figure_text(f, w / 2, h / 2, "no network or environment yet", 16, FIG_GREY, 0, 0);
    return;
  }
  int x = left + 64, pw = w - x - 24, avail = h - top - 16 - 60 * (with_raster + with_mod + with_curve);
  int y = top + 16;
  if (with_raster) {
    int ph = avail * 2 / units;
    double t0 = final ? lenv_episode_start(L) : NAN;
    raster(L, f, net, x, y, pw, ph, t0);
    y += ph + 60;
  }
  if (with_mod) {
    int ph = avail / units;
    modulator(d, f, x, y, pw, ph);
    y += ph + 60;
  }
  if (with_curve) curve(L, f, x, y, pw, avail / units);
}

int dashboard_summary(dashboard *d, lua_State *L, const char *dir, const char *title, char *err,
                      size_t len) {
  if (!dir || !lenv_episodes(L)) return 0;
  figure *f = figure_create(1200, 700);
  if (!f) return snprintf(err, len, "out of memory for summary.png"), -1;
  dashboard_draw(d, L, f, title, NULL, 1);
  char path[4200];
  snprintf(path, sizeof path, "%s/summary.png", dir);
  int rc = figure_save(f, path, err, len);
  figure_destroy(f);
  return rc;
}

/* soma.view{curve = "steps", modulator = "dopamine"}: what the dashboard shows */
static int l_view(lua_State *L) {
  static const char *const known[] = {"curve", "modulator", NULL};
  la_table(L, 1, "soma.view", "a table of options");
  la_known_keys(L, 1, "soma.view", known, NULL, NULL);
  la_str(L, 1, "soma.view", "curve", NULL);
  la_str(L, 1, "soma.view", "modulator", NULL);
  lua_pushvalue(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, VIEW_KEY);
  return 0;
}

void dashboard_open(lua_State *L) {
  lua_pushcfunction(L, l_view);
  lua_setfield(L, -2, "view");
}
