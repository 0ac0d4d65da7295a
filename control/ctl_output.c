/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_output: how sipwardenctl shows results. The contract is in
 * ctl_output.h. */
#include "ctl_output.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Terminal-safe text: control characters (C0, DEL, C1) as \xNN. */
void put_safe(FILE *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			fprintf(f, "\\x%02x", u[i]);
		else if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
			 u[i + 1] <= 0x9f)
			fprintf(f, "\\u%04x", u[++i]);
		else
			fputc(u[i], f);
	}
}

static bool is_scalar(const struct json_value *v)
{
	return v->type != JSON_ARRAY && v->type != JSON_OBJECT;
}

static bool all_items(const struct json_value *arr, bool objects)
{
	for (size_t i = 0; i < arr->len; i++)
		if (objects ? arr->u.items[i].type != JSON_OBJECT
			    : !is_scalar(&arr->u.items[i]))
			return false;
	return true;
}

void put_compact(FILE *f, const struct json_value *v)
{
	struct json_writer w;

	json_writer_init(&w, 0);
	json_writer_value(&w, v);
	put_safe(f, json_writer_text(&w), w.len);
	json_writer_free(&w);
}

/* A value as one piece of text: scalars plain, a list of scalars joined
 * by `sep`, anything else as compact JSON. */
static void put_value(FILE *f, const struct json_value *v, const char *sep)
{
	switch (v->type) {
	case JSON_NULL:
		fputs("-", f);
		break;
	case JSON_BOOL:
		fputs(v->u.boolean ? "true" : "false", f);
		break;
	case JSON_INT:
		fprintf(f, "%lld", (long long)v->u.integer);
		break;
	case JSON_STRING:
		put_safe(f, v->u.string, v->len);
		break;
	case JSON_ARRAY:
		if (v->len == 0) {
			fputs("(none)", f);
			break;
		}
		if (all_items(v, false)) {
			for (size_t i = 0; i < v->len; i++) {
				fputs(i ? sep : "", f);
				put_value(f, &v->u.items[i], sep);
			}
			break;
		}
		put_compact(f, v);
		break;
	case JSON_OBJECT:
		if (v->len == 0)
			fputs("(none)", f);
		else
			put_compact(f, v);
		break;
	}
}

struct table_ref {
	char *path;
	const struct json_value *rows;
};

struct tables {
	struct table_ref *t;
	size_t n, cap;
};

/* key: value lines for everything but arrays of objects, which are
 * collected for tables. Returns the number of lines printed. */
static size_t print_lines(const struct json_value *obj, const char *prefix,
			  struct tables *tabs)
{
	size_t lines = 0;

	for (size_t i = 0; i < obj->len; i++) {
		const struct json_member *m = &obj->u.members[i];
		const struct json_value *v = &m->value;
		size_t plen = strlen(prefix) + m->key_len + 2;
		char *path = malloc(plen);

		if (!path)
			continue;
		snprintf(path, plen, "%s%s%s", prefix, *prefix ? "." : "",
			 m->key);
		if (v->type == JSON_OBJECT && v->len) {
			lines += print_lines(v, path, tabs);
		} else if (v->type == JSON_ARRAY && v->len &&
			   all_items(v, true)) {
			if (tabs->n == tabs->cap) {
				size_t cap = tabs->cap ? 2 * tabs->cap : 8;
				struct table_ref *t =
					realloc(tabs->t, cap * sizeof(*t));

				if (!t) {
					free(path);
					continue;
				}
				tabs->t = t;
				tabs->cap = cap;
			}
			tabs->t[tabs->n++] = (struct table_ref){path, v};
			continue;
		} else {
			put_safe(stdout, path, strlen(path));
			fputs(": ", stdout);
			put_value(stdout, v, ", ");
			fputc('\n', stdout);
			lines++;
		}
		free(path);
	}
	return lines;
}

/* Display width of UTF-8 text: one per character. */
static size_t text_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

static char *cell_text(const struct json_value *v, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	if (v)
		put_value(f, v, ",");
	else
		fputs("-", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void print_table(const struct json_value *rows)
{
	const char **cols = NULL;
	size_t ncols = 0, *width = NULL;
	bool *numeric = NULL;
	char **cells = NULL;
	size_t *clen = NULL;

	/* columns: every key, in order of first appearance */
	for (size_t r = 0; r < rows->len; r++) {
		const struct json_value *row = &rows->u.items[r];

		for (size_t k = 0; k < row->len; k++) {
			const char *key = row->u.members[k].key;
			size_t c = 0;
			const char **nc;

			while (c < ncols && strcmp(cols[c], key))
				c++;
			if (c < ncols)
				continue;
			nc = realloc(cols, (ncols + 1) * sizeof(*cols));
			if (!nc)
				goto out;
			cols = nc;
			cols[ncols++] = key;
		}
	}
	width = calloc(ncols, sizeof(*width));
	numeric = calloc(ncols, sizeof(*numeric));
	cells = calloc(rows->len * ncols + 1, sizeof(*cells));
	clen = calloc(rows->len * ncols + 1, sizeof(*clen));
	if (!width || !numeric || !cells || !clen)
		goto out;
	for (size_t c = 0; c < ncols; c++) {
		width[c] = strlen(cols[c]);
		numeric[c] = true;
		for (size_t r = 0; r < rows->len; r++) {
			const struct json_value *v =
				json_get(&rows->u.items[r], cols[c]);
			size_t i = r * ncols + c;

			cells[i] = cell_text(v, &clen[i]);
			if (!cells[i])
				goto out;
			if (v && v->type != JSON_INT && v->type != JSON_NULL)
				numeric[c] = false;
			if (text_width(cells[i], clen[i]) > width[c])
				width[c] = text_width(cells[i], clen[i]);
		}
	}
	for (size_t r = 0; r <= rows->len; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *t =
				r ? cells[(r - 1) * ncols + c] : cols[c];
			size_t len = r ? clen[(r - 1) * ncols + c] : strlen(t);
			size_t pad = width[c] - text_width(t, len);
			bool last = c + 1 == ncols;

			if (c)
				fputs("  ", stdout);
			if (numeric[c])
				printf("%*s", (int)pad, "");
			if (r)
				fwrite(t, 1, len, stdout);
			else
				for (size_t k = 0; k < len; k++)
					fputc(t[k] >= 'a' && t[k] <= 'z'
						      ? t[k] - 'a' + 'A'
						      : t[k],
					      stdout);
			if (!numeric[c] && !last)
				printf("%*s", (int)pad, "");
		}
		fputc('\n', stdout);
	}
out:
	for (size_t i = 0; cells && i < rows->len * ncols; i++)
		free(cells[i]);
	free(cells);
	free(clen);
	free(width);
	free(numeric);
	free(cols);
}

void print_human(const struct json_value *result)
{
	struct tables tabs = {0};
	size_t lines = print_lines(result, "", &tabs);

	for (size_t i = 0; i < tabs.n; i++) {
		if (lines || tabs.n > 1) {
			if (lines || i)
				fputc('\n', stdout);
			put_safe(stdout, tabs.t[i].path,
				 strlen(tabs.t[i].path));
			fputs(":\n", stdout);
		}
		print_table(tabs.t[i].rows);
		free(tabs.t[i].path);
	}
	free(tabs.t);
}
