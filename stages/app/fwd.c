/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd: pass packets through, optionally swapping or rewriting the
 * Ethernet addresses. Three burst functions so that the per-packet loop
 * holds no test of the configuration.
 */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_prefetch.h>

#include "fwd.h"
#include "stage.h"

struct fwd_priv {
	struct rte_ether_addr src_mac, dst_mac;
	uint8_t mac_set;
};

#define FWD_DROPS(X) X(FWD_DROP_RUNT, "runt") /* too short for the MAC rewrite */
enum { FWD_DROPS(STAGE_DROP_ENUM) FWD_DROP_MAX };
static const char *const fwd_drop_names[] = { FWD_DROPS(STAGE_DROP_NAME) };

static const char *const fwd_keys[] = { "mac_swap", "src_mac", "dst_mac", NULL };

static int
fwd_parse(struct stage_args *a, void *kconf)
{
	struct fwd_conf *c = kconf;
	int r;

	if (a->ops->boolean(a, "mac_swap", &c->mac_swap) < 0)
		return -1;
	r = a->ops->mac(a, "src_mac", c->src_mac);
	if (r < 0)
		return -1;
	c->mac_set |= r > 0 ? FWD_SET_SRC : 0;
	r = a->ops->mac(a, "dst_mac", c->dst_mac);
	if (r < 0)
		return -1;
	c->mac_set |= r > 0 ? FWD_SET_DST : 0;
	/* A rewrite after a swap (or the reverse) would silently undo it. */
	if (c->mac_swap && c->mac_set != 0)
		return a->ops->error(a, NULL,
				     "mac_swap is true together with %s, expected either mac_swap or src_mac/dst_mac",
				     c->mac_set & FWD_SET_SRC ? "src_mac" : "dst_mac");
	return 0;
}

static uint16_t
fwd_burst(struct stage *s, struct rte_mbuf **pkts __rte_unused, uint16_t n)
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
			s->ctr.drops[FWD_DROP_RUNT]++;
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

static uint16_t
fwd_swap_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
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

static uint16_t
fwd_rewrite_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	const struct fwd_priv *p = s->priv;
	const uint8_t which = p->mac_set;
	uint16_t i, out;

	s->ctr.pkts_in += n;
	out = fwd_runts_out(s, pkts, n);
	for (i = 0; i < out; i++) {
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		if (i + 4 < out)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
		if (which & FWD_SET_SRC)
			eth->src_addr = p->src_mac;
		if (which & FWD_SET_DST)
			eth->dst_addr = p->dst_mac;
	}
	s->ctr.pkts_out += out;
	return out;
}

static int
fwd_init(struct stage *s, const struct stage_env *env __rte_unused)
{
	const struct fwd_conf *c = s->kconf;
	struct fwd_priv *p = s->priv;

	/* The variant is picked once here, not tested per packet. */
	if (c->mac_swap)
		s->burst = fwd_swap_burst;
	else if (c->mac_set != 0)
		s->burst = fwd_rewrite_burst;
	memcpy(p->src_mac.addr_bytes, c->src_mac, RTE_ETHER_ADDR_LEN);
	memcpy(p->dst_mac.addr_bytes, c->dst_mac, RTE_ETHER_ADDR_LEN);
	/* Rewrite keeps a field whose new value was not given. */
	p->mac_set = c->mac_set;
	return 0;
}

static struct stage_ops fwd_ops = {
	.name = "fwd",
	.role = STAGE_ROLE_APP,
	.summary = "pass packets on, optionally rewriting Ethernet addresses",
	.help = "mac_swap: BOOL | src_mac: MAC | dst_mac: MAC",
	.keys = fwd_keys,
	.conf_size = sizeof(struct fwd_conf),
	.parse = fwd_parse,
	.priv_size = sizeof(struct fwd_priv),
	.init = fwd_init,
	.burst = fwd_burst,
	.drop_names = fwd_drop_names,
	.n_drops = FWD_DROP_MAX,
};

STAGE_REGISTER(fwd_ops)
