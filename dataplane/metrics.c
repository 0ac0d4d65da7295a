/* SPDX-License-Identifier: BSD-3-Clause */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <rte_telemetry.h>

#include "metrics_internal.h"

/*
 * What is exported, as tables. Names come from stats.c, sip_scan.c and
 * verdict.c; only the Prometheus family names and help texts are here.
 */

#define PREFIX METRICS_PREFIX
#define FAMILY_MAX METRICS_FAMILY_MAX

static const char *const total_help[ST_TOTAL_MAX] = {
	[ST_PACKETS] = "Frames received, both sides.",
	[ST_BYTES] = "Bytes received, both sides.",
	[ST_PACKETS_OUTSIDE] = "Frames received from the outside.",
	[ST_PACKETS_INSIDE] = "Frames received from the inside (the SBC).",
	[ST_FORWARDED_PACKETS] = "Frames sent on to the other side.",
	[ST_DROPPED_PACKETS] = "Frames dropped by a verdict.",
	[ST_REPLIES] = "SIP replies generated and sent back out.",
	[ST_TX_ERRORS] = "Frames a port refused to send.",
	[ST_SIP_MESSAGES] = "SIP messages scanned whole.",
	[ST_REQUESTS] = "SIP requests scanned.",
	[ST_RESPONSES] = "SIP responses scanned.",
	[ST_NON_SIP] = "Frames forwarded untouched: not IP, not UDP/TCP, "
		       "or no SIP port.",
	[ST_MALFORMED] = "Frames on SIP ports that failed decode or scan.",
	[ST_DECODE_ERRORS] = "Malformed frames with inconsistent L2-L4 "
			     "headers.",
	[ST_KEEPALIVES] = "Empty or CRLF-only SIP payloads (RFC 5626).",
	[ST_FRAGMENTS] = "IP fragments received.",
	[ST_REASSEMBLED] = "Datagrams completed from fragments.",
	[ST_FRAGMENT_ERRORS] = "Fragments that could not be reassembled.",
	[ST_TCP_SEGMENTS] = "TCP segments on SIP ports.",
	[ST_TCP_PARTIAL] = "TCP segments on SIP ports whose data is not a "
			   "whole SIP message.",
	[ST_TLS_PACKETS] = "Packets on TLS ports (judged by source only).",
	[ST_OUTBOUND_UNKNOWN_TENANT] = "SIP from the SBC to an address of "
				       "no tenant.",
	[ST_OVERSIZE] = "Frames larger than any buffer (replay only).",
	[ST_ABSORBED_ACKS] = "ACKs to our own replies, dropped.",
	[ST_REPLIES_SUPPRESSED] = "Replies not sent because of "
				  "actions.reply_rate.",
};

/* The label value (or dict key) of entry i of a counter array. */
typedef const char *label_of_fn(size_t i, char *buf, size_t len);

static const char *method_label(size_t i, char *buf, size_t len)
{
	(void)buf, (void)len;
	return sip_method_name((enum sip_method)i);
}

static const char *class_label(size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%zuxx", i + 1);
	return buf;
}

static const char *verdict_label(size_t i, char *buf, size_t len)
{
	(void)buf, (void)len;
	return verdict_reason_name((enum verdict_reason)i);
}

static const char *scan_result_label(size_t i, char *buf, size_t len)
{
	(void)buf, (void)len;
	return sip_scan_result_name((enum sip_scan_result)i);
}

/*
 * An array of counters by name, at `offset` in its struct. `only_seen`
 * leaves out zeros, as the JSON report does (docs/COUNTERS.md).
 */
struct counter_array {
	const char *name; /* JSON key; Prometheus family sipwarden_NAME_total */
	const char *label;
	const char *help;
	size_t offset, n;
	label_of_fn *label_of;
	bool only_seen;
};

/* In struct stats_sip_counts: for all traffic and for each tenant. */
static const struct counter_array sip_arrays[] = {
	{"messages", "method", "SIP requests by method",
	 offsetof(struct stats_sip_counts, methods), SIP_METHOD_MAX,
	 method_label, true},
	{"responses", "class", "SIP responses by status class",
	 offsetof(struct stats_sip_counts, responses), STATS_RESPONSE_CLASSES,
	 class_label, false},
	{"verdicts", "reason", "SIP messages by verdict reason",
	 offsetof(struct stats_sip_counts, verdicts), VERDICT_MAX,
	 verdict_label, false},
};

