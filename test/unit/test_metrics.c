/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics: the Prometheus text of a hand-made stats_view, line by line and
 * against a validator of the exposition grammar (format 0.0.4); the HTTP
 * server through a raw socket; the DPDK telemetry commands through the
 * telemetry socket of a small EAL. stats_aggregate()'s per-lcore totals
 * add up to its sums.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "metrics.h"
#include "tenant_registry.h"
#include "test_eal.h"

/* A view made by hand: tenants in slots 0 and 2, slot 1 free (its counts
 * must not show); the name in slot 2 needs escaping. */
#define ODD_NAME "we\"ird\\name\nx"
#define ODD_NAME_ESCAPED "we\\\"ird\\\\name\\nx"

static struct stats_view *new_view(uint32_t slots)
{
	struct stats_view *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->sum.tenant_count = v->gauges.tenant_count = slots;
	v->tenant_names = calloc(slots + 1, sizeof(*v->tenant_names));
	v->sum.tenants = calloc(slots + 1, sizeof(*v->sum.tenants));
	v->gauges.tenants = calloc(slots + 1, sizeof(*v->gauges.tenants));
	assert_non_null(v->tenant_names);
	assert_non_null(v->sum.tenants);
	assert_non_null(v->gauges.tenants);
	return v;
}

static struct stats_view *sample_view(void)
{
	struct stats_view *v = new_view(3);
	struct stats_lcore *s = &v->sum;
	struct stats_gauges *g = &v->gauges;

	v->tenant_names[0] = "acme";
	v->tenant_names[2] = ODD_NAME;
	s->total[ST_PACKETS] = 42;
	s->total[ST_BYTES] = 18012;
	s->total[ST_FORWARDED_PACKETS] = 30;
	s->total[ST_REPLIES_SUPPRESSED] = 18446744073709551615ULL;
	s->malformed_reasons[SIP_SCAN_BAD_CSEQ] = 1;
	s->all.methods[SIP_METHOD_INVITE] = 5;
	s->all.methods[SIP_METHOD_UNKNOWN] = 1;
	s->all.responses[1] = 6;
	s->all.verdicts[VERDICT_FORWARDED] = 30;
	s->all.verdicts[VERDICT_CALL_LIMIT] = 3;
	s->tenants[0].methods[SIP_METHOD_INVITE] = 4;
	s->tenants[0].verdicts[VERDICT_CALL_LIMIT] = 2;
	s->tenants[1].methods[SIP_METHOD_BYE] = 99; /* no tenant: left out */
	s->tenants[2].responses[3] = 1;
	g->calls_active = 3;
	g->call_capacity = 1048576;
	g->calls_expired = 9;
	g->registrations_active = 7;
	g->registration_capacity = 262144;
	g->tenants[0] = (struct stats_tenant_gauges){
		.calls_inbound = 2, .calls_outbound = 1, .emergency_calls = 1};
	g->tenants[1] = (struct stats_tenant_gauges){.users = 99};
	g->tenants[2] = (struct stats_tenant_gauges){.users = 7};
	/* two worker lcores (and one that never ran: left out) */
	v->lcore_count = 3;
	v->lcores = calloc(3, sizeof(*v->lcores));
	assert_non_null(v->lcores);
	v->lcores[0].lcore_id = 1;
	v->lcores[0].total[ST_PACKETS] = 40;
	v->lcores[0].total[ST_BYTES] = 18000;
	v->lcores[0].total[ST_FORWARDED_PACKETS] = 30;
	v->lcores[0].total[ST_REPLIES] = 3;
	v->lcores[0].total[ST_DROPPED_PACKETS] = 7;
	v->lcores[1].lcore_id = 2;
	v->lcores[1].total[ST_PACKETS] = 2;
	v->lcores[1].total[ST_BYTES] = 12;
	v->lcores[1].total[ST_TX_ERRORS] = 1;
	v->lcores[2].lcore_id = STATS_LCORE_NONE;
	v->lcores[2].total[ST_PACKETS] = 99;
	/* a vdev with two queue pairs, a PCI device with one */
	v->port_count = 2;
	v->ports = calloc(2, sizeof(*v->ports));
	assert_non_null(v->ports);
	v->ports[0] = (struct stats_port){.port_id = 0,
					  .rx_queues = 2,
					  .tx_queues = 2,
					  .name = "net_pcap0",
					  .ipackets = 40,
					  .opackets = 33,
					  .ibytes = 18000,
					  .obytes = 15000,
					  .imissed = 5,
					  .ierrors = 1,
					  .rx_nombuf = 2,
					  .q_ipackets = {38, 2},
					  .q_opackets = {30, 3},
					  .q_errors = {0, 4}};
	v->ports[1] = (struct stats_port){.port_id = 3,
					  .rx_queues = 1,
					  .tx_queues = 1,
					  .name = "0000:01:00.0",
					  .opackets = 6,
					  .oerrors = 1,
					  .q_opackets = {6, 99}};
	return v;
}

