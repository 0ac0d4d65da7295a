/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan: the contract is in sip_scan.h.
 *
 * The pass: a vector search finds each line's end (and any NUL or bare CR
 * on the way), the header name picks a handler by its length and first
 * letter, and only the headers the policy needs have their values parsed.
 * Values are parsed inside their logical line, where a CR or LF can only be
 * folding, so both count as whitespace there.
 */
#include "sip_scan.h"

#include <string.h>
/* SIP_SCAN_NO_SIMD builds the portable path, so that tests cover it too */
#if defined(__SSE2__) && !defined(SIP_SCAN_NO_SIMD)
#define SIP_SCAN_SSE2 1
#include <emmintrin.h>
#endif

/* Byte classes, RFC 3261 section 25.1 unless said otherwise. */
enum {
	C_TOKEN = 1 << 0,  /* token */
	C_WORD = 1 << 1,   /* word (Call-ID) */
	C_HOST = 1 << 2,   /* hostname / IPv4address; '_' seen in the wild */
	C_SCHEME = 1 << 3, /* scheme, after its first letter */
	C_LWS = 1 << 4,	   /* SP HTAB, and CR LF as folding */
	C_URI = 1 << 5,	   /* a URI between < and > */
	C_ADDR = 1 << 6,   /* a URI in addr-spec form: no ; , ? (20.10) */
	C_PVAL = 1 << 7,   /* unquoted parameter value: token / host */
};

#define CL_ALNUM                                                               \
	(C_TOKEN | C_WORD | C_HOST | C_SCHEME | C_URI | C_ADDR | C_PVAL)
#define CL_MARK (C_TOKEN | C_WORD | C_URI | C_ADDR | C_PVAL)

static const uint8_t cls[256] = {
	['0' ... '9'] = CL_ALNUM,
	['A' ... 'Z'] = CL_ALNUM,
	['a' ... 'z'] = CL_ALNUM,
	['-'] = CL_ALNUM,
	['.'] = CL_ALNUM,
	['_'] = CL_MARK | C_HOST,
	['+'] = CL_MARK | C_SCHEME,
	['!'] = CL_MARK,
	['%'] = CL_MARK,
	['*'] = CL_MARK,
	['`'] = CL_MARK,
	['\''] = CL_MARK,
	['~'] = CL_MARK,
	[':'] = C_WORD | C_URI | C_ADDR | C_PVAL,
	['['] = C_WORD | C_URI | C_ADDR | C_PVAL,
	[']'] = C_WORD | C_URI | C_ADDR | C_PVAL,
	['('] = C_WORD | C_URI | C_ADDR,
	[')'] = C_WORD | C_URI | C_ADDR,
	['\\'] = C_WORD | C_URI | C_ADDR,
	['/'] = C_WORD | C_URI | C_ADDR,
	['{'] = C_WORD | C_URI | C_ADDR,
	['}'] = C_WORD | C_URI | C_ADDR,
	['?'] = C_WORD | C_URI,
	['<'] = C_WORD,
	['>'] = C_WORD,
	['"'] = C_WORD,
	[';'] = C_URI,
	[','] = C_URI,
	['@'] = C_URI | C_ADDR,
	['#'] = C_URI | C_ADDR,
	['$'] = C_URI | C_ADDR,
	['&'] = C_URI | C_ADDR,
	['='] = C_URI | C_ADDR,
	['^'] = C_URI | C_ADDR,
	['|'] = C_URI | C_ADDR,
	[' '] = C_LWS,
	['\t'] = C_LWS,
	['\r'] = C_LWS,
	['\n'] = C_LWS,
};

static inline bool is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

static inline bool is_alpha(char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}

static inline bool is_hex(char c)
{
	return is_digit(c) || (unsigned char)((c | 0x20) - 'a') < 6;
}

static inline char to_lower(char c)
{
	return (unsigned char)(c - 'A') < 26 ? c | 0x20 : c;
}

/* a (any case) equals the lower-case literal lit over n bytes */
static inline bool ieq(const char *a, const char *lit, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (to_lower(a[i]) != lit[i])
			return false;
	return true;
}

