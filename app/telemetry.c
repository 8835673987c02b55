/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: /ffwd/info, /ffwd/stages, /ffwd/rings and /ffwd/ports on
 * DPDK's telemetry socket, so that dpdk-telemetry.py is a client as well
 * as ffwdctl.
 *
 * The callbacks run on EAL's telemetry thread and only read: counters are
 * single-writer 64-bit words, read here with relaxed atomic loads, so a
 * reader never takes a lock and never slows a stage down. Every name comes
 * from the counter X-macros (stage.h, app.h), the same lists the exit
 * report and the tests use.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "app.h"
#include "bypass.h"
#include "external.h"
#include "fleet.h"
#include "telemetry.h"

/* DPDK's telemetry callbacks take no context argument, so the app they
 * describe has to be found here: the one global besides the stop flag. */
static struct app *tel_app;
static const char *tel_config;
static int tel_busy;	/* callbacks in progress */

#define LD(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)

/*
 * Dictionary keys may hold only [A-Za-z0-9_/] in DPDK's telemetry; others
 * are refused silently. Stage names may hold '-' and ring names "->", so
 * keys are made safe here and the true name goes in the entry's "name".
 */
static const char *
tel_key(char *buf, size_t len, const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i < len - 1; i++) {
		char c = name[i];

		buf[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_') ? c : '_';
	}
	buf[i] = '\0';
	return buf;
}

static const struct app_lcore *
tel_lcore_of(const struct app *a, unsigned int lcore)
{
	unsigned int i;

	for (i = 0; i < a->n_lcores; i++)
		if (a->lcores[i].lcore == lcore)
			return &a->lcores[i];
	return NULL;
}

/*
 * A reply under construction. DPDK's telemetry drops what does not fit
 * without a word (a dictionary holds 256 entries, a string 127 chars, a
 * whole reply 16 KiB), so every entry goes through these helpers, which
 * count an upper bound of its JSON text and refuse it, counting it as cut,
 * once the dictionary or the byte budget is full. Two entries are kept
 * for the marks that tell the client what was left out.
 */
struct tel_out {
	struct rte_tel_data *d;
	size_t bytes;		/**< upper bound of the JSON so far */
	size_t limit;		/**< bytes allowed */
	unsigned int n;		/**< entries added */
	unsigned int cut;	/**< entries refused */
};

/* The reply is {"<cmd>":{...}}: leave room for the key and the marks. */
#define TEL_REPLY_BUDGET	(16384 - 512)
#define TEL_DICT_ROOM		(RTE_TEL_MAX_DICT_ENTRIES - 2)

static void
tel_out_init(struct tel_out *o, struct rte_tel_data *d, size_t limit)
{
	*o = (struct tel_out){ .d = d, .limit = limit };
	rte_tel_data_start_dict(d);
}

static bool
tel_room(struct tel_out *o, size_t need)
{
	if (o->n >= TEL_DICT_ROOM || o->bytes + need > o->limit) {
		o->cut++;
		return false;
	}
	return true;
}

/* "key":18446744073709551615, is at most strlen(key) + 24 bytes. */
static void
tel_u64(struct tel_out *o, const char *key, uint64_t v)
{
	size_t need = strlen(key) + 24;

	if (!tel_room(o, need))
		return;
	if (rte_tel_data_add_dict_u64(o->d, key, v) != 0) {
		o->cut++;
		return;
	}
	o->n++;
	o->bytes += need;
}

/* Strings are escaped: at most two bytes a char, plus quotes. */
static void
tel_str(struct tel_out *o, const char *key, const char *v)
{
	size_t need = strlen(key) + 2 * strlen(v) + 8;

	if (strlen(v) >= RTE_TEL_MAX_STRING_LEN || !tel_room(o, need)) {
		if (strlen(v) >= RTE_TEL_MAX_STRING_LEN)
			o->cut++;
		return;
	}
	if (rte_tel_data_add_dict_string(o->d, key, v) != 0) {
		o->cut++;
		return;
	}
	o->n++;
	o->bytes += need;
}

/* Add container c (built with budget `inner`) or free it. */
static bool
tel_container(struct tel_out *o, const char *key, struct tel_out *inner)
{
	size_t need = strlen(key) + 8 + inner->bytes;

	if (!tel_room(o, need) ||
	    rte_tel_data_add_dict_container(o->d, key, inner->d, 0) != 0) {
		rte_tel_data_free(inner->d);
		return false;
	}
	o->n++;
	o->bytes += need;
	return true;
}

