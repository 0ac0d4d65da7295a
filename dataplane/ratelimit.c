/* SPDX-License-Identifier: BSD-3-Clause */
#include "ratelimit.h"

#include <errno.h>
#include <stdlib.h>

#define NS_PER_S 1000000000ULL

void rate_spec_init(struct rate_spec *s, uint32_t rate, uint32_t burst)
{
	if (rate == 0) {
		s->interval_ns = 0;
		s->depth_ns = 0;
		return;
	}
	s->interval_ns = NS_PER_S / rate;
	if (s->interval_ns == 0)
		s->interval_ns = 1;
	s->depth_ns = s->interval_ns * (burst ? burst : 1);
}

int caller_buckets_init(struct caller_buckets *cb, uint32_t count)
{
	uint32_t n = 1;

	while (n < count && n < (1u << 30))
		n <<= 1;
	cb->buckets = calloc(n, sizeof(*cb->buckets));
	if (cb->buckets == NULL)
		return -ENOMEM;
	cb->mask = n - 1;
	return 0;
}

void caller_buckets_free(struct caller_buckets *cb)
{
	free(cb->buckets);
	cb->buckets = NULL;
	cb->mask = 0;
}

struct rate_bucket *caller_bucket(const struct caller_buckets *cb,
				  uint32_t tenant, const char *user,
				  size_t len)
{
	/* FNV-1a, seeded with the tenant: callers of two tenants that share
	 * a number land in different buckets */
	uint64_t h = 0xcbf29ce484222325ULL ^ ((uint64_t)tenant * 0x9e3779b97f4a7c15ULL);

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)user[i]) * 0x100000001b3ULL;
	h ^= h >> 29;
	return &cb->buckets[h & cb->mask];
}
