/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_headers: the header section, line by line; the contract is in
 * sip_scan_headers.h.
 *
 * A header's name picks a handler (scan_name()), so a name the policy
 * does not read costs its token check, the colon and the search for the
 * line's end, and only the headers the policy needs have their values
 * parsed (sip_scan_uri.c, sip_scan_fields.c). The value parsers find the end of
 * the line themselves: a CR or LF that is not folding. So where the buffer ends
 * in LF, which stops every search before the buffer's end, a header is read
 * before its line is looked for, and the line search is skipped when the
 * value ends on the line's CRLF (header_first()); anything else is done
 * again in the contract's order (sip_headers_scan()). Elsewhere the line's
 * end is found first, and the CR or LF at it stops the parsers.
 */
#include "sip_scan_headers.h"

#include "sip_scan_fields.h"
#include "sip_scan_names.h"
#include "sip_scan_uri.h"

enum seen {
	SEEN_CALL_ID = 1 << 0,
	SEEN_FROM = 1 << 1,
	SEEN_TO = 1 << 2,
	SEEN_VIA = 1 << 3,
	SEEN_CSEQ = 1 << 4,
	SEEN_CONTENT_LENGTH = 1 << 5,
	SEEN_CONTACT = 1 << 6,
	SEEN_EXPIRES = 1 << 7,
	SEEN_USER_AGENT = 1 << 8,
};

/* After a header's name: its colon (SP and HTAB may come first), or NULL */
static inline const char *colon_at(const char *c)
{
	if (*c != ':') {
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c != ':')
			return NULL;
	}
	return c;
}

/* After a header's name: its value, LWS skipped, or NULL without a colon */
static inline const char *value_at(const char *name_end, const char *bend)
{
	const char *c = colon_at(name_end);

	return c ? lws(c + 1, bend) : NULL;
}

/* Marks `bit` seen; true if it was already. */
static inline bool seen_before(unsigned *seen, unsigned bit)
{
	bool before = *seen & bit;

	*seen |= bit;
	return before;
}

/*
 * The header line [p, le), le its CR or LF: what split_header() checks,
 * then the value of the headers we read.
 */
static enum sip_scan_result scan_header(const char *p, const char *le,
					const char *bend, unsigned *seen,
					struct sip_msg *msg)
{
	const char *name_end, *c, *v, *e;
	enum header_id id = scan_name(p, bend, &name_end);
	unsigned vias;
	bool rest;
	uint64_t n;

	if (name_end == p)
		return SIP_SCAN_BAD_HEADER;
	c = colon_at(name_end);
	if (!c)
		return SIP_SCAN_BAD_HEADER;
	if (id == H_OTHER)
		return SIP_SCAN_OK;
	v = lws(c + 1, bend);

	switch (id) {
	case H_VIA:
		*seen |= SEEN_VIA;
		vias = msg->via_count;
		e = sip_field_via(v, bend, msg, &vias);
		msg->via_count = (uint16_t)vias;
		return e ? SIP_SCAN_OK : SIP_SCAN_BAD_HEADER;
	case H_FROM:
		if (seen_before(seen, SEEN_FROM))
			return SIP_SCAN_DUPLICATE_HEADER;
		return sip_field_party(v, bend, &msg->from, &msg->from_tag)
			       ? SIP_SCAN_OK
			       : SIP_SCAN_BAD_HEADER;
	case H_TO:
		if (seen_before(seen, SEEN_TO))
			return SIP_SCAN_DUPLICATE_HEADER;
		return sip_field_party(v, bend, &msg->to, &msg->to_tag)
			       ? SIP_SCAN_OK
			       : SIP_SCAN_BAD_HEADER;
	case H_CALL_ID:
		if (seen_before(seen, SEEN_CALL_ID))
			return SIP_SCAN_DUPLICATE_HEADER;
		return sip_field_call_id(v, bend, msg) ? SIP_SCAN_OK
						       : SIP_SCAN_BAD_HEADER;
	case H_CSEQ:
		if (seen_before(seen, SEEN_CSEQ))
			return SIP_SCAN_DUPLICATE_HEADER;
		return sip_field_cseq(v, bend, msg, &e);
	case H_CONTENT_LENGTH:
		if (seen_before(seen, SEEN_CONTENT_LENGTH))
			return SIP_SCAN_DUPLICATE_HEADER;
		if (!sip_field_digits(v, bend, &n) || n > UINT32_MAX)
			return SIP_SCAN_BAD_CONTENT_LENGTH;
		msg->content_length = (int64_t)n;
		return SIP_SCAN_OK;
	case H_CONTACT:
		if (seen_before(seen, SEEN_CONTACT))
			return SIP_SCAN_OK;
		return sip_field_contact(v, bend, msg, &rest)
			       ? SIP_SCAN_OK
			       : SIP_SCAN_BAD_HEADER;
	case H_EXPIRES:
		if (!seen_before(seen, SEEN_EXPIRES)) {
			e = sip_field_digits(v, bend, &n);
			msg->expires = !e		? -1
				       : n > UINT32_MAX ? UINT32_MAX
							: (int64_t)n;
		}
		return SIP_SCAN_OK;
	case H_USER_AGENT:
		if (!seen_before(seen, SEEN_USER_AGENT))
			msg->user_agent = span(v, trim_lws_back(v, le));
		return SIP_SCAN_OK;
	default:
		return SIP_SCAN_OK;
	}
}

