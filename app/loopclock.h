/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FFWD_LOOPCLOCK_H
#define FFWD_LOOPCLOCK_H
/*
 * The stage loop's clock: busy/idle time and hiccups from one TSC read per
 * window of iterations.
 *
 * Reading the TSC costs more inside the stage loop than its latency says
 * (bench/README, "bench/telemetry"): one read per 4 iterations cost the
 * fused path 3 %, one per 64 about 1 %. So while iterations are short the
 * clock is read once per window of up to LOOPCLOCK_MAX_ITERS iterations,
 * sized to last about LOOPCLOCK_WINDOW_US.
 *
 * A window that long holds much more ordinary work than a hiccup threshold
 * (10 us), so a hiccup is not "a long window" but a window longer than its
 * ordinary work: its busy iterations times what one busy iteration costs,
 * plus its idle ones times what an idle one costs. Those two costs are
 * learnt from the windows themselves: each is the median per-iteration
 * time of the last LOOPCLOCK_HISTORY windows that were all busy (or all
 * idle). Where idle and busy iterations alternate, hardly any long window
 * is pure, so every LOOPCLOCK_PROBE_EVERY-th window is one iteration long:
 * a probe, pure by construction, which keeps both costs learnt whatever
 * the mix. A median (not a least: a probe's single iteration can be much
 * cheaper than a typical one) ignores two windows inflated by hiccups, and
 * follows a real change of cost (bigger bursts, a new stage) within three
 * pure windows; until then it may call those windows hiccups. An interruption falls inside one window (it happens
 * between two clock reads), so it is never split between two.
 *
 * Once iterations take LOOPCLOCK_SHORT_US or more, the clock is read every
 * iteration and nothing is subtracted: a hiccup is one iteration longer
 * than the threshold, as in a loop without windows.
 *
 * Pure arithmetic on values handed in (tests/test_loopclock.c drives it
 * with made-up clocks); app.c calls it out of line, at a window's end.
 */
#include <stdint.h>

#define LOOPCLOCK_MAX_ITERS	64	/**< longest window, a power of two */
#define LOOPCLOCK_WINDOW_US	40	/**< a window's length while short */
#define LOOPCLOCK_SHORT_US	1	/**< a short iteration: under this */
#define LOOPCLOCK_HISTORY	5	/**< pure windows a cost is learnt from */
#define LOOPCLOCK_PROBE_EVERY	4	/**< every this many windows, one of one
					 *   iteration: always pure */

enum { LOOPCLOCK_IDLE, LOOPCLOCK_BUSY };

struct loopclock {
	uint64_t prev;			/**< TSC at the window's start */
	uint64_t start;			/**< iterations at the window's start */
	uint64_t cycles[2];		/**< idle and busy sums */
	/** Per-iteration cost of the last pure windows, idle and busy. */
	uint64_t hist[2][LOOPCLOCK_HISTORY];
	unsigned int hist_at[2];
	unsigned int n_hist[2];		/**< samples held, up to LOOPCLOCK_HISTORY */
	unsigned int since_probe;	/**< long windows since the last probe */
	uint64_t short_cycles;		/**< LOOPCLOCK_SHORT_US */
	uint64_t window_cycles;		/**< LOOPCLOCK_WINDOW_US */
};

static inline void
loopclock_init(struct loopclock *c, uint64_t cycles_per_us, uint64_t now)
{
	*c = (struct loopclock){
		.prev = now,
		.short_cycles = cycles_per_us * LOOPCLOCK_SHORT_US,
		.window_cycles = cycles_per_us * LOOPCLOCK_WINDOW_US,
	};
}

/*
 * What one iteration of a kind costs: the median of its recent pure
 * windows' per-iteration times. Before the first pure window of that kind,
 * the most a short iteration can cost: a first busy window after a quiet
 * start is then under-counted, never called a hiccup for its ordinary work.
 */
static inline uint64_t
loopclock_cost(const struct loopclock *c, int kind)
{
	uint64_t v[LOOPCLOCK_HISTORY], t;
	unsigned int n = c->n_hist[kind], i, j;

	if (n == 0)
		return c->short_cycles;
	for (i = 0; i < n; i++) {
		/* Insertion sort of at most LOOPCLOCK_HISTORY values. */
		t = c->hist[kind][i];
		for (j = i; j > 0 && v[j - 1] > t; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
	return v[n / 2];
}

/** The window restarts at @now, after time that is neither (a nap). */
static inline void
loopclock_restart(struct loopclock *c, uint64_t now, uint64_t iters)
{
	c->prev = now;
	c->start = iters;
}

/**
 * A window ends at TSC @now after @iters iterations in all, @idle_n of its
 * own having moved nothing. Adds its time to the idle and busy sums.
 *
 * @param[out] excess  the window's time beyond its ordinary work (the
 *   whole gap for a one-iteration window): the caller subtracts time a
 *   stage burnt on purpose and compares it with the hiccup threshold.
 * @return the next window's mask on the iteration count: it ends at the
 *   next multiple of mask + 1.
 */
static inline uint64_t
loopclock_end(struct loopclock *c, uint64_t now, uint64_t iters,
	      uint64_t idle_n, uint64_t *excess)
{
	uint64_t gap = now - c->prev, n = iters - c->start;
	uint64_t busy_n = n - idle_n, idle, ordinary = 0, per, w;
	int kind = -1;

	c->prev = now;
	c->start = iters;
	idle = idle_n == n ? gap : gap * idle_n / n;
	c->cycles[LOOPCLOCK_IDLE] += idle;
	c->cycles[LOOPCLOCK_BUSY] += gap - idle;
	if (n > 1)
		ordinary = idle_n * loopclock_cost(c, LOOPCLOCK_IDLE) +
			   busy_n * loopclock_cost(c, LOOPCLOCK_BUSY);
	*excess = gap > ordinary ? gap - ordinary : 0;
	/* Learn from pure windows only: a mixed one does not say which
	 * kind of iteration took the time. */
	if (idle_n == 0)
		kind = LOOPCLOCK_BUSY;
	else if (busy_n == 0)
		kind = LOOPCLOCK_IDLE;
	per = gap / n;
	if (kind >= 0) {
		c->hist[kind][c->hist_at[kind]] = per;
		c->hist_at[kind] = (c->hist_at[kind] + 1) % LOOPCLOCK_HISTORY;
		if (c->n_hist[kind] < LOOPCLOCK_HISTORY)
			c->n_hist[kind]++;
	}
	if (per >= c->short_cycles)
		return 0;
	if (++c->since_probe >= LOOPCLOCK_PROBE_EVERY) {
		c->since_probe = 0;
		return 0;
	}
	/* The longest power-of-two window that lasts about window_cycles. */
	for (w = LOOPCLOCK_MAX_ITERS; w > 1 && w * per > c->window_cycles; w >>= 1)
		;
	return w - 1;
}

#endif
