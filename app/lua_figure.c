/* lua_figure.c — the soma.canvas and soma.axes userdata. */
#include "lua_figure.h"

#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_array.h"
#include "app/lua_soma.h"

#define CANVAS "soma.canvas"
#define AXES "soma.axes"

typedef struct lcanvas {
  figure *f;
  int owned;
} lcanvas;

static const struct {
  const char *name;
  uint32_t rgba;
} colours[] = {{"black", 0x000000ffu}, {"white", 0xffffffffu}, {"grey", 0x909090ffu},
               {"gray", 0x909090ffu},  {"lightgrey", 0xd8d8d8ffu}, {"blue", FIG_BLUE},
               {"red", FIG_RED},       {"green", FIG_GREEN},   {"orange", 0xe08a1effu},
               {"purple", 0x7b4fa8ffu}, {"yellow", 0xe6c619ffu}, {"cyan", 0x1fa8b4ffu},
               {NULL, 0}};

/* a colour: a name, "#rrggbb", "#rrggbbaa", or {r, g, b [, a]} in 0..255 */
static uint32_t colour_at(lua_State *L, int idx, const char *call, uint32_t def) {
  if (lua_isnoneornil(L, idx)) return def;
  if (lua_type(L, idx) == LUA_TSTRING) {
    const char *s = lua_tostring(L, idx);
    for (int k = 0; colours[k].name; k++)
      if (!strcmp(s, colours[k].name)) return colours[k].rgba;
    size_t n = strlen(s);
    char *end;
    if (s[0] == '#' && (n == 7 || n == 9)) {
      unsigned long v = strtoul(s + 1, &end, 16);
      if (!*end) return n == 7 ? (uint32_t)(v << 8 | 0xff) : (uint32_t)v;
    }
    la_error(L, call, "unknown colour '%s' (names: black, white, grey, lightgrey, blue, red, "
             "green, orange, purple, yellow, cyan; or \"#rrggbb\", or {r, g, b, a})", s);
  }
  if (lua_istable(L, idx)) {
    uint32_t c = 0;
    for (int k = 1; k <= 4; k++) {
      lua_rawgeti(L, idx, k);
      double v = k == 4 && lua_isnil(L, -1) ? 255 : la_arg_num(L, -1, call, "a colour component", 0, 255);
      c = c << 8 | (uint32_t)lround(v);
      lua_pop(L, 1);
    }
    return c;
  }
  la_error(L, call, "a colour must be a name, \"#rrggbb\" or {r, g, b}, got %s", la_typename(L, idx));
}

/* option `key` of the table at idx (which may be absent) */
static int opt(lua_State *L, int idx, const char *key) {
  if (!lua_istable(L, idx)) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, idx, key);
}

static uint32_t opt_colour(lua_State *L, int idx, const char *call, uint32_t def) {
  opt(L, idx, "color");
  uint32_t c = colour_at(L, -1, call, def);
  lua_pop(L, 1);
  return c;
}

static void check_options(lua_State *L, int idx, const char *call, const char *const *known) {
  if (lua_isnoneornil(L, idx)) return;
  la_table(L, idx, call, "a table of options");
  la_known_keys(L, idx, call, known, NULL, NULL);
}

figure *lfig_check(lua_State *L, int idx, const char *call) {
  lcanvas *c = luaL_testudata(L, idx, CANVAS);
  if (!c) la_error(L, call, "expected a canvas (soma.figure{...} or draw's g), got %s", la_typename(L, idx));
  if (!c->f) la_error(L, call, "this canvas was freed");
  return c->f;
}

static int px(lua_State *L, int idx, const char *call, const char *what) {
  return (int)lround(la_arg_num(L, idx, call, what, -1e6, 1e6));
}

