/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd replay: a pipeline generated from the command line and run on the
 * runtime (run.c) like any YAML one:
 *
 *	capture (file, loop, stream, pad)  ->  output (pps | mbps | timing)
 *
 * both on lcore 1, fused into one segment. The config is written as YAML
 * and goes through conf_parse() and the same checks as a config file, so
 * a replay has the runtime's EAL set-up, ports, link wait, supervision,
 * telemetry (`ffwdctl status replay-PID`) and accounting. What is the
 * replay's own: the checks of the capture before EAL (sizes, memory), the
 * per-second line and progress bar, and the report, whose lines
 * tests/e2e/replay.sh and bench/replay read.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "app.h"
#include "capfile.h"
#include "capsrc.h"
#include "capture.h"
#include "conf.h"
#include "pacer.h"
#include "port.h"
#include "port_tx.h"
#include "replay.h"
#include "replay_pvt.h"
#include "run.h"

#define REPLAY_TXD 1024
#define REPLAY_RXD 512		/* the port's RX queue: unread, but some
				   ports (memif, AF_XDP) need one filled */
#define REPLAY_MBUFS 2047	/* the runtime's pool, for that queue */
#define REPLAY_CAL_S 0.25	/* TSC calibration when not paced */
#define REPLAY_BASE_MB 104	/* EAL, ethdev, rings, the RX pool: measured,
				   plus margin */
#define REPLAY_DURATION_SLACK_S 0.02	/* the run outlasts the output's own
					   --duration, which is exact */
#define REPLAY_YAML_MAX 16384

/* The run, as the hooks see it. */
struct replay_run {
	const struct replay_opts *o;
	struct capsrc_info info;
	const struct stage *cap, *tx;
	uint16_t port_id;
	uint64_t hz;
	uint64_t tsc0, tsc1;		/**< main lcore, around the run */
	double wall0, wall1;
	uint64_t overhead;
	struct rte_eth_stats port_stats;	/**< read once drained */
	const struct app_lcore_stats *lst;	/**< the TX lcore's loop */
	/* the display */
	bool tty;
	double last, last_bar;
	uint64_t last_sent, last_bytes, bar_sent, bar_bytes;
	double bar_pps, bar_mbps;
};

/* MemAvailable from /proc/meminfo, in MiB; 0 if unknown. */
static uint64_t
replay_mem_available_mb(void)
{
	char line[256];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kb) == 1)
			break;
	fclose(f);
	return kb / 1024;
}

/* Memory EAL gets with --no-huge: the preload plus a fixed base. */
static unsigned int
replay_memory_mb(const struct replay_opts *o, const struct capsrc_info *info)
{
	uint64_t bytes;

	if (o->stream)
		bytes = (uint64_t)CAPTURE_STREAM_MBUFS *
			(sizeof(struct rte_mbuf) + RTE_PKTMBUF_HEADROOM +
			 CAPSRC_SEG_ROOM_MAX + 64);
	else
		bytes = capsrc_preload_bytes(info);
	/* 4 KiB pages without hugepages: the pool may lose up to a third to
	 * objects that would straddle a page (measured: 2.3 KiB objects). */
	return (unsigned int)(REPLAY_BASE_MB + bytes * 3 / 2 / 1048576);
}

