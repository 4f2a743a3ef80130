/* cca.h — canonical correlation analysis between two representations of the same samples, and
 * its two summaries from the representation-similarity literature: SVCCA (Raghu et al. 2017:
 * keep the top singular directions holding 99 % of the variance, then CCA) and PWCCA (Morcos
 * et al. 2018: canonical correlations weighted by how much of the data each variate holds). */
#ifndef JOINT_CCA_H
#define JOINT_CCA_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* Canonical correlations of x (n × p) and y (n × q), columns centred: with the thin SVDs
 * X = U_x S_x V_xᵀ and Y = U_y S_y V_yᵀ (directions with singular values below
 * max(n, p) ε s_max dropped: rank r_x, r_y), ρ = singular values of
 * W_x U_xᵀ U_y W_y, where W = diag(s / sqrt(s² + λ)), λ = ridge · (mean eigenvalue of XᵀX),
 * and W = I for ridge = 0 (plain CCA: the cosines of the principal angles between the column
 * spaces). The ridge shrinks weak directions as in regularised CCA, (XᵀX + λI)^(−1/2).
 * rho (NULL, or length >= min(p, q)) receives the min(r_x, r_y) correlations in descending
 * order followed by zeros; *n_rho (or NULL) their count; *mean_rho (or NULL) their mean.
 * With ridge = 0, n must exceed p + q: otherwise the column spaces meet and ρ = 1 whatever
 * the data (an error names the fix: more rows or ridge > 0). Even with n > p + q the top
 * correlations are biased upward unless n ≫ p + q. SOMA_OK, or SOMA_ERR_PARAM /
 * SOMA_ERR_NOMEM with a message. */
int joint_cca(const gsl_matrix *x, const gsl_matrix *y, double ridge, gsl_vector *rho,
              size_t *n_rho, double *mean_rho, char *err, size_t errlen);

/* SVCCA: each side is reduced to its top k singular directions, k the smallest count whose
 * squared singular values hold >= keep of the total (keep in (0, 1]; 0.99 in the paper), then
 * the mean canonical correlation (ridge 0) of the two reductions. *mean_rho, and *kx, *ky
 * (NULL allowed) the kept counts. Needs n > kx + ky. */
int joint_svcca(const gsl_matrix *x, const gsl_matrix *y, double keep, double *mean_rho,
                size_t *kx, size_t *ky, char *err, size_t errlen);

/* PWCCA: Σ α_k ρ_k / Σ α_k over the canonical pairs (ridge 0), with α_k = Σ_j |⟨h_k, c_j⟩|,
 * h_k the unit-norm canonical variates of the side with fewer columns (x on a tie) and c_j
 * that side's centred columns (Morcos et al. 2018; their code weights the uncentred
 * activations, this one the centred ones, so a shift of the data changes nothing). */
int joint_pwcca(const gsl_matrix *x, const gsl_matrix *y, double *score, char *err,
                size_t errlen);

#endif
