/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids: the stage kind around the IDS engine (ids_engine.h): Suricata rules,
 * flows and TCP streams, alerts and drops as EVE JSON.
 *
 * The burst hands each packet to the replica's engine, which allocates
 * nothing, locks nothing and makes no system call; what it has to say
 * (alert, drop, flow records) goes into its record queue. The main lcore's
 * housekeeping op drains that queue into the EVE writer (a file, reopened
 * on SIGHUP, or a unix socket), so the packet path never waits for a disk;
 * a full queue is counted as records_lost.
 *
 * Time: by default the TSC, on the wall clock's epoch taken at start; with
 * `capture_time: true` the capture's own timestamp (the mbuf's RX
 * timestamp field, which net_pcap fills), as Suricata does with -r.
 *
 * Reload (SIGHUP): the rules are loaded again on the main lcore, keeping
 * flowbit numbering; a set that does not parse keeps the old one. The new
 * set is published to the stage, which switches at the start of its next
 * burst (or idle poll), between packets, keeping its flows; the old set is
 * freed by the main lcore once the stage has switched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "ids_engine.h"
#include "ids_eve.h"
#include "ids_stats.h"
#include "stage.h"

#define IDS_KIND_RULES_MAX 16
#define IDS_KIND_PATH_MAX 1024
#define IDS_KIND_VAR_MAX 256
#define IDS_KIND_TOP 10
#define IDS_KIND_DRAIN_MAX 16384	/**< records written per housekeeping tick */		/**< sids with the most hits in telemetry */

struct ids_kind_conf {
	char rules[IDS_KIND_RULES_MAX][IDS_KIND_PATH_MAX];
	unsigned int nrules;
	unsigned int mode;		/**< enum ids_mode */
	bool skip_unsupported;
	bool payload;
	bool drop_malformed;
	bool capture_time;
	bool pcap_cnt;			/**< number packets as they arrive (a capture) */
	bool midstream, async_oneside;
	uint64_t depth;			/**< stream.reassembly.depth, bytes */
	uint64_t max_flows;
	uint64_t stats_interval;	/**< s; 0: none */
	char eve[IDS_KIND_PATH_MAX];
	bool eve_socket;
	char classification[IDS_KIND_PATH_MAX];
	char home_net[IDS_KIND_VAR_MAX], external_net[IDS_KIND_VAR_MAX];
	uint64_t link;			/**< DLT of the frames; default Ethernet */
	unsigned int checksum;		/**< enum ids_csum */
	bool utc;			/**< EVE timestamps in UTC */
	bool flow_records;		/**< event_type flow at flow end */
};

#define IDS_KIND_DROPS(X)                                                      \
	X(IDS_KD_DROP, "ids_drop")	/* a drop/reject rule matched */       \
	X(IDS_KD_FLOW, "ids_flow_drop")	/* later packets of a dropped flow */  \
	X(IDS_KD_MALFORMED, "ids_malformed") /* broken headers (drop_malformed) */
enum { IDS_KIND_DROPS(STAGE_DROP_ENUM) IDS_KD_MAX };
static const char *const ids_kind_drops[] = { IDS_KIND_DROPS(STAGE_DROP_NAME) };

#define IDS_KIND_COUNTERS(X)                                                   \
	X(IDS_KC_ALERTS, "ids_alerts")                                         \
	X(IDS_KC_LOST, "ids_records_lost")                                     \
	X(IDS_KC_MALFORMED, "ids_decode_invalid")                              \
	X(IDS_KC_FLOWS, "ids_flows_created")                                   \
	X(IDS_KC_TIMEOUTS, "ids_flows_timed_out")                              \
	X(IDS_KC_EVICTED, "ids_flows_evicted")                                 \
	X(IDS_KC_GAPS, "ids_stream_gaps")                                      \
	X(IDS_KC_MEMCAP, "ids_stream_memcap")                                  \
	X(IDS_KC_DEPTH, "ids_stream_depth_cuts")                               \
	X(IDS_KC_RELOADS, "ids_reloads")
