/* sweep_points.c — what a sweep runs: its spec from the command line (grids, sampled ranges,
 * seeds, fixed --set values), the spec's canonical form that sweep.json keeps, and the list
 * of points it expands to, each with a stable, readable id. Sampling is seeded and the same
 * on every machine (a splitmix64 generator, no libc rand). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/sweep.h"
#include "sim/json.h"

enum { MAX_POINTS = 1000000 };

static int bad(const char *flag, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(const char *flag, const char *value, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (value) fprintf(stderr, "soma sweep: %s %s: %s\n", flag, value, msg);
  else fprintf(stderr, "soma sweep: %s: %s\n", flag, msg);
  return 2;
}

void sweep_fmt_num(char *buf, size_t n, double v) {
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, n, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
}

static int name_ok(const char *k, size_t len) {
  if (!len || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') || k[0] == '_'))
    return 0;
  for (size_t i = 1; i < len; i++)
    if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || k[i] == '_' ||
          (k[i] >= '0' && k[i] <= '9')))
      return 0;
  return 1;
}

/* the flag that already sweeps or fixes key, or NULL */
static const char *key_taken(const sweep_spec *s, const char *key, size_t len) {
  for (int i = 0; i < s->n_grids; i++)
    if (strlen(s->grids[i].key) == len && !strncmp(s->grids[i].key, key, len)) return "--grid";
  for (int i = 0; i < s->n_samples; i++)
    if (strlen(s->samples[i].key) == len && !strncmp(s->samples[i].key, key, len)) return "--sample";
  for (int i = 0; i < s->n_sets; i++)
    if (!strncmp(s->sets[i], key, len) && s->sets[i][len] == '=') return "--set";
  return NULL;
}

/* a whole number lo..hi from text, or -1 */
static int parse_ulong(const char *text, unsigned long lo, unsigned long hi, unsigned long *out) {
  char *end;
  errno = 0;
  if (!*text || *text == '-' || *text == '+' || *text == ' ') return -1;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || *end || v < lo || v > hi) return -1;
  *out = (unsigned long)v;
  return 0;
}

int sweep_spec_is_option(const char *flag) {
  static const char *const opts[] = {"--grid", "--sample", "--points", "--sampler",
                                     "--sample-seed", "--seeds", "--seed-list", "--set", NULL};
  for (int i = 0; opts[i]; i++)
    if (!strcmp(flag, opts[i])) return 1;
  return 0;
}

static int grid_option(sweep_spec *s, const char *v) {
  const char *eq = strchr(v, '=');
  if (!eq) return bad("--grid", v, "expected KEY=V1,V2,... (e.g. --grid g=4,5,6)");
  size_t klen = (size_t)(eq - v);
  if (!name_ok(v, klen))
    return bad("--grid", v, "KEY must be a parameter name (letters, digits, _)");
  const char *by = key_taken(s, v, klen);
  if (by) return bad("--grid", v, "'%.*s' is already given by %s", (int)klen, v, by);
  if (!eq[1]) return bad("--grid", v, "no values");
  sweep_grid g = {strndup(v, klen), NULL, 0};
  size_t cap = 1;
  for (const char *p = eq + 1; *p; p++) cap += *p == ',';
  g.values = calloc(cap, sizeof *g.values);
  if (!g.key || !g.values) goto oom;
  for (const char *p = eq + 1;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    if (!len) {
      bad("--grid", v, "an empty value (values are separated by commas)");
      goto fail;
    }
    for (int i = 0; i < g.n; i++)
      if (strlen(g.values[i]) == len && !strncmp(g.values[i], p, len)) {
        bad("--grid", v, "the value '%.*s' is given twice", (int)len, p);
        goto fail;
      }
    if (!(g.values[g.n] = strndup(p, len))) goto oom;
    g.n++;
    if (!c) break;
    p = c + 1;
  }
  sweep_grid *grids = realloc(s->grids, (size_t)(s->n_grids + 1) * sizeof *grids);
  if (!grids) goto oom;
  s->grids = grids;
  s->grids[s->n_grids++] = g;
  return 0;
oom:
  fprintf(stderr, "soma sweep: out of memory\n");
fail:
  for (int i = 0; i < g.n; i++) free(g.values[i]);
  free(g.values);
  free(g.key);
  return 2;
}

