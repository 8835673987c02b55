/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fleet: build the replicas of a fleet, carry out resizes on the
 * spreader's lcore, report. The fast path (spread, merge, publish) is
 * inline in fleet.h; why it keeps per-flow order is told there.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_telemetry.h>

#include "app.h"
#include "fleet.h"

#define LD(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)

/* Resize requests may come from several telemetry clients at once. */
static pthread_mutex_t fleet_ctl_lock = PTHREAD_MUTEX_INITIALIZER;

static int
fleet_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

bool
fleet_starts_at(const struct conf *c, unsigned int p, unsigned int i)
{
	const struct conf_path *cp = &c->paths[p];
	const struct conf_stage *st = &cp->stages[i];

	/* An RSS input fused into the fleet's first lcore (conf checked). */
	if (st->ops->role == STAGE_ROLE_INPUT)
		return i + 1 < cp->n_stages && cp->stages[i + 1].n_lcores != 0 &&
		       cp->stages[i + 1].lcores[0] == st->lcore;
	if (st->n_lcores == 0)
		return false;
	return i == 0 || cp->stages[i - 1].n_lcores == 0 ||
	       cp->stages[i - 1].lcore != st->lcore ||
	       cp->stages[i - 1].ops->role != STAGE_ROLE_APP;
}

unsigned int
fleet_buckets(const struct fleet *f, unsigned int r)
{
	unsigned int b, n = 0;

	for (b = 0; b < FLEET_BUCKETS; b++) {
		uint8_t t = LD(f->table[b]);

		if (t == FLEET_HOLD)
			t = LD(f->from[b]);
		n += t == r;
	}
	return n;
}

/* Stage J of replica R, named "<stage>/<r>". */
static int
fleet_stage_init(struct app *a, struct fleet *f, const struct conf_stage *cs,
		 struct stage *s, unsigned int r, unsigned int slot, uint16_t queue)
{
	const struct conf *c = a->conf;
	struct stage_env env = {
		.label = c->label,
		.file = c->file,
		.port_id = cs->port >= 0 ? a->ports[cs->port].id : 0,
		.queue = queue,
		.tsc_hz = a->tsc_hz,
		.socket = (int)rte_lcore_to_socket_id(f->lcores[r]),
		.pool = a->pool,
		.stop = &app_stop,
	};
	char *name = f->names[slot];
	int ret;

	snprintf(name, CONF_NAME_MAX + 4, "%s/%u", cs->name, r);
	if (r == 0) {
		/* Replica 0 is the stage app_build() made: rename it. */
		s->name = name;
		s->queue = queue;
		return 0;
	}
	ret = stage_init(s, cs->ops, name, cs->kconf, &env);
	s->lcore = f->lcores[r];
	return ret;
}

