/* vmath.h — an exp() that compilers can vectorise, for per-neuron exponentials in hot loops.
 *
 * Cody-Waite range reduction x = k ln2 + r, |r| <= ln2/2, then a degree-6 polynomial fitted
 * at Chebyshev nodes (relative error 2.5e-9, far below float rounding), scaled by 2^k through
 * the exponent bits. Accurate to about 1 ulp in float over [-87, 88]; inputs outside are
 * clamped. */
#ifndef SOMA_VMATH_H
#define SOMA_VMATH_H

#include <stdint.h>
#include <string.h>

static inline float soma_expf(float x) {
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  /* round x/ln2 to nearest with the 1.5*2^23 trick (exact for |x/ln2| < 2^22) */
  float kf = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - kf * 0.693359375f;          /* ln2 high part, exact product */
  r = r - kf * -2.12194440e-4f;              /* ln2 low part */
  float p = 0.00139411084f;
  p = p * r + 0.0083751264f;
  p = p * r + 0.0416663529f;
  p = p * r + 0.166664155f;
  p = p * r + 0.500000005f;
  p = p * r + 1.00000004f;
  p = p * r + 1.0f;
  int32_t k = (int32_t)kf;
  uint32_t bits = (uint32_t)(k + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

#endif
