/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * calls: the lock-free table of calls in progress, shared by every worker.
 *
 * Contract:
 *  - Keyed by a 128-bit key (call_key_make: the tenant's key id +
 *    Call-ID, hashed): the Call-ID itself is not stored, so an entry fits
 *    in 128 bytes. The tenant's slot is not part of the key, so a key
 *    stays valid when the slot changes (reload, restart).
 *  - Entries come from a pool preallocated at creation (capacity calls);
 *    insert never allocates, and a full pool is -ENOSPC, not a crash.
 *  - All operations are lock-free and safe from any registered liburcu
 *    QSBR thread (registered with state_table_thread_init(), which also
 *    sends its call_rcu callbacks to a polling call_rcu thread). A pointer
 *    returned by lookup/insert stays valid until the calling thread's next
 *    quiescent state; removed entries return to the pool only after a
 *    grace period (call_rcu).
 *  - call_table_remove() succeeds for exactly one caller per entry: that
 *    caller owns the release of whatever the call held (its slot in the
 *    tenant's limit). Expiry goes through the same path.
 *  - Fields of an entry other than `state`, `answered_ns` and `deadline_ns`
 *    are written before it is published and never after. State and
 *    deadline change together, atomically; deadlines are kept to 32 ns,
 *    rounded up.
 *  - call_table_expire() runs in one thread at a time per table; all the
 *    other operations may run concurrently with it.
 *  - Memory: see state_table.h; with the default 2^20 slots, 112 bytes per
 *    call (a 96-byte entry and a 16-byte hash bucket), never over 128.
 */
#ifndef SIPWARDEN_CALLS_H
#define SIPWARDEN_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "sip_scan.h"

struct call_key {
	uint64_t hi, lo;
};

enum call_state {
	CALL_EARLY = 0, /* INVITE seen, no final response */
	CALL_ANSWERED,	/* 2xx seen */
	CALL_ENDING,	/* BYE seen; ends on its response or deadline */
};

enum call_direction {
	CALL_FROM_OUTSIDE = 0, /* the tenant calls in through the SBC */
	CALL_FROM_INSIDE,      /* the SBC calls out to the tenant */
};

struct call_entry; /* opaque; read through the accessors below */

struct call_info {
	uint32_t tenant;
	enum call_direction direction;
	bool emergency;
	uint32_t invite_cseq;
	uint64_t created_ns;
};

struct call_table;

struct call_table *call_table_create(uint32_t capacity);
/* Only when no thread uses it any more. */
void call_table_free(struct call_table *t);

/* tenant_key: tenant_registry_key_id() of the tenant, not its slot. */
struct call_key call_key_make(uint64_t tenant_key,
			      const struct sip_str *call_id);

/*
 * Insert a new call. Returns 0 and *entry, -EEXIST and the existing
 * *entry (a retransmission or a race with another lcore), or -ENOSPC.
 * deadline_ns: when an expiry pass may end it if nothing else happens.
 */
int call_table_insert(struct call_table *t, const struct call_key *key,
		      const struct call_info *info, uint64_t deadline_ns,
		      struct call_entry **entry);
struct call_entry *call_table_lookup(struct call_table *t,
				     const struct call_key *key);
/*
 * Fetch ahead what a lookup or insert of key will read: first with chain
 * false (the bucket), some time later with chain true (the node it points
 * to). A hint; see state_table.h.
 */
void call_table_prefetch(const struct call_table *t, const struct call_key *key,
			 bool chain);

/* Exactly one caller per entry gets true (see the contract). */
bool call_table_remove(struct call_table *t, struct call_entry *e);

const struct call_info *call_entry_info(const struct call_entry *e);
enum call_state call_entry_state(const struct call_entry *e);
/* 0 until a 2xx; set before the state turns CALL_ANSWERED. */
uint64_t call_entry_answered_ns(const struct call_entry *e);

/*
 * Mark answered (first 2xx only; returns true for that one) and set the
 * new deadline (e.g. now + maximum call duration).
 */
bool call_entry_answer(struct call_entry *e, uint64_t now_ns,
		       uint64_t deadline_ns);
/* BYE seen: the call ends on the BYE's response or at deadline_ns. */
void call_entry_ending(struct call_entry *e, uint64_t deadline_ns);

/*
 * Remove entries whose deadline is before now_ns, examining at most
 * `budget` entries from where the previous pass stopped (so a 1M-entry
 * table is swept in slices). For each entry this call removed, on_expired
 * (may be NULL) runs once. Returns the number removed.
 */
uint32_t
call_table_expire(struct call_table *t, uint64_t now_ns, uint32_t budget,
		  void (*on_expired)(const struct call_info *info, void *arg),
		  void *arg);

/* Entries in use (approximate under concurrent updates). */
uint32_t call_table_count(const struct call_table *t);
uint32_t call_table_capacity(const struct call_table *t);
/* Bytes of memory per call slot, all structures included. */
size_t call_table_bytes_per_entry(const struct call_table *t);

/*
 * Visit every entry itself, with what persistence needs besides the info:
 * the key and the deadline. Read-only; the pointer is the visit's only.
 */
void call_table_foreach_entry(struct call_table *t,
			     void (*fn)(const struct call_entry *e, void *arg),
			     void *arg);
struct call_key call_entry_key(const struct call_entry *e);
/* When an expiry pass may end it (unanswered, duration, BYE timeout). */
uint64_t call_entry_deadline_ns(const struct call_entry *e);

/* Visit every call (control plane listings, persistence); read-only. */
void call_table_foreach(struct call_table *t,
			void (*fn)(const struct call_info *info,
				   enum call_state state, uint64_t answered_ns,
				   void *arg),
			void *arg);

#endif
