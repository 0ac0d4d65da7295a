/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_uri: URIs, name-addr / addr-spec, hosts and parameters
 * (RFC 3261 19.1, 20.10, 25.1), and the headers made of them: Via, From,
 * To, Contact. Internal to sip_scan*.c.
 *
 * Contract:
 *  - The parsers read inside one header line at most, up to the byte that
 *    ends what they parse, which must lie before bend (the buffer's end):
 *    the CR or LF that ends the line, or for a URI the byte after it.
 *  - They record spans into the buffer (struct sip_uri, parameter
 *    values) and return where they stopped, or NULL / false on a grammar
 *    error; they never write to the buffer.
 */
#ifndef SIPWARDEN_SIP_SCAN_URI_H
#define SIPWARDEN_SIP_SCAN_URI_H

#include "sip_scan_lex.h"

/*
 * The URI spanning exactly [p, end). A Request-URI may not carry headers
 * (RFC 3261 19.1.1, RFC 4475 3.1.2.11). The byte at end is readable and
 * in neither C_SCHEME nor C_HOST: a SP, a '>', or the first byte after an
 * addr-spec, which is not C_ADDR.
 */
bool sip_uri_scan(const char *p, const char *end, const char *bend,
		  bool request_uri, struct sip_uri *uri);

/*
 * The header values made of addresses. Like the value parsers of
 * sip_scan_fields.h, each reads the value at v up to the end of its line,
 * which it finds itself, and returns where the value ended (at eol()),
 * or NULL on an error.
 */

/*
 * Via: the top value's sent-by and branch go to msg where *vias (the
 * values counted so far) is 0; *vias counts those read, whatever comes.
 */
const char *sip_field_via(const char *p, const char *bend, struct sip_msg *msg,
			  unsigned *vias);

/* From or To: one address, then parameters, among them the tag. */
const char *sip_field_party(const char *v, const char *bend,
			    struct sip_uri *uri, struct sip_str *tag);

/*
 * Contact: '*' or addresses; only the first is read, so where a second
 * follows, the end of the line is not known here: *rest says so.
 */
const char *sip_field_contact(const char *v, const char *bend,
			      struct sip_msg *msg, bool *rest);

#endif
