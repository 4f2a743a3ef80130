/* rsa.c — condition means, RDMs and their rank correlation (see rsa.h). */
#include "rsa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "joint/check.h"
#include "joint/mat.h"
#include "sim/soma.h"

#define MAX_COND 1000000
#define MAX_KENDALL 20000

int joint_rsa_bin_label(const gsl_matrix *label, size_t n_bins, size_t *cond, size_t *n_cond,
                        char *err, size_t errlen) {
  int rc = joint_mat_check(label, 1, "rsa", "label", err, errlen);
  if (rc) return rc;
  if (n_bins < 1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "rsa: n_bins must be >= 1 (got %zu)", n_bins);
  size_t total = 1;
  for (size_t c = 0; c < label->size2; c++) {
    if (total > MAX_COND / n_bins)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "rsa: %zu bins over %zu label columns make more than %d conditions",
                        n_bins, label->size2, MAX_COND);
    total *= n_bins;
  }
  for (size_t i = 0; i < label->size1; i++) cond[i] = 0;
  for (size_t c = 0; c < label->size2; c++) {
    gsl_vector_const_view col = gsl_matrix_const_column(label, c);
    double lo, hi;
    gsl_vector_minmax(&col.vector, &lo, &hi);
    double width = (hi - lo) / (double)n_bins;
    for (size_t i = 0; i < label->size1; i++) {
      size_t b = width > 0 ? (size_t)((gsl_matrix_get(label, i, c) - lo) / width) : 0;
      cond[i] = cond[i] * n_bins + (b < n_bins ? b : n_bins - 1);
    }
  }
  *n_cond = total;
  return SOMA_OK;
}

int joint_rsa_discrete_label(const gsl_matrix *label, size_t col, size_t *cond, size_t *n_cond,
                             char *err, size_t errlen) {
  int rc = joint_mat_check(label, 1, "rsa", "label", err, errlen);
  if (rc) return rc;
  if (col >= label->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "rsa: label column %zu of %zu", col,
                      label->size2);
  size_t n = label->size1;
  double *v = malloc(n * sizeof *v);
  if (!v) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "rsa: out of memory");
  for (size_t i = 0; i < n; i++) v[i] = gsl_matrix_get(label, i, col);
  gsl_sort(v, 1, n);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || v[i] != v[u - 1]) v[u++] = v[i];
  for (size_t i = 0; i < n; i++) {
    double x = gsl_matrix_get(label, i, col);
    size_t lo = 0, hi = u;   /* binary search for x among the distinct values */
    while (hi - lo > 1) {
      size_t mid = (lo + hi) / 2;
      if (v[mid] <= x) lo = mid;
      else hi = mid;
    }
    cond[i] = lo;
  }
  free(v);
  *n_cond = u;
  return SOMA_OK;
}

int joint_rsa_condition_means(const gsl_matrix *x, const size_t *cond, size_t n_cond,
                              gsl_matrix *means, size_t *counts, char *err, size_t errlen) {
  int rc = joint_mat_check(x, 1, "rsa", "data", err, errlen);
  if (rc) return rc;
  if (!cond || !means || means->size1 != n_cond || means->size2 != x->size2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "rsa: the means must be %zu x %zu", n_cond,
                      x->size2);
  for (size_t i = 0; i < x->size1; i++)
    if (cond[i] >= n_cond)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "rsa: row %zu has condition %zu (must be < %zu)", i, cond[i], n_cond);
  size_t *cnt = calloc(n_cond, sizeof *cnt);
  if (!cnt) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "rsa: out of memory");
  gsl_matrix_set_zero(means);
  for (size_t i = 0; i < x->size1; i++) {
    cnt[cond[i]]++;
    for (size_t j = 0; j < x->size2; j++)
      *gsl_matrix_ptr(means, cond[i], j) += gsl_matrix_get(x, i, j);
  }
  for (size_t a = 0; a < n_cond; a++)
    for (size_t j = 0; j < x->size2; j++)
      gsl_matrix_set(means, a, j, cnt[a] ? gsl_matrix_get(means, a, j) / (double)cnt[a] : NAN);
  if (counts) memcpy(counts, cnt, n_cond * sizeof *cnt);
  free(cnt);
  return SOMA_OK;
}

int joint_rsa_rdm(const gsl_matrix *means, gsl_matrix *rdm, char *err, size_t errlen) {
  int rc = joint_mat_check(means, 2, "rsa", "condition means", err, errlen);
  if (rc) return rc;
  size_t C = means->size1, p = means->size2;
  if (p < 2)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "rsa: a correlation across units needs >= 2 columns (got %zu)", p);
  if (!rdm || rdm->size1 != C || rdm->size2 != C)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "rsa: the RDM must be %zu x %zu", C, C);
  /* each row centred and scaled to unit norm: the RDM is 1 − their dot products */
  gsl_matrix *z = gsl_matrix_alloc(C, p);
  if (!z) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "rsa: out of memory");
  for (size_t a = 0; a < C; a++) {
    gsl_vector_const_view row = gsl_matrix_const_row(means, a);
    double mu = gsl_stats_mean(row.vector.data, row.vector.stride, p), ss = 0;
    for (size_t j = 0; j < p; j++) {
      double v = gsl_matrix_get(means, a, j) - mu;
      gsl_matrix_set(z, a, j, v);
      ss += v * v;
    }
    if (!(ss > 0)) {
      gsl_matrix_free(z);
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        "rsa: condition mean %zu is the same in every column: its correlation "
                        "is undefined", a);
    }
    gsl_vector_view zr = gsl_matrix_row(z, a);
    gsl_vector_scale(&zr.vector, 1.0 / sqrt(ss));
  }
  for (size_t a = 0; a < C; a++) {
    gsl_matrix_set(rdm, a, a, 0.0);
    for (size_t b = a + 1; b < C; b++) {
      double dot = 0;
      for (size_t j = 0; j < p; j++) dot += gsl_matrix_get(z, a, j) * gsl_matrix_get(z, b, j);
      gsl_matrix_set(rdm, a, b, 1.0 - dot);
      gsl_matrix_set(rdm, b, a, 1.0 - dot);
    }
  }
  gsl_matrix_free(z);
  return SOMA_OK;
}

