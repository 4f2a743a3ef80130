/* test_record.c — recorders and files: spike recordings sorted by (step, id) and equal to a
 * known input; subsets of neurons; state samples at t0 + k * interval holding the state of
 * those times (against the closed-form membrane response to a current step); .npy files read
 * back by soma_npy_load and, when present, by numpy; streamed files byte for byte equal to
 * files written from memory; I/O errors that name the path; soma_npy_load refusing damaged
 * files; soma_net_describe producing JSON that a parser accepts. */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "sim/npy.h"
#include "sim/soma.h"

/* ---- helpers ------------------------------------------------------------------------- */

static soma_net *make_net(double dt, int threads, double chunk, uint32_t seed) {
  soma_net_config c = soma_net_defaults();
  c.dt = dt;
  c.threads = threads;
  c.chunk = chunk;
  c.seed = seed;
  return tf_net(c);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static void rm_rf(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static char *make_tmpdir(char *buf) {
  strcpy(buf, "/tmp/soma_test_record_XXXXXX");
  return mkdtemp(buf);
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) buf[n] = 0;
  *len = (size_t)n;
  return buf;
}

static int write_bytes(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, n, f);
  return fclose(f) == 0 && w == n ? 0 : -1;
}

static int files_equal(const char *a, const char *b) {
  size_t la, lb;
  char *x = read_all(a, &la), *y = read_all(b, &lb);
  int eq = x && y && la == lb && memcmp(x, y, la) == 0;
  if (!eq) printf("  files differ: %s (%zu bytes) and %s (%zu bytes)\n", a, x ? la : 0, b, y ? lb : 0);
  free(x);
  free(y);
  return eq;
}

/* /usr/bin/python3 with numpy, or 0 (then the numpy checks are skipped with a note) */
static int have_numpy(void) {
  static int known = -1;
  if (known < 0)
    known = access("/usr/bin/python3", X_OK) == 0 &&
            system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return known;
}

static int have_python(void) { return access("/usr/bin/python3", X_OK) == 0; }

/* runs a python script (written to dir/check.py) with dir as its argument; 0 on success */
static int run_python(const char *dir, const char *script) {
  char path[512], cmd[1024];
  snprintf(path, sizeof path, "%s/check.py", dir);
  if (write_bytes(path, script, strlen(script))) return -1;
  snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s", path, dir);
  int rc = system(cmd);
  remove(path);
  return rc;
}

static char *describe(const soma_net *net) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  soma_net_describe(net, m);
  fclose(m);
  return buf;
}

/* ---- spike recordings ---------------------------------------------------------------- */

/* A spike source with known times (given unsorted, in several calls) is recorded exactly:
 * stamps round(t / dt), sorted by (step, id), and the same with 1 and 2 threads. */
enum { SRC_N = 40, SRC_SPIKES = 300 };

static void source_spikes(int32_t *ids, double *times) {
  /* neuron i fires at steps 3 + 7 i + 11 k (mod 997): distinct steps per neuron */
  int n = 0;
  for (int k = 0; n < SRC_SPIKES; k++)
    for (int i = 0; i < SRC_N && n < SRC_SPIKES; i += 1 + k % 3) {
      int step = (3 + 7 * i + 11 * k * (1 + i % 5)) % 997 + 1;
      int dup = 0;
      for (int m = 0; m < n; m++) dup |= ids[m] == i && fabs(times[m] - step * 0.1) < 1e-9;
      if (dup) continue;
      ids[n] = i;
      times[n++] = step * 0.1;
    }
}

static int cmp_spike(const void *a, const void *b) {
  const int64_t *x = a, *y = b;
  if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
  return (x[1] > y[1]) - (x[1] < y[1]);
}

static void check_source_recording(int threads) {
  int32_t ids[SRC_SPIKES];
  double times[SRC_SPIKES];
  source_spikes(ids, times);
  soma_net *net = make_net(0.1, threads, 7.3, 1);
  REQUIRE(net);
  soma_pop *src = soma_pop_create(net, "src", "spike_source", SRC_N, NULL);
  REQUIRE(src);
  /* three calls, each unsorted */
  CHECK(soma_pop_add_spikes(src, 100, ids + 200, times + 200) == SOMA_OK);
  CHECK(soma_pop_add_spikes(src, 150, ids, times) == SOMA_OK);
  CHECK(soma_pop_add_spikes(src, 50, ids + 150, times + 150) == SOMA_OK);
  int32_t sub[] = {17, 3, 33, 3};   /* a subset, unsorted, with a repeat */
  soma_rec *all = soma_rec_spikes(net, src, NULL, 0);
  REQUIRE(all);
  /* the subset needs its own population name: a second source with the same spikes */
  soma_pop *twin = soma_pop_create(net, "twin", "spike_source", SRC_N, NULL);
  REQUIRE(twin);
  CHECK(soma_pop_add_spikes(twin, SRC_SPIKES, ids, times) == SOMA_OK);
  soma_rec *part = soma_rec_spikes(net, twin, sub, 4);
  REQUIRE(part);
  CHECK(soma_net_run(net, 60) == SOMA_OK);
  CHECK(soma_net_run(net, 40) == SOMA_OK);

  int64_t expect[SRC_SPIKES][2];
  for (int k = 0; k < SRC_SPIKES; k++) {
    expect[k][0] = llround(times[k] / 0.1);
    expect[k][1] = ids[k];
  }
  qsort(expect, SRC_SPIKES, sizeof expect[0], cmp_spike);
  size_t n = soma_rec_spike_count(all);
  CHECK_MSG(n == SRC_SPIKES, "%d threads: recorded %zu spikes of %d", threads, n, SRC_SPIKES);
  CHECK(soma_pop_spike_count(src) == SRC_SPIKES);
  const int64_t *st = soma_rec_spike_steps(all);
  const int32_t *id = soma_rec_spike_ids(all);
  int mismatches = 0, unsorted = 0;
  for (size_t k = 0; k < n && k < SRC_SPIKES; k++) {
    mismatches += st[k] != expect[k][0] || id[k] != expect[k][1];
    if (k && (st[k] < st[k - 1] || (st[k] == st[k - 1] && id[k] <= id[k - 1]))) unsorted++;
  }
  CHECK_MSG(mismatches == 0, "%d threads: %d recorded spikes differ from the input", threads, mismatches);
  CHECK(unsorted == 0);
  /* the subset: exactly the spikes of neurons 3, 17, 33, in order */
  size_t m = 0;
  int bad = 0;
  const int64_t *pst = soma_rec_spike_steps(part);
  const int32_t *pid = soma_rec_spike_ids(part);
  for (int k = 0; k < SRC_SPIKES; k++) {
    int32_t i = (int32_t)expect[k][1];
    if (i != 3 && i != 17 && i != 33) continue;
    if (m < soma_rec_spike_count(part)) bad += pst[m] != expect[k][0] || pid[m] != i;
    m++;
  }
  CHECK_MSG(m == soma_rec_spike_count(part) && bad == 0, "subset: %zu recorded, %zu expected, %d differ",
            soma_rec_spike_count(part), m, bad);
  CHECK(m > 10);
  CHECK(soma_rec_is_spikes(all) && strcmp(soma_rec_name(part), "twin.spikes") == 0);
  CHECK(soma_rec_pop(part) == twin);
  soma_net_destroy(net);
}

