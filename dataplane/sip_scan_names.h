/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_names: header names (internal to sip_scan*.c), and the header
 * iterator of sip_scan.h.
 *
 * Contract:
 *  - enum header_id names the headers the scanner reads or knows a compact
 *    form of; sip_header_id() maps a token name (any case, compact forms
 *    included) to it, H_OTHER for all others.
 *  - scan_name() reads the name at the start of a header line in one pass
 *    with the dispatch: it matches the names the scanner reads a word at a
 *    time and checks the rest as tokens, reading no further than the
 *    byte that ends the name.
 */
#ifndef SIPWARDEN_SIP_SCAN_NAMES_H
#define SIPWARDEN_SIP_SCAN_NAMES_H

#include "sip_scan_lex.h"

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

/* The header id of a token name of len bytes (see token_is) */
enum header_id sip_header_id(const char *n, size_t len);

/*
 * The name of the header line at p: its end in *name_end, p when it does
 * not start with a token, and for the headers that sip_scan() reads,
 * their id (sip_header_id() of the name); H_OTHER for all others. The names
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

#endif
