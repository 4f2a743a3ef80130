/* procrustes.h — the generalised shape metrics of Williams et al. 2021 (netrep's LinearMetric):
 * the distance between two representations of the same samples after the best rotation of one
 * onto the other, with optional partial whitening (alpha < 1 allows general linear maps). The
 * angular form is a true metric: symmetric, zero for x vs a rotated and scaled x, and it obeys
 * the triangle inequality, so many agents can be clustered or embedded by it. */
#ifndef JOINT_PROCRUSTES_H
#define JOINT_PROCRUSTES_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

typedef enum { JOINT_SHAPE_ANGULAR, JOINT_SHAPE_EUCLIDEAN } joint_shape_score;

typedef struct joint_procrustes_opts {
  double alpha;              /* 1: rotations only; 0: any invertible linear map (CCA-like) */
  int center;                /* subtract column means first */
  joint_shape_score score;   /* angular (radians, [0, π]) or Euclidean (data units) */
} joint_procrustes_opts;

/* alpha 1, center 1, angular: netrep's LinearMetric() defaults. */
joint_procrustes_opts joint_procrustes_defaults(void);

/* The shape distance between x (n × p) and y (n × q), n >= 2. The narrower matrix is padded
 * with zero columns to P = max(p, q); columns are centred if o.center. Each side is partially
 * whitened, X̃ = X Z with Z = V diag(d) Vᵀ from XᵀX = V diag(λ) Vᵀ (λ clipped below at
 * 1e-7), d = alpha + (1 − alpha) λ^(−1/2) rescaled so that ‖X̃‖_F = ‖X‖_F (netrep's whiten;
 * Z = I for alpha > 1 − 1e-7). With U S Vᵀ = svd(X̃ᵀỸ): angular = arccos(⟨X̃U, ỸV⟩_F /
 * (‖X̃‖_F ‖Ỹ‖_F)), computed as 2 asin(‖a − b‖_F / 2) with a, b the two aligned matrices scaled
 * to unit norm (the same number, but accurate near 0); Euclidean = ‖X̃U − ỸV‖_F. SOMA_OK with
 * *dist, or SOMA_ERR_PARAM (shapes, non-finite, alpha outside [0, 1], a side with no
 * variance) / SOMA_ERR_NOMEM. Memory: the centred copies plus P × P matrices. */
int joint_procrustes(const gsl_matrix *x, const gsl_matrix *y, joint_procrustes_opts o,
                     double *dist, char *err, size_t errlen);

#endif
