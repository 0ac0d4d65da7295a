/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_edit: runtime changes to a configuration model (the control
 * socket's tenant.add, tenant.del, prefix.add, prefix.del).
 *
 * Contract:
 *  - config_clone() gives an independent deep copy; edits are made on a
 *    copy, so the model a running snapshot owns is never changed.
 *  - Every edit validates like the file loader does (names, prefixes with
 *    no host bits, a prefix or domain claimed by one tenant only, emergency
 *    entries) and on refusal leaves the model as it was, with the reason in
 *    err. Returns 0 or a negative errno.
 */
#ifndef SIPWARDEN_CONFIG_EDIT_H
#define SIPWARDEN_CONFIG_EDIT_H

#include <stddef.h>

#include "config.h"

struct config *config_clone(const struct config *cfg);

/* The index of tenant `name`, or -1. */
long config_find_tenant(const struct config *cfg, const char *name);

/* Add a tenant with the default limits, then `limits` if not NULL. */
int config_add_tenant(struct config *cfg, const char *name,
		      const char *const *prefixes, size_t prefix_count,
		      const char *const *domains, size_t domain_count,
		      const struct config_limits *limits, char *err,
		      size_t errlen);
int config_del_tenant(struct config *cfg, const char *name, char *err,
		      size_t errlen);

/* The emergency list. */
int config_add_emergency(struct config *cfg, const char *entry, char *err,
			 size_t errlen);
int config_del_emergency(struct config *cfg, const char *entry, char *err,
			 size_t errlen);

#endif
