/* test_errors.c — a catalogue of bad input through the C API. Each entry makes one bad call
 * on a fresh network and states what must come back: a negative code (NULL for constructors)
 * and a message naming the object, the parameter, the bound and the fix. Every failed call
 * must leave the network as it was: its JSON description, counters and clock are compared
 * before and after, and the whole catalogue is applied to one network whose run is then
 * compared spike for spike with a network that saw none of it. Then the run-time checks:
 * runaway firing (SOMA_ERR_RUNAWAY) and diverging state (SOMA_ERR_NUMERIC). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "harness.h"
#include "sim/soma.h"

#define CTOR_NULL 100  /* expected "code" of a constructor that must return NULL */

/* ---- the fixture: a small network with one of everything, 1 ms into its run ----------- */

typedef struct fx {
  soma_net *net, *other;
  soma_pop *exc, *cond, *src, *pois, *izh, *foreign;
  soma_rec *spk, *vm;
  char cfg_err[256];   /* messages of soma_net_create, which has no network to hold them */
  int use_cfg_err;
} fx;

static soma_net *make_net(double dt, uint32_t seed) {
  soma_net_config c = soma_net_defaults();
  c.dt = dt;
  c.seed = seed;
  c.max_delay = 20;
  return tf_net(c);
}

static int fx_init(fx *f) {
  memset(f, 0, sizeof *f);
  f->net = make_net(0.1, 7);
  f->other = make_net(0.1, 7);
  if (!f->net || !f->other) return 0;
  soma_net *n = f->net;
  f->exc = soma_pop_create(n, "exc", "lif", 10, NULL);
  f->cond = soma_pop_create(n, "cond", "lif_cond", 10, NULL);
  f->src = soma_pop_create(n, "src", "spike_source", 4, NULL);
  f->pois = soma_pop_create(n, "pois", "poisson", 5, (soma_param[]){{"rate", 50}, {NULL, 0}});
  f->izh = soma_pop_create(n, "izh", "izhikevich", 3, (soma_param[]){{"I_e", 6}, {NULL, 0}});
  f->foreign = soma_pop_create(f->other, "o", "lif", 10, NULL);
  if (!f->exc || !f->cond || !f->src || !f->pois || !f->izh || !f->foreign) return 0;
  soma_conn c = soma_conn_rule_bernoulli(0.3);
  c.weight = soma_dist_const(20);
  c.delay = soma_dist_const(1.5);
  if (!soma_proj_create(n, "exc->exc", f->exc, f->exc, &c)) return 0;
  soma_conn a = soma_conn_defaults();
  a.weight = soma_dist_const(300);
  if (!soma_proj_create(n, "src->exc", f->src, f->exc, &a)) return 0;
  soma_conn pc = soma_conn_defaults();
  pc.weight = soma_dist_const(2);
  if (!soma_proj_create(n, "pois->cond", f->pois, f->cond, &pc)) return 0;
  if (soma_pop_poisson_input(f->exc, "ex", 9000, 30) != SOMA_OK) return 0;
  int32_t ids[] = {0, 1, 2, 3, 0};
  double times[] = {2.0, 3.0, 4.5, 6.0, 8.0};
  if (soma_pop_add_spikes(f->src, 5, ids, times) != SOMA_OK) return 0;
  double st[] = {5.0, 10.0}, sv[] = {200.0, 0.0};
  if (soma_pop_schedule(f->exc, "I_e", 2, st, sv) != SOMA_OK) return 0;
  f->spk = soma_rec_spikes(n, f->exc, NULL, 0);
  f->vm = soma_rec_state(n, f->exc, "V_m", NULL, 0, 0.5);
  if (!f->spk || !f->vm) return 0;
  return soma_net_run(n, 1.0) == SOMA_OK;
}

static void fx_free(fx *f) {
  soma_net_destroy(f->net);
  soma_net_destroy(f->other);
}

/* everything a caller can observe about a network, as one string */
static char *snapshot(const soma_net *net) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  soma_net_describe(net, m);
  fprintf(m, "\nsteps %lld time %.17g spikes %llu events %llu synapses %llu bytes %zu",
          (long long)soma_net_steps(net), soma_net_time(net),
          (unsigned long long)soma_net_spike_count(net), (unsigned long long)soma_net_event_count(net),
          (unsigned long long)soma_net_synapse_count(net), soma_net_synapse_bytes(net));
  for (int i = 0; i < soma_net_pop_count(net); i++) {
    const soma_pop *p = soma_net_pop(net, i);
    fprintf(m, "\npop %s n %d", soma_pop_name(p), soma_pop_size(p));
    static const char *vars[] = {"V_m", "I_e", "rate", "U_m", "g_ex", "I_syn_ex"};
    for (int v = 0; v < 6; v++) {
      const float *d = soma_pop_var_data(p, vars[v]);
      for (int k = 0; d && k < soma_pop_size(p); k++) fprintf(m, " %a", (double)d[k]);
    }
  }
  for (int i = 0; i < soma_net_rec_count(net); i++) {
    const soma_rec *r = soma_net_rec(net, i);
    fprintf(m, "\nrec %s %zu %zu", soma_rec_name(r), soma_rec_spike_count(r), soma_rec_samples(r));
  }
  fclose(m);
  return buf;
}

/* where two snapshots first differ: up to 60 characters before, the rest of that line */
static void first_difference(const char *x, const char *y, char *bx, char *by, size_t n) {
  const char *lx = x, *ly = y;
  while (*x && *x == *y) {
    if (*x == '\n') lx = x + 1, ly = y + 1;
    x++, y++;
  }
  size_t back = (size_t)(x - lx) > 60 ? 60 : (size_t)(x - lx);
  lx = x - back;
  ly = y - back;
  size_t kx = strcspn(lx, "\n"), ky = strcspn(ly, "\n");
  snprintf(bx, n, "...%.*s", (int)(kx < n - 4 ? kx : n - 4), lx);
  snprintf(by, n, "...%.*s", (int)(ky < n - 4 ? ky : n - 4), ly);
}

/* ---- the catalogue --------------------------------------------------------------------- */

#define BAD(fn) static int fn(fx *f)
#define CTOR(expr) ((expr) ? 0 : CTOR_NULL)

static int bad_config(fx *f, soma_net_config c) {
  f->use_cfg_err = 1;
  soma_net *n = soma_net_create(&c, f->cfg_err, sizeof f->cfg_err);
  if (n) {
    soma_net_destroy(n);
    return 0;
  }
  /* and without a buffer for the message: still NULL, no crash */
  if (soma_net_create(&c, NULL, 0) != NULL) return 0;
  return CTOR_NULL;
}
BAD(cfg_dt_zero) { soma_net_config c = soma_net_defaults(); c.dt = 0; return bad_config(f, c); }
BAD(cfg_dt_negative) { soma_net_config c = soma_net_defaults(); c.dt = -0.1; return bad_config(f, c); }
BAD(cfg_dt_nan) { soma_net_config c = soma_net_defaults(); c.dt = NAN; return bad_config(f, c); }
/* found by tests/fuzz/params.c: with dt = 1e-300, step counts overflowed every integer */
BAD(cfg_chunk_huge) { soma_net_config c = soma_net_defaults(); c.chunk = 1e300; return bad_config(f, c); }
BAD(cfg_dt_tiny) { soma_net_config c = soma_net_defaults(); c.dt = 1e-300; return bad_config(f, c); }
BAD(cfg_threads_zero) { soma_net_config c = soma_net_defaults(); c.threads = 0; return bad_config(f, c); }
BAD(cfg_threads_negative) { soma_net_config c = soma_net_defaults(); c.threads = -3; return bad_config(f, c); }
BAD(cfg_max_delay_below_dt) { soma_net_config c = soma_net_defaults(); c.max_delay = 0.05; return bad_config(f, c); }
BAD(cfg_chunk_below_dt) { soma_net_config c = soma_net_defaults(); c.chunk = 0.01; return bad_config(f, c); }