TEST(spike_recording_matches_source_input) { check_source_recording(1); }
TEST(spike_recording_matches_source_input_two_threads) { check_source_recording(2); }

/* Spikes travel through a projection: a lif neuron kicked hard by each source spike fires in
 * the step its input arrives, so its recording is the source's shifted by the delay. */
TEST(spike_recording_through_a_projection) {
  soma_net *net = make_net(0.1, 1, 100, 1);
  REQUIRE(net);
  soma_pop *src = soma_pop_create(net, "src", "spike_source", 3, NULL);
  /* tau_syn tiny: the kick acts within its step; a big weight crosses threshold at once */
  soma_pop *lif = soma_pop_create(net, "lif", "lif", 3,
                                  (soma_param[]){{"tau_syn_ex", 0.01}, {"t_ref", 0.5}, {NULL, 0}});
  REQUIRE(src && lif);
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ONE_TO_ONE;
  c.weight = soma_dist_const(1e6);
  c.delay = soma_dist_const(1.5);
  REQUIRE(soma_proj_create(net, "kick", src, lif, &c));
  int32_t ids[] = {0, 2, 1, 0};
  double t[] = {2.0, 2.0, 5.3, 9.9};
  CHECK(soma_pop_add_spikes(src, 4, ids, t) == SOMA_OK);
  soma_rec *rs = soma_rec_spikes(net, src, NULL, 0), *rl = soma_rec_spikes(net, lif, NULL, 0);
  REQUIRE(rs && rl);
  CHECK(soma_net_run(net, 20) == SOMA_OK);
  REQUIRE(soma_rec_spike_count(rs) == 4);
  REQUIRE(soma_rec_spike_count(rl) == 4);
  /* a source spike stamped s arrives in step s + 15 and the lif spike is stamped s + 16 */
  for (int k = 0; k < 4; k++) {
    CHECK(soma_rec_spike_ids(rl)[k] == soma_rec_spike_ids(rs)[k]);
    CHECK(soma_rec_spike_steps(rl)[k] == soma_rec_spike_steps(rs)[k] + 15 + 1);
  }
  soma_net_destroy(net);
}

/* ---- state recordings ---------------------------------------------------------------- */

/* lif with a constant current from t = 0 (exact integration):
 * V(t) = E_L + I tau / C (1 - exp(-t / tau)). */
static double v_dc(double t, double I) { return -70 + I * 10 / 250 * (1 - exp(-t / 10)); }

static void check_state_sampling(int threads) {
  enum { N = 40 };
  soma_net *net = make_net(0.1, threads, 0.3, 1);   /* chunks of 3 steps */
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "lif", "lif", N, NULL);
  REQUIRE(p);
  double I[N];
  for (int i = 0; i < N; i++) I[i] = 9 * i;   /* up to 351 pA: V_inf = -55.96 mV, no spike */
  CHECK(soma_pop_set_var(p, "I_e", I, N) == SOMA_OK);
  int32_t ids[] = {39, 0, 17, 16, 31};
  soma_rec *r = soma_rec_state(net, p, "V_m", ids, 5, 0.5);
  soma_rec *every = soma_rec_state(net, p, "I_e", NULL, 0, 0.1);
  REQUIRE(r && every);
  CHECK_NEAR(soma_rec_t0(r), 0.5, 1e-12);
  CHECK_NEAR(soma_rec_interval(r), 0.5, 1e-12);
  CHECK(soma_rec_columns(r) == 5 && soma_rec_columns(every) == N);
  CHECK(memcmp(soma_rec_ids(r), ids, sizeof ids) == 0);
  CHECK(soma_rec_samples(r) == 0);
  CHECK(!soma_rec_is_spikes(r) && strcmp(soma_rec_name(r), "lif.V_m") == 0);

  CHECK(soma_net_run(net, 10) == SOMA_OK);
  CHECK(soma_rec_samples(r) == 20);            /* 0.5, 1.0, ..., 10.0 */
  CHECK(soma_rec_samples(every) == 100);
  CHECK(soma_net_run(net, 0.3) == SOMA_OK);    /* t = 10.3: no sample is due */
  CHECK(soma_rec_samples(r) == 20);
  CHECK(soma_net_run(net, 0.2) == SOMA_OK);    /* t = 10.5 */
  CHECK(soma_rec_samples(r) == 21);
  CHECK(soma_rec_samples(every) == 105);
  /* a recording created now starts at the next multiple of its own interval */
  soma_rec *late = soma_rec_state(net, p, "I_syn_ex", NULL, 0, 1.0);
  REQUIRE(late);
  CHECK_NEAR(soma_rec_t0(late), 11.0, 1e-12);
  CHECK(soma_net_run(net, 3.5) == SOMA_OK);    /* t = 14: samples at 11, 12, 13, 14 */
  CHECK(soma_rec_samples(late) == 4);
  CHECK(soma_rec_samples(r) == 28);

  const float *d = soma_rec_data(r);
  double worst = 0;
  for (size_t k = 0; k < soma_rec_samples(r); k++) {
    double t = soma_rec_t0(r) + (double)k * soma_rec_interval(r);
    for (int c = 0; c < 5; c++) worst = fmax(worst, fabs(d[k * 5 + c] - v_dc(t, I[ids[c]])));
  }
  CHECK_MSG(worst < 2e-4, "%d threads: largest deviation from V(t) %.3g mV", threads, worst);
  /* the last sample is the current state */
  double now[N];
  CHECK(soma_pop_get_var(p, "V_m", now, N) == SOMA_OK);
  for (int c = 0; c < 5; c++) CHECK(d[27 * 5 + c] == (float)now[ids[c]]);
  const float *e = soma_rec_data(every);
  int bad = 0;
  for (size_t k = 0; k < soma_rec_samples(every); k++)
    for (int i = 0; i < N; i++) bad += e[k * N + i] != (float)I[i];
  CHECK(bad == 0);
  soma_net_destroy(net);
}

