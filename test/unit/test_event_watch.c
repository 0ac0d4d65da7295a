/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events derived from counters: refusals summed over lcores become one
 * limit_hit per tenant and reason per interval with the count; traffic of
 * no tenant comes with tenant null; nothing before the first look or
 * between intervals; past the per-look cap, one events_suppressed alert;
 * table fill alerts with hysteresis.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admission.h"
#include "calls.h"
#include "event_watch.h"
#include "state_table.h"

#define S 1000000000ULL
#define SLOTS 4

struct rig {
	struct tenant_registry *registry;
	struct stats_lcore *lcores[2];
	struct admission *adm;
	struct event_log *log;
	struct event_watch *watch;
	uint64_t seen; /* events read so far */
};

static struct rig *rig_sized(uint32_t slots, uint32_t tenants,
			     uint32_t call_capacity, uint32_t max_hits)
{
	static const char *const names[] = {"acme", "globex"};
	struct config_events ev = {.history = 100000, .limit_interval = 1};
	struct rig *r = calloc(1, sizeof(*r));
	char err[128];

	r->registry = tenant_registry_create(slots);
	for (uint32_t i = 0; i < tenants; i++) {
		struct config_limits l = {0};
		struct tenant_policy tp;
		char name[32];

		snprintf(name, sizeof(name), "t%u", i);
		tenant_policy_init(&tp, i < 2 ? names[i] : name, &l, false);
		assert_int_equal(tenant_registry_publish(r->registry, &tp), i);
	}
	for (int k = 0; k < 2; k++)
		r->lcores[k] = stats_lcore_create(slots);
	r->adm = admission_create(slots, call_capacity, 16);
	r->log = event_log_open(&ev, err, sizeof(err));
	r->watch = event_watch_create(slots, 1, max_hits);
	assert_non_null(r->adm);
	assert_non_null(r->log);
	assert_non_null(r->watch);
	return r;
}

static struct rig *rig_new(uint32_t call_capacity, uint32_t max_hits)
{
	return rig_sized(SLOTS, 2, call_capacity, max_hits);
}

static void rig_free(struct rig *r)
{
	event_watch_free(r->watch);
	event_log_close(r->log);
	admission_free(r->adm);
	for (int k = 0; k < 2; k++)
		stats_lcore_free(r->lcores[k]);
	tenant_registry_free(r->registry);
	free(r);
}

static void refuse(struct rig *r, int lcore, int32_t tenant,
		   enum verdict_reason reason, uint64_t n)
{
	r->lcores[lcore]->all.verdicts[reason] += n;
	if (tenant >= 0)
		r->lcores[lcore]->tenants[tenant].verdicts[reason] += n;
	else
		r->lcores[lcore]->no_tenant_verdicts[reason] += n;
}

static void poll_at(struct rig *r, uint64_t t_ns)
{
	event_watch_poll(r->watch, r->log, r->lcores, 2, r->registry, r->adm,
			 t_ns);
}

/* The events since the last call, as one JSON array text. */
static const char *new_events(struct rig *r)
{
	static struct json_writer w;
	uint64_t now = event_log_count(r->log);

	json_writer_free(&w);
	json_writer_init(&w, 0);
	event_log_write_recent(r->log, &w, now - r->seen);
	r->seen = now;
	return json_writer_text(&w);
}

static void test_limit_hits_summarised(void **state)
{
	struct rig *r = rig_new(1024, 1000);

	(void)state;
	refuse(r, 0, 0, VERDICT_CALL_LIMIT, 1000); /* before: not reported */
	poll_at(r, 1 * S);
	assert_string_equal(new_events(r), "[]");
	/* a flood on both lcores, and forwarded traffic that is no event */
	refuse(r, 0, 0, VERDICT_CALL_LIMIT, 30);
	refuse(r, 1, 0, VERDICT_CALL_LIMIT, 7);
	refuse(r, 1, 0, VERDICT_FORWARDED, 500);
	refuse(r, 0, 1, VERDICT_EMERGENCY, 2);
	refuse(r, 1, 1, VERDICT_SUSPENDED, 3);
	refuse(r, 0, -1, VERDICT_UNKNOWN_SOURCE, 4);
	poll_at(r, 1 * S + S / 2); /* within the interval: nothing yet */
	assert_string_equal(new_events(r), "[]");
	poll_at(r, 2 * S);
	{
		const char *t = new_events(r);

		assert_non_null(strstr(t, "\"type\": \"limit_hit\", "
					  "\"tenant\": \"acme\", \"reason\": "
					  "\"call_limit\", \"count\": 37, "
					  "\"interval_s\": 1}"));
		assert_non_null(strstr(t, "\"tenant\": \"globex\", \"reason\": "
					  "\"suspended\", \"count\": 3,"));
		assert_non_null(strstr(t, "\"tenant\": null, \"reason\": "
					  "\"unknown_source\", \"count\": 4,"));
		assert_null(strstr(t, "forwarded"));
		assert_null(strstr(t, "emergency"));
		assert_int_equal(event_log_count(r->log), 3);
	}
	/* quiet: nothing; then one more */
	poll_at(r, 3 * S);
	assert_string_equal(new_events(r), "[]");
	refuse(r, 1, 0, VERDICT_CALL_LIMIT, 1);
	poll_at(r, 4 * S);
	assert_non_null(strstr(new_events(r), "\"count\": 1,"));
	rig_free(r);
}

