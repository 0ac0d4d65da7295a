/* SPDX-License-Identifier: BSD-3-Clause */
#include "state_persist.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state_table.h"

#define NS_PER_S 1000000000ULL

_Static_assert(STATE_FILE_NAME_MAX == CONFIG_NAME_MAX,
	       "a tenant name fits the file's record whole");

/* --- clocks ------------------------------------------------------------- */

/* A time of the daemon's clock as wall-clock time, saturating. */
static uint64_t mono_to_wall(uint64_t t, uint64_t now_wall, uint64_t now_mono)
{
	if (t <= now_mono)
		return now_mono - t < now_wall ? now_wall - (now_mono - t) : 1;
	return t - now_mono < UINT64_MAX - now_wall ? now_wall + (t - now_mono)
						    : UINT64_MAX;
}

/* And back; a past before the daemon's clock began is its start. */
static uint64_t wall_to_mono(uint64_t t, uint64_t now_wall, uint64_t now_mono)
{
	if (t <= now_wall)
		return now_wall - t < now_mono ? now_mono - (now_wall - t) : 1;
	return t - now_wall < UINT64_MAX - now_mono ? now_mono + (t - now_wall)
						    : UINT64_MAX;
}

static uint64_t wall_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* --- collecting --------------------------------------------------------- */

struct collect {
	struct state_file_buf *b;
	uint64_t now_wall, now_mono;
	uint64_t entries;
};

/*
 * After each entry (its fields all read): every so many, a quiescent
 * state, so a walk of a million entries holds up grace periods (and so
 * the reuse of removed entries) for a slice of it only. The walk reads
 * each next entry afresh, so no pointer is kept across it.
 */
#define QUIESCE_EVERY 65536

static void collected(struct collect *c)
{
	if (++c->entries % QUIESCE_EVERY == 0)
		rcu_quiescent_state();
}

static uint64_t to_wall(const struct collect *c, uint64_t t)
{
	return mono_to_wall(t, c->now_wall, c->now_mono);
}

static void collect_call(const struct call_entry *e, void *arg)
{
	struct collect *c = arg;
	const struct call_info *info = call_entry_info(e);
	struct call_key key = call_entry_key(e);
	uint64_t answered = call_entry_answered_ns(e);
	struct state_call_rec r = {
		.slot = info->tenant,
		.direction = (uint8_t)info->direction,
		.emergency = info->emergency,
		.state = (uint8_t)call_entry_state(e),
		.invite_cseq = info->invite_cseq,
		.key_hi = key.hi,
		.key_lo = key.lo,
		.created_ns = to_wall(c, info->created_ns),
		.answered_ns = answered ? to_wall(c, answered) : 0,
		.deadline_ns = to_wall(c, call_entry_deadline_ns(e)),
	};

	state_file_add_call(c->b, &r);
	collected(c);
}

static void collect_reg(const struct reg_entry *e, void *arg)
{
	struct collect *c = arg;
	const struct reg_info *info = reg_entry_info(e);
	struct reg_key key = reg_entry_key(e);
	struct state_reg_rec r = {
		.slot = info->tenant,
		.state = (uint8_t)reg_entry_state(e),
		.key_hi = key.hi,
		.key_lo = key.lo,
		.created_ns = to_wall(c, info->created_ns),
		.expires_ns = to_wall(c, reg_entry_expires_ns(e)),
	};

	state_file_add_reg(c->b, &r);
	collected(c);
}

