/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: request dispatch (exact replies), the server on a
 * real socket in a temporary directory (framing, bad requests, bounds,
 * stalled and slow clients, too many clients, descriptor leaks, socket
 * file mode, stale and live sockets, peer credentials, EINTR), and the
 * sipwardenctl binary (argv[1]) against it: exit codes, tables, JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl_server.h"
#include "json.h"

#define NOBODY 65534

static const char *ctl_bin; /* the sipwardenctl binary, or NULL */

/* Commands */

static int h_echo(void *ctx, const struct json_value *args,
		  struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	json_writer_key(w, "args");
	json_writer_value(w, args);
	return 0;
}

static int h_fail(void *ctx, const struct json_value *args,
		  struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)args;
	json_writer_key(w, "half"); /* discarded */
	snprintf(err, errlen, "it failed on purpose");
	return -1;
}

static int h_fail_silent(void *ctx, const struct json_value *args,
			 struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)args;
	(void)w;
	(void)err;
	(void)errlen;
	return -1;
}

/* {"data": "xxx..."} with args.bytes x's */
static int h_big(void *ctx, const struct json_value *args,
		 struct json_writer *w, char *err, size_t errlen)
{
	int64_t n = json_get_int(args, "bytes", 10);
	char *data = malloc((size_t)n);

	(void)ctx;
	if (!data) {
		snprintf(err, errlen, "no memory");
		return -1;
	}
	memset(data, 'x', (size_t)n);
	json_writer_key(w, "data");
	json_writer_string_len(w, data, (size_t)n);
	free(data);
	return 0;
}

static int h_unbalanced(void *ctx, const struct json_value *args,
			struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)args;
	(void)err;
	(void)errlen;
	json_writer_key(w, "open");
	json_writer_begin_array(w);
	return 0;
}

static int h_status(void *ctx, const struct json_value *args,
		    struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)args;
	(void)err;
	(void)errlen;
	json_writer_key(w, "version");
	json_writer_string(w, "0.1.0");
	json_writer_key(w, "uptime");
	json_writer_int(w, 42);
	json_writer_key(w, "ports");
	json_writer_begin_object(w);
	json_writer_key(w, "outside");
	json_writer_string(w, "up");
	json_writer_key(w, "inside");
	json_writer_string(w, "down");
	json_writer_end_object(w);
	json_writer_key(w, "workers");
	json_writer_begin_array(w);
	json_writer_int(w, 1);
	json_writer_int(w, 2);
	json_writer_end_array(w);
	json_writer_key(w, "banner");
	json_writer_string(w, "a\x1b[2Jb");
	return 0;
}

static void tenant_row(struct json_writer *w, const char *name, int calls,
		       bool suspended, bool prefixes)
{
	json_writer_begin_object(w);
	json_writer_key(w, "name");
	json_writer_string(w, name);
	json_writer_key(w, "calls");
	json_writer_int(w, calls);
	json_writer_key(w, "suspended");
	json_writer_bool(w, suspended);
	if (prefixes) {
		json_writer_key(w, "prefixes");
		json_writer_begin_array(w);
		json_writer_string(w, "198.18.10.0/24");
		json_writer_string(w, "2001:db8::/32");
		json_writer_end_array(w);
	}
	json_writer_end_object(w);
}

static int h_tenant_list(void *ctx, const struct json_value *args,
			 struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)args;
	(void)err;
	(void)errlen;
	json_writer_key(w, "tenants");
	json_writer_begin_array(w);
	tenant_row(w, "acme", 3, false, false);
	tenant_row(w, "globex-long", 12, true, true);
	json_writer_end_array(w);
	return 0;
}

static int h_tenant_show(void *ctx, const struct json_value *args,
			 struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	json_writer_key(w, "name");
	json_writer_string(w, json_get_string(args, "name", "?"));
	json_writer_key(w, "limits");
	json_writer_begin_object(w);
	json_writer_key(w, "cps");
	json_writer_int(w, 5);
	json_writer_key(w, "max_calls");
	json_writer_int(w, 10);
	json_writer_end_object(w);
	json_writer_key(w, "suspended");
	json_writer_bool(w, false);
	return 0;
}

static int h_tenant_del(void *ctx, const struct json_value *args,
			struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)w;
	snprintf(err, errlen, "no tenant '%s'",
		 json_get_string(args, "name", "?"));
	return -1;
}

static int h_reload(void *ctx, const struct json_value *args,
		    struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)args;
	(void)w;
	snprintf(err, errlen,
		 "c.yaml:3:1: unknown key 'x'\n"
		 "c.yaml:4:2: bad \x1b[31m\n");
	return -1;
}

static int h_events(void *ctx, const struct json_value *args,
		    struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)w;
	if (json_get_bool(args, "follow", false)) {
		snprintf(err, errlen, "events: not available");
		return -1;
	}
	return 0;
}

/* Followers: the server the handlers below publish through (set before
 * the serving thread starts; handlers run on that thread). */
static struct ctl_server *publisher;
static char after_seen[256];

static int h_follow(void *ctx, const struct json_value *args,
		    struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)args;
	if (ctl_server_follow(publisher) < 0) {
		snprintf(err, errlen, "no connection");
		return -1;
	}
	json_writer_key(w, "uid");
	json_writer_int(w, ctl_server_peer_uid(publisher));
	return 0;
}

/* {"bytes": B, "times": N}: N lines {"n": i, "pad": "xxx..."} of ~B. */
static int h_publish(void *ctx, const struct json_value *args,
		     struct json_writer *w, char *err, size_t errlen)
{
	int64_t times = json_get_int(args, "times", 1);
	int64_t bytes = json_get_int(args, "bytes", 0);
	char *line = malloc((size_t)bytes + 64);
	unsigned int reached = 0;

	(void)ctx;
	(void)err;
	(void)errlen;
	for (int64_t i = 0; i < times; i++) {
		int n = snprintf(line, 64, "{\"n\": %lld, \"pad\": \"",
				 (long long)i);

		memset(line + n, 'x', (size_t)bytes);
		memcpy(line + n + bytes, "\"}", 3);
		reached = ctl_server_publish(publisher, line,
					     (size_t)n + (size_t)bytes + 2);
	}
	free(line);
	json_writer_key(w, "followers");
	json_writer_uint(w, reached);
	return 0;
}

