/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd replay: the command line, EAL and port set-up, the supervision of
 * the pacer from the main lcore (per-second rates, progress bar, the
 * streaming reader) and the final report. The TX path itself is
 * stages/output/pacer.c; the capture, stages/input/capsrc.c.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw() */
#endif
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "capsrc.h"
#include "ffwd_ring.h"
#include "pacer.h"
#include "port.h"
#include "replay.h"
#include "mono.h"

#define REPLAY_EAL_ARGS_MAX 64
#define REPLAY_TX_LCORE 1
#define REPLAY_TXD 1024
#define REPLAY_RXD 64
#define REPLAY_STREAM_MBUFS 8191
#define REPLAY_STREAM_RING 1024
#define REPLAY_HICCUP_US 10
#define REPLAY_LEAD_US 1000	/* t0 after launch: the first burst is on time */
#define REPLAY_LINK_WAIT_S 10	/* for the link before the clock starts */
#define REPLAY_CAL_S 0.25	/* TSC calibration against CLOCK_MONOTONIC */
#define REPLAY_BASE_MB 96	/* EAL, ethdev, rings: measured, plus margin */

/** The stop flag: the one global, set from the signal handler. */
static volatile int replay_stop;

struct replay_opts {
	const char *prog;
	const char *file;
	const char *port;		/**< devargs */
	enum pacer_mode mode;
	double rate;			/**< pps, Mbit/s or speed */
	bool ifg, fcs;
	uint64_t loops;			/**< 0: forever */
	double duration_s;		/**< 0: no limit */
	double start_delay_s;		/**< after link up, before the clock */
	unsigned int cpu;		/**< CPU of the TX lcore */
	unsigned int burst;		/**< 0: default for the mode */
	bool pad, stream, hugepages;
	unsigned int memory_mb;		/**< 0: auto */
	double stats_interval;		/**< < 0: 1 s */
	int progress;			/**< -1 auto (TTY), 0 off, 1 on */
	int eal_argc;
	char **eal_argv;
};

static void
replay_usage(FILE *f, const char *prog)
{
	fprintf(f,
"usage: %s FILE --port DEVARGS [pacing] [options] [-- EAL options]\n"
"\n"
"Sends the capture FILE (pcap or pcapng, Ethernet) out of one DPDK port:\n"
"preloaded into mbufs and looped by reference count (no copy per loop),\n"
"each packet on an absolute TSC schedule so that errors never accumulate.\n"
"\n"
"pacing (one of; default --timing):\n"
"  --pps N             N packets per second\n"
"  --mbps N            N Mbit/s, counting each frame's bytes as sent\n"
"    --ifg             ... plus 20 bytes of preamble and inter-frame gap\n"
"                      (--mbps 1000 --ifg: 1,488,095 pps of 64-byte frames)\n"
"    --fcs             ... plus 4 bytes of FCS (captures usually lack it)\n"
"  --timing            the capture's own timestamps\n"
"    --speed X         ... X times faster (0.001 .. 1000, default 1)\n"
"  --topspeed          as fast as the port takes them\n"
"\n"
"options:\n"
"  --port DEVARGS      the output: a vdev (net_pcap0,tx_pcap=out.pcap,\n"
"                      net_null0, net_af_packet0,iface=veth0,qdisc_bypass=1,\n"
"                      net_memif0,...) or a PCI address bound to DPDK\n"
"  --loop N            send the capture N times (default 1; 0: forever)\n"
"  --duration S        stop after S seconds\n"
"  --start-delay S     wait S seconds after the link is up before the\n"
"                      clock starts (a memif peer that polls late)\n"
"  --burst N           most packets per TX call (1..32; default 1 when\n"
"                      paced: every packet leaves at its own time, 32 at\n"
"                      --topspeed); a late sender catches up N at a time\n"
"  --lcore CPU         CPU of the TX lcore (default 1; main lcore on 0)\n"
"  --pad               pad records shorter than their wire length with\n"
"                      zeros (default: send them as captured)\n"
"  --stream            read the file while sending (captures larger than\n"
"                      memory): one copy per packet and loop\n"
"  --memory MB         EAL memory (default: what the preload needs)\n"
"  --hugepages         use hugepages (default --no-huge)\n"
"  --stats-interval S  print rates every S s (default 1, 0: off)\n"
"  --progress/--no-progress  a progress bar (default: when stdout is a TTY)\n"
"  -h, --help          this text\n"
"\n"
"EAL: --no-huge -m <auto> --file-prefix replay-<pid> --lcores 0@0,1@CPU\n"
"--vdev DEVARGS (net_*) or -a DEVARGS (PCI); anything after -- is added.\n"
"\n"
"report: per second, the achieved pps and Mbps; at the end, packets,\n"
"duration, achieved rate and its error, the departure-time error (TSC at\n"
"rte_eth_tx_burst minus the schedule: p50, p99, p99.9, max) and hiccups\n"
"(TX loop gaps over 10 us), then one line 'replay: key=value ...'.\n"
"\n"
"exit status: 0 ok; 1 run-time failure (EAL, port, memory); 2 bad\n"
"arguments or capture file (the message names the file).\n",
		prog);
}