/* The marks: how many entries were cut (the reply is incomplete). */
static void
tel_marks(struct tel_out *o)
{
	if (o->cut != 0 && rte_tel_data_add_dict_u64(o->d, "entries_cut", o->cut) == 0)
		o->n++;
}

/* A u64 array of up to RTE_TEL_MAX_ARRAY_ENTRIES: per-lcore lists. */
static void
tel_lcore_array(struct tel_out *o, const struct app *a, const char *key,
		int what)
{
	struct tel_out arr = { .d = rte_tel_data_alloc() };
	unsigned int i;

	if (arr.d == NULL) {
		o->cut++;
		return;
	}
	rte_tel_data_start_array(arr.d, RTE_TEL_U64_VAL);
	for (i = 0; i < a->n_lcores; i++) {
		const struct app_lcore *lc = &a->lcores[i];
		uint64_t v = what == 0 ? lc->lcore :
			     what == 1 ? (uint64_t)a->conf->cpu_of[lc->lcore] :
					 (uint64_t)__atomic_load_n(&lc->tid, __ATOMIC_ACQUIRE);

		if (rte_tel_data_add_array_u64(arr.d, v) != 0)
			arr.cut++;
		arr.bytes += 21;
	}
	if (arr.cut != 0) {
		rte_tel_data_free(arr.d);
		o->cut++;
		return;
	}
	tel_container(o, key, &arr);
}

static int
tel_info_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	char list[RTE_TEL_MAX_STRING_LEN];
	struct tel_out o;
	unsigned int i;
	size_t len;
	bool whole;

	(void)cmd;
	(void)params;
	tel_out_init(&o, d, TEL_REPLY_BUDGET);
	tel_str(&o, "label", a->conf->label);
	tel_str(&o, "version", FFWD_VERSION);
	tel_str(&o, "state", LD(a->state));
	tel_u64(&o, "uptime_ms", (rte_rdtsc() - a->start_tsc) * 1000 / rte_get_tsc_hz());
	tel_str(&o, "config", tel_config);
	tel_u64(&o, "pid", getpid());
	/*
	 * "lcores" ("1@1,2@0") is kept for dpdk-telemetry.py readers; a
	 * string holds 127 chars, so past about 25 lcores it ends at a
	 * whole item and lcores_complete says 0. The arrays are the full
	 * lists (lcore ids, their CPUs, the thread ids of the stage lcores).
	 */
	for (i = 0, len = 0, whole = true; i < a->n_lcores; i++) {
		char item[24];
		int n = snprintf(item, sizeof(item), "%s%u@%d", i ? "," : "",
				 a->lcores[i].lcore, a->conf->cpu_of[a->lcores[i].lcore]);

		if (n < 0 || len + (size_t)n >= sizeof(list)) {
			whole = false;
			break;
		}
		memcpy(list + len, item, (size_t)n + 1);
		len += (size_t)n;
	}
	list[len] = '\0';
	tel_str(&o, "lcores", list);
	tel_u64(&o, "lcores_complete", whole);
	tel_lcore_array(&o, a, "lcore_ids", 0);
	tel_lcore_array(&o, a, "lcore_cpus", 1);
	tel_lcore_array(&o, a, "lcore_tids", 2);
	tel_u64(&o, "n_lcores", a->n_lcores);
	tel_u64(&o, "housekeeping", a->conf->housekeeping);
	tel_u64(&o, "tsc_hz", rte_get_tsc_hz());
	tel_u64(&o, "hiccup_threshold_us", a->hiccup_us);
	tel_u64(&o, "stages", a->n_stages);
	for (i = 0, len = 0, whole = true; i < a->n_stages; i++) {
		const char *nm = a->stages[i].name;

		if (len + strlen(nm) + 2 >= sizeof(list)) {
			whole = false;
			break;
		}
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? "," : "", nm);
	}
	list[len] = '\0';
	tel_str(&o, "stage_names", list);
	tel_u64(&o, "stage_names_complete", whole);
	tel_u64(&o, "rings", a->n_rings);
	/* Mbufs in use = size - avail (per-lcore caches included: a soak
	 * watches this for growth). */
	tel_u64(&o, "pool_size", a->pool->size);
	tel_u64(&o, "pool_avail", rte_mempool_avail_count(a->pool));
	tel_marks(&o);
	return 0;
}

