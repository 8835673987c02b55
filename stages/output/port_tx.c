/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: bursts to one TX queue of a DPDK port, optionally paced.
 *
 * Never waits inside a burst. A TX queue that is full takes what it can;
 * the rest stays with the segment (see the stage contract) and is offered
 * again on the segment's next poll, while the lcore serves its other
 * segments. After `retries` polls in a row that sent nothing, the burst is
 * dropped as tx_full: a port that never drains must not hold the path
 * forever. `retries: forever` never drops (a replay's back-pressure) but
 * once the pipeline stops, so that a stuck port cannot hold the drain.
 *
 * A paced output (pps, mbps or timing) takes only the packets that are
 * due, at most `burst` per TX call, on the one absolute TSC schedule of
 * pacer.h, walked forward by additions (no division per packet); the
 * schedule starts with the first packet. A late departure is caught up
 * without drift. Each packet's departure error (the TSC just before the
 * TX call minus its due time) goes into a histogram; the replay command
 * and the exit report read it.
 *
 * Frames longer than the port takes whole (env->max_frame) are dropped as
 * oversize before the PMD sees them: a PMD handed such a frame may cut it,
 * or worse (net_pcap's TX reads a chained mbuf into a fixed buffer).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>

#include "pacer.h"
#include "port_tx.h"
#include "stage.h"

#define PORT_TX_DROPS(X)                                                       \
	X(PORT_TX_DROP_FULL, "tx_full")	/* TX queue full after retries */      \
	X(PORT_TX_DROP_OVERSIZE, "oversize") /* longer than the port takes */  \
	X(PORT_TX_DROP_STOPPED, "stopped") /* paced, not yet due at stop */
enum { PORT_TX_DROPS(STAGE_DROP_ENUM) PORT_TX_DROP_MAX };
static const char *const port_tx_drop_names[] = { PORT_TX_DROPS(STAGE_DROP_NAME) };
static const char *const port_tx_counter_names[] = { PORT_TX_COUNTERS(STAGE_DROP_NAME) };

#define PORT_TX_CAL_S 0.25

static const char *const port_tx_keys[] = {
	"retries", "pps", "mbps", "timing", "overhead", "tx_burst", "duration",
	"measure", "shared", NULL,
};

/* The start of the schedule the outputs with `shared: true` share: set
 * by the first of them to send (a compare-and-swap, no lock), read by the
 * others; one pipeline per process. */
static uint64_t port_tx_shared_t0;

struct port_tx_priv {
	uint32_t retries;
	uint32_t stuck;			/**< polls in a row that sent nothing */
	bool forever;			/**< retries: forever, until a stop */
	uint32_t max_frame;		/**< 0: no limit */
	uint16_t burst;			/**< most packets per TX call */
	bool started;			/**< the schedule has its t0 */
	uint64_t end;			/**< TSC: what is due later is dropped */
	int gap_field;			/**< timing: the capture-gap dynfield */
	int span_field;			/**< shared pps, mbps: the span dynfield */
	uint64_t scheduled;		/**< packets the schedule has passed */
	const volatile int *stop;
	struct pacer_sched sched;	/**< cursor: due of the next packet */
	struct port_tx_pace pace;
};

/*
 * A rate: an integer within [ilo, ihi] (reported as the other keys are),
 * or a decimal number within [lo, hi] for rates a whole number cannot say
 * (the replay's --pps 0.5). ihi 0: a number within [lo, hi] only.
 */
static int
port_tx_rate(struct stage_args *a, const char *key, uint64_t ilo, uint64_t ihi,
	     double lo, double hi, double *v)
{
	char buf[64], *end;
	uint64_t u;
	int ret;

	ret = a->ops->str(a, key, buf, sizeof(buf), "a number");
	if (ret <= 0)
		return ret;
	if (ihi != 0 && strpbrk(buf, ".eE") == NULL) {
		ret = a->ops->u64(a, key, ilo, ihi, &u);
		if (ret > 0)
			*v = (double)u;
		return ret;
	}
	*v = strtod(buf, &end);
	if (*end != '\0' || !(*v >= lo && *v <= hi))
		return a->ops->error(a, key, "%s is %s, expected a number %g..%g",
				     key, buf, lo, hi);
	return 1;
}

static int
port_tx_parse(struct stage_args *a, void *kconf)
{
	struct port_tx_conf *c = kconf;
	char word[32];
	int ret;

	c->retries = 8;
	c->burst = STAGE_BURST;
	/* "forever": back-pressure that never drops (but at a stop). */
	ret = a->ops->str(a, "retries", word, sizeof(word), "a number or forever");
	if (ret > 0 && strcmp(word, "forever") == 0) {
		c->retries = PORT_TX_RETRIES_FOREVER;
	} else if (ret > 0) {
		const char *d = word + (word[0] == '-');
		bool num = *d != '\0' && d[strspn(d, "0123456789")] == '\0';

		/* Every refusal names both forms: a number out of range
		 * as the number, anything else quoted. */
		if (!num)
			return a->ops->error(a, "retries", "retries is '%s', expected an integer 0..1000 or forever",
					     word);
		if (word[0] == '-' || strlen(d) > 4 || strtoul(d, NULL, 10) > 1000)
			return a->ops->error(a, "retries", "retries is %s, expected an integer 0..1000 or forever",
					     word);
		if (a->ops->u64(a, "retries", 0, 1000, &c->retries) < 0)
			return -1;
	} else if (ret < 0) {
		return -1;
	}
	if (a->ops->u64(a, "tx_burst", 1, STAGE_BURST, &c->burst) < 0 ||
	    a->ops->boolean(a, "measure", &c->measure) < 0 ||
	    port_tx_rate(a, "pps", 1, 1000000000, 0.001, 1e12, &c->pps) < 0)
		return -1;
	switch (port_tx_rate(a, "mbps", 1, 1000000, 1e-6, 1e9, &c->mbps)) {
	case -1:
		return -1;
	case 1:
		if (c->pps != 0)
			return a->ops->error(a, "mbps", "mbps is given with pps, expected one of them");
	}
	ret = port_tx_rate(a, "timing", 0, 0, 0.001, 1000, &c->speed);
	if (ret < 0)
		return -1;
	if (ret > 0 && (c->pps != 0 || c->mbps != 0))
		return a->ops->error(a, "timing", "timing is given with %s, expected one of pps, mbps, timing",
				     c->pps != 0 ? "pps" : "mbps");
	ret = port_tx_rate(a, "duration", 0, 0, 1e-6, 1e9, &c->duration);
	if (ret < 0)
		return -1;
	if (ret > 0 && c->pps == 0 && c->mbps == 0 && c->speed == 0)
		return a->ops->error(a, "duration", "duration is given without pacing, expected it with pps, mbps or timing");
	ret = a->ops->boolean(a, "shared", &c->shared);
	if (ret < 0)
		return -1;
	if (ret > 0 && c->shared && c->pps == 0 && c->mbps == 0 && c->speed == 0)
		return a->ops->error(a, "shared", "shared is given without pacing, "
				     "expected it with pps, mbps or timing");
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
port_tx_drop_oversize(struct stage *s, struct rte_mbuf **pkts, uint16_t n,
		      uint64_t *bytes)
{
	const struct port_tx_priv *p = s->priv;
	uint16_t i, kept = 0;

	*bytes = 0;
	for (i = 0; i < n; i++) {
		if (rte_pktmbuf_pkt_len(pkts[i]) <= p->max_frame) {
			*bytes += rte_pktmbuf_pkt_len(pkts[i]);
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
 * front of pkts; *bytes gets their length (read now: once the port has
 * them, they may be freed).
 */
static __rte_always_inline uint16_t
port_tx_fit(struct stage *s, struct rte_mbuf **pkts, uint16_t n, uint64_t *bytes)
{
	const struct port_tx_priv *p = s->priv;
	uint64_t sum = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);

		if (unlikely(len > p->max_frame))
			return port_tx_drop_oversize(s, pkts, n, bytes);
		sum += len;
	}
	*bytes = sum;
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
	s->ctr.kind[PORT_TX_CALLS]++;
	if (likely(sent == n)) {
		p->stuck = 0;
		return n;
	}
	s->ctr.kind[PORT_TX_SHORT]++;
	if (sent != 0) {
		p->stuck = 0;
		return sent;
	}
	if (++p->stuck <= p->retries && !(p->forever && *p->stop))
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

/* The first and last TX call that sent something. */
static __rte_always_inline void
port_tx_mark(struct port_tx_priv *p, uint64_t now, uint64_t first_due,
	     uint64_t last_due)
{
	if (unlikely(p->pace.first_tsc == 0)) {
		p->pace.first_tsc = now;
		p->pace.first_due = first_due;
	}
	p->pace.last_tsc = now;
	p->pace.last_due = last_due;
}

/* Unpaced; MEASURE (a constant in each variant) also notes the TSC of the
 * first and last TX call, for a rate: one TSC read per call, which plain
 * forwarding does not pay. */
static __rte_always_inline uint16_t
port_tx_unpaced(struct stage *s, struct rte_mbuf **pkts, uint16_t n,
		const bool measure)
{
	struct port_tx_priv *p = s->priv;
	uint64_t bytes, now;
	uint16_t fit = port_tx_fit(s, pkts, n, &bytes), lim, sent, i;

	if (unlikely(fit == 0))
		return port_tx_done(s, pkts, n, 0, 0);
	lim = RTE_MIN(fit, p->burst);
	sent = rte_eth_tx_burst(s->port_id, s->queue, pkts, lim);
	if (likely(sent != 0)) {
		if (measure) {
			now = rte_rdtsc();
			port_tx_mark(p, now, now, now);
		}
		/* What the port did not take is still ours to read. */
		for (i = sent; i < fit; i++)
			bytes -= rte_pktmbuf_pkt_len(pkts[i]);
		s->ctr.kind[PORT_TX_BYTES] += bytes;
	}
	return port_tx_done(s, pkts, n, fit, port_tx_took(s, pkts, sent, lim));
}

static uint16_t
port_tx_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_unpaced(s, pkts, n, false);
}

/*
 * Unpaced, where no frame that can reach the output is longer than its
 * port takes (stage_env.max_frame_in): nothing to look at in the frames,
 * so not a byte of them is read (reading each one's length costs about a
 * fifth of a fused net_null forwarder's rate, bench/fwd). `bytes` is not
 * counted here; the port's own obytes are.
 */
static uint16_t
port_tx_unchecked_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct port_tx_priv *p = s->priv;
	uint16_t lim = RTE_MIN(n, p->burst), sent;

	sent = rte_eth_tx_burst(s->port_id, s->queue, pkts, lim);
	return port_tx_done(s, pkts, n, n, port_tx_took(s, pkts, sent, lim));
}

static uint16_t
port_tx_measured_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_unpaced(s, pkts, n, true);
}

/*
 * Paced: send the packets that are due, at most p->burst in one TX call,
 * and keep the rest for a later poll. The schedule's cursor is committed
 * only past the packets the port took, so what is offered again is
 * scheduled again at the same time. Once the pipeline stops, what is not
 * yet due is dropped as `stopped`: sending it at once would break the rate
 * the user asked for, and waiting for it would hold the drain (10 pps x a
 * full ring is minutes).
 *
 * With `duration`, nothing due at or after t0 + duration is taken, nor,
 * once that time has come, anything still late: the path holds it (and
 * its input rests) until the stop drops it.
 *
 * MODE is a constant in each variant: pps adds 1 unit after each packet,
 * mbps its bits, timing adds the capture gap before each packet but the
 * first. SHARED (a constant too) adds instead, before every packet, the
 * first included, what lies between it and the one before it in the
 * capture's share (stage.h): the packets (pps), their bits (mbps), the
 * capture gap (timing); and its schedule starts when the first shared
 * output's does.
 */
static __rte_always_inline uint16_t
port_tx_paced(struct stage *s, struct rte_mbuf **pkts, uint16_t n,
	      const enum pacer_mode mode, const bool shared)
{
	struct port_tx_priv *p = s->priv;
	struct pacer_sched cur;
	/* the cursor after each packet: what to commit past the taken ones */
	uint64_t after_u[STAGE_BURST], after_due[STAGE_BURST], after_rem[STAGE_BURST];
	uint64_t due[STAGE_BURST], bytes, now;
	uint32_t len[STAGE_BURST];
	uint16_t fit = port_tx_fit(s, pkts, n, &bytes), lim, k, sent, taken, i;

	if (unlikely(fit == 0))
		return port_tx_done(s, pkts, n, 0, 0);
	now = rte_rdtsc();
	if (unlikely(!p->started)) {
		uint64_t t0 = now, none = 0;

		if (shared && !__atomic_compare_exchange_n(&port_tx_shared_t0, &none, now,
							  false, __ATOMIC_ACQ_REL,
							  __ATOMIC_ACQUIRE))
			t0 = none;
		pacer_sched_start(&p->sched, t0);
		p->started = true;
		if (p->end != UINT64_MAX)
			p->end += t0;
	}
	cur = p->sched;
	/* Once the duration is over, even what is due and late stays: sent
	 * now, it would make the achieved rate hostage to the last hiccup. */
	lim = likely(now < p->end) ? RTE_MIN(fit, p->burst) : 0;
	for (k = 0; k < lim; k++) {
		if (shared && mode == PACER_TIMING) {
			pacer_sched_add(&cur, stage_gap_ns(pkts[k], p->gap_field));
		} else if (shared) {
			struct stage_span sp = stage_span(pkts[k], p->span_field);

			pacer_sched_add(&cur, mode == PACER_PPS ? sp.pkts :
					((uint64_t)sp.bytes + (uint64_t)sp.pkts *
					 p->pace.overhead) * 8);
		} else if (mode == PACER_TIMING && likely(p->scheduled + k != 0)) {
			pacer_sched_add(&cur, stage_gap_ns(pkts[k], p->gap_field));
		}
		if (cur.due > now || unlikely(cur.due >= p->end))
			break;
		due[k] = cur.due;
		len[k] = rte_pktmbuf_pkt_len(pkts[k]);
		if (!shared && mode == PACER_PPS)
			pacer_sched_add(&cur, 1);
		else if (!shared && mode == PACER_MBPS)
			pacer_sched_add(&cur, (uint64_t)(len[k] + p->pace.overhead) * 8);
		after_u[k] = cur.u;
		after_due[k] = cur.due;
		after_rem[k] = cur.rem;
	}
	/* Past `duration` nothing more is taken: the segment holds its
	 * stash and polls its input no more, until the stop drops it. */
	if (k == 0) {
		if (unlikely(*p->stop)) {
			stage_drop(s, PORT_TX_DROP_STOPPED, pkts, fit);
			return port_tx_done(s, pkts, n, fit, fit);
		}
		return port_tx_done(s, pkts, n, fit, 0);
	}
	sent = rte_eth_tx_burst(s->port_id, s->queue, pkts, k);
	if (likely(sent != 0)) {
		bytes = 0;
		for (i = 0; i < sent; i++) {
			pacer_hist_add(&p->pace.dep, now - due[i]);
			bytes += len[i];
		}
		s->ctr.kind[PORT_TX_BYTES] += bytes;
		port_tx_mark(p, now, due[0], due[sent - 1]);
		p->pace.last_bits = (uint64_t)(len[sent - 1] + p->pace.overhead) * 8;
	}
	taken = port_tx_took(s, pkts, sent, k);
	/* A burst dropped as tx_full leaves its time slots behind it. */
	if (taken != 0) {
		p->sched.u = after_u[taken - 1];
		p->sched.due = after_due[taken - 1];
		p->sched.rem = after_rem[taken - 1];
		p->scheduled += taken;
	}
	return port_tx_done(s, pkts, n, fit, taken);
}

static uint16_t
port_tx_pps_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_paced(s, pkts, n, PACER_PPS, false);
}

