/* param.c — range checks and name suggestions for model parameters. */
#include "param.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int soma_param_check(const soma_param_def *def, double v, char *msg, size_t len) {
  const char *unit = def->unit && *def->unit ? def->unit : "";
  const char *sp = *unit ? " " : "";
  if (isnan(v) || (isinf(v) && !(def->flags & SOMA_INF_OK)) || (isfinite(v) && fabs(v) > FLT_MAX)) {
    snprintf(msg, len, "%s must be a finite number (got %g)", def->name, isnan(v) ? NAN : v);
    return 1;
  }
  int lo_open = (def->flags & SOMA_LO_OPEN) != 0, hi_open = (def->flags & SOMA_HI_OPEN) != 0;
  if (isfinite(def->lo) && (lo_open ? !(v > def->lo) : !(v >= def->lo))) {
    snprintf(msg, len, "%s must be %s %g%s%s (got %g)", def->name, lo_open ? ">" : ">=", def->lo,
             sp, unit, v);
    return 1;
  }
  if (isfinite(def->hi) && (hi_open ? !(v < def->hi) : !(v <= def->hi))) {
    snprintf(msg, len, "%s must be %s %g%s%s (got %g)", def->name, hi_open ? "<" : "<=", def->hi,
             sp, unit, v);
    return 1;
  }
  if ((def->flags & SOMA_INT) && v != floor(v)) {
    snprintf(msg, len, "%s must be a whole number (got %g)", def->name, v);
    return 1;
  }
  return 0;
}

static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 62 || lb > 62) return 99;
  int row[64];
  for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int prev = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int cur = row[j];
      int sub = prev + (a[i - 1] != b[j - 1]);
      int del = row[j] + 1, ins = row[j - 1] + 1;
      int best = sub < del ? sub : del;
      row[j] = best < ins ? best : ins;
      prev = cur;
    }
  }
  return row[lb];
}

const char *soma_join_names(const void *items, size_t stride, int n, char *buf, size_t len) {
  size_t off = 0;
  if (len) buf[0] = 0;
  for (int i = 0; i < n && off < len; i++) {
    const char *name = *(const char *const *)((const char *)items + (size_t)i * stride);
    off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", name);
  }
  return buf;
}

const char *soma_closest_name(const char *name, const char *const *known, int n) {
  const char *best = NULL;
  int best_d = 3;
  for (int i = 0; i < n; i++) {
    if (strcasecmp(name, known[i]) == 0) return known[i];
    int d = edit_distance(name, known[i]);
    if (d < best_d) {
      best_d = d;
      best = known[i];
    }
  }
  return best;
}

void soma_unknown_name_msg(const soma_model *m, const char *what, const char *name, char *msg,
                           size_t len) {
  const char *known[128];
  int n = 0;
  for (int i = 0; i < m->n_params && n < 128; i++) known[n++] = m->params[i].name;
  for (int i = 0; i < m->n_vars && n < 128; i++) known[n++] = m->vars[i].name;
  const char *guess = soma_closest_name(name, known, n);
  size_t off = (size_t)snprintf(msg, len, "unknown %s '%s' of model '%s'", what, name, m->name);
  if (guess && off < len) off += (size_t)snprintf(msg + off, len - off, " (did you mean '%s'?)", guess);
  if (off < len) off += (size_t)snprintf(msg + off, len - off, "; known: ");
  if (off < len) soma_join_names(known, sizeof known[0], n, msg + off, len - off);
}

int soma_identifier_ok(const char *name, size_t max) {
  if (!name || !*name || strlen(name) >= max) return 0;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '_' || *p == '-'))
      return 0;
  return 1;
}
