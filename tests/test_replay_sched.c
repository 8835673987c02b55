/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite "replay", part: the pacing schedule's arithmetic (against a
 * long division from first principles), the departure histogram, and the
 * capture and output kinds' YAML keys through conf_parse (failure rows
 * with file:line:col next to the good ones).
 */
#define _GNU_SOURCE /* pthread_setaffinity_np() */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <CUnit/CUnit.h>
#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include "capsrc.h"
#include "capture.h"
#include "conf.h"
#include "cunit_main.h"
#include "pacer.h"
#include "port_tx.h"
#include "stage.h"
#include "test_replay.h"

/* ---- schedule ------------------------------------------------------- */

/* Exact floor(u * num / den) from first principles, by long division. */
uint64_t
ref_due(uint64_t u, uint64_t num, uint64_t den)
{
	unsigned __int128 p = (unsigned __int128)u * num;

	return (uint64_t)(p / den);
}

void
test_replay_sched_pps_absolute(void)
{
	struct pacer_sched s;
	uint64_t k, prev = 0, lo = HZ_TEST / 1488095, hi = lo + 1;

	CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&s, PACER_PPS, 1488095, HZ_TEST), 0);
	s.t0 = 12345;
	/* Every interval is the rounded-down or rounded-up cycle count:
	 * rounding never carries from one packet to the next. */
	for (k = 0; k < 2000000; k++) {
		uint64_t d = pacer_sched_due(&s, k);

		CU_ASSERT_EQUAL_FATAL(d, 12345 + ref_due(k, s.num, s.den));
		if (k > 0)
			CU_ASSERT_FATAL(d - prev == lo || d - prev == hi);
		prev = d;
	}
	/* An hour of packets takes exactly an hour of cycles: no drift. */
	CU_ASSERT_EQUAL(pacer_sched_due(&s, UINT64_C(1488095) * 3600) - s.t0,
			HZ_TEST * 3600);
	/* ... and a day. */
	CU_ASSERT_EQUAL(pacer_sched_due(&s, UINT64_C(1488095) * 86400) - s.t0,
			HZ_TEST * 86400);
}

void
test_replay_sched_mbps_line_rate(void)
{
	struct pacer_sched s;
	uint64_t bits = (64 + 20) * 8;		/* 64-byte frame + IFG */
	uint64_t k;

	CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&s, PACER_MBPS, 1000, HZ_TEST), 0);
	s.t0 = 0;
	/* 1e9 bits at 1000 Mbit/s: exactly one second of cycles. */
	CU_ASSERT_EQUAL(pacer_sched_due(&s, UINT64_C(1000000000)), HZ_TEST);
	/* 1,488,095 frames of 672 bits take 0.99999994 s: the 1,488,096th
	 * leaves just before the second is over, the next one after it. */
	CU_ASSERT(pacer_sched_due(&s, 1488095 * bits) < HZ_TEST);
	CU_ASSERT(pacer_sched_due(&s, 1488096 * bits) > HZ_TEST);
	for (k = 1; k < 100000; k++)
		CU_ASSERT_FATAL(pacer_sched_due(&s, k * bits) ==
				ref_due(k * bits, HZ_TEST, 1000000000));
}

void
test_replay_sched_timing_speed(void)
{
	struct pacer_sched s;

	CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&s, PACER_TIMING, 1, HZ_TEST), 0);
	s.t0 = 7;
	CU_ASSERT_EQUAL(pacer_sched_due(&s, 1000000000), 7 + HZ_TEST);
	CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&s, PACER_TIMING, 2, HZ_TEST), 0);
	s.t0 = 0;
	CU_ASSERT_EQUAL(pacer_sched_due(&s, 1000000000), HZ_TEST / 2);
	CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&s, PACER_TIMING, 0.5, HZ_TEST), 0);
	CU_ASSERT_EQUAL(pacer_sched_due(&s, 1000000000), HZ_TEST * 2);
	/* A 10-hour capture at speed 1 still lands on the cycle. */
	CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&s, PACER_TIMING, 1, HZ_TEST), 0);
	CU_ASSERT_EQUAL(pacer_sched_due(&s, UINT64_C(36000) * 1000000000),
			HZ_TEST * 36000);
}

