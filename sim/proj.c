/* proj.c — projections: connection rules, synapse storage and spike delivery.
 *
 * Synapses are stored in compressed sparse rows by presynaptic neuron, one set of rows per
 * target thread (the thread that owns the postsynaptic neurons). A row holds target indices
 * (uint32), and per-synapse weights (float) and delays (uint16 steps) only when they vary:
 * 4 to 10 bytes per synapse. Rows are sorted by target; repeated pairs keep their draw order.
 *
 * Each thread builds its own rows in two passes (count, then fill) over the same counter-based
 * random draws, so construction is parallel and its result does not depend on the thread
 * count: every draw is keyed by what it decides (the target j, the source i, draw m). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "param.h"
#include "rng.h"

enum { DRAW_BERNOULLI = 1, DRAW_INDEGREE = 2, DRAW_OUTDEGREE = 3 };

soma_conn soma_conn_defaults(void) {
  soma_conn c;
  memset(&c, 0, sizeof c);
  c.rule = SOMA_CONN_ALL_TO_ALL;
  c.multapses = 1;
  c.weight = soma_dist_const(1.0);
  c.delay = soma_dist_const(NAN);   /* NAN: one step (dt) */
  c.port = "ex";
  return c;
}

soma_conn soma_conn_rule_bernoulli(double p) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_BERNOULLI;
  c.p = p;
  return c;
}

soma_conn soma_conn_rule_fixed_indegree(int k) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_FIXED_INDEGREE;
  c.k = k;
  return c;
}

soma_conn soma_conn_rule_fixed_outdegree(int k) {
  soma_conn c = soma_conn_defaults();
  c.rule = SOMA_CONN_FIXED_OUTDEGREE;
  c.k = k;
  return c;
}

const char *soma_proj_name(const soma_proj *proj) { return proj->name; }
soma_pop *soma_proj_pre(const soma_proj *proj) { return proj->pre; }
soma_pop *soma_proj_post(const soma_proj *proj) { return proj->post; }
size_t soma_proj_size(const soma_proj *proj) { return proj->n_syn; }

static void free_parts(soma_part *part, int threads) {
  if (!part) return;
  for (int t = 0; t < threads; t++) {
    free(part[t].row);
    free(part[t].post);
    free(part[t].w);
    free(part[t].d);
  }
  free(part);
}

void soma__proj_free_whole(soma_proj *proj) {
  if (proj->whole && proj->whole != proj->part) free_parts(proj->whole, 1);
  proj->whole = NULL;
}

void soma__proj_destroy(soma_proj *proj) {
  if (!proj) return;
  soma__plastic_destroy(proj->plastic);
  soma__proj_free_whole(proj);
  free_parts(proj->part, proj->net->threads);
  free(proj);
}

/* Concatenating each row's parts in thread order gives the rows of all targets, still sorted
 * by target (threads own ascending ranges), so a target gets the same additions in the same
 * order from either layout. */
const soma_part *soma__proj_whole(soma_proj *pr) {
  const int T = pr->net->threads, n_pre = pr->pre->n;
  if (pr->whole) return pr->whole;
  if (pr->plastic) return pr->part;   /* unused: plastic spikes are queued part by part */
  if (T == 1) return pr->whole = pr->part;
  soma_part *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->n = pr->n_syn;
  w->row = malloc(sizeof(size_t) * ((size_t)n_pre + 1));
  w->post = soma__alloc_big(sizeof(uint32_t) * w->n);
  if (pr->part[0].w) w->w = soma__alloc_big(sizeof(float) * w->n);
  if (pr->part[0].d) w->d = soma__alloc_big(sizeof(uint16_t) * w->n);
  if (!w->row || !w->post || (pr->part[0].w && !w->w) || (pr->part[0].d && !w->d)) {
    free_parts(w, 1);
    return NULL;
  }
  size_t o = 0;
  for (int i = 0; i < n_pre; i++) {
    w->row[i] = o;
    for (int t = 0; t < T; t++) {
      const soma_part *pt = &pr->part[t];
      size_t b = pt->row[i], m = pt->row[i + 1] - b;
      memcpy(w->post + o, pt->post + b, sizeof(uint32_t) * m);
      if (w->w) memcpy(w->w + o, pt->w + b, sizeof(float) * m);
      if (w->d) memcpy(w->d + o, pt->d + b, sizeof(uint16_t) * m);
      o += m;
    }
  }
  w->row[n_pre] = o;
  return pr->whole = w;
}

