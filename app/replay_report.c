/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd replay's report (replay.c runs the replay): after the runtime's
 * accounting, the totals over the ports (packets, achieved rate and its
 * error, departure errors, hiccups), one line per port, and the one line
 * 'replay: key=value ...' that tests/e2e/replay.sh and bench/replay read.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"
#include "capsrc.h"
#include "capture.h"
#include "pacer.h"
#include "port.h"
#include "port_tx.h"
#include "replay.h"
#include "replay_pvt.h"
#include "run.h"

static const char *
replay_mode_name(enum pacer_mode m)
{
	switch (m) {
	case PACER_PPS:
		return "pps";
	case PACER_MBPS:
		return "mbps";
	case PACER_TIMING:
		return "timing";
	default:
		return "topspeed";
	}
}

/* Microseconds from TSC cycles. */
static double
replay_us(uint64_t cycles, uint64_t hz)
{
	return (double)cycles * 1e6 / (double)hz;
}

/* The TX lcores' loops, together: gaps summed, the longest of them. */
static void
replay_hiccups(const struct replay_run *r, struct app_lcore_stats *l)
{
	uint64_t eal_hz = rte_get_tsc_hz();
	unsigned int b, k;

	memset(l, 0, sizeof(*l));
	for (k = 0; k < r->n; k++) {
		l->hiccups += r->lst[k]->hiccups;
		l->hiccup_max_cycles = RTE_MAX(l->hiccup_max_cycles,
					       r->lst[k]->hiccup_max_cycles);
		for (b = 0; b < APP_HICCUP_BUCKETS; b++)
			l->hist[b] += r->lst[k]->hist[b];
	}
	printf("  hiccups:   %" PRIu64 " TX loop gaps > %d us, max %.1f us\n",
	       l->hiccups, REPLAY_HICCUP_US, replay_us(l->hiccup_max_cycles, eal_hz));
	if (l->hiccups == 0)
		return;
	printf("  hiccup gaps by size:");
	for (b = 0; b < APP_HICCUP_BUCKETS; b++)
		if (l->hist[b] != 0)
			printf(" %u-%u us: %" PRIu64, b ? 1u << b : 0, 2u << b,
			       l->hist[b]);
	printf("\n");
}

/* The ports' outputs as one: first and last departure over all of them. */
struct replay_total {
	uint64_t sent, bytes, calls, short_calls, opackets, oerrors;
	uint64_t first_tsc, first_due, last_tsc, last_due, last_bits;
	uint64_t passes;
	unsigned int pool_avail, pool_size;
	bool pool_ok, failed;
	struct pacer_hist dep;
};

