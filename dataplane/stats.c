/* SPDX-License-Identifier: BSD-3-Clause */
#include "stats.h"
#include "tenant_registry.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const total_names[ST_TOTAL_MAX] = {
	[ST_PACKETS] = "packets",
	[ST_BYTES] = "bytes",
	[ST_PACKETS_OUTSIDE] = "packets_outside",
	[ST_PACKETS_INSIDE] = "packets_inside",
	[ST_FORWARDED_PACKETS] = "forwarded_packets",
	[ST_DROPPED_PACKETS] = "dropped_packets",
	[ST_REPLIES] = "replies",
	[ST_TX_ERRORS] = "tx_errors",
	[ST_SIP_MESSAGES] = "sip_messages",
	[ST_REQUESTS] = "sip_requests",
	[ST_RESPONSES] = "sip_responses",
	[ST_NON_SIP] = "non_sip",
	[ST_MALFORMED] = "malformed",
	[ST_DECODE_ERRORS] = "decode_errors",
	[ST_KEEPALIVES] = "keepalives",
	[ST_FRAGMENTS] = "fragments",
	[ST_REASSEMBLED] = "reassembled",
	[ST_FRAGMENT_ERRORS] = "fragment_errors",
	[ST_TCP_SEGMENTS] = "tcp_segments",
	[ST_TCP_PARTIAL] = "tcp_partial",
	[ST_TLS_PACKETS] = "tls_packets",
	[ST_OUTBOUND_UNKNOWN_TENANT] = "outbound_unknown_tenant",
	[ST_OVERSIZE] = "oversize",
	[ST_ABSORBED_ACKS] = "absorbed_acks",
	[ST_REPLIES_SUPPRESSED] = "replies_suppressed",
};

static const char *const response_class_names[STATS_RESPONSE_CLASSES] = {
	"1xx", "2xx", "3xx", "4xx", "5xx", "6xx"};

/* The table gauges, by name, for both report formats. */
static const struct {
	const char *name;
	size_t offset;
} table_gauges[] = {
	{"calls_active", offsetof(struct stats_gauges, calls_active)},
	{"call_capacity", offsetof(struct stats_gauges, call_capacity)},
	{"calls_expired", offsetof(struct stats_gauges, calls_expired)},
	{"registrations_active",
	 offsetof(struct stats_gauges, registrations_active)},
	{"registration_capacity",
	 offsetof(struct stats_gauges, registration_capacity)},
	{"registrations_expired",
	 offsetof(struct stats_gauges, registrations_expired)},
	{"counter_underflows",
	 offsetof(struct stats_gauges, counter_underflows)},
};

static void print_table_gauges(FILE *out, const struct stats_gauges *g,
			       const char *fmt, const char *sep)
{
	for (size_t i = 0; i < sizeof(table_gauges) / sizeof(*table_gauges);
	     i++) {
		const uint64_t *val =
			(const uint64_t *)((const char *)g +
					   table_gauges[i].offset);

		fputs(i ? sep : "", out);
		fprintf(out, fmt, table_gauges[i].name,
			(unsigned long long)*val);
	}
}

const char *stats_total_name(enum stats_total t)
{
	return (unsigned int)t < ST_TOTAL_MAX ? total_names[t] : "unknown";
}

