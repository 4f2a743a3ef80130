/* npy.c — writing and reading NumPy .npy files. The header is written at a fixed size of 128
 * bytes so a stream can patch its final shape in place without moving the data (also after a
 * failed write, when the file is cut to its whole rows). */
#include "npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_BYTES 128

static size_t item_size(const char *descr) {
  static const struct { const char *d; size_t n; } types[] = {
    {"<f8", 8}, {"<f4", 4}, {"<i4", 4}, {"<i8", 8}, {"|u1", 1}, {"<u4", 4}, {"<u8", 8}, {"|i1", 1},
    {"<i2", 2}, {"<u2", 2}, {"|b1", 1},
  };
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (strcmp(descr, types[i].d) == 0) return types[i].n;
  return 0;
}

/* The 128-byte header of a C-ordered array of rows x cols (cols 0: 1-D). 0, or -1 (EOVERFLOW). */
static int make_header(unsigned char head[HEADER_BYTES], const char *descr, size_t rows,
                       size_t cols) {
  char dict[HEADER_BYTES];
  int n = cols ? snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu, %zu), }",
                          descr, rows, cols)
               : snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }",
                          descr, rows);
  if (n < 0 || n > HEADER_BYTES - 11) {
    errno = EOVERFLOW;
    return -1;
  }
  memcpy(head, "\x93NUMPY\x01\x00", 8);
  uint16_t len = HEADER_BYTES - 10;
  head[8] = (unsigned char)(len & 0xff);
  head[9] = (unsigned char)(len >> 8);
  memset(head + 10, ' ', HEADER_BYTES - 10);
  memcpy(head + 10, dict, (size_t)n);
  head[HEADER_BYTES - 1] = '\n';
  return 0;
}

static int write_header(FILE *f, const char *descr, size_t rows, size_t cols) {
  unsigned char head[HEADER_BYTES];
  if (make_header(head, descr, rows, cols)) return -1;
  if (fseek(f, 0, SEEK_SET) != 0) return -1;
  return fwrite(head, 1, HEADER_BYTES, f) == HEADER_BYTES ? 0 : -1;
}

int soma_npy_begin(soma_npy_writer *w, const char *path, const char *descr, size_t cols) {
  memset(w, 0, sizeof *w);
  w->itemsize = item_size(descr);
  if (!w->itemsize) {
    errno = EINVAL;
    return -1;
  }
  snprintf(w->descr, sizeof w->descr, "%s", descr);
  w->cols = cols;
  w->f = fopen(path, "w+b");
  if (!w->f) return -1;
  if (write_header(w->f, descr, 0, cols)) {
    int e = errno;
    fclose(w->f);
    w->f = NULL;
    errno = e;
    return -1;
  }
  return 0;
}

static int stream_failed(soma_npy_writer *w) {
  if (!w->failed) {
    w->failed = 1;
    w->err = errno ? errno : EIO;
  }
  errno = w->err;
  return -1;
}

int soma_npy_append(soma_npy_writer *w, const void *data, size_t rows) {
  if (w->failed) return stream_failed(w);
  size_t n = rows * (w->cols ? w->cols : 1);
  if (n && fwrite(data, w->itemsize, n, w->f) != n) return stream_failed(w);
  w->rows += rows;
  return 0;
}

int soma_npy_flush(soma_npy_writer *w) {
  if (w->failed) return stream_failed(w);
  if (w->f && fflush(w->f) != 0) return stream_failed(w);
  return 0;
}

size_t soma_npy_kept(soma_npy_writer *w) {
  if (!w->f || !w->failed) return w->rows;
  __fpurge(w->f);   /* what stdio could not write stays unwritten */
  struct stat st;
  size_t row = w->itemsize * (w->cols ? w->cols : 1);
  if (fstat(fileno(w->f), &st) != 0 || st.st_size < HEADER_BYTES) return 0;
  size_t rows = ((size_t)st.st_size - HEADER_BYTES) / row;
  return rows < w->rows ? rows : w->rows;
}

/* After a failure: cut the file after its last whole row and patch the header in place
 * (its block is already on disk, so this needs no space). */
static int salvage(soma_npy_writer *w, size_t rows) {
  size_t kept = soma_npy_kept(w);
  if (rows > kept) rows = kept;
  int fd = fileno(w->f);
  size_t row = w->itemsize * (w->cols ? w->cols : 1);
  unsigned char head[HEADER_BYTES];
  if (make_header(head, w->descr, rows, w->cols)) return -1;
  if (ftruncate(fd, (off_t)(HEADER_BYTES + rows * row)) != 0) return -1;
  if (pwrite(fd, head, HEADER_BYTES, 0) != HEADER_BYTES) return -1;
  w->rows = rows;
  return 0;
}

int soma_npy_end_at(soma_npy_writer *w, size_t rows) {
  if (!w->f) return w->failed ? stream_failed(w) : 0;
  if (!w->failed && fflush(w->f) != 0) stream_failed(w);
  if (!w->failed) {   /* every row is on disk: the final shape, or a shorter one */
    if (rows >= w->rows ? write_header(w->f, w->descr, w->rows, w->cols) != 0
                        : salvage(w, rows) != 0)
      stream_failed(w);
  }
  int rc = 0;
  if (w->failed) {
    salvage(w, rows);
    rc = -1;
  }
  if (fclose(w->f) != 0 && !rc) rc = stream_failed(w);
  w->f = NULL;
  if (rc) errno = w->err;
  return rc;
}

int soma_npy_end(soma_npy_writer *w) { return soma_npy_end_at(w, (size_t)-1); }

