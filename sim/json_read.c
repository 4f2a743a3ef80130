/* json_read.c — a small JSON reader for the files soma reads back: a sweep's sweep.json,
 * done.json, meta.json and results.json, and the run directories the joint models read.
 * Numbers keep their text, so a value is copied exactly as the run wrote it. */
#include "json_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
  const char *p, *start;
  char *err;
  size_t errlen;
  int failed;
} parser;

static void fail(parser *ps, const char *what) {
  if (!ps->failed) {
    long line = 1, col = 1;
    for (const char *q = ps->start; q < ps->p && *q; q++) {
      if (*q == '\n') line++, col = 1;
      else col++;
    }
    snprintf(ps->err, ps->errlen, "%s at line %ld, column %ld", what, line, col);
  }
  ps->failed = 1;
}

static void ws(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

static void put_utf8(char **o, unsigned c) {
  char *q = *o;
  if (c < 0x80) {
    *q++ = (char)c;
  } else if (c < 0x800) {
    *q++ = (char)(0xc0 | (c >> 6));
    *q++ = (char)(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    *q++ = (char)(0xe0 | (c >> 12));
    *q++ = (char)(0x80 | ((c >> 6) & 0x3f));
    *q++ = (char)(0x80 | (c & 0x3f));
  } else {
    *q++ = (char)(0xf0 | (c >> 18));
    *q++ = (char)(0x80 | ((c >> 12) & 0x3f));
    *q++ = (char)(0x80 | ((c >> 6) & 0x3f));
    *q++ = (char)(0x80 | (c & 0x3f));
  }
  *o = q;
}

static int hex4(const char *s, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return -1;
  }
  *out = v;
  return 0;
}

/* a string at ps->p (on its opening quote), unescaped into a malloc'd buffer */
static char *string(parser *ps) {
  const char *q = ps->p + 1;
  size_t n = 0;
  while (*q && *q != '"') {
    if (*q == '\\' && q[1]) q++;
    q++;
    n++;
  }
  if (*q != '"') {
    fail(ps, "unterminated string");
    return NULL;
  }
  char *out = malloc(n * 4 + 1), *o = out;
  if (!out) {
    fail(ps, "out of memory");
    return NULL;
  }
  const char *p = ps->p + 1;
  while (*p != '"') {
    if (*p != '\\') {
      *o++ = *p++;
      continue;
    }
    p++;
    switch (*p) {
      case 'n': *o++ = '\n'; break;
      case 't': *o++ = '\t'; break;
      case 'r': *o++ = '\r'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'u': {
        unsigned c;
        if (hex4(p + 1, &c)) {
          free(out);
          ps->p = p;
          fail(ps, "bad \\u escape");
          return NULL;
        }
        p += 4;
        if (c >= 0xd800 && c < 0xdc00 && p[1] == '\\' && p[2] == 'u') {
          unsigned lo;
          if (!hex4(p + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
            p += 6;
          }
        }
        put_utf8(&o, c);
        break;
      }
      default: *o++ = *p; break;   /* \" \\ \/ */
    }
    p++;
  }
  *o = 0;
  ps->p = p + 1;
  return out;
}

static int digits(const char **q) {
  const char *p = *q;
  while (**q >= '0' && **q <= '9') (*q)++;
  return *q > p;
}

/* The end of the number at p (JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
 * or NULL when it is not one ("-", "1.", "01", "1e", "1.2.3" as far as it goes). */
static const char *number_end(const char *p) {
  if (*p == '-') p++;
  if (*p == '0') p++;
  else if (!digits(&p)) return NULL;
  if (*p == '.') {
    p++;
    if (!digits(&p)) return NULL;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!digits(&p)) return NULL;
  }
  return strchr("0123456789.eE+-", *p) && *p ? NULL : p;
}

static int value(parser *ps, soma_json *v, int depth);

static int push(parser *ps, soma_json *v, char *key) {
  if (v->n == 0 || (v->n >= 4 && (v->n & (v->n - 1)) == 0)) {   /* capacity 4, 8, 16, ... */
    size_t cap = v->n ? (size_t)v->n * 2 : 4;
    soma_json *items = realloc(v->items, cap * sizeof *items);
    char **keys = v->t == SOMA_JSON_OBJ ? realloc(v->keys, cap * sizeof *keys) : NULL;
    if (items) v->items = items;
    if (keys) v->keys = keys;
    if (!items || (v->t == SOMA_JSON_OBJ && !keys)) {
      free(key);
      fail(ps, "out of memory");
      return -1;
    }
  }
  memset(&v->items[v->n], 0, sizeof v->items[0]);
  if (v->t == SOMA_JSON_OBJ) v->keys[v->n] = key;
  v->n++;
  return 0;
}

static int value(parser *ps, soma_json *v, int depth) {
  memset(v, 0, sizeof *v);
  ws(ps);
  if (depth > 64) {
    fail(ps, "nesting too deep");
    return -1;
  }
  char c = *ps->p;
  if (c == '{' || c == '[') {
    v->t = c == '{' ? SOMA_JSON_OBJ : SOMA_JSON_ARR;
    char close = c == '{' ? '}' : ']';
    ps->p++;
    ws(ps);
    if (*ps->p == close) {
      ps->p++;
      return 0;
    }
    for (;;) {
      char *key = NULL;
      if (v->t == SOMA_JSON_OBJ) {
        ws(ps);
        if (*ps->p != '"') {
          fail(ps, "expected a key");
          return -1;
        }
        if (!(key = string(ps))) return -1;
        ws(ps);
        if (*ps->p != ':') {
          free(key);
          fail(ps, "expected ':'");
          return -1;
        }
        ps->p++;
      }
      if (push(ps, v, key)) return -1;
      if (value(ps, &v->items[v->n - 1], depth + 1)) return -1;
      ws(ps);
      if (*ps->p == ',') {
        ps->p++;
        continue;
      }
      if (*ps->p == close) {
        ps->p++;
        return 0;
      }
      fail(ps, "expected ',' or a closing bracket");
      return -1;
    }
  }
  if (c == '"') {
    v->t = SOMA_JSON_STR;
    return (v->s = string(ps)) ? 0 : -1;
  }
  if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
    v->t = SOMA_JSON_BOOL;
    v->s = strdup(c == 't' ? "true" : "false");
    ps->p += c == 't' ? 4 : 5;
    return v->s ? 0 : -1;
  }
  if (!strncmp(ps->p, "null", 4)) {
    v->t = SOMA_JSON_NULL;
    ps->p += 4;
    return 0;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    const char *q = number_end(ps->p);
    if (!q) {
      fail(ps, "bad number");
      return -1;
    }
    v->t = SOMA_JSON_NUM;
    v->s = strndup(ps->p, (size_t)(q - ps->p));
    ps->p = q;
    return v->s ? 0 : -1;
  }
  fail(ps, *ps->p ? "unexpected character" : "unexpected end");
  return -1;
}

