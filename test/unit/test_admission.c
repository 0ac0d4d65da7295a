/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Admission under concurrency: several threads admit and end calls at
 * once (and a sweeper expires them) against one tenant's limit. The
 * counter must never exceed the limit, never wrap below zero, and return
 * to zero when every call has ended, whichever way.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admission.h"
#include "state_table.h"

#define LIMIT 50
#define THREADS 4
#define CALLS_PER_THREAD 20000
#define S 1000000000ULL

/* One tenant "t" in slot 0 with max_calls LIMIT; unanswered_timeout in s. */
static struct policy *test_policy(uint32_t unanswered_timeout)
{
	struct policy *p = calloc(1, sizeof(*p));
	struct config_limits l = {
		.max_calls = LIMIT,
		.unanswered_timeout = unanswered_timeout,
		.max_call_duration = 3600,
	};
	struct tenant_policy tp;

	p->registry = tenant_registry_create(1);
	tenant_policy_init(&tp, "t", &l, false);
	assert_int_equal(tenant_registry_publish(p->registry, &tp), 0);
	p->refusals[VERDICT_CALL_LIMIT] =
		(struct policy_refusal){.action = ACTION_REPLY, .code = 503};
	p->refusals[VERDICT_TABLE_FULL] =
		(struct policy_refusal){.action = ACTION_REPLY, .code = 503};
	return p;
}

struct worker_args {
	struct admission *a;
	const struct policy *p;
	unsigned int id;
	unsigned int admitted, refused, max_seen;
	volatile int *sweeping;
};

static void message(struct sip_msg *m, bool request, const char *call_id,
		    uint16_t status)
{
	memset(m, 0, sizeof(*m));
	m->is_request = request;
	m->method = SIP_METHOD_INVITE;
	m->cseq_method = SIP_METHOD_INVITE;
	m->cseq = 1;
	m->status = status;
	m->call_id.ptr = call_id;
	m->call_id.len = (uint32_t)strlen(call_id);
	m->from.user.ptr = "alice";
	m->from.user.len = 5;
	m->contact_expires = -1;
	m->expires = -1;
	m->content_length = -1;
}

static uint32_t calls_now(const struct admission *a)
{
	uint64_t c = __atomic_load_n(&a->usage[0].calls, __ATOMIC_RELAXED);

	return (uint32_t)c + (uint32_t)(c >> 32);
}

static void *admit_and_end(void *arg)
{
	struct worker_args *w = arg;
	struct pkt_info pi = {.l4 = PKT_L4_UDP};
	char ids[8][32];
	unsigned int held = 0;

	state_table_thread_init();
	for (unsigned int i = 0; i < CALLS_PER_THREAD; i++) {
		struct policy_decision d = {.tenant = 0};
		struct sip_msg m;
		uint32_t now_calls;

		snprintf(ids[held], sizeof(ids[held]), "t%u-c%u", w->id, i);
		message(&m, true, ids[held], 0);
		admission_decide(w->a, w->p, i % 2 ? SIDE_INSIDE : SIDE_OUTSIDE,
				 &pi, &m, 10 * S, &d);
		now_calls = calls_now(w->a);
		if (now_calls > w->max_seen)
			w->max_seen = now_calls;
		if (d.reason == VERDICT_FORWARDED) {
			w->admitted++;
			held++;
		} else {
			w->refused++;
		}
		/* end what we hold with a 487, now and then */
		if (held == 8 || i + 1 == CALLS_PER_THREAD) {
			for (unsigned int k = 0; k < held; k++) {
				struct policy_decision r = {.tenant = 0};

				message(&m, false, ids[k], 487);
				admission_decide(w->a, w->p,
						 k % 2 ? SIDE_OUTSIDE :
							 SIDE_INSIDE,
						 &pi, &m, 10 * S, &r);
			}
			held = 0;
		}
		rcu_quiescent_state();
	}
	state_table_thread_fini();
	return NULL;
}

static void limit_holds_across_threads(void **state)
{
	struct policy *p = test_policy(180);
	struct admission *a = admission_create(1, 100000, 64);
	struct worker_args w[THREADS];
	pthread_t th[THREADS];
	unsigned int admitted = 0;

	(void)state;
	assert_non_null(a);
	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker_args){.a = a, .p = p, .id = i};
		pthread_create(&th[i], NULL, admit_and_end, &w[i]);
	}
	for (unsigned int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_true(w[i].max_seen <= LIMIT);
		admitted += w[i].admitted;
	}
	/* the limit was reached (the test exercised it) */
	assert_true(admitted > LIMIT);
	assert_int_equal(calls_now(a), 0);
	assert_int_equal(a->counter_underflows, 0);
	admission_free(a);
	rcu_barrier();
	tenant_registry_free(p->registry);
	free(p);
}

struct race_args {
	struct admission *a;
	const struct policy *p;
	unsigned int from, to;
};

/* End calls with a 487 while the sweeper expires the same calls. */
static void *end_with_487(void *arg)
{
	struct race_args *r = arg;
	struct pkt_info pi = {.l4 = PKT_L4_UDP};

	state_table_thread_init();
	for (unsigned int i = r->from; i < r->to; i++) {
		struct policy_decision d = {.tenant = 0};
		struct sip_msg m;
		char id[32];

		snprintf(id, sizeof(id), "race-%u", i);
		message(&m, false, id, 487);
		admission_decide(r->a, r->p, SIDE_INSIDE, &pi, &m, 10 * S, &d);
		rcu_quiescent_state();
	}
	state_table_thread_fini();
	return NULL;
}

static void *sweep(void *arg)
{
	struct race_args *r = arg;

	state_table_thread_init();
	/* far past every deadline: each pass may end any call */
	for (uint64_t t = 1; t <= 200; t++) {
		admission_housekeeping(r->a, 10000 * S + t * S);
		rcu_quiescent_state();
	}
	state_table_thread_fini();
	return NULL;
}

static void ending_and_expiry_release_once(void **state)
{
	struct policy *p = test_policy(1);
	struct admission *a = admission_create(1, 8192, 64);
	struct pkt_info pi = {.l4 = PKT_L4_UDP};
	struct race_args ends = {.a = a, .p = p, .from = 0, .to = LIMIT};
	struct race_args sweeper = {.a = a, .p = p};
	pthread_t t1, t2;

	(void)state;
	state_table_thread_init();
	for (unsigned int i = 0; i < LIMIT; i++) {
		struct policy_decision d = {.tenant = 0};
		struct sip_msg m;
		char id[32];

		snprintf(id, sizeof(id), "race-%u", i);
		message(&m, true, id, 0);
		admission_decide(a, p, SIDE_OUTSIDE, &pi, &m, 10 * S, &d);
		assert_int_equal(d.reason, VERDICT_FORWARDED);
	}
	assert_int_equal(calls_now(a), LIMIT);
	rcu_thread_offline();
	pthread_create(&t1, NULL, end_with_487, &ends);
	pthread_create(&t2, NULL, sweep, &sweeper);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	rcu_thread_online();
	assert_int_equal(calls_now(a), 0);
	assert_int_equal(a->counter_underflows, 0);
	state_table_thread_fini();
	admission_free(a);
	rcu_barrier();
	tenant_registry_free(p->registry);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(limit_holds_across_threads),
		cmocka_unit_test(ending_and_expiry_release_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
