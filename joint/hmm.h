/* hmm.h — the Poisson hidden Markov model for discrete states of a population: a hidden state
 * s_t in 0..K−1 follows a Markov chain (initial distribution π, transitions P), and given s_t
 * each neuron's count in bin t is Poisson with the rate λ[s_t, i]. Fitted by Baum–Welch (EM
 * with the scaled forward–backward recursions) from seeded k-means++ starts; decoded by
 * Viterbi (the most probable path) or by the posterior state probabilities. */
#ifndef JOINT_HMM_H
#define JOINT_HMM_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct joint_hmm_options {
  int states;          /* K >= 1; default 3 */
  int max_iter;        /* Baum–Welch iterations per start at most; default 200 */
  double tol;          /* stop when the log-likelihood rises by less than tol × |log-lik|;
                        * default 1e-9 */
  int restarts;        /* seeded starts (k-means++ on the count rows, then Lloyd); the one with
                        * the highest final log-likelihood is kept; default 4 */
  uint32_t seed;       /* Philox key of the starts; default 1 */
  double rate_floor;   /* rates stay >= this (counts per bin), so a neuron silent in a state
                        * keeps a finite log-rate; the M-step remains exact under this bound;
                        * default 1e-8 */
} joint_hmm_options;

joint_hmm_options joint_hmm_defaults(void);

typedef struct joint_hmm {
  size_t k, n;                /* states, neurons */
  gsl_matrix *rates;          /* k × n: mean count per bin of each neuron in each state */
  gsl_matrix *trans;          /* k × k: P[i, j] = p(s_{t+1} = j | s_t = i), rows sum to 1 */
  gsl_vector *init;           /* k: p(s_0) */
  gsl_vector *loglik;         /* the kept start's log-likelihood at each iteration (entry k:
                               * after k M-steps; the last is the returned model) */
  int iterations, converged;  /* of the kept start */
  int start;                  /* which start was kept */
  int decreases;              /* iterations of any start whose log-likelihood fell by more
                               * than round-off (1e-9 relative): 0 for a correct EM */
  double max_decrease;        /* the largest relative fall seen (0 if none) */
} joint_hmm;

/* Fits the model to counts (T × n, T >= states, values >= 0 and finite; whole counts or not:
 * log y! is lgamma(y + 1)). Starts run in parallel, each from its own counter-based stream, so
 * the result is the same for any thread count. opt may be NULL. Time O(restarts × iterations ×
 * T (n k + k²)), memory O(threads × T k). Returns SOMA_OK with *out, or SOMA_ERR_PARAM /
 * SOMA_ERR_NOMEM with a message. */
int joint_hmm_fit(const gsl_matrix *counts, const joint_hmm_options *opt, joint_hmm **out,
                  char *err, size_t errlen);

/* NULL is a no-op. */
void joint_hmm_free(joint_hmm *m);

/* gamma (T × k) ← p(s_t = j | all counts) under the model; *loglik (may be NULL) ← log p(counts).
 * The parameters are read from the struct, so they may be set by hand. */
int joint_hmm_posterior(const joint_hmm *m, const gsl_matrix *counts, gsl_matrix *gamma,
                        double *loglik, char *err, size_t errlen);

/* states (T entries) ← the most probable state path (Viterbi; ties to the lower state);
 * *logp (may be NULL) ← its joint log-probability with the counts. */
int joint_hmm_viterbi(const joint_hmm *m, const gsl_matrix *counts, int *states, double *logp,
                      char *err, size_t errlen);

#endif
