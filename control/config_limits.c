/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_limits: the per-tenant limits, one table for the file's
 * `defaults` and `limits` and for runtime changes (config_set_limit), so
 * their names and ranges are the same everywhere (docs/CONFIG.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"

#define LIMIT(key, member, hi)                                                 \
	YSCHEMA_UINT_FIELD(key, struct config_limits, member, 0, hi)
_Static_assert(sizeof(((struct config_limits *)0)->max_calls) ==
		       sizeof(uint32_t),
	       "config_set_limit stores every limit as a uint32_t");
_Static_assert(sizeof(struct config_limits) / sizeof(uint32_t) <
		       CONFIG_LIMIT_MAX,
	       "CONFIG_LIMIT_MAX bounds the limit names");
#define SECONDS_MAX (30u * 86400)

/* One table for `defaults` and every tenant's `limits`. */
const struct yschema_field config_limit_fields[] = {
	LIMIT("max_calls", max_calls, 16777215),
	LIMIT("max_inbound", max_inbound, 16777215),
	LIMIT("max_outbound", max_outbound, 16777215),
	LIMIT("cps", cps, RATE_MAX),
	LIMIT("burst", burst, RATE_MAX),
	LIMIT("caller_cps", caller_cps, RATE_MAX),
	LIMIT("caller_burst", caller_burst, RATE_MAX),
	LIMIT("register_rate", register_rate, RATE_MAX),
	LIMIT("register_burst", register_burst, RATE_MAX),
	LIMIT("other_rate", other_rate, RATE_MAX),
	LIMIT("other_burst", other_burst, RATE_MAX),
	LIMIT("max_users", max_users, 16777215),
	YSCHEMA_UINT_FIELD("max_call_duration", struct config_limits,
			   max_call_duration, 1, SECONDS_MAX),
	YSCHEMA_UINT_FIELD("unanswered_timeout", struct config_limits,
			   unanswered_timeout, 1, SECONDS_MAX),
	YSCHEMA_END,
};

/* A burst left at 0 means "one second's worth", at least 1. */
static void settle_bursts(struct config_limits *l)
{
	uint32_t *pairs[][2] = {
		{&l->cps, &l->burst},
		{&l->caller_cps, &l->caller_burst},
		{&l->register_rate, &l->register_burst},
		{&l->other_rate, &l->other_burst},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++)
		if (*pairs[i][1] == 0)
			*pairs[i][1] = *pairs[i][0] ? *pairs[i][0] : 1;
}

static const struct yschema_field *limit_field(const char *name)
{
	for (const struct yschema_field *f = config_limit_fields; f->key; f++)
		if (strcmp(f->key, name) == 0)
			return f;
	return NULL;
}

int config_set_limit(struct config_limits *l, const char *name, uint64_t value,
		     char *err, size_t errlen)
{
	const struct yschema_field *f = limit_field(name);

	if (f == NULL) {
		snprintf(err, errlen, "unknown limit '%s'", name);
		return -EINVAL;
	}
	if (value < f->min || value > f->max) {
		snprintf(err, errlen,
			 "%s must be an integer between %" PRIu64
			 " and %" PRIu64,
			 name, f->min, f->max);
		return -ERANGE;
	}
	/* every limit is a uint32_t (config_limit_fields) */
	*(uint32_t *)((char *)l + f->offset) = (uint32_t)value;
	return 0;
}

void config_limits_foreach(const struct config_limits *l,
			   void (*fn)(const char *name, uint64_t value,
				      void *arg),
			   void *arg)
{
	for (const struct yschema_field *f = config_limit_fields; f->key; f++)
		fn(f->key, *(const uint32_t *)((const char *)l + f->offset),
		   arg);
}

const char *config_limit_name(size_t i)
{
	return i < sizeof(config_limit_fields) / sizeof(*config_limit_fields)
		       ? config_limit_fields[i].key
		       : NULL; /* the table ends with a NULL key */
}

void config_settle_limits(struct config_limits *l)
{
	settle_bursts(l);
}
