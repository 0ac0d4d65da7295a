/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_server: the control socket, daemon side. The contract is in
 * ctl_server.h, the protocol in docs/CONTROL.md. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_server.h"
#include "json.h"

#define ACCEPTS_PER_POLL (2 * CTL_MAX_CLIENTS)
#define READS_PER_POLL 4
#define OUT_KEEP                                                               \
	65536 /* an output buffer larger than this is freed once               \
		 drained */
#define PEER_GROUPS_MAX 1024

struct client {
	int fd; /* -1: a free slot */
	char *in;
	size_t in_len;
	char *out;
	size_t out_off, out_len, out_cap;
	bool eof;	   /* the peer sent its last byte: flush, then close */
	bool follower;	   /* gets ctl_server_publish() lines */
	long uid;	   /* the peer's, from SO_PEERCRED */
	uint64_t stall_ms; /* since when output waits without progress */
};

struct ctl_server {
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	long allowed_gid;
	uid_t own_uid;
	const struct ctl_command *cmds;
	void *ctx;
	struct json_writer resp;
	struct client *serving; /* whose request a handler is running */
	struct client clients[CTL_MAX_CLIENTS];
	struct pollfd pfds[CTL_MAX_CLIENTS + 1];
	int slot_of[CTL_MAX_CLIENTS + 1];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Dispatch */

static const struct json_value empty_args = {.type = JSON_OBJECT};

static int help(const struct ctl_command *cmds, struct json_writer *w)
{
	bool own_help = false;

	json_writer_key(w, "commands");
	json_writer_begin_array(w);
	for (const struct ctl_command *c = cmds; c->name; c++) {
		own_help |= strcmp(c->name, "help") == 0;
		json_writer_begin_object(w);
		json_writer_key(w, "name");
		json_writer_string(w, c->name);
		json_writer_key(w, "summary");
		json_writer_string(w, c->summary ? c->summary : "");
		json_writer_end_object(w);
	}
	if (!own_help) {
		json_writer_begin_object(w);
		json_writer_key(w, "name");
		json_writer_string(w, "help");
		json_writer_key(w, "summary");
		json_writer_string(w, "list the commands");
		json_writer_end_object(w);
	}
	json_writer_end_array(w);
	return 0;
}

/*
 * Check the request envelope. *id is set as soon as it is known to be
 * valid, so that even a refused request has its id echoed.
 */
static bool check_request(const struct json_value *req,
			  const struct json_value **id, const char **cmd,
			  const struct json_value **args, char *err,
			  size_t errlen)
{
	const struct json_value *v;

	if (req->type != JSON_OBJECT) {
		snprintf(err, errlen, "bad request: expected an object, got %s",
			 json_type_name(req->type));
		return false;
	}
	v = json_get(req, "id");
	if (v && v->type != JSON_INT && v->type != JSON_STRING) {
		snprintf(err, errlen,
			 "bad request: 'id' must be an integer or a string");
		return false;
	}
	*id = v;
	for (size_t i = 0; i < req->len; i++) {
		const char *key = req->u.members[i].key;

		if (strcmp(key, "cmd") && strcmp(key, "args") &&
		    strcmp(key, "id")) {
			snprintf(err, errlen,
				 "bad request: unknown key '%s' (cmd, args, "
				 "id)",
				 key);
			return false;
		}
	}
	v = json_get(req, "cmd");
	if (!v || v->type != JSON_STRING) {
		snprintf(err, errlen, "bad request: %s",
			 v ? "'cmd' must be a string" : "missing 'cmd'");
		return false;
	}
	*cmd = v->u.string;
	v = json_get(req, "args");
	if (v && v->type != JSON_OBJECT && v->type != JSON_NULL) {
		snprintf(err, errlen, "bad request: 'args' must be an object");
		return false;
	}
	*args = v && v->type == JSON_OBJECT ? v : &empty_args;
	return true;
}

/* Run the command into `result`; 0, or -1 with err set. */
static int run_command(const struct ctl_command *cmds, void *ctx,
		       const char *cmd, const struct json_value *args,
		       struct json_writer *result, char *err, size_t errlen)
{
	const struct ctl_command *c = cmds;
	int rc;

