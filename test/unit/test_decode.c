/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decode_frame() against frames built here layer by layer. Each test states
 * the whole struct pkt_info it expects, so a field that is set wrongly (or
 * not cleared) fails whichever test it shows up in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"

/*
 * Frame builder. Each push writes its own header and fills in the type
 * field its outer layer left open (ether type or IP next header), so a
 * test reads like the header stack it builds. frame_end() then sets the
 * IP and UDP length fields from what was pushed.
 */
struct frame {
	uint8_t b[1600];
	size_t len;
	size_t type_at;	 /* where the next ether type goes */
	size_t proto_at; /* where the next IP protocol goes */
	size_t ip_at;	 /* IP header, 0 if none */
	size_t udp_at;	 /* UDP header, 0 if none */
};

static const uint8_t ipv6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t ipv6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
#define IPV4_SRC 0xc0000201u /* 192.0.2.1 */
#define IPV4_DST 0xc6336402u /* 198.51.100.2 */

static void put16(struct frame *f, size_t at, uint16_t v)
{
	f->b[at] = v >> 8;
	f->b[at + 1] = v & 0xff;
}

static void put32(struct frame *f, size_t at, uint32_t v)
{
	put16(f, at, v >> 16);
	put16(f, at + 2, v & 0xffff);
}

/* Appends n bytes (zeroed) and returns their offset. */
static size_t grow(struct frame *f, size_t n)
{
	size_t at = f->len;

	assert_true(at + n <= sizeof(f->b));
	memset(f->b + at, 0, n);
	f->len += n;
	return at;
}

static void set_type(struct frame *f, uint16_t type)
{
	put16(f, f->type_at, type);
}

static void set_proto(struct frame *f, uint8_t proto)
{
	f->b[f->proto_at] = proto;
}

static void frame_eth(struct frame *f)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

	memset(f, 0, sizeof(*f));
	memcpy(f->b + grow(f, 14), macs, sizeof(macs));
	f->type_at = 12;
}

static void frame_vlan(struct frame *f, uint16_t tpid, uint16_t tci)
{
	size_t at = grow(f, 4);

	set_type(f, tpid);
	put16(f, at, tci);
	f->type_at = at + 2;
}

/* frag: the flags/fragment offset word. options: bytes, multiple of 4. */
static void frame_ipv4(struct frame *f, uint16_t frag, size_t options)
{
	size_t hdr_len = 20 + options;
	size_t at = grow(f, hdr_len);

	set_type(f, 0x0800);
	f->b[at] = 0x40 | (uint8_t)(hdr_len / 4);
	put16(f, at + 4, 0x1234);
	put16(f, at + 6, frag);
	f->b[at + 8] = 64;
	put32(f, at + 12, IPV4_SRC);
	put32(f, at + 16, IPV4_DST);
	memset(f->b + at + 20, 1, options); /* NOPs */
	f->ip_at = at;
	f->proto_at = at + 9;
}

static void frame_ipv6(struct frame *f)
{
	size_t at = grow(f, 40);

	set_type(f, 0x86dd);
	f->b[at] = 0x60;
	f->b[at + 7] = 64;
	memcpy(f->b + at + 8, ipv6_src, 16);
	memcpy(f->b + at + 24, ipv6_dst, 16);
	f->ip_at = at;
	f->proto_at = at + 6;
}

/* An extension header of len bytes with the generic (len / 8 - 1) rule. */
static void frame_ipv6_ext(struct frame *f, uint8_t type, size_t len)
{
	size_t at = grow(f, len);

	set_proto(f, type);
	f->b[at + 1] = (uint8_t)(len / 8 - 1);
	f->proto_at = at;
}

static void frame_ipv6_frag(struct frame *f, uint16_t offset, bool more)
{
	size_t at = grow(f, 8);

	set_proto(f, 44);
	put16(f, at + 2, (uint16_t)(offset | more));
	put32(f, at + 4, 0xabcd);
	f->proto_at = at;
}

static void frame_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	size_t at = grow(f, 8);

	set_proto(f, 17);
	put16(f, at, sport);
	put16(f, at + 2, dport);
	f->udp_at = at;
}

static void frame_tcp(struct frame *f, uint16_t sport, uint16_t dport,
		      uint8_t flags, size_t options)
{
	size_t at = grow(f, 20 + options);

	set_proto(f, 6);
	put16(f, at, sport);
	put16(f, at + 2, dport);
	f->b[at + 12] = (uint8_t)((20 + options) / 4) << 4;
	f->b[at + 13] = flags;
	memset(f->b + at + 20, 1, options);
}

