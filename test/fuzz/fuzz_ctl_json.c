/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the JSON parser and the control protocol's request dispatch
 * on arbitrary text. Beyond "no crash": a refusal says where; an accepted
 * value written back reads back and writes the same text; every request
 * gets one well-formed reply object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_server.h"
#include "json.h"

static int h_echo(void *ctx, const struct json_value *args,
		  struct json_writer *w, char *err, size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	json_writer_key(w, "args");
	json_writer_value(w, args);
	return 0;
}

/* Looks at its arguments the way a real handler does. */
static int h_tenant(void *ctx, const struct json_value *args,
		    struct json_writer *w, char *err, size_t errlen)
{
	const char *name = NULL;
	int64_t cps = 0;

	(void)ctx;
	if (json_take_string(args, "name", &name, err, errlen) < 0 ||
	    json_take_int(args, "cps", &cps, err, errlen) < 0)
		return -1;
	if (!name) {
		snprintf(err, errlen, "missing 'name'");
		return -1;
	}
	json_writer_key(w, "name");
	json_writer_string(w, name);
	json_writer_key(w, "cps");
	json_writer_int(w, cps);
	return json_get_bool(args, "fail", false) ? -1 : 0;
}

static const struct ctl_command cmds[] = {
	{"echo", h_echo, "the args back"},
	{"tenant.set", h_tenant, "a handler that checks its args"},
	{NULL, NULL, NULL},
};

static void write_back(const struct json_value *v, struct json_writer *w)
{
	json_writer_init(w, 0);
	json_writer_value(w, v);
	if (!json_writer_complete(w))
		abort();
}

static void check_json(const char *text, size_t len)
{
	const struct json_limits lim = {.max_size = len ? len : 1,
					.max_depth = 64,
					.max_values = 1 << 16};
	const struct json_limits again = {
		.max_size = SIZE_MAX, .max_depth = 64, .max_values = 1 << 16};
	struct json_writer w1, w2;
	struct json_doc *doc, *doc2;
	char err[256];

	doc = json_parse(text, len, &lim, err, sizeof(err));
	if (!doc) {
		if (strncmp(err, "offset ", 7) != 0)
			abort(); /* a refusal always says where */
		return;
	}
	write_back(json_root(doc), &w1);
	doc2 = json_parse(w1.buf, w1.len, &again, err, sizeof(err));
	if (!doc2)
		abort(); /* what we write, we read */
	write_back(json_root(doc2), &w2);
	if (w1.len != w2.len || memcmp(w1.buf, w2.buf, w1.len) != 0)
		abort(); /* and it is stable */
	json_writer_free(&w1);
	json_writer_free(&w2);
	json_free(doc2);
	json_free(doc);
}

static void check_dispatch(const char *text, size_t len)
{
	const struct json_limits lim = {.max_size = SIZE_MAX};
	const struct json_value *reply, *ok;
	struct json_writer out;
	struct json_doc *doc;
	char err[256];

	json_writer_init(&out, 0);
	ctl_server_handle_line(cmds, NULL, text, len, &out);
	if (!json_writer_complete(&out) || memchr(out.buf, '\n', out.len))
		abort(); /* one line */
	doc = json_parse(out.buf, out.len, &lim, err, sizeof(err));
	if (!doc)
		abort();
	reply = json_root(doc);
	ok = json_get(reply, "ok");
	if (!ok || ok->type != JSON_BOOL)
		abort();
	if (ok->u.boolean
		    ? !json_get(reply, "result") ||
			      json_get(reply, "result")->type != JSON_OBJECT
		    : !json_get_string(reply, "error", NULL))
		abort();
	json_free(doc);
	json_writer_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_json((const char *)data, size);
	check_dispatch((const char *)data, size);
	return 0;
}
