/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call and registration tables through their public APIs, and the
 * state_table under them: keys, insert/lookup/remove, capacity and
 * recovery after a grace period, exactly-once removal between racing
 * threads, expiry in slices, state transitions, and a stress run of
 * threads inserting, updating, removing and expiring over a shared key
 * space, after which every entry must be accounted for.
 *
 * Every thread here is a QSBR reader (state_table_thread_init); one that
 * blocks (joins, barriers) goes offline first, since the reclaim thread's
 * grace periods wait for every online reader.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "calls.h"
#include "regs.h"
#include "state_table.h"

#define MS 1000000ull

/* Let every removal so far reach the free list. */
static void wait_reclaim(void)
{
	rcu_thread_offline();
	rcu_barrier();
	rcu_thread_online();
}

static struct sip_str str(const char *s)
{
	return (struct sip_str){.ptr = s, .len = (uint32_t)strlen(s)};
}

static struct call_key call_key(uint32_t tenant, const char *call_id)
{
	struct sip_str id = str(call_id);

	return call_key_make(tenant, &id);
}

static struct reg_key reg_key(uint32_t tenant, const char *user,
			      const char *host)
{
	struct sip_uri aor = {
		.scheme = SIP_URI_SIP, .user = str(user), .host = str(host)};

	return reg_key_make(tenant, &aor);
}

