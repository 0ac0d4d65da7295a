/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RCU publication of policy while the fast path reads it: a writer swaps
 * thousands of versions while two reader threads (registered QSBR readers,
 * as workers are, reporting a quiescent state each loop) check that every
 * object they reach is whole and valid, and that versions never go
 * backwards. Every field of a published object is derived from one version
 * number, so a torn, stale-after-newer, or freed object shows up as a
 * mismatch (or, under ASan, as a use after free: the readers read each
 * object twice with a pause in between, so a premature free lands while
 * they still hold it). At the end: rcu_barrier() and everything freed;
 * LSan reports any leak, and in a build without ASan the heap in use must
 * come back to where it started.
 *
 *  1. tenant_registry: tenant_registry_publish() of 4 tenants' policy
 *     objects (>= 10,000 versions of each of slots 0-2, plus a tenant
 *     removed and published again every 64 versions: readers must see it
 *     whole or NULL), read with tenant_registry_get().
 *  2. policy snapshots made by hand, without DPDK: policy_publish() /
 *     policy_current() of 10,000 struct policy objects whose cfg comes from
 *     config_load_string() of a YAML text derived from the version, with a
 *     domain table, emergency list, port maps and reply tag key of their
 *     own; freed through policy_free() by call_rcu (prefix tables left
 *     empty: freeing an empty prefix table needs no EAL). The writer
 *     also waits for a grace period every 256 versions, as control_ops's
 *     install() does before every build.
 *  3. real snapshots: with a small EAL (no hugepages), policy_build() of
 *     configs with prefixes (prefix4, LPM6) and tenants in the registry, as
 *     tenant.add/del/reload do (rcu_barrier, build, publish, remove the
 *     tenants the new one lacks), while readers look tenants up by address
 *     and by domain. Fewer versions (each IPv4 table is 64 MB to zero).
 */
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "config.h"
#include "config_edit.h"
#include "policy.h"
#include "state_table.h"
#include "tenant_registry.h"
#include "test_eal.h"

#define READERS 2
#define TENANT_VERSIONS 12032u /* per swapped slot; a multiple of 64 */
#define SWAPPED_SLOTS 3u
#define SNAPSHOT_VERSIONS 10000u
#define REAL_SNAPSHOT_VERSIONS 60u
#define NS 1000000000ULL

/* Reader failures are collected, not asserted, off the main thread. */
struct reader {
	pthread_t tid;
	const volatile bool *done;
	void (*check)(struct reader *r);
	unsigned long seen, nulls, loops, distinct;
	uint32_t last[8];
	char failure[256];
};

static void reader_fail(struct reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reader_fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failure[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
	va_end(ap);
}

/* A pause long enough for a writer on the other CPU to publish and, were
 * grace periods broken, for the reclaimer to free what we hold. */
static void dwell(unsigned long i)
{
	if (i % 16 == 0)
		sched_yield();
	for (volatile int k = 0; k < 200; k++)
		;
}

static int readers_running;

/* The writer starts once every reader reads, and lets them run now and
 * then (2 CPUs, and the reclaimer), so that they see many versions. */
static void wait_for_readers(void)
{
	while (__atomic_load_n(&readers_running, __ATOMIC_ACQUIRE) < READERS)
		sched_yield();
}

static void writer_pause(uint32_t v)
{
	if (v % 8 == 0)
		sched_yield();
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;

	state_table_thread_init();
	__atomic_fetch_add(&readers_running, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(r->done, __ATOMIC_ACQUIRE) &&
	       r->failure[0] == '\0') {
		r->check(r);
		r->loops++;
		rcu_quiescent_state();
	}
	__atomic_fetch_sub(&readers_running, 1, __ATOMIC_RELEASE);
	state_table_thread_fini();
	return NULL;
}

static void start_readers(struct reader *rs, const volatile bool *done,
			  void (*check)(struct reader *r))
{
	for (int i = 0; i < READERS; i++) {
		memset(&rs[i], 0, sizeof(rs[i]));
		rs[i].done = done;
		rs[i].check = check;
		assert_int_equal(
			pthread_create(&rs[i].tid, NULL, reader_main, &rs[i]),
			0);
	}
}

static void join_readers(struct reader *rs, const char *what)
{
	for (int i = 0; i < READERS; i++) {
		assert_int_equal(pthread_join(rs[i].tid, NULL), 0);
		print_message("%s reader %d: %lu loops, %lu objects checked, "
			      "%lu NULL, %lu version changes seen\n",
			      what, i, rs[i].loops, rs[i].seen, rs[i].nulls,
			      rs[i].distinct);
		if (rs[i].failure[0] != '\0')
			fail_msg("%s reader %d: %s", what, i, rs[i].failure);
		/* they ran concurrently with the writer, not just after it */
		assert_true(rs[i].distinct > 1);
	}
}

/* The heap in use (0 where the allocator does not say: ASan). */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks;
}

