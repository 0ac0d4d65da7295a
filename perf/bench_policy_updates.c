/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_policy_updates: what runtime limit changes cost the fast path.
 *
 * 1. Throughput: one core runs worker_process_burst() (decode, scan,
 *    policy, admission, forward) in memory, as perf/bench_fastpath.c does
 *    (its approach, a smaller traffic mix), in alternating phases: with no
 *    policy change, then while a second thread applies RATE (default
 *    10,000) tenant policy changes per second with tenant_registry_publish()
 *    (what tenant.set does after parsing), each to a tenant the traffic is
 *    using, so that the worker meets a fresh object (a cache miss) after
 *    each change; the replaced objects are freed by call_rcu meanwhile.
 * 2. Visibility: the time from the start of a tenant_registry_publish() on
 *    one CPU until a reader spinning on tenant_registry_get() on another
 *    CPU sees the new object (rdtsc on both; the TSC is invariant here).
 *
 *   bench_policy_updates [--seconds S] [--rounds K] [--rate R]
 *                        [--tenants N] [--samples M]
 *
 * Traffic: iterations of 7 bursts of 32 frames: INVITE (outside), 200 OK
 * (inside), ACK, BYE (outside), 200 OK to the BYE (inside), OPTIONS
 * (outside), its 200 (inside); 224 frames, each iteration's 32 calls with
 * new Call-IDs, call n belonging to tenant n x 7919 mod N (N = 1,000 by
 * default, each a /29 of 198.18.0.0/15). Limits are set (max_calls, cps,
 * other_rate) but never reached, so every frame must be forwarded; the
 * changes alternate max_calls between 1000 and 1001. Only
 * worker_process_burst() + worker_flush() is timed, per iteration; the
 * figure is the median ns per packet of a phase (a shared machine
 * stretches the mean with time off the CPU), with the wall-clock rate
 * beside it. Phases alternate (none, updates, none, ...) so that drift in
 * the machine's load hits both alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>
#include <urcu-qsbr.h>

#include "admission.h"
#include "bench_common.h"
#include "config.h"
#include "policy.h"
#include "port.h"
#include "state_table.h"
#include "stats.h"
#include "tenant_registry.h"
#include "worker.h"

#define BURST 32
#define SCRAMBLE 7919u
#define NS 1000000000ULL
#define SBC_ADDR RTE_IPV4(198, 19, 255, 10)
#define TENANT_BASE BENCH_TENANT_BASE
#define MAX_TENANTS 16352
#define CALLID_MARK "CCCCCCCCCC"
#define CALLID_DIGITS 10
#define MAX_ROUNDS 20
#define VIS_BASE 2000000u

#define FROM "From: <sip:+442079460201@pbx.example>;tag=2094781635\r\n"
#define TO "To: <sip:+442079460123@sbc.example>\r\n"
#define TO_TAGGED "To: <sip:+442079460123@sbc.example>;tag=as5e6f7a81\r\n"
#define CALL_ID "Call-ID: " CALLID_MARK "-5b3c6f1d@198.51.100.23\r\n"
#define UA_VIA "Via: SIP/2.0/UDP 198.51.100.23:5060;branch=z9hG4bK19672\r\n"

