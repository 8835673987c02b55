/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fleet: one stage (or a fused run of stages) on several lcores.
 *
 *   spreader --ring--> replica 0 --ring--> merger
 *            --ring--> replica 1 --ring-->
 *
 * The segment in front of the fleet spreads: a symmetric flow hash of each
 * packet picks one of FLEET_BUCKETS buckets, and the bucket table picks the
 * replica. Every ring stays single-producer, single-consumer. The segment
 * behind merges: it polls the replicas' rings round-robin, one burst each.
 * A flow always hashes to one bucket and a bucket is on one replica at a
 * time, so a flow's packets keep their order; flows on different replicas
 * are merged in no promised order.
 *
 * Resize (fleet_scale(), from the control plane): the table the control
 * thread asks for is taken up by the spreader's lcore, which alone writes
 * the live table. A bucket that changes replica is held (the spreader
 * leaves its packets in the segment's stash) until its old replica has
 * finished every packet it was handed (the replica's in-ring count passed
 * the spreader's enqueue count at the switch) and the merger has taken
 * everything the old replica put out by then. Only then does the bucket go
 * to its new replica: no packet is lost, none overtakes another of its
 * flow. Replicas left without buckets are parked: their lcore sleeps
 * (provisioned, not allocated).
 *
 * With an input whose port spreads by RSS in front (rss: symmetric), the
 * input is replicated instead, one RX queue per replica, and there is no
 * spreader; such a fleet is not resized.
 */
#ifndef FFWD_FLEET_H
#define FFWD_FLEET_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "conf.h"
#include "ffwd_ring.h"
#include "stage.h"
#include "stage_flow.h"

#define FLEET_BUCKET_BITS STAGE_FLOW_BUCKET_BITS
#define FLEET_BUCKETS	STAGE_FLOW_BUCKETS
#define FLEET_MAX	CONF_FLEET_MAX
#define FLEET_HOLD	0xff		/**< table entry of a bucket in a move */

struct app;
struct app_seg;
struct rte_tel_data;

/** What a replica publishes for the spreader: written by its lcore only. */
struct fleet_rep {
	uint64_t in_done;	/**< in-ring items it has finished (release) */
	uint64_t out_pushed;	/**< out-ring items at that point */
	int parked;		/**< written by the spreader: sleep when idle */
} __rte_cache_aligned;

/* Counters of a fleet, single writer (the spreader's lcore). */
#define FLEET_COUNTERS(X)                                                      \
	X(spread_pkts, "packets offered to the spreader (first offer)")       \
	X(spread_cycles, "TSC cycles hashing and sorting them (first offer)")  \
	X(moves, "buckets moved from one replica to another")                  \
	X(resizes, "resizes completed")                                        \
	X(state_dropped, "buckets whose flow state was dropped in a move")     \
	X(state_handed, "buckets whose flow state was handed over")            \
	X(last_move_cycles, "TSC cycles the last resize took")

struct fleet_counters {
#define X(name, help) uint64_t name;
	FLEET_COUNTERS(X)
#undef X
};

struct fleet {
	/* Read-only after build. */
	char name[CONF_NAME_MAX];	/**< its first stage's name */
	unsigned int path;
	unsigned int n_run;		/**< stages of the fused run */
	unsigned int n_rep;		/**< lcores reserved */
	bool rss;			/**< spread by the port's RSS */
	unsigned int lcores[FLEET_MAX];
	/** Replica r's stages: st[r][0 .. n_run); st[r][-1] is its input
	 * when rss (stored in in_st[r]). */
	struct stage *st[FLEET_MAX][CONF_MAX_STAGES];
	struct stage *in_st[FLEET_MAX];
	struct stage *extra;		/**< instances of replicas 1.. */
	unsigned int n_extra;
	char (*names)[CONF_NAME_MAX + 4];
	struct ffwd_ring *in[FLEET_MAX];	/**< spreader -> replica */
	struct ffwd_ring *out[FLEET_MAX];	/**< replica -> merger */
	const int *rep_done[FLEET_MAX];	/**< replica segments' done flags */
	struct fleet_rep rep[FLEET_MAX];

	/* The spreader's: written by its lcore only. */
	uint8_t table[FLEET_BUCKETS] __rte_cache_aligned;
	uint64_t sent[FLEET_MAX];	/**< packets enqueued per replica */
	struct fleet_counters ctr;
	uint32_t seen_gen;
	bool moving;
	bool retry;			/**< the last burst left a stash */
	uint8_t next[FLEET_BUCKETS];
	uint8_t from[FLEET_BUCKETS];
	uint8_t wait[FLEET_MAX];	/**< 0 none, 1 in-ring, 2 out-ring */
	uint64_t snap_in[FLEET_MAX], snap_out[FLEET_MAX];
	uint64_t move_start;
	unsigned int n_active;		/**< replicas with buckets (relaxed) */

	/* The merger's. */
	unsigned int m_next __rte_cache_aligned;

	/* Control: written under the control lock, read by the spreader. */
	uint32_t req_gen __rte_cache_aligned;	/**< release */
	uint32_t done_gen;			/**< release, by the spreader */
	uint8_t req_table[FLEET_BUCKETS];
	unsigned int req_active;
};

/* The flow hash of a packet's first segment (stages/stage_flow.h). */
static __rte_always_inline uint32_t
fleet_hash(const struct rte_mbuf *m)
{
	return stage_flow_hash(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
}

/* ---- the fast path ---- */

void fleet_spread_progress(struct fleet *f);

/*
 * The spreader: the sink of the segment in front of the fleet. Takes what
 * the replicas' rings take; the rest (a full ring, a bucket in a move) goes
 * to pkts[ret..n) in its order, for the segment's stash. No wait, no lock.
 */
static __rte_always_inline uint16_t
fleet_spread(struct fleet *f, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *by[FLEET_MAX][STAGE_BURST];
	struct rte_mbuf *left[STAGE_BURST];
	uint16_t cnt[FLEET_MAX];
	uint16_t nl = 0, i, k;
	unsigned int r;
	uint64_t t0;

	if (unlikely(f->moving ||
		     __atomic_load_n(&f->req_gen, __ATOMIC_ACQUIRE) != f->seen_gen))
		fleet_spread_progress(f);
	t0 = rte_rdtsc();
	memset(cnt, 0, sizeof(cnt[0]) * f->n_rep);
	for (i = 0; i < n; i++) {
		if (likely(i + 1 < n))
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		r = f->table[stage_flow_bucket(fleet_hash(pkts[i]))];
		if (unlikely(r == FLEET_HOLD)) {
			left[nl++] = pkts[i];
			continue;
		}
		by[r][cnt[r]++] = pkts[i];
	}
	/* A stash offered again is hashed again: cheap next to the wait it
	 * stands for, and not counted, so spread_ns is the first offer's. */
	if (likely(!f->retry))
		f->ctr.spread_cycles += rte_rdtsc() - t0;
	for (r = 0; r < f->n_rep; r++) {
		if (cnt[r] == 0)
			continue;
		k = ring_enqueue_burst(f->in[r], (void *const *)by[r], cnt[r]);
		f->sent[r] += k;
		/* A ring takes a prefix: what it left keeps its order. */
		for (i = k; i < cnt[r]; i++)
			left[nl++] = by[r][i];
	}
	if (likely(!f->retry))
		f->ctr.spread_pkts += n;
	f->retry = nl != 0;
	if (likely(nl == 0))
		return n;
	memcpy(pkts + n - nl, left, nl * sizeof(left[0]));
	return n - nl;
}

/* The spreader's segment found nothing: a move must still finish. */
static __rte_always_inline void
fleet_spread_idle(struct fleet *f)
{
	if (unlikely(f->moving ||
		     __atomic_load_n(&f->req_gen, __ATOMIC_ACQUIRE) != f->seen_gen))
		fleet_spread_progress(f);
}

/* The merger: one burst from the next replica ring that has one. */
static __rte_always_inline uint16_t
fleet_merge(struct fleet *f, struct rte_mbuf **pkts, uint16_t max)
{
	unsigned int i, r = f->m_next;
	uint16_t n;

	for (i = 0; i < f->n_rep; i++) {
		n = ring_dequeue_burst(f->out[r], (void **)pkts, max);
		if (++r == f->n_rep)
			r = 0;
		if (n != 0) {
			f->m_next = r;
			return n;
		}
	}
	return 0;
}

/* Every replica has finished (acquire): one more merge sees all. */
static inline bool
fleet_merge_upstream_done(const struct fleet *f)
{
	unsigned int r;

	for (r = 0; r < f->n_rep; r++)
		if (!__atomic_load_n(f->rep_done[r], __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/*
 * A replica after each poll: once its stash is empty, everything it took
 * from its in-ring is done; publish that (out count first, then the in
 * count with release, which the spreader reads with acquire).
 */
static __rte_always_inline void
fleet_rep_publish(struct fleet_rep *rep, const struct ffwd_ring *in,
		  const struct ffwd_ring *out, uint16_t stash_n)
{
	if (stash_n != 0)
		return;
	__atomic_store_n(&rep->out_pushed, out->prod.enqueued, __ATOMIC_RELAXED);
	__atomic_store_n(&rep->in_done, in->cons.dequeued, __ATOMIC_RELEASE);
}

/* ---- build, control, report (app/fleet.c) ---- */

/**
 * Build the fleet whose first stage is stage I of path P (or, with an RSS
 * input, whose input is stage I): replica stage instances, segments and
 * rings. PREV is the segment in front (NULL for an RSS input). Sets *NEXT
 * to the first stage after the fleet and *F to the fleet; the segment
 * built for stage *NEXT must merge from it.
 * @return 0, or -1 with a message in err.
 */
int fleet_build(struct app *a, unsigned int p, unsigned int i,
		struct app_seg *prev, unsigned int *next, struct fleet **f,
		char *err, size_t errlen);

/** Stage I of path P starts a fleet (incl. an RSS input in front of one). */
bool fleet_starts_at(const struct conf *c, unsigned int p, unsigned int i);

/**
 * Ask for N active replicas (control plane; any thread). The spreader's
 * lcore carries it out. @return the request's generation (> 0), -EINVAL
 * (N out of range), -EBUSY (a resize in progress), -ENOTSUP (RSS fleet).
 */
int fleet_scale(struct fleet *f, unsigned int n);

/** The fleet named NAME (its first stage's name), or NULL. */
struct fleet *fleet_find(struct app *a, const char *name);

/** Serve a pending `ffwdctl scale` request file in RUNDIR (main lcore). */
void fleet_poll_requests(struct app *a, const char *rundir);

/** The fleet and replica stage S belongs to; NULL if none. */
struct fleet *fleet_of_stage(const struct app *a, const struct stage *s,
			     unsigned int *replica);

/** Buckets replica R holds now (a move counts for the old replica). */
unsigned int fleet_buckets(const struct fleet *f, unsigned int r);

/** Received and dropped by the replicas not in a->stages, for path P. */
void fleet_path_extra(const struct app *a, unsigned int p, uint64_t *rx,
		      uint64_t *drops);

/** Received by the RSS inputs not in a->stages (any thread). */
uint64_t fleet_received(const struct app *a);

/** Exit report lines: replicas and fleet counters. */
void fleet_report(const struct app *a, FILE *f);

/** /ffwd/fleets entry of F. */
void fleet_telemetry(const struct app *a, const struct fleet *f,
		     struct rte_tel_data *d);

void fleet_free(struct app *a);

#endif /* FFWD_FLEET_H */
