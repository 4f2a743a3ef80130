/* test_joint_perturb.c — the robustness perturbations (joint/perturb.c): dropping 30 % keeps
 * exactly 70 % of the columns, untouched; Poisson noise has the asked mean and is the same for
 * one seed and for 1 and 2 threads; jitter moves content by at most one bin and keeps column
 * sums; decoding degrades as neurons are dropped; bad input. */
#include <math.h>
#include <omp.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "harness.h"
#include "joint/identify.h"
#include "joint/perturb.h"
#include "joint_metrics.h"
#include "sim/soma.h"

/* T × N Poisson counts with rates 2 + 3 sin(u + phase_j) of a slow latent u */
static gsl_matrix *counts(size_t T, size_t N, gsl_matrix **latent) {
  gsl_matrix *u = jm_track_label(T), *y = gsl_matrix_alloc(T, N);
  gsl_rng *g = soma_gsl_rng_alloc();
  soma_gsl_rng_reset(g, 5, 103, 0, 0, 0);
  for (size_t t = 0; t < T; t++)
    for (size_t j = 0; j < N; j++) {
      double rate = 2.5 + 2.5 * sin(4 * gsl_matrix_get(u, t, 0) + 0.7 * (double)j);
      gsl_matrix_set(y, t, j, gsl_ran_poisson(g, rate));
    }
  soma_gsl_rng_free(g);
  if (latent) *latent = u;
  else gsl_matrix_free(u);
  return y;
}

