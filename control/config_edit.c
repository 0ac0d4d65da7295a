/* SPDX-License-Identifier: BSD-3-Clause */
#include "config_edit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char **clone_strings(char *const *list, size_t count, bool *oom)
{
	char **out;

	if (count == 0)
		return NULL;
	out = calloc(count, sizeof(*out));
	if (out == NULL) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < count; i++) {
		out[i] = strdup(list[i]);
		*oom |= out[i] == NULL;
	}
	return out;
}

static void *clone_bytes(const void *src, size_t size, bool *oom)
{
	void *out;

	if (size == 0)
		return NULL;
	out = malloc(size);
	if (out == NULL) {
		*oom = true;
		return NULL;
	}
	return memcpy(out, src, size);
}

struct config *config_clone(const struct config *cfg)
{
	struct config *c = malloc(sizeof(*c));
	bool oom = false;

	if (c == NULL)
		return NULL;
	*c = *cfg;
	c->eal_args = clone_strings(cfg->eal_args, cfg->eal_arg_count, &oom);
	c->emergency =
		clone_strings(cfg->emergency, cfg->emergency_count, &oom);
	c->inside_networks = clone_bytes(
		cfg->inside_networks,
		cfg->inside_network_count * sizeof(*cfg->inside_networks),
		&oom);
	c->tenants = clone_bytes(cfg->tenants,
				 cfg->tenant_count * sizeof(*cfg->tenants),
				 &oom);
	for (size_t i = 0; c->tenants != NULL && i < cfg->tenant_count; i++) {
		struct config_tenant *t = &c->tenants[i];

		t->prefixes = clone_bytes(t->prefixes,
					  t->prefix_count * sizeof(*t->prefixes),
					  &oom);
		t->domains = clone_strings(t->domains, t->domain_count, &oom);
	}
	if (cfg->tenant_count != 0 && c->tenants == NULL) {
		c->tenant_count = 0;
		oom = true;
	}
	if (oom) {
		config_free(c);
		return NULL;
	}
	return c;
}

long config_find_tenant(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->tenant_count; i++)
		if (strcmp(cfg->tenants[i].name, name) == 0)
			return (long)i;
	return -1;
}

