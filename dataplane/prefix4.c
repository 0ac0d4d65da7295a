/* SPDX-License-Identifier: BSD-3-Clause */
#include "prefix4.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#define TBL24_ENTRIES (1u << 24)
#define GROUP_ENTRIES 256u

int prefix4_routes_add(struct prefix4_routes *rs, uint32_t addr, uint8_t depth,
		       uint32_t value)
{
	if (depth == 0 || depth > 32 || value > PREFIX4_VALUE_MAX)
		return -EINVAL;
	if (rs->count == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct prefix4_route *r = realloc(rs->r, cap * sizeof(*r));

		if (r == NULL)
			return -ENOMEM;
		rs->r = r;
		rs->cap = cap;
	}
	rs->r[rs->count] = (struct prefix4_route){
		.net = addr & (~0u << (32 - depth)),
		.depth = depth,
		.value = value,
		.seq = (uint32_t)rs->count,
	};
	rs->count++;
	return 0;
}

void prefix4_routes_free(struct prefix4_routes *rs)
{
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

/* Shorter prefixes first, so that longer ones paint over them; of equal
 * length, in the order added, so that the later paints last. */
static int route_cmp(const void *a, const void *b)
{
	const struct prefix4_route *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void fill(uint32_t *e, uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		e[i] = v;
}

int prefix4_table_build(struct prefix4_table *t, struct prefix4_routes *rs)
{
	uint32_t *inherit = NULL; /* each group's entry before it split */
	size_t first_long = 0;

	memset(t, 0, sizeof(*t));
	qsort(rs->r, rs->count, sizeof(*rs->r), route_cmp);
	/* zeroed: no route anywhere */
	t->tbl24 = rte_zmalloc("prefix4_tbl24",
			       TBL24_ENTRIES * sizeof(uint32_t), 64);
	if (t->tbl24 == NULL)
		return -ENOMEM;
	/* up to /24: whole tbl24 entries */
	for (; first_long < rs->count && rs->r[first_long].depth <= 24;
	     first_long++) {
		const struct prefix4_route *r = &rs->r[first_long];

		fill(&t->tbl24[r->net >> 8], 1u << (24 - r->depth),
		     r->value + 1);
	}
	/* longer: a tbl8 group for each /24 they fall in, starting from
	 * what the /24 held */
	if (first_long < rs->count) {
		inherit = malloc((rs->count - first_long) * sizeof(*inherit));
		if (inherit == NULL)
			goto nomem;
	}
	for (size_t i = first_long; i < rs->count; i++) {
		uint32_t *e = &t->tbl24[rs->r[i].net >> 8];

		if (*e & PREFIX4_EXT)
			continue;
		inherit[t->groups] = *e;
		*e = PREFIX4_EXT | t->groups++;
	}
	if (t->groups != 0) {
		t->tbl8 = rte_malloc("prefix4_tbl8",
				     (size_t)t->groups * GROUP_ENTRIES *
					     sizeof(uint32_t),
				     64);
		if (t->tbl8 == NULL)
			goto nomem;
		for (uint32_t g = 0; g < t->groups; g++)
			fill(&t->tbl8[g * GROUP_ENTRIES], GROUP_ENTRIES,
			     inherit[g]);
	}
	for (size_t i = first_long; i < rs->count; i++) {
		const struct prefix4_route *r = &rs->r[i];
		uint32_t g = t->tbl24[r->net >> 8] & ~PREFIX4_EXT;

		fill(&t->tbl8[g * GROUP_ENTRIES + (r->net & 0xFF)],
		     1u << (32 - r->depth), r->value + 1);
	}
	free(inherit);
	return 0;
nomem:
	free(inherit);
	prefix4_table_free(t);
	return -ENOMEM;
}

void prefix4_table_free(struct prefix4_table *t)
{
	rte_free(t->tbl24);
	rte_free(t->tbl8);
	memset(t, 0, sizeof(*t));
}
