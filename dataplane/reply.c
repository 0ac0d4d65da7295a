/* SPDX-License-Identifier: BSD-3-Clause */
#include "reply.h"

#include <string.h>
#include <strings.h>

#include "siphash.h"

#define ETH_HDR_LEN 14
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define UDP_HDR_LEN 8
#define IP_PROTO_UDP 17
#define REPLY_TTL 64
#define IPV4_FLAG_DF 0x4000
#define IP_MAX_LEN 65535

static const char hex_digits[] = "0123456789abcdef";

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void reply_tag(const uint8_t *key, const struct sip_str *call_id,
	       uint8_t code, char tag[REPLY_TAG_LEN])
{
	/* the code changes the digits too, so a tag read with another
	 * code does not match */
	uint64_t h = siphash24_64(key, call_id->ptr,
			       call_id->len) ^
		     ((uint64_t)code * 0x9e3779b97f4a7c15ULL);

	tag[0] = 's';
	tag[1] = 'w';
	tag[2] = hex_digits[code >> 4];
	tag[3] = hex_digits[code & 0xf];
	for (int i = REPLY_TAG_LEN - 1; i >= 4; i--, h >>= 4)
		tag[i] = hex_digits[h & 0xf];
}

int reply_tag_code(const uint8_t *key, const struct sip_str *call_id,
		   const struct sip_str *tag)
{
	char want[REPLY_TAG_LEN];
	uint8_t diff = 0;
	int hi, lo;

	if (tag->len != REPLY_TAG_LEN || tag->ptr[0] != 's' ||
	    tag->ptr[1] != 'w')
		return -1;
	hi = hex_value(tag->ptr[2]);
	lo = hex_value(tag->ptr[3]);
	if (hi < 0 || lo < 0)
		return -1;
	reply_tag(key, call_id, (uint8_t)(hi << 4 | lo), want);
	for (int i = 0; i < REPLY_TAG_LEN; i++)
		diff |= (uint8_t)(want[i] ^ tag->ptr[i]);
	return diff == 0 ? hi << 4 | lo : -1;
}

/* RFC 3261 21.4-21.6, plus the later codes a refusal may use. */
static const struct {
	uint16_t status;
	const char *phrase;
} default_phrases[] = {
	{400, "Bad Request"},
	{401, "Unauthorized"},
	{402, "Payment Required"},
	{403, "Forbidden"},
	{404, "Not Found"},
	{405, "Method Not Allowed"},
	{406, "Not Acceptable"},
	{407, "Proxy Authentication Required"},
	{408, "Request Timeout"},
	{410, "Gone"},
	{413, "Request Entity Too Large"},
	{414, "Request-URI Too Long"},
	{415, "Unsupported Media Type"},
	{416, "Unsupported URI Scheme"},
	{420, "Bad Extension"},
	{421, "Extension Required"},
	{423, "Interval Too Brief"},
	{429, "Too Many Requests"}, /* RFC 6585 */
	{480, "Temporarily Unavailable"},
	{481, "Call/Transaction Does Not Exist"},
	{482, "Loop Detected"},
	{483, "Too Many Hops"},
	{484, "Address Incomplete"},
	{485, "Ambiguous"},
	{486, "Busy Here"},
	{487, "Request Terminated"},
	{488, "Not Acceptable Here"},
	{491, "Request Pending"},
	{493, "Undecipherable"},
	{500, "Server Internal Error"},
	{501, "Not Implemented"},
	{502, "Bad Gateway"},
	{503, "Service Unavailable"},
	{504, "Server Time-out"},
	{505, "Version Not Supported"},
	{513, "Message Too Large"},
	{600, "Busy Everywhere"},
	{603, "Decline"},
	{604, "Does Not Exist Anywhere"},
	{606, "Not Acceptable"},
	{607, "Unwanted"}, /* RFC 8197 */
	{608, "Rejected"}, /* RFC 8688 */
};

const char *reply_default_phrase(uint16_t status)
{
	for (size_t i = 0;
	     i < sizeof(default_phrases) / sizeof(default_phrases[0]); i++)
		if (default_phrases[i].status == status)
			return default_phrases[i].phrase;
	return "Refused";
}

/* ---- bounded text output ---- */

/* Once `overflow` is set nothing more is written; the caller returns 0. */
struct text_out {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
};

