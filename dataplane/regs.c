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

struct reg_key reg_key_make(uint32_t tenant, const struct sip_uri *aor)
{
	struct state_key_hasher h;
	struct state_key k;

	state_key_hasher_init(&h);
	state_key_add_u32(&h, tenant);
	/* The length keeps user "ab" + host "c" apart from "a" + "bc". */
	state_key_add_u32(&h, aor->user.len);
	state_key_add(&h, aor->user.ptr, aor->user.len);
	state_key_add_lower(&h, aor->host.ptr, aor->host.len);
	k = state_key_final(&h);
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