static void clear(soma_json *v) {
  free(v->s);
  for (int i = 0; i < v->n; i++) {
    clear(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
}

void soma_json_free(soma_json *v) {
  if (!v) return;
  clear(v);
  free(v);
}

soma_json *soma_json_parse(const char *text, char *err, size_t errlen) {
  parser ps = {text, text, err, errlen, 0};
  soma_json *v = calloc(1, sizeof *v);
  if (!v) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (value(&ps, v, 0) == 0) {
    ws(&ps);
    if (*ps.p) fail(&ps, "text after the value");
  }
  if (ps.failed) {
    soma_json_free(v);
    return NULL;
  }
  return v;
}

soma_json *soma_json_load(const char *path, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
    return NULL;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 + 1 > cap) {
      cap = cap ? cap * 2 : 16384;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(f);
        snprintf(err, errlen, "out of memory reading %s", path);
        return NULL;
      }
      buf = nb;
    }
    size_t got = fread(buf + len, 1, cap - len - 1, f);
    len += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    snprintf(err, errlen, "cannot read %s", path);
    return NULL;
  }
  buf[len] = 0;
  const char *nul = memchr(buf, 0, len);
  if (nul) {   /* the text would end there without a word */
    snprintf(err, errlen, "%s: not valid JSON (a NUL byte at offset %zu: a damaged or binary "
             "file)", path, (size_t)(nul - buf));
    free(buf);
    return NULL;
  }
  char perr[256];
  soma_json *v = soma_json_parse(buf, perr, sizeof perr);
  free(buf);
  if (!v) snprintf(err, errlen, "%s: not valid JSON (%s)", path, perr);
  return v;
}

const soma_json *soma_json_get(const soma_json *o, const char *key) {
  if (!o || o->t != SOMA_JSON_OBJ) return NULL;
  for (int i = 0; i < o->n; i++)
    if (!strcmp(o->keys[i], key)) return &o->items[i];
  return NULL;
}

const char *soma_json_text(const soma_json *o, const char *key) {
  const soma_json *v = soma_json_get(o, key);
  if (!v || (v->t != SOMA_JSON_STR && v->t != SOMA_JSON_NUM && v->t != SOMA_JSON_BOOL))
    return NULL;
  return v->s;
}

int soma_json_double(const soma_json *o, const char *key, double *out) {
  const soma_json *v = soma_json_get(o, key);
  if (!v || v->t != SOMA_JSON_NUM) return -1;
  char *end;
  double d = strtod(v->s, &end);
  if (end == v->s || *end) return -1;
  *out = d;
  return 0;
}
