/* io.c — .npy and CSV files to and from matrices with column names (see io.h). The .npy
 * parsing itself is sim/npy.c's; this file converts every element type to double and checks
 * the shape. CSV is parsed line by line with positions kept for the messages. */
#include "io.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "joint/check.h"
#include "sim/npy.h"
#include "sim/soma.h"

/* ---- tables ---------------------------------------------------------------------------- */

static void free_names(char **names, size_t n) {
  if (!names) return;
  for (size_t j = 0; j < n; j++) free(names[j]);
  free(names);
}

static char **copy_names(const char *const *names, size_t n) {
  char **c = calloc(n ? n : 1, sizeof *c);
  if (!c) return NULL;
  for (size_t j = 0; j < n; j++)
    if (!(c[j] = strdup(names[j] ? names[j] : ""))) {
      free_names(c, n);
      return NULL;
    }
  return c;
}

joint_table *joint_table_make(gsl_matrix *data, const char *const *names) {
  joint_table *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  if (names && !(t->names = copy_names(names, data->size2))) {
    free(t);
    return NULL;
  }
  t->data = data;
  return t;
}

void joint_table_free(joint_table *t) {
  if (!t) return;
  if (t->data) free_names(t->names, t->data->size2);
  if (t->data) gsl_matrix_free(t->data);
  free(t);
}

int joint_table_find(const joint_table *t, const char *name) {
  if (!t || !t->names || !name) return -1;
  for (size_t j = 0; j < t->data->size2; j++)
    if (strcmp(t->names[j], name) == 0) return (int)j;
  return -1;
}

/* "a, b, c" (the first 20 names) into buf */
static void list_names(const joint_table *t, char *buf, size_t len) {
  size_t used = 0, n = t->names ? t->data->size2 : 0;
  buf[0] = 0;
  for (size_t j = 0; j < n && j < 20 && used + 1 < len; j++) {
    int w = snprintf(buf + used, len - used, "%s%s", j ? ", " : "", t->names[j]);
    if (w < 0) break;
    used += (size_t)w;
  }
  if (n > 20 && used + 1 < len) snprintf(buf + used, len - used, ", ... (%zu in all)", n);
  if (!n) snprintf(buf, len, "none: the table has no column names");
}

int joint_table_select(const joint_table *t, const char *const *names, size_t n,
                       joint_table **out, char *err, size_t errlen) {
  *out = NULL;
  if (!t || !names || n == 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM, "select columns: no columns asked for");
  size_t *idx = malloc(n * sizeof *idx);
  if (!idx) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "select columns: out of memory");
  for (size_t k = 0; k < n; k++) {
    int j = joint_table_find(t, names[k]);
    if (j < 0) {
      char list[600];
      list_names(t, list, sizeof list);
      free(idx);
      return joint_fail(err, errlen, SOMA_ERR_PARAM, "no column '%s' (the columns are: %s)",
                        names[k] ? names[k] : "(null)", list);
    }
    idx[k] = (size_t)j;
  }
  gsl_matrix *m = gsl_matrix_alloc(t->data->size1, n);
  joint_table *r = m ? joint_table_make(m, names) : NULL;
  if (!r) {
    if (m) gsl_matrix_free(m);
    free(idx);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "select columns: out of memory");
  }
  for (size_t i = 0; i < m->size1; i++)
    for (size_t k = 0; k < n; k++) gsl_matrix_set(m, i, k, gsl_matrix_get(t->data, i, idx[k]));
  free(idx);
  *out = r;
  return SOMA_OK;
}

/* ---- .npy ------------------------------------------------------------------------------ */

/* element k of a loaded array as a double */
static double element(const soma_npy_array *a, size_t k) {
  const char *d = a->descr;
  const unsigned char *p = (const unsigned char *)a->data + k * a->itemsize;
  switch (d[1]) {
    case 'f':
      if (a->itemsize == 8) {
        double v;
        memcpy(&v, p, 8);
        return v;
      } else {
        float v;
        memcpy(&v, p, 4);
        return v;
      }
    case 'i': {
      int64_t v = 0;
      if (a->itemsize == 1) v = (int8_t)p[0];
      else if (a->itemsize == 2) { int16_t w; memcpy(&w, p, 2); v = w; }
      else if (a->itemsize == 4) { int32_t w; memcpy(&w, p, 4); v = w; }
      else memcpy(&v, p, 8);
      return (double)v;
    }
    case 'u': {
      uint64_t v = 0;
      if (a->itemsize == 1) v = p[0];
      else if (a->itemsize == 2) { uint16_t w; memcpy(&w, p, 2); v = w; }
      else if (a->itemsize == 4) { uint32_t w; memcpy(&w, p, 4); v = w; }
      else memcpy(&v, p, 8);
      return (double)v;
    }
    default:   /* |b1 */
      return p[0] ? 1.0 : 0.0;
  }
}

