/* encode.c — observation encoders: parameters checked once when an encoder is made (messages
 * name the encoder and the parameter), what each needs precomputed (place-cell centres, a
 * graph's table of rates per node), and rates computed per call into the caller's buffer. */
#include "agents/encode.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/param.h"

typedef enum { K_PLACE, K_GRAPH, K_ONEHOT, K_RATECODE, K_RAYS } enc_kind;
static const char *const kind_names[] = {"place", "graph", "onehot", "ratecode", "rays"};

struct soma_encoder {
  enc_kind kind;
  int size, n_in;
  double r_min, r_max;
  double sigma;              /* place */
  double *centres;           /* place: size (x, y) pairs */
  float *table;              /* graph: the rates of every neuron at each node, n x n */
  int n_choices;             /* graph, onehot: nodes or choices */
  int group;                 /* ratecode, rays: neurons per value */
  soma_code_kind code;
  double width;
  double *lo, *hi;           /* ratecode, rays: bounds per value (n_in each) */
  int zero_silent;           /* rays with bumps: 0 means nothing seen */
  float *rates;              /* soma_encoder_apply: the rates computed, size values */
  double *scratch;           /* the same rates as doubles, for soma_pop_set_var */
  char err[256];
};

/* ---- checking parameters ---------------------------------------------------------------- */

static int fail(char *err, size_t len, const char *who, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t len, const char *who, const char *fmt, ...) {
  if (!err || !len) return 1;
  int k = snprintf(err, len, "%s encoder: ", who);
  if (k >= 0 && (size_t)k < len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + k, len - (size_t)k, fmt, ap);
    va_end(ap);
  }
  return 1;
}

/* Checks value v of the parameter `name` against [lo, hi] (flags as in soma_param_def). */
static int check(char *err, size_t len, const char *who, const char *name, double v,
                 const char *unit, double lo, double hi, unsigned flags) {
  char m[200];
  soma_param_def d = {name, unit, 0, lo, hi, flags, NULL};
  return soma_param_check(&d, v, m, sizeof m) ? fail(err, len, who, "%s", m) : 0;
}

