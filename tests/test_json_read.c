/* test_json_read.c — the JSON reader (sim/json_read.c): values of every type, escapes and
 * UTF-8, numbers kept as text and read as doubles, lookups, and syntax errors with their line
 * and column. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sim/json_read.h"

TEST(values_and_lookups) {
  char err[200] = "";
  soma_json *j = soma_json_parse(
      "{\"a\": 1.50, \"s\": \"x\\ty \\u00e9\\ud83d\\ude00\", \"b\": true, \"z\": null,\n"
      " \"l\": [1, [2], {}], \"e\": -3e2}", err, sizeof err);
  REQUIRE(j);
  CHECK(j->t == SOMA_JSON_OBJ && j->n == 6);
  CHECK(strcmp(soma_json_text(j, "a"), "1.50") == 0);   /* the text as written */
  double d = 0;
  CHECK(soma_json_double(j, "a", &d) == 0 && d == 1.5);
  CHECK(soma_json_double(j, "e", &d) == 0 && d == -300);
  CHECK(soma_json_double(j, "s", &d) == -1 && d == -300);  /* a string: untouched */
  CHECK(soma_json_double(j, "z", &d) == -1);
  CHECK(soma_json_double(j, "missing", &d) == -1);
  CHECK(strcmp(soma_json_text(j, "s"), "x\ty \xc3\xa9\xf0\x9f\x98\x80") == 0);
  CHECK(strcmp(soma_json_text(j, "b"), "true") == 0);
  CHECK(soma_json_text(j, "z") == NULL && soma_json_get(j, "z")->t == SOMA_JSON_NULL);
  const soma_json *l = soma_json_get(j, "l");
  CHECK(l && l->t == SOMA_JSON_ARR && l->n == 3 && l->items[1].t == SOMA_JSON_ARR &&
        l->items[2].t == SOMA_JSON_OBJ && l->items[2].n == 0);
  CHECK(soma_json_get(l, "a") == NULL);   /* not an object */
  CHECK(soma_json_get(NULL, "a") == NULL);
  soma_json_free(j);
  soma_json_free(NULL);
}

TEST(syntax_errors_say_where) {
  static const struct { const char *text, *expect; } cases[] = {
    {"{\"a\": 1,\n \"b\" 2}", "expected ':' at line 2, column 6"},
    {"[1, 2", "expected ',' or a closing bracket at line 1, column 6"},
    {"{\"a\": \"open", "unterminated string at line 1, column 7"},
    {"[1] 2", "text after the value at line 1, column 5"},
    {"", "unexpected end at line 1, column 1"},
    {"{\"a\": @}", "unexpected character at line 1, column 7"},
    /* numbers follow JSON's grammar (these were kept as text before: found by tests/fuzz/json.c) */
    {"[-]", "bad number at line 1, column 2"},
    {"[1.]", "bad number at line 1, column 2"},
    {"[01]", "bad number at line 1, column 2"},
    {"{\"a\": 1e}", "bad number at line 1, column 7"},
    {"[1.2.3]", "bad number at line 1, column 2"},
    {"[2-1]", "bad number at line 1, column 2"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char err[200] = "";
    soma_json *j = soma_json_parse(cases[k].text, err, sizeof err);
    CHECK_MSG(j == NULL && strcmp(err, cases[k].expect) == 0, "%s: got \"%s\"", cases[k].expect,
              err);
    soma_json_free(j);
  }
  char err[300] = "";
  CHECK(soma_json_load("/nonexistent/meta.json", err, sizeof err) == NULL);
  CHECK_MSG(strstr(err, "cannot open /nonexistent/meta.json") != NULL, "%s", err);
  /* a file with a NUL byte: the text would have ended there ("{}\0garbage" read as {}) */
  char path[] = "/tmp/soma_json_nul_XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "{}\0{\"x\"", 7) == 7);
  close(fd);
  CHECK(soma_json_load(path, err, sizeof err) == NULL);
  CHECK_MSG(strstr(err, "a NUL byte at offset 2"), "%s", err);
  unlink(path);
  /* good numbers */
  soma_json *j = soma_json_parse("[0, -0, 0.5, -1.25e+3, 1E-2, 10]", err, sizeof err);
  CHECK_MSG(j && j->n == 6, "%s", err);
  soma_json_free(j);
}

int main(void) {
  RUN(values_and_lookups);
  RUN(syntax_errors_say_where);
  return h_done();
}