static void check_heap_back(size_t before, const char *what)
{
	size_t after = heap_in_use();

	if (before == 0 || after == 0)
		return; /* ASan: LSan checks at exit instead */
	print_message("%s: heap in use %zu bytes before, %zu after\n", what,
		      before, after);
	/* the versions allocated hundreds of MB in all */
	assert_true(after < before + (1u << 20));
}

/* ---------------------------------------------------------------------
 * 1. tenant policy objects in the registry
 */

static struct tenant_registry *registry;

static void tenant_name(uint32_t slot, char *buf, size_t len)
{
	snprintf(buf, len, "tenant-%u", slot);
}

static struct config_limits limits_of(uint32_t v)
{
	return (struct config_limits){
		.max_calls = v,
		.max_inbound = v / 2,
		.max_outbound = v - v / 2,
		.cps = v % 1000 + 1,
		.burst = v % 7 + 1,
		.caller_cps = v % 13 + 1,
		.caller_burst = v % 3 + 1,
		.register_rate = v % 500 + 1,
		.register_burst = v % 5 + 1,
		.other_rate = v % 250 + 1,
		.other_burst = v % 11 + 1,
		.max_users = v ^ 0x5a5a,
		.max_call_duration = v % 86400 + 1,
		.unanswered_timeout = v % 300 + 1,
	};
}

static bool rate_equal(struct rate_spec a, uint32_t rate, uint32_t burst)
{
	struct rate_spec b;

	rate_spec_init(&b, rate, burst);
	return a.interval_ns == b.interval_ns && a.depth_ns == b.depth_ns;
}

/* Every field of tp against its version; "" when whole. */
static const char *tenant_policy_problem(const struct tenant_policy *tp,
					 uint32_t slot)
{
	struct config_limits l;
	char name[CONFIG_NAME_MAX];
	uint32_t v = tp->max_calls;

	tenant_name(slot, name, sizeof(name));
	l = limits_of(v);
	if (strcmp(tp->name, name) != 0)
		return "name";
	if (memcmp(&tp->limits, &l, sizeof(l)) != 0)
		return "limits";
	if (tp->max_inbound != l.max_inbound ||
	    tp->max_outbound != l.max_outbound || tp->max_users != (v ^ 0x5a5a))
		return "counts";
	if (!rate_equal(tp->cps, l.cps, l.burst) ||
	    !rate_equal(tp->caller_cps, l.caller_cps, l.caller_burst) ||
	    !rate_equal(tp->register_rate, l.register_rate, l.register_burst) ||
	    !rate_equal(tp->other_rate, l.other_rate, l.other_burst))
		return "rates";
	if (tp->max_call_duration_ns != (uint64_t)l.max_call_duration * NS ||
	    tp->unanswered_timeout_ns != (uint64_t)l.unanswered_timeout * NS)
		return "timeouts";
	if (tp->suspended != (v & 1))
		return "suspended";
	return "";
}

