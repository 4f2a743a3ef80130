/* plastic.c — making projections plastic: the rule registry, per-synapse and per-neuron
 * state, the transposed index, the queues of arriving spikes, and the step loop's hooks. */
#include "plastic.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "param.h"

static const soma_rule *const rules[] = {&soma_rule_stdp, &soma_rule_triplet,
                                         &soma_rule_stdp_dopamine, &soma_rule_td_ltp,
                                         &soma_rule_pred_error};
#define N_RULES ((int)(sizeof rules / sizeof *rules))

int soma_rule_count(void) { return N_RULES; }
const char *soma_rule_name(int i) { return i >= 0 && i < N_RULES ? rules[i]->name : NULL; }

const soma_rule *soma__rule_find(const char *name) {
  for (int i = 0; name && i < N_RULES; i++)
    if (!strcmp(rules[i]->name, name)) return rules[i];
  return NULL;
}

int soma_rule_describe(const char *name, FILE *f) {
  const soma_rule *r = soma__rule_find(name);
  if (!r) return SOMA_ERR_PARAM;
  fprintf(f, "%s — %s\n\nparameters:\n", r->name, r->doc);
  for (int i = 0; i < r->n_params; i++) {
    const soma_param_def *p = &r->params[i];
    fprintf(f, "  %-10s %-6s default %-8g %s\n", p->name, p->unit, p->def, p->doc);
  }
  if (r->uses_modulator) fprintf(f, "\nreads a neuromodulator (soma_mod_create)\n");
  return SOMA_OK;
}

static int param_index(const soma_rule *r, const char *name) {
  for (int i = 0; i < r->n_params; i++)
    if (!strcmp(r->params[i].name, name)) return i;
  return -1;
}

/* ms as whole steps, at most 2^30 (an interval beyond that never comes in a run) */
static int every_steps(double ms, double dt) {
  double steps = ms / dt;
  return steps >= 1073741824.0 ? 1073741824 : (int)llround(steps);
}

int soma__decay_table(soma_plastic *pl, int j, double tau, double dt) {
  double span = 25 * tau / dt;   /* exp(-25) ~ 1e-11: beyond that, 0 */
  int n = span > 1 << 22 ? 1 << 22 : (int)span + 2;
  float *t = realloc(pl->table[j], sizeof(float) * (size_t)n);
  if (!t) return SOMA_ERR_NOMEM;
  for (int k = 0; k < n; k++) t[k] = (float)exp(-(double)k * dt / tau);
  pl->table[j] = t;
  pl->table_n[j] = n;
  return SOMA_OK;
}

/* ---- attaching a rule ---------------------------------------------------------------- */

static void free_state(soma_plastic *pl, int threads) {
  if (!pl) return;
  for (int t = 0; pl->syn && t < threads; t++) free(pl->syn[t]);
  free(pl->syn);
  for (int t = 0; pl->pre && t < threads; t++) free(pl->pre[t]);
  free(pl->pre);
  free(pl->colpre);
  for (int v = 0; pl->post && v < pl->rule->post_vars; v++) free(pl->post[v]);
  free(pl->post);
  free(pl->t_post);
  free(pl->colptr);
  free(pl->col);
  for (int t = 0; pl->queue && t < threads; t++) {
    for (int s = 0; pl->queue[t].ks && s < pl->slots; s++) free(pl->queue[t].ks[s]);
    free(pl->queue[t].ks);
    free(pl->queue[t].len);
    free(pl->queue[t].cap);
  }
  free(pl->queue);
  for (int t = 0; pl->row_last && t < threads; t++) free(pl->row_last[t]);
  for (int t = 0; pl->row_quiet && t < threads; t++) free(pl->row_quiet[t]);
  free(pl->row_last);
  free(pl->row_quiet);
  for (int j = 0; j < 5; j++) free(pl->table[j]);
  free(pl->rate);
  free(pl->rate_t);
  float **cons[9] = {pl->c_prev, pl->c_omega, pl->c_start, pl->c_anchor, pl->c_imp,
                     pl->fs_base, pl->fs_fast, pl->fs_slow, pl->fs_prev};
  for (int a = 0; a < 9; a++) {
    for (int t = 0; cons[a] && t < threads; t++) free(cons[a][t]);
    free(cons[a]);
  }
  free(pl->consts);
  free(pl->target);
  free(pl->target_trace);
  free(pl->target_t);
  free(pl);
}

void soma__plastic_destroy(soma_plastic *pl) {
  if (pl) free_state(pl, pl->proj->net->threads);
}

