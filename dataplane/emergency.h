/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * emergency: is this Request-URI an emergency call?
 *
 * Contract:
 *  - Numbers match on the normalised user part of a sip:/sips: URI or the
 *    number of a tel: URI: visual separators ("-", ".", "(", ")", " ")
 *    and a leading "+" removed, then compared whole (so "112" matches
 *    "112" and "+112", not "1120").
 *  - Service URNs match by prefix on labels: "urn:service:sos" matches
 *    itself and its sub-services ("urn:service:sos.police"), compared
 *    case-insensitively (RFC 5031).
 *  - The list is built once (control side, from the configuration, which
 *    holds the defaults) and read-only afterwards.
 */
#ifndef SIPWARDEN_EMERGENCY_H
#define SIPWARDEN_EMERGENCY_H

#include <stdbool.h>
#include <stddef.h>

#include "sip_scan.h"

#define EMERGENCY_MAX_ENTRIES 32
#define EMERGENCY_MAX_LEN 64

struct emergency_list {
	size_t count;
	char entries[EMERGENCY_MAX_ENTRIES][EMERGENCY_MAX_LEN];
	/* numbers normalised; URNs lower-cased */
};

/* Add one number or URN; false if the list is full or the entry bad. */
bool emergency_list_add(struct emergency_list *l, const char *entry);

bool emergency_match(const struct emergency_list *l,
		     const struct sip_uri *ruri);

#endif
