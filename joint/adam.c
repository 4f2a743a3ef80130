/* adam.c — Adam with PyTorch's update order and bias corrections (see adam.h). */
#include "adam.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int joint_adam_init(joint_adam *a, size_t n, double lr) {
  memset(a, 0, sizeof *a);
  a->n = n, a->lr = lr, a->beta1 = 0.9, a->beta2 = 0.999, a->eps = 1e-8;
  a->m = calloc(n ? n : 1, sizeof *a->m);
  a->v = calloc(n ? n : 1, sizeof *a->v);
  if (!a->m || !a->v) {
    joint_adam_free(a);
    return -1;
  }
  return 0;
}

void joint_adam_step(joint_adam *a, float *params, const float *grad) {
  a->step++;
  double bc1 = 1 - pow(a->beta1, (double)a->step), bc2 = 1 - pow(a->beta2, (double)a->step);
  float b1 = (float)a->beta1, c1 = (float)(1 - a->beta1), b2 = (float)a->beta2,
        c2 = (float)(1 - a->beta2), step = (float)(a->lr / bc1), sq = (float)sqrt(bc2),
        eps = (float)a->eps;
  for (size_t i = 0; i < a->n; i++) {
    float g = grad[i];
    a->m[i] = a->m[i] * b1 + g * c1;
    a->v[i] = a->v[i] * b2 + g * g * c2;
    params[i] -= step * (a->m[i] / (sqrtf(a->v[i]) / sq + eps));
  }
}

void joint_adam_free(joint_adam *a) {
  if (!a) return;
  free(a->m), free(a->v);
  a->m = a->v = NULL;
}