static void after_record(void *ctx, const char *cmd,
			 const struct json_value *args, const char *result,
			 size_t len)
{
	(void)ctx;
	(void)args;
	snprintf(after_seen, sizeof(after_seen), "%s %.*s", cmd, (int)len,
		 result);
}

/* {"cmd": NAME, "args": ARGS}: which command the CLI sent, and how. */
static int named_echo(const char *name, const struct json_value *args,
		      struct json_writer *w)
{
	json_writer_key(w, "cmd");
	json_writer_string(w, name);
	json_writer_key(w, "args");
	json_writer_value(w, args);
	return 0;
}

#define NAMED(fn, name)                                                        \
	static int fn(void *ctx, const struct json_value *args,                \
		      struct json_writer *w, char *err, size_t errlen)         \
	{                                                                      \
		(void)ctx;                                                     \
		(void)err;                                                     \
		(void)errlen;                                                  \
		return named_echo(name, args, w);                              \
	}
NAMED(h_tenant_add, "tenant.add")
NAMED(h_tenant_set, "tenant.set")
NAMED(h_tenant_suspend, "tenant.suspend")
NAMED(h_prefix_add, "prefix.add")
NAMED(h_calls, "calls.list")
NAMED(h_stats_reset, "stats.reset")

static const struct ctl_command commands[] = {
	{"echo", h_echo, "the args back"},
	{"fail", h_fail, "always fails"},
	{"fail_silent", h_fail_silent, NULL},
	{"big", h_big, "a large result"},
	{"unbalanced", h_unbalanced, "a broken handler"},
	{"status", h_status, "the state"},
	{"tenant.list", h_tenant_list, "tenants"},
	{"tenant.show", h_tenant_show, "one tenant"},
	{"tenant.add", h_tenant_add, "add"},
	{"tenant.set", h_tenant_set, "set"},
	{"tenant.del", h_tenant_del, "del"},
	{"tenant.suspend", h_tenant_suspend, "suspend"},
	{"prefix.add", h_prefix_add, "prefix add"},
	{"calls.list", h_calls, "calls"},
	{"stats.reset", h_stats_reset, "reset"},
	{"events", h_events, "events"},
	{"reload", h_reload, "reload", after_record},
	{"echo_after", h_echo, "echo, announced", after_record},
	{"follow", h_follow, "follow"},
	{"publish", h_publish, "publish"},
	{NULL, NULL, NULL, NULL},
};

/* Dispatch without a socket */

static void expect_reply(const char *line, const char *want)
{
	struct json_writer out;

	json_writer_init(&out, 0);
	ctl_server_handle_line(commands, NULL, line, strlen(line), &out);
	if (strcmp(json_writer_text(&out), want) != 0)
		fail_msg("request %s\n  want %s\n  got  %s", line, want,
			 json_writer_text(&out));
	json_writer_free(&out);
}

static void test_dispatch(void **state)
{
	struct json_writer out;
	char line[128];

	(void)state;
	expect_reply("{\"cmd\": \"echo\", \"args\": {\"a\": [1, \"\\u00e9\"]}, "
		     "\"id\": 7}",
		     "{\"id\": 7, \"ok\": true, \"result\": {\"args\": {\"a\": "
		     "[1, \"\xc3\xa9\"]}}}");
	expect_reply("{\"id\": \"x-1\", \"cmd\": \"echo\"}",
		     "{\"id\": \"x-1\", \"ok\": true, \"result\": {\"args\": "
		     "{}}}");
	expect_reply("{\"cmd\": \"echo\", \"args\": null}",
		     "{\"ok\": true, \"result\": {\"args\": {}}}");
	expect_reply("{\"cmd\": \"fail\", \"id\": 1}",
		     "{\"id\": 1, \"ok\": false, \"error\": \"it failed on "
		     "purpose\"}");
	expect_reply("{\"cmd\": \"fail_silent\"}",
		     "{\"ok\": false, \"error\": \"command 'fail_silent' "
		     "failed\"}");
	expect_reply("{\"cmd\": \"nope\", \"id\": 2}",
		     "{\"id\": 2, \"ok\": false, \"error\": \"unknown command "
		     "'nope' (try 'help')\"}");
	expect_reply("{\"args\": {}, \"id\": 3}",
		     "{\"id\": 3, \"ok\": false, \"error\": \"bad request: "
		     "missing 'cmd'\"}");
	expect_reply("{\"cmd\": 5}", "{\"ok\": false, \"error\": \"bad "
				     "request: 'cmd' must be a string\"}");
	expect_reply("{\"cmd\": \"echo\", \"args\": [1]}",
		     "{\"ok\": false, \"error\": \"bad request: 'args' must be "
		     "an object\"}");
	expect_reply(
		"{\"cmd\": \"echo\", \"id\": {}}",
		"{\"ok\": false, \"error\": \"bad request: 'id' must be an "
		"integer or a string\"}");
	expect_reply("{\"cmd\": \"echo\", \"id\": 4, \"x\": 1}",
		     "{\"id\": 4, \"ok\": false, \"error\": \"bad request: "
		     "unknown key 'x' (cmd, args, id)\"}");
	expect_reply("[1]", "{\"ok\": false, \"error\": \"bad request: "
			    "expected an object, got array\"}");
	expect_reply("{\"cmd\": \"echo\"",
		     "{\"ok\": false, \"error\": \"bad request: offset 14: "
		     "unexpected end of input\"}");
	expect_reply("{\"cmd\": \"echo\", \"cmd\": \"x\"}",
		     "{\"ok\": false, \"error\": \"bad request: offset 16: "
		     "duplicate key 'cmd'\"}");
	expect_reply("{\"cmd\": \"unbalanced\"}",
		     "{\"ok\": false, \"error\": \"internal error: command "
		     "'unbalanced' wrote a bad result (left an object or array "
		     "open)\"}");
	snprintf(line, sizeof(line),
		 "{\"cmd\": \"big\", \"args\": {\"bytes\": %u}}",
		 CTL_MAX_RESPONSE);
	expect_reply(line, "{\"ok\": false, \"error\": \"response too large "
			   "(more than 8388608 bytes)\"}");

	/* help: the table, then itself */
	json_writer_init(&out, 0);
	ctl_server_handle_line(commands, NULL, "{\"cmd\":\"help\"}",
			       strlen("{\"cmd\":\"help\"}"), &out);
	assert_non_null(strstr(json_writer_text(&out),
			       "{\"ok\": true, \"result\": {\"commands\": "
			       "[{\"name\": \"echo\", \"summary\": \"the args "
			       "back\"}, {\"name\": \"fail\""));
	assert_non_null(
		strstr(json_writer_text(&out),
		       "{\"name\": \"fail_silent\", \"summary\": \"\"}"));
	assert_non_null(strstr(json_writer_text(&out),
			       "{\"name\": \"help\", \"summary\": \"list the "
			       "commands\"}]}}"));
	json_writer_free(&out);
}

