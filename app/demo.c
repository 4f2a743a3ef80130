/* demo.c — `soma demo`: the default job. Simulates the COBA network (Brette et al. 2007,
 * benchmark 1) headless and writes a run directory: spikes and membrane traces as .npy,
 * meta.json, results.json and a figure (raster, population rate, membrane potentials). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/figure.h"
#include "app/rundir.h"
#include "app/spike_hash.h"
#include "joint/spike_stats.h"
#include "nets/nets.h"

static const char *usage =
    "usage: soma demo [options]\n"
    "\n"
    "Simulates the COBA benchmark network (4000 conductance-based LIF neurons) and writes a\n"
    "run directory with its spikes (.npy), membrane traces, meta.json, results.json and\n"
    "demo.png (raster, population rate, membrane potentials).\n"
    "\n"
    "options:\n"
    "  --out DIR     run directory (default runs/demo-<date>-<time>); never overwritten\n"
    "  --time S      biological time, seconds (default 1)\n"
    "  --threads N   OpenMP threads (default 1)\n"
    "  --seed N      random seed (default 1)\n"
    "  --quiet       no progress line\n"
    "  -h, --help    this text\n";

/* raster (top), population rate in 2 ms bins (middle), three membrane traces (bottom) */
static int draw(const char *path, soma_rec *se, soma_rec *si, soma_rec *vm, int ne, double t_end,
                double dt, char *err, size_t errlen) {
  const int W = 1000, H = 900, L = 90, PW = 860;
  figure *f = figure_create(W, H);
  if (!f) {
    snprintf(err, errlen, "out of memory for the figure");
    return -1;
  }
  const int shown_e = ne < 400 ? ne : 400, shown_i = 100;
  fig_axes r = figure_axes(f, L, 50, PW, 400, 0, t_end, 0, shown_e + shown_i, NULL, "neuron",
                           "COBA network: spikes of 400 E (blue) and 100 I (red) neurons");
  size_t n = soma_rec_spike_count(se);
  for (size_t k = 0; k < n; k++)
    if (soma_rec_spike_ids(se)[k] < shown_e)
      figure_point(f, &r, soma_rec_spike_steps(se)[k] * dt, soma_rec_spike_ids(se)[k], FIG_BLUE, 2);
  n = soma_rec_spike_count(si);
  for (size_t k = 0; k < n; k++)
    if (soma_rec_spike_ids(si)[k] < shown_i)
      figure_point(f, &r, soma_rec_spike_steps(si)[k] * dt, shown_e + soma_rec_spike_ids(si)[k],
                   FIG_RED, 2);

  int bins = (int)ceil(t_end / 2.0);
  double *rate = calloc((size_t)bins, sizeof(double)), peak = 1;
  int n_all = ne + soma_pop_size(soma_rec_pop(si));
  for (int p = 0; p < 2 && rate; p++) {
    soma_rec *rec = p ? si : se;
    for (size_t k = 0; k < soma_rec_spike_count(rec); k++) {
      int b = (int)(soma_rec_spike_steps(rec)[k] * dt / 2.0);
      if (b >= 0 && b < bins) rate[b] += 1000.0 / 2.0 / n_all;
    }
  }
  for (int b = 0; rate && b < bins; b++) peak = fmax(peak, rate[b]);
  fig_axes pr = figure_axes(f, L, 510, PW, 140, 0, t_end, 0, peak * 1.1, NULL, "rate (Hz)", NULL);
  for (int b = 0; rate && b < bins; b++) figure_bar(f, &pr, 2.0 * b, 2.0 * b + 2, rate[b], FIG_GREY);
  free(rate);

  fig_axes pv = figure_axes(f, L, 700, PW, 140, 0, t_end, -82, -48, "time (ms)", "V_m (mV)", NULL);
  size_t samples = soma_rec_samples(vm);
  double *t = malloc(sizeof(double) * samples), *v = malloc(sizeof(double) * samples);
  uint32_t colours[3] = {FIG_BLUE, FIG_GREEN, FIG_RED};
  for (int c = 0; t && v && c < soma_rec_columns(vm) && c < 3; c++) {
    for (size_t k = 0; k < samples; k++) {
      t[k] = soma_rec_t0(vm) + (double)k * soma_rec_interval(vm);
      v[k] = soma_rec_data(vm)[k * (size_t)soma_rec_columns(vm) + (size_t)c];
    }
    figure_line(f, &pv, t, v, samples, colours[c]);
  }
  free(t);
  free(v);
  int rc = figure_save(f, path, err, errlen);
  figure_destroy(f);
  return rc;
}