static uint16_t
port_tx_mbps_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_paced(s, pkts, n, PACER_MBPS, false);
}

static uint16_t
port_tx_timing_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_paced(s, pkts, n, PACER_TIMING, false);
}

static uint16_t
port_tx_shared_pps_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_paced(s, pkts, n, PACER_PPS, true);
}

static uint16_t
port_tx_shared_mbps_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_paced(s, pkts, n, PACER_MBPS, true);
}

static uint16_t
port_tx_shared_timing_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	return port_tx_paced(s, pkts, n, PACER_TIMING, true);
}

static int
port_tx_init(struct stage *s, const struct stage_env *env)
{
	const struct port_tx_conf *c = s->kconf;
	struct port_tx_priv *p = s->priv;
	int ret;

	p->forever = c->retries == PORT_TX_RETRIES_FOREVER;
	p->retries = p->forever ? UINT32_MAX : (uint32_t)c->retries;
	p->burst = (uint16_t)(c->burst != 0 ? c->burst : STAGE_BURST);
	p->max_frame = env->max_frame != 0 ? env->max_frame : UINT32_MAX;
	p->stop = env->stop;
	p->gap_field = -1;
	p->pace.hz = env->tsc_hz;
	p->pace.mode = c->pps != 0 ? PACER_PPS : c->mbps != 0 ? PACER_MBPS :
		       c->speed != 0 ? PACER_TIMING : PACER_TOPSPEED;
	if (p->pace.mode == PACER_TOPSPEED) {
		if (c->measure)
			s->burst = port_tx_measured_burst;
		else if (env->max_frame_in != 0 && env->max_frame_in <= p->max_frame)
			s->burst = port_tx_unchecked_burst;
		return 0;
	}
	p->pace.rate = c->pps != 0 ? c->pps : c->mbps != 0 ? c->mbps : c->speed;
	p->pace.overhead = (uint32_t)c->overhead;
	p->pace.shared = c->shared;
	p->end = UINT64_MAX;
	if (c->shared) {
		/* Written by a capture input, set up first (see timing). */
		p->span_field = rte_mbuf_dynfield_lookup(STAGE_SPAN_DYNFIELD, NULL);
		if (p->span_field < 0) {
			fprintf(stderr, "stage '%s': shared needs packets with their place in "
				"the capture, expected a capture input (kind: capture) before it\n",
				s->name);
			return -EINVAL;
		}
		/* Every init runs before any burst: no output has started. */
		__atomic_store_n(&port_tx_shared_t0, 0, __ATOMIC_RELAXED);
	}
	if (p->pace.mode == PACER_TIMING) {
		/* Registered by a capture input, which is set up first: a
		 * pipeline without one has no capture times to follow. */
		p->gap_field = rte_mbuf_dynfield_lookup(STAGE_GAP_DYNFIELD, NULL);
		if (p->gap_field < 0) {
			fprintf(stderr, "stage '%s': timing needs packets with capture times, "
				"expected a capture input (kind: capture) before it\n", s->name);
			return -EINVAL;
		}
	}
	/* Pacing needs the TSC's true rate, not EAL's rounded one: a quarter
	 * second gives a few ppm. */
	p->pace.hz = pacer_calibrate_hz(PORT_TX_CAL_S);
	ret = pacer_sched_init(&p->sched, p->pace.mode, p->pace.rate, p->pace.hz);
	if (ret != 0)
		return ret;
	/* Relative to the first packet's time; made absolute then. */
	if (c->duration != 0)
		p->end = (uint64_t)(c->duration * p->pace.hz);
	if (c->shared)
		s->burst = p->pace.mode == PACER_PPS ? port_tx_shared_pps_burst :
			   p->pace.mode == PACER_MBPS ? port_tx_shared_mbps_burst :
			   port_tx_shared_timing_burst;
	else
		s->burst = p->pace.mode == PACER_PPS ? port_tx_pps_burst :
			   p->pace.mode == PACER_MBPS ? port_tx_mbps_burst :
			   port_tx_timing_burst;
	return 0;
}

