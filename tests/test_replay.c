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
#include "test_replay.h"

char tmpdir[] = "/tmp/test_replay.XXXXXX";
uint16_t ring_port = UINT16_MAX;
volatile int no_stop;

/* ---- capture files -------------------------------------------------- */

/* Write a capture of link type DLT whose record i holds bytes i+j. */
void
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

/*
 * A capture's share (capsrc opts every/from): only its packets preloaded,
 * each with the packets, bytes and capture time of the whole capture since
 * the share's one before it (the first across the turn of the pass), and
 * what precedes the first; a share with no packet is refused.
 */
static void
test_replay_share_table(void)
{
	/* lengths 60 60 100 60 60; times 0 1 3 3 (was 2: backwards) 5 ms;
	 * a pass lasts 5 + 1.25 ms */
	static const struct rec five[] = {
		{ 60, 60, 1, 0 }, { 60, 60, 1, 1000 }, { 100, 100, 1, 3000 },
		{ 60, 60, 1, 2000 }, { 60, 80, 1, 5000 },
	};
	static const struct {
		uint64_t every, from, n;	/* n 0: refused */
		uint64_t lead_pkts, lead_bytes, lead_ns;
		uint32_t pkts[5], bytes[5];
		uint64_t gap_us[5];
	} rows[] = {
		{ 1, 0, 5, 0, 0, 0, { 1, 1, 1, 1, 1 }, { 60, 60, 60, 100, 60 },
		  { 1250, 1000, 2000, 0, 2000 } },
		{ 2, 0, 3, 0, 0, 0, { 1, 2, 2 }, { 60, 120, 160 }, { 1250, 3000, 2000 } },
		{ 2, 1, 2, 1, 60, 1000, { 3, 2 }, { 180, 160 }, { 4250, 2000 } },
		{ 3, 2, 1, 2, 120, 3000, { 5 }, { 340 }, { 6250 } },
		{ 5, 4, 1, 4, 280, 5000, { 5 }, { 340 }, { 6250 } },
		{ 6, 5, 0 },
		{ 64, 63, 0 },
	};
	char path[128], err[CAPSRC_ERR_MAX], name[32];
	int gap = stage_gap_field(), span = stage_span_field();
	unsigned int i, k;

	CU_ASSERT_FATAL(gap >= 0 && span >= 0);
	snprintf(path, sizeof(path), "%s/share.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, five, RTE_DIM(five));
	for (i = 0; i < RTE_DIM(rows); i++) {
		struct capsrc_opts o = {
			.pool = name, .gap_field = gap, .span_field = span,
			.every = rows[i].every, .from = rows[i].from,
		};
		struct capsrc_info info;
		struct capsrc *c;

		snprintf(name, sizeof(name), "share_%u", i);
		CU_ASSERT_EQUAL_FATAL(capsrc_scan(path, &o, &info, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(info.packets, 5);
		CU_ASSERT_EQUAL(info.share_packets, rows[i].n);
		CU_ASSERT_EQUAL(info.share_segs, rows[i].n);
		c = capsrc_load(path, &o, &info, SOCKET_ID_ANY, err, sizeof(err));
		if (rows[i].n == 0) {
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT_EQUAL(rte_errno, EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "takes none"));
			CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
			capsrc_free(c);
			continue;
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->n, rows[i].n);
		CU_ASSERT_EQUAL(c->pool->size, rows[i].n);
		CU_ASSERT_EQUAL(c->lead_pkts, rows[i].lead_pkts);
		CU_ASSERT_EQUAL(c->lead_bytes, rows[i].lead_bytes);
		CU_ASSERT_EQUAL(c->lead_ns, rows[i].lead_ns * 1000);
		for (k = 0; k < c->n; k++) {
			struct stage_span sp = stage_span(c->pkts[k], span);

			/* packet k of the share is record from + k * every */
			CU_ASSERT_EQUAL(rte_pktmbuf_mtod(c->pkts[k], uint8_t *)[0],
					(uint8_t)(rows[i].from + k * rows[i].every));
			CU_ASSERT_EQUAL(sp.pkts, rows[i].pkts[k]);
			CU_ASSERT_EQUAL(sp.bytes, rows[i].bytes[k]);
			CU_ASSERT_EQUAL(stage_gap_ns(c->pkts[k], gap), rows[i].gap_us[k] * 1000);
		}
		capsrc_free(c);
	}
}

/* ---- the capture and output kinds on a port (EAL) -------------------- */

/* Everything the output gave net_ring0, which loops TX into its RX. */
unsigned int
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

void
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
void
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

void
pair_run(struct pair *p)
{
	pair_run_for(p, 0);
}

/* The exit report releases the capture's mbufs and counts them back. */
const struct capture_result *
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
unsigned int
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
	    CU_add_test(s, "test_replay_share_table",
			test_replay_share_table) == NULL ||
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
