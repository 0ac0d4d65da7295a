/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json: the parser (values, escapes, every error class with its offset,
 * limits, hostile input) and the writer (exact text, escaping, misuse,
 * size bound), and round trips between the two.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static char err[256];

static struct json_doc *parse(const char *text)
{
	return json_parse(text, strlen(text), NULL, err, sizeof(err));
}

/* Parse, write back compactly, and return the text (static buffer). */
static const char *rewrite(const char *text)
{
	static char out[4096];
	struct json_doc *doc = parse(text);
	struct json_writer w;

	if (!doc)
		fail_msg("'%s' refused: %s", text, err);
	json_writer_init(&w, 0);
	json_writer_value(&w, json_root(doc));
	assert_true(json_writer_complete(&w));
	snprintf(out, sizeof(out), "%s", json_writer_text(&w));
	json_writer_free(&w);
	json_free(doc);
	return out;
}

static void test_scalars(void **state)
{
	struct json_doc *doc;
	const struct json_value *v;

	(void)state;
	doc = parse(" \t\r\n true \n");
	assert_non_null(doc);
	v = json_root(doc);
	assert_int_equal(v->type, JSON_BOOL);
	assert_true(v->u.boolean);
	assert_int_equal(v->offset, 5);
	json_free(doc);

	doc = parse("null");
	assert_int_equal(json_root(doc)->type, JSON_NULL);
	json_free(doc);

	doc = parse("-0");
	assert_int_equal(json_root(doc)->type, JSON_INT);
	assert_int_equal(json_root(doc)->u.integer, 0);
	json_free(doc);

	doc = parse("9223372036854775807");
	assert_true(json_root(doc)->u.integer == INT64_MAX);
	json_free(doc);
	doc = parse("-9223372036854775808");
	assert_true(json_root(doc)->u.integer == INT64_MIN);
	json_free(doc);

	doc = parse("\"\"");
	assert_int_equal(json_root(doc)->type, JSON_STRING);
	assert_int_equal(json_root(doc)->len, 0);
	assert_string_equal(json_root(doc)->u.string, "");
	json_free(doc);
}

static void test_containers(void **state)
{
	struct json_doc *doc =
		parse("{\"a\": [1, {\"b\": []}, \"x\"], \"c\": {}, \"d\": -5}");
	const struct json_value *root, *a;

	(void)state;
	assert_non_null(doc);
	root = json_root(doc);
	assert_int_equal(root->type, JSON_OBJECT);
	assert_int_equal(root->len, 3);
	assert_string_equal(root->u.members[0].key, "a");
	assert_string_equal(root->u.members[2].key, "d");
	a = json_get(root, "a");
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->len, 3);
	assert_int_equal(a->u.items[0].u.integer, 1);
	assert_int_equal(a->u.items[1].type, JSON_OBJECT);
	assert_int_equal(json_get(&a->u.items[1], "b")->len, 0);
	assert_string_equal(a->u.items[2].u.string, "x");
	assert_int_equal(a->u.items[2].offset, 21);
	assert_int_equal(json_get(root, "c")->type, JSON_OBJECT);
	assert_int_equal(json_get(root, "c")->len, 0);
	assert_null(json_get(root, "nope"));
	assert_null(json_get(a, "a")); /* not an object */
	assert_null(json_get(NULL, "a"));
	json_free(doc);
}

