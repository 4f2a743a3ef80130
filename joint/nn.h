/* nn.h — the encoders of CEBRA's contrastive embeddings (cebra/models/model.py): the
 * convolutional offset10 and offset5 models and the offset1 MLP, with PyTorch's default
 * initialisation, run forward and backward over batches of time windows. One type-generic core
 * (nn_tmpl.h) is compiled for float (the fit, fast) and for double (the gradient checks). */
#ifndef JOINT_NN_H
#define JOINT_NN_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_matrix.h>

/* Channel counts inside the network are padded to a multiple of NN_PAD with weights that are,
 * and stay, exactly zero: their gradients are exactly zero, so Adam never moves them. */
#define NN_PAD 16
#define NN_MAX_LAYERS 6

typedef enum { NN_OFFSET1, NN_OFFSET5, NN_OFFSET10 } nn_arch;

typedef struct nn_layer {
  int cin, cout;     /* channels of the PyTorch layer */
  int cinp, coutp;   /* padded (the first layer's input, the neurons, is never padded) */
  int k;             /* kernel taps; 1 for a Linear layer */
  int gelu;          /* GELU after the convolution */
  int skip;          /* CEBRA's _Skip: out = x[..., 1:-1] + GELU(conv(x)) */
  size_t w, b;       /* offsets of the weights and the bias in the parameter array */
} nn_layer;

/* Parameter layout: the first layer's weights as W[n][tap][coutp] (n < neurons), every later
 * layer's as W[tap][cinp][coutp] (the rows of im2col), each followed by its bias[coutp]. */
typedef struct nn_net {
  nn_arch arch;
  int n_inputs, hidden, output_dimension, normalize;
  int n_layers;
  nn_layer layer[NN_MAX_LAYERS];
  int left, right;   /* CEBRA's Offset: output t sees input rows t - left .. t + right - 1 */
  size_t n_params;   /* floats in the padded layout */
  size_t n_real;     /* parameters of the PyTorch model (16 035 for offset10, 100, 32, 3) */
} nn_net;

/* The architecture by CEBRA's registered name: "offset10-model", "offset5-model",
 * "offset1-model", or the unnormalised "offset10-model-mse", "offset1-model-mse". Returns 0,
 * or -1 for an unknown name. */
int nn_arch_parse(const char *name, nn_arch *arch, int *normalize);

/* Lays out the network; 0, or -1 for sizes out of range (n_inputs, hidden >= 2, dims >= 1). */
int nn_net_init(nn_net *net, nn_arch arch, int normalize, int n_inputs, int hidden,
                int output_dimension);

/* The padded-layout index of the k-th parameter in PyTorch's order (layer by layer: weight
 * [out][in][tap], then bias), k < n_real. */
size_t nn_param_index(const nn_net *net, size_t k);

/* Fills params (n_params floats) as PyTorch initialises Conv1d and Linear: weights and biases
 * uniform in ±1/√fan_in (kaiming_uniform_ with a = √5), fan_in = in × taps, drawn from Philox
 * keyed by seed; padding is zero. */
void nn_init_params(const nn_net *net, uint32_t seed, float *params);

/* ---- the type-generic core, for float (_f) and double (_d) ----------------------------- */

#define NN_DECLARE(R, S)                                                                     \
  /* The data rows (T × N): dense, or compressed sparse rows when at most 30 % are nonzero */ \
  typedef struct nn_data##S {                                                                \
    size_t T, N;                                                                             \
    R *dense;                                                                                \
    int32_t *rowptr, *col;                                                                   \
    R *val;                                                                                  \
  } nn_data##S;                                                                              \
  /* sparse: -1 choose by density, 0 dense, 1 sparse. 0, or -1 when out of memory. */       \
  int nn_data_build##S(nn_data##S *d, const gsl_matrix *x, int sparse);                     \
  void nn_data_free##S(nn_data##S *d);                                                     \
  /* Buffers for nwin windows of win_len rows each (win_len >= left + right). */             \
  typedef struct nn_work##S {                                                                \
    size_t nwin, cw;   /* windows, and windows per chunk (a fixed unit of work) */           \
    int win_len, need_grad, nthreads;                                                        \
    int len[NN_MAX_LAYERS + 1]; /* rows per window at the input of each layer */             \
    R *act[NN_MAX_LAYERS];      /* input of layer l >= 1: [window][row][cinp] */             \
    R *dg[NN_MAX_LAYERS];       /* GELU'(pre-activation) of layer l */                       \
    R *out;                     /* [window][len[n_layers]][coutp], normalised if the net is */ \
    R *norm;                    /* the norm of each output row before normalising */         \
    R *partial;                 /* per-chunk gradients */                                    \
    R *wt;                      /* transposed weights for the backward pass */               \
    R *scratch;                 /* per thread */                                             \
    size_t scratch_len;                                                                      \
  } nn_work##S;                                                                              \
  int nn_work_alloc##S(nn_work##S *ws, const nn_net *net, size_t nwin, int win_len,          \
                       int need_grad, int nthreads);                                         \
  void nn_work_free##S(nn_work##S *ws);                                                    \
  /* Runs the network on every window: window w reads the rows starts[w] + s, s < win_len,   \
   * each clamped to [0, T) (replicate padding). Writes ws->out (and what backward needs). */ \
  void nn_forward##S(const nn_net *net, const R *params, const nn_data##S *x,                 \
                     const long *starts, nn_work##S *ws);                                    \
  /* After nn_forward on the same windows: grad (n_params) = ∂L/∂params, given dout =        \
   * ∂L/∂ws->out (same layout). The sum over windows has a fixed order: the same bits for    \
   * any thread count. */                                                                    \
  void nn_backward##S(const nn_net *net, const R *params, const nn_data##S *x,                \
                      const long *starts, nn_work##S *ws, const R *dout, R *grad);

NN_DECLARE(float, _f)
NN_DECLARE(double, _d)
#undef NN_DECLARE

#endif
