/* sweep_table.c — each point's outcome (done.json, written only once the point's run has
 * ended and its files are closed) and the sweep's table: sweep.csv and sweep.jsonl, one row
 * per point in point order, rebuilt from the point folders at any time. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "app/rundir.h"
#include "app/sweep.h"
#include "sim/json.h"

const char *sweep_state_name(int state) {
  switch (state) {
    case ROW_OK: return "ok";
    case ROW_FAILED: return "failed";
    case ROW_INTERRUPTED: return "interrupted";
    default: return "pending";
  }
}

void sweep_row_clear(sweep_row *row) {
  free(row->error);
  for (int i = 0; i < row->n; i++) {
    free(row->keys[i]);
    free(row->vals[i]);
  }
  free(row->keys);
  free(row->vals);
  free(row->kinds);
  memset(row, 0, sizeof *row);
  row->exit_code = -1;
}

static int add_cell(sweep_row *row, const char *key, const char *val, char kind) {
  if ((row->n & 7) == 0) {
    size_t cap = (size_t)row->n + 8;
    char **k = realloc(row->keys, cap * sizeof *k);
    if (k) row->keys = k;
    char **v = realloc(row->vals, cap * sizeof *v);
    if (v) row->vals = v;
    char *c = realloc(row->kinds, cap);
    if (c) row->kinds = c;
    if (!k || !v || !c) return -1;
  }
  row->keys[row->n] = strdup(key);
  row->vals[row->n] = strdup(val ? val : "");
  row->kinds[row->n] = kind;
  if (!row->keys[row->n] || !row->vals[row->n]) {
    free(row->keys[row->n]);
    free(row->vals[row->n]);
    return -1;
  }
  row->n++;
  return 0;
}

int sweep_key_cmp(const char *a, const char *b) {
  while (*a && *b) {
    if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
      while (*a == '0' && a[1] >= '0' && a[1] <= '9') a++;
      while (*b == '0' && b[1] >= '0' && b[1] <= '9') b++;
      size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
      if (na != nb) return na < nb ? -1 : 1;
      int c = strncmp(a, b, na);
      if (c) return c;
      a += na;
      b += nb;
      continue;
    }
    if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    a++;
    b++;
  }
  return *a ? 1 : *b ? -1 : 0;
}

/* the scalars of a result object: nested objects as "a.b", the items of lists of at most
 * SWEEP_MAX_LIST as "a.1", "a.2", ...; longer lists are left out */
static int flatten(sweep_row *row, const soma_json *o, const char *prefix, int depth) {
  char key[1024];
  if (o->t == SOMA_JSON_ARR && o->n > SWEEP_MAX_LIST) return 0;
  for (int i = 0; i < o->n; i++) {
    const soma_json *v = &o->items[i];
    if (o->t == SOMA_JSON_OBJ) snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", o->keys[i]);
    else snprintf(key, sizeof key, "%s.%d", prefix, i + 1);
    int rc = 0;
    switch (v->t) {
      case SOMA_JSON_NUM: rc = add_cell(row, key, v->s, 'n'); break;
      case SOMA_JSON_STR: rc = add_cell(row, key, v->s, 's'); break;
      case SOMA_JSON_BOOL: rc = add_cell(row, key, v->s, 'b'); break;
      case SOMA_JSON_NULL: rc = add_cell(row, key, "", 'z'); break;
      case SOMA_JSON_OBJ:
      case SOMA_JSON_ARR: rc = depth < 8 ? flatten(row, v, key, depth + 1) : 0; break;
    }
    if (rc) return -1;
  }
  return 0;
}

static int by_key(const void *a, const void *b, void *row) {
  char **k = ((sweep_row *)row)->keys;
  return sweep_key_cmp(k[*(const int *)a], k[*(const int *)b]);
}

/* sorts the cells by key, so tables merge them in one pass */
static int sort_cells(sweep_row *row) {
  int n = row->n;
  if (n < 2) return 0;
  int *ix = malloc((size_t)n * sizeof *ix);
  char **k = malloc((size_t)n * sizeof *k), **v = malloc((size_t)n * sizeof *v);
  char *c = malloc((size_t)n);
  if (!ix || !k || !v || !c) {
    free(ix);
    free(k);
    free(v);
    free(c);
    return -1;
  }
  for (int i = 0; i < n; i++) ix[i] = i;
  qsort_r(ix, (size_t)n, sizeof *ix, by_key, row);
  for (int i = 0; i < n; i++) {
    k[i] = row->keys[ix[i]];
    v[i] = row->vals[ix[i]];
    c[i] = row->kinds[ix[i]];
  }
  free(row->keys);
  free(row->vals);
  free(row->kinds);
  row->keys = k;
  row->vals = v;
  row->kinds = c;
  free(ix);
  return 0;
}