/* A server on a temporary socket, served by a thread */

struct srv {
	struct ctl_server *s;
	pthread_t thread;
	atomic_bool stop;
	char dir[64], path[128];
};

static void *serve(void *arg)
{
	struct srv *v = arg;

	while (!atomic_load(&v->stop))
		if (ctl_server_poll(v->s, 20) < 0)
			break;
	return NULL;
}

static void make_dir(struct srv *v)
{
	snprintf(v->dir, sizeof(v->dir), "/tmp/swctl-test.XXXXXX");
	assert_non_null(mkdtemp(v->dir));
	chmod(v->dir, 0755); /* so that `nobody` can reach the socket */
	snprintf(v->path, sizeof(v->path), "%s/ctl.sock", v->dir);
}

static void srv_start(struct srv *v, unsigned int mode, long gid)
{
	char err[256];

	v->s = ctl_server_start(v->path, mode, gid, commands, NULL, err,
				sizeof(err));
	if (!v->s)
		fail_msg("start: %s", err);
	publisher = v->s;
	atomic_store(&v->stop, false);
	assert_int_equal(pthread_create(&v->thread, NULL, serve, v), 0);
}

static void srv_halt(struct srv *v)
{
	atomic_store(&v->stop, true);
	pthread_join(v->thread, NULL);
	ctl_server_stop(v->s);
	v->s = NULL;
}

static struct srv *srv_new(unsigned int mode, long gid)
{
	struct srv *v = calloc(1, sizeof(*v));

	make_dir(v);
	srv_start(v, mode, gid);
	return v;
}

static void srv_free(struct srv *v)
{
	if (v->s)
		srv_halt(v);
	unlink(v->path);
	rmdir(v->dir);
	free(v);
}

/* A client: a blocking socket (receive timeout 5 s) and a line buffer. */

struct client {
	int fd;
	char *buf;
	size_t len, cap;
};

