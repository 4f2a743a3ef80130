/* window.h — the live window of `soma run --window`: shows a canvas (figure) in an SDL
 * window and handles its keys: Space pauses, - slows the run down for watching and + speeds
 * it up again, s saves a screenshot into the run directory, q, Esc or closing the window
 * stops the run. */
#ifndef SOMA_WINDOW_H
#define SOMA_WINDOW_H

#include <stddef.h>

#include "app/figure.h"

typedef struct window window;

/* Opens a w x h window; NULL with a message in err (no display, no SDL). */
window *window_open(int w, int h, const char *title, char *err, size_t errlen);
void window_close(window *win);

/* Shows the canvas, then handles pending events. While paused (Space), waits here until
 * Space again or close, redrawing a "paused" banner. Returns 1 once the user has closed the
 * window or pressed Esc, else 0. */
int window_show(window *win, const figure *f);
/* Handles pending events only (same return). */
int window_poll(window *win);
/* Keeps the window up until the user closes it, or timeout_s seconds (< 0: no limit). */
void window_hold(window *win, double timeout_s);
/* Milliseconds to wait between steps, set with - and + (0: full speed). */
int window_delay_ms(const window *win);
/* Where s saves screenshot-<n>.png (the run directory). */
void window_set_screenshot_dir(window *win, const char *dir);
/* Writes what the window shows now as a PNG. Returns 0, or -1 with a message in err. */
int window_screenshot(window *win, const char *path, char *err, size_t errlen);

#endif
