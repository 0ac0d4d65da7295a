/* SPDX-License-Identifier: BSD-3-Clause */
#include "port.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024
#define LINEAR_MAX 65536

int port_timestamp_offset = -1;

int port_timestamp_init(void)
{
	uint64_t flag;

	if (port_timestamp_offset >= 0)
		return 0;
	return rte_mbuf_dyn_rx_timestamp_register(&port_timestamp_offset,
						  &flag);
}

static void pcap_sink_write(struct port_out *o, struct rte_mbuf *m)
{
	struct pcap_pkthdr h;
	uint64_t ns = port_timestamp(m);
	const uint8_t *data;

	if (o->dumper == NULL)
		return;
	data = rte_pktmbuf_read(m, 0, m->pkt_len, o->linear);
	h.ts.tv_sec = (time_t)(ns / 1000000000ULL);
	h.ts.tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000);
	h.caplen = m->pkt_len;
	h.len = m->pkt_len;
	pcap_dump((u_char *)o->dumper, &h, data);
}

void port_out_flush(struct port_out *o, struct stats_lcore *st)
{
	uint16_t sent;

	if (o->count == 0)
		return;
	if (o->kind == PORT_OUT_PCAP) {
		for (uint16_t i = 0; i < o->count; i++) {
			pcap_sink_write(o, o->pending[i]);
			rte_pktmbuf_free(o->pending[i]);
		}
		o->count = 0;
		return;
	}
	if (o->kind == PORT_OUT_RING)
		sent = (uint16_t)rte_ring_sp_enqueue_burst(
			o->ring, (void **)o->pending, o->count, NULL);
	else
		sent = rte_eth_tx_burst(o->port_id, o->queue_id, o->pending,
					o->count);
	if (sent < o->count) {
		st->total[ST_TX_ERRORS] += o->count - sent;
		rte_pktmbuf_free_bulk(&o->pending[sent], o->count - sent);
	}
	o->count = 0;
}

int port_out_open_pcap(struct port_out *o, const char *path, char *err,
		       size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->kind = PORT_OUT_PCAP;
	o->linear = malloc(LINEAR_MAX);
	if (o->linear == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (path == NULL)
		return 0;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, LINEAR_MAX);

	if (dead == NULL) {
		snprintf(err, errlen, "cannot open a pcap writer");
		return -ENOMEM;
	}
	o->dumper = pcap_dump_open(dead, path);
	if (o->dumper == NULL) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(dead));
		pcap_close(dead);
		return -EIO;
	}
	/* the dumper keeps what it needs of `dead` (link type, snaplen) */
	pcap_close(dead);
	return 0;
}

void port_out_close_pcap(struct port_out *o)
{
	if (o->dumper != NULL) {
		pcap_dump_close(o->dumper);
		o->dumper = NULL;
	}
	free(o->linear);
	o->linear = NULL;
}

int replay_source_open(struct replay_source *src, const char *path,
		       char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];

	memset(src, 0, sizeof(*src));
	src->pcap = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (src->pcap == NULL) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -EIO;
	}
	if (pcap_datalink(src->pcap) != DLT_EN10MB) {
		snprintf(err, errlen,
			 "%s: link type %s is not supported; replay needs "
			 "Ethernet frames (capture on the interface, not 'any')",
			 path,
			 pcap_datalink_val_to_name(pcap_datalink(src->pcap)));
		pcap_close(src->pcap);
		src->pcap = NULL;
		return -EINVAL;
	}
	return 0;
}

uint16_t replay_source_read(struct replay_source *src,
			    struct rte_mempool *pool, struct rte_mbuf **pkts,
			    uint16_t n)
{
	uint16_t got = 0;

	while (got < n) {
		struct pcap_pkthdr *h;
		const u_char *data;
		struct rte_mbuf *m;
		int rc = pcap_next_ex(src->pcap, &h, &data);

		if (rc != 1)
			break;
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL)
			break; /* pool sized for bursts: cannot happen */
		if (h->caplen > rte_pktmbuf_tailroom(m)) {
			/* a frame no port could have received whole */
			src->oversize++;
			rte_pktmbuf_free(m);
			continue;
		}
		memcpy(rte_pktmbuf_append(m, (uint16_t)h->caplen), data,
		       h->caplen);
		/* opened with nanosecond precision: tv_usec holds ns */
		port_timestamp_set(m, (uint64_t)h->ts.tv_sec * 1000000000ULL +
					      (uint64_t)h->ts.tv_usec);
		pkts[got++] = m;
	}
	return got;
}

void replay_source_close(struct replay_source *src)
{
	if (src->pcap != NULL)
		pcap_close(src->pcap);
	src->pcap = NULL;
}

bool port_device_is_pci(const char *device)
{
	unsigned int dom, bus, dev, fn;
	char tail;

	/* DDDD:BB:DD.F or BB:DD.F */
	return sscanf(device, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) ==
		       4 ||
	       sscanf(device, "%x:%x.%x%c", &bus, &dev, &fn, &tail) == 3;
}

void port_device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

/* The value of `key=` in a vdev string, into buf; false if absent. */
static bool device_arg(const char *device, const char *key, char *buf,
		       size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = strchr(device, ','); p != NULL;
	     p = strchr(p + 1, ',')) {
		if (strncmp(p + 1, key, klen) == 0 && p[1 + klen] == '=') {
			size_t n = strcspn(p + 2 + klen, ",");

			if (n >= len)
				n = len - 1;
			memcpy(buf, p + 2 + klen, n);
			buf[n] = '\0';
			return true;
		}
	}
	return false;
}