/* ---- building ------------------------------------------------------------------------ */

typedef struct build {
  const soma_proj *pr;
  const soma_conn *c;
  soma_part *pt;
  int lo, hi;              /* target range of this thread, clipped to the population */
  int fill;                /* 0: count synapses per row; 1: store them */
  size_t *at;              /* count per row, then write position per row */
  uint32_t *list_pos;      /* LIST: original index of each stored synapse */
  uint32_t *draws;         /* k draws */
  uint8_t *seen;           /* n flags for drawing without replacement */
  gsl_rng *r;
  uint32_t w_stream, d_stream;
} build;

static inline void emit(build *b, uint32_t i, uint32_t j, uint32_t id_a, uint32_t id_b,
                        size_t list) {
  if (!b->fill) {
    b->at[i]++;
    return;
  }
  const soma_proj *pr = b->pr;
  const soma_conn *c = b->c;
  size_t pos = b->at[i]++;
  soma_part *pt = b->pt;
  pt->post[pos] = j;
  uint32_t seed = pr->net->seed;
  if (pt->w) {
    if (list != SIZE_MAX && c->weights) {
      pt->w[pos] = (float)c->weights[list];
    } else {
      soma_gsl_rng_reset(b->r, seed, b->w_stream, id_a, id_b, 0);
      pt->w[pos] = (float)soma__dist_draw(&c->weight, b->r);
    }
  }
  if (pt->d) {
    double d;
    if (list != SIZE_MAX && c->delays) {
      d = c->delays[list];
    } else {
      soma_gsl_rng_reset(b->r, seed, b->d_stream, id_a, id_b, 0);
      d = soma__dist_draw(&c->delay, b->r);
    }
    pt->d[pos] = (uint16_t)llround(d / pr->net->dt);
  }
  if (b->list_pos) b->list_pos[pos] = (uint32_t)list;
}

/* k draws from [0, n) without x (x < 0: none), with or without repeats, for element e
 * (a target for in-degrees, a source for out-degrees). With repeats, draw q is word q % 4 of
 * the Philox block (e, kind, q / 4), scaled by a multiply (Lemire); the rare word that would
 * bias the scaling is replaced from a stream of its own (e, kind | REDRAW, q). These loops
 * vectorise. Without repeats, Floyd's algorithm on the stream (e, kind, SEQ). */
enum { REDRAW = 16, SEQ = 0xffffffffu };

