/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state file: its format (round trip, unknown sections skipped, every
 * truncation and every single-bit flip refused without a handler called),
 * the atomic write and the set-aside, and the daemon's restore
 * (state_persist): calls, registrations and counters come back under the
 * tenant's name even when its slot changed, with the counts the limits
 * compare against; what ended while down, and tenants gone, are counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "admission.h"
#include "state_file.h"
#include "state_persist.h"
#include "state_table.h"

#define S 1000000000ULL
#define WALL (1800000000ULL * S) /* the wall clock at writing */

/* --- format ------------------------------------------------------------- */

struct seen {
	unsigned int keys, tenants, calls, regs, counts, totals;
	struct state_tenant_rec tenant;
	struct state_call_rec call;
	struct state_reg_rec reg;
	struct state_counts_rec count;
	struct state_totals_rec total;
};

static void on_key(const uint8_t key[16], void *arg)
{
	struct seen *s = arg;

	s->keys++;
	assert_memory_equal(key, "0123456789abcdef", 16);
}

static void on_tenant(const struct state_tenant_rec *r, void *arg)
{
	struct seen *s = arg;

	s->tenants++;
	s->tenant = *r;
}

static void on_call(const struct state_call_rec *r, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	s->call = *r;
}

static void on_reg(const struct state_reg_rec *r, void *arg)
{
	struct seen *s = arg;

	s->regs++;
	s->reg = *r;
}

static void on_counts(const struct state_counts_rec *r, void *arg)
{
	struct seen *s = arg;

	s->counts++;
	s->count = *r;
}

static void on_totals(const struct state_totals_rec *r, void *arg)
{
	struct seen *s = arg;

	s->totals++;
	s->total = *r;
}

static const struct state_file_handlers seen_handlers = {
	on_key, on_tenant, on_call, on_reg, on_counts, on_totals,
};

static const struct state_call_rec sample_call = {
	.slot = 7,
	.direction = CALL_FROM_INSIDE,
	.emergency = true,
	.state = CALL_ANSWERED,
	.invite_cseq = 101,
	.key_hi = 0x1122334455667788ULL,
	.key_lo = 0x99aabbccddeeff00ULL,
	.created_ns = WALL - 30 * S,
	.answered_ns = WALL - 20 * S,
	.deadline_ns = WALL + 3600 * S,
};

static const struct state_reg_rec sample_reg = {
	.slot = 7,
	.state = REG_ACTIVE,
	.key_hi = 5,
	.key_lo = 6,
	.created_ns = WALL - 10 * S,
	.expires_ns = WALL + 600 * S,
};

/* A file with one record of every kind, and an unknown section. */
static void sample_file(struct state_file_buf *b, bool unknown)
{
	struct state_tenant_rec t = {.slot = 7, .name = "acme"};
	struct state_counts_rec c = {.slot = 7};
	struct state_totals_rec tot = {0};

	c.counts.verdicts[VERDICT_CALL_LIMIT] = 3;
	c.counts.methods[SIP_METHOD_INVITE] = 9;
	c.baseline.verdicts[VERDICT_CALL_LIMIT] = 1;
	tot.total[ST_PACKETS] = 1234;
	tot.malformed[SIP_SCAN_RESULT_MAX - 1] = 2;
	tot.all.responses[1] = 4;

	state_file_begin(b, WALL);
	state_file_section(b, STATE_SECT_HASH_KEY);
	state_file_add_hash_key(b, (const uint8_t *)"0123456789abcdef");
	if (unknown) {
		/* a later version's section: skipped whole */
		state_file_section(b, (enum state_section)99);
		state_file_add_hash_key(b, (const uint8_t *)"not for us, skip");
	}
	state_file_section(b, STATE_SECT_TENANTS);
	state_file_add_tenant(b, &t);
	state_file_section(b, STATE_SECT_CALLS);
	state_file_add_call(b, &sample_call);
	state_file_section(b, STATE_SECT_REGS);
	state_file_add_reg(b, &sample_reg);
	state_file_section(b, STATE_SECT_TENANT_COUNTERS);
	state_file_add_counts(b, &c);
	state_file_section(b, STATE_SECT_TOTALS);
	state_file_add_totals(b, &tot);
	assert_int_equal(state_file_finish(b), 0);
}