int
fleet_build(struct app *a, unsigned int p, unsigned int i,
	    struct app_seg *prev, unsigned int *next, struct fleet **fp,
	    char *err, size_t errlen)
{
	const struct conf *c = a->conf;
	const struct conf_path *cp = &c->paths[p];
	struct stage *st = &a->stages[a->path_first[p]];
	bool rss = cp->stages[i].ops->role == STAGE_ROLE_INPUT;
	unsigned int first = rss ? i + 1 : i, n_run = 0, r, j, b, slots, k;
	const struct conf_stage *fs = &cp->stages[first];
	struct fleet *f;
	int ret;

	while (first + n_run < cp->n_stages &&
	       cp->stages[first + n_run].lcore == fs->lcore &&
	       cp->stages[first + n_run].ops->role == STAGE_ROLE_APP)
		n_run++;
	f = rte_zmalloc("ffwd_fleet", sizeof(*f), RTE_CACHE_LINE_SIZE);
	if (f == NULL)
		return fleet_err(err, errlen, "fleet '%s': out of memory", fs->name);
	a->fleets[a->n_fleets++] = f;
	snprintf(f->name, sizeof(f->name), "%s", fs->name);
	f->path = p;
	f->n_run = n_run;
	f->n_rep = fs->n_lcores;
	f->rss = rss;
	memcpy(f->lcores, fs->lcores, sizeof(f->lcores));
	slots = n_run + (rss ? 1 : 0);
	f->names = rte_zmalloc("ffwd_fleet_names",
			       f->n_rep * slots * sizeof(*f->names), 0);
	f->n_extra = (f->n_rep - 1) * slots;
	f->extra = f->n_extra == 0 ? NULL :
		   rte_zmalloc("ffwd_fleet_stages", f->n_extra * sizeof(*f->extra),
			       RTE_CACHE_LINE_SIZE);
	if (f->names == NULL || (f->n_extra != 0 && f->extra == NULL))
		return fleet_err(err, errlen, "fleet '%s': out of memory", fs->name);

	/* Replica stage instances: 0 is app_build()'s, the others are new. */
	for (r = 0, k = 0; r < f->n_rep; r++) {
		for (j = 0; j < slots; j++) {
			unsigned int idx = rss ? i + j : first + j;
			struct stage *s = r == 0 ? &st[idx] : &f->extra[k++];

			ret = fleet_stage_init(a, f, &cp->stages[idx], s, r,
					       r * slots + j, rss && j == 0 ? r : cp->stages[idx].queue);
			if (ret != 0)
				return fleet_err(err, errlen, "stage '%s': %s",
						 f->names[r * slots + j], strerror(-ret));
			if (rss && j == 0)
				f->in_st[r] = s;
			else
				f->st[r][j - (rss ? 1 : 0)] = s;
		}
	}

	/* Rings, segments, lcores. */
	for (r = 0; r < f->n_rep; r++) {
		struct app_seg *seg = &a->segs[a->n_segs++];
		struct stage *after = &st[first + n_run];
		struct app_lcore *lc;

		seg->path = p;
		seg->yield = fs->idle == CONF_IDLE_YIELD;
		if (rss) {
			seg->input = f->in_st[r];
		} else {
			f->in[r] = app_ring_make(a, prev->first, f->st[r][0], p);
			if (f->in[r] == NULL)
				return fleet_err(err, errlen, "ring %s->%s: %s",
						 prev->first->name, f->st[r][0]->name,
						 rte_strerror(rte_errno));
			seg->in_ring = f->in[r];
			seg->upstream_done = &prev->done;
			seg->rep = &f->rep[r];
		}
		for (j = 0; j < n_run; j++) {
			struct stage *s = f->st[r][j];

			if (s->ops->flags & STAGE_F_IDLE)
				seg->idle[seg->n_idle++] = s;
			seg->apps[seg->n_apps++] = s;
		}
		f->out[r] = app_ring_make(a, f->st[r][n_run - 1], after, p);
		if (f->out[r] == NULL)
			return fleet_err(err, errlen, "ring %s->%s: %s",
					 f->st[r][n_run - 1]->name, after->name,
					 rte_strerror(rte_errno));
		seg->out_ring = f->out[r];
		seg->first = seg->input != NULL ? seg->input : seg->apps[0];
		f->rep_done[r] = &seg->done;
		lc = app_lcore_get(a, f->lcores[r], seg->yield);
		lc->segs[lc->n_segs++] = seg;
		if (!rss)
			lc->park = &f->rep[r].parked;
		for (j = 0; j < n_run; j++)
			if (f->st[r][j]->ops->flags & STAGE_F_PLANNED)
				lc->work[lc->n_work++] = f->st[r][j];
	}
	if (!rss)
		prev->spread = f;

	/* Buckets dealt round-robin over the replicas active at start. */
	f->n_active = rss ? f->n_rep : fs->replicas;
	for (b = 0; b < FLEET_BUCKETS; b++)
		f->table[b] = (uint8_t)(b % f->n_active);
	for (r = f->n_active; r < f->n_rep; r++)
		f->rep[r].parked = 1;
	*next = first + n_run;
	*fp = f;
	return 0;
}