static void put_bytes(struct text_out *o, const char *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void put_cstr(struct text_out *o, const char *s)
{
	put_bytes(o, s, strlen(s));
}

static void put_uint(struct text_out *o, uint32_t v)
{
	char digits[10];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_bytes(o, digits + n, sizeof(digits) - n);
}

static inline bool is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copy text that must stay on one header line: a CR/LF run and the
 * whitespace that follows it (folding) become one space, so no byte of the
 * source can end the line or the header section early. In a quoted string
 * '"' and '\' are escaped so the text cannot close the quotes.
 */
static void put_line_text(struct text_out *o, const char *s, size_t n,
			  bool quoted)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;

		while (run < n && s[run] != '\r' && s[run] != '\n' &&
		       !(quoted && (s[run] == '"' || s[run] == '\\')))
			run++;
		put_bytes(o, s + i, run - i);
		if (run == n)
			break;
		if (s[run] == '"' || s[run] == '\\') {
			put_bytes(o, "\\", 1);
			put_bytes(o, s + run, 1);
			i = run + 1;
			continue;
		}
		while (run < n &&
		       (s[run] == '\r' || s[run] == '\n' || is_wsp(s[run])))
			run++;
		put_bytes(o, " ", 1);
		i = run;
	}
}

static void put_header(struct text_out *o, const char *name,
		       const struct sip_str *value)
{
	put_cstr(o, name);
	put_bytes(o, ": ", 2);
	put_line_text(o, value->ptr, value->len, false);
	put_bytes(o, "\r\n", 2);
}

/* The request headers a response repeats (RFC 3261 8.2.6.2). */
struct echoed_headers {
	struct sip_str from;
	struct sip_str to;
	struct sip_str call_id;
	struct sip_str cseq;
	uint16_t via_lines;
};

static bool name_is(const struct sip_str *name, const char *want)
{
	size_t n = strlen(want);

	return name->len == n && strncasecmp(name->ptr, want, n) == 0;
}

static void keep_first(struct sip_str *slot, const struct sip_str *value)
{
	if (!slot->ptr)
		*slot = *value;
}

/*
 * One pass over the request headers: Via lines are written as they come
 * (their order is the response path), the others are remembered so they
 * can follow in the canonical order. First occurrence wins, as in sip_scan.
 */
static void put_vias_collect_rest(struct text_out *o, const char *sip,
				  const struct sip_msg *msg,
				  struct echoed_headers *eh)
{
	struct sip_header_iter it;
	struct sip_header h;

	memset(eh, 0, sizeof(*eh));
	sip_header_iter_init(&it, sip, msg);
	while (sip_header_next(&it, &h)) {
		switch (h.compact) {
		case 'v':
			put_header(o, "Via", &h.value);
			eh->via_lines++;
			break;
		case 'f':
			keep_first(&eh->from, &h.value);
			break;
		case 't':
			keep_first(&eh->to, &h.value);
			break;
		case 'i':
			keep_first(&eh->call_id, &h.value);
			break;
		default:
			if (name_is(&h.name, "CSeq"))
				keep_first(&eh->cseq, &h.value);
			break;
		}
	}
}

static size_t put_sip_response(struct text_out *o, const char *sip,
			       const struct sip_msg *msg,
			       const struct reply_spec *spec)
{
	const char *phrase = spec->phrase ? spec->phrase
					  : reply_default_phrase(spec->status);
	const char *cause = spec->cause ? spec->cause : phrase;
	struct echoed_headers eh;

	put_cstr(o, "SIP/2.0 ");
	put_uint(o, spec->status);
	put_bytes(o, " ", 1);
	put_line_text(o, phrase, strlen(phrase), false);
	put_bytes(o, "\r\n", 2);

	put_vias_collect_rest(o, sip, msg, &eh);
	if (!eh.via_lines || !eh.from.ptr || !eh.to.ptr || !eh.call_id.ptr ||
	    !eh.cseq.ptr)
		return 0;

	put_header(o, "From", &eh.from);
	put_cstr(o, "To: ");
	put_line_text(o, eh.to.ptr, eh.to.len, false);
	if (!msg->to_tag.len) {
		char tag[REPLY_TAG_LEN];

		reply_tag(spec->tag_key, &msg->call_id, spec->tag_code, tag);
		put_cstr(o, ";tag=");
		put_bytes(o, tag, sizeof(tag));
	}
	put_bytes(o, "\r\n", 2);
	put_header(o, "Call-ID", &eh.call_id);
	put_header(o, "CSeq", &eh.cseq);
	if (spec->retry_after) {
		put_cstr(o, "Retry-After: ");
		put_uint(o, spec->retry_after);
		put_bytes(o, "\r\n", 2);
	}
	put_cstr(o, "Reason: SIP;cause=");
	put_uint(o, spec->status);
	put_cstr(o, ";text=\"");
	put_line_text(o, cause, strlen(cause), true);
	put_cstr(o, "\"\r\nServer: sipwarden\r\nContent-Length: 0\r\n\r\n");

	return o->overflow ? 0 : o->len;
}

