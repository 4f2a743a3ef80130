/* harness.h — a tiny test harness in the manner of Redis' testhelp.h: TEST functions run by
 * RUN, CHECK and CHECK_NEAR record failures with file:line and go on, and the program ends
 * with "N passed, N failed" (one count per test function) for tests/run.sh to add up. */
#ifndef SOMA_HARNESS_H
#define SOMA_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int h_passed, h_failed, h_current_failed;
static const char *h_current = "";

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                        \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      printf("  FAIL %s: %s:%d: %s\n", h_current, __FILE__, __LINE__, #cond);             \
      h_current_failed++;                                                                  \
    }                                                                                      \
  } while (0)

#define CHECK_MSG(cond, ...)                                                               \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      printf("  FAIL %s: %s:%d: %s: ", h_current, __FILE__, __LINE__, #cond);              \
      printf(__VA_ARGS__);                                                                 \
      printf("\n");                                                                        \
      h_current_failed++;                                                                  \
    }                                                                                      \
  } while (0)

/* like CHECK, but leaves the test function when it fails */
#define REQUIRE(cond)                                                                      \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      printf("  FAIL %s: %s:%d: %s (stopping this test)\n", h_current, __FILE__, __LINE__, \
             #cond);                                                                       \
      h_current_failed++;                                                                  \
      return;                                                                              \
    }                                                                                      \
  } while (0)

/* |a - b| <= tol */
#define CHECK_NEAR(a, b, tol)                                                              \
  do {                                                                                     \
    double h_a = (a), h_b = (b), h_t = (tol);                                              \
    if (!(fabs(h_a - h_b) <= h_t)) {                                                       \
      printf("  FAIL %s: %s:%d: %s = %.9g, expected %s = %.9g within %g\n", h_current,     \
             __FILE__, __LINE__, #a, h_a, #b, h_b, h_t);                                   \
      h_current_failed++;                                                                  \
    }                                                                                      \
  } while (0)

static void h_run(const char *name, void (*fn)(void)) {
  h_current = name;
  h_current_failed = 0;
  fn();
  if (h_current_failed) {
    h_failed++;
    printf("not ok - %s\n", name);
  } else {
    h_passed++;
    printf("ok - %s\n", name);
  }
  fflush(stdout);
}

#define RUN(name) h_run(#name, name)

static int h_done(void) {
  printf("%d passed, %d failed\n", h_passed, h_failed);
  return h_failed ? 1 : 0;
}

#endif