static bool call_keys_equal(struct call_key a, struct call_key b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

static bool reg_keys_equal(struct reg_key a, struct reg_key b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

static struct call_info call_info(uint32_t tenant, uint32_t cseq)
{
	return (struct call_info){.tenant = tenant,
				  .direction = CALL_FROM_OUTSIDE,
				  .invite_cseq = cseq,
				  .created_ns = 1 * MS};
}

/*
 * Reference vectors of SipHash-2-4-128 (vectors_sip128 of the authors'
 * code): key 00..0f, message 00..n-1.
 */
static void test_siphash_reference_vectors(void **state)
{
	static const struct {
		size_t n;
		uint8_t out[16];
	} vec[] = {
		{0,
		 {0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6,
		  0x72, 0x14, 0xc7, 0x55, 0x02, 0x93}},
		{1,
		 {0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44, 0x34, 0x76,
		  0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45}},
		{2,
		 {0x81, 0x77, 0x22, 0x8d, 0xa4, 0xa4, 0x5d, 0xc7, 0xfc, 0xa3,
		  0x8b, 0xde, 0xf6, 0x0a, 0xff, 0xe4}},
		{8,
		 {0x3b, 0x62, 0xa9, 0xba, 0x62, 0x58, 0xf5, 0x61, 0x0f, 0x83,
		  0xe2, 0x64, 0xf3, 0x14, 0x97, 0xb4}},
		{15,
		 {0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0, 0xa8, 0x11, 0x7e, 0x08,
		  0xec, 0x0f, 0x97, 0xcf, 0xc3, 0xd9}},
	};
	uint8_t secret[16], msg[16];
	(void)state;

	for (int i = 0; i < 16; i++)
		secret[i] = msg[i] = (uint8_t)i;
	state_key_set_secret(secret);
	for (size_t v = 0; v < sizeof(vec) / sizeof(vec[0]); v++) {
		struct state_key_hasher h;
		struct state_key k;
		uint8_t out[16];

		state_key_hasher_init(&h);
		state_key_add(&h, msg, vec[v].n);
		k = state_key_final(&h);
		for (int i = 0; i < 8; i++) {
			out[i] = (uint8_t)(k.lo >> (8 * i));
			out[8 + i] = (uint8_t)(k.hi >> (8 * i));
		}
		assert_memory_equal(out, vec[v].out, 16);
	}
}

static void test_hasher_pieces_equal_whole(void **state)
{
	const char *text = "a8f3c1d0-77b2-4e55-9a0b-1c2d3e4f5a6b@10.0.0.1";
	size_t len = strlen(text);
	struct state_key_hasher whole, pieces;
	struct state_key a, b;
	(void)state;

	state_key_hasher_init(&whole);
	state_key_add(&whole, text, len);
	a = state_key_final(&whole);
	state_key_hasher_init(&pieces);
	state_key_add(&pieces, text, 3);
	state_key_add(&pieces, text + 3, 13);
	state_key_add(&pieces, text + 16, len - 16);
	b = state_key_final(&pieces);
	assert_true(a.hi == b.hi && a.lo == b.lo);
}

/*
 * SipHash-2-4-128 the plain way, one message byte at a time into the
 * word, for the differential tests of the word-wise hasher below.
 */
static uint64_t ref_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void ref_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ref_rotl(v[1], 13) ^ v[0];
	v[0] = ref_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = ref_rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = ref_rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = ref_rotl(v[1], 17) ^ v[2];
	v[2] = ref_rotl(v[2], 32);
}

static void ref_compress(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	ref_round(v);
	ref_round(v);
	v[0] ^= m;
}

static struct state_key ref_siphash128(const uint8_t secret[16],
				       const uint8_t *m, size_t n)
{
	uint64_t k0 = 0, k1 = 0, w = 0, v[4];
	struct state_key k;

	for (int i = 0; i < 8; i++) {
		k0 |= (uint64_t)secret[i] << (8 * i);
		k1 |= (uint64_t)secret[8 + i] << (8 * i);
	}
	v[0] = 0x736f6d6570736575ULL ^ k0;
	v[1] = 0x646f72616e646f6dULL ^ k1 ^ 0xee;
	v[2] = 0x6c7967656e657261ULL ^ k0;
	v[3] = 0x7465646279746573ULL ^ k1;
	for (size_t i = 0; i < n; i++) {
		w |= (uint64_t)m[i] << (8 * (i & 7));
		if ((i & 7) == 7) {
			ref_compress(v, w);
			w = 0;
		}
	}
	ref_compress(v, w | (uint64_t)n << 56);
	v[2] ^= 0xee;
	for (int i = 0; i < 4; i++)
		ref_round(v);
	k.lo = v[0] ^ v[1] ^ v[2] ^ v[3];
	v[1] ^= 0xdd;
	for (int i = 0; i < 4; i++)
		ref_round(v);
	k.hi = v[0] ^ v[1] ^ v[2] ^ v[3];
	return k;
}

static uint8_t ref_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

#define DIFF_MAX 72

/* The input, with every letter, the bytes around 'A'..'Z' and high ones. */
static void diff_input(uint8_t *m, size_t n)
{
	static const uint8_t edge[] = {'@', 'A', 'M', 'Z', '[', '`',
				       'a', 'z', '{', 0x00, 0x7f, 0x80,
				       0xc1, 0xda, 0xe1, 0xff};

	for (size_t i = 0; i < n; i++)
		m[i] = i % 3 == 0 ? edge[(i / 3) % sizeof(edge)] :
				    (uint8_t)(i * 37 + 11);
}

/*
 * Feed m[0..n) in pieces cut at cuts[0..ncuts) (ascending), pieces from
 * lower_from on lower-cased, each piece from its own allocation of exactly
 * its size (so ASan sees any read past a piece).
 */
static struct state_key hash_pieces(const uint8_t *m, size_t n,
				    const size_t *cuts, int ncuts,
				    size_t lower_from)
{
	struct state_key_hasher h;
	size_t at = 0;

	state_key_hasher_init(&h);
	for (int i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;
		uint8_t *piece = malloc(end > at ? end - at : 1);

		assert_non_null(piece);
		memcpy(piece, m + at, end - at);
		if (at >= lower_from)
			state_key_add_lower(&h, piece, end - at);
		else
			state_key_add(&h, piece, end - at);
		free(piece);
		at = end;
	}
	return state_key_final(&h);
}

static void assert_keys_equal(struct state_key a, struct state_key b)
{
	assert_true(a.hi == b.hi && a.lo == b.lo);
}

static void test_hasher_matches_bytewise_reference(void **state)
{
	static const uint8_t secret[16] = {0x5a, 0x01, 0xf3, 0x7c, 0x10, 0x99,
					   0x42, 0xe8, 0x3d, 0xc6, 0x0b, 0x71,
					   0xa4, 0x2f, 0xd5, 0x86};
	uint8_t m[DIFF_MAX], low[DIFF_MAX];
	(void)state;

	state_key_set_secret(secret);
	diff_input(m, sizeof(m));
	for (size_t n = 0; n <= DIFF_MAX; n++) {
		struct state_key want = ref_siphash128(secret, m, n);

		assert_keys_equal(hash_pieces(m, n, NULL, 0, SIZE_MAX), want);
		for (size_t a = 0; a <= n; a++) {
			size_t cut[2] = {a, 0};

			assert_keys_equal(hash_pieces(m, n, cut, 1, SIZE_MAX),
					  want);
			/* m[a..n) lower-cased */
			memcpy(low, m, n);
			for (size_t i = a; i < n; i++)
				low[i] = ref_lower(low[i]);
			assert_keys_equal(hash_pieces(m, n, cut, 1, a),
					  ref_siphash128(secret, low, n));
			for (size_t b = a; b <= n && n <= 40; b++) {
				cut[1] = b;
				assert_keys_equal(
					hash_pieces(m, n, cut, 2, SIZE_MAX),
					want);
			}
		}
	}
}

static void test_hasher_words_and_one_call_forms(void **state)
{
	static const uint8_t secret[16] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x11,
					   0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					   0x88, 0x99, 0xaa, 0xbb};
	const uint64_t word = 0x0123456789abcdefULL;
	uint8_t m[DIFF_MAX], ref[8 + 2 * DIFF_MAX];
	(void)state;

	state_key_set_secret(secret);
	diff_input(m, sizeof(m));
	/* add_u32 and add_u64 are their little-endian bytes, at any fill */
	for (size_t pre = 0; pre <= 16; pre++) {
		struct state_key_hasher h;

		state_key_hasher_init(&h);
		state_key_add(&h, m, pre);
		state_key_add_u64(&h, word);
		state_key_add_u32(&h, (uint32_t)word);
		memcpy(ref, m, pre);
		for (int i = 0; i < 8; i++)
			ref[pre + i] = (uint8_t)(word >> (8 * i));
		memcpy(ref + pre + 8, ref + pre, 4);
		assert_keys_equal(state_key_final(&h),
				  ref_siphash128(secret, ref, pre + 12));
	}
	/* the one-call forms: word, bytes[, lower-cased bytes] */
	for (size_t n = 0; n <= DIFF_MAX; n++) {
		uint8_t *p = malloc(n ? n : 1); /* exactly n: ASan sees past it */

		assert_non_null(p);
		memcpy(p, m, n);
		for (int i = 0; i < 8; i++)
			ref[i] = (uint8_t)(word >> (8 * i));
		memcpy(ref + 8, m, n);
		assert_keys_equal(state_key_word_bytes(word, p, n),
				  ref_siphash128(secret, ref, 8 + n));
		for (size_t a = 0; a <= n; a++) {
			for (size_t i = a; i < n; i++)
				ref[8 + i] = ref_lower(m[i]);
			assert_keys_equal(state_key_word_bytes_lower(
						  word, p, a, p + a, n - a),
					  ref_siphash128(secret, ref, 8 + n));
			memcpy(ref + 8, m, n);
		}
		free(p);
	}
}

