/* micro_contrastive.c — speed and quality of the contrastive fit (joint/contrastive.c) on the
 * 1-D track of ../shared/reference/joint.md §3 (T = 10 000, 100 place cells; offset10-model,
 * d = 3, H = 32, τ = 1, lr 3e-4, batch 512, time_offsets 10): seconds per 1000 iterations
 * (median of the runs) for CEBRA-Time and CEBRA-Behavior, kNN R², median error, consistency.
 * usage: bench_contrastive [iterations=2000] [seeds=3] [threads=2] [runs=1] [npy-dir]
 * CEBRA 0.6.1 (PyTorch, one CPU thread) takes ≈ 23 s (time) and ≈ 52 s (behaviour) per 1000.
 * With an npy-dir, writes the dataset there (X.npy, position.npy) for
 * bench/peers/cebra_track.py. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "joint/contrastive.h"
#include "sim/npy.h"
#include "sim/soma.h"
#include "tests/joint_track.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int iters = argc > 1 ? atoi(argv[1]) : 2000, seeds = argc > 2 ? atoi(argv[2]) : 3;
  int threads = argc > 3 ? atoi(argv[3]) : 2, runs = argc > 4 ? atoi(argv[4]) : 1;
  if (seeds < 1 || seeds > 16 || iters < 1 || runs < 1) return 2;
  size_t T = 10000, ntrain = 8000;
  gsl_matrix *x, *pos;
  joint_track(T, 100, 1, &x, &pos);
  if (argc > 5) {
    char p[1024];
    snprintf(p, sizeof p, "%s/X.npy", argv[5]);
    soma_npy_save(p, "<f8", T, 100, x->data);
    snprintf(p, sizeof p, "%s/position.npy", argv[5]);
    soma_npy_save(p, "<f8", T, 1, pos->data);
  }
  gsl_matrix_view xtr = gsl_matrix_submatrix(x, 0, 0, ntrain, 100);
  gsl_matrix_view ytr = gsl_matrix_submatrix(pos, 0, 0, ntrain, 1);
  printf("1-D track, T = %zu (train %zu), offset10-model d=3 H=32, batch 512, %d iterations, "
         "%d thread(s)\n", T, ntrain, iters, threads);
  printf("%-9s %6s %10s %8s %8s %8s %4s\n", "mode", "seed", "s/1000it", "kNN R2", "med err",
         "lin R2", "k");
  for (int behaviour = 0; behaviour < 2; behaviour++) {
    gsl_matrix *emb[16];
    double secs[64];
    int nsec = 0;
    for (int s = 0; s < seeds; s++) {
      joint_contrastive_options o = joint_contrastive_defaults();
      o.model_architecture = "offset10-model";
      o.output_dimension = 3, o.num_hidden_units = 32, o.temperature = 1;
      o.learning_rate = 3e-4, o.batch_size = 512, o.time_offsets = 10;
      o.max_iterations = iters, o.seed = (uint32_t)s, o.threads = threads;
      o.conditional = behaviour ? "time_delta" : "time";
      joint_contrastive *m = NULL;
      char err[256];
      for (int r = 0; r < (s == 0 ? runs : 1); r++) {
        joint_contrastive_free(m);
        double t0 = now();
        int rc = joint_contrastive_fit(&xtr.matrix, behaviour ? &ytr.matrix : NULL, NULL, &o,
                                       NULL, NULL, &m, err, sizeof err);
        secs[nsec++] = (now() - t0) / iters * 1000;
        if (rc) {
          printf("fit: %s\n", err);
          return 1;
        }
      }
      joint_track_score sc;
      joint_track_evaluate(m, x, pos, ntrain, &emb[s], &sc);
      printf("%-9s %6d %10.2f %8.4f %8.4f %8.4f %4d   final loss %.4f\n",
             behaviour ? "behaviour" : "time", s, secs[nsec - 1], sc.knn_r2, sc.median_error,
             sc.linear_r2, sc.k, m->loss[m->iterations - 1]);
      joint_contrastive_free(m);
    }
    qsort(secs, (size_t)nsec, sizeof *secs, cmp);
    printf("%-9s median %.2f s per 1000 iterations (min %.2f, %d fits); consistency over %d "
           "seeds %.4f\n", behaviour ? "behaviour" : "time", secs[nsec / 2], secs[0], nsec,
           seeds, joint_track_consistency(emb, seeds));
    for (int s = 0; s < seeds; s++) gsl_matrix_free(emb[s]);
  }
  gsl_matrix_free(x), gsl_matrix_free(pos);
  return 0;
}
