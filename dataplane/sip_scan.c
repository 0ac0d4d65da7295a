/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan: the contract is in sip_scan.h.
 *
 * The pass, line by line: a header's name picks a handler by its first
 * letter and a masked word compare, so a name the policy does not read
 * costs its token check, the colon and the search for the line's end, and
 * only the headers the policy needs have their values parsed. The value
 * parsers go byte class by byte class, 16 bytes a step where runs are long
 * (SSE4.2 string compares), and find the end of the line themselves: a CR
 * or LF that is not folding. So where the buffer ends in LF, which stops
 * every search before the buffer's end, a header is read before its line
 * is looked for, and the line search is skipped when the value ends on the
 * line's CRLF; anything else is done again in the contract's order
 * (scan_headers()). Elsewhere find_line() comes first, and the CR or LF at
 * the line's end stops the parsers.
 */
#include "sip_scan.h"

#include <string.h>

/*
 * The vector path is for x86-64 with SSE4.2 (its string compares find the
 * first byte outside a set of byte ranges in one instruction). The
 * dataplane has it anyway: DPDK builds it with -march=corei7. This library
 * is built without DPDK's flags, so the scanner asks for SSE4.2 itself.
 * SIP_SCAN_NO_SIMD builds the portable path instead (for other CPUs), which
 * the tests cover too.
 */
#if defined(__x86_64__) && !defined(SIP_SCAN_NO_SIMD)
#define SIP_SCAN_SIMD 1
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("sse4.2"))),                \
			     apply_to = function)
#define SIP_SCAN_TARGET_PUSHED 1
#elif !defined(__SSE4_2__)
#pragma GCC target("sse4.2")
#endif
#include <nmmintrin.h>
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