static void test_call_key_make(void **state)
{
	(void)state;
	assert_true(call_keys_equal(call_key(1, "abc@host"),
				    call_key(1, "abc@host")));
	assert_false(call_keys_equal(call_key(1, "abc@host"),
				     call_key(2, "abc@host")));
	assert_false(call_keys_equal(call_key(1, "abc@host"),
				     call_key(1, "abd@host")));
	/* Call-ID compares byte for byte (RFC 3261 20.8). */
	assert_false(call_keys_equal(call_key(1, "abc@host"),
				     call_key(1, "ABC@host")));
}

static void test_reg_key_make(void **state)
{
	(void)state;
	assert_true(reg_keys_equal(reg_key(1, "Alice", "Example.COM"),
				   reg_key(1, "Alice", "example.com")));
	assert_false(reg_keys_equal(reg_key(1, "Alice", "example.com"),
				    reg_key(1, "alice", "example.com")));
	assert_false(reg_keys_equal(reg_key(1, "alice", "example.com"),
				    reg_key(2, "alice", "example.com")));
	assert_false(reg_keys_equal(reg_key(1, "alice", "example.com"),
				    reg_key(1, "alice", "example.org")));
	/* user "ab" + host "c" is not user "a" + host "bc" */
	assert_false(
		reg_keys_equal(reg_key(1, "ab", "c"), reg_key(1, "a", "bc")));
}

