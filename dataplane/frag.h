/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * frag: per-lcore IPv4/IPv6 reassembly (DPDK ip_frag) so that a SIP
 * message split over fragments is scanned whole.
 *
 * Contract:
 *  - The fragments themselves are forwarded as they came: frag_submit()
 *    hands the library a copy, never the caller's mbuf.
 *  - When a fragment completes a datagram, frag_submit() returns the
 *    reassembled datagram (a chained mbuf, L2 header of the first
 *    fragment); the caller reads and frees it.
 *  - Incomplete datagrams expire after the table's timeout, in the clock
 *    the caller passes (nanoseconds: capture time in replay, TSC-derived
 *    time on live ports). frag_housekeeping() releases what expired.
 *  - An IPv6 fragment header must follow the fixed header directly (what
 *    ip_frag supports); other layouts are reported, not reassembled.
 */
#ifndef SIPWARDEN_FRAG_H
#define SIPWARDEN_FRAG_H

#include <stdint.h>

#include <rte_ip_frag.h>
#include <rte_mbuf.h>

#include "decode.h"

#define FRAG_TIMEOUT_NS (2ULL * 1000 * 1000 * 1000)

struct frag_ctx {
	struct rte_ip_frag_tbl *table;
	struct rte_ip_frag_death_row death_row;
	struct rte_mempool *pool; /* for the copies */
};

enum frag_result {
	FRAG_PENDING = 0, /* kept, datagram not complete yet */
	FRAG_COMPLETE,	  /* *whole is the reassembled datagram */
	FRAG_ERROR,	  /* no buffer, unsupported header layout */
};

int frag_init(struct frag_ctx *f, struct rte_mempool *pool,
	      uint32_t max_flows, int socket);
void frag_fini(struct frag_ctx *f);

enum frag_result frag_submit(struct frag_ctx *f, const struct rte_mbuf *m,
			     const struct pkt_info *pi, uint64_t now_ns,
			     struct rte_mbuf **whole);

void frag_housekeeping(struct frag_ctx *f, uint64_t now_ns);

#endif
