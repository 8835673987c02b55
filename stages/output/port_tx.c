/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: bursts to one TX queue of a DPDK port, optionally paced.
 *
 * Never waits inside a burst. A TX queue that is full takes what it can;
 * the rest stays with the segment (see the stage contract) and is offered
 * again on the segment's next poll, while the lcore serves its other
 * segments. After `retries` polls in a row that sent nothing, the burst is
 * dropped as tx_full: a port that never drains must not hold the path
 * forever. A paced output takes only the packets that are due, on an
 * absolute TSC schedule, so a late departure is caught up without drift.
 *
 * Frames longer than the port takes whole (env->max_frame) are dropped as
 * oversize before the PMD sees them: a PMD handed such a frame may cut it,
 * or worse (net_pcap's TX reads a chained mbuf into a fixed buffer).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "pacer.h"
#include "port_tx.h"
#include "stage.h"

#define PORT_TX_DROPS(X)                                                       \
	X(PORT_TX_DROP_FULL, "tx_full")	/* TX queue full after retries */      \
	X(PORT_TX_DROP_OVERSIZE, "oversize") /* longer than the port takes */  \
	X(PORT_TX_DROP_STOPPED, "stopped") /* paced, not yet due at stop */
enum { PORT_TX_DROPS(STAGE_DROP_ENUM) PORT_TX_DROP_MAX };
static const char *const port_tx_drop_names[] = { PORT_TX_DROPS(STAGE_DROP_NAME) };

#define PORT_TX_CAL_S 0.25

static const char *const port_tx_keys[] = { "retries", "pps", "mbps", "overhead", NULL };

struct port_tx_priv {
	uint32_t retries;
	uint32_t stuck;			/**< polls in a row that sent nothing */
	uint32_t max_frame;		/**< 0: no limit */
	const volatile int *stop;
	/* pacing: the due time of unit u is sched.t0 + u*num/den */
	bool bits;			/**< units are bits, else packets */
	uint32_t overhead;
	uint64_t units;			/**< units sent so far */
	uint64_t due;			/**< TSC the next packet is due */
	uint64_t last;			/**< TSC of the last departure */
	uint64_t last_units;		/**< units before the last departure */
	uint64_t hz;
	struct pacer_sched sched;
};

static int
port_tx_parse(struct stage_args *a, void *kconf)
{
	struct port_tx_conf *c = kconf;

	c->retries = 8;
	if (a->ops->u64(a, "retries", 0, 1000, &c->retries) < 0 ||
	    a->ops->u64(a, "pps", 1, 1000000000, &c->pps) < 0)
		return -1;
	switch (a->ops->u64(a, "mbps", 1, 1000000, &c->mbps)) {
	case -1:
		return -1;
	case 1:
		if (c->pps != 0)
			return a->ops->error(a, "mbps", "mbps is given with pps, expected one of them");
	}
	switch (a->ops->u64(a, "overhead", 0, 1000, &c->overhead)) {
	case -1:
		return -1;
	case 1:
		if (c->mbps == 0)
			return a->ops->error(a, "overhead",
					     "overhead is given without mbps, expected it only with mbps");
	}
	return 0;
}

/* The packets a port cannot take whole: out of line, they are rare. */
static __rte_noinline uint16_t
port_tx_drop_oversize(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	const struct port_tx_priv *p = s->priv;
	uint16_t i, kept = 0;

	for (i = 0; i < n; i++) {
		if (rte_pktmbuf_pkt_len(pkts[i]) <= p->max_frame) {
			pkts[kept++] = pkts[i];
		} else {
			rte_pktmbuf_free(pkts[i]);
			s->ctr.drops[PORT_TX_DROP_OVERSIZE]++;
		}
	}
	return kept;
}

/*
 * Oversize frames leave first, so that what is handed to the PMD (and
 * what may be stashed) is all sendable. Returns how many remain at the
 * front of pkts.
 */
static __rte_always_inline uint16_t
port_tx_fit(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	const struct port_tx_priv *p = s->priv;
	uint16_t i;

	for (i = 0; i < n; i++)
		if (unlikely(rte_pktmbuf_pkt_len(pkts[i]) > p->max_frame))
			return port_tx_drop_oversize(s, pkts, n);
	return n;
}

/*
 * Sent SENT of N offered: either progress, or one more poll stuck. Returns
 * how many the stage took.
 */
static __rte_always_inline uint16_t
port_tx_took(struct stage *s, struct rte_mbuf **pkts, uint16_t sent, uint16_t n)
{
	struct port_tx_priv *p = s->priv;

	s->ctr.pkts_out += sent;
	if (likely(sent == n)) {
		p->stuck = 0;
		return n;
	}
	if (sent != 0) {
		p->stuck = 0;
		return sent;
	}
	if (++p->stuck <= p->retries)
		return 0;
	p->stuck = 0;
	stage_drop(s, PORT_TX_DROP_FULL, pkts, n);
	return n;
}

/*
 * Untaken packets must end up at pkts[taken..n) (the contract). Without
 * oversize frames they already are; with them, the sendable ones were
 * compacted to the front, so the untaken tail moves to the end. Rare.
 */
static __rte_always_inline uint16_t
port_tx_done(struct stage *s, struct rte_mbuf **pkts, uint16_t n, uint16_t fit,
	     uint16_t taken)
{
	uint16_t left = fit - taken;

	if (unlikely(left != 0 && fit != n))
		memmove(pkts + n - left, pkts + taken, left * sizeof(*pkts));
	s->ctr.pkts_in += n - left;
	return n - left;
}

static uint16_t
port_tx_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t fit = port_tx_fit(s, pkts, n), sent;

	if (unlikely(fit == 0))
		return port_tx_done(s, pkts, n, 0, 0);
	sent = rte_eth_tx_burst(s->port_id, s->queue, pkts, fit);
	return port_tx_done(s, pkts, n, fit, port_tx_took(s, pkts, sent, fit));
}

