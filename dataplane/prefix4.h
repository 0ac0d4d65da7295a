/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prefix4: a read-only IPv4 longest-prefix-match table (DIR-24-8), built
 * at once from a list of routes.
 *
 * Contract:
 *  - Routes are collected with prefix4_routes_add(), then
 *    prefix4_table_build() makes the table in O(N log N + addresses
 *    painted): no per-route scan of the others (DPDK's rte_lpm_add() scans
 *    every rule of the same length: quadratic), no tree kept afterwards.
 *  - Semantics: the longest prefix holding the address wins; of routes
 *    with the same prefix and length, the one added last. Depth 0 is not
 *    taken (the caller keeps its default route).
 *  - The table is immutable once built: lookups take no lock, may run on
 *    any lcore concurrently, and cost one load (two for addresses under a
 *    prefix longer than /24), as DPDK LPM's.
 *  - Memory (DPDK heap): a 64 MiB tbl24, plus 1 KiB per /24 that holds a
 *    prefix longer than /24, sized exactly at build.
 */
#ifndef SIPWARDEN_PREFIX4_H
#define SIPWARDEN_PREFIX4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Values a route can map to: 0 .. PREFIX4_VALUE_MAX. */
#define PREFIX4_VALUE_MAX 0x7FFFFFFEu
/* What a lookup answers where no route matches. */
#define PREFIX4_NONE UINT32_MAX

struct prefix4_route {
	uint32_t net;  /* host byte order, host bits zero */
	uint8_t depth; /* 1..32 */
	uint32_t value;
	uint32_t seq; /* order of addition: the later wins a tie */
};

struct prefix4_routes {
	struct prefix4_route *r;
	size_t count, cap;
};

/* Append a route (addr's host bits are cleared). 0, -EINVAL for a depth
 * or value out of range, or -ENOMEM. */
int prefix4_routes_add(struct prefix4_routes *rs, uint32_t addr, uint8_t depth,
		       uint32_t value);
void prefix4_routes_free(struct prefix4_routes *rs);

/*
 * tbl24 entries and tbl8 entries: 0 no route, value + 1, or (tbl24 only)
 * PREFIX4_EXT | the index of a 256-entry tbl8 group.
 */
#define PREFIX4_EXT 0x80000000u

struct prefix4_table {
	uint32_t *tbl24; /* [1 << 24], NULL before build */
	uint32_t *tbl8;	 /* [groups * 256] */
	uint32_t groups;
};

/* Build t from rs (rs is sorted in place, and kept). 0 or -ENOMEM. */
int prefix4_table_build(struct prefix4_table *t, struct prefix4_routes *rs);
void prefix4_table_free(struct prefix4_table *t);

static inline uint32_t prefix4_lookup(const struct prefix4_table *t,
				      uint32_t addr)
{
	uint32_t e = t->tbl24[addr >> 8];

	if (__builtin_expect((e & PREFIX4_EXT) != 0, 0))
		e = t->tbl8[(e & ~PREFIX4_EXT) << 8 | (addr & 0xFF)];
	return e - 1; /* 0 (no route) becomes PREFIX4_NONE */
}

/* Fetch ahead what prefix4_lookup(t, addr) reads: the tbl24 entry, or
 * (deep, once that has arrived) the tbl8 entry it points to. A hint. */
static inline void prefix4_prefetch(const struct prefix4_table *t,
				    uint32_t addr, bool deep)
{
	const uint32_t *e = &t->tbl24[addr >> 8];

	if (!deep)
		__builtin_prefetch(e, 0, 3);
	else if (__builtin_expect((*e & PREFIX4_EXT) != 0, 0))
		__builtin_prefetch(
			&t->tbl8[(*e & ~PREFIX4_EXT) << 8 | (addr & 0xFF)], 0,
			3);
}

#endif
