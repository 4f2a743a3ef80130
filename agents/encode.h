/* encode.h — observation encoders: from what an agent observes (a position, a maze node, a
 * discrete index, a bounded vector, a forage world's rays) to the firing rates (Hz) of an input
 * population. The agent sets the rates on a "poisson" population and runs the network:
 *
 *   soma_place_params p = soma_place_defaults();  p.nx = p.ny = 20;  p.sigma = 0.05;
 *   soma_encoder *enc = soma_encoder_place(&p, err, sizeof err);
 *   soma_pop *in = soma_pop_create(net, "place", "poisson", soma_encoder_size(enc), NULL);
 *   soma_encoder_apply(enc, xy, 2, in);      then soma_net_run(net, 100)
 *
 * Each encoder is described by one small parameter struct with a _defaults() constructor and
 * is checked when created (NULL and a message naming the parameter on error). Computing rates
 * allocates nothing. Neurons are laid out as documented per encoder, and every rate lies in
 * [r_min, r_max]. An input that is NaN means "not known now" (the environments' convention for
 * latents): the neurons it drives stay at r_min. */
#ifndef SOMA_AGENTS_ENCODE_H
#define SOMA_AGENTS_ENCODE_H

#include <stddef.h>

#include "sim/soma.h"

/* The largest encoder, in neurons (and the most nodes a graph encoder takes). */
#define SOMA_ENCODER_MAX_SIZE (1 << 22)
#define SOMA_ENCODER_MAX_NODES 4096

typedef struct soma_encoder soma_encoder;

/* (a) Place cells over a 2D position (x, y): neuron i fires at
 *   r_min + (r_max - r_min) * exp(-|pos - c_i|^2 / (2 sigma^2)),
 * half its peak at distance sigma * sqrt(2 ln 2) from its centre c_i. The centres are a
 * regular nx x ny grid spanning [x_lo, x_hi] x [y_lo, y_hi] edges included (a single column
 * sits in the middle), neuron i = row * nx + col with row along y, or, when centres is not
 * NULL, the n_centres given (x, y) pairs (copied). Input: 2 values. */
typedef struct soma_place_params {
  int nx, ny;                 /* grid of centres (default 10 x 10) */
  double x_lo, x_hi;          /* the span of the grid (default [0, 1] each) */
  double y_lo, y_hi;
  const double *centres;      /* or given centres: n_centres (x, y) pairs (default NULL) */
  int n_centres;
  double sigma;               /* tuning width, in the position's unit (default 0.1) */
  double r_max, r_min;        /* Hz: peak rate (default 50) and baseline (default 0) */
} soma_place_params;

soma_place_params soma_place_defaults(void);
soma_encoder *soma_encoder_place(const soma_place_params *p, char *err, size_t len);

/* (b) Place cells over the nodes of a graph: one neuron per node, neuron i firing at
 *   r_min + (r_max - r_min) * exp(-d(node, i)^2 / (2 sigma^2))
 * at node `node`, d a distance between nodes given as an n_nodes x n_nodes row-major matrix
 * (dist, copied; INFINITY: unreachable), or as a function called for every pair while the
 * encoder is made (dist_fn, with user), or by default the tree distance of the binary-tree
 * numbering below (soma_tree_distance). Input: 1 value, the node (a whole number in
 * [0, n_nodes); NaN: off the graph). */
typedef struct soma_graph_params {
  int n_nodes;                /* default 127: the labyrinth's 63 junctions and 64 end nodes */
  const double *dist;         /* distance matrix, or NULL */
  double (*dist_fn)(int a, int b, void *user);   /* distance function, or NULL */
  void *user;
  double sigma;               /* tuning width, in steps of distance (default 1) */
  double r_max, r_min;        /* Hz (defaults 50 and 0) */
} soma_graph_params;

soma_graph_params soma_graph_defaults(void);
soma_encoder *soma_encoder_graph(const soma_graph_params *p, char *err, size_t len);

/* Tree distance (number of edges) between nodes a and b of a binary tree numbered as the grid
 * world numbers the labyrinth's runs: node 0 the entry run, the children of node k are 2k+1 and
 * 2k+2. -1 when a node is negative. */
int soma_tree_distance(int a, int b);
/* Depth of node k (the entry run is level 0), or -1 when k is negative. */
int soma_tree_level(int k);

/* (c) One-hot over a discrete index: n neurons, neuron `index` at r_max and the others at r_min.
 * Input: 1 value (a whole number in [0, n); NaN: none active). */
