/* fit_score.c — the scorecard's numbers: the model fitted once per seed on the training rows,
 * kNN decoding of the behaviour from each embedding and ridge decoding from the binned spikes
 * (test rows), consistency across seeds (CEBRA's affine R²), identifiability of every latent
 * (kNN and linear R²), CKA, RSA and the Procrustes angle between embedding and behaviour, and
 * decoding after perturbations of the spikes (dropped neurons, Poisson noise, jitter). */
#include "app/fit.h"

#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "joint/bin.h"
#include "joint/check.h"
#include "joint/cka.h"
#include "joint/consistency.h"
#include "joint/identify.h"
#include "joint/mat.h"
#include "joint/perturb.h"
#include "joint/procrustes.h"
#include "joint/rsa.h"
#include "joint/score.h"
#include "sim/soma.h"

#define NOMEM() joint_fail(err, errlen, SOMA_ERR_NOMEM, "fit: out of memory")

/* the fewest rows a fit accepts, and what the split must leave */
enum { MIN_ROWS = 40, MIN_PART = 4, RSA_BINS = 10 };

fit_opts fit_opts_defaults(void) {
  return (fit_opts){.model = "contrastive", .seeds = 5, .seed = 0, .dims = 3, .iterations = 0,
                    .split = FIT_SPLIT_CEBRA, .decoders = "knn,ridge",
                    .robustness = FIT_ROBUST_EMBEDDING};
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void say(const fit_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const fit_opts *o, const char *fmt, ...) {
  if (o->quiet || !o->progress) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("fit: ", o->progress);
  vfprintf(o->progress, fmt, ap);
  fputc('\n', o->progress);
  fflush(o->progress);
  va_end(ap);
}

double fit_seed_mean(const fit_result *r, size_t offset) {
  double s = 0;
  size_t n = 0;
  for (size_t k = 0; k < r->n_seeds; k++) {
    double v = *(const double *)((const char *)&r->seeds[k] + offset);
    if (isfinite(v)) s += v, n++;
  }
  return n ? s / (double)n : NAN;
}

double fit_ident_mean(const fit_result *r, size_t e, int linear) {
  double s = 0;
  size_t n = 0;
  for (size_t k = 0; k < r->n_seeds; k++) {
    double v = linear ? r->seeds[k].ident_linear[e] : r->seeds[k].ident_knn[e];
    if (isfinite(v)) s += v, n++;
  }
  return n ? s / (double)n : NAN;
}

void fit_result_free(fit_result *r) {
  if (!r) return;
  for (size_t k = 0; r->seeds && k < r->n_seeds; k++) {
    if (r->seeds[k].emb) gsl_matrix_free(r->seeds[k].emb);
    free(r->seeds[k].ident_knn), free(r->seeds[k].ident_linear);
  }
  free(r->seeds);
  if (r->consistency) gsl_matrix_free(r->consistency);
  for (size_t k = 0; k < r->n_ident; k++) free(r->ident_names[k]);
  free(r->ident_names), free(r->ident_discrete), free(r->skipped);
  free(r->test_rows);
  if (r->test_pred) gsl_matrix_free(r->test_pred);
  if (r->counts) gsl_matrix_free(r->counts);
  joint_split_free(&r->split);
  memset(r, 0, sizeof *r);
}

/* ---- pieces ------------------------------------------------------------------------------- */

/* counts → what models and data decoders see: a copy, square root, Gaussian smoothing */
static int transform(const gsl_matrix *x, const fit_opts *o, gsl_matrix **out, char *err,
                     size_t errlen) {
  gsl_matrix *m = gsl_matrix_alloc(x->size1, x->size2);
  if (!m) return NOMEM();
  gsl_matrix_memcpy(m, x);
  int rc = o->sqrt ? joint_sqrt(m, err, errlen) : SOMA_OK;
  if (!rc && o->smooth_bins > 0) rc = joint_smooth_gaussian(m, o->smooth_bins, 4, err, errlen);
  if (rc) gsl_matrix_free(m);
  else *out = m;
  return rc;
}

int fit_knn_decode(const gsl_matrix *emb, const gsl_matrix *y, const joint_split *s,
                   joint_distance dist, double *r2, double *median_error, int *k_out,
                   double *valid_r2, gsl_matrix **pred_out, char *err, size_t errlen) {
  gsl_matrix *etr = NULL, *ytr = NULL, *eva = NULL, *yva = NULL, *ete = NULL, *yte = NULL,
             *pred = NULL;
  int rc = joint_split_rows(emb, s, JOINT_TRAIN, &etr, err, errlen);
  if (!rc) rc = joint_split_rows(y, s, JOINT_TRAIN, &ytr, err, errlen);
  if (!rc) rc = joint_split_rows(emb, s, JOINT_VALID, &eva, err, errlen);
  if (!rc) rc = joint_split_rows(y, s, JOINT_VALID, &yva, err, errlen);
  if (!rc) rc = joint_split_rows(emb, s, JOINT_TEST, &ete, err, errlen);
  if (!rc) rc = joint_split_rows(y, s, JOINT_TEST, &yte, err, errlen);
  static const int ks[] = JOINT_KNN_DEFAULT_KS;
  int k = 1;
  if (!rc) rc = joint_knn_choose_k(etr, ytr, eva, yva, ks, JOINT_KNN_DEFAULT_NKS, dist, &k,
                                   valid_r2, err, errlen);
  if (!rc && !(pred = gsl_matrix_alloc(ete->size1, y->size2))) rc = NOMEM();
  if (!rc) rc = joint_knn_predict(etr, ytr, ete, k, dist, pred, err, errlen);
  if (!rc) {
    *r2 = joint_r2(yte, pred);
    *median_error = joint_median_error(yte, pred);
    *k_out = k;
    if (pred_out) *pred_out = pred, pred = NULL;
  }
  gsl_matrix *all[] = {etr, ytr, eva, yva, ete, yte, pred};
  for (size_t j = 0; j < sizeof all / sizeof *all; j++)
    if (all[j]) gsl_matrix_free(all[j]);
  return rc;
}

/* the rows of part whose value in column col of m is finite, into idx; their number */
static size_t finite_rows(const joint_split *s, int part, const gsl_matrix *m, size_t col,
                          size_t *idx) {
  size_t n = 0;
  for (size_t k = 0; k < s->n; k++)
    if (s->part[k] == part && isfinite(gsl_matrix_get(m, k, col))) idx[n++] = k;
  return n;
}

/* 1 when the finite values of column col are all the same (or there are none) */
static int constant_column(const gsl_matrix *m, size_t col) {
  double first = NAN;
  for (size_t k = 0; k < m->size1; k++) {
    double v = gsl_matrix_get(m, k, col);
    if (!isfinite(v)) continue;
    if (isnan(first)) first = v;
    else if (v != first) return 0;
  }
  return 1;
}

/* the identifiability entries: every behaviour column, then the latents that vary */
static int ident_entries(const fit_data *d, fit_result *r, char *err, size_t errlen) {
  size_t D = d->y->data->size2, q = d->latents ? d->latents->data->size2 : 0;
  r->ident_names = calloc(D + q + 1, sizeof *r->ident_names);
  r->ident_discrete = calloc(D + q + 1, 1);
  if (!r->ident_names || !r->ident_discrete) return NOMEM();
  char skipped[1024] = "";
  size_t at = 0;
  for (size_t j = 0; j < D + q; j++) {
    const joint_table *t = j < D ? d->y : d->latents;
    size_t c = j < D ? j : j - D;
    if (j >= D && constant_column(t->data, c)) {
      int w = snprintf(skipped + at, sizeof skipped - at, "%s%s (constant)", at ? ", " : "",
                       t->names[c]);
      if (w > 0 && (size_t)w < sizeof skipped - at) at += (size_t)w;
      continue;
    }
    if (!(r->ident_names[r->n_ident] = strdup(t->names[c]))) return NOMEM();
    r->ident_discrete[r->n_ident++] = j >= D && d->discrete ? d->discrete[c] : 0;
  }
  if (at && !(r->skipped = strdup(skipped))) return NOMEM();
  return SOMA_OK;
}

/* the column of the identifiability entry called name (y or latents) */
static const gsl_matrix *entry_table(const fit_data *d, const char *name, size_t *col) {
  int c = joint_table_find(d->y, name);
  if (c >= 0) return *col = (size_t)c, d->y->data;
  c = joint_table_find(d->latents, name);
  return *col = (size_t)c, d->latents->data;
}

/* kNN and linear R² of every identifiability entry from one embedding */
static int identify_all(const fit_data *d, const fit_result *r, const gsl_matrix *emb,
                        fit_seed *s, char *err, size_t errlen) {
  size_t T = emb->size1;
  size_t *idx = malloc(3 * T * sizeof *idx);
  gsl_matrix *col = gsl_matrix_alloc(T, 1);
  int rc = idx && col ? SOMA_OK : NOMEM();
  joint_identify_opts io = joint_identify_defaults();
  io.distance = r->model->distance;
  for (size_t e = 0; !rc && e < r->n_ident; e++) {
    size_t c;
    const gsl_matrix *m = entry_table(d, r->ident_names[e], &c);
    size_t ntr = finite_rows(&r->split, JOINT_TRAIN, m, c, idx);
    size_t nva = finite_rows(&r->split, JOINT_VALID, m, c, idx + ntr);
    size_t nte = finite_rows(&r->split, JOINT_TEST, m, c, idx + ntr + nva);
    s->ident_knn[e] = s->ident_linear[e] = NAN;
    if (ntr < 2 || !nva || nte < 2) continue;   /* not enough finite rows: reported as null */
    for (size_t k = 0; k < T; k++) {
      double v = gsl_matrix_get(m, k, c);
      gsl_matrix_set(col, k, 0, isfinite(v) ? v : 0);   /* rows outside the lists unused */
    }
    joint_identify_split sp = {joint_rows_list(idx, ntr), joint_rows_list(idx + ntr, nva),
                               joint_rows_list(idx + ntr + nva, nte)};
    joint_identify_result res;
    rc = joint_identify(emb, col, sp, io, &res, err, errlen);
    if (!rc) s->ident_knn[e] = res.knn_r2, s->ident_linear[e] = res.linear_r2;
  }
  free(idx);
  if (col) gsl_matrix_free(col);
  return rc;
}

/* RSA between emb and y: conditions are y binned RSA_BINS per column; each side's RDM is the
 * Euclidean distance between its condition means; Spearman ρ of the two upper triangles */
static int rsa_score(const gsl_matrix *emb, const gsl_matrix *y, double *rho, char *err,
                     size_t errlen) {
  size_t T = y->size1, n_cond = 0;
  size_t *cond = malloc(T * sizeof *cond), *counts = NULL;
  int rc = cond ? joint_rsa_bin_label(y, RSA_BINS, cond, &n_cond, err, errlen) : NOMEM();
  gsl_matrix *me = NULL, *my = NULL, *re = NULL, *ry = NULL;
  if (!rc) {
    counts = malloc(n_cond * sizeof *counts);
    me = gsl_matrix_alloc(n_cond, emb->size2), my = gsl_matrix_alloc(n_cond, y->size2);
    if (!counts || !me || !my) rc = NOMEM();
  }
  if (!rc) rc = joint_rsa_condition_means(emb, cond, n_cond, me, counts, err, errlen);
  if (!rc) rc = joint_rsa_condition_means(y, cond, n_cond, my, NULL, err, errlen);
  size_t used = 0;
  for (size_t a = 0; !rc && a < n_cond; a++)
    if (counts[a]) counts[used++] = a;   /* the conditions with rows */
  if (!rc && used < 3)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "rsa: the behaviour falls in %zu bins (3 "
                    "needed)", used);
  if (!rc && (!(re = gsl_matrix_alloc(used, used)) || !(ry = gsl_matrix_alloc(used, used))))
    rc = NOMEM();
  for (size_t a = 0; !rc && a < used; a++)
    for (size_t b = 0; b < used; b++) {
      const gsl_matrix *src[2] = {me, my};
      gsl_matrix *dst[2] = {re, ry};
      for (int s = 0; s < 2; s++) {
        double ss = 0;
        for (size_t j = 0; j < src[s]->size2; j++) {
          double v = gsl_matrix_get(src[s], counts[a], j) - gsl_matrix_get(src[s], counts[b], j);
          ss += v * v;
        }
        gsl_matrix_set(dst[s], a, b, sqrt(ss));
      }
    }
  if (!rc) rc = joint_rsa_compare_rdms(re, ry, JOINT_RSA_SPEARMAN, rho, err, errlen);
  gsl_matrix *all[] = {me, my, re, ry};
  for (size_t j = 0; j < 4; j++)
    if (all[j]) gsl_matrix_free(all[j]);
  free(cond), free(counts);
  return rc;
}

