/* SPDX-License-Identifier: BSD-3-Clause */
#include "yaml_schema.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scalar readers */

static bool parse_decimal(const struct ydoc_node *n, uint64_t *out)
{
	uint64_t v = 0;

	if (n->len == 0 || n->len > 20 || (n->text[0] == '0' && n->len > 1))
		return false;
	for (size_t i = 0; i < n->len; i++) {
		unsigned d = (unsigned char)n->text[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool yschema_get_uint(struct ydoc_check *c, const struct ydoc_node *n,
		      uint64_t min, uint64_t max, uint64_t *out)
{
	char what[YDOC_DESCRIBE_MAX];
	uint64_t v;
	bool decimal = n->kind == YDOC_SCALAR && parse_decimal(n, &v);

	if (decimal && !n->quoted && v >= min && v <= max) {
		*out = v;
		return true;
	}
	ydoc_error(c, n,
		   "expected an integer between %" PRIu64 " and %" PRIu64
		   ", got %s%s",
		   min, max, ydoc_describe(n, what, sizeof(what)),
		   decimal && n->quoted ? " (write numbers without quotes)"
					: "");
	return false;
}

bool yschema_get_bool(struct ydoc_check *c, const struct ydoc_node *n,
		      bool *out)
{
	char what[YDOC_DESCRIBE_MAX];

	if (!n->quoted &&
	    (ydoc_scalar_is(n, "true") || ydoc_scalar_is(n, "false"))) {
		*out = n->text[0] == 't';
		return true;
	}
	ydoc_error(c, n, "expected true or false, got %s",
		   ydoc_describe(n, what, sizeof(what)));
	return false;
}

/* max_len excludes the NUL. */
static bool check_string(struct ydoc_check *c, const struct ydoc_node *n,
			 size_t max_len)
{
	char what[YDOC_DESCRIBE_MAX];

	if (n->kind != YDOC_SCALAR || n->len == 0)
		ydoc_error(c, n, "expected a non-empty string, got %s",
			   ydoc_describe(n, what, sizeof(what)));
	else if (strlen(n->text) != n->len)
		ydoc_error(c, n, "a NUL character in %s",
			   ydoc_describe(n, what, sizeof(what)));
	else if (n->len > max_len)
		ydoc_error(c, n, "longer than %zu characters: %s", max_len,
			   ydoc_describe(n, what, sizeof(what)));
	else
		return true;
	return false;
}

bool yschema_get_string(struct ydoc_check *c, const struct ydoc_node *n,
			char *out, size_t size)
{
	if (!check_string(c, n, size - 1))
		return false;
	memcpy(out, n->text, n->len + 1);
	return true;
}

bool yschema_get_list(struct ydoc_check *c, const struct ydoc_node *n,
		      const char *what, size_t min, size_t max)
{
	char got[YDOC_DESCRIBE_MAX];

	if (n->kind != YDOC_SEQUENCE)
		ydoc_error(c, n, "expected a list of %s, got %s", what,
			   ydoc_describe(n, got, sizeof(got)));
	else if (n->count < min)
		ydoc_error(c, n,
			   "the list of %s has %zu entries; at least %zu "
			   "required",
			   what, n->count, min);
	else if (n->count > max)
		ydoc_error(c, n,
			   "the list of %s has %zu entries; at most %zu "
			   "allowed",
			   what, n->count, max);
	else
		return true;
	return false;
}

/* The walker */

static void *member(void *target, size_t offset)
{
	return (char *)target + offset;
}

static void store_uint(void *dst, size_t size, uint64_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)dst = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)dst = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)dst = (uint32_t)v;
		break;
	case 8:
		*(uint64_t *)dst = v;
		break;
	default:
		assert(!"integer field of odd size");
	}
}

static uint64_t load_uint(const void *src, size_t size)
{
	switch (size) {
	case 1:
		return *(const uint8_t *)src;
	case 2:
		return *(const uint16_t *)src;
	case 4:
		return *(const uint32_t *)src;
	default:
		return *(const uint64_t *)src;
	}
}

static void read_choice(struct ydoc_check *c, const struct yschema_field *f,
			const struct ydoc_node *n, void *dst)
{
	char what[YDOC_DESCRIBE_MAX], names[256];
	size_t used = 0;

	assert(f->size == sizeof(int));
	for (const struct yschema_choice *ch = f->choices; ch->name; ch++) {
		if (ydoc_scalar_is(n, ch->name)) {
			*(int *)dst = ch->value;
			return;
		}
	}
	for (const struct yschema_choice *ch = f->choices; ch->name; ch++) {
		int w = snprintf(names + used, sizeof(names) - used, "%s%s",
				 used ? (ch[1].name ? ", " : " or ") : "",
				 ch->name);

		if (w > 0 && (size_t)w < sizeof(names) - used)
			used += w;
	}
	ydoc_error(c, n, "expected %s, got %s", names,
		   ydoc_describe(n, what, sizeof(what)));
}

static void read_strings(struct ydoc_check *c, const struct yschema_field *f,
			 const struct ydoc_node *n, void *target)
{
	char ***list = member(target, f->offset);
	size_t *count = member(target, f->count_offset);

	if (!yschema_get_list(c, n, f->key, f->min_items, f->max_items) ||
	    n->count == 0)
		return;
	*list = calloc(n->count, sizeof(**list));
	if (!*list) {
		ydoc_error(c, n, "out of memory");
		return;
	}
	for (size_t i = 0; i < n->count; i++) {
		const struct ydoc_node *item = n->items[i];
		char *s;

		if (!check_string(c, item, SIZE_MAX - 1))
			continue;
		s = strdup(item->text);
		if (!s) {
			ydoc_error(c, item, "out of memory");
			return;
		}
		(*list)[(*count)++] = s;
	}
}