/* populations */
BAD(model_misspelled) { return CTOR(soma_pop_create(f->net, "p", "lif_con", 3, NULL)); }
BAD(model_unknown) { return CTOR(soma_pop_create(f->net, "p", "hodgkin_huxley_xyz", 3, NULL)); }
BAD(model_null) { return CTOR(soma_pop_create(f->net, "p", NULL, 3, NULL)); }
BAD(param_misspelled) {
  return CTOR(soma_pop_create(f->net, "p", "lif", 3, (soma_param[]){{"tua_m", 20}, {NULL, 0}}));
}
BAD(param_negative_tau) {
  return CTOR(soma_pop_create(f->net, "p", "lif", 3, (soma_param[]){{"tau_m", -20}, {NULL, 0}}));
}
BAD(param_zero_tau_syn) {
  return CTOR(soma_pop_create(f->net, "p", "lif_cond", 3, (soma_param[]){{"tau_syn_ex", 0}, {NULL, 0}}));
}
BAD(param_nan) {
  return CTOR(soma_pop_create(f->net, "p", "lif", 3, (soma_param[]){{"C_m", NAN}, {NULL, 0}}));
}
BAD(param_negative_t_ref) {
  return CTOR(soma_pop_create(f->net, "p", "adex", 3, (soma_param[]){{"t_ref", -1}, {NULL, 0}}));
}
BAD(param_reset_above_threshold) {
  return CTOR(soma_pop_create(f->net, "p", "lif", 3,
                              (soma_param[]){{"V_reset", -50}, {"V_th", -55}, {NULL, 0}}));
}
BAD(param_reset_equals_threshold) {
  return CTOR(soma_pop_create(f->net, "p", "lif_cond", 3,
                              (soma_param[]){{"V_reset", -55}, {"V_th", -55}, {NULL, 0}}));
}
BAD(param_izh_c_above_peak) {
  return CTOR(soma_pop_create(f->net, "p", "izhikevich", 3, (soma_param[]){{"c", 40}, {NULL, 0}}));
}
BAD(initial_value_inf) {
  return CTOR(soma_pop_create(f->net, "p", "lif", 3, (soma_param[]){{"V_m", INFINITY}, {NULL, 0}}));
}
BAD(poisson_negative_rate) {
  return CTOR(soma_pop_create(f->net, "p", "poisson", 3, (soma_param[]){{"rate", -5}, {NULL, 0}}));
}
BAD(pop_name_empty) { return CTOR(soma_pop_create(f->net, "", "lif", 3, NULL)); }
BAD(pop_name_null) { return CTOR(soma_pop_create(f->net, NULL, "lif", 3, NULL)); }
BAD(pop_name_space) { return CTOR(soma_pop_create(f->net, "my pop", "lif", 3, NULL)); }
BAD(pop_name_slash) { return CTOR(soma_pop_create(f->net, "a/b", "lif", 3, NULL)); }
BAD(pop_name_too_long) {
  char name[100];
  memset(name, 'x', 80);
  name[80] = 0;
  return CTOR(soma_pop_create(f->net, name, "lif", 3, NULL));
}
BAD(pop_name_duplicate) { return CTOR(soma_pop_create(f->net, "exc", "lif_cond", 3, NULL)); }
BAD(pop_size_zero) { return CTOR(soma_pop_create(f->net, "p", "lif", 0, NULL)); }
BAD(pop_size_negative) { return CTOR(soma_pop_create(f->net, "p", "lif", -5, NULL)); }

