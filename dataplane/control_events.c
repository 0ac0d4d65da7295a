/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * control_events: the `events` command and the events that announce what
 * the changing commands did (docs/CONTROL.md, "Events"). Part of
 * control_ops; shares control_ops_internal.h.
 */
#include <stdio.h>
#include <string.h>

#include "control_ops_internal.h"
#include "json.h"

#define EVENTS_DEFAULT_LAST 100
/* a result larger than this (a reload adding 100,000 tenants) is left
 * out of its event rather than making it too large to deliver */
#define ANNOUNCE_RESULT_MAX 16384

int cmd_events(void *ctx, const struct json_value *args, struct json_writer *w,
	       char *err, size_t errlen)
{
	struct control_ops *c = ctx;
	const struct json_value *follow = json_get(args, "follow");
	const struct json_value *last = json_get(args, "last");
	int64_t n = EVENTS_DEFAULT_LAST;

	if (follow != NULL && follow->type != JSON_BOOL &&
	    follow->type != JSON_NULL) {
		snprintf(err, errlen, "'follow' must be true or false");
		return -1;
	}
	if (last != NULL && last->type != JSON_NULL) {
		if (last->type != JSON_INT || last->u.integer < 0) {
			snprintf(err, errlen,
				 "'last' must be a non-negative integer");
			return -1;
		}
		n = last->u.integer;
	}
	if (c->events == NULL) {
		snprintf(err, errlen, "no event stream in this process");
		return -1;
	}
	if (follow != NULL && follow->type == JSON_BOOL && follow->u.boolean &&
	    ctl_server_follow(c->server) < 0) {
		snprintf(err, errlen, "'follow' needs a socket connection");
		return -1;
	}
	json_writer_key(w, "events");
	event_log_write_recent(c->events, w, (size_t)n);
	json_writer_key(w, "emitted");
	json_writer_uint(w, event_log_count(c->events));
	json_writer_key(w, "write_errors");
	json_writer_uint(w, event_log_write_errors(c->events));
	return 0;
}

/* Who asked: the socket peer's uid, or the signal. */
static void write_origin(struct control_ops *c, struct json_writer *j)
{
	long uid = ctl_server_peer_uid(c->server);

	json_writer_key(j, "source");
	json_writer_string(j, c->change_source ? c->change_source : "ctl");
	if (uid >= 0) {
		json_writer_key(j, "uid");
		json_writer_uint(j, (uint64_t)uid);
	}
}

void control_ops_announce(void *ctx, const char *cmd,
			  const struct json_value *args, const char *result,
			  size_t result_len)
{
	struct control_ops *c = ctx;
	const struct json_value *name = json_get(args, "name");
	bool suspend = strcmp(cmd, "tenant.suspend") == 0;
	struct json_writer *j;

	if (c->events == NULL)
		return;
	if (suspend || strcmp(cmd, "tenant.resume") == 0) {
		/* what fraud teams page on: an event of its own */
		j = event_begin(c->events, suspend ? "tenant_suspended"
						   : "tenant_resumed");
		json_writer_key(j, "tenant");
		if (name != NULL)
			json_writer_value(j, name);
		else
			json_writer_null(j);
		write_origin(c, j);
		event_end(c->events);
		return;
	}
	j = event_begin(c->events, "config_changed");
	json_writer_key(j, "cmd");
	json_writer_string(j, cmd);
	write_origin(c, j);
	json_writer_key(j, "args");
	json_writer_value(j, args);
	if (result_len <= ANNOUNCE_RESULT_MAX) {
		json_writer_key(j, "result");
		json_writer_raw(j, result, result_len);
	}
	event_end(c->events);
}