/* A kind's own entries (a firewall's "acl:<rule>" hits keyed "acl_<rule>"). */
static void
tel_emit(void *arg, const char *name, uint64_t value)
{
	char key[RTE_TEL_MAX_STRING_LEN];

	tel_u64(arg, tel_key(key, sizeof(key), name), value);
}

/* A path's bypass, on its input stage's entry; an external place's
 * attachment, on its own. */
static void
tel_path_extras(struct tel_out *c, const struct app *a, const struct stage *s,
		unsigned int path)
{
	static const char *const names[] = {
#define X(name, help) #name,
		BYPASS_COUNTERS(X)
#undef X
	};
	uint64_t v[RTE_DIM(names)];
	const char *mode;
	const struct ext_slot *sl;
	unsigned int k;

	if (s == &a->stages[a->path_first[path]] &&
	    app_bypass_state(a, path, &mode, v)) {
		tel_str(c, "bypass", conf_bypass_names[a->conf->paths[path].bypass]);
		tel_str(c, "bypass_mode", mode);
		for (k = 0; k < RTE_DIM(names); k++)
			tel_u64(c, names[k], v[k]);
	}
	sl = (s->ops->flags & STAGE_F_EXTERNAL) ? app_external_slot(a, s) : NULL;
	if (sl != NULL) {
		tel_str(c, "attached", LD(sl->state) == EXT_ATTACHED ? "yes" : "no");
		tel_u64(c, "attached_pid", (uint64_t)LD(sl->pid));
		tel_u64(c, "attaches", LD(sl->attaches));
		tel_u64(c, "detaches", LD(sl->detaches));
	}
}

static void
tel_stage(struct tel_out *c, const struct app *a, const struct stage *s,
	  unsigned int path)
{
	const struct app_lcore *lc = tel_lcore_of(a, s->lcore);
	uint64_t busy, idle, drops = 0;
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int r;
	int b;

	tel_str(c, "name", s->name);
	tel_str(c, "kind", s->ops->name);
	tel_str(c, "path", a->conf->paths[path].name);
	tel_u64(c, "lcore", s->lcore);
	/* The CPU given to EAL: rte_lcore_to_cpu_id() is the topology's
	 * core id, which on VMs and SMT machines is not the CPU number. */
	tel_u64(c, "cpu", a->conf->cpu_of[s->lcore]);
	if (lc != NULL)
		tel_u64(c, "tid", __atomic_load_n(&lc->tid, __ATOMIC_ACQUIRE));
#define X(name, help) tel_u64(c, #name, LD(s->ctr.name));
	STAGE_COUNTERS(X)
#undef X
	for (r = 0; r < s->ops->n_drops; r++) {
		uint64_t v = LD(s->ctr.drops[r]);

		snprintf(key, sizeof(key), "drop_%s", s->ops->drop_names[r]);
		tel_u64(c, tel_key(key, sizeof(key), key), v);
		drops += v;
	}
	tel_u64(c, "drops", drops);
	for (r = 0; r < s->ops->n_counters; r++)
		tel_u64(c, tel_key(key, sizeof(key), s->ops->counter_names[r]),
			LD(s->ctr.kind[r]));
	{
		unsigned int rep;
		const struct fleet *f = fleet_of_stage(a, s, &rep);

		/* A replica: ffwdctl speaks of its fleet. */
		if (f != NULL) {
			tel_str(c, "fleet", f->name);
			tel_u64(c, "replica", rep);
			tel_u64(c, "active", !LD(f->rep[rep].parked));
			tel_u64(c, "fleet_reserved", f->n_rep);
			tel_u64(c, "fleet_active", LD(f->n_active));
			if (!f->rss)
				tel_u64(c, "buckets", fleet_buckets(f, rep));
		}
	}
	if (lc != NULL) {
		/* Busy, idle and hiccups belong to the lcore; every stage on
		 * it shares them (fused stages run in the same iterations). */
#define X(name, help) tel_u64(c, #name, LD(lc->st.name));
		APP_LCORE_COUNTERS(X)
#undef X
		busy = LD(lc->st.busy_cycles);
		idle = LD(lc->st.idle_cycles);
		/* Basis points: the telemetry library has no floating type. */
		tel_u64(c, "utilization_bp",
			busy + idle ? busy * 10000 / (busy + idle) : 0);
		tel_u64(c, "hiccup_max_ns",
			LD(lc->st.hiccup_max_cycles) * 1000000000ull / rte_get_tsc_hz());
		/* Containers nest one level only, so the histogram is
		 * flattened: hiccups_<b>us counts gaps of [2^b, 2^(b+1)) µs.
		 * Empty buckets are left out. */
		for (b = 0; b < APP_HICCUP_BUCKETS; b++) {
			uint64_t v = LD(lc->st.hist[b]);

			if (v == 0)
				continue;
			snprintf(key, sizeof(key), "hiccups_%lluus", 1ull << b);
			tel_u64(c, key, v);
		}
	}
	tel_path_extras(c, a, s, path);
	/* The kind's own entries last (a firewall's per-rule hits): they
	 * are what a long rule set cuts. */
	if (s->ops->telemetry != NULL)
		s->ops->telemetry(s, tel_emit, c);
	tel_marks(c);
}

