/* pca.h — principal component analysis, the linear latent model every embedding is compared
 * with: centred, components by decreasing variance, explained variance and its ratio as
 * scikit-learn reports them, and the projection of new data onto the components. */
#ifndef JOINT_PCA_H
#define JOINT_PCA_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct joint_pca {
  size_t n, p, k;          /* rows fitted, input columns, components kept */
  gsl_vector *mean;        /* p: the column means subtracted */
  gsl_matrix *components;  /* p × k: unit axes as columns, by decreasing variance; each one's
                              entry of largest magnitude is positive (the first on a tie) */
  gsl_vector *variance;    /* k: variance along each axis, ddof 1 (explained_variance_) */
  gsl_vector *ratio;       /* k: variance / total_variance (explained_variance_ratio_) */
  double total_variance;   /* the sum of all columns' variances (ddof 1) */
} joint_pca;

/* Fits k components (1 <= k <= min(n − 1, p); 0: that maximum) to x (n × p, n >= 2). From the
 * eigendecomposition of the p × p matrix XcᵀXc when p <= n, else of the n × n Gram matrix
 * XcXcᵀ (components Xcᵀu/√λ), so wide data (more neurons than bins) costs O(n²p). A direction
 * of zero variance gets a zero component. SOMA_ERR_PARAM for shapes, k, or non-finite values. */
int joint_pca_fit(const gsl_matrix *x, size_t k, joint_pca **out, char *err, size_t errlen);

/* scores (rows of x × k) = (x − 1 meanᵀ) · components: the embedding of x. */
int joint_pca_transform(const joint_pca *m, const gsl_matrix *x, gsl_matrix *scores, char *err,
                        size_t errlen);

/* x (rows of scores × p) = scores · componentsᵀ + 1 meanᵀ: back to the input space. */
int joint_pca_reconstruct(const joint_pca *m, const gsl_matrix *scores, gsl_matrix *x, char *err,
                          size_t errlen);

/* NULL is a no-op. */
void joint_pca_free(joint_pca *m);

#endif
