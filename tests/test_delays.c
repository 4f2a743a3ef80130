/* test_delays.c — the ring buffers deliver every spike at exactly the right step.
 *
 * Convention: a spike produced by the update of step k is stamped k + 1; with a delay of d
 * steps its input is added at the start of step k + 1 + d = stamp + d. A state recorder with
 * interval dt created at t = 0 holds in row r the state after the update of step r, so the
 * target's I_syn_ex is first nonzero in row stamp + d, where it equals w * exp(-dt/tau_syn).
 *
 * Each test builds the expected input of every target step by step (from the construction,
 * or from soma_proj_get for random delays), integrates I_syn_ex in float exactly as the
 * model does, and compares the whole recorded trace, checking the first nonzero row exactly.
 * Covered: every delay 1..200 steps and max_delay (constant-delay storage), heterogeneous
 * per-synapse delays (list and distribution), the uint16 limit of 65535 steps, spikes in
 * flight when projections with longer or shorter delays are added between runs (the rings
 * are resized), and runs split into odd pieces against one long run. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "sim/soma.h"

#define DT 0.1

static soma_net *mknet(int threads, double max_delay) {
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  c.dt = DT;
  c.max_delay = max_delay;
  return tf_net(c);
}

/* a projection of one synapse i -> j with a constant weight and delay */
static soma_proj *single(soma_net *net, const char *name, soma_pop *a, soma_pop *b, int32_t i,
                         int32_t j, double w, double d_ms) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 1;
  c.pre_ids = &i;
  c.post_ids = &j;
  c.weight = soma_dist_const(w);
  c.delay = soma_dist_const(d_ms);
  return tf_proj(net, name, a, b, &c);
}

/* spikes of a spike source, by stamp (step count at the spike time) */
typedef struct spikes {
  int32_t id[4096];
  int64_t stamp[4096];
  int n;
} spikes;

static void add_spike(spikes *s, int32_t id, int64_t stamp) {
  s->id[s->n] = id;
  s->stamp[s->n++] = stamp;
}

static int give_spikes(soma_pop *src, const spikes *s) {
  double *t = malloc(sizeof(double) * (size_t)(s->n ? s->n : 1));
  for (int k = 0; k < s->n; k++) t[k] = (double)s->stamp[k] * DT;
  int rc = soma_pop_add_spikes(src, (size_t)s->n, s->id, t);
  if (rc) printf("  add_spikes failed (%d)\n", rc);
  free(t);
  return rc;
}

/* expected input: cols x S, in[j * S + r] = sum of weights arriving at target j in step r */
typedef struct expect {
  int cols;
  int64_t S, row0;   /* row r holds step row0 + r */
  double *in;
} expect;

static expect expect_new(int cols, int64_t S, int64_t row0) {
  expect e = {cols, S, row0, calloc((size_t)cols * (size_t)S, sizeof(double))};
  return e;
}

static void arrive(expect *e, int j, int64_t step, double w) {
  int64_t r = step - e->row0;
  if (r >= 0 && r < e->S) e->in[(size_t)j * (size_t)e->S + (size_t)r] += w;
}

/* every spike of `sp` through every synapse of projection p (delays from soma_proj_get),
 * for spikes with stamp in (after, ...] */
static void arrive_proj(expect *e, const soma_proj *p, const spikes *sp, int64_t after) {
  size_t n = soma_proj_size(p);
  int32_t *pre = malloc(sizeof(int32_t) * (n + 1)), *post = malloc(sizeof(int32_t) * (n + 1));
  double *w = malloc(sizeof(double) * (n + 1)), *d = malloc(sizeof(double) * (n + 1));
  soma_proj_get(p, pre, post, w, d);
  for (int s = 0; s < sp->n; s++) {
    if (sp->stamp[s] <= after) continue;
    for (size_t k = 0; k < n; k++)
      if (pre[k] == sp->id[s]) arrive(e, post[k], sp->stamp[s] + lround(d[k] / DT), w[k]);
  }
  free(pre);
  free(post);
  free(w);
  free(d);
}

/* Compares a recorded I_syn_ex trace (rows x cols, row r = after step row0 + r) with the exact
 * float integration of the expected input: I <- p11 * (I + in). The first nonzero row must
 * match exactly, and every value within float rounding. Returns the number of bad targets. */
