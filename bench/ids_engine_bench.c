/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-ids-engine: the whole per-packet path of one IDS engine (decode,
 * flow table, reassembly, detection, records) on one core, for bench/ids.
 *
 *   bench-ids-engine RULES [--flows N] [--pkts N] [--rounds R] [--corpus DIR]
 *                    [--lookback BYTES]
 *
 * Traffic, preloaded in memory:
 *   64b:  64-byte TCP frames of N flows (default 65536): a handshake per
 *         flow, then round-robin over the flows 6 bytes of data from the
 *         client (in order: every one goes through reassembly and
 *         detection) and pure ACKs from the server, so that every packet is
 *         a flow-table hit on a table bigger than the caches;
 *   mix:  every classic pcap of the corpus (its pcaps/ folder), looped:
 *         mixed sizes, real payloads.
 * For each, R rounds (default 5) of at least --pkts packets; prints ns per
 * packet, Mpps and Gbit/s (wire bytes incl. 20 bytes of preamble and gap)
 * per round and the medians, and ends with
 *   result: ids-engine ns_64=... mpps_64=... ns_mix=... gbps_mix=...
 * The logger is drained between bursts on the same thread, as the
 * housekeeping lcore would; its cost is not in the figures.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eal.h>

#include "ids_engine.h"

struct trace {
	uint8_t **data;
	uint32_t *len;
	uint64_t n, cap, bytes;
};

static void
trace_add(struct trace *t, const uint8_t *d, uint32_t len)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->data = realloc(t->data, t->cap * sizeof(*t->data));
		t->len = realloc(t->len, t->cap * sizeof(*t->len));
	}
	t->data[t->n] = malloc(len);
	memcpy(t->data[t->n], d, len);
	t->len[t->n++] = len;
	t->bytes += len;
}

