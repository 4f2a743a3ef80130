/* lua_array.h — soma.array: numeric arrays for Lua scripts, either owned (a copy) or a
 * read-only view of memory the engine owns (recorded spikes, samples, neuron state), so a
 * script reads millions of values without copying them into Lua tables. Indexed from 1, like
 * Lua tables; 2-D arrays (samples x columns) are row-major with a:at(row, col). */
#ifndef SOMA_LUA_ARRAY_H
#define SOMA_LUA_ARRAY_H

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { LA_F32, LA_F64, LA_I32, LA_I64 } la_dtype;

/* A view resolves its data on every access through base(), from the owner userdata kept as
 * the array's user value, so a view never outlives what it shows: base() raises a Lua error
 * when the owner is gone, and returns how many elements are available now. */
typedef const void *(*la_base_fn)(lua_State *L, int owner_idx, int arg, size_t *available);

/* Pushes a new owned array of n zeroed elements (shape n, or rows x cols when cols > 0). */
void *la_push_owned(lua_State *L, la_dtype t, size_t n, size_t cols);
/* Pushes a view of n elements on the owner at owner_idx. */
void la_push_view(lua_State *L, la_dtype t, size_t n, size_t cols, int owner_idx, la_base_fn base,
                  int arg);

/* The values of argument idx (a Lua table of numbers or a soma.array) as doubles, with *n set;
 * raises an error naming call and what otherwise. The block is a userdata pushed onto the
 * stack (so an error never leaks it): valid while it stays there. */
double *la_doubles(lua_State *L, int idx, const char *call, const char *what, size_t *n);
/* The same for whole numbers in [lo, hi] (neuron indices), as int32 (one block pushed). */
int32_t *la_int32s(lua_State *L, int idx, const char *call, const char *what, int32_t lo,
                   int32_t hi, size_t *n);
/* The columns of the soma.array at idx (0 for a 1-D array or anything else). */
size_t la_cols(lua_State *L, int idx);
/* 1 when the value at idx is a table or soma.array (something la_doubles accepts). */
int la_is_sequence(lua_State *L, int idx);

/* Registers the metatable and soma.array / soma.zeros in the table at the top of the stack. */
void la_array_open(lua_State *L);

#endif
