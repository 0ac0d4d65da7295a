/* SPDX-License-Identifier: BSD-3-Clause */
/* config_internal: what config.c and config_values.c share. */
#ifndef SIPWARDEN_CONFIG_INTERNAL_H
#define SIPWARDEN_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "yaml_schema.h"

/* The highest rate a file may set (per second): limits, reply_rate. */
#define RATE_MAX 10000000

/* `defaults` and each tenant's `limits` (config_limits.c). */
extern const struct yschema_field config_limit_fields[];

/*
 * NULL when `text` is a prefix, else why not. A prefix that is fine but for
 * bits set past its length sets *host_bits; *out then has them cleared.
 */
const char *config_prefix_parse(const char *text, struct config_prefix *out,
				bool *host_bits);
/* config_tenant_name_valid() of the first len bytes of s. */
bool config_tenant_name_valid_len(const char *s, size_t len);

#endif