static char *render(const struct stats_view *v)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	assert_non_null(out);
	metrics_write_prometheus(v, out);
	assert_int_equal(fclose(out), 0);
	return text;
}

/* How many whole lines of `text` are exactly `line`. */
static unsigned int count_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	unsigned int hits = 0;

	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');

		if (end == NULL)
			end = p + strlen(p);
		hits += (size_t)(end - p) == n && memcmp(p, line, n) == 0;
		p = *end ? end + 1 : end;
	}
	return hits;
}

#define assert_line(text, line)                                                \
	do {                                                                   \
		if (count_line(text, line) != 1)                               \
			fail_msg("want once: %s\n--- got:\n%s", line, text);   \
	} while (0)
#define assert_no_line(text, line)                                             \
	do {                                                                   \
		if (count_line(text, line) != 0)                               \
			fail_msg("want none: %s", line);                       \
	} while (0)

/*
 * A validator of the text exposition format 0.0.4, stricter than
 * Prometheus where this exporter promises more: every family has one
 * HELP and one TYPE before its samples, its samples are together, every
 * sample of a family has the same label names in the same order, and no
 * series appears twice. NULL when valid, else what is wrong.
 */
#define MAX_FAMILIES 128
#define MAX_SERIES 4096

struct expo_family {
	char name[128];
	char labels[128]; /* label names of its first sample, "a,b," */
	bool help, type, sampled, closed;
};

struct expo {
	struct expo_family fam[MAX_FAMILIES];
	size_t families, samples;
	char *series[MAX_SERIES];
	char why[256];
};

