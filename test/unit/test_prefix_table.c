/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prefix_table (tenant.c): longest-prefix match over IPv4 (prefix4.c,
 * DIR-24-8) and IPv6 (DPDK LPM6), under a small EAL without hugepages.
 *
 *  1. hand-picked overlaps: /0, /8, /16, /24, /25, /31, /32 nested in one
 *     another, each address answered by the longest prefix that holds it,
 *     the edges of each range included; IPv6 alongside.
 *  2. a prefix added again with another value (an inside network that
 *     repeats a tenant's): the later value wins, as policy_build() needs;
 *     no /0: nobody's; an empty table; no add after finish.
 *  3. 1,500 random prefixes of every length 0-32 crowded into a /14 so they
 *     nest, checked against a brute-force reference at random addresses,
 *     at every prefix's first and last address and just outside them.
 *  4. many tenants: 100,000 /32s (the bench_control configuration) plus a
 *     covering /15, each /32 answering its own tenant.
 *  5. an IPv6 table sized too small says so (an error naming the config
 *     line), never crashes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "config.h"
#include "tenant.h"
#include "test_eal.h"

static struct config_prefix v4(uint32_t addr, uint8_t depth, uint32_t line)
{
	struct config_prefix p = {.family = 4, .depth = depth, .line = line};
	uint32_t mask = depth ? ~0u << (32 - depth) : 0;
	uint32_t be = __builtin_bswap32(addr & mask);

	memcpy(p.addr, &be, 4);
	return p;
}

static struct config_prefix parse(const char *text)
{
	struct config_prefix p;

	if (!config_parse_prefix(text, &p))
		fail_msg("bad prefix in the test: %s", text);
	return p;
}

static uint32_t ip4(const char *dotted)
{
	unsigned int a, b, c, d;

	if (sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
		fail_msg("bad address in the test: %s", dotted);
	return a << 24 | b << 16 | c << 8 | d;
}

static uint32_t lookup4(const struct prefix_table *t, uint32_t addr)
{
	struct pkt_addr a = {.v4 = addr};

	return prefix_table_lookup(t, PKT_L3_IPV4, &a);
}

static void add_one(struct prefix_table *t, struct config_prefix p,
		    uint32_t value, size_t v6_hint)
{
	char err[256];

	if (prefix_table_add(t, "test", &p, 1, value, v6_hint, err,
			     sizeof(err)) < 0)
		fail_msg("prefix_table_add: %s", err);
}

static void finish(struct prefix_table *t)
{
	char err[256];

	if (prefix_table_finish(t, "test", err, sizeof(err)) < 0)
		fail_msg("prefix_table_finish: %s", err);
}

static void test_nested(void **state)
{
	static const struct {
		const char *prefix;
		uint32_t value;
	} routes[] = {
		{"0.0.0.0/0", 1},	 {"10.0.0.0/8", 8},
		{"10.1.0.0/16", 16},	 {"10.1.2.0/24", 24},
		{"10.1.2.128/25", 25},	 {"10.1.2.254/31", 31},
		{"10.1.2.7/32", 32},	 {"10.1.3.0/32", 320},
		{"2001:db8::/32", 6032}, {"2001:db8:1::/48", 6048},
	};
	static const struct {
		const char *addr;
		uint32_t value;
	} expect[] = {
		{"9.255.255.255", 1}, {"11.0.0.0", 1},
		{"0.0.0.0", 1},	      {"255.255.255.255", 1},
		{"10.0.0.0", 8},      {"10.255.255.255", 8},
		{"10.0.255.255", 8},  {"10.2.0.0", 8},
		{"10.1.0.0", 16},     {"10.1.1.255", 16},
		{"10.1.3.1", 16},     {"10.1.255.255", 16},
		{"10.1.2.0", 24},     {"10.1.2.6", 24},
		{"10.1.2.8", 24},     {"10.1.2.127", 24},
		{"10.1.2.7", 32},     {"10.1.2.128", 25},
		{"10.1.2.253", 25},   {"10.1.2.254", 31},
		{"10.1.2.255", 31},   {"10.1.3.0", 320},
	};
	struct prefix_table t = {0};
	struct pkt_addr a6 = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(routes) / sizeof(*routes); i++)
		add_one(&t, parse(routes[i].prefix), routes[i].value, 2);
	finish(&t);
	for (size_t i = 0; i < sizeof(expect) / sizeof(*expect); i++) {
		uint32_t got = lookup4(&t, ip4(expect[i].addr));

		if (got != expect[i].value)
			fail_msg("%s: %u, expected %u", expect[i].addr, got,
				 expect[i].value);
	}
	/* IPv6 beside it: no /0 there, so an address outside is nobody's */
	memcpy(a6.v6, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb8, 0, 1}, 6);
	assert_int_equal(prefix_table_lookup(&t, PKT_L3_IPV6, &a6), 6048);
	a6.v6[5] = 2;
	assert_int_equal(prefix_table_lookup(&t, PKT_L3_IPV6, &a6), 6032);
	a6.v6[3] = 0xb9;
	assert_int_equal(prefix_table_lookup(&t, PKT_L3_IPV6, &a6),
			 TENANT_NONE);
	assert_int_equal(prefix_table_lookup(&t, PKT_L3_NONE, &a6),
			 TENANT_NONE);
	prefix_table_free(&t);
}

