/* consistency.c — CEBRA's consistency between runs and between label-aligned datasets
 * (see consistency.h). */
#include "consistency.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joint/check.h"
#include "joint/linreg.h"
#include "joint/mat.h"
#include "sim/soma.h"

#define WHO "consistency"
#define MAX_GRID ((size_t)1 << 22)   /* label digit cells held per dataset */

joint_label_align_opts joint_label_align_defaults(void) {
  return (joint_label_align_opts){.n_bins = 100, .normalize = 1};
}

/* R² of every ordered pair among m[0..k) into scores (NAN diagonal). */
static int pair_scores(const gsl_matrix *const *m, size_t k, gsl_matrix *scores, char *err,
                       size_t errlen) {
  for (size_t i = 0; i < k; i++)
    for (size_t j = 0; j < k; j++) {
      double r2 = i == j ? NAN : joint_linreg_r2_in_sample(m[i], m[j]);
      if (i != j && isnan(r2))
        return joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
      gsl_matrix_set(scores, i, j, r2);
    }
  return SOMA_OK;
}

static int check_list(const gsl_matrix *const *emb, size_t k, size_t min_k, char *err,
                      size_t errlen) {
  if (!emb || k < min_k)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": needs at least %zu embeddings (got %zu)",
                      min_k, emb ? k : 0);
  char what[64];
  for (size_t i = 0; i < k; i++) {
    snprintf(what, sizeof what, "embedding %zu", i);
    int rc = joint_mat_check(emb[i], 1, WHO, what, err, errlen);
    if (rc) return rc;
  }
  return SOMA_OK;
}

int joint_consistency_runs(const gsl_matrix *const *emb, size_t k, gsl_matrix *scores,
                           double *mean, char *err, size_t errlen) {
  int rc = check_list(emb, k, 2, err, errlen);
  if (rc) return rc;
  for (size_t i = 1; i < k; i++)
    if (emb[i]->size1 != emb[0]->size1)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        WHO ": embedding %zu has %zu rows but embedding 0 has %zu (between runs "
                        "the rows must be the same samples; use joint_consistency_datasets "
                        "for different data)", i, emb[i]->size1, emb[0]->size1);
  if (scores && (scores->size1 != k || scores->size2 != k))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": the scores must be %zu x %zu", k, k);
  gsl_matrix *s = scores ? scores : gsl_matrix_alloc(k, k);
  if (!s) return joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
  rc = pair_scores(emb, k, s, err, errlen);
  if (!rc && mean) {
    double sum = 0;
    for (size_t i = 0; i < k; i++)
      for (size_t j = 0; j < k; j++)
        if (i != j) sum += gsl_matrix_get(s, i, j);
    *mean = sum / (double)(k * (k - 1));
  }
  if (s != scores) gsl_matrix_free(s);
  return rc;
}

/* numpy.digitize(x, edges): the number of edges <= x (edges ascending). */
static size_t digitize(double x, const double *edges, size_t n) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* The aligned matrix of one dataset. grid: cell sums (n_bins^D × d) and counts over digit
 * tuples, digit − 1 per column, first column slowest. */