static int
replay_bad(const struct replay_opts *o, const char *fmt, ...)
	__rte_format_printf(2, 3);

static int
replay_bad(const struct replay_opts *o, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", o->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try '%s --help'\n", o->prog);
	return -1;
}

static int
replay_num(const struct replay_opts *o, const char *name, const char *s,
	   double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(*v >= lo && *v <= hi))
		return replay_bad(o, "bad value '%s' for --%s: expected a "
				  "number from %g to %g", s, name, lo, hi);
	return 0;
}

enum {
	OPT_PORT = 256, OPT_PPS, OPT_MBPS, OPT_IFG, OPT_FCS, OPT_TIMING,
	OPT_SPEED, OPT_TOP, OPT_LOOP, OPT_DURATION, OPT_BURST, OPT_LCORE,
	OPT_PAD, OPT_STREAM, OPT_MEMORY, OPT_HUGE, OPT_STATS, OPT_PROGRESS,
	OPT_NO_PROGRESS, OPT_START_DELAY,
};

static int
replay_parse(int argc, char **argv, struct replay_opts *o)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, OPT_PORT },
		{ "pps", required_argument, NULL, OPT_PPS },
		{ "mbps", required_argument, NULL, OPT_MBPS },
		{ "ifg", no_argument, NULL, OPT_IFG },
		{ "fcs", no_argument, NULL, OPT_FCS },
		{ "timing", no_argument, NULL, OPT_TIMING },
		{ "speed", required_argument, NULL, OPT_SPEED },
		{ "topspeed", no_argument, NULL, OPT_TOP },
		{ "loop", required_argument, NULL, OPT_LOOP },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "burst", required_argument, NULL, OPT_BURST },
		{ "lcore", required_argument, NULL, OPT_LCORE },
		{ "pad", no_argument, NULL, OPT_PAD },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "hugepages", no_argument, NULL, OPT_HUGE },
		{ "stats-interval", required_argument, NULL, OPT_STATS },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "start-delay", required_argument, NULL, OPT_START_DELAY },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, split, n_modes = 0;
	bool speed_given = false, ifg_given = false;
	double v;

	memset(o, 0, sizeof(*o));
	o->prog = "ffwd replay";
	o->mode = PACER_TIMING;
	o->rate = 1;
	o->loops = 1;
	o->cpu = 1;
	o->stats_interval = -1;
	o->progress = -1;
	/* Everything after "--" is EAL's; getopt sees only what precedes. */
	for (split = 1; split < argc && strcmp(argv[split], "--") != 0; split++)
		;
	o->eal_argc = split < argc ? argc - split - 1 : 0;
	o->eal_argv = argv + split + 1;
	argc = split;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_PORT:
			o->port = optarg;
			break;
		case OPT_PPS:
			if (replay_num(o, "pps", optarg, 0.001, 1e12, &o->rate))
				return -1;
			o->mode = PACER_PPS;
			n_modes++;
			break;
		case OPT_MBPS:
			if (replay_num(o, "mbps", optarg, 1e-6, 1e9, &o->rate))
				return -1;
			o->mode = PACER_MBPS;
			n_modes++;
			break;
		case OPT_IFG:
			o->ifg = ifg_given = true;
			break;
		case OPT_FCS:
			o->fcs = ifg_given = true;
			break;
		case OPT_TIMING:
			o->mode = PACER_TIMING;
			n_modes++;
			break;
		case OPT_SPEED:
			if (replay_num(o, "speed", optarg, 0.001, 1000, &v))
				return -1;
			speed_given = true;
			o->rate = v;
			break;
		case OPT_TOP:
			o->mode = PACER_TOPSPEED;
			n_modes++;
			break;
		case OPT_LOOP:
			if (replay_num(o, "loop", optarg, 0, 1e15, &v) ||
			    v != floor(v))
				return replay_bad(o, "bad value '%s' for --loop: "
						  "expected a whole number (0: "
						  "forever)", optarg);
			o->loops = (uint64_t)v;
			break;
		case OPT_DURATION:
			if (replay_num(o, "duration", optarg, 1e-6, 1e9,
				       &o->duration_s))
				return -1;
			break;
		case OPT_BURST:
			if (replay_num(o, "burst", optarg, 1, PACER_BURST_MAX, &v) ||
			    v != floor(v))
				return replay_bad(o, "bad value '%s' for --burst: "
						  "expected 1..%d", optarg,
						  PACER_BURST_MAX);
			o->burst = (unsigned int)v;
			break;
		case OPT_LCORE:
			if (replay_num(o, "lcore", optarg, 0, RTE_MAX_LCORE - 1,
				       &v) || v != floor(v))
				return replay_bad(o, "bad value '%s' for --lcore: "
						  "expected a CPU number", optarg);
			o->cpu = (unsigned int)v;
			break;
		case OPT_PAD:
			o->pad = true;
			break;
		case OPT_STREAM:
			o->stream = true;
			break;
		case OPT_MEMORY:
			if (replay_num(o, "memory", optarg, 16, 1 << 24, &v))
				return -1;
			o->memory_mb = (unsigned int)v;
			break;
		case OPT_HUGE:
			o->hugepages = true;
			break;
		case OPT_STATS:
			if (replay_num(o, "stats-interval", optarg, 0, 86400,
				       &o->stats_interval))
				return -1;
			break;
		case OPT_PROGRESS:
			o->progress = 1;
			break;
		case OPT_NO_PROGRESS:
			o->progress = 0;
			break;
		case OPT_START_DELAY:
			if (replay_num(o, "start-delay", optarg, 0, 3600,
				       &o->start_delay_s))
				return -1;
			break;
		case 'h':
			replay_usage(stdout, o->prog);
			return 1;
		default:
			fprintf(stderr, "try '%s --help'\n", o->prog);
			return -1;
		}
	}
	if (optind < argc && o->file == NULL)
		o->file = argv[optind++];
	if (optind < argc)
		return replay_bad(o, "unexpected argument '%s' (EAL options "
				  "go after --)", argv[optind]);
	if (o->file == NULL)
		return replay_bad(o, "no capture file given");
	if (o->port == NULL)
		return replay_bad(o, "no --port DEVARGS given (e.g. --port "
				  "net_pcap0,tx_pcap=out.pcap)");
	if (n_modes > 1)
		return replay_bad(o, "--pps, --mbps, --timing and --topspeed "
				  "exclude each other");
	if (speed_given && o->mode != PACER_TIMING)
		return replay_bad(o, "--speed goes with --timing only");
	if (ifg_given && o->mode != PACER_MBPS)
		return replay_bad(o, "--ifg and --fcs go with --mbps only");
	if (o->burst == 0)
		o->burst = o->mode == PACER_TOPSPEED ? PACER_BURST_MAX : 1;
	if (o->stats_interval < 0)
		o->stats_interval = 1;
	return 0;
}

