/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan: the contract is in sip_scan.h. This file reads the start line
 * and hands the header section to sip_scan_headers.c. The modules:
 *
 *   sip_scan_lex      byte classes, word compares, 16-byte searches, lines
 *   sip_scan_names    header names, the header iterator
 *   sip_scan_uri      URIs, name-addr / addr-spec, hosts, parameters
 *   sip_scan_fields   Via, From/To, Call-ID, CSeq, Contact, numbers
 *   sip_scan_headers  the header section: dispatch, duplicates, bounds
 */
#include "sip_scan.h"

#include "sip_scan_headers.h"
#include "sip_scan_lex.h"
#include "sip_scan_uri.h"

/* "SIP/2.0" in any case at p[0..7) */
static inline bool is_version(const char *p)
{
	return eq4(p, "sip/") && load4(p + 3) == load4("/2.0");
}

/* "SIP/2.0" in any case; another SIP/x is a version we do not speak. */
static enum sip_scan_result check_version(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n == 7 && is_version(p))
		return SIP_SCAN_OK;
	return n >= 4 && eq4(p, "sip/") ? SIP_SCAN_BAD_VERSION
					: SIP_SCAN_BAD_START_LINE;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
static enum sip_scan_result scan_status_line(const char *p, const char *le,
					     struct sip_msg *msg)
{
	const char *sp, *s;
	unsigned code;

	if (le - p > 7 && p[7] == ' ' && is_version(p)) {
		sp = p + 7; /* the first SP, as the version has none */
	} else {
		enum sip_scan_result r;

		sp = memchr(p, ' ', (size_t)(le - p));
		if (!sp)
			return SIP_SCAN_BAD_START_LINE;
		r = check_version(p, sp);
		if (r != SIP_SCAN_OK)
			return r;
	}
	s = sp + 1;
	if (le - s < 3 || !is_digit(s[0]) || !is_digit(s[1]) ||
	    !is_digit(s[2]) || (le - s > 3 && s[3] != ' '))
		return SIP_SCAN_BAD_STATUS;
	code = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
	       (unsigned)(s[2] - '0');
	if (code < 100 || code > 699)
		return SIP_SCAN_BAD_STATUS;
	msg->status = (uint16_t)code;
	return SIP_SCAN_OK;
}

/*
 * Request-Line = Method SP Request-URI SP SIP-Version, one SP each
 * (RFC 4475 3.1.2.9, 3.1.2.10).
 */
static enum sip_scan_result scan_request_line(const char *p, const char *le,
					      const char *bend,
					      struct sip_msg *msg)
{
	const char *m = token_run(p, bend);
	const char *uri, *sp;
	bool version_ok = false;

	if (m == p || *m != ' ')
		return SIP_SCAN_BAD_START_LINE;
	msg->is_request = true;
	msg->method_str = span(p, m);
	msg->method = sip_method_from_token(p, (size_t)(m - p));
	uri = m + 1;
	if (le - uri >= 8 && le[-8] == ' ' && is_version(le - 7)) {
		sp = le - 8; /* the last SP, as the version has none */
		version_ok = true;
	} else {
		sp = memrchr(uri, ' ', (size_t)(le - uri));
	}
	if (!sp || sp == uri || sp + 1 == le || *uri == ' ' || sp[-1] == ' ')
		return SIP_SCAN_BAD_START_LINE;
	if (find_stop_in(uri, bend, STOP_URI) != sp ||
	    !sip_uri_scan(uri, sp, bend, true, &msg->ruri))
		return SIP_SCAN_BAD_URI;
	return version_ok ? SIP_SCAN_OK : check_version(sp + 1, le);
}

/*
 * memset(msg, 0, sizeof(*msg)) in straight 16-byte stores: for a struct
 * this size the compilers pick `rep stos`, whose start-up alone cost
 * about a tenth of the time of a scan (perf, on an AMD EPYC guest).
 */
static inline void clear_msg(struct sip_msg *msg)
{
#ifdef SIP_SCAN_SIMD
	char *d = (char *)msg;
	const __m128i zero = _mm_setzero_si128();
	size_t i;

#pragma GCC unroll 32
	for (i = 0; i + 16 <= sizeof(*msg); i += 16)
		_mm_storeu_si128((__m128i *)(d + i), zero);
	memset(d + i, 0, sizeof(*msg) - i);
#else
	memset(msg, 0, sizeof(*msg));
#endif
}

enum sip_scan_result sip_scan(const char *buf, size_t len, struct sip_msg *msg)
{
	const char *end = buf + len;
	const char *p;
	enum sip_scan_result r;
	struct line ln;

	clear_msg(msg);
	msg->contact_expires = -1;
	msg->expires = -1;
	msg->content_length = -1;

