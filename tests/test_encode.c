/* test_encode.c — the observation encoders (agents/encode.c): place-cell tuning against the
 * Gaussian formula, tree distances of the labyrinth's numbering, graph, one-hot, rate and ray
 * codes, messages for bad parameters and inputs, and end to end: an encoder drives a poisson
 * population of a real network and the measured rates match the encoded ones. */
#include <math.h>
#include <string.h>

#include "agents/encode.h"
#include "agents/readout.h"
#include "envs/env.h"
#include "fixtures.h"
#include "harness.h"

#define MAX_N 4096

static float rates[MAX_N];

/* the encoder's rates for input in (CHECKs success) */
static const float *rates_at(soma_encoder *e, const double *in, int n) {
  int rc = soma_encoder_rates(e, in, n, rates);
  CHECK_MSG(rc == SOMA_OK, "%s", soma_encoder_errmsg(e));
  return rates;
}

/* the Gaussian tuning curve at distance d */
static double tuning(double d, double sigma, double r_max, double r_min) {
  return r_min + (r_max - r_min) * exp(-d * d / (2 * sigma * sigma));
}

TEST(place_cells_follow_the_gaussian) {
  soma_place_params p = soma_place_defaults();
  p.nx = 5, p.ny = 4, p.x_lo = 0, p.x_hi = 4, p.y_lo = 0, p.y_hi = 3;   /* centres on integers */
  p.sigma = 0.7, p.r_max = 40, p.r_min = 2;
  char err[256];
  soma_encoder *e = soma_encoder_place(&p, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_size(e) == 20 && soma_encoder_input_size(e) == 2);
  CHECK(!strcmp(soma_encoder_kind(e), "place"));
  double x, y;
  CHECK(soma_encoder_place_centre(e, 7, &x, &y) == SOMA_OK && x == 2 && y == 1);   /* row 1, col 2 */
  CHECK(soma_encoder_place_centre(e, 20, &x, &y) == SOMA_ERR_PARAM);
  const float *r = rates_at(e, (double[]){2, 1}, 2);
  CHECK_NEAR(r[7], 40, 1e-5);                                  /* peak at the centre */
  for (int i = 0; i < 20; i++) {
    int col = i % 5, row = i / 5;
    CHECK_NEAR(r[i], tuning(hypot(col - 2, row - 1), 0.7, 40, 2), 1e-4);
    CHECK(r[i] <= r[7] && r[i] >= 2);
  }
  double half = 0.7 * sqrt(2 * log(2));                        /* half the peak above baseline */
  r = rates_at(e, (double[]){2 + half, 1}, 2);
  CHECK_NEAR(r[7], 2 + 19, 1e-4);
  r = rates_at(e, (double[]){2, 1 - half}, 2);
  CHECK_NEAR(r[7], 21, 1e-4);
  r = rates_at(e, (double[]){2 + half / sqrt(2), 1 + half / sqrt(2)}, 2);
  CHECK_NEAR(r[7], 21, 1e-4);
  r = rates_at(e, (double[]){NAN, 1}, 2);                      /* unknown: baseline */
  for (int i = 0; i < 20; i++) CHECK(r[i] == 2);
  soma_encoder_destroy(e);

  /* given centres, and a single column sitting in the middle of the span */
  p = soma_place_defaults();
  p.centres = (double[]){0, 0, 3, 4, -1, 2};
  p.n_centres = 3;
  p.sigma = 2;
  e = soma_encoder_place(&p, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_size(e) == 3);
  r = rates_at(e, (double[]){0, 0}, 2);
  CHECK_NEAR(r[0], 50, 1e-5);
  CHECK_NEAR(r[1], tuning(5, 2, 50, 0), 1e-5);
  CHECK_NEAR(r[2], tuning(sqrt(5), 2, 50, 0), 1e-5);
  soma_encoder_destroy(e);
  p = soma_place_defaults();
  p.nx = 1, p.ny = 3, p.x_lo = 2, p.x_hi = 6;
  e = soma_encoder_place(&p, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_place_centre(e, 2, &x, &y) == SOMA_OK && x == 4 && y == 1);
  soma_encoder_destroy(e);
}

/* an end node's ancestor-or-self at level L: the first L bits of its 6-bit path */
static int common_levels(int j, int k) {
  int L = 0;
  while (L < 6 && (j >> (5 - L)) == (k >> (5 - L))) L++;
  return L;
}

