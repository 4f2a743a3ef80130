/* check.c — error messages and input checks of the joint layer (see check.h). */
#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "sim/soma.h"

int joint_fail(char *err, size_t len, int code, const char *fmt, ...) {
  if (err && len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
  }
  return code;
}

int joint_check_finite(const gsl_matrix *m, const char *who, const char *what, char *err,
                       size_t len) {
  for (size_t i = 0; i < m->size1; i++)
    for (size_t j = 0; j < m->size2; j++) {
      double v = gsl_matrix_get(m, i, j);
      if (!isfinite(v))
        return joint_fail(err, len, SOMA_ERR_PARAM, "%s: the %s hold %g at row %zu, column %zu",
                          who, what, v, i, j);
    }
  return SOMA_OK;
}
