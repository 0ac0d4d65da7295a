/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control_reads: the control commands that read live state: counters
 * (stats, stats.reset) and listings (calls.list, regs.list). The contract
 * is control_ops.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "control_ops_internal.h"
#include "json.h"
#include "regs.h"

#define LIST_MAX_ROWS 10000

/* An optional args.tenant filter: its slot, TENANT_NONE for all, -1 bad. */
static int64_t tenant_filter(struct control_ops *c,
			     const struct json_value *args, char *err,
			     size_t errlen)
{
	const char *name;
	int rc = json_take_string(args, "tenant", &name, err, errlen);
	int64_t slot;

	if (rc <= 0)
		return rc < 0 ? -1 : (int64_t)TENANT_NONE;
	slot = tenant_registry_find(c->registry, name);
	if (slot < 0)
		snprintf(err, errlen, "no tenant '%s'", name);
	return slot;
}

struct listing {
	struct control_ops *c;
	struct json_writer *w;
	int64_t tenant;
	uint64_t now_ns;
	uint32_t rows, more;
};

static const char *slot_name(const struct control_ops *c, uint32_t slot)
{
	const struct tenant_policy *tp = tenant_registry_get(c->registry, slot);

	return tp != NULL ? tp->name : "";
}

static bool listing_row(struct listing *l, uint32_t tenant)
{
	if (l->tenant != TENANT_NONE && tenant != (uint64_t)l->tenant)
		return false;
	if (l->rows == LIST_MAX_ROWS) {
		l->more++;
		return false;
	}
	l->rows++;
	return true;
}

static const char *const call_state_names[] = {"early", "answered",
					       "ending"};

static void call_row(const struct call_info *info, enum call_state state,
		     uint64_t answered_ns, void *arg)
{
	struct listing *l = arg;
	struct json_writer *w = l->w;

	(void)answered_ns;
	if (!listing_row(l, info->tenant))
		return;
	json_writer_begin_object(w);
	json_writer_key(w, "tenant");
	json_writer_string(w, slot_name(l->c, info->tenant));
	json_writer_key(w, "direction");
	json_writer_string(w, info->direction == CALL_FROM_OUTSIDE ?
				      "inbound" :
				      "outbound");
	json_writer_key(w, "state");
	json_writer_string(w, (unsigned int)state < 3 ?
				      call_state_names[state] :
				      "?");
	json_writer_key(w, "emergency");
	json_writer_bool(w, info->emergency);
	json_writer_end_object(w);
}

static void reg_row(const struct reg_info *info, enum reg_state state,
		    uint64_t expires_ns, void *arg)
{
	struct listing *l = arg;
	struct json_writer *w = l->w;

	(void)expires_ns;
	if (!listing_row(l, info->tenant))
		return;
	json_writer_begin_object(w);
	json_writer_key(w, "tenant");
	json_writer_string(w, slot_name(l->c, info->tenant));
	json_writer_key(w, "state");
	json_writer_string(w, state == REG_ACTIVE ? "active" : "pending");
	json_writer_end_object(w);
}

static int list_table(struct control_ops *c, const struct json_value *args,
		      bool calls, struct json_writer *w, char *err,
		      size_t errlen)
{
	struct listing l = {.c = c, .w = w};

	l.tenant = tenant_filter(c, args, err, errlen);
	if (l.tenant < 0)
		return -1;
	json_writer_key(w, calls ? "calls" : "registrations");
	json_writer_begin_array(w);
	if (calls)
		call_table_foreach(c->admission->calls, call_row, &l);
	else
		reg_table_foreach(c->admission->regs, reg_row, &l);
	json_writer_end_array(w);
	json_writer_key(w, "not_listed");
	json_writer_uint(w, l.more);
	return 0;
}

int cmd_calls_list(void *ctx, const struct json_value *args,
			  struct json_writer *w, char *err, size_t errlen)
{
	return list_table(ctx, args, true, w, err, errlen);
}

int cmd_regs_list(void *ctx, const struct json_value *args,
			 struct json_writer *w, char *err, size_t errlen)
{
	return list_table(ctx, args, false, w, err, errlen);
}

/* Copy the members of the JSON object in text (freed) into the result. */
static int merge_object(struct json_writer *w, char *text, size_t len,
			char *err, size_t errlen)
{
	struct json_limits limits = {
		.max_size = len,
		.max_depth = 8,
		.max_values = len, /* a value takes at least one byte */
	};
	struct json_doc *doc = json_parse(text, len, &limits, err, errlen);
	const struct json_value *root = doc ? json_root(doc) : NULL;

	free(text);
	if (root == NULL || root->type != JSON_OBJECT) {
		json_free(doc);
		return -1;
	}
	for (size_t i = 0; i < root->len; i++) {
		json_writer_key(w, root->u.members[i].key);
		json_writer_value(w, &root->u.members[i].value);
	}
	json_free(doc);
	return 0;
}

/* The report's JSON (docs/COUNTERS.md), or one tenant's object of it. */
int cmd_stats(void *ctx, const struct json_value *args,
		     struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	int64_t slot = tenant_filter(c, args, err, errlen);
	struct stats_view *v;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (slot < 0)
		return -1;
	v = control_ops_view(c);
	f = open_memstream(&text, &len);
	if (v == NULL || f == NULL) {
		if (f != NULL)
			fclose(f);
		free(text);
		stats_view_free(v);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (slot != TENANT_NONE) {
		/* only this tenant: hide the others from the view */
		for (uint32_t t = 0; t < v->sum.tenant_count; t++)
			if (t != (uint64_t)slot)
				v->tenant_names[t] = NULL;
	}
	stats_print_json(v, f);
	fclose(f);
	stats_view_free(v);
	return merge_object(w, text, len, err, errlen);
}

int cmd_stats_reset(void *ctx, const struct json_value *args,
			   struct json_writer *w, char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	int64_t slot = tenant_filter(c, args, err, errlen);

	if (slot < 0)
		return -1;
	if (slot == TENANT_NONE) {
		snprintf(err, errlen, "'tenant' is required");
		return -1;
	}
	control_ops_rebase(c, (uint32_t)slot);
	json_writer_key(w, "reset");
	json_writer_string(w, slot_name(c, (uint32_t)slot));
	return 0;
}

