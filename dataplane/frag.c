/* SPDX-License-Identifier: BSD-3-Clause */
#include "frag.h"

#include <errno.h>
#include <netinet/in.h>

#include <rte_ip.h>

int frag_init(struct frag_ctx *f, struct rte_mempool *pool,
	      uint32_t max_flows, int socket)
{
	uint32_t buckets = max_flows / 4 ? max_flows / 4 : 1;

	f->pool = pool;
	f->death_row.cnt = 0;
	/* the table's clock is whatever the caller passes: nanoseconds */
	f->table = rte_ip_frag_table_create(buckets, 4, buckets * 4,
					    FRAG_TIMEOUT_NS, socket);
	return f->table == NULL ? -ENOMEM : 0;
}

void frag_fini(struct frag_ctx *f)
{
	if (f->table != NULL) {
		rte_ip_frag_table_destroy(f->table);
		f->table = NULL;
	}
	rte_ip_frag_free_death_row(&f->death_row, 0);
}

enum frag_result frag_submit(struct frag_ctx *f, const struct rte_mbuf *m,
			     const struct pkt_info *pi, uint64_t now_ns,
			     struct rte_mbuf **whole)
{
	struct rte_mbuf *copy, *done;

	*whole = NULL;
	if (pi->l3 == PKT_L3_IPV6 &&
	    rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
				    pi->l3_off)->proto != IPPROTO_FRAGMENT)
		return FRAG_ERROR;
	copy = rte_pktmbuf_copy(m, f->pool, 0, UINT32_MAX);
	if (copy == NULL)
		return FRAG_ERROR;
	copy->l2_len = pi->l3_off;
	if (pi->l3 == PKT_L3_IPV4) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(
			copy, struct rte_ipv4_hdr *, pi->l3_off);

		copy->l3_len = rte_ipv4_hdr_len(ip);
		done = rte_ipv4_frag_reassemble_packet(
			f->table, &f->death_row, copy, now_ns, ip);
	} else {
		struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(
			copy, struct rte_ipv6_hdr *, pi->l3_off);
		struct rte_ipv6_fragment_ext *fh =
			rte_ipv6_frag_get_ipv6_fragment_header(ip);

		copy->l3_len = sizeof(*ip) + sizeof(*fh);
		done = rte_ipv6_frag_reassemble_packet(
			f->table, &f->death_row, copy, now_ns, ip, fh);
	}
	/* the library parks what it drops (overlaps, expired) on the death
	 * row, which holds only a few bursts' worth: empty it each time */
	rte_ip_frag_free_death_row(&f->death_row, 0);
	if (done == NULL)
		return FRAG_PENDING;
	*whole = done;
	return FRAG_COMPLETE;
}

void frag_housekeeping(struct frag_ctx *f, uint64_t now_ns)
{
	rte_ip_frag_table_del_expired_entries(f->table, &f->death_row, now_ns);
	rte_ip_frag_free_death_row(&f->death_row, 0);
}
