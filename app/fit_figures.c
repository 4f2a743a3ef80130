/* fit_figures.c — the scorecard's figures: the first seed's embedding as scatter plots of its
 * dimensions coloured by each behaviour column, the kNN decoding of the test rows against the
 * truth, the seeds × seeds consistency matrix, and a table of the numbers. */
#include "app/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/figure.h"
#include "joint/mat.h"
#include "sim/soma.h"

enum { MAX_POINTS = 20000, MAX_ROWS_DECODED = 4 };

static void range(const gsl_matrix *m, size_t col, const size_t *rows, size_t n, double *lo,
                  double *hi) {
  *lo = INFINITY, *hi = -INFINITY;
  for (size_t k = 0; k < n; k++) {
    double v = gsl_matrix_get(m, rows ? rows[k] : k, col);
    if (isfinite(v)) *lo = fmin(*lo, v), *hi = fmax(*hi, v);
  }
  if (!(*hi > *lo)) {
    double c = isfinite(*lo) ? *lo : 0;
    *lo = c - 1, *hi = c + 1;
  }
}

static void pad(double *lo, double *hi) {
  double s = 0.05 * (*hi - *lo);
  *lo -= s, *hi += s;
}

static int save(figure *f, const char *dir, const char *name, char *err, size_t errlen) {
  char path[4400];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int rc = figure_save(f, path, err, errlen);
  figure_destroy(f);
  return rc ? SOMA_ERR_IO : SOMA_OK;
}

/* embedding.png: one row of panels per behaviour column (at most 2), one panel per pair of
 * the first three dimensions (or dimension 0 against time for a 1-D embedding) */
static int embedding_png(const fit_result *r, const char *dir, char *err, size_t errlen) {
  const gsl_matrix *emb = r->seeds[0].emb, *y = r->data->y->data;
  size_t T = emb->size1, d = emb->size2, rows_n = y->size2 < 2 ? y->size2 : 2;
  static const int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
  int n_pairs = d >= 3 ? 3 : 1;
  int W = 1240, ph = 300, H = 70 + (int)rows_n * (ph + 90);
  figure *f = figure_create(W, H);
  size_t n = T < MAX_POINTS ? T : MAX_POINTS, *idx = malloc(n * sizeof *idx);
  if (!f || !idx) {
    figure_destroy(f), free(idx);
    return SOMA_ERR_NOMEM;
  }
  joint_mat_even_rows(T, n, idx);
  char title[256];
  snprintf(title, sizeof title, "embedding of %s (%s, seed %u, %zu of %zu rows)",
           r->data->n_pops ? "the binned spikes" : "the data", r->model->name, r->seeds[0].seed,
           n, T);
  figure_text(f, W / 2, 18, title, 16, FIG_BLACK, 0, 0);
  int pw = (W - 160) / n_pairs - 80;
  for (size_t c = 0; c < rows_n; c++) {
    double clo, chi;
    range(y, c, idx, n, &clo, &chi);
    int py = 70 + (int)c * (ph + 90);
    for (int p = 0; p < n_pairs; p++) {
      int a = d >= 2 ? pairs[p][0] : -1, b = d >= 2 ? pairs[p][1] : 0;
      double x0, x1, y0, y1;
      if (a >= 0) range(emb, (size_t)a, idx, n, &x0, &x1);
      else x0 = 0, x1 = (double)T;
      range(emb, (size_t)b, idx, n, &y0, &y1);
      pad(&x0, &x1), pad(&y0, &y1);
      char xl[32], yl[32], tl[128];
      snprintf(xl, sizeof xl, a >= 0 ? "dimension %d" : "row", a);
      snprintf(yl, sizeof yl, "dimension %d", b);
      snprintf(tl, sizeof tl, "coloured by %s", r->data->y->names[c]);
      fig_axes ax = figure_axes(f, 80 + p * (pw + 80), py, pw, ph, x0, x1, y0, y1, xl, yl, tl);
      for (size_t k = 0; k < n; k++) {
        size_t i = idx[k];
        double px = a >= 0 ? gsl_matrix_get(emb, i, (size_t)a) : (double)i;
        double t = (gsl_matrix_get(y, i, c) - clo) / (chi - clo);
        figure_point(f, &ax, px, gsl_matrix_get(emb, i, (size_t)b), figure_viridis(t), 3);
      }
    }
    figure_colour_bar(f, W - 70, py, ph, clo, chi);
  }
  free(idx);
  return save(f, dir, "embedding.png", err, errlen);
}