static void test_call_insert_lookup_remove(void **state)
{
	struct call_table *t = call_table_create(16);
	struct call_key k = call_key(7, "one@host");
	struct call_info info = call_info(7, 101);
	struct call_entry *e, *dup;
	(void)state;

	assert_non_null(t);
	assert_null(call_table_lookup(t, &k));
	assert_int_equal(call_table_insert(t, &k, &info, 10 * MS, &e), 0);
	assert_non_null(e);
	assert_ptr_equal(call_table_lookup(t, &k), e);
	assert_int_equal(call_entry_info(e)->tenant, 7);
	assert_int_equal(call_entry_info(e)->invite_cseq, 101);
	assert_int_equal(call_entry_state(e), CALL_EARLY);
	assert_int_equal(call_entry_answered_ns(e), 0);
	assert_int_equal(call_table_count(t), 1);

	/* a retransmitted INVITE finds the call it created */
	info.invite_cseq = 999;
	assert_int_equal(call_table_insert(t, &k, &info, 10 * MS, &dup),
			 -EEXIST);
	assert_ptr_equal(dup, e);
	assert_int_equal(call_entry_info(e)->invite_cseq, 101);
	assert_int_equal(call_table_count(t), 1);

	assert_true(call_table_remove(t, e));
	assert_false(call_table_remove(t, e));
	assert_null(call_table_lookup(t, &k));
	assert_int_equal(call_table_count(t), 0);
	call_table_free(t);
}

static void test_call_capacity_and_recovery(void **state)
{
	enum { CAP = 8 };
	struct call_table *t = call_table_create(CAP);
	struct call_entry *e[CAP], *x;
	struct call_info info = call_info(1, 1);
	char id[32];
	(void)state;

	for (int i = 0; i < CAP; i++) {
		struct call_key k;

		snprintf(id, sizeof(id), "call-%d", i);
		k = call_key(1, id);
		assert_int_equal(call_table_insert(t, &k, &info, MS, &e[i]), 0);
	}
	struct call_key extra = call_key(1, "one-too-many");
	struct call_key first = call_key(1, "call-0");

	assert_int_equal(call_table_insert(t, &extra, &info, MS, &x), -ENOSPC);
	assert_null(x);
	/* full, but a retransmission is still recognised */
	assert_int_equal(call_table_insert(t, &first, &info, MS, &x), -EEXIST);
	assert_ptr_equal(x, e[0]);

	for (int i = 0; i < 3; i++)
		assert_true(call_table_remove(t, e[i]));
	assert_int_equal(call_table_count(t), CAP - 3);
	wait_reclaim();
	for (int i = 0; i < 3; i++) {
		struct call_key k;

		snprintf(id, sizeof(id), "again-%d", i);
		k = call_key(1, id);
		assert_int_equal(call_table_insert(t, &k, &info, MS, &x), 0);
	}
	assert_int_equal(call_table_insert(t, &extra, &info, MS, &x), -ENOSPC);
	assert_int_equal(call_table_count(t), CAP);
	call_table_free(t);
}

static void test_call_answer_once(void **state)
{
	struct call_table *t = call_table_create(4);
	struct call_key k = call_key(1, "answer@host");
	struct call_info info = call_info(1, 1);
	struct call_entry *e;
	(void)state;

	assert_int_equal(call_table_insert(t, &k, &info, 5 * MS, &e), 0);
	assert_true(call_entry_answer(e, 2 * MS, 100 * MS));
	assert_int_equal(call_entry_state(e), CALL_ANSWERED);
	assert_int_equal(call_entry_answered_ns(e), 2 * MS);
	/* a retransmitted 200 changes nothing */
	assert_false(call_entry_answer(e, 3 * MS, 200 * MS));
	assert_int_equal(call_entry_answered_ns(e), 2 * MS);
	/* the deadline moved with the answer: not expired at 50 ms */
	assert_int_equal(call_table_expire(t, 50 * MS, 4, NULL, NULL), 0);

	call_entry_ending(e, 60 * MS);
	assert_int_equal(call_entry_state(e), CALL_ENDING);
	assert_false(call_entry_answer(e, 4 * MS, 300 * MS));
	assert_int_equal(call_table_expire(t, 61 * MS, 4, NULL, NULL), 1);
	assert_null(call_table_lookup(t, &k));
	call_table_free(t);
}

static void count_expired_call(const struct call_info *info, void *arg)
{
	uint32_t *n = arg;

	assert_int_equal(info->tenant, 3);
	(*n)++;
}

