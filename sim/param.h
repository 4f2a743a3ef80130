/* param.h — checking named values against a model's descriptor tables.
 *
 * Shared by populations and the Lua layer: range checks with messages that name the bound
 * and the unit, and "did you mean" suggestions for misspelled names. */
#ifndef SOMA_PARAM_H
#define SOMA_PARAM_H

#include <stddef.h>

#include "model.h"

/* Checks v against def's bounds; on failure writes "tau_m must be > 0 ms (got -20)". */
int soma_param_check(const soma_param_def *def, double v, char *msg, size_t len);

/* Writes the names of n items, "a, b, c", into buf. Each item starts with its name (a
 * `const char *` first member, as the descriptor tables do); stride is the item size. */
const char *soma_join_names(const void *items, size_t stride, int n, char *buf, size_t len);

/* The known name closest to name (edit distance <= 2, or a case-insensitive match), or NULL. */
const char *soma_closest_name(const char *name, const char *const *known, int n);

/* Writes "unknown parameter 'tua_m' of model 'lif' (did you mean 'tau_m'?); known: ..." for a
 * name that is neither a parameter nor a state variable of m. */
void soma_unknown_name_msg(const soma_model *m, const char *what, const char *name, char *msg,
                           size_t len);

/* 1 when name is 1 to max - 1 letters, digits, '_' or '-' (names of populations, signals). */
int soma_identifier_ok(const char *name, size_t max);

#endif