enum { IDS_KIND_COUNTERS(STAGE_DROP_ENUM) IDS_KC_MAX };
static const char *const ids_kind_counters[] = { IDS_KIND_COUNTERS(STAGE_DROP_NAME) };

struct ids_kind_priv {
	struct ids_engine *e;
	struct ids_rules *rules;	/**< in use by the stage */
	struct ids_rules *pending;	/**< published by reload, taken by the stage */
	struct ids_rules *retired;	/**< left by the stage, freed by housekeeping */
	struct ids_eve *eve;
	uint64_t cnt;			/**< packets seen, for pcap_cnt */
	uint64_t ns0;			/**< wall clock at tsc0, ns */
	uint64_t tsc0, hz;
	int ts_off;			/**< RX timestamp dynfield, or -1 */
	uint64_t ts_flag;
	bool capture_time, pcap_cnt;
	uint64_t last_stats_ns;		/**< housekeeping: stats records */
	uint64_t last_ts;		/**< capture time of the last burst's end */
	uint64_t reloads;
	const uint64_t *ec;		/**< engine counters */
	const uint64_t *fc, *sc, *dc;	/**< flow, stream, decoder counters */
};

static const char *const ids_kind_keys[] = {
	"rules", "mode", "unsupported", "payload", "drop_malformed",
	"capture_time", "pcap_cnt", "midstream", "async_oneside",
	"reassembly_depth", "max_flows", "stats_interval", "eve", "eve_socket",
	"classification", "home_net", "external_net", "link", "checksum",
	"utc", "flow_records", NULL,
};

static int
ids_kind_parse(struct stage_args *a, void *kconf)
{
	static const char *const modes[] = { "ids", "ips" };
	static const char *const unsup[] = { "error", "skip" };
	static const char *const csum[] = { "none", "all" };
	struct ids_kind_conf *c = kconf;
	unsigned int u = 0;
	int r;

	for (c->nrules = 0; c->nrules < IDS_KIND_RULES_MAX; c->nrules++) {
		r = a->ops->str_at(a, "rules", c->nrules, c->rules[c->nrules],
				   IDS_KIND_PATH_MAX, "a rules file or a list of them");
		if (r < 0)
			return -1;
		if (r == 0)
			break;
	}
	if (c->nrules == 0)
		return a->ops->error(a, NULL, "rules is missing, expected a rules file or a list of them");
	if (a->ops->str_at(a, "rules", IDS_KIND_RULES_MAX, c->eve, sizeof(c->eve),
			   "a rules file") > 0)
		return a->ops->error(a, "rules", "rules lists more than %d files, expected at most %d",
				     IDS_KIND_RULES_MAX, IDS_KIND_RULES_MAX);
	c->payload = true;
	c->flow_records = true;
	c->link = IDS_LINK_ETHERNET;
	c->depth = 1024 * 1024;
	if (a->ops->choice(a, "mode", modes, 2, &c->mode) < 0 ||
	    a->ops->choice(a, "unsupported", unsup, 2, &u) < 0 ||
	    a->ops->boolean(a, "payload", &c->payload) < 0 ||
	    a->ops->boolean(a, "drop_malformed", &c->drop_malformed) < 0 ||
	    a->ops->boolean(a, "capture_time", &c->capture_time) < 0 ||
	    a->ops->boolean(a, "pcap_cnt", &c->pcap_cnt) < 0 ||
	    a->ops->boolean(a, "utc", &c->utc) < 0 ||
	    a->ops->boolean(a, "flow_records", &c->flow_records) < 0 ||
	    a->ops->choice(a, "checksum", csum, 2, &c->checksum) < 0 ||
	    a->ops->u64(a, "link", 0, 65535, &c->link) < 0 ||
	    a->ops->boolean(a, "midstream", &c->midstream) < 0 ||
	    a->ops->boolean(a, "async_oneside", &c->async_oneside) < 0 ||
	    a->ops->u64(a, "reassembly_depth", 0, 1ull << 32, &c->depth) < 0 ||
	    a->ops->u64(a, "max_flows", 1024, 1ull << 24, &c->max_flows) < 0 ||
	    a->ops->u64(a, "stats_interval", 1, 86400, &c->stats_interval) < 0 ||
	    a->ops->str(a, "classification", c->classification,
			sizeof(c->classification), "a classification.config file") < 0 ||
	    a->ops->str(a, "home_net", c->home_net, sizeof(c->home_net),
			"an address group such as [10.0.0.0/8,192.168.0.0/16]") < 0 ||
	    a->ops->str(a, "external_net", c->external_net, sizeof(c->external_net),
			"an address group such as !$HOME_NET") < 0)
		return -1;
	c->skip_unsupported = u == 1;
	r = a->ops->str(a, "eve_socket", c->eve, sizeof(c->eve), "a unix socket path");
	if (r < 0)
		return -1;
	c->eve_socket = r > 0;
	r = a->ops->str(a, "eve", c->eve, sizeof(c->eve), "the EVE JSON file to append to");
	if (r < 0)
		return -1;
	if (r > 0 && c->eve_socket)
		return a->ops->error(a, "eve", "eve is given with eve_socket, expected one of them");
	return 0;
}