int joint_npy_read(const char *path, gsl_matrix **out, char *err, size_t errlen) {
  *out = NULL;
  soma_npy_array a;
  char msg[512];
  if (soma_npy_load(path, &a, msg, sizeof msg))
    return joint_fail(err, errlen, SOMA_ERR_IO, "%s", msg);
  int rc = SOMA_OK;
  size_t rows = a.ndim >= 1 ? a.shape[0] : 0, cols = a.ndim == 2 ? a.shape[1] : 1;
  if (a.ndim == 0)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "%s: a 0-d array (one number); need 1-D (n) or 2-D (n, columns)", path);
  else if (a.ndim > 2)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM,
                    "%s: a %d-D array; need 1-D (n) or 2-D (n, columns): reshape it first",
                    path, a.ndim);
  else if (rows == 0 || cols == 0) {
    char shape[64];
    if (a.ndim == 1) snprintf(shape, sizeof shape, "(%zu,)", rows);
    else snprintf(shape, sizeof shape, "(%zu, %zu)", rows, cols);
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: empty array (shape %s): no %s", path, shape,
                    rows == 0 ? "rows" : "columns");
  }
  if (rc) {
    soma_npy_free(&a);
    return rc;
  }
  gsl_matrix *m = gsl_matrix_alloc(rows, cols);
  if (!m) {
    soma_npy_free(&a);
    return joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory", path);
  }
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) gsl_matrix_set(m, i, j, element(&a, i * cols + j));
  soma_npy_free(&a);
  *out = m;
  return SOMA_OK;
}

