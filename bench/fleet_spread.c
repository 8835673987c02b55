/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-fleet-spread: what the fleet's software spreader costs per packet.
 * The same bursts of a capture's packets (warm in cache, as they are just
 * after an RX burst) go (a) into one ring, as a segment's sink does
 * without a fleet behind it, and (b) through fleet_spread() into two
 * replicas' rings; each round drains the rings again. spread_ns = (b) -
 * (a) per packet. It also times the two symmetric hashes the issue named:
 * ffwd's order-independent 5-tuple hash (fleet_hash) and Toeplitz with the
 * symmetric 0x6d5a key (rte_softrss_be over the same 5-tuple, parsed the
 * same way), and says which is faster.
 *
 *   bench-fleet-spread EAL-ARGS -- CAPTURE [ROUNDS]
 *
 * Prints per round, then medians: plain_ns spread_ns hash_ns toeplitz_ns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_thash.h>

#include "fleet.h"

#define NPKT	4096	/* working set: warm, as after RX */
#define ITERS	250	/* passes over it per block */
#define MAXR	15

static struct rte_mbuf *pkts[NPKT];

/* No resize is ever asked for here: the slow path of app/fleet.c is not
 * linked, and reaching it would be a bug in this benchmark. */
void
fleet_spread_progress(struct fleet *f)
{
	(void)f;
	fprintf(stderr, "bench-fleet-spread: unexpected resize\n");
	abort();
}
static unsigned int npkt;

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return v[n / 2];
}

/*
 * Nanoseconds per packet of F over the working set: the best of BLOCKS
 * runs, since other processes on the machine only ever add time.
 */
#define BLOCKS 8
static double
time_it(void (*f)(void *), void *arg)
{
	double best = 1e18;
	int b;

	for (b = 0; b < BLOCKS; b++) {
		uint64_t t0 = rte_rdtsc(), t;

		f(arg);
		t = rte_rdtsc() - t0;
		best = RTE_MIN(best, (double)t);
	}
	return best * 1e9 / rte_get_tsc_hz() / ((double)ITERS * npkt);
}

static void
run_plain(void *arg)
{
	struct ffwd_ring *r = arg;
	void *out[STAGE_BURST];
	unsigned int it, i, k;

	for (it = 0; it < ITERS; it++)
		for (i = 0; i + STAGE_BURST <= npkt; i += STAGE_BURST) {
			k = ring_enqueue_burst(r, (void *const *)&pkts[i], STAGE_BURST);
			ring_dequeue_burst(r, out, k);
		}
}

static void
run_spread(void *arg)
{
	struct fleet *f = arg;
	struct rte_mbuf *burst[STAGE_BURST];
	void *out[STAGE_BURST];
	unsigned int it, i, r;

	for (it = 0; it < ITERS; it++)
		for (i = 0; i + STAGE_BURST <= npkt; i += STAGE_BURST) {
			memcpy(burst, &pkts[i], sizeof(burst));
			fleet_spread(f, burst, STAGE_BURST);
			for (r = 0; r < f->n_rep; r++)
				while (ring_dequeue_burst(f->in[r], out, STAGE_BURST) != 0)
					;
		}
}

static volatile uint32_t sink;

static void
run_hash(void *arg)
{
	unsigned int it, i;
	uint32_t acc = 0;

	(void)arg;
	for (it = 0; it < ITERS; it++)
		for (i = 0; i < npkt; i++)
			acc += fleet_hash(pkts[i]);
	sink = acc;
}

static uint32_t toep_key[40 / 4];

/* The 5-tuple, parsed like stage_flow_hash() (IPv4 only here; other
 * frames get a tuple of zeros, as cheap for both), then Toeplitz. */