static void frame_payload(struct frame *f, const char *text)
{
	size_t n = strlen(text);

	memcpy(f->b + grow(f, n), text, n);
}

static void frame_end(struct frame *f)
{
	size_t ip_len = f->len - f->ip_at;

	if (f->udp_at)
		put16(f, f->udp_at + 4, (uint16_t)(f->len - f->udp_at));
	if (f->ip_at && f->b[f->ip_at] >> 4 == 4)
		put16(f, f->ip_at + 2, (uint16_t)ip_len);
	else if (f->ip_at)
		put16(f, f->ip_at + 4, (uint16_t)(ip_len - 40));
}

/* Ethernet's minimum frame (without FCS): the NIC pads with zeros. */
static void frame_pad(struct frame *f, size_t min)
{
	if (f->len < min)
		grow(f, min - f->len);
}

#define SIP_TEXT "OPTIONS sip:a@b SIP/2.0\r\n"

static struct pkt_info want_ipv4(size_t l3_off, uint8_t proto)
{
	struct pkt_info w = {
		.l3_off = (uint16_t)l3_off,
		.ether_type = 0x0800,
		.l3 = PKT_L3_IPV4,
		.ip_proto = proto,
		.src.v4 = IPV4_SRC,
		.dst.v4 = IPV4_DST,
	};

	return w;
}

static struct pkt_info want_ipv6(size_t l3_off, uint8_t proto)
{
	struct pkt_info w = {
		.l3_off = (uint16_t)l3_off,
		.ether_type = 0x86dd,
		.l3 = PKT_L3_IPV6,
		.ip_proto = proto,
	};

	memcpy(w.src.v6, ipv6_src, 16);
	memcpy(w.dst.v6, ipv6_dst, 16);
	return w;
}

static void want_udp(struct pkt_info *w, size_t l4_off, size_t payload_len)
{
	w->l4 = PKT_L4_UDP;
	w->l4_off = (uint16_t)l4_off;
	w->sport = 5060;
	w->dport = 5061;
	w->payload_off = (uint16_t)(l4_off + 8);
	w->payload_len = (uint16_t)payload_len;
}

static void assert_info_equal(const struct pkt_info *got,
			      const struct pkt_info *want)
{
	assert_int_equal(got->l3_off, want->l3_off);
	assert_int_equal(got->vlan_count, want->vlan_count);
	assert_int_equal(got->vlan_tci[0], want->vlan_tci[0]);
	assert_int_equal(got->vlan_tci[1], want->vlan_tci[1]);
	assert_int_equal(got->ether_type, want->ether_type);
	assert_int_equal(got->l3, want->l3);
	assert_int_equal(got->ip_proto, want->ip_proto);
	assert_int_equal(got->l4_off, want->l4_off);
	assert_int_equal(got->is_fragment, want->is_fragment);
	assert_int_equal(got->ip_total, want->ip_total);
	assert_int_equal(got->src.v4, want->src.v4);
	assert_int_equal(got->dst.v4, want->dst.v4);
	assert_memory_equal(got->src.v6, want->src.v6, 16);
	assert_memory_equal(got->dst.v6, want->dst.v6, 16);
	assert_int_equal(got->l4, want->l4);
	assert_int_equal(got->sport, want->sport);
	assert_int_equal(got->dport, want->dport);
	assert_int_equal(got->payload_off, want->payload_off);
	assert_int_equal(got->payload_len, want->payload_len);
	assert_int_equal(got->tcp_flags, want->tcp_flags);
}

/*
 * Decodes a heap copy of exactly len bytes, so that a sanitizer build sees
 * any read past the end of the frame.
 */
static enum decode_result decode_exact(const uint8_t *data, size_t len,
				       struct pkt_info *info)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum decode_result r;

	assert_non_null(copy);
	memcpy(copy, data, len);
	/* Garbage in, so that a field decode_frame() forgets to set shows. */
	memset(info, 0xa5, sizeof(*info));
	r = decode_frame(copy, len, info);
	free(copy);
	return r;
}

static void expect_decode(const struct frame *f, enum decode_result result,
			  const struct pkt_info *want)
{
	struct pkt_info got;

	assert_string_equal(
		decode_result_name(decode_exact(f->b, f->len, &got)),
		decode_result_name(result));
	assert_info_equal(&got, want);
}

static void test_ipv4_udp(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv4(14, 17);

	(void)state;
	frame_eth(&f);
	frame_ipv4(&f, 0, 0);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.ip_total = 20 + 8 + strlen(SIP_TEXT);
	want_udp(&w, 34, strlen(SIP_TEXT));
	expect_decode(&f, DECODE_OK, &w);
	assert_memory_equal(f.b + w.payload_off, SIP_TEXT, w.payload_len);
}