TEST(tree_distances_of_the_labyrinth_numbering) {
  CHECK(soma_tree_level(0) == 0 && soma_tree_level(1) == 1 && soma_tree_level(2) == 1);
  CHECK(soma_tree_level(62) == 5 && soma_tree_level(63) == 6 && soma_tree_level(126) == 6);
  CHECK(soma_tree_level(-1) == -1 && soma_tree_distance(-1, 3) == -1);
  for (int k = 1; k < 127; k++) {
    CHECK(soma_tree_distance(k, (k - 1) / 2) == 1);            /* parent and child */
    CHECK(soma_tree_distance((k - 1) / 2, k) == 1);
    CHECK(soma_tree_distance(k, k) == 0);
  }
  for (int k = 0; k < 63; k++) CHECK(soma_tree_distance(2 * k + 1, 2 * k + 2) == 2);   /* siblings */
  CHECK(soma_tree_distance(0, 116) == 6);                      /* the water port: 6 choices in */
  CHECK(soma_tree_distance(63, 126) == 12);
  int bad = 0;
  for (int j = 0; j < 64; j++)                                 /* every pair of the 64 end nodes */
    for (int k = 0; k < 64; k++) {
      int want = 2 * (6 - common_levels(j, k));
      bad += soma_tree_distance(63 + j, 63 + k) != want;
    }
  CHECK_MSG(bad == 0, "%d pairs of end nodes at the wrong distance", bad);
  CHECK(soma_tree_distance(2000000000, 0) == 30);              /* no overflow near INT_MAX */
}

static double line_distance(int a, int b, void *user) {
  return abs(a - b) * *(double *)user;
}

TEST(graph_cells_tune_over_the_distance) {
  char err[256];
  soma_graph_params p = soma_graph_defaults();                 /* the labyrinth's tree */
  p.sigma = 1.5, p.r_max = 30, p.r_min = 1;
  soma_encoder *e = soma_encoder_graph(&p, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_size(e) == 127 && soma_encoder_input_size(e) == 1);
  const float *r = rates_at(e, (double[]){116}, 1);
  for (int i = 0; i < 127; i++)
    CHECK_NEAR(r[i], tuning(soma_tree_distance(116, i), 1.5, 30, 1), 1e-5);
  CHECK_NEAR(r[116], 30, 1e-5);
  r = rates_at(e, (double[]){NAN}, 1);                         /* off the tree (home area) */
  for (int i = 0; i < 127; i++) CHECK(r[i] == 1);
  CHECK(soma_encoder_rates(e, (double[]){127}, 1, rates) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_encoder_errmsg(e),
               "graph encoder: the node must be a whole number from 0 to 126, or NaN for none (got 127)"));
  CHECK(soma_encoder_rates(e, (double[]){2.5}, 1, rates) == SOMA_ERR_PARAM);
  soma_encoder_destroy(e);

  /* a matrix and a function giving the same path graph 0-1-2-3 (edges of length 2) */
  double m[16], scale = 2;
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++) m[a * 4 + b] = 2.0 * abs(a - b);
  p = soma_graph_defaults();
  p.n_nodes = 4, p.dist = m, p.sigma = 2;
  soma_encoder *em = soma_encoder_graph(&p, err, sizeof err);
  p.dist = NULL, p.dist_fn = line_distance, p.user = &scale;
  soma_encoder *ef = soma_encoder_graph(&p, err, sizeof err);
  REQUIRE(em && ef);
  float rm[4], rf[4];
  CHECK(soma_encoder_rates(em, (double[]){1}, 1, rm) == SOMA_OK);
  CHECK(soma_encoder_rates(ef, (double[]){1}, 1, rf) == SOMA_OK);
  CHECK(!memcmp(rm, rf, sizeof rm));
  CHECK_NEAR(rm[0], tuning(2, 2, 50, 0), 1e-5);
  CHECK_NEAR(rm[3], tuning(4, 2, 50, 0), 1e-5);
  soma_encoder_destroy(em);
  soma_encoder_destroy(ef);
}

