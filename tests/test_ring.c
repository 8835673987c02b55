/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite "ring": edge cases from a table, then a two-lcore stress
 * test with sequence numbers in spin, yield and slipping modes.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memzone.h>
#include <rte_pause.h>

#include "cunit_main.h"
#include "ffwd_ring.h"

/* Items are sequence numbers + 1, so none is NULL. */
#define SEQ_PTR(s) ((void *)(uintptr_t)((s) + 1))
#define PTR_SEQ(p) ((uint64_t)(uintptr_t)(p) - 1)

static const char *eal_label = "ffwdtest";

static struct ffwd_ring *
ring_new(uint32_t size, const struct ring_opts *opts)
{
	ssize_t bytes = ring_memsize(size);
	struct ffwd_ring *r;

	if (bytes < 0)
		return NULL;
	r = aligned_alloc(RING_BLOCK_ALIGN, RTE_ALIGN_CEIL(bytes, RING_BLOCK_ALIGN));
	if (r != NULL && ring_init(r, "t", size, opts) != 0) {
		free(r);
		return NULL;
	}
	return r;
}

/* ---- table-driven edge cases ---------------------------------------- */

enum op { END, ENQ, DEQ, CYCLE, CHECK_BACKLOG, CHECK_FULL, CHECK_EMPTY };

struct step {
	enum op op;
	unsigned int n;		/* burst asked, or counter expected */
	unsigned int expect;	/* items moved */
	unsigned int repeat;	/* run the step this many times (0 = 1) */
};

struct ring_case {
	const char *name;
	uint32_t size;
	struct step steps[12];
};

static const struct ring_case ring_cases[] = {
	{ "empty ring gives nothing", 16,
	  { { DEQ, 1, 0 }, { DEQ, 32, 0 }, { CHECK_EMPTY, 2 },
	    { CHECK_BACKLOG, 0 } } },
	{ "fill exactly, then full", 16,
	  { { ENQ, 16, 16 }, { ENQ, 1, 0 }, { CHECK_FULL, 1 },
	    { CHECK_BACKLOG, 16 }, { DEQ, 32, 16 }, { DEQ, 1, 0 },
	    { CHECK_BACKLOG, 0 } } },
	{ "burst larger than free space is cut", 16,
	  { { ENQ, 10, 10 }, { ENQ, 10, 6 }, { CHECK_FULL, 1 },
	    { DEQ, 32, 16 } } },
	{ "burst larger than the ring", 32,
	  { { ENQ, 33, 32 }, { DEQ, 33, 32 }, { ENQ, 32, 32 },
	    { DEQ, 32, 32 } } },
	{ "partly read line is not reusable", 16,
	  /* 16 in; 3 out leaves line 0 partly read, so no room yet. */
	  { { ENQ, 16, 16 }, { DEQ, 3, 3 }, { ENQ, 3, 0 },
	    /* 5 more finishes line 0: the consumer clears it whole. */
	    { DEQ, 5, 5 }, { ENQ, 9, 8 }, { CHECK_BACKLOG, 16 },
	    { DEQ, 32, 16 }, { CHECK_BACKLOG, 0 } } },
	{ "wrap-around many times", 16,
	  { { CYCLE, 5, 5, 200 }, { CYCLE, 9, 9, 100 }, { CHECK_BACKLOG, 0 } } },
	{ "wrap-around interleaved", 16,
	  /* ENQ 13 after 3 out: line 0 is not done, only 9 fit. */
	  { { ENQ, 7, 7 }, { DEQ, 3, 3 }, { ENQ, 13, 9 }, { DEQ, 5, 5 },
	    /* line 0 cleared: 8 more, up to the unread line 1 */
	    { ENQ, 13, 8 }, { DEQ, 32, 16 }, { ENQ, 16, 16 },
	    /* a burst above the size never laps the consumer */
	    { DEQ, 16, 16 }, { ENQ, 31, 16 }, { DEQ, 31, 16 } } },
	{ "odd bursts", 64,
	  { { ENQ, 1, 1 }, { ENQ, 3, 3 }, { ENQ, 31, 31 }, { DEQ, 7, 7 },
	    { ENQ, 29, 29 }, { DEQ, 13, 13 }, { DEQ, 17, 17 },
	    { ENQ, 17, 17 }, { DEQ, 64, 44 }, { CHECK_BACKLOG, 0 } } },
	{ "single ops", 16,
	  { { ENQ, 1, 1, 16 }, { ENQ, 1, 0 }, { DEQ, 1, 1, 16 },
	    { DEQ, 1, 0 } } },
};