static bool name_char(char c, bool first, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

/* Length of the metric (colon) or label name at p; 0 if none. */
static size_t name_len(const char *p, bool colon)
{
	size_t n = 0;

	while (name_char(p[n], n == 0, colon))
		n++;
	return n;
}

static struct expo_family *expo_family(struct expo *e, const char *name,
				       size_t len)
{
	for (size_t i = 0; i < e->families; i++)
		if (strlen(e->fam[i].name) == len &&
		    memcmp(e->fam[i].name, name, len) == 0)
			return &e->fam[i];
	if (e->families == MAX_FAMILIES || len >= sizeof(e->fam[0].name))
		return NULL;
	memcpy(e->fam[e->families].name, name, len);
	return &e->fam[e->families++];
}

/* A Go ParseFloat-style value: a decimal, NaN, +Inf, -Inf. */
static bool expo_value(const char *p, size_t len)
{
	char buf[64], *end;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (!strcmp(buf, "NaN") || !strcmp(buf, "+Inf") || !strcmp(buf, "-Inf"))
		return true;
	if (strspn(buf, "0123456789+-.eE") != len)
		return false;
	strtod(buf, &end);
	return *end == '\0';
}

/* An escaped text up to `stop` ('"' or '\n'); the end, or NULL. */
static const char *expo_text(const char *p, char stop, bool quotes)
{
	for (; *p && *p != stop; p++) {
		if (*p == '\n')
			return NULL;
		if (*p != '\\')
			continue;
		p++;
		if (*p != '\\' && *p != 'n' && !(quotes && *p == '"'))
			return NULL;
	}
	return *p == stop ? p : NULL;
}

static const char *expo_comment(struct expo *e, const char *p,
				struct expo_family **last)
{
	bool help = strncmp(p, "# HELP ", 7) == 0;
	bool type = strncmp(p, "# TYPE ", 7) == 0;
	struct expo_family *f;
	size_t n;

	if (!help && !type)
		return strchr(p, '\n'); /* any other comment */
	p += 7;
	n = name_len(p, true);
	if (n == 0 || p[n] != ' ')
		return NULL;
	f = expo_family(e, p, n);
	if (f == NULL || (help && f->help) || (type && f->type) || f->sampled)
		return NULL;
	if (*last != NULL && *last != f)
		(*last)->closed = (*last)->sampled;
	*last = f;
	p += n + 1;
	if (help) {
		f->help = true;
		return expo_text(p, '\n', false);
	}
	f->type = true;
	n = strcspn(p, "\n");
	if (!((n == 7 && !strncmp(p, "counter", 7)) ||
	      (n == 5 && !strncmp(p, "gauge", 5)) ||
	      (n == 9 && !strncmp(p, "histogram", 9)) ||
	      (n == 7 && !strncmp(p, "summary", 7)) ||
	      (n == 7 && !strncmp(p, "untyped", 7))))
		return NULL;
	return p + n;
}

static const char *expo_sample(struct expo *e, const char *p,
			       struct expo_family **last)
{
	const char *start = p, *end;
	char labels[128] = "";
	struct expo_family *f;
	size_t n = name_len(p, true), used = 0;

	f = n ? expo_family(e, p, n) : NULL;
	if (f == NULL || f->closed || !f->type || !f->help)
		return NULL;
	if (*last != NULL && *last != f)
		(*last)->closed = (*last)->sampled;
	*last = f;
	p += n;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			size_t ln = name_len(p, false);

			if (ln == 0 || p[ln] != '=' || p[ln + 1] != '"' ||
			    used + ln + 2 > sizeof(labels))
				return NULL;
			/* a label name twice in one sample */
			for (char *q = labels; *q; q += strcspn(q, ",") + 1)
				if (strcspn(q, ",") == ln && !memcmp(q, p, ln))
					return NULL;
			memcpy(labels + used, p, ln);
			used += ln;
			labels[used++] = ',';
			labels[used] = '\0';
			p = expo_text(p + ln + 2, '"', true);
			if (p == NULL)
				return NULL;
			p++;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return NULL;
		}
		p++;
	}
	if (!f->sampled)
		memcpy(f->labels, labels, sizeof(labels));
	else if (strcmp(f->labels, labels) != 0)
		return NULL; /* mixed label sets in one family */
	f->sampled = true;
	if (*p != ' ')
		return NULL;
	end = p;
	p++;
	n = strcspn(p, " \n");
	if (!expo_value(p, n))
		return NULL;
	p += n;
	if (*p == ' ') { /* a timestamp */
		n = strcspn(++p, "\n");
		if (n == 0 || strspn(p, "-0123456789") != n)
			return NULL;
		p += n;
	}
	if (e->samples == MAX_SERIES)
		return NULL;
	for (size_t i = 0; i < e->samples; i++)
		if (strlen(e->series[i]) == (size_t)(end - start) &&
		    !memcmp(e->series[i], start, (size_t)(end - start)))
			return NULL;
	e->series[e->samples++] = strndup(start, (size_t)(end - start));
	return p;
}

static void expo_free(struct expo *e)
{
	for (size_t i = 0; i < e->samples; i++)
		free(e->series[i]);
}

static const char *expo_check(struct expo *e, const char *text)
{
	struct expo_family *last = NULL;
	unsigned int line = 1;

	memset(e, 0, sizeof(*e));
	for (const char *p = text; *p; line++) {
		const char *end;

		if (*p == '\n')
			end = p;
		else if (*p == '#')
			end = expo_comment(e, p, &last);
		else
			end = expo_sample(e, p, &last);
		if (end == NULL || *end != '\n') {
			snprintf(e->why, sizeof(e->why), "line %u: %.*s", line,
				 (int)strcspn(p, "\n"), p);
			return e->why;
		}
		p = end + 1;
	}
	if (*text && text[strlen(text) - 1] != '\n')
		return "no final newline";
	for (size_t i = 0; i < e->families; i++)
		if (!e->fam[i].help || !e->fam[i].type)
			return "a family without HELP or TYPE";
	return NULL;
}

static void assert_valid(const char *text, size_t families)
{
	struct expo e;
	const char *why = expo_check(&e, text);

	expo_free(&e);
	if (why != NULL)
		fail_msg("invalid exposition: %s\n--- text:\n%s", why, text);
	assert_int_equal(e.families, families);
}

/* 25 totals, 3 + 1 all-traffic arrays, 3 per tenant arrays, 5 tenant
 * gauges, 3 table families and underflows; 6 per lcore, 8 per port and
 * 5 per queue */
#define FAMILIES (ST_TOTAL_MAX + 4 + 3 + 5 + 3 + 1 + 6 + 8 + 5)

