/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One pass over the frame, outermost header first. Every read is preceded
 * by a bounds check against the end of the enclosing layer: the frame for
 * L2/L3, the IP datagram (total/payload length) for extension headers and
 * L4. That ordering is what turns a short frame into TRUNCATED and headers
 * that disagree with each other into BAD_*.
 */
#include <netinet/in.h>
#include <string.h>

#include "decode.h"

#define ETHER_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define IPV4_MIN_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define UDP_HDR_LEN 8
#define TCP_MIN_HDR_LEN 20

#define ETHER_TYPE_IPV4 0x0800
#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_VLAN 0x8100	   /* 802.1Q C-tag */
#define ETHER_TYPE_QINQ 0x88a8	   /* 802.1ad S-tag */
#define ETHER_TYPE_QINQ_OLD 0x9100 /* pre-802.1ad S-tag, still seen */

#define IPV4_FLAG_MF 0x2000
#define IPV4_FRAG_OFFSET_MASK 0x1fff

#define IPV6_FRAG_OFFSET_MASK 0xfff8
#define IPV6_FRAG_MORE 0x0001

/*
 * A chain longer than this is an evasion attempt rather than traffic; it is
 * refused (BAD_L3) rather than passed on as "not UDP/TCP", which would let
 * SIP slip past the classifier.
 */
#define IPV6_MAX_EXT_HDRS 8

/* Offsets are uint16_t: a frame is one mbuf segment, never longer. */
#define DECODE_MAX_LEN UINT16_MAX

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline bool is_outer_tag(uint16_t type)
{
	return type == ETHER_TYPE_VLAN || type == ETHER_TYPE_QINQ ||
	       type == ETHER_TYPE_QINQ_OLD;
}

/*
 * UDP or TCP header at off, inside an IP payload that ends at end (<= the
 * frame end, already checked by the caller).
 */
static enum decode_result decode_l4(const uint8_t *data, uint32_t off,
				    uint32_t end, struct pkt_info *info)
{
	const uint8_t *l4 = data + off;
	uint32_t avail = end - off;

	info->l4_off = (uint16_t)off;

	if (info->ip_proto == IPPROTO_UDP) {
		uint16_t udp_len;

		if (unlikely(avail < UDP_HDR_LEN))
			return DECODE_BAD_L4;
		info->l4 = PKT_L4_UDP;
		info->sport = rd16(l4);
		info->dport = rd16(l4 + 2);
		udp_len = rd16(l4 + 4);
		if (unlikely(udp_len < UDP_HDR_LEN || udp_len > avail))
			return DECODE_BAD_L4;
		info->payload_off = (uint16_t)(off + UDP_HDR_LEN);
		info->payload_len = (uint16_t)(udp_len - UDP_HDR_LEN);
		return DECODE_OK;
	}

	if (info->ip_proto == IPPROTO_TCP) {
		uint32_t hdr_len;

		if (unlikely(avail < TCP_MIN_HDR_LEN))
			return DECODE_BAD_L4;
		info->l4 = PKT_L4_TCP;
		info->sport = rd16(l4);
		info->dport = rd16(l4 + 2);
		info->tcp_flags = l4[13];
		hdr_len = (uint32_t)(l4[12] >> 4) * 4;
		if (unlikely(hdr_len < TCP_MIN_HDR_LEN || hdr_len > avail))
			return DECODE_BAD_L4;
		info->payload_off = (uint16_t)(off + hdr_len);
		info->payload_len = (uint16_t)(avail - hdr_len);
		return DECODE_OK;
	}

	info->l4 = PKT_L4_OTHER;
	return DECODE_OK;
}

static enum decode_result decode_ipv4(const uint8_t *data, uint32_t off,
				      uint32_t len, struct pkt_info *info)
{
	const uint8_t *ip = data + off;
	uint32_t hdr_len, total;
	uint16_t frag;

	if (unlikely(len - off < IPV4_MIN_HDR_LEN))
		return DECODE_TRUNCATED;
	hdr_len = (uint32_t)(ip[0] & 0x0f) * 4;
	total = rd16(ip + 2);
	if (unlikely((ip[0] >> 4) != 4 || hdr_len < IPV4_MIN_HDR_LEN ||
		     total < hdr_len))
		return DECODE_BAD_L3;
	if (unlikely(total > len - off))
		return DECODE_TRUNCATED;

	info->l3 = PKT_L3_IPV4;
	info->ip_total = (uint16_t)total;
	info->ip_proto = ip[9];
	info->src.v4 = rd32(ip + 12);
	info->dst.v4 = rd32(ip + 16);

	frag = rd16(ip + 6);
	if (unlikely(frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK))) {
		info->is_fragment = true;
		return DECODE_OK;
	}
	return decode_l4(data, off + hdr_len, off + total, info);
}

