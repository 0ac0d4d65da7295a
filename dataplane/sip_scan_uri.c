/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_uri: URIs, addresses and parameters, and the headers made of
 * them; the contract is in sip_scan_uri.h. The parts are inlined into the
 * header parsers at the end, which call them with constant arguments.
 */
#include "sip_scan_uri.h"

/* "quoted-string" at p (on the opening quote); returns past its end. */
static inline __attribute__((always_inline)) const char *
skip_quoted(const char *p, const char *bend)
{
	for (p++;; p++) {
		const char *f;

		p = find_stop_in(p, bend, STOP_QUOTED);
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			/* quoted-pair: anything but CR and LF (and NUL, which
			 * a line sip_find_line() returned cannot hold) */
			p++;
			if (*p == '\r' || *p == '\n' || *p == '\0')
				return NULL;
		} else if (*p == '\t') {
			continue;
		} else if ((*p == '\r' || *p == '\n') &&
			   (f = fold_end(p, bend))) {
			p = f - 1;
		} else {
			return NULL; /* CTL, DEL, or the end of the line */
		}
	}
}

/*
 * host (hostname, IPv4address or IPv6reference) at p; returns its end.
 * The byte at end is readable and not a C_HOST byte; bend is the buffer's.
 */
static inline __attribute__((always_inline)) const char *
scan_host(const char *p, const char *end, const char *bend)
{
	const char *q;

	if (p < end && *p == '[') {
		for (q = p + 1;
		     q < end && (is_hex(*q) || *q == ':' || *q == '.'); q++)
			;
		if (q == end || *q != ']' || q == p + 1)
			return NULL;
		return q + 1;
	}
	q = host_run(p, bend);
	return q == p ? NULL : q;
}

/*
 * The URI spanning exactly [p, end). A Request-URI may not carry headers
 * (RFC 3261 19.1.1, RFC 4475 3.1.2.11). The byte at end is readable and
 * in neither C_SCHEME nor C_HOST: a SP, a '>', or the first byte after an
 * addr-spec, which is not C_ADDR.
 */
static inline __attribute__((always_inline)) bool
scan_uri(const char *p, const char *end, const char *bend, bool request_uri,
	 struct sip_uri *uri)
{
	const char *s, *rest, *host, *h, *at, *colon;
	size_t slen;

	if (end - p > 4 && eq4(p, "sip:")) {
		/* what the lines below make of it, in one compare */
		rest = p + 4;
		uri->whole = span(p, end);
		uri->scheme = SIP_URI_SIP;
		goto sip;
	}
	if (p == end || !is_alpha(*p))
		return false;
	s = run(p + 1, C_SCHEME);
	if (s == end || *s != ':' || s + 1 == end)
		return false;
	rest = s + 1;
	slen = (size_t)(s - p);
	uri->whole = span(p, end);
	if (slen == 3 && token_is(p, "sip", 3)) {
		uri->scheme = SIP_URI_SIP;
	} else if (slen == 4 && token_is(p, "sips", 4)) {
		uri->scheme = SIP_URI_SIPS;
	} else if (slen == 3 && token_is(p, "tel", 3)) {
		const char *semi = memchr(rest, ';', (size_t)(end - rest));

		uri->scheme = SIP_URI_TEL;
		uri->user = span(rest, semi ? semi : end);
		return uri->user.len != 0;
	} else {
		uri->scheme = SIP_URI_OTHER;
		if (slen == 3 && token_is(p, "urn", 3))
			uri->user = span(rest, end);
		return true;
	}

