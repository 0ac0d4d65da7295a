/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_scan: throughput of sip_scan() on one core over a realistic mix of
 * a call and a registration as an SBC sees them (INVITE with SDP, 100, 180,
 * 200 with SDP, ACK, BYE, 200, REGISTER with credentials, its 200, and an
 * OPTIONS keepalive).
 *
 *   bench_scan                 runs 5 rounds, about 2 s in all, and
 *                              reports the median and the best round
 *   bench_scan --iterations N  scans the mix N times in one round (for
 *                              callgrind: instructions / messages scanned)
 *
 * Throughput counts header bytes (header_len), as that is what the scanner
 * reads; bodies are skipped by Content-Length.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_common.h"
#include "sip_scan.h"



#define UA_VIA                                                                 \
	"Via: SIP/2.0/UDP "                                                    \
	"198.51.100.23:5062;branch=z9hG4bK1967260351;rport\r\n"
#define SBC_VIA                                                                \
	"Via: SIP/2.0/UDP 198.51.100.23:5062;received=198.51.100.23;"          \
	"branch=z9hG4bK1967260351;rport=5062\r\n"
#define CALL_FROM                                                              \
	"From: \"Reception 201\" <sip:201@pbx.acme-dental.example>;"           \
	"tag=2094781635\r\n"
#define CALL_TO "To: <sip:+442079460123@pbx.acme-dental.example>\r\n"
#define CALL_TO_TAGGED                                                         \
	"To: <sip:+442079460123@pbx.acme-dental.example>;tag=as5e6f7a81\r\n"
#define CALL_ID "Call-ID: 0_3141592653@198.51.100.23\r\n"
#define ALLOW                                                                  \
	"Allow: INVITE, INFO, PRACK, ACK, BYE, CANCEL, OPTIONS, NOTIFY, "      \
	"REGISTER, SUBSCRIBE, REFER, PUBLISH, UPDATE, MESSAGE\r\n"