	while (c->name && strcmp(c->name, cmd) != 0)
		c++;
	if (!c->name && strcmp(cmd, "help") != 0) {
		snprintf(err, errlen, "unknown command '%s' (try 'help')", cmd);
		return -1;
	}
	json_writer_begin_object(result);
	rc = c->name ? c->fn(ctx, args, result, err, errlen)
		     : help(cmds, result);
	err[errlen - 1] = '\0';
	if (rc != 0) {
		if (!err[0])
			snprintf(err, errlen, "command '%s' failed", cmd);
		return -1;
	}
	if (!result->error && (result->depth != 1 || result->after_key)) {
		snprintf(err, errlen,
			 "internal error: command '%s' wrote a bad result "
			 "(left an object or array open)",
			 cmd);
		return -1;
	}
	json_writer_end_object(result);
	if (result->error == JSON_WRITER_TOO_LARGE) {
		snprintf(err, errlen, "response too large (more than %u bytes)",
			 CTL_MAX_RESPONSE);
		return -1;
	}
	if (!json_writer_complete(result)) {
		snprintf(err, errlen,
			 "internal error: command '%s' wrote a bad result (%s)",
			 cmd, json_writer_error_name(result->error));
		return -1;
	}
	return 0;
}

void ctl_server_handle_line(const struct ctl_command *cmds, void *ctx,
			    const char *line, size_t len,
			    struct json_writer *out)
{
	const struct json_limits limits = {
		.max_size = CTL_MAX_REQUEST,
		.max_depth = JSON_DEFAULT_MAX_DEPTH,
		.max_values = JSON_DEFAULT_MAX_VALUES,
	};
	char err[CTL_ERROR_MAX] = "", perr[256];
	const struct json_value *id = NULL, *args = NULL;
	const char *cmd = NULL;
	struct json_writer result;
	struct json_doc *doc;
	int rc = -1;

	json_writer_init(&result, CTL_MAX_RESPONSE);
	json_writer_reset(out);
	doc = json_parse(line, len, &limits, perr, sizeof(perr));
	if (!doc)
		snprintf(err, sizeof(err), "bad request: %s", perr);
	else if (check_request(json_root(doc), &id, &cmd, &args, err,
			       sizeof(err)))
		rc = run_command(cmds, ctx, cmd, args, &result, err,
				 sizeof(err));

	json_writer_begin_object(out);
	if (id) {
		json_writer_key(out, "id");
		json_writer_value(out, id);
	}
	json_writer_key(out, "ok");
	json_writer_bool(out, rc == 0);
	if (rc == 0) {
		json_writer_key(out, "result");
		json_writer_raw(out, json_writer_text(&result), result.len);
	} else {
		json_writer_key(out, "error");
		json_writer_string(out, err);
	}
	json_writer_end_object(out);
	if (rc == 0) {
		const struct ctl_command *c = cmds;

		while (c->name && strcmp(c->name, cmd) != 0)
			c++;
		if (c->name && c->after)
			c->after(ctx, cmd, args, json_writer_text(&result),
				 result.len);
	}
	json_writer_free(&result);
	json_free(doc);
}

/* Clients */

static void client_close(struct client *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Send what the socket takes now; false when the client was dropped. */
static bool client_flush(struct client *c, uint64_t now)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(c);
			return false;
		}
		c->out_off += (size_t)n;
		c->stall_ms = now;
	}
	if (c->out_off < c->out_len) {
		if (!c->stall_ms)
			c->stall_ms = now;
		return true;
	}
	c->out_off = c->out_len = 0;
	c->stall_ms = 0;
	if (c->out_cap > OUT_KEEP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	if (c->eof) {
		client_close(c);
		return false;
	}
	return true;
}

/* Queue one line (a newline is added); false when the client was dropped
 * for letting too much output pile up. */
