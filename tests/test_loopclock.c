/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loopclock tests: the stage loop's windowed clock (app/loopclock.h),
 * driven by a made-up loop. Each row is a loop: what its iterations cost,
 * which of them are idle, and the stalls put into it; the row says how many
 * hiccups the clock must find and how close their lengths must be. The
 * clock runs at 1,000 cycles per microsecond, so 580 cycles is a 0.58 us
 * iteration and the threshold (10 us) is 10,000 cycles.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <CUnit/CUnit.h>

#include "cunit_main.h"
#include "loopclock.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))
#define CPU_US 1000		/* cycles per us */
#define THRESH (10 * CPU_US)	/* the default hiccup threshold */
#define MAX_STALLS 2
#define MAX_SEEN 64

enum idle_pattern {
	ALL_BUSY,
	ALL_IDLE,
	BLOCKS,		/* 3,000 idle iterations, then 3,000 busy, ... */
	MIXED,		/* each iteration idle or busy at random */
};

struct row {
	const char *what;
	uint64_t busy_cost, idle_cost;	/* cycles of one iteration */
	unsigned int jitter_pct;	/* each iteration +- this, at random */
	enum idle_pattern idle;
	uint64_t step_at, step_cost;	/* from iteration step_at, busy costs
					 * step_cost (0: no step) */
	unsigned int iters;
	struct { uint64_t at, cycles; } stall[MAX_STALLS];
	unsigned int min_hiccups, max_hiccups;
	uint64_t len_slack;		/* a stall's hiccup: its length, plus
					 * at most this (ordinary work counted) */
};

struct run {
	unsigned int hiccups;
	uint64_t len[MAX_SEEN];
	uint64_t at[MAX_SEEN];		/* iteration count at the report */
	uint64_t elapsed;
	uint64_t busy_elapsed;		/* time in busy iterations, stalls excluded */
	uint64_t last_mask;
	uint64_t max_window;		/* longest window, in iterations */
};

static uint64_t rng = 88172645463325252ull;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
drive(const struct row *r, struct run *out)
{
	struct loopclock c;
	uint64_t now = 1000000, iters = 0, mask = 0, idle_n = 0, excess;
	uint64_t win_start = 0;
	unsigned int i, s;

	*out = (struct run){ 0 };
	loopclock_init(&c, CPU_US, now);
	for (i = 0; i < r->iters; i++) {
		bool idle;
		uint64_t cost;

		switch (r->idle) {
		case ALL_IDLE: idle = true; break;
		case BLOCKS: idle = (i / 3000) % 2 == 0; break;
		case MIXED: idle = xorshift() % 2 == 0; break;
		default: idle = false; break;
		}
		cost = idle ? r->idle_cost : r->busy_cost;
		if (!idle && r->step_cost != 0 && i >= r->step_at)
			cost = r->step_cost;
		if (r->jitter_pct != 0)
			cost = cost * (100 - r->jitter_pct +
				       xorshift() % (2 * r->jitter_pct + 1)) / 100;
		if (!idle)
			out->busy_elapsed += cost;
		for (s = 0; s < MAX_STALLS; s++)
			if (r->stall[s].cycles != 0 && r->stall[s].at == i)
				cost += r->stall[s].cycles;
		now += cost;
		iters++;
		idle_n += idle;
		if ((iters & mask) == 0) {
			if (iters - win_start > out->max_window)
				out->max_window = iters - win_start;
			win_start = iters;
			mask = loopclock_end(&c, now, iters, idle_n, &excess);
			idle_n = 0;
			if (excess > THRESH) {
				if (out->hiccups < MAX_SEEN) {
					out->len[out->hiccups] = excess;
					out->at[out->hiccups] = iters;
				}
				out->hiccups++;
			}
		}
	}
	/* Close the last window as the loop does when it stops. */
	if (iters != win_start) {
		loopclock_end(&c, now, iters, idle_n, &excess);
		if (excess > THRESH)
			out->hiccups++;
	}
	out->elapsed = now - 1000000;
	out->last_mask = mask;
	/* The busy and idle sums are the whole run, split. */
	CU_ASSERT_EQUAL(c.cycles[LOOPCLOCK_IDLE] + c.cycles[LOOPCLOCK_BUSY],
			out->elapsed);
	if (r->idle == ALL_BUSY)
		CU_ASSERT_EQUAL(c.cycles[LOOPCLOCK_IDLE], 0);
	if (r->idle == ALL_IDLE)
		CU_ASSERT_EQUAL(c.cycles[LOOPCLOCK_BUSY], 0);
	if (r->idle == BLOCKS) {
		/* Mixed windows split by count: the busy sum is within a
		 * few percent of the time busy iterations really took. */
		double b = (double)c.cycles[LOOPCLOCK_BUSY] / out->busy_elapsed;

		CU_ASSERT(b > 0.97 && b < 1.03);
		if (!(b > 0.97 && b < 1.03))
			printf("  %s: busy sum %.3f of the truth\n", r->what, b);
	}
}

