/* test_connect.c — connection rules: exact counts of the deterministic rules, canonical order
 * of soma_proj_get, statistics of the random rules (Bernoulli totals and degree
 * distributions, fixed in/out-degrees with and without multapses and autapses), weights and
 * delays drawn from distributions, independence from the thread count and dependence on the
 * seed, storage size per synapse, and rejection of invalid connections. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "sim/soma.h"

static soma_net *mknet(int threads, uint32_t seed, double dt, double max_delay) {
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  c.seed = seed;
  c.dt = dt;
  c.max_delay = max_delay;
  return tf_net(c);
}

static soma_net *net_t(int threads) { return mknet(threads, 1, 0.1, 500); }

static soma_pop *lif(soma_net *net, const char *name, int n) {
  return tf_pop(net, name, "lif", n, NULL);
}

static soma_pop *source(soma_net *net, const char *name, int n) {
  return tf_pop(net, name, "spike_source", n, NULL);
}

/* ---- synapse arrays ------------------------------------------------------------------ */

typedef struct syns {
  size_t n;
  int32_t *pre, *post;
  double *w, *d;
} syns;

static syns get(const soma_proj *p) {
  syns s = {0};
  s.n = soma_proj_size(p);
  size_t m = s.n ? s.n : 1;
  s.pre = malloc(sizeof(int32_t) * m);
  s.post = malloc(sizeof(int32_t) * m);
  s.w = malloc(sizeof(double) * m);
  s.d = malloc(sizeof(double) * m);
  if (soma_proj_get(p, s.pre, s.post, s.w, s.d) != SOMA_OK) s.n = 0;
  return s;
}

static void unget(syns *s) {
  free(s->pre);
  free(s->post);
  free(s->w);
  free(s->d);
  memset(s, 0, sizeof *s);
}

static int same_syns(const syns *a, const syns *b) {
  return a->n == b->n && memcmp(a->pre, b->pre, sizeof(int32_t) * a->n) == 0 &&
         memcmp(a->post, b->post, sizeof(int32_t) * a->n) == 0 &&
         memcmp(a->w, b->w, sizeof(double) * a->n) == 0 &&
         memcmp(a->d, b->d, sizeof(double) * a->n) == 0;
}

/* sorted by (pre, post): the canonical order */
static int canonical(const syns *s) {
  for (size_t k = 1; k < s->n; k++)
    if (s->pre[k - 1] > s->pre[k] || (s->pre[k - 1] == s->pre[k] && s->post[k - 1] > s->post[k]))
      return 0;
  return 1;
}

/* number of (pre, post) pairs that occur more than once (syns must be canonical) */
static size_t repeats(const syns *s) {
  size_t r = 0;
  for (size_t k = 1; k < s->n; k++) r += s->pre[k - 1] == s->pre[k] && s->post[k - 1] == s->post[k];
  return r;
}

static size_t autapses(const syns *s) {
  size_t r = 0;
  for (size_t k = 0; k < s->n; k++) r += s->pre[k] == s->post[k];
  return r;
}

static void degrees(const syns *s, int n_pre, int n_post, int *in, int *out) {
  if (in) memset(in, 0, sizeof(int) * (size_t)n_post);
  if (out) memset(out, 0, sizeof(int) * (size_t)n_pre);
  for (size_t k = 0; k < s->n; k++) {
    if (in) in[s->post[k]]++;
    if (out) out[s->pre[k]]++;
  }
}

