/* knn.c — brute-force k-nearest-neighbour regression and the choice of k (see knn.h). */
#include "knn.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joint/check.h"
#include "joint/score.h"
#include "sim/soma.h"

int joint_distance_parse(const char *name) {
  if (!name) return -1;
  if (!strcmp(name, "euclidean")) return JOINT_EUCLIDEAN;
  if (!strcmp(name, "cosine")) return JOINT_COSINE;
  return -1;
}

const char *joint_distance_name(joint_distance d) {
  return d == JOINT_COSINE ? "cosine" : "euclidean";
}

/* Row norms for the cosine distance (0 stays 0: a zero row is at distance 1 from all). */
static double *row_norms(const gsl_matrix *x) {
  double *n = malloc((x->size1 ? x->size1 : 1) * sizeof *n);
  if (!n) return NULL;
  for (size_t i = 0; i < x->size1; i++) {
    double s = 0;
    for (size_t j = 0; j < x->size2; j++) s += gsl_matrix_get(x, i, j) * gsl_matrix_get(x, i, j);
    n[i] = sqrt(s);
  }
  return n;
}

static double distance_between(const double *a, const double *b, size_t d, joint_distance m,
                               double na, double nb) {
  if (m == JOINT_EUCLIDEAN) {
    double s = 0;
    for (size_t j = 0; j < d; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
    return s;   /* squared: same order */
  }
  if (na == 0 || nb == 0) return 1.0;
  double dot = 0;
  for (size_t j = 0; j < d; j++) dot += a[j] * b[j];
  return 1.0 - dot / (na * nb);
}

/* For every query row, the indices of its k nearest training rows, nearest first
 * (nn[q * k + r]). Ties go to the lower training index. */
static int neighbours(const gsl_matrix *train, const gsl_matrix *query, int k, joint_distance m,
                      int *nn) {
  double *nt = NULL, *nq = NULL;
  if (m == JOINT_COSINE) {
    nt = row_norms(train), nq = row_norms(query);
    if (!nt || !nq) {
      free(nt), free(nq);
      return SOMA_ERR_NOMEM;
    }
  }
  size_t n_train = train->size1, d = train->size2;
  long n_query = (long)query->size1;
  int nomem = 0;
#pragma omp parallel reduction(| : nomem)
  {
    double *best = malloc((size_t)k * sizeof *best);
    if (!best) nomem = 1;
#pragma omp for schedule(static)
    for (long q = 0; q < n_query; q++) {
      if (!best) continue;
      int *idx = nn + (size_t)q * (size_t)k;
      int filled = 0;
      const double *a = gsl_matrix_const_ptr(query, (size_t)q, 0);
      for (size_t i = 0; i < n_train; i++) {
        double dist = distance_between(a, gsl_matrix_const_ptr(train, i, 0), d, m,
                                       nq ? nq[q] : 0, nt ? nt[i] : 0);
        if (filled == k && !(dist < best[k - 1])) continue;
        int r = filled < k ? filled++ : k - 1;
        while (r > 0 && best[r - 1] > dist) {   /* strict: an equal distance stays ahead */
          best[r] = best[r - 1];
          idx[r] = idx[r - 1];
          r--;
        }
        best[r] = dist;
        idx[r] = (int)i;
      }
    }
    free(best);
  }
  free(nt), free(nq);
  return nomem ? SOMA_ERR_NOMEM : SOMA_OK;
}

static int check_inputs(const gsl_matrix *train_x, const gsl_matrix *train_y,
                        const gsl_matrix *query, char *err, size_t errlen) {
  if (!train_x || !train_y || !query)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "knn: missing data");
  if (train_x->size1 == 0 || train_x->size1 > (size_t)INT32_MAX)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "knn: the training data has %zu rows",
                train_x->size1);
  if (train_y->size1 != train_x->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                "knn: %zu training rows but %zu training labels", train_x->size1,
                train_y->size1);
  if (query->size2 != train_x->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                "knn: the query has %zu columns, the training data %zu", query->size2,
                train_x->size2);
  int rc = joint_check_finite(train_x, "knn", "training data", err, errlen);
  if (!rc) rc = joint_check_finite(train_y, "knn", "training labels", err, errlen);
  if (!rc) rc = joint_check_finite(query, "knn", "query", err, errlen);
  return rc;
}