static void
run_ring_case(const struct ring_case *c)
{
	struct ffwd_ring *r = ring_new(c->size, NULL);
	uint64_t next_in = 0, next_out = 0;
	void *objs[64];
	const struct step *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (s = c->steps; s->op != END; s++) {
		unsigned int rep, k, got;
		struct ring_stats st;

		for (rep = 0; rep < (s->repeat ? s->repeat : 1); rep++) {
			switch (s->op) {
			case ENQ:
				for (k = 0; k < s->n; k++)
					objs[k] = SEQ_PTR(next_in + k);
				got = ring_enqueue_burst(r, objs, s->n);
				next_in += got;
				break;
			case CYCLE:
				for (k = 0; k < s->n; k++)
					objs[k] = SEQ_PTR(next_in + k);
				got = ring_enqueue_burst(r, objs, s->n);
				next_in += got;
				if (got != s->expect)
					break;
				/* fall through - take the same number back out */
			case DEQ:
				got = ring_dequeue_burst(r, objs, s->n);
				for (k = 0; k < got; k++) {
					if (PTR_SEQ(objs[k]) != next_out + k) {
						CU_FAIL("out of sequence");
						fprintf(stderr, "  [%s] got %lu want %lu\n",
							c->name, PTR_SEQ(objs[k]),
							next_out + k);
						break;
					}
				}
				next_out += got;
				break;
			default:
				ring_stats(r, &st);
				got = s->op == CHECK_BACKLOG ? st.backlog :
				      s->op == CHECK_FULL    ? st.full :
							       st.empty;
				if (got != s->n)
					fprintf(stderr, "  [%s] step %td: counter %u, want %u\n",
						c->name, s - c->steps, got, s->n);
				CU_ASSERT_EQUAL(got, s->n);
				continue;
			}
			if (got != s->expect)
				fprintf(stderr, "  [%s] step %td: moved %u, want %u\n",
					c->name, s - c->steps, got, s->expect);
			CU_ASSERT_EQUAL(got, s->expect);
		}
	}
	free(r);
}

static void
test_ring_edge_cases(void)
{
	size_t i;

	for (i = 0; i < RTE_DIM(ring_cases); i++)
		run_ring_case(&ring_cases[i]);
}

static void
test_ring_bad_sizes(void)
{
	static const struct {
		uint32_t size;
		int ok;
	} rows[] = {
		{ 0, 0 }, { 1, 0 }, { 8, 0 }, { 15, 0 }, { 16, 1 }, { 24, 0 },
		{ 1000, 0 }, { 1024, 1 }, { RING_SIZE_MAX, 1 },
		{ RING_SIZE_MAX * 2u, 0 }, { UINT32_MAX, 0 },
	};
	size_t i;

	for (i = 0; i < RTE_DIM(rows); i++) {
		ssize_t m = ring_memsize(rows[i].size);

		CU_ASSERT_EQUAL(m > 0, rows[i].ok);
		if (!rows[i].ok) {
			CU_ASSERT_EQUAL(m, -EINVAL);
			CU_ASSERT_PTR_NULL(ring_create(eal_label, "bad", rows[i].size,
						       SOCKET_ID_ANY, NULL));
			CU_ASSERT_EQUAL(rte_errno, EINVAL);
		}
	}
	/* Slipping half the ring or more is refused. */
	CU_ASSERT_PTR_NULL(ring_new(16, &(struct ring_opts){ .slip_lines = 1 }));
	CU_ASSERT_PTR_NOT_NULL(ring_create(eal_label, "slip", 64, SOCKET_ID_ANY,
					   &(struct ring_opts){ .slip_lines = 1 }));
	ring_free(ring_lookup(eal_label, "slip"));
}