/* The control thread may record a baseline meanwhile: word by word. */
static void baseline_copy(struct stats_sip_counts *dst,
			  const struct stats_sip_counts *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

static void collect_counters(const struct state_persist_target *t,
			     struct state_file_buf *b)
{
	struct stats_view *v =
		stats_aggregate(t->lcores, t->lcore_count, t->registry);
	struct state_totals_rec *totals;
	struct state_counts_rec *r;

	if (v == NULL) {
		b->failed = true;
		return;
	}
	r = malloc(sizeof(*r));
	totals = malloc(sizeof(*totals));
	if (r == NULL || totals == NULL) {
		b->failed = true;
		goto out;
	}
	state_file_section(b, STATE_SECT_TENANT_COUNTERS);
	for (uint32_t s = 0; s < v->sum.tenant_count; s++) {
		if (v->tenant_names[s] == NULL)
			continue;
		r->slot = s;
		r->counts = v->sum.tenants[s];
		baseline_copy(&r->baseline, &t->baseline[s]);
		state_file_add_counts(b, r);
	}
	state_file_section(b, STATE_SECT_TOTALS);
	memcpy(totals->total, v->sum.total, sizeof(totals->total));
	memcpy(totals->malformed, v->sum.malformed_reasons,
	       sizeof(totals->malformed));
	totals->all = v->sum.all;
	state_file_add_totals(b, totals);
out:
	free(r);
	free(totals);
	stats_view_free(v);
}

int state_persist_collect(const struct state_persist_target *t,
			  uint64_t now_wall_ns, uint64_t now_mono_ns,
			  struct state_file_buf *b, uint64_t *entries)
{
	uint32_t cap = t->registry->capacity;
	char(*names)[CONFIG_NAME_MAX] = calloc(cap ? cap : 1, sizeof(*names));
	struct collect c = {b, now_wall_ns, now_mono_ns, 0};
	uint8_t secret[16];
	int rc;

	state_file_begin(b, now_wall_ns);
	if (names == NULL) {
		state_file_buf_free(b);
		return -ENOMEM;
	}
	state_file_section(b, STATE_SECT_HASH_KEY);
	state_key_get_secret(secret);
	state_file_add_hash_key(b, secret);

	state_file_section(b, STATE_SECT_TENANTS);
	tenant_registry_copy_names(t->registry, names);
	for (uint32_t s = 0; s < cap; s++) {
		struct state_tenant_rec r = {.slot = s};

		if (names[s][0] == '\0')
			continue;
		memcpy(r.name, names[s], sizeof(r.name));
		state_file_add_tenant(b, &r);
	}
	free(names);

	state_file_section(b, STATE_SECT_CALLS);
	call_table_foreach_entry(t->admission->calls, collect_call, &c);
	state_file_section(b, STATE_SECT_REGS);
	reg_table_foreach_entry(t->admission->regs, collect_reg, &c);
	collect_counters(t, b);
	rc = state_file_finish(b);
	if (rc < 0)
		state_file_buf_free(b);
	*entries = c.entries;
	return rc;
}

/* --- restoring ---------------------------------------------------------- */

struct slot_map {
	uint32_t from, to; /* to: UINT32_MAX when the tenant is gone */
};

struct restore {
	const struct state_persist_target *t;
	struct state_load_report *rep;
	uint64_t now_wall, now_mono;
	struct slot_map *map;
	size_t map_len, map_cap;
	bool map_sorted, oom;
};

static int slot_map_cmp(const void *a, const void *b)
{
	const struct slot_map *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* The slot now of the tenant at `from` in the file, or UINT32_MAX. */
static uint32_t slot_now(struct restore *r, uint32_t from)
{
	size_t lo = 0, hi = r->map_len;

	if (!r->map_sorted) {
		qsort(r->map, r->map_len, sizeof(*r->map), slot_map_cmp);
		r->map_sorted = true;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (r->map[mid].from == from)
			return r->map[mid].to;
		if (r->map[mid].from < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

static void restore_hash_key(const uint8_t key[16], void *arg)
{
	(void)arg;
	state_key_set_secret(key);
}

static void restore_tenant(const struct state_tenant_rec *rec, void *arg)
{
	struct restore *r = arg;
	int64_t slot = tenant_registry_find(r->t->registry, rec->name);

	if (r->map_len == r->map_cap) {
		size_t cap = r->map_cap ? 2 * r->map_cap : 64;
		struct slot_map *m = realloc(r->map, cap * sizeof(*m));

		if (m == NULL) {
			r->oom = true;
			return;
		}
		r->map = m;
		r->map_cap = cap;
	}
	r->map[r->map_len++] = (struct slot_map){
		.from = rec->slot,
		.to = slot < 0 ? UINT32_MAX : (uint32_t)slot,
	};
	r->map_sorted = false;
}

static bool passed(const struct restore *r, uint64_t wall_deadline)
{
	return wall_deadline <= r->now_wall;
}

static uint64_t to_mono(const struct restore *r, uint64_t t)
{
	return wall_to_mono(t, r->now_wall, r->now_mono);
}

static void restore_call(const struct state_call_rec *rec, void *arg)
{
	struct restore *r = arg;
	uint32_t slot = slot_now(r, rec->slot);
	struct call_key key = {.hi = rec->key_hi, .lo = rec->key_lo};
	struct call_info info = {
		.tenant = slot,
		.direction = (enum call_direction)rec->direction,
		.emergency = rec->emergency,
		.invite_cseq = rec->invite_cseq,
		.created_ns = to_mono(r, rec->created_ns),
	};

	if (slot == UINT32_MAX) {
		r->rep->calls_dropped++;
		return;
	}
	if (passed(r, rec->deadline_ns)) {
		r->rep->calls_expired++;
		return;
	}
	if (admission_restore_call(
		    r->t->admission, &key, &info, (enum call_state)rec->state,
		    rec->answered_ns ? to_mono(r, rec->answered_ns) : 0,
		    to_mono(r, rec->deadline_ns)) < 0) {
		r->rep->not_restored++;
		return;
	}
	r->rep->calls++;
}

static void restore_reg(const struct state_reg_rec *rec, void *arg)
{
	struct restore *r = arg;
	uint32_t slot = slot_now(r, rec->slot);
	struct reg_key key = {.hi = rec->key_hi, .lo = rec->key_lo};
	struct reg_info info = {
		.tenant = slot,
		.created_ns = to_mono(r, rec->created_ns),
	};

	if (slot == UINT32_MAX) {
		r->rep->regs_dropped++;
		return;
	}
	if (passed(r, rec->expires_ns)) {
		r->rep->regs_expired++;
		return;
	}
	if (admission_restore_reg(r->t->admission, &key, &info,
				  (enum reg_state)rec->state,
				  to_mono(r, rec->expires_ns)) < 0) {
		r->rep->not_restored++;
		return;
	}
	r->rep->regs++;
}

static void counts_add(struct stats_sip_counts *dst,
		       const struct stats_sip_counts *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;

	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

static void restore_counts(const struct state_counts_rec *rec, void *arg)
{
	struct restore *r = arg;
	uint32_t slot = slot_now(r, rec->slot);
	struct stats_lcore *s = r->t->lcores[0];

	if (slot == UINT32_MAX || slot >= s->tenant_count) {
		r->rep->counters_dropped++;
		return;
	}
	counts_add(&s->tenants[slot], &rec->counts);
	r->t->baseline[slot] = rec->baseline;
	r->rep->counters++;
}

static void restore_totals(const struct state_totals_rec *rec, void *arg)
{
	struct restore *r = arg;
	struct stats_lcore *s = r->t->lcores[0];

	for (size_t i = 0; i < ST_TOTAL_MAX; i++)
		s->total[i] += rec->total[i];
	for (size_t i = 0; i < SIP_SCAN_RESULT_MAX; i++)
		s->malformed_reasons[i] += rec->malformed[i];
	counts_add(&s->all, &rec->all);
}

static const struct state_file_handlers restore_handlers = {
	.hash_key = restore_hash_key,
	.tenant = restore_tenant,
	.call = restore_call,
	.reg = restore_reg,
	.counts = restore_counts,
	.totals = restore_totals,
};

int state_persist_load(const char *path, const struct state_persist_target *t,
		       uint64_t now_wall_ns, uint64_t now_mono_ns,
		       struct state_load_report *rep)
{
	struct restore r = {.t = t,
			    .rep = rep,
			    .now_wall = now_wall_ns,
			    .now_mono = now_mono_ns};
	struct state_file_info info;
	void *data;
	size_t len;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rc = state_file_load(path, &data, &len, rep->error, sizeof(rep->error));
	if (rc == -ENOENT)
		return 0;
	rep->found = true;
	if (rc < 0)
		return rc;
	rc = state_file_parse(data, len, &restore_handlers, &r, &info,
			      rep->error, sizeof(rep->error));
	free(data);
	free(r.map);
	if (rc == 0 && r.oom) {
		snprintf(rep->error, sizeof(rep->error),
			 "out of memory while restoring");
		return -ENOMEM;
	}
	if (rc == 0) {
		rep->written_at_ns = info.written_at_ns;
		return 0;
	}
	rep->set_aside = state_file_set_aside(path, now_wall_ns / NS_PER_S,
					      rep->set_aside_to,
					      sizeof(rep->set_aside_to)) == 0;
	return rc;
}

void state_load_report_print(const struct state_load_report *rep, FILE *out)
{
	if (!rep->found) {
		fprintf(out, "sipwarden: state: no state file, starting "
			     "empty\n");
		return;
	}
	if (rep->error[0] != '\0') {
		fprintf(out,
			"sipwarden: state: file refused: %s; %s; starting "
			"empty\n",
			rep->error,
			rep->set_aside ? rep->set_aside_to
				       : "could not set it aside");
		return;
	}
	fprintf(out,
		"sipwarden: state: restored %u calls, %u registrations, "
		"counters of %u tenants (written %llu s ago); ended while "
		"down: %u calls, %u registrations; of tenants gone: %u calls, "
		"%u registrations, %u counters; not restored: %u\n",
		rep->calls, rep->regs, rep->counters,
		(unsigned long long)((wall_now_ns() - rep->written_at_ns) /
				     NS_PER_S),
		rep->calls_expired, rep->regs_expired, rep->calls_dropped,
		rep->regs_dropped, rep->counters_dropped, rep->not_restored);
}

/* --- the writer thread -------------------------------------------------- */

struct state_persist {
	char path[512];
	uint32_t interval_s;
	struct state_persist_target t;
	struct state_load_report loaded;
	uint64_t (*mono_ns)(void);
	pthread_t thread;
	pthread_mutex_t lock; /* the fields below */
	pthread_cond_t wake;
	bool stop;
	uint64_t last_write_ns; /* wall clock of the last good write */
	uint64_t last_entries, last_bytes, last_duration_us;
	uint64_t writes, failures;
	char last_error[256];
};

static void write_once(struct state_persist *sp)
{
	struct state_file_buf b;
	uint64_t t0 = sp->mono_ns(), wall = wall_now_ns(), entries = 0;
	char err[256] = "";
	int rc;

	rcu_thread_online();
	rc = state_persist_collect(&sp->t, wall, t0, &b, &entries);
	rcu_thread_offline();
	if (rc < 0)
		snprintf(err, sizeof(err), "out of memory building the file");
	else
		rc = state_file_commit(sp->path, b.data, b.len, err,
				       sizeof(err));
	pthread_mutex_lock(&sp->lock);
	if (rc == 0) {
		sp->writes++;
		sp->last_write_ns = wall;
		sp->last_entries = entries;
		sp->last_bytes = b.len;
		sp->last_duration_us = (sp->mono_ns() - t0) / 1000;
		sp->last_error[0] = '\0';
	} else {
		sp->failures++;
		snprintf(sp->last_error, sizeof(sp->last_error), "%s", err);
	}
	pthread_mutex_unlock(&sp->lock);
	if (rc < 0)
		fprintf(stderr, "sipwarden: state: %s (tried again in %u s)\n",
			err, sp->interval_s);
	state_file_buf_free(&b);
}

static void *writer_main(void *arg)
{
	struct state_persist *sp = arg;
	struct timespec until;

	state_table_thread_init();
	rcu_thread_offline();
	pthread_mutex_lock(&sp->lock);
	while (!sp->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += sp->interval_s;
		while (!sp->stop && pthread_cond_timedwait(&sp->wake, &sp->lock,
							   &until) != ETIMEDOUT)
			;
		if (sp->stop)
			break;
		pthread_mutex_unlock(&sp->lock);
		write_once(sp);
		pthread_mutex_lock(&sp->lock);
	}
	pthread_mutex_unlock(&sp->lock);
	write_once(sp); /* the final one: the workers have stopped */
	rcu_thread_online();
	state_table_thread_fini();
	return NULL;
}

struct state_persist *
state_persist_start(const char *path, uint32_t interval_s,
		    const struct state_persist_target *t,
		    const struct state_load_report *loaded,
		    uint64_t (*mono_ns)(void))
{
	struct state_persist *sp = calloc(1, sizeof(*sp));
	pthread_condattr_t ca;
	int rc;

	if (sp == NULL) {
		fprintf(stderr, "sipwarden: state: out of memory\n");
		return NULL;
	}
	snprintf(sp->path, sizeof(sp->path), "%s", path);
	sp->interval_s = interval_s;
	sp->t = *t;
	sp->loaded = *loaded;
	sp->mono_ns = mono_ns;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sp->wake, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&sp->thread, NULL, writer_main, sp);
	if (rc != 0) {
		fprintf(stderr, "sipwarden: state: no writer thread: %s\n",
			strerror(rc));
		pthread_cond_destroy(&sp->wake);
		pthread_mutex_destroy(&sp->lock);
		free(sp);
		return NULL;
	}
	pthread_setname_np(sp->thread, "sw-state");
	return sp;
}

void state_persist_stop(struct state_persist *sp)
{
	if (sp == NULL)
		return;
	pthread_mutex_lock(&sp->lock);
	sp->stop = true;
	pthread_cond_signal(&sp->wake);
	pthread_mutex_unlock(&sp->lock);
	pthread_join(sp->thread, NULL);
	pthread_cond_destroy(&sp->wake);
	pthread_mutex_destroy(&sp->lock);
	free(sp);
}

static void json_uint_field(struct json_writer *w, const char *key, uint64_t v)
{
	json_writer_key(w, key);
	json_writer_uint(w, v);
}

void state_load_report_json(const struct state_load_report *rep,
			    struct json_writer *w)
{
	json_writer_begin_object(w);
	state_load_report_members(rep, w);
	json_writer_end_object(w);
}

void state_load_report_members(const struct state_load_report *rep,
			       struct json_writer *w)
{
	json_writer_key(w, "found");
	json_writer_bool(w, rep->found);
	json_writer_key(w, "error");
	json_writer_string(w, rep->error);
	json_writer_key(w, "set_aside_to");
	json_writer_string(w, rep->set_aside ? rep->set_aside_to : "");
	json_uint_field(w, "written_at", rep->written_at_ns / NS_PER_S);
	json_uint_field(w, "calls", rep->calls);
	json_uint_field(w, "registrations", rep->regs);
	json_uint_field(w, "counters", rep->counters);
	json_uint_field(w, "calls_expired", rep->calls_expired);
	json_uint_field(w, "registrations_expired", rep->regs_expired);
	json_uint_field(w, "calls_dropped", rep->calls_dropped);
	json_uint_field(w, "registrations_dropped", rep->regs_dropped);
	json_uint_field(w, "counters_dropped", rep->counters_dropped);
	json_uint_field(w, "not_restored", rep->not_restored);
}

uint64_t state_persist_failures(struct state_persist *sp, char *last_error,
				size_t len)
{
	uint64_t n;

	pthread_mutex_lock(&sp->lock);
	n = sp->failures;
	snprintf(last_error, len, "%s", sp->last_error);
	pthread_mutex_unlock(&sp->lock);
	return n;
}

void state_persist_status_json(struct state_persist *sp, struct json_writer *w)
{
	if (sp == NULL) {
		json_writer_null(w);
		return;
	}
	pthread_mutex_lock(&sp->lock);
	json_writer_begin_object(w);
	json_writer_key(w, "file");
	json_writer_string(w, sp->path);
	json_uint_field(w, "interval_s", sp->interval_s);
	json_uint_field(w, "last_write", sp->last_write_ns / NS_PER_S);
	json_uint_field(w, "last_write_ms", sp->last_write_ns / 1000000);
	json_uint_field(w, "entries", sp->last_entries);
	json_uint_field(w, "bytes", sp->last_bytes);
	json_uint_field(w, "duration_us", sp->last_duration_us);
	json_uint_field(w, "writes", sp->writes);
	json_uint_field(w, "failures", sp->failures);
	json_writer_key(w, "last_error");
	json_writer_string(w, sp->last_error);
	json_writer_key(w, "loaded");
	state_load_report_json(&sp->loaded, w);
	json_writer_end_object(w);
	pthread_mutex_unlock(&sp->lock);
}