int sweep_row_load(const char *dir, const sweep_point *pt, sweep_row *row, char *err,
                   size_t errlen) {
  sweep_row_clear(row);
  char path[4096];
  snprintf(path, sizeof path, "%s/points/%s/done.json", dir, pt->id);
  if (access(path, F_OK) != 0) return 0;   /* pending */
  soma_json *done = soma_json_load(path, err, errlen);
  if (!done) {
    row->state = ROW_FAILED;
    row->error = strdup(err);
    return -1;
  }
  const char *status = soma_json_text(done, "status"), *wall = soma_json_text(done, "wall_s"),
             *code = soma_json_text(done, "exit_code");
  const soma_json *e = soma_json_get(done, "error");
  row->state = status && !strcmp(status, "ok")            ? ROW_OK
               : status && !strcmp(status, "interrupted") ? ROW_INTERRUPTED
                                                          : ROW_FAILED;
  row->wall_s = wall ? strtod(wall, NULL) : 0;
  row->exit_code = code ? atoi(code) : -1;
  row->error = e && e->t == SOMA_JSON_STR ? strdup(e->s) : NULL;
  soma_json_free(done);
  snprintf(path, sizeof path, "%s/points/%s/results.json", dir, pt->id);
  if (access(path, F_OK) == 0) {
    char rerr[512];
    soma_json *res = soma_json_load(path, rerr, sizeof rerr);
    const soma_json *r = soma_json_get(res, "result");
    if (r && r->t == SOMA_JSON_OBJ && (flatten(row, r, "", 0) || sort_cells(row))) {
      soma_json_free(res);
      snprintf(err, errlen, "out of memory reading %s", path);
      return -1;
    }
    soma_json_free(res);
  }
  return 0;
}

/* ---- done.json --------------------------------------------------------------------------- */

int sweep_done_write(const char *pdir, const sweep_plan *plan, const sweep_point *pt,
                     const sweep_row *row, char *err, size_t errlen) {
  char tmp[4096], path[4096], host[256] = "", ended[40];
  snprintf(tmp, sizeof tmp, "%s/done.json.tmp", pdir);
  snprintf(path, sizeof path, "%s/done.json", pdir);
  gethostname(host, sizeof host - 1);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    return -1;
  }
  fputs("{\"id\": ", f);
  soma_json_str(f, pt->id);
  fprintf(f, ", \"index\": %d, \"seed\": %lu, \"set\": {", pt->index, pt->seed);
  for (int i = 0; i < plan->n_params; i++) {
    fputs(i ? ", " : "", f);
    soma_json_str(f, plan->params[i]);
    fputs(": ", f);
    soma_json_str(f, pt->values[i]);
  }
  fprintf(f, "},\n \"status\": \"%s\", \"exit_code\": %d, \"wall_s\": %.3f, \"error\": ",
          sweep_state_name(row->state), row->exit_code, row->wall_s);
  if (row->error) soma_json_str(f, row->error);
  else fputs("null", f);
  fputs(", \"host\": ", f);
  soma_json_str(f, host);
  fprintf(f, ", \"pid\": %d, \"ended\": \"%s\"}\n", (int)getpid(),
          rundir_timestamp(ended, sizeof ended));
  int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

/* ---- the table ----------------------------------------------------------------------------- */

static const char *const fixed_cols[] = {"id", "seed", "status", "wall_s", "exit_code", "error", NULL};

const char *sweep_result_column(const sweep_plan *plan, const char *key, char *buf, size_t n) {
  int taken = !strncmp(key, "result.", 7);
  for (int i = 0; fixed_cols[i] && !taken; i++) taken = !strcmp(key, fixed_cols[i]);
  for (int i = 0; i < plan->n_params && !taken; i++) taken = !strcmp(key, plan->params[i]);
  if (!taken) return key;
  snprintf(buf, n, "result.%s", key);
  return buf;
}

static int cmp_key(const void *a, const void *b) {
  return sweep_key_cmp(*(char *const *)a, *(char *const *)b);
}

/* the result keys of every row, sorted, without repeats (borrowed from the rows) */
static const char **result_keys(const sweep_plan *plan, const sweep_row *rows, int *count) {
  size_t total = 0;
  for (int r = 0; r < plan->n_points; r++) total += (size_t)rows[r].n;
  const char **keys = malloc((total + 1) * sizeof *keys);
  if (!keys) return NULL;
  size_t n = 0;
  for (int r = 0; r < plan->n_points; r++)
    for (int k = 0; k < rows[r].n; k++) keys[n++] = rows[r].keys[k];
  qsort(keys, n, sizeof *keys, cmp_key);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (!m || strcmp(keys[m - 1], keys[i])) keys[m++] = keys[i];
  *count = (int)m;
  return keys;
}