TEST(state_samples_at_documented_times) { check_state_sampling(1); }
TEST(state_samples_at_documented_times_two_threads) { check_state_sampling(2); }

/* Sample k holds the state at t0 + k * interval: a step current switched on at 5 ms shows
 * first in the sample of 5.1 ms, and I_e itself reads 0 at 5.0 ms and the new value at 5.1. */
TEST(state_sample_sees_a_step_at_its_time) {
  soma_net *net = make_net(0.1, 1, 100, 1);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "lif", "lif", 1, NULL);
  REQUIRE(p);
  double t[] = {5.0}, v[] = {300};
  CHECK(soma_pop_schedule(p, "I_e", 1, t, v) == SOMA_OK);
  soma_rec *rv = soma_rec_state(net, p, "V_m", NULL, 0, 0.1);
  soma_rec *ri = soma_rec_state(net, p, "I_e", NULL, 0, 0.1);
  REQUIRE(rv && ri);
  CHECK(soma_net_run(net, 8) == SOMA_OK);
  const float *V = soma_rec_data(rv), *Ie = soma_rec_data(ri);
  CHECK(V[48] == -70.0f && V[49] == -70.0f);   /* 4.9 and 5.0 ms */
  CHECK(Ie[49] == 0.0f && Ie[50] == 300.0f);  /* 5.0 and 5.1 ms */
  CHECK_NEAR(V[50], v_dc(0.1, 300), 1e-5);
  CHECK_NEAR(V[79], v_dc(3.0, 300), 1e-4);
  soma_net_destroy(net);
}

/* A run stopped by the progress callback leaves recordings that continue seamlessly: the
 * interrupted run, resumed, records exactly what an uninterrupted run records. */
static int stop_once(void *user, double t, double t_end) {
  int *calls = user;
  (void)t_end;
  return (*calls)++ == 0 && t > 0;
}

TEST(interrupted_run_records_seamlessly) {
  soma_net *a = make_net(0.1, 1, 10, 5), *b = make_net(0.1, 1, 10, 5);
  REQUIRE(a && b);
  soma_net *nets[] = {a, b};
  soma_rec *spk[2], *st[2];
  for (int k = 0; k < 2; k++) {
    soma_pop *p = soma_pop_create(nets[k], "p", "lif", 8, NULL);
    REQUIRE(p);
    CHECK(soma_pop_poisson_input(p, "ex", 12000, 25) == SOMA_OK);
    spk[k] = soma_rec_spikes(nets[k], p, NULL, 0);
    st[k] = soma_rec_state(nets[k], p, "V_m", NULL, 0, 0.7);
    REQUIRE(spk[k] && st[k]);
  }
  int calls = 0;
  soma_net_set_progress(a, stop_once, &calls);
  CHECK(soma_net_run(a, 50) == SOMA_INTERRUPTED);
  CHECK_NEAR(soma_net_time(a), 10, 1e-9);
  CHECK(soma_rec_samples(st[0]) == 14);             /* 0.7 .. 9.8 */
  CHECK(soma_net_run(a, 40) == SOMA_OK);
  CHECK(calls == 5);                                /* after each later chunk */
  CHECK(soma_net_run(b, 50) == SOMA_OK);
  CHECK(soma_rec_samples(st[0]) == 71 && soma_rec_samples(st[1]) == 71);
  CHECK(memcmp(soma_rec_data(st[0]), soma_rec_data(st[1]), sizeof(float) * 71 * 8) == 0);
  size_t n = soma_rec_spike_count(spk[0]);
  CHECK(n > 10 && n == soma_rec_spike_count(spk[1]));
  if (n == soma_rec_spike_count(spk[1])) {
    CHECK(memcmp(soma_rec_spike_steps(spk[0]), soma_rec_spike_steps(spk[1]), sizeof(int64_t) * n) == 0);
    CHECK(memcmp(soma_rec_spike_ids(spk[0]), soma_rec_spike_ids(spk[1]), sizeof(int32_t) * n) == 0);
  }
  soma_net_destroy(a);
  soma_net_destroy(b);
}

/* ---- .npy files ---------------------------------------------------------------------- */

/* one network with a Poisson drive, lif targets, spikes and states recorded */
typedef struct run_set {
  soma_net *net;
  soma_rec *rec[5];
} run_set;