static bool client_queue(struct client *c, const char *text, size_t len)
{
	size_t pending = c->out_len - c->out_off;

	if (len + 1 > CTL_MAX_OUTPUT - pending) {
		client_close(c);
		return false;
	}
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_off = 0;
		c->out_len = pending;
	}
	if (c->out_cap - c->out_len < len + 1) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *out;

		while (cap - c->out_len < len + 1)
			cap *= 2;
		out = realloc(c->out, cap);
		if (!out) {
			client_close(c);
			return false;
		}
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, text, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	return true;
}

static void error_line(struct json_writer *w, const char *msg)
{
	json_writer_reset(w);
	json_writer_begin_object(w);
	json_writer_key(w, "ok");
	json_writer_bool(w, false);
	json_writer_key(w, "error");
	json_writer_string(w, msg);
	json_writer_end_object(w);
}

/* Send one error line if the socket has room for it, then close. */
static void refuse_fd(struct ctl_server *s, int fd, const char *msg)
{
	error_line(&s->resp, msg);
	if (json_writer_complete(&s->resp)) {
		s->resp.buf[s->resp.len] = '\n';
		(void)!send(fd, s->resp.buf, s->resp.len + 1,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
		s->resp.buf[s->resp.len] = '\0';
	}
	close(fd);
}

static bool blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* Answer every complete line in the input buffer; false when the client
 * was dropped. */
static bool client_serve_lines(struct ctl_server *s, struct client *c)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(c->in + start, '\n', c->in_len - start))) {
		const char *line = c->in + start;
		size_t len = (size_t)(nl - line);

		start += len + 1;
		if (len && line[len - 1] == '\r')
			len--;
		if (blank(line, len))
			continue;
		s->serving = c;
		ctl_server_handle_line(s->cmds, s->ctx, line, len, &s->resp);
		s->serving = NULL;
		/* what the command published may have dropped this very
		 * follower (backlog full): its buffers are gone */
		if (c->fd < 0)
			return false;
		if (!client_queue(c, json_writer_text(&s->resp), s->resp.len))
			return false;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	if (c->in_len == CTL_MAX_REQUEST) {
		char msg[96];

		snprintf(msg, sizeof(msg),
			 "request too long (more than %u bytes without a "
			 "newline)",
			 CTL_MAX_REQUEST);
		error_line(&s->resp, msg);
		client_queue(c, json_writer_text(&s->resp), s->resp.len);
		c->eof = true; /* closed once this is sent, or dropped */
		c->in_len = 0;
	}
	return true;
}

/* Read what is there and answer it; false when the client is gone. */
static bool client_read(struct ctl_server *s, struct client *c, uint64_t now)
{
	for (int i = 0; i < READS_PER_POLL && !c->eof; i++) {
		ssize_t n = recv(c->fd, c->in + c->in_len,
				 CTL_MAX_REQUEST - c->in_len, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			client_close(c);
			return false;
		}
		if (n == 0) {
			c->eof = true; /* a partial last line is dropped */
			break;
		}
		c->in_len += (size_t)n;
		if (!client_serve_lines(s, c))
			return false;
	}
	return client_flush(c, now);
}

static bool in_groups(int fd, gid_t gid)
{
#ifdef SO_PEERGROUPS
	gid_t groups[PEER_GROUPS_MAX];
	socklen_t len = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false; /* ERANGE past PEER_GROUPS_MAX: not found */
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == gid)
			return true;
#else
	(void)fd;
	(void)gid;
#endif
	return false;
}

/* Whether the peer may talk to us; msg says why not. */
static bool peer_allowed(const struct ctl_server *s, int fd, long *uid,
			 char *msg, size_t msglen)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) {
		snprintf(msg, msglen, "permission denied: no peer credentials");
		return false;
	}
	*uid = (long)cr.uid;
	if (cr.uid == 0 || cr.uid == s->own_uid)
		return true;
	if (s->allowed_gid >= 0 && ((long)cr.gid == s->allowed_gid ||
				    in_groups(fd, (gid_t)s->allowed_gid)))
		return true;
	snprintf(msg, msglen,
		 "permission denied: uid %u gid %u may not use this socket",
		 (unsigned int)cr.uid, (unsigned int)cr.gid);
	return false;
}

