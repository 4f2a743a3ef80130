/* export_net.c — writes soma's benchmark network (nets/nets.c) as raw arrays, so that the
 * Brian2 peer (brian2_bench.py --same-net) can simulate exactly the same connectivity from
 * exactly the same initial state. Linked against libsoma.a.
 *
 * usage: export_net NAME SEED SCALE OUTDIR [RUN_MS]
 * writes into OUTDIR: <pop>.<var>.f32 (initial value per neuron, float32) for each state
 * variable, <proj>.pre.i32 and <proj>.post.i32 (population-local indices, int32) for each
 * projection (E->E is written as E-E), and index.txt: "pop NAME MODEL N" and
 * "proj NAME PRE POST N" lines. With RUN_MS it then simulates the network for RUN_MS ms and
 * writes its spikes as spikes.stamp.i64 (step stamps: time = stamp * dt) and spikes.gid.i64
 * (global ids: E first, then I), sorted by stamp then id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nets/nets.h"

static int write_raw(const char *dir, const char *name, const void *data, size_t size, size_t n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, size, n, f) != n || fclose(f)) {
    perror(path);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) {
    fprintf(stderr, "usage: export_net NAME SEED SCALE OUTDIR [RUN_MS]\n");
    return 2;
  }
  const char *dir = argv[4];
  char err[512];
  soma_net_config cfg = soma_net_defaults();
  cfg.seed = (uint32_t)strtoul(argv[2], NULL, 10);
  soma_net *net = soma_net_create(&cfg, err, sizeof err);
  soma_bench_net b;
  if (!net) return fprintf(stderr, "export_net: %s\n", err), 1;
  if (soma_nets_build(net, argv[1], atof(argv[3]), &b)) {
    fprintf(stderr, "export_net: %s\n", soma_net_errmsg(net));
    return 1;
  }
  char path[4096], name[256];
  snprintf(path, sizeof path, "%s/index.txt", dir);
  FILE *idx = fopen(path, "w");
  if (!idx) return perror(path), 1;
  static const char *const vars[] = {"V_m", "g_ex", "g_in", "I_syn_ex", "I_syn_in", NULL};
  for (int p = 0; p < soma_net_pop_count(net); p++) {
    soma_pop *pop = soma_net_pop(net, p);
    int n = soma_pop_size(pop);
    fprintf(idx, "pop %s %s %d\n", soma_pop_name(pop), soma_pop_model(pop), n);
    double *v = malloc(sizeof(double) * (size_t)n);
    float *f = malloc(sizeof(float) * (size_t)n);
    if (!v || !f) return fprintf(stderr, "export_net: out of memory\n"), 1;
    for (int k = 0; vars[k]; k++) {
      if (!soma_pop_var_data(pop, vars[k])) continue;
      soma_pop_get_var(pop, vars[k], v, n);
      for (int i = 0; i < n; i++) f[i] = (float)v[i];
      snprintf(name, sizeof name, "%s.%s.f32", soma_pop_name(pop), vars[k]);
      if (write_raw(dir, name, f, sizeof(float), (size_t)n)) return 1;
    }
    free(v);
    free(f);
  }
  for (int j = 0; j < soma_net_proj_count(net); j++) {
    soma_proj *pr = soma_net_proj(net, j);
    size_t n = soma_proj_size(pr);
    int32_t *pre = malloc(sizeof(int32_t) * (n ? n : 1)), *post = malloc(sizeof(int32_t) * (n ? n : 1));
    if (!pre || !post) return fprintf(stderr, "export_net: out of memory\n"), 1;
    soma_proj_get(pr, pre, post, NULL, NULL);
    char pname[128];
    snprintf(pname, sizeof pname, "%s", soma_proj_name(pr));
    for (char *c = pname; *c; c++)
      if (*c == '>' || *c == '/') *c = '-';
    char *dash = strstr(pname, "--");
    if (dash) memmove(dash, dash + 1, strlen(dash));
    fprintf(idx, "proj %s %s %s %zu\n", pname, soma_pop_name(soma_proj_pre(pr)),
            soma_pop_name(soma_proj_post(pr)), n);
    snprintf(name, sizeof name, "%s.pre.i32", pname);
    if (write_raw(dir, name, pre, sizeof(int32_t), n)) return 1;
    snprintf(name, sizeof name, "%s.post.i32", pname);
    if (write_raw(dir, name, post, sizeof(int32_t), n)) return 1;
    free(pre);
    free(post);
  }
  fclose(idx);
  if (argc == 6) {
    soma_rec *re = soma_rec_spikes(net, b.exc, NULL, 0), *ri = soma_rec_spikes(net, b.inh, NULL, 0);
    double ms = atof(argv[5]);
    if (!re || !ri || soma_net_run(net, ms)) {
      fprintf(stderr, "export_net: %s\n", soma_net_errmsg(net));
      return 1;
    }
    size_t ne = soma_rec_spike_count(re), ni = soma_rec_spike_count(ri), n = ne + ni, a = 0, c = 0;
    int64_t *st = malloc(sizeof(int64_t) * (n ? n : 1)), *gid = malloc(sizeof(int64_t) * (n ? n : 1));
    if (!st || !gid) return fprintf(stderr, "export_net: out of memory\n"), 1;
    const int64_t *se = soma_rec_spike_steps(re), *si = soma_rec_spike_steps(ri);
    const int32_t *ie = soma_rec_spike_ids(re), *ii = soma_rec_spike_ids(ri);
    int64_t g0 = soma_pop_first_id(b.exc), g1 = soma_pop_first_id(b.inh);
    for (size_t k = 0; k < n; k++) {   /* merge: E ids come before I ids within a step */
      int take_e = c >= ni || (a < ne && se[a] <= si[c]);
      st[k] = take_e ? se[a] : si[c];
      gid[k] = take_e ? g0 + ie[a++] : g1 + ii[c++];
    }
    if (write_raw(dir, "spikes.stamp.i64", st, sizeof(int64_t), n) ||
        write_raw(dir, "spikes.gid.i64", gid, sizeof(int64_t), n))
      return 1;
    free(st);
    free(gid);
  }
  soma_net_destroy(net);
  return 0;
}