typedef struct soma_onehot_params {
  int n;                      /* default 4 */
  double r_max, r_min;        /* Hz (defaults 50 and 0) */
} soma_onehot_params;

soma_onehot_params soma_onehot_defaults(void);
soma_encoder *soma_encoder_onehot(const soma_onehot_params *p, char *err, size_t len);

/* How a group of neurons codes one bounded value u = (v - lo) / (hi - lo), clipped to [0, 1]. */
typedef enum soma_code_kind {
  SOMA_CODE_MONOTONE,   /* every neuron of the group at r_min + (r_max - r_min) * u */
  SOMA_CODE_BUMP,       /* neuron j of k at r_min + (r_max - r_min) * exp(-(u - c_j)^2 / (2 s^2)),
                           centres c_j = j / (k - 1) evenly over [0, 1] (0.5 when k = 1),
                           s = width * their spacing (1 / (k - 1); 1 when k = 1) */
} soma_code_kind;

/* (d) A rate code of a bounded vector: dimension d drives neurons [d * group, (d + 1) * group)
 * with the code chosen, over [lo, hi] (or lo_each[d], hi_each[d] when given, copied). Values
 * outside are clipped. Input: dims values. */
typedef struct soma_ratecode_params {
  int dims;                   /* default 1 */
  int group;                  /* neurons per dimension (default 10) */
  soma_code_kind code;        /* default SOMA_CODE_BUMP */
  double lo, hi;              /* default [0, 1] */
  const double *lo_each, *hi_each;   /* per-dimension bounds, or NULL */
  double width;               /* bump width, in centre spacings (default 1) */
  double r_max, r_min;        /* Hz (defaults 50 and 0) */
} soma_ratecode_params;

soma_ratecode_params soma_ratecode_defaults(void);
soma_encoder *soma_encoder_ratecode(const soma_ratecode_params *p, char *err, size_t len);

/* (e) Egocentric rays, as the forage world observes them: rays x types values in [0, 1]
 * (obs[types * ray + type], 1 - distance / range, 0 when nothing of the type is in range).
 * Value (ray, type) drives neurons [(types * ray + type) * group, ... + group) with the code
 * chosen over [0, 1]; with SOMA_CODE_BUMP, 0 (nothing seen) leaves the group at r_min instead of
 * firing the bump at distance `range`. Values outside [0, 1] are clipped. Input: rays * types
 * values. */
typedef struct soma_rays_params {
  int rays;                   /* default 9 (the forage world's default) */
  int types;                  /* default 4: wall, small food, large food, hazard */
  int group;                  /* neurons per value (default 1) */
  soma_code_kind code;        /* default SOMA_CODE_MONOTONE */
  double width;               /* bump width, in centre spacings (default 1) */
  double r_max, r_min;        /* Hz (defaults 50 and 0) */
} soma_rays_params;

soma_rays_params soma_rays_defaults(void);
soma_encoder *soma_encoder_rays(const soma_rays_params *p, char *err, size_t len);

/* Frees the encoder. NULL is a no-op. */
void soma_encoder_destroy(soma_encoder *enc);

/* "place", "graph", "onehot", "ratecode" or "rays". */
const char *soma_encoder_kind(const soma_encoder *enc);
/* Neurons the encoder drives (the input population's size). */
int soma_encoder_size(const soma_encoder *enc);
/* Values it reads per call (2 for place cells, 1 for a node or an index, dims, rays * types). */
int soma_encoder_input_size(const soma_encoder *enc);

/* Writes the rates (Hz) for input in (n_in values, soma_encoder_input_size) into rates_out
 * (soma_encoder_size values). Returns SOMA_OK, or SOMA_ERR_PARAM with a message in
 * soma_encoder_errmsg (wrong n_in, a node or index that is not a whole number in range, an
 * infinite position); rates_out is then unchanged. */
int soma_encoder_rates(soma_encoder *enc, const double *in, int n_in, float *rates_out);

/* The same rates, set as the "rate" of every neuron of a population (a "poisson" population
 * of soma_encoder_size neurons), between runs. Errors from the engine are copied to the
 * encoder's message. */
int soma_encoder_apply(soma_encoder *enc, const double *in, int n_in, soma_pop *pop);

/* The message of the last failed call ("" if none). */
const char *soma_encoder_errmsg(const soma_encoder *enc);

/* Centre of place cell i (x, y) of a place encoder, for plots and decoders. SOMA_ERR_PARAM for
 * another kind of encoder or i out of range. */
int soma_encoder_place_centre(const soma_encoder *enc, int i, double *x, double *y);

#endif