static void test_prometheus_lines(void **state)
{
	struct stats_view *v = sample_view();
	char *text = render(v), line[160];

	(void)state;
	/* totals: one family each, named after stats.c */
	assert_line(text, "# HELP sipwarden_packets_total Frames received, "
			  "both sides.");
	assert_line(text, "# TYPE sipwarden_packets_total counter");
	assert_line(text, "sipwarden_packets_total 42");
	assert_line(text, "sipwarden_bytes_total 18012");
	assert_line(text, "sipwarden_forwarded_packets_total 30");
	assert_line(text,
		    "sipwarden_replies_suppressed_total 18446744073709551615");
	for (int i = 0; i < ST_TOTAL_MAX; i++) {
		snprintf(line, sizeof(line),
			 "# TYPE sipwarden_%s_total counter",
			 stats_total_name((enum stats_total)i));
		assert_line(text, line);
	}
	/* all traffic */
	assert_line(text, "# TYPE sipwarden_all_messages_total counter");
	assert_line(text, "sipwarden_all_messages_total{method=\"INVITE\"} 5");
	assert_line(text, "sipwarden_all_messages_total{method=\"other\"} 1");
	assert_no_line(text, "sipwarden_all_messages_total{method=\"BYE\"} 0");
	assert_line(text, "sipwarden_all_responses_total{class=\"2xx\"} 6");
	assert_line(text, "sipwarden_all_responses_total{class=\"6xx\"} 0");
	assert_line(text,
		    "sipwarden_all_verdicts_total{reason=\"forwarded\"} 30");
	assert_line(text,
		    "sipwarden_all_verdicts_total{reason=\"call_limit\"} 3");
	assert_line(text, "sipwarden_all_verdicts_total{reason=\"simbox\"} 0");
	assert_line(text,
		    "sipwarden_malformed_reasons_total{reason=\"bad_cseq\"} 1");
	assert_no_line(text,
		       "sipwarden_malformed_reasons_total{reason=\"ok\"} 0");
	/* per tenant, the tenant label first */
	assert_line(text, "# TYPE sipwarden_verdicts_total counter");
	assert_line(text, "sipwarden_verdicts_total{tenant=\"acme\","
			  "reason=\"call_limit\"} 2");
	assert_line(text, "sipwarden_verdicts_total{tenant=\"acme\","
			  "reason=\"forwarded\"} 0");
	assert_line(text, "sipwarden_messages_total{tenant=\"acme\","
			  "method=\"INVITE\"} 4");
	assert_line(text, "sipwarden_responses_total{tenant=\"" ODD_NAME_ESCAPED
			  "\",class=\"4xx\"} 1");
	assert_line(text, "# TYPE sipwarden_calls_active gauge");
	assert_line(text, "sipwarden_calls_active{tenant=\"acme\"} 3");
	assert_line(text, "sipwarden_calls_inbound{tenant=\"acme\"} 2");
	assert_line(text, "sipwarden_calls_outbound{tenant=\"acme\"} 1");
	assert_line(text,
		    "sipwarden_emergency_calls_active{tenant=\"acme\"} 1");
	assert_line(text, "sipwarden_users{tenant=\"acme\"} 0");
	assert_line(text, "sipwarden_users{tenant=\"" ODD_NAME_ESCAPED "\"} 7");
	/* tables */
	assert_line(text, "# TYPE sipwarden_table_entries gauge");
	assert_line(text, "sipwarden_table_entries{table=\"calls\"} 3");
	assert_line(text, "sipwarden_table_entries{table=\"registrations\"} 7");
	assert_line(text, "sipwarden_table_capacity{table=\"calls\"} 1048576");
	assert_line(text, "# TYPE sipwarden_table_expired_total counter");
	assert_line(text, "sipwarden_table_expired_total{table=\"calls\"} 9");
	assert_line(text, "# TYPE sipwarden_underflows_total counter");
	assert_line(text, "sipwarden_underflows_total 0");
	/* per lcore */
	assert_line(text, "# TYPE sipwarden_lcore_rx_packets_total counter");
	assert_line(text, "sipwarden_lcore_rx_packets_total{lcore=\"1\"} 40");
	assert_line(text, "sipwarden_lcore_rx_packets_total{lcore=\"2\"} 2");
	assert_line(text, "sipwarden_lcore_rx_bytes_total{lcore=\"1\"} 18000");
	assert_line(text,
		    "sipwarden_lcore_forwarded_packets_total{lcore=\"1\"} 30");
	assert_line(text, "sipwarden_lcore_replies_total{lcore=\"1\"} 3");
	assert_line(text,
		    "sipwarden_lcore_dropped_packets_total{lcore=\"1\"} 7");
	assert_line(text, "sipwarden_lcore_tx_errors_total{lcore=\"2\"} 1");
	assert_line(text, "sipwarden_lcore_tx_errors_total{lcore=\"1\"} 0");
	/* per port and queue */
	assert_line(text, "# TYPE sipwarden_port_rx_packets_total counter");
	assert_line(text, "sipwarden_port_rx_packets_total{port=\"0\","
			  "device=\"net_pcap0\"} 40");
	assert_line(text, "sipwarden_port_tx_packets_total{port=\"3\","
			  "device=\"0000:01:00.0\"} 6");
	assert_line(text, "sipwarden_port_rx_bytes_total{port=\"0\","
			  "device=\"net_pcap0\"} 18000");
	assert_line(text, "sipwarden_port_tx_bytes_total{port=\"0\","
			  "device=\"net_pcap0\"} 15000");
	assert_line(text, "sipwarden_port_rx_missed_total{port=\"0\","
			  "device=\"net_pcap0\"} 5");
	assert_line(text, "sipwarden_port_rx_errors_total{port=\"0\","
			  "device=\"net_pcap0\"} 1");
	assert_line(text, "sipwarden_port_tx_errors_total{port=\"3\","
			  "device=\"0000:01:00.0\"} 1");
	assert_line(text, "sipwarden_port_rx_nombuf_total{port=\"0\","
			  "device=\"net_pcap0\"} 2");
	assert_line(text, "sipwarden_port_queue_rx_packets_total{port=\"0\","
			  "device=\"net_pcap0\",queue=\"1\"} 2");
	assert_line(text, "sipwarden_port_queue_rx_errors_total{port=\"0\","
			  "device=\"net_pcap0\",queue=\"1\"} 4");
	assert_line(text, "sipwarden_port_queue_tx_packets_total{port=\"3\","
			  "device=\"0000:01:00.0\",queue=\"0\"} 6");
	/* queues past the configured ones are not shown */
	assert_no_line(text, "sipwarden_port_queue_tx_packets_total{port=\"3\","
			     "device=\"0000:01:00.0\",queue=\"1\"} 99");
	assert_null(strstr(text, " 99\n")); /* the free slot, lcore, queue */
	assert_valid(text, FAMILIES);
	free(text);
	stats_view_free(v);
}

