/* test_env_arena.c — the continuous worlds against hand-computed geometry: a straight swim to
 * the water maze's platform ends after the expected number of steps, the rim keeps the swimmer
 * in the pool (stop and reflect), the start points, moving the platform; in the forage arena
 * ray readings for walls, food and hazards at known distances, walls hiding food, eating,
 * the hazard penalty, walls stopping the agent; the same seed giving the same episode; bad
 * options; drawing. Steps per second are printed for information. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "envs/env.h"
#include "envs/geom2d.h"

/* options written inline: NUM("platform", 0, 0.5), STR("start", "N") */
#define NUM(k, ...)                                                                        \
  ((soma_env_opt){k, NULL, (const double[]){__VA_ARGS__},                                  \
                  (int)(sizeof((double[]){__VA_ARGS__}) / sizeof(double))})
#define STR(k, s) ((soma_env_opt){k, s, NULL, 0})
#define MAKE(world, ...)                                                                   \
  make(world, (const soma_env_opt[]){__VA_ARGS__},                                         \
       (int)(sizeof((soma_env_opt[]){__VA_ARGS__}) / sizeof(soma_env_opt)))

static soma_env *make(const char *world, const soma_env_opt *o, int n) {
  char err[512];
  soma_env *e = soma_env_create(world, o, n, err, sizeof err);
  if (!e) printf("  create %s: %s\n", world, err);
  return e;
}

/* one step with up to two action values; prints soma's message on refusal */
static soma_env_result act(soma_env *e, double a0, double a1) {
  soma_env_result r;
  char err[256];
  double a[2] = {a0, a1};
  int n = e->act_space.kind == SOMA_SPACE_DISCRETE ? 1 : 2;
  if (soma_env_step(e, a, n, &r, err, sizeof err)) printf("  step: %s\n", err);
  return r;
}

static double lat(const soma_env *e, const char *name) {
  int i = soma_env_latent_index(e, name);
  return i >= 0 ? e->latent[i] : NAN;
}

