/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admission: the checks that need live state (calls in progress,
 * registrations, rates) for one SIP message of a known tenant.
 *
 * Contract:
 *  - struct admission is shared by every worker and by the sweeper; all of
 *    it is lock-free. Per tenant, the call counter compared against
 *    max_calls/max_inbound/max_outbound is one 64-bit atomic on its own
 *    cache line, and admission is one compare-and-swap on it: the limits
 *    hold exactly with every lcore admitting at once.
 *  - A call is counted from its initial INVITE (no To tag) until its slot
 *    is returned, exactly once, on: a final non-2xx response to that
 *    INVITE (so CANCEL/487 too), a final response to a BYE from either
 *    side, or expiry (unanswered_timeout, max_call_duration, or 32 s after
 *    a BYE that got no answer). Retransmissions find the existing entry
 *    and are not counted again. Emergency calls are tracked but counted
 *    apart, never against the limits.
 *  - Registrations count distinct AORs (the To URI) per tenant against
 *    max_users; a refresh of a known AOR never counts again. Unregisters
 *    and queries (no Contact) always pass; new registrations and refreshes
 *    alike are subject to register_rate and to a suspension. A binding
 *    lives until the expiry the SBC's 2xx granted (the request's if no
 *    response is seen); a 401/407 leaves a new AOR pending for 32 s.
 *  - admission_decide() changes the decision only for a known tenant
 *    (d->tenant != TENANT_NONE); refusals are filled with policy_refuse().
 *  - Live state survives a policy change: it is indexed by tenant number,
 *    and lowering a limit refuses new calls without ending any.
 */
#ifndef SIPWARDEN_ADMISSION_H
#define SIPWARDEN_ADMISSION_H

#include <stdbool.h>
#include <stdint.h>

#include "calls.h"
#include "policy.h"
#include "ratelimit.h"
#include "regs.h"
#include "stats.h"

struct tenant_usage {
	/* calls from the tenant (low 32 bits) and to it (high 32 bits) */
	uint64_t calls __attribute__((aligned(64)));
	uint32_t users __attribute__((aligned(64)));
	uint32_t emergency_calls;
	struct rate_bucket cps __attribute__((aligned(64)));
	struct rate_bucket register_rate __attribute__((aligned(64)));
	struct rate_bucket other_rate;
};

struct admission {
	struct call_table *calls;
	struct reg_table *regs;
	struct tenant_usage *usage; /* [tenant_count] */
	uint32_t tenant_count;
	struct caller_buckets callers;
	uint64_t next_sweep_ns;		      /* CAS-claimed by the sweeper */
	uint64_t calls_expired, regs_expired; /* atomics */
	uint64_t counter_underflows; /* must stay 0: a release without a
					matching admission */
};

struct admission *admission_create(uint32_t tenant_count,
				   uint32_t call_capacity,
				   uint32_t reg_capacity);
/* Only when no thread uses it; waits for pending reclamation. */
void admission_free(struct admission *a);

/*
 * Refine d (tenant known, reason forwarded) for message m from `from`,
 * at now_ns. Sets d->absorbed for an ACK to one of our replies.
 */
void admission_decide(struct admission *a, const struct policy *p,
		      enum side from, const struct pkt_info *pi,
		      const struct sip_msg *m, uint64_t now_ns,
		      struct policy_decision *d);

/*
 * The same decision in steps, for a worker that has a burst of messages
 * to decide (see worker.c): admission_prepare() makes the table key the
 * decision will use and starts fetching its bucket and the tenant's
 * counters; admission_prefetch(), some time later, fetches the node the
 * bucket points to; admission_decide_prepared() decides as
 * admission_decide() would. Preparing reads only the message and
 * changes nothing, so messages may be prepared ahead of earlier ones
 * being decided; decisions must still be made in arrival order.
 */
struct admission_prep {
	uint32_t tenant;
	enum { ADMISSION_KEY_NONE, ADMISSION_KEY_CALL, ADMISSION_KEY_REG } kind;
	union {
		struct call_key call;
		struct reg_key reg;
	};
};

void admission_prepare(struct admission *a, const struct policy *p,
		       enum side from, const struct sip_msg *m, uint32_t tenant,
		       struct admission_prep *prep);
void admission_prefetch(struct admission *a, const struct policy *p,
			const struct admission_prep *prep);
void admission_decide_prepared(struct admission *a, const struct policy *p,
			       enum side from, const struct pkt_info *pi,
			       const struct sip_msg *m, uint64_t now_ns,
			       const struct admission_prep *prep,
			       struct policy_decision *d);

/*
 * Expire calls and registrations past their time. Cheap to call often:
 * at most one caller sweeps at a time, a slice every 100 ms of the
 * caller's clock, the whole tables once a second.
 */
void admission_housekeeping(struct admission *a, uint64_t now_ns);

/*
 * Re-create a call or registration that an earlier run saved (see
 * state_persist), in its state and with its times, and count it against
 * its tenant (emergency calls apart) without the limit checks: it was
 * admitted then, and a limit lowered since never ends what runs. Before
 * the workers start. 0, -EEXIST (the key is there) or -ENOSPC.
 */
int admission_restore_call(struct admission *a, const struct call_key *key,
			   const struct call_info *info, enum call_state state,
			   uint64_t answered_ns, uint64_t deadline_ns);
int admission_restore_reg(struct admission *a, const struct reg_key *key,
			  const struct reg_info *info, enum reg_state state,
			  uint64_t expires_ns);

/* Live gauges for the report: per tenant and for the tables. */
void admission_gauges(const struct admission *a, struct stats_gauges *g);

#endif