/* The same for field f of the parameter struct p, returning 1 from the caller on failure. */
#define NEED(f, unit, lo, hi, flags)                                                         \
  do {                                                                                       \
    if (check(err, len, who, #f, (double)p->f, unit, lo, hi, flags)) return 1;               \
  } while (0)

static int check_rates(char *err, size_t len, const char *who, double r_max, double r_min) {
  if (check(err, len, who, "r_max", r_max, "Hz", 0, INFINITY, 0) ||
      check(err, len, who, "r_min", r_min, "Hz", 0, INFINITY, 0))
    return 1;
  if (r_min > r_max)
    return fail(err, len, who, "r_min must be <= r_max (got r_min %g Hz, r_max %g Hz)", r_min,
                r_max);
  return 0;
}

static int check_code(char *err, size_t len, const char *who, soma_code_kind code, int group,
                      double width) {
  if (code != SOMA_CODE_MONOTONE && code != SOMA_CODE_BUMP)
    return fail(err, len, who, "code must be monotone or bump (got %d)", (int)code);
  return check(err, len, who, "group", group, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT) ||
         check(err, len, who, "width", width, "", 0, INFINITY, SOMA_LO_OPEN);
}

/* ---- making encoders ------------------------------------------------------------------- */

/* The rate of a neuron tuned with a Gaussian of width sigma at distance d from its preference. */
static double tuned(double r_min, double r_max, double d, double sigma) {
  double z = d / sigma;
  return r_min + (r_max - r_min) * exp(-0.5 * z * z);
}

static soma_encoder *make(enc_kind k, int64_t size, int n_in, double r_max, double r_min,
                          char *err, size_t len) {
  if (size > SOMA_ENCODER_MAX_SIZE) {
    fail(err, len, kind_names[k], "%lld neurons is more than the %d an encoder may drive",
         (long long)size, SOMA_ENCODER_MAX_SIZE);
    return NULL;
  }
  soma_encoder *e = calloc(1, sizeof *e);
  if (e) {
    e->rates = malloc(sizeof *e->rates * (size_t)size);
    e->scratch = malloc(sizeof *e->scratch * (size_t)size);
  }
  if (!e || !e->rates || !e->scratch) {
    soma_encoder_destroy(e);
    fail(err, len, kind_names[k], "out of memory for %lld neurons", (long long)size);
    return NULL;
  }
  e->kind = k;
  e->size = (int)size;
  e->n_in = n_in;
  e->r_max = r_max;
  e->r_min = r_min;
  return e;
}

static soma_encoder *out_of_memory(soma_encoder *e, char *err, size_t len) {
  fail(err, len, kind_names[e->kind], "out of memory");
  soma_encoder_destroy(e);
  return NULL;
}

soma_place_params soma_place_defaults(void) {
  return (soma_place_params){.nx = 10, .ny = 10, .x_lo = 0, .x_hi = 1, .y_lo = 0, .y_hi = 1,
                             .sigma = 0.1, .r_max = 50, .r_min = 0};
}

static int check_place(const soma_place_params *p, char *err, size_t len) {
  const char *who = "place";
  if (!p) return fail(err, len, who, "no parameters");
  NEED(sigma, "", 0, INFINITY, SOMA_LO_OPEN);
  if (check_rates(err, len, who, p->r_max, p->r_min)) return 1;
  if (p->centres) {
    NEED(n_centres, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT);
    for (int i = 0; i < 2 * p->n_centres; i++)
      if (!isfinite(p->centres[i]))
        return fail(err, len, who, "centres[%d] must be a finite number (got %g)", i,
                    p->centres[i]);
    return 0;
  }
  NEED(nx, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT);
  NEED(ny, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT);
  NEED(x_lo, "", -INFINITY, INFINITY, 0);
  NEED(x_hi, "", -INFINITY, INFINITY, 0);
  NEED(y_lo, "", -INFINITY, INFINITY, 0);
  NEED(y_hi, "", -INFINITY, INFINITY, 0);
  if (!(p->x_lo < p->x_hi))
    return fail(err, len, who, "x_lo must be < x_hi (got %g and %g)", p->x_lo, p->x_hi);
  if (!(p->y_lo < p->y_hi))
    return fail(err, len, who, "y_lo must be < y_hi (got %g and %g)", p->y_lo, p->y_hi);
  return 0;
}

/* Coordinate of grid line i of n over [lo, hi], edges included; the middle when n == 1. */
static double grid_line(double lo, double hi, int i, int n) {
  return n == 1 ? 0.5 * (lo + hi) : lo + (hi - lo) * i / (n - 1);
}

soma_encoder *soma_encoder_place(const soma_place_params *p, char *err, size_t len) {
  if (check_place(p, err, len)) return NULL;
  int64_t n = p->centres ? p->n_centres : (int64_t)p->nx * p->ny;
  soma_encoder *e = make(K_PLACE, n, 2, p->r_max, p->r_min, err, len);
  if (!e) return NULL;
  e->sigma = p->sigma;
  e->centres = malloc(sizeof *e->centres * 2 * (size_t)n);
  if (!e->centres) return out_of_memory(e, err, len);
  if (p->centres) {
    memcpy(e->centres, p->centres, sizeof *e->centres * 2 * (size_t)n);
  } else {
    for (int r = 0; r < p->ny; r++)
      for (int c = 0; c < p->nx; c++) {
        double *xy = e->centres + 2 * ((size_t)r * p->nx + c);
        xy[0] = grid_line(p->x_lo, p->x_hi, c, p->nx);
        xy[1] = grid_line(p->y_lo, p->y_hi, r, p->ny);
      }
  }
  return e;
}

/* ---- graphs and the binary tree -------------------------------------------------------- */

int soma_tree_level(int k) {
  if (k < 0) return -1;
  int level = 0;
  for (unsigned m = (unsigned)k + 1; m > 1; m >>= 1) level++;
  return level;
}

int soma_tree_distance(int a, int b) {
  if (a < 0 || b < 0) return -1;
  int d = 0;
  while (a != b) {   /* the larger number is never shallower: lift it toward the common ancestor */
    if (a > b) a = (a - 1) / 2;
    else b = (b - 1) / 2;
    d++;
  }
  return d;
}

static double tree_dist(int a, int b, void *user) {
  (void)user;
  return soma_tree_distance(a, b);
}

soma_graph_params soma_graph_defaults(void) {
  return (soma_graph_params){.n_nodes = 127, .sigma = 1, .r_max = 50, .r_min = 0};
}

static int check_graph(const soma_graph_params *p, char *err, size_t len) {
  const char *who = "graph";
  if (!p) return fail(err, len, who, "no parameters");
  NEED(n_nodes, "", 1, SOMA_ENCODER_MAX_NODES, SOMA_INT);
  NEED(sigma, "", 0, INFINITY, SOMA_LO_OPEN);
  if (p->dist && p->dist_fn)
    return fail(err, len, who, "give the distances as a matrix (dist) or a function (dist_fn), "
                               "not both");
  return check_rates(err, len, who, p->r_max, p->r_min);
}

soma_encoder *soma_encoder_graph(const soma_graph_params *p, char *err, size_t len) {
  if (check_graph(p, err, len)) return NULL;
  int n = p->n_nodes;
  soma_encoder *e = make(K_GRAPH, n, 1, p->r_max, p->r_min, err, len);
  if (!e) return NULL;
  e->n_choices = n;
  e->table = malloc(sizeof *e->table * (size_t)n * (size_t)n);
  if (!e->table) return out_of_memory(e, err, len);
  double (*fn)(int, int, void *) = p->dist_fn ? p->dist_fn : tree_dist;
  for (int a = 0; a < n; a++)
    for (int b = 0; b < n; b++) {
      double d = p->dist ? p->dist[(size_t)a * n + b] : fn(a, b, p->user);
      if (!(d >= 0)) {
        fail(err, len, kind_names[K_GRAPH],
             "the distance from node %d to node %d must be >= 0 (got %g)", a, b, d);
        soma_encoder_destroy(e);
        return NULL;
      }
      e->table[(size_t)a * n + b] = (float)tuned(p->r_min, p->r_max, d, p->sigma);
    }
  return e;
}

soma_onehot_params soma_onehot_defaults(void) {
  return (soma_onehot_params){.n = 4, .r_max = 50, .r_min = 0};
}

static int check_onehot(const soma_onehot_params *p, char *err, size_t len) {
  const char *who = "onehot";
  if (!p) return fail(err, len, who, "no parameters");
  NEED(n, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT);
  return check_rates(err, len, who, p->r_max, p->r_min);
}

soma_encoder *soma_encoder_onehot(const soma_onehot_params *p, char *err, size_t len) {
  if (check_onehot(p, err, len)) return NULL;
  soma_encoder *e = make(K_ONEHOT, p->n, 1, p->r_max, p->r_min, err, len);
  if (e) e->n_choices = p->n;
  return e;
}

/* ---- coded values (rate codes and rays) ------------------------------------------------ */

/* An encoder of n_in bounded values, each driving a group of neurons with a code. */
static soma_encoder *make_coded(enc_kind k, int64_t n_in, int group, soma_code_kind code,
                                double width, double r_max, double r_min, char *err,
                                size_t len) {
  if (n_in > SOMA_ENCODER_MAX_SIZE) {   /* also keeps n_in * group from overflowing */
    fail(err, len, kind_names[k], "%lld values is more than the %d an encoder may take",
         (long long)n_in, SOMA_ENCODER_MAX_SIZE);
    return NULL;
  }
  soma_encoder *e = make(k, n_in * group, (int)n_in, r_max, r_min, err, len);
  if (!e) return NULL;
  e->group = group;
  e->code = code;
  e->width = width;
  e->lo = malloc(sizeof *e->lo * (size_t)n_in);
  e->hi = malloc(sizeof *e->hi * (size_t)n_in);
  if (!e->lo || !e->hi) return out_of_memory(e, err, len);
  return e;
}

soma_ratecode_params soma_ratecode_defaults(void) {
  return (soma_ratecode_params){.dims = 1, .group = 10, .code = SOMA_CODE_BUMP, .lo = 0, .hi = 1,
                                .width = 1, .r_max = 50, .r_min = 0};
}

static int check_bounds(char *err, size_t len, const char *who, const char *lo_name,
                        const char *hi_name, double lo, double hi) {
  if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
    return fail(err, len, who, "%s must be < %s, both finite (got %g and %g)", lo_name, hi_name,
                lo, hi);
  return 0;
}

static int check_ratecode(const soma_ratecode_params *p, char *err, size_t len) {
  const char *who = "ratecode";
  if (!p) return fail(err, len, who, "no parameters");
  NEED(dims, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT);
  if (check_code(err, len, who, p->code, p->group, p->width) ||
      check_rates(err, len, who, p->r_max, p->r_min))
    return 1;
  if (!p->lo_each != !p->hi_each)
    return fail(err, len, who, "give both lo_each and hi_each, or neither");
  if (!p->lo_each) return check_bounds(err, len, who, "lo", "hi", p->lo, p->hi);
  for (int d = 0; d < p->dims; d++) {
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "lo_each[%d]", d);
    snprintf(hi, sizeof hi, "hi_each[%d]", d);
    if (check_bounds(err, len, who, lo, hi, p->lo_each[d], p->hi_each[d])) return 1;
  }
  return 0;
}

soma_encoder *soma_encoder_ratecode(const soma_ratecode_params *p, char *err, size_t len) {
  if (check_ratecode(p, err, len)) return NULL;
  soma_encoder *e = make_coded(K_RATECODE, p->dims, p->group, p->code, p->width, p->r_max,
                               p->r_min, err, len);
  if (!e) return NULL;
  for (int d = 0; d < p->dims; d++) {
    e->lo[d] = p->lo_each ? p->lo_each[d] : p->lo;
    e->hi[d] = p->hi_each ? p->hi_each[d] : p->hi;
  }
  return e;
}

soma_rays_params soma_rays_defaults(void) {
  return (soma_rays_params){.rays = 9, .types = 4, .group = 1, .code = SOMA_CODE_MONOTONE,
                            .width = 1, .r_max = 50, .r_min = 0};
}

static int check_rays(const soma_rays_params *p, char *err, size_t len) {
  const char *who = "rays";
  if (!p) return fail(err, len, who, "no parameters");
  NEED(rays, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT);
  NEED(types, "", 1, SOMA_ENCODER_MAX_SIZE, SOMA_INT);
  return check_code(err, len, who, p->code, p->group, p->width) ||
         check_rates(err, len, who, p->r_max, p->r_min);
}

soma_encoder *soma_encoder_rays(const soma_rays_params *p, char *err, size_t len) {
  if (check_rays(p, err, len)) return NULL;
  soma_encoder *e = make_coded(K_RAYS, (int64_t)p->rays * p->types, p->group, p->code, p->width,
                               p->r_max, p->r_min, err, len);
  if (!e) return NULL;
  for (int i = 0; i < e->n_in; i++) {
    e->lo[i] = 0;
    e->hi[i] = 1;
  }
  e->zero_silent = p->code == SOMA_CODE_BUMP;
  return e;
}

void soma_encoder_destroy(soma_encoder *enc) {
  if (!enc) return;
  free(enc->centres);
  free(enc->table);
  free(enc->lo);
  free(enc->hi);
  free(enc->rates);
  free(enc->scratch);
  free(enc);
}

const char *soma_encoder_kind(const soma_encoder *enc) { return kind_names[enc->kind]; }
int soma_encoder_size(const soma_encoder *enc) { return enc->size; }
int soma_encoder_input_size(const soma_encoder *enc) { return enc->n_in; }
const char *soma_encoder_errmsg(const soma_encoder *enc) { return enc->err; }

int soma_encoder_place_centre(const soma_encoder *enc, int i, double *x, double *y) {
  if (enc->kind != K_PLACE || i < 0 || i >= enc->size) return SOMA_ERR_PARAM;
  if (x) *x = enc->centres[2 * (size_t)i];
  if (y) *y = enc->centres[2 * (size_t)i + 1];
  return SOMA_OK;
}

/* ---- rates ------------------------------------------------------------------------------ */

static int refuse(soma_encoder *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(soma_encoder *e, const char *fmt, ...) {
  int k = snprintf(e->err, sizeof e->err, "%s encoder: ", kind_names[e->kind]);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->err + k, sizeof e->err - (size_t)k, fmt, ap);
  va_end(ap);
  return SOMA_ERR_PARAM;
}

static void fill(float *out, int n, double v) {
  for (int i = 0; i < n; i++) out[i] = (float)v;
}

static void place_rates(const soma_encoder *e, double x, double y, float *out) {
  for (int i = 0; i < e->size; i++) {
    double dx = x - e->centres[2 * i], dy = y - e->centres[2 * i + 1];
    out[i] = (float)tuned(e->r_min, e->r_max, sqrt(dx * dx + dy * dy), e->sigma);
  }
}

/* One value v in [lo, hi] (clipped) coded by a group of neurons. */
static void code_value(const soma_encoder *e, double v, double lo, double hi, float *out) {
  int k = e->group;
  if (isnan(v) || (e->zero_silent && v <= lo)) {
    fill(out, k, e->r_min);
    return;
  }
  double u = (v - lo) / (hi - lo);
  u = u < 0 ? 0 : u > 1 ? 1 : u;
  if (e->code == SOMA_CODE_MONOTONE) {
    fill(out, k, e->r_min + (e->r_max - e->r_min) * u);
    return;
  }
  double spacing = k == 1 ? 1 : 1.0 / (k - 1);
  for (int j = 0; j < k; j++)
    out[j] = (float)tuned(e->r_min, e->r_max, u - (k == 1 ? 0.5 : j * spacing), e->width * spacing);
}

/* Checks that v is NaN or a whole number in [0, n). */
static int check_index(soma_encoder *e, const char *what, double v, int n) {
  if (isnan(v) || (v >= 0 && v < n && v == floor(v))) return SOMA_OK;
  return refuse(e, "the %s must be a whole number from 0 to %d, or NaN for none (got %g)", what,
                n - 1, v);
}

int soma_encoder_rates(soma_encoder *enc, const double *in, int n_in, float *rates_out) {
  if (n_in != enc->n_in || (!in && n_in > 0))
    return refuse(enc, "takes %d input value%s (got %d)", enc->n_in, enc->n_in == 1 ? "" : "s",
                  in ? n_in : 0);
  switch (enc->kind) {
  case K_PLACE:
    if (isinf(in[0]) || isinf(in[1]))
      return refuse(enc, "the position must be finite, or NaN when unknown (got %g, %g)", in[0],
                    in[1]);
    if (isnan(in[0]) || isnan(in[1])) fill(rates_out, enc->size, enc->r_min);
    else place_rates(enc, in[0], in[1], rates_out);
    break;
  case K_GRAPH:
  case K_ONEHOT: {
    int graph = enc->kind == K_GRAPH;
    if (check_index(enc, graph ? "node" : "index", in[0], enc->n_choices)) return SOMA_ERR_PARAM;
    if (isnan(in[0])) fill(rates_out, enc->size, enc->r_min);
    else if (graph)
      memcpy(rates_out, enc->table + (size_t)in[0] * enc->size, sizeof *rates_out * enc->size);
    else {
      fill(rates_out, enc->size, enc->r_min);
      rates_out[(int)in[0]] = (float)enc->r_max;
    }
    break;
  }
  case K_RATECODE:
  case K_RAYS:
    for (int d = 0; d < enc->n_in; d++)
      code_value(enc, in[d], enc->lo[d], enc->hi[d], rates_out + (size_t)d * enc->group);
    break;
  }
  enc->err[0] = 0;
  return SOMA_OK;
}

int soma_encoder_apply(soma_encoder *enc, const double *in, int n_in, soma_pop *pop) {
  if (!pop) return refuse(enc, "no population to drive");
  char msg[200];
  if (soma_model_kind(soma_pop_model(pop), "rate", msg, sizeof msg) != SOMA_MODEL_VAR)
    return refuse(enc, "population '%s' is of model '%s', which has no rates to set; drive a "
                       "\"poisson\" population", soma_pop_name(pop), soma_pop_model(pop));
  if (soma_pop_size(pop) != enc->size)
    return refuse(enc, "population '%s' has %d neurons; the encoder drives %d",
                  soma_pop_name(pop), soma_pop_size(pop), enc->size);
  int rc = soma_encoder_rates(enc, in, n_in, enc->rates);
  if (rc) return rc;
  for (int i = 0; i < enc->size; i++) enc->scratch[i] = enc->rates[i];
  if (soma_pop_set_var(pop, "rate", enc->scratch, enc->size))
    return refuse(enc, "population '%s' refused the rates (see the network's message)",
                  soma_pop_name(pop));
  return SOMA_OK;
}
