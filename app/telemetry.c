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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "app.h"
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

static int
tel_info_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	char lcores[512] = "";
	size_t len = 0;
	unsigned int i;

	(void)cmd;
	(void)params;
	for (i = 0; i < a->n_lcores; i++)
		len += snprintf(lcores + len, sizeof(lcores) - len, "%s%u@%u",
				i ? "," : "", a->lcores[i].lcore,
				a->conf->cpu_of[a->lcores[i].lcore]);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "label", a->conf->label);
	rte_tel_data_add_dict_string(d, "version", FFWD_VERSION);
	rte_tel_data_add_dict_string(d, "state", LD(a->state));
	rte_tel_data_add_dict_u64(d, "uptime_ms",
				  (rte_rdtsc() - a->start_tsc) * 1000 / rte_get_tsc_hz());
	rte_tel_data_add_dict_string(d, "config", tel_config);
	rte_tel_data_add_dict_int(d, "pid", getpid());
	rte_tel_data_add_dict_string(d, "lcores", lcores);
	rte_tel_data_add_dict_int(d, "housekeeping", a->conf->housekeeping);
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	rte_tel_data_add_dict_u64(d, "hiccup_threshold_us", a->hiccup_us);
	rte_tel_data_add_dict_int(d, "stages", a->n_stages);
	for (i = 0, len = 0; i < a->n_stages && len < sizeof(lcores); i++)
		len += snprintf(lcores + len, sizeof(lcores) - len, "%s%s",
				i ? "," : "", a->stages[i].name);
	rte_tel_data_add_dict_string(d, "stage_names", lcores);
	rte_tel_data_add_dict_int(d, "rings", a->n_rings);
	return 0;
}

static void
tel_stage(struct rte_tel_data *c, const struct app *a, const struct stage *s,
	  unsigned int path)
{
	const struct app_lcore *lc = tel_lcore_of(a, s->lcore);
	uint64_t busy, idle, drops = 0;
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int r;
	int b;

	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_string(c, "name", s->name);
	rte_tel_data_add_dict_string(c, "kind", s->ops->name);
	rte_tel_data_add_dict_string(c, "path", a->conf->paths[path].name);
	rte_tel_data_add_dict_int(c, "lcore", s->lcore);
	/* The CPU given to EAL: rte_lcore_to_cpu_id() is the topology's
	 * core id, which on VMs and SMT machines is not the CPU number. */
	rte_tel_data_add_dict_int(c, "cpu", a->conf->cpu_of[s->lcore]);
#define X(name, help) rte_tel_data_add_dict_u64(c, #name, LD(s->ctr.name));
	STAGE_COUNTERS(X)
#undef X
	for (r = 0; r < s->ops->n_drops; r++) {
		uint64_t v = LD(s->ctr.drops[r]);

		snprintf(key, sizeof(key), "drop_%s", s->ops->drop_names[r]);
		rte_tel_data_add_dict_u64(c, tel_key(key, sizeof(key), key), v);
		drops += v;
	}
	rte_tel_data_add_dict_u64(c, "drops", drops);
	for (r = 0; r < s->ops->n_counters; r++)
		rte_tel_data_add_dict_u64(c, tel_key(key, sizeof(key),
						     s->ops->counter_names[r]),
					  LD(s->ctr.kind[r]));
	if (s->ops->telemetry != NULL)
		s->ops->telemetry(s, c);
	{
		unsigned int r;
		const struct fleet *f = fleet_of_stage(a, s, &r);

		/* A replica: ffwdctl speaks of its fleet. */
		if (f != NULL) {
			rte_tel_data_add_dict_string(c, "fleet", f->name);
			rte_tel_data_add_dict_int(c, "replica", r);
			rte_tel_data_add_dict_int(c, "active",
						  !LD(f->rep[r].parked));
			rte_tel_data_add_dict_int(c, "fleet_reserved", f->n_rep);
			rte_tel_data_add_dict_int(c, "fleet_active", LD(f->n_active));
			if (!f->rss)
				rte_tel_data_add_dict_int(c, "buckets",
							  fleet_buckets(f, r));
		}
	}
	if (lc == NULL)
		return;
	/* Busy, idle and hiccups belong to the lcore; every stage on it
	 * shares them (fused stages run in the same iterations). */
#define X(name, help) rte_tel_data_add_dict_u64(c, #name, LD(lc->st.name));
	APP_LCORE_COUNTERS(X)
#undef X
	busy = LD(lc->st.busy_cycles);
	idle = LD(lc->st.idle_cycles);
	/* Basis points: the telemetry library has no floating type. */
	rte_tel_data_add_dict_u64(c, "utilization_bp",
				  busy + idle ? busy * 10000 / (busy + idle) : 0);
	rte_tel_data_add_dict_u64(c, "hiccup_max_ns",
				  LD(lc->st.hiccup_max_cycles) * 1000000000ull /
					  rte_get_tsc_hz());
	/* Containers nest one level only, so the histogram is flattened:
	 * hiccups_<b>us counts gaps of [2^b, 2^(b+1)) µs. Empty buckets are
	 * left out to keep a many-stage reply within one message. */
	for (b = 0; b < APP_HICCUP_BUCKETS; b++) {
		uint64_t v = LD(lc->st.hist[b]);

		if (v == 0)
			continue;
		snprintf(key, sizeof(key), "hiccups_%lluus", 1ull << b);
		rte_tel_data_add_dict_u64(c, key, v);
	}
}

