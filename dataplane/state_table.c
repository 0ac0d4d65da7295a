/* SPDX-License-Identifier: BSD-3-Clause */
#include "state_table.h"

#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "siphash.h"

/*
 * Entry word, while the entry is taken:
 *   bits 0-2  state (the user's)
 *   bit  3    LINKED: in the hash (set after cds_lfht_add_unique won), so
 *             expiry and foreach may read the payload and unlink it
 *   bit  4    DEAD: being removed or removed; no more updates
 *   bits 5-63 deadline, in units of 32 ns
 * While the entry is free: DEAD, and the next free index in bits 32-63.
 * Expiry and foreach read every word but act only on LINKED entries, so
 * they never read the key or payload of an entry that is being filled.
 */
#define WORD_STATE_MASK ((uint64_t)STATE_ENTRY_STATE_MAX)
#define WORD_LINKED ((uint64_t)1 << 3)
#define WORD_DEAD ((uint64_t)1 << 4)
#define WORD_DEADLINE_MASK (~(uint64_t)31)
#define FREE_NIL UINT32_MAX

#define CACHE_LINE 64
#define HUGE_PAGE (2u << 20)

struct state_table {
	struct cds_lfht *ht;
	/* cds_lfht_mm_mmap keeps the buckets in one array: the bucket of
	 * hash h is bucket_base[h & (buckets - 1)] (the table never resizes) */
	struct cds_lfht_node *bucket_base;
	unsigned char *entries;
	size_t entry_size;
	size_t entries_size;
	unsigned long buckets;
	uint32_t capacity;
	uint32_t expire_cursor; /* only the expiring thread touches it */

	/* Written by every inserting and removing thread. */
	uint64_t free_head __attribute__((aligned(CACHE_LINE))); /* tag|index */
	uint32_t count;
};

static struct call_rcu_data *reclaim_worker;
static pthread_once_t reclaim_worker_once = PTHREAD_ONCE_INIT;

static void reclaim_worker_start(void)
{
	reclaim_worker = create_call_rcu_data(URCU_CALL_RCU_RT, -1);
}

void state_table_thread_init(void)
{
	pthread_once(&reclaim_worker_once, reclaim_worker_start);
	rcu_register_thread();
	set_thread_call_rcu_data(reclaim_worker);
}

void state_table_thread_fini(void)
{
	set_thread_call_rcu_data(NULL);
	rcu_unregister_thread();
}

static inline struct state_entry *entry_at(const struct state_table *t,
					   uint32_t idx)
{
	return (struct state_entry *)(t->entries + (size_t)idx * t->entry_size);
}

static inline uint32_t index_of(const struct state_table *t,
				const struct state_entry *e)
{
	return (uint32_t)(((const unsigned char *)e - t->entries) /
			  t->entry_size);
}

static inline uint64_t word_deadline(uint64_t deadline_ns)
{
	if (deadline_ns > WORD_DEADLINE_MASK)
		return WORD_DEADLINE_MASK;
	return (deadline_ns + 31) & WORD_DEADLINE_MASK;
}

static inline uint64_t free_word(uint32_t next)
{
	return WORD_DEAD | (uint64_t)next << 32;
}

static uint32_t free_list_pop(struct state_table *t)
{
	uint64_t head = __atomic_load_n(&t->free_head, __ATOMIC_ACQUIRE);
	uint64_t next_head;

	do {
		uint32_t idx = (uint32_t)head;
		uint64_t w;

		if (idx == FREE_NIL)
			return FREE_NIL;
		/* Stale if another thread took idx meanwhile; the tag then
		 * makes the CAS fail. */
		w = __atomic_load_n(&entry_at(t, idx)->word, __ATOMIC_RELAXED);
		next_head = ((head >> 32) + 1) << 32 | (w >> 32);
	} while (!__atomic_compare_exchange_n(&t->free_head, &head, next_head,
					      true, __ATOMIC_ACQUIRE,
					      __ATOMIC_ACQUIRE));
	return (uint32_t)head;
}

