/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan_headers: the header section of a message, internal to
 * sip_scan*.c.
 *
 * Contract: sip_headers_scan() reads the header lines from p (the byte
 * after the start line) to the empty line, as sip_scan.h says: header
 * names in any case and compact forms, duplicates of single-valued
 * headers refused, the mandatory headers checked, the bounds kept; then
 * header_len, body_len and header_count. It returns what sip_scan()
 * returns for the message.
 */
#ifndef SIPWARDEN_SIP_SCAN_HEADERS_H
#define SIPWARDEN_SIP_SCAN_HEADERS_H

#include "sip_scan.h"

enum sip_scan_result sip_headers_scan(const char *buf, size_t len,
				      const char *p, struct sip_msg *msg);

#endif
