/* reacher.h — a spiking controller for the center-out reaching world (envs/reach.c) whose
 * internal model of the arm and the cursor lives in synapses with a fast and a slow part, the
 * synaptic form of the two-state model of motor adaptation (Smith, Ghazizadeh & Shadmehr 2006).
 *
 *   soma_reacher *r = soma_reacher_create(&p, err, sizeof err);    p = soma_reacher_defaults()
 *   soma_reacher_trial(r, env, NULL, target, &t, err, sizeof err);  one reach: t.error, t.aim, ...
 *
 * The network: place cells on the ring of targets (a Poisson population, the target's
 * position from the observation through a place encoder) project all to all onto a ring of
 * motor LIF neurons; the initial weights map target direction i onto the motor neurons that
 * prefer it (a von Mises profile), so the motor population's vector points at the target. The
 * population vector of the motor spikes in a planning window is the reach direction; the
 * hand is pushed in that direction by a force pulse. The visual error of the cursor at peak
 * speed (the world's angular_error) is a sensory prediction error: the cursor was expected on
 * the target line. It teaches the target->motor synapses with the engine's delta rule
 * (pred_error): each motor neuron's target rate is what the population did in this trial,
 * turned by minus the error (neuron j is taught the rate the neuron preferring phi_j + error
 * had), so the weights move the next reach to that target against the error. The synapses
 * carry a fast and a slow part (soma_proj_fast_slow): every change of the rule is split
 * b_fast : b_slow between them, and they forget with time constants chosen so that a trial
 * keeps a_fast and a_slow of each. In error-clamp trials the world shows no error, the
 * teacher is the population's own activity, and only forgetting acts. Nothing else stores
 * the adaptation: the reach of the next trial is read from spikes through those weights.
 *
 * One trial is a fixed span of network time, plan_ms + move_ms + learn_ms + gap_ms:
 *   plan   the target is shown (input rates on, the rule's learning rate 0); the motor
 *          spikes of this window give the reach direction (population vector);
 *   move   the world steps every dt of its own (10 ms by default) with the force
 *          force * (cos aim, sin aim) for pulse_ms, then 0; the network runs meanwhile;
 *   learn  the world's visual error at peak speed sets the motor neurons' target rates
 *          (their rates over plan and move, turned by -error_gain * error) and the rule runs
 *          at its learning rate lr;
 *   gap    the input goes silent (the rule off again).
 * Forgetting acts all the time, so the retention per trial is exactly a_fast and a_slow. */
#ifndef SOMA_AGENTS_REACHER_H
#define SOMA_AGENTS_REACHER_H

#include <stddef.h>
#include <stdint.h>

#include "envs/env.h"
#include "sim/soma.h"

typedef struct soma_reacher_params {
  double dt;              /* network step, ms (default 0.1) */
  int threads;            /* default 1 */
  uint64_t seed;          /* network and world seed (default 1) */
  int n_target;           /* place cells on the ring of targets (default 128) */
  double target_width;    /* their tuning, deg: sigma of the place cells = radius * width in
                             rad (default 30: half the peak rate 36 deg away) */
  double target_hz;       /* their peak rate, Hz (default 60) */
  int n_motor;            /* motor neurons on a ring, neuron j preferring 360 j / n deg
                             (default 64) */
  double w_peak;          /* initial weight from a place cell to the motor neuron preferring
                             its direction, pA (default 150) */
  double w_floor;         /* added to every initial weight, pA (default 5) */
  double motor_width;     /* the width of the initial map, deg: weights w_floor + w_peak
                             exp((cos d - 1) / width^2), width in rad (default 30) */
  double w_max;           /* highest weight, pA (default 1000; lowest 0) */
  double noise_hz;        /* background Poisson drive of the motor neurons, Hz (default 3000) */
  double noise_w;         /* its weight, pA (default 40) */
  double lr;              /* delta rule's learning rate, pA/(Hz ms) (default 0.006) */
  double tau_rate;        /* the rule's rate window, ms (default 100) */
  int components;         /* 2: fast and slow parts (default); 1: one part (b_one, a_one) */
  double b_fast, b_slow;  /* share of each change the parts take (defaults 0.75, 0.06) */
  double a_fast, a_slow;  /* fraction of each part kept per trial (defaults 0.92, 0.996) */
  double b_one, a_one;    /* the one part of components = 1 (defaults 0.3, 0.99) */
  double plan_ms;         /* default 100 */
  double move_ms;         /* default 300; a multiple of the world's dt */
  double pulse_ms;        /* the force pulse, at most move_ms (default 200) */
  double force;           /* its size, as a fraction of the world's max_force (default 0.5) */
  double learn_ms;        /* default 100 */
  double gap_ms;          /* default 50 */
  double error_gain;      /* the teacher turns the activity by -error_gain * error (default 1) */
} soma_reacher_params;