static struct client *free_slot(struct ctl_server *s)
{
	for (size_t k = 0; k < CTL_MAX_CLIENTS; k++)
		if (s->clients[k].fd < 0)
			return &s->clients[k];
	return NULL;
}

static int serve_clients(struct ctl_server *s, int timeout_ms, bool listener);

static void accept_clients(struct ctl_server *s)
{
	for (int i = 0; i < ACCEPTS_PER_POLL; i++) {
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c = NULL;
		char msg[128];
		long uid = -1;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of descriptors: later */
		}
		if (!peer_allowed(s, fd, &uid, msg, sizeof(msg))) {
			refuse_fd(s, fd, msg);
			continue;
		}
		c = free_slot(s);
		if (!c) {
			/* clients that left may still hold their slots: serve
			 * what is ready (without waiting) and look again */
			serve_clients(s, 0, false);
			c = free_slot(s);
		}
		if (c)
			c->in = malloc(CTL_MAX_REQUEST);
		if (!c || !c->in) {
			snprintf(msg, sizeof(msg),
				 c ? "out of memory"
				   : "too many clients (%u connected)",
				 CTL_MAX_CLIENTS);
			refuse_fd(s, fd, msg);
			continue;
		}
		c->fd = fd;
		c->uid = uid;
	}
}

/*
 * Wait up to timeout_ms for the clients (and the listening socket when
 * `listener`), and serve the clients that are ready. The number of ready
 * descriptors, or -1 from poll().
 */
static int serve_clients(struct ctl_server *s, int timeout_ms, bool listener)
{
	nfds_t nfds = 1;
	uint64_t now;
	int n;

	s->pfds[0] =
		(struct pollfd){.fd = listener ? s->lfd : -1, .events = POLLIN};
	for (int k = 0; k < CTL_MAX_CLIENTS; k++) {
		struct client *c = &s->clients[k];

		if (c->fd < 0)
			continue;
		s->pfds[nfds] = (struct pollfd){
			.fd = c->fd,
			.events = (short)((c->eof ? 0 : POLLIN) |
					  (c->out_len > c->out_off ? POLLOUT
								   : 0)),
		};
		s->slot_of[nfds++] = k;
	}
	n = poll(s->pfds, nfds, timeout_ms < 0 ? 0 : timeout_ms);
	if (n < 0)
		return -1;
	now = now_ms();
	for (nfds_t i = 1; i < nfds; i++) {
		struct client *c = &s->clients[s->slot_of[i]];
		short re = s->pfds[i].revents;

		if (re & POLLNVAL)
			client_close(c);
		else if (re & (POLLIN | POLLHUP | POLLERR) && !c->eof)
			client_read(s, c, now);
		else if (re & (POLLOUT | POLLHUP | POLLERR))
			client_flush(c, now);
	}
	for (int k = 0; k < CTL_MAX_CLIENTS; k++) {
		struct client *c = &s->clients[k];

		if (c->fd >= 0 && c->stall_ms &&
		    now - c->stall_ms >= CTL_STALL_MS)
			client_close(c);
	}
	return n;
}

int ctl_server_follow(struct ctl_server *s)
{
	if (!s || !s->serving)
		return -1;
	s->serving->follower = true;
	return 0;
}

long ctl_server_peer_uid(const struct ctl_server *s)
{
	return s && s->serving ? s->serving->uid : -1;
}