static double kendall_tau_a(const double *u, const double *v, size_t m) {
  long long sum = 0;
#pragma omp parallel for schedule(static) reduction(+ : sum)
  for (long i = 0; i < (long)m; i++)
    for (size_t j = (size_t)i + 1; j < m; j++) {
      double du = u[j] - u[i], dv = v[j] - v[i];
      sum += ((du > 0) - (du < 0)) * ((dv > 0) - (dv < 0));   /* +1, −1, or 0 for a tie */
    }
  return (double)sum / ((double)m * (double)(m - 1) / 2.0);
}

int joint_rsa_compare_rdms(const gsl_matrix *a, const gsl_matrix *b, joint_rsa_method method,
                           double *score, char *err, size_t errlen) {
  int rc = joint_mat_check(a, 3, "rsa", "first RDM", err, errlen);
  if (!rc) rc = joint_mat_check(b, 3, "rsa", "second RDM", err, errlen);
  if (rc) return rc;
  size_t C = a->size1;
  if (a->size2 != C || b->size1 != C || b->size2 != C)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "rsa: the RDMs must be square and alike (%zu x %zu and %zu x %zu)",
                      a->size1, a->size2, b->size1, b->size2);
  size_t m = C * (C - 1) / 2;
  if (method == JOINT_RSA_KENDALL_TAU_A && m > MAX_KENDALL)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "rsa: Kendall's tau over %zu conditions is too slow (at most 200); use "
                      "Spearman", C);
  double *buf = malloc(4 * m * sizeof *buf);
  if (!buf) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "rsa: out of memory");
  double *u = buf, *v = buf + m;
  size_t k = 0;
  for (size_t i = 0; i < C; i++)
    for (size_t j = i + 1; j < C; j++, k++)
      u[k] = gsl_matrix_get(a, i, j), v[k] = gsl_matrix_get(b, i, j);
  *score = method == JOINT_RSA_KENDALL_TAU_A ? kendall_tau_a(u, v, m)
                                             : gsl_stats_spearman(u, 1, v, 1, m, buf + 2 * m);
  free(buf);
  if (!isfinite(*score))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "rsa: an RDM has the same value everywhere: no rank correlation");
  return SOMA_OK;
}

int joint_rsa(const gsl_matrix *x, const size_t *cond_x, const gsl_matrix *y,
              const size_t *cond_y, size_t n_cond, joint_rsa_method method, double *score,
              size_t *n_used, char *err, size_t errlen) {
  if (n_cond < 3 || n_cond > MAX_COND)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "rsa: n_cond must be from 3 to %d (got %zu)", MAX_COND, n_cond);
  gsl_matrix *mx = x ? gsl_matrix_alloc(n_cond, x->size2) : NULL;
  gsl_matrix *my = y ? gsl_matrix_alloc(n_cond, y->size2) : NULL;
  size_t *cx = calloc(n_cond, sizeof *cx), *cy = calloc(n_cond, sizeof *cy);
  gsl_matrix *kx = NULL, *ky = NULL, *rx = NULL, *ry = NULL;
  int rc = SOMA_OK;
  if (!x || !y)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "rsa: the %s is missing", x ? "y" : "x");
  else if (!mx || !my || !cx || !cy)
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "rsa: out of memory");
  if (!rc) rc = joint_rsa_condition_means(x, cond_x, n_cond, mx, cx, err, errlen);
  if (!rc) rc = joint_rsa_condition_means(y, cond_y, n_cond, my, cy, err, errlen);
  size_t used = 0;
  for (size_t a = 0; !rc && a < n_cond; a++) used += cx[a] && cy[a];
  if (!rc && used < 3)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "rsa: only %zu conditions hold rows of both x and y (needs >= 3)", used);
  if (!rc) {
    kx = gsl_matrix_alloc(used, x->size2), ky = gsl_matrix_alloc(used, y->size2);
    rx = gsl_matrix_alloc(used, used), ry = gsl_matrix_alloc(used, used);
    if (!kx || !ky || !rx || !ry)
      rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "rsa: out of memory");
  }
  if (!rc) {
    for (size_t a = 0, k = 0; a < n_cond; a++) {
      if (!(cx[a] && cy[a])) continue;
      gsl_vector_view dx = gsl_matrix_row(kx, k), dy = gsl_matrix_row(ky, k);
      gsl_vector_const_view sx = gsl_matrix_const_row(mx, a), sy = gsl_matrix_const_row(my, a);
      gsl_vector_memcpy(&dx.vector, &sx.vector), gsl_vector_memcpy(&dy.vector, &sy.vector);
      k++;
    }
    rc = joint_rsa_rdm(kx, rx, err, errlen);
    if (!rc) rc = joint_rsa_rdm(ky, ry, err, errlen);
    if (!rc) rc = joint_rsa_compare_rdms(rx, ry, method, score, err, errlen);
    if (!rc && n_used) *n_used = used;
  }
  gsl_matrix *all[] = {mx, my, kx, ky, rx, ry};
  for (size_t i = 0; i < 6; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  free(cx), free(cy);
  return rc;
}
