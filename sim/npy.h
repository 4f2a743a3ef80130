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
  int failed;        /* a write failed (a full disk): later appends are refused */
  int err;           /* its errno */
} soma_npy_writer;

int soma_npy_begin(soma_npy_writer *w, const char *path, const char *descr, size_t cols);
/* 0, or -1 with errno when the rows cannot be written (then and afterwards). */
int soma_npy_append(soma_npy_writer *w, const void *data, size_t rows);
/* Pushes buffered rows to the file: 0, or -1 with errno (the stream has failed). */
int soma_npy_flush(soma_npy_writer *w);
/* The rows that are in the file whole: all appended ones, or after a failure the complete
 * rows that reached the disk. */
size_t soma_npy_kept(soma_npy_writer *w);
/* Writes the final shape and closes. 0, or -1 with errno when the stream failed; even then the
 * file is a valid .npy holding the rows that reached the disk whole (soma_npy_kept), with
 * nothing after them: a full disk loses the end of a recording, never the file. */
int soma_npy_end(soma_npy_writer *w);
/* soma_npy_end keeping at most rows rows (fewer than kept: the streams of one recording
 * cut to the same length). */
int soma_npy_end_at(soma_npy_writer *w, size_t rows);

/* Writes a whole array (cols = 0: 1-D of rows elements). 0 on success, -1 with errno set;
 * it goes to a temporary file renamed to path at the end, so a failed write (a full disk)
 * leaves no partial file and an earlier file of that name as it was. */
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
