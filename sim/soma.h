/* soma.h — the public C API of soma's spiking engine (layer sim/).
 *
 * A network (soma_net) holds populations of neurons that share one model, projections that
 * connect them through delayed synapses, inputs, and recorders. Time advances on a fixed
 * grid; soma_net_run() advances it. Every fallible call returns SOMA_OK or a negative code
 * (constructors return NULL) and leaves a message naming the object and the fix in
 * soma_net_errmsg(). A call that fails leaves the network as it was.
 *
 * Units are those of NEST: ms, mV, pA, nS, pF, Hz. */
#ifndef SOMA_H
#define SOMA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SOMA_VERSION "0.1.0"

enum {
  SOMA_OK = 0,
  SOMA_INTERRUPTED = 1,   /* the progress callback asked to stop; state is consistent */
  SOMA_ERR_PARAM = -1,    /* bad argument: name, value, size, range */
  SOMA_ERR_NOMEM = -2,    /* out of memory */
  SOMA_ERR_IO = -3,       /* a file could not be written or read */
  SOMA_ERR_RUNAWAY = -4,  /* a population fired above its rate ceiling */
  SOMA_ERR_NUMERIC = -5,  /* a state variable became NaN or infinite */
};

typedef struct soma_net soma_net;
typedef struct soma_pop soma_pop;
typedef struct soma_proj soma_proj;
typedef struct soma_rec soma_rec;

/* ---- networks ------------------------------------------------------------------------ */

typedef struct soma_net_config {
  double dt;          /* time step, ms (default 0.1) */
  uint32_t seed;      /* every random draw derives from it (default 1) */
  int threads;        /* OpenMP threads (default 1); results do not depend on it */
  double max_delay;   /* longest allowed synaptic delay, ms (default 500) */
  double chunk;       /* simulated ms between progress callbacks and checks (default 100) */
  int parallel;       /* with threads > 1: -1 measure and pick per chunk (default), 0 step on
                         one thread, 1 always use all threads; results are the same */
} soma_net_config;

soma_net_config soma_net_defaults(void);

/* Creates an empty network. Returns NULL and writes a message into err on bad config. */
soma_net *soma_net_create(const soma_net_config *cfg, char *err, size_t errlen);
/* Frees the network and everything in it. NULL is a no-op. */
void soma_net_destroy(soma_net *net);
/* The message of the last failed call on this network ("" if none). */
const char *soma_net_errmsg(const soma_net *net);
/* Records a message as the network's last error and returns code; for code built on top of
 * the engine (network builders, bindings) that reports through the same channel. */
