/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_lex: the scanner's lexical layer (internal to sip_scan*.c).
 *
 * Contract:
 *  - Byte classes of RFC 3261 section 25.1 (sip_cls[], C_* bits), word
 *    compares that fold case, runs of a class, LWS with folding, and the
 *    16-byte searches (SSE4.2 string compares where the compiler targets
 *    SSE4.2, a byte loop otherwise or with SIP_SCAN_NO_SIMD).
 *  - Nothing here reads before its start pointer or past the bound it is
 *    given; the unbounded runs (run(), lws(), find_stop_in()) rely on a
 *    byte that stops them inside the buffer, as each one's comment says.
 *  - Line ends: sip_find_line() and next_line() find the end of a
 *    (possibly folded) line within SIP_SCAN_MAX_LINE, with the errors of
 *    sip_scan.h (bare CR, NUL, truncation, too long).
 */
#ifndef SIPWARDEN_SIP_SCAN_LEX_H
#define SIPWARDEN_SIP_SCAN_LEX_H

#include "sip_scan.h"

#include <string.h>

/*
 * The vector path is for x86-64 with SSE4.2 (its string compares find the
 * first byte outside a set of byte ranges in one instruction). The
 * dataplane has it anyway: DPDK builds it with -march=corei7. The scanner
 * is built without DPDK's flags, so dataplane/meson.build asks for SSE4.2
 * for its files on x86-64. SIP_SCAN_NO_SIMD builds the portable path
 * instead (for other CPUs), which the tests cover too.
 */
#if defined(__SSE4_2__) && !defined(SIP_SCAN_NO_SIMD)
#define SIP_SCAN_SIMD 1
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

/* The class bits of each byte */
extern const uint8_t sip_cls[256];

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
	return sip_cls[(unsigned char)c] & C_TOKEN;
}

/* The scanner's inner loop: bounded, unrolled. */
static inline const char *skip_cls(const char *p, const char *end, uint8_t mask)
{
	for (; end - p >= 4; p += 4) {
		if (!(sip_cls[(unsigned char)p[0]] & mask))
			return p;
		if (!(sip_cls[(unsigned char)p[1]] & mask))
			return p + 1;
		if (!(sip_cls[(unsigned char)p[2]] & mask))
			return p + 2;
		if (!(sip_cls[(unsigned char)p[3]] & mask))
			return p + 3;
	}
	while (p < end && (sip_cls[(unsigned char)*p] & mask))
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
		if (!(sip_cls[(unsigned char)p[0]] & mask))
			return p;
		if (!(sip_cls[(unsigned char)p[1]] & mask))
			return p + 1;
		if (!(sip_cls[(unsigned char)p[2]] & mask))
			return p + 2;
		if (!(sip_cls[(unsigned char)p[3]] & mask))
			return p + 3;
	}
}

/* LWS runs are short: no unrolling */
static inline const char *skip_lws(const char *p, const char *end)
{
	while (p < end && (sip_cls[(unsigned char)*p] & C_LWS))
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

/* lws() past its fast paths: SP, HTAB and folds one by one */
const char *sip_lws_slow(const char *p, const char *bend);

/*
 * LWS at p inside a header line, which needs no bound but the buffer's
 * end bend: a CR or LF in it is a fold, or else the line's end (eol()).
 * Inside a line that sip_find_line() returned (le) this is skip_lws(p, le),
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
	return sip_lws_slow(p, bend);
}

/* After lws(): at the end of the line (le, where it is known). */
static inline bool eol(const char *p)
{
	return *p == '\r' || *p == '\n';
}

static inline const char *trim_lws_back(const char *start, const char *end)
{
	while (end > start && (sip_cls[(unsigned char)end[-1]] & C_LWS))
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
		return !(sip_cls[c] & C_URI);
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
 * Finds the end of the line at p. With `fold`, a line that follows and
 * begins with SP or HTAB continues it. A NUL or a CR without LF is `bad`;
 * no line end before the buffer's end is TRUNCATED. When ln->next equals
 * end, whether a folded line would have followed is unknown to it.
 */
enum sip_scan_result sip_find_line(const char *p, const char *end, bool fold,
				   enum sip_scan_result bad, struct line *ln);

/*
 * sip_find_line() for p < end, with a shortcut for most lines: the first CR,
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
	return sip_find_line(p, end, fold, bad, ln);
}

#endif
