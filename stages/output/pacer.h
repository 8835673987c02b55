/*
 * pacer: the schedule and the departure-error histogram of every paced
 * output (stages/output/port_tx.c), for YAML pipelines and `ffwd replay`
 * alike. Each packet has a departure time on an absolute TSC schedule:
 *
 *	due(u) = t0 + u * num / den
 *
 * where u counts packets (pps), bits (mbps) or capture nanoseconds
 * (timing), summed as exact integers since the start. A late packet
 * therefore never moves the ones after it: errors do not accumulate across
 * seconds or loops.
 *
 * The fast path never divides by 128 bits: the schedule keeps the
 * quotient and remainder of num/den and walks due(u) forward by adding
 * (pacer_sched_add()), which gives exactly the value of pacer_sched_due()
 * (the reference, and the slow path for a jump too long for 64-bit
 * arithmetic).
 */
#ifndef FFWD_PACER_H
#define FFWD_PACER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#define PACER_BURST_MAX 32

/** How departure times are set. */
enum pacer_mode {
	PACER_TOPSPEED,	/**< as fast as the port takes them */
	PACER_PPS,	/**< u = packets before this one */
	PACER_MBPS,	/**< u = bits before this one */
	PACER_TIMING,	/**< u = capture ns since the first packet */
};

/**
 * The schedule: due(u) = t0 + u * num / den TSC cycles, and a cursor at
 * unit u: due = t0 + floor(u * num / den), rem = u * num mod den.
 */
struct pacer_sched {
	uint64_t t0;	/**< TSC of u = 0 */
	uint64_t num;	/**< cycles per unit, numerator (reduced) */
	uint64_t den;	/**< cycles per unit, denominator (> 0, reduced) */
	uint64_t q, r;	/**< num = q * den + r */
	uint64_t d_max;	/**< largest step whose d * r + rem fits 64 bits */
	uint64_t u;	/**< cursor: units so far */
	uint64_t due;	/**< cursor: due(u) */
	uint64_t rem;	/**< cursor: u * num mod den */
};

/** One (TSC, CLOCK_MONOTONIC) pair read as close together as possible. */
void pacer_clock_pair(uint64_t *tsc, double *wall);

/**
 * The TSC frequency measured against CLOCK_MONOTONIC over cal_s seconds:
 * EAL's rte_get_tsc_hz() is rounded to 10 MHz (0.19 % off here), too far
 * for pacing that promises 0.05 %.
 */
uint64_t pacer_calibrate_hz(double cal_s);

/**
 * Set num/den for MODE at RATE (packets/s for PACER_PPS, Mbit/s for
 * PACER_MBPS, the speed multiplier for PACER_TIMING) on a TSC of HZ, and
 * start the cursor at t0 = 0 (pacer_sched_start() sets the real one).
 * Rates are kept to 1/1000 pps, 1 bit/s and a 1e-15 speed step, so the
 * rounding of a rate given in decimal is below what any clock here
 * resolves.
 * @return 0, or -EINVAL for a rate out of range or PACER_TOPSPEED.
 */
int pacer_sched_init(struct pacer_sched *s, enum pacer_mode mode, double rate,
		     uint64_t hz);

/** Departure TSC of unit u: absolute, never a sum of rounded intervals. */
static __rte_always_inline uint64_t
pacer_sched_due(const struct pacer_sched *s, uint64_t u)
{
	return s->t0 + (uint64_t)(((unsigned __int128)u * s->num) / s->den);
}

/** Put the cursor at u = 0, due = t0. */
static inline void
pacer_sched_start(struct pacer_sched *s, uint64_t t0)
{
	s->t0 = t0;
	s->u = 0;
	s->due = t0;
	s->rem = 0;
}

/** A step too long for 64 bits (a capture gap of seconds): recomputed
 * from the start, exactly. Rare by construction. */
void pacer_sched_jump(struct pacer_sched *s, uint64_t d);

/**
 * Move the cursor d units on: s->due becomes due(u + d). Additions and a
 * compare; a 64-bit division only when the remainder carries more than
 * one cycle (steps of many units), never a 128-bit one but for
 * pacer_sched_jump().
 */
static __rte_always_inline void
pacer_sched_add(struct pacer_sched *s, uint64_t d)
{
	uint64_t x;

	if (unlikely(d > s->d_max)) {
		pacer_sched_jump(s, d);
		return;
	}
	s->u += d;
	s->due += d * s->q;
	x = s->rem + d * s->r;
	if (x >= s->den) {
		if (likely(x - s->den < s->den)) {
			x -= s->den;
			s->due++;
		} else {
			s->due += x / s->den;
			x %= s->den;
		}
	}
	s->rem = x;
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

#endif /* FFWD_PACER_H */
