/* sweep_plot.c — sweep.png, the summary of a sweep: the headline metric against the one
 * parameter that varies (mean ± sd over seeds, each seed's value in grey), as a heatmap over
 * two grid parameters (or a coloured scatter when one of them is sampled), or as one bar per
 * seed when no parameter varies. Only points with status ok count. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/figure.h"
#include "app/sweep.h"

enum { W = SWEEP_PNG_W, H = SWEEP_PNG_H };

/* the metric of row r as a number, or NaN */
static double metric_of(const sweep_row *row, const char *key) {
  if (row->state != ROW_OK) return NAN;
  for (int i = 0; i < row->n; i++)
    if (!strcmp(row->keys[i], key)) {
      if (row->kinds[i] != 'n') return NAN;
      char *end;
      double v = strtod(row->vals[i], &end);
      return *end || !isfinite(v) ? NAN : v;
    }
  return NAN;
}

/* 1 when numeric result key takes more than one value over the rows with status ok */
static int varies(const sweep_plan *plan, const sweep_row *rows, const char *key) {
  double first = NAN;
  for (int r = 0; r < plan->n_points; r++) {
    double v = metric_of(&rows[r], key);
    if (!isfinite(v)) continue;
    if (!isfinite(first)) first = v;
    else if (v != first) return 1;
  }
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return sweep_key_cmp(*(char *const *)a, *(char *const *)b);
}

/* --metric (a result key, or its table column "result.k"), else the first numeric result (by
 * name) that varies, else the first numeric result */
static const char *pick_metric(const sweep_plan *plan, const sweep_row *rows, const char *want) {
  size_t total = 0;
  for (int r = 0; r < plan->n_points; r++) total += (size_t)rows[r].n;
  const char **keys = malloc((total + 1) * sizeof *keys);
  if (!keys) return NULL;
  size_t n = 0;
  for (int r = 0; r < plan->n_points; r++)
    for (int i = 0; i < rows[r].n; i++)
      if (rows[r].kinds[i] == 'n') keys[n++] = rows[r].keys[i];
  qsort(keys, n, sizeof *keys, cmp_str);
  const char *pick = NULL;
  for (size_t i = 0; i < n && !pick; i++) {
    if (i && !strcmp(keys[i], keys[i - 1])) continue;
    if (want) {
      if (!strcmp(keys[i], want) || (!strncmp(want, "result.", 7) && !strcmp(keys[i], want + 7)))
        pick = keys[i];
    } else if (varies(plan, rows, keys[i])) {
      pick = keys[i];
    }
  }
  if (!pick && !want && n) pick = keys[0];
  free(keys);
  return pick;
}

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* distinct values of parameter p over the plan, in order of first appearance, into out; the
 * level of each point into of[i]. Returns the number of levels, or -1 when out of memory. */
static int levels(const sweep_plan *plan, int p, const char **out, int *of) {
  size_t cap = 16;
  while (cap < 2 * (size_t)plan->n_points) cap *= 2;
  int *slot = malloc(cap * sizeof *slot);
  if (!slot) return -1;
  memset(slot, 0xff, cap * sizeof *slot);
  int n = 0;
  for (int i = 0; i < plan->n_points; i++) {
    const char *v = plan->points[i].values[p];
    size_t h = hash_str(v) & (cap - 1);
    while (slot[h] >= 0 && strcmp(out[slot[h]], v)) h = (h + 1) & (cap - 1);
    if (slot[h] < 0) {
      slot[h] = n;
      out[n++] = v;
    }
    if (of) of[i] = slot[h];
  }
  free(slot);
  return n;
}

/* x positions of levels: their numeric values, or 1..n when one is not a number */
static int numeric_levels(const char **lv, int n, double *x) {
  int numeric = 1;
  for (int k = 0; k < n; k++) {
    char *end;
    x[k] = strtod(lv[k], &end);
    if (end == lv[k] || *end || !isfinite(x[k])) numeric = 0;
  }
  if (!numeric)
    for (int k = 0; k < n; k++) x[k] = k + 1;
  return numeric;
}