static void test_call_expire_in_slices(void **state)
{
	enum { CAP = 100 };
	struct call_table *t = call_table_create(CAP);
	struct call_info info = call_info(3, 1);
	uint32_t seen = 0, removed = 0, pass;
	char id[32];
	(void)state;

	/* deadlines 0, 1, ..., 99 ms; at 50 ms the first 50 are due */
	for (int i = 0; i < CAP; i++) {
		struct call_key k;
		struct call_entry *e;

		snprintf(id, sizeof(id), "slice-%d", i);
		k = call_key(3, id);
		assert_int_equal(
			call_table_insert(t, &k, &info, (uint64_t)i * MS, &e),
			0);
	}
	/* a deadline at now is not before now */
	pass = call_table_expire(t, 0, 1, count_expired_call, &seen);
	assert_int_equal(pass, 0);

	pass = call_table_expire(t, 50 * MS, 30, count_expired_call, &seen);
	assert_true(pass <= 30);
	removed += pass;
	while (removed < 50) {
		pass = call_table_expire(t, 50 * MS, 30, count_expired_call,
					 &seen);
		assert_true(pass <= 30);
		assert_true(removed + pass <= 50);
		if (pass == 0)
			break;
		removed += pass;
	}
	/* one more full sweep finds nothing new */
	removed +=
		call_table_expire(t, 50 * MS, CAP, count_expired_call, &seen);
	assert_int_equal(removed, 50);
	assert_int_equal(seen, 50);
	assert_int_equal(call_table_count(t), 50);
	call_table_free(t);
}

struct visit_tally {
	uint32_t calls, answered;
};

static void tally_call(const struct call_info *info, enum call_state state,
		       uint64_t answered_ns, void *arg)
{
	struct visit_tally *v = arg;

	(void)info;
	v->calls++;
	if (state == CALL_ANSWERED && answered_ns == 7 * MS)
		v->answered++;
}

static void test_call_foreach(void **state)
{
	struct call_table *t = call_table_create(32);
	struct call_info info = call_info(1, 1);
	struct visit_tally v = {0};
	struct call_entry *e;
	char id[32];
	(void)state;

	for (int i = 0; i < 10; i++) {
		struct call_key k;

		snprintf(id, sizeof(id), "visit-%d", i);
		k = call_key(1, id);
		assert_int_equal(call_table_insert(t, &k, &info, MS, &e), 0);
		if (i % 2 == 0)
			assert_true(call_entry_answer(e, 7 * MS, 9 * MS));
		if (i == 9)
			assert_true(call_table_remove(t, e));
	}
	call_table_foreach(t, tally_call, &v);
	assert_int_equal(v.calls, 9);
	assert_int_equal(v.answered, 5);
	call_table_free(t);
}

static void test_bytes_per_call(void **state)
{
	/* The default capacity, and the worst case of bucket rounding. */
	static const uint32_t caps[] = {1000000, (1u << 20) + 1};
	(void)state;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct call_table *t = call_table_create(caps[i]);

		assert_non_null(t);
		assert_int_equal(call_table_capacity(t), caps[i]);
		assert_true(call_table_bytes_per_entry(t) <= 128);
		call_table_free(t);
	}
}

static void count_expired_reg(const struct reg_info *info, void *arg)
{
	uint32_t *n = arg;

	assert_int_equal(info->tenant, 5);
	(*n)++;
}

struct reg_tally {
	uint32_t active, pending;
};

static void tally_reg(const struct reg_info *info, enum reg_state state,
		      uint64_t expires_ns, void *arg)
{
	struct reg_tally *v = arg;

	(void)info;
	(void)expires_ns;
	if (state == REG_ACTIVE)
		v->active++;
	else
		v->pending++;
}

