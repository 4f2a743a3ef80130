/* json.c — fuzz target for soma's JSON reader (sim/json_read.c: meta.json, results.json, a
 * sweep's sweep.json and done.json) and what reads through it (a sweep point's done.json and
 * results.json, flattened into the table by sweep_row_load). Any text gives a value or a
 * message "... at line L, column C"; every string of a parsed value written back with
 * soma_json_str parses to the same bytes. Seeds: meta.json, results.json, sweep files. */
#include "app/sweep.h"
#include "sim/json.h"
#include "sim/json_read.h"
#include "tests/fuzz/fuzz.h"

#include <sys/stat.h>

/* writes s as JSON, parses it back and compares */
static void check_string(const char *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  FUZZ_ASSERT(f, "memstream");
  soma_json_str(f, s);
  fclose(f);
  char err[256];
  soma_json *v = soma_json_parse(buf, err, sizeof err);
  FUZZ_ASSERT(v && v->t == SOMA_JSON_STR, "own string unreadable: %s (%s)", buf, err);
  FUZZ_ASSERT(!strcmp(v->s, s), "string changed in a round trip");
  soma_json_free(v);
  free(buf);
}

static void walk(const soma_json *v, int depth) {
  FUZZ_ASSERT(depth <= 66, "deeper than the parser allows");
  switch (v->t) {
    case SOMA_JSON_NULL: FUZZ_ASSERT(v->n == 0, "null with items"); break;
    case SOMA_JSON_BOOL:
      FUZZ_ASSERT(!strcmp(v->s, "true") || !strcmp(v->s, "false"), "bool '%s'", v->s);
      break;
    case SOMA_JSON_NUM: FUZZ_ASSERT(v->s && v->s[0], "empty number"); break;
    case SOMA_JSON_STR: check_string(v->s); break;
    case SOMA_JSON_OBJ:
      for (int i = 0; i < v->n; i++) {
        check_string(v->keys[i]);
        FUZZ_ASSERT(soma_json_get(v, v->keys[i]) != NULL, "key not found");
        double d;
        soma_json_double(v, v->keys[i], &d);
        soma_json_text(v, v->keys[i]);
      }
      /* fall through */
    case SOMA_JSON_ARR:
      for (int i = 0; i < v->n; i++) walk(&v->items[i], depth + 1);
      break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  char err[512] = "";
  soma_json *v = soma_json_parse(text, err, sizeof err);
  if (v) walk(v, 0);
  else FUZZ_ASSERT(strstr(err, " at line ") || !strcmp(err, "out of memory"), "message: %s", err);
  soma_json_free(v);
  free(text);

  /* a sweep point whose done.json and results.json are these bytes */
  static char dir[512], pdir[600];
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "%s/sweep", fuzz_dir());
    snprintf(pdir, sizeof pdir, "%s/points", dir);
    mkdir(dir, 0755);
    mkdir(pdir, 0755);
    snprintf(pdir, sizeof pdir, "%s/points/p0000-seed=1", dir);
    mkdir(pdir, 0755);
  }
  char path[700];
  snprintf(path, sizeof path, "%s/done.json", pdir);
  FILE *f = fopen(path, "wb");
  FUZZ_ASSERT(f && (!size || fwrite(data, 1, size, f) == size) && !fclose(f), "write");
  snprintf(path, sizeof path, "%s/results.json", pdir);
  f = fopen(path, "wb");
  FUZZ_ASSERT(f && (!size || fwrite(data, 1, size, f) == size) && !fclose(f), "write");
  sweep_point pt = {0, "p0000-seed=1", 1, NULL};
  sweep_row row = {0};
  row.exit_code = -1;
  sweep_row_load(dir, &pt, &row, err, sizeof err);
  for (int i = 0; i + 1 < row.n; i++)
    FUZZ_ASSERT(sweep_key_cmp(row.keys[i], row.keys[i + 1]) <= 0, "cells not sorted");
  sweep_row_clear(&row);
  return 0;
}
