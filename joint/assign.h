/* assign.h — optimal assignment (the Hungarian method in the Jonker–Volgenant shortest
 * augmenting path form): the cheapest one-to-one pairing of rows with columns, used to match
 * the state labels of a fitted model to the true ones, eigenvalues to eigenvalues, and so on. */
#ifndef JOINT_ASSIGN_H
#define JOINT_ASSIGN_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* Minimises Σ cost[i, col[i]] over one-to-one pairings of the rows of cost (r × c, finite
 * values) with its columns. With r <= c every row gets a distinct column; with r > c every
 * column gets a distinct row and the r − c rows left over get col[i] = -1. col has r entries;
 * total (may be NULL) receives the minimum. Exact, O(min(r,c)² max(r,c)); ties are broken
 * the same way every time. Returns SOMA_OK, or SOMA_ERR_PARAM / SOMA_ERR_NOMEM with a
 * message. To maximise (e.g. agreement counts), pass the negated matrix. */
int joint_assign(const gsl_matrix *cost, int *col, double *total, char *err, size_t errlen);

/* Matches the labels of two labellings of the same n samples: truth[t] in [0, k_truth),
 * pred[t] in [0, k_pred). map[j] (k_pred entries) receives the truth label that predicted
 * label j is renamed to (the pairing that maximises the number of agreeing samples; -1 for
 * predicted labels left over when k_pred > k_truth), and *accuracy (may be NULL) the fraction
 * of samples whose renamed label equals the truth. Returns SOMA_OK, or SOMA_ERR_PARAM /
 * SOMA_ERR_NOMEM with a message (labels out of range, n = 0). */
int joint_assign_labels(const int *truth, const int *pred, size_t n, int k_truth, int k_pred,
                        int *map, double *accuracy, char *err, size_t errlen);

#endif
