/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bypass: the watchdog and the first segment's switchable sink
 * (bypass.h says what they do and how order is kept).
 */
#include <stdarg.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "app.h"
#include "bypass.h"
#include "external.h"

static const char *const bypass_mode_names[] = {
	[BYPASS_NORMAL] = "normal",
	[BYPASS_OPEN] = "fail-open",
	[BYPASS_CLOSED] = "fail-closed",
	[BYPASS_DRAIN] = "resuming",
};

/* One place the watchdog watches: the ring into it and its stage. */
struct bypass_watch {
	struct ffwd_ring *in;
	struct stage *stage;
	bool external;
	uint64_t last_deq;
	uint64_t last_move;	/**< TSC of the last sign of life */
};

struct app_bypass {
	/* Written by the watchdog, read by the first segment's lcore. */
	uint32_t mode;
	/* Written by the first segment's lcore (and, once that segment
	 * has finished, by the exit claim of an external place). */
	uint32_t mode_seen __rte_cache_aligned;
	uint64_t bypassed;
	uint64_t bypass_drop;
	/* The watchdog's own (main lcore). */
	uint64_t bypass_switches __rte_cache_aligned;
	uint64_t bypass_resumes;
	struct ffwd_ring *ring;		/**< first segment -> last segment */
	unsigned int path;
	enum conf_bypass kind;
	uint64_t stall_cycles;
	unsigned int n_watch;
	struct bypass_watch w[APP_MAX_RINGS];
};

static int
bypass_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
app_bypass_build(struct app *a, char *err, size_t errlen)
{
	unsigned int p, i, n_rings;

	for (p = 0; p < a->conf->n_paths; p++) {
		const struct conf_path *cp = &a->conf->paths[p];
		struct app_seg *first = NULL, *last = NULL;
		struct app_bypass *b;

		if (cp->bypass == CONF_BYPASS_OFF)
			continue;
		for (i = 0; i < a->n_segs; i++) {
			if (a->segs[i].path != p)
				continue;
			if (first == NULL)
				first = &a->segs[i];
			last = &a->segs[i];
		}
		/* conf_parse_path() made sure there is a place between. */
		if (first == NULL || first == last || first->output != NULL)
			return bypass_err(err, errlen, "path '%s': nothing to bypass",
					  cp->name);
		b = rte_zmalloc("ffwd_bypass", sizeof(*b), RTE_CACHE_LINE_SIZE);
		if (b == NULL)
			return bypass_err(err, errlen, "path '%s': bypass: out of memory",
					  cp->name);
		a->bypass[p] = b;
		b->path = p;
		b->kind = cp->bypass;
		b->stall_cycles = (uint64_t)cp->stall_ms * a->tsc_hz / 1000;
		/* Every ring of the path but the one into the last segment
		 * leads into a place the bypass steps around. */
		n_rings = a->n_rings;
		for (i = 0; i < n_rings; i++) {
			struct app_ring *r = &a->rings[i];

			if (r->path != p || r->ring == last->in_ring)
				continue;
			b->w[b->n_watch++] = (struct bypass_watch){
				.in = r->ring,
				.stage = r->to,
				.external = (r->to->ops->flags & STAGE_F_EXTERNAL) != 0,
				.last_move = rte_rdtsc(),
			};
		}
		b->ring = app_ring_make(a, first->input, last->first, p);
		if (b->ring == NULL)
			return bypass_err(err, errlen, "path '%s': bypass ring: %s",
					  cp->name, rte_strerror(rte_errno));
		first->bypass = b;
		last->bypass_in = b->ring;
	}
	return 0;
}

uint16_t
app_bypass_sink(struct app_seg *seg, struct rte_mbuf **pkts, uint16_t n)
{
	struct app_bypass *b = seg->bypass;
	uint32_t m = __atomic_load_n(&b->mode, __ATOMIC_ACQUIRE);
	uint16_t t;

	/* Acknowledge the mode: every sink before this one is done, so
	 * the watchdog knows when nothing more enters the bypass ring. */
	if (unlikely(m != b->mode_seen))
		__atomic_store_n(&b->mode_seen, m, __ATOMIC_RELEASE);
	switch (m) {
	case BYPASS_OPEN:
		t = ring_enqueue_burst(b->ring, (void *const *)pkts, n);
		__atomic_store_n(&b->bypassed, b->bypassed + t, __ATOMIC_RELAXED);
		return t;
	case BYPASS_CLOSED:
		rte_pktmbuf_free_bulk(pkts, n);
		__atomic_store_n(&b->bypass_drop, b->bypass_drop + n,
				 __ATOMIC_RELAXED);
		return n;
	case BYPASS_DRAIN:
		return 0;	/* held: the stash, offered again next poll */
	default:
		return ring_enqueue_burst(seg->out_ring, (void *const *)pkts, n);
	}
}