static void test_no_default_and_readd(void **state)
{
	struct config_prefix ten8 = parse("10.0.0.0/8");
	struct prefix_table t = {0};
	char err[256];

	(void)state;
	add_one(&t, parse("198.18.0.0/24"), 5, 0);
	add_one(&t, parse("198.18.0.42/32"), 6, 0);
	finish(&t);
	assert_int_equal(lookup4(&t, ip4("198.18.1.0")), TENANT_NONE);
	assert_int_equal(lookup4(&t, ip4("0.0.0.0")), TENANT_NONE);
	assert_int_equal(lookup4(&t, ip4("255.255.255.255")), TENANT_NONE);
	assert_int_equal(lookup4(&t, ip4("198.18.0.41")), 5);
	assert_int_equal(lookup4(&t, ip4("198.18.0.42")), 6);
	/* built: nothing more goes in */
	assert_int_equal(
		prefix_table_add(&t, "test", &ten8, 1, 1, 0, err, sizeof(err)),
		-EBUSY);
	assert_int_equal(lookup4(&t, ip4("10.0.0.1")), TENANT_NONE);
	prefix_table_free(&t);

	/* written again, as an inside network: the later value wins */
	add_one(&t, parse("198.18.0.0/24"), 5, 0);
	add_one(&t, parse("198.18.0.42/32"), 6, 0);
	add_one(&t, parse("198.18.0.0/24"), PREFIX_INSIDE, 0);
	add_one(&t, parse("198.18.0.42/32"), PREFIX_INSIDE, 0);
	/* slot 0 is a tenant like any other, also as the default */
	add_one(&t, parse("0.0.0.0/0"), 0, 0);
	add_one(&t, parse("203.0.113.9/32"), 0, 0);
	finish(&t);
	assert_int_equal(lookup4(&t, ip4("198.18.0.41")), PREFIX_INSIDE);
	assert_int_equal(lookup4(&t, ip4("198.18.0.42")), PREFIX_INSIDE);
	assert_int_equal(lookup4(&t, ip4("198.18.1.0")), 0);
	assert_int_equal(lookup4(&t, ip4("203.0.113.9")), 0);
	assert_int_equal(lookup4(&t, ip4("203.0.113.8")), 0);
	prefix_table_free(&t);
	prefix_table_free(&t); /* twice is harmless */

	/* nothing at all */
	finish(&t);
	assert_int_equal(lookup4(&t, ip4("198.18.0.1")), TENANT_NONE);
	prefix_table_free(&t);
}

/* Reference: the longest of `n` prefixes holding addr (the last written
 * of equal ones), its value, or TENANT_NONE. */
struct ref_prefix {
	uint32_t net, mask, value;
	int depth;
};

static uint32_t ref_lookup(const struct ref_prefix *r, size_t n, uint32_t addr)
{
	int best = -1;
	uint32_t value = TENANT_NONE;

	for (size_t i = 0; i < n; i++)
		if ((addr & r[i].mask) == r[i].net && r[i].depth >= best) {
			best = r[i].depth;
			value = r[i].value;
		}
	return value;
}

