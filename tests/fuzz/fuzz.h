/* fuzz.h — what the libFuzzer targets in tests/fuzz/ share: a scratch file for parsers that
 * read paths, property checks, and a byte reader that turns the input into choices for the
 * structured targets. Header-only (each target is one file with its own main from libFuzzer). */
#ifndef SOMA_FUZZ_H
#define SOMA_FUZZ_H

#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Aborts (a finding) with a message when cond is false: for properties, not just crashes.
 * (The runners pass -close_fd_mask=2, which hides what the code under test prints; rerun a
 * crash input without it to see the message.) */
#define FUZZ_ASSERT(cond, ...)                 \
  do {                                         \
    if (!(cond)) {                             \
      fprintf(stderr, "fuzz property failed: " __VA_ARGS__); \
      fputc('\n', stderr);                     \
      abort();                                 \
    }                                          \
  } while (0)

static char fuzz_dir_path[256];

static int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void fuzz_rm_dir(void) {
  if (fuzz_dir_path[0]) nftw(fuzz_dir_path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A private scratch directory (in /dev/shm when there is one), made once per process and
 * removed at exit. */
static inline const char *fuzz_dir(void) {
  if (!fuzz_dir_path[0]) {
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/soma-fuzz-XXXXXX", base);
    if (!mkdtemp(fuzz_dir_path)) abort();
    atexit(fuzz_rm_dir);
  }
  return fuzz_dir_path;
}

/* Writes the input to <fuzz_dir>/<name> and returns that path (static storage). */
static inline const char *fuzz_file(const char *name, const uint8_t *data, size_t size) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  if (fclose(f)) abort();
  return path;
}

/* ---- structured inputs: consume bytes as choices ------------------------------------------ */

typedef struct fuzz_in {
  const uint8_t *p;
  size_t n;
} fuzz_in;

static inline int fuzz_empty(const fuzz_in *in) { return in->n == 0; }

static inline unsigned fuzz_byte(fuzz_in *in) {
  if (!in->n) return 0;
  in->n--;
  return *in->p++;
}

/* 0 .. n-1 (n <= 256) */
static inline unsigned fuzz_pick(fuzz_in *in, unsigned n) { return n ? fuzz_byte(in) % n : 0; }

/* Up to max bytes of text up to (and without) a 0 or '\n' byte, into buf (NUL-terminated). */
static inline const char *fuzz_text(fuzz_in *in, char *buf, size_t max) {
  size_t k = 0;
  while (in->n && k + 1 < max) {
    unsigned c = fuzz_byte(in);
    if (c == 0 || c == '\n') break;
    buf[k++] = (char)c;
  }
  buf[k] = 0;
  return buf;
}

/* A number: mostly from a table of values that find edges (0, ±1, NaN, ±inf, huge, tiny,
 * the bounds of int and float), otherwise small integers, fractions or 8 raw bytes. */
static inline double fuzz_number(fuzz_in *in) {
  static const double edges[] = {0, 1, -1, 0.5, 2, 10, 100, 1000, -20, 0.1, 0.01, 1e-300,
                                 1e300, -1e300, 3.4e38, 3.5e38, 2147483647.0, 2147483648.0,
                                 -2147483649.0, 9.3e18, 1e15, 4294967296.0, 65535, 65536,
                                 -0.0, 5e-324, 1e-7, 0.999999, 1.000001};
  unsigned kind = fuzz_pick(in, 8);
  switch (kind) {
    case 0: return NAN;
    case 1: return fuzz_byte(in) & 1 ? INFINITY : -INFINITY;
    case 2:
    case 3: return edges[fuzz_pick(in, sizeof edges / sizeof *edges)];
    case 4: return (double)(int)(fuzz_byte(in) | fuzz_byte(in) << 8) - 1000;
    case 5: return ((double)fuzz_byte(in) - 128) / 16;
    case 6: {
      uint64_t u = 0;
      for (int i = 0; i < 8; i++) u = u << 8 | fuzz_byte(in);
      double d;
      memcpy(&d, &u, sizeof d);
      return d;
    }
    default: return (double)fuzz_pick(in, 64);
  }
}

#endif
