/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pacer: the replay's TX stage. It sends a preloaded capture (looped by
 * reference count, never copied) or a streamed one (mbufs from a ring) to
 * one port queue, each packet at its departure time on an absolute TSC
 * schedule:
 *
 *	due(u) = t0 + u * num / den		(exact, 128-bit)
 *
 * where u counts packets (--pps), bits (--mbps) or capture nanoseconds
 * (--timing), summed as exact integers since the start. A late packet
 * therefore never moves the ones after it: errors do not accumulate across
 * seconds or loops.
 *
 * The departure error of each packet (TSC just before rte_eth_tx_burst()
 * minus due) goes into a log-linear histogram; loop gaps over a threshold
 * are counted as hiccups. The loop makes no system call, takes no lock and
 * allocates nothing.
 */
#ifndef FFWD_PACER_H
#define FFWD_PACER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

struct ffwd_ring;

#define PACER_BURST_MAX 32

/** How departure times are set. */
enum pacer_mode {
	PACER_TOPSPEED,	/**< as fast as the port takes them */
	PACER_PPS,	/**< u = packets before this one */
	PACER_MBPS,	/**< u = bits before this one */
	PACER_TIMING,	/**< u = capture ns since the first packet */
};

/** The schedule: due(u) = t0 + u * num / den TSC cycles. */
struct pacer_sched {
	uint64_t t0;	/**< TSC of u = 0 */
	uint64_t num;	/**< cycles per unit, numerator */
	uint64_t den;	/**< cycles per unit, denominator (> 0) */
};

/**
 * Set num/den for MODE at RATE (packets/s for PACER_PPS, Mbit/s for
 * PACER_MBPS, the speed multiplier for PACER_TIMING) on a TSC of HZ.
 * t0 is left for the caller. Rates are kept to 1/1000 pps, 1 bit/s and a
 * 1e-15 speed step, so the rounding of a rate given in decimal is below
 * what any clock here resolves.
 * @return 0, or -EINVAL for a rate out of range or PACER_TOPSPEED.
 */
/** One (TSC, CLOCK_MONOTONIC) pair read as close together as possible. */
void pacer_clock_pair(uint64_t *tsc, double *wall);

/**
 * The TSC frequency measured against CLOCK_MONOTONIC over cal_s seconds:
 * EAL's rte_get_tsc_hz() is rounded to 10 MHz (0.19 % off here), too far
 * for pacing that promises 0.05 %.
 */
uint64_t pacer_calibrate_hz(double cal_s);

int pacer_sched_init(struct pacer_sched *s, enum pacer_mode mode, double rate,
		     uint64_t hz);

/** Departure TSC of unit u: absolute, never a sum of rounded intervals. */
static __rte_always_inline uint64_t
pacer_sched_due(const struct pacer_sched *s, uint64_t u)
{
	return s->t0 + (uint64_t)(((unsigned __int128)u * s->num) / s->den);
}

/*
 * Log-linear histogram of uint64 values (TSC cycles): values below 16 have
 * a bucket each; above, each power of two is cut in 16 equal buckets, so a
 * bucket's width is at most 1/16 of its lower bound (6.25 %). 976 buckets
 * cover the whole uint64 range; adding is a shift, a count-leading-zeros
 * and an increment, with nothing allocated.
 */
#define PACER_HIST_SUB_BITS 4
#define PACER_HIST_SUB (1u << PACER_HIST_SUB_BITS)
#define PACER_HIST_BUCKETS ((64 - PACER_HIST_SUB_BITS + 1) * PACER_HIST_SUB)

struct pacer_hist {
	uint64_t n;				/**< values added */
	uint64_t max;				/**< largest value added */
	uint64_t sum;				/**< for the mean (wraps after 2^64) */
	uint64_t b[PACER_HIST_BUCKETS];		/**< counts per bucket */
};