/* soma.figure{width = 800, height = 600, background = "white"} */
static int l_figure(lua_State *L) {
  static const char *const known[] = {"width", "height", "background", NULL};
  if (lua_isnoneornil(L, 1)) lua_newtable(L);
  check_options(L, 1, "soma.figure", known);
  int w = (int)la_int(L, 1, "soma.figure", "width", 800, 16, 8192);
  int h = (int)la_int(L, 1, "soma.figure", "height", 600, 16, 8192);
  lua_getfield(L, 1, "background");
  uint32_t bg = colour_at(L, -1, "soma.figure", 0xffffffffu);
  lcanvas *c = lua_newuserdatauv(L, sizeof *c, 0);
  c->f = NULL;
  c->owned = 1;
  luaL_setmetatable(L, CANVAS);
  if (!(c->f = figure_create(w, h))) la_error(L, "soma.figure", "out of memory for %d x %d pixels", w, h);
  figure_clear(c->f, bg);
  return 1;
}

void lfig_push_borrowed(lua_State *L, figure *f) {
  lcanvas *c = lua_newuserdatauv(L, sizeof *c, 0);
  c->f = f;
  c->owned = 0;
  luaL_setmetatable(L, CANVAS);
}

static int c_gc(lua_State *L) {
  lcanvas *c = lua_touserdata(L, 1);
  if (c->owned) figure_destroy(c->f);
  c->f = NULL;
  return 0;
}

static int c_clear(lua_State *L) {
  figure *f = lfig_check(L, 1, "g:clear");
  figure_clear(f, colour_at(L, 2, "g:clear", 0xffffffffu));
  return 0;
}

/* g:rect(x, y, w, h, {color, fill = true}) */
static int c_rect(lua_State *L) {
  static const char *const known[] = {"color", "fill", NULL};
  const char *call = "g:rect";
  figure *f = lfig_check(L, 1, call);
  check_options(L, 6, call, known);
  int filled = 1;
  if (opt(L, 6, "fill") != LUA_TNIL) filled = lua_toboolean(L, -1);
  lua_pop(L, 1);
  figure_rect(f, px(L, 2, call, "x"), px(L, 3, call, "y"), px(L, 4, call, "the width"),
              px(L, 5, call, "the height"), opt_colour(L, 6, call, 0x000000ffu), filled);
  return 0;
}

/* g:line(x0, y0, x1, y1, {color}) */
static int c_line(lua_State *L) {
  static const char *const known[] = {"color", NULL};
  const char *call = "g:line";
  figure *f = lfig_check(L, 1, call);
  check_options(L, 6, call, known);
  figure_segment(f, px(L, 2, call, "x0"), px(L, 3, call, "y0"), px(L, 4, call, "x1"),
                 px(L, 5, call, "y1"), opt_colour(L, 6, call, 0x000000ffu));
  return 0;
}

/* g:circle(x, y, r, {color, fill = true}) */
static int c_circle(lua_State *L) {
  static const char *const known[] = {"color", "fill", NULL};
  const char *call = "g:circle";
  figure *f = lfig_check(L, 1, call);
  check_options(L, 5, call, known);
  int filled = 1;
  if (opt(L, 5, "fill") != LUA_TNIL) filled = lua_toboolean(L, -1);
  lua_pop(L, 1);
  int r = (int)lround(la_arg_num(L, 4, call, "the radius", 0, 1e4));
  figure_circle(f, px(L, 2, call, "x"), px(L, 3, call, "y"), r, opt_colour(L, 5, call, 0x000000ffu), filled);
  return 0;
}

