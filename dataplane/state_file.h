/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * state_file: the on-disk format of the state kept across restarts
 * (calls, registrations, counters), and writing it atomically.
 *
 * Contract:
 *  - Layout, every integer little-endian: a 32-byte header (magic
 *    "SWSTATE\n", version, flags 0, written-at wall-clock ns, length of the
 *    whole file), then sections (u32 type, u32 record count, u64 payload
 *    length, payload), then a 16-byte checksum: SipHash-2-4-128 under a
 *    fixed key over everything before it.
 *  - Sections of a type this reader does not know are skipped, so new
 *    kinds of state (monthly usage, bans) are new sections of the same
 *    version; the version changes only when a known section changes.
 *  - state_file_parse() checks everything (magic, version, lengths,
 *    checksum, every record of every known section) before it hands one
 *    record to the caller: a file is taken whole or refused whole, with a
 *    message. It never reads outside the buffer, whatever its bytes.
 *  - state_file_commit() writes FILE.tmp in FILE's directory (mode 0600),
 *    fsyncs it, renames it over FILE and fsyncs the directory: after a
 *    crash FILE is the old file or the new one, whole.
 *  - No DPDK and no tables here: records carry what the caller puts in
 *    (times are wall-clock ns by convention); state_persist is the
 *    daemon's side.
 */
#ifndef SIPWARDEN_STATE_FILE_H
#define SIPWARDEN_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

#define STATE_FILE_VERSION 1
#define STATE_FILE_HEADER_LEN 32
#define STATE_FILE_CHECKSUM_LEN 16
#define STATE_FILE_NAME_MAX 64 /* = CONFIG_NAME_MAX, with the NUL */

enum state_section {
	STATE_SECT_HASH_KEY = 1, /* the secret the keys below were made under */
	STATE_SECT_TENANTS = 2,	 /* name of each slot the records refer to */
	STATE_SECT_CALLS = 3,
	STATE_SECT_REGS = 4,
	STATE_SECT_TENANT_COUNTERS = 5,
	STATE_SECT_TOTALS = 6,
};

struct state_tenant_rec {
	uint32_t slot; /* in the run that wrote the file */
	char name[STATE_FILE_NAME_MAX];
};

struct state_call_rec {
	uint32_t slot;
	uint8_t direction; /* enum call_direction */
	bool emergency;
	uint8_t state; /* enum call_state */
	uint32_t invite_cseq;
	uint64_t key_hi, key_lo;
	uint64_t created_ns, answered_ns, deadline_ns; /* answered 0: not */
};

struct state_reg_rec {
	uint32_t slot;
	uint8_t state; /* enum reg_state */
	uint64_t key_hi, key_lo;
	uint64_t created_ns, expires_ns;
};

/* A tenant's counters as counted, and the "stats reset" baseline. */
struct state_counts_rec {
	uint32_t slot;
	struct stats_sip_counts counts, baseline;
};

struct state_totals_rec {
	uint64_t total[ST_TOTAL_MAX];
	uint64_t malformed[SIP_SCAN_RESULT_MAX];
	struct stats_sip_counts all;
};

/* --- writing ------------------------------------------------------------ */

struct state_file_buf {
	uint8_t *data;
	size_t len, cap;
	size_t section_at; /* offset of the open section's head; 0: none */
	uint32_t section_records;
	bool failed; /* out of memory: finish says so */
};

void state_file_begin(struct state_file_buf *b, uint64_t written_at_ns);
/* Close the open section, if any, and open one of `type`. */
void state_file_section(struct state_file_buf *b, enum state_section type);
/* Records, each into the open section of its type. */
void state_file_add_hash_key(struct state_file_buf *b, const uint8_t key[16]);
void state_file_add_tenant(struct state_file_buf *b,
			   const struct state_tenant_rec *r);
void state_file_add_call(struct state_file_buf *b,
			 const struct state_call_rec *r);
void state_file_add_reg(struct state_file_buf *b,
			const struct state_reg_rec *r);
void state_file_add_counts(struct state_file_buf *b,
			   const struct state_counts_rec *r);
void state_file_add_totals(struct state_file_buf *b,
			   const struct state_totals_rec *r);
/* Close the last section, fill in the length, append the checksum.
 * 0, or -ENOMEM when any step ran out of memory. */
int state_file_finish(struct state_file_buf *b);
/*
 * Fill in the length and the checksum of data[len], laid out as a file
 * with room for the checksum at the end (tests and fuzzers that build
 * or damage files on purpose). Nothing for len shorter than a header.
 */
void state_file_seal(uint8_t *data, size_t len);
void state_file_buf_free(struct state_file_buf *b);

/* Atomic replacement of `path` (see the contract). 0 or -errno + err. */
int state_file_commit(const char *path, const void *data, size_t len, char *err,
		      size_t errlen);

/* --- reading ------------------------------------------------------------ */

/* What to do with each record; a NULL handler skips its records. */
struct state_file_handlers {
	void (*hash_key)(const uint8_t key[16], void *arg);
	void (*tenant)(const struct state_tenant_rec *r, void *arg);
	void (*call)(const struct state_call_rec *r, void *arg);
	void (*reg)(const struct state_reg_rec *r, void *arg);
	void (*counts)(const struct state_counts_rec *r, void *arg);
	void (*totals)(const struct state_totals_rec *r, void *arg);
};

struct state_file_info {
	uint32_t version;
	uint64_t written_at_ns;
	uint32_t sections, unknown_sections;
};

/*
 * Check data[len] whole, then hand its records to h in file order.
 * 0, or -EINVAL with what is wrong in err (no handler called then).
 */
int state_file_parse(const void *data, size_t len,
		     const struct state_file_handlers *h, void *arg,
		     struct state_file_info *info, char *err, size_t errlen);

/* The whole file in *data (malloc'd). 0, -ENOENT (no file), or -errno. */
int state_file_load(const char *path, void **data, size_t *len, char *err,
		    size_t errlen);

/* Rename path to path.corrupt.<unix_s>; the new name in moved. */
int state_file_set_aside(const char *path, uint64_t unix_s, char *moved,
			 size_t movedlen);

#endif
