/* window.c — the SDL window. Frames go straight to the window's surface (no GPU renderer:
 * the canvas is drawn on the CPU anyway, and Mesa's software GL path crashes reading pixels
 * back under Xvfb). */
#include "window.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"

struct window {
  SDL_Window *win;
  int w, h;
  int closed, paused;
  int delay_ms;      /* slowing down for watching: +/- halve or double it (0: full speed) */
  int shots;         /* screenshots taken with the s key */
  char shot_dir[4096];
  figure *last;      /* a copy of the last canvas shown, for redraws while paused */
};

window *window_open(int w, int h, const char *title, char *err, size_t errlen) {
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
    snprintf(err, errlen, "cannot open a window (%s); is there a display? Run headless, or "
             "under xvfb-run", SDL_GetError());
    return NULL;
  }
  window *win = calloc(1, sizeof *win);
  if (!win) return NULL;
  win->w = w;
  win->h = h;
  win->win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, 0);
  win->last = figure_create(w, h);
  if (!win->win || !SDL_GetWindowSurface(win->win) || !win->last) {
    snprintf(err, errlen, "cannot open a window: %s", SDL_GetError());
    window_close(win);
    return NULL;
  }
  return win;
}

void window_close(window *win) {
  if (!win) return;
  if (win->win) SDL_DestroyWindow(win->win);
  figure_destroy(win->last);
  free(win);
  SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

static void present(window *win, const figure *f) {
  int w, h;
  const uint8_t *px = figure_pixels(f, &w, &h);
  SDL_Surface *dst = SDL_GetWindowSurface(win->win);   /* may change after a resize */
  if (!dst || w != win->w || h != win->h) return;
  SDL_Surface *src = SDL_CreateRGBSurfaceWithFormatFrom((void *)px, w, h, 32, w * 4, SDL_PIXELFORMAT_RGBA32);
  if (!src) return;
  SDL_BlitSurface(src, NULL, dst, NULL);
  SDL_FreeSurface(src);
  SDL_UpdateWindowSurface(win->win);
}

static void screenshot_key(window *win) {
  char path[4200], err[512];
  snprintf(path, sizeof path, "%s/screenshot-%d.png", win->shot_dir[0] ? win->shot_dir : ".", ++win->shots);
  if (window_screenshot(win, path, err, sizeof err)) fprintf(stderr, "soma: %s\n", err);
  else fprintf(stderr, "soma: saved %s\n", path);
}

static void handle(window *win, const SDL_Event *e) {
  if (e->type == SDL_QUIT || (e->type == SDL_WINDOWEVENT && e->window.event == SDL_WINDOWEVENT_CLOSE)) {
    win->closed = 1;
  } else if (e->type == SDL_KEYDOWN) {
    SDL_Keycode k = e->key.keysym.sym;
    if (k == SDLK_ESCAPE || k == SDLK_q) win->closed = 1;
    else if (k == SDLK_SPACE && !e->key.repeat) win->paused = !win->paused;
    else if (k == SDLK_MINUS || k == SDLK_KP_MINUS) win->delay_ms = win->delay_ms ? (win->delay_ms < 512 ? win->delay_ms * 2 : 512) : 1;
    else if (k == SDLK_PLUS || k == SDLK_EQUALS || k == SDLK_KP_PLUS) win->delay_ms /= 2;
    else if (k == SDLK_s && !e->key.repeat) screenshot_key(win);
  } else if (e->type == SDL_WINDOWEVENT && e->window.event == SDL_WINDOWEVENT_EXPOSED) {
    present(win, win->last);
  }
}

int window_delay_ms(const window *win) { return win->delay_ms; }

void window_set_screenshot_dir(window *win, const char *dir) {
  snprintf(win->shot_dir, sizeof win->shot_dir, "%s", dir ? dir : ".");
}

int window_poll(window *win) {
  SDL_Event e;
  while (SDL_PollEvent(&e)) handle(win, &e);
  while (win->paused && !win->closed) {
    figure *f = figure_create(win->w, win->h);
    if (f) {
      memcpy(figure_pixels_mut(f), figure_pixels(win->last, &(int){0}, &(int){0}), (size_t)win->w * (size_t)win->h * 4);
      figure_rect(f, 0, 0, win->w, 28, 0x000000c0u, 1);
      figure_text(f, win->w / 2, 14, "paused: Space resumes, q or Esc stops, s saves a screenshot", 14,
                  0xffffffffu, 0, 0);
      present(win, f);
      figure_destroy(f);
    }
    if (SDL_WaitEventTimeout(&e, 200)) handle(win, &e);
  }
  return win->closed;
}

int window_show(window *win, const figure *f) {
  int w, h;
  memcpy(figure_pixels_mut(win->last), figure_pixels(f, &w, &h), (size_t)win->w * (size_t)win->h * 4);
  present(win, f);
  return window_poll(win);
}

void window_hold(window *win, double timeout_s) {
  double end = cli_now() + timeout_s;
  SDL_Event e;
  while (!win->closed && (timeout_s < 0 || cli_now() < end)) {
    if (SDL_WaitEventTimeout(&e, 100)) handle(win, &e);
    win->paused = 0;
  }
}

int window_screenshot(window *win, const char *path, char *err, size_t errlen) {
  SDL_Surface *src = SDL_GetWindowSurface(win->win);
  figure *f = figure_create(win->w, win->h);
  SDL_Surface *dst = f ? SDL_CreateRGBSurfaceWithFormatFrom(figure_pixels_mut(f), win->w, win->h, 32,
                                                            win->w * 4, SDL_PIXELFORMAT_RGBA32) : NULL;
  int rc = -1;
  if (!src || !dst) snprintf(err, errlen, "cannot read the window's pixels: %s", SDL_GetError());
  else if (SDL_BlitSurface(src, NULL, dst, NULL)) snprintf(err, errlen, "cannot read the window's pixels: %s", SDL_GetError());
  else rc = figure_save(f, path, err, errlen);
  if (dst) SDL_FreeSurface(dst);
  figure_destroy(f);
  return rc;
}