/* g:text(x, y, s, {size = 14, color, align = "left" | "center" | "right", vertical = false}) */
static int c_text(lua_State *L) {
  static const char *const known[] = {"size", "color", "align", "vertical", NULL};
  const char *call = "g:text";
  figure *f = lfig_check(L, 1, call);
  int x = px(L, 2, call, "x"), y = px(L, 3, call, "y");
  const char *s = luaL_tolstring(L, 4, NULL);
  check_options(L, 5, call, known);
  int size = 14, align = -1, vertical = 0;
  if (lua_istable(L, 5)) {
    size = (int)la_int(L, 5, call, "size", 14, 6, 63);
    const char *a = la_str(L, 5, call, "align", "left");
    align = !strcmp(a, "left") ? -1 : !strcmp(a, "center") ? 0 : !strcmp(a, "right") ? 1 : 2;
    if (align == 2) la_error(L, call, "'align' must be \"left\", \"center\" or \"right\" (got \"%s\")", a);
    vertical = la_bool(L, 5, call, "vertical", 0);
  }
  figure_text(f, x, y, s, size, opt_colour(L, 5, call, 0x000000ffu), align, vertical);
  return 0;
}

/* g:axes{x, y, w, h, xlim = {lo, hi}, ylim = {lo, hi}, xlabel, ylabel, title} */
static int c_axes(lua_State *L) {
  static const char *const known[] = {"x", "y", "w", "h", "xlim", "ylim", "xlabel", "ylabel",
                                      "title", NULL};
  const char *call = "g:axes";
  figure *f = lfig_check(L, 1, call);
  la_table(L, 2, call, "a table: g:axes{xlim = {0, 100}, ylim = {0, 1}, xlabel = \"t (ms)\"}");
  la_known_keys(L, 2, call, known, NULL, NULL);
  int fw, fh;
  figure_pixels(f, &fw, &fh);
  int x = (int)la_int(L, 2, call, "x", 80, 0, fw), y = (int)la_int(L, 2, call, "y", 40, 0, fh);
  int w = (int)la_int(L, 2, call, "w", fw - x - 30 > 1 ? fw - x - 30 : 1, 1, fw);
  int h = (int)la_int(L, 2, call, "h", fh - y - 60 > 1 ? fh - y - 60 : 1, 1, fh);
  double lim[2][2];
  const char *names[2] = {"xlim", "ylim"};
  for (int k = 0; k < 2; k++) {
    if (lua_getfield(L, 2, names[k]) != LUA_TTABLE || lua_rawlen(L, -1) != 2)
      la_error(L, call, "give '%s' as {low, high}", names[k]);
    for (int j = 0; j < 2; j++) {
      lua_rawgeti(L, -1, j + 1);
      lim[k][j] = la_arg_num(L, -1, call, names[k], -HUGE_VAL, HUGE_VAL);
      lua_pop(L, 1);
    }
    if (!(lim[k][1] > lim[k][0])) la_error(L, call, "'%s' must have low < high (got {%g, %g})", names[k], lim[k][0], lim[k][1]);
    lua_pop(L, 1);
  }
  fig_axes a = figure_axes(f, x, y, w, h, lim[0][0], lim[0][1], lim[1][0], lim[1][1],
                           la_str(L, 2, call, "xlabel", NULL), la_str(L, 2, call, "ylabel", NULL),
                           la_str(L, 2, call, "title", NULL));
  fig_axes *u = lua_newuserdatauv(L, sizeof *u, 1);
  *u = a;
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, AXES);
  return 1;
}

static figure *axes_canvas(lua_State *L, const char *call, fig_axes **a) {
  *a = luaL_checkudata(L, 1, AXES);
  lua_getiuservalue(L, 1, 1);
  figure *f = lfig_check(L, -1, call);
  lua_pop(L, 1);
  return f;
}

/* xs and ys of equal length; both blocks stay on the stack */
static size_t xy(lua_State *L, const char *call, const double **x, const double **y) {
  size_t n, m;
  *x = la_doubles(L, 2, call, "x", &n);
  *y = la_doubles(L, 3, call, "y", &m);
  if (n != m) la_error(L, call, "x has %zu values but y has %zu", n, m);
  return n;
}

/* ax:line(x, y, {color}) */
static int a_line(lua_State *L) {
  static const char *const known[] = {"color", NULL};
  fig_axes *a;
  figure *f = axes_canvas(L, "ax:line", &a);
  check_options(L, 4, "ax:line", known);
  const double *x, *y;
  size_t n = xy(L, "ax:line", &x, &y);
  figure_line(f, a, x, y, n, opt_colour(L, 4, "ax:line", FIG_BLUE));
  return 0;
}

