/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_state: the state file with a full call table. Fills the tables
 * with N calls (default 1,000,000) and N/4 registrations over 1,000
 * tenants, then times, best and worst of R rounds (default 5):
 *   collect  walking the tables into the file's bytes (the writer thread
 *            is an online QSBR reader meanwhile: grace periods wait);
 *   commit   FILE.tmp written, fsync, rename, directory fsync;
 *   load     reading, checking and re-creating it all in fresh tables.
 *
 *   bench_state DIR [calls [rounds]]
 *
 * The control thread takes no part in a periodic write (it runs on the
 * writer thread), so none of this is control-socket latency.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admission.h"
#include "state_persist.h"
#include "state_table.h"

#define S 1000000000ULL
#define TENANTS 1000

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

struct bench_daemon {
	struct tenant_registry *reg;
	struct admission *adm;
	struct stats_lcore *lcore;
	struct stats_sip_counts *baseline;
	struct state_persist_target t;
};

static int side_up(struct bench_daemon *d, uint32_t calls)
{
	struct config_limits l = {.max_call_duration = 3600,
				  .unanswered_timeout = 60};

	d->reg = tenant_registry_create(TENANTS);
	d->adm = admission_create(TENANTS, calls, calls / 4 + 1);
	d->lcore = stats_lcore_create(TENANTS);
	d->baseline = calloc(TENANTS, sizeof(*d->baseline));
	if (!d->reg || !d->adm || !d->lcore || !d->baseline)
		return -1;
	for (uint32_t i = 0; i < TENANTS; i++) {
		struct tenant_policy tp;
		char name[32];

		snprintf(name, sizeof(name), "tenant-%u", i);
		tenant_policy_init(&tp, name, &l, false);
		if (tenant_registry_publish(d->reg, &tp) < 0)
			return -1;
	}
	d->t = (struct state_persist_target){d->reg, d->adm, &d->lcore, 1,
					     d->baseline};
	return 0;
}

static void side_down(struct bench_daemon *d)
{
	admission_free(d->adm);
	rcu_barrier();
	tenant_registry_free(d->reg);
	stats_lcore_free(d->lcore);
	free(d->baseline);
}

static void fill(struct bench_daemon *d, uint32_t calls, uint64_t mono)
{
	for (uint32_t i = 0; i < calls; i++) {
		struct call_key k = {.hi = i * 0x9e3779b97f4a7c15ULL,
				     .lo = i + 1};
		struct call_info info = {.tenant = i % TENANTS,
					 .direction = i & 1,
					 .invite_cseq = 1,
					 .created_ns = mono - 10 * S};

		(void)admission_restore_call(d->adm, &k, &info,
					     i % 3 ? CALL_ANSWERED : CALL_EARLY,
					     mono - 5 * S, mono + 3600 * S);
	}
	for (uint32_t i = 0; i < calls / 4; i++) {
		struct reg_key k = {.hi = i, .lo = i * 0x9e3779b97f4a7c15ULL};
		struct reg_info info = {.tenant = i % TENANTS};

		(void)admission_restore_reg(d->adm, &k, &info, REG_ACTIVE,
					    mono + 600 * S);
	}
}

static void minmax(double v, double *lo, double *hi)
{
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

int main(int argc, char **argv)
{
	uint32_t calls =
		argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1000000;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	double c_lo = 1e18, c_hi = 0, w_lo = 1e18, w_hi = 0, l_lo = 1e18,
	       l_hi = 0;
	struct bench_daemon d;
	char path[4096], err[256];
	uint64_t mono = 1000 * S, wall = 1800000000ULL * S, entries = 0;
	size_t bytes = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_state DIR [calls [rounds]]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/bench-state.bin", argv[1]);
	state_table_thread_init();
	if (side_up(&d, calls) < 0) {
		fprintf(stderr, "bench_state: out of memory\n");
		return 1;
	}
	fill(&d, calls, mono);
	for (int r = 0; r < rounds; r++) {
		struct state_file_buf b;
		struct state_load_report rep;
		struct bench_daemon fresh;
		uint64_t t0 = now_ns(), t1, t2;

		if (state_persist_collect(&d.t, wall, mono, &b, &entries) < 0)
			return 1;
		t1 = now_ns();
		if (state_file_commit(path, b.data, b.len, err, sizeof(err)) <
		    0) {
			fprintf(stderr, "bench_state: %s\n", err);
			return 1;
		}
		t2 = now_ns();
		bytes = b.len;
		state_file_buf_free(&b);
		minmax((double)(t1 - t0) / 1e6, &c_lo, &c_hi);
		minmax((double)(t2 - t1) / 1e6, &w_lo, &w_hi);

		if (side_up(&fresh, calls) < 0)
			return 1;
		t0 = now_ns();
		(void)state_persist_load(path, &fresh.t, wall + S, mono + S,
					 &rep);
		t1 = now_ns();
		minmax((double)(t1 - t0) / 1e6, &l_lo, &l_hi);
		if (rep.calls != calls || rep.regs != calls / 4) {
			fprintf(stderr, "bench_state: restored %u/%u\n",
				rep.calls, rep.regs);
			return 1;
		}
		side_down(&fresh);
	}
	printf("bench_state: %u calls + %u registrations, %llu entries, "
	       "%zu bytes (%.1f per entry)\n",
	       calls, calls / 4, (unsigned long long)entries, bytes,
	       (double)bytes / (double)entries);
	printf("  collect %.1f-%.1f ms, commit (write+fsync+rename) "
	       "%.1f-%.1f ms, load %.1f-%.1f ms (best-worst of %d)\n",
	       c_lo, c_hi, w_lo, w_hi, l_lo, l_hi, rounds);
	unlink(path);
	side_down(&d);
	state_table_thread_fini();
	return 0;
}