static int check_trace(const char *what, const soma_rec *rec, const expect *e, double tau_syn) {
  const float p11 = (float)exp(-DT / tau_syn);
  const float *data = soma_rec_data(rec);
  int cols = soma_rec_columns(rec);
  if (cols != e->cols || (int64_t)soma_rec_samples(rec) < e->S) {
    printf("  %s: recording has %zu x %d, expected %lld x %d\n", what, soma_rec_samples(rec), cols,
           (long long)e->S, e->cols);
    return e->cols;
  }
  int bad = 0;
  for (int j = 0; j < cols; j++) {
    float I = 0;
    int64_t first_exp = -1, first_got = -1, worst_r = -1;
    double worst = 0;
    for (int64_t r = 0; r < e->S; r++) {
      double in = e->in[(size_t)j * (size_t)e->S + (size_t)r];
      I = p11 * (I + (float)in);
      float got = data[(size_t)r * (size_t)cols + (size_t)j];
      if (first_exp < 0 && in != 0) first_exp = r;
      if (first_got < 0 && got != 0) first_got = r;
      double err = fabs((double)got - (double)I);
      double tol = 2e-6 * fmax(fabs((double)I), 1.0);
      if (err > tol && err - tol > worst) {
        worst = err - tol;
        worst_r = r;
      }
    }
    if (first_exp != first_got || worst_r >= 0) {
      if (bad < 5) {
        printf("  %s: target %d first input expected at step %lld, seen at step %lld", what, j,
               (long long)(first_exp < 0 ? -1 : first_exp + e->row0),
               (long long)(first_got < 0 ? -1 : first_got + e->row0));
        if (worst_r >= 0) {
          float I2 = 0;
          for (int64_t r = 0; r <= worst_r; r++) I2 = p11 * (I2 + (float)e->in[(size_t)j * (size_t)e->S + (size_t)r]);
          printf("; at step %lld I_syn_ex = %.7g, expected %.7g",
                 (long long)(worst_r + e->row0), data[(size_t)worst_r * (size_t)cols + (size_t)j], I2);
        }
        printf("\n");
      }
      bad++;
    }
  }
  return bad;
}

/* ---- every delay ------------------------------------------------------------------- */

/* Source neuron i -> target i with its own constant-delay projection of i + 1 steps
 * (i < 200), and neuron 200 at max_delay = 254 steps (the ring then has exactly
 * max_delay + 2 = 256 slots). Each source spikes twice, at staggered steps, so arrivals fall
 * on every slot phase. */
TEST(every_constant_delay_lands_exactly) {
  enum { D = 200, N = D + 1, MAXD = 254 };
  for (int threads = 1; threads <= 3; threads++) {
    soma_net *net = mknet(threads, MAXD * DT);
    REQUIRE(net);
    soma_pop *src = soma_pop_create(net, "src", "spike_source", N, NULL);
    soma_pop *tgt = soma_pop_create(net, "tgt", "lif", N, NULL);
    REQUIRE(src && tgt);
    int ok = 1;
    for (int i = 0; i < N && ok; i++) {
      char name[16];
      snprintf(name, sizeof name, "d%d", i);
      int d = i < D ? i + 1 : MAXD;
      ok = single(net, name, src, tgt, i, i, 100.0 + i, d * DT) != NULL;
    }
    REQUIRE(ok);
    /* the delays come back as given */
    for (int i = 0; i < N; i++) {
      double d;
      soma_proj_get(soma_net_proj(net, i), NULL, NULL, NULL, &d);
      ok &= fabs(d - (i < D ? i + 1 : MAXD) * DT) < 1e-9;
    }
    CHECK_MSG(ok, "threads %d: soma_proj_get returns other delays", threads);
    spikes sp = {.n = 0};
    for (int i = 0; i < N; i++) {
      int64_t s1 = 10 + i % 13;
      add_spike(&sp, i, s1);
      add_spike(&sp, i, s1 + 37 + i % 5);
    }
    REQUIRE(give_spikes(src, &sp) == SOMA_OK);
    soma_rec *rec = soma_rec_state(net, tgt, "I_syn_ex", NULL, 0, DT);
    REQUIRE(rec);
    const int64_t S = 10 + 12 + 37 + 4 + MAXD + 20;
    REQUIRE(soma_net_run(net, S * DT) == SOMA_OK);
    expect e = expect_new(N, S, 0);
    for (int k = 0; k < sp.n; k++) {
      int i = sp.id[k], d = i < D ? i + 1 : MAXD;
      arrive(&e, i, sp.stamp[k] + d, 100.0 + i);
    }
    char what[64];
    snprintf(what, sizeof what, "constant delays, %d threads", threads);
    int bad = check_trace(what, rec, &e, 2.0);
    CHECK_MSG(bad == 0, "threads %d: %d of %d targets got their input at the wrong step", threads, bad, N);
    /* the value in the arrival row is w * exp(-dt/tau) */
    const float *data = soma_rec_data(rec);
    int i = 150;
    int64_t r = 10 + i % 13 + (i + 1);
    CHECK_NEAR(data[r * N + i], (100.0 + i) * exp(-DT / 2.0), 1e-3);
    CHECK(data[(r - 1) * N + i] == 0);
    CHECK(soma_net_event_count(net) == (uint64_t)sp.n);
    free(e.in);
    soma_net_destroy(net);
  }
}