/* CKA (linear and RBF), RSA and the Procrustes angle between an embedding and the behaviour.
 * A metric that cannot be computed (a constant side, too few conditions) is NaN. */
static void similarity(const gsl_matrix *emb, const gsl_matrix *y, fit_seed *s) {
  char e[256];
  s->cka = s->cka_rbf = s->rsa = s->procrustes = NAN;
  double v;
  if (!joint_cka_linear(emb, y, &v, e, sizeof e)) s->cka = v;
  if (!joint_cka_rbf(emb, y, joint_cka_defaults(), &v, NULL, e, sizeof e)) s->cka_rbf = v;
  if (!rsa_score(emb, y, &v, e, sizeof e)) s->rsa = v;
  if (!joint_procrustes(emb, y, joint_procrustes_defaults(), &v, e, sizeof e)) s->procrustes = v;
}

/* ---- robustness --------------------------------------------------------------------------- */

/* decoding R² after one perturbation of the counts: on a refitted seed-0 embedding (kNN) or
 * on the perturbed data (ridge) */
static int perturbed_r2(const fit_data *d, const fit_result *r, const gsl_matrix *xp,
                        double *r2, char *err, size_t errlen) {
  gsl_matrix *xt = NULL, *emb = NULL;
  int rc = transform(xp, &r->opts, &xt, err, errlen);
  double med, valid;
  int k;
  if (!rc && r->opts.robustness == FIT_ROBUST_DATA) {
    fit_decoder_in in = {xp, xt, d->y->data, &r->split};
    fit_decoder dec;
    rc = fit_decode(fit_decoder_find("ridge"), &in, &dec, err, errlen);
    if (!rc) *r2 = dec.r2;
  } else if (!rc) {
    rc = r->model->embed(xt, d->y->data, &r->split, &r->opts, r->seeds[0].seed, &emb, err,
                         errlen);
    if (!rc) rc = fit_knn_decode(emb, d->y->data, &r->split, r->model->distance, r2, &med, &k,
                             &valid, NULL, err, errlen);
  }
  if (xt) gsl_matrix_free(xt);
  if (emb) gsl_matrix_free(emb);
  return rc;
}

