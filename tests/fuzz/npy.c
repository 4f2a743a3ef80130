/* npy.c — fuzz target for the .npy readers: sim/npy.c's soma_npy_load (recordings read back,
 * the joint layer's input) and joint/io.c's joint_npy_read on top of it. Any bytes give an
 * array or a message naming the file; a loaded array has as many bytes as its shape says, and
 * writing it again with soma_npy_save reads back identical. Seeds: tests/data/npy/. */
#include <gsl/gsl_matrix.h>

#include "joint/io.h"
#include "sim/npy.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file("in.npy", data, size);
  soma_npy_array a;
  char err[512] = "";
  int rc = soma_npy_load(path, &a, err, sizeof err);
  if (rc == 0) {
    size_t count = 1;
    for (int d = 0; d < a.ndim; d++) count *= a.shape[d];
    FUZZ_ASSERT(a.ndim >= 0 && a.ndim <= 4 && count == a.count && a.itemsize >= 1 &&
                a.itemsize <= 8, "shape");
    FUZZ_ASSERT(size >= a.count * a.itemsize + 10, "more data than bytes");
    if (a.ndim == 1 || (a.ndim == 2 && a.shape[1] > 0)) {   /* rewrite and read back */
      char out[512];
      snprintf(out, sizeof out, "%s/out.npy", fuzz_dir());
      if (soma_npy_save(out, a.descr, a.shape[0], a.ndim == 2 ? a.shape[1] : 0, a.data) == 0) {
        soma_npy_array b;
        FUZZ_ASSERT(soma_npy_load(out, &b, err, sizeof err) == 0, "own file unreadable: %s", err);
        FUZZ_ASSERT(b.ndim == a.ndim && b.count == a.count && !strcmp(a.descr, b.descr) &&
                    !memcmp(a.data, b.data, a.count * a.itemsize), "round trip differs");
        soma_npy_free(&b);
      }
    }
    soma_npy_free(&a);
  } else {
    FUZZ_ASSERT(rc == -1 && !strncmp(err, path, strlen(path)), "message: %s", err);
    FUZZ_ASSERT(a.data == NULL, "data left after a failure");
  }
  gsl_matrix *m = NULL;
  char jerr[512] = "";
  int jrc = joint_npy_read(path, &m, jerr, sizeof jerr);
  FUZZ_ASSERT((jrc == 0) == (m != NULL), "result and matrix disagree");
  if (rc) FUZZ_ASSERT(jrc != 0, "joint read accepts what soma_npy_load refuses");
  if (m) gsl_matrix_free(m);
  else FUZZ_ASSERT(jerr[0], "no message");
  return 0;
}