/** Bucket index of v. */
static __rte_always_inline unsigned int
pacer_hist_bucket(uint64_t v)
{
	unsigned int msb;

	if (v < PACER_HIST_SUB)
		return (unsigned int)v;
	msb = 63 - __builtin_clzll(v);
	return ((msb - PACER_HIST_SUB_BITS + 1) << PACER_HIST_SUB_BITS) |
	       (unsigned int)((v >> (msb - PACER_HIST_SUB_BITS)) &
			      (PACER_HIST_SUB - 1));
}

/** Smallest value that falls in bucket i. */
uint64_t pacer_hist_bucket_low(unsigned int i);

/** Largest value that falls in bucket i. */
uint64_t pacer_hist_bucket_high(unsigned int i);

/** Count v: no allocation, no branch but the maximum's. */
static __rte_always_inline void
pacer_hist_add(struct pacer_hist *h, uint64_t v)
{
	h->b[pacer_hist_bucket(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/**
 * The q-quantile (0 <= q <= 1) of the values added: the upper bound of the
 * bucket holding the ceil(q * n)-th smallest value, but never above the
 * maximum, so it overstates by at most one bucket width (6.25 %).
 * @return 0 when the histogram is empty.
 */
uint64_t pacer_hist_quantile(const struct pacer_hist *h, double q);

/** What the pacer's lcore publishes while it runs (single writer). */
struct pacer_stats {
	uint64_t sent;		/**< packets the port took */
	uint64_t bytes;		/**< their bytes (pkt_len) */
	uint64_t loops;		/**< whole passes over the capture sent */
	uint64_t tx_calls;	/**< rte_eth_tx_burst() calls */
	uint64_t tx_short;	/**< calls that took fewer than offered */
	uint64_t hiccups;	/**< loop gaps over the threshold */
	uint64_t hiccup_max;	/**< longest loop gap, TSC cycles */
	uint64_t first_tsc;	/**< TX call of the first packet */
	uint64_t last_tsc;	/**< TX call of the last packet */
	uint64_t first_due;	/**< due of the first packet */
	uint64_t last_due;	/**< due of the last packet */
	uint64_t last_bits;	/**< paced bits of the last packet */
	int done;		/**< set (release) when the loop has ended */
} __rte_cache_aligned;

/** A pacer: set up by the caller, then pacer_run() on the TX lcore. */
struct pacer {
	/* Read-only in the loop. */
	enum pacer_mode mode;
	struct pacer_sched sched;	/**< t0 is set by pacer_run() */
	uint16_t port_id, queue;
	uint16_t burst;			/**< most packets per TX call, 1..32 */
	uint32_t overhead;		/**< bytes added per frame (--mbps) */
	uint64_t hz;			/**< TSC cycles per second */
	uint64_t hiccup_cycles;		/**< loop gap counted as a hiccup */
	uint64_t lead_cycles;		/**< t0 = start + lead */
	uint64_t duration_cycles;	/**< stop this long after t0, 0: never */
	const volatile int *stop;	/**< set by the signal handler */
	/* Source, preloaded: pkts[0..n) sent loops times (0: forever). */
	struct rte_mbuf *const *pkts;
	const uint64_t *ts_ns;		/**< capture time of each, from 0 */
	uint64_t n;
	uint64_t period_ns;		/**< one pass, for --timing loops */
	uint64_t loops;
	bool chained;			/**< some records span several mbufs */
	/* Source, streamed: mbufs from ring, until *ring_done. */
	struct ffwd_ring *ring;
	const int *ring_done;
	int ts_field;			/**< mbuf dynfield: uint64 capture ns */

	/* Written by the pacer's lcore only. */
	struct pacer_stats st;
	struct pacer_hist dep;		/**< departure error, TSC cycles */
	uint64_t hiccup_hist[32];	/**< log2 of the gap in us */
};

/**
 * The TX lcore's function (rte_eal_remote_launch): sends until the source
 * is exhausted, the duration is up or *stop is set, then sets st.done.
 * Packets the port never took are released. @return 0.
 */
int pacer_run(void *arg);

/** Convenience: read a published counter from another thread. */
static inline uint64_t
pacer_read(const uint64_t *ctr)
{
	return __atomic_load_n(ctr, __ATOMIC_RELAXED);
}

#endif /* FFWD_PACER_H */