static inline uint16_t load2(const char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
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
 * A token of 2 to 16 bytes equals a literal of lower-case letters and
 * '-' in any case, a word at a time. Setting bit 5 folds case; among token
 * bytes only letters and '_' (to DEL) change under it, so nothing else can pass
 * for a letter or '-'. URI scheme bytes are token bytes too.
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

/*
 * Literal compares a word at a time where the literal holds lower-case
 * letters and bytes below 0x40 ('-', '/', digits, '.'): letters fold case
 * (bit 5, whose only other preimage is the upper-case letter), the rest
 * must match exactly, so no prior token check is needed. The literal must
 * be readable for the whole word (a string literal of 8 or 4 bytes with
 * its NUL will do).
 */
static inline bool eq8(const char *p, const char *lit)
{
	uint64_t l = load8(lit);

	return (load8(p) | ((l & 0x4040404040404040ull) >> 1)) == l;
}

static inline bool eq4(const char *p, const char *lit)
{
	uint32_t l = load4(lit);

	return (load4(p) | ((l & 0x40404040u) >> 1)) == l;
}

/* p[0..n) is lit (eq8 rules), n in 3..16; reads p[0..max(n, 4)) */
static inline bool name_at(const char *p, const char *lit, size_t n)
{
	if (n >= 8)
		return eq8(p, lit) && eq8(p + n - 8, lit + n - 8);
	if (n >= 4)
		return eq4(p, lit) && eq4(p + n - 4, lit + n - 4);
	/* n == 3: the fourth byte is read and ignored */
	return ((load4(p) | ((load4(lit) & 0x404040u) >> 1)) & 0xffffffu) ==
	       (load4(lit) & 0xffffffu);
}

static inline bool is_token(char c)
{
	return cls[(unsigned char)c] & C_TOKEN;
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

/*
 * skip_cls() without a bound, for runs that stop on their own: inside a
 * header line, whose CR or LF is in no class but C_LWS, or inside a URI
 * whose end byte is not in mask. A byte is read only after the one before
 * it matched, so the run never reads past the byte that stops it.
 */
static inline const char *run(const char *p, uint8_t mask)
{
	for (;; p += 4) {
		if (!(cls[(unsigned char)p[0]] & mask))
			return p;
		if (!(cls[(unsigned char)p[1]] & mask))
			return p + 1;
		if (!(cls[(unsigned char)p[2]] & mask))
			return p + 2;
		if (!(cls[(unsigned char)p[3]] & mask))
			return p + 3;
	}
}

/* LWS runs are short: no unrolling */
static inline const char *skip_lws(const char *p, const char *end)
{
	while (p < end && (cls[(unsigned char)*p] & C_LWS))
		p++;
	return p;
}

/*
 * p at a CR or LF: if a line that begins with SP or HTAB follows (folding),
 * that SP or HTAB; else NULL. bend is the end of the buffer.
 */
static inline const char *fold_end(const char *p, const char *bend)
{
	if (*p == '\r') {
		if (bend - p < 2 || p[1] != '\n')
			return NULL;
		p++;
	}
	if (bend - p < 2 || (p[1] != ' ' && p[1] != '\t'))
		return NULL;
	return p + 1;
}

static __attribute__((noinline)) const char *lws_slow(const char *p,
						      const char *bend)
{
	for (;;) {
		const char *f;

		if (*p == ' ' || *p == '\t')
			p++;
		else if ((*p == '\r' || *p == '\n') && (f = fold_end(p, bend)))
			p = f;
		else
			return p;
	}
}

/*
 * LWS at p inside a header line, which needs no bound but the buffer's
 * end bend: a CR or LF in it is a fold, or else the line's end (eol()).
 * Inside a line that find_line() returned (le) this is skip_lws(p, le),
 * since a CR or LF before le is always a fold and the one at le never is.
 * The buffer holds a byte that stops it before bend (see sip_scan()).
 */
static inline const char *lws(const char *p, const char *bend)
{
	if ((unsigned char)*p > ' ')
		return p;
	/* one SP, then the next token */
	if (*p == ' ' && (unsigned char)p[1] > ' ')
		return p + 1;
	/* the CRLF that ends the line: no SP or HTAB after it */
	if (*p == '\r' && bend - p > 2 && p[1] == '\n' && p[2] != ' ' &&
	    p[2] != '\t')
		return p;
	return lws_slow(p, bend);
}

/* After lws(): at the end of the line (le, where it is known). */
static inline bool eol(const char *p)
{
	return *p == '\r' || *p == '\n';
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

#ifdef SIP_SCAN_SIMD
/*
 * Byte sets for _mm_cmpistri(): up to 8 ranges of bytes, as pairs of
 * bounds; the first byte outside them, or a NUL (which is outside every
 * set here), stops a search.
 */
#define RANGES(...) _mm_setr_epi8(__VA_ARGS__)
/* C_HOST: letters, digits, '-', '.', '_' */
#define SET_HOST                                                               \
	RANGES('a', 'z', 'A', 'Z', '0', '9', '-', '.', '_', '_', 0, 0, 0, 0,   \
	       0, 0)
/* C_TOKEN but '~', which the byte loop after it takes ("_`a-z" is one) */
#define SET_TOKEN                                                              \
	RANGES('_', 'z', 'A', 'Z', '0', '9', '-', '.', '!', '!', '%', '%',     \
	       '\'', '\'', '*', '+')
/* C_URI: all but CTL, SP, DEL, '"', '<', '>' and bytes >= 0x80 */
#define SET_URI                                                                \
	RANGES('!', '!', '#', ';', '=', '=', '?', '~', 0, 0, 0, 0, 0, 0, 0, 0)
/* all but CR, LF (and NUL): what a line's end is looked for past */
#define SET_LINE                                                               \
	RANGES(1, '\t', '\v', '\f', 0x0e, (char)0xff, 0, 0, 0, 0, 0, 0, 0, 0,  \
	       0, 0)
/* what a quoted-string reads on over: not CTL, DEL, '"', '\\' */
#define SET_QUOTED                                                             \
	RANGES(' ', '!', '#', '[', ']', '~', (char)0x80, (char)0xff, 0, 0, 0,  \
	       0, 0, 0, 0, 0)

/* The lanes of v that hold c */
static inline __m128i lanes_eq(__m128i v, char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

/* The index of the first byte of p[0..16) outside set, or 16. */
static inline int outside(__m128i set, const char *p)
{
	return _mm_cmpistri(set, _mm_loadu_si128((const __m128i *)p),
			    _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES |
				    _SIDD_NEGATIVE_POLARITY |
				    _SIDD_LEAST_SIGNIFICANT);
}

/*
 * The first byte at or after p outside set, 16 bytes at a time while they
 * lie in the buffer (bend is its end), or NULL where no such byte is found
 * before the last 16 bytes of the buffer: then *p is where a byte loop is
 * to go on.
 */
static inline const char *skip_set(const char **p, const char *bend,
				   __m128i set)
{
	for (; bend - *p >= 16; *p += 16) {
		int i = outside(set, *p);

		if (i < 16)
			return *p + i;
	}
	return NULL;
}
#endif

#ifdef SIP_SCAN_SIMD
/* The bytes that do not stop a search for `set` */
static inline __m128i go_on(enum stop_set set)
{
	switch (set) {
	case STOP_LINE:
		return SET_LINE;
	case STOP_URI:
		return SET_URI;
	case STOP_QUOTED:
		return SET_QUOTED;
	}
	return _mm_setzero_si128();
}
#endif

/* First byte of `set` in [p, end), or end; p may lie past end. */
static inline const char *find_stop(const char *p, const char *end,
				    enum stop_set set)
{
#ifdef SIP_SCAN_SIMD
	for (; end - p >= 16; p += 16) {
		int i = outside(go_on(set), p);

		if (i < 16)
			return p + i;
	}
#endif
	for (; p < end; p++)
		if (is_stop((unsigned char)*p, set))
			return p;
	return p;
}

/*
 * find_stop() for a search that is sure to stop before the buffer's end
 * bend (on a line's CR or LF, or the SP that ends a Request-URI), so that
 * neither the 16-byte steps nor the byte loop need another bound.
 */
static inline const char *find_stop_in(const char *p, const char *bend,
				       enum stop_set set)
{
#ifdef SIP_SCAN_SIMD
	const char *q = skip_set(&p, bend, go_on(set));

	if (q)
		return q;
#else
	(void)bend;
#endif
	while (!is_stop((unsigned char)*p, set))
		p++;
	return p;
}

/*
 * run(p, C_HOST), 16 bytes at a time while they lie in the buffer (bend is
 * its end). Where a class holds C_HOST (a word, a parameter value),
 * run(host_run(p, bend), class) gives run(p, class) in fewer steps.
 */
static inline const char *host_run(const char *p, const char *bend)
{
#ifdef SIP_SCAN_SIMD
	const char *q = skip_set(&p, bend, SET_HOST);

	if (q)
		return q;
#else
	(void)bend;
#endif
	return run(p, C_HOST);
}

/* run(p, C_TOKEN), the same way */
static inline const char *token_run(const char *p, const char *bend)
{
#ifdef SIP_SCAN_SIMD
	const char *q = skip_set(&p, bend, SET_TOKEN);

	if (q) {
		if (*q != '~')
			return q;
		p = q;
	}
#else
	(void)bend;
#endif
	return run(p, C_TOKEN);
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

/*
 * find_line() for p < end, with a shortcut for most lines: the first CR,
 * LF or NUL, 16 bytes a step, is a CR within the line bound, then LF and
 * a line that is not a folded one (whatever `fold`).
 */
static inline __attribute__((always_inline)) enum sip_scan_result
next_line(const char *p, const char *end, bool fold, enum sip_scan_result bad,
	  struct line *ln)
{
#ifdef SIP_SCAN_SIMD
	ptrdiff_t n = end - p;

	if (n > SIP_SCAN_MAX_LINE + 3)
		n = SIP_SCAN_MAX_LINE + 3;
	for (ptrdiff_t i = 0; i + 16 <= n; i += 16) {
		int k = outside(SET_LINE, p + i);

		if (k < 16) {
			const char *c = p + i + k;

			if (*c == '\r' && c + 2 - p < n && c[1] == '\n' &&
			    c[2] != ' ' && c[2] != '\t' &&
			    c - p <= SIP_SCAN_MAX_LINE) {
				ln->end = c;
				ln->next = c + 2;
				return SIP_SCAN_OK;
			}
			break;
		}
	}
#endif
	return find_line(p, end, fold, bad, ln);
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

/*
 * The value parsers below read a header value at v up to the end of its
 * line, which they find themselves: a CR or LF that lws() does not take
 * for folding, or a byte no class holds. They need no line bound: a line
 * that find_line() returned ends in such a byte, and sip_scan() runs them
 * on lines it has not looked for the end of only where the buffer ends in
 * LF. Each returns where the value ended (at eol()), NULL on an error.
 */

/* 1*DIGIT, then only LWS to the end of the line (Content-Length, Expires) */
static inline const char *scan_digits(const char *v, const char *bend,
				      uint64_t *n)
{
	const char *d = v;
	uint64_t x = 0;

	for (; is_digit(*d); d++) {
		x = x * 10 + (uint64_t)(*d - '0');
		if (x > UINT32_MAX)
			x = (uint64_t)UINT32_MAX + 1;
	}
	*n = x;
	if (d == v)
		return NULL;
	d = lws(d, bend);
	return eol(d) ? d : NULL;
}

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
			 * a line find_line() returned cannot hold) */
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

/* memchr(p, c, end - p), reading 16 bytes at a time up to bend */
static inline const char *find_byte(const char *p, const char *end,
				    const char *bend, char c)
{
#ifdef SIP_SCAN_SIMD
	for (; p < end && bend - p >= 16; p += 16) {
		unsigned hits = (unsigned)_mm_movemask_epi8(
			lanes_eq(_mm_loadu_si128((const __m128i *)p), c));

		if (hits) {
			const char *q = p + __builtin_ctz(hits);

			return q < end ? q : NULL;
		}
	}
#else
	(void)bend;
#endif
	for (; p < end; p++)
		if (*p == c)
			return p;
	return NULL;
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
			if (*val == '"')
				val_end = skip_quoted(val, bend);
			else
				val_end = run(host_run(val, bend), C_PVAL);
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
		if (*val == '"')
			val_end = skip_quoted(val, bend);
		else
			val_end = run(host_run(val, bend), C_PVAL);
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

/*
 * Via: the top value's sent-by and branch go to msg where *vias (the
 * values counted so far) is 0; *vias counts those read, whatever comes.
 */
static const char *scan_via(const char *p, const char *bend,
			    struct sip_msg *msg, unsigned *vias)
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
static const char *scan_party(const char *v, const char *bend,
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
static const char *scan_contact(const char *v, const char *bend,
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

/* CSeq = 1*DIGIT LWS Method (RFC 3261 20.16, 8.1.1.5). */
static enum sip_scan_result scan_cseq(const char *v, const char *bend,
				      struct sip_msg *msg, const char **e)
{
	const char *p, *m;
	uint64_t n = 0;

	for (p = v; is_digit(*p); p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > INT32_MAX)
			n = (uint64_t)INT32_MAX + 1;
	}
	if (p == v || n > INT32_MAX)
		return SIP_SCAN_BAD_CSEQ;
	m = lws(p, bend);
	if (m == p)
		return SIP_SCAN_BAD_CSEQ;
	p = token_run(m, bend);
	*e = lws(p, bend);
	if (p == m || !eol(*e))
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
static const char *scan_call_id(const char *v, const char *bend,
				struct sip_msg *msg)
{
	const char *p = run(host_run(v, bend), C_WORD), *e;

	if (p == v)
		return NULL;
	if (*p == '@') {
		const char *host = p + 1;

		p = run(host_run(host, bend), C_WORD);
		if (p == host)
			return NULL;
	}
	e = lws(p, bend);
	if (!eol(e))
		return NULL;
	msg->call_id = span(v, p);
	return e;
}

/*
 * The name of the header line at p: its end in *name_end, p when it does
 * not start with a token, and for the headers that sip_scan() reads,
 * their id (header_id() of the name); H_OTHER for all others. The names
 * read are matched a word at a time in any case and must end in a byte
 * that is not a token byte; the rest are checked as tokens.
 */
static inline __attribute__((always_inline)) enum header_id
scan_name(const char *p, const char *bend, const char **name_end)
{
	size_t room = (size_t)(bend - p) - 1; /* p[0..room] is readable */

#define COMPACT(id)                                                            \
	if (!is_token(p[1])) {                                                 \
		*name_end = p + 1;                                             \
		return id;                                                     \
	}
#define NAME(lit, n, id)                                                       \
	if (room >= (n) && name_at(p, lit, n) && !is_token(p[n])) {            \
		*name_end = p + (n);                                           \
		return id;                                                     \
	}
	switch (p[0] | 0x20) {
	case 'v':
		COMPACT(H_VIA);
		NAME("via", 3, H_VIA);
		break;
	case 'f':
		COMPACT(H_FROM);
		NAME("from", 4, H_FROM);
		break;
	case 't':
		COMPACT(H_TO);
		if ((p[1] | 0x20) == 'o' && !is_token(p[2])) {
			*name_end = p + 2;
			return H_TO;
		}
		break;
	case 'i':
		COMPACT(H_CALL_ID);
		break;
	case 'l':
		COMPACT(H_CONTENT_LENGTH);
		break;
	case 'm':
		COMPACT(H_CONTACT);
		break;
	case 'c':
		NAME("call-id", 7, H_CALL_ID);
		NAME("cseq", 4, H_CSEQ);
		NAME("contact", 7, H_CONTACT);
		NAME("content-length", 14, H_CONTENT_LENGTH);
		break;
	case 'e':
		NAME("expires", 7, H_EXPIRES);
		break;
	case 'u':
		NAME("user-agent", 10, H_USER_AGENT);
		break;
	}
#undef COMPACT
#undef NAME
	*name_end = token_run(p, bend);
	return H_OTHER;
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
	c = name_end;
	if (*c != ':') {
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c != ':')
			return SIP_SCAN_BAD_HEADER;
	}
	if (id == H_OTHER)
		return SIP_SCAN_OK;
	v = lws(c + 1, bend);

	switch (id) {
	case H_VIA:
		*seen |= SEEN_VIA;
		vias = msg->via_count;
		e = scan_via(v, bend, msg, &vias);
		msg->via_count = (uint16_t)vias;
		return e ? SIP_SCAN_OK : SIP_SCAN_BAD_HEADER;
	case H_FROM:
		if (seen_before(seen, SEEN_FROM))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_party(v, bend, &msg->from, &msg->from_tag)
			       ? SIP_SCAN_OK
			       : SIP_SCAN_BAD_HEADER;
	case H_TO:
		if (seen_before(seen, SEEN_TO))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_party(v, bend, &msg->to, &msg->to_tag)
			       ? SIP_SCAN_OK
			       : SIP_SCAN_BAD_HEADER;
	case H_CALL_ID:
		if (seen_before(seen, SEEN_CALL_ID))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_call_id(v, bend, msg) ? SIP_SCAN_OK
						  : SIP_SCAN_BAD_HEADER;
	case H_CSEQ:
		if (seen_before(seen, SEEN_CSEQ))
			return SIP_SCAN_DUPLICATE_HEADER;
		return scan_cseq(v, bend, msg, &e);
	case H_CONTENT_LENGTH:
		if (seen_before(seen, SEEN_CONTENT_LENGTH))
			return SIP_SCAN_DUPLICATE_HEADER;
		if (!scan_digits(v, bend, &n) || n > UINT32_MAX)
			return SIP_SCAN_BAD_CONTENT_LENGTH;
		msg->content_length = (int64_t)n;
		return SIP_SCAN_OK;
	case H_CONTACT:
		if (seen_before(seen, SEEN_CONTACT))
			return SIP_SCAN_OK;
		return scan_contact(v, bend, msg, &rest) ? SIP_SCAN_OK
							 : SIP_SCAN_BAD_HEADER;
	case H_EXPIRES:
		if (!seen_before(seen, SEEN_EXPIRES)) {
			e = scan_digits(v, bend, &n);
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
 * find_line() would have found that very end, since the parsers read
 * every byte up to it and take a CR or LF only as folding. Where they do
 * not read the value to its end (headers we do not read, the ones after
 * the first that counts, User-Agent, whose value is trimmed from the
 * line's end), next_line() finds it. Returns the start of the next line,
 * or NULL for everything else, errors included, to be done again in the
 * contract's order (see scan_headers()).
 */
static inline __attribute__((always_inline)) const char *
header_first(const char *p, const char *bend, unsigned *seen,
	     struct sip_msg *msg)
{
	const char *name_end, *c, *v, *e;
	enum header_id id = scan_name(p, bend, &name_end);
	unsigned vias = msg->via_count;
	bool rest = false;
	struct line ln;
	uint64_t n;

	if (name_end == p)
		return NULL;
	c = name_end;
	if (*c != ':') {
		while (*c == ' ' || *c == '\t')
			c++;
		if (*c != ':')
			return NULL;
	}
	if (id == H_OTHER)
		goto line;
	v = lws(c + 1, bend);

	switch (id) {
	case H_VIA:
		*seen |= SEEN_VIA;
		e = scan_via(v, bend, msg, &vias);
		break;
	case H_FROM:
		if (seen_before(seen, SEEN_FROM))
			return NULL;
		e = scan_party(v, bend, &msg->from, &msg->from_tag);
		break;
	case H_TO:
		if (seen_before(seen, SEEN_TO))
			return NULL;
		e = scan_party(v, bend, &msg->to, &msg->to_tag);
		break;
	case H_CALL_ID:
		if (seen_before(seen, SEEN_CALL_ID))
			return NULL;
		e = scan_call_id(v, bend, msg);
		break;
	case H_CSEQ:
		if (seen_before(seen, SEEN_CSEQ) ||
		    scan_cseq(v, bend, msg, &e) != SIP_SCAN_OK)
			return NULL;
		break;
	case H_CONTENT_LENGTH:
		if (seen_before(seen, SEEN_CONTENT_LENGTH))
			return NULL;
		e = scan_digits(v, bend, &n);
		if (!e || n > UINT32_MAX)
			return NULL;
		msg->content_length = (int64_t)n;
		break;
	case H_CONTACT:
		if (seen_before(seen, SEEN_CONTACT))
			goto line;
		e = scan_contact(v, bend, msg, &rest);
		if (!e)
			return NULL;
		if (rest)
			goto line; /* not read to its end */
		break;
	case H_EXPIRES:
		if (seen_before(seen, SEEN_EXPIRES))
			goto line;
		e = scan_digits(v, bend, &n);
		msg->expires = !e		? -1
			       : n > UINT32_MAX ? UINT32_MAX
						: (int64_t)n;
		if (!e)
			goto line; /* not a number, not read to its end */
		break;
	case H_USER_AGENT:
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
 * Undoes what header_first() recorded, for a line find_line() then turned
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
	    !scan_uri(uri, sp, bend, true, &msg->ruri))
		return SIP_SCAN_BAD_URI;
	return version_ok ? SIP_SCAN_OK : check_version(sp + 1, le);
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
 * done again in the order of the contract: find_line() first, then the
 * header, with the same parsers now inside a known line.
 */
static enum sip_scan_result scan_headers(const char *buf, size_t len,
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

enum sip_scan_result sip_scan(const char *buf, size_t len, struct sip_msg *msg)
{
	const char *end = buf + len;
	const char *p;
	enum sip_scan_result r;
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
	return scan_headers(buf, len, ln.next, msg);
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

#ifdef SIP_SCAN_TARGET_PUSHED
#pragma clang attribute pop
#endif
