/* test_joint_procrustes.c — generalised shape metrics (joint/procrustes.c): zero for a rotated,
 * scaled, shifted copy and unchanged when one side is rotated and scaled (M1), golden values
 * from numpy ports of netrep (M2), symmetry and the triangle inequality on 100 random triples
 * (M3), padding of unequal widths, bad input. */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "joint/procrustes.h"
#include "joint_metrics.h"
#include "sim/soma.h"

static double shape(const gsl_matrix *x, const gsl_matrix *y, double alpha,
                    joint_shape_score score) {
  joint_procrustes_opts o = joint_procrustes_defaults();
  o.alpha = alpha, o.score = score;
  char err[200];
  double d = NAN;
  if (joint_procrustes(x, y, o, &d, err, sizeof err) != SOMA_OK) printf("  %s\n", err);
  return d;
}

TEST(zero_for_a_rotated_scaled_copy_and_invariant) {
  gsl_matrix *x = jm_random(500, 10, 1), *q = jm_orthogonal(10, 2), *q1 = jm_orthogonal(10, 3);
  gsl_matrix *y = jm_map(x, q, 3.0, 0.0), *ys = jm_map(x, q, 3.0, 4.0);
  CHECK_NEAR(shape(x, y, 1.0, JOINT_SHAPE_ANGULAR), 0.0, 1e-7);
  CHECK_NEAR(shape(x, ys, 1.0, JOINT_SHAPE_ANGULAR), 0.0, 1e-7);
  CHECK_NEAR(shape(x, y, 0.0, JOINT_SHAPE_ANGULAR), 0.0, 1e-7);
  /* θ(X, Y) = θ(s X Q1, Y) for an unrelated Y */
  gsl_matrix *z = jm_random(500, 10, 4), *xr = jm_map(x, q1, 0.37, 0.0);
  double t0 = shape(x, z, 1.0, JOINT_SHAPE_ANGULAR), t1 = shape(xr, z, 1.0, JOINT_SHAPE_ANGULAR);
  CHECK_NEAR(t1, t0, 1e-9);
  CHECK_MSG(t0 > 1.0, "θ of independent data = %.4f rad", t0);
  /* the Euclidean score changes with scale, by exactly the factor for both sides scaled */
  gsl_matrix *x2 = jm_map(x, q1, 2.0, 0.0), *z2 = jm_map(z, q, 2.0, 0.0);
  CHECK_NEAR(shape(x2, z2, 1.0, JOINT_SHAPE_EUCLIDEAN), 2 * shape(x, z, 1.0, JOINT_SHAPE_EUCLIDEAN),
             1e-9);
  /* alpha = 0 aligns any invertible linear map */
  gsl_matrix *m = jm_random(10, 10, 5), *xm = jm_map(x, m, 1.0, 1.0);
  CHECK_NEAR(shape(x, xm, 0.0, JOINT_SHAPE_ANGULAR), 0.0, 1e-6);
  CHECK_MSG(shape(x, xm, 1.0, JOINT_SHAPE_ANGULAR) > 0.1, "alpha = 1 must see a general map");
  gsl_matrix *all[] = {x, q, q1, y, ys, z, xr, x2, z2, m, xm};
  for (size_t i = 0; i < 11; i++) gsl_matrix_free(all[i]);
}

/* Golden values: numpy ports of netrep.utils.whiten and LinearMetric(center_columns=True,
 * zero_pad=True) (X1, X2, X3, c as in tests/joint_metrics.h and test_joint_cka.c; n = 12):
 *   def whiten(X, alpha, tol=1e-7):
 *       if alpha > 1 - tol: return X, np.eye(X.shape[1])
 *       lam, V = np.linalg.eigh(X.T @ X); lam = np.maximum(lam, tol)
 *       d = alpha + (1 - alpha) * lam ** (-1 / 2)
 *       new_var = np.sum(alpha**2 * lam + 2 * alpha * (1 - alpha) * lam**0.5 + (1 - alpha)**2)
 *       d *= np.sqrt(np.sum(lam) / new_var)
 *       Z = (V * d[None, :]) @ V.T
 *       return X @ Z, Z
 *   def shape(X, Y, alpha, score="angular"):
 *       P = max(X.shape[1], Y.shape[1])
 *       X = np.hstack([X, np.zeros((n, P - X.shape[1]))])
 *       Y = np.hstack([Y, np.zeros((n, P - Y.shape[1]))])
 *       Xc, Yc = c(X), c(Y)
 *       Xw, Zx = whiten(Xc, alpha); Yw, Zy = whiten(Yc, alpha)
 *       U, _, Vt = np.linalg.svd(Xw.T @ Yw)
 *       A, B = Xc @ Zx @ U, Yc @ Zy @ Vt.T
 *       if score == "euclidean": return np.linalg.norm(A - B)
 *       return np.arccos(np.clip(A.ravel() @ B.ravel()
 *                                / (np.linalg.norm(A) * np.linalg.norm(B)), -1, 1)) */