static int build_set(run_set *s, int threads) {
  memset(s, 0, sizeof *s);
  s->net = make_net(0.1, threads, 5, 42);
  if (!s->net) return 0;
  soma_pop *in = soma_pop_create(s->net, "drive", "poisson", 30, (soma_param[]){{"rate", 200}, {NULL, 0}});
  soma_pop *out = soma_pop_create(s->net, "cells", "lif", 20, NULL);
  if (!in || !out) return 0;
  soma_conn c = soma_conn_rule_bernoulli(0.5);
  c.weight = soma_dist_clip(soma_dist_normal(150, 50), 0, INFINITY);
  c.delay = soma_dist_clip(soma_dist_uniform(0.5, 3), 0.5, 3);
  if (!soma_proj_create(s->net, "drive->cells", in, out, &c)) return 0;
  int32_t ids[] = {4, 19, 0, 7};
  s->rec[0] = soma_rec_spikes(s->net, in, NULL, 0);
  s->rec[1] = soma_rec_spikes(s->net, out, NULL, 0);
  s->rec[2] = soma_rec_state(s->net, out, "V_m", ids, 4, 0.3);
  s->rec[3] = soma_rec_state(s->net, out, "I_syn_ex", NULL, 0, 1.0);
  s->rec[4] = soma_rec_state(s->net, in, "rate", NULL, 0, 10.0);
  for (int k = 0; k < 5; k++)
    if (!s->rec[k]) return 0;
  return 1;
}

static const char *set_files[] = {"drive.spike_t.npy", "drive.spike_i.npy", "cells.spike_t.npy",
                                  "cells.spike_i.npy", "cells.V_m.npy", "cells.I_syn_ex.npy",
                                  "drive.rate.npy"};

TEST(npy_files_read_back) {
  char dir[64];
  REQUIRE(make_tmpdir(dir));
  run_set s;
  REQUIRE(build_set(&s, 1));
  CHECK(soma_net_run(s.net, 50) == SOMA_OK);
  for (int k = 0; k < 5; k++) CHECK(soma_rec_write(s.rec[k], dir) == SOMA_OK);
  char path[256], err[512];
  soma_npy_array a;
  /* spike times in ms as float64, ids as int32, both 1-D */
  soma_rec *cs = s.rec[1];
  size_t n = soma_rec_spike_count(cs);
  CHECK(n > 20);
  snprintf(path, sizeof path, "%s/cells.spike_t.npy", dir);
  if (soma_npy_load(path, &a, err, sizeof err) == 0) {
    CHECK(strcmp(a.descr, "<f8") == 0 && a.ndim == 1 && a.shape[0] == n && a.itemsize == 8);
    int bad = 0;
    for (size_t k = 0; k < n && k < a.count; k++)
      bad += ((double *)a.data)[k] != (double)soma_rec_spike_steps(cs)[k] * 0.1;
    CHECK(bad == 0);
    soma_npy_free(&a);
  } else {
    CHECK_MSG(0, "%s", err);
  }
  snprintf(path, sizeof path, "%s/cells.spike_i.npy", dir);
  if (soma_npy_load(path, &a, err, sizeof err) == 0) {
    CHECK(strcmp(a.descr, "<i4") == 0 && a.ndim == 1 && a.shape[0] == n);
    CHECK(memcmp(a.data, soma_rec_spike_ids(cs), sizeof(int32_t) * n) == 0);
    soma_npy_free(&a);
  } else {
    CHECK_MSG(0, "%s", err);
  }
  /* states: float32, (samples, columns) */
  soma_rec *v = s.rec[2];
  snprintf(path, sizeof path, "%s/cells.V_m.npy", dir);
  if (soma_npy_load(path, &a, err, sizeof err) == 0) {
    CHECK(strcmp(a.descr, "<f4") == 0 && a.ndim == 2);
    CHECK(a.shape[0] == soma_rec_samples(v) && a.shape[0] == 166 && a.shape[1] == 4);
    CHECK(memcmp(a.data, soma_rec_data(v), sizeof(float) * 166 * 4) == 0);
    soma_npy_free(&a);
  } else {
    CHECK_MSG(0, "%s", err);
  }
  snprintf(path, sizeof path, "%s/drive.rate.npy", dir);
  if (soma_npy_load(path, &a, err, sizeof err) == 0) {
    CHECK(a.ndim == 2 && a.shape[0] == 5 && a.shape[1] == 30 && ((float *)a.data)[149] == 200.0f);
    soma_npy_free(&a);
  } else {
    CHECK_MSG(0, "%s", err);
  }
  /* numpy reads the same */
  if (have_numpy()) {
    char script[4096];
    snprintf(script, sizeof script,
             "import sys, numpy as np\n"
             "d = sys.argv[1]\n"
             "t = np.load(d + '/cells.spike_t.npy'); i = np.load(d + '/cells.spike_i.npy')\n"
             "assert t.dtype == np.float64 and t.shape == (%zu,), (t.dtype, t.shape)\n"
             "assert i.dtype == np.int32 and i.shape == (%zu,), (i.dtype, i.shape)\n"
             "steps = np.rint(t / 0.1).astype(np.int64)\n"
             "assert np.all(np.abs(t - steps * 0.1) == 0)\n"
             "assert np.all((np.diff(steps) > 0) | ((np.diff(steps) == 0) & (np.diff(i) > 0)))\n"
             "assert i.min() >= 0 and i.max() < 20\n"
             "assert abs(t[0] - %.17g) == 0 and i[-1] == %d\n"
             "v = np.load(d + '/cells.V_m.npy')\n"
             "assert v.dtype == np.float32 and v.shape == (166, 4) and v.flags['C_CONTIGUOUS']\n"
             "assert abs(float(v[0, 0]) - %.9g) < 1e-6 and abs(float(v[165, 3]) - %.9g) < 1e-6\n"
             "assert np.all(v <= -55.0) and np.all(v >= -80.0)\n"
             "g = np.load(d + '/cells.I_syn_ex.npy'); assert g.shape == (50, 20) and g.dtype == np.float32\n"
             "r = np.load(d + '/drive.rate.npy'); assert r.shape == (5, 30) and np.all(r == 200)\n"
             "s = np.load(d + '/drive.spike_t.npy'); j = np.load(d + '/drive.spike_i.npy')\n"
             "assert s.shape == j.shape == (%zu,)\n",
             n, n, (double)soma_rec_spike_steps(cs)[0] * 0.1, soma_rec_spike_ids(cs)[n - 1],
             (double)soma_rec_data(v)[0], (double)soma_rec_data(v)[165 * 4 + 3],
             soma_rec_spike_count(s.rec[0]));
    CHECK_MSG(run_python(dir, script) == 0, "numpy rejected the files in %s", dir);
  } else {
    printf("  /usr/bin/python3 with numpy not found: numpy check skipped\n");
  }
  soma_net_destroy(s.net);
  rm_rf(dir);
}