int soma_net_fail(soma_net *net, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Advances the network by ms (a multiple of dt). Returns SOMA_OK, SOMA_INTERRUPTED when the
 * progress callback returned nonzero (the network stops at a consistent step boundary and
 * can be run again), or an error (runaway firing, NaN state) with the network stopped at the
 * end of the chunk where it was detected. */
int soma_net_run(soma_net *net, double ms);

double soma_net_dt(const soma_net *net);
double soma_net_time(const soma_net *net);     /* ms simulated so far */
int64_t soma_net_steps(const soma_net *net);   /* steps simulated so far */
uint32_t soma_net_seed(const soma_net *net);
int soma_net_threads(const soma_net *net);

/* Called between chunks of a run with the time reached and the run's end time (ms).
 * Returning nonzero stops the run with SOMA_INTERRUPTED. */
typedef int (*soma_progress_fn)(void *user, double t_ms, double t_end_ms);
void soma_net_set_progress(soma_net *net, soma_progress_fn fn, void *user);

int soma_net_pop_count(const soma_net *net);
soma_pop *soma_net_pop(const soma_net *net, int index);
soma_pop *soma_net_find_pop(const soma_net *net, const char *name);
int soma_net_proj_count(const soma_net *net);
soma_proj *soma_net_proj(const soma_net *net, int index);
int soma_net_rec_count(const soma_net *net);
soma_rec *soma_net_rec(const soma_net *net, int index);

/* Counters since creation: spikes emitted, synaptic events delivered, synapses. */
uint64_t soma_net_spike_count(const soma_net *net);
uint64_t soma_net_event_count(const soma_net *net);
uint64_t soma_net_synapse_count(const soma_net *net);
/* Steps run with all threads. soma runs a chunk on one thread instead when that is faster
 * (it measures both; the spikes are the same either way). */
int64_t soma_net_parallel_steps(const soma_net *net);
/* Bytes held by synapse storage (targets, weights, delays, row pointers). */
size_t soma_net_synapse_bytes(const soma_net *net);

/* Writes a JSON object describing the network (dt, seed, populations with their models and
 * parameters, projections, recordings) to f. */
void soma_net_describe(const soma_net *net, FILE *f);

/* ---- parameters and distributions ---------------------------------------------------- */

/* A named value; lists of them end with name == NULL. */
typedef struct soma_param {
  const char *name;
  double value;
} soma_param;

typedef enum soma_dist_kind {
  SOMA_DIST_CONST,        /* a */
  SOMA_DIST_UNIFORM,      /* a = low, b = high */
  SOMA_DIST_NORMAL,       /* a = mean, b = standard deviation */
  SOMA_DIST_LOGNORMAL,    /* a = mu, b = sigma of the underlying normal */
  SOMA_DIST_EXPONENTIAL,  /* a = mean */
  SOMA_DIST_GAMMA,        /* a = shape k, b = scale theta */
} soma_dist_kind;

/* A distribution of values, optionally truncated to [lo, hi] by redrawing. */
typedef struct soma_dist {
  soma_dist_kind kind;
  double a, b;
  double lo, hi;          /* -INFINITY / INFINITY when not truncated */
} soma_dist;

soma_dist soma_dist_const(double value);
soma_dist soma_dist_uniform(double low, double high);
soma_dist soma_dist_normal(double mean, double sd);
soma_dist soma_dist_lognormal(double mu, double sigma);
soma_dist soma_dist_exponential(double mean);
soma_dist soma_dist_gamma(double shape, double scale);
soma_dist soma_dist_clip(soma_dist d, double lo, double hi);
/* SOMA_OK, or SOMA_ERR_PARAM with the reason in msg (e.g. "uniform(1, 1): low must be < high"). */
int soma_dist_check(const soma_dist *d, char *msg, size_t len);
/* Writes e.g. "normal(6, 1.5) in [0, inf]" into buf. */
const char *soma_dist_format(const soma_dist *d, char *buf, size_t n);

/* ---- populations --------------------------------------------------------------------- */

/* Creates n neurons of the named model. params sets model parameters and, by the same names,
 * initial values of state variables for every neuron (e.g. {"V_m", -65}); unknown names are
 * errors that suggest the closest known one. Returns NULL on error. */
soma_pop *soma_pop_create(soma_net *net, const char *name, const char *model, int n,
                          const soma_param *params);

const char *soma_pop_name(const soma_pop *pop);
const char *soma_pop_model(const soma_pop *pop);
int soma_pop_size(const soma_pop *pop);
int soma_pop_index(const soma_pop *pop);
/* Global id of the population's neuron 0: populations are numbered one after another. */
int64_t soma_pop_first_id(const soma_pop *pop);
uint64_t soma_pop_spike_count(const soma_pop *pop);

/* Sets a parameter (re-validated with the others) or, by name, a state variable of every
 * neuron. */
int soma_pop_set(soma_pop *pop, const char *name, double value);
/* Sets several parameters and state variables (every neuron) at once, checked together
 * (V_reset below V_th, ...): on error nothing changes. The list ends with name == NULL. */
int soma_pop_set_many(soma_pop *pop, const soma_param *list);
int soma_pop_get_param(const soma_pop *pop, const char *name, double *value);
/* Sets a state variable per neuron from n values, or from a distribution (seeded per neuron,
 * so the values do not depend on the thread count). */
int soma_pop_set_var(soma_pop *pop, const char *var, const double *values, int n);
int soma_pop_set_var_dist(soma_pop *pop, const char *var, const soma_dist *d);
/* Copies a state variable of every neuron into out (n values). */
int soma_pop_get_var(const soma_pop *pop, const char *var, double *out, int n);
/* Direct read access to a state variable's array (float, n entries); NULL if unknown. */
const float *soma_pop_var_data(const soma_pop *pop, const char *var);

/* The run stops with SOMA_ERR_RUNAWAY when the population's mean rate over a chunk exceeds
 * hz (0 disables). Default: 1000 Hz for neurons, none for spike sources. */
int soma_pop_set_max_rate(soma_pop *pop, double hz);

/* Spike sources ("spike_source" model): adds spikes at the given times (ms, rounded to the
 * dt grid, after the current time) to neurons ids. A neuron emits at most one spike per step. */
int soma_pop_add_spikes(soma_pop *pop, size_t n, const int32_t *ids, const double *times);

/* Sets state variable var of every neuron to values[k] at times[k] (ms, increasing, not in
 * the past): step currents ("I_e"), time-varying Poisson rates ("rate"). */
int soma_pop_schedule(soma_pop *pop, const char *var, size_t n, const double *times,
                      const double *values);

/* Independent Poisson spike trains of rate_hz into every neuron's port, each spike adding
 * weight (the port's unit). Cheaper than a Poisson population with a one-to-one projection. */
int soma_pop_poisson_input(soma_pop *pop, const char *port, double rate_hz, double weight);

/* ---- projections --------------------------------------------------------------------- */

typedef enum soma_conn_rule {
  SOMA_CONN_ALL_TO_ALL,
  SOMA_CONN_ONE_TO_ONE,
  SOMA_CONN_BERNOULLI,        /* each pair independently with probability p */
  SOMA_CONN_FIXED_INDEGREE,   /* each target draws k sources */
  SOMA_CONN_FIXED_OUTDEGREE,  /* each source draws k targets */
  SOMA_CONN_LIST,             /* explicit pre/post (and optional weight/delay) arrays */
} soma_conn_rule;

typedef struct soma_conn {
  soma_conn_rule rule;
  double p;                 /* BERNOULLI */
  int k;                    /* FIXED_INDEGREE, FIXED_OUTDEGREE */
  int autapses;             /* allow i -> i when pre == post (default 0) */
  int multapses;            /* allow repeated pairs in fixed-degree rules (default 1) */
  soma_dist weight;         /* in the unit of the target port (default const 1) */
  soma_dist delay;          /* ms, rounded to the dt grid (default const dt) */
  const char *port;         /* receptor port of the target model (default "ex") */
  size_t n;                 /* LIST: number of synapses */
  const int32_t *pre_ids, *post_ids;   /* LIST */
  const double *weights, *delays;      /* LIST, optional (NULL: use weight/delay) */
} soma_conn;

soma_conn soma_conn_defaults(void);
soma_conn soma_conn_rule_bernoulli(double p);
soma_conn soma_conn_rule_fixed_indegree(int k);
soma_conn soma_conn_rule_fixed_outdegree(int k);

/* Connects pre to post. Synapses are drawn at once, seeded by the network seed and the
 * projection's name, so they do not depend on the thread count. Returns NULL on error. */
soma_proj *soma_proj_create(soma_net *net, const char *name, soma_pop *pre, soma_pop *post,
                            const soma_conn *conn);

const char *soma_proj_name(const soma_proj *proj);
soma_pop *soma_proj_pre(const soma_proj *proj);
soma_pop *soma_proj_post(const soma_proj *proj);
size_t soma_proj_size(const soma_proj *proj);
/* Copies the synapses in canonical order (by pre, then post, then creation) into the arrays
 * (each may be NULL; each must hold soma_proj_size() entries). Delays in ms. */
int soma_proj_get(const soma_proj *proj, int32_t *pre, int32_t *post, double *weight,
                  double *delay);
/* Replaces the weights, between runs: n == soma_proj_size() values in the order of
 * soma_proj_get, or n == 1 for one value for all. Values are checked against the port's sign. */
int soma_proj_set_weights(soma_proj *proj, const double *w, size_t n);

/* ---- plasticity ---------------------------------------------------------------------- */

/* Neuromodulators: named signals m(t) = tonic + phasic, the phasic part jumping by the
 * amounts added and decaying with time constant tau (ms; INFINITY: no decay). Modulated
 * learning rules read one by name. */
typedef struct soma_mod soma_mod;
soma_mod *soma_mod_create(soma_net *net, const char *name, double tonic, double tau_ms);
soma_mod *soma_net_find_mod(const soma_net *net, const char *name);
int soma_net_mod_count(const soma_net *net);
soma_mod *soma_net_mod(const soma_net *net, int index);
const char *soma_mod_name(const soma_mod *m);
double soma_mod_tonic(const soma_mod *m);
double soma_mod_tau(const soma_mod *m);
/* The value now (tonic + phasic). */
double soma_mod_value(const soma_mod *m);
/* Adds amount to the phasic part now (a reward, a surprise). */
int soma_mod_add(soma_mod *m, double amount);
int soma_mod_set_tonic(soma_mod *m, double tonic);
/* Adds amounts[k] at times[k] (ms, not in the past) during the coming runs. */
int soma_mod_schedule(soma_mod *m, size_t n, const double *times, const double *amounts);

/* A reward-prediction-error source: the critic population's mean rate nu (Hz, a spike trace
 * over tau_v ms) is the value V = scale * nu + v0, and the continuous-time TD error
 * delta = dV/dt - V / tau_r (per second; tau_r the reward discount time, ms), low-passed over
 * tau_delta ms, is added to the modulator (rewards are its increments: soma_mod_add). Updated
 * after every interval of min_delay + 1 steps. One source per modulator. */
typedef struct soma_rpe soma_rpe;
soma_rpe *soma_rpe_create(soma_net *net, soma_pop *critic, soma_mod *mod, double scale,
                          double v0, double tau_r, double tau_v, double tau_delta);
int soma_net_rpe_count(const soma_net *net);
soma_rpe *soma_net_rpe(const soma_net *net, int index);
double soma_rpe_value(const soma_rpe *r);   /* V now */
double soma_rpe_delta(const soma_rpe *r);   /* delta now */
/* What the modulator receives is gain * delta (gain 1 at creation; 0 mutes the critic, e.g.
 * while an agent replays and computes its own TD errors). SOMA_ERR_PARAM if not finite. */
int soma_rpe_set_gain(soma_rpe *r, double gain);
double soma_rpe_gain(const soma_rpe *r);

/* Makes the projection plastic under the named rule (soma_rule_name lists them), with its
 * parameters by name (unknown names are errors that suggest the closest) and, for modulated
 * rules, the modulator's name. Weights then live per synapse; the rule changes them as the
 * network runs. Between runs. */
int soma_proj_plastic(soma_proj *proj, const char *rule, const soma_param *params,
                      const char *modulator);
/* The teaching signal of a rule that learns to predict (pred_error): target rates (Hz) per
 * postsynaptic neuron (n values, or 1 for all), or a population of as many neurons whose
 * neuron i's rate is neuron i's target. */
int soma_proj_set_target(soma_proj *proj, const double *hz, int n);
int soma_proj_set_target_pop(soma_proj *proj, soma_pop *target);
/* Homeostatic synaptic scaling on a plastic projection, on top of its rule: every every_ms,
 * the weights onto each postsynaptic neuron are multiplied by 1 + gain * every_ms *
 * (target_hz - rate), rate its firing rate over tau_ms (kept in the rule's [w_min, w_max]).
 * Slow (gain ~ 1e-6 per ms per Hz) keeps long runs in a sane regime; gain 0 turns it off. */
int soma_proj_scaling(soma_proj *proj, double target_hz, double tau_ms, double gain,
                      double every_ms);
/* Turns learning off (0) or on (1) between runs: while off, spikes still pass with the
 * current weights, and neither the rule, scaling nor consolidation changes anything. */
int soma_proj_learning(soma_proj *proj, int on);
/* Changes a rule parameter between runs (a learning rate to 0 to test without learning);
 * every, w_min, w_max and nearest are fixed once attached. */
int soma_proj_set_rule_param(soma_proj *proj, const char *name, double value);
int soma_proj_get_rule_param(const soma_proj *proj, const char *name, double *value);

/* Consolidation (continual learning) on a plastic projection. Every every_ms each synapse
 * adds its squared weight change to a running importance and is pulled towards its anchor,
 * dw/dt = -lambda * Omega * (w - anchor). soma_proj_consolidate() ends a task: kind "si"
 * (Synaptic Intelligence, Zenke et al. 2017) adds omega / ((w - w_task_start)^2 + xi) to
 * Omega, "ewc" adds omega (the accumulated squared updates, a Fisher-like importance); anchors
 * become the current weights. */
int soma_proj_consolidation(soma_proj *proj, const char *kind, double lambda, double xi,
                            double every_ms);
int soma_proj_consolidate(soma_proj *proj);
/* Omega per synapse, in the order of soma_proj_get. */
int soma_proj_importance(const soma_proj *proj, double *out);

/* Fast and slow weights (the synaptic two-state model of Smith, Ghazizadeh & Shadmehr 2006):
 * w = w_base + fast + slow. Every every_ms the rule's change since the last tick, d, is
 * split: fast = a_f fast + b_fast d, slow = a_s slow + b_slow d, with a = exp(-every / tau)
 * (tau INFINITY: no forgetting). Learning fast and forgetting fast, learning slow and keeping
 * it: after adaptation and brief counter-adaptation, the weights rebound (spontaneous
 * recovery) when the rule stops changing them. */
int soma_proj_fast_slow(soma_proj *proj, double b_fast, double b_slow, double tau_fast,
                        double tau_slow, double every_ms);
/* The fast and slow parts per synapse (either may be NULL), in the order of soma_proj_get. */
int soma_proj_weight_parts(const soma_proj *proj, double *fast, double *slow);

/* The projection's rule name, or NULL when static. */
const char *soma_proj_rule(const soma_proj *proj);
int soma_rule_count(void);
const char *soma_rule_name(int index);
/* Writes the rule's parameters with units, defaults and bounds to f. */
int soma_rule_describe(const char *name, FILE *f);
/* A published parameter set of a rule (e.g. "triplet", "visual_cortex_all_to_all"), as a
 * list ending with name == NULL; NULL when unknown. */
const soma_param *soma_rule_preset(const char *rule, const char *preset);

/* ---- recorders ----------------------------------------------------------------------- */

/* Records the spikes of a population (all neurons if ids is NULL). */
soma_rec *soma_rec_spikes(soma_net *net, soma_pop *pop, const int32_t *ids, int n_ids);
/* Samples state variable var of the chosen neurons (all if NULL) every interval ms. */
soma_rec *soma_rec_state(soma_net *net, soma_pop *pop, const char *var, const int32_t *ids,
                         int n_ids, double interval);

/* Streams the recording to .npy files in dir as the run goes, instead of keeping it in
 * memory: <pop>.spike_t.npy + <pop>.spike_i.npy, or <pop>.<var>.npy. */
int soma_rec_stream(soma_rec *rec, const char *dir);
/* Writes what is in memory to .npy files in dir (same names), or finishes a stream. */
int soma_rec_write(soma_rec *rec, const char *dir);
/* Writes every recording of the network into dir (which must exist) and dir/meta.json with
 * the network's description (soma_net_describe) and the soma version. */
int soma_net_write(soma_net *net, const char *dir);

const char *soma_rec_name(const soma_rec *rec);   /* "<pop>.spikes" or "<pop>.<var>" */
soma_pop *soma_rec_pop(const soma_rec *rec);
int soma_rec_is_spikes(const soma_rec *rec);
/* Spike recordings in memory: count, then steps (spike time = step * dt) and neuron ids,
 * sorted by step then id. */
size_t soma_rec_spike_count(const soma_rec *rec);
const int64_t *soma_rec_spike_steps(const soma_rec *rec);
const int32_t *soma_rec_spike_ids(const soma_rec *rec);
/* State recordings in memory: samples x columns floats, row-major; times via t0 + k*interval. */
size_t soma_rec_samples(const soma_rec *rec);
int soma_rec_columns(const soma_rec *rec);
const float *soma_rec_data(const soma_rec *rec);
double soma_rec_t0(const soma_rec *rec);
double soma_rec_interval(const soma_rec *rec);
const int32_t *soma_rec_ids(const soma_rec *rec);

/* ---- models -------------------------------------------------------------------------- */

enum { SOMA_MODEL_PARAM = 1, SOMA_MODEL_VAR = 2 };
/* What name is for the model: SOMA_MODEL_PARAM, SOMA_MODEL_VAR, 0 (unknown: msg says so and
 * suggests the closest name) or -1 (unknown model). */
int soma_model_kind(const char *model, const char *name, char *msg, size_t len);
int soma_model_count(void);
const char *soma_model_name(int index);
/* Writes a human-readable table of a model's parameters, variables and ports to f. */
int soma_model_describe(const char *name, FILE *f);

#endif