static void read_uints(struct ydoc_check *c, const struct yschema_field *f,
		       const struct ydoc_node *n, void *target)
{
	unsigned char *array = member(target, f->offset);
	size_t *count = member(target, f->count_offset);

	if (!yschema_get_list(c, n, f->key, f->min_items, f->max_items))
		return;
	*count = 0;
	for (size_t i = 0; i < n->count; i++) {
		uint64_t v;
		bool seen = false;

		if (!yschema_get_uint(c, n->items[i], f->min, f->max, &v))
			continue;
		for (size_t j = 0; j < *count && !seen; j++)
			seen = load_uint(array + j * f->size, f->size) == v;
		if (seen) {
			ydoc_error(c, n->items[i],
				   "%" PRIu64 " is listed twice", v);
			continue;
		}
		store_uint(array + (*count)++ * f->size, f->size, v);
	}
}

/* "'ports'" + "outside" -> "'ports.outside'"; "tenant 'a'" + "x" ->
 * "'x' of tenant 'a'". */
static void child_label(char *buf, size_t len, const char *label,
			const char *key)
{
	size_t l = strlen(label);

	if (l == 0)
		snprintf(buf, len, "'%s'", key);
	else if (label[0] == '\'' && label[l - 1] == '\'')
		snprintf(buf, len, "%.*s.%s'", (int)(l - 1), label, key);
	else
		snprintf(buf, len, "'%s' of %s", key, label);
}

void yschema_read_field(struct ydoc_check *c, const struct yschema_field *f,
		       const struct ydoc_node *n, void *target,
		       const char *label)
{
	void *dst = member(target, f->offset);
	char sub[160];
	uint64_t v;

	switch (f->type) {
	case YSCHEMA_UINT:
		if (yschema_get_uint(c, n, f->min, f->max, &v))
			store_uint(dst, f->size, v);
		break;
	case YSCHEMA_BOOL:
		yschema_get_bool(c, n, dst);
		break;
	case YSCHEMA_STRING:
		yschema_get_string(c, n, dst, f->size);
		break;
	case YSCHEMA_ENUM:
		read_choice(c, f, n, dst);
		break;
	case YSCHEMA_STRINGS:
		read_strings(c, f, n, target);
		break;
	case YSCHEMA_UINTS:
		read_uints(c, f, n, target);
		break;
	case YSCHEMA_MAP:
		child_label(sub, sizeof(sub), label, f->key);
		yschema_walk_map(c, n, f->fields, dst, sub);
		break;
	case YSCHEMA_CUSTOM:
		f->parse(c, f, n, target);
		break;
	}
}

/* Levenshtein distance, for "did you mean"; long words are never close. */
static size_t edit_distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b), prev[33], cur[33];

	if (la > 32 || lb > 32)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? sub : del;
			cur[j] = cur[j] < ins ? cur[j] : ins;
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

static void unknown_key(struct ydoc_check *c, const struct ydoc_node *key,
			const struct yschema_field *fields, const char *where)
{
	char what[YDOC_DESCRIBE_MAX];
	const char *best = NULL;
	size_t best_d = 3; /* farther than two edits is another word */

	for (const struct yschema_field *f = fields; f->key; f++) {
		size_t d = edit_distance(key->text, key->len, f->key);

		if (d < best_d && d < key->len) {
			best_d = d;
			best = f->key;
		}
	}
	ydoc_describe(key, what, sizeof(what));
	if (best)
		ydoc_error(c, key, "unknown key %s %s (did you mean '%s'?)",
			   what, where, best);
	else
		ydoc_error(c, key, "unknown key %s %s", what, where);
}

void yschema_walk_map(struct ydoc_check *c, const struct ydoc_node *map,
		      const struct yschema_field *fields, void *target,
		      const char *label)
{
	const struct ydoc_node *value[YSCHEMA_MAX_FIELDS] = {0};
	const struct ydoc_node *key_at[YSCHEMA_MAX_FIELDS] = {0};
	char where[192], what[YDOC_DESCRIBE_MAX];
	size_t nfields = 0;

	while (fields[nfields].key)
		nfields++;
	assert(nfields <= YSCHEMA_MAX_FIELDS);
	if (label[0])
		snprintf(where, sizeof(where), "in %s", label);
	else
		snprintf(where, sizeof(where), "at top level");

	if (map->kind != YDOC_MAPPING) {
		ydoc_error(c, map, "expected a mapping %s%s, got %s",
			   label[0] ? "for " : "at top level", label,
			   ydoc_describe(map, what, sizeof(what)));
		return;
	}
	for (size_t i = 0; i < map->count; i++) {
		const struct ydoc_node *key = map->pairs[i].key;
		size_t f = 0;

		if (key->kind != YDOC_SCALAR) {
			ydoc_error(c, key, "expected a key name %s, got %s",
				   where,
				   ydoc_describe(key, what, sizeof(what)));
			continue;
		}
		while (f < nfields && !ydoc_scalar_is(key, fields[f].key))
			f++;
		if (f == nfields) {
			unknown_key(c, key, fields, where);
		} else if (key_at[f]) {
			ydoc_error(c, key,
				   "duplicate key '%s' %s (first at line %u)",
				   fields[f].key, where, key_at[f]->line);
		} else {
			key_at[f] = key;
			value[f] = map->pairs[i].value;
		}
	}
	for (size_t f = 0; f < nfields; f++) {
		if (value[f])
			yschema_read_field(c, &fields[f], value[f], target, label);
		else if (fields[f].required)
			ydoc_error(c, map, "missing required key '%s' %s",
				   fields[f].key, where);
	}
}