static int robustness(const fit_data *d, fit_result *r, char *err, size_t errlen) {
  const fit_opts *o = &r->opts;
  if (o->robustness == FIT_ROBUST_NONE) return SOMA_OK;
  uint32_t base = o->seed * 2654435761u + 977u;
  const gsl_matrix *x = r->counts;
  snprintf(r->robustness_on, sizeof r->robustness_on, "%s",
           o->robustness == FIT_ROBUST_DATA
               ? "ridge decoding of the behaviour from the perturbed binned spikes (test rows)"
               : "kNN decoding of the behaviour from the embedding refitted (first seed) on the "
                 "perturbed spikes (test rows)");
  int n = 0, rc = SOMA_OK;
  strcpy(r->perturb_name[n], "none");
  r->perturb_r2[n++] = r->seeds[0].knn_r2;
  if (o->robustness == FIT_ROBUST_DATA) {   /* the unperturbed ridge decoder */
    gsl_matrix *xt = NULL;
    fit_decoder dec;
    rc = transform(x, o, &xt, err, errlen);
    fit_decoder_in in = {x, xt, d->y->data, &r->split};
    if (!rc) rc = fit_decode(fit_decoder_find("ridge"), &in, &dec, err, errlen);
    if (!rc) r->perturb_r2[0] = dec.r2;
    if (xt) gsl_matrix_free(xt);
  }
  static const double drops[] = {0.1, 0.3, 0.5};
  for (int k = 0; !rc && k < 5; k++) {
    gsl_matrix *xp = NULL;
    if (k < 3) {
      snprintf(r->perturb_name[n], sizeof r->perturb_name[n], "drop_%d%%",
               (int)lround(100 * drops[k]));
      rc = joint_perturb_drop(x, drops[k], base + (uint32_t)k, &xp, NULL, err, errlen);
    } else if (k == 3) {
      strcpy(r->perturb_name[n], "poisson_noise_0.5");
      rc = joint_perturb_poisson(x, 0.5, base + 3, &xp, err, errlen);
    } else {
      strcpy(r->perturb_name[n], "jitter_1_bin");
      rc = joint_perturb_jitter(x, JOINT_JITTER_ENTRY, base + 4, &xp, err, errlen);
    }
    double t0 = now_s();
    if (!rc) rc = perturbed_r2(d, r, xp, &r->perturb_r2[n], err, errlen);
    if (rc && rc != SOMA_ERR_NOMEM) {   /* this perturbation does not apply: say why */
      r->perturb_r2[n] = NAN;
      size_t at = strlen(r->robustness_skipped);
      snprintf(r->robustness_skipped + at, sizeof r->robustness_skipped - at, "%s%s: %s",
               at ? "; " : "", r->perturb_name[n], err);
      say(o, "robustness %s: not measured (%s)", r->perturb_name[n], err);
      rc = SOMA_OK;
    } else if (!rc) {
      say(o, "robustness %s: R² %.3f (%.1f s)", r->perturb_name[n], r->perturb_r2[n],
          now_s() - t0);
    }
    if (xp) gsl_matrix_free(xp);
    n++;
  }
  r->n_perturb = n;
  return rc;
}