/*
 * Paging: params "@N" starts at entry N. A reply that stops early says
 * where the next page starts in "_next"; ffwdctl follows it, and
 * dpdk-telemetry.py users ask for "/ffwd/stages,@<_next>".
 */
static unsigned int
tel_page_start(const char *params)
{
	if (params != NULL && params[0] == '@')
		return (unsigned int)strtoul(params + 1, NULL, 10);
	return 0;
}

/* Add entry `i` (container `in`) to page `o`, or end the page there. */
static bool
tel_page_add(struct tel_out *o, const char *key, struct tel_out *in,
	     unsigned int i, unsigned int first)
{
	if (i > first && (o->n >= TEL_DICT_ROOM ||
			  o->bytes + strlen(key) + 8 + in->bytes > o->limit)) {
		rte_tel_data_free(in->d);
		rte_tel_data_add_dict_u64(o->d, "_next", i);
		return false;
	}
	tel_container(o, key, in);
	return true;
}

/*
 * One stage of /ffwd/stages: skipped (1) when another one or an earlier
 * page was asked for, added (1), or the page is full (0); -ENOMEM.
 */
static int
tel_stages_one(struct tel_out *o, const struct app *a, const struct stage *s,
	       unsigned int path, const char *only, unsigned int idx,
	       unsigned int first)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	struct tel_out c;

	if ((only != NULL && strcmp(only, s->name) != 0) ||
	    (only == NULL && idx < first))
		return 1;
	c.d = rte_tel_data_alloc();
	if (c.d == NULL)
		return -ENOMEM;
	tel_out_init(&c, c.d, TEL_REPLY_BUDGET - 64);
	tel_stage(&c, a, s, path);
	return tel_page_add(o, tel_key(key, sizeof(key), s->name), &c, idx,
			    first) ? 1 : 0;
}

static int
tel_stages_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	unsigned int p, i, k, idx = 0, first = tel_page_start(params);
	/* "/ffwd/stages,NAME" asks for one stage. */
	const char *only = params != NULL && params[0] != '\0' &&
			   params[0] != '@' ? params : NULL;
	struct tel_out o;
	int ret;

	(void)cmd;
	tel_out_init(&o, d, TEL_REPLY_BUDGET);
	for (p = 0; p < a->conf->n_paths; p++)
		for (i = 0; i < a->conf->paths[p].n_stages; i++, idx++) {
			ret = tel_stages_one(&o, a, &a->stages[a->path_first[p] + i],
					     p, only, idx, first);
			if (ret <= 0)
				return ret;
		}
	/* Fleet replicas beyond the first live outside the paths' arrays:
	 * paged after them, with the indices that follow the paths'. */
	for (i = 0; i < a->n_fleets; i++)
		for (k = 0; k < a->fleets[i]->n_extra; k++, idx++) {
			ret = tel_stages_one(&o, a, &a->fleets[i]->extra[k],
					     a->fleets[i]->path, only, idx, first);
			if (ret <= 0)
				return ret;
		}
	return 0;
}

static int
tel_fleets_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct app *a = tel_app;
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; i < a->n_fleets; i++) {
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -ENOMEM;
		fleet_telemetry(a, a->fleets[i], c);
		rte_tel_data_add_dict_container(d, tel_key(key, sizeof(key),
							   a->fleets[i]->name), c, 0);
	}
	return 0;
}


