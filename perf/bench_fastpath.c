/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_fastpath: throughput of the whole fast path (decode -> scan ->
 * policy -> admission -> forward) on one core, in memory, with the tables
 * as large as the admission-control issue asks: 10,000 tenants and
 * 1,000,000 active calls.
 *
 *   bench_fastpath                 warm up, run about 3 s, report rates
 *   bench_fastpath --iterations N  exactly N iterations, no warm-up: for
 *       valgrind --tool=callgrind --toggle-collect=worker_process_burst
 *       (instructions per packet = Ir collected / packets processed)
 *
 * Options: --seconds S (timed run length), --calls N (calls pre-filled,
 * default 1000000), --tenants N (default 10000, at most 16352), --spread L
 * (see below, default 0).
 *
 * One iteration is 11 bursts of 32 frames, each burst from one side, in
 * call order: 32 INVITEs (outside), their 100, 180, 200 (inside), ACK, BYE
 * (outside), 200 to the BYE (inside); 32 REGISTER refreshes (outside) and
 * their 200 (inside); 32 OPTIONS (outside) and their 200 (inside): 352
 * frames. Each iteration's 32 calls get new Call-IDs, so every INVITE
 * inserts a call and every 200 to a BYE removes one; the table stays at
 * the pre-filled size. Call n belongs to tenant (n * 7919) % tenants, so
 * consecutive calls hit tenants (and their prefixes, counters, buckets)
 * spread over the whole set. REGISTERs refresh 100,000 AORs (10 per
 * tenant) that are pre-registered, as refreshes outnumber new bindings.
 *
 * --spread L: message j (0..6) of a call is sent L * j iterations after
 * its INVITE, so the table holds ~6 * L * 32 calls more and every lookup
 * but the INVITE's meets a call entry that is no longer in cache, as in
 * real traffic where a call's messages are seconds apart. 0 (the default)
 * sends a whole call within one iteration: its entry stays cache-hot.
 *
 * Only worker_process_burst() (and worker_flush(), which has nothing left
 * to send) is timed: patching the templates between iterations is not.
 */
#include <errno.h>
#include <inttypes.h>
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
#include <rte_lcore.h>
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
#include "worker.h"

#define BURST 32
#define DEFAULT_TENANTS 10000
#define MAX_TENANTS 16352 /* /29s in 198.18.0.0/15 below 198.19.255.0 */
#define DEFAULT_CALLS 1000000
#define CALL_CAPACITY 1200000
#define REG_CAPACITY 262144
#define AORS_PER_TENANT 10
#define TENANT_SCRAMBLE 7919u /* prime: a bijection on each block of n */
#define BENCH_NS 1000000000ULL
#define CALL_MSGS 7 /* messages of one call, INVITE .. 200 to BYE */

#define SBC_ADDR RTE_IPV4(198, 19, 255, 10)
#define TENANT_BASE BENCH_TENANT_BASE

/* Markers patched in place: same width every time. */
#define CALLID_MARK "CCCCCCCCCC" /* 10 digits: the call number */
#define CALLID_DIGITS 10
#define AOR_MARK "UUUUUU" /* 6 digits: the AOR number */
#define AOR_DIGITS 6

/* ------------------------------------------------------------ messages */

#define UA_VIA                                                                 \
	"Via: SIP/2.0/UDP "                                                    \
	"198.51.100.23:5060;branch=z9hG4bK1967260351;rport\r\n"
#define SBC_VIA                                                                \
	"Via: SIP/2.0/UDP 198.51.100.23:5060;received=198.51.100.23;"          \
	"branch=z9hG4bK1967260351;rport=5060\r\n"
#define CALL_FROM                                                              \
	"From: \"Reception 201\" <sip:+442079460201@pbx.acme-dental.example>;" \
	"tag=2094781635\r\n"
#define CALL_TO "To: <sip:+442079460123@sbc.carrier.example>\r\n"
#define CALL_TO_TAGGED                                                         \
	"To: <sip:+442079460123@sbc.carrier.example>;tag=as5e6f7a81\r\n"
#define CALL_ID "Call-ID: " CALLID_MARK "-5b3c6f1d@198.51.100.23\r\n"
#define ALLOW                                                                  \
	"Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, REFER, "     \
	"NOTIFY\r\n"
#define AOR "sip:" AOR_MARK "@pbx.acme-dental.example"

typedef void burst_fn(struct worker *w, enum side from, struct rte_mbuf **pkts,
		      uint64_t now_ns);

/*
 * One function per message type around worker_process_burst(), never
 * inlined nor merged, so that callgrind's inclusive cost of each is the
 * fast path's instructions for that message (callgrind_annotate
 * --inclusive=yes lists burst_invite, burst_100, ...).
 */
