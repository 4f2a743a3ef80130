/* contrastive_loss.c — CEBRA's InfoNCE and its gradients (see contrastive_loss.h), compiled
 * for float with the vectorised exp and for double with libm's. */
#include "contrastive_loss.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "joint/nn_math.h"

/* The templates' helpers pass 64-byte vectors; they are static, inlined, and the sanitizer
 * build (no -march=native) would warn about a calling convention nothing outside uses. */
#pragma GCC diagnostic ignored "-Wpsabi"

#define CL_REAL float
#define CL_VEC nn_vf
#define CL_VL 16
#define CL_VEXP nn_vexpf
#define CL_BLEND nn_blendf
#define CL_(name) joint_contrastive_loss_##name##_f
#define CL_LOSS joint_contrastive_loss_f
#include "joint/contrastive_loss_tmpl.h"
#undef CL_REAL
#undef CL_VEC
#undef CL_VL
#undef CL_VEXP
#undef CL_BLEND
#undef CL_
#undef CL_LOSS

#define CL_REAL double
#define CL_VEC nn_vd
#define CL_VL 8
#define CL_VEXP nn_vexpd
#define CL_BLEND nn_blendd
#define CL_(name) joint_contrastive_loss_##name##_d
#define CL_LOSS joint_contrastive_loss_d
#include "joint/contrastive_loss_tmpl.h"
#undef CL_REAL
#undef CL_VEC
#undef CL_VL
#undef CL_VEXP
#undef CL_BLEND
#undef CL_
#undef CL_LOSS
