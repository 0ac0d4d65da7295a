/* SPDX-License-Identifier: BSD-3-Clause */
#include "worker.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <urcu-qsbr.h>

#include "state_table.h"

static void count_verdict(struct stats_lcore *st, uint32_t tenant,
			  enum verdict_reason reason)
{
	st->all.verdicts[reason]++;
	if (tenant != TENANT_NONE)
		st->tenants[tenant].verdicts[reason]++;
	else
		st->no_tenant_verdicts[reason]++;
}

/* A frame that failed decode or scan: counted, then config decides. */
static void classify_malformed(const struct policy *p, struct stats_lcore *st,
			       enum side from, const struct pkt_info *pi,
			       struct frame_fate *fate)
{
	uint32_t tenant = pi->l3 == PKT_L3_NONE
				  ? TENANT_NONE
				  : policy_tenant_by_address(p, from, pi);

	st->total[ST_MALFORMED]++;
	count_verdict(st, tenant, VERDICT_MALFORMED);
	fate->action = p->malformed_action;
}

/*
 * Classify one decoded datagram (possibly reassembled, in f->pi) whose L4
 * is UDP or TCP, as far as the policy snapshot alone decides: a SIP
 * message of the policy is left for decide_sip() (f->decide), with its
 * admission prepared. `frame` holds the whole datagram with its L2
 * header.
 */
static void classify_l4(struct worker *w, const struct policy *p,
			const uint8_t *frame, size_t frame_len,
			struct pending_frame *f)
{
	struct stats_lcore *st = w->stats;
	enum side from = f->from;
	const struct pkt_info *pi = &f->pi;
	struct sip_msg *msg = &f->msg;
	struct frame_fate *fate = &f->fate;
	const char *payload = (const char *)frame + pi->payload_off;
	bool tcp = pi->l4 == PKT_L4_TCP;
	/* the SBC's end decides what the service is: a sender chooses its
	 * own port, so it must not be able to pick "TLS" and skip the
	 * scanner (plain SIP from port 5061 would pass unjudged) */
	uint16_t sbc_port = from == SIDE_OUTSIDE ? pi->dport : pi->sport;
	bool tls_port = policy_port_in(p->tls_ports, sbc_port);
	enum sip_scan_result r;

	if (tls_port && tcp) {
		/* encrypted: the source is all we can judge */
		st->total[ST_TLS_PACKETS]++;
		if (from == SIDE_OUTSIDE &&
		    policy_tenant_by_address(p, from, pi) == TENANT_NONE) {
			count_verdict(st, TENANT_NONE, VERDICT_UNKNOWN_SOURCE);
			fate->action =
				p->refusals[VERDICT_UNKNOWN_SOURCE].action ==
						ACTION_FORWARD
					? ACTION_FORWARD
					: ACTION_DROP;
		}
		return;
	}
	/* UDP to a TLS port is not TLS: scan it like any SIP port */
	if (!tls_port && !policy_port_in(p->sip_ports, pi->dport) &&
	    !policy_port_in(p->sip_ports, pi->sport)) {
		st->total[ST_NON_SIP]++;
		return;
	}
	if (tcp) {
		st->total[ST_TCP_SEGMENTS]++;
		if (pi->payload_len == 0)
			return; /* handshake, ACKs, FIN: the SBC's business */
	}
	r = sip_scan(payload, pi->payload_len, msg);
	if (r == SIP_SCAN_EMPTY) {
		st->total[ST_KEEPALIVES]++;
		return;
	}
	if (tcp && (r == SIP_SCAN_BAD_START_LINE || r == SIP_SCAN_TRUNCATED ||
		    r == SIP_SCAN_BAD_CONTENT_LENGTH)) {
		/* the middle or the start of a message spread over segments:
		 * stream reassembly is not done yet, so it passes, counted */
		st->total[ST_TCP_PARTIAL]++;
		return;
	}
	if (r != SIP_SCAN_OK) {
		st->malformed_reasons[r]++;
		classify_malformed(p, st, from, pi, fate);
		return;
	}
	st->total[ST_SIP_MESSAGES]++;
	st->total[msg->is_request ? ST_REQUESTS : ST_RESPONSES]++;
	stats_count_sip(&st->all, msg);
	policy_decide(p, from, pi, msg, &f->d);
	if (f->d.absorbed)
		f->prep.kind = ADMISSION_KEY_NONE;
	else
		admission_prepare(w->admission, p, from, msg, f->d.tenant,
				  &f->prep);
	f->decide = true;
	fate->frame = frame;
	fate->frame_len = frame_len;
	fate->pi = pi;
	fate->sip = payload;
	fate->msg = msg;
}

