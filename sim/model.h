/* model.h — what a neuron model is: one descriptor of data and four small functions.
 *
 * Adding a model is adding one file sim/model_<name>.c that defines a soma_model and listing
 * it in sim/models.c. The engine owns the arrays; a model only reads parameters, derives
 * its constants once per run and updates a range of neurons per step. */
#ifndef SOMA_MODEL_H
#define SOMA_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* A parameter: one value per population, with its unit, default and bounds. */
typedef struct soma_param_def {
  const char *name;
  const char *unit;
  double def;
  double lo, hi;          /* allowed range */
  unsigned flags;         /* SOMA_LO_OPEN / SOMA_HI_OPEN: bound excluded */
  const char *doc;
} soma_param_def;

#define SOMA_LO_OPEN 1u
#define SOMA_HI_OPEN 2u
#define SOMA_INT 4u       /* must be an integer */
#define SOMA_INF_OK 8u    /* -inf or inf allowed (meaning: no bound) */

/* A state variable: one float per neuron, recordable, settable by name. */
typedef struct soma_var_def {
  const char *name;
  const char *unit;
  int init_param;         /* initial value from this parameter index, or -1 for init_value */
  double init_value;
  double lo, hi;          /* values a user may set (inclusive) */
  const char *doc;
} soma_var_def;

/* A receptor port: where a projection's weights go. sign: +1 weights >= 0, -1 <= 0, 0 any. */
typedef struct soma_port_def {
  const char *name;
  const char *unit;
  int sign;
  const char *doc;
} soma_port_def;

/* What a model's step function gets: the neurons [lo, hi) of one population for one step. */
typedef struct soma_step_args {
  const double *params;   /* the population's parameters, in descriptor order */
  const void *consts;     /* derived constants, from prepare() */
  float *const *var;      /* state arrays, in descriptor order */
  float *const *in;       /* per port: input arriving this step (sum of weights); the model
                             adds it into its state and sets it back to 0 */
  int32_t *refr;          /* refractory steps left, per neuron */
  int32_t *spiked;        /* out: 1 where the neuron spikes this step, else 0 */
  int lo, hi;             /* neuron range, multiples of 16 except hi == n_pad */
  int64_t step;           /* the step being computed (time step*dt -> (step+1)*dt) */
  uint32_t seed, stream;  /* for models that draw random numbers (Philox counters) */
  void *extra;            /* model-owned per-population data (spike sources) */
  int thread;
} soma_step_args;

typedef struct soma_model {
  const char *name;
  const char *doc;
  const soma_param_def *params;
  int n_params;
  const soma_var_def *vars;
  int n_vars;
  const soma_port_def *ports;
  int n_ports;
  int is_source;          /* emits spikes without inputs (no ports, no runaway ceiling) */
  size_t consts_size;
  /* Checks relations between parameters (each is already within its bounds); writes a
   * message and returns nonzero when they are inconsistent. May be NULL. */
  int (*check)(const double *p, char *msg, size_t len);
  /* Computes constants (propagators, decay factors) from parameters and dt. */
  void (*prepare)(const double *p, double dt, void *consts);
  /* Updates neurons [lo, hi) by one step: inputs, integration, threshold, reset. */
  void (*step)(const soma_step_args *a);
} soma_model;

/* Threshold, reset and refractory clamp shared by the integrate-and-fire models. v is the
 * freshly integrated potential of a neuron whose refractory count is *r: a refractory neuron
 * stays at v_reset and counts down; otherwise reaching v_th spikes, resets and starts n_ref
 * refractory steps. Returns the potential to store. Branch-free, so loops vectorise. */
static inline float soma_fire(float v, float v_th, float v_reset, int32_t *r, int32_t n_ref,
                              int32_t *spiked) {
  int32_t rr = *r;
  int32_t refractory = rr > 0;
  int32_t s = (refractory ^ 1) & (v >= v_th);
  *spiked = s;
  *r = s * n_ref + (rr - refractory);
  return (s | refractory) ? v_reset : v;
}

/* Table rows shared by the models: parameters, variables and ports with the same meaning. */
#define SOMA_PARAM_MV(name, def, doc) {name, "mV", def, -INFINITY, INFINITY, 0, doc}
#define SOMA_PARAM_MS(name, def, doc) {name, "ms", def, 0, INFINITY, SOMA_LO_OPEN, doc}
#define SOMA_PARAM_C_M(def) {"C_m", "pF", def, 0, INFINITY, SOMA_LO_OPEN, "membrane capacitance"}
#define SOMA_PARAM_G_L(def) {"g_L", "nS", def, 0, INFINITY, SOMA_LO_OPEN, "leak conductance"}
#define SOMA_PARAM_T_REF(def) \
  {"t_ref", "ms", def, 0, INFINITY, 0, "refractory period (V_m clamped to V_reset)"}
#define SOMA_VAR(name, unit, init_param, doc) {name, unit, init_param, 0, -INFINITY, INFINITY, doc}
#define SOMA_VAR_V_M(init_param) SOMA_VAR("V_m", "mV", init_param, "membrane potential")
#define SOMA_VAR_I_E SOMA_VAR("I_e", "pA", -1, "external (DC or stepped) current")
#define SOMA_PORTS_CURRENT(what) \
  {"ex", "pA", 1, "excitatory " what}, {"in", "pA", -1, "inhibitory " what}
#define SOMA_PORTS_CONDUCTANCE \
  {"ex", "nS", 1, "excitatory conductance jump"}, {"in", "nS", 1, "inhibitory conductance jump"}
#define SOMA_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* .params/.vars/.ports and their counts for a model descriptor */
#define SOMA_MODEL_TABLES(p, v, q)                                                   \
  .params = p, .n_params = SOMA_COUNT(p), .vars = v, .n_vars = SOMA_COUNT(v), .ports = q, \
  .n_ports = SOMA_COUNT(q)

/* The common relation "parameter lo must be below parameter hi" with its message, e.g.
 * "V_reset (-45 mV) must be below V_th (-50 mV)". Returns nonzero when violated. */
int soma_check_below(const soma_param_def *defs, const double *p, int lo, int hi, char *msg,
                     size_t len);

const soma_model *soma_model_find(const char *name);
const soma_model *soma_model_at(int index);

/* Index of a parameter, state variable or port by name, or -1. */
int soma_model_param_index(const soma_model *m, const char *name);
int soma_model_var_index(const soma_model *m, const char *name);
int soma_model_port_index(const soma_model *m, const char *name);

/* Number of whole steps in t ms (rounded), used for refractory periods. */
int32_t soma_steps_of(double t, double dt);

/* exp(A h) for an n x n matrix A (row-major), through GSL: exact propagators of linear
 * subthreshold dynamics, robust when time constants coincide. out is n x n. */
void soma_propagator(int n, const double *A, double h, double *out);

/* Spike flags -> ascending indices appended to out; returns how many. */
size_t soma_compact_spikes(const int32_t *spiked, int lo, int hi, uint32_t *out);

#endif