/* In struct stats_lcore: all traffic only. */
static const struct counter_array malformed_array = {
	"malformed_reasons",
	"reason",
	"Malformed SIP messages by the scanner's error",
	offsetof(struct stats_lcore, malformed_reasons),
	SIP_SCAN_RESULT_MAX,
	scan_result_label,
	true};

static uint64_t calls_active(const struct stats_tenant_gauges *g)
{
	return (uint64_t)g->calls_inbound + g->calls_outbound;
}

static uint64_t calls_inbound(const struct stats_tenant_gauges *g)
{
	return g->calls_inbound;
}

static uint64_t calls_outbound(const struct stats_tenant_gauges *g)
{
	return g->calls_outbound;
}

static uint64_t emergency_calls(const struct stats_tenant_gauges *g)
{
	return g->emergency_calls;
}

static uint64_t users(const struct stats_tenant_gauges *g)
{
	return g->users;
}

/* Per tenant gauges, named as in the JSON report. */
static const struct {
	const char *name, *help;
	uint64_t (*value)(const struct stats_tenant_gauges *g);
} tenant_gauges[] = {
	{"calls_active", "Calls in progress counted against max_calls.",
	 calls_active},
	{"calls_inbound",
	 "Calls in progress from the tenant into the SBC (max_inbound).",
	 calls_inbound},
	{"calls_outbound",
	 "Calls in progress from the SBC to the tenant (max_outbound).",
	 calls_outbound},
	{"emergency_calls_active",
	 "Emergency calls in progress (not in calls_active).", emergency_calls},
	{"users", "AORs with a live registration (max_users).", users},
};

/* The state tables, each with the same three numbers. */
enum { TABLE_ENTRIES, TABLE_CAPACITY, TABLE_EXPIRED, TABLE_FIELDS };

static const struct {
	const char *name;
	size_t field[TABLE_FIELDS]; /* offsets in struct stats_gauges */
} tables[] = {
	{"calls",
	 {offsetof(struct stats_gauges, calls_active),
	  offsetof(struct stats_gauges, call_capacity),
	  offsetof(struct stats_gauges, calls_expired)}},
	{"registrations",
	 {offsetof(struct stats_gauges, registrations_active),
	  offsetof(struct stats_gauges, registration_capacity),
	  offsetof(struct stats_gauges, registrations_expired)}},
};

static const struct {
	const char *name, *family, *type, *help;
} table_fields[TABLE_FIELDS] = {
	[TABLE_ENTRIES] = {"entries", "table_entries", "gauge",
			   "Entries in use in a state table."},
	[TABLE_CAPACITY] = {"capacity", "table_capacity", "gauge",
			    "Entries a state table can hold (configured)."},
	[TABLE_EXPIRED] = {"expired", "table_expired_total", "counter",
			   "Entries ended by a timeout or expiry."},
};

/* JSON and telemetry name; Prometheus lint refuses "counter" in a name */
static const char *const underflows_name = "counter_underflows";
static const char *const underflows_family = PREFIX "underflows_total";
static const char *const underflows_help =
	"Releases without a matching admission: 0 unless there is a bug.";

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const uint64_t *array_at(const struct counter_array *a, const void *base)
{
	return (const uint64_t *)((const char *)base + a->offset);
}

/* The name of tenant slot t, NULL for a slot of no tenant. */
static const char *tenant_name(const struct stats_view *v, uint32_t t)
{
	return v->tenant_names != NULL ? v->tenant_names[t] : NULL;
}

/* Whether slot t has gauges. */
static bool tenant_has_gauges(const struct stats_view *v, uint32_t t)
{
	return v->gauges.tenants != NULL && t < v->gauges.tenant_count;
}

static uint64_t table_value(const struct stats_gauges *g, size_t table,
			    int field)
{
	return *(const uint64_t *)((const char *)g +
				   tables[table].field[field]);
}

/* Prometheus text */

/* Label values escape \ " and newline; HELP text \ and newline. */
static void write_escaped(FILE *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quote)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

static void write_header(FILE *out, const char *family, const char *type,
			 const char *help, const char *help_tail)
{
	fprintf(out, "# HELP %s ", family);
	write_escaped(out, help, false);
	write_escaped(out, help_tail, false);
	fprintf(out, "\n# TYPE %s %s\n", family, type);
}