void
test_replay_sched_rejects(void)
{
	static const struct {
		enum pacer_mode mode;
		double rate;
		int ret;
	} rows[] = {
		{ PACER_PPS, 1488095, 0 },
		{ PACER_PPS, 0.001, 0 },
		{ PACER_PPS, 0, -EINVAL },
		{ PACER_PPS, -1, -EINVAL },
		{ PACER_PPS, 1e13, -EINVAL },
		{ PACER_MBPS, 1000, 0 },
		{ PACER_MBPS, 0, -EINVAL },
		{ PACER_TIMING, 1, 0 },
		{ PACER_TIMING, 1000, 0 },
		{ PACER_TIMING, 1001, -EINVAL },
		{ PACER_TIMING, 0, -EINVAL },
		{ PACER_TOPSPEED, 1, -EINVAL },
	};
	struct pacer_sched s;
	unsigned int i;

	for (i = 0; i < RTE_DIM(rows); i++)
		CU_ASSERT_EQUAL(pacer_sched_init(&s, rows[i].mode, rows[i].rate,
						 HZ_TEST), rows[i].ret);
	CU_ASSERT_EQUAL(pacer_sched_init(&s, PACER_PPS, NAN, HZ_TEST), -EINVAL);
}

/* ---- histogram ------------------------------------------------------ */

/*
 * The cursor (pacer_sched_add: additions, no 128-bit division) lands on
 * exactly the reference due(u) for every step, in every mode: single
 * packets, frame-sized bit steps, capture gaps up to hours (past d_max,
 * the 128-bit slow path), and rates that leave a remainder.
 */
void
test_replay_sched_incremental(void)
{
	static const struct {
		enum pacer_mode mode;
		double rate;
		uint64_t step_max;	/* steps drawn in 0..step_max */
	} rows[] = {
		{ PACER_PPS, 1488095, 1 },
		{ PACER_PPS, 0.001, 1 },
		{ PACER_PPS, 1e12, 1 },
		{ PACER_MBPS, 1000, (9018 + 24) * 8 },
		{ PACER_MBPS, 0.5, 65535 * 8 },
		{ PACER_MBPS, 123456.789, 1514 * 8 },
		{ PACER_TIMING, 1, 2000000 },
		{ PACER_TIMING, 100, UINT64_C(3600) * 1000000000 },
		{ PACER_TIMING, 0.001, UINT64_C(50) * 1000000000 },
		{ PACER_TIMING, 1000, 1 },
		/* a speed whose terms do not reduce: most steps too long */
		{ PACER_TIMING, 99.999999999, UINT64_C(3600) * 1000000000 },
	};
	unsigned int i, k, slow;

	srand(11);
	for (i = 0; i < RTE_DIM(rows); i++) {
		struct pacer_sched s;

		CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&s, rows[i].mode, rows[i].rate,
						       HZ_TEST), 0);
		pacer_sched_start(&s, 777);
		slow = 0;
		for (k = 0; k < 200000; k++) {
			uint64_t d = ((uint64_t)rand() << 31 | (uint64_t)rand()) %
				     (rows[i].step_max + 1);

			slow += d > s.d_max;
			pacer_sched_add(&s, d);
			CU_ASSERT_EQUAL_FATAL(s.due, pacer_sched_due(&s, s.u));
			CU_ASSERT_FATAL(s.rem < s.den);
		}
		/* long gaps at an irreducible speed take the slow path */
		if (rows[i].rate == 99.999999999)
			CU_ASSERT(slow != 0);
		/* packets and frames never do */
		if (rows[i].mode != PACER_TIMING)
			CU_ASSERT_EQUAL(slow, 0);
	}
}

void
test_replay_hist_buckets(void)
{
	static const uint64_t vals[] = {
		0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 1407, 1408, 4095, 4096,
		123456789, UINT64_C(1) << 40, (UINT64_C(1) << 63) - 1,
		UINT64_C(1) << 63, UINT64_MAX,
	};
	unsigned int i, prev = 0;

	for (i = 0; i < RTE_DIM(vals); i++) {
		unsigned int b = pacer_hist_bucket(vals[i]);
		uint64_t lo = pacer_hist_bucket_low(b);
		uint64_t hi = pacer_hist_bucket_high(b);

		CU_ASSERT_FATAL(b < PACER_HIST_BUCKETS);
		CU_ASSERT(lo <= vals[i] && vals[i] <= hi);
		/* a bucket is at most 1/16 of its lower bound wide */
		CU_ASSERT(hi - lo <= lo / 16);
		CU_ASSERT(b >= prev);
		prev = b;
	}
	CU_ASSERT_EQUAL(pacer_hist_bucket(UINT64_MAX), PACER_HIST_BUCKETS - 1);
	/* Buckets tile the range: each starts where the last one ended. */
	for (i = 1; i < PACER_HIST_BUCKETS; i++)
		CU_ASSERT_FATAL(pacer_hist_bucket_low(i) ==
				pacer_hist_bucket_high(i - 1) + 1);
}

