/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The slow-path helpers of the pacer's schedule and histogram (the fast
 * path is inline in pacer.h, used by stages/output/port_tx.c).
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

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

static uint64_t
pacer_gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int
pacer_sched_init(struct pacer_sched *s, enum pacer_mode mode, double rate,
		 uint64_t hz)
{
	uint64_t g;

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
	/* Smaller terms leave the 64-bit fast path of pacer_sched_add()
	 * longer steps (capture gaps); the ratio, and so due(u), is the
	 * same. */
	g = pacer_gcd(s->num, s->den);
	s->num /= g;
	s->den /= g;
	s->q = s->num / s->den;
	s->r = s->num % s->den;
	/* rem < den, so rem + d * r fits when d <= (2^64 - 1 - den) / r. */
	s->d_max = s->r == 0 ? UINT64_MAX : (UINT64_MAX - s->den) / s->r;
	pacer_sched_start(s, 0);
	return 0;
}

void
pacer_sched_jump(struct pacer_sched *s, uint64_t d)
{
	unsigned __int128 x;

	s->u += d;
	x = (unsigned __int128)s->u * s->num;
	s->due = s->t0 + (uint64_t)(x / s->den);
	s->rem = (uint64_t)(x % s->den);
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