static int fail(soma_proj *pr, const char *fmt, const char *a, const char *b) {
  char msg[1024];
  snprintf(msg, sizeof msg, fmt, a, b);
  return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': %s", pr->name, msg);
}

/* the transposed index over the post population: synapses onto i, in part order */
static int build_columns(soma_plastic *pl) {
  soma_proj *pr = pl->proj;
  const int T = pr->net->threads, n_post = pr->post->n;
  pl->colptr = calloc((size_t)n_post + 1, sizeof(size_t));
  pl->col = malloc(sizeof(uint32_t) * (pr->n_syn ? pr->n_syn : 1));
  if (pl->per_pre) pl->colpre = malloc(sizeof(uint32_t) * (pr->n_syn ? pr->n_syn : 1));
  if (!pl->colptr || !pl->col || (pl->per_pre && !pl->colpre)) return SOMA_ERR_NOMEM;
  for (int t = 0; t < T; t++)
    for (size_t k = 0; k < pr->part[t].n; k++) pl->colptr[pr->part[t].post[k] + 1]++;
  for (int i = 0; i < n_post; i++) pl->colptr[i + 1] += pl->colptr[i];
  size_t *fill = malloc(sizeof(size_t) * ((size_t)n_post + 1));
  if (!fill) return SOMA_ERR_NOMEM;
  memcpy(fill, pl->colptr, sizeof(size_t) * ((size_t)n_post + 1));
  for (int t = 0; t < T; t++)
    for (int i = 0; i < pr->pre->n; i++)
      for (size_t k = pr->part[t].row[i]; k < pr->part[t].row[i + 1]; k++) {
        size_t at = fill[pr->part[t].post[k]]++;
        pl->col[at] = (uint32_t)k;
        if (pl->per_pre) pl->colpre[at] = (uint32_t)i;
      }
  free(fill);
  return SOMA_OK;
}

static int alloc_state(soma_plastic *pl) {
  soma_proj *pr = pl->proj;
  const size_t T = (size_t)pr->net->threads;
  const soma_rule *r = pl->rule;
  pl->per_pre = 1;
  for (size_t t = 0; t < T; t++) pl->per_pre &= pr->part[t].d == NULL;
  pl->syn_off = pl->per_pre ? 0 : 1 + r->pre_vars;
  pl->stride = pl->syn_off + r->syn_vars;
  pl->syn = calloc(T, sizeof(soma_slot *));
  pl->pre = calloc(T, sizeof(soma_slot *));
  pl->queue = calloc(T, sizeof(soma_queue));
  pl->row_last = calloc(T, sizeof(int64_t *));
  pl->row_quiet = calloc(T, sizeof(unsigned char *));
  if (!pl->syn || !pl->pre || !pl->queue || !pl->row_last || !pl->row_quiet) return SOMA_ERR_NOMEM;
  for (size_t t = 0; t < T; t++) {
    /* rows start active (a first tick clamps every weight), and fall quiet when unused */
    size_t n_pre = (size_t)pr->pre->n ? (size_t)pr->pre->n : 1;
    if (!(pl->row_last[t] = calloc(n_pre, sizeof(int64_t))) ||
        !(pl->row_quiet[t] = calloc(n_pre, 1)))
      return SOMA_ERR_NOMEM;
    size_t n = pr->part[t].n ? pr->part[t].n : 1;
    if (pl->stride && !(pl->syn[t] = calloc(n * (size_t)pl->stride, sizeof(soma_slot)))) return SOMA_ERR_NOMEM;
    if (pl->per_pre &&
        !(pl->pre[t] = calloc((size_t)pr->pre->n * (size_t)(1 + r->pre_vars), sizeof(soma_slot))))
      return SOMA_ERR_NOMEM;
  }
  int n_pad = pr->post->n_pad;
  pl->post = calloc((size_t)(r->post_vars ? r->post_vars : 1), sizeof(float *));
  pl->t_post = calloc((size_t)n_pad, sizeof(int64_t));
  if (!pl->post || !pl->t_post) return SOMA_ERR_NOMEM;
  for (int v = 0; v < r->post_vars; v++)
    if (!(pl->post[v] = calloc((size_t)n_pad, sizeof(float)))) return SOMA_ERR_NOMEM;
  return build_columns(pl);
}

/* every synapse gets its own weight, initialised from the constant */
static int own_weights(soma_proj *pr) {
  for (int t = 0; t < pr->net->threads; t++) {
    soma_part *pt = &pr->part[t];
    if (pt->w || !pt->n) continue;
    if (!(pt->w = soma__alloc_big(sizeof(float) * pt->n))) return SOMA_ERR_NOMEM;
    for (size_t k = 0; k < pt->n; k++) pt->w[k] = pr->w_const;
  }
  return SOMA_OK;
}