/* projections */
static soma_conn bern(double p) { return soma_conn_rule_bernoulli(p); }
BAD(proj_p_above_one) { soma_conn c = bern(1.5); return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c)); }
BAD(proj_p_negative) { soma_conn c = bern(-0.1); return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c)); }
BAD(proj_p_nan) { soma_conn c = bern(NAN); return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c)); }
BAD(proj_negative_conductance) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_const(-1);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->cond, &c));
}
BAD(proj_negative_conductance_in) {
  soma_conn c = soma_conn_defaults();
  c.port = "in";
  c.weight = soma_dist_const(-1);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->cond, &c));
}
BAD(proj_positive_on_lif_in) {
  soma_conn c = soma_conn_defaults();
  c.port = "in";
  c.weight = soma_dist_const(5);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_negative_on_lif_ex) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_const(-5);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_unknown_port) {
  soma_conn c = soma_conn_defaults();
  c.port = "inh";
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_into_source) { return CTOR(soma_proj_create(f->net, "x", f->exc, f->src, NULL)); }
BAD(proj_delay_below_dt) {
  soma_conn c = soma_conn_defaults();
  c.delay = soma_dist_const(0.05);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_delay_above_max) {
  soma_conn c = soma_conn_defaults();
  c.delay = soma_dist_const(25);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_delay_dist_unbounded) {
  soma_conn c = soma_conn_defaults();
  c.delay = soma_dist_normal(2, 0.5);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_normal_weight_unbounded) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_normal(20, 5);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_normal_conductance_unbounded) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_normal(2, 1);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->cond, &c));
}
BAD(proj_weight_nan) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_const(NAN);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_weight_bad_dist) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_uniform(5, 1);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
/* a weight that is a finite double but no float: the synapse would hold inf */
BAD(proj_weight_beyond_float) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_const(1e39);
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_one_to_one_unequal) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ONE_TO_ONE;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_one_to_one_self_no_autapses) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_ONE_TO_ONE;
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_indegree_too_large) {
  soma_conn c = soma_conn_rule_fixed_indegree(12);
  c.multapses = 0;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_outdegree_too_large_self) {
  soma_conn c = soma_conn_rule_fixed_outdegree(10);   /* 9 targets without the autapse */
  c.multapses = 0;
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_indegree_negative) {
  soma_conn c = soma_conn_rule_fixed_indegree(-1);
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_list_post_out_of_range) {
  int32_t pre[] = {0, 1}, post[] = {0, 12};
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 2;
  c.pre_ids = pre;
  c.post_ids = post;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_list_pre_negative) {
  int32_t pre[] = {-1}, post[] = {0};
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 1;
  c.pre_ids = pre;
  c.post_ids = post;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_list_missing_ids) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 3;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_list_bad_weight) {
  int32_t pre[] = {0, 1}, post[] = {0, 1};
  double w[] = {1, -2};
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 2;
  c.pre_ids = pre;
  c.post_ids = post;
  c.weights = w;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_list_infinite_weight) {
  int32_t pre[] = {0, 1}, post[] = {0, 1};
  double w[] = {1, INFINITY};
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 2;
  c.pre_ids = pre;
  c.post_ids = post;
  c.weights = w;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_list_bad_delay) {
  int32_t pre[] = {0, 1}, post[] = {0, 1};
  double d[] = {1, 0.01};
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 2;
  c.pre_ids = pre;
  c.post_ids = post;
  c.delays = d;
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(proj_list_autapse) {
  int32_t pre[] = {3}, post[] = {3};
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_LIST;
  c.n = 1;
  c.pre_ids = pre;
  c.post_ids = post;
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}
BAD(proj_foreign_pre) { return CTOR(soma_proj_create(f->net, "x", f->foreign, f->exc, NULL)); }
BAD(proj_foreign_post) { return CTOR(soma_proj_create(f->net, "x", f->exc, f->foreign, NULL)); }
BAD(proj_null_pop) { return CTOR(soma_proj_create(f->net, "x", NULL, f->exc, NULL)); }
BAD(proj_duplicate_name) { return CTOR(soma_proj_create(f->net, "exc->exc", f->exc, f->exc, NULL)); }
BAD(proj_name_empty) { return CTOR(soma_proj_create(f->net, "", f->exc, f->exc, NULL)); }
BAD(proj_unknown_rule) {
  soma_conn c = soma_conn_defaults();
  c.rule = (soma_conn_rule)42;
  return CTOR(soma_proj_create(f->net, "x", f->exc, f->exc, &c));
}

/* running */
BAD(run_not_multiple) { return soma_net_run(f->net, 0.15); }
BAD(run_negative) { return soma_net_run(f->net, -1); }
BAD(run_nan) { return soma_net_run(f->net, NAN); }
BAD(run_inf) { return soma_net_run(f->net, INFINITY); }
BAD(run_huge) { return soma_net_run(f->net, 1e300); }

/* recorders */
BAD(rec_unknown_var) { return CTOR(soma_rec_state(f->net, f->exc, "V", NULL, 0, 1.0)); }
BAD(rec_var_of_source) { return CTOR(soma_rec_state(f->net, f->src, "V_m", NULL, 0, 1.0)); }
BAD(rec_interval_not_multiple) { return CTOR(soma_rec_state(f->net, f->exc, "I_syn_ex", NULL, 0, 0.25)); }
BAD(rec_interval_zero) { return CTOR(soma_rec_state(f->net, f->exc, "I_syn_ex", NULL, 0, 0)); }
BAD(rec_interval_huge) { return CTOR(soma_rec_state(f->net, f->exc, "I_syn_ex", NULL, 0, 1e300)); }
BAD(rec_interval_negative) { return CTOR(soma_rec_state(f->net, f->exc, "I_syn_ex", NULL, 0, -1)); }
BAD(rec_state_ids_out_of_range) {
  int32_t ids[] = {0, 10};
  return CTOR(soma_rec_state(f->net, f->exc, "I_syn_ex", ids, 2, 1.0));
}
BAD(rec_spike_ids_negative) {
  int32_t ids[] = {2, -1};
  return CTOR(soma_rec_spikes(f->net, f->cond, ids, 2));
}
BAD(rec_ids_empty) {
  int32_t ids[] = {0};
  return CTOR(soma_rec_spikes(f->net, f->cond, ids, 0));
}
BAD(rec_spikes_twice) { return CTOR(soma_rec_spikes(f->net, f->exc, NULL, 0)); }
BAD(rec_state_twice) {
  int32_t ids[] = {1};
  return CTOR(soma_rec_state(f->net, f->exc, "V_m", ids, 1, 1.0));
}
BAD(rec_foreign_pop) { return CTOR(soma_rec_spikes(f->net, f->foreign, NULL, 0)); }
BAD(rec_state_foreign_pop) { return CTOR(soma_rec_state(f->net, f->foreign, "V_m", NULL, 0, 1.0)); }
BAD(rec_stream_unwritable) { return soma_rec_stream(f->spk, "/nonexistent-soma-dir/sub"); }
BAD(rec_write_unwritable) { return soma_rec_write(f->vm, "/nonexistent-soma-dir/sub"); }

/* spike sources (the fixture is at t = 1 ms) */
BAD(spikes_in_past) {
  int32_t id = 0;
  double t = 0.5;
  return soma_pop_add_spikes(f->src, 1, &id, &t);
}
/* found by tests/fuzz/lua.c: -1e308 ms overflowed the step number */
BAD(spikes_far_in_past) {
  int32_t id = 0;
  double t = -1e308;
  return soma_pop_add_spikes(f->src, 1, &id, &t);
}
BAD(schedule_far_in_past) {
  double t = -1e308, v = 1;
  return soma_pop_schedule(f->exc, "I_e", 1, &t, &v);
}
BAD(spikes_at_now) {
  int32_t id = 2;
  double t = 1.0;
  return soma_pop_add_spikes(f->src, 1, &id, &t);
}
BAD(spikes_two_in_one_step) {
  int32_t ids[] = {1, 2, 1};
  double t[] = {7.0, 7.0, 7.0};
  return soma_pop_add_spikes(f->src, 3, ids, t);
}
BAD(spikes_two_in_one_step_rounded) {
  int32_t ids[] = {1, 1};
  double t[] = {7.0, 7.04};
  return soma_pop_add_spikes(f->src, 2, ids, t);
}
BAD(spikes_clash_with_earlier_call) {
  int32_t ids[] = {2, 1};   /* neuron 1 already fires at 3 ms */
  double t[] = {9.0, 3.0};
  return soma_pop_add_spikes(f->src, 2, ids, t);
}
BAD(spikes_wrong_model) {
  int32_t id = 0;
  double t = 5;
  return soma_pop_add_spikes(f->exc, 1, &id, &t);
}
BAD(spikes_to_poisson) {
  int32_t id = 0;
  double t = 5;
  return soma_pop_add_spikes(f->pois, 1, &id, &t);
}
BAD(spikes_id_out_of_range) {
  int32_t ids[] = {0, 4};
  double t[] = {5, 5};
  return soma_pop_add_spikes(f->src, 2, ids, t);
}
BAD(spikes_time_nan) {
  int32_t ids[] = {0, 1};
  double t[] = {5, NAN};
  return soma_pop_add_spikes(f->src, 2, ids, t);
}
BAD(spikes_time_huge) {
  int32_t id = 1;
  double t = 1e300;
  return soma_pop_add_spikes(f->src, 1, &id, &t);
}
BAD(spikes_null_arrays) { return soma_pop_add_spikes(f->src, 2, NULL, NULL); }

/* schedules */
BAD(sched_decreasing) {
  double t[] = {5, 3}, v[] = {100, 0};
  return soma_pop_schedule(f->exc, "I_e", 2, t, v);
}
BAD(sched_repeated_step) {
  double t[] = {5, 5.01}, v[] = {100, 0};
  return soma_pop_schedule(f->exc, "I_e", 2, t, v);
}
BAD(sched_past) {
  double t[] = {0.5, 3}, v[] = {100, 0};
  return soma_pop_schedule(f->exc, "I_e", 2, t, v);
}
BAD(sched_unknown_var) {
  double t[] = {5}, v[] = {100};
  return soma_pop_schedule(f->exc, "I_ext", 1, t, v);
}
BAD(sched_negative_rate) {
  double t[] = {5, 6}, v[] = {10, -5};
  return soma_pop_schedule(f->pois, "rate", 2, t, v);
}
BAD(sched_nan_value) {
  double t[] = {5}, v[] = {NAN};
  return soma_pop_schedule(f->exc, "I_e", 1, t, v);
}
BAD(sched_inf_time) {
  double t[] = {5, INFINITY}, v[] = {1, 2};
  return soma_pop_schedule(f->exc, "I_e", 2, t, v);
}
BAD(sched_null_arrays) { return soma_pop_schedule(f->exc, "I_e", 2, NULL, NULL); }

/* setters */
BAD(set_negative_tau) { return soma_pop_set(f->exc, "tau_m", -5); }
BAD(set_reset_above_threshold) { return soma_pop_set(f->exc, "V_reset", -50); }
BAD(set_threshold_below_reset) { return soma_pop_set(f->exc, "V_th", -75); }
BAD(set_misspelled) { return soma_pop_set(f->exc, "tua_m", 20); }
BAD(set_nan_state) { return soma_pop_set(f->exc, "V_m", NAN); }
BAD(set_state_beyond_float) { return soma_pop_set(f->exc, "I_e", 1e39); }
BAD(set_negative_rate) { return soma_pop_set(f->pois, "rate", -1); }
BAD(get_unknown_param) {
  double v;
  return soma_pop_get_param(f->exc, "tau", &v);
}
BAD(set_var_wrong_count) {
  double v[3] = {1, 2, 3};
  return soma_pop_set_var(f->exc, "I_e", v, 3);
}
BAD(set_var_nan_at_neuron) {
  double v[10] = {1, 2, 3, 4, 5, 6, NAN, 8, 9, 10};
  return soma_pop_set_var(f->exc, "I_e", v, 10);
}
BAD(set_var_unknown) {
  double v[10] = {0};
  return soma_pop_set_var(f->exc, "V_n", v, 10);
}
BAD(set_var_dist_unbounded_rate) {
  soma_dist d = soma_dist_normal(10, 5);
  return soma_pop_set_var_dist(f->pois, "rate", &d);
}
BAD(get_var_short_buffer) {
  double v[3];
  return soma_pop_get_var(f->exc, "V_m", v, 3);
}
BAD(max_rate_negative) { return soma_pop_set_max_rate(f->exc, -1); }
BAD(max_rate_nan) { return soma_pop_set_max_rate(f->exc, NAN); }
BAD(pinput_unknown_port) { return soma_pop_poisson_input(f->exc, "exc", 100, 1); }
BAD(pinput_negative_rate) { return soma_pop_poisson_input(f->exc, "ex", -100, 1); }
/* found by tests/fuzz/params.c: 1e300 Hz hung GSL's Poisson sampler (its count overflows) */
BAD(pinput_huge_rate) { return soma_pop_poisson_input(f->exc, "ex", 1e300, 1); }
BAD(pinput_weight_beyond_float) { return soma_pop_poisson_input(f->exc, "ex", 100, 1e39); }
/* found by tests/fuzz/params.c: bounds that keep almost nothing made every synapse redraw
 * 10000 times (and then get NaN) */
BAD(proj_weight_bounds_keep_nothing) {
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_clip(soma_dist_normal(0, 1), 10, 11);
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(pop_var_bounds_keep_nothing) {
  soma_dist d = soma_dist_clip(soma_dist_exponential(1), 50, INFINITY);
  return soma_pop_set_var_dist(f->exc, "V_m", &d);
}
BAD(proj_delay_lognormal_point_outside) {
  soma_conn c = soma_conn_defaults();
  c.delay = soma_dist_clip(soma_dist_lognormal(3, 0), 0.1, 2);   /* always e^3 = 20.1 ms */
  return CTOR(soma_proj_create(f->net, "x", f->src, f->exc, &c));
}
BAD(pinput_wrong_sign) { return soma_pop_poisson_input(f->cond, "in", 100, -1); }
BAD(pinput_into_source) { return soma_pop_poisson_input(f->src, "ex", 100, 1); }

typedef struct bad_case {
  const char *what;
  int (*call)(fx *);
  int code;                 /* expected return code, CTOR_NULL for a constructor */
  const char *expect[6];    /* substrings the message must hold */
} bad_case;

#define P SOMA_ERR_PARAM
static const bad_case cases[] = {
  {"config dt = 0", cfg_dt_zero, CTOR_NULL, {"network", "dt", "> 0", "got 0"}},
  {"config dt < 0", cfg_dt_negative, CTOR_NULL, {"dt", "> 0", "got -0.1"}},
  {"config dt = 1e-300", cfg_dt_tiny, CTOR_NULL, {"dt", "from 0.0001 to 10 ms", "got 1e-300"}},
  {"config chunk = 1e300", cfg_chunk_huge, CTOR_NULL, {"chunk", "<= 1e7 ms", "1e+300"}},
  {"config dt NaN", cfg_dt_nan, CTOR_NULL, {"dt", "nan"}},
  {"config threads = 0", cfg_threads_zero, CTOR_NULL, {"threads", "between 1", "got 0"}},
  {"config threads < 0", cfg_threads_negative, CTOR_NULL, {"threads", "got -3"}},
  {"config max_delay < dt", cfg_max_delay_below_dt, CTOR_NULL, {"max_delay", "got 0.05"}},
  {"config chunk < dt", cfg_chunk_below_dt, CTOR_NULL, {"chunk", ">= dt", "0.01"}},

  {"model misspelled", model_misspelled, CTOR_NULL,
   {"unknown neuron model 'lif_con'", "did you mean 'lif_cond'", "izhikevich"}},
  {"model unknown", model_unknown, CTOR_NULL, {"'hodgkin_huxley_xyz'", "models:", "adex"}},
  {"model NULL", model_null, CTOR_NULL, {"unknown neuron model", "lif"}},
  {"parameter misspelled", param_misspelled, CTOR_NULL,
   {"population 'p'", "unknown parameter 'tua_m'", "'lif'", "did you mean 'tau_m'", "known:"}},
  {"negative time constant", param_negative_tau, CTOR_NULL,
   {"population 'p'", "tau_m", "> 0 ms", "got -20"}},
  {"zero synaptic time constant", param_zero_tau_syn, CTOR_NULL,
   {"population 'p'", "lif_cond", "tau_syn_ex must be > 0 ms", "got 0"}},
  {"NaN parameter", param_nan, CTOR_NULL, {"population 'p'", "C_m", "finite", "nan"}},
  {"negative refractory period", param_negative_t_ref, CTOR_NULL, {"population 'p'", "t_ref", ">= 0 ms"}},
  {"V_reset above V_th", param_reset_above_threshold, CTOR_NULL,
   {"population 'p'", "V_reset (-50 mV)", "below V_th (-55 mV)"}},
  {"V_reset equal to V_th", param_reset_equals_threshold, CTOR_NULL,
   {"population 'p'", "lif_cond", "V_reset", "below V_th"}},
  {"izhikevich c above V_th", param_izh_c_above_peak, CTOR_NULL, {"population 'p'", "c (40 mV)", "V_th"}},
  {"infinite initial value", initial_value_inf, CTOR_NULL, {"population 'p'", "V_m", "finite"}},
  {"negative Poisson rate", poisson_negative_rate, CTOR_NULL, {"population 'p'", "rate", "[0,", "got -5"}},
  {"empty population name", pop_name_empty, CTOR_NULL, {"population name ''", "not valid", "letters"}},
  {"NULL population name", pop_name_null, CTOR_NULL, {"population name", "not valid"}},
  {"population name with a space", pop_name_space, CTOR_NULL, {"'my pop'", "not valid", "'_' or '-'"}},
  {"population name with a slash", pop_name_slash, CTOR_NULL, {"'a/b'", "not valid"}},
  {"population name too long", pop_name_too_long, CTOR_NULL, {"not valid", "1-63"}},
  {"duplicate population name", pop_name_duplicate, CTOR_NULL, {"population named 'exc'", "already exists"}},
  {"population size 0", pop_size_zero, CTOR_NULL, {"population 'p'", "size", "got 0"}},
  {"negative population size", pop_size_negative, CTOR_NULL, {"population 'p'", "size", "got -5"}},

  {"p > 1", proj_p_above_one, CTOR_NULL, {"projection 'x'", "probability p", "[0, 1]", "got 1.5"}},
  {"p < 0", proj_p_negative, CTOR_NULL, {"projection 'x'", "[0, 1]", "got -0.1"}},
  {"p NaN", proj_p_nan, CTOR_NULL, {"projection 'x'", "[0, 1]", "nan"}},
  {"negative weight on a conductance port", proj_negative_conductance, CTOR_NULL,
   {"projection 'x'", "weights must be >= 0 nS", "port 'ex' of lif_cond", "const(-1)",
    "positive weights on port 'in'"}},
  {"negative weight on a conductance 'in' port", proj_negative_conductance_in, CTOR_NULL,
   {"projection 'x'", ">= 0 nS", "port 'in' of lif_cond"}},
  {"positive weight on lif's 'in' port", proj_positive_on_lif_in, CTOR_NULL,
   {"projection 'x'", "weights must be <= 0 pA", "port 'in' of lif", "const(5)"}},
  {"negative weight on lif's 'ex' port", proj_negative_on_lif_ex, CTOR_NULL,
   {"projection 'x'", ">= 0 pA", "port 'ex' of lif", "use port 'in' for inhibition"}},
  {"unknown port", proj_unknown_port, CTOR_NULL, {"projection 'x'", "no port 'inh'", "'exc'", "ports: ex, in"}},
  {"projection into a spike source", proj_into_source, CTOR_NULL, {"projection 'x'", "'src'", "takes no input"}},
  {"delay below dt", proj_delay_below_dt, CTOR_NULL,
   {"projection 'x'", "delays must be in [dt, max_delay] = [0.1, 20] ms", "const(0.05)"}},
  {"delay above max_delay", proj_delay_above_max, CTOR_NULL,
   {"projection 'x'", "delays", "[0.1, 20]", "const(25)", "raise max_delay"}},
  {"unbounded delay distribution", proj_delay_dist_unbounded, CTOR_NULL,
   {"projection 'x'", "delays", "normal(2, 0.5)", "can fall outside", "bounds"}},
  {"unbounded normal weights on a sign-constrained port", proj_normal_weight_unbounded, CTOR_NULL,
   {"projection 'x'", "weights must be >= 0 pA", "normal(20, 5)", "can fall outside",
    "give the distribution bounds"}},
  {"unbounded normal conductances", proj_normal_conductance_unbounded, CTOR_NULL,
   {"projection 'x'", ">= 0 nS", "normal(2, 1)", "bounds (lo, hi)"}},
  {"NaN weight", proj_weight_nan, CTOR_NULL, {"projection 'x'", "weights", "finite"}},
  {"uniform(5, 1) weights", proj_weight_bad_dist, CTOR_NULL, {"projection 'x'", "uniform(5, 1)", "low must be < high"}},
  {"weight beyond float range", proj_weight_beyond_float, CTOR_NULL, {"projection 'x'", "weight"}},
  {"one_to_one with unequal sizes", proj_one_to_one_unequal, CTOR_NULL,
   {"projection 'x'", "one_to_one", "equal size", "'src' has 4", "'exc' has 10"}},
  {"one_to_one onto itself without autapses", proj_one_to_one_self_no_autapses, CTOR_NULL,
   {"projection 'x'", "one_to_one", "itself", "autapses"}},
  {"fixed_indegree k too large without multapses", proj_indegree_too_large, CTOR_NULL,
   {"projection 'x'", "indegree k = 12", "4 distinct sources", "multapses"}},
  {"fixed_outdegree k too large onto itself", proj_outdegree_too_large_self, CTOR_NULL,
   {"projection 'x'", "outdegree k = 10", "9 distinct targets", "multapses"}},
  {"negative indegree", proj_indegree_negative, CTOR_NULL, {"projection 'x'", "indegree k must be >= 0", "got -1"}},
  {"list post id out of range", proj_list_post_out_of_range, CTOR_NULL,
   {"projection 'x'", "synapse 1", "1 -> 12", "'src' (0..3)", "'exc' (0..9)"}},
  {"list pre id negative", proj_list_pre_negative, CTOR_NULL, {"projection 'x'", "synapse 0", "-1 -> 0"}},
  {"list without ids", proj_list_missing_ids, CTOR_NULL, {"projection 'x'", "pre and post ids"}},
  {"list weight of the wrong sign", proj_list_bad_weight, CTOR_NULL,
   {"projection 'x'", "weight 1 is -2", ">= 0 pA"}},
  {"list weight infinite", proj_list_infinite_weight, CTOR_NULL, {"projection 'x'", "weight 1", "inf"}},
  {"list delay below dt", proj_list_bad_delay, CTOR_NULL, {"projection 'x'", "delay 1 is 0.01 ms", "[0.1, 20]"}},
  {"list autapse", proj_list_autapse, CTOR_NULL, {"projection 'x'", "neuron 3 to itself", "autapses"}},
  {"pre from another network", proj_foreign_pre, CTOR_NULL, {"projection 'x'", "different network"}},
  {"post from another network", proj_foreign_post, CTOR_NULL, {"projection 'x'", "different network"}},
  {"NULL population", proj_null_pop, CTOR_NULL, {"projection 'x'", "source and a target"}},
  {"duplicate projection name", proj_duplicate_name, CTOR_NULL, {"projection named 'exc->exc'", "already exists"}},
  {"empty projection name", proj_name_empty, CTOR_NULL, {"projection name ''", "not valid"}},
  {"unknown rule", proj_unknown_rule, CTOR_NULL, {"projection 'x'", "unknown connection rule 42"}},

  {"run time not a multiple of dt", run_not_multiple, P, {"run", "0.15 ms", "multiple of dt = 0.1 ms"}},
  {"negative run time", run_negative, P, {"run", ">= 0 ms", "got -1"}},
  {"NaN run time", run_nan, P, {"run", "nan"}},
  {"infinite run time", run_inf, P, {"run", "inf"}},
  {"absurdly long run", run_huge, P, {"run", "1e+300"}},

  {"recording an unknown variable", rec_unknown_var, CTOR_NULL,
   {"recording 'exc'", "no state variable 'V'", "V_m", "I_syn_ex"}},
  {"recording V_m of a spike source", rec_var_of_source, CTOR_NULL,
   {"recording 'src'", "'spike_source'", "no state variable 'V_m'", "no state variables"}},
  {"interval not a multiple of dt", rec_interval_not_multiple, CTOR_NULL,
   {"recording 'exc.I_syn_ex'", "interval", "multiple of dt = 0.1 ms", "got 0.25"}},
  {"interval 0", rec_interval_zero, CTOR_NULL, {"exc.I_syn_ex", "positive multiple", "got 0"}},
  {"absurd interval", rec_interval_huge, CTOR_NULL, {"exc.I_syn_ex", "positive multiple", "1e+300"}},
  {"negative interval", rec_interval_negative, CTOR_NULL, {"exc.I_syn_ex", "positive multiple", "got -1"}},
  {"state ids out of range", rec_state_ids_out_of_range, CTOR_NULL,
   {"recording 'exc'", "neuron 10", "outside", "0..9"}},
  {"spike ids negative", rec_spike_ids_negative, CTOR_NULL, {"recording 'cond'", "neuron -1", "0..9"}},
  {"empty id list", rec_ids_empty, CTOR_NULL, {"recording 'cond'", "empty"}},
  {"recording spikes twice", rec_spikes_twice, CTOR_NULL, {"'exc.spikes'", "already being recorded"}},
  {"recording a variable twice", rec_state_twice, CTOR_NULL, {"'exc.V_m'", "already being recorded"}},
  {"recording another network's population", rec_foreign_pop, CTOR_NULL, {"recording", "another network"}},
  {"state of another network's population", rec_state_foreign_pop, CTOR_NULL, {"recording", "another network"}},
  {"streaming into a missing directory", rec_stream_unwritable, SOMA_ERR_IO,
   {"recording 'exc.spikes'", "cannot create", "/nonexistent-soma-dir/sub/exc.spike_t.npy",
    "No such file"}},
  {"writing into a missing directory", rec_write_unwritable, SOMA_ERR_IO,
   {"recording 'exc.V_m'", "cannot write", "/nonexistent-soma-dir/sub/exc.V_m.npy"}},

  {"spike at -1e308 ms", spikes_far_in_past, P, {"population 'src'", "spike 0 has time -1e+308 ms"}},
  {"step current at -1e308 ms", schedule_far_in_past, P, {"population 'exc'", "-1e+308", "not a valid time"}},
  {"spike in the past", spikes_in_past, P,
   {"population 'src'", "spike time 0.5 ms", "neuron 0", "not after the current time 1 ms", "ahead of time"}},
  {"spike at the current time", spikes_at_now, P, {"population 'src'", "spike time 1 ms", "not after"}},
  {"two spikes of one neuron in one step", spikes_two_in_one_step, P,
   {"population 'src'", "neuron 1", "two spikes", "step ending at 7 ms", "one spike per step"}},
  {"two spike times rounding to one step", spikes_two_in_one_step_rounded, P,
   {"population 'src'", "neuron 1", "two spikes"}},
  {"spike clashing with an earlier call", spikes_clash_with_earlier_call, P,
   {"population 'src'", "neuron 1", "two spikes", "3 ms"}},
  {"spikes for a lif population", spikes_wrong_model, P,
   {"population 'exc'", "'lif' population", "only 'spike_source'"}},
  {"spikes for a poisson population", spikes_to_poisson, P, {"population 'pois'", "'poisson'", "only 'spike_source'"}},
  {"spike of a neuron out of range", spikes_id_out_of_range, P, {"population 'src'", "neuron 4", "0..3"}},
  {"spike at NaN", spikes_time_nan, P, {"population 'src'", "spike 1", "nan"}},
  {"spike at an absurd time", spikes_time_huge, P, {"population 'src'", "spike 0", "1e+300 ms"}},
  {"spikes without arrays", spikes_null_arrays, P, {"ids and times are required"}},

  {"schedule with decreasing times", sched_decreasing, P,
   {"population 'exc'", "schedule of I_e", "time 3 ms (entry 2)", "does not come after", "dt = 0.1 ms"}},
  {"schedule with two entries in one step", sched_repeated_step, P,
   {"population 'exc'", "schedule of I_e", "entry 2", "does not come after"}},
  {"schedule in the past", sched_past, P, {"population 'exc'", "schedule of I_e", "0.5 ms", "in the past", "now 1 ms"}},
  {"schedule of an unknown variable", sched_unknown_var, P,
   {"population 'exc'", "unknown state variable 'I_ext'", "did you mean 'I_e'"}},
  {"schedule of a negative Poisson rate", sched_negative_rate, P, {"population 'pois'", "rate", "[0,", "got -5"}},
  {"schedule of NaN", sched_nan_value, P, {"population 'exc'", "I_e", "finite"}},
  {"schedule at an infinite time", sched_inf_time, P, {"population 'exc'", "schedule of I_e", "not a valid time"}},
  {"schedule without arrays", sched_null_arrays, P, {"schedule", "required"}},

  {"set a negative tau_m", set_negative_tau, P, {"population 'exc'", "tau_m must be > 0 ms", "got -5"}},
  {"set V_reset above V_th", set_reset_above_threshold, P, {"population 'exc'", "V_reset (-50 mV)", "below V_th"}},
  {"set V_th below V_reset", set_threshold_below_reset, P, {"population 'exc'", "V_reset", "below V_th (-75 mV)"}},
  {"set a misspelled parameter", set_misspelled, P, {"population 'exc'", "'tua_m'", "did you mean 'tau_m'"}},
  {"set V_m to NaN", set_nan_state, P, {"population 'exc'", "V_m", "finite"}},
  {"set I_e beyond float range", set_state_beyond_float, P, {"population 'exc'", "I_e"}},
  {"set a negative rate", set_negative_rate, P, {"population 'pois'", "rate", "got -1"}},
  {"get an unknown parameter", get_unknown_param, P, {"population 'exc'", "unknown parameter 'tau'"}},
  {"set_var with the wrong count", set_var_wrong_count, P, {"population 'exc'", "I_e", "10 values", "got 3"}},
  {"set_var with NaN at one neuron", set_var_nan_at_neuron, P, {"population 'exc'", "I_e", "finite", "at neuron 6"}},
  {"set_var of an unknown variable", set_var_unknown, P, {"population 'exc'", "'V_n'", "did you mean 'V_m'"}},
  {"rate distribution that can go negative", set_var_dist_unbounded_rate, P,
   {"population 'pois'", "rate", "normal(10, 5)", "give the distribution bounds"}},
  {"get_var into a short buffer", get_var_short_buffer, P, {"population 'exc'", "room for 3", "need 10"}},
  {"negative max_rate", max_rate_negative, P, {"population 'exc'", "max_rate", ">= 0 Hz", "got -1"}},
  {"NaN max_rate", max_rate_nan, P, {"population 'exc'", "max_rate", "nan"}},
  {"Poisson input on an unknown port", pinput_unknown_port, P, {"population 'exc'", "no port 'exc'", "ex, in"}},
  {"Poisson input with a negative rate", pinput_negative_rate, P, {"population 'exc'", "rate", ">= 0 Hz", "got -100"}},
  {"Poisson input at 1e300 Hz", pinput_huge_rate, P, {"population 'exc'", "at most 1e+08 Hz", "got 1e+300"}},
  {"Poisson input weight beyond float range", pinput_weight_beyond_float, P,
   {"population 'exc'", "port 'ex'", "got 1e+39"}},
  {"weight bounds that keep almost nothing", proj_weight_bounds_keep_nothing, CTOR_NULL,
   {"projection 'x'", "normal(0, 1) in [10, 11]", "keep only", "widen them"}},
  {"initial-value bounds that keep almost nothing", pop_var_bounds_keep_nothing, P,
   {"exponential(1) in [50, inf]", "keep only"}},
  {"a lognormal with sigma 0 outside its bounds", proj_delay_lognormal_point_outside, CTOR_NULL,
   {"projection 'x'", "lognormal(3, 0) in [0.1, 2]", "keep only 0%"}},
  {"Poisson input with a negative conductance", pinput_wrong_sign, P,
   {"population 'cond'", "port 'in'", ">= 0 nS", "got -1"}},
  {"Poisson input into a spike source", pinput_into_source, P, {"population 'src'", "takes no input"}},
};
#undef P
#define N_CASES ((int)(sizeof cases / sizeof cases[0]))

static int behaved[sizeof cases / sizeof cases[0]];

static void check_message(const bad_case *bc, const char *msg) {
  CHECK_MSG(msg && *msg, "%s: empty message", bc->what);
  for (int k = 0; k < 6 && bc->expect[k]; k++)
    CHECK_MSG(msg && strstr(msg, bc->expect[k]), "%s: message lacks \"%s\":\n      %s", bc->what,
              bc->expect[k], msg ? msg : "(null)");
}

TEST(catalogue_of_bad_input) {
  for (int i = 0; i < N_CASES; i++) {
    const bad_case *bc = &cases[i];
    fx f;
    int ok = fx_init(&f);
    CHECK_MSG(ok, "fixture: %s", f.net ? soma_net_errmsg(f.net) : "no network");
    if (!ok) {
      fx_free(&f);
      return;
    }
    char *before = snapshot(f.net);
    int before_failed = h_current_failed;
    int rc = bc->call(&f);
    const char *msg = f.use_cfg_err ? f.cfg_err : soma_net_errmsg(f.net);
    if (bc->code == CTOR_NULL)
      CHECK_MSG(rc == CTOR_NULL, "%s: the constructor did not return NULL (rc %d)", bc->what, rc);
    else
      CHECK_MSG(rc == bc->code, "%s: returned %d, expected %d (message: %s)", bc->what, rc, bc->code, msg);
    if (rc == bc->code) check_message(bc, msg);
    char *after = snapshot(f.net);
    if (strcmp(before, after) != 0) {
      char b[160], a[160];
      first_difference(before, after, b, a, sizeof b);
      CHECK_MSG(0, "%s: the failed call changed the network:\n      before: %s\n      after:  %s", bc->what, b, a);
    }
    free(before);
    free(after);
    /* the network still runs */
    int run = soma_net_run(f.net, 2.0);
    CHECK_MSG(run == SOMA_OK, "%s: the network no longer runs: %s", bc->what, soma_net_errmsg(f.net));
    behaved[i] = h_current_failed == before_failed;
    fx_free(&f);
  }
  int n_ok = 0;
  for (int i = 0; i < N_CASES; i++) n_ok += behaved[i];
  printf("  %d of %d bad calls rejected as specified\n", n_ok, N_CASES);
}

/* Every error of the catalogue on one network, then a run: it must match, spike for spike and
 * sample for sample, the run of a network that saw none of them. */
static void run_and_collect(fx *f, size_t *n_spk, int64_t **steps, int32_t **ids, size_t *n_v,
                            float **v) {
  CHECK(soma_net_run(f->net, 30) == SOMA_OK);
  *n_spk = soma_rec_spike_count(f->spk);
  *steps = malloc(sizeof(int64_t) * (*n_spk + 1));
  *ids = malloc(sizeof(int32_t) * (*n_spk + 1));
  memcpy(*steps, soma_rec_spike_steps(f->spk), sizeof(int64_t) * *n_spk);
  memcpy(*ids, soma_rec_spike_ids(f->spk), sizeof(int32_t) * *n_spk);
  *n_v = soma_rec_samples(f->vm) * (size_t)soma_rec_columns(f->vm);
  *v = malloc(sizeof(float) * (*n_v + 1));
  memcpy(*v, soma_rec_data(f->vm), sizeof(float) * *n_v);
}

TEST(failed_calls_leave_no_trace_in_a_run) {
  fx a, b;
  REQUIRE(fx_init(&a) && fx_init(&b));
  int applied = 0;
  for (int i = 0; i < N_CASES; i++) {
    if (!behaved[i]) continue;
    a.use_cfg_err = 0;
    cases[i].call(&a);
    applied++;
  }
  size_t na, nb, va, vb;
  int64_t *sa, *sb;
  int32_t *ia, *ib;
  float *fa, *fb;
  run_and_collect(&a, &na, &sa, &ia, &va, &fa);
  run_and_collect(&b, &nb, &sb, &ib, &vb, &fb);
  printf("  %d failed calls on one network; then %zu spikes, %zu samples (clean network: %zu, %zu)\n",
         applied, na, va, nb, vb);
  CHECK(nb > 20);   /* the fixture is active: input, spike sources and schedules all act */
  CHECK(na == nb && va == vb);
  if (na == nb) {
    CHECK(memcmp(sa, sb, sizeof(int64_t) * na) == 0);
    CHECK(memcmp(ia, ib, sizeof(int32_t) * na) == 0);
  }
  if (va == vb) CHECK(memcmp(fa, fb, sizeof(float) * va) == 0);
  CHECK(soma_pop_spike_count(a.src) == 5 && soma_pop_spike_count(b.src) == 5);
  free(sa), free(sb), free(ia), free(ib), free(fa), free(fb);
  fx_free(&a);
  fx_free(&b);
}

/* A rejected soma_pop_set keeps the old value, and the next valid one is checked against the
 * values actually in force. */
TEST(rejected_set_keeps_old_value) {
  fx f;
  REQUIRE(fx_init(&f));
  double v = 0;
  CHECK(soma_pop_set(f.exc, "tau_m", -5) == SOMA_ERR_PARAM);
  CHECK(soma_pop_get_param(f.exc, "tau_m", &v) == SOMA_OK && v == 10);
  CHECK(soma_pop_set(f.exc, "tau_m", NAN) == SOMA_ERR_PARAM);
  CHECK(soma_pop_get_param(f.exc, "tau_m", &v) == SOMA_OK && v == 10);
  CHECK(soma_pop_set(f.exc, "tau_m", INFINITY) == SOMA_ERR_PARAM);
  CHECK(soma_pop_get_param(f.exc, "tau_m", &v) == SOMA_OK && v == 10);
  CHECK(soma_pop_set(f.exc, "V_reset", -50) == SOMA_ERR_PARAM);
  CHECK(soma_pop_get_param(f.exc, "V_reset", &v) == SOMA_OK && v == -70);
  CHECK(soma_pop_set(f.exc, "V_th", -80) == SOMA_ERR_PARAM);
  CHECK(soma_pop_get_param(f.exc, "V_th", &v) == SOMA_OK && v == -55);
  /* V_th may go to -60 (above V_reset = -70); then V_reset = -58 is rejected against -60 */
  CHECK(soma_pop_set(f.exc, "V_th", -60) == SOMA_OK);
  CHECK(soma_pop_set(f.exc, "V_reset", -58) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_net_errmsg(f.net), "V_th (-60 mV)") != NULL);
  CHECK(soma_pop_get_param(f.exc, "V_reset", &v) == SOMA_OK && v == -70);
  CHECK(soma_pop_get_param(f.exc, "V_th", &v) == SOMA_OK && v == -60);
  /* state variables too: a rejected value leaves every neuron's value */
  double before[10], after[10];
  CHECK(soma_pop_get_var(f.exc, "I_e", before, 10) == SOMA_OK);
  double bad[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, INFINITY};
  CHECK(soma_pop_set_var(f.exc, "I_e", bad, 10) == SOMA_ERR_PARAM);
  CHECK(strstr(soma_net_errmsg(f.net), "at neuron 9") != NULL);
  CHECK(soma_pop_get_var(f.exc, "I_e", after, 10) == SOMA_OK);
  CHECK(memcmp(before, after, sizeof before) == 0);
  CHECK(soma_pop_set(f.pois, "rate", -3) == SOMA_ERR_PARAM);
  double r[5];
  CHECK(soma_pop_get_var(f.pois, "rate", r, 5) == SOMA_OK && r[0] == 50 && r[4] == 50);
  /* unknown names: get_param says so and leaves the output alone */
  v = 123;
  CHECK(soma_pop_get_param(f.exc, "V_m", &v) == SOMA_ERR_PARAM && v == 123);
  CHECK(soma_pop_get_param(f.exc, NULL, &v) == SOMA_ERR_PARAM);
  CHECK(soma_pop_set(f.exc, NULL, 1) == SOMA_ERR_PARAM);
  fx_free(&f);
}

/* NULL networks and other degenerate handles do not crash. */
TEST(null_network_is_harmless) {
  CHECK(soma_pop_create(NULL, "p", "lif", 3, NULL) == NULL);
  CHECK(soma_proj_create(NULL, "x", NULL, NULL, NULL) == NULL);
  CHECK(strlen(soma_net_errmsg(NULL)) > 0);
  CHECK(soma_net_fail(NULL, SOMA_ERR_PARAM, "x %d", 1) == SOMA_ERR_PARAM);
  soma_net_destroy(NULL);
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  CHECK(strcmp(soma_net_errmsg(net), "") == 0);
  CHECK(soma_net_fail(net, SOMA_ERR_IO, "custom %s", "failure") == SOMA_ERR_IO);
  CHECK(strcmp(soma_net_errmsg(net), "custom failure") == 0);
  CHECK(soma_net_pop(net, 0) == NULL && soma_net_pop(net, -1) == NULL);
  CHECK(soma_net_proj(net, 0) == NULL && soma_net_rec(net, 5) == NULL);
  CHECK(soma_net_find_pop(net, NULL) == NULL && soma_net_find_pop(net, "nope") == NULL);
  CHECK(soma_net_run(net, 1.0) == SOMA_OK);   /* an empty network runs */
  CHECK(soma_net_run(net, 0) == SOMA_OK);
  CHECK(soma_net_steps(net) == 10);
  soma_net_destroy(net);
}

/* ---- run-time checks ----------------------------------------------------------------- */

static int contains_all(const char *msg, const char *const *parts) {
  for (int k = 0; parts[k]; k++)
    if (!strstr(msg, parts[k])) {
      printf("  message lacks \"%s\": %s\n", parts[k], msg);
      return 0;
    }
  return 1;
}

/* A lif with a huge I_e and no refractory period fires every step: 10 kHz. */
TEST(runaway_lif_stops_the_run) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  soma_pop *calm = soma_pop_create(net, "calm", "lif", 4, NULL);
  soma_pop *hot = soma_pop_create(net, "hot", "lif", 8, (soma_param[]){{"I_e", 1e6}, {"t_ref", 0}, {NULL, 0}});
  REQUIRE(calm && hot);
  int rc = soma_net_run(net, 500);
  const char *msg = soma_net_errmsg(net);
  CHECK(rc == SOMA_ERR_RUNAWAY);
  CHECK(contains_all(msg, (const char *[]){"population 'hot'", "10000.0 Hz", "ceiling of 1000 Hz",
                                            "max_rate", NULL}));
  CHECK(strstr(msg, "'calm'") == NULL);
  /* stopped at the end of the first chunk (100 ms), consistent and resumable */
  CHECK_NEAR(soma_net_time(net), 100, 1e-9);
  CHECK(soma_pop_spike_count(hot) == 8 * 1000);
  CHECK(soma_pop_set_max_rate(hot, 20000) == SOMA_OK);
  CHECK(soma_net_run(net, 100) == SOMA_OK);
  CHECK_NEAR(soma_net_time(net), 200, 1e-9);
  CHECK(soma_pop_spike_count(hot) == 8 * 2000);
  /* max_rate 0 disables the check */
  CHECK(soma_pop_set_max_rate(hot, 0) == SOMA_OK);
  CHECK(soma_net_run(net, 100) == SOMA_OK);
  soma_net_destroy(net);
}