static inline uint32_t
toeplitz(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len, off = 12, tuple[3] = { 0, 0, 0 };
	uint16_t et;
	int tags;

	if (len < 14)
		return 0;
	memcpy(&et, p + 12, 2);
	for (tags = 0; tags < 2 && (et == RTE_BE16(0x8100) || et == RTE_BE16(0x88a8)) &&
	     off + 6 <= len; tags++) {
		off += 4;
		memcpy(&et, p + off, 2);
	}
	off += 2;
	if (et == RTE_BE16(0x0800) && off + 24 <= len) {
		const uint8_t *ip = p + off;
		uint32_t l4 = off + (ip[0] & 0xf) * 4u;

		tuple[0] = rte_be_to_cpu_32(*(const uint32_t *)(ip + 12));
		tuple[1] = rte_be_to_cpu_32(*(const uint32_t *)(ip + 16));
		if (l4 + 4 <= len)
			tuple[2] = rte_be_to_cpu_32(*(const uint32_t *)(p + l4));
	}
	return rte_softrss_be(tuple, 3, (const uint8_t *)toep_key);
}

static void
run_toeplitz(void *arg)
{
	unsigned int it, i;
	uint32_t acc = 0;

	(void)arg;
	for (it = 0; it < ITERS; it++)
		for (i = 0; i < npkt; i++)
			acc += toeplitz(pkts[i]);
	sink = acc;
}

int
main(int argc, char **argv)
{
	double plain[MAXR], spread[MAXR], hash[MAXR], toep[MAXR];
	char errbuf[PCAP_ERRBUF_SIZE];
	struct rte_mempool *mp;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t key[40];
	struct fleet *f;
	pcap_t *pc;
	int ret, rounds = 5, r;
	unsigned int b;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return 1;
	argc -= ret;
	argv += ret;
	if (argc < 2) {
		fprintf(stderr, "usage: bench-fleet-spread EAL-ARGS -- CAPTURE [ROUNDS]\n");
		return 2;
	}
	if (argc > 2)
		rounds = atoi(argv[2]);
	if (rounds < 1 || rounds > MAXR)
		rounds = 5;
	mp = rte_pktmbuf_pool_create("spread_mbufs", NPKT + 64, 0, 0, 2176, rte_socket_id());
	pc = pcap_open_offline(argv[1], errbuf);
	if (mp == NULL || pc == NULL) {
		fprintf(stderr, "bench-fleet-spread: %s\n", pc == NULL ? errbuf : "no pool");
		return 1;
	}
	while (npkt < NPKT && pcap_next_ex(pc, &h, &data) == 1) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t len = RTE_MIN(h->caplen, 2048u);

		if (m == NULL)
			break;
		memcpy(rte_pktmbuf_append(m, len), data, len);
		pkts[npkt++] = m;
	}
	pcap_close(pc);
	npkt -= npkt % STAGE_BURST;
	for (b = 0; b < 40; b += 2) {
		key[b] = 0x6d;
		key[b + 1] = 0x5a;
	}
	rte_convert_rss_key((const uint32_t *)key, toep_key, sizeof(key));

	f = rte_zmalloc("fleet", sizeof(*f), RTE_CACHE_LINE_SIZE);
	f->n_rep = 2;
	for (b = 0; b < FLEET_BUCKETS; b++)
		f->table[b] = (uint8_t)(b % 2);
	f->in[0] = ring_create("bfs", "r0", 1024, rte_socket_id(), NULL);
	f->in[1] = ring_create("bfs", "r1", 1024, rte_socket_id(), NULL);
	if (f->in[0] == NULL || f->in[1] == NULL) {
		fprintf(stderr, "bench-fleet-spread: rings failed\n");
		return 1;
	}
	printf("bench-fleet-spread: %u packets of %s, %d rounds of %u passes\n",
	       npkt, argv[1], rounds, ITERS);
	for (r = 0; r < rounds; r++) {
		plain[r] = time_it(run_plain, f->in[0]);
		spread[r] = time_it(run_spread, f) - plain[r];
		hash[r] = time_it(run_hash, NULL);
		toep[r] = time_it(run_toeplitz, NULL);
		printf("round %d: plain_ns %.2f spread_ns %.2f hash_ns %.2f toeplitz_ns %.2f\n",
		       r + 1, plain[r], spread[r], hash[r], toep[r]);
	}
	printf("median: plain_ns %.2f spread_ns %.2f hash_ns %.2f toeplitz_ns %.2f\n",
	       median(plain, rounds), median(spread, rounds), median(hash, rounds),
	       median(toep, rounds));
	return 0;
}