static void mean_var_int(const int *x, int n, double *mean, double *var) {
  double m = 0, v = 0;
  for (int i = 0; i < n; i++) m += x[i];
  m /= n;
  for (int i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *var = v / (n - 1);
}

static void mean_var(const double *x, size_t n, double *mean, double *var) {
  double m = 0, v = 0;
  for (size_t i = 0; i < n; i++) m += x[i];
  m /= (double)n;
  for (size_t i = 0; i < n; i++) v += (x[i] - m) * (x[i] - m);
  *mean = m;
  *var = v / (double)(n - 1);
}

/* Pearson chi-square of counts against equal expectation */
static double chi2_uniform(const int *count, int bins) {
  double tot = 0, chi = 0;
  for (int b = 0; b < bins; b++) tot += count[b];
  double e = tot / bins;
  for (int b = 0; b < bins; b++) chi += (count[b] - e) * (count[b] - e) / e;
  return chi;
}

/* a loose upper bound for a chi-square with dof degrees of freedom (about 5 sigma) */
static double chi2_bound(int dof) { return dof + 5.0 * sqrt(2.0 * dof) + 5; }

/* ---- deterministic rules ------------------------------------------------------------- */

TEST(all_to_all_counts_and_order) {
  for (int threads = 1; threads <= 3; threads++) {
    soma_net *net = net_t(threads);
    soma_pop *a = source(net, "a", 37), *b = lif(net, "b", 53), *c = lif(net, "c", 40);
    REQUIRE(a && b && c);
    soma_conn conn = soma_conn_defaults();
    soma_proj *ab = tf_proj(net, "a->b", a, b, &conn);
    soma_proj *cc = tf_proj(net, "c->c", c, c, &conn);
    conn.autapses = 1;
    soma_proj *cca = tf_proj(net, "c->c+aut", c, c, &conn);
    REQUIRE(ab && cc && cca);
    CHECK(soma_proj_size(ab) == 37 * 53);
    CHECK(soma_proj_size(cc) == 40 * 39);
    CHECK(soma_proj_size(cca) == 40 * 40);
    CHECK(soma_net_synapse_count(net) == 37 * 53 + 40 * 39 + 40 * 40);
    syns s = get(ab);
    /* exactly every pair once, in (pre, post) order */
    size_t k = 0;
    int ok = s.n == 37 * 53;
    for (int i = 0; i < 37 && ok; i++)
      for (int j = 0; j < 53 && ok; j++, k++)
        ok = s.pre[k] == i && s.post[k] == j && s.w[k] == 1.0 && fabs(s.d[k] - 0.1) < 1e-12;
    CHECK_MSG(ok, "threads %d: all_to_all a->b is not every pair once in order (at %zu)", threads, k);
    unget(&s);
    s = get(cc);
    k = 0;
    ok = 1;
    for (int i = 0; i < 40 && ok; i++)
      for (int j = 0; j < 40 && ok; j++)
        if (i != j) {
          ok = s.pre[k] == i && s.post[k] == j;
          k++;
        }
    CHECK_MSG(ok && k == s.n, "threads %d: all_to_all without autapses wrong at %zu", threads, k);
    CHECK(autapses(&s) == 0);
    unget(&s);
    s = get(cca);
    CHECK(autapses(&s) == 40);
    CHECK(canonical(&s) && repeats(&s) == 0);
    unget(&s);
    soma_net_destroy(net);
  }
}

TEST(one_to_one_pairs) {
  for (int threads = 1; threads <= 3; threads++) {
    soma_net *net = net_t(threads);
    soma_pop *a = source(net, "a", 50), *b = lif(net, "b", 50), *c = lif(net, "c", 33),
             *d = lif(net, "d", 49);
    REQUIRE(a && b && c && d);
    soma_conn conn = soma_conn_defaults();
    conn.rule = SOMA_CONN_ONE_TO_ONE;
    conn.weight = soma_dist_const(2.5);
    conn.delay = soma_dist_const(1.7);
    soma_proj *ab = tf_proj(net, "a->b", a, b, &conn);
    REQUIRE(ab);
    syns s = get(ab);
    CHECK(s.n == 50);
    int ok = s.n == 50;
    for (int i = 0; i < 50 && ok; i++)
      ok = s.pre[i] == i && s.post[i] == i && s.w[i] == 2.5 && fabs(s.d[i] - 1.7) < 1e-9;
    CHECK_MSG(ok, "threads %d: one_to_one is not i -> i with the given weight and delay", threads);
    unget(&s);
    /* onto itself: needs autapses, then gives i -> i */
    int before = soma_net_proj_count(net);
    CHECK(soma_proj_create(net, "c->c", c, c, &conn) == NULL);
    CHECK(soma_net_proj_count(net) == before);
    conn.autapses = 1;
    soma_proj *cc = tf_proj(net, "c->c", c, c, &conn);
    REQUIRE(cc);
    s = get(cc);
    CHECK(s.n == 33 && autapses(&s) == 33);
    unget(&s);
    /* sizes must match */
    CHECK(soma_proj_create(net, "a->d", a, d, &conn) == NULL);
    CHECK(strstr(soma_net_errmsg(net), "one_to_one") != NULL);
    soma_net_destroy(net);
  }
}

/* An explicit list comes back sorted by (pre, post), repeated pairs in list order, with the
 * list's weights and delays (delays rounded to the grid). */
TEST(explicit_list_canonical_order) {
  enum { N = 24 };
  int32_t pre[N], post[N];
  double w[N], d[N];
  /* unsorted, with repeated pairs and targets spread over three threads' ranges */
  const int32_t P[N] = {5, 0, 5, 3, 0, 5, 7, 3, 0, 5, 1, 1, 7, 5, 2, 0, 3, 6, 6, 5, 0, 4, 4, 5};
  const int32_t Q[N] = {40, 47, 3, 20, 0, 40, 1, 20, 47, 3, 33, 16, 0, 40, 15, 16, 2, 44, 17, 0,
                        32, 31, 31, 47};
  for (int k = 0; k < N; k++) {
    pre[k] = P[k];
    post[k] = Q[k];
    w[k] = 1.0 + k;                  /* identifies the list entry */
    d[k] = 0.1 * (1 + (k * 7) % 40); /* on the grid */
  }
  d[3] = 0.26;   /* rounds to 0.3 */
  d[10] = 0.34;  /* rounds to 0.3 */
  /* the expected order: a stable sort of the list by (pre, post) */
  int idx[N];
  for (int k = 0; k < N; k++) idx[k] = k;
  for (int a = 1; a < N; a++)   /* insertion sort: stable */
    for (int b = a; b > 0; b--) {
      int x = idx[b - 1], y = idx[b];
      if (P[x] > P[y] || (P[x] == P[y] && Q[x] > Q[y])) {
        idx[b - 1] = y;
        idx[b] = x;
      } else {
        break;
      }
    }
  syns ref = {0};
  for (int threads = 1; threads <= 4; threads++) {
    soma_net *net = net_t(threads);
    soma_pop *a = source(net, "a", 8), *b = lif(net, "b", 48);
    REQUIRE(a && b);
    soma_conn c = soma_conn_defaults();
    c.rule = SOMA_CONN_LIST;
    c.n = N;
    c.pre_ids = pre;
    c.post_ids = post;
    c.weights = w;
    c.delays = d;
    soma_proj *p = tf_proj(net, "list", a, b, &c);
    REQUIRE(p);
    syns s = get(p);
    CHECK(s.n == N);
    int ok = s.n == N;
    for (int k = 0; k < N && ok; k++) {
      int e = idx[k];
      double de = round(d[e] / 0.1) * 0.1;
      ok = s.pre[k] == P[e] && s.post[k] == Q[e] && s.w[k] == w[e] && fabs(s.d[k] - de) < 1e-9;
      if (!ok)
        printf("  threads %d: synapse %d is %d->%d w %g d %g, expected list entry %d: %d->%d w %g d %g\n",
               threads, k, s.pre[k], s.post[k], s.w[k], s.d[k], e, P[e], Q[e], w[e], de);
    }
    CHECK_MSG(ok, "threads %d: list synapses not in canonical order with their weights/delays", threads);
    if (threads == 1) ref = s;
    else {
      CHECK(same_syns(&ref, &s));
      unget(&s);
    }
    /* without weights and delays: the rule's distributions are used */
    c.weights = NULL;
    c.delays = NULL;
    c.weight = soma_dist_const(3.25);
    c.delay = soma_dist_const(2.0);
    soma_proj *p2 = tf_proj(net, "list2", a, b, &c);
    REQUIRE(p2);
    s = get(p2);
    ok = s.n == N;
    for (int k = 0; k < N && ok; k++)
      ok = s.pre[k] == P[idx[k]] && s.post[k] == Q[idx[k]] && s.w[k] == 3.25 && fabs(s.d[k] - 2.0) < 1e-9;
    CHECK_MSG(ok, "threads %d: list without weights/delays", threads);
    unget(&s);
    /* random weights for a list are keyed by list entry: same for every thread count */
    c.weight = soma_dist_uniform(1, 2);
    soma_proj *p3 = tf_proj(net, "list3", a, b, &c);
    REQUIRE(p3);
    s = get(p3);
    double lo = 1e9, hi = -1e9;
    for (size_t k = 0; k < s.n; k++) {
      lo = fmin(lo, s.w[k]);
      hi = fmax(hi, s.w[k]);
    }
    CHECK(s.n == N && lo >= 1 && hi <= 2 && hi > lo);
    unget(&s);
    soma_net_destroy(net);
  }
  unget(&ref);
}

TEST(list_validation) {
  soma_net *net = net_t(2);
  soma_pop *a = lif(net, "a", 10), *b = lif(net, "b", 20);
  REQUIRE(a && b);
  int32_t pre[3] = {0, 1, 2}, post[3] = {0, 1, 2}, bad[3] = {0, 20, 1};
  double d_bad[3] = {0.1, 0.05, 1.0}, d_far[3] = {0.1, 600, 1.0}, w_neg[3] = {1, -1, 1};
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 3;
  c.pre_ids = pre;
  c.post_ids = bad;
  CHECK(soma_proj_create(net, "x", a, b, &c) == NULL);         /* target out of range */
  c.post_ids = post;
  CHECK(soma_proj_create(net, "x", a, a, &c) == NULL);         /* i -> i without autapses */
  c.delays = d_bad;
  CHECK(soma_proj_create(net, "x", a, b, &c) == NULL);         /* delay below dt */
  c.delays = d_far;
  CHECK(soma_proj_create(net, "x", a, b, &c) == NULL);         /* delay beyond max_delay */
  c.delays = NULL;
  c.weights = w_neg;
  CHECK(soma_proj_create(net, "x", a, b, &c) == NULL);         /* negative on 'ex' */
  CHECK(soma_net_proj_count(net) == 0 && soma_net_synapse_count(net) == 0);
  c.weights = NULL;
  c.autapses = 1;
  CHECK(soma_proj_create(net, "x", a, a, &c) != NULL);
  CHECK(soma_net_synapse_count(net) == 3);
  soma_net_destroy(net);
}

/* ---- Bernoulli ----------------------------------------------------------------------- */

TEST(bernoulli_counts_and_degrees) {
  const int NA = 200, NB = 300;
  const double ps[] = {0.02, 0.3, 1, 0, 0.7};
  int *in = malloc(sizeof(int) * NB), *out = malloc(sizeof(int) * NA);
  for (int q = 0; q < 5; q++) {
    double p = ps[q];
    soma_net *net = mknet(2, 7 + q, 0.1, 500);
    soma_pop *a = source(net, "a", NA), *b = lif(net, "b", NB);
    REQUIRE(a && b);
    soma_conn c = soma_conn_rule_bernoulli(p);
    soma_proj *pr = tf_proj(net, "a->b", a, b, &c);
    REQUIRE(pr);
    syns s = get(pr);
    double pairs = (double)NA * NB, mu = p * pairs, sd = sqrt(pairs * p * (1 - p));
    printf("  p = %g: %zu synapses, expected %.0f +- %.1f\n", p, s.n, mu, sd);
    CHECK_NEAR((double)s.n, mu, 5 * sd + 1e-9);
    CHECK(canonical(&s));
    CHECK(repeats(&s) == 0);
    degrees(&s, NA, NB, in, out);
    if (p > 0 && p < 1) {
      double m, v;
      mean_var_int(in, NB, &m, &v);   /* in-degree ~ Binomial(NA, p) */
      double em = NA * p, ev = NA * p * (1 - p);
      printf("    in-degree mean %.3f (binomial %.3f), variance %.3f (%.3f)\n", m, em, v, ev);
      CHECK_NEAR(m, em, 5 * sqrt(ev / NB));
      CHECK_MSG(v > 0.6 * ev && v < 1.4 * ev, "in-degree variance %g, binomial %g", v, ev);
      mean_var_int(out, NA, &m, &v);  /* out-degree ~ Binomial(NB, p) */
      em = NB * p;
      ev = NB * p * (1 - p);
      printf("    out-degree mean %.3f (binomial %.3f), variance %.3f (%.3f)\n", m, em, v, ev);
      CHECK_NEAR(m, em, 5 * sqrt(ev / NA));
      CHECK_MSG(v > 0.6 * ev && v < 1.4 * ev, "out-degree variance %g, binomial %g", v, ev);
      /* sources are uniform: synapses per band of 20 sources */
      int bins[10] = {0};
      for (size_t k = 0; k < s.n; k++) bins[s.pre[k] / 20]++;
      double chi = chi2_uniform(bins, 10);
      CHECK_MSG(chi < chi2_bound(9), "sources not uniform: chi2 %g over 9 dof", chi);
      /* the first and last source are drawn as often as the others (the skip's edges) */
      int ends = 0;
      for (size_t k = 0; k < s.n; k++) ends += s.pre[k] == 0 || s.pre[k] == NA - 1;
      double e_ends = 2.0 * NB * p;
      CHECK_NEAR((double)ends, e_ends, 5 * sqrt(e_ends) + 1);
    } else {
      for (int j = 0; j < NB; j++) CHECK(in[j] == (p == 1 ? NA : 0));
    }
    unget(&s);
    soma_net_destroy(net);
  }
  free(in);
  free(out);
}

TEST(bernoulli_autapses) {
  const int N = 150;
  const double p = 0.5;
  soma_net *net = net_t(3);
  soma_pop *a = lif(net, "a", N);
  REQUIRE(a);
  soma_conn c = soma_conn_rule_bernoulli(p);
  soma_proj *no = tf_proj(net, "no", a, a, &c);
  c.autapses = 1;
  soma_proj *yes = tf_proj(net, "yes", a, a, &c);
  c.p = 1;
  c.autapses = 0;
  soma_proj *full = tf_proj(net, "full", a, a, &c);
  REQUIRE(no && yes && full);
  syns s = get(no);
  CHECK(autapses(&s) == 0);
  double mu = p * N * (N - 1), sd = sqrt(N * (N - 1) * p * (1 - p));
  CHECK_NEAR((double)s.n, mu, 5 * sd);
  unget(&s);
  s = get(yes);
  size_t aut = autapses(&s);
  printf("  with autapses: %zu of %d neurons connect to themselves (expected %.0f)\n", aut, N, N * p);
  CHECK_NEAR((double)aut, N * p, 5 * sqrt(N * p * (1 - p)));
  CHECK_NEAR((double)s.n, p * N * N, 5 * sqrt(N * N * p * (1 - p)));
  unget(&s);
  s = get(full);
  CHECK(s.n == (size_t)N * (N - 1) && autapses(&s) == 0);
  unget(&s);
  soma_net_destroy(net);
}

TEST(bernoulli_rejects_bad_p) {
  soma_net *net = net_t(1);
  soma_pop *a = lif(net, "a", 10);
  REQUIRE(a);
  soma_conn c = soma_conn_rule_bernoulli(1.5);
  CHECK(soma_proj_create(net, "x", a, a, &c) == NULL);
  c.p = -0.1;
  CHECK(soma_proj_create(net, "x", a, a, &c) == NULL);
  c.p = NAN;
  CHECK(soma_proj_create(net, "x", a, a, &c) == NULL);
  CHECK(soma_net_proj_count(net) == 0);
  soma_net_destroy(net);
}

/* ---- fixed degrees ------------------------------------------------------------------- */

TEST(fixed_indegree_exact) {
  const int NA = 120, NB = 70, K = 25;
  int in[120], out[120];
  for (int mult = 1; mult >= 0; mult--) {
    soma_net *net = net_t(3);
    soma_pop *a = source(net, "a", NA), *b = lif(net, "b", NB);
    REQUIRE(a && b);
    soma_conn c = soma_conn_rule_fixed_indegree(K);
    c.multapses = mult;
    soma_proj *pr = tf_proj(net, "a->b", a, b, &c);
    REQUIRE(pr);
    syns s = get(pr);
    CHECK(s.n == (size_t)NB * K);
    CHECK(canonical(&s));
    degrees(&s, NA, NB, in, out);
    int exact = 1;
    for (int j = 0; j < NB; j++) exact &= in[j] == K;
    CHECK_MSG(exact, "multapses %d: a target does not have exactly %d sources", mult, K);
    size_t rep = repeats(&s);
    /* with multapses about NB * C(K,2) / NA = 182 repeated pairs are expected */
    if (mult) CHECK_MSG(rep > 50, "only %zu repeated pairs with multapses", rep);
    else CHECK_MSG(rep == 0, "%zu repeated pairs without multapses", rep);
    int bins[10] = {0};
    for (size_t k = 0; k < s.n; k++) bins[s.pre[k] / 12]++;
    double chi = chi2_uniform(bins, 10);
    CHECK_MSG(chi < chi2_bound(9), "multapses %d: sources not uniform (chi2 %g)", mult, chi);
    double m, v;
    mean_var_int(out, NA, &m, &v);
    CHECK_NEAR(m, (double)NB * K / NA, 1e-9);
    unget(&s);
    soma_net_destroy(net);
  }
}

TEST(fixed_indegree_self) {
  const int N = 60;
  int in[60];
  soma_net *net = net_t(2);
  soma_pop *a = lif(net, "a", N);
  REQUIRE(a);
  /* without autapses or multapses, k = N - 1 takes every other neuron exactly once */
  soma_conn c = soma_conn_rule_fixed_indegree(N - 1);
  c.multapses = 0;
  soma_proj *all = tf_proj(net, "all", a, a, &c);
  REQUIRE(all);
  syns s = get(all);
  CHECK(s.n == (size_t)N * (N - 1) && autapses(&s) == 0 && repeats(&s) == 0);
  unget(&s);
  /* k = N is impossible without autapses, possible with them */
  c.k = N;
  CHECK(soma_proj_create(net, "too_many", a, a, &c) == NULL);
  c.autapses = 1;
  soma_proj *with = tf_proj(net, "with", a, a, &c);
  REQUIRE(with);
  s = get(with);
  CHECK(s.n == (size_t)N * N && autapses(&s) == (size_t)N && repeats(&s) == 0);
  unget(&s);
  /* multapses but no autapses: never i -> i, and the other sources are equally likely
     (the offset pre - post mod N is uniform over 1..N-1) */
  c.k = 30;
  c.autapses = 0;
  c.multapses = 1;
  soma_proj *mul = tf_proj(net, "mul", a, a, &c);
  REQUIRE(mul);
  s = get(mul);
  CHECK(s.n == (size_t)N * 30 && autapses(&s) == 0);
  degrees(&s, N, N, in, NULL);
  int exact = 1;
  for (int j = 0; j < N; j++) exact &= in[j] == 30;
  CHECK(exact);
  int off[59] = {0};
  for (size_t k = 0; k < s.n; k++) {
    int o = ((s.pre[k] - s.post[k]) % N + N) % N;
    if (o >= 1) off[o - 1]++;
  }
  double chi = chi2_uniform(off, N - 1);
  CHECK_MSG(chi < chi2_bound(N - 2), "offsets pre - post not uniform (chi2 %g over %d dof)", chi, N - 2);
  unget(&s);
  /* multapses without autapses, k = 30, drawn from 59 sources: same check without multapses */
  c.multapses = 0;
  soma_proj *dist = tf_proj(net, "distinct", a, a, &c);
  REQUIRE(dist);
  s = get(dist);
  CHECK(s.n == (size_t)N * 30 && autapses(&s) == 0 && repeats(&s) == 0);
  memset(off, 0, sizeof off);
  for (size_t k = 0; k < s.n; k++) off[((s.pre[k] - s.post[k]) % N + N) % N - 1]++;
  chi = chi2_uniform(off, N - 1);
  CHECK_MSG(chi < chi2_bound(N - 2), "distinct: offsets not uniform (chi2 %g)", chi);
  unget(&s);
  soma_net_destroy(net);
}

/* Found by tests/fuzz/lua.c: net:connect(P, P, {rule = "fixed_indegree", k = 0}) with P one
 * neuron and no autapses divided by zero (no candidates, nothing to draw). k = 0 makes an
 * empty projection for every rule and size. */
TEST(fixed_degree_zero_from_one_neuron) {
  soma_net *net = net_t(1);
  soma_pop *a = lif(net, "a", 1), *b = lif(net, "b", 3);
  REQUIRE(a && b);
  soma_conn in = soma_conn_rule_fixed_indegree(0), out = soma_conn_rule_fixed_outdegree(0);
  soma_proj *p1 = tf_proj(net, "in_self", a, a, &in), *p2 = tf_proj(net, "out_self", a, a, &out);
  in.multapses = out.multapses = 0;
  soma_proj *p3 = tf_proj(net, "in_distinct", a, a, &in), *p4 = tf_proj(net, "out_b", a, b, &out);
  REQUIRE(p1 && p2 && p3 && p4);
  CHECK(soma_proj_size(p1) == 0 && soma_proj_size(p2) == 0 && soma_proj_size(p3) == 0 &&
        soma_proj_size(p4) == 0);
  CHECK(soma_net_run(net, 1) == SOMA_OK);
  in.k = 1;   /* one source wanted, none allowed */
  CHECK(soma_proj_create(net, "in_one", a, a, &in) == NULL);
  CHECK_MSG(strstr(soma_net_errmsg(net), "no sources to draw from"), "%s", soma_net_errmsg(net));
  soma_net_destroy(net);
}

TEST(fixed_outdegree_exact) {
  const int NA = 70, NB = 120, K = 25;
  int in[120], out[120];
  for (int mult = 1; mult >= 0; mult--) {
    for (int threads = 1; threads <= 3; threads += 2) {
      soma_net *net = net_t(threads);
      soma_pop *a = source(net, "a", NA), *b = lif(net, "b", NB);
      REQUIRE(a && b);
      soma_conn c = soma_conn_rule_fixed_outdegree(K);
      c.multapses = mult;
      soma_proj *pr = tf_proj(net, "a->b", a, b, &c);
      REQUIRE(pr);
      syns s = get(pr);
      CHECK(s.n == (size_t)NA * K);
      CHECK(canonical(&s));
      degrees(&s, NA, NB, in, out);
      int exact = 1;
      for (int i = 0; i < NA; i++) exact &= out[i] == K;
      CHECK_MSG(exact, "multapses %d threads %d: a source does not have exactly %d targets", mult,
                threads, K);
      size_t rep = repeats(&s);
      if (mult) CHECK_MSG(rep > 50, "only %zu repeated pairs with multapses", rep);
      else CHECK_MSG(rep == 0, "%zu repeated pairs without multapses", rep);
      int bins[10] = {0};
      for (size_t k = 0; k < s.n; k++) bins[s.post[k] / 12]++;
      double chi = chi2_uniform(bins, 10);
      CHECK_MSG(chi < chi2_bound(9), "targets not uniform (chi2 %g)", chi);
      unget(&s);
      soma_net_destroy(net);
    }
  }
  /* onto itself */
  soma_net *net = net_t(2);
  soma_pop *a = lif(net, "a", 50);
  REQUIRE(a);
  soma_conn c = soma_conn_rule_fixed_outdegree(49);
  c.multapses = 0;
  soma_proj *pr = tf_proj(net, "self", a, a, &c);
  REQUIRE(pr);
  syns s = get(pr);
  CHECK(s.n == 50 * 49 && autapses(&s) == 0 && repeats(&s) == 0);
  unget(&s);
  c.k = 20;
  c.multapses = 1;
  pr = tf_proj(net, "self2", a, a, &c);
  REQUIRE(pr);
  s = get(pr);
  degrees(&s, 50, 50, NULL, out);
  int exact = 1;
  for (int i = 0; i < 50; i++) exact &= out[i] == 20;
  CHECK(s.n == 50 * 20 && autapses(&s) == 0 && exact);
  unget(&s);
  c.k = 50;
  c.multapses = 0;
  CHECK(soma_proj_create(net, "self3", a, a, &c) == NULL);
  soma_net_destroy(net);
}

/* ---- weights and delays from distributions ------------------------------------------ */

typedef struct wcase {
  const char *name;
  soma_dist d;
  const char *port;
  double mean, var;       /* of the (truncated) distribution */
  double lo, hi;          /* every value within */
} wcase;

TEST(weight_distributions) {
  const int N = 100;   /* all_to_all: 10,000 synapses */
  /* truncated normal moments: N(5, 2) on [0, inf): alpha = -2.5 */
  const double phi25 = exp(-3.125) / sqrt(2 * M_PI), Phi25 = 0.5 * erfc(2.5 / sqrt(2));
  const double lam = phi25 / (1 - Phi25);
  const double tn_mean = 5 + 2 * lam, tn_var = 4 * (1 + (-2.5) * lam - lam * lam);
  /* N(5, 2) on [4, 6]: +-0.5 sd */
  const double phi05 = exp(-0.125) / sqrt(2 * M_PI), mass05 = erf(0.5 / sqrt(2));
  const double sym_var = 4 * (1 - 2 * 0.5 * phi05 / mass05);
  const double ln_mean = exp(0.125), ln_var = (exp(0.25) - 1) * exp(0.25);
  const wcase cases[] = {
    {"uniform(1,3)", soma_dist_uniform(1, 3), "ex", 2, 1.0 / 3, 1, 3},
    {"normal(5,2) in [0,inf]", soma_dist_clip(soma_dist_normal(5, 2), 0, INFINITY), "ex", tn_mean, tn_var, 0, INFINITY},
    {"normal(-5,2) in [-inf,0]", soma_dist_clip(soma_dist_normal(-5, 2), -INFINITY, 0), "in", -tn_mean, tn_var, -INFINITY, 0},
    {"normal(5,2) in [4,6]", soma_dist_clip(soma_dist_normal(5, 2), 4, 6), "ex", 5, sym_var, 4, 6},
    {"exponential(2)", soma_dist_exponential(2), "ex", 2, 4, 0, INFINITY},
    {"gamma(2,1.5)", soma_dist_gamma(2, 1.5), "ex", 3, 4.5, 0, INFINITY},
    {"lognormal(0,0.5)", soma_dist_lognormal(0, 0.5), "ex", ln_mean, ln_var, 0, INFINITY},
  };
  soma_net *net = net_t(2);
  soma_pop *a = source(net, "a", N), *b = lif(net, "b", N);
  REQUIRE(a && b);
  for (size_t q = 0; q < sizeof cases / sizeof *cases; q++) {
    const wcase *w = &cases[q];
    soma_conn c = soma_conn_defaults();
    c.weight = w->d;
    c.port = w->port;
    char name[32];
    snprintf(name, sizeof name, "w%zu", q);
    soma_proj *pr = tf_proj(net, name, a, b, &c);
    REQUIRE(pr);
    syns s = get(pr);
    REQUIRE(s.n == (size_t)N * N);
    double m, v, lo = INFINITY, hi = -INFINITY;
    mean_var(s.w, s.n, &m, &v);
    for (size_t k = 0; k < s.n; k++) {
      lo = fmin(lo, s.w[k]);
      hi = fmax(hi, s.w[k]);
    }
    /* neighbouring synapses are independent: lag-1 correlation */
    double cov = 0;
    for (size_t k = 1; k < s.n; k++) cov += (s.w[k] - m) * (s.w[k - 1] - m);
    double r1 = cov / (double)(s.n - 1) / v;
    printf("  %-26s mean %.4f (%.4f), var %.4f (%.4f), range [%.3g, %.3g], lag-1 r %.4f\n",
           w->name, m, w->mean, v, w->var, lo, hi, r1);
    CHECK_MSG(fabs(m - w->mean) <= 5 * sqrt(w->var / (double)s.n), "%s: mean %g, expected %g", w->name, m, w->mean);
    CHECK_MSG(fabs(v / w->var - 1) < 0.15, "%s: variance %g, expected %g", w->name, v, w->var);
    CHECK_MSG(lo >= w->lo && hi <= w->hi, "%s: values in [%g, %g], outside [%g, %g]", w->name, lo, hi, w->lo, w->hi);
    CHECK_MSG(fabs(r1) < 5 / sqrt((double)s.n), "%s: lag-1 correlation %g", w->name, r1);
    unget(&s);
  }
  /* a distribution that can produce a value of the wrong sign is rejected */
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_normal(5, 2);
  CHECK(soma_proj_create(net, "bad", a, b, &c) == NULL);
  c.weight = soma_dist_uniform(1, 2);
  c.port = "in";
  CHECK(soma_proj_create(net, "bad", a, b, &c) == NULL);
  soma_net_destroy(net);
}

static int on_grid(double d, double dt) { return fabs(d / dt - round(d / dt)) < 1e-9; }

TEST(delay_distributions_on_grid) {
  const int N = 100;
  soma_net *net = net_t(2);
  soma_pop *a = source(net, "a", N), *b = lif(net, "b", N);
  REQUIRE(a && b);
  /* uniform(0.1, 5.0): steps 1..50, the end steps with half the weight of the inner ones */
  soma_conn c = soma_conn_defaults();
  c.delay = soma_dist_uniform(0.1, 5.0);
  c.weight = soma_dist_uniform(1, 2);
  soma_proj *pr = tf_proj(net, "u", a, b, &c);
  REQUIRE(pr);
  syns s = get(pr);
  REQUIRE(s.n == (size_t)N * N);
  int hist[52] = {0}, grid = 1, range = 1;
  for (size_t k = 0; k < s.n; k++) {
    grid &= on_grid(s.d[k], 0.1);
    int st = (int)lround(s.d[k] / 0.1);
    range &= st >= 1 && st <= 50;
    if (st >= 0 && st <= 51) hist[st]++;
  }
  CHECK_MSG(grid, "uniform delays off the dt grid");
  CHECK_MSG(range, "uniform delays outside [0.1, 5.0]");
  double m, v;
  mean_var(s.d, s.n, &m, &v);
  printf("  uniform(0.1, 5.0) delays: mean %.4f ms (2.55), steps 1: %d, 2: %d, 25: %d, 50: %d\n", m,
         hist[1], hist[2], hist[25], hist[50]);
  CHECK_NEAR(m, 2.55, 5 * 1.415 / N);
  const double inner = (double)s.n / 49;   /* each inner step holds 1/49 */
  int hist_ok = 1;
  for (int st = 2; st <= 49; st++) hist_ok &= fabs(hist[st] - inner) < 5 * sqrt(inner);
  CHECK_MSG(hist_ok, "uniform delays: inner step counts off");
  CHECK_NEAR(hist[1], inner / 2, 5 * sqrt(inner / 2));
  CHECK_NEAR(hist[50], inner / 2, 5 * sqrt(inner / 2));
  /* delays and weights are drawn independently */
  double mw, vw, cov = 0;
  mean_var(s.w, s.n, &mw, &vw);
  for (size_t k = 0; k < s.n; k++) cov += (s.w[k] - mw) * (s.d[k] - m);
  double r = cov / (double)(s.n - 1) / sqrt(v * vw);
  CHECK_MSG(fabs(r) < 5 / sqrt((double)s.n), "weight-delay correlation %g", r);
  unget(&s);

  /* exponential(1) in [0.1, 8]: on the grid and in range */
  c.delay = soma_dist_clip(soma_dist_exponential(1), 0.1, 8);
  c.weight = soma_dist_const(1);
  pr = tf_proj(net, "e", a, b, &c);
  REQUIRE(pr);
  s = get(pr);
  grid = 1;
  double lo = INFINITY, hi = 0;
  for (size_t k = 0; k < s.n; k++) {
    grid &= on_grid(s.d[k], 0.1);
    lo = fmin(lo, s.d[k]);
    hi = fmax(hi, s.d[k]);
  }
  mean_var(s.d, s.n, &m, &v);
  /* E[X | 0.1 <= X <= 8] for X ~ exp(1) ≈ 1.1 - 8 e^-8 / (e^-0.1 - e^-8) */
  double em = (0.1 * exp(-0.1) + exp(-0.1) - 8 * exp(-8) - exp(-8)) / (exp(-0.1) - exp(-8));
  printf("  exponential(1) in [0.1, 8] delays: mean %.4f (%.4f), range [%g, %g]\n", m, em, lo, hi);
  CHECK(grid);
  CHECK(lo >= 0.1 - 1e-12 && hi <= 8 + 1e-12);
  CHECK_NEAR(m, em, 0.05);
  unget(&s);

  /* a distribution reaching below dt or beyond max_delay is rejected */
  c.delay = soma_dist_exponential(1);
  CHECK(soma_proj_create(net, "bad", a, b, &c) == NULL);
  c.delay = soma_dist_uniform(1, 600);
  CHECK(soma_proj_create(net, "bad", a, b, &c) == NULL);
  c.delay = soma_dist_const(0.05);
  CHECK(soma_proj_create(net, "bad", a, b, &c) == NULL);
  soma_net_destroy(net);

  /* another grid: dt = 0.25 */
  net = mknet(3, 1, 0.25, 100);
  a = source(net, "a", 40);
  b = lif(net, "b", 40);
  REQUIRE(a && b);
  c = soma_conn_defaults();
  c.delay = soma_dist_const(1.1);   /* 4.4 steps -> 4 -> 1.0 ms */
  pr = tf_proj(net, "c", a, b, &c);
  REQUIRE(pr);
  s = get(pr);
  int ok = 1;
  for (size_t k = 0; k < s.n; k++) ok &= fabs(s.d[k] - 1.0) < 1e-12;
  CHECK_MSG(ok, "constant delay 1.1 ms on a 0.25 ms grid should be 1.0 ms (got %g)", s.n ? s.d[0] : -1);
  unget(&s);
  c.delay = soma_dist_normal(3, 1);
  c.delay = soma_dist_clip(c.delay, 0.25, 6);
  pr = tf_proj(net, "n", a, b, &c);
  REQUIRE(pr);
  s = get(pr);
  ok = 1;
  for (size_t k = 0; k < s.n; k++) ok &= on_grid(s.d[k], 0.25) && s.d[k] >= 0.25 && s.d[k] <= 6;
  CHECK(ok);
  mean_var(s.d, s.n, &m, &v);
  CHECK_NEAR(m, 3, 0.1);
  unget(&s);
  /* the default delay is one step */
  c = soma_conn_defaults();
  pr = tf_proj(net, "default", a, b, &c);
  REQUIRE(pr);
  s = get(pr);
  CHECK(s.n == 1600 && fabs(s.d[0] - 0.25) < 1e-12 && fabs(s.d[s.n - 1] - 0.25) < 1e-12);
  unget(&s);
  soma_net_destroy(net);
}

/* ---- determinism --------------------------------------------------------------------- */

#define N_RULES 7

/* Builds a set of projections covering every rule with random weights and delays. */
static int build_rules(soma_net *net, soma_proj **out) {
  soma_pop *a = soma_pop_create(net, "a", "lif", 90, NULL);
  soma_pop *b = soma_pop_create(net, "b", "lif", 77, NULL);
  if (!a || !b) return 0;
  soma_conn c = soma_conn_rule_bernoulli(0.1);
  c.weight = soma_dist_clip(soma_dist_normal(2, 1), 0, INFINITY);
  c.delay = soma_dist_uniform(0.1, 3);
  out[0] = soma_proj_create(net, "bern", a, b, &c);
  c = soma_conn_rule_fixed_indegree(12);
  c.weight = soma_dist_exponential(1);
  c.delay = soma_dist_clip(soma_dist_gamma(2, 0.5), 0.1, 5);
  out[1] = soma_proj_create(net, "indeg", a, b, &c);
  c = soma_conn_rule_fixed_outdegree(9);
  c.weight = soma_dist_lognormal(0, 1);
  c.delay = soma_dist_uniform(0.5, 1.5);
  out[2] = soma_proj_create(net, "outdeg", b, a, &c);
  c = soma_conn_defaults();
  c.weight = soma_dist_uniform(0.5, 1);
  c.port = "ex";
  out[3] = soma_proj_create(net, "all", b, b, &c);
  c = soma_conn_rule_fixed_indegree(20);
  c.multapses = 0;
  c.weight = soma_dist_clip(soma_dist_normal(-1, 0.3), -INFINITY, 0);
  c.port = "in";
  out[4] = soma_proj_create(net, "indeg_self", a, a, &c);
  c = soma_conn_rule_bernoulli(0.3);
  c.autapses = 1;
  out[5] = soma_proj_create(net, "bern_const", b, b, &c);
  c = soma_conn_rule_fixed_outdegree(30);
  c.multapses = 0;
  c.delay = soma_dist_uniform(0.1, 10);
  out[6] = soma_proj_create(net, "outdeg_self", a, a, &c);
  for (int i = 0; i < N_RULES; i++)
    if (!out[i]) {
      printf("  build_rules: %s\n", soma_net_errmsg(net));
      return 0;
    }
  return 1;
}

TEST(synapses_do_not_depend_on_threads) {
  syns ref[N_RULES], s;
  soma_proj *pr[N_RULES];
  const int thread_counts[] = {1, 2, 3, 4, 7};
  for (int q = 0; q < 5; q++) {
    int threads = thread_counts[q];
    soma_net *net = mknet(threads, 12345, 0.1, 500);
    REQUIRE(net);
    REQUIRE(build_rules(net, pr));
    for (int r = 0; r < N_RULES; r++) {
      if (q == 0) {
        ref[r] = get(pr[r]);
        CHECK(ref[r].n > 0 && canonical(&ref[r]));
        continue;
      }
      s = get(pr[r]);
      CHECK_MSG(same_syns(&ref[r], &s), "projection %s differs with %d threads (%zu vs %zu synapses)",
                soma_proj_name(pr[r]), threads, s.n, ref[r].n);
      unget(&s);
    }
    soma_net_destroy(net);
  }
  /* the same seed twice */
  soma_net *net = mknet(2, 12345, 0.1, 500);
  REQUIRE(build_rules(net, pr));
  for (int r = 0; r < N_RULES; r++) {
    s = get(pr[r]);
    CHECK_MSG(same_syns(&ref[r], &s), "projection %s differs for the same seed", soma_proj_name(pr[r]));
    unget(&s);
  }
  soma_net_destroy(net);
  /* another seed: every random projection changes (rule 3 is all_to_all: only weights) */
  net = mknet(2, 12346, 0.1, 500);
  REQUIRE(build_rules(net, pr));
  for (int r = 0; r < N_RULES; r++) {
    s = get(pr[r]);
    CHECK_MSG(!same_syns(&ref[r], &s), "projection %s is the same for another seed", soma_proj_name(pr[r]));
    if (r == 3) {   /* all_to_all: the same pairs, other weights */
      CHECK(s.n == ref[r].n && memcmp(s.post, ref[r].post, sizeof(int32_t) * s.n) == 0);
      CHECK(memcmp(s.w, ref[r].w, sizeof(double) * s.n) != 0);
    }
    unget(&s);
  }
  soma_net_destroy(net);
  for (int r = 0; r < N_RULES; r++) unget(&ref[r]);
}

/* A projection's synapses depend on the seed and its own name, not on what was built before
 * it; another name gives other synapses. */
TEST(synapses_keyed_by_name_not_history) {
  syns x, y, z;
  soma_net *n1 = mknet(1, 99, 0.1, 500), *n2 = mknet(3, 99, 0.1, 500);
  soma_pop *a1 = lif(n1, "a", 64), *a2 = lif(n2, "a", 64);
  REQUIRE(a1 && a2);
  soma_pop *extra = lif(n2, "extra", 10);
  REQUIRE(extra);
  soma_conn c = soma_conn_rule_bernoulli(0.2);
  c.weight = soma_dist_uniform(1, 2);
  c.delay = soma_dist_uniform(0.1, 2);
  CHECK(tf_proj(n2, "first", a2, a2, &c) != NULL);
  CHECK(tf_proj(n2, "second", extra, a2, &c) != NULL);
  soma_proj *p1 = tf_proj(n1, "P", a1, a1, &c), *p2 = tf_proj(n2, "P", a2, a2, &c);
  soma_proj *p3 = tf_proj(n1, "Q", a1, a1, &c);
  REQUIRE(p1 && p2 && p3);
  x = get(p1);
  y = get(p2);
  z = get(p3);
  CHECK(same_syns(&x, &y));
  CHECK(!same_syns(&x, &z));
  unget(&x);
  unget(&y);
  unget(&z);
  /* creating a projection with a name already used fails */
  CHECK(soma_proj_create(n1, "P", a1, a1, &c) == NULL);
  soma_net_destroy(n1);
  soma_net_destroy(n2);
}

/* ---- storage ------------------------------------------------------------------------- */

TEST(bytes_per_synapse) {
  for (int threads = 1; threads <= 3; threads++) {
    soma_net *net = net_t(threads);
    soma_pop *a = source(net, "a", 40), *b = lif(net, "b", 50);
    REQUIRE(a && b);
    const size_t rows = (size_t)threads * (40 + 1) * sizeof(size_t);   /* row pointers */
    soma_conn c = soma_conn_defaults();
    c.weight = soma_dist_const(2);
    c.delay = soma_dist_const(1.5);
    REQUIRE(tf_proj(net, "const", a, b, &c));
    size_t b1 = soma_net_synapse_bytes(net);
    printf("  threads %d: 2000 constant synapses take %zu bytes (%zu of row pointers)\n", threads, b1, rows);
    CHECK(b1 == 2000 * 4 + rows);
    /* the synapse part grows by exactly 4 bytes per synapse for constant weight and delay */
    c = soma_conn_rule_bernoulli(0.37);
    REQUIRE(tf_proj(net, "bern", a, b, &c));
    size_t n2 = soma_net_synapse_count(net) - 2000;
    size_t b2 = soma_net_synapse_bytes(net);
    CHECK(b2 - b1 == n2 * 4 + rows);
    /* per-synapse weights add 4 bytes, per-synapse delays 2 */
    c = soma_conn_defaults();
    c.weight = soma_dist_uniform(1, 2);
    REQUIRE(tf_proj(net, "w", a, b, &c));
    size_t b3 = soma_net_synapse_bytes(net);
    CHECK(b3 - b2 == 2000 * 8 + rows);
    c.delay = soma_dist_uniform(0.1, 2);
    REQUIRE(tf_proj(net, "wd", a, b, &c));
    size_t b4 = soma_net_synapse_bytes(net);
    CHECK(b4 - b3 == 2000 * 10 + rows);
    c.weight = soma_dist_const(1);
    REQUIRE(tf_proj(net, "d", a, b, &c));
    CHECK(soma_net_synapse_bytes(net) - b4 == 2000 * 6 + rows);
    soma_net_destroy(net);
  }
}

/* Weights set between runs take effect in both ways of stepping, read back in the same
 * order, and give the same spikes for every thread count. */
static uint64_t run_with_new_weights(int threads, int parallel, syns *out) {
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  c.parallel = parallel;
  soma_net *net = tf_net(c);
  soma_pop *a = tf_pop(net, "a", "poisson", 200, (soma_param[]){{"rate", 50}, {NULL, 0}});
  soma_pop *b = lif(net, "b", 100);
  soma_conn k = soma_conn_rule_bernoulli(0.2);
  k.weight = soma_dist_uniform(0, 300);
  k.delay = soma_dist_uniform(0.1, 3);
  soma_proj *p = tf_proj(net, "ab", a, b, &k);
  if (!p) return 0;
  soma_rec *r = soma_rec_spikes(net, b, NULL, 0);
  soma_net_run(net, 50);
  uint64_t before = soma_pop_spike_count(b);
  double zero = 0;
  CHECK(soma_proj_set_weights(p, &zero, 1) == SOMA_OK);
  soma_net_run(net, 50);   /* in-flight spikes land within 3 ms, then silence */
  uint64_t after_zero = soma_pop_spike_count(b);
  CHECK(after_zero - before < 20);
  syns s = get(p);
  for (size_t i = 0; i < s.n; i++) s.w[i] = 400.0 * (double)(i % 7) / 6;
  CHECK(soma_proj_set_weights(p, s.w, s.n) == SOMA_OK);
  soma_net_run(net, 100);
  CHECK(soma_pop_spike_count(b) > after_zero + 100);
  *out = get(p);
  for (size_t i = 0; i < s.n && i < out->n; i++) CHECK(out->w[i] == (double)(float)s.w[i]);
  uint64_t digest = 1469598103934665603ull;
  for (size_t i = 0; i < soma_rec_spike_count(r); i++)
    digest = (digest ^ (uint64_t)(soma_rec_spike_steps(r)[i] * 131 + soma_rec_spike_ids(r)[i])) *
             1099511628211ull;
  unget(&s);
  soma_net_destroy(net);
  return digest;
}

TEST(set_weights_between_runs) {
  syns ref, s;
  uint64_t d1 = run_with_new_weights(1, -1, &ref);
  const int cases[][2] = {{2, 0}, {2, 1}, {3, -1}};
  for (int c = 0; c < 3; c++) {
    CHECK_MSG(run_with_new_weights(cases[c][0], cases[c][1], &s) == d1, "threads %d, parallel %d",
              cases[c][0], cases[c][1]);
    CHECK(s.n == ref.n);
    for (size_t i = 0; i < s.n && i < ref.n; i++) CHECK(s.w[i] == ref.w[i] && s.post[i] == ref.post[i]);
    unget(&s);
  }
  unget(&ref);
}

TEST(set_weights_rejects_bad_values) {
  soma_net *net = net_t(2);
  soma_pop *a = source(net, "a", 10), *b = lif(net, "b", 10);
  soma_conn k = soma_conn_defaults();
  soma_proj *p = tf_proj(net, "ab", a, b, &k);
  REQUIRE(p);
  double w[3] = {1, 2, 3}, neg = -1, nan_ = NAN;
  CHECK(soma_proj_set_weights(p, w, 3) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_net_errmsg(net), "got 3 values for 100 synapses"));
  CHECK(soma_proj_set_weights(p, &neg, 1) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_net_errmsg(net), "must be >= 0"));
  CHECK(soma_proj_set_weights(p, &nan_, 1) == SOMA_ERR_PARAM);
  syns s = get(p);
  for (size_t i = 0; i < s.n; i++) CHECK(s.w[i] == 1);   /* unchanged after refusals */
  unget(&s);
  soma_net_destroy(net);
}

int main(void) {
  RUN(all_to_all_counts_and_order);
  RUN(one_to_one_pairs);
  RUN(explicit_list_canonical_order);
  RUN(list_validation);
  RUN(bernoulli_counts_and_degrees);
  RUN(bernoulli_autapses);
  RUN(bernoulli_rejects_bad_p);
  RUN(fixed_indegree_exact);
  RUN(fixed_indegree_self);
  RUN(fixed_degree_zero_from_one_neuron);
  RUN(fixed_outdegree_exact);
  RUN(weight_distributions);
  RUN(delay_distributions_on_grid);
  RUN(synapses_do_not_depend_on_threads);
  RUN(synapses_keyed_by_name_not_history);
  RUN(bytes_per_synapse);
  RUN(set_weights_between_runs);
  RUN(set_weights_rejects_bad_values);
  return h_done();
}
