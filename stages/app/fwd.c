/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd: pass packets through, optionally swapping or rewriting the
 * Ethernet addresses. Three burst functions so that the per-packet loop
 * holds no test of the configuration.
 */
#include "stage.h"

uint16_t
stage_fwd_burst(struct stage *s, struct rte_mbuf **pkts __rte_unused, uint16_t n)
{
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return n;
}

/*
 * Keep the packets long enough to hold an Ethernet header, compacting
 * them to the front; free and count the rest. Rare, so out of line.
 */
static __rte_noinline uint16_t
fwd_drop_runts(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, kept = 0;

	for (i = 0; i < n; i++) {
		if (rte_pktmbuf_data_len(pkts[i]) >= sizeof(struct rte_ether_hdr)) {
			pkts[kept++] = pkts[i];
		} else {
			rte_pktmbuf_free(pkts[i]);
			s->ctr.drops[STAGE_DROP_RUNT]++;
		}
	}
	return kept;
}

static __rte_always_inline uint16_t
fwd_runts_out(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		if (unlikely(rte_pktmbuf_data_len(pkts[i]) <
			     sizeof(struct rte_ether_hdr)))
			return fwd_drop_runts(s, pkts, n);
	return n;
}

uint16_t
stage_fwd_swap_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, out;

	s->ctr.pkts_in += n;
	out = fwd_runts_out(s, pkts, n);
	for (i = 0; i < out; i++) {
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		struct rte_ether_addr tmp = eth->dst_addr;

		if (i + 4 < out)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		eth->dst_addr = eth->src_addr;
		eth->src_addr = tmp;
	}
	s->ctr.pkts_out += out;
	return out;
}

uint16_t
stage_fwd_rewrite_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	const uint8_t which = s->mac_set;
	uint16_t i, out;

	s->ctr.pkts_in += n;
	out = fwd_runts_out(s, pkts, n);
	for (i = 0; i < out; i++) {
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		if (i + 4 < out)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		if (which & FWD_SET_SRC)
			eth->src_addr = s->src_mac;
		if (which & FWD_SET_DST)
			eth->dst_addr = s->dst_mac;
	}
	s->ctr.pkts_out += out;
	return out;
}
