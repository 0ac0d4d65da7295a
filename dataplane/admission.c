/* SPDX-License-Identifier: BSD-3-Clause */
#include "admission.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_prefetch.h>

#define NS_PER_S 1000000000ULL
/* RFC 3261 timer F / B: how long a transaction may go unanswered */
#define TRANSACTION_TIMEOUT_NS (32 * NS_PER_S)
#define DEFAULT_REGISTER_EXPIRES 3600
#define SWEEP_PERIOD_NS (NS_PER_S / 10)
#define SWEEP_SLICES 10

static uint64_t atomic_load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

struct admission *admission_create(uint32_t tenant_count,
				   uint32_t call_capacity,
				   uint32_t reg_capacity)
{
	struct admission *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	a->tenant_count = tenant_count;
	a->usage = aligned_alloc(64, sizeof(*a->usage) *
					     (tenant_count ? tenant_count : 1));
	a->calls = call_table_create(call_capacity);
	a->regs = reg_table_create(reg_capacity);
	if (a->usage == NULL || a->calls == NULL || a->regs == NULL ||
	    caller_buckets_init(&a->callers, 65536) < 0) {
		admission_free(a);
		return NULL;
	}
	memset(a->usage, 0,
	       sizeof(*a->usage) * (tenant_count ? tenant_count : 1));
	return a;
}

void admission_free(struct admission *a)
{
	if (a == NULL)
		return;
	if (a->calls != NULL)
		call_table_free(a->calls);
	if (a->regs != NULL)
		reg_table_free(a->regs);
	caller_buckets_free(&a->callers);
	free(a->usage);
	free(a);
}

/* The half of the calls word a direction counts in. */
static unsigned int direction_shift(enum call_direction dir)
{
	return dir == CALL_FROM_OUTSIDE ? 0 : 32;
}

static bool calls_admit(struct tenant_usage *u, const struct tenant_policy *tp,
			enum call_direction dir)
{
	unsigned int shift = direction_shift(dir);
	uint32_t dir_max =
		dir == CALL_FROM_OUTSIDE ? tp->max_inbound : tp->max_outbound;
	uint64_t cur = atomic_load64(&u->calls);

	do {
		uint32_t in = (uint32_t)cur, out = (uint32_t)(cur >> 32);

		if (tp->max_calls != 0 && (uint64_t)in + out >= tp->max_calls)
			return false;
		if (dir_max != 0 && (uint32_t)(cur >> shift) >= dir_max)
			return false;
	} while (!__atomic_compare_exchange_n(
		&u->calls, &cur, cur + (1ULL << shift), true, __ATOMIC_ACQ_REL,
		__ATOMIC_RELAXED));
	return true;
}

/* Never wraps below zero; an attempt would be a bug, and is counted. */
static void calls_release(struct admission *a, struct tenant_usage *u,
			  enum call_direction dir)
{
	unsigned int shift = direction_shift(dir);
	uint64_t cur = atomic_load64(&u->calls);

	do {
		if ((uint32_t)(cur >> shift) == 0) {
			__atomic_fetch_add(&a->counter_underflows, 1,
					   __ATOMIC_RELAXED);
			return;
		}
	} while (!__atomic_compare_exchange_n(
		&u->calls, &cur, cur - (1ULL << shift), true, __ATOMIC_ACQ_REL,
		__ATOMIC_RELAXED));
}

