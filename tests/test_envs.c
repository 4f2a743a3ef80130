/* test_envs.c — what every world shares (envs/env.c): option checks and their messages,
 * episode bookkeeping, action checks, set() that refuses without changing anything, and, for
 * every registered world, the same seed giving the same episode and drawing within its
 * rectangle. The bandit is the world under test where one is needed. */
#include <string.h>

#include "envs/env.h"
#include "harness.h"

static soma_env *bandit(const soma_env_opt *o, int n) {
  char err[512];
  soma_env *e = soma_env_create("bandit", o, n, err, sizeof err);
  if (!e) printf("  (bandit: %s)\n", err);
  return e;
}

/* creation fails with a message containing want */
static void refused(const char *world, const soma_env_opt *o, int n, const char *want) {
  char err[1024] = "";
  soma_env *e = soma_env_create(world, o, n, err, sizeof err);
  CHECK_MSG(!e && strstr(err, want), "expected an error with '%s', got '%s'", want, e ? "(created)" : err);
  soma_env_destroy(e);
}

TEST(option_errors_name_the_option) {
  double two = 2, big = 1e9, half = 0.5, two_half = 2.5, p3[] = {0.1, 0.2, 0.3}, bad_p[] = {0.5, 1.5};
  refused("labyrinth9", NULL, 0, "unknown world 'labyrinth9'; worlds: bandit, ");
  refused("bandit", &(soma_env_opt){"arm", NULL, &two, 1}, 1, "unknown option 'arm' of world 'bandit' (did you mean 'arms'?)");
  refused("bandit", &(soma_env_opt){"arms", NULL, &big, 1}, 1, "arms must be <= 64");
  refused("bandit", &(soma_env_opt){"arms", NULL, &two_half, 1}, 1, "arms must be a whole number");
  refused("bandit", &(soma_env_opt){"arms", "two", NULL, 0}, 1, "option 'arms' takes one number");
  refused("bandit", &(soma_env_opt){"p", NULL, p3, 3}, 1, "p has 3 probabilities for 2 arms");
  refused("bandit", &(soma_env_opt){"p", NULL, bad_p, 2}, 1, "option 'p': value 2 must be in [0, 1] (got 1.5)");
  refused("bandit", &(soma_env_opt){"p", NULL, p3, 1}, 1, "option 'p' takes 2 to 64 numbers");
  refused("bandit", &(soma_env_opt){"max_steps", NULL, &half, 1}, 1, "max_steps must be a whole number");
}

TEST(steps_need_an_episode_and_valid_actions) {
  soma_env *e = bandit(NULL, 0);
  REQUIRE(e);
  char err[512] = "";
  soma_env_result r;
  double a = 0, two = 2, frac = 0.5, nan = NAN;
  CHECK(soma_env_step(e, &a, 1, &r, err, sizeof err) && strstr(err, "no episode yet"));
  soma_env_reset(e, 1, 1);
  CHECK(soma_env_step(e, &two, 1, &r, err, sizeof err) && strstr(err, "from 0 to 1 (got 2)"));
  CHECK(soma_env_step(e, &frac, 1, &r, err, sizeof err) && strstr(err, "whole number"));
  CHECK(soma_env_step(e, &nan, 1, &r, err, sizeof err));
  CHECK(soma_env_step(e, &a, 1, &r, err, sizeof err) == 0);
  CHECK(e->steps == 1 && e->episode == 1);
  soma_env_destroy(e);
}

TEST(episodes_end_and_truncate) {
  double trials = 5, max = 3;
  soma_env_opt o[] = {{"trials", NULL, &trials, 1}};
  soma_env *e = bandit(o, 1);
  REQUIRE(e);
  soma_env_result r;
  char err[256];
  double a = 1;
  soma_env_reset(e, 7, 1);
  int k = 0;
  do CHECK(soma_env_step(e, &a, 1, &r, err, sizeof err) == 0);
  while (!r.terminated && ++k < 10);
  CHECK(e->steps == 5 && r.terminated && !r.truncated);
  CHECK(soma_env_step(e, &a, 1, &r, err, sizeof err) && strstr(err, "the episode is over"));
  soma_env_opt m = {"max_steps", NULL, &max, 1};
  CHECK(soma_env_set(e, &m, 1, err, sizeof err) == 0);
  soma_env_reset(e, 0, 0);
  for (k = 0; k < 3; k++) soma_env_step(e, &a, 1, &r, err, sizeof err);
  CHECK(r.truncated && !r.terminated && e->done && e->episode == 2);
  soma_env_destroy(e);
}

