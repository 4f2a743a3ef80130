/* bench.c — `soma bench NAME`: builds a standard network, simulates it, and reports speed,
 * activity and a hash of all spikes (one JSON object with --json). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/spike_hash.h"
#include "joint/spike_stats.h"
#include "nets/nets.h"
#include "sim/json.h"
#include "sim/param.h"

static const char *usage =
    "usage: soma bench NAME [options]\n"
    "\n"
    "Simulates a standard network and reports its speed and activity.\n"
    "NAME: coba (Brette et al. 2007 benchmark 1), cuba (benchmark 2),\n"
    "      brunel (NEST hpc_benchmark, static synapses; scale 1 = 11,250 neurons),\n"
    "      coba_stdp (COBA with pair STDP on E->E)\n"
    "\n"
    "options:\n"
    "  --time S      biological time to measure, seconds (default 1)\n"
    "  --threads N   OpenMP threads (default 1); spikes do not depend on it\n"
    "  --seed N      random seed (default 1)\n"
    "  --scale X     multiply the neuron counts (default 1)\n"
    "  --dt MS       time step (default 0.1)\n"
    "  --stepping M  auto (default: measure, use all threads only when it pays), parallel, serial\n"
    "  --json        print one JSON object instead of a table\n"
    "  -h, --help    this text\n";

int cmd_bench(int argc, char **argv) {
  static const char *const known[] = {"--time", "--threads", "--seed", "--scale", "--dt",
                                      "--stepping", "--json", "--help", NULL};
  const char *name = NULL;
  double time_s = 1, scale = 1, dt = 0.1;
  long threads = 1, seed = 1;
  int json = 0, parallel = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      return 0;
    } else if (!strcmp(a, "--json")) {
      json = 1;
    } else if (!strcmp(a, "--stepping")) {
      if (!(v = cli_value("bench", argc, argv, &i))) return 2;
      parallel = !strcmp(v, "auto") ? -1 : !strcmp(v, "parallel") ? 1 : !strcmp(v, "serial") ? 0 : -2;
      if (parallel == -2) {
        fprintf(stderr, "soma bench: --stepping: expected auto, parallel or serial, got '%s'\n", v);
        return 2;
      }
    } else if (!strcmp(a, "--time") || !strcmp(a, "--threads") || !strcmp(a, "--seed") ||
               !strcmp(a, "--scale") || !strcmp(a, "--dt")) {
      if (!(v = cli_value("bench", argc, argv, &i))) return 2;
      int rc = !strcmp(a, "--time")      ? cli_double("bench", a, v, 1e-4, 1e6, &time_s)
               : !strcmp(a, "--threads") ? cli_long("bench", a, v, 1, 1024, &threads)
               : !strcmp(a, "--seed")    ? cli_long("bench", a, v, 0, 4294967295L, &seed)
               : !strcmp(a, "--scale")   ? cli_double("bench", a, v, 1e-3, 1000, &scale)
                                         : cli_double("bench", a, v, 1e-3, 10, &dt);
      if (rc) return rc;
    } else if (a[0] == '-') {
      return cli_unknown("bench", a, known);
    } else if (!name) {
      name = a;
    } else {
      fprintf(stderr, "soma bench: one network at a time (got '%s' and '%s')\n", name, a);
      return 2;
    }
  }
  if (!name) {
    fputs(usage, stderr);
    return 2;
  }
  int found = 0, n_nets = 0;
  for (int k = 0; soma_nets_names[k]; k++) found |= !strcmp(name, soma_nets_names[k]), n_nets++;
  if (!found) {
    const char *guess = soma_closest_name(name, soma_nets_names, n_nets);
    char hint[96] = "";
    if (guess) snprintf(hint, sizeof hint, " (did you mean '%s'?)", guess);
    fprintf(stderr, "soma bench: unknown network '%s'%s; networks: coba, cuba, brunel, "
                    "coba_stdp\n", name, hint);
    return 2;
  }

  double t0 = cli_now();
  soma_net_config cfg = soma_net_defaults();
  cfg.threads = (int)threads;
  cfg.seed = (uint32_t)seed;
  cfg.dt = dt;
  cfg.parallel = parallel;
  char err[512];
  soma_net *net = soma_net_create(&cfg, err, sizeof err);
  if (!net) {
    fprintf(stderr, "soma bench: %s\n", err);
    return 1;
  }
  soma_bench_net b;
  int rc = soma_nets_build(net, name, scale, &b);
  double setup = cli_now() - t0, presim = 0;
  if (rc == SOMA_OK && b.presim_ms > 0) {
    double tp = cli_now();
    rc = soma_net_run(net, round(b.presim_ms / dt) * dt);
    presim = cli_now() - tp;
  }
  soma_rec *recs[2] = {NULL, NULL};
  if (rc == SOMA_OK) {
    recs[0] = soma_rec_spikes(net, b.exc, NULL, 0);
    recs[1] = soma_rec_spikes(net, b.inh, NULL, 0);
    if (!recs[0] || !recs[1]) rc = SOMA_ERR_NOMEM;
  }
  if (rc) {
    fprintf(stderr, "soma bench: %s\n", soma_net_errmsg(net));
    soma_net_destroy(net);
    return 1;
  }
  if (isatty(2) && !json) soma_net_set_progress(net, cli_progress, NULL);
  int64_t s0 = soma_net_steps(net);
  uint64_t ev0 = soma_net_event_count(net);
  int64_t par0 = soma_net_parallel_steps(net);
  double t1 = cli_now();
  rc = soma_net_run(net, round(time_s * 1000 / dt) * dt);
  double wall = cli_now() - t1;
  if (isatty(2) && !json) fputs("\r\033[K", stderr);
  if (rc) {
    fprintf(stderr, "soma bench: %s\n", soma_net_errmsg(net));
    soma_net_destroy(net);
    return 1;
  }
  int64_t s1 = soma_net_steps(net);
  uint64_t events = soma_net_event_count(net) - ev0;
  joint_spike_stats se, si;
  joint_spike_stats_compute(soma_rec_spike_count(recs[0]), soma_rec_spike_steps(recs[0]),
                            soma_rec_spike_ids(recs[0]), soma_pop_size(b.exc), dt, s0 + 1, s1 + 1, &se);
  joint_spike_stats_compute(soma_rec_spike_count(recs[1]), soma_rec_spike_steps(recs[1]),
                            soma_rec_spike_ids(recs[1]), soma_pop_size(b.inh), dt, s0 + 1, s1 + 1, &si);
  double cv = (se.cv_isi * se.cv_neurons + si.cv_isi * si.cv_neurons) /
              (se.cv_neurons + si.cv_neurons);
  char hash[65];
  spike_hash(recs, 2, hash);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  uint64_t syn = soma_net_synapse_count(net);
  int neurons = soma_pop_size(b.exc) + soma_pop_size(b.inh);
  double bio = (double)(s1 - s0) * dt * 1e-3;
  double bytes = syn ? (double)soma_net_synapse_bytes(net) / (double)syn : 0;
  if (json) {
    double sync = (se.sync_fano * soma_pop_size(b.exc) + si.sync_fano * soma_pop_size(b.inh)) / neurons;
    printf("{\"network\": \"%s\", \"scale\": %g, \"neurons\": %d, \"synapses\": %llu, "
           "\"bio_time_s\": %g, \"dt_ms\": %g, \"threads\": %ld, \"seed\": %ld, "
           "\"setup_wall_s\": %.6f, \"presim_s\": %g, \"presim_wall_s\": %.6f, \"sim_wall_s\": %.6f, "
           "\"wall_per_bio_s\": %.6f, \"spikes\": %zu, \"synaptic_events\": %llu, \"events_per_s\": %.6g, ",
           name, scale, neurons, (unsigned long long)syn, bio, dt, threads, seed, setup,
           b.presim_ms * 1e-3, presim, wall, wall / bio, se.spikes + si.spikes,
           (unsigned long long)events, events / wall);
    const char *keys[] = {"rate_exc_hz", "rate_inh_hz", "cv_isi", "sync_fano"};
    double vals[] = {se.rate_hz, si.rate_hz, cv, sync};
    for (int k = 0; k < 4; k++) {
      printf("\"%s\": ", keys[k]);
      soma_json_numf(stdout, "%.4f", vals[k]);
      printf(", ");
    }
    printf("\"parallel_fraction\": %.3f, ", (double)(soma_net_parallel_steps(net) - par0) / (double)(s1 - s0));
    printf("\"peak_rss_mb\": %.1f, \"bytes_per_synapse\": %.3f, \"spikes_sha256\": \"%s\", "
           "\"version\": \"%s\"}\n",
           (double)ru.ru_maxrss / 1024.0, bytes, hash, SOMA_VERSION);
  } else {
    printf("%s (%s)\n", name, b.reference);
    printf("  neurons %d, synapses %llu (%.2f bytes each), threads %ld, seed %ld\n", neurons,
           (unsigned long long)syn, bytes, threads, seed);
    printf("  construction %.3f s", setup);
    if (b.presim_ms > 0) printf(", %g ms unmeasured warm-up in %.3f s", b.presim_ms, presim);
    printf("; simulated %g s in %.3f s (%.4f s per biological second, %.1fx real time)\n", bio,
           wall, wall / bio, bio / wall);
    printf("  spikes %zu, synaptic events %llu (%.3g per second)\n", se.spikes + si.spikes,
           (unsigned long long)events, events / wall);
    printf("  rates: E %.2f Hz, I %.2f Hz; CV of ISI %.3f; population Fano %.2f (E) %.2f (I)\n",
           se.rate_hz, si.rate_hz, cv, se.sync_fano, si.sync_fano);
    printf("  peak memory %.1f MB; spikes sha256 %s\n", (double)ru.ru_maxrss / 1024.0, hash);
  }
  soma_net_destroy(net);
  return 0;
}
