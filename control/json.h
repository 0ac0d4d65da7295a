/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * json: a small, strict JSON reader (text -> read-only tree) and writer
 * (calls -> text in a growing buffer), for the control socket.
 *
 * Contract:
 *  - json_parse() accepts exactly one RFC 8259 value, optionally surrounded
 *    by whitespace, within the given limits (size, nesting, value count),
 *    and refuses everything else with one message "offset N: what" (N is the
 *    0-based byte offset of the fault). Beyond RFC 8259 it refuses:
 *    numbers with a fraction or exponent (floats are not supported),
 *    integers outside int64, duplicate keys in an object, invalid UTF-8,
 *    unpaired surrogates and \u0000 (so every string is a C string).
 *  - The tree lives in one allocation arena owned by the json_doc, freed by
 *    json_free(); nothing points into the caller's text. Strings are UTF-8,
 *    NUL-terminated, escapes decoded. Members keep their order.
 *  - Recursion is bounded by the depth limit (at most JSON_DEPTH_MAX); input
 *    is never read past `len`.
 *  - The writer produces valid JSON or records why it could not (too large,
 *    out of memory, misuse such as a key inside an array); after an error
 *    further calls do nothing. Strings are escaped (", \, control
 *    characters) and bytes that are not UTF-8 become U+FFFD, so any C string
 *    can be written. Output style: `{"a": 1, "b": [true, null]}`.
 *  - Nothing here is thread-safe per object; separate objects are
 *    independent.
 */
#ifndef SIPWARDEN_JSON_H
#define SIPWARDEN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hard cap on nesting, for both the parser and the writer. */
#define JSON_DEPTH_MAX 128

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_INT,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json_value {
	enum json_type type;
	size_t offset; /* where the value starts in the parsed text */
	size_t len;    /* string: bytes (without the NUL); array: items;
			  object: members */
	union {
		bool boolean;
		int64_t integer;
		const char *string;
		const struct json_value *items;	   /* array */
		const struct json_member *members; /* object */
	} u;
};

struct json_member {
	const char *key; /* NUL-terminated */
	size_t key_len;
	struct json_value value;
};

struct json_limits {
	size_t max_size;	/* bytes of text */
	unsigned int max_depth; /* nested arrays/objects; capped at
				   JSON_DEPTH_MAX */
	size_t max_values;	/* values in the document, containers and
				   scalars, at every level */
};

/* What json_parse() uses when given NULL limits. */
#define JSON_DEFAULT_MAX_SIZE 65536
#define JSON_DEFAULT_MAX_DEPTH 32
#define JSON_DEFAULT_MAX_VALUES 4096

struct json_doc;

/*
 * Parse `len` bytes of `text` (need not be NUL-terminated). NULL on error,
 * with "offset N: message" in err.
 */
struct json_doc *json_parse(const char *text, size_t len,
			    const struct json_limits *limits, char *err,
			    size_t errlen);
const struct json_value *json_root(const struct json_doc *doc);
void json_free(struct json_doc *doc);

/* "null", "boolean", "integer", "string", "array", "object" */
const char *json_type_name(enum json_type type);

/* The member `key` of an object; NULL when absent or obj is not an object
 * (obj may be NULL). */
const struct json_value *json_get(const struct json_value *obj,
				  const char *key);

/* Typed lookups with a default: `def` when the member is absent, null or of
 * another type. */
const char *json_get_string(const struct json_value *obj, const char *key,
			    const char *def);
int64_t json_get_int(const struct json_value *obj, const char *key,
		     int64_t def);
bool json_get_bool(const struct json_value *obj, const char *key, bool def);

/*
 * Strict typed lookups for validating input: 1 when present with the right
 * type (*out set), 0 when absent or null (*out untouched), -1 when of
 * another type, with "'KEY' must be a TYPE" in err.
 */
int json_take_string(const struct json_value *obj, const char *key,
		     const char **out, char *err, size_t errlen);
int json_take_int(const struct json_value *obj, const char *key, int64_t *out,
		  char *err, size_t errlen);
int json_take_bool(const struct json_value *obj, const char *key, bool *out,
		   char *err, size_t errlen);

/* Writer */

enum json_writer_error {
	JSON_WRITER_OK = 0,
	JSON_WRITER_TOO_LARGE, /* the text would pass max_len */
	JSON_WRITER_NOMEM,
	JSON_WRITER_MISUSE, /* key outside an object, value without a key,
			       unbalanced end, nesting past JSON_DEPTH_MAX */
};

struct json_writer {
	char *buf; /* NUL-terminated text so far (NULL until written) */
	size_t len, cap;
	size_t max_len; /* 0: no limit */
	enum json_writer_error error;
	unsigned int depth;
	bool need_comma; /* a value was written at this level */
	bool after_key;	 /* a key waits for its value */
	uint64_t is_object[JSON_DEPTH_MAX / 64 + 1]; /* bit per level */
};

void json_writer_init(struct json_writer *w, size_t max_len);
/* Empty the text and the error, keep the buffer. */
void json_writer_reset(struct json_writer *w);
void json_writer_free(struct json_writer *w);

void json_writer_begin_object(struct json_writer *w);
void json_writer_end_object(struct json_writer *w);
void json_writer_begin_array(struct json_writer *w);
void json_writer_end_array(struct json_writer *w);
void json_writer_key(struct json_writer *w, const char *key);
void json_writer_string(struct json_writer *w, const char *s);
void json_writer_string_len(struct json_writer *w, const char *s, size_t len);
void json_writer_int(struct json_writer *w, int64_t v);
void json_writer_uint(struct json_writer *w, uint64_t v);
void json_writer_bool(struct json_writer *w, bool v);
void json_writer_null(struct json_writer *w);
/* A parsed value, written again (compact style as above). */
void json_writer_value(struct json_writer *w, const struct json_value *v);
/* `len` bytes that the caller guarantees are one valid JSON value. */
void json_writer_raw(struct json_writer *w, const char *json, size_t len);

/* True when no error happened and every container is closed. */
bool json_writer_complete(const struct json_writer *w);
/* The text ("" before anything is written). */
const char *json_writer_text(const struct json_writer *w);
const char *json_writer_error_name(enum json_writer_error e);

#endif
