/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tenant_registry: stable tenant numbers ("slots") and each tenant's
 * current limits, changed at runtime without stopping the fast path.
 *
 * Contract:
 *  - A tenant keeps its slot for as long as it exists, across policy
 *    snapshots, reloads and limit changes: counters and live state (calls,
 *    registrations) are indexed by slot, so they survive every change.
 *  - Workers read a slot's policy with tenant_registry_get() between
 *    liburcu QSBR quiescent states and never keep the pointer across one;
 *    NULL means "no tenant here" (freed, or not yet published).
 *  - Writers are the control thread only: tenant_registry_publish() swaps
 *    in a new policy object with one pointer store and frees the old one
 *    after a grace period (call_rcu). No lock, no wait for the workers.
 *  - Names and slot states belong to the control thread; other control-
 *    plane threads (metrics, telemetry) read them only through
 *    tenant_registry_copy_names(), which takes the registry's lock, as do
 *    the writers when they change them. The fast path never does.
 *  - A removed tenant's slot drains: it is reused only once
 *    tenant_registry_reap() finds it idle (no call or registration still
 *    counted against it), so a new tenant never inherits old live state.
 */
#ifndef SIPWARDEN_TENANT_REGISTRY_H
#define SIPWARDEN_TENANT_REGISTRY_H

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include <urcu-qsbr.h>

#include "config.h"
#include "ratelimit.h"

/* A tenant's limits as the fast path uses them (0 = no limit). */
struct tenant_policy {
	char name[CONFIG_NAME_MAX];
	struct config_limits limits; /* as configured, for reports */
	uint32_t max_calls, max_inbound, max_outbound, max_users;
	struct rate_spec cps, caller_cps, register_rate, other_rate;
	uint64_t max_call_duration_ns, unanswered_timeout_ns;
	bool suspended;
	struct rcu_head rcu;
};

enum tenant_slot_state {
	TENANT_SLOT_FREE = 0,
	TENANT_SLOT_ACTIVE,
	TENANT_SLOT_DRAINING,
};

struct tenant_registry {
	uint32_t capacity;
	struct tenant_policy **slots;	/* RCU pointers, [capacity] */
	uint8_t *state;			/* enum tenant_slot_state, control */
	/* tenant_key_id() of each taken slot's name, set before the slot's
	 * first policy is published: the tenant in call and registration
	 * keys. An array of its own, so a worker loads it in parallel with
	 * the policy, not after it */
	uint64_t *key_ids;
	char (*names)[CONFIG_NAME_MAX];	/* of active and draining slots */
	/* name -> slot, open addressing, control thread only */
	uint32_t *index;
	uint32_t index_mask;
	uint32_t free_hint;   /* no free slot below it (under lock) */
	pthread_mutex_t lock; /* names and state, against other readers */
};

struct tenant_registry *tenant_registry_create(uint32_t capacity);
/* Only when no reader is left. */
void tenant_registry_free(struct tenant_registry *r);

static inline const struct tenant_policy *
tenant_registry_get(const struct tenant_registry *r, uint32_t slot)
{
	if (slot >= r->capacity)
		return NULL;
	/* rcu_dereference() without _LGPL_SOURCE is a call into liburcu,
	 * two or three per packet; this is the load it makes (a dependent
	 * load: consume order, a plain load on x86) */
	return __atomic_load_n(&r->slots[slot], __ATOMIC_CONSUME);
}

/*
 * The tenant in call and registration keys: a hash of its name, the same
 * in every process, so that keys stay valid when the tenant's slot changes
 * (a restart with a state file, after the configuration's tenants changed).
 */
uint64_t tenant_key_id(const char *name);

static inline uint64_t
tenant_registry_key_id(const struct tenant_registry *r, uint32_t slot)
{
	return r->key_ids[slot];
}

/* Fill a policy object from configured limits. */
void tenant_policy_init(struct tenant_policy *tp, const char *name,
			const struct config_limits *l, bool suspended);

/* The active slot of `name`, or -1. */
int64_t tenant_registry_find(const struct tenant_registry *r, const char *name);

/*
 * Publish tp (copied) for `name`: its own slot if it has one, else a free
 * slot. Returns the slot, or -1 when every slot is taken.
 */
int64_t tenant_registry_publish(struct tenant_registry *r,
				const struct tenant_policy *tp);

/* Unpublish a tenant; its slot drains (see the contract). */
void tenant_registry_remove(struct tenant_registry *r, uint32_t slot);

/* Free draining slots that is_idle() says hold nothing any more. */
void tenant_registry_reap(struct tenant_registry *r,
			  bool (*is_idle)(void *ctx, uint32_t slot), void *ctx);

/* Active tenants, for listings. */
uint32_t tenant_registry_count(const struct tenant_registry *r);

/* Copy the names of active slots into names[capacity] ("" elsewhere);
 * safe from any control-plane thread. Returns the active count. */
uint32_t tenant_registry_copy_names(struct tenant_registry *r,
				    char (*names)[CONFIG_NAME_MAX]);

#endif
