/* internal.h — the layout of the engine's objects, shared by the files of sim/ only.
 *
 * Neuron state is structure-of-arrays (one float array per variable, padded to a multiple of
 * 16 and 64-byte aligned). Each thread owns a contiguous, 16-aligned range of every
 * population; it alone updates those neurons and adds into their input ring buffers. */
#ifndef SOMA_INTERNAL_H
#define SOMA_INTERNAL_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

#include "model.h"
#include "npy.h"
#include "soma.h"

#define SOMA_NAME_MAX 64
#define SOMA_ERR_MAX 1024
#define SOMA_ALIGN 64
#define SOMA_BLOCK 16       /* neurons per alignment block (16 floats = one cache line) */
#define SOMA_MAX_INTERVAL 64

/* Spike-source events, sorted by (step, neuron). */
typedef struct soma_events {
  int64_t *step;
  int32_t *id;
  size_t n;
  size_t *cursor;           /* per thread: first event not yet emitted */
} soma_events;

/* A variable set to new values at given steps (step currents, rate changes). */
typedef struct soma_schedule {
  int var;
  int64_t *step;
  double *value;
  size_t n;
} soma_schedule;

/* Independent Poisson drive into a port. */
typedef struct soma_pinput {
  int port;
  double rate, weight;
  double lambda;            /* mean count per step, derived at prepare */
  uint32_t cdf[64];         /* count = #{j : u32 >= cdf[j]} (inversion by table), */
  int cdf_n;                /* entries, or -1: draw through GSL (large lambda) */
  uint32_t stream;
} soma_pinput;

struct soma_pop {
  soma_net *net;
  int index;
  char name[SOMA_NAME_MAX];
  const soma_model *model;
  int n, n_pad;
  int64_t gid0;             /* first global neuron id (populations numbered in order) */
  double *params;
  void *consts;
  float **var;
  int32_t *refr;
  int32_t *spiked;          /* spike flags of the last step, one per neuron */
  float **ring;             /* per port: ring_slots x n_pad, allocated at prepare */
  int *part;                /* threads + 1 boundaries */
  double max_rate;
  uint64_t n_spikes;
  uint64_t chunk_spikes;     /* since the last rate check */
  uint32_t stream;
  soma_events *events;
  soma_schedule *sched;
  int n_sched;
  soma_pinput *pin;
  int n_pin;
  struct soma_proj **out;   /* projections from this population, in creation order */
  int n_out;
};

/* One target thread's share of a projection: CSR rows by presynaptic neuron. */
typedef struct soma_part {
  size_t *row;              /* n_pre + 1 */
  uint32_t *post;           /* target index in the post population */
  float *w;                 /* NULL when every weight is w_const */
  uint16_t *d;              /* NULL when every delay is d_const; steps */
  size_t n;
} soma_part;

struct soma_proj {
  soma_net *net;
  int index;
  char name[SOMA_NAME_MAX];
  soma_pop *pre, *post;
  int port;
  soma_conn_rule rule;
  soma_dist weight_dist, delay_dist;
  double p;
  int k, autapses, multapses;
  uint32_t stream;
  float w_const;
  int weights_set;           /* weights per synapse from a list or soma_proj_set_weights */
  int delays_listed;         /* delays per synapse from a list */
  int d_const;              /* steps, when constant */
  int d_min, d_max;         /* steps */
  size_t n_syn;
  soma_part *part;          /* one per thread */
  struct soma_plastic *plastic;   /* the learning rule, or NULL for static synapses */
  soma_part *whole;         /* all targets in one set of rows, for serial stepping: part[0]
                               with one thread, else a merged copy of the parts made when
                               first needed, dropped when weights change */
};

typedef struct soma_spikes {
  uint32_t *ids;
  size_t len, cap;
  size_t *off;              /* [SOMA_MAX_INTERVAL * n_pops + 1] */
} soma_spikes;

typedef struct soma_thread {
  soma_spikes sp[2];        /* double-buffered by interval parity */
  gsl_rng *rng;
  uint64_t *pop_spikes;     /* spikes per population since the last chunk check */
  uint64_t events;
  char pad[64];
} soma_thread;

struct soma_rec {
  soma_net *net;
  int index;
  char name[2 * SOMA_NAME_MAX + 8];
  soma_pop *pop;
  int is_spikes;
  /* spikes: (stamp step, neuron), stamp step * dt = spike time */
  uint8_t *mask;            /* NULL: all neurons */
  int64_t *steps;
  int32_t *sids;
  size_t n, cap;
  /* state: rows of n_ids floats, one row every `every` steps */
  int var;
  int32_t *ids;
  int n_ids;
  int every;
  int64_t first_stamp;      /* step count at the first sample */
  float *data;
  size_t samples, cap_samples;
  size_t chunk_row0, chunk_rows;
  int64_t chunk_k0;
  int *cols;                /* column indices grouped by owning thread */
  int *col_off;             /* threads + 1 */
  /* streaming to .npy */
  int streaming;
  soma_npy_writer w1, w2;
  size_t streamed;
};