static int sample_option(sweep_spec *s, const char *v) {
  const char *form = "expected KEY=LO:HI, optionally with :log or :int (e.g. --sample w=0.5:2)";
  const char *eq = strchr(v, '=');
  if (!eq) return bad("--sample", v, "%s", form);
  size_t klen = (size_t)(eq - v);
  if (!name_ok(v, klen))
    return bad("--sample", v, "KEY must be a parameter name (letters, digits, _)");
  const char *by = key_taken(s, v, klen);
  if (by) return bad("--sample", v, "'%.*s' is already given by %s", (int)klen, v, by);
  char buf[256];
  snprintf(buf, sizeof buf, "%s", eq + 1);
  char *parts[4] = {0};
  int n = 0;
  for (char *p = buf, *c; n < 4; p = c + 1) {
    parts[n++] = p;
    if (!(c = strchr(p, ':'))) break;
    *c = 0;
  }
  if (n < 2 || n > 3) return bad("--sample", v, "%s", form);
  sweep_sample x = {NULL, 0, 0, SWEEP_FLOAT};
  if (n == 3) {
    if (!strcmp(parts[2], "log")) x.kind = SWEEP_LOG;
    else if (!strcmp(parts[2], "int")) x.kind = SWEEP_INT;
    else return bad("--sample", v, "unknown scale '%s' (use :log or :int)", parts[2]);
  }
  for (int i = 0; i < 2; i++) {
    char *end;
    double d = strtod(parts[i], &end);
    if (!*parts[i] || *end || !isfinite(d))
      return bad("--sample", v, "%s '%s' is not a number", i ? "HI" : "LO", parts[i]);
    if (i) x.hi = d;
    else x.lo = d;
  }
  if (!(x.lo < x.hi)) return bad("--sample", v, "lo must be < hi");
  if (x.kind == SWEEP_LOG && !(x.lo > 0)) return bad("--sample", v, "lo must be > 0 for :log");
  if (x.kind == SWEEP_INT && (x.lo != floor(x.lo) || x.hi != floor(x.hi) || fabs(x.lo) > 9e15 ||
                              fabs(x.hi) > 9e15))
    return bad("--sample", v, "lo and hi must be whole numbers for :int");
  sweep_sample *samples = realloc(s->samples, (size_t)(s->n_samples + 1) * sizeof *samples);
  if (!samples || !(x.key = strndup(v, klen))) {
    if (samples) s->samples = samples;
    fprintf(stderr, "soma sweep: out of memory\n");
    return 2;
  }
  s->samples = samples;
  s->samples[s->n_samples++] = x;
  return 0;
}

static int cmp_ulong(const void *a, const void *b) {
  unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
  return x < y ? -1 : x > y;
}

/* a refused list leaves the spec without seeds, as before it */
static int seed_list_refused(sweep_spec *s) {
  free(s->seeds);
  s->seeds = NULL;
  s->n_seeds = 0;
  return 2;
}

