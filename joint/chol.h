/* chol.h — Cholesky factorisation for the joint layer's models (Kalman, GLM, LDS): it reports
 * a matrix that is not positive definite as a return code, where GSL's own factorisation would
 * call its error handler and abort the program, and it is safe to call from OpenMP threads;
 * with the solves, log-determinant, inverse and symmetrisation that go with it. */
#ifndef JOINT_CHOL_H
#define JOINT_CHOL_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* In place: the lower triangle of the square matrix a (symmetric positive definite; only the
 * lower triangle is read) becomes L with a = L Lᵀ; the strict upper triangle is not touched.
 * Returns SOMA_OK, or SOMA_ERR_NUMERIC if a pivot is not > 0 and finite (a is then partly
 * overwritten: factor a copy when the original is still needed). */
int joint_chol_decomp(gsl_matrix *a);

/* b ← A⁻¹ b, for L from joint_chol_decomp (b: n × k, or a vector of n). */
void joint_chol_solve(const gsl_matrix *l, gsl_matrix *b);
void joint_chol_solve_vec(const gsl_matrix *l, gsl_vector *b);

/* log det A = 2 Σ log L_ii. */
double joint_chol_logdet(const gsl_matrix *l);

/* inv (n × n, both triangles) ← A⁻¹. */
void joint_chol_inverse(const gsl_matrix *l, gsl_matrix *inv);

/* Both triangles of the square matrix a ← their mean (covariances after round-off). */
void joint_symmetrise(gsl_matrix *a);

#endif