const struct port_tx_pace *
port_tx_pace(const struct stage *s)
{
	const struct port_tx_priv *p = s->priv;

	return &p->pace;
}

double
port_tx_achieved(const struct stage *s, double *span_s)
{
	const struct port_tx_priv *p = s->priv;
	const struct port_tx_pace *pc = &p->pace;
	uint64_t sent = s->ctr.pkts_out;
	double span = sent > 1 ? (double)(pc->last_tsc - pc->first_tsc) / pc->hz : 0;

	*span_s = span;
	if (span <= 0)
		return NAN;
	switch (pc->mode) {
	case PACER_PPS:
		/* packets after the first, over first..last */
		return (double)(sent - 1) / span;
	case PACER_MBPS:
		/* the bits before the last packet, over first..last */
		return ((double)(s->ctr.kind[PORT_TX_BYTES] + sent * pc->overhead) * 8 -
			(double)pc->last_bits) / span / 1e6;
	case PACER_TIMING:
		/* scheduled span over the span it took */
		return pc->rate * ((double)(pc->last_due - pc->first_due) / pc->hz) / span;
	default:
		return NAN;
	}
}

/* A paced output's achieved rate and departure errors, first to last
 * departure, on the same calibrated TSC that scheduled them. */
static void
port_tx_report(const struct stage *s, FILE *f)
{
	const struct port_tx_priv *p = s->priv;
	const struct port_tx_pace *pc = &p->pace;
	static const char *const unit[] = {
		[PACER_PPS] = "pps", [PACER_MBPS] = "Mbps", [PACER_TIMING] = "x capture time",
	};
	double secs, got;

	if (pc->mode == PACER_TOPSPEED)
		return;
	got = port_tx_achieved(s, &secs);
	if (isnan(got))
		return;
	if (pc->shared)
		/* Its share's rate: the schedule's is over all the shares. */
		fprintf(f, "pace  %-12s a share of one schedule at %.*f %s: achieved %.3f %s "
			"over %.3f s\n", s->name, pc->rate == floor(pc->rate) ? 0 : 6,
			pc->rate, unit[pc->mode], got, unit[pc->mode], secs);
	else
		fprintf(f, "pace  %-12s asked %.*f %s, achieved %.3f %s (%+.4f %%) over %.3f s\n",
			s->name, pc->rate == floor(pc->rate) ? 0 : 6, pc->rate,
			unit[pc->mode], got, unit[pc->mode],
			(got - pc->rate) / pc->rate * 100, secs);
	fprintf(f, "pace  %-12s departure error (TX call - schedule, n=%lu): p50 %.3f us, "
		"p99 %.3f us, max %.3f us\n", s->name, pc->dep.n,
		pacer_hist_quantile(&pc->dep, 0.5) * 1e6 / pc->hz,
		pacer_hist_quantile(&pc->dep, 0.99) * 1e6 / pc->hz,
		pc->dep.max * 1e6 / pc->hz);
}

