/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ratelimit: token buckets that cost one atomic compare-and-swap.
 *
 * Contract:
 *  - A bucket is one 64-bit word, the "theoretical arrival time" of the
 *    generic cell rate algorithm (GCRA, equivalent to a token bucket of
 *    `burst` tokens refilled at `rate` per second). rate_allow() admits
 *    or refuses one event at time now_ns and never blocks.
 *  - Safe from any number of threads at once: the limit holds exactly,
 *    whatever the interleaving (a CAS loop, no lock).
 *  - Time is the caller's clock in nanoseconds (capture time in replay),
 *    so behaviour is reproducible; a clock that steps back only makes
 *    the bucket stricter for that long, never looser.
 *  - A rate of 0 means "no limit"; rate_allow() then returns true.
 *  - A caller_buckets set shares a fixed array of buckets among callers by
 *    hash: two callers that collide share a bucket (stricter, never
 *    looser), so memory stays bounded whatever the traffic.
 */
#ifndef SIPWARDEN_RATELIMIT_H
#define SIPWARDEN_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rate_spec {
	uint64_t interval_ns; /* 1e9 / rate; 0 = unlimited */
	uint64_t depth_ns;    /* burst * interval_ns */
};

struct rate_bucket {
	uint64_t tat; /* accessed with __atomic builtins only */
};

/* rate: events per second (0 = unlimited); burst: at least 1. */
void rate_spec_init(struct rate_spec *s, uint32_t rate, uint32_t burst);

static inline bool rate_allow(struct rate_bucket *b, const struct rate_spec *s,
			      uint64_t now_ns)
{
	uint64_t tat, next;

	if (s->interval_ns == 0)
		return true;
	tat = __atomic_load_n(&b->tat, __ATOMIC_RELAXED);
	do {
		next = (tat > now_ns ? tat : now_ns) + s->interval_ns;
		if (next - now_ns > s->depth_ns)
			return false;
	} while (!__atomic_compare_exchange_n(&b->tat, &tat, next, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return true;
}

struct caller_buckets {
	struct rate_bucket *buckets;
	uint32_t mask;
};

/* count is rounded up to a power of two. Returns 0 or -ENOMEM. */
int caller_buckets_init(struct caller_buckets *cb, uint32_t count);
void caller_buckets_free(struct caller_buckets *cb);

/* The bucket of one caller (tenant + calling party's user part). */
struct rate_bucket *caller_bucket(const struct caller_buckets *cb,
				  uint32_t tenant, const char *user,
				  size_t len);

#endif
