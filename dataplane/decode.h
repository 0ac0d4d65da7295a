/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * decode: Ethernet (with up to two 802.1Q/802.1ad tags), IPv4, IPv6 (with
 * extension headers), UDP and TCP, over one contiguous frame.
 *
 * Contract:
 *  - decode_frame() reads only [data, data + len) and never writes.
 *  - It fills struct pkt_info as far as it got and returns how far that
 *    was: a frame that is not IP, or whose L4 is neither UDP nor TCP, is
 *    DECODE_OK with l4 == PKT_L4_NONE/OTHER; only inconsistent headers
 *    (lengths that point past the frame, bad IHL, ...) are errors.
 *  - An IP fragment stops decoding at L3 with is_fragment set; the caller
 *    reassembles it (ip_frag) and calls decode_frame() on the whole
 *    datagram. Only the first fragment carries the L4 header.
 *  - payload_off/payload_len span the UDP payload (per the UDP length, not
 *    the frame, so Ethernet padding is excluded) or the TCP segment data.
 *  - TRUNCATED means the frame ends before a header or the IP length says
 *    it should (a cut capture); BAD_L3/BAD_L4 mean the headers disagree
 *    with each other or with the enclosing IP datagram (IHL < 5, an IPv6
 *    extension header or a UDP length past the IP payload, ...).
 *  - A frame is one mbuf segment: only its first UINT16_MAX bytes are
 *    looked at, so every offset fits in 16 bits.
 *  - Up to two VLAN tags: the outer one 0x8100, 0x88a8 or 0x9100, an inner
 *    one 0x8100; any other tag stack ends decoding with l3 == PKT_L3_NONE.
 *  - IPv6: hop-by-hop, routing, destination options, AH and fragment
 *    headers are walked, at most 8 of them (a longer chain is BAD_L3, not
 *    a way around the classifier). An atomic fragment (offset 0, M clear,
 *    RFC 6946) is not a fragment. For a fragment, ip_proto is the
 *    fragmented datagram's protocol (the fragment header's next header).
 *    ESP, no-next-header and anything else end at l4 == PKT_L4_OTHER.
 *  - l4 and the ports are set once the UDP/TCP header is inside the
 *    datagram, even if its length fields then make the result BAD_L4.
 */
#ifndef SIPWARDEN_DECODE_H
#define SIPWARDEN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pkt_l3 { PKT_L3_NONE = 0, PKT_L3_IPV4, PKT_L3_IPV6 };
enum pkt_l4 { PKT_L4_NONE = 0, PKT_L4_UDP, PKT_L4_TCP, PKT_L4_OTHER };

enum decode_result {
	DECODE_OK = 0,
	DECODE_TRUNCATED,   /* a header runs past the end of the frame */
	DECODE_BAD_L3,	    /* bad IP version/IHL/total length */
	DECODE_BAD_L4,	    /* bad UDP length / TCP data offset */
	DECODE_RESULT_MAX
};

/* An IPv4 address is stored as ::ffff:a.b.c.d would be: in v4, host order. */
struct pkt_addr {
	uint32_t v4;	 /* host byte order, when l3 == PKT_L3_IPV4 */
	uint8_t v6[16];	 /* network byte order, when l3 == PKT_L3_IPV6 */
};

struct pkt_info {
	uint16_t l3_off;     /* offset of the IP header */
	uint8_t vlan_count;  /* 0..2 */
	uint16_t vlan_tci[2];/* outer first */
	uint16_t ether_type; /* after the VLAN tags, host order */

	enum pkt_l3 l3;
	uint8_t ip_proto;    /* IPv4 protocol / IPv6 final next header */
	uint16_t l4_off;     /* offset of the UDP/TCP header */
	bool is_fragment;    /* IPv4 MF/offset, or IPv6 fragment header */
	uint16_t ip_total;   /* IPv4 total length / IPv6 40 + payload length */
	struct pkt_addr src, dst;

	enum pkt_l4 l4;
	uint16_t sport, dport; /* host order */
	uint16_t payload_off;
	uint16_t payload_len;
	uint8_t tcp_flags;
};

enum decode_result decode_frame(const uint8_t *data, size_t len,
				struct pkt_info *info);

const char *decode_result_name(enum decode_result r);

#endif