/* EAL's argv: strings live in store. */
struct replay_eal {
	int argc;
	char *argv[REPLAY_EAL_ARGS_MAX];
	char store[4096];
	size_t used;
};

static bool
replay_eal_push(struct replay_eal *e, const char *fmt, ...)
	__rte_format_printf(2, 3);

static bool
replay_eal_push(struct replay_eal *e, const char *fmt, ...)
{
	char *at = e->store + e->used;
	va_list ap;
	int n;

	if (e->argc >= REPLAY_EAL_ARGS_MAX - 1)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(at, sizeof(e->store) - e->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(e->store) - e->used)
		return false;
	e->used += n + 1;
	e->argv[e->argc++] = at;
	return true;
}

static int
replay_eal_build(struct replay_eal *e, const struct replay_opts *o,
		 unsigned int memory_mb)
{
	bool vdev = strncmp(o->port, "net_", 4) == 0;
	bool ok = true;
	int i;

	memset(e, 0, sizeof(*e));
	ok &= replay_eal_push(e, "ffwd-replay");
	ok &= replay_eal_push(e, "--file-prefix") &&
	      replay_eal_push(e, "replay-%d", (int)getpid());
	ok &= replay_eal_push(e, "--lcores") &&
	      replay_eal_push(e, "0@0,%u@%u", REPLAY_TX_LCORE, o->cpu);
	ok &= replay_eal_push(e, "--main-lcore") && replay_eal_push(e, "0");
	if (!o->hugepages)
		ok &= replay_eal_push(e, "--no-huge") && replay_eal_push(e, "-m") &&
		      replay_eal_push(e, "%u", memory_mb);
	ok &= replay_eal_push(e, vdev ? "--vdev" : "-a") &&
	      replay_eal_push(e, "%s", o->port);
	if (vdev)
		ok &= replay_eal_push(e, "--no-pci");
	ok &= replay_eal_push(e, "--log-level") &&
	      replay_eal_push(e, "lib.eal:warning");
	for (i = 0; i < o->eal_argc; i++)
		ok &= replay_eal_push(e, "%s", o->eal_argv[i]);
	return ok ? 0 : -1;
}

static void
replay_on_signal(int sig)
{
	(void)sig;
	replay_stop = 1;
}

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

