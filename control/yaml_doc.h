/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * yaml_doc: YAML text -> a small read-only document tree with positions,
 * and the error list that everything reading the tree reports into.
 *
 * Contract:
 *  - ydoc_parse() accepts one document of plain YAML. Anchors, aliases, tags
 *    and a second document are refused. Every node carries the 1-based line
 *    and column where it starts. The tree lives in one arena (ydoc_free()).
 *  - No YAML type resolution: scalars stay text (with whether they were
 *    quoted); whoever reads a scalar decides what it means (yaml_schema).
 *  - Errors are collected with their position in a struct ydoc_check;
 *    ydoc_check_report() writes them sorted by position as
 *    "NAME:LINE:COL: message" lines. A YAML syntax error ends the parse,
 *    reported with libyaml's own words.
 */
#ifndef SIPWARDEN_YAML_DOC_H
#define SIPWARDEN_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ydoc_kind { YDOC_SCALAR, YDOC_SEQUENCE, YDOC_MAPPING };

struct ydoc_pair;

struct ydoc_node {
	enum ydoc_kind kind;
	uint32_t line, col;
	bool quoted;  /* scalar written in quotes or block style */
	size_t len;   /* scalar: bytes in text, which is also NUL-terminated */
	size_t count; /* sequence: items; mapping: pairs */
	union {
		const char *text;
		const struct ydoc_node *const *items;
		const struct ydoc_pair *pairs;
	};
};

struct ydoc_pair {
	const struct ydoc_node *key, *value;
};

/* Collected errors, and the caller's state for custom field parsers. */
struct ydoc_check {
	const char *name; /* the file name in messages */
	void *user;
	struct ydoc_msg *msgs;
	size_t count, cap;
	size_t dropped; /* errors past the storage limit: counted only */
};

void ydoc_check_init(struct ydoc_check *c, const char *name, void *user);
void ydoc_check_fini(struct ydoc_check *c);
static inline size_t ydoc_error_count(const struct ydoc_check *c)
{
	return c->count + c->dropped;
}
/* line 0 means "no position": the line reads "NAME: message". */
void ydoc_error_at(struct ydoc_check *c, uint32_t line, uint32_t col,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ydoc_error(struct ydoc_check *c, const struct ydoc_node *at,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Whole lines while they fit, then a count of the rest; always
 * NUL-terminated when len > 0. Sorts the errors. */
void ydoc_check_report(struct ydoc_check *c, char *buf, size_t len);

struct ydoc;
/* NULL on a syntax error or a refused construct (recorded in c). */
struct ydoc *ydoc_parse(const char *text, size_t len, struct ydoc_check *c);
/* NULL when the text holds no document (empty, or comments only). */
const struct ydoc_node *ydoc_root(const struct ydoc *doc);
void ydoc_free(struct ydoc *doc);

/* An empty plain scalar: what `key:` with nothing after it holds. */
bool ydoc_is_null(const struct ydoc_node *n);
/* A scalar whose text is exactly `word`. */
bool ydoc_scalar_is(const struct ydoc_node *n, const char *word);
/* First value under `key` in a mapping, or NULL (also when map is NULL). */
const struct ydoc_node *ydoc_map_get(const struct ydoc_node *map,
				     const char *key);
/* For messages: "a list", "a mapping", "nothing", 'text' or "text"
 * (truncated, control characters replaced). Returns buf. */
#define YDOC_DESCRIBE_MAX 80
const char *ydoc_describe(const struct ydoc_node *n, char *buf, size_t len);

#endif