static void check_tenants(struct reader *r)
{
	for (uint32_t slot = 0; slot <= SWAPPED_SLOTS; slot++) {
		const struct tenant_policy *tp =
			tenant_registry_get(registry, slot);
		const char *problem;
		uint32_t v;

		if (tp == NULL) {
			/* only the tenant that comes and goes */
			if (slot < SWAPPED_SLOTS)
				reader_fail(r,
					    "slot %u: NULL after version "
					    "%u",
					    slot, r->last[slot]);
			r->nulls++;
			continue;
		}
		v = tp->max_calls;
		problem = tenant_policy_problem(tp, slot);
		if (problem[0] != '\0') {
			reader_fail(r, "slot %u version %u: %s", slot, v,
				    problem);
			return;
		}
		if (v < r->last[slot]) {
			reader_fail(r, "slot %u: version %u after %u", slot, v,
				    r->last[slot]);
			return;
		}
		if (v != r->last[slot])
			r->distinct++;
		r->last[slot] = v;
		r->seen++;
		/* still ours until the next quiescent state: read it again
		 * later in this grace period */
		dwell(r->loops);
		problem = tenant_policy_problem(tp, slot);
		if (problem[0] != '\0' || tp->max_calls != v)
			reader_fail(r,
				    "slot %u version %u changed under the "
				    "reader: %s",
				    slot, v, problem);
	}
}

static void publish_tenant(uint32_t slot, uint32_t v)
{
	struct config_limits l = limits_of(v);
	struct tenant_policy tp;
	char name[CONFIG_NAME_MAX];

	tenant_name(slot, name, sizeof(name));
	tenant_policy_init(&tp, name, &l, v & 1);
	assert_int_equal(tenant_registry_publish(registry, &tp), slot);
}

static void *tenant_writer(void *arg)
{
	volatile bool *done = arg;

	state_table_thread_init();
	rcu_thread_offline();
	wait_for_readers();
	rcu_thread_online();
	for (uint32_t v = 1; v <= TENANT_VERSIONS; v++) {
		for (uint32_t slot = 0; slot < SWAPPED_SLOTS; slot++)
			publish_tenant(slot, v);
		/* the tenant in the last slot comes and goes; it keeps its
		 * slot while it drains */
		if (v % 64 == 0)
			tenant_registry_remove(registry, SWAPPED_SLOTS);
		else if (v % 64 == 1)
			publish_tenant(SWAPPED_SLOTS, v);
		/* the control loop's quiescent state, between commands */
		rcu_quiescent_state();
		writer_pause(v);
	}
	__atomic_store_n(done, true, __ATOMIC_RELEASE);
	state_table_thread_fini();
	return NULL;
}

static void test_tenant_registry_swaps(void **state)
{
	struct reader rs[READERS];
	volatile bool done = false;
	pthread_t writer;
	size_t heap_before;

	(void)state;
	state_table_thread_init(); /* creates the reclaimer */
	rcu_thread_offline();
	heap_before = heap_in_use();
	registry = tenant_registry_create(8);
	assert_non_null(registry);
	/* slots 0..3 in order, so that names map to slot numbers */
	for (uint32_t slot = 0; slot <= SWAPPED_SLOTS; slot++) {
		rcu_thread_online();
		publish_tenant(slot, 0);
		rcu_thread_offline();
	}
	start_readers(rs, &done, check_tenants);
	assert_int_equal(
		pthread_create(&writer, NULL, tenant_writer, (void *)&done), 0);
	assert_int_equal(pthread_join(writer, NULL), 0);
	join_readers(rs, "tenant");
	for (int i = 0; i < READERS; i++)
		for (uint32_t slot = 0; slot < SWAPPED_SLOTS; slot++)
			assert_true(rs[i].last[slot] <= TENANT_VERSIONS);

	rcu_thread_online();
	for (uint32_t slot = 0; slot < SWAPPED_SLOTS; slot++)
		assert_int_equal(tenant_registry_get(registry, slot)->max_calls,
				 TENANT_VERSIONS);
	/* TENANT_VERSIONS is a multiple of 64: the last one is removed */
	assert_null(tenant_registry_get(registry, SWAPPED_SLOTS));
	assert_int_equal(tenant_registry_find(registry, "tenant-3"), -1);
	assert_int_equal(tenant_registry_count(registry), SWAPPED_SLOTS);
	rcu_thread_offline();
	rcu_barrier(); /* every replaced object freed by now */
	tenant_registry_free(registry);
	registry = NULL;
	check_heap_back(heap_before, "tenant registry");
	state_table_thread_fini();
}

