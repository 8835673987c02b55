/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture: an input that sends a capture file into its path.
 *
 * Preloaded (the default), every record is built once into an mbuf of a
 * pool made to fit (capsrc.c), and each pass hands the same mbufs on
 * again with one more reference: no copy per loop. Downstream stages and
 * the port free only the reference they were given; the capture keeps its
 * own until the exit report counts every mbuf back. A kind behind a
 * capture that writes packet data therefore writes the capture itself.
 *
 * Streamed (`stream: true`), a control thread of the kind's own reads the
 * file into a ring while the path sends, for captures larger than memory:
 * one copy per packet and pass. The burst only dequeues: the file's reads
 * (system calls) stay off the stage lcore.
 *
 * Each packet carries the capture-time gap to the one before it (the
 * dynfield of stage.h), which an output with `timing:` follows. Once the
 * last pass is out the stage sets s->ended and its segment finishes.
 *
 * Dealt (`every: N, from: K`), only the share K, K+N, ... of each pass is
 * preloaded and sent, each packet carrying the gap, packets and bytes of
 * the whole capture since the share's one before it (stage.h's span), so
 * that N paths with outputs given `shared: true` follow one schedule: the
 * replay over several ports.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "capsrc.h"
#include "capture.h"
#include "ffwd_ring.h"
#include "stage.h"

#define CAPTURE_STREAM_RING 1024
#define CAPTURE_READER_NAP_US 100	/* ring full or pool dry: retry after */

static const char *const capture_keys[] = {
	"file", "loop", "stream", "pad", "every", "from", NULL,
};
static const char *const capture_counter_names[] = { CAPTURE_COUNTERS(STAGE_DROP_NAME) };

struct capture_priv {
	/* preloaded */
	struct capsrc *cap;
	struct rte_mbuf *const *pkts;
	uint64_t n;			/**< packets per pass */
	uint64_t k;			/**< next packet */
	struct rte_mbuf *lead;		/**< the share's first packet, once:
					     a copy carrying what lies before
					     it in the first pass (stage.h) */
	uint64_t loops;			/**< passes to send; UINT64_MAX: forever */
	/* streamed */
	struct capsrc_stream st;
	struct rte_mempool *pool;
	struct ffwd_ring *ring;
	pthread_t reader;
	bool reader_started;
	int quit;			/**< fini asks the reader to go */
	int reader_done;		/**< set (release) after its last enqueue */
	const volatile int *stop;
	struct capture_result res;
};

static int
capture_parse(struct stage_args *a, void *kconf)
{
	struct capture_conf *c = kconf;

	c->loops = 1;
	switch (a->ops->str(a, "file", c->file, sizeof(c->file), "a capture file")) {
	case -1:
		return -1;
	case 0:
		return a->ops->error(a, NULL, "no file, expected file: CAPTURE (pcap or pcapng)");
	}
	c->every = 1;
	if (a->ops->u64(a, "loop", 0, UINT64_C(1000000000000000), &c->loops) < 0 ||
	    a->ops->boolean(a, "stream", &c->stream) < 0 ||
	    a->ops->boolean(a, "pad", &c->pad) < 0 ||
	    a->ops->u64(a, "every", 1, CAPTURE_EVERY_MAX, &c->every) < 0)
		return -1;
	switch (a->ops->u64(a, "from", 0, CAPTURE_EVERY_MAX - 1, &c->from)) {
	case -1:
		return -1;
	case 1:
		if (c->from >= c->every)
			return a->ops->error(a, "from", "from is %" PRIu64 ", expected 0..%" PRIu64
					     " (below every: %" PRIu64 ")", c->from,
					     c->every - 1, c->every);
	}
	/* A share is a set of preloaded packets: a stream has none. */
	if (c->every > 1 && c->stream)
		return a->ops->error(a, "every", "every is given with stream: true, expected a "
				     "preloaded capture (stream: false) to deal");
	return 0;
}

/* Before EAL: a file libpcap cannot read whole, or with nothing to send,
 * is a config error naming the file. */
static int
capture_check(const void *kconf, char *err, size_t errlen)
{
	const struct capture_conf *c = kconf;
	struct capsrc_opts o = { .pad = c->pad, .every = c->every, .from = c->from };
	struct capsrc_info info;

	if (capsrc_scan(c->file, &o, &info, err, errlen) != 0)
		return -1;
	if (info.share_packets == 0) {
		snprintf(err, errlen, "%s: %" PRIu64 " packets, and every: %" PRIu64
			 " from: %" PRIu64 " deals none of them to this capture; "
			 "expected from below the packet count", c->file, info.packets,
			 c->every, c->from);
		return -1;
	}
	return 0;
}