static void
ids_kind_rules_opts(const struct ids_kind_conf *c, struct ids_rules_opts *o,
		    struct ids_var *vars, const struct ids_rules *prev)
{
	memset(o, 0, sizeof(*o));
	o->skip_unsupported = c->skip_unsupported;
	o->classification_file = c->classification[0] != '\0' ? c->classification : NULL;
	o->prev = prev;
	o->vars = vars;
	if (c->home_net[0] != '\0')
		vars[o->nvars++] = (struct ids_var){ "HOME_NET", c->home_net };
	if (c->external_net[0] != '\0')
		vars[o->nvars++] = (struct ids_var){ "EXTERNAL_NET", c->external_net };
}

static struct ids_rules *
ids_kind_load(const struct ids_kind_conf *c, const struct ids_rules *prev,
	      char *err, size_t errlen)
{
	const char *files[IDS_KIND_RULES_MAX];
	struct ids_rules_opts o;
	struct ids_var vars[2];
	unsigned int i;

	ids_kind_rules_opts(c, &o, vars, prev);
	for (i = 0; i < c->nrules; i++)
		files[i] = c->rules[i];
	return ids_rules_load_files(files, c->nrules, &o, err, errlen);
}

/* Before EAL: every rule parses (or is skipped, if asked). */
static int
ids_kind_check(const void *kconf, char *err, size_t errlen)
{
	struct ids_rules *r = ids_kind_load(kconf, NULL, err, errlen);

	if (r == NULL)
		return -1;
	ids_rules_free(r);
	return 0;
}