/* the columns of x that are not all zero, as a new matrix, into r */
static int active_columns(const gsl_matrix *x, fit_result *r, char *err, size_t errlen) {
  size_t T = x->size1, N = x->size2, n = 0;
  unsigned char *on = calloc(N ? N : 1, 1);
  if (!on) return NOMEM();
  for (size_t k = 0; k < T; k++)
    for (size_t j = 0; j < N; j++)
      if (gsl_matrix_get(x, k, j) != 0) on[j] = 1;
  for (size_t j = 0; j < N; j++) n += on[j];
  int rc = SOMA_OK;
  if (!n)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: none of the %zu neurons has a spike in "
                    "the %zu time bins", N, T);
  else if (!(r->counts = gsl_matrix_alloc(T, n)))
    rc = NOMEM();
  for (size_t j = 0, c = 0; !rc && j < N; j++)
    if (on[j]) {
      gsl_vector_const_view col = gsl_matrix_const_column(x, j);
      gsl_matrix_set_col(r->counts, c++, &col.vector);
    }
  r->n_active = n;
  free(on);
  return rc;
}

/* ---- the fit ------------------------------------------------------------------------------ */

static int check_opts(const fit_opts *o, const fit_model **m, char *err, size_t errlen) {
  int rc = fit_model_lookup(o->model, m, err, errlen);
  if (!rc && o->decoders) rc = fit_decoders_check(o->decoders, err, errlen);
  if (rc) return rc;
  if (o->seeds < 1 || o->seeds > 100)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: seeds must be 1 to 100 (got %d)",
                      o->seeds);
  if (o->dims < 1 || o->dims > 64)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: dims must be 1 to 64 (got %d)",
                      o->dims);
  if (o->split != FIT_SPLIT_CEBRA && o->split != FIT_SPLIT_INTERLEAVED)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: unknown split");
  if (!(o->smooth_bins >= 0) || o->iterations < 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: smoothing and iterations must be >= 0");
  return SOMA_OK;
}

