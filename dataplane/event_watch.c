/* SPDX-License-Identifier: BSD-3-Clause */
/* event_watch: traffic events from counters. The contract is in
 * event_watch.h. */
#include "event_watch.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "regs.h"
#include "verdict.h"

#define FILL_ALERT_PCT 90
#define FILL_CLEAR_PCT 80

enum watched_table { TABLE_CALLS, TABLE_REGISTRATIONS, TABLE_COUNT };

static const char *const table_names[TABLE_COUNT] = {"calls", "registrations"};

struct event_watch {
	uint32_t slots;
	uint64_t interval_ns;
	uint64_t next_ns;
	uint32_t max_hits;
	bool primed;
	/* the pass in progress: slots [0, cursor) looked at */
	bool in_pass;
	uint32_t cursor;
	uint64_t budget, over;
	uint64_t (*last)[VERDICT_MAX]; /* [slots + 1]; the last: no tenant */
	bool table_alert[TABLE_COUNT];
};

/* The verdicts that refuse something: every one but these two. */
static bool is_refusal(int reason)
{
	return reason != VERDICT_FORWARDED && reason != VERDICT_EMERGENCY;
}

struct event_watch *event_watch_create(uint32_t tenant_slots,
				       uint32_t interval_s, uint32_t max_hits)
{
	struct event_watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->slots = tenant_slots;
	w->max_hits = max_hits;
	w->interval_ns = (uint64_t)(interval_s ? interval_s : 1) * 1000000000;
	w->last = malloc(((size_t)tenant_slots + 1) * sizeof(*w->last));
	if (w->last == NULL) {
		free(w);
		return NULL;
	}
	/* touched now, at start, not page by page by the first passes */
	memset(w->last, 0, ((size_t)tenant_slots + 1) * sizeof(*w->last));
	return w;
}

void event_watch_free(struct event_watch *w)
{
	if (w == NULL)
		return;
	free(w->last);
	free(w);
}

static void emit_hit(struct event_log *log, const char *tenant, int reason,
		     uint64_t count, uint64_t interval_ns)
{
	struct json_writer *j = event_begin(log, "limit_hit");

	json_writer_key(j, "tenant");
	if (tenant != NULL)
		json_writer_string(j, tenant);
	else
		json_writer_null(j);
	json_writer_key(j, "reason");
	json_writer_string(j, verdict_reason_name(reason));
	json_writer_key(j, "count");
	json_writer_uint(j, count);
	json_writer_key(j, "interval_s");
	json_writer_uint(j, interval_ns / 1000000000);
	event_end(log);
}

/*
 * Compare row `now` with the last look, emit and remember (budget NULL:
 * only remember). Returns the events it would have emitted beyond
 * *budget.
 */
static uint64_t look_row(struct event_watch *w, struct event_log *log,
			 uint32_t row, const char *tenant, const uint64_t *now,
			 uint64_t *budget)
{
	uint64_t over = 0;

	for (int r = 0; r < VERDICT_MAX; r++) {
		uint64_t moved = now[r] - w->last[row][r];

		if (!is_refusal(r))
			continue;
		w->last[row][r] = now[r];
		if (moved == 0 || !w->primed || budget == NULL)
			continue;
		if (*budget == 0) {
			over++;
			continue;
		}
		(*budget)--;
		emit_hit(log, tenant, r, moved, w->interval_ns);
	}
	return over;
}

/* One slot's counters summed over the lcores, into row. */
static void slot_row(struct stats_lcore *const *lcores, unsigned int n,
		     uint32_t s, uint64_t row[VERDICT_MAX])
{
	for (int v = 0; v < VERDICT_MAX; v++) {
		row[v] = 0;
		for (unsigned int k = 0; k < n; k++)
			if (s < lcores[k]->tenant_count)
				row[v] += lcores[k]->tenants[s].verdicts[v];
	}
}

/* The next slice of slots of the pass in progress. */
static void look_at_slots(struct event_watch *w, struct event_log *log,
			  struct stats_lcore *const *lcores, unsigned int n,
			  const struct tenant_registry *r)
{
	uint32_t slots = w->slots < r->capacity ? w->slots : r->capacity;
	uint32_t end = slots - w->cursor > EVENT_WATCH_SLICE
			       ? w->cursor + EVENT_WATCH_SLICE
			       : slots;
	uint64_t row[VERDICT_MAX];

	for (; w->cursor < end; w->cursor++) {
		uint32_t s = w->cursor;

		/* a free slot counts nothing: its last values stay right
		 * for the tenant it will be given to next */
		if (r->state[s] == TENANT_SLOT_FREE)
			continue;
		slot_row(lcores, n, s, row);
		w->over += look_row(w, log, s, r->names[s], row, &w->budget);
	}
}

/* The pass is over: the traffic of no tenant, and what did not fit. */
static void finish_pass(struct event_watch *w, struct event_log *log,
			struct stats_lcore *const *lcores, unsigned int n)
{
	uint64_t none[VERDICT_MAX] = {0};

	for (unsigned int k = 0; k < n; k++)
		for (int v = 0; v < VERDICT_MAX; v++)
			none[v] += lcores[k]->no_tenant_verdicts[v];
	w->over += look_row(w, log, w->slots, NULL, none, &w->budget);
	if (w->over > 0 && w->primed) {
		struct json_writer *j = event_begin(log, "alert");

		json_writer_key(j, "alert");
		json_writer_string(j, "events_suppressed");
		json_writer_key(j, "count");
		json_writer_uint(j, w->over);
		event_end(log);
	}
}

static void look_at_table(struct event_watch *w, struct event_log *log,
			  enum watched_table t, uint64_t used,
			  uint64_t capacity)
{
	bool high = capacity && used * 100 >= capacity * FILL_ALERT_PCT;
	bool low = !capacity || used * 100 < capacity * FILL_CLEAR_PCT;
	struct json_writer *j;

	if (w->table_alert[t] ? !low : !high)
		return;
	w->table_alert[t] = !w->table_alert[t];
	j = event_begin(log, w->table_alert[t] ? "alert" : "alert_cleared");
	json_writer_key(j, "alert");
	json_writer_string(j, "table_fill");
	json_writer_key(j, "table");
	json_writer_string(j, table_names[t]);
	json_writer_key(j, "used");
	json_writer_uint(j, used);
	json_writer_key(j, "capacity");
	json_writer_uint(j, capacity);
	event_end(log);
}

void event_watch_poll(struct event_watch *w, struct event_log *log,
		      struct stats_lcore *const *lcores, unsigned int n,
		      const struct tenant_registry *r,
		      const struct admission *a, uint64_t now_ns)
{
	if (w == NULL || log == NULL)
		return;
	look_at_table(w, log, TABLE_CALLS, call_table_count(a->calls),
		      call_table_capacity(a->calls));
	look_at_table(w, log, TABLE_REGISTRATIONS, reg_table_count(a->regs),
		      reg_table_capacity(a->regs));
	if (!w->in_pass) {
		if (w->primed && now_ns < w->next_ns)
			return;
		w->in_pass = true;
		w->cursor = 0;
		w->budget = w->max_hits;
		w->over = 0;
		w->next_ns = now_ns + w->interval_ns;
	}
	look_at_slots(w, log, lcores, n, r);
	if (w->cursor < (w->slots < r->capacity ? w->slots : r->capacity))
		return;
	finish_pass(w, log, lcores, n);
	w->in_pass = false;
	w->primed = true;
}
