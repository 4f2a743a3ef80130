/* fit.c — `soma fit RUN_DIR` (or `soma fit --x X --y Y`): its flags, reading the data, the fit
 * and where its scorecard goes. The numbers are made in app/fit_score.c, the files in
 * fit_report.c, fit_figures.c and fit_export.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/commands.h"
#include "app/fit.h"
#include "app/rundir.h"
#include "sim/param.h"
#include "sim/soma.h"

static const char *usage =
    "usage: soma fit RUN_DIR [options]\n"
    "       soma fit --x X.npy --y Y.csv [--latents-file L.csv] [options]\n"
    "\n"
    "Fits a joint brain-behaviour model to a run's binned spikes and behaviour, once per seed,\n"
    "and writes its scorecard into a fresh folder: scorecard.json (consistency across seeds,\n"
    "identifiability of every latent, decoding, robustness, CKA, RSA, Procrustes angle, timing)\n"
    "and embedding.png, decoding.png, consistency.png, metrics.png. docs/fit.md has the keys.\n"
    "\n"
    "data (a run directory of soma run):\n"
    "  --pop NAME        a population to bin (repeatable; default: every population of the\n"
    "                    network that stepped the environment, e.g. an agent's)\n"
    "  --env NAME        the environment whose behaviour is used (default: the first recorded)\n"
    "  --behaviour COLS  columns to decode, comma-separated, or 'position' (default: the\n"
    "                    world's position, x,y)\n"
    "  --latents COLS    ground-truth latents to identify (default: every other latent column\n"
    "                    of the world; 'none' for none)\n"
    "  --bin MS          bin width in ms (default 25)\n"
    "  --max-hold MS     drop the bins whose last behaviour row is MS or more older than the\n"
    "                    bin ('auto', the default: the median interval between rows, so an\n"
    "                    agent's silent and replay periods go; 'none' keeps every bin)\n"
    "data from elsewhere (plain files, the same T rows each):\n"
    "  --x FILE          T x N activity (.npy or .csv with a header)\n"
    "  --y FILE          T x D behaviour to decode\n"
    "  --latents-file F  T x q latents to identify\n"
    "  --bin-ms MS       the rows' width, for the scorecard (default unknown)\n"
    "model:\n"
    "  --model NAME      the embedding: %s\n"
    "                    (default contrastive, CEBRA-Behavior)\n"
    "  --dims D          embedding dimensions (default 3)\n"
    "  --seeds N         fits with seeds SEED, SEED+1, ... (default 5)\n"
    "  --seed N          the first seed (default 0)\n"
    "  --iterations N    training steps of iterative models (default: the model's)\n"
    "  --sqrt            the model and the ridge decoder see square roots of the counts\n"
    "  --smooth BINS     ... smoothed by a Gaussian of BINS bins sd (default 0: none)\n"
    "  --split KIND      cebra (default: the last 20 %% test, the last 12.5 %% of the rest\n"
    "                    validation) or interleaved (10 blocks, every 5th test)\n"
    "  --decoders LIST   decoders of the behaviour, comma-separated: knn (on the embedding),\n"
    "                    ridge, kalman, glm_bayes (on the binned spikes; default knn,ridge)\n"
    "  --robustness ON   embedding (default: refit on perturbed spikes, kNN), data (ridge on\n"
    "                    the perturbed spikes) or none\n"
    "output:\n"
    "  --out DIR         the folder (default RUN_DIR/fit-<model>-<date>-<time>, or\n"
    "                    runs/fit-<model>-<date>-<time> for --x); never overwritten\n"
    "  --export          also x, behaviour, latents, t, split and embedding_seed<k> as .npy\n"
    "                    and .csv, to run CEBRA (or anything) on exactly the same data\n"
    "  --threads N       threads (default 1); the numbers do not depend on it\n"
    "  --quiet           no progress on stderr and no summary line\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 ok, 1 the data or the fit failed, 2 usage error (a bad flag, an unknown\n"
    "column, population, model or directory).\n"
    "\n"
    "examples:\n"
    "  soma fit runs/fit_labyrinth-20261201-101500 --bin 100 --export\n"
    "  soma fit runs/ei-... --pop E --behaviour x --latents none --seeds 3\n"
    "  soma fit --x data.npy --y labels.csv --bin-ms 25 --out fits/peer\n";

static void print_usage(FILE *f) {
  char models[256];
  fprintf(f, usage, fit_model_names(models, sizeof models));
}

/* a positive number of ms, or 'auto' (NaN) / 'none' (inf) for --max-hold */
static int hold_value(const char *v, double *out) {
  if (!strcmp(v, "auto")) return *out = NAN, 0;
  if (!strcmp(v, "none")) return *out = INFINITY, 0;
  return cli_double("fit", "--max-hold", v, 1e-9, 1e12, out);
}