static void test_escapes(void **state)
{
	static const struct {
		const char *text, *want;
		size_t len;
	} cases[] = {
		{"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8},
		{"\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6},
		{"\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
		{"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4},
		{"\"\\u0001\\u001f\\u007f\"", "\x01\x1f\x7f", 3},
		{"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14},
		{"\"\xef\xbf\xbf\xed\x9f\xbf\"", "\xef\xbf\xbf\xed\x9f\xbf", 6},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_doc *doc = parse(cases[i].text);

		if (!doc)
			fail_msg("case %zu refused: %s", i, err);
		assert_int_equal(json_root(doc)->len, cases[i].len);
		assert_memory_equal(json_root(doc)->u.string, cases[i].want,
				    cases[i].len + 1);
		json_free(doc);
	}
}

/* Every error class, with the offset it reports. */
static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"", "offset 0: unexpected end of input"},
		{"   ", "offset 3: unexpected end of input"},
		{"{\"a\" 1}", "offset 5: expected ':'"},
		{"{\"a\": 1 \"b\": 2}", "offset 8: expected ',' or '}'"},
		{"[1 2]", "offset 3: expected ',' or ']'"},
		{"{1: 2}", "offset 1: expected a string key, got '1'"},
		{"{\"a\": 1,}", "offset 8: expected a string key, got '}'"},
		{"[1,]", "offset 3: expected a value, got ']'"},
		{"[", "offset 1: unexpected end of input"},
		{"{\"a\":", "offset 5: unexpected end of input"},
		{"{\"a\": 1", "offset 7: unexpected end of input"},
		{"@", "offset 0: expected a value, got '@'"},
		{"\x01", "offset 0: expected a value, got byte 0x01"},
		{"'a'", "offset 0: expected a value, got '''"},
		{"tru", "offset 0: invalid literal (true, false or null "
			"expected)"},
		{"True", "offset 0: expected a value, got 'T'"},
		{"nul", "offset 0: invalid literal"},
		{"truex", "offset 4: unexpected 'x' after the value"},
		{"1 2", "offset 2: unexpected '2' after the value"},
		{"{} x", "offset 3: unexpected 'x' after the value"},
		{"\"abc", "offset 0: unterminated string"},
		{"[\"a\\\"]", "offset 1: unterminated string"},
		{"\"a\\", "offset 0: unterminated string"},
		{"\"a\nb\"", "offset 2: control character 0x0a in a string"},
		{"\"\t\"", "offset 1: control character 0x09"},
		{"\"\\x\"", "offset 1: invalid escape: \\ followed by 'x'"},
		{"\"\\u12\"", "offset 1: invalid \\u escape (4 hex digits "
			      "expected)"},
		{"\"\\u12g4\"", "offset 1: invalid \\u escape"},
		{"\"\\ud800\"", "offset 1: unpaired surrogate in \\u escape"},
		{"\"\\ud800\\u0041\"", "offset 1: unpaired surrogate"},
		{"\"\\udc00\"", "offset 1: unpaired surrogate"},
		{"\"ab\\u0000\"", "offset 3: \\u0000 is not allowed"},
		{"\"\xff\"", "offset 1: invalid UTF-8"},
		{"\"a\xc3\"", "offset 2: invalid UTF-8"},
		{"\"\xc0\xaf\"", "offset 1: invalid UTF-8"},	 /* overlong */
		{"\"\xe0\x80\xaf\"", "offset 1: invalid UTF-8"}, /* overlong */
		{"\"\xed\xa0\x80\"", "offset 1: invalid UTF-8"}, /* surrogate */
		{"\"\xf4\x90\x80\x80\"",
		 "offset 1: invalid UTF-8"},			 /* > 10FFFF */
		{"\"\xf0\x9f\x98\"", "offset 1: invalid UTF-8"}, /* short */
		{"01", "offset 0: leading zeros are not allowed"},
		{"[-01]", "offset 1: leading zeros are not allowed"},
		{"-", "offset 1: expected a digit after '-'"},
		{"[-x]", "offset 2: expected a digit after '-'"},
		{"+1", "offset 0: expected a value, got '+'"},
		{"1.5", "offset 0: floating-point numbers are not supported"},
		{"[0, 1e3]", "offset 4: floating-point numbers are not "
			     "supported"},
		{"2E1", "offset 0: floating-point"},
		{"9223372036854775808", "offset 0: integer out of range"},
		{"-9223372036854775809", "offset 0: integer out of range"},
		{"[99999999999999999999999]", "offset 1: integer out of range"},
		{"{\"a\": 1, \"b\": 2, \"a\": 3}",
		 "offset 17: duplicate key 'a'"},
		{"{\"\\u0061\": 1, \"a\": 2}", "offset 14: duplicate key 'a'"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct json_doc *doc = parse(cases[i].text);

		if (doc)
			fail_msg("case %zu '%s' accepted", i, cases[i].text);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu '%s':\n  want %s\n  got  %s", i,
				 cases[i].text, cases[i].want, err);
	}
}

/* The text need not be NUL-terminated, and is never read past len. */
static void test_length_bound(void **state)
{
	char *buf = malloc(4);
	struct json_doc *doc;

	(void)state;
	memcpy(buf, "[12]", 4);
	doc = json_parse(buf, 4, NULL, err, sizeof(err));
	assert_non_null(doc);
	json_free(doc);
	assert_null(json_parse(buf, 3, NULL, err, sizeof(err)));
	assert_string_equal(err, "offset 3: unexpected end of input");
	memcpy(buf, "\"ab\\", 4);
	assert_null(json_parse(buf, 4, NULL, err, sizeof(err)));
	memcpy(buf, "\"\\u1", 4);
	assert_null(json_parse(buf, 4, NULL, err, sizeof(err)));
	memcpy(buf, "tru", 3);
	assert_null(json_parse(buf, 3, NULL, err, sizeof(err)));
	/* an embedded NUL is just a bad byte */
	assert_null(json_parse("[1,\0 2]", 7, NULL, err, sizeof(err)));
	assert_string_equal(err, "offset 3: expected a value, got byte 0x00");
	free(buf);
}

static void test_limits(void **state)
{
	struct json_limits lim = {
		.max_size = 100, .max_depth = 3, .max_values = 5};
	struct json_doc *doc;
	char big[200];

	(void)state;
	doc = json_parse("[[[1]]]", 7, &lim, err, sizeof(err));
	assert_non_null(doc);
	json_free(doc);
	assert_null(json_parse("[[[[1]]]]", 9, &lim, err, sizeof(err)));
	assert_string_equal(err, "offset 3: nesting deeper than 3");
	assert_null(json_parse("{\"a\":{\"b\":{\"c\":{}}}}", 20, &lim, err,
			       sizeof(err)));
	assert_string_equal(err, "offset 15: nesting deeper than 3");

	doc = json_parse("[1,2,3,4]", 9, &lim, err, sizeof(err));
	assert_non_null(doc); /* 5 values: the array and four */
	json_free(doc);
	assert_null(json_parse("[1,2,3,4,5]", 11, &lim, err, sizeof(err)));
	assert_string_equal(err, "offset 9: more than 5 values");

	memset(big, ' ', sizeof(big));
	big[0] = '1';
	doc = json_parse(big, 100, &lim, err, sizeof(err));
	assert_non_null(doc);
	json_free(doc);
	assert_null(json_parse(big, 101, &lim, err, sizeof(err)));
	assert_string_equal(err, "offset 100: text longer than 100 bytes");

	/* defaults, and the hard cap on depth */
	lim = (struct json_limits){.max_depth = 100000};
	{
		size_t n = JSON_DEPTH_MAX + 1;
		char *deep = malloc(2 * n);

		memset(deep, '[', n);
		memset(deep + n, ']', n);
		assert_null(json_parse(deep, 2 * n, &lim, err, sizeof(err)));
		assert_string_equal(err, "offset 128: nesting deeper than 128");
		doc = json_parse(deep + 1, 2 * n - 2, &lim, err, sizeof(err));
		assert_non_null(doc);
		json_free(doc);
		free(deep);
	}
}

/* Hostile shapes: no crash, no unbounded recursion, bounded work. */
static void test_hostile(void **state)
{
	const size_t n = 1 << 20;
	char *text = malloc(n);
	struct json_limits lim = {.max_size = n, .max_values = n};
	struct json_doc *doc;
	uint32_t seed = 12345;
	const char *valid = "{\"cmd\": \"tenant.set\", \"args\": {\"name\": "
			    "\"a\\u00e9\", \"limits\": {\"cps\": 5}, \"l\": "
			    "[true, false, null, -1]}, \"id\": 7}";

	(void)state;
	memset(text, '[', n);
	assert_null(json_parse(text, n, &lim, err, sizeof(err)));
	assert_string_equal(err, "offset 32: nesting deeper than 32");
	memset(text, '{', n);
	assert_null(json_parse(text, n, &lim, err, sizeof(err)));
	/* a million values, refused by the default count */
	for (size_t i = 0; i < n; i += 2) {
		text[i] = i ? ',' : '[';
		text[i + 1] = '0';
	}
	text[n - 2] = ']'; /* [0,0,...,0] in n - 1 bytes */
	doc = json_parse(text, n - 1, &lim, err, sizeof(err));
	assert_non_null(doc);
	assert_int_equal(json_root(doc)->len, n / 2 - 1);
	json_free(doc);
	assert_null(json_parse(text, 65536, NULL, err, sizeof(err)));
	assert_string_equal(err, "offset 8191: more than 4096 values");
	/* many keys in one object: the duplicate check stays bounded */
	{
		size_t len = 0;

		text[len++] = '{';
		for (int i = 0; i < 4000; i++)
			len += (size_t)sprintf(text + len, "%s\"k%d\":%d",
					       i ? "," : "", i, i);
		text[len++] = '}';
		doc = json_parse(text, len, NULL, err, sizeof(err));
		assert_non_null(doc);
		assert_int_equal(json_root(doc)->len, 4000);
		assert_int_equal(json_get_int(json_root(doc), "k3999", -1),
				 3999);
		json_free(doc);
	}
	/* every prefix of a valid text, and random mutations of it */
	for (size_t len = 0; len < strlen(valid); len++) {
		doc = json_parse(valid, len, NULL, err, sizeof(err));
		assert_null(doc);
		assert_true(strncmp(err, "offset ", 7) == 0);
	}
	for (int round = 0; round < 20000; round++) {
		size_t len = strlen(valid);

		memcpy(text, valid, len);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			text[(seed >> 8) % len] = (char)(seed >> 20);
		}
		doc = json_parse(text, len, NULL, err, sizeof(err));
		if (!doc)
			assert_true(strncmp(err, "offset ", 7) == 0);
		json_free(doc);
	}
	free(text);
}

static void test_getters(void **state)
{
	struct json_doc *doc = parse("{\"s\": \"x\", \"i\": -3, \"b\": true, "
				     "\"n\": null, \"o\": {}}");
	const struct json_value *o = json_root(doc);
	const char *s = "unset";
	int64_t i = 99;
	bool b = false;

	(void)state;
	assert_string_equal(json_get_string(o, "s", "d"), "x");
	assert_string_equal(json_get_string(o, "i", "d"), "d");
	assert_string_equal(json_get_string(o, "missing", "d"), "d");
	assert_null(json_get_string(o, "missing", NULL));
	assert_int_equal(json_get_int(o, "i", 0), -3);
	assert_int_equal(json_get_int(o, "s", 42), 42);
	assert_true(json_get_bool(o, "b", false));
	assert_false(json_get_bool(o, "n", false));
	assert_true(json_get_bool(NULL, "b", true));

	assert_int_equal(json_take_string(o, "s", &s, err, sizeof(err)), 1);
	assert_string_equal(s, "x");
	assert_int_equal(json_take_string(o, "missing", &s, err, sizeof(err)),
			 0);
	assert_int_equal(json_take_string(o, "n", &s, err, sizeof(err)), 0);
	assert_string_equal(s, "x");
	assert_int_equal(json_take_string(o, "i", &s, err, sizeof(err)), -1);
	assert_string_equal(err, "'i' must be a string");
	assert_int_equal(json_take_int(o, "i", &i, err, sizeof(err)), 1);
	assert_int_equal(i, -3);
	assert_int_equal(json_take_int(o, "o", &i, err, sizeof(err)), -1);
	assert_string_equal(err, "'o' must be an integer");
	assert_int_equal(json_take_bool(o, "b", &b, err, sizeof(err)), 1);
	assert_true(b);
	assert_int_equal(json_take_bool(o, "s", &b, err, sizeof(err)), -1);
	assert_string_equal(err, "'s' must be a boolean");
	assert_string_equal(json_type_name(JSON_OBJECT), "object");
	json_free(doc);
}

static void test_writer(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 0);
	assert_string_equal(json_writer_text(&w), "");
	assert_false(json_writer_complete(&w));
	json_writer_begin_object(&w);
	json_writer_key(&w, "id");
	json_writer_int(&w, 7);
	json_writer_key(&w, "ok");
	json_writer_bool(&w, true);
	json_writer_key(&w, "result");
	json_writer_begin_object(&w);
	json_writer_key(&w, "tenants");
	json_writer_begin_array(&w);
	json_writer_begin_object(&w);
	json_writer_key(&w, "name");
	json_writer_string(&w, "acme");
	json_writer_key(&w, "max");
	json_writer_uint(&w, UINT64_MAX);
	json_writer_key(&w, "min");
	json_writer_int(&w, INT64_MIN);
	json_writer_end_object(&w);
	json_writer_begin_array(&w);
	json_writer_end_array(&w);
	json_writer_null(&w);
	json_writer_bool(&w, false);
	json_writer_end_array(&w);
	json_writer_key(&w, "empty");
	json_writer_begin_object(&w);
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	json_writer_end_object(&w);
	assert_true(json_writer_complete(&w));
	assert_string_equal(
		json_writer_text(&w),
		"{\"id\": 7, \"ok\": true, \"result\": {\"tenants\": "
		"[{\"name\": \"acme\", \"max\": "
		"18446744073709551615, \"min\": "
		"-9223372036854775808}, [], null, false], "
		"\"empty\": {}}}");
	assert_int_equal(w.len, strlen(json_writer_text(&w)));

	json_writer_reset(&w);
	assert_string_equal(json_writer_text(&w), "");
	json_writer_string(&w, "x");
	assert_true(json_writer_complete(&w));
	assert_string_equal(json_writer_text(&w), "\"x\"");
	json_writer_free(&w);
}