static void test_ipv4_options(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv4(14, 17);

	(void)state;
	frame_eth(&f);
	frame_ipv4(&f, 0x4000 /* DF */, 12);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.ip_total = 32 + 8 + strlen(SIP_TEXT);
	want_udp(&w, 14 + 32, strlen(SIP_TEXT));
	expect_decode(&f, DECODE_OK, &w);
}

static void test_qinq(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv4(22, 17);

	(void)state;
	frame_eth(&f);
	frame_vlan(&f, 0x9100, 0x2064);
	frame_vlan(&f, 0x8100, 0xe0c8);
	frame_ipv4(&f, 0, 0);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.vlan_count = 2;
	w.vlan_tci[0] = 0x2064;
	w.vlan_tci[1] = 0xe0c8;
	w.ip_total = 28 + strlen(SIP_TEXT);
	want_udp(&w, 42, strlen(SIP_TEXT));
	expect_decode(&f, DECODE_OK, &w);
}

static void test_8021ad(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv6(22, 17);

	(void)state;
	frame_eth(&f);
	frame_vlan(&f, 0x88a8, 100);
	frame_vlan(&f, 0x8100, 200);
	frame_ipv6(&f);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.vlan_count = 2;
	w.vlan_tci[0] = 100;
	w.vlan_tci[1] = 200;
	w.ip_total = 48 + strlen(SIP_TEXT);
	want_udp(&w, 62, strlen(SIP_TEXT));
	expect_decode(&f, DECODE_OK, &w);
}

/*
 * A single S-tag is a tag stack too; an S-tag inside a tag, or a third tag,
 * ends decoding at L2.
 */
static void test_vlan_stacks(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv4(18, 17);

	(void)state;
	frame_eth(&f);
	frame_vlan(&f, 0x88a8, 7);
	frame_ipv4(&f, 0, 0);
	frame_udp(&f, 5060, 5061);
	frame_end(&f);
	w.vlan_count = 1;
	w.vlan_tci[0] = 7;
	w.ip_total = 28;
	want_udp(&w, 38, 0);
	expect_decode(&f, DECODE_OK, &w);

	frame_eth(&f);
	frame_vlan(&f, 0x8100, 1);
	frame_vlan(&f, 0x88a8, 2);
	frame_ipv4(&f, 0, 0);
	frame_end(&f);
	w = (struct pkt_info){.l3_off = 18,
			      .vlan_count = 1,
			      .vlan_tci = {1},
			      .ether_type = 0x88a8};
	expect_decode(&f, DECODE_OK, &w);

	/* a third tag is not decoded */
	frame_eth(&f);
	frame_vlan(&f, 0x8100, 1);
	frame_vlan(&f, 0x8100, 2);
	frame_vlan(&f, 0x8100, 3);
	frame_ipv4(&f, 0, 0);
	frame_end(&f);
	w = (struct pkt_info){.l3_off = 22,
			      .vlan_count = 2,
			      .vlan_tci = {1, 2},
			      .ether_type = 0x8100};
	expect_decode(&f, DECODE_OK, &w);
}

static void test_ipv6_ext_headers(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv6(14, 17);

	(void)state;
	frame_eth(&f);
	frame_ipv6(&f);
	frame_ipv6_ext(&f, 0, 8);
	frame_ipv6_ext(&f, 60, 24);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.ip_total = 40 + 32 + 8 + strlen(SIP_TEXT);
	want_udp(&w, 14 + 40 + 32, strlen(SIP_TEXT));
	expect_decode(&f, DECODE_OK, &w);
}

/* AH counts its length in 4-byte units, minus 2. */
static void test_ipv6_ah(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv6(14, 17);
	size_t ah_at;

	(void)state;
	frame_eth(&f);
	frame_ipv6(&f);
	frame_ipv6_ext(&f, 51, 24);
	ah_at = f.proto_at;
	frame_udp(&f, 5060, 5061);
	frame_end(&f);
	f.b[ah_at + 1] = 24 / 4 - 2;
	w.ip_total = 40 + 24 + 8;
	want_udp(&w, 14 + 40 + 24, 0);
	expect_decode(&f, DECODE_OK, &w);
}

static void test_ipv6_stop_headers(void **state)
{
	static const uint8_t stops[] = {50, 59, 58};
	struct frame f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(stops); i++) {
		struct pkt_info w = want_ipv6(14, stops[i]);

		frame_eth(&f);
		frame_ipv6(&f);
		frame_ipv6_ext(&f, 0, 8);
		set_proto(&f, stops[i]);
		grow(&f, 16);
		frame_end(&f);
		w.ip_total = 40 + 8 + 16;
		w.l4 = PKT_L4_OTHER;
		expect_decode(&f, DECODE_OK, &w);
	}
}