struct soma_net {
  double dt;
  uint32_t seed;
  int threads;
  double max_delay, chunk;
  int parallel;             /* -1 auto, 0 serial, 1 parallel */
  int64_t step;
  char err[SOMA_ERR_MAX];
  soma_pop **pops;
  int n_pops;
  int64_t n_neurons;
  soma_proj **projs;
  int n_projs;
  soma_rec **recs;
  int n_recs;
  struct soma_mod **mods;
  int n_mods;
  struct soma_rpe **rpes;          /* reward-prediction-error sources */
  int n_rpes;
  struct soma_plastic **plastic;   /* the plastic projections' rules, set at prepare */
  int n_plastic;
  soma_progress_fn progress;
  void *progress_user;
  /* prepared for running */
  int prepared;
  int ring_slots;           /* power of two */
  int interval;             /* steps per synchronisation: min delay + 1 */
  soma_thread *ws;
  uint64_t n_events;
  int64_t window_steps;     /* steps since the last rate check */
  int64_t chunks;           /* chunks run since the last prepare */
  double ns_per_step[2];    /* measured: serial [0] and parallel [1] stepping */
  int64_t parallel_steps;   /* steps run by all threads (the rest ran serially) */
};

void *soma__alloc(size_t bytes);         /* zeroed, 64-byte aligned; NULL on failure */
void *soma__alloc_big(size_t bytes);  /* not zeroed; huge pages when large */
void soma__free(void *p);

/* the 16-aligned neuron range of thread t in a population of n_pad neurons */
void soma__partition(int n_pad, int threads, int *part);

/* prepares rings, thread workspaces and derived constants before running */
int soma__prepare(soma_net *net);
void soma__unprepare(soma_net *net);

/* population internals used by the stepper */
/* updates neurons [lo, hi) of pop (16-aligned; hi may be n_pad) for one step on behalf of
 * thread slot t (spike-source cursors); writes the spiking neurons' indices to out */
size_t soma__pop_update(soma_pop *pop, int lo, int hi, int t, int64_t step, float *const *in,
                        gsl_rng *r, uint32_t *out);
int soma__pop_prepare(soma_pop *pop);
void soma__pop_destroy(soma_pop *pop);
void soma__events_seek(soma_events *ev, int threads, int64_t step);

/* modulators and the reward-prediction-error sources that drive them */
soma_net *soma__mod_net(const struct soma_mod *m);
struct soma_rpe *soma__mod_rpe(const struct soma_mod *m);
void soma__mod_set_rpe(struct soma_mod *m, struct soma_rpe *r);
void soma__rpe_destroy(struct soma_rpe *r);
int soma__rpe_prepare(struct soma_rpe *r);
void soma__rpe_sync(struct soma_rpe *r);
double soma__rpe_value(const struct soma_rpe *r, int t);
soma_pop *soma__rpe_critic(const struct soma_rpe *r);
/* the critic's spike counts of the interval's steps, on behalf of thread slot t */
void soma__rpe_interval(struct soma_rpe *r, int t, const uint64_t *counts, int len);
void soma__mod_destroy(struct soma_mod *m);
int soma__mod_prepare(struct soma_mod *m);
double soma__mod_value_at(struct soma_mod *m, int t, int64_t s);

/* projections */
void soma__proj_destroy(soma_proj *proj);
/* rows covering every target, for stepping on one thread (built on first use) */
const soma_part *soma__proj_whole(soma_proj *proj);
void soma__proj_free_whole(soma_proj *proj);
/* plasticity (plastic.h has the rest) */
void soma__plastic_destroy(struct soma_plastic *pl);
void soma__plastic_bounds(const struct soma_plastic *pl, double *w_min, double *w_max);
void soma__deliver(const soma_proj *proj, const soma_part *pt, const uint32_t *ids, size_t n, int64_t step,
                   float *ring, int mask, int n_pad, uint64_t *events);

/* recorders */
void soma__rec_destroy(soma_rec *rec);
int soma__rec_begin_chunk(soma_rec *rec, int64_t s0, int64_t s1);
void soma__rec_sample(soma_rec *rec, int t, int64_t step);
int soma__rec_spikes(soma_rec *rec, int64_t step, const uint32_t *ids, size_t n);
int soma__rec_end_chunk(soma_rec *rec);

/* distributions */
int soma__dist_check(const soma_dist *d, char *msg, size_t len);
double soma__dist_draw(const soma_dist *d, gsl_rng *r);
/* the smallest and largest values d can produce */
void soma__dist_support(const soma_dist *d, double *lo, double *hi);

#endif