static void test_writer_escaping(void **state)
{
	struct json_writer w;
	struct json_doc *doc;
	const char raw[] = "q\" b\\ s/ \b\f\n\r\t \x01\x1f\x7f caf\xc3\xa9 "
			   "bad\xff\xc3 end";

	(void)state;
	json_writer_init(&w, 0);
	json_writer_string_len(&w, raw, sizeof(raw) - 1);
	assert_string_equal(json_writer_text(&w),
			    "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001\\u001f"
			    "\x7f caf\xc3\xa9 bad\xef\xbf\xbd\xef\xbf\xbd "
			    "end\"");
	/* and it reads back to the same text, invalid bytes replaced */
	doc = json_parse(w.buf, w.len, NULL, err, sizeof(err));
	assert_non_null(doc);
	assert_string_equal(json_root(doc)->u.string,
			    "q\" b\\ s/ \b\f\n\r\t \x01\x1f\x7f caf\xc3\xa9 "
			    "bad\xef\xbf\xbd\xef\xbf\xbd end");
	json_free(doc);
	/* keys are escaped too */
	json_writer_reset(&w);
	json_writer_begin_object(&w);
	json_writer_key(&w, "a\"b\n");
	json_writer_int(&w, 1);
	json_writer_end_object(&w);
	assert_string_equal(json_writer_text(&w), "{\"a\\\"b\\n\": 1}");
	json_writer_free(&w);
}