/* stats_aggregate() keeps each lcore's totals, and they add up to the
 * sums: sum of sipwarden_lcore_rx_packets_total = sipwarden_packets_total */
static void test_aggregate_lcores(void **state)
{
	struct tenant_registry *reg = tenant_registry_create(4);
	struct stats_lcore *l[3];
	struct stats_view *v;
	uint64_t rx = 0, fwd = 0;
	char *text;

	(void)state;
	assert_non_null(reg);
	for (unsigned int i = 0; i < 3; i++) {
		l[i] = stats_lcore_create(4);
		assert_non_null(l[i]);
		assert_int_equal(l[i]->lcore_id, STATS_LCORE_NONE);
		l[i]->lcore_id = 5 + i;
		for (int t = 0; t < ST_TOTAL_MAX; t++)
			l[i]->total[t] = 1000u * (i + 1) + (unsigned int)t;
	}
	v = stats_aggregate(l, 3, reg);
	assert_non_null(v);
	assert_int_equal(v->lcore_count, 3);
	for (int t = 0; t < ST_TOTAL_MAX; t++) {
		uint64_t sum = 0;

		for (unsigned int i = 0; i < 3; i++)
			sum += v->lcores[i].total[t];
		assert_int_equal(sum, v->sum.total[t]);
	}
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(v->lcores[i].lcore_id, 5 + i);
		rx += v->lcores[i].total[ST_PACKETS];
		fwd += v->lcores[i].total[ST_FORWARDED_PACKETS];
	}
	assert_int_equal(rx, 6000 + 3 * ST_PACKETS);
	assert_int_equal(fwd, 6000 + 3 * ST_FORWARDED_PACKETS);
	text = render(v);
	assert_line(text, "sipwarden_lcore_rx_packets_total{lcore=\"7\"} 3000");
	assert_line(text, "sipwarden_packets_total 6000");
	assert_valid(text, FAMILIES);
	free(text);
	stats_view_free(v);
	for (unsigned int i = 0; i < 3; i++)
		stats_lcore_free(l[i]);
	tenant_registry_free(reg);
}

