/* dist.c — distributions of weights, delays and initial values, drawn through GSL.
 *
 * A distribution may be truncated to [lo, hi]: values outside are drawn again, so the result
 * follows the conditional distribution rather than piling up at the bounds. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

#include "internal.h"

static soma_dist make(soma_dist_kind kind, double a, double b) {
  soma_dist d = {kind, a, b, -INFINITY, INFINITY};
  return d;
}

soma_dist soma_dist_const(double value) { return make(SOMA_DIST_CONST, value, 0); }
soma_dist soma_dist_uniform(double low, double high) { return make(SOMA_DIST_UNIFORM, low, high); }
soma_dist soma_dist_normal(double mean, double sd) { return make(SOMA_DIST_NORMAL, mean, sd); }
soma_dist soma_dist_lognormal(double mu, double sigma) {
  return make(SOMA_DIST_LOGNORMAL, mu, sigma);
}
soma_dist soma_dist_exponential(double mean) { return make(SOMA_DIST_EXPONENTIAL, mean, 0); }
soma_dist soma_dist_gamma(double shape, double scale) {
  return make(SOMA_DIST_GAMMA, shape, scale);
}

soma_dist soma_dist_clip(soma_dist d, double lo, double hi) {
  d.lo = lo;
  d.hi = hi;
  return d;
}

static const char *kind_name(soma_dist_kind k) {
  switch (k) {
    case SOMA_DIST_CONST: return "const";
    case SOMA_DIST_UNIFORM: return "uniform";
    case SOMA_DIST_NORMAL: return "normal";
    case SOMA_DIST_LOGNORMAL: return "lognormal";
    case SOMA_DIST_EXPONENTIAL: return "exponential";
    case SOMA_DIST_GAMMA: return "gamma";
  }
  return "?";
}

/* NaN as "nan" (Lua's 0/0 is a negative NaN, which printf writes "-nan") */
static double shown(double v) { return isnan(v) ? NAN : v; }

const char *soma_dist_format(const soma_dist *d, char *buf, size_t n) {
  int off;
  if (d->kind == SOMA_DIST_CONST || d->kind == SOMA_DIST_EXPONENTIAL)
    off = snprintf(buf, n, "%s(%g)", kind_name(d->kind), shown(d->a));
  else
    off = snprintf(buf, n, "%s(%g, %g)", kind_name(d->kind), shown(d->a), shown(d->b));
  if ((isfinite(d->lo) || isfinite(d->hi) || isnan(d->lo) || isnan(d->hi)) && off >= 0 &&
      (size_t)off < n)
    snprintf(buf + off, n - (size_t)off, " in [%g, %g]", shown(d->lo), shown(d->hi));
  return buf;
}

int soma_dist_check(const soma_dist *d, char *msg, size_t len) {
  return soma__dist_check(d, msg, len) ? SOMA_ERR_PARAM : SOMA_OK;
}

enum { MAX_TRIES = 10000 };
#define MIN_MASS 0.01   /* 10000 tries then fail with probability below e^-100 */

/* P(X <= x) of the untruncated distribution */
static double cdf(const soma_dist *d, double x) {
  if (x == INFINITY) return 1;
  if (x == -INFINITY) return 0;
  switch (d->kind) {
    case SOMA_DIST_UNIFORM: return x <= d->a ? 0 : x >= d->b ? 1 : (x - d->a) / (d->b - d->a);
    case SOMA_DIST_NORMAL: return gsl_cdf_gaussian_P(x - d->a, d->b);
    case SOMA_DIST_LOGNORMAL: return x <= 0 ? 0 : gsl_cdf_lognormal_P(x, d->a, d->b);
    case SOMA_DIST_EXPONENTIAL: return x <= 0 ? 0 : gsl_cdf_exponential_P(x, d->a);
    case SOMA_DIST_GAMMA: return x <= 0 ? 0 : gsl_cdf_gamma_P(x, d->a, d->b);
    default: return x >= d->a;
  }
}

/* P(X > x), accurate in the upper tail */
static double ccdf(const soma_dist *d, double x) {
  switch (d->kind) {
    case SOMA_DIST_NORMAL: return x == -INFINITY ? 1 : x == INFINITY ? 0 : gsl_cdf_gaussian_Q(x - d->a, d->b);
    case SOMA_DIST_LOGNORMAL: return x <= 0 ? 1 : x == INFINITY ? 0 : gsl_cdf_lognormal_Q(x, d->a, d->b);
    case SOMA_DIST_EXPONENTIAL: return x <= 0 ? 1 : x == INFINITY ? 0 : gsl_cdf_exponential_Q(x, d->a);
    case SOMA_DIST_GAMMA: return x <= 0 ? 1 : x == INFINITY ? 0 : gsl_cdf_gamma_Q(x, d->a, d->b);
    default: return 1 - cdf(d, x);
  }
}