static void test_writer_misuse(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 0);
	json_writer_begin_array(&w);
	json_writer_key(&w, "k"); /* a key in an array */
	assert_int_equal(w.error, JSON_WRITER_MISUSE);
	assert_false(json_writer_complete(&w));

	json_writer_reset(&w);
	assert_int_equal(w.error, JSON_WRITER_OK);
	json_writer_begin_object(&w);
	json_writer_int(&w, 1); /* a value without a key */
	assert_int_equal(w.error, JSON_WRITER_MISUSE);

	json_writer_reset(&w);
	json_writer_begin_object(&w);
	json_writer_end_array(&w); /* the wrong end */
	assert_int_equal(w.error, JSON_WRITER_MISUSE);

	json_writer_reset(&w);
	json_writer_begin_object(&w);
	json_writer_key(&w, "k");
	json_writer_key(&w, "k2"); /* two keys */
	assert_int_equal(w.error, JSON_WRITER_MISUSE);

	json_writer_reset(&w);
	json_writer_begin_object(&w);
	json_writer_key(&w, "k");
	json_writer_end_object(&w); /* a key without its value */
	assert_int_equal(w.error, JSON_WRITER_MISUSE);

	json_writer_reset(&w);
	json_writer_end_object(&w); /* nothing open */
	assert_int_equal(w.error, JSON_WRITER_MISUSE);

	json_writer_reset(&w);
	json_writer_int(&w, 1);
	json_writer_int(&w, 2); /* two roots */
	assert_int_equal(w.error, JSON_WRITER_MISUSE);
	assert_string_equal(json_writer_text(&w), "1");

	json_writer_reset(&w);
	json_writer_begin_object(&w); /* left open */
	assert_false(json_writer_complete(&w));

	json_writer_reset(&w);
	for (int i = 0; i <= JSON_DEPTH_MAX; i++)
		json_writer_begin_array(&w);
	assert_int_equal(w.error, JSON_WRITER_MISUSE);
	assert_string_equal(json_writer_error_name(w.error), "writer misuse");
	json_writer_free(&w);
}

