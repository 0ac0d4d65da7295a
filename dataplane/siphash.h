/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * siphash: SipHash-2-4 (Aumasson, Bernstein), the keyed PRF behind the
 * reply tags (64-bit output, siphash24_64) and, through state_table.c's
 * streaming hasher built from the same steps, the call and registration
 * keys and the state file's checksum (128-bit output).
 *
 * Contract: the steps are inline so a caller keeps the state in registers;
 * words are little-endian whatever the host; siphash24_64() matches the
 * reference vectors (test/unit/test_state_tables.c checks the 128-bit
 * form, test_reply.c the 64-bit one).
 */
#ifndef SIPWARDEN_SIPHASH_H
#define SIPWARDEN_SIPHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline uint64_t siphash_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void siphash_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = siphash_rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = siphash_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = siphash_rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = siphash_rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = siphash_rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = siphash_rotl(v[2], 32);
}

/* One message word: two rounds (the "2" of 2-4). */
static inline void siphash_compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	siphash_round(v);
	siphash_round(v);
	v[0] ^= m;
}

/* The state for key (k0, k1); out128 selects the 128-bit variant. */
static inline void siphash_init(uint64_t v[4], uint64_t k0, uint64_t k1,
				bool out128)
{
	v[0] = 0x736f6d6570736575ULL ^ k0;
	v[1] = 0x646f72616e646f6dULL ^ k1 ^ (out128 ? 0xee : 0);
	v[2] = 0x6c7967656e657261ULL ^ k0;
	v[3] = 0x7465646279746573ULL ^ k1;
}

/* SipHash-2-4 with 64-bit output of len bytes at in, under a 16-byte key. */
uint64_t siphash24_64(const uint8_t key[16], const void *in, size_t len);

#endif
