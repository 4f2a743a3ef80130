/* figure.c — the canvas, axes with round ticks, text through SDL2_ttf and PNG output.
 *
 * Text needs a TrueType font: $SOMA_FONT, else DejaVu Sans from fonts-dejavu-core. Without
 * one the figure is still drawn, without words, and a warning says so once. */
#include "figure.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct figure {
  soma_canvas c;
};

figure *figure_create(int w, int h) {
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384) return NULL;
  figure *f = malloc(sizeof *f);
  if (!f) return NULL;
  f->c.w = w;
  f->c.h = h;
  f->c.rgba = malloc((size_t)w * (size_t)h * 4);
  if (!f->c.rgba) {
    free(f);
    return NULL;
  }
  memset(f->c.rgba, 255, (size_t)w * (size_t)h * 4);
  return f;
}

void figure_destroy(figure *f) {
  if (!f) return;
  free(f->c.rgba);
  free(f);
}

static void blend(figure *f, int x, int y, uint32_t c, unsigned a) { canvas_blend(&f->c, x, y, c, a); }

static void fill(figure *f, int x0, int y0, int x1, int y1, uint32_t c) {
  canvas_rect(&f->c, x0, y0, x1 - x0, y1 - y0, c, 1);
}

void figure_clear(figure *f, uint32_t rgba) { canvas_clear(&f->c, rgba); }

void figure_rect(figure *f, int x, int y, int w, int h, uint32_t rgba, int filled) {
  canvas_rect(&f->c, x, y, w, h, rgba, filled);
}

void figure_circle(figure *f, int cx, int cy, int r, uint32_t rgba, int filled) {
  canvas_circle(&f->c, cx, cy, r, rgba, filled);
}

soma_canvas *figure_canvas(figure *f) { return &f->c; }

const uint8_t *figure_pixels(const figure *f, int *w, int *h) {
  *w = f->c.w;
  *h = f->c.h;
  return f->c.rgba;
}

uint8_t *figure_pixels_mut(figure *f) { return f->c.rgba; }

/* ---- text ---------------------------------------------------------------------------- */

static TTF_Font *font_at(int px) {
  static TTF_Font *cache[64];
  static int failed;
  if (px < 6) px = 6;
  if (px > 63) px = 63;
  if (cache[px]) return cache[px];
  if (failed) return NULL;
  if (!TTF_WasInit() && TTF_Init() != 0) {
    failed = 1;
    fprintf(stderr, "soma: warning: cannot start SDL2_ttf (%s); figures have no text\n", TTF_GetError());
    return NULL;
  }
  const char *path = getenv("SOMA_FONT");
  if (!path || !*path) path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  cache[px] = TTF_OpenFont(path, px);
  if (!cache[px]) {
    failed = 1;
    fprintf(stderr, "soma: warning: cannot open font %s (%s); figures have no text. Install "
                    "fonts-dejavu-core (make deps) or set SOMA_FONT\n", path, TTF_GetError());
  }
  return cache[px];
}

void figure_text(figure *f, int x, int y, const char *s, int px, uint32_t rgba, int align,
                 int rotate) {
  TTF_Font *font = font_at(px);
  if (!font || !s || !*s) return;
  SDL_Color white = {255, 255, 255, 255};
  SDL_Surface *g = TTF_RenderUTF8_Blended(font, s, white);
  if (!g) return;
  SDL_Surface *s32 = SDL_ConvertSurfaceFormat(g, SDL_PIXELFORMAT_RGBA32, 0);
  SDL_FreeSurface(g);
  if (!s32) return;
  int tw = s32->w, th = s32->h;
  int along = align < 0 ? 0 : align == 0 ? tw / 2 : tw;
  for (int j = 0; j < th; j++)
    for (int i = 0; i < tw; i++) {
      const uint8_t *p = (const uint8_t *)s32->pixels + j * s32->pitch + i * 4;
      if (!p[3]) continue;
      if (rotate) blend(f, x + j - th / 2, y + along - i, rgba, p[3]);
      else blend(f, x + i - along, y + j - th / 2, rgba, p[3]);
    }
  SDL_FreeSurface(s32);
}

/* ---- axes ---------------------------------------------------------------------------- */