static void test_ipv6_ext_chain_limit(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv6(14, 17);
	int i;

	(void)state;
	frame_eth(&f);
	frame_ipv6(&f);
	for (i = 0; i < 8; i++)
		frame_ipv6_ext(&f, 60, 8);
	frame_udp(&f, 5060, 5061);
	frame_end(&f);
	w.ip_total = 40 + 64 + 8;
	want_udp(&w, 14 + 40 + 64, 0);
	expect_decode(&f, DECODE_OK, &w);

	frame_eth(&f);
	frame_ipv6(&f);
	for (i = 0; i < 9; i++)
		frame_ipv6_ext(&f, 60, 8);
	frame_udp(&f, 5060, 5061);
	frame_end(&f);
	w = want_ipv6(14, 60);
	w.ip_total = 40 + 72 + 8;
	expect_decode(&f, DECODE_BAD_L3, &w);
}

static void test_ipv6_fragment(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv6(14, 17);

	(void)state;
	frame_eth(&f);
	frame_ipv6(&f);
	frame_ipv6_frag(&f, 0, true);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.ip_total = 48 + 8 + strlen(SIP_TEXT);
	w.is_fragment = true;
	expect_decode(&f, DECODE_OK, &w);

	frame_eth(&f);
	frame_ipv6(&f);
	frame_ipv6_ext(&f, 0, 8);
	frame_ipv6_frag(&f, 1480, false);
	set_proto(&f, 17);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.ip_total = 56 + strlen(SIP_TEXT);
	expect_decode(&f, DECODE_OK, &w);
}

static void test_ipv6_atomic_fragment(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv6(14, 17);

	(void)state;
	frame_eth(&f);
	frame_ipv6(&f);
	frame_ipv6_frag(&f, 0, false);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.ip_total = 48 + 8 + strlen(SIP_TEXT);
	want_udp(&w, 14 + 48, strlen(SIP_TEXT));
	expect_decode(&f, DECODE_OK, &w);
}

static void test_ipv4_fragments(void **state)
{
	/* first (MF, offset 0), middle (MF, offset), last (offset only) */
	static const uint16_t frags[] = {0x2000, 0x2000 | 185, 370};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct frame f;
		struct pkt_info w = want_ipv4(14, 17);

		frame_eth(&f);
		frame_ipv4(&f, frags[i], 0);
		set_proto(&f, 17);
		frame_payload(&f, SIP_TEXT SIP_TEXT);
		frame_end(&f);
		w.ip_total = 20 + 2 * strlen(SIP_TEXT);
		w.is_fragment = true;
		expect_decode(&f, DECODE_OK, &w);
	}
}

static void test_tcp_options(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv4(14, 6);

	(void)state;
	frame_eth(&f);
	frame_ipv4(&f, 0, 0);
	frame_tcp(&f, 5060, 5061, 0x18 /* PSH|ACK */, 12);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	w.ip_total = 20 + 32 + strlen(SIP_TEXT);
	w.l4 = PKT_L4_TCP;
	w.l4_off = 34;
	w.sport = 5060;
	w.dport = 5061;
	w.payload_off = 34 + 32;
	w.payload_len = strlen(SIP_TEXT);
	w.tcp_flags = 0x18;
	expect_decode(&f, DECODE_OK, &w);
}

static void test_ethernet_padding(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv4(14, 17);

	(void)state;
	frame_eth(&f);
	frame_ipv4(&f, 0, 0);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, "ping");
	frame_end(&f);
	frame_pad(&f, 60);
	assert_int_equal(f.len, 60);
	w.ip_total = 20 + 8 + 4;
	want_udp(&w, 34, 4);
	expect_decode(&f, DECODE_OK, &w);
}

static void test_arp(void **state)
{
	struct frame f;
	struct pkt_info w = {.l3_off = 14, .ether_type = 0x0806};

	(void)state;
	frame_eth(&f);
	set_type(&f, 0x0806);
	grow(&f, 28);
	frame_pad(&f, 60);
	expect_decode(&f, DECODE_OK, &w);
}

static void test_short_frames(void **state)
{
	struct pkt_info want = {0};
	struct frame f;
	size_t n;

	(void)state;
	frame_eth(&f);
	for (n = 0; n < 14; n++) {
		f.len = n;
		expect_decode(&f, DECODE_TRUNCATED, &want);
	}
}