void
test_replay_hist_quantiles(void)
{
	static struct pacer_hist h;
	uint64_t v;

	memset(&h, 0, sizeof(h));
	CU_ASSERT_EQUAL(pacer_hist_quantile(&h, 0.5), 0);
	for (v = 1; v <= 100000; v++)
		pacer_hist_add(&h, v);
	CU_ASSERT_EQUAL(h.n, 100000);
	CU_ASSERT_EQUAL(h.max, 100000);
	/* At most one bucket (6.25 %) above the true quantile, never below. */
	CU_ASSERT(pacer_hist_quantile(&h, 0.5) >= 50000);
	CU_ASSERT(pacer_hist_quantile(&h, 0.5) <= 50000 * 17 / 16);
	CU_ASSERT(pacer_hist_quantile(&h, 0.99) >= 99000);
	CU_ASSERT(pacer_hist_quantile(&h, 0.999) >= 99900);
	CU_ASSERT_EQUAL(pacer_hist_quantile(&h, 1), 100000);
	/* One outlier moves the max and p100, not the median. */
	pacer_hist_add(&h, 10000000);
	CU_ASSERT_EQUAL(pacer_hist_quantile(&h, 1), 10000000);
	CU_ASSERT(pacer_hist_quantile(&h, 0.5) <= 50000 * 17 / 16);
}

/* ---- the kinds' YAML keys ------------------------------------------- */

#define KIND_YAML(cap, tx)                                                     \
	"pipeline: { label: t, cpus: { 0: 0, 1: 0 } }\n"                       \
	"ports:\n"                                                             \
	"  out: { dev: net_null0 }\n"                                          \
	"stages:\n"                                                            \
	"  - { name: cap, kind: capture, lcore: 1" cap " }\n"                  \
	"  - { name: tx, kind: output, port: out, lcore: 1" tx " }\n"

/* What the capture and output parsers make of their keys: good rows with
 * the values they must give, bad rows with their file:line:col message. */
