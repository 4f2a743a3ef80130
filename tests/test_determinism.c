/* test_determinism.c — results are bitwise the same for any thread count, for the same seed,
 * and whether a run is done at once or in pieces; another seed gives other results.
 *
 * Networks: COBA, CUBA (nets/nets.h, scale 0.25) and Brunel/hpc_benchmark (scale 0.02, with
 * its Poisson drive above and below the inversion threshold), and a network of Poisson
 * sources ("poisson" model) with soma_pop_poisson_input drive, spike sources, rate schedules
 * and thread counts beyond the number of neuron blocks. Compared: the spike recordings of E
 * and I (steps and ids), a state recording, and the final state of every neuron. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "nets/nets.h"
#include "sim/soma.h"

typedef struct result {
  size_t n[2];
  int64_t *steps[2];
  int32_t *ids[2];
  size_t samples;
  int cols;
  float *state;
  float *final[2];   /* V_m of E and I at the end */
  int size[2];
  uint64_t events;
  int rc;
} result;

static void result_free(result *r) {
  for (int k = 0; k < 2; k++) {
    free(r->steps[k]);
    free(r->ids[k]);
    free(r->final[k]);
  }
  free(r->state);
  memset(r, 0, sizeof *r);
}

static int same_result(const result *a, const result *b, const char *what) {
  int ok = 1;
  for (int k = 0; k < 2; k++) {
    if (a->n[k] != b->n[k]) {
      printf("  %s: %s has %zu vs %zu spikes\n", what, k ? "I" : "E", a->n[k], b->n[k]);
      ok = 0;
      continue;
    }
    size_t first = SIZE_MAX;
    for (size_t s = 0; s < a->n[k] && first == SIZE_MAX; s++)
      if (a->steps[k][s] != b->steps[k][s] || a->ids[k][s] != b->ids[k][s]) first = s;
    if (first != SIZE_MAX) {
      printf("  %s: %s spike %zu differs: (%lld, %d) vs (%lld, %d)\n", what, k ? "I" : "E", first,
             (long long)a->steps[k][first], a->ids[k][first], (long long)b->steps[k][first],
             b->ids[k][first]);
      ok = 0;
    }
    if (a->size[k] != b->size[k] || memcmp(a->final[k], b->final[k], sizeof(float) * (size_t)a->size[k])) {
      printf("  %s: final V_m of %s differs\n", what, k ? "I" : "E");
      ok = 0;
    }
  }
  if (a->samples != b->samples || a->cols != b->cols ||
      memcmp(a->state, b->state, sizeof(float) * a->samples * (size_t)a->cols)) {
    printf("  %s: state recording differs\n", what);
    ok = 0;
  }
  if (a->events != b->events) {
    printf("  %s: %llu vs %llu synaptic events\n", what, (unsigned long long)a->events,
           (unsigned long long)b->events);
    ok = 0;
  }
  return ok;
}

static int spikes_equal(const result *a, const result *b) {
  for (int k = 0; k < 2; k++)
    if (a->n[k] != b->n[k] || memcmp(a->steps[k], b->steps[k], sizeof(int64_t) * a->n[k]) ||
        memcmp(a->ids[k], b->ids[k], sizeof(int32_t) * a->n[k]))
      return 0;
  return 1;
}

static void take(result *r, soma_net *net, soma_pop *pops[2], soma_rec *sp[2], soma_rec *st) {
  for (int k = 0; k < 2; k++) {
    size_t n = soma_rec_spike_count(sp[k]);
    r->n[k] = n;
    r->steps[k] = malloc(sizeof(int64_t) * (n + 1));
    r->ids[k] = malloc(sizeof(int32_t) * (n + 1));
    if (n) {
      memcpy(r->steps[k], soma_rec_spike_steps(sp[k]), sizeof(int64_t) * n);
      memcpy(r->ids[k], soma_rec_spike_ids(sp[k]), sizeof(int32_t) * n);
    }
    r->size[k] = soma_pop_size(pops[k]);
    r->final[k] = malloc(sizeof(float) * (size_t)r->size[k]);
    memcpy(r->final[k], soma_pop_var_data(pops[k], "V_m"), sizeof(float) * (size_t)r->size[k]);
  }
  r->samples = soma_rec_samples(st);
  r->cols = soma_rec_columns(st);
  size_t m = r->samples * (size_t)r->cols;
  r->state = malloc(sizeof(float) * (m + 1));
  if (m) memcpy(r->state, soma_rec_data(st), sizeof(float) * m);
  r->events = soma_net_event_count(net);
}