static void
test_ring_null_refused(void)
{
	struct ffwd_ring *r = ring_new(16, NULL);
	void *objs[4] = { SEQ_PTR(0), SEQ_PTR(1), NULL, SEQ_PTR(3) };
	void *out[4];
	struct ring_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(ring_enqueue(r, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ring_enqueue_burst_checked(r, objs, 4), -EINVAL);
	ring_stats(r, &st);
	CU_ASSERT_EQUAL(st.enqueued, 0); /* checked: nothing went in */
	/* Unchecked: the burst stops before the NULL, which never lands. */
	CU_ASSERT_EQUAL(ring_enqueue_burst(r, objs, 4), 2);
	CU_ASSERT_EQUAL(ring_dequeue_burst(r, out, 4), 2);
	CU_ASSERT_PTR_EQUAL(out[1], SEQ_PTR(1));
	CU_ASSERT_EQUAL(ring_enqueue_burst(r, &objs[2], 2), 0);
	ring_stats(r, &st);
	CU_ASSERT_EQUAL(st.enqueued, 2);
	CU_ASSERT_EQUAL(st.full, 0); /* a NULL is not "full" */
	free(r);
}

static void
test_ring_create_lookup(void)
{
	struct ffwd_ring *r, *again;

	r = ring_create(eal_label, "rx->fw", 1024, SOCKET_ID_ANY, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(ring_name(r), "ffwdtest.rx->fw");
	CU_ASSERT_EQUAL(ring_size(r), 1024);
	CU_ASSERT_PTR_NOT_NULL(rte_memzone_lookup("ffwdtest.rx->fw"));
	CU_ASSERT_PTR_EQUAL(ring_lookup(eal_label, "rx->fw"), r);

	again = ring_create(eal_label, "rx->fw", 1024, SOCKET_ID_ANY, NULL);
	CU_ASSERT_PTR_NULL(again);
	CU_ASSERT_EQUAL(rte_errno, EEXIST);

	CU_ASSERT_PTR_NULL(ring_lookup(eal_label, "nope"));
	CU_ASSERT_EQUAL(rte_errno, ENOENT);
	CU_ASSERT_PTR_NULL(ring_create(eal_label, "a-name-far-too-long-for-a-memzone",
				       64, SOCKET_ID_ANY, NULL));
	CU_ASSERT_EQUAL(rte_errno, ENAMETOOLONG);
	CU_ASSERT_PTR_NULL(ring_create("", "x", 64, SOCKET_ID_ANY, NULL));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);

	ring_free(r);
	CU_ASSERT_PTR_NULL(ring_lookup(eal_label, "rx->fw"));
	ring_free(NULL);
}

static void
test_ring_layout(void)
{
	struct ffwd_ring *r = ring_new(64, NULL);
	uintptr_t base = (uintptr_t)r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT((uintptr_t)&r->prod - base >= 128);
	CU_ASSERT((uintptr_t)&r->cons - (uintptr_t)&r->prod >= 128);
	CU_ASSERT((uintptr_t)&r->slots[0] - (uintptr_t)&r->cons >= 128);
	CU_ASSERT(((uintptr_t)&r->slots[0] & 127) == 0);
	/* Guard block after the slots. */
	CU_ASSERT_EQUAL((size_t)ring_memsize(64),
			offsetof(struct ffwd_ring, slots) + 64 * sizeof(void *) + 128);
	free(r);
}

/* ---- two-lcore stress ------------------------------------------------ */

#define STRESS_ITEMS 50000000ull
#define STRESS_DEADLINE_S 240

struct stress {
	struct ffwd_ring *r;
	uint64_t items;
	int yield;
	/* consumer results */
	uint64_t received, bad_order;
	uint64_t first_bad, first_bad_got;
	/* backlog checker; abort: the consumer gave up (deadline passed) */
	int done, abort;
	/* Each worker's last act. rte_eal_wait_lcore() already waits for
	 * them, but through EAL code that ThreadSanitizer does not see;
	 * this release/acquire pair makes the hand-back visible to it. */
	int prod_exit, check_exit;
	uint64_t backlog_reads, backlog_bad;
};

static inline uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int
stress_producer(void *arg)
{
	struct stress *t = arg;
	uint32_t rnd = 0x12345678;
	uint64_t seq = 0;
	void *objs[RING_BURST_MAX];

	while (seq < t->items) {
		unsigned int n = 1 + (xorshift(&rnd) & (RING_BURST_MAX - 1));
		unsigned int k, got;

		if (n > t->items - seq)
			n = t->items - seq;
		for (k = 0; k < n; k++)
			objs[k] = SEQ_PTR(seq + k);
		got = ring_enqueue_burst(t->r, objs, n);
		seq += got;
		if (got == 0) {
			if (__atomic_load_n(&t->abort, __ATOMIC_RELAXED))
				break;
			if (t->yield)
				sched_yield();
		}
	}
	__atomic_store_n(&t->prod_exit, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
stress_checker(void *arg)
{
	struct stress *t = arg;

	while (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) {
		uint64_t b = ring_backlog(t->r);

		t->backlog_reads++;
		if (b > ring_size(t->r))
			t->backlog_bad++;
		usleep(50);
	}
	__atomic_store_n(&t->check_exit, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
stress_consume(struct stress *t)
{
	uint32_t rnd = 0x9abcdef0;
	uint64_t want = 0, polls = 0;
	uint64_t deadline = rte_get_tsc_cycles() + STRESS_DEADLINE_S * rte_get_tsc_hz();
	void *objs[RING_BURST_MAX];

	while (want < t->items) {
		/* A broken ring loses items and would spin here forever. */
		if (unlikely((++polls & 0xfffff) == 0) &&
		    rte_get_tsc_cycles() > deadline) {
			__atomic_store_n(&t->abort, 1, __ATOMIC_RELAXED);
			printf("\n    gave up after %d s at item %lu\n",
			       STRESS_DEADLINE_S, want);
			break;
		}
		unsigned int n = 1 + (xorshift(&rnd) & (RING_BURST_MAX - 1));
		unsigned int k, got;

		got = ring_dequeue_burst(t->r, objs, n);
		if (got == 0 && t->yield)
			sched_yield();
		for (k = 0; k < got; k++, want++) {
			if (unlikely(PTR_SEQ(objs[k]) != want)) {
				if (t->bad_order++ == 0) {
					t->first_bad = want;
					t->first_bad_got = PTR_SEQ(objs[k]);
				}
				/* resynchronise so one slip is one error */
				want = PTR_SEQ(objs[k]);
			}
		}
	}
	t->received = want;
}

static void
run_stress(uint64_t items, int yield, uint32_t slip_lines)
{
	struct ring_opts opts = { .slip_lines = slip_lines };
	struct stress t = { .items = items, .yield = yield };
	unsigned int prod_lcore, check_lcore;
	struct ring_stats st;
	void *leftover;

	prod_lcore = rte_get_next_lcore(-1, 1, 0);
	check_lcore = rte_get_next_lcore(prod_lcore, 1, 0);
	CU_ASSERT_FATAL(prod_lcore < RTE_MAX_LCORE && check_lcore < RTE_MAX_LCORE);

	t.r = ring_create(eal_label, "stress", 1024, SOCKET_ID_ANY, &opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.r);
	CU_ASSERT_FATAL(rte_eal_remote_launch(stress_checker, &t, check_lcore) == 0);
	CU_ASSERT_FATAL(rte_eal_remote_launch(stress_producer, &t, prod_lcore) == 0);
	stress_consume(&t);
	rte_eal_wait_lcore(prod_lcore);
	CU_ASSERT_EQUAL(t.abort, 0);
	__atomic_store_n(&t.done, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(check_lcore);
	while (!__atomic_load_n(&t.prod_exit, __ATOMIC_ACQUIRE) ||
	       !__atomic_load_n(&t.check_exit, __ATOMIC_ACQUIRE))
		rte_pause();

	ring_stats(t.r, &st);
	printf("\n    %s%s: %lu items, %lu out of order, full %lu, empty %lu, "
	       "hwm %lu, slip waits %lu, %lu backlog reads\n",
	       yield ? "yield" : "spin", slip_lines ? "+slip" : "",
	       t.received, t.bad_order, st.full, st.empty, st.hwm,
	       st.slip_waits, t.backlog_reads);
	if (t.bad_order)
		printf("    first bad: wanted %lu, got %lu\n", t.first_bad,
		       t.first_bad_got);
	CU_ASSERT_EQUAL(t.bad_order, 0);	/* no loss, dup or reorder */
	CU_ASSERT_EQUAL(t.received, items);
	CU_ASSERT_EQUAL(st.enqueued, items);
	CU_ASSERT_EQUAL(st.dequeued, items);
	CU_ASSERT_EQUAL(st.backlog, 0);
	CU_ASSERT(st.hwm > 0 && st.hwm <= st.size);
	CU_ASSERT_EQUAL(t.backlog_bad, 0);
	CU_ASSERT(t.backlog_reads > 0);
	CU_ASSERT_EQUAL(ring_dequeue(t.r, &leftover), -ENOENT);
	if (!t.abort)
		ring_free(t.r); /* else the producer may still hold it */
}

static void
test_ring_stress_spin(void)
{
	run_stress(STRESS_ITEMS, 0, 0);
}

static void
test_ring_stress_yield(void)
{
	run_stress(STRESS_ITEMS, 1, 0);
}

static void
test_ring_stress_slip(void)
{
	run_stress(STRESS_ITEMS / 5, 0, 2);
}

/* ---- EAL and registration ------------------------------------------- */

int
tests_setup(int argc, char **argv)
{
	/* Three lcores: consumer (main), producer, backlog checker. With
	 * two CPUs the producer gets a CPU of its own and the checker, which
	 * sleeps, shares the main one. */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char prefix[64];
	char *eal[] = {
		argv[0], "--no-huge", "-m", "256", "--no-shconf", "--no-pci",
		"--file-prefix", prefix,
		"--log-level", "lib.eal:error", "--lcores",
		ncpu > 1 ? "0@0,1@1,2@0" : "0@0,1@0,2@0", "--vdev", "net_null0",
	};

	(void)argc;
	snprintf(prefix, sizeof(prefix), "ffwdtest-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal) - 2, eal) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void
tests_teardown(void)
{
	rte_eal_cleanup();
}

int
tests_register(void)
{
	CU_pSuite s = CU_add_suite("ring", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "test_ring_edge_cases", test_ring_edge_cases) == NULL ||
	    CU_add_test(s, "test_ring_bad_sizes", test_ring_bad_sizes) == NULL ||
	    CU_add_test(s, "test_ring_null_refused", test_ring_null_refused) == NULL ||
	    CU_add_test(s, "test_ring_create_lookup", test_ring_create_lookup) == NULL ||
	    CU_add_test(s, "test_ring_layout", test_ring_layout) == NULL ||
	    CU_add_test(s, "test_ring_stress_spin", test_ring_stress_spin) == NULL ||
	    CU_add_test(s, "test_ring_stress_yield", test_ring_stress_yield) == NULL ||
	    CU_add_test(s, "test_ring_stress_slip", test_ring_stress_slip) == NULL)
		return -1;
	return 0;
}
