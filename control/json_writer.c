/* SPDX-License-Identifier: BSD-3-Clause */
/* The JSON writer (contract in json.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_internal.h"

/* Writer */

void json_writer_init(struct json_writer *w, size_t max_len)
{
	memset(w, 0, sizeof(*w));
	w->max_len = max_len;
}

void json_writer_reset(struct json_writer *w)
{
	char *buf = w->buf;
	size_t cap = w->cap, max_len = w->max_len;

	json_writer_init(w, max_len);
	w->buf = buf;
	w->cap = cap;
	if (buf)
		buf[0] = '\0';
}

void json_writer_free(struct json_writer *w)
{
	free(w->buf);
	json_writer_init(w, w->max_len);
}

static bool reserve(struct json_writer *w, size_t n)
{
	size_t cap;
	char *buf;

	if (w->error)
		return false;
	if (w->max_len && n > w->max_len - w->len) {
		w->error = JSON_WRITER_TOO_LARGE;
		return false;
	}
	if (w->cap - w->len > n) /* room for n bytes and the NUL */
		return true;
	cap = w->cap ? w->cap : 256;
	while (cap - w->len < n + 1) {
		if (cap > SIZE_MAX / 2) {
			w->error = JSON_WRITER_NOMEM;
			return false;
		}
		cap *= 2;
	}
	buf = realloc(w->buf, cap);
	if (!buf) {
		w->error = JSON_WRITER_NOMEM;
		return false;
	}
	w->buf = buf;
	w->cap = cap;
	return true;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static bool level_is_object(const struct json_writer *w)
{
	return w->is_object[w->depth / 64] >> (w->depth % 64) & 1;
}

static void misuse(struct json_writer *w)
{
	if (!w->error)
		w->error = JSON_WRITER_MISUSE;
}

/* Before any value: the comma, and whether a value may go here at all. */
static bool value_start(struct json_writer *w)
{
	if (w->error)
		return false;
	if (w->depth == 0 ? w->need_comma
			  : level_is_object(w) && !w->after_key) {
		misuse(w);
		return false;
	}
	if (w->need_comma && !w->after_key)
		put(w, ", ", 2);
	w->after_key = false;
	w->need_comma = true;
	return !w->error;
}

static void begin(struct json_writer *w, bool object)
{
	if (!value_start(w))
		return;
	if (w->depth + 1 > JSON_DEPTH_MAX) {
		misuse(w);
		return;
	}
	put(w, object ? "{" : "[", 1);
	w->depth++;
	if (object)
		w->is_object[w->depth / 64] |= UINT64_C(1) << (w->depth % 64);
	else
		w->is_object[w->depth / 64] &=
			~(UINT64_C(1) << (w->depth % 64));
	w->need_comma = false;
}

static void end(struct json_writer *w, bool object)
{
	if (w->error)
		return;
	if (w->depth == 0 || level_is_object(w) != object || w->after_key) {
		misuse(w);
		return;
	}
	put(w, object ? "}" : "]", 1);
	w->depth--;
	w->need_comma = true;
}

void json_writer_begin_object(struct json_writer *w)
{
	begin(w, true);
}

void json_writer_end_object(struct json_writer *w)
{
	end(w, true);
}

void json_writer_begin_array(struct json_writer *w)
{
	begin(w, false);
}

void json_writer_end_array(struct json_writer *w)
{
	end(w, false);
}

static void put_escaped(struct json_writer *w, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t run = 0; /* bytes at u[i - run .. i) to copy as they are */
	size_t i = 0;

	put(w, "\"", 1);
	while (i < len) {
		unsigned char c = u[i];
		char esc[8];
		size_t n;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			run++;
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = json_utf8_sequence(u + i, len - i);
			if (n) {
				run += n;
				i += n;
				continue;
			}
		}
		put(w, s + i - run, run);
		run = 0;
		if (c >= 0x80)
			put(w, "\xef\xbf\xbd", 3); /* U+FFFD */
		else if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
		} else {
			const char *named = c == '\n'	? "\\n"
					    : c == '\t' ? "\\t"
					    : c == '\r' ? "\\r"
					    : c == '\b' ? "\\b"
					    : c == '\f' ? "\\f"
							: NULL;

			if (named)
				put(w, named, 2);
			else {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				put(w, esc, 6);
			}
		}
		i++;
	}
	put(w, s + i - run, run);
	put(w, "\"", 1);
}

void json_writer_key(struct json_writer *w, const char *key)
{
	if (w->error)
		return;
	if (w->depth == 0 || !level_is_object(w) || w->after_key) {
		misuse(w);
		return;
	}
	if (w->need_comma)
		put(w, ", ", 2);
	put_escaped(w, key, strlen(key));
	put(w, ": ", 2);
	w->after_key = true;
}

void json_writer_string_len(struct json_writer *w, const char *s, size_t len)
{
	if (value_start(w))
		put_escaped(w, s, len);
}

void json_writer_string(struct json_writer *w, const char *s)
{
	json_writer_string_len(w, s, strlen(s));
}

void json_writer_raw(struct json_writer *w, const char *json, size_t len)
{
	if (value_start(w))
		put(w, json, len);
}

void json_writer_int(struct json_writer *w, int64_t v)
{
	char num[24];

	json_writer_raw(w, num,
			(size_t)snprintf(num, sizeof(num), "%" PRId64, v));
}

void json_writer_uint(struct json_writer *w, uint64_t v)
{
	char num[24];

	json_writer_raw(w, num,
			(size_t)snprintf(num, sizeof(num), "%" PRIu64, v));
}

void json_writer_bool(struct json_writer *w, bool v)
{
	json_writer_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void json_writer_null(struct json_writer *w)
{
	json_writer_raw(w, "null", 4);
}

void json_writer_value(struct json_writer *w, const struct json_value *v)
{
	switch (v->type) {
	case JSON_NULL:
		json_writer_null(w);
		break;
	case JSON_BOOL:
		json_writer_bool(w, v->u.boolean);
		break;
	case JSON_INT:
		json_writer_int(w, v->u.integer);
		break;
	case JSON_STRING:
		json_writer_string_len(w, v->u.string, v->len);
		break;
	case JSON_ARRAY:
		json_writer_begin_array(w);
		for (size_t i = 0; i < v->len && !w->error; i++)
			json_writer_value(w, &v->u.items[i]);
		json_writer_end_array(w);
		break;
	case JSON_OBJECT:
		json_writer_begin_object(w);
		for (size_t i = 0; i < v->len && !w->error; i++) {
			json_writer_key(w, v->u.members[i].key);
			json_writer_value(w, &v->u.members[i].value);
		}
		json_writer_end_object(w);
		break;
	}
}

bool json_writer_complete(const struct json_writer *w)
{
	return !w->error && w->depth == 0 && w->need_comma;
}

const char *json_writer_text(const struct json_writer *w)
{
	return w->buf ? w->buf : "";
}

const char *json_writer_error_name(enum json_writer_error e)
{
	switch (e) {
	case JSON_WRITER_OK:
		return "no error";
	case JSON_WRITER_TOO_LARGE:
		return "text too large";
	case JSON_WRITER_NOMEM:
		return "out of memory";
	case JSON_WRITER_MISUSE:
		return "writer misuse";
	}
	return "?";
}
