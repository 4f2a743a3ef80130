/* json_read.h — reading JSON: a small parser for the files soma writes and reads back
 * (meta.json, results.json, a sweep's sweep.json and done.json). Numbers keep their text,
 * so a value can be copied exactly as it was written. json.h is the writer. */
#ifndef SOMA_JSON_READ_H
#define SOMA_JSON_READ_H

#include <stddef.h>

typedef enum {
  SOMA_JSON_NULL, SOMA_JSON_BOOL, SOMA_JSON_NUM, SOMA_JSON_STR, SOMA_JSON_ARR, SOMA_JSON_OBJ
} soma_json_type;

/* A parsed value. Numbers keep their text in s, booleans are "true" or "false", strings are
 * unescaped (UTF-8); arrays and objects hold n items (objects with their keys, in file order;
 * a repeated key is kept twice and soma_json_get finds the first). */
typedef struct soma_json {
  soma_json_type t;
  char *s;
  int n;
  char **keys;
  struct soma_json *items;
} soma_json;

/* Parses text. NULL with "what at line L, column C" in err on a syntax error. */
soma_json *soma_json_parse(const char *text, char *err, size_t errlen);
/* Reads and parses a file; NULL with a message naming the file when it cannot be read or is
 * not valid JSON. */
soma_json *soma_json_load(const char *path, char *err, size_t errlen);
/* NULL is a no-op. */
void soma_json_free(soma_json *v);

/* The member key of an object, or NULL (also when o is NULL or not an object). */
const soma_json *soma_json_get(const soma_json *o, const char *key);
/* The member as text (string, number or boolean), or NULL. */
const char *soma_json_text(const soma_json *o, const char *key);
/* The member as a number: 0 with *out set when it is a JSON number, -1 otherwise (absent,
 * null, a string, ...; *out is then untouched). */
int soma_json_double(const soma_json *o, const char *key, double *out);

#endif
