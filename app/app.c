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
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "app.h"
#include "bypass.h"
#include "external.h"
#include "fleet.h"
#include "loopclock.h"

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
	struct ffwd_ring *r;
	int socket;

	snprintf(name, sizeof(name), "%s->%s", from->name, to->name);
	/* On the consumer's socket: it reads every line the producer
	 * writes, and polls the ring when it is empty too. */
	socket = port_lcore_socket(to->lcore);
	if (socket < 0)
		socket = (int)rte_socket_id();
	r = ring_create(a->conf->label, name, a->conf->ring_size, socket, NULL);
	if (r == NULL && rte_errno == ENAMETOOLONG) {
		snprintf(name, sizeof(name), "ring%u", a->n_rings);
		r = ring_create(a->conf->label, name, a->conf->ring_size, socket,
				NULL);
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
		const int *ext_done = NULL;

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
			/* An external place ends the segment before it with
			 * the ring into it; no segment of ours runs it. */
			if (st[i].ops->flags & STAGE_F_EXTERNAL) {
				if (app_external_add(a, p, &st[i - 1], &st[i],
						     &prev->done, &prev->out_ring,
						     err, errlen) != 0)
					return -1;
				i++;
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
				if (st[i - 1].ops->flags & STAGE_F_EXTERNAL) {
					/* The ring out of an external place: the
					 * attached process says when it drained. */
					if (app_external_out(a, &st[i - 1], seg->in_ring,
							     &ext_done, err, errlen) != 0)
						return -1;
					seg->upstream_done = ext_done;
				} else {
					seg->upstream_done = &prev->done;
					prev->out_ring = seg->in_ring;
				}
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

/*
 * The longest frame that can reach the end of PATH: what its inputs'
 * ports can deliver (app stages pass or drop, they never lengthen a
 * frame). An input that is not a port (a capture) is not known here.
 */
static uint32_t
app_path_rx_max(const struct app *a, const struct conf_path *path)
{
	uint32_t max = 0;
	unsigned int i;

	for (i = 0; i < path->n_stages; i++) {
		const struct conf_stage *cs = &path->stages[i];

		if (cs->ops->role != STAGE_ROLE_INPUT)
			continue;
		if (cs->port < 0)
			return UINT32_MAX;
		max = RTE_MAX(max, port_rx_max_frame(&a->ports[cs->port]));
	}
	return max;
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
		if (port_setup(&a->ports[i], conf->file, &conf->ports[i], a->pool,
			       port_conf_socket(conf, i), err, errlen) != 0)
			return -1;

	a->stages = rte_zmalloc("ffwd_stages", n * sizeof(*a->stages),
				RTE_CACHE_LINE_SIZE);
	a->segs = rte_zmalloc("ffwd_segs", n_segs * sizeof(*a->segs),
			      RTE_CACHE_LINE_SIZE);
	if (a->stages == NULL || a->segs == NULL)
		return app_err(err, errlen, "out of memory for %u stages", n);
	a->tsc_hz = rte_get_tsc_hz();
	for (p = 0, k = 0; p < conf->n_paths; p++) {
		uint32_t in_max = app_path_rx_max(a, &conf->paths[p]);

		a->path_first[p] = k;
		for (i = 0; i < conf->paths[p].n_stages; i++, k++) {
			const struct conf_stage *cs = &conf->paths[p].stages[i];
			struct stage_env env = {
				.label = conf->label,
				.file = conf->file,
				.port_id = cs->port >= 0 ? a->ports[cs->port].id : 0,
				.queue = cs->queue,
				.tsc_hz = a->tsc_hz,
				.socket = port_lcore_socket(cs->lcore),
				.max_frame = cs->port >= 0 ?
					port_max_frame(&a->ports[cs->port]) : 0,
				.max_frame_in = in_max,
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
	if (app_build_segments(a, err, errlen) != 0)
		return -1;
	return app_bypass_build(a, err, errlen);
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
	else if (likely(seg->bypass == NULL))
		taken = ring_enqueue_burst(seg->out_ring, (void *const *)pkts, n);
	else
		taken = app_bypass_sink(seg, pkts, n);
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
		/* The path's own ring first: what the stages passed is
		 * older than what went around them since. */
		if (unlikely(seg->bypass_in != NULL) && n == 0)
			n = ring_dequeue_burst(seg->bypass_in, (void **)pkts,
					       STAGE_BURST);
		if (n == 0 && __atomic_load_n(seg->upstream_done, __ATOMIC_ACQUIRE)) {
			/* Upstream finished before this look: one more
			 * dequeue sees everything it ever enqueued (the
			 * input's segment finished before upstream did,
			 * so the bypass ring is complete too). */
			n = ring_dequeue_burst(seg->in_ring, (void **)pkts,
					       STAGE_BURST);
			if (n == 0 && seg->bypass_in != NULL)
				n = ring_dequeue_burst(seg->bypass_in, (void **)pkts,
						       STAGE_BURST);
			if (n == 0) {
				app_seg_finish(seg);
				return 0;
			}
		}
	}
	if (n == 0) {
		/* An input that has ended (s->ended) drains as at a stop. */
		if (seg->input != NULL && unlikely(seg->input->ended)) {
			app_seg_finish(seg);
			return 0;
		}
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

/* Publish the loop's counters every this many iterations: readers see
 * figures at most a fraction of a millisecond old. */
#define APP_FLUSH_EVERY 256

/* The loop's clock state beside what it publishes: the lcore's own. */
struct app_win {
	struct loopclock clock;
	uint64_t flushed, flushed_tsc;	/**< iterations, TSC at the last publish */
};

#ifndef FFWD_NO_TELEMETRY
/*
 * A window of the loop ends (app/loopclock.h): one TSC read, the busy/idle
 * split, the hiccup check and, now and then, the publishing of the sums.
 * Out of line, so that a busy iteration keeps its registers to itself.
 * Returns the next window's mask on the iteration count.
 */
static __rte_noinline uint64_t
app_win_end(struct app_lcore *lc, struct app_win *w, uint64_t iters,
	    unsigned int idle_n)
{
	uint64_t now = rte_rdtsc(), excess, mask;
	bool one = iters - w->clock.start == 1;
	unsigned int i;

	mask = loopclock_end(&w->clock, now, iters, idle_n, &excess);
	/* Time a work stage burnt on purpose is not a hiccup. A longer
	 * window's ordinary work already counts it: its iterations' cost
	 * was learnt with it. */
	for (i = 0; i < lc->n_work; i++) {
		uint64_t planned = lc->work[i]->ctr.planned_cycles;

		lc->work[i]->ctr.planned_cycles = 0;
		if (one)
			excess = excess > planned ? excess - planned : 0;
	}
	if (unlikely(excess > lc->hiccup_cycles))
		app_note_hiccup(lc, excess);
	/* Every APP_FLUSH_EVERY iterations, or 1 ms: a stage that spends
	 * long on each burst (a fleet's work) iterates rarely. */
	if (iters - w->flushed >= APP_FLUSH_EVERY ||
	    now - w->flushed_tsc > lc->flush_cycles) {
		w->flushed = iters;
		w->flushed_tsc = now;
		__atomic_store_n(&lc->st.idle_cycles,
				 w->clock.cycles[LOOPCLOCK_IDLE], __ATOMIC_RELAXED);
		__atomic_store_n(&lc->st.busy_cycles,
				 w->clock.cycles[LOOPCLOCK_BUSY], __ATOMIC_RELAXED);
		__atomic_store_n(&lc->st.iterations, iters, __ATOMIC_RELAXED);
	}
	return mask;
}
#endif

/*
 * The stage lcore's loop: poll every live segment, yield only in yield
 * mode and only after an empty round, and read the clock at the end of
 * each window of iterations (app/loopclock.h: one TSC read per window of
 * up to 64 short iterations, or per iteration once they are long). Inside
 * the loop, telemetry is one mask test on the iteration count, and one
 * increment on an idle iteration.
 */
static int
app_lcore_main(void *arg)
{
	struct app_lcore *lc = arg;
	struct app_win w = { .flushed = 0 };
	uint64_t iters = 0, mask = 0;
	unsigned int i, live, idle_n = 0;

	/* One system call, before the loop: the control plane's handle on
	 * this thread (telemetry publishes it). */
	__atomic_store_n(&lc->tid, rte_sys_gettid(), __ATOMIC_RELEASE);
	loopclock_init(&w.clock, lc->cycles_per_us, rte_rdtsc());
	w.flushed_tsc = w.clock.prev;
	do {
		uint16_t moved = 0;

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
		iters++;
		if (moved == 0) {
			APP_TEL(idle_n++);
			if (lc->park != NULL &&
			    __atomic_load_n(lc->park, __ATOMIC_RELAXED)) {
				/* A parked fleet replica: provisioned, not
				 * allocated. Its sleep is neither idle time
				 * nor a hiccup: the window starts again. */
				usleep(APP_PARK_US);
				APP_TEL(loopclock_restart(&w.clock, rte_rdtsc(), iters);
					idle_n = 0; mask = 0);
				continue;
			}
			if (lc->yield)
				sched_yield();
		}
#ifndef FFWD_NO_TELEMETRY
		if ((iters & mask) == 0) {
			mask = app_win_end(lc, &w, iters, idle_n);
			idle_n = 0;
		}
#else
		RTE_SET_USED(mask);
		RTE_SET_USED(idle_n);
#endif
	} while (live != 0);
	lc->st.idle_cycles = w.clock.cycles[LOOPCLOCK_IDLE];
	lc->st.busy_cycles = w.clock.cycles[LOOPCLOCK_BUSY];
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

/*
 * Every stage of the app, the paths' and the fleets' extra replicas: I
 * counts from 0; NULL past the last.
 */
static struct stage *
app_stage_nth(struct app *a, unsigned int i)
{
	unsigned int f;

	if (i < a->n_stages)
		return &a->stages[i];
	i -= a->n_stages;
	for (f = 0; f < a->n_fleets; f++) {
		if (i < a->fleets[f]->n_extra)
			return &a->fleets[f]->extra[i];
		i -= a->fleets[f]->n_extra;
	}
	return NULL;
}

int
app_reload_stages(struct app *a, FILE *f)
{
	struct stage *s;
	unsigned int i;
	int bad = 0;

	for (i = 0; (s = app_stage_nth(a, i)) != NULL; i++)
		if (s->ops->reload != NULL && s->ops->reload(s, f) != 0)
			bad = 1;
	fflush(f);
	return bad ? -1 : 0;
}

int
app_wait_links(struct app *a, double seconds, FILE *f)
{
	return port_wait_links(a->ports, a->conf->n_ports, seconds, &app_stop, f);
}

void
app_housekeeping(struct app *a, bool final)
{
	struct stage *s;
	unsigned int i;

	for (i = 0; (s = app_stage_nth(a, i)) != NULL; i++)
		if (s->ops->housekeeping != NULL)
			s->ops->housekeeping(s, final);
	app_external_poll(a, final);
	if (!final)
		app_bypass_watch(a);
}

void
app_wait(struct app *a)
{
	unsigned int i, running;

	/* While they drain, a path may still need its bypass switched back
	 * (the input's segment holds its stash meanwhile) or an external
	 * place with nothing attached emptied. */
	do {
		running = 0;
		for (i = 0; i < a->n_lcores; i++)
			running += rte_eal_get_lcore_state(a->lcores[i].lcore) ==
				   RUNNING;
		if (running != 0) {
			app_external_poll(a, true);
			app_bypass_watch(a);
			rte_delay_us_sleep(1000);
		}
	} while (running != 0);
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
app_free(struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->conf->n_ports; i++)
		port_close(&a->ports[i]);
	for (i = 0; i < a->n_rings; i++)
		ring_free(a->rings[i].ring);
	for (i = 0; i < a->n_stages; i++)
		stage_fini(&a->stages[i]);
	fleet_free(a);
	app_external_free(a);
	app_bypass_free(a);
	rte_free(a->stages);
	rte_free(a->segs);
	rte_mempool_free(a->pool);
}