static const struct row rows[] = {
	{ "fused fwd at line rate: no hiccup in 200k iterations",
	  580, 60, 3, ALL_BUSY, 0, 0, 200000, { { 0, 0 } }, 0, 0, 0 },
	{ "a 15 us stall in it: one hiccup of 15 us",
	  580, 60, 3, ALL_BUSY, 0, 0, 200000, { { 100000, 15000 } }, 1, 1, 2500 },
	{ "two stalls, 12 us and 3 ms",
	  580, 60, 3, ALL_BUSY, 0, 0, 200000,
	  { { 50000, 12000 }, { 150000, 3000000 } }, 2, 2, 2500 },
	/* The second stall's window comes right after the first's, whose
	 * inflated cost the history must not take for the ordinary one. */
	{ "two 20 us stalls a window apart: both",
	  580, 60, 3, ALL_BUSY, 0, 0, 200000,
	  { { 100000, 20000 }, { 100070, 20000 } }, 2, 2, 2500 },
	/* Probes are single iterations: the cost must be a typical one,
	 * not the cheapest seen, or a window of typical ones looks long. */
	{ "busy iterations +-30 % each: no false hiccup",
	  580, 60, 30, ALL_BUSY, 0, 0, 200000, { { 0, 0 } }, 0, 0, 0 },
	{ "a 5 us stall: under the threshold, none",
	  580, 60, 3, ALL_BUSY, 0, 0, 200000, { { 100000, 5000 } }, 0, 0, 0 },
	{ "an idle loop: none",
	  580, 60, 5, ALL_IDLE, 0, 0, 200000, { { 0, 0 } }, 0, 0, 0 },
	{ "an idle loop with a 20 us stall",
	  580, 60, 5, ALL_IDLE, 0, 0, 200000, { { 77777, 20000 } }, 1, 1, 1000 },
	{ "blocks of idle and busy: no false hiccup at the switches",
	  580, 60, 3, BLOCKS, 0, 0, 200000, { { 0, 0 } }, 0, 0, 0 },
	{ "iterations idle or busy at random, a 20 us stall",
	  580, 60, 3, MIXED, 0, 0, 200000, { { 123456, 20000 } }, 1, 1, 3000 },
	{ "long iterations (2.5 us): clock every iteration, 15 us stall",
	  2500, 60, 3, ALL_BUSY, 0, 0, 50000, { { 30000, 15000 } }, 1, 1, 2600 },
	{ "a 12 us iteration of a long-iteration loop is a hiccup, as before",
	  2500, 60, 0, ALL_BUSY, 0, 0, 20000, { { 10000, 9500 } }, 1, 1, 2600 },
	/* Cost steps up 4x at once: windows learnt at the old cost see the
	 * new one as extra time until the history has forgotten it. */
	{ "busy cost 150 -> 580 at once: at most LOOPCLOCK_HISTORY false",
	  150, 60, 2, ALL_BUSY, 100000, 580, 200000, { { 0, 0 } },
	  0, LOOPCLOCK_HISTORY, 0 },
	{ "busy cost 580 -> 150 at once: none",
	  580, 60, 2, ALL_BUSY, 100000, 150, 200000, { { 0, 0 } }, 0, 0, 0 },
};