int soma_proj_plastic(soma_proj *pr, const char *rule_name, const soma_param *params,
                      const char *modulator) {
  soma_net *net = pr->net;
  const soma_rule *r = soma__rule_find(rule_name);
  if (!r) {
    const char *known[16];
    char list[256];
    for (int i = 0; i < N_RULES; i++) known[i] = rules[i]->name;
    soma_join_names(known, sizeof *known, N_RULES, list, sizeof list);
    const char *guess = soma_closest_name(rule_name ? rule_name : "", known, N_RULES);
    char msg[512];
    snprintf(msg, sizeof msg, "unknown learning rule '%s'%s%s%s; rules: %s", rule_name ? rule_name : "(null)",
             guess ? " (did you mean '" : "", guess ? guess : "", guess ? "'?)" : "", list);
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s", pr->name, msg);
  }
  const soma_port_def *port = &pr->post->model->ports[pr->port];
  if (port->sign < 0)
    return fail(pr, "port '%s' takes weights <= 0, and learning rules keep weights in [w_min, "
                "w_max] >= 0: make the inhibitory projection plastic on a conductance port, or "
                "keep it static (%s)", port->name, "");
  double p[32];
  for (int i = 0; i < r->n_params; i++) p[i] = r->params[i].def;
  for (const soma_param *q = params; q && q->name; q++) {
    int i = param_index(r, q->name);
    if (i < 0) {
      const char *known[32];
      char list[512], msg[1024];
      for (int j = 0; j < r->n_params; j++) known[j] = r->params[j].name;
      soma_join_names(known, sizeof *known, r->n_params, list, sizeof list);
      const char *guess = soma_closest_name(q->name, known, r->n_params);
      snprintf(msg, sizeof msg, "rule '%s' has no parameter '%s'%s%s%s; parameters: %s", r->name,
               q->name, guess ? " (did you mean '" : "", guess ? guess : "", guess ? "'?)" : "", list);
      return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s", pr->name, msg);
    }
    p[i] = q->value;
  }
  char msg[512];
  for (int i = 0; i < r->n_params; i++)
    if (soma_param_check(&r->params[i], p[i], msg, sizeof msg))
      return fail(pr, "rule '%s': %s", r->name, msg);
  if (r->check && r->check(p, msg, sizeof msg)) return fail(pr, "rule '%s': %s", r->name, msg);
  int iw0 = param_index(r, "w_min"), iw1 = param_index(r, "w_max");
  double w_min = p[iw0], w_max = p[iw1];
  if (!(w_min < w_max)) return fail(pr, "rule '%s': w_min must be below w_max%s", r->name, "");
  if (port->sign > 0 && w_min < 0)
    return fail(pr, "weights on port '%s' are >= 0, so w_min must be >= 0%s", port->name, "");
  /* the weights must start inside [w_min, w_max] */
  size_t outside = 0;
  for (int t = 0; t < net->threads; t++)
    for (size_t k = 0; k < pr->part[t].n; k++) {
      double w = pr->part[t].w ? pr->part[t].w[k] : pr->w_const;
      outside += w < w_min || w > w_max;
    }
  if (outside) {
    char a[64], b[128];
    snprintf(a, sizeof a, "%zu", outside);
    snprintf(b, sizeof b, "[%g, %g]", w_min, w_max);
    return fail(pr, "%s synapses have weights outside %s, the bounds the rule keeps them in: "
                "give the projection weights within them, or widen w_min/w_max", a, b);
  }
  soma_mod *mod = NULL;
  if (r->uses_modulator) {
    mod = soma_net_find_mod(net, modulator);
    if (!mod) {
      char names[512] = "";
      for (int i = 0; i < net->n_mods; i++) {
        if (i) strncat(names, ", ", sizeof names - strlen(names) - 1);
        strncat(names, soma_mod_name(net->mods[i]), sizeof names - strlen(names) - 1);
      }
      char m2[700];
      snprintf(m2, sizeof m2, "rule '%s' reads a neuromodulator: %s", r->name,
               modulator ? "no modulator of that name" : "name one");
      return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s ('%s'; modulators: %s)",
                           pr->name, m2, modulator ? modulator : "", net->n_mods ? names : "none yet; make one with soma_mod_create");
    }
  } else if (modulator) {
    return fail(pr, "rule '%s' reads no neuromodulator (got '%s')", r->name, modulator);
  }
  if (own_weights(pr)) return soma_net_fail(net, SOMA_ERR_NOMEM, "projection '%s': out of memory", pr->name);
  soma_plastic *pl = calloc(1, sizeof *pl);
  if (!pl) return soma_net_fail(net, SOMA_ERR_NOMEM, "projection '%s': out of memory", pr->name);
  pl->rule = r;
  pl->proj = pr;
  pl->mod = mod;
  memcpy(pl->p, p, sizeof(double) * (size_t)r->n_params);
  int ie = param_index(r, "every");
  pl->every = ie >= 0 ? every_steps(p[ie], net->dt) : 0;
  if (ie >= 0 && pl->every < 1) pl->every = 1;
  if (alloc_state(pl)) {
    free_state(pl, net->threads);
    return soma_net_fail(net, SOMA_ERR_NOMEM, "projection '%s': out of memory for plasticity", pr->name);
  }
  soma__plastic_destroy(pr->plastic);
  pr->plastic = pl;
  /* serial stepping reads the parts themselves, never a merged copy */
  if (pr->whole && pr->whole != pr->part) soma__proj_free_whole(pr);
  pr->whole = NULL;
  soma__unprepare(net);
  return SOMA_OK;
}