static int
tel_stages_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	char key[RTE_TEL_MAX_STRING_LEN];
	unsigned int p, i;

	(void)cmd;
	rte_tel_data_start_dict(d);
	for (p = 0; p < a->conf->n_paths; p++) {
		for (i = 0; i < a->conf->paths[p].n_stages; i++) {
			const struct stage *s = &a->stages[a->path_first[p] + i];
			struct rte_tel_data *c;

			/* "/ffwd/stages,NAME" asks for one stage. */
			if (params != NULL && params[0] != '\0' &&
			    strcmp(params, s->name) != 0)
				continue;
			c = rte_tel_data_alloc();

			if (c == NULL)
				return -ENOMEM;
			tel_stage(c, a, s, p);
			rte_tel_data_add_dict_container(d, tel_key(key, sizeof(key),
								   s->name), c, 0);
		}
	}
	/* Fleet replicas beyond the first live outside the paths' arrays. */
	for (i = 0; i < a->n_fleets; i++) {
		const struct fleet *f = a->fleets[i];
		unsigned int k;

		for (k = 0; k < f->n_extra; k++) {
			const struct stage *s = &f->extra[k];
			struct rte_tel_data *c;

			if (params != NULL && params[0] != '\0' &&
			    strcmp(params, s->name) != 0)
				continue;
			c = rte_tel_data_alloc();
			if (c == NULL)
				return -ENOMEM;
			tel_stage(c, a, s, f->path);
			rte_tel_data_add_dict_container(d, tel_key(key, sizeof(key),
								   s->name), c, 0);
		}
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

/*
 * "/ffwd/scale,FLEET,N": ask for N active replicas. The spreader's lcore
 * carries the resize out; the reply is the request's generation, which
 * /ffwd/fleets shows as done_gen once it is done. Errors come back as an
 * "error" string, in words.
 */
static int
tel_scale_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct app *a = tel_app;
	char name[CONF_NAME_MAX + 1], msg[160];
	const char *comma = params != NULL ? strrchr(params, ',') : NULL;
	struct fleet *f = NULL;
	unsigned long n = 0;
	char *end = NULL;
	int ret;

	(void)cmd;
	rte_tel_data_start_dict(d);
	if (comma != NULL && (size_t)(comma - params) < sizeof(name)) {
		memcpy(name, params, comma - params);
		name[comma - params] = '\0';
		f = fleet_find(a, name);
		n = strtoul(comma + 1, &end, 10);
	}
	if (comma == NULL || end == comma + 1 || *end != '\0') {
		rte_tel_data_add_dict_string(d, "error",
					     "expected parameters FLEET,N");
		return 0;
	}
	if (f == NULL) {
		snprintf(msg, sizeof(msg), "no fleet '%.40s' (a fleet is named by its first stage)",
			 name);
		rte_tel_data_add_dict_string(d, "error", msg);
		return 0;
	}
	ret = fleet_scale(f, (unsigned int)n);
	rte_tel_data_add_dict_string(d, "fleet", f->name);
	rte_tel_data_add_dict_int(d, "reserved", f->n_rep);
	if (ret < 0) {
		snprintf(msg, sizeof(msg), "%s",
			 ret == -EINVAL ? "N must be 1 .. the lcores reserved" :
			 ret == -EBUSY ? "a resize is still in progress" :
			 ret == -ENOTSUP ? "spread by RSS: not resized" : "failed");
		rte_tel_data_add_dict_string(d, "error", msg);
		return 0;
	}
	rte_tel_data_add_dict_int(d, "requested", (int)n);
	rte_tel_data_add_dict_u64(d, "gen", (uint64_t)ret);
	return 0;
}