static inline uint32_t load4(const char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t load8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * ieq() for a token of 2 to 16 bytes against a literal of letters and
 * '-', a word at a time. Setting bit 5 folds case; among token bytes only
 * letters and '_' (to DEL) change under it, so nothing else can pass for a
 * letter or '-'. URI scheme bytes are token bytes too.
 */
static inline bool token_is(const char *tok, const char *lit, size_t n)
{
	if (n >= 8)
		return (load8(tok) | 0x2020202020202020ull) == load8(lit) &&
		       (load8(tok + n - 8) | 0x2020202020202020ull) ==
			       load8(lit + n - 8);
	if (n >= 4)
		return (load4(tok) | 0x20202020u) == load4(lit) &&
		       (load4(tok + n - 4) | 0x20202020u) == load4(lit + n - 4);
	return (tok[0] | 0x20) == lit[0] && (tok[1] | 0x20) == lit[1] &&
	       (n == 2 || (tok[2] | 0x20) == lit[2]);
}

/* The scanner's inner loop: bounded, unrolled. */
static inline const char *skip_cls(const char *p, const char *end, uint8_t mask)
{
	for (; end - p >= 4; p += 4) {
		if (!(cls[(unsigned char)p[0]] & mask))
			return p;
		if (!(cls[(unsigned char)p[1]] & mask))
			return p + 1;
		if (!(cls[(unsigned char)p[2]] & mask))
			return p + 2;
		if (!(cls[(unsigned char)p[3]] & mask))
			return p + 3;
	}
	while (p < end && (cls[(unsigned char)*p] & mask))
		p++;
	return p;
}

/* LWS runs are short: no unrolling */
static inline const char *skip_lws(const char *p, const char *end)
{
	while (p < end && (cls[(unsigned char)*p] & C_LWS))
		p++;
	return p;
}

static inline const char *trim_lws_back(const char *start, const char *end)
{
	while (end > start && (cls[(unsigned char)end[-1]] & C_LWS))
		end--;
	return end;
}

static inline struct sip_str span(const char *from, const char *to)
{
	return (struct sip_str){from, (uint32_t)(to - from)};
}

/* Byte sets that long runs are searched for, 16 bytes at a time. */
enum stop_set {
	STOP_LINE,   /* CR LF NUL: a line's end, or an error */
	STOP_URI,    /* not C_URI: the end of a URI between < and > */
	STOP_QUOTED, /* '"' '\\' CTL DEL: what a quoted-string must look at */
};

static inline bool is_stop(unsigned char c, enum stop_set set)
{
	switch (set) {
	case STOP_LINE:
		return c == '\r' || c == '\n' || c == '\0';
	case STOP_URI:
		return !(cls[c] & C_URI);
	case STOP_QUOTED:
		return c < 0x20 || c == 0x7f || c == '"' || c == '\\';
	}
	return true;
}

#ifdef SIP_SCAN_SSE2
static inline __m128i lanes_eq(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

static inline __m128i lanes_or(__m128i a, __m128i b)
{
	return _mm_or_si128(a, b);
}

/* The lanes of v that is_stop() would stop at. */
static inline __m128i stop_lanes(__m128i v, enum stop_set set)
{
	__m128i low;

	switch (set) {
	case STOP_LINE:
		return lanes_or(lanes_or(lanes_eq(v, '\r'), lanes_eq(v, '\n')),
				lanes_eq(v, '\0'));
	case STOP_URI:
		/* signed, so bytes >= 0x80 count as below '!' with CTL, SP */
		low = _mm_cmplt_epi8(v, _mm_set1_epi8('!'));
		return lanes_or(
			lanes_or(low, lanes_eq(v, 0x7f)),
			lanes_or(lanes_eq(v, '"'),
				 lanes_or(lanes_eq(v, '<'), lanes_eq(v, '>'))));
	case STOP_QUOTED:
		/* unsigned v <= 0x1f, i.e. CTL */
		low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
		return lanes_or(lanes_or(low, lanes_eq(v, 0x7f)),
				lanes_or(lanes_eq(v, '"'), lanes_eq(v, '\\')));
	}
	return _mm_set1_epi8(-1);
}
#endif

/* First byte of `set` in [p, end), or end; p may lie past end. */
static inline const char *find_stop(const char *p, const char *end,
				    enum stop_set set)
{
#ifdef SIP_SCAN_SSE2
	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		unsigned hits = (unsigned)_mm_movemask_epi8(stop_lanes(v, set));

		if (hits)
			return p + __builtin_ctz(hits);
	}
#endif
	for (; p < end; p++)
		if (is_stop((unsigned char)*p, set))
			return p;
	return p;
}

struct line {
	const char *end;  /* the CR or LF that ends the logical line */
	const char *next; /* the byte after its line terminator; may be end */
};

/*
 * Finds the end of the line at p. With `fold`, a line that follows and
 * begins with SP or HTAB continues it. A NUL or a CR without LF is `bad`;
 * no line end before the buffer's end is TRUNCATED. When ln->next equals
 * end, whether a folded line would have followed is unknown to it.
 */
static enum sip_scan_result find_line(const char *p, const char *end, bool fold,
				      enum sip_scan_result bad, struct line *ln)
{
	const char *limit =
		end - p > SIP_SCAN_MAX_LINE ? p + SIP_SCAN_MAX_LINE + 1 : end;
	const char *q = p;

	for (;;) {
		const char *term;

		q = find_stop(q, limit, STOP_LINE);
		if (q >= limit)
			return q - p > SIP_SCAN_MAX_LINE
				       ? SIP_SCAN_LINE_TOO_LONG
				       : SIP_SCAN_TRUNCATED;
		if (*q == '\0')
			return bad;
		term = q;
		if (*q == '\r') {
			if (q + 1 == end)
				return SIP_SCAN_TRUNCATED;
			if (q[1] != '\n')
				return bad;
			q++;
		}
		q++;
		if (!fold || q == end || (*q != ' ' && *q != '\t')) {
			ln->end = term;
			ln->next = q;
			return SIP_SCAN_OK;
		}
	}
}

/* Header names: one id serves the scanner's dispatch and compact letters. */
enum header_id {
	H_OTHER = 0,
	H_CALL_ID,
	H_CONTACT,
	H_CONTENT_ENCODING,
	H_CONTENT_LENGTH,
	H_CONTENT_TYPE,
	H_CSEQ,
	H_EXPIRES,
	H_FROM,
	H_SUBJECT,
	H_SUPPORTED,
	H_TO,
	H_USER_AGENT,
	H_VIA,
};

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
static enum header_id header_id(const char *n, size_t len)
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
	/* header_id() folds case as only tokens allow */
	if (!len || skip_cls(name, name + len, C_TOKEN) != name + len)
		return 0;
	return compact_of[header_id(name, len)];
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

/* "quoted-string" at p (on the opening quote); returns past its end. */
static const char *skip_quoted(const char *p, const char *end)
{
	for (p++;; p++) {
		p = find_stop(p, end, STOP_QUOTED);
		if (p == end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			/* quoted-pair: anything but CR and LF */
			if (++p == end || *p == '\r' || *p == '\n')
				return NULL;
		} else if (!(cls[(unsigned char)*p] & C_LWS)) {
			return NULL; /* CTL or DEL; HTAB and folding are LWS */
		}
	}
}

/* host (hostname, IPv4address or IPv6reference) at p; returns its end. */
static const char *scan_host(const char *p, const char *end)
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
	q = skip_cls(p, end, C_HOST);
	return q == p ? NULL : q;
}