	/* userinfo cannot hold an unescaped '@' and hostport, parameters
	 * and headers cannot hold one at all: the first '@' ends userinfo */
sip:
	host = rest;
	at = find_byte(rest, end, bend, '@');
	if (at) {
		colon = find_byte(rest, at, bend, ':');
		uri->user = span(rest, colon ? colon : at);
		if (!uri->user.len)
			return false;
		host = at + 1;
	}
	h = scan_host(host, end, bend);
	if (!h)
		return false;
	uri->host = span(host, h);
	if (h < end && *h == ':') {
		const char *d = h + 1;

		while (d < end && is_digit(*d))
			d++;
		if (d == h + 1)
			return false;
		h = d;
	}
	if (h == end)
		return true;
	if (*h != ';' && *h != '?')
		return false;
	return !request_uri || !memchr(h, '?', (size_t)(end - h));
}

/* The end of a parameter value at val (a quoted string or a token), NULL
 * for a bad quoted string. */
static inline const char *param_value_end(const char *val, const char *bend)
{
	return *val == '"' ? skip_quoted(val, bend)
			   : run(host_run(val, bend), C_PVAL);
}

/*
 * Walks `*( SEMI name [ EQUAL value ] )` from p up to the first ',' or the
 * end of the line; returns where it stopped, or NULL on a grammar error.
 * The value of the first parameter named `want` (any case) goes to *out;
 * want is the name (want_len bytes, lower-case letters) and '=' (name_at()
 * rules).
 */
static inline __attribute__((always_inline)) const char *
scan_params(const char *p, const char *bend, const char *want, size_t want_len,
	    struct sip_str *out)
{
	for (;;) {
		const char *name, *name_end, *val, *val_end;

		p = lws(p, bend);
		if (*p != ';')
			return eol(p) || *p == ',' ? p : NULL;
		name = lws(p + 1, bend);
		if ((*name | 0x20) == *want &&
		    (size_t)(bend - name) > want_len &&
		    name_at(name, want, want_len + 1)) {
			/* the one we want, with its '=' right after it */
			val = lws(name + want_len + 1, bend);
			val_end = param_value_end(val, bend);
			if (!val_end || val_end == val)
				return NULL;
			p = val_end;
			if (!out->ptr)
				*out = span(val, val_end);
			continue;
		}
		name_end = token_run(name, bend);
		if (name_end == name)
			return NULL;
		p = name_end;
		val = lws(p, bend);
		if (*val != '=')
			continue;
		val = lws(val + 1, bend);
		val_end = param_value_end(val, bend);
		if (!val_end || val_end == val)
			return NULL;
		p = val_end;
		if (!out->ptr && (size_t)(name_end - name) == want_len &&
		    token_is(name, want, want_len))
			*out = span(val, val_end);
	}
}

/*
 * name-addr or addr-spec at p (RFC 3261 20.10, 25.1): records the URI and
 * returns the byte after it ('>' included), or NULL.
 */
static inline __attribute__((always_inline)) const char *
scan_addr(const char *p, const char *bend, struct sip_uri *uri)
{
	const char *q;

	p = lws(p, bend);
	if (*p == '"') {
		p = skip_quoted(p, bend);
		if (!p)
			return NULL;
		p = lws(p, bend);
	} else if (*p != '<') {
		q = token_run(p, bend);
		if (q == p)
			return NULL;
		if (*q == ':') {
			/* a scheme, so addr-spec: ';' starts header params */
			q = run(p, C_ADDR);
			if (*q == '?')
				return NULL;
			return scan_uri(p, q, bend, false, uri) ? q : NULL;
		}
		/* display-name = *(token LWS); no LWS needed before '<' */
		for (;;) {
			p = lws(q, bend);
			if (*p == '<' || eol(p))
				break;
			q = token_run(p, bend);
			if (q == p)
				return NULL;
		}
	}
	if (*p != '<')
		return NULL;
	q = find_stop_in(p + 1, bend, STOP_URI);
	if (*q != '>' || !scan_uri(p + 1, q, bend, false, uri))
		return NULL;
	return q + 1;
}

/*
 * Reads 1*DIGIT at p. Values past max read as max + 1, so the caller
 * decides between an error and saturation. Returns the end of the digits,
 * which is p when there are none.
 */