/* No tenants, and no gauges at all: still valid, the families announced. */
static void test_prometheus_empty(void **state)
{
	struct stats_view *v = new_view(0);
	char *text;

	(void)state;
	text = render(v);
	assert_valid(text, FAMILIES);
	assert_line(text, "sipwarden_packets_total 0");
	free(text);
	free(v->gauges.tenants);
	v->gauges.tenants = NULL;
	text = render(v);
	assert_valid(text, FAMILIES - 5);
	assert_no_line(text, "# TYPE sipwarden_calls_active gauge");
	free(text);
	stats_view_free(v);
}

/* The validator itself refuses what it should. */
static void test_validator(void **state)
{
	static const char *const bad[] = {
		"# TYPE a counter\na 1\n", /* no HELP */
		"# HELP a x\n# TYPE a counter\n# TYPE a counter\na 1\n",
		"# HELP a x\n# TYPE a counter\na 1\n# HELP b y\n# TYPE b "
		"gauge\nb 1\na 2\n", /* interleaved */
		"# HELP a x\n# TYPE a counter\na{x=\"1\"} 1\na 2\n", /* mixed */
		"# HELP a x\n# TYPE a counter\na{x=\"1\"} 1\na{x=\"1\"} 2\n",
		"# HELP a x\n# TYPE a counter\na{x=\"\\q\"} 1\n", /* escape */
		"# HELP a x\n# TYPE a counter\na{x=\"1\",x=\"2\"} 1\n",
		"# HELP a x\n# TYPE a counter\na{1x=\"1\"} 1\n",
		"# HELP a x\n# TYPE a counter\na 1x\n",
		"# HELP a x\n# TYPE a counter\na 1", /* no newline */
		"# HELP a x\n# TYPE a countr\na 1\n",
		"# HELP a x\n# TYPE a counter\n a 1\n",
	};
	struct expo e;

	(void)state;
	assert_null(expo_check(&e, "# HELP a_total x\\ny\n# TYPE a_total "
				   "counter\na_total{b=\"\\\"\\\\\\n\",c=\"\"} "
				   "1 1700000000000\n# note\n\n"));
	expo_free(&e);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (expo_check(&e, bad[i]) == NULL)
			fail_msg("accepted: %s", bad[i]);
		expo_free(&e);
	}
}

/* HTTP */

static bool fail_snapshot;
static int views_out; /* handed out and not yet released */

static struct stats_view *snapshot(void *ctx)
{
	(void)ctx;
	if (fail_snapshot)
		return NULL;
	views_out++;
	return sample_view();
}

static void release(void *ctx, struct stats_view *v)
{
	(void)ctx;
	views_out--;
	stats_view_free(v);
}

static struct metrics_source source = {snapshot, release, NULL};

/* Send `req` to 127.0.0.1:port, return all that comes back until EOF. */
static char *http(uint16_t port, const char *req)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* The value of header `name` in a response (case-insensitive), or NULL. */
static char *header(const char *resp, const char *name, char *out, size_t len)
{
	size_t n = strlen(name);
	const char *end = strstr(resp, "\r\n\r\n");

	for (const char *p = strstr(resp, "\r\n"); p && p < end;
	     p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
			const char *v = p + 3 + n + strspn(p + 3 + n, " ");

			snprintf(out, len, "%.*s", (int)strcspn(v, "\r"), v);
			return out;
		}
	}
	return NULL;
}

/* The status code of a response (HTTP/1.0 or 1.1). */
static int status_of(const char *resp)
{
	int code = 0;

	if (sscanf(resp, "HTTP/1.%*1[01] %3d ", &code) != 1)
		fail_msg("not a status line: %.40s", resp);
	return code;
}