/* The next packet, K just sent: the end of a pass wraps to the first and
 * counts the pass. @return false once the last pass is out. */
static __rte_always_inline bool
capture_next(struct stage *s, struct capture_priv *p, uint64_t *k)
{
	if (likely(++*k < p->n))
		return true;
	*k = 0;
	return ++s->ctr.kind[CAPTURE_LOOPS] != p->loops;
}

static __rte_always_inline uint16_t
capture_preload(struct stage *s, struct rte_mbuf **pkts, uint16_t max,
		const bool chained)
{
	struct capture_priv *p = s->priv;
	uint64_t k = p->k;
	uint16_t i = 0;

	if (unlikely(s->ended))
		return 0;
	if (unlikely(p->lead != NULL) && max != 0) {
		/* Handed on whole: its one reference is the receiver's. */
		pkts[i++] = p->lead;
		p->lead = NULL;
		if (!capture_next(s, p, &k))
			s->ended = true;
	}
	while (i < max && !s->ended) {
		struct rte_mbuf *m = p->pkts[k];

		/* The downstream free drops only this reference. */
		if (chained)
			rte_pktmbuf_refcnt_update(m, 1);
		else
			rte_mbuf_refcnt_update(m, 1);
		pkts[i++] = m;
		if (unlikely(!capture_next(s, p, &k)))
			s->ended = true;
	}
	p->k = k;
	s->ctr.pkts_in += i;
	s->ctr.pkts_out += i;
	return i;
}

static uint16_t
capture_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	return capture_preload(s, pkts, max, false);
}

static uint16_t
capture_chained_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	return capture_preload(s, pkts, max, true);
}

static uint16_t
capture_stream_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	struct capture_priv *p = s->priv;
	unsigned int n = ring_dequeue_burst(p->ring, (void **)pkts, max);

	if (n == 0) {
		/* ACQUIRE pairs with the reader's RELEASE store after its
		 * last enqueue: one more dequeue sees everything it sent. */
		if (!__atomic_load_n(&p->reader_done, __ATOMIC_ACQUIRE))
			return 0;
		n = ring_dequeue_burst(p->ring, (void **)pkts, max);
		if (n == 0) {
			s->ended = true;
			return 0;
		}
	}
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return (uint16_t)n;
}

