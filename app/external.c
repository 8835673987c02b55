/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * external: the primary's side of stages served by another process
 * (external.h says what is shared and who writes it).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_pause.h>

#include "app.h"
#include "bypass.h"
#include "external.h"

/* The primary's view of its places: a slot each, in build order. */
struct app_ext {
	const struct rte_memzone *mz;
	struct ext_dir *dir;
	struct stage *stage[EXT_MAX];
	unsigned int path[EXT_MAX];
	struct ffwd_ring *in[EXT_MAX], *out[EXT_MAX];
	uint32_t seen_state[EXT_MAX];	/**< for the log of changes */
	int32_t seen_pid[EXT_MAX];
	unsigned int r_ext, r_det;	/**< drop indices, by name */
	bool claimed[EXT_MAX];		/**< we took it at exit */
	uint64_t claim_n[EXT_MAX];	/**< packets we emptied then */
};

static int
ext_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static unsigned int
ext_drop_index(const struct stage_ops *ops, const char *name)
{
	unsigned int r;

	for (r = 0; r < ops->n_drops; r++)
		if (strcmp(ops->drop_names[r], name) == 0)
			return r;
	return 0;
}

/* The ring name ring_lookup() wants: without "<label>.". */
static void
ext_ring_short(char *buf, size_t size, const struct ffwd_ring *r)
{
	const char *n = ring_name(r), *dot = strchr(n, '.');

	snprintf(buf, size, "%s", dot != NULL ? dot + 1 : n);
}

static int
ext_dir_make(struct app *a, char *err, size_t errlen)
{
	char name[RTE_MEMZONE_NAMESIZE];
	struct app_ext *x;
	unsigned int i, p, k;

	x = rte_zmalloc("ffwd_ext", sizeof(*x), RTE_CACHE_LINE_SIZE);
	if (x == NULL)
		return ext_err(err, errlen, "external stages: out of memory");
	snprintf(name, sizeof(name), "%s.%s", a->conf->label, EXT_ZONE);
	x->mz = rte_memzone_reserve(name, sizeof(struct ext_dir), SOCKET_ID_ANY,
				    RTE_MEMZONE_SIZE_HINT_ONLY);
	if (x->mz == NULL) {
		rte_free(x);
		return ext_err(err, errlen, "memzone %s: %s", name,
			       rte_strerror(rte_errno));
	}
	x->dir = x->mz->addr;
	memset(x->dir, 0, sizeof(*x->dir));
	/* Stage lcores of this process: an attached process must use
	 * other lcore ids (each lcore id has its own mempool cache). */
	for (p = 0; p < a->conf->n_paths; p++)
		for (i = 0; i < a->conf->paths[p].n_stages; i++) {
			k = a->conf->paths[p].stages[i].lcore;
			x->dir->lcores_used[k / 64] |= 1ull << (k % 64);
		}
	k = a->conf->housekeeping;
	x->dir->lcores_used[k / 64] |= 1ull << (k % 64);
	a->ext = x;
	return 0;
}

int
app_external_add(struct app *a, unsigned int path, struct stage *from,
		 struct stage *s, const int *prev_done, struct ffwd_ring **in,
		 char *err, size_t errlen)
{
	struct app_ext *x;
	struct ext_slot *sl;
	unsigned int n;

	if (a->ext == NULL && ext_dir_make(a, err, errlen) != 0)
		return -1;
	x = a->ext;
	n = x->dir->n;
	if (n == EXT_MAX)
		return ext_err(err, errlen, "stage '%s': more than %d external stages",
			       s->name, EXT_MAX);
	*in = app_ring_make(a, from, s, path);
	if (*in == NULL)
		return ext_err(err, errlen, "ring %s->%s: %s", from->name, s->name,
			       rte_strerror(rte_errno));
	sl = &x->dir->slot[n];
	snprintf(sl->stage, sizeof(sl->stage), "%s", s->name);
	ext_ring_short(sl->in_ring, sizeof(sl->in_ring), *in);
	sl->up_done = prev_done;
	x->stage[n] = s;
	x->in[n] = *in;
	x->path[n] = path;
	x->r_ext = ext_drop_index(s->ops, "external");
	x->r_det = ext_drop_index(s->ops, "detached");
	x->dir->n = n + 1;
	return 0;
}

int
app_external_out(struct app *a, struct stage *s, struct ffwd_ring *out,
		 const int **done, char *err, size_t errlen)
{
	struct app_ext *x = a->ext;
	unsigned int i;

	for (i = 0; x != NULL && i < x->dir->n; i++) {
		if (x->stage[i] != s)
			continue;
		x->out[i] = out;
		ext_ring_short(x->dir->slot[i].out_ring,
			       sizeof(x->dir->slot[i].out_ring), out);
		*done = &x->dir->slot[i].down_done;
		/* The directory is complete for this place: publish it. */
		__atomic_store_n(&x->dir->magic, EXT_MAGIC, __ATOMIC_RELEASE);
		return 0;
	}
	return ext_err(err, errlen, "stage '%s': not an external stage", s->name);
}

struct ext_slot *
app_external_slot(const struct app *a, const struct stage *s)
{
	unsigned int i;

	for (i = 0; a->ext != NULL && i < a->ext->dir->n; i++)
		if (a->ext->stage[i] == s)
			return &a->ext->dir->slot[i];
	return NULL;
}

/*
 * The pipeline stops with nothing attached: take the place (once) and,
 * from then on, be the consumer of the ring into it and the producer of
 * the ring out of it, emptying it the way the path's bypass says
 * (fail-open: out through the ring out of it, as bypassed; else dropped
 * and counted), until the segment before has drained. Taking it at once,
 * not after that segment drained, matters: that segment may hold a stash
 * for the full ring and would never drain.
 */