static const char *body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	assert_non_null(p);
	return p + 4;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void test_http(void **state)
{
	struct stats_view *v = sample_view();
	char err[256], value[128], *want = render(v), *resp;
	int fds = open_fds();
	struct metrics_http *h;
	uint16_t port;

	(void)state;
	h = metrics_http_start("127.0.0.1", 0, metrics_prometheus_fill, &source,
			       err, sizeof(err));
	if (h == NULL)
		fail_msg("%s", err);
	port = metrics_http_port(h);
	assert_true(port != 0);

	resp = http(port, "GET /metrics HTTP/1.1\r\nHost: localhost\r\n"
			  "Connection: close\r\n\r\n");
	assert_int_equal(status_of(resp), 200);
	assert_non_null(header(resp, "Content-Type", value, sizeof(value)));
	assert_string_equal(value, "text/plain; version=0.0.4; charset=utf-8");
	assert_string_equal(body_of(resp), want);
	free(resp);

	resp = http(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
	assert_int_equal(status_of(resp), 200);
	assert_string_equal(body_of(resp), want);
	free(resp);

	resp = http(port, "HEAD /metrics HTTP/1.0\r\n\r\n");
	assert_int_equal(status_of(resp), 200);
	assert_string_equal(body_of(resp), "");
	free(resp);

	resp = http(port, "GET /x HTTP/1.1\r\nHost: l\r\nConnection: close"
			  "\r\n\r\n");
	assert_int_equal(status_of(resp), 404);
	free(resp);

	resp = http(port, "POST /metrics HTTP/1.1\r\nHost: l\r\nContent-Length:"
			  " 5\r\nConnection: close\r\n\r\nhello");
	assert_int_equal(status_of(resp), 405);
	assert_non_null(header(resp, "Allow", value, sizeof(value)));
	assert_string_equal(value, "GET, HEAD");
	free(resp);

	fail_snapshot = true;
	resp = http(port, "GET /metrics HTTP/1.0\r\n\r\n");
	fail_snapshot = false;
	assert_int_equal(status_of(resp), 500);
	free(resp);

	/* the port is taken */
	assert_null(metrics_http_start("127.0.0.1", port,
				       metrics_prometheus_fill, &source, err,
				       sizeof(err)));
	assert_non_null(strstr(err, "Address already in use"));
	assert_non_null(strstr(err, "127.0.0.1:"));

	metrics_http_stop(h);
	metrics_http_stop(NULL);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(views_out, 0);
	free(want);
	stats_view_free(v);
}

static void test_http_addresses(void **state)
{
	char err[256];
	struct metrics_http *h;

	(void)state;
	assert_null(metrics_http_start("localhost", 0, metrics_prometheus_fill,
				       &source, err, sizeof(err)));
	assert_string_equal(err, "metrics: 'localhost' is not an IPv4 or "
				 "IPv6 address");
	assert_null(metrics_http_start("192.0.2.1", 0, metrics_prometheus_fill,
				       &source, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot listen on 192.0.2.1:0"));
	h = metrics_http_start("::1", 0, metrics_prometheus_fill, &source, err,
			       sizeof(err));
	if (h == NULL) /* a host without IPv6 */
		assert_non_null(strstr(err, "cannot listen on [::1]:0"));
	metrics_http_stop(h);
}

/* DPDK telemetry */

static int tel_connect(char *greeting, size_t len)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ssize_t n;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		fail_msg("connect %s: %s", sun.sun_path, strerror(errno));
	n = read(fd, greeting, len - 1);
	assert_true(n > 0);
	greeting[n] = '\0';
	return fd;
}

static char *tel(int fd, const char *cmd)
{
	static char buf[16384 + 1];
	ssize_t n;

	assert_int_equal(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	return buf;
}

#define assert_has(text, part)                                                 \
	do {                                                                   \
		if (strstr(text, part) == NULL)                                \
			fail_msg("want %s in %s", part, text);                 \
	} while (0)

static char rundir[256];

/* At exit, after DPDK's own handler (registered later) removed its
 * sockets: the runtime directory is then empty (--no-shconf). */
static void remove_rundir(void)
{
	if (rundir[0] != '\0')
		rmdir(rundir);
}

static void test_telemetry(void **state)
{
	char greeting[512], *r;
	int fd;

	(void)state;
	assert_int_equal(metrics_telemetry_register(&source), 0);
	atexit(remove_rundir);
	if (test_eal_init("test_metrics", "64", true) < 0)
		fail_msg("EAL init: %s", rte_strerror(rte_errno));
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	fd = tel_connect(greeting, sizeof(greeting));
	assert_has(greeting, "\"max_output_len\"");

	r = tel(fd, "/");
	assert_has(r, "\"/sipwarden/totals\"");
	assert_has(r, "\"/sipwarden/tenant\"");

	r = tel(fd, "/sipwarden/totals");
	assert_has(r,
		   "{\"/sipwarden/totals\":{\"packets\":42,\"bytes\":18012,");
	assert_has(r, "\"replies_suppressed\":18446744073709551615");
	assert_has(r, "\"messages\":{\"other\":1,\"INVITE\":5}");
	assert_has(r, "\"responses\":{\"1xx\":0,\"2xx\":6,");
	assert_has(r, "\"call_limit\":3,");
	assert_has(r, "\"malformed_reasons\":{\"bad_cseq\":1}}}");

	r = tel(fd, "/sipwarden/tables");
	assert_string_equal(
		r, "{\"/sipwarden/tables\":{\"calls\":{\"entries\":3,"
		   "\"capacity\":1048576,\"expired\":9},\"registrations\":{"
		   "\"entries\":7,\"capacity\":262144,\"expired\":0},"
		   "\"counter_underflows\":0}}");

	r = tel(fd, "/sipwarden/tenants");
	assert_has(r, "{\"/sipwarden/tenants\":{\"count\":2,\"start\":0,"
		      "\"names\":[\"acme\",");
	r = tel(fd, "/sipwarden/tenants,1");
	assert_has(r, "\"count\":2,\"start\":1,\"names\":[\"we");
	r = tel(fd, "/sipwarden/tenants,5");
	assert_string_equal(r, "{\"/sipwarden/tenants\":{\"count\":2,"
			       "\"start\":5,\"names\":[]}}");
	r = tel(fd, "/sipwarden/tenants,x");
	assert_string_equal(r, "{\"/sipwarden/tenants\":null}");

	r = tel(fd, "/sipwarden/tenant,acme");
	assert_has(r, "{\"/sipwarden/tenant\":{\"calls_active\":3,"
		      "\"calls_inbound\":2,\"calls_outbound\":1,"
		      "\"emergency_calls_active\":1,\"users\":0,"
		      "\"messages\":{\"INVITE\":4},\"responses\":{");
	assert_has(r, "\"call_limit\":2,");
	r = tel(fd, "/sipwarden/lcores");
	assert_string_equal(
		r, "{\"/sipwarden/lcores\":{\"1\":{\"rx_packets\":40,"
		   "\"rx_bytes\":18000,\"forwarded_packets\":30,"
		   "\"replies\":3,\"dropped_packets\":7,\"tx_errors\":0},"
		   "\"2\":{\"rx_packets\":2,\"rx_bytes\":12,"
		   "\"forwarded_packets\":0,\"replies\":0,"
		   "\"dropped_packets\":0,\"tx_errors\":1}}}");
	r = tel(fd, "/sipwarden/ports");
	assert_has(r, "{\"/sipwarden/ports\":{\"0\":{\"device\":"
		      "\"net_pcap0\",\"rx_packets\":40,\"tx_packets\":33,");
	assert_has(r, "\"rx_missed\":5,\"rx_errors\":1,\"tx_errors\":0,"
		      "\"rx_nombuf\":2},\"3\":{\"device\":\"0000:01:00.0\"");
	r = tel(fd, "/sipwarden/port,0");
	assert_has(r, "{\"/sipwarden/port\":{\"port\":0,\"device\":"
		      "\"net_pcap0\",\"rx_packets\":40,");
	assert_has(r, "\"queue_rx_packets\":[38,2],\"queue_rx_bytes\":[0,0],"
		      "\"queue_rx_errors\":[0,4],\"queue_tx_packets\":[30,3],");
	r = tel(fd, "/sipwarden/port,3");
	assert_has(r, "\"queue_tx_packets\":[6]");
	for (const char *bad = "/sipwarden/port,1\0/sipwarden/port,x\0"
			       "/sipwarden/port,0x\0/sipwarden/port\0";
	     *bad; bad += strlen(bad) + 1)
		assert_string_equal(tel(fd, bad), "{\"/sipwarden/port\":null}");

	r = tel(fd, "/sipwarden/tenant,nobody");
	assert_string_equal(r, "{\"/sipwarden/tenant\":null}");
	r = tel(fd, "/sipwarden/tenant");
	assert_string_equal(r, "{\"/sipwarden/tenant\":null}");

	metrics_telemetry_detach();
	r = tel(fd, "/sipwarden/totals");
	assert_string_equal(r, "{\"/sipwarden/totals\":null}");
	/* a second registration only changes the source */
	assert_int_equal(metrics_telemetry_register(&source), 0);
	r = tel(fd, "/sipwarden/tables");
	assert_has(r, "\"entries\":3");
	metrics_telemetry_detach();
	assert_int_equal(views_out, 0);
	close(fd);
	rte_eal_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prometheus_lines),
		cmocka_unit_test(test_prometheus_empty),
		cmocka_unit_test(test_aggregate_lcores),
		cmocka_unit_test(test_validator),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_http_addresses),
		/* last: it starts the EAL */
		cmocka_unit_test(test_telemetry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
