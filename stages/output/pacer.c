/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pacer's loop and the slow-path helpers of its schedule and
 * histogram. See pacer.h for the contract.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "ffwd_ring.h"
#include "pacer.h"
#include "mono.h"

/*
 * One (TSC, CLOCK_MONOTONIC) pair read as close together as this thread
 * manages: the tightest of a few brackets, so that a preemption between
 * the two reads does not skew it.
 */
void
pacer_clock_pair(uint64_t *tsc, double *wall)
{
	double best = 1e9;
	int i;

	for (i = 0; i < 16; i++) {
		double a = mono_now();
		uint64_t t = rte_rdtsc_precise();
		double b = mono_now();

		if (b - a < best) {
			best = b - a;
			*tsc = t;
			*wall = (a + b) / 2;
		}
	}
}

/*
 * The TSC frequency, measured against CLOCK_MONOTONIC over CAL_S seconds.
 * EAL's rte_get_tsc_hz() is rounded to 10 MHz (2100 MHz for a TSC of
 * 2096 MHz here: 0.19 %), four times the rate error this tool promises;
 * a 0.25 s calibration is good to a few ppm.
 */
uint64_t
pacer_calibrate_hz(double cal_s)
{
	uint64_t t0 = 0, t1 = 0;
	double w0 = 0, w1 = 1;

	pacer_clock_pair(&t0, &w0);
	usleep((useconds_t)(cal_s * 1e6));
	pacer_clock_pair(&t1, &w1);
	return (uint64_t)((t1 - t0) / (w1 - w0));
}

int
pacer_sched_init(struct pacer_sched *s, enum pacer_mode mode, double rate,
		 uint64_t hz)
{
	/* Each rate becomes an exact rational number of cycles per unit; the
	 * bounds keep num * u in 128 bits and den in 63. */
	switch (mode) {
	case PACER_PPS:
		if (!(rate >= 0.001 && rate <= 1e12))
			return -EINVAL;
		s->num = hz * 1000;
		s->den = (uint64_t)llround(rate * 1000);
		break;
	case PACER_MBPS:
		if (!(rate >= 1e-6 && rate <= 1e9))
			return -EINVAL;
		s->num = hz;
		s->den = (uint64_t)llround(rate * 1e6);
		break;
	case PACER_TIMING:
		if (!(rate >= 1e-3 && rate <= 1000))
			return -EINVAL;
		s->num = hz * 1000000;
		s->den = (uint64_t)llround(rate * 1e15);
		break;
	default:
		return -EINVAL;
	}
	if (hz == 0 || s->den == 0)
		return -EINVAL;
	return 0;
}

uint64_t
pacer_hist_bucket_low(unsigned int i)
{
	unsigned int shift;

	if (i < PACER_HIST_SUB)
		return i;
	shift = (i >> PACER_HIST_SUB_BITS) - 1;
	return (uint64_t)(PACER_HIST_SUB + (i & (PACER_HIST_SUB - 1))) << shift;
}

uint64_t
pacer_hist_bucket_high(unsigned int i)
{
	unsigned int shift;

	if (i < PACER_HIST_SUB)
		return i;
	shift = (i >> PACER_HIST_SUB_BITS) - 1;
	/* low + width - 1, in that order: the last bucket ends at 2^64 - 1. */
	return pacer_hist_bucket_low(i) + ((UINT64_C(1) << shift) - 1);
}

uint64_t
pacer_hist_quantile(const struct pacer_hist *h, double q)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (h->n == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	want = (uint64_t)ceil(q * (double)h->n);
	if (want == 0)
		want = 1;
	if (want > h->n)
		want = h->n;
	for (i = 0; i < PACER_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want)
			return RTE_MIN(pacer_hist_bucket_high(i), h->max);
	}
	return h->max;
}

/* Rare by definition: kept out of the loop's instruction stream. */
static __rte_noinline void
pacer_note_hiccup(struct pacer *p, uint64_t gap, uint64_t cycles_per_us)
{
	uint64_t us = gap / cycles_per_us;
	unsigned int b = us == 0 ? 0 : 63 - __builtin_clzll(us);

	if (b >= RTE_DIM(p->hiccup_hist))
		b = RTE_DIM(p->hiccup_hist) - 1;
	p->hiccup_hist[b]++;
	__atomic_store_n(&p->st.hiccups, p->st.hiccups + 1, __ATOMIC_RELAXED);
	if (gap > p->st.hiccup_max)
		__atomic_store_n(&p->st.hiccup_max, gap, __ATOMIC_RELAXED);
}

/* Where the source has got to. */
struct pacer_cursor {
	uint64_t k;			/**< preloaded: next record */
	uint64_t loop;			/**< preloaded: current pass */
	unsigned int ni, ii;		/**< streamed: in[ii..ni) not yet taken */
	bool exhausted;			/**< nothing more will come */
	struct rte_mbuf *in[PACER_BURST_MAX];
};