/*
 * scan_header() for a line whose end is not known yet, in a buffer that
 * ends in LF, the name and colon first. Where the value parsers read the
 * value to a CRLF, with no folded line next, within SIP_SCAN_MAX_LINE,
 * sip_find_line() would have found that very end, since the parsers read
 * every byte up to it and take a CR or LF only as folding. Where they do
 * not read the value to its end (headers we do not read, the ones after
 * the first that counts, User-Agent, whose value is trimmed from the
 * line's end), next_line() finds it. Returns the start of the next line,
 * or NULL for everything else, errors included, to be done again in the
 * contract's order (see sip_headers_scan()).
 */
static inline __attribute__((always_inline)) const char *
header_first(const char *p, const char *bend, unsigned *seen,
	     struct sip_msg *msg)
{
	const char *name_end, *v, *e;
	enum header_id id = scan_name(p, bend, &name_end);
	unsigned vias = msg->via_count;
	bool rest = false;
	struct line ln;
	uint64_t n;

	/*
	 * Nothing between scan_name()'s switch and this one, so that the
	 * compiler threads each name straight to its case: one indirect
	 * jump per header, not two.
	 */
#define VALUE()                                                                \
	do {                                                                   \
		v = value_at(name_end, bend);                                  \
		if (!v)                                                        \
			return NULL;                                           \
	} while (0)
	switch (id) {
	case H_OTHER:
		if (name_end == p || !colon_at(name_end))
			return NULL;
		goto line;
	case H_VIA:
		VALUE();
		*seen |= SEEN_VIA;
		e = sip_field_via(v, bend, msg, &vias);
		break;
	case H_FROM:
		VALUE();
		if (seen_before(seen, SEEN_FROM))
			return NULL;
		e = sip_field_party(v, bend, &msg->from, &msg->from_tag);
		break;
	case H_TO:
		VALUE();
		if (seen_before(seen, SEEN_TO))
			return NULL;
		e = sip_field_party(v, bend, &msg->to, &msg->to_tag);
		break;
	case H_CALL_ID:
		VALUE();
		if (seen_before(seen, SEEN_CALL_ID))
			return NULL;
		e = sip_field_call_id(v, bend, msg);
		break;
	case H_CSEQ:
		VALUE();
		if (seen_before(seen, SEEN_CSEQ) ||
		    sip_field_cseq(v, bend, msg, &e) != SIP_SCAN_OK)
			return NULL;
		break;
	case H_CONTENT_LENGTH:
		VALUE();
		if (seen_before(seen, SEEN_CONTENT_LENGTH))
			return NULL;
		e = sip_field_digits(v, bend, &n);
		if (!e || n > UINT32_MAX)
			return NULL;
		msg->content_length = (int64_t)n;
		break;
	case H_CONTACT:
		VALUE();
		if (seen_before(seen, SEEN_CONTACT))
			goto line;
		e = sip_field_contact(v, bend, msg, &rest);
		if (!e)
			return NULL;
		if (rest)
			goto line; /* not read to its end */
		break;
	case H_EXPIRES:
		VALUE();
		if (seen_before(seen, SEEN_EXPIRES))
			goto line;
		e = sip_field_digits(v, bend, &n);
		msg->expires = !e		? -1
			       : n > UINT32_MAX ? UINT32_MAX
						: (int64_t)n;
		if (!e)
			goto line; /* not a number, not read to its end */
		break;
	case H_USER_AGENT:
		VALUE();
		if (seen_before(seen, SEEN_USER_AGENT))
			goto line;
		if (next_line(p, bend, true, SIP_SCAN_BAD_HEADER, &ln) !=
			    SIP_SCAN_OK ||
		    ln.next == bend)
			return NULL;
		msg->user_agent = span(v, trim_lws_back(v, ln.end));
		return ln.next;
	default:
		goto line;
	}
#undef VALUE
	/*
	 * e is where lws() stopped, at a CR or LF it did not take for
	 * folding: so if a CRLF and a byte follow, that byte is no SP or
	 * HTAB. (A CR is not the buffer's last byte, which is LF.)
	 */
	if (!e || bend - e <= 2 || load2(e) != load2("\r\n") ||
	    e - p > SIP_SCAN_MAX_LINE)
		return NULL;
	msg->via_count = (uint16_t)vias;
	return e + 2;

line:
	/* the header's line, where the value did not tell its end */
	if (next_line(p, bend, true, SIP_SCAN_BAD_HEADER, &ln) != SIP_SCAN_OK ||
	    ln.next == bend)
		return NULL;
	return ln.next;
}