/*
 * The table for N replicas that moves the fewest buckets from CUR: each
 * replica below N keeps what it has up to its share (256/N, the first
 * 256%N one more); the rest goes to those short of theirs.
 */
static void
fleet_plan(const uint8_t *cur, unsigned int n, uint8_t *next)
{
	unsigned int want[FLEET_MAX], have[FLEET_MAX] = { 0 };
	unsigned int b, r;

	for (r = 0; r < n; r++)
		want[r] = FLEET_BUCKETS / n + (r < FLEET_BUCKETS % n ? 1 : 0);
	for (b = 0; b < FLEET_BUCKETS; b++) {
		r = cur[b];
		if (r < n && have[r] < want[r]) {
			next[b] = (uint8_t)r;
			have[r]++;
		} else {
			next[b] = FLEET_HOLD;
		}
	}
	for (b = 0, r = 0; b < FLEET_BUCKETS; b++) {
		if (next[b] != FLEET_HOLD)
			continue;
		while (have[r] >= want[r])
			r++;
		next[b] = (uint8_t)r;
		have[r]++;
	}
}

int
fleet_scale(struct fleet *f, unsigned int n)
{
	uint32_t gen;

	if (f->rss)
		return -ENOTSUP;
	if (n < 1 || n > f->n_rep)
		return -EINVAL;
	pthread_mutex_lock(&fleet_ctl_lock);
	if (__atomic_load_n(&f->done_gen, __ATOMIC_ACQUIRE) != f->req_gen) {
		pthread_mutex_unlock(&fleet_ctl_lock);
		return -EBUSY;
	}
	/* No move in flight: the spreader leaves the table alone. */
	fleet_plan(f->table, n, f->req_table);
	f->req_active = n;
	gen = f->req_gen + 1;
	__atomic_store_n(&f->req_gen, gen, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&fleet_ctl_lock);
	return (int)gen;
}

/*
 * Moved buckets' flow state: each stage of the run whose kind has a
 * handover hook hands it from the old replica to the new; for the others
 * it is dropped, and counted. Both replicas are running (other buckets),
 * so the hook must only touch what belongs to the moved buckets.
 */
static void
fleet_handover(struct fleet *f)
{
	uint64_t moved[FLEET_MAX][FLEET_MAX][FLEET_BUCKETS / 64];
	bool any[FLEET_MAX][FLEET_MAX];
	unsigned int b, x, y, j, cnt;

	memset(moved, 0, sizeof(moved));
	memset(any, 0, sizeof(any));
	for (b = 0; b < FLEET_BUCKETS; b++) {
		if (f->table[b] != FLEET_HOLD)
			continue;
		x = f->from[b];
		y = f->next[b];
		moved[x][y][b / 64] |= 1ull << (b % 64);
		any[x][y] = true;
	}
	for (x = 0; x < f->n_rep; x++) {
		for (y = 0; y < f->n_rep; y++) {
			if (!any[x][y])
				continue;
			for (b = 0, cnt = 0; b < FLEET_BUCKETS / 64; b++)
				cnt += __builtin_popcountll(moved[x][y][b]);
			for (j = 0; j < f->n_run; j++) {
				struct stage *s = f->st[x][j];

				if (s->ops->handover != NULL) {
					s->ops->handover(s, f->st[y][j], moved[x][y]);
					f->ctr.state_handed += cnt;
				} else {
					f->ctr.state_dropped += cnt;
				}
			}
		}
	}
}

static void
fleet_finish_move(struct fleet *f)
{
	unsigned int b, r, active = 0;
	unsigned int n[FLEET_MAX] = { 0 };

	for (b = 0; b < FLEET_BUCKETS; b++)
		n[f->table[b]]++;
	for (r = 0; r < f->n_rep; r++) {
		/* Replicas left without buckets have nothing in flight
		 * either (they finished the moved buckets): park them. */
		__atomic_store_n(&f->rep[r].parked, n[r] == 0, __ATOMIC_RELAXED);
		active += n[r] != 0;
	}
	__atomic_store_n(&f->n_active, active, __ATOMIC_RELAXED);
	f->ctr.resizes++;
	f->ctr.last_move_cycles = rte_rdtsc() - f->move_start;
	f->moving = false;
	__atomic_store_n(&f->done_gen, f->seen_gen, __ATOMIC_RELEASE);
}