static int px_x(const fig_axes *a, double x) {
  return a->x + (int)lround((x - a->x0) / (a->x1 - a->x0) * (a->w - 1));
}

static int px_y(const fig_axes *a, double y) {
  return a->y + a->h - 1 - (int)lround((y - a->y0) / (a->y1 - a->y0) * (a->h - 1));
}

static void label_list(char *buf, size_t n, const char *name, const char **lv, int m) {
  int len = snprintf(buf, n, "%s:", name);
  for (int k = 0; k < m && len < (int)n - 16; k++)
    len += snprintf(buf + len, n - (size_t)len, "%s %d = %s", k ? "," : "", k + 1, lv[k]);
  if (len >= (int)n - 16) snprintf(buf + len, n - (size_t)len, " ...");
}

static void range_of(const double *v, int n, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (int i = 0; i < n; i++)
    if (isfinite(v[i])) {
      if (v[i] < *lo) *lo = v[i];
      if (v[i] > *hi) *hi = v[i];
    }
}

static void pad(double *lo, double *hi, double frac) {
  double span = *hi - *lo;
  if (!(span > 0)) span = fabs(*lo) > 0 ? fabs(*lo) * 0.5 : 1;
  *lo -= span * frac;
  *hi += span * frac;
}

/* one varying parameter p: mean ± sd per level, every value in grey */
static void plot_line(figure *f, const sweep_plan *plan, const double *val, int p, const char *metric,
                      int n_seeds) {
  const char **lv = malloc((size_t)plan->n_points * sizeof *lv);
  double *x = malloc((size_t)plan->n_points * sizeof *x), *sum = calloc((size_t)plan->n_points, sizeof *sum),
         *sq = calloc((size_t)plan->n_points, sizeof *sq), *mean = malloc((size_t)plan->n_points * sizeof *mean);
  int *cnt = calloc((size_t)plan->n_points, sizeof *cnt), *order = malloc((size_t)plan->n_points * sizeof *order);
  int *of = malloc((size_t)plan->n_points * sizeof *of);
  int m = lv && of ? levels(plan, p, lv, of) : -1;
  if (!x || !sum || !sq || !mean || !cnt || !order || m < 0) goto done;
  int numeric = numeric_levels(lv, m, x);
  for (int i = 0; i < plan->n_points; i++) {
    if (!isfinite(val[i])) continue;
    int k = of[i];
    sum[k] += val[i];
    sq[k] += val[i] * val[i];
    cnt[k]++;
  }
  double ylo = INFINITY, yhi = -INFINITY;
  for (int k = 0; k < m; k++) {
    mean[k] = cnt[k] ? sum[k] / cnt[k] : NAN;
    double var = cnt[k] > 1 ? (sq[k] - cnt[k] * mean[k] * mean[k]) / (cnt[k] - 1) : 0;
    sq[k] = var > 0 ? sqrt(var) : 0;   /* sd from here on */
    if (cnt[k]) {
      ylo = fmin(ylo, mean[k] - sq[k]);
      yhi = fmax(yhi, mean[k] + sq[k]);
    }
  }
  double vlo, vhi;
  range_of(val, plan->n_points, &vlo, &vhi);
  ylo = fmin(ylo, vlo);
  yhi = fmax(yhi, vhi);
  pad(&ylo, &yhi, 0.08);
  double xlo, xhi;
  range_of(x, m, &xlo, &xhi);
  pad(&xlo, &xhi, 0.05);
  char title[512], xlabel[512];
  snprintf(title, sizeof title, "%s against %s: mean \xc2\xb1 sd over %d seed%s", metric,
           plan->params[p], n_seeds, n_seeds == 1 ? "" : "s");
  if (numeric) snprintf(xlabel, sizeof xlabel, "%s", plan->params[p]);
  else label_list(xlabel, sizeof xlabel, plan->params[p], lv, m);
  fig_axes a = figure_axes(f, 90, 50, W - 130, H - 130, xlo, xhi, ylo, yhi, xlabel, metric, title);
  for (int i = 0; i < plan->n_points; i++)
    if (isfinite(val[i]))
      figure_point(f, &a, x[of[i]], val[i], FIG_GREY, 4);
  int n = 0;
  for (int k = 0; k < m; k++)
    if (cnt[k]) order[n++] = k;
  for (int i = 1; i < n; i++)   /* by x */
    for (int j = i; j > 0 && x[order[j]] < x[order[j - 1]]; j--) {
      int t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  if (!plan->is_sample[p])
    for (int i = 1; i < n; i++) {
      double xs[2] = {x[order[i - 1]], x[order[i]]}, ys[2] = {mean[order[i - 1]], mean[order[i]]};
      figure_line(f, &a, xs, ys, 2, FIG_BLUE);
    }
  for (int i = 0; i < n; i++) {
    int k = order[i], px = px_x(&a, x[k]);
    if (sq[k] > 0) {
      int y0 = px_y(&a, mean[k] - sq[k]), y1 = px_y(&a, mean[k] + sq[k]);
      figure_segment(f, px, y0, px, y1, FIG_BLUE);
      figure_segment(f, px - 4, y0, px + 4, y0, FIG_BLUE);
      figure_segment(f, px - 4, y1, px + 4, y1, FIG_BLUE);
    }
    figure_point(f, &a, x[k], mean[k], FIG_BLUE, 7);
  }
done:
  free(lv);
  free(x);
  free(sum);
  free(sq);
  free(mean);
  free(cnt);
  free(order);
  free(of);
}

typedef struct cell {
  size_t key;   /* level of p * levels of q + level of q */
  double sum;
  int n;
} cell;

static int by_cell(const void *a, const void *b) {
  size_t x = ((const cell *)a)->key, y = ((const cell *)b)->key;
  return x < y ? -1 : x > y;
}

/* two varying parameters p (x) and q (y): a heatmap of grid levels, or a coloured scatter */
static void plot_map(figure *f, const sweep_plan *plan, const double *val, int p, int q,
                     const char *metric, const char *averaged) {
  size_t np = (size_t)plan->n_points;
  const char **la = malloc(np * sizeof *la), **lb = malloc(np * sizeof *lb);
  double *xa = malloc(np * sizeof *xa), *xb = malloc(np * sizeof *xb);
  int *oa = malloc(np * sizeof *oa), *ob = malloc(np * sizeof *ob);
  cell *cells = malloc(np * sizeof *cells);
  int ma = la && oa ? levels(plan, p, la, oa) : -1, mb = lb && ob ? levels(plan, q, lb, ob) : -1;
  if (!xa || !xb || !cells || ma < 0 || mb < 0) goto done;
  int na = numeric_levels(la, ma, xa), nb = numeric_levels(lb, mb, xb);
  /* the mean of each (p, q) pair over the seeds (and the other varying parameters) */
  size_t nc = 0;
  for (size_t i = 0; i < np; i++)
    if (isfinite(val[i])) cells[nc++] = (cell){(size_t)oa[i] * (size_t)mb + (size_t)ob[i], val[i], 1};
  qsort(cells, nc, sizeof *cells, by_cell);
  size_t m = 0;
  for (size_t i = 0; i < nc; i++) {
    if (m && cells[m - 1].key == cells[i].key) {
      cells[m - 1].sum += cells[i].sum;
      cells[m - 1].n++;
    } else {
      cells[m++] = cells[i];
    }
  }
  double lo = INFINITY, hi = -INFINITY;
  for (size_t c = 0; c < m; c++) {
    cells[c].sum /= cells[c].n;
    lo = fmin(lo, cells[c].sum);
    hi = fmax(hi, cells[c].sum);
  }
  if (!(hi > lo)) {
    double d = fabs(lo) > 0 ? fabs(lo) * 0.01 : 1;
    lo -= d;
    hi += d;
  }
  char title[512], xl[512], yl[512];
  snprintf(title, sizeof title, "%s: mean over seeds%s%s", metric, averaged[0] ? " and " : "", averaged);
  int x0 = 110, y0 = 50, pw = W - 250, ph = H - 140;
  if (!plan->is_sample[p] && !plan->is_sample[q]) {
    /* heatmap: levels in the order given, first parameter across, second up */
    double cw = (double)pw / ma, ch = (double)ph / mb;
    figure_rect(f, x0, y0, pw, ph, 0xe0e0e0ffu, 1);   /* cells without an ok point */
    for (size_t c = 0; c < m; c++) {
      int ka = (int)(cells[c].key / (size_t)mb), kb = (int)(cells[c].key % (size_t)mb);
      int cx = x0 + (int)lround(ka * cw), cy = y0 + ph - (int)lround((kb + 1) * ch);
      int w = x0 + (int)lround((ka + 1) * cw) - cx, h = y0 + ph - (int)lround(kb * ch) - cy;
      double t = (cells[c].sum - lo) / (hi - lo);
      figure_rect(f, cx, cy, w, h, figure_viridis(t), 1);
      if (cw >= 44 && ch >= 18) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.3g", cells[c].sum);
        figure_text(f, cx + w / 2, cy + h / 2, buf, 11, t > 0.6 ? FIG_BLACK : 0xffffffffu, 0, 0);
      }
    }
    figure_rect(f, x0, y0, pw, ph, FIG_BLACK, 0);
    int step_a = ma > 16 ? (ma + 15) / 16 : 1, step_b = mb > 16 ? (mb + 15) / 16 : 1;
    for (int ka = 0; ka < ma; ka += step_a)
      figure_text(f, x0 + (int)lround((ka + 0.5) * cw), y0 + ph + 12, la[ka], 11, FIG_BLACK, 0, 0);
    for (int kb = 0; kb < mb; kb += step_b)
      figure_text(f, x0 - 6, y0 + ph - (int)lround((kb + 0.5) * ch), lb[kb], 11, FIG_BLACK, 1, 0);
    figure_text(f, x0 + pw / 2, y0 + ph + 34, plan->params[p], 13, FIG_BLACK, 0, 0);
    figure_text(f, x0 - 70, y0 + ph / 2, plan->params[q], 13, FIG_BLACK, 0, 1);
    figure_text(f, x0 + pw / 2, y0 - 16, title, 15, FIG_BLACK, 0, 0);
  } else {
    /* a scatter of the (p, q) pairs, coloured by the metric */
    double alo, ahi, blo, bhi;
    range_of(xa, ma, &alo, &ahi);
    range_of(xb, mb, &blo, &bhi);
    pad(&alo, &ahi, 0.05);
    pad(&blo, &bhi, 0.05);
    if (na) snprintf(xl, sizeof xl, "%s", plan->params[p]);
    else label_list(xl, sizeof xl, plan->params[p], la, ma);
    if (nb) snprintf(yl, sizeof yl, "%s", plan->params[q]);
    else label_list(yl, sizeof yl, plan->params[q], lb, mb);
    fig_axes a = figure_axes(f, x0, y0, pw, ph, alo, ahi, blo, bhi, xl, yl, title);
    for (size_t c = 0; c < m; c++)
      figure_point(f, &a, xa[cells[c].key / (size_t)mb], xb[cells[c].key % (size_t)mb],
                   figure_viridis((cells[c].sum - lo) / (hi - lo)), 9);
  }
  figure_colour_bar(f, x0 + pw + 30, y0, ph, lo, hi);
  figure_text(f, x0 + pw + 39, y0 + ph + 16, metric, 11, FIG_BLACK, 0, 0);
done:
  free(la);
  free(lb);
  free(xa);
  free(xb);
  free(oa);
  free(ob);
  free(cells);
}