/*
 * An af_xdp port reads only the queues it was given (queue_count from
 * start_queue, one by default); frames the kernel steers to any other
 * queue would bypass sipwarden. Refuse that at start.
 */
static int check_af_xdp_queues(const char *device, char *err, size_t errlen)
{
	char iface[64], arg[16], path[128];
	unsigned long count = 1, start = 0, rx = 0;
	struct dirent *d;
	DIR *dir;

	if (strncmp(device, "net_af_xdp", 10) != 0 ||
	    !device_arg(device, "iface", iface, sizeof(iface)))
		return 0;
	if (device_arg(device, "queue_count", arg, sizeof(arg)))
		count = strtoul(arg, NULL, 10);
	if (device_arg(device, "start_queue", arg, sizeof(arg)))
		start = strtoul(arg, NULL, 10);
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", iface);
	dir = opendir(path);
	if (dir == NULL)
		return 0; /* no sysfs view: nothing to check against */
	while ((d = readdir(dir)) != NULL)
		rx += strncmp(d->d_name, "rx-", 3) == 0;
	closedir(dir);
	if (start == 0 && rx <= count)
		return 0;
	snprintf(err, errlen,
		 "%s has %lu RX queues but '%s' reads %lu from queue %lu: "
		 "frames on the other queues would bypass sipwarden; set "
		 "queue_count=%lu (and start_queue=0) or 'ethtool -L %s "
		 "combined %lu'",
		 iface, rx, device, count, start, rx, iface, count);
	return -EINVAL;
}

int port_ethdev_find(const char *device, uint16_t *port_id,
		     uint16_t *rss_queues, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	rc = check_af_xdp_queues(device, err, errlen);
	if (rc < 0)
		return rc;
	port_device_name(device, name, sizeof(name));
	rc = rte_eth_dev_get_port_by_name(name, port_id);
	if (rc != 0) {
		snprintf(err, errlen, "device '%s' was not probed by EAL",
			 device);
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(*port_id, &info);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot read device info: %s", name,
			 strerror(-rc));
		return rc;
	}
	*rss_queues = RTE_MIN(info.max_rx_queues, info.max_tx_queues);
	if (info.flow_type_rss_offloads == 0 || *rss_queues == 0)
		*rss_queues = 1;
	return 0;
}

int port_ethdev_setup(uint16_t port_id, uint16_t queues,
		      struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	int socket = rte_eth_dev_socket_id(port_id);
	int rc = rte_eth_dev_info_get(port_id, &info);

	if (rc == 0 && queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP) &
			info.flow_type_rss_offloads;
	}
	if (rc == 0)
		rc = rte_eth_dev_configure(port_id, queues, queues, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: configure: %s", port_id,
			 strerror(-rc));
		return rc;
	}
	for (uint16_t q = 0; q < queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, PORT_RX_DESC, socket,
					    NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, PORT_TX_DESC,
						    socket, NULL);
		if (rc != 0) {
			snprintf(err, errlen, "port %u: queue %u setup: %s",
				 port_id, q, strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		snprintf(err, errlen, "port %u: start: %s", port_id,
			 strerror(-rc));
		return rc;
	}
	/* inline: frames for the SBC's MAC and others cross as they are */
	rte_eth_promiscuous_enable(port_id);
	return 0;
}

_Static_assert(STATS_PORT_QUEUES == RTE_ETHDEV_QUEUE_STAT_CNTRS,
	       "every queue counter of rte_eth_stats has a place");
_Static_assert(sizeof(((struct stats_port *)0)->name) >= RTE_ETH_NAME_MAX_LEN,
	       "an ethdev name fits");

static void port_stats_copy(struct stats_port *p, const struct rte_eth_stats *s)
{
	size_t q = sizeof(p->q_ipackets);

	p->ipackets = s->ipackets;
	p->opackets = s->opackets;
	p->ibytes = s->ibytes;
	p->obytes = s->obytes;
	p->imissed = s->imissed;
	p->ierrors = s->ierrors;
	p->oerrors = s->oerrors;
	p->rx_nombuf = s->rx_nombuf;
	memcpy(p->q_ipackets, s->q_ipackets, q);
	memcpy(p->q_ibytes, s->q_ibytes, q);
	memcpy(p->q_errors, s->q_errors, q);
	memcpy(p->q_opackets, s->q_opackets, q);
	memcpy(p->q_obytes, s->q_obytes, q);
}

int port_ethdev_stats(struct stats_port **out)
{
	uint16_t avail = rte_eth_dev_count_avail(), port_id;
	struct stats_port *ports = calloc(avail + 1u, sizeof(*ports));
	unsigned int n = 0;

	*out = ports;
	if (ports == NULL)
		return -ENOMEM;
	RTE_ETH_FOREACH_DEV(port_id)
	{
		struct stats_port *p = &ports[n];
		struct rte_eth_dev_info info;
		struct rte_eth_stats s;

		/* a port that came after the count waits for the next read */
		if (n == avail || rte_eth_stats_get(port_id, &s) != 0 ||
		    rte_eth_dev_info_get(port_id, &info) != 0 ||
		    rte_eth_dev_get_name_by_port(port_id, p->name) != 0)
			continue;
		p->port_id = port_id;
		p->rx_queues = RTE_MIN(info.nb_rx_queues, STATS_PORT_QUEUES);
		p->tx_queues = RTE_MIN(info.nb_tx_queues, STATS_PORT_QUEUES);
		port_stats_copy(p, &s);
		n++;
	}
	return (int)n;
}

void port_ethdev_close(uint16_t port_id)
{
	rte_eth_dev_stop(port_id);
	rte_eth_dev_close(port_id);
}