	p = skip_lws(buf, end);
	if (p == end)
		return SIP_SCAN_EMPTY;
	if (p != buf && p[-1] != '\n')
		return SIP_SCAN_BAD_START_LINE;
	r = next_line(p, end, false, SIP_SCAN_BAD_START_LINE, &ln);
	if (r != SIP_SCAN_OK)
		return r;
	if (ln.next == end)
		return SIP_SCAN_TRUNCATED;
	if (ln.end - p >= 4 && eq4(p, "sip/"))
		r = scan_status_line(p, ln.end, msg);
	else
		r = scan_request_line(p, ln.end, end, msg);
	if (r != SIP_SCAN_OK)
		return r;
	return sip_headers_scan(buf, len, ln.next, msg);
}

static const char *const method_names[SIP_METHOD_MAX] = {
	[SIP_METHOD_UNKNOWN] = "other",
	[SIP_METHOD_INVITE] = "INVITE",
	[SIP_METHOD_ACK] = "ACK",
	[SIP_METHOD_BYE] = "BYE",
	[SIP_METHOD_CANCEL] = "CANCEL",
	[SIP_METHOD_REGISTER] = "REGISTER",
	[SIP_METHOD_OPTIONS] = "OPTIONS",
	[SIP_METHOD_PRACK] = "PRACK",
	[SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_METHOD_NOTIFY] = "NOTIFY",
	[SIP_METHOD_PUBLISH] = "PUBLISH",
	[SIP_METHOD_INFO] = "INFO",
	[SIP_METHOD_REFER] = "REFER",
	[SIP_METHOD_MESSAGE] = "MESSAGE",
	[SIP_METHOD_UPDATE] = "UPDATE",
};

const char *sip_method_name(enum sip_method m)
{
	return (unsigned)m < SIP_METHOD_MAX ? method_names[m] : "other";
}

enum sip_method sip_method_from_token(const char *p, size_t len)
{
	/* by length, then whole names (case-sensitive) */
#define IS(lit) (memcmp(p, lit, sizeof(lit) - 1) == 0)
	switch (len) {
	case 3:
		if (IS("ACK"))
			return SIP_METHOD_ACK;
		if (IS("BYE"))
			return SIP_METHOD_BYE;
		break;
	case 4:
		if (IS("INFO"))
			return SIP_METHOD_INFO;
		break;
	case 5:
		if (IS("PRACK"))
			return SIP_METHOD_PRACK;
		if (IS("REFER"))
			return SIP_METHOD_REFER;
		break;
	case 6:
		if (IS("INVITE"))
			return SIP_METHOD_INVITE;
		if (IS("CANCEL"))
			return SIP_METHOD_CANCEL;
		if (IS("NOTIFY"))
			return SIP_METHOD_NOTIFY;
		if (IS("UPDATE"))
			return SIP_METHOD_UPDATE;
		break;
	case 7:
		if (IS("OPTIONS"))
			return SIP_METHOD_OPTIONS;
		if (IS("PUBLISH"))
			return SIP_METHOD_PUBLISH;
		if (IS("MESSAGE"))
			return SIP_METHOD_MESSAGE;
		break;
	case 8:
		if (IS("REGISTER"))
			return SIP_METHOD_REGISTER;
		break;
	case 9:
		if (IS("SUBSCRIBE"))
			return SIP_METHOD_SUBSCRIBE;
		break;
	}
#undef IS
	return SIP_METHOD_UNKNOWN;
}

static const char *const result_names[SIP_SCAN_RESULT_MAX] = {
	[SIP_SCAN_OK] = "ok",
	[SIP_SCAN_EMPTY] = "empty",
	[SIP_SCAN_BAD_START_LINE] = "bad_start_line",
	[SIP_SCAN_BAD_VERSION] = "bad_version",
	[SIP_SCAN_BAD_STATUS] = "bad_status",
	[SIP_SCAN_BAD_URI] = "bad_uri",
	[SIP_SCAN_TRUNCATED] = "truncated",
	[SIP_SCAN_LINE_TOO_LONG] = "line_too_long",
	[SIP_SCAN_TOO_MANY_HEADERS] = "too_many_headers",
	[SIP_SCAN_BAD_HEADER] = "bad_header",
	[SIP_SCAN_NO_CALL_ID] = "no_call_id",
	[SIP_SCAN_NO_FROM] = "no_from",
	[SIP_SCAN_NO_TO] = "no_to",
	[SIP_SCAN_NO_VIA] = "no_via",
	[SIP_SCAN_BAD_CSEQ] = "bad_cseq",
	[SIP_SCAN_CSEQ_MISMATCH] = "cseq_mismatch",
	[SIP_SCAN_BAD_CONTENT_LENGTH] = "bad_content_length",
	[SIP_SCAN_DUPLICATE_HEADER] = "duplicate_header",
};

const char *sip_scan_result_name(enum sip_scan_result r)
{
	return (unsigned)r < SIP_SCAN_RESULT_MAX ? result_names[r] : "invalid";
}