void soma__plastic_bounds(const soma_plastic *pl, double *w_min, double *w_max) {
  *w_min = pl->p[param_index(pl->rule, "w_min")];
  *w_max = pl->p[param_index(pl->rule, "w_max")];
}

const char *soma_proj_rule(const soma_proj *pr) {
  return pr->plastic ? pr->plastic->rule->name : NULL;
}

/* ---- running ------------------------------------------------------------------------- */

/* moves queued arrivals to rings of a new size (slot of step s: s & (slots - 1)) */
static int resize_queues(soma_plastic *pl, int slots, int64_t now) {
  const int T = pl->proj->net->threads;
  for (int t = 0; t < T; t++) {
    soma_queue q = {calloc((size_t)slots, sizeof(uint32_t *)), calloc((size_t)slots, sizeof(size_t)),
                    calloc((size_t)slots, sizeof(size_t))};
    if (!q.ks || !q.len || !q.cap) {
      free(q.ks);
      free(q.len);
      free(q.cap);
      return SOMA_ERR_NOMEM;
    }
    soma_queue *old = &pl->queue[t];
    for (int j = 0; old->ks && j < pl->slots; j++) {
      int64_t step = now + (((int64_t)j - now) % pl->slots + pl->slots) % pl->slots;
      int s = (int)(step & (slots - 1));
      q.ks[s] = old->ks[j];
      q.len[s] = old->len[j];
      q.cap[s] = old->cap[j];
    }
    free(old->ks);
    free(old->len);
    free(old->cap);
    *old = q;
  }
  pl->slots = slots;
  return SOMA_OK;
}

int soma__plastic_prepare(soma_net *net, int slots) {
  int n = 0;
  for (int i = 0; i < net->n_projs; i++) n += net->projs[i]->plastic != NULL;
  soma_plastic **list = realloc(net->plastic, sizeof *list * (size_t)(n ? n : 1));
  if (!list) return SOMA_ERR_NOMEM;
  net->plastic = list;
  net->n_plastic = 0;
  for (int i = 0; i < net->n_projs; i++)
    if (net->projs[i]->plastic) list[net->n_plastic++] = net->projs[i]->plastic;
  for (int i = 0; i < net->n_projs; i++) {
    soma_plastic *pl = net->projs[i]->plastic;
    if (!pl) continue;
    if (pl->rule->uses_target && !pl->target && !pl->target_pop)
      return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': rule '%s' learns towards a target: "
                           "give one (target rates, or a population of the same size) before running",
                           pl->proj->name, pl->rule->name);
    if (pl->slots != slots && resize_queues(pl, slots, net->step)) return SOMA_ERR_NOMEM;
    if (pl->rule->prepare && pl->rule->prepare(pl)) return SOMA_ERR_NOMEM;
    if (pl->scale_every && soma__decay_table(pl, 4, pl->scale_tau, net->dt)) return SOMA_ERR_NOMEM;
  }
  return SOMA_OK;
}