int soma_npy_save(const char *path, const char *descr, size_t rows, size_t cols, const void *data) {
  char tmp[4200];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  soma_npy_writer w;
  if (soma_npy_begin(&w, tmp, descr, cols)) return -1;
  int rc = soma_npy_append(&w, data, rows);
  rc |= soma_npy_end(&w);
  if (rc == 0 && rename(tmp, path) == 0) return 0;
  int e = errno;
  remove(tmp);
  errno = e;
  return -1;
}

/* ---- reading ------------------------------------------------------------------------- */

static int fail(char *err, size_t len, const char *path, const char *what) {
  if (err && len) snprintf(err, len, "%s: %s", path, what);
  return -1;
}

/* Finds 'key': in the header dict and returns a pointer just after the colon and spaces. */
static const char *find_key(const char *dict, const char *key) {
  char pat[32];
  snprintf(pat, sizeof pat, "'%s'", key);
  const char *p = strstr(dict, pat);
  if (!p) return NULL;
  p += strlen(pat);
  while (*p == ' ') p++;
  if (*p != ':') return NULL;
  p++;
  while (*p == ' ') p++;
  return p;
}

int soma_npy_load(const char *path, soma_npy_array *a, char *err, size_t errlen) {
  memset(a, 0, sizeof *a);
  FILE *f = fopen(path, "rb");
  if (!f) {
    char m[256];
    snprintf(m, sizeof m, "cannot open: %s", strerror(errno));
    return fail(err, errlen, path, m);
  }
  unsigned char pre[12];
  int rc = -1;
  char *dict = NULL;
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
    fail(err, errlen, path, "not a .npy file (bad magic)");
    goto out;
  }
  size_t hlen;
  if (pre[6] == 1) {
    hlen = pre[8] | (size_t)pre[9] << 8;
  } else if (pre[6] == 2 || pre[6] == 3) {
    if (fread(pre + 10, 1, 2, f) != 2) {
      fail(err, errlen, path, "truncated header");
      goto out;
    }
    hlen = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
  } else {
    fail(err, errlen, path, "unsupported .npy version");
    goto out;
  }
  if (hlen > 65536) {
    fail(err, errlen, path, "header too long");
    goto out;
  }
  dict = malloc(hlen + 1);
  if (!dict || fread(dict, 1, hlen, f) != hlen) {
    fail(err, errlen, path, "truncated header");
    goto out;
  }
  dict[hlen] = 0;
  if (memchr(dict, 0, hlen)) {
    fail(err, errlen, path, "header holds a NUL byte");
    goto out;
  }
  const char *p = find_key(dict, "descr");
  if (!p || *p != '\'' || !strchr(p + 1, '\'') || strchr(p + 1, '\'') - (p + 1) >= 8) {
    fail(err, errlen, path, "header has no valid 'descr'");
    goto out;
  }
  size_t dl = (size_t)(strchr(p + 1, '\'') - (p + 1));
  memcpy(a->descr, p + 1, dl);
  a->descr[dl] = 0;
  if (!item_size(a->descr)) {
    char m[160];
    snprintf(m, sizeof m, "unsupported element type '%s' (need little-endian numbers%s)",
             a->descr, a->descr[0] == '>' ? "; this one is big-endian: save a.astype('<f8')" : "");
    fail(err, errlen, path, m);
    goto out;
  }
  a->itemsize = item_size(a->descr);
  p = find_key(dict, "fortran_order");
  if (!p || strncmp(p, "False", 5) != 0) {
    fail(err, errlen, path, "only C-ordered arrays are supported (fortran_order must be False; "
                            "save np.ascontiguousarray(a))");
    goto out;
  }
  p = find_key(dict, "shape");
  if (!p || *p != '(') {
    fail(err, errlen, path, "header has no valid 'shape'");
    goto out;
  }
  p++;
  a->count = 1;
  for (;;) {
    while (*p == ' ') p++;
    if (*p == ')') break;
    if (*p < '0' || *p > '9' || a->ndim == 4) {
      fail(err, errlen, path, "bad 'shape' (up to 4 non-negative dimensions)");
      goto out;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, 10);
    if (errno || v > ((size_t)1 << 40)) {
      fail(err, errlen, path, "a dimension is too large");
      goto out;
    }
    a->shape[a->ndim++] = (size_t)v;
    if (v && a->count > ((size_t)1 << 40) / v) {
      fail(err, errlen, path, "the array is too large");
      goto out;
    }
    a->count *= (size_t)v;
    p = end;
    while (*p == ' ') p++;
    if (*p == ',') p++;
    else if (*p != ')') {
      fail(err, errlen, path, "bad 'shape'");
      goto out;
    }
  }
  size_t bytes = a->count * a->itemsize;
  /* the file must hold that much before it is allocated: a damaged header must not ask for
   * terabytes (regular files only; a pipe is read as it comes) */
  struct stat st;
  long here = ftell(f);
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && here >= 0 &&
      (uint64_t)st.st_size - (uint64_t)here < bytes) {
    fail(err, errlen, path, "truncated data (file shorter than its shape says)");
    goto out;
  }
  a->data = malloc(bytes ? bytes : 1);
  if (!a->data) {
    fail(err, errlen, path, "out of memory");
    goto out;
  }
  if (fread(a->data, 1, bytes, f) != bytes) {
    fail(err, errlen, path, "truncated data (file shorter than its shape says)");
    goto out;
  }
  if (fgetc(f) != EOF) {
    fail(err, errlen, path, "trailing bytes after the data (file longer than its shape says)");
    goto out;
  }
  rc = 0;
out:
  free(dict);
  fclose(f);
  if (rc) soma_npy_free(a);
  return rc;
}

void soma_npy_free(soma_npy_array *a) {
  free(a->data);
  a->data = NULL;
}
