/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the state file reader (state_file_parse) on arbitrary bytes,
 * twice: as they are (almost always a checksum mismatch), and sealed with
 * their own length and checksum, so the section and record decoding is
 * what meets the bytes. Beyond "no crash": a refusal says why and calls
 * no handler; an accepted file's records, written out again, read back as
 * the same number of records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state_file.h"

struct tally {
	unsigned int records;
	struct state_file_buf *out; /* rewrite here when not NULL */
	int section;
};

static void open_section(struct tally *t, enum state_section s)
{
	t->records++;
	if (t->out != NULL && t->section != (int)s) {
		state_file_section(t->out, s);
		t->section = (int)s;
	}
}

static void on_key(const uint8_t key[16], void *arg)
{
	struct tally *t = arg;

	open_section(t, STATE_SECT_HASH_KEY);
	if (t->out)
		state_file_add_hash_key(t->out, key);
}

static void on_tenant(const struct state_tenant_rec *r, void *arg)
{
	struct tally *t = arg;

	if (strlen(r->name) == 0 || strlen(r->name) >= STATE_FILE_NAME_MAX)
		abort();
	open_section(t, STATE_SECT_TENANTS);
	if (t->out)
		state_file_add_tenant(t->out, r);
}

static void on_call(const struct state_call_rec *r, void *arg)
{
	struct tally *t = arg;

	open_section(t, STATE_SECT_CALLS);
	if (t->out)
		state_file_add_call(t->out, r);
}

static void on_reg(const struct state_reg_rec *r, void *arg)
{
	struct tally *t = arg;

	open_section(t, STATE_SECT_REGS);
	if (t->out)
		state_file_add_reg(t->out, r);
}

static void on_counts(const struct state_counts_rec *r, void *arg)
{
	struct tally *t = arg;

	open_section(t, STATE_SECT_TENANT_COUNTERS);
	if (t->out)
		state_file_add_counts(t->out, r);
}

static void on_totals(const struct state_totals_rec *r, void *arg)
{
	struct tally *t = arg;

	open_section(t, STATE_SECT_TOTALS);
	if (t->out)
		state_file_add_totals(t->out, r);
}

static const struct state_file_handlers handlers = {
	on_key, on_tenant, on_call, on_reg, on_counts, on_totals,
};

static void check(const uint8_t *data, size_t len)
{
	struct state_file_buf again;
	struct tally first = {.out = &again, .section = -1};
	struct tally second = {0};
	char err[256] = "";

	state_file_begin(&again, 0);
	if (state_file_parse(data, len, &handlers, &first, NULL, err,
			     sizeof(err)) != 0) {
		if (err[0] == '\0' || first.records != 0)
			abort();
		state_file_buf_free(&again);
		return;
	}
	if (state_file_finish(&again) != 0 ||
	    state_file_parse(again.data, again.len, &handlers, &second, NULL,
			     err, sizeof(err)) != 0 ||
	    second.records != first.records)
		abort();
	state_file_buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);

	check(data, size);
	memcpy(copy, data, size);
	state_file_seal(copy, size);
	check(copy, size);
	free(copy);
	return 0;
}