int soma__plastic_queue(soma_plastic *pl, int t, const uint32_t *ids, size_t n, int64_t step) {
  const soma_proj *pr = pl->proj;
  const soma_part *pt = &pr->part[t];
  soma_queue *q = &pl->queue[t];
  const int mask = pl->slots - 1;
  for (size_t s = 0; s < n; s++) {
    size_t b = pt->row[ids[s]], e = pt->row[ids[s] + 1];
    if (b == e) continue;
    pl->row_last[t][ids[s]] = step;
    pl->row_quiet[t][ids[s]] = 0;
    /* with one delay, the presynaptic neuron is queued once; else each synapse */
    for (size_t k = b; k < (pl->per_pre ? b + 1 : e); k++) {
      int slot = (int)((step + 1 + (pt->d ? pt->d[k] : pr->d_const)) & mask);
      if (q->len[slot] == q->cap[slot]) {
        size_t cap = q->cap[slot] ? 2 * q->cap[slot] : 256;
        uint32_t *ks = realloc(q->ks[slot], sizeof(uint32_t) * cap);
        if (!ks) return 1;
        q->ks[slot] = ks;
        q->cap[slot] = cap;
      }
      q->ks[slot][q->len[slot]++] = pl->per_pre ? ids[s] : (uint32_t)k;
    }
  }
  return 0;
}

/* frozen learning: the spikes only pass */
SOMA_RULE_ARRIVE(pass_only, soma__no_ltd, soma__no_jump)

size_t soma__plastic_arrivals(soma_plastic *pl, int t, int64_t a, float *ring, int mask, int n_pad) {
  soma_queue *q = &pl->queue[t];
  int slot = (int)(a & (pl->slots - 1));
  size_t n = q->len[slot];
  if (!n) return 0;
  float *in = ring + (size_t)(a & mask) * (size_t)n_pad;
  size_t events = (pl->frozen ? pass_only : pl->rule->arrive)(pl, t, q->ks[slot], n, a, in);
  q->len[slot] = 0;
  return events;
}

void soma__plastic_spikes(soma_plastic *pl, const uint32_t *ids, size_t n, int64_t p) {
  if (pl->frozen) return;
  const int *part = pl->proj->post->part;
  int t = 0;
  for (size_t j = 0; j < n; j++) {
    while ((int)ids[j] >= part[t + 1]) t++;
    if (pl->rule->post) pl->rule->post(pl, t, ids[j], p + 1);
    if (pl->scale_every) {
      uint32_t i = ids[j];
      pl->rate[i] = pl->rate[i] * soma__decay(pl, 4, p + 1 - pl->rate_t[i]) + 1.0f;
      pl->rate_t[i] = p + 1;
    }
  }
}

int soma_proj_scaling(soma_proj *pr, double target_hz, double tau_ms, double gain, double every_ms) {
  soma_plastic *pl = pr->plastic;
  soma_net *net = pr->net;
  if (!pl)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': scaling works on a plastic "
                         "projection; give it a rule first (soma_proj_plastic)", pr->name);
  if (!(target_hz >= 0) || !isfinite(target_hz) || !(tau_ms > 0) || !isfinite(tau_ms) ||
      !(gain >= 0) || !isfinite(gain) || !(every_ms > 0) || every_ms > 1e6)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': scaling needs target >= 0 Hz "
                         "(got %g), tau > 0 ms (%g), gain >= 0 (%g) and every in (0, 1e6] ms (%g)",
                         pr->name, target_hz, tau_ms, gain, every_ms);
  if (!pl->rate) {
    pl->rate = calloc((size_t)pr->post->n_pad, sizeof(float));
    pl->rate_t = calloc((size_t)pr->post->n_pad, sizeof(int64_t));
    if (!pl->rate || !pl->rate_t) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
  }
  pl->scale_target = target_hz;
  pl->scale_tau = tau_ms;
  pl->scale_gain = gain;
  int every = every_steps(every_ms, net->dt);
  pl->scale_every = gain > 0 ? (every < 1 ? 1 : every) : 0;
  soma__unprepare(net);
  return SOMA_OK;
}

int soma_proj_set_rule_param(soma_proj *pr, const char *name, double value) {
  soma_plastic *pl = pr->plastic;
  if (!pl)
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s' has no learning rule", pr->name);
  int i = param_index(pl->rule, name ? name : "");
  if (i < 0) {
    const char *known[32];
    char list[512];
    for (int j = 0; j < pl->rule->n_params; j++) known[j] = pl->rule->params[j].name;
    soma_join_names(known, sizeof *known, pl->rule->n_params, list, sizeof list);
    const char *guess = soma_closest_name(name ? name : "", known, pl->rule->n_params);
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': rule '%s' has no parameter "
                         "'%s'%s%s%s; parameters: %s", pr->name, pl->rule->name, name ? name : "",
                         guess ? " (did you mean '" : "", guess ? guess : "", guess ? "'?)" : "", list);
  }
  if (!strcmp(name, "every") || !strcmp(name, "w_min") || !strcmp(name, "w_max") || !strcmp(name, "nearest"))
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': '%s' is fixed once the rule "
                         "runs; attach the rule again to change it", pr->name, name);
  double p[32];
  memcpy(p, pl->p, sizeof p);
  p[i] = value;
  char msg[512];
  if (soma_param_check(&pl->rule->params[i], value, msg, sizeof msg) ||
      (pl->rule->check && pl->rule->check(p, msg, sizeof msg)))
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': rule '%s': %s", pr->name,
                         pl->rule->name, msg);
  pl->p[i] = value;
  soma__unprepare(pr->net);   /* derived constants again */
  return SOMA_OK;
}

