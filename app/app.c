/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running pipeline: build, the lcore loop, drain, and the final
 * accounting.
 */
#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <stdarg.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "app.h"
#include "fleet.h"

volatile int app_stop;
volatile int app_reload;

#define APP_LINK_SETTLE_MS 100
#define APP_PARK_US	1000	/**< a parked replica's nap */

/*
 * FFWD_NO_TELEMETRY compiles out the loop telemetry (TSC reads, busy/idle,
 * hiccups, burst counts) for bench/telemetry, which measures what it
 * costs. Packet and drop counters stay: they are the accounting.
 */
#ifdef FFWD_NO_TELEMETRY
#define APP_TEL(x) do { } while (0)
#else
#define APP_TEL(x) do { x; } while (0)
#endif

static int
app_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The ethdev name of a devargs string is what precedes the first comma. */
static int
app_port_lookup(const char *dev, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t len = strcspn(dev, ",");

	if (len >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, dev, len);
	name[len] = '\0';
	return rte_eth_dev_get_port_by_name(name, port_id);
}

/*
 * rss: symmetric. The 0x6d5a key repeated makes Toeplitz symmetric (Woo
 * and Park): both directions of a flow land on one RX queue, so each
 * replica of a fleet polling its own queue sees whole flows. A driver
 * without RSS ops but with several queues that spread by flow on their own
 * (af_packet's kernel fanout hash, memif's peer) is left with rss_hf 0.
 */
