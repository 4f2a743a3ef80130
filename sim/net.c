/* net.c — the network container and the step loop.
 *
 * Step order within a step: input arriving now is added (ring-buffer slot of this step) →
 * schedules and Poisson drive → neuron update, threshold, reset → spikes listed per thread.
 * Threads then run min_delay + 1 steps without talking to each other: a spike emitted in
 * step k with delay d steps lands in the slot of step k + 1 + d, which lies beyond the
 * interval. After one barrier each thread delivers every spike of the interval into its own
 * targets, in the order (step, population, projection, source neuron, synapse), so every
 * target sums its inputs in the same order whatever the number of threads. */
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "internal.h"
#include "plastic.h"
#include "rng.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/* Denormal floats (conductances decaying towards 0) cost a hundred cycles each on x86; the
 * step loop flushes them to zero, the same way on every thread, and restores the caller's mode. */
static unsigned fpu_fast(void) {
  unsigned old = _mm_getcsr();
  _mm_setcsr(old | 0x8040);   /* FTZ | DAZ */
  return old;
}
static void fpu_restore(unsigned old) { _mm_setcsr(old); }
#else
static unsigned fpu_fast(void) { return 0; }
static void fpu_restore(unsigned old) { (void)old; }
#endif

int soma_net_fail(soma_net *net, int code, const char *fmt, ...) {
  if (!net) return code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(net->err, sizeof net->err, fmt, ap);
  va_end(ap);
  return code;
}

void *soma__alloc(size_t bytes) {
  size_t rounded = (bytes + SOMA_ALIGN - 1) / SOMA_ALIGN * SOMA_ALIGN;
  void *p = aligned_alloc(SOMA_ALIGN, rounded ? rounded : SOMA_ALIGN);
  if (p) memset(p, 0, rounded ? rounded : SOMA_ALIGN);
  return p;
}

/* Large arrays (synapses, rings) on 2 MB boundaries with transparent huge pages requested:
 * 512 times fewer page faults when they are first written, fewer TLB misses when read. */