static void
test_loopclock_rows(void)
{
	unsigned int i, h, s;

	for (i = 0; i < DIM(rows); i++) {
		const struct row *r = &rows[i];
		struct run run;

		drive(r, &run);
		CU_ASSERT(run.hiccups >= r->min_hiccups && run.hiccups <= r->max_hiccups);
		if (run.hiccups < r->min_hiccups || run.hiccups > r->max_hiccups)
			printf("  %s: %u hiccups, expected %u..%u\n", r->what,
			       run.hiccups, r->min_hiccups, r->max_hiccups);
		/* Each stall's hiccup has its length, give or take the
		 * ordinary work of its window. */
		for (s = 0, h = 0; s < MAX_STALLS && r->len_slack != 0; s++) {
			uint64_t want = r->stall[s].cycles;

			if (want == 0)
				continue;
			CU_ASSERT_FATAL(h < run.hiccups);
			CU_ASSERT(run.len[h] >= want - want / 50 &&
				  run.len[h] <= want + r->len_slack);
			if (!(run.len[h] >= want - want / 50 &&
			      run.len[h] <= want + r->len_slack))
				printf("  %s: hiccup %u is %lu cycles, stall %lu\n",
				       r->what, h, (unsigned long)run.len[h],
				       (unsigned long)want);
			h++;
		}
		/* The false ones of a cost step come right after it. */
		if (r->step_cost != 0)
			for (h = 0; h < run.hiccups && h < MAX_SEEN; h++)
				CU_ASSERT(run.at[h] > r->step_at &&
					  run.at[h] <= r->step_at +
					  (LOOPCLOCK_HISTORY + 1) * LOOPCLOCK_MAX_ITERS);
	}
}

/* Window sizes: about LOOPCLOCK_WINDOW_US long while iterations are short,
 * one iteration once they are not. */
static void
test_loopclock_window(void)
{
	static const struct {
		uint64_t cost;
		uint64_t want_max;	/* longest window, iterations */
	} sizes[] = {
		{ 60, 64 },	/* 64 x 0.06 us: capped at the most */
		{ 580, 64 },	/* 37 us */
		{ 900, 32 },	/* 64 x 0.9 = 58 us is too long */
		{ 999, 32 },
		{ 1000, 1 },	/* not short */
		{ 40000, 1 },
	};
	unsigned int i;

	for (i = 0; i < DIM(sizes); i++) {
		struct row r = { "size", sizes[i].cost, 60, 0, ALL_BUSY, 0, 0,
				 5000, { { 0, 0 } }, 0, 0, 0 };
		struct run run;

		drive(&r, &run);
		CU_ASSERT_EQUAL(run.max_window, sizes[i].want_max);
		if (run.max_window != sizes[i].want_max)
			printf("  %lu cycles an iteration: longest window %lu, want %lu\n",
			       (unsigned long)sizes[i].cost,
			       (unsigned long)run.max_window,
			       (unsigned long)sizes[i].want_max);
	}
}

/* A 100 ms stall inside a long window: the next windows are short until the
 * loop is seen to be fast again, then long again. */
static void
test_loopclock_recovers(void)
{
	struct loopclock c;
	uint64_t now = 5, excess, mask;

	loopclock_init(&c, CPU_US, now);
	now += 580;
	CU_ASSERT_EQUAL(loopclock_end(&c, now, 1, 0, &excess), 63);
	now += 64 * 580 + 100000 * CPU_US;
	mask = loopclock_end(&c, now, 64, 0, &excess);
	CU_ASSERT_EQUAL(mask, 0);
	CU_ASSERT(excess >= 100000ull * CPU_US && excess < 100000ull * CPU_US + 64 * 1000);
	now += 580;
	CU_ASSERT_EQUAL(loopclock_end(&c, now, 65, 0, &excess), 63);
	CU_ASSERT(excess < THRESH);
	/* A nap (a parked replica) is neither work nor a hiccup. */
	loopclock_restart(&c, now + 50000 * CPU_US, 65);
	now += 50000 * CPU_US + 63 * 580;
	loopclock_end(&c, now, 128, 0, &excess);
	CU_ASSERT(excess < THRESH);
}

int
tests_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "test_loopclock_rows", test_loopclock_rows },
		{ "test_loopclock_window", test_loopclock_window },
		{ "test_loopclock_recovers", test_loopclock_recovers },
	};
	CU_pSuite suite;
	unsigned int i;

	suite = CU_add_suite("loopclock", NULL, NULL);
	if (suite == NULL)
		return -1;
	for (i = 0; i < DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