/* One projection, per-synapse delays from a list: i -> i with i + 1 steps, i -> i + 7 with a
 * scrambled delay, and the max delay. */
TEST(heterogeneous_list_delays_land_exactly) {
  enum { N = 201, MAXD = 300 };
  int32_t pre[2 * N], post[2 * N];
  double w[2 * N], d[2 * N];
  int n = 0;
  for (int i = 0; i < N; i++) {
    pre[n] = i;
    post[n] = i;
    w[n] = 50 + i;
    d[n++] = (i < 200 ? i + 1 : MAXD) * DT;
    pre[n] = i;
    post[n] = (i + 7) % N;
    w[n] = 30;
    d[n++] = (1 + (i * 37) % MAXD) * DT;
  }
  for (int threads = 1; threads <= 2; threads++) {
    soma_net *net = mknet(threads, MAXD * DT);
    soma_pop *src = soma_pop_create(net, "src", "spike_source", N, NULL);
    soma_pop *tgt = soma_pop_create(net, "tgt", "lif", N, (soma_param[]){{"tau_syn_ex", 5}, {NULL, 0}});
    REQUIRE(src && tgt);
    soma_conn c = soma_conn_defaults();
    c.rule = SOMA_CONN_LIST;
    c.n = (size_t)n;
    c.pre_ids = pre;
    c.post_ids = post;
    c.weights = w;
    c.delays = d;
    soma_proj *p = tf_proj(net, "list", src, tgt, &c);
    REQUIRE(p);
    spikes sp = {.n = 0};
    for (int i = 0; i < N; i++) {
      add_spike(&sp, i, 5 + i % 11);
      add_spike(&sp, i, 5 + i % 11 + 60 + i % 3);
    }
    REQUIRE(give_spikes(src, &sp) == SOMA_OK);
    soma_rec *rec = soma_rec_state(net, tgt, "I_syn_ex", NULL, 0, DT);
    REQUIRE(rec);
    const int64_t S = 5 + 10 + 62 + MAXD + 10;
    REQUIRE(soma_net_run(net, S * DT) == SOMA_OK);
    expect e = expect_new(N, S, 0);
    for (int k = 0; k < sp.n; k++)
      for (int q = 0; q < n; q++)
        if (pre[q] == sp.id[k]) arrive(&e, post[q], sp.stamp[k] + lround(d[q] / DT), w[q]);
    char what[64];
    snprintf(what, sizeof what, "list delays, %d threads", threads);
    int bad = check_trace(what, rec, &e, 5.0);
    CHECK_MSG(bad == 0, "threads %d: %d targets wrong", threads, bad);
    free(e.in);
    soma_net_destroy(net);
  }
}

/* Delays from distributions (Bernoulli with uniform delays, one_to_one with clipped normal
 * delays into the same targets): every arrival at stamp + the delay soma_proj_get reports. */
TEST(distribution_delays_land_exactly) {
  enum { N = 100 };
  for (int threads = 1; threads <= 2; threads++) {
    soma_net *net = mknet(threads, 25.4);
    soma_pop *src = soma_pop_create(net, "src", "spike_source", N, NULL);
    soma_pop *tgt = soma_pop_create(net, "tgt", "lif", N, NULL);
    REQUIRE(src && tgt);
    soma_conn c = soma_conn_rule_bernoulli(0.05);
    c.weight = soma_dist_uniform(10, 100);
    c.delay = soma_dist_uniform(0.1, 25.4);
    soma_proj *p1 = tf_proj(net, "bern", src, tgt, &c);
    c = soma_conn_defaults();
    c.rule = SOMA_CONN_ONE_TO_ONE;
    c.weight = soma_dist_const(40);
    c.delay = soma_dist_clip(soma_dist_normal(5, 3), 0.1, 12);
    soma_proj *p2 = tf_proj(net, "o2o", src, tgt, &c);
    REQUIRE(p1 && p2);
    spikes sp = {.n = 0};
    for (int i = 0; i < N; i++) {
      add_spike(&sp, i, 3 + (i * 17) % 29);
      add_spike(&sp, i, 40 + (i * 13) % 31);
    }
    REQUIRE(give_spikes(src, &sp) == SOMA_OK);
    soma_rec *rec = soma_rec_state(net, tgt, "I_syn_ex", NULL, 0, DT);
    REQUIRE(rec);
    const int64_t S = 71 + 254 + 10;
    REQUIRE(soma_net_run(net, S * DT) == SOMA_OK);
    expect e = expect_new(N, S, 0);
    arrive_proj(&e, p1, &sp, -1);
    arrive_proj(&e, p2, &sp, -1);
    char what[64];
    snprintf(what, sizeof what, "distribution delays, %d threads", threads);
    int bad = check_trace(what, rec, &e, 2.0);
    CHECK_MSG(bad == 0, "threads %d: %d targets wrong", threads, bad);
    free(e.in);
    soma_net_destroy(net);
  }
}