/* A Poisson population near 1/dt with a ceiling set (sources have none by default). */
TEST(runaway_poisson_with_ceiling) {
  soma_net_config c = soma_net_defaults();
  c.chunk = 20;
  char err[256];
  soma_net *net = soma_net_create(&c, err, sizeof err);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "drive", "poisson", 50, (soma_param[]){{"rate", 9500}, {NULL, 0}});
  REQUIRE(p);
  CHECK(soma_net_run(net, 40) == SOMA_OK);   /* no ceiling by default for sources */
  CHECK(soma_pop_set_max_rate(p, 1000) == SOMA_OK);
  int rc = soma_net_run(net, 100);
  CHECK(rc == SOMA_ERR_RUNAWAY);
  const char *msg = soma_net_errmsg(net);
  CHECK(contains_all(msg, (const char *[]){"population 'drive'", "Hz", "ceiling of 1000 Hz", "t = 40",
                                            "60 ms", NULL}));
  double rate = 0;
  const char *at = strstr(msg, "fired at ");
  CHECK(at && sscanf(at, "fired at %lf Hz", &rate) == 1);
  CHECK_NEAR(rate, 9500, 300);
  CHECK_NEAR(soma_net_time(net), 60, 1e-9);
  soma_net_destroy(net);
}

/* Runaway in one population must not lose the spike counts of the populations after it: the
 * counts reported by soma_pop_spike_count agree with the recordings, also after the network
 * is changed and prepared again. */
