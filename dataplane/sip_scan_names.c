/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_names: header names and the header iterator; the contract is
 * in sip_scan_names.h and sip_scan.h.
 */
#include "sip_scan_names.h"

static const char compact_of[] = {
	[H_CALL_ID] = 'i',
	[H_CONTACT] = 'm',
	[H_CONTENT_ENCODING] = 'e',
	[H_CONTENT_LENGTH] = 'l',
	[H_CONTENT_TYPE] = 'c',
	[H_FROM] = 'f',
	[H_SUBJECT] = 's',
	[H_SUPPORTED] = 'k',
	[H_TO] = 't',
	[H_VIA] = 'v',
};

/* n is a token (see token_is) */
enum header_id sip_header_id(const char *n, size_t len)
{
	switch (len) {
	case 1:
		switch (to_lower(n[0])) {
		case 'i':
			return H_CALL_ID;
		case 'm':
			return H_CONTACT;
		case 'e':
			return H_CONTENT_ENCODING;
		case 'l':
			return H_CONTENT_LENGTH;
		case 'c':
			return H_CONTENT_TYPE;
		case 'f':
			return H_FROM;
		case 's':
			return H_SUBJECT;
		case 'k':
			return H_SUPPORTED;
		case 't':
			return H_TO;
		case 'v':
			return H_VIA;
		}
		break;
	case 2:
		if (token_is(n, "to", 2))
			return H_TO;
		break;
	case 3:
		if (token_is(n, "via", 3))
			return H_VIA;
		break;
	case 4:
		if (token_is(n, "cseq", 4))
			return H_CSEQ;
		if (token_is(n, "from", 4))
			return H_FROM;
		break;
	case 7:
		switch (to_lower(n[0])) {
		case 'c':
			if (token_is(n, "call-id", 7))
				return H_CALL_ID;
			if (token_is(n, "contact", 7))
				return H_CONTACT;
			break;
		case 'e':
			if (token_is(n, "expires", 7))
				return H_EXPIRES;
			break;
		case 's':
			if (token_is(n, "subject", 7))
				return H_SUBJECT;
			break;
		}
		break;
	case 9:
		if (token_is(n, "supported", 9))
			return H_SUPPORTED;
		break;
	case 10:
		if (token_is(n, "user-agent", 10))
			return H_USER_AGENT;
		break;
	case 12:
		if (token_is(n, "content-type", 12))
			return H_CONTENT_TYPE;
		break;
	case 14:
		if (token_is(n, "content-length", 14))
			return H_CONTENT_LENGTH;
		break;
	case 16:
		if (token_is(n, "content-encoding", 16))
			return H_CONTENT_ENCODING;
		break;
	}
	return H_OTHER;
}

char sip_header_compact_letter(const char *name, size_t len)
{
	/* sip_header_id() folds case as only tokens allow */
	if (!len || skip_cls(name, name + len, C_TOKEN) != name + len)
		return 0;
	return compact_of[sip_header_id(name, len)];
}

/*
 * Splits the header line [p, le) into its name and value (value trimmed of
 * LWS). Returns false when there is no token name followed by a colon.
 */
static bool split_header(const char *p, const char *le, const char **name_end,
			 const char **value, const char **value_end)
{
	const char *n = skip_cls(p, le, C_TOKEN);
	const char *c = n;

	if (n == p)
		return false;
	while (c < le && (*c == ' ' || *c == '\t'))
		c++;
	if (c == le || *c != ':')
		return false;
	*name_end = n;
	*value = skip_lws(c + 1, le);
	*value_end = trim_lws_back(*value, le);
	return true;
}

void sip_header_iter_init(struct sip_header_iter *it, const char *buf,
			  const struct sip_msg *msg)
{
	const char *end = buf + msg->header_len;
	const char *p = skip_lws(buf, end);
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	it->pos = nl ? nl + 1 : end;
	/* drop the empty line that closes the section */
	if (end > it->pos && end[-1] == '\n')
		end--;
	if (end > it->pos && end[-1] == '\r')
		end--;
	it->end = end;
}

bool sip_header_next(struct sip_header_iter *it, struct sip_header *hdr)
{
	const char *p = it->pos, *name_end, *v, *ve;
	struct line ln;

	if (p >= it->end ||
	    sip_find_line(p, it->end, true, SIP_SCAN_BAD_HEADER, &ln) !=
		    SIP_SCAN_OK ||
	    !split_header(p, ln.end, &name_end, &v, &ve)) {
		it->pos = it->end;
		return false;
	}
	hdr->line = span(p, ln.end);
	hdr->name = span(p, name_end);
	hdr->value = span(v, ve);
	hdr->compact = compact_of[sip_header_id(p, (size_t)(name_end - p))];
	it->pos = ln.next;
	return true;
}