/* The longest delay the storage allows: 65535 steps, per synapse (uint16) and constant. */
TEST(delay_of_65535_steps) {
  const double maxd = 65535 * DT;
  for (int threads = 1; threads <= 2; threads++) {
    soma_net *net = mknet(threads, maxd);
    REQUIRE(net);
    soma_pop *src = soma_pop_create(net, "src", "spike_source", 1, NULL);
    soma_pop *tgt = soma_pop_create(net, "tgt", "lif", 4, NULL);
    REQUIRE(src && tgt);
    int32_t pre[3] = {0, 0, 0}, post[3] = {0, 1, 2};
    double d[3] = {DT, maxd, 32768 * DT}, w[3] = {10, 20, 30};
    soma_conn c = soma_conn_defaults();
    c.rule = SOMA_CONN_LIST;
    c.n = 3;
    c.pre_ids = pre;
    c.post_ids = post;
    c.weights = w;
    c.delays = d;
    REQUIRE(tf_proj(net, "het", src, tgt, &c));
    REQUIRE(single(net, "far", src, tgt, 0, 3, 40, maxd));
    /* a delay beyond max_delay is refused */
    soma_conn beyond = soma_conn_defaults();
    beyond.delay = soma_dist_const(maxd + DT);
    CHECK(soma_proj_create(net, "beyond", src, tgt, &beyond) == NULL);
    spikes sp = {.n = 0};
    add_spike(&sp, 0, 10);
    REQUIRE(give_spikes(src, &sp) == SOMA_OK);
    soma_rec *rec = soma_rec_state(net, tgt, "I_syn_ex", NULL, 0, DT);
    REQUIRE(rec);
    const int64_t S = 10 + 65535 + 20;
    REQUIRE(soma_net_run(net, S * DT) == SOMA_OK);
    expect e = expect_new(4, S, 0);
    arrive(&e, 0, 10 + 1, 10);
    arrive(&e, 1, 10 + 65535, 20);
    arrive(&e, 2, 10 + 32768, 30);
    arrive(&e, 3, 10 + 65535, 40);
    char what[64];
    snprintf(what, sizeof what, "65535-step delays, %d threads", threads);
    int bad = check_trace(what, rec, &e, 2.0);
    CHECK_MSG(bad == 0, "threads %d: %d targets wrong", threads, bad);
    free(e.in);
    soma_net_destroy(net);
  }
}

/* Every delay at least 63, 64 or 100 steps: the synchronisation interval (min delay + 1) is
 * then 64 steps, its cap, and sources fire several times within one interval. */
TEST(long_minimum_delays_land_exactly) {
  enum { N = 40 };
  const double d_lo[3] = {6.3, 6.4, 10.0};
  for (int q = 0; q < 3; q++)
    for (int threads = 1; threads <= 2; threads++) {
      soma_net *net = mknet(threads, 25.4);
      soma_pop *src = soma_pop_create(net, "src", "spike_source", N, NULL);
      soma_pop *tgt = soma_pop_create(net, "tgt", "lif", N, NULL);
      REQUIRE(src && tgt);
      soma_conn c = soma_conn_defaults();
      c.rule = SOMA_CONN_ONE_TO_ONE;
      c.weight = soma_dist_uniform(10, 20);
      c.delay = soma_dist_uniform(d_lo[q], 25.4);
      soma_proj *p1 = tf_proj(net, "o2o", src, tgt, &c);
      c = soma_conn_rule_fixed_indegree(2);
      c.weight = soma_dist_const(7);
      c.delay = soma_dist_const(d_lo[q]);
      soma_proj *p2 = tf_proj(net, "const", src, tgt, &c);
      REQUIRE(p1 && p2);
      spikes sp = {.n = 0};
      for (int i = 0; i < N; i++)
        for (int k = 0; k < 8; k++) add_spike(&sp, i, 1 + k * 37 + (i * 5 + k * 3) % 11);
      REQUIRE(give_spikes(src, &sp) == SOMA_OK);
      soma_rec *rec = soma_rec_state(net, tgt, "I_syn_ex", NULL, 0, DT);
      REQUIRE(rec);
      const int64_t S = 8 * 37 + 11 + 254 + 5;
      REQUIRE(soma_net_run(net, S * DT) == SOMA_OK);
      expect e = expect_new(N, S, 0);
      arrive_proj(&e, p1, &sp, -1);
      arrive_proj(&e, p2, &sp, -1);
      char what[64];
      snprintf(what, sizeof what, "min delay %g ms, %d threads", d_lo[q], threads);
      int bad = check_trace(what, rec, &e, 2.0);
      CHECK_MSG(bad == 0, "%s: %d targets wrong", what, bad);
      free(e.in);
      soma_net_destroy(net);
    }
}