/* What needs live state, in arrival order: admission, then counting. */
static void decide_sip(struct worker *w, const struct policy *p,
		       struct pending_frame *f)
{
	struct stats_lcore *st = w->stats;
	struct policy_decision *d = &f->d;

	if (d->absorbed)
		st->total[ST_ABSORBED_ACKS]++;
	else
		admission_decide_prepared(w->admission, p, f->from, &f->pi,
					  &f->msg, f->now, &f->prep, d);
	if (d->tenant != TENANT_NONE)
		stats_count_sip(&st->tenants[d->tenant], &f->msg);
	else if (f->from == SIDE_INSIDE)
		st->total[ST_OUTBOUND_UNKNOWN_TENANT]++;
	count_verdict(st, d->tenant, d->reason);
	f->fate.action = d->action;
	f->fate.reason = d->reason;
	f->fate.reply_code = d->reply_code;
	f->fate.retry_after = d->retry_after;
}

/* Replace the frame in m by data[0..len); false if it does not fit. */
static bool mbuf_set_frame(struct rte_mbuf *m, const uint8_t *data, size_t len)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_off = RTE_MIN((uint16_t)RTE_PKTMBUF_HEADROOM, m->buf_len);
	if (len > (size_t)(m->buf_len - m->data_off))
		return false;
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), data, len);
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	return true;
}

static bool build_reply(struct worker *w, const struct policy *p,
			struct rte_mbuf *m, const struct frame_fate *fate)
{
	struct reply_spec spec = {
		.status = fate->reply_code,
		.phrase = reply_default_phrase(fate->reply_code),
		.cause = verdict_reason_name(fate->reason),
		.retry_after = fate->retry_after,
		.tag_key = p->tag_key,
		.tag_code = (uint8_t)fate->reason,
	};
	size_t len =
		reply_build(fate->frame, fate->frame_len, fate->pi, fate->sip,
			    fate->msg, &spec, w->reply, sizeof(w->reply));

	return len != 0 && mbuf_set_frame(m, w->reply, len);
}

static void act(struct worker *w, const struct policy *p, enum side from,
		struct rte_mbuf *m, const struct frame_fate *fate,
		uint64_t now_ns)
{
	struct stats_lcore *st = w->stats;

	switch (fate->action) {
	case ACTION_FORWARD:
		st->total[ST_FORWARDED_PACKETS]++;
		port_out_enqueue(w->forward_to[from], m, st);
		return;
	case ACTION_REPLY:
		if (!rate_allow(&w->reply_bucket, &p->reply_rate, now_ns)) {
			/* a flood must not make us an amplifier */
			st->total[ST_REPLIES_SUPPRESSED]++;
		} else if (build_reply(w, p, m, fate)) {
			st->total[ST_REPLIES]++;
			port_out_enqueue(w->reply_to[from], m, st);
			return;
		}
		/* what cannot be answered is dropped */
		/* fall through */
	case ACTION_DROP:
	default:
		st->total[ST_DROPPED_PACKETS]++;
		rte_pktmbuf_free(m);
		return;
	}
}

/*
 * The first pass over a frame: what reads only the frame and the policy
 * snapshot (decode, reassembly, scan, the tenant, the table key), into f.
 * Reassembly is per worker and independent of admission, so it may run
 * ahead of the decisions on earlier frames.
 */
static void prepare_frame(struct worker *w, const struct policy *p,
			  struct pending_frame *f)
{
	struct stats_lcore *st = w->stats;
	struct rte_mbuf *m = f->m;
	struct pkt_info whole_pi;
	const uint8_t *frame;
	enum decode_result dr;