void
test_replay_kind_keys(void)
{
	static const struct {
		const char *name, *yaml;
		const char *err;	/* NULL: good */
		double pps, mbps, speed, duration;
		uint64_t retries, burst, loops;
		bool stream, pad, measure;
		uint64_t every, from;	/* every 0: the default, 1 */
		bool shared;
	} rows[] = {
		{ "defaults", KIND_YAML(", file: a.pcap", ""), NULL,
		  0, 0, 0, 0, 8, 32, 1, false, false, false },
		{ "capture keys", KIND_YAML(", file: a.pcap, loop: 0, stream: true, pad: true",
					    ", measure: true"), NULL,
		  0, 0, 0, 0, 8, 32, 0, true, true, true },
		{ "pps whole", KIND_YAML(", file: a.pcap", ", pps: 1488095"), NULL,
		  1488095, 0, 0, 0, 8, 32, 1, false, false, false },
		{ "pps decimal", KIND_YAML(", file: a.pcap", ", pps: 0.5, tx_burst: 1"), NULL,
		  0.5, 0, 0, 0, 8, 1, 1, false, false, false },
		{ "pps above the integers", KIND_YAML(", file: a.pcap", ", pps: 2e9"), NULL,
		  2e9, 0, 0, 0, 8, 32, 1, false, false, false },
		{ "mbps decimal", KIND_YAML(", file: a.pcap", ", mbps: 0.25, overhead: 24"), NULL,
		  0, 0.25, 0, 0, 8, 32, 1, false, false, false },
		{ "timing", KIND_YAML(", file: a.pcap", ", timing: 2.5, duration: 1.5"), NULL,
		  0, 0, 2.5, 1.5, 8, 32, 1, false, false, false },
		{ "retries forever", KIND_YAML(", file: a.pcap", ", retries: forever"), NULL,
		  0, 0, 0, 0, PORT_TX_RETRIES_FOREVER, 32, 1, false, false, false },
		{ "capture without file", KIND_YAML("", ""),
		  "t.yaml:5:5: stage 'cap': no file, expected file: CAPTURE (pcap or pcapng)" },
		{ "capture loop negative", KIND_YAML(", file: a.pcap, loop: -1", ""),
		  "t.yaml:5:63: stage 'cap': loop is -1, expected an integer 0..1000000000000000" },
		{ "capture with a port", KIND_YAML(", file: a.pcap, port: out", ""),
		  "t.yaml:5:57: stage 'cap': key 'port' is not valid for a capture stage, "
		  "expected one of: name, kind, lcore, idle, file, loop, stream, pad, every, from" },
		{ "deal keys", KIND_YAML(", file: a.pcap, every: 3, from: 2", ", pps: 10, shared: true"),
		  NULL, 10, 0, 0, 0, 8, 32, 1, false, false, false, 3, 2, true },
		{ "deal over 64", KIND_YAML(", file: a.pcap, every: 64, from: 63", ", timing: 1"),
		  NULL, 0, 0, 1, 0, 8, 32, 1, false, false, false, 64, 63, false },
		{ "from not below every", KIND_YAML(", file: a.pcap, every: 3, from: 3", ""),
		  "t.yaml:5:73: stage 'cap': from is 3, expected 0..2 (below every: 3)" },
		{ "from without every", KIND_YAML(", file: a.pcap, from: 1", ""),
		  "t.yaml:5:63: stage 'cap': from is 1, expected 0..0 (below every: 1)" },
		{ "every over 64", KIND_YAML(", file: a.pcap, every: 65", ""),
		  "t.yaml:5:64: stage 'cap': every is 65, expected an integer 1..64" },
		{ "every streamed", KIND_YAML(", file: a.pcap, every: 2, stream: true", ""),
		  "t.yaml:5:64: stage 'cap': every is given with stream: true,"
		  " expected a preloaded capture (stream: false) to deal" },
		{ "shared without pacing", KIND_YAML(", file: a.pcap", ", shared: true"),
		  "t.yaml:6:60: stage 'tx': shared is given without pacing,"
		  " expected it with pps, mbps or timing" },
		{ "timing with mbps", KIND_YAML(", file: a.pcap", ", mbps: 5, timing: 1"),
		  "t.yaml:6:69: stage 'tx': timing is given with mbps, expected one of pps, mbps, timing" },
		{ "timing zero", KIND_YAML(", file: a.pcap", ", timing: 0"),
		  "t.yaml:6:60: stage 'tx': timing is 0, expected a number 0.001..1000" },
		{ "pps decimal too small", KIND_YAML(", file: a.pcap", ", pps: 0.0001"),
		  "t.yaml:6:57: stage 'tx': pps is 0.0001, expected a number 0.001..1e+12" },
		{ "pps not a number", KIND_YAML(", file: a.pcap", ", pps: 1.5x"),
		  "t.yaml:6:57: stage 'tx': pps is 1.5x, expected a number 0.001..1e+12" },
		{ "retries a word", KIND_YAML(", file: a.pcap", ", retries: always"),
		  "t.yaml:6:61: stage 'tx': retries is 'always', expected an integer 0..1000 or forever" },
		{ "duration without pacing", KIND_YAML(", file: a.pcap", ", duration: 2"),
		  "t.yaml:6:62: stage 'tx': duration is given without pacing, expected it with pps, mbps or timing" },
		{ "tx_burst too large", KIND_YAML(", file: a.pcap", ", tx_burst: 33"),
		  "t.yaml:6:62: stage 'tx': tx_burst is 33, expected an integer 1..32" },
	};
	static struct conf c;
	char err[CONF_ERR_MAX];
	unsigned int i;

	for (i = 0; i < RTE_DIM(rows); i++) {
		const struct capture_conf *cc;
		const struct port_tx_conf *tc;
		int ret;

		strcpy(err, "(no message)");
		ret = conf_parse(&c, "t.yaml", rows[i].yaml, strlen(rows[i].yaml),
				 err, sizeof(err));
		if (rows[i].err != NULL) {
			if (ret != -1 || strcmp(err, rows[i].err) != 0)
				fprintf(stderr, "\n  row '%s':\n    got  %s\n    want %s\n",
					rows[i].name, ret == 0 ? "success" : err, rows[i].err);
			CU_ASSERT_EQUAL(ret, -1);
			CU_ASSERT_STRING_EQUAL(err, rows[i].err);
			conf_free(&c);
			continue;
		}
		if (ret != 0)
			fprintf(stderr, "\n  row '%s': %s\n", rows[i].name, err);
		CU_ASSERT_EQUAL_FATAL(ret, 0);
		cc = c.paths[0].stages[0].kconf;
		tc = c.paths[0].stages[1].kconf;
		CU_ASSERT_STRING_EQUAL(cc->file, "a.pcap");
		CU_ASSERT_EQUAL(cc->loops, rows[i].loops);
		CU_ASSERT_EQUAL(cc->stream, rows[i].stream);
		CU_ASSERT_EQUAL(cc->pad, rows[i].pad);
		CU_ASSERT_EQUAL(cc->every, rows[i].every ? rows[i].every : 1);
		CU_ASSERT_EQUAL(cc->from, rows[i].from);
		CU_ASSERT_EQUAL(tc->shared, rows[i].shared);
		CU_ASSERT_DOUBLE_EQUAL(tc->pps, rows[i].pps, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(tc->mbps, rows[i].mbps, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(tc->speed, rows[i].speed, 1e-12);
		CU_ASSERT_DOUBLE_EQUAL(tc->duration, rows[i].duration, 1e-12);
		CU_ASSERT_EQUAL(tc->retries, rows[i].retries);
		CU_ASSERT_EQUAL(tc->burst, rows[i].burst);
		CU_ASSERT_EQUAL(tc->measure, rows[i].measure);
		conf_free(&c);
	}
}