TEST(onehot_lights_one_neuron) {
  char err[256];
  soma_onehot_params p = soma_onehot_defaults();
  p.n = 6, p.r_max = 80, p.r_min = 3;
  soma_encoder *e = soma_encoder_onehot(&p, err, sizeof err);
  REQUIRE(e);
  for (int k = 0; k < 6; k++) {
    const float *r = rates_at(e, (double[]){k}, 1);
    for (int i = 0; i < 6; i++) CHECK(r[i] == (i == k ? 80 : 3));
  }
  const float *r = rates_at(e, (double[]){NAN}, 1);
  for (int i = 0; i < 6; i++) CHECK(r[i] == 3);
  CHECK(soma_encoder_rates(e, (double[]){-1}, 1, rates) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_encoder_errmsg(e),
               "onehot encoder: the index must be a whole number from 0 to 5"));
  CHECK(soma_encoder_rates(e, (double[]){1, 2}, 2, rates) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_encoder_errmsg(e), "onehot encoder: takes 1 input value (got 2)"));
  soma_encoder_destroy(e);
}

TEST(rate_codes_are_monotone_or_bumps) {
  char err[256];
  soma_ratecode_params p = soma_ratecode_defaults();
  p.dims = 2, p.group = 3, p.code = SOMA_CODE_MONOTONE, p.r_max = 60, p.r_min = 10;
  p.lo_each = (double[]){-1, 0}, p.hi_each = (double[]){1, 10};
  soma_encoder *e = soma_encoder_ratecode(&p, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_size(e) == 6 && soma_encoder_input_size(e) == 2);
  float prev = -1;
  for (double v = -2; v <= 2; v += 0.125) {                    /* dimension 0, clipped outside */
    const float *r = rates_at(e, (double[]){v, 5}, 2);
    double want = 10 + 50 * fmin(1, fmax(0, (v + 1) / 2));
    CHECK_NEAR(r[0], want, 1e-4);
    CHECK(r[0] == r[1] && r[1] == r[2] && r[0] >= prev);
    CHECK_NEAR(r[3], 35, 1e-4);                                /* dimension 1 at its middle */
    prev = r[0];
  }
  const float *r = rates_at(e, (double[]){NAN, 10}, 2);
  CHECK(r[0] == 10 && r[3] == 60);
  soma_encoder_destroy(e);

  /* bumps: 5 centres over [0, 4]; at a centre its neuron peaks, the next at exp(-1/2 / w^2) */
  p = soma_ratecode_defaults();
  p.group = 5, p.lo = 0, p.hi = 4, p.width = 0.8;
  e = soma_encoder_ratecode(&p, err, sizeof err);
  REQUIRE(e);
  for (int j = 0; j < 5; j++) {
    r = rates_at(e, (double[]){j}, 1);
    for (int i = 0; i < 5; i++) CHECK_NEAR(r[i], tuning(i - j, 0.8, 50, 0), 1e-4);
  }
  int last_peak = 0;
  for (double v = 0; v <= 4; v += 0.05) {                      /* the peak moves with the value */
    r = rates_at(e, (double[]){v}, 1);
    int peak = 0;
    for (int i = 1; i < 5; i++)
      if (r[i] > r[peak]) peak = i;
    CHECK(peak >= last_peak && abs(peak - (int)lround(v)) <= 1);
    last_peak = peak;
  }
  soma_encoder_destroy(e);
}

TEST(ray_codes_follow_the_forage_layout) {
  char err[256];
  soma_rays_params p = soma_rays_defaults();
  p.rays = 3, p.r_max = 40, p.r_min = 0;
  soma_encoder *e = soma_encoder_rays(&p, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_size(e) == 12 && soma_encoder_input_size(e) == 12);
  double obs[12] = {0};
  obs[4 * 1 + 2] = 0.75;                                       /* ray 1 sees large food */
  obs[4 * 2 + 0] = 1.5;                                        /* clipped to 1 */
  const float *r = rates_at(e, obs, 12);
  for (int i = 0; i < 12; i++) CHECK_NEAR(r[i], i == 6 ? 30 : i == 8 ? 40 : 0, 1e-5);
  soma_encoder_destroy(e);

  /* bumps over the value: nothing seen (0) is silence, not a bump at the far end */
  p.group = 3, p.code = SOMA_CODE_BUMP, p.rays = 2, p.types = 1;
  e = soma_encoder_rays(&p, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_size(e) == 6);
  r = rates_at(e, (double[]){0, 1}, 2);
  for (int i = 0; i < 3; i++) CHECK(r[i] == 0);
  CHECK_NEAR(r[5], 40, 1e-5);
  CHECK_NEAR(r[4], tuning(0.5, 0.5, 40, 0), 1e-5);
  r = rates_at(e, (double[]){0.01, 0.5}, 2);
  CHECK(r[0] > r[1] && r[1] > r[2] && r[2] > 0);
  CHECK_NEAR(r[4], 40, 1e-5);
  soma_encoder_destroy(e);
}

