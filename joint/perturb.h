/* perturb.h — the perturbations of the robustness part of the scorecard: drop a fraction of
 * the neurons, add Poisson noise to the counts, jitter spikes in time by one bin. Each is a
 * pure function of its input and a seed (counter-based Philox), returning a new matrix, the
 * same bit for bit for any thread count. Rows are time bins, columns neurons. */
#ifndef JOINT_PERTURB_H
#define JOINT_PERTURB_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>

/* *out = x (T × N) without round(fraction N) of its columns, chosen uniformly at random by
 * seed; the N − round(fraction N) kept columns stay in their original order, and kept (NULL,
 * or room for N entries) receives their indices. fraction in [0, 1), at least one column kept
 * (0.3 of 10 columns keeps exactly 7). */
int joint_perturb_drop(const gsl_matrix *x, double fraction, uint32_t seed, gsl_matrix **out,
                       size_t *kept, char *err, size_t errlen);

/* *out = x + independent Poisson draws, entry (t, j) with mean level × (the mean of column j
 * of x): spurious spikes at level times each neuron's own rate (level 0.5 adds half as many
 * spikes again). level >= 0; column means must be >= 0 (counts or rates). */
int joint_perturb_poisson(const gsl_matrix *x, double level, uint32_t seed, gsl_matrix **out,
                          char *err, size_t errlen);

typedef enum {
  JOINT_JITTER_ENTRY,    /* each (bin, neuron) entry moves by −1, 0 or +1 bins */
  JOINT_JITTER_NEURON    /* each neuron's whole train moves by −1 or +1 bins */
} joint_jitter_mode;

/* *out = x with time jittered by up to one bin, uniformly at random by seed.
 * JOINT_JITTER_ENTRY: the content of each entry (t, j) is added to (t + δ, j), δ ∈ {−1, 0,
 * +1} drawn per entry; a move past the first or last bin stays put, so every column keeps its
 * sum (the spikes of one bin move together). JOINT_JITTER_NEURON: column j is shifted by
 * δ_j ∈ {−1, +1} drawn per neuron, the bin left empty at the edge repeating its neighbour (a
 * lag between neurons). T >= 2. */
int joint_perturb_jitter(const gsl_matrix *x, joint_jitter_mode mode, uint32_t seed,
                         gsl_matrix **out, char *err, size_t errlen);

#endif
