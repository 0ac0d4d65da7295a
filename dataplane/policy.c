/* SPDX-License-Identifier: BSD-3-Clause */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu-qsbr.h>

static struct policy *current_policy;

static enum verdict_action action_of(enum config_action a)
{
	switch (a) {
	case CONFIG_ACTION_FORWARD:
		return ACTION_FORWARD;
	case CONFIG_ACTION_REPLY:
		return ACTION_REPLY;
	case CONFIG_ACTION_DROP:
	default:
		return ACTION_DROP;
	}
}

static void port_map_set(uint8_t *map, const uint16_t *ports, size_t n)
{
	for (size_t i = 0; i < n; i++)
		map[ports[i] >> 3] |= (uint8_t)(1u << (ports[i] & 7));
}

/* The verdict each configurable refusal answers. */
static const enum verdict_reason refusal_reason[CONFIG_REFUSAL_MAX] = {
	[CONFIG_REFUSAL_UNKNOWN_SOURCE] = VERDICT_UNKNOWN_SOURCE,
	[CONFIG_REFUSAL_SUSPENDED] = VERDICT_SUSPENDED,
	[CONFIG_REFUSAL_CALL_LIMIT] = VERDICT_CALL_LIMIT,
	[CONFIG_REFUSAL_CPS_LIMIT] = VERDICT_CPS_LIMIT,
	[CONFIG_REFUSAL_USER_LIMIT] = VERDICT_USER_LIMIT,
	[CONFIG_REFUSAL_TABLE_FULL] = VERDICT_TABLE_FULL,
};