static int
app_port_rss(uint16_t pid, struct rte_eth_conf *pc)
{
	static uint8_t key[64];
	struct rte_eth_dev_info di;
	size_t i;

	if (rte_eth_dev_info_get(pid, &di) != 0)
		return -ENODEV;
	for (i = 0; i < sizeof(key); i += 2) {
		key[i] = 0x6d;
		key[i + 1] = 0x5a;
	}
	pc->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	pc->rx_adv_conf.rss_conf.rss_hf = di.flow_type_rss_offloads &
		(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	if (di.hash_key_size != 0 && di.hash_key_size <= sizeof(key)) {
		pc->rx_adv_conf.rss_conf.rss_key = key;
		pc->rx_adv_conf.rss_conf.rss_key_len = di.hash_key_size;
	}
	if (pc->rx_adv_conf.rss_conf.rss_hf == 0) {
		pc->rxmode.mq_mode = RTE_ETH_MQ_RX_NONE;
		/* A PCI NIC without RSS would put everything on queue 0. */
		if (strcmp(di.driver_name, "net_af_packet") != 0 &&
		    strcmp(di.driver_name, "net_memif") != 0 &&
		    strcmp(di.driver_name, "net_null") != 0)
			return -ENOTSUP;
	}
	return 0;
}

static int
app_port_setup(struct app *a, unsigned int i, char *err, size_t errlen)
{
	const struct conf_port *cp = &a->conf->ports[i];
	struct rte_eth_conf port_conf = { 0 };
	uint16_t pid, rxd = cp->rxd, txd = cp->txd, q;
	int socket, ret;

	ret = app_port_lookup(cp->dev, &pid);
	if (ret != 0)
		return app_err(err, errlen,
			       "%s: port '%s': no DPDK device for \"%s\"; expected a "
			       "vdev (net_pcap0,...) or a PCI address bound to a DPDK driver",
			       a->conf->file, cp->name, cp->dev);
	a->port_ids[i] = pid;
	socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = (int)rte_socket_id();
	ret = cp->rss ? app_port_rss(pid, &port_conf) : 0;
	if (ret != 0)
		return app_err(err, errlen,
			       "%s: port '%s' (%s): rss is symmetric but the device cannot spread flows over RX queues (no RSS offload)",
			       a->conf->file, cp->name, cp->dev);
	ret = rte_eth_dev_configure(pid, cp->rxq, cp->txq, &port_conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	for (q = 0; ret == 0 && q < cp->rxq; q++)
		ret = rte_eth_rx_queue_setup(pid, q, rxd, socket, NULL, a->pool);
	for (q = 0; ret == 0 && q < cp->txq; q++)
		ret = rte_eth_tx_queue_setup(pid, q, txd, socket, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(pid);
	if (ret != 0)
		return app_err(err, errlen, "%s: port '%s' (%s): set-up failed: %s",
			       a->conf->file, cp->name, cp->dev, rte_strerror(-ret));
	a->port_started[i] = true;
	/* Not every driver has a promiscuous mode; a bump in the wire wants
	 * it where there is one. */
	rte_eth_promiscuous_enable(pid);
	return 0;
}

struct app_lcore *
app_lcore_get(struct app *a, unsigned int lcore, bool yield)
{
	unsigned int i;

	for (i = 0; i < a->n_lcores; i++)
		if (a->lcores[i].lcore == lcore)
			return &a->lcores[i];
	a->lcores[a->n_lcores].lcore = lcore;
	a->lcores[a->n_lcores].yield = yield;
	return &a->lcores[a->n_lcores++];
}

/* Ring names are "<from>-><to>" where that fits a memzone name. */
struct ffwd_ring *
app_ring_make(struct app *a, struct stage *from, struct stage *to,
	      unsigned int path)
{
	/* Room for any two stage names: ring_create() says when the memzone
	 * name would be too long, rather than us cutting it silently. */
	char name[2 * CONF_NAME_MAX + 4];
	int socket = (int)rte_lcore_to_socket_id(to->lcore);
	struct ffwd_ring *r;

	snprintf(name, sizeof(name), "%s->%s", from->name, to->name);
	/* On the consumer's socket: its polls are the ring's hot reads. */
	r = ring_create(a->conf->label, name, a->conf->ring_size, socket, NULL);
	if (r == NULL && rte_errno == ENAMETOOLONG) {
		snprintf(name, sizeof(name), "ring%u", a->n_rings);
		r = ring_create(a->conf->label, name, a->conf->ring_size,
				socket, NULL);
	}
	if (r != NULL)
		a->rings[a->n_rings++] = (struct app_ring){ r, from, to, path };
	return r;
}

/* Cut each path into per-lcore segments joined by rings. */
static int
app_build_segments(struct app *a, char *err, size_t errlen)
{
	const struct conf *c = a->conf;
	unsigned int p, i;

	for (p = 0; p < c->n_paths; p++) {
		const struct conf_path *cp = &c->paths[p];
		struct stage *st = &a->stages[a->path_first[p]];
		struct app_seg *prev = NULL;
		struct fleet *merge = NULL;

		for (i = 0; i < cp->n_stages;) {
			struct app_seg *seg;
			unsigned int lcore = cp->stages[i].lcore, k;
			struct app_lcore *lc;

			/* A fleet makes its replicas' segments (fleet.c); the
			 * next segment merges them. */
			if (fleet_starts_at(c, p, i)) {
				if (fleet_build(a, p, i, prev, &i, &merge, err,
						errlen) != 0)
					return -1;
				continue;
			}
			seg = &a->segs[a->n_segs++];
			seg->path = p;
			seg->yield = cp->stages[i].idle == CONF_IDLE_YIELD;
			if (merge != NULL) {
				seg->merge = merge;
				merge = NULL;
			} else if (prev == NULL) {
				seg->input = &st[i++];
			} else {
				seg->in_ring = app_ring_make(a, &st[i - 1], &st[i], p);
				if (seg->in_ring == NULL)
					return app_err(err, errlen,
						       "ring %s->%s: %s",
						       st[i - 1].name, st[i].name,
						       rte_strerror(rte_errno));
				seg->upstream_done = &prev->done;
				prev->out_ring = seg->in_ring;
			}
			while (i < cp->n_stages && cp->stages[i].lcore == lcore &&
			       st[i].ops->role == STAGE_ROLE_APP) {
				if (st[i].ops->flags & STAGE_F_IDLE)
					seg->idle[seg->n_idle++] = &st[i];
				seg->apps[seg->n_apps++] = &st[i++];
			}
			if (i < cp->n_stages && cp->stages[i].lcore == lcore)
				seg->output = &st[i++];
			seg->first = seg->input != NULL ? seg->input :
				     seg->n_apps != 0 ? seg->apps[0] : seg->output;
			lc = app_lcore_get(a, lcore, seg->yield);
			lc->segs[lc->n_segs++] = seg;
			for (k = 0; k < seg->n_apps; k++)
				if (seg->apps[k]->ops->flags & STAGE_F_PLANNED)
					lc->work[lc->n_work++] = seg->apps[k];
			prev = seg;
		}
	}
	return 0;
}

int
app_build(struct app *a, const struct conf *conf, char *err, size_t errlen)
{
	unsigned int i, p, k, n = 0, n_segs = 0;
	unsigned int cache;

	memset(a, 0, sizeof(*a));
	a->conf = conf;
	a->state = "starting";
	a->hiccup_us = APP_HICCUP_DEFAULT_US;
	for (p = 0; p < conf->n_paths; p++) {
		n += conf->paths[p].n_stages;
		/* A fleet stage adds a segment per replica, at most. */
		for (i = 0; i < conf->paths[p].n_stages; i++)
			n_segs += conf->paths[p].stages[i].n_lcores;
	}
	n_segs += n;

	/* A per-lcore cache of up to 256 mbufs, but never more than a sixth
	 * of a small pool, or the caches alone could starve the ports. */
	cache = RTE_MIN(256u, conf->mbufs / 6);
	a->pool = rte_pktmbuf_pool_create("ffwd_mbufs", conf->mbufs, cache, 0,
					  conf->mbuf_size, rte_socket_id());
	if (a->pool == NULL)
		return app_err(err, errlen,
			       "%s: mbuf pool of %u x %u bytes: %s%s", conf->file,
			       conf->mbufs, conf->mbuf_size, rte_strerror(rte_errno),
			       conf->hugepages ? "" :
			       "; raise pipeline.memory or lower pipeline.mbufs");

	for (i = 0; i < conf->n_ports; i++)
		if (app_port_setup(a, i, err, errlen) != 0)
			return -1;

	a->stages = rte_zmalloc("ffwd_stages", n * sizeof(*a->stages),
				RTE_CACHE_LINE_SIZE);
	a->segs = rte_zmalloc("ffwd_segs", n_segs * sizeof(*a->segs),
			      RTE_CACHE_LINE_SIZE);
	if (a->stages == NULL || a->segs == NULL)
		return app_err(err, errlen, "out of memory for %u stages", n);
	a->tsc_hz = rte_get_tsc_hz();
	for (p = 0, k = 0; p < conf->n_paths; p++) {
		a->path_first[p] = k;
		for (i = 0; i < conf->paths[p].n_stages; i++, k++) {
			const struct conf_stage *cs = &conf->paths[p].stages[i];
			struct stage_env env = {
				.label = conf->label,
				.file = conf->file,
				.port_id = cs->port >= 0 ? a->port_ids[cs->port] : 0,
				.queue = cs->queue,
				.tsc_hz = a->tsc_hz,
				.socket = (int)rte_lcore_to_socket_id(cs->lcore),
				.pool = a->pool,
				.stop = &app_stop,
			};
			int ret = stage_init(&a->stages[k], cs->ops, cs->name,
					     cs->kconf, &env);

			a->stages[k].lcore = cs->lcore;
			if (ret != 0)
				return app_err(err, errlen, "stage '%s': %s",
					       cs->name, strerror(-ret));
		}
	}
	a->n_stages = n;
	return app_build_segments(a, err, errlen);
}

static __rte_noinline void
app_seg_idle(struct app_seg *seg)
{
	unsigned int i;

	for (i = 0; i < seg->n_idle; i++)
		seg->idle[i]->ops->idle(seg->idle[i]);
}

static __rte_always_inline void
app_seg_finish(struct app_seg *seg)
{
	/* RELEASE pairs with the downstream segment's ACQUIRE load of
	 * upstream_done: all our ring enqueues are visible before it. */
	__atomic_store_n(&seg->done, 1, __ATOMIC_RELEASE);
}

/*
 * Hand buf[off..off+n) to the sink: the output stage, or the ring to the
 * next lcore. What it does not take becomes (or stays) the stash. Never
 * waits: a full ring or TX queue is the next poll's business.
 */
static __rte_always_inline uint16_t
app_seg_sink(struct app_seg *seg, uint16_t off, uint16_t n)
{
	struct rte_mbuf **pkts = seg->buf + off;
	uint16_t taken;

	if (seg->output != NULL)
		taken = seg->output->burst(seg->output, pkts, n);
	else if (seg->spread != NULL)
		taken = fleet_spread(seg->spread, pkts, n);
	else
		taken = ring_enqueue_burst(seg->out_ring, (void *const *)pkts, n);
	seg->stash_off = off + taken;
	seg->stash_n = n - taken;
	if (unlikely(taken < n))
		seg->stash_polls++;
	return taken;
}

/* Offer the stash again; the segment takes no input until it is gone. */
static __rte_noinline uint16_t
app_seg_flush(struct app_seg *seg)
{
	return app_seg_sink(seg, seg->stash_off, seg->stash_n);
}

/*
 * One poll of a segment: stash or source, fused app stages, sink. Returns
 * packets moved. No system call, lock, wait or allocation on this path;
 * in yield mode the lcore loop, not this function, gives the CPU away.
 */
static __rte_always_inline uint16_t
app_seg_poll(struct app_seg *seg)
{
	struct rte_mbuf **pkts = seg->buf;
	uint16_t n;
	unsigned int i;

	if (unlikely(seg->stash_n != 0))
		return app_seg_flush(seg);
	if (seg->input != NULL) {
		if (unlikely(app_stop)) {
			app_seg_finish(seg);
			return 0;
		}
		n = seg->input->burst(seg->input, pkts, STAGE_BURST);
	} else if (seg->merge != NULL) {
		n = fleet_merge(seg->merge, pkts, STAGE_BURST);
		if (n == 0 && fleet_merge_upstream_done(seg->merge)) {
			/* Every replica finished before this look. */
			n = fleet_merge(seg->merge, pkts, STAGE_BURST);
			if (n == 0) {
				app_seg_finish(seg);
				return 0;
			}
		}
	} else {
		n = ring_dequeue_burst(seg->in_ring, (void **)pkts, STAGE_BURST);
		if (n == 0 && __atomic_load_n(seg->upstream_done, __ATOMIC_ACQUIRE)) {
			/* Upstream finished before this look: one more
			 * dequeue sees everything it ever enqueued. */
			n = ring_dequeue_burst(seg->in_ring, (void **)pkts,
					       STAGE_BURST);
			if (n == 0) {
				app_seg_finish(seg);
				return 0;
			}
		}
	}
	if (n == 0) {
		/* An idle firewall must still let a rules reload finish. */
		if (unlikely(seg->n_idle != 0))
			app_seg_idle(seg);
		/* A fleet resize must finish without traffic too. */
		if (unlikely(seg->spread != NULL))
			fleet_spread_idle(seg->spread);
		return 0;
	}
	/* Bursts are counted where they enter a segment; the stages fused
	 * behind see the same bursts (less what was dropped). */
	APP_TEL(seg->first->ctr.bursts++);
	for (i = 0; i < seg->n_apps && n != 0; i++)
		n = seg->apps[i]->burst(seg->apps[i], pkts, n);
	if (n == 0)
		return 1; /* all dropped: still work done */
	app_seg_sink(seg, 0, n);
	return n;
}

#ifndef FFWD_NO_TELEMETRY
/* Rare: keep it out of the loop's instruction stream. */
static __rte_noinline void
app_note_hiccup(struct app_lcore *lc, uint64_t gap)
{
	uint64_t us = gap / lc->cycles_per_us;
	unsigned int b = us == 0 ? 0 : 63 - __builtin_clzll(us);

	if (b >= APP_HICCUP_BUCKETS)
		b = APP_HICCUP_BUCKETS - 1;
	lc->st.hist[b]++;
	lc->st.hiccups++;
	lc->st.hiccup_cycles += gap;
	if (gap > lc->st.hiccup_max_cycles)
		lc->st.hiccup_max_cycles = gap;
}
#endif

/* Publish the loop's register-held counters every this many iterations:
 * readers see figures at most a fraction of a millisecond old. */
#define APP_FLUSH_EVERY 256

/*
 * The stage lcore's loop: poll every live segment, note the gap since the
 * last iteration, yield only in yield mode and only after an empty round.
 * One TSC read per iteration pays for both the busy/idle split and the
 * hiccup detector; the sums live in registers and are stored every
 * APP_FLUSH_EVERY iterations (single writer, so a plain store).
 */
static int
app_lcore_main(void *arg)
{
	struct app_lcore *lc = arg;
	uint64_t prev = rte_rdtsc(), now, gap;
	uint64_t cycles[2] = { 0, 0 };	/* [0] idle, [1] busy */
	uint64_t iters = 0, flushed = prev;
	bool busy = false;
	unsigned int i, live;

	do {
		uint16_t moved = 0;

#ifndef FFWD_NO_TELEMETRY
		now = rte_rdtsc();
		gap = now - prev;
		prev = now;
		cycles[busy] += gap;
		/* Time a work stage burnt on purpose is not a hiccup. */
		for (i = 0; i < lc->n_work; i++) {
			uint64_t planned = lc->work[i]->ctr.planned_cycles;

			lc->work[i]->ctr.planned_cycles = 0;
			gap = gap > planned ? gap - planned : 0;
		}
		if (unlikely(gap > lc->hiccup_cycles))
			app_note_hiccup(lc, gap);
		/* Every APP_FLUSH_EVERY iterations, or 1 ms: a stage that
		 * spends long on each burst (a fleet's work) iterates rarely. */
		if (unlikely((++iters & (APP_FLUSH_EVERY - 1)) == 0 ||
			     now - flushed > lc->flush_cycles)) {
			flushed = now;
			__atomic_store_n(&lc->st.idle_cycles, cycles[0], __ATOMIC_RELAXED);
			__atomic_store_n(&lc->st.busy_cycles, cycles[1], __ATOMIC_RELAXED);
			__atomic_store_n(&lc->st.iterations, iters, __ATOMIC_RELAXED);
		}
#else
		RTE_SET_USED(now);
		RTE_SET_USED(gap);
		RTE_SET_USED(prev);
		RTE_SET_USED(flushed);
#endif

		live = 0;
		for (i = 0; i < lc->n_segs; i++) {
			struct app_seg *seg = lc->segs[i];

			if (seg->done)
				continue;
			live++;
			moved |= app_seg_poll(seg);
			if (seg->rep != NULL)
				fleet_rep_publish(seg->rep, seg->in_ring,
						  seg->out_ring, seg->stash_n);
		}
		busy = moved != 0;
		if (!busy && lc->park != NULL &&
		    __atomic_load_n(lc->park, __ATOMIC_RELAXED)) {
			/* A parked fleet replica: provisioned, not
			 * allocated. Its sleep is neither idle time nor a
			 * hiccup. */
			usleep(APP_PARK_US);
#ifndef FFWD_NO_TELEMETRY
			prev = rte_rdtsc();
#endif
		} else if (!busy && lc->yield) {
			sched_yield();
		}
	} while (live != 0);
	lc->st.idle_cycles = cycles[0];
	lc->st.busy_cycles = cycles[1];
	lc->st.iterations = iters;
	return 0;
}

int
app_launch(struct app *a, char *err, size_t errlen)
{
	unsigned int i;
	int ret;

	a->start_tsc = rte_rdtsc();
	a->state = "running";
	for (i = 0; i < a->n_lcores; i++) {
		struct app_lcore *lc = &a->lcores[i];

		lc->cycles_per_us = RTE_MAX(rte_get_tsc_hz() / 1000000, 1ul);
		lc->hiccup_cycles = lc->cycles_per_us * a->hiccup_us;
		lc->flush_cycles = lc->cycles_per_us * 1000;
		ret = rte_eal_remote_launch(app_lcore_main, &a->lcores[i],
					    a->lcores[i].lcore);
		if (ret != 0) {
			app_stop = 1;
			app_wait(a);
			return app_err(err, errlen, "lcore %u: launch failed: %s",
				       a->lcores[i].lcore, rte_strerror(-ret));
		}
	}
	return 0;
}

int
app_reload_stages(struct app *a, FILE *f)
{
	unsigned int i;
	int bad = 0;

	for (i = 0; i < a->n_stages; i++) {
		struct stage *s = &a->stages[i];

		if (s->ops->reload != NULL && s->ops->reload(s, f) != 0)
			bad = 1;
	}
	for (i = 0; i < a->n_fleets; i++) {
		unsigned int k;

		for (k = 0; k < a->fleets[i]->n_extra; k++) {
			struct stage *s = &a->fleets[i]->extra[k];

			if (s->ops->reload != NULL && s->ops->reload(s, f) != 0)
				bad = 1;
		}
	}
	fflush(f);
	return bad ? -1 : 0;
}

int
app_wait_links(struct app *a, double seconds, FILE *f)
{
	uint64_t deadline = rte_get_tsc_cycles() + (uint64_t)(seconds * rte_get_tsc_hz());
	unsigned int i, down;
	bool waited = false;

	do {
		down = 0;
		for (i = 0; i < a->conf->n_ports; i++) {
			struct rte_eth_link link;

			if (rte_eth_link_get_nowait(a->port_ids[i], &link) == 0 &&
			    link.link_status == RTE_ETH_LINK_DOWN)
				down++;
		}
		if (down == 0 || app_stop) {
			/* A link that just came up (memif) has a peer that may
			 * not poll yet: what we sent now would only be
			 * dropped as tx_full. Give it a moment. */
			if (waited)
				rte_delay_ms(APP_LINK_SETTLE_MS);
			return 0;
		}
		waited = true;
		rte_delay_ms(20);
	} while (rte_get_tsc_cycles() < deadline);
	for (i = 0; i < a->conf->n_ports; i++) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(a->port_ids[i], &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_DOWN)
			fprintf(f, "%s: port '%s' (%s): link still down after %.1f s; "
				"what it cannot send is dropped as tx_full\n", a->conf->file,
				a->conf->ports[i].name, a->conf->ports[i].dev, seconds);
	}
	return -1;
}

void
app_wait(struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->n_lcores; i++)
		rte_eal_wait_lcore(a->lcores[i].lcore);
}

uint64_t
app_received(const struct app *a)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < a->n_stages; i++)
		if (a->stages[i].ops->role == STAGE_ROLE_INPUT)
			sum += __atomic_load_n(&a->stages[i].ctr.pkts_in,
					       __ATOMIC_RELAXED);
	return sum + fleet_received(a);
}