/* Spikes of real neurons follow the same convention as spike sources: recorded stamp + delay. */
TEST(neuron_spikes_arrive_at_stamp_plus_delay) {
  enum { N = 20 };
  for (int threads = 1; threads <= 2; threads++) {
    soma_net *net = mknet(threads, 20);
    soma_pop *drv = soma_pop_create(net, "drv", "lif", N, (soma_param[]){{"t_ref", 1}, {NULL, 0}});
    soma_pop *tgt = soma_pop_create(net, "tgt", "lif", N, (soma_param[]){{"V_th", 1e6}, {NULL, 0}});
    REQUIRE(drv && tgt);
    double ie[N];
    for (int i = 0; i < N; i++) ie[i] = 400 + 40 * i;
    REQUIRE(soma_pop_set_var(drv, "I_e", ie, N) == SOMA_OK);
    soma_conn c = soma_conn_defaults();
    c.rule = SOMA_CONN_ONE_TO_ONE;
    c.weight = soma_dist_const(25);
    c.delay = soma_dist_uniform(0.1, 15);
    soma_proj *p1 = tf_proj(net, "o2o", drv, tgt, &c);
    c = soma_conn_rule_bernoulli(0.2);
    c.weight = soma_dist_uniform(1, 3);
    c.delay = soma_dist_uniform(0.1, 20);
    soma_proj *p2 = tf_proj(net, "bern", drv, tgt, &c);
    REQUIRE(p1 && p2);
    soma_rec *spk = soma_rec_spikes(net, drv, NULL, 0);
    soma_rec *rec = soma_rec_state(net, tgt, "I_syn_ex", NULL, 0, DT);
    REQUIRE(spk && rec);
    const int64_t S = 1000;
    REQUIRE(soma_net_run(net, S * DT) == SOMA_OK);
    static spikes sp;
    sp.n = 0;
    for (size_t k = 0; k < soma_rec_spike_count(spk) && sp.n < 4096; k++)
      add_spike(&sp, soma_rec_spike_ids(spk)[k], soma_rec_spike_steps(spk)[k]);
    CHECK(sp.n > 100);
    expect e = expect_new(N, S, 0);
    arrive_proj(&e, p1, &sp, -1);
    arrive_proj(&e, p2, &sp, -1);
    char what[64];
    snprintf(what, sizeof what, "neuron spikes, %d threads", threads);
    int bad = check_trace(what, rec, &e, 2.0);
    CHECK_MSG(bad == 0, "%s: %d targets wrong", what, bad);
    free(e.in);
    soma_net_destroy(net);
  }
}

/* ---- spikes in flight across runs --------------------------------------------------- */

/* Spikes still in the ring buffer survive when projections added between runs make the ring
 * larger (twice), and when one with a shorter delay changes the synchronisation interval. A
 * projection carries only spikes emitted after it was created. */