#if defined(__clang__)
#define BENCH_DISTINCT __attribute__((noinline))
#else
#define BENCH_DISTINCT __attribute__((noipa))
#endif
#define BURST_FN(name)                                                         \
	static BENCH_DISTINCT void burst_##name(                               \
		struct worker *w, enum side from, struct rte_mbuf **pkts,      \
		uint64_t now_ns)                                               \
	{                                                                      \
		worker_process_burst(w, from, pkts, BURST, now_ns);            \
	}
BURST_FN(invite)
BURST_FN(100)
BURST_FN(180)
BURST_FN(200_invite)
BURST_FN(ack)
BURST_FN(bye)
BURST_FN(200_bye)
BURST_FN(register)
BURST_FN(200_register)
BURST_FN(options)
BURST_FN(200_options)

struct msg_template {
	const char *name;
	enum side side;
	bool per_call; /* carries the call's Call-ID */
	burst_fn *process;
	const char *text;
};

static const struct msg_template msgs[] = {
	{"INVITE (SDP)", SIDE_OUTSIDE, true, burst_invite,
	 "INVITE sip:+442079460123@sbc.carrier.example:5060 SIP/2.0\r\n" UA_VIA
	 "Max-Forwards: 70\r\n" CALL_FROM CALL_TO CALL_ID "CSeq: 1 INVITE\r\n"
	 "Contact: <sip:+442079460201@198.51.100.23:5060>\r\n"
	 "Content-Type: application/sdp\r\n" ALLOW
	 "User-Agent: Asterisk PBX 18.20.0\r\n"
	 "Supported: replaces, timer\r\n"
	 "Session-Expires: 1800;refresher=uac\r\n"
	 "Min-SE: 90\r\n"
	 "P-Asserted-Identity: <sip:+442079460201@pbx.acme-dental.example>\r\n"
	 "Content-Length: 311\r\n\r\n" SDP_OFFER},
	{"100 Trying", SIDE_INSIDE, true, burst_100,
	 "SIP/2.0 100 Trying\r\n" SBC_VIA CALL_FROM CALL_TO CALL_ID
	 "CSeq: 1 INVITE\r\n"
	 "Server: carrier-sbc\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{"180 Ringing", SIDE_INSIDE, true, burst_180,
	 "SIP/2.0 180 Ringing\r\n" SBC_VIA CALL_FROM CALL_TO_TAGGED CALL_ID
	 "CSeq: 1 INVITE\r\n"
	 "Contact: <sip:+442079460123@198.19.255.10:5060>\r\n" ALLOW
	 "Server: carrier-sbc\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{"200 OK (SDP)", SIDE_INSIDE, true, burst_200_invite,
	 "SIP/2.0 200 OK\r\n" SBC_VIA CALL_FROM CALL_TO_TAGGED CALL_ID
	 "CSeq: 1 INVITE\r\n"
	 "Contact: <sip:+442079460123@198.19.255.10:5060>\r\n" ALLOW
	 "Supported: replaces, timer\r\n"
	 "Require: timer\r\n"
	 "Session-Expires: 1800;refresher=uac\r\n"
	 "Server: carrier-sbc\r\n"
	 "Content-Type: application/sdp\r\n"
	 "Content-Length: 218\r\n\r\n" SDP_ANSWER},
	{"ACK", SIDE_OUTSIDE, true, burst_ack,
	 "ACK sip:+442079460123@198.19.255.10:5060 SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP "
	 "198.51.100.23:5060;branch=z9hG4bK3871209411;rport\r\n"
	 "Max-Forwards: 70\r\n" CALL_FROM CALL_TO_TAGGED CALL_ID
	 "CSeq: 1 ACK\r\n"
	 "Contact: <sip:+442079460201@198.51.100.23:5060>\r\n"
	 "User-Agent: Asterisk PBX 18.20.0\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{"BYE", SIDE_OUTSIDE, true, burst_bye,
	 "BYE sip:+442079460123@198.19.255.10:5060 SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP "
	 "198.51.100.23:5060;branch=z9hG4bK0410392722;rport\r\n"
	 "Max-Forwards: 70\r\n" CALL_FROM CALL_TO_TAGGED CALL_ID
	 "CSeq: 2 BYE\r\n"
	 "User-Agent: Asterisk PBX 18.20.0\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{"200 OK (BYE)", SIDE_INSIDE, true, burst_200_bye,
	 "SIP/2.0 200 OK\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;received=198.51.100.23;"
	 "branch=z9hG4bK0410392722;rport=5060\r\n" CALL_FROM CALL_TO_TAGGED
		 CALL_ID "CSeq: 2 BYE\r\n"
	 "Server: carrier-sbc\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{"REGISTER", SIDE_OUTSIDE, false, burst_register,
	 "REGISTER sip:pbx.acme-dental.example SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5062;branch=z9hG4bK2737718001;"
	 "rport\r\n"
	 "Max-Forwards: 70\r\n"
	 "From: <" AOR ">;tag=1405762231\r\n"
	 "To: <" AOR ">\r\n"
	 "Call-ID: " AOR_MARK "_1808429342@198.51.100.23\r\n"
	 "CSeq: 2 REGISTER\r\n"
	 "Contact: <sip:" AOR_MARK "@198.51.100.23:5062>;reg-id=1;"
	 "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-805ec0a1b2c3>\"\r\n"
	 "Authorization: Digest username=\"" AOR_MARK "\", "
	 "realm=\"pbx.acme-dental.example\", nonce=\"5f3e2d1c0b0a09080706\", "
	 "uri=\"sip:pbx.acme-dental.example\", "
	 "response=\"8e7d6c5b4a3928170615f4e3d2c1b0a9\", algorithm=MD5\r\n"
	 "User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
	 "Expires: 3600\r\n" ALLOW "Content-Length: 0\r\n\r\n"},
	{"200 OK (REGISTER)", SIDE_INSIDE, false, burst_200_register,
	 "SIP/2.0 200 OK\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5062;received=198.51.100.23;"
	 "branch=z9hG4bK2737718001;rport=5062\r\n"
	 "From: <" AOR ">;tag=1405762231\r\n"
	 "To: <" AOR ">;tag=as1c2d3e4f\r\n"
	 "Call-ID: " AOR_MARK "_1808429342@198.51.100.23\r\n"
	 "CSeq: 2 REGISTER\r\n"
	 "Contact: <sip:" AOR_MARK "@198.51.100.23:5062>;expires=3600\r\n"
	 "Date: Tue, 14 May 2024 09:12:44 GMT\r\n"
	 "Server: carrier-sbc\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{"OPTIONS", SIDE_OUTSIDE, false, burst_options,
	 "OPTIONS sip:sbc.carrier.example SIP/2.0\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;branch=z9hG4bK5a6b7c8d\r\n"
	 "Max-Forwards: 70\r\n"
	 "From: <sip:ping@pbx.acme-dental.example>;tag=ka7720\r\n"
	 "To: <sip:sbc.carrier.example>\r\n"
	 "Call-ID: ka-" AOR_MARK "@198.51.100.23\r\n"
	 "CSeq: 7720 OPTIONS\r\n"
	 "Accept: application/sdp\r\n"
	 "User-Agent: Asterisk PBX 18.20.0\r\n"
	 "Content-Length: 0\r\n\r\n"},
	{"200 OK (OPTIONS)", SIDE_INSIDE, false, burst_200_options,
	 "SIP/2.0 200 OK\r\n"
	 "Via: SIP/2.0/UDP 198.51.100.23:5060;received=198.51.100.23;"
	 "branch=z9hG4bK5a6b7c8d\r\n"
	 "From: <sip:ping@pbx.acme-dental.example>;tag=ka7720\r\n"
	 "To: <sip:sbc.carrier.example>;tag=as77a1b2c3\r\n"
	 "Call-ID: ka-" AOR_MARK "@198.51.100.23\r\n"
	 "CSeq: 7720 OPTIONS\r\n" ALLOW "Accept: application/sdp\r\n"
	 "Supported: replaces, timer\r\n"
	 "Server: carrier-sbc\r\n"
	 "Content-Length: 0\r\n\r\n"},
};

