/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reply: frames built from real requests (decode_frame + sip_scan), checked
 * byte by byte, re-scanned as responses, and handed to tshark as a pcap.
 * The checksum verifier here is independent of reply.c on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "decode.h"
#include "reply.h"
#include "sip_scan.h"

#define FRAME_MAX 4096
#define CANARY_LEN 64
#define CANARY_BYTE 0x5a

static const uint8_t client_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t server_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t client_v4[4] = {192, 0, 2, 10};
static const uint8_t server_v4[4] = {198, 51, 100, 1};
static const uint8_t client_v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
static const uint8_t server_v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
#define CLIENT_PORT 5062
#define SERVER_PORT 5060
#define REQUEST_TOS 0xb8

static const uint8_t tag_key[REPLY_TAG_KEY_LEN] = {
	0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
	0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0,
};

/* A request as the worker sees it: frame, decode, scanned message. */
struct request {
	uint8_t frame[FRAME_MAX];
	size_t len;
	struct pkt_info info;
	const char *sip;
	struct sip_msg msg;
};

/* A reply re-read the same way. */
struct response {
	const uint8_t *frame;
	size_t len;
	struct pkt_info info;
	const char *sip;
	size_t sip_len;
	struct sip_msg msg;
};

/* ---- checksums (RFC 1071), written apart from the code under test ---- */