static enum decode_result decode_ipv6(const uint8_t *data, uint32_t off,
				      uint32_t len, struct pkt_info *info)
{
	const uint8_t *ip = data + off;
	uint32_t end, hdr_len;
	uint8_t nh;
	int n;

	if (unlikely(len - off < IPV6_HDR_LEN))
		return DECODE_TRUNCATED;
	if (unlikely((ip[0] >> 4) != 6))
		return DECODE_BAD_L3;
	end = off + IPV6_HDR_LEN + rd16(ip + 4);
	if (unlikely(end > len))
		return DECODE_TRUNCATED;

	info->l3 = PKT_L3_IPV6;
	info->ip_total = (uint16_t)(end - off);
	memcpy(info->src.v6, ip + 8, 16);
	memcpy(info->dst.v6, ip + 24, 16);

	nh = ip[6];
	off += IPV6_HDR_LEN;
	for (n = 0;; n++) {
		const uint8_t *ext = data + off;

		info->ip_proto = nh;
		switch (nh) {
		case IPPROTO_UDP:
		case IPPROTO_TCP:
			return decode_l4(data, off, end, info);
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_FRAGMENT:
		case IPPROTO_AH:
			break;
		default: /* ESP, no next header, ICMPv6, unknown */
			info->l4 = PKT_L4_OTHER;
			return DECODE_OK;
		}

		/* Every extension header is at least 8 bytes long. */
		if (unlikely(n == IPV6_MAX_EXT_HDRS || end - off < 8))
			return DECODE_BAD_L3;
		if (nh == IPPROTO_FRAGMENT) {
			uint16_t frag = rd16(ext + 2);

			/*
			 * An atomic fragment (offset 0, M clear; RFC 6946)
			 * is a whole datagram: decode on through it.
			 */
			if (frag & (IPV6_FRAG_OFFSET_MASK | IPV6_FRAG_MORE)) {
				info->ip_proto = ext[0];
				info->is_fragment = true;
				return DECODE_OK;
			}
			hdr_len = 8;
		} else if (nh == IPPROTO_AH) {
			hdr_len = ((uint32_t)ext[1] + 2) * 4;
		} else {
			hdr_len = ((uint32_t)ext[1] + 1) * 8;
		}
		if (unlikely(hdr_len > end - off))
			return DECODE_BAD_L3;
		nh = ext[0];
		off += hdr_len;
	}
}

enum decode_result decode_frame(const uint8_t *data, size_t len,
				struct pkt_info *info)
{
	uint32_t frame_len =
		len > DECODE_MAX_LEN ? DECODE_MAX_LEN : (uint32_t)len;
	uint32_t off = ETHER_HDR_LEN;
	uint16_t type;
	bool tagged;

	memset(info, 0, sizeof(*info));
	if (unlikely(frame_len < ETHER_HDR_LEN))
		return DECODE_TRUNCATED;

	type = rd16(data + 12);
	tagged = is_outer_tag(type);
	while (tagged) {
		if (unlikely(frame_len - off < VLAN_TAG_LEN))
			return DECODE_TRUNCATED;
		info->vlan_tci[info->vlan_count++] = rd16(data + off);
		type = rd16(data + off + 2);
		off += VLAN_TAG_LEN;
		/* Only a C-tag may sit inside, and only one. */
		tagged = info->vlan_count < 2 && type == ETHER_TYPE_VLAN;
	}
	info->ether_type = type;
	info->l3_off = (uint16_t)off;

	if (type == ETHER_TYPE_IPV4)
		return decode_ipv4(data, off, frame_len, info);
	if (type == ETHER_TYPE_IPV6)
		return decode_ipv6(data, off, frame_len, info);
	return DECODE_OK;
}

const char *decode_result_name(enum decode_result r)
{
	static const char *const names[DECODE_RESULT_MAX] = {
		[DECODE_OK] = "ok",
		[DECODE_TRUNCATED] = "truncated",
		[DECODE_BAD_L3] = "bad_l3",
		[DECODE_BAD_L4] = "bad_l4",
	};

	if ((unsigned int)r >= DECODE_RESULT_MAX)
		return "unknown";
	return names[r];
}
