/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running pipeline: build, the lcore loop, drain, and the final
 * accounting.
 */
#include <errno.h>
#include <sched.h>
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
#include "firewall.h"

volatile int app_stop;
volatile int app_reload;

#define APP_TSC_CAL_S 0.25	/* a quarter second gives a few ppm */

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

static struct app_lcore *
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
static struct ffwd_ring *
app_ring_make(struct app *a, struct stage *from, struct stage *to,
	      unsigned int path)
{
	/* Room for any two stage names: ring_create() says when the memzone
	 * name would be too long, rather than us cutting it silently. */
	char name[2 * CONF_NAME_MAX + 4];
	struct ffwd_ring *r;
	int socket;

	snprintf(name, sizeof(name), "%s->%s", from->conf->name, to->conf->name);
	/* On the consumer's socket: it reads every line the producer
	 * writes, and polls the ring when it is empty too. */
	socket = port_lcore_socket(to->conf->lcore);
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

		for (i = 0; i < cp->n_stages;) {
			struct app_seg *seg = &a->segs[a->n_segs++];
			unsigned int lcore = cp->stages[i].lcore, k;
			struct app_lcore *lc;

			seg->path = p;
			seg->yield = cp->stages[i].idle == CONF_IDLE_YIELD;
			if (prev == NULL) {
				seg->input = &st[i++];
			} else {
				seg->in_ring = app_ring_make(a, &st[i - 1], &st[i], p);
				if (seg->in_ring == NULL)
					return app_err(err, errlen,
						       "ring %s->%s: %s",
						       st[i - 1].conf->name, st[i].conf->name,
						       rte_strerror(rte_errno));
				seg->upstream_done = &prev->done;
				prev->out_ring = seg->in_ring;
			}
			while (i < cp->n_stages && cp->stages[i].lcore == lcore &&
			       st[i].kind != CONF_STAGE_OUTPUT) {
				seg->has_fw |= st[i].kind == CONF_STAGE_FIREWALL;
				seg->apps[seg->n_apps++] = &st[i++];
			}
			if (i < cp->n_stages && cp->stages[i].lcore == lcore)
				seg->output = &st[i++];
			seg->first = seg->input != NULL ? seg->input :
				     seg->n_apps != 0 ? seg->apps[0] : seg->output;
			lc = app_lcore_get(a, lcore, seg->yield);
			lc->segs[lc->n_segs++] = seg;
			for (k = 0; k < seg->n_apps; k++)
				if (seg->apps[k]->kind == CONF_STAGE_WORK)
					lc->work[lc->n_work++] = seg->apps[k];
			prev = seg;
		}
	}
	return 0;
}

int
app_build(struct app *a, const struct conf *conf, char *err, size_t errlen)
{
	unsigned int i, p, k, n = 0;
	unsigned int cache;
	bool paced;

	memset(a, 0, sizeof(*a));
	a->conf = conf;
	a->state = "starting";
	a->hiccup_us = APP_HICCUP_DEFAULT_US;
	for (p = 0; p < conf->n_paths; p++)
		n += conf->paths[p].n_stages;

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
	a->segs = rte_zmalloc("ffwd_segs", n * sizeof(*a->segs),
			      RTE_CACHE_LINE_SIZE);
	if (a->stages == NULL || a->segs == NULL)
		return app_err(err, errlen, "out of memory for %u stages", n);
	/* Paced outputs need the TSC's true rate, not EAL's rounded one. */
	a->tsc_hz = rte_get_tsc_hz();
	for (p = 0, paced = false; p < conf->n_paths; p++)
		for (i = 0; i < conf->paths[p].n_stages; i++)
			paced |= conf->paths[p].stages[i].pace_pps != 0 ||
				 conf->paths[p].stages[i].pace_mbps != 0;
	if (paced)
		a->tsc_hz = pacer_calibrate_hz(APP_TSC_CAL_S);
	for (p = 0, k = 0; p < conf->n_paths; p++) {
		a->path_first[p] = k;
		for (i = 0; i < conf->paths[p].n_stages; i++, k++) {
			const struct conf_stage *cs = &conf->paths[p].stages[i];
			uint16_t pid = cs->port >= 0 ? a->ports[cs->port].id : 0;
			int ret = stage_init(&a->stages[k], cs, pid, a->tsc_hz);

			if (ret != 0)
				return app_err(err, errlen, "stage '%s': %s",
					       cs->name, strerror(-ret));
			if (cs->kind == CONF_STAGE_OUTPUT)
				a->stages[k].max_frame =
					port_max_frame(&a->ports[cs->port]);
		}
	}
	a->n_stages = n;
	return app_build_segments(a, err, errlen);
}

/* Hand a burst to the next lcore: back-pressure, never drop, between
 * stages. The consumer drains until this segment says it is done, so
 * waiting here cannot deadlock. */
