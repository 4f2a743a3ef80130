/* micro_worlds.c — steps per second of every world through soma_env_step (checks included),
 * with random valid actions and resets at the end of each episode: the median of 5 runs of
 * 10^6 steps each (fewer for slow worlds). Prints a markdown table (bench/out/worlds.md via
 * make bench). The environment must never be an agent's bottleneck: compare with the
 * simulated milliseconds a network needs per agent step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "envs/env.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* seconds for n steps */
static double run(soma_env *e, long n) {
  unsigned st = 1;
  double a[64];
  char err[256];
  soma_env_result r;
  soma_env_reset(e, 1, 1);
  double t0 = now();
  for (long k = 0; k < n; k++) {
    st = st * 1664525u + 1013904223u;
    int na = e->act_space.kind == SOMA_SPACE_DISCRETE ? 1 : e->act_space.n;
    if (e->act_space.kind == SOMA_SPACE_DISCRETE) a[0] = (double)((st >> 8) % (unsigned)e->act_space.n);
    else
      for (int i = 0; i < na; i++) a[i] = ((st >> (i + 4)) & 0xffff) / 32768.0 - 1;
    if (soma_env_step(e, a, na, &r, err, sizeof err)) {
      fprintf(stderr, "%s: %s\n", e->world->name, err);
      exit(1);
    }
    if (e->done) soma_env_reset(e, 0, 0);
  }
  return now() - t0;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  static const struct {
    const char *label, *world, *map;
  } cases[] = {
      {"grid (labyrinth, position)", "grid", "maps/labyrinth.txt"},
      {"grid (Dyna maze, position)", "grid", "maps/dyna_maze.txt"},
      {"watermaze (continuous)", "watermaze", NULL},
      {"forage (9 rays)", "forage", NULL},
      {"bandit (2 arms)", "bandit", NULL},
      {"reach (point mass)", "reach", NULL},
  };
  printf("| world | ns per step (median of 5) | steps per second |\n|---|---|---|\n");
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    soma_env_opt o = {"map", cases[c].map, NULL, 0};
    char err[512];
    soma_env *e = soma_env_create(cases[c].world, &o, cases[c].map ? 1 : 0, err, sizeof err);
    if (!e) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
    long steps = strcmp(cases[c].world, "forage") ? n : n / 4;
    double t[5];
    for (int k = 0; k < 5; k++) t[k] = run(e, steps) / (double)steps;
    qsort(t, 5, sizeof *t, cmp);
    printf("| %s | %.0f | %.3g |\n", cases[c].label, t[2] * 1e9, 1 / t[2]);
    soma_env_destroy(e);
  }
  return 0;
}
