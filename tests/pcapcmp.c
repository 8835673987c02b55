/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapcmp: compare two captures packet by packet, in order: the captured
 * length and the captured bytes of each packet, and the link type of the
 * two files.
 *
 * Timestamps and the wire length ("len") are ignored on purpose: a
 * pcap-backed DPDK port stamps each packet with its send time and writes
 * len = caplen, so neither survives a trip through the pipeline.
 *
 *   pcapcmp [--repeat N] [--quiet] EXPECTED ACTUAL
 *
 * ACTUAL must hold EXPECTED's packets N times over (N defaults to 1; 0
 * means ACTUAL must be empty). The result goes to stdout: "pcapcmp: N
 * packets equal", or the first difference, packets numbered from 1 in
 * ACTUAL and bytes from 0. --quiet prints neither. Read errors go to
 * stderr, naming the file.
 *
 * Exit status: 0 equal, 1 different, 2 usage or read error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define PCAPCMP_EQUAL	0
#define PCAPCMP_DIFFER	1
#define PCAPCMP_ERROR	2

/** One open capture and where reading it has got to. */
struct pcapcmp_file {
	const char *name;	/**< as given, used in messages */
	pcap_t *pcap;
	uint64_t n_read;	/**< packets read since the last open */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: pcapcmp [--repeat N] [--quiet] EXPECTED ACTUAL\n"
		"  Compare the packets of two captures (captured length and\n"
		"  bytes, in order; timestamps and wire length ignored).\n"
		"  --repeat N  ACTUAL holds EXPECTED's packets N times over (default 1)\n"
		"  --quiet     print nothing on stdout, only read errors on stderr\n"
		"  Exit status: 0 equal, 1 different, 2 usage or read error.\n");
}

/** Open F->name; returns 0, or -1 with a message on stderr. */
static int
pcapcmp_open(struct pcapcmp_file *f)
{
	char errbuf[PCAP_ERRBUF_SIZE];

	errbuf[0] = '\0';
	f->pcap = pcap_open_offline(f->name, errbuf);
	if (f->pcap == NULL) {
		fprintf(stderr, "pcapcmp: %s: cannot read: %s\n", f->name,
			errbuf);
		return -1;
	}
	f->n_read = 0;
	return 0;
}

static void
pcapcmp_close(struct pcapcmp_file *f)
{
	if (f->pcap != NULL) {
		pcap_close(f->pcap);
		f->pcap = NULL;
	}
}

/**
 * Read the next packet of F.
 *
 * @return 1 with *HDR and *DATA set, 0 at the end of the file, -1 on a read
 *   error (message on stderr, naming the file and the packet).
 */
static int
pcapcmp_next(struct pcapcmp_file *f, struct pcap_pkthdr **hdr,
	     const u_char **data)
{
	int ret;

	ret = pcap_next_ex(f->pcap, hdr, data);
	if (ret == 1) {
		f->n_read++;
		return 1;
	}
	if (ret == PCAP_ERROR_BREAK)
		return 0;
	fprintf(stderr, "pcapcmp: %s: read error after %" PRIu64
		" packets: %s\n", f->name, f->n_read, pcap_geterr(f->pcap));
	return -1;
}

/**
 * Count the packets of F (opened and closed here), so that a short or
 * long ACTUAL can be reported with both totals.
 *
 * @return 0 with *COUNT set, or -1 on a read error.
 */
static int
pcapcmp_count(struct pcapcmp_file *f, uint64_t *count)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int ret;

	if (pcapcmp_open(f) < 0)
		return -1;
	while ((ret = pcapcmp_next(f, &hdr, &data)) == 1)
		;
	*count = f->n_read;
	pcapcmp_close(f);
	return ret < 0 ? -1 : 0;
}

/**
 * Read the rest of ACTUAL to report its true packet count.
 *
 * @return PCAPCMP_DIFFER, or PCAPCMP_ERROR on a read error.
 */
static int
pcapcmp_count_rest(struct pcapcmp_file *act, uint64_t expected, bool quiet)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int ret;

	while ((ret = pcapcmp_next(act, &hdr, &data)) == 1)
		;
	if (ret < 0)
		return PCAPCMP_ERROR;
	if (!quiet)
		printf("pcapcmp: ACTUAL has %" PRIu64 " packets, expected %"
		       PRIu64 "\n", act->n_read, expected);
	return PCAPCMP_DIFFER;
}

