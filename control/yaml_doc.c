/* SPDX-License-Identifier: BSD-3-Clause */
#include "yaml_doc.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/*
 * Arena: a large configuration has about ten nodes per tenant, and freeing
 * them one by one would cost more than building them.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

#define ARENA_MIN_CHUNK (64 * 1024)
#define ARENA_MAX_CHUNK (1024 * 1024)

struct ydoc {
	struct arena_chunk *chunks;
	size_t next_chunk;
	const struct ydoc_node *root;
};

static void *arena_alloc(struct ydoc *doc, size_t size)
{
	struct arena_chunk *ch = doc->chunks;

	size = (size + _Alignof(max_align_t) - 1) &
	       ~(_Alignof(max_align_t) - 1);
	if (!ch || ch->size - ch->used < size) {
		size_t want = doc->next_chunk > size ? doc->next_chunk : size;

		ch = malloc(sizeof(*ch) + want);
		if (!ch)
			return NULL;
		ch->size = want;
		ch->used = 0;
		ch->next = doc->chunks;
		doc->chunks = ch;
		if (doc->next_chunk < ARENA_MAX_CHUNK)
			doc->next_chunk *= 2;
	}
	ch->used += size;
	return ch->data + ch->used - size;
}

void ydoc_free(struct ydoc *doc)
{
	if (!doc)
		return;
	while (doc->chunks) {
		struct arena_chunk *next = doc->chunks->next;

		free(doc->chunks);
		doc->chunks = next;
	}
	free(doc);
}

const struct ydoc_node *ydoc_root(const struct ydoc *doc)
{
	return doc->root;
}

/* Errors */

struct ydoc_msg {
	uint32_t line, col;
	size_t seq; /* keeps the sort stable */
	char *text;
};

/* Enough for any real mistake; a generated file gone wrong stays bounded. */
#define YDOC_MAX_ERRORS 10000

void ydoc_check_init(struct ydoc_check *c, const char *name, void *user)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->user = user;
}

void ydoc_check_fini(struct ydoc_check *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->msgs[i].text);
	free(c->msgs);
	c->msgs = NULL;
	c->count = c->cap = 0;
}

static void add_error(struct ydoc_check *c, uint32_t line, uint32_t col,
		      const char *fmt, va_list ap)
{
	char *text;

	if (c->count == YDOC_MAX_ERRORS)
		goto drop;
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct ydoc_msg *m = realloc(c->msgs, cap * sizeof(*m));

		if (!m)
			goto drop;
		c->msgs = m;
		c->cap = cap;
	}
	if (vasprintf(&text, fmt, ap) < 0)
		goto drop;
	c->msgs[c->count] = (struct ydoc_msg){line, col, c->count, text};
	c->count++;
	return;
drop:
	c->dropped++;
}

void ydoc_error_at(struct ydoc_check *c, uint32_t line, uint32_t col,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, line, col, fmt, ap);
	va_end(ap);
}

void ydoc_error(struct ydoc_check *c, const struct ydoc_node *at,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, at->line, at->col, fmt, ap);
	va_end(ap);
}