static uint64_t rng_state = 88172645463325252ull;
static double rnd(void) {   /* xorshift64 in [0, 1): actions independent of the worlds */
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* distance from (x, y) to the segment {x0, y0, x1, y1}, computed here independently */
static double seg_dist(double x, double y, const double *s) {
  double ex = s[2] - s[0], ey = s[3] - s[1];
  double t = ((x - s[0]) * ex + (y - s[1]) * ey) / (ex * ex + ey * ey);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return hypot(x - s[0] - t * ex, y - s[1] - t * ey);
}

/* ---- geometry ------------------------------------------------------------------------- */

TEST(geometry_helpers) {
  geom_seg wall = {2, -1, 2, 1};
  CHECK_NEAR(geom_ray_segment(0, 0, 1, 0, &wall), 2, 1e-15);
  CHECK_NEAR(geom_ray_segment(0, 0, 0.96, 0.28, &wall), 2 / 0.96, 1e-12);
  CHECK(isinf(geom_ray_segment(0, 0, -1, 0, &wall)));   /* behind */
  CHECK(isinf(geom_ray_segment(0, 0, 0, 1, &wall)));    /* parallel */
  CHECK(isinf(geom_ray_segment(0, 0, 0.6, 0.8, &wall)));   /* passes above its end */
  CHECK_NEAR(geom_point_segment(0, 3, &wall, NULL, NULL), hypot(2, 2), 1e-15);
  CHECK_NEAR(geom_ray_circle(0, 0, 1, 0, 3, 0, 1), 2, 1e-15);
  CHECK_NEAR(geom_ray_circle(0, 0, 0.6, 0.8, 3, 4, 1), 4, 1e-12);
  CHECK(geom_ray_circle(3, 0.5, 1, 0, 3, 0, 1) == 0);   /* from inside */
  CHECK(isinf(geom_ray_circle(0, 0, 0, 1, 3, 0, 1)));
  CHECK(isinf(geom_ray_circle(0, 0, -1, 0, 3, 0, 1)));
  CHECK_NEAR(geom_ray_circle_exit(0.5, 0, 1, 0, 0, 0, 1), 0.5, 1e-15);
  /* a pool of radius 1: 2.5 m east from the centre bounces once, ends 0.5 m west */
  double px[GEOM_POOL_MAX_PATH], py[GEOM_POOL_MAX_PATH];
  int hits, n = geom_pool_move(1, GEOM_RIM_REFLECT, 0, 0, 2.5, 0, px, py, &hits);
  CHECK(n == 3 && hits == 1);
  CHECK_NEAR(px[1], 1, 1e-15);
  CHECK_NEAR(px[2], -0.5, 1e-12);
  /* at 45 degrees onto the rim at (0, -1): leaves at 45 degrees the other way */
  n = geom_pool_move(1, GEOM_RIM_REFLECT, -0.5, -0.5, 1, -1, px, py, &hits);
  CHECK(n == 3 && hits == 1);
  CHECK_NEAR(px[1], 0, 1e-12);
  CHECK_NEAR(py[1], -1, 1e-12);
  CHECK_NEAR(px[2] - px[1], py[2] - py[1], 1e-12);   /* heading NE after the bounce */
  n = geom_pool_move(1, GEOM_RIM_STOP, 0, 0, 5, 0, px, py, &hits);
  CHECK(n == 2 && hits == 1 && px[1] == 1);
  /* a body of radius 0.5 walks into the wall and stops half a metre before it */
  double x = 0, y = 0;
  geom_move_among(&wall, 1, 0.5, &x, &y, 10, 0);
  CHECK_NEAR(x, 1.5, 1e-12);
  x = 1.8, y = 1.3;   /* overlapping the wall's end: pushed out radially */
  geom_move_among(&wall, 1, 0.5, &x, &y, 0, 0);
  CHECK_NEAR(hypot(x - 2, y - 1), 0.5, 1e-12);
}

/* ---- watermaze ------------------------------------------------------------------------ */

/* Swims south from N (0, 1) at 0.3 m/s, 0.1 s steps: 0.03 m a step, the platform's edge at
 * y = 0.6 is met on step ceil(0.4 / 0.03) = 14. */
static void swim_south(soma_env *e, double south0, double south1) {
  soma_env_reset(e, 1, 1);
  CHECK_NEAR(e->obs[0], 0, 1e-12);
  CHECK_NEAR(e->obs[1], 1, 1e-12);
  soma_env_result r = {0};
  int k = 0;
  while (k < 100 && !r.terminated) {
    r = act(e, south0, south1);
    k++;
    if (!r.terminated) CHECK(r.reward == 0);
  }
  CHECK(k == 14);
  CHECK(r.reward == 5);
  CHECK_NEAR(lat(e, "y"), 0.6, 1e-9);
  CHECK_NEAR(lat(e, "dist_to_goal"), 0.1, 1e-9);
  CHECK(lat(e, "trial_phase") == 1);
  CHECK_NEAR(lat(e, "speed"), (1 - 0.03 * 13 - 0.6) / 0.1, 1e-9);   /* the last, short leg */
  CHECK_NEAR(lat(e, "heading"), -M_PI / 2, 1e-12);
}

TEST(watermaze_straight_swim_reaches_platform) {
  soma_env *e = MAKE("watermaze", NUM("platform", 0, 0.5), STR("start", "N"), NUM("reward", 5));
  REQUIRE(e);
  CHECK(e->act_space.kind == SOMA_SPACE_BOX && e->act_space.n == 2);
  CHECK(e->obs_space.n == 2);
  swim_south(e, 0, -1);
  swim_south(e, 0, -3);   /* clipped to the box, then at most full speed */
  soma_env_destroy(e);
  e = MAKE("watermaze", NUM("platform", 0, 0.5), STR("start", "N"), NUM("reward", 5),
           STR("actions", "discrete8"));
  REQUIRE(e);
  CHECK(e->act_space.kind == SOMA_SPACE_DISCRETE && e->act_space.n == 8);
  CHECK(!strcmp(e->act_space.labels[4], "S"));
  swim_south(e, 4, 0);
  soma_env_destroy(e);
  /* a diagonal: from E (1, 0) towards SW, reaching a platform at (0.5, -0.5) */
  e = MAKE("watermaze", NUM("platform", 0.5, -0.5), STR("start", "E"), STR("actions", "discrete8"),
           STR("obs", "position_velocity"));
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  soma_env_result r = {0};
  int k = 0;
  while (k < 200 && !r.terminated) r = act(e, 5, 0), k++;   /* SW */
  /* along y = x - 1 the platform's centre is 0.5 * sqrt 2 away, its edge 0.1 m nearer */
  CHECK(k == (int)ceil((0.5 * sqrt(2) - 0.1) / 0.03));
  CHECK(r.reward == 1);
  CHECK_NEAR(e->obs[2], -sqrt(0.5), 1.0);   /* the last leg is short: direction only */
  CHECK(e->obs[2] < 0 && e->obs[3] < 0);
  soma_env_destroy(e);
}

TEST(watermaze_rim_keeps_the_swimmer_in) {
  soma_env *stop =
      MAKE("watermaze", STR("start", "E"), STR("edge", "stop"), NUM("reward_wall", -0.5));
  soma_env *bounce = MAKE("watermaze", STR("start", "E"));
  REQUIRE(stop && bounce);
  soma_env_reset(stop, 1, 1);
  soma_env_reset(bounce, 1, 1);
  soma_env_result r = act(stop, 1, 0);
  CHECK_NEAR(lat(stop, "x"), 1, 1e-12);
  CHECK_NEAR(lat(stop, "speed"), 0, 1e-12);
  CHECK(r.reward == -0.5);
  r = act(bounce, 1, 0);   /* straight into the rim: bounces straight back */
  CHECK_NEAR(lat(bounce, "x"), 0.97, 1e-12);
  CHECK_NEAR(lat(bounce, "y"), 0, 1e-12);
  CHECK(r.reward == 0);
  r = act(stop, 0, 1);   /* along the tangent: stuck too */
  CHECK_NEAR(lat(stop, "x"), 1, 1e-12);
  CHECK(r.reward == -0.5);
  soma_env *slide = MAKE("watermaze", STR("start", "E"), STR("edge", "slide"));
  REQUIRE(slide);
  soma_env_reset(slide, 1, 1);
  act(slide, 1, 1);   /* half of it along the rim: an arc of 0.03 / sqrt 2 m */
  CHECK_NEAR(lat(slide, "x"), cos(0.03 / sqrt(2)), 1e-12);
  CHECK_NEAR(lat(slide, "y"), sin(0.03 / sqrt(2)), 1e-12);
  soma_env_destroy(slide);
  soma_env_destroy(stop);
  soma_env_destroy(bounce);
  /* random commands, slow and fast (several bounces a step): never outside the pool */
  const char *edges[3] = {"stop", "slide", "reflect"};
  for (int m = 0; m < 3; m++)
    for (int fast = 0; fast < 2; fast++) {
      soma_env *e = MAKE("watermaze", STR("edge", edges[m]), NUM("speed", fast ? 25 : 0.3),
                         NUM("radius", 2), NUM("platform", 0, 0), NUM("platform_radius", 1e-6));
      REQUIRE(e);
      soma_env_reset(e, 7, 1);
      double worst = 0;
      for (int k = 0; k < 20000; k++) {
        if (e->done) soma_env_reset(e, 0, 0);
        act(e, 2 * rnd() - 1, 2 * rnd() - 1);
        double d = hypot(lat(e, "x"), lat(e, "y"));
        if (d > worst) worst = d;
        CHECK(fabs(e->obs[0]) <= 1 && fabs(e->obs[1]) <= 1);
      }
      CHECK_MSG(worst <= 2 + 1e-9, "%s, speed %s: %.12g m from the centre", edges[m],
                fast ? "fast" : "slow", worst);
      CHECK(worst > 1.9);   /* and it does reach the rim */
      soma_env_destroy(e);
    }
}

TEST(watermaze_start_points) {
  const char *names[4] = {"N", "E", "S", "W"};
  const double pos[4][2] = {{0, 1}, {1, 0}, {0, -1}, {-1, 0}};
  for (int s = 0; s < 4; s++) {
    soma_env *e =
        MAKE("watermaze", STR("start", names[s]), NUM("radius", 2), NUM("platform", 0, 0));
    REQUIRE(e);
    soma_env_reset(e, (uint64_t)s, 1);
    CHECK_NEAR(e->obs[0], pos[s][0], 1e-12);
    CHECK_NEAR(e->obs[1], pos[s][1], 1e-12);
    CHECK_NEAR(lat(e, "x"), 2 * pos[s][0], 1e-12);
    CHECK_NEAR(lat(e, "dist_to_goal"), 2, 1e-12);
    CHECK_NEAR(lat(e, "heading"), atan2(-pos[s][1], -pos[s][0]), 1e-12);   /* facing in */
    CHECK(lat(e, "trial_phase") == 0 && lat(e, "speed") == 0);
    soma_env_destroy(e);
  }
  soma_env *e = MAKE("watermaze", STR("start", "random"));
  REQUIRE(e);
  CHECK(e->max_steps == 1200);   /* 120 s at 0.1 s a step */
  int seen[4] = {0};
  for (int k = 0; k < 400; k++) {
    soma_env_reset(e, 3, k == 0);
    for (int s = 0; s < 4; s++)
      if (fabs(e->obs[0] - pos[s][0]) < 1e-12 && fabs(e->obs[1] - pos[s][1]) < 1e-12) seen[s]++;
  }
  CHECK(seen[0] + seen[1] + seen[2] + seen[3] == 400);
  for (int s = 0; s < 4; s++) CHECK_MSG(seen[s] > 60, "start %s: %d of 400", names[s], seen[s]);
  soma_env_destroy(e);
}

TEST(watermaze_platform_moves) {
  soma_env *e = MAKE("watermaze", STR("start", "N"), NUM("reward", 5));
  REQUIRE(e);
  char err[512] = "";
  soma_env_reset(e, 1, 1);
  CHECK_NEAR(lat(e, "dist_to_goal"), hypot(0.5, 0.5), 1e-12);   /* default: NE quadrant */
  CHECK(lat(e, "context") == 0);
  CHECK(soma_env_set(e, &NUM("platform", 0, 0.5), 1, err, sizeof err) == 0);
  CHECK(lat(e, "context") == 1);
  CHECK_NEAR(lat(e, "dist_to_goal"), 0.5, 1e-12);
  swim_south(e, 0, -1);
  /* outside the pool: refused, nothing changes */
  CHECK(soma_env_set(e, &NUM("platform", 0.95, 0), 1, err, sizeof err) != 0);
  CHECK_MSG(strstr(err, "platform") && strstr(err, "watermaze"), "%s", err);
  CHECK(lat(e, "context") == 1);
  swim_south(e, 0, -1);
  CHECK(soma_env_set(e, &NUM("platform_radius", 0.6), 1, err, sizeof err) != 0);
  CHECK(soma_env_set(e, &NUM("radius", 2), 1, err, sizeof err) != 0);
  CHECK_MSG(strstr(err, "radius") && strstr(err, "watermaze"), "%s", err);
  CHECK(soma_env_set(e, &STR("actions", "discrete8"), 1, err, sizeof err) != 0);
  swim_south(e, 0, -1);
  /* a reversal to the opposite side: the old way no longer ends the trial */
  CHECK(soma_env_set(e, &NUM("platform", 0, -0.5), 1, err, sizeof err) == 0);
  CHECK(lat(e, "context") == 2);
  soma_env_reset(e, 1, 1);
  soma_env_result r = {0};
  for (int k = 0; k < 20; k++) r = act(e, 0, -1);
  CHECK(!r.terminated);
  for (int k = 0; k < 40 && !r.terminated; k++) r = act(e, 0, -1);
  CHECK(r.terminated && r.reward == 5);
  CHECK_NEAR(lat(e, "y"), -0.4, 1e-9);
  soma_env_destroy(e);
}

/* ---- forage --------------------------------------------------------------------------- */

enum { WALL, SMALL, LARGE, HAZARD };
static double ray(const soma_env *e, int i, int type) { return e->obs[4 * i + type]; }

TEST(forage_rays_against_hand_geometry) {
  /* facing east from the centre of a 10 m arena, 5 rays over 180 degrees: north, NE, east, SE,
   * south; a hazard 3 m north (radius 1), a large item 3 m south (radius 0.5) */
  soma_env *e = MAKE("forage", NUM("start", 5, 5, 0), NUM("rays", 5), NUM("fov", 180),
                     NUM("hazards", 5, 8, 1), NUM("large", 5, 2), NUM("n_small", 0));
  REQUIRE(e);
  CHECK(e->obs_space.n == 20);
  CHECK(!strcmp(e->obs_space.labels[4 * 4 + 2], "ray4_large"));
  soma_env_reset(e, 1, 1);
  CHECK_NEAR(ray(e, 0, WALL), 0.5, 1e-12);
  CHECK_NEAR(ray(e, 0, HAZARD), 1 - 2.0 / 10, 1e-12);
  CHECK_NEAR(ray(e, 1, WALL), 1 - 5 * sqrt(2) / 10, 1e-12);
  CHECK_NEAR(ray(e, 2, WALL), 0.5, 1e-12);
  CHECK(ray(e, 2, SMALL) == 0 && ray(e, 2, LARGE) == 0 && ray(e, 2, HAZARD) == 0);
  CHECK_NEAR(ray(e, 4, LARGE), 1 - 2.5 / 10, 1e-12);
  CHECK_NEAR(ray(e, 4, WALL), 0.5, 1e-12);
  CHECK(ray(e, 0, LARGE) == 0 && ray(e, 4, HAZARD) == 0);
  CHECK_NEAR(lat(e, "dist_to_goal"), 3, 1e-12);
  CHECK(lat(e, "food_left") == 1 && lat(e, "in_hazard") == 0);
  /* six left turns of 15 degrees: now facing north, the middle ray sees the hazard */
  for (int k = 0; k < 6; k++) act(e, 1, 0);
  CHECK_NEAR(lat(e, "heading"), M_PI / 2, 1e-12);
  CHECK_NEAR(ray(e, 2, HAZARD), 0.8, 1e-9);
  CHECK_NEAR(ray(e, 4, WALL), 0.5, 1e-9);   /* the rightmost now looks east */
  soma_env_destroy(e);

  /* an internal wall 2 m ahead hides the food behind it; the side rays meet it at 2 sqrt 2 */
  e = MAKE("forage", NUM("start", 5, 5, 0), NUM("rays", 3), NUM("fov", 90),
           NUM("walls", 7, 0, 7, 10), NUM("small", 8, 5), NUM("n_large", 0));
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK_NEAR(ray(e, 1, WALL), 0.8, 1e-12);
  CHECK(ray(e, 1, SMALL) == 0);
  CHECK_NEAR(ray(e, 0, WALL), 1 - 2 * sqrt(2) / 10, 1e-12);
  CHECK_NEAR(ray(e, 2, WALL), 1 - 2 * sqrt(2) / 10, 1e-12);
  soma_env_destroy(e);
  /* without the wall it sees the item's near edge, 2.75 m away; with range 2 nothing at all */
  e = MAKE("forage", NUM("start", 5, 5, 0), NUM("rays", 1), NUM("small", 8, 5), NUM("n_large", 0));
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK_NEAR(ray(e, 0, SMALL), 1 - 2.75 / 10, 1e-12);
  CHECK_NEAR(ray(e, 0, WALL), 0.5, 1e-12);
  char err[256];
  CHECK(soma_env_set(e, &NUM("range", 2), 1, err, sizeof err) == 0);
  CHECK(ray(e, 0, SMALL) == 0 && ray(e, 0, WALL) == 0);
  soma_env_destroy(e);
  /* a full circle of 4 rays: ahead, left, behind, right are not all the same ray */
  e = MAKE("forage", NUM("start", 2, 5, 0), NUM("rays", 4), NUM("fov", 360), NUM("n_small", 0),
           NUM("n_large", 0));
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  double sum = 0;
  for (int i = 0; i < 4; i++) sum += ray(e, i, WALL);
  /* rays at +135, +45, -45, -135 degrees: two reach the west wall 2 sqrt 2 m away, two the
   * north and south walls 5 sqrt 2 m away */
  CHECK_NEAR(sum, 2 * (1 - 2 * sqrt(2) / 10) + 2 * (1 - 5 * sqrt(2) / 10), 1e-12);
  soma_env_destroy(e);
}

TEST(forage_eating_food) {
  soma_env *e = MAKE("forage", NUM("start", 5, 5, 0), NUM("small", 5.9, 5), NUM("large", 1.9, 5),
                     NUM("actions", 5), NUM("reward_small", 1), NUM("reward_large", 2));
  REQUIRE(e);
  CHECK(e->act_space.n == 5 && !strcmp(e->act_space.labels[4], "back"));
  soma_env_reset(e, 1, 1);
  CHECK(lat(e, "food_left") == 2);
  soma_env_result r = act(e, 3, 0);   /* stay */
  CHECK(r.reward == 0 && lat(e, "x") == 5);
  r = act(e, 0, 0);   /* 0.65 m from the small item's centre: no contact yet (0.5) */
  CHECK(r.reward == 0 && lat(e, "food_left") == 2);
  r = act(e, 0, 0);
  CHECK(r.reward == 1 && !r.terminated);
  CHECK(lat(e, "food_left") == 1);
  CHECK_NEAR(lat(e, "dist_to_goal"), 5.5 - 1.9, 1e-12);
  for (int i = 0; i < 9; i++) CHECK(ray(e, i, SMALL) == 0);   /* gone */
  for (int k = 0; k < 12; k++) CHECK(act(e, 2, 0).reward == 0);   /* turn around */
  int k = 0;
  r.terminated = 0;
  while (k < 100 && !r.terminated) r = act(e, 0, 0), k++;
  CHECK(k == 12);   /* from x = 5.5 to within 0.75 m of x = 1.9 in 0.25 m steps */
  CHECK(r.reward == 2 && r.terminated);
  CHECK(lat(e, "food_left") == 0 && isnan(lat(e, "dist_to_goal")));
  soma_env_destroy(e);
}

TEST(forage_hazard_penalty) {
  soma_env *e = MAKE("forage", NUM("start", 5, 5, 0), NUM("hazards", 5, 5, 1), NUM("n_small", 0),
                     NUM("n_large", 0), NUM("actions", 5), NUM("reward_hazard", -2));
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  CHECK(lat(e, "in_hazard") == 1);
  for (int i = 0; i < 9; i++) CHECK(ray(e, i, HAZARD) == 1);   /* inside: distance 0 */
  soma_env_result r = act(e, 3, 0);
  CHECK(r.reward == -2 && !r.terminated);
  double total = 0;
  for (int k = 0; k < 5; k++) total += act(e, 0, 0).reward;   /* x: 5.25 ... 6.25 */
  CHECK_NEAR(total, -2 * 3, 1e-12);   /* 5.25, 5.5, 5.75 inside; 6 on the edge; 6.25 out */
  CHECK(lat(e, "in_hazard") == 0);
  act(e, 4, 0);   /* back onto the edge (x = 6: not inside), then in */
  r = act(e, 4, 0);
  CHECK(r.reward == -2 && lat(e, "in_hazard") == 1);
  CHECK(!r.terminated);   /* no food: only max_steps ends it */
  soma_env_destroy(e);
}

TEST(forage_walls_stop_the_agent) {
  soma_env *e = MAKE("forage", NUM("start", 5, 5, 0), NUM("walls", 7, 0, 7, 10, 2, 2, 4, 8),
                     NUM("actions", 5));
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  for (int k = 0; k < 40; k++) act(e, 0, 0);
  CHECK_NEAR(lat(e, "x"), 7 - 0.25, 1e-12);   /* one body radius before the wall */
  CHECK_NEAR(lat(e, "y"), 5, 1e-12);
  CHECK_NEAR(ray(e, 4, WALL), 1 - 0.25 / 10, 1e-12);
  /* a long random walk stays left of the full-height wall, inside the arena, off the walls */
  const double seg[2][4] = {{7, 0, 7, 10}, {2, 2, 4, 8}};
  int bad = 0;
  for (int k = 0; k < 30000; k++) {
    if (e->done) soma_env_reset(e, 0, 0);
    act(e, (double)(int)(5 * rnd()), 0);
    double x = lat(e, "x"), y = lat(e, "y");
    if (!(x <= 6.75 + 1e-9 && x >= 0.25 - 1e-9 && y >= 0.25 - 1e-9 && y <= 9.75 + 1e-9)) bad++;
    if (seg_dist(x, y, seg[0]) < 0.25 - 1e-9 || seg_dist(x, y, seg[1]) < 0.25 - 1e-9) bad++;
  }
  CHECK_MSG(bad == 0, "%d steps ended inside a wall or outside the arena", bad);
  soma_env_destroy(e);
}

TEST(forage_random_layouts) {
  soma_env *e = MAKE("forage", NUM("n_small", 6), NUM("n_large", 3), NUM("walls", 5, 1, 5, 9),
                     NUM("hazards", 2, 2, 1.5, 8, 8, 1));
  REQUIRE(e);
  double x0 = NAN;
  int moved = 0;
  for (int k = 0; k < 300; k++) {
    soma_env_reset(e, (uint64_t)k + 1, 1);
    double x = lat(e, "x"), y = lat(e, "y");
    CHECK(lat(e, "food_left") == 9);
    CHECK(lat(e, "in_hazard") == 0);
    CHECK(lat(e, "dist_to_goal") >= 0.25 + 0.25 - 1e-12);   /* not touching food */
    CHECK(seg_dist(x, y, (const double[]){5, 1, 5, 9}) >= 0.25);   /* clear of the wall */
    CHECK(x >= 0.25 && x <= 9.75 && y >= 0.25 && y <= 9.75);
    if (k && x != x0) moved++;
    x0 = x;
  }
  CHECK(moved > 290);
  soma_env_destroy(e);
}

/* ---- both ----------------------------------------------------------------------------- */

/* runs n steps of the same random actions from seed; writes a checksum of the observations,
 * latents and rewards */
static double run(soma_env *e, uint64_t seed, int n) {
  double sum = 0;
  rng_state = 0x9e3779b97f4a7c15ull;
  soma_env_reset(e, seed, 1);
  for (int k = 0; k < n; k++) {
    if (e->done) soma_env_reset(e, 0, 0);
    soma_env_result r = e->act_space.kind == SOMA_SPACE_DISCRETE
                            ? act(e, (double)(int)(e->act_space.n * rnd()), 0)
                            : act(e, 2 * rnd() - 1, 2 * rnd() - 1);
    sum = sum * 1.0000001 + r.reward + r.terminated;
    for (int i = 0; i < e->obs_space.n; i++) sum = sum * 1.0000001 + e->obs[i];
    for (int i = 0; i < e->world->n_latents; i++)
      if (!isnan(e->latent[i])) sum = sum * 1.0000001 + e->latent[i];
  }
  return sum;
}

TEST(same_seed_same_episode) {
  soma_env *a = MAKE("forage", NUM("walls", 3, 3, 3, 7), NUM("hazards", 7, 7, 1));
  soma_env *b = MAKE("forage", NUM("walls", 3, 3, 3, 7), NUM("hazards", 7, 7, 1));
  REQUIRE(a && b);
  double s1 = run(a, 5, 3000), s2 = run(b, 5, 3000), s3 = run(a, 6, 3000);
  CHECK(s1 == s2);
  CHECK(s1 != s3);
  CHECK(run(a, 5, 3000) == s1);   /* and again after other episodes */
  soma_env_destroy(a);
  soma_env_destroy(b);
  a = MAKE("watermaze", STR("actions", "continuous"));
  b = MAKE("watermaze", STR("actions", "continuous"));
  REQUIRE(a && b);
  CHECK(run(a, 5, 3000) == run(b, 5, 3000));
  int starts[4] = {0};
  for (uint64_t s = 1; s <= 10; s++) {   /* the start point follows the seed */
    soma_env_reset(a, s, 1);
    starts[a->obs[1] > 0.5 ? 0 : a->obs[0] > 0.5 ? 1 : a->obs[1] < -0.5 ? 2 : 3] = 1;
  }
  CHECK(starts[0] + starts[1] + starts[2] + starts[3] >= 2);
  soma_env_destroy(a);
  soma_env_destroy(b);
}

TEST(bad_options_are_named) {
  struct {
    const char *world;
    soma_env_opt opt;
    const char *words[2];
  } bad[] = {
      {"watermaze", NUM("platform", 1.5, 0), {"platform", "inside the pool"}},
      {"watermaze", NUM("platform", 0), {"platform", "2 numbers"}},
      {"watermaze", NUM("radius", -1), {"radius", "> 0"}},
      {"watermaze", NUM("platform_radius", 0), {"platform_radius", "> 0"}},
      {"watermaze", STR("start", "X"), {"start", "random|N|E|S|W"}},
      {"watermaze", STR("actions", "discrete4"), {"actions", "continuous|discrete8"}},
      {"watermaze", NUM("speed", NAN), {"speed", "finite"}},
      {"forage", NUM("walls", 1, 2, 3), {"walls", "takes 4"}},
      {"forage", NUM("walls", 1, 1, 2, 2, 3), {"walls", "multiple of 4"}},
      {"forage", NUM("walls", 1, 1, 11, 1), {"walls", "inside"}},
      {"forage", NUM("rays", 0), {"rays", ">= 1"}},
      {"forage", NUM("fov", 0), {"fov", "> 0"}},
      {"forage", NUM("fov", 400), {"fov", "<= 360"}},
      {"forage", NUM("actions", 4), {"actions", "3"}},
      {"forage", NUM("hazards", 1, 1), {"hazards", "takes 3"}},
      {"forage", NUM("hazards", 1, 1, 1, 2), {"hazards", "multiple of 3"}},
      {"forage", NUM("hazards", 1, 1, -1), {"hazards", "radius"}},
      {"forage", NUM("small", 20, 5), {"small", "inside"}},
      {"forage", NUM("small", 5, 5, 6), {"small", "pairs"}},
      {"forage", NUM("radius_small", 3), {"arena", "quarter"}},
      {"forage", NUM("start", 0, 5), {"start", "inside"}},
      {"forage", NUM("agent_radius", 5), {"agent_radius", "half the size"}},
      {"forage", NUM("ray", 3), {"ray", "did you mean 'rays'"}},
  };
  char err[512];
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    err[0] = 0;
    soma_env *e = soma_env_create(bad[k].world, &bad[k].opt, 1, err, sizeof err);
    CHECK_MSG(!e, "%s %s accepted", bad[k].world, bad[k].opt.key);
    soma_env_destroy(e);
    CHECK_MSG(strstr(err, bad[k].world) && strstr(err, bad[k].words[0]) &&
                  strstr(err, bad[k].words[1]),
              "%s %s: '%s'", bad[k].world, bad[k].opt.key, err);
  }
  /* refused changes leave the world as it was */
  soma_env *e = MAKE("forage", NUM("start", 5, 5, 0), NUM("walls", 7, 0, 7, 10));
  REQUIRE(e);
  soma_env_reset(e, 1, 1);
  double wall = ray(e, 4, WALL);
  CHECK(soma_env_set(e, &NUM("walls", 8, 0, 8), 1, err, sizeof err) != 0);
  CHECK_MSG(strstr(err, "walls") && strstr(err, "forage"), "%s", err);
  CHECK(soma_env_set(e, &NUM("rays", 3), 1, err, sizeof err) != 0);
  CHECK_MSG(strstr(err, "rays") && strstr(err, "forage"), "%s", err);
  CHECK(lat(e, "context") == 0 && ray(e, 4, WALL) == wall);
  CHECK(soma_env_set(e, &NUM("walls", 8, 0, 8, 10), 1, err, sizeof err) == 0);
  CHECK(lat(e, "context") == 1);
  CHECK_NEAR(ray(e, 4, WALL), 1 - 3.0 / 10, 1e-12);
  soma_env_destroy(e);
}

