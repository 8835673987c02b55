/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd replay: a pipeline generated from the command line and run on the
 * runtime (run.c) like any YAML one:
 *
 *	capture (file, loop, stream, pad)  ->  output (pps | mbps | timing)
 *
 * both on lcore 1, fused into one segment. Over N ports, N such paths,
 * path k on lcore 1 + k: a capture dealt `every: N, from: k` into an
 * output with `shared: true`, so that the N outputs follow one schedule.
 * The config is written as YAML and goes through conf_parse() and the
 * same checks as a config file, so a replay has the runtime's EAL set-up,
 * ports, link wait, supervision, telemetry (`ffwdctl status replay-PID`)
 * and accounting. What is the replay's own: the checks of the capture
 * before EAL (sizes, memory), the per-second line and progress bar, and
 * the report (replay_report.c), whose lines tests/e2e/replay.sh and
 * bench/replay read.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
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
#define REPLAY_YAML_MAX 65536
#define REPLAY_PORT_MB 12	/* each port past the first: its RX mbufs
				   and queues */


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
		/* dealt over ports, each preloads its share: the whole
		 * file in all, and a pool's overhead per port (below) */
		bytes = capsrc_preload_bytes(info);
	/* 4 KiB pages without hugepages: the pool may lose up to a third to
	 * objects that would straddle a page (measured: 2.3 KiB objects). */
	return (unsigned int)(REPLAY_BASE_MB + bytes * 3 / 2 / 1048576 +
			      (o->n_ports - 1) * REPLAY_PORT_MB);
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

/* Appends to Y (LEN bytes so far); -1 when it does not fit. */
static int
replay_cat(char *y, size_t size, size_t *len, const char *fmt, ...)
	__rte_format_printf(4, 5);

