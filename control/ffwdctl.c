/* SPDX-License-Identifier: BSD-3-Clause */
/* ffwdctl: the control plane's command line. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ffwdctl COMMAND [ARGS]\n"
"\n"
"Pipelines are named by their label (= DPDK file prefix); ffwdctl talks to\n"
"each through its DPDK telemetry socket, /var/run/dpdk/LABEL/ (root) or\n"
"$XDG_RUNTIME_DIR/dpdk/LABEL/, which only its owner can open.\n"
"\n"
"  list                       running pipelines: label, state, pid, cores\n"
"  status LABEL [--interval S]\n"
"                             stages and rings over S s (default 1) and a\n"
"                             verdict: the bottleneck, a stall, stolen cores\n"
"  top LABEL [--interval S] [--count N]\n"
"                             the same, live, every S s (N times; 0 = forever)\n"
"  stats LABEL --json         everything, as JSON (info, stages, rings, ports)\n"
"  export [--listen [ADDR:]PORT]\n"
"                             Prometheus text on http://ADDR:PORT/metrics for\n"
"                             every running pipeline (label=\"...\"); ADDR is\n"
"                             127.0.0.1 unless given (0.0.0.0 warns)\n"
"  export --once              the same text once, on stdout\n"
"  start CONF                 launch ffwd detached for CONF's label, after\n"
"                             checking that no running label holds its cores;\n"
"                             logs to the label's runtime dir (ffwd.log)\n"
"  stop LABEL                 drain and stop it, undo 'cores dedicate', print\n"
"                             the final counters; exit 3 if they do not add up\n"
"  cores audit LABEL|CONF     per dedicated CPU: isolcpus/nohz_full/rcu_nocbs,\n"
"                             cpuset, other tasks, IRQs, measured noise; with\n"
"                             what would fix each\n"
"  cores dedicate LABEL [--dry-run] [--cgroup-root DIR]\n"
"                             apply what can be applied at run time: stage\n"
"                             threads into the label's cpuset, every other\n"
"                             task, ffwd's own housekeeping threads and IRQs\n"
"                             off those CPUs; each change journaled first\n"
"                             (root; or only inside the cgroup subtree DIR\n"
"                             you own, IRQs then left alone); docs/CORES.md\n"
"  cores undo LABEL           put back what dedicate changed, from its journal\n"
"  capture LABEL PORT -w FILE [-c N] [-a duration:S] [FILTER]\n"
"                             RX and TX of the label's port PORT (its config\n"
"                             name) to FILE (pcapng) through dpdk-dumpcap,\n"
"                             behind the libpcap FILTER; the pipeline must\n"
"                             run on hugepages (pipeline.hugepages: true)\n"
"  scale LABEL FLEET N [--timeout S]\n"
"                             make N of a fleet's reserved lcores active (the\n"
"                             others park); flows move bucket by bucket, none\n"
"                             lost or reordered; waits until it is done\n"
"\n"
"exit status: 0 ok, 1 failure, 2 usage, 3 (stop) packets unaccounted for\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CTL_EXIT_USAGE : 0;
	}
	argc--;
	argv++;
	if (strcmp(argv[0], "list") == 0)
		return ctl_cmd_list(argc, argv);
	if (strcmp(argv[0], "status") == 0)
		return ctl_cmd_status(argc, argv);
	if (strcmp(argv[0], "top") == 0)
		return ctl_cmd_top(argc, argv);
	if (strcmp(argv[0], "stats") == 0)
		return ctl_cmd_stats(argc, argv);
	if (strcmp(argv[0], "export") == 0)
		return ctl_cmd_export(argc, argv);
	if (strcmp(argv[0], "start") == 0)
		return ctl_cmd_start(argc, argv);
	if (strcmp(argv[0], "stop") == 0)
		return ctl_cmd_stop(argc, argv);
	if (strcmp(argv[0], "cores") == 0)
		return ctl_cmd_cores(argc, argv);
	if (strcmp(argv[0], "capture") == 0)
		return ctl_cmd_capture(argc, argv);
	if (strcmp(argv[0], "scale") == 0)
		return ctl_cmd_scale(argc, argv);
	fprintf(stderr, "ffwdctl: unknown command '%s'; see ffwdctl --help\n", argv[0]);
	return CTL_EXIT_USAGE;
}