TEST(runaway_keeps_spike_counts_of_other_populations) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  soma_pop *hot = soma_pop_create(net, "hot", "lif", 2, (soma_param[]){{"I_e", 1e6}, {"t_ref", 0}, {NULL, 0}});
  soma_pop *calm = soma_pop_create(net, "calm", "lif", 3, (soma_param[]){{"I_e", 500}, {NULL, 0}});
  REQUIRE(hot && calm);
  soma_rec *rh = soma_rec_spikes(net, hot, NULL, 0), *rc_ = soma_rec_spikes(net, calm, NULL, 0);
  REQUIRE(rh && rc_);
  CHECK(soma_net_run(net, 300) == SOMA_ERR_RUNAWAY);
  CHECK(soma_rec_spike_count(rc_) > 0);
  CHECK_MSG(soma_pop_spike_count(calm) == soma_rec_spike_count(rc_),
            "after the runaway: calm counted %llu spikes, recorded %zu",
            (unsigned long long)soma_pop_spike_count(calm), soma_rec_spike_count(rc_));
  CHECK(soma_pop_spike_count(hot) == soma_rec_spike_count(rh));
  /* calm the hot population down (a parameter change prepares the network again) */
  CHECK(soma_pop_set(hot, "I_e", 0) == SOMA_OK);
  CHECK(soma_pop_set(hot, "tau_m", 12) == SOMA_OK);
  CHECK(soma_net_run(net, 100) == SOMA_OK);
  CHECK_MSG(soma_pop_spike_count(calm) == soma_rec_spike_count(rc_),
            "after another run: calm counted %llu spikes, recorded %zu",
            (unsigned long long)soma_pop_spike_count(calm), soma_rec_spike_count(rc_));
  CHECK(soma_net_spike_count(net) == soma_rec_spike_count(rc_) + soma_rec_spike_count(rh));
  soma_net_destroy(net);
}

