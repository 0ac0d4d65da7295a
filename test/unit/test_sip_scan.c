/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_scan: the RFC 4475 torture messages in test/data/sip (valid/ and
 * invalid/ as RFC 4475 classes them, whatever the scanner makes of them),
 * then targeted cases: compact forms, folding, Via lists, URI forms, bounds,
 * NUL and line-end handling, truncation at every byte.
 *
 * Every scan runs on a heap copy exactly as long as the message, so that
 * AddressSanitizer flags any read past its end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_scan.h"

#define DATA_DIR "test/data/sip"

static char *scanned; /* the copy the last scan ran on */
static size_t scanned_len;
static struct sip_msg msg;

static enum sip_scan_result scan_bytes(const char *p, size_t n)
{
	free(scanned);
	scanned = malloc(n ? n : 1);
	assert_non_null(scanned);
	memcpy(scanned, p, n);
	scanned_len = n;
	return sip_scan(scanned, n, &msg);
}

static enum sip_scan_result scan_text(const char *s)
{
	return scan_bytes(s, strlen(s));
}

/* Reads a data file into a malloc'd buffer. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (run from the project root)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static enum sip_scan_result scan_file(const char *kind, const char *name)
{
	char path[256];
	enum sip_scan_result r;
	size_t n;
	char *buf;

	snprintf(path, sizeof(path), DATA_DIR "/%s/%s.sip", kind, name);
	buf = read_file(path, &n);
	r = scan_bytes(buf, n);
	free(buf);
	return r;
}

static void check_result(enum sip_scan_result got, enum sip_scan_result want,
			 int line)
{
	if (got != want)
		fail_msg("line %d: got %s, want %s", line,
			 sip_scan_result_name(got), sip_scan_result_name(want));
}
#define assert_result(got, want) check_result((got), (want), __LINE__)

static void check_str(struct sip_str s, const char *want, int line)
{
	size_t n = strlen(want);

	if (s.len != n || (n && memcmp(s.ptr, want, n) != 0))
		fail_msg("line %d: got \"%.*s\", want \"%s\"", line, (int)s.len,
			 s.ptr ? s.ptr : "", want);
	if (n && (s.ptr < scanned || s.ptr + s.len > scanned + scanned_len))
		fail_msg("line %d: span outside the scanned buffer", line);
}
#define assert_str(s, want) check_str((s), (want), __LINE__)

/* ---- RFC 4475 messages ---- */

/* 3.1.1.1 wsinv: folding, odd case, compact forms, LWS everywhere */
static void rfc_wsinv(void)
{
	assert_int_equal(msg.method, SIP_METHOD_INVITE);
	assert_int_equal(msg.ruri.scheme, SIP_URI_SIP);
	assert_str(msg.ruri.user, "vivekg");
	assert_str(msg.ruri.host, "chair-dnrc.example.com");
	assert_str(msg.to.whole, "sip:vivekg@chair-dnrc.example.com");
	assert_str(msg.to_tag, "1918181833n");
	assert_str(msg.from.whole, "sip:jdrosen@example.com");
	assert_str(msg.from_tag, "98asjd8");
	assert_str(msg.call_id, "wsinv.ndaksdj@192.0.2.1");
	assert_int_equal(msg.cseq, 9);
	assert_int_equal(msg.cseq_method, SIP_METHOD_INVITE);
	assert_int_equal(msg.via_count, 3);
	assert_str(msg.via_branch, "390skdjuw");
	assert_str(msg.via_sent_by, "192.0.2.2");
	assert_str(msg.contact.whole, "sip:jdrosen@example.com");
	assert_int_equal(msg.contact_expires, -1);
	assert_int_equal(msg.content_length, 150);
	assert_int_equal(msg.body_len, 150);
	assert_int_equal(msg.header_len + 150, scanned_len);
	assert_int_equal(msg.header_count, 14);
}

/* 3.1.1.2 intmeth: holds a raw NUL in a quoted-pair of the To display
 * name. RFC-valid, but we refuse any NUL in the header section (a
 * NUL-truncating parser behind us would read a different message); the
 * same message without that NUL is checked by test_intmeth_without_nul. */