/*
 * The URI spanning exactly [p, end). A Request-URI may not carry headers
 * (RFC 3261 19.1.1, RFC 4475 3.1.2.11).
 */
static bool scan_uri(const char *p, const char *end, bool request_uri,
		     struct sip_uri *uri)
{
	const char *s, *rest, *host, *h, *at;
	size_t slen;

	if (p == end || !is_alpha(*p))
		return false;
	s = skip_cls(p + 1, end, C_SCHEME);
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
	host = rest;
	at = memchr(rest, '@', (size_t)(end - rest));
	if (at) {
		const char *colon = memchr(rest, ':', (size_t)(at - rest));

		uri->user = span(rest, colon ? colon : at);
		if (!uri->user.len)
			return false;
		host = at + 1;
	}
	h = scan_host(host, end);
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

/*
 * Walks `*( SEMI name [ EQUAL value ] )` from p up to the first ',' or le;
 * returns where it stopped, or NULL on a grammar error. The value of the
 * first parameter named `want` (any case) goes to *out.
 */
static const char *scan_params(const char *p, const char *le, const char *want,
			       size_t want_len, struct sip_str *out)
{
	for (;;) {
		const char *name, *name_end, *val = NULL, *val_end = NULL;

		p = skip_lws(p, le);
		if (p == le || *p == ',')
			return p;
		if (*p != ';')
			return NULL;
		name = skip_lws(p + 1, le);
		name_end = skip_cls(name, le, C_TOKEN);
		if (name_end == name)
			return NULL;
		p = name_end;
		val = skip_lws(p, le);
		if (val < le && *val == '=') {
			val = skip_lws(val + 1, le);
			if (val < le && *val == '"')
				val_end = skip_quoted(val, le);
			else
				val_end = skip_cls(val, le, C_PVAL);
			if (!val_end || val_end == val)
				return NULL;
			p = val_end;
		}
		if (val_end && !out->ptr &&
		    (size_t)(name_end - name) == want_len &&
		    token_is(name, want, want_len))
			*out = span(val, val_end);
	}
}

/*
 * name-addr or addr-spec at p (RFC 3261 20.10, 25.1): records the URI and
 * returns the byte after it ('>' included), or NULL.
 */
static const char *scan_addr(const char *p, const char *le, struct sip_uri *uri)
{
	const char *q;

	p = skip_lws(p, le);
	if (p == le)
		return NULL;
	if (*p == '"') {
		p = skip_quoted(p, le);
		if (!p)
			return NULL;
		p = skip_lws(p, le);
	} else if (*p != '<') {
		q = skip_cls(p, le, C_TOKEN);
		if (q == p)
			return NULL;
		if (q < le && *q == ':') {
			/* a scheme, so addr-spec: ';' starts header params */
			q = skip_cls(p, le, C_ADDR);
			if (q < le && *q == '?')
				return NULL;
			return scan_uri(p, q, false, uri) ? q : NULL;
		}
		/* display-name = *(token LWS); no LWS needed before '<' */
		for (;;) {
			p = skip_lws(q, le);
			if (p == le || *p == '<')
				break;
			q = skip_cls(p, le, C_TOKEN);
			if (q == p)
				return NULL;
		}
	}
	if (p == le || *p != '<')
		return NULL;
	q = find_stop(p + 1, le, STOP_URI);
	if (q == le || *q != '>' || !scan_uri(p + 1, q, false, uri))
		return NULL;
	return q + 1;
}

/*
 * One via-parm: sent-protocol LWS sent-by *(SEMI via-params). Returns
 * where it ends (',' or le) or NULL.
 */
static const char *scan_via_parm(const char *p, const char *le,
				 struct sip_str *sent_by,
				 struct sip_str *branch)
{
	const char *q, *host, *host_end;