static const char *const mix[] = {
	/* INVITE from a desk phone */
	"INVITE sip:+442079460123@pbx.acme-dental.example:5060 "
	"SIP/2.0\r\n" UA_VIA
	"From: \"Reception 201\" <sip:201@pbx.acme-dental.example>;"
	"tag=2094781635\r\n" CALL_TO CALL_ID "CSeq: 2 INVITE\r\n"
	"Contact: <sip:201@198.51.100.23:5062>\r\n"
	"Authorization: Digest username=\"201\", "
	"realm=\"pbx.acme-dental.example\", "
	"nonce=\"6a1b2c3d4e5f60718293a4b5\", "
	"uri=\"sip:+442079460123@pbx.acme-dental.example:5060\", "
	"response=\"0f1e2d3c4b5a69788796a5b4c3d2e1f0\", algorithm=MD5\r\n"
	"Content-Type: application/sdp\r\n" ALLOW "Max-Forwards: 70\r\n"
	"User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
	"Supported: replaces, timer\r\n"
	"Session-Expires: 1800;refresher=uac\r\n"
	"Min-SE: 90\r\n"
	"Allow-Events: talk,hold,conference,refer,check-sync\r\n"
	"Content-Length: 311\r\n\r\n" SDP_OFFER,

	"SIP/2.0 100 Trying\r\n" SBC_VIA CALL_FROM CALL_TO CALL_ID
	"CSeq: 2 INVITE\r\n"
	"Server: sipwarden-sbc\r\n"
	"Content-Length: 0\r\n\r\n",

	"SIP/2.0 180 Ringing\r\n" SBC_VIA CALL_FROM CALL_TO_TAGGED CALL_ID
	"CSeq: 2 INVITE\r\n"
	"Contact: <sip:+442079460123@203.0.113.10:5060>\r\n" ALLOW
	"Supported: replaces, timer\r\n"
	"Server: sipwarden-sbc\r\n"
	"Content-Length: 0\r\n\r\n",

	"SIP/2.0 200 OK\r\n" SBC_VIA CALL_FROM CALL_TO_TAGGED CALL_ID
	"CSeq: 2 INVITE\r\n"
	"Contact: <sip:+442079460123@203.0.113.10:5060>\r\n" ALLOW
	"Supported: replaces, timer\r\n"
	"Require: timer\r\n"
	"Session-Expires: 1800;refresher=uac\r\n"
	"Server: sipwarden-sbc\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 218\r\n\r\n" SDP_ANSWER,

	"ACK sip:+442079460123@203.0.113.10:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP "
	"198.51.100.23:5062;branch=z9hG4bK3871209411;rport\r\n" CALL_FROM
		CALL_TO_TAGGED CALL_ID "CSeq: 2 ACK\r\n"
	"Contact: <sip:201@198.51.100.23:5062>\r\n"
	"Max-Forwards: 70\r\n"
	"User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
	"Content-Length: 0\r\n\r\n",

	"BYE sip:+442079460123@203.0.113.10:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP "
	"198.51.100.23:5062;branch=z9hG4bK0410392722;rport\r\n" CALL_FROM
		CALL_TO_TAGGED CALL_ID "CSeq: 3 BYE\r\n"
	"Contact: <sip:201@198.51.100.23:5062>\r\n"
	"Max-Forwards: 70\r\n"
	"User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
	"Content-Length: 0\r\n\r\n",

	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 198.51.100.23:5062;received=198.51.100.23;"
	"branch=z9hG4bK0410392722;rport=5062\r\n" CALL_FROM CALL_TO_TAGGED
		CALL_ID "CSeq: 3 BYE\r\n"
	"Server: sipwarden-sbc\r\n"
	"Content-Length: 0\r\n\r\n",

	"REGISTER sip:pbx.acme-dental.example SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 198.51.100.23:5062;branch=z9hG4bK2737718001;rport\r\n"
	"From: \"Reception 201\" <sip:201@pbx.acme-dental.example>;"
	"tag=1405762231\r\n"
	"To: \"Reception 201\" <sip:201@pbx.acme-dental.example>\r\n"
	"Call-ID: 0_1808429342@198.51.100.23\r\n"
	"CSeq: 2 REGISTER\r\n"
	"Contact: <sip:201@198.51.100.23:5062>;reg-id=1;"
	"+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-805ec0a1b2c3>\"\r\n"
	"Authorization: Digest username=\"201\", "
	"realm=\"pbx.acme-dental.example\", nonce=\"5f3e2d1c0b0a09080706\", "
	"uri=\"sip:pbx.acme-dental.example\", "
	"response=\"8e7d6c5b4a3928170615f4e3d2c1b0a9\", algorithm=MD5\r\n"
	"Max-Forwards: 70\r\n"
	"User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
	"Expires: 3600\r\n" ALLOW "Content-Length: 0\r\n\r\n",

	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 198.51.100.23:5062;received=198.51.100.23;"
	"branch=z9hG4bK2737718001;rport=5062\r\n"
	"From: \"Reception 201\" <sip:201@pbx.acme-dental.example>;"
	"tag=1405762231\r\n"
	"To: \"Reception 201\" <sip:201@pbx.acme-dental.example>;"
	"tag=as1c2d3e4f\r\n"
	"Call-ID: 0_1808429342@198.51.100.23\r\n"
	"CSeq: 2 REGISTER\r\n"
	"Contact: <sip:201@198.51.100.23:5062>;expires=3600\r\n"
	"Date: Tue, 14 May 2024 09:12:44 GMT\r\n"
	"Server: sipwarden-sbc\r\n"
	"Content-Length: 0\r\n\r\n",

	"OPTIONS sip:pbx.acme-dental.example SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK5a6b7c8d\r\n"
	"From: <sip:ping@203.0.113.10>;tag=ka7720\r\n"
	"To: <sip:pbx.acme-dental.example>\r\n"
	"Call-ID: ka-3141@203.0.113.10\r\n"
	"CSeq: 7720 OPTIONS\r\n"
	"Max-Forwards: 70\r\n"
	"Content-Length: 0\r\n\r\n",
};

#define N_MIX (sizeof(mix) / sizeof(mix[0]))

