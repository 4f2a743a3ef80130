/* fit_report.c — scorecard.json: every number of a fit with what it was measured between, the
 * split as row ranges, per-seed values next to their means, and the settings that made them
 * (the keys are listed in docs/fit.md). */
#include "app/fit.h"

#include <math.h>
#include <string.h>

#include "sim/json.h"
#include "sim/param.h"
#include "sim/soma.h"

/* "key": value pairs, separated */
static void key(FILE *f, int *first, const char *k) {
  fputs(*first ? "\n  " : ",\n  ", f);
  *first = 0;
  soma_json_str(f, k);
  fputs(": ", f);
}

/* , "name": v */
static void field(FILE *f, const char *name, double v) {
  fprintf(f, ", \"%s\": ", name);
  soma_json_num(f, v);
}

static void num_list(FILE *f, const fit_result *r, size_t offset, size_t index) {
  fputc('[', f);
  for (size_t k = 0; k < r->n_seeds; k++) {
    const char *base = (const char *)&r->seeds[k] + offset;
    double v = index == (size_t)-1 ? *(const double *)base : (*(double *const *)base)[index];
    if (k) fputs(", ", f);
    soma_json_num(f, v);
  }
  fputc(']', f);
}

static void str_list(FILE *f, char *const *s, size_t n) {
  fputc('[', f);
  for (size_t k = 0; k < n; k++) {
    if (k) fputs(", ", f);
    soma_json_str(f, s[k]);
  }
  fputc(']', f);
}

/* the half-open row ranges [start, stop) of one part of the split */
static void ranges(FILE *f, const joint_split *s, int part) {
  fputc('[', f);
  int first = 1;
  for (size_t k = 0; k < s->n;) {
    if (s->part[k] != part) {
      k++;
      continue;
    }
    size_t start = k;
    while (k < s->n && s->part[k] == part) k++;
    fprintf(f, "%s[%zu, %zu]", first ? "" : ", ", start, k);
    first = 0;
  }
  fputc(']', f);
}

/* "behaviour (x, y)" */
static void between(char *buf, size_t len, const fit_data *d) {
  size_t at = (size_t)snprintf(buf, len, "the embedding and the behaviour (");
  for (size_t j = 0; j < d->y->data->size2 && at < len; j++)
    at += (size_t)snprintf(buf + at, len - at, "%s%s", j ? ", " : "", d->y->names[j]);
  if (at < len) snprintf(buf + at, len - at, "), all rows, mean over seeds");
}

static void metric(FILE *f, int *first, const fit_result *r, const char *name, size_t offset,
                   const char *btw, const char *extra) {
  key(f, first, name);
  fputs("{", f);
  soma_json_str(f, name);
  fputs(": ", f);
  soma_json_num(f, fit_seed_mean(r, offset));
  fputs(", \"between\": ", f);
  soma_json_str(f, btw);
  if (extra) fputs(extra, f);
  fputs(", \"seeds\": ", f);
  num_list(f, r, offset, (size_t)-1);
  fputc('}', f);
}