/* ax:points(x, y, {color, size = 2}) */
static int a_points(lua_State *L) {
  static const char *const known[] = {"color", "size", NULL};
  fig_axes *a;
  figure *f = axes_canvas(L, "ax:points", &a);
  check_options(L, 4, "ax:points", known);
  int size = lua_istable(L, 4) ? (int)la_int(L, 4, "ax:points", "size", 2, 1, 50) : 2;
  uint32_t c = opt_colour(L, 4, "ax:points", FIG_BLUE);
  const double *x, *y;
  size_t n = xy(L, "ax:points", &x, &y);
  for (size_t i = 0; i < n; i++) figure_point(f, a, x[i], y[i], c, size);
  return 0;
}

/* ax:bars(x, heights, {width = 1, color}): bars from x to x + width */
static int a_bars(lua_State *L) {
  static const char *const known[] = {"color", "width", NULL};
  fig_axes *a;
  figure *f = axes_canvas(L, "ax:bars", &a);
  check_options(L, 4, "ax:bars", known);
  double w = lua_istable(L, 4) ? la_num(L, 4, "ax:bars", "width", 1, 0, HUGE_VAL) : 1;
  uint32_t c = opt_colour(L, 4, "ax:bars", FIG_GREY);
  const double *x, *y;
  size_t n = xy(L, "ax:bars", &x, &y);
  for (size_t i = 0; i < n; i++) figure_bar(f, a, x[i], x[i] + w, y[i], c);
  return 0;
}

static int a_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  return la_error(L, "ax", "no field '%s' (axes have the methods line, points and bars)",
                  k ? k : la_typename(L, 2));
}

/* g:save(path): a PNG; a relative path goes into the run directory */
static int c_save(lua_State *L) {
  figure *f = lfig_check(L, 1, "g:save");
  const char *path = la_arg_str(L, 2, "g:save", "the file name");
  size_t n = strlen(path);
  if (n < 5 || strcmp(path + n - 4, ".png"))
    la_error(L, "g:save", "the file name must end in .png (got \"%s\")", path);
  const char *dir = lsoma_run_of(L)->dir;
  if (path[0] != '/' && dir) path = lua_pushfstring(L, "%s/%s", dir, path);
  char err[512];
  if (figure_save(f, path, err, sizeof err)) la_error(L, "g:save", "%s", err);
  lua_pushstring(L, path);
  return 1;
}

static int c_index(lua_State *L) {
  const char *k = lua_tostring(L, 2);
  if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) return 1;
  figure *f = lfig_check(L, 1, "g");
  int w, h;
  figure_pixels(f, &w, &h);
  if (k && !strcmp(k, "width")) lua_pushinteger(L, w);
  else if (k && !strcmp(k, "height")) lua_pushinteger(L, h);
  else
    return la_error(L, "g", "no field '%s' (fields: width, height; methods: clear, rect, line, "
                    "circle, text, axes, save)", k ? k : la_typename(L, 2));
  return 1;
}

void lfig_open(lua_State *L) {
  static const luaL_Reg cm[] = {{"clear", c_clear}, {"rect", c_rect}, {"line", c_line},
                                {"circle", c_circle}, {"text", c_text}, {"axes", c_axes},
                                {"save", c_save},   {"__index", c_index}, {"__gc", c_gc},
                                {NULL, NULL}};
  luaL_newmetatable(L, CANVAS);
  luaL_setfuncs(L, cm, 0);
  lua_pop(L, 1);
  static const luaL_Reg am[] = {{"line", a_line}, {"points", a_points}, {"bars", a_bars},
                                {"__index", a_index}, {NULL, NULL}};
  luaL_newmetatable(L, AXES);
  luaL_setfuncs(L, am, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, l_figure);
  lua_setfield(L, -2, "figure");
}