int joint_npy_write(const char *path, const gsl_matrix *m, const char *descr, char *err,
                    size_t errlen) {
  if (!descr) descr = "<f8";
  int f32 = strcmp(descr, "<f4") == 0;
  if (!f32 && strcmp(descr, "<f8") != 0)
    return joint_fail(err, errlen, SOMA_ERR_PARAM,
                      "%s: can write \"<f8\" or \"<f4\", not \"%s\"", path, descr);
  if (!m) return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: no matrix to write", path);
  soma_npy_writer w;
  float *row = f32 ? malloc(m->size2 * sizeof *row) : NULL;
  if (f32 && !row) return joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory", path);
  int bad = soma_npy_begin(&w, path, descr, m->size2);
  if (bad) {
    free(row);
    return joint_fail(err, errlen, SOMA_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  }
  for (size_t i = 0; i < m->size1 && !bad; i++) {
    const double *src = m->data + i * m->tda;
    if (f32) {
      for (size_t j = 0; j < m->size2; j++) row[j] = (float)src[j];
      bad = soma_npy_append(&w, row, 1);
    } else {
      bad = soma_npy_append(&w, src, 1);
    }
  }
  int e = errno;
  if (soma_npy_end(&w)) bad = 1, e = errno;
  free(row);
  if (bad) {
    remove(path);
    return joint_fail(err, errlen, SOMA_ERR_IO, "%s: cannot write: %s", path, strerror(e));
  }
  return SOMA_OK;
}

/* ---- CSV ------------------------------------------------------------------------------- */

typedef struct field {
  char *text;   /* unquoted, trimmed */
  size_t col;   /* 1-based column of the field's first character */
} field;

typedef struct fields {
  field *f;
  size_t n, cap;
  char *buf;    /* the unquoted texts, one after another */
} fields;

/* Splits line (without its line end) at commas outside double quotes. Returns 0, or -1 with
 * *col at an unterminated quote or text after a closing quote, or -2 when out of memory. */
static int split(const char *line, size_t len, fields *fs, size_t *col) {
  fs->n = 0;
  free(fs->buf);
  if (!(fs->buf = malloc(len + 1))) return -2;
  char *o = fs->buf;
  size_t i = 0;
  for (;;) {
    while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
    if (fs->n == fs->cap) {
      size_t cap = fs->cap ? fs->cap * 2 : 16;
      field *g = realloc(fs->f, cap * sizeof *g);
      if (!g) return -2;
      fs->f = g, fs->cap = cap;
    }
    field *f = &fs->f[fs->n++];
    f->text = o;
    f->col = i + 1;
    if (i < len && line[i] == '"') {
      i++;
      for (;;) {
        if (i >= len) {
          *col = f->col;
          return -1;
        }
        if (line[i] == '"') {
          if (i + 1 < len && line[i + 1] == '"') {
            *o++ = '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        *o++ = line[i++];
      }
      while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
      if (i < len && line[i] != ',') {
        *col = i + 1;
        return -1;
      }
    } else {
      char *start = o;
      while (i < len && line[i] != ',') *o++ = line[i++];
      while (o > start && (o[-1] == ' ' || o[-1] == '\t')) o--;
    }
    *o++ = 0;
    if (i >= len) return 0;
    i++;   /* the comma */
  }
}

/* 1 when s is a number strtod reads whole (nan and inf included) */
static int number(const char *s, double *v) {
  if (!*s) return 0;
  char *end;
  *v = strtod(s, &end);
  return *end == 0;
}

/* 1 when some field is empty */
static int any_empty(const fields *fs) {
  for (size_t k = 0; k < fs->n; k++)
    if (!fs->f[k].text[0]) return 1;
  return 0;
}

/* 1 when no field holds text other than a number (empty fields aside): not a header */
static int all_numbers(const fields *fs) {
  double v;
  for (size_t k = 0; k < fs->n; k++)
    if (fs->f[k].text[0] && !number(fs->f[k].text, &v)) return 0;
  return 1;
}

typedef struct csv_state {
  const char *path;
  char *err;
  size_t errlen;
  char **names;        /* header names, or NULL */
  char **hash_names;   /* a "# a,b" line seen before any data, a header candidate */
  size_t n_hash;
  size_t cols;         /* fields per row, once known (0 before) */
  int cols_from_header;
  double *vals;
  size_t rows, cap;
} csv_state;

static char **names_of(const fields *fs) {
  char **n = calloc(fs->n, sizeof *n);
  if (!n) return NULL;
  for (size_t k = 0; k < fs->n; k++)
    if (!(n[k] = strdup(fs->f[k].text))) {
      free_names(n, fs->n);
      return NULL;
    }
  return n;
}

/* one line (no line end) numbered lineno; returns SOMA_OK or a code with the message set */
static int csv_line(csv_state *st, const char *line, size_t len, size_t lineno, fields *fs) {
  size_t i = 0, col = 0;
  const char *nul = memchr(line, 0, len);
  if (nul)
    return joint_fail(st->err, st->errlen, SOMA_ERR_PARAM,
                      "%s:%zu:%zu: a NUL byte: not a text file", st->path, lineno,
                      (size_t)(nul - line) + 1);
  while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
  if (i == len) return SOMA_OK;   /* blank */
  int hash = line[i] == '#';
  if (hash && (st->names || st->cols)) return SOMA_OK;   /* a comment */
  if (hash) {
    i++;
    while (i < len && line[i] == ' ') i++;
  }
  int s = split(line + i, len - i, fs, &col);
  if (s == -2)
    return joint_fail(st->err, st->errlen, SOMA_ERR_NOMEM, "%s: out of memory", st->path);
  if (hash) {   /* numpy.savetxt's header, if the rows that follow have as many fields (and
                   no name is empty: "# x," is a comment, as a header line cannot be one) */
    if (s == 0 && !all_numbers(fs) && !any_empty(fs) && !st->hash_names) {
      st->hash_names = names_of(fs);
      st->n_hash = fs->n;
      if (!st->hash_names)
        return joint_fail(st->err, st->errlen, SOMA_ERR_NOMEM, "%s: out of memory", st->path);
    }
    return SOMA_OK;
  }
  if (s == -1)
    return joint_fail(st->err, st->errlen, SOMA_ERR_PARAM,
                      "%s:%zu:%zu: a quoted field must end with a quote before the next comma",
                      st->path, lineno, col + i);
  for (size_t k = 0; k < fs->n; k++) fs->f[k].col += i;
  if (!st->names && !st->cols && !all_numbers(fs)) {   /* the header */
    for (size_t k = 0; k < fs->n; k++)
      if (!fs->f[k].text[0])
        return joint_fail(st->err, st->errlen, SOMA_ERR_PARAM,
                          "%s:%zu:%zu: empty column name in the header", st->path, lineno,
                          fs->f[k].col);
    if (!(st->names = names_of(fs)))
      return joint_fail(st->err, st->errlen, SOMA_ERR_NOMEM, "%s: out of memory", st->path);
    st->cols = fs->n;
    st->cols_from_header = 1;
    return SOMA_OK;
  }
  if (!st->cols) {   /* the first row of numbers */
    st->cols = fs->n;
    if (st->hash_names && st->n_hash == fs->n) {
      st->names = st->hash_names;
      st->hash_names = NULL;
      st->cols_from_header = 1;
    }
  }
  if (fs->n != st->cols) {
    size_t at = fs->n > st->cols ? fs->f[st->cols].col : len + 1;
    return joint_fail(st->err, st->errlen, SOMA_ERR_PARAM,
                      "%s:%zu:%zu: %zu field%s, but %s has %zu", st->path, lineno, at, fs->n,
                      fs->n == 1 ? "" : "s", st->cols_from_header ? "the header" : "the first row",
                      st->cols);
  }
  if (st->rows == st->cap) {
    size_t cap = st->cap ? st->cap * 2 : 256;
    double *g = realloc(st->vals, cap * st->cols * sizeof *g);
    if (!g) return joint_fail(st->err, st->errlen, SOMA_ERR_NOMEM, "%s: out of memory", st->path);
    st->vals = g, st->cap = cap;
  }
  double *row = st->vals + st->rows * st->cols;
  for (size_t k = 0; k < fs->n; k++) {
    const field *f = &fs->f[k];
    if (!f->text[0])
      return joint_fail(st->err, st->errlen, SOMA_ERR_PARAM,
                        "%s:%zu:%zu: empty field (write nan for a missing value)", st->path,
                        lineno, f->col);
    if (!number(f->text, &row[k]))
      return joint_fail(st->err, st->errlen, SOMA_ERR_PARAM, "%s:%zu:%zu: '%.40s' is not a number",
                        st->path, lineno, f->col, f->text);
  }
  st->rows++;
  return SOMA_OK;
}

int joint_csv_read(const char *path, joint_table **out, char *err, size_t errlen) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return joint_fail(err, errlen, SOMA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  csv_state st = {.path = path, .err = err, .errlen = errlen};
  fields fs = {0};
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t got;
  int rc = SOMA_OK;
  while (rc == SOMA_OK && (got = getline(&line, &cap, f)) >= 0) {
    lineno++;
    size_t len = (size_t)got;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    rc = csv_line(&st, line, len, lineno, &fs);
  }
  if (rc == SOMA_OK && ferror(f))
    rc = joint_fail(err, errlen, SOMA_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
  fclose(f);
  free(line);
  free(fs.f);
  free(fs.buf);
  free_names(st.hash_names, st.n_hash);
  if (rc == SOMA_OK && st.rows == 0)
    rc = joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: %s", path,
                    st.names ? "a header but no rows of numbers" : "empty file (no rows)");
  gsl_matrix *m = NULL;
  if (rc == SOMA_OK && !(m = gsl_matrix_alloc(st.rows, st.cols)))
    rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory", path);
  if (rc == SOMA_OK) {
    memcpy(m->data, st.vals, st.rows * st.cols * sizeof *st.vals);
    joint_table *t = calloc(1, sizeof *t);
    if (!t) {
      gsl_matrix_free(m);
      rc = joint_fail(err, errlen, SOMA_ERR_NOMEM, "%s: out of memory", path);
    } else {
      t->data = m;
      t->names = st.names;
      st.names = NULL;
      *out = t;
    }
  }
  free_names(st.names, st.cols);
  free(st.vals);
  return rc;
}

/* a header name, quoted when it needs to be */
static void put_name(FILE *f, const char *s) {
  size_t n = strlen(s);
  int padded = n && (strchr(" \t", s[0]) || strchr(" \t", s[n - 1]));   /* read trims them */
  if (!strpbrk(s, ",\"\n\r") && !padded && s[0] != '#') {
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

int joint_csv_write(const char *path, const gsl_matrix *m, const char *const *names,
                    char *err, size_t errlen) {
  if (!m) return joint_fail(err, errlen, SOMA_ERR_PARAM, "%s: no matrix to write", path);
  FILE *f = fopen(path, "w");
  if (!f)
    return joint_fail(err, errlen, SOMA_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  for (size_t j = 0; j < m->size2; j++) {
    if (j) fputc(',', f);
    if (names) put_name(f, names[j] ? names[j] : "");
    else fprintf(f, "c%zu", j);
  }
  fputc('\n', f);
  for (size_t i = 0; i < m->size1; i++) {
    for (size_t j = 0; j < m->size2; j++) {
      double v = gsl_matrix_get(m, i, j);
      if (j) fputc(',', f);
      if (isnan(v)) fputs("nan", f);
      else if (isinf(v)) fputs(v > 0 ? "inf" : "-inf", f);
      else fprintf(f, "%.17g", v);
    }
    fputc('\n', f);
  }
  int bad = ferror(f);
  int e = errno;
  if (fclose(f) != 0 && !bad) bad = 1, e = errno;
  if (bad) {
    remove(path);
    return joint_fail(err, errlen, SOMA_ERR_IO, "%s: cannot write: %s", path, strerror(e));
  }
  return SOMA_OK;
}