void
app_print_rates(struct app *a, FILE *f, double interval_s)
{
	uint64_t *prev = a->rate_prev;
	unsigned int i;

	fputs("stats:", f);
	for (i = 0; i < a->n_stages; i++) {
		uint64_t out = __atomic_load_n(&a->stages[i].ctr.pkts_out,
					       __ATOMIC_RELAXED);

		fprintf(f, " %s %.0f/s", a->stages[i].name,
			(out - prev[i]) / interval_s);
		prev[i] = out;
	}
	if (a->n_rings != 0)
		fputs(" |", f);
	for (i = 0; i < a->n_rings; i++)
		fprintf(f, " %s->%s %lu/%u", a->rings[i].from->name,
			a->rings[i].to->name, ring_backlog(a->rings[i].ring),
			ring_size(a->rings[i].ring));
	fputc('\n', f);
	fflush(f);
}

static void
app_print_stage(FILE *f, const struct stage *s)
{
	unsigned int r;

	fprintf(f, "stage %-12s %-6s lcore %-3u in %-12lu out %-12lu", s->name,
		s->ops->name, s->lcore, s->ctr.pkts_in, s->ctr.pkts_out);
	for (r = 0; r < s->ops->n_drops; r++)
		if (s->ctr.drops[r] != 0)
			fprintf(f, " %s %lu", s->ops->drop_names[r], s->ctr.drops[r]);
	for (r = 0; r < s->ops->n_counters; r++)
		fprintf(f, " %s %lu", s->ops->counter_names[r], s->ctr.kind[r]);
	fputc('\n', f);
}