static int
replay_cat(char *y, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(y + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/*
 * Over N ports: path k sends packets k, k + N, ... of each pass (the
 * capture's `every`, `from`) out of port k from lcore 1 + k, and its
 * paced output shares one schedule with the others (`shared`), so the
 * rate asked is the total and every packet keeps its own time.
 */
static int
replay_yaml_ports(const struct replay_opts *o, unsigned int memory_mb,
		  const char *file, const char *pace, char *y, size_t size)
{
	char dev[2 * CONF_DEV_MAX + 3];
	unsigned int i;
	size_t len = 0;
	int bad;

	bad = replay_cat(y, size, &len,
			 "pipeline: { label: replay-%d, housekeeping: 0, hugepages: %s,\n"
			 "            memory: %u, mbufs: %u,\n"
			 "            cpus: { 0: 0", (int)getpid(),
			 o->hugepages ? "true" : "false", RTE_MAX(memory_mb, 64u),
			 (REPLAY_MBUFS + 1) * o->n_ports - 1);
	for (i = 0; i < o->n_ports; i++)
		bad |= replay_cat(y, size, &len, ", %d: %u", REPLAY_TX_LCORE + i,
				  o->cpus[i]);
	bad |= replay_cat(y, size, &len, " } }\nports:\n");
	for (i = 0; i < o->n_ports; i++) {
		if (replay_quote(dev, sizeof(dev), o->ports[i]) != 0)
			return -1;
		bad |= replay_cat(y, size, &len, "  out%u: { dev: %s, rxd: %d, txd: %d }\n",
				  i, dev, REPLAY_RXD, REPLAY_TXD);
	}
	bad |= replay_cat(y, size, &len, "paths:\n");
	for (i = 0; i < o->n_ports; i++)
		bad |= replay_cat(y, size, &len,
				  "  - name: p%u\n"
				  "    stages:\n"
				  "      - { name: cap%u, kind: capture, lcore: %d, file: %s,\n"
				  "          loop: %" PRIu64 ", pad: %s, every: %u, from: %u }\n"
				  "      - { name: tx%u, kind: output, port: out%u, lcore: %d,\n"
				  "          retries: forever, tx_burst: %u%s%s }\n",
				  i, i, REPLAY_TX_LCORE + i, file, o->loops,
				  o->pad ? "true" : "false", o->n_ports, i, i, i,
				  REPLAY_TX_LCORE + i, o->burst, pace,
				  o->mode != PACER_TOPSPEED ? ", shared: true" : "");
	return bad ? -1 : 0;
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
	if (o->n_ports > 1)
		return replay_yaml_ports(o, memory_mb, file, pace, y, size);
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

static int replay_built_port(struct app *a, struct replay_run *r, unsigned int k);

static int
replay_built(struct app *a, void *arg)
{
	struct replay_run *r = arg;
	const struct replay_opts *o = r->o;
	unsigned int i, k;
	int ret;

	r->n = o->n_ports;
	for (k = 0; k < r->n; k++) {
		char cap[16] = "cap", tx[16] = "tx";

		if (r->n > 1) {
			snprintf(cap, sizeof(cap), "cap%u", k);
			snprintf(tx, sizeof(tx), "tx%u", k);
		}
		r->cap[k] = replay_stage(a, cap);
		r->tx[k] = replay_stage(a, tx);
		if (r->cap[k] == NULL || r->tx[k] == NULL)
			return APP_EXIT_RUNTIME;
		r->port_id[k] = a->ports[k].id;
		for (i = 0; i < a->n_lcores; i++)
			if (a->lcores[i].lcore == REPLAY_TX_LCORE + k)
				r->lst[k] = &a->lcores[i].st;
		if (r->lst[k] == NULL)
			return APP_EXIT_RUNTIME;
		ret = replay_built_port(a, r, k);
		if (ret != 0)
			return ret;
	}
	/* A paced output measured the TSC; one at top speed did not. */
	r->hz = port_tx_pace(r->tx[0])->hz;
	if (o->mode == PACER_TOPSPEED)
		r->hz = pacer_calibrate_hz(REPLAY_CAL_S);
	r->tty = o->progress < 0 ? isatty(STDOUT_FILENO) : o->progress;
	return 0;
}

/* Port K can send the capture: warnings, or an error for AF_XDP. */
static int
replay_built_port(struct app *a, struct replay_run *r, unsigned int k)
{
	const struct replay_opts *o = r->o;
	struct rte_eth_dev_info di;

	if (r->info.max_len > r->info.seg_room &&
	    rte_eth_dev_info_get(r->port_id[k], &di) == 0 &&
	    !(di.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS))
		fprintf(stderr, "%s: warning: %s has packets of up to %u "
			"bytes in chained mbufs, and port %s does not "
			"announce multi-segment TX\n", o->prog, o->file,
			r->info.max_len, o->ports[k]);
	if (r->info.max_len > port_max_frame(&a->ports[k])) {
		/* The output drops what the port cannot take as oversize,
		 * never handing it to the PMD. net_af_xdp takes no more than
		 * one mbuf of its own (2048 bytes): a capture of jumbo frames
		 * would be mostly dropped, so it is refused (as before the
		 * replay was a pipeline); elsewhere it is a warning. */
		bool unsafe = port_is_driver(a->ports[k].conf, "net_af_xdp");

		fprintf(stderr, "%s: %s: %s has frames of up to %u bytes, and port "
			"%s takes at most %u whole%s\n", o->prog,
			unsafe ? "error" : "warning", o->file, r->info.max_len,
			o->ports[k], port_max_frame(&a->ports[k]),
			unsafe ? "; expected a capture without longer frames" :
			"; the output drops longer ones as oversize");
		if (unsafe)
			return REPLAY_EXIT_USAGE;
	}
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
	uint64_t sent = 0, bytes = 0, passes = UINT64_MAX;
	uint64_t total = o->loops ? o->loops * r->info.packets : 0;
	unsigned int k;

	(void)a;
	for (k = 0; k < r->n; k++) {
		sent += __atomic_load_n(&r->tx[k]->ctr.pkts_out, __ATOMIC_RELAXED);
		bytes += __atomic_load_n(&r->tx[k]->ctr.kind[PORT_TX_BYTES],
					 __ATOMIC_RELAXED);
		/* the passes every port has finished */
		passes = RTE_MIN(passes, capture_passes(r->cap[k]));
	}
	if (o->stats_interval > 0 && t - r->last >= o->stats_interval) {
		uint64_t dp = sent - r->last_sent;
		double lpps = dp / (t - r->last);
		double lmbps = ((bytes - r->last_bytes) + dp * r->overhead) * 8 /
			       (t - r->last) / 1e6;

		if (r->tty)
			fputs("\r\033[K", stdout);
		printf("[%9.2f s] %12.0f pps %12.3f Mbps  sent %" PRIu64
		       "  loops %" PRIu64 "\n", t, lpps, lmbps, sent, passes);
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
	unsigned int k;

	(void)a;
	pacer_clock_pair(&r->tsc1, &r->wall1);
	for (k = 0; k < r->n; k++)
		rte_eth_stats_get(r->port_id[k], &r->port_stats[k]);
	if (r->tty)
		fputs("\r\033[K", stdout);
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
