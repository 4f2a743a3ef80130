/* spike_hash.h — a SHA-256 over spike lists, the fingerprint of a run used to check that
 * the same seed gives the same spikes whatever the thread count. */
#ifndef SOMA_SPIKE_HASH_H
#define SOMA_SPIKE_HASH_H

#include "sim/soma.h"

/* Hashes the spikes of the given spike recordings merged in (step, global neuron id) order,
 * each as little-endian int64 step then int64 global id; writes 64 hex digits + NUL.
 * At most 64 recordings. */
void spike_hash(soma_rec *const *recs, int n, char hex[65]);

#endif
