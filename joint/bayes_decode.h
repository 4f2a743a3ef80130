/* bayes_decode.h — the Bayesian population decoder built on fitted Poisson GLMs (glm.h): for
 * each bin, the posterior over a grid of behaviour points is
 *   log p(b | y) = Σ_i [y_i log λ_i(b) − λ_i(b)] + log prior(b) + const,
 * with λ_i(b) the GLM's mean count per bin at b with every history term at its training mean
 * (the decoder does not condition on the neurons' own recent spikes). It returns the maximum a
 * posteriori point and the posterior mean; bins are independent (no temporal prior). */
#ifndef JOINT_BAYES_DECODE_H
#define JOINT_BAYES_DECODE_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "joint/glm.h"

typedef struct joint_bayes_options {
  size_t grid;                        /* points per behaviour column, spanning the GLM's
                                       * training range (grid^d in all); default 40 */
  const gsl_matrix *points;           /* or the candidate points, G × d (NULL: the grid) */
  const gsl_matrix *prior_behaviour;  /* behaviour rows (× d) whose occupancy of the points
                                       * (nearest point, + pseudocount) is the prior; NULL:
                                       * flat prior */
  double pseudocount;                 /* added to each point's occupancy; default 1 */
} joint_bayes_options;

joint_bayes_options joint_bayes_defaults(void);

/* Decodes counts (T × n, the GLM's neurons and bin width, >= 0) into map (T × d: the grid point
 * of highest posterior; ties to the lowest point index) and, unless NULL, mean (T × d: the
 * posterior mean over the points). opt may be NULL. Parallel over blocks of bins, the same for
 * any thread count. Time O(T G n), memory O(G n + threads × 256 G). Returns SOMA_OK, or
 * SOMA_ERR_PARAM / SOMA_ERR_NOMEM with a message. */
int joint_bayes_decode(const joint_glm *glm, const gsl_matrix *counts,
                       const joint_bayes_options *opt, gsl_matrix *map, gsl_matrix *mean,
                       char *err, size_t errlen);

#endif
