/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_control: loading a large configuration, as the daemon does at
 * start and on every reload, tenant.add, tenant.del and prefix edit:
 * config_load() of a YAML file, then policy_build() (every tenant
 * published in the registry, the prefix tables (DPDK LPM and LPM6), the
 * domain table, ...). The target: 100,000 tenants in under 1 s.
 *
 *   bench_control [--tenants N] [--runs K] [--family 4|6] [--yaml FILE]
 *                 [-m MB]
 *
 * The configuration is generated: tenant i is named t0000i, owns one IPv4
 * host route (198.18.0.0/15 has 131,072 of them; --family 6: one /64 of
 * 2001:db8::/32 instead) and one domain (t0000i.example), and every tenth
 * has its own limits. It is written to
 * FILE (kept) or to a temporary file (removed). Each run loads the file,
 * builds a snapshot into a fresh registry, and frees both (the free is
 * not timed). Reported: each run's times, their median, the DPDK heap the
 * snapshot holds, and the process's peak RSS. Each time is wall-clock;
 * the CPU time of the thread doing the work is given beside the total,
 * since on a shared machine the wall-clock measures the scheduler too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "config.h"
#include "policy.h"
#include "state_table.h"
#include "tenant_registry.h"

#define MAX_RUNS 50

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: what the load costs, whatever else runs. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int write_yaml(const char *path, uint32_t tenants, int family)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fprintf(f, "inside_networks: [198.19.255.0/24]\n"
		   "defaults: {max_calls: 100, cps: 10}\n"
		   "tenants:\n");
	for (uint32_t t = 0; t < tenants; t++) {
		uint32_t a = (198u << 24 | 18u << 16) + t;

		fprintf(f, "  - name: t%06u\n", t);
		if (family == 4)
			fprintf(f, "    prefixes: [%u.%u.%u.%u/32]\n", a >> 24,
				(a >> 16) & 255, (a >> 8) & 255, a & 255);
		else
			fprintf(f, "    prefixes: [\"2001:db8:%x:%x::/64\"]\n",
				t >> 16, t & 0xffff);
		fprintf(f, "    domains: [t%06u.example]\n", t);
		if (t % 10 == 0)
			fprintf(f, "    limits: {max_calls: %u, cps: %u}\n",
				10 + t % 1000, 1 + t % 50);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static long peak_rss_mib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kib = strtol(line + 6, NULL, 10);
	fclose(f);
	return kib / 1024;
}

static size_t dpdk_heap_bytes(void)
{
	struct rte_malloc_socket_stats s;

	if (rte_malloc_get_socket_stats(0, &s) != 0)
		return 0;
	return s.heap_allocsz_bytes;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fputs("usage: bench_control [--tenants N] [--runs K] [--family 4|6] "
	      "[--yaml FILE] [-m MB]\n",
	      stderr);
}

int main(int argc, char **argv)
{
	static const uint8_t tag_key[REPLY_TAG_KEY_LEN] = "bench-control-k";
	uint32_t tenants = 100000, runs = 5;
	int family = 4;
	const char *yaml = NULL, *mem = "2048";
	char tmp[] = "/tmp/bench_control_XXXXXX.yaml", prefix[64];
	double load[MAX_RUNS], build[MAX_RUNS], total[MAX_RUNS], cpu[MAX_RUNS];
	size_t heap = 0;
	char *err;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (!strcmp(argv[i], "--tenants"))
			tenants = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--runs"))
			runs = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--yaml"))
			yaml = argv[++i];
		else if (!strcmp(argv[i], "-m"))
			mem = argv[++i];
		else if (!strcmp(argv[i], "--family"))
			family = atoi(argv[++i]);
		else {
			usage();
			return 2;
		}
	}
	if (tenants == 0 || tenants > 131072 || runs == 0 || runs > MAX_RUNS ||
	    (family != 4 && family != 6)) {
		usage();
		return 2;
	}
	if (yaml == NULL) {
		int fd = mkstemps(tmp, 5);

		if (fd < 0) {
			perror("mkstemps");
			return 1;
		}
		close(fd);
	}
	if (write_yaml(yaml ? yaml : tmp, tenants, family) < 0)
		return 1;

	/* unpinned reclaimer first, as in bench_fastpath */
	state_table_thread_init();
	snprintf(prefix, sizeof(prefix), "bench-control-%d", (int)getpid());
	{
		char *eal[] = {argv[0],
			       "--no-huge",
			       "--no-pci",
			       "--no-shconf",
			       "--no-telemetry",
			       "-m",
			       (char *)mem,
			       "-l",
			       "0",
			       "--log-level",
			       "*:warning",
			       "--file-prefix",
			       prefix,
			       NULL};

		if (rte_eal_init((int)(sizeof(eal) / sizeof(*eal)) - 1, eal) <
		    0) {
			fprintf(stderr, "bench_control: EAL: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
	}
	err = malloc(1 << 16);
	if (err == NULL)
		return 1;
	printf("%u tenants (one %s and one domain each), %s\n", tenants,
	       family == 4 ? "IPv4 /32" : "IPv6 /64",
	       yaml ? yaml : "temporary file");
	for (uint32_t r = 0; r < runs; r++) {
		struct tenant_registry *reg;
		struct config *cfg;
		struct policy *p;
		size_t heap0 = dpdk_heap_bytes();
		double c0 = cpu_s(), t0 = now_s(), t1, t2;

		cfg = config_load(yaml ? yaml : tmp, err, 1 << 16);
		t1 = now_s();
		if (cfg == NULL) {
			fprintf(stderr, "bench_control: %s\n", err);
			return 1;
		}
		reg = tenant_registry_create(config_tenant_capacity(cfg));
		p = reg ? policy_build(cfg, reg, tag_key, err, 1 << 16) : NULL;
		t2 = now_s();
		cpu[r] = cpu_s() - c0;
		if (p == NULL) {
			fprintf(stderr, "bench_control: policy_build: %s\n",
				reg ? err : "no memory for the registry");
			return 1;
		}
		heap = dpdk_heap_bytes() - heap0;
		load[r] = t1 - t0;
		build[r] = t2 - t1;
		total[r] = t2 - t0;
		printf("run %u: config_load %.3f s, policy_build %.3f s, "
		       "total %.3f s, CPU %.3f s (%u tenants in the "
		       "registry)\n",
		       r + 1, load[r], build[r], total[r], cpu[r],
		       tenant_registry_count(reg));
		policy_free(p);
		rcu_thread_offline();
		rcu_barrier(); /* the registry's replaced objects, if any */
		rcu_thread_online();
		tenant_registry_free(reg);
	}
	qsort(load, runs, sizeof(double), cmp_double);
	qsort(build, runs, sizeof(double), cmp_double);
	qsort(total, runs, sizeof(double), cmp_double);
	qsort(cpu, runs, sizeof(double), cmp_double);
	printf("median of %u: config_load %.3f s, policy_build %.3f s, total "
	       "%.3f s (best %.3f s), CPU %.3f s\n",
	       runs, load[runs / 2], build[runs / 2], total[runs / 2], total[0],
	       cpu[runs / 2]);
	printf("DPDK heap held by one snapshot: %.0f MiB; peak RSS %ld MiB\n",
	       (double)heap / (1 << 20), peak_rss_mib());
	printf("target < 1 s: %s\n", total[runs / 2] < 1.0 ? "met" : "NOT met");
	if (yaml == NULL)
		unlink(tmp);
	free(err);
	state_table_thread_fini();
	rte_eal_cleanup();
	return 0;
}
