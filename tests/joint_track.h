/* joint_track.h — the "1-D track" dataset of ../shared/reference/joint.md §3, shared by the
 * contrastive tests and bench/micro_contrastive.c: an animal runs back-and-forth laps on a track
 * [0, 1] with jittered speed, T bins of 25 ms, and 100 Poisson place cells (Gaussian fields,
 * σ = 0.08, peak 20 Hz, baseline 0.5 Hz, centres evenly spaced). Every draw is Philox. */
#ifndef SOMA_JOINT_TRACK_H
#define SOMA_JOINT_TRACK_H

#include <math.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>

#include "joint/contrastive.h"
#include "joint/knn.h"
#include "joint/linreg.h"
#include "joint/score.h"
#include "sim/rng.h"

/* Fills *counts (T × cells) and *pos (T × 1). Each lap runs at a speed drawn uniformly in
 * [0.3, 0.7] track/s, jittered per bin by a factor in [0.75, 1.25]; the animal turns at the
 * ends. */
static inline void joint_track(size_t T, size_t cells, uint32_t seed, gsl_matrix **counts,
                               gsl_matrix **pos) {
  const double dt = 0.025, sigma = 0.08, peak = 20, base = 0.5;
  *counts = gsl_matrix_alloc(T, cells);
  *pos = gsl_matrix_alloc(T, 1);
  gsl_rng *r = soma_gsl_rng_alloc();
  uint32_t stream = soma_stream_id("test", "track");
  double x = 0, dir = 1, speed = 0;
  int lap = -1;
  for (size_t t = 0; t < T; t++) {
    if (lap < 0 || (dir > 0 && x >= 1) || (dir < 0 && x <= 0)) {
      if (lap >= 0) dir = -dir;
      lap++;
      speed = 0.3 + 0.4 * soma_u01(soma_philox(seed, stream, 0, (uint32_t)lap, 0).v[0]);
    }
    double jitter = 0.75 + 0.5 * soma_u01(soma_philox(seed, stream, 1, (uint32_t)t, 0).v[0]);
    x += dir * speed * jitter * dt;
    x = x < 0 ? 0 : x > 1 ? 1 : x;
    gsl_matrix_set(*pos, t, 0, x);
    soma_gsl_rng_reset(r, seed, stream, 2, (uint32_t)t, 0);
    for (size_t i = 0; i < cells; i++) {
      double c = cells > 1 ? (double)i / (double)(cells - 1) : 0.5;
      double rate = base + peak * exp(-(x - c) * (x - c) / (2 * sigma * sigma));
      gsl_matrix_set(*counts, t, i, (double)gsl_ran_poisson(r, rate * dt));
    }
  }
  soma_gsl_rng_free(r);
}

/* CEBRA's scoring on the track: the model was fitted on the first ntrain rows; the kNN decoder
 * (cosine) takes k from {1, 4, ..., 64} on the last 12.5 % of the training rows (fitted on the
 * rest), then predicts the test rows from all training rows. */
typedef struct joint_track_score {
  double knn_r2, median_error, linear_r2;
  int k;
} joint_track_score;

static inline gsl_matrix *joint_track_embed(const joint_contrastive *m, const gsl_matrix *x,
                                            size_t r0, size_t r1) {
  gsl_matrix_const_view v = gsl_matrix_const_submatrix(x, r0, 0, r1 - r0, x->size2);
  gsl_matrix *e = gsl_matrix_alloc(r1 - r0, (size_t)m->output_dimension);
  char err[256];
  if (joint_contrastive_transform(m, &v.matrix, e, err, sizeof err)) {
    printf("  transform: %s\n", err);
    gsl_matrix_free(e);
    return NULL;
  }
  return e;
}

static inline int joint_track_evaluate(const joint_contrastive *m, const gsl_matrix *x,
                                       const gsl_matrix *pos, size_t ntrain,
                                       gsl_matrix **train_embedding, joint_track_score *s) {
  size_t T = x->size1, nfit = ntrain - ntrain / 8;
  /* train and test are transformed separately, as CEBRA transforms each split */
  gsl_matrix *etr = joint_track_embed(m, x, 0, ntrain), *ete = joint_track_embed(m, x, ntrain, T);
  if (!etr || !ete) return -1;
  gsl_matrix_const_view a = gsl_matrix_const_submatrix(etr, 0, 0, nfit, etr->size2);
  gsl_matrix_const_view b = gsl_matrix_const_submatrix(etr, nfit, 0, ntrain - nfit, etr->size2);
  gsl_matrix_const_view ya = gsl_matrix_const_submatrix(pos, 0, 0, nfit, 1);
  gsl_matrix_const_view yb = gsl_matrix_const_submatrix(pos, nfit, 0, ntrain - nfit, 1);
  gsl_matrix_const_view ytr = gsl_matrix_const_submatrix(pos, 0, 0, ntrain, 1);
  gsl_matrix_const_view yte = gsl_matrix_const_submatrix(pos, ntrain, 0, T - ntrain, 1);
  int ks[] = JOINT_KNN_DEFAULT_KS;
  double r2v;
  char err[256];
  gsl_matrix *pred = gsl_matrix_alloc(T - ntrain, 1);
  int rc = joint_knn_choose_k(&a.matrix, &ya.matrix, &b.matrix, &yb.matrix, ks,
                              JOINT_KNN_DEFAULT_NKS, JOINT_COSINE, &s->k, &r2v, err, sizeof err);
  if (!rc) rc = joint_knn_predict(etr, &ytr.matrix, ete, s->k, JOINT_COSINE, pred, err, sizeof err);
  if (rc) printf("  knn: %s\n", err);
  s->knn_r2 = joint_r2(&yte.matrix, pred);
  s->median_error = joint_median_error(&yte.matrix, pred);
  joint_linreg *lr = NULL;
  s->linear_r2 = NAN;
  if (!joint_linreg_fit(etr, &ytr.matrix, 0, &lr, err, sizeof err) &&
      !joint_linreg_predict(lr, ete, pred, err, sizeof err))
    s->linear_r2 = joint_r2(&yte.matrix, pred);
  joint_linreg_free(lr);
  gsl_matrix_free(pred), gsl_matrix_free(ete);
  if (train_embedding) *train_embedding = etr; else gsl_matrix_free(etr);
  return rc;
}

/* CEBRA's consistency between runs: the mean over ordered pairs i != j of the in-sample R² of
 * the affine map from embedding i to embedding j. */
static inline double joint_track_consistency(gsl_matrix *const *e, int n) {
  double s = 0;
  int pairs = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      if (i != j) s += joint_linreg_r2_in_sample(e[i], e[j]), pairs++;
  return pairs ? s / pairs : NAN;
}

#endif