static int align_one(const gsl_matrix *e, const gsl_matrix *lab, size_t idx,
                     const double *edges, size_t n_bins, size_t n_grid, size_t n_cells,
                     int normalize, gsl_matrix *out, char *err, size_t errlen) {
  size_t D = lab->size2, d = e->size2;
  double *sum = calloc(n_grid * d, sizeof *sum), *acc = malloc(d * sizeof *acc);
  size_t *count = calloc(n_grid, sizeof *count);
  size_t *b = malloc(2 * D * sizeof *b), *off = b ? b + D : NULL;
  int rc = SOMA_OK;
  if (!sum || !acc || !count || !b) {
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
    goto done;
  }
  for (size_t r = 0; r < e->size1; r++) {
    size_t g = 0;
    for (size_t c = 0; c < D; c++)
      g = g * n_bins + digitize(gsl_matrix_get(lab, r, c), edges + c * n_bins, n_bins) - 1;
    count[g]++;
    for (size_t j = 0; j < d; j++) sum[g * d + j] += gsl_matrix_get(e, r, j);
  }
  for (size_t cell = 0; cell < n_cells; cell++) {
    /* bin tuple of this cell: digits 1 .. n_bins − 1 */
    for (size_t c = D, rest = cell; c-- > 0; rest /= n_bins - 1) b[c] = 1 + rest % (n_bins - 1);
    size_t n = 0;
    for (size_t tol = 0; tol <= 2 && n == 0; tol++) {
      memset(acc, 0, d * sizeof *acc);
      size_t width = 2 * tol + 1, n_off = 1;
      for (size_t c = 0; c < D; c++) n_off *= width;
      for (size_t o = 0; o < n_off; o++) {
        size_t g = 0, ok = 1;
        for (size_t c = D, rest = o; c-- > 0; rest /= width) off[c] = rest % width;
        for (size_t c = 0; c < D && ok; c++) {
          size_t digit = b[c] + off[c];   /* b + off − tol, kept unsigned */
          if (digit < 1 + tol || digit - tol > n_bins) ok = 0;
          else g = g * n_bins + (digit - tol - 1);
        }
        if (!ok || count[g] == 0) continue;
        n += count[g];
        for (size_t j = 0; j < d; j++) acc[j] += sum[g * d + j];
      }
    }
    if (n == 0) {
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": dataset %zu has no samples within 2 bins of label bin %zu (of %zu%s)"
                      ": its labels do not cover the common range; use fewer bins",
                      idx, D == 1 ? b[0] : cell + 1, n_cells, D == 1 ? "" : " cells");
      goto done;
    }
    double norm = 0;
    for (size_t j = 0; j < d; j++) acc[j] /= (double)n, norm += acc[j] * acc[j];
    norm = sqrt(norm);
    if (normalize && !(norm > 0)) {
      rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": dataset %zu: the mean embedding of label bin %zu is zero and "
                      "cannot be normalised", idx, cell + 1);
      goto done;
    }
    for (size_t j = 0; j < d; j++) gsl_matrix_set(out, cell, j, normalize ? acc[j] / norm : acc[j]);
  }
done:
  free(sum), free(acc), free(count), free(b);
  return rc;
}

int joint_consistency_align(const gsl_matrix *const *emb, const gsl_matrix *const *labels,
                            size_t k, joint_label_align_opts o, gsl_matrix **aligned, char *err,
                            size_t errlen) {
  int rc = check_list(emb, k, 1, err, errlen);
  if (rc) return rc;
  if (!labels || !aligned)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": labels and outputs are needed");
  if (o.n_bins < 2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": n_bins must be >= 2 (got %zu)",
                      o.n_bins);
  char what[64];
  for (size_t i = 0; i < k; i++) {
    snprintf(what, sizeof what, "labels %zu", i);
    if ((rc = joint_mat_check(labels[i], 1, WHO, what, err, errlen))) return rc;
    if (labels[i]->size1 != emb[i]->size1)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        WHO ": embedding %zu has %zu rows but its labels %zu", i, emb[i]->size1,
                        labels[i]->size1);
    if (labels[i]->size2 != labels[0]->size2)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        WHO ": labels %zu have %zu columns but labels 0 have %zu", i,
                        labels[i]->size2, labels[0]->size2);
  }
  size_t D = labels[0]->size2, n_grid = 1, n_cells = 1;
  for (size_t c = 0; c < D; c++) {
    if (n_grid > MAX_GRID / o.n_bins)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        WHO ": %zu bins per label column over %zu columns make too many cells "
                        "(at most %zu); use fewer bins", o.n_bins, D, MAX_GRID);
    n_grid *= o.n_bins, n_cells *= o.n_bins - 1;
  }
  double *edges = malloc(D * o.n_bins * sizeof *edges);
  if (!edges) return joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
  for (size_t c = 0; c < D; c++) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < k; i++)
      for (size_t r = 0; r < labels[i]->size1; r++) {
        double v = gsl_matrix_get(labels[i], r, c);
        lo = fmin(lo, v), hi = fmax(hi, v);
      }
    if (!(hi > lo)) {
      free(edges);
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        WHO ": label column %zu is constant (%g) over all datasets: nothing to "
                        "align on", c, lo);
    }
    /* numpy.linspace: start + t * step, the last edge exactly hi */
    double step = (hi - lo) / (double)(o.n_bins - 1);
    for (size_t t = 0; t < o.n_bins; t++) edges[c * o.n_bins + t] = (double)t * step + lo;
    edges[c * o.n_bins + o.n_bins - 1] = hi;
  }
  for (size_t i = 0; i < k; i++) aligned[i] = NULL;
  for (size_t i = 0; i < k && !rc; i++) {
    aligned[i] = gsl_matrix_alloc(n_cells, emb[i]->size2);
    if (!aligned[i]) rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
    else rc = align_one(emb[i], labels[i], i, edges, o.n_bins, n_grid, n_cells, o.normalize,
                        aligned[i], err, errlen);
  }
  free(edges);
  if (rc)
    for (size_t i = 0; i < k; i++) {
      if (aligned[i]) gsl_matrix_free(aligned[i]);
      aligned[i] = NULL;
    }
  return rc;
}

