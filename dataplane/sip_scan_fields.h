/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_fields: the value parsers of the headers the policy reads that
 * hold no address (Call-ID, CSeq, Content-Length, Expires; the others are
 * in sip_scan_uri.h), internal to sip_scan*.c.
 *
 * Contract:
 *  - Each reads a header value at v up to the end of its line, which it
 *    finds itself: a CR or LF that lws() does not take for folding, or a
 *    byte no class holds. It needs no line bound (see sip_scan_headers.c
 *    for why that holds), only the buffer's end bend.
 *  - Each returns where the value ended (at eol()), NULL on an error (or
 *    a result, for CSeq), and records what it read in struct sip_msg.
 */
#ifndef SIPWARDEN_SIP_SCAN_FIELDS_H
#define SIPWARDEN_SIP_SCAN_FIELDS_H

#include "sip_scan_lex.h"

/*
 * 1*DIGIT, then only LWS to the end of the line (Content-Length,
 * Expires); values past 2^32-1 read as 2^32.
 */
const char *sip_field_digits(const char *v, const char *bend, uint64_t *n);

/*
 * CSeq = 1*DIGIT LWS Method (RFC 3261 20.16, 8.1.1.5); *e is where the
 * value ended. In a request the method must be the request's.
 */
enum sip_scan_result sip_field_cseq(const char *v, const char *bend,
				    struct sip_msg *msg, const char **e);

/* Call-ID = word [ "@" word ] */
const char *sip_field_call_id(const char *v, const char *bend,
			      struct sip_msg *msg);

#endif
