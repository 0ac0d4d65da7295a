/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats: per-lcore counters, aggregated on read.
 *
 * Contract:
 *  - Each worker owns one struct stats_lcore and is its only writer: plain
 *    increments, no atomics, no shared cache lines on the fast path.
 *  - Readers (the control thread, the end-of-replay report) sum all lcores
 *    with stats_aggregate(); a reader may see a counter one increment
 *    behind, never a torn or decreasing value (64-bit aligned stores).
 *  - Counter names are an interface (docs/COUNTERS.md).
 */
#ifndef SIPWARDEN_STATS_H
#define SIPWARDEN_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "sip_scan.h"
#include "verdict.h"

#define STATS_RESPONSE_CLASSES 6 /* 1xx .. 6xx */

/* Totals, by name. Append only. */
enum stats_total {
	ST_PACKETS = 0,	   /* frames received, both sides */
	ST_BYTES,	   /* bytes received */
	ST_PACKETS_OUTSIDE,/* frames received from the outside */
	ST_PACKETS_INSIDE, /* frames received from the inside */
	ST_FORWARDED_PACKETS, /* frames sent on to the other side */
	ST_DROPPED_PACKETS,   /* frames dropped by a verdict */
	ST_REPLIES,	   /* SIP replies generated */
	ST_TX_ERRORS,	   /* frames a port refused to send */
	ST_SIP_MESSAGES,   /* SIP messages scanned (whole, reassembled) */
	ST_REQUESTS,
	ST_RESPONSES,
	ST_NON_SIP,	   /* forwarded untouched: not IP/UDP/TCP or not a
			      SIP port */
	ST_MALFORMED,	   /* SIP port traffic that failed decode or scan */
	ST_DECODE_ERRORS,  /* of which: L2-L4 headers inconsistent */
	ST_KEEPALIVES,	   /* CRLF keepalives (RFC 5626) */
	ST_FRAGMENTS,	   /* IP fragments received */
	ST_REASSEMBLED,	   /* datagrams reassembled from fragments */
	ST_FRAGMENT_ERRORS,/* fragments that could not be reassembled */
	ST_TCP_SEGMENTS,   /* TCP segments to/from a SIP port */
	ST_TCP_PARTIAL,	   /* TCP SIP data not whole in one segment */
	ST_TLS_PACKETS,	   /* packets on TLS ports (source-only policy) */
	ST_OUTBOUND_UNKNOWN_TENANT, /* inside->outside to no tenant */
	ST_OVERSIZE,	   /* frames too large for a buffer (replay) */
	ST_ABSORBED_ACKS,  /* ACKs to our replies, dropped */
	ST_REPLIES_SUPPRESSED, /* replies not sent: over reply_rate */
	ST_TOTAL_MAX
};

struct stats_sip_counts {
	uint64_t methods[SIP_METHOD_MAX];
	uint64_t responses[STATS_RESPONSE_CLASSES];
	uint64_t verdicts[VERDICT_MAX];
};

/* The lcore of a stats_lcore not (yet) given to a worker lcore. */
#define STATS_LCORE_NONE UINT32_MAX

struct stats_lcore {
	uint64_t total[ST_TOTAL_MAX];
	uint64_t malformed_reasons[SIP_SCAN_RESULT_MAX];
	struct stats_sip_counts all;
	/* the verdicts of traffic of no tenant (in `all` too), read by the
	 * event stream; not in reports (all minus the tenants says it) */
	uint64_t no_tenant_verdicts[VERDICT_MAX];
	uint32_t tenant_count;
	struct stats_sip_counts *tenants; /* [tenant_count] */
	/* the EAL lcore counting here, or STATS_LCORE_NONE; set before the
	 * worker starts */
	uint32_t lcore_id;
} __attribute__((aligned(64)));

/* One worker lcore's totals, as read for a view. */
struct stats_lcore_totals {
	uint32_t lcore_id; /* STATS_LCORE_NONE: not a worker lcore (replay) */
	uint64_t total[ST_TOTAL_MAX];
};

/* One ethdev's counters (rte_eth_stats), read when a view is made. */
#define STATS_PORT_QUEUES 16 /* RTE_ETHDEV_QUEUE_STAT_CNTRS */
struct stats_port {
	uint16_t port_id;
	uint16_t rx_queues, tx_queues; /* configured, at most the above */
	char name[64];		       /* the ethdev's name */
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t imissed, ierrors, oerrors, rx_nombuf;
	uint64_t q_ipackets[STATS_PORT_QUEUES], q_ibytes[STATS_PORT_QUEUES];
	uint64_t q_errors[STATS_PORT_QUEUES];
	uint64_t q_opackets[STATS_PORT_QUEUES], q_obytes[STATS_PORT_QUEUES];
};

/* Live state read at report time (not per-lcore counters). */
struct stats_tenant_gauges {
	uint32_t calls_inbound;	 /* from the tenant into the SBC */
	uint32_t calls_outbound; /* from the SBC to the tenant */
	uint32_t emergency_calls;
	uint32_t users;
};

struct stats_gauges {
	uint64_t calls_active, call_capacity, calls_expired;
	uint64_t registrations_active, registration_capacity;
	uint64_t registrations_expired;
	uint64_t counter_underflows;
	uint32_t tenant_count;
	struct stats_tenant_gauges *tenants; /* [tenant_count] */
};

/* Aggregated view: same layout, summed. */
struct stats_view {
	struct stats_lcore sum;
	const char **tenant_names; /* [sum.tenant_count], NULL: no tenant */
	char (*name_buf)[64];	   /* the names, copied: the view owns them */
	struct stats_gauges gauges;	 /* tenants NULL when absent */
	/* the totals of each lcore summed into sum.total, read once so
	 * that they add up to it exactly: [lcore_count] */
	struct stats_lcore_totals *lcores;
	unsigned int lcore_count;
	/* live ports, filled by whoever makes the view (NULL: none) */
	struct stats_port *ports; /* [port_count], freed with the view */
	unsigned int port_count;
};

struct stats_lcore *stats_lcore_create(uint32_t tenant_count);
void stats_lcore_free(struct stats_lcore *s);

struct tenant_registry;

/*
 * Sum `n` lcores into a freshly allocated view, naming the tenants the
 * registry has (copied, so any control-plane thread may aggregate); slots
 * of no tenant are left out of reports. Each lcore's totals are kept in
 * v->lcores too. Free with stats_view_free.
 */
struct stats_view *stats_aggregate(struct stats_lcore *const *lcores,
				   unsigned int n,
				   struct tenant_registry *registry);
void stats_view_free(struct stats_view *v);

const char *stats_total_name(enum stats_total t);

/* The report at the end of a replay or on demand. */
void stats_print_table(const struct stats_view *v, FILE *out);
void stats_print_json(const struct stats_view *v, FILE *out);

static inline void stats_count_sip(struct stats_sip_counts *c,
				   const struct sip_msg *m)
{
	if (m->is_request)
		c->methods[m->method]++;
	else
		c->responses[m->status / 100 - 1]++;
}

#endif