static void
ext_claim(struct app *a, unsigned int i, uint32_t from)
{
	struct app_ext *x = a->ext;
	struct ext_slot *sl = &x->dir->slot[i];
	struct stage *s = x->stage[i];
	enum conf_bypass mode = a->conf->paths[x->path[i]].bypass;
	uint32_t want = from;
	void *objs[RING_BURST_MAX];
	uint64_t moved = 0, dropped = 0;
	unsigned int n, k;
	int up;

	if (__atomic_load_n(&sl->down_done, __ATOMIC_ACQUIRE))
		return;
	if (!x->claimed[i]) {
		if (!__atomic_compare_exchange_n(&sl->state, &want, EXT_CLAIMED,
						 false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			return;
		x->claimed[i] = true;
	}
	do {
		up = __atomic_load_n(sl->up_done, __ATOMIC_ACQUIRE);
		while ((n = ring_dequeue_burst(x->in[i], objs, RING_BURST_MAX)) != 0) {
			if (mode == CONF_BYPASS_OPEN) {
				for (k = 0; k < n;) {
					k += ring_enqueue_burst(x->out[i], objs + k, n - k);
					if (k < n)
						rte_pause();
				}
				moved += n;
			} else {
				rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
				dropped += n;
			}
		}
	} while (0);
	if (mode == CONF_BYPASS_OPEN)
		app_bypass_note_exit(a, x->path[i], moved, 0);
	else if (mode == CONF_BYPASS_CLOSED)
		app_bypass_note_exit(a, x->path[i], 0, dropped);
	else
		s->ctr.drops[x->r_det] += dropped;
	x->claim_n[i] += moved + dropped;
	/* Upstream had finished before the last look: all it ever
	 * enqueued has been taken. */
	if (!up)
		return;
	if (x->claim_n[i] != 0)
		fprintf(stderr, "ffwd: external stage '%s': nothing attached at exit: %lu packets of its ring %s\n",
			s->name, x->claim_n[i],
			mode == CONF_BYPASS_OPEN ? "passed on, bypassed" :
			mode == CONF_BYPASS_CLOSED ? "dropped as bypass_drop" :
			"dropped as detached");
	__atomic_store_n(&sl->down_done, 1, __ATOMIC_RELEASE);
}

void
app_external_poll(struct app *a, bool draining)
{
	struct app_ext *x = a->ext;
	unsigned int i;

	if (x == NULL)
		return;
	for (i = 0; i < x->dir->n; i++) {
		struct ext_slot *sl = &x->dir->slot[i];
		struct stage *s = x->stage[i];
		uint32_t st = __atomic_load_n(&sl->state, __ATOMIC_ACQUIRE);
		int32_t pid = __atomic_load_n(&sl->pid, __ATOMIC_RELAXED);

		/* The stage's counters have one writer: this thread. */
		__atomic_store_n(&s->ctr.pkts_in,
				 __atomic_load_n(&sl->pkts_in, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&s->ctr.pkts_out,
				 __atomic_load_n(&sl->pkts_out, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&s->ctr.drops[x->r_ext],
				 __atomic_load_n(&sl->drops, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&s->ctr.bursts,
				 __atomic_load_n(&sl->bursts, __ATOMIC_RELAXED),
				 __ATOMIC_RELAXED);
		/* seen_pid is -pid once that pid was found gone. */
		if (st != x->seen_state[i] ||
		    (pid != x->seen_pid[i] && -pid != x->seen_pid[i])) {
			if (st == EXT_ATTACHED)
				fprintf(stderr, "ffwd: external stage '%s': attached: %s stage, pid %d, lcore %u\n",
					s->name, sl->kind, pid, sl->lcore);
			else if (x->seen_state[i] == EXT_ATTACHED)
				fprintf(stderr, "ffwd: external stage '%s': %s (pid %d)\n",
					s->name, st == EXT_CLAIMED ?
					"taken over at exit" : "detached",
					abs(x->seen_pid[i]));
			x->seen_state[i] = st;
			x->seen_pid[i] = pid;
		}
		/* A process that died holding the place cannot give it
		 * back; what it held is lost, and the accounting says so. */
		if (st == EXT_ATTACHED && pid > 0 && kill(pid, 0) != 0 &&
		    errno == ESRCH && x->seen_pid[i] != -pid) {
			fprintf(stderr, "ffwd: external stage '%s': pid %d is gone without detaching\n",
				s->name, pid);
			x->seen_pid[i] = -pid;
		}
		if (draining && (st == EXT_FREE || x->claimed[i]))
			ext_claim(a, i, EXT_FREE);
		/* Dead while attached: take it over, or the drain would wait
		 * for it forever. What it held in hand is gone: the path's
		 * check reports those packets as unaccounted for. */
		else if (draining && st == EXT_ATTACHED && x->seen_pid[i] == -pid)
			ext_claim(a, i, EXT_ATTACHED);
	}
}

bool
app_external_attached(const struct app *a, const struct stage *s)
{
	const struct ext_slot *sl = app_external_slot(a, s);

	return sl != NULL &&
	       __atomic_load_n(&sl->state, __ATOMIC_ACQUIRE) == EXT_ATTACHED;
}

void
app_external_free(struct app *a)
{
	if (a->ext == NULL)
		return;
	rte_memzone_free(a->ext->mz);
	rte_free(a->ext);
	a->ext = NULL;
}