int soma_proj_get_rule_param(const soma_proj *pr, const char *name, double *value) {
  const soma_plastic *pl = pr->plastic;
  int i = pl && name ? param_index(pl->rule, name) : -1;
  if (i < 0) return SOMA_ERR_PARAM;
  *value = pl->p[i];
  return SOMA_OK;
}

static float **alloc_per_synapse(const soma_proj *pr) {
  const int T = pr->net->threads;
  float **a = calloc((size_t)T, sizeof(float *));
  for (int t = 0; a && t < T; t++)
    if (!(a[t] = calloc(pr->part[t].n ? pr->part[t].n : 1, sizeof(float)))) {
      while (t-- > 0) free(a[t]);
      free(a);
      return NULL;
    }
  return a;
}

int soma_proj_consolidation(soma_proj *pr, const char *kind, double lambda, double xi,
                            double every_ms) {
  soma_plastic *pl = pr->plastic;
  soma_net *net = pr->net;
  if (!pl)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': consolidation works on a plastic "
                         "projection; give it a rule first", pr->name);
  int k = kind && !strcmp(kind, "si") ? 0 : kind && !strcmp(kind, "ewc") ? 1 : -1;
  if (k < 0)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': consolidation kind '%s' is "
                         "unknown; use \"si\" (synaptic intelligence) or \"ewc\"", pr->name,
                         kind ? kind : "(null)");
  if (!(lambda >= 0) || !isfinite(lambda) || !(xi > 0) || !isfinite(xi) || !(every_ms > 0) || every_ms > 1e6)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': consolidation needs lambda >= 0 "
                         "(got %g), xi > 0 (%g) and every in (0, 1e6] ms (%g)", pr->name, lambda,
                         xi, every_ms);
  if (!pl->c_prev) {
    pl->c_prev = alloc_per_synapse(pr);
    pl->c_omega = alloc_per_synapse(pr);
    pl->c_start = alloc_per_synapse(pr);
    pl->c_anchor = alloc_per_synapse(pr);
    pl->c_imp = alloc_per_synapse(pr);
    if (!pl->c_prev || !pl->c_omega || !pl->c_start || !pl->c_anchor || !pl->c_imp)
      return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory for consolidation");
    for (int t = 0; t < net->threads; t++)
      for (size_t j = 0; j < pr->part[t].n; j++)
        pl->c_prev[t][j] = pl->c_start[t][j] = pl->c_anchor[t][j] = pr->part[t].w[j];
  }
  pl->cons_kind = k;
  pl->cons_lambda = lambda;
  pl->cons_xi = xi;
  int every = every_steps(every_ms, net->dt);
  pl->cons_every = every < 1 ? 1 : every;
  soma__unprepare(net);
  return SOMA_OK;
}

int soma_proj_consolidate(soma_proj *pr) {
  soma_plastic *pl = pr->plastic;
  if (!pl || !pl->cons_every)
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': turn consolidation on first "
                         "(soma_proj_consolidation)", pr->name);
  for (int t = 0; t < pr->net->threads; t++)
    for (size_t j = 0; j < pr->part[t].n; j++) {
      float w = pr->part[t].w[j], d = w - pl->c_start[t][j];
      pl->c_imp[t][j] += pl->cons_kind == 0 ? pl->c_omega[t][j] / (d * d + (float)pl->cons_xi)
                                            : pl->c_omega[t][j];
      pl->c_anchor[t][j] = pl->c_start[t][j] = pl->c_prev[t][j] = w;
      pl->c_omega[t][j] = 0;
    }
  return SOMA_OK;
}

int soma_proj_importance(const soma_proj *pr, double *out) {
  const soma_plastic *pl = pr->plastic;
  if (!pl || !pl->cons_every) return SOMA_ERR_PARAM;
  size_t o = 0;
  for (int i = 0; i < pr->pre->n; i++)
    for (int t = 0; t < pr->net->threads; t++)
      for (size_t k = pr->part[t].row[i]; k < pr->part[t].row[i + 1]; k++) out[o++] = pl->c_imp[t][k];
  return SOMA_OK;
}

