/* SPDX-License-Identifier: BSD-3-Clause */
#include "state_file.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "calls.h"
#include "regs.h"
#include "state_table.h"

static const uint8_t file_magic[8] = {'S', 'W', 'S', 'T', 'A', 'T', 'E', '\n'};
/* A fixed key: the checksum finds damage, it is no secret. */
static const uint8_t checksum_key[16] = "sipwarden-state1";

#define SECTION_HEAD_LEN 16
#define CALL_REC_LEN 56
#define REG_REC_LEN 40
#define COUNTS_HEAD_LEN 12
#define TOTALS_HEAD_LEN 16
#define HASH_KEY_LEN 16

/* --- writing ------------------------------------------------------------ */

static uint8_t *reserve(struct state_file_buf *b, size_t n)
{
	uint8_t *p;

	if (b->failed)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->data, cap);
		if (p == NULL) {
			b->failed = true;
			return NULL;
		}
		b->data = p;
		b->cap = cap;
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

static void le16_at(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void le32_at(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void le64_at(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static void put_u64s(struct state_file_buf *b, const uint64_t *v, size_t n)
{
	uint8_t *p = reserve(b, n * 8);

	for (size_t i = 0; p != NULL && i < n; i++)
		le64_at(p + i * 8, v[i]);
}

void state_file_begin(struct state_file_buf *b, uint64_t written_at_ns)
{
	uint8_t *h;

	memset(b, 0, sizeof(*b));
	h = reserve(b, STATE_FILE_HEADER_LEN);
	if (h == NULL)
		return;
	memcpy(h, file_magic, sizeof(file_magic));
	le32_at(h + 8, STATE_FILE_VERSION);
	le32_at(h + 12, 0);
	le64_at(h + 16, written_at_ns);
	le64_at(h + 24, 0); /* the length, filled in by finish */
}

static void section_close(struct state_file_buf *b)
{
	if (b->section_at == 0 || b->failed)
		return;
	le32_at(b->data + b->section_at + 4, b->section_records);
	le64_at(b->data + b->section_at + 8,
		b->len - b->section_at - SECTION_HEAD_LEN);
	b->section_at = 0;
}

void state_file_section(struct state_file_buf *b, enum state_section type)
{
	size_t at = b->len;
	uint8_t *p;

	section_close(b);
	p = reserve(b, SECTION_HEAD_LEN);
	if (p == NULL)
		return;
	memset(p, 0, SECTION_HEAD_LEN);
	le32_at(p, type);
	b->section_at = at;
	b->section_records = 0;
}

static uint8_t *record(struct state_file_buf *b, size_t n)
{
	uint8_t *p = reserve(b, n);

	if (p != NULL) {
		memset(p, 0, n);
		b->section_records++;
	}
	return p;
}

void state_file_add_hash_key(struct state_file_buf *b, const uint8_t key[16])
{
	uint8_t *p = record(b, HASH_KEY_LEN);

	if (p != NULL)
		memcpy(p, key, HASH_KEY_LEN);
}

void state_file_add_tenant(struct state_file_buf *b,
			   const struct state_tenant_rec *r)
{
	size_t n = strnlen(r->name, STATE_FILE_NAME_MAX - 1);
	uint8_t *p = record(b, 5 + n);

	if (p == NULL)
		return;
	le32_at(p, r->slot);
	p[4] = (uint8_t)n;
	memcpy(p + 5, r->name, n);
}

void state_file_add_call(struct state_file_buf *b,
			 const struct state_call_rec *r)
{
	uint8_t *p = record(b, CALL_REC_LEN);

	if (p == NULL)
		return;
	le32_at(p, r->slot);
	p[4] = r->direction;
	p[5] = r->emergency;
	p[6] = r->state;
	le32_at(p + 8, r->invite_cseq);
	le64_at(p + 16, r->key_hi);
	le64_at(p + 24, r->key_lo);
	le64_at(p + 32, r->created_ns);
	le64_at(p + 40, r->answered_ns);
	le64_at(p + 48, r->deadline_ns);
}

void state_file_add_reg(struct state_file_buf *b, const struct state_reg_rec *r)
{
	uint8_t *p = record(b, REG_REC_LEN);

	if (p == NULL)
		return;
	le32_at(p, r->slot);
	p[4] = r->state;
	le64_at(p + 8, r->key_hi);
	le64_at(p + 16, r->key_lo);
	le64_at(p + 24, r->created_ns);
	le64_at(p + 32, r->expires_ns);
}

/* The groups of a struct stats_sip_counts, sized so a reader can tell. */
static void put_sip_counts(struct state_file_buf *b,
			   const struct stats_sip_counts *c)
{
	put_u64s(b, c->methods, SIP_METHOD_MAX);
	put_u64s(b, c->responses, STATS_RESPONSE_CLASSES);
	put_u64s(b, c->verdicts, VERDICT_MAX);
}

void state_file_add_counts(struct state_file_buf *b,
			   const struct state_counts_rec *r)
{
	uint8_t *p = record(b, COUNTS_HEAD_LEN);

	if (p == NULL)
		return;
	le32_at(p, r->slot);
	le16_at(p + 4, SIP_METHOD_MAX);
	le16_at(p + 6, STATS_RESPONSE_CLASSES);
	le16_at(p + 8, VERDICT_MAX);
	put_sip_counts(b, &r->counts);
	put_sip_counts(b, &r->baseline);
}

void state_file_add_totals(struct state_file_buf *b,
			   const struct state_totals_rec *r)
{
	uint8_t *p = record(b, TOTALS_HEAD_LEN);

	if (p == NULL)
		return;
	le16_at(p, ST_TOTAL_MAX);
	le16_at(p + 2, SIP_SCAN_RESULT_MAX);
	le16_at(p + 4, SIP_METHOD_MAX);
	le16_at(p + 6, STATS_RESPONSE_CLASSES);
	le16_at(p + 8, VERDICT_MAX);
	put_u64s(b, r->total, ST_TOTAL_MAX);
	put_u64s(b, r->malformed, SIP_SCAN_RESULT_MAX);
	put_sip_counts(b, &r->all);
}

static struct state_key checksum(const uint8_t *data, size_t len)
{
	struct state_key_hasher h;

	state_key_hasher_init_keyed(&h, checksum_key);
	state_key_add(&h, data, len);
	return state_key_final(&h);
}

void state_file_seal(uint8_t *data, size_t len)
{
	struct state_key sum;

	if (len < STATE_FILE_HEADER_LEN + STATE_FILE_CHECKSUM_LEN)
		return;
	le64_at(data + 24, len);
	sum = checksum(data, len - STATE_FILE_CHECKSUM_LEN);
	le64_at(data + len - 16, sum.lo);
	le64_at(data + len - 8, sum.hi);
}

int state_file_finish(struct state_file_buf *b)
{
	section_close(b);
	if (reserve(b, STATE_FILE_CHECKSUM_LEN) == NULL)
		return -ENOMEM;
	state_file_seal(b->data, b->len);
	return 0;
}

void state_file_buf_free(struct state_file_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int state_file_commit(const char *path, const void *data, size_t len, char *err,
		      size_t errlen)
{
	char tmp[4096];
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		say(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		say(err, errlen, "cannot create %s: %s", tmp, strerror(-rc));
		return rc;
	}
	rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		say(err, errlen, "cannot write %s: %s", tmp, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path) < 0) {
		rc = -errno;
		say(err, errlen, "cannot rename %s to %s: %s", tmp, path,
		    strerror(-rc));
		unlink(tmp);
		return rc;
	}
	rc = fsync_dir_of(path);
	if (rc < 0)
		say(err, errlen, "cannot sync the directory of %s: %s", path,
		    strerror(-rc));
	return rc;
}

/* --- reading ------------------------------------------------------------ */

struct cursor {
	const uint8_t *p, *end;
};

static bool take(struct cursor *c, size_t n, const uint8_t **out)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	*out = c->p;
	c->p += n;
	return true;
}

static uint16_t le16_of(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t le32_of(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t le64_of(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* n stored values into have slots: extras skipped, missing ones 0. */
static void get_u64s(const uint8_t *p, size_t n, uint64_t *out, size_t have)
{
	for (size_t i = 0; i < have; i++)
		out[i] = i < n ? le64_of(p + i * 8) : 0;
}

static const uint8_t *get_sip_counts(const uint8_t *p, const uint16_t n[3],
				     struct stats_sip_counts *c)
{
	get_u64s(p, n[0], c->methods, SIP_METHOD_MAX);
	p += (size_t)n[0] * 8;
	get_u64s(p, n[1], c->responses, STATS_RESPONSE_CLASSES);
	p += (size_t)n[1] * 8;
	get_u64s(p, n[2], c->verdicts, VERDICT_MAX);
	return p + (size_t)n[2] * 8;
}

/* Room for one decoded record of any known section. */
union any_rec {
	uint8_t key[HASH_KEY_LEN];
	struct state_tenant_rec tenant;
	struct state_call_rec call;
	struct state_reg_rec reg;
	struct state_counts_rec counts;
	struct state_totals_rec totals;
};

static bool decode_tenant(struct cursor *c, struct state_tenant_rec *r,
			  char *err, size_t errlen)
{
	const uint8_t *p, *name;

	if (!take(c, 5, &p) || !take(c, p[4], &name)) {
		say(err, errlen, "tenant record cut short");
		return false;
	}
	if (p[4] == 0 || p[4] >= STATE_FILE_NAME_MAX ||
	    memchr(name, '\0', p[4]) != NULL) {
		say(err, errlen, "bad tenant name");
		return false;
	}
	r->slot = le32_of(p);
	memcpy(r->name, name, p[4]);
	r->name[p[4]] = '\0';
	return true;
}

static bool decode_call(struct cursor *c, struct state_call_rec *r, char *err,
			size_t errlen)
{
	const uint8_t *p;

	if (!take(c, CALL_REC_LEN, &p)) {
		say(err, errlen, "call record cut short");
		return false;
	}
	if (p[4] > CALL_FROM_INSIDE || p[5] > 1 || p[6] > CALL_ENDING) {
		say(err, errlen, "bad call record");
		return false;
	}
	*r = (struct state_call_rec){
		.slot = le32_of(p),
		.direction = p[4],
		.emergency = p[5],
		.state = p[6],
		.invite_cseq = le32_of(p + 8),
		.key_hi = le64_of(p + 16),
		.key_lo = le64_of(p + 24),
		.created_ns = le64_of(p + 32),
		.answered_ns = le64_of(p + 40),
		.deadline_ns = le64_of(p + 48),
	};
	return true;
}

static bool decode_reg(struct cursor *c, struct state_reg_rec *r, char *err,
		       size_t errlen)
{
	const uint8_t *p;

	if (!take(c, REG_REC_LEN, &p)) {
		say(err, errlen, "registration record cut short");
		return false;
	}
	if (p[4] > REG_ACTIVE) {
		say(err, errlen, "bad registration record");
		return false;
	}
	*r = (struct state_reg_rec){
		.slot = le32_of(p),
		.state = p[4],
		.key_hi = le64_of(p + 8),
		.key_lo = le64_of(p + 16),
		.created_ns = le64_of(p + 24),
		.expires_ns = le64_of(p + 32),
	};
	return true;
}

static bool decode_counts(struct cursor *c, struct state_counts_rec *r,
			  char *err, size_t errlen)
{
	const uint8_t *p, *values;
	uint16_t n[3];

	if (!take(c, COUNTS_HEAD_LEN, &p))
		goto short_rec;
	n[0] = le16_of(p + 4);
	n[1] = le16_of(p + 6);
	n[2] = le16_of(p + 8);
	if (!take(c, 2 * 8 * ((size_t)n[0] + n[1] + n[2]), &values))
		goto short_rec;
	r->slot = le32_of(p);
	values = get_sip_counts(values, n, &r->counts);
	get_sip_counts(values, n, &r->baseline);
	return true;
short_rec:
	say(err, errlen, "counter record cut short");
	return false;
}

static bool decode_totals(struct cursor *c, struct state_totals_rec *r,
			  char *err, size_t errlen)
{
	const uint8_t *p, *values;
	uint16_t nt, nm;

	if (!take(c, TOTALS_HEAD_LEN, &p))
		goto short_rec;
	nt = le16_of(p);
	nm = le16_of(p + 2);
	if (!take(c,
		  8 * ((size_t)nt + nm + le16_of(p + 4) + le16_of(p + 6) +
		       le16_of(p + 8)),
		  &values))
		goto short_rec;
	get_u64s(values, nt, r->total, ST_TOTAL_MAX);
	values += (size_t)nt * 8;
	get_u64s(values, nm, r->malformed, SIP_SCAN_RESULT_MAX);
	values += (size_t)nm * 8;
	get_sip_counts(
		values,
		(uint16_t[3]){le16_of(p + 4), le16_of(p + 6), le16_of(p + 8)},
		&r->all);
	return true;
short_rec:
	say(err, errlen, "totals record cut short");
	return false;
}

static bool known_section(uint32_t type)
{
	return type >= STATE_SECT_HASH_KEY && type <= STATE_SECT_TOTALS;
}

/*
 * Decode one record of a known section and deliver it when h is not NULL.
 * False when it is malformed: err says why.
 */
static bool decode_record(uint32_t type, struct cursor *c,
			  const struct state_file_handlers *h, void *arg,
			  char *err, size_t errlen)
{
	union any_rec r;
	const uint8_t *p;

	switch (type) {
	case STATE_SECT_HASH_KEY:
		if (!take(c, HASH_KEY_LEN, &p)) {
			say(err, errlen, "hash key cut short");
			return false;
		}
		if (h && h->hash_key)
			h->hash_key(p, arg);
		return true;
	case STATE_SECT_TENANTS:
		if (!decode_tenant(c, &r.tenant, err, errlen))
			return false;
		if (h && h->tenant)
			h->tenant(&r.tenant, arg);
		return true;
	case STATE_SECT_CALLS:
		if (!decode_call(c, &r.call, err, errlen))
			return false;
		if (h && h->call)
			h->call(&r.call, arg);
		return true;
	case STATE_SECT_REGS:
		if (!decode_reg(c, &r.reg, err, errlen))
			return false;
		if (h && h->reg)
			h->reg(&r.reg, arg);
		return true;
	case STATE_SECT_TENANT_COUNTERS:
		if (!decode_counts(c, &r.counts, err, errlen))
			return false;
		if (h && h->counts)
			h->counts(&r.counts, arg);
		return true;
	default:
		if (!decode_totals(c, &r.totals, err, errlen))
			return false;
		if (h && h->totals)
			h->totals(&r.totals, arg);
		return true;
	}
}

/* Walk every section; deliver records when h is not NULL. */
static int walk(const uint8_t *data, size_t len,
		const struct state_file_handlers *h, void *arg,
		struct state_file_info *info, char *err, size_t errlen)
{
	struct cursor c = {data + STATE_FILE_HEADER_LEN,
			   data + len - STATE_FILE_CHECKSUM_LEN};

	while (c.p < c.end) {
		const uint8_t *head, *payload;
		struct cursor sc;
		uint32_t type, count;
		uint64_t plen;

		if (!take(&c, SECTION_HEAD_LEN, &head)) {
			say(err, errlen, "section header cut short");
			return -EINVAL;
		}
		type = le32_of(head);
		count = le32_of(head + 4);
		plen = le64_of(head + 8);
		if (plen > (uint64_t)(c.end - c.p) ||
		    !take(&c, (size_t)plen, &payload)) {
			say(err, errlen,
			    "section of type %u longer than the file", type);
			return -EINVAL;
		}
		info->sections++;
		if (!known_section(type)) {
			info->unknown_sections++;
			continue;
		}
		sc = (struct cursor){payload, payload + plen};
		for (uint32_t i = 0; i < count; i++) {
			char why[128];

			if (!decode_record(type, &sc, h, arg, why,
					   sizeof(why))) {
				say(err, errlen, "section %u, record %u: %s",
				    type, i, why);
				return -EINVAL;
			}
		}
		if (sc.p != sc.end) {
			say(err, errlen,
			    "section %u: %zu bytes after its %u records", type,
			    (size_t)(sc.end - sc.p), count);
			return -EINVAL;
		}
	}
	return 0;
}

int state_file_parse(const void *data, size_t len,
		     const struct state_file_handlers *h, void *arg,
		     struct state_file_info *info, char *err, size_t errlen)
{
	const uint8_t *d = data;
	struct state_file_info scratch;
	struct state_key sum;
	int rc;

	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	if (len < STATE_FILE_HEADER_LEN + STATE_FILE_CHECKSUM_LEN ||
	    memcmp(d, file_magic, sizeof(file_magic)) != 0) {
		say(err, errlen,
		    len < sizeof(file_magic) ? "too short for a state file"
					     : "not a sipwarden state file");
		return -EINVAL;
	}
	info->version = le32_of(d + 8);
	info->written_at_ns = le64_of(d + 16);
	if (info->version != STATE_FILE_VERSION) {
		say(err, errlen, "version %u, this build reads %u",
		    info->version, STATE_FILE_VERSION);
		return -EINVAL;
	}
	if (le64_of(d + 24) != len) {
		say(err, errlen,
		    "%zu bytes where the header says %llu (cut short?)", len,
		    (unsigned long long)le64_of(d + 24));
		return -EINVAL;
	}
	sum = checksum(d, len - STATE_FILE_CHECKSUM_LEN);
	if (le64_of(d + len - 16) != sum.lo || le64_of(d + len - 8) != sum.hi) {
		say(err, errlen, "checksum mismatch");
		return -EINVAL;
	}
	rc = walk(d, len, NULL, NULL, info, err, errlen);
	if (rc < 0 || h == NULL)
		return rc;
	/* the same walk again, now delivering: it cannot fail any more */
	info->sections = info->unknown_sections = 0;
	return walk(d, len, h, arg, info, err, errlen);
}

int state_file_load(const char *path, void **data, size_t *len, char *err,
		    size_t errlen)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (rc != -ENOENT)
			say(err, errlen, "cannot open %s: %s", path,
			    strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		say(err, errlen, "cannot stat %s: %s", path, strerror(-rc));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		say(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		say(err, errlen, "%s: no memory for %lld bytes", path,
		    (long long)st.st_size);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			say(err, errlen, "cannot read %s: %s", path,
			    n < 0 ? strerror(errno) : "it shrank");
			goto out;
		}
		got += (size_t)n;
	}
	*data = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

int state_file_set_aside(const char *path, uint64_t unix_s, char *moved,
			 size_t movedlen)
{
	if ((size_t)snprintf(moved, movedlen, "%s.corrupt.%llu", path,
			     (unsigned long long)unix_s) >= movedlen)
		return -ENAMETOOLONG;
	return rename(path, moved) < 0 ? -errno : 0;
}