TEST(golden_values_from_numpy) {
  gsl_matrix *x1 = jm_golden(1), *x2 = jm_golden(2), *x3 = jm_golden(3);
  CHECK_NEAR(shape(x1, x2, 1.0, JOINT_SHAPE_ANGULAR), 1.0454271560589046, 1e-8);
  CHECK_NEAR(shape(x1, x3, 1.0, JOINT_SHAPE_ANGULAR), 1.537156720130803, 1e-8);
  CHECK_NEAR(shape(x1, x2, 0.0, JOINT_SHAPE_ANGULAR), 0.9980706233590746, 1e-8);
  CHECK_NEAR(shape(x2, x3, 0.5, JOINT_SHAPE_EUCLIDEAN), 4.29193989921726, 1e-8);
  gsl_matrix_free(x1), gsl_matrix_free(x2), gsl_matrix_free(x3);
}

TEST(a_metric_on_100_random_triples) {
  int worst_sym = 0, violations = 0;
  double max_asym = 0, min_slack = INFINITY;
  for (uint32_t t = 0; t < 100; t++) {
    /* close triples a → b → c (small steps, so the inequality is nearly tight), a narrower
     * than b and c (zero padding), two alphas */
    double step = 0.05 + 0.01 * (t % 20);
    gsl_matrix *a = jm_random(40, 3, 100 + 3 * t), *b = jm_random(40, 4, 101 + 3 * t);
    gsl_matrix *c = jm_random(40, 4, 102 + 3 * t);
    for (size_t i = 0; i < 40; i++)
      for (size_t j = 0; j < 4; j++) {
        double bij = (j < 3 ? gsl_matrix_get(a, i, j) : 0) + step * gsl_matrix_get(b, i, j);
        gsl_matrix_set(b, i, j, bij);
        gsl_matrix_set(c, i, j, bij + step * gsl_matrix_get(c, i, j));
      }
    double alpha = t % 2 ? 1.0 : 0.5;
    joint_shape_score ang = JOINT_SHAPE_ANGULAR;
    double ab = shape(a, b, alpha, ang), ba = shape(b, a, alpha, ang);
    double bc = shape(b, c, alpha, ang), ac = shape(a, c, alpha, ang);
    max_asym = fmax(max_asym, fabs(ab - ba));
    if (fabs(ab - ba) > 1e-12) worst_sym++;
    double slack = ab + bc - ac;
    min_slack = fmin(min_slack, slack);
    if (slack < -1e-12) violations++;
    gsl_matrix_free(a), gsl_matrix_free(b), gsl_matrix_free(c);
  }
  printf("  max |θ(a,b) − θ(b,a)| = %.2g, min θ(a,b) + θ(b,c) − θ(a,c) = %.4f\n", max_asym,
         min_slack);
  CHECK(worst_sym == 0);
  CHECK(violations == 0);
}

TEST(bad_input_is_named) {
  gsl_matrix *x = jm_random(10, 2, 8), *y = jm_random(9, 2, 9), *z = gsl_matrix_calloc(10, 3);
  joint_procrustes_opts o = joint_procrustes_defaults();
  char err[200] = "";
  double d;
  CHECK(joint_procrustes(x, y, o, &d, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "procrustes: x has 10 rows but y has 9") != NULL, "%s", err);
  CHECK(joint_procrustes(x, z, o, &d, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "y has no variance") != NULL, "%s", err);
  o.alpha = 1.5;
  CHECK(joint_procrustes(x, x, o, &d, err, sizeof err) == SOMA_ERR_PARAM);
  CHECK_MSG(strstr(err, "alpha must be in [0, 1] (got 1.5)") != NULL, "%s", err);
  gsl_matrix_free(x), gsl_matrix_free(y), gsl_matrix_free(z);
}

int main(void) {
  RUN(zero_for_a_rotated_scaled_copy_and_invariant);
  RUN(golden_values_from_numpy);
  RUN(a_metric_on_100_random_triples);
  RUN(bad_input_is_named);
  return h_done();
}
