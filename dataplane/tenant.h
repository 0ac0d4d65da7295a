/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tenant: address and SIP domain -> tenant, and address -> "inside?".
 *
 * Contract:
 *  - A prefix_table maps IPv4/IPv6 addresses to a value by longest-prefix
 *    match (prefix4's DIR-24-8 for IPv4, DPDK LPM6 for IPv6; /0 routes
 *    handled here). Built once by the control side (prefix_table_add()
 *    for each group of prefixes, then prefix_table_finish()), then
 *    read-only: lookups take no lock and may run on any lcore
 *    concurrently. IPv4 costs O(N log N) to build for N prefixes, and a
 *    64 MiB tbl24 per table whatever N.
 *  - A domain_table maps a lower-case host name to a tenant; lookups fold
 *    case themselves, so callers pass the host as it appears on the wire.
 *  - Lookups return TENANT_NONE when nothing matches.
 */
#ifndef SIPWARDEN_TENANT_H
#define SIPWARDEN_TENANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "prefix4.h"

#define TENANT_NONE UINT32_MAX
/* The value of the SBC's own networks in a prefix_table: above every
 * tenant slot, and within what LPM6 can hold (21 bits). */
#define PREFIX_INSIDE 0x1FFFFFu
#define TENANT_SLOTS_MAX (PREFIX_INSIDE - 1)
_Static_assert(CONFIG_MAX_TENANTS <= TENANT_SLOTS_MAX,
	       "every tenant slot must fit a prefix table's next hop");

struct rte_lpm6;

struct prefix_table {
	struct prefix4_table v4;	 /* built by prefix_table_finish() */
	struct prefix4_routes v4_routes; /* until then */
	struct rte_lpm6 *v6;
	uint32_t default_v4; /* value of 0.0.0.0/0, or TENANT_NONE */
	uint32_t default_v6; /* value of ::/0, or TENANT_NONE */
};

struct domain_entry {
	uint64_t hash; /* 0 = empty slot */
	const char *name;
	uint32_t len;
	uint32_t tenant;
};

struct domain_table {
	struct domain_entry *slots;
	uint32_t mask; /* slot count - 1 (power of two), 0 when empty */
};

/*
 * Add `count` prefixes, each mapping to `value`; a prefix added again maps
 * to the later value. Creates the IPv6 table on first use, sized for
 * v6_hint IPv6 prefixes in all. Returns 0 or -errno with a message in err.
 */
int prefix_table_add(struct prefix_table *t, const char *name,
		     const struct config_prefix *prefixes, size_t count,
		     uint32_t value, size_t v6_hint, char *err, size_t errlen);
/* After the last add, before the first lookup: builds the IPv4 table. */
int prefix_table_finish(struct prefix_table *t, const char *name, char *err,
			size_t errlen);
/* Also of a table never finished, or all zeros; twice is harmless. */
void prefix_table_free(struct prefix_table *t);
/*
 * Fetch ahead what prefix_table_lookup(t, l3, addr) will read, for a
 * burst that knows its addresses early: with deep false the first level
 * (IPv4 tbl24), with deep true, once that has arrived, the second level
 * (tbl8) where the first points to one. IPv6 is left alone. A hint only.
 */
void prefix_table_prefetch(const struct prefix_table *t, enum pkt_l3 l3,
			   const struct pkt_addr *addr, bool deep);
uint32_t prefix_table_lookup(const struct prefix_table *t, enum pkt_l3 l3,
			     const struct pkt_addr *addr);

/* The domains of cfg's tenants; tenant i maps to slots[i]. */
int domain_table_build(struct domain_table *t, const struct config *cfg,
		       const uint32_t *slots);
void domain_table_free(struct domain_table *t);
uint32_t domain_table_lookup(const struct domain_table *t, const char *host,
			     size_t len);

#endif
