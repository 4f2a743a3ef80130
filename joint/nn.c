/* nn.c — CEBRA's encoder architectures, their parameter layout and PyTorch-default
 * initialisation, and the two instances (float, double) of the type-generic core nn_tmpl.h.
 * See nn.h. */
#include "nn.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "joint/nn_math.h"
#include "sim/rng.h"

/* The templates' helpers pass 64-byte vectors; they are static, inlined, and the sanitizer
 * build (no -march=native) would warn about a calling convention nothing outside uses. */
#pragma GCC diagnostic ignored "-Wpsabi"

int nn_arch_parse(const char *name, nn_arch *arch, int *normalize) {
  static const struct { const char *name; nn_arch arch; int normalize; } names[] = {
    {"offset10-model", NN_OFFSET10, 1}, {"offset5-model", NN_OFFSET5, 1},
    {"offset1-model", NN_OFFSET1, 1},   {"offset10-model-mse", NN_OFFSET10, 0},
    {"offset1-model-mse", NN_OFFSET1, 0},
  };
  for (size_t i = 0; name && i < sizeof names / sizeof *names; i++)
    if (!strcmp(name, names[i].name)) {
      *arch = names[i].arch, *normalize = names[i].normalize;
      return 0;
    }
  return -1;
}

static int pad(int c) { return (c + NN_PAD - 1) / NN_PAD * NN_PAD; }

static void add_layer(nn_net *net, int cin, int cout, int k, int gelu, int skip) {
  nn_layer *l = &net->layer[net->n_layers++];
  l->cin = cin, l->cout = cout, l->k = k, l->gelu = gelu, l->skip = skip;
  l->cinp = net->n_layers == 1 ? cin : pad(cin);
  l->coutp = pad(cout);
}

int nn_net_init(nn_net *net, nn_arch arch, int normalize, int n_inputs, int hidden,
                int output_dimension) {
  memset(net, 0, sizeof *net);
  if (n_inputs < 1 || hidden < 2 || output_dimension < 1 || n_inputs > 1000000 ||
      hidden > 4096 || output_dimension > 4096)
    return -1;
  net->arch = arch, net->normalize = normalize, net->n_inputs = n_inputs;
  net->hidden = hidden, net->output_dimension = output_dimension;
  int H = hidden, d = output_dimension;
  switch (arch) {
  case NN_OFFSET10:   /* Conv(k2) GELU, 3 × Skip(Conv(k3) GELU), Conv(k3): Offset(5, 5) */
    add_layer(net, n_inputs, H, 2, 1, 0);
    for (int i = 0; i < 3; i++) add_layer(net, H, H, 3, 1, 1);
    add_layer(net, H, d, 3, 0, 0);
    net->left = 5, net->right = 5;
    break;
  case NN_OFFSET5:    /* Conv(k2) GELU, Skip(Conv(k3) GELU), Conv(k2): Offset(2, 3) */
    add_layer(net, n_inputs, H, 2, 1, 0);
    add_layer(net, H, H, 3, 1, 1);
    add_layer(net, H, d, 2, 0, 0);
    net->left = 2, net->right = 3;
    break;
  case NN_OFFSET1:    /* Linear GELU Linear GELU Linear(H/2) GELU Linear: Offset(0, 1) */
    add_layer(net, n_inputs, H, 1, 1, 0);
    add_layer(net, H, H, 1, 1, 0);
    add_layer(net, H, H / 2, 1, 1, 0);
    add_layer(net, H / 2, d, 1, 0, 0);
    net->left = 0, net->right = 1;
    break;
  default:
    return -1;
  }
  size_t off = 0;
  for (int i = 0; i < net->n_layers; i++) {
    nn_layer *l = &net->layer[i];
    l->w = off;
    off += (size_t)l->k * (size_t)l->cinp * (size_t)l->coutp;
    l->b = off;
    off += (size_t)l->coutp;
    net->n_real += (size_t)l->cout * ((size_t)l->cin * (size_t)l->k + 1);
  }
  net->n_params = off;
  return 0;
}

size_t nn_param_index(const nn_net *net, size_t k) {
  for (int i = 0; i < net->n_layers; i++) {
    const nn_layer *l = &net->layer[i];
    size_t nw = (size_t)l->cout * (size_t)l->cin * (size_t)l->k;
    if (k < nw) {
      size_t o = k / ((size_t)l->cin * (size_t)l->k), c = k / (size_t)l->k % (size_t)l->cin,
             tap = k % (size_t)l->k;
      size_t row = i == 0 ? c * (size_t)l->k + tap : tap * (size_t)l->cinp + c;
      return l->w + row * (size_t)l->coutp + o;
    }
    k -= nw;
    if (k < (size_t)l->cout) return l->b + k;
    k -= (size_t)l->cout;
  }
  return net->n_params;   /* out of range */
}

void nn_init_params(const nn_net *net, uint32_t seed, float *params) {
  memset(params, 0, net->n_params * sizeof *params);
  uint32_t stream = soma_stream_id("contrastive", "init");
  size_t k = 0;
  for (int i = 0; i < net->n_layers; i++) {
    const nn_layer *l = &net->layer[i];
    double bound = 1.0 / sqrt((double)l->cin * l->k);
    size_t n = (size_t)l->cout * ((size_t)l->cin * (size_t)l->k + 1);
    for (size_t e = 0; e < n; e++, k++) {
      philox4x32_ctr_t r = soma_philox(seed, stream, (uint32_t)i, (uint32_t)e, 0);
      params[nn_param_index(net, k)] = (float)((2 * soma_u01(r.v[0]) - 1) * bound);
    }
  }
}

/* ---- the element type's GELU ------------------------------------------------------------ */

/* z ← GELU(z) (+ add[i] when add), dg ← GELU'(z) when dg; n is a multiple of 16 */
static void nn_gelu_f(float *z, float *dg, size_t n, const float *add) {
  for (size_t i = 0; i < n; i += 16) {
    nn_vf g, d;
    nn_vgeluf(*(nn_vf *)(z + i), &g, dg ? &d : NULL);
    *(nn_vf *)(z + i) = add ? g + *(const nn_vf *)(add + i) : g;
    if (dg) *(nn_vf *)(dg + i) = d;
  }
}

static void nn_gelu_d(double *z, double *dg, size_t n, const double *add) {   /* libm's erf */
  for (size_t i = 0; i < n; i++) {
    double x = z[i], cdf = 0.5 * (1 + erf(x * M_SQRT1_2));
    z[i] = x * cdf + (add ? add[i] : 0);
    if (dg) dg[i] = cdf + x * exp(-0.5 * x * x) * 0.39894228040143268;
  }
}

static size_t nn_bytes_f(size_t n) { return (n * sizeof(float) + 63) / 64 * 64 + 64; }
static size_t nn_bytes_d(size_t n) { return (n * sizeof(double) + 63) / 64 * 64 + 64; }

#define NN_REAL float
#define NN_VEC nn_vf
#define NN_VL 16
#define NN_SQRT sqrtf
#define NN_(name) nn_##name##_f
#include "joint/nn_tmpl.h"
#undef NN_REAL
#undef NN_VEC
#undef NN_VL
#undef NN_SQRT
#undef NN_

#define NN_REAL double
#define NN_VEC nn_vd
#define NN_VL 8
#define NN_SQRT sqrt
#define NN_(name) nn_##name##_d
#include "joint/nn_tmpl.h"
#undef NN_REAL
#undef NN_VEC
#undef NN_VL
#undef NN_SQRT
#undef NN_