static void draw_k(build *b, uint32_t e, uint32_t kind, uint32_t n, int64_t x, int k, int multapses) {
  if (k <= 0) return;   /* nothing to draw (and m may be 0: one neuron without autapses) */
  const uint32_t seed = b->pr->net->seed, stream = b->pr->stream;
  uint32_t m = x >= 0 ? n - 1 : n;
  uint32_t *restrict out = b->draws;
  if (multapses) {
    const uint32_t bias = (uint32_t)(-m) % m;   /* words below this would bias the result */
    const int blocks = (k + 3) / 4;
    int redo = 0;
    for (int q4 = 0; q4 < blocks; q4++) {
      philox4x32_ctr_t w = soma_philox(seed, stream, e, kind, (uint32_t)q4);
      for (int t = 0; t < 4; t++) {
        uint64_t prod = (uint64_t)w.v[t] * m;
        out[4 * q4 + t] = (uint32_t)(prod >> 32);
        redo |= (uint32_t)prod < bias;
      }
    }
    for (int q = 0; redo && q < k; q++) {
      philox4x32_ctr_t w = soma_philox(seed, stream, e, kind, (uint32_t)q / 4);
      if ((uint32_t)((uint64_t)w.v[q % 4] * m) >= bias) continue;
      soma_stream s;
      soma_stream_init(&s, seed, stream, e, kind | REDRAW, (uint32_t)q);
      out[q] = soma_stream_below(&s, m);
    }
  } else {  /* Floyd's algorithm: k distinct values */
    soma_stream s;
    soma_stream_init(&s, seed, stream, e, kind, SEQ);
    int q = 0;
    for (uint32_t r = m - (uint32_t)k; r < m; r++) {
      uint32_t v = soma_stream_below(&s, r + 1);
      if (b->seen[v]) v = r;
      b->seen[v] = 1;
      out[q++] = v;
    }
    for (q = 0; q < k; q++) b->seen[out[q]] = 0;
  }
  if (x >= 0)
    for (int q = 0; q < k; q++)
      if (out[q] >= (uint32_t)x) out[q]++;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void enumerate(build *b) {
  const soma_proj *pr = b->pr;
  const soma_conn *c = b->c;
  const uint32_t seed = pr->net->seed;
  const int n_pre = pr->pre->n, n_post = pr->post->n;
  const int no_aut = pr->pre == pr->post && !c->autapses;
  switch (c->rule) {
    case SOMA_CONN_ALL_TO_ALL:
      for (int j = b->lo; j < b->hi; j++)
        for (int i = 0; i < n_pre; i++)
          if (!(no_aut && i == j)) emit(b, (uint32_t)i, (uint32_t)j, (uint32_t)i, (uint32_t)j, SIZE_MAX);
      break;
    case SOMA_CONN_ONE_TO_ONE:
      for (int j = b->lo; j < b->hi; j++) emit(b, (uint32_t)j, (uint32_t)j, (uint32_t)j, 0, SIZE_MAX);
      break;
    case SOMA_CONN_BERNOULLI: {
      if (c->p <= 0) break;
      double log_q = log1p(-c->p);
      for (int j = b->lo; j < b->hi; j++) {
        soma_stream s;
        soma_stream_init(&s, seed, pr->stream, (uint32_t)j, DRAW_BERNOULLI, 0);
        double i = -1;
        for (;;) {
          /* the gap to the next source is geometric: skip sources that are not drawn */
          i += c->p >= 1 ? 1 : 1 + floor(log(soma_stream_u01(&s)) / log_q);
          if (i >= n_pre) break;
          int ii = (int)i;
          if (!(no_aut && ii == j)) emit(b, (uint32_t)ii, (uint32_t)j, (uint32_t)ii, (uint32_t)j, SIZE_MAX);
        }
      }
      break;
    }
    case SOMA_CONN_FIXED_INDEGREE:
      for (int j = b->lo; j < b->hi; j++) {
        draw_k(b, (uint32_t)j, DRAW_INDEGREE, (uint32_t)n_pre, no_aut ? j : -1, c->k, c->multapses);
        const uint32_t *d = b->draws;
        if (!b->fill && !b->list_pos) {   /* the counting pass, without emit's generality */
          size_t *at = b->at;
          for (int m = 0; m < c->k; m++) at[d[m]]++;
        } else if (!b->pt->w && !b->pt->d) {
          size_t *at = b->at;
          uint32_t *post = b->pt->post;
          for (int m = 0; m < c->k; m++) post[at[d[m]]++] = (uint32_t)j;
        } else {
          for (int m = 0; m < c->k; m++) emit(b, d[m], (uint32_t)j, (uint32_t)j, (uint32_t)m, SIZE_MAX);
        }
      }
      break;
    case SOMA_CONN_FIXED_OUTDEGREE:
      for (int i = 0; i < n_pre; i++) {
        draw_k(b, (uint32_t)i, DRAW_OUTDEGREE, (uint32_t)n_post, no_aut ? i : -1, c->k, c->multapses);
        qsort(b->draws, (size_t)c->k, sizeof(uint32_t), cmp_u32);
        for (int m = 0; m < c->k; m++)
          if ((int)b->draws[m] >= b->lo && (int)b->draws[m] < b->hi)
            emit(b, (uint32_t)i, b->draws[m], (uint32_t)i, (uint32_t)m, SIZE_MAX);
      }
      break;
    case SOMA_CONN_LIST:
      for (size_t k = 0; k < c->n; k++)
        if (c->post_ids[k] >= b->lo && c->post_ids[k] < b->hi)
          emit(b, (uint32_t)c->pre_ids[k], (uint32_t)c->post_ids[k], (uint32_t)k, 0, k);
      break;
  }
}

/* LIST synapses arrive in list order: sort each row by (target, list position). */
typedef struct {
  uint32_t post, pos;
  float w;
  uint16_t d;
} entry;

static int cmp_entry(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->post != y->post) return x->post < y->post ? -1 : 1;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

static int sort_rows(soma_part *pt, const uint32_t *list_pos, int n_pre) {
  for (int i = 0; i < n_pre; i++) {
    size_t b = pt->row[i], e = pt->row[i + 1], n = e - b;
    int sorted = 1;
    for (size_t k = b + 1; k < e && sorted; k++) sorted = pt->post[k - 1] <= pt->post[k];
    if (sorted) continue;
    entry *tmp = malloc(sizeof(entry) * n);
    if (!tmp) return 1;
    for (size_t k = 0; k < n; k++) {
      tmp[k].post = pt->post[b + k];
      tmp[k].pos = list_pos[b + k];
      tmp[k].w = pt->w ? pt->w[b + k] : 0;
      tmp[k].d = pt->d ? pt->d[b + k] : 0;
    }
    qsort(tmp, n, sizeof *tmp, cmp_entry);
    for (size_t k = 0; k < n; k++) {
      pt->post[b + k] = tmp[k].post;
      if (pt->w) pt->w[b + k] = tmp[k].w;
      if (pt->d) pt->d[b + k] = tmp[k].d;
    }
    free(tmp);
  }
  return 0;
}

/* Builds thread t's rows; returns nonzero when out of memory. */
static int build_part(soma_proj *pr, const soma_conn *c, int t, int per_syn_w, int per_syn_d) {
  soma_part *pt = &pr->part[t];
  const soma_pop *post = pr->post;
  int n_pre = pr->pre->n;
  build b = {.pr = pr, .c = c, .pt = pt, .lo = post->part[t], .hi = post->part[t + 1]};
  if (b.hi > post->n) b.hi = post->n;
  if (b.lo > b.hi) b.lo = b.hi;
  b.w_stream = pr->stream ^ 0x57u;
  b.d_stream = pr->stream ^ 0xD1u;
  int k = c->rule == SOMA_CONN_FIXED_INDEGREE || c->rule == SOMA_CONN_FIXED_OUTDEGREE ? c->k : 0;
  size_t n_seen = c->rule == SOMA_CONN_FIXED_INDEGREE ? (size_t)n_pre : (size_t)post->n;
  pt->row = calloc((size_t)n_pre + 1, sizeof(size_t));
  b.at = calloc((size_t)n_pre + 1, sizeof(size_t));
  b.draws = malloc(sizeof(uint32_t) * (size_t)(k + 4));
  b.seen = calloc(n_seen + 1, 1);
  b.r = soma_gsl_rng_alloc();
  int fail = !pt->row || !b.at || !b.draws || !b.seen || !b.r;
  if (!fail) {
    enumerate(&b);                 /* pass 1: count per row */
    size_t n = 0;
    for (int i = 0; i < n_pre; i++) {
      pt->row[i] = n;
      n += b.at[i];
      b.at[i] = pt->row[i];
    }
    pt->row[n_pre] = n;
    pt->n = n;
    pt->post = soma__alloc_big(sizeof(uint32_t) * n);
    if (per_syn_w) pt->w = soma__alloc_big(sizeof(float) * n);
    if (per_syn_d) pt->d = soma__alloc_big(sizeof(uint16_t) * n);
    if (c->rule == SOMA_CONN_LIST) b.list_pos = malloc(sizeof(uint32_t) * (n ? n : 1));
    fail = !pt->post || (per_syn_w && !pt->w) || (per_syn_d && !pt->d) ||
           (c->rule == SOMA_CONN_LIST && !b.list_pos);
    if (!fail) {
      b.fill = 1;
      enumerate(&b);               /* pass 2: the same draws, stored */
      if (b.list_pos) fail = sort_rows(pt, b.list_pos, n_pre);
    }
  }
  free(b.at);
  free(b.draws);
  free(b.seen);
  free(b.list_pos);
  soma_gsl_rng_free(b.r);
  return fail;
}

/* ---- validation ---------------------------------------------------------------------- */

static int name_ok(const char *name) {
  if (!name || !*name || strlen(name) >= SOMA_NAME_MAX) return 0;
  for (const char *p = name; *p; p++)
    if (*p <= ' ' || *p > '~' || *p == '"' || *p == '\\' || *p == '/') return 0;
  return 1;
}

static int check_values(soma_net *net, const char *name, const char *what, const soma_dist *d,
                        double lo_ok, double hi_ok, const char *range, const char *fix) {
  char msg[256], f[128];
  if (soma__dist_check(d, msg, sizeof msg))
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s: %s", name, what, msg);
  double lo, hi;
  soma__dist_support(d, &lo, &hi);
  if (fabs(d->a) > FLT_MAX || fabs(d->b) > FLT_MAX)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s: %s has parameters beyond float range",
                         name, what, soma_dist_format(d, f, sizeof f));
  if (lo < lo_ok || hi > hi_ok)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s must be %s, but %s %s; %s", name,
                      what, range, soma_dist_format(d, f, sizeof f),
                      d->kind == SOMA_DIST_CONST ? "is outside" : "can fall outside", fix);
  return SOMA_OK;
}

