/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policy: the immutable policy snapshot the fast path reads, and the
 * decision for one scanned SIP message.
 *
 * Contract:
 *  - policy_build() turns a validated config into lookup structures
 *    (LPM tables, domain hash, port maps). The snapshot takes ownership of
 *    the config and is never modified once published.
 *  - Workers read the current snapshot with policy_current() between
 *    rcu_quiescent_state() calls (liburcu QSBR) and never keep a pointer
 *    to it across one. policy_publish() swaps it in and frees the old one
 *    after a grace period.
 *  - policy_decide() is pure: it reads the snapshot and the message and
 *    fills a decision; counting and acting on it are the worker's job.
 */
#ifndef SIPWARDEN_POLICY_H
#define SIPWARDEN_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "decode.h"
#include "emergency.h"
#include "ratelimit.h"
#include "reply.h"
#include "sip_scan.h"
#include "tenant.h"
#include "verdict.h"

/* Where a frame came from. */
enum side { SIDE_OUTSIDE = 0, SIDE_INSIDE = 1, SIDE_COUNT };

/* A tenant's limits as the fast path uses them (0 = no limit). */
struct tenant_policy {
	uint32_t max_calls, max_inbound, max_outbound, max_users;
	struct rate_spec cps, caller_cps, register_rate, other_rate;
	uint64_t max_call_duration_ns, unanswered_timeout_ns;
	bool suspended;
};

/* How a refusal with a given reason is carried out. */
struct policy_refusal {
	enum verdict_action action;
	uint16_t code;
	uint32_t retry_after;
};

struct policy {
	struct config *cfg;
	struct tenant_policy *tenants; /* [tenant_count] */
	struct prefix_table tenant_prefixes;
	struct prefix_table inside_networks;
	struct domain_table tenant_domains;
	uint32_t tenant_count;
	const char **tenant_names; /* [tenant_count], point into cfg */

	uint8_t sip_ports[65536 / 8];
	uint8_t tls_ports[65536 / 8];

	struct policy_refusal refusals[VERDICT_MAX]; /* by reason */
	enum verdict_action malformed_action;
	struct rate_spec reply_rate; /* per worker */
	struct emergency_list emergency;
	uint8_t tag_key[REPLY_TAG_KEY_LEN];
};

struct policy_decision {
	enum verdict_reason reason;
	enum verdict_action action;
	uint32_t tenant; /* TENANT_NONE when unknown */
	uint16_t reply_code;
	uint32_t retry_after;
	bool absorbed; /* an ACK to one of our replies: dropped */
};

/*
 * Build a snapshot from cfg (owned by the snapshot from here on, also on
 * failure). tag_key: REPLY_TAG_KEY_LEN bytes for reply To-tags.
 */
struct policy *policy_build(struct config *cfg, const uint8_t *tag_key,
			    char *err, size_t errlen);
void policy_free(struct policy *p);

void policy_publish(struct policy *p);
struct policy *policy_current(void);

static inline bool policy_port_in(const uint8_t *map, uint16_t port)
{
	return (map[port >> 3] >> (port & 7)) & 1;
}

/* Tenant of the party on the outside, by address only. */
uint32_t policy_tenant_by_address(const struct policy *p, enum side from,
				  const struct pkt_info *pi);

/* The side a frame came from when no port says it (replay). */
enum side policy_side_of(const struct policy *p, const struct pkt_info *pi);

void policy_decide(const struct policy *p, enum side from,
		   const struct pkt_info *pi, const struct sip_msg *m,
		   struct policy_decision *d);

/*
 * Fill d's action, reply code and Retry-After for a refusal with
 * `reason`, as configured; a reply becomes a drop where none can be sent
 * (not UDP, not a request, an ACK).
 */
void policy_refuse(const struct policy *p, enum verdict_reason reason,
		   const struct pkt_info *pi, const struct sip_msg *m,
		   struct policy_decision *d);

#endif