static void rfc_intmeth(void)
{
	assert_int_equal(msg.method, SIP_METHOD_UNKNOWN);
	assert_str(msg.method_str,
		   "!interesting-Method0123456789_*+`.%indeed'~");
	assert_str(msg.ruri.user,
		   "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	assert_str(msg.ruri.host, "example.com");
	assert_str(msg.via_branch, "z9hG4bK-.!%66*_+`'~");
	assert_int_equal(msg.header_count, 1);
}

/* 3.1.1.3 esc01: %-escapes stay as written */
static void rfc_esc01(void)
{
	assert_str(msg.ruri.user, "sips%3Auser%40example.com");
	assert_str(msg.ruri.host, "example.net");
	assert_str(msg.to.whole, "sip:%75se%72@example.com");
	assert_str(msg.to.user, "%75se%72");
	assert_str(msg.from.user, "I%20have%20spaces");
	assert_str(msg.from_tag, "938");
	assert_str(msg.call_id, "esc01.239409asdfakjkn23onasd0-3234");
	assert_str(msg.contact.whole, "sip:cal%6Cer@host5.example.net;%6C%72;n%"
				      "61me=v%61lue%25%34%31");
	assert_str(msg.contact.user, "cal%6Cer");
	assert_int_equal(msg.body_len, 150);
}

/* 3.1.1.4 escnull: %00 is an escape, not a NUL byte */
static void rfc_escnull(void)
{
	assert_int_equal(msg.method, SIP_METHOD_REGISTER);
	assert_str(msg.to.user, "null-%00-null");
	assert_str(msg.from_tag, "839923423");
	assert_str(msg.contact.whole, "sip:%00@host5.example.com");
	assert_int_equal(msg.content_length, 0);
}

/* 3.1.1.5 esc02: RE%47IST%45R is an extension method, not REGISTER */
static void rfc_esc02(void)
{
	assert_int_equal(msg.method, SIP_METHOD_UNKNOWN);
	assert_str(msg.method_str, "RE%47IST%45R");
	assert_str(msg.cseq_method_str, "RE%47IST%45R");
	assert_int_equal(msg.cseq_method, SIP_METHOD_UNKNOWN);
	assert_str(msg.contact.whole, "sip:alias1@host1.example.com");
	assert_str(msg.from_tag, "f232jadfj23");
	assert_int_equal(msg.header_count, 10);
}

/* 3.1.1.6 lwsdisp: no LWS between display name and < */
static void rfc_lwsdisp(void)
{
	assert_int_equal(msg.method, SIP_METHOD_OPTIONS);
	assert_str(msg.from.whole, "sip:caller@example.com");
	assert_str(msg.from_tag, "323");
}

/* 3.1.1.7 longreq: long values, 33 Via values under three name forms */
static void rfc_longreq(void)
{
	assert_int_equal(msg.via_count, 33);
	assert_str(msg.via_sent_by, "sip33.example.com");
	assert_str(msg.via_branch, "");
	assert_str(msg.to.host, "example.com");
	assert_int_equal(msg.from_tag.len, 155);
	assert_int_equal(msg.call_id.len, 141);
	assert_int_equal(msg.contact.user.len, 115);
	assert_int_equal(msg.header_count, 42);
	assert_int_equal(msg.body_len, 150);
}

/* 3.1.1.8 dblreq: a REGISTER with Content-Length 0, then trailing octets
 * (an INVITE) in the same datagram. They are not part of the message. */
static void rfc_dblreq(void)
{
	size_t rest = scanned_len - msg.header_len;
	char *tail = malloc(rest);

	assert_int_equal(msg.method, SIP_METHOD_REGISTER);
	assert_int_equal(msg.body_len, 0);
	assert_str(msg.call_id, "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
	assert_str(msg.contact.whole, "sip:j.user@host.example.com");
	assert_true(rest > 150);
	/* the trailing octets, scanned alone, are an INVITE of their own */
	memcpy(tail, scanned + msg.header_len, rest);
	assert_result(scan_bytes(tail, rest), SIP_SCAN_OK);
	free(tail);
	assert_int_equal(msg.method, SIP_METHOD_INVITE);
	assert_str(msg.to.whole, "sip:joe@example.com");
	assert_int_equal(msg.body_len, 150);
}

/* 3.1.1.9 semiuri: ';' in the Request-URI user part */
static void rfc_semiuri(void)
{
	assert_str(msg.ruri.user, "user;par=u%40example.net");
	assert_str(msg.ruri.host, "example.com");
}

/* 3.1.1.10 transports: five Via lines, unknown transports */
static void rfc_transports(void)
{
	assert_int_equal(msg.via_count, 5);
	assert_str(msg.via_sent_by, "t1.example.com");
	assert_str(msg.via_branch, "z9hG4bKkdjuw");
	assert_str(msg.call_id, "transports.kijh4akdnaqjkwendsasfdj");
}

/* 3.1.1.11 mpart01: multipart body with binary (NUL-bearing) data */
static void rfc_mpart01(void)
{
	assert_int_equal(msg.method, SIP_METHOD_MESSAGE);
	assert_str(msg.user_agent, "SIPimp.org/0.2.5 (curses)");
	assert_str(msg.via_sent_by, "127.0.0.1:5070");
	assert_str(msg.via_branch,
		   "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-");
	assert_int_equal(msg.body_len, scanned_len - msg.header_len);
	assert_int_equal(msg.content_length, msg.body_len);
	assert_non_null(memchr(scanned + msg.header_len, '\0', msg.body_len));
}

/* 3.1.1.12 unreason: UTF-8 reason phrase */
static void rfc_unreason(void)
{
	assert_false(msg.is_request);
	assert_int_equal(msg.status, 200);
	assert_int_equal(msg.cseq, 35);
	assert_int_equal(msg.cseq_method, SIP_METHOD_INVITE);
	assert_str(msg.to_tag, "2229");
	assert_int_equal(msg.body_len, 150);
}

/* 3.1.1.13 noreason: empty reason phrase */
static void rfc_noreason(void)
{
	assert_int_equal(msg.status, 100);
	assert_str(msg.to_tag, "902jndnke3");
}

/* 3.3.2 unkscm: unknown Request-URI scheme is well-formed */
static void rfc_unkscm(void)
{
	assert_int_equal(msg.ruri.scheme, SIP_URI_OTHER);
	assert_str(msg.ruri.whole,
		   "nobodyKnowsThisScheme:totallyopaquecontent");
	assert_str(msg.ruri.host, "");
}

/* 3.3.3 novelsc: known but atypical scheme */
static void rfc_novelsc(void)
{
	assert_int_equal(msg.ruri.scheme, SIP_URI_OTHER);
	assert_str(msg.ruri.whole, "soap.beep://192.0.2.103:3002");
}

/* 3.3.4 unksm2: unknown schemes in To, From and Contact */
static void rfc_unksm2(void)
{
	assert_int_equal(msg.to.scheme, SIP_URI_OTHER);
	assert_str(msg.to.whole, "isbn:2983792873");
	assert_int_equal(msg.from.scheme, SIP_URI_OTHER);
	assert_str(msg.from.whole, "http://www.example.com");
	assert_str(msg.from_tag, "3234233");
	assert_str(msg.contact.whole, "name:John_Smith");
}

/* 3.3.5 bext01: listed among the invalid ones in our brief, but RFC 4475
 * makes it an application-layer case (420 Bad Extension): well-formed */
static void rfc_bext01(void)
{
	assert_int_equal(msg.method, SIP_METHOD_OPTIONS);
	assert_str(msg.via_sent_by, "fold-and-staple.example.com");
}

/* 3.3.12 cparam01: in addr-spec form ;unknownparam belongs to the header */
static void rfc_cparam01(void)
{
	assert_str(msg.contact.whole, "sip:+19725552222@gw1.example.net");
	assert_str(msg.contact.user, "+19725552222");
}

/* 3.3.13 cparam02: inside <> it belongs to the URI */
static void rfc_cparam02(void)
{
	assert_str(msg.contact.whole,
		   "sip:+19725552222@gw1.example.net;unknownparam");
	assert_str(msg.contact.host, "gw1.example.net");
}

/* 3.3.14 regescrt: escaped headers in a Contact URI inside <> */
static void rfc_regescrt(void)
{
	assert_str(msg.contact.whole,
		   "sip:user@example.com?Route=%3Csip:sip.example.com%3E");
	assert_str(msg.contact.host, "example.com");
	assert_int_equal(msg.content_length, 0);
}

/* 3.4.1 inv2543: RFC 2543 style, no tag, no branch, no Content-Length */
static void rfc_inv2543(void)
{
	assert_str(msg.via_branch, "");
	assert_str(msg.from_tag, "");
	assert_str(msg.to.whole, "sip:+16505552222@ss1.example.net");
	assert_int_equal(msg.content_length, -1);
	assert_int_equal(msg.body_len, 150);
}

/* 3.1.2.1 badinv01: empty Via values and parameters */
static void rfc_badinv01(void)
{
	assert_int_equal(msg.via_count, 0);
	assert_str(msg.call_id, "badinv01.0ha0isndaksdjasdf3234nas");
}

/* 3.1.2.2 clerr: Content-Length larger than the message */
static void rfc_clerr(void)
{
	assert_int_equal(msg.content_length, 9999);
	assert_true(msg.header_len > 0);
}

/* 3.1.2.3 ncl: negative Content-Length */
static void rfc_ncl(void)
{
	assert_int_equal(msg.content_length, -1);
}

/* 3.1.2.4 scalar02: CSeq beyond 2^31-1 (and huge Expires values) */
static void rfc_scalar02(void)
{
	assert_int_equal(msg.method, SIP_METHOD_REGISTER);
	assert_str(msg.from_tag, "239232jh3");
}

/* 3.1.2.5 scalarlg: response with an overlarge CSeq */
static void rfc_scalarlg(void)
{
	assert_int_equal(msg.status, 503);
}

/* 3.1.2.6 quotbal: unterminated quoted display name in To */
static void rfc_quotbal(void)
{
	assert_int_equal(msg.header_count, 1);
	assert_int_equal(msg.to.scheme, SIP_URI_NONE);
}

/* 3.1.2.7 ltgtruri: Request-URI enclosed in <> */
static void rfc_ltgtruri(void)
{
	assert_int_equal(msg.method, SIP_METHOD_INVITE);
}

/* 3.1.2.8 lwsruri: LWS inside the Request-URI */
static void rfc_lwsruri(void)
{
	assert_int_equal(msg.method, SIP_METHOD_INVITE);
}

/* 3.1.2.9 lwsstart: two SP between Request-Line elements */
static void rfc_lwsstart(void)
{
	assert_int_equal(msg.ruri.scheme, SIP_URI_NONE);
}

/* 3.1.2.10 trws: SP after SIP-Version */
static void rfc_trws(void)
{
	assert_int_equal(msg.header_count, 0);
}

/* 3.1.2.11 escruri: headers component in the Request-URI */
static void rfc_escruri(void)
{
	assert_str(msg.method_str, "INVITE");
}

/* 3.1.2.13 regbadct: addr-spec with '?' needs name-addr form */
static void rfc_regbadct(void)
{
	assert_int_equal(msg.contact.scheme, SIP_URI_NONE);
	assert_str(msg.call_id, "regbadct.k345asrl3fdbv@10.0.0.1");
}

/* 3.1.2.14 badaspec: LWS inside <>; we take the strict choice */
static void rfc_badaspec(void)
{
	assert_str(msg.from.whole, "sip:a.g.bell@example.com");
	assert_int_equal(msg.to.scheme, SIP_URI_NONE);
}

/* 3.1.2.15 baddn: unquoted display name with a comma */
static void rfc_baddn(void)
{
	assert_int_equal(msg.from.scheme, SIP_URI_NONE);
}

/* 3.1.2.16 badvers: SIP/7.0 */
static void rfc_badvers(void)
{
	assert_int_equal(msg.header_count, 0);
}

/* 3.1.2.17 mismatch01: OPTIONS with CSeq INVITE */
static void rfc_mismatch01(void)
{
	assert_int_equal(msg.method, SIP_METHOD_OPTIONS);
	assert_str(msg.cseq_method_str, "INVITE");
	assert_int_equal(msg.cseq_method, SIP_METHOD_INVITE);
}

/* 3.1.2.18 mismatch02: extension method with CSeq INVITE */
static void rfc_mismatch02(void)
{
	assert_str(msg.method_str, "NEWMETHOD");
	assert_str(msg.cseq_method_str, "INVITE");
}

/* 3.1.2.19 bigcode: status 4294967301 */
static void rfc_bigcode(void)
{
	assert_int_equal(msg.status, 0);
}

/* 3.3.1 insuf: no Call-ID, From, To, Max-Forwards */
static void rfc_insuf(void)
{
	assert_str(msg.call_id, "");
	assert_int_equal(msg.cseq, 193942);
}

/* 3.3.8 multi01: two CSeq, Call-ID, To, From; the second CSeq stops it */
static void rfc_multi01(void)
{
	assert_int_equal(msg.cseq, 5);
	assert_str(msg.call_id, "multi01.98asdh@192.0.2.1");
}

/* 3.3.9 mcl01: two Content-Length values */
static void rfc_mcl01(void)
{
	assert_int_equal(msg.content_length, 13);
}

struct rfc_case {
	const char *kind; /* RFC 4475's verdict: "valid" or "invalid" */
	const char *name;
	enum sip_scan_result want;
	void (*check)(void);
};

static const struct rfc_case rfc_cases[] = {
	{"valid", "wsinv", SIP_SCAN_OK, rfc_wsinv},
	{"valid", "intmeth", SIP_SCAN_BAD_HEADER, rfc_intmeth},
	{"valid", "esc01", SIP_SCAN_OK, rfc_esc01},
	{"valid", "escnull", SIP_SCAN_OK, rfc_escnull},
	{"valid", "esc02", SIP_SCAN_OK, rfc_esc02},
	{"valid", "lwsdisp", SIP_SCAN_OK, rfc_lwsdisp},
	{"valid", "longreq", SIP_SCAN_OK, rfc_longreq},
	{"valid", "dblreq", SIP_SCAN_OK, rfc_dblreq},
	{"valid", "semiuri", SIP_SCAN_OK, rfc_semiuri},
	{"valid", "transports", SIP_SCAN_OK, rfc_transports},
	{"valid", "mpart01", SIP_SCAN_OK, rfc_mpart01},
	{"valid", "unreason", SIP_SCAN_OK, rfc_unreason},
	{"valid", "noreason", SIP_SCAN_OK, rfc_noreason},
	{"valid", "unkscm", SIP_SCAN_OK, rfc_unkscm},
	{"valid", "novelsc", SIP_SCAN_OK, rfc_novelsc},
	{"valid", "unksm2", SIP_SCAN_OK, rfc_unksm2},
	{"valid", "bext01", SIP_SCAN_OK, rfc_bext01},
	{"valid", "cparam01", SIP_SCAN_OK, rfc_cparam01},
	{"valid", "cparam02", SIP_SCAN_OK, rfc_cparam02},
	{"valid", "regescrt", SIP_SCAN_OK, rfc_regescrt},
	{"valid", "inv2543", SIP_SCAN_OK, rfc_inv2543},
	{"invalid", "badinv01", SIP_SCAN_BAD_HEADER, rfc_badinv01},
	{"invalid", "clerr", SIP_SCAN_BAD_CONTENT_LENGTH, rfc_clerr},
	{"invalid", "ncl", SIP_SCAN_BAD_CONTENT_LENGTH, rfc_ncl},
	{"invalid", "scalar02", SIP_SCAN_BAD_CSEQ, rfc_scalar02},
	{"invalid", "scalarlg", SIP_SCAN_BAD_CSEQ, rfc_scalarlg},
	{"invalid", "quotbal", SIP_SCAN_BAD_HEADER, rfc_quotbal},
	{"invalid", "ltgtruri", SIP_SCAN_BAD_URI, rfc_ltgtruri},
	{"invalid", "lwsruri", SIP_SCAN_BAD_URI, rfc_lwsruri},
	{"invalid", "lwsstart", SIP_SCAN_BAD_START_LINE, rfc_lwsstart},
	{"invalid", "trws", SIP_SCAN_BAD_START_LINE, rfc_trws},
	{"invalid", "escruri", SIP_SCAN_BAD_URI, rfc_escruri},
	{"invalid", "regbadct", SIP_SCAN_BAD_HEADER, rfc_regbadct},
	{"invalid", "badaspec", SIP_SCAN_BAD_HEADER, rfc_badaspec},
	{"invalid", "baddn", SIP_SCAN_BAD_HEADER, rfc_baddn},
	{"invalid", "badvers", SIP_SCAN_BAD_VERSION, rfc_badvers},
	{"invalid", "mismatch01", SIP_SCAN_CSEQ_MISMATCH, rfc_mismatch01},
	{"invalid", "mismatch02", SIP_SCAN_CSEQ_MISMATCH, rfc_mismatch02},
	{"invalid", "bigcode", SIP_SCAN_BAD_STATUS, rfc_bigcode},
	{"invalid", "insuf", SIP_SCAN_NO_CALL_ID, rfc_insuf},
	{"invalid", "multi01", SIP_SCAN_DUPLICATE_HEADER, rfc_multi01},
	{"invalid", "mcl01", SIP_SCAN_DUPLICATE_HEADER, rfc_mcl01},
};

#define N_RFC_CASES (sizeof(rfc_cases) / sizeof(rfc_cases[0]))

static void test_rfc4475(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_RFC_CASES; i++) {
		const struct rfc_case *c = &rfc_cases[i];
		enum sip_scan_result r = scan_file(c->kind, c->name);

		if (r != c->want)
			fail_msg("%s/%s: got %s, want %s", c->kind, c->name,
				 sip_scan_result_name(r),
				 sip_scan_result_name(c->want));
		print_message("  %-8s %-11s %s\n", c->kind, c->name,
			      sip_scan_result_name(r));
		c->check();
	}
}

/* Every data file has an entry above, so none sits there untested. */
static void test_rfc4475_all_files_listed(void **state)
{
	static const char *const kinds[] = {"valid", "invalid"};
	size_t files = 0;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		char dir_path[128];
		struct dirent *e;
		DIR *d;

		snprintf(dir_path, sizeof(dir_path), DATA_DIR "/%s", kinds[k]);
		d = opendir(dir_path);
		assert_non_null(d);
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			bool listed = false;

			if (n < 5 || strcmp(e->d_name + n - 4, ".sip") != 0)
				continue;
			files++;
			for (size_t i = 0; i < N_RFC_CASES; i++)
				if (!strcmp(rfc_cases[i].kind, kinds[k]) &&
				    strlen(rfc_cases[i].name) == n - 4 &&
				    !strncmp(rfc_cases[i].name, e->d_name,
					     n - 4))
					listed = true;
			if (!listed)
				fail_msg("%s/%s has no test case", kinds[k],
					 e->d_name);
		}
		closedir(d);
	}
	assert_int_equal(files, N_RFC_CASES);
}

