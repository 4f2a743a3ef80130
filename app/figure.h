/* figure.h — headless figures: an RGBA canvas with axes, ticks, labels (SDL2_ttf, DejaVu
 * Sans), points, lines and bars, saved as PNG (libpng); plain pixel drawing for canvases that scripts
 * and the live window draw on. */
#ifndef SOMA_FIGURE_H
#define SOMA_FIGURE_H

#include <stddef.h>
#include <stdint.h>

#include "envs/canvas.h"

typedef struct figure figure;

/* A panel: its pixel rectangle and the data range it maps onto it. */
typedef struct fig_axes {
  int x, y, w, h;
  double x0, x1, y0, y1;
} fig_axes;

#define FIG_BLACK 0x000000ffu
#define FIG_GREY 0x909090ffu
#define FIG_BLUE 0x1f5fb4ffu
#define FIG_RED 0xc8322dffu
#define FIG_GREEN 0x2e8b57ffu

/* A white canvas of w x h pixels, or NULL when out of memory. */
figure *figure_create(int w, int h);
void figure_destroy(figure *f);

/* Draws a frame with ticks at round values, tick labels, axis labels and a title; returns
 * the panel for plotting. */
fig_axes figure_axes(figure *f, int x, int y, int w, int h, double x0, double x1, double y0,
                     double y1, const char *xlabel, const char *ylabel, const char *title);
void figure_point(figure *f, const fig_axes *a, double x, double y, uint32_t rgba, int size);
void figure_line(figure *f, const fig_axes *a, const double *x, const double *y, size_t n,
                 uint32_t rgba);
void figure_bar(figure *f, const fig_axes *a, double x0, double x1, double y, uint32_t rgba);
/* Text at pixel (x, y): align -1 left, 0 centred, 1 right; vertical text when rotate is set. */
void figure_text(figure *f, int x, int y, const char *s, int px, uint32_t rgba, int align,
                 int rotate);

/* Drawing in pixel coordinates (origin top left), clipped to the canvas. */
void figure_clear(figure *f, uint32_t rgba);
void figure_rect(figure *f, int x, int y, int w, int h, uint32_t rgba, int filled);
void figure_segment(figure *f, int x0, int y0, int x1, int y1, uint32_t rgba);
void figure_circle(figure *f, int cx, int cy, int r, uint32_t rgba, int filled);
/* The pixels, RGBA row-major, w x h. */
const uint8_t *figure_pixels(const figure *f, int *w, int *h);
uint8_t *figure_pixels_mut(figure *f);
/* The pixels as a canvas, for worlds to draw on. */
soma_canvas *figure_canvas(figure *f);

/* The viridis colour map at t in [0, 1] (clamped; NaN is 0), opaque. */
uint32_t figure_viridis(double t);
/* A vertical viridis bar 18 px wide and h high at (x, y), labelled lo (bottom) to hi (top). */
void figure_colour_bar(figure *f, int x, int y, int h, double lo, double hi);

/* Writes the canvas as an 8-bit RGBA PNG. Returns 0, or -1 with a message in err. */
int figure_save(const figure *f, const char *path, char *err, size_t errlen);

#endif
