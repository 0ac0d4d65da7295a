/* SPDX-License-Identifier: BSD-3-Clause */
/* Token buckets (ratelimit) and emergency number matching. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "emergency.h"
#include "ratelimit.h"
#include "sip_scan.h"

#define S 1000000000ULL

static void bucket_admits_burst_then_rate(void **state)
{
	struct rate_spec s;
	struct rate_bucket b = {0};
	uint64_t t = 100 * S;
	int admitted = 0;

	(void)state;
	rate_spec_init(&s, 5, 10);
	for (int i = 0; i < 100; i++)
		admitted += rate_allow(&b, &s, t);
	assert_int_equal(admitted, 10); /* the burst, all at one instant */
	/* one second later: exactly `rate` more */
	admitted = 0;
	for (int i = 0; i < 100; i++)
		admitted += rate_allow(&b, &s, t + S);
	assert_int_equal(admitted, 5);
	/* a steady 5/s stream is admitted whole over 10 s */
	admitted = 0;
	for (int i = 0; i < 50; i++)
		admitted += rate_allow(&b, &s, t + 2 * S + (uint64_t)i * S / 5);
	assert_int_equal(admitted, 50);
}

static void zero_rate_is_unlimited(void **state)
{
	struct rate_spec s;
	struct rate_bucket b = {0};

	(void)state;
	rate_spec_init(&s, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(rate_allow(&b, &s, 5));
}

static void clock_stepping_back_is_stricter(void **state)
{
	struct rate_spec s;
	struct rate_bucket b = {0};

	(void)state;
	rate_spec_init(&s, 1, 1);
	assert_true(rate_allow(&b, &s, 10 * S));
	assert_false(rate_allow(&b, &s, 5 * S));
	assert_true(rate_allow(&b, &s, 11 * S));
}

struct hammer {
	struct rate_bucket *b;
	const struct rate_spec *s;
	int admitted;
};

static void *hammer_thread(void *arg)
{
	struct hammer *h = arg;

	for (int i = 0; i < 200000; i++)
		h->admitted += rate_allow(h->b, h->s, 42 * S);
	return NULL;
}

static void burst_holds_across_threads(void **state)
{
	struct rate_spec s;
	struct rate_bucket b = {0};
	struct hammer h[4];
	pthread_t th[4];
	int total = 0;

	(void)state;
	rate_spec_init(&s, 100, 250);
	for (int i = 0; i < 4; i++) {
		h[i] = (struct hammer){.b = &b, .s = &s};
		pthread_create(&th[i], NULL, hammer_thread, &h[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += h[i].admitted;
	}
	assert_int_equal(total, 250);
}

static void caller_buckets_separate_tenants_and_callers(void **state)
{
	struct caller_buckets cb;

	(void)state;
	assert_int_equal(caller_buckets_init(&cb, 1000), 0);
	assert_int_equal(cb.mask, 1023);
	assert_ptr_equal(caller_bucket(&cb, 1, "alice", 5),
			 caller_bucket(&cb, 1, "alice", 5));
	assert_ptr_not_equal(caller_bucket(&cb, 1, "alice", 5),
			     caller_bucket(&cb, 2, "alice", 5));
	assert_ptr_not_equal(caller_bucket(&cb, 1, "alice", 5),
			     caller_bucket(&cb, 1, "alicf", 5));
	caller_buckets_free(&cb);
}

static bool ruri_is_emergency(const struct emergency_list *l, const char *uri)
{
	char msg[512];
	struct sip_msg m;

	snprintf(msg, sizeof(msg),
		 "INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
		 "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\n"
		 "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
		 uri);
	assert_int_equal(sip_scan(msg, strlen(msg), &m), SIP_SCAN_OK);
	return emergency_match(l, &m.ruri);
}

static void emergency_numbers_and_urns(void **state)
{
	struct emergency_list l;

	(void)state;
	l.count = 0;
	for (size_t i = 0; i < 4; i++)
		assert_true(emergency_list_add(
			&l, (const char *[]){"112", "911", "999",
					     "urn:service:sos"}[i]));
	assert_true(ruri_is_emergency(&l, "sip:112@sbc.example"));
	assert_true(ruri_is_emergency(&l, "sip:+112@sbc.example;user=phone"));
	assert_true(ruri_is_emergency(&l, "sips:911@sbc.example"));
	assert_true(ruri_is_emergency(&l, "tel:999"));
	assert_true(ruri_is_emergency(&l, "tel:9-1-1"));
	assert_true(ruri_is_emergency(&l, "urn:service:sos"));
	assert_true(ruri_is_emergency(&l, "urn:service:sos.police"));
	assert_true(ruri_is_emergency(&l, "URN:Service:SOS.ambulance"));
	assert_false(ruri_is_emergency(&l, "urn:service:sosx"));
	assert_false(ruri_is_emergency(&l, "urn:service:counseling"));
	assert_false(ruri_is_emergency(&l, "sip:1120@sbc.example"));
	assert_false(ruri_is_emergency(&l, "sip:0112@sbc.example"));
	assert_false(ruri_is_emergency(&l, "sip:bob@sbc.example"));
	assert_false(ruri_is_emergency(&l, "sip:sbc.example"));
	/* an operator's own list */
	l.count = 0;
	assert_true(emergency_list_add(&l, "+49 110"));
	assert_true(ruri_is_emergency(&l, "sip:49110@x"));
	assert_false(ruri_is_emergency(&l, "sip:112@x"));
	assert_false(emergency_list_add(&l, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bucket_admits_burst_then_rate),
		cmocka_unit_test(zero_rate_is_unlimited),
		cmocka_unit_test(clock_stepping_back_is_stricter),
		cmocka_unit_test(burst_holds_across_threads),
		cmocka_unit_test(caller_buckets_separate_tenants_and_callers),
		cmocka_unit_test(emergency_numbers_and_urns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
