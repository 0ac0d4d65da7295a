/* SPDX-License-Identifier: BSD-3-Clause */
#include "emergency.h"

#include <string.h>
#include <strings.h>

static const char urn_prefix[] = "urn:";

static bool is_separator(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')' || c == ' ';
}

/* Normalise a dialled number into out; false if it does not fit. */
static bool normalise_number(const char *p, size_t len, char *out,
			     size_t outlen)
{
	size_t n = 0;

	if (len > 0 && p[0] == '+') {
		p++;
		len--;
	}
	for (size_t i = 0; i < len; i++) {
		if (is_separator(p[i]))
			continue;
		if (n + 1 >= outlen)
			return false;
		out[n++] = p[i];
	}
	out[n] = '\0';
	return n > 0;
}

bool emergency_list_add(struct emergency_list *l, const char *entry)
{
	size_t len = strlen(entry);
	char *dst;

	if (l->count >= EMERGENCY_MAX_ENTRIES || len == 0 ||
	    len >= EMERGENCY_MAX_LEN)
		return false;
	dst = l->entries[l->count];
	if (strncasecmp(entry, urn_prefix, sizeof(urn_prefix) - 1) == 0) {
		for (size_t i = 0; i <= len; i++)
			dst[i] = (char)((entry[i] >= 'A' && entry[i] <= 'Z') ?
						entry[i] + 'a' - 'A' :
						entry[i]);
	} else if (!normalise_number(entry, len, dst, EMERGENCY_MAX_LEN)) {
		return false;
	}
	l->count++;
	return true;
}

static bool urn_matches(const char *entry, const struct sip_str *whole)
{
	size_t n = strlen(entry);

	if (whole->len < n || strncasecmp(whole->ptr, entry, n) != 0)
		return false;
	/* whole label: "urn:service:sos" must not match "...:sosx" */
	return whole->len == n || whole->ptr[n] == '.';
}

bool emergency_match(const struct emergency_list *l,
		     const struct sip_uri *ruri)
{
	char number[EMERGENCY_MAX_LEN];
	bool have_number = false;

	if (ruri->scheme == SIP_URI_SIP || ruri->scheme == SIP_URI_SIPS ||
	    ruri->scheme == SIP_URI_TEL)
		have_number = normalise_number(ruri->user.ptr, ruri->user.len,
					       number, sizeof(number));
	for (size_t i = 0; i < l->count; i++) {
		const char *e = l->entries[i];

		if (strncmp(e, urn_prefix, sizeof(urn_prefix) - 1) == 0) {
			if (ruri->scheme == SIP_URI_OTHER &&
			    urn_matches(e, &ruri->whole))
				return true;
		} else if (have_number && strcmp(e, number) == 0) {
			return true;
		}
	}
	return false;
}