static int
tel_rings_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	unsigned int i, first = tel_page_start(params);
	struct tel_out o;

	(void)cmd;
	tel_out_init(&o, d, TEL_REPLY_BUDGET);
	for (i = first; i < a->n_rings; i++) {
		const struct app_ring *ar = &a->rings[i];
		char name[2 * CONF_NAME_MAX + 8], key[RTE_TEL_MAX_STRING_LEN];
		struct ring_stats st;
		struct tel_out c = { .d = rte_tel_data_alloc() };

		if (c.d == NULL)
			return -ENOMEM;
		ring_stats(ar->ring, &st);
		tel_out_init(&c, c.d, TEL_REPLY_BUDGET - 64);
		tel_str(&c, "name", ring_name(ar->ring));
		tel_str(&c, "from", ar->from->name);
		tel_str(&c, "to", ar->to->name);
		tel_str(&c, "path", a->conf->paths[ar->path].name);
#define X(name, help) tel_u64(&c, #name, st.name);
		RING_STATS_FIELDS(X)
#undef X
		tel_marks(&c);
		snprintf(name, sizeof(name), "%s_to_%s", ar->from->name,
			 ar->to->name);
		if (!tel_page_add(&o, tel_key(key, sizeof(key), name), &c, i, first))
			return 0;
	}
	return 0;
}

static int
tel_ports_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	unsigned int i, first = tel_page_start(params);
	struct tel_out o;

	(void)cmd;
	tel_out_init(&o, d, TEL_REPLY_BUDGET);
	for (i = first; i < a->conf->n_ports; i++) {
		struct tel_out c = { .d = rte_tel_data_alloc() };
		char key[RTE_TEL_MAX_STRING_LEN];
		struct rte_eth_stats es = { 0 };

		if (c.d == NULL)
			return -ENOMEM;
		if (a->ports[i].started)
			rte_eth_stats_get(a->ports[i].id, &es);
		tel_out_init(&c, c.d, TEL_REPLY_BUDGET - 64);
		tel_str(&c, "name", a->conf->ports[i].name);
		tel_u64(&c, "port_id", a->ports[i].id);
		tel_str(&c, "dev", a->conf->ports[i].dev);
		tel_u64(&c, "ipackets", es.ipackets);
		tel_u64(&c, "opackets", es.opackets);
		tel_u64(&c, "ibytes", es.ibytes);
		tel_u64(&c, "obytes", es.obytes);
		tel_u64(&c, "imissed", es.imissed);
		tel_u64(&c, "ierrors", es.ierrors);
		tel_u64(&c, "oerrors", es.oerrors);
		tel_u64(&c, "rx_nombuf", es.rx_nombuf);
		/* Link propagation of a bump-in-the-wire pair (port.c). */
		if (a->ports[i].link_peer >= 0)	/* else it has no peer */
			tel_u64(&c, "link_peer", (uint64_t)a->ports[i].link_peer);
		tel_u64(&c, "link_lost", a->ports[i].link_lost);
		tel_u64(&c, "peer_downs", a->ports[i].peer_downs);
		tel_u64(&c, "peer_ups", a->ports[i].peer_ups);
		tel_u64(&c, "peer_cannot", a->ports[i].peer_cannot);
		tel_marks(&c);
		if (!tel_page_add(&o, tel_key(key, sizeof(key), a->conf->ports[i].name),
				  &c, i, first))
			return 0;
	}
	return 0;
}

/* Per-rule hits from entry `first` on, until the page is full. */
struct tel_rules_page {
	struct tel_out *o;
	unsigned int idx, first, next;	/* next: 0 while everything fitted */
};

static void
tel_rule_hit(void *arg, const char *name, uint64_t value)
{
	struct tel_rules_page *pg = arg;
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int before = pg->o->n;

	if (pg->idx++ < pg->first || pg->next != 0)
		return;
	tel_u64(pg->o, tel_key(key, sizeof(key), name), value);
	if (pg->o->n == before)
		pg->next = pg->idx - 1;
}

/*
 * "/ffwd/rules,STAGE[,@N]": a stage kind's own entries (a firewall's
 * per-rule hits, an IDS's top sids), paged like the others, for sets too
 * long for the stage's own entry (which then says how many it left out in
 * entries_cut).
 */