/* a progress callback that stops every other chunk */
static int stop_every_other(void *user, double t_ms, double t_end_ms) {
  (void)t_ms;
  (void)t_end_ms;
  return ++*(int *)user % 2 == 0;
}

/* Builds benchmark network `name` and runs it for the given pieces (ms; 0 ends the list). With
 * `interrupt`, a progress callback stops every other chunk and the run is resumed until the
 * piece is done. */
static result run_bench_i(const char *name, double scale, int threads, uint32_t seed,
                          const double *pieces, double chunk, int interrupt) {
  result r;
  memset(&r, 0, sizeof r);
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  c.seed = seed;
  c.chunk = chunk;
  char err[256];
  soma_net *net = soma_net_create(&c, err, sizeof err);
  if (!net) {
    printf("  net: %s\n", err);
    r.rc = SOMA_ERR_PARAM;
    return r;
  }
  soma_bench_net b;
  r.rc = soma_nets_build(net, name, scale, &b);
  soma_rec *sp[2] = {NULL, NULL}, *st = NULL;
  if (r.rc == SOMA_OK) {
    sp[0] = soma_rec_spikes(net, b.exc, NULL, 0);
    sp[1] = soma_rec_spikes(net, b.inh, NULL, 0);
    int32_t ids[5] = {0, 1, 17, 33, 47};
    st = soma_rec_state(net, b.exc, "V_m", ids, 5, 0.5);
    if (!sp[0] || !sp[1] || !st) r.rc = SOMA_ERR_PARAM;
  }
  int calls = 0, stops = 0;
  if (interrupt) soma_net_set_progress(net, stop_every_other, &calls);
  for (int k = 0; r.rc == SOMA_OK && pieces[k] > 0; k++) {
    int64_t end = soma_net_steps(net) + llround(pieces[k] / soma_net_dt(net));
    do {
      r.rc = soma_net_run(net, (double)(end - soma_net_steps(net)) * soma_net_dt(net));
      stops += r.rc == SOMA_INTERRUPTED;
    } while (interrupt && r.rc == SOMA_INTERRUPTED);
    if (soma_net_steps(net) != end) r.rc = SOMA_ERR_PARAM;
  }
  if (interrupt && stops < 2) {
    printf("  %s: the run was interrupted only %d times\n", name, stops);
    r.rc = SOMA_ERR_PARAM;
  }
  if (r.rc != SOMA_OK) {
    printf("  %s (threads %d, seed %u): %s\n", name, threads, seed, soma_net_errmsg(net));
  } else {
    soma_pop *pops[2] = {b.exc, b.inh};
    take(&r, net, pops, sp, st);
  }
  soma_net_destroy(net);
  return r;
}

static result run_bench(const char *name, double scale, int threads, uint32_t seed,
                        const double *pieces, double chunk) {
  return run_bench_i(name, scale, threads, seed, pieces, chunk, 0);
}