static const struct {
	enum side side;
	const char *text;
} msgs[] = {
	{SIDE_OUTSIDE,
	 "INVITE sip:+442079460123@sbc.example SIP/2.0\r\n" UA_VIA
	 "Max-Forwards: 70\r\n" FROM TO CALL_ID "CSeq: 1 INVITE\r\n"
	 "Contact: <sip:+442079460201@198.51.100.23:5060>\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{SIDE_INSIDE,
	 "SIP/2.0 200 OK\r\n" UA_VIA FROM TO_TAGGED CALL_ID "CSeq: 1 INVITE\r\n"
	 "Contact: <sip:+442079460123@198.19.255.10:5060>\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{SIDE_OUTSIDE,
	 "ACK sip:+442079460123@198.19.255.10:5060 SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;branch=z9hG4bK38712\r\n"
	 "Max-Forwards: 70\r\n" FROM TO_TAGGED CALL_ID "CSeq: 1 ACK\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{SIDE_OUTSIDE,
	 "BYE sip:+442079460123@198.19.255.10:5060 SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;branch=z9hG4bK04103\r\n"
	 "Max-Forwards: 70\r\n" FROM TO_TAGGED CALL_ID "CSeq: 2 BYE\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{SIDE_INSIDE,
	 "SIP/2.0 200 OK\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;branch=z9hG4bK04103\r\n" FROM
		 TO_TAGGED CALL_ID "CSeq: 2 BYE\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{SIDE_OUTSIDE,
	 "OPTIONS sip:sbc.example SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;branch=z9hG4bK5a6b7\r\n"
	 "Max-Forwards: 70\r\n"
	 "From: <sip:ping@pbx.example>;tag=ka7720\r\n"
	 "To: <sip:sbc.example>\r\n"
	 "Call-ID: ka-" CALLID_MARK "@198.51.100.23\r\n"
	 "CSeq: 7720 OPTIONS\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{SIDE_INSIDE,
	 "SIP/2.0 200 OK\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;branch=z9hG4bK5a6b7\r\n"
	 "From: <sip:ping@pbx.example>;tag=ka7720\r\n"
	 "To: <sip:sbc.example>;tag=as77a1b2c3\r\n"
	 "Call-ID: ka-" CALLID_MARK "@198.51.100.23\r\n"
	 "CSeq: 7720 OPTIONS\r\n"
	 "Content-Length: 0\r\n\r\n"},
};
#define N_MSGS (sizeof(msgs) / sizeof(msgs[0]))
#define PER_ITER (N_MSGS * BURST)

struct frame {
	struct rte_mbuf *m;
	uint16_t mark;
};

static struct frame frames[N_MSGS][BURST];
static struct rte_mbuf *bursts[N_MSGS][BURST];
static uint32_t tenants = 1000;
static uint64_t hz;

/* ------------------------------------------------------------ traffic */

static struct config *make_config(void)
{
	return bench_tenant_config(
			       "inside_networks: [198.19.255.0/24]\n"
			       "calls: {capacity: 65536}\n"
			       "registrations: {capacity: 1024}\n"
			       "defaults: {max_calls: 1000, cps: 100000,"
			       " other_rate: 100000}\n",
		tenants);
}

static int build_frames(struct rte_mempool *pool)
{
	for (size_t j = 0; j < N_MSGS; j++) {
		size_t sip_len = strlen(msgs[j].text);
		size_t len = sizeof(struct rte_ether_hdr) +
			     sizeof(struct rte_ipv4_hdr) +
			     sizeof(struct rte_udp_hdr) + sip_len;

		for (int k = 0; k < BURST; k++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			struct rte_ether_hdr *eth;
			struct rte_ipv4_hdr *ip;
			struct rte_udp_hdr *udp;
			uint8_t *d;
			char *mark;

			if (m == NULL)
				return -1;
			d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
			if (d == NULL)
				return -1;
			memset(d, 0, len - sip_len);
			eth = (struct rte_ether_hdr *)d;
			ip = (struct rte_ipv4_hdr *)(eth + 1);
			udp = (struct rte_udp_hdr *)(ip + 1);
			eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
			ip->version_ihl = RTE_IPV4_VHL_DEF;
			ip->total_length = rte_cpu_to_be_16(
				(uint16_t)(len - sizeof(*eth)));
			ip->fragment_offset =
				rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
			ip->time_to_live = 64;
			ip->next_proto_id = IPPROTO_UDP;
			udp->src_port = rte_cpu_to_be_16(5060);
			udp->dst_port = rte_cpu_to_be_16(5060);
			udp->dgram_len = rte_cpu_to_be_16(
				(uint16_t)(sizeof(*udp) + sip_len));
			memcpy(udp + 1, msgs[j].text, sip_len);
			mark = memmem(d, len, CALLID_MARK, CALLID_DIGITS);
			if (mark == NULL)
				return -1;
			frames[j][k] = (struct frame){
				.m = m, .mark = (uint16_t)(mark - (char *)d)};
			bursts[j][k] = m;
		}
	}
	return 0;
}

