/* assign.c — optimal assignment by shortest augmenting paths with dual potentials (the
 * Hungarian method as Jonker and Volgenant organise it), and label matching on top of it
 * (see assign.h). */
#include "assign.h"

#include <math.h>
#include <stdlib.h>

#include "joint/check.h"
#include "sim/soma.h"

/* a(i, j) for 0-based i < n <= m: the cost matrix, or its transpose */
static double entry(const gsl_matrix *cost, int transposed, int i, int j) {
  return transposed ? gsl_matrix_get(cost, (size_t)j, (size_t)i)
                    : gsl_matrix_get(cost, (size_t)i, (size_t)j);
}

/* n <= m. Rows are added one at a time; each addition finds the shortest augmenting path
 * from the new row (Dijkstra over reduced costs a − u − v >= 0) and flips it. row_of[j]
 * (1-based row, 0 = free) for the columns j = 1..m. */
static int solve(const gsl_matrix *cost, int transposed, int n, int m, int *row_of) {
  double *u = calloc((size_t)n + 1, sizeof *u), *v = calloc((size_t)m + 1, sizeof *v);
  double *minv = malloc(((size_t)m + 1) * sizeof *minv);
  int *way = calloc((size_t)m + 1, sizeof *way);
  char *used = malloc((size_t)m + 1);
  int rc = SOMA_ERR_NOMEM;
  if (!u || !v || !minv || !way || !used) goto done;
  for (int j = 0; j <= m; j++) row_of[j] = 0;
  for (int i = 1; i <= n; i++) {
    row_of[0] = i;
    int j0 = 0;
    for (int j = 0; j <= m; j++) minv[j] = INFINITY, used[j] = 0;
    do {
      used[j0] = 1;
      int i0 = row_of[j0], j1 = 0;
      double delta = INFINITY;
      for (int j = 1; j <= m; j++) {
        if (used[j]) continue;
        double cur = entry(cost, transposed, i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) minv[j] = cur, way[j] = j0;
        if (minv[j] < delta) delta = minv[j], j1 = j;
      }
      for (int j = 0; j <= m; j++) {
        if (used[j]) {
          u[row_of[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (row_of[j0] != 0);
    do {   /* flip the path back to the root */
      int j1 = way[j0];
      row_of[j0] = row_of[j1];
      j0 = j1;
    } while (j0);
  }
  rc = SOMA_OK;
done:
  free(u), free(v), free(minv), free(way), free(used);
  return rc;
}

int joint_assign(const gsl_matrix *cost, int *col, double *total, char *err, size_t errlen) {
  if (!cost || cost->size1 == 0 || cost->size2 == 0 || !col)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "assign: empty cost matrix");
  if (cost->size1 > 1000000 || cost->size2 > 1000000)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "assign: the cost matrix is too large");
  int rc = joint_check_finite(cost, "assign", "costs", err, errlen);
  if (rc) return rc;
  int r = (int)cost->size1, c = (int)cost->size2, transposed = r > c;
  int n = transposed ? c : r, m = transposed ? r : c;
  int *row_of = malloc(((size_t)m + 1) * sizeof *row_of);
  if (!row_of || solve(cost, transposed, n, m, row_of) != SOMA_OK) {
    free(row_of);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "assign: out of memory");
  }
  for (int i = 0; i < r; i++) col[i] = -1;
  for (int j = 1; j <= m; j++) {
    if (!row_of[j]) continue;
    if (transposed) col[j - 1] = row_of[j] - 1;   /* "row" = column of cost, "column" = row */
    else col[row_of[j] - 1] = j - 1;
  }
  free(row_of);
  if (total) {
    double s = 0;
    for (int i = 0; i < r; i++)
      if (col[i] >= 0) s += gsl_matrix_get(cost, (size_t)i, (size_t)col[i]);
    *total = s;
  }
  return SOMA_OK;
}

int joint_assign_labels(const int *truth, const int *pred, size_t n, int k_truth, int k_pred,
                        int *map, double *accuracy, char *err, size_t errlen) {
  if (!truth || !pred || !map || n == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "assign labels: no samples");
  if (k_truth < 1 || k_pred < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "assign labels: the label counts must be >= 1 (got %d and %d)", k_truth,
                      k_pred);
  for (size_t t = 0; t < n; t++) {
    if (truth[t] < 0 || truth[t] >= k_truth)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "assign labels: true label %d at sample %zu is outside [0, %d)",
                        truth[t], t, k_truth);
    if (pred[t] < 0 || pred[t] >= k_pred)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "assign labels: predicted label %d at sample %zu is outside [0, %d)",
                        pred[t], t, k_pred);
  }
  gsl_matrix *agree = gsl_matrix_calloc((size_t)k_pred, (size_t)k_truth);
  if (!agree) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "assign labels: out of memory");
  for (size_t t = 0; t < n; t++) *gsl_matrix_ptr(agree, (size_t)pred[t], (size_t)truth[t]) -= 1;
  double total = 0;
  int rc = joint_assign(agree, map, &total, err, errlen);
  gsl_matrix_free(agree);
  if (rc) return rc;
  if (accuracy) *accuracy = -total / (double)n;
  return SOMA_OK;
}