static void csv_cell(FILE *f, const char *s, int first) {
  if (!first) fputc(',', f);
  if (!s) return;
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* 1 when s is a JSON number as written (so a parameter value goes into JSON as a number) */
static int json_number(const char *s) {
  const char *p = s;
  if (*p == '-') p++;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
  else return 0;
  if (*p == '.') {
    p++;
    if (!(*p >= '0' && *p <= '9')) return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!(*p >= '0' && *p <= '9')) return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  return !*p;
}

static FILE *open_tmp(const char *dir, const char *name, char *tmp, size_t n, char *err,
                      size_t errlen) {
  snprintf(tmp, n, "%s/%s.tmp.%d", dir, name, (int)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
  return f;
}

static int commit(FILE *f, const char *tmp, const char *dir, const char *name, char *err,
                  size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int bad = fflush(f) != 0;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

static int write_csv(FILE *f, const sweep_plan *plan, const sweep_row *rows, const char **keys,
                     int nk) {
  char buf[1100];
  csv_cell(f, "id", 1);
  for (int i = 0; i < plan->n_params; i++) csv_cell(f, plan->params[i], 0);
  for (int i = 1; fixed_cols[i]; i++) csv_cell(f, fixed_cols[i], 0);
  for (int k = 0; k < nk; k++) csv_cell(f, sweep_result_column(plan, keys[k], buf, sizeof buf), 0);
  fputc('\n', f);
  for (int r = 0; r < plan->n_points; r++) {
    const sweep_point *pt = &plan->points[r];
    const sweep_row *row = &rows[r];
    csv_cell(f, pt->id, 1);
    for (int i = 0; i < plan->n_params; i++) csv_cell(f, pt->values[i], 0);
    snprintf(buf, sizeof buf, "%lu", pt->seed);
    csv_cell(f, buf, 0);
    csv_cell(f, sweep_state_name(row->state), 0);
    int done = row->state != ROW_PENDING;
    snprintf(buf, sizeof buf, "%.3f", row->wall_s);
    csv_cell(f, done ? buf : NULL, 0);
    snprintf(buf, sizeof buf, "%d", row->exit_code);
    csv_cell(f, done ? buf : NULL, 0);
    csv_cell(f, row->error, 0);
    int c = 0;
    for (int k = 0; k < nk; k++) {
      while (c < row->n && sweep_key_cmp(row->keys[c], keys[k]) < 0) c++;
      csv_cell(f, c < row->n && !strcmp(row->keys[c], keys[k]) ? row->vals[c] : NULL, 0);
    }
    fputc('\n', f);
  }
  return ferror(f) ? -1 : 0;
}

static int write_jsonl(FILE *f, const sweep_plan *plan, const sweep_row *rows, const char **keys,
                       int nk) {
  char buf[1100];
  for (int r = 0; r < plan->n_points; r++) {
    const sweep_point *pt = &plan->points[r];
    const sweep_row *row = &rows[r];
    fputs("{\"id\": ", f);
    soma_json_str(f, pt->id);
    for (int i = 0; i < plan->n_params; i++) {
      fputs(", ", f);
      soma_json_str(f, plan->params[i]);
      fputs(": ", f);
      if (json_number(pt->values[i])) fputs(pt->values[i], f);
      else soma_json_str(f, pt->values[i]);
    }
    fprintf(f, ", \"seed\": %lu, \"status\": \"%s\", ", pt->seed, sweep_state_name(row->state));
    if (row->state == ROW_PENDING) fputs("\"wall_s\": null, \"exit_code\": null", f);
    else fprintf(f, "\"wall_s\": %.3f, \"exit_code\": %d", row->wall_s, row->exit_code);
    fputs(", \"error\": ", f);
    if (row->error) soma_json_str(f, row->error);
    else fputs("null", f);
    int c = 0;
    for (int k = 0; k < nk; k++) {
      while (c < row->n && sweep_key_cmp(row->keys[c], keys[k]) < 0) c++;
      if (c >= row->n || strcmp(row->keys[c], keys[k])) continue;
      fputs(", ", f);
      soma_json_str(f, sweep_result_column(plan, keys[k], buf, sizeof buf));
      fputs(": ", f);
      switch (row->kinds[c]) {
        case 's': soma_json_str(f, row->vals[c]); break;
        case 'z': fputs("null", f); break;
        default: fputs(row->vals[c], f); break;
      }
    }
    fputs("}\n", f);
  }
  return ferror(f) ? -1 : 0;
}

int sweep_table_write(const char *dir, const sweep_plan *plan, const sweep_row *rows,
                      char *err, size_t errlen) {
  int nk = 0;
  const char **keys = result_keys(plan, rows, &nk);
  if (!keys) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  char lock[4096], tmp[4096];
  snprintf(lock, sizeof lock, "%s/table.lock", dir);
  int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (lfd >= 0) flock(lfd, LOCK_EX);   /* sweeps of several shards take turns */
  int rc = -1;
  FILE *f = open_tmp(dir, "sweep.csv", tmp, sizeof tmp, err, errlen);
  if (f) {
    if (write_csv(f, plan, rows, keys, nk)) snprintf(err, errlen, "cannot write %s", tmp);
    if (!commit(f, tmp, dir, "sweep.csv", err, errlen)) rc = 0;
  }
  if (rc == 0 && (f = open_tmp(dir, "sweep.jsonl", tmp, sizeof tmp, err, errlen))) {
    write_jsonl(f, plan, rows, keys, nk);
    rc = commit(f, tmp, dir, "sweep.jsonl", err, errlen);
  } else {
    rc = -1;
  }
  if (lfd >= 0) close(lfd);
  free(keys);
  return rc;
}