unsigned int ctl_server_publish(struct ctl_server *s, const char *line,
				size_t len)
{
	uint64_t now = now_ms();
	unsigned int n = 0;

	for (int k = 0; s && k < CTL_MAX_CLIENTS; k++) {
		struct client *c = &s->clients[k];

		if (c->fd < 0 || !c->follower)
			continue;
		/* a follower that does not keep up loses its stream, not
		 * the daemon its memory: it sees the connection close */
		if (c->out_len - c->out_off + len + 1 >
		    CTL_MAX_FOLLOW_BACKLOG) {
			client_close(c);
			continue;
		}
		if (client_queue(c, line, len) && client_flush(c, now))
			n++;
	}
	return n;
}

int ctl_server_poll(struct ctl_server *s, int timeout_ms)
{
	int n = serve_clients(s, timeout_ms, true);

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (s->pfds[0].revents & POLLIN)
		accept_clients(s);
	return n;
}

/* Start and stop */

/* Make room for our socket at path: nothing there, or a stale socket. */
static bool clear_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket", path);
		return false;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	memcpy(sa.sun_path, path, strlen(path));
	do
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (rc != 0 && errno == EINTR);
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		snprintf(err, errlen, "%s: another server is listening on it",
			 path);
		return false;
	}
	rc = errno;
	close(fd);
	if (rc != ECONNREFUSED && rc != ENOENT) {
		snprintf(err, errlen,
			 "%s: cannot tell whether it is in use: %s", path,
			 strerror(rc));
		return false;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot remove the stale socket: %s",
			 path, strerror(errno));
		return false;
	}
	return true;
}

/* Socket, bind, mode and group, listen; the descriptor or -1. */
static int open_socket(struct ctl_server *s, unsigned int mode, char *err,
		       size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *what = "socket";
	struct stat st;
	int fd;

	memcpy(sa.sun_path, s->path, strlen(s->path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	what = "bind";
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto fail;
	/* nobody can connect before listen(): set mode and group first */
	what = "chmod";
	if (chmod(s->path, mode & 07777) != 0)
		goto fail_unlink;
	what = "chown";
	if (s->allowed_gid >= 0 &&
	    chown(s->path, (uid_t)-1, (gid_t)s->allowed_gid) != 0)
		goto fail_unlink;
	what = "stat";
	if (stat(s->path, &st) != 0)
		goto fail_unlink;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	what = "listen";
	if (listen(fd, CTL_MAX_CLIENTS) != 0)
		goto fail_unlink;
	return fd;
fail_unlink:
	snprintf(err, errlen, "%s: %s: %s", s->path, what, strerror(errno));
	unlink(s->path);
	close(fd);
	return -1;
fail:
	snprintf(err, errlen, "%s: %s: %s", s->path, what, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct ctl_server *ctl_server_start(const char *path, unsigned int mode,
				    long allowed_gid,
				    const struct ctl_command *cmds, void *ctx,
				    char *err, size_t errlen)
{
	struct ctl_server *s;

	if (!path || !path[0] || !cmds) {
		snprintf(err, errlen, "no socket path or command table");
		return NULL;
	}
	if (strlen(path) >= sizeof(s->path)) {
		snprintf(err, errlen, "%s: path longer than %zu bytes", path,
			 sizeof(s->path) - 1);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(s->path, path, strlen(path) + 1);
	s->allowed_gid = allowed_gid < 0 ? -1 : allowed_gid;
	s->own_uid = geteuid();
	s->cmds = cmds;
	s->ctx = ctx;
	json_writer_init(&s->resp, 0);
	for (int k = 0; k < CTL_MAX_CLIENTS; k++)
		s->clients[k].fd = -1;
	if (!clear_path(path, err, errlen) ||
	    (s->lfd = open_socket(s, mode, err, errlen)) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void ctl_server_stop(struct ctl_server *s)
{
	struct stat st;

	if (!s)
		return;
	for (int k = 0; k < CTL_MAX_CLIENTS; k++)
		client_close(&s->clients[k]);
	close(s->lfd);
	/* a successor may have replaced the file: leave that one alone */
	if (stat(s->path, &st) == 0 && st.st_dev == s->dev &&
	    st.st_ino == s->ino)
		unlink(s->path);
	json_writer_free(&s->resp);
	free(s);
}