/*
 * Undoes what header_first() recorded, for a line sip_find_line() then turned
 * down: fresh has the seen bits it set.
 */
static void forget(struct sip_msg *msg, unsigned fresh)
{
	if (!msg->via_count) {
		msg->via_sent_by = (struct sip_str){NULL, 0};
		msg->via_branch = (struct sip_str){NULL, 0};
	}
	if (fresh & SEEN_FROM) {
		memset(&msg->from, 0, sizeof(msg->from));
		msg->from_tag = (struct sip_str){NULL, 0};
	}
	if (fresh & SEEN_TO) {
		memset(&msg->to, 0, sizeof(msg->to));
		msg->to_tag = (struct sip_str){NULL, 0};
	}
	if (fresh & SEEN_CALL_ID)
		msg->call_id = (struct sip_str){NULL, 0};
	if (fresh & SEEN_CSEQ) {
		msg->cseq = 0;
		msg->cseq_method = SIP_METHOD_UNKNOWN;
		msg->cseq_method_str = (struct sip_str){NULL, 0};
	}
	if (fresh & SEEN_CONTENT_LENGTH)
		msg->content_length = -1;
	if (fresh & SEEN_CONTACT) {
		memset(&msg->contact, 0, sizeof(msg->contact));
		msg->contact_star = false;
		msg->contact_expires = -1;
	}
	if (fresh & SEEN_EXPIRES)
		msg->expires = -1;
	if (fresh & SEEN_USER_AGENT)
		msg->user_agent = (struct sip_str){NULL, 0};
}

static enum sip_scan_result finish(const char *buf, size_t len,
				   const char *header_end, unsigned seen,
				   struct sip_msg *msg)
{
	size_t rest;

	if (!(seen & SEEN_CALL_ID))
		return SIP_SCAN_NO_CALL_ID;
	if (!(seen & SEEN_FROM))
		return SIP_SCAN_NO_FROM;
	if (!(seen & SEEN_TO))
		return SIP_SCAN_NO_TO;
	if (!(seen & SEEN_VIA))
		return SIP_SCAN_NO_VIA;
	if (!(seen & SEEN_CSEQ))
		return SIP_SCAN_BAD_CSEQ;
	msg->header_len = (uint32_t)(header_end - buf);
	rest = len - msg->header_len;
	if (msg->content_length < 0) {
		msg->body_len = rest > UINT32_MAX ? UINT32_MAX : (uint32_t)rest;
		return SIP_SCAN_OK;
	}
	if ((uint64_t)msg->content_length > rest)
		return SIP_SCAN_BAD_CONTENT_LENGTH;
	msg->body_len = (uint32_t)msg->content_length;
	return SIP_SCAN_OK;
}

/*
 * The header lines from p on. Where the buffer ends in LF, which stops
 * every search before its end, header_first() reads each header before
 * its line's end is looked for; what it does not finish is undone and
 * done again in the order of the contract: sip_find_line() first, then the
 * header, with the same parsers now inside a known line.
 */
enum sip_scan_result sip_headers_scan(const char *buf, size_t len,
				      const char *p, struct sip_msg *msg)
{
	const char *end = buf + len;
	bool first = buf[len - 1] == '\n';
	unsigned seen = 0, count = 0;
	enum sip_scan_result r;
	struct line ln;

	for (;; count++) {
		unsigned seen0 = seen;
		const char *next = NULL;

		if ((unsigned char)*p <= '\r') {
			msg->header_count = (uint16_t)count;
			if (*p == '\n')
				return finish(buf, len, p + 1, seen, msg);
			if (*p == '\r') {
				if (p + 1 == end)
					return SIP_SCAN_TRUNCATED;
				if (p[1] != '\n')
					return SIP_SCAN_BAD_HEADER;
				return finish(buf, len, p + 2, seen, msg);
			}
		}
		if (count == SIP_SCAN_MAX_HEADERS) {
			msg->header_count = (uint16_t)count;
			return SIP_SCAN_TOO_MANY_HEADERS;
		}
		if (first) {
			next = header_first(p, end, &seen, msg);
			if (next) {
				p = next;
				continue;
			}
		}
		/* what header_first() recorded is undone or done again */
		msg->header_count = (uint16_t)count;
		r = next_line(p, end, true, SIP_SCAN_BAD_HEADER, &ln);
		if (r == SIP_SCAN_OK && ln.next == end)
			r = SIP_SCAN_TRUNCATED; /* no room for the empty line */
		if (r != SIP_SCAN_OK) {
			forget(msg, seen & ~seen0);
			return r;
		}
		msg->header_count = (uint16_t)(count + 1);
		seen = seen0;
		r = scan_header(p, ln.end, end, &seen, msg);
		if (r != SIP_SCAN_OK)
			return r;
		p = ln.next;
	}
}