static void test_reg_table(void **state)
{
	struct reg_table *t = reg_table_create(4);
	struct reg_key alice = reg_key(5, "alice", "EXAMPLE.com");
	struct reg_key alice2 = reg_key(5, "alice", "example.COM");
	struct reg_key bob = reg_key(5, "bob", "example.com");
	struct reg_info info = {.tenant = 5, .created_ns = 1 * MS};
	struct reg_tally tally = {0};
	struct reg_entry *a, *b, *x;
	uint32_t expired = 0;
	(void)state;

	assert_int_equal(reg_table_insert(t, &alice, &info, 32 * MS, &a), 0);
	assert_int_equal(reg_entry_state(a), REG_PENDING);
	assert_int_equal(reg_entry_expires_ns(a), 32 * MS);
	assert_int_equal(reg_entry_info(a)->tenant, 5);
	assert_int_equal(reg_table_insert(t, &alice2, &info, 32 * MS, &x),
			 -EEXIST);
	assert_ptr_equal(x, a);
	assert_ptr_equal(reg_table_lookup(t, &alice2), a);

	/* the 2xx: active for an hour */
	assert_true(reg_entry_set_expiry(a, REG_ACTIVE, 3600000 * MS));
	assert_int_equal(reg_entry_state(a), REG_ACTIVE);
	assert_int_equal(reg_entry_expires_ns(a), 3600000 * MS);
	/* expiry is kept to 32 ns, rounded up */
	assert_true(reg_entry_set_expiry(a, REG_ACTIVE, 3600000 * MS + 1));
	assert_int_equal(reg_entry_expires_ns(a), 3600000 * MS + 32);

	assert_int_equal(reg_table_insert(t, &bob, &info, 32 * MS, &b), 0);
	assert_int_equal(reg_table_count(t), 2);
	reg_table_foreach(t, tally_reg, &tally);
	assert_int_equal(tally.active, 1);
	assert_int_equal(tally.pending, 1);

	/* bob never got his 2xx */
	assert_int_equal(
		reg_table_expire(t, 33 * MS, 4, count_expired_reg, &expired),
		1);
	assert_int_equal(expired, 1);
	assert_null(reg_table_lookup(t, &bob));
	/* b is still readable until our quiescent state, but gone */
	assert_false(reg_entry_set_expiry(b, REG_ACTIVE, 3600000 * MS));
	assert_false(reg_table_remove(t, b));

	assert_true(reg_table_remove(t, a));
	assert_false(reg_table_remove(t, a));
	assert_int_equal(reg_table_count(t), 0);
	assert_true(reg_table_bytes_per_entry(t) > 0);
	assert_int_equal(reg_table_capacity(t), 4);
	reg_table_free(t);
}

/*
 * Two threads released together on the same entry, many times over: one
 * removes, the other removes or expires it; exactly one may win each.
 */
enum { RACE_ROUNDS = 2000 };

struct race {
	struct call_table *t;
	pthread_barrier_t go, done;
	struct call_entry *e;
	bool expire; /* the second thread expires instead of removing */
	uint32_t wins[2];
};

static void offline_barrier(pthread_barrier_t *b)
{
	rcu_thread_offline();
	pthread_barrier_wait(b);
	rcu_thread_online();
}

static void count_win(const struct call_info *info, void *arg)
{
	(void)info;
	(*(uint32_t *)arg)++;
}

static void *race_remove(void *arg)
{
	struct race *r = arg;

	state_table_thread_init();
	for (int i = 0; i < RACE_ROUNDS; i++) {
		offline_barrier(&r->go);
		if (call_table_remove(r->t, r->e))
			r->wins[0]++;
		offline_barrier(&r->done);
	}
	state_table_thread_fini();
	return NULL;
}

static void *race_remove_or_expire(void *arg)
{
	struct race *r = arg;

	state_table_thread_init();
	for (int i = 0; i < RACE_ROUNDS; i++) {
		offline_barrier(&r->go);
		if (r->expire)
			(void)call_table_expire(r->t, 2 * MS, RACE_ROUNDS,
						count_win, &r->wins[1]);
		else if (call_table_remove(r->t, r->e))
			r->wins[1]++;
		offline_barrier(&r->done);
	}
	state_table_thread_fini();
	return NULL;
}

static void run_race(bool expire)
{
	/* room for every round, so no round waits for reclamation */
	struct race r = {.t = call_table_create(RACE_ROUNDS), .expire = expire};
	struct call_info info = call_info(1, 1);
	pthread_t a, b;
	char id[32];

	pthread_barrier_init(&r.go, NULL, 3);
	pthread_barrier_init(&r.done, NULL, 3);
	pthread_create(&a, NULL, race_remove, &r);
	pthread_create(&b, NULL, race_remove_or_expire, &r);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct call_key k;

		snprintf(id, sizeof(id), "raced-%d", i);
		k = call_key(1, id);
		assert_int_equal(call_table_insert(r.t, &k, &info, MS, &r.e),
				 0);
		offline_barrier(&r.go);
		offline_barrier(&r.done);
		assert_int_equal(r.wins[0] + r.wins[1], i + 1);
		rcu_quiescent_state();
	}
	rcu_thread_offline();
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	rcu_thread_online();
	pthread_barrier_destroy(&r.go);
	pthread_barrier_destroy(&r.done);
	call_table_free(r.t);
}