/* Thread counts 1, 2, 3; the same seed twice; another seed; the run in pieces. */
static void check_bench(const char *name, double scale, double ms, uint32_t seed) {
  const double whole[] = {ms, 0};
  const double halves[] = {ms / 2, ms / 2, 0};
  /* a seed whose network stays active, so the comparisons mean something */
  result ref;
  for (int tries = 0;; tries++, seed++) {
    ref = run_bench(name, scale, 1, seed, whole, 100);
    if (ref.rc != SOMA_OK) {
      CHECK(ref.rc == SOMA_OK);
      return;
    }
    if ((ref.n[0] > 100 && ref.n[1] > 20) || tries == 9) break;
    printf("  %s, seed %u: only %zu E and %zu I spikes; trying the next seed\n", name, seed,
           ref.n[0], ref.n[1]);
    result_free(&ref);
  }
  double rate_e = ref.n[0] / (ms * 1e-3) / (ref.size[0]), rate_i = ref.n[1] / (ms * 1e-3) / ref.size[1];
  printf("  %s x%g, %g ms, seed %u: %zu E spikes (%.1f Hz), %zu I spikes (%.1f Hz), %llu events\n", name,
         scale, ms, seed, ref.n[0], rate_e, ref.n[1], rate_i, (unsigned long long)ref.events);
  CHECK_MSG(ref.n[0] > 100 && ref.n[1] > 20, "%s: too little activity to compare", name);
  for (int threads = 2; threads <= 3; threads++) {
    result r = run_bench(name, scale, threads, seed, whole, 100);
    char what[64];
    snprintf(what, sizeof what, "%s, %d threads vs 1", name, threads);
    CHECK(r.rc == SOMA_OK);
    CHECK_MSG(same_result(&ref, &r, what), "%s differs", what);
    result_free(&r);
  }
  result again = run_bench(name, scale, 1, seed, whole, 100);
  CHECK(again.rc == SOMA_OK);
  CHECK_MSG(same_result(&ref, &again, "same seed"), "%s: the same seed twice differs", name);
  result_free(&again);
  result split = run_bench(name, scale, 2, seed, halves, 100);
  CHECK(split.rc == SOMA_OK);
  CHECK_MSG(same_result(&ref, &split, "two halves"), "%s: run(%g) twice differs from run(%g)", name, ms / 2, ms);
  result_free(&split);
  result chunked = run_bench(name, scale, 3, seed, whole, 7.3);
  CHECK(chunked.rc == SOMA_OK);
  CHECK_MSG(same_result(&ref, &chunked, "chunk 7.3 ms"), "%s: another chunk length differs", name);
  result_free(&chunked);
  result other = run_bench(name, scale, 1, seed + 1, whole, 100);
  CHECK(other.rc == SOMA_OK);
  CHECK_MSG(!spikes_equal(&ref, &other), "%s: another seed gives the same spikes", name);
  result_free(&other);
  result_free(&ref);
}

TEST(coba_deterministic) { check_bench("coba", 0.25, 300, 1); }
TEST(cuba_deterministic) { check_bench("cuba", 0.25, 200, 3); }
TEST(brunel_deterministic) { check_bench("brunel", 0.02, 100, 5); }

/* A run stopped by the progress callback (SOMA_INTERRUPTED) and resumed gives the same
 * result as one uninterrupted run. */
TEST(interrupted_runs_resume_identically) {
  const double whole[] = {200, 0};
  result ref = run_bench_i("coba", 0.25, 1, 9, whole, 20, 0);
  REQUIRE(ref.rc == SOMA_OK);
  for (int threads = 1; threads <= 2; threads++) {
    result r = run_bench_i("coba", 0.25, threads, 9, whole, 20, 1);
    CHECK(r.rc == SOMA_OK);
    char what[64];
    snprintf(what, sizeof what, "interrupted, %d threads", threads);
    CHECK_MSG(same_result(&ref, &r, what), "%s differs from one run", what);
    result_free(&r);
  }
  result_free(&ref);
}

/* ---- Poisson sources and Poisson drive -------------------------------------------- */