/*
 * On the spreader's lcore, from fleet_spread() and fleet_spread_idle():
 * take up a request, then watch the old replicas drain. No wait here: a
 * move not yet safe is looked at again on the next poll.
 */
void
fleet_spread_progress(struct fleet *f)
{
	unsigned int b, r;
	bool done = true;

	f->move_start = f->moving ? f->move_start : rte_rdtsc();
	if (!f->moving) {
		uint32_t gen = __atomic_load_n(&f->req_gen, __ATOMIC_ACQUIRE);
		unsigned int moving = 0;

		if (gen == f->seen_gen)
			return;
		f->seen_gen = gen;
		memcpy(f->next, f->req_table, FLEET_BUCKETS);
		/* Wake the replicas that get buckets before any arrives. */
		for (b = 0; b < FLEET_BUCKETS; b++)
			__atomic_store_n(&f->rep[f->next[b]].parked, 0, __ATOMIC_RELAXED);
		for (b = 0; b < FLEET_BUCKETS; b++) {
			if (f->next[b] == f->table[b])
				continue;
			f->from[b] = f->table[b];
			f->wait[f->table[b]] = 1;
			__atomic_store_n(&f->table[b], FLEET_HOLD, __ATOMIC_RELAXED);
			moving++;
		}
		if (moving == 0) {
			fleet_finish_move(f);
			return;
		}
		/* What each losing replica was handed up to now. */
		for (r = 0; r < f->n_rep; r++)
			if (f->wait[r] != 0)
				f->snap_in[r] = f->sent[r];
		f->moving = true;
	}
	for (r = 0; r < f->n_rep; r++) {
		if (f->wait[r] == 1) {
			if (__atomic_load_n(&f->rep[r].in_done, __ATOMIC_ACQUIRE) <
			    f->snap_in[r]) {
				done = false;
				continue;
			}
			/* It finished them: what it put out by then must
			 * reach the merger before the new replica's does. */
			f->snap_out[r] = __atomic_load_n(&f->rep[r].out_pushed,
							 __ATOMIC_RELAXED);
			f->wait[r] = 2;
		}
		if (f->wait[r] == 2) {
			if (__atomic_load_n(&f->out[r]->cons.dequeued, __ATOMIC_ACQUIRE) <
			    f->snap_out[r]) {
				done = false;
				continue;
			}
			f->wait[r] = 0;
		}
	}
	if (!done)
		return;
	fleet_handover(f);
	for (b = 0; b < FLEET_BUCKETS; b++) {
		if (f->table[b] != FLEET_HOLD)
			continue;
		__atomic_store_n(&f->table[b], f->next[b], __ATOMIC_RELAXED);
		f->ctr.moves++;
	}
	fleet_finish_move(f);
}

struct fleet *
fleet_find(struct app *a, const char *name)
{
	unsigned int i;

	for (i = 0; i < a->n_fleets; i++)
		if (strcmp(a->fleets[i]->name, name) == 0)
			return a->fleets[i];
	return NULL;
}

struct fleet *
fleet_of_stage(const struct app *a, const struct stage *s, unsigned int *replica)
{
	unsigned int i, r, j;

	for (i = 0; i < a->n_fleets; i++) {
		struct fleet *f = a->fleets[i];

		for (r = 0; r < f->n_rep; r++) {
			if (f->in_st[r] == s) {
				*replica = r;
				return f;
			}
			for (j = 0; j < f->n_run; j++) {
				if (f->st[r][j] == s) {
					*replica = r;
					return f;
				}
			}
		}
	}
	return NULL;
}

