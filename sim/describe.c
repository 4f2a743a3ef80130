/* describe.c — the network as a JSON object: what a run directory's meta.json records about
 * the model (dt, seed, populations with parameters, projections, recordings). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "json.h"

static void json_dist(FILE *f, const soma_dist *d) {
  char buf[160];
  soma_json_str(f, soma_dist_format(d, buf, sizeof buf));
}

static const char *rule_name(soma_conn_rule r) {
  static const char *names[] = {"all_to_all", "one_to_one", "bernoulli", "fixed_indegree",
                                "fixed_outdegree", "list"};
  return (unsigned)r < 6 ? names[r] : "?";
}

void soma_net_describe(const soma_net *net, FILE *f) {
  fprintf(f, "{\"dt_ms\": ");
  soma_json_num(f, net->dt);
  fprintf(f, ", \"seed\": %u, \"threads\": %d, \"time_ms\": ", net->seed, net->threads);
  soma_json_num(f, soma_net_time(net));
  fprintf(f, ", \"neurons\": %lld, \"synapses\": %llu,\n \"populations\": [",
          (long long)net->n_neurons, (unsigned long long)soma_net_synapse_count(net));
  for (int i = 0; i < net->n_pops; i++) {
    const soma_pop *p = net->pops[i];
    fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
    soma_json_str(f, p->name);
    fprintf(f, ", \"model\": ");
    soma_json_str(f, p->model->name);
    fprintf(f, ", \"size\": %d, \"first_id\": %lld, \"spikes\": %llu, \"params\": {", p->n,
            (long long)p->gid0, (unsigned long long)p->n_spikes);
    for (int k = 0; k < p->model->n_params; k++) {
      fprintf(f, "%s", k ? ", " : "");
      soma_json_str(f, p->model->params[k].name);
      fputs(": ", f);
      soma_json_num(f, p->params[k]);
    }
    fprintf(f, "}, \"units\": {");
    for (int k = 0; k < p->model->n_params; k++) {
      fprintf(f, "%s", k ? ", " : "");
      soma_json_str(f, p->model->params[k].name);
      fputs(": ", f);
      soma_json_str(f, p->model->params[k].unit);
    }
    fprintf(f, "}}");
  }
  fprintf(f, "],\n \"projections\": [");
  for (int i = 0; i < net->n_projs; i++) {
    const soma_proj *p = net->projs[i];
    fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
    soma_json_str(f, p->name);
    fprintf(f, ", \"pre\": ");
    soma_json_str(f, p->pre->name);
    fprintf(f, ", \"post\": ");
    soma_json_str(f, p->post->name);
    fprintf(f, ", \"port\": ");
    soma_json_str(f, p->post->model->ports[p->port].name);
    fprintf(f, ", \"rule\": \"%s\", \"p\": ", rule_name(p->rule));
    soma_json_num(f, p->p);
    fprintf(f, ", \"k\": %d, \"autapses\": %s, \"multapses\": %s, \"weight\": ", p->k,
            p->autapses ? "true" : "false", p->multapses ? "true" : "false");
    if (p->weights_set) soma_json_str(f, "per synapse (a list, or set by the script)");
    else json_dist(f, &p->weight_dist);
    fprintf(f, ", \"weight_unit\": ");
    soma_json_str(f, p->post->model->ports[p->port].unit);
    fprintf(f, ", \"delay_ms\": ");
    if (p->delays_listed) soma_json_str(f, "per synapse (a list)");
    else json_dist(f, &p->delay_dist);
    fprintf(f, ", \"synapses\": %zu, \"plasticity\": ", p->n_syn);
    if (soma_proj_rule(p)) soma_json_str(f, soma_proj_rule(p));
    else fputs("null", f);
    fputc('}', f);
  }
  fprintf(f, "],\n \"modulators\": [");
  for (int i = 0; i < soma_net_mod_count(net); i++) {
    const soma_mod *m = soma_net_mod(net, i);
    fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
    soma_json_str(f, soma_mod_name(m));
    fprintf(f, ", \"tonic\": ");
    soma_json_num(f, soma_mod_tonic(m));
    fprintf(f, ", \"tau_ms\": ");
    soma_json_num(f, soma_mod_tau(m));
    fprintf(f, ", \"value\": ");
    soma_json_num(f, soma_mod_value(m));
    fputc('}', f);
  }
  fprintf(f, "],\n \"recordings\": [");
  for (int i = 0; i < net->n_recs; i++) {
    const soma_rec *r = net->recs[i];
    fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
    soma_json_str(f, r->name);
    fprintf(f, ", \"population\": ");
    soma_json_str(f, r->pop->name);
    if (r->is_spikes) {
      fprintf(f, ", \"kind\": \"spikes\", \"files\": [\"%s.spike_t.npy\", \"%s.spike_i.npy\"], "
                 "\"time_unit\": \"ms\", \"spikes\": %zu",
              r->pop->name, r->pop->name, r->n + r->streamed);
    } else {
      fprintf(f, ", \"kind\": \"state\", \"variable\": ");
      soma_json_str(f, r->pop->model->vars[r->var].name);
      fprintf(f, ", \"unit\": ");
      soma_json_str(f, r->pop->model->vars[r->var].unit);
      fprintf(f, ", \"file\": \"%s.npy\", \"t0_ms\": ", r->name);
      soma_json_num(f, soma_rec_t0(r));
      fprintf(f, ", \"interval_ms\": ");
      soma_json_num(f, soma_rec_interval(r));
      fprintf(f, ", \"samples\": %zu, \"ids\": [", r->samples + r->streamed);
      for (int k = 0; k < r->n_ids; k++) fprintf(f, "%s%d", k ? ", " : "", r->ids[k]);
      fprintf(f, "]");
    }
    fprintf(f, "}");
  }
  fprintf(f, "]}");
}

int soma_net_write(soma_net *net, const char *dir) {
  for (int i = 0; i < net->n_recs; i++) {
    int rc = soma_rec_write(net->recs[i], dir);
    if (rc) return rc;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/meta.json", dir);
  FILE *f = fopen(path, "w");
  if (!f) return soma_net_fail(net, SOMA_ERR_IO, "cannot create %s: %s", path, strerror(errno));
  fprintf(f, "{\"soma_version\": \"%s\", \"net\": ", SOMA_VERSION);
  soma_net_describe(net, f);
  fprintf(f, "}\n");
  if (fclose(f) != 0) return soma_net_fail(net, SOMA_ERR_IO, "cannot write %s: %s", path, strerror(errno));
  return SOMA_OK;
}
