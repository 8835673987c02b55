/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture: packets of a running pipeline's port, RX and TX, through
 * dpdk-dumpcap (Debian's dpdk package). ffwd calls rte_pdump_init(), so
 * dumpcap can attach as a DPDK secondary process of the label (its file
 * prefix) and have copies of what the port receives and sends written to
 * a pcapng file, behind a libpcap capture filter.
 *
 * A secondary process maps the primary's hugepages: a pipeline that runs
 * without them (pipeline.hugepages: false, --no-huge) has no
 * hugepage_info in its runtime directory and cannot be attached to; that
 * is said plainly rather than left to EAL's "is primary process running?".
 * Nor is a pipeline with a net_pcap port that writes a file: the
 * secondary's net_pcap would open that file again and truncate it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_DUMPCAP	"dpdk-dumpcap"
#define CTL_FILTER_MAX	1024

static int
capture_usage(void)
{
	fprintf(stderr,
		"usage: ffwdctl capture LABEL PORT -w FILE [-c N] [-a duration:S] [FILTER]\n"
		"  PORT is the config's port name; FILTER a libpcap filter (words\n"
		"  joined by spaces). RX and TX of the port go to FILE (pcapng).\n");
	return CTL_EXIT_USAGE;
}

/* The ethdev name of port `name` of the running label: dev up to ','. */
static int
capture_port_dev(const char *label, const char *name, char *dev, size_t len)
{
	char err[512];
	json_t *ports = ctl_query(label, "/ffwd/ports", err, sizeof(err));
	const char *k, *d;
	json_t *v;
	int ret = -ENOENT;

	if (ports == NULL) {
		fprintf(stderr, "ffwdctl: %s\n", err);
		return -ENODEV;
	}
	/* net_pcap in a secondary process opens its devargs' files again:
	 * a tx_pcap= file is truncated under the pipeline writing it. */
	json_object_foreach(ports, k, v) {
		d = ctl_str(v, "dev");
		if (strncmp(d, "net_pcap", 8) == 0 && strstr(d, "tx_pcap=") != NULL) {
			fprintf(stderr, "ffwdctl: label '%s': port '%s' writes a capture "
				"file (%s); dpdk-dumpcap would open it again as a DPDK "
				"secondary process and truncate it (net_pcap, DPDK "
				"22.11): not capturing; expected a pipeline whose ports "
				"write no tx_pcap= file\n", label, ctl_str(v, "name"), d);
			json_decref(ports);
			return -EBUSY;
		}
	}
	json_object_foreach(ports, k, v) {
		if (strcmp(ctl_str(v, "name"), name) != 0)
			continue;
		d = ctl_str(v, "dev");
		snprintf(dev, len, "%.*s", (int)strcspn(d, ","), d);
		ret = 0;
		break;
	}
	if (ret == -ENOENT) {
		fprintf(stderr, "ffwdctl: label '%s' has no port '%s'; its ports:", label,
			name);
		json_object_foreach(ports, k, v)
			fprintf(stderr, " %s", ctl_str(v, "name"));
		fputc('\n', stderr);
	}
	json_decref(ports);
	return ret;
}

int
ctl_cmd_capture(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "write", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'c' },
		{ "autostop", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	char dev[256], dir[PATH_MAX], path[PATH_MAX + 32], prefix[96];
	char filter[CTL_FILTER_MAX] = "";
	const char *file = NULL, *count = NULL, *autostop = NULL;
	const char *label, *port;
	char *args[16];
	size_t at = 0;
	int opt, n = 0;

	/* "capture LABEL PORT ...": options may follow the two names. */
	if (argc < 3)
		return capture_usage();
	label = argv[1];
	port = argv[2];
	if (!ctl_label_ok(label)) {
		fprintf(stderr, "ffwdctl: '%s' is not a label\n", label);
		return CTL_EXIT_USAGE;
	}
	optind = 3;
	while ((opt = getopt_long(argc, argv, "+w:c:a:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'w': file = optarg; break;
		case 'c': count = optarg; break;
		case 'a': autostop = optarg; break;
		default: return capture_usage();
		}
	}
	if (file == NULL)
		return capture_usage();
	if (count != NULL && strspn(count, "0123456789") != strlen(count)) {
		fprintf(stderr, "ffwdctl: -c %s: expected a packet count\n", count);
		return CTL_EXIT_USAGE;
	}
	for (; optind < argc; optind++) {
		int w = snprintf(filter + at, sizeof(filter) - at, "%s%s",
				 at ? " " : "", argv[optind]);

		if (w < 0 || (size_t)w >= sizeof(filter) - at) {
			fprintf(stderr, "ffwdctl: the filter is longer than %d bytes\n",
				CTL_FILTER_MAX - 1);
			return CTL_EXIT_USAGE;
		}
		at += w;
	}
	if (capture_port_dev(label, port, dev, sizeof(dev)) != 0)
		return 1;
	ctl_runtime_dir(label, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/hugepage_info", dir);
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "ffwdctl: label '%s' runs without hugepages "
			"(pipeline.hugepages: false): dpdk-dumpcap, a DPDK secondary "
			"process, can only attach to a pipeline whose memory is in "
			"hugepages; expected hugepages: true in its config\n", label);
		return 1;
	}
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", label);
	args[n++] = CTL_DUMPCAP;
	args[n++] = prefix;
	args[n++] = "-q";
	args[n++] = "-i";
	args[n++] = dev;
	args[n++] = "-w";
	args[n++] = (char *)file;
	if (count != NULL) {
		args[n++] = "-c";
		args[n++] = (char *)count;
	}
	if (autostop != NULL) {
		args[n++] = "-a";
		args[n++] = (char *)autostop;
	}
	if (filter[0] != '\0') {
		args[n++] = "-f";
		args[n++] = filter;
	}
	args[n] = NULL;
	fflush(stdout);
	execvp(CTL_DUMPCAP, args);
	fprintf(stderr, "ffwdctl: cannot run %s: %s; expected Debian's dpdk package\n",
		CTL_DUMPCAP, strerror(errno));
	return 1;
}
