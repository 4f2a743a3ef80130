/* contrastive_loss.h — CEBRA's InfoNCE (cebra/models/criterions.py) with exact gradients:
 * L = (1/n) Σ_i [ −φ(f_i, p_i) + log Σ_j exp φ(f_i, q_j) ], the positive NOT in the
 * denominator, the n negatives shared by every reference; φ = β fᵀq (cosine, on unit vectors)
 * or −β ‖f − q‖² (euclidean, squared as CEBRA's code has it), β = 1/τ. Float for the fit,
 * double for the gradient checks, from one type-generic source. */
#ifndef JOINT_CONTRASTIVE_LOSS_H
#define JOINT_CONTRASTIVE_LOSS_H

#include <stddef.h>

typedef struct joint_contrastive_loss_value {
  double loss;      /* L */
  double align;     /* (1/n) Σ −φ(f_i, p_i): CEBRA's "pos" */
  double uniform;   /* (1/n) Σ logsumexp_j φ(f_i, q_j): CEBRA's "neg" */
  double dbeta;     /* ∂L/∂β, for a learnt temperature */
} joint_contrastive_loss_value;

#define JOINT_LOSS_DECLARE(R, S)                                                             \
  typedef struct joint_contrastive_loss_work##S {                                            \
    size_t n, npad;                                                                          \
    int d;                                                                                   \
    R *qt, *w;        /* negatives transposed (d × npad); softmax weights (n × npad) */      \
    double *rows;     /* per-reference terms */                                              \
  } joint_contrastive_loss_work##S;                                                          \
  int joint_contrastive_loss_alloc##S(joint_contrastive_loss_work##S *ws, size_t n, int d);  \
  void joint_contrastive_loss_free##S(joint_contrastive_loss_work##S *ws);                   \
  /* ref, pos, neg: n rows of the d embedding values each, row stride ld >= d. Writes the    \
   * gradients (same layout; columns d..ld-1 set to 0) when gref is not NULL. Rows are       \
   * independent and every sum has a fixed order: the same bits for any thread count. */     \
  joint_contrastive_loss_value joint_contrastive_loss##S(                                    \
      joint_contrastive_loss_work##S *ws, size_t ld, const R *ref, const R *pos,             \
      const R *neg, int euclidean, double beta, R *gref, R *gpos, R *gneg, int nthreads);

JOINT_LOSS_DECLARE(float, _f)
JOINT_LOSS_DECLARE(double, _d)
#undef JOINT_LOSS_DECLARE

#endif
