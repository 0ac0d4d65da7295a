/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_client: sipwardenctl's side of the control socket. The contract is
 * in ctl_client.h. */
#include "ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_server.h"

int64_t ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for `events` until the deadline (-1: none); false on timeout. */
static bool wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = {.fd = fd, .events = events};
		int64_t left = deadline < 0 ? -1 : deadline - ctl_now_ms();
		int n;

		if (deadline >= 0 && left <= 0)
			return false;
		n = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n > 0)
			return true;
		if (n < 0 && errno != EINTR)
			return true; /* let the next call report it */
	}
}

static int fail_io(const struct conn *c, const char *what)
{
	fprintf(stderr, "%s: %s %s: %s\n", PROG, what, c->path,
		strerror(errno));
	return EXIT_FAILED;
}

static int timed_out(const struct conn *c, int timeout_ms)
{
	fprintf(stderr, "%s: no answer from %s within %g s\n", PROG, c->path,
		timeout_ms / 1000.0);
	return EXIT_FAILED;
}

int conn_open(struct conn *c, int64_t deadline, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc;

	if (strlen(c->path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", PROG,
			c->path);
		return EXIT_FAILED;
	}
	memcpy(sa.sun_path, c->path, strlen(c->path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return fail_io(c, "socket for");
	do
		rc = connect(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	while (rc != 0 && errno == EINTR);
	/* a full backlog: wait for room, as a blocking connect would */
	while (rc != 0 && errno == EAGAIN) {
		if (!wait_fd(c->fd, POLLOUT, deadline))
			return timed_out(c, timeout_ms);
		rc = connect(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (rc != 0) {
		int e = errno;

		fprintf(stderr, "%s: cannot connect to %s: %s%s\n", PROG,
			c->path, strerror(e),
			e == ENOENT || e == ECONNREFUSED
				? " (is sipwarden running?)"
				: "");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

int conn_line(struct conn *c, int64_t deadline, int timeout_ms, char **line,
	      size_t *len);

int conn_send(struct conn *c, const char *text, size_t len, int64_t deadline,
	      int timeout_ms)
{
	while (len) {
		ssize_t n = send(c->fd, text, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!wait_fd(c->fd, POLLOUT, deadline))
				return timed_out(c, timeout_ms);
			continue;
		}
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			/* the daemon closed on us: it may have said why
			 * (a refused peer gets one line) */
			char *line = NULL;
			size_t l;

			if (conn_line(c, deadline, timeout_ms, &line, &l) ==
				    EXIT_OK &&
			    line != NULL) {
				fprintf(stderr,
					"%s: %s closed the connection: "
					"%s\n",
					PROG, c->path, line);
				return EXIT_FAILED;
			}
		}
		if (n < 0)
			return fail_io(c, "cannot send to");
		text += n;
		len -= (size_t)n;
	}
	return EXIT_OK;
}

/*
 * The next line (without newline, NUL-terminated) into *line. EXIT_OK, or
 * EXIT_FAILED with the reason printed; *line NULL at a clean end of stream.
 */
int conn_line(struct conn *c, int64_t deadline, int timeout_ms, char **line,
	      size_t *len)
{
	const size_t max = CTL_MAX_RESPONSE + 4096;
	size_t scanned = 0;

	if (c->used) {
		memmove(c->buf, c->buf + c->used, c->len - c->used);
		c->len -= c->used;
		c->used = 0;
	}
	*line = NULL;
	for (;;) {
		char *nl = c->len > scanned ? memchr(c->buf + scanned, '\n',
						     c->len - scanned)
					    : NULL;
		ssize_t n;

		if (nl) {
			*nl = '\0';
			*line = c->buf;
			*len = (size_t)(nl - c->buf);
			c->used = *len + 1;
			return EXIT_OK;
		}
		scanned = c->len;
		if (c->len == max) {
			fprintf(stderr,
				"%s: protocol error: a line longer "
				"than %zu bytes\n",
				PROG, max);
			return EXIT_FAILED;
		}
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? 2 * c->cap : 65536 * 2;
			char *b;

			if (cap > max + 1)
				cap = max + 1;
			b = realloc(c->buf, cap);
			if (!b) {
				fprintf(stderr, "%s: out of memory\n", PROG);
				return EXIT_FAILED;
			}
			c->buf = b;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - 1 - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!wait_fd(c->fd, POLLIN, deadline))
				return timed_out(c, timeout_ms);
			continue;
		}
		if (n < 0 && errno != ECONNRESET)
			return fail_io(c, "cannot read from");
		if (n <= 0) {
			if (c->len) {
				fprintf(stderr,
					"%s: protocol error: the "
					"daemon closed the connection "
					"mid-line\n",
					PROG);
				return EXIT_FAILED;
			}
			return EXIT_OK;
		}
		c->len += (size_t)n;
	}
}