/* A round step (1, 2 or 5 times a power of ten) giving about n ticks over span. */
static double tick_step(double span, int n) {
  double raw = span / n, p = pow(10, floor(log10(raw))), m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

static int px_x(const fig_axes *a, double x) {
  return a->x + (int)lround((x - a->x0) / (a->x1 - a->x0) * (a->w - 1));
}

static int px_y(const fig_axes *a, double y) {
  return a->y + a->h - 1 - (int)lround((y - a->y0) / (a->y1 - a->y0) * (a->h - 1));
}

fig_axes figure_axes(figure *f, int x, int y, int w, int h, double x0, double x1, double y0,
                     double y1, const char *xlabel, const char *ylabel, const char *title) {
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) y1 = y0 + 1;
  fig_axes a = {x, y, w, h, x0, x1, y0, y1};
  fill(f, x, y + h, x + w, y + h + 1, FIG_BLACK);
  fill(f, x - 1, y, x, y + h + 1, FIG_BLACK);
  char buf[32];
  double sx = tick_step(x1 - x0, 6);
  for (double t = ceil(x0 / sx) * sx; t <= x1 + 1e-9 * sx; t += sx) {
    int px = px_x(&a, t);
    fill(f, px, y + h, px + 1, y + h + 5, FIG_BLACK);
    snprintf(buf, sizeof buf, "%g", fabs(t) < 1e-12 * sx ? 0.0 : t);
    figure_text(f, px, y + h + 14, buf, 12, FIG_BLACK, 0, 0);
  }
  double sy = tick_step(y1 - y0, 4);
  for (double t = ceil(y0 / sy) * sy; t <= y1 + 1e-9 * sy; t += sy) {
    int py = px_y(&a, t);
    fill(f, x - 5, py, x, py + 1, FIG_BLACK);
    snprintf(buf, sizeof buf, "%g", fabs(t) < 1e-12 * sy ? 0.0 : t);
    figure_text(f, x - 8, py, buf, 12, FIG_BLACK, 1, 0);
  }
  if (xlabel) figure_text(f, x + w / 2, y + h + 34, xlabel, 13, FIG_BLACK, 0, 0);
  if (ylabel) figure_text(f, x - 52, y + h / 2, ylabel, 13, FIG_BLACK, 0, 1);
  if (title) figure_text(f, x + w / 2, y - 14, title, 15, FIG_BLACK, 0, 0);
  return a;
}

void figure_point(figure *f, const fig_axes *a, double x, double y, uint32_t rgba, int size) {
  if (x < a->x0 || x > a->x1 || y < a->y0 || y > a->y1) return;
  int px = px_x(a, x), py = px_y(a, y);
  fill(f, px - size / 2, py - size / 2, px - size / 2 + size, py - size / 2 + size, rgba);
}

static void segment(figure *f, const fig_axes *a, int x0, int y0, int x1, int y1, uint32_t c) {
  canvas_segment_clipped(&f->c, x0, y0, x1, y1, c, a->x, a->y, a->w, a->h);
}

void figure_segment(figure *f, int x0, int y0, int x1, int y1, uint32_t rgba) {
  canvas_segment(&f->c, x0, y0, x1, y1, rgba);
}

void figure_line(figure *f, const fig_axes *a, const double *x, const double *y, size_t n,
                 uint32_t rgba) {
  for (size_t k = 1; k < n; k++) {
    if (!isfinite(x[k - 1]) || !isfinite(y[k - 1]) || !isfinite(x[k]) || !isfinite(y[k])) continue;
    segment(f, a, px_x(a, x[k - 1]), px_y(a, y[k - 1]), px_x(a, x[k]), px_y(a, y[k]), rgba);
  }
}

void figure_bar(figure *f, const fig_axes *a, double x0, double x1, double y, uint32_t rgba) {
  double top = y > a->y1 ? a->y1 : y, base = a->y0 > 0 ? a->y0 : 0;
  if (!(top > base)) return;
  fill(f, px_x(a, x0), px_y(a, top), px_x(a, x1) + 1, px_y(a, base) + 1, rgba);
}

/* ---- colour ------------------------------------------------------------------------- */

uint32_t figure_viridis(double t) {
  static const double stops[5][3] = {
      {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  double s = t * 4;
  int i = s >= 4 ? 3 : (int)s;
  double f = s - i;
  uint32_t c = 0;
  for (int k = 0; k < 3; k++) {
    double v = stops[i][k] + f * (stops[i + 1][k] - stops[i][k]);
    c = (c << 8) | (uint32_t)lround(v);
  }
  return (c << 8) | 0xffu;
}

void figure_colour_bar(figure *f, int x, int y, int h, double lo, double hi) {
  for (int j = 0; j < h; j++)
    figure_rect(f, x, y + h - 1 - j, 18, 1, figure_viridis((double)j / (h - 1)), 1);
  figure_rect(f, x, y, 18, h, FIG_BLACK, 0);
  char buf[32];
  for (int k = 0; k <= 4; k++) {
    double v = lo + (hi - lo) * k / 4;
    snprintf(buf, sizeof buf, "%.4g", v);
    int py = y + h - 1 - (int)lround((double)k / 4 * (h - 1));
    figure_segment(f, x + 18, py, x + 22, py, FIG_BLACK);
    figure_text(f, x + 26, py, buf, 11, FIG_BLACK, -1, 0);
  }
}

/* ---- PNG ----------------------------------------------------------------------------- */

int figure_save(const figure *f, const char *path, char *err, size_t errlen) {
  FILE *fp = fopen(path, "wb");
  if (!fp) {
    snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    return -1;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(fp);
    snprintf(err, errlen, "cannot write PNG %s", path);
    return -1;
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, (png_uint_32)f->c.w, (png_uint_32)f->c.h, 8, PNG_COLOR_TYPE_RGBA,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < f->c.h; y++) png_write_row(png, f->c.rgba + (size_t)y * (size_t)f->c.w * 4);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  if (fclose(fp) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}
