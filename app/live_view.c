/* live_view.c — the window's default view. */
#include "live_view.h"

#include <lauxlib.h>
#include <stdio.h>

#include "app/lua_soma.h"

static const uint32_t palette[] = {FIG_BLUE, FIG_RED, FIG_GREEN, 0xe08a1effu, 0x7b4fa8ffu};

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
  return net;
}

void live_view_draw(lua_State *L, figure *f, const char *title, const char *status) {
  int w, h;
  figure_pixels(f, &w, &h);
  figure_clear(f, 0xffffffffu);
  figure_text(f, 16, 16, title, 16, 0x000000ffu, -1, 0);
  figure_text(f, 16, 40, status, 13, 0x404040ffu, -1, 0);
  soma_net *net = first_net(L);
  if (!net) {
    figure_text(f, w / 2, h / 2, "no network yet", 16, FIG_GREY, 0, 0);
    return;
  }
  double t = soma_net_time(net), t0 = t > 1000 ? t - 1000 : 0, dt = soma_net_dt(net);
  soma_rec *recs[16];
  int n = 0, rows = 0;
  for (int r = 0; r < soma_net_rec_count(net) && n < 16; r++)
    if (soma_rec_is_spikes(soma_net_rec(net, r))) {
      recs[n++] = soma_net_rec(net, r);
      rows += soma_pop_size(soma_rec_pop(recs[n - 1]));
    }
  if (!n) {
    figure_text(f, w / 2, h / 2, "record spikes (net:record(pop, \"spikes\")) to see them here",
                15, FIG_GREY, 0, 0);
    return;
  }
  fig_axes a = figure_axes(f, 80, 80, w - 110, h - 140, t0, t0 + 1000, 0, rows, "time (ms)",
                           "neuron", NULL);
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
    figure_text(f, 80 + 160 * r, 64, label, 13, c, -1, 0);
    base += soma_pop_size(pop);
  }
}