static int
ids_kind_init(struct stage *s, const struct stage_env *env)
{
	const struct ids_kind_conf *c = s->kconf;
	struct ids_kind_priv *p = s->priv;
	struct ids_engine_conf ec;
	struct ids_eve_conf wc;
	struct timespec ts;
	char err[1024];
	unsigned int i;

	RTE_BUILD_BUG_ON(IDS_KD_MAX > STAGE_DROPS_MAX);
	RTE_BUILD_BUG_ON(IDS_KC_MAX > STAGE_KCOUNTERS_MAX);
	p->rules = ids_kind_load(c, NULL, err, sizeof(err));
	if (p->rules == NULL) {
		fprintf(stderr, "stage '%s': %s\n", s->name, err);
		return -EINVAL;
	}
	for (i = 0; i < ids_rules_skipped(p->rules); i++)
		fprintf(stderr, "stage '%s': skipped: %s\n", s->name,
			ids_rules_skipped_at(p->rules, i));
	fprintf(stderr, "stage '%s': %u rules loaded, %u skipped\n", s->name,
		ids_rules_count(p->rules), ids_rules_skipped(p->rules));
	ids_engine_conf_default(&ec);
	ec.mode = c->mode == 1 ? IDS_MODE_IPS : IDS_MODE_IDS;
	ec.drop_malformed = c->drop_malformed;
	ec.payload = c->payload;
	ec.flow_records = c->flow_records;
	ec.link = (int)c->link;
	ec.csum = c->checksum == 1 ? IDS_CSUM_ALL : IDS_CSUM_NONE;
	ec.flow.midstream = c->midstream;
	ec.flow.async_oneside = c->async_oneside;
	ec.stream.depth = c->depth;
	if (c->max_flows != 0)
		ec.flow.max_flows = (uint32_t)c->max_flows;
	p->e = ids_engine_create(&ec, p->rules, err, sizeof(err));
	if (p->e == NULL) {
		fprintf(stderr, "stage '%s': %s\n", s->name, err);
		return -ENOMEM;
	}
	p->ec = ids_engine_counters(p->e);
	p->fc = ids_engine_flow_counters(p->e);
	p->sc = ids_engine_stream_counters(p->e);
	p->dc = ids_engine_dec_stats(p->e)->ctr;
	if (c->eve[0] != '\0') {
		memset(&wc, 0, sizeof(wc));
		wc.path = c->eve;
		wc.unix_socket = c->eve_socket;
		wc.payload = c->payload;
		wc.in_iface = s->name;
		wc.utc = c->utc;
		p->eve = ids_eve_open(&wc, err, sizeof(err));
		if (p->eve == NULL) {
			fprintf(stderr, "stage '%s': %s\n", s->name, err);
			return -errno;
		}
	}
	p->hz = env->tsc_hz;
	clock_gettime(CLOCK_REALTIME, &ts);
	p->tsc0 = rte_rdtsc();
	p->ns0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	p->ts_off = -1;
	p->capture_time = c->capture_time;
	p->pcap_cnt = c->pcap_cnt;
	if (c->capture_time &&
	    rte_mbuf_dyn_rx_timestamp_register(&p->ts_off, &p->ts_flag) != 0)
		p->ts_off = -1;
	return 0;
}

static void
ids_kind_fini(struct stage *s)
{
	struct ids_kind_priv *p = s->priv;

	if (p == NULL)
		return;
	ids_engine_free(p->e);
	ids_eve_close(p->eve);
	ids_rules_free(p->rules);
	ids_rules_free(p->pending);
	ids_rules_free(p->retired);
	memset(p, 0, sizeof(*p));
}

/* A set published by reload: switch between packets. Rare. */
static __rte_noinline void
ids_kind_switch(struct ids_kind_priv *p, struct ids_rules *r)
{
	__atomic_store_n(&p->pending, NULL, __ATOMIC_RELAXED);
	if (ids_engine_set_rules(p->e, r) != 0) {
		/* The old set stays; the new one goes back to be freed. */
		__atomic_store_n(&p->retired, r, __ATOMIC_RELEASE);
		return;
	}
	/* RELEASE pairs with housekeeping's ACQUIRE: the engine no longer
	 * reads the old set once this is seen. */
	__atomic_store_n(&p->retired, p->rules, __ATOMIC_RELEASE);
	p->rules = r;
	p->reloads++;
}

static __rte_always_inline void
ids_kind_take_pending(struct ids_kind_priv *p)
{
	/* ACQUIRE pairs with reload's RELEASE: the set is built. A switch
	 * waits while the last retired set is not freed yet. */
	struct ids_rules *r = __atomic_load_n(&p->pending, __ATOMIC_ACQUIRE);

	if (unlikely(r != NULL) && __atomic_load_n(&p->retired, __ATOMIC_ACQUIRE) == NULL)
		ids_kind_switch(p, r);
}