static int msg_cmp(const void *a, const void *b)
{
	const struct ydoc_msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ydoc_check_report(struct ydoc_check *c, char *buf, size_t len)
{
	size_t used = 0, shown = 0;
	char more[64];
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (c->count)
		qsort(c->msgs, c->count, sizeof(*c->msgs), msg_cmp);
	for (; shown < c->count; shown++) {
		const struct ydoc_msg *m = &c->msgs[shown];

		if (m->line)
			n = snprintf(buf + used, len - used, "%s:%u:%u: %s\n",
				     c->name, m->line, m->col, m->text);
		else
			n = snprintf(buf + used, len - used, "%s: %s\n",
				     c->name, m->text);
		if (n < 0 || (size_t)n >= len - used) {
			/* A cut first line is better than no message. */
			buf[shown ? used : len - 1] = '\0';
			used = strlen(buf);
			break;
		}
		used += n;
	}
	n = snprintf(more, sizeof(more), "%s: %zu more errors\n", c->name,
		     ydoc_error_count(c) - shown);
	if (shown < ydoc_error_count(c) && n > 0 && (size_t)n < len - used)
		memcpy(buf + used, more, n + 1);
}

/* Parsing: events -> tree */

#define YDOC_MAX_DEPTH 64

struct builder {
	struct ydoc *doc;
	struct ydoc_check *c;
	/* Finished children of the open containers, innermost last. */
	const struct ydoc_node **pending;
	size_t npending, cap;
	struct {
		struct ydoc_node *node;
		size_t base; /* its first child in pending */
	} open[YDOC_MAX_DEPTH];
	size_t depth;
	int documents;
};

static uint32_t mark_u32(size_t v)
{
	return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v + 1;
}

static bool out_of_memory(struct builder *b, const yaml_mark_t *m)
{
	ydoc_error_at(b->c, mark_u32(m->line), mark_u32(m->column),
		      "out of memory");
	return false;
}

static struct ydoc_node *new_node(struct builder *b, enum ydoc_kind kind,
				  const yaml_mark_t *m)
{
	struct ydoc_node *n = arena_alloc(b->doc, sizeof(*n));

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = mark_u32(m->line);
	n->col = mark_u32(m->column);
	return n;
}

static bool add_child(struct builder *b, const struct ydoc_node *n)
{
	if (b->depth == 0) {
		b->doc->root = n;
		return true;
	}
	if (b->npending == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		const struct ydoc_node **p =
			realloc(b->pending, cap * sizeof(*p));

		if (!p)
			return false;
		b->pending = p;
		b->cap = cap;
	}
	b->pending[b->npending++] = n;
	return true;
}

static bool refuse_extras(struct builder *b, const yaml_mark_t *m,
			  const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor)
		ydoc_error_at(b->c, mark_u32(m->line), mark_u32(m->column),
			      "anchors (&%s) are not supported; write the "
			      "value out",
			      (const char *)anchor);
	else if (tag)
		ydoc_error_at(b->c, mark_u32(m->line), mark_u32(m->column),
			      "tags (%s) are not supported", (const char *)tag);
	return !anchor && !tag;
}

static bool open_container(struct builder *b, const yaml_event_t *ev,
			   enum ydoc_kind kind)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct ydoc_node *n;

	if (b->depth == YDOC_MAX_DEPTH) {
		ydoc_error_at(b->c, mark_u32(m->line), mark_u32(m->column),
			      "nested deeper than %d levels", YDOC_MAX_DEPTH);
		return false;
	}
	n = new_node(b, kind, m);
	if (!n)
		return out_of_memory(b, m);
	b->open[b->depth].node = n;
	b->open[b->depth].base = b->npending;
	b->depth++;
	return true;
}

static bool close_container(struct builder *b, const yaml_event_t *ev)
{
	struct ydoc_node *n = b->open[b->depth - 1].node;
	size_t base = b->open[b->depth - 1].base;
	size_t nchildren = b->npending - base;
	void *children = NULL;

	if (nchildren) {
		children = arena_alloc(b->doc, nchildren * sizeof(*b->pending));
		if (!children)
			return out_of_memory(b, &ev->start_mark);
		/* A pair is two node pointers: key, value. */
		memcpy(children, b->pending + base,
		       nchildren * sizeof(*b->pending));
	}
	if (n->kind == YDOC_MAPPING) {
		n->count = nchildren / 2;
		n->pairs = children;
	} else {
		n->count = nchildren;
		n->items = children;
	}
	b->npending = base;
	b->depth--;
	if (!add_child(b, n))
		return out_of_memory(b, &ev->start_mark);
	return true;
}

static bool add_scalar(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;
	struct ydoc_node *n = new_node(b, YDOC_SCALAR, m);
	char *text;

	if (!n)
		return out_of_memory(b, m);
	text = arena_alloc(b->doc, ev->data.scalar.length + 1);
	if (!text)
		return out_of_memory(b, m);
	memcpy(text, ev->data.scalar.value, ev->data.scalar.length);
	text[ev->data.scalar.length] = '\0';
	n->text = text;
	n->len = ev->data.scalar.length;
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	if (!add_child(b, n))
		return out_of_memory(b, m);
	return true;
}

static bool handle_event(struct builder *b, const yaml_event_t *ev)
{
	const yaml_mark_t *m = &ev->start_mark;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1) {
			ydoc_error_at(b->c, mark_u32(m->line),
				      mark_u32(m->column),
				      "a second YAML document; only one is "
				      "allowed");
			return false;
		}
		return true;
	case YAML_ALIAS_EVENT:
		ydoc_error_at(b->c, mark_u32(m->line), mark_u32(m->column),
			      "aliases (*%s) are not supported; write the "
			      "value out",
			      (const char *)ev->data.alias.anchor);
		return false;
	case YAML_SCALAR_EVENT:
		return refuse_extras(b, m, ev->data.scalar.anchor,
				     ev->data.scalar.tag) &&
		       add_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return refuse_extras(b, m, ev->data.sequence_start.anchor,
				     ev->data.sequence_start.tag) &&
		       open_container(b, ev, YDOC_SEQUENCE);
	case YAML_MAPPING_START_EVENT:
		return refuse_extras(b, m, ev->data.mapping_start.anchor,
				     ev->data.mapping_start.tag) &&
		       open_container(b, ev, YDOC_MAPPING);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return close_container(b, ev);
	default:
		return true;
	}
}