/* More moving rows than one look may report: the rest in one alert. */
static void test_suppressed(void **state)
{
	struct rig *r = rig_new(1024, 5);
	const char *t;

	(void)state;
	poll_at(r, 1 * S);
	for (int v = 0; v < VERDICT_MAX; v++) {
		refuse(r, 0, 0, v, 1);
		refuse(r, 0, 1, v, 1);
	}
	poll_at(r, 2 * S);
	/* 12 refusal reasons x 2 tenants: 5 reported, 19 summed */
	assert_int_equal(event_log_count(r->log), 6);
	t = new_events(r);
	assert_non_null(strstr(t, "\"type\": \"alert\", \"alert\": "
				  "\"events_suppressed\", \"count\": 19}]"));
	/* the next look starts afresh: nothing moved, nothing owed */
	poll_at(r, 3 * S);
	assert_string_equal(new_events(r), "[]");
	rig_free(r);
}

static void insert_calls(struct rig *r, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		struct call_key k = {.hi = i + 1, .lo = i * 7 + 3};
		struct call_info info = {.tenant = 0};
		struct call_entry *e;

		assert_int_equal(call_table_insert(r->adm->calls, &k, &info,
						   100 * S, &e),
				 0);
	}
}

static void remove_calls(struct rig *r, uint32_t from, uint32_t to)
{
	for (uint32_t i = from; i < to; i++) {
		struct call_key k = {.hi = i + 1, .lo = i * 7 + 3};
		struct call_entry *e = call_table_lookup(r->adm->calls, &k);

		assert_non_null(e);
		assert_true(call_table_remove(r->adm->calls, e));
	}
}

/* A pass over many slots is spread over polls, EVENT_WATCH_SLICE slots
 * each: the control socket is never held up for the whole table. */
static void test_pass_in_slices(void **state)
{
	uint32_t tenants = 2 * EVENT_WATCH_SLICE + 10;
	struct rig *r = rig_sized(tenants + 6, tenants, 1024, 1000);
	uint64_t t = 1 * S;

	(void)state;
	for (int i = 0; i < 3; i++) /* the first pass only records */
		poll_at(r, t += S / 100);
	refuse(r, 1, (int32_t)tenants - 1, VERDICT_CPS_LIMIT, 9);
	refuse(r, 0, 0, VERDICT_CPS_LIMIT, 2);
	poll_at(r, t += S); /* slots 0 .. SLICE - 1: acme's, at once */
	assert_non_null(strstr(new_events(r),
			       "\"tenant\": \"acme\", \"reason\": "
			       "\"cps_limit\", \"count\": 2,"));
	poll_at(r, t += S / 100);
	assert_string_equal(new_events(r), "[]");
	poll_at(r, t += S / 100); /* the last slice: the last tenant's */
	{
		char want[96];

		snprintf(want, sizeof(want),
			 "\"tenant\": \"t%u\", \"reason\": \"cps_limit\", "
			 "\"count\": 9,",
			 tenants - 1);
		assert_non_null(strstr(new_events(r), want));
	}
	/* no new pass before the interval is up */
	refuse(r, 0, 0, VERDICT_CPS_LIMIT, 1);
	poll_at(r, t += S / 100);
	assert_string_equal(new_events(r), "[]");
	rig_free(r);
}

/* 90% raises the alert once; it clears under 80%, not at 85%. */
static void test_table_fill(void **state)
{
	struct rig *r;
	const char *t;

	(void)state;
	state_table_thread_init();
	r = rig_new(100, 1000);
	poll_at(r, 1 * S);
	insert_calls(r, 0, 89);
	poll_at(r, 2 * S);
	assert_string_equal(new_events(r), "[]");
	insert_calls(r, 89, 95);
	poll_at(r, 3 * S);
	t = new_events(r);
	assert_non_null(strstr(t, "\"type\": \"alert\", \"alert\": "
				  "\"table_fill\", \"table\": \"calls\", "
				  "\"used\": 95, \"capacity\": 100}"));
	poll_at(r, 4 * S);
	assert_string_equal(new_events(r), "[]");
	remove_calls(r, 85, 95);
	poll_at(r, 5 * S);
	assert_string_equal(new_events(r), "[]");
	remove_calls(r, 75, 85);
	poll_at(r, 6 * S);
	assert_non_null(strstr(new_events(r), "\"type\": \"alert_cleared\", "
					      "\"alert\": \"table_fill\", "
					      "\"table\": \"calls\", \"used\": "
					      "75,"));
	rcu_quiescent_state();
	rig_free(r);
	state_table_thread_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_hits_summarised),
		cmocka_unit_test(test_suppressed),
		cmocka_unit_test(test_pass_in_slices),
		cmocka_unit_test(test_table_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
