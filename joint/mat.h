/* mat.h — small matrix helpers the similarity metrics share: the checks every metric runs on
 * one matrix or on a pair with the same rows, column centring, the thin SVD of a matrix of any
 * shape, evenly spaced row subsampling, random orthogonal matrices, the Frobenius norm. */
#ifndef JOINT_MAT_H
#define JOINT_MAT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* SOMA_OK if x is non-NULL, has >= min_rows rows and >= 1 column, and holds only finite
 * values; else SOMA_ERR_PARAM with "<who>: the <what> ..." naming the problem. */
int joint_mat_check(const gsl_matrix *x, size_t min_rows, const char *who, const char *what,
                    char *err, size_t len);

/* joint_mat_check on x and y (named "x" and "y") and the same number of rows in both. */
int joint_mat_check_pair(const gsl_matrix *x, const gsl_matrix *y, size_t min_rows,
                         const char *who, char *err, size_t len);

/* A new copy of m with the mean of each column subtracted (NULL when out of memory). */
gsl_matrix *joint_mat_centred(const gsl_matrix *m);

/* A new matrix holding rows[0..n) of m in that order (NULL when out of memory). */
gsl_matrix *joint_mat_rows(const gsl_matrix *m, const size_t *rows, size_t n);

/* rows[i] = floor(i n / m) for i < m <= n: m rows spread evenly over n, first row 0. */
void joint_mat_even_rows(size_t n, size_t m, size_t *rows);

/* Thin SVD a = U diag(s) Vᵀ of an r × c matrix of any shape, k = min(r, c): s (length k)
 * descending and >= 0, U (r × k) and V (c × k) when non-NULL. SOMA_OK or SOMA_ERR_NOMEM. */
int joint_mat_svd(const gsl_matrix *a, gsl_matrix *u, gsl_vector *s, gsl_matrix *v);

/* q (p × p) = a Haar-distributed random orthogonal matrix, a pure function of (seed, stream,
 * counter): the QR factor of a Gaussian matrix with its signs fixed by diag(R) (Mezzadri
 * 2007). SOMA_OK or SOMA_ERR_NOMEM. */
int joint_mat_random_orthogonal(uint32_t seed, uint32_t stream, uint32_t counter, gsl_matrix *q);

/* out = xᵀx (p × p; outer 0) or x xᵀ (n × n; outer 1) for x (n × p), both triangles filled.
 * Formed by dgemm(Trans, NoTrans), the loop order GSL's reference CBLAS runs fast (its dsyrk
 * with Trans is ~60× slower on 10⁴ × 400). SOMA_OK, or SOMA_ERR_NOMEM (outer 1 copies x). */
int joint_mat_gram(const gsl_matrix *x, int outer, gsl_matrix *out);

/* sqrt(sum of squares) of all entries. */
double joint_mat_frobenius(const gsl_matrix *m);

#endif