	p = skip_lws(p, le);
	for (int part = 0; part < 3; part++) {
		if (part) {
			p = skip_lws(p, le);
			if (p == le || *p != '/')
				return NULL;
			p = skip_lws(p + 1, le);
		}
		q = skip_cls(p, le, C_TOKEN);
		if (q == p)
			return NULL;
		p = q;
	}
	host = skip_lws(p, le);
	if (host == p)
		return NULL;
	host_end = scan_host(host, le);
	if (!host_end)
		return NULL;
	p = host_end;
	q = skip_lws(p, le);
	if (q < le && *q == ':') {
		const char *port = skip_lws(q + 1, le);

		p = port;
		while (p < le && is_digit(*p))
			p++;
		if (p == port)
			return NULL;
	}
	*sent_by = span(host, p);
	return scan_params(p, le, "branch", 6, branch);
}

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

static enum sip_scan_result scan_via(const char *v, const char *le,
				     struct sip_msg *msg)
{
	const char *p = v;

	for (;;) {
		struct sip_str sent_by, branch = {NULL, 0};

		p = scan_via_parm(p, le, &sent_by, &branch);
		if (!p)
			return SIP_SCAN_BAD_HEADER;
		if (msg->via_count == 0) {
			msg->via_sent_by = sent_by;
			msg->via_branch = branch;
		}
		if (msg->via_count < UINT16_MAX)
			msg->via_count++;
		if (p == le)
			return SIP_SCAN_OK;
		p++; /* the comma */
	}
}

/* From or To: one address, then parameters, among them the tag. */
static enum sip_scan_result scan_party(const char *v, const char *le,
				       struct sip_uri *uri, struct sip_str *tag)
{
	const char *p = scan_addr(v, le, uri);

	if (p)
		p = scan_params(p, le, "tag", 3, tag);
	return p == le ? SIP_SCAN_OK : SIP_SCAN_BAD_HEADER;
}

/* Contact: '*' or addresses; only the first is read. */
static enum sip_scan_result scan_contact(const char *v, const char *ve,
					 const char *le, struct sip_msg *msg)
{
	struct sip_str expires = {NULL, 0};
	const char *p;

	if (ve - v == 1 && *v == '*') {
		msg->contact_star = true;
		return SIP_SCAN_OK;
	}
	p = scan_addr(v, le, &msg->contact);
	if (p)
		p = scan_params(p, le, "expires", 7, &expires);
	if (!p)
		return SIP_SCAN_BAD_HEADER;
	if (expires.len)
		msg->contact_expires =
			delta_seconds(expires.ptr, expires.ptr + expires.len);
	return SIP_SCAN_OK;
}

/* CSeq = 1*DIGIT LWS Method (RFC 3261 20.16, 8.1.1.5). */
static enum sip_scan_result scan_cseq(const char *v, const char *le,
				      struct sip_msg *msg)
{
	const char *p, *m;
	uint64_t n;

