/* SPDX-License-Identifier: BSD-3-Clause */
/* event_watch: traffic events from counters. The contract is in
 * event_watch.h. */
#include "event_watch.h"

#include <stdbool.h>
#include <stdlib.h>

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
	w->last = calloc((size_t)tenant_slots + 1, sizeof(*w->last));
	if (w->last == NULL) {
		free(w);
		return NULL;
	}
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

static void look_at_refusals(struct event_watch *w, struct event_log *log,
			     struct stats_lcore *const *lcores, unsigned int n,
			     const struct tenant_registry *r)
{
	uint64_t budget = w->max_hits, over = 0;
	uint64_t all[VERDICT_MAX] = {0}, row[VERDICT_MAX];
	uint32_t slots = w->slots < r->capacity ? w->slots : r->capacity;

	for (unsigned int k = 0; k < n; k++)
		for (int v = 0; v < VERDICT_MAX; v++)
			all[v] += lcores[k]->all.verdicts[v];
	/* every slot, named or not, so that "no tenant" is exact: what a
	 * removed tenant counted stays in the sum it was always in */
	for (uint32_t s = 0; s < slots; s++) {
		bool named = r->state[s] != TENANT_SLOT_FREE;

		for (int v = 0; v < VERDICT_MAX; v++) {
			row[v] = 0;
			for (unsigned int k = 0; k < n; k++)
				if (s < lcores[k]->tenant_count)
					row[v] += lcores[k]
							  ->tenants[s]
							  .verdicts[v];
			all[v] -= row[v];
		}
		over += look_row(w, log, s, named ? r->names[s] : NULL, row,
				 named ? &budget : NULL);
	}
	over += look_row(w, log, w->slots, NULL, all, &budget);
	if (over > 0 && w->primed) {
		struct json_writer *j = event_begin(log, "alert");

		json_writer_key(j, "alert");
		json_writer_string(j, "events_suppressed");
		json_writer_key(j, "count");
		json_writer_uint(j, over);
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
	if (w->primed && now_ns < w->next_ns)
		return;
	look_at_refusals(w, log, lcores, n, r);
	w->primed = true;
	w->next_ns = now_ns + w->interval_ns;
}