static void
replay_sum(const struct replay_run *r, struct replay_total *t)
{
	unsigned int k, b;

	memset(t, 0, sizeof(*t));
	t->pool_ok = true;
	t->passes = UINT64_MAX;
	for (k = 0; k < r->n; k++) {
		const struct port_tx_pace *pc = port_tx_pace(r->tx[k]);
		const struct capture_result *cr = capture_result(r->cap[k]);
		const struct stage *tx = r->tx[k];

		t->sent += tx->ctr.pkts_out;
		t->bytes += tx->ctr.kind[PORT_TX_BYTES];
		t->calls += tx->ctr.kind[PORT_TX_CALLS];
		t->short_calls += tx->ctr.kind[PORT_TX_SHORT];
		t->opackets += r->port_stats[k].opackets;
		t->oerrors += r->port_stats[k].oerrors;
		t->passes = RTE_MIN(t->passes, cr->passes);
		t->pool_avail += cr->pool_avail;
		t->pool_size += cr->pool_size;
		t->pool_ok &= cr->counted && cr->pool_avail == cr->pool_size;
		t->failed |= cr->failed;
		if (tx->ctr.pkts_out != 0 && pc->first_tsc != 0) {
			/* the schedule's first packet, and its last */
			if (t->first_tsc == 0 || pc->first_due < t->first_due) {
				t->first_due = pc->first_due;
				t->first_tsc = pc->first_tsc;
			}
			if (pc->last_due >= t->last_due) {
				t->last_due = pc->last_due;
				t->last_tsc = pc->last_tsc;
				t->last_bits = pc->last_bits;
			}
		}
		t->dep.n += pc->dep.n;
		t->dep.sum += pc->dep.sum;
		t->dep.max = RTE_MAX(t->dep.max, pc->dep.max);
		for (b = 0; b < PACER_HIST_BUCKETS; b++)
			t->dep.b[b] += pc->dep.b[b];
	}
	/* At top speed there is no schedule: first and last by the TSC. */
	if (r->o->mode == PACER_TOPSPEED) {
		t->first_tsc = t->last_tsc = 0;
		for (k = 0; k < r->n; k++) {
			const struct port_tx_pace *pc = port_tx_pace(r->tx[k]);

			if (r->tx[k]->ctr.pkts_out == 0 || pc->first_tsc == 0)
				continue;
			if (t->first_tsc == 0 || pc->first_tsc < t->first_tsc)
				t->first_tsc = pc->first_tsc;
			if (pc->last_tsc >= t->last_tsc) {
				t->last_tsc = pc->last_tsc;
				t->last_bits = pc->last_bits;
			}
		}
		t->first_due = t->first_tsc;
		t->last_due = t->last_tsc;
	}
	if (t->last_tsc < t->first_tsc)
		t->last_tsc = t->first_tsc;
	if (t->passes == UINT64_MAX)
		t->passes = 0;
}

/* One line per port, when there are several: its share of the totals. */
static void
replay_port_lines(const struct replay_run *r)
{
	unsigned int k;

	for (k = 0; k < r->n && r->n > 1; k++) {
		const struct port_tx_pace *pc = port_tx_pace(r->tx[k]);
		const struct stage *tx = r->tx[k];
		uint64_t sent = tx->ctr.pkts_out;
		double span = sent > 1 ? (pc->last_tsc - pc->first_tsc) / (double)r->hz : 0;

		printf("  port %u:    %s (TX lcore %d on CPU %u): sent %" PRIu64
		       " packets, %" PRIu64 " bytes, %.3f pps over %.6f s; "
		       "departure p50 %.3f us, p99 %.3f us, max %.3f us; %" PRIu64
		       " TX calls, %" PRIu64 " short; opackets %" PRIu64
		       " oerrors %" PRIu64 "; hiccups %" PRIu64 "\n", k,
		       r->o->ports[k], REPLAY_TX_LCORE + k, r->o->cpus[k], sent,
		       tx->ctr.kind[PORT_TX_BYTES], span > 0 ? (sent - 1) / span : 0.0,
		       span, replay_us(pacer_hist_quantile(&pc->dep, 0.5), r->hz),
		       replay_us(pacer_hist_quantile(&pc->dep, 0.99), r->hz),
		       replay_us(pc->dep.max, r->hz), tx->ctr.kind[PORT_TX_CALLS],
		       tx->ctr.kind[PORT_TX_SHORT], r->port_stats[k].opackets,
		       r->port_stats[k].oerrors, r->lst[k]->hiccups);
		printf("replay-port: port=%u sent=%" PRIu64 " bytes=%" PRIu64
		       " pps=%.3f opackets=%" PRIu64 " oerrors=%" PRIu64 "\n", k, sent,
		       tx->ctr.kind[PORT_TX_BYTES], span > 0 ? (sent - 1) / span : 0.0,
		       r->port_stats[k].opackets, r->port_stats[k].oerrors);
	}
}

