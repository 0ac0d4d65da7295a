/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * policy: the immutable policy snapshot the fast path reads, and the
 * decision for one scanned SIP message.
 *
 * Contract:
 *  - policy_build() turns a validated config into lookup structures
 *    (prefix tables, domain hash, port maps). The snapshot takes ownership of
 *    the config and is never modified once published.
 *  - Workers read the current snapshot with policy_current() between
 *    rcu_quiescent_state() calls (liburcu QSBR) and never keep a pointer
 *    to it across one. policy_publish() swaps it in and frees the old one
 *    after a grace period (call_rcu: it never waits; rcu_barrier() before
 *    tearing down what snapshots refer to).
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
#include "tenant_registry.h"
#include "verdict.h"

/* Where a frame came from. */
enum side { SIDE_OUTSIDE = 0, SIDE_INSIDE = 1, SIDE_COUNT };

/* How a refusal with a given reason is carried out. */
struct policy_refusal {
	enum verdict_action action;
	uint16_t code;
	uint32_t retry_after;
};

struct policy {
	struct config *cfg;
	/* tenants' limits live in the registry, shared by every snapshot:
	 * the lookup tables below give slot numbers into it */
	struct tenant_registry *registry;
	struct prefix_table prefixes; /* -> slot, or PREFIX_INSIDE (SBC) */
	struct domain_table tenant_domains;

	uint8_t sip_ports[65536 / 8];
	uint8_t tls_ports[65536 / 8];

	struct policy_refusal refusals[VERDICT_MAX]; /* by reason */
	enum verdict_action malformed_action;
	struct rate_spec reply_rate; /* per worker */
	struct emergency_list emergency;
	uint8_t tag_key[REPLY_TAG_KEY_LEN];
	struct rcu_head rcu;
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
 * failure). Every tenant of cfg is published in the registry (keeping its
 * slot if it has one) before the snapshot exists; removing the tenants cfg
 * no longer names is the caller's business. tag_key: REPLY_TAG_KEY_LEN
 * bytes for reply To-tags.
 */
struct policy *policy_build(struct config *cfg,
			    struct tenant_registry *registry,
			    const uint8_t *tag_key, char *err, size_t errlen);

/* A tenant's limits, or NULL when the slot holds no tenant (any more). */
static inline const struct tenant_policy *policy_tenant(const struct policy *p,
							uint32_t slot)
{
	return tenant_registry_get(p->registry, slot);
}
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

/*
 * Fetch ahead what policy_tenant_by_address(p, from, pi) (and, with
 * either_side, policy_side_of) will read; in two steps, see
 * prefix_table_prefetch.
 */
static inline void policy_prefetch_tenant(const struct policy *p,
					  enum side from, bool either_side,
					  const struct pkt_info *pi, bool deep)
{
	if (either_side || from == SIDE_OUTSIDE)
		prefix_table_prefetch(&p->prefixes, pi->l3, &pi->src, deep);
	if (either_side || from == SIDE_INSIDE)
		prefix_table_prefetch(&p->prefixes, pi->l3, &pi->dst, deep);
}

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