/* ---------------------------------------------------------------------
 * 2. whole snapshots, made by hand (no DPDK)
 */

#define SNAP_TENANTS_MAX 3u

static uint32_t snap_tenant_count(uint32_t v)
{
	return 1 + v % SNAP_TENANTS_MAX;
}

static struct config *snapshot_config(uint32_t v)
{
	char yaml[2048], err[1024];
	int n;
	struct config *cfg;

	n = snprintf(yaml, sizeof(yaml),
		     "workers: %u\n"
		     "calls: {capacity: %u}\n"
		     "registrations: {capacity: %u}\n"
		     "sip: {ports: [%u]}\n"
		     "actions: {reply_rate: %u, reply_burst: %u,"
		     " call_limit_code: %u}\n"
		     "emergency: {numbers: [\"%u\"]}\n"
		     "tenants:\n",
		     1 + v % 64, 1000 + v, 2000 + v, 6000 + v % 50000,
		     v % 5000 + 1, v % 17 + 1, 400 + v % 300, 1000 + v);
	for (uint32_t i = 0; i < snap_tenant_count(v); i++)
		n += snprintf(yaml + n, sizeof(yaml) - (size_t)n,
			      "  - name: v%u-t%u\n"
			      "    domains: [v%u-t%u.example]\n",
			      v, i, v, i);
	cfg = config_load_string("snapshot.yaml", yaml, (size_t)n, err,
				 sizeof(err));
	if (cfg == NULL)
		fail_msg("config for version %u: %s", v, err);
	return cfg;
}

static struct policy *hand_made_policy(uint32_t v)
{
	struct policy *p = calloc(1, sizeof(*p));
	struct config *cfg = snapshot_config(v);
	uint32_t slots[SNAP_TENANTS_MAX];

	assert_non_null(p);
	p->cfg = cfg;
	p->registry = registry;
	for (uint32_t i = 0; i < SNAP_TENANTS_MAX; i++)
		slots[i] = 100 * v + i;
	assert_int_equal(domain_table_build(&p->tenant_domains, cfg, slots), 0);
	p->prefixes.default_v4 = p->prefixes.default_v6 = TENANT_NONE;
	p->sip_ports[cfg->sip_ports[0] >> 3] |=
		(uint8_t)(1u << (cfg->sip_ports[0] & 7));
	p->refusals[VERDICT_CALL_LIMIT].code =
		(uint16_t)cfg->refusals[CONFIG_REFUSAL_CALL_LIMIT].code;
	rate_spec_init(&p->reply_rate, cfg->reply_rate, cfg->reply_burst);
	for (size_t i = 0; i < cfg->emergency_count; i++)
		assert_true(
			emergency_list_add(&p->emergency, cfg->emergency[i]));
	memset(p->tag_key, (int)(v & 0xff), sizeof(p->tag_key));
	return p;
}

