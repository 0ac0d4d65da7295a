/* SPDX-License-Identifier: BSD-3-Clause */
#include "tenant_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_table.h"

#define NS_PER_S 1000000000ULL
#define INDEX_EMPTY UINT32_MAX

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* The slot whose name is `name` (active or draining), or INDEX_EMPTY; *at
 * is where it is or would go in the index. */
static uint32_t index_lookup(const struct tenant_registry *r,
			     const char *name, uint32_t *at)
{
	uint32_t i = (uint32_t)name_hash(name) & r->index_mask;

	for (;; i = (i + 1) & r->index_mask) {
		uint32_t slot = r->index[i];

		if (slot == INDEX_EMPTY || strcmp(r->names[slot], name) == 0) {
			*at = i;
			return slot;
		}
	}
}

struct tenant_registry *tenant_registry_create(uint32_t capacity)
{
	struct tenant_registry *r = calloc(1, sizeof(*r));
	uint32_t n = 2;

	if (r == NULL)
		return NULL;
	while (n < capacity * 2ULL && n < (1u << 31))
		n <<= 1;
	r->capacity = capacity;
	r->slots = calloc(capacity ? capacity : 1, sizeof(*r->slots));
	r->state = calloc(capacity ? capacity : 1, sizeof(*r->state));
	r->names = calloc(capacity ? capacity : 1, sizeof(*r->names));
	r->key_ids = calloc(capacity ? capacity : 1, sizeof(*r->key_ids));
	r->index = malloc(n * sizeof(*r->index));
	if (r->slots == NULL || r->state == NULL || r->names == NULL ||
	    r->key_ids == NULL || r->index == NULL) {
		tenant_registry_free(r);
		return NULL;
	}
	memset(r->index, 0xff, n * sizeof(*r->index));
	r->index_mask = n - 1;
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void tenant_registry_free(struct tenant_registry *r)
{
	if (r == NULL)
		return;
	for (uint32_t i = 0; r->slots != NULL && i < r->capacity; i++)
		free(r->slots[i]);
	free(r->slots);
	free(r->state);
	free(r->names);
	free(r->key_ids);
	free(r->index);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

uint64_t tenant_key_id(const char *name)
{
	/* a fixed key: the id is no secret, the keys it goes into are */
	static const uint8_t id_key[16] = "sipwarden-tenant";
	struct state_key_hasher h;

	state_key_hasher_init_keyed(&h, id_key);
	state_key_add(&h, name, strlen(name));
	return state_key_final(&h).lo;
}

void tenant_policy_init(struct tenant_policy *tp, const char *name,
			const struct config_limits *l, bool suspended)
{
	memset(tp, 0, sizeof(*tp));
	snprintf(tp->name, sizeof(tp->name), "%s", name);
	tp->limits = *l;
	tp->max_calls = l->max_calls;
	tp->max_inbound = l->max_inbound;
	tp->max_outbound = l->max_outbound;
	tp->max_users = l->max_users;
	rate_spec_init(&tp->cps, l->cps, l->burst);
	rate_spec_init(&tp->caller_cps, l->caller_cps, l->caller_burst);
	rate_spec_init(&tp->register_rate, l->register_rate,
		       l->register_burst);
	rate_spec_init(&tp->other_rate, l->other_rate, l->other_burst);
	tp->max_call_duration_ns = (uint64_t)l->max_call_duration * NS_PER_S;
	tp->unanswered_timeout_ns =
		(uint64_t)l->unanswered_timeout * NS_PER_S;
	tp->suspended = suspended;
}

int64_t tenant_registry_find(const struct tenant_registry *r,
			     const char *name)
{
	uint32_t at, slot = index_lookup(r, name, &at);

	if (slot == INDEX_EMPTY || r->state[slot] != TENANT_SLOT_ACTIVE)
		return -1;
	return slot;
}

static void free_policy(struct rcu_head *head)
{
	free(caa_container_of(head, struct tenant_policy, rcu));
}

static void swap_policy(struct tenant_registry *r, uint32_t slot,
			struct tenant_policy *tp)
{
	struct tenant_policy *old = rcu_xchg_pointer(&r->slots[slot], tp);

	if (old != NULL)
		call_rcu(&old->rcu, free_policy);
}

int64_t tenant_registry_publish(struct tenant_registry *r,
				const struct tenant_policy *tp)
{
	struct tenant_policy *copy = malloc(sizeof(*copy));
	uint32_t at, slot;

	if (copy == NULL)
		return -1;
	*copy = *tp;
	/* a tenant coming back while it drains takes its slot again, with
	 * the calls it still holds */
	pthread_mutex_lock(&r->lock);
	slot = index_lookup(r, tp->name, &at);
	if (slot == INDEX_EMPTY) {
		/* the lowest free slot, as before, without scanning the
		 * taken ones again for every tenant of a large config */
		for (slot = r->free_hint; slot < r->capacity; slot++)
			if (r->state[slot] == TENANT_SLOT_FREE)
				break;
		if (slot == r->capacity) {
			r->free_hint = slot;
			pthread_mutex_unlock(&r->lock);
			free(copy);
			return -1;
		}
		r->free_hint = slot + 1;
		r->index[at] = slot;
		snprintf(r->names[slot], sizeof(r->names[slot]), "%s",
			 tp->name);
		r->key_ids[slot] = tenant_key_id(r->names[slot]);
	}
	r->state[slot] = TENANT_SLOT_ACTIVE;
	pthread_mutex_unlock(&r->lock);
	swap_policy(r, slot, copy);
	return slot;
}

void tenant_registry_remove(struct tenant_registry *r, uint32_t slot)
{
	if (slot >= r->capacity || r->state[slot] != TENANT_SLOT_ACTIVE)
		return;
	/* readers see NULL from now on; the name stays in the index so
	 * that the tenant may come back to its slot while it drains */
	swap_policy(r, slot, NULL);
	pthread_mutex_lock(&r->lock);
	r->state[slot] = TENANT_SLOT_DRAINING;
	pthread_mutex_unlock(&r->lock);
}

/* Rebuild the name index from the slots still named. */
static void reindex(struct tenant_registry *r)
{
	memset(r->index, 0xff, (r->index_mask + 1) * sizeof(*r->index));
	for (uint32_t slot = 0; slot < r->capacity; slot++) {
		uint32_t at;

		if (r->state[slot] == TENANT_SLOT_FREE)
			continue;
		index_lookup(r, r->names[slot], &at);
		r->index[at] = slot;
	}
}

void tenant_registry_reap(struct tenant_registry *r,
			  bool (*is_idle)(void *ctx, uint32_t slot), void *ctx)
{
	bool freed = false;

	pthread_mutex_lock(&r->lock);
	for (uint32_t slot = 0; slot < r->capacity; slot++) {
		if (r->state[slot] != TENANT_SLOT_DRAINING ||
		    !is_idle(ctx, slot))
			continue;
		r->state[slot] = TENANT_SLOT_FREE;
		r->names[slot][0] = '\0';
		if (slot < r->free_hint)
			r->free_hint = slot;
		freed = true;
	}
	if (freed)
		reindex(r);
	pthread_mutex_unlock(&r->lock);
}

uint32_t tenant_registry_copy_names(struct tenant_registry *r,
				    char (*names)[CONFIG_NAME_MAX])
{
	uint32_t n = 0;

	pthread_mutex_lock(&r->lock);
	for (uint32_t slot = 0; slot < r->capacity; slot++) {
		if (r->state[slot] == TENANT_SLOT_ACTIVE) {
			memcpy(names[slot], r->names[slot], CONFIG_NAME_MAX);
			n++;
		} else {
			names[slot][0] = '\0';
		}
	}
	pthread_mutex_unlock(&r->lock);
	return n;
}

uint32_t tenant_registry_count(const struct tenant_registry *r)
{
	uint32_t n = 0;

	for (uint32_t slot = 0; slot < r->capacity; slot++)
		n += r->state[slot] == TENANT_SLOT_ACTIVE;
	return n;
}
