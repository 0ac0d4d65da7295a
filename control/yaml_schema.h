/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * yaml_schema: strict, table-driven reading of a yaml_doc tree into C
 * structs. One table of fields per mapping says each key's type, range and
 * where its value goes, so a new key is one line in a table.
 *
 * Contract:
 *  - yschema_walk_map() reports unknown keys (with a "did you mean"),
 *    duplicate keys and missing required keys, and reads every known key
 *    through its field; it never stops at the first error. Keys absent from
 *    the text leave the target untouched: set defaults before walking.
 *  - A number is a plain decimal integer (no quotes, sign, leading zero,
 *    hex or underscores) checked against its range; a boolean is true or
 *    false; a string is any non-empty scalar, quoted or not.
 *  - Every error is recorded in the ydoc_check at the offending node.
 */
#ifndef SIPWARDEN_YAML_SCHEMA_H
#define SIPWARDEN_YAML_SCHEMA_H

#include "yaml_doc.h"

/* Scalar readers: on a bad value they record an error and return false,
 * leaving *out alone. */
bool yschema_get_uint(struct ydoc_check *c, const struct ydoc_node *n,
		      uint64_t min, uint64_t max, uint64_t *out);
bool yschema_get_bool(struct ydoc_check *c, const struct ydoc_node *n,
		      bool *out);
/* Non-empty, no NUL byte, shorter than size. */
bool yschema_get_string(struct ydoc_check *c, const struct ydoc_node *n,
			char *out, size_t size);
/* A sequence of min..max items; `what` names the items ("ports"). */
bool yschema_get_list(struct ydoc_check *c, const struct ydoc_node *n,
		      const char *what, size_t min, size_t max);

enum yschema_type {
	YSCHEMA_UINT,	 /* decimal in [min, max], stored in `size` bytes */
	YSCHEMA_BOOL,	 /* true | false, into a bool */
	YSCHEMA_STRING,	 /* into char[size] */
	YSCHEMA_ENUM,	 /* one of `choices`, into an int-sized enum */
	YSCHEMA_STRINGS, /* list of strings: char ** + size_t at count_offset */
	YSCHEMA_UINTS,	 /* list of distinct uints in [min, max]: an array of
			    max_items `size`-byte elements + size_t count */
	YSCHEMA_MAP,	 /* nested mapping at offset, checked against fields */
	YSCHEMA_CUSTOM,	 /* `parse` reads it, given the whole target */
};

struct yschema_choice {
	const char *name;
	int value;
};

struct yschema_field;
typedef void yschema_parse_fn(struct ydoc_check *c,
			      const struct yschema_field *f,
			      const struct ydoc_node *value, void *target);

struct yschema_field {
	const char *key;
	enum yschema_type type;
	bool required;
	size_t offset; /* of the value in the target struct */
	size_t size;   /* of the value, or of one list element */
	size_t count_offset;
	uint64_t min, max;
	size_t min_items, max_items;
	const struct yschema_choice *choices; /* ended by a NULL name */
	const struct yschema_field *fields;   /* ended by a NULL key */
	yschema_parse_fn *parse;
};

#define YSCHEMA_MAX_FIELDS 32

/*
 * Table entries. `...` takes extra designators: .required = true, and for
 * lists .min_items / .max_items.
 */
#define YSCHEMA_AT(st, m)                                                      \
	.offset = offsetof(st, m), .size = sizeof(((st *)0)->m)
#define YSCHEMA_UINT_FIELD(k, st, m, lo, hi, ...)                              \
	{                                                                      \
		.key = (k), .type = YSCHEMA_UINT, YSCHEMA_AT(st, m),           \
		.min = (lo), .max = (hi), __VA_ARGS__                          \
	}
#define YSCHEMA_BOOL_FIELD(k, st, m, ...)                                      \
	{                                                                      \
		.key = (k), .type = YSCHEMA_BOOL, YSCHEMA_AT(st, m),           \
		__VA_ARGS__                                                    \
	}
#define YSCHEMA_STRING_FIELD(k, st, m, ...)                                    \
	{                                                                      \
		.key = (k), .type = YSCHEMA_STRING, YSCHEMA_AT(st, m),         \
		__VA_ARGS__                                                    \
	}
#define YSCHEMA_ENUM_FIELD(k, st, m, choice_list, ...)                         \
	{                                                                      \
		.key = (k), .type = YSCHEMA_ENUM, YSCHEMA_AT(st, m),           \
		.choices = (choice_list), __VA_ARGS__                          \
	}
/* An allocated char ** and its size_t count. */
#define YSCHEMA_STRINGS_FIELD(k, st, list, count, ...)                         \
	{                                                                      \
		.key = (k), .type = YSCHEMA_STRINGS,                           \
		.offset = offsetof(st, list),                                  \
		.count_offset = offsetof(st, count), __VA_ARGS__               \
	}
/* A fixed array (its length bounds the list) and its size_t count. */
#define YSCHEMA_UINTS_FIELD(k, st, array, count, lo, hi, ...)                  \
	{                                                                      \
		.key = (k), .type = YSCHEMA_UINTS,                             \
		.offset = offsetof(st, array),                                 \
		.size = sizeof(((st *)0)->array[0]),                           \
		.max_items = sizeof(((st *)0)->array) /                        \
			     sizeof(((st *)0)->array[0]),                      \
		.count_offset = offsetof(st, count), .min = (lo), .max = (hi), \
		__VA_ARGS__                                                    \
	}
/* A nested struct member read against `sub`. */
#define YSCHEMA_MAP_FIELD(k, st, m, sub, ...)                                  \
	{                                                                      \
		.key = (k), .type = YSCHEMA_MAP, YSCHEMA_AT(st, m),            \
		.fields = (sub), __VA_ARGS__                                   \
	}
/* A key that only groups others: `sub` fills the same target. */
#define YSCHEMA_GROUP_FIELD(k, sub, ...)                                       \
	{                                                                      \
		.key = (k), .type = YSCHEMA_MAP, .fields = (sub), __VA_ARGS__  \
	}
#define YSCHEMA_CUSTOM_FIELD(k, fn, ...)                                       \
	{                                                                      \
		.key = (k), .type = YSCHEMA_CUSTOM, .parse = (fn), __VA_ARGS__ \
	}
#define YSCHEMA_END                                                            \
	{                                                                      \
		NULL                                                           \
	}

/*
 * Check `map` against `fields` and store into `target`; fields are read in
 * table order, so a custom parser may rely on the fields above it. `label`
 * names the mapping in messages ("tenant 'acme'"); "" is the top level.
 */
/* Read one value against one field (custom parsers that wrap a type). */
void yschema_read_field(struct ydoc_check *c, const struct yschema_field *f,
			const struct ydoc_node *value, void *target,
			const char *label);

void yschema_walk_map(struct ydoc_check *c, const struct ydoc_node *map,
		      const struct yschema_field *fields, void *target,
		      const char *label);

#endif