static soma_env *world(const char *name, const soma_env_opt *o, int n) {
  char err[512];
  soma_env *e = soma_env_create(name, o, n, err, sizeof err);
  if (!e) printf("  %s: %s\n", name, err);
  return e;
}

TEST(encoders_read_the_worlds) {
  char err[256];
  /* the forage world's rays: default sizes agree, each value drives its neuron */
  soma_env *env = world("forage", NULL, 0);
  REQUIRE(env);
  soma_rays_params rp = soma_rays_defaults();
  soma_encoder *e = soma_encoder_rays(&rp, err, sizeof err);
  REQUIRE(e);
  CHECK(soma_encoder_input_size(e) == env->obs_space.n);
  soma_env_reset(env, 4, 1);
  const float *r = rates_at(e, env->obs, env->obs_space.n);
  int seen = 0;
  for (int i = 0; i < env->obs_space.n; i++) {
    CHECK_NEAR(r[i], 50 * env->obs[i], 1e-5);
    seen += env->obs[i] > 0;
  }
  CHECK(seen > 0);
  soma_encoder_destroy(e);
  soma_env_destroy(env);

  /* the labyrinth's node latent: the tree encoder peaks at the node the agent is in */
  env = world("grid", (soma_env_opt[]){{"map", "maps/labyrinth.txt", NULL, 0}}, 1);
  REQUIRE(env);
  soma_graph_params gp = soma_graph_defaults();
  e = soma_encoder_graph(&gp, err, sizeof err);
  REQUIRE(e);
  soma_env_reset(env, 1, 1);
  int node = soma_env_latent_index(env, "node");
  REQUIRE(node >= 0);
  soma_env_result res;
  int on_tree = 0;
  for (int k = 0; k < 300 && !env->done; k++) {
    double a = soma_env_uniform_int(env, 4);
    REQUIRE(soma_env_step(env, &a, 1, &res, err, sizeof err) == 0);
    r = rates_at(e, &env->latent[node], 1);
    if (isnan(env->latent[node])) continue;
    on_tree++;
    CHECK_NEAR(r[(int)env->latent[node]], 50, 1e-5);
  }
  CHECK(on_tree > 0);
  soma_encoder_destroy(e);
  soma_env_destroy(env);
}

/* creation fails with a message containing want */
#define REFUSED(call, want)                                                                  \
  do {                                                                                       \
    char err_[512] = "";                                                                     \
    soma_encoder *e_ = call;                                                                 \
    CHECK_MSG(!e_ && strstr(err_, want), "expected '%s', got '%s'", want, e_ ? "(made)" : err_); \
    soma_encoder_destroy(e_);                                                                \
  } while (0)