/*
 * The next packet of the source and its capture time, or NULL (for a
 * stream, NULL may only mean "not yet": exhausted says which).
 */
static __rte_always_inline struct rte_mbuf *
pacer_next(struct pacer *p, struct pacer_cursor *c, const bool stream,
	   uint64_t *ts)
{
	struct rte_mbuf *m;

	if (!stream) {
		if (unlikely(c->loop == p->loops && p->loops != 0)) {
			c->exhausted = true;
			return NULL;
		}
		m = p->pkts[c->k];
		*ts = c->loop * p->period_ns + p->ts_ns[c->k];
		if (unlikely(++c->k == p->n)) {
			c->k = 0;
			c->loop++;
			__atomic_store_n(&p->st.loops, c->loop, __ATOMIC_RELAXED);
		}
		return m;
	}
	if (c->ii == c->ni) {
		c->ii = 0;
		c->ni = ring_dequeue_burst(p->ring, (void **)c->in,
					   PACER_BURST_MAX);
		if (c->ni == 0) {
			/* ACQUIRE pairs with the reader's RELEASE store of
			 * ring_done after its last enqueue: a dequeue after
			 * seeing it set sees every packet it ever sent. */
			if (!__atomic_load_n(p->ring_done, __ATOMIC_ACQUIRE))
				return NULL;
			c->ni = ring_dequeue_burst(p->ring, (void **)c->in,
						   PACER_BURST_MAX);
			if (c->ni == 0) {
				c->exhausted = true;
				return NULL;
			}
		}
	}
	m = c->in[c->ii++];
	*ts = *RTE_MBUF_DYNFIELD(m, p->ts_field, uint64_t *);
	return m;
}

/*
 * The loop, compiled once per (mode, source, chained) so that none of them
 * is a branch per packet. One TSC read per iteration serves the schedule
 * and the hiccup detector; a second, just before the TX call, is the
 * departure time that the error is measured at.
 */
static __rte_always_inline void
pacer_loop(struct pacer *p, const enum pacer_mode mode, const bool stream,
	   const bool chained)
{
	const uint64_t cycles_per_us = RTE_MAX(p->hz / 1000000, UINT64_C(1));
	const uint16_t burst = p->burst;
	struct rte_mbuf *pend[PACER_BURST_MAX];
	uint64_t due[PACER_BURST_MAX];
	uint32_t len[PACER_BURST_MAX];	/* read before TX: after it, a
					 * streamed mbuf may be free */
	struct pacer_cursor c = { 0 };
	struct rte_mbuf *next = NULL;
	uint64_t next_due = 0, count = 0, bits = 0, last_bits = 0;
	uint64_t sent = 0, bytes = 0, calls = 0, shorts = 0;
	uint64_t now, prev, end, t, ts;
	unsigned int np = 0, i;
	uint16_t n;

	now = rte_rdtsc();
	p->sched.t0 = now + p->lead_cycles;
	end = p->duration_cycles ? p->sched.t0 + p->duration_cycles : UINT64_MAX;
	prev = now;
	for (;;) {
		now = rte_rdtsc();
		if (unlikely(now - prev > p->hiccup_cycles))
			pacer_note_hiccup(p, now - prev, cycles_per_us);
		prev = now;
		/* The duration is wall time from t0: what is still due at
		 * the end is not sent. (Sending it late would make the
		 * measured rate hostage to a hiccup in the last moment.) */
		if (unlikely(*p->stop) || unlikely(now >= end))
			break;
		/* Take every packet whose time has come, up to a burst. */
		while (np < burst) {
			if (next == NULL) {
				next = pacer_next(p, &c, stream, &ts);
				if (next == NULL)
					break;
				if (mode == PACER_PPS)
					next_due = pacer_sched_due(&p->sched, count);
				else if (mode == PACER_MBPS)
					next_due = pacer_sched_due(&p->sched, bits);
				else if (mode == PACER_TIMING)
					next_due = pacer_sched_due(&p->sched, ts);
			}
			if (mode != PACER_TOPSPEED && next_due > now)
				break;
			/* Preloaded mbufs stay ours: the port's free only
			 * drops the reference taken here. */
			if (!stream) {
				if (chained)
					rte_pktmbuf_refcnt_update(next, 1);
				else
					rte_mbuf_refcnt_update(next, 1);
			}
			due[np] = next_due;
			len[np] = next->pkt_len;
			pend[np++] = next;
			count++;
			if (mode == PACER_MBPS)
				bits += (uint64_t)(next->pkt_len + p->overhead) * 8;
			next = NULL;
		}
		if (np == 0) {
			if (c.exhausted)
				break;
			continue;
		}
		t = rte_rdtsc();
		n = rte_eth_tx_burst(p->port_id, p->queue, pend, np);
		calls++;
		if (n == 0) {
			shorts++;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (mode != PACER_TOPSPEED)
				pacer_hist_add(&p->dep, t - due[i]);
			bytes += len[i];
		}
		last_bits = (uint64_t)(len[n - 1] + p->overhead) * 8;
		if (sent == 0) {
			p->st.first_tsc = t;
			p->st.first_due = due[0];
		}
		sent += n;
		p->st.last_tsc = t;
		p->st.last_due = due[n - 1];
		if (unlikely(n < np)) {
			shorts++;
			np -= n;
			memmove(pend, pend + n, np * sizeof(pend[0]));
			memmove(due, due + n, np * sizeof(due[0]));
			memmove(len, len + n, np * sizeof(len[0]));
		} else {
			np = 0;
		}
		/* Published once per TX call, single writer: plain stores. */
		__atomic_store_n(&p->st.sent, sent, __ATOMIC_RELAXED);
		__atomic_store_n(&p->st.bytes, bytes, __ATOMIC_RELAXED);
		__atomic_store_n(&p->st.tx_calls, calls, __ATOMIC_RELAXED);
		__atomic_store_n(&p->st.tx_short, shorts, __ATOMIC_RELAXED);
	}
	p->st.last_bits = last_bits;
	__atomic_store_n(&p->st.tx_calls, calls, __ATOMIC_RELAXED);
	__atomic_store_n(&p->st.tx_short, shorts, __ATOMIC_RELAXED);
	/* Give back what the port never took: for a preloaded capture that
	 * drops our extra reference, for a stream it frees the mbuf. */
	if (np != 0)
		rte_pktmbuf_free_bulk(pend, np);
	if (stream) {
		if (next != NULL)
			rte_pktmbuf_free(next);
		if (c.ii < c.ni)
			rte_pktmbuf_free_bulk(c.in + c.ii, c.ni - c.ii);
	}
}

