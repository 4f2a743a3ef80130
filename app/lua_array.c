/* lua_array.c — the soma.array userdata. */
#include "lua_array.h"

#include <errno.h>
#include <lauxlib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/lua_args.h"
#include "app/lua_soma.h"
#include "sim/npy.h"

#define MT "soma.array"

typedef struct larray {
  la_dtype type;
  size_t n, cols;          /* cols = 0: one-dimensional */
  la_base_fn base;         /* NULL: owned, data follows the header */
  int arg;
  int pad;
  double data[];           /* owned storage (aligned for every dtype) */
} larray;

static const size_t elem_size[] = {4, 8, 4, 8};
static const char *const dtype_names[] = {"float32", "float64", "int32", "int64", NULL};
static const char *const npy_descr[] = {"<f4", "<f8", "<i4", "<i8"};

void *la_push_owned(lua_State *L, la_dtype t, size_t n, size_t cols) {
  larray *a = lua_newuserdatauv(L, sizeof(larray) + elem_size[t] * n, 1);
  a->type = t;
  a->n = n;
  a->cols = cols;
  a->base = NULL;
  memset(a->data, 0, elem_size[t] * n);
  luaL_setmetatable(L, MT);
  return a->data;
}

void la_push_view(lua_State *L, la_dtype t, size_t n, size_t cols, int owner_idx, la_base_fn base,
                  int arg) {
  owner_idx = lua_absindex(L, owner_idx);
  larray *a = lua_newuserdatauv(L, sizeof(larray), 1);
  a->type = t;
  a->n = n;
  a->cols = cols;
  a->base = base;
  a->arg = arg;
  lua_pushvalue(L, owner_idx);
  lua_setiuservalue(L, -2, 1);
  luaL_setmetatable(L, MT);
}

static larray *check(lua_State *L, int idx) { return luaL_checkudata(L, idx, MT); }

/* the array's data now (a view re-resolves it) */
static const void *data_of(lua_State *L, int idx, larray *a) {
  if (!a->base) return a->data;
  idx = lua_absindex(L, idx);
  lua_getiuservalue(L, idx, 1);
  size_t avail = 0;
  const void *p = a->base(L, lua_gettop(L), a->arg, &avail);
  lua_pop(L, 1);
  if (avail < a->n)
    la_error(L, "soma.array", "this view holds %zu values but its source now has %zu", a->n, avail);
  return p;
}

static double get(const void *p, la_dtype t, size_t i) {
  switch (t) {
    case LA_F32: return ((const float *)p)[i];
    case LA_F64: return ((const double *)p)[i];
    case LA_I32: return ((const int32_t *)p)[i];
    default: return (double)((const int64_t *)p)[i];
  }
}

static void push_elem(lua_State *L, const void *p, la_dtype t, size_t i) {
  if (t == LA_I32) lua_pushinteger(L, ((const int32_t *)p)[i]);
  else if (t == LA_I64) lua_pushinteger(L, ((const int64_t *)p)[i]);
  else lua_pushnumber(L, get(p, t, i));
}

static size_t index_of(lua_State *L, larray *a, lua_Integer k) {
  if (k < 1 || (size_t)k > a->n)
    la_error(L, "soma.array", "index %lld is out of range 1..%zu", (long long)k, a->n);
  return (size_t)(k - 1);
}