static void test_round_trip(void **state)
{
	struct state_file_buf b;
	struct state_file_info info;
	struct seen s = {0};
	char err[256];

	(void)state;
	sample_file(&b, true);
	assert_int_equal(state_file_parse(b.data, b.len, &seen_handlers, &s,
					  &info, err, sizeof(err)),
			 0);
	assert_int_equal(info.version, STATE_FILE_VERSION);
	assert_true(info.written_at_ns == WALL);
	assert_int_equal(info.sections, 7);
	assert_int_equal(info.unknown_sections, 1);
	assert_int_equal(s.keys, 1);
	assert_int_equal(s.tenants, 1);
	assert_string_equal(s.tenant.name, "acme");
	assert_int_equal(s.tenant.slot, 7);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.call.slot, sample_call.slot);
	assert_int_equal(s.call.direction, sample_call.direction);
	assert_int_equal(s.call.emergency, sample_call.emergency);
	assert_int_equal(s.call.state, sample_call.state);
	assert_int_equal(s.call.invite_cseq, sample_call.invite_cseq);
	assert_true(s.call.key_hi == sample_call.key_hi &&
		    s.call.key_lo == sample_call.key_lo);
	assert_true(s.call.created_ns == sample_call.created_ns &&
		    s.call.answered_ns == sample_call.answered_ns &&
		    s.call.deadline_ns == sample_call.deadline_ns);
	assert_int_equal(s.regs, 1);
	assert_int_equal(s.reg.slot, sample_reg.slot);
	assert_int_equal(s.reg.state, sample_reg.state);
	assert_true(s.reg.key_hi == sample_reg.key_hi &&
		    s.reg.key_lo == sample_reg.key_lo);
	assert_true(s.reg.created_ns == sample_reg.created_ns &&
		    s.reg.expires_ns == sample_reg.expires_ns);
	assert_int_equal(s.counts, 1);
	assert_int_equal(s.count.slot, 7);
	assert_int_equal(s.count.counts.verdicts[VERDICT_CALL_LIMIT], 3);
	assert_int_equal(s.count.counts.methods[SIP_METHOD_INVITE], 9);
	assert_int_equal(s.count.baseline.verdicts[VERDICT_CALL_LIMIT], 1);
	assert_int_equal(s.totals, 1);
	assert_int_equal(s.total.total[ST_PACKETS], 1234);
	assert_int_equal(s.total.malformed[SIP_SCAN_RESULT_MAX - 1], 2);
	assert_int_equal(s.total.all.responses[1], 4);
	state_file_buf_free(&b);
}

static void test_every_truncation_refused(void **state)
{
	struct state_file_buf b;
	char err[256];

	(void)state;
	sample_file(&b, true);
	for (size_t len = 0; len < b.len; len++) {
		/* a copy of exactly len bytes, so ASan sees any overread */
		uint8_t *cut = malloc(len ? len : 1);
		struct seen s = {0};

		memcpy(cut, b.data, len);
		err[0] = '\0';
		assert_int_equal(state_file_parse(cut, len, &seen_handlers, &s,
						  NULL, err, sizeof(err)),
				 -EINVAL);
		assert_true(err[0] != '\0');
		assert_int_equal(s.keys + s.tenants + s.calls + s.regs +
					 s.counts + s.totals,
				 0);
		free(cut);
	}
	state_file_buf_free(&b);
}