static void
bypass_set(struct app *a, struct app_bypass *b, uint32_t m, const char *what,
	   const struct stage *who)
{
	__atomic_store_n(&b->mode, m, __ATOMIC_RELEASE);
	fprintf(stderr, "ffwd: path '%s': bypass %s: %s%s%s\n",
		a->conf->paths[b->path].name, bypass_mode_names[m], what,
		who != NULL ? " " : "", who != NULL ? who->name : "");
}

void
app_bypass_watch(struct app *a)
{
	uint64_t now = rte_rdtsc();
	unsigned int p, i;

	for (p = 0; p < a->conf->n_paths; p++) {
		struct app_bypass *b = a->bypass[p];
		struct bypass_watch *who = NULL;
		const char *why = NULL;
		uint32_t m;

		if (b == NULL)
			continue;
		for (i = 0; i < b->n_watch; i++) {
			struct bypass_watch *w = &b->w[i];
			struct ring_stats st;

			ring_stats(w->in, &st);
			if (st.dequeued != w->last_deq || st.backlog == 0) {
				w->last_deq = st.dequeued;
				w->last_move = now;
			}
			if (who != NULL)
				continue;
			if (w->external && !app_external_attached(a, w->stage)) {
				who = w;
				why = "nothing attached to external stage";
			} else if (now - w->last_move >= b->stall_cycles) {
				who = w;
				why = "no progress with packets waiting: stage";
			}
		}
		m = __atomic_load_n(&b->mode, __ATOMIC_RELAXED);
		switch (m) {
		case BYPASS_NORMAL:
			if (who == NULL)
				break;
			b->bypass_switches++;
			bypass_set(a, b, b->kind == CONF_BYPASS_OPEN ?
				   BYPASS_OPEN : BYPASS_CLOSED, why, who->stage);
			break;
		case BYPASS_CLOSED:
			if (who != NULL)
				break;
			b->bypass_resumes++;
			bypass_set(a, b, BYPASS_NORMAL, "inspection resumed", NULL);
			break;
		case BYPASS_OPEN:
			if (who == NULL)
				bypass_set(a, b, BYPASS_DRAIN,
					   "the stage moves again; emptying the bypass ring first",
					   NULL);
			break;
		case BYPASS_DRAIN:
			if (who != NULL) {
				b->bypass_switches++;
				bypass_set(a, b, BYPASS_OPEN, why, who->stage);
			} else if (__atomic_load_n(&b->mode_seen, __ATOMIC_ACQUIRE) ==
					   BYPASS_DRAIN &&
				   ring_backlog(b->ring) == 0) {
				b->bypass_resumes++;
				bypass_set(a, b, BYPASS_NORMAL, "inspection resumed", NULL);
			}
			break;
		}
	}
}

void
app_bypass_note_exit(struct app *a, unsigned int p, uint64_t bypassed,
		     uint64_t dropped)
{
	struct app_bypass *b = a->bypass[p];

	if (b == NULL)
		return;
	__atomic_store_n(&b->bypassed, b->bypassed + bypassed, __ATOMIC_RELAXED);
	__atomic_store_n(&b->bypass_drop, b->bypass_drop + dropped,
			 __ATOMIC_RELAXED);
}

uint64_t
app_bypass_drops(const struct app *a, unsigned int p)
{
	return a->bypass[p] != NULL ?
		__atomic_load_n(&a->bypass[p]->bypass_drop, __ATOMIC_RELAXED) : 0;
}

bool
app_bypass_state(const struct app *a, unsigned int p, const char **mode,
		 uint64_t *c)
{
	const struct app_bypass *b = a->bypass[p];
	unsigned int k = 0;

	if (b == NULL)
		return false;
	*mode = bypass_mode_names[__atomic_load_n(&b->mode, __ATOMIC_RELAXED)];
#define X(name, help) c[k++] = __atomic_load_n(&b->name, __ATOMIC_RELAXED);
	BYPASS_COUNTERS(X)
#undef X
	return true;
}

void
app_bypass_report(const struct app *a, unsigned int p, FILE *f)
{
	uint64_t c[8];
	const char *mode;
	unsigned int k = 0;

	if (!app_bypass_state(a, p, &mode, c))
		return;
	fprintf(f, "bypass %s: %s, now %s", a->conf->paths[p].name,
		conf_bypass_names[a->conf->paths[p].bypass], mode);
#define X(name, help) fprintf(f, " %s %lu", #name, c[k++]);
	BYPASS_COUNTERS(X)
#undef X
	fputc('\n', f);
}

void
app_bypass_free(struct app *a)
{
	unsigned int p;

	for (p = 0; p < CONF_MAX_PATHS; p++) {
		rte_free(a->bypass[p]);
		a->bypass[p] = NULL;
	}
}
