/* run_set.h — `soma run --set KEY=VALUE`: splitting the text and applying it to the script's
 * params table, typed like the default there (numbers stay numbers, whole defaults take
 * integers, booleans true/false/1/0/yes/no/on/off, strings strings). Kept apart from run.c
 * so the parser can be tested and fuzzed alone (tests/fuzz/set.c). */
#ifndef SOMA_RUN_SET_H
#define SOMA_RUN_SET_H

#include <lua.h>
#include <stddef.h>

typedef struct run_setting {
  const char *text;    /* "KEY=VALUE" as given (borrowed) */
  char *key;           /* malloc'd KEY */
  const char *value;   /* VALUE, inside text */
  int used;            /* applied to a params table */
} run_setting;

/* Splits text into s (s->key malloc'd; free it). Returns 0, or 2 with "expected KEY=VALUE,
 * got '...'" in err (a usage error; s untouched). */
int run_set_parse(const char *text, run_setting *s, char *err, size_t errlen);

/* Applies s to the params table at idx. Raises a Lua error "--set TEXT: why" (no script
 * location: soma run reports it as a usage error) for an unknown key (listing the script's
 * parameters, with a suggestion), a value not of the default's type, a number that is not
 * finite, or a default that is not a number, string or boolean. */
void run_set_apply(lua_State *L, int idx, run_setting *s);

#endif
