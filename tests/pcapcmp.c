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
 *   pcapcmp --per-flow [--loop] [--quiet] EXPECTED ACTUAL
 *
 * --per-flow compares flow by flow, for a pipeline that may reorder flows
 * against each other (a fleet) but never packets within one: both files
 * must hold the same packets (as a multiset), and within each flow the
 * same order. A flow is the bidirectional 5-tuple of TCP, UDP and SCTP
 * (both directions of a connection are one flow); an IP fragment belongs
 * to its datagram (addresses and identification); other IP by address
 * pair and protocol; anything else by MAC pair and EtherType. VLAN tags
 * are part of the key. The parser is this file's own, not the runtime's,
 * and never reads past a packet's captured length. --loop: ACTUAL is
 * EXPECTED sent in a loop and stopped anywhere: each of its flows must be
 * that flow's packets of EXPECTED, repeated, in order, cut anywhere.
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
		"       pcapcmp --per-flow [--loop] [--quiet] EXPECTED ACTUAL\n"
		"  Compare the packets of two captures (captured length and\n"
		"  bytes, in order; timestamps and wire length ignored).\n"
		"  --repeat N  ACTUAL holds EXPECTED's packets N times over (default 1)\n"
		"  --quiet     print nothing on stdout, only read errors on stderr\n"
		"  --per-flow  same packets as a multiset, same order within each\n"
		"              flow (bidirectional 5-tuple; fragments by datagram)\n"
		"  --loop      (with --per-flow) ACTUAL is EXPECTED looped, cut anywhere\n"
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

/* ---- --per-flow ---- */

#define FLOW_KEY_MAX 48

struct flow_pkt {
	uint8_t key[FLOW_KEY_MAX];
	uint8_t key_len;
	uint32_t caplen;
	uint64_t seq;		/**< position in its file, from 0 */
	u_char *data;
};

struct flow_file {
	struct flow_pkt *p;
	uint64_t n, cap;
};

/* Append LEN bytes of SRC to the key; 0 or -1 if it would not fit. */
static void
flow_put(struct flow_pkt *fp, const void *src, size_t len)
{
	if (fp->key_len + len > FLOW_KEY_MAX)
		return;
	memcpy(fp->key + fp->key_len, src, len);
	fp->key_len += len;
}

/* A and B (LEN bytes each) in a fixed order, so both directions agree. */
static void
flow_put_pair(struct flow_pkt *fp, const uint8_t *a, const uint8_t *b,
	      size_t len)
{
	if (memcmp(a, b, len) <= 0) {
		flow_put(fp, a, len);
		flow_put(fp, b, len);
	} else {
		flow_put(fp, b, len);
		flow_put(fp, a, len);
	}
}

/* Address+port endpoints, ordered as a pair. */
static void
flow_put_ends(struct flow_pkt *fp, const uint8_t *sa, const uint8_t *da,
	      size_t alen, const uint8_t *sp, const uint8_t *dp)
{
	uint8_t e1[18], e2[18];

	memcpy(e1, sa, alen);
	memcpy(e1 + alen, sp, 2);
	memcpy(e2, da, alen);
	memcpy(e2 + alen, dp, 2);
	flow_put_pair(fp, e1, e2, alen + 2);
}

static bool
flow_l4_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