/* every cons_every steps: the path integral, then the pull towards the anchors */
static void consolidation_tick(soma_plastic *pl, int t) {
  const soma_part *pt = &pl->proj->part[t];
  double w_min, w_max;
  soma__plastic_bounds(pl, &w_min, &w_max);
  const float pull = (float)(pl->cons_lambda * pl->cons_every * pl->proj->net->dt);
  float *w = pt->w, *prev = pl->c_prev[t], *om = pl->c_omega[t], *anc = pl->c_anchor[t];
  const float *imp = pl->c_imp[t];
  for (size_t k = 0; k < pt->n; k++) {
    float d = w[k] - prev[k];
    om[k] += d * d;
    float f = pull * imp[k];
    f = f > 1 ? 1 : f;   /* at most all the way back: stable for any lambda */
    float v = w[k] - f * (w[k] - anc[k]);
    w[k] = v < (float)w_min ? (float)w_min : v > (float)w_max ? (float)w_max : v;
    prev[k] = w[k];
  }
}

int soma_proj_fast_slow(soma_proj *pr, double b_fast, double b_slow, double tau_fast,
                        double tau_slow, double every_ms) {
  soma_plastic *pl = pr->plastic;
  soma_net *net = pr->net;
  if (!pl)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': fast and slow weights work on a "
                         "plastic projection; give it a rule first", pr->name);
  if (!(b_fast >= 0) || !(b_slow >= 0) || !isfinite(b_fast) || !isfinite(b_slow) ||
      !(tau_fast > 0) || !(tau_slow > 0) || !(every_ms > 0) || every_ms > 1e6)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': fast and slow weights need "
                         "b_fast, b_slow >= 0 (got %g, %g), tau_fast, tau_slow > 0 ms (%g, %g; inf: "
                         "no forgetting) and every in (0, 1e6] ms (%g)", pr->name, b_fast, b_slow,
                         tau_fast, tau_slow, every_ms);
  if (!pl->fs_base) {
    pl->fs_base = alloc_per_synapse(pr);
    pl->fs_fast = alloc_per_synapse(pr);
    pl->fs_slow = alloc_per_synapse(pr);
    pl->fs_prev = alloc_per_synapse(pr);
    if (!pl->fs_base || !pl->fs_fast || !pl->fs_slow || !pl->fs_prev)
      return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory for fast and slow weights");
    for (int t = 0; t < net->threads; t++)
      for (size_t j = 0; j < pr->part[t].n; j++) pl->fs_base[t][j] = pl->fs_prev[t][j] = pr->part[t].w[j];
  }
  int every = every_steps(every_ms, net->dt);
  pl->fs_every = every < 1 ? 1 : every;
  double span = pl->fs_every * net->dt;
  pl->fs_af = (float)(isinf(tau_fast) ? 1.0 : exp(-span / tau_fast));
  pl->fs_as = (float)(isinf(tau_slow) ? 1.0 : exp(-span / tau_slow));
  pl->fs_bf = (float)b_fast;
  pl->fs_bs = (float)b_slow;
  soma__unprepare(net);
  return SOMA_OK;
}

int soma_proj_weight_parts(const soma_proj *pr, double *fast, double *slow) {
  const soma_plastic *pl = pr->plastic;
  if (!pl || !pl->fs_every) return SOMA_ERR_PARAM;
  size_t o = 0;
  for (int i = 0; i < pr->pre->n; i++)
    for (int t = 0; t < pr->net->threads; t++)
      for (size_t k = pr->part[t].row[i]; k < pr->part[t].row[i + 1]; k++, o++) {
        if (fast) fast[o] = pl->fs_fast[t][k];
        if (slow) slow[o] = pl->fs_slow[t][k];
      }
  return SOMA_OK;
}

/* the rule's change since the last tick, split into fast and slow parts that forget */
static void fast_slow_tick(soma_plastic *pl, int t) {
  const soma_part *pt = &pl->proj->part[t];
  double w_min, w_max;
  soma__plastic_bounds(pl, &w_min, &w_max);
  float *w = pt->w, *base = pl->fs_base[t], *f = pl->fs_fast[t], *sl = pl->fs_slow[t], *prev = pl->fs_prev[t];
  for (size_t k = 0; k < pt->n; k++) {
    float d = w[k] - prev[k];
    f[k] = pl->fs_af * f[k] + pl->fs_bf * d;
    sl[k] = pl->fs_as * sl[k] + pl->fs_bs * d;
    float v = base[k] + f[k] + sl[k];
    w[k] = prev[k] = v < (float)w_min ? (float)w_min : v > (float)w_max ? (float)w_max : v;
  }
}

