/* SPDX-License-Identifier: BSD-3-Clause */
#include "tenant.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_lpm6.h>
#include <rte_memory.h>
#include <rte_memzone.h>

_Static_assert(PREFIX_INSIDE <= PREFIX4_VALUE_MAX,
	       "every value fits the IPv4 table");

static int create_v6(struct prefix_table *t, const char *name,
		     size_t v6_capacity, char *err, size_t errlen)
{
	/* LPM names are global in DPDK: make each table's unique. */
	static unsigned int generation;
	char lpm_name[RTE_MEMZONE_NAMESIZE];
	unsigned int gen = __atomic_fetch_add(&generation, 1, __ATOMIC_RELAXED);
	/* an IPv6 prefix may need a tbl8 group per byte past the first 3;
	 * /48s and /64s need 3 to 5 */
	struct rte_lpm6_config c6 = {
		.max_rules = (uint32_t)v6_capacity + 16,
		.number_tbl8s = (uint32_t)v6_capacity * 5 + 256,
	};

	snprintf(lpm_name, sizeof(lpm_name), "%.8s6_%u", name, gen);
	t->v6 = rte_lpm6_create(lpm_name, SOCKET_ID_ANY, &c6);
	if (t->v6 == NULL) {
		snprintf(err, errlen,
			 "cannot create prefix table '%s' for %zu IPv6 "
			 "prefixes: %s",
			 name, v6_capacity, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	t->default_v4 = TENANT_NONE;
	t->default_v6 = TENANT_NONE;
	return 0;
}

int prefix_table_add(struct prefix_table *t, const char *name,
		     const struct config_prefix *prefixes, size_t count,
		     uint32_t value, size_t v6_hint, char *err, size_t errlen)
{
	int rc;

	if (t->v4.tbl24 != NULL) {
		snprintf(err, errlen, "prefix table '%s' is already built",
			 name);
		return -EBUSY;
	}
	if (t->v6 == NULL) {
		rc = create_v6(t, name, v6_hint, err, errlen);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < count; i++) {
		const struct config_prefix *p = &prefixes[i];

		if (p->depth == 0) {
			*(p->family == 4 ? &t->default_v4 : &t->default_v6) =
				value;
			continue;
		}
		if (p->family == 4) {
			uint32_t a;

			memcpy(&a, p->addr, 4);
			rc = prefix4_routes_add(&t->v4_routes,
						rte_be_to_cpu_32(a), p->depth,
						value);
		} else {
			rc = rte_lpm6_add(t->v6, p->addr, p->depth, value);
		}
		if (rc < 0) {
			snprintf(err, errlen,
				 "cannot add prefix (config line %u) to '%s': "
				 "%s",
				 p->line, name, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int prefix_table_finish(struct prefix_table *t, const char *name, char *err,
			size_t errlen)
{
	int rc = prefix4_table_build(&t->v4, &t->v4_routes);

	prefix4_routes_free(&t->v4_routes);
	if (t->v6 == NULL) { /* nothing was ever added */
		t->default_v4 = TENANT_NONE;
		t->default_v6 = TENANT_NONE;
	}
	if (rc < 0)
		snprintf(err, errlen,
			 "cannot build prefix table '%s': out of DPDK memory "
			 "(64 MiB and more; see -m)",
			 name);
	return rc;
}

void prefix_table_free(struct prefix_table *t)
{
	prefix4_table_free(&t->v4);
	prefix4_routes_free(&t->v4_routes);
	rte_lpm6_free(t->v6);
	t->v6 = NULL;
}

void prefix_table_prefetch(const struct prefix_table *t, enum pkt_l3 l3,
			   const struct pkt_addr *addr, bool deep)
{
	if (l3 == PKT_L3_IPV4)
		prefix4_prefetch(&t->v4, addr->v4, deep);
}

uint32_t prefix_table_lookup(const struct prefix_table *t, enum pkt_l3 l3,
			     const struct pkt_addr *addr)
{
	uint32_t hop;

	if (l3 == PKT_L3_IPV4) {
		hop = prefix4_lookup(&t->v4, addr->v4);
		return hop != PREFIX4_NONE ? hop : t->default_v4;
	}
	if (l3 == PKT_L3_IPV6) {
		if (rte_lpm6_lookup(t->v6, addr->v6, &hop) == 0)
			return hop;
		return t->default_v6;
	}
	return TENANT_NONE;
}

/* FNV-1a over the lower-cased name; never 0 so 0 marks an empty slot. */
static uint64_t domain_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * 0x100000001b3ULL;
	}
	return h ? h : 1;
}

int domain_table_build(struct domain_table *t, const struct config *cfg,
		       const uint32_t *slots)
{
	size_t n = 0, size = 8;

	for (size_t i = 0; i < cfg->tenant_count; i++)
		n += cfg->tenants[i].domain_count;
	memset(t, 0, sizeof(*t));
	if (n == 0)
		return 0;
	while (size < n * 2)
		size <<= 1;
	t->slots = calloc(size, sizeof(*t->slots));
	if (t->slots == NULL)
		return -ENOMEM;
	t->mask = (uint32_t)size - 1;
	for (size_t i = 0; i < cfg->tenant_count; i++) {
		const struct config_tenant *ten = &cfg->tenants[i];

		for (size_t d = 0; d < ten->domain_count; d++) {
			const char *name = ten->domains[d];
			size_t len = strlen(name);
			uint64_t h = domain_hash(name, len);
			uint32_t s = (uint32_t)h & t->mask;

			while (t->slots[s].hash != 0)
				s = (s + 1) & t->mask;
			t->slots[s] = (struct domain_entry){
				.hash = h,
				.name = name,
				.len = (uint32_t)len,
				.tenant = slots[i],
			};
		}
	}
	return 0;
}

void domain_table_free(struct domain_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

uint32_t domain_table_lookup(const struct domain_table *t, const char *host,
			     size_t len)
{
	uint64_t h;
	uint32_t s;

	if (t->mask == 0 || len == 0)
		return TENANT_NONE;
	h = domain_hash(host, len);
	for (s = (uint32_t)h & t->mask; t->slots[s].hash != 0;
	     s = (s + 1) & t->mask) {
		const struct domain_entry *e = &t->slots[s];

		if (e->hash == h && e->len == len &&
		    strncasecmp(e->name, host, len) == 0)
			return e->tenant;
	}
	return TENANT_NONE;
}