/* The flow key of a captured frame P of LEN bytes. */
static void
flow_key(struct flow_pkt *fp, const u_char *p, uint32_t len)
{
	uint32_t off = 12;
	uint8_t tag;

	fp->key_len = 0;
	if (len < 14) {
		tag = 'r';	/* a runt: all runts are one "flow" */
		flow_put(fp, &tag, 1);
		return;
	}
	/* VLAN tags, kept in the key. */
	while (off + 4 <= len && ((p[off] == 0x81 && p[off + 1] == 0x00) ||
				  (p[off] == 0x88 && p[off + 1] == 0xa8) ||
				  (p[off] == 0x91 && p[off + 1] == 0x00))) {
		if (off + 6 > len)
			break;
		flow_put(fp, p + off + 2, 2);
		off += 4;
	}
	if (off + 2 <= len && p[off] == 0x08 && p[off + 1] == 0x00 &&
	    off + 2 + 20 <= len) {
		const u_char *ip = p + off + 2;
		uint32_t ihl = (ip[0] & 0x0f) * 4u, l4 = off + 2 + ihl;
		bool frag = ((ip[6] & 0x3f) | ip[7]) != 0;

		tag = '4';
		flow_put(fp, &tag, 1);
		flow_put(fp, ip + 9, 1);
		if (frag) {
			tag = 'f';
			flow_put(fp, &tag, 1);
			flow_put_pair(fp, ip + 12, ip + 16, 4);
			flow_put(fp, ip + 4, 2);	/* identification */
		} else if (ihl >= 20 && flow_l4_ports(ip[9]) && l4 + 4 <= len) {
			flow_put_ends(fp, ip + 12, ip + 16, 4, p + l4, p + l4 + 2);
		} else {
			flow_put_pair(fp, ip + 12, ip + 16, 4);
		}
		return;
	}
	if (off + 2 <= len && p[off] == 0x86 && p[off + 1] == 0xdd &&
	    off + 2 + 40 <= len) {
		const u_char *ip = p + off + 2;
		uint32_t at = off + 2 + 40;
		uint8_t nh = ip[6];
		int ext;

		tag = '6';
		flow_put(fp, &tag, 1);
		for (ext = 0; ext < 8; ext++) {
			if (nh == 44) {
				tag = 'f';
				flow_put(fp, &tag, 1);
				flow_put_pair(fp, ip + 8, ip + 24, 16);
				if (at + 8 <= len)
					flow_put(fp, p + at + 4, 4);	/* identification */
				return;
			}
			if (nh != 0 && nh != 43 && nh != 60)
				break;
			if (at + 8 > len) {
				tag = 'c';	/* cut inside its headers */
				flow_put(fp, &tag, 1);
				break;
			}
			nh = p[at];
			at += (p[at + 1] + 1u) * 8;
		}
		flow_put(fp, &nh, 1);
		if (flow_l4_ports(nh) && at + 4 <= len && fp->key[fp->key_len - 2] != 'c')
			flow_put_ends(fp, ip + 8, ip + 24, 16, p + at, p + at + 2);
		else
			flow_put_pair(fp, ip + 8, ip + 24, 16);
		return;
	}
	tag = 'e';
	flow_put(fp, &tag, 1);
	if (off + 2 <= len)
		flow_put(fp, p + off, 2);
	flow_put_pair(fp, p, p + 6, 6);
}

static int
flow_read(const char *name, struct flow_file *ff)
{
	struct pcapcmp_file f = { .name = name };
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int ret;

	if (pcapcmp_open(&f) < 0)
		return -1;
	while ((ret = pcapcmp_next(&f, &hdr, &data)) == 1) {
		struct flow_pkt *fp;

		if (ff->n == ff->cap) {
			ff->cap = ff->cap ? ff->cap * 2 : 1024;
			ff->p = realloc(ff->p, ff->cap * sizeof(*ff->p));
			if (ff->p == NULL) {
				fprintf(stderr, "pcapcmp: out of memory\n");
				exit(PCAPCMP_ERROR);
			}
		}
		fp = &ff->p[ff->n];
		fp->caplen = hdr->caplen;
		fp->seq = ff->n++;
		fp->data = malloc(hdr->caplen ? hdr->caplen : 1);
		if (fp->data == NULL) {
			fprintf(stderr, "pcapcmp: out of memory\n");
			exit(PCAPCMP_ERROR);
		}
		memcpy(fp->data, data, hdr->caplen);
		flow_key(fp, data, hdr->caplen);
	}
	pcapcmp_close(&f);
	return ret < 0 ? -1 : 0;
}

static int
flow_key_cmp(const struct flow_pkt *a, const struct flow_pkt *b)
{
	if (a->key_len != b->key_len)
		return a->key_len < b->key_len ? -1 : 1;
	return memcmp(a->key, b->key, a->key_len);
}

