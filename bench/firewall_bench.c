/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-firewall: the measuring half of bench/firewall.
 *
 *   bench-firewall gen N DIR
 *       ClassBench-style rule set of N IPv4 rules and a trace of matching
 *       5-tuples: DIR/acl-N.rules and DIR/trace-N.txt in dpdk-test-acl's
 *       formats, DIR/fw-N.rules in ffwd's.
 *   bench-firewall acl DIR N ITER [EAL args]
 *       ffwd's firewall stage over the trace, built into Ethernet/IPv4
 *       mbufs: prints "ffwd_acl cycles/pkt=X".
 *   bench-firewall bpf EXPR NPKTS ITER [EAL args]
 *       the expression through the stage (JIT) and through libpcap's
 *       pcap_offline_filter() on the same packets, alternately: prints
 *       "bpf ffwd_ns=X libpcap_ns=Y matched=A/B".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "firewall_core.h"

#define BURST 32

/* xorshift64*: deterministic rule sets and traces across runs. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

struct brule {
	uint32_t src, dst;
	uint8_t slen, dlen;
	uint16_t sp_lo, sp_hi, dp_lo, dp_hi;
	uint8_t proto;	/* 0: any */
};

/* Prefix lengths shaped like ClassBench's acl seeds: mostly long, some
 * wildcards. */
static uint8_t
gen_plen(void)
{
	uint32_t x = rnd() % 100;

	if (x < 8)
		return 0;
	if (x < 18)
		return (uint8_t)(8 + rnd() % 9);
	if (x < 50)
		return (uint8_t)(16 + rnd() % 9);
	return (uint8_t)(24 + rnd() % 9);
}

static void
gen_rule(struct brule *r)
{
	static const uint16_t well_known[] = { 20, 21, 22, 23, 25, 53, 80, 110,
					       123, 143, 161, 443, 993, 3306,
					       5060, 8080 };
	uint32_t x;

	r->slen = gen_plen();
	r->dlen = gen_plen();
	r->src = r->slen != 0 ? rnd() & (~0u << (32 - r->slen)) : 0;
	r->dst = r->dlen != 0 ? rnd() & (~0u << (32 - r->dlen)) : 0;
	x = rnd() % 100;
	r->sp_lo = 0;
	r->sp_hi = 65535;
	if (x >= 80 && x < 90) {
		r->sp_lo = r->sp_hi = (uint16_t)(1024 + rnd() % 64000);
	} else if (x >= 90) {
		r->sp_lo = 1024;
	}
	x = rnd() % 100;
	if (x < 40) {
		r->dp_lo = r->dp_hi = well_known[rnd() % RTE_DIM(well_known)];
	} else if (x < 70) {
		r->dp_lo = (uint16_t)(rnd() % 60000);
		r->dp_hi = (uint16_t)(r->dp_lo + 1 + rnd() % 1000);
	} else {
		r->dp_lo = 0;
		r->dp_hi = 65535;
	}
	x = rnd() % 100;
	r->proto = x < 45 ? IPPROTO_TCP : x < 80 ? IPPROTO_UDP : 0;
}

static char *
ip4(uint32_t a, char *buf)
{
	uint32_t n = htonl(a);

	inet_ntop(AF_INET, &n, buf, INET_ADDRSTRLEN);
	return buf;
}