/* Streaming while running gives the same bytes as recording in memory and writing at the
 * end, whether the stream starts before the first run or after some data is in memory, and
 * whatever the number of threads. */
TEST(streaming_equals_memory_byte_for_byte) {
  char mem[64], early[64], late[64], two[64], path_a[256], path_b[256];
  REQUIRE(make_tmpdir(mem) && make_tmpdir(early) && make_tmpdir(late) && make_tmpdir(two));
  run_set m, e, l, t;
  REQUIRE(build_set(&m, 1) && build_set(&e, 1) && build_set(&l, 1) && build_set(&t, 2));
  for (int k = 0; k < 5; k++) {
    CHECK(soma_rec_stream(e.rec[k], early) == SOMA_OK);
    CHECK(soma_rec_stream(t.rec[k], two) == SOMA_OK);
  }
  CHECK(soma_rec_stream(e.rec[0], early) == SOMA_ERR_PARAM);   /* already streaming */
  CHECK(strstr(soma_net_errmsg(e.net), "already streaming") != NULL);
  run_set *all[] = {&m, &e, &l, &t};
  for (int s = 0; s < 4; s++) CHECK(soma_net_run(all[s]->net, 37.4) == SOMA_OK);
  for (int k = 0; k < 5; k++) CHECK(soma_rec_stream(l.rec[k], late) == SOMA_OK);
  for (int s = 0; s < 4; s++) CHECK(soma_net_run(all[s]->net, 12.6) == SOMA_OK);
  /* streams keep nothing in memory; the description counts what went to disk */
  CHECK(soma_rec_spike_count(e.rec[0]) == 0 && soma_rec_samples(e.rec[2]) == 0);
  CHECK(soma_rec_spike_count(m.rec[0]) > 100);
  char *dm = describe(m.net), *de = describe(e.net), *dl = describe(l.net);
  CHECK_MSG(strcmp(dm, de) == 0 && strcmp(dm, dl) == 0, "descriptions differ:\n%s\n%s", dm, de);
  free(dm), free(de), free(dl);
  for (int k = 0; k < 5; k++) {
    CHECK(soma_rec_write(m.rec[k], mem) == SOMA_OK);
    CHECK(soma_rec_write(e.rec[k], early) == SOMA_OK);
    CHECK(soma_rec_write(l.rec[k], late) == SOMA_OK);
    CHECK(soma_rec_write(t.rec[k], two) == SOMA_OK);
  }
  for (int f = 0; f < 7; f++) {
    snprintf(path_a, sizeof path_a, "%s/%s", mem, set_files[f]);
    const char *others[] = {early, late, two};
    for (int o = 0; o < 3; o++) {
      snprintf(path_b, sizeof path_b, "%s/%s", others[o], set_files[f]);
      CHECK(files_equal(path_a, path_b));
    }
  }
  for (int s = 0; s < 4; s++) soma_net_destroy(all[s]->net);
  rm_rf(mem);
  rm_rf(early);
  rm_rf(late);
  rm_rf(two);
}

/* A network destroyed while streaming still leaves complete, readable files. */
TEST(stream_closed_by_destroy_is_readable) {
  char dir[64], path[256], err[512];
  REQUIRE(make_tmpdir(dir));
  run_set s;
  REQUIRE(build_set(&s, 1));
  for (int k = 0; k < 5; k++) CHECK(soma_rec_stream(s.rec[k], dir) == SOMA_OK);
  CHECK(soma_net_run(s.net, 20) == SOMA_OK);
  soma_net_destroy(s.net);
  soma_npy_array a;
  snprintf(path, sizeof path, "%s/cells.V_m.npy", dir);
  CHECK_MSG(soma_npy_load(path, &a, err, sizeof err) == 0, "%s", err);
  CHECK(a.ndim == 2 && a.shape[0] == 66 && a.shape[1] == 4);
  soma_npy_free(&a);
  snprintf(path, sizeof path, "%s/drive.spike_t.npy", dir);
  CHECK_MSG(soma_npy_load(path, &a, err, sizeof err) == 0, "%s", err);
  CHECK(a.ndim == 1 && a.shape[0] > 50);
  soma_npy_free(&a);
  rm_rf(dir);
}

