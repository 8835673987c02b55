/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_stats: the counters of a set of engines (replicas) as one JSON
 * object, shaped like Suricata's "stats" event: decoder.*, flow.*, tcp.*,
 * stream.*, detect.*, plus ids.* for the verdicts and eve.* for the
 * logger. Runs on the logger's side; it reads counters that their lcores
 * write (single-writer uint64_t: a torn read is impossible on x86-64).
 */
#include <jansson.h>

#include "ids_engine.h"
#include "ids_eve.h"
#include "ids_stats.h"

static void
add(json_t *o, const char *k, uint64_t v)
{
	json_t *old = json_object_get(o, k);

	if (old != NULL)
		v += (uint64_t)json_integer_value(old);
	json_object_set_new(o, k, json_integer((json_int_t)v));
}

void *
ids_stats_json(struct ids_engine *const *e, unsigned int n,
	       const struct ids_eve *w, uint64_t uptime_s)
{
	json_t *o = json_object(), *dec = json_object(), *ev = json_object();
	json_t *fl = json_object(), *tcp = json_object(), *st = json_object();
	json_t *det = json_object(), *ids = json_object();

	json_object_set_new(o, "uptime", json_integer((json_int_t)uptime_s));
	for (unsigned int i = 0; i < n; i++) {
		const struct ids_dec_stats *ds = ids_engine_dec_stats(e[i]);
		const uint64_t *c;

		for (int k = 0; k < IDS_DEC_CTR_MAX; k++)
			add(dec, ids_dec_ctr_names[k], ds->ctr[k]);
		for (int k = 1; k < IDS_DEC_ERR_MAX; k++)
			add(ev, ids_dec_err_names[k], ds->err[k]);
		c = ids_engine_flow_counters(e[i]);
		for (int k = 0; k < IDS_FLOW_CTR_MAX; k++) {
			const char *nm = ids_flow_ctr_names[k];

			/* flow_created -> flow.created, tcp_syn -> tcp.syn */
			if (nm[0] == 't')
				add(tcp, nm + 4, c[k]);
			else
				add(fl, nm + 5, c[k]);
		}
		add(fl, "active", ids_engine_flows_active(e[i]));
		c = ids_engine_stream_counters(e[i]);
		for (int k = 0; k < IDS_STREAM_CTR_MAX; k++)
			add(st, ids_stream_ctr_names[k] + 7, c[k]);
		c = ids_engine_detect_counters(e[i]);
		for (int k = 0; k < IDS_DC_MAX; k++)
			add(det, ids_detect_counter_names[k], c[k]);
		c = ids_engine_counters(e[i]);
		for (int k = 0; k < IDS_ENG_CTR_MAX; k++)
			add(ids, ids_engine_ctr_names[k], c[k]);
		/* Suricata's name for the alert count. */
		add(det, "alert", c[IDS_ENG_C_alerts]);
	}
	json_object_set_new(dec, "event", ev);
	json_object_set_new(o, "decoder", dec);
	json_object_set_new(o, "flow", fl);
	json_object_set_new(o, "tcp", tcp);
	json_object_set_new(o, "stream", st);
	json_object_set_new(o, "detect", det);
	json_object_set_new(o, "ids", ids);
	if (w != NULL) {
		const uint64_t *c = ids_eve_counters(w);
		json_t *eo = json_object();

		for (int k = 0; k < IDS_EVE_CTR_MAX; k++)
			add(eo, ids_eve_ctr_names[k], c[k]);
		json_object_set_new(o, "eve", eo);
	}
	return o;
}
