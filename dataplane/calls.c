/* SPDX-License-Identifier: BSD-3-Clause */
#include "calls.h"

#include <stddef.h>

#include "state_table.h"

/*
 * A call_table is a state_table of call entries; the distinct type keeps
 * calls and registrations apart at compile time.
 */
struct call_entry {
	struct state_entry head;
	struct call_info info;
	uint64_t answered_ns; /* 0 until the first 2xx */
};

_Static_assert(sizeof(struct call_entry) + STATE_TABLE_BUCKET_BYTES_MAX <= 128,
	       "a call costs at most 128 bytes, bucket share included");
_Static_assert(CALL_ENDING <= STATE_ENTRY_STATE_MAX, "state fits the word");

STATE_TABLE_TYPED(call, CALL_EARLY, call_entry_answered_ns)

struct call_key call_key_make(uint64_t tenant_key,
			      const struct sip_str *call_id)
{
	/* The tenant as a whole word, so the Call-ID goes in by words. */
	struct state_key k =
		state_key_word_bytes(tenant_key, call_id->ptr, call_id->len);

	return (struct call_key){.hi = k.hi, .lo = k.lo};
}

uint64_t call_entry_answered_ns(const struct call_entry *e)
{
	return __atomic_load_n(&e->answered_ns, __ATOMIC_ACQUIRE);
}

uint64_t call_entry_deadline_ns(const struct call_entry *e)
{
	return state_entry_deadline_ns(&e->head);
}

bool call_entry_answer(struct call_entry *e, uint64_t now_ns,
		       uint64_t deadline_ns)
{
	if (call_entry_state(e) != CALL_EARLY)
		return false;
	/* Before the state turns: whoever sees ANSWERED sees the time. Two
	 * racing 2xx may both write it; both times are the answer's. */
	__atomic_store_n(&e->answered_ns, now_ns, __ATOMIC_RELAXED);
	return state_entry_update(&e->head, 1u << CALL_EARLY, CALL_ANSWERED,
				  deadline_ns);
}

void call_entry_ending(struct call_entry *e, uint64_t deadline_ns)
{
	(void)state_entry_update(&e->head, ~0u, CALL_ENDING, deadline_ns);
}