/* Unwritable places give SOMA_ERR_IO with the path; the recording stays usable. */
TEST(unwritable_directories) {
  char dir[64], file[256], bad[300];
  REQUIRE(make_tmpdir(dir));
  snprintf(file, sizeof file, "%s/plain_file", dir);
  CHECK(write_bytes(file, "x", 1) == 0);
  snprintf(bad, sizeof bad, "%s/sub", file);   /* a directory inside a regular file */
  run_set s;
  REQUIRE(build_set(&s, 1));
  CHECK(soma_net_run(s.net, 5) == SOMA_OK);
  const char *places[] = {"/nonexistent-soma-dir", bad};
  for (int p = 0; p < 2; p++) {
    for (int k = 0; k < 5; k += 2) {   /* a spike and two state recordings */
      int rc = soma_rec_write(s.rec[k], places[p]);
      CHECK(rc == SOMA_ERR_IO);
      const char *msg = soma_net_errmsg(s.net);
      CHECK_MSG(strstr(msg, places[p]) && strstr(msg, soma_rec_name(s.rec[k])),
                "write: message lacks the path or the recording: %s", msg);
      rc = soma_rec_stream(s.rec[k], places[p]);
      CHECK(rc == SOMA_ERR_IO);
      msg = soma_net_errmsg(s.net);
      CHECK_MSG(strstr(msg, places[p]) && strstr(msg, "cannot create"), "stream: %s", msg);
    }
  }
  CHECK(strstr(soma_net_errmsg(s.net), "Not a directory") != NULL);
  /* still recording in memory, and writable elsewhere */
  size_t before = soma_rec_spike_count(s.rec[0]);
  CHECK(soma_net_run(s.net, 5) == SOMA_OK);
  CHECK(soma_rec_spike_count(s.rec[0]) > before);
  CHECK(soma_rec_write(s.rec[0], dir) == SOMA_OK);
  CHECK(soma_rec_stream(s.rec[2], dir) == SOMA_OK);
  CHECK(soma_net_run(s.net, 5) == SOMA_OK);
  CHECK(soma_rec_write(s.rec[2], dir) == SOMA_OK);
  soma_npy_array a;
  char path[300], err[512];
  snprintf(path, sizeof path, "%s/cells.V_m.npy", dir);
  CHECK_MSG(soma_npy_load(path, &a, err, sizeof err) == 0, "%s", err);
  CHECK(a.ndim == 2 && a.shape[0] == 50 && a.shape[1] == 4);   /* 15 ms at 0.3 ms */
  soma_npy_free(&a);
  soma_net_destroy(s.net);
  rm_rf(dir);
}

/* ---- soma_npy_load on damaged files -------------------------------------------------- */

/* a valid v1.0 header for descr/shape, padded to 64 bytes */
static size_t header(unsigned char *out, const char *dict) {
  size_t dl = strlen(dict), total = 64;
  while (total < 10 + dl + 1) total += 64;
  memcpy(out, "\x93NUMPY\x01\x00", 8);
  out[8] = (unsigned char)((total - 10) & 0xff);
  out[9] = (unsigned char)((total - 10) >> 8);
  memset(out + 10, ' ', total - 10);
  memcpy(out + 10, dict, dl);
  out[total - 1] = '\n';
  return total;
}

typedef struct damaged {
  const char *name;
  const char *dict;       /* NULL: raw bytes below */
  size_t data_bytes;      /* bytes of data after the header */
  const char *raw;
  size_t raw_len;
  const char *expect;     /* part of the message */
} damaged;

#define RAW(s) s, sizeof(s) - 1

/* A full disk, simulated by a file size limit (RLIMIT_FSIZE: writes beyond it fail with
 * EFBIG, as on a full disk with ENOSPC): a stream fails, and its file is still a valid .npy
 * holding the rows that reached the disk whole; spike times and ids are cut to the same
 * length; a whole-file write that fails leaves no file and an earlier one intact. */
TEST(full_disk_keeps_whole_rows) {
  char dir[64], path[256], old[256];
  REQUIRE(make_tmpdir(dir));
  struct rlimit was;
  REQUIRE(getrlimit(RLIMIT_FSIZE, &was) == 0);
  void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = {20000, was.rlim_max};   /* bytes per file */
  REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
  /* a stream of 3-column float32 rows */
  snprintf(path, sizeof path, "%s/stream.npy", dir);
  soma_npy_writer w;
  REQUIRE(soma_npy_begin(&w, path, "<f4", 3) == 0);
  float row[3 * 100];
  for (int k = 0; k < 300; k++) row[k] = (float)k;
  int failed_at = -1;
  for (int b = 0; b < 100 && failed_at < 0; b++)
    if (soma_npy_append(&w, row, 100)) failed_at = b;
  size_t kept = soma_npy_kept(&w);
  int rc = soma_npy_end(&w);
  int e = errno;
  /* a whole file that does not fit, over an earlier one */
  snprintf(old, sizeof old, "%s/whole.npy", dir);
  float small[4] = {1, 2, 3, 4};
  REQUIRE(soma_npy_save(old, "<f4", 4, 0, small) == 0);
  static float big[20000];
  int rc_big = soma_npy_save(old, "<f4", 20000, 0, big);
  setrlimit(RLIMIT_FSIZE, &was);
  signal(SIGXFSZ, xfsz);
  CHECK_MSG(failed_at >= 0 && rc == -1 && e == EFBIG, "append failed at %d, end %d (%s)", failed_at,
            rc, strerror(e));
  soma_npy_array a;
  char err[256];
  REQUIRE(soma_npy_load(path, &a, err, sizeof err) == 0);
  /* what stdio got to the disk before the limit: at least its last full buffer */
  CHECK_MSG(a.ndim == 2 && a.shape[0] == kept && a.shape[1] == 3 && kept >= (16384 - 128) / 12 &&
            kept <= (20000 - 128) / 12, "kept %zu rows, the file has %zu", kept, a.shape[0]);
  int same = 1;
  for (size_t k = 0; k < a.count; k++) same &= ((float *)a.data)[k] == (float)(k % 300);
  CHECK(same);
  soma_npy_free(&a);
  CHECK(rc_big == -1);
  REQUIRE(soma_npy_load(old, &a, err, sizeof err) == 0);
  CHECK(a.count == 4 && ((float *)a.data)[3] == 4);
  soma_npy_free(&a);
  snprintf(path, sizeof path, "%s/whole.npy.tmp", dir);
  CHECK(access(path, F_OK) != 0);
  /* a spike recording streamed until the limit: both files keep the same spikes */
  run_set s;
  REQUIRE(build_set(&s, 1));
  REQUIRE(soma_rec_stream(s.rec[0], dir) == SOMA_OK);
  lim.rlim_cur = 3000;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &lim) == 0);
  signal(SIGXFSZ, SIG_IGN);
  int run_rc = soma_net_run(s.net, 200);
  for (int k = 0; k < 20 && run_rc == SOMA_OK; k++) run_rc = soma_net_run(s.net, 200);
  int write_rc = soma_rec_write(s.rec[0], dir);
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", soma_net_errmsg(s.net));
  setrlimit(RLIMIT_FSIZE, &was);
  signal(SIGXFSZ, xfsz);
  CHECK_MSG(run_rc == SOMA_ERR_IO && write_rc == SOMA_ERR_IO, "run %d, write %d", run_rc, write_rc);
  CHECK_MSG(strstr(msg, "cannot finish its stream: File too large; its two files keep the first"),
            "%s", msg);
  char pt[300], pi[300];
  snprintf(pt, sizeof pt, "%s/%s.spike_t.npy", dir, soma_pop_name(soma_rec_pop(s.rec[0])));
  snprintf(pi, sizeof pi, "%s/%s.spike_i.npy", dir, soma_pop_name(soma_rec_pop(s.rec[0])));
  soma_npy_array t, ids;
  REQUIRE(soma_npy_load(pt, &t, err, sizeof err) == 0);
  REQUIRE(soma_npy_load(pi, &ids, err, sizeof err) == 0);
  CHECK_MSG(t.count == ids.count && t.count > 100, "%zu times, %zu ids", t.count, ids.count);
  printf("  a 3000-byte limit: the streams keep %zu spikes; %s\n", t.count, msg);
  soma_npy_free(&t);
  soma_npy_free(&ids);
  soma_net_destroy(s.net);
  rm_rf(dir);
}

