/* spike_hash.c — SHA-256 (nettle) of merged spike recordings. */
#include "spike_hash.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>

static void put64(uint8_t *b, int64_t v) {
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

void spike_hash(soma_rec *const *recs, int n, char hex[65]) {
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  size_t at[64] = {0};
  if (n > 64) n = 64;
  for (;;) {
    int best = -1;
    int64_t best_step = 0, best_gid = 0;
    for (int r = 0; r < n; r++) {
      if (at[r] >= soma_rec_spike_count(recs[r])) continue;
      int64_t s = soma_rec_spike_steps(recs[r])[at[r]];
      int64_t g = soma_pop_first_id(soma_rec_pop(recs[r])) + soma_rec_spike_ids(recs[r])[at[r]];
      if (best < 0 || s < best_step || (s == best_step && g < best_gid)) {
        best = r;
        best_step = s;
        best_gid = g;
      }
    }
    if (best < 0) break;
    uint8_t b[16];
    put64(b, best_step);
    put64(b + 8, best_gid);
    sha256_update(&ctx, sizeof b, b);
    at[best]++;
  }
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) sprintf(hex + 2 * i, "%02x", digest[i]);
}
