/* npy.h — NumPy .npy files (format 1.0): written whole, streamed row by row with the shape
 * patched in at the end, and read back with every header field checked. numpy.load reads
 * what these write with no extra package. */
#ifndef SOMA_NPY_H
#define SOMA_NPY_H

#include <stddef.h>
#include <stdio.h>

/* The element types read and written: "<f8", "<f4", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4",
 * "<u2", "|u1" and "|b1" (numpy's bool, one byte 0 or 1). */

/* A stream: begin with the element type and the number of columns (0 for a 1-D array),
 * append rows, end to write the final shape. */
typedef struct soma_npy_writer {
  FILE *f;
  char descr[8];
  size_t cols, rows, itemsize;
} soma_npy_writer;

int soma_npy_begin(soma_npy_writer *w, const char *path, const char *descr, size_t cols);
int soma_npy_append(soma_npy_writer *w, const void *data, size_t rows);
int soma_npy_end(soma_npy_writer *w);

/* Writes a whole array (cols = 0: 1-D of rows elements). 0 on success, -1 with errno set. */
int soma_npy_save(const char *path, const char *descr, size_t rows, size_t cols, const void *data);

typedef struct soma_npy_array {
  char descr[8];
  int ndim;
  size_t shape[4];
  size_t itemsize, count;
  void *data;
} soma_npy_array;

/* Reads a little-endian, C-ordered numeric .npy of up to 4 dimensions. Returns 0, or -1 with a
 * message naming the file and the problem. */
int soma_npy_load(const char *path, soma_npy_array *a, char *err, size_t errlen);
void soma_npy_free(soma_npy_array *a);

#endif
