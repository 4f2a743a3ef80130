/* readout.h — action readouts from spike counts: a winner-take-all choice among discrete
 * actions (each action a group of neurons; softmax or epsilon exploration) and a population
 * vector over a ring of direction-tuned neurons for continuous 2D actions (with Gaussian
 * exploration noise). Each readout owns a counter-based generator seeded by its parameters, so
 * the same seed and the same counts give the same choices; no call allocates.
 *
 *   soma_wta *w = soma_wta_create(&p, err, sizeof err);      p = soma_wta_defaults(), edited
 *   soma_spike_counts(rec, t0_step, soma_net_steps(net), counts, n, err, sizeof err);
 *   int action = soma_wta_choose(w, counts, n);    soma_wta_probs(w): what it drew from */
#ifndef SOMA_AGENTS_READOUT_H
#define SOMA_AGENTS_READOUT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/soma.h"

/* The largest readout, in neurons. */
#define SOMA_READOUT_MAX_SIZE (1 << 24)

/* Spike counts per neuron of an in-memory spike recording (not one streamed to disk) in a
 * decision window: the spikes of the steps run between two readings of soma_net_steps(),
 * from_step before the run and to_step after it (spike times in (from_step, to_step] * dt).
 * counts holds n values, n the recorded population's size (neurons not recorded count 0).
 * Returns SOMA_OK, or SOMA_ERR_PARAM with a message in err. */
int soma_spike_counts(const soma_rec *rec, int64_t from_step, int64_t to_step, double *counts,
                      int n, char *err, size_t len);

/* ---- winner-take-all over action populations --------------------------------------------- */

typedef struct soma_wta soma_wta;

/* Action a is the neurons [a * group, (a + 1) * group). Its count c_a is their summed spikes.
 * The choice is drawn from p_a = epsilon / n_actions + (1 - epsilon) q_a, where q is the
 * softmax q_a = exp(c_a / T) / sum_b exp(c_b / T) for temperature T > 0, or for T = 0 greedy:
 * uniform over the actions with the most spikes (ties broken at random; no spikes at all is a
 * tie of every action). */
typedef struct soma_wta_params {
  int n_actions;        /* default 4 */
  int group;            /* neurons per action (default 1) */
  double temperature;   /* softmax temperature, in spikes (default 0: greedy) */
  double epsilon;       /* probability of a uniformly random action (default 0) */
  uint64_t seed;        /* default 1 */
} soma_wta_params;

soma_wta_params soma_wta_defaults(void);
/* NULL and a message naming the parameter in err on bad parameters. */
soma_wta *soma_wta_create(const soma_wta_params *p, char *err, size_t len);
/* NULL is a no-op. */
void soma_wta_destroy(soma_wta *w);

/* Chooses an action from counts: n = n_actions * group counts per neuron (summed per action),
 * or n = n_actions counts per action. Counts must be finite and >= 0 (spike counts, or rates).
 * Returns the action (>= 0), or SOMA_ERR_PARAM with a message in soma_wta_errmsg. */
int soma_wta_choose(soma_wta *w, const double *counts, int n);

/* The last choice: counts per action (n_actions values), the probabilities drawn from
 * (n_actions values, summing to 1), and whether it was exploratory (1: not among the actions
 * with the most spikes). Before any choice: zeros. */
const double *soma_wta_counts(const soma_wta *w);
const double *soma_wta_probs(const soma_wta *w);
int soma_wta_explored(const soma_wta *w);

/* Changes the exploration between choices (annealing). SOMA_ERR_PARAM, and no change, on bad
 * values. */
int soma_wta_set_exploration(soma_wta *w, double temperature, double epsilon);
/* Restarts the generator: the choices from here repeat those after creation with this seed. */
void soma_wta_reseed(soma_wta *w, uint64_t seed);

int soma_wta_n_actions(const soma_wta *w);
int soma_wta_group(const soma_wta *w);
double soma_wta_temperature(const soma_wta *w);
double soma_wta_epsilon(const soma_wta *w);
uint64_t soma_wta_choices(const soma_wta *w);   /* choices made since seeding */
const char *soma_wta_errmsg(const soma_wta *w); /* "" if none */

/* ---- population vector for continuous 2D actions ----------------------------------------- */

typedef struct soma_popvec soma_popvec;

/* Neuron i prefers the unit vector u_i = (cos a_i, sin a_i). From counts c_i, the mean vector
 * m = sum c_i u_i / sum c_i (length <= 1; zero when no neuron spiked) gives the action
 * gain * m + noise, the noise drawn from a Gaussian of standard deviation `noise` per
 * component. */
typedef struct soma_popvec_params {
  int n;                /* neurons (default 8) */
  const double *angles; /* preferred directions a_i (rad, 0 along +x, counter-clockwise; copied),
                           or NULL: evenly around the ring, a_i = 2 pi i / n (default) */
  double gain;          /* length of the action when all spikes agree (default 1) */
  double noise;         /* exploration noise, standard deviation per component (default 0) */
  uint64_t seed;        /* default 1 */
} soma_popvec_params;

typedef struct soma_popvec_result {
  double action[2];     /* gain * mean + noise: what to do */
  double mean[2];       /* the mean vector m, before gain and noise */
  double angle;         /* its direction (rad, in (-pi, pi]); NaN when no neuron spiked */
  double length;        /* |m| in [0, 1]: how much the spikes agree */
  double total;         /* sum of the counts */
} soma_popvec_result;

soma_popvec_params soma_popvec_defaults(void);
soma_popvec *soma_popvec_create(const soma_popvec_params *p, char *err, size_t len);
void soma_popvec_destroy(soma_popvec *pv);

/* Reads counts (n values, finite and >= 0) into out. Returns SOMA_OK, or SOMA_ERR_PARAM with
 * a message in soma_popvec_errmsg (out unchanged). */
int soma_popvec_read(soma_popvec *pv, const double *counts, int n, soma_popvec_result *out);

int soma_popvec_set_noise(soma_popvec *pv, double noise);
void soma_popvec_reseed(soma_popvec *pv, uint64_t seed);
int soma_popvec_size(const soma_popvec *pv);
const double *soma_popvec_angles(const soma_popvec *pv);   /* n preferred directions, rad */
double soma_popvec_gain(const soma_popvec *pv);
double soma_popvec_noise(const soma_popvec *pv);
const char *soma_popvec_errmsg(const soma_popvec *pv);

#endif