static __rte_always_inline void
app_ring_put(struct ffwd_ring *r, struct rte_mbuf **pkts, uint16_t n,
	     bool yield)
{
	unsigned int sent = ring_enqueue_burst(r, (void *const *)pkts, n);

	while (unlikely(sent < n)) {
		if (yield)
			sched_yield();
		else
			rte_pause();
		sent += ring_enqueue_burst(r, (void *const *)pkts + sent, n - sent);
	}
}

static __rte_noinline void
app_seg_idle(struct app_seg *seg)
{
	unsigned int i;

	for (i = 0; i < seg->n_apps; i++)
		if (seg->apps[i]->kind == CONF_STAGE_FIREWALL)
			fw_stage_idle(seg->apps[i]->fw);
}

static __rte_always_inline void
app_seg_finish(struct app_seg *seg)
{
	/* RELEASE pairs with the downstream segment's ACQUIRE load of
	 * upstream_done: all our ring enqueues are visible before it. */
	__atomic_store_n(&seg->done, 1, __ATOMIC_RELEASE);
}

/*
 * One poll of a segment: source, fused app stages, sink. Returns packets
 * moved. No system call, lock or allocation on this path; in yield mode the
 * lcore loop, not this function, gives the CPU away.
 */
static __rte_always_inline uint16_t
app_seg_poll(struct app_seg *seg)
{
	struct rte_mbuf *pkts[STAGE_BURST];
	uint16_t n;
	unsigned int i;

	if (seg->input != NULL) {
		if (unlikely(app_stop)) {
			app_seg_finish(seg);
			return 0;
		}
		n = stage_rx(seg->input, pkts, STAGE_BURST);
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
		if (unlikely(seg->has_fw))
			app_seg_idle(seg);
		return 0;
	}
	/* Bursts are counted where they enter a segment; the stages fused
	 * behind see the same bursts (less what was dropped). */
	APP_TEL(seg->first->ctr.bursts++);
	for (i = 0; i < seg->n_apps && n != 0; i++)
		n = seg->apps[i]->burst(seg->apps[i], pkts, n);
	if (n == 0)
		return 1; /* all dropped: still work done */
	if (seg->output != NULL) {
		if (unlikely(seg->output->paced))
			stage_tx_paced(seg->output, pkts, n);
		else
			stage_tx(seg->output, pkts, n);
	}
	else
		app_ring_put(seg->out_ring, pkts, n, seg->yield);
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
	uint64_t iters = 0;
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
		if (unlikely((++iters & (APP_FLUSH_EVERY - 1)) == 0)) {
			__atomic_store_n(&lc->st.idle_cycles, cycles[0], __ATOMIC_RELAXED);
			__atomic_store_n(&lc->st.busy_cycles, cycles[1], __ATOMIC_RELAXED);
			__atomic_store_n(&lc->st.iterations, iters, __ATOMIC_RELAXED);
		}
#else
		RTE_SET_USED(now);
		RTE_SET_USED(gap);
		RTE_SET_USED(prev);
#endif

		live = 0;
		for (i = 0; i < lc->n_segs; i++) {
			struct app_seg *seg = lc->segs[i];

			if (seg->done)
				continue;
			live++;
			moved |= app_seg_poll(seg);
		}
		busy = moved != 0;
		if (!busy && lc->yield)
			sched_yield();
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
app_reload_rules(struct app *a, FILE *f)
{
	char err[CONF_ERR_MAX];
	unsigned int i;
	int bad = 0;

	for (i = 0; i < a->n_stages; i++) {
		struct stage *s = &a->stages[i];
		struct fw_rules *r;

		if (s->kind != CONF_STAGE_FIREWALL)
			continue;
		/* Built here, off the fast path; swapped in atomically; the
		 * old set is freed once the stage has moved past it. */
		r = fw_rules_load(s->conf->rules, err, sizeof(err));
		if (r == NULL || fw_stage_reload(s->fw, r) != 0) {
			fprintf(f, "stage '%s': reload refused, old rules kept: %s\n",
				s->conf->name, r == NULL ? err : "out of memory");
			if (r != NULL)
				fw_rules_free(r);
			bad = 1;
			continue;
		}
		fprintf(f, "stage '%s': rules reloaded from %s (%u rules)\n",
			s->conf->name, s->conf->rules, fw_rules_count(r));
	}
	fflush(f);
	return bad ? -1 : 0;
}

int
app_wait_links(struct app *a, double seconds, FILE *f)
{
	return port_wait_links(a->ports, a->conf->n_ports, seconds, &app_stop, f);
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
		if (a->stages[i].kind == CONF_STAGE_INPUT)
			sum += __atomic_load_n(&a->stages[i].ctr.pkts_in,
					       __ATOMIC_RELAXED);
	return sum;
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

		fprintf(f, " %s %.0f/s", a->stages[i].conf->name,
			(out - prev[i]) / interval_s);
		prev[i] = out;
	}
	if (a->n_rings != 0)
		fputs(" |", f);
	for (i = 0; i < a->n_rings; i++)
		fprintf(f, " %s->%s %lu/%u", a->rings[i].from->conf->name,
			a->rings[i].to->conf->name, ring_backlog(a->rings[i].ring),
			ring_size(a->rings[i].ring));
	fputc('\n', f);
	fflush(f);
}