static result run_poisson(int threads, uint32_t seed, int split) {
  result r;
  memset(&r, 0, sizeof r);
  soma_net_config c = soma_net_defaults();
  c.threads = threads;
  c.seed = seed;
  char err[256];
  soma_net *net = soma_net_create(&c, err, sizeof err);
  if (!net) {
    r.rc = SOMA_ERR_PARAM;
    return r;
  }
  soma_pop *pois = soma_pop_create(net, "pois", "poisson", 300, (soma_param[]){{"rate", 20}, {NULL, 0}});
  soma_pop *fast = soma_pop_create(net, "fast", "poisson", 37, (soma_param[]){{"rate", 200}, {NULL, 0}});
  soma_pop *src = soma_pop_create(net, "src", "spike_source", 10, NULL);
  soma_pop *E = soma_pop_create(net, "E", "lif", 200, NULL);
  soma_pop *I = soma_pop_create(net, "I", "lif_cond", 40, NULL);
  r.rc = pois && fast && src && E && I ? SOMA_OK : SOMA_ERR_PARAM;
  /* drive: small lambda (inversion) and large lambda (GSL) into E, moderate into I */
  if (!r.rc) r.rc = soma_pop_poisson_input(E, "ex", 4000, 20);
  if (!r.rc) r.rc = soma_pop_poisson_input(E, "ex", 250000, 0.5);
  if (!r.rc) r.rc = soma_pop_poisson_input(E, "in", 1500, -25);
  if (!r.rc) r.rc = soma_pop_poisson_input(I, "ex", 6000, 3);
  /* the rate of 'fast' changes over time */
  double times[3] = {20, 60, 90}, rates[3] = {5, 400, 50};
  if (!r.rc) r.rc = soma_pop_schedule(fast, "rate", 3, times, rates);
  for (int k = 0; !r.rc && k < 30; k++) {
    int32_t id = k % 10;
    double t = 1 + (k / 10) * 30 + (k * 7) % 23 * 0.1;
    r.rc = soma_pop_add_spikes(src, 1, &id, &t);
  }
  soma_dist v0 = soma_dist_uniform(-70, -56);
  if (!r.rc) r.rc = soma_pop_set_var_dist(E, "V_m", &v0);
  soma_conn cc = soma_conn_rule_bernoulli(0.1);
  cc.weight = soma_dist_uniform(20, 60);
  cc.delay = soma_dist_uniform(0.1, 4);
  if (!r.rc && !soma_proj_create(net, "pois->E", pois, E, &cc)) r.rc = SOMA_ERR_PARAM;
  cc = soma_conn_rule_fixed_outdegree(8);
  cc.weight = soma_dist_const(15);
  cc.delay = soma_dist_const(0.5);
  if (!r.rc && !soma_proj_create(net, "fast->E", fast, E, &cc)) r.rc = SOMA_ERR_PARAM;
  cc = soma_conn_rule_fixed_indegree(3);
  cc.weight = soma_dist_const(200);
  if (!r.rc && !soma_proj_create(net, "src->E", src, E, &cc)) r.rc = SOMA_ERR_PARAM;
  cc = soma_conn_rule_bernoulli(0.2);
  cc.weight = soma_dist_const(3);
  cc.delay = soma_dist_const(1);
  if (!r.rc && !soma_proj_create(net, "E->I", E, I, &cc)) r.rc = SOMA_ERR_PARAM;
  cc = soma_conn_rule_fixed_indegree(10);
  cc.weight = soma_dist_const(-40);
  cc.delay = soma_dist_uniform(0.3, 1.2);
  cc.port = "in";
  if (!r.rc && !soma_proj_create(net, "I->E", I, E, &cc)) r.rc = SOMA_ERR_PARAM;
  soma_rec *sp[2] = {NULL, NULL}, *st = NULL, *sp_pois = NULL;
  if (!r.rc) {
    sp[0] = soma_rec_spikes(net, E, NULL, 0);
    sp[1] = soma_rec_spikes(net, I, NULL, 0);
    sp_pois = soma_rec_spikes(net, pois, NULL, 0);
    st = soma_rec_state(net, E, "I_syn_ex", (int32_t[]){0, 15, 16, 100, 199}, 5, 0.1);
    if (!sp[0] || !sp[1] || !st || !sp_pois) r.rc = SOMA_ERR_PARAM;
  }
  if (!r.rc) {
    if (split) {
      for (int k = 0; k < 6 && !r.rc; k++) r.rc = soma_net_run(net, 20);
    } else {
      r.rc = soma_net_run(net, 120);
    }
  }
  if (r.rc) {
    printf("  poisson net (threads %d): %s\n", threads, soma_net_errmsg(net));
  } else {
    soma_pop *pops[2] = {E, I};
    take(&r, net, pops, sp, st);
    /* the Poisson sources' own spikes replace the 'final' of nothing: fold them into events */
    size_t np = soma_rec_spike_count(sp_pois);
    uint64_t h = np;
    for (size_t k = 0; k < np; k++)
      h = h * 1000003u + (uint64_t)soma_rec_spike_steps(sp_pois)[k] * 7919u + (uint64_t)soma_rec_spike_ids(sp_pois)[k];
    r.events ^= h << 1;   /* any difference in the source spikes shows as different 'events' */
    if (threads == 1 && !split && seed == 11) {
      double rate = np / 0.12 / 300;
      printf("  Poisson sources: %zu spikes, %.2f Hz (20 Hz); E %zu spikes, I %zu spikes\n", np, rate,
             r.n[0], r.n[1]);
      CHECK_NEAR(rate, 20, 5 * sqrt(20 / 0.12 / 300));
    }
  }
  soma_net_destroy(net);
  return r;
}