static int make_split(const fit_data *d, fit_result *r, char *err, size_t errlen) {
  size_t T = d->x->data->size1;
  const char *kind = r->opts.split == FIT_SPLIT_CEBRA ? "cebra" : "interleaved";
  const char *fix = isfinite(d->bin_ms) ? " (a smaller --bin, or a longer run)" : "";
  if (T < MIN_ROWS)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: %zu time bins are too few for the %s "
                      "split: at least %d are needed%s", T, kind, MIN_ROWS, fix);
  joint_split_opts so = joint_split_defaults();
  so.blocks = r->opts.split;
  int rc = joint_split_make(T, &so, &r->split, err, errlen);
  if (rc) return rc;
  for (int p = JOINT_TRAIN; p <= JOINT_TEST; p++)
    if (r->split.count[p] < MIN_PART)
      return joint_fail(err, errlen, SOMA_ERR_PARAM, "fit: the %s split of %zu time bins leaves "
                        "%zu %s rows (%d needed)%s", kind, T, r->split.count[p],
                        joint_split_part_name(p), MIN_PART, fix);
  r->n_test = r->split.count[JOINT_TEST];
  if (!(r->test_rows = malloc(r->n_test * sizeof *r->test_rows))) return NOMEM();
  joint_split_index(&r->split, JOINT_TEST, r->test_rows);
  return SOMA_OK;
}