/* Counters the engine keeps, onto the stage's, once per burst. */
static __rte_always_inline void
ids_kind_sync(struct stage *s, struct ids_kind_priv *p)
{
	const uint64_t *ec = p->ec;

	s->ctr.drops[IDS_KD_DROP] = ec[IDS_ENG_C_ids_drop];
	s->ctr.drops[IDS_KD_FLOW] = ec[IDS_ENG_C_ids_flow_drop];
	s->ctr.drops[IDS_KD_MALFORMED] = ec[IDS_ENG_C_ids_malformed];
	s->ctr.kind[IDS_KC_ALERTS] = ec[IDS_ENG_C_alerts];
	s->ctr.kind[IDS_KC_LOST] = ec[IDS_ENG_C_records_lost];
	s->ctr.kind[IDS_KC_MALFORMED] = p->dc[IDS_DEC_C_invalid];
	s->ctr.kind[IDS_KC_FLOWS] = p->fc[IDS_FLOW_C_flow_created];
	s->ctr.kind[IDS_KC_TIMEOUTS] = p->fc[IDS_FLOW_C_flow_timeout_new] +
				       p->fc[IDS_FLOW_C_flow_timeout_est] +
				       p->fc[IDS_FLOW_C_flow_timeout_closed];
	s->ctr.kind[IDS_KC_EVICTED] = p->fc[IDS_FLOW_C_flow_evicted];
	s->ctr.kind[IDS_KC_GAPS] = p->sc[IDS_STREAM_C_stream_gap];
	s->ctr.kind[IDS_KC_MEMCAP] = p->sc[IDS_STREAM_C_stream_memcap];
	s->ctr.kind[IDS_KC_DEPTH] = p->sc[IDS_STREAM_C_stream_depth];
	s->ctr.kind[IDS_KC_RELOADS] = p->reloads;
}

static uint16_t
ids_kind_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct ids_kind_priv *p = s->priv;
	uint64_t now_ns, tsc = rte_rdtsc();
	uint16_t i, out = 0;

	ids_kind_take_pending(p);
	now_ns = p->ns0 + (uint64_t)((double)(tsc - p->tsc0) * 1e9 / p->hz);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t ts = now_ns, cnt = 0;
		enum ids_verdict v;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (p->capture_time && p->ts_off >= 0 && (m->ol_flags & p->ts_flag))
			/* net_pcap stores the capture's time in µs. */
			ts = *RTE_MBUF_DYNFIELD(m, p->ts_off, rte_mbuf_timestamp_t *) * 1000;
		if (p->pcap_cnt)
			cnt = ++p->cnt;
		if (likely(m->nb_segs == 1))
			v = ids_engine_packet(p->e, rte_pktmbuf_mtod(m, const uint8_t *),
					      rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m),
					      ts, cnt);
		else
			v = ids_engine_mbuf(p->e, m, ts);
		if (likely(v == IDS_PASS))
			pkts[out++] = m;
		else
			rte_pktmbuf_free(m);
		now_ns = ts;
	}
	if (p->capture_time)
		__atomic_store_n(&p->last_ts, now_ns, __ATOMIC_RELAXED);
	ids_kind_sync(s, p);
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += out;
	return out;
}

/* Idle: switch to a published set, and time flows out. */
static void
ids_kind_idle(struct stage *s)
{
	struct ids_kind_priv *p = s->priv;

	ids_kind_take_pending(p);
	if (!p->capture_time)
		ids_engine_tick(p->e, p->ns0 + (uint64_t)((double)(rte_rdtsc() - p->tsc0) *
							    1e9 / p->hz));
}