/*
 * The one port EAL made from --port, set up by the port module as the
 * pipeline's are: one TX queue, and one RX queue where the port has any
 * (memif pairs its rings with the peer's and refuses a peer with more TX
 * rings than it has RX rings). That queue gets a pool of the port's own,
 * never the capture's: nothing here reads it, and net_af_xdp fills its
 * fill ring (and copies what it sends) from it.
 */
static int
replay_port_setup(const struct replay_opts *o, struct port *port,
		  struct conf_port *cp)
{
	struct rte_eth_dev_info info;
	char err[CONF_ERR_MAX];
	uint16_t pid;
	int ret;

	RTE_ETH_FOREACH_DEV(pid)
		break;
	if (pid >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(pid)) {
		fprintf(stderr, "%s: --port %s: no DPDK device came of it; "
			"expected a vdev (net_null0, net_pcap0,tx_pcap=FILE, ...) "
			"or a PCI address bound to a DPDK driver\n", o->prog,
			o->port);
		return -ENODEV;
	}
	memset(cp, 0, sizeof(*cp));
	snprintf(cp->name, sizeof(cp->name), "out");
	/* The ethdev's own name: the port module looks it up by that. */
	rte_eth_dev_get_name_by_port(pid, cp->dev);
	ret = rte_eth_dev_info_get(pid, &info);
	cp->rxq = ret == 0 && info.max_rx_queues > 0 ? 1 : 0;
	cp->txq = 1;
	cp->rxd = REPLAY_RXD;
	cp->txd = REPLAY_TXD;
	if (port_setup(port, "ffwd replay", cp, NULL, SOCKET_ID_ANY, err,
		       sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", o->prog, err);
		return -1;
	}
	return 0;
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

/* Microseconds from TSC cycles. */
static double
replay_us(uint64_t cycles, uint64_t hz)
{
	return (double)cycles * 1e6 / (double)hz;
}

struct replay_run {
	const struct replay_opts *o;
	struct capsrc_info info;
	struct pacer *pacer;
	struct capsrc *cap;
	struct capsrc_stream *stream;
	struct ffwd_ring *ring;
	struct rte_mempool *stream_pool;
	struct port port;		/**< its RX queue, unread */
	struct conf_port port_conf;
	uint64_t hz;
	uint64_t tsc0, tsc1;		/**< main lcore, around the run */
	double wall0, wall1;
	uint64_t overhead;
	struct rte_eth_stats port_stats;	/**< read when the pacer is done */
};

static int
replay_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	/* Best effort: a file that will not go leaves its folder behind,
	 * nothing worse, so the walk goes on. */
	remove(path);
	return 0;
}

/*
 * Stop EAL and remove its runtime folder: the file prefix is unique to
 * this process, so nothing else can use it, and a replay run from a test
 * loop would otherwise leave a folder per run under /var/run/dpdk. A
 * prefix given after "--" is left alone.
 */
static void
replay_eal_cleanup(void)
{
	char dir[PATH_MAX], want[64];
	size_t len, wlen;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	snprintf(want, sizeof(want), "/replay-%d", (int)getpid());
	rte_eal_cleanup();
	len = strlen(dir);
	wlen = strlen(want);
	if (len > wlen && strcmp(dir + len - wlen, want) == 0)
		nftw(dir, replay_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * The schedule starts when the pacer does: wait for the link first (a
 * memif is up once its peer has connected), or the first packets would
 * all be late. A link still down after REPLAY_LINK_WAIT_S is warned about
 * and sent to anyway: some drivers never report one.
 */
static void
replay_wait_link(const struct replay_run *r)
{
	struct rte_eth_link link;
	double start = mono_now();
	bool said = false;

	while (!replay_stop) {
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(r->port.id, &link) != 0 ||
		    link.link_status == RTE_ETH_LINK_UP)
			return;
		if (mono_now() - start >= REPLAY_LINK_WAIT_S) {
			fprintf(stderr, "%s: warning: %s: link still down after "
				"%d s; sending anyway\n", r->o->prog, r->o->port,
				REPLAY_LINK_WAIT_S);
			return;
		}
		if (!said) {
			fprintf(stderr, "%s: waiting up to %d s for %s to come "
				"up\n", r->o->prog, REPLAY_LINK_WAIT_S, r->o->port);
			said = true;
		}
		usleep(10000);
	}
}

static void
replay_port_stop(struct replay_run *r)
{
	port_close(&r->port);
}

/*
 * The main lcore while the pacer runs: feed the stream, print a line of
 * rates per interval and the progress bar, and pass a stop request on.
 * @return 0, or -1 if the stream broke (message printed).
 */
static int
replay_supervise(struct replay_run *r)
{
	const struct replay_opts *o = r->o;
	struct pacer *p = r->pacer;
	bool tty = o->progress < 0 ? isatty(STDOUT_FILENO) : o->progress;
	double start = mono_now(), last = start, last_bar = 0;
	uint64_t last_sent = 0, last_bytes = 0, bar_sent = 0, bar_bytes = 0;
	uint64_t total = o->loops ? o->loops * r->info.packets : 0;
	double pps = 0, mbps = 0;
	int ret = 0;

	while (!__atomic_load_n(&p->st.done, __ATOMIC_ACQUIRE)) {
		double t;
		int got = 0;

		if (r->stream != NULL && ret == 0 && !replay_stop) {
			got = capsrc_stream_poll(r->stream);
			if (got < 0 && got != -ENODATA) {
				fprintf(stderr, "%s\n", r->stream->err);
				ret = -1;
				replay_stop = 1;
			}
		}
		if (got <= 0)
			usleep(r->stream != NULL ? 100 : 10000);
		t = mono_now();
		if (o->stats_interval > 0 && t - last >= o->stats_interval) {
			uint64_t sent = pacer_read(&p->st.sent);
			uint64_t bytes = pacer_read(&p->st.bytes);
			uint64_t dp = sent - last_sent;
			double lpps = dp / (t - last);
			double lmbps = ((bytes - last_bytes) + dp * r->overhead) *
				       8 / (t - last) / 1e6;
			if (tty)
				fputs("\r\033[K", stdout);
			printf("[%9.2f s] %12.0f pps %12.3f Mbps  sent %" PRIu64
			       "  loops %" PRIu64 "\n", t - start, lpps, lmbps, sent,
			       r->stream != NULL ? r->stream->pass :
			       pacer_read(&p->st.loops));
			fflush(stdout);
			last = t;
			last_sent = sent;
			last_bytes = bytes;
		}
		if (tty && t - last_bar >= 0.2) {
			uint64_t sent = pacer_read(&p->st.sent);
			uint64_t bytes = pacer_read(&p->st.bytes);
			double frac = -1;

			/* the bar's own rate, over its 0.2 s refresh */
			if (last_bar > 0) {
				pps = (sent - bar_sent) / (t - last_bar);
				mbps = ((bytes - bar_bytes) +
					(sent - bar_sent) * r->overhead) * 8 /
				       (t - last_bar) / 1e6;
			}
			bar_sent = sent;
			bar_bytes = bytes;

			if (total != 0)
				frac = (double)sent / total;
			if (o->duration_s > 0)
				frac = RTE_MAX(frac, (t - start) / o->duration_s);
			replay_progress(stdout, RTE_MIN(frac, 1.0), pps, mbps,
					t - start);
			last_bar = t;
		}
	}
	if (tty)
		fputs("\r\033[K", stdout);
	return ret;
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

/*
 * The final report; @return 0 if every mbuf is back in its pool and the
 * port took at least one packet.
 */
static int
replay_report(struct replay_run *r, unsigned int pool_avail,
	      unsigned int pool_size)
{
	const struct replay_opts *o = r->o;
	const struct pacer *p = r->pacer;
	const struct pacer_stats *st = &p->st;
	double hz = (double)r->hz;
	double span = st->sent > 1 ? (st->last_tsc - st->first_tsc) / hz : 0;
	double pps = span > 0 ? (st->sent - 1) / span : 0;
	double bits = (double)(st->bytes + st->sent * r->overhead) * 8;
	double mbps = span > 0 ? (bits - st->last_bits) / span / 1e6 : 0;
	double achieved = NAN, err_pct = NAN, err_wall_pct, ppm;
	const struct pacer_hist *h = &p->dep;
	bool pool_ok = pool_avail == pool_size;
	char asked[64] = "-";

	switch (o->mode) {
	case PACER_PPS:
		achieved = pps;
		snprintf(asked, sizeof(asked), "%.3f pps", o->rate);
		break;
	case PACER_MBPS:
		/* the bits before the last packet, over first..last */
		achieved = mbps;
		snprintf(asked, sizeof(asked), "%.6f Mbps", o->rate);
		break;
	case PACER_TIMING:
		/* rate relative to the schedule: scheduled span / actual */
		if (span > 0 && st->last_due > st->first_due)
			achieved = o->rate * ((st->last_due - st->first_due) / hz) /
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
	const struct rte_eth_stats *es = &r->port_stats;

	printf("replay %s -> %s (%s%s)\n", o->file, o->port,
	       replay_mode_name(o->mode), o->stream ? ", streamed" : ", preloaded");
	printf("  capture:   %" PRIu64 " packets, %" PRIu64 " bytes, span %.6f s"
	       "%s; %" PRIu64 " empty skipped, %" PRIu64 " shorter than the wire"
	       " (%s)\n", r->info.packets, r->info.bytes, r->info.span_ns / 1e9,
	       r->info.max_len > r->info.seg_room ? ", chained mbufs" : "",
	       r->info.empty, r->info.short_recs,
	       o->pad ? "padded" : "sent as captured");
	printf("  sent:      %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
	       " loops, in %.6f s (first to last TX call)\n", st->sent,
	       st->bytes, r->stream != NULL ? r->stream->pass : st->loops, span);
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
	printf("  hiccups:   %" PRIu64 " TX loop gaps > %d us, max %.1f us\n",
	       st->hiccups, REPLAY_HICCUP_US, replay_us(st->hiccup_max, r->hz));
	if (st->hiccups != 0) {
		unsigned int b;

		printf("  hiccup gaps by size:");
		for (b = 0; b < RTE_DIM(p->hiccup_hist); b++)
			if (p->hiccup_hist[b] != 0)
				printf(" %s%u-%u us: %" PRIu64, b ? "" : "",
				       b ? 1u << b : 0, 2u << b,
				       p->hiccup_hist[b]);
		printf("\n");
	}
	printf("  tx:        %" PRIu64 " calls, %" PRIu64 " took fewer than "
	       "offered; port opackets %" PRIu64 " oerrors %" PRIu64 "\n",
	       st->tx_calls, st->tx_short, es->opackets, es->oerrors);
	printf("  clock:     TSC %.6f MHz measured (EAL says %.3f); TSC vs "
	       "CLOCK_MONOTONIC over the run %+.1f ppm\n", hz / 1e6,
	       rte_get_tsc_hz() / 1e6, ppm);
	printf("  pool:      %u/%u mbufs back%s\n", pool_avail, pool_size,
	       pool_ok ? "" : " (LEAK)");
	printf("replay: mode=%s sent=%" PRIu64 " bytes=%" PRIu64 " duration_s=%.6f"
	       " tsc_mhz=%.6f eal_mhz=%.6f"
	       " pps=%.3f mbps=%.3f rate_err_pct=%.6f rate_err_wall_pct=%.6f"
	       " dep_p50_us=%.3f"
	       " dep_p99_us=%.3f dep_p999_us=%.3f dep_max_us=%.3f hiccups=%"
	       PRIu64 " hiccup_max_us=%.1f tx_short=%" PRIu64 " tsc_ppm=%.1f"
	       " first_late_us=%.3f last_late_us=%.3f"
	       " pool=%u/%u status=%s\n", replay_mode_name(o->mode), st->sent,
	       st->bytes, span, hz / 1e6, rte_get_tsc_hz() / 1e6, pps, mbps, err_pct,
	       err_wall_pct,
	       replay_us(pacer_hist_quantile(h, 0.5), r->hz),
	       replay_us(pacer_hist_quantile(h, 0.99), r->hz),
	       replay_us(pacer_hist_quantile(h, 0.999), r->hz),
	       replay_us(h->max, r->hz), st->hiccups,
	       replay_us(st->hiccup_max, r->hz), st->tx_short, ppm,
	       replay_us(st->first_tsc - st->first_due, r->hz),
	       replay_us(st->last_tsc - st->last_due, r->hz), pool_avail,
	       pool_size, !pool_ok ? "leak" : st->sent == 0 ? "nothing-sent" :
	       "ok");
	fflush(stdout);
	if (st->sent == 0)
		fprintf(stderr, "%s: %s took no packet (%" PRIu64 " TX calls); "
			"expected a port that sends (a memif with a peer, a link "
			"that is up)\n", o->prog, o->port, st->tx_calls);
	return pool_ok && st->sent != 0 ? 0 : -1;
}

/* Memory EAL gets with --no-huge: the preload plus a fixed base. */
static unsigned int
replay_memory_mb(const struct replay_opts *o, const struct capsrc_info *info)
{
	uint64_t bytes;

	if (o->stream)
		bytes = (uint64_t)REPLAY_STREAM_MBUFS *
			(sizeof(struct rte_mbuf) + RTE_PKTMBUF_HEADROOM +
			 CAPSRC_SEG_ROOM_MAX + 64);
	else
		bytes = capsrc_preload_bytes(info);
	/* 4 KiB pages without hugepages: the pool may lose up to a third to
	 * objects that would straddle a page (measured: 2.3 KiB objects). */
	return (unsigned int)(REPLAY_BASE_MB + bytes * 3 / 2 / 1048576);
}

static int
replay_stream_setup(struct replay_run *r)
{
	const struct replay_opts *o = r->o;
	char name[32];

	/* No per-lcore cache: the reader's check of free mbufs is exact. */
	r->stream_pool = rte_pktmbuf_pool_create("replay_stream",
						 REPLAY_STREAM_MBUFS, 0, 0,
						 RTE_PKTMBUF_HEADROOM +
						 CAPSRC_SEG_ROOM_MAX,
						 rte_socket_id());
	snprintf(name, sizeof(name), "r%d", (int)getpid() % 100000);
	r->ring = ring_create("replay", name, REPLAY_STREAM_RING, rte_socket_id(),
			      NULL);
	r->stream = calloc(1, sizeof(*r->stream));
	if (r->stream_pool == NULL || r->ring == NULL || r->stream == NULL) {
		fprintf(stderr, "%s: %s: stream set-up failed: %s\n", o->prog,
			o->file, rte_strerror(rte_errno));
		return -1;
	}
	r->stream->file = o->file;
	r->stream->opts.pad = o->pad;
	r->stream->info = r->info;
	r->stream->pool = r->stream_pool;
	r->stream->ring = r->ring;
	r->stream->loops = o->loops;
	if (capsrc_stream_init(r->stream) != 0) {
		fprintf(stderr, "%s: %s\n", o->prog, r->stream->err);
		return -1;
	}
	r->pacer->ring = r->ring;
	r->pacer->ring_done = &r->stream->done;
	r->pacer->ts_field = r->stream->ts_field;
	/* Fill the ring before the clock starts. */
	while (capsrc_stream_poll(r->stream) > 0)
		;
	return 0;
}

int
replay_main(int argc, char **argv)
{
	struct replay_opts o;
	struct replay_run r;
	struct replay_eal eal;
	struct capsrc_opts copts;
	char err[CAPSRC_ERR_MAX];
	unsigned int memory_mb, avail = 0, size = 0;
	int ret, status = REPLAY_EXIT_RUNTIME;

	ret = replay_parse(argc, argv, &o);
	if (ret != 0)
		return ret > 0 ? REPLAY_EXIT_OK : REPLAY_EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	r.o = &o;
	copts.pad = o.pad;
	/* The whole file is read before EAL starts: a broken capture is an
	 * error naming it, before anything is set up. */
	if (capsrc_scan(o.file, &copts, &r.info, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", o.prog, err);
		return REPLAY_EXIT_USAGE;
	}
	if (!o.stream && r.info.segs > UINT32_MAX / 2) {
		fprintf(stderr, "%s: %s: %" PRIu64 " mbufs is more than one pool "
			"holds; expected --stream\n", o.prog, o.file, r.info.segs);
		return REPLAY_EXIT_USAGE;
	}
	memory_mb = replay_memory_mb(&o, &r.info);
	if (!o.stream && !o.hugepages) {
		uint64_t have = o.memory_mb ? o.memory_mb : replay_mem_available_mb();
		/* Given --memory, only the pool itself must fit: the user
		 * may know better than the margin; EAL says if not. */
		uint64_t need = o.memory_mb ?
			capsrc_preload_bytes(&r.info) / 1048576 + 32 : memory_mb;

		if (have != 0 && need > have) {
			memory_mb = (unsigned int)need;
			fprintf(stderr, "%s: %s: does not fit in memory: preloading "
				"%" PRIu64 " packets takes %u MiB, %" PRIu64 " MiB %s; "
				"expected a smaller capture, more --memory, or "
				"--stream\n", o.prog, o.file, r.info.packets,
				memory_mb, have,
				o.memory_mb ? "allowed by --memory" : "available");
			return REPLAY_EXIT_USAGE;
		}
	}
	if (o.memory_mb)
		memory_mb = o.memory_mb;
	if (replay_eal_build(&eal, &o, memory_mb) != 0) {
		fprintf(stderr, "%s: EAL arguments too long\n", o.prog);
		return REPLAY_EXIT_USAGE;
	}
	signal(SIGINT, replay_on_signal);
	signal(SIGTERM, replay_on_signal);
	/* A memif peer that goes away must not kill the sender: its
	 * control socket write then fails with EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
	if (rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr, "%s: EAL init failed: %s\n", o.prog,
			rte_strerror(rte_errno));
		return REPLAY_EXIT_RUNTIME;
	}
	if (!rte_lcore_is_enabled(REPLAY_TX_LCORE)) {
		fprintf(stderr, "%s: TX lcore %d is not enabled (--lcore %u)\n",
			o.prog, REPLAY_TX_LCORE, o.cpu);
		goto out_eal;
	}
	r.hz = pacer_calibrate_hz(REPLAY_CAL_S);
	r.overhead = (o.ifg ? 20 : 0) + (o.fcs ? 4 : 0);
	r.pacer = rte_zmalloc("replay_pacer", sizeof(*r.pacer), RTE_CACHE_LINE_SIZE);
	if (r.pacer == NULL) {
		fprintf(stderr, "%s: out of memory\n", o.prog);
		goto out_eal;
	}
	if (replay_port_setup(&o, &r.port, &r.port_conf) != 0)
		goto out_port;
	r.pacer->mode = o.mode;
	if (o.mode != PACER_TOPSPEED &&
	    pacer_sched_init(&r.pacer->sched, o.mode, o.rate, r.hz) != 0) {
		fprintf(stderr, "%s: rate %g out of range\n", o.prog, o.rate);
		goto out_port;
	}
	r.pacer->port_id = r.port.id;
	r.pacer->queue = 0;
	r.pacer->burst = o.burst;
	r.pacer->overhead = r.overhead;
	r.pacer->hz = r.hz;
	r.pacer->hiccup_cycles = r.hz / 1000000 * REPLAY_HICCUP_US;
	r.pacer->lead_cycles = r.hz / 1000000 * REPLAY_LEAD_US;
	r.pacer->duration_cycles = (uint64_t)(o.duration_s * r.hz);
	r.pacer->stop = &replay_stop;
	r.pacer->loops = o.loops;
	r.pacer->period_ns = r.info.period_ns;
	if (o.stream) {
		if (replay_stream_setup(&r) != 0)
			goto out_cap;
	} else {
		r.cap = capsrc_load(o.file, &copts, &r.info, rte_socket_id(), err,
				    sizeof(err));
		if (r.cap == NULL) {
			fprintf(stderr, "%s: %s\n", o.prog, err);
			status = rte_errno == EIO ? REPLAY_EXIT_USAGE :
						    REPLAY_EXIT_RUNTIME;
			goto out_cap;
		}
		r.pacer->pkts = r.cap->pkts;
		r.pacer->ts_ns = r.cap->ts_ns;
		r.pacer->n = r.cap->info.packets;
		r.pacer->chained = r.cap->chained;
	}
	if (r.info.max_len > r.info.seg_room) {
		struct rte_eth_dev_info di;

		if (rte_eth_dev_info_get(r.port.id, &di) == 0 &&
		    !(di.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS))
			fprintf(stderr, "%s: warning: %s has packets of up to %u "
				"bytes in chained mbufs, and port %s does not "
				"announce multi-segment TX\n", o.prog, o.file,
				r.info.max_len, o.port);
	}
	if (r.info.max_len > port_max_frame(&r.port)) {
		/* net_af_xdp copies a frame into one mbuf of its own from the
		 * first segment only: a longer one is read past its end. */
		bool unsafe = port_is_driver(&r.port_conf, "net_af_xdp");

		fprintf(stderr, "%s: %s: %s has frames of up to %u bytes, and port "
			"%s takes at most %u whole%s\n", o.prog,
			unsafe ? "error" : "warning", o.file, r.info.max_len, o.port,
			port_max_frame(&r.port),
			unsafe ? "; expected a capture without longer frames" :
			" (net_pcap writes the first 16128 bytes of a longer one)");
		if (unsafe) {
			status = REPLAY_EXIT_USAGE;
			goto out_cap;
		}
	}
	replay_wait_link(&r);
	if (o.start_delay_s > 0 && !replay_stop)
		usleep((useconds_t)(o.start_delay_s * 1e6));
	pacer_clock_pair(&r.tsc0, &r.wall0);
	ret = rte_eal_remote_launch(pacer_run, r.pacer, REPLAY_TX_LCORE);
	if (ret != 0) {
		fprintf(stderr, "%s: cannot launch the TX lcore: %s\n", o.prog,
			rte_strerror(-ret));
		goto out_cap;
	}
	ret = replay_supervise(&r);
	rte_eal_wait_lcore(REPLAY_TX_LCORE);
	pacer_clock_pair(&r.tsc1, &r.wall1);
	rte_eth_stats_get(r.port.id, &r.port_stats);
	/* Stopping the port flushes what its driver buffered (net_pcap's
	 * file) and frees what its TX ring still holds: after it, every
	 * reference the port took is dropped. */
	replay_port_stop(&r);
	if (r.stream != NULL) {
		void *m;

		capsrc_stream_close(r.stream);
		while (ring_dequeue(r.ring, &m) == 0)
			rte_pktmbuf_free(m);
		avail = rte_mempool_avail_count(r.stream_pool);
		size = r.stream_pool->size;
	} else {
		/* Each mbuf is back to our one reference: releasing the
		 * capture must bring every one back to the pool. */
		size = r.cap->pool->size;
		avail = capsrc_release(r.cap);
	}
	if (replay_report(&r, avail, size) != 0)
		status = REPLAY_EXIT_RUNTIME;
	else
		status = ret == 0 ? REPLAY_EXIT_OK : REPLAY_EXIT_USAGE;
out_cap:
	replay_port_stop(&r);
	capsrc_free(r.cap);
	if (r.stream != NULL)
		capsrc_stream_close(r.stream);
	free(r.stream);
	ring_free(r.ring);
	rte_mempool_free(r.stream_pool);
out_port:
	replay_port_stop(&r);
out_eal:
	rte_free(r.pacer);
	replay_eal_cleanup();
	return status;
}
