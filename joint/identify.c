/* identify.c — kNN and linear read-out of ground-truth latents from an embedding
 * (see identify.h). */
#include "identify.h"

#include <math.h>
#include <stdlib.h>

#include "joint/check.h"
#include "joint/linreg.h"
#include "joint/mat.h"
#include "joint/score.h"
#include "sim/soma.h"

#define WHO "identifiability"

joint_rows joint_rows_range(size_t begin, size_t end) {
  return (joint_rows){.idx = NULL, .n = 0, .begin = begin, .end = end};
}

joint_rows joint_rows_list(const size_t *idx, size_t n) {
  return (joint_rows){.idx = idx, .n = n, .begin = 0, .end = 0};
}

joint_identify_opts joint_identify_defaults(void) {
  return (joint_identify_opts){.distance = JOINT_EUCLIDEAN, .ks = NULL, .n_ks = 0, .lambda = 0};
}

static size_t rows_count(joint_rows r) {
  return r.idx ? r.n : (r.end > r.begin ? r.end - r.begin : 0);
}

static size_t rows_at(joint_rows r, size_t i) { return r.idx ? r.idx[i] : r.begin + i; }

/* marks[row] |= bit for the rows of r; fails if a row is out of range or already marked. */
static int mark_rows(joint_rows r, const char *name, size_t n, unsigned char *marks,
                     unsigned char bit, char *err, size_t errlen) {
  static const char *set_names[] = {"", "training", "validation", "", "test"};
  size_t m = rows_count(r);
  if (m == 0) return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": the %s rows are empty", name);
  for (size_t i = 0; i < m; i++) {
    size_t row = rows_at(r, i);
    if (row >= n)
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        WHO ": %s row %zu is out of range (the data has %zu rows)", name, row, n);
    if (marks[row])
      return joint_fail(err, errlen, SOMA_ERR_PARAM,
                        WHO ": row %zu is both a %s and a %s row (the sets must not overlap)",
                        row, set_names[marks[row] & 7], name);
    marks[row] |= bit;
  }
  return SOMA_OK;
}

/* copies of the rows of r from x and y */
static int take(const gsl_matrix *x, const gsl_matrix *y, joint_rows r, gsl_matrix **xr,
                gsl_matrix **yr) {
  size_t m = rows_count(r);
  size_t *idx = malloc(m * sizeof *idx);
  if (!idx) return SOMA_ERR_NOMEM;
  for (size_t i = 0; i < m; i++) idx[i] = rows_at(r, i);
  *xr = joint_mat_rows(x, idx, m);
  *yr = joint_mat_rows(y, idx, m);
  free(idx);
  return *xr && *yr ? SOMA_OK : SOMA_ERR_NOMEM;
}

int joint_identify(const gsl_matrix *emb, const gsl_matrix *latents, joint_identify_split split,
                   joint_identify_opts opts, joint_identify_result *res, char *err,
                   size_t errlen) {
  int rc = joint_mat_check(emb, 1, WHO, "embedding", err, errlen);
  if (!rc) rc = joint_mat_check(latents, 1, WHO, "latents", err, errlen);
  if (rc) return rc;
  if (emb->size1 != latents->size1)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      WHO ": the embedding has %zu rows but the latents %zu", emb->size1,
                      latents->size1);
  if (!res) return joint_fail(err, errlen, SOMA_ERR_PARAM, WHO ": no result to write");
  unsigned char *marks = calloc(emb->size1, 1);
  if (!marks) return joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
  rc = mark_rows(split.train, "training", emb->size1, marks, 1, err, errlen);
  if (!rc) rc = mark_rows(split.valid, "validation", emb->size1, marks, 2, err, errlen);
  if (!rc) rc = mark_rows(split.test, "test", emb->size1, marks, 4, err, errlen);
  free(marks);
  if (rc) return rc;
  gsl_matrix *tx = NULL, *ty = NULL, *vx = NULL, *vy = NULL, *sx = NULL, *sy = NULL;
  gsl_matrix *pred = NULL;
  joint_linreg *lin = NULL;
  joint_identify_result r = {0};
  int default_ks[] = JOINT_KNN_DEFAULT_KS;
  const int *ks = opts.ks ? opts.ks : default_ks;
  int n_ks = opts.ks ? opts.n_ks : JOINT_KNN_DEFAULT_NKS;
  if (take(emb, latents, split.train, &tx, &ty) || take(emb, latents, split.valid, &vx, &vy) ||
      take(emb, latents, split.test, &sx, &sy) ||
      !(pred = gsl_matrix_alloc(sy->size1, sy->size2))) {
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, WHO ": out of memory");
    goto done;
  }
  rc = joint_knn_choose_k(tx, ty, vx, vy, ks, n_ks, opts.distance, &r.knn_k, &r.knn_valid_r2,
                          err, errlen);
  if (!rc) rc = joint_knn_predict(tx, ty, sx, r.knn_k, opts.distance, pred, err, errlen);
  if (rc) goto done;
  r.knn_r2 = joint_r2(sy, pred);
  rc = joint_linreg_fit(tx, ty, opts.lambda, &lin, err, errlen);
  if (!rc) rc = joint_linreg_predict(lin, sx, pred, err, errlen);
  if (rc) goto done;
  r.linear_r2 = joint_r2(sy, pred);
  *res = r;
done:;
  gsl_matrix *all[] = {tx, ty, vx, vy, sx, sy, pred};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    if (all[i]) gsl_matrix_free(all[i]);
  joint_linreg_free(lin);
  return rc;
}
