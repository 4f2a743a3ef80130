/* knn.h — k-nearest-neighbour regression, the decoder by which CEBRA scores embeddings: each
 * query row gets the mean label of its k nearest training rows (uniform weights, like
 * scikit-learn's KNeighborsRegressor), by Euclidean or cosine distance, with k chosen on a
 * validation block. Brute force, parallel over query rows; ties go to the lower training row,
 * so the answer does not depend on the thread count. */
#ifndef JOINT_KNN_H
#define JOINT_KNN_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

typedef enum { JOINT_EUCLIDEAN, JOINT_COSINE } joint_distance;

/* "euclidean" or "cosine" → the distance; -1 for anything else. */
int joint_distance_parse(const char *name);
const char *joint_distance_name(joint_distance d);

/* pred (query rows × label columns) = the kNN prediction of the labels train_y from train_x.
 * 1 <= k <= rows of train. Returns 0, or SOMA_ERR_PARAM / SOMA_ERR_NOMEM with a message. */
int joint_knn_predict(const gsl_matrix *train_x, const gsl_matrix *train_y,
                      const gsl_matrix *query, int k, joint_distance distance, gsl_matrix *pred,
                      char *err, size_t errlen);

/* The k among ks[0..n_ks) whose prediction of valid_y from valid_x scores the highest R²
 * (joint_r2); the smaller k on a tie. ks larger than the training rows are skipped. Writes
 * the chosen k and its R². Neighbours are found once for the largest k. */
int joint_knn_choose_k(const gsl_matrix *train_x, const gsl_matrix *train_y,
                       const gsl_matrix *valid_x, const gsl_matrix *valid_y, const int *ks,
                       int n_ks, joint_distance distance, int *best_k, double *best_r2,
                       char *err, size_t errlen);

/* CEBRA's candidate ks: the squares 1, 4, 9, ..., 64. */
#define JOINT_KNN_DEFAULT_KS {1, 4, 9, 16, 25, 36, 49, 64}
#define JOINT_KNN_DEFAULT_NKS 8

#endif