#define PACER_VARIANT(name, mode, stream, chained)                            \
	static __rte_noinline void name(struct pacer *p)                       \
	{                                                                      \
		pacer_loop(p, mode, stream, chained);                          \
	}
PACER_VARIANT(pacer_top, PACER_TOPSPEED, false, false)
PACER_VARIANT(pacer_top_c, PACER_TOPSPEED, false, true)
PACER_VARIANT(pacer_pps, PACER_PPS, false, false)
PACER_VARIANT(pacer_pps_c, PACER_PPS, false, true)
PACER_VARIANT(pacer_mbps, PACER_MBPS, false, false)
PACER_VARIANT(pacer_mbps_c, PACER_MBPS, false, true)
PACER_VARIANT(pacer_timing, PACER_TIMING, false, false)
PACER_VARIANT(pacer_timing_c, PACER_TIMING, false, true)
PACER_VARIANT(pacer_top_s, PACER_TOPSPEED, true, false)
PACER_VARIANT(pacer_pps_s, PACER_PPS, true, false)
PACER_VARIANT(pacer_mbps_s, PACER_MBPS, true, false)
PACER_VARIANT(pacer_timing_s, PACER_TIMING, true, false)
#undef PACER_VARIANT

int
pacer_run(void *arg)
{
	static void (*const preload[4][2])(struct pacer *) = {
		[PACER_TOPSPEED] = { pacer_top, pacer_top_c },
		[PACER_PPS] = { pacer_pps, pacer_pps_c },
		[PACER_MBPS] = { pacer_mbps, pacer_mbps_c },
		[PACER_TIMING] = { pacer_timing, pacer_timing_c },
	};
	static void (*const streamed[4])(struct pacer *) = {
		[PACER_TOPSPEED] = pacer_top_s,
		[PACER_PPS] = pacer_pps_s,
		[PACER_MBPS] = pacer_mbps_s,
		[PACER_TIMING] = pacer_timing_s,
	};
	struct pacer *p = arg;

	if (p->burst == 0 || p->burst > PACER_BURST_MAX)
		p->burst = p->burst == 0 ? 1 : PACER_BURST_MAX;
	if (p->hz == 0)
		p->hz = rte_get_tsc_hz();
	if (p->hiccup_cycles == 0)
		p->hiccup_cycles = UINT64_MAX;
	if (p->ring != NULL)
		streamed[p->mode](p);
	else if (p->n != 0)
		preload[p->mode][p->chained](p);
	/* RELEASE pairs with the main lcore's ACQUIRE load of done: every
	 * counter above is final once it reads 1. */
	__atomic_store_n(&p->st.done, 1, __ATOMIC_RELEASE);
	return 0;
}
