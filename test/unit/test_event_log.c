/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The event stream's log: the lines written to the output file (one valid
 * JSON object each, seq from 1, UTC time), the history ring, an event too
 * large to deliver, reopening after rotation, an output that fails, and a
 * file that cannot be opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "event_log.h"
#include "json.h"

static char dir[64];

static struct event_log *open_log(const char *file, uint32_t history)
{
	struct config_events cfg = {.history = history, .limit_interval = 1};
	char err[256] = "";
	struct event_log *l;

	if (file != NULL) {
		cfg.output = CONFIG_EVENTS_FILE;
		snprintf(cfg.file, sizeof(cfg.file), "%s", file);
	}
	l = event_log_open(&cfg, err, sizeof(err));
	if (l == NULL)
		fail_msg("open: %s", err);
	return l;
}

static void emit(struct event_log *l, const char *type, int n)
{
	struct json_writer *j = event_begin(l, type);

	json_writer_key(j, "n");
	json_writer_int(j, n);
	event_end(l);
}

/* The file's lines, parsed; *count of them. */
static struct json_doc **read_lines(const char *path, size_t *count)
{
	static char text[1 << 20];
	struct json_doc **docs = calloc(1024, sizeof(*docs));
	FILE *f = fopen(path, "r");
	size_t len;
	char *line, *save = NULL;

	assert_non_null(f);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	assert_true(len == 0 || text[len - 1] == '\n');
	*count = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char err[128];

		docs[*count] = json_parse(line, strlen(line), NULL, err,
					  sizeof(err));
		if (docs[*count] == NULL)
			fail_msg("line %zu: %s: %s", *count + 1, err, line);
		(*count)++;
	}
	return docs;
}

static void free_lines(struct json_doc **docs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_free(docs[i]);
	free(docs);
}

static void test_file_lines(void **state)
{
	char path[128];
	struct event_log *l;
	struct json_doc **docs;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	l = open_log(path, 10);
	emit(l, "first", 1);
	emit(l, "second", 2);
	emit(l, "third", 3);
	assert_int_equal(event_log_count(l), 3);
	assert_int_equal(event_log_write_errors(l), 0);
	docs = read_lines(path, &n);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		const struct json_value *ev = json_root(docs[i]);
		const char *time = json_get_string(ev, "time", "");
		static const char *const types[] = {"first", "second",
						    "third"};

		assert_int_equal(json_get_int(ev, "seq", 0), (int64_t)i + 1);
		assert_string_equal(json_get_string(ev, "type", ""), types[i]);
		assert_int_equal(json_get_int(ev, "n", 0), (int64_t)i + 1);
		/* 2026-11-29T20:01:02.123Z */
		assert_int_equal(strlen(time), 24);
		assert_true(time[10] == 'T' && time[19] == '.' &&
			    time[23] == 'Z');
	}
	free_lines(docs, n);
	/* rotated away: the next event goes to a new file of that name */
	{
		char moved[160];

		snprintf(moved, sizeof(moved), "%s.1", path);
		assert_int_equal(rename(path, moved), 0);
		emit(l, "old_file", 4);
		assert_int_equal(event_log_reopen(l), 0);
		emit(l, "new_file", 5);
		docs = read_lines(path, &n);
		assert_int_equal(n, 1);
		assert_int_equal(json_get_int(json_root(docs[0]), "seq", 0), 5);
		free_lines(docs, n);
		docs = read_lines(moved, &n);
		assert_int_equal(n, 4);
		free_lines(docs, n);
		unlink(moved);
	}
	event_log_close(l);
	unlink(path);
}

/* Recent events, oldest first, from a ring of 3. */
static void test_history(void **state)
{
	struct event_log *l = open_log(NULL, 3);
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 0);
	event_log_write_recent(l, &w, 10);
	assert_string_equal(json_writer_text(&w), "[]");
	for (int i = 1; i <= 5; i++)
		emit(l, "e", i);
	json_writer_reset(&w);
	event_log_write_recent(l, &w, 10);
	assert_non_null(strstr(json_writer_text(&w), "\"n\": 3}, {"));
	assert_non_null(strstr(json_writer_text(&w), "\"n\": 5}]"));
	assert_null(strstr(json_writer_text(&w), "\"n\": 2}"));
	json_writer_reset(&w);
	event_log_write_recent(l, &w, 1);
	assert_non_null(strstr(json_writer_text(&w), "\"seq\": 5,"));
	assert_null(strstr(json_writer_text(&w), "\"seq\": 4,"));
	json_writer_reset(&w);
	event_log_write_recent(l, &w, 0);
	assert_string_equal(json_writer_text(&w), "[]");
	json_writer_free(&w);
	event_log_close(l);
}

/* An event too large to deliver is replaced, its seq kept. */
static void test_too_large(void **state)
{
	struct event_log *l = open_log(NULL, 4);
	struct json_writer *j, w;
	char *big = malloc(100000);

	(void)state;
	memset(big, 'a', 99999);
	big[99999] = '\0';
	emit(l, "before", 1);
	j = event_begin(l, "huge");
	json_writer_key(j, "text");
	json_writer_string(j, big);
	event_end(l);
	emit(l, "after", 3);
	json_writer_init(&w, 0);
	event_log_write_recent(l, &w, 4);
	assert_non_null(strstr(json_writer_text(&w),
			       "\"seq\": 2, \"type\": \"event_lost\", "
			       "\"reason\": \"event too large\"}"));
	assert_non_null(strstr(json_writer_text(&w), "\"seq\": 3,"));
	json_writer_free(&w);
	free(big);
	event_log_close(l);
}

/* A full disk costs a count and one message, nothing else. */
static void test_output_fails(void **state)
{
	struct event_log *l = open_log("/dev/full", 2);
	struct config_events cfg = {.output = CONFIG_EVENTS_FILE,
				    .history = 1};
	char err[256] = "";

	(void)state;
	emit(l, "a", 1);
	emit(l, "b", 2);
	assert_int_equal(event_log_write_errors(l), 2);
	assert_int_equal(event_log_count(l), 2);
	event_log_close(l);
	snprintf(cfg.file, sizeof(cfg.file), "%s/no/such/dir/x", dir);
	assert_null(event_log_open(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_non_null(strstr(err, "events.file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_lines),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_output_fails),
	};
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/sw-events.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