struct stats_lcore *stats_lcore_create(uint32_t tenant_count)
{
	struct stats_lcore *s = aligned_alloc(64, sizeof(*s));

	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->lcore_id = STATS_LCORE_NONE;
	s->tenant_count = tenant_count;
	s->tenants = calloc(tenant_count ? tenant_count : 1,
			    sizeof(*s->tenants));
	if (s->tenants == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

void stats_lcore_free(struct stats_lcore *s)
{
	if (s == NULL)
		return;
	free(s->tenants);
	free(s);
}

static void sip_counts_add(struct stats_sip_counts *dst,
			   const struct stats_sip_counts *src)
{
	const uint64_t *from = (const uint64_t *)src;
	uint64_t *to = (uint64_t *)dst;

	for (size_t i = 0; i < sizeof(*src) / sizeof(uint64_t); i++)
		to[i] += from[i];
}

struct stats_view *stats_aggregate(struct stats_lcore *const *lcores,
				   unsigned int n,
				   struct tenant_registry *registry)
{
	struct stats_view *v = calloc(1, sizeof(*v));
	uint32_t tenant_count = registry->capacity;

	if (v == NULL)
		return NULL;
	v->tenant_names = calloc(tenant_count ? tenant_count : 1,
				 sizeof(*v->tenant_names));
	v->name_buf = calloc(tenant_count ? tenant_count : 1,
			     sizeof(*v->name_buf));
	if (v->tenant_names == NULL || v->name_buf == NULL) {
		free(v->tenant_names);
		free(v->name_buf);
		free(v);
		return NULL;
	}
	tenant_registry_copy_names(registry, v->name_buf);
	for (uint32_t t = 0; t < tenant_count; t++)
		if (v->name_buf[t][0] != '\0')
			v->tenant_names[t] = v->name_buf[t];
	v->sum.tenant_count = tenant_count;
	v->sum.tenants = calloc(tenant_count ? tenant_count : 1,
				sizeof(*v->sum.tenants));
	if (v->sum.tenants == NULL) {
		stats_view_free(v);
		return NULL;
	}
	v->gauges.tenant_count = tenant_count;
	v->gauges.tenants =
		calloc(tenant_count ? tenant_count : 1, sizeof(*v->gauges.tenants));
	v->lcores = calloc(n ? n : 1, sizeof(*v->lcores));
	if (v->gauges.tenants == NULL || v->lcores == NULL) {
		stats_view_free(v);
		return NULL;
	}
	v->lcore_count = n;
	for (unsigned int l = 0; l < n; l++) {
		const struct stats_lcore *s = lcores[l];
		struct stats_lcore_totals *lt = &v->lcores[l];

		/* each total read once, so the lcores add up to the sum */
		lt->lcore_id = s->lcore_id;
		for (int i = 0; i < ST_TOTAL_MAX; i++) {
			lt->total[i] = s->total[i];
			v->sum.total[i] += lt->total[i];
		}
		for (int i = 0; i < SIP_SCAN_RESULT_MAX; i++)
			v->sum.malformed_reasons[i] += s->malformed_reasons[i];
		sip_counts_add(&v->sum.all, &s->all);
		for (uint32_t t = 0; t < tenant_count && t < s->tenant_count;
		     t++)
			sip_counts_add(&v->sum.tenants[t], &s->tenants[t]);
	}
	return v;
}

void stats_view_free(struct stats_view *v)
{
	if (v == NULL)
		return;
	free(v->sum.tenants);
	free(v->gauges.tenants);
	free(v->lcores);
	free(v->ports);
	free(v->tenant_names);
	free(v->name_buf);
	free(v);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* One JSON object of name: count, for a counter array and its names. */
static void json_counter_object(FILE *out, const char *key,
				const uint64_t *vals, size_t n,
				const char *(*name_of)(size_t), bool skip_zero)
{
	bool first = true;

	fprintf(out, "\"%s\": {", key);
	for (size_t i = 0; i < n; i++) {
		if (skip_zero && vals[i] == 0)
			continue;
		fprintf(out, "%s", first ? "" : ", ");
		json_string(out, name_of(i));
		fprintf(out, ": %llu", (unsigned long long)vals[i]);
		first = false;
	}
	fputc('}', out);
}

static const char *method_name_at(size_t i)
{
	return sip_method_name((enum sip_method)i);
}

static const char *response_class_at(size_t i)
{
	return response_class_names[i];
}

static const char *verdict_at(size_t i)
{
	return verdict_reason_name((enum verdict_reason)i);
}

static const char *scan_result_at(size_t i)
{
	return sip_scan_result_name((enum sip_scan_result)i);
}

static const char *total_at(size_t i)
{
	return total_names[i];
}

static uint64_t sum_of(const uint64_t *vals, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += vals[i];
	return s;
}

/*
 * Verdicts are always listed in full so that scripts can rely on every
 * reason being present; methods and malformed reasons only when seen.
 */
static void json_sip_counts(FILE *out, const struct stats_sip_counts *c)
{
	json_counter_object(out, "messages", c->methods, SIP_METHOD_MAX,
			    method_name_at, true);
	fputs(", ", out);
	json_counter_object(out, "responses", c->responses,
			    STATS_RESPONSE_CLASSES, response_class_at, false);
	fputs(", ", out);
	json_counter_object(out, "verdicts", c->verdicts, VERDICT_MAX,
			    verdict_at, false);
}

void stats_print_json(const struct stats_view *v, FILE *out)
{
	const struct stats_lcore *s = &v->sum;

	fputs("{\"totals\": {", out);
	for (int i = 0; i < ST_TOTAL_MAX; i++)
		fprintf(out, "\"%s\": %llu, ", total_at(i),
			(unsigned long long)s->total[i]);
	json_sip_counts(out, &s->all);
	fputs(", ", out);
	json_counter_object(out, "malformed_reasons", s->malformed_reasons,
			    SIP_SCAN_RESULT_MAX, scan_result_at, true);
	fputs("}, \"tables\": {", out);
	print_table_gauges(out, &v->gauges, "\"%s\": %llu", ", ");
	fputs("}, \"tenants\": {", out);
	for (uint32_t t = 0, listed = 0; t < s->tenant_count; t++) {
		const struct stats_sip_counts *c = &s->tenants[t];
		const struct stats_tenant_gauges *g = &v->gauges.tenants[t];

		if (v->tenant_names[t] == NULL)
			continue;
		fprintf(out, "%s", listed++ ? ", " : "");
		json_string(out, v->tenant_names[t]);
		fprintf(out,
			": {\"requests\": %llu, \"responses_total\": %llu, "
			"\"calls_active\": %u, \"calls_inbound\": %u, "
			"\"calls_outbound\": %u, \"emergency_calls_active\": %u, "
			"\"users\": %u, ",
			(unsigned long long)sum_of(c->methods, SIP_METHOD_MAX),
			(unsigned long long)sum_of(c->responses,
						   STATS_RESPONSE_CLASSES),
			g->calls_inbound + g->calls_outbound, g->calls_inbound,
			g->calls_outbound, g->emergency_calls, g->users);
		json_sip_counts(out, c);
		fputc('}', out);
	}
	fputs("}}\n", out);
}

/* Table columns: the methods an operator looks at first, then verdicts. */
static const enum sip_method table_methods[] = {
	SIP_METHOD_INVITE, SIP_METHOD_REGISTER, SIP_METHOD_BYE,
	SIP_METHOD_OPTIONS};

static void table_row(FILE *out, const char *name,
		      const struct stats_sip_counts *c,
		      const struct stats_tenant_gauges *g, const bool *show)
{
	uint64_t req = sum_of(c->methods, SIP_METHOD_MAX);
	uint64_t rsp = sum_of(c->responses, STATS_RESPONSE_CLASSES);

	fprintf(out, "%-20s %9llu %9llu", name, (unsigned long long)req,
		(unsigned long long)rsp);
	if (g != NULL)
		fprintf(out, " %6u %6u", g->calls_inbound + g->calls_outbound,
			g->users);
	else
		fprintf(out, " %6s %6s", "", "");
	for (size_t i = 0; i < sizeof(table_methods) / sizeof(*table_methods);
	     i++)
		fprintf(out, " %9llu",
			(unsigned long long)c->methods[table_methods[i]]);
	for (int r = 0; r < VERDICT_MAX; r++)
		if (show[r])
			fprintf(out, " %*llu", (int)strlen(verdict_at(r)) > 9 ?
						       (int)strlen(verdict_at(r)) :
						       9,
				(unsigned long long)c->verdicts[r]);
	fputc('\n', out);
}

void stats_print_table(const struct stats_view *v, FILE *out)
{
	const struct stats_lcore *s = &v->sum;
	bool show[VERDICT_MAX];

	/* forwarded always; other verdicts only when some tenant has one */
	for (int r = 0; r < VERDICT_MAX; r++)
		show[r] = r == VERDICT_FORWARDED || s->all.verdicts[r] != 0;

	fputs("totals:\n", out);
	for (int i = 0; i < ST_TOTAL_MAX; i++)
		if (s->total[i] || i <= ST_SIP_MESSAGES)
			fprintf(out, "  %-24s %llu\n", total_at(i),
				(unsigned long long)s->total[i]);
	for (int i = 0; i < SIP_SCAN_RESULT_MAX; i++)
		if (s->malformed_reasons[i])
			fprintf(out, "  malformed.%-14s %llu\n",
				scan_result_at(i),
				(unsigned long long)s->malformed_reasons[i]);
	fputs("\nper tenant:\n", out);
	fprintf(out, "%-20s %9s %9s %6s %6s", "tenant", "requests", "responses",
		"calls", "users");
	for (size_t i = 0; i < sizeof(table_methods) / sizeof(*table_methods);
	     i++)
		fprintf(out, " %9s", sip_method_name(table_methods[i]));
	for (int r = 0; r < VERDICT_MAX; r++)
		if (show[r])
			fprintf(out, " %9s", verdict_at(r));
	fputc('\n', out);
	for (uint32_t t = 0; t < s->tenant_count; t++)
		if (v->tenant_names[t] != NULL)
			table_row(out, v->tenant_names[t], &s->tenants[t],
				  &v->gauges.tenants[t], show);
	table_row(out, "(all)", &s->all, NULL, show);
	fputs("\ntables:\n", out);
	print_table_gauges(out, &v->gauges, "  %-24s %llu", "\n");
	fputc('\n', out);
}