void
fleet_path_extra(const struct app *a, unsigned int p, uint64_t *rx,
		 uint64_t *drops)
{
	unsigned int i, k;

	*rx = 0;
	*drops = 0;
	for (i = 0; i < a->n_fleets; i++) {
		const struct fleet *f = a->fleets[i];

		if (f->path != p)
			continue;
		for (k = 0; k < f->n_extra; k++) {
			const struct stage *s = &f->extra[k];

			if (s->ops->role == STAGE_ROLE_INPUT)
				*rx += LD(s->ctr.pkts_in);
			*drops += stage_drops(s);
		}
	}
}

uint64_t
fleet_received(const struct app *a)
{
	uint64_t rx = 0, d;
	unsigned int p;

	for (p = 0; p < a->conf->n_paths; p++) {
		uint64_t x;

		fleet_path_extra(a, p, &x, &d);
		rx += x;
	}
	return rx;
}

static const char *
fleet_ns(const struct fleet *f, char *buf, size_t len)
{
	uint64_t pk = LD(f->ctr.spread_pkts);

	if (pk == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", LD(f->ctr.spread_cycles) * 1e9 /
			 rte_get_tsc_hz() / pk);
	return buf;
}

void
fleet_report(const struct app *a, FILE *out)
{
	unsigned int i, r, j, k;
	char ns[32];

	for (i = 0; i < a->n_fleets; i++) {
		const struct fleet *f = a->fleets[i];

		for (k = 0; k < f->n_extra; k++) {
			const struct stage *s = &f->extra[k];

			fprintf(out, "stage %-12s %-6s lcore %-3u in %-12lu out %-12lu",
				s->name, s->ops->name, s->lcore, s->ctr.pkts_in,
				s->ctr.pkts_out);
			for (r = 0; r < s->ops->n_drops; r++)
				if (s->ctr.drops[r] != 0)
					fprintf(out, " %s %lu", s->ops->drop_names[r],
						s->ctr.drops[r]);
			for (r = 0; r < s->ops->n_counters; r++)
				fprintf(out, " %s %lu", s->ops->counter_names[r],
					s->ctr.kind[r]);
			fputc('\n', out);
		}
		for (k = 0; k < f->n_extra; k++)
			if (f->extra[k].ops->report != NULL)
				f->extra[k].ops->report(&f->extra[k], out);
		fprintf(out, "fleet %s: %u replicas reserved, %u active, spread by %s",
			f->name, f->n_rep, f->n_active, f->rss ? "RSS" : "flow hash");
#define X(name, help) fprintf(out, " %s %lu", #name, f->ctr.name);
		FLEET_COUNTERS(X)
#undef X
		fprintf(out, " spread_ns %s\n", fleet_ns(f, ns, sizeof(ns)));
		for (r = 0; r < f->n_rep; r++) {
			const struct stage *s = f->rss ? f->in_st[r] : f->st[r][0];
			uint64_t pk = f->rss ? s->ctr.pkts_in : f->st[r][0]->ctr.pkts_in;

			RTE_SET_USED(j);
			if (f->rss)
				fprintf(out, "fleet %s replica %u: lcore %u active rx queue %u packets %lu\n",
					f->name, r, f->lcores[r], r, pk);
			else
				fprintf(out, "fleet %s replica %u: lcore %u %s buckets %u packets %lu\n",
					f->name, r, f->lcores[r],
					f->rep[r].parked ? "parked" : "active",
					fleet_buckets(f, r), pk);
		}
	}
}