static int check_conn(soma_net *net, const char *name, const soma_pop *pre, const soma_pop *post,
                      const soma_conn *c, int port) {
  int same = pre == post;
  const soma_port_def *pd = &post->model->ports[port];
  double w_lo = pd->sign > 0 ? 0 : -INFINITY, w_hi = pd->sign < 0 ? 0 : INFINITY;
  char range[128], fix[192];
  snprintf(range, sizeof range, "%s %s for port '%s' of %s",
           pd->sign > 0 ? ">= 0" : pd->sign < 0 ? "<= 0" : "finite", pd->unit, pd->name,
           post->model->name);
  int in_port = soma_model_port_index(post->model, "in");
  int has_negative_port = in_port >= 0 && post->model->ports[in_port].sign < 0;
  snprintf(fix, sizeof fix, "%s",
           pd->sign > 0 && has_negative_port
               ? "use port 'in' for inhibition, or give the distribution bounds (lo, hi)"
           : pd->sign > 0 ? "inhibitory conductances are positive weights on port 'in'; or give "
                            "the distribution bounds (lo, hi)"
                          : "give the distribution bounds (lo, hi)");
  switch (c->rule) {
    case SOMA_CONN_ALL_TO_ALL: break;
    case SOMA_CONN_ONE_TO_ONE:
      if (pre->n != post->n)
        return soma_net_fail(net, SOMA_ERR_PARAM,
                          "projection '%s': one_to_one needs populations of equal size ('%s' has "
                          "%d neurons, '%s' has %d)", name, pre->name, pre->n, post->name, post->n);
      if (same && !c->autapses)
        return soma_net_fail(net, SOMA_ERR_PARAM,
                          "projection '%s': one_to_one from '%s' to itself connects each neuron to "
                          "itself; allow autapses to do that", name, pre->name);
      break;
    case SOMA_CONN_BERNOULLI:
      if (!(c->p >= 0 && c->p <= 1))
        return soma_net_fail(net, SOMA_ERR_PARAM,
                          "projection '%s': connection probability p must be in [0, 1] (got %g)",
                          name, c->p);
      break;
    case SOMA_CONN_FIXED_INDEGREE:
    case SOMA_CONN_FIXED_OUTDEGREE: {
      int in = c->rule == SOMA_CONN_FIXED_INDEGREE;
      int pool = (in ? pre->n : post->n) - (same && !c->autapses);
      if (c->k < 0)
        return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s k must be >= 0 (got %d)", name,
                          in ? "indegree" : "outdegree", c->k);
      if (c->k > 0 && pool <= 0)
        return soma_net_fail(net, SOMA_ERR_PARAM,
                          "projection '%s': no sources to draw from (a single neuron without autapses)",
                          name);
      if (!c->multapses && c->k > pool)
        return soma_net_fail(net, SOMA_ERR_PARAM,
                          "projection '%s': %s k = %d exceeds the %d distinct %s available without "
                          "multapses", name, in ? "indegree" : "outdegree", c->k, pool,
                          in ? "sources" : "targets");
      if ((double)c->k * (in ? post->n : pre->n) > 4e12)
        return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %g synapses is too many", name,
                          (double)c->k * (in ? post->n : pre->n));
      break;
    }
    case SOMA_CONN_LIST:
      if (c->n && (!c->pre_ids || !c->post_ids))
        return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': a list needs pre and post ids", name);
      if (c->n > UINT32_MAX)
        return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': too many synapses in the list", name);
      for (size_t k = 0; k < c->n; k++) {
        if (c->pre_ids[k] < 0 || c->pre_ids[k] >= pre->n || c->post_ids[k] < 0 ||
            c->post_ids[k] >= post->n)
          return soma_net_fail(net, SOMA_ERR_PARAM,
                            "projection '%s': synapse %zu connects %d -> %d, outside '%s' (0..%d) "
                            "or '%s' (0..%d)", name, k, c->pre_ids[k], c->post_ids[k], pre->name,
                            pre->n - 1, post->name, post->n - 1);
        if (same && !c->autapses && c->pre_ids[k] == c->post_ids[k])
          return soma_net_fail(net, SOMA_ERR_PARAM,
                            "projection '%s': synapse %zu connects neuron %d to itself; allow "
                            "autapses to do that", name, k, c->pre_ids[k]);
        if (c->weights && !(c->weights[k] >= w_lo && c->weights[k] <= w_hi &&
                            fabs(c->weights[k]) <= FLT_MAX))
          return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': weight %zu is %g; weights must be %s",
                            name, k, c->weights[k], range);
        if (c->delays && !(c->delays[k] >= net->dt * (1 - 1e-9) && c->delays[k] <= net->max_delay))
          return soma_net_fail(net, SOMA_ERR_PARAM,
                            "projection '%s': delay %zu is %g ms; delays must be in [dt, max_delay] = "
                            "[%g, %g] ms", name, k, c->delays[k], net->dt, net->max_delay);
      }
      break;
    default:
      return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': unknown connection rule %d", name,
                        (int)c->rule);
  }
  if (!(c->rule == SOMA_CONN_LIST && c->weights) &&
      check_values(net, name, "weights", &c->weight, w_lo, w_hi, range, fix))
    return SOMA_ERR_PARAM;
  char drange[96];
  snprintf(drange, sizeof drange, "in [dt, max_delay] = [%g, %g] ms", net->dt, net->max_delay);
  if (!(c->rule == SOMA_CONN_LIST && c->delays) &&
      check_values(net, name, "delays", &c->delay, net->dt * (1 - 1e-9), net->max_delay, drange,
                   "give the distribution bounds (lo, hi), or raise max_delay"))
    return SOMA_ERR_PARAM;
  return SOMA_OK;
}

