/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reply: stateless SIP responses to refused requests (RFC 3261 8.2.6,
 * 16.7 does not apply: we answer as a UAS would, without a transaction).
 *
 * Contract:
 *  - reply_build() writes a whole Ethernet frame into out[0..out_cap):
 *    the request's L2 header with MACs swapped (VLAN tags kept), a fresh
 *    IPv4 (no options) or IPv6 (no extension headers) header with source
 *    and destination swapped, a UDP header with ports swapped, correct IP
 *    and UDP checksums, and the SIP response: status line, every Via of
 *    the request in order, From, To (with a tag from reply_tag() when the
 *    request had none), Call-ID, CSeq, Retry-After (when set), a Reason
 *    header naming the cause, Server, Content-Length: 0.
 *  - It returns the frame length, or 0 when the response does not fit in
 *    out_cap or the request cannot be answered (not UDP, not a request,
 *    ACK, status outside 400..699). It reads only the request frame and
 *    message it is given; out must not overlap either of them.
 *  - Header values are copied as the request wrote them, except that
 *    folding (CRLF + whitespace) becomes one space; Via lines keep their
 *    order and are all named "Via". spec->phrase NULL means
 *    reply_default_phrase(status); spec->cause NULL means the phrase.
 *  - The To tag is a keyed hash of the Call-ID: a retransmission gets the
 *    same reply, and the ACK to it is recognised by reply_tag_code()
 *    without any state.
 */
#ifndef SIPWARDEN_REPLY_H
#define SIPWARDEN_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "sip_scan.h"

#define REPLY_TAG_KEY_LEN 16
#define REPLY_TAG_LEN 20 /* "sw" + 2 hex digits of code + 16 of MAC */

struct reply_spec {
	uint16_t status;      /* 400..699 */
	const char *phrase;   /* reason phrase, e.g. "Service Unavailable" */
	const char *cause;    /* verdict reason name, goes to the Reason hdr */
	uint32_t retry_after; /* seconds; 0 = no Retry-After header */
	const uint8_t *tag_key; /* REPLY_TAG_KEY_LEN bytes */
	uint8_t tag_code;	/* carried in the tag (the verdict reason) */
};

/*
 * frame/frame_len: the request as received (first fragment's L2/L3 when it
 * was reassembled: pass the reassembled datagram's frame). info: its
 * decode. sip/msg: the scanned SIP message (may live in another buffer).
 */
size_t reply_build(const uint8_t *frame, size_t frame_len,
		   const struct pkt_info *info, const char *sip,
		   const struct sip_msg *msg, const struct reply_spec *spec,
		   uint8_t *out, size_t out_cap);

/*
 * Write the tag for call_id and code into tag[REPLY_TAG_LEN] (not
 * NUL-terminated): "sw", the code in two hex digits, then a keyed MAC of
 * both, so the ACK to a reply says, without state, why it was refused.
 */
void reply_tag(const uint8_t *key, const struct sip_str *call_id,
	       uint8_t code, char tag[REPLY_TAG_LEN]);

/* The code if `tag` is one reply_tag() gives for call_id under key, else -1. */
int reply_tag_code(const uint8_t *key, const struct sip_str *call_id,
		   const struct sip_str *tag);

/* Default reason phrase for a status code ("Forbidden", ...). */
const char *reply_default_phrase(uint16_t status);

#endif