TEST(dropping_keeps_the_other_columns_exactly) {
  gsl_matrix *x = jm_random(50, 10, 1), *y = NULL, *z = NULL;
  size_t kept[10], kept2[10];
  char err[200];
  REQUIRE(joint_perturb_drop(x, 0.3, 7, &y, kept, err, sizeof err) == SOMA_OK);
  REQUIRE(y->size1 == 50 && y->size2 == 7);
  for (size_t c = 0; c < 7; c++) {
    if (c > 0) CHECK(kept[c] > kept[c - 1]);
    for (size_t t = 0; t < 50; t++) CHECK(gsl_matrix_get(y, t, c) == gsl_matrix_get(x, t, kept[c]));
  }
  REQUIRE(joint_perturb_drop(x, 0.3, 7, &z, kept2, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(kept, kept2, 7 * sizeof *kept) == 0);
  gsl_matrix_free(z);
  /* another seed drops other columns (for at least one of a few seeds) */
  int differs = 0;
  for (uint32_t s = 8; s < 12; s++) {
    REQUIRE(joint_perturb_drop(x, 0.3, s, &z, kept2, err, sizeof err) == SOMA_OK);
    differs |= memcmp(kept, kept2, 7 * sizeof *kept) != 0;
    gsl_matrix_free(z);
  }
  CHECK(differs);
  gsl_matrix *w = jm_random(5, 100, 2);
  double fr[] = {0, 0.1, 0.3, 0.5};
  size_t want[] = {100, 90, 70, 50};
  for (int i = 0; i < 4; i++) {
    REQUIRE(joint_perturb_drop(w, fr[i], 3, &z, NULL, err, sizeof err) == SOMA_OK);
    CHECK_MSG(z->size2 == want[i], "drop %g of 100: %zu kept", fr[i], z->size2);
    gsl_matrix_free(z);
  }
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(w);
}

TEST(poisson_noise_is_seeded_and_thread_independent) {
  gsl_matrix *x = counts(20000, 5, NULL), *a = NULL, *b = NULL, *c = NULL;
  char err[200];
  omp_set_num_threads(1);
  REQUIRE(joint_perturb_poisson(x, 0.5, 11, &a, err, sizeof err) == SOMA_OK);
  omp_set_num_threads(2);
  REQUIRE(joint_perturb_poisson(x, 0.5, 11, &b, err, sizeof err) == SOMA_OK);
  REQUIRE(joint_perturb_poisson(x, 0.5, 12, &c, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(a->data, b->data, 20000 * 5 * sizeof(double)) == 0);
  CHECK(memcmp(a->data, c->data, 20000 * 5 * sizeof(double)) != 0);
  for (size_t j = 0; j < 5; j++) {
    double sx = 0, sa = 0;
    int integral = 1;
    for (size_t t = 0; t < 20000; t++) {
      double add = gsl_matrix_get(a, t, j) - gsl_matrix_get(x, t, j);
      integral &= add >= 0 && add == floor(add);
      sx += gsl_matrix_get(x, t, j), sa += add;
    }
    CHECK(integral);
    CHECK_MSG(fabs(sa / sx - 0.5) < 0.03, "column %zu: added %.4f of the spikes", j, sa / sx);
  }
  gsl_matrix_free(x), gsl_matrix_free(a), gsl_matrix_free(b), gsl_matrix_free(c);
}

TEST(jitter_moves_by_one_bin_and_keeps_sums) {
  /* one spike per column at its own time: where it lands shows the move */
  size_t T = 3000, N = 40;
  gsl_matrix *x = gsl_matrix_calloc(T, N), *a = NULL, *b = NULL;
  for (size_t j = 0; j < N; j++)
    for (size_t t = 1 + j % 3; t < T - 1; t += 3) gsl_matrix_set(x, t, j, 1.0 + (double)(t % 7));
  char err[200];
  omp_set_num_threads(1);
  REQUIRE(joint_perturb_jitter(x, JOINT_JITTER_ENTRY, 4, &a, err, sizeof err) == SOMA_OK);
  omp_set_num_threads(2);
  REQUIRE(joint_perturb_jitter(x, JOINT_JITTER_ENTRY, 4, &b, err, sizeof err) == SOMA_OK);
  CHECK(memcmp(a->data, b->data, T * N * sizeof(double)) == 0);
  size_t moved = 0, total = 0, far = 0;
  for (size_t j = 0; j < N; j++) {
    double sx = 0, sa = 0;
    for (size_t t = 0; t < T; t++) sx += gsl_matrix_get(x, t, j), sa += gsl_matrix_get(a, t, j);
    CHECK(sx == sa);
    for (size_t t = 1 + j % 3; t < T - 1; t += 3) {
      /* spikes 3 bins apart never collide: find where this one went */
      double v = gsl_matrix_get(x, t, j);
      int found = 0;
      for (int d = -1; d <= 1; d++)
        if (gsl_matrix_get(a, t + (size_t)d, j) == v && !found) found = 1, moved += d != 0;
      far += !found, total++;
    }
  }
  printf("  entry jitter moved %.3f of the bins (expected 2/3)\n", (double)moved / (double)total);
  CHECK(far == 0);
  CHECK(fabs((double)moved / (double)total - 2.0 / 3) < 0.02);
  gsl_matrix_free(a), gsl_matrix_free(b);
  /* per neuron: each column is its neighbour shifted by exactly one bin */
  REQUIRE(joint_perturb_jitter(x, JOINT_JITTER_NEURON, 4, &a, err, sizeof err) == SOMA_OK);
  int ups = 0;
  for (size_t j = 0; j < N; j++) {
    int up = gsl_matrix_get(a, 2 + j % 3, j) == gsl_matrix_get(x, 1 + j % 3, j);
    int down = gsl_matrix_get(a, j % 3, j) == gsl_matrix_get(x, 1 + j % 3, j);
    CHECK(up != down);
    ups += up;
  }
  CHECK(ups > 5 && ups < 35);
  gsl_matrix_free(x), gsl_matrix_free(a);
}

TEST(decoding_degrades_as_neurons_are_dropped) {
  size_t T = 6000;
  gsl_matrix *u = NULL, *y = counts(T, 60, &u);
  char err[200];
  joint_identify_split s = {joint_rows_range(0, 4000), joint_rows_range(4000, 5000),
                            joint_rows_range(5000, T)};
  double fr[] = {0, 0.5, 0.9}, r2[3];
  for (int i = 0; i < 3; i++) {
    gsl_matrix *z = NULL;
    joint_identify_result r;
    REQUIRE(joint_perturb_drop(y, fr[i], 9, &z, NULL, err, sizeof err) == SOMA_OK);
    REQUIRE(joint_identify(z, u, s, joint_identify_defaults(), &r, err, sizeof err) == SOMA_OK);
    r2[i] = r.linear_r2;
    gsl_matrix_free(z);
  }
  printf("  linear R2 with 0 / 50 / 90 %% of the neurons dropped: %.3f %.3f %.3f\n", r2[0],
         r2[1], r2[2]);
  CHECK(r2[0] > r2[1] && r2[1] > r2[2]);
  gsl_matrix_free(u), gsl_matrix_free(y);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = jm_random(4, 3, 20), *one = jm_random(1, 3, 21), *out = NULL;
  char err[200] = "";
  CHECK(joint_perturb_drop(x, 1.0, 0, &out, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "fraction must be in [0, 1) (got 1)") != NULL, "%s", err);
  CHECK(joint_perturb_drop(x, 0.9, 0, &out, NULL, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "dropping 0.9 of 3 columns leaves none") != NULL, "%s", err);
  gsl_matrix_set_all(x, -1.0);
  CHECK(joint_perturb_poisson(x, 0.5, 0, &out, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "column 0 has a negative mean (-1): not counts") != NULL, "%s", err);
  CHECK(joint_perturb_poisson(x, -2, 0, &out, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "level must be >= 0 (got -2)") != NULL, "%s", err);
  CHECK(joint_perturb_jitter(one, JOINT_JITTER_ENTRY, 0, &out, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "time jitter: the data has 1 rows") != NULL, "%s", err);
  CHECK(out == NULL);
  gsl_matrix_free(x), gsl_matrix_free(one);
}

int main(void) {
  RUN(dropping_keeps_the_other_columns_exactly);
  RUN(poisson_noise_is_seeded_and_thread_independent);
  RUN(jitter_moves_by_one_bin_and_keeps_sums);
  RUN(decoding_degrades_as_neurons_are_dropped);
  RUN(bad_input_is_named);
  return h_done();
}