static void test_remove_exactly_once(void **state)
{
	(void)state;
	run_race(false);
}

static void test_remove_or_expire_exactly_once(void **state)
{
	(void)state;
	run_race(true);
}

static void *race_answer(void *arg)
{
	struct race *r = arg;

	state_table_thread_init();
	for (int i = 0; i < RACE_ROUNDS; i++) {
		offline_barrier(&r->go);
		if (call_entry_answer(r->e, 2 * MS, 100 * MS))
			__atomic_fetch_add(&r->wins[0], 1, __ATOMIC_RELAXED);
		offline_barrier(&r->done);
	}
	state_table_thread_fini();
	return NULL;
}

static void test_answer_race(void **state)
{
	struct race r = {.t = call_table_create(RACE_ROUNDS)};
	struct call_info info = call_info(1, 1);
	pthread_t a, b;
	char id[32];
	(void)state;

	pthread_barrier_init(&r.go, NULL, 3);
	pthread_barrier_init(&r.done, NULL, 3);
	pthread_create(&a, NULL, race_answer, &r);
	pthread_create(&b, NULL, race_answer, &r);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		struct call_key k;

		snprintf(id, sizeof(id), "answered-twice-%d", i);
		k = call_key(1, id);
		assert_int_equal(call_table_insert(r.t, &k, &info, MS, &r.e),
				 0);
		offline_barrier(&r.go);
		offline_barrier(&r.done);
		assert_int_equal(r.wins[0], i + 1);
		assert_int_equal(call_entry_state(r.e), CALL_ANSWERED);
		rcu_quiescent_state();
	}
	rcu_thread_offline();
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	rcu_thread_online();
	pthread_barrier_destroy(&r.go);
	pthread_barrier_destroy(&r.done);
	call_table_free(r.t);
}

/*
 * Stress: workers insert, answer and remove random keys of a shared key
 * space while the main thread expires; a key's number in invite_cseq lets
 * every successful insert and every removal (by a worker or by expiry)
 * be counted per key.
 */
enum {
	STRESS_THREADS = 4,
	STRESS_OPS = 1000000,
	STRESS_KEYS = 512,
	STRESS_CAPACITY = 2048,
};

struct stress {
	struct call_table *t;
	struct call_key keys[STRESS_KEYS];
	uint32_t inserted[STRESS_KEYS], removed[STRESS_KEYS];
	uint32_t full, wrong;
	int running;
};