TEST(set_refuses_and_keeps_the_old_value) {
  soma_env *e = bandit(NULL, 0);
  REQUIRE(e);
  char err[512] = "";
  double three = 3, p[] = {0.3, 0.9}, bad[] = {0.3, 0.9, 0.1};
  CHECK(soma_env_set(e, &(soma_env_opt){"arms", NULL, &three, 1}, 1, err, sizeof err) &&
        strstr(err, "cannot change"));
  CHECK(soma_env_param(e, "arms") == 2);
  CHECK(soma_env_set(e, &(soma_env_opt){"p", NULL, bad, 3}, 1, err, sizeof err));
  int n;
  CHECK(soma_env_list(e, "p", &n) == NULL);   /* still the default */
  CHECK(soma_env_set(e, &(soma_env_opt){"p", NULL, p, 2}, 1, err, sizeof err) == 0);
  soma_env_reset(e, 3, 1);
  CHECK(e->latent[soma_env_latent_index(e, "best_arm")] == 1);
  CHECK(e->latent[soma_env_latent_index(e, "p_best")] == 0.9);
  soma_env_destroy(e);
}

TEST(bandit_pays_with_its_probabilities_and_reverses) {
  double arms = 2, trials = 20000, every = 10000, p[] = {0.25, 0.75};
  soma_env_opt o[] = {{"arms", NULL, &arms, 1}, {"trials", NULL, &trials, 1}, {"reverse_every", NULL, &every, 1},
                      {"p", NULL, p, 2}};
  soma_env *e = bandit(o, 4);
  REQUIRE(e);
  soma_env_reset(e, 11, 1);
  double won[2] = {0, 0}, a = 1;
  soma_env_result r;
  char err[256];
  for (int k = 0; k < 20000; k++) {
    soma_env_step(e, &a, 1, &r, err, sizeof err);
    won[k >= 10000] += r.reward;
  }
  CHECK_NEAR(won[0] / 10000, 0.75, 0.02);
  CHECK_NEAR(won[1] / 10000, 0.25, 0.02);
  CHECK(r.terminated && e->latent[soma_env_latent_index(e, "context")] == 2);
  soma_env_destroy(e);
}

/* ---- every world ------------------------------------------------------------------------- */

/* the options a world needs to be made (maps for the grid) */
static int needed_opts(const char *world, soma_env_opt *o) {
  if (!strcmp(world, "grid")) {
    o[0] = (soma_env_opt){"map", "maps/dyna_maze.txt", NULL, 0};
    return 1;
  }
  return 0;
}

/* random valid actions from a fixed sequence, so two runs make the same choices */
static void action(const soma_env *e, unsigned *state, double *a, int *n) {
  *state = *state * 1664525u + 1013904223u;
  if (e->act_space.kind == SOMA_SPACE_DISCRETE) {
    a[0] = (double)((*state >> 8) % (unsigned)e->act_space.n);
    *n = 1;
    return;
  }
  *n = e->act_space.n;
  for (int i = 0; i < *n; i++) {
    *state = *state * 1664525u + 1013904223u;
    a[i] = ((*state >> 8) / 16777216.0) * 2 - 1;
  }
}

/* hash of observations, rewards and latents over 3 episodes of up to 300 steps */
static uint64_t episode_hash(const soma_world *w, uint64_t seed) {
  soma_env_opt o[4];
  char err[1024];
  soma_env *e = soma_env_create(w->name, o, needed_opts(w->name, o), err, sizeof err);
  if (!e) {
    printf("  (%s: %s)\n", w->name, err);
    return 0;
  }
  uint64_t h = 1469598103934665603ull;
  unsigned st = 12345;
  for (int ep = 0; ep < 3; ep++) {
    soma_env_reset(e, seed, ep == 0);
    for (int k = 0; k < 300 && !e->done; k++) {
      double a[64];
      int n;
      soma_env_result r;
      action(e, &st, a, &n);
      if (soma_env_step(e, a, n, &r, err, sizeof err)) {
        printf("  (%s: %s)\n", w->name, err);
        break;
      }
      const double *parts[2] = {e->obs, e->latent};
      int lens[2] = {e->obs_space.n, w->n_latents};
      for (int p = 0; p < 2; p++)
        for (int i = 0; i < lens[p]; i++) {
          uint64_t bits;
          double v = parts[p][i];
          memcpy(&bits, &v, sizeof bits);
          h = (h ^ bits) * 1099511628211ull;
        }
      uint64_t rb;
      memcpy(&rb, &r.reward, sizeof rb);
      h = (h ^ rb) * 1099511628211ull;
    }
  }
  soma_env_destroy(e);
  return h;
}

