/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite "replay": the pacing schedule's arithmetic, the departure
 * histogram, the capture scan (failure rows next to success rows), and
 * the preload looped by reference count through a net_ring port whose TX
 * ring is its own RX ring, so the test sees exactly which mbufs were sent.
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

#define HZ_TEST UINT64_C(2096010000)	/* a TSC that is not a round number */

static char tmpdir[] = "/tmp/test_replay.XXXXXX";
static uint16_t ring_port = UINT16_MAX;
static volatile int no_stop;

/* ---- schedule ------------------------------------------------------- */

/* Exact floor(u * num / den) from first principles, by long division. */
static uint64_t
ref_due(uint64_t u, uint64_t num, uint64_t den)
{
	unsigned __int128 p = (unsigned __int128)u * num;

	return (uint64_t)(p / den);
}

static void
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

static void
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

static void
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

static void
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
static void
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

static void
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

static void
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
static void
test_replay_kind_keys(void)
{
	static const struct {
		const char *name, *yaml;
		const char *err;	/* NULL: good */
		double pps, mbps, speed, duration;
		uint64_t retries, burst, loops;
		bool stream, pad, measure;
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
		  "expected one of: name, kind, lcore, idle, file, loop, stream, pad" },
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

/* ---- capture files -------------------------------------------------- */

struct rec {
	uint32_t caplen, len;
	uint32_t sec, usec;
};

/* Write a capture of link type DLT whose record i holds bytes i+j. */
static void
write_pcap(const char *path, int dlt, const struct rec *recs, unsigned int n)
{
	static uint8_t buf[CAPSRC_PAD_MAX];
	pcap_t *p = pcap_open_dead(dlt, CAPSRC_PAD_MAX);
	pcap_dumper_t *d = pcap_dump_open(p, path);
	unsigned int i, j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (i = 0; i < n; i++) {
		struct pcap_pkthdr h = {
			.ts = { recs[i].sec, recs[i].usec },
			.caplen = recs[i].caplen,
			.len = recs[i].len,
		};

		for (j = 0; j < recs[i].caplen; j++)
			buf[j] = (uint8_t)(i + j);
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(p);
}

static void
test_replay_scan_table(void)
{
	static const struct rec five[] = {
		{ 60, 60, 1, 0 }, { 60, 60, 1, 1000 }, { 100, 100, 1, 3000 },
		{ 60, 60, 1, 2000 } /* backwards */, { 60, 80, 1, 5000 },
	};
	static const struct rec empties[] = { { 0, 60, 1, 0 }, { 0, 0, 2, 0 } };
	char path[128], err[CAPSRC_ERR_MAX];
	struct capsrc_opts o = { .pad = false };
	struct capsrc_info info;
	FILE *f;

	snprintf(path, sizeof(path), "%s/five.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, five, RTE_DIM(five));
	CU_ASSERT_EQUAL_FATAL(capsrc_scan(path, &o, &info, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(info.packets, 5);
	CU_ASSERT_EQUAL(info.bytes, 340);
	CU_ASSERT_EQUAL(info.short_recs, 1);
	CU_ASSERT_EQUAL(info.padded, 0);
	CU_ASSERT_EQUAL(info.backwards, 1);
	CU_ASSERT_EQUAL(info.max_len, 100);
	CU_ASSERT_EQUAL(info.seg_room, 128);
	CU_ASSERT_EQUAL(info.span_ns, 5000000);
	/* one pass: span plus the mean gap (5 ms / 4) */
	CU_ASSERT_EQUAL(info.period_ns, 5000000 + 1250000);
	o.pad = true;
	CU_ASSERT_EQUAL_FATAL(capsrc_scan(path, &o, &info, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(info.bytes, 360);
	CU_ASSERT_EQUAL(info.padded, 1);
	o.pad = false;

	/* Failure rows: each message names the file and what was wrong. */
	snprintf(path, sizeof(path), "%s/raw.pcap", tmpdir);
	write_pcap(path, DLT_RAW, five, 2);
	CU_ASSERT_EQUAL(capsrc_scan(path, &o, &info, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not Ethernet"));

	snprintf(path, sizeof(path), "%s/empty.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, empties, RTE_DIM(empties));
	CU_ASSERT_EQUAL(capsrc_scan(path, &o, &info, err, sizeof(err)), -ENODATA);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nothing to send"));

	snprintf(path, sizeof(path), "%s/garbage.pcap", tmpdir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("this is not a capture file at all", f);
	fclose(f);
	CU_ASSERT_EQUAL(capsrc_scan(path, &o, &info, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));

	snprintf(path, sizeof(path), "%s/missing.pcap", tmpdir);
	CU_ASSERT_EQUAL(capsrc_scan(path, &o, &info, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
}

/* ---- the capture and output kinds on a port (EAL) -------------------- */

/* Everything the output gave net_ring0, which loops TX into its RX. */
static unsigned int
drain_port(struct rte_mbuf **out, unsigned int max)
{
	unsigned int n = 0, got;

	do {
		got = rte_eth_rx_burst(ring_port, 0, out + n,
				       RTE_MIN(max - n, 32u));
		n += got;
	} while (got != 0 && n < max);
	return n;
}

/* A capture input and an output on ring_port, as the runtime sets them up. */
struct pair {
	struct capture_conf cc;
	struct port_tx_conf tc;
	struct stage cap, tx;
};

static void
pair_init(struct pair *p, const char *path, bool pad, uint64_t loops,
	  uint16_t burst)
{
	const struct stage_env env = {
		.label = "test", .port_id = ring_port, .queue = 0,
		.tsc_hz = rte_get_tsc_hz(), .socket = SOCKET_ID_ANY,
		.stop = &no_stop,
	};

	snprintf(p->cc.file, sizeof(p->cc.file), "%s", path);
	p->cc.loops = loops;
	p->cc.pad = pad;
	if (p->tc.retries == 0)
		p->tc.retries = 8;
	p->tc.burst = burst;
	CU_ASSERT_EQUAL_FATAL(stage_init(&p->cap, stage_kind_find("capture"),
					 "cap", &p->cc, &env), 0);
	CU_ASSERT_EQUAL_FATAL(stage_init(&p->tx, stage_kind_find("output"),
					 "tx", &p->tc, &env), 0);
}

/*
 * The segment loop in miniature: take a burst from the capture, offer it
 * to the output until it has taken all of it (a paced output takes only
 * what is due), until the capture has sent its last pass.
 */
static void
pair_run_for(struct pair *p, double limit_s)
{
	uint64_t end = limit_s > 0 ? rte_rdtsc() + (uint64_t)(limit_s * rte_get_tsc_hz()) :
		       UINT64_MAX;
	struct rte_mbuf *buf[STAGE_BURST];
	uint16_t off = 0, n = 0;

	for (;;) {
		if (n == 0) {
			/* an input segment finishes at a stop */
			if (p->cap.ended || no_stop)
				break;
			n = p->cap.burst(&p->cap, buf, STAGE_BURST);
			off = 0;
			continue;
		}
		/* What the run stops with, the output drops as `stopped`. */
		if (rte_rdtsc() >= end)
			no_stop = 1;
		uint16_t t = p->tx.burst(&p->tx, buf + off, n);

		off += t;
		n -= t;
	}
	no_stop = 0;
}

static void
pair_run(struct pair *p)
{
	pair_run_for(p, 0);
}

/* The exit report releases the capture's mbufs and counts them back. */
static const struct capture_result *
pair_fini(struct pair *p)
{
	static struct capture_result res;
	FILE *f = fopen("/dev/null", "w");

	p->cap.ops->report(&p->cap, f);
	fclose(f);
	res = *capture_result(&p->cap);
	stage_fini(&p->tx);
	stage_fini(&p->cap);
	return &res;
}

static void
check_refcount_loop(const struct rec *recs, unsigned int n, bool pad,
		    uint16_t burst)
{
	static struct rte_mbuf *out[4096];
	static struct pair p;
	const struct capture_result *res;
	char path[128];
	struct rte_mbuf *seg;
	unsigned int i, got, loops = 3;

	snprintf(path, sizeof(path), "%s/loop.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, recs, n);
	memset(&p, 0, sizeof(p));
	pair_init(&p, path, pad, loops, burst);
	pair_run(&p);
	CU_ASSERT_EQUAL(p.tx.ctr.pkts_out, n * loops);
	CU_ASSERT_EQUAL(p.cap.ctr.kind[CAPTURE_LOOPS], loops);
	/* The same mbufs, in order, three times over: no copy per loop. */
	got = drain_port(out, RTE_DIM(out));
	CU_ASSERT_EQUAL_FATAL(got, n * loops);
	for (i = 0; i < got; i++) {
		struct rte_mbuf *m = out[i % n];

		CU_ASSERT_PTR_EQUAL(out[i], m);
		/* ours + one per copy still queued in the port */
		for (seg = m; seg != NULL; seg = seg->next)
			CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(seg), 1 + loops);
	}
	/* The receiver frees what it got: back to our one reference. */
	for (i = 0; i < got; i++)
		rte_pktmbuf_free(out[i]);
	for (i = 0; i < n; i++) {
		uint32_t want = recs[i].caplen;
		uint8_t buf[512];
		const uint8_t *d;
		uint32_t j;

		if (pad && recs[i].len > recs[i].caplen)
			want = recs[i].len;
		CU_ASSERT_EQUAL(out[i]->pkt_len, want);
		for (seg = out[i]; seg != NULL; seg = seg->next)
			CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(seg), 1);
		/* bytes as captured, zeros after them when padded */
		for (j = 0; j < want; j += 256) {
			uint32_t k, len = RTE_MIN(256u, want - j);

			d = rte_pktmbuf_read(out[i], j, len, buf);
			CU_ASSERT_PTR_NOT_NULL_FATAL(d);
			for (k = 0; k < len; k++)
				CU_ASSERT_FATAL(d[k] == (j + k < recs[i].caplen ?
							 (uint8_t)(i + j + k) : 0));
		}
	}
	res = pair_fini(&p);
	CU_ASSERT(res->counted);
	CU_ASSERT(res->pool_size >= n);
	CU_ASSERT_EQUAL(res->pool_avail, res->pool_size);
}

static void
test_replay_refcount_loop(void)
{
	static const struct rec recs[] = {
		{ 60, 60, 1, 0 }, { 64, 64, 1, 10 }, { 128, 128, 1, 20 },
		{ 60, 100, 1, 30 }, { 1514, 1514, 1, 40 },
	};

	check_refcount_loop(recs, RTE_DIM(recs), false, 32);
	check_refcount_loop(recs, RTE_DIM(recs), false, 1);
}

static void
test_replay_refcount_loop_chained(void)
{
	/* Records over the 2048-byte data room span several mbufs; every
	 * segment must get its reference, or a free would recycle a segment
	 * still in the capture. */
	static const struct rec recs[] = {
		{ 60, 60, 1, 0 }, { 5000, 5000, 1, 10 }, { 9000, 9000, 1, 20 },
		{ 2048, 2048, 1, 30 }, { 2049, 2049, 1, 40 },
	};

	check_refcount_loop(recs, RTE_DIM(recs), false, 32);
}

static void
test_replay_pad(void)
{
	static const struct rec recs[] = {
		{ 60, 100, 1, 0 }, { 60, 60, 1, 10 }, { 100, 3000, 1, 20 },
	};

	check_refcount_loop(recs, RTE_DIM(recs), true, 32);
	check_refcount_loop(recs, RTE_DIM(recs), false, 32);
}

/* Free what the port received; @return how many. */
static unsigned int
free_port(void)
{
	static struct rte_mbuf *out[4096];
	unsigned int got = drain_port(out, RTE_DIM(out)), i;

	for (i = 0; i < got; i++)
		rte_pktmbuf_free(out[i]);
	return got;
}

/* The schedule a paced output keeps at 100 kpps: its due times, one TX
 * call per packet, never early. The rate measured on the far side of the
 * port is test_replay_pps_departures'. */
static void
test_replay_pps_schedule(void)
{
	static const struct rec recs[] = {
		{ 60, 60, 1, 0 }, { 60, 60, 1, 10 }, { 60, 60, 1, 20 },
		{ 60, 60, 1, 30 },
	};
	static struct pair p;
	const struct port_tx_pace *pc;
	const struct capture_result *res;
	char path[128];
	double span;

	snprintf(path, sizeof(path), "%s/pps.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, recs, RTE_DIM(recs));
	memset(&p, 0, sizeof(p));
	/* 1000 packets at 100 kpps: 9.99 ms from first to last due time */
	p.tc.pps = 100000;
	pair_init(&p, path, false, 250, 1);
	pair_run(&p);
	pc = port_tx_pace(&p.tx);
	CU_ASSERT_EQUAL(p.tx.ctr.pkts_out, 1000);
	CU_ASSERT_EQUAL(pc->dep.n, 1000);
	/* one packet per TX call (burst 1) */
	CU_ASSERT_EQUAL(p.tx.ctr.kind[PORT_TX_CALLS], 1000);
	span = (double)(pc->last_due - pc->first_due) / pc->hz;
	CU_ASSERT(fabs(span - 999 / 100000.0) < 1e-6);
	/* A packet never leaves before its time: the error is >= 0 by
	 * construction, so a wrapped (negative) value would be huge. */
	CU_ASSERT(pc->dep.max < pc->hz);
	CU_ASSERT_EQUAL(free_port(), 1000);
	res = pair_fini(&p);
	CU_ASSERT_EQUAL(res->pool_avail, res->pool_size);
}

/*
 * Measured departures. A receiver thread, on a CPU of its own where there
 * is one, polls the net_ring port while a paced output sends and stamps
 * each packet as it arrives with CLOCK_MONOTONIC: a clock the pacer does
 * not schedule by (it runs on the TSC), read on the far side of the port.
 * dep_rate() turns the stamps into the achieved rate.
 */
#define DEP_PKTS 40000u		/* 400 ms at 100 kpps */
#define DEP_TOL 0.004		/* a 1 % error is 2.5 tolerances away */

struct dep_rx {
	struct rte_mbuf **out;
	uint64_t *t_ns;
	unsigned int want, got;
	int stop;
};

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *
dep_rx_thread(void *arg)
{
	struct dep_rx *rx = arg;

	while (rx->got < rx->want && !__atomic_load_n(&rx->stop, __ATOMIC_ACQUIRE)) {
		uint16_t n = rte_eth_rx_burst(ring_port, 0, rx->out + rx->got,
					      RTE_MIN(32u, rx->want - rx->got));
		uint64_t now;
		unsigned int k;

		if (n == 0)
			continue;
		now = mono_ns();
		for (k = 0; k < n; k++)
			rx->t_ns[rx->got + k] = now;
		/* RELEASE: the main thread polls the count, then joins. */
		__atomic_store_n(&rx->got, rx->got + n, __ATOMIC_RELEASE);
	}
	return NULL;
}

struct dep_edge {
	double slope;		/* ns per packet */
	unsigned int span;	/* packets it covers */
};

static int
dep_edge_cmp(const void *a, const void *b)
{
	double x = ((const struct dep_edge *)a)->slope;
	double y = ((const struct dep_edge *)b)->slope;

	return x < y ? -1 : x > y;
}

/*
 * The achieved rate from arrival times. A packet can arrive late (the
 * pacer or the receiver was descheduled: this machine is shared) but
 * never early, so the packets that were on time lie on the line
 * t = t0 + i * T and every late one lies above it: the on-time packets
 * are the lower convex hull of the points (i, t_i). T is the median of
 * the hull's edge slopes, each weighted by the packets it spans; an edge
 * that bridges a stall joins two on-time packets and has the slope T as
 * well. Only the first and last edges can lean (from a late first or last
 * packet down to the line), and they span few packets. Needs on-time
 * packets over most of the run, not a quiet machine.
 */
struct dep_fit {
	double pps;		/* achieved rate, 0 if none */
	unsigned int on_time;	/* packets within DEP_ON_NS of the line */
	unsigned int tenths;	/* tenths of the run with 5 or more of them */
};

#define DEP_ON_NS 50000.0

static struct dep_fit
dep_rate(const uint64_t *t_ns, unsigned int n)
{
	struct dep_fit fit = { 0 };
	unsigned int *h = malloc(sizeof(*h) * n), nh = 0, i, k, total = 0;
	struct dep_edge *e = malloc(sizeof(*e) * n);
	double T = 0;

	if (h == NULL || e == NULL || n < 2)
		goto out;
	for (i = 0; i < n; i++) {
		/* Pop while the last two and i do not turn left (above). */
		while (nh >= 2) {
			unsigned int a = h[nh - 2], b = h[nh - 1];
			double cross = (double)(b - a) * ((double)t_ns[i] - (double)t_ns[a]) -
				       (double)(i - a) * ((double)t_ns[b] - (double)t_ns[a]);

			if (cross > 0)
				break;
			nh--;
		}
		h[nh++] = i;
	}
	for (k = 0; k + 1 < nh; k++) {
		e[k].span = h[k + 1] - h[k];
		e[k].slope = ((double)t_ns[h[k + 1]] - (double)t_ns[h[k]]) / e[k].span;
		total += e[k].span;
	}
	qsort(e, nh - 1, sizeof(*e), dep_edge_cmp);
	for (k = 0, i = 0; k + 1 < nh; k++) {
		i += e[k].span;
		if (2 * i >= total) {
			T = e[k].slope;
			break;
		}
	}
	/* How much of the run the line stands on: packets within
	 * DEP_ON_NS above it, and in how many tenths of the run. A line
	 * whose slope is off by 0.1 % strays DEP_ON_NS from the true one
	 * within 50 ms (a quarter of the run), so it cannot stay close to
	 * on-time packets in five tenths. */
	if (T > 0) {
		unsigned int per[10] = { 0 };
		double b = INFINITY;

		for (i = 0; i < n; i++)
			b = fmin(b, (double)(t_ns[i] - t_ns[0]) - i * T);
		for (i = 0; i < n; i++)
			if ((double)(t_ns[i] - t_ns[0]) - i * T - b < DEP_ON_NS) {
				fit.on_time++;
				per[(uint64_t)i * 10 / n]++;
			}
		for (i = 0; i < 10; i++)
			fit.tenths += per[i] >= 5;
		fit.pps = 1e9 / T;
	}
out:
	free(h);
	free(e);
	return fit;
}

/* On-time packets in at least half the run's tenths: a fit to trust. */
static bool
dep_fit_ok(const struct dep_fit *f)
{
	return f->tenths >= 5;
}

/* Send DEP_PKTS packets of the capture PATH (N records) through a paced
 * output at PPS and fit the arrivals at the receiving side; every packet
 * must arrive, in order. */
static struct dep_fit
dep_measure(const char *path, unsigned int n, double pps)
{
	static struct rte_mbuf *out[DEP_PKTS];
	static uint64_t t_ns[DEP_PKTS];
	static struct pair p;
	struct dep_rx rx = { .out = out, .t_ns = t_ns, .want = DEP_PKTS };
	const struct capture_result *res;
	unsigned int i, bad;
	struct dep_fit fit = { 0 };
	pthread_t th;

	memset(&p, 0, sizeof(p));
	p.tc.pps = pps;
	/* As ffwd replay's output: a receiver held off its CPU (the host is
	 * shared) fills the port's ring; the output waits, drops nothing. */
	p.tc.retries = PORT_TX_RETRIES_FOREVER;
	pair_init(&p, path, false, DEP_PKTS / n, 1);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, dep_rx_thread, &rx) == 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		cpu_set_t set;

		/* Off the output's CPU (EAL pinned this thread to CPU 0). */
		CPU_ZERO(&set);
		for (i = 1; i < CPU_SETSIZE && i < (unsigned int)sysconf(_SC_NPROCESSORS_ONLN); i++)
			CPU_SET(i, &set);
		pthread_setaffinity_np(th, sizeof(set), &set);
	}
	pair_run(&p);
	/* The last packets are in the ring; give the receiver 1 s. */
	for (i = 0; i < 1000 && __atomic_load_n(&rx.got, __ATOMIC_ACQUIRE) < DEP_PKTS; i++)
		usleep(1000);
	__atomic_store_n(&rx.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	/* Nothing may be left in the port for the next run. */
	CU_ASSERT_EQUAL(free_port(), 0);
	CU_ASSERT(p.cap.ended);
	CU_ASSERT_EQUAL(p.tx.ctr.pkts_out, DEP_PKTS);
	CU_ASSERT_EQUAL(port_tx_pace(&p.tx)->dep.n, DEP_PKTS);
	CU_ASSERT_EQUAL(rx.got, DEP_PKTS);
	/* The capture's mbufs in capture order, each pass: record i starts
	 * with the byte i (write_pcap). Counted, then asserted once: after a
	 * loss every later packet is out of place, and CUnit records each
	 * failed assertion in a list it walks to the end. */
	for (i = 0, bad = 0; i < rx.got; i++)
		bad += out[i] != out[i % n] ||
		       rte_pktmbuf_mtod(out[i], const uint8_t *)[0] != (uint8_t)(i % n);
	CU_ASSERT_EQUAL(bad, 0);
	if (rx.got == DEP_PKTS)
		fit = dep_rate(t_ns, rx.got);
	for (i = 0; i < rx.got; i++)
		rte_pktmbuf_free(out[i]);
	res = pair_fini(&p);
	CU_ASSERT_EQUAL(res->pool_avail, res->pool_size);
	return fit;
}

/*
 * Measure at PPS until a fit can be trusted (dep_fit_ok()), up to 5 runs:
 * on a machine so busy that the pacer or the receiver is off the CPU most
 * of the time, hardly a packet is on time and no run may say what rate
 * the pacer keeps. Returns false if none could.
 */
static bool
dep_measure_ok(const char *path, unsigned int n, double pps, struct dep_fit *f)
{
	unsigned int k;

	for (k = 0; k < 5; k++) {
		*f = dep_measure(path, n, pps);
		printf("\n    asked %.0f pps: measured %.3f (%+.4f %%), %u of %u packets on time, in %u tenths of the run",
		       pps, f->pps, (f->pps / pps - 1) * 100, f->on_time,
		       DEP_PKTS, f->tenths);
		if (dep_fit_ok(f))
			return true;
	}
	return false;
}

static void
test_replay_pps_departures(void)
{
	static const struct rec recs[] = {
		{ 60, 60, 1, 0 }, { 60, 60, 1, 10 }, { 60, 60, 1, 20 },
		{ 60, 60, 1, 30 },
	};
	struct dep_fit at, off;
	char path[128];

	snprintf(path, sizeof(path), "%s/pps-dep.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, recs, RTE_DIM(recs));
	/* The output calibrates the TSC itself (EAL's rate is rounded to
	 * 10 MHz, about 0.2 % off here), as in a pipeline or a replay. */
	if (!dep_measure_ok(path, RTE_DIM(recs), 100000, &at) ||
	    /* The measurement must be able to see a 1 % error: the same
	     * output told 101 kpps must be measured outside the tolerance
	     * of 100 kpps. */
	    !dep_measure_ok(path, RTE_DIM(recs), 101000, &off)) {
		tests_skip("replay/pps_departures: machine too busy to measure a rate, 5 runs with too few packets on time");
	} else {
		CU_ASSERT(fabs(at.pps / 100000 - 1) < DEP_TOL);
		CU_ASSERT(fabs(off.pps / 101000 - 1) < DEP_TOL);
		CU_ASSERT(fabs(off.pps / 100000 - 1) >= DEP_TOL);
	}
	printf("\n");
}

/*
 * timing: the output follows the capture's gaps, carried by each mbuf,
 * across the turn of a loop too (one pass lasts span + the mean gap). 4
 * records 10 ms apart, 2 passes at speed 10: departures 1 ms apart, the
 * last 7 ms after the first.
 */
static void
test_replay_timing_gaps(void)
{
	static const struct rec recs[] = {
		{ 60, 60, 1, 0 }, { 60, 60, 1, 10000 }, { 60, 60, 1, 20000 },
		{ 60, 60, 1, 30000 },
	};
	static struct pair p;
	const struct port_tx_pace *pc;
	char path[128];
	uint64_t want;

	snprintf(path, sizeof(path), "%s/timing.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, recs, RTE_DIM(recs));
	memset(&p, 0, sizeof(p));
	p.tc.speed = 10;
	pair_init(&p, path, false, 2, 1);
	pair_run(&p);
	pc = port_tx_pace(&p.tx);
	CU_ASSERT_EQUAL(p.tx.ctr.pkts_out, 8);
	/* 70 ms of capture time at speed 10, to the cycle */
	want = ref_due(70000000, pc->hz, UINT64_C(10) * 1000000000);
	CU_ASSERT(pc->last_due - pc->first_due + 1 >= want &&
		  pc->last_due - pc->first_due <= want + 1);
	CU_ASSERT_EQUAL(pc->dep.n, 8);
	CU_ASSERT_EQUAL(free_port(), 8);
	CU_ASSERT_EQUAL(pair_fini(&p)->pool_avail, 4);
}

/*
 * A paced output's duration: nothing due after it is taken, so the path
 * holds one burst and its input rests; the stop drops what is held.
 */
static void
test_replay_duration(void)
{
	static const struct rec recs[] = { { 60, 60, 1, 0 } };
	static struct pair p;
	char path[128];

	snprintf(path, sizeof(path), "%s/dur.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, recs, RTE_DIM(recs));
	memset(&p, 0, sizeof(p));
	/* 20 kpps for 10 ms: 200 packets, then nothing until the stop */
	p.tc.pps = 20000;
	p.tc.duration = 0.01;
	pair_init(&p, path, false, 500, 32);
	pair_run_for(&p, 0.5);
	/* 200 unless the host held this thread past the end: what was late
	 * then stays; never one due after the end */
	CU_ASSERT(p.tx.ctr.pkts_out <= 200 && p.tx.ctr.pkts_out > 0);
	CU_ASSERT(port_tx_pace(&p.tx)->last_due - port_tx_pace(&p.tx)->first_due <
		  port_tx_pace(&p.tx)->hz / 100);
	/* the capture stopped at the burst that was held */
	CU_ASSERT(p.cap.ctr.pkts_out <= 200 + STAGE_BURST);
	CU_ASSERT(!p.cap.ended);
	CU_ASSERT_EQUAL(p.tx.ctr.pkts_in, p.cap.ctr.pkts_out);
	CU_ASSERT_EQUAL(stage_drops(&p.tx), p.cap.ctr.pkts_out - p.tx.ctr.pkts_out);
	CU_ASSERT(stage_drops(&p.tx) > 0);
	CU_ASSERT_EQUAL(free_port(), p.tx.ctr.pkts_out);
	CU_ASSERT_EQUAL(pair_fini(&p)->pool_avail, 1);
}

/* ---- set-up --------------------------------------------------------- */

int
tests_setup(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = {
		argv[0], "--no-huge", "-m", "256", "--no-pci", "-l", "0",
		"--vdev", "net_ring0", "--file-prefix", prefix, "--log-level",
		"lib.eal:error", NULL,
	};
	struct rte_eth_conf conf = { 0 };
	struct rte_mempool *rx_pool;
	uint16_t pid;

	(void)argc;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(prefix, sizeof(prefix), "test-replay-%d", (int)getpid());
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		return -1;
	RTE_ETH_FOREACH_DEV(pid) {
		ring_port = pid;
		break;
	}
	/* net_ring wants an RX queue with a pool even though it never
	 * allocates from it. */
	rx_pool = rte_pktmbuf_pool_create("rx", 63, 0, 0, 256, SOCKET_ID_ANY);
	if (ring_port == UINT16_MAX || rx_pool == NULL ||
	    rte_eth_dev_configure(ring_port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(ring_port, 0, 1024, SOCKET_ID_ANY, NULL,
				   rx_pool) != 0 ||
	    rte_eth_tx_queue_setup(ring_port, 0, 1024, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(ring_port) != 0)
		return -1;
	return 0;
}

void
tests_teardown(void)
{
	char cmd[PATH_MAX + 64];

	if (ring_port != UINT16_MAX) {
		rte_eth_dev_stop(ring_port);
		rte_eth_dev_close(ring_port);
	}
	/* EAL's runtime folder is this process's alone (its prefix holds
	 * the pid): remove it with the capture files. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", tmpdir,
		 rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int
tests_register(void)
{
	CU_pSuite s = CU_add_suite("replay", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "test_replay_sched_pps_absolute",
			test_replay_sched_pps_absolute) == NULL ||
	    CU_add_test(s, "test_replay_sched_mbps_line_rate",
			test_replay_sched_mbps_line_rate) == NULL ||
	    CU_add_test(s, "test_replay_sched_timing_speed",
			test_replay_sched_timing_speed) == NULL ||
	    CU_add_test(s, "test_replay_sched_rejects",
			test_replay_sched_rejects) == NULL ||
	    CU_add_test(s, "test_replay_hist_buckets",
			test_replay_hist_buckets) == NULL ||
	    CU_add_test(s, "test_replay_hist_quantiles",
			test_replay_hist_quantiles) == NULL ||
	    CU_add_test(s, "test_replay_scan_table",
			test_replay_scan_table) == NULL ||
	    CU_add_test(s, "test_replay_refcount_loop",
			test_replay_refcount_loop) == NULL ||
	    CU_add_test(s, "test_replay_refcount_loop_chained",
			test_replay_refcount_loop_chained) == NULL ||
	    CU_add_test(s, "test_replay_pad", test_replay_pad) == NULL ||
	    CU_add_test(s, "test_replay_pps_schedule",
			test_replay_pps_schedule) == NULL ||
	    CU_add_test(s, "test_replay_pps_departures",
			test_replay_pps_departures) == NULL ||
	    CU_add_test(s, "test_replay_timing_gaps",
			test_replay_timing_gaps) == NULL ||
	    CU_add_test(s, "test_replay_duration",
			test_replay_duration) == NULL ||
	    CU_add_test(s, "test_replay_sched_incremental",
			test_replay_sched_incremental) == NULL ||
	    CU_add_test(s, "test_replay_kind_keys",
			test_replay_kind_keys) == NULL)
		return -1;
	return 0;
}
