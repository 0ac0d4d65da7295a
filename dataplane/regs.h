/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * regs: the lock-free table of registrations (address-of-record bindings
 * seen through the SBC), shared by every worker. The twin of calls.h.
 *
 * Contract:
 *  - Keyed by a 128-bit key (reg_key_make: the tenant's key id + AOR user
 *    and host,
 *    hashed): the host compares without letter case, the user with it
 *    (RFC 3261 19.1.4), so sip:Alice@Example.COM and sip:Alice@example.com
 *    are one AOR and sip:alice@example.com another. The scheme, port and
 *    parameters are not part of the key. The AOR is not stored.
 *  - Entries come from a pool preallocated at creation (capacity
 *    registrations); insert never allocates, and a full pool is -ENOSPC.
 *  - All operations are lock-free and safe from any thread set up with
 *    state_table_thread_init() (a liburcu QSBR reader). A pointer returned
 *    by lookup/insert stays valid until the calling thread's next
 *    quiescent state; removed entries return to the pool only after a
 *    grace period (call_rcu).
 *  - reg_table_remove() succeeds for exactly one caller per entry: that
 *    caller owns the release of whatever the registration held. Expiry
 *    goes through the same path.
 *  - State and expiry time change together, atomically
 *    (reg_entry_set_expiry); expiry times are kept to 32 ns, rounded up.
 *    The info is written before the entry is published and never after.
 *  - reg_table_expire() runs in one thread at a time per table; everything
 *    else may run concurrently with it.
 */
#ifndef SIPWARDEN_REGS_H
#define SIPWARDEN_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip_scan.h"

struct reg_key {
	uint64_t hi, lo;
};

enum reg_state {
	REG_PENDING = 0, /* REGISTER seen, no 2xx yet */
	REG_ACTIVE,	 /* 2xx seen: bound until the expiry time */
};

struct reg_entry; /* opaque; read through the accessors below */

struct reg_info {
	uint32_t tenant;
	uint64_t created_ns;
};

struct reg_table;

struct reg_table *reg_table_create(uint32_t capacity);
/* Only when no thread uses it any more. */
void reg_table_free(struct reg_table *t);

/* tenant_key: tenant_registry_key_id() of the tenant, not its slot. */
struct reg_key reg_key_make(uint64_t tenant_key, const struct sip_uri *aor);

/*
 * Insert a new registration in REG_PENDING. Returns 0 and *entry, -EEXIST
 * and the existing *entry (a refresh, a retransmission or a race with
 * another lcore), or -ENOSPC (*entry NULL). expires_ns: when an expiry
 * pass may end it if nothing else happens.
 */
int reg_table_insert(struct reg_table *t, const struct reg_key *key,
		     const struct reg_info *info, uint64_t expires_ns,
		     struct reg_entry **entry);
struct reg_entry *reg_table_lookup(struct reg_table *t,
				   const struct reg_key *key);
/*
 * Fetch ahead what a lookup or insert of key will read: first with chain
 * false (the bucket), some time later with chain true (the node it points
 * to). A hint; see state_table.h.
 */
void reg_table_prefetch(const struct reg_table *t, const struct reg_key *key,
			bool chain);

/* Exactly one caller per entry gets true (see the contract). */
bool reg_table_remove(struct reg_table *t, struct reg_entry *e);

const struct reg_info *reg_entry_info(const struct reg_entry *e);
enum reg_state reg_entry_state(const struct reg_entry *e);
uint64_t reg_entry_expires_ns(const struct reg_entry *e);

/*
 * Set state and expiry time together (a 2xx: REG_ACTIVE and now + the
 * granted expiry). False if the entry is being removed (expired or
 * unregistered meanwhile): the caller then inserts anew.
 */
bool reg_entry_set_expiry(struct reg_entry *e, enum reg_state state,
			  uint64_t expires_ns);

/*
 * Remove entries whose expiry time is before now_ns, examining at most
 * `budget` entries from where the previous pass stopped. For each entry
 * this call removed, on_expired runs once. Returns the number removed.
 */
uint32_t reg_table_expire(struct reg_table *t, uint64_t now_ns, uint32_t budget,
			  void (*on_expired)(const struct reg_info *info,
					     void *arg),
			  void *arg);

/* Entries in use (approximate under concurrent updates). */
uint32_t reg_table_count(const struct reg_table *t);
uint32_t reg_table_capacity(const struct reg_table *t);
/* Bytes of memory per registration slot, all structures included. */
size_t reg_table_bytes_per_entry(const struct reg_table *t);

/*
 * Visit every entry itself, with what persistence needs besides the info:
 * the key and the deadline. Read-only; the pointer is the visit's only.
 */
void reg_table_foreach_entry(struct reg_table *t,
			     void (*fn)(const struct reg_entry *e, void *arg),
			     void *arg);
struct reg_key reg_entry_key(const struct reg_entry *e);

/* Visit every registration (control plane listings); read-only. */
void reg_table_foreach(struct reg_table *t,
		       void (*fn)(const struct reg_info *info,
				  enum reg_state state, uint64_t expires_ns,
				  void *arg),
		       void *arg);

#endif
