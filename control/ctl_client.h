/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_client: sipwardenctl's side of the control socket (docs/CONTROL.md):
 * connect, send a request, read answer lines, each within a deadline.
 *
 * Contract:
 *  - Every function returns one of the exit codes below; on failure the
 *    reason has been printed on stderr as "sipwardenctl: ...", so the
 *    caller only passes the code on.
 *  - deadline: a ctl_now_ms() time, or -1 for none (following events);
 *    timeout_ms is only for the message.
 *  - A line is at most CTL_MAX_RESPONSE bytes (a longer one is a protocol
 *    error); a returned line stays valid until the next ctl call on conn.
 */
#ifndef SIPWARDEN_CTL_CLIENT_H
#define SIPWARDEN_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define PROG "sipwardenctl"

/* sipwardenctl's exit codes (docs/CONTROL.md, "Exit status"). */
enum {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,
	EXIT_USAGE = 2,
	EXIT_FAILED = 3,
};

struct conn {
	int fd; /* -1 before conn_open */
	const char *path;
	char *buf;
	size_t len, cap, used; /* used: bytes of the last line returned */
};

int64_t ctl_now_ms(void); /* CLOCK_MONOTONIC */

int conn_open(struct conn *c, int64_t deadline, int timeout_ms);
int conn_send(struct conn *c, const char *text, size_t len, int64_t deadline,
	      int timeout_ms);
/* The next line (no newline, NUL-terminated) into *line; *line NULL at a
 * clean end of stream. */
int conn_line(struct conn *c, int64_t deadline, int timeout_ms, char **line,
	      size_t *len);

#endif
