/* nn_math.h — the float vector arithmetic of the contrastive encoder's fast path: 64-byte
 * vectors (GCC vector extensions, so any target compiles; AVX-512 runs them in one register),
 * exp to about 1 ulp (Cephes' expf) and the exact-form GELU with PyTorch's vectorised erf
 * (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7, what torch uses for nn.GELU() on CPU). */
#ifndef JOINT_NN_MATH_H
#define JOINT_NN_MATH_H

#include <math.h>
#include <stdint.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

/* Unaligned-capable vectors: loads and stores through these never need 64-byte alignment. */
typedef float nn_vf __attribute__((vector_size(64), aligned(4)));
typedef int32_t nn_vi __attribute__((vector_size(64), aligned(4)));
typedef double nn_vd __attribute__((vector_size(64), aligned(8)));
typedef int64_t nn_vl __attribute__((vector_size(64), aligned(8)));

#define NN_ALWAYS static inline __attribute__((always_inline))

/* Every function here is always inlined, so the vector calling convention, about which GCC
 * warns when the target lacks AVX-512 (the sanitizer build), never applies. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

/* m ? a : b, lane by lane (m lanes are all ones or all zeros, as comparisons give) */
NN_ALWAYS nn_vf nn_blendf(nn_vi m, nn_vf a, nn_vf b) {
  return (nn_vf)(((nn_vi)a & m) | ((nn_vi)b & ~m));
}

/* 1/x: AVX-512's 14-bit estimate refined by one Newton step (within 2 ulp), else a division */
NN_ALWAYS nn_vf nn_rcpf(nn_vf x) {
#ifdef __AVX512F__
  nn_vf r = (nn_vf)_mm512_rcp14_ps((__m512)x);
  return r * (2.0f - x * r);
#else
  return 1.0f / x;
#endif
}

/* e^x for every lane; x is clamped to [-87.33, 88], so the result is finite and normal. */
NN_ALWAYS nn_vf nn_vexpf(nn_vf x) {
  const nn_vf hi = (nn_vf){} + 88.0f, lo = (nn_vf){} - 87.3365447f;
  x = nn_blendf(x > hi, hi, x);
  x = nn_blendf(x < lo, lo, x);
  const float magic = 12582912.0f;   /* 1.5 * 2^23: adding it rounds to an integer */
  nn_vf n = (x * 1.44269504088896341f + magic) - magic;
  nn_vf r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  nn_vf p = 1.9875691500e-4f * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  nn_vi e = (__builtin_convertvector(n, nn_vi) + 127) << 23;
  return p * (nn_vf)e;
}

/* GELU(z) = z Φ(z) and its derivative Φ(z) + z φ(z), with Φ from erf(z / √2). */
NN_ALWAYS void nn_vgeluf(nn_vf z, nn_vf *g, nn_vf *dg) {
  const nn_vi sign = (nn_vi){} + (int32_t)0x80000000u;
  nn_vf ax = (nn_vf)((nn_vi)z & ~sign) * 0.70710678118654752f;
  nn_vf t = nn_rcpf(1.0f + 0.3275911f * ax);
  nn_vf e = nn_vexpf(-0.5f * z * z);
  nn_vf p = 1.061405429f * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  p = p * t;
  nn_vf erf = (nn_vf)((nn_vi)(1.0f - p * e) ^ ((nn_vi)z & sign));
  nn_vf cdf = 0.5f + 0.5f * erf;
  *g = z * cdf;
  if (dg) *dg = cdf + z * e * 0.39894228040143268f;
}

NN_ALWAYS nn_vd nn_blendd(nn_vl m, nn_vd a, nn_vd b) {
  return (nn_vd)(((nn_vl)a & m) | ((nn_vl)b & ~m));
}

/* e^x lane by lane with libm: the double path checks gradients, so it is exact, not fast */
NN_ALWAYS nn_vd nn_vexpd(nn_vd x) {
  for (int k = 0; k < 8; k++) x[k] = exp(x[k]);
  return x;
}

#pragma GCC diagnostic pop

#endif
