/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-fleet-dist: the peer of a 2-replica ffwd fleet in bench/fleet.
 * DPDK's own flow-ordered spreader, rte_distributor in burst mode, with a
 * distributor thread (receive, tag each packet with the same symmetric
 * flow hash ffwd spreads by, distribute, collect the returns, transmit)
 * and N workers that each spend NS nanoseconds per packet, as ffwd's
 * `work` stage does. Prints the transmit rate every half second after a
 * warm-up, then "dist_mpps: MEDIAN".
 *
 *   bench-fleet-dist NS SECONDS WORKERS -- EAL-ARGS
 *
 * Port 0 is the source, port 1 the sink; the main lcore is the
 * distributor, the next WORKERS lcores the workers. When idle the
 * distributor and the workers yield (ffwd's stages do the same in yield
 * mode), so that threads sharing a CPU take turns.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_distributor.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "fleet.h"

#define BURST 32
#define MAX_SAMPLES 256

static struct rte_distributor *dist;
static uint64_t work_cycles;
static volatile int quit;

static int
worker(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg;
	struct rte_mbuf *bufs[8] __rte_cache_aligned;
	unsigned int n = 0;

	while (!quit) {
		uint64_t until;
		int got;
		/* get_pkt() without its spin: a worker sharing a CPU with the
		 * distributor thread yields to it while it waits. */
		unsigned int polls = 0;

		rte_distributor_request_pkt(dist, id, bufs, n);
		while ((got = rte_distributor_poll_pkt(dist, id, bufs)) < 0) {
			if (++polls % 256 == 0)
				sched_yield();
			else
				rte_pause();
		}
		n = (unsigned int)got;
		until = rte_rdtsc() + work_cycles * n;
		while (rte_rdtsc() < until)
			rte_pause();
	}
	rte_distributor_return_pkt(dist, id, bufs, n);
	return 0;
}

static int
port_up(uint16_t pid, struct rte_mempool *mp)
{
	struct rte_eth_conf pc = { 0 };

	if (rte_eth_dev_configure(pid, 1, 1, &pc) != 0 ||
	    rte_eth_rx_queue_setup(pid, 0, 1024, rte_socket_id(), NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(pid, 0, 1024, rte_socket_id(), NULL) != 0 ||
	    rte_eth_dev_start(pid) != 0)
		return -1;
	return 0;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	double samples[MAX_SAMPLES], seconds;
	unsigned int n_samples = 0, workers, lcore, w = 0;
	uint64_t ns, sent = 0, last_sent = 0, hz, next, end, t_last;
	struct rte_mbuf *bufs[BURST], *rets[BURST * 4];
	struct rte_mempool *mp;
	bool started = false;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "bench-fleet-dist: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (argc != 4) {
		fprintf(stderr, "usage: bench-fleet-dist EAL-ARGS -- NS SECONDS WORKERS\n");
		return 2;
	}
	ns = strtoull(argv[1], NULL, 10);
	seconds = atof(argv[2]);
	workers = (unsigned int)atoi(argv[3]);
	hz = rte_get_tsc_hz();
	work_cycles = ns * hz / 1000000000ull;
	mp = rte_pktmbuf_pool_create("dist_mbufs", 32767, 256, 0, 2176, rte_socket_id());
	if (mp == NULL || rte_eth_dev_count_avail() < 2 || port_up(0, mp) != 0 ||
	    port_up(1, mp) != 0) {
		fprintf(stderr, "bench-fleet-dist: pool or ports failed\n");
		return 1;
	}
	dist = rte_distributor_create("fleet_dist", rte_socket_id(), workers,
				      RTE_DIST_ALG_BURST);
	if (dist == NULL) {
		fprintf(stderr, "bench-fleet-dist: rte_distributor_create failed\n");
		return 1;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (w == workers)
			break;
		rte_eal_remote_launch(worker, (void *)(uintptr_t)w++, lcore);
	}
	if (w != workers) {
		fprintf(stderr, "bench-fleet-dist: %u worker lcores, need %u\n", w, workers);
		return 2;
	}
	next = rte_rdtsc() + hz;	/* one second of warm-up */
	end = next + (uint64_t)(seconds * hz);
	t_last = next;
	for (;;) {
		uint16_t n = rte_eth_rx_burst(0, 0, bufs, BURST), i, r, tx;
		uint64_t now;

		for (i = 0; i < n; i++)
			bufs[i]->hash.usr = fleet_hash(bufs[i]);
		rte_distributor_process(dist, bufs, n);
		r = (uint16_t)rte_distributor_returned_pkts(dist, rets, RTE_DIM(rets));
		tx = rte_eth_tx_burst(1, 0, rets, r);
		if (tx < r)
			rte_pktmbuf_free_bulk(rets + tx, r - tx);
		sent += r;
		if (n == 0 && r == 0)
			sched_yield();
		now = rte_rdtsc();
		if (now >= next) {
			/* The first tick ends the warm-up. */
			if (started && n_samples < MAX_SAMPLES) {
				samples[n_samples] = (sent - last_sent) /
					((double)(now - t_last) / hz) / 1e6;
				printf("rate_mpps: %.4f\n", samples[n_samples++]);
			}
			started = true;
			last_sent = sent;
			t_last = now;
			next = now + hz / 2;
			if (now >= end)
				break;
		}
	}
	if (n_samples == 0) {
		fprintf(stderr, "bench-fleet-dist: no samples\n");
		return 1;
	}
	qsort(samples, n_samples, sizeof(samples[0]), cmp_d);
	printf("dist_mpps: %.4f\n", samples[n_samples / 2]);
	fflush(stdout);
	/* The workers wait inside get_pkt for packets that will not come:
	 * a benchmark process just ends here. */
	quit = 1;
	_exit(0);
}
