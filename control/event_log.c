/* SPDX-License-Identifier: BSD-3-Clause */
/* event_log: the event stream. The contract is in event_log.h. */
#include "event_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_server.h"

#define EVENT_MAX_LEN 65536 /* one event line */

struct event_log {
	enum config_events_output output;
	char path[sizeof(((struct config_events *)0)->file)];
	int fd; /* -1: no output besides the socket */
	struct ctl_server *server;
	struct json_writer line;
	char **ring; /* [cap] lines, NULL where none yet */
	size_t cap, next;
	uint64_t seq, write_errors;
	bool reported; /* the first output failure went to stderr */
};

static int open_output(struct event_log *l)
{
	int fd;

	if (l->output == CONFIG_EVENTS_STDOUT) {
		l->fd = STDOUT_FILENO;
		return 0;
	}
	if (l->output != CONFIG_EVENTS_FILE) {
		l->fd = -1;
		return 0;
	}
	fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	l->fd = fd;
	return 0;
}

struct event_log *event_log_open(const struct config_events *cfg, char *err,
				 size_t errlen)
{
	struct event_log *l = calloc(1, sizeof(*l));
	int rc;

	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->output = cfg->output;
	snprintf(l->path, sizeof(l->path), "%s", cfg->file);
	l->cap = cfg->history ? cfg->history : 1;
	l->ring = calloc(l->cap, sizeof(*l->ring));
	if (l->ring == NULL) {
		free(l);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = open_output(l);
	if (rc < 0) {
		snprintf(err, errlen, "events.file %s: %s", l->path,
			 strerror(-rc));
		free(l->ring);
		free(l);
		return NULL;
	}
	json_writer_init(&l->line, EVENT_MAX_LEN);
	return l;
}

void event_log_close(struct event_log *l)
{
	if (l == NULL)
		return;
	if (l->output == CONFIG_EVENTS_FILE && l->fd >= 0)
		close(l->fd);
	for (size_t i = 0; i < l->cap; i++)
		free(l->ring[i]);
	free(l->ring);
	json_writer_free(&l->line);
	free(l);
}

void event_log_set_server(struct event_log *l, struct ctl_server *s)
{
	l->server = s;
}

int event_log_reopen(struct event_log *l)
{
	int old = l->fd, rc;

	if (l->output != CONFIG_EVENTS_FILE)
		return 0;
	rc = open_output(l);
	if (rc < 0) {
		l->fd = old; /* keep writing where we could */
		return rc;
	}
	if (old >= 0)
		close(old);
	l->reported = false;
	return 0;
}

struct json_writer *event_begin(struct event_log *l, const char *type)
{
	struct timespec ts;
	struct tm tm;
	char when[40];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);
	json_writer_reset(&l->line);
	json_writer_begin_object(&l->line);
	json_writer_key(&l->line, "time");
	json_writer_string(&l->line, when);
	json_writer_key(&l->line, "seq");
	json_writer_uint(&l->line, ++l->seq);
	json_writer_key(&l->line, "type");
	json_writer_string(&l->line, type);
	return &l->line;
}

/* Write the whole line and its newline; a failure is counted. */
static void write_output(struct event_log *l, const char *text, size_t len)
{
	char nl = '\n';
	const char *parts[2] = {text, &nl};
	size_t lens[2] = {len, 1};

	if (l->fd < 0)
		return;
	for (int i = 0; i < 2; i++) {
		size_t off = 0;

		while (off < lens[i]) {
			ssize_t n = write(l->fd, parts[i] + off, lens[i] - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (!l->reported)
					fprintf(stderr,
						"sipwarden: events: cannot "
						"write to %s: %s\n",
						l->output == CONFIG_EVENTS_FILE
							? l->path
							: "stdout",
						n < 0 ? strerror(errno)
						      : "nothing written");
				l->reported = true;
				l->write_errors++;
				return;
			}
			off += (size_t)n;
		}
	}
}

void event_end(struct event_log *l)
{
	const char *text;
	char *copy;

	json_writer_end_object(&l->line);
	if (!json_writer_complete(&l->line)) {
		/* an event past EVENT_MAX_LEN: its seq says so instead */
		l->seq--;
		event_begin(l, "event_lost");
		json_writer_key(&l->line, "reason");
		json_writer_string(&l->line, "event too large");
		json_writer_end_object(&l->line);
	}
	text = json_writer_text(&l->line);
	write_output(l, text, l->line.len);
	copy = strdup(text);
	if (copy != NULL) {
		free(l->ring[l->next]);
		l->ring[l->next] = copy;
		l->next = (l->next + 1) % l->cap;
	}
	ctl_server_publish(l->server, text, l->line.len);
}

void event_log_write_recent(const struct event_log *l, struct json_writer *w,
			    size_t n)
{
	size_t have = 0;

	for (size_t i = 0; i < l->cap; i++)
		have += l->ring[i] != NULL;
	if (n > have)
		n = have;
	json_writer_begin_array(w);
	for (size_t k = 0; k < n; k++) {
		const char *line = l->ring[(l->next + l->cap - n + k) % l->cap];

		json_writer_raw(w, line, strlen(line));
	}
	json_writer_end_array(w);
}

uint64_t event_log_count(const struct event_log *l)
{
	return l->seq;
}

uint64_t event_log_write_errors(const struct event_log *l)
{
	return l->write_errors;
}
