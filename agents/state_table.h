/* state_table.h — observation vectors to state indices, for tabular agents on worlds whose
 * observations are discrete in practice (a grid position, a one-hot, a bandit's last pull):
 * a hash table that gives each distinct vector the next index (0, 1, 2, ...) the first time
 * it is seen, so no world-specific code is needed to enumerate states.
 *
 * Vectors match exactly, value by value, compared as numbers: 0 and -0 are the same value and
 * every NaN equals every NaN; nothing is rounded, so a continuous observation makes a new state
 * at almost every step (and the table fills up: max_states). */
#ifndef SOMA_STATE_TABLE_H
#define SOMA_STATE_TABLE_H

#include <stddef.h>

typedef struct soma_state_table soma_state_table;

/* A table of vectors of dim values holding at most max_states of them (both >= 1). NULL when
 * out of memory or given sizes out of range. */
soma_state_table *soma_state_table_create(int dim, int max_states);
void soma_state_table_destroy(soma_state_table *t);   /* NULL: no-op */

/* The index of obs, or -1 when it was never added. */
int soma_state_table_find(const soma_state_table *t, const double *obs);

/* The index of obs, adding it (the next index, count - 1 after the call) when new; *added
 * (may be NULL) says which. -1 when it is new and the table is full (max_states) or memory
 * ran out; the table is then unchanged. */
int soma_state_table_intern(soma_state_table *t, const double *obs, int *added);

/* States held, the vector length, the limit, and the vector of state i (0 <= i < count; the
 * pointer stays valid until the next intern). */
int soma_state_table_count(const soma_state_table *t);
int soma_state_table_dim(const soma_state_table *t);
int soma_state_table_max(const soma_state_table *t);
const double *soma_state_table_obs(const soma_state_table *t, int i);

#endif