struct packet {
	char *data;
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Scans the mix `iterations` times; returns a checksum of the results. */
static uint64_t run(const struct packet *pkts, uint64_t iterations)
{
	uint64_t sum = 0;
	struct sip_msg m;

	for (uint64_t i = 0; i < iterations; i++) {
		for (size_t k = 0; k < N_MIX; k++) {
			enum sip_scan_result r =
				sip_scan(pkts[k].data, pkts[k].len, &m);

			sum += (uint64_t)r + m.header_len + m.cseq +
			       m.call_id.len + m.via_branch.len +
			       m.from_tag.len + (uint64_t)m.contact_expires;
		}
	}
	return sum;
}

static void print_rate(const char *what, uint64_t messages,
		       uint64_t header_bytes, double seconds)
{
	printf("%-8s %.2f M messages/s, %.3f GB/s of headers, "
	       "%.1f ns/message\n",
	       what, (double)messages / seconds / 1e6,
	       (double)header_bytes / seconds / 1e9,
	       seconds * 1e9 / (double)messages);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#define ROUNDS 5

int main(int argc, char **argv)
{
	struct packet pkts[N_MIX];
	uint64_t iterations = 0, header_bytes = 0, sum = 0;
	double seconds[ROUNDS];
	unsigned rounds = 1;
	struct sip_msg m;

	if (argc == 3 && !strcmp(argv[1], "--iterations")) {
		iterations = strtoull(argv[2], NULL, 10);
		if (!iterations) {
			fprintf(stderr, "bad iteration count\n");
			return 2;
		}
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--iterations N]\n", argv[0]);
		return 2;
	}

	/* one buffer per packet, as a NIC would hand them over */
	for (size_t k = 0; k < N_MIX; k++) {
		size_t label = strcspn(mix[k], "\r");
		enum sip_scan_result r;

		pkts[k].len = strlen(mix[k]);
		pkts[k].data = malloc(pkts[k].len);
		if (!pkts[k].data)
			return 1;
		memcpy(pkts[k].data, mix[k], pkts[k].len);
		r = sip_scan(pkts[k].data, pkts[k].len, &m);
		if (r != SIP_SCAN_OK) {
			fprintf(stderr, "mix message %zu: %s\n", k,
				sip_scan_result_name(r));
			return 1;
		}
		header_bytes += m.header_len;
		printf("  %-32.*s %4u header bytes, %2u headers, %3u body\n",
		       (int)(label < 32 ? label : 32), mix[k], m.header_len,
		       m.header_count, m.body_len);
	}

	if (!iterations) {
		/* about 2 s in all, in rounds, from a short calibration; on a
		 * shared machine the median and best round say more than one
		 * long run */
		uint64_t probe = 1000;
		double t0 = now_s(), elapsed;

		sum += run(pkts, probe);
		elapsed = now_s() - t0;
		iterations = (uint64_t)((double)probe * 2.0 / ROUNDS /
					(elapsed > 1e-6 ? elapsed : 1e-6));
		if (iterations < probe)
			iterations = probe;
		rounds = ROUNDS;
	}

	for (unsigned i = 0; i < rounds; i++) {
		double t0 = now_s();

		sum += run(pkts, iterations);
		seconds[i] = now_s() - t0;
	}

	printf("messages scanned: %" PRIu64 " (%u x %" PRIu64 " x %zu), "
	       "header bytes: %" PRIu64 ", checksum %" PRIu64 "\n",
	       rounds * iterations * N_MIX, rounds, iterations, N_MIX,
	       rounds * iterations * header_bytes, sum);
	qsort(seconds, rounds, sizeof(seconds[0]), cmp_double);
	print_rate(rounds > 1 ? "median:" : "rate:", iterations * N_MIX,
		   iterations * header_bytes, seconds[rounds / 2]);
	if (rounds > 1)
		print_rate("best:", iterations * N_MIX,
			   iterations * header_bytes, seconds[0]);

	for (size_t k = 0; k < N_MIX; k++)
		free(pkts[k].data);
	return 0;
}