TEST(spikes_in_flight_survive_ring_resize) {
  for (int threads = 1; threads <= 2; threads++) {
    soma_net *net = mknet(threads, 100);
    soma_pop *src = soma_pop_create(net, "src", "spike_source", 2, NULL);
    soma_pop *A = soma_pop_create(net, "A", "lif", 2, NULL);
    REQUIRE(src && A);
    soma_conn c = soma_conn_defaults();
    c.rule = SOMA_CONN_ONE_TO_ONE;
    c.weight = soma_dist_const(100);
    c.delay = soma_dist_const(6.2);   /* 62 steps: a ring of 64 slots, full */
    REQUIRE(tf_proj(net, "P1", src, A, &c));
    spikes sp = {.n = 0};
    add_spike(&sp, 0, 90);
    add_spike(&sp, 1, 95);
    add_spike(&sp, 0, 100);   /* emitted by the last step of the first run */
    add_spike(&sp, 0, 120);
    add_spike(&sp, 1, 300);
    REQUIRE(give_spikes(src, &sp) == SOMA_OK);
    soma_rec *ra = soma_rec_state(net, A, "I_syn_ex", NULL, 0, DT);
    REQUIRE(ra);
    REQUIRE(soma_net_run(net, 10.0) == SOMA_OK);
    CHECK(soma_net_steps(net) == 100);
    /* in flight: arrivals at steps 152, 157 and 162 (= now + 62, the ring's far end) */
    c.weight = soma_dist_const(50);
    c.delay = soma_dist_const(20.0);   /* 200 steps: the ring grows to 256 slots */
    REQUIRE(tf_proj(net, "P2", src, A, &c));
    soma_pop *B = soma_pop_create(net, "B", "lif", 2, NULL);
    REQUIRE(B);
    c.weight = soma_dist_const(70);
    c.delay = soma_dist_const(DT);     /* 1 step: the interval shrinks */
    REQUIRE(tf_proj(net, "P3", src, B, &c));
    soma_rec *rb = soma_rec_state(net, B, "I_syn_ex", NULL, 0, DT);
    REQUIRE(rb);
    REQUIRE(soma_net_run(net, 35.0) == SOMA_OK);
    CHECK(soma_net_steps(net) == 450);
    /* in flight: P2's arrival at 500 (from 300); grow the ring again to 1024 slots */
    c.weight = soma_dist_const(25);
    c.delay = soma_dist_const(60.0);
    REQUIRE(tf_proj(net, "P4", src, A, &c));
    spikes sp2 = {.n = 0};
    add_spike(&sp2, 1, 460);
    REQUIRE(give_spikes(src, &sp2) == SOMA_OK);
    REQUIRE(soma_net_run(net, 65.0) == SOMA_OK);
    CHECK(soma_net_steps(net) == 1100);

    expect ea = expect_new(2, 1100, 0), eb = expect_new(2, 1000, 100);   /* B's rows start after step 100 */
    for (int k = 0; k < sp.n; k++) {
      int i = sp.id[k];
      int64_t s = sp.stamp[k];
      arrive(&ea, i, s + 62, 100);           /* P1: all */
      if (s > 100) arrive(&ea, i, s + 200, 50);   /* P2: emitted after step 100 */
      if (s > 100) arrive(&eb, i, s + 1, 70);     /* P3 */
    }
    arrive(&ea, 1, 460 + 62, 100);
    arrive(&ea, 1, 460 + 200, 50);
    arrive(&ea, 1, 460 + 600, 25);
    arrive(&eb, 1, 460 + 1, 70);
    char what[64];
    snprintf(what, sizeof what, "resize A, %d threads", threads);
    CHECK(check_trace(what, ra, &ea, 2.0) == 0);
    snprintf(what, sizeof what, "resize B, %d threads", threads);
    CHECK(soma_rec_samples(rb) == 1000);
    CHECK(check_trace(what, rb, &eb, 2.0) == 0);
    free(ea.in);
    free(eb.in);
    soma_net_destroy(net);
  }
}

/* ---- runs in pieces ---------------------------------------------------------------- */

typedef struct small_net {
  soma_net *net;
  soma_rec *se, *si, *sp, *ve, *ii;
  soma_pop *E, *I;
} small_net;

/* A recurrent network with a spike source, Poisson sources, Poisson drive, random delays and
 * both ports. Rate ceilings are off here (a separate test is about them). */
