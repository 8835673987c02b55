/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `ffwd ids -r PCAP -S RULES -l DIR [-k none|all] [--set KEY=VALUE]...`:
 * Suricata's offline mode, as a pipeline on the ffwd runtime. The command
 * line is parsed by the IDS library (the same keys `suricata -r` takes
 * that the IDS implements; an unknown --set key is an error), then a
 * pipeline is written to DIR/ffwd-ids.yaml:
 *
 *	capture (net_pcap, rx_pcap=PCAP) -> ids (capture time, pcap_cnt,
 *	eve: DIR/eve.json) -> sink
 *
 * and run like any config, stopping once the capture has been read. The
 * capture is checked here (libpcap reads its header: its link type goes to
 * the ids stage), so the pipeline's Ethernet-only capture check is off.
 * A capture that is not a regular file (a pipe, /dev/stdin) is copied to
 * DIR first, since net_pcap and the check both need to open it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getcpu() */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "ids_cmd.h"
#include "ids_offline.h"

#define IDS_CMD_ARGS 16

/* A capture that is not a regular file, copied to DIR/input.pcap. */
static int
ids_cmd_spool(const char *from, const char *dir, char *to, size_t len)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	snprintf(to, len, "%s/ffwd-ids-input.pcap", dir);
	in = strcmp(from, "-") == 0 ? STDIN_FILENO : open(from, O_RDONLY);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (out < 0) {
		if (in != STDIN_FILENO)
			close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (in != STDIN_FILENO)
		close(in);
	close(out);
	return n < 0 ? -EIO : 0;
}

/* Quoted for a YAML double-quoted scalar: paths are written as given. */
static void
ids_cmd_yq(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int
ids_cmd_args(int argc, char **argv, int *out_argc, char ***out_argv)
{
	static char yaml[PATH_MAX], cap[PATH_MAX];
	static char *args[IDS_CMD_ARGS];
	struct ids_offline_opts o;
	char err[1024], ebuf[PCAP_ERRBUF_SIZE];
	const char *pcap_file;
	struct stat st;
	unsigned int i;
	pcap_t *p;
	FILE *f;
	int ret, dlt, lcore_cpu;

	ids_offline_opts_default(&o);
	ret = ids_offline_parse(&o, argc - 1, argv + 1, err, sizeof(err));
	if (ret == 1) {
		ids_offline_usage(stdout, "ffwd ids");
		return 0;
	}
	if (ret != 0) {
		fprintf(stderr, "ffwd ids: %s\n", err);
		ids_offline_usage(stderr, "ffwd ids");
		return 2;
	}
	if (stat(o.logdir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ffwd ids: -l %s: %s, expected a folder\n", o.logdir,
			errno != 0 ? strerror(errno) : "not a folder");
		return 2;
	}
	pcap_file = o.pcap;
	if (strcmp(pcap_file, "-") == 0 || stat(pcap_file, &st) != 0 || !S_ISREG(st.st_mode)) {
		ret = ids_cmd_spool(pcap_file, o.logdir, cap, sizeof(cap));
		if (ret != 0) {
			fprintf(stderr, "ffwd ids: -r %s: %s\n", pcap_file, strerror(-ret));
			return 2;
		}
		pcap_file = cap;
	}
	p = pcap_open_offline(pcap_file, ebuf);
	if (p == NULL) {
		fprintf(stderr, "ffwd ids: -r %s: %s\n", o.pcap, ebuf);
		return 2;
	}
	dlt = pcap_datalink(p);
	pcap_close(p);
	/* One lcore, on a CPU this process may use, yielding when idle. */
	lcore_cpu = sched_getcpu();
	if (lcore_cpu < 0)
		lcore_cpu = 0;
	snprintf(yaml, sizeof(yaml), "%s/ffwd-ids.yaml", o.logdir);
	f = fopen(yaml, "w");
	if (f == NULL) {
		fprintf(stderr, "ffwd ids: %s: %s\n", yaml, strerror(errno));
		return 2;
	}
	fprintf(f, "# Written by ffwd ids: the pipeline of this run.\n"
		"pipeline: { label: ids%d, housekeeping: 0, memory: 256, mbufs: 4095,\n"
		"            mbuf_size: 10240, cpus: { 0: %d, 1: %d } }\n"
		"ports:\n  cap: { dev: ", (int)(getpid() % 100000), lcore_cpu, lcore_cpu);
	fprintf(f, "\"net_pcap0,rx_pcap=%s\" }\nstages:\n", pcap_file);
	fprintf(f, "  - { name: rx, kind: input, port: cap, lcore: 1, idle: yield }\n");
	fprintf(f, "  - name: ids\n    kind: ids\n    lcore: 1\n    idle: yield\n    rules: [");
	for (i = 0; i < o.nrules; i++) {
		fputs(i ? ", " : "", f);
		ids_cmd_yq(f, o.rules[i]);
	}
	fprintf(f, "]\n    eve: ");
	{
		char eve[PATH_MAX];

		snprintf(eve, sizeof(eve), "%s/eve.json", o.logdir);
		ids_cmd_yq(f, eve);
	}
	fprintf(f, "\n    mode: %s\n    link: %d\n    checksum: %s\n"
		"    capture_time: true\n    pcap_cnt: true\n    utc: %s\n"
		"    unsupported: %s\n    midstream: %s\n    async_oneside: %s\n"
		"    reassembly_depth: %lu\n    payload: %s\n    flow_records: %s\n",
		o.eng.mode == IDS_MODE_IPS ? "ips" : "ids", dlt,
		o.eng.csum == IDS_CSUM_ALL ? "all" : "none", o.utc ? "true" : "false",
		o.skip_unsupported ? "skip" : "error",
		o.eng.flow.midstream ? "true" : "false",
		o.eng.flow.async_oneside ? "true" : "false",
		(unsigned long)o.eng.stream.depth, o.eng.payload ? "true" : "false",
		o.eng.flow_records ? "true" : "false");
	fprintf(f, "    max_flows: %u\n", o.eng.flow.max_flows);
	if (o.stats_interval_s != 0)
		fprintf(f, "    stats_interval: %lu\n", (unsigned long)o.stats_interval_s);
	if (o.classification != NULL) {
		fprintf(f, "    classification: ");
		ids_cmd_yq(f, o.classification);
		fputc('\n', f);
	}
	fprintf(f, "  - { name: out, kind: sink, lcore: 1, idle: yield }\n");
	if (fclose(f) != 0) {
		fprintf(stderr, "ffwd ids: %s: %s\n", yaml, strerror(errno));
		return 2;
	}
	i = 0;
	args[i++] = argv[0];
	args[i++] = yaml;
	args[i++] = (char *)"--idle-exit";
	/* net_pcap says nothing at the end of its file: the run ends once
	 * the input has been quiet this long (a loaded machine can hold a
	 * yielding lcore off its CPU for tens of ms, so not less). */
	args[i++] = (char *)"1000";
	args[i++] = (char *)"--stats-interval";
	args[i++] = (char *)"0";
	args[i++] = (char *)"--link-wait";
	args[i++] = (char *)"0";
	args[i++] = (char *)"--no-capture-check";
	args[i] = NULL;
	*out_argc = (int)i;
	*out_argv = args;
	return -1;
}