/*
 * Telemetry of a paced output, read while it runs: racy by a packet or
 * two, which a display does not mind. The library has no floating type:
 * rates in thousandths, errors in ns.
 */
static void
port_tx_telemetry(const struct stage *s, stage_emit_t emit, void *arg)
{
	static const char *const mode[] = {
		[PACER_PPS] = "pace_mode_pps", [PACER_MBPS] = "pace_mode_mbps",
		[PACER_TIMING] = "pace_mode_timing",
	};
	const struct port_tx_priv *p = s->priv;
	const struct port_tx_pace *pc = &p->pace;
	double span, got;

	if (pc->mode == PACER_TOPSPEED)
		return;
	got = port_tx_achieved(s, &span);
	/* Telemetry entries are numbers: the mode is the key that is 1. */
	emit(arg, mode[pc->mode], 1);
	emit(arg, "pace_asked_milli", (uint64_t)llround(pc->rate * 1000));
	emit(arg, "pace_achieved_milli", isnan(got) ? 0 : (uint64_t)llround(got * 1000));
	emit(arg, "dep_n", pc->dep.n);
	emit(arg, "dep_p50_ns", (uint64_t)(pacer_hist_quantile(&pc->dep, 0.5) * 1e9 / pc->hz));
	emit(arg, "dep_p99_ns", (uint64_t)(pacer_hist_quantile(&pc->dep, 0.99) * 1e9 / pc->hz));
	emit(arg, "dep_max_ns", (uint64_t)(pc->dep.max * 1e9 / pc->hz));
}