#define N_MSGS (sizeof(msgs) / sizeof(msgs[0]))
#define MAX_MARKS 8

/* One frame of the burst: a template mbuf and where to patch it. */
struct frame {
	struct rte_mbuf *m;
	uint16_t call_off[MAX_MARKS], aor_off[MAX_MARKS];
	uint8_t n_call, n_aor;
};

struct bench {
	struct frame frames[N_MSGS][BURST];
	struct rte_mbuf *burst[N_MSGS][BURST];
	uint32_t tenants;
	uint32_t aors;
	uint32_t spread;
	uint64_t packets;      /* in the measured run */
	uint64_t all_packets;  /* warm-up included */
	uint64_t fastpath_tsc; /* inside worker_process_burst + flush */
	uint64_t min_iter_tsc;
	/* each measured iteration's fast-path time, for the median: on a
	 * shared machine the mean includes time the thread was not running */
	uint64_t *iter_tsc;
	uint32_t *burst_tsc[N_MSGS]; /* the same, per message type */
	size_t iter_count, iter_max;
};

/* ------------------------------------------------------------ options */

struct options {
	uint64_t iterations; /* 0: timed run */
	double seconds;
	uint32_t calls;
	uint32_t tenants;
	uint32_t spread;
};

static void usage(FILE *out)
{
	fputs("usage: bench_fastpath [--iterations N | --seconds S] "
	      "[--calls N]\n"
	      "                      [--tenants N] [--spread L]\n",
	      out);
}

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s || *end || *v < lo || *v > hi ? -1 : 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){.seconds = 3.0,
			      .calls = DEFAULT_CALLS,
			      .tenants = DEFAULT_TENANTS};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (i + 1 >= argc) {
			usage(stderr);
			return -1;
		}
		if (!strcmp(a, "--iterations") &&
		    !parse_u64(argv[i + 1], 1, UINT32_MAX, &v))
			o->iterations = v;
		else if (!strcmp(a, "--seconds") &&
			 !parse_u64(argv[i + 1], 1, 3600, &v))
			o->seconds = (double)v;
		else if (!strcmp(a, "--calls") &&
			 !parse_u64(argv[i + 1], 0, 1000000000, &v))
			o->calls = (uint32_t)v;
		else if (!strcmp(a, "--tenants") &&
			 !parse_u64(argv[i + 1], 1, MAX_TENANTS, &v))
			o->tenants = (uint32_t)v;
		else if (!strcmp(a, "--spread") &&
			 !parse_u64(argv[i + 1], 0, 100000, &v))
			o->spread = (uint32_t)v;
		else {
			usage(stderr);
			return -1;
		}
		i++;
	}
	return 0;
}