static bool users_admit(struct tenant_usage *u, uint32_t max_users)
{
	uint32_t cur = __atomic_load_n(&u->users, __ATOMIC_RELAXED);

	do {
		if (max_users != 0 && cur >= max_users)
			return false;
	} while (!__atomic_compare_exchange_n(&u->users, &cur, cur + 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

static void users_release(struct admission *a, struct tenant_usage *u)
{
	uint32_t cur = __atomic_load_n(&u->users, __ATOMIC_RELAXED);

	do {
		if (cur == 0) {
			__atomic_fetch_add(&a->counter_underflows, 1,
					   __ATOMIC_RELAXED);
			return;
		}
	} while (!__atomic_compare_exchange_n(&u->users, &cur, cur - 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
}

/* What a call held, given back once (its remover calls this). */
static void call_released(const struct call_info *info, void *arg)
{
	struct admission *a = arg;
	struct tenant_usage *u;

	if (info->tenant >= a->tenant_count)
		return;
	u = &a->usage[info->tenant];
	if (info->emergency)
		__atomic_fetch_sub(&u->emergency_calls, 1, __ATOMIC_RELAXED);
	else
		calls_release(a, u, info->direction);
}

static void call_end(struct admission *a, struct call_entry *e)
{
	if (call_table_remove(a->calls, e))
		call_released(call_entry_info(e), a);
}

static void reg_released(const struct reg_info *info, void *arg)
{
	struct admission *a = arg;

	if (info->tenant < a->tenant_count)
		users_release(a, &a->usage[info->tenant]);
}

static void reg_end(struct admission *a, struct reg_entry *e)
{
	if (reg_table_remove(a->regs, e))
		reg_released(reg_entry_info(e), a);
}

/* The prepared key, or (not prepared) made now: the same value. key_id:
 * the tenant's, tenant_registry_key_id(). */
static struct call_key prep_call_key(const struct admission_prep *prep,
				     uint64_t key_id, const struct sip_msg *m)
{
	return prep->kind == ADMISSION_KEY_CALL
		       ? prep->call
		       : call_key_make(key_id, &m->call_id);
}

static struct reg_key prep_reg_key(const struct admission_prep *prep,
				   uint64_t key_id, const struct sip_msg *m)
{
	return prep->kind == ADMISSION_KEY_REG ? prep->reg
					       : reg_key_make(key_id, &m->to);
}

static void admit_invite(struct admission *a, const struct policy *p,
			 const struct tenant_policy *tp, enum side from,
			 const struct pkt_info *pi, const struct sip_msg *m,
			 const struct call_key *key, uint64_t now,
			 struct policy_decision *d)
{
	uint32_t t = d->tenant;
	struct tenant_usage *u = &a->usage[t];
	struct call_info info = {
		.tenant = t,
		.direction = from == SIDE_OUTSIDE ? CALL_FROM_OUTSIDE
						  : CALL_FROM_INSIDE,
		/* before the lookup on purpose: it runs while the key's hash
		 * finishes and keeps the tenant-counter loads below within the
		 * out-of-order window of the lookup's misses (after the lookup,
		 * a new call's INVITE took ~200 ns more) */
		.emergency = emergency_match(&p->emergency, &m->ruri),
		.invite_cseq = m->cseq,
		.created_ns = now,
	};
	struct call_entry *e;
	int rc;

	/*
	 * The retransmission check stays a lookup of its own, before the
	 * checks, rather than letting call_table_insert's -EEXIST be it:
	 *  - A retransmission must neither take CPS tokens nor be refused by
	 *    a limit its call already holds a slot under, so whether it is one
	 *    must be known before rate_allow and calls_admit.
	 *  - The entry must not be published before calls_admit's CAS won:
	 *    once inserted, other lcores see it (a retransmission there would
	 *    pass as admitted, a response would find it), so a refused call
	 *    would have been visible as admitted, and undoing it (remove)
	 *    would release a slot never taken.
	 * What the lookup costs is not its instructions (about 100) but the
	 * bucket reads (cache and TLB misses) that any hash operation on a new
	 * key pays once; the insert after it walks the same, now cached,
	 * nodes. Measured: without the lookup (unsafe) the INVITE was within
	 * noise of with it, the misses moving into cds_lfht_add_unique.
	 */
	e = call_table_lookup(a->calls, key);
	if (e != NULL) {
		/* a retransmission: admitted once already, under its reason */
		if (call_entry_info(e)->emergency)
			d->reason = VERDICT_EMERGENCY;
		return;
	}
	if (!info.emergency) {
		if (tp->suspended) {
			policy_refuse(p, VERDICT_SUSPENDED, pi, m, d);
			return;
		}
		if (!rate_allow(&u->cps, &tp->cps, now) ||
		    (tp->caller_cps.interval_ns != 0 &&
		     !rate_allow(caller_bucket(&a->callers, t, m->from.user.ptr,
					       m->from.user.len),
				 &tp->caller_cps, now))) {
			policy_refuse(p, VERDICT_CPS_LIMIT, pi, m, d);
			return;
		}
		if (!calls_admit(u, tp, info.direction)) {
			policy_refuse(p, VERDICT_CALL_LIMIT, pi, m, d);
			return;
		}
	} else {
		__atomic_fetch_add(&u->emergency_calls, 1, __ATOMIC_RELAXED);
		d->reason = VERDICT_EMERGENCY;
	}
	rc = call_table_insert(a->calls, key, &info,
			       now + tp->unanswered_timeout_ns, &e);
	if (rc == 0)
		return;
	/* another lcore admitted the same INVITE first, or no room: give
	 * the slot back */
	call_released(&info, a);
	if (rc == -ENOSPC && !info.emergency)
		policy_refuse(p, VERDICT_TABLE_FULL, pi, m, d);
}

static bool is_unregister(const struct sip_msg *m)
{
	return m->contact_star || m->contact_expires == 0 ||
	       (m->contact_expires < 0 && m->expires == 0);
}

static uint64_t requested_expiry_s(const struct sip_msg *m)
{
	if (m->contact_expires >= 0)
		return (uint64_t)m->contact_expires;
	if (m->expires >= 0)
		return (uint64_t)m->expires;
	return DEFAULT_REGISTER_EXPIRES;
}

static void admit_register(struct admission *a, const struct policy *p,
			   const struct tenant_policy *tp,
			   const struct pkt_info *pi, const struct sip_msg *m,
			   const struct admission_prep *prep, uint64_t now,
			   struct policy_decision *d)
{
	uint32_t t = d->tenant;
	struct tenant_usage *u = &a->usage[t];
	struct reg_info info = {.tenant = t, .created_ns = now};
	struct reg_key key;
	struct reg_entry *e;
	int rc;

	/* leaving or asking is always allowed */
	if (is_unregister(m) || m->contact.whole.len == 0)
		return;
	if (tp->suspended) {
		policy_refuse(p, VERDICT_SUSPENDED, pi, m, d);
		return;
	}
	if (!rate_allow(&u->register_rate, &tp->register_rate, now)) {
		policy_refuse(p, VERDICT_CPS_LIMIT, pi, m, d);
		return;
	}
	key = prep_reg_key(prep, tenant_registry_key_id(p->registry, t), m);
	if (reg_table_lookup(a->regs, &key) != NULL)
		return; /* a refresh */
	if (!users_admit(u, tp->max_users)) {
		policy_refuse(p, VERDICT_USER_LIMIT, pi, m, d);
		return;
	}
	rc = reg_table_insert(a->regs, &key, &info,
			      now + requested_expiry_s(m) * NS_PER_S, &e);
	if (rc == 0)
		return;
	users_release(a, u);
	if (rc == -ENOSPC)
		policy_refuse(p, VERDICT_TABLE_FULL, pi, m, d);
}

static void invite_response(struct admission *a, const struct tenant_policy *tp,
			    const struct sip_msg *m, const struct call_key *key,
			    uint64_t now)
{
	struct call_entry *e = call_table_lookup(a->calls, key);

	/* responses to re-INVITEs (another CSeq) say nothing of the call */
	if (e == NULL || call_entry_info(e)->invite_cseq != m->cseq)
		return;
	if (m->status >= 200 && m->status < 300)
		call_entry_answer(e, now, now + tp->max_call_duration_ns);
	else if (m->status >= 300 && call_entry_state(e) == CALL_EARLY)
		call_end(a, e);
}

static void register_response(struct admission *a, const struct reg_key *key,
			      const struct sip_msg *m, uint64_t now)
{
	struct reg_entry *e = reg_table_lookup(a->regs, key);
	bool pending;

	if (e == NULL || m->status < 200)
		return;
	pending = reg_entry_state(e) == REG_PENDING;
	if (m->status < 300) {
		/* the 2xx lists the bindings that remain */
		uint64_t granted =
			m->contact.whole.len ? requested_expiry_s(m) : 0;

		if (granted == 0 ||
		    !reg_entry_set_expiry(e, REG_ACTIVE,
					  now + granted * NS_PER_S))
			reg_end(a, e);
	} else if (m->status == 401 || m->status == 407) {
		/* challenged: the retry with credentials finds it, an
		 * attacker cycling AORs does not hold slots for long */
		if (pending)
			reg_entry_set_expiry(e, REG_PENDING,
					     now + TRANSACTION_TIMEOUT_NS);
	} else if (pending) {
		reg_end(a, e);
	}
}

static void other_request(struct admission *a, const struct policy *p,
			  const struct tenant_policy *tp,
			  const struct pkt_info *pi, const struct sip_msg *m,
			  uint64_t now, struct policy_decision *d)
{
	/* in-dialog requests belong to calls already admitted */
	if (m->to_tag.len != 0 || m->method == SIP_METHOD_CANCEL)
		return;
	if (tp->suspended)
		policy_refuse(p, VERDICT_SUSPENDED, pi, m, d);
	else if (!rate_allow(&a->usage[d->tenant].other_rate, &tp->other_rate,
			     now))
		policy_refuse(p, VERDICT_CPS_LIMIT, pi, m, d);
}

/* Which table key the decision on m will use (see admission_decide). */
static int key_kind(enum side from, const struct sip_msg *m)
{
	if (!m->is_request) {
		if (m->cseq_method == SIP_METHOD_INVITE ||
		    (m->cseq_method == SIP_METHOD_BYE && m->status >= 200))
			return ADMISSION_KEY_CALL;
		return m->cseq_method == SIP_METHOD_REGISTER
			       ? ADMISSION_KEY_REG
			       : ADMISSION_KEY_NONE;
	}
	switch (m->method) {
	case SIP_METHOD_INVITE:
		return m->to_tag.len == 0 ? ADMISSION_KEY_CALL
					  : ADMISSION_KEY_NONE;
	case SIP_METHOD_BYE:
		return ADMISSION_KEY_CALL;
	case SIP_METHOD_REGISTER:
		/* admit_register's early exits need no key */
		return from == SIDE_OUTSIDE && m->to_tag.len == 0 &&
				       !is_unregister(m) &&
				       m->contact.whole.len != 0
			       ? ADMISSION_KEY_REG
			       : ADMISSION_KEY_NONE;
	default:
		return ADMISSION_KEY_NONE;
	}
}

void admission_prepare(struct admission *a, const struct policy *p,
		       enum side from, const struct sip_msg *m, uint32_t tenant,
		       struct admission_prep *prep)
{
	struct tenant_usage *u;

	prep->kind = ADMISSION_KEY_NONE;
	prep->tenant = tenant;
	if (tenant == TENANT_NONE || tenant >= a->tenant_count)
		return;
	/* the tenant's limits: its slot now, the object it points to in
	 * admission_prefetch */
	if (tenant < p->registry->capacity)
		rte_prefetch0(&p->registry->slots[tenant]);
	u = &a->usage[tenant];
	prep->kind = key_kind(from, m);
	switch (prep->kind) {
	case ADMISSION_KEY_CALL:
		prep->call = call_key_make(
			tenant_registry_key_id(p->registry, tenant),
			&m->call_id);
		call_table_prefetch(a->calls, &prep->call, false);
		/* an initial INVITE takes a slot and a token; a BYE's
		 * response gives the slot back */
		__builtin_prefetch(&u->calls, 1, 3);
		if (m->is_request && m->method == SIP_METHOD_INVITE)
			__builtin_prefetch(&u->cps, 1, 3);
		break;
	case ADMISSION_KEY_REG:
		prep->reg = reg_key_make(
			tenant_registry_key_id(p->registry, tenant), &m->to);
		reg_table_prefetch(a->regs, &prep->reg, false);
		if (m->is_request) {
			__builtin_prefetch(&u->users, 1, 3);
			__builtin_prefetch(&u->register_rate, 1, 3);
		}
		break;
	default:
		if (m->is_request && m->to_tag.len == 0)
			__builtin_prefetch(&u->other_rate, 1, 3);
		break;
	}
}

void admission_prefetch(struct admission *a, const struct policy *p,
			const struct admission_prep *prep)
{
	const struct tenant_policy *tp;

	if (prep->tenant == TENANT_NONE || prep->tenant >= a->tenant_count)
		return;
	tp = policy_tenant(p, prep->tenant);
	if (tp != NULL) {
		/* what admission reads of it, max_calls to suspended, lies
		 * on the lines these three points are on */
		rte_prefetch0(&tp->max_calls);
		rte_prefetch0(&tp->register_rate);
		rte_prefetch0(&tp->suspended);
	}
	if (prep->kind == ADMISSION_KEY_CALL)
		call_table_prefetch(a->calls, &prep->call, true);
	else if (prep->kind == ADMISSION_KEY_REG)
		reg_table_prefetch(a->regs, &prep->reg, true);
}

void admission_decide(struct admission *a, const struct policy *p,
		      enum side from, const struct pkt_info *pi,
		      const struct sip_msg *m, uint64_t now_ns,
		      struct policy_decision *d)
{
	struct admission_prep prep = {.tenant = TENANT_NONE,
				      .kind = ADMISSION_KEY_NONE};

	admission_decide_prepared(a, p, from, pi, m, now_ns, &prep, d);
}

void admission_decide_prepared(struct admission *a, const struct policy *p,
			       enum side from, const struct pkt_info *pi,
			       const struct sip_msg *m, uint64_t now_ns,
			       const struct admission_prep *prep,
			       struct policy_decision *d)
{
	uint32_t t = d->tenant;
	const struct tenant_policy *tp;
	uint64_t key_id; /* the tenant in call and registration keys */
	struct call_key key;

	if (t == TENANT_NONE || t >= a->tenant_count)
		return;
	/* from its own array: loaded alongside the policy, not after it */
	key_id = tenant_registry_key_id(p->registry, t);
	/* read once: a concurrent change swaps the object, never edits it */
	tp = policy_tenant(p, t);
	if (tp == NULL)
		return;
	if (!m->is_request) {
		if (m->cseq_method == SIP_METHOD_INVITE) {
			key = prep_call_key(prep, key_id, m);
			invite_response(a, tp, m, &key, now_ns);
		} else if (m->cseq_method == SIP_METHOD_BYE &&
			   m->status >= 200) {
			struct call_entry *e;

			key = prep_call_key(prep, key_id, m);
			e = call_table_lookup(a->calls, &key);
			if (e != NULL)
				call_end(a, e);
		} else if (m->cseq_method == SIP_METHOD_REGISTER) {
			struct reg_key rkey = prep_reg_key(prep, key_id, m);

			register_response(a, &rkey, m, now_ns);
		}
		return;
	}
	switch (m->method) {
	case SIP_METHOD_INVITE:
		if (m->to_tag.len == 0) {
			key = prep_call_key(prep, key_id, m);
			admit_invite(a, p, tp, from, pi, m, &key, now_ns, d);
		}
		return;
	case SIP_METHOD_ACK: {
		int code = m->to_tag.len
				   ? reply_tag_code(p->tag_key, &m->call_id,
						    &m->to_tag)
				   : -1;

		if (code >= 0 && code < VERDICT_MAX) {
			d->reason = (enum verdict_reason)code;
			d->action = ACTION_DROP;
			d->absorbed = true;
		}
		return;
	}
	case SIP_METHOD_BYE: {
		struct call_entry *e;

		key = prep_call_key(prep, key_id, m);
		e = call_table_lookup(a->calls, &key);
		if (e != NULL)
			call_entry_ending(e, now_ns + TRANSACTION_TIMEOUT_NS);
		return;
	}
	case SIP_METHOD_REGISTER:
		if (from == SIDE_OUTSIDE && m->to_tag.len == 0) {
			admit_register(a, p, tp, pi, m, prep, now_ns, d);
			return;
		}
		break;
	default:
		break;
	}
	other_request(a, p, tp, pi, m, now_ns, d);
}

void admission_housekeeping(struct admission *a, uint64_t now_ns)
{
	uint64_t next = __atomic_load_n(&a->next_sweep_ns, __ATOMIC_RELAXED);
	uint64_t slices;
	uint32_t n;

	if (now_ns < next ||
	    !__atomic_compare_exchange_n(&a->next_sweep_ns, &next,
					 now_ns + SWEEP_PERIOD_NS, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	/* after a quiet spell (or a gap in a capture) catch up at once, so
	 * that what expired meanwhile is gone before the next message */
	slices = next == 0 ? SWEEP_SLICES
			   : (now_ns - next) / SWEEP_PERIOD_NS + 1;
	if (slices > SWEEP_SLICES)
		slices = SWEEP_SLICES;
	n = call_table_expire(
		a->calls, now_ns,
		(uint32_t)(slices *
			   (call_table_capacity(a->calls) / SWEEP_SLICES + 1)),
		call_released, a);
	__atomic_fetch_add(&a->calls_expired, n, __ATOMIC_RELAXED);
	n = reg_table_expire(
		a->regs, now_ns,
		(uint32_t)(slices *
			   (reg_table_capacity(a->regs) / SWEEP_SLICES + 1)),
		reg_released, a);
	__atomic_fetch_add(&a->regs_expired, n, __ATOMIC_RELAXED);
}

int admission_restore_call(struct admission *a, const struct call_key *key,
			   const struct call_info *info, enum call_state state,
			   uint64_t answered_ns, uint64_t deadline_ns)
{
	struct tenant_usage *u;
	struct call_entry *e;
	int rc;

	if (info->tenant >= a->tenant_count)
		return -EINVAL;
	rc = call_table_insert(a->calls, key, info, deadline_ns, &e);
	if (rc < 0)
		return rc;
	if (state != CALL_EARLY && answered_ns != 0)
		call_entry_answer(e, answered_ns, deadline_ns);
	if (state == CALL_ENDING)
		call_entry_ending(e, deadline_ns);
	u = &a->usage[info->tenant];
	if (info->emergency)
		__atomic_fetch_add(&u->emergency_calls, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&u->calls,
				   1ULL << direction_shift(info->direction),
				   __ATOMIC_RELAXED);
	return 0;
}

int admission_restore_reg(struct admission *a, const struct reg_key *key,
			  const struct reg_info *info, enum reg_state state,
			  uint64_t expires_ns)
{
	struct reg_entry *e;
	int rc;

	if (info->tenant >= a->tenant_count)
		return -EINVAL;
	rc = reg_table_insert(a->regs, key, info, expires_ns, &e);
	if (rc < 0)
		return rc;
	if (state != REG_PENDING)
		reg_entry_set_expiry(e, state, expires_ns);
	__atomic_fetch_add(&a->usage[info->tenant].users, 1, __ATOMIC_RELAXED);
	return 0;
}

void admission_gauges(const struct admission *a, struct stats_gauges *g)
{
	g->calls_active = call_table_count(a->calls);
	g->call_capacity = call_table_capacity(a->calls);
	g->calls_expired = atomic_load64(&a->calls_expired);
	g->registrations_active = reg_table_count(a->regs);
	g->registration_capacity = reg_table_capacity(a->regs);
	g->registrations_expired = atomic_load64(&a->regs_expired);
	g->counter_underflows = atomic_load64(&a->counter_underflows);
	for (uint32_t t = 0; t < a->tenant_count && t < g->tenant_count; t++) {
		const struct tenant_usage *u = &a->usage[t];
		uint64_t calls = atomic_load64(&u->calls);
		struct stats_tenant_gauges *tg = &g->tenants[t];

		tg->calls_inbound = (uint32_t)calls;
		tg->calls_outbound = (uint32_t)(calls >> 32);
		tg->emergency_calls =
			__atomic_load_n(&u->emergency_calls, __ATOMIC_RELAXED);
		tg->users = __atomic_load_n(&u->users, __ATOMIC_RELAXED);
	}
}