/* the probability that one draw falls inside [lo, hi] (1 without bounds) */
static double bounded_mass(const soma_dist *d) {
  if (d->kind == SOMA_DIST_CONST || (d->lo == -INFINITY && d->hi == INFINITY)) return 1;
  if ((d->kind == SOMA_DIST_NORMAL || d->kind == SOMA_DIST_LOGNORMAL) && d->b == 0) {
    double v = d->kind == SOMA_DIST_NORMAL ? d->a : exp(d->a);   /* one value */
    return v >= d->lo && v <= d->hi;
  }
  gsl_error_handler_t *old = gsl_set_error_handler_off();   /* GSL would abort on extremes */
  double below = cdf(d, d->lo);   /* in the upper tail, from the other side: no cancellation */
  double m = below < 0.5 ? cdf(d, d->hi) - below : ccdf(d, d->lo) - ccdf(d, d->hi);
  gsl_set_error_handler(old);
  return m > 0 ? m : 0;   /* NaN (a CDF out of its range) counts as nothing */
}

int soma__dist_check(const soma_dist *d, char *msg, size_t len) {
  char f[128];
  soma_dist_format(d, f, sizeof f);
  if (!isfinite(d->a) || !isfinite(d->b) || isnan(d->lo) || isnan(d->hi)) {
    snprintf(msg, len, "%s: parameters must be finite numbers", f);
    return 1;
  }
  if (d->lo > d->hi) {
    snprintf(msg, len, "%s: the lower bound must not exceed the upper bound", f);
    return 1;
  }
  switch (d->kind) {
    case SOMA_DIST_CONST: break;
    case SOMA_DIST_UNIFORM:
      if (!(d->a < d->b)) {
        snprintf(msg, len, "%s: low must be < high", f);
        return 1;
      }
      break;
    case SOMA_DIST_NORMAL:
    case SOMA_DIST_LOGNORMAL:
      if (!(d->b >= 0)) {
        snprintf(msg, len, "%s: the standard deviation must be >= 0", f);
        return 1;
      }
      break;
    case SOMA_DIST_EXPONENTIAL:
      if (!(d->a > 0)) {
        snprintf(msg, len, "%s: the mean must be > 0", f);
        return 1;
      }
      break;
    case SOMA_DIST_GAMMA:
      if (!(d->a > 0 && d->b > 0)) {
        snprintf(msg, len, "%s: shape and scale must be > 0", f);
        return 1;
      }
      break;
    default:
      snprintf(msg, len, "unknown distribution kind %d", (int)d->kind);
      return 1;
  }
  double lo, hi;
  soma__dist_support(d, &lo, &hi);
  if (lo > hi) {
    snprintf(msg, len, "%s: the bounds exclude every value the distribution can take", f);
    return 1;
  }
  /* values outside the bounds are drawn again: bounds that keep almost nothing would make
   * drawing take forever */
  double mass = bounded_mass(d);
  if (mass < MIN_MASS) {
    snprintf(msg, len, "%s: the bounds keep only %.2g%% of the distribution (values outside "
             "them are drawn again; at least %g%% must fall inside): widen them, or centre the "
             "distribution inside them", f, 100 * mass, 100 * MIN_MASS);
    return 1;
  }
  return 0;
}

void soma__dist_support(const soma_dist *d, double *lo, double *hi) {
  double a = -INFINITY, b = INFINITY;
  switch (d->kind) {
    case SOMA_DIST_CONST: a = b = d->a; break;
    case SOMA_DIST_UNIFORM: a = d->a; b = d->b; break;
    case SOMA_DIST_NORMAL:
      if (d->b == 0) a = b = d->a;
      break;
    case SOMA_DIST_LOGNORMAL:
    case SOMA_DIST_EXPONENTIAL:
    case SOMA_DIST_GAMMA: a = 0; break;
  }
  *lo = a > d->lo ? a : d->lo;
  *hi = b < d->hi ? b : d->hi;
}

static double draw_once(const soma_dist *d, gsl_rng *r) {
  switch (d->kind) {
    case SOMA_DIST_CONST: return d->a;
    case SOMA_DIST_UNIFORM: return d->a + (d->b - d->a) * gsl_rng_uniform(r);
    case SOMA_DIST_NORMAL: return d->a + gsl_ran_gaussian_ziggurat(r, d->b);
    case SOMA_DIST_LOGNORMAL: return gsl_ran_lognormal(r, d->a, d->b);
    case SOMA_DIST_EXPONENTIAL: return gsl_ran_exponential(r, d->a);
    case SOMA_DIST_GAMMA: return gsl_ran_gamma(r, d->a, d->b);
  }
  return NAN;
}

double soma__dist_draw(const soma_dist *d, gsl_rng *r) {
  if (d->kind == SOMA_DIST_CONST) return d->a;
  for (int tries = 0; tries < MAX_TRIES; tries++) {
    double v = draw_once(d, r);
    if (v >= d->lo && v <= d->hi) return v;
  }
  return NAN;   /* bounds hold almost no mass; callers report it */
}