/* By flow, then by position: each flow's packets in file order. */
static int
flow_cmp(const void *x, const void *y)
{
	const struct flow_pkt *a = x, *b = y;
	int c = flow_key_cmp(a, b);

	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool
flow_same_pkt(const struct flow_pkt *a, const struct flow_pkt *b)
{
	return a->caplen == b->caplen && memcmp(a->data, b->data, a->caplen) == 0;
}

static int
pcapcmp_per_flow(const char *exp_name, const char *act_name, bool loop,
		 bool quiet)
{
	struct flow_file e = { 0 }, a = { 0 };
	uint64_t i = 0, j = 0, flows = 0;
	int ret = PCAPCMP_EQUAL;

	if (flow_read(exp_name, &e) < 0 || flow_read(act_name, &a) < 0)
		return PCAPCMP_ERROR;
	if (!loop && e.n != a.n) {
		if (!quiet)
			printf("pcapcmp: ACTUAL has %" PRIu64 " packets, expected %"
			       PRIu64 "\n", a.n, e.n);
		return PCAPCMP_DIFFER;
	}
	qsort(e.p, e.n, sizeof(*e.p), flow_cmp);
	qsort(a.p, a.n, sizeof(*a.p), flow_cmp);
	/* Walk both flow by flow. */
	while (ret == PCAPCMP_EQUAL && (i < e.n || j < a.n)) {
		uint64_t ei = i, aj = j, ne, na, k;
		int c;

		if (i == e.n)
			c = 1;
		else if (j == a.n)
			c = -1;
		else
			c = flow_key_cmp(&e.p[i], &a.p[j]);
		while (c <= 0 && i < e.n && flow_key_cmp(&e.p[i], &e.p[ei]) == 0)
			i++;
		while (c >= 0 && j < a.n && flow_key_cmp(&a.p[j], &a.p[aj]) == 0)
			j++;
		ne = i - ei;
		na = j - aj;
		flows += na != 0;
		if (c > 0) {
			if (!quiet)
				printf("pcapcmp: ACTUAL packet %" PRIu64 " is of a flow EXPECTED does not have\n",
				       a.p[aj].seq + 1);
			ret = PCAPCMP_DIFFER;
			break;
		}
		if (c < 0) {
			if (loop)
				continue; /* stopped before this flow came round */
			if (!quiet)
				printf("pcapcmp: EXPECTED packet %" PRIu64 "'s flow (%" PRIu64
				       " packets) is missing from ACTUAL\n", e.p[ei].seq + 1, ne);
			ret = PCAPCMP_DIFFER;
			break;
		}
		if (!loop && ne != na) {
			if (!quiet)
				printf("pcapcmp: the flow of EXPECTED packet %" PRIu64
				       " has %" PRIu64 " packets in ACTUAL, expected %" PRIu64 "\n",
				       e.p[ei].seq + 1, na, ne);
			ret = PCAPCMP_DIFFER;
			break;
		}
		for (k = 0; k < na; k++) {
			if (flow_same_pkt(&e.p[ei + k % ne], &a.p[aj + k]))
				continue;
			if (!quiet)
				printf("pcapcmp: the flow of EXPECTED packet %" PRIu64
				       ": its packet %" PRIu64 " in ACTUAL (packet %" PRIu64
				       ") is not the one expected there (EXPECTED packet %" PRIu64
				       "): lost, added or reordered\n", e.p[ei].seq + 1, k + 1,
				       a.p[aj + k].seq + 1, e.p[ei + k % ne].seq + 1);
			ret = PCAPCMP_DIFFER;
			break;
		}
	}
	if (ret == PCAPCMP_EQUAL && !quiet)
		printf("pcapcmp: %" PRIu64 " packets in %" PRIu64 " flows equal, per-flow order kept\n",
		       a.n, flows);
	for (i = 0; i < e.n; i++)
		free(e.p[i].data);
	for (j = 0; j < a.n; j++)
		free(a.p[j].data);
	free(e.p);
	free(a.p);
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "per-flow", no_argument, NULL, 'f' },
		{ "loop", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pcapcmp_file exp = { 0 }, act = { 0 };
	unsigned long repeat = 1;
	bool quiet = false, per_flow = false, loop = false;
	uint64_t n_exp;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "r:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			per_flow = true;
			break;
		case 'l':
			loop = true;
			break;
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
	if (loop && !per_flow) {
		fprintf(stderr, "pcapcmp: --loop goes with --per-flow\n");
		return PCAPCMP_ERROR;
	}
	if (per_flow)
		return pcapcmp_per_flow(exp.name, act.name, loop, quiet);

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