soma_reacher_params soma_reacher_defaults(void);

typedef struct soma_reacher soma_reacher;

/* What one trial did. Angles in deg, relative to the target's direction, positive
 * counter-clockwise. */
typedef struct soma_reacher_trial {
  int64_t trial;          /* trials so far, this one included */
  int target;             /* 0..7 */
  double target_angle;    /* deg */
  double aim;             /* the reach direction read from the motor spikes (the command) */
  double hand;            /* the hand's direction at peak speed (world latent hand_error; NaN
                             when the hand did not move) */
  double error;           /* the cursor's direction at peak speed (angular_error): what teaches;
                             0 in error-clamp trials, NaN when unknown (then no learning) */
  double channel_force;   /* N across the force channel at the end of the pulse (NaN without) */
  double plan_spikes;     /* motor spikes of the planning window */
  double weights_total;   /* the direction the target->motor weights give, mean over the 8
                             targets (see soma_reacher_weight_angles) */
  double weights_fast, weights_slow;   /* ... that their fast and their slow parts add */
  double t_ms;            /* network time at the end of the trial */
  int64_t steps;          /* world steps */
  double reward;          /* the world's rewards summed */
  int terminated;         /* the world ended the trial (the cursor stopped on the target) */
} soma_reacher_trial;

/* Builds the network. NULL with a message naming the parameter on bad parameters. */
soma_reacher *soma_reacher_create(const soma_reacher_params *p, char *err, size_t len);
/* NULL is a no-op. */
void soma_reacher_destroy(soma_reacher *r);

/* One reach in env (a "reach" world) to target 0..7 (set as the world's option target), or to
 * the world's own choice (target < 0), moved directly (d = NULL: a world never reset is seeded
 * with the agent's seed) or through a driver. Returns SOMA_OK, or an error with a message (a
 * world other than reach, a world dt that does not divide move_ms, an engine error;
 * SOMA_INTERRUPTED when the run was interrupted). */
int soma_reacher_run_trial(soma_reacher *r, soma_env *env, const soma_env_driver *d, int target,
                           soma_reacher_trial *out, char *err, size_t len);

/* Learning on (1) or off (0): off freezes the weights and their forgetting. */
int soma_reacher_learning(soma_reacher *r, int on);

/* The directions (deg, relative to each target, mean over the 8 targets) that the synaptic
 * drive onto the motor ring points to: for target k the place cells' rates rho_i, the drive
 * D_j = sum_i W_ij rho_i and the angle of sum_j D_j u_j (u_j motor neuron j's preferred
 * direction). total: the weights as they are; fast (slow): the initial weights plus the fast
 * (slow) parts only, minus the angle of the initial weights. A linear read of the internal
 * model, without spikes. */
int soma_reacher_weight_angles(soma_reacher *r, double *total, double *fast, double *slow);

/* The fast and slow parts of the target->motor synapses, root mean square (pA). */
int soma_reacher_parts_rms(soma_reacher *r, double *fast, double *slow);

soma_net *soma_reacher_net(soma_reacher *r);
soma_proj *soma_reacher_proj(soma_reacher *r);     /* target->motor */
const soma_reacher_params *soma_reacher_params_of(const soma_reacher *r);
/* The span of a trial, ms. */
double soma_reacher_trial_ms(const soma_reacher *r);
int64_t soma_reacher_trials(const soma_reacher *r);

#endif
