/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan: one zero-copy pass over a SIP message's start line and header
 * section (RFC 3261 section 7 and 25), recording what the policy needs.
 *
 * Contract:
 *  - sip_scan() never reads outside [buf, buf + len) and never writes to
 *    the buffer. Every struct sip_str it fills points into buf.
 *  - Header names match in any letter case, compact forms included
 *    (i f t v m l k s c e); LWS around the colon and folded lines are
 *    accepted; the first occurrence of a single-valued header wins, Via
 *    records the top-most value and counts all of them.
 *  - Call-ID, From, To, CSeq and Content-Length must appear once: a second
 *    one is SIP_SCAN_DUPLICATE_HEADER, since we and the SBC behind us
 *    could otherwise pick different ones (RFC 4475 3.3.8, 3.3.9).
 *  - Lines end in CRLF or a bare LF (RFC 3261 7.5 robustness); a bare CR or
 *    a NUL byte in the header section is an error. The body is not read.
 *  - Leading CRLFs before the start line are skipped (RFC 3261 7.5).
 *  - Without Content-Length the body is the rest of the buffer (datagram
 *    semantics); over a stream the caller must require Content-Length.
 *  - Hard bounds: SIP_SCAN_MAX_HEADERS header lines, SIP_SCAN_MAX_LINE bytes
 *    per (unfolded) line. Exceeding one is an error, never a truncation.
 *  - The return value is SIP_SCAN_OK or the first grammar error met; on
 *    error the fields already recorded are valid but incomplete.
 */
#ifndef SIPWARDEN_SIP_SCAN_H
#define SIPWARDEN_SIP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIP_SCAN_MAX_HEADERS 128
#define SIP_SCAN_MAX_LINE 4096

/* A span inside the scanned buffer; len == 0 means absent. */
struct sip_str {
	const char *ptr;
	uint32_t len;
};

enum sip_method {
	SIP_METHOD_UNKNOWN = 0, /* an extension method we do not model */
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_REGISTER,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_PRACK,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_PUBLISH,
	SIP_METHOD_INFO,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_UPDATE,
	SIP_METHOD_MAX
};

enum sip_uri_scheme {
	SIP_URI_NONE = 0,
	SIP_URI_SIP,
	SIP_URI_SIPS,
	SIP_URI_TEL,
	SIP_URI_OTHER, /* urn:, http:, ... : whole is set, user/host are not */
};

struct sip_uri {
	enum sip_uri_scheme scheme;
	struct sip_str whole; /* the URI itself, without <> or display name */
	struct sip_str user;  /* sip/sips: userinfo before ':' or '@';
				 tel: the number; urn: all after "urn:"
				 (NID:NSS, e.g. "service:sos") */
	struct sip_str host;  /* sip/sips only, without port; an IPv6
				 reference keeps its brackets */
};

enum sip_scan_result {
	SIP_SCAN_OK = 0,
	SIP_SCAN_EMPTY,		  /* nothing but CRLF / whitespace (keepalive) */
	SIP_SCAN_BAD_START_LINE,  /* neither Request-Line nor Status-Line */
	SIP_SCAN_BAD_VERSION,	  /* not SIP/2.0 */
	SIP_SCAN_BAD_STATUS,	  /* status code not 100..699 */
	SIP_SCAN_BAD_URI,	  /* Request-URI unparseable */
	SIP_SCAN_TRUNCATED,	  /* header section does not end */
	SIP_SCAN_LINE_TOO_LONG,	  /* a line beyond SIP_SCAN_MAX_LINE */
	SIP_SCAN_TOO_MANY_HEADERS,/* beyond SIP_SCAN_MAX_HEADERS */
	SIP_SCAN_BAD_HEADER,	  /* a header line without a name or colon */
	SIP_SCAN_NO_CALL_ID,
	SIP_SCAN_NO_FROM,
	SIP_SCAN_NO_TO,
	SIP_SCAN_NO_VIA,
	SIP_SCAN_BAD_CSEQ,	  /* absent, not a number, or > 2^31-1 */
	SIP_SCAN_CSEQ_MISMATCH,	  /* request CSeq method != request method */
	SIP_SCAN_BAD_CONTENT_LENGTH, /* not a number, or beyond the datagram */
	SIP_SCAN_DUPLICATE_HEADER, /* a second Call-ID/From/To/CSeq/C-Length */
	SIP_SCAN_RESULT_MAX
};

struct sip_msg {
	bool is_request;
	enum sip_method method;	   /* requests */
	struct sip_str method_str; /* requests: as written */
	uint16_t status;	   /* responses: 100..699 */
	struct sip_uri ruri;	   /* requests */

	struct sip_str via_branch; /* top Via's branch parameter */
	struct sip_str via_sent_by;/* top Via's host[:port] */
	uint16_t via_count;	   /* Via values over all Via lines */

	struct sip_uri from;
	struct sip_str from_tag;
	struct sip_uri to;
	struct sip_str to_tag;
	struct sip_str call_id;
	uint32_t cseq;
	enum sip_method cseq_method;
	struct sip_str cseq_method_str;

	struct sip_uri contact;	    /* first Contact URI */
	bool contact_star;	    /* Contact: * */
	int64_t contact_expires;    /* expires= param of first Contact, -1 */
	int64_t expires;	    /* Expires header, -1 if absent */
	/* Both expiries: -1 also when not a number (an RFC 2543 date);
	 * values past 2^32-1 read as 2^32-1, the top of the RFC 3261 20.19
	 * range (RFC 4475 3.1.2.4 lets a receiver choose) */
	struct sip_str user_agent;
	int64_t content_length;	    /* -1 if absent */

	uint32_t header_len;	    /* start line + headers + empty line */
	uint32_t body_len;	    /* bytes after header_len (per CL if set) */
	uint16_t header_count;	    /* header lines after the start line */
};

/* Scan buf[0..len). On SIP_SCAN_OK every mandatory field is set. */
enum sip_scan_result sip_scan(const char *buf, size_t len, struct sip_msg *msg);

/* Stable lower_snake names for results and methods (for counters, logs). */
const char *sip_scan_result_name(enum sip_scan_result r);
const char *sip_method_name(enum sip_method m);

/* Method from its token (case-sensitive, as RFC 3261 says). */
enum sip_method sip_method_from_token(const char *p, size_t len);

/*
 * Header iteration, for modules that copy header lines (the reply builder).
 * Walks the header section of a message that sip_scan() accepted.
 * `line` spans the whole header line including folded continuation lines
 * but without the final CRLF; `name` and `value` span the name and the
 * value (value trimmed of surrounding LWS, may contain folding).
 */
struct sip_header_iter {
	const char *pos;
	const char *end; /* end of the header section (before empty line) */
};

struct sip_header {
	struct sip_str line;
	struct sip_str name;
	struct sip_str value;
	char compact; /* lower-case canonical compact letter or 0 */
};

void sip_header_iter_init(struct sip_header_iter *it, const char *buf,
			  const struct sip_msg *msg);
bool sip_header_next(struct sip_header_iter *it, struct sip_header *hdr);

/* Canonical compact letter for a header name (e.g. "Call-ID" -> 'i'), or 0. */
char sip_header_compact_letter(const char *name, size_t len);

#endif