/* nothing varies: one bar per point (the seeds) and their mean */
static void plot_bars(figure *f, const sweep_plan *plan, const double *val, const char *metric) {
  int n = plan->n_points;
  double lo, hi, sum = 0, sq = 0;
  int cnt = 0;
  range_of(val, n, &lo, &hi);
  for (int i = 0; i < n; i++)
    if (isfinite(val[i])) {
      sum += val[i];
      sq += val[i] * val[i];
      cnt++;
    }
  double mean = sum / cnt, sd = cnt > 1 ? sqrt(fmax(0, (sq - cnt * mean * mean) / (cnt - 1))) : 0;
  lo = fmin(lo, 0);
  hi = fmax(hi, 0);
  pad(&lo, &hi, 0.08);
  char title[512], xl[512];
  snprintf(title, sizeof title, "%s per seed: mean %.4g \xc2\xb1 sd %.4g", metric, mean, sd);
  int len = snprintf(xl, sizeof xl, "seed:");
  for (int i = 0; i < n && len < (int)sizeof xl - 24; i++)
    len += snprintf(xl + len, sizeof xl - (size_t)len, "%s %d = %lu", i ? "," : "", i + 1,
                    plan->points[i].seed);
  fig_axes a = figure_axes(f, 90, 50, W - 130, H - 130, 0.4, n + 0.6, lo, hi, xl, metric, title);
  for (int i = 0; i < n; i++)
    if (isfinite(val[i])) figure_bar(f, &a, i + 1 - 0.3, i + 1 + 0.3, val[i], FIG_BLUE);
  double xs[2] = {0.4, n + 0.6}, ys[2] = {mean, mean};
  figure_line(f, &a, xs, ys, 2, FIG_RED);
}

