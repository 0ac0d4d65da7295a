/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control_ops: what the daemon's control commands do (docs/CONTROL.md):
 * status, tenants and their limits, emergency numbers, calls,
 * registrations, counters, reload.
 *
 * Contract:
 *  - Every handler runs on the control thread (the only writer of the
 *    policy and the registry), which is a registered QSBR reader.
 *  - Changes never stop or wait for the workers: a limit change swaps one
 *    tenant's policy object (tenant_registry_publish); a change of tenants,
 *    prefixes or emergency numbers builds a new snapshot from an edited
 *    copy of the running configuration and publishes it (policy_publish).
 *    The old ones are freed after a grace period.
 *  - Runtime changes live until the next reload, which returns to the
 *    file (and says what it changed). A file that does not validate is
 *    refused with its errors; the running policy stays.
 *  - Counters are never written here: "stats reset" records a baseline
 *    per tenant that reports subtract, and a slot given to a new tenant
 *    starts from the counts it had.
 */
#ifndef SIPWARDEN_CONTROL_OPS_H
#define SIPWARDEN_CONTROL_OPS_H

#include <stdint.h>

#include "admission.h"
#include "ctl_server.h"
#include "event_log.h"
#include "policy.h"
#include "state_persist.h"
#include "stats.h"
#include "tenant_registry.h"

struct control_ops {
	struct tenant_registry *registry;
	struct admission *admission;
	struct stats_lcore *const *lcores;
	unsigned int lcore_count;
	/* a copy: the caller's string may belong to a snapshot's config,
	 * which the next change frees */
	char config_path[512];
	const char *mode;
	uint8_t tag_key[REPLY_TAG_KEY_LEN];
	uint64_t started_ns;
	struct stats_sip_counts *baseline; /* [registry->capacity] */
	/* set by the control plane after start; NULL in tests */
	struct event_log *events;
	struct ctl_server *server;
	const char *change_source; /* "ctl" (default), "sighup" */
	struct state_persist *persist;	   /* NULL: no state file */
};

extern const struct ctl_command control_commands[];

int control_ops_init(struct control_ops *c, struct tenant_registry *r,
		     struct admission *a, struct stats_lcore *const *lcores,
		     unsigned int lcore_count, const char *config_path,
		     const char *mode, const uint8_t *tag_key);
void control_ops_fini(struct control_ops *c);

/* The counters as reports show them (baselines applied); free with
 * stats_view_free. */
struct stats_view *control_ops_view(const struct control_ops *c);

/* Periodic: free the slots of removed tenants once they drain. */
void control_ops_housekeeping(struct control_ops *c);

#endif