void fit_report_json(const fit_result *r, FILE *f) {
  const fit_data *d = r->data;
  const fit_opts *o = &r->opts;
  int first = 1;
  fputc('{', f);
  key(f, &first, "model");
  soma_json_str(f, r->model->name);
  key(f, &first, "model_about");
  soma_json_str(f, r->model->about);
  key(f, &first, "source");
  soma_json_str(f, d->source);
  key(f, &first, "environment");
  if (d->env) soma_json_str(f, d->env);
  else fputs("null", f);
  key(f, &first, "populations");
  str_list(f, d->pops, d->n_pops);
  key(f, &first, "bin_ms");
  soma_json_num(f, d->bin_ms);
  key(f, &first, "T");
  fprintf(f, "%zu", d->x->data->size1);
  key(f, &first, "n_neurons");
  fprintf(f, "%zu", d->x->data->size2);
  key(f, &first, "n_active_neurons");
  fprintf(f, "%zu", r->n_active);
  key(f, &first, "bins");
  fprintf(f, "%zu", d->bins);
  key(f, &first, "dropped_bins");
  fprintf(f, "%zu", d->dropped_held);
  key(f, &first, "max_hold_ms");
  soma_json_num(f, d->max_hold_ms);
  key(f, &first, "behaviour");
  str_list(f, d->y->names, d->y->data->size2);
  key(f, &first, "latents");
  str_list(f, d->latents ? d->latents->names : NULL, d->latents ? d->latents->data->size2 : 0);
  key(f, &first, "input");
  soma_json_str(f, r->transform);
  key(f, &first, "dims");
  fprintf(f, "%d", o->dims);
  key(f, &first, "seeds");
  fputc('[', f);
  for (size_t k = 0; k < r->n_seeds; k++) fprintf(f, "%s%u", k ? ", " : "", r->seeds[k].seed);
  fputc(']', f);
  key(f, &first, "iterations");
  fprintf(f, "%d", r->opts.iterations);
  key(f, &first, "deterministic");
  fputs(r->model->deterministic ? "true" : "false", f);

  key(f, &first, "split");
  fprintf(f, "{\"kind\": \"%s\", \"rows\": \"half-open [start, stop) row ranges of the T rows\", ",
          o->split == FIT_SPLIT_CEBRA ? "cebra" : "interleaved");
  for (int p = JOINT_TRAIN; p <= JOINT_TEST; p++) {
    fprintf(f, "\"%s\": ", joint_split_part_name(p));
    ranges(f, &r->split, p);
    fputs(", ", f);
  }
  fprintf(f, "\"counts\": {\"train\": %zu, \"valid\": %zu, \"test\": %zu, \"gap\": %zu}}",
          r->split.count[JOINT_TRAIN], r->split.count[JOINT_VALID], r->split.count[JOINT_TEST],
          r->split.count[JOINT_GAP]);

  key(f, &first, "consistency_seeds");
  soma_json_num(f, r->consistency_mean);
  key(f, &first, "consistency_matrix");
  fputc('[', f);
  for (size_t i = 0; r->consistency && i < r->n_seeds; i++) {
    fputs(i ? ", [" : "[", f);
    for (size_t j = 0; j < r->n_seeds; j++) {
      if (j) fputs(", ", f);
      soma_json_num(f, gsl_matrix_get(r->consistency, i, j));
    }
    fputc(']', f);
  }
  fputc(']', f);
  key(f, &first, "consistency_method");
  soma_json_str(f, "CEBRA's consistency between runs: R² of an affine map from one seed's "
                   "embedding to another's, fitted and scored on all rows, mean over the "
                   "ordered pairs");

  key(f, &first, "identifiability");
  fputc('{', f);
  for (size_t e = 0; e < r->n_ident; e++) {
    fputs(e ? ",\n    " : "\n    ", f);
    soma_json_str(f, r->ident_names[e]);
    fputs(": {\"knn_r2\": ", f);
    soma_json_num(f, fit_ident_mean(r, e, 0));
    field(f, "linear_r2", fit_ident_mean(r, e, 1));
    fprintf(f, ", \"kind\": \"%s\", \"knn_r2_seeds\": ",
            r->ident_discrete[e] ? "discrete" : "continuous");
    num_list(f, r, offsetof(fit_seed, ident_knn), e);
    fputs(", \"linear_r2_seeds\": ", f);
    num_list(f, r, offsetof(fit_seed, ident_linear), e);
    fputc('}', f);
  }
  fputc('}', f);
  key(f, &first, "identifiability_method");
  soma_json_str(f, "test-row R² of each latent from the embedding: kNN regression (k chosen on "
                   "the validation rows) and an affine least-squares fit on the training rows; "
                   "rows where the latent is NaN are left out; mean over seeds");
  key(f, &first, "identifiability_skipped");
  if (r->skipped) soma_json_str(f, r->skipped);
  else fputs("null", f);

  key(f, &first, "decoding");
  fputc('{', f);
  for (int k = 0; k < r->n_decoders; k++) {
    const fit_decoder *dec = &r->decoders[k];
    fputs(k ? ",\n    " : "\n    ", f);
    soma_json_str(f, dec->name);
    fputs(": {\"on\": ", f);
    soma_json_str(f, dec->on);
    field(f, "r2", dec->r2);
    field(f, "median_error", dec->median_error);
    if (dec->param_name[0]) field(f, dec->param_name, dec->param);
    if (!strcmp(dec->name, "knn")) {
      fprintf(f, ", \"distance\": \"%s\", \"r2_seeds\": ",
              joint_distance_name(r->model->distance));
      num_list(f, r, offsetof(fit_seed, knn_r2), (size_t)-1);
      fputs(", \"median_error_seeds\": ", f);
      num_list(f, r, offsetof(fit_seed, knn_median_error), (size_t)-1);
    }
    fputc('}', f);
  }
  fputc('}', f);
  key(f, &first, "decoding_method");
  soma_json_str(f, "the behaviour on the test rows, R² (mean over columns) and median Euclidean "
                   "error in the behaviour's units; trained on the training rows, chosen on the "
                   "validation rows");

  key(f, &first, "robustness");
  fputc('{', f);
  for (int k = 0; k < r->n_perturb; k++) {
    fputs(k ? ", " : "", f);
    soma_json_str(f, r->perturb_name[k]);
    fputs(": ", f);
    soma_json_num(f, r->perturb_r2[k]);
  }
  fputc('}', f);
  key(f, &first, "robustness_method");
  if (r->n_perturb) soma_json_str(f, r->robustness_on);
  else fputs("null", f);
  key(f, &first, "robustness_skipped");
  if (r->robustness_skipped[0]) soma_json_str(f, r->robustness_skipped);
  else fputs("null", f);

  char btw[512];
  between(btw, sizeof btw, d);
  metric(f, &first, r, "cka", offsetof(fit_seed, cka), btw, NULL);
  key(f, &first, "cka_rbf");
  soma_json_num(f, FIT_MEAN(r, cka_rbf));
  char extra[200];
  snprintf(extra, sizeof extra, ", \"method\": \"Spearman rho between Euclidean RDMs of "
           "condition means, conditions = the behaviour cut into 10 bins per column\"");
  metric(f, &first, r, "rsa", offsetof(fit_seed, rsa), btw, extra);
  metric(f, &first, r, "procrustes_angle", offsetof(fit_seed, procrustes), btw,
         ", \"unit\": \"rad\"");
  key(f, &first, "fit_seconds");
  soma_json_num(f, FIT_MEAN(r, fit_seconds));
  key(f, &first, "fit_seconds_per_1000_iter");
  if (r->model->iterative && r->opts.iterations > 0)
    soma_json_num(f, FIT_MEAN(r, fit_seconds) / r->opts.iterations * 1000);
  else
    fputs("null", f);
  key(f, &first, "wall_seconds");
  soma_json_num(f, r->wall_seconds);
  key(f, &first, "soma_version");
  soma_json_str(f, SOMA_VERSION);
  fputs("\n}\n", f);
}