/* ------------------------------------------------------------ config */

/*
 * 10,000 tenants, each a /29 of 198.18.0.0/15; the SBC in 198.19.255.0/24.
 * Limits generous enough never to refuse this traffic, but set, so the
 * admission checks (CAS on the call counter, rate buckets) all run.
 */
static struct config *make_config(uint32_t tenants, uint32_t calls,
				  uint32_t spread)
{
	uint64_t capacity = CALL_CAPACITY;
	char head[512];

	/* room for the pre-filled calls, those in flight with --spread,
	 * and entries waiting for their grace period */
	if (capacity < (uint64_t)calls + (6ULL * spread + 64) * BURST + 100000)
		capacity =
			(uint64_t)calls + (6ULL * spread + 64) * BURST + 100000;
	snprintf(head, sizeof(head),
		 "sip: {ports: [5060], tls_ports: [5061]}\n"
		 "inside_networks: [198.19.255.0/24]\n"
		 "calls: {capacity: %" PRIu64 "}\n"
		 "registrations: {capacity: %u}\n"
		 "defaults: {max_calls: 1000, cps: 1000, register_rate: 1000,"
		 " other_rate: 1000, max_users: 1000}\n",
		 capacity, REG_CAPACITY);
	return bench_tenant_config(head, tenants);
}

/* ------------------------------------------------------------ tables */

static uint32_t tenant_of(const struct bench *b, uint64_t n)
{
	return (uint32_t)(n * TENANT_SCRAMBLE % b->tenants);
}

/*
 * Fill the call table with `calls` active calls of spread tenants, without
 * counting them against any limit (the benchmark's own calls are counted,
 * and released, as the fast path sees them).
 */
static int prefill_calls(struct admission *adm,
			 const struct tenant_registry *registry, uint32_t calls,
			 uint32_t tenants, uint64_t now)
{
	char id[64];

	for (uint32_t i = 0; i < calls; i++) {
		struct sip_str cid = {.ptr = id};
		struct call_info info = {
			.tenant = (uint32_t)((uint64_t)i * TENANT_SCRAMBLE %
					     tenants),
			.direction =
				i & 1 ? CALL_FROM_INSIDE : CALL_FROM_OUTSIDE,
			.invite_cseq = 1,
			.created_ns = now,
		};
		struct call_key key;
		struct call_entry *e;

		cid.len = (uint32_t)snprintf(id, sizeof(id),
					     "%010u-a7e1c09d@203.0.113.77", i);
		key = call_key_make(tenant_registry_key_id(registry, info.tenant),
				    &cid);
		if (call_table_insert(adm->calls, &key, &info,
				      now + 4 * 3600 * BENCH_NS, &e) != 0) {
			fprintf(stderr,
				"bench_fastpath: pre-fill failed at "
				"call %u\n",
				i);
			return -1;
		}
		if ((i & 1023) == 1023)
			rcu_quiescent_state();
	}
	return 0;
}

/*
 * Register the AORs the REGISTERs refresh, as the fast path would have
 * (pending, then active on the 2xx, one user counted).
 */
static int prefill_regs(struct admission *adm, const struct bench *b,
			const struct tenant_registry *registry, uint64_t now)
{
	static const char host[] = "pbx.acme-dental.example";
	char user[16];

	for (uint32_t a = 0; a < b->aors; a++) {
		uint32_t t = tenant_of(b, a);
		struct reg_info info = {.tenant = t, .created_ns = now};
		struct sip_uri uri = {
			.scheme = SIP_URI_SIP,
			.user = {user, AOR_DIGITS},
			.host = {host, sizeof(host) - 1},
		};
		struct reg_key key;
		struct reg_entry *e;

		snprintf(user, sizeof(user), "%0*u", AOR_DIGITS, a);
		/* as the fast path makes it, so the REGISTERs refresh it */
		key = reg_key_make(tenant_registry_key_id(registry, t), &uri);
		if (reg_table_insert(adm->regs, &key, &info,
				     now + 3600 * BENCH_NS, &e) != 0 ||
		    !reg_entry_set_expiry(e, REG_ACTIVE,
					  now + 3600 * BENCH_NS)) {
			fprintf(stderr,
				"bench_fastpath: registration "
				"pre-fill failed at %u\n",
				a);
			return -1;
		}
		adm->usage[t].users++;
	}
	return 0;
}

