/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/ring: ffwd's FastForward ring against DPDK's rte_ring (SP/SC),
 * measured alternately in the same run.
 *
 *  - throughput: producer on one CPU, consumer on another, N items in
 *    bursts of 1, 8 and 32; ns per item, median of R rounds;
 *  - round trip: one item there and one back through a pair of rings;
 *  - same-core: producer and consumer in one thread, no line transfer:
 *    the instruction floor of each ring;
 *  - variants of ours, so the docs can say what each idea bought:
 *    temporal slipping (1 and 2 lines) and "classic" FastForward, which
 *    NULLs each slot as it reads it instead of a line at a time.
 *
 * Ends with: result: ring ratio_b1=.. ratio_b8=.. ratio_b32=.. rtt_ratio=..
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "ffwd_ring.h"

#define RING_SLOTS	1024
#define MAX_ROUNDS	15
#define BURSTS		3

static const unsigned int bursts[BURSTS] = { 1, 8, 32 };

/* ---- "classic" FastForward: per-slot clearing, for comparison only ---- */

struct classic {
	struct {
		uint64_t head;
	} prod __rte_aligned(128);
	struct {
		uint64_t tail;
	} cons __rte_aligned(128);
	void *slots[RING_SLOTS] __rte_aligned(128);
	char guard[128];
};

static inline unsigned int
classic_enq(struct classic *c, void *const *objs, unsigned int n)
{
	uint64_t head = c->prod.head;
	unsigned int i;

	for (i = 0; i < n; i++) {
		void **slot = &c->slots[(head + i) & (RING_SLOTS - 1)];

		if (__atomic_load_n(slot, __ATOMIC_ACQUIRE) != NULL)
			break;
		__atomic_store_n(slot, objs[i], __ATOMIC_RELEASE);
	}
	c->prod.head = head + i;
	return i;
}

static inline unsigned int
classic_deq(struct classic *c, void **objs, unsigned int n)
{
	uint64_t tail = c->cons.tail;
	unsigned int i;

	for (i = 0; i < n; i++) {
		void **slot = &c->slots[(tail + i) & (RING_SLOTS - 1)];
		void *o = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

		if (o == NULL)
			break;
		objs[i] = o;
		__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
	}
	c->cons.tail = tail + i;
	return i;
}

/* ---- the same loops for every ring type ------------------------------ */

struct xfer {
	void *ring;
	uint64_t items;
	unsigned int burst;
	volatile int go;
};

#define RTE_ENQ(r, o, n) rte_ring_sp_enqueue_burst((r), (o), (n), NULL)
#define RTE_DEQ(r, o, n) rte_ring_sc_dequeue_burst((r), (o), (n), NULL)
#define FF_ENQ(r, o, n)	 ring_enqueue_burst((r), (o), (n))
#define FF_DEQ(r, o, n)	 ring_dequeue_burst((r), (o), (n))
#define CL_ENQ(r, o, n)	 classic_enq((r), (o), (n))
#define CL_DEQ(r, o, n)	 classic_deq((r), (o), (n))

/*
 * For each ring type T: a producer lcore function, a consumer that times
 * the transfer, a same-core loop and a ping-pong echo. Macros rather than
 * function pointers so that each ring's inline fast path is inlined, as it
 * is in real use.
 */
#define DEFINE_BENCH(T, RTYPE, ENQ, DEQ)                                      \
static int                                                                    \
T##_producer(void *arg)                                                       \
{                                                                             \
	struct xfer *x = arg;                                                 \
	RTYPE *r = x->ring;                                                   \
	void *objs[32];                                                       \
	uint64_t sent = 0;                                                    \
	unsigned int k;                                                       \
                                                                              \
	for (k = 0; k < 32; k++)                                              \
		objs[k] = (void *)(uintptr_t)(k + 1);                         \
	while (!x->go)                                                        \
		rte_pause();                                                  \
	while (sent < x->items)                                               \
		sent += ENQ(r, objs, x->burst);                               \
	return 0;                                                             \
}                                                                             \
                                                                              \
static uint64_t                                                               \
T##_consume(struct xfer *x)                                                   \
{                                                                             \
	RTYPE *r = x->ring;                                                   \
	void *objs[32];                                                       \
	uint64_t got = 0, t0;                                                 \
                                                                              \
	t0 = rte_rdtsc_precise();                                             \
	x->go = 1;                                                            \
	while (got < x->items)                                                \
		got += DEQ(r, objs, x->burst);                                \
	return rte_rdtsc_precise() - t0;                                      \
}                                                                             \
                                                                              \