static const char *snapshot_problem(const struct policy *p, uint32_t *vout)
{
	const struct config *cfg = p->cfg;
	uint32_t v = cfg->call_capacity - 1000;
	char want[64];
	uint16_t port = (uint16_t)(6000 + v % 50000);

	*vout = v;
	if (cfg->reg_capacity != 2000 + v || cfg->workers != 1 + v % 64)
		return "capacities";
	if (cfg->sip_port_count != 1 || cfg->sip_ports[0] != port)
		return "config ports";
	if (!policy_port_in(p->sip_ports, port) ||
	    policy_port_in(p->sip_ports, (uint16_t)(port + 1)) ||
	    policy_port_in(p->sip_ports, 5060))
		return "port map";
	if (cfg->reply_rate != v % 5000 + 1 || cfg->reply_burst != v % 17 + 1 ||
	    !rate_equal(p->reply_rate, cfg->reply_rate, cfg->reply_burst))
		return "reply rate";
	if (p->refusals[VERDICT_CALL_LIMIT].code != 400 + v % 300)
		return "refusal code";
	snprintf(want, sizeof(want), "%u", 1000 + v);
	if (cfg->emergency_count != 1 || strcmp(cfg->emergency[0], want) != 0 ||
	    p->emergency.count != 1 || strcmp(p->emergency.entries[0], want))
		return "emergency list";
	for (size_t i = 0; i < sizeof(p->tag_key); i++)
		if (p->tag_key[i] != (v & 0xff))
			return "tag key";
	if (cfg->tenant_count != snap_tenant_count(v))
		return "tenant count";
	for (uint32_t i = 0; i < SNAP_TENANTS_MAX; i++) {
		char dom[64];
		uint32_t found;

		snprintf(dom, sizeof(dom), "V%u-T%u.example", v, i);
		found = domain_table_lookup(&p->tenant_domains, dom,
					    strlen(dom));
		if (i < cfg->tenant_count) {
			snprintf(want, sizeof(want), "v%u-t%u", v, i);
			if (strcmp(cfg->tenants[i].name, want) != 0)
				return "tenant name";
			if (found != 100 * v + i)
				return "domain table";
		} else if (found != TENANT_NONE) {
			return "domain of a tenant not in this version";
		}
	}
	/* and not the previous version's domains */
	if (v > 1) {
		char dom[64];

		snprintf(dom, sizeof(dom), "v%u-t0.example", v - 1);
		if (domain_table_lookup(&p->tenant_domains, dom, strlen(dom)) !=
		    TENANT_NONE)
			return "stale domain";
	}
	return "";
}

static void check_snapshot(struct reader *r)
{
	const struct policy *p = policy_current();
	const char *problem;
	uint32_t v, again;

	if (p == NULL) {
		reader_fail(r, "no snapshot");
		return;
	}
	problem = snapshot_problem(p, &v);
	if (problem[0] != '\0') {
		reader_fail(r, "snapshot version %u: %s", v, problem);
		return;
	}
	if (v < r->last[0]) {
		reader_fail(r, "snapshot version %u after %u", v, r->last[0]);
		return;
	}
	if (v != r->last[0])
		r->distinct++;
	r->last[0] = v;
	r->seen++;
	dwell(r->loops);
	problem = snapshot_problem(p, &again);
	if (problem[0] != '\0' || again != v)
		reader_fail(r,
			    "snapshot version %u changed under the reader: "
			    "%s",
			    v, problem);
}

static void *snapshot_writer(void *arg)
{
	volatile bool *done = arg;

	state_table_thread_init();
	rcu_thread_offline();
	wait_for_readers();
	rcu_thread_online();
	for (uint32_t v = 2; v <= SNAPSHOT_VERSIONS; v++) {
		struct policy *p = hand_made_policy(v);

		if (v % 256 == 0) {
			/* as install(): what was retired is gone first */
			rcu_thread_offline();
			rcu_barrier();
			rcu_thread_online();
		}
		policy_publish(p);
		rcu_quiescent_state();
		writer_pause(v);
	}
	__atomic_store_n(done, true, __ATOMIC_RELEASE);
	state_table_thread_fini();
	return NULL;
}

static void test_snapshot_swaps(void **state)
{
	struct reader rs[READERS];
	volatile bool done = false;
	pthread_t writer;
	size_t heap_before;
	uint32_t v;

	(void)state;
	state_table_thread_init();
	rcu_thread_offline();
	heap_before = heap_in_use();
	registry = tenant_registry_create(4);
	assert_non_null(registry);
	rcu_thread_online();
	policy_publish(hand_made_policy(1)); /* readers never see NULL */
	rcu_thread_offline();
	start_readers(rs, &done, check_snapshot);
	assert_int_equal(
		pthread_create(&writer, NULL, snapshot_writer, (void *)&done),
		0);
	assert_int_equal(pthread_join(writer, NULL), 0);
	join_readers(rs, "snapshot");

	rcu_thread_online();
	assert_string_equal(snapshot_problem(policy_current(), &v), "");
	assert_int_equal(v, SNAPSHOT_VERSIONS);
	policy_publish(NULL); /* the last one goes too */
	assert_null(policy_current());
	rcu_thread_offline();
	rcu_barrier();
	tenant_registry_free(registry);
	registry = NULL;
	check_heap_back(heap_before, "snapshots");
	state_table_thread_fini();
}

