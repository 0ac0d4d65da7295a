/* SPDX-License-Identifier: BSD-3-Clause */
#include "regs.h"

#include "state_table.h"

/* A reg_table is a state_table of registration entries (see calls.c). */
struct reg_entry {
	struct state_entry head;
	struct reg_info info;
};

_Static_assert(REG_ACTIVE <= STATE_ENTRY_STATE_MAX, "state fits the word");

STATE_TABLE_TYPED(reg, REG_PENDING, reg_entry_expires_ns)

struct reg_key reg_key_make(uint64_t tenant_key, const struct sip_uri *aor)
{
	/* Tenant and user length in one word, so the user goes in by words;
	 * the length keeps user "ab" + host "c" apart from "a" + "bc" (the
	 * XOR is one-to-one for one tenant). The host without letter case. */
	struct state_key k = state_key_word_bytes_lower(
		tenant_key ^ (uint64_t)aor->user.len << 32, aor->user.ptr,
		aor->user.len, aor->host.ptr, aor->host.len);

	return (struct reg_key){.hi = k.hi, .lo = k.lo};
}

uint64_t reg_entry_expires_ns(const struct reg_entry *e)
{
	return state_entry_deadline_ns(&e->head);
}

bool reg_entry_set_expiry(struct reg_entry *e, enum reg_state state,
			  uint64_t expires_ns)
{
	return state_entry_update(&e->head, ~0u, state, expires_ns);
}