static uint64_t                                                               \
T##_same_core(RTYPE *r, uint64_t items, unsigned int burst)                   \
{                                                                             \
	void *objs[32];                                                       \
	uint64_t done = 0, t0;                                                \
	unsigned int k;                                                       \
                                                                              \
	for (k = 0; k < 32; k++)                                              \
		objs[k] = (void *)(uintptr_t)(k + 1);                         \
	t0 = rte_rdtsc_precise();                                             \
	while (done < items) {                                                \
		ENQ(r, objs, burst);                                          \
		done += DEQ(r, objs, burst);                                  \
	}                                                                     \
	return rte_rdtsc_precise() - t0;                                      \
}                                                                             \
                                                                              \
struct T##_pp {                                                               \
	RTYPE *there, *back;                                                  \
	uint64_t trips;                                                       \
	volatile int go;                                                      \
};                                                                            \
                                                                              \
static int                                                                    \
T##_echo(void *arg)                                                           \
{                                                                             \
	struct T##_pp *p = arg;                                               \
	void *o;                                                              \
	uint64_t i;                                                           \
                                                                              \
	while (!p->go)                                                        \
		rte_pause();                                                  \
	for (i = 0; i < p->trips; i++) {                                      \
		while (DEQ(p->there, &o, 1) == 0)                             \
			;                                                     \
		while (ENQ(p->back, &o, 1) == 0)                              \
			;                                                     \
	}                                                                     \
	return 0;                                                             \
}                                                                             \
                                                                              \
static uint64_t                                                               \
T##_pingpong(struct T##_pp *p)                                                \
{                                                                             \
	void *o = (void *)(uintptr_t)1;                                       \
	uint64_t i, t0;                                                       \
                                                                              \
	p->go = 1;                                                            \
	t0 = rte_rdtsc_precise();                                             \
	for (i = 0; i < p->trips; i++) {                                      \
		while (ENQ(p->there, &o, 1) == 0)                             \
			;                                                     \
		while (DEQ(p->back, &o, 1) == 0)                              \
			;                                                     \
	}                                                                     \
	return rte_rdtsc_precise() - t0;                                      \
}

DEFINE_BENCH(rte, struct rte_ring, RTE_ENQ, RTE_DEQ)
DEFINE_BENCH(ff, struct ffwd_ring, FF_ENQ, FF_DEQ)
/* Classic FastForward is only timed for throughput. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
DEFINE_BENCH(cl, struct classic, CL_ENQ, CL_DEQ)
#pragma GCC diagnostic pop

/* ---- driver ---------------------------------------------------------- */

enum kind { K_RTE, K_FF, K_FF_SLIP1, K_FF_SLIP2, K_CLASSIC, K_N };
static const char *const kind_name[K_N] = {
	"rte_ring", "ffwd", "ffwd slip=1", "ffwd slip=2", "classic FF",
};

struct bench {
	uint64_t items, trips;
	unsigned int rounds;
	unsigned int peer_lcore;
	double hz_ns;		/* ns per TSC cycle */
	struct rte_ring *rte[2];
	struct ffwd_ring *ff[K_N][2];
	struct classic *cl[2];
};

static void
drain_all(struct bench *b)
{
	void *o[32];
	int i;

	for (i = 0; i < 2; i++) {
		while (rte_ring_sc_dequeue_burst(b->rte[i], o, 32, NULL))
			;
		for (int k = K_FF; k <= K_FF_SLIP2; k++)
			while (ring_dequeue_burst(b->ff[k][i], o, 32))
				;
		while (classic_deq(b->cl[i], o, 32))
			;
	}
}

static double
run_xfer(struct bench *b, enum kind k, unsigned int burst)
{
	struct xfer x = { .items = b->items, .burst = burst };
	lcore_function_t *prod;
	uint64_t cyc;

	switch (k) {
	case K_RTE:
		x.ring = b->rte[0];
		prod = rte_producer;
		break;
	case K_CLASSIC:
		x.ring = b->cl[0];
		prod = cl_producer;
		break;
	default:
		x.ring = b->ff[k][0];
		prod = ff_producer;
		break;
	}
	rte_eal_remote_launch(prod, &x, b->peer_lcore);
	cyc = k == K_RTE ? rte_consume(&x) : k == K_CLASSIC ? cl_consume(&x) :
							      ff_consume(&x);
	rte_eal_wait_lcore(b->peer_lcore);
	drain_all(b);
	return cyc * b->hz_ns / b->items;
}

