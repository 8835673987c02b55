/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-ids-detect: times ids_detect() (prefilter: one Hyperscan scan per
 * packet, then verification of the candidates) against the same rules
 * evaluated without the prefilter (every rule of the packet's group
 * verified, each content searched), on two traffic sets:
 *   mix: every Ethernet TCP/UDP/ICMP packet of the given captures, looped;
 *   64:  64-byte TCP frames (6 payload bytes) of 4096 flows.
 *
 *   bench-ids-detect RULES ROUNDS PCAP...
 *
 * Prints per round and set: ns/pkt with and without the prefilter and the
 * matches per packet (identical both ways, checked), then medians.
 * The packet decoder here is a minimal one of its own (the stage's
 * decoder is the other half of the ids stage).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ids_core.h"
#include "ids_detect.h"

struct pkt {
	struct ids_pkt p;
	uint8_t *data;
};

struct set {
	struct pkt *v;
	uint32_t n, cap;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Ethernet (802.1Q/QinQ), IPv4/IPv6, TCP/UDP/ICMP; false if not decodable. */
static bool
decode(const uint8_t *d, uint32_t len, struct ids_pkt *p)
{
	uint32_t o = 14;
	uint16_t et;

	memset(p, 0, sizeof(*p));
	if (len < 14)
		return false;
	et = (uint16_t)(d[12] << 8 | d[13]);
	while ((et == 0x8100 || et == 0x88a8) && len >= o + 4) {
		et = (uint16_t)(d[o + 2] << 8 | d[o + 3]);
		o += 4;
	}
	uint32_t l4, end = len;
	if (et == 0x0800) {
		if (len < o + 20 || (d[o] >> 4) != 4)
			return false;
		uint32_t ihl = (d[o] & 15u) * 4;
		uint32_t tot = (uint32_t)(d[o + 2] << 8 | d[o + 3]);
		if (ihl < 20 || len < o + ihl)
			return false;
		if (o + tot < end && tot >= ihl)
			end = o + tot;
		p->ip_version = 4;
		p->proto = d[o + 9];
		memcpy(p->src, d + o + 12, 4);
		memcpy(p->dst, d + o + 16, 4);
		l4 = o + ihl;
	} else if (et == 0x86dd) {
		if (len < o + 40)
			return false;
		p->ip_version = 6;
		p->proto = d[o + 6];
		memcpy(p->src, d + o + 8, 16);
		memcpy(p->dst, d + o + 24, 16);
		l4 = o + 40;
	} else {
		return false;
	}
	if (p->proto == IPPROTO_TCP) {
		if (end < l4 + 20)
			return false;
		uint32_t doff = (d[l4 + 12] >> 4) * 4u;
		if (doff < 20 || end < l4 + doff)
			return false;
		p->sport = (uint16_t)(d[l4] << 8 | d[l4 + 1]);
		p->dport = (uint16_t)(d[l4 + 2] << 8 | d[l4 + 3]);
		p->tcp_flags = d[l4 + 13];
		p->payload = d + l4 + doff;
		p->payload_len = end - l4 - doff;
	} else if (p->proto == IPPROTO_UDP) {
		if (end < l4 + 8)
			return false;
		p->sport = (uint16_t)(d[l4] << 8 | d[l4 + 1]);
		p->dport = (uint16_t)(d[l4 + 2] << 8 | d[l4 + 3]);
		p->payload = d + l4 + 8;
		p->payload_len = end - l4 - 8;
	} else {
		p->payload = d + l4;
		p->payload_len = end > l4 ? end - l4 : 0;
	}
	/* direction: the lower port is the server's */
	p->flags = p->dport <= p->sport ? IDS_PKT_TO_SERVER : IDS_PKT_TO_CLIENT;
	if (p->proto != IPPROTO_TCP || !(p->tcp_flags & IDS_TCP_SYN))
		p->flags |= IDS_FLOW_ESTABLISHED;
	else
		p->flags |= IDS_FLOW_NOT_ESTABLISHED;
	return true;
}

static int
set_add(struct set *s, const uint8_t *d, uint32_t len)
{
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 1024;
		struct pkt *v = realloc(s->v, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	struct pkt *k = &s->v[s->n];
	k->data = malloc(len ? len : 1);
	if (k->data == NULL)
		return -ENOMEM;
	memcpy(k->data, d, len);
	if (!decode(k->data, len, &k->p)) {
		free(k->data);
		return 0;
	}
	s->n++;
	return 0;
}

static void
load_pcap(struct set *s, const char *path)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline(path, eb);
	struct pcap_pkthdr *h;
	const u_char *d;

	if (pc == NULL)
		return;
	if (pcap_datalink(pc) == DLT_EN10MB)
		while (pcap_next_ex(pc, &h, &d) == 1)
			if (set_add(s, d, h->caplen) < 0)
				break;
	pcap_close(pc);
}

static void
make64(struct set *s)
{
	uint8_t f[60];
	uint64_t x = 0x2545F4914F6CDD1Dull;

	for (int k = 0; k < 4096; k++) {
		memset(f, 0, sizeof(f));
		f[12] = 0x08;
		f[14] = 0x45;
		f[16] = 0;
		f[17] = 46;
		f[22] = 64;
		f[23] = 6;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		memcpy(f + 26, &x, 4);	/* src */
		f[30] = 10; f[31] = 0; f[32] = (uint8_t)(k >> 8); f[33] = (uint8_t)k;
		uint16_t sport = (uint16_t)(1024 + (x >> 32) % 60000);
		static const uint16_t dports[] = { 80, 443, 53, 8080, 22, 5000 };
		uint16_t dport = dports[k % 6];
		f[34] = (uint8_t)(sport >> 8); f[35] = (uint8_t)sport;
		f[36] = (uint8_t)(dport >> 8); f[37] = (uint8_t)dport;
		f[46] = 0x50;
		f[47] = IDS_TCP_ACK | IDS_TCP_PSH;
		for (int j = 54; j < 60; j++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			f[j] = (uint8_t)x;
		}
		set_add(s, f, sizeof(f));
	}
}

typedef int (*detect_fn)(struct ids_detect_ctx *, const struct ids_rules *,
			 const struct ids_pkt *, struct ids_match *,
			 unsigned int);

/* ns per packet over at least min_pkts packets (looping the set). */
static double
timeit(detect_fn fn, struct ids_detect_ctx *c, const struct ids_rules *r,
       const struct set *s, uint32_t min_pkts, uint64_t *matches)
{
	struct ids_match m[64];
	uint64_t t0 = now_ns(), n = 0, hits = 0;

	while (n < min_pkts) {
		for (uint32_t k = 0; k < s->n; k++) {
			int x = fn(c, r, &s->v[k].p, m, 64);
			hits += x > 0 ? (uint64_t)x : 0;
		}
		n += s->n;
	}
	*matches = hits;
	return (double)(now_ns() - t0) / (double)n;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s RULES ROUNDS PCAP...\n", argv[0]);
		return 2;
	}
	char err[512];
	uint64_t t0 = now_ns();
	struct ids_rules *r = ids_rules_load(argv[1], NULL, err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	double load_ms = (double)(now_ns() - t0) / 1e6;
	int rounds = atoi(argv[2]);
	if (rounds < 1 || rounds > 99)
		rounds = 5;
	struct set mix = { 0 }, s64 = { 0 };
	for (int k = 3; k < argc; k++)
		load_pcap(&mix, argv[k]);
	make64(&s64);
	if (mix.n == 0) {
		fprintf(stderr, "no decodable packets in the captures\n");
		return 1;
	}
	uint64_t bytes = 0;
	for (uint32_t k = 0; k < mix.n; k++)
		bytes += mix.v[k].p.payload_len;
	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	if (c == NULL) {
		perror("ids_detect_ctx_create");
		return 1;
	}
	printf("rules %u (loaded and compiled in %.0f ms), mix %u packets "
	       "(%.0f payload bytes avg), 64: %u frames\n",
	       ids_rules_count(r), load_ms, mix.n, (double)bytes / mix.n, s64.n);

	const struct set *sets[2] = { &mix, &s64 };
	const char *names[2] = { "mix", "64" };
	double pf[2][100], full[2][100], ratio[2][100];
	for (int rd = 0; rd < rounds; rd++) {
		for (int si = 0; si < 2; si++) {
			uint64_t m1, m2;
			/* alternate which side runs first */
			double a, b;
			if (rd % 2 == 0) {
				a = timeit(ids_detect, c, r, sets[si], 200000, &m1);
				b = timeit(ids_detect_noprefilter, c, r, sets[si],
					   sets[si]->n, &m2);
			} else {
				b = timeit(ids_detect_noprefilter, c, r, sets[si],
					   sets[si]->n, &m2);
				a = timeit(ids_detect, c, r, sets[si], 200000, &m1);
			}
			/* m1 covers more loops than m2: compare per pass */
			uint64_t passes1 = (200000 + sets[si]->n - 1) / sets[si]->n;
			if (m1 / passes1 != m2) {
				fprintf(stderr, "matches differ on %s: %lu vs %lu\n",
					names[si], (unsigned long)(m1 / passes1),
					(unsigned long)m2);
				return 1;
			}
			pf[si][rd] = a;
			full[si][rd] = b;
			ratio[si][rd] = b / a;
			printf("round %d %-3s prefilter %9.1f ns/pkt  no-prefilter %11.1f ns/pkt  speedup %7.1f  matches/pkt %.3f\n",
			       rd + 1, names[si], a, b, b / a,
			       (double)m2 / sets[si]->n);
		}
	}
	const uint64_t *ctr = ids_detect_ctx_counters(c);
	printf("counters:");
	for (int k = 0; k < IDS_DC_MAX; k++)
		printf(" %s=%lu", ids_detect_counter_names[k], (unsigned long)ctr[k]);
	printf("\n");
	double pm = median(pf[0], rounds), p64 = median(pf[1], rounds);
	double fm = median(full[0], rounds), f64 = median(full[1], rounds);
	double sm = median(ratio[0], rounds), s64r = median(ratio[1], rounds);
	printf("median mix: prefilter %.1f ns/pkt, no-prefilter %.1f ns/pkt, speedup %.1f\n",
	       pm, fm, sm);
	printf("median 64:  prefilter %.1f ns/pkt, no-prefilter %.1f ns/pkt, speedup %.1f\n",
	       p64, f64, s64r);
	printf("figures: rules=%u speedup_mix=%.2f speedup_64=%.2f ns_mix=%.1f ns_64=%.1f full_mix=%.1f full_64=%.1f\n",
	       ids_rules_count(r), sm, s64r, pm, p64, fm, f64);
	ids_detect_ctx_free(c);
	ids_rules_free(r);
	return 0;
}
