/* params.c — fuzz target for the parameter tables the Lua bindings hand to the C layers: a
 * model's parameters and state variables (soma_pop_create, soma_pop_set, soma_pop_set_many;
 * sim/param.c's checks), connection rules with weight and delay distributions, learning rules
 * and their parameters (soma_proj_plastic, soma_proj_set_rule_param), modulators, and world
 * options (soma_env_create, soma_env_set, steps with any action: envs/env.c and the worlds).
 * Names come from the tables or from the input (misspellings), values from edge cases (NaN,
 * infinities, negative time constants, probabilities above 1, delays below dt, huge numbers).
 * Whatever is refused has a message and changes nothing; whatever is accepted simulates a few
 * ms without a crash, and a run that returns SOMA_OK leaves every state variable finite. */
#include "envs/env.h"
#include "sim/model.h"
#include "sim/plastic.h"
#include "sim/soma.h"
#include "tests/fuzz/fuzz.h"

enum { MAX_PARAMS = 6 };

/* a name from the table at names (stride bytes apart, n of them), or text from the input */
static const char *pick_name(fuzz_in *in, const void *names, size_t stride, int n, char *buf,
                             size_t len) {
  unsigned k = fuzz_pick(in, (unsigned)n + 2);
  if ((int)k < n) return *(const char *const *)((const char *)names + k * stride);
  return fuzz_text(in, buf, len);
}

static void check_finite(soma_net *net) {
  for (int p = 0; p < soma_net_pop_count(net); p++) {
    soma_pop *pop = soma_net_pop(net, p);
    const soma_model *m = soma_model_find(soma_pop_model(pop));
    for (int v = 0; v < m->n_vars; v++) {
      const float *x = soma_pop_var_data(pop, m->vars[v].name);
      for (int i = 0; i < soma_pop_size(pop); i++)
        FUZZ_ASSERT(isfinite(x[i]), "run ok but %s of %s neuron %d is %g", m->vars[v].name,
                    soma_pop_name(pop), i, x[i]);
    }
  }
}

static soma_pop *make_pop(fuzz_in *in, soma_net *net, const char *name) {
  const soma_model *m = soma_model_at((int)fuzz_pick(in, (unsigned)soma_model_count()));
  soma_param list[MAX_PARAMS + 1];
  char bufs[MAX_PARAMS][32];
  int np = (int)fuzz_pick(in, MAX_PARAMS + 1);
  for (int k = 0; k < np; k++) {
    list[k].name = fuzz_byte(in) & 1
                       ? pick_name(in, m->vars, sizeof *m->vars, m->n_vars, bufs[k], sizeof bufs[k])
                       : pick_name(in, m->params, sizeof *m->params, m->n_params, bufs[k],
                                   sizeof bufs[k]);
    list[k].value = fuzz_number(in);
  }
  list[np].name = NULL;
  int n = (int)fuzz_pick(in, 40) - 2;   /* a few bad sizes too */
  soma_pop *pop = soma_pop_create(net, name, m->name, n, list);
  if (!pop) FUZZ_ASSERT(soma_net_errmsg(net)[0], "pop refused without a message");
  return pop;
}

static soma_dist pick_dist(fuzz_in *in) {
  double a = fuzz_number(in), b = fuzz_number(in);
  soma_dist d;
  switch (fuzz_pick(in, 7)) {
    case 0: d = soma_dist_uniform(a, b); break;
    case 1: d = soma_dist_normal(a, b); break;
    case 2: d = soma_dist_lognormal(a, b); break;
    case 3: d = soma_dist_exponential(a); break;
    case 4: d = soma_dist_gamma(a, b); break;
    default: d = soma_dist_const(a); break;
  }
  if (fuzz_byte(in) & 1) d = soma_dist_clip(d, fuzz_number(in), fuzz_number(in));
  return d;
}