static double
run_rtt(struct bench *b, enum kind k)
{
	uint64_t cyc;

	if (k == K_RTE) {
		struct rte_pp p = { b->rte[0], b->rte[1], b->trips, 0 };

		rte_eal_remote_launch(rte_echo, &p, b->peer_lcore);
		cyc = rte_pingpong(&p);
	} else {
		struct ff_pp p = { b->ff[K_FF][0], b->ff[K_FF][1], b->trips, 0 };

		rte_eal_remote_launch(ff_echo, &p, b->peer_lcore);
		cyc = ff_pingpong(&p);
	}
	rte_eal_wait_lcore(b->peer_lcore);
	drain_all(b);
	return cyc * b->hz_ns / b->trips;
}

static double
run_same(struct bench *b, enum kind k, unsigned int burst)
{
	uint64_t cyc;

	if (k == K_RTE)
		cyc = rte_same_core(b->rte[0], b->items, burst);
	else
		cyc = ff_same_core(b->ff[K_FF][0], b->items, burst);
	drain_all(b);
	return cyc * b->hz_ns / b->items;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
usage(const char *prog)
{
	printf("usage: %s [--items N] [--rounds R] [--trips N] [-- EAL args]\n"
	       "  --items N   items per throughput run (default 20000000)\n"
	       "  --rounds R  rounds, medians reported (default 5, max %d)\n"
	       "  --trips N   ping-pong round trips (default 1000000)\n"
	       "EAL defaults: --no-huge -m 512 --lcores 0@0,1@1 (consumer on\n"
	       "CPU 0, producer on CPU 1).\n",
	       prog, MAX_ROUNDS);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "items", required_argument, NULL, 'i' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "trips", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b = { .items = 20000000, .trips = 1000000, .rounds = 5 };
	double xf[K_N][BURSTS][MAX_ROUNDS], rtt[2][MAX_ROUNDS], same[2][BURSTS][MAX_ROUNDS];
	double med_xf[K_N][BURSTS], med_rtt[2], med_same[2][BURSTS];
	char prefix[64], *eal[16];
	int opt, n_eal = 0;
	unsigned int round, bi, i;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': b.items = strtoull(optarg, NULL, 0); break;
		case 'r': b.rounds = atoi(optarg); break;
		case 't': b.trips = strtoull(optarg, NULL, 0); break;
		case 'h': usage(argv[0]); return 0;
		default: usage(argv[0]); return 2;
		}
	}
	if (b.rounds < 1 || b.rounds > MAX_ROUNDS || b.items < 1000 || b.trips < 1) {
		usage(argv[0]);
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "bench-ring-%d", (int)getpid());
	eal[n_eal++] = argv[0];
	if (optind < argc) {
		for (int a = optind; a < argc && n_eal < 15; a++)
			eal[n_eal++] = argv[a];
	} else {
		char *defs[] = { "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
				 "--file-prefix", prefix, "--log-level", "lib.eal:error",
				 "--lcores", "0@0,1@1" };
		for (i = 0; i < RTE_DIM(defs); i++)
			eal[n_eal++] = defs[i];
	}
	if (rte_eal_init(n_eal, eal) < 0) {
		fprintf(stderr, "bench/ring: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	b.peer_lcore = rte_get_next_lcore(-1, 1, 0);
	if (b.peer_lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "bench/ring: needs two lcores\n");
		return 1;
	}
	b.hz_ns = 1e9 / rte_get_tsc_hz();

	for (i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "rte%u", i);
		b.rte[i] = rte_ring_create(name, RING_SLOTS, SOCKET_ID_ANY,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		for (int k = K_FF; k <= K_FF_SLIP2; k++) {
			struct ring_opts o = { .slip_lines = k - K_FF };

			snprintf(name, sizeof(name), "ff%d.%u", k, i);
			b.ff[k][i] = ring_create("bench", name, RING_SLOTS, SOCKET_ID_ANY, &o);
			if (b.ff[k][i] == NULL)
				break;
		}
		b.cl[i] = rte_zmalloc("classic", sizeof(struct classic), 128);
		if (b.rte[i] == NULL || b.ff[K_FF_SLIP2][i] == NULL || b.cl[i] == NULL) {
			fprintf(stderr, "bench/ring: ring allocation failed: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
	}

	printf("bench/ring: %lu items per run, %u slots, bursts 1/8/32, %u rounds, "
	       "producer lcore %u (CPU %d) -> consumer lcore %u (CPU %d), %s\n",
	       b.items, RING_SLOTS, b.rounds, b.peer_lcore,
	       rte_lcore_to_cpu_id(b.peer_lcore), rte_get_main_lcore(),
	       rte_lcore_to_cpu_id(rte_get_main_lcore()),
	       rte_eal_has_hugepages() ? "hugepages" : "no hugepages");
	fflush(stdout);

	for (round = 0; round < b.rounds; round++) {
		/* Alternate who goes first so drift favours neither. */
		for (bi = 0; bi < BURSTS; bi++) {
			for (i = 0; i < K_N; i++) {
				enum kind k = (round & 1) ? K_N - 1 - i : i;

				xf[k][bi][round] = run_xfer(&b, k, bursts[bi]);
			}
			for (i = 0; i < 2; i++) {
				enum kind k = (round + i) & 1 ? K_FF : K_RTE;

				same[k == K_FF][bi][round] = run_same(&b, k, bursts[bi]);
			}
		}
		for (i = 0; i < 2; i++) {
			enum kind k = (round + i) & 1 ? K_FF : K_RTE;

			rtt[k == K_FF][round] = run_rtt(&b, k);
		}
		printf("  round %u: b1 %.2f/%.2f  b8 %.2f/%.2f  b32 %.2f/%.2f  rtt %.0f/%.0f ns (ffwd/rte)\n",
		       round + 1, xf[K_FF][0][round], xf[K_RTE][0][round],
		       xf[K_FF][1][round], xf[K_RTE][1][round], xf[K_FF][2][round],
		       xf[K_RTE][2][round], rtt[1][round], rtt[0][round]);
		fflush(stdout);
	}

	for (i = 0; i < K_N; i++)
		for (bi = 0; bi < BURSTS; bi++)
			med_xf[i][bi] = median(xf[i][bi], b.rounds);
	for (i = 0; i < 2; i++) {
		med_rtt[i] = median(rtt[i], b.rounds);
		for (bi = 0; bi < BURSTS; bi++)
			med_same[i][bi] = median(same[i][bi], b.rounds);
	}

	printf("\ncross-core throughput, ns per item (median of %u rounds)\n", b.rounds);
	printf("%-6s", "burst");
	for (i = 0; i < K_N; i++)
		printf(" %12s", kind_name[i]);
	printf(" %12s\n", "ffwd/rte");
	for (bi = 0; bi < BURSTS; bi++) {
		printf("%-6u", bursts[bi]);
		for (i = 0; i < K_N; i++)
			printf(" %12.2f", med_xf[i][bi]);
		printf(" %12.3f\n", med_xf[K_FF][bi] / med_xf[K_RTE][bi]);
	}
	printf("\nsame-core (one thread, no line transfer), ns per item\n");
	for (bi = 0; bi < BURSTS; bi++)
		printf("%-6u %12.2f %12.2f %12.3f\n", bursts[bi], med_same[0][bi],
		       med_same[1][bi], med_same[1][bi] / med_same[0][bi]);
	printf("ffwd cross-core burst 32 is %.2fx its same-core floor (%.2f vs %.2f ns)\n",
	       med_xf[K_FF][2] / med_same[1][2], med_xf[K_FF][2], med_same[1][2]);
	printf("\nround trip, one item each way (median of %u x %lu trips): "
	       "rte_ring %.1f ns, ffwd %.1f ns\n",
	       b.rounds, b.trips, med_rtt[0], med_rtt[1]);
	printf("\nresult: ring ratio_b1=%.3f ratio_b8=%.3f ratio_b32=%.3f rtt_ratio=%.3f\n",
	       med_xf[K_FF][0] / med_xf[K_RTE][0], med_xf[K_FF][1] / med_xf[K_RTE][1],
	       med_xf[K_FF][2] / med_xf[K_RTE][2], med_rtt[1] / med_rtt[0]);
	rte_eal_cleanup();
	return 0;
}