static int a_table(lua_State *L) {
  larray *a = check(L, 1);
  const void *p = data_of(L, 1, a);
  lua_createtable(L, (int)(a->n < 1u << 30 ? a->n : 0), 0);
  for (size_t i = 0; i < a->n; i++) {
    push_elem(L, p, a->type, i);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static int a_copy(lua_State *L) {
  larray *a = check(L, 1);
  const void *p = data_of(L, 1, a);
  void *q = la_push_owned(L, a->type, a->n, a->cols);
  memcpy(q, p, elem_size[a->type] * a->n);
  return 1;
}

static int a_reduce(lua_State *L, int what) {
  larray *a = check(L, 1);
  const void *p = data_of(L, 1, a);
  if (a->n == 0 && what != 0) {
    lua_pushnil(L);
    return 1;
  }
  double acc = what == 0 || what == 1 ? 0 : get(p, a->type, 0);
  for (size_t i = 0; i < a->n; i++) {
    double v = get(p, a->type, i);
    if (what <= 1) acc += v;
    else if (what == 2) acc = v < acc ? v : acc;
    else acc = v > acc ? v : acc;
  }
  if (what == 1) acc /= (double)a->n;
  if ((a->type == LA_I32 || a->type == LA_I64) && what != 1 && fabs(acc) < 9e15)
    lua_pushinteger(L, (lua_Integer)acc);
  else
    lua_pushnumber(L, acc);
  return 1;
}
static int a_sum(lua_State *L) { return a_reduce(L, 0); }
static int a_mean(lua_State *L) { return a_reduce(L, 1); }
static int a_min(lua_State *L) { return a_reduce(L, 2); }
static int a_max(lua_State *L) { return a_reduce(L, 3); }

static int a_at(lua_State *L) {
  larray *a = check(L, 1);
  if (!a->cols) return la_error(L, "array:at", "the array is one-dimensional; index it as a[i]");
  size_t rows = a->n / a->cols;
  int64_t r = la_arg_int(L, 2, "array:at", "the row", 1, (int64_t)rows);
  int64_t c = la_arg_int(L, 3, "array:at", "the column", 1, (int64_t)a->cols);
  push_elem(L, data_of(L, 1, a), a->type, (size_t)(r - 1) * a->cols + (size_t)(c - 1));
  return 1;
}

static int a_save(lua_State *L) {
  larray *a = check(L, 1);
  const char *path = la_arg_str(L, 2, "array:save", "the path");
  const char *dir = lsoma_run_of(L)->dir;
  if (path[0] != '/' && dir) path = lua_pushfstring(L, "%s/%s", dir, path);   /* like g:save */
  const void *p = data_of(L, 1, a);
  size_t rows = a->cols ? a->n / a->cols : a->n;
  if (soma_npy_save(path, npy_descr[a->type], rows, a->cols, p))
    la_error(L, "array:save", "cannot write %s: %s", path, strerror(errno));
  lua_pushstring(L, path);
  return 1;
}

static const luaL_Reg methods[] = {{"table", a_table}, {"copy", a_copy}, {"sum", a_sum},
                                   {"mean", a_mean},   {"min", a_min},   {"max", a_max},
                                   {"at", a_at},       {"save", a_save}, {NULL, NULL}};

/* a whole-number key (2 or 2.0), or 0 with *ok unset */
static lua_Integer int_key(lua_State *L, int idx, int *ok) {
  lua_Integer k = lua_tointegerx(L, idx, ok);
  if (lua_type(L, idx) != LUA_TNUMBER) *ok = 0;
  return k;
}

static int a_index(lua_State *L) {
  larray *a = check(L, 1);
  int whole;
  lua_Integer key = int_key(L, 2, &whole);
  if (whole) {
    size_t i = index_of(L, a, key);
    push_elem(L, data_of(L, 1, a), a->type, i);
    return 1;
  }
  const char *k = lua_tostring(L, 2);
  if (k && !strcmp(k, "n")) {
    lua_pushinteger(L, (lua_Integer)a->n);
  } else if (k && !strcmp(k, "dtype")) {
    lua_pushstring(L, dtype_names[a->type]);
  } else if (k && !strcmp(k, "shape")) {
    lua_newtable(L);
    lua_pushinteger(L, (lua_Integer)(a->cols ? a->n / a->cols : a->n));
    lua_rawseti(L, -2, 1);
    if (a->cols) {
      lua_pushinteger(L, (lua_Integer)a->cols);
      lua_rawseti(L, -2, 2);
    }
  } else if (k && luaL_getmetafield(L, 1, k) != LUA_TNIL && lua_iscfunction(L, -1)) {
    /* a method */
  } else {
    return la_error(L, "soma.array", "no field '%s' (arrays have n, dtype, shape, and the "
                    "methods table, copy, sum, mean, min, max, at, save; index elements as a[1])",
                    k ? k : la_typename(L, 2));
  }
  return 1;
}

static int a_newindex(lua_State *L) {
  larray *a = check(L, 1);
  if (a->base)
    return la_error(L, "soma.array", "this array is a read-only view of soma's data; "
                    "make a writable copy with a:copy()");
  int whole;
  lua_Integer key = int_key(L, 2, &whole);
  if (!whole)
    return la_error(L, "soma.array", "arrays take whole-number indices 1..%zu, got %s", a->n,
                    la_typename(L, 2));
  size_t i = index_of(L, a, key);
  if ((a->type == LA_F32 || a->type == LA_F64) && lua_type(L, 3) != LUA_TNUMBER)
    la_error(L, "soma.array", "the value must be a number, got %s", la_typename(L, 3));
  if (a->type == LA_F32) ((float *)a->data)[i] = (float)lua_tonumber(L, 3);   /* NaN, inf too */
  else if (a->type == LA_F64) ((double *)a->data)[i] = lua_tonumber(L, 3);
  else if (a->type == LA_I32) ((int32_t *)a->data)[i] = (int32_t)la_arg_int(L, 3, "soma.array", "the value", INT32_MIN, INT32_MAX);
  else ((int64_t *)a->data)[i] = la_arg_int(L, 3, "soma.array", "the value", INT64_MIN, INT64_MAX);
  return 0;
}

static int a_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)check(L, 1)->n);
  return 1;
}