static bool same_prefix(const struct config_prefix *a,
			const struct config_prefix *b)
{
	return a->family == b->family && a->depth == b->depth &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* The tenant that already claims prefix p or domain d, or NULL. */
static const char *claimed_by(const struct config *cfg,
			      const struct config_prefix *p, const char *d)
{
	for (size_t i = 0; i < cfg->tenant_count; i++) {
		const struct config_tenant *t = &cfg->tenants[i];

		for (size_t k = 0; p != NULL && k < t->prefix_count; k++)
			if (same_prefix(&t->prefixes[k], p))
				return t->name;
		for (size_t k = 0; d != NULL && k < t->domain_count; k++)
			if (strcmp(t->domains[k], d) == 0)
				return t->name;
	}
	return NULL;
}

static void free_tenant(struct config_tenant *t)
{
	free(t->prefixes);
	for (size_t i = 0; i < t->domain_count; i++)
		free(t->domains[i]);
	free(t->domains);
}

/* Validate and fill t; on error t holds what must be freed. */
static int build_tenant(const struct config *cfg, struct config_tenant *t,
			const char *const *prefixes, size_t prefix_count,
			const char *const *domains, size_t domain_count,
			char *err, size_t errlen)
{
	t->prefixes = calloc(prefix_count + 1, sizeof(*t->prefixes));
	t->domains = calloc(domain_count + 1, sizeof(*t->domains));
	if (t->prefixes == NULL || t->domains == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < prefix_count; i++) {
		struct config_prefix *p = &t->prefixes[i];
		const char *owner;

		if (!config_parse_prefix(prefixes[i], p)) {
			snprintf(err, errlen, "bad prefix '%s'", prefixes[i]);
			return -EINVAL;
		}
		owner = claimed_by(cfg, p, NULL);
		for (size_t k = 0; owner == NULL && k < i; k++)
			if (same_prefix(&t->prefixes[k], p))
				owner = "this tenant";
		if (owner != NULL) {
			snprintf(err, errlen,
				 "prefix '%s' is already claimed by %s",
				 prefixes[i], owner);
			return -EEXIST;
		}
		t->prefix_count++;
	}
	for (size_t i = 0; i < domain_count; i++) {
		char *d = strdup(domains[i]);
		const char *why, *owner;

		if (d == NULL) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		for (char *c = d; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 'a' - 'A';
		t->domains[t->domain_count++] = d;
		why = config_domain_problem(d);
		owner = why == NULL ? claimed_by(cfg, NULL, d) : NULL;
		for (size_t k = 0; owner == NULL && why == NULL &&
				   k + 1 < t->domain_count;
		     k++)
			if (strcmp(t->domains[k], d) == 0)
				owner = "this tenant";
		if (why != NULL || owner != NULL) {
			if (why != NULL)
				snprintf(err, errlen, "bad domain '%s': %s",
					 domains[i], why);
			else
				snprintf(err, errlen,
					 "domain '%s' is already claimed by %s",
					 d, owner);
			return why != NULL ? -EINVAL : -EEXIST;
		}
	}
	if (t->prefix_count == 0 && t->domain_count == 0) {
		snprintf(err, errlen,
			 "a tenant needs at least one prefix or domain");
		return -EINVAL;
	}
	return 0;
}

int config_add_tenant(struct config *cfg, const char *name,
		      const char *const *prefixes, size_t prefix_count,
		      const char *const *domains, size_t domain_count,
		      const struct config_limits *limits, char *err,
		      size_t errlen)
{
	struct config_tenant t = {0}, *grown;
	int rc;

	if (!config_tenant_name_valid(name)) {
		snprintf(err, errlen,
			 "bad tenant name '%s': use 1..63 letters, digits, "
			 "'_', '.' and '-'",
			 name);
		return -EINVAL;
	}
	if (config_find_tenant(cfg, name) >= 0) {
		snprintf(err, errlen, "tenant '%s' exists", name);
		return -EEXIST;
	}
	snprintf(t.name, sizeof(t.name), "%s", name);
	t.limits = limits != NULL ? *limits : cfg->default_limits;
	rc = build_tenant(cfg, &t, prefixes, prefix_count, domains,
			  domain_count, err, errlen);
	if (rc == 0) {
		grown = realloc(cfg->tenants,
				(cfg->tenant_count + 1) * sizeof(*grown));
		if (grown == NULL) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
		} else {
			cfg->tenants = grown;
			cfg->tenants[cfg->tenant_count++] = t;
			return 0;
		}
	}
	free_tenant(&t);
	return rc;
}

int config_del_tenant(struct config *cfg, const char *name, char *err,
		      size_t errlen)
{
	long i = config_find_tenant(cfg, name);

	if (i < 0) {
		snprintf(err, errlen, "no tenant '%s'", name);
		return -ENOENT;
	}
	free_tenant(&cfg->tenants[i]);
	memmove(&cfg->tenants[i], &cfg->tenants[i + 1],
		(cfg->tenant_count - (size_t)i - 1) * sizeof(*cfg->tenants));
	cfg->tenant_count--;
	return 0;
}

static long find_emergency(const struct config *cfg, const char *entry)
{
	for (size_t i = 0; i < cfg->emergency_count; i++)
		if (strcasecmp(cfg->emergency[i], entry) == 0)
			return (long)i;
	return -1;
}

int config_add_emergency(struct config *cfg, const char *entry, char *err,
			 size_t errlen)
{
	char **grown, *copy;

	if (!config_emergency_entry_valid(entry)) {
		snprintf(err, errlen,
			 "bad emergency number '%s': digits (with an optional "
			 "'+' and '-', '.', '(', ')', ' ') or a service URN",
			 entry);
		return -EINVAL;
	}
	if (find_emergency(cfg, entry) >= 0) {
		snprintf(err, errlen, "'%s' is already listed", entry);
		return -EEXIST;
	}
	if (cfg->emergency_count >= 32) {
		snprintf(err, errlen, "the emergency list is full (32)");
		return -ENOSPC;
	}
	copy = strdup(entry);
	grown = realloc(cfg->emergency,
			(cfg->emergency_count + 1) * sizeof(*grown));
	if (copy == NULL || grown == NULL) {
		free(copy);
		if (grown != NULL)
			cfg->emergency = grown;
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cfg->emergency = grown;
	cfg->emergency[cfg->emergency_count++] = copy;
	return 0;
}

int config_del_emergency(struct config *cfg, const char *entry, char *err,
			 size_t errlen)
{
	long i = find_emergency(cfg, entry);

	if (i < 0) {
		snprintf(err, errlen, "'%s' is not listed", entry);
		return -ENOENT;
	}
	free(cfg->emergency[i]);
	memmove(&cfg->emergency[i], &cfg->emergency[i + 1],
		(cfg->emergency_count - (size_t)i - 1) *
			sizeof(*cfg->emergency));
	cfg->emergency_count--;
	return 0;
}