static uint32_t sum_words(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t fold_sum(uint32_t sum)
{
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Sum of the UDP pseudo header, UDP header and payload. */
static uint32_t udp_sum(const uint8_t *frame, uint16_t l3_off, bool v6,
			uint16_t l4_off)
{
	const uint8_t *ip = frame + l3_off;
	uint16_t udp_len = rd16(frame + l4_off + 4);
	uint32_t sum = v6 ? sum_words(0, ip + 8, 32) : sum_words(0, ip + 12, 8);

	sum += 17 + udp_len;
	return sum_words(sum, frame + l4_off, udp_len);
}

static bool udp_checksum_verifies(const struct response *r)
{
	const uint8_t *udp = r->frame + r->info.l4_off;

	if (rd16(udp + 6) == 0)
		return false; /* absent: not acceptable on v6, not wanted on v4
			       */
	return fold_sum(udp_sum(r->frame, r->info.l3_off,
				r->info.l3 == PKT_L3_IPV6, r->info.l4_off)) ==
	       0xffff;
}

static bool ipv4_checksum_verifies(const uint8_t *ip)
{
	return fold_sum(sum_words(0, ip, 20)) == 0xffff;
}

/* ---- request frames ---- */

/* vlan_tci < 0: untagged. */
static void build_request(struct request *rq, bool v6, int vlan_tci,
			  const char *sip)
{
	size_t sip_len = strlen(sip);
	uint8_t *p = rq->frame;
	size_t l3_off, l4_off;
	uint16_t udp_len = (uint16_t)(8 + sip_len);

	memset(rq, 0, sizeof(*rq));
	memcpy(p, server_mac, 6);
	memcpy(p + 6, client_mac, 6);
	l3_off = 12;
	if (vlan_tci >= 0) {
		wr16(p + l3_off, 0x8100);
		wr16(p + l3_off + 2, (uint16_t)vlan_tci);
		l3_off += 4;
	}
	wr16(p + l3_off, v6 ? 0x86dd : 0x0800);
	l3_off += 2;

	if (v6) {
		p[l3_off] = 0x60;
		wr16(p + l3_off + 4, udp_len);
		p[l3_off + 6] = 17;
		p[l3_off + 7] = 55;
		memcpy(p + l3_off + 8, client_v6, 16);
		memcpy(p + l3_off + 24, server_v6, 16);
		l4_off = l3_off + 40;
	} else {
		p[l3_off] = 0x45;
		p[l3_off + 1] = REQUEST_TOS;
		wr16(p + l3_off + 2, (uint16_t)(20 + udp_len));
		wr16(p + l3_off + 4, 0x1234);
		p[l3_off + 8] = 55;
		p[l3_off + 9] = 17;
		memcpy(p + l3_off + 12, client_v4, 4);
		memcpy(p + l3_off + 16, server_v4, 4);
		wr16(p + l3_off + 10,
		     (uint16_t)~fold_sum(sum_words(0, p + l3_off, 20)));
		l4_off = l3_off + 20;
	}
	wr16(p + l4_off, CLIENT_PORT);
	wr16(p + l4_off + 2, SERVER_PORT);
	wr16(p + l4_off + 4, udp_len);
	memcpy(p + l4_off + 8, sip, sip_len);
	wr16(p + l4_off + 6,
	     (uint16_t)~fold_sum(
		     udp_sum(p, (uint16_t)l3_off, v6, (uint16_t)l4_off)));
	rq->len = l4_off + udp_len;

	assert_int_equal(decode_frame(rq->frame, rq->len, &rq->info),
			 DECODE_OK);
	assert_int_equal(rq->info.l4, PKT_L4_UDP);
	rq->sip = (const char *)rq->frame + rq->info.payload_off;
	assert_int_equal(sip_scan(rq->sip, rq->info.payload_len, &rq->msg),
			 SIP_SCAN_OK);
}

static size_t build_reply(const struct request *rq,
			  const struct reply_spec *spec, uint8_t *out,
			  size_t cap)
{
	return reply_build(rq->frame, rq->len, &rq->info, rq->sip, &rq->msg,
			   spec, out, cap);
}

static void read_response(struct response *r, const uint8_t *frame, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->frame = frame;
	r->len = len;
	assert_int_equal(decode_frame(frame, len, &r->info), DECODE_OK);
	assert_int_equal(r->info.l4, PKT_L4_UDP);
	r->sip = (const char *)frame + r->info.payload_off;
	r->sip_len = r->info.payload_len;
	assert_int_equal(r->info.payload_off + r->info.payload_len, len);
	assert_int_equal(sip_scan(r->sip, r->sip_len, &r->msg), SIP_SCAN_OK);
}

/* ---- assertions on SIP text ---- */

static void assert_same_str(const struct sip_str *a, const struct sip_str *b)
{
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->ptr, b->ptr, a->len);
}

/* Number of `name` headers; the first one's value goes to *value. */
static int find_header(const char *sip, const struct sip_msg *msg,
		       const char *name, struct sip_str *value)
{
	struct sip_header_iter it;
	struct sip_header h;
	int n = 0;

	sip_header_iter_init(&it, sip, msg);
	while (sip_header_next(&it, &h)) {
		if (h.name.len != strlen(name) ||
		    strncasecmp(h.name.ptr, name, h.name.len) != 0)
			continue;
		if (n++ == 0)
			*value = h.value;
	}
	return n;
}

static void assert_header_is(const struct response *r, const char *name,
			     const char *want)
{
	struct sip_str v = {0};

	assert_int_equal(find_header(r->sip, &r->msg, name, &v), 1);
	assert_int_equal(v.len, strlen(want));
	assert_memory_equal(v.ptr, want, v.len);
}

/* ---- the checks every reply must pass ---- */

static void check_l2_l4(const struct request *rq, const struct response *r)
{
	const uint8_t *ip = r->frame + r->info.l3_off;

	assert_memory_equal(r->frame, rq->frame + 6, 6);
	assert_memory_equal(r->frame + 6, rq->frame, 6);
	assert_int_equal(r->info.l3_off, rq->info.l3_off);
	assert_memory_equal(r->frame + 12, rq->frame + 12,
			    rq->info.l3_off - 12);
	assert_int_equal(r->info.vlan_count, rq->info.vlan_count);
	assert_int_equal(r->info.ether_type, rq->info.ether_type);

	assert_int_equal(r->info.l3, rq->info.l3);
	assert_false(r->info.is_fragment);
	if (rq->info.l3 == PKT_L3_IPV4) {
		assert_int_equal(ip[0], 0x45);
		assert_int_equal(ip[1], REQUEST_TOS);
		assert_int_equal(rd16(ip + 4), 0);
		assert_int_equal(rd16(ip + 6), 0x4000);
		assert_int_equal(ip[8], 64);
		assert_int_equal(r->info.src.v4, rq->info.dst.v4);
		assert_int_equal(r->info.dst.v4, rq->info.src.v4);
		assert_int_equal(r->info.ip_total, r->len - r->info.l3_off);
		assert_true(ipv4_checksum_verifies(ip));
	} else {
		assert_int_equal(ip[0], 0x60);
		assert_int_equal(ip[1] | ip[2] | ip[3], 0);
		assert_int_equal(ip[7], 64);
		assert_memory_equal(r->info.src.v6, rq->info.dst.v6, 16);
		assert_memory_equal(r->info.dst.v6, rq->info.src.v6, 16);
		assert_int_equal(rd16(ip + 4), r->len - r->info.l4_off);
	}
	assert_int_equal(r->info.ip_proto, 17);
	assert_int_equal(r->info.sport, rq->info.dport);
	assert_int_equal(r->info.dport, rq->info.sport);
	assert_true(udp_checksum_verifies(r));
}

static void check_sip(const struct request *rq, const struct response *r,
		      const struct reply_spec *spec)
{
	const struct sip_msg *q = &rq->msg, *m = &r->msg;
	char reason[128];
	struct sip_str v;

	assert_false(m->is_request);
	assert_int_equal(m->status, spec->status);
	assert_same_str(&m->call_id, &q->call_id);
	assert_int_equal(m->cseq, q->cseq);
	assert_int_equal(m->cseq_method, q->cseq_method);
	assert_same_str(&m->from.whole, &q->from.whole);
	assert_same_str(&m->from_tag, &q->from_tag);
	assert_same_str(&m->to.whole, &q->to.whole);
	assert_same_str(&m->via_branch, &q->via_branch);
	assert_int_equal(m->via_count, q->via_count);
	assert_int_equal(m->content_length, 0);
	assert_int_equal(m->body_len, 0);

	if (q->to_tag.len) {
		assert_same_str(&m->to_tag, &q->to_tag);
	} else {
		char tag[REPLY_TAG_LEN];

		reply_tag(tag_key, &q->call_id, 0, tag);
		assert_int_equal(m->to_tag.len, REPLY_TAG_LEN);
		assert_memory_equal(m->to_tag.ptr, tag, REPLY_TAG_LEN);
		assert_int_equal(
			reply_tag_code(tag_key, &q->call_id, &m->to_tag), 0);
	}

	if (spec->retry_after) {
		char want[16];

		snprintf(want, sizeof(want), "%u", spec->retry_after);
		assert_header_is(r, "Retry-After", want);
	} else {
		assert_int_equal(find_header(r->sip, m, "Retry-After", &v), 0);
	}
	assert_header_is(r, "Server", "sipwarden");
	if (strchr(spec->cause, '"') == NULL) {
		snprintf(reason, sizeof(reason), "SIP;cause=%u;text=\"%s\"",
			 spec->status, spec->cause);
		assert_header_is(r, "Reason", reason);
	}
}

/* All of the above, plus: deterministic, and exactly `want_text`. */
static void check_case(const struct request *rq, const struct reply_spec *spec,
		       const char *want_text)
{
	static uint8_t out[FRAME_MAX], again[FRAME_MAX];
	struct response r;
	size_t n;

	memset(out, 0, sizeof(out));
	memset(again, 0xee, sizeof(again));
	n = build_reply(rq, spec, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(build_reply(rq, spec, again, sizeof(again)), n);
	assert_memory_equal(out, again, n);

	read_response(&r, out, n);
	check_l2_l4(rq, &r);
	check_sip(rq, &r, spec);
	assert_int_equal(r.sip_len, strlen(want_text));
	assert_memory_equal(r.sip, want_text, r.sip_len);
}

/* ---- the requests ---- */

/*
 * v4, one VLAN tag, two Via lines (one comma-separated, with the SWS
 * that RFC 3261 COMMA allows), a From between them.
 */
static const char invite_v4[] =
	"INVITE sip:+4930123@198.51.100.1 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-top;rport\r\n"
	"From: \"Alice\" <sip:alice@192.0.2.10>;tag=f1\r\n"
	"Via: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK-m1, "
	"SIP/2.0/UDP 10.1.1.2;branch=z9hG4bK-m2\r\n"
	"Max-Forwards: 70\r\n"
	"To: <sip:+4930123@198.51.100.1>\r\n"
	"Call-ID: a84b4c76e66710@pc33\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@192.0.2.10:5062>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 5\r\n"
	"\r\n"
	"v=0\r\n";

/* v6, compact names, a To that already has a tag. */
static const char bye_v6[] =
	"BYE sip:bob@[2001:db8::1] SIP/2.0\r\n"
	"v: SIP/2.0/UDP [2001:db8::10]:5062"
	";branch=z9hG4bK-v6a\r\n"
	"v:SIP/2.0/UDP [2001:db8::20];branch=z9hG4bK-v6b\r\n"
	"f: <sip:alice@example.com>;tag=a6\r\n"
	"t: <sip:bob@example.com>;tag=b6\r\n"
	"i: v6-call@2001:db8::10\r\n"
	"cseq: 2 BYE\r\n"
	"l: 0\r\n"
	"\r\n";

/* Folded Via values, upper-case name. */
static const char options_folded[] = "OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
				     "Via: SIP/2.0/UDP 192.0.2.10:5062\r\n"
				     " ;branch=z9hG4bK-fold\r\n"
				     "VIA: SIP/2.0/UDP 10.9.9.9\r\n"
				     "\t;branch=z9hG4bK-fold2\r\n"
				     "From: <sip:scan@192.0.2.10>;tag=s1\r\n"
				     "To: <sip:198.51.100.1>\r\n"
				     "Call-ID: fold-1\r\n"
				     "CSeq: 1 OPTIONS\r\n"
				     "Content-Length: 0\r\n"
				     "\r\n";

static const char *without_cr(const char *src, char *dst)
{
	char *d = dst;

	for (; *src; src++)
		if (*src != '\r')
			*d++ = *src;
	*d = '\0';
	return dst;
}

static const struct reply_spec spec_503 = {
	.status = 503,
	.phrase = "Service Unavailable",
	.cause = "cps_limit",
	.retry_after = 30,
	.tag_key = tag_key,
};

static const struct reply_spec spec_403 = {
	.status = 403,
	.cause = "unknown_source",
	.tag_key = tag_key,
};

static void test_v4_vlan_vias(void **state)
{
	static struct request rq;
	char tag[REPLY_TAG_LEN], want[1024];

	(void)state;
	build_request(&rq, false, 100, invite_v4);
	assert_int_equal(rq.info.vlan_count, 1);
	assert_int_equal(rq.msg.via_count, 3);
	reply_tag(tag_key, &rq.msg.call_id, 0, tag);
	snprintf(want, sizeof(want),
		 "SIP/2.0 503 Service Unavailable\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-top;rport\r\n"
		 "Via: SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK-m1, "
		 "SIP/2.0/UDP 10.1.1.2;branch=z9hG4bK-m2\r\n"
		 "From: \"Alice\" <sip:alice@192.0.2.10>;tag=f1\r\n"
		 "To: <sip:+4930123@198.51.100.1>;tag=%.*s\r\n"
		 "Call-ID: a84b4c76e66710@pc33\r\n"
		 "CSeq: 314159 INVITE\r\n"
		 "Retry-After: 30\r\n"
		 "Reason: SIP;cause=503;text=\"cps_limit\"\r\n"
		 "Server: sipwarden\r\n"
		 "Content-Length: 0\r\n"
		 "\r\n",
		 REPLY_TAG_LEN, tag);
	check_case(&rq, &spec_503, want);
}

static void test_v6_compact_existing_tag(void **state)
{
	static struct request rq;

	(void)state;
	build_request(&rq, true, -1, bye_v6);
	assert_int_equal(rq.info.l3, PKT_L3_IPV6);
	check_case(&rq, &spec_403,
		   "SIP/2.0 403 Forbidden\r\n"
		   "Via: SIP/2.0/UDP [2001:db8::10]:5062;branch=z9hG4bK-v6a\r\n"
		   "Via: SIP/2.0/UDP [2001:db8::20];branch=z9hG4bK-v6b\r\n"
		   "From: <sip:alice@example.com>;tag=a6\r\n"
		   "To: <sip:bob@example.com>;tag=b6\r\n"
		   "Call-ID: v6-call@2001:db8::10\r\n"
		   "CSeq: 2 BYE\r\n"
		   "Reason: SIP;cause=403;text=\"unknown_source\"\r\n"
		   "Server: sipwarden\r\n"
		   "Content-Length: 0\r\n"
		   "\r\n");
}

static void test_folded_via_and_quoted_cause(void **state)
{
	static struct request rq;
	const struct reply_spec spec = {
		.status = 480,
		.cause = "say \"hi\" \\o/\r\nX-Injected: 1",
		.retry_after = 4294967295u,
		.tag_key = tag_key,
	};
	static char bare_lf[sizeof(options_folded)];
	char tag[REPLY_TAG_LEN], want[1024];

	(void)state;
	build_request(&rq, false, -1, options_folded);
	reply_tag(tag_key, &rq.msg.call_id, 0, tag);
	snprintf(want, sizeof(want),
		 "SIP/2.0 480 Temporarily Unavailable\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.10:5062 ;branch=z9hG4bK-fold\r\n"
		 "Via: SIP/2.0/UDP 10.9.9.9 ;branch=z9hG4bK-fold2\r\n"
		 "From: <sip:scan@192.0.2.10>;tag=s1\r\n"
		 "To: <sip:198.51.100.1>;tag=%.*s\r\n"
		 "Call-ID: fold-1\r\n"
		 "CSeq: 1 OPTIONS\r\n"
		 "Retry-After: 4294967295\r\n"
		 "Reason: SIP;cause=480;text=\"say \\\"hi\\\" \\\\o/ "
		 "X-Injected: 1\"\r\n"
		 "Server: sipwarden\r\n"
		 "Content-Length: 0\r\n"
		 "\r\n",
		 REPLY_TAG_LEN, tag);
	check_case(&rq, &spec, want);

	/* Bare-LF line ends (accepted by the scanner): same CRLF reply. */
	build_request(&rq, false, -1, without_cr(options_folded, bare_lf));
	check_case(&rq, &spec, want);
}

/* Every cap below the full length fails cleanly; the full length fits. */
static void test_out_cap_too_small(void **state)
{
	static struct request rq;
	static uint8_t full[FRAME_MAX];
	size_t n, caps[8];

	(void)state;
	build_request(&rq, false, 100, invite_v4);
	n = build_reply(&rq, &spec_503, full, sizeof(full));
	assert_true(n > 0);
	caps[0] = 0;
	caps[1] = 13;
	caps[2] = rq.info.payload_off;
	caps[3] = rq.info.payload_off + 1;
	caps[4] = n / 2;
	caps[5] = n - 3; /* inside the final CRLF CRLF */
	caps[6] = n - 1;
	caps[7] = n;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		uint8_t *buf = malloc(caps[i] + CANARY_LEN);
		size_t got;

		assert_non_null(buf);
		memset(buf + caps[i], CANARY_BYTE, CANARY_LEN);
		got = build_reply(&rq, &spec_503, buf, caps[i]);
		assert_int_equal(got, caps[i] == n ? n : 0);
		for (size_t j = 0; j < CANARY_LEN; j++)
			assert_int_equal(buf[caps[i] + j], CANARY_BYTE);
		if (got)
			assert_memory_equal(buf, full, n);
		free(buf);
	}
}

static void test_not_answerable(void **state)
{
	static struct request rq;
	static uint8_t out[FRAME_MAX];
	struct reply_spec bad_status = spec_503;

	(void)state;
	build_request(&rq, false, -1,
		      "ACK sip:bob@198.51.100.1 SIP/2.0\r\n"
		      "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-ack\r\n"
		      "From: <sip:alice@192.0.2.10>;tag=a\r\n"
		      "To: <sip:bob@198.51.100.1>;tag=b\r\n"
		      "Call-ID: ack-1\r\n"
		      "CSeq: 1 ACK\r\n"
		      "Content-Length: 0\r\n\r\n");
	assert_int_equal(build_reply(&rq, &spec_503, out, sizeof(out)), 0);

	build_request(&rq, false, -1,
		      "SIP/2.0 180 Ringing\r\n"
		      "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bK-r\r\n"
		      "From: <sip:alice@192.0.2.10>;tag=a\r\n"
		      "To: <sip:bob@198.51.100.1>;tag=b\r\n"
		      "Call-ID: resp-1\r\n"
		      "CSeq: 1 INVITE\r\n"
		      "Content-Length: 0\r\n\r\n");
	assert_false(rq.msg.is_request);
	assert_int_equal(build_reply(&rq, &spec_503, out, sizeof(out)), 0);

	build_request(&rq, false, -1, invite_v4);
	assert_true(build_reply(&rq, &spec_503, out, sizeof(out)) > 0);
	bad_status.status = 200;
	assert_int_equal(build_reply(&rq, &bad_status, out, sizeof(out)), 0);
	rq.info.l4 = PKT_L4_TCP;
	rq.info.ip_proto = 6;
	assert_int_equal(build_reply(&rq, &spec_503, out, sizeof(out)), 0);
}

static void test_tag(void **state)
{
	static const char hex_of_empty[] = "sw00726fdb47dd0e0e31";
	static const char hex_of_15[] = "sw00a129ca6149be45e5";
	uint8_t key[16], input[15];
	char tag[REPLY_TAG_LEN], other[REPLY_TAG_LEN];
	struct sip_str id, t;

	(void)state;
	/* SipHash-2-4 reference vectors (key 00..0f, input 00..len-1). */
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 15; i++)
		input[i] = (uint8_t)i;
	id = (struct sip_str){.ptr = (const char *)input, .len = 0};
	reply_tag(key, &id, 0, tag);
	assert_memory_equal(tag, hex_of_empty, REPLY_TAG_LEN);
	id.len = 15;
	reply_tag(key, &id, 0, tag);
	assert_memory_equal(tag, hex_of_15, REPLY_TAG_LEN);

	id = (struct sip_str){.ptr = "a84b4c76e66710@pc33", .len = 19};
	reply_tag(tag_key, &id, 7, tag);
	t = (struct sip_str){.ptr = tag, .len = REPLY_TAG_LEN};
	assert_int_equal(reply_tag_code(tag_key, &id, &t), 7);
	assert_int_equal(reply_tag_code(key, &id, &t), -1);
	/* relabelled with another code: no match */
	memcpy(other, tag, REPLY_TAG_LEN);
	other[3] = '8';
	t.ptr = other;
	assert_int_equal(reply_tag_code(tag_key, &id, &t), -1);
	t.ptr = tag;

	memcpy(other, tag, REPLY_TAG_LEN);
	other[REPLY_TAG_LEN - 1] ^= 1;
	t.ptr = other;
	assert_int_equal(reply_tag_code(tag_key, &id, &t), -1);
	t = (struct sip_str){.ptr = tag, .len = REPLY_TAG_LEN - 1};
	assert_int_equal(reply_tag_code(tag_key, &id, &t), -1);

	id.len = 18; /* another Call-ID */
	t = (struct sip_str){.ptr = tag, .len = REPLY_TAG_LEN};
	assert_int_equal(reply_tag_code(tag_key, &id, &t), -1);
}