int cmd_demo(int argc, char **argv) {
  static const char *const known[] = {"--out", "--time", "--threads", "--seed", "--quiet", "--help", NULL};
  const char *out = NULL;
  double time_s = 1;
  long threads = 1, seed = 1;
  int quiet = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      return 0;
    } else if (!strcmp(a, "--quiet")) {
      quiet = 1;
    } else if (!strcmp(a, "--out")) {
      if (!(out = cli_value("demo", argc, argv, &i))) return 2;
    } else if (!strcmp(a, "--time") || !strcmp(a, "--threads") || !strcmp(a, "--seed")) {
      if (!(v = cli_value("demo", argc, argv, &i))) return 2;
      int rc = !strcmp(a, "--time")      ? cli_double("demo", a, v, 0.001, 1e5, &time_s)
               : !strcmp(a, "--threads") ? cli_long("demo", a, v, 1, 1024, &threads)
                                         : cli_long("demo", a, v, 0, 4294967295L, &seed);
      if (rc) return rc;
    } else if (a[0] == '-') {
      return cli_unknown("demo", a, known);
    } else {
      fprintf(stderr, "soma demo: unexpected argument '%s'; see 'soma demo --help'\n", a);
      return 2;
    }
  }
  char dir[4096], err[1024], started[40], ended[40];
  if (rundir_create(out, "demo", dir, sizeof dir, err, sizeof err)) {
    fprintf(stderr, "soma demo: %s\n", err);
    return 1;
  }
  rundir_timestamp(started, sizeof started);
  double t0 = cli_now();
  soma_net_config cfg = soma_net_defaults();
  cfg.threads = (int)threads;
  cfg.seed = (uint32_t)seed;
  soma_net *net = soma_net_create(&cfg, err, sizeof err);
  if (!net) {
    fprintf(stderr, "soma demo: %s\n", err);
    return 1;
  }
  soma_bench_net b;
  int rc = soma_nets_build(net, "coba", 1, &b);
  soma_rec *se = rc ? NULL : soma_rec_spikes(net, b.exc, NULL, 0);
  soma_rec *si = rc ? NULL : soma_rec_spikes(net, b.inh, NULL, 0);
  soma_rec *vm = rc ? NULL : soma_rec_state(net, b.exc, "V_m", (int32_t[]){0, 1, 2}, 3, 0.1);
  if (!se || !si || !vm) {
    fprintf(stderr, "soma demo: %s\n", soma_net_errmsg(net));
    soma_net_destroy(net);
    return 1;
  }
  if (!quiet && isatty(2)) soma_net_set_progress(net, cli_progress, NULL);
  double t_end = round(time_s * 1e4) / 10;   /* ms on the 0.1 ms grid */
  double t1 = cli_now();
  rc = soma_net_run(net, t_end);
  double sim_wall = cli_now() - t1;
  if (!quiet && isatty(2)) fputs("\r\033[K", stderr);
  if (rc) fprintf(stderr, "soma demo: %s\n", soma_net_errmsg(net));
  for (int r = 0; r < soma_net_rec_count(net); r++)
    if (soma_rec_write(soma_net_rec(net, r), dir)) {
      fprintf(stderr, "soma demo: %s\n", soma_net_errmsg(net));
      rc = rc ? rc : SOMA_ERR_IO;
    }

  double dt = soma_net_dt(net);
  int64_t steps = soma_net_steps(net);
  joint_spike_stats ste, sti;
  joint_spike_stats_compute(soma_rec_spike_count(se), soma_rec_spike_steps(se), soma_rec_spike_ids(se),
                            soma_pop_size(b.exc), dt, 1, steps + 1, &ste);
  joint_spike_stats_compute(soma_rec_spike_count(si), soma_rec_spike_steps(si), soma_rec_spike_ids(si),
                            soma_pop_size(b.inh), dt, 1, steps + 1, &sti);
  char hash[65];
  soma_rec *both[2] = {se, si};
  spike_hash(both, 2, hash);
  FILE *f = rundir_open(dir, "results.json", err, sizeof err);
  if (f) {
    fprintf(f, "{\"network\": \"coba\", \"time_ms\": %g, \"rate_exc_hz\": %.4f, \"rate_inh_hz\": %.4f, "
               "\"cv_isi_exc\": %.4f, \"cv_isi_inh\": %.4f, \"sync_fano_exc\": %.4f, "
               "\"sync_fano_inh\": %.4f, \"spikes\": %zu, \"synaptic_events\": %llu, "
               "\"sim_wall_s\": %.4f, \"spikes_sha256\": \"%s\"}\n",
            soma_net_time(net), ste.rate_hz, sti.rate_hz, ste.cv_isi, sti.cv_isi, ste.sync_fano,
            sti.sync_fano, ste.spikes + sti.spikes,
            (unsigned long long)soma_net_event_count(net), sim_wall, hash);
    if (rundir_commit(f, dir, "results.json", err, sizeof err)) {
      fprintf(stderr, "soma demo: %s\n", err);
      rc = rc ? rc : SOMA_ERR_IO;
    }
  } else {
    fprintf(stderr, "soma demo: %s\n", err);
  }
  char png[4200];
  snprintf(png, sizeof png, "%s/demo.png", dir);
  if (draw(png, se, si, vm, soma_pop_size(b.exc), soma_net_time(net), dt, err, sizeof err))
    fprintf(stderr, "soma demo: %s\n", err);
  rundir_timestamp(ended, sizeof ended);
  f = rundir_open(dir, "meta.json", err, sizeof err);
  if (f) {
    fprintf(f, "{\"command\": \"soma demo\", \"network\": \"coba\", \"soma_version\": \"%s\", "
               "\"git_revision\": \"%s\", \"seed\": %ld, \"threads\": %ld, \"started\": \"%s\", "
               "\"ended\": \"%s\", \"wall_s\": %.3f, \"status\": \"%s\", \"error\": ",
            SOMA_VERSION, rundir_git_revision(), seed, threads, started, ended, cli_now() - t0,
            rc == SOMA_OK ? "ok" : "failed");
    if (rc) fprintf(f, "\"see stderr\"");
    else fprintf(f, "null");
    fprintf(f, ",\n \"net\": ");
    soma_net_describe(net, f);
    fprintf(f, "}\n");
    if (rundir_commit(f, dir, "meta.json", err, sizeof err)) {
      fprintf(stderr, "soma demo: %s\n", err);
      rc = rc ? rc : SOMA_ERR_IO;
    }
  }
  if (rc == SOMA_OK)
    printf("COBA, %g ms: E %.2f Hz, I %.2f Hz, CV of ISI %.2f; simulated in %.3f s\nwrote %s/ "
           "(meta.json, results.json, E/I spikes, E.V_m.npy, demo.png)\n",
           soma_net_time(net), ste.rate_hz, sti.rate_hz, ste.cv_isi, sim_wall, dir);
  soma_net_destroy(net);
  return rc == SOMA_OK ? 0 : 1;
}
