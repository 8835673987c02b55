/* SPDX-License-Identifier: BSD-3-Clause */
/* ffwd replay: its command line and usage text. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_getaffinity() */
#endif
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "replay_pvt.h"

static void
replay_usage(FILE *f, const char *prog)
{
	fprintf(f,
"usage: %s FILE --port DEVARGS [--port DEVARGS ...] [pacing] [options]\n"
"       [-- EAL options]\n"
"\n"
"Sends the capture FILE (pcap or pcapng, Ethernet) out of one DPDK port,\n"
"or dealt over several (packet i out of port i mod N, each port with its\n"
"own TX lcore): preloaded into mbufs and looped by reference count (no\n"
"copy per loop), each packet on an absolute TSC schedule so that errors\n"
"never accumulate. Over several ports it is one schedule: every packet\n"
"keeps its time in it, the rate asked is the total, and each port carries\n"
"its share (at --topspeed, each as fast as it takes them).\n"
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
"                      net_memif0,...) or a PCI address bound to DPDK;\n"
"                      up to %d times (a port per TX queue: net_af_xdp0,\n"
"                      iface=veth0,start_queue=0,queue_count=1 and\n"
"                      net_af_xdp1,iface=veth0,start_queue=1,queue_count=1)\n"
"  --loop N            send the capture N times (default 1; 0: forever)\n"
"  --duration S        stop after S seconds\n"
"  --start-delay S     wait S seconds after the link is up before the\n"
"                      clock starts (a memif peer that polls late)\n"
"  --burst N           most packets per TX call (1..32; default 1 when\n"
"                      paced: every packet leaves at its own time, 32 at\n"
"                      --topspeed); a late sender catches up N at a time\n"
"  --lcore CPU[,CPU..] CPU of each port's TX lcore, one per --port\n"
"                      (default 1 for one port; for N ports the CPUs this\n"
"                      process may use from the second on, wrapping: 1,0\n"
"                      on 2 CPUs; main lcore on 0)\n"
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
"EAL: --no-huge -m <auto> --file-prefix replay-<pid> --lcores 0@0,1@CPU,..\n"
"--vdev DEVARGS (net_*) or -a DEVARGS (PCI); anything after -- is added.\n"
"\n"
"The replay is a pipeline on ffwd's runtime (a `capture` input and a paced\n"
"`output`, both usable in YAML): `ffwdctl status replay-<pid>` shows it\n"
"while it runs, and its exit report has the runtime's accounting first.\n"
"\n"
"report: per second, the achieved pps and Mbps; at the end, packets,\n"
"duration, achieved rate and its error, the departure-time error (TSC at\n"
"rte_eth_tx_burst minus the schedule: p50, p99, p99.9, max) and hiccups\n"
"(TX loop gaps over 10 us), totals over the ports, a line per port when\n"
"there are several, then one line 'replay: key=value ...'.\n"
"\n"
"exit status: 0 ok; 1 run-time failure (EAL, port, memory); 2 bad\n"
"arguments or capture file (the message names the file); 3 packets or\n"
"mbufs unaccounted for; 4 the port failed to send some (oerrors,\n"
"status=port-loss).\n",
		prog, REPLAY_PORTS_MAX);
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

/* --lcore CPU[,CPU...]: o->cpus, *n of them. */
static int
replay_cpu_list(struct replay_opts *o, const char *arg, unsigned int *n)
{
	const char *s = arg;

	*n = 0;
	for (;;) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || end == s || *s == '-' || *s == '+' ||
		    v > RTE_MAX_LCORE - 1 || (*end != ',' && *end != '\0'))
			return replay_bad(o, "bad value '%s' for --lcore: expected "
					  "CPU numbers 0..%d separated by commas",
					  arg, RTE_MAX_LCORE - 1);
		if (*n == REPLAY_PORTS_MAX)
			return replay_bad(o, "bad value '%s' for --lcore: more than "
					  "%d CPUs (one per --port)", arg,
					  REPLAY_PORTS_MAX);
		o->cpus[(*n)++] = (unsigned int)v;
		if (*end == '\0')
			return 0;
		s = end + 1;
	}
}

/* Default CPUs for N ports: those this process may use, from the second
 * on (the main lcore is on 0), wrapping; CPU 1 for one port, as always. */
static void
replay_default_cpus(struct replay_opts *o)
{
	unsigned int have[REPLAY_PORTS_MAX + 1], n = 0, c, i;
	cpu_set_t set;

	if (o->n_ports == 1 ||
	    sched_getaffinity(0, sizeof(set), &set) != 0) {
		for (i = 0; i < o->n_ports; i++)
			o->cpus[i] = 1 + i;
		return;
	}
	for (c = 0; c < CPU_SETSIZE && c < RTE_MAX_LCORE &&
	     n < RTE_DIM(have); c++)
		if (CPU_ISSET(c, &set))
			have[n++] = c;
	for (i = 0; i < o->n_ports; i++)
		o->cpus[i] = n > 1 ? have[(1 + i) % n] : n == 1 ? have[0] : 1 + i;
}

enum {
	OPT_PORT = 256, OPT_PPS, OPT_MBPS, OPT_IFG, OPT_FCS, OPT_TIMING,
	OPT_SPEED, OPT_TOP, OPT_LOOP, OPT_DURATION, OPT_BURST, OPT_LCORE,
	OPT_PAD, OPT_STREAM, OPT_MEMORY, OPT_HUGE, OPT_STATS, OPT_PROGRESS,
	OPT_NO_PROGRESS, OPT_START_DELAY,
};

int
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
	unsigned int n_cpus = 0;
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
			if (o->n_ports == REPLAY_PORTS_MAX)
				return replay_bad(o, "more than %d --port given",
						  REPLAY_PORTS_MAX);
			o->ports[o->n_ports++] = optarg;
			o->port = o->ports[0];
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
			if (replay_cpu_list(o, optarg, &n_cpus) != 0)
				return -1;
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
	if (n_cpus != 0 && n_cpus != o->n_ports)
		return replay_bad(o, "--lcore gives %u CPU%s for %u --port: "
				  "expected one per port", n_cpus,
				  n_cpus == 1 ? "" : "s", o->n_ports);
	if (n_cpus == 0)
		replay_default_cpus(o);
	o->cpu = o->cpus[0];
	if (o->stream && o->n_ports > 1)
		return replay_bad(o, "--stream goes with one --port only (a "
				  "capture is dealt over ports from memory)");
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