#define RANDOM_PREFIXES 1500
#define RANDOM_LOOKUPS 60000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t rng(void)
{
	/* xorshift64*: reproducible from the fixed seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static void check_at(const struct prefix_table *t, const struct ref_prefix *r,
		     size_t n, uint32_t addr)
{
	uint32_t want = ref_lookup(r, n, addr), got = lookup4(t, addr);

	if (got != want)
		fail_msg("%u.%u.%u.%u: %u, expected %u", addr >> 24,
			 (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, got,
			 want);
}

static void test_random_against_reference(void **state)
{
	static struct ref_prefix ref[RANDOM_PREFIXES];
	struct prefix_table t = {0};
	const uint32_t crowd = 0xC6120000u; /* 198.18.0.0/14 */

	(void)state;
	for (size_t i = 0; i < RANDOM_PREFIXES; i++) {
		/* mostly 14-32 inside the crowd, a few short ones over it */
		int depth = i % 50 == 0 ? (int)(rng() % 14)
					: 14 + (int)(rng() % 19);
		uint32_t addr = crowd | (rng() & 0x3FFFFu);
		uint32_t mask = depth ? ~0u << (32 - depth) : 0;
		/* now and then a repeat with another value */
		if (i > 0 && i % 37 == 0) {
			size_t j = rng() % i;

			addr = ref[j].net;
			depth = ref[j].depth;
			mask = ref[j].mask;
		}
		ref[i] = (struct ref_prefix){addr & mask, mask,
					     (uint32_t)i * 3 + 1, depth};
		add_one(&t, v4(addr, (uint8_t)depth, (uint32_t)i), ref[i].value,
			0);
	}
	finish(&t);
	for (size_t i = 0; i < RANDOM_PREFIXES; i++) {
		uint32_t last = ref[i].net | ~ref[i].mask;

		check_at(&t, ref, RANDOM_PREFIXES, ref[i].net);
		check_at(&t, ref, RANDOM_PREFIXES, ref[i].net - 1);
		check_at(&t, ref, RANDOM_PREFIXES, last);
		check_at(&t, ref, RANDOM_PREFIXES, last + 1);
	}
	for (size_t i = 0; i < RANDOM_LOOKUPS; i++)
		check_at(&t, ref, RANDOM_PREFIXES,
			 i % 4 ? crowd | (rng() & 0x3FFFFu) : rng());
	prefix_table_free(&t);
}

#define MANY 100000u

static void test_many_host_routes(void **state)
{
	struct config_prefix *ps = calloc(MANY, sizeof(*ps));
	const uint32_t base = 0xC6120000u; /* 198.18.0.0 */
	struct prefix_table t = {0};
	char err[256];

	(void)state;
	assert_non_null(ps);
	/* one /32 per tenant, added one tenant at a time as policy_build()
	 * does, under a /15 that answers the rest */
	for (uint32_t i = 0; i < MANY; i++) {
		ps[i] = v4(base + i, 32, i + 1);
		if (prefix_table_add(&t, "many", &ps[i], 1, i, 0, err,
				     sizeof(err)) < 0)
			fail_msg("tenant %u: %s", i, err);
	}
	ps[0] = v4(base, 15, 0);
	assert_int_equal(prefix_table_add(&t, "many", ps, 1, PREFIX_INSIDE, 0,
					  err, sizeof(err)),
			 0);
	finish(&t);
	/* one tbl8 group per /24 holding the /32s, no more */
	assert_int_equal(t.v4.groups, (MANY + 255) / 256);
	for (uint32_t i = 0; i < MANY; i++)
		if (lookup4(&t, base + i) != i)
			fail_msg("tenant %u: %u", i, lookup4(&t, base + i));
	assert_int_equal(lookup4(&t, base + MANY), PREFIX_INSIDE);
	assert_int_equal(lookup4(&t, base + 0x1FFFFu), PREFIX_INSIDE);
	assert_int_equal(lookup4(&t, base + 0x20000u), TENANT_NONE);
	assert_int_equal(lookup4(&t, base - 1), TENANT_NONE);
	prefix_table_free(&t);
	free(ps);
}

static void test_too_small(void **state)
{
	struct prefix_table t = {0};
	struct config_prefix p;
	char err[256] = "";
	int rc = 0;
	uint32_t i;

	(void)state;
	/* IPv6 sized for one prefix: room for a few more, not for 2,000 */
	for (i = 0; i < 2000 && rc == 0; i++) {
		char text[64];

		snprintf(text, sizeof(text), "2001:db8:%x::/48", i);
		p = parse(text);
		p.line = 1000 + i;
		rc = prefix_table_add(&t, "small", &p, 1, i, 1, err,
				      sizeof(err));
	}
	assert_true(rc < 0);
	assert_non_null(strstr(err, "cannot add prefix (config line"));
	prefix_table_free(&t); /* never finished */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_no_default_and_readd),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_many_host_routes),
		cmocka_unit_test(test_too_small),
	};
	int rc;

	if (test_eal_init("test_prefix_table", "512", false) < 0) {
		fprintf(stderr, "test_prefix_table: EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
