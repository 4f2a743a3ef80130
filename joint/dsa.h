/* dsa.h — dynamical similarity analysis (Ostrow et al. 2023): each system's dynamics are
 * summarised by a linear operator fitted to its delay-embedded trajectory (HAVOK-style DMD),
 * and two operators are compared after the best orthogonal change of basis,
 * min_C ‖A − C B Cᵀ‖_F over C ∈ O(r). Two agents whose dynamics differ only by their
 * coordinates score 0, whatever their neurons look like. */
#ifndef JOINT_DSA_H
#define JOINT_DSA_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>

#include "joint/procrustes.h"

typedef struct joint_dsa_opts {
  size_t n_delays;          /* delay copies in the Hankel matrix (>= 1) */
  size_t delay_interval;    /* steps between copies (>= 1) */
  size_t rank;              /* columns of V kept; 0: the numerical rank of the Hankel matrix */
  double lambda;            /* ridge of the DMD regression (>= 0) */
  joint_shape_score score;  /* angular (radians) or Euclidean, both on unit-norm operators */
  int n_restarts;           /* seeded random orthogonal starts besides identity and reflection */
  int max_iter;             /* ascent iterations per start */
  uint32_t seed;            /* of the random starts */
} joint_dsa_opts;

/* n_delays 1, delay_interval 1, rank 0, lambda 0, angular, 8 random restarts, 1000
 * iterations, seed 0 (DSA's DMD defaults; its optimiser is Adam from 2 starts). */
joint_dsa_opts joint_dsa_defaults(void);

/* The DMD operator of a trajectory x (T × N, one time step per row): the Hankel matrix H
 * (T' = T − (n_delays − 1) delay_interval rows; row t holds x[t + (n_delays − 1 − d) τ] for
 * d = 0 .. n_delays − 1), its thin SVD H = V S Uᵀ, the first r columns of V (r = o.rank, or
 * the numerical rank), and A = ((V₋ᵀV₋ + λI)⁻¹ V₋ᵀ V₊)ᵀ with V₋ = rows 0 .. T' − 2 and V₊ =
 * rows 1 .. T' − 1 (DSA's DMD.compute_havok_dmd, A_v). *a receives a new r × r matrix.
 * Memory: H, T' × N n_delays doubles (reduce N first, e.g. by PCA, for long recordings). */
int joint_dsa_dmd(const gsl_matrix *x, joint_dsa_opts o, gsl_matrix **a, char *err,
                  size_t errlen);

/* The similarity-transform distance between square operators a and b (zero-padded to the
 * larger size, each scaled to unit Frobenius norm): C maximises tr(Aᵀ C B Cᵀ) over O(r), by
 * Riemannian gradient ascent with a Cayley retraction and Armijo steps, from the identity,
 * from a swap of the first two coordinates (det −1, the other component of O(r)) and from
 * o.n_restarts seeded random orthogonal matrices; the best is kept. angular = arccos of that
 * maximum (computed as 2 asin(‖A − CBCᵀ‖/2)); Euclidean = ‖A − CBCᵀ‖_F. c (or NULL) gets C.
 * The problem is not convex: more restarts can only lower the distance. Same answer for any
 * thread count. */
int joint_dsa_compare(const gsl_matrix *a, const gsl_matrix *b, joint_dsa_opts o, double *dist,
                      gsl_matrix *c, char *err, size_t errlen);

/* DSA of two trajectories x (T_x × N_x) and y (T_y × N_y): joint_dsa_dmd of each, then
 * joint_dsa_compare. */
int joint_dsa(const gsl_matrix *x, const gsl_matrix *y, joint_dsa_opts o, double *dist,
              char *err, size_t errlen);

/* DSA's "wasserstein" score: the eigenvalues of a and b (not normalised) as points of the
 * complex plane, the smaller set padded with zeros, matched one to one to minimise the sum of
 * squared distances (an optimal assignment: with equal weights the optimal transport plan is
 * a permutation); *dist = that sum (DSA reports emd2 × r, the same number). */
int joint_dsa_wasserstein(const gsl_matrix *a, const gsl_matrix *b, double *dist, char *err,
                          size_t errlen);

#endif