TEST(bad_parameters_name_the_parameter) {
  soma_place_params pl = soma_place_defaults();
  pl.sigma = 0;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_), "place encoder: sigma must be > 0 (got 0)");
  pl = soma_place_defaults(), pl.r_max = 5, pl.r_min = 10;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_), "place encoder: r_min must be <= r_max");
  pl = soma_place_defaults(), pl.r_max = -5;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_),
          "place encoder: r_max must be >= 0 Hz (got -5)");
  pl = soma_place_defaults(), pl.nx = 0;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_), "place encoder: nx must be >= 1 (got 0)");
  pl = soma_place_defaults(), pl.x_hi = 0;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_),
          "place encoder: x_lo must be < x_hi (got 0 and 0)");
  pl = soma_place_defaults(), pl.y_lo = NAN;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_),
          "place encoder: y_lo must be a finite number");
  pl = soma_place_defaults(), pl.nx = 4096, pl.ny = 4096;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_),
          "place encoder: 16777216 neurons is more than");
  pl = soma_place_defaults(), pl.centres = (double[]){0, 1, INFINITY, 0}, pl.n_centres = 2;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_),
          "place encoder: centres[2] must be a finite number (got inf)");
  pl.n_centres = 0;
  REFUSED(soma_encoder_place(&pl, err_, sizeof err_), "place encoder: n_centres must be >= 1");
  REFUSED(soma_encoder_place(NULL, err_, sizeof err_), "place encoder: no parameters");

  soma_graph_params g = soma_graph_defaults();
  g.n_nodes = 5000;
  REFUSED(soma_encoder_graph(&g, err_, sizeof err_),
          "graph encoder: n_nodes must be <= 4096 (got 5000)");
  double m[4] = {0, 1, -1, 0};
  g = soma_graph_defaults(), g.n_nodes = 2, g.dist = m;
  REFUSED(soma_encoder_graph(&g, err_, sizeof err_),
          "graph encoder: the distance from node 1 to node 0 must be >= 0 (got -1)");
  g.dist_fn = line_distance;
  REFUSED(soma_encoder_graph(&g, err_, sizeof err_), "not both");

  soma_onehot_params o = soma_onehot_defaults();
  o.n = 0;
  REFUSED(soma_encoder_onehot(&o, err_, sizeof err_), "onehot encoder: n must be >= 1 (got 0)");

  soma_ratecode_params rc = soma_ratecode_defaults();
  rc.lo = 1, rc.hi = 1;
  REFUSED(soma_encoder_ratecode(&rc, err_, sizeof err_),
          "ratecode encoder: lo must be < hi, both finite (got 1 and 1)");
  rc = soma_ratecode_defaults(), rc.dims = 2, rc.lo_each = (double[]){0, 0}, rc.hi_each = (double[]){1, -1};
  REFUSED(soma_encoder_ratecode(&rc, err_, sizeof err_), "lo_each[1] must be < hi_each[1]");
  rc.hi_each = NULL;
  REFUSED(soma_encoder_ratecode(&rc, err_, sizeof err_), "give both lo_each and hi_each");
  rc = soma_ratecode_defaults(), rc.width = 0;
  REFUSED(soma_encoder_ratecode(&rc, err_, sizeof err_),
          "ratecode encoder: width must be > 0 (got 0)");
  rc = soma_ratecode_defaults(), rc.group = 2, rc.dims = 3000000;
  REFUSED(soma_encoder_ratecode(&rc, err_, sizeof err_),
          "ratecode encoder: 6000000 neurons is more than");
  rc = soma_ratecode_defaults(), rc.code = (soma_code_kind)7;
  REFUSED(soma_encoder_ratecode(&rc, err_, sizeof err_), "code must be monotone or bump (got 7)");

  soma_rays_params ry = soma_rays_defaults();
  ry.types = 0;
  REFUSED(soma_encoder_rays(&ry, err_, sizeof err_), "rays encoder: types must be >= 1 (got 0)");
  ry = soma_rays_defaults(), ry.rays = 2.5e6, ry.types = 2e6, ry.group = 4000000;
  REFUSED(soma_encoder_rays(&ry, err_, sizeof err_), "rays encoder: ");
  ry = soma_rays_defaults(), ry.group = -1;
  REFUSED(soma_encoder_rays(&ry, err_, sizeof err_), "rays encoder: group must be >= 1 (got -1)");
}

TEST(bad_inputs_leave_the_rates_alone) {
  char err[256];
  soma_place_params p = soma_place_defaults();
  soma_encoder *e = soma_encoder_place(&p, err, sizeof err);
  REQUIRE(e);
  float r[100];
  for (int i = 0; i < 100; i++) r[i] = -7;
  CHECK(soma_encoder_rates(e, (double[]){INFINITY, 0}, 2, r) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_encoder_errmsg(e),
               "place encoder: the position must be finite, or NaN when unknown (got inf, 0)"));
  CHECK(soma_encoder_rates(e, (double[]){0.5}, 1, r) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_encoder_errmsg(e), "place encoder: takes 2 input values (got 1)"));
  CHECK(soma_encoder_rates(e, NULL, 2, r) == SOMA_ERR_PARAM);
  int same = 1;
  for (int i = 0; i < 100; i++) same &= r[i] == -7;
  CHECK(same);
  CHECK(soma_encoder_rates(e, (double[]){0.5, 0.5}, 2, r) == SOMA_OK);
  CHECK(!strcmp(soma_encoder_errmsg(e), ""));

  /* applying to a population that does not fit */
  soma_net *net = tf_net(soma_net_defaults());
  REQUIRE(net);
  soma_pop *small = tf_pop(net, "small", "poisson", 99, NULL);
  soma_pop *lif = tf_pop(net, "lif", "lif", 100, NULL);
  REQUIRE(small && lif);
  CHECK(soma_encoder_apply(e, (double[]){0.5, 0.5}, 2, small) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_encoder_errmsg(e),
               "population 'small' has 99 neurons; the encoder drives 100"));
  CHECK(soma_encoder_apply(e, (double[]){0.5, 0.5}, 2, lif) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_encoder_errmsg(e),
               "population 'lif' is of model 'lif', which has no rates to set"));
  soma_net_destroy(net);
  soma_encoder_destroy(e);
}