/* ---- L2-L4 ---- */

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

/* RFC 1071 one's-complement sum of big-endian 16-bit words. */
static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_ipv4(uint8_t *ip, const uint8_t *req_ip,
		     const struct pkt_info *info, size_t l4_len)
{
	ip[0] = 0x45;
	ip[1] = req_ip[1]; /* TOS/DSCP: the reply travels in the same class */
	put_be16(ip + 2, (uint16_t)(IPV4_HDR_LEN + l4_len));
	put_be16(ip + 4, 0);
	put_be16(ip + 6, IPV4_FLAG_DF);
	ip[8] = REPLY_TTL;
	ip[9] = IP_PROTO_UDP;
	put_be16(ip + 10, 0);
	put_be32(ip + 12, info->dst.v4);
	put_be32(ip + 16, info->src.v4);
	put_be16(ip + 10, csum_fold(csum_add(0, ip, IPV4_HDR_LEN)));
}

static void put_ipv6(uint8_t *ip, const struct pkt_info *info, size_t l4_len)
{
	put_be32(ip, 6u << 28);
	put_be16(ip + 4, (uint16_t)l4_len);
	ip[6] = IP_PROTO_UDP;
	ip[7] = REPLY_TTL;
	memcpy(ip + 8, info->dst.v6, 16);
	memcpy(ip + 24, info->src.v6, 16);
}

/* Fill in the UDP header in front of its payload, checksum included. */
static void put_udp(uint8_t *udp, const uint8_t *ip, bool v6,
		    const struct pkt_info *info, size_t udp_len)
{
	uint64_t sum;
	uint16_t csum;

	put_be16(udp, info->dport);
	put_be16(udp + 2, info->sport);
	put_be16(udp + 4, (uint16_t)udp_len);
	put_be16(udp + 6, 0);

	/* Pseudo header: the addresses as written, protocol, UDP length. */
	if (v6)
		sum = csum_add(0, ip + 8, 32);
	else
		sum = csum_add(0, ip + 12, 8);
	sum += IP_PROTO_UDP + udp_len;
	csum = csum_fold(csum_add(sum, udp, udp_len));
	put_be16(udp + 6, csum ? csum : 0xffff);
}

static bool answerable(size_t frame_len, const struct pkt_info *info,
		       const struct sip_msg *msg)
{
	if (!msg->is_request || msg->method == SIP_METHOD_ACK)
		return false;
	if (info->l4 != PKT_L4_UDP || info->is_fragment)
		return false;
	if (info->l3 != PKT_L3_IPV4 && info->l3 != PKT_L3_IPV6)
		return false;
	/* The IPv4 TOS byte is read from the request. */
	return info->l3_off >= ETH_HDR_LEN &&
	       (size_t)info->l3_off + IPV4_HDR_LEN <= frame_len;
}

size_t reply_build(const uint8_t *frame, size_t frame_len,
		   const struct pkt_info *info, const char *sip,
		   const struct sip_msg *msg, const struct reply_spec *spec,
		   uint8_t *out, size_t out_cap)
{
	bool v6 = info->l3 == PKT_L3_IPV6;
	size_t l2_len = info->l3_off;
	size_t ip_len = v6 ? IPV6_HDR_LEN : IPV4_HDR_LEN;
	size_t hdr_len = l2_len + ip_len + UDP_HDR_LEN;
	/* The UDP and IP length fields bound the SIP text as well. */
	size_t sip_max = IP_MAX_LEN - UDP_HDR_LEN - (v6 ? 0 : IPV4_HDR_LEN);
	struct text_out text;
	size_t sip_len, udp_len;

	if (!answerable(frame_len, info, msg))
		return 0;
	if (spec->status < 400 || spec->status > 699 || out_cap <= hdr_len)
		return 0;

	text = (struct text_out){
		.p = (char *)out + hdr_len,
		.cap = out_cap - hdr_len < sip_max ? out_cap - hdr_len
						   : sip_max,
	};
	sip_len = put_sip_response(&text, sip, msg, spec);
	if (!sip_len)
		return 0;
	udp_len = UDP_HDR_LEN + sip_len;

	memcpy(out, frame + 6, 6);
	memcpy(out + 6, frame, 6);
	memcpy(out + 12, frame + 12, l2_len - 12);
	if (v6)
		put_ipv6(out + l2_len, info, udp_len);
	else
		put_ipv4(out + l2_len, frame + l2_len, info, udp_len);
	put_udp(out + l2_len + ip_len, out + l2_len, v6, info, udp_len);

	return hdr_len + sip_len;
}