TEST(every_world_repeats_its_episodes_for_a_seed) {
  for (const soma_world *const *w = soma_worlds(); *w; w++) {
    uint64_t a = episode_hash(*w, 42), b = episode_hash(*w, 42), c = episode_hash(*w, 43);
    CHECK_MSG(a && a == b, "world %s: same seed, different episodes", (*w)->name);
    CHECK_MSG(a != c || !strcmp((*w)->name, "grid"), "world %s: seeds 42 and 43 gave the same episodes",
              (*w)->name);
  }
}

TEST(every_world_draws_inside_its_rectangle) {
  for (const soma_world *const *w = soma_worlds(); *w; w++) {
    soma_env_opt o[4];
    char err[1024];
    soma_env *e = soma_env_create((*w)->name, o, needed_opts((*w)->name, o), err, sizeof err);
    CHECK_MSG(e, "world %s: %s", (*w)->name, err);
    if (!e) continue;
    soma_env_reset(e, 1, 1);
    enum { W = 200, H = 160 };
    static uint8_t px[W * H * 4];
    memset(px, 255, sizeof px);
    soma_canvas c = {W, H, px};
    soma_env_draw(e, &c, 50, 40, 100, 80);
    int inside = 0, outside = 0;
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        const uint8_t *p = px + 4 * (y * W + x);
        int drawn = p[0] != 255 || p[1] != 255 || p[2] != 255;
        if (x >= 50 && x < 150 && y >= 40 && y < 120) inside += drawn;
        else outside += drawn;
      }
    CHECK_MSG(inside > 100 && outside == 0, "world %s: %d pixels drawn inside, %d outside",
              (*w)->name, inside, outside);
    soma_env_destroy(e);
  }
}

/* Found by tests/fuzz/params.c: a forage hazard of radius 1e9 m drawn small became a circle of
 * 2^15 pixels, whose x*x + y*y overflowed int and whose 2^32 pixels took minutes. Circles are
 * drawn only where they meet the canvas. */
TEST(huge_circles_are_clipped) {
  uint8_t px[40 * 30 * 4];
  soma_canvas c = {40, 30, px};
  memset(px, 0, sizeof px);
  canvas_circle(&c, 20, 15, 1 << 15, 0xff0000ffu, 1);   /* covers everything */
  int all = 1;
  for (int k = 0; k < 40 * 30; k++) all &= px[4 * k] == 0xff;
  CHECK(all);
  memset(px, 0, sizeof px);
  canvas_circle(&c, -30000, 15, 30010, 0x00ff00ffu, 0);   /* its rim crosses the left edge */
  int some = 0, inside = 1;
  for (int k = 0; k < 40 * 30; k++) some |= px[4 * k + 1] == 0xff;
  for (int y = 0; y < 30; y++) inside &= px[4 * (y * 40 + 30) + 1] == 0;   /* right of the rim */
  CHECK(some && inside);
  canvas_circle(&c, 1 << 30, 1 << 30, 1 << 15, 0x0000ffffu, 1);   /* far away: nothing */
  canvas_circle(&c, 0, 0, (1 << 15) + 1, 0x0000ffffu, 1);          /* too big: refused */
  for (int k = 0; k < 40 * 30; k++) CHECK(px[4 * k + 2] == 0);
}

TEST(every_world_describes_itself) {
  for (int i = 0; i < soma_world_count(); i++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(soma_world_describe_name(soma_world_name(i), f) == 0);
    fclose(f);
    CHECK(strstr(buf, "options:") && strstr(buf, "max_steps") && strstr(buf, "latents"));
    free(buf);
  }
  CHECK(soma_world_describe_name("nope", stdout) != 0);
}

int main(void) {
  RUN(option_errors_name_the_option);
  RUN(steps_need_an_episode_and_valid_actions);
  RUN(episodes_end_and_truncate);
  RUN(set_refuses_and_keeps_the_old_value);
  RUN(bandit_pays_with_its_probabilities_and_reverses);
  RUN(every_world_repeats_its_episodes_for_a_seed);
  RUN(every_world_draws_inside_its_rectangle);
  RUN(huge_circles_are_clipped);
  RUN(every_world_describes_itself);
  return h_done();
}