/* decoding.png: each behaviour column on the test rows, truth (black) and the first seed's kNN
 * decoding (red), against time */
static int decoding_png(const fit_result *r, const char *dir, char *err, size_t errlen) {
  const fit_data *d = r->data;
  size_t D = d->y->data->size2 < MAX_ROWS_DECODED ? d->y->data->size2 : MAX_ROWS_DECODED;
  size_t n = r->n_test;
  int W = 1200, ph = 200, H = 60 + (int)D * (ph + 80);
  figure *f = figure_create(W, H);
  double *tx = malloc(n * sizeof *tx), *tv = malloc(n * sizeof *tv), *pv = malloc(n * sizeof *pv);
  if (!f || !tx || !tv || !pv) {
    figure_destroy(f), free(tx), free(tv), free(pv);
    return SOMA_ERR_NOMEM;
  }
  for (size_t k = 0; k < n; k++)
    tx[k] = d->t ? gsl_matrix_get(d->t, r->test_rows[k], 0) / 1000 : (double)r->test_rows[k];
  char title[256];
  snprintf(title, sizeof title, "test rows: behaviour (black) and its kNN decoding from the "
           "embedding (red, seed %u): R² %.3f", r->seeds[0].seed, r->seeds[0].knn_r2);
  figure_text(f, W / 2, 18, title, 16, FIG_BLACK, 0, 0);
  for (size_t c = 0; c < D; c++) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
      tv[k] = gsl_matrix_get(d->y->data, r->test_rows[k], c);
      pv[k] = gsl_matrix_get(r->test_pred, k, c);
      lo = fmin(lo, fmin(tv[k], pv[k])), hi = fmax(hi, fmax(tv[k], pv[k]));
    }
    if (!(hi > lo)) lo -= 1, hi += 1;
    pad(&lo, &hi);
    fig_axes ax = figure_axes(f, 90, 60 + (int)c * (ph + 80), W - 130, ph, tx[0], tx[n - 1], lo,
                              hi, d->t ? "time (s)" : "row", d->y->names[c], NULL);
    figure_line(f, &ax, tx, tv, n, FIG_BLACK);
    figure_line(f, &ax, tx, pv, n, FIG_RED);
  }
  free(tx), free(tv), free(pv);
  return save(f, dir, "decoding.png", err, errlen);
}

/* consistency.png: the seeds × seeds R² as a heat map with its values */
static int consistency_png(const fit_result *r, const char *dir, char *err, size_t errlen) {
  int k = (int)r->n_seeds, W = 720, H = 640, x0 = 110, y0 = 70, side = 460;
  figure *f = figure_create(W, H);
  if (!f) return SOMA_ERR_NOMEM;
  char buf[160];
  snprintf(buf, sizeof buf, "consistency across seeds (%s): mean R² %.3f", r->model->name,
           r->consistency_mean);
  figure_text(f, W / 2, 24, buf, 16, FIG_BLACK, 0, 0);
  if (!r->consistency) {
    figure_text(f, W / 2, H / 2, "one seed: no pairs to compare", 15, FIG_GREY, 0, 0);
    return save(f, dir, "consistency.png", err, errlen);
  }
  int cell = side / k;
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++) {
      double v = gsl_matrix_get(r->consistency, (size_t)i, (size_t)j);
      int cx = x0 + j * cell, cy = y0 + i * cell;
      figure_rect(f, cx, cy, cell, cell, isfinite(v) ? figure_viridis(v) : 0xe0e0e0ffu, 1);
      figure_rect(f, cx, cy, cell, cell, 0xffffffffu, 0);
      snprintf(buf, sizeof buf, isfinite(v) ? "%.3f" : "-", v);
      if (cell >= 40)
        figure_text(f, cx + cell / 2, cy + cell / 2, buf, cell >= 80 ? 14 : 10,
                    !isfinite(v) || v > 0.6 ? FIG_BLACK : 0xffffffffu, 0, 0);
    }
  for (int i = 0; i < k; i++) {
    snprintf(buf, sizeof buf, "%u", r->seeds[i].seed);
    figure_text(f, x0 - 10, y0 + i * cell + cell / 2, buf, 12, FIG_BLACK, 1, 0);
    figure_text(f, x0 + i * cell + cell / 2, y0 + k * cell + 14, buf, 12, FIG_BLACK, 0, 0);
  }
  figure_text(f, x0 + k * cell / 2, y0 + k * cell + 40, "to seed (R² of the affine map)", 13,
              FIG_BLACK, 0, 0);
  figure_text(f, x0 - 60, y0 + k * cell / 2, "from seed", 13, FIG_BLACK, 0, 1);
  figure_colour_bar(f, x0 + k * cell + 30, y0, k * cell, 0, 1);
  return save(f, dir, "consistency.png", err, errlen);
}