/* A single neuron firing at a modest, steady rate must not be taken for runaway activity when
 * the network is advanced in short runs (closed loops advance a fraction of a ms at a time). */
TEST(runaway_check_not_fooled_by_short_runs) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "one", "lif", 1, (soma_param[]){{"I_e", 500}, {NULL, 0}});
  REQUIRE(p);
  int rc = SOMA_OK, runs = 0;
  for (; runs < 2000 && rc == SOMA_OK; runs++) rc = soma_net_run(net, 0.2);   /* 400 ms */
  double rate = soma_pop_spike_count(p) / (soma_net_time(net) * 1e-3);
  CHECK_MSG(rc == SOMA_OK, "run %d of 0.2 ms failed at t = %g ms with the neuron at %.0f Hz: %s", runs,
            soma_net_time(net), rate, soma_net_errmsg(net));
  CHECK(rate < 200);
  soma_net_destroy(net);
}

/* Divergence through the public API. The Izhikevich model integrates u by forward Euler,
 * which is unstable for a * dt > 2: with a = 30 /ms at dt = 0.1 ms, u oscillates with growing
 * amplitude until the state is NaN. The run stops at the end of the chunk with the population
 * and the variable named. */
TEST(numeric_divergence_izhikevich) {
  soma_net_config c = soma_net_defaults();
  c.chunk = 10;
  char err[256];
  soma_net *net = soma_net_create(&c, err, sizeof err);
  REQUIRE(net);
  soma_pop *ok = soma_pop_create(net, "fine", "izhikevich", 2, (soma_param[]){{"I_e", 10}, {NULL, 0}});
  soma_pop *bad = soma_pop_create(net, "unstable", "izhikevich", 2,
                                  (soma_param[]){{"a", 30}, {"I_e", 10}, {NULL, 0}});
  REQUIRE(ok && bad);
  CHECK(soma_pop_set_max_rate(bad, 0) == SOMA_OK);
  int rc = soma_net_run(net, 200);
  const char *msg = soma_net_errmsg(net);
  CHECK(rc == SOMA_ERR_NUMERIC);
  CHECK(contains_all(msg, (const char *[]){"population 'unstable'", "(izhikevich)", "diverged", NULL}));
  CHECK(strstr(msg, "V_m") || strstr(msg, "U_m"));
  CHECK(strstr(msg, "nan") || strstr(msg, "inf"));
  double t = soma_net_time(net);
  CHECK(t > 0 && t < 200 && fmod(t + 1e-9, 10) < 1e-6);   /* at a chunk boundary */
  printf("  %s\n", msg);
  soma_net_destroy(net);
}

