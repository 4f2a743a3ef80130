/* fit_models.c — the embedding models soma fit can fit, behind one interface (fit_model in
 * app/fit.h): each is fitted on the training rows and embeds every row. PCA, the linear
 * baseline, for now; the contrastive (CEBRA) embedding and the latent-variable models join
 * this table as they are built. */
#include "app/fit.h"

#include <stdio.h>
#include <string.h>

#include "joint/check.h"
#include "joint/contrastive.h"
#include "joint/hmm.h"
#include "joint/lds.h"
#include "joint/pca.h"
#include "joint/standardise.h"
#include "sim/param.h"
#include "sim/soma.h"

/* PCA fitted on the training rows: the first dims principal components of every row */
static int embed_pca(const gsl_matrix *x, const gsl_matrix *y, const joint_split *split,
                     const fit_opts *o, uint32_t seed, gsl_matrix **emb, char *err,
                     size_t errlen) {
  (void)y, (void)seed;
  *emb = NULL;
  gsl_matrix *train = NULL;
  int rc = joint_split_rows(x, split, JOINT_TRAIN, &train, err, errlen);
  if (rc) return rc;
  size_t most = train->size1 - 1 < x->size2 ? train->size1 - 1 : x->size2;
  joint_pca *m = NULL;
  if ((size_t)o->dims > most)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "pca: --dims %d is more than the %zu components %zu neurons and %zu training "
                    "rows allow", o->dims, most, x->size2, train->size1);
  if (!rc) rc = joint_pca_fit(train, (size_t)o->dims, &m, err, errlen);
  gsl_matrix_free(train);
  if (!rc && !(*emb = gsl_matrix_alloc(x->size1, (size_t)o->dims)))
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "pca: out of memory");
  if (!rc) rc = joint_pca_transform(m, x, *emb, err, errlen);
  if (rc && *emb) gsl_matrix_free(*emb), *emb = NULL;
  joint_pca_free(m);
  return rc;
}

static const fit_model PCA = {
    .name = "pca",
    .about = "principal components of the training rows (linear, deterministic)",
    .iterative = 0,
    .deterministic = 1,
    .distance = JOINT_EUCLIDEAN,
    .embed = embed_pca,
};

/* a linear dynamical system (EM) fitted on the training rows; the embedding is its smoothed
 * latents of every row */
static int embed_lds(const gsl_matrix *x, const gsl_matrix *y, const joint_split *split,
                     const fit_opts *o, uint32_t seed, gsl_matrix **emb, char *err,
                     size_t errlen) {
  (void)y, (void)seed;
  *emb = NULL;
  gsl_matrix *train = NULL;
  int rc = joint_split_rows(x, split, JOINT_TRAIN, &train, err, errlen);
  joint_lds_options lo = joint_lds_defaults();
  lo.latents = (size_t)o->dims;
  lo.max_iter = o->iterations;
  joint_lds *m = NULL;
  if (!rc) rc = joint_lds_fit(train, &lo, &m, err, errlen);
  if (train) gsl_matrix_free(train);
  if (!rc && !(*emb = gsl_matrix_alloc(x->size1, (size_t)o->dims)))
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "lds: out of memory");
  if (!rc) rc = joint_lds_infer(m, x, NULL, *emb, NULL, err, errlen);
  if (rc && *emb) gsl_matrix_free(*emb), *emb = NULL;
  joint_lds_free(m);
  return rc;
}

/* a Poisson HMM of dims states fitted on the training rows (its starts seeded); the
 * embedding is the posterior probability of each state at every row */
static int embed_hmm(const gsl_matrix *x, const gsl_matrix *y, const joint_split *split,
                     const fit_opts *o, uint32_t seed, gsl_matrix **emb, char *err,
                     size_t errlen) {
  (void)y;
  *emb = NULL;
  gsl_matrix *train = NULL;
  int rc = joint_split_rows(x, split, JOINT_TRAIN, &train, err, errlen);
  joint_hmm_options ho = joint_hmm_defaults();
  ho.states = o->dims;
  ho.seed = seed;
  ho.max_iter = o->iterations;
  joint_hmm *m = NULL;
  if (!rc) rc = joint_hmm_fit(train, &ho, &m, err, errlen);
  if (train) gsl_matrix_free(train);
  if (!rc && !(*emb = gsl_matrix_alloc(x->size1, (size_t)o->dims)))
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "hmm: out of memory");
  if (!rc) rc = joint_hmm_posterior(m, x, *emb, NULL, err, errlen);
  if (rc && *emb) gsl_matrix_free(*emb), *emb = NULL;
  joint_hmm_free(m);
  return rc;
}

/* progress of a contrastive fit: a line every tenth of the iterations */
typedef struct contrastive_progress {
  const fit_opts *o;
  uint32_t seed;
  int every;
} contrastive_progress;

static int on_iteration(int iteration, double loss, void *user) {
  contrastive_progress *p = user;
  if (!p->o->quiet && p->o->progress && iteration % p->every == 0) {
    fprintf(p->o->progress, "fit: contrastive seed %u: iteration %d of %d, InfoNCE %.4f\n",
            p->seed, iteration, p->o->iterations, loss);
    fflush(p->o->progress);
  }
  return 0;
}

/* CEBRA's offset10 model (d = dims, 32 hidden units, batch 512, time offset 10, lr 3e-4,
 * cosine, τ 1) trained on the training rows for o->iterations steps; positives by behaviour
 * (time_delta, the behaviour standardised on the training rows: CEBRA-Behavior) or by time
 * (CEBRA-Time); the embedding of every row */
