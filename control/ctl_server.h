/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_server: the daemon side of the control socket (docs/CONTROL.md,
 * "Protocol"): newline-delimited JSON requests over a SOCK_STREAM Unix
 * socket, each answered by one JSON line, dispatched to a command table.
 *
 * Contract:
 *  - ctl_server_start() creates the socket file with `mode`, group
 *    `allowed_gid` when >= 0. A stale socket file (nobody listening) is
 *    replaced; a live one, or a path that is not a socket, is refused.
 *  - Peers are checked on accept (SO_PEERCRED, SO_PEERGROUPS): uid 0, the
 *    daemon's own uid, or a member of allowed_gid (primary or supplementary
 *    group). Others get one error line and are closed.
 *  - Everything is non-blocking. ctl_server_poll() waits at most
 *    timeout_ms for activity, serves what is ready, and returns; handlers
 *    run inside it, on the caller's thread. A signal interrupting the wait
 *    makes it return 0 (the caller checks its flags and calls again).
 *  - Bounds: CTL_MAX_CLIENTS connections (more are told so and closed), a
 *    request line of at most CTL_MAX_REQUEST bytes (a longer one gets an
 *    error and the connection is closed), a response of at most
 *    CTL_MAX_RESPONSE bytes (a larger result is replaced by an error), and
 *    at most CTL_MAX_OUTPUT bytes waiting to be sent to one client: a client
 *    that lets more pile up, or reads nothing for CTL_STALL_MS while output
 *    waits, is dropped. No other client is ever delayed by a slow one.
 *  - Bad requests (malformed JSON, missing or unknown cmd) get an error
 *    reply and the connection stays usable.
 *  - Followers: a handler may make the connection it serves a follower
 *    (ctl_server_follow); ctl_server_publish() then queues each published
 *    line to every follower, after the answer. A follower whose unsent
 *    lines pass CTL_MAX_FOLLOW_BACKLOG, or that reads nothing for
 *    CTL_STALL_MS, is dropped; publishing never waits for one.
 *  - One thread uses a server at a time. No DPDK.
 */
#ifndef SIPWARDEN_CTL_SERVER_H
#define SIPWARDEN_CTL_SERVER_H

#include <stddef.h>

#define CTL_DEFAULT_PATH "/run/sipwarden/ctl.sock"
#define CTL_DEFAULT_MODE 0660
#define CTL_MAX_CLIENTS 64
#define CTL_MAX_REQUEST 65536	    /* one request line, newline included */
#define CTL_MAX_RESPONSE (8u << 20) /* one response line */
#define CTL_MAX_OUTPUT (16u << 20)  /* unsent bytes per client */
#define CTL_STALL_MS 10000	    /* output waiting, no progress */
#define CTL_ERROR_MAX 512	    /* handler error messages */
#define CTL_MAX_FOLLOW_BACKLOG (1u << 20) /* unsent published bytes */

struct json_value;
struct json_writer;

/*
 * A command: fill `result` (an object is open for you to add members to)
 * and return 0, or return -1 with a message in errbuf (what the result
 * holds is then discarded). args is always an object (empty when the
 * request had none).
 */
typedef int (*ctl_handler_fn)(void *ctx, const struct json_value *args,
			      struct json_writer *result, char *errbuf,
			      size_t errlen);

/*
 * Called after a command succeeded, with its request args and its result
 * object's text: how changes get announced (audit events) without every
 * handler doing it.
 */
typedef void (*ctl_after_fn)(void *ctx, const char *cmd,
			     const struct json_value *args, const char *result,
			     size_t result_len);

/* A table of commands ends with name NULL. */
struct ctl_command {
	const char *name;
	ctl_handler_fn fn;
	const char *summary;
	ctl_after_fn after; /* optional */
};

struct ctl_server;

/* NULL on failure, with the reason in err. allowed_gid -1: root (and the
 * daemon's own uid) only. */
struct ctl_server *ctl_server_start(const char *path, unsigned int mode,
				    long allowed_gid,
				    const struct ctl_command *cmds, void *ctx,
				    char *err, size_t errlen);

/* Serve what is ready, waiting at most timeout_ms (0 or negative: do not
 * wait) for something to be. Returns the number of ready descriptors served, 0
 * on timeout or EINTR, -1 if poll() itself failed (errno set). */
int ctl_server_poll(struct ctl_server *s, int timeout_ms);

/*
 * From inside a handler run by ctl_server_poll(): make the connection being
 * served a follower. -1 when no connection is being served (the handler
 * was called through ctl_server_handle_line, e.g. for SIGHUP).
 */
int ctl_server_follow(struct ctl_server *s);

/* The uid of the peer being served, or -1 (see ctl_server_follow). */
long ctl_server_peer_uid(const struct ctl_server *s);

/* Queue one line (no newline) to every follower and send what their
 * sockets take now. The number of followers it was queued to. */
unsigned int ctl_server_publish(struct ctl_server *s, const char *line,
				size_t len);

/* Close every client and the socket, and unlink the socket file if it is
 * still ours. s may be NULL. */
void ctl_server_stop(struct ctl_server *s);

/*
 * One request line (without its newline) -> one response object in `out`
 * (no newline): the dispatch the server does for every line, exposed for
 * tests and the fuzzer. `out` is reset first.
 */
void ctl_server_handle_line(const struct ctl_command *cmds, void *ctx,
			    const char *line, size_t len,
			    struct json_writer *out);

#endif