soma_proj *soma_proj_create(soma_net *net, const char *name, soma_pop *pre, soma_pop *post,
                            const soma_conn *conn) {
  if (!net) return NULL;
  if (!name_ok(name)) {
    soma_net_fail(net, SOMA_ERR_PARAM,
               "projection name '%s' is not valid: use 1-%d printable characters without spaces, "
               "quotes, '\\' or '/'", name ? name : "(null)", SOMA_NAME_MAX - 1);
    return NULL;
  }
  for (int i = 0; i < net->n_projs; i++)
    if (strcmp(net->projs[i]->name, name) == 0) {
      soma_net_fail(net, SOMA_ERR_PARAM, "a projection named '%s' already exists", name);
      return NULL;
    }
  if (!pre || !post || pre->net != net || post->net != net) {
    soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': %s", name,
               !pre || !post ? "needs a source and a target population"
                             : "populations belong to a different network");
    return NULL;
  }
  soma_conn c = conn ? *conn : soma_conn_defaults();
  if (c.delay.kind == SOMA_DIST_CONST && isnan(c.delay.a)) c.delay.a = net->dt;
  if (!post->model->n_ports) {
    soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': '%s' is a %s population, which takes no input",
               name, post->name, post->model->name);
    return NULL;
  }
  const char *port_name = c.port ? c.port : "ex";
  int port = soma_model_port_index(post->model, port_name);
  if (port < 0) {
    char ports[256];
    soma_join_names(post->model->ports, sizeof(soma_port_def), post->model->n_ports, ports,
                    sizeof ports);
    soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': model '%s' of '%s' has no port '%s' (ports: %s)",
               name, post->model->name, post->name, port_name, ports);
    return NULL;
  }
  if (check_conn(net, name, pre, post, &c, port)) return NULL;

  soma_proj *pr = calloc(1, sizeof *pr);
  soma_proj **projs = realloc(net->projs, sizeof *projs * (size_t)(net->n_projs + 1));
  soma_proj **out = realloc(pre->out, sizeof *out * (size_t)(pre->n_out + 1));
  if (projs) net->projs = projs;
  if (out) pre->out = out;
  if (!pr || !projs || !out) {
    free(pr);
    soma_net_fail(net, SOMA_ERR_NOMEM, "projection '%s': out of memory", name);
    return NULL;
  }
  pr->net = net;
  snprintf(pr->name, sizeof pr->name, "%s", name);
  pr->pre = pre;
  pr->post = post;
  pr->port = port;
  pr->rule = c.rule;
  pr->weight_dist = c.weight;
  pr->delay_dist = c.delay;
  pr->p = c.p;
  pr->k = c.k;
  pr->autapses = c.autapses;
  pr->multapses = c.multapses;
  pr->stream = soma_stream_id("proj", name);
  int per_syn_w = c.weight.kind != SOMA_DIST_CONST || (c.rule == SOMA_CONN_LIST && c.weights);
  int per_syn_d = c.delay.kind != SOMA_DIST_CONST || (c.rule == SOMA_CONN_LIST && c.delays);
  pr->w_const = (float)c.weight.a;
  pr->weights_set = c.rule == SOMA_CONN_LIST && c.weights;
  pr->delays_listed = c.rule == SOMA_CONN_LIST && c.delays;
  pr->d_const = (int)llround(c.delay.a / net->dt);
  pr->part = calloc((size_t)net->threads, sizeof(soma_part));
  int failed = !pr->part;
  if (!failed) {
#pragma omp parallel for num_threads(net->threads) schedule(static, 1) reduction(| : failed)
    for (int t = 0; t < net->threads; t++) failed |= build_part(pr, &c, t, per_syn_w, per_syn_d);
  }
  if (failed) {
    soma__proj_destroy(pr);
    soma_net_fail(net, SOMA_ERR_NOMEM, "projection '%s': out of memory for its synapses", name);
    return NULL;
  }
  pr->d_min = per_syn_d ? 65535 : pr->d_const;
  pr->d_max = per_syn_d ? 1 : pr->d_const;
  for (int t = 0; t < net->threads; t++) {
    const soma_part *pt = &pr->part[t];
    pr->n_syn += pt->n;
    for (size_t k = 0; pt->d && k < pt->n; k++) {
      if (pt->d[k] < pr->d_min) pr->d_min = pt->d[k];
      if (pt->d[k] > pr->d_max) pr->d_max = pt->d[k];
    }
  }
  if (pr->d_min > pr->d_max) pr->d_min = pr->d_max;
  pr->index = net->n_projs;
  net->projs[net->n_projs++] = pr;
  pre->out[pre->n_out++] = pr;
  soma__unprepare(net);
  return pr;
}