/* AdEx integrates (V, w) by the explicit midpoint rule, unstable for w when
 * tau_w < dt / 2: with tau_w = 0.02 ms at dt = 0.1 ms the adaptation current oscillates with
 * growing amplitude until V_m is NaN. */
TEST(numeric_divergence_adex_fast_adaptation) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "fast_w", "adex", 2, (soma_param[]){{"tau_w", 0.02}, {"I_e", 500}, {NULL, 0}});
  REQUIRE(p);
  CHECK(soma_pop_set_max_rate(p, 0) == SOMA_OK);
  int rc = soma_net_run(net, 300);
  CHECK(rc == SOMA_ERR_NUMERIC);
  const char *msg = soma_net_errmsg(net);
  CHECK(contains_all(msg, (const char *[]){"population 'fast_w'", "(adex)", "diverged", NULL}));
  CHECK(strstr(msg, "V_m") || strstr(msg, "w of neuron"));
  CHECK(soma_net_time(net) < 300);
  soma_net_destroy(net);
}

/* Propagators overflow float when C_m is absurdly small: p30 = tau_m / C_m = inf, and
 * inf * 0 (no input) is NaN. The check catches it and names V_m. */
TEST(numeric_divergence_lif_absurd_capacitance) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  soma_pop *p = soma_pop_create(net, "tiny", "lif", 3, (soma_param[]){{"C_m", 1e-40}, {NULL, 0}});
  REQUIRE(p);
  int rc = soma_net_run(net, 100);
  CHECK(rc == SOMA_ERR_NUMERIC);
  CHECK(contains_all(soma_net_errmsg(net), (const char *[]){"population 'tiny'", "(lif)", "V_m", "diverged", NULL}));
  soma_net_destroy(net);
}