void *soma__alloc_big(size_t bytes) {
  const size_t huge = (size_t)2 << 20;
  if (bytes < 2 * huge) return malloc(bytes ? bytes : 1);
  size_t rounded = (bytes + huge - 1) / huge * huge;
  void *p = aligned_alloc(huge, rounded);
#ifdef MADV_HUGEPAGE
  if (p) madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void soma__free(void *p) { free(p); }

void soma__partition(int n_pad, int threads, int *part) {
  int blocks = n_pad / SOMA_BLOCK;
  for (int t = 0; t <= threads; t++)
    part[t] = (int)((int64_t)blocks * t / threads) * SOMA_BLOCK;
}

soma_net_config soma_net_defaults(void) {
  soma_net_config c = {.dt = 0.1, .seed = 1, .threads = 1, .max_delay = 500, .chunk = 100,
                       .parallel = -1};
  return c;
}

soma_net *soma_net_create(const soma_net_config *cfg, char *err, size_t errlen) {
  soma_net_config c = cfg ? *cfg : soma_net_defaults();
  char why[256] = "";
  if (!(c.dt >= 1e-4) || !(c.dt <= 10))   /* below 1e-4 ms, counts of steps overflow */
    snprintf(why, sizeof why, "dt must be > 0, from 0.0001 to 10 ms (got %g)",
             isnan(c.dt) ? NAN : c.dt);
  else if (c.threads < 1 || c.threads > 1024)
    snprintf(why, sizeof why, "threads must be between 1 and 1024 (got %d)", c.threads);
  else if (!(c.max_delay >= c.dt) || !isfinite(c.max_delay) || c.max_delay / c.dt > 65535)
    snprintf(why, sizeof why, "max_delay must be between dt and 65535 dt = %g ms (got %g)",
             65535 * c.dt, c.max_delay);
  else if (!(c.chunk >= c.dt) || !(c.chunk <= 1e7))
    snprintf(why, sizeof why, "chunk must be >= dt and <= 1e7 ms (got %g ms)", c.chunk);
  else if (c.parallel < -1 || c.parallel > 1)
    snprintf(why, sizeof why, "parallel must be -1 (auto), 0 or 1 (got %d)", c.parallel);
  if (*why) {
    if (err && errlen) snprintf(err, errlen, "network: %s", why);
    return NULL;
  }
  soma_net *net = calloc(1, sizeof *net);
  if (!net) {
    if (err && errlen) snprintf(err, errlen, "network: out of memory");
    return NULL;
  }
  net->dt = c.dt;
  net->seed = c.seed;
  net->threads = c.threads;
  net->max_delay = c.max_delay;
  net->chunk = c.chunk;
  net->parallel = c.parallel;
  return net;
}

static void free_workspace(soma_net *net) {
  if (!net->ws) return;
  for (int t = 0; t < net->threads; t++) {
    for (int b = 0; b < 2; b++) {
      free(net->ws[t].sp[b].ids);
      free(net->ws[t].sp[b].off);
    }
    free(net->ws[t].pop_spikes);
    soma_gsl_rng_free(net->ws[t].rng);
  }
  soma__free(net->ws);
  net->ws = NULL;
}

void soma_net_destroy(soma_net *net) {
  if (!net) return;
  for (int i = 0; i < net->n_recs; i++) soma__rec_destroy(net->recs[i]);
  for (int i = 0; i < net->n_projs; i++) soma__proj_destroy(net->projs[i]);
  for (int i = 0; i < net->n_pops; i++) soma__pop_destroy(net->pops[i]);
  for (int i = 0; i < net->n_mods; i++) soma__mod_destroy(net->mods[i]);
  for (int i = 0; i < net->n_rpes; i++) soma__rpe_destroy(net->rpes[i]);
  free(net->rpes);
  free(net->mods);
  free(net->plastic);
  free(net->recs);
  free(net->projs);
  free(net->pops);
  free_workspace(net);
  free(net);
}

const char *soma_net_errmsg(const soma_net *net) { return net ? net->err : "no network"; }
double soma_net_dt(const soma_net *net) { return net->dt; }
double soma_net_time(const soma_net *net) { return (double)net->step * net->dt; }
int64_t soma_net_steps(const soma_net *net) { return net->step; }
uint32_t soma_net_seed(const soma_net *net) { return net->seed; }
int soma_net_threads(const soma_net *net) { return net->threads; }
uint64_t soma_net_event_count(const soma_net *net) { return net->n_events; }
int64_t soma_net_parallel_steps(const soma_net *net) { return net->parallel_steps; }

void soma_net_set_progress(soma_net *net, soma_progress_fn fn, void *user) {
  net->progress = fn;
  net->progress_user = user;
}

int soma_net_pop_count(const soma_net *net) { return net->n_pops; }
soma_pop *soma_net_pop(const soma_net *net, int i) {
  return i >= 0 && i < net->n_pops ? net->pops[i] : NULL;
}
int soma_net_proj_count(const soma_net *net) { return net->n_projs; }
soma_proj *soma_net_proj(const soma_net *net, int i) {
  return i >= 0 && i < net->n_projs ? net->projs[i] : NULL;
}
int soma_net_rec_count(const soma_net *net) { return net->n_recs; }
soma_rec *soma_net_rec(const soma_net *net, int i) {
  return i >= 0 && i < net->n_recs ? net->recs[i] : NULL;
}

soma_pop *soma_net_find_pop(const soma_net *net, const char *name) {
  for (int i = 0; name && i < net->n_pops; i++)
    if (strcmp(net->pops[i]->name, name) == 0) return net->pops[i];
  return NULL;
}

uint64_t soma_net_spike_count(const soma_net *net) {
  uint64_t n = 0;
  for (int i = 0; i < net->n_pops; i++) n += net->pops[i]->n_spikes;
  return n;
}

uint64_t soma_net_synapse_count(const soma_net *net) {
  uint64_t n = 0;
  for (int i = 0; i < net->n_projs; i++) n += net->projs[i]->n_syn;
  return n;
}

size_t soma_net_synapse_bytes(const soma_net *net) {
  size_t b = 0;
  for (int i = 0; i < net->n_projs; i++) {
    const soma_proj *p = net->projs[i];
    for (int t = 0; t < net->threads; t++) {
      const soma_part *pt = &p->part[t];
      b += sizeof(size_t) * ((size_t)p->pre->n + 1) + pt->n * sizeof(uint32_t);
      if (pt->w) b += pt->n * sizeof(float);
      if (pt->d) b += pt->n * sizeof(uint16_t);
    }
  }
  return b;
}

/* ---- preparing to run ---------------------------------------------------------------- */

void soma__unprepare(soma_net *net) { net->prepared = 0; }

/* Moves pending input to a ring of a new size: slot of absolute step s is s & (slots - 1). */
static int resize_rings(soma_net *net, int slots) {
  for (int i = 0; i < net->n_pops; i++) {
    soma_pop *pop = net->pops[i];
    int ports = pop->model->n_ports;
    if (!ports) continue;
    if (!pop->ring) {
      pop->ring = calloc((size_t)ports, sizeof(float *));
      if (!pop->ring) return SOMA_ERR_NOMEM;
    }
    for (int p = 0; p < ports; p++) {
      float *old = pop->ring[p];
      if (old && slots == net->ring_slots) continue;
      float *ring = soma__alloc(sizeof(float) * (size_t)slots * (size_t)pop->n_pad);
      if (!ring) return SOMA_ERR_NOMEM;
      if (old) {
        for (int k = 0; k < net->ring_slots && k < slots; k++) {
          int64_t s = net->step + k;
          memcpy(ring + (size_t)(s & (slots - 1)) * (size_t)pop->n_pad,
                 old + (size_t)(s & (net->ring_slots - 1)) * (size_t)pop->n_pad,
                 sizeof(float) * (size_t)pop->n_pad);
        }
        soma__free(old);
      }
      pop->ring[p] = ring;
    }
  }
  return SOMA_OK;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int soma__prepare(soma_net *net) {
  if (net->prepared) return SOMA_OK;
  int d_min = SOMA_MAX_INTERVAL, d_max = 1;
  for (int i = 0; i < net->n_projs; i++) {
    const soma_proj *p = net->projs[i];
    if (!p->n_syn) continue;
    if (p->d_min < d_min) d_min = p->d_min;
    if (p->d_max > d_max) d_max = p->d_max;
  }
  int slots = 4;
  while (slots < d_max + 2) slots *= 2;
  if (slots < net->ring_slots) slots = net->ring_slots;   /* never shrink: input in flight */
  if (resize_rings(net, slots))
    return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory for input ring buffers (%d slots)", slots);
  net->ring_slots = slots;
  net->interval = d_min + 1 < SOMA_MAX_INTERVAL ? d_min + 1 : SOMA_MAX_INTERVAL;

  free_workspace(net);
  net->ws = soma__alloc(sizeof(soma_thread) * (size_t)net->threads);
  if (!net->ws) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
  size_t offs = (size_t)SOMA_MAX_INTERVAL * (size_t)net->n_pops + 1;
  for (int t = 0; t < net->threads; t++) {
    soma_thread *ws = &net->ws[t];
    for (int b = 0; b < 2; b++) {
      ws->sp[b].off = calloc(offs, sizeof(size_t));
      ws->sp[b].cap = 1024;
      ws->sp[b].ids = malloc(sizeof(uint32_t) * ws->sp[b].cap);
      if (!ws->sp[b].off || !ws->sp[b].ids) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
    }
    ws->pop_spikes = calloc((size_t)net->n_pops + 1, sizeof(uint64_t));
    ws->rng = soma_gsl_rng_alloc();
    if (!ws->pop_spikes || !ws->rng) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < net->n_pops; i++) soma__pop_prepare(net->pops[i]);
  for (int i = 0; i < net->n_rpes; i++)
    if (soma__rpe_prepare(net->rpes[i])) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
  int rc = soma__plastic_prepare(net, slots);
  if (rc == SOMA_ERR_NOMEM) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory for plasticity");
  if (rc) return rc;
  net->prepared = 1;
  return SOMA_OK;
}

/* ---- running ------------------------------------------------------------------------- */

static int reserve(soma_spikes *sp, size_t more) {
  if (sp->len + more <= sp->cap) return 0;
  size_t cap = sp->cap ? sp->cap * 2 : 1024;
  while (cap < sp->len + more) cap *= 2;
  uint32_t *ids = realloc(sp->ids, sizeof(uint32_t) * cap);
  if (!ids) return 1;
  sp->ids = ids;
  sp->cap = cap;
  return 0;
}

/* Updates for the steps [a, a + len) of an interval: thread t's share of every population,
 * or with `whole` every neuron, each population as one range, on the calling thread
 * (serial stepping, t = 0). The spikes go to thread t's list for this interval. */
static int update(soma_net *net, int t, int whole, int64_t a, int len, int par) {
  const int P = net->n_pops, mask = net->ring_slots - 1;
  soma_thread *ws = &net->ws[t];
  soma_spikes *sp = &ws->sp[par];
  float *in[16];
  const int t0 = whole ? 0 : t, t1 = whole ? net->threads : t + 1;   /* parts this call owns */
  sp->len = 0;
  for (int s = 0; s < len; s++) {
    const int64_t step = a + s;
    /* plastic synapses: the spikes arriving now add their weights, then learn */
    for (int q = 0; q < net->n_plastic; q++) {
      soma_plastic *pl = net->plastic[q];
      soma_pop *post = pl->proj->post;
      for (int tt = t0; tt < t1; tt++)
        ws->events += soma__plastic_arrivals(pl, tt, step, post->ring[pl->proj->port], mask, post->n_pad);
    }
    for (int p = 0; p < P; p++) {
      soma_pop *pop = net->pops[p];
      int lo = whole ? 0 : pop->part[t], hi = whole ? pop->n_pad : pop->part[t + 1];
      sp->off[s * P + p] = sp->len;
      if (reserve(sp, (size_t)(hi - lo))) return 1;
      for (int q = 0; q < pop->model->n_ports; q++)
        in[q] = pop->ring[q] + (size_t)(step & mask) * (size_t)pop->n_pad;
      size_t k = soma__pop_update(pop, lo, hi, t, step, in, ws->rng, sp->ids + sp->len);
      for (int q = 0; q < net->n_plastic && k; q++) {
        if (net->plastic[q]->proj->post == pop)
          soma__plastic_spikes(net->plastic[q], sp->ids + sp->len, k, step);
        if (net->plastic[q]->target_pop == pop)   /* same size, so same thread shares */
          soma__plastic_target_spikes(net->plastic[q], sp->ids + sp->len, k, step);
      }
      sp->len += k;
      ws->pop_spikes[p] += k;
    }
    for (int q = 0; q < net->n_plastic; q++)
      for (int tt = t0; tt < t1; tt++) soma__plastic_tick(net->plastic[q], tt, t, step);
    for (int r = 0; r < net->n_recs; r++)
      if (!net->recs[r]->is_spikes)
        for (int c = whole ? 0 : t; c < (whole ? net->threads : t + 1); c++)
          soma__rec_sample(net->recs[r], c, step);
  }
  sp->off[len * P] = sp->len;
  return 0;
}

/* Delivers every spike of the interval, in the order (step, population, projection, source
 * list, source neuron): into thread t's targets from all threads' lists, or with `whole`
 * into every target from thread 0's list through the merged rows (serial stepping). */
static int deliver(soma_net *net, int t, int whole, int64_t a, int len, int par) {
  const int lists = whole ? 1 : net->threads, P = net->n_pops, mask = net->ring_slots - 1;
  const int t0 = whole ? 0 : t, t1 = whole ? net->threads : t + 1;
  /* reward-prediction errors from the critics' spikes of the interval, for the next one */
  for (int i = 0; i < net->n_rpes; i++) {
    uint64_t counts[SOMA_MAX_INTERVAL];
    int p = soma__rpe_critic(net->rpes[i])->index;
    for (int s = 0; s < len; s++) {
      counts[s] = 0;
      for (int k = 0; k < lists; k++)
        counts[s] += net->ws[k].sp[par].off[s * P + p + 1] - net->ws[k].sp[par].off[s * P + p];
    }
    soma__rpe_interval(net->rpes[i], t, counts, len);
  }
  for (int s = 0; s < len; s++)
    for (int p = 0; p < P; p++) {
      const soma_pop *pop = net->pops[p];
      for (int j = 0; j < pop->n_out; j++) {
        const soma_proj *pr = pop->out[j];
        const soma_part *rows = whole ? pr->whole : &pr->part[t];
        for (int k = 0; k < lists; k++) {
          const soma_spikes *src = &net->ws[k].sp[par];
          size_t b = src->off[s * P + p], e = src->off[s * P + p + 1];
          if (b >= e) continue;
          if (pr->plastic) {   /* queued for the step each synapse receives it (plastic.c) */
            for (int tt = t0; tt < t1; tt++)
              if (soma__plastic_queue(pr->plastic, tt, src->ids + b, e - b, a + s)) return 1;
          } else {
            soma__deliver(pr, rows, src->ids + b, e - b, a + s, pr->post->ring[pr->port], mask,
                          pr->post->n_pad, &net->ws[t].events);
          }
        }
      }
    }
  return 0;
}

/* Appends the interval's spikes, held in the lists of the first `lists` threads, to the
 * spike recordings in (step, neuron) order. */
static int record_spikes(soma_net *net, int64_t a, int len, int par, int lists) {
  const int T = lists, P = net->n_pops;
  for (int r = 0; r < net->n_recs; r++) {
    soma_rec *rec = net->recs[r];
    if (!rec->is_spikes) continue;
    int p = rec->pop->index;
    for (int s = 0; s < len; s++)
      for (int k = 0; k < T; k++) {
        const soma_spikes *src = &net->ws[k].sp[par];
        size_t b = src->off[s * P + p], e = src->off[s * P + p + 1];
        if (b < e && soma__rec_spikes(rec, a + s + 1, src->ids + b, e - b)) return 1;
      }
  }
  return 0;
}

/* Runs steps [s0, s1): one OpenMP thread per share of the neurons, meeting once per
 * interval; or, when that does not pay (small networks, busy machines), all neurons on the
 * calling thread. Both make the same additions in the same order. Returns nonzero when out of
 * memory. */
static int run_chunk(soma_net *net, int64_t s0, int64_t s1, int parallel) {
  const int T = net->threads, L = net->interval;
  int failed = 0;
  if (!parallel) {
    const unsigned fpu = fpu_fast();
    int par = 0;
    for (int64_t a = s0; a < s1 && !failed; a += L, par ^= 1) {
      const int len = (int)(s1 - a < L ? s1 - a : L);
      if (!(failed = update(net, 0, 1, a, len, par))) failed = deliver(net, 0, 1, a, len, par);
      failed = failed || record_spikes(net, a, len, par, 1);
    }
    fpu_restore(fpu);
    return failed;
  }
#pragma omp parallel num_threads(T) reduction(| : failed)
  {
    const int t = omp_get_thread_num();
    const unsigned fpu = fpu_fast();
    int par = 0, bad = 0;
    for (int64_t a = s0; a < s1; a += L, par ^= 1) {
      const int len = (int)(s1 - a < L ? s1 - a : L);
      bad |= update(net, t, 0, a, len, par);
#pragma omp barrier
      if (!bad) bad |= deliver(net, t, 0, a, len, par);
      if (t == 0 && !bad) bad |= record_spikes(net, a, len, par, T);
    }
    failed |= bad;
    fpu_restore(fpu);
  }
  return failed;
}

/* Picks parallel or serial stepping for the next chunk from measured time per step: the
 * first chunks try both, then every 100th chunk re-tries the one not in use. Spikes do not
 * depend on the choice; only the speed does. */
static int choose_parallel(const soma_net *net) {
  if (net->threads == 1 || net->parallel == 0) return 0;
  if (net->parallel == 1) return 1;
  /* large networks: do not pay for a second, merged copy of the synapses to find out */
  if (soma_net_synapse_bytes(net) > ((size_t)64 << 20)) return 1;
  int64_t c = net->chunks;
  if (c < 3) return c != 1;   /* 0: warm-up (not measured), 1: serial, 2: parallel */
  int best = net->ns_per_step[1] <= net->ns_per_step[0];
  return c % 100 == 0 ? !best : best;   /* re-try the other way every 100 chunks */
}

/* Builds the merged rows serial stepping uses (pr->whole), outside the timed part of a
 * chunk, so the step loop only reads them. */
static int prepare_serial(soma_net *net) {
  for (int i = 0; i < net->n_projs; i++)
    if (!soma__proj_whole(net->projs[i]))
      return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory for the synapses of '%s'",
                           net->projs[i]->name);
  return SOMA_OK;
}

/* The first weight of a plastic projection that is NaN or infinite: what a learning rule
 * (with scaling, consolidation, fast and slow parts, all of which end in the weight) can make
 * of extreme parameters or a modulator that ran away. Static weights are checked when set. */
static int check_weights(soma_net *net, const soma_proj *pr, int64_t s1) {
  for (int t = 0; t < net->threads; t++) {
    const soma_part *pt = &pr->part[t];
    if (!pt->w) continue;
    for (size_t k = 0; k < pt->n; k++) {
      if (isfinite(pt->w[k])) continue;
      int lo = 0, hi = pr->pre->n;   /* the row holding synapse k */
      while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (pt->row[mid] <= k) lo = mid;
        else hi = mid;
      }
      return soma_net_fail(net, SOMA_ERR_NUMERIC,
                           "projection '%s' (%s): the weight from '%s' neuron %d to '%s' neuron "
                           "%u became %g by t = %g ms: the learning rule diverged, so the run "
                           "stopped. Check its parameters (learning rates, w_max), its "
                           "modulator and its scaling", pr->name, pr->plastic->rule->name,
                           pr->pre->name, lo, pr->post->name, (unsigned)pt->post[k],
                           isnan(pt->w[k]) ? NAN : (double)pt->w[k], (double)s1 * net->dt);
    }
  }
  return SOMA_OK;
}