static void free_list_push(struct state_table *t, struct state_entry *e)
{
	uint32_t idx = index_of(t, e);
	uint64_t head = __atomic_load_n(&t->free_head, __ATOMIC_RELAXED);
	uint64_t next_head;

	do {
		__atomic_store_n(&e->word, free_word((uint32_t)head),
				 __ATOMIC_RELAXED);
		next_head = ((head >> 32) + 1) << 32 | idx;
	} while (!__atomic_compare_exchange_n(&t->free_head, &head, next_head,
					      true, __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
}

static void reclaim(struct rcu_head *rcu)
{
	struct state_entry *e = caa_container_of(rcu, struct state_entry, rcu);

	free_list_push(e->table, e);
}

/*
 * A lookup of a new key (every new call) reads a random bucket node and
 * then, mostly, the dummy node of another bucket: two random reads in an
 * array of 16 bytes per bucket (32 MiB for 2^21 buckets). On 4 KiB pages
 * each is a TLB miss as well as a cache miss, and under virtualisation a
 * TLB miss is a two-level page walk; on 2 MiB pages the array needs 16 TLB
 * entries. cds_lfht allocates and fills the array itself, so ask for huge
 * pages afterwards and collapse the filled pages into them at once
 * (MADV_COLLAPSE, Linux 6.1); where that is refused, khugepaged does it
 * later. Only the 2 MiB-aligned part of the array can be; the contents do
 * not change. Failure costs speed only.
 */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static void buckets_on_huge_pages(const struct state_table *t)
{
	uintptr_t lo = (uintptr_t)cds_lfht_mm_mmap.bucket_at(t->ht, 0);
	uintptr_t hi = lo + t->buckets * sizeof(struct cds_lfht_node);

	lo = (lo + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	hi &= ~(uintptr_t)(HUGE_PAGE - 1);
	if (hi <= lo)
		return;
	if (madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0)
		(void)madvise((void *)lo, hi - lo, MADV_COLLAPSE);
}

struct state_table *state_table_create(uint32_t capacity, size_t entry_size)
{
	struct state_table *t;
	void *entries;
	size_t align;

	if (capacity == 0 || capacity >= FREE_NIL ||
	    entry_size < sizeof(struct state_entry) ||
	    entry_size % _Alignof(struct state_entry) != 0)
		return NULL;
	pthread_once(&reclaim_worker_once, reclaim_worker_start);

	t = aligned_alloc(CACHE_LINE, sizeof(*t));
	if (t == NULL)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->entry_size = entry_size;
	t->capacity = capacity;
	t->buckets = 1;
	while (t->buckets < capacity)
		t->buckets <<= 1;

	t->entries_size = (size_t)capacity * entry_size;
	align = t->entries_size >= HUGE_PAGE ? HUGE_PAGE : CACHE_LINE;
	if (posix_memalign(&entries, align, t->entries_size) != 0)
		goto fail;
	t->entries = entries;
	/* Random access over up to ~100 MiB: spare the TLB if THP allows. */
	if (align == HUGE_PAGE)
		(void)madvise(t->entries,
			      t->entries_size & ~(size_t)(HUGE_PAGE - 1),
			      MADV_HUGEPAGE);

	/* Buckets fixed for the table's life: no resize thread, no
	 * allocation on the fast path. The mmap memory manager (what
	 * cds_lfht_new picks for this size anyway, named here because
	 * buckets_on_huge_pages relies on it) keeps them in one array. */
	t->ht = _cds_lfht_new(t->buckets, t->buckets, t->buckets, 0,
			      &cds_lfht_mm_mmap, &rcu_flavor, NULL);
	if (t->ht == NULL)
		goto fail;
	t->bucket_base = cds_lfht_mm_mmap.bucket_at(t->ht, 0);
	buckets_on_huge_pages(t);

	for (uint32_t i = 0; i < capacity; i++) {
		struct state_entry *e = entry_at(t, i);

		memset(e, 0, entry_size);
		e->table = t;
		e->word = free_word(i + 1 < capacity ? i + 1 : FREE_NIL);
	}
	t->free_head = 0; /* tag 0, index 0 */
	return t;

fail:
	free(t->entries);
	free(t);
	return NULL;
}

void state_table_free(struct state_table *t)
{
	bool online;

	if (t == NULL)
		return;
	/* Pending reclaim callbacks push onto this table's free list. */
	online = rcu_read_ongoing();
	if (online)
		rcu_thread_offline();
	rcu_barrier();
	if (online)
		rcu_thread_online();

	for (uint32_t i = 0; i < t->capacity; i++) {
		struct state_entry *e = entry_at(t, i);

		if (e->word & WORD_LINKED)
			(void)cds_lfht_del(t->ht, &e->node);
	}
	(void)cds_lfht_destroy(t->ht, NULL);
	free(t->entries);
	free(t);
}

static int key_matches(struct cds_lfht_node *node, const void *key)
{
	const struct state_entry *e =
		caa_container_of(node, struct state_entry, node);
	const struct state_key *k = key;

	return e->key.lo == k->lo && e->key.hi == k->hi;
}

struct state_entry *state_table_lookup(struct state_table *t,
				       const struct state_key *key)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	cds_lfht_lookup(t->ht, (unsigned long)key->lo, key_matches, key, &iter);
	node = cds_lfht_iter_get_node(&iter);
	return node ? caa_container_of(node, struct state_entry, node) : NULL;
}

/*
 * What cds_lfht_lookup reads first, for a batch to fetch ahead (see the
 * contract). The bucket is that of lookup_bucket(): the hash (key->lo)
 * masked by the fixed size. Its next pointer carries flags in its three
 * low bits (rculfhash's FLAGS_MASK); a NULL (the list's end) or a node
 * being removed is harmless to prefetch: a prefetch never faults.
 */
#define LFHT_FLAGS_MASK ((uintptr_t)7)

static inline struct cds_lfht_node *bucket_of(const struct state_table *t,
					      const struct state_key *key)
{
	return &t->bucket_base[key->lo & (t->buckets - 1)];
}

void state_table_prefetch_bucket(const struct state_table *t,
				 const struct state_key *key)
{
	__builtin_prefetch(bucket_of(t, key), 0, 3);
}

void state_table_prefetch_chain(const struct state_table *t,
				const struct state_key *key)
{
	uintptr_t next = (uintptr_t)__atomic_load_n(&bucket_of(t, key)->next,
						    __ATOMIC_RELAXED);
	const unsigned char *node =
		(const unsigned char *)(next & ~LFHT_FLAGS_MASK);

	/* the node (reverse hash, next) and, for an entry, its key and the
	 * start of its payload, which may lie on the following line */
	__builtin_prefetch(node, 0, 3);
	__builtin_prefetch(node + CACHE_LINE, 0, 3);
}

int state_table_insert(struct state_table *t, const struct state_key *key,
		       uint32_t state, uint64_t deadline_ns,
		       const void *payload, size_t payload_len,
		       struct state_entry **entry)
{
	size_t payload_size = t->entry_size - sizeof(struct state_entry);
	struct cds_lfht_node *node;
	struct state_entry *e;
	uint32_t idx;

	assert(state <= STATE_ENTRY_STATE_MAX && payload_len <= payload_size);
	idx = free_list_pop(t);
	if (idx == FREE_NIL) {
		/* Full, but a retransmission still finds its entry. */
		*entry = state_table_lookup(t, key);
		return *entry ? -EEXIST : -ENOSPC;
	}
	__atomic_fetch_add(&t->count, 1, __ATOMIC_RELAXED);

	e = entry_at(t, idx);
	e->key = *key;
	memcpy(e + 1, payload, payload_len);
	memset((unsigned char *)(e + 1) + payload_len, 0,
	       payload_size - payload_len);
	__atomic_store_n(&e->word, word_deadline(deadline_ns) | state,
			 __ATOMIC_RELEASE);
	cds_lfht_node_init(&e->node);
	node = cds_lfht_add_unique(t->ht, (unsigned long)key->lo, key_matches,
				   key, &e->node);
	if (node != &e->node) {
		/* The key was there (a retransmission, or a race with another
		 * lcore). Never linked, so never seen: it goes straight back,
		 * without a grace period. */
		__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
		free_list_push(t, e);
		*entry = caa_container_of(node, struct state_entry, node);
		return -EEXIST;
	}
	__atomic_fetch_or(&e->word, WORD_LINKED, __ATOMIC_RELEASE);
	*entry = e;
	return 0;
}

/* The one caller whose cds_lfht_del succeeds owns the entry's end. */
static bool unlink_entry(struct state_table *t, struct state_entry *e)
{
	if (cds_lfht_del(t->ht, &e->node) != 0)
		return false;
	__atomic_fetch_or(&e->word, WORD_DEAD, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&t->count, 1, __ATOMIC_RELAXED);
	return true;
}

bool state_table_remove(struct state_table *t, struct state_entry *e)
{
	if (!unlink_entry(t, e))
		return false;
	call_rcu(&e->rcu, reclaim);
	return true;
}

uint32_t state_entry_state(const struct state_entry *e)
{
	return (uint32_t)(__atomic_load_n(&e->word, __ATOMIC_ACQUIRE) &
			  WORD_STATE_MASK);
}

uint64_t state_entry_deadline_ns(const struct state_entry *e)
{
	return __atomic_load_n(&e->word, __ATOMIC_ACQUIRE) & WORD_DEADLINE_MASK;
}

bool state_entry_update(struct state_entry *e, uint32_t from_states,
			uint32_t state, uint64_t deadline_ns)
{
	uint64_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);
	uint64_t nw;

	assert(state <= STATE_ENTRY_STATE_MAX);
	do {
		if ((w & WORD_DEAD) ||
		    !(from_states & (1u << (w & WORD_STATE_MASK))))
			return false;
		nw = word_deadline(deadline_ns) | (w & WORD_LINKED) | state;
	} while (!__atomic_compare_exchange_n(
		&e->word, &w, nw, true, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	return true;
}

/* Mark an expired entry DEAD unless an update moved its deadline first. */
static bool claim_expired(struct state_entry *e, uint64_t now_ns)
{
	uint64_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);

	do {
		if ((w & (WORD_LINKED | WORD_DEAD)) != WORD_LINKED ||
		    (w & WORD_DEADLINE_MASK) >= now_ns)
			return false;
	} while (!__atomic_compare_exchange_n(&e->word, &w, w | WORD_DEAD, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return true;
}

uint32_t
state_table_expire(struct state_table *t, uint64_t now_ns, uint32_t budget,
		   void (*on_expired)(struct state_entry *e, void *arg),
		   void *arg)
{
	uint32_t removed = 0;

	if (budget > t->capacity)
		budget = t->capacity;
	for (uint32_t n = 0; n < budget; n++) {
		struct state_entry *e = entry_at(t, t->expire_cursor);

		if (++t->expire_cursor == t->capacity)
			t->expire_cursor = 0;
		if (!claim_expired(e, now_ns) || !unlink_entry(t, e))
			continue;
		if (on_expired != NULL)
			on_expired(e, arg);
		call_rcu(&e->rcu, reclaim);
		removed++;
	}
	return removed;
}

void state_table_foreach(struct state_table *t,
			 void (*fn)(const struct state_entry *e, void *arg),
			 void *arg)
{
	for (uint32_t i = 0; i < t->capacity; i++) {
		const struct state_entry *e = entry_at(t, i);
		uint64_t w = __atomic_load_n(&e->word, __ATOMIC_ACQUIRE);

		if ((w & (WORD_LINKED | WORD_DEAD)) == WORD_LINKED)
			fn(e, arg);
	}
}

uint32_t state_table_count(const struct state_table *t)
{
	return __atomic_load_n(&t->count, __ATOMIC_RELAXED);
}

uint32_t state_table_capacity(const struct state_table *t)
{
	return t->capacity;
}

size_t state_table_bytes_per_entry(const struct state_table *t)
{
	size_t total =
		t->entries_size + t->buckets * sizeof(struct cds_lfht_node);

	return (total + t->capacity - 1) / t->capacity;
}

uint32_t state_table_free_count(const struct state_table *t)
{
	uint32_t idx =
		(uint32_t)__atomic_load_n(&t->free_head, __ATOMIC_ACQUIRE);
	uint32_t n = 0;

	while (idx != FREE_NIL && n <= t->capacity) {
		n++;
		idx = (uint32_t)(__atomic_load_n(&entry_at(t, idx)->word,
						 __ATOMIC_RELAXED) >>
				 32);
	}
	return n;
}

/*
 * SipHash-2-4 with 128-bit output (Aumasson, Bernstein), fed a word at a
 * time: whole 64-bit words are loaded straight from the input (little-
 * endian, any alignment), a part-word at the end with at most two loads
 * and never a byte past the input, and input that starts inside a part-
 * filled word is shifted onto it. The result is the byte-wise algorithm's
 * exactly, however the input is split across calls (the unit tests check
 * it against the reference vectors and a byte-at-a-time reference).
 */

static uint64_t hash_secret[2];
/* v0..v3 after the key is mixed in: hasher_init copies them. */
static uint64_t hash_init[4];

static void hash_init_from_key(uint64_t v[4], const uint64_t key[2])
{
	siphash_init(v, key[0], key[1], true);
}

static void hash_init_from_secret(void)
{
	hash_init_from_key(hash_init, hash_secret);
}

static void hash_secret_draw(void) __attribute__((constructor));
static void hash_secret_draw(void)
{
	struct timespec ts;

	if (getrandom(hash_secret, sizeof(hash_secret), 0) ==
	    (ssize_t)sizeof(hash_secret)) {
		hash_init_from_secret();
		return;
	}
	/* No getrandom: weaker, but still not known in advance. */
	clock_gettime(CLOCK_REALTIME, &ts);
	hash_secret[0] = (uint64_t)ts.tv_nsec << 32 ^ (uint64_t)ts.tv_sec;
	hash_secret[1] = (uint64_t)getpid() << 32 ^ (uintptr_t)&ts;
	hash_init_from_secret();
}

void state_key_set_secret(const uint8_t secret[16])
{
	memcpy(hash_secret, secret, sizeof(hash_secret));
	hash_secret[0] = le64toh(hash_secret[0]);
	hash_secret[1] = le64toh(hash_secret[1]);
	hash_init_from_secret();
}

void state_key_get_secret(uint8_t secret[16])
{
	uint64_t le[2] = {htole64(hash_secret[0]), htole64(hash_secret[1])};

	memcpy(secret, le, sizeof(le));
}

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t m;

	memcpy(&m, p, sizeof(m));
	return le64toh(m);
}

static inline uint64_t load32(const uint8_t *p)
{
	uint32_t m;

	memcpy(&m, p, sizeof(m));
	return le32toh(m);
}

/* n (0..7) bytes at p as a little-endian word, reading only those. */
static inline uint64_t load_part(const uint8_t *p, size_t n)
{
	if (n >= 4) /* two loads that overlap by 8 - n bytes */
		return load32(p) | load32(p + n - 4) << (8 * (n - 4));
	if (n == 0)
		return 0;
	return (uint64_t)p[0] | (uint64_t)p[n >> 1] << (8 * (n >> 1)) |
	       (uint64_t)p[n - 1] << (8 * (n - 1));
}

/*
 * ASCII letters of the 8 bytes of x lower-cased (SWAR): per byte, the low
 * 7 bits plus 0x3f carry into bit 7 from 'A' up, plus 0x25 from past 'Z'
 * up; neither sum leaves its byte. Bytes with bit 7 set stay as they are.
 */
static inline uint64_t lower8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t low7 = x & (0x7f * ones);
	uint64_t from_a = low7 + (0x80 - 'A') * ones;
	uint64_t past_z = low7 + (0x80 - 'Z' - 1) * ones;

	return x | ((from_a & ~past_z & ~x & (0x80 * ones)) >> 2);
}

/*
 * The hasher's steps, forced inline so that the one-call key functions
 * below keep the whole state in registers; the streaming functions are
 * thin wrappers over the same code.
 */
#define HASH_INLINE static inline __attribute__((always_inline))

HASH_INLINE void hasher_init(struct state_key_hasher *h)
{
	memcpy(h->v, hash_init, sizeof(h->v));
	h->tail = 0;
	h->len = 0;
}

/*
 * Feed len bytes at b, lower-cased if lower. Invariant: h->tail holds the
 * h->len % 8 bytes not yet compressed, in its low bytes, the rest zero.
 */
HASH_INLINE void absorb(struct state_key_hasher *h, const uint8_t *b,
			size_t len, bool lower)
{
	unsigned int fill = (unsigned int)(h->len & 7);
	uint64_t m;

	h->len += len;
	if (fill != 0) {
		size_t need = 8 - fill;

		if (len < need) {
			m = load_part(b, len);
			h->tail |= (lower ? lower8(m) : m) << (8 * fill);
			return;
		}
		m = load_part(b, need);
		siphash_compress(h->v, h->tail | (lower ? lower8(m) : m)
						     << (8 * fill));
		b += need;
		len -= need;
	}
	for (; len >= 8; b += 8, len -= 8) {
		m = load64(b);
		siphash_compress(h->v, lower ? lower8(m) : m);
	}
	m = load_part(b, len);
	h->tail = lower ? lower8(m) : m;
}

HASH_INLINE void absorb_u64(struct state_key_hasher *h, uint64_t v)
{
	uint64_t le;

	if ((h->len & 7) == 0) { /* on a word boundary: one compression */
		siphash_compress(h->v, v);
		h->len += 8;
		return;
	}
	le = htole64(v);
	absorb(h, (const uint8_t *)&le, sizeof(le), false);
}

HASH_INLINE struct state_key hasher_final(struct state_key_hasher *h)
{
	uint64_t *v = h->v;
	struct state_key k;

	siphash_compress(v, h->tail | h->len << 56);
	v[2] ^= 0xee;
	for (int i = 0; i < 4; i++)
		siphash_round(v);
	k.lo = v[0] ^ v[1] ^ v[2] ^ v[3];
	v[1] ^= 0xdd;
	for (int i = 0; i < 4; i++)
		siphash_round(v);
	k.hi = v[0] ^ v[1] ^ v[2] ^ v[3];
	return k;
}

void state_key_hasher_init(struct state_key_hasher *h)
{
	hasher_init(h);
}

void state_key_hasher_init_keyed(struct state_key_hasher *h,
				 const uint8_t key[16])
{
	uint64_t k[2];

	memcpy(k, key, sizeof(k));
	k[0] = le64toh(k[0]);
	k[1] = le64toh(k[1]);
	hash_init_from_key(h->v, k);
	h->tail = 0;
	h->len = 0;
}

void state_key_add(struct state_key_hasher *h, const void *p, size_t len)
{
	absorb(h, p, len, false);
}

void state_key_add_lower(struct state_key_hasher *h, const void *p, size_t len)
{
	absorb(h, p, len, true);
}

void state_key_add_u64(struct state_key_hasher *h, uint64_t v)
{
	absorb_u64(h, v);
}

void state_key_add_u32(struct state_key_hasher *h, uint32_t v)
{
	uint32_t le = htole32(v);

	absorb(h, (const uint8_t *)&le, sizeof(le), false);
}

struct state_key state_key_final(struct state_key_hasher *h)
{
	return hasher_final(h);
}

struct state_key state_key_word_bytes(uint64_t word, const void *p, size_t len)
{
	struct state_key_hasher h;

	hasher_init(&h);
	absorb_u64(&h, word);
	absorb(&h, p, len, false);
	return hasher_final(&h);
}

struct state_key state_key_word_bytes_lower(uint64_t word, const void *p,
					    size_t len, const void *lower,
					    size_t lower_len)
{
	struct state_key_hasher h;

	hasher_init(&h);
	absorb_u64(&h, word);
	absorb(&h, p, len, false);
	absorb(&h, lower, lower_len, true);
	return hasher_final(&h);
}