static int
tel_rules_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	char name[CONF_NAME_MAX];
	const char *at = params != NULL ? strchr(params, ',') : NULL;
	struct tel_rules_page pg = { 0 };
	struct tel_out o;
	unsigned int i;

	(void)cmd;
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	snprintf(name, sizeof(name), "%.*s", (int)(at ? at - params : (long)strlen(params)),
		 params);
	if (at != NULL && at[1] == '@')
		pg.first = (unsigned int)strtoul(at + 2, NULL, 10);
	tel_out_init(&o, d, TEL_REPLY_BUDGET);
	pg.o = &o;
	for (i = 0; i < a->n_stages; i++) {
		const struct stage *s = &a->stages[i];

		if (strcmp(s->name, name) != 0)
			continue;
		if (s->ops->telemetry == NULL)
			return -EINVAL;
		s->ops->telemetry(s, tel_rule_hit, &pg);
		if (pg.next != 0)
			rte_tel_data_add_dict_u64(d, "_next", pg.next);
		return 0;
	}
	return -EINVAL;
}

/*
 * Every callback runs inside tel_enter()/tel_leave(), so that
 * telemetry_unregister() can wait until no reader is left before the app
 * is freed. This is the control path only; the stages never see it.
 */
static struct app *
tel_enter(void)
{
	/*
	 * A store-load handshake with telemetry_quiesce() (store tel_app,
	 * then load tel_busy): each side stores, then loads what the other
	 * stored. Acquire/release cannot order a store before a later load,
	 * so on a weakly ordered CPU both could miss the other's store; only
	 * seq_cst on all four makes "one of them sees the other" hold.
	 */
	__atomic_fetch_add(&tel_busy, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&tel_app, __ATOMIC_SEQ_CST);
}

static void
tel_leave(void)
{
	__atomic_fetch_sub(&tel_busy, 1, __ATOMIC_RELEASE);
}

#define TEL_CMD(name)                                                          \
static int                                                                     \
name(const char *cmd, const char *params, struct rte_tel_data *d)              \
{                                                                              \
	int ret = -ENODEV; /* the pipeline is gone */                          \
                                                                               \
	if (tel_enter() != NULL)                                               \
		ret = name##_do(cmd, params, d);                               \
	tel_leave();                                                           \
	return ret;                                                            \
}
TEL_CMD(tel_info)
TEL_CMD(tel_stages)
TEL_CMD(tel_rings)
TEL_CMD(tel_ports)
TEL_CMD(tel_rules)
TEL_CMD(tel_fleets)

int
telemetry_quiesce(int (*fn)(void *arg), void *arg)
{
	struct app *a = __atomic_exchange_n(&tel_app, NULL, __ATOMIC_SEQ_CST);
	int ret;

	while (__atomic_load_n(&tel_busy, __ATOMIC_SEQ_CST) != 0)
		usleep(100);
	ret = fn(arg);
	__atomic_store_n(&tel_app, a, __ATOMIC_RELEASE);
	return ret;
}

void
telemetry_unregister(void)
{
	__atomic_store_n(&tel_app, NULL, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&tel_busy, __ATOMIC_SEQ_CST) != 0)
		usleep(100);
}

int
telemetry_register(struct app *a, const char *config_path)
{
	tel_config = config_path;
	__atomic_store_n(&tel_app, a, __ATOMIC_RELEASE);
	/* Help texts must stay under RTE_TEL_MAX_STRING_LEN (128). */
	if (rte_telemetry_register_cmd("/ffwd/info", tel_info,
			"Label, version, state, uptime, config, lcores. No parameters") ||
	    rte_telemetry_register_cmd("/ffwd/stages", tel_stages,
			"Per stage: packets, drops, busy/idle, utilization, hiccups. "
			"Parameter: stage name (optional)") ||
	    rte_telemetry_register_cmd("/ffwd/rings", tel_rings,
			"Per ring: stages, size, enqueued, dequeued, backlog, hwm, full, "
			"empty polls. No parameters") ||
	    rte_telemetry_register_cmd("/ffwd/ports", tel_ports,
			"Per port: ethdev stats incl. missed and no-mbuf. No parameters") ||
	    rte_telemetry_register_cmd("/ffwd/rules", tel_rules,
			"Per-rule hits of a firewall stage. Parameters: stage name, "
			"optional @N to start at rule N") ||
	    rte_telemetry_register_cmd("/ffwd/fleets", tel_fleets,
			"Per fleet: replicas reserved/active, buckets, moves, spread cost. "
			"No parameters"))
		return -1;
	return 0;
}