	p = scan_uint(v, le, INT32_MAX, &n);
	if (p == v || n > INT32_MAX)
		return SIP_SCAN_BAD_CSEQ;
	m = skip_lws(p, le);
	if (m == p)
		return SIP_SCAN_BAD_CSEQ;
	p = skip_cls(m, le, C_TOKEN);
	if (p == m || skip_lws(p, le) != le)
		return SIP_SCAN_BAD_CSEQ;
	msg->cseq = (uint32_t)n;
	msg->cseq_method_str = span(m, p);
	if (msg->is_request && msg->method_str.len == (size_t)(p - m) &&
	    memcmp(m, msg->method_str.ptr, msg->method_str.len) == 0) {
		msg->cseq_method = msg->method;
		return SIP_SCAN_OK;
	}
	msg->cseq_method = sip_method_from_token(m, (size_t)(p - m));
	return msg->is_request ? SIP_SCAN_CSEQ_MISMATCH : SIP_SCAN_OK;
}

/* Call-ID = word [ "@" word ] */
static enum sip_scan_result scan_call_id(const char *v, const char *le,
					 struct sip_msg *msg)
{
	const char *p = skip_cls(v, le, C_WORD);

	if (p == v)
		return SIP_SCAN_BAD_HEADER;
	if (p < le && *p == '@') {
		const char *host = p + 1;

		p = skip_cls(host, le, C_WORD);
		if (p == host)
			return SIP_SCAN_BAD_HEADER;
	}
	if (skip_lws(p, le) != le)
		return SIP_SCAN_BAD_HEADER;
	msg->call_id = span(v, p);
	return SIP_SCAN_OK;
}

static enum sip_scan_result scan_content_length(const char *v, const char *ve,
						struct sip_msg *msg)
{
	uint64_t n;

	if (v == ve || scan_uint(v, ve, UINT32_MAX, &n) != ve || n > UINT32_MAX)
		return SIP_SCAN_BAD_CONTENT_LENGTH;
	msg->content_length = (int64_t)n;
	return SIP_SCAN_OK;
}

/* Marks `bit` seen; true if it was already. */
static inline bool seen_before(unsigned *seen, unsigned bit)
{
	bool before = *seen & bit;

	*seen |= bit;
	return before;
}

static enum sip_scan_result scan_header(const char *p, const char *le,
					unsigned *seen, struct sip_msg *msg)
{
	const char *name_end, *v, *ve;

	if (!split_header(p, le, &name_end, &v, &ve))
		return SIP_SCAN_BAD_HEADER;

	switch (header_id(p, (size_t)(name_end - p))) {
	case H_VIA:
		*seen |= SEEN_VIA;
		return scan_via(v, le, msg);
	case H_FROM:
		if (seen_before(seen, SEEN_FROM))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_party(v, le, &msg->from, &msg->from_tag);
	case H_TO:
		if (seen_before(seen, SEEN_TO))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_party(v, le, &msg->to, &msg->to_tag);
	case H_CALL_ID:
		if (seen_before(seen, SEEN_CALL_ID))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_call_id(v, le, msg);
	case H_CSEQ:
		if (seen_before(seen, SEEN_CSEQ))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_cseq(v, le, msg);
	case H_CONTENT_LENGTH:
		if (seen_before(seen, SEEN_CONTENT_LENGTH))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_content_length(v, ve, msg);
	case H_CONTACT:
		if (seen_before(seen, SEEN_CONTACT))
			return SIP_SCAN_OK;
		return scan_contact(v, ve, le, msg);
	case H_EXPIRES:
		if (!seen_before(seen, SEEN_EXPIRES))
			msg->expires = delta_seconds(v, ve);
		return SIP_SCAN_OK;
	case H_USER_AGENT:
		if (!seen_before(seen, SEEN_USER_AGENT))
			msg->user_agent = span(v, ve);
		return SIP_SCAN_OK;
	default:
		return SIP_SCAN_OK;
	}
}

/* "SIP/2.0" in any case; another SIP/x is a version we do not speak. */
static enum sip_scan_result check_version(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n == 7 && ieq(p, "sip/2.0", 7))
		return SIP_SCAN_OK;
	return n >= 4 && ieq(p, "sip/", 4) ? SIP_SCAN_BAD_VERSION
					   : SIP_SCAN_BAD_START_LINE;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
static enum sip_scan_result scan_status_line(const char *p, const char *le,
					     struct sip_msg *msg)
{
	const char *sp = memchr(p, ' ', (size_t)(le - p));
	enum sip_scan_result r;
	const char *s;
	unsigned code;