TEST(npy_load_rejects_damaged_files) {
  char dir[64];
  REQUIRE(make_tmpdir(dir));
  static const damaged cases[] = {
    {"truncated_data", "{'descr': '<f8', 'fortran_order': False, 'shape': (10,), }", 40, NULL, 0,
     "truncated data"},
    {"truncated_2d", "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", 44, NULL, 0,
     "truncated data"},
    {"trailing", "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 12, NULL, 0,
     "trailing bytes"},
    /* found by tests/fuzz/npy.c: a shape of 666 GB in a small file was allocated first */
    {"huge_shape", "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 83300), }", 64,
     NULL, 0, "truncated data"},
    {"fortran", "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", 32, NULL, 0,
     "fortran_order"},
    {"big_endian", "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", 16, NULL, 0,
     "unsupported element type '>f8'"},
    {"object", "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16, NULL, 0,
     "unsupported element type"},
    {"no_shape", "{'descr': '<f8', 'fortran_order': False, }", 8, NULL, 0, "shape"},
    {"bad_shape", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", 16, NULL, 0,
     "shape"},
    {"five_dims", "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1), }", 1, NULL, 0,
     "up to 4"},
    {"wrong_magic", NULL, 0, RAW("\x89PNG\r\n\x1a\n\0\0\0\rIHDR plus some more bytes"), "bad magic"},
    {"text", NULL, 0, RAW("time,id\n1.0,3\n2.0,4\n"), "not a .npy file"},
    {"too_short", NULL, 0, RAW("\x93NUMP"), "not a .npy file"},
    {"empty", NULL, 0, RAW(""), "not a .npy file"},
    {"header_cut", NULL, 0, RAW("\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortr"), "truncated header"},
    {"version_9", NULL, 0, RAW("\x93NUMPY\x09\x00\x76\x00{}"), "unsupported .npy version"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    const damaged *d = &cases[c];
    char path[256], err[512] = "";
    snprintf(path, sizeof path, "%s/%s.npy", dir, d->name);
    unsigned char buf[1024];
    size_t n;
    if (d->dict) {
      n = header(buf, d->dict);
      memset(buf + n, 0x11, d->data_bytes);
      n += d->data_bytes;
    } else {
      memcpy(buf, d->raw, d->raw_len);
      n = d->raw_len;
    }
    REQUIRE(write_bytes(path, buf, n) == 0);
    soma_npy_array a;
    int rc = soma_npy_load(path, &a, err, sizeof err);
    CHECK_MSG(rc == -1, "%s: accepted", d->name);
    CHECK_MSG(strstr(err, path) && strstr(err, d->expect), "%s: message \"%s\" lacks the path or \"%s\"",
              d->name, err, d->expect);
    CHECK(a.data == NULL);
    soma_npy_free(&a);   /* harmless after a failure */
  }
  /* a missing file, and no message buffer at all */
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/missing.npy", dir);
  soma_npy_array a;
  CHECK(soma_npy_load(path, &a, err, sizeof err) == -1);
  CHECK(strstr(err, path) && strstr(err, "cannot open"));
  CHECK(soma_npy_load(path, &a, NULL, 0) == -1);
  /* the reference: a hand-made valid file loads, as does a 0-d and a zero-length array */
  unsigned char buf[256];
  size_t n = header(buf, "{'descr': '<i2', 'fortran_order': False, 'shape': (3, 1), }");
  int16_t vals[3] = {-1, 2, 300};
  memcpy(buf + n, vals, sizeof vals);
  snprintf(path, sizeof path, "%s/good.npy", dir);
  REQUIRE(write_bytes(path, buf, n + sizeof vals) == 0);
  CHECK_MSG(soma_npy_load(path, &a, err, sizeof err) == 0, "%s", err);
  CHECK(a.ndim == 2 && a.shape[0] == 3 && a.shape[1] == 1 && a.count == 3 &&
        ((int16_t *)a.data)[2] == 300);
  soma_npy_free(&a);
  n = header(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }");
  REQUIRE(write_bytes(path, buf, n) == 0);
  CHECK_MSG(soma_npy_load(path, &a, err, sizeof err) == 0, "%s", err);
  CHECK(a.ndim == 1 && a.count == 0);
  soma_npy_free(&a);
  /* round trip through the writer */
  double m[6] = {1.5, -2, 3e300, 0, -0.0, 7};
  CHECK(soma_npy_save(path, "<f8", 2, 3, m) == 0);
  CHECK_MSG(soma_npy_load(path, &a, err, sizeof err) == 0, "%s", err);
  CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 3 && memcmp(a.data, m, sizeof m) == 0);
  soma_npy_free(&a);
  CHECK(soma_npy_save(path, "<c16", 1, 0, m) == -1);   /* an unknown type is refused */
  rm_rf(dir);
}