static void test_default_phrase(void **state)
{
	(void)state;
	assert_string_equal(reply_default_phrase(403), "Forbidden");
	assert_string_equal(reply_default_phrase(404), "Not Found");
	assert_string_equal(reply_default_phrase(480),
			    "Temporarily Unavailable");
	assert_string_equal(reply_default_phrase(486), "Busy Here");
	assert_string_equal(reply_default_phrase(488), "Not Acceptable Here");
	assert_string_equal(reply_default_phrase(500), "Server Internal Error");
	assert_string_equal(reply_default_phrase(503), "Service Unavailable");
	assert_string_equal(reply_default_phrase(603), "Decline");
	assert_string_equal(reply_default_phrase(499), "Refused");
}

/* ---- tshark ---- */

static void pcap_write(FILE *f, const uint8_t *frame, size_t len)
{
	uint32_t rec[4] = {1700000000, 0, (uint32_t)len, (uint32_t)len};

	assert_int_equal(fwrite(rec, sizeof(rec), 1, f), 1);
	assert_int_equal(fwrite(frame, len, 1, f), 1);
}

static void test_tshark_accepts(void **state)
{
	static const struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} pcap_hdr = {0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 /* Ethernet */};
	static struct request rq;
	static uint8_t out[FRAME_MAX];
	char path[] = "/tmp/test_reply_XXXXXX", cmd[512], line[256];
	int fd, lines = 0;
	FILE *f, *p;
	size_t n;

	(void)state;
	if (access("/usr/bin/tshark", X_OK) != 0)
		skip();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(&pcap_hdr, sizeof(pcap_hdr), 1, f), 1);
	build_request(&rq, false, 100, invite_v4);
	n = build_reply(&rq, &spec_503, out, sizeof(out));
	assert_true(n > 0);
	pcap_write(f, out, n);
	build_request(&rq, true, -1, bye_v6);
	n = build_reply(&rq, &spec_403, out, sizeof(out));
	assert_true(n > 0);
	pcap_write(f, out, n);
	assert_int_equal(fclose(f), 0);

	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/tshark -r %s -o udp.check_checksum:TRUE "
		 "-o ip.check_checksum:TRUE -T fields -e sip.Status-Code "
		 "-e udp.checksum.status 2>/dev/null",
		 path);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		static const char *const want[] = {"503\t1\n", "403\t1\n"};

		assert_true(lines < 2);
		assert_string_equal(line, want[lines]);
		lines++;
	}
	assert_int_equal(pclose(p), 0);
	unlink(path);
	assert_int_equal(lines, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_vlan_vias),
		cmocka_unit_test(test_v6_compact_existing_tag),
		cmocka_unit_test(test_folded_via_and_quoted_cause),
		cmocka_unit_test(test_out_cap_too_small),
		cmocka_unit_test(test_not_answerable),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_default_phrase),
		cmocka_unit_test(test_tshark_accepts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
