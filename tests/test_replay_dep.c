/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite "replay", part: departures measured on a clock the pacer
 * does not schedule by, against the asked rate.
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

void
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