static void network(fuzz_in *in) {
  soma_net_config cfg = soma_net_defaults();
  if (fuzz_byte(in) & 1) cfg.dt = fuzz_number(in);
  if (fuzz_byte(in) & 1) cfg.max_delay = fuzz_number(in);
  char err[1024];
  soma_net *net = soma_net_create(&cfg, err, sizeof err);
  if (!net) {
    FUZZ_ASSERT(err[0], "net refused without a message");
    return;
  }
  soma_pop *a = make_pop(in, net, "a"), *b = make_pop(in, net, fuzz_byte(in) & 1 ? "b" : "a");
  if (a && !b) b = a;
  char buf[32];
  if (a && (fuzz_byte(in) & 1)) {   /* change parameters after creation */
    const soma_model *m = soma_model_find(soma_pop_model(a));
    const char *name = pick_name(in, m->params, sizeof *m->params, m->n_params, buf, sizeof buf);
    double before = 0, v = fuzz_number(in);
    int had = soma_pop_get_param(a, name, &before) == SOMA_OK;
    if (soma_pop_set(a, name, v) != SOMA_OK && had) {
      double after;
      FUZZ_ASSERT(soma_pop_get_param(a, name, &after) == SOMA_OK &&
                      (after == before || (isnan(after) && isnan(before))),
                  "a refused set changed %s", name);
    }
  }
  soma_proj *pr = NULL;
  if (a && b) {
    soma_conn c = soma_conn_defaults();
    c.rule = (soma_conn_rule)fuzz_pick(in, 5);
    c.p = fuzz_number(in);
    c.k = (int)fuzz_pick(in, 12) - 1;
    c.autapses = fuzz_byte(in) & 1;
    c.multapses = fuzz_byte(in) & 1;
    if (fuzz_byte(in) & 1) c.weight = pick_dist(in);
    if (fuzz_byte(in) & 1) c.delay = pick_dist(in);
    static const char *const ports[] = {"ex", "in", "exc"};
    c.port = ports[fuzz_pick(in, 3)];
    pr = soma_proj_create(net, "a->b", a, b, &c);
    if (!pr) FUZZ_ASSERT(soma_net_errmsg(net)[0], "projection refused without a message");
  }
  if (pr && (fuzz_byte(in) & 1)) {   /* a learning rule */
    int ri = (int)fuzz_pick(in, (unsigned)soma_rule_count());
    const soma_rule *r = soma__rule_find(soma_rule_name(ri));
    soma_param list[MAX_PARAMS + 1];
    char bufs[MAX_PARAMS][32];
    int np = (int)fuzz_pick(in, MAX_PARAMS + 1);
    for (int k = 0; k < np; k++) {
      list[k].name = pick_name(in, r->params, sizeof *r->params, r->n_params, bufs[k],
                               sizeof bufs[k]);
      list[k].value = fuzz_number(in);
    }
    list[np].name = NULL;
    if (r->uses_modulator && (fuzz_byte(in) & 1))
      soma_mod_create(net, "dopamine", fuzz_number(in), fuzz_number(in));
    if (soma_proj_plastic(pr, r->name, list, r->uses_modulator ? "dopamine" : NULL) == SOMA_OK) {
      const char *name = pick_name(in, r->params, sizeof *r->params, r->n_params, buf, sizeof buf);
      soma_proj_set_rule_param(pr, name, fuzz_number(in));
      if (r->uses_target) {
        double hz = fuzz_number(in);
        soma_proj_set_target(pr, &hz, 1);
      }
    }
  }
  if (pr && (fuzz_byte(in) & 1)) {
    double w = fuzz_number(in);
    soma_proj_set_weights(pr, &w, 1);
  }
  if (a && (fuzz_byte(in) & 1))
    soma_pop_poisson_input(a, "ex", fuzz_number(in), fuzz_number(in));
  double ms = fuzz_byte(in) & 1 ? fuzz_number(in) : 2;
  double most = fmin(5, 200 * soma_net_dt(net));   /* keep executions short (dt may be tiny) */
  if (fabs(ms) > most) ms = most;
  int rc = soma_net_run(net, ms);
  if (rc == SOMA_OK) check_finite(net);
  else FUZZ_ASSERT(soma_net_errmsg(net)[0], "run failed (%d) without a message", rc);
  soma_net_destroy(net);
}

