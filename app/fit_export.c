/* fit_export.c — the files of a fit, so that a peer (CEBRA) runs on exactly the same numbers:
 * scorecard.json with the figures, and with --export the binned spikes x (T × N), the
 * behaviour (T × D), the latents (T × q), the bin times t, the split (0 train, 1 valid, 2 test)
 * and every seed's embedding (T × d), each as .npy (float64) and as CSV with named columns. */
#include "app/fit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "app/rundir.h"
#include "joint/check.h"
#include "sim/soma.h"

/* name.npy and name.csv in dir */
static int both(const char *dir, const char *name, const gsl_matrix *m, char *const *names,
                const char *prefix, char *err, size_t errlen) {
  char path[4400];
  char **gen = NULL;
  if (!names) {   /* <prefix>0, <prefix>1, ... */
    if (!(gen = calloc(m->size2, sizeof *gen)))
      return joint_fail(err, errlen, SOMA_ERR_NOMEM, "fit: out of memory");
    for (size_t j = 0; j < m->size2; j++)
      if (asprintf(&gen[j], "%s%zu", prefix, j) < 0) gen[j] = NULL;
  }
  snprintf(path, sizeof path, "%s/%s.npy", dir, name);
  int rc = joint_npy_write(path, m, NULL, err, errlen);
  snprintf(path, sizeof path, "%s/%s.csv", dir, name);
  if (!rc) rc = joint_csv_write(path, m, (const char *const *)(names ? names : gen), err, errlen);
  for (size_t j = 0; gen && j < m->size2; j++) free(gen[j]);
  free(gen);
  return rc;
}

int fit_export(const fit_result *r, const char *dir, char *err, size_t errlen) {
  const fit_data *d = r->data;
  int rc = both(dir, "x", d->x->data, d->x->names, "x", err, errlen);
  if (!rc) rc = both(dir, "behaviour", d->y->data, d->y->names, "y", err, errlen);
  if (!rc && d->latents) rc = both(dir, "latents", d->latents->data, d->latents->names, "l",
                                   err, errlen);
  if (!rc && d->t) rc = both(dir, "t", d->t, (char *[]){"t_ms"}, NULL, err, errlen);
  gsl_matrix *part = rc ? NULL : joint_split_column(&r->split);
  if (!rc && !part) rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "fit: out of memory");
  if (!rc) rc = both(dir, "split", part, (char *[]){"part"}, NULL, err, errlen);
  if (part) gsl_matrix_free(part);
  for (size_t k = 0; !rc && k < r->n_seeds; k++) {
    char name[64];
    snprintf(name, sizeof name, "embedding_seed%u", r->seeds[k].seed);
    rc = both(dir, name, r->seeds[k].emb, NULL, "d", err, errlen);
  }
  return rc;
}

int fit_write(const fit_result *r, const char *dir, int export, char *err, size_t errlen) {
  FILE *f = rundir_open(dir, "scorecard.json", err, errlen);
  if (!f) return SOMA_ERR_IO;
  fit_report_json(r, f);
  if (rundir_commit(f, dir, "scorecard.json", err, errlen)) return SOMA_ERR_IO;
  int rc = fit_figures(r, dir, err, errlen);
  if (!rc && export) rc = fit_export(r, dir, err, errlen);
  return rc;
}

int fit_out_dir(const char *parent, const char *model, char *out, size_t len, char *err,
                size_t errlen) {
  char stem[96];
  snprintf(stem, sizeof stem, "fit-%s", model);
  return rundir_create_in(parent, NULL, stem, out, len, err, errlen) ? SOMA_ERR_IO : SOMA_OK;
}