struct stress_worker {
	struct stress *s;
	uint64_t rng;
};

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void *stress_work(void *arg)
{
	struct stress_worker *w = arg;
	struct stress *s = w->s;
	uint32_t full = 0;

	state_table_thread_init();
	for (int i = 0; i < STRESS_OPS; i++) {
		uint64_t r = next_random(&w->rng);
		uint32_t k = (uint32_t)(r >> 8) % STRESS_KEYS;
		struct call_entry *e;

		switch (r & 3) {
		case 0:
		case 1: {
			/* half die young (deadline 1 ms), half never */
			struct call_info info = call_info(1, k);
			uint64_t deadline = r & 4 ? MS : UINT64_MAX;
			int rc = call_table_insert(s->t, &s->keys[k], &info,
						   deadline, &e);

			if (rc == 0) {
				__atomic_fetch_add(&s->inserted[k], 1,
						   __ATOMIC_RELAXED);
			} else if (rc == -EEXIST) {
				/* cmocka asserts only on the main thread */
				if (call_entry_info(e)->invite_cseq != k)
					__atomic_fetch_add(&s->wrong, 1,
							   __ATOMIC_RELAXED);
			} else if (++full % 64 == 0) {
				/* let the reclaim thread run (2 cores) */
				rcu_thread_offline();
				sched_yield();
				rcu_thread_online();
			}
			break;
		}
		case 2:
			e = call_table_lookup(s->t, &s->keys[k]);
			if (e != NULL)
				(void)call_entry_answer(e, 2 * MS, UINT64_MAX);
			break;
		case 3:
			/* the last tenth only inserts, so some calls remain */
			if (i > STRESS_OPS / 10 * 9)
				break;
			e = call_table_lookup(s->t, &s->keys[k]);
			if (e != NULL && call_table_remove(s->t, e))
				__atomic_fetch_add(&s->removed[k], 1,
						   __ATOMIC_RELAXED);
			break;
		}
		rcu_quiescent_state();
	}
	__atomic_fetch_add(&s->full, full, __ATOMIC_RELAXED);
	state_table_thread_fini();
	__atomic_fetch_sub(&s->running, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void count_stress_expiry(const struct call_info *info, void *arg)
{
	struct stress *s = arg;

	__atomic_fetch_add(&s->removed[info->invite_cseq], 1, __ATOMIC_RELAXED);
}

static void test_stress(void **state)
{
	static struct stress s;
	struct stress_worker w[STRESS_THREADS];
	pthread_t tid[STRESS_THREADS];
	uint32_t live = 0, total_in = 0, total_out = 0, refill = 0;
	struct call_info info = call_info(1, 0);
	struct call_entry *e;
	char id[32];
	(void)state;

	memset(&s, 0, sizeof(s));
	s.t = call_table_create(STRESS_CAPACITY);
	for (int k = 0; k < STRESS_KEYS; k++) {
		snprintf(id, sizeof(id), "stress-%d", k);
		s.keys[k] = call_key(1, id);
	}
	s.running = STRESS_THREADS;
	for (int i = 0; i < STRESS_THREADS; i++) {
		w[i] = (struct stress_worker){&s,
					      0x9e3779b97f4a7c15ull * (i + 1)};
		pthread_create(&tid[i], NULL, stress_work, &w[i]);
	}
	/* the one expiring thread, concurrently with the workers */
	while (__atomic_load_n(&s.running, __ATOMIC_ACQUIRE) > 0) {
		(void)call_table_expire(s.t, 2 * MS, 64, count_stress_expiry,
					&s);
		rcu_quiescent_state();
	}
	rcu_thread_offline();
	for (int i = 0; i < STRESS_THREADS; i++)
		pthread_join(tid[i], NULL);
	rcu_thread_online();
	wait_reclaim();

	for (int k = 0; k < STRESS_KEYS; k++) {
		uint32_t held = s.inserted[k] - s.removed[k];
		struct call_entry *found = call_table_lookup(s.t, &s.keys[k]);

		assert_true(s.inserted[k] >= s.removed[k]);
		assert_true(held <= 1);
		assert_int_equal(held, found != NULL);
		live += held;
		total_in += s.inserted[k];
		total_out += s.removed[k];
	}
	print_message("stress: %u inserts, %u removals, %u full, %u live\n",
		      total_in, total_out, s.full, live);
	assert_int_equal(s.wrong, 0);
	assert_true(total_out > 0);
	assert_int_equal(call_table_count(s.t), live);
	assert_int_equal(state_table_free_count((struct state_table *)s.t) +
				 call_table_count(s.t),
			 STRESS_CAPACITY);
	/* no entry lost: exactly the rest of the capacity can be filled */
	for (;;) {
		struct call_key k;

		snprintf(id, sizeof(id), "refill-%u", refill);
		k = call_key(1, id);
		if (call_table_insert(s.t, &k, &info, MS, &e) != 0)
			break;
		refill++;
	}
	assert_int_equal(refill, STRESS_CAPACITY - live);
	call_table_free(s.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_reference_vectors),
		cmocka_unit_test(test_hasher_pieces_equal_whole),
		cmocka_unit_test(test_hasher_matches_bytewise_reference),
		cmocka_unit_test(test_hasher_words_and_one_call_forms),
		cmocka_unit_test(test_call_key_make),
		cmocka_unit_test(test_reg_key_make),
		cmocka_unit_test(test_call_insert_lookup_remove),
		cmocka_unit_test(test_call_capacity_and_recovery),
		cmocka_unit_test(test_call_answer_once),
		cmocka_unit_test(test_call_expire_in_slices),
		cmocka_unit_test(test_call_foreach),
		cmocka_unit_test(test_bytes_per_call),
		cmocka_unit_test(test_reg_table),
		cmocka_unit_test(test_remove_exactly_once),
		cmocka_unit_test(test_remove_or_expire_exactly_once),
		cmocka_unit_test(test_answer_race),
		cmocka_unit_test(test_stress),
	};
	int failed;

	state_table_thread_init();
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	state_table_thread_fini();
	return failed;
}