/* Where byte `at` is, as a 1-based line and column in characters. */
static void position_of(const char *text, size_t len, size_t at, uint32_t *line,
			uint32_t *col)
{
	*line = *col = 1;
	for (size_t i = 0; i < at && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/* The byte at a 1-based line and column in characters (or len). */
static size_t byte_at(const char *text, size_t len, uint32_t line, uint32_t col)
{
	size_t i = 0;

	while (line > 1 && i < len)
		if (text[i++] == '\n')
			line--;
	for (; col > 1 && i < len; col--)
		do
			i++;
		while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80);
	return i;
}

static void syntax_error(struct ydoc_check *c, const yaml_parser_t *p,
			 const char *text, size_t len)
{
	const char *problem = p->problem ? p->problem : "syntax error";
	const char *hint = "";
	uint32_t line, col;

	if (p->error == YAML_MEMORY_ERROR) {
		ydoc_error_at(c, 0, 0, "out of memory");
		return;
	}
	/* The reader (bad UTF-8) reports a byte offset, the others a mark. */
	if (p->error == YAML_READER_ERROR) {
		position_of(text, len, p->problem_offset, &line, &col);
	} else {
		line = mark_u32(p->problem_mark.line);
		col = mark_u32(p->problem_mark.column);
		/* libyaml takes `::1` and `2001:db8::` apart at the colons. */
		if (byte_at(text, len, line, col) < len &&
		    text[byte_at(text, len, line, col)] == ':')
			hint = "; quote IPv6 addresses: \"2001:db8::/32\"";
	}
	if (p->context)
		ydoc_error_at(c, line, col, "%s (%s at line %zu)%s", problem,
			      p->context, p->context_mark.line + 1, hint);
	else
		ydoc_error_at(c, line, col, "%s%s", problem, hint);
}

struct ydoc *ydoc_parse(const char *text, size_t len, struct ydoc_check *c)
{
	struct builder b = {.c = c};
	yaml_parser_t parser;
	yaml_event_t ev;
	bool ok = true, done = false;

	b.doc = calloc(1, sizeof(*b.doc));
	if (!b.doc || !yaml_parser_initialize(&parser)) {
		free(b.doc);
		ydoc_error_at(c, 0, 0, "out of memory");
		return NULL;
	}
	b.doc->next_chunk = ARENA_MIN_CHUNK;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (ok && !done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(c, &parser, text, len);
			ok = false;
			break;
		}
		ok = handle_event(&b, &ev);
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(b.pending);
	if (!ok) {
		ydoc_free(b.doc);
		return NULL;
	}
	return b.doc;
}

/* Node helpers */

bool ydoc_is_null(const struct ydoc_node *n)
{
	return n->kind == YDOC_SCALAR && !n->quoted && n->len == 0;
}

bool ydoc_scalar_is(const struct ydoc_node *n, const char *word)
{
	return n->kind == YDOC_SCALAR && strlen(word) == n->len &&
	       memcmp(n->text, word, n->len) == 0;
}

const struct ydoc_node *ydoc_map_get(const struct ydoc_node *map,
				     const char *key)
{
	if (!map || map->kind != YDOC_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->count; i++)
		if (ydoc_scalar_is(map->pairs[i].key, key))
			return map->pairs[i].value;
	return NULL;
}

/* 'text' or "text", as written; cut at `max` bytes. */
static void quote_scalar(const struct ydoc_node *n, char *buf, size_t max)
{
	char q = n->quoted ? '"' : '\'';
	size_t o = 0;

	buf[o++] = q;
	for (size_t i = 0; i < n->len && i < max; i++) {
		unsigned char ch = (unsigned char)n->text[i];

		buf[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (n->len > max) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = q;
	buf[o] = '\0';
}

const char *ydoc_describe(const struct ydoc_node *n, char *buf, size_t len)
{
	const size_t shown_max = 48;

	if (!n || ydoc_is_null(n))
		snprintf(buf, len, "nothing");
	else if (n->kind == YDOC_SEQUENCE)
		snprintf(buf, len, "a list");
	else if (n->kind == YDOC_MAPPING)
		snprintf(buf, len, "a mapping");
	else if (len < shown_max + 8)
		snprintf(buf, len, "a value");
	else
		quote_scalar(n, buf, shown_max);
	return buf;
}
