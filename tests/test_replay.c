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
#include "cunit_main.h"
#include "pacer.h"

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

/* ---- preload and refcount looping (EAL) ------------------------------ */

/* Everything the pacer gave net_ring0, which loops TX into its RX. */
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

static void
run_pacer(struct capsrc *c, enum pacer_mode mode, double rate, uint64_t loops,
	  uint16_t burst, struct pacer *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	if (mode != PACER_TOPSPEED)
		CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&p->sched, mode, rate,
						       rte_get_tsc_hz()), 0);
	p->port_id = ring_port;
	p->burst = burst;
	p->stop = &no_stop;
	p->pkts = c->pkts;
	p->ts_ns = c->ts_ns;
	p->n = c->info.packets;
	p->period_ns = c->info.period_ns;
	p->loops = loops;
	p->chained = c->chained;
	pacer_run(p);
	CU_ASSERT_EQUAL(p->st.done, 1);
}

static void
check_refcount_loop(const struct rec *recs, unsigned int n, bool pad,
		    uint16_t burst)
{
	static struct rte_mbuf *out[4096];
	static struct pacer p;
	char path[128], err[CAPSRC_ERR_MAX];
	struct capsrc_opts o = { .pad = pad };
	struct capsrc_info info;
	struct rte_mbuf *seg;
	struct capsrc *c;
	unsigned int i, got, loops = 3;
	unsigned int size;

	snprintf(path, sizeof(path), "%s/loop.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, recs, n);
	CU_ASSERT_EQUAL_FATAL(capsrc_scan(path, &o, &info, err, sizeof(err)), 0);
	c = capsrc_load(path, &o, &info, SOCKET_ID_ANY, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	size = c->pool->size;
	CU_ASSERT_EQUAL(size, info.segs);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(c->pool), 0);

	run_pacer(c, PACER_TOPSPEED, 0, loops, burst, &p);
	CU_ASSERT_EQUAL(p.st.sent, n * loops);
	CU_ASSERT_EQUAL(p.st.loops, loops);
	/* The same mbufs, in order, three times over: no copy per loop. */
	got = drain_port(out, RTE_DIM(out));
	CU_ASSERT_EQUAL_FATAL(got, n * loops);
	for (i = 0; i < got; i++) {
		struct rte_mbuf *m = c->pkts[i % n];

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
		CU_ASSERT_EQUAL(c->pkts[i]->pkt_len, want);
		for (seg = c->pkts[i]; seg != NULL; seg = seg->next)
			CU_ASSERT_EQUAL(rte_mbuf_refcnt_read(seg), 1);
		/* bytes as captured, zeros after them when padded */
		for (j = 0; j < want; j += 256) {
			uint32_t k, len = RTE_MIN(256u, want - j);

			d = rte_pktmbuf_read(c->pkts[i], j, len, buf);
			CU_ASSERT_PTR_NOT_NULL_FATAL(d);
			for (k = 0; k < len; k++)
				CU_ASSERT_FATAL(d[k] == (j + k < recs[i].caplen ?
							 (uint8_t)(i + j + k) : 0));
		}
	}
	CU_ASSERT_EQUAL(capsrc_release(c), size);
	capsrc_free(c);
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

/*
 * Measured departures. A receiver thread, on a CPU of its own where there
 * is one, polls the net_ring port while the pacer sends and stamps each
 * packet as it arrives with CLOCK_MONOTONIC: a clock the pacer does not
 * schedule by (it runs on the TSC), read on the far side of the port.
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

/* Send DEP_PKTS packets of C at PPS and fit the arrivals at the
 * receiving side; every packet must arrive, in order. */
static struct dep_fit
dep_measure(struct capsrc *c, double pps, uint64_t hz)
{
	static struct rte_mbuf *out[DEP_PKTS];
	static uint64_t t_ns[DEP_PKTS];
	static struct pacer p;
	struct dep_rx rx = { .out = out, .t_ns = t_ns, .want = DEP_PKTS };
	unsigned int i;
	struct dep_fit fit = { 0 };
	pthread_t th;

	memset(&p, 0, sizeof(p));
	p.mode = PACER_PPS;
	CU_ASSERT_EQUAL_FATAL(pacer_sched_init(&p.sched, PACER_PPS, pps, hz), 0);
	p.port_id = ring_port;
	p.burst = 1;
	p.stop = &no_stop;
	p.pkts = c->pkts;
	p.ts_ns = c->ts_ns;
	p.n = c->info.packets;
	p.period_ns = c->info.period_ns;
	p.loops = DEP_PKTS / c->info.packets;
	p.chained = c->chained;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, dep_rx_thread, &rx) == 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1) {
		cpu_set_t set;

		/* Off the pacer's CPU (EAL pinned this thread to CPU 0). */
		CPU_ZERO(&set);
		for (i = 1; i < CPU_SETSIZE && i < (unsigned int)sysconf(_SC_NPROCESSORS_ONLN); i++)
			CPU_SET(i, &set);
		pthread_setaffinity_np(th, sizeof(set), &set);
	}
	pacer_run(&p);
	/* The last packets are in the ring; give the receiver 1 s. */
	for (i = 0; i < 1000 && __atomic_load_n(&rx.got, __ATOMIC_ACQUIRE) < DEP_PKTS; i++)
		usleep(1000);
	__atomic_store_n(&rx.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(p.st.done, 1);
	CU_ASSERT_EQUAL(p.st.sent, DEP_PKTS);
	CU_ASSERT_EQUAL(p.dep.n, DEP_PKTS);
	CU_ASSERT_EQUAL(rx.got, DEP_PKTS);
	for (i = 0; i < rx.got; i++)
		CU_ASSERT_PTR_EQUAL(out[i], c->pkts[i % c->info.packets]);
	if (rx.got == DEP_PKTS)
		fit = dep_rate(t_ns, rx.got);
	for (i = 0; i < rx.got; i++)
		rte_pktmbuf_free(out[i]);
	return fit;
}

/*
 * Measure at PPS until a fit can be trusted (dep_fit_ok()), up to 5 runs:
 * on a machine so busy that the pacer or the receiver is off the CPU most
 * of the time, hardly a packet is on time and no run may say what rate
 * the pacer keeps. Returns false if none could.
 */
static bool
dep_measure_ok(struct capsrc *c, double pps, uint64_t hz, struct dep_fit *f)
{
	unsigned int k;

	for (k = 0; k < 5; k++) {
		*f = dep_measure(c, pps, hz);
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
	char path[128], err[CAPSRC_ERR_MAX];
	struct capsrc_opts o = { .pad = false };
	struct capsrc_info info;
	struct dep_fit at, off;
	struct capsrc *c;
	uint64_t hz;

	snprintf(path, sizeof(path), "%s/pps.pcap", tmpdir);
	write_pcap(path, DLT_EN10MB, recs, RTE_DIM(recs));
	CU_ASSERT_EQUAL_FATAL(capsrc_scan(path, &o, &info, err, sizeof(err)), 0);
	c = capsrc_load(path, &o, &info, SOCKET_ID_ANY, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* Calibrated, as ffwd replay does: EAL's TSC rate is rounded to
	 * 10 MHz, about 0.2 % off here. */
	hz = pacer_calibrate_hz(0.2);
	if (!dep_measure_ok(c, 100000, hz, &at) ||
	    /* The measurement must be able to see a 1 % error: the same
	     * pacer told 101 kpps must be measured outside the tolerance
	     * of 100 kpps. */
	    !dep_measure_ok(c, 101000, hz, &off)) {
		tests_skip("replay/pps_departures: machine too busy to measure a rate, 5 runs with too few packets on time");
	} else {
		CU_ASSERT(fabs(at.pps / 100000 - 1) < DEP_TOL);
		CU_ASSERT(fabs(off.pps / 101000 - 1) < DEP_TOL);
		CU_ASSERT(fabs(off.pps / 100000 - 1) >= DEP_TOL);
	}
	printf("\n");
	CU_ASSERT_EQUAL(capsrc_release(c), c->pool->size);
	capsrc_free(c);
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
	    CU_add_test(s, "test_replay_pps_departures",
			test_replay_pps_departures) == NULL)
		return -1;
	return 0;
}
