/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics_io: the I/O side of the metrics (part of the metrics module, see
 * metrics.h): RX/TX per worker lcore, and each ethdev's counters per port
 * and per queue, as Prometheus families and telemetry answers.
 *
 * Contract: renders what the view holds (v->lcores, v->ports), never
 * gathers; names are an interface (docs/METRICS.md). Every family is
 * announced even when it has no sample (no port, replay).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "metrics_internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Per lcore: the totals that say where a worker's frames went. */
static const struct {
	const char *name, *help;
	enum stats_total total;
} lcore_totals[] = {
	{"rx_packets", "Frames received by a worker lcore, both sides.",
	 ST_PACKETS},
	{"rx_bytes", "Bytes received by a worker lcore, both sides.", ST_BYTES},
	{"forwarded_packets",
	 "Frames a worker lcore sent on to the other side.",
	 ST_FORWARDED_PACKETS},
	{"replies", "SIP replies a worker lcore generated.", ST_REPLIES},
	{"dropped_packets", "Frames a worker lcore dropped by a verdict.",
	 ST_DROPPED_PACKETS},
	{"tx_errors", "Frames a port refused to send for a worker lcore.",
	 ST_TX_ERRORS},
};

/* Per port: struct rte_eth_stats, under conventional names. */
static const struct {
	const char *name, *help;
	size_t offset;
} port_counters[] = {
	{"rx_packets", "Frames the port received (ipackets).",
	 offsetof(struct stats_port, ipackets)},
	{"tx_packets", "Frames the port sent (opackets).",
	 offsetof(struct stats_port, opackets)},
	{"rx_bytes", "Bytes the port received (ibytes).",
	 offsetof(struct stats_port, ibytes)},
	{"tx_bytes", "Bytes the port sent (obytes).",
	 offsetof(struct stats_port, obytes)},
	{"rx_missed",
	 "Frames the port dropped because no RX descriptor was free: the "
	 "workers did not keep up (imissed).",
	 offsetof(struct stats_port, imissed)},
	{"rx_errors", "Erroneous frames the port received (ierrors).",
	 offsetof(struct stats_port, ierrors)},
	{"tx_errors", "Frames the port failed to send (oerrors).",
	 offsetof(struct stats_port, oerrors)},
	{"rx_nombuf", "RX buffer allocation failures (rx_nombuf).",
	 offsetof(struct stats_port, rx_nombuf)},
};

/* Per queue: the q_* arrays of rte_eth_stats (drivers that keep them). */
static const struct {
	const char *name, *help;
	size_t offset;
	bool rx; /* an RX queue's, else a TX queue's */
} queue_counters[] = {
	{"rx_packets", "Frames an RX queue received (q_ipackets).",
	 offsetof(struct stats_port, q_ipackets), true},
	{"rx_bytes", "Bytes an RX queue received (q_ibytes).",
	 offsetof(struct stats_port, q_ibytes), true},
	{"rx_errors", "Frames an RX queue dropped (q_errors).",
	 offsetof(struct stats_port, q_errors), true},
	{"tx_packets", "Frames a TX queue sent (q_opackets).",
	 offsetof(struct stats_port, q_opackets), false},
	{"tx_bytes", "Bytes a TX queue sent (q_obytes).",
	 offsetof(struct stats_port, q_obytes), false},
};

static uint64_t port_value(const struct stats_port *p, size_t offset)
{
	return *(const uint64_t *)((const char *)p + offset);
}

static const uint64_t *queue_values(const struct stats_port *p, size_t offset)
{
	return (const uint64_t *)((const char *)p + offset);
}

static uint16_t queue_count(const struct stats_port *p, bool rx)
{
	return rx ? p->rx_queues : p->tx_queues;
}

/* Prometheus */

static void write_lcores(const struct stats_view *v, FILE *out)
{
	char family[METRICS_FAMILY_MAX], id[16];

	for (size_t i = 0; i < ARRAY_SIZE(lcore_totals); i++) {
		snprintf(family, sizeof(family),
			 METRICS_PREFIX "lcore_%s_total", lcore_totals[i].name);
		metrics_write_header(out, family, "counter",
				     lcore_totals[i].help, "");
		for (unsigned int l = 0; l < v->lcore_count; l++) {
			const struct stats_lcore_totals *lt = &v->lcores[l];
			struct label lab = {"lcore", id};

			if (lt->lcore_id == STATS_LCORE_NONE)
				continue;
			snprintf(id, sizeof(id), "%u", lt->lcore_id);
			metrics_write_sample(out, family, &lab, 1,
					     lt->total[lcore_totals[i].total]);
		}
	}
}

