/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd-ids-offline: `suricata -r` for ffwd's IDS. Parses the arguments,
 * starts a minimal EAL (no hugepages, no devices, a file prefix of its own)
 * and hands over to ids_offline_run(). Exit status: 0 done, 1 failure,
 * 2 bad arguments or rules.
 */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "ids_offline.h"

int
main(int argc, char **argv)
{
	struct ids_offline_opts o;
	char err[512], prefix[64], lcores[32], dir[PATH_MAX];
	cpu_set_t cs;
	int cpu = 0, rc;
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci",
			"--no-shconf", "--no-telemetry", "--file-prefix", prefix,
			"--lcores", lcores, "--log-level", "*:error", NULL };

	ids_offline_opts_default(&o);
	rc = ids_offline_parse(&o, argc - 1, argv + 1, err, sizeof(err));
	if (rc == 1) {
		ids_offline_usage(stdout, argv[0]);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", argv[0], err);
		return 2;
	}
	/* One lcore on a CPU we may run on. */
	if (sched_getaffinity(0, sizeof(cs), &cs) == 0)
		while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &cs))
			cpu++;
	snprintf(lcores, sizeof(lcores), "0@%d", cpu);
	snprintf(prefix, sizeof(prefix), "ids-offline-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "%s: EAL did not start\n", argv[0]);
		return 1;
	}
	rc = ids_offline_run(&o, stderr);
	/* The runtime folder is this process's alone (its prefix holds the
	 * pid) and, with --no-shconf, empty once EAL is cleaned up. */
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
	return rc;
}
