/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port: where frames come from and go to. Live ports are DPDK ethdevs
 * (any PMD: af_xdp, tap, pcap, ring, PCI); replay reads a capture file and
 * writes captures, through the same worker code.
 *
 * Contract:
 *  - A port_out buffers frames for one (port, queue) and is owned by one
 *    worker: no locks. Whatever a port refuses is freed and counted as
 *    tx_errors, never leaked.
 *  - The replay source stamps every mbuf with its capture time (the
 *    rx-timestamp dynamic field, nanoseconds); the pcap sink writes that
 *    time back, so output captures keep the input's timeline.
 */
#ifndef SIPWARDEN_PORT_H
#define SIPWARDEN_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <pcap/pcap.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "stats.h"

#define PORT_BURST 32

enum port_out_kind {
	PORT_OUT_ETHDEV = 0, /* a TX queue of a port */
	PORT_OUT_PCAP,	     /* a capture file (replay) */
	PORT_OUT_RING,	     /* to the worker that owns the port's queue */
};

struct port_out {
	enum port_out_kind kind;
	uint16_t port_id;
	uint16_t queue_id;
	pcap_dumper_t *dumper;
	struct rte_ring *ring; /* single producer: this worker */
	uint16_t count;
	struct rte_mbuf *pending[PORT_BURST];
	uint8_t *linear; /* scratch for chained mbufs (pcap sink) */
};

void port_out_flush(struct port_out *o, struct stats_lcore *st);

static inline void port_out_enqueue(struct port_out *o, struct rte_mbuf *m,
				    struct stats_lcore *st)
{
	o->pending[o->count++] = m;
	if (o->count == PORT_BURST)
		port_out_flush(o, st);
}

/* The rx-timestamp dynamic field, registered by port_timestamp_init(). */
extern int port_timestamp_offset;
int port_timestamp_init(void);

static inline uint64_t port_timestamp(const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, port_timestamp_offset, const uint64_t *);
}

static inline void port_timestamp_set(struct rte_mbuf *m, uint64_t ns)
{
	*RTE_MBUF_DYNFIELD(m, port_timestamp_offset, uint64_t *) = ns;
}

/*
 * Live ports: find the ethdev that EAL probed for `device` (a PCI address
 * or a vdev string) and how many queue pairs it can spread by RSS (1 when
 * it has no RSS).
 */
int port_ethdev_find(const char *device, uint16_t *port_id,
		     uint16_t *rss_queues, char *err, size_t errlen);
/* Configure `queues` RX/TX queue pairs (RSS when more than one) and start
 * the port in promiscuous mode. */
int port_ethdev_setup(uint16_t port_id, uint16_t queues,
		      struct rte_mempool *pool, char *err, size_t errlen);
void port_ethdev_close(uint16_t port_id);

/*
 * The counters of every ethdev (rte_eth_stats, queues included), for
 * monitoring: a new array in *out (free() it), the count returned, or
 * -ENOMEM. Safe on any thread while the workers run, as DPDK's own
 * /ethdev/stats telemetry is; ports whose counters cannot be read are
 * left out.
 */
int port_ethdev_stats(struct stats_port **out);

/* The name EAL gives the device: a vdev's name before the first comma. */
void port_device_name(const char *device, char *name, size_t len);
bool port_device_is_pci(const char *device);

/* Replay: capture in, captures out. */
struct replay_source {
	pcap_t *pcap;
	uint64_t oversize;
};

int replay_source_open(struct replay_source *src, const char *path,
		       char *err, size_t errlen);
/* Fill up to n mbufs; returns how many (0 at the end of the capture). */
uint16_t replay_source_read(struct replay_source *src,
			    struct rte_mempool *pool, struct rte_mbuf **pkts,
			    uint16_t n);
void replay_source_close(struct replay_source *src);

/* A pcap sink; path NULL opens a sink that discards (counted as sent). */
int port_out_open_pcap(struct port_out *o, const char *path, char *err,
		       size_t errlen);
void port_out_close_pcap(struct port_out *o);

#endif
