/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage contract.
 *
 * A stage is set up from its config by stage_init(), then runs forever in
 * its lcore's loop through one of three fixed signatures:
 *
 *   input:  stage_rx(s, pkts, max)  -> packets received into pkts (0..max)
 *   app:    s->burst(s, pkts, n)    -> packets passed on, compacted to the
 *                                      front of pkts; the rest it dropped
 *                                      (freed and counted by reason)
 *   output: stage_tx(s, pkts, n)    -> packets sent; the rest are freed
 *                                      and counted as tx_full
 *
 * n is at most STAGE_BURST. A burst function never logs, allocates, blocks
 * or calls into the kernel. Counters live in the stage, on cache lines of
 * their own, written only by the stage's lcore and read by anyone.
 */
#ifndef FFWD_STAGE_H
#define FFWD_STAGE_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "conf.h"
#include "pacer.h"

struct fw_stage;

#define STAGE_BURST 32

#define FWD_SET_SRC 1
#define FWD_SET_DST 2

/*
 * Drop reasons, declared once: the enum, the names printed at exit, in
 * telemetry and in tests all come from this list.
 */
#define STAGE_DROP_REASONS(X)                                                  \
	X(TX_FULL, "tx_full")	/* output: TX queue full after retries */      \
	X(OVERSIZE, "oversize")	/* output: longer than the port takes */      \
	X(RUNT, "runt")		/* fwd: too short for the MAC rewrite */ \
	X(FW_RULE, "fw_rule")	/* firewall: a drop rule matched */    \
	X(FW_DEFAULT, "fw_default") /* firewall: default policy drop */ \
	X(FW_MALFORMED, "fw_malformed") /* firewall: broken headers */

enum stage_drop {
#define X(e, s) STAGE_DROP_##e,
	STAGE_DROP_REASONS(X)
#undef X
	STAGE_DROP_MAX
};

extern const char *const stage_drop_names[STAGE_DROP_MAX];

/*
 * Per-stage counters, declared once: the struct fields, the exit report,
 * telemetry and Prometheus names all come from this list.
 */
#define STAGE_COUNTERS(X)                                                      \
	X(pkts_in, "packets handed to the stage")                              \
	X(pkts_out, "packets passed on or sent")                               \
	X(bursts, "non-empty bursts entering the stage's segment (first stage only)")

/** Per-stage counters: one writer (the stage's lcore), updated per burst. */
struct stage_counters {
#define X(name, help) uint64_t name;
	STAGE_COUNTERS(X)
#undef X
	uint64_t drops[STAGE_DROP_MAX];		/**< dropped, by reason */
	/** work stage: TSC cycles of intended work since the loop last
	 * looked, so that it is not taken for a hiccup. */
	uint64_t planned_cycles;
} __rte_cache_aligned;

struct stage;
typedef uint16_t (*stage_burst_t)(struct stage *s, struct rte_mbuf **pkts,
				  uint16_t n);

struct stage {
	/* Read-only in the loop. */
	const struct conf_stage *conf;
	enum conf_stage_kind kind;
	stage_burst_t burst;		/**< app stages */
	uint16_t port_id, queue;	/**< input/output */
	uint32_t tx_retries;		/**< output */
	uint32_t max_frame;		/**< output: longer frames are dropped
					 *   as oversize; set by the runtime
					 *   from the port, UINT32_MAX: any */
	uint64_t work_cycles;		/**< work: TSC cycles per packet */
	struct rte_ether_addr src_mac, dst_mac; /**< fwd rewrite values */
	uint8_t mac_set;		/**< fwd rewrite: FWD_SET_SRC|FWD_SET_DST */
	struct fw_stage *fw;		/**< firewall */
	/* output pacing: the due time of unit u is sched.t0 + u*num/den */
	bool paced;
	bool pace_bits;			/**< units are bits, else packets */
	uint32_t pace_overhead;		/**< bytes counted per frame (bits) */
	uint64_t pace_units;		/**< units sent so far */
	uint64_t pace_last;		/**< TSC of the last departure */
	uint64_t pace_last_units;	/**< units before the last departure */
	struct pacer_sched sched;

	/* Written by the stage's lcore only; own cache lines. */
	struct stage_counters ctr;
} __rte_cache_aligned;

/**
 * Prepare s from its config. Ports must already be configured for input
 * and output stages; tsc_hz is the measured TSC frequency (pacing needs
 * it exact, see pacer_calibrate_hz()). @return 0 or -errno.
 */
int stage_init(struct stage *s, const struct conf_stage *cs, uint16_t port_id,
	       uint64_t tsc_hz);

/** Sum of s's drops over all reasons. */
uint64_t stage_drops(const struct stage *s);

static __rte_always_inline uint16_t
stage_rx(struct stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	uint16_t n = rte_eth_rx_burst(s->port_id, s->queue, pkts, max);

	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return n;
}

/* The rare burst with an oversize frame: drop those, keep the order. */
static __rte_noinline uint16_t
stage_drop_oversize(struct stage *s, struct rte_mbuf **pkts, uint16_t n,
		    uint16_t first)
{
	uint16_t i, k = first;

	for (i = first; i < n; i++) {
		if (pkts[i]->pkt_len > s->max_frame) {
			rte_pktmbuf_free(pkts[i]);
			s->ctr.drops[STAGE_DROP_OVERSIZE]++;
		} else {
			pkts[k++] = pkts[i];
		}
	}
	return k;
}

/*
 * Frames longer than the port takes never reach the PMD: counted as
 * oversize. @return the packets left, compacted to the front of pkts.
 */
static __rte_always_inline uint16_t
stage_check_size(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		if (unlikely(pkts[i]->pkt_len > s->max_frame))
			return stage_drop_oversize(s, pkts, n, i);
	return n;
}

/* Output: oversize frames dropped, bounded retry, then drop what is left
 * as tx_full. */
static __rte_always_inline uint16_t
stage_tx(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t in = n, sent;
	uint32_t tries = 0;

	n = stage_check_size(s, pkts, n);
	sent = rte_eth_tx_burst(s->port_id, s->queue, pkts, n);

	while (unlikely(sent < n) && tries++ < s->tx_retries)
		sent += rte_eth_tx_burst(s->port_id, s->queue, pkts + sent,
					 n - sent);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		s->ctr.drops[STAGE_DROP_TX_FULL] += n - sent;
	}
	s->ctr.pkts_in += in;
	s->ctr.pkts_out += sent;
	return sent;
}

/**
 * Output with pacing (pps/mbps in the config): each packet leaves at its
 * own due time on an absolute TSC schedule, so a late departure (a hiccup)
 * is caught up without drifting. The output's lcore waits for the
 * schedule; upstream rings back-pressure meanwhile.
 */
uint16_t stage_tx_paced(struct stage *s, struct rte_mbuf **pkts, uint16_t n);

/* App stage kinds: their burst functions. */
uint16_t stage_fwd_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n);
uint16_t stage_fwd_swap_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n);
uint16_t stage_fwd_rewrite_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n);
uint16_t stage_work_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n);
uint16_t stage_fw_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n);

/** Release what stage_init() took (the firewall's rules); idempotent. */
void stage_fini(struct stage *s);

#endif /* FFWD_STAGE_H */