/* After each chunk: add up spike counts, judge rates over windows of at least `chunk` ms
 * (accumulated across runs, so short runs are not mistaken for bursts), look for NaN and
 * infinities: in modulators, in the weights of plastic projections (the cause, when there is
 * one, is named first), then in every population's state. */
static int check_chunk(soma_net *net, int64_t s0, int64_t s1) {
  for (int p = 0; p < net->n_pops; p++) {
    soma_pop *pop = net->pops[p];
    uint64_t n = 0;
    for (int t = 0; t < net->threads; t++) {
      n += net->ws[t].pop_spikes[p];
      net->ws[t].pop_spikes[p] = 0;
    }
    pop->n_spikes += n;
    pop->chunk_spikes += n;
  }
  net->window_steps += s1 - s0;
  if (net->window_steps >= llround(net->chunk / net->dt)) {
    double t1 = (double)s1 * net->dt, t0 = (double)(s1 - net->window_steps) * net->dt;
    int bad = -1;
    double bad_rate = 0;
    for (int p = 0; p < net->n_pops; p++) {
      soma_pop *pop = net->pops[p];
      double rate = (double)pop->chunk_spikes / pop->n / ((t1 - t0) * 1e-3);
      pop->chunk_spikes = 0;
      if (bad < 0 && pop->max_rate > 0 && rate > pop->max_rate) bad = p, bad_rate = rate;
    }
    net->window_steps = 0;
    if (bad >= 0)
      return soma_net_fail(net, SOMA_ERR_RUNAWAY,
                           "population '%s' fired at %.1f Hz on average between t = %g and %g ms, "
                           "above its ceiling of %g Hz: the activity is running away, so the run "
                           "stopped at t = %g ms. Check weights and inputs, or raise the ceiling "
                           "(max_rate)",
                           net->pops[bad]->name, bad_rate, t0, t1, net->pops[bad]->max_rate, t1);
  }
  for (int i = 0; i < net->n_mods; i++) {
    double m = soma_mod_value(net->mods[i]);
    if (!isfinite(m))
      return soma_net_fail(net, SOMA_ERR_NUMERIC,
                           "modulator '%s' became %g by t = %g ms, so the run stopped: the "
                           "amounts added to it (m:add, schedules, a critic's TD error times its "
                           "scale) ran away", soma_mod_name(net->mods[i]), m,
                           (double)s1 * net->dt);
  }
  int rc;
  for (int i = 0; i < net->n_projs; i++)
    if (net->projs[i]->plastic && (rc = check_weights(net, net->projs[i], s1))) return rc;
  for (int p = 0; p < net->n_pops; p++) {
    const soma_pop *pop = net->pops[p];
    for (int v = 0; v < pop->model->n_vars; v++)
      for (int i = 0; i < pop->n; i++)
        if (!isfinite(pop->var[v][i]))
          return soma_net_fail(net, SOMA_ERR_NUMERIC,
                               "population '%s' (%s): %s of neuron %d became %g by t = %g ms: the "
                               "integration diverged, so the run stopped. Check the population's "
                               "parameters against dt = %g ms, and the inputs (weights, currents)",
                               pop->name, pop->model->name, pop->model->vars[v].name, i,
                               isnan(pop->var[v][i]) ? NAN : (double)pop->var[v][i],
                               (double)s1 * net->dt, net->dt);
  }
  return SOMA_OK;
}