/* homeostatic scaling of the weights onto part t's neurons, at stamp s */
static void scale(soma_plastic *pl, int t, int64_t s) {
  const soma_proj *pr = pl->proj;
  double w_min, w_max;
  soma__plastic_bounds(pl, &w_min, &w_max);
  const float hz = (float)(1000.0 / pl->scale_tau);
  const float g = (float)(pl->scale_gain * pl->scale_every * pr->net->dt);
  const float target = (float)pl->scale_target, lo = (float)w_min, hi = (float)w_max;
  float *w = pr->part[t].w;
  int i1 = pr->post->part[t + 1] < pr->post->n ? pr->post->part[t + 1] : pr->post->n;
  for (int i = pr->post->part[t]; i < i1; i++) {
    float r = pl->rate[i] * soma__decay(pl, 4, s - pl->rate_t[i]) * hz;
    float f = 1.0f + g * (target - r);
    if (f == 1.0f) continue;
    for (size_t j = pl->colptr[i]; j < pl->colptr[i + 1]; j++) {
      float *wk = &w[pl->col[j]], v = *wk * f;
      *wk = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

void soma__plastic_target_spikes(soma_plastic *pl, const uint32_t *ids, size_t n, int64_t p) {
  for (size_t j = 0; j < n; j++) {
    uint32_t i = ids[j];
    pl->target_trace[i] = pl->target_trace[i] * soma__decay(pl, 1, p + 1 - pl->target_t[i]) + 1.0f;
    pl->target_t[i] = p + 1;
  }
}

int soma_proj_set_target(soma_proj *pr, const double *hz, int n) {
  soma_plastic *pl = pr->plastic;
  if (!pl || !pl->rule->uses_target)
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': targets are for rules that "
                         "learn to predict (pred_error); this one is %s", pr->name,
                         pl ? pl->rule->name : "static");
  if (n != 1 && n != pr->post->n)
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': %d targets for %d neurons of "
                         "'%s'; give one per neuron, or one for all", pr->name, n, pr->post->n,
                         pr->post->name);
  for (int i = 0; i < n; i++)
    if (!isfinite(hz[i]) || hz[i] < 0)
      return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': target %d is %g Hz; targets "
                           "are rates >= 0", pr->name, i + 1, hz[i]);
  if (!pl->target && !(pl->target = calloc((size_t)pr->post->n_pad, sizeof(float))))
    return soma_net_fail(pr->net, SOMA_ERR_NOMEM, "out of memory");
  for (int i = 0; i < pr->post->n; i++) pl->target[i] = (float)hz[n == 1 ? 0 : i];
  pl->target_pop = NULL;
  soma__unprepare(pr->net);
  return SOMA_OK;
}

int soma_proj_set_target_pop(soma_proj *pr, soma_pop *target) {
  soma_plastic *pl = pr->plastic;
  if (!pl || !pl->rule->uses_target)
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': targets are for rules that "
                         "learn to predict (pred_error); this one is %s", pr->name,
                         pl ? pl->rule->name : "static");
  if (target->net != pr->net || target->n != pr->post->n)
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s': the target population must "
                         "belong to the same network and have as many neurons as '%s' (%d; '%s' "
                         "has %d): neuron i teaches neuron i", pr->name, pr->post->name,
                         pr->post->n, target->name, target->n);
  if (!pl->target_trace) {
    pl->target_trace = calloc((size_t)target->n_pad, sizeof(float));
    pl->target_t = calloc((size_t)target->n_pad, sizeof(int64_t));
    if (!pl->target_trace || !pl->target_t)
      return soma_net_fail(pr->net, SOMA_ERR_NOMEM, "out of memory");
  }
  pl->target_pop = target;
  soma__unprepare(pr->net);
  return SOMA_OK;
}

int soma_proj_learning(soma_proj *pr, int on) {
  if (!pr->plastic)
    return soma_net_fail(pr->net, SOMA_ERR_PARAM, "projection '%s' has no learning rule", pr->name);
  pr->plastic->frozen = !on;
  return SOMA_OK;
}

void soma__plastic_tick(soma_plastic *pl, int t, int slot, int64_t p) {
  if (pl->frozen) return;
  if (pl->scale_every && (p + 1) % pl->scale_every == 0) scale(pl, t, p + 1);
  if (pl->cons_every && (p + 1) % pl->cons_every == 0) consolidation_tick(pl, t);
  if (pl->every && (p + 1) % pl->every == 0) {
    double m = pl->mod ? soma__mod_value_at(pl->mod, slot, p + 1) : 0;
    pl->rule->tick(pl, t, p + 1, m);
  }
  if (pl->fs_every && (p + 1) % pl->fs_every == 0) fast_slow_tick(pl, t);
}