static void patch_iteration(uint64_t it)
{
	for (size_t j = 0; j < N_MSGS; j++) {
		for (int k = 0; k < BURST; k++) {
			uint8_t *d =
				rte_pktmbuf_mtod(frames[j][k].m, uint8_t *);
			struct rte_ipv4_hdr *ip =
				(struct rte_ipv4_hdr
					 *)(d + sizeof(struct rte_ether_hdr));
			uint64_t n = it * BURST + (uint64_t)k, v = n;
			uint32_t t = (uint32_t)(n * SCRAMBLE % tenants);
			uint32_t host = TENANT_BASE + t * 8 + 1 + t % 6;

			for (int i = CALLID_DIGITS - 1; i >= 0; i--, v /= 10)
				d[frames[j][k].mark + i] =
					(uint8_t)('0' + v % 10);
			ip->src_addr = rte_cpu_to_be_32(
				msgs[j].side == SIDE_OUTSIDE ? host : SBC_ADDR);
			ip->dst_addr = rte_cpu_to_be_32(
				msgs[j].side == SIDE_OUTSIDE ? SBC_ADDR : host);
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
	}
}

/* One iteration; returns the fast path's TSC ticks. */
static uint64_t run_iteration(struct worker *w, uint64_t it)
{
	uint64_t now = (uint64_t)((__uint128_t)rte_rdtsc() * NS / hz);
	uint64_t spent = 0;

	patch_iteration(it);
	for (size_t j = 0; j < N_MSGS; j++) {
		uint64_t t0;

		/* the sink frees what it is given: keep the templates */
		for (int k = 0; k < BURST; k++)
			rte_mbuf_refcnt_update(bursts[j][k], 1);
		t0 = rte_rdtsc();
		worker_process_burst(w, msgs[j].side, bursts[j], BURST, now);
		worker_flush(w);
		spent += rte_rdtsc() - t0;
	}
	rcu_quiescent_state();
	return spent;
}

/* ------------------------------------------------------------ updater */

struct updater {
	struct tenant_registry *reg;
	struct config_limits limits; /* the configured ones */
	uint32_t rate;
	volatile int mode; /* 0 idle, 1 updating, 2 visibility, -1 quit */
	uint64_t published;
	uint64_t publish_tsc; /* time inside tenant_registry_publish */
	/* visibility */
	volatile uint64_t vis_tsc;
	volatile uint32_t vis_version, vis_seen;
	uint32_t vis_samples;
	volatile int vis_done;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void publish(struct updater *u, uint32_t t, uint32_t max_calls)
{
	struct config_limits l = u->limits;
	struct tenant_policy tp;
	char name[CONFIG_NAME_MAX];
	uint64_t t0 = rte_rdtsc();

	snprintf(name, sizeof(name), "t%05u", t);
	l.max_calls = max_calls;
	/* as change_tenant(): a new object, one pointer swap */
	tenant_policy_init(&tp, name, &l, false);
	if (tenant_registry_publish(u->reg, &tp) != (int64_t)t) {
		fprintf(stderr, "publish of %s went elsewhere\n", name);
		exit(1);
	}
	u->publish_tsc += rte_rdtsc() - t0;
}

static void visibility(struct updater *u)
{
	for (uint32_t v = 1; v <= u->vis_samples && u->mode == 2; v++) {
		double deadline = now_s() + 1;

		u->vis_version = v;
		u->vis_tsc = rte_rdtsc();
		publish(u, 0, VIS_BASE + v);
		rcu_quiescent_state();
		while (u->vis_seen != v && now_s() < deadline)
			rte_pause();
		/* the reader's state settles; then a random-ish gap */
		for (volatile int i = 0; i < (int)(v * 7919 % 2000); i++)
			;
	}
	u->vis_done = 1;
	while (u->mode == 2)
		usleep(1000);
}

static void *updater_main(void *arg)
{
	struct updater *u = arg;
	uint64_t i = 0, done;

	state_table_thread_init();
	while (u->mode != -1) {
		double t0, next;

		if (u->mode == 2) {
			visibility(u);
			continue;
		}
		if (u->mode != 1) {
			rcu_thread_offline();
			usleep(1000);
			rcu_thread_online();
			continue;
		}
		/* RATE a second, in batches each millisecond, catching up
		 * with the clock so the average rate is exact */
		t0 = now_s();
		next = t0;
		done = 0;
		while (u->mode == 1) {
			uint64_t due = (uint64_t)((now_s() - t0) * u->rate);

			for (; done < due; done++, i++) {
				publish(u, (uint32_t)(i * SCRAMBLE % tenants),
					1000 + (uint32_t)(i / tenants & 1));
				u->published++;
				rcu_quiescent_state();
			}
			next += 0.001;
			rcu_thread_offline();
			while (now_s() < next)
				usleep(100);
			rcu_thread_online();
		}
	}
	state_table_thread_fini();
	return NULL;
}

/* ------------------------------------------------------------ main */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct phase {
	double median_ns, wall_mpps, cpu_share;
	uint64_t packets, published;
	double publish_ns;
};

static void run_phase(struct worker *w, struct updater *u, int updating,
		      double seconds, uint64_t *it, uint64_t *iter_tsc,
		      size_t iter_max, struct phase *ph)
{
	size_t n = 0;
	uint64_t pub0, pubtsc0;
	double t0, cpu0, elapsed;
	struct timespec ts;

	u->mode = updating;
	usleep(20000); /* let it start */
	pub0 = u->published;
	pubtsc0 = u->publish_tsc;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	cpu0 = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
	t0 = now_s();
	do {
		for (int i = 0; i < 64; i++) {
			uint64_t spent = run_iteration(w, (*it)++);

			if (n < iter_max)
				iter_tsc[n++] = spent;
		}
	} while (now_s() - t0 < seconds);
	elapsed = now_s() - t0;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	u->mode = 0;
	qsort(iter_tsc, n, sizeof(*iter_tsc), cmp_u64);
	ph->median_ns = (double)iter_tsc[n / 2] * 1e9 / (double)hz / PER_ITER;
	ph->packets = n * PER_ITER;
	ph->wall_mpps = (double)ph->packets / elapsed / 1e6;
	ph->cpu_share = ((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 - cpu0) /
			elapsed;
	ph->published = u->published - pub0;
	ph->publish_ns = ph->published
				 ? (double)(u->publish_tsc - pubtsc0) * 1e9 /
					   (double)hz / (double)ph->published
				 : 0;
	usleep(20000); /* its last batch done */
	ph->published = u->published - pub0;
}

static void pin_to_other_cpu(pthread_t t)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

static void usage(void)
{
	fputs("usage: bench_policy_updates [--seconds S] [--rounds K] "
	      "[--rate R] [--tenants N] [--samples M]\n",
	      stderr);
}

int main(int argc, char **argv)
{
	static const uint8_t tag_key[REPLY_TAG_KEY_LEN] = "bench-updates-k";
	double seconds = 2;
	uint32_t rounds = 3, rate = 10000, samples = 20000;
	struct phase ph[2][MAX_ROUNDS];
	struct updater u = {0};
	struct port_out sink, replies;
	struct tenant_registry *reg;
	struct rte_mempool *pool;
	struct admission *adm;
	struct stats_view *v;
	struct config *cfg;
	struct worker *w;
	struct policy *p;
	pthread_t thr;
	uint64_t it = 0, *iter_tsc, *lat;
	size_t iter_max = 1u << 20;
	char err[512];
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rate"))
			rate = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--tenants"))
			tenants = (uint32_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--samples"))
			samples = (uint32_t)atoi(argv[++i]);
		else {
			usage();
			return 2;
		}
	}
	if (seconds <= 0 || rounds == 0 || rounds > MAX_ROUNDS || rate == 0 ||
	    tenants == 0 || tenants > MAX_TENANTS) {
		usage();
		return 2;
	}
	/* the reclaimer (call_rcu thread) unpinned, as in the daemon */
	state_table_thread_init();
	if (bench_eal_init(argv[0], "bench-upd") < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	hz = rte_get_tsc_hz();
	cfg = make_config();
	if (cfg == NULL)
		return 1;
	reg = tenant_registry_create(config_tenant_capacity(cfg));
	p = reg ? policy_build(cfg, reg, tag_key, err, sizeof(err)) : NULL;
	if (p == NULL) {
		fprintf(stderr, "policy: %s\n", err);
		return 1;
	}
	adm = admission_create(reg->capacity, p->cfg->call_capacity,
			       p->cfg->reg_capacity);
	policy_publish(p);
	pool = rte_pktmbuf_pool_create("bench", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	w = rte_zmalloc("worker", sizeof(*w), 64);
	iter_tsc = malloc(iter_max * sizeof(*iter_tsc));
	lat = malloc((samples + 1) * sizeof(*lat));
	if (adm == NULL || pool == NULL || w == NULL || iter_tsc == NULL ||
	    lat == NULL || build_frames(pool) < 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	w->admission = adm;
	w->stats = stats_lcore_create(reg->capacity);
	if (w->stats == NULL ||
	    frag_init(&w->frag, pool, 4096, (int)rte_socket_id()) < 0 ||
	    port_out_open_pcap(&sink, NULL, err, sizeof(err)) < 0 ||
	    port_out_open_pcap(&replies, NULL, err, sizeof(err)) < 0)
		return 1;
	w->forward_to[SIDE_OUTSIDE] = w->forward_to[SIDE_INSIDE] = &sink;
	w->reply_to[SIDE_OUTSIDE] = w->reply_to[SIDE_INSIDE] = &replies;

	u.reg = reg;
	u.limits = p->cfg->tenants[0].limits;
	u.rate = rate;
	u.vis_samples = samples;
	if (pthread_create(&thr, NULL, updater_main, &u) != 0)
		return 1;
	pin_to_other_cpu(thr);

	printf("%u tenants, %zu frames per iteration (%zu bursts of %d), "
	       "%ld CPUs; worker on CPU 0, updater on CPU %d\n",
	       tenants, PER_ITER, N_MSGS, BURST, sysconf(_SC_NPROCESSORS_ONLN),
	       sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0);
	for (int i = 0; i < 3000; i++) /* warm-up */
		run_iteration(w, it++);
	for (uint32_t r = 0; r < rounds; r++) {
		for (int up = 0; up < 2; up++) {
			struct phase *x = &ph[up][r];

			run_phase(w, &u, up, seconds, &it, iter_tsc, iter_max,
				  x);
			printf("round %u, %-22s median %6.1f ns/packet "
			       "(%.3f Mpps), wall %.3f Mpps, worker on CPU "
			       "%3.0f%%, %" PRIu64 " changes (%.0f/s, %.0f ns "
			       "each)\n",
			       r + 1, up ? "with changes:" : "no changes:",
			       x->median_ns, 1e3 / x->median_ns, x->wall_mpps,
			       100 * x->cpu_share, x->published,
			       (double)x->published / seconds, x->publish_ns);
		}
	}
	{
		double m[2][MAX_ROUNDS];

		for (int up = 0; up < 2; up++) {
			for (uint32_t r = 0; r < rounds; r++)
				m[up][r] = ph[up][r].median_ns;
			for (uint32_t a = 0; a < rounds; a++)
				for (uint32_t b = a + 1; b < rounds; b++)
					if (m[up][b] < m[up][a]) {
						double t = m[up][a];

						m[up][a] = m[up][b];
						m[up][b] = t;
					}
		}
		printf("median of the rounds: %.1f ns/packet without changes, "
		       "%.1f ns/packet with %u changes/s: %+.1f%%\n",
		       m[0][rounds / 2], m[1][rounds / 2], rate,
		       100 * (m[1][rounds / 2] / m[0][rounds / 2] - 1));
	}

	/* visibility: the main thread reads, as a worker would */
	{
		uint32_t last = 0, got = 0;
		double deadline;

		u.mode = 2;
		deadline = now_s() + 60;
		while (!u.vis_done && now_s() < deadline) {
			const struct tenant_policy *tp =
				tenant_registry_get(reg, 0);
			uint32_t ver = tp->max_calls >= VIS_BASE
					       ? tp->max_calls - VIS_BASE
					       : 0;

			if (ver != last && ver == u.vis_version) {
				lat[got++] = rte_rdtsc() - u.vis_tsc;
				u.vis_seen = ver;
			}
			last = ver;
			rcu_quiescent_state();
		}
		u.mode = 0;
		qsort(lat, got, sizeof(*lat), cmp_u64);
		if (got > 0)
			printf("visibility (publish start -> reader on the "
			       "other CPU sees it), %u samples: p50 %.0f ns, "
			       "p99 %.0f ns, p99.9 %.0f ns, max %.0f ns\n",
			       got, (double)lat[got / 2] * 1e9 / (double)hz,
			       (double)lat[(size_t)(got * 0.99)] * 1e9 /
				       (double)hz,
			       (double)lat[(size_t)(got * 0.999)] * 1e9 /
				       (double)hz,
			       (double)lat[got - 1] * 1e9 / (double)hz);
	}
	u.mode = -1;
	rcu_thread_offline();
	pthread_join(thr, NULL);
	rcu_thread_online();

	v = stats_aggregate(&w->stats, 1, reg);
	if (v == NULL)
		return 1;
	admission_gauges(adm, &v->gauges);
	printf("counters: packets %" PRIu64 ", forwarded %" PRIu64
	       ", dropped %" PRIu64 ", replies %" PRIu64
	       ", calls_active %" PRIu64 ", counter_underflows %" PRIu64 "\n",
	       v->sum.total[ST_PACKETS], v->sum.total[ST_FORWARDED_PACKETS],
	       v->sum.total[ST_DROPPED_PACKETS], v->sum.total[ST_REPLIES],
	       v->gauges.calls_active, v->gauges.counter_underflows);
	if (v->sum.total[ST_FORWARDED_PACKETS] != v->sum.total[ST_PACKETS] ||
	    v->sum.total[ST_PACKETS] != it * PER_ITER ||
	    v->gauges.counter_underflows != 0) {
		fprintf(stderr, "SANITY CHECK FAILED: not every frame was "
				"forwarded (the figures are void)\n");
		bad = 1;
	}
	stats_view_free(v);

	/* teardown, so that LeakSanitizer has nothing to say */
	port_out_close_pcap(&sink);
	port_out_close_pcap(&replies);
	frag_fini(&w->frag);
	stats_lcore_free(w->stats);
	rte_free(w);
	policy_publish(NULL);
	rcu_thread_offline();
	rcu_barrier(); /* the snapshot and every replaced tenant object */
	rcu_thread_online();
	admission_free(adm);
	tenant_registry_free(reg);
	for (size_t j = 0; j < N_MSGS; j++)
		for (int k = 0; k < BURST; k++)
			rte_pktmbuf_free(bursts[j][k]);
	rte_mempool_free(pool);
	free(iter_tsc);
	free(lat);
	state_table_thread_fini();
	rte_eal_cleanup();
	return bad;
}