static int build_small(small_net *s, int threads, double chunk) {
  soma_net_config cfg = soma_net_defaults();
  cfg.threads = threads;
  cfg.seed = 4242;
  cfg.max_delay = 20;
  cfg.chunk = chunk;
  char err[256];
  s->net = soma_net_create(&cfg, err, sizeof err);
  if (!s->net) return 0;
  soma_net *net = s->net;
  soma_pop *src = soma_pop_create(net, "src", "spike_source", 20, NULL);
  soma_pop *pois = soma_pop_create(net, "pois", "poisson", 50, (soma_param[]){{"rate", 30}, {NULL, 0}});
  s->E = soma_pop_create(net, "E", "lif", 60, NULL);
  s->I = soma_pop_create(net, "I", "lif", 20, NULL);
  if (!src || !pois || !s->E || !s->I) return 0;
  soma_dist ie = soma_dist_uniform(330, 420), v0 = soma_dist_uniform(-70, -56);
  if (soma_pop_set_var_dist(s->E, "I_e", &ie) || soma_pop_set_var_dist(s->E, "V_m", &v0) ||
      soma_pop_set_var_dist(s->I, "V_m", &v0))
    return 0;
  soma_pop_set_max_rate(s->E, 0);
  soma_pop_set_max_rate(s->I, 0);
  uint32_t x = 12345;
  for (int k = 0; k < 120; k++) {   /* distinct (step, neuron) pairs */
    x = x * 1103515245u + 12345u;
    int32_t id = (int32_t)(k % 20);
    double t = (double)(1 + (k / 20) * 100 + (x >> 16) % 97) * DT;
    if (soma_pop_add_spikes(src, 1, &id, &t)) return 0;
  }
  soma_conn c = soma_conn_rule_bernoulli(0.2);
  c.weight = soma_dist_const(60);
  c.delay = soma_dist_uniform(0.1, 2.0);
  if (!soma_proj_create(net, "src->E", src, s->E, &c)) return 0;
  c = soma_conn_rule_fixed_indegree(5);
  c.weight = soma_dist_const(30);
  c.delay = soma_dist_const(1.0);
  if (!soma_proj_create(net, "pois->E", pois, s->E, &c)) return 0;
  c = soma_conn_rule_bernoulli(0.1);
  c.weight = soma_dist_uniform(10, 30);
  c.delay = soma_dist_uniform(0.5, 3.0);
  if (!soma_proj_create(net, "E->E", s->E, s->E, &c)) return 0;
  c = soma_conn_rule_bernoulli(0.3);
  c.weight = soma_dist_const(40);
  c.delay = soma_dist_const(0.3);
  if (!soma_proj_create(net, "E->I", s->E, s->I, &c)) return 0;
  c = soma_conn_rule_bernoulli(0.3);
  c.weight = soma_dist_const(-60);
  c.delay = soma_dist_uniform(0.1, 1.0);
  c.port = "in";
  if (!soma_proj_create(net, "I->E", s->I, s->E, &c)) return 0;
  if (soma_pop_poisson_input(s->I, "ex", 8000, 25)) return 0;
  s->se = soma_rec_spikes(net, s->E, NULL, 0);
  s->si = soma_rec_spikes(net, s->I, NULL, 0);
  s->sp = soma_rec_spikes(net, pois, NULL, 0);
  s->ve = soma_rec_state(net, s->E, "V_m", NULL, 0, 0.5);
  s->ii = soma_rec_state(net, s->I, "I_syn_ex", (int32_t[]){0, 3, 17, 19}, 4, DT);
  return s->se && s->si && s->sp && s->ve && s->ii;
}

static int same_spikes(const soma_rec *a, const soma_rec *b) {
  size_t n = soma_rec_spike_count(a);
  return n == soma_rec_spike_count(b) &&
         (n == 0 || (memcmp(soma_rec_spike_steps(a), soma_rec_spike_steps(b), n * sizeof(int64_t)) == 0 &&
                     memcmp(soma_rec_spike_ids(a), soma_rec_spike_ids(b), n * sizeof(int32_t)) == 0));
}

static int same_states(const soma_rec *a, const soma_rec *b) {
  size_t n = soma_rec_samples(a) * (size_t)soma_rec_columns(a);
  return soma_rec_samples(a) == soma_rec_samples(b) && soma_rec_columns(a) == soma_rec_columns(b) &&
         memcmp(soma_rec_data(a), soma_rec_data(b), n * sizeof(float)) == 0;
}

static int same_net(const small_net *a, const small_net *b) {
  int ok = same_spikes(a->se, b->se) && same_spikes(a->si, b->si) && same_spikes(a->sp, b->sp) &&
           same_states(a->ve, b->ve) && same_states(a->ii, b->ii);
  ok = ok && memcmp(soma_pop_var_data(a->E, "V_m"), soma_pop_var_data(b->E, "V_m"), 60 * sizeof(float)) == 0;
  ok = ok && memcmp(soma_pop_var_data(a->I, "I_syn_in"), soma_pop_var_data(b->I, "I_syn_in"), 20 * sizeof(float)) == 0;
  return ok;
}