	f->whole = NULL;
	f->decide = false;
	f->in_scratch = false;
	f->fate.action = ACTION_FORWARD;
	st->total[ST_PACKETS]++;
	st->total[ST_BYTES] += m->pkt_len;
	if (m->pkt_len > sizeof(w->scratch)) {
		/* beyond any IP datagram: not ours to judge */
		st->total[ST_OVERSIZE]++;
		st->total[ST_NON_SIP]++;
		return;
	}
	if (f->peeked) {
		frame = rte_pktmbuf_mtod(m, const uint8_t *);
		dr = f->peek;
	} else {
		/* chains are linearised */
		frame = rte_pktmbuf_read(m, 0, m->pkt_len, w->scratch);
		f->in_scratch = frame == w->scratch;
		dr = decode_frame(frame, m->pkt_len, &f->pi);
	}
	if (w->replay)
		f->from = policy_side_of(p, &f->pi);
	st->total[f->from == SIDE_OUTSIDE ? ST_PACKETS_OUTSIDE
					  : ST_PACKETS_INSIDE]++;
	if (dr != DECODE_OK) {
		st->total[ST_DECODE_ERRORS]++;
		classify_malformed(p, st, f->from, &f->pi, &f->fate);
		return;
	}
	if (f->pi.is_fragment) {
		st->total[ST_FRAGMENTS]++;
		switch (frag_submit(&w->frag, m, &f->pi, f->now, &f->whole)) {
		case FRAG_PENDING:
			return; /* this fragment goes on as it came */
		case FRAG_ERROR:
			st->total[ST_FRAGMENT_ERRORS]++;
			return;
		case FRAG_COMPLETE:
			break;
		}
		st->total[ST_REASSEMBLED]++;
		if (f->whole->pkt_len > sizeof(w->scratch)) {
			st->total[ST_FRAGMENT_ERRORS]++;
			return;
		}
		frame = rte_pktmbuf_read(f->whole, 0, f->whole->pkt_len,
					 w->scratch);
		f->in_scratch = frame == w->scratch;
		if (decode_frame(frame, f->whole->pkt_len, &whole_pi) !=
			    DECODE_OK ||
		    whole_pi.is_fragment) {
			st->total[ST_DECODE_ERRORS]++;
			classify_malformed(p, st, f->from, &whole_pi, &f->fate);
			return;
		}
		f->pi = whole_pi;
		/* the verdict on the datagram falls on its last fragment */
		if (f->pi.l4 == PKT_L4_UDP || f->pi.l4 == PKT_L4_TCP)
			classify_l4(w, p, frame, f->whole->pkt_len, f);
		else
			st->total[ST_NON_SIP]++;
		return;
	}
	if (f->pi.l4 == PKT_L4_UDP || f->pi.l4 == PKT_L4_TCP)
		classify_l4(w, p, frame, m->pkt_len, f);
	else
		st->total[ST_NON_SIP]++;
}

/*
 * First pass: the L2-L4 headers of a frame read in place (one segment),
 * and the prefix entry that names its tenant fetched; the rest waits for
 * prepare_frame.
 */
static void peek_frame(struct worker *w, const struct policy *p,
		       struct pending_frame *f)
{
	struct rte_mbuf *m = f->m;

	f->peeked = m->pkt_len <= sizeof(w->scratch) &&
		    rte_pktmbuf_data_len(m) >= m->pkt_len;
	if (!f->peeked)
		return;
	f->peek = decode_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->pkt_len,
			       &f->pi);
	if (f->peek == DECODE_OK && !f->pi.is_fragment)
		policy_prefetch_tenant(p, f->from, w->replay, &f->pi, false);
}

/* Then the prefix tables' second level, where the first points to one. */
static void peek_deeper(struct worker *w, const struct policy *p, uint16_t n)
{
	for (uint16_t k = 0; k < n; k++) {
		const struct pending_frame *f = &w->pending[k];

		if (f->peeked && f->peek == DECODE_OK && !f->pi.is_fragment)
			policy_prefetch_tenant(p, f->from, w->replay, &f->pi,
					       true);
	}
}

/* What the decisions will read, fetched for all at once. */
static void prefetch_decisions(struct worker *w, const struct policy *p,
			       uint16_t lo, uint16_t hi)
{
	for (uint16_t k = lo; k < hi; k++) {
		const struct pending_frame *f = &w->pending[k];
		const struct stats_sip_counts *c;

		if (!f->decide)
			continue;
		admission_prefetch(w->admission, p, &f->prep);
		if (f->d.tenant == TENANT_NONE)
			continue;
		c = &w->stats->tenants[f->d.tenant];
		rte_prefetch0(f->msg.is_request
				      ? (const void *)&c->methods[f->msg.method]
				      : (const void *)&c->responses[0]);
		rte_prefetch0(&c->verdicts[VERDICT_FORWARDED]);
	}
}