/* n_src Poisson sources at rate_hz, all to all onto n lif neurons called post with weight w:
 * the projection (named "src->post"), or NULL */
static soma_proj *driven(soma_net *net, int n_src, double rate_hz, const char *post, int n,
                         double w) {
  soma_pop *s = soma_pop_create(net, "src", "poisson", n_src, (soma_param[]){{"rate", rate_hz}, {NULL, 0}});
  soma_pop *p = soma_pop_create(net, post, "lif", n, NULL);
  soma_conn c = soma_conn_defaults();
  c.weight = soma_dist_const(w);
  return s && p ? soma_proj_create(net, "src->post", s, p, &c) : NULL;
}

/* A learning rule with an absurd learning rate (A_plus = 1e38, w_max inf) drives weights to
 * inf, and then the targets' input: the run stops naming the projection, its rule and the
 * synapse, before the population it poisons. */
TEST(numeric_plastic_weight_diverges) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  soma_proj *pr = driven(net, 20, 200, "post", 5, 100);
  REQUIRE(pr);
  REQUIRE(soma_proj_plastic(pr, "stdp", (soma_param[]){{"A_plus", 1e38}, {"A_minus", 0}, {NULL, 0}},
                            NULL) == SOMA_OK);
  int rc = soma_net_run(net, 500);
  const char *msg = soma_net_errmsg(net);
  CHECK(rc == SOMA_ERR_NUMERIC);
  CHECK_MSG(contains_all(msg, (const char *[]){"projection 'src->post' (stdp)", "weight from 'src' neuron",
                                               "to 'post' neuron", "became inf", "diverged",
                                               "learning rates", NULL}), "%s", msg);
  CHECK(soma_net_time(net) < 500);
  printf("  %s\n", msg);
  soma_net_destroy(net);
}

/* A modulator whose scheduled amounts overflow becomes inf while the network runs: the run
 * stops naming it (adding such amounts directly is refused: see the catalogue). */
TEST(numeric_modulator_runaway) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  REQUIRE(soma_pop_create(net, "p", "lif", 2, NULL));
  soma_mod *m = soma_mod_create(net, "dopamine", 0, INFINITY);
  REQUIRE(m);
  REQUIRE(soma_mod_schedule(m, 2, (double[]){10, 20}, (double[]){1e308, 1e308}) == SOMA_OK);
  int rc = soma_net_run(net, 300);
  const char *msg = soma_net_errmsg(net);
  CHECK(rc == SOMA_ERR_NUMERIC);
  CHECK_MSG(contains_all(msg, (const char *[]){"modulator 'dopamine' became inf", "ran away", NULL}),
            "%s", msg);
  soma_net_destroy(net);
  /* m:add of amounts whose sum overflows */
  net = make_net(0.1, 1);
  REQUIRE(net);
  m = soma_mod_create(net, "dopamine", 0, 100);
  REQUIRE(m && soma_mod_add(m, 1e308) == SOMA_OK);
  CHECK(soma_mod_add(m, 1e308) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(soma_net_errmsg(net), "modulator 'dopamine': adding 1e+308 to its phasic part "
                                         "(1e+308) overflows"), "%s", soma_net_errmsg(net));
  CHECK(isfinite(soma_mod_value(m)));
  soma_net_destroy(net);
}

/* A static weight near the float limit is accepted, but the input it delivers overflows: the
 * run stops naming the target population and the synaptic variable. */
TEST(numeric_huge_static_weight) {
  soma_net *net = make_net(0.1, 1);
  REQUIRE(net);
  REQUIRE(driven(net, 10, 500, "target", 2, 3e38));
  int rc = soma_net_run(net, 200);
  const char *msg = soma_net_errmsg(net);
  CHECK(rc == SOMA_ERR_NUMERIC);
  CHECK_MSG(contains_all(msg, (const char *[]){"population 'target' (lif)", "became inf", "weights", NULL}),
            "%s", msg);
  soma_net_destroy(net);
}

int main(void) {
  RUN(catalogue_of_bad_input);
  RUN(failed_calls_leave_no_trace_in_a_run);
  RUN(rejected_set_keeps_old_value);
  RUN(null_network_is_harmless);
  RUN(runaway_lif_stops_the_run);
  RUN(runaway_poisson_with_ceiling);
  RUN(runaway_keeps_spike_counts_of_other_populations);
  RUN(runaway_check_not_fooled_by_short_runs);
  RUN(numeric_divergence_izhikevich);
  RUN(numeric_divergence_adex_fast_adaptation);
  RUN(numeric_divergence_lif_absurd_capacitance);
  RUN(numeric_plastic_weight_diverges);
  RUN(numeric_modulator_runaway);
  RUN(numeric_huge_static_weight);
  return h_done();
}