/**
 * Compare EXPECTED (N_EXP packets, read REPEAT times over) with ACTUAL.
 *
 * @return PCAPCMP_EQUAL, PCAPCMP_DIFFER or PCAPCMP_ERROR.
 */
static int
pcapcmp_run(struct pcapcmp_file *exp, struct pcapcmp_file *act,
	    uint64_t n_exp, unsigned long repeat, bool quiet)
{
	const uint64_t total = n_exp * repeat;
	struct pcap_pkthdr *eh, *ah;
	const u_char *ed, *ad;
	unsigned long round;
	uint32_t i;
	int ret;

	if (pcap_datalink(exp->pcap) != pcap_datalink(act->pcap)) {
		if (!quiet)
			printf("pcapcmp: link type %d vs %d\n",
			       pcap_datalink(exp->pcap),
			       pcap_datalink(act->pcap));
		return PCAPCMP_DIFFER;
	}

	for (round = 0; round < repeat; round++) {
		/* EXPECTED is open for round 0; reopen it for the others. */
		if (round > 0 && pcapcmp_open(exp) < 0)
			return PCAPCMP_ERROR;
		for (;;) {
			ret = pcapcmp_next(exp, &eh, &ed);
			if (ret < 0)
				return PCAPCMP_ERROR;
			if (ret == 0)
				break;
			ret = pcapcmp_next(act, &ah, &ad);
			if (ret < 0)
				return PCAPCMP_ERROR;
			if (ret == 0) {
				if (!quiet)
					printf("pcapcmp: ACTUAL has %" PRIu64
					       " packets, expected %" PRIu64
					       "\n", act->n_read, total);
				return PCAPCMP_DIFFER;
			}
			if (eh->caplen != ah->caplen) {
				if (!quiet)
					printf("pcapcmp: packet %" PRIu64
					       ": length %" PRIu32 " vs %"
					       PRIu32 "\n", act->n_read,
					       eh->caplen, ah->caplen);
				return PCAPCMP_DIFFER;
			}
			if (memcmp(ed, ad, eh->caplen) == 0)
				continue;
			for (i = 0; ed[i] == ad[i]; i++)
				;
			if (!quiet)
				printf("pcapcmp: packet %" PRIu64 ": byte %"
				       PRIu32 " differs (0x%02x vs 0x%02x)\n",
				       act->n_read, i, ed[i], ad[i]);
			return PCAPCMP_DIFFER;
		}
		pcapcmp_close(exp);
	}

	ret = pcapcmp_next(act, &ah, &ad);
	if (ret < 0)
		return PCAPCMP_ERROR;
	if (ret == 1)
		return pcapcmp_count_rest(act, total, quiet);
	if (!quiet)
		printf("pcapcmp: %" PRIu64 " packets equal\n", total);
	return PCAPCMP_EQUAL;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pcapcmp_file exp = { 0 }, act = { 0 };
	unsigned long repeat = 1;
	bool quiet = false;
	uint64_t n_exp;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "r:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			errno = 0;
			repeat = strtoul(optarg, &end, 10);
			/* strtoul() takes "-1"; a repeat count never starts
			 * with a sign. */
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-' || optarg[0] == '+' ||
			    repeat > UINT32_MAX) {
				fprintf(stderr, "pcapcmp: --repeat '%s' is not"
					" a count, expected an integer 0..%"
					PRIu32 "\n", optarg, UINT32_MAX);
				return PCAPCMP_ERROR;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return PCAPCMP_EQUAL;
		default:
			usage(stderr);
			return PCAPCMP_ERROR;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return PCAPCMP_ERROR;
	}
	exp.name = argv[optind];
	act.name = argv[optind + 1];

	/* Count first: a read error in EXPECTED is reported as such, never
	 * as a difference, and a short ACTUAL can be told the full total. */
	if (pcapcmp_count(&exp, &n_exp) < 0)
		return PCAPCMP_ERROR;
	if (pcapcmp_open(&exp) < 0)
		return PCAPCMP_ERROR;
	if (pcapcmp_open(&act) < 0) {
		pcapcmp_close(&exp);
		return PCAPCMP_ERROR;
	}
	ret = pcapcmp_run(&exp, &act, n_exp, repeat, quiet);
	pcapcmp_close(&exp);
	pcapcmp_close(&act);
	return ret;
}