/* A paced output's achieved rate, first to last departure, on the same
 * calibrated TSC that scheduled them. */
static void
app_print_pace(FILE *f, const struct stage *s, uint64_t hz)
{
	double secs = (double)(s->pace_last - s->sched.t0) / hz;
	double asked = s->conf->pace_pps ? s->conf->pace_pps : s->conf->pace_mbps;
	double got;

	if (s->ctr.pkts_out < 2 || secs <= 0)
		return;
	/* Units before the last departure over the time they took. */
	got = (double)s->pace_last_units / secs / (s->pace_bits ? 1e6 : 1);
	fprintf(f, "pace  %-12s asked %.0f %s, achieved %.3f %s (%+.4f %%) over %.3f s\n",
		s->conf->name, asked, s->pace_bits ? "Mbps" : "pps", got,
		s->pace_bits ? "Mbps" : "pps", (got - asked) / asked * 100, secs);
}

static void
app_print_stage(FILE *f, const struct stage *s, unsigned int lcore)
{
	int r;

	fprintf(f, "stage %-12s %-6s lcore %-3u in %-12lu out %-12lu", s->conf->name,
		conf_stage_kind_name(s->kind), lcore, s->ctr.pkts_in,
		s->ctr.pkts_out);
	for (r = 0; r < STAGE_DROP_MAX; r++)
		if (s->ctr.drops[r] != 0)
			fprintf(f, " %s %lu", stage_drop_names[r], s->ctr.drops[r]);
	fputc('\n', f);
}

int
app_report(struct app *a, FILE *f)
{
	const struct conf *c = a->conf;
	unsigned int i, p;
	unsigned int avail, size;
	uint64_t tot_rx = 0, tot_tx = 0, tot_drop = 0, lost;
	struct port_loss loss;
	char where[512];
	int bad = 0;

	/* Stop and close ports first: a closed port has released every
	 * mbuf it held in its descriptor rings, and net_pcap has flushed
	 * its output file. */
	for (i = 0; i < c->n_ports; i++) {
		port_close(&a->ports[i]);
		port_print_stats(&a->ports[i], f);
	}
	port_link_report(a->ports, c->n_ports, f);
	for (p = 0; p < c->n_paths; p++)
		for (i = 0; i < c->paths[p].n_stages; i++)
			app_print_stage(f, &a->stages[a->path_first[p] + i],
					c->paths[p].stages[i].lcore);
	for (i = 0; i < a->n_stages; i++)
		if (a->stages[i].paced)
			app_print_pace(f, &a->stages[i], a->tsc_hz);
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
		uint64_t dropped = 0;
		int r;

		for (i = 0; i < c->paths[p].n_stages; i++)
			dropped += stage_drops(&in[i]);
		fprintf(f, "path %s: received %lu sent %lu dropped %lu", c->paths[p].name,
			in->ctr.pkts_in, out->ctr.pkts_out, dropped);
		for (r = 0; r < STAGE_DROP_MAX; r++) {
			uint64_t sum = 0;

			for (i = 0; i < c->paths[p].n_stages; i++)
				sum += in[i].ctr.drops[r];
			if (sum != 0)
				fprintf(f, " %s=%lu", stage_drop_names[r], sum);
		}
		if (in->ctr.pkts_in != out->ctr.pkts_out + dropped) {
			fprintf(f, " MISMATCH: %ld unaccounted\n",
				(long)(in->ctr.pkts_in - out->ctr.pkts_out - dropped));
			bad = 1;
		} else {
			fprintf(f, " ok\n");
		}
		tot_rx += in->ctr.pkts_in;
		tot_tx += out->ctr.pkts_out;
		tot_drop += dropped;
	}
	avail = rte_mempool_avail_count(a->pool);
	size = a->pool->size;
	if (avail != size)
		bad = 1;
	/* What ports lost never entered (or left after) a path: zero loss
	 * means zero there too. */
	lost = port_loss_where(a->ports, c->n_ports, &loss, where, sizeof(where));
	fprintf(f, "ports: lost %lu (imissed %lu, rx_nombuf %lu, oerrors %lu)\n",
		lost, loss.imissed, loss.rx_nombuf, loss.oerrors);
	fprintf(f, "summary: received=%lu sent=%lu dropped=%lu pool=%u/%u %s",
		tot_rx, tot_tx, tot_drop, avail, size,
		bad ? "MISMATCH" : lost ? "LOSS" : "ok");
	if (lost != 0)
		fprintf(f, "%s %lu packets lost at the ports: %s", bad ? "; and" : ":",
			lost, where);
	fputc('\n', f);
	fflush(f);
	return bad ? -1 : lost ? 1 : 0;
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
	rte_free(a->stages);
	rte_free(a->segs);
	rte_mempool_free(a->pool);
}