static int
tel_rings_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; i < a->n_rings; i++) {
		const struct app_ring *ar = &a->rings[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		char name[2 * CONF_NAME_MAX + 8], key[RTE_TEL_MAX_STRING_LEN];
		struct ring_stats st;

		if (c == NULL)
			return -ENOMEM;
		ring_stats(ar->ring, &st);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "name", ring_name(ar->ring));
		rte_tel_data_add_dict_string(c, "from", ar->from->name);
		rte_tel_data_add_dict_string(c, "to", ar->to->name);
		rte_tel_data_add_dict_string(c, "path", a->conf->paths[ar->path].name);
#define X(name, help) rte_tel_data_add_dict_u64(c, #name, st.name);
		RING_STATS_FIELDS(X)
#undef X
		snprintf(name, sizeof(name), "%s_to_%s", ar->from->name,
			 ar->to->name);
		rte_tel_data_add_dict_container(d, tel_key(key, sizeof(key), name), c, 0);
	}
	return 0;
}

static int
tel_ports_do(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct app *a = tel_app;
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; i < a->conf->n_ports; i++) {
		struct rte_tel_data *c = rte_tel_data_alloc();
		char key[RTE_TEL_MAX_STRING_LEN];
		struct rte_eth_stats es = { 0 };

		if (c == NULL)
			return -ENOMEM;
		if (a->port_started[i])
			rte_eth_stats_get(a->port_ids[i], &es);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "name", a->conf->ports[i].name);
		rte_tel_data_add_dict_int(c, "port_id", a->port_ids[i]);
		rte_tel_data_add_dict_string(c, "dev", a->conf->ports[i].dev);
		rte_tel_data_add_dict_u64(c, "ipackets", es.ipackets);
		rte_tel_data_add_dict_u64(c, "opackets", es.opackets);
		rte_tel_data_add_dict_u64(c, "ibytes", es.ibytes);
		rte_tel_data_add_dict_u64(c, "obytes", es.obytes);
		rte_tel_data_add_dict_u64(c, "imissed", es.imissed);
		rte_tel_data_add_dict_u64(c, "ierrors", es.ierrors);
		rte_tel_data_add_dict_u64(c, "oerrors", es.oerrors);
		rte_tel_data_add_dict_u64(c, "rx_nombuf", es.rx_nombuf);
		rte_tel_data_add_dict_container(d, tel_key(key, sizeof(key),
							   a->conf->ports[i].name), c, 0);
	}
	return 0;
}

/*
 * Every callback runs inside tel_enter()/tel_leave(), so that
 * telemetry_unregister() can wait until no reader is left before the app
 * is freed. This is the control path only; the stages never see it.
 */
static struct app *
tel_enter(void)
{
	__atomic_fetch_add(&tel_busy, 1, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&tel_app, __ATOMIC_ACQUIRE);
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
TEL_CMD(tel_fleets)
TEL_CMD(tel_scale)

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
	    rte_telemetry_register_cmd("/ffwd/fleets", tel_fleets,
			"Per fleet: replicas reserved/active, buckets, moves, spread cost. "
			"No parameters") ||
	    rte_telemetry_register_cmd("/ffwd/scale", tel_scale,
			"Resize a fleet. Parameters: FLEET,N (active replicas)"))
		return -1;
	return 0;
}