int soma_proj_get(const soma_proj *pr, int32_t *pre, int32_t *post, double *weight,
                  double *delay) {
  size_t o = 0;
  for (int i = 0; i < pr->pre->n; i++)
    for (int t = 0; t < pr->net->threads; t++) {
      const soma_part *pt = &pr->part[t];
      for (size_t k = pt->row[i]; k < pt->row[i + 1]; k++, o++) {
        if (pre) pre[o] = i;
        if (post) post[o] = (int32_t)pt->post[k];
        if (weight) weight[o] = pt->w ? pt->w[k] : pr->w_const;
        if (delay) delay[o] = (pt->d ? pt->d[k] : pr->d_const) * pr->net->dt;
      }
    }
  return SOMA_OK;
}

/* Weights come back in canonical order (by pre, then by target thread, then row order), the
 * order soma_proj_get uses, so a script can read, change and write them back. */
int soma_proj_set_weights(soma_proj *pr, const double *w, size_t n) {
  soma_net *net = pr->net;
  const soma_port_def *pd = &pr->post->model->ports[pr->port];
  if (n != 1 && n != pr->n_syn)
    return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': set weights: got %zu values for "
                         "%zu synapses; give one value per synapse (in the order they are read back: by pre, then post) "
                         "or a single value for all", pr->name, n, pr->n_syn);
  for (size_t k = 0; k < n; k++) {
    int bad = !isfinite(w[k]) || fabs(w[k]) > FLT_MAX || (pd->sign > 0 && w[k] < 0) ||
              (pd->sign < 0 && w[k] > 0);
    if (bad)
      return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': set weights: value %zu is %g, "
                           "but weights on port '%s' of %s must be %s %s", pr->name, k + 1,
                           isnan(w[k]) ? NAN : w[k],
                           pd->name, pr->post->model->name,
                           pd->sign > 0 ? ">= 0" : pd->sign < 0 ? "<= 0" : "finite", pd->unit);
  }
  if (pr->plastic) {
    /* a learning rule keeps weights in its bounds, and per synapse */
    double lo, hi;
    soma__plastic_bounds(pr->plastic, &lo, &hi);
    for (size_t k = 0; k < n; k++)
      if (w[k] < lo || w[k] > hi)
        return soma_net_fail(net, SOMA_ERR_PARAM, "projection '%s': set weights: value %zu is %g, "
                             "outside [%g, %g], the bounds of its learning rule", pr->name, k + 1,
                             w[k], lo, hi);
    size_t o = 0;
    for (int i = 0; i < pr->pre->n; i++)
      for (int t = 0; t < net->threads; t++) {
        soma_part *pt = &pr->part[t];
        for (size_t k = pt->row[i]; k < pt->row[i + 1]; k++, o++) pt->w[k] = (float)w[n == 1 ? 0 : o];
      }
    pr->weights_set = n != 1;
    if (n == 1) pr->weight_dist = soma_dist_const(w[0]);
  } else if (n == 1 || pr->n_syn == 0) {
    for (int t = 0; t < net->threads; t++) {
      free(pr->part[t].w);
      pr->part[t].w = NULL;
    }
    pr->w_const = (float)(n ? w[0] : 0);
    pr->weight_dist = soma_dist_const(n ? w[0] : 0);
    pr->weights_set = 0;
  } else {
    for (int t = 0; t < net->threads; t++)
      if (!pr->part[t].w && pr->part[t].n &&
          !(pr->part[t].w = soma__alloc_big(sizeof(float) * pr->part[t].n)))
        return soma_net_fail(net, SOMA_ERR_NOMEM, "projection '%s': out of memory for weights",
                             pr->name);
    size_t o = 0;
    for (int i = 0; i < pr->pre->n; i++)
      for (int t = 0; t < net->threads; t++) {
        soma_part *pt = &pr->part[t];
        for (size_t k = pt->row[i]; k < pt->row[i + 1]; k++) pt->w[k] = (float)w[o++];
      }
    pr->weights_set = 1;
  }
  /* the merged rows of serial stepping hold a copy: rebuild them when next needed */
  soma__proj_free_whole(pr);
  return SOMA_OK;
}

/* ---- delivery ------------------------------------------------------------------------ */

void soma__deliver(const soma_proj *pr, const soma_part *pt, const uint32_t *ids, size_t n,
                   int64_t step, float *ring, int mask, int n_pad, uint64_t *events) {
  const size_t *row = pt->row;
  const uint32_t *post = pt->post;
  const float *w = pt->w;
  const uint16_t *d = pt->d;
  const float wc = pr->w_const;
  uint64_t count = 0;
  for (size_t s = 0; s < n; s++) {
    size_t b = row[ids[s]], e = row[ids[s] + 1];
    if (s + 1 < n) __builtin_prefetch(post + row[ids[s + 1]]);
    count += e - b;
    if (!d) {
      float *slot = ring + (size_t)((step + 1 + pr->d_const) & mask) * (size_t)n_pad;
      if (!w)
        for (size_t k = b; k < e; k++) slot[post[k]] += wc;
      else
        for (size_t k = b; k < e; k++) slot[post[k]] += w[k];
    } else {
      for (size_t k = b; k < e; k++) {
        size_t at = (size_t)((step + 1 + d[k]) & mask) * (size_t)n_pad + post[k];
        ring[at] += w ? w[k] : wc;
      }
    }
  }
  *events += count;
}