int joint_consistency_datasets(const gsl_matrix *const *emb, const gsl_matrix *const *labels,
                               const int *ids, size_t k, joint_label_align_opts o,
                               gsl_matrix *scores, double *mean, char *err, size_t errlen) {
  int rc = check_list(emb, k, 2, err, errlen);
  if (rc) return rc;
  if (scores && (scores->size1 != k || scores->size2 != k))
    return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": the scores must be %zu x %zu", k, k);
  int distinct = 0;
  for (size_t i = 1; i < k && !distinct; i++) distinct = !ids || ids[i] != ids[0];
  if (!distinct)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": all %zu embeddings belong to dataset %d; between datasets needs "
                      "at least 2", k, ids[0]);
  gsl_matrix **al = calloc(k, sizeof *al);
  gsl_matrix *s = scores ? scores : gsl_matrix_alloc(k, k);
  if (!al || !s) {
    free(al);
    if (s && s != scores) gsl_matrix_free(s);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
  }
  rc = joint_consistency_align(emb, labels, k, o, al, err, errlen);
  if (!rc) rc = pair_scores((const gsl_matrix *const *)al, k, s, err, errlen);
  if (!rc) {
    double total = 0;
    size_t groups = 0;
    for (size_t i = 0; i < k; i++)
      for (size_t j = 0; j < k; j++) {
        int same = ids ? ids[i] == ids[j] : i == j;
        if (same) {
          gsl_matrix_set(s, i, j, NAN);
          continue;
        }
        /* the first (i, j) of its dataset pair averages the whole group */
        int first = 1;
        for (size_t a = 0; a < k && first; a++)
          for (size_t b = 0; b < k && first; b++)
            if ((a < i || (a == i && b < j)) && ids && ids[a] == ids[i] && ids[b] == ids[j])
              first = 0;
        if (!first) continue;
        double sum = 0;
        size_t n = 0;
        for (size_t a = 0; a < k; a++)
          for (size_t b = 0; b < k; b++)
            if (a != b && (ids ? ids[a] == ids[i] && ids[b] == ids[j] : a == i && b == j))
              sum += gsl_matrix_get(s, a, b), n++;
        total += sum / (double)n, groups++;
      }
    if (mean) *mean = total / (double)groups;
  }
  for (size_t i = 0; i < k; i++)
    if (al[i]) gsl_matrix_free(al[i]);
  free(al);
  if (s != scores) gsl_matrix_free(s);
  return rc;
}