static int embed_contrastive_as(const char *conditional, const gsl_matrix *x, const gsl_matrix *y,
                                const joint_split *split, const fit_opts *o, uint32_t seed,
                                gsl_matrix **emb, char *err, size_t errlen) {
  *emb = NULL;
  gsl_matrix *train = NULL, *labels = NULL;
  joint_standardise *z = NULL;
  int rc = joint_split_rows(x, split, JOINT_TRAIN, &train, err, errlen);
  if (!rc && !strcmp(conditional, "time_delta")) {
    rc = joint_split_rows(y, split, JOINT_TRAIN, &labels, err, errlen);
    if (!rc) rc = joint_standardise_fit(labels, NULL, &z, err, errlen);
    if (!rc) rc = joint_standardise_apply(z, labels, err, errlen);
  }
  joint_contrastive_options co = joint_contrastive_defaults();
  co.model_architecture = "offset10-model";
  co.conditional = conditional;
  co.time_offsets = 10;
  co.max_iterations = o->iterations;
  co.batch_size = 512;
  co.output_dimension = o->dims;
  co.num_hidden_units = 32;
  co.seed = seed;
  co.threads = o->threads;
  contrastive_progress p = {o, seed, o->iterations >= 10 ? o->iterations / 10 : 1};
  joint_contrastive *m = NULL;
  if (!rc) rc = joint_contrastive_fit(train, labels, NULL, &co, on_iteration, &p, &m, err, errlen);
  if (!rc && !(*emb = gsl_matrix_alloc(x->size1, (size_t)o->dims)))
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "contrastive: out of memory");
  if (!rc) rc = joint_contrastive_transform(m, x, *emb, err, errlen);
  if (rc && *emb) gsl_matrix_free(*emb), *emb = NULL;
  joint_contrastive_free(m);
  joint_standardise_free(z);
  if (train) gsl_matrix_free(train);
  if (labels) gsl_matrix_free(labels);
  return rc;
}

static int embed_cebra_behaviour(const gsl_matrix *x, const gsl_matrix *y,
                                 const joint_split *split, const fit_opts *o, uint32_t seed,
                                 gsl_matrix **emb, char *err, size_t errlen) {
  return embed_contrastive_as("time_delta", x, y, split, o, seed, emb, err, errlen);
}

static int embed_cebra_time(const gsl_matrix *x, const gsl_matrix *y, const joint_split *split,
                            const fit_opts *o, uint32_t seed, gsl_matrix **emb, char *err,
                            size_t errlen) {
  return embed_contrastive_as("time", x, y, split, o, seed, emb, err, errlen);
}

static const fit_model CONTRASTIVE = {
    .name = "contrastive",
    .about = "CEBRA-Behavior: offset10 contrastive encoder, positives by behaviour "
             "(time_delta), cosine, on the unit sphere",
    .iterative = 1,
    .default_iterations = 2000,
    .deterministic = 0,
    .distance = JOINT_COSINE,
    .embed = embed_cebra_behaviour,
};

static const fit_model CONTRASTIVE_TIME = {
    .name = "contrastive-time",
    .about = "CEBRA-Time: offset10 contrastive encoder, positives 10 bins later, no labels, "
             "cosine, on the unit sphere",
    .iterative = 1,
    .default_iterations = 2000,
    .deterministic = 0,
    .distance = JOINT_COSINE,
    .embed = embed_cebra_time,
};

static const fit_model LDS = {
    .name = "lds",
    .about = "linear dynamical system fitted by EM on the training rows; smoothed latents",
    .iterative = 1,
    .default_iterations = 100,
    .deterministic = 1,
    .distance = JOINT_EUCLIDEAN,
    .embed = embed_lds,
};

static const fit_model HMM = {
    .name = "hmm",
    .about = "Poisson hidden Markov model of --dims states (seeded starts); state posteriors",
    .iterative = 1,
    .default_iterations = 200,
    .deterministic = 0,
    .distance = JOINT_EUCLIDEAN,
    .embed = embed_hmm,
};

static const fit_model *const MODELS[] = {&CONTRASTIVE, &CONTRASTIVE_TIME, &PCA, &LDS, &HMM,
                                          NULL};

const fit_model *const *fit_models(void) { return MODELS; }

const fit_model *fit_model_find(const char *name) {
  for (const fit_model *const *m = MODELS; *m; m++)
    if (!strcmp((*m)->name, name)) return *m;
  return NULL;
}

const char *fit_model_names(char *buf, size_t len) {
  size_t at = 0;
  buf[0] = 0;
  for (const fit_model *const *m = MODELS; *m && at + 1 < len; m++) {
    int w = snprintf(buf + at, len - at, "%s%s", m == MODELS ? "" : ", ", (*m)->name);
    if (w > 0) at += (size_t)w;
  }
  return buf;
}

int fit_model_lookup(const char *name, const fit_model **out, char *err, size_t errlen) {
  if ((*out = fit_model_find(name ? name : ""))) return SOMA_OK;
  const char *names[16];
  int n = 0;
  for (const fit_model *const *m = MODELS; *m && n < 16; m++) names[n++] = (*m)->name;
  const char *guess = soma_closest_name(name ? name : "", names, n);
  char list[256], hint[64] = "";
  if (guess) snprintf(hint, sizeof hint, " (did you mean '%s'?)", guess);
  return joint_fail(err, errlen, FIT_ERR_USAGE, "unknown model '%s'%s; the models: %s",
                    name ? name : "", hint, fit_model_names(list, sizeof list));
}