static uint32_t
tcp_frame(uint8_t *b, uint32_t flow, uint8_t flags, uint32_t seq, uint32_t ack,
	  bool from_client)
{
	uint8_t *ip = b + 14, *th = ip + 20;
	uint32_t c = 0x0a000000 | (flow & 0xffff), s = 0xc0a80001 | ((flow >> 16) << 8);
	uint16_t cp = (uint16_t)(1024 + (flow % 60000)), sp = 80;
	uint32_t sa = from_client ? c : s, da = from_client ? s : c;
	uint16_t spt = from_client ? cp : sp, dpt = from_client ? sp : cp;

	memset(b, 0, 64);
	b[12] = 0x08;
	ip[0] = 0x45;
	/* Client frames carry 6 bytes of data, the server's are pure ACKs
	 * (the 6 bytes are Ethernet padding). */
	ip[3] = from_client && flags == 0x18 ? 46 : 40;
	if (ip[3] == 46)
		memcpy(th + 20, "x=1&y=", 6);
	ip[8] = 64;
	ip[9] = 6;
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = (uint8_t)(sa >> (24 - 8 * i));
		ip[16 + i] = (uint8_t)(da >> (24 - 8 * i));
	}
	th[0] = (uint8_t)(spt >> 8); th[1] = (uint8_t)spt;
	th[2] = (uint8_t)(dpt >> 8); th[3] = (uint8_t)dpt;
	for (int i = 0; i < 4; i++) {
		th[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		th[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	th[12] = 0x50;
	th[13] = flags;
	th[14] = 0xff;
	return 60;		/* 64 on the wire with the FCS */
}

static void
make_64(struct trace *t, uint32_t flows, uint64_t pkts)
{
	uint8_t b[64];

	for (uint32_t f = 0; f < flows; f++) {
		trace_add(t, b, tcp_frame(b, f, 0x02, 1000, 0, true));
		trace_add(t, b, tcp_frame(b, f, 0x12, 5000, 1001, false));
		trace_add(t, b, tcp_frame(b, f, 0x10, 1001, 5001, true));
	}
	/* Round k: every flow's client sends its 6 next bytes, and on odd
	 * rounds the server acks them. */
	for (uint64_t i = 0; t->n < pkts; i++) {
		uint32_t f = (uint32_t)(i % flows), k = (uint32_t)(i / flows);
		uint32_t cseq = 1001 + 6 * (k / 2);

		if (k & 1)
			trace_add(t, b, tcp_frame(b, f, 0x10, 5001, cseq, false));
		else
			trace_add(t, b, tcp_frame(b, f, 0x18, cseq, 5001, true));
	}
}

static void
load_corpus(struct trace *t, const char *dir)
{
	char errbuf[PCAP_ERRBUF_SIZE], path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct pcap_pkthdr *h;
		const u_char *data;
		pcap_t *p;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			load_corpus(t, path);
			continue;
		}
		p = pcap_open_offline(path, errbuf);
		if (p == NULL)
			continue;
		if (pcap_datalink(p) == DLT_EN10MB)
			while (pcap_next_ex(p, &h, &data) == 1)
				if (h->caplen == h->len && h->caplen >= 14)
					trace_add(t, data, h->caplen);
		pcap_close(p);
	}
	closedir(d);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One run over T, looped to at least MIN packets: ns per packet. */
static int lookback = -1;	/* --lookback: the engine's default if < 0 */

static double
run(const struct ids_rules *r, const struct trace *t, uint64_t min,
    uint32_t flows, uint64_t *wire_bytes, uint64_t *npkts)
{
	struct ids_engine_conf c;
	struct ids_engine *e;
	struct ids_rec *recs[64];
	char err[512];
	uint64_t t0, t1, n = 0, ts = 1700000000ull * 1000000000ull;
	unsigned int k;

	ids_engine_conf_default(&c);
	c.flow.max_flows = flows + 1024;
	c.flow_records = false;
	if (lookback >= 0)
		c.stream.lookback = (uint16_t)lookback;
	e = ids_engine_create(&c, r, err, sizeof(err));
	if (e == NULL) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	*wire_bytes = 0;
	t0 = now_ns();
	while (n < min) {
		for (uint64_t i = 0; i < t->n; i++, n++) {
			ids_engine_packet(e, t->data[i], t->len[i], t->len[i],
					  ts + n * 1000, 0);
			*wire_bytes += t->len[i] + 4 + 20;
			if ((n & 31) == 31)
				while ((k = ids_recq_poll(ids_engine_recq(e), recs, 64)) > 0)
					ids_recq_done(ids_engine_recq(e), recs, k);
		}
	}
	t1 = now_ns();
	*npkts = n;
	ids_engine_free(e);
	return (double)(t1 - t0) / (double)n;
}

int
main(int argc, char **argv)
{
	const char *rules_file = NULL, *corpus = "../shared/corpus/pcaps";
	uint32_t flows = 65536;
	uint64_t pkts = 4000000;
	int rounds = 5;
	char err[512], prefix[64];
	struct ids_rules *r;
	struct trace t64 = { 0 }, tmix = { 0 };
	double ns64[32], nsmix[32], gb[32];
	char *eal[] = { argv[0], "--no-huge", "-m", "1024", "--no-pci",
			"--no-shconf", "--no-telemetry", "--file-prefix", prefix,
			"--log-level", "*:error", NULL };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--flows") && i + 1 < argc)
			flows = (uint32_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--pkts") && i + 1 < argc)
			pkts = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--lookback") && i + 1 < argc)
			lookback = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--corpus") && i + 1 < argc)
			corpus = argv[++i];
		else
			rules_file = argv[i];
	}
	if (rules_file == NULL || rounds < 1 || rounds > 32 || flows == 0) {
		fprintf(stderr, "usage: %s RULES [--flows N] [--pkts N] [--rounds R] "
			"[--corpus DIR]\n", argv[0]);
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "ids-bench-%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0)
		return 1;
	r = ids_rules_load(rules_file, &(struct ids_rules_opts){ .skip_unsupported = true },
			   err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	make_64(&t64, flows, (uint64_t)flows * 3 + 1000000);
	load_corpus(&tmix, corpus);
	printf("rules %u, 64-byte trace %lu frames over %u flows, corpus trace %lu "
	       "frames (%lu bytes)\n", ids_rules_count(r), (unsigned long)t64.n,
	       flows, (unsigned long)tmix.n, (unsigned long)tmix.bytes);
	printf("%-6s %10s %10s %10s %10s\n", "round", "ns_64", "mpps_64", "ns_mix",
	       "gbps_mix");
	for (int i = 0; i < rounds; i++) {
		uint64_t wb, np;

		ns64[i] = run(r, &t64, pkts, flows, &wb, &np);
		nsmix[i] = tmix.n ? run(r, &tmix, pkts / 4, 4096, &wb, &np) : 0;
		/* wb / packets = wire bytes per packet; bits per ns = Gbit/s */
		gb[i] = nsmix[i] > 0 ? (double)wb / (double)np * 8 / nsmix[i] : 0;
		printf("%-6d %10.1f %10.3f %10.1f %10.3f\n", i + 1, ns64[i],
		       1000.0 / ns64[i], nsmix[i], gb[i]);
	}
	qsort(ns64, (size_t)rounds, sizeof(double), cmp_d);
	qsort(nsmix, (size_t)rounds, sizeof(double), cmp_d);
	qsort(gb, (size_t)rounds, sizeof(double), cmp_d);
	printf("result: ids-engine ns_64=%.1f mpps_64=%.3f ns_mix=%.1f gbps_mix=%.3f\n",
	       ns64[rounds / 2], 1000.0 / ns64[rounds / 2], nsmix[rounds / 2],
	       gb[rounds / 2]);
	ids_rules_free(r);
	rte_eal_cleanup();
	return 0;
}