static void test_intmeth_without_nul(void **state)
{
	size_t n;
	char *buf = read_file(DATA_DIR "/valid/intmeth.sip", &n);
	char *nul = memchr(buf, '\0', n);

	(void)state;
	assert_non_null(nul);
	*nul = 'x';
	assert_null(memchr(buf, '\0', n));
	assert_result(scan_bytes(buf, n), SIP_SCAN_OK);
	free(buf);
	assert_str(msg.from.whole, "sip:mundane@example.com");
	assert_str(msg.from_tag, "_token~1'+`*%!-.");
	assert_str(msg.to.user,
		   "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	assert_str(msg.call_id, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
	assert_int_equal(msg.cseq, 139122385);
	assert_str(msg.cseq_method_str,
		   "!interesting-Method0123456789_*+`.%indeed'~");
	assert_int_equal(msg.cseq_method, SIP_METHOD_UNKNOWN);
	assert_int_equal(msg.content_length, 0);
}

/* ---- targeted cases ---- */

#define RL "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
#define VIA                                                                    \
	"Via: SIP/2.0/UDP "                                                    \
	"pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
#define FROM "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
#define TO "To: Bob <sip:bob@biloxi.example.com>\r\n"
#define CALLID "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
#define CSEQ "CSeq: 314159 INVITE\r\n"
#define MANDATORY VIA FROM TO CALLID CSEQ

static const char sdp[] = "v=0\r\n"
			  "o=alice 2890844526 2890844526 IN IP4 192.0.2.101\r\n"
			  "s=-\r\n"
			  "c=IN IP4 192.0.2.101\r\n"
			  "t=0 0\r\n"
			  "m=audio 49172 RTP/AVP 0\r\n"
			  "a=rtpmap:0 PCMU/8000\r\n";

static char built[16384];

/* headers (each with its CRLF) + Content-Length + empty line + body */
static const char *with_body(const char *head, const char *body)
{
	snprintf(built, sizeof(built), "%sContent-Length: %zu\r\n\r\n%s", head,
		 strlen(body), body);
	return built;
}

/* A realistic INVITE, with a folded From. */
static const char *invite(void)
{
	return with_body(RL VIA
			 "Max-Forwards: 70\r\n"
			 "To: Bob <sip:bob@biloxi.example.com>\r\n"
			 "From: Alice\r\n "
			 "<sip:alice@atlanta.example.com>;tag=1928301774\r\n"
			 "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
			 "CSeq: 314159 INVITE\r\n"
			 "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
			 "User-Agent: Acme SoftPhone/1.2\r\n"
			 "Content-Type: application/sdp\r\n",
			 sdp);
}

static void test_invite_fields(void **state)
{
	(void)state;
	assert_result(scan_text(invite()), SIP_SCAN_OK);
	assert_true(msg.is_request);
	assert_int_equal(msg.method, SIP_METHOD_INVITE);
	assert_str(msg.method_str, "INVITE");
	assert_int_equal(msg.ruri.scheme, SIP_URI_SIP);
	assert_str(msg.ruri.whole, "sip:bob@biloxi.example.com");
	assert_str(msg.ruri.user, "bob");
	assert_str(msg.ruri.host, "biloxi.example.com");
	assert_str(msg.via_branch, "z9hG4bK776asdhds");
	assert_str(msg.via_sent_by, "pc33.atlanta.example.com");
	assert_int_equal(msg.via_count, 1);
	assert_str(msg.from.whole, "sip:alice@atlanta.example.com");
	assert_str(msg.from_tag, "1928301774");
	assert_str(msg.to.user, "bob");
	assert_str(msg.to_tag, "");
	assert_str(msg.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	assert_int_equal(msg.cseq, 314159);
	assert_int_equal(msg.cseq_method, SIP_METHOD_INVITE);
	assert_str(msg.contact.whole, "sip:alice@pc33.atlanta.example.com");
	assert_false(msg.contact_star);
	assert_int_equal(msg.expires, -1);
	assert_str(msg.user_agent, "Acme SoftPhone/1.2");
	assert_int_equal(msg.content_length, strlen(sdp));
	assert_int_equal(msg.body_len, strlen(sdp));
	assert_int_equal(msg.header_len + msg.body_len, strlen(invite()));
	assert_int_equal(msg.header_count, 10);
}

static void test_compact_forms(void **state)
{
	static const char m[] =
		RL "v: SIP/2.0/UDP h.example.com;branch=z9hG4bKc\r\n"
		   "f: <sip:a@example.com>;tag=ft\r\n"
		   "t: sip:b@example.com;tag=tt\r\n"
		   "i: compact@h.example.com\r\n"
		   "CSeq: 1 INVITE\r\n"
		   "m: <sip:a@h.example.com>;expires=60\r\n"
		   "k: timer\r\n"
		   "s: urgent\r\n"
		   "c: application/sdp\r\n"
		   "e: gzip\r\n"
		   "l: 0\r\n\r\n";
	static const char upper[] =
		RL "V: SIP/2.0/UDP h.example.com;branch=z9hG4bKc\r\n"
		   "F: <sip:a@example.com>;tag=ft\r\n"
		   "T: sip:b@example.com\r\n"
		   "I: upper@h\r\n"
		   "CSeq: 1 INVITE\r\n"
		   "M: *\r\n"
		   "L: 0\r\n\r\n";
	static const char letters[] = "ftvimlkscetv";
	struct sip_header_iter it;
	struct sip_header h;
	size_t i = 0;

	(void)state;
	assert_result(scan_text(m), SIP_SCAN_OK);
	assert_str(msg.via_branch, "z9hG4bKc");
	assert_str(msg.from_tag, "ft");
	assert_str(msg.to_tag, "tt");
	assert_str(msg.call_id, "compact@h.example.com");
	assert_str(msg.contact.whole, "sip:a@h.example.com");
	assert_int_equal(msg.contact_expires, 60);
	assert_int_equal(msg.content_length, 0);

	/* the iterator gives every compact letter back, CSeq has none */
	sip_header_iter_init(&it, scanned, &msg);
	while (sip_header_next(&it, &h)) {
		static const char want[] = "vftiXmkscel";

		assert_true(i < sizeof(want) - 1);
		assert_int_equal(h.compact, want[i] == 'X' ? 0 : want[i]);
		i++;
	}
	assert_int_equal(i, msg.header_count);

	assert_result(scan_text(upper), SIP_SCAN_OK);
	assert_str(msg.call_id, "upper@h");
	assert_true(msg.contact_star);

	for (i = 0; letters[i]; i++) {
		char up = (char)(letters[i] - 'a' + 'A');

		assert_int_equal(sip_header_compact_letter(&letters[i], 1),
				 letters[i]);
		assert_int_equal(sip_header_compact_letter(&up, 1), letters[i]);
	}
	assert_int_equal(sip_header_compact_letter("x", 1), 0);
	/* not a token: no letter, whatever case folding would make of it */
	assert_int_equal(sip_header_compact_letter("Call\rID", 7), 0);
	assert_int_equal(sip_header_compact_letter("Call-ID ", 8), 0);
	assert_int_equal(sip_header_compact_letter("", 0), 0);
}

static void test_compact_letter_of_full_names(void **state)
{
	static const struct {
		const char *name;
		char letter;
	} names[] = {
		{"Call-ID", 'i'},
		{"call-id", 'i'},
		{"CALL-ID", 'i'},
		{"From", 'f'},
		{"To", 't'},
		{"Via", 'v'},
		{"vIA", 'v'},
		{"Contact", 'm'},
		{"Content-Length", 'l'},
		{"Supported", 'k'},
		{"Subject", 's'},
		{"Content-Type", 'c'},
		{"Content-Encoding", 'e'},
		{"CSeq", 0},
		{"Expires", 0},
		{"User-Agent", 0},
		{"Max-Forwards", 0},
		{"Call-IDs", 0},
		{"Tx", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (sip_header_compact_letter(names[i].name,
					      strlen(names[i].name)) !=
		    names[i].letter)
			fail_msg("%s", names[i].name);
}

static void test_names_any_case_and_colon_lws(void **state)
{
	static const char m[] =
		RL "VIA: SIP/2.0/UDP h.example.com;BRANCH=z9hG4bKup\r\n"
		   "fROM: <sip:a@example.com>;TaG=mixed\r\n"
		   "tO \t:\t <sip:b@example.com>;tAg = t2 \r\n"
		   "cAlL-iD  :   spaced@h  \t\r\n"
		   "cseq: 7 INVITE\r\n"
		   "uSeR-aGeNt:   UA/1.0  \r\n"
		   "EXPIRES: 300\r\n"
		   "CONTENT-LENGTH : 0\r\n\r\n";

	(void)state;
	assert_result(scan_text(m), SIP_SCAN_OK);
	assert_str(msg.via_branch, "z9hG4bKup");
	assert_str(msg.from_tag, "mixed");
	assert_str(msg.to_tag, "t2");
	assert_str(msg.call_id, "spaced@h");
	assert_int_equal(msg.cseq, 7);
	assert_str(msg.user_agent, "UA/1.0");
	assert_int_equal(msg.expires, 300);
	assert_int_equal(msg.content_length, 0);
}

static void test_folding(void **state)
{
	static const char m[] = RL "Via: SIP/2.0/UDP\r\n"
				   "\tpc33.atlanta.example.com\r\n"
				   "  ;branch=z9hG4bKfold\r\n"
				   "From: \"Alice\r\n Liddell\"\r\n "
				   "<sip:alice@atlanta.example.com>\r\n"
				   "\t;tag=\r\n 77\r\n"
				   "To:\r\n <sip:bob@biloxi.example.com>\r\n"
				   "Call-ID:\r\n folded@h\r\n"
				   "CSeq: 5\r\n INVITE\r\n"
				   "User-Agent: Acme\r\n Phone\r\n\r\n";
	struct sip_header_iter it;
	struct sip_header h;

	(void)state;
	assert_result(scan_text(m), SIP_SCAN_OK);
	assert_str(msg.via_sent_by, "pc33.atlanta.example.com");
	assert_str(msg.via_branch, "z9hG4bKfold");
	assert_str(msg.from.whole, "sip:alice@atlanta.example.com");
	assert_str(msg.from_tag, "77");
	assert_str(msg.to.whole, "sip:bob@biloxi.example.com");
	assert_str(msg.call_id, "folded@h");
	assert_int_equal(msg.cseq, 5);
	assert_str(msg.user_agent, "Acme\r\n Phone");
	assert_int_equal(msg.header_count, 6);

	/* the iterator's lines span their continuations */
	sip_header_iter_init(&it, scanned, &msg);
	assert_true(sip_header_next(&it, &h));
	assert_str(h.name, "Via");
	assert_str(h.value, "SIP/2.0/UDP\r\n\tpc33.atlanta.example.com\r\n  "
			    ";branch=z9hG4bKfold");
	assert_str(h.line, "Via: SIP/2.0/UDP\r\n\tpc33.atlanta.example.com"
			   "\r\n  ;branch=z9hG4bKfold");
	assert_int_equal(h.compact, 'v');
	assert_true(sip_header_next(&it, &h));
	assert_str(h.name, "From");
	assert_true(sip_header_next(&it, &h));
	assert_str(h.name, "To");
	assert_str(h.value, "<sip:bob@biloxi.example.com>");
	assert_true(sip_header_next(&it, &h));
	assert_true(sip_header_next(&it, &h));
	assert_true(sip_header_next(&it, &h));
	assert_str(h.line, "User-Agent: Acme\r\n Phone");
	assert_false(sip_header_next(&it, &h));
	assert_false(sip_header_next(&it, &h));

	/* a folded start line is not a thing */
	assert_result(scan_text(RL " more\r\n" MANDATORY "\r\n"),
		      SIP_SCAN_BAD_HEADER);
}

static void test_via_lists(void **state)
{
	static const char m[] = RL
		"Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1;x=\"q,uoted\" ,"
		"SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2\r\n"
		"From: <sip:a@example.com>;tag=1\r\n"
		"v: SIP/2.0/UDP c.example.com;branch=z9hG4bK3, SIP/2.0/UDP "
		"d.example.com\r\n" TO CALLID CSEQ
		"Via: SIP/2.0/UDP e.example.com;received=192.0.2.9;rport=5060"
		";branch=z9hG4bK5\r\n\r\n";

	(void)state;
	assert_result(scan_text(m), SIP_SCAN_OK);
	assert_int_equal(msg.via_count, 5);
	assert_str(msg.via_sent_by, "a.example.com");
	assert_str(msg.via_branch, "z9hG4bK1");

	assert_result(scan_text(RL "Via: SIP/2.0/UDP [2001:db8::9]:5060;"
				   "BRANCH=z9hG4bKv6\r\n" FROM TO CALLID CSEQ
				   "\r\n"),
		      SIP_SCAN_OK);
	assert_str(msg.via_sent_by, "[2001:db8::9]:5060");
	assert_str(msg.via_branch, "z9hG4bKv6");

	assert_result(scan_text(RL
				"Via: SIP / 2.0 / UDP h.example.com : 5060 "
				"; branch = z9hG4bKsp\r\n" FROM TO CALLID CSEQ
				"\r\n"),
		      SIP_SCAN_OK);
	assert_str(msg.via_sent_by, "h.example.com : 5060");
	assert_str(msg.via_branch, "z9hG4bKsp");

	/* broken Via values */
	static const char *const bad[] = {
		"Via: \r\n",
		"Via: SIP/2.0/UDP h.example.com,\r\n",
		"Via: , SIP/2.0/UDP h.example.com\r\n",
		"Via: SIP/2.0/UDP\r\n",
		"Via: SIP/2.0 h.example.com\r\n",
		"Via: SIP/2.0/UDPh.example.com\r\n",
		"Via: SIP/2.0/UDP h.example.com:\r\n",
		"Via: SIP/2.0/UDP h.example.com;branch=\r\n",
		"Via: SIP/2.0/UDP h.example.com;=x\r\n",
		"Via: SIP/2.0/UDP h.example.com junk\r\n",
		"Via: SIP/2.0/UDP [2001:db8::9;branch=z9hG4bK\r\n",
		"Via: SIP/2.0/UDP h.example.com;x=\"open\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char b[512];

		snprintf(b, sizeof(b), RL "%s" FROM TO CALLID CSEQ "\r\n",
			 bad[i]);
		if (scan_text(b) != SIP_SCAN_BAD_HEADER)
			fail_msg("accepted %s", bad[i]);
	}
}

static void test_uri_forms(void **state)
{
	(void)state;
	/* IPv6 reference with port; the brackets stay in host */
	assert_result(scan_text("INVITE sip:alice@[2001:db8::1]:5060 "
				"SIP/2.0\r\n" MANDATORY "\r\n"),
		      SIP_SCAN_OK);
	assert_str(msg.ruri.user, "alice");
	assert_str(msg.ruri.host, "[2001:db8::1]");
	assert_str(msg.ruri.whole, "sip:alice@[2001:db8::1]:5060");

	assert_result(
		scan_text(
			RL VIA
			"From: <sip:[2001:db8::2]>;tag=6\r\n"
			"To: sip:bob@[::ffff:192.0.2.1];tag=v4\r\n" CALLID CSEQ
			"\r\n"),
		SIP_SCAN_OK);
	assert_str(msg.from.user, "");
	assert_str(msg.from.host, "[2001:db8::2]");
	assert_str(msg.to.host, "[::ffff:192.0.2.1]");
	assert_str(msg.to_tag, "v4");

	/* sips, scheme in any case, password, port and parameters */
	assert_result(scan_text("INVITE SIPS:bob:secret@secure.example.com:5061"
				";transport=tls SIP/2.0\r\n" MANDATORY "\r\n"),
		      SIP_SCAN_OK);
	assert_int_equal(msg.ruri.scheme, SIP_URI_SIPS);
	assert_str(msg.ruri.user, "bob");
	assert_str(msg.ruri.host, "secure.example.com");

	/* tel: the number, without parameters */
	assert_result(scan_text("INVITE tel:+1-201-555-0123;phone-context="
				"example.com SIP/2.0\r\n" VIA FROM
				"To: <tel:+442071234567>\r\n" CALLID CSEQ
				"\r\n"),
		      SIP_SCAN_OK);
	assert_int_equal(msg.ruri.scheme, SIP_URI_TEL);
	assert_str(msg.ruri.user, "+1-201-555-0123");
	assert_str(msg.ruri.host, "");
	assert_int_equal(msg.to.scheme, SIP_URI_TEL);
	assert_str(msg.to.user, "+442071234567");

	/* tel in addr-spec form: ;tag belongs to the header */
	assert_result(scan_text(RL VIA "From: tel:112;tag=em\r\n" TO CALLID CSEQ
				       "\r\n"),
		      SIP_SCAN_OK);
	assert_str(msg.from.user, "112");
	assert_str(msg.from_tag, "em");

	/* emergency service URN (RFC 5031) */
	assert_result(
		scan_text(
			"INVITE urn:service:sos.ambulance SIP/2.0\r\n" VIA FROM
			"To: <urn:service:sos>\r\n" CALLID CSEQ "\r\n"),
		SIP_SCAN_OK);
	assert_int_equal(msg.ruri.scheme, SIP_URI_OTHER);
	assert_str(msg.ruri.whole, "urn:service:sos.ambulance");
	assert_str(msg.ruri.user, "service:sos.ambulance");
	assert_str(msg.ruri.host, "");
	assert_int_equal(msg.to.scheme, SIP_URI_OTHER);
	assert_str(msg.to.user, "service:sos");

	/* Request-URIs we refuse */
	static const char *const bad[] = {
		"sip:alice@[2001:db8::1",
		"sip:alice@[]",
		"sip:@example.com",
		"sip:alice@",
		"sip:",
		"sip:alice@example.com:",
		"sip:alice@example.com:50x",
		"sip:alice@exa%6dple.com",
		"tel:",
		"1sip:alice@example.com",
		"<sip:alice@example.com>",
		"alice@example.com",
		"sip:alice@example.com;lr?x=y",
		"sip:al\"ice@example.com",
		"sip:alice@ex\x80mple.com",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char b[512];

		snprintf(b, sizeof(b), "INVITE %s SIP/2.0\r\n" MANDATORY "\r\n",
			 bad[i]);
		if (scan_text(b) != SIP_SCAN_BAD_URI)
			fail_msg("accepted %s", bad[i]);
	}
}

static void test_name_addr_forms(void **state)
{
	static const struct {
		const char *from;
		const char *uri;
		const char *tag;
	} ok[] = {
		{"\"A \\\"B\\\" \\\\C\" <sip:a@example.com>;tag=q",
		 "sip:a@example.com", "q"},
		{"Alice  Liddell <sip:a@example.com>;tag=t1",
		 "sip:a@example.com", "t1"},
		{"alice<sip:a@example.com>;tag=t2", "sip:a@example.com", "t2"},
		{"\"\" <sip:a@example.com>;tag=t3", "sip:a@example.com", "t3"},
		{"\"\xd0\x90\xd0\xbb\xd0\xb8\" <sip:a@example.com>;tag=u",
		 "sip:a@example.com", "u"},
		{"<sip:a@example.com;transport=udp>;tag=t4;x=\"y;tag=z\"",
		 "sip:a@example.com;transport=udp", "t4"},
		{"sip:a@example.com ; x ; tag = t5", "sip:a@example.com", "t5"},
		{"<sip:a@example.com>;x=\"tag=no\";TAG=t6;tag=t7",
		 "sip:a@example.com", "t6"},
		{"<sip:a@example.com>", "sip:a@example.com", ""},
		{"<sip:a@example.com>;tag", "sip:a@example.com", ""},
	};
	static const char *const bad[] = {
		"",
		"\"unterminated <sip:a@example.com>",
		"Bell, Alexander <sip:a@example.com>",
		"<sip:a@example.com",
		"< sip:a@example.com>",
		"<sip:a@example.com >",
		"<>",
		"<sip:a@example.com>junk",
		"<sip:a@example.com>;tag=1, <sip:b@example.com>",
		"<sip:a@example.com>;;tag=1",
		"<sip:a@example.com>;tag=",
		"sip:a@example.com?subject=x",
		"\"a\" sip:a@example.com",
		"\"a\\\r\n b\" <sip:a@example.com>",
		"\"bell\x07\" <sip:a@example.com>",
		"@ <sip:a@example.com>",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char b[512];

		snprintf(b, sizeof(b),
			 RL VIA "From: %s\r\n" TO CALLID CSEQ "\r\n",
			 ok[i].from);
		if (scan_text(b) != SIP_SCAN_OK)
			fail_msg("refused From: %s", ok[i].from);
		assert_str(msg.from.whole, ok[i].uri);
		assert_str(msg.from_tag, ok[i].tag);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char b[512];

		snprintf(b, sizeof(b),
			 RL VIA TO "From: %s\r\n" CALLID CSEQ "\r\n", bad[i]);
		if (scan_text(b) != SIP_SCAN_BAD_HEADER)
			fail_msg("accepted From: %s", bad[i]);
	}
}

static void test_contact_and_expires(void **state)
{
	static const char reg[] =
		"REGISTER sip:registrar.example.com SIP/2.0\r\n" VIA FROM TO
			CALLID "CSeq: 2 REGISTER\r\n";
	char b[1024];

	(void)state;
	snprintf(b, sizeof(b), "%sContact: *\r\nExpires: 0\r\n\r\n", reg);
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_true(msg.contact_star);
	assert_int_equal(msg.expires, 0);
	assert_int_equal(msg.contact.scheme, SIP_URI_NONE);
	assert_int_equal(msg.cseq_method, SIP_METHOD_REGISTER);

	snprintf(b, sizeof(b),
		 "%sContact: \"Me\" <sip:me@192.0.2.4:5060>;q=0.7;EXPIRES=3600,"
		 " <sip:me@other.example.com>;expires=10\r\n"
		 "m: <sip:third@example.com>;expires=5\r\n"
		 "Expires: 7200\r\nExpires: 60\r\n\r\n",
		 reg);
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_false(msg.contact_star);
	assert_str(msg.contact.whole, "sip:me@192.0.2.4:5060");
	assert_str(msg.contact.host, "192.0.2.4");
	assert_int_equal(msg.contact_expires, 3600);
	assert_int_equal(msg.expires, 7200);

	/* past 2^32-1: the top of the range; not a number: as if absent */
	snprintf(b, sizeof(b),
		 "%sContact: <sip:me@h>;expires=280297596632815\r\n"
		 "Expires: 1000000000000000000000000000000000000000000\r\n\r\n",
		 reg);
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_int_equal(msg.contact_expires, 4294967295LL);
	assert_int_equal(msg.expires, 4294967295LL);

	snprintf(b, sizeof(b),
		 "%sContact: <sip:me@h>;expires=\"Thu, 01 Dec 2044 16:00:00 "
		 "GMT\"\r\nExpires: Thu, 01 Dec 2044 16:00:00 GMT\r\n\r\n",
		 reg);
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_int_equal(msg.contact_expires, -1);
	assert_int_equal(msg.expires, -1);
	assert_str(msg.contact.whole, "sip:me@h");

	snprintf(b, sizeof(b), "%sContact: <sip:me@h\r\n\r\n", reg);
	assert_result(scan_text(b), SIP_SCAN_BAD_HEADER);
	snprintf(b, sizeof(b), "%sContact:\r\n\r\n", reg);
	assert_result(scan_text(b), SIP_SCAN_BAD_HEADER);
}

static void test_responses(void **state)
{
	static const char *const ok[] = {
		"SIP/2.0 100 Trying",
		"SIP/2.0 180 Ringing",
		"SIP/2.0 200 OK",
		"sip/2.0 699 Whatever",
		"SIP/2.0 486",
		"SIP/2.0 183 ",
		"SIP/2.0 200 \303\247a va", /* UTF-8 reason phrase */
	};
	static const struct {
		const char *line;
		enum sip_scan_result want;
	} bad[] = {
		{"SIP/2.0 099 Low", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0 700 High", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0 20 OK", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0 2000 OK", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0 200OK", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0 2x0 OK", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0 ", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0  200 OK", SIP_SCAN_BAD_STATUS},
		{"SIP/2.0", SIP_SCAN_BAD_START_LINE},
		{"SIP/3.0 200 OK", SIP_SCAN_BAD_VERSION},
		{"SIP/2.00 200 OK", SIP_SCAN_BAD_VERSION},
		{"HTTP/1.1 200 OK", SIP_SCAN_BAD_START_LINE},
	};
	char b[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(b, sizeof(b), "%s\r\n" MANDATORY "\r\n", ok[i]);
		if (scan_text(b) != SIP_SCAN_OK)
			fail_msg("refused %s", ok[i]);
		assert_false(msg.is_request);
		assert_int_equal(msg.status, atoi(ok[i] + 8));
		assert_int_equal(msg.method, SIP_METHOD_UNKNOWN);
		assert_int_equal(msg.ruri.scheme, SIP_URI_NONE);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(b, sizeof(b), "%s\r\n" MANDATORY "\r\n", bad[i].line);
		if (scan_text(b) != bad[i].want)
			fail_msg("%s: got %s", bad[i].line,
				 sip_scan_result_name(scan_text(b)));
	}

	/* a response's CSeq method is whatever the request was */
	assert_result(scan_text("SIP/2.0 200 OK\r\n" VIA FROM TO CALLID
				"CSeq: 2 BYE\r\n\r\n"),
		      SIP_SCAN_OK);
	assert_int_equal(msg.cseq_method, SIP_METHOD_BYE);
	assert_str(msg.cseq_method_str, "BYE");
	assert_int_equal(msg.status, 200);
}

static void test_request_lines(void **state)
{
	static const struct {
		const char *line;
		enum sip_scan_result want;
	} cases[] = {
		{" INVITE sip:bob@example.com SIP/2.0",
		 SIP_SCAN_BAD_START_LINE},
		{"\tINVITE sip:bob@example.com SIP/2.0",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE\tsip:bob@example.com SIP/2.0",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE sip:bob@example.com\tSIP/2.0",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE  sip:bob@example.com SIP/2.0",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE sip:bob@example.com  SIP/2.0",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE sip:bob@example.com SIP/2.0 ",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE sip:bob@example.com", SIP_SCAN_BAD_START_LINE},
		{"INVITE SIP/2.0", SIP_SCAN_BAD_START_LINE},
		{"INVITE", SIP_SCAN_BAD_START_LINE},
		{"INV@ITE sip:bob@example.com SIP/2.0",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE sip:bob@example.com HTTP/1.1",
		 SIP_SCAN_BAD_START_LINE},
		{"INVITE sip:bob@example.com SIP/2.1", SIP_SCAN_BAD_VERSION},
		{"INVITE sip:bob@example.com SIP/", SIP_SCAN_BAD_VERSION},
		{"INVITE sip:bob@example.com sip/2.0", SIP_SCAN_OK},
		{"INVITE sip:b ob@example.com SIP/2.0", SIP_SCAN_BAD_URI},
	};
	char b[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sip_scan_result r;

		snprintf(b, sizeof(b), "%s\r\n" MANDATORY "\r\n",
			 cases[i].line);
		r = scan_text(b);
		if (r != cases[i].want)
			fail_msg("\"%s\": got %s, want %s", cases[i].line,
				 sip_scan_result_name(r),
				 sip_scan_result_name(cases[i].want));
	}

	/* CRLFs before the start line are skipped (RFC 3261 7.5) */
	assert_result(scan_text("\r\n\r\n" RL MANDATORY "\r\n"), SIP_SCAN_OK);
	assert_int_equal(msg.header_len,
			 strlen("\r\n\r\n" RL MANDATORY "\r\n"));
	assert_str(msg.method_str, "INVITE");
	assert_result(scan_text("\r\n  " RL MANDATORY "\r\n"),
		      SIP_SCAN_BAD_START_LINE);

	/* methods are case-sensitive: "invite" is an extension method */
	assert_result(
		scan_text("invite sip:bob@example.com SIP/2.0\r\n" VIA FROM TO
				  CALLID "CSeq: 1 invite\r\n\r\n"),
		SIP_SCAN_OK);
	assert_int_equal(msg.method, SIP_METHOD_UNKNOWN);
	assert_str(msg.method_str, "invite");
}

static void test_cseq(void **state)
{
	static const struct {
		const char *method;
		const char *cseq;
		enum sip_scan_result want;
	} cases[] = {
		{"INVITE", "2147483647 INVITE", SIP_SCAN_OK},
		{"INVITE", "0 INVITE", SIP_SCAN_OK},
		{"INVITE", "00000000000000000001 INVITE", SIP_SCAN_OK},
		{"INVITE", "2147483648 INVITE", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "99999999999999999999999 INVITE", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "-1 INVITE", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "INVITE", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "1", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "1 ", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "1INVITE", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "1 INVITE x", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "1 INV/ITE", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "1.5 INVITE", SIP_SCAN_BAD_CSEQ},
		{"INVITE", "1 invite", SIP_SCAN_CSEQ_MISMATCH},
		{"INVITE", "1 INVITEX", SIP_SCAN_CSEQ_MISMATCH},
		{"INVITE", "1 ACK", SIP_SCAN_CSEQ_MISMATCH},
		{"ACK", "1 ACK", SIP_SCAN_OK},
		{"ACK", "1 INVITE", SIP_SCAN_CSEQ_MISMATCH},
		{"CANCEL", "1 CANCEL", SIP_SCAN_OK},
		{"CANCEL", "1 INVITE", SIP_SCAN_CSEQ_MISMATCH},
		{"BYE", "1 BYE", SIP_SCAN_OK},
		{"FOO", "1 FOO", SIP_SCAN_OK},
	};
	char b[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sip_scan_result r;

		snprintf(b, sizeof(b),
			 "%s sip:bob@example.com SIP/2.0\r\n" VIA FROM TO CALLID
			 "CSeq: %s\r\n\r\n",
			 cases[i].method, cases[i].cseq);
		r = scan_text(b);
		if (r != cases[i].want)
			fail_msg("%s / CSeq: %s: got %s", cases[i].method,
				 cases[i].cseq, sip_scan_result_name(r));
	}
	assert_result(
		scan_text(
			"ACK sip:bob@example.com SIP/2.0\r\n" VIA FROM TO CALLID
			"CSeq: 2147483647 ACK\r\n\r\n"),
		SIP_SCAN_OK);
	assert_int_equal(msg.cseq, 2147483647u);
	assert_int_equal(msg.cseq_method, SIP_METHOD_ACK);
	assert_int_equal(msg.method, SIP_METHOD_ACK);

	assert_result(scan_text(RL VIA FROM TO CALLID "\r\n"),
		      SIP_SCAN_BAD_CSEQ);
}

static void test_mandatory_and_duplicates(void **state)
{
	(void)state;
	assert_result(scan_text(RL VIA FROM TO CSEQ "\r\n"),
		      SIP_SCAN_NO_CALL_ID);
	assert_result(scan_text(RL VIA TO CALLID CSEQ "\r\n"),
		      SIP_SCAN_NO_FROM);
	assert_result(scan_text(RL VIA FROM CALLID CSEQ "\r\n"),
		      SIP_SCAN_NO_TO);
	assert_result(scan_text(RL FROM TO CALLID CSEQ "\r\n"),
		      SIP_SCAN_NO_VIA);
	assert_result(scan_text("SIP/2.0 200 OK\r\n" VIA FROM TO CSEQ "\r\n"),
		      SIP_SCAN_NO_CALL_ID);

	/* single-valued headers the policy keys on may not repeat, in any
	 * spelling; others keep their first value */
	assert_result(scan_text(RL MANDATORY "i: other@h\r\n\r\n"),
		      SIP_SCAN_DUPLICATE_HEADER);
	assert_result(scan_text(RL MANDATORY "f: <sip:x@h>;tag=2\r\n\r\n"),
		      SIP_SCAN_DUPLICATE_HEADER);
	assert_result(scan_text(RL MANDATORY "TO: <sip:x@h>\r\n\r\n"),
		      SIP_SCAN_DUPLICATE_HEADER);
	assert_result(scan_text(RL MANDATORY CSEQ "\r\n"),
		      SIP_SCAN_DUPLICATE_HEADER);
	assert_result(
		scan_text(RL MANDATORY "l: 0\r\nContent-Length: 0\r\n\r\n"),
		SIP_SCAN_DUPLICATE_HEADER);
	assert_result(scan_text(RL MANDATORY "User-Agent: first\r\n"
					     "User-Agent: second\r\n"
					     "Contact: <sip:first@h>\r\n"
					     "Contact: <sip:second@h>\r\n\r\n"),
		      SIP_SCAN_OK);
	assert_str(msg.user_agent, "first");
	assert_str(msg.contact.whole, "sip:first@h");
}

static void test_call_id_forms(void **state)
{
	static const char *const bad[] = {
		"",	   "a b",	    "a@",  "@b", "a@b@c",
		"a\r\n b", "caf\xc3\xa9@h", "a;b",
	};
	char b[512];

	(void)state;
	assert_result(scan_text(RL VIA FROM TO "Call-ID: word<>:\\\"/[]?{}()@"
					       "host~%!`'\r\n" CSEQ "\r\n"),
		      SIP_SCAN_OK);
	assert_str(msg.call_id, "word<>:\\\"/[]?{}()@host~%!`'");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(b, sizeof(b),
			 RL VIA FROM TO "Call-ID: %s\r\n" CSEQ "\r\n", bad[i]);
		if (scan_text(b) != SIP_SCAN_BAD_HEADER)
			fail_msg("accepted Call-ID: %s", bad[i]);
	}
}

static void test_header_lines(void **state)
{
	static const char *const bad[] = {
		"NoColon\r\n",
		": value\r\n",
		"Two Words: value\r\n",
		"Name\r\n : value\r\n",
		"N\xc3\xa4me: value\r\n",
		"Name;x: value\r\n",
	};
	char b[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(b, sizeof(b), RL MANDATORY "%s\r\n", bad[i]);
		if (scan_text(b) != SIP_SCAN_BAD_HEADER)
			fail_msg("accepted %s", bad[i]);
	}
	/* empty values and odd but legal names are fine */
	assert_result(scan_text(RL MANDATORY "Subject:\r\nX-Empty:   \r\n"
					     "extensionHeader-!.%*+_`'~: x\r\n"
					     "\r\n"),
		      SIP_SCAN_OK);
	assert_int_equal(msg.header_count, 8);
}

static void test_content_length(void **state)
{
	char b[1024];

	(void)state;
	/* smaller than what follows: the rest is not body */
	snprintf(b, sizeof(b), RL MANDATORY "Content-Length: 3\r\n\r\nabcdef");
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_int_equal(msg.body_len, 3);
	assert_int_equal(msg.header_len + 6, strlen(b));

	snprintf(b, sizeof(b), RL MANDATORY "Content-Length: 6\r\n\r\nabcdef");
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_int_equal(msg.body_len, 6);

	/* beyond the datagram */
	snprintf(b, sizeof(b), RL MANDATORY "Content-Length: 7\r\n\r\nabcdef");
	assert_result(scan_text(b), SIP_SCAN_BAD_CONTENT_LENGTH);
	assert_int_equal(msg.content_length, 7);

	/* absent: the rest of the datagram */
	snprintf(b, sizeof(b), RL MANDATORY "\r\nabcdef");
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_int_equal(msg.content_length, -1);
	assert_int_equal(msg.body_len, 6);

	static const char *const bad[] = {
		"",	      "abc",  "-1",  "+1",
		"1 2",	      "0x10", "1.0", "99999999999999999999999999",
		"4294967296",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(b, sizeof(b),
			 RL MANDATORY "Content-Length: %s\r\n\r\n", bad[i]);
		if (scan_text(b) != SIP_SCAN_BAD_CONTENT_LENGTH)
			fail_msg("accepted Content-Length: %s", bad[i]);
	}
	snprintf(b, sizeof(b), RL MANDATORY "l:\t0 \t\r\n\r\n");
	assert_result(scan_text(b), SIP_SCAN_OK);
	assert_int_equal(msg.content_length, 0);
}

static void test_empty_and_keepalive(void **state)
{
	static const char *const empty[] = {
		"", "\r\n", "\r\n\r\n", " ", "\t \r\n", "\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++)
		assert_result(scan_text(empty[i]), SIP_SCAN_EMPTY);
	assert_result(scan_text("\r\nX"), SIP_SCAN_TRUNCATED);
}

/* The same message with every CRLF as a bare LF. */
static void test_bare_lf(void **state)
{
	const char *crlf = invite();
	char lf[4096];
	size_t n = 0;
	struct sip_msg with_crlf;

	(void)state;
	assert_result(scan_text(crlf), SIP_SCAN_OK);
	with_crlf = msg;
	for (const char *p = crlf; *p; p++)
		if (*p != '\r')
			lf[n++] = *p;
	assert_result(scan_bytes(lf, n), SIP_SCAN_BAD_CONTENT_LENGTH);
	/* the SDP shrank too; a mixed message keeps its CRLF body */
	n = 0;
	for (const char *p = crlf; p < crlf + with_crlf.header_len; p++)
		if (*p != '\r')
			lf[n++] = *p;
	memcpy(lf + n, crlf + with_crlf.header_len, with_crlf.body_len);
	n += with_crlf.body_len;
	assert_result(scan_bytes(lf, n), SIP_SCAN_OK);
	assert_str(msg.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	assert_str(msg.from.whole, "sip:alice@atlanta.example.com");
	assert_str(msg.from_tag, "1928301774");
	assert_int_equal(msg.header_count, with_crlf.header_count);
	assert_int_equal(msg.body_len, with_crlf.body_len);
	assert_int_equal(msg.header_len, n - with_crlf.body_len);

	/* LF-only folding, and an LF empty line after CRLF lines */
	assert_result(scan_text("OPTIONS sip:h SIP/2.0\n" VIA FROM TO
				"Call-ID:\n x@y\n"
				"CSeq: 1 OPTIONS\r\n\n"),
		      SIP_SCAN_OK);
	assert_str(msg.call_id, "x@y");
}

static void test_bare_cr_and_nul(void **state)
{
	static const char nul_body[] =
		RL MANDATORY "Content-Length: 3\r\n\r\na\0b";
	char b[512];

	(void)state;
	assert_result(scan_text(RL "Call-ID: a\rb\r\n" VIA FROM TO CSEQ "\r\n"),
		      SIP_SCAN_BAD_HEADER);
	assert_result(scan_text("INVITE sip:bob@example.com\rSIP/2.0\r\n"),
		      SIP_SCAN_BAD_START_LINE);
	assert_result(scan_text(RL MANDATORY "\r\r\n"), SIP_SCAN_BAD_HEADER);

	/* a NUL right after `mark`: in the start line, a value, a name */
	static const struct {
		const char *mark;
		enum sip_scan_result want;
	} nul_after[] = {
		{"INV", SIP_SCAN_BAD_START_LINE},
		{"Call-ID: a84", SIP_SCAN_BAD_HEADER},
		{"X-F", SIP_SCAN_BAD_HEADER},
		{"X-Foo: b", SIP_SCAN_BAD_HEADER},
	};
	for (size_t i = 0; i < sizeof(nul_after) / sizeof(nul_after[0]); i++) {
		size_t n = (size_t)snprintf(b, sizeof(b),
					    RL MANDATORY "X-Foo: bar\r\n\r\n");

		strstr(b, nul_after[i].mark)[strlen(nul_after[i].mark)] = '\0';
		assert_result(scan_bytes(b, n), nul_after[i].want);
	}

	/* a NUL in the body is the body's business */
	assert_result(scan_bytes(nul_body, sizeof(nul_body) - 1), SIP_SCAN_OK);
	assert_int_equal(msg.body_len, 3);
}

/* Every byte of the header section turned into a NUL. */
static void test_nul_at_every_offset(void **state)
{
	const char *m = invite();
	size_t n = strlen(m), start_line = strlen(RL);
	struct sip_msg whole;
	char *b = malloc(n);

	(void)state;
	assert_result(scan_text(m), SIP_SCAN_OK);
	whole = msg;
	for (size_t i = 0; i < whole.header_len; i++) {
		enum sip_scan_result want = i < start_line
						    ? SIP_SCAN_BAD_START_LINE
						    : SIP_SCAN_BAD_HEADER;

		memcpy(b, m, n);
		b[i] = '\0';
		if (scan_bytes(b, n) != want)
			fail_msg("NUL at %zu: got %s", i,
				 sip_scan_result_name(scan_bytes(b, n)));
	}
	free(b);
}

/*
 * Every prefix of a message: under its header section it is truncated,
 * past it the body may be short. Run on the INVITE and the RFC files.
 */
static void check_prefixes(const char *m, size_t n)
{
	struct sip_msg whole;

	assert_result(scan_bytes(m, n), SIP_SCAN_OK);
	whole = msg;
	for (size_t i = 0; i <= n; i++) {
		enum sip_scan_result want, r;

		if (i == 0)
			want = SIP_SCAN_EMPTY;
		else if (i < whole.header_len)
			want = SIP_SCAN_TRUNCATED;
		else if (whole.content_length < 0 ||
			 (size_t)whole.content_length <= i - whole.header_len)
			want = SIP_SCAN_OK;
		else
			want = SIP_SCAN_BAD_CONTENT_LENGTH;
		r = scan_bytes(m, i);
		if (r != want)
			fail_msg("prefix %zu of %zu: got %s, want %s", i, n,
				 sip_scan_result_name(r),
				 sip_scan_result_name(want));
		if (r == SIP_SCAN_OK) {
			assert_int_equal(msg.header_len, whole.header_len);
			assert_int_equal(msg.header_count, whole.header_count);
			assert_int_equal(msg.via_count, whole.via_count);
		}
	}
}

static void test_truncated_at_every_offset(void **state)
{
	(void)state;
	check_prefixes(invite(), strlen(invite()));
	for (size_t i = 0; i < N_RFC_CASES; i++) {
		char path[256];
		size_t n;
		char *buf;

		if (rfc_cases[i].want != SIP_SCAN_OK)
			continue;
		snprintf(path, sizeof(path), DATA_DIR "/%s/%s.sip",
			 rfc_cases[i].kind, rfc_cases[i].name);
		buf = read_file(path, &n);
		check_prefixes(buf, n);
		free(buf);
	}
}

static void test_header_count_bound(void **state)
{
	static char b[SIP_SCAN_MAX_HEADERS * 32 + 1024];
	size_t n;

	(void)state;
	/* the five mandatory lines, then fillers up to the bound */
	n = (size_t)snprintf(b, sizeof(b), RL MANDATORY);
	for (int i = 5; i < SIP_SCAN_MAX_HEADERS; i++)
		n += (size_t)snprintf(
			b + n, sizeof(b) - n,
			i % 2 ? "X-H%d: v\r\n" : "X-H%d: f\r\n o\r\n", i);
	n += (size_t)snprintf(b + n, sizeof(b) - n, "\r\n");
	assert_result(scan_bytes(b, n), SIP_SCAN_OK);
	assert_int_equal(msg.header_count, SIP_SCAN_MAX_HEADERS);

	n -= 2;
	n += (size_t)snprintf(b + n, sizeof(b) - n, "X-Over: v\r\n\r\n");
	assert_result(scan_bytes(b, n), SIP_SCAN_TOO_MANY_HEADERS);
}

static void test_line_length_bound(void **state)
{
	static char b[3 * SIP_SCAN_MAX_LINE];
	static const char name[] = "X-Long: ";
	size_t n, fill;

	(void)state;
	/* a header line of exactly SIP_SCAN_MAX_LINE bytes before its CRLF */
	fill = SIP_SCAN_MAX_LINE - strlen(name);
	n = (size_t)snprintf(b, sizeof(b), RL MANDATORY "%s", name);
	memset(b + n, 'a', fill);
	n += fill;
	n += (size_t)snprintf(b + n, sizeof(b) - n, "\r\n\r\n");
	assert_result(scan_bytes(b, n), SIP_SCAN_OK);

	/* one more byte */
	n = (size_t)snprintf(b, sizeof(b), RL MANDATORY "%s", name);
	memset(b + n, 'a', fill + 1);
	n += fill + 1;
	n += (size_t)snprintf(b + n, sizeof(b) - n, "\r\n\r\n");
	assert_result(scan_bytes(b, n), SIP_SCAN_LINE_TOO_LONG);

	/* ... also when the buffer ends inside that line */
	n = (size_t)snprintf(b, sizeof(b), RL MANDATORY "%s", name);
	memset(b + n, 'a', fill + 1);
	assert_result(scan_bytes(b, n + fill + 1), SIP_SCAN_LINE_TOO_LONG);
	assert_result(scan_bytes(b, n + fill), SIP_SCAN_TRUNCATED);

	/* folding does not reset the count: the logical line is too long */
	n = (size_t)snprintf(b, sizeof(b), RL MANDATORY "%s", name);
	for (int i = 0; i < 3; i++) {
		memset(b + n, 'a', SIP_SCAN_MAX_LINE / 2);
		n += SIP_SCAN_MAX_LINE / 2;
		n += (size_t)snprintf(b + n, sizeof(b) - n, "\r\n ");
	}
	n += (size_t)snprintf(b + n, sizeof(b) - n, "z\r\n\r\n");
	assert_result(scan_bytes(b, n), SIP_SCAN_LINE_TOO_LONG);

	/* and the start line has the same bound */
	n = (size_t)snprintf(b, sizeof(b), "INVITE sip:");
	memset(b + n, 'u', SIP_SCAN_MAX_LINE);
	n += SIP_SCAN_MAX_LINE;
	n += (size_t)snprintf(b + n, sizeof(b) - n,
			      "@h SIP/2.0\r\n" MANDATORY "\r\n");
	assert_result(scan_bytes(b, n), SIP_SCAN_LINE_TOO_LONG);
}

static void test_iterator(void **state)
{
	struct sip_header_iter it;
	struct sip_header h;
	unsigned lines = 0;
	struct sip_str last_name = {NULL, 0}, last_value = {NULL, 0};

	(void)state;
	assert_result(scan_text("\r\n" RL
				"Via:SIP/2.0/UDP h;branch=z9hG4bKi\r\n"
				"From:  <sip:a@h>;tag=1  \r\n" TO CALLID CSEQ
				"X-Empty:\r\n"
				"Content-Length: 2\r\n\r\nhi"),
		      SIP_SCAN_OK);
	sip_header_iter_init(&it, scanned, &msg);
	while (sip_header_next(&it, &h)) {
		assert_true(h.line.ptr >= scanned);
		assert_true(h.line.ptr + h.line.len <=
			    scanned + msg.header_len - 2);
		assert_true(h.name.ptr == h.line.ptr);
		if (lines == 0) {
			assert_str(h.value, "SIP/2.0/UDP h;branch=z9hG4bKi");
		} else if (lines == 1) {
			assert_str(h.value, "<sip:a@h>;tag=1");
			assert_str(h.line, "From:  <sip:a@h>;tag=1  ");
			assert_int_equal(h.compact, 'f');
		} else if (lines == 5) {
			assert_str(h.name, "X-Empty");
			assert_int_equal(h.value.len, 0);
			assert_int_equal(h.compact, 0);
		}
		last_name = h.name;
		last_value = h.value;
		lines++;
	}
	assert_int_equal(lines, msg.header_count);
	assert_str(last_name, "Content-Length");
	assert_str(last_value, "2");
}

/* Separators are not token characters (RFC 3261 25.1): a header name
 * with one is no header, whatever the name around it (a byte range once
 * let '(' and ')' into tokens). */
static void test_separators_in_header_names(void **state)
{
	static const char *const names[] = {"Call-I)D", "Call-I(D", "Fr<om",
					    "T@o", "C,Seq", "Vi\"a"};
	char msg[512];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(msg, sizeof(msg),
			 "INVITE sip:b@h SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\n"
			 "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"
			 "%s: x\r\nCall-ID: y\r\nCSeq: 1 INVITE\r\n"
			 "Content-Length: 0\r\n\r\n",
			 names[i]);
		assert_int_equal(scan_text(msg), SIP_SCAN_BAD_HEADER);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sip_scan_result_name(SIP_SCAN_OK), "ok");
	assert_string_equal(sip_scan_result_name(SIP_SCAN_EMPTY), "empty");
	assert_string_equal(sip_scan_result_name(SIP_SCAN_BAD_START_LINE),
			    "bad_start_line");
	assert_string_equal(sip_scan_result_name(SIP_SCAN_BAD_CONTENT_LENGTH),
			    "bad_content_length");
	assert_string_equal(sip_scan_result_name(SIP_SCAN_DUPLICATE_HEADER),
			    "duplicate_header");
	assert_string_equal(sip_scan_result_name(SIP_SCAN_RESULT_MAX),
			    "invalid");
	for (int r = 0; r < SIP_SCAN_RESULT_MAX; r++) {
		const char *name = sip_scan_result_name(r);

		assert_non_null(name);
		assert_string_not_equal(name, "invalid");
		for (const char *c = name; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
		for (int s = 0; s < r; s++)
			assert_string_not_equal(name, sip_scan_result_name(s));
	}

	assert_string_equal(sip_method_name(SIP_METHOD_UNKNOWN), "other");
	assert_string_equal(sip_method_name(SIP_METHOD_MAX), "other");
	assert_string_equal(sip_method_name(SIP_METHOD_INVITE), "INVITE");
	assert_string_equal(sip_method_name(SIP_METHOD_UPDATE), "UPDATE");
	for (int m = SIP_METHOD_INVITE; m < SIP_METHOD_MAX; m++) {
		const char *name = sip_method_name(m);

		assert_int_equal(sip_method_from_token(name, strlen(name)), m);
	}
	assert_int_equal(sip_method_from_token("invite", 6),
			 SIP_METHOD_UNKNOWN);
	assert_int_equal(sip_method_from_token("INVITEX", 7),
			 SIP_METHOD_UNKNOWN);
	assert_int_equal(sip_method_from_token("INVITE", 5),
			 SIP_METHOD_UNKNOWN);
	assert_int_equal(sip_method_from_token("", 0), SIP_METHOD_UNKNOWN);
	assert_int_equal(sip_method_from_token("other", 5), SIP_METHOD_UNKNOWN);
}

static int teardown(void **state)
{
	(void)state;
	free(scanned);
	scanned = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rfc4475, teardown),
		cmocka_unit_test_teardown(test_rfc4475_all_files_listed,
					  teardown),
		cmocka_unit_test_teardown(test_intmeth_without_nul, teardown),
		cmocka_unit_test_teardown(test_invite_fields, teardown),
		cmocka_unit_test_teardown(test_compact_forms, teardown),
		cmocka_unit_test_teardown(test_compact_letter_of_full_names,
					  teardown),
		cmocka_unit_test_teardown(test_names_any_case_and_colon_lws,
					  teardown),
		cmocka_unit_test_teardown(test_folding, teardown),
		cmocka_unit_test_teardown(test_via_lists, teardown),
		cmocka_unit_test_teardown(test_uri_forms, teardown),
		cmocka_unit_test_teardown(test_name_addr_forms, teardown),
		cmocka_unit_test_teardown(test_contact_and_expires, teardown),
		cmocka_unit_test_teardown(test_responses, teardown),
		cmocka_unit_test_teardown(test_request_lines, teardown),
		cmocka_unit_test_teardown(test_cseq, teardown),
		cmocka_unit_test_teardown(test_mandatory_and_duplicates,
					  teardown),
		cmocka_unit_test_teardown(test_call_id_forms, teardown),
		cmocka_unit_test_teardown(test_header_lines, teardown),
		cmocka_unit_test_teardown(test_content_length, teardown),
		cmocka_unit_test_teardown(test_empty_and_keepalive, teardown),
		cmocka_unit_test_teardown(test_bare_lf, teardown),
		cmocka_unit_test_teardown(test_bare_cr_and_nul, teardown),
		cmocka_unit_test_teardown(test_nul_at_every_offset, teardown),
		cmocka_unit_test_teardown(test_truncated_at_every_offset,
					  teardown),
		cmocka_unit_test_teardown(test_header_count_bound, teardown),
		cmocka_unit_test_teardown(test_line_length_bound, teardown),
		cmocka_unit_test_teardown(test_iterator, teardown),
		cmocka_unit_test(test_separators_in_header_names),
		cmocka_unit_test_teardown(test_names, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