int cmd_fit(int argc, char **argv) {
  static const char *const known[] = {
      "--pop", "--env", "--behaviour", "--latents", "--bin", "--max-hold", "--x", "--y",
      "--latents-file", "--bin-ms", "--model", "--dims", "--seeds", "--seed", "--iterations",
      "--sqrt", "--smooth", "--split", "--decoders", "--robustness", "--out", "--export",
      "--threads", "--quiet", "--help", NULL};
  fit_data_opts dopts = fit_data_defaults();
  fit_opts opts = fit_opts_defaults();
  opts.threads = 1;
  const char *dir = NULL, *out = NULL, *x_path = NULL, *y_path = NULL, *l_path = NULL;
  const char **pops = calloc((size_t)argc + 1, sizeof *pops);
  double bin_ms_files = NAN;
  int export = 0, n_pops = 0, rc = 2;
  if (!pops) return 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = NULL;
    long n;
    double x;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      print_usage(stdout);
      rc = 0;
      goto done;
    } else if (!strcmp(a, "--quiet")) {
      opts.quiet = 1;
    } else if (!strcmp(a, "--export")) {
      export = 1;
    } else if (!strcmp(a, "--sqrt")) {
      opts.sqrt = 1;
    } else if (a[0] == '-' && a[1]) {
      int k = 0;
      while (known[k] && strcmp(known[k], a)) k++;
      if (!known[k]) {
        cli_unknown("fit", a, known);
        goto done;
      }
      if (!(v = cli_value("fit", argc, argv, &i))) goto done;
      if (!strcmp(a, "--pop")) pops[n_pops++] = v;
      else if (!strcmp(a, "--env")) dopts.env = v;
      else if (!strcmp(a, "--behaviour")) dopts.behaviour = v;
      else if (!strcmp(a, "--latents")) dopts.latents = strcmp(v, "none") ? v : "";
      else if (!strcmp(a, "--x")) x_path = v;
      else if (!strcmp(a, "--y")) y_path = v;
      else if (!strcmp(a, "--latents-file")) l_path = v;
      else if (!strcmp(a, "--out")) out = v;
      else if (!strcmp(a, "--model")) opts.model = v;
      else if (!strcmp(a, "--decoders")) opts.decoders = v;
      else if (!strcmp(a, "--bin")) {
        if (cli_double("fit", a, v, 0.001, 1e7, &dopts.bin_ms)) goto done;
      } else if (!strcmp(a, "--bin-ms")) {
        if (cli_double("fit", a, v, 0.001, 1e7, &bin_ms_files)) goto done;
      } else if (!strcmp(a, "--max-hold")) {
        if (hold_value(v, &dopts.max_hold_ms)) goto done;
      } else if (!strcmp(a, "--smooth")) {
        if (cli_double("fit", a, v, 0, 1000, &x)) goto done;
        opts.smooth_bins = x;
      } else if (!strcmp(a, "--split")) {
        if (!strcmp(v, "cebra")) opts.split = FIT_SPLIT_CEBRA;
        else if (!strcmp(v, "interleaved")) opts.split = FIT_SPLIT_INTERLEAVED;
        else {
          fprintf(stderr, "soma fit: --split: expected cebra or interleaved, got '%s'\n", v);
          goto done;
        }
      } else if (!strcmp(a, "--robustness")) {
        if (!strcmp(v, "embedding")) opts.robustness = FIT_ROBUST_EMBEDDING;
        else if (!strcmp(v, "data")) opts.robustness = FIT_ROBUST_DATA;
        else if (!strcmp(v, "none")) opts.robustness = FIT_ROBUST_NONE;
        else {
          fprintf(stderr, "soma fit: --robustness: expected embedding, data or none, got '%s'\n",
                  v);
          goto done;
        }
      } else {   /* whole numbers */
        long lo = 1, hi = 1024;
        if (!strcmp(a, "--seeds")) hi = 100;
        else if (!strcmp(a, "--dims")) hi = 64;
        else if (!strcmp(a, "--seed")) lo = 0, hi = 4294967295L;
        else if (!strcmp(a, "--iterations")) hi = 100000000;
        if (cli_long("fit", a, v, lo, hi, &n)) goto done;
        if (!strcmp(a, "--seeds")) opts.seeds = (int)n;
        else if (!strcmp(a, "--dims")) opts.dims = (int)n;
        else if (!strcmp(a, "--seed")) opts.seed = (uint32_t)n;
        else if (!strcmp(a, "--iterations")) opts.iterations = (int)n;
        else opts.threads = (int)n;
      }
    } else if (!dir) {
      dir = a;
    } else {
      fprintf(stderr, "soma fit: one run directory at a time (got '%s' and '%s')\n", dir, a);
      goto done;
    }
  }
  if (!dir && !x_path && !y_path) {
    print_usage(stderr);
    goto done;
  }
  if (dir && (x_path || y_path || l_path)) {
    fprintf(stderr, "soma fit: give a run directory or --x/--y files, not both\n");
    goto done;
  }
  if (!dir && (!x_path || !y_path)) {
    fprintf(stderr, "soma fit: plain files need both --x (the activity) and --y (the "
                    "behaviour)\n");
    goto done;
  }
  char err[2048];
  const fit_model *model;
  if (fit_model_lookup(opts.model, &model, err, sizeof err)) {
    fprintf(stderr, "soma fit: --model: %s\n", err);
    goto done;
  }
  if (fit_decoders_check(opts.decoders, err, sizeof err)) {
    fprintf(stderr, "soma fit: --decoders: %s\n", err);
    goto done;
  }
  opts.progress = stderr;
  dopts.pops = n_pops ? pops : NULL;
  dopts.n_pops = (size_t)n_pops;
  fit_data d;
  int drc = dir ? fit_data_rundir(dir, &dopts, &d, err, sizeof err)
                : fit_data_files(x_path, y_path, l_path, bin_ms_files, &d, err, sizeof err);
  if (drc) {
    fprintf(stderr, "soma fit: %s\n", err);
    rc = drc == FIT_ERR_USAGE ? 2 : 1;
    goto done;
  }
  if (!opts.quiet)
    fprintf(stderr, "fit: %zu bins x %zu neurons (%s), behaviour %zu columns%s\n",
            d.x->data->size1, d.x->data->size2, d.source, d.y->data->size2,
            d.dropped_held ? ", held bins dropped" : "");
  char outdir[4096];
  int made = 0;
  if (out ? rundir_create(out, NULL, outdir, sizeof outdir, err, sizeof err)
          : fit_out_dir(dir ? dir : "runs", opts.model, outdir, sizeof outdir, err, sizeof err)) {
    fprintf(stderr, "soma fit: %s\n", err);
    rc = 1;
  } else {
    made = 1;
  }
  fit_result r;
  if (made && fit_run(&d, &opts, &r, err, sizeof err)) {
    fprintf(stderr, "soma fit: %s\n", err);
    rmdir(outdir);   /* only when empty: nothing was written */
    rc = 1;
  } else if (made) {
    if (fit_write(&r, outdir, export, err, sizeof err)) {
      fprintf(stderr, "soma fit: %s\n", err);
      rc = 1;
    } else {
      char cons[64] = "one seed: no consistency";
      if (r.n_seeds > 1)
        snprintf(cons, sizeof cons, "consistency across %zu seeds %.3f", r.n_seeds,
                 r.consistency_mean);
      if (!opts.quiet)
        printf("wrote %s/ (kNN R² of the behaviour from the embedding %.3f, %s)\n", outdir,
               FIT_MEAN(&r, knn_r2), cons);
      rc = 0;
    }
    fit_result_free(&r);
  }
  fit_data_free(&d);
done:
  free(pops);
  return rc;
}