static int
gen(unsigned int n, const char *dir)
{
	char path[4096], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct brule *r = calloc(n, sizeof(*r));
	FILE *acl, *fw, *tr;
	unsigned int i;

	if (r == NULL)
		return 1;
	rng = 0x9e3779b97f4a7c15ull ^ n;
	snprintf(path, sizeof(path), "%s/acl-%u.rules", dir, n);
	acl = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/fw-%u.rules", dir, n);
	fw = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/trace-%u.txt", dir, n);
	tr = fopen(path, "w");
	if (acl == NULL || fw == NULL || tr == NULL)
		return 1;
	/* Every rule allows, so that the stage frees nothing and the same
	 * mbufs go round again: the cost is classification, not the pool. */
	fprintf(fw, "# %u ClassBench-style rules, bench/firewall\ndefault allow\n", n);
	for (i = 0; i < n; i++) {
		gen_rule(&r[i]);
		fprintf(acl, "@%s/%u %s/%u %u : %u %u : %u 0x%02x/0x%02x\n",
			ip4(r[i].src, a), r[i].slen, ip4(r[i].dst, b), r[i].dlen,
			r[i].sp_lo, r[i].sp_hi, r[i].dp_lo, r[i].dp_hi, r[i].proto,
			r[i].proto != 0 ? 0xff : 0);
		fprintf(fw, "allow%s%s src %s/%u dst %s/%u sport %u-%u dport %u-%u\n",
			r[i].proto != 0 ? " proto " : "",
			r[i].proto == IPPROTO_TCP ? "tcp" :
			r[i].proto == IPPROTO_UDP ? "udp" : "",
			ip4(r[i].src, a), r[i].slen, ip4(r[i].dst, b), r[i].dlen,
			r[i].sp_lo, r[i].sp_hi, r[i].dp_lo, r[i].dp_hi);
	}
	/* Trace: 8192 headers, each inside a random rule (ClassBench's
	 * trace generator picks points in rules too), 5% random. */
	for (i = 0; i < 8192; i++) {
		const struct brule *x = &r[rnd() % n];
		uint32_t src = rnd(), dst = rnd();
		uint16_t sp = (uint16_t)rnd(), dp = (uint16_t)rnd();
		uint8_t proto = rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;

		if (rnd() % 100 >= 5) {
			if (x->slen != 0)
				src = x->src | (src & ~(~0u << (32 - x->slen)));
			if (x->dlen != 0)
				dst = x->dst | (dst & ~(~0u << (32 - x->dlen)));
			sp = (uint16_t)(x->sp_lo + rnd() % (x->sp_hi - x->sp_lo + 1u));
			dp = (uint16_t)(x->dp_lo + rnd() % (x->dp_hi - x->dp_lo + 1u));
			if (x->proto != 0)
				proto = x->proto;
		}
		fprintf(tr, "0x%08x 0x%08x %u %u %u\n", src, dst, sp, dp, proto);
	}
	fclose(acl);
	fclose(fw);
	fclose(tr);
	free(r);
	return 0;
}