/* ------------------------------------------------------------ frames */

static void find_marks(const uint8_t *data, size_t len, const char *mark,
		       uint16_t *offs, uint8_t *n)
{
	size_t ml = strlen(mark);

	*n = 0;
	for (size_t i = 0; i + ml <= len && *n < MAX_MARKS; i++)
		if (!memcmp(data + i, mark, ml)) {
			offs[(*n)++] = (uint16_t)i;
			i += ml - 1;
		}
}

static int build_frames(struct bench *b, struct rte_mempool *pool)
{
	for (size_t j = 0; j < N_MSGS; j++) {
		size_t sip_len = strlen(msgs[j].text);
		size_t len = sizeof(struct rte_ether_hdr) +
			     sizeof(struct rte_ipv4_hdr) +
			     sizeof(struct rte_udp_hdr) + sip_len;

		for (int k = 0; k < BURST; k++) {
			struct frame *f = &b->frames[j][k];
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			struct rte_ether_hdr *eth;
			struct rte_ipv4_hdr *ip;
			struct rte_udp_hdr *udp;
			uint8_t *d;

			if (m == NULL)
				return -1;
			d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len);
			if (d == NULL)
				return -1;
			eth = (struct rte_ether_hdr *)d;
			ip = (struct rte_ipv4_hdr *)(eth + 1);
			udp = (struct rte_udp_hdr *)(ip + 1);
			memset(d, 0, len - sip_len);
			memcpy(eth->src_addr.addr_bytes,
			       msgs[j].side == SIDE_OUTSIDE
				       ? "\x02\0\0\0\0\x01"
				       : "\x02\0\0\0\0\x02",
			       6);
			memcpy(eth->dst_addr.addr_bytes,
			       msgs[j].side == SIDE_OUTSIDE
				       ? "\x02\0\0\0\0\x02"
				       : "\x02\0\0\0\0\x01",
			       6);
			eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
			ip->version_ihl = RTE_IPV4_VHL_DEF;
			ip->total_length = rte_cpu_to_be_16(
				(uint16_t)(len - sizeof(*eth)));
			ip->packet_id = rte_cpu_to_be_16((uint16_t)k);
			ip->fragment_offset =
				rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
			ip->time_to_live = 64;
			ip->next_proto_id = IPPROTO_UDP;
			udp->src_port = rte_cpu_to_be_16(5060);
			udp->dst_port = rte_cpu_to_be_16(5060);
			udp->dgram_len = rte_cpu_to_be_16(
				(uint16_t)(sizeof(*udp) + sip_len));
			/* UDP checksum 0 ("none", valid over IPv4): the
			 * payload is patched every iteration */
			udp->dgram_cksum = 0;
			memcpy(udp + 1, msgs[j].text, sip_len);
			f->m = m;
			b->burst[j][k] = m;
			find_marks(d, len, CALLID_MARK, f->call_off,
				   &f->n_call);
			find_marks(d, len, AOR_MARK, f->aor_off, &f->n_aor);
		}
	}
	return 0;
}

static void put_digits(uint8_t *p, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (uint8_t)('0' + v % 10);
		v /= 10;
	}
}