/* Units a packet counts for on the schedule. */
static __rte_always_inline uint64_t
port_tx_units(const struct port_tx_priv *p, const struct rte_mbuf *m)
{
	return p->bits ? (uint64_t)(rte_pktmbuf_pkt_len(m) + p->overhead) * 8 : 1;
}

/*
 * Paced: send the packets that are due, in one TX call, and keep the rest
 * for a later poll. The schedule starts with the first packet. Once the
 * pipeline stops, what is not yet due is dropped as `stopped`: sending it
 * at once would break the rate the user asked for, and waiting for it
 * would hold the drain (10 pps x a full ring is minutes).
 */
static uint16_t
port_tx_paced_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct port_tx_priv *p = s->priv;
	uint16_t fit = port_tx_fit(s, pkts, n), k, sent, taken;
	uint64_t now = rte_rdtsc(), u = p->units, due = p->due;
	uint64_t due_of[STAGE_BURST + 1], units_of[STAGE_BURST + 1];

	if (unlikely(fit == 0))
		return port_tx_done(s, pkts, n, 0, 0);
	if (unlikely(p->sched.t0 == 0)) {
		p->sched.t0 = now;
		due = now;
	}
	for (k = 0; k < fit && due <= now; k++) {
		due_of[k] = due;
		units_of[k] = u;
		u += port_tx_units(p, pkts[k]);
		due = pacer_sched_due(&p->sched, u);
	}
	due_of[k] = due;
	units_of[k] = u;
	if (k == 0) {
		if (unlikely(*p->stop)) {
			stage_drop(s, PORT_TX_DROP_STOPPED, pkts, fit);
			return port_tx_done(s, pkts, n, fit, fit);
		}
		return port_tx_done(s, pkts, n, fit, 0);
	}
	sent = rte_eth_tx_burst(s->port_id, s->queue, pkts, k);
	taken = port_tx_took(s, pkts, sent, k);
	if (sent != 0) {
		p->last = now;
		p->last_units = units_of[sent - 1];
		p->units = units_of[sent];
		p->due = due_of[sent];
	}
	return port_tx_done(s, pkts, n, fit, taken);
}

static int
port_tx_init(struct stage *s, const struct stage_env *env)
{
	const struct port_tx_conf *c = s->kconf;
	struct port_tx_priv *p = s->priv;

	p->retries = (uint32_t)c->retries;
	p->max_frame = env->max_frame != 0 ? env->max_frame : UINT32_MAX;
	p->stop = env->stop;
	p->hz = env->tsc_hz;
	if (c->pps == 0 && c->mbps == 0)
		return 0;
	/* Pacing needs the TSC's true rate, not EAL's rounded one: a quarter
	 * second gives a few ppm. */
	p->hz = pacer_calibrate_hz(PORT_TX_CAL_S);
	s->burst = port_tx_paced_burst;
	p->bits = c->pps == 0;
	p->overhead = (uint32_t)c->overhead;
	return pacer_sched_init(&p->sched, c->pps ? PACER_PPS : PACER_MBPS,
				c->pps ? (double)c->pps : (double)c->mbps,
				p->hz);
}

/* A paced output's achieved rate, first to last departure, on the same
 * calibrated TSC that scheduled them. */
static void
port_tx_report(const struct stage *s, FILE *f)
{
	const struct port_tx_conf *c = s->kconf;
	const struct port_tx_priv *p = s->priv;
	double secs, asked, got;

	if (c->pps == 0 && c->mbps == 0)
		return;
	secs = (double)(p->last - p->sched.t0) / p->hz;
	asked = c->pps ? c->pps : c->mbps;
	if (s->ctr.pkts_out < 2 || secs <= 0)
		return;
	/* Units before the last departure over the time they took. */
	got = (double)p->last_units / secs / (p->bits ? 1e6 : 1);
	fprintf(f, "pace  %-12s asked %.0f %s, achieved %.3f %s (%+.4f %%) over %.3f s\n",
		s->name, asked, p->bits ? "Mbps" : "pps", got,
		p->bits ? "Mbps" : "pps", (got - asked) / asked * 100, secs);
}

static struct stage_ops port_tx_ops = {
	.name = "output",
	.role = STAGE_ROLE_OUTPUT,
	.flags = STAGE_F_PORT,
	.summary = "send to a port's TX queue, optionally paced",
	.help = "port: NAME, queue: Q, retries: 0..1000 (default 8),\n"
		"pps: 1..1e9 | mbps: 1..1e6 [overhead: 0..1000 bytes per frame]",
	.keys = port_tx_keys,
	.conf_size = sizeof(struct port_tx_conf),
	.parse = port_tx_parse,
	.priv_size = sizeof(struct port_tx_priv),
	.init = port_tx_init,
	.burst = port_tx_burst,
	.drop_names = port_tx_drop_names,
	.n_drops = PORT_TX_DROP_MAX,
	.report = port_tx_report,
};

STAGE_REGISTER(port_tx_ops)