/* Last pass, in arrival order: decide, count, forward or answer. */
static void finish_frames(struct worker *w, const struct policy *p, uint16_t lo,
			  uint16_t hi)
{
	prefetch_decisions(w, p, lo, hi);
	for (uint16_t k = lo; k < hi; k++) {
		struct pending_frame *f = &w->pending[k];

		if (w->replay) {
			/* replay: the capture's clock drives expiry, frame
			 * by frame, so results do not depend on bursts */
			admission_housekeeping(w->admission, f->now);
		}
		if (f->decide)
			decide_sip(w, p, f);
		act(w, p, f->from, f->m, &f->fate, f->now);
		if (f->whole != NULL)
			rte_pktmbuf_free(f->whole);
	}
}

/*
 * In passes over up to WORKER_BATCH frames, as l3fwd does: the headers of
 * every frame are decoded and the prefix entries naming their tenants
 * fetched; then every frame is scanned and its table key made, with its
 * hash bucket and its tenant's counters fetched; then the nodes those
 * buckets point to and the tenants' limits are fetched; then each frame
 * is decided and acted on, in order. The misses of one frame (about ten
 * for a new call of a tenant not in cache) then overlap with the work and
 * the misses of the others instead of following one another. A frame
 * that had to be linearised into w->scratch (a chain, a reassembled
 * datagram) is decided at once, with those before it: the next one would
 * overwrite what its message points to.
 */
void worker_process_burst(struct worker *w, enum side from,
			  struct rte_mbuf **pkts, uint16_t n, uint64_t now_ns)
{
	const struct policy *p = policy_current();

	for (uint16_t start = 0; start < n; start += WORKER_BATCH) {
		uint16_t batch = RTE_MIN(n - start, WORKER_BATCH);
		uint16_t decided = 0;

		for (uint16_t k = 0; k < batch; k++) {
			struct pending_frame *f = &w->pending[k];

			f->m = pkts[start + k];
			f->from = from;
			f->now = w->replay ? port_timestamp(f->m) : now_ns;
			peek_frame(w, p, f);
		}
		peek_deeper(w, p, batch);
		for (uint16_t k = 0; k < batch; k++) {
			struct pending_frame *f = &w->pending[k];

			if (k + 1 < batch)
				rte_prefetch0(
					rte_pktmbuf_mtod(w->pending[k + 1].m,
							 char *) +
					RTE_CACHE_LINE_SIZE);
			prepare_frame(w, p, f);
			if (f->in_scratch) {
				finish_frames(w, p, decided, k + 1);
				decided = k + 1;
			}
		}
		finish_frames(w, p, decided, batch);
	}
	if (n != 0)
		frag_housekeeping(&w->frag,
				  w->replay ? port_timestamp(pkts[n - 1])
					    : now_ns);
}

void worker_flush(struct worker *w)
{
	for (int s = 0; s < SIDE_COUNT; s++) {
		port_out_flush(w->forward_to[s], w->stats);
		port_out_flush(w->reply_to[s], w->stats);
	}
}

static uint64_t tsc_to_ns(uint64_t tsc, uint64_t hz)
{
	return (uint64_t)((__uint128_t)tsc * 1000000000ULL / hz);
}

unsigned int worker_dispatch_index(const struct rte_mbuf *m,
				   unsigned int workers)
{
	struct pkt_info pi;
	uint32_t h;

	/* direct mbufs from a port: the frame is one segment */
	decode_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &pi);
	if (pi.l3 == PKT_L3_IPV4) {
		h = pi.src.v4 ^ pi.dst.v4;
	} else if (pi.l3 == PKT_L3_IPV6) {
		h = 0;
		for (int i = 0; i < 16; i += 4)
			h ^= (uint32_t)(pi.src.v6[i] ^ pi.dst.v6[i]) << 24 |
			     (uint32_t)(pi.src.v6[i + 1] ^ pi.dst.v6[i + 1])
				     << 16 |
			     (uint32_t)(pi.src.v6[i + 2] ^ pi.dst.v6[i + 2])
				     << 8 |
			     (uint32_t)(pi.src.v6[i + 3] ^ pi.dst.v6[i + 3]);
	} else {
		return 0;
	}
	/* XOR keeps it symmetric; the multiply spreads the bits */
	return (uint32_t)(((uint64_t)(h * 0x9e3779b1u) * workers) >> 32);
}

