/* SPDX-License-Identifier: BSD-3-Clause */
/* siphash: the one-shot 64-bit form. The contract is in siphash.h. */
#include "siphash.h"

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t siphash24_64(const uint8_t key[16], const void *in, size_t len)
{
	const uint8_t *b = in;
	uint64_t v[4];
	size_t tail = len & 7;
	uint64_t last = (uint64_t)len << 56;

	siphash_init(v, load_le64(key), load_le64(key + 8), false);
	for (size_t i = 0; i + 8 <= len; i += 8)
		siphash_compress(v, load_le64(b + i));
	for (size_t i = 0; i < tail; i++)
		last |= (uint64_t)b[len - tail + i] << (8 * i);
	siphash_compress(v, last);
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		siphash_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