static void set_addresses(uint8_t *d, enum side side, uint32_t tenant)
{
	struct rte_ipv4_hdr *ip =
		(struct rte_ipv4_hdr *)(d + sizeof(struct rte_ether_hdr));
	/* a host inside the tenant's /29: .1 .. .6 */
	uint32_t host = TENANT_BASE + tenant * 8 + 1 + tenant % 6;

	ip->src_addr = rte_cpu_to_be_32(side == SIDE_OUTSIDE ? host : SBC_ADDR);
	ip->dst_addr = rte_cpu_to_be_32(side == SIDE_OUTSIDE ? SBC_ADDR : host);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/*
 * Make iteration `it`'s frames: call message j of slot k belongs to call
 * (it - j * spread) * 32 + k; REGISTER and OPTIONS of slot k to AOR
 * (it * 32 + k) % aors. Writes a few bytes per frame in place.
 */
static void patch_iteration(struct bench *b, uint64_t it)
{
	for (size_t j = 0; j < N_MSGS; j++) {
		for (int k = 0; k < BURST; k++) {
			struct frame *f = &b->frames[j][k];
			uint8_t *d = rte_pktmbuf_mtod(f->m, uint8_t *);
			uint64_t n;

			if (msgs[j].per_call)
				n = (it - j * b->spread) * BURST + (uint64_t)k;
			else
				n = (it * BURST + (uint64_t)k) % b->aors;
			for (int i = 0; i < f->n_call; i++)
				put_digits(d + f->call_off[i], n,
					   CALLID_DIGITS);
			for (int i = 0; i < f->n_aor; i++)
				put_digits(d + f->aor_off[i], n, AOR_DIGITS);
			set_addresses(d, msgs[j].side, tenant_of(b, n));
		}
	}
}

/* ------------------------------------------------------------ the run */

static uint64_t tsc_to_ns(uint64_t tsc, uint64_t hz)
{
	return (uint64_t)((__uint128_t)tsc * BENCH_NS / hz);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_iteration(struct bench *b, struct worker *w, uint64_t it,
			  uint64_t hz)
{
	uint64_t now = tsc_to_ns(rte_rdtsc(), hz), spent = 0;

	patch_iteration(b, it);
	for (size_t j = 0; j < N_MSGS; j++) {
		struct rte_mbuf **pkts = b->burst[j];
		uint64_t t0, t1;

		/*
		 * No copy per packet: the template mbufs are handed over
		 * again and again. One extra reference each makes the
		 * port_out's free (a PCAP sink without a file: it frees
		 * what it is given) drop the count back to 1 instead of
		 * returning the mbuf to its pool. That free is the same
		 * atomic decrement a NIC's TX completion would cost. This
		 * is safe only while every frame is forwarded untouched: a
		 * reply would rewrite a shared template, which the check at
		 * the end catches (it requires every frame forwarded).
		 */
		for (int k = 0; k < BURST; k++)
			rte_mbuf_refcnt_update(pkts[k], 1);
		t0 = rte_rdtsc();
		msgs[j].process(w, msgs[j].side, pkts, now);
		worker_flush(w);
		t1 = rte_rdtsc();
		spent += t1 - t0;
		if (b->iter_count < b->iter_max)
			b->burst_tsc[j][b->iter_count] = (uint32_t)(t1 - t0);
	}
	/* as worker_loop: between bursts, never holding a table pointer */
	rcu_quiescent_state();
	b->fastpath_tsc += spent;
	if (spent < b->min_iter_tsc)
		b->min_iter_tsc = spent;
	if (b->iter_count < b->iter_max)
		b->iter_tsc[b->iter_count++] = spent;
	b->packets += N_MSGS * BURST;
	b->all_packets += N_MSGS * BURST;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The measured run, from iteration `it` on, and its rates. */
static void measure(struct bench *b, struct worker *w, const struct options *o,
		    uint64_t it, uint64_t hz)
{
	uint64_t n = 0, packets, start_tsc, tsc_total;
	double t0 = now_s(), cpu0 = thread_cpu_s(), elapsed, cpu, tsc_hz;
	double per_iter = N_MSGS * BURST, mean_ns, median_ns, p10_ns, p90_ns;

	b->packets = 0;
	b->fastpath_tsc = 0;
	b->min_iter_tsc = UINT64_MAX;
	b->iter_count = 0;
	start_tsc = rte_rdtsc();
	if (o->iterations != 0) {
		for (; n < o->iterations; n++)
			run_iteration(b, w, it++, hz);
	} else {
		do {
			for (int i = 0; i < 256; i++, n++)
				run_iteration(b, w, it++, hz);
		} while (now_s() - t0 < o->seconds);
	}
	tsc_total = rte_rdtsc() - start_tsc;
	elapsed = now_s() - t0;
	cpu = thread_cpu_s() - cpu0;
	packets = b->packets;
	/* the TSC rate from this run's own wall clock */
	tsc_hz = (double)tsc_total / elapsed;
	qsort(b->iter_tsc, b->iter_count, sizeof(*b->iter_tsc), cmp_u64);
#define ITER_NS(q)                                                             \
	((double)b->iter_tsc[(size_t)((double)(b->iter_count - 1) * (q))] /    \
	 tsc_hz * 1e9 / per_iter)
	mean_ns = (double)b->fastpath_tsc / tsc_hz * 1e9 / (double)packets;
	median_ns = ITER_NS(0.5);
	p10_ns = ITER_NS(0.1);
	p90_ns = ITER_NS(0.9);
#undef ITER_NS

	printf("\nmachine: %ld online CPUs, TSC %.3f GHz (EAL: %.3f GHz)\n",
	       sysconf(_SC_NPROCESSORS_ONLN), tsc_hz / 1e9, (double)hz / 1e9);
	printf("packets processed: %" PRIu64 " (%" PRIu64 " iterations x %.0f;"
	       " divide callgrind's Ir by this)\n",
	       packets, n, per_iter);
	printf("fast path, ns/packet over the %.0f-packet iterations: median "
	       "%.1f, p10 %.1f, p90 %.1f, best %.1f, mean %.1f\n",
	       per_iter, median_ns, p10_ns, p90_ns,
	       (double)b->min_iter_tsc / tsc_hz * 1e9 / per_iter, mean_ns);
	printf("fast path: %.3f Mpps per core at the median (%.0f cycles/"
	       "packet), %.3f Mpps at the mean\n",
	       1e3 / median_ns, median_ns * tsc_hz / 1e9, 1e3 / mean_ns);
	printf("whole loop (with patching and refcounts): %.3f Mpps of wall "
	       "time, %.3f Mpps of this thread's CPU time (%.0f%% of the wall "
	       "time on a CPU)\n",
	       (double)packets / elapsed / 1e6, (double)packets / cpu / 1e6,
	       100.0 * cpu / elapsed);
	printf("target 5 Mpps per core: %s\n",
	       1e3 / median_ns >= 5.0 ? "met" : "NOT met");
	printf("median ns/packet by message (a burst of %d of each):\n", BURST);
	for (size_t j = 0; j < N_MSGS && b->iter_count != 0; j++) {
		uint32_t *v = b->burst_tsc[j];

		qsort(v, b->iter_count, sizeof(*v), cmp_u32);
		printf("  %-18s %5u bytes %7.1f\n", msgs[j].name,
		       b->frames[j][0].m->pkt_len,
		       (double)v[(b->iter_count - 1) / 2] / tsc_hz * 1e9 /
			       BURST);
	}
}

/* ------------------------------------------------------------ report */

static void rss_kib(long *rss, long *hwm)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	*rss = *hwm = -1;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			*rss = strtol(line + 6, NULL, 10);
		else if (!strncmp(line, "VmHWM:", 6))
			*hwm = strtol(line + 6, NULL, 10);
	}
	fclose(f);
}

/* Returns 0 when the counters are what this traffic must give. */
static int report(const struct bench *b, struct worker *w,
		  const struct policy *p, struct admission *adm,
		  uint64_t expect_calls)
{
	struct stats_view *v =
		stats_aggregate(&w->stats, 1, p->registry);
	const struct stats_lcore *s;
	uint64_t refused = 0;
	long rss, hwm;
	int bad = 0;

	if (v == NULL)
		return -1;
	admission_gauges(adm, &v->gauges);
	s = &v->sum;
	printf("counters: packets %" PRIu64 ", forwarded %" PRIu64
	       ", dropped %" PRIu64 ", replies %" PRIu64
	       ", SIP messages %" PRIu64 " (%" PRIu64 " requests, %" PRIu64
	       " responses), malformed %" PRIu64 "\n",
	       s->total[ST_PACKETS], s->total[ST_FORWARDED_PACKETS],
	       s->total[ST_DROPPED_PACKETS], s->total[ST_REPLIES],
	       s->total[ST_SIP_MESSAGES], s->total[ST_REQUESTS],
	       s->total[ST_RESPONSES], s->total[ST_MALFORMED]);
	printf("verdicts:");
	for (int r = 0; r < VERDICT_MAX; r++) {
		if (s->all.verdicts[r] == 0)
			continue;
		printf(" %s %" PRIu64, verdict_reason_name(r),
		       s->all.verdicts[r]);
		if (r != VERDICT_FORWARDED)
			refused += s->all.verdicts[r];
	}
	printf("\n");
	printf("tables: calls_active %" PRIu64 " (expected ~%" PRIu64
	       "), call_capacity %" PRIu64 ", registrations_active %" PRIu64
	       ", counter_underflows %" PRIu64 "\n",
	       v->gauges.calls_active, expect_calls, v->gauges.call_capacity,
	       v->gauges.registrations_active, v->gauges.counter_underflows);
	rss_kib(&rss, &hwm);
	printf("memory: %zu bytes per call slot (call_table_bytes_per_entry), "
	       "RSS %ld MiB (peak %ld MiB)\n",
	       call_table_bytes_per_entry(adm->calls), rss / 1024, hwm / 1024);
	if (s->total[ST_PACKETS] != b->all_packets ||
	    s->total[ST_FORWARDED_PACKETS] != b->all_packets || refused != 0 ||
	    s->total[ST_SIP_MESSAGES] != b->all_packets ||
	    v->gauges.counter_underflows != 0 ||
	    v->gauges.registrations_active != b->aors) {
		fprintf(stderr, "bench_fastpath: SANITY CHECK FAILED: not "
				"every frame was forwarded as a SIP message "
				"(the figures are void)\n");
		bad = 1;
	}
	stats_view_free(v);
	return bad;
}

/* ------------------------------------------------------------ main */

int main(int argc, char **argv)
{
	static const uint8_t tag_key[REPLY_TAG_KEY_LEN] = "bench-fastpath-k";
	struct port_out forwarded, replies;
	struct rte_mempool *pool;
	struct admission *adm;
	struct options o;
	struct config *cfg;
	struct policy *p;
	struct tenant_registry *registry;
	struct worker *w;
	struct bench *b;
	char err[512];
	uint64_t hz, it = 0, warm;
	double t0;
	int rc;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	/*
	 * Before EAL pins this thread to lcore 0: the first call starts the
	 * tables' reclamation (call_rcu) thread, which inherits our CPU
	 * affinity; unpinned, it runs beside the benchmark, as it does
	 * beside the workers in the daemon.
	 */
	state_table_thread_init();
	if (bench_eal_init(argv[0], "bench") < 0) {
		fprintf(stderr, "bench_fastpath: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	hz = rte_get_tsc_hz();

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return 1;
	b->tenants = o.tenants;
	b->aors = o.tenants * AORS_PER_TENANT;
	b->spread = o.spread;
	b->min_iter_tsc = UINT64_MAX;

	t0 = now_s();
	cfg = make_config(o.tenants, o.calls, o.spread);
	if (cfg == NULL)
		return 1;
	/* a fresh registry numbers the tenants in configuration order */
	registry = tenant_registry_create(config_tenant_capacity(cfg));
	if (registry == NULL)
		return 1;
	p = policy_build(cfg, registry, tag_key, err, sizeof(err));
	if (p == NULL) {
		fprintf(stderr, "bench_fastpath: %s\n", err);
		return 1;
	}
	adm = admission_create(registry->capacity, p->cfg->call_capacity,
			       p->cfg->reg_capacity);
	if (adm == NULL) {
		fprintf(stderr, "bench_fastpath: no memory for the tables\n");
		return 1;
	}
	policy_publish(p);
	printf("setup: %u tenants, config + policy in %.2f s\n",
	       tenant_registry_count(registry), now_s() - t0);

	t0 = now_s();
	if (prefill_calls(adm, registry, o.calls, o.tenants,
			  tsc_to_ns(rte_rdtsc(), hz)) < 0 ||
	    prefill_regs(adm, b, registry, tsc_to_ns(rte_rdtsc(), hz)) < 0)
		return 1;
	printf("pre-filled %u calls and %u registrations in %.2f s\n",
	       call_table_count(adm->calls), b->aors, now_s() - t0);

	pool = rte_pktmbuf_pool_create("bench", 1023, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	w = rte_zmalloc("worker", sizeof(*w), 64);
	if (pool == NULL || w == NULL || build_frames(b, pool) < 0) {
		fprintf(stderr, "bench_fastpath: buffers: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	w->admission = adm;
	w->stats = stats_lcore_create(registry->capacity);
	if (w->stats == NULL ||
	    frag_init(&w->frag, pool, 4096, (int)rte_socket_id()) < 0 ||
	    port_out_open_pcap(&forwarded, NULL, err, sizeof(err)) < 0 ||
	    port_out_open_pcap(&replies, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_fastpath: worker setup failed\n");
		return 1;
	}
	/* both sides' frames go to a sink that discards them */
	w->forward_to[SIDE_OUTSIDE] = w->forward_to[SIDE_INSIDE] = &forwarded;
	w->reply_to[SIDE_OUTSIDE] = w->reply_to[SIDE_INSIDE] = &replies;

	{
		uint64_t frame_bytes = 0, header_bytes = 0;

		printf("frames per iteration: %zu bursts of %d:", N_MSGS,
		       BURST);
		for (size_t j = 0; j < N_MSGS; j++) {
			const char *sip = msgs[j].text;
			struct sip_msg m;

			if (sip_scan(sip, strlen(sip), &m) != SIP_SCAN_OK) {
				fprintf(stderr,
					"bench_fastpath: template %s "
					"does not scan\n",
					msgs[j].name);
				return 1;
			}
			frame_bytes += b->frames[j][0].m->pkt_len;
			header_bytes += m.header_len;
			printf(" %s %u%s", msgs[j].name,
			       b->frames[j][0].m->pkt_len,
			       j + 1 < N_MSGS ? "," : " bytes\n");
		}
		printf("mean frame %.0f bytes, of which SIP start line + "
		       "headers %.0f bytes\n",
		       (double)frame_bytes / N_MSGS,
		       (double)header_bytes / N_MSGS);
	}

	/*
	 * With --spread, a call's later messages refer to calls started up
	 * to 6 * spread iterations earlier: begin there, so no call number
	 * is negative (the first 6 * spread iterations' later messages find
	 * no call yet, which the warm-up absorbs).
	 */
	it = 6ULL * o.spread;
	if (o.iterations == 0) {
		/* warm-up: caches, branch predictors, the free list */
		warm = 6ULL * o.spread + 2000;
		for (uint64_t i = 0; i < warm; i++)
			run_iteration(b, w, it++, hz);
	}
	b->iter_max = o.iterations ? o.iterations : 1u << 18;
	b->iter_tsc = malloc(b->iter_max * sizeof(*b->iter_tsc));
	if (b->iter_tsc == NULL)
		return 1;
	for (size_t j = 0; j < N_MSGS; j++) {
		b->burst_tsc[j] = malloc(b->iter_max * sizeof(uint32_t));
		if (b->burst_tsc[j] == NULL)
			return 1;
	}
	measure(b, w, &o, it, hz);
	rc = report(b, w, p, adm,
		    (uint64_t)o.calls +
			    (o.spread ? 6ULL * o.spread * BURST : 0));
	fflush(stdout);
	/*
	 * No teardown of the 1M-entry tables: the process ends here, and
	 * unlinking every entry would take longer than the run under
	 * callgrind.
	 */
	state_table_thread_fini();
	return rc ? 1 : 0;
}