/* Process frames of both sides, in arrival order per side. */
static void process_mixed(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
			  uint64_t now)
{
	struct rte_mbuf *side_pkts[SIDE_COUNT][PORT_BURST];
	uint16_t count[SIDE_COUNT] = {0, 0};

	for (uint16_t i = 0; i < n; i++) {
		enum side s = pkts[i]->port == w->rx_port[SIDE_OUTSIDE]
				      ? SIDE_OUTSIDE
				      : SIDE_INSIDE;

		side_pkts[s][count[s]++] = pkts[i];
	}
	for (int s = 0; s < SIDE_COUNT; s++)
		worker_process_burst(w, (enum side)s, side_pkts[s], count[s],
				     now);
}

/* Worker 0 in dispatch mode: keep its share, hand the rest over. */
static void dispatch(struct worker *w, enum side s, struct rte_mbuf **pkts,
		     uint16_t n, uint64_t now)
{
	struct rte_mbuf *mine[PORT_BURST];
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		unsigned int k =
			worker_dispatch_index(pkts[i], w->worker_count);

		if (k == 0) {
			mine[kept++] = pkts[i];
		} else if (rte_ring_sp_enqueue(w->inboxes[k], pkts[i]) != 0) {
			/* that worker is behind: a drop, as a full RX
			 * queue would be */
			w->stats->total[ST_TX_ERRORS]++;
			rte_pktmbuf_free(pkts[i]);
		}
	}
	worker_process_burst(w, s, mine, kept, now);
}

/* Worker 0 in dispatch mode: send what the others produced. */
static void drain_tx_rings(struct worker *w)
{
	struct rte_mbuf *pkts[PORT_BURST];

	for (unsigned int k = 1; k < w->worker_count; k++) {
		for (int s = 0; s < SIDE_COUNT; s++) {
			struct rte_ring *r = w->tx_rings[k * SIDE_COUNT + s];
			unsigned int n = rte_ring_sc_dequeue_burst(
				r, (void **)pkts, PORT_BURST, NULL);
			uint16_t sent;

			if (n == 0)
				continue;
			sent = rte_eth_tx_burst(w->rx_port[s], 0, pkts,
						(uint16_t)n);
			if (sent < n) {
				w->stats->total[ST_TX_ERRORS] += n - sent;
				rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
			}
		}
	}
}

/* One iteration of the loop; returns the frames it handled. */
static unsigned int poll_once(struct worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[PORT_BURST];
	unsigned int total = 0;

	if (w->inbox != NULL) {
		unsigned int n = rte_ring_sc_dequeue_burst(
			w->inbox, (void **)pkts, PORT_BURST, NULL);

		process_mixed(w, pkts, (uint16_t)n, now);
		return n;
	}
	for (int s = 0; s < SIDE_COUNT; s++) {
		uint16_t n = rte_eth_rx_burst(w->rx_port[s], w->rx_queue, pkts,
					      PORT_BURST);

		total += n;
		if (w->worker_count > 1)
			dispatch(w, (enum side)s, pkts, n, now);
		else
			worker_process_burst(w, (enum side)s, pkts, n, now);
	}
	return total;
}

int worker_loop(void *arg)
{
	struct worker_loop_args *a = arg;
	struct worker *w = a->w;
	uint64_t hz = rte_get_tsc_hz();
	unsigned int idle = 0;

	state_table_thread_init();
	while (!*a->stop) {
		uint64_t now = tsc_to_ns(rte_rdtsc(), hz);
		unsigned int total = poll_once(w, now);

		worker_flush(w);
		if (w->inboxes != NULL)
			drain_tx_rings(w);
		rcu_quiescent_state();
		if (total == 0 && ++idle > 1024) {
			/* idle: let a policy update's grace period pass
			 * without waiting for us */
			rcu_thread_offline();
			rte_delay_us_sleep(50);
			rcu_thread_online();
			idle = 0;
		} else if (total != 0) {
			idle = 0;
		}
	}
	worker_flush(w);
	if (w->inboxes != NULL)
		drain_tx_rings(w);
	state_table_thread_fini();
	return 0;
}