static void fill_sun(struct sockaddr_un *sa, const char *path)
{
	size_t n = strlen(path);

	if (n >= sizeof(sa->sun_path))
		n = sizeof(sa->sun_path) - 1;
	memcpy(sa->sun_path, path, n);
	sa->sun_path[n] = '\0';
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	fill_sun(&sa, path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct client *client_new(const char *path)
{
	struct client *c = calloc(1, sizeof(*c));

	c->fd = connect_to(path);
	if (c->fd < 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	return c;
}

static void client_free(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

static void client_send(struct client *c, const char *text, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, text, len, MSG_NOSIGNAL);

		if (n <= 0)
			return; /* the server may have closed: tests check */
		text += n;
		len -= (size_t)n;
	}
}

/* The next line (static until the next call), or NULL at EOF/error. */
static const char *client_line(struct client *c)
{
	static char *line;
	size_t at = 0;

	for (;;) {
		char *nl =
			c->len ? memchr(c->buf + at, '\n', c->len - at) : NULL;
		ssize_t n;

		if (nl) {
			size_t ll = (size_t)(nl - c->buf);

			free(line);
			line = malloc(ll + 1);
			memcpy(line, c->buf, ll);
			line[ll] = '\0';
			memmove(c->buf, nl + 1, c->len - ll - 1);
			c->len -= ll + 1;
			return line;
		}
		at = c->len;
		if (c->cap - c->len < 65536) {
			c->cap = c->cap ? 2 * c->cap : 65536 * 2;
			c->buf = realloc(c->buf, c->cap);
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

static void client_send_str(struct client *c, const char *text)
{
	client_send(c, text, strlen(text));
}

static const char *request(struct client *c, const char *req)
{
	client_send_str(c, req);
	return client_line(c);
}

/* EOF (or reset) after at most `max` more bytes. */
static bool client_closed(struct client *c, size_t max)
{
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(c->fd, buf, sizeof(buf), 0)) > 0)
		if ((total += (size_t)n) > max)
			return false;
	return n == 0 || errno == ECONNRESET;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Wait (up to 3 s) for the server thread to close what it should. */
static void expect_fds(int want)
{
	for (int i = 0; i < 300 && count_fds() != want; i++)
		usleep(10000);
	assert_int_equal(count_fds(), want);
}

#define OK_REQ "{\"cmd\": \"echo\", \"id\": 1}\n"
#define OK_ECHO "{\"id\": 1, \"ok\": true, \"result\": {\"args\": {}}}"

static void test_request_response(void **state)
{
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *c = client_new(v->path);
	const char *r;

	(void)state;
	assert_string_equal(request(c, OK_REQ), OK_ECHO);
	r = request(c, "{\"cmd\": \"echo\", \"id\": \"abc\", \"args\": "
		       "{\"n\": -5}}\n");
	assert_string_equal(r, "{\"id\": \"abc\", \"ok\": true, \"result\": "
			       "{\"args\": {\"n\": -5}}}");
	/* malformed JSON, unknown and missing cmd: the connection stays */
	r = request(c, "{\"cmd\" \"echo\"}\n");
	assert_string_equal(r, "{\"ok\": false, \"error\": \"bad request: "
			       "offset 7: expected ':'\"}");
	r = request(c, "{\"cmd\": \"nope\", \"id\": 9}\n");
	assert_non_null(strstr(r, "unknown command 'nope'"));
	r = request(c, "{\"id\": 9}\n");
	assert_non_null(strstr(r, "missing 'cmd'"));
	r = request(c, "\xff\xfe\n");
	assert_non_null(strstr(r, "bad request: offset 0"));
	assert_string_equal(request(c, OK_REQ), OK_ECHO);
	/* three requests in one write, blank lines and CRLF among them */
	client_send_str(
		c, "{\"cmd\":\"echo\",\"id\":1}\n\n  \r\n{\"cmd\":\"fail\","
		   "\"id\":2}\r\n{\"cmd\":\"echo\",\"id\":3}\n");
	assert_string_equal(client_line(c), OK_ECHO);
	assert_non_null(strstr(client_line(c), "\"id\": 2, \"ok\": false"));
	assert_non_null(strstr(client_line(c), "\"id\": 3, \"ok\": true"));
	/* one request a byte at a time */
	{
		const char *req = "{\"cmd\": \"echo\", \"id\": 1}\n";

		for (size_t i = 0; req[i]; i++) {
			client_send(c, req + i, 1);
			usleep(1000);
		}
		assert_string_equal(client_line(c), OK_ECHO);
	}
	/* help */
	r = request(c, "{\"cmd\": \"help\"}\n");
	assert_non_null(strstr(r, "{\"name\": \"tenant.list\", \"summary\": "
				  "\"tenants\"}"));
	client_free(c);
	srv_free(v);
}

/* A request of exactly CTL_MAX_REQUEST bytes passes; one more is refused
 * and the connection closed, while others are served. */
static void test_oversized_request(void **state)
{
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *a = client_new(v->path), *b = client_new(v->path);
	char *big = malloc(CTL_MAX_REQUEST + 2);
	const char *r;

	(void)state;
	memset(big, ' ', CTL_MAX_REQUEST + 1);
	memcpy(big, "{\"cmd\": \"echo\", \"id\": 1}", 24);
	big[CTL_MAX_REQUEST - 1] = '\n';
	client_send(a, big, CTL_MAX_REQUEST);
	assert_string_equal(client_line(a), OK_ECHO);

	big[CTL_MAX_REQUEST - 1] = ' ';
	big[CTL_MAX_REQUEST] = '\n';
	client_send(a, big, CTL_MAX_REQUEST + 1);
	r = client_line(a);
	assert_non_null(r);
	assert_string_equal(r, "{\"ok\": false, \"error\": \"request too long "
			       "(more than 65536 bytes without a newline)\"}");
	assert_true(client_closed(a, 0));
	assert_string_equal(request(b, OK_REQ), OK_ECHO);

	/* a flood without any newline */
	client_free(a);
	a = client_new(v->path);
	memset(big, 'x', CTL_MAX_REQUEST + 1);
	for (int i = 0; i < 4; i++)
		client_send(a, big, CTL_MAX_REQUEST + 1);
	assert_non_null(strstr(client_line(a), "request too long"));
	assert_true(client_closed(a, 0));
	assert_string_equal(request(b, OK_REQ), OK_ECHO);
	free(big);
	client_free(a);
	client_free(b);
	srv_free(v);
}

static void test_stalled_client(void **state)
{
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *a = client_new(v->path), *b = client_new(v->path);

	(void)state;
	client_send_str(a, "{\"cmd\": \"ec");
	usleep(50000);
	for (int i = 0; i < 10; i++)
		assert_string_equal(request(b, OK_REQ), OK_ECHO);
	assert_string_equal(request(a, "ho\", \"id\": 1}\n"), OK_ECHO);
	/* a half line then EOF: dropped without a reply */
	client_send_str(a, "{\"cmd\":");
	shutdown(a->fd, SHUT_WR);
	assert_true(client_closed(a, 0));
	/* a complete request then EOF: answered, then closed */
	client_free(a);
	a = client_new(v->path);
	client_send_str(a, "{\"cmd\": \"echo\", \"id\": 1}\n");
	shutdown(a->fd, SHUT_WR);
	assert_string_equal(client_line(a), OK_ECHO);
	assert_true(client_closed(a, 0));
	client_free(a);
	client_free(b);
	srv_free(v);
}

/* A client that asks for much and reads nothing is dropped once
 * CTL_MAX_OUTPUT bytes wait for it; the others never wait. */
static void test_slow_reader_dropped(void **state)
{
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *a = client_new(v->path), *b = client_new(v->path);
	const char *req =
		"{\"cmd\": \"big\", \"args\": {\"bytes\": 1048576}}\n";
	char many[64 * 64];
	size_t len = 0;
	int fd_base;

	(void)state;
	for (int i = 0; i < 20; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len, "%s",
					req);
	client_send(a, many, len);
	assert_string_equal(request(b, OK_REQ), OK_ECHO);
	/* what was sent before the drop, then the end */
	assert_true(client_closed(a, 20u << 20));
	client_free(a);
	fd_base = count_fds();
	/* a reader that reads everything gets all of it */
	a = client_new(v->path);
	client_send(a, many, strlen(req) * 3);
	for (int i = 0; i < 3; i++) {
		const char *r = client_line(a);

		assert_non_null(r);
		assert_int_equal(strlen(r), 1048576 + 36);
	}
	client_free(a);
	expect_fds(fd_base);
	client_free(b);
	srv_free(v);
}

static void test_many_clients(void **state)
{
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *c[CTL_MAX_CLIENTS + 6];
	int base = count_fds(), served = 0, refused = 0;

	(void)state;
	/* 100 one after the other */
	for (int i = 0; i < 100; i++) {
		struct client *one = client_new(v->path);

		assert_string_equal(request(one, OK_REQ), OK_ECHO);
		client_free(one);
	}
	/* 100 that connect and leave without a word; then one round trip,
	 * after which the server has accepted (and seen the end of) them all:
	 * the backlog is first in, first out */
	for (int i = 0; i < 100; i++)
		client_free(client_new(v->path));
	c[0] = client_new(v->path);
	assert_string_equal(request(c[0], OK_REQ), OK_ECHO);
	client_free(c[0]);
	expect_fds(base);
	/* 70 at once: 64 are served, 6 are told there are too many */
	for (int i = 0; i < CTL_MAX_CLIENTS + 6; i++)
		c[i] = client_new(v->path);
	for (int i = 0; i < CTL_MAX_CLIENTS + 6; i++) {
		const char *r = request(c[i], OK_REQ);

		if (r && strcmp(r, OK_ECHO) == 0)
			served++;
		else if (r && strstr(r, "too many clients (64 connected)"))
			refused++;
	}
	assert_int_equal(served, CTL_MAX_CLIENTS);
	assert_int_equal(refused, 6);
	for (int i = 0; i < CTL_MAX_CLIENTS + 6; i++)
		client_free(c[i]);
	expect_fds(base);
	/* and the slots are free again */
	c[0] = client_new(v->path);
	assert_string_equal(request(c[0], OK_REQ), OK_ECHO);
	client_free(c[0]);
	srv_free(v);
}

static void test_socket_file(void **state)
{
	struct srv *v = calloc(1, sizeof(*v));
	struct stat st;

	(void)state;
	make_dir(v);
	srv_start(v, CTL_DEFAULT_MODE, -1);
	assert_int_equal(stat(v->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	srv_halt(v);
	assert_int_equal(stat(v->path, &st), -1); /* unlinked by stop */
	srv_start(v, 0600, -1);
	assert_int_equal(stat(v->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	srv_halt(v);
	if (geteuid() == 0) {
		srv_start(v, 0660, NOBODY);
		assert_int_equal(stat(v->path, &st), 0);
		assert_int_equal(st.st_gid, NOBODY);
		srv_halt(v);
	}
	srv_free(v);
}

static void test_stale_and_live(void **state)
{
	struct srv *v = calloc(1, sizeof(*v));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_server *second;
	struct client *c;
	char err[256], longpath[200];
	int fd;

	(void)state;
	make_dir(v);
	/* a stale socket: bound, never listening, its process gone */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	fill_sun(&sa, v->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	srv_start(v, CTL_DEFAULT_MODE, -1);
	c = client_new(v->path);
	assert_string_equal(request(c, OK_REQ), OK_ECHO);
	/* a live one is left alone */
	second = ctl_server_start(v->path, CTL_DEFAULT_MODE, -1, commands, NULL,
				  err, sizeof(err));
	assert_null(second);
	assert_non_null(strstr(err, "another server is listening on it"));
	assert_string_equal(request(c, OK_REQ), OK_ECHO);
	client_free(c);
	srv_halt(v);

	/* not a socket: refused, not removed */
	fd = open(v->path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_null(ctl_server_start(v->path, CTL_DEFAULT_MODE, -1, commands,
				     NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "exists and is not a socket"));
	assert_int_equal(access(v->path, F_OK), 0);
	unlink(v->path);

	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	assert_null(ctl_server_start(longpath, CTL_DEFAULT_MODE, -1, commands,
				     NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "path longer than 107 bytes"));
	snprintf(longpath, sizeof(longpath), "%s/no/such/dir.sock", v->dir);
	assert_null(ctl_server_start(longpath, CTL_DEFAULT_MODE, -1, commands,
				     NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "bind: No such file or directory"));
	srv_free(v);
}

/* Stopping closes every client and leaves no descriptor behind. */
static void test_stop_no_leak(void **state)
{
	int base = count_fds();
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *c[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		c[i] = client_new(v->path);
		assert_string_equal(request(c[i], OK_REQ), OK_ECHO);
	}
	client_send_str(c[2], "{\"cmd\": "); /* half a request pending */
	usleep(50000);
	srv_halt(v);
	assert_int_equal(access(v->path, F_OK), -1);
	for (int i = 0; i < 3; i++) {
		assert_true(client_closed(c[i], 0));
		client_free(c[i]);
	}
	srv_free(v);
	assert_int_equal(count_fds(), base);
}

/* In a child running as uid/gid nobody (and the given supplementary
 * groups): connect, send a request, and exit 0 if the first line read
 * contains `want`; 11 when it cannot connect. */
static int as_nobody(const char *path, const gid_t *groups, size_t ngroups,
		     const char *want)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		char buf[512];
		size_t len = 0;
		ssize_t n;
		int fd;

		if (setgroups(ngroups, groups) || setgid(NOBODY) ||
		    setuid(NOBODY))
			_exit(10);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		fill_sun(&sa, path);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(11);
		(void)!send(fd, OK_REQ, strlen(OK_REQ), MSG_NOSIGNAL);
		alarm(5);
		while (!memchr(buf, '\n', len) &&
		       (n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
			len += (size_t)n;
		if (!len)
			_exit(12);
		buf[len] = '\0';
		_exit(strstr(buf, want) ? 0 : 13);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static void test_peer_credentials(void **state)
{
	struct srv *v;
	const gid_t extra = 12345;

	(void)state;
	if (geteuid() != 0)
		skip(); /* needs to become another user */
	/* root only: nobody is refused (the file mode lets it connect) */
	v = srv_new(0666, -1);
	assert_int_equal(as_nobody(v->path, NULL, 0,
				   "{\"ok\": false, \"error\": \"permission "
				   "denied: uid 65534 gid 65534 may not use "
				   "this socket\"}\n"),
			 0);
	srv_halt(v);
	/* the allowed group, as primary group, then as a supplementary one */
	srv_start(v, 0666, NOBODY);
	assert_int_equal(as_nobody(v->path, NULL, 0, OK_ECHO "\n"), 0);
	srv_halt(v);
	srv_start(v, 0666, extra);
	assert_int_equal(as_nobody(v->path, &extra, 1, OK_ECHO "\n"), 0);
	assert_int_equal(as_nobody(v->path, NULL, 0, "permission denied"), 0);
	srv_halt(v);
	/* 0660 root:root: the file mode alone keeps nobody out */
	srv_start(v, 0660, -1);
	assert_int_equal(as_nobody(v->path, NULL, 0, ""), 11);
	srv_free(v);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The caller's thread drives the server: timeouts and EINTR. */
static void test_poll_timeout_eintr(void **state)
{
	struct srv *v = calloc(1, sizeof(*v));
	struct sigaction sa = {.sa_handler = on_alarm}, old;
	struct itimerval it = {.it_value = {.tv_usec = 50000}};
	struct ctl_server *s;
	struct client *c;
	char err[256];
	int64_t t0;
	const char *req = "{\"cmd\": \"echo\", \"id\": 1}\n";

	(void)state;
	make_dir(v);
	s = ctl_server_start(v->path, CTL_DEFAULT_MODE, -1, commands, NULL, err,
			     sizeof(err));
	assert_non_null(s);
	t0 = ms_now();
	assert_int_equal(ctl_server_poll(s, 100), 0);
	assert_in_range(ms_now() - t0, 90, 1000);
	t0 = ms_now();
	assert_int_equal(ctl_server_poll(s, 0), 0);
	assert_in_range(ms_now() - t0, 0, 50);

	sigaction(SIGALRM, &sa, &old); /* no SA_RESTART */
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = ms_now();
	assert_int_equal(ctl_server_poll(s, 3000), 0);
	assert_in_range(ms_now() - t0, 0, 1500);
	sigaction(SIGALRM, &old, NULL);

	/* still serving */
	c = client_new(v->path); /* queued in the backlog */
	client_send(c, req, strlen(req));
	for (int i = 0; i < 10; i++)
		ctl_server_poll(s, 10);
	assert_string_equal(client_line(c), OK_ECHO);
	client_free(c);
	ctl_server_stop(s);
	rmdir(v->dir);
	free(v);
}

/* sipwardenctl */

struct cli_run {
	pid_t pid;
	int out, err;
};

static char cli_out[1 << 16], cli_err[1 << 16];

static void cli_spawn(struct cli_run *r, const char *env_sock,
		      const char *const *argv)
{
	int po[2], pe[2];

	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		if (env_sock)
			setenv("SIPWARDEN_CTL", env_sock, 1);
		else
			unsetenv("SIPWARDEN_CTL");
		execv(ctl_bin, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	r->out = po[0];
	r->err = pe[0];
}

/* Collect both outputs (into cli_out, cli_err) and the exit status. */
static int cli_finish(struct cli_run *r)
{
	struct pollfd p[2] = {{.fd = r->out, .events = POLLIN},
			      {.fd = r->err, .events = POLLIN}};
	size_t lens[2] = {0, 0};
	char *bufs[2] = {cli_out, cli_err};
	int64_t deadline = ms_now() + 10000;
	int open = 2, status;

	while (open && ms_now() < deadline) {
		if (poll(p, 2, 100) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, bufs[i] + lens[i],
				 sizeof(cli_out) - 1 - lens[i]);
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open--;
			} else {
				lens[i] += (size_t)n;
			}
		}
	}
	cli_out[lens[0]] = cli_err[lens[1]] = '\0';
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	if (open)
		kill(r->pid, SIGKILL);
	waitpid(r->pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int cli(const char *env_sock, const char *const *argv)
{
	struct cli_run r;

	cli_spawn(&r, env_sock, argv);
	return cli_finish(&r);
}

#define CLI(...)                                                               \
	cli(NULL, (const char *const[]){"sipwardenctl", __VA_ARGS__, NULL})

static void expect_cli(int rc, int want_rc, const char *want_out)
{
	if (rc != want_rc || (want_out && strcmp(cli_out, want_out) != 0))
		fail_msg("exit %d (want %d)\n--- stdout:\n%s--- want:\n%s--- "
			 "stderr:\n%s",
			 rc, want_rc, cli_out, want_out ? want_out : "(any)\n",
			 cli_err);
}

static void test_cli_output(void **state)
{
	struct srv *v;
	const char *p;

	(void)state;
	if (!ctl_bin)
		skip();
	v = srv_new(CTL_DEFAULT_MODE, -1);
	p = v->path;

	expect_cli(CLI("-s", p, "status"), 0,
		   "version: 0.1.0\nuptime: 42\nports.outside: up\n"
		   "ports.inside: down\nworkers: 1, 2\n"
		   "banner: a\\x1b[2Jb\n");
	assert_string_equal(cli_err, "");
	expect_cli(CLI("-s", p, "--json", "status"), 0,
		   "{\"version\": \"0.1.0\", \"uptime\": 42, \"ports\": "
		   "{\"outside\": \"up\", \"inside\": \"down\"}, \"workers\": "
		   "[1, 2], \"banner\": \"a\\u001b[2Jb\"}\n");
	/* the socket from the environment; options after the command */
	expect_cli(cli(p, (const char *const[]){"sipwardenctl", "status", "-j",
						NULL}),
		   0, NULL);
	assert_non_null(strstr(cli_out, "\"uptime\": 42"));
	expect_cli(CLI("tenant", "list", "--socket", p), 0,
		   "NAME         CALLS  SUSPENDED  PREFIXES\n"
		   "acme             3  false      -\n"
		   "globex-long     12  true       "
		   "198.18.10.0/24,2001:db8::/32\n");
	expect_cli(CLI("-s", p, "tenant", "list", "--json"), 0,
		   "{\"tenants\": [{\"name\": \"acme\", \"calls\": 3, "
		   "\"suspended\": false}, {\"name\": \"globex-long\", "
		   "\"calls\": 12, \"suspended\": true, \"prefixes\": "
		   "[\"198.18.10.0/24\", \"2001:db8::/32\"]}]}\n");
	expect_cli(CLI("-s", p, "tenant", "show", "acme"), 0,
		   "name: acme\nlimits.cps: 5\nlimits.max_calls: 10\n"
		   "suspended: false\n");
	expect_cli(CLI("-s", p, "limits", "acme"), 0,
		   "cps: 5\nmax_calls: 10\n");
	/* the daemon's own list of commands, as a table */
	expect_cli(CLI("-s", p, "help"), 0, NULL);
	assert_true(strncmp(cli_out,
			    "NAME            SUMMARY\n"
			    "echo            the args back\n",
			    50) == 0);
	srv_free(v);
}

static void test_cli_requests(void **state)
{
	struct srv *v;
	const char *p;

	(void)state;
	if (!ctl_bin)
		skip();
	v = srv_new(CTL_DEFAULT_MODE, -1);
	p = v->path;

	expect_cli(CLI("-s", p, "--json", "tenant", "set", "acme", "cps=5",
		       "max_calls=10"),
		   0,
		   "{\"cmd\": \"tenant.set\", \"args\": {\"name\": \"acme\", "
		   "\"limits\": {\"cps\": 5, \"max_calls\": 10}}}\n");
	expect_cli(CLI("-s", p, "tenant", "add", "acme", "--prefix",
		       "198.18.10.0/24", "--prefix=2001:db8::/32", "--domain",
		       "a.example", "burst=3", "unanswered_timeout=4294967295",
		       "--json"),
		   0,
		   "{\"cmd\": \"tenant.add\", \"args\": {\"name\": \"acme\", "
		   "\"prefixes\": [\"198.18.10.0/24\", \"2001:db8::/32\"], "
		   "\"domains\": [\"a.example\"], \"limits\": {\"burst\": 3, "
		   "\"unanswered_timeout\": 4294967295}}}\n");
	expect_cli(CLI("-s", p, "-j", "limits", "acme", "max_users=0"), 0,
		   "{\"cmd\": \"tenant.set\", \"args\": {\"name\": \"acme\", "
		   "\"limits\": {\"max_users\": 0}}}\n");
	expect_cli(CLI("-s", p, "-j", "tenant", "suspend", "--", "-odd-"), 0,
		   "{\"cmd\": \"tenant.suspend\", \"args\": {\"name\": "
		   "\"-odd-\"}}\n");
	expect_cli(CLI("-s", p, "-j", "prefix", "add", "emergency", "112"), 0,
		   "{\"cmd\": \"prefix.add\", \"args\": {\"list\": "
		   "\"emergency\", \"value\": \"112\"}}\n");
	expect_cli(CLI("-s", p, "-j", "calls", "--tenant", "acme"), 0,
		   "{\"cmd\": \"calls.list\", \"args\": {\"tenant\": "
		   "\"acme\"}}\n");
	expect_cli(CLI("-s", p, "-j", "stats", "reset", "--tenant=acme"), 0,
		   "{\"cmd\": \"stats.reset\", \"args\": {\"tenant\": "
		   "\"acme\"}}\n");
	expect_cli(CLI("-s", p, "-j", "raw", "echo", "{\"x\": [1]}"), 0,
		   "{\"args\": {\"x\": [1]}}\n");
	expect_cli(CLI("-s", p, "-j", "events"), 0, "{}\n");
	/* results with nothing in them print nothing */
	expect_cli(CLI("-s", p, "events"), 0, "");

	/* the daemon refuses: 1, its message on stderr */
	expect_cli(CLI("-s", p, "tenant", "del", "nosuch"), 1, "");
	assert_string_equal(cli_err, "sipwardenctl: no tenant 'nosuch'\n");
	expect_cli(CLI("-s", p, "events", "-f"), 1, "");
	assert_string_equal(cli_err, "sipwardenctl: events: not available\n");
	expect_cli(CLI("-s", p, "regs"), 1, "");
	assert_string_equal(cli_err, "sipwardenctl: unknown command "
				     "'regs.list' (try 'help')\n");
	/* a message of several lines stays several lines, made safe */
	expect_cli(CLI("-s", p, "reload"), 1, "");
	assert_string_equal(cli_err, "sipwardenctl: c.yaml:3:1: unknown key "
				     "'x'\nc.yaml:4:2: bad \\x1b[31m\n");
	srv_free(v);
}

static void test_cli_usage(void **state)
{
	static const char *const bad[][8] = {
		{"tenant", "set", "acme", "cpx=5"},
		{"tenant", "set", "acme", "cps=x"},
		{"tenant", "set", "acme", "cps=-1"},
		{"tenant", "set", "acme", "cps=4294967296"},
		{"tenant", "set", "acme", "cps="},
		{"tenant", "set", "acme", "cps=1", "cps=2"},
		{"tenant", "set", "acme"},
		{"tenant", "show"},
		{"tenant", "show", "a", "b"},
		{"tenant", "add", "acme"},
		{"tenant", "add", "acme", "--prefix"},
		{"tenant", "frob"},
		{"tenant"},
		{"stats", "reset"},
		{"stats", "--tenant", "a", "--tenant", "b"},
		{"calls", "--prefix", "x"},
		{"prefix", "add", "emergency"},
		{"frobnicate"},
		{"--bogus", "status"},
		{"status", "--timeout", "0"},
		{"status", "--timeout", "soon"},
		{"raw"},
		{"raw", "echo", "[1]"},
		{"raw", "echo", "{bad"},
		{NULL},
	};
	static const char *const help[][4] = {
		{"--help"},
		{"-h"},
		{"tenant", "--help"},
		{"tenant", "add", "--help"},
		{"limits", "-h"},
		{"stats", "reset", "--help"},
		{"tenant", "set", "acme", "--help"},
	};

	(void)state;
	if (!ctl_bin)
		skip();
	/* usage errors come before any connection (this path is nothing) */
	for (size_t i = 0; bad[i][0]; i++) {
		const char *argv[12] = {"sipwardenctl", "-s", "/nonexistent"};
		size_t n = 3;

		for (size_t k = 0; k < 8 && bad[i][k]; k++)
			argv[n++] = bad[i][k];
		if (cli(NULL, argv) != 2 || !strstr(cli_err, "sipwardenctl"))
			fail_msg("case %zu (%s %s): want exit 2, got "
				 "stderr:\n%s",
				 i, bad[i][0], bad[i][1] ? bad[i][1] : "",
				 cli_err);
	}
	expect_cli(CLI("-s", "/nonexistent", "tenant", "set", "acme", "cpx=1"),
		   2, "");
	assert_non_null(strstr(cli_err, "unknown limit in 'cpx=1'"));
	assert_non_null(strstr(cli_err, "usage: sipwardenctl [OPTIONS] tenant "
					"set NAME LIMIT=VALUE..."));
	expect_cli(CLI("-s", "/nonexistent"), 2, "");
	for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++) {
		const char *argv[8] = {"sipwardenctl"};

		for (size_t k = 0; k < 4 && help[i][k]; k++)
			argv[k + 1] = help[i][k];
		expect_cli(cli(NULL, argv), 0, NULL);
		assert_true(strncmp(cli_out, "usage: sipwardenctl", 19) == 0);
	}
	expect_cli(CLI("tenant", "add", "--help"), 0, NULL);
	assert_non_null(strstr(cli_out, "Sends 'tenant.add'"));
	assert_non_null(strstr(cli_out, "unanswered_timeout"));
}

/* Exit 3: nobody there, nobody answering, an answer that is not ours. */
static void test_cli_failures(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct srv *v = calloc(1, sizeof(*v));
	struct cli_run r;
	char buf[512];
	int lfd, fd;

	(void)state;
	if (!ctl_bin)
		skip();
	make_dir(v);
	expect_cli(CLI("-s", v->path, "status"), 3, "");
	assert_non_null(strstr(cli_err, "cannot connect to"));
	assert_non_null(strstr(cli_err, "(is sipwarden running?)"));

	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	fill_sun(&sa, v->path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	/* connected (backlog) but never answered */
	expect_cli(CLI("-s", v->path, "--timeout", "0.3", "status"), 3, "");
	assert_non_null(strstr(cli_err, "no answer from"));
	close(accept(lfd, NULL, NULL)); /* what it left in the backlog */

	static const struct {
		const char *reply, *msg;
	} cases[] = {
		{"garbage\n", "protocol error: bad response: offset 0"},
		{"{\"id\": 2, \"ok\": true}\n",
		 "a response to another request"},
		{"{\"id\": 1}\n", "a response without \"ok\""},
		{"{\"id\": 1, \"ok\": true, \"result\": 5}\n",
		 "\"result\" is not an object"},
		{"", "closed the connection without answering"},
		{"{\"ok\": tr", "closed the connection mid-line"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cli_spawn(
			&r, v->path,
			(const char *const[]){"sipwardenctl", "status", NULL});
		fd = accept(lfd, NULL, NULL);
		assert_true(fd >= 0);
		assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
		assert_int_equal(send(fd, cases[i].reply,
				      strlen(cases[i].reply), MSG_NOSIGNAL),
				 (ssize_t)strlen(cases[i].reply));
		close(fd);
		expect_cli(cli_finish(&r), 3, "");
		if (!strstr(cli_err, cases[i].msg))
			fail_msg("case %zu: stderr %s", i, cli_err);
	}
	/* -f: the lines after the answer, as they come, until the end */
	cli_spawn(&r, v->path,
		  (const char *const[]){"sipwardenctl", "events", "-f", NULL});
	fd = accept(lfd, NULL, NULL);
	assert_true(recv(fd, buf, sizeof(buf), 0) > 0);
	buf[sizeof(buf) - 1] = '\0';
	assert_non_null(strstr(buf, "\"follow\": true"));
	{
		const char *first = "{\"id\": 1, \"ok\": true, \"result\": "
				    "{}}\n{\"event\": \"ban\"}\n";
		const char *later = "{\"event\": \"limit\"}\n";

		send(fd, first, strlen(first), MSG_NOSIGNAL);
		usleep(50000);
		send(fd, later, strlen(later), MSG_NOSIGNAL);
	}
	close(fd);
	expect_cli(cli_finish(&r), 0,
		   "{\"event\": \"ban\"}\n{\"event\": \"limit\"}\n");
	close(lfd);
	srv_free(v);
}

/* Followers get published lines in order, after their answer, and can
 * still make requests; others get nothing. */
static void test_followers(void **state)
{
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *f = client_new(v->path), *g = client_new(v->path);
	struct client *p = client_new(v->path);
	char want[64];

	(void)state;
	snprintf(want, sizeof(want),
		 "{\"ok\": true, \"result\": {\"uid\": %d}}", (int)geteuid());
	assert_string_equal(request(f, "{\"cmd\": \"follow\"}\n"), want);
	assert_string_equal(request(g, "{\"cmd\": \"follow\"}\n"), want);
	assert_string_equal(
		request(p,
			"{\"cmd\": \"publish\", \"args\": {\"times\": 3}}\n"),
		"{\"ok\": true, \"result\": {\"followers\": 2}}");
	for (int i = 0; i < 3; i++) {
		char line[64];

		snprintf(line, sizeof(line), "{\"n\": %d, \"pad\": \"\"}", i);
		assert_string_equal(client_line(f), line);
		assert_string_equal(client_line(g), line);
	}
	/* a follower still talks; the publisher itself gets no lines */
	assert_string_equal(request(f, OK_REQ), OK_ECHO);
	assert_string_equal(request(p, OK_REQ), OK_ECHO);
	client_free(g);
	assert_string_equal(request(p, "{\"cmd\": \"publish\"}\n"),
			    "{\"ok\": true, \"result\": {\"followers\": 1}}");
	assert_string_equal(client_line(f), "{\"n\": 0, \"pad\": \"\"}");
	client_free(f);
	client_free(p);
	srv_free(v);
	/* outside a connection there is nobody to make a follower */
	assert_int_equal(ctl_server_follow(NULL), -1);
	assert_int_equal(ctl_server_peer_uid(NULL), -1);
	assert_int_equal(ctl_server_publish(NULL, "x", 1), 0);
}

/* A follower that reads nothing is dropped once its backlog passes the
 * bound; the publisher and other clients are never held up. */
static void test_slow_follower_dropped(void **state)
{
	struct srv *v = srv_new(CTL_DEFAULT_MODE, -1);
	struct client *f = client_new(v->path), *p = client_new(v->path);
	const char *r;

	(void)state;
	r = request(f, "{\"cmd\": \"follow\"}\n");
	assert_non_null(strstr(r, "\"ok\": true"));
	/* 64 x 64 KiB: far past the socket buffer and the 1 MiB backlog */
	r = request(p, "{\"cmd\": \"publish\", \"args\": {\"times\": 64, "
		       "\"bytes\": 65536}}\n");
	assert_string_equal(r,
			    "{\"ok\": true, \"result\": {\"followers\": 0}}");
	assert_true(client_closed(f, 8u << 20));
	assert_string_equal(request(p, OK_REQ), OK_ECHO);
	client_free(f);
	client_free(p);
	srv_free(v);
}

static void handle(struct json_writer *out, const char *line)
{
	ctl_server_handle_line(commands, NULL, line, strlen(line), out);
}

/* The `after` of a command runs once it succeeded, with its args and
 * result; a failure runs nothing. */
static void test_after_hook(void **state)
{
	struct json_writer out;

	(void)state;
	json_writer_init(&out, 0);
	after_seen[0] = '\0';
	handle(&out, "{\"cmd\": \"echo_after\", \"args\": {\"a\": 1}}");
	assert_string_equal(after_seen, "echo_after {\"args\": {\"a\": 1}}");
	after_seen[0] = '\0';
	handle(&out, "{\"cmd\": \"reload\"}");
	assert_non_null(strstr(json_writer_text(&out), "\"ok\": false"));
	assert_string_equal(after_seen, "");
	handle(&out, "{\"cmd\": \"echo\"}");
	assert_string_equal(after_seen, "");
	json_writer_free(&out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_request_response),
		cmocka_unit_test(test_oversized_request),
		cmocka_unit_test(test_stalled_client),
		cmocka_unit_test(test_slow_reader_dropped),
		cmocka_unit_test(test_many_clients),
		cmocka_unit_test(test_socket_file),
		cmocka_unit_test(test_stale_and_live),
		cmocka_unit_test(test_stop_no_leak),
		cmocka_unit_test(test_peer_credentials),
		cmocka_unit_test(test_poll_timeout_eintr),
		cmocka_unit_test(test_followers),
		cmocka_unit_test(test_slow_follower_dropped),
		cmocka_unit_test(test_after_hook),
		cmocka_unit_test(test_cli_output),
		cmocka_unit_test(test_cli_requests),
		cmocka_unit_test(test_cli_usage),
		cmocka_unit_test(test_cli_failures),
	};

	if (argc > 1 && access(argv[1], X_OK) == 0)
		ctl_bin = argv[1];
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