static int a_tostring(lua_State *L) {
  larray *a = check(L, 1);
  const void *p = data_of(L, 1, a);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (a->cols) lua_pushfstring(L, "soma.array %s[%d x %d] {", dtype_names[a->type], (int)(a->n / a->cols), (int)a->cols);
  else lua_pushfstring(L, "soma.array %s[%d] {", dtype_names[a->type], (int)a->n);
  luaL_addvalue(&b);
  for (size_t i = 0; i < a->n && i < 8; i++) {
    char num[40];
    snprintf(num, sizeof num, "%s%.6g", i ? ", " : "", get(p, a->type, i));
    luaL_addstring(&b, num);
  }
  luaL_addstring(&b, a->n > 8 ? ", ...}" : "}");
  luaL_pushresult(&b);
  return 1;
}

size_t la_cols(lua_State *L, int idx) {
  larray *a = luaL_testudata(L, idx, MT);
  return a ? a->cols : 0;
}

int la_is_sequence(lua_State *L, int idx) {
  return lua_istable(L, idx) || luaL_testudata(L, idx, MT) != NULL;
}

double *la_doubles(lua_State *L, int idx, const char *call, const char *what, size_t *n) {
  idx = lua_absindex(L, idx);
  larray *a = luaL_testudata(L, idx, MT);
  if (a) {
    const void *p = data_of(L, idx, a);
    double *out = lua_newuserdatauv(L, sizeof(double) * (a->n ? a->n : 1), 0);
    for (size_t i = 0; i < a->n; i++) out[i] = get(p, a->type, i);
    *n = a->n;
    return out;
  }
  if (!lua_istable(L, idx))
    la_error(L, call, "%s must be a table of numbers or a soma.array, got %s", what, la_typename(L, idx));
  size_t len = (size_t)lua_rawlen(L, idx);
  double *out = lua_newuserdatauv(L, sizeof(double) * (len ? len : 1), 0);
  for (size_t i = 0; i < len; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    if (lua_type(L, -1) != LUA_TNUMBER)
      la_error(L, call, "%s[%zu] must be a number, got %s", what, i + 1, la_typename(L, -1));
    out[i] = lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  *n = len;
  return out;
}

int32_t *la_int32s(lua_State *L, int idx, const char *call, const char *what, int32_t lo,
                   int32_t hi, size_t *n) {
  double *d = la_doubles(L, idx, call, what, n);
  int32_t *out = lua_newuserdatauv(L, sizeof(int32_t) * (*n ? *n : 1), 0);
  for (size_t i = 0; i < *n; i++) {
    if (!(d[i] == floor(d[i]) && d[i] >= lo && d[i] <= hi))
      la_error(L, call, "%s[%zu] must be a whole number from %d to %d (got %.17g)", what, i + 1,
               lo, hi, d[i]);
    out[i] = (int32_t)d[i];
  }
  lua_remove(L, -2);
  return out;
}

static la_dtype dtype_arg(lua_State *L, int idx, const char *call) {
  if (lua_isnoneornil(L, idx)) return LA_F64;
  const char *s = la_arg_str(L, idx, call, "the dtype");
  for (int k = 0; dtype_names[k]; k++)
    if (!strcmp(s, dtype_names[k])) return (la_dtype)k;
  return (la_dtype)la_error(L, call, "unknown dtype '%s' (float32, float64, int32, int64)", s);
}

/* soma.array(values [, dtype]) */
static int l_array(lua_State *L) {
  la_dtype t = dtype_arg(L, 2, "soma.array");
  size_t n;
  double *v = la_doubles(L, 1, "soma.array", "the values", &n);
  void *p = la_push_owned(L, t, n, 0);
  for (size_t i = 0; i < n; i++) {
    if (t == LA_F32) ((float *)p)[i] = (float)v[i];
    else if (t == LA_F64) ((double *)p)[i] = v[i];
    else if (v[i] != floor(v[i]) || (t == LA_I32 && (v[i] < INT32_MIN || v[i] > INT32_MAX)) ||
             fabs(v[i]) > 9007199254740992.0)
      return la_error(L, "soma.array", "value %zu is %.17g, not a whole number that fits an %s "
                      "array", i + 1, v[i], dtype_names[t]); else if (t == LA_I32) ((int32_t *)p)[i] = (int32_t)v[i];
    else ((int64_t *)p)[i] = (int64_t)v[i];
  }
  return 1;
}

/* soma.zeros(n [, dtype]) */
static int l_zeros(lua_State *L) {
  int64_t n = la_arg_int(L, 1, "soma.zeros", "the length", 0, (int64_t)1 << 40);
  la_push_owned(L, dtype_arg(L, 2, "soma.zeros"), (size_t)n, 0);
  return 1;
}

void la_array_open(lua_State *L) {
  luaL_newmetatable(L, MT);
  luaL_setfuncs(L, methods, 0);
  lua_pushcfunction(L, a_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, a_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, a_len);
  lua_setfield(L, -2, "__len");
  lua_pushcfunction(L, a_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  lua_pushcfunction(L, l_array);
  lua_setfield(L, -2, "array");
  lua_pushcfunction(L, l_zeros);
  lua_setfield(L, -2, "zeros");
}
