/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state_table: the lock-free table of fixed-size entries under 128-bit
 * keys that the call and registration tables are built on, and the keyed
 * hash that makes those keys.
 *
 * Contract:
 *  - Threads: every thread that touches a table (workers, the expiry
 *    caller, the control thread, tests) calls state_table_thread_init()
 *    once instead of rcu_register_thread(), reports quiescent states with
 *    rcu_quiescent_state() (or goes offline), and calls
 *    state_table_thread_fini() before it exits. An entry pointer that an
 *    operation returned stays valid until the thread's next quiescent
 *    state; no pointer may be kept across one.
 *  - Memory: a table's entries are allocated in one array at creation
 *    (capacity of them); inserting never allocates and a full table is
 *    -ENOSPC. An entry is a struct state_entry followed by the user's
 *    payload: entry_size bytes in all.
 *  - Lock-free: insert, lookup, remove and the entry updates are safe from
 *    any number of threads at once, and so are expiry and foreach, which
 *    walk the entry array by index rather than the hash.
 *  - state_table_remove() succeeds for exactly one caller per insertion
 *    (cds_lfht_del decides); expiry removes through the same path, so an
 *    entry ends once whichever way it ends. A removed entry returns to the
 *    free list after a grace period (call_rcu).
 *  - Entry word: an entry's state (a small number the user defines,
 *    0..STATE_ENTRY_STATE_MAX) and its deadline share one 64-bit word, so
 *    they change together, atomically. Deadlines are kept to a resolution
 *    of 32 ns, rounded up (never expire early). The payload is written
 *    before the entry is published and is immutable after, apart from
 *    fields the user updates with atomics.
 *  - Expiry: state_table_expire() for one table runs in one thread at a
 *    time (it keeps a cursor); the other operations may run concurrently.
 *  - Keys: state_key_* is SipHash-2-4-128 under a secret key drawn at
 *    process start, so a sender cannot choose values that collide into
 *    one hash chain. Keys are meaningful within one process only.
 *  - Prefetch: a caller that knows a batch of keys before it uses them
 *    (a worker's burst) can have their buckets, then the nodes they point
 *    to, fetched ahead (state_table_prefetch_*): the bucket's address
 *    follows from the key alone, since the number of buckets is fixed.
 *
 * Design: liburcu's cds_lfht (split-ordered lists) with a fixed number of
 * buckets, the next power of two at or above the capacity (at most 2
 * buckets and 32 bytes per entry; no resize, so no resize thread and no
 * allocation after creation). cds_lfht was chosen over an own open-
 * addressing table because its correctness (lock-free insert-unique and
 * delete-once under RCU) is established and tested upstream; an
 * open-addressing table with tombstones would save the 16-byte node and
 * the bucket share but needs its own proof for concurrent delete and
 * reinsert of a key, which this project does not need to carry for ~30
 * bytes per call.
 *
 * The bucket array, allocated and filled by cds_lfht, is moved onto
 * transparent huge pages where the kernel allows (madvise; as the entry
 * array), since every lookup of a new key reads two random buckets.
 *
 * Memory per entry: the 64-byte head below (cds_lfht node 16, rcu_head
 * 16, key 16, word 8, table 8) plus the payload, plus the bucket share:
 * 16 x buckets / capacity, so 16 bytes at a power-of-two capacity.
 *
 * The free list is a Treiber stack of 32-bit indices with a 32-bit ABA tag
 * in one 64-bit CAS word; while an entry is free its next index lives in
 * its entry word, so the list costs no memory of its own. Insert takes a
 * free entry before it knows whether the key exists; when it does (a
 * retransmission), the never-published entry goes straight back.
 *
 * Reclamation latency: the RT call_rcu thread looks for work every 10 ms,
 * then waits for a grace period, so a removed entry is reusable some
 * 10-20 ms later. A table kept within that much churn of its capacity
 * reports -ENOSPC meanwhile.
 */
#ifndef SIPWARDEN_STATE_TABLE_H
#define SIPWARDEN_STATE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <urcu-qsbr.h>
#include <urcu/rculfhash.h>

struct state_key {
	uint64_t hi, lo;
};

struct state_table;

/*
 * The head of every entry; the user's payload follows it. The fields are
 * the table's own: users read them through the state_entry_* functions.
 */
struct state_entry {
	struct cds_lfht_node node;
	struct rcu_head rcu;
	struct state_key key;
	uint64_t word; /* deadline | flags | state, or the free-list link */
	struct state_table *table;
};

#define STATE_ENTRY_STATE_MAX 7u

/*
 * Upper bound of the per-entry share of bucket memory (buckets < 2 x
 * capacity, one cds_lfht_node each), for static checks of entry budgets.
 */
#define STATE_TABLE_BUCKET_BYTES_MAX (2 * sizeof(struct cds_lfht_node))

/*
 * Once per thread, before its first table operation, instead of
 * rcu_register_thread(): registers the thread as a QSBR reader (online)
 * and directs its call_rcu callbacks to the tables' call_rcu thread (RT
 * flavour: that thread polls, so call_rcu never makes a syscall). The
 * first call creates that thread; it inherits the caller's CPU affinity,
 * so call it first from an unpinned (control) thread.
 */
void state_table_thread_init(void);
/* Before the thread exits, instead of rcu_unregister_thread(). */
void state_table_thread_fini(void);

/*
 * capacity: 1 .. 2^32 - 2 entries. entry_size: sizeof the user's entry
 * struct, which begins with a struct state_entry. NULL on failure.
 */
struct state_table *state_table_create(uint32_t capacity, size_t entry_size);
/*
 * When no thread uses the table any more. Waits for pending reclamation
 * (rcu_barrier, taking the caller offline meanwhile), so the caller must
 * not be inside a read-side section it relies on.
 */
void state_table_free(struct state_table *t);

/*
 * Insert under key with the given state and deadline; copies payload_len
 * bytes of payload to the start of the entry's payload and zeroes the
 * rest of it. Returns 0 and *entry, -EEXIST and the existing *entry, or
 * -ENOSPC (*entry NULL).
 */
int state_table_insert(struct state_table *t, const struct state_key *key,
		       uint32_t state, uint64_t deadline_ns,
		       const void *payload, size_t payload_len,
		       struct state_entry **entry);
struct state_entry *state_table_lookup(struct state_table *t,
				       const struct state_key *key);
/*
 * Prefetch what a lookup or insert of key will read, for a burst that
 * knows its keys before it uses them: first the key's bucket, then (once
 * that has had time to arrive) the node the bucket points to, which is
 * the entry itself for most hits and the next bucket for most misses.
 * Hints only: no effect on results, safe at any time under RCU.
 */
void state_table_prefetch_bucket(const struct state_table *t,
				 const struct state_key *key);
void state_table_prefetch_chain(const struct state_table *t,
				const struct state_key *key);
/* True for exactly one caller per insertion (see the contract). */
bool state_table_remove(struct state_table *t, struct state_entry *e);

uint32_t state_entry_state(const struct state_entry *e);
uint64_t state_entry_deadline_ns(const struct state_entry *e);
/*
 * Set state and deadline at once if the current state is in from_states
 * (a mask of 1u << state) and the entry is not being removed. Returns
 * whether it did; of racing callers moving out of a state, one wins.
 */
bool state_entry_update(struct state_entry *e, uint32_t from_states,
			uint32_t state, uint64_t deadline_ns);

/*
 * Remove entries whose deadline is before now_ns, examining at most
 * budget entries from where the previous pass stopped. on_expired runs
 * once for each entry this call removed, before it is handed to
 * reclamation. Returns the number removed.
 */
uint32_t
state_table_expire(struct state_table *t, uint64_t now_ns, uint32_t budget,
		   void (*on_expired)(struct state_entry *e, void *arg),
		   void *arg);

/* Visit every entry in the table (read-only); slots in array order. */
void state_table_foreach(struct state_table *t,
			 void (*fn)(const struct state_entry *e, void *arg),
			 void *arg);

/* Entries in use (approximate under concurrent updates). */
uint32_t state_table_count(const struct state_table *t);
uint32_t state_table_capacity(const struct state_table *t);
/*
 * Entry array and bucket memory divided by the capacity, rounded up (the
 * table's fixed few hundred bytes left out).
 */
size_t state_table_bytes_per_entry(const struct state_table *t);
/*
 * Entries on the free list: a walk of it, exact only when no thread
 * updates the table and no reclamation is pending (tests, diagnostics).
 */
uint32_t state_table_free_count(const struct state_table *t);

/*
 * The typed face of a state_table, shared by calls and regs so neither
 * repeats the other. For a prefix N it defines, as N.h declares them:
 * N_table_create/free/insert/lookup/prefetch/remove/expire/count/
 * capacity/bytes_per_entry/foreach/foreach_entry, N_entry_info,
 * N_entry_state, N_entry_key. It expects
 * struct N_table (opaque: it is the state_table), struct N_key {hi, lo},
 * struct N_info, enum N_state, and struct N_entry beginning with
 * `struct state_entry head;` then `struct N_info info;`. New entries start
 * in initial_state; foreach reports visit_time(entry) as its third value.
 */
#define STATE_TABLE_TYPED(N, initial_state, visit_time)                        \
	_Static_assert(offsetof(struct N##_entry, info) ==                     \
			       sizeof(struct state_entry),                     \
		       "insert copies the info right after the head");         \
	static inline struct state_table *N##_state_table(                     \
		const struct N##_table *t)                                     \
	{                                                                      \
		return (struct state_table *)t;                                \
	}                                                                      \
	static inline struct state_key N##_state_key(const struct N##_key *k)  \
	{                                                                      \
		return (struct state_key){.hi = k->hi, .lo = k->lo};           \
	}                                                                      \
	struct N##_table *N##_table_create(uint32_t capacity)                  \
	{                                                                      \
		return (struct N##_table *)state_table_create(                 \
			capacity, sizeof(struct N##_entry));                   \
	}                                                                      \
	void N##_table_free(struct N##_table *t)                               \
	{                                                                      \
		state_table_free(N##_state_table(t));                          \
	}                                                                      \
	int N##_table_insert(struct N##_table *t, const struct N##_key *key,   \
			     const struct N##_info *info,                      \
			     uint64_t deadline_ns, struct N##_entry **entry)   \
	{                                                                      \
		struct state_key k = N##_state_key(key);                       \
		struct state_entry *e;                                         \
		int rc = state_table_insert(N##_state_table(t), &k,            \
					    initial_state, deadline_ns, info,  \
					    sizeof(*info), &e);                \
		*entry = (struct N##_entry *)e;                                \
		return rc;                                                     \
	}                                                                      \
	struct N##_entry *N##_table_lookup(struct N##_table *t,                \
					   const struct N##_key *key)          \
	{                                                                      \
		struct state_key k = N##_state_key(key);                       \
		return (struct N##_entry *)state_table_lookup(                 \
			N##_state_table(t), &k);                               \
	}                                                                      \
	void N##_table_prefetch(const struct N##_table *t,                     \
				const struct N##_key *key, bool chain)         \
	{                                                                      \
		struct state_key k = N##_state_key(key);                       \
		if (chain)                                                     \
			state_table_prefetch_chain(N##_state_table(t), &k);    \
		else                                                           \
			state_table_prefetch_bucket(N##_state_table(t), &k);   \
	}                                                                      \
	bool N##_table_remove(struct N##_table *t, struct N##_entry *e)        \
	{                                                                      \
		return state_table_remove(N##_state_table(t), &e->head);       \
	}                                                                      \
	const struct N##_info *N##_entry_info(const struct N##_entry *e)       \
	{                                                                      \
		return &e->info;                                               \
	}                                                                      \
	enum N##_state N##_entry_state(const struct N##_entry *e)              \
	{                                                                      \
		return (enum N##_state)state_entry_state(&e->head);            \
	}                                                                      \
	struct N##_expired_relay {                                             \
		void (*fn)(const struct N##_info *info, void *arg);            \
		void *arg;                                                     \
	};                                                                     \
	static void N##_relay_expired(struct state_entry *e, void *arg)        \
	{                                                                      \
		struct N##_expired_relay *r = arg;                             \
		r->fn(&((struct N##_entry *)e)->info, r->arg);                 \
	}                                                                      \
	uint32_t N##_table_expire(                                             \
		struct N##_table *t, uint64_t now_ns, uint32_t budget,         \
		void (*on_expired)(const struct N##_info *info, void *arg),    \
		void *arg)                                                     \
	{                                                                      \
		struct N##_expired_relay r = {on_expired, arg};                \
		return state_table_expire(                                     \
			N##_state_table(t), now_ns, budget,                    \
			on_expired ? N##_relay_expired : NULL, &r);            \
	}                                                                      \
	uint32_t N##_table_count(const struct N##_table *t)                    \
	{                                                                      \
		return state_table_count(N##_state_table(t));                  \
	}                                                                      \
	uint32_t N##_table_capacity(const struct N##_table *t)                 \
	{                                                                      \
		return state_table_capacity(N##_state_table(t));               \
	}                                                                      \
	size_t N##_table_bytes_per_entry(const struct N##_table *t)            \
	{                                                                      \
		return state_table_bytes_per_entry(N##_state_table(t));        \
	}                                                                      \
	struct N##_visit {                                                     \
		void (*fn)(const struct N##_info *info, enum N##_state state,  \
			   uint64_t time_ns, void *arg);                       \
		void *arg;                                                     \
	};                                                                     \
	static void N##_relay_visit(const struct state_entry *e, void *arg)    \
	{                                                                      \
		const struct N##_entry *n = (const struct N##_entry *)e;       \
		struct N##_visit *v = arg;                                     \
		v->fn(&n->info, N##_entry_state(n), visit_time(n), v->arg);    \
	}                                                                      \
	void N##_table_foreach(struct N##_table *t,                            \
			       void (*fn)(const struct N##_info *info,         \
					  enum N##_state state,                \
					  uint64_t time_ns, void *arg),        \
			       void *arg)                                      \
	{                                                                      \
		struct N##_visit v = {fn, arg};                                \
		state_table_foreach(N##_state_table(t), N##_relay_visit, &v);  \
	}                                                                      \
	struct N##_key N##_entry_key(const struct N##_entry *e)                \
	{                                                                      \
		return (struct N##_key){.hi = e->head.key.hi,                  \
					.lo = e->head.key.lo};                 \
	}                                                                      \
	struct N##_entry_visit {                                               \
		void (*fn)(const struct N##_entry *e, void *arg);              \
		void *arg;                                                     \
	};                                                                     \
	static void N##_relay_entry(const struct state_entry *e, void *arg)    \
	{                                                                      \
		struct N##_entry_visit *v = arg;                               \
		v->fn((const struct N##_entry *)e, v->arg);                    \
	}                                                                      \
	void N##_table_foreach_entry(struct N##_table *t,                      \
				     void (*fn)(const struct N##_entry *e,     \
						void *arg),                    \
				     void *arg)                                \
	{                                                                      \
		struct N##_entry_visit v = {fn, arg};                          \
		state_table_foreach(N##_state_table(t), N##_relay_entry, &v);  \
	}

/*
 * Build a key from a sequence of fields (SipHash-2-4-128, keyed): the key
 * is that of the fields' bytes laid end to end, however they are split
 * into calls. Work goes by 64-bit words, so fields that keep the running
 * length a multiple of 8 (state_key_add_u64 first, then the variable
 * field) cost one compression per 8 bytes and nothing per byte.
 */
struct state_key_hasher {
	uint64_t v[4];
	uint64_t tail; /* bytes not yet compressed, little-endian */
	uint64_t len;
};

void state_key_hasher_init(struct state_key_hasher *h);
void state_key_add(struct state_key_hasher *h, const void *p, size_t len);
/* As state_key_add, with ASCII letters lower-cased. */
void state_key_add_lower(struct state_key_hasher *h, const void *p, size_t len);
/* The 4 or 8 bytes of v, little-endian. */
void state_key_add_u32(struct state_key_hasher *h, uint32_t v);
void state_key_add_u64(struct state_key_hasher *h, uint64_t v);
struct state_key state_key_final(struct state_key_hasher *h);
/*
 * The usual key shapes in one call, equal to the hasher fed the same
 * fields (init, add_u64(word), add(p, len)[, add_lower(lower,
 * lower_len)], final) but with its state kept in registers throughout.
 */
struct state_key state_key_word_bytes(uint64_t word, const void *p, size_t len);
struct state_key state_key_word_bytes_lower(uint64_t word, const void *p,
					    size_t len, const void *lower,
					    size_t lower_len);
/*
 * Replace the secret hash key (tests against reference vectors,
 * reproducible runs, keys restored from a state file); only before any
 * key is made.
 */
void state_key_set_secret(const uint8_t secret[16]);
/* The secret in use, for a state file whose keys must stay valid. */
void state_key_get_secret(uint8_t secret[16]);
/*
 * A hasher under the given key instead of the process's secret: the same
 * SipHash-2-4-128, for checksums that must mean the same in every process.
 */
void state_key_hasher_init_keyed(struct state_key_hasher *h,
				 const uint8_t key[16]);

#endif