/* the colour at (x, y) as 0xRRGGBB */
static uint32_t pixel(const soma_canvas *c, int x, int y) {
  const uint8_t *p = c->rgba + 4 * ((size_t)y * (size_t)c->w + (size_t)x);
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

TEST(drawing_fills_the_rectangle) {
  uint8_t buf[4 * 208 * 208];
  soma_canvas c = {208, 208, buf};
  soma_env *wm = MAKE("watermaze", STR("start", "W"), NUM("platform", 0.5, 0));
  soma_env *fo = MAKE("forage", NUM("start", 5, 5, 90), NUM("small", 2, 2),
                      NUM("walls", 7, 1, 7, 9),
                      NUM("hazards", 8, 2, 1));
  REQUIRE(wm && fo);
  soma_env_reset(wm, 1, 1);
  soma_env_reset(fo, 1, 1);
  canvas_clear(&c, 0x000000ffu);
  soma_env_draw(wm, &c, 4, 4, 200, 200);
  CHECK(pixel(&c, 2, 2) == 0 && pixel(&c, 5, 5) != 0);   /* stays in its rectangle */
  CHECK(pixel(&c, 104, 104) == 0xd8e8f4);                 /* water at the centre */
  CHECK(pixel(&c, 104 - 96 + 2, 104) == 0x1f3b73);        /* the swimmer at W */
  int px, py;   /* where the framework draws the path */
  wm->world->locate(wm, -1, 0, 4, 4, 200, 200, &px, &py);
  CHECK(px == 8 && py == 104);
  canvas_clear(&c, 0x000000ffu);
  soma_env_draw(fo, &c, 4, 4, 200, 200);
  /* 10 m over 192 pixels from (8, 8): food at (2, 2) m, the agent at (5, 5) m */
  CHECK(pixel(&c, 8 + (int)lround(2 * 19.2), 200 - (int)lround(2 * 19.2)) == 0x5cb85c);
  CHECK(pixel(&c, 104, 104) == 0x1f3b73);
  for (int s = 0; s < 3; s++) {   /* odd and tiny rectangles do not crash */
    soma_env_draw(wm, &c, -50 + 100 * s, 30, 1 + 80 * s, 3);
    soma_env_draw(fo, &c, 150, -20 + 40 * s, 100, 1 + 50 * s);
  }
  soma_env_destroy(wm);
  soma_env_destroy(fo);
}

TEST(steps_per_second) {
  const char *worlds[2] = {"watermaze", "forage"};
  for (int w = 0; w < 2; w++) {
    soma_env *e = make(worlds[w], NULL, 0);
    REQUIRE(e);
    struct timespec t0, t1;
    int n = 200000;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double sum = run(e, 1, n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("  %s: %.3g steps/s (checksum %.6g)\n", worlds[w], n / s, sum);
    soma_env_destroy(e);
  }
}

int main(void) {
  RUN(geometry_helpers);
  RUN(watermaze_straight_swim_reaches_platform);
  RUN(watermaze_rim_keeps_the_swimmer_in);
  RUN(watermaze_start_points);
  RUN(watermaze_platform_moves);
  RUN(forage_rays_against_hand_geometry);
  RUN(forage_eating_food);
  RUN(forage_hazard_penalty);
  RUN(forage_walls_stop_the_agent);
  RUN(forage_random_layouts);
  RUN(same_seed_same_episode);
  RUN(bad_options_are_named);
  RUN(drawing_fills_the_rectangle);
  RUN(steps_per_second);
  return h_done();
}