int soma_net_run(soma_net *net, double ms) {
  double steps = ms / net->dt;
  if (!(ms >= 0) || !isfinite(ms) || steps > 1e15)
    return soma_net_fail(net, SOMA_ERR_PARAM, "run: time must be >= 0 ms (got %g)", ms);
  int64_t n = llround(steps);
  if (fabs(steps - (double)n) > 1e-6 * (steps > 1 ? steps : 1))
    return soma_net_fail(net, SOMA_ERR_PARAM, "run: %g ms is not a multiple of dt = %g ms", ms, net->dt);
  int rc = soma__prepare(net);
  if (rc) return rc;
  for (int i = 0; i < net->n_mods; i++)   /* increments added since the last run */
    if (soma__mod_prepare(net->mods[i])) return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory");
  int64_t end = net->step + n, chunk = llround(net->chunk / net->dt);
  if (chunk < 1) chunk = 1;
  omp_set_dynamic(0);
  while (net->step < end) {
    int64_t s0 = net->step, s1 = s0 + chunk < end ? s0 + chunk : end;
    for (int i = 0; i < net->n_pops; i++)
      if (net->pops[i]->events) soma__events_seek(net->pops[i]->events, net->threads, s0);
    for (int r = 0; r < net->n_recs; r++)
      if ((rc = soma__rec_begin_chunk(net->recs[r], s0, s1))) return rc;
    uint64_t before = 0;
    for (int t = 0; t < net->threads; t++) before += net->ws[t].events;
    int parallel = choose_parallel(net);
    if (!parallel && (rc = prepare_serial(net))) return rc;
    double t0 = now_s();
    if (run_chunk(net, s0, s1, parallel))
      return soma_net_fail(net, SOMA_ERR_NOMEM, "out of memory while running (t = %g ms)",
                           (double)s0 * net->dt);
    if (!parallel)   /* thread 0 stepped alone: the other threads' copies catch up */
      for (int i = 0; i < net->n_rpes; i++) soma__rpe_sync(net->rpes[i]);
    double ns = (now_s() - t0) * 1e9 / (double)(s1 - s0);
    double *est = &net->ns_per_step[parallel];
    if (net->chunks > 0) *est = *est > 0 ? 0.5 * (*est + ns) : ns;
    net->chunks++;
    if (parallel) net->parallel_steps += s1 - s0;
    uint64_t after = 0;
    for (int t = 0; t < net->threads; t++) after += net->ws[t].events;
    net->n_events += after - before;
    net->step = s1;
    for (int r = 0; r < net->n_recs; r++)
      if ((rc = soma__rec_end_chunk(net->recs[r]))) return rc;
    if ((rc = check_chunk(net, s0, s1))) return rc;
    if (net->progress &&
        net->progress(net->progress_user, soma_net_time(net), (double)end * net->dt))
      return SOMA_INTERRUPTED;
  }
  return SOMA_OK;
}
