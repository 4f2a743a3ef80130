/* canvas.h — an RGBA pixel buffer and the few shapes worlds draw themselves with: filled and
 * outlined rectangles, circles, line segments, all clipped to the buffer and alpha-blended.
 * Text, axes and PNG output live in app/figure.c, which draws on the same canvas. */
#ifndef SOMA_CANVAS_H
#define SOMA_CANVAS_H

#include <stdint.h>

/* w x h pixels, row-major, 4 bytes each (R, G, B, A). Colours are 0xRRGGBBAA. */
typedef struct soma_canvas {
  int w, h;
  uint8_t *rgba;
} soma_canvas;

/* Blends colour c into pixel (x, y) with coverage a (0..255, times c's own alpha). */
void canvas_blend(soma_canvas *c, int x, int y, uint32_t rgba, unsigned a);
void canvas_clear(soma_canvas *c, uint32_t rgba);
void canvas_rect(soma_canvas *c, int x, int y, int w, int h, uint32_t rgba, int filled);
void canvas_circle(soma_canvas *c, int cx, int cy, int r, uint32_t rgba, int filled);
/* A one-pixel line (Bresenham) clipped to the rectangle (cx, cy, cw, ch). */
void canvas_segment_clipped(soma_canvas *c, int x0, int y0, int x1, int y1, uint32_t rgba, int cx,
                            int cy, int cw, int ch);
void canvas_segment(soma_canvas *c, int x0, int y0, int x1, int y1, uint32_t rgba);

#endif
