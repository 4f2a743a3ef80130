/* contrastive_sampler.h — how CEBRA picks reference, positive and negative time points
 * (cebra/data/single_session.py, cebra/distributions/): 2n draws from the prior, the first n
 * references and the last n negatives, and one positive per reference from the conditional —
 * a fixed time offset, the nearest label to y[ref] + an empirical label change (time_delta) or
 * + Gaussian noise (delta), the same discrete class, or both (mixed). Every draw comes from
 * Philox counters (seed, iteration, sample): no draw depends on a thread. */
#ifndef JOINT_CONTRASTIVE_SAMPLER_H
#define JOINT_CONTRASTIVE_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef enum {
  JOINT_SAMPLE_TIME,        /* prior U[0, T − offset); positive = ref + offset */
  JOINT_SAMPLE_TIME_DELTA,  /* prior U[0, T); positive = nearest label to y[ref] + Δ */
  JOINT_SAMPLE_DELTA,       /* prior U[0, T); positive = nearest label to y[ref] + N(0, δ²I) */
  JOINT_SAMPLE_DISCRETE,    /* prior empirical or class-balanced; positive = same class */
  JOINT_SAMPLE_MIXED        /* prior class-balanced; positive = time_delta within the class */
} joint_sample_mode;

typedef struct joint_contrastive_sampler {
  joint_sample_mode mode;
  size_t T, D;            /* time points; label columns (0 without continuous labels) */
  int time_offset;
  double delta;
  int uniform_prior;      /* discrete: 1 = class-balanced ("uniform"), 0 = "empirical" */
  uint32_t seed;
  double *y, *dy;         /* T × D labels, and Δ[t] = y[t] − y[t − offset] (0 for t < offset) */
  size_t n_classes;
  int *class_of;          /* T: the class number (0 .. n_classes − 1) of each time point */
  size_t *class_start;    /* n_classes + 1: the members of class k are byclass[start[k]..) */
  size_t *byclass;        /* time points grouped by class, ascending within each */
  size_t *sorted;         /* per search group, the members sorted by (y[., 0], index) */
  double *key;            /* y[sorted[i], 0] */
} joint_contrastive_sampler;

/* labels (T × D) are needed by time_delta, delta and mixed; discrete (T) by discrete and mixed.
 * Returns SOMA_OK, or SOMA_ERR_PARAM / SOMA_ERR_NOMEM with a message. */
int joint_contrastive_sampler_init(joint_contrastive_sampler *s, joint_sample_mode mode,
                                   size_t T, const gsl_matrix *labels,
                                   const gsl_vector_int *discrete, int time_offset,
                                   double delta, int uniform_prior, uint32_t seed, char *err,
                                   size_t errlen);
void joint_contrastive_sampler_free(joint_contrastive_sampler *s);

/* The batch of iteration iter: ref, pos, neg (n time points each, in [0, T); not yet clamped
 * to the model's window). */
void joint_contrastive_sampler_draw(const joint_contrastive_sampler *s, uint32_t iter, size_t n,
                                    long *ref, long *pos, long *neg, int nthreads);

/* The time point whose label is nearest (Euclidean) to query (D values), the first on ties;
 * among the members of class `group` in mixed mode, among all time points otherwise. */
size_t joint_contrastive_sampler_nearest(const joint_contrastive_sampler *s,
                                         const double *query, size_t group);

#endif