/* A 64-byte Ethernet/IPv4/TCP|UDP frame for a 5-tuple. */
static void
frame(uint8_t *p, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
      uint8_t proto, uint8_t tcp_flags)
{
	memset(p, 0, 64);
	memcpy(p, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00", 14);
	p[14] = 0x45;
	p[17] = 50;
	p[22] = 64;
	p[23] = proto;
	src = htonl(src);
	dst = htonl(dst);
	memcpy(p + 26, &src, 4);
	memcpy(p + 30, &dst, 4);
	p[34] = sp >> 8;
	p[35] = sp & 0xff;
	p[36] = dp >> 8;
	p[37] = dp & 0xff;
	if (proto == IPPROTO_TCP) {
		p[46] = 0x50;
		p[47] = tcp_flags;
	}
}

static struct rte_mempool *
mk_pool(unsigned int n)
{
	return rte_pktmbuf_pool_create("bench", n, 0, 0, 256 + RTE_PKTMBUF_HEADROOM,
				       rte_socket_id());
}

static int
bench_acl(const char *dir, unsigned int n, unsigned int iter)
{
	char path[4096], err[512], line[256];
	struct rte_mbuf **pkts;
	struct rte_mempool *mp;
	struct fw_stage *st;
	struct fw_rules *r;
	unsigned int np = 0, it, i;
	uint64_t drops[FW_DROP_MAX] = { 0 }, t0, t1, passed = 0;
	uint64_t t_stage = 0, t_keys = 0;
	struct fw_key4 *keys;
	const uint8_t **kp;
	struct rte_acl_ctx *ctx;
	uint32_t res[BURST];
	double build_ms;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fw-%u.rules", dir, n);
	t0 = rte_rdtsc();
	r = fw_rules_load(path, err, sizeof(err));
	t1 = rte_rdtsc();
	if (r == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	build_ms = (double)(t1 - t0) * 1e3 / rte_get_tsc_hz();
	st = fw_stage_create("bench", r, 0);
	snprintf(path, sizeof(path), "%s/trace-%u.txt", dir, n);
	f = fopen(path, "r");
	mp = mk_pool(8192 + 64);
	pkts = calloc(8192, sizeof(*pkts));
	if (st == NULL || f == NULL || mp == NULL || pkts == NULL)
		return 1;
	while (np < 8192 && fgets(line, sizeof(line), f) != NULL) {
		unsigned int src, dst, sp, dp, proto;
		uint8_t *d;

		if (sscanf(line, "%x %x %u %u %u", &src, &dst, &sp, &dp, &proto) != 5)
			continue;
		pkts[np] = rte_pktmbuf_alloc(mp);
		if (pkts[np] == NULL)
			return 1;
		d = (uint8_t *)rte_pktmbuf_append(pkts[np], 64);
		if (d == NULL)
			return 1;
		frame(d, src, dst, (uint16_t)sp, (uint16_t)dp, (uint8_t)proto, 0x10);
		np++;
	}
	fclose(f);
	/* The same tuples as dpdk-test-acl classifies them: keys already
	 * parsed, no mbufs. Timed alternately with the stage, in this
	 * process, it shows what the stage adds to rte_acl_classify(). */
	keys = calloc(np, sizeof(*keys));
	kp = calloc(np, sizeof(*kp));
	if (keys == NULL || kp == NULL)
		return 1;
	for (i = 0; i < np; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);

		keys[i].proto = d[23];
		memcpy(&keys[i].src, d + 26, 8);
		memcpy(&keys[i].sport, d + 34, 4);
		kp[i] = (const uint8_t *)&keys[i];
	}
	ctx = r->acl[0][1];
	/* One warm-up pass, then the timed ones. */
	for (it = 0; it <= iter; it++) {
		uint64_t a = rte_rdtsc_precise(), b;

		for (i = 0; i + BURST <= np; i += BURST)
			passed += fw_stage_burst(st, pkts + i, BURST, drops);
		b = rte_rdtsc_precise();
		for (i = 0; i + BURST <= np; i += BURST)
			rte_acl_classify(ctx, kp + i, res, BURST, 1);
		t1 = rte_rdtsc_precise();
		if (it != 0) {
			t_stage += b - a;
			t_keys += t1 - b;
		}
	}
	printf("ffwd_acl rules=%u pkts=%u iter=%u build_ms=%.1f cycles/pkt=%.2f acl_only_cycles/pkt=%.2f tsc_hz=%lu passed=%lu dropped=%lu\n",
	       n, np, iter, build_ms,
	       (double)t_stage / ((double)iter * (np / BURST * BURST)),
	       (double)t_keys / ((double)iter * (np / BURST * BURST)),
	       rte_get_tsc_hz(), passed, drops[FW_DROP_RULE] + drops[FW_DROP_DEFAULT]);
	free(keys);
	free(kp);
	fw_stage_free(st);
	rte_pktmbuf_free_bulk(pkts, np);
	free(pkts);
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
bench_bpf(const char *expr, unsigned int np, unsigned int iter)
{
	char text[1024], err[512];
	struct rte_mbuf **pkts = calloc(np, sizeof(*pkts));
	struct pcap_pkthdr *hdr = calloc(np, sizeof(*hdr));
	struct bpf_program prog;
	struct rte_mempool *mp;
	struct fw_stage *st;
	struct fw_rules *r;
	uint64_t drops[FW_DROP_MAX] = { 0 }, t0, ours = 0, theirs = 0;
	uint64_t *t_ours, *t_pcap;
	unsigned int i, it, m_ours = 0, m_pcap = 0;
	pcap_t *pc;

	snprintf(text, sizeof(text), "default allow\nmalformed classify\nallow name f bpf \"%s\"\n", expr);
	r = fw_rules_parse("bench", text, err, sizeof(err));
	if (r == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!fw_rules_jitted(r))
		fprintf(stderr, "warning: the filter runs interpreted\n");
	st = fw_stage_create("bench", r, 0);
	pc = pcap_open_dead(DLT_EN10MB, 262144);
	mp = mk_pool(np + 64);
	if (st == NULL || pc == NULL || mp == NULL || pkts == NULL || hdr == NULL ||
	    pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0)
		return 1;
	rng = 12345;
	/* A mix: TCP with random flags from inside and outside 10/8, UDP. */
	for (i = 0; i < np; i++) {
		uint32_t src = rnd() % 4 == 0 ? 0x0a000000 | (rnd() & 0xffffff) : rnd();
		uint8_t proto = rnd() % 4 == 0 ? IPPROTO_UDP : IPPROTO_TCP;
		uint8_t *d;

		pkts[i] = rte_pktmbuf_alloc(mp);
		if (pkts[i] == NULL)
			return 1;
		d = (uint8_t *)rte_pktmbuf_append(pkts[i], 64);
		if (d == NULL)
			return 1;
		frame(d, src, rnd(), (uint16_t)rnd(), (uint16_t)rnd(), proto,
		      (uint8_t)rnd());
		hdr[i].caplen = hdr[i].len = 64;
	}
	/* Alternate: each iteration times ffwd's stage, then libpcap, over
	 * all the packets; the figure is the median iteration of each, so
	 * that a burst of noise on this shared machine hits one sample. */
	t_ours = calloc(iter + 1, sizeof(*t_ours));
	t_pcap = calloc(iter + 1, sizeof(*t_pcap));
	if (t_ours == NULL || t_pcap == NULL)
		return 1;
	for (it = 0; it <= iter; it++) {
		uint64_t t;

		t0 = rte_rdtsc_precise();
		for (i = 0; i + BURST <= np; i += BURST)
			fw_stage_burst(st, pkts + i, BURST, drops);
		t = rte_rdtsc_precise();
		t_ours[it] = t - t0;
		t0 = rte_rdtsc_precise();
		for (i = 0; i < np; i++) {
			const u_char *d = rte_pktmbuf_mtod(pkts[i], const u_char *);

			m_pcap += pcap_offline_filter(&prog, &hdr[i], d) != 0;
		}
		t = rte_rdtsc_precise();
		t_pcap[it] = t - t0;
	}
	/* The first iteration warms up. */
	qsort(t_ours + 1, iter, sizeof(*t_ours), cmp_u64);
	qsort(t_pcap + 1, iter, sizeof(*t_pcap), cmp_u64);
	ours = t_ours[1 + iter / 2];
	theirs = t_pcap[1 + iter / 2];
	m_ours = (unsigned int)fw_stage_rule_hits(st, 0);
	printf("bpf ffwd_ns=%.2f libpcap_ns=%.2f matched=%u/%u jit=%d direct=%u\n",
	       (double)ours * 1e9 / rte_get_tsc_hz() / (np / BURST * BURST),
	       (double)theirs * 1e9 / rte_get_tsc_hz() / np,
	       m_ours / (iter + 1), m_pcap / (iter + 1), fw_rules_jitted(r),
	       fw_rules_direct(r));
	free(t_ours);
	free(t_pcap);
	pcap_freecode(&prog);
	pcap_close(pc);
	fw_stage_free(st);
	rte_pktmbuf_free_bulk(pkts, np);
	free(pkts);
	free(hdr);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int iter;
	char *what, *a2, *a3;
	int k;

	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen((unsigned int)atoi(argv[2]), argv[3]);
	if (argc < 5 || (strcmp(argv[1], "acl") != 0 && strcmp(argv[1], "bpf") != 0)) {
		fprintf(stderr, "usage: %s gen N DIR | acl DIR N ITER [EAL args] | bpf EXPR NPKTS ITER [EAL args]\n",
			argv[0]);
		return 2;
	}
	what = argv[1];
	a2 = argv[2];
	a3 = argv[3];
	iter = (unsigned int)atoi(argv[4]);
	/* EAL arguments follow ours; argv[0] stays the program name. */
	argv[4] = argv[0];
	if (rte_eal_init(argc - 4, argv + 4) < 0) {
		fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (strcmp(what, "acl") == 0)
		k = bench_acl(a2, (unsigned int)atoi(a3), iter);
	else
		k = bench_bpf(a2, (unsigned int)atoi(a3), iter);
	rte_eal_cleanup();
	return k;
}