/* ---- soma_net_describe ---------------------------------------------------------------- */

TEST(describe_is_valid_json) {
  char dir[64], path[256];
  REQUIRE(make_tmpdir(dir));
  soma_net *net = make_net(0.1, 2, 100, 3);
  REQUIRE(net);
  const char *models[] = {"lif", "lif_alpha", "lif_cond", "izhikevich", "adex", "poisson", "spike_source"};
  soma_pop *pops[7];
  for (int m = 0; m < 7; m++) {
    char name[32];
    snprintf(name, sizeof name, "pop-%d_%s", m, models[m]);
    pops[m] = soma_pop_create(net, name, models[m], 20 + m, NULL);
    REQUIRE(pops[m]);
  }
  soma_conn c = soma_conn_rule_bernoulli(0.2);
  c.weight = soma_dist_clip(soma_dist_normal(5, 2), 0, INFINITY);
  c.delay = soma_dist_clip(soma_dist_gamma(2, 1), 0.1, 20);
  REQUIRE(soma_proj_create(net, "p:{\"x\"}", pops[5], pops[0], &c) == NULL);   /* quotes refused */
  REQUIRE(soma_proj_create(net, "poisson->lif{bernoulli},'odd'name", pops[5], pops[0], &c));
  soma_conn k = soma_conn_rule_fixed_indegree(3);
  k.port = "in";
  k.weight = soma_dist_uniform(-3, -1);
  REQUIRE(soma_proj_create(net, "inh", pops[6], pops[3], &k));
  soma_conn o = soma_conn_defaults();
  o.rule = SOMA_CONN_ONE_TO_ONE;
  o.autapses = 1;
  REQUIRE(soma_proj_create(net, "self", pops[2], pops[2], &o));
  REQUIRE(soma_rec_spikes(net, pops[0], NULL, 0));
  int32_t ids[] = {3, 1};
  REQUIRE(soma_rec_state(net, pops[4], "w", ids, 2, 0.5));
  REQUIRE(soma_net_run(net, 10) == SOMA_OK);
  snprintf(path, sizeof path, "%s/meta.json", dir);
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  soma_net_describe(net, f);
  fclose(f);
  size_t len;
  char *text = read_all(path, &len);
  REQUIRE(text);
  CHECK(len > 500 && text[0] == '{' && text[len - 1] == '}');
  CHECK(strstr(text, "\"V_min\": null") != NULL);   /* -inf is not JSON: null */
  CHECK(strstr(text, "'odd'name") != NULL);
  if (have_python()) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -m json.tool %s >/dev/null", path);
    CHECK_MSG(system(cmd) == 0, "json.tool rejected %s", path);
    char script[2048];
    snprintf(script, sizeof script,
             "import sys, json\n"
             "m = json.load(open(sys.argv[1] + '/meta.json'))\n"
             "assert m['dt_ms'] == 0.1 and m['seed'] == 3 and m['threads'] == 2 and m['time_ms'] == 10\n"
             "assert [p['model'] for p in m['populations']] == %s\n"
             "assert [p['size'] for p in m['populations']] == list(range(20, 27))\n"
             "assert sum(p['size'] for p in m['populations']) == m['neurons']\n"
             "assert [p['name'] for p in m['projections']] == [\"poisson->lif{bernoulli},'odd'name\", 'inh', 'self']\n"
             "assert m['projections'][1]['port'] == 'in' and m['projections'][1]['rule'] == 'fixed_indegree'\n"
             "assert m['projections'][2]['synapses'] == 22\n"
             "assert m['synapses'] == sum(p['synapses'] for p in m['projections'])\n"
             "r = m['recordings']; assert r[0]['kind'] == 'spikes' and r[1]['kind'] == 'state'\n"
             "assert r[1]['ids'] == [3, 1] and r[1]['samples'] == 20 and r[1]['t0_ms'] == 0.5\n",
             "['lif', 'lif_alpha', 'lif_cond', 'izhikevich', 'adex', 'poisson', 'spike_source']");
    CHECK_MSG(run_python(dir, script) == 0, "the description's content is off: %s", text);
  } else {
    printf("  /usr/bin/python3 not found: JSON check skipped\n");
  }
  free(text);
  /* an empty network describes itself too */
  soma_net *empty = make_net(0.1, 1, 100, 1);
  f = fopen(path, "w");
  REQUIRE(f && empty);
  soma_net_describe(empty, f);
  fclose(f);
  if (have_python()) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -m json.tool %s >/dev/null", path);
    CHECK(system(cmd) == 0);
  }
  soma_net_destroy(empty);
  soma_net_destroy(net);
  rm_rf(dir);
}

int main(void) {
  RUN(spike_recording_matches_source_input);
  RUN(spike_recording_matches_source_input_two_threads);
  RUN(spike_recording_through_a_projection);
  RUN(state_samples_at_documented_times);
  RUN(state_samples_at_documented_times_two_threads);
  RUN(state_sample_sees_a_step_at_its_time);
  RUN(interrupted_run_records_seamlessly);
  RUN(npy_files_read_back);
  RUN(streaming_equals_memory_byte_for_byte);
  RUN(stream_closed_by_destroy_is_readable);
  RUN(unwritable_directories);
  RUN(full_disk_keeps_whole_rows);
  RUN(npy_load_rejects_damaged_files);
  RUN(describe_is_valid_json);
  return h_done();
}