static struct stage_ops port_tx_ops = {
	.name = "output",
	.role = STAGE_ROLE_OUTPUT,
	.flags = STAGE_F_PORT,
	.summary = "send to a port's TX queue, optionally paced",
	.help = "port: NAME, queue: Q, retries: 0..1000 | forever (default 8),\n"
		"pps: N | mbps: N [overhead: 0..1000 bytes per frame] |\n"
		"timing: SPEED (a capture input's own times, 0.001..1000),\n"
		"tx_burst: 1..32 (most packets per TX call, default 32),\n"
		"duration: S (paced: nothing due S s after the first packet is\n"
		"taken; at the stop it is dropped as stopped),\n"
		"measure: true (unpaced: note first and last departure times),\n"
		"shared: true (paced: one schedule over every shared output, each\n"
		"packet at its place in the capture dealt with every:/from:)",
	.keys = port_tx_keys,
	.conf_size = sizeof(struct port_tx_conf),
	.parse = port_tx_parse,
	.priv_size = sizeof(struct port_tx_priv),
	.init = port_tx_init,
	.burst = port_tx_burst,
	.drop_names = port_tx_drop_names,
	.n_drops = PORT_TX_DROP_MAX,
	.counter_names = port_tx_counter_names,
	.n_counters = PORT_TX_COUNTER_MAX,
	.report = port_tx_report,
	.telemetry = port_tx_telemetry,
};

STAGE_REGISTER(port_tx_ops)