static int
ids_kind_reload(struct stage *s, FILE *f)
{
	const struct ids_kind_conf *c = s->kconf;
	struct ids_kind_priv *p = s->priv;
	char err[1024];
	struct ids_rules *r;

	if (__atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) != NULL) {
		fprintf(f, "stage '%s': reload refused: the previous one is not in force yet\n",
			s->name);
		return -1;
	}
	r = ids_kind_load(c, p->rules, err, sizeof(err));
	if (r == NULL) {
		fprintf(f, "stage '%s': reload refused, old rules kept: %s\n", s->name, err);
		return -1;
	}
	/* RELEASE pairs with the stage's ACQUIRE in ids_kind_take_pending(). */
	__atomic_store_n(&p->pending, r, __ATOMIC_RELEASE);
	fprintf(f, "stage '%s': rules reloaded (%u rules, %u skipped), in force from the next burst\n",
		s->name, ids_rules_count(r), ids_rules_skipped(r));
	if (p->eve != NULL)
		ids_eve_request_reopen(p->eve);
	return 0;
}

static void
ids_kind_housekeeping(struct stage *s, bool final)
{
	const struct ids_kind_conf *c = s->kconf;
	struct ids_kind_priv *p = s->priv;
	struct ids_rules *old = __atomic_load_n(&p->retired, __ATOMIC_ACQUIRE);

	if (old != NULL) {
		ids_rules_free(old);
		__atomic_store_n(&p->retired, NULL, __ATOMIC_RELEASE);
	}
	if (final) {
		/* The lcore has returned: end every flow (stream flushes,
		 * flow records) here, then write what is left. */
		ids_engine_flush(p->e);
		ids_kind_sync(s, p);
	}
	if (p->eve == NULL) {
		/* No log: keep the queue empty so records are not lost. */
		unsigned int left = final ? UINT32_MAX : IDS_KIND_DRAIN_MAX;
		struct ids_rec *rec[64];
		unsigned int k;

		while (left >= 64 &&
		       (k = ids_recq_poll(ids_engine_recq(p->e), rec, 64)) != 0) {
			ids_recq_done(ids_engine_recq(p->e), rec, k);
			left -= k;
		}
		return;
	}
	/* A bounded share per tick while the stage runs: it may queue as
	 * fast as this writes (a full disk fails every write at once), and
	 * the main lcore must get back to its stop conditions. All of it
	 * once the lcores have stopped. */
	ids_eve_drain(p->eve, ids_engine_recq(p->e),
		      final ? UINT32_MAX : IDS_KIND_DRAIN_MAX);
	if (c->stats_interval != 0 || final) {
		uint64_t now = p->ns0 + (uint64_t)((double)(rte_rdtsc() - p->tsc0) * 1e9 / p->hz);

		/* On a capture, its own clock: the last packet's time. */
		if (p->capture_time)
			now = __atomic_load_n(&p->last_ts, __ATOMIC_RELAXED);
		if (final || now - p->last_stats_ns >= c->stats_interval * 1000000000ull) {
			struct ids_engine *e = p->e;

			/* Periodic if asked; always one at the end, as
			 * Suricata writes its last stats at shutdown. */
			ids_eve_write_stats(p->eve, now,
						    ids_stats_json(&e, 1, p->eve,
								   (now - p->ns0) / 1000000000ull));
			p->last_stats_ns = now;
		}
	}
}

/* The logger's side, at exit: what reached the EVE output. */
static void
ids_kind_report(const struct stage *s, FILE *f)
{
	const struct ids_kind_priv *p = s->priv;
	const uint64_t *w;

	if (p->eve == NULL)
		return;
	w = ids_eve_counters(p->eve);
	fprintf(f, "eve   %-12s records %lu write_errors %lu reopens %lu open_errors %lu "
		"(records lost before the logger: %lu)\n", s->name,
		w[IDS_EVE_C_records], w[IDS_EVE_C_write_errors], w[IDS_EVE_C_reopens],
		w[IDS_EVE_C_open_errors], p->ec[IDS_ENG_C_records_lost]);
}

