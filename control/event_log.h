/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * event_log: the daemon's event stream (docs/CONTROL.md, "Events"). Each
 * event is one JSON object on one line,
 *   {"time": "2026-11-29T20:01:02.123Z", "seq": 7, "type": "...", ...},
 * written to the configured output (stdout, or a file opened for append),
 * kept in a ring of the most recent `history` lines for `sipwardenctl
 * events`, and published to the control socket's followers (`events -f`).
 *
 * Contract:
 *  - One thread uses a log: the control thread. Nothing here is on the
 *    fast path; events about traffic are derived from counters elsewhere.
 *  - event_begin() returns a writer with the object open and time, seq and
 *    type written; the caller adds members; event_end() closes the object
 *    and delivers the line. seq counts every event from 1, so a reader can
 *    tell that it missed some.
 *  - An output that fails (disk full, a closed pipe) never stops or slows
 *    the daemon: failures are counted (event_log_write_errors) and the
 *    first one is reported on stderr. A follower that cannot keep up is
 *    dropped by the control socket, never waited for.
 */
#ifndef SIPWARDEN_EVENT_LOG_H
#define SIPWARDEN_EVENT_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "json.h"

struct ctl_server;
struct event_log;

/* NULL with the reason in err (the output file cannot be opened). */
struct event_log *event_log_open(const struct config_events *cfg, char *err,
				 size_t errlen);
void event_log_close(struct event_log *l); /* l may be NULL */

/* Followers of this server get every event from now on (NULL: none). */
void event_log_set_server(struct event_log *l, struct ctl_server *s);

/* Reopen the output file (after log rotation); 0, or -errno. */
int event_log_reopen(struct event_log *l);

/* Start an event; add members to the writer, then call event_end(). */
struct json_writer *event_begin(struct event_log *l, const char *type);
void event_end(struct event_log *l);

/* The most recent events, at most n, oldest first, as a JSON array. */
void event_log_write_recent(const struct event_log *l, struct json_writer *w,
			    size_t n);

uint64_t event_log_count(const struct event_log *l);	    /* emitted */
uint64_t event_log_write_errors(const struct event_log *l); /* output */

#endif