static void world(fuzz_in *in) {
  const soma_world *const *all = soma_worlds();
  const soma_world *w = all[fuzz_pick(in, (unsigned)soma_world_count())];
  soma_env_opt opts[MAX_PARAMS];
  char bufs[MAX_PARAMS][64], strs[MAX_PARAMS][64];
  double nums[MAX_PARAMS][4];
  static const char *const maps[] = {"maps/labyrinth.txt", "maps/tmaze.txt",
                                     "maps/dyna_maze.txt", "maps/none.txt", ""};
  int n = (int)fuzz_pick(in, MAX_PARAMS + 1);
  for (int k = 0; k < n; k++) {
    soma_env_opt *o = &opts[k];
    memset(o, 0, sizeof *o);
    switch (fuzz_pick(in, 4)) {
      case 0:
        o->key = pick_name(in, w->params, sizeof *w->params, w->n_params, bufs[k], sizeof bufs[k]);
        break;
      case 1:
        o->key = pick_name(in, w->strs, sizeof *w->strs, w->n_strs, bufs[k], sizeof bufs[k]);
        break;
      case 2:
        o->key = pick_name(in, w->lists, sizeof *w->lists, w->n_lists, bufs[k], sizeof bufs[k]);
        break;
      default: o->key = "max_steps"; break;
    }
    if (fuzz_byte(in) & 1) {
      o->str = fuzz_byte(in) & 1 ? maps[fuzz_pick(in, 5)] : fuzz_text(in, strs[k], sizeof strs[k]);
    } else {
      o->n = (int)fuzz_pick(in, 5);
      for (int j = 0; j < o->n; j++) nums[k][j] = fuzz_number(in);
      o->num = nums[k];
    }
  }
  char err[2048] = "";
  soma_env *e = soma_env_create(w->name, opts, n, err, sizeof err);
  if (!e) {
    FUZZ_ASSERT(err[0], "world refused without a message");
    return;
  }
  soma_env_reset(e, fuzz_byte(in), 1);
  double action[8];
  soma_env_result r;
  for (int s = 0; s < 20 && !fuzz_empty(in); s++) {
    if (fuzz_pick(in, 8) == 0) {   /* change an option between steps */
      soma_env_opt o = opts[fuzz_pick(in, (unsigned)(n ? n : 1))];
      if (n) soma_env_set(e, &o, 1, err, sizeof err);
      continue;
    }
    int na = e->act_space.kind == SOMA_SPACE_DISCRETE ? 1 : e->act_space.n;
    if (na > 8) na = 8;
    for (int j = 0; j < na; j++)
      action[j] = e->act_space.kind == SOMA_SPACE_DISCRETE && (fuzz_byte(in) & 1)
                      ? (double)fuzz_pick(in, (unsigned)e->act_space.n)
                      : fuzz_number(in);
    if (soma_env_step(e, action, na, &r, err, sizeof err) == 0) {
      FUZZ_ASSERT(isfinite(r.reward), "reward %g", r.reward);
      for (int j = 0; j < e->obs_space.n; j++) FUZZ_ASSERT(!isnan(e->obs[j]), "obs %d is NaN", j);
      if (r.terminated || r.truncated) soma_env_reset(e, 0, 0);
    }
  }
  static uint8_t pixels[64 * 48 * 4];
  soma_canvas c = {64, 48, pixels};
  soma_env_draw(e, &c, 0, 0, 64, 48);
  soma_env_destroy(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_in in = {data, size};
  if (fuzz_byte(&in) & 1) network(&in);
  else world(&in);
  return 0;
}