static void
ids_kind_telemetry(const struct stage *s, stage_emit_t emit, void *d)
{
	const struct ids_kind_priv *p = s->priv;
	const uint64_t *fc = ids_engine_flow_counters(p->e);
	const uint64_t *sc = ids_engine_stream_counters(p->e);
	uint64_t top[IDS_KIND_TOP] = { 0 };
	unsigned int top_i[IDS_KIND_TOP] = { 0 };
	unsigned int i, j, n = ids_rules_count(p->rules);
	char key[64];

	emit(d, "ids_flows_active", ids_engine_flows_active(p->e));
	emit(d, "ids_flows_created", fc[IDS_FLOW_C_flow_created]);
	emit(d, "ids_flows_timed_out",
				  fc[IDS_FLOW_C_flow_timeout_new] + fc[IDS_FLOW_C_flow_timeout_est] +
				  fc[IDS_FLOW_C_flow_timeout_closed]);
	emit(d, "ids_flows_evicted", fc[IDS_FLOW_C_flow_evicted]);
	emit(d, "ids_stream_gaps", sc[IDS_STREAM_C_stream_gap]);
	emit(d, "ids_stream_memcap", sc[IDS_STREAM_C_stream_memcap]);
	emit(d, "ids_stream_depth_cuts", sc[IDS_STREAM_C_stream_depth]);
	emit(d, "ids_rules", n);
	if (p->eve != NULL) {
		const uint64_t *w = ids_eve_counters(p->eve);

		emit(d, "ids_eve_records", w[IDS_EVE_C_records]);
		emit(d, "ids_eve_write_errors", w[IDS_EVE_C_write_errors]);
	}
	/* Alerts per sid, the top ones: a partial selection, n x TOP. */
	for (i = 0; i < n; i++) {
		uint64_t h = ids_engine_rule_hits(p->e, i);

		for (j = IDS_KIND_TOP; j > 0 && h > top[j - 1]; j--)
			if (j < IDS_KIND_TOP) {
				top[j] = top[j - 1];
				top_i[j] = top_i[j - 1];
			}
		if (j < IDS_KIND_TOP) {
			top[j] = h;
			top_i[j] = i;
		}
	}
	for (j = 0; j < IDS_KIND_TOP && top[j] != 0; j++) {
		snprintf(key, sizeof(key), "ids_sid_%u", ids_rules_info(p->rules, top_i[j])->sid);
		emit(d, key, top[j]);
	}
}

static struct stage_ops ids_kind_ops = {
	.name = "ids",
	.role = STAGE_ROLE_APP,
	.flags = STAGE_F_IDLE,
	.summary = "Suricata rules, flows and TCP streams, EVE JSON (docs/IDS.md)",
	.help = "rules: FILE | [FILE, ...] (required), mode: ids|ips, unsupported: error|skip,\n"
		"eve: FILE | eve_socket: PATH, payload, drop_malformed, capture_time,\n"
		"midstream, async_oneside, reassembly_depth, max_flows, stats_interval,\n"
		"home_net, external_net, classification",
	.keys = ids_kind_keys,
	.conf_size = sizeof(struct ids_kind_conf),
	.parse = ids_kind_parse,
	.check = ids_kind_check,
	.priv_size = sizeof(struct ids_kind_priv),
	.init = ids_kind_init,
	.burst = ids_kind_burst,
	.idle = ids_kind_idle,
	.reload = ids_kind_reload,
	.fini = ids_kind_fini,
	.housekeeping = ids_kind_housekeeping,
	.drop_names = ids_kind_drops,
	.n_drops = IDS_KD_MAX,
	.counter_names = ids_kind_counters,
	.n_counters = IDS_KC_MAX,
	.telemetry = ids_kind_telemetry,
	.report = ids_kind_report,
};

STAGE_REGISTER(ids_kind_ops)