static void write_sample(FILE *out, const char *family, const struct label *l,
			 size_t n, uint64_t value)
{
	fputs(family, out);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%c%s=\"", i ? ',' : '{', l[i].name);
		write_escaped(out, l[i].value, true);
		fputc('"', out);
	}
	fprintf(out, "%s %llu\n", n ? "}" : "", (unsigned long long)value);
}

void metrics_write_header(FILE *out, const char *family, const char *type,
			  const char *help, const char *help_tail)
{
	write_header(out, family, type, help, help_tail);
}

void metrics_write_sample(FILE *out, const char *family, const struct label *l,
			  size_t n, uint64_t value)
{
	write_sample(out, family, l, n, value);
}

/* The samples of one counter array, after a tenant label when given. */
static void write_array(FILE *out, const char *family,
			const struct counter_array *a, const void *base,
			const char *tenant)
{
	const uint64_t *vals = array_at(a, base);
	struct label l[2];
	size_t n = 0;
	char buf[16];

	if (tenant != NULL)
		l[n++] = (struct label){"tenant", tenant};
	for (size_t i = 0; i < a->n; i++) {
		if (a->only_seen && vals[i] == 0)
			continue;
		l[n] = (struct label){a->label,
				      a->label_of(i, buf, sizeof(buf))};
		write_sample(out, family, l, n + 1, vals[i]);
	}
}

static void write_totals(const struct stats_view *v, FILE *out)
{
	const struct stats_lcore *s = &v->sum;
	char family[FAMILY_MAX];

	for (int i = 0; i < ST_TOTAL_MAX; i++) {
		snprintf(family, sizeof(family), PREFIX "%s_total",
			 stats_total_name((enum stats_total)i));
		write_header(out, family, "counter",
			     total_help[i] ? total_help[i]
					   : "See docs/COUNTERS.md.",
			     "");
		write_sample(out, family, NULL, 0, s->total[i]);
	}
	for (size_t a = 0; a < ARRAY_SIZE(sip_arrays); a++) {
		snprintf(family, sizeof(family), PREFIX "all_%s_total",
			 sip_arrays[a].name);
		write_header(out, family, "counter", sip_arrays[a].help,
			     ", all SIP traffic (of tenants and of none).");
		write_array(out, family, &sip_arrays[a], &s->all, NULL);
	}
	snprintf(family, sizeof(family), PREFIX "%s_total",
		 malformed_array.name);
	write_header(out, family, "counter", malformed_array.help, ".");
	write_array(out, family, &malformed_array, s, NULL);
}

static void write_tenants(const struct stats_view *v, FILE *out)
{
	const struct stats_lcore *s = &v->sum;
	char family[FAMILY_MAX];

	for (size_t a = 0; a < ARRAY_SIZE(sip_arrays); a++) {
		snprintf(family, sizeof(family), PREFIX "%s_total",
			 sip_arrays[a].name);
		write_header(out, family, "counter", sip_arrays[a].help,
			     ", per tenant.");
		for (uint32_t t = 0; t < s->tenant_count; t++)
			if (tenant_name(v, t) != NULL)
				write_array(out, family, &sip_arrays[a],
					    &s->tenants[t], tenant_name(v, t));
	}
	if (v->gauges.tenants == NULL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(tenant_gauges); i++) {
		snprintf(family, sizeof(family), PREFIX "%s",
			 tenant_gauges[i].name);
		write_header(out, family, "gauge", tenant_gauges[i].help, "");
		for (uint32_t t = 0; t < s->tenant_count; t++) {
			struct label l = {"tenant", tenant_name(v, t)};

			if (l.value == NULL || !tenant_has_gauges(v, t))
				continue;
			write_sample(
				out, family, &l, 1,
				tenant_gauges[i].value(&v->gauges.tenants[t]));
		}
	}
}

static void write_tables(const struct stats_view *v, FILE *out)
{
	char family[FAMILY_MAX];

	for (int f = 0; f < TABLE_FIELDS; f++) {
		snprintf(family, sizeof(family), PREFIX "%s",
			 table_fields[f].family);
		write_header(out, family, table_fields[f].type,
			     table_fields[f].help, "");
		for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
			struct label l = {"table", tables[t].name};

			write_sample(out, family, &l, 1,
				     table_value(&v->gauges, t, f));
		}
	}
	write_header(out, underflows_family, "counter", underflows_help, "");
	write_sample(out, underflows_family, NULL, 0,
		     v->gauges.counter_underflows);
}

