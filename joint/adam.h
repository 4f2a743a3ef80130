/* adam.h — the Adam optimiser as PyTorch implements it (torch.optim.Adam, single-tensor path,
 * no weight decay, no amsgrad), on float parameters: the optimiser of CEBRA's fits. */
#ifndef JOINT_ADAM_H
#define JOINT_ADAM_H

#include <stddef.h>

typedef struct joint_adam {
  size_t n;
  double lr, beta1, beta2, eps;   /* defaults 1e-3 (set by the caller), 0.9, 0.999, 1e-8 */
  long step;                      /* steps taken */
  float *m, *v;                   /* first and second moment estimates */
} joint_adam;

/* n parameters, learning rate lr > 0, PyTorch's betas and eps. 0, or -1 out of memory. */
int joint_adam_init(joint_adam *a, size_t n, double lr);

/* One step: m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², then
 * p ← p − (lr / (1 − β1^t)) m / (√v / √(1 − β2^t) + eps), elementwise. */
void joint_adam_step(joint_adam *a, float *params, const float *grad);

/* NULL is a no-op. */
void joint_adam_free(joint_adam *a);

#endif