TEST(runs_in_odd_pieces_equal_one_run) {
  enum { STEPS = 600 };
  small_net ref, x;
  REQUIRE(build_small(&ref, 1, 100));
  REQUIRE(soma_net_run(ref.net, STEPS * DT) == SOMA_OK);
  printf("  reference: %zu E, %zu I, %zu Poisson spikes, %zu V_m samples\n", soma_rec_spike_count(ref.se),
         soma_rec_spike_count(ref.si), soma_rec_spike_count(ref.sp), soma_rec_samples(ref.ve));
  CHECK(soma_rec_spike_count(ref.se) > 20 && soma_rec_spike_count(ref.si) > 5);
  CHECK(soma_rec_samples(ref.ve) == STEPS / 5);

  /* run(0.3) repeatedly, 1 and 2 threads */
  for (int threads = 1; threads <= 2; threads++) {
    REQUIRE(build_small(&x, threads, 100));
    int rc = SOMA_OK;
    for (int k = 0; k < STEPS / 3 && rc == SOMA_OK; k++) rc = soma_net_run(x.net, 0.3);
    if (rc) printf("  run(0.3): %s\n", soma_net_errmsg(x.net));
    CHECK(rc == SOMA_OK);
    CHECK(soma_net_steps(x.net) == STEPS);
    CHECK_MSG(same_net(&ref, &x), "%d threads: run(0.3) x %d differs from run(%g)", threads, STEPS / 3, STEPS * DT);
    soma_net_destroy(x.net);
  }
  /* odd pieces (including empty runs), 3 threads */
  static const int piece[] = {1, 7, 13, 0, 29, 2, 3, 61, 1, 1, 17, 0, 5, 11, 23};
  REQUIRE(build_small(&x, 3, 100));
  int done = 0, rc = SOMA_OK;
  for (int k = 0; done < STEPS && rc == SOMA_OK; k++) {
    int n = piece[k % 15];
    if (done + n > STEPS) n = STEPS - done;
    rc = soma_net_run(x.net, n * DT);
    done += n;
  }
  if (rc) printf("  pieces: %s\n", soma_net_errmsg(x.net));
  CHECK(rc == SOMA_OK && soma_net_steps(x.net) == STEPS);
  CHECK_MSG(same_net(&ref, &x), "odd pieces with 3 threads differ from one run");
  soma_net_destroy(x.net);
  /* a short chunk (checks every 7 steps) changes nothing */
  REQUIRE(build_small(&x, 2, 0.7));
  CHECK(soma_net_run(x.net, STEPS * DT) == SOMA_OK);
  CHECK_MSG(same_net(&ref, &x), "chunk 0.7 ms differs from chunk 100 ms");
  soma_net_destroy(x.net);
  soma_net_destroy(ref.net);
}

/* A single neuron firing at about 60 Hz, under the default 1000 Hz ceiling: running it in
 * pieces of 0.3 ms must neither stop it as runaway nor change its spikes. */
TEST(short_runs_keep_rate_ceiling) {
  enum { STEPS = 2100 };
  soma_net *nets[2];
  soma_rec *recs[2];
  int rcs[2] = {0, 0};
  for (int m = 0; m < 2; m++) {
    nets[m] = mknet(1, 10);
    REQUIRE(nets[m]);
    soma_pop *p = soma_pop_create(nets[m], "one", "lif", 1, (soma_param[]){{"I_e", 500}, {NULL, 0}});
    REQUIRE(p);
    recs[m] = soma_rec_spikes(nets[m], p, NULL, 0);
    REQUIRE(recs[m]);
    if (m == 0) {
      rcs[m] = soma_net_run(nets[m], STEPS * DT);
    } else {
      for (int k = 0; k < STEPS / 3 && rcs[m] == SOMA_OK; k++) rcs[m] = soma_net_run(nets[m], 0.3);
      if (rcs[m]) printf("  run(0.3) at t = %g ms returned %d: %s\n", soma_net_time(nets[m]), rcs[m],
                         soma_net_errmsg(nets[m]));
    }
  }
  printf("  one run: %zu spikes in %g ms (%.1f Hz)\n", soma_rec_spike_count(recs[0]), STEPS * DT,
         soma_rec_spike_count(recs[0]) / (STEPS * DT * 1e-3));
  CHECK(rcs[0] == SOMA_OK);
  CHECK(soma_rec_spike_count(recs[0]) > 5);
  CHECK_MSG(rcs[1] == SOMA_OK, "a 60 Hz neuron run in 0.3 ms pieces was stopped as runaway");
  CHECK(soma_net_steps(nets[1]) == STEPS);
  CHECK(same_spikes(recs[0], recs[1]));
  soma_net_destroy(nets[0]);
  soma_net_destroy(nets[1]);
}

int main(void) {
  RUN(every_constant_delay_lands_exactly);
  RUN(heterogeneous_list_delays_land_exactly);
  RUN(distribution_delays_land_exactly);
  RUN(delay_of_65535_steps);
  RUN(long_minimum_delays_land_exactly);
  RUN(neuron_spikes_arrive_at_stamp_plus_delay);
  RUN(spikes_in_flight_survive_ring_resize);
  RUN(runs_in_odd_pieces_equal_one_run);
  RUN(short_runs_keep_rate_ceiling);
  return h_done();
}