/* pred row q = mean of the labels of the first k neighbours in nn (stride kmax). */
static void average_labels(const gsl_matrix *train_y, const int *nn, int kmax, int k,
                           gsl_matrix *pred) {
  for (size_t q = 0; q < pred->size1; q++)
    for (size_t c = 0; c < train_y->size2; c++) {
      double s = 0;
      for (int r = 0; r < k; r++) s += gsl_matrix_get(train_y, (size_t)nn[q * (size_t)kmax + r], c);
      gsl_matrix_set(pred, q, c, s / k);
    }
}

int joint_knn_predict(const gsl_matrix *train_x, const gsl_matrix *train_y,
                      const gsl_matrix *query, int k, joint_distance distance, gsl_matrix *pred,
                      char *err, size_t errlen) {
  int rc = check_inputs(train_x, train_y, query, err, errlen);
  if (rc) return rc;
  if (k < 1 || (size_t)k > train_x->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "knn: k must be from 1 to %zu (the training rows), got %d",
                train_x->size1, k);
  if (!pred || pred->size1 != query->size1 || pred->size2 != train_y->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "knn: the prediction must be %zu x %zu",
                query->size1, train_y->size2);
  int *nn = malloc((query->size1 ? query->size1 : 1) * (size_t)k * sizeof *nn);
  if (!nn) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "knn: out of memory");
  rc = neighbours(train_x, query, k, distance, nn);
  if (rc == SOMA_OK) average_labels(train_y, nn, k, k, pred);
  else joint_fail(err, errlen, rc, "knn: out of memory");
  free(nn);
  return rc;
}

int joint_knn_choose_k(const gsl_matrix *train_x, const gsl_matrix *train_y,
                       const gsl_matrix *valid_x, const gsl_matrix *valid_y, const int *ks,
                       int n_ks, joint_distance distance, int *best_k, double *best_r2,
                       char *err, size_t errlen) {
  int rc = check_inputs(train_x, train_y, valid_x, err, errlen);
  if (rc) return rc;
  if (!valid_y || valid_y->size1 != valid_x->size1 || valid_y->size2 != train_y->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "knn: the validation labels must be %zu x %zu",
                valid_x->size1, train_y->size2);
  if (valid_x->size1 == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "knn: no validation rows");
  int kmax = 0;
  for (int i = 0; i < n_ks; i++)
    if (ks[i] >= 1 && (size_t)ks[i] <= train_x->size1 && ks[i] > kmax) kmax = ks[i];
  if (kmax == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "knn: no candidate k from 1 to %zu",
                train_x->size1);
  int *nn = malloc(valid_x->size1 * (size_t)kmax * sizeof *nn);
  gsl_matrix *pred = gsl_matrix_alloc(valid_y->size1, valid_y->size2);
  if (!nn || !pred || (rc = neighbours(train_x, valid_x, kmax, distance, nn)) != SOMA_OK) {
    free(nn);
    if (pred) gsl_matrix_free(pred);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "knn: out of memory");
  }
  *best_k = 0;
  *best_r2 = -INFINITY;
  for (int i = 0; i < n_ks; i++) {
    int k = ks[i];
    if (k < 1 || k > kmax) continue;
    average_labels(train_y, nn, kmax, k, pred);
    double r2 = joint_r2(valid_y, pred);
    if (r2 > *best_r2 || (r2 == *best_r2 && k < *best_k)) *best_r2 = r2, *best_k = k;
  }
  free(nn);
  gsl_matrix_free(pred);
  return SOMA_OK;
}