/* Runs ms with the encoder's rates for input in set on pop; checks each neuron's count against
 * its rate (binomial per step, close to Poisson) and the mean squared z-score. */
static void check_measured_rates(soma_net *net, soma_rec *rec, soma_encoder *e, soma_pop *pop,
                                 const double *in, int n_in, double ms) {
  int n = soma_encoder_size(e);
  CHECK_MSG(soma_encoder_apply(e, in, n_in, pop) == SOMA_OK, "%s", soma_encoder_errmsg(e));
  REQUIRE(soma_encoder_rates(e, in, n_in, rates) == SOMA_OK);
  int64_t from = soma_net_steps(net);
  REQUIRE(soma_net_run(net, ms) == SOMA_OK);
  static double counts[MAX_N];
  char err[256];
  REQUIRE(soma_spike_counts(rec, from, soma_net_steps(net), counts, n, err, sizeof err) == SOMA_OK);
  double z2 = 0, p_dt = soma_net_dt(net) * 1e-3, steps = ms / soma_net_dt(net);
  int outliers = 0;
  for (int i = 0; i < n; i++) {
    double p = rates[i] * p_dt, mean = steps * p, sd = sqrt(steps * p * (1 - p));
    double z = sd > 0 ? (counts[i] - mean) / sd : counts[i] - mean;
    outliers += fabs(z) > 5;
    z2 += z * z;
  }
  CHECK_MSG(outliers == 0, "%d neurons more than 5 sd from their rate", outliers);
  CHECK_MSG(z2 / n > 0.5 && z2 / n < 1.6, "mean squared z-score %g (expected about 1)", z2 / n);
}

TEST(an_encoder_drives_a_poisson_population) {
  soma_net_config c = soma_net_defaults();
  c.seed = 11;
  soma_net *net = tf_net(c);
  REQUIRE(net);
  soma_place_params p = soma_place_defaults();
  p.sigma = 0.2, p.r_max = 100, p.r_min = 5;
  char err[256];
  soma_encoder *e = soma_encoder_place(&p, err, sizeof err);
  REQUIRE(e);
  soma_pop *pop = tf_pop(net, "place", "poisson", soma_encoder_size(e), NULL);
  REQUIRE(pop);
  soma_rec *rec = soma_rec_spikes(net, pop, NULL, 0);
  REQUIRE(rec);
  check_measured_rates(net, rec, e, pop, (double[]){0.3, 0.7}, 2, 1000);
  check_measured_rates(net, rec, e, pop, (double[]){0.9, 0.1}, 2, 1000);   /* moved: new rates */
  double counts[100];
  REQUIRE(soma_spike_counts(rec, 0, soma_net_steps(net), counts, 100, err, sizeof err) == SOMA_OK);
  double total = 0;
  for (int i = 0; i < 100; i++) total += counts[i];
  CHECK(total == (double)soma_pop_spike_count(pop));
  soma_encoder_destroy(e);

  /* the labyrinth's tree drives another population in the same network */
  soma_graph_params g = soma_graph_defaults();
  g.r_max = 80, g.r_min = 2;
  e = soma_encoder_graph(&g, err, sizeof err);
  REQUIRE(e);
  soma_pop *nodes = tf_pop(net, "nodes", "poisson", 127, NULL);
  REQUIRE(nodes);
  soma_rec *rec_nodes = soma_rec_spikes(net, nodes, NULL, 0);
  REQUIRE(rec_nodes);
  check_measured_rates(net, rec_nodes, e, nodes, (double[]){116}, 1, 1000);
  soma_encoder_destroy(e);
  soma_net_destroy(net);
}

int main(void) {
  RUN(place_cells_follow_the_gaussian);
  RUN(tree_distances_of_the_labyrinth_numbering);
  RUN(graph_cells_tune_over_the_distance);
  RUN(onehot_lights_one_neuron);
  RUN(rate_codes_are_monotone_or_bumps);
  RUN(ray_codes_follow_the_forage_layout);
  RUN(encoders_read_the_worlds);
  RUN(bad_parameters_name_the_parameter);
  RUN(bad_inputs_leave_the_rates_alone);
  RUN(an_encoder_drives_a_poisson_population);
  return h_done();
}
