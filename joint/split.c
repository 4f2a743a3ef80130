/* split.c — contiguous and interleaved train / validation / test blocks (see split.h). */
#include "split.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joint/check.h"
#include "sim/soma.h"

static const char *const part_names[] = {"train", "valid", "test", "gap"};

const char *joint_split_part_name(int part) {
  return part >= 0 && part <= JOINT_GAP ? part_names[part] : "?";
}

joint_split_opts joint_split_defaults(void) {
  return (joint_split_opts){.test_fraction = 0.2, .valid_fraction = 0.125, .blocks = 1,
                            .every = 5, .gap = 0};
}

/* rows kept of n when a fraction f is taken from the end, as Python's int(n * (1 - f)) */
static size_t keep(size_t n, double f) { return (size_t)((double)n * (1.0 - f)); }

/* rows [a, b): the first keep() train, the rest valid */
static void train_valid(unsigned char *part, size_t a, size_t b, double valid) {
  size_t t = a + keep(b - a, valid);
  memset(part + a, JOINT_TRAIN, t - a);
  memset(part + t, JOINT_VALID, b - t);
}

void joint_split_free(joint_split *s) {
  if (!s) return;
  free(s->part);
  memset(s, 0, sizeof *s);
}

int joint_split_make(size_t n, const joint_split_opts *o, joint_split *out, char *err,
                     size_t errlen) {
  memset(out, 0, sizeof *out);
  joint_split_opts d = joint_split_defaults();
  if (!o) o = &d;
  if (n == 0) return joint_fail(err, errlen, SOMA_ERR_PARAM, "split: no rows");
  if (!(o->test_fraction >= 0 && o->test_fraction < 1) ||
      !(o->valid_fraction >= 0 && o->valid_fraction < 1))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "split: test_fraction and valid_fraction must be in [0, 1) (got %g, %g)",
                      o->test_fraction, o->valid_fraction);
  if (o->blocks < 1 || (size_t)o->blocks > n)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "split: blocks must be from 1 to the %zu rows "
                      "(got %d)", n, o->blocks);
  if (o->blocks >= 2 && (o->every < 2 || o->every > o->blocks))
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "split: with %d blocks, every must be from 2 to %d (got %d)", o->blocks,
                      o->blocks, o->every);
  unsigned char *part = malloc(n);
  if (!part) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "split: out of memory");
  if (o->blocks == 1) {
    size_t fit = keep(n, o->test_fraction);
    train_valid(part, 0, fit, o->valid_fraction);
    memset(part + fit, JOINT_TEST, n - fit);
  } else {
    size_t K = (size_t)o->blocks;
    for (size_t b = 0; b < K; b++) {
      size_t a = b * n / K, e = (b + 1) * n / K;
      if ((b + 1) % (size_t)o->every == 0) memset(part + a, JOINT_TEST, e - a);
      else train_valid(part, a, e, o->valid_fraction);
    }
  }
  /* the gap: training rows within gap rows of a held-out row */
  if (o->gap) {
    size_t last = (size_t)-1;   /* the last held-out row seen, going forward */
    unsigned char *held = malloc(n);
    if (!held) {
      free(part);
      return joint_fail(err, errlen, SOMA_ERR_NOMEM, "split: out of memory");
    }
    for (size_t i = 0; i < n; i++) held[i] = part[i] != JOINT_TRAIN;
    for (size_t i = 0; i < n; i++) {
      if (held[i]) last = i;
      else if (last != (size_t)-1 && i - last <= o->gap) part[i] = JOINT_GAP;
    }
    last = (size_t)-1;
    for (size_t i = n; i-- > 0;) {
      if (held[i]) last = i;
      else if (last != (size_t)-1 && last - i <= o->gap) part[i] = JOINT_GAP;
    }
    free(held);
  }
  for (size_t i = 0; i < n; i++) out->count[part[i]]++;
  if (out->count[JOINT_TRAIN] == 0) {   /* a fraction taken by int() always leaves a row */
    free(part);
    memset(out, 0, sizeof *out);
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "split: %zu row%s leave%s no training row", n,
                      n == 1 ? "" : "s", n == 1 ? "s" : "");
  }
  out->n = n;
  out->part = part;
  return SOMA_OK;
}

size_t joint_split_index(const joint_split *s, int part, size_t *idx) {
  size_t k = 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->part[i] == part) idx[k++] = i;
  return k;
}

int joint_split_rows(const gsl_matrix *m, const joint_split *s, int part, gsl_matrix **out,
                     char *err, size_t errlen) {
  *out = NULL;
  if (!m || !s || m->size1 != s->n)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "split rows: the matrix has %zu rows, the "
                      "split %zu", m ? m->size1 : 0, s ? s->n : 0);
  if (part < 0 || part > JOINT_GAP || s->count[part] == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "split rows: the %s part has no rows",
                      joint_split_part_name(part));
  gsl_matrix *r = gsl_matrix_alloc(s->count[part], m->size2);
  if (!r) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "split rows: out of memory");
  size_t k = 0;
  for (size_t i = 0; i < s->n; i++)
    if (s->part[i] == part) {
      gsl_vector_const_view src = gsl_matrix_const_row(m, i);
      gsl_matrix_set_row(r, k++, &src.vector);
    }
  *out = r;
  return SOMA_OK;
}

gsl_matrix *joint_split_column(const joint_split *s) {
  if (!s || !s->n) return NULL;
  gsl_matrix *c = gsl_matrix_alloc(s->n, 1);
  if (!c) return NULL;
  for (size_t i = 0; i < s->n; i++) gsl_matrix_set(c, i, 0, s->part[i]);
  return c;
}

void joint_split_describe(const joint_split *s, char *buf, size_t len) {
  size_t used = 0;
  buf[0] = 0;
#define PUT(...)                                                                  \
  do {                                                                            \
    int w_ = snprintf(buf + used, used < len ? len - used : 0, __VA_ARGS__);      \
    if (w_ > 0) used += (size_t)w_;                                               \
  } while (0)
  for (int p = 0; p <= JOINT_GAP; p++) {
    if (!s->count[p]) continue;
    PUT("%s%s ", used ? ", " : "", part_names[p]);
    int ranges = 0;
    for (size_t i = 0; i < s->n; i++) {
      if (s->part[i] != p || (i && s->part[i - 1] == p)) continue;
      size_t e = i;
      while (e + 1 < s->n && s->part[e + 1] == p) e++;
      if (ranges == 4) {
        PUT(" ...");
        break;
      }
      PUT("%s%zu-%zu", ranges ? " " : "", i, e);
      ranges++;
    }
    PUT(" (%zu rows)", s->count[p]);
  }
#undef PUT
  if (used >= len && len > 4) strcpy(buf + len - 4, "...");
}