/* ---------------------------------------------------------------------
 * 3. real snapshots: policy_build() with its prefix tables, under a small EAL
 */

static const uint8_t tag_key[REPLY_TAG_KEY_LEN] = "policy-rcu-test";

/* Version v: tenants r0..r(n-1), tenant i owning 198.18.i.0/24 and
 * domain ri.example with max_calls v; n cycles through 1..3, so tenants
 * are added and removed as well as changed. */
static struct config *real_config(uint32_t v)
{
	char yaml[2048], err[1024];
	struct config *cfg;
	int n;

	n = snprintf(yaml, sizeof(yaml),
		     "inside_networks: [198.19.0.0/24]\n"
		     "calls: {capacity: %u}\n"
		     "tenants:\n",
		     1000 + v);
	for (uint32_t i = 0; i < snap_tenant_count(v); i++)
		n += snprintf(yaml + n, sizeof(yaml) - (size_t)n,
			      "  - name: r%u\n"
			      "    prefixes: [198.18.%u.0/24]\n"
			      "    domains: [r%u.example]\n"
			      "    limits: {max_calls: %u, max_users: %u}\n",
			      i, i, i, v, v ^ 0x5a5a);
	cfg = config_load_string("real.yaml", yaml, (size_t)n, err,
				 sizeof(err));
	if (cfg == NULL)
		fail_msg("config for version %u: %s", v, err);
	return cfg;
}

static void check_real(struct reader *r)
{
	const struct policy *p = policy_current();
	uint32_t v, n;

	if (p == NULL) {
		reader_fail(r, "no snapshot");
		return;
	}
	v = p->cfg->call_capacity - 1000;
	n = snap_tenant_count(v);
	if (p->cfg->tenant_count != n) {
		reader_fail(r, "version %u: %zu tenants", v,
			    p->cfg->tenant_count);
		return;
	}
	if (v < r->last[0]) {
		reader_fail(r, "snapshot version %u after %u", v, r->last[0]);
		return;
	}
	if (v != r->last[0])
		r->distinct++;
	r->last[0] = v;
	for (uint32_t i = 0; i < SNAP_TENANTS_MAX; i++) {
		struct pkt_info pi = {.l3 = PKT_L3_IPV4};
		char dom[32], name[CONFIG_NAME_MAX];
		uint32_t by_addr, by_dom;
		const struct tenant_policy *tp;

		pi.src.v4 = (198u << 24) | (18u << 16) | (i << 8) | 5;
		by_addr = policy_tenant_by_address(p, SIDE_OUTSIDE, &pi);
		snprintf(dom, sizeof(dom), "r%u.example", i);
		by_dom = domain_table_lookup(&p->tenant_domains, dom,
					     strlen(dom));
		if (i >= n) {
			if (by_addr != TENANT_NONE || by_dom != TENANT_NONE)
				reader_fail(r,
					    "version %u: tenant r%u not "
					    "in it is found",
					    v, i);
			continue;
		}
		/* a tenant of this snapshot is in the registry before the
		 * snapshot is published, and leaves it only after a newer
		 * snapshot without it is: then the lookup says "no tenant"
		 * (its slot is NULL), never another tenant */
		if (by_addr == TENANT_NONE && by_dom != TENANT_NONE &&
		    policy_tenant(p, by_dom) == NULL) {
			r->nulls++;
			continue;
		}
		if (by_addr == TENANT_NONE || by_addr != by_dom) {
			reader_fail(r,
				    "version %u: r%u by address %u, by "
				    "domain %u",
				    v, i, by_addr, by_dom);
			return;
		}
		tp = policy_tenant(p, by_addr);
		snprintf(name, sizeof(name), "r%u", i);
		if (tp == NULL) {
			r->nulls++;
			continue;
		}
		/* its limits are those of this version or a newer one */
		if (strcmp(tp->name, name) != 0 || tp->max_calls < v ||
		    tp->max_users != (tp->max_calls ^ 0x5a5a) ||
		    tp->limits.max_calls != tp->max_calls) {
			reader_fail(r,
				    "version %u: tenant %s in slot %u is "
				    "'%s' max_calls %u max_users %u",
				    v, name, by_addr, tp->name, tp->max_calls,
				    tp->max_users);
			return;
		}
		r->seen++;
	}
	dwell(r->loops);
	if (p->cfg->call_capacity - 1000 != v)
		reader_fail(r, "snapshot version %u changed under the reader",
			    v);
}

