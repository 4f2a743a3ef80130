/* canvas.c — pixel drawing on an RGBA buffer: blending, rectangles, circles, segments. */
#include "envs/canvas.h"

#include <stdlib.h>
#include <string.h>

void canvas_blend(soma_canvas *c, int x, int y, uint32_t rgba, unsigned a) {
  if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
  a = a * (rgba & 0xff) / 255;
  uint8_t *p = c->rgba + ((size_t)y * (size_t)c->w + (size_t)x) * 4;
  unsigned rgb[3] = {(rgba >> 24) & 0xff, (rgba >> 16) & 0xff, (rgba >> 8) & 0xff};
  for (int k = 0; k < 3; k++) p[k] = (uint8_t)((rgb[k] * a + p[k] * (255 - a)) / 255);
  p[3] = 255;
}

void canvas_clear(soma_canvas *c, uint32_t rgba) {
  uint8_t v[4] = {(uint8_t)(rgba >> 24), (uint8_t)(rgba >> 16), (uint8_t)(rgba >> 8), 255};
  for (size_t i = 0; i < (size_t)c->w * (size_t)c->h; i++) memcpy(c->rgba + 4 * i, v, 4);
}

static void fill(soma_canvas *c, int x0, int y0, int x1, int y1, uint32_t rgba) {
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > c->w) x1 = c->w;
  if (y1 > c->h) y1 = c->h;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) canvas_blend(c, x, y, rgba, 255);
}

void canvas_rect(soma_canvas *c, int x, int y, int w, int h, uint32_t rgba, int filled) {
  if (w <= 0 || h <= 0) return;
  if (filled) {
    fill(c, x, y, x + w, y + h, rgba);
    return;
  }
  fill(c, x, y, x + w, y + 1, rgba);
  fill(c, x, y + h - 1, x + w, y + h, rgba);
  fill(c, x, y + 1, x + 1, y + h - 1, rgba);
  fill(c, x + w - 1, y + 1, x + w, y + h - 1, rgba);
}

void canvas_circle(soma_canvas *c, int cx, int cy, int r, uint32_t rgba, int filled) {
  if (r < 0 || r > 1 << 15) return;
  /* only the rows and columns inside the canvas (a huge circle is mostly outside it) */
  int64_t y0 = -(int64_t)r, y1 = r, x0 = -(int64_t)r, x1 = r;
  if (y0 < -(int64_t)cy) y0 = -(int64_t)cy;
  if (y1 > (int64_t)c->h - 1 - cy) y1 = (int64_t)c->h - 1 - cy;
  if (x0 < -(int64_t)cx) x0 = -(int64_t)cx;
  if (x1 > (int64_t)c->w - 1 - cx) x1 = (int64_t)c->w - 1 - cx;
  const int64_t outer = (int64_t)r * r + r, inner = (int64_t)(r - 1) * (r - 1) + (r - 1);
  for (int64_t y = y0; y <= y1; y++)
    for (int64_t x = x0; x <= x1; x++) {
      int64_t d2 = x * x + y * y;
      if (d2 > outer) continue;
      if (!filled && d2 < inner) continue;
      canvas_blend(c, (int)(cx + x), (int)(cy + y), rgba, 255);
    }
}

void canvas_segment_clipped(soma_canvas *c, int x0, int y0, int x1, int y1, uint32_t rgba, int cx,
                            int cy, int cw, int ch) {
  if (abs(x1 - x0) > 100000 || abs(y1 - y0) > 100000) return;
  int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int e = dx + dy;
  for (int guard = 0; guard < 200001; guard++) {
    if (x0 >= cx && x0 < cx + cw && y0 >= cy && y0 < cy + ch) canvas_blend(c, x0, y0, rgba, 255);
    if (x0 == x1 && y0 == y1) break;
    int e2 = 2 * e;
    if (e2 >= dy) e += dy, x0 += sx;
    if (e2 <= dx) e += dx, y0 += sy;
  }
}

void canvas_segment(soma_canvas *c, int x0, int y0, int x1, int y1, uint32_t rgba) {
  canvas_segment_clipped(c, x0, y0, x1, y1, rgba, 0, 0, c->w, c->h);
}
