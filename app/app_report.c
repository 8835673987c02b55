/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a run reports: the per-interval rates and, at the end, every
 * stage, path, lcore and port, with the verdict. Reads the counters the
 * lcores publish; never runs on a stage lcore.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "app.h"
#include "bypass.h"
#include "external.h"
#include "fleet.h"

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
#define APP_PATH_STAGES_MAX (CONF_MAX_STAGES * 17)

static void
app_print_path_drops(FILE *f, const struct app *a, unsigned int p)
{
	const struct stage *st[APP_PATH_STAGES_MAX];
	const char *seen[APP_PATH_STAGES_MAX * STAGE_DROPS_MAX];
	unsigned int n = 0, n_seen = 0, i, j, r, k;

	/* The path's stages, and its fleets' replicas beyond the first. */
	for (i = 0; i < a->conf->paths[p].n_stages; i++)
		st[n++] = &a->stages[a->path_first[p] + i];
	for (i = 0; i < a->n_fleets; i++)
		for (k = 0; a->fleets[i]->path == p && k < a->fleets[i]->n_extra &&
			    n < APP_PATH_STAGES_MAX; k++)
			st[n++] = &a->fleets[i]->extra[k];
	for (i = 0; i < n; i++) {
		for (r = 0; r < st[i]->ops->n_drops; r++) {
			const char *name = st[i]->ops->drop_names[r];
			uint64_t sum = 0;

			for (k = 0; k < n_seen && strcmp(seen[k], name) != 0; k++)
				;
			if (k < n_seen)
				continue;
			seen[n_seen++] = name;
			for (j = i; j < n; j++)
				for (k = 0; k < st[j]->ops->n_drops; k++)
					if (strcmp(st[j]->ops->drop_names[k], name) == 0)
						sum += st[j]->ctr.drops[k];
			if (sum != 0)
				fprintf(f, " %s=%lu", name, sum);
		}
	}
}

/* The loop's own figures: how busy each lcore was and what the OS took. */
static void
app_print_lcores(FILE *f, const struct app *a)
{
	double cyc_ms = rte_get_tsc_hz() / 1e3;
	unsigned int i;

	for (i = 0; i < a->n_lcores; i++) {
		const struct app_lcore *lc = &a->lcores[i];
		uint64_t busy = lc->st.busy_cycles, idle = lc->st.idle_cycles;

		fprintf(f, "lcore %-3u cpu %-3d busy %5.1f%% hiccups %lu lost %.3f ms max %.3f ms\n",
			lc->lcore, a->conf->cpu_of[lc->lcore],
			busy + idle ? 100.0 * busy / (busy + idle) : 0.0,
			lc->st.hiccups, lc->st.hiccup_cycles / cyc_ms,
			lc->st.hiccup_max_cycles / cyc_ms);
	}
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

		uint64_t bdrop = app_bypass_drops(a, p);

		/* Fleet replicas beyond the first (and RSS inputs) are not
		 * in the path's stage array. */
		fleet_path_extra(a, p, &rx, &x_drop);
		rx += in->ctr.pkts_in;
		dropped += x_drop;
		for (i = 0; i < c->paths[p].n_stages; i++)
			dropped += stage_drops(&in[i]);
		dropped += bdrop;
		fprintf(f, "path %s: received %lu sent %lu dropped %lu", c->paths[p].name,
			rx, out->ctr.pkts_out, dropped);
		app_print_path_drops(f, a, p);
		if (bdrop != 0)
			fprintf(f, " bypass_drop=%lu", bdrop);
		if (rx != out->ctr.pkts_out + dropped) {
			fprintf(f, " MISMATCH: %ld unaccounted\n",
				(long)(rx - out->ctr.pkts_out - dropped));
			bad = 1;
		} else {
			fprintf(f, " ok\n");
		}
		app_bypass_report(a, p, f);
		tot_rx += rx;
		tot_tx += out->ctr.pkts_out;
		tot_drop += dropped;
	}
	app_print_lcores(f, a);
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