void
fleet_telemetry(const struct app *a, const struct fleet *f, struct rte_tel_data *d)
{
	char key[64], ns[32];
	unsigned int r;

	RTE_SET_USED(a);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", f->name);
	rte_tel_data_add_dict_string(d, "path", a->conf->paths[f->path].name);
	rte_tel_data_add_dict_string(d, "spread", f->rss ? "rss" : "flow_hash");
	rte_tel_data_add_dict_int(d, "stages", f->n_run);
	rte_tel_data_add_dict_int(d, "reserved", f->n_rep);
	rte_tel_data_add_dict_int(d, "active", LD(f->n_active));
	rte_tel_data_add_dict_int(d, "buckets", FLEET_BUCKETS);
	rte_tel_data_add_dict_u64(d, "req_gen", LD(f->req_gen));
	rte_tel_data_add_dict_u64(d, "done_gen", LD(f->done_gen));
#define X(name, help) rte_tel_data_add_dict_u64(d, #name, LD(f->ctr.name));
	FLEET_COUNTERS(X)
#undef X
	rte_tel_data_add_dict_string(d, "spread_ns", fleet_ns(f, ns, sizeof(ns)));
	rte_tel_data_add_dict_u64(d, "last_move_us", LD(f->ctr.last_move_cycles) *
				  1000000ull / rte_get_tsc_hz());
	/* Containers nest one level: replicas are flattened as r<N>_*. */
	for (r = 0; r < f->n_rep; r++) {
		const struct stage *s = f->rss ? f->in_st[r] : f->st[r][0];

		snprintf(key, sizeof(key), "r%u_stage", r);
		rte_tel_data_add_dict_string(d, key, s->name);
		snprintf(key, sizeof(key), "r%u_lcore", r);
		rte_tel_data_add_dict_int(d, key, f->lcores[r]);
		snprintf(key, sizeof(key), "r%u_active", r);
		rte_tel_data_add_dict_int(d, key, !LD(f->rep[r].parked));
		snprintf(key, sizeof(key), "r%u_buckets", r);
		rte_tel_data_add_dict_int(d, key, fleet_buckets(f, r));
		snprintf(key, sizeof(key), "r%u_pkts", r);
		rte_tel_data_add_dict_u64(d, key, LD(s->ctr.pkts_in));
	}
}

void
fleet_free(struct app *a)
{
	unsigned int i, k;

	for (i = 0; i < a->n_fleets; i++) {
		struct fleet *f = a->fleets[i];

		for (k = 0; f->extra != NULL && k < f->n_extra; k++)
			if (f->extra[k].ops != NULL)
				stage_fini(&f->extra[k]);
		rte_free(f->extra);
		rte_free(f->names);
		rte_free(f);
	}
	a->n_fleets = 0;
}

/*
 * The resize requests of `ffwdctl scale`: a file "FLEET N" renamed into
 * the label's runtime directory (owner only, 0700), answered by
 * scale.ack ("gen G" or "error: why"), renamed in likewise. Telemetry
 * stays read-only; the main lcore looks every supervise tick.
 */
void
fleet_poll_requests(struct app *a, const char *rundir)
{
	char req[PATH_MAX], ack[PATH_MAX], tmp[PATH_MAX], name[CONF_NAME_MAX + 1];
	const char *why = NULL;
	struct fleet *f;
	unsigned int n;
	FILE *fp;
	int ret = -1;

	if (a->n_fleets == 0 || rundir == NULL)
		return;
	snprintf(req, sizeof(req), "%s/scale.req", rundir);
	fp = fopen(req, "r");
	if (fp == NULL)
		return;
	if (fscanf(fp, "%32s %u", name, &n) != 2)
		why = "expected FLEET N";
	fclose(fp);
	unlink(req);
	if (why == NULL) {
		f = fleet_find(a, name);
		if (f == NULL)
			why = "no such fleet (a fleet is named by its first stage)";
		else if ((ret = fleet_scale(f, n)) < 0)
			why = ret == -EINVAL ? "N must be 1 .. the lcores reserved" :
			      ret == -EBUSY ? "a resize is still in progress" :
			      ret == -ENOTSUP ? "spread by RSS: not resized" : "failed";
	}
	snprintf(ack, sizeof(ack), "%s/scale.ack", rundir);
	snprintf(tmp, sizeof(tmp), "%s/scale.ack.tmp", rundir);
	fp = fopen(tmp, "w");
	if (fp == NULL)
		return;
	if (why != NULL)
		fprintf(fp, "error: %s\n", why);
	else
		fprintf(fp, "gen %d\n", ret);
	if (fclose(fp) == 0)
		rename(tmp, ack);
}