/* metrics.png: the scorecard's numbers as a table */
static int metrics_png(const fit_result *r, const char *dir, char *err, size_t errlen) {
  char lines[64][2][160];
  int n = 0;
#define ROW(label, ...)                                                                   \
  do {                                                                                    \
    if (n < 64) {                                                                         \
      snprintf(lines[n][0], sizeof lines[n][0], "%s", label);                             \
      snprintf(lines[n][1], sizeof lines[n][1], __VA_ARGS__);                             \
      n++;                                                                                \
    }                                                                                     \
  } while (0)
  const fit_data *d = r->data;
  ROW("model", "%s, %d dims, %zu seeds", r->model->name, r->opts.dims, r->n_seeds);
  ROW("data", "%zu bins x %zu neurons%s", d->x->data->size1, d->x->data->size2,
      d->dropped_held ? " (held bins dropped)" : "");
  ROW("consistency across seeds", "%.3f", r->consistency_mean);
  for (int k = 0; k < r->n_decoders; k++)
    ROW(r->decoders[k].name, "R² %.3f, median error %.3g (on %s)", r->decoders[k].r2,
        r->decoders[k].median_error, r->decoders[k].on);
  for (size_t e = 0; e < r->n_ident; e++) {
    char label[96];
    snprintf(label, sizeof label, "identifiability: %s", r->ident_names[e]);
    ROW(label, "kNN R² %.3f, linear R² %.3f", fit_ident_mean(r, e, 0), fit_ident_mean(r, e, 1));
  }
  for (int k = 0; k < r->n_perturb; k++) {
    char label[64];
    snprintf(label, sizeof label, "robustness: %s", r->perturb_name[k]);
    ROW(label, "R² %.3f", r->perturb_r2[k]);
  }
  ROW("CKA (linear, RBF)", "%.3f, %.3f", FIT_MEAN(r, cka), FIT_MEAN(r, cka_rbf));
  ROW("RSA (Spearman)", "%.3f", FIT_MEAN(r, rsa));
  ROW("Procrustes angle", "%.3f rad", FIT_MEAN(r, procrustes));
  ROW("fit time", "%.2f s per seed", FIT_MEAN(r, fit_seconds));
#undef ROW
  int W = 900, H = 80 + 24 * n;
  figure *f = figure_create(W, H);
  if (!f) return SOMA_ERR_NOMEM;
  figure_text(f, W / 2, 22, "scorecard (scorecard.json has every number)", 16, FIG_BLACK, 0, 0);
  for (int k = 0; k < n; k++) {
    int y = 60 + 24 * k;
    if (k % 2 == 0) figure_rect(f, 20, y - 12, W - 40, 24, 0xf0f0f0ffu, 1);
    figure_text(f, 30, y, lines[k][0], 13, FIG_BLACK, -1, 0);
    figure_text(f, 360, y, lines[k][1], 13, FIG_BLACK, -1, 0);
  }
  return save(f, dir, "metrics.png", err, errlen);
}

int fit_figures(const fit_result *r, const char *dir, char *err, size_t errlen) {
  int rc = embedding_png(r, dir, err, errlen);
  if (!rc) rc = decoding_png(r, dir, err, errlen);
  if (!rc) rc = consistency_png(r, dir, err, errlen);
  if (!rc) rc = metrics_png(r, dir, err, errlen);
  if (rc == SOMA_ERR_NOMEM) snprintf(err, errlen, "fit: out of memory for the figures");
  return rc;
}
