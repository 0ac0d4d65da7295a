/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tables: the call table on one core. Fills it with 1,000,000 calls,
 * then times lookups (hits and misses, in random order), insert+remove of
 * new calls, and call_key_make over a typical Call-ID (reg_key_make over
 * a typical AOR); prints the memory
 * per call and how much the process grew.
 *
 *   bench_tables [calls [capacity]]
 *
 * Reclamation runs on the call_rcu thread; between timed batches the
 * benchmark waits for it (rcu_barrier, untimed), so insert+remove never
 * meets a pool emptied by entries still waiting for their grace period.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calls.h"
#include "regs.h"
#include "state_table.h"

#define BATCH 16384

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static struct call_key key_of(uint32_t n)
{
	char id[64];
	struct sip_str s;

	s.len = (uint32_t)snprintf(id, sizeof(id),
				   "%08x-5c1d-4b7a-9e2f-%012x@192.0.2.17", n,
				   n * 2654435761u);
	s.ptr = id;
	return call_key_make(1, &s);
}

static void wait_reclaim(void)
{
	rcu_thread_offline();
	rcu_barrier();
	rcu_thread_online();
}

int main(int argc, char **argv)
{
	uint32_t calls =
		argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1000000;
	uint32_t capacity =
		argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 1u << 20;
	struct call_info info = {.tenant = 1, .invite_cseq = 1};
	struct call_key *keys, miss;
	struct call_table *t;
	struct call_entry *e;
	uint32_t *order;
	uint64_t rng = 0x2545f4914f6cdd1dull, t0, elapsed, sink = 0;
	long rss0, rss1;
	uint32_t n;

	if (calls == 0 || calls >= capacity) {
		fprintf(stderr, "usage: bench_tables [calls [capacity]], "
				"calls < capacity\n");
		return 2;
	}
	state_table_thread_init();
	keys = malloc(sizeof(*keys) * calls);
	order = malloc(sizeof(*order) * calls);
	if (keys == NULL || order == NULL)
		return 1;
	for (n = 0; n < calls; n++) {
		keys[n] = key_of(n);
		order[n] = n;
	}
	for (n = calls - 1; n > 0; n--) {
		uint32_t j = (uint32_t)(next_random(&rng) % (n + 1));
		uint32_t x = order[n];

		order[n] = order[j];
		order[j] = x;
	}

	rss0 = rss_kib();
	t = call_table_create(capacity);
	if (t == NULL) {
		fprintf(stderr, "bench_tables: cannot create the table\n");
		return 1;
	}
	t0 = now_ns();
	for (n = 0; n < calls; n++) {
		if (call_table_insert(t, &keys[n], &info, UINT64_MAX, &e) !=
		    0) {
			fprintf(stderr, "bench_tables: fill failed at %u\n", n);
			return 1;
		}
		if (n % 64 == 0)
			rcu_quiescent_state();
	}
	elapsed = now_ns() - t0;
	rss1 = rss_kib();
	printf("calls %u, capacity %u, memory per call %zu bytes "
	       "(entry + bucket share)\n",
	       calls, capacity, call_table_bytes_per_entry(t));
	printf("RSS growth %.1f MiB (%.1f bytes per call), fill %.1f "
	       "ns/insert\n",
	       (rss1 - rss0) / 1024.0, (rss1 - rss0) * 1024.0 / calls,
	       (double)elapsed / calls);

	t0 = now_ns();
	for (n = 0; n < calls; n++) {
		e = call_table_lookup(t, &keys[order[n]]);
		sink += call_entry_info(e)->invite_cseq;
		if (n % 64 == 0)
			rcu_quiescent_state();
	}
	elapsed = now_ns() - t0;
	printf("lookup hit     %6.1f ns/op (random order)\n",
	       (double)elapsed / calls);

	t0 = now_ns();
	for (n = 0; n < calls; n++) {
		miss = keys[order[n]];
		miss.lo ^= 0x5a5a5a5a5a5a5a5aull;
		sink += call_table_lookup(t, &miss) != NULL;
		if (n % 64 == 0)
			rcu_quiescent_state();
	}
	elapsed = now_ns() - t0;
	printf("lookup miss    %6.1f ns/op\n", (double)elapsed / calls);

	elapsed = 0;
	for (uint32_t b = 0; b < calls / BATCH; b++) {
		struct call_key fresh[BATCH];

		for (n = 0; n < BATCH; n++) {
			fresh[n] = keys[order[(b * BATCH + n) % calls]];
			fresh[n].hi ^= 0xa5a5a5a5a5a5a5a5ull;
		}
		wait_reclaim();
		t0 = now_ns();
		for (n = 0; n < BATCH; n++) {
			if (call_table_insert(t, &fresh[n], &info, UINT64_MAX,
					      &e) != 0 ||
			    !call_table_remove(t, e)) {
				fprintf(stderr, "bench_tables: churn failed\n");
				return 1;
			}
			if (n % 64 == 0)
				rcu_quiescent_state();
		}
		elapsed += now_ns() - t0;
	}
	printf("insert+remove  %6.1f ns/op (new key, pool %u/%u full)\n",
	       (double)elapsed / (calls / BATCH * BATCH), calls, capacity);

	t0 = now_ns();
	for (n = 0; n < calls; n++) {
		static const char id[] =
			"a84b4c76e66710@pc33.atlanta.example.com-7f3e29c1";
		struct sip_str s = {id, sizeof(id) - 1};

		sink += call_key_make(n, &s).lo;
	}
	elapsed = now_ns() - t0;
	printf("call_key_make  %6.1f ns/op (48-byte Call-ID)\n",
	       (double)elapsed / calls);

	t0 = now_ns();
	for (n = 0; n < calls; n++) {
		static const char user[] = "alice.smith";
		static const char host[] = "Sip.Example.COM";
		struct sip_uri aor = {.user = {user, sizeof(user) - 1},
				      .host = {host, sizeof(host) - 1}};

		sink += reg_key_make(n, &aor).lo;
	}
	elapsed = now_ns() - t0;
	printf("reg_key_make   %6.1f ns/op (11-byte user, 15-byte host)\n",
	       (double)elapsed / calls);

	call_table_free(t);
	free(order);
	free(keys);
	state_table_thread_fini();
	return sink == 42 ? 3 : 0;
}