/*
 * The replay's report, after the runtime's; @return the exit status: 0
 * if every mbuf is back in its pool, the accounting adds up and the ports
 * took at least one packet; 4 (APP_EXIT_PORT_LOSS) if a port then failed
 * to send some (oerrors). Their RX queues are never read, by design: what
 * those queues missed (imissed, rx_nombuf of a veth or memif peer that
 * sends to us) is in the runtime's report above, but lost nothing of the
 * replay's. Over several ports, every figure is the total (rates from the
 * schedule's first departure to its last, on any port).
 */
int
replay_report(struct app *a, void *arg, int status)
{
	struct replay_run *r = arg;
	const struct replay_opts *o = r->o;
	static struct replay_total t;
	const struct pacer_hist *h = &t.dep;
	struct app_lcore_stats l;
	uint64_t sent, bytes;
	double hz = (double)r->hz;
	double span, pps, bits, mbps;
	double achieved = NAN, err_pct = NAN, err_wall_pct, ppm;
	bool pool_ok;
	const char *verdict;
	char asked[64] = "-";
	unsigned int k;

	(void)a;
	replay_sum(r, &t);
	sent = t.sent;
	bytes = t.bytes;
	span = sent > 1 ? (t.last_tsc - t.first_tsc) / hz : 0;
	pps = span > 0 ? (sent - 1) / span : 0;
	bits = (double)(bytes + sent * r->overhead) * 8;
	mbps = span > 0 ? (bits - t.last_bits) / span / 1e6 : 0;
	pool_ok = t.pool_ok;
	switch (o->mode) {
	case PACER_PPS:
		achieved = pps;
		snprintf(asked, sizeof(asked), "%.3f pps", o->rate);
		break;
	case PACER_MBPS:
		achieved = mbps;
		snprintf(asked, sizeof(asked), "%.6f Mbps", o->rate);
		break;
	case PACER_TIMING:
		/* rate relative to the schedule: scheduled span / actual */
		if (span > 0 && t.last_due > t.first_due)
			achieved = o->rate * ((t.last_due - t.first_due) / hz) / span;
		snprintf(asked, sizeof(asked), "speed %.6g", o->rate);
		break;
	default:
		break;
	}
	if (!isnan(achieved))
		err_pct = (achieved / o->rate - 1) * 100;
	/* The rate is measured on the TSC; the TSC's own drift against
	 * CLOCK_MONOTONIC over the run turns it into a rate in wall time. */
	ppm = ((r->tsc1 - r->tsc0) / hz / (r->wall1 - r->wall0) - 1) * 1e6;
	err_wall_pct = ((1 + err_pct / 100) * (1 + ppm / 1e6) - 1) * 100;

	printf("replay %s -> %s", o->file, o->ports[0]);
	for (k = 1; k < r->n; k++)
		printf(" + %s", o->ports[k]);
	printf(" (%s%s)\n", replay_mode_name(o->mode),
	       o->stream ? ", streamed" : ", preloaded");
	printf("  capture:   %" PRIu64 " packets, %" PRIu64 " bytes, span %.6f s"
	       "%s; %" PRIu64 " empty skipped, %" PRIu64 " shorter than the wire"
	       " (%s)\n", r->info.packets, r->info.bytes, r->info.span_ns / 1e9,
	       r->info.max_len > r->info.seg_room ? ", chained mbufs" : "",
	       r->info.empty, r->info.short_recs,
	       o->pad ? "padded" : "sent as captured");
	printf("  sent:      %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
	       " loops, in %.6f s (first to last TX call)%s\n", sent, bytes,
	       t.passes, span, r->n > 1 ? ", over all ports" : "");
	printf("  rate:      %.3f pps, %.3f Mbps%s; asked %s", pps, mbps,
	       r->overhead ? " (with per-frame overhead)" : "", asked);
	if (!isnan(err_pct))
		printf(", error %+.5f %% (%+.5f %% in CLOCK_MONOTONIC time)",
		       err_pct, err_wall_pct);
	printf("\n");
	if (o->mode != PACER_TOPSPEED)
		printf("  departure error (TSC at TX call - schedule, n=%" PRIu64
		       "): p50 %.3f us, p99 %.3f us, p99.9 %.3f us, max %.3f us,"
		       " mean %.3f us\n", h->n,
		       replay_us(pacer_hist_quantile(h, 0.5), r->hz),
		       replay_us(pacer_hist_quantile(h, 0.99), r->hz),
		       replay_us(pacer_hist_quantile(h, 0.999), r->hz),
		       replay_us(h->max, r->hz),
		       h->n ? replay_us(h->sum / h->n, r->hz) : 0.0);
	replay_hiccups(r, &l);
	printf("  tx:        %" PRIu64 " calls, %" PRIu64 " took fewer than "
	       "offered; port opackets %" PRIu64 " oerrors %" PRIu64 "\n",
	       t.calls, t.short_calls, t.opackets, t.oerrors);
	replay_port_lines(r);
	printf("  clock:     TSC %.6f MHz measured (EAL says %.3f); TSC vs "
	       "CLOCK_MONOTONIC over the run %+.1f ppm\n", hz / 1e6,
	       rte_get_tsc_hz() / 1e6, ppm);
	printf("  pool:      %u/%u mbufs back%s\n", t.pool_avail, t.pool_size,
	       pool_ok ? "" : " (LEAK)");
	if (status == APP_EXIT_PORT_LOSS && t.oerrors == 0)
		status = APP_EXIT_OK;
	verdict = !pool_ok ? "leak" : status == APP_EXIT_MISMATCH ? "mismatch" :
		  sent == 0 ? "nothing-sent" :
		  status == APP_EXIT_PORT_LOSS ? "port-loss" : "ok";
	printf("replay: mode=%s sent=%" PRIu64 " bytes=%" PRIu64 " duration_s=%.6f"
	       " tsc_mhz=%.6f eal_mhz=%.6f"
	       " pps=%.3f mbps=%.3f rate_err_pct=%.6f rate_err_wall_pct=%.6f"
	       " dep_p50_us=%.3f"
	       " dep_p99_us=%.3f dep_p999_us=%.3f dep_max_us=%.3f hiccups=%"
	       PRIu64 " hiccup_max_us=%.1f tx_short=%" PRIu64 " tsc_ppm=%.1f"
	       " first_late_us=%.3f last_late_us=%.3f"
	       " pool=%u/%u ports=%u status=%s\n", replay_mode_name(o->mode), sent,
	       bytes, span, hz / 1e6, rte_get_tsc_hz() / 1e6, pps, mbps, err_pct,
	       err_wall_pct,
	       replay_us(pacer_hist_quantile(h, 0.5), r->hz),
	       replay_us(pacer_hist_quantile(h, 0.99), r->hz),
	       replay_us(pacer_hist_quantile(h, 0.999), r->hz),
	       replay_us(h->max, r->hz), l.hiccups,
	       replay_us(l.hiccup_max_cycles, rte_get_tsc_hz()),
	       t.short_calls, ppm,
	       replay_us(t.first_tsc - t.first_due, r->hz),
	       replay_us(t.last_tsc - t.last_due, r->hz), t.pool_avail,
	       t.pool_size, r->n, verdict);
	fflush(stdout);
	for (k = 0; k < r->n; k++)
		if (r->tx[k]->ctr.pkts_out == 0)
			fprintf(stderr, "%s: %s took no packet (%" PRIu64 " TX calls); "
				"expected a port that sends (a memif with a peer, a "
				"link that is up)\n", o->prog, o->ports[k],
				r->tx[k]->ctr.kind[PORT_TX_CALLS]);
	if (strcmp(verdict, "ok") != 0)
		return status == APP_EXIT_MISMATCH || status == APP_EXIT_PORT_LOSS ?
		       status : REPLAY_EXIT_RUNTIME;
	return t.failed ? REPLAY_EXIT_USAGE : REPLAY_EXIT_OK;
}