static int seed_list_option(sweep_spec *s, const char *v) {
  if (s->seeds_given) return bad("--seed-list", v, "seeds are given twice (--seeds or --seed-list: one of them, once)");
  size_t cap = 1;
  for (const char *p = v; *p; p++) cap += *p == ',';
  s->seeds = calloc(cap, sizeof *s->seeds);
  if (!s->seeds) return bad("--seed-list", v, "out of memory");
  char buf[32];
  for (const char *p = v;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    snprintf(buf, sizeof buf, "%.*s", (int)(len < 31 ? len : 31), p);
    unsigned long seed;
    if (len > 30 || parse_ulong(buf, 0, 4294967295UL, &seed)) {
      bad("--seed-list", v, "'%.*s' is not a seed (a whole number from 0 to 4294967295)",
          (int)len, p);
      return seed_list_refused(s);
    }
    s->seeds[s->n_seeds++] = seed;
    if (!c) break;
    p = c + 1;
  }
  /* repeats, found in a sorted copy (sweep.json of --seeds 100000 lists them all) */
  unsigned long *sorted = malloc((size_t)s->n_seeds * sizeof *sorted);
  if (!sorted) {
    bad("--seed-list", v, "out of memory");
    return seed_list_refused(s);
  }
  memcpy(sorted, s->seeds, (size_t)s->n_seeds * sizeof *sorted);
  qsort(sorted, (size_t)s->n_seeds, sizeof *sorted, cmp_ulong);
  for (int i = 1; i < s->n_seeds; i++)
    if (sorted[i] == sorted[i - 1]) {
      bad("--seed-list", v, "the seed %lu is given twice", sorted[i]);
      free(sorted);
      return seed_list_refused(s);
    }
  free(sorted);
  s->seeds_given = 1;
  return 0;
}

int sweep_spec_option(sweep_spec *s, const char *flag, const char *v) {
  unsigned long u;
  if (!strcmp(flag, "--grid")) return grid_option(s, v);
  if (!strcmp(flag, "--sample")) return sample_option(s, v);
  if (!strcmp(flag, "--seed-list")) return seed_list_option(s, v);
  if (!strcmp(flag, "--points")) {
    if (parse_ulong(v, 1, MAX_POINTS, &u))
      return bad("--points", NULL, "expected a whole number from 1 to %d, got '%s'", MAX_POINTS, v);
    s->points = (long)u;
    return 0;
  }
  if (!strcmp(flag, "--sampler")) {
    if (!strcmp(v, "lhs")) s->sampler = SWEEP_LHS;
    else if (!strcmp(v, "random")) s->sampler = SWEEP_RANDOM;
    else return bad("--sampler", NULL, "expected lhs (Latin hypercube) or random, got '%s'", v);
    return 0;
  }
  if (!strcmp(flag, "--sample-seed")) {
    if (parse_ulong(v, 0, 4294967295UL, &u))
      return bad("--sample-seed", NULL, "expected a whole number from 0 to 4294967295, got '%s'", v);
    s->sample_seed = u;
    return 0;
  }
  if (!strcmp(flag, "--seeds")) {
    if (s->seeds_given) return bad("--seeds", v, "seeds are given twice (--seeds or --seed-list: one of them, once)");
    if (parse_ulong(v, 1, 100000, &u))
      return bad("--seeds", NULL, "expected a whole number from 1 to 100000, got '%s'", v);
    if (!(s->seeds = calloc(u, sizeof *s->seeds))) return bad("--seeds", v, "out of memory");
    for (unsigned long i = 0; i < u; i++) s->seeds[i] = i + 1;
    s->n_seeds = (int)u;
    s->seeds_given = 1;
    return 0;
  }
  if (!strcmp(flag, "--set")) {
    const char *eq = strchr(v, '=');
    if (!eq || !name_ok(v, (size_t)(eq - v)))
      return bad("--set", NULL, "expected KEY=VALUE with KEY a parameter name, got '%s'", v);
    const char *by = key_taken(s, v, (size_t)(eq - v));
    if (by) return bad("--set", v, "'%.*s' is already given by %s", (int)(eq - v), v, by);
    char **sets = realloc(s->sets, (size_t)(s->n_sets + 1) * sizeof *sets);
    if (!sets) return bad("--set", v, "out of memory");
    s->sets = sets;
    if (!(s->sets[s->n_sets] = strdup(v))) return bad("--set", v, "out of memory");
    s->n_sets++;
    return 0;
  }
  return bad(flag, NULL, "not a spec option");
}

