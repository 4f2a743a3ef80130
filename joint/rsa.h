/* rsa.h — representational similarity analysis (Kriegeskorte et al. 2008): rows are grouped
 * into conditions (discrete labels, or a continuous label cut into bins), each condition's mean
 * pattern is taken, the representational dissimilarity matrix is 1 − the Pearson correlation
 * between those patterns, and two RDMs are compared by the Spearman (or Kendall τ_a)
 * correlation of their upper triangles. */
#ifndef JOINT_RSA_H
#define JOINT_RSA_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* Conditions from a continuous label (n × D): each column is cut into n_bins equal-width bins
 * between its minimum and maximum (the maximum falls in the last bin), and the condition of a
 * row is its bin tuple, cond = Σ_c bin_c n_bins^(D−1−c) (the first column slowest), so
 * *n_cond = n_bins^D. cond has n entries. SOMA_ERR_PARAM for n_bins < 1, a non-finite label,
 * or more than 1e6 conditions. */
int joint_rsa_bin_label(const gsl_matrix *label, size_t n_bins, size_t *cond, size_t *n_cond,
                        char *err, size_t errlen);

/* Conditions from a discrete label (column col of label, integer or not): the distinct values
 * in ascending order become 0 .. *n_cond − 1. */
int joint_rsa_discrete_label(const gsl_matrix *label, size_t col, size_t *cond, size_t *n_cond,
                             char *err, size_t errlen);

/* means (n_cond × p) row a = the mean of the rows of x (n × p) in condition a; counts[a] (may
 * be NULL) their number. An empty condition gets a row of NAN and count 0. */
int joint_rsa_condition_means(const gsl_matrix *x, const size_t *cond, size_t n_cond,
                              gsl_matrix *means, size_t *counts, char *err, size_t errlen);

/* rdm (C × C) = 1 − Pearson correlation across columns between the rows of means (C × p,
 * p >= 2, C >= 2). A row with no variance across columns is an error naming the row. */
int joint_rsa_rdm(const gsl_matrix *means, gsl_matrix *rdm, char *err, size_t errlen);

typedef enum { JOINT_RSA_SPEARMAN, JOINT_RSA_KENDALL_TAU_A } joint_rsa_method;

/* The rank correlation of the upper triangles (diagonal excluded) of two C × C RDMs, C >= 3:
 * Spearman's ρ (gsl_stats_spearman: Pearson of ranks, ties get their mean rank) or Kendall's
 * τ_a = (concordant − discordant) / (m (m − 1) / 2) over the m = C (C − 1) / 2 entries (ties
 * count as neither; O(m²), at most 20000 entries = C <= 200). */
int joint_rsa_compare_rdms(const gsl_matrix *a, const gsl_matrix *b, joint_rsa_method method,
                           double *score, char *err, size_t errlen);

/* RSA between x (n_x × p) with conditions cond_x and y (n_y × q) with cond_y (both in
 * 0 .. n_cond − 1; for the same rows pass the same array): condition means, RDMs, and their
 * comparison, over the conditions that hold rows in both (at least 3; *n_used, may be NULL,
 * says how many). */
int joint_rsa(const gsl_matrix *x, const size_t *cond_x, const gsl_matrix *y,
              const size_t *cond_y, size_t n_cond, joint_rsa_method method, double *score,
              size_t *n_used, char *err, size_t errlen);

#endif