TEST(poisson_network_deterministic) {
  result ref = run_poisson(1, 11, 0);
  REQUIRE(ref.rc == SOMA_OK);
  CHECK(ref.n[0] > 50 && ref.n[1] > 10);
  /* 7 threads: more threads than the 3 blocks of I or the 3 of 'fast' */
  const int tc[] = {2, 3, 4, 7};
  for (int q = 0; q < 4; q++) {
    result r = run_poisson(tc[q], 11, q == 1);
    char what[64];
    snprintf(what, sizeof what, "poisson net, %d threads%s", tc[q], q == 1 ? ", in pieces" : "");
    CHECK(r.rc == SOMA_OK);
    CHECK_MSG(same_result(&ref, &r, what), "%s differs from 1 thread", what);
    result_free(&r);
  }
  result other = run_poisson(2, 12, 0);
  CHECK(other.rc == SOMA_OK);
  CHECK_MSG(!spikes_equal(&ref, &other), "another seed gives the same spikes");
  result_free(&other);
  result_free(&ref);
}

/* Poisson sources alone: every neuron's train depends only on (seed, population, neuron,
 * step), so a neuron's spikes do not change when the population's partition does. The
 * count per neuron has the Poisson mean and the trains of two neurons are not the same. */
TEST(poisson_sources_statistics_and_partition) {
  enum { N = 100, STEPS = 5000 };
  soma_rec *rec[2];
  soma_net *net[2];
  for (int m = 0; m < 2; m++) {
    soma_net_config c = soma_net_defaults();
    c.threads = m ? 3 : 1;
    c.seed = 77;
    char err[256];
    net[m] = soma_net_create(&c, err, sizeof err);
    REQUIRE(net[m]);
    soma_pop *p = soma_pop_create(net[m], "p", "poisson", N, (soma_param[]){{"rate", 20}, {NULL, 0}});
    REQUIRE(p);
    rec[m] = soma_rec_spikes(net[m], p, NULL, 0);
    REQUIRE(rec[m]);
    CHECK(soma_net_run(net[m], STEPS * 0.1) == SOMA_OK);
  }
  size_t n = soma_rec_spike_count(rec[0]);
  CHECK(n == soma_rec_spike_count(rec[1]));
  CHECK(n && memcmp(soma_rec_spike_steps(rec[0]), soma_rec_spike_steps(rec[1]), n * sizeof(int64_t)) == 0);
  CHECK(n && memcmp(soma_rec_spike_ids(rec[0]), soma_rec_spike_ids(rec[1]), n * sizeof(int32_t)) == 0);
  double expect = 20.0 * N * STEPS * 1e-4;
  printf("  %zu spikes from %d sources at 20 Hz in %g ms (expected %.0f)\n", n, N, STEPS * 0.1, expect);
  CHECK_NEAR((double)n, expect, 5 * sqrt(expect));
  int count[N] = {0};
  for (size_t k = 0; k < n; k++) count[soma_rec_spike_ids(rec[0])[k]]++;
  double m = 0, v = 0;
  for (int i = 0; i < N; i++) m += count[i] / (double)N;
  for (int i = 0; i < N; i++) v += (count[i] - m) * (count[i] - m) / (N - 1);
  printf("  per source: mean %.2f, variance %.2f (Poisson: equal)\n", m, v);
  CHECK(v > 0.5 * m && v < 1.6 * m);
  /* neighbouring neurons (drawn from one Philox block) have independent counts: equal
     counts are rare (about 9 of 99 pairs for Poisson(10)) */
  int same = 0;
  for (int i = 0; i + 1 < N; i++) same += count[i] == count[i + 1];
  CHECK(same < N / 3);
  soma_net_destroy(net[0]);
  soma_net_destroy(net[1]);
}