int sweep_spec_finish(sweep_spec *s) {
  if (s->n_samples && !s->points)
    return bad("--sample", NULL, "needs --points N (how many points to draw)");
  if (s->points && !s->n_samples)
    return bad("--points", NULL, "without --sample there is nothing to draw");
  if (!s->n_seeds) {
    if (!(s->seeds = calloc(1, sizeof *s->seeds))) return bad("--seeds", NULL, "out of memory");
    s->seeds[0] = 1;
    s->n_seeds = 1;
  }
  double n = s->n_seeds * (double)(s->n_samples ? s->points : 1);
  for (int i = 0; i < s->n_grids; i++) n *= s->grids[i].n;
  if (n > MAX_POINTS) {
    fprintf(stderr, "soma sweep: the spec makes %.0f points; at most %d in one sweep (split it "
                    "into several --out directories)\n", n, MAX_POINTS);
    return 2;
  }
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void json_word(FILE *f, int *first, const char *s) {
  fputs(*first ? "" : ", ", f);
  *first = 0;
  soma_json_str(f, s);
}

char *sweep_spec_json(const sweep_spec *s) {
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (!f) return NULL;
  int first = 1;
  fputc('[', f);
  char **sets = malloc((size_t)(s->n_sets + 1) * sizeof *sets);
  if (sets) {
    if (s->n_sets) memcpy(sets, s->sets, (size_t)s->n_sets * sizeof *sets);
    qsort(sets, (size_t)s->n_sets, sizeof *sets, cmp_str);
    for (int i = 0; i < s->n_sets; i++) {
      json_word(f, &first, "--set");
      json_word(f, &first, sets[i]);
    }
    free(sets);
  }
  char *buf = NULL;
  size_t blen = 0;
  for (int i = 0; i < s->n_grids; i++) {
    FILE *g = open_memstream(&buf, &blen);
    if (!g) break;
    fprintf(g, "%s=", s->grids[i].key);
    for (int j = 0; j < s->grids[i].n; j++) fprintf(g, "%s%s", j ? "," : "", s->grids[i].values[j]);
    fclose(g);
    json_word(f, &first, "--grid");
    json_word(f, &first, buf);
    free(buf);
    buf = NULL;
  }
  char lo[40], hi[40], word[512];
  for (int i = 0; i < s->n_samples; i++) {
    const sweep_sample *x = &s->samples[i];
    sweep_fmt_num(lo, sizeof lo, x->lo);
    sweep_fmt_num(hi, sizeof hi, x->hi);
    snprintf(word, sizeof word, "%s=%s:%s%s", x->key, lo, hi,
             x->kind == SWEEP_LOG ? ":log" : x->kind == SWEEP_INT ? ":int" : "");
    json_word(f, &first, "--sample");
    json_word(f, &first, word);
  }
  if (s->n_samples) {
    snprintf(word, sizeof word, "%ld", s->points);
    json_word(f, &first, "--points");
    json_word(f, &first, word);
    json_word(f, &first, "--sampler");
    json_word(f, &first, s->sampler == SWEEP_LHS ? "lhs" : "random");
    snprintf(word, sizeof word, "%lu", s->sample_seed);
    json_word(f, &first, "--sample-seed");
    json_word(f, &first, word);
  }
  FILE *g = open_memstream(&buf, &blen);
  if (g) {
    for (int i = 0; i < s->n_seeds; i++) fprintf(g, "%s%lu", i ? "," : "", s->seeds[i]);
    fclose(g);
    json_word(f, &first, "--seed-list");
    json_word(f, &first, buf);
    free(buf);
  }
  fputc(']', f);
  if (fclose(f)) {
    free(out);
    return NULL;
  }
  return out;
}

void sweep_spec_free(sweep_spec *s) {
  free(s->script);
  for (int i = 0; i < s->n_sets; i++) free(s->sets[i]);
  free(s->sets);
  for (int i = 0; i < s->n_grids; i++) {
    for (int j = 0; j < s->grids[i].n; j++) free(s->grids[i].values[j]);
    free(s->grids[i].values);
    free(s->grids[i].key);
  }
  free(s->grids);
  for (int i = 0; i < s->n_samples; i++) free(s->samples[i].key);
  free(s->samples);
  free(s->seeds);
  memset(s, 0, sizeof *s);
}

/* ---- sampling ---------------------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static double uniform(uint64_t *x) { return (double)(splitmix(x) >> 11) * 0x1.0p-53; }

/* where v falls among n equal strata of the sample's range (in log space for :log) */
static long stratum(const sweep_sample *x, double v, long n) {
  double a = x->lo, b = x->hi;
  if (x->kind == SWEEP_LOG) {
    a = log(a);
    b = log(b);
    v = log(v);
  }
  long k = (long)floor((v - a) / (b - a) * (double)n);
  return k < 0 ? 0 : k >= n ? n - 1 : k;
}

/* the text of a sampled value: 6 significant digits, more when rounding would move it out of
 * its stratum (Latin hypercube) or its range */
static void sample_text(const sweep_sample *x, double u, long k, long n, char *buf, size_t len) {
  if (x->kind == SWEEP_INT) {
    double v = x->lo + floor(u * (x->hi - x->lo + 1));
    snprintf(buf, len, "%.0f", v > x->hi ? x->hi : v);
    return;
  }
  double v = x->kind == SWEEP_LOG ? exp(log(x->lo) + u * (log(x->hi) - log(x->lo)))
                                  : x->lo + u * (x->hi - x->lo);
  if (v < x->lo) v = x->lo;
  if (v > x->hi) v = x->hi;
  snprintf(buf, len, "%.6g", v);
  double r = strtod(buf, NULL);
  if (r < x->lo || r > x->hi || (k >= 0 && stratum(x, r, n) != k)) sweep_fmt_num(buf, len, v);
}

/* texts[j * n_samples + d]: the value of sample d at point j */
static char **draw_samples(const sweep_spec *s) {
  long n = s->points;
  int nd = s->n_samples;
  char **texts = calloc((size_t)n * (size_t)nd, sizeof *texts);
  long *perm = calloc((size_t)n, sizeof *perm);
  if (!texts || !perm) {
    free(texts);
    free(perm);
    return NULL;
  }
  uint64_t state = 0x5eed5eedULL ^ ((uint64_t)s->sample_seed << 17) ^ (uint64_t)s->sample_seed;
  char buf[64];
  for (int d = 0; d < nd; d++) {
    if (s->sampler == SWEEP_LHS) {
      for (long j = 0; j < n; j++) perm[j] = j;
      for (long j = n - 1; j > 0; j--) {   /* Fisher-Yates */
        long r = (long)(uniform(&state) * (double)(j + 1));
        if (r > j) r = j;
        long t = perm[j];
        perm[j] = perm[r];
        perm[r] = t;
      }
    }
    for (long j = 0; j < n; j++) {
      double u;
      long k = -1;
      if (s->sampler == SWEEP_LHS) {
        k = perm[j];
        u = ((double)k + uniform(&state)) / (double)n;
        if (u >= (double)(k + 1) / (double)n) u = nextafter((double)(k + 1) / (double)n, 0);
      } else {
        u = uniform(&state);
      }
      sample_text(&s->samples[d], u, s->samples[d].kind == SWEEP_INT ? -1 : k, n, buf, sizeof buf);
      if (!(texts[j * nd + d] = strdup(buf))) {
        for (long i = 0; i < n * nd; i++) free(texts[i]);
        free(texts);
        free(perm);
        return NULL;
      }
    }
  }
  free(perm);
  return texts;
}

/* ---- points ------------------------------------------------------------------------------ */

static uint32_t fnv1a(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* "p0007-g=6-seed=3": the index, the parameters, the seed. Characters other than letters,
 * digits and ._+=- become '_'; a long or changed id is cut and ends in a hash of the full
 * one. */
static char *make_id(const sweep_plan *p, const sweep_point *pt, int width) {
  char full[2048], clean[2048];
  int len = snprintf(full, sizeof full, "p%0*d", width, pt->index);
  for (int i = 0; i < p->n_params && len < (int)sizeof full; i++)
    len += snprintf(full + len, sizeof full - (size_t)len, "-%s=%s", p->params[i], pt->values[i]);
  if (len < (int)sizeof full)
    snprintf(full + len, sizeof full - (size_t)len, "-seed=%lu", pt->seed);
  int changed = 0;
  size_t n = strlen(full);
  for (size_t i = 0; i <= n; i++) {
    char c = full[i];
    int okc = !c || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '+' || c == '=' || c == '-';
    clean[i] = okc ? c : '_';
    changed |= !okc;
  }
  if (changed || n > 72) {
    char tail[16];
    snprintf(tail, sizeof tail, "-h%08x", fnv1a(full));
    if (n > 60) clean[60] = 0;
    strcat(clean, tail);
  }
  return strdup(clean);
}

int sweep_plan_make(const sweep_spec *s, sweep_plan *p) {
  memset(p, 0, sizeof *p);
  long n_samp = s->n_samples ? s->points : 1;
  long combos = 1;
  for (int i = 0; i < s->n_grids; i++) combos *= s->grids[i].n;
  long n = combos * n_samp * s->n_seeds;
  p->n_params = s->n_grids + s->n_samples;
  p->params = calloc((size_t)p->n_params + 1, sizeof *p->params);
  p->is_sample = calloc((size_t)p->n_params + 1, sizeof *p->is_sample);
  p->points = calloc((size_t)n, sizeof *p->points);
  char **texts = s->n_samples ? draw_samples(s) : NULL;
  if (!p->params || !p->is_sample || !p->points || (s->n_samples && !texts)) goto oom;
  for (int i = 0; i < s->n_grids; i++) p->params[i] = s->grids[i].key;
  for (int i = 0; i < s->n_samples; i++) {
    p->params[s->n_grids + i] = s->samples[i].key;
    p->is_sample[s->n_grids + i] = 1;
  }
  int width = 4;
  for (long m = n - 1; m >= 10000; m /= 10) width++;
  for (long idx = 0; idx < n; idx++) {
    sweep_point *pt = &p->points[idx];
    p->n_points = (int)idx + 1;
    pt->index = (int)idx;
    pt->seed = s->seeds[idx % s->n_seeds];
    long j = (idx / s->n_seeds) % n_samp, combo = idx / s->n_seeds / n_samp;
    if (!(pt->values = calloc((size_t)p->n_params + 1, sizeof *pt->values))) goto oom;
    for (int g = s->n_grids - 1; g >= 0; g--) {   /* the last grid varies fastest */
      pt->values[g] = strdup(s->grids[g].values[combo % s->grids[g].n]);
      combo /= s->grids[g].n;
      if (!pt->values[g]) goto oom;
    }
    for (int d = 0; d < s->n_samples; d++)
      if (!(pt->values[s->n_grids + d] = strdup(texts[j * s->n_samples + d]))) goto oom;
    if (!(pt->id = make_id(p, pt, width))) goto oom;
  }
  if (texts)
    for (long i = 0; i < s->points * s->n_samples; i++) free(texts[i]);
  free(texts);
  return 0;
oom:
  if (texts)
    for (long i = 0; i < s->points * s->n_samples; i++) free(texts[i]);
  free(texts);
  sweep_plan_free(p);
  return -1;
}

void sweep_plan_free(sweep_plan *p) {
  for (int i = 0; i < p->n_points; i++) {
    if (p->points[i].values)
      for (int k = 0; k < p->n_params; k++) free(p->points[i].values[k]);
    free(p->points[i].values);
    free(p->points[i].id);
  }
  free(p->points);
  free(p->params);
  free(p->is_sample);
  memset(p, 0, sizeof *p);
}