/* What cmd_reload does, on the control thread. */
static void real_install(uint32_t v)
{
	struct config *cfg = real_config(v);
	struct policy *old = policy_current();
	int64_t gone[SNAP_TENANTS_MAX];
	size_t ngone = 0;
	char err[512];
	struct policy *p;

	for (size_t i = 0; old != NULL && i < old->cfg->tenant_count; i++) {
		const char *name = old->cfg->tenants[i].name;

		if (config_find_tenant(cfg, name) < 0)
			gone[ngone++] = tenant_registry_find(registry, name);
	}
	rcu_thread_offline();
	rcu_barrier();
	rcu_thread_online();
	p = policy_build(cfg, registry, tag_key, err, sizeof(err));
	if (p == NULL)
		fail_msg("policy_build version %u: %s", v, err);
	policy_publish(p);
	for (size_t i = 0; i < ngone; i++) {
		assert_true(gone[i] >= 0);
		tenant_registry_remove(registry, (uint32_t)gone[i]);
	}
}

static bool always_idle(void *ctx, uint32_t slot)
{
	(void)ctx;
	(void)slot;
	return true;
}

static void *real_writer(void *arg)
{
	volatile bool *done = arg;

	state_table_thread_init();
	rcu_thread_offline();
	wait_for_readers();
	rcu_thread_online();
	for (uint32_t v = 2; v <= REAL_SNAPSHOT_VERSIONS; v++) {
		real_install(v);
		/* the control loop's housekeeping: drained slots reused */
		tenant_registry_reap(registry, always_idle, NULL);
		rcu_quiescent_state();
	}
	__atomic_store_n(done, true, __ATOMIC_RELEASE);
	state_table_thread_fini();
	return NULL;
}

static void test_real_snapshot_swaps(void **state)
{
	struct reader rs[READERS];
	volatile bool done = false;
	pthread_t writer;

	cpu_set_t cpus;

	(void)state;
	assert_int_equal(
		pthread_getaffinity_np(pthread_self(), sizeof(cpus), &cpus), 0);
	if (test_eal_init("test_policy_rcu", "512", false) < 0)
		fail_msg("EAL init: %s", rte_strerror(rte_errno));
	/* EAL pinned us to CPU 0; the threads below should spread */
	assert_int_equal(
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus), 0);
	state_table_thread_init();
	registry = tenant_registry_create(16);
	assert_non_null(registry);
	real_install(1); /* readers never see NULL */
	rcu_thread_offline();
	start_readers(rs, &done, check_real);
	assert_int_equal(
		pthread_create(&writer, NULL, real_writer, (void *)&done), 0);
	assert_int_equal(pthread_join(writer, NULL), 0);
	join_readers(rs, "real snapshot");

	rcu_thread_online();
	assert_int_equal(policy_current()->cfg->call_capacity,
			 1000 + REAL_SNAPSHOT_VERSIONS);
	policy_publish(NULL);
	rcu_thread_offline();
	rcu_barrier(); /* snapshots (and their prefix tables) and policies */
	tenant_registry_free(registry);
	registry = NULL;
	state_table_thread_fini();
	rte_eal_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tenant_registry_swaps),
		cmocka_unit_test(test_snapshot_swaps),
		cmocka_unit_test(test_real_snapshot_swaps),
	};

	/* one heap for every thread, so that mallinfo2() sees it all */
	mallopt(M_ARENA_MAX, 1);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