void metrics_write_prometheus(const struct stats_view *v, FILE *out)
{
	write_totals(v, out);
	write_tenants(v, out);
	write_tables(v, out);
	metrics_write_io(v, out);
}

static void source_release(const struct metrics_source *src,
			   struct stats_view *v)
{
	if (src->release != NULL)
		src->release(src->ctx, v);
	else
		stats_view_free(v);
}

int metrics_prometheus_fill(void *source, FILE *out)
{
	const struct metrics_source *src = source;
	struct stats_view *v = src->snapshot(src->ctx);

	if (v == NULL)
		return -1;
	metrics_write_prometheus(v, out);
	source_release(src, v);
	return 0;
}

/* HTTP */

struct metrics_http {
	struct MHD_Daemon *daemon;
	metrics_fill_fn *fill;
	void *ctx;
	uint16_t port;
};

static const char not_found[] = "not found: try /metrics\n";
static const char not_allowed[] = "method not allowed: use GET\n";
static const char failed[] = "cannot gather the metrics\n";

/* Queue a reply; `body` is freed by libmicrohttpd when `owned`. */
static enum MHD_Result http_reply(struct MHD_Connection *c, unsigned int status,
				  char *body, size_t len, bool owned)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body,
		owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (r == NULL) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? METRICS_CONTENT_TYPE
						      : "text/plain");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

#define STATIC_REPLY(c, status, text)                                          \
	http_reply(c, status, (char *)(text), sizeof(text) - 1, false)

static enum MHD_Result http_answer(void *cls, struct MHD_Connection *c,
				   const char *url, const char *method,
				   const char *version, const char *upload_data,
				   size_t *upload_data_size, void **req_cls)
{
	struct metrics_http *h = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	(void)version, (void)upload_data, (void)upload_data_size;
	(void)req_cls;
	if (strcmp(url, "/metrics") != 0)
		return STATIC_REPLY(c, MHD_HTTP_NOT_FOUND, not_found);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return STATIC_REPLY(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				    not_allowed);
	out = open_memstream(&body, &len);
	if (out == NULL)
		return STATIC_REPLY(c, MHD_HTTP_INTERNAL_SERVER_ERROR, failed);
	rc = h->fill(h->ctx, out);
	if (ferror(out))
		rc = -1;
	if (fclose(out) != 0 || rc != 0) {
		free(body);
		return STATIC_REPLY(c, MHD_HTTP_INTERNAL_SERVER_ERROR, failed);
	}
	return http_reply(c, MHD_HTTP_OK, body, len, true);
}