/* soma_pop_poisson_input adds Poisson(rate dt) x weight per step, by inversion for small
 * means and through GSL for large ones: the mean and variance of I_syn_ex (lif, tau 2 ms)
 * in the stationary state are p/(1-p) lambda w and p^2/(1-p^2) lambda w^2, p = e^(-dt/tau). */
TEST(poisson_input_mean_and_variance) {
  const double rates[2] = {8000, 300000};   /* lambda 0.8 and 30 per step */
  soma_net *net[2];
  soma_rec *rec[2][2];
  for (int m = 0; m < 2; m++) {
    soma_net_config c = soma_net_defaults();
    c.threads = m + 1;
    c.seed = 5;
    char err[256];
    net[m] = soma_net_create(&c, err, sizeof err);
    REQUIRE(net[m]);
    for (int q = 0; q < 2; q++) {
      char name[16];
      snprintf(name, sizeof name, "q%d", q);
      /* a high threshold keeps them silent: only the synaptic current matters */
      soma_pop *p = soma_pop_create(net[m], name, "lif", 200, (soma_param[]){{"V_th", 1e6}, {NULL, 0}});
      REQUIRE(p);
      REQUIRE(soma_pop_poisson_input(p, "ex", rates[q], 1.0) == SOMA_OK);
      rec[m][q] = soma_rec_state(net[m], p, "I_syn_ex", NULL, 0, 10);
      REQUIRE(rec[m][q]);
    }
    CHECK(soma_net_run(net[m], 500) == SOMA_OK);
  }
  const double p11 = exp(-0.1 / 2);
  for (int q = 0; q < 2; q++) {
    double lam = rates[q] * 1e-4;
    double em = p11 / (1 - p11) * lam, ev = p11 * p11 / (1 - p11 * p11) * lam;
    const float *d = soma_rec_data(rec[0][q]);
    size_t rows = soma_rec_samples(rec[0][q]), n = 0;
    double s = 0, s2 = 0;
    for (size_t r = 5; r < rows; r++)   /* after the transient */
      for (int i = 0; i < 200; i++, n++) {
        s += d[r * 200 + (size_t)i];
        s2 += (double)d[r * 200 + (size_t)i] * d[r * 200 + (size_t)i];
      }
    double mean = s / (double)n, var = s2 / (double)n - mean * mean;
    printf("  lambda %g: I_syn_ex mean %.3f (%.3f), variance %.3f (%.3f) over %zu samples\n", lam,
           mean, em, var, ev, n);
    CHECK_NEAR(mean, em, 5 * sqrt(ev / (double)n) * 1.5);
    CHECK_MSG(fabs(var / ev - 1) < 0.1, "lambda %g: variance %g, expected %g", lam, var, ev);
    /* and the same with two threads */
    CHECK(soma_rec_samples(rec[1][q]) == rows &&
          memcmp(d, soma_rec_data(rec[1][q]), sizeof(float) * rows * 200) == 0);
  }
  soma_net_destroy(net[0]);
  soma_net_destroy(net[1]);
}

int main(void) {
  RUN(coba_deterministic);
  RUN(cuba_deterministic);
  RUN(brunel_deterministic);
  RUN(interrupted_runs_resume_identically);
  RUN(poisson_network_deterministic);
  RUN(poisson_sources_statistics_and_partition);
  RUN(poisson_input_mean_and_variance);
  return h_done();
}
