/* check.h — the joint layer's error messages and input checks: one place that formats a
 * message into the caller's buffer, and the checks every model runs on the matrices it is
 * given (shapes, non-finite values), so the wording is the same everywhere. */
#ifndef JOINT_CHECK_H
#define JOINT_CHECK_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

/* Formats the message into err (if err and len), returns code. */
int joint_fail(char *err, size_t len, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* SOMA_OK if every value of m is finite; else SOMA_ERR_PARAM with
 * "<who>: the <what> hold<s> <value> at row R, column C". */
int joint_check_finite(const gsl_matrix *m, const char *who, const char *what, char *err,
                       size_t len);

#endif