int sweep_plot(const char *path, const sweep_plan *plan, const sweep_row *rows,
               const char *want, char *used, size_t usedlen, char *err, size_t errlen) {
  figure *f = figure_create(W, H);
  double *val = malloc(((size_t)plan->n_points + 1) * sizeof *val);
  int *vary = malloc(((size_t)plan->n_params + 1) * sizeof *vary);
  const char **lv = malloc(((size_t)plan->n_points + 1) * sizeof *lv);
  if (!f || !val || !vary || !lv) {
    figure_destroy(f);
    free(val);
    free(vary);
    free(lv);
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  int rc = 0;
  const char *metric = pick_metric(plan, rows, want);
  snprintf(used, usedlen, "%s", metric ? metric : "");
  int have = 0;
  for (int i = 0; i < plan->n_points; i++) {
    val[i] = metric ? metric_of(&rows[i], metric) : NAN;
    have += isfinite(val[i]);
  }
  int nv = 0;
  for (int p = 0; p < plan->n_params; p++)
    if (levels(plan, p, lv, NULL) > 1) vary[nv++] = p;
  int n_seeds = 1;   /* seeds vary fastest: they repeat after the first n_seeds points */
  while (n_seeds < plan->n_points && plan->points[n_seeds].seed != plan->points[0].seed) n_seeds++;
  if (!have) {
    char msg[512];
    if (want && !metric) {
      snprintf(err, errlen, "--metric %s: no point has a numeric result '%s'", want, want);
      rc = -1;
    }
    snprintf(msg, sizeof msg, "%s", !metric ? "no point has a numeric result (yet)"
                                            : "no point with status ok has this result (yet)");
    figure_text(f, W / 2, 30, metric ? metric : "sweep", 15, FIG_BLACK, 0, 0);
    figure_text(f, W / 2, H / 2, msg, 14, FIG_GREY, 0, 0);
  } else if (nv == 0) {
    plot_bars(f, plan, val, metric);
  } else if (nv == 1) {
    plot_line(f, plan, val, vary[0], metric, n_seeds);
  } else {
    char averaged[256] = "";
    int len = 0;
    for (int k = 2; k < nv && len < (int)sizeof averaged - 1; k++)
      len += snprintf(averaged + len, sizeof averaged - (size_t)len, "%s%s", k > 2 ? ", " : "",
                      plan->params[vary[k]]);
    plot_map(f, plan, val, vary[0], vary[1], metric, averaged);
  }
  char serr[512];
  if (figure_save(f, path, serr, sizeof serr)) {
    snprintf(err, errlen, "%s", serr);
    rc = -1;
  }
  figure_destroy(f);
  free(val);
  free(vary);
  free(lv);
  return rc;
}