int fit_run(const fit_data *d, const fit_opts *o, fit_result *r, char *err, size_t errlen) {
  memset(r, 0, sizeof *r);
  double t_start = now_s();
  const fit_model *m;
  int rc = check_opts(o, &m, err, errlen);
  if (rc) return rc;
  r->data = d, r->opts = *o, r->model = m;
  if (!m->iterative) r->opts.iterations = 0;
  else if (!r->opts.iterations) r->opts.iterations = m->default_iterations;
  if (o->threads > 0) omp_set_num_threads(o->threads);
  snprintf(r->transform, sizeof r->transform, "%s", o->sqrt ? "square root of counts" : "counts");
  if (o->smooth_bins > 0) {
    size_t n = strlen(r->transform);
    snprintf(r->transform + n, sizeof r->transform - n, ", Gaussian smoothing (sd %g bins)",
             o->smooth_bins);
  }
  gsl_matrix *xt = NULL;
  rc = make_split(d, r, err, errlen);
  if (!rc) rc = active_columns(d->x->data, r, err, errlen);
  if (!rc) rc = transform(r->counts, o, &xt, err, errlen);
  if (!rc) rc = ident_entries(d, r, err, errlen);
  r->n_seeds = (size_t)o->seeds;
  if (!rc && !(r->seeds = calloc(r->n_seeds, sizeof *r->seeds))) rc = NOMEM();
  /* the model, once per seed */
  for (size_t k = 0; !rc && k < r->n_seeds; k++) {
    fit_seed *s = &r->seeds[k];
    s->seed = o->seed + (uint32_t)k;
    s->ident_knn = malloc((r->n_ident + 1) * sizeof *s->ident_knn);
    s->ident_linear = malloc((r->n_ident + 1) * sizeof *s->ident_linear);
    if (!s->ident_knn || !s->ident_linear) {
      rc = NOMEM();
      break;
    }
    double t0 = now_s();
    if (k > 0 && m->deterministic) {   /* the same embedding and numbers for every seed */
      const fit_seed *s0 = &r->seeds[0];
      double *knn = s->ident_knn, *lin = s->ident_linear;
      *s = *s0;
      s->seed = o->seed + (uint32_t)k;
      s->ident_knn = knn, s->ident_linear = lin;
      memcpy(knn, s0->ident_knn, r->n_ident * sizeof *knn);
      memcpy(lin, s0->ident_linear, r->n_ident * sizeof *lin);
      if (!(s->emb = gsl_matrix_alloc(xt->size1, s0->emb->size2))) rc = NOMEM();
      else gsl_matrix_memcpy(s->emb, s0->emb);
      continue;
    }
    rc = m->embed(xt, d->y->data, &r->split, &r->opts, s->seed, &s->emb, err, errlen);
    s->fit_seconds = now_s() - t0;
    if (!rc) rc = fit_knn_decode(s->emb, d->y->data, &r->split, m->distance, &s->knn_r2,
                             &s->knn_median_error, &s->knn_k, &s->knn_valid_r2,
                             k == 0 ? &r->test_pred : NULL, err, errlen);
    if (!rc) rc = identify_all(d, r, s->emb, s, err, errlen);
    if (!rc) similarity(s->emb, d->y->data, s);
    if (!rc) say(o, "seed %u (%zu of %zu): %s %.2f s, kNN R² %.3f", s->seed, k + 1, r->n_seeds,
                 m->name, s->fit_seconds, s->knn_r2);
  }
  /* consistency across seeds */
  if (!rc && r->n_seeds >= 2) {
    const gsl_matrix **embs = malloc(r->n_seeds * sizeof *embs);
    if (!embs || !(r->consistency = gsl_matrix_alloc(r->n_seeds, r->n_seeds))) rc = NOMEM();
    for (size_t k = 0; !rc && k < r->n_seeds; k++) embs[k] = r->seeds[k].emb;
    if (!rc) rc = joint_consistency_runs(embs, r->n_seeds, r->consistency, &r->consistency_mean,
                                         err, errlen);
    free(embs);
  } else {
    r->consistency_mean = NAN;
  }
  /* the decoders, in the order asked */
  for (const char *p = o->decoders ? o->decoders : "knn"; !rc && *p;) {
    size_t len = strcspn(p, ",");
    char name[32];
    snprintf(name, sizeof name, "%.*s", (int)len, p);
    p += len + (p[len] == ',');
    if (r->n_decoders == FIT_MAX_DECODERS) break;
    fit_decoder *dec = &r->decoders[r->n_decoders];
    if (!strcmp(name, "knn")) {
      snprintf(dec->name, sizeof dec->name, "knn");
      snprintf(dec->on, sizeof dec->on, "embedding");
      dec->r2 = FIT_MEAN(r, knn_r2);
      dec->median_error = FIT_MEAN(r, knn_median_error);
      dec->param = r->seeds[0].knn_k;
      snprintf(dec->param_name, sizeof dec->param_name, "k");
      r->n_decoders++;
      continue;
    }
    const fit_decoder_def *def = fit_decoder_find(name);
    if (!def) {
      rc = fit_decoders_check(name, err, errlen);
      break;
    }
    double t0 = now_s();
    fit_decoder_in in = {r->counts, xt, d->y->data, &r->split};
    rc = fit_decode(def, &in, dec, err, errlen);
    if (!rc) {
      r->n_decoders++;
      say(o, "%s decoder on the %s: R² %.3f (%.1f s)", name, def->on, dec->r2, now_s() - t0);
    }
  }
  if (!rc) rc = robustness(d, r, err, errlen);
  if (xt) gsl_matrix_free(xt);
  r->wall_seconds = now_s() - t_start;
  if (rc) fit_result_free(r);
  return rc;
}