static void test_every_bit_flip_refused(void **state)
{
	struct state_file_buf b;
	char err[256];

	(void)state;
	sample_file(&b, false);
	for (size_t i = 0; i < b.len * 8; i++) {
		struct seen s = {0};

		b.data[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(state_file_parse(b.data, b.len, &seen_handlers,
						  &s, NULL, err, sizeof(err)),
				 -EINVAL);
		assert_int_equal(s.keys + s.calls, 0);
		b.data[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	assert_int_equal(state_file_parse(b.data, b.len, NULL, NULL, NULL, err,
					  sizeof(err)),
			 0);
	state_file_buf_free(&b);
}

static void test_other_version_refused(void **state)
{
	struct state_file_buf b;
	char err[256];

	(void)state;
	sample_file(&b, false);
	b.data[8] = STATE_FILE_VERSION + 1;
	assert_int_equal(state_file_parse(b.data, b.len, NULL, NULL, NULL, err,
					  sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "version"));
	state_file_buf_free(&b);
}

static char tmpdir[] = "/tmp/sw-state-test-XXXXXX";

static void test_commit_load_set_aside(void **state)
{
	struct state_file_buf b;
	char path[256], moved[512], err[256];
	struct stat st;
	void *data;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/state", tmpdir);
	assert_int_equal(state_file_load(path, &data, &len, err, sizeof(err)),
			 -ENOENT);
	sample_file(&b, false);
	assert_int_equal(
		state_file_commit(path, b.data, b.len, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(moved, sizeof(moved), "%s.tmp", path);
	assert_int_equal(access(moved, F_OK), -1); /* renamed away */
	assert_int_equal(state_file_load(path, &data, &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, b.len);
	assert_memory_equal(data, b.data, len);
	free(data);
	/* a second write replaces the first whole */
	b.data[b.len - 1] ^= 1;
	assert_int_equal(
		state_file_commit(path, b.data, b.len, err, sizeof(err)), 0);
	assert_int_equal(state_file_set_aside(path, 42, moved, sizeof(moved)),
			 0);
	assert_non_null(strstr(moved, "/state.corrupt.42"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(unlink(moved), 0);
	/* a directory that is not there: an error, not a crash */
	assert_true(state_file_commit("/nonexistent-dir/x", b.data, b.len, err,
				      sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent-dir/x.tmp"));
	state_file_buf_free(&b);
}

/* --- the daemon's restore ----------------------------------------------- */

#define CAP 8

struct daemon_side {
	struct tenant_registry *reg;
	struct admission *adm;
	struct stats_lcore *lcore;
	struct stats_sip_counts baseline[CAP];
	struct state_persist_target t;
};

static void daemon_up(struct daemon_side *d, const char *const *names, size_t n)
{
	struct config_limits l = {.max_calls = 2,
				  .max_call_duration = 3600,
				  .unanswered_timeout = 60};

	memset(d, 0, sizeof(*d));
	d->reg = tenant_registry_create(CAP);
	d->adm = admission_create(CAP, 64, 64);
	d->lcore = stats_lcore_create(CAP);
	assert_non_null(d->reg);
	assert_non_null(d->adm);
	assert_non_null(d->lcore);
	for (size_t i = 0; i < n; i++) {
		struct tenant_policy tp;

		tenant_policy_init(&tp, names[i], &l, false);
		assert_int_equal(tenant_registry_publish(d->reg, &tp), (int)i);
	}
	d->t = (struct state_persist_target){
		.registry = d->reg,
		.admission = d->adm,
		.lcores = &d->lcore,
		.lcore_count = 1,
		.baseline = d->baseline,
	};
}

static void daemon_down(struct daemon_side *d)
{
	admission_free(d->adm);
	rcu_barrier();
	tenant_registry_free(d->reg);
	stats_lcore_free(d->lcore);
}

static void add_call(struct daemon_side *d, uint32_t slot, uint64_t n,
		     enum call_state st, uint64_t deadline)
{
	struct call_key k = {.hi = slot, .lo = n};
	struct call_info info = {
		.tenant = slot, .invite_cseq = 1, .created_ns = 5 * S};

	assert_int_equal(admission_restore_call(d->adm, &k, &info, st,
						st == CALL_EARLY ? 0 : 6 * S,
						deadline),
			 0);
}

static uint32_t calls_of(const struct daemon_side *d, uint32_t slot)
{
	uint64_t w = d->adm->usage[slot].calls;

	return (uint32_t)w + (uint32_t)(w >> 32);
}

static void test_restore(void **state)
{
	static const char *const before[] = {"acme", "gone", "globex"};
	/* acme moves from slot 0 to slot 1; "gone" is gone */
	static const char *const after[] = {"globex", "acme"};
	struct daemon_side d;
	struct state_load_report rep;
	struct state_file_buf b;
	char path[256], err[256];
	uint64_t entries, mono = 100 * S;
	struct sip_str cid = {.ptr = "moved@x", .len = 7};
	struct call_key moved_key = call_key_make(tenant_key_id("acme"), &cid);

	(void)state;
	snprintf(path, sizeof(path), "%s/restore", tmpdir);
	daemon_up(&d, before, 3);
	/* acme: an answered call (deadline in 1 h), one ringing past its
	 * timeout by the time of the restart, one ending; a registration
	 * lasting and one lapsing while down */
	add_call(&d, 0, 1, CALL_ANSWERED, mono + 3600 * S);
	add_call(&d, 0, 2, CALL_EARLY, mono + 5 * S);
	add_call(&d, 0, 3, CALL_ENDING, mono + 3000 * S);
	add_call(&d, 1, 4, CALL_ANSWERED, mono + 3600 * S); /* gone */
	add_call(&d, 2, 5, CALL_EARLY, mono + 60 * S);	    /* globex */
	/* one keyed as the fast path keys it: by the tenant's key id */
	assert_int_equal(
		admission_restore_call(
			d.adm, &moved_key,
			&(struct call_info){.tenant = 0, .created_ns = 5 * S},
			CALL_ANSWERED, 6 * S, mono + 3600 * S),
		0);
	assert_int_equal(admission_restore_reg(d.adm, &(struct reg_key){0, 1},
					       &(struct reg_info){.tenant = 0},
					       REG_ACTIVE, mono + 600 * S),
			 0);
	assert_int_equal(admission_restore_reg(d.adm, &(struct reg_key){0, 2},
					       &(struct reg_info){.tenant = 0},
					       REG_ACTIVE, mono + 2 * S),
			 0);
	assert_int_equal(calls_of(&d, 0), 4);
	d.lcore->tenants[0].verdicts[VERDICT_CALL_LIMIT] = 11;
	d.lcore->tenants[0].verdicts[VERDICT_FORWARDED] = 40;
	d.baseline[0].verdicts[VERDICT_FORWARDED] = 30;
	d.lcore->total[ST_PACKETS] = 500;
	assert_int_equal(state_persist_collect(&d.t, WALL, mono, &b, &entries),
			 0);
	assert_int_equal(entries, 8);
	assert_int_equal(
		state_file_commit(path, b.data, b.len, err, sizeof(err)), 0);
	state_file_buf_free(&b);
	daemon_down(&d);

	/* 10 s later, on a clock that started anew (a reboot) */
	daemon_up(&d, after, 2);
	mono = 50 * S;
	assert_int_equal(
		state_persist_load(path, &d.t, WALL + 10 * S, mono, &rep), 0);
	assert_true(rep.found);
	assert_string_equal(rep.error, "");
	assert_int_equal(rep.calls, 4);		/* acme 1, 3, moved; globex 5 */
	assert_int_equal(rep.calls_expired, 1); /* acme 2 */
	assert_int_equal(rep.calls_dropped, 1); /* gone's */
	assert_int_equal(rep.regs, 1);
	assert_int_equal(rep.regs_expired, 1);
	assert_int_equal(rep.counters, 2); /* acme, globex; gone's dropped */
	assert_int_equal(rep.counters_dropped, 1);
	/* the limits see them at once */
	assert_int_equal(calls_of(&d, 1), 3);
	assert_int_equal(calls_of(&d, 0), 1);
	assert_int_equal(d.adm->usage[1].users, 1);
	assert_int_equal(call_table_count(d.adm->calls), 4);
	/* acme's slot changed: the fast path's key still finds its call */
	{
		const struct tenant_policy *tp = tenant_registry_get(d.reg, 1);
		struct call_key k;
		struct call_entry *e;

		assert_string_equal(tp->name, "acme");
		k = call_key_make(tenant_registry_key_id(d.reg, 1), &cid);
		e = call_table_lookup(d.adm->calls, &k);
		assert_non_null(e);
		assert_int_equal(call_entry_info(e)->tenant, 1);
	}
	/* the times as the new clock sees them: deadline 1 h after the
	 * write, 10 s of it gone */
	{
		struct call_entry *e = call_table_lookup(
			d.adm->calls, &(struct call_key){0, 1});

		assert_non_null(e);
		assert_int_equal(call_entry_state(e), CALL_ANSWERED);
		assert_true(call_entry_deadline_ns(e) >= mono + 3590 * S &&
			    call_entry_deadline_ns(e) < mono + 3590 * S + 64);
		assert_int_equal(call_entry_info(e)->tenant, 1);
		/* answered 94 s before the write: before this clock began */
		assert_int_equal(call_entry_answered_ns(e), 1);
		e = call_table_lookup(d.adm->calls, &(struct call_key){0, 3});
		assert_non_null(e);
		assert_int_equal(call_entry_state(e), CALL_ENDING);
	}
	/* counters go on under the name, with the reset baseline */
	assert_int_equal(d.lcore->tenants[1].verdicts[VERDICT_CALL_LIMIT], 11);
	assert_int_equal(d.baseline[1].verdicts[VERDICT_FORWARDED], 30);
	assert_int_equal(d.lcore->tenants[0].verdicts[VERDICT_CALL_LIMIT], 0);
	assert_int_equal(d.lcore->total[ST_PACKETS], 500);
	daemon_down(&d);
	unlink(path);
}

static void test_restore_refuses_corrupt(void **state)
{
	static const char *const names[] = {"acme"};
	struct daemon_side d;
	struct state_load_report rep;
	char path[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/corrupt", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("SWSTATE\ngarbage", f);
	fclose(f);
	daemon_up(&d, names, 1);
	assert_int_equal(state_persist_load(path, &d.t, WALL, S, &rep),
			 -EINVAL);
	assert_true(rep.found && rep.set_aside);
	assert_non_null(
		strstr(rep.set_aside_to, "/corrupt.corrupt.1800000000"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(call_table_count(d.adm->calls), 0);
	assert_int_equal(unlink(rep.set_aside_to), 0);
	/* no file at all: nothing found, nothing done */
	assert_int_equal(state_persist_load(path, &d.t, WALL, S, &rep), 0);
	assert_false(rep.found);
	daemon_down(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_truncation_refused),
		cmocka_unit_test(test_every_bit_flip_refused),
		cmocka_unit_test(test_other_version_refused),
		cmocka_unit_test(test_commit_load_set_aside),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_restore_refuses_corrupt),
	};
	int rc;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	state_table_thread_init();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	state_table_thread_fini();
	rmdir(tmpdir);
	return rc;
}
