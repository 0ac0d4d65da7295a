/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_fields: the value parsers of the headers the policy reads; the
 * contract is in sip_scan_fields.h.
 */
#include "sip_scan_fields.h"

/*
 * The value parsers below read a header value at v up to the end of its
 * line, which they find themselves: a CR or LF that lws() does not take
 * for folding, or a byte no class holds. They need no line bound: a line
 * that sip_find_line() returned ends in such a byte, and sip_scan() runs them
 * on lines it has not looked for the end of only where the buffer ends in
 * LF. Each returns where the value ended (at eol()), NULL on an error.
 */

/* 1*DIGIT, then only LWS to the end of the line (Content-Length, Expires) */
const char *sip_field_digits(const char *v, const char *bend, uint64_t *n)
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

/* CSeq = 1*DIGIT LWS Method (RFC 3261 20.16, 8.1.1.5). */
enum sip_scan_result sip_field_cseq(const char *v, const char *bend,
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
const char *sip_field_call_id(const char *v, const char *bend,
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
