/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd: the command line. Reads and checks a pipeline config, then hands
 * it to the runtime (run.c: EAL, the stages on their lcores, stop on a
 * signal, when idle or after a time, drain, account for every packet).
 * `ffwd replay` and `ffwd ids` generate a pipeline and run it on the same
 * runtime; `ffwd attach` serves an external stage of a running one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "capfile.h"
#include "conf.h"
#include "ids_cmd.h"
#include "replay.h"
#include "run.h"
#include "stage.h"

struct opts {
	const char *file;
	bool check;
	double stats_interval;	/**< < 0: default (1 s on a TTY, else off) */
	unsigned int idle_exit_ms;
	unsigned int hiccup_us;	/**< 0: default */
	double duration_s;
	double link_wait_s;	/**< wait this long for links before starting */
	unsigned int start_delay_ms;	/**< then this long before launching */
	bool no_capture_check;	/**< the caller checked its captures (ffwd ids) */
	int eal_argc;		/**< extra EAL args after "--" */
	char **eal_argv;
};

/* Every registered kind, its role and keys: the runtime knows no other. */
static void
usage_kinds(FILE *f)
{
	static const char *const role[] = { "input", "app", "output" };
	const struct stage_ops *o = NULL;

	while ((o = stage_kind_next(o)) != NULL) {
		const char *h = o->help != NULL ? o->help : "";

		fprintf(f, "  %-10s %-6s %s\n", o->name, role[o->role],
			o->summary != NULL ? o->summary : "");
		/* Multi-line help is indented under the summary. */
		while (*h != '\0') {
			size_t len = strcspn(h, "\n");

			fprintf(f, "%20s%.*s\n", "", (int)len, h);
			h += len + (h[len] == '\n');
		}
	}
}

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
"usage: %s [-c] CONFIG [options] [-- EAL options]\n"
"       %s replay FILE --port DEVARGS [...]   (see: ffwd replay --help)\n"
"       %s ids -r PCAP -S RULES -l DIR [...]  (see: ffwd ids --help)\n"
"       %s attach LABEL STAGE [...] -- KIND-CONFIG (see: ffwd attach --help)\n"
"\n"
"Runs the packet pipeline described by CONFIG (YAML): input, application\n"
"and output stages on dedicated lcores, joined by FastForward rings where a\n"
"path moves from one lcore to the next, fused where stages share an lcore.\n"
"\n"
"options:\n"
"  -c, --config FILE        the pipeline config (or give it as the argument)\n"
"      --check              validate the config and its capture files; exit\n"
"                           0 if good, 2 with file:line:col: message if not\n"
"      --stats-interval S   print rates and ring backlogs every S seconds\n"
"                           (default: 1 when stdout is a terminal, else off;\n"
"                           0 turns it off)\n"
"      --idle-exit MS       stop once every input has been idle MS ms (after\n"
"                           its first packet, or MS ms after start if none)\n"
"      --duration S         stop after S seconds\n"
"      --hiccup-us US       a gap in a stage loop longer than US µs is a\n"
"                           hiccup (default 10)\n"
"      --link-wait S        before starting the stages, wait up to S s for\n"
"                           every port's link (memif/af_packet peers, NICs);\n"
"                           default 10, then run anyway, naming those down\n"
"      --start-delay MS     then wait MS ms more before the stages start (a\n"
"                           traffic source whose peer needs time to poll)\n"
"      --no-capture-check   do not read rx_pcap captures before EAL (the\n"
"                           caller did: ffwd ids, for non-Ethernet links)\n"
"  -h, --help               this text\n"
"\n"
"SIGHUP reloads every stage that can reload (a firewall's rules file)\n"
"without stopping traffic; a file that does not parse keeps the old rules.\n"
"\n"
"Stopping: SIGINT or SIGTERM stops the inputs, drains every ring in order,\n"
"flushes TX, stops the ports and prints per-port, per-stage, per-ring and\n"
"per-path counters. Every path must add up: received = sent + dropped (by\n"
"reason), every ring empty, every mbuf back in the pool.\n"
"\n"
"EAL: arguments come from the config: --file-prefix <label>, --lcores\n"
"lcore@cpu,... (pipeline.cpus; several lcores may share a CPU), --main-lcore\n"
"<housekeeping>, --no-huge -m <memory> unless pipeline.hugepages, --vdev for\n"
"each net_* port and -a for each PCI port. Anything after -- is added.\n"
"\n"
"config (YAML):\n"
"  pipeline: { label: NAME, housekeeping: 0, hugepages: false, memory: 512,\n"
"              mbufs: 8191, mbuf_size: 2176, ring_size: 1024,\n"
"              cpus: { LCORE: CPU, ... } }\n"
"  ports:    { NAME: { dev: DEVARGS, rxq: 1, txq: 1, rxd: 1024, txd: 1024,\n"
"                      mtu: N, rss: off|symmetric,\n"
"                      busy_budget: N, zero_copy: auto|off } }\n"
"            mtu: frames up to N + 18 bytes (Ethernet header, one VLAN tag);\n"
"            longer ones are dropped as oversize at the output; RX scatter\n"
"            when a frame needs more than one mbuf. rss: symmetric Toeplitz\n"
"            over IP/TCP/UDP, both directions of a flow on one queue.\n"
"            net_af_xdp only: busy_budget (SO_BUSY_POLL budget, 0: off;\n"
"            default the PMD's 64 where the kernel has it), zero_copy: off\n"
"            forces copy mode; rxq/txq > 1 sets its queue_count. Examples:\n"
"            conf/af_xdp.yaml.\n"
"  paths:    [ { name: NAME, stages: [ STAGE, ... ] } ]   (or stages: [...])\n"
"            bypass: off|fail-open|fail-closed, stall_ms: 100 on a path: while\n"
"            a stage between the input's and the output's lcore makes no\n"
"            progress for stall_ms with packets waiting (or an external\n"
"            stage has nothing attached), send the input straight to the\n"
"            output (counted as bypassed) or drop it (bypass_drop).\n"
"  STAGE:    { name: NAME, kind: KIND, lcore: N, idle: spin|yield,\n"
"              port: PORT, queue: Q   (kinds that take a port),\n"
"              and the kind's own keys (below) }\n"
"  A path starts with an input and ends with an output stage. Examples in conf/.\n"
"\n"
"exit status: 0 ok; 1 run-time failure; 2 bad config, capture file or\n"
"command line; 3 packets unaccounted for or mbufs missing at exit; 4 every\n"
"path adds up but ports lost packets (imissed, rx_nombuf, oerrors: the\n"
"summary says LOSS and names the ports).\n"
"\n"
"stage kinds:\n",
		prog, prog, prog, prog);
	usage_kinds(f);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "stats-interval", required_argument, NULL, 's' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "hiccup-us", required_argument, NULL, 'u' },
		{ "link-wait", required_argument, NULL, 'l' },
		{ "start-delay", required_argument, NULL, 'D' },
		{ "no-capture-check", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt, split;

	memset(o, 0, sizeof(*o));
	o->stats_interval = -1;
	o->link_wait_s = 10;
	/* Everything after "--" is EAL's; getopt sees only what precedes. */
	for (split = 1; split < argc && strcmp(argv[split], "--") != 0; split++)
		;
	o->eal_argc = split < argc ? argc - split - 1 : 0;
	o->eal_argv = argv + split + 1;
	argc = split;
	while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o->file = optarg;
			break;
		case 'k':
			o->check = true;
			break;
		case 's':
			o->stats_interval = strtod(optarg, &end);
			if (*end != '\0' || o->stats_interval < 0)
				goto bad_value;
			break;
		case 'i':
			o->idle_exit_ms = strtoul(optarg, &end, 10);
			if (*end != '\0' || o->idle_exit_ms == 0)
				goto bad_value;
			break;
		case 'd':
			o->duration_s = strtod(optarg, &end);
			if (*end != '\0' || o->duration_s <= 0)
				goto bad_value;
			break;
		case 'u':
			o->hiccup_us = strtoul(optarg, &end, 10);
			if (*end != '\0' || o->hiccup_us == 0)
				goto bad_value;
			break;
		case 'l':
			o->link_wait_s = strtod(optarg, &end);
			if (*end != '\0' || o->link_wait_s < 0)
				goto bad_value;
			break;
		case 'D':
			o->start_delay_ms = strtoul(optarg, &end, 10);
			if (*end != '\0')
				goto bad_value;
			break;
		case 'N':
			o->no_capture_check = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			exit(0);
		default:
			fprintf(stderr, "try '%s --help'\n", argv[0]);
			return -1;
		}
	}
	/* A bare argument is the config file. */
	if (optind < argc && o->file == NULL)
		o->file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'; EAL options go after --\n",
			argv[0], argv[optind]);
		return -1;
	}
	if (o->file == NULL) {
		fprintf(stderr, "%s: no config file; usage: %s CONFIG (see --help)\n",
			argv[0], argv[0]);
		return -1;
	}
	return 0;
