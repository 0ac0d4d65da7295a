/* SPDX-License-Identifier: BSD-3-Clause */
/* json: the strict reader (contract in json.h); the writer is in
 * json_writer.c. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_internal.h"

/* Arena: blocks that only grow, freed together. */

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

struct json_doc {
	struct json_value root;
	struct arena_block *blocks;
};

#define ARENA_BLOCK_MIN 4096

static void *arena_alloc(struct json_doc *doc, size_t size)
{
	struct arena_block *b = doc->blocks;

	size = (size + 7) & ~(size_t)7;
	if (!b || b->size - b->used < size) {
		size_t want = b ? 2 * b->size : ARENA_BLOCK_MIN;

		if (want < size)
			want = size;
		b = malloc(sizeof(*b) + want);
		if (!b)
			return NULL;
		b->next = doc->blocks;
		b->used = 0;
		b->size = want;
		doc->blocks = b;
	}
	b->used += size;
	return (char *)b->data + b->used - size;
}

void json_free(struct json_doc *doc)
{
	if (!doc)
		return;
	for (struct arena_block *b = doc->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(doc);
}

const struct json_value *json_root(const struct json_doc *doc)
{
	return doc ? &doc->root : NULL;
}

const char *json_type_name(enum json_type type)
{
	static const char *const names[] = {
		[JSON_NULL] = "null",	[JSON_BOOL] = "boolean",
		[JSON_INT] = "integer", [JSON_STRING] = "string",
		[JSON_ARRAY] = "array", [JSON_OBJECT] = "object",
	};

	return (unsigned int)type < sizeof(names) / sizeof(names[0])
		       ? names[type]
		       : "?";
}

/*
 * Length of the well-formed UTF-8 sequence at s (n bytes available), or 0:
 * no overlong forms, no surrogates, nothing past U+10FFFF.
 */
size_t json_utf8_sequence(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Parser */

struct parser {
	const char *text;
	size_t len, pos;
	size_t values, max_values;
	unsigned int depth, max_depth;
	struct json_doc *doc;
	struct json_member *stack; /* children of the open containers */
	size_t sp, cap;
	char *err;
	size_t errlen;
};

static bool fail(struct parser *p, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(struct parser *p, size_t offset, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->errlen)
		return false;
	n = snprintf(p->err, p->errlen, "offset %zu: ", offset);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* "'x'" for a printable character, "byte 0xNN" otherwise. */
static const char *describe(char buf[16], unsigned char c)
{
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02x", c);
	return buf;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->text[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static bool at_end(struct parser *p)
{
	if (p->pos < p->len)
		return false;
	return !fail(p, p->len, "unexpected end of input");
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at s[0..3] (bounds checked by the caller), or -1. */
static long hex4(const char *s)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hex_digit(s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* A \uXXXX escape (or surrogate pair) at j, the string ending at `end`. */
static bool decode_u_escape(struct parser *p, size_t j, size_t end,
			    uint32_t *cp, size_t *used)
{
	const char *t = p->text;
	long hi, lo;

	if (end - j < 6 || (hi = hex4(t + j + 2)) < 0)
		return fail(p, j, "invalid \\u escape (4 hex digits expected)");
	*used = 6;
	*cp = (uint32_t)hi;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(p, j, "unpaired surrogate in \\u escape");
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (end - j < 12 || t[j + 6] != '\\' || t[j + 7] != 'u' ||
		    (lo = hex4(t + j + 8)) < 0xdc00 || lo > 0xdfff)
			return fail(p, j, "unpaired surrogate in \\u escape");
		*cp = 0x10000 + ((uint32_t)(hi - 0xd800) << 10) +
		      (uint32_t)(lo - 0xdc00);
		*used = 12;
	}
	if (*cp == 0)
		return fail(p, j, "\\u0000 is not allowed");
	return true;
}

static bool parse_string(struct parser *p, const char **out, size_t *outlen)
{
	const char *t = p->text;
	size_t start = p->pos, end = start + 1, j, n = 0;
	char *dst;
	char d[16];

	/* find the closing quote first: the decoded text is never longer */
	while (end < p->len && t[end] != '"')
		end += t[end] == '\\' ? 2 : 1;
	if (end >= p->len)
		return fail(p, start, "unterminated string");
	dst = arena_alloc(p->doc, end - start);
	if (!dst)
		return fail(p, start, "out of memory");
	for (j = start + 1; j < end;) {
		unsigned char c = (unsigned char)t[j];
		uint32_t cp = 0;
		size_t used = 0;

		if (c < 0x20)
			return fail(p, j,
				    "control character 0x%02x in a string "
				    "(escape it)",
				    c);
		if (c >= 0x80) {
			used = json_utf8_sequence((const unsigned char *)t + j,
					     end - j);
			if (!used)
				return fail(p, j, "invalid UTF-8");
			memcpy(dst + n, t + j, used);
			n += used;
			j += used;
			continue;
		}
		if (c != '\\') {
			dst[n++] = (char)c;
			j++;
			continue;
		}
		switch (t[j + 1]) {
		case '"':
		case '\\':
		case '/':
			dst[n++] = t[j + 1];
			break;
		case 'b':
			dst[n++] = '\b';
			break;
		case 'f':
			dst[n++] = '\f';
			break;
		case 'n':
			dst[n++] = '\n';
			break;
		case 'r':
			dst[n++] = '\r';
			break;
		case 't':
			dst[n++] = '\t';
			break;
		case 'u':
			if (!decode_u_escape(p, j, end, &cp, &used))
				return false;
			n += utf8_encode(cp, dst + n);
			j += used;
			continue;
		default:
			return fail(p, j, "invalid escape: \\ followed by %s",
				    describe(d, (unsigned char)t[j + 1]));
		}
		j += 2;
	}
	dst[n] = '\0';
	*out = dst;
	*outlen = n;
	p->pos = end + 1;
	return true;
}

static bool parse_number(struct parser *p, struct json_value *v)
{
	const char *t = p->text;
	size_t start = p->pos;
	bool neg = t[p->pos] == '-';
	uint64_t acc = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;

	if (neg)
		p->pos++;
	if (p->pos >= p->len || t[p->pos] < '0' || t[p->pos] > '9')
		return fail(p, p->pos, "expected a digit after '-'");
	if (t[p->pos] == '0' && p->pos + 1 < p->len && t[p->pos + 1] >= '0' &&
	    t[p->pos + 1] <= '9')
		return fail(p, start, "leading zeros are not allowed");
	while (p->pos < p->len && t[p->pos] >= '0' && t[p->pos] <= '9') {
		unsigned int digit = (unsigned int)(t[p->pos] - '0');

		if (acc > (limit - digit) / 10)
			return fail(p, start,
				    "integer out of range (64-bit signed)");
		acc = acc * 10 + digit;
		p->pos++;
	}
	if (p->pos < p->len &&
	    (t[p->pos] == '.' || t[p->pos] == 'e' || t[p->pos] == 'E'))
		return fail(p, start,
			    "floating-point numbers are not supported");
	v->type = JSON_INT;
	if (!neg)
		v->u.integer = (int64_t)acc;
	else
		v->u.integer = acc > INT64_MAX ? INT64_MIN : -(int64_t)acc;
	return true;
}

static bool parse_literal(struct parser *p, struct json_value *v)
{
	static const struct {
		const char *word;
		size_t len;
		enum json_type type;
		bool value;
	} words[] = {
		{"true", 4, JSON_BOOL, true},
		{"false", 5, JSON_BOOL, false},
		{"null", 4, JSON_NULL, false},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (p->len - p->pos >= words[i].len &&
		    memcmp(p->text + p->pos, words[i].word, words[i].len) ==
			    0) {
			v->type = words[i].type;
			v->u.boolean = words[i].value;
			p->pos += words[i].len;
			return true;
		}
	}
	return fail(p, p->pos,
		    "invalid literal (true, false or null expected)");
}

static bool push(struct parser *p, const struct json_member *m)
{
	if (p->sp == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct json_member *s = realloc(p->stack, cap * sizeof(*s));

		if (!s)
			return fail(p, p->pos, "out of memory");
		p->stack = s;
		p->cap = cap;
	}
	p->stack[p->sp++] = *m;
	return true;
}

static bool parse_value(struct parser *p, struct json_value *v);

static bool parse_key(struct parser *p, size_t base, struct json_member *m)
{
	size_t at = p->pos;
	char d[16];

	if (p->text[p->pos] != '"')
		return fail(p, p->pos, "expected a string key, got %s",
			    describe(d, (unsigned char)p->text[p->pos]));
	if (!parse_string(p, &m->key, &m->key_len))
		return false;
	for (size_t i = base; i < p->sp; i++)
		if (p->stack[i].key_len == m->key_len &&
		    memcmp(p->stack[i].key, m->key, m->key_len) == 0)
			return fail(p, at, "duplicate key '%s'", m->key);
	skip_ws(p);
	if (at_end(p))
		return false;
	if (p->text[p->pos] != ':')
		return fail(p, p->pos, "expected ':'");
	p->pos++;
	return true;
}

/* Move the children above base from the stack into the arena. */
static bool close_container(struct parser *p, struct json_value *v, size_t base)
{
	size_t count = p->sp - base;

	v->len = count;
	if (v->type == JSON_OBJECT) {
		struct json_member *m =
			count ? arena_alloc(p->doc, count * sizeof(*m)) : NULL;

		if (count && !m)
			return fail(p, v->offset, "out of memory");
		if (count)
			memcpy(m, p->stack + base, count * sizeof(*m));
		v->u.members = m;
	} else {
		struct json_value *items =
			count ? arena_alloc(p->doc, count * sizeof(*items))
			      : NULL;

		if (count && !items)
			return fail(p, v->offset, "out of memory");
		for (size_t i = 0; i < count; i++)
			items[i] = p->stack[base + i].value;
		v->u.items = items;
	}
	p->sp = base;
	p->depth--;
	return true;
}

static bool parse_container(struct parser *p, struct json_value *v)
{
	bool object = p->text[p->pos] == '{';
	char close = object ? '}' : ']';
	size_t base = p->sp;

	if (p->depth >= p->max_depth)
		return fail(p, p->pos, "nesting deeper than %u", p->max_depth);
	p->depth++;
	p->pos++;
	v->type = object ? JSON_OBJECT : JSON_ARRAY;
	skip_ws(p);
	if (at_end(p))
		return false;
	if (p->text[p->pos] == close) {
		p->pos++;
		return close_container(p, v, base);
	}
	for (;;) {
		struct json_member m = {0};

		skip_ws(p);
		if (at_end(p))
			return false;
		if (object && !parse_key(p, base, &m))
			return false;
		if (!parse_value(p, &m.value) || !push(p, &m))
			return false;
		skip_ws(p);
		if (at_end(p))
			return false;
		if (p->text[p->pos] == close) {
			p->pos++;
			return close_container(p, v, base);
		}
		if (p->text[p->pos] != ',')
			return fail(p, p->pos, "expected ',' or '%c'", close);
		p->pos++;
	}
}

static bool parse_value(struct parser *p, struct json_value *v)
{
	char c, d[16];

	skip_ws(p);
	if (at_end(p))
		return false;
	if (++p->values > p->max_values)
		return fail(p, p->pos, "more than %zu values", p->max_values);
	v->offset = p->pos;
	c = p->text[p->pos];
	switch (c) {
	case '{':
	case '[':
		return parse_container(p, v);
	case '"':
		v->type = JSON_STRING;
		return parse_string(p, &v->u.string, &v->len);
	case 't':
	case 'f':
	case 'n':
		return parse_literal(p, v);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p, v);
		return fail(p, p->pos, "expected a value, got %s",
			    describe(d, (unsigned char)c));
	}
}

struct json_doc *json_parse(const char *text, size_t len,
			    const struct json_limits *limits, char *err,
			    size_t errlen)
{
	struct parser p = {
		.text = text,
		.len = len,
		.max_values = JSON_DEFAULT_MAX_VALUES,
		.max_depth = JSON_DEFAULT_MAX_DEPTH,
		.err = err,
		.errlen = errlen,
	};
	size_t max_size = JSON_DEFAULT_MAX_SIZE;
	char d[16];
	bool ok;

	if (errlen)
		err[0] = '\0';
	if (limits) {
		if (limits->max_size)
			max_size = limits->max_size;
		if (limits->max_values)
			p.max_values = limits->max_values;
		if (limits->max_depth)
			p.max_depth = limits->max_depth;
	}
	if (p.max_depth > JSON_DEPTH_MAX)
		p.max_depth = JSON_DEPTH_MAX;
	if (len > max_size) {
		fail(&p, max_size, "text longer than %zu bytes", max_size);
		return NULL;
	}
	p.doc = calloc(1, sizeof(*p.doc));
	if (!p.doc) {
		fail(&p, 0, "out of memory");
		return NULL;
	}
	ok = parse_value(&p, &p.doc->root);
	if (ok) {
		skip_ws(&p);
		if (p.pos < len)
			ok = fail(&p, p.pos, "unexpected %s after the value",
				  describe(d, (unsigned char)text[p.pos]));
	}
	free(p.stack);
	if (!ok) {
		json_free(p.doc);
		return NULL;
	}
	return p.doc;
}

/* Lookups */

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (strcmp(obj->u.members[i].key, key) == 0)
			return &obj->u.members[i].value;
	return NULL;
}

static const struct json_value *get_typed(const struct json_value *obj,
					  const char *key, enum json_type type)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == type ? v : NULL;
}

const char *json_get_string(const struct json_value *obj, const char *key,
			    const char *def)
{
	const struct json_value *v = get_typed(obj, key, JSON_STRING);

	return v ? v->u.string : def;
}

int64_t json_get_int(const struct json_value *obj, const char *key, int64_t def)
{
	const struct json_value *v = get_typed(obj, key, JSON_INT);

	return v ? v->u.integer : def;
}

bool json_get_bool(const struct json_value *obj, const char *key, bool def)
{
	const struct json_value *v = get_typed(obj, key, JSON_BOOL);

	return v ? v->u.boolean : def;
}

/* The json_take_* rule: 1 found, 0 absent or null, -1 wrong type. */
static int take(const struct json_value *obj, const char *key,
		enum json_type type, const struct json_value **out, char *err,
		size_t errlen)
{
	const struct json_value *v = json_get(obj, key);

	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != type) {
		if (errlen)
			snprintf(err, errlen, "'%s' must be %s %s", key,
				 type == JSON_INT || type == JSON_ARRAY ||
						 type == JSON_OBJECT
					 ? "an"
					 : "a",
				 json_type_name(type));
		return -1;
	}
	*out = v;
	return 1;
}

int json_take_string(const struct json_value *obj, const char *key,
		     const char **out, char *err, size_t errlen)
{
	const struct json_value *v = NULL;
	int r = take(obj, key, JSON_STRING, &v, err, errlen);

	if (r > 0)
		*out = v->u.string;
	return r;
}

int json_take_int(const struct json_value *obj, const char *key, int64_t *out,
		  char *err, size_t errlen)
{
	const struct json_value *v = NULL;
	int r = take(obj, key, JSON_INT, &v, err, errlen);

	if (r > 0)
		*out = v->u.integer;
	return r;
}

int json_take_bool(const struct json_value *obj, const char *key, bool *out,
		   char *err, size_t errlen)
{
	const struct json_value *v = NULL;
	int r = take(obj, key, JSON_BOOL, &v, err, errlen);

	if (r > 0)
		*out = v->u.boolean;
	return r;
}

