/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_values: the rules for single values (prefixes, tenant names, SIP
 * domains, emergency numbers), shared by the loader and by runtime edits
 * (config_edit, the control socket), so a value is accepted or refused the
 * same way from a file or a command. Declared in config.h; the loader's
 * extra entry points in config_internal.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_internal.h"

/*
 * NULL when `text` is a prefix, else why not. A prefix that is fine but for
 * bits set past its length sets *host_bits; *out then has them cleared.
 */
const char *config_prefix_parse(const char *text, struct config_prefix *out,
				bool *host_bits)
{
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	struct config_prefix p = {0};
	char addr[INET6_ADDRSTRLEN];
	unsigned int max;

	*host_bits = false;
	if (alen == 0 || alen >= sizeof(addr))
		return "not an IPv4 or IPv6 address";
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p.addr) == 1) {
		p.family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, p.addr) == 1) {
		p.family = 6;
		max = 128;
	} else {
		return "not an IPv4 or IPv6 address";
	}
	p.depth = max;
	if (slash) {
		const char *d = slash + 1;
		size_t dlen = strlen(d);

		if (dlen == 0 || dlen > 3 || strspn(d, "0123456789") != dlen ||
		    (d[0] == '0' && dlen > 1))
			return "the length after '/' is not a number";
		if ((unsigned int)atoi(d) > max)
			return p.family == 4 ? "an IPv4 length is 0 to 32"
					     : "an IPv6 length is 0 to 128";
		p.depth = atoi(d);
	}
	for (unsigned int i = 0; i < sizeof(p.addr); i++) {
		unsigned int bits = p.depth > 8 * i ? p.depth - 8 * i : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		*host_bits |= (p.addr[i] & ~mask) != 0;
		p.addr[i] &= mask;
	}
	*out = p;
	return NULL;
}

bool config_parse_prefix(const char *text, struct config_prefix *out)
{
	struct config_prefix p;
	bool host_bits;

	if (config_prefix_parse(text, &p, &host_bits) || host_bits)
		return false;
	*out = p;
	return true;
}

const char *config_prefix_format(const struct config_prefix *p, char *buf,
				 size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, addr,
		  sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, p->depth);
	return buf;
}

bool config_tenant_name_valid(const char *name)
{
	return config_tenant_name_valid_len(name, strlen(name));
}

bool config_tenant_name_valid_len(const char *s, size_t len)
{
	if (len == 0 || len >= CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-'))
			return false;
	}
	return true;
}

/* NULL for a host name such as "pbx.acme.example" (lower case), else why
 * not. */
const char *config_domain_problem(const char *d)
{
	size_t label = 0;
	bool all_digits = true;

	for (const char *p = d;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0)
				return "an empty label";
			if (p[-1] == '-')
				return "a label ends with '-'";
			if (*p == '\0')
				break;
			label = 0;
			all_digits = true;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return "only letters, digits, '-' and '.' are allowed";
		if (label == 0 && *p == '-')
			return "a label starts with '-'";
		if (++label > 63)
			return "a label is longer than 63 characters";
		all_digits &= *p >= '0' && *p <= '9';
	}
	if (all_digits)
		return "an address is not a domain; put it in prefixes";
	return NULL;
}

bool config_emergency_entry_valid(const char *s)
{
	size_t digits = 0;

	if (strncasecmp(s, "urn:service:", 12) == 0)
		return s[12] != '\0';
	if (*s == '+')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr("-.() ", *s))
			return false;
	}
	return digits > 0 && digits < 32;
}