/* A listening TCP socket on addr:port, or -1 with err set. */
static int http_listen(const char *addr, uint16_t port, uint16_t *bound,
		       char *err, size_t errlen)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} sa;
	socklen_t salen;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	if (inet_pton(AF_INET, addr, &sa.in.sin_addr) == 1) {
		sa.in.sin_family = AF_INET;
		sa.in.sin_port = htons(port);
		salen = sizeof(sa.in);
	} else if (inet_pton(AF_INET6, addr, &sa.in6.sin6_addr) == 1) {
		sa.in6.sin6_family = AF_INET6;
		sa.in6.sin6_port = htons(port);
		salen = sizeof(sa.in6);
	} else {
		snprintf(err, errlen,
			 "metrics: '%s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	fd = socket(sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, &sa.sa, salen) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, &sa.sa, &salen) < 0) {
		snprintf(err, errlen, "metrics: cannot listen on %s%s%s:%u: %s",
			 sa.sa.sa_family == AF_INET6 ? "[" : "", addr,
			 sa.sa.sa_family == AF_INET6 ? "]" : "", port,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*bound = ntohs(sa.sa.sa_family == AF_INET6 ? sa.in6.sin6_port
						   : sa.in.sin_port);
	return fd;
}

struct metrics_http *metrics_http_start(const char *addr, uint16_t port,
					metrics_fill_fn *fill, void *ctx,
					char *err, size_t errlen)
{
	struct metrics_http *h = calloc(1, sizeof(*h));
	sigset_t all, old;
	int fd;

	if (h == NULL) {
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	h->fill = fill;
	h->ctx = ctx;
	fd = http_listen(addr, port, &h->port, err, errlen);
	if (fd < 0) {
		free(h);
		return NULL;
	}
	/* signals are for the main thread; the server's inherits the mask */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	h->daemon = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD |
			(strchr(addr, ':') ? MHD_USE_IPv6 : 0),
		h->port, NULL, NULL, http_answer, h, MHD_OPTION_LISTEN_SOCKET,
		fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
		MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (h->daemon == NULL) {
		snprintf(err, errlen, "metrics: cannot start the HTTP server");
		close(fd);
		free(h);
		return NULL;
	}
	return h;
}

uint16_t metrics_http_port(const struct metrics_http *h)
{
	return h->port;
}

void metrics_http_stop(struct metrics_http *h)
{
	if (h == NULL)
		return;
	MHD_stop_daemon(h->daemon); /* joins the thread, closes the socket */
	free(h);
}

/* DPDK telemetry */

#define TENANT_PAGE 200 /* names per /sipwarden/tenants answer: fits 16 KiB */

/* Telemetry callbacks take no context: one source per process. */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_source tel_source; /* snapshot NULL: detached */
static size_t tel_registered;		 /* commands registered so far */

/* A dict of one counter array under `a->name` in d. */
static int tel_array(struct rte_tel_data *d, const struct counter_array *a,
		     const void *base)
{
	struct rte_tel_data *sub = rte_tel_data_alloc();
	const uint64_t *vals = array_at(a, base);
	char buf[16];

	if (sub == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(sub);
	for (size_t i = 0; i < a->n; i++)
		if (!a->only_seen || vals[i] != 0)
			rte_tel_data_add_dict_u64(
				sub, a->label_of(i, buf, sizeof(buf)), vals[i]);
	if (rte_tel_data_add_dict_container(d, a->name, sub, 0) < 0) {
		rte_tel_data_free(sub);
		return -EINVAL;
	}
	return 0;
}

static int tel_sip_arrays(struct rte_tel_data *d,
			  const struct stats_sip_counts *c)
{
	int rc = 0;

	for (size_t a = 0; a < ARRAY_SIZE(sip_arrays) && rc == 0; a++)
		rc = tel_array(d, &sip_arrays[a], c);
	return rc;
}

static int tel_totals(const struct stats_view *v, const char *params,
		      struct rte_tel_data *d)
{
	(void)params;
	rte_tel_data_start_dict(d);
	for (int i = 0; i < ST_TOTAL_MAX; i++)
		rte_tel_data_add_dict_u64(d,
					  stats_total_name((enum stats_total)i),
					  v->sum.total[i]);
	if (tel_sip_arrays(d, &v->sum.all) < 0)
		return -ENOMEM;
	return tel_array(d, &malformed_array, &v->sum);
}

static int tel_tables(const struct stats_view *v, const char *params,
		      struct rte_tel_data *d)
{
	(void)params;
	rte_tel_data_start_dict(d);
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		struct rte_tel_data *sub = rte_tel_data_alloc();

		if (sub == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(sub);
		for (int f = 0; f < TABLE_FIELDS; f++)
			rte_tel_data_add_dict_u64(
				sub, table_fields[f].name,
				table_value(&v->gauges, t, f));
		if (rte_tel_data_add_dict_container(d, tables[t].name, sub, 0) <
		    0) {
			rte_tel_data_free(sub);
			return -EINVAL;
		}
	}
	rte_tel_data_add_dict_u64(d, underflows_name,
				  v->gauges.counter_underflows);
	return 0;
}

/* params: the index of the first name, decimal; none means 0. */
static int tel_tenants(const struct stats_view *v, const char *params,
		       struct rte_tel_data *d)
{
	unsigned long start = 0, count = 0;
	struct rte_tel_data *names;
	char *end;

	if (params != NULL && *params != '\0') {
		errno = 0;
		start = strtoul(params, &end, 10);
		if (errno || *end != '\0' || *params < '0' || *params > '9')
			return -EINVAL;
	}
	names = rte_tel_data_alloc();
	if (names == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	/* start and count are over the tenants, not the slots */
	for (uint32_t t = 0; t < v->sum.tenant_count; t++) {
		if (tenant_name(v, t) == NULL)
			continue;
		if (count >= start && count - start < TENANT_PAGE)
			rte_tel_data_add_array_string(names, tenant_name(v, t));
		count++;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "count", count);
	rte_tel_data_add_dict_u64(d, "start", start);
	if (rte_tel_data_add_dict_container(d, "names", names, 0) < 0) {
		rte_tel_data_free(names);
		return -EINVAL;
	}
	return 0;
}

/* params: the tenant's name. */
static int tel_tenant(const struct stats_view *v, const char *params,
		      struct rte_tel_data *d)
{
	uint32_t t;

	for (t = 0; params != NULL && t < v->sum.tenant_count; t++)
		if (tenant_name(v, t) != NULL &&
		    strcmp(tenant_name(v, t), params) == 0)
			break;
	if (params == NULL || t == v->sum.tenant_count)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	for (size_t i = 0;
	     tenant_has_gauges(v, t) && i < ARRAY_SIZE(tenant_gauges); i++)
		rte_tel_data_add_dict_u64(
			d, tenant_gauges[i].name,
			tenant_gauges[i].value(&v->gauges.tenants[t]));
	return tel_sip_arrays(d, &v->sum.tenants[t]);
}

typedef int tel_build_fn(const struct stats_view *v, const char *params,
			 struct rte_tel_data *d);

/* Under the lock, so that detach waits for a command in progress. */
static int tel_answer(const char *params, struct rte_tel_data *d,
		      tel_build_fn *build)
{
	int rc = -ENODEV;

	pthread_mutex_lock(&tel_lock);
	if (tel_source.snapshot != NULL) {
		struct stats_view *v = tel_source.snapshot(tel_source.ctx);

		rc = -ENOMEM;
		if (v != NULL) {
			rc = build(v, params, d);
			source_release(&tel_source, v);
		}
	}
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

#define TEL_COMMAND(build)                                                     \
	static int tel_cmd_##build(const char *cmd, const char *params,        \
				   struct rte_tel_data *d)                     \
	{                                                                      \
		(void)cmd;                                                     \
		return tel_answer(params, d, build);                           \
	}
TEL_COMMAND(tel_totals)
TEL_COMMAND(tel_tables)
TEL_COMMAND(tel_tenants)
TEL_COMMAND(tel_tenant)
TEL_COMMAND(metrics_tel_lcores)
TEL_COMMAND(metrics_tel_ports)
TEL_COMMAND(metrics_tel_port)

static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} tel_commands[] = {
	{"/sipwarden/totals", tel_cmd_tel_totals,
	 "sipwarden totals, messages, responses, verdicts and "
	 "malformed_reasons over all traffic. Takes no parameters."},
	{"/sipwarden/tables", tel_cmd_tel_tables,
	 "sipwarden call and registration table gauges. Takes no "
	 "parameters."},
	{"/sipwarden/tenants", tel_cmd_tel_tenants,
	 "sipwarden tenant names, 200 at a time. Parameter: index of the "
	 "first name (default 0)."},
	{"/sipwarden/tenant", tel_cmd_tel_tenant,
	 "sipwarden counters and gauges of one tenant. Parameter: the "
	 "tenant's name."},
	{"/sipwarden/lcores", tel_cmd_metrics_tel_lcores,
	 "sipwarden RX/TX counters of each worker lcore. Takes no "
	 "parameters."},
	{"/sipwarden/ports", tel_cmd_metrics_tel_ports,
	 "sipwarden ethdev counters (RX/TX, missed, errors, no mbuf) of each "
	 "port. Takes no parameters."},
	{"/sipwarden/port", tel_cmd_metrics_tel_port,
	 "sipwarden counters of one ethdev, with its queues. Parameter: the "
	 "port id."},
};

int metrics_telemetry_register(const struct metrics_source *src)
{
	int rc = 0;

	pthread_mutex_lock(&tel_lock);
	while (tel_registered < ARRAY_SIZE(tel_commands) && rc == 0) {
		rc = rte_telemetry_register_cmd(
			tel_commands[tel_registered].cmd,
			tel_commands[tel_registered].fn,
			tel_commands[tel_registered].help);
		tel_registered += rc == 0;
	}
	if (rc == 0)
		tel_source = *src;
	pthread_mutex_unlock(&tel_lock);
	return rc;
}

void metrics_telemetry_detach(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_source = (struct metrics_source){0};
	pthread_mutex_unlock(&tel_lock);
}