static int build_emergency(struct policy *p, const struct config *cfg,
			   char *err, size_t errlen)
{
	p->emergency.count = 0;
	for (size_t i = 0; i < cfg->emergency_count; i++) {
		if (!emergency_list_add(&p->emergency, cfg->emergency[i])) {
			snprintf(err, errlen, "emergency number '%s' refused",
				 cfg->emergency[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static void count_families(const struct config_prefix *p, size_t n,
			   size_t *hint)
{
	for (size_t i = 0; i < n; i++)
		hint[p[i].family == 4 ? 0 : 1]++;
}

/* Publish every tenant of cfg; slots[i] is where tenant i went. */
static int publish_tenants(struct tenant_registry *r, const struct config *cfg,
			   uint32_t *slots, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->tenant_count; i++) {
		const struct config_tenant *t = &cfg->tenants[i];
		struct tenant_policy tp;
		int64_t slot;

		tenant_policy_init(&tp, t->name, &t->limits, t->suspended);
		slot = tenant_registry_publish(r, &tp);
		if (slot < 0) {
			snprintf(err, errlen,
				 "no room for tenant '%s': max_tenants is %u",
				 t->name, r->capacity);
			return -ENOSPC;
		}
		slots[i] = (uint32_t)slot;
	}
	return 0;
}

struct policy *policy_build(struct config *cfg,
			    struct tenant_registry *registry,
			    const uint8_t *tag_key, char *err, size_t errlen)
{
	struct policy *p = calloc(1, sizeof(*p));
	uint32_t *slots = calloc(cfg->tenant_count + 1, sizeof(*slots));
	size_t hint[2] = {0, 0}; /* IPv4, IPv6 prefixes */

	if (p == NULL || slots == NULL) {
		snprintf(err, errlen, "out of memory");
		free(p);
		free(slots);
		config_free(cfg);
		return NULL;
	}
	p->cfg = cfg;
	p->registry = registry;
	if (publish_tenants(registry, cfg, slots, err, errlen) < 0)
		goto fail;
	/* one table for both: an IPv4 table costs 64 MB however few its
	 * prefixes; the SBC's networks go in last, so that a prefix written
	 * in both is the SBC's */
	count_families(cfg->inside_networks, cfg->inside_network_count, hint);
	for (size_t i = 0; i < cfg->tenant_count; i++)
		count_families(cfg->tenants[i].prefixes,
			       cfg->tenants[i].prefix_count, hint);
	for (size_t i = 0; i < cfg->tenant_count; i++)
		if (prefix_table_add(&p->prefixes, "prefix",
				     cfg->tenants[i].prefixes,
				     cfg->tenants[i].prefix_count, slots[i],
				     hint[1], err, errlen) < 0)
			goto fail;
	if (prefix_table_add(&p->prefixes, "prefix", cfg->inside_networks,
			     cfg->inside_network_count, PREFIX_INSIDE, hint[1],
			     err, errlen) < 0 ||
	    prefix_table_finish(&p->prefixes, "prefix", err, errlen) < 0)
		goto fail;
	if (domain_table_build(&p->tenant_domains, cfg, slots) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	port_map_set(p->sip_ports, cfg->sip_ports, cfg->sip_port_count);
	port_map_set(p->tls_ports, cfg->tls_ports, cfg->tls_port_count);
	for (int r = 0; r < CONFIG_REFUSAL_MAX; r++)
		p->refusals[refusal_reason[r]] = (struct policy_refusal){
			.action = action_of(cfg->refusals[r].action),
			.code = cfg->refusals[r].code,
			.retry_after = cfg->refusals[r].retry_after,
		};
	p->malformed_action = action_of(cfg->malformed_action);
	rate_spec_init(&p->reply_rate, cfg->reply_rate, cfg->reply_burst);
	if (build_emergency(p, cfg, err, errlen) < 0)
		goto fail;
	memcpy(p->tag_key, tag_key, REPLY_TAG_KEY_LEN);
	free(slots);
	return p;
fail:
	free(slots);
	policy_free(p);
	return NULL;
}

void policy_free(struct policy *p)
{
	if (p == NULL)
		return;
	prefix_table_free(&p->prefixes);
	domain_table_free(&p->tenant_domains);
	config_free(p->cfg);
	free(p);
}

static void policy_free_rcu(struct rcu_head *head)
{
	policy_free(caa_container_of(head, struct policy, rcu));
}

void policy_publish(struct policy *p)
{
	struct policy *old = rcu_xchg_pointer(&current_policy, p);

	/* never waits: the control thread publishing may itself be a
	 * registered reader, and readers must not be waited for */
	if (old != NULL)
		call_rcu(&old->rcu, policy_free_rcu);
}

struct policy *policy_current(void)
{
	return rcu_dereference(current_policy);
}

/* A slot the lookup tables name, if the registry still has a tenant in it
 * (a removed tenant vanishes from the registry before the tables). */
static uint32_t live_slot(const struct policy *p, uint32_t slot)
{
	/* PREFIX_INSIDE is past every slot: the registry has nothing there */
	return slot != TENANT_NONE && policy_tenant(p, slot) != NULL ?
		       slot :
		       TENANT_NONE;
}

uint32_t policy_tenant_by_address(const struct policy *p, enum side from,
				  const struct pkt_info *pi)
{
	/* the tenant is the party outside: the source of what comes in,
	 * the destination of what the SBC sends out */
	return live_slot(p, prefix_table_lookup(&p->prefixes, pi->l3,
						from == SIDE_OUTSIDE ?
							&pi->src :
							&pi->dst));
}

enum side policy_side_of(const struct policy *p, const struct pkt_info *pi)
{
	if (pi->l3 != PKT_L3_NONE &&
	    prefix_table_lookup(&p->prefixes, pi->l3, &pi->src) ==
		    PREFIX_INSIDE)
		return SIDE_INSIDE;
	return SIDE_OUTSIDE;
}

/*
 * The URI naming the party outside: for requests, the From of what comes
 * in and the To of what goes out; responses travel the other way, so the
 * roles swap.
 */
static const struct sip_uri *outside_party_uri(enum side from,
					       const struct sip_msg *m)
{
	bool from_outside = from == SIDE_OUTSIDE;

	if (m->is_request)
		return from_outside ? &m->from : &m->to;
	return from_outside ? &m->to : &m->from;
}

void policy_refuse(const struct policy *p, enum verdict_reason reason,
		   const struct pkt_info *pi, const struct sip_msg *m,
		   struct policy_decision *d)
{
	const struct policy_refusal *r = &p->refusals[reason];

	d->reason = reason;
	d->action = r->action;
	d->reply_code = r->code;
	d->retry_after = r->retry_after;
	/* only a UDP request other than ACK can be answered; the rest of a
	 * refused dialog (the ACK to our reply, responses) is absorbed */
	if (d->action == ACTION_REPLY &&
	    (pi->l4 != PKT_L4_UDP || !m->is_request ||
	     m->method == SIP_METHOD_ACK))
		d->action = ACTION_DROP;
}

void policy_decide(const struct policy *p, enum side from,
		   const struct pkt_info *pi, const struct sip_msg *m,
		   struct policy_decision *d)
{
	uint32_t tenant = policy_tenant_by_address(p, from, pi);

	if (tenant == TENANT_NONE) {
		const struct sip_uri *u = outside_party_uri(from, m);

		tenant = live_slot(p, domain_table_lookup(&p->tenant_domains,
							  u->host.ptr,
							  u->host.len));
	}
	d->tenant = tenant;
	d->absorbed = false;
	d->reply_code = 0;
	d->retry_after = 0;
	if (m->is_request && m->method == SIP_METHOD_ACK && m->to_tag.len) {
		/* the ACK to one of our replies: it ends here, under the
		 * reason its To tag carries */
		int code = reply_tag_code(p->tag_key, &m->call_id, &m->to_tag);

		if (code >= 0 && code < VERDICT_MAX) {
			d->reason = (enum verdict_reason)code;
			d->action = ACTION_DROP;
			d->absorbed = true;
			return;
		}
	}
	if (tenant == TENANT_NONE && from == SIDE_OUTSIDE) {
		policy_refuse(p, VERDICT_UNKNOWN_SOURCE, pi, m, d);
		return;
	}
	d->reason = VERDICT_FORWARDED;
	d->action = ACTION_FORWARD;
}