/* The stream's reader: a control thread, never a stage lcore. */
static void *
capture_reader(void *arg)
{
	struct stage *s = arg;
	struct capture_priv *p = s->priv;

	while (!__atomic_load_n(&p->quit, __ATOMIC_RELAXED) && !*p->stop) {
		int got = capsrc_stream_poll(&p->st);

		__atomic_store_n(&p->res.passes, p->st.pass, __ATOMIC_RELAXED);
		if (got == -ENODATA)
			break;
		if (got < 0) {
			fprintf(stderr, "stage '%s': %s\n", s->name, p->st.err);
			p->res.failed = true;
			break;
		}
		if (got == 0)
			usleep(CAPTURE_READER_NAP_US);
	}
	__atomic_store_n(&p->reader_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int
capture_stream_init(struct stage *s, const struct stage_env *env, int gap)
{
	const struct capture_conf *c = s->kconf;
	struct capture_priv *p = s->priv;
	char name[RTE_MEMPOOL_NAMESIZE];
	int ret;

	snprintf(name, sizeof(name), "cs_%s", s->name);
	/* No per-lcore cache: the reader's check of free mbufs is exact. */
	p->pool = rte_pktmbuf_pool_create(name, CAPTURE_STREAM_MBUFS, 0, 0,
					  RTE_PKTMBUF_HEADROOM + CAPSRC_SEG_ROOM_MAX,
					  env->socket);
	p->ring = ring_create(env->label, name, CAPTURE_STREAM_RING, env->socket, NULL);
	if (p->pool == NULL || p->ring == NULL) {
		fprintf(stderr, "stage '%s': %s: stream set-up failed: %s\n", s->name,
			c->file, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	p->st.file = c->file;
	p->st.opts.pad = c->pad;
	p->st.info = p->res.info;
	p->st.pool = p->pool;
	p->st.ring = p->ring;
	p->st.loops = c->loops;
	p->st.gap_field = gap;
	p->st.span_field = stage_span_field();
	if (p->st.span_field < 0) {
		fprintf(stderr, "stage '%s': mbuf dynfield for the shared schedule: %s\n",
			s->name, strerror(-p->st.span_field));
		return p->st.span_field;
	}
	ret = capsrc_stream_init(&p->st);
	if (ret != 0) {
		fprintf(stderr, "stage '%s': %s\n", s->name, p->st.err);
		return ret;
	}
	/* The reader fills the ring while the ports come up. */
	ret = rte_ctrl_thread_create(&p->reader, "ffwd-capread", NULL,
				     capture_reader, s);
	if (ret != 0) {
		fprintf(stderr, "stage '%s': reader thread: %s\n", s->name,
			strerror(ret));
		return -ret;
	}
	p->reader_started = true;
	s->burst = capture_stream_burst;
	return 0;
}

/*
 * The first packet of the share, sent once at the start: a copy of it
 * that carries, as its span and capture gap (stage.h), what precedes it
 * in the first pass (capsrc.c set those of every preloaded packet, the
 * first's across the turn of the pass). Made for every capture, dealt or
 * not, so that an output with `shared: true` may follow any.
 */
static int
capture_lead(struct stage *s, const struct stage_env *env, int gap, int span)
{
	struct capture_priv *p = s->priv;
	const struct capsrc *cap = p->cap;

	if (env->pool == NULL) {
		if (cap->lead_pkts == 0)
			return 0;	/* the first packet's own place: 0 */
		fprintf(stderr, "stage '%s': a dealt capture needs its path's mbuf pool\n",
			s->name);
		return -EINVAL;
	}
	/* Copied from the path's pool, not the capture's: the capture's
	 * pool is counted back whole at the end, and the copy goes to the
	 * port like any forwarded packet. */
	p->lead = rte_pktmbuf_copy(p->pkts[0], env->pool, 0, UINT32_MAX);
	if (p->lead == NULL) {
		fprintf(stderr, "stage '%s': no mbuf for the first packet of the share\n",
			s->name);
		return -ENOMEM;
	}
	stage_span_set(p->lead, span, (uint32_t)cap->lead_pkts, (uint32_t)cap->lead_bytes);
	*RTE_MBUF_DYNFIELD(p->lead, gap, uint64_t *) = cap->lead_ns;
	return 0;
}

static int
capture_init(struct stage *s, const struct stage_env *env)
{
	const struct capture_conf *c = s->kconf;
	struct capture_priv *p = s->priv;
	char err[CAPSRC_ERR_MAX], name[RTE_MEMPOOL_NAMESIZE];
	struct capsrc_opts o = {
		.pad = c->pad, .pool = name, .every = c->every, .from = c->from,
	};
	int gap = stage_gap_field(), span = stage_span_field();
	int ret;

	p->stop = env->stop;
	if (gap < 0) {
		fprintf(stderr, "stage '%s': mbuf dynfield for capture gaps: %s\n",
			s->name, strerror(-gap));
		return gap;
	}
	if (span < 0) {
		fprintf(stderr, "stage '%s': mbuf dynfield for the shared schedule: %s\n",
			s->name, strerror(-span));
		return span;
	}
	o.gap_field = gap;
	o.span_field = span;
	if (capsrc_scan(c->file, &o, &p->res.info, err, sizeof(err)) != 0) {
		fprintf(stderr, "stage '%s': %s\n", s->name, err);
		return -EINVAL;
	}
	if (c->stream)
		return capture_stream_init(s, env, gap);
	snprintf(name, sizeof(name), "cap_%s", s->name);
	p->cap = capsrc_load(c->file, &o, &p->res.info, env->socket, err, sizeof(err));
	if (p->cap == NULL) {
		fprintf(stderr, "stage '%s': %s\n", s->name, err);
		return -rte_errno;
	}
	p->pkts = p->cap->pkts;
	p->n = p->cap->n;
	p->loops = c->loops != 0 ? c->loops : UINT64_MAX;
	ret = capture_lead(s, env, gap, span);
	if (ret != 0)
		return ret;
	s->burst = p->cap->chained ? capture_chained_burst : capture_burst;
	return 0;
}

/* Stop the reader and free what it read but nobody took. */
static void
capture_stream_stop(struct capture_priv *p)
{
	void *m;

	if (p->reader_started) {
		__atomic_store_n(&p->quit, 1, __ATOMIC_RELAXED);
		pthread_join(p->reader, NULL);
		p->reader_started = false;
		p->res.passes = p->st.pass;
	}
	capsrc_stream_close(&p->st);
	if (p->ring != NULL)
		while (ring_dequeue(p->ring, &m) == 0)
			rte_pktmbuf_free(m);
}

/*
 * The exit report runs once the ports are closed, so every reference but
 * ours is gone: releasing ours must bring each mbuf back to the pool, and
 * this is the one moment that can be checked. Hence a report that changes
 * the stage (the contract hands it const; the runtime calls it once, after
 * the lcores have returned).
 */
static void
capture_report(const struct stage *cs, FILE *f)
{
	struct stage *s = (struct stage *)(uintptr_t)cs;
	const struct capture_conf *c = s->kconf;
	struct capture_priv *p = s->priv;
	struct capture_result *r = &p->res;

	/* The share's first packet, if the run stopped before it went: it
	 * is the path pool's, which the runtime counts after this. */
	rte_pktmbuf_free(p->lead);
	p->lead = NULL;
	if (p->cap != NULL) {
		r->pool_size = p->cap->pool->size;
		r->pool_avail = capsrc_release(p->cap);
		r->passes = s->ctr.kind[CAPTURE_LOOPS];
	} else if (p->pool != NULL) {
		capture_stream_stop(p);
		r->pool_size = p->pool->size;
		r->pool_avail = rte_mempool_avail_count(p->pool);
	}
	r->counted = true;
	if (c->every > 1)
		fprintf(f, "capture %-10s every %" PRIu64 " from %" PRIu64 ": %" PRIu64
			" of %" PRIu64 " packets a pass\n", s->name, c->every, c->from,
			r->info.share_packets, r->info.packets);
	fprintf(f, "capture %-10s %" PRIu64 " packets a pass, %" PRIu64 " passes%s, "
		"pool %u/%u mbufs back%s\n", s->name, r->info.share_packets, r->passes,
		p->cap != NULL ? " (preloaded)" : " (streamed)", r->pool_avail,
		r->pool_size, r->pool_avail == r->pool_size ? "" : " (LEAK)");
}

static void
capture_fini(struct stage *s)
{
	struct capture_priv *p = s->priv;

	if (p == NULL)
		return;
	capture_stream_stop(p);
	rte_pktmbuf_free(p->lead);
	p->lead = NULL;
	ring_free(p->ring);
	p->ring = NULL;
	rte_mempool_free(p->pool);
	p->pool = NULL;
	capsrc_free(p->cap);
	p->cap = NULL;
}

const struct capture_result *
capture_result(const struct stage *s)
{
	const struct capture_priv *p = s->priv;

	return &p->res;
}

uint64_t
capture_passes(const struct stage *s)
{
	const struct capture_priv *p = s->priv;

	if (p->cap != NULL)
		return __atomic_load_n(&s->ctr.kind[CAPTURE_LOOPS], __ATOMIC_RELAXED);
	return __atomic_load_n(&p->res.passes, __ATOMIC_RELAXED);
}

static struct stage_ops capture_ops = {
	.name = "capture",
	.role = STAGE_ROLE_INPUT,
	.summary = "send a capture file (pcap, pcapng), looped by reference count",
	.help = "file: CAPTURE, loop: N (default 1, 0: forever),\n"
		"stream: true (read while sending; larger than memory),\n"
		"pad: true (records shorter than the wire padded with zeros),\n"
		"every: N, from: K (a share of the capture dealt over N paths:\n"
		"packets K, K+N, K+2N... of each pass; 1..64, 0..N-1; with\n"
		"outputs given shared: true, one schedule over all of them)",
	.keys = capture_keys,
	.conf_size = sizeof(struct capture_conf),
	.parse = capture_parse,
	.check = capture_check,
	.priv_size = sizeof(struct capture_priv),
	.init = capture_init,
	.burst = capture_burst,
	.fini = capture_fini,
	.counter_names = capture_counter_names,
	.n_counters = CAPTURE_COUNTER_MAX,
	.report = capture_report,
};

STAGE_REGISTER(capture_ops)
