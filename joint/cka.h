/* cka.h — centred kernel alignment (Kornblith et al. 2019), the similarity of two
 * representations of the same samples: linear CKA, invariant to rotation, isotropic scaling
 * and shifts of either side, and RBF CKA, with a Gaussian kernel whose width follows the median
 * pairwise distance (google-research representation_similarity's definitions). */
#ifndef JOINT_CKA_H
#define JOINT_CKA_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* Linear CKA of x (n × p) and y (n × q), n >= 2: with centred columns,
 * ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F), in [0, 1] (feature_space_linear_cka, debiased=False).
 * O(n (p² + q² + pq)) with BLAS, no n × n matrix. SOMA_OK with *cka, or SOMA_ERR_PARAM
 * (shapes, non-finite, a constant side) / SOMA_ERR_NOMEM with a message. */
int joint_cka_linear(const gsl_matrix *x, const gsl_matrix *y, double *cka, char *err,
                     size_t errlen);

typedef struct joint_cka_opts {
  double theta;      /* kernel width relative to the median distance (> 0) */
  size_t max_rows;   /* above this many rows, use max_rows evenly spaced rows (>= 2) */
} joint_cka_opts;

/* theta 1.0 (the reference's default; 0.5 and 0.2 are also used), max_rows 3000 (two 3000 ×
 * 3000 Gram matrices, 72 MB each). */
joint_cka_opts joint_cka_defaults(void);

/* RBF CKA of x (n × p) and y (n × q): K_ij = exp(−‖x_i − x_j‖² / (2 θ² m)) with m the median
 * of all n² squared distances (the zero diagonal included, as the reference does), likewise L
 * from y; CKA = ⟨HKH, HLH⟩_F / (‖HKH‖_F ‖HLH‖_F) with H = I − 11ᵀ/n (gram_rbf, center_gram,
 * cka). O(n²) time and memory: when n > o.max_rows, the rows i · n / max_rows
 * (i = 0 .. max_rows − 1) of both x and y are used, deterministically, and *rows_used says how
 * many (NULL allowed). SOMA_OK with *cka, or SOMA_ERR_PARAM (shapes, non-finite, a median
 * distance of 0 on one side) / SOMA_ERR_NOMEM. Same answer for any thread count. */
int joint_cka_rbf(const gsl_matrix *x, const gsl_matrix *y, joint_cka_opts o, double *cka,
                  size_t *rows_used, char *err, size_t errlen);

#endif