static void test_writer_max_len(void **state)
{
	struct json_writer w;

	(void)state;
	json_writer_init(&w, 10);
	json_writer_string(&w, "12345678"); /* 10 bytes with quotes */
	assert_true(json_writer_complete(&w));
	json_writer_reset(&w);
	json_writer_begin_array(&w);
	json_writer_string(&w, "12345678");
	assert_int_equal(w.error, JSON_WRITER_TOO_LARGE);
	json_writer_end_array(&w); /* ignored after an error */
	assert_false(json_writer_complete(&w));
	assert_true(w.len <= 10);
	json_writer_free(&w);

	/* growth well past the first buffer */
	json_writer_init(&w, 0);
	json_writer_begin_array(&w);
	for (int i = 0; i < 100000; i++)
		json_writer_int(&w, i);
	json_writer_end_array(&w);
	assert_true(json_writer_complete(&w));
	assert_true(w.len > 500000);
	json_writer_free(&w);
}

static void test_round_trip(void **state)
{
	static const char *const texts[] = {
		"{\"id\": 7, \"ok\": true, \"result\": {\"a\": [1, -2, "
		"\"x\"]}}",
		"[]",
		"{}",
		"[[[]], {\"\": {\"k\": null}}]",
		"\"\\u00e9\\n\\\"\\u0001\"",
		"-9223372036854775808",
		"{\"k\": false}",
	};

	(void)state;
	assert_string_equal(rewrite("{ \"a\" :[ 1,2 ],\"b\":{ } }"),
			    "{\"a\": [1, 2], \"b\": {}}");
	assert_string_equal(rewrite("\"\\u00e9\\/\""), "\"\xc3\xa9/\"");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char once[4096];

		snprintf(once, sizeof(once), "%s", rewrite(texts[i]));
		assert_string_equal(rewrite(once), once);
	}
	assert_string_equal(rewrite(texts[0]), texts[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_writer_escaping),
		cmocka_unit_test(test_writer_misuse),
		cmocka_unit_test(test_writer_max_len),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