/*
 * Every prefix of a complete frame is a frame cut short: it must decode as
 * TRUNCATED, never read past its end, never succeed.
 */
static void test_every_truncation(void **state)
{
	struct frame f;
	struct pkt_info got;
	size_t full, n;

	(void)state;
	frame_eth(&f);
	frame_vlan(&f, 0x8100, 42);
	frame_ipv6(&f);
	frame_ipv6_ext(&f, 0, 8);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	full = f.len;
	assert_int_equal(decode_exact(f.b, full, &got), DECODE_OK);
	for (n = 0; n < full; n++)
		assert_int_equal(decode_exact(f.b, n, &got), DECODE_TRUNCATED);
}

static void test_ipv4_bad_headers(void **state)
{
	struct frame f;
	struct pkt_info want = {.l3_off = 14, .ether_type = 0x0800};
	uint8_t ihl;

	(void)state;
	for (ihl = 0; ihl < 5; ihl++) {
		frame_eth(&f);
		frame_ipv4(&f, 0, 0);
		frame_udp(&f, 5060, 5061);
		frame_end(&f);
		f.b[14] = 0x40 | ihl;
		expect_decode(&f, DECODE_BAD_L3, &want);
	}

	/* version 6 in an IPv4 ether type */
	f.b[14] = 0x65;
	expect_decode(&f, DECODE_BAD_L3, &want);

	/* total length shorter than the header */
	f.b[14] = 0x45;
	put16(&f, 16, 19);
	expect_decode(&f, DECODE_BAD_L3, &want);

	/* total length past the frame */
	frame_eth(&f);
	frame_ipv4(&f, 0, 0);
	frame_udp(&f, 5060, 5061);
	frame_end(&f);
	put16(&f, 16, (uint16_t)(f.len - 14 + 1));
	expect_decode(&f, DECODE_TRUNCATED, &want);
}

static void test_udp_length_past_ip(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv4(14, 17);

	(void)state;
	frame_eth(&f);
	frame_ipv4(&f, 0, 0);
	frame_udp(&f, 5060, 5061);
	frame_payload(&f, SIP_TEXT);
	frame_end(&f);
	/* The padding is frame, not IP: the UDP length must not reach it. */
	frame_pad(&f, f.len + 8);
	put16(&f, 34 + 4, (uint16_t)(8 + strlen(SIP_TEXT) + 1));
	w.ip_total = 28 + strlen(SIP_TEXT);
	w.l4 = PKT_L4_UDP;
	w.l4_off = 34;
	w.sport = 5060;
	w.dport = 5061;
	expect_decode(&f, DECODE_BAD_L4, &w);

	put16(&f, 34 + 4, 7);
	expect_decode(&f, DECODE_BAD_L4, &w);
}

static void test_tcp_bad_data_offset(void **state)
{
	struct frame f;
	struct pkt_info w = want_ipv6(14, 6);
	uint8_t doff;

	(void)state;
	w.ip_total = 40 + 20 + 3;
	w.l4 = PKT_L4_TCP;
	w.l4_off = 54;
	w.sport = 5060;
	w.dport = 5061;
	w.tcp_flags = 0x02;
	/* below the minimum, and past the end of the segment */
	for (doff = 0; doff < 16; doff++) {
		if (doff == 5)
			continue;
		frame_eth(&f);
		frame_ipv6(&f);
		frame_tcp(&f, 5060, 5061, 0x02, 0);
		frame_payload(&f, "dat");
		frame_end(&f);
		f.b[54 + 12] = (uint8_t)(doff << 4);
		expect_decode(&f, DECODE_BAD_L4, &w);
	}
}

static void test_result_names(void **state)
{
	(void)state;
	assert_string_equal(decode_result_name(DECODE_OK), "ok");
	assert_string_equal(decode_result_name(DECODE_TRUNCATED), "truncated");
	assert_string_equal(decode_result_name(DECODE_BAD_L3), "bad_l3");
	assert_string_equal(decode_result_name(DECODE_BAD_L4), "bad_l4");
	assert_string_equal(decode_result_name(DECODE_RESULT_MAX), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_udp),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_8021ad),
		cmocka_unit_test(test_vlan_stacks),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_ipv6_ah),
		cmocka_unit_test(test_ipv6_stop_headers),
		cmocka_unit_test(test_ipv6_ext_chain_limit),
		cmocka_unit_test(test_ipv6_fragment),
		cmocka_unit_test(test_ipv6_atomic_fragment),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_short_frames),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_ipv4_bad_headers),
		cmocka_unit_test(test_udp_length_past_ip),
		cmocka_unit_test(test_tcp_bad_data_offset),
		cmocka_unit_test(test_result_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