/*
 * Drops of a path by reason name: stages of different kinds may share a
 * name (two outputs' tx_full), and the path reports each name once.
 */
static void
app_print_path_drops(FILE *f, const struct stage *st, unsigned int n)
{
	const char *seen[CONF_MAX_STAGES * STAGE_DROPS_MAX];
	unsigned int n_seen = 0, i, j, r, k;

	for (i = 0; i < n; i++) {
		for (r = 0; r < st[i].ops->n_drops; r++) {
			const char *name = st[i].ops->drop_names[r];
			uint64_t sum = 0;

			for (k = 0; k < n_seen && strcmp(seen[k], name) != 0; k++)
				;
			if (k < n_seen)
				continue;
			seen[n_seen++] = name;
			for (j = i; j < n; j++)
				for (k = 0; k < st[j].ops->n_drops; k++)
					if (strcmp(st[j].ops->drop_names[k], name) == 0)
						sum += st[j].ctr.drops[k];
			if (sum != 0)
				fprintf(f, " %s=%lu", name, sum);
		}
	}
}

int
app_report(struct app *a, FILE *f)
{
	const struct conf *c = a->conf;
	unsigned int i, p;
	unsigned int avail, size;
	uint64_t tot_rx = 0, tot_tx = 0, tot_drop = 0;
	int bad = 0;

	/* Stop and close ports first: a closed port has released every
	 * mbuf it held in its descriptor rings, and net_pcap has flushed
	 * its output file. */
	for (i = 0; i < c->n_ports; i++) {
		struct rte_eth_stats es;

		if (!a->port_started[i])
			continue;
		if (rte_eth_stats_get(a->port_ids[i], &es) == 0)
			fprintf(f, "port  %-12s rx %lu tx %lu missed %lu rx_errors %lu "
				"tx_errors %lu rx_nombuf %lu\n", c->ports[i].name,
				es.ipackets, es.opackets, es.imissed, es.ierrors,
				es.oerrors, es.rx_nombuf);
		rte_eth_dev_stop(a->port_ids[i]);
		rte_eth_dev_close(a->port_ids[i]);
		a->port_started[i] = false;
	}
	for (i = 0; i < a->n_stages; i++)
		app_print_stage(f, &a->stages[i]);
	for (i = 0; i < a->n_stages; i++)
		if (a->stages[i].ops->report != NULL)
			a->stages[i].ops->report(&a->stages[i], f);
	fleet_report(a, f);
	for (i = 0; i < a->n_rings; i++) {
		struct ring_stats st;

		ring_stats(a->rings[i].ring, &st);
		fprintf(f, "ring  %-25s size %lu enqueued %lu dequeued %lu backlog %lu "
			"hwm %lu full %lu empty %lu\n", ring_name(a->rings[i].ring),
			st.size, st.enqueued, st.dequeued, st.backlog, st.hwm,
			st.full, st.empty);
		if (st.backlog != 0)
			bad = 1;
	}
	for (p = 0; p < c->n_paths; p++) {
		const struct stage *in = &a->stages[a->path_first[p]];
		const struct stage *out = in + c->paths[p].n_stages - 1;
		uint64_t dropped = 0, rx, x_drop;

		/* Fleet replicas beyond the first (and RSS inputs) are not
		 * in the path's stage array. */
		fleet_path_extra(a, p, &rx, &x_drop);
		rx += in->ctr.pkts_in;
		dropped += x_drop;
		for (i = 0; i < c->paths[p].n_stages; i++)
			dropped += stage_drops(&in[i]);
		fprintf(f, "path %s: received %lu sent %lu dropped %lu", c->paths[p].name,
			rx, out->ctr.pkts_out, dropped);
		app_print_path_drops(f, in, c->paths[p].n_stages);
		if (rx != out->ctr.pkts_out + dropped) {
			fprintf(f, " MISMATCH: %ld unaccounted\n",
				(long)(rx - out->ctr.pkts_out - dropped));
			bad = 1;
		} else {
			fprintf(f, " ok\n");
		}
		tot_rx += rx;
		tot_tx += out->ctr.pkts_out;
		tot_drop += dropped;
	}
	avail = rte_mempool_avail_count(a->pool);
	size = a->pool->size;
	if (avail != size)
		bad = 1;
	fprintf(f, "summary: received=%lu sent=%lu dropped=%lu pool=%u/%u %s\n",
		tot_rx, tot_tx, tot_drop, avail, size, bad ? "MISMATCH" : "ok");
	fflush(f);
	return bad ? -1 : 0;
}

void
app_free(struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->conf->n_ports; i++) {
		if (a->port_started[i]) {
			rte_eth_dev_stop(a->port_ids[i]);
			rte_eth_dev_close(a->port_ids[i]);
		}
	}
	for (i = 0; i < a->n_rings; i++)
		ring_free(a->rings[i].ring);
	for (i = 0; i < a->n_stages; i++)
		stage_fini(&a->stages[i]);
	fleet_free(a);
	rte_free(a->stages);
	rte_free(a->segs);
	rte_mempool_free(a->pool);
}
