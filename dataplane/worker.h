/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * worker: the per-lcore fast path. RX burst -> decode -> reassemble ->
 * scan -> policy -> forward / drop / reply -> buffered TX.
 *
 * Contract:
 *  - A worker owns its counters, its reassembly table, its scratch
 *    buffers and its port_outs: nothing here is shared or locked.
 *  - It reads the policy through policy_current() once per burst and is
 *    a liburcu QSBR reader: worker_loop() reports a quiescent state each
 *    iteration and goes offline while idle.
 *  - Every frame it is given ends exactly once: sent, replied, or freed.
 *  - A burst is worked in passes (decode, then scan and keys, then the
 *    decisions), so that table and tenant lines are fetched for all its
 *    frames at once; decisions and output keep the frames' order, and
 *    results are those of deciding one frame after the other.
 *  - On ports with RSS each worker owns one queue pair of each port; on
 *    ports without, worker 0 dispatches in software (see struct worker).
 */
#ifndef SIPWARDEN_WORKER_H
#define SIPWARDEN_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "admission.h"
#include "frag.h"
#include "policy.h"
#include "port.h"
#include "stats.h"

/* a reassembled datagram, with its L2 header and some slack */
#define WORKER_SCRATCH_SIZE (65536 + 256)
#define WORKER_REPLY_SIZE 4096

/* frames decided together (see worker_process_burst) */
#define WORKER_BATCH PORT_BURST

/* What the classification of one frame concluded. */
struct frame_fate {
	enum verdict_action action;
	/* for replies: the frame and message to answer */
	const uint8_t *frame;
	size_t frame_len;
	const struct pkt_info *pi;
	const char *sip;
	const struct sip_msg *msg;
	uint16_t reply_code;
	uint32_t retry_after;
	enum verdict_reason reason;
};

/* One frame of a batch, between classification and decision. */
struct pending_frame {
	struct rte_mbuf *m;
	struct rte_mbuf *whole; /* a reassembled datagram, freed after */
	uint64_t now;
	enum side from;
	bool decide;	 /* a SIP message of the policy: admission due */
	bool in_scratch; /* its bytes are in the worker's scratch buffer */
	bool peeked;	 /* one segment, headers decoded into pi: peek */
	enum decode_result peek;
	struct frame_fate fate;
	struct pkt_info pi;
	struct sip_msg msg;
	struct policy_decision d;
	struct admission_prep prep;
};

struct worker {
	unsigned int index;
	struct stats_lcore *stats;
	struct admission *admission;	 /* shared live state */
	struct rate_bucket reply_bucket; /* this worker's replies */
	struct frag_ctx frag;
	/* where frames from each side go on, and where replies to them go */
	struct port_out *forward_to[SIDE_COUNT];
	struct port_out *reply_to[SIDE_COUNT];
	/* live: the RX (port, queue) of each side */
	uint16_t rx_port[SIDE_COUNT];
	uint16_t rx_queue;
	/*
	 * Software dispatch, for ports without RSS (one queue pair): worker 0
	 * receives for all and hands each frame to the worker its IP pair
	 * hashes to (both directions of a flow, and all fragments of a
	 * datagram, to the same worker); the others send back through
	 * rings that worker 0 drains into the ports.
	 */
	struct rte_ring *inbox;	    /* frames to process (not worker 0) */
	struct rte_ring **inboxes;  /* worker 0: [workers], [0] unused */
	struct rte_ring **tx_rings; /* worker 0: [workers * SIDE_COUNT] */
	unsigned int worker_count;  /* > 1 in dispatch mode */
	bool replay; /* side from inside_networks, clock from the capture */
	struct pending_frame pending[WORKER_BATCH];
	uint8_t scratch[WORKER_SCRATCH_SIZE];
	uint8_t reply[WORKER_REPLY_SIZE];
};

/*
 * Process a burst received on `from` (or, in replay, on the side each
 * frame's source address says). now_ns: the clock for this burst; in
 * replay each frame's own capture time is used instead.
 */
void worker_process_burst(struct worker *w, enum side from,
			  struct rte_mbuf **pkts, uint16_t n, uint64_t now_ns);

/* Send what is buffered on every port_out of this worker. */
void worker_flush(struct worker *w);

/* The worker (0..workers-1) a frame belongs to in software dispatch. */
unsigned int worker_dispatch_index(const struct rte_mbuf *m,
				   unsigned int workers);

/* lcore entry for live ports; returns when *stop becomes true. */
struct worker_loop_args {
	struct worker *w;
	volatile bool *stop;
};
int worker_loop(void *arg);

#endif