	if (!sp)
		return SIP_SCAN_BAD_START_LINE;
	r = check_version(p, sp);
	if (r != SIP_SCAN_OK)
		return r;
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
					      struct sip_msg *msg)
{
	const char *m = skip_cls(p, le, C_TOKEN);
	const char *uri, *sp;

	if (m == p || m == le || *m != ' ')
		return SIP_SCAN_BAD_START_LINE;
	msg->is_request = true;
	msg->method_str = span(p, m);
	msg->method = sip_method_from_token(p, (size_t)(m - p));
	uri = m + 1;
	sp = memrchr(uri, ' ', (size_t)(le - uri));
	if (!sp || sp == uri || sp + 1 == le || *uri == ' ' || sp[-1] == ' ')
		return SIP_SCAN_BAD_START_LINE;
	if (find_stop(uri, sp, STOP_URI) != sp ||
	    !scan_uri(uri, sp, true, &msg->ruri))
		return SIP_SCAN_BAD_URI;
	return check_version(sp + 1, le);
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

enum sip_scan_result sip_scan(const char *buf, size_t len, struct sip_msg *msg)
{
	const char *end = buf + len;
	const char *p;
	enum sip_scan_result r;
	unsigned seen = 0;
	struct line ln;

	memset(msg, 0, sizeof(*msg));
	msg->contact_expires = -1;
	msg->expires = -1;
	msg->content_length = -1;

	p = skip_lws(buf, end);
	if (p == end)
		return SIP_SCAN_EMPTY;
	if (p != buf && p[-1] != '\n')
		return SIP_SCAN_BAD_START_LINE;
	r = find_line(p, end, false, SIP_SCAN_BAD_START_LINE, &ln);
	if (r != SIP_SCAN_OK)
		return r;
	if (ln.next == end)
		return SIP_SCAN_TRUNCATED;
	if (ln.end - p >= 4 && ieq(p, "sip/", 4))
		r = scan_status_line(p, ln.end, msg);
	else
		r = scan_request_line(p, ln.end, msg);
	if (r != SIP_SCAN_OK)
		return r;

	for (p = ln.next;; p = ln.next) {
		if (*p == '\n')
			return finish(buf, len, p + 1, seen, msg);
		if (*p == '\r') {
			if (p + 1 == end)
				return SIP_SCAN_TRUNCATED;
			if (p[1] != '\n')
				return SIP_SCAN_BAD_HEADER;
			return finish(buf, len, p + 2, seen, msg);
		}
		if (msg->header_count == SIP_SCAN_MAX_HEADERS)
			return SIP_SCAN_TOO_MANY_HEADERS;
		r = find_line(p, end, true, SIP_SCAN_BAD_HEADER, &ln);
		if (r != SIP_SCAN_OK)
			return r;
		/* no room left for the empty line, or for a folded line */
		if (ln.next == end)
			return SIP_SCAN_TRUNCATED;
		msg->header_count++;
		r = scan_header(p, ln.end, &seen, msg);
		if (r != SIP_SCAN_OK)
			return r;
	}
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
	    find_line(p, it->end, true, SIP_SCAN_BAD_HEADER, &ln) !=
		    SIP_SCAN_OK ||
	    !split_header(p, ln.end, &name_end, &v, &ve)) {
		it->pos = it->end;
		return false;
	}
	hdr->line = span(p, ln.end);
	hdr->name = span(p, name_end);
	hdr->value = span(v, ve);
	hdr->compact = compact_of[header_id(p, (size_t)(name_end - p))];
	it->pos = ln.next;
	return true;
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
	if (!len)
		return SIP_METHOD_UNKNOWN;
	for (int m = SIP_METHOD_UNKNOWN + 1; m < SIP_METHOD_MAX; m++) {
		const char *name = method_names[m];

		if (name[0] == p[0] && strlen(name) == len &&
		    memcmp(name, p, len) == 0)
			return (enum sip_method)m;
	}
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