bad_value:
	fprintf(stderr, "%s: bad value '%s' for --%s\n", argv[0], optarg,
		longopts[opt == 's' ? 2 : opt == 'i' ? 3 : opt == 'd' ? 4 :
			 opt == 'u' ? 5 : opt == 'l' ? 6 : 7].name);
	return -1;
}

int
main(int argc, char **argv)
{
	static struct conf conf;
	char err[CONF_ERR_MAX + 256];
	struct app_run_opts ro;
	struct opts o;
	int ret;

	/* "ffwd attach LABEL STAGE -- KIND-CONFIG": serve an external stage. */
	if (argc > 1 && strcmp(argv[1], "attach") == 0)
		return attach_main(argc - 1, argv + 1);
	/* "ffwd replay FILE --port DEVARGS ...": a generated pipeline. */
	if (argc > 1 && strcmp(argv[1], "replay") == 0)
		return replay_main(argc - 1, argv + 1);
	/* "ffwd ids -r PCAP ...": a generated pipeline, then the usual run. */
	if (argc > 1 && strcmp(argv[1], "ids") == 0) {
		ret = ids_cmd_args(argc - 1, argv + 1, &argc, &argv);
		if (ret >= 0)
			return ret;
	}
	if (parse_opts(argc, argv, &o) != 0)
		return APP_EXIT_CONFIG;
	if (conf_load(&conf, o.file, err, sizeof(err)) != 0 ||
	    (!o.no_capture_check &&
	     capfile_check_conf(&conf, stderr, err, sizeof(err)) != 0) ||
	    conf_check_kinds(&conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		conf_free(&conf);
		return APP_EXIT_CONFIG;
	}
	if (o.check) {
		printf("%s: ok\n", o.file);
		conf_free(&conf);
		return 0;
	}
	ro = (struct app_run_opts){
		.prog = argv[0],
		.name = o.file,
		.stats_interval = o.stats_interval,
		.idle_exit_ms = o.idle_exit_ms,
		.hiccup_us = o.hiccup_us,
		.duration_s = o.duration_s,
		.link_wait_s = o.link_wait_s,
		.start_delay_ms = o.start_delay_ms,
		.eal_argc = o.eal_argc,
		.eal_argv = o.eal_argv,
	};
	ret = app_run(&conf, &ro);
	conf_free(&conf);
	return ret;
}