static const char *scan_uint(const char *p, const char *end, uint64_t max,
			     uint64_t *n)
{
	uint64_t v = 0;

	for (; p < end && is_digit(*p); p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			v = max + 1;
	}
	*n = v;
	return p;
}

/* delta-seconds spanning exactly [p, end); -1 when it is not one. */
static int64_t delta_seconds(const char *p, const char *end)
{
	uint64_t n;

	if (p == end || scan_uint(p, end, UINT32_MAX, &n) != end)
		return -1;
	return n > UINT32_MAX ? UINT32_MAX : (int64_t)n;
}

/*
 * One via-parm: sent-protocol LWS sent-by *(SEMI via-params). Returns
 * where it ends (',' or the end of the line) or NULL.
 */
static const char *scan_via_parm(const char *p, const char *bend,
				 struct sip_str *sent_by,
				 struct sip_str *branch)
{
	const char *q, *host, *host_end;

	p = lws(p, bend);
	if (bend - p >= 8 && eq8(p, "sip/2.0/")) {
		/* what the loop below makes of it, in one compare */
		p = lws(p + 8, bend);
		q = token_run(p, bend);
		if (q == p)
			return NULL;
		p = q;
	} else {
		for (int part = 0; part < 3; part++) {
			if (part) {
				p = lws(p, bend);
				if (*p != '/')
					return NULL;
				p = lws(p + 1, bend);
			}
			q = token_run(p, bend);
			if (q == p)
				return NULL;
			p = q;
		}
	}
	host = lws(p, bend);
	if (host == p)
		return NULL;
	host_end = scan_host(host, bend, bend);
	if (!host_end)
		return NULL;
	p = host_end;
	q = lws(p, bend);
	if (*q == ':') {
		const char *port = lws(q + 1, bend);

		for (p = port; is_digit(*p); p++)
			;
		if (p == port)
			return NULL;
	}
	*sent_by = span(host, p);
	return scan_params(p, bend, "branch=", 6, branch);
}

/*
 * Via: the top value's sent-by and branch go to msg where *vias (the
 * values counted so far) is 0; *vias counts those read, whatever comes.
 */
const char *sip_field_via(const char *p, const char *bend, struct sip_msg *msg,
			  unsigned *vias)
{
	unsigned n = *vias;

	for (;;) {
		struct sip_str sent_by, branch = {NULL, 0};

		p = scan_via_parm(p, bend, &sent_by, &branch);
		if (!p)
			break;
		if (n == 0) {
			msg->via_sent_by = sent_by;
			msg->via_branch = branch;
		}
		if (n < UINT16_MAX)
			n++;
		if (*p != ',')
			break;
		p++;
	}
	*vias = n;
	return p;
}

/* From or To: one address, then parameters, among them the tag. */
const char *sip_field_party(const char *v, const char *bend,
			    struct sip_uri *uri, struct sip_str *tag)
{
	const char *p = scan_addr(v, bend, uri);

	if (p)
		p = scan_params(p, bend, "tag=", 3, tag);

	return p && *p != ',' ? p : NULL;
}

/*
 * Contact: '*' or addresses; only the first is read, so where a second
 * follows, the end of the line is not known here: *rest says so.
 */
const char *sip_field_contact(const char *v, const char *bend,
			      struct sip_msg *msg, bool *rest)
{
	struct sip_str expires = {NULL, 0};
	const char *p;

	if (*v == '*') {
		p = lws(v + 1, bend);
		if (eol(p)) {
			msg->contact_star = true;
			return p;
		}
	}
	p = scan_addr(v, bend, &msg->contact);
	if (p)
		p = scan_params(p, bend, "expires=", 7, &expires);
	if (!p)
		return NULL;
	if (expires.len)
		msg->contact_expires =
			delta_seconds(expires.ptr, expires.ptr + expires.len);
	*rest = *p == ',';
	return p;
}

bool sip_uri_scan(const char *p, const char *end, const char *bend,
		  bool request_uri, struct sip_uri *uri)
{
	return scan_uri(p, end, bend, request_uri, uri);
}