static void write_ports(const struct stats_view *v, FILE *out)
{
	char family[METRICS_FAMILY_MAX], id[8], queue[8];

	for (size_t c = 0; c < ARRAY_SIZE(port_counters); c++) {
		snprintf(family, sizeof(family), METRICS_PREFIX "port_%s_total",
			 port_counters[c].name);
		metrics_write_header(out, family, "counter",
				     port_counters[c].help, "");
		for (unsigned int i = 0; i < v->port_count; i++) {
			const struct stats_port *p = &v->ports[i];
			struct label lab[] = {{"port", id},
					      {"device", p->name}};

			snprintf(id, sizeof(id), "%u", p->port_id);
			metrics_write_sample(
				out, family, lab, 2,
				port_value(p, port_counters[c].offset));
		}
	}
	for (size_t c = 0; c < ARRAY_SIZE(queue_counters); c++) {
		snprintf(family, sizeof(family),
			 METRICS_PREFIX "port_queue_%s_total",
			 queue_counters[c].name);
		metrics_write_header(out, family, "counter",
				     queue_counters[c].help, "");
		for (unsigned int i = 0; i < v->port_count; i++) {
			const struct stats_port *p = &v->ports[i];
			const uint64_t *vals =
				queue_values(p, queue_counters[c].offset);
			struct label lab[] = {{"port", id},
					      {"device", p->name},
					      {"queue", queue}};

			snprintf(id, sizeof(id), "%u", p->port_id);
			for (uint16_t q = 0;
			     q < queue_count(p, queue_counters[c].rx); q++) {
				snprintf(queue, sizeof(queue), "%u", q);
				metrics_write_sample(out, family, lab, 3,
						     vals[q]);
			}
		}
	}
}

void metrics_write_io(const struct stats_view *v, FILE *out)
{
	write_lcores(v, out);
	write_ports(v, out);
}

/* Telemetry */

/* An empty dict, for the caller to fill and tel_add(). */
static struct rte_tel_data *tel_sub_dict(void)
{
	struct rte_tel_data *sub = rte_tel_data_alloc();

	if (sub != NULL)
		rte_tel_data_start_dict(sub);
	return sub;
}

static int tel_add(struct rte_tel_data *d, const char *name,
		   struct rte_tel_data *sub)
{
	if (rte_tel_data_add_dict_container(d, name, sub, 0) < 0) {
		rte_tel_data_free(sub);
		return -EINVAL;
	}
	return 0;
}

/* {"LCORE": {"rx_packets": N, ...}, ...} */
int metrics_tel_lcores(const struct stats_view *v, const char *params,
		       struct rte_tel_data *d)
{
	char id[16];

	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned int l = 0; l < v->lcore_count; l++) {
		const struct stats_lcore_totals *lt = &v->lcores[l];
		struct rte_tel_data *sub;

		if (lt->lcore_id == STATS_LCORE_NONE)
			continue;
		sub = tel_sub_dict();
		if (sub == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < ARRAY_SIZE(lcore_totals); i++)
			rte_tel_data_add_dict_u64(
				sub, lcore_totals[i].name,
				lt->total[lcore_totals[i].total]);
		snprintf(id, sizeof(id), "%u", lt->lcore_id);
		if (tel_add(d, id, sub) < 0)
			return -EINVAL;
	}
	return 0;
}

static void tel_port_counters(struct rte_tel_data *d,
			      const struct stats_port *p)
{
	rte_tel_data_add_dict_string(d, "device", p->name);
	for (size_t c = 0; c < ARRAY_SIZE(port_counters); c++)
		rte_tel_data_add_dict_u64(
			d, port_counters[c].name,
			port_value(p, port_counters[c].offset));
}

/* {"PORT": {"device": NAME, "rx_packets": N, ...}, ...} */
int metrics_tel_ports(const struct stats_view *v, const char *params,
		      struct rte_tel_data *d)
{
	char id[8];

	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < v->port_count; i++) {
		struct rte_tel_data *sub = tel_sub_dict();

		if (sub == NULL)
			return -ENOMEM;
		tel_port_counters(sub, &v->ports[i]);
		snprintf(id, sizeof(id), "%u", v->ports[i].port_id);
		if (tel_add(d, id, sub) < 0)
			return -EINVAL;
	}
	return 0;
}

/* params: the port id. {"device": NAME, "rx_packets": N, ...,
 * "queue_rx_packets": [Q0, Q1, ...], ...} */
int metrics_tel_port(const struct stats_view *v, const char *params,
		     struct rte_tel_data *d)
{
	const struct stats_port *p = NULL;
	char name[METRICS_FAMILY_MAX], *end;
	unsigned long id;

	if (params == NULL || *params < '0' || *params > '9')
		return -EINVAL;
	errno = 0;
	id = strtoul(params, &end, 10);
	if (errno || *end != '\0')
		return -EINVAL;
	for (unsigned int i = 0; i < v->port_count; i++)
		if (v->ports[i].port_id == id)
			p = &v->ports[i];
	if (p == NULL)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "port", p->port_id);
	tel_port_counters(d, p);
	for (size_t c = 0; c < ARRAY_SIZE(queue_counters); c++) {
		const uint64_t *vals =
			queue_values(p, queue_counters[c].offset);
		struct rte_tel_data *arr = rte_tel_data_alloc();

		if (arr == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(arr, RTE_TEL_U64_VAL);
		for (uint16_t q = 0; q < queue_count(p, queue_counters[c].rx);
		     q++)
			rte_tel_data_add_array_u64(arr, vals[q]);
		snprintf(name, sizeof(name), "queue_%s",
			 queue_counters[c].name);
		if (tel_add(d, name, arr) < 0)
			return -EINVAL;
	}
	return 0;
}
