/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_lex: the byte classes and the out-of-line parts of the lexical
 * layer; the contract is in sip_scan_lex.h.
 */
#include "sip_scan_lex.h"

const uint8_t sip_cls[256] = {
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

const char *sip_lws_slow(const char *p, const char *bend)
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

enum sip_scan_result sip_find_line(const char *p, const char *end, bool fold,
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