/* S as a YAML double-quoted scalar. */
static int
replay_quote(char *buf, size_t size, const char *s)
{
	size_t n = 0;

	if (size < 3)
		return -1;
	buf[n++] = '"';
	for (; *s != '\0'; s++) {
		if (n + 3 >= size)
			return -1;
		if (*s == '"' || *s == '\\')
			buf[n++] = '\\';
		buf[n++] = *s;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return 0;
}

/*
 * A rate as the output kind reads it: a whole number within the integer
 * range, else a decimal (a whole number above that range gets ".0").
 */
static void
replay_rate(char *buf, size_t size, double v, double int_max)
{
	snprintf(buf, size, "%.17g", v);
	if (strpbrk(buf, ".eE") == NULL && v > int_max)
		snprintf(buf, size, "%.1f", v);
}

/* The pipeline of a replay, as the YAML a user could have written. */
static int
replay_yaml(const struct replay_opts *o, unsigned int memory_mb, char *y,
	    size_t size)
{
	char file[2 * CAPTURE_FILE_MAX + 3], dev[2 * CONF_DEV_MAX + 3];
	char rate[64], pace[192] = "";
	int n;

	if (replay_quote(file, sizeof(file), o->file) != 0 ||
	    replay_quote(dev, sizeof(dev), o->port) != 0)
		return -1;
	switch (o->mode) {
	case PACER_PPS:
		replay_rate(rate, sizeof(rate), o->rate, 1e9);
		snprintf(pace, sizeof(pace), ", pps: %s", rate);
		break;
	case PACER_MBPS:
		replay_rate(rate, sizeof(rate), o->rate, 1e6);
		snprintf(pace, sizeof(pace), ", mbps: %s%s", rate,
			 o->ifg || o->fcs ? ", overhead: " : "");
		if (o->ifg || o->fcs)
			snprintf(pace + strlen(pace), sizeof(pace) - strlen(pace),
				 "%d", (o->ifg ? 20 : 0) + (o->fcs ? 4 : 0));
		break;
	case PACER_TIMING:
		replay_rate(rate, sizeof(rate), o->rate, 1000);
		snprintf(pace, sizeof(pace), ", timing: %s", rate);
		break;
	default:
		snprintf(pace, sizeof(pace), ", measure: true");
		break;
	}
	if (o->mode != PACER_TOPSPEED && o->duration_s > 0)
		snprintf(pace + strlen(pace), sizeof(pace) - strlen(pace),
			 ", duration: %.9f", o->duration_s);
	n = snprintf(y, size,
		     "pipeline: { label: replay-%d, housekeeping: 0, hugepages: %s,\n"
		     "            memory: %u, mbufs: %d,\n"
		     "            cpus: { 0: 0, %d: %u } }\n"
		     "ports:\n"
		     "  out: { dev: %s, rxd: %d, txd: %d }\n"
		     "stages:\n"
		     "  - { name: cap, kind: capture, lcore: %d, file: %s,\n"
		     "      loop: %" PRIu64 ", stream: %s, pad: %s }\n"
		     "  - { name: tx, kind: output, port: out, lcore: %d,\n"
		     "      retries: forever, tx_burst: %u%s }\n",
		     (int)getpid(), o->hugepages ? "true" : "false",
		     RTE_MAX(memory_mb, 64u), REPLAY_MBUFS, REPLAY_TX_LCORE, o->cpu,
		     dev, REPLAY_RXD, REPLAY_TXD, REPLAY_TX_LCORE, file, o->loops,
		     o->stream ? "true" : "false", o->pad ? "true" : "false",
		     REPLAY_TX_LCORE, o->burst, pace);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

static const struct stage *
replay_stage(const struct app *a, const char *name)
{
	unsigned int i;

	for (i = 0; i < a->n_stages; i++)
		if (strcmp(a->stages[i].name, name) == 0)
			return &a->stages[i];
	return NULL;
}

static int
replay_built(struct app *a, void *arg)
{
	struct replay_run *r = arg;
	const struct replay_opts *o = r->o;
	struct rte_eth_dev_info di;
	unsigned int i;

	r->cap = replay_stage(a, "cap");
	r->tx = replay_stage(a, "tx");
	if (r->cap == NULL || r->tx == NULL)
		return APP_EXIT_RUNTIME;
	r->port_id = a->ports[0].id;
	for (i = 0; i < a->n_lcores; i++)
		if (a->lcores[i].lcore == REPLAY_TX_LCORE)
			r->lst = &a->lcores[i].st;
	/* A paced output measured the TSC; one at top speed did not. */
	r->hz = port_tx_pace(r->tx)->hz;
	if (o->mode == PACER_TOPSPEED)
		r->hz = pacer_calibrate_hz(REPLAY_CAL_S);
	if (r->info.max_len > r->info.seg_room &&
	    rte_eth_dev_info_get(r->port_id, &di) == 0 &&
	    !(di.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS))
		fprintf(stderr, "%s: warning: %s has packets of up to %u "
			"bytes in chained mbufs, and port %s does not "
			"announce multi-segment TX\n", o->prog, o->file,
			r->info.max_len, o->port);
	if (r->info.max_len > port_max_frame(&a->ports[0])) {
		/* The output drops what the port cannot take as oversize,
		 * never handing it to the PMD. net_af_xdp takes no more than
		 * one mbuf of its own (2048 bytes): a capture of jumbo frames
		 * would be mostly dropped, so it is refused (as before the
		 * replay was a pipeline); elsewhere it is a warning. */
		bool unsafe = port_is_driver(a->ports[0].conf, "net_af_xdp");

		fprintf(stderr, "%s: %s: %s has frames of up to %u bytes, and port "
			"%s takes at most %u whole%s\n", o->prog,
			unsafe ? "error" : "warning", o->file, r->info.max_len,
			o->port, port_max_frame(&a->ports[0]),
			unsafe ? "; expected a capture without longer frames" :
			"; the output drops longer ones as oversize");
		if (unsafe)
			return REPLAY_EXIT_USAGE;
	}
	r->tty = o->progress < 0 ? isatty(STDOUT_FILENO) : o->progress;
	return 0;
}

static void
replay_launch(struct app *a, void *arg)
{
	struct replay_run *r = arg;

	(void)a;
	pacer_clock_pair(&r->tsc0, &r->wall0);
}

/* The TTY progress line: [#####.....]  42%  1.23 Mpps  ... */
static void
replay_progress(FILE *f, double frac, double pps, double mbps, double t)
{
	char bar[31];
	int i, fill;

	if (frac < 0) {
		fprintf(f, "\r\033[K  %8.2f s  %12.0f pps  %10.3f Mbps", t, pps,
			mbps);
	} else {
		fill = (int)(frac * 30);
		for (i = 0; i < 30; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[30] = '\0';
		fprintf(f, "\r\033[K  [%s] %3.0f%%  %8.2f s  %12.0f pps  %10.3f "
			"Mbps", bar, frac * 100, t, pps, mbps);
	}
	fflush(f);
}

/* Every supervision round: a line of rates per interval, the bar. */
static void
replay_tick(struct app *a, void *arg, double t)
{
	struct replay_run *r = arg;
	const struct replay_opts *o = r->o;
	uint64_t sent = __atomic_load_n(&r->tx->ctr.pkts_out, __ATOMIC_RELAXED);
	uint64_t bytes = __atomic_load_n(&r->tx->ctr.kind[PORT_TX_BYTES],
					 __ATOMIC_RELAXED);
	uint64_t total = o->loops ? o->loops * r->info.packets : 0;

	(void)a;
	if (o->stats_interval > 0 && t - r->last >= o->stats_interval) {
		uint64_t dp = sent - r->last_sent;
		double lpps = dp / (t - r->last);
		double lmbps = ((bytes - r->last_bytes) + dp * r->overhead) * 8 /
			       (t - r->last) / 1e6;

		if (r->tty)
			fputs("\r\033[K", stdout);
		printf("[%9.2f s] %12.0f pps %12.3f Mbps  sent %" PRIu64
		       "  loops %" PRIu64 "\n", t, lpps, lmbps, sent,
		       capture_passes(r->cap));
		fflush(stdout);
		r->last = t;
		r->last_sent = sent;
		r->last_bytes = bytes;
	}
	if (r->tty && t - r->last_bar >= 0.2) {
		double frac = -1;

		/* the bar's own rate, over its 0.2 s refresh */
		if (r->last_bar > 0) {
			r->bar_pps = (sent - r->bar_sent) / (t - r->last_bar);
			r->bar_mbps = ((bytes - r->bar_bytes) +
				       (sent - r->bar_sent) * r->overhead) * 8 /
				      (t - r->last_bar) / 1e6;
		}
		r->bar_sent = sent;
		r->bar_bytes = bytes;
		if (total != 0)
			frac = (double)sent / total;
		if (o->duration_s > 0)
			frac = RTE_MAX(frac, t / o->duration_s);
		replay_progress(stdout, RTE_MIN(frac, 1.0), r->bar_pps,
				r->bar_mbps, t);
		r->last_bar = t;
	}
}

static void
replay_drained(struct app *a, void *arg)
{
	struct replay_run *r = arg;

	(void)a;
	pacer_clock_pair(&r->tsc1, &r->wall1);
	rte_eth_stats_get(r->port_id, &r->port_stats);
	if (r->tty)
		fputs("\r\033[K", stdout);
}

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

static void
replay_hiccups(const struct replay_run *r)
{
	const struct app_lcore_stats *l = r->lst;
	uint64_t eal_hz = rte_get_tsc_hz();
	unsigned int b;

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

/*
 * The replay's report, after the runtime's; @return the exit status: 0
 * if every mbuf is back in its pool, the accounting adds up and the port
 * took at least one packet; 4 (APP_EXIT_PORT_LOSS) if the port then
 * failed to send some (oerrors). Its RX queue is never read, by design:
 * what that queue missed (imissed, rx_nombuf of a veth or memif peer that
 * sends to us) is in the runtime's report above, but lost nothing of the
 * replay's.
 */
static int
replay_report(struct app *a, void *arg, int status)
{
	struct replay_run *r = arg;
	const struct replay_opts *o = r->o;
	const struct port_tx_pace *pc = port_tx_pace(r->tx);
	const struct capture_result *cr = capture_result(r->cap);
	const struct pacer_hist *h = &pc->dep;
	const struct rte_eth_stats *es = &r->port_stats;
	uint64_t sent = r->tx->ctr.pkts_out;
	uint64_t bytes = r->tx->ctr.kind[PORT_TX_BYTES];
	double hz = (double)r->hz;
	double span = sent > 1 ? (pc->last_tsc - pc->first_tsc) / hz : 0;
	double pps = span > 0 ? (sent - 1) / span : 0;
	double bits = (double)(bytes + sent * r->overhead) * 8;
	double mbps = span > 0 ? (bits - pc->last_bits) / span / 1e6 : 0;
	double achieved = NAN, err_pct = NAN, err_wall_pct, ppm;
	bool pool_ok = cr->counted && cr->pool_avail == cr->pool_size;
	const char *verdict;
	char asked[64] = "-";

	(void)a;
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
		if (span > 0 && pc->last_due > pc->first_due)
			achieved = o->rate * ((pc->last_due - pc->first_due) / hz) /
				   span;
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

	printf("replay %s -> %s (%s%s)\n", o->file, o->port,
	       replay_mode_name(o->mode), o->stream ? ", streamed" : ", preloaded");
	printf("  capture:   %" PRIu64 " packets, %" PRIu64 " bytes, span %.6f s"
	       "%s; %" PRIu64 " empty skipped, %" PRIu64 " shorter than the wire"
	       " (%s)\n", r->info.packets, r->info.bytes, r->info.span_ns / 1e9,
	       r->info.max_len > r->info.seg_room ? ", chained mbufs" : "",
	       r->info.empty, r->info.short_recs,
	       o->pad ? "padded" : "sent as captured");
	printf("  sent:      %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
	       " loops, in %.6f s (first to last TX call)\n", sent, bytes,
	       cr->passes, span);
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
	replay_hiccups(r);
	printf("  tx:        %" PRIu64 " calls, %" PRIu64 " took fewer than "
	       "offered; port opackets %" PRIu64 " oerrors %" PRIu64 "\n",
	       r->tx->ctr.kind[PORT_TX_CALLS], r->tx->ctr.kind[PORT_TX_SHORT],
	       es->opackets, es->oerrors);
	printf("  clock:     TSC %.6f MHz measured (EAL says %.3f); TSC vs "
	       "CLOCK_MONOTONIC over the run %+.1f ppm\n", hz / 1e6,
	       rte_get_tsc_hz() / 1e6, ppm);
	printf("  pool:      %u/%u mbufs back%s\n", cr->pool_avail, cr->pool_size,
	       pool_ok ? "" : " (LEAK)");
	if (status == APP_EXIT_PORT_LOSS && es->oerrors == 0)
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
	       " pool=%u/%u status=%s\n", replay_mode_name(o->mode), sent,
	       bytes, span, hz / 1e6, rte_get_tsc_hz() / 1e6, pps, mbps, err_pct,
	       err_wall_pct,
	       replay_us(pacer_hist_quantile(h, 0.5), r->hz),
	       replay_us(pacer_hist_quantile(h, 0.99), r->hz),
	       replay_us(pacer_hist_quantile(h, 0.999), r->hz),
	       replay_us(h->max, r->hz), r->lst->hiccups,
	       replay_us(r->lst->hiccup_max_cycles, rte_get_tsc_hz()),
	       r->tx->ctr.kind[PORT_TX_SHORT], ppm,
	       replay_us(pc->first_tsc - pc->first_due, r->hz),
	       replay_us(pc->last_tsc - pc->last_due, r->hz), cr->pool_avail,
	       cr->pool_size, verdict);
	fflush(stdout);
	if (sent == 0)
		fprintf(stderr, "%s: %s took no packet (%" PRIu64 " TX calls); "
			"expected a port that sends (a memif with a peer, a link "
			"that is up)\n", o->prog, o->port,
			r->tx->ctr.kind[PORT_TX_CALLS]);
	if (strcmp(verdict, "ok") != 0)
		return status == APP_EXIT_MISMATCH || status == APP_EXIT_PORT_LOSS ?
		       status : REPLAY_EXIT_RUNTIME;
	return cr->failed ? REPLAY_EXIT_USAGE : REPLAY_EXIT_OK;
}

static const struct app_run_hooks replay_hooks = {
	.built = replay_built,
	.launch = replay_launch,
	.tick = replay_tick,
	.drained = replay_drained,
	.report = replay_report,
};

/*
 * The capture is read whole before EAL starts: a broken one is an error
 * naming it, and its size says how much memory EAL needs.
 * @return 0, or an exit status (message printed).
 */
static int
replay_precheck(const struct replay_opts *o, struct capsrc_info *info,
		unsigned int *memory_mb)
{
	struct capsrc_opts copts = { .pad = o->pad };
	char err[CAPSRC_ERR_MAX];

	if (capsrc_scan(o->file, &copts, info, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", o->prog, err);
		return REPLAY_EXIT_USAGE;
	}
	if (!o->stream && info->segs > UINT32_MAX / 2) {
		fprintf(stderr, "%s: %s: %" PRIu64 " mbufs is more than one pool "
			"holds; expected --stream\n", o->prog, o->file, info->segs);
		return REPLAY_EXIT_USAGE;
	}
	*memory_mb = replay_memory_mb(o, info);
	if (!o->stream && !o->hugepages) {
		uint64_t have = o->memory_mb ? o->memory_mb : replay_mem_available_mb();
		/* Given --memory, only the pool itself must fit: the user
		 * may know better than the margin; EAL says if not. */
		uint64_t need = o->memory_mb ?
			capsrc_preload_bytes(info) / 1048576 + 32 : *memory_mb;

		if (have != 0 && need > have) {
			fprintf(stderr, "%s: %s: does not fit in memory: preloading "
				"%" PRIu64 " packets takes %u MiB, %" PRIu64 " MiB %s; "
				"expected a smaller capture, more --memory, or "
				"--stream\n", o->prog, o->file, info->packets,
				(unsigned int)need, have,
				o->memory_mb ? "allowed by --memory" : "available");
			return REPLAY_EXIT_USAGE;
		}
	}
	if (o->memory_mb)
		*memory_mb = o->memory_mb;
	return 0;
}

int
replay_main(int argc, char **argv)
{
	static struct conf conf;
	static char yaml[REPLAY_YAML_MAX];
	char err[CONF_ERR_MAX + 256];
	struct app_run_opts ro;
	struct replay_opts o;
	struct replay_run r;
	unsigned int memory_mb;
	int ret;

	ret = replay_parse(argc, argv, &o);
	if (ret != 0)
		return ret > 0 ? REPLAY_EXIT_OK : REPLAY_EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.overhead = (o.ifg ? 20 : 0) + (o.fcs ? 4 : 0);
	ret = replay_precheck(&o, &r.info, &memory_mb);
	if (ret != 0)
		return ret;
	if (replay_yaml(&o, memory_mb, yaml, sizeof(yaml)) != 0) {
		fprintf(stderr, "%s: arguments too long\n", o.prog);
		return REPLAY_EXIT_USAGE;
	}
	/* The same checks as a config file's. */
	if (conf_parse(&conf, "(the pipeline of the command line)", yaml,
		       strlen(yaml), err, sizeof(err)) != 0 ||
	    capfile_check_conf(&conf, stderr, err, sizeof(err)) != 0 ||
	    conf_check_kinds(&conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", o.prog, err);
		conf_free(&conf);
		return REPLAY_EXIT_USAGE;
	}
	ro = (struct app_run_opts){
		.prog = "ffwd-replay",
		.name = o.prog,
		.stats_interval = 0,
		.duration_s = o.duration_s > 0 ? o.duration_s +
			(o.mode != PACER_TOPSPEED ? REPLAY_DURATION_SLACK_S : 0) : 0,
		.link_wait_s = REPLAY_LINK_WAIT_S,
		.start_delay_ms = (unsigned int)lround(o.start_delay_s * 1000),
		.eal_argc = o.eal_argc,
		.eal_argv = o.eal_argv,
		.quiet = true,
		.rm_runtime_dir = true,
		.hooks = &replay_hooks,
		.arg = &r,
	};
	ret = app_run(&conf, &ro);
	conf_free(&conf);
	return ret;
}
