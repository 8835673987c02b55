/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall tests: filter agreement with libpcap over the corpus, ACL
 * tables with failure rows, bad-rules messages, malformed captures, and
 * rule reloads under load.
 *
 * The corpus is at $FFWD_SOURCE_ROOT/../shared/corpus (set by meson test);
 * the example eBPF object is built next to this test (FW_EBPF_EXAMPLE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cunit_main.h"
#include "firewall.h"

#define MAX_PKTS 8192	/* records per capture we keep */

static struct rte_mempool *pool;	/* 2 KB mbufs */
static struct rte_mempool *big;		/* 64 KB mbufs for jumbo records */
static char corpus[4096];

/* ---- helpers ---------------------------------------------------------- */

/*
 * An mbuf holding a captured record: the first segment is the captured
 * bytes (data_len = caplen); when the wire length is larger, zero-filled
 * segments bring pkt_len up to it, so that cBPF "len" sees the wire
 * length while the firewall (first segment only) sees just what was
 * captured.
 */
static struct rte_mbuf *
mk_mbuf(const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct rte_mbuf *m, *last;
	uint32_t left;

	if (caplen > UINT16_MAX)
		caplen = UINT16_MAX;
	m = rte_pktmbuf_alloc(caplen + RTE_PKTMBUF_HEADROOM <= 2048 ? pool : big);
	if (m == NULL)
		return NULL;
	if (caplen > rte_pktmbuf_tailroom(m))
		m->data_off = 0;
	memcpy(rte_pktmbuf_mtod(m, void *), data, caplen);
	m->data_len = (uint16_t)caplen;
	m->pkt_len = caplen;
	last = m;
	left = wirelen > caplen ? wirelen - caplen : 0;
	while (left != 0) {
		struct rte_mbuf *s = rte_pktmbuf_alloc(big);
		uint32_t k;

		if (s == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		s->data_off = 0;
		k = RTE_MIN(left, (uint32_t)s->buf_len);
		memset(rte_pktmbuf_mtod(s, void *), 0, k);
		s->data_len = (uint16_t)k;
		last->next = s;
		last = s;
		m->nb_segs++;
		m->pkt_len += k;
		left -= k;
	}
	return m;
}

struct capture {
	unsigned int n;
	int error;			/**< reading stopped on an error */
	int dlt;
	struct rte_mbuf *m[MAX_PKTS];
};

/* Read every record libpcap gives from PATH into mbufs. -1: not opened. */
static int
capture_load(const char *path, struct capture *c)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int rc;

	c->n = 0;
	c->error = 0;
	p = pcap_open_offline(path, errbuf);
	if (p == NULL)
		return -1;
	c->dlt = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &d)) == 1 && c->n < MAX_PKTS) {
		c->m[c->n] = mk_mbuf(d, h->caplen, h->len);
		if (c->m[c->n] == NULL) {
			c->error = 1;
			break;
		}
		c->n++;
	}
	if (rc == PCAP_ERROR)
		c->error = 1;
	pcap_close(p);
	return 0;
}

static void
capture_free(struct capture *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		rte_pktmbuf_free(c->m[i]);
	c->n = 0;
}

/* Rules text for "allow what EXPR matches, drop the rest", every packet
 * classified (malformed ones too), as libpcap would. */
static struct fw_rules *
filter_rules(const char *expr, char *err, size_t errlen)
{
	char text[2048], *o = text;
	const char *s;

	o += sprintf(o, "malformed classify\ndefault drop\nallow bpf \"");
	for (s = expr; *s != '\0' && o < text + sizeof(text) - 8; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	strcpy(o, "\"\n");
	return fw_rules_parse("filter", text, err, errlen);
}

/* ---- packet builder for the tables ------------------------------------ */

struct spec {
	uint8_t vlans;		/* 0, 1 (802.1Q) or 2 (QinQ) */
	uint8_t v6;
	uint8_t proto;
	const char *src, *dst;
	uint16_t sport, dport;
	uint16_t frag;		/* v4: fragment offset (8-byte units); v6: idem */
	uint8_t ihl_words;	/* v4: extra option words */
	uint8_t ext[4];		/* v6: extension headers before L4 ... */
	uint8_t n_ext;		/* ... this many (IPPROTO_HOPOPTS is 0, so a
				 * 0 cannot end the list) */
	int cut;		/* bytes cut from the end (truncation) */
	uint16_t etype;		/* non-IP ethertype if set */
};

static unsigned int
build(const struct spec *s, uint8_t *b)
{
	unsigned int o = 12, i, l3, n;

	memset(b, 0, 256);
	memcpy(b, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	for (i = 0; i < s->vlans; i++) {
		b[o] = i == 0 && s->vlans == 2 ? 0x88 : 0x81;
		b[o + 1] = i == 0 && s->vlans == 2 ? 0xa8 : 0x00;
		b[o + 3] = 10 + i;
		o += 4;
	}
	if (s->etype != 0) {
		b[o] = s->etype >> 8;
		b[o + 1] = s->etype & 0xff;
		return o + 2 + 46;
	}
	b[o] = s->v6 ? 0x86 : 0x08;
	b[o + 1] = s->v6 ? 0xdd : 0x00;
	l3 = o + 2;
	if (!s->v6) {
		unsigned int ihl = 20 + s->ihl_words * 4;

		b[l3] = 0x40 | (ihl / 4);
		b[l3 + 6] = s->frag >> 8;
		b[l3 + 7] = s->frag & 0xff;
		b[l3 + 8] = 64;
		b[l3 + 9] = s->proto;
		inet_pton(AF_INET, s->src, b + l3 + 12);
		inet_pton(AF_INET, s->dst, b + l3 + 16);
		for (i = 20; i < ihl; i++)
			b[l3 + i] = 1; /* NOP options */
		o = l3 + ihl;
		b[l3 + 2] = 0;
		b[l3 + 3] = (uint8_t)(ihl + 20);
	} else {
		uint8_t *nh = b + l3 + 6;

		b[l3] = 0x60;
		b[l3 + 7] = 64;
		inet_pton(AF_INET6, s->src, b + l3 + 8);
		inet_pton(AF_INET6, s->dst, b + l3 + 24);
		o = l3 + 40;
		for (i = 0; i < s->n_ext && i < RTE_DIM(s->ext); i++) {
			*nh = s->ext[i];
			nh = b + o;
			if (s->ext[i] == IPPROTO_FRAGMENT) {
				b[o + 2] = (s->frag << 3) >> 8;
				b[o + 3] = (s->frag << 3) & 0xff;
				o += 8;
			} else if (s->ext[i] == IPPROTO_AH) {
				b[o + 1] = 2; /* (2 + 2) * 4 = 16 bytes */
				o += 16;
			} else {
				b[o + 1] = 1; /* (1 + 1) * 8 = 16 bytes */
				o += 16;
			}
		}
		*nh = s->proto;
		b[l3 + 5] = (uint8_t)(o - l3 - 40 + 20);
	}
	b[o] = s->sport >> 8;
	b[o + 1] = s->sport & 0xff;
	b[o + 2] = s->dport >> 8;
	b[o + 3] = s->dport & 0xff;
	n = o + 20;
	return (unsigned int)((int)n - s->cut);
}

/* Does the packet build() makes of S hold S's IPv6 extension headers,
 * chained from the IPv6 header, then S's protocol? A row that means to
 * test them must not pass without them (0 is IPPROTO_HOPOPTS). */
static bool
holds_ext(const struct spec *s)
{
	unsigned int o = 14 + 4u * s->vlans, i;
	uint8_t b[256];

	build(s, b);
	if (!s->v6)
		return s->n_ext == 0;
	if (b[o + 6] != (s->n_ext ? s->ext[0] : s->proto))
		return false;
	o += 40;
	for (i = 0; i < s->n_ext; i++) {
		uint8_t next = i + 1 < s->n_ext ? s->ext[i + 1] : s->proto;

		if (b[o] != next)
			return false;
		o += s->ext[i] == IPPROTO_FRAGMENT ? 8 :
		     s->ext[i] == IPPROTO_AH ? (b[o + 1] + 2u) * 4 :
					       (b[o + 1] + 1u) * 8;
	}
	return true;
}

static int
classify_one(const struct fw_rules *r, const struct spec *s, int *rule)
{
	uint8_t b[256], v;
	unsigned int len = build(s, b);
	struct rte_mbuf *m = mk_mbuf(b, len, len);

	if (m == NULL)
		return -1;
	fw_classify(r, &m, 1, &v, rule);
	rte_pktmbuf_free(m);
	return v;
}

/* ---- tests -------------------------------------------------------------- */

/* Every agreeing Ethernet block of libpcap's own filter tests. */
static void
test_firewall_bpf_libpcap_blocks(void)
{
	char path[8192], err[512];
	unsigned int b, i, blocks = 0, pkts = 0, bad = 0, direct = 0;
	json_error_t jerr;
	json_t *root, *arr;

	snprintf(path, sizeof(path), "%s/expected/libpcap_filter_apply.json", corpus);
	root = json_load_file(path, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	arr = json_object_get(root, "blocks");
	CU_ASSERT_FATAL(json_is_array(arr));
	for (b = 0; b < json_array_size(arr); b++) {
		json_t *blk = json_array_get(arr, b), *res;
		const char *expr, *file;
		struct capture *c;
		struct fw_rules *r;
		uint8_t v[MAX_PKTS];

		if (json_integer_value(json_object_get(blk, "DLT")) != 1 ||
		    !json_is_true(json_object_get(blk, "agrees_with_local_libpcap_1.10.3")))
			continue;
		expr = json_string_value(json_object_get(blk, "expr"));
		file = json_string_value(json_object_get(blk, "savefile"));
		res = json_object_get(blk, "results");
		r = filter_rules(expr, err, sizeof(err));
		if (r == NULL) {
			printf("\n  block %s: %s", expr, err);
			bad++;
			continue;
		}
		direct += fw_rules_direct(r);
		c = calloc(1, sizeof(*c));
		snprintf(path, sizeof(path), "%s/pcaps/libpcap-filter/%s", corpus, file);
		CU_ASSERT_FATAL(capture_load(path, c) == 0);
		CU_ASSERT_EQUAL(c->n, json_array_size(res));
		if (getenv("FW_DEBUG") != NULL)
			fprintf(stderr, "block \"%s\" on %s\n", expr, file);
		fw_classify(r, c->m, c->n, v, NULL);
		for (i = 0; i < c->n && i < json_array_size(res); i++) {
			int want = json_integer_value(json_array_get(res, i)) != 0;

			pkts++;
			if (want != (v[i] == FW_ALLOW)) {
				printf("\n  DISAGREE \"%s\" on %s packet %u: libpcap %d ffwd %d",
				       expr, file, i, want, v[i] == FW_ALLOW);
				bad++;
			}
		}
		blocks++;
		capture_free(c);
		free(c);
		fw_rules_free(r);
	}
	json_decref(root);
	printf("\n  libpcap blocks: %u blocks (%u with direct loads), %u packets, %u disagreements\n",
	       blocks, direct, pkts, bad);
	CU_ASSERT_EQUAL(blocks, 49);
	/* All but the five protochain blocks (libpcap's bpf_filter()). */
	CU_ASSERT_EQUAL(direct, 44);
	CU_ASSERT(pkts > 0);
	CU_ASSERT_EQUAL(bad, 0);
}

/* DPDK's 26 test_bpf filters over every Ethernet capture of the corpus. */
static void
test_firewall_bpf_dpdk_filters(void)
{
	char path[8192], err[512];
	unsigned int f, i, nf, files = 0, pkts = 0, bad = 0, jitted = 0, direct = 0;
	struct fw_rules *rules[64];
	json_t *root, *filters, *results, *per;
	json_error_t jerr;
	struct capture *c = calloc(1, sizeof(*c));
	uint8_t *v = calloc(MAX_PKTS, 1), *want = calloc(MAX_PKTS, 1);
	const char *file;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(path, sizeof(path), "%s/expected/dpdk_sample_filters_libpcap.json", corpus);
	root = json_load_file(path, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	filters = json_object_get(root, "filters");
	results = json_object_get(root, "results");
	nf = (unsigned int)json_array_size(filters);
	CU_ASSERT_EQUAL_FATAL(nf, 26);
	for (f = 0; f < nf; f++) {
		rules[f] = filter_rules(json_string_value(json_array_get(filters, f)),
					err, sizeof(err));
		if (rules[f] == NULL)
			printf("\n  %s", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rules[f]);
		jitted += fw_rules_jitted(rules[f]) != 0;
		direct += fw_rules_direct(rules[f]);
		if (fw_rules_direct(rules[f]) == 0)
			printf("\n  not direct: %s", json_string_value(json_array_get(filters, f)));
	}
	json_object_foreach(results, file, per) {
		snprintf(path, sizeof(path), "%s/%s", corpus, file);
		CU_ASSERT_FATAL(capture_load(path, c) == 0);
		for (f = 0; f < nf; f++) {
			const char *expr = json_string_value(json_array_get(filters, f));
			json_t *fr = json_object_get(per, expr), *idx;
			size_t k;

			CU_ASSERT_PTR_NOT_NULL_FATAL(fr);
			if (json_integer_value(json_object_get(fr, "of")) != c->n) {
				printf("\n  %s: libpcap read %lld records, we %u",
				       file, (long long)json_integer_value(json_object_get(fr, "of")),
				       c->n);
				bad++;
				break;
			}
			memset(want, 0, c->n);
			json_array_foreach(json_object_get(fr, "matched_packet_indices"), k, idx)
				if ((json_int_t)json_integer_value(idx) < (json_int_t)c->n)
					want[json_integer_value(idx)] = 1;
			fw_classify(rules[f], c->m, c->n, v, NULL);
			for (i = 0; i < c->n; i++) {
				pkts++;
				if (want[i] != (v[i] == FW_ALLOW)) {
					printf("\n  DISAGREE \"%s\" on %s packet %u: libpcap %d ffwd %d",
					       expr, file, i, want[i], v[i] == FW_ALLOW);
					bad++;
				}
			}
		}
		capture_free(c);
		files++;
	}
	printf("\n  dpdk filters: %u filters (%u JIT, %u direct loads) x %u captures, %u verdicts, %u disagreements\n",
	       nf, jitted, direct, files, pkts, bad);
	CU_ASSERT_EQUAL(files, json_object_size(results));
	CU_ASSERT(files >= 100);
	CU_ASSERT_EQUAL(jitted, nf);
	CU_ASSERT_EQUAL(direct, nf);
	CU_ASSERT_EQUAL(bad, 0);
	for (f = 0; f < nf; f++)
		fw_rules_free(rules[f]);
	json_decref(root);
	free(c);
	free(v);
	free(want);
}

/* The rule set of the ACL table: overlapping rules, first match wins. */
static const char acl_rules[] =
	"# ACL table\n"
	"default drop\n"
	"malformed drop\n"
	"allow name web proto tcp dst 192.0.2.0/24 dport 80\n"		/* 0 */
	"drop  name bad-src src 192.0.2.0/25\n"				/* 1 */
	"allow name hi-ports proto udp sport 1024-65535 dport 5000-5010\n" /* 2 */
	"allow name net10 src 10.0.0.0/8 dst 10.1.0.0/16\n"		/* 3 */
	"drop  name v6-dns proto udp dst 2001:db8::/32 dport 53\n"	/* 4 */
	"allow name v6-net src 2001:db8:1::/48\n"			/* 5 */
	"allow name icmp proto icmp\n"					/* 6 */
	"drop  name host-exact src 198.51.100.7 dst 198.51.100.8\n"	/* 7 */
	"allow name anyv4 src 0.0.0.0/0\n"				/* 8 */
	"allow name v6-any-tcp proto tcp sport 0-65535\n";		/* 9 */

static const struct acl_row {
	const char *what;
	struct spec s;
	int rule;		/* expected deciding rule */
	int verdict;
} acl_rows[] = {
	{ "tcp to web", { .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "tcp to web, wrong port", { .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 81 }, 8, FW_ALLOW },
	{ "web rule before bad-src", { .proto = 6, .src = "192.0.2.1", .dst = "192.0.2.10", .sport = 1, .dport = 80 }, 0, FW_ALLOW },
	{ "bad-src drop", { .proto = 17, .src = "192.0.2.1", .dst = "192.0.2.10", .sport = 1, .dport = 80 }, 1, FW_DROP },
	{ "bad-src /25 edge", { .proto = 17, .src = "192.0.2.127", .dst = "8.8.8.8", .sport = 1, .dport = 2 }, 1, FW_DROP },
	{ "outside /25", { .proto = 17, .src = "192.0.2.128", .dst = "8.8.8.8", .sport = 1, .dport = 2 }, 8, FW_ALLOW },
	{ "udp range low edge", { .proto = 17, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 1024, .dport = 5000 }, 2, FW_ALLOW },
	{ "udp range high edge", { .proto = 17, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 65535, .dport = 5010 }, 2, FW_ALLOW },
	{ "udp sport below range", { .proto = 17, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 1023, .dport = 5000 }, 8, FW_ALLOW },
	{ "tcp not udp range", { .proto = 6, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 2000, .dport = 5005 }, 8, FW_ALLOW },
	{ "net10", { .proto = 47, .src = "10.9.9.9", .dst = "10.1.2.3" }, 3, FW_ALLOW },
	{ "exact host drop", { .proto = 6, .src = "198.51.100.7", .dst = "198.51.100.8", .sport = 9, .dport = 9 }, 7, FW_DROP },
	{ "exact host, other dst", { .proto = 6, .src = "198.51.100.7", .dst = "198.51.100.9", .sport = 9, .dport = 9 }, 8, FW_ALLOW },
	{ "icmp v4", { .proto = 1, .src = "192.0.2.200", .dst = "1.1.1.1" }, 6, FW_ALLOW },
	{ "icmp after bad-src", { .proto = 1, .src = "192.0.2.2", .dst = "1.1.1.1" }, 1, FW_DROP },
	{ "v6 dns drop", { .v6 = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8:ffff::53", .sport = 999, .dport = 53 }, 4, FW_DROP },
	{ "v6 net allow", { .v6 = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8:ffff::53", .sport = 999, .dport = 54 }, 5, FW_ALLOW },
	{ "v6 tcp any port", { .v6 = 1, .proto = 6, .src = "2001:db9::1", .dst = "2001:db9::2", .sport = 1, .dport = 2 }, 9, FW_ALLOW },
	{ "v6 udp default", { .v6 = 1, .proto = 17, .src = "2001:db9::1", .dst = "2001:db9::2", .sport = 1, .dport = 2 }, FW_RULE_DEFAULT, FW_DROP },
	{ "v6 /48 edge out", { .v6 = 1, .proto = 17, .src = "2001:db8:2::1", .dst = "::1", .sport = 1, .dport = 2 }, FW_RULE_DEFAULT, FW_DROP },
	{ "802.1Q tcp to web", { .vlans = 1, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "QinQ v6 dns", { .vlans = 2, .v6 = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::53", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "IPv4 options", { .ihl_words = 10, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "v4 non-first fragment: L3 only", { .frag = 100, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 8, FW_ALLOW },
	{ "v4 first fragment (MF) has ports", { .frag = 0x2000, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "v6 hop+route+dst ext headers", { .v6 = 1, .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS }, .n_ext = 3, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "v6 ext chain", { .v6 = 1, .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, IPPROTO_AH }, .n_ext = 4, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "v6 first fragment", { .v6 = 1, .ext = { IPPROTO_FRAGMENT }, .n_ext = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "v6 non-first fragment: L3 only", { .v6 = 1, .ext = { IPPROTO_FRAGMENT }, .n_ext = 1, .frag = 8, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 5, FW_ALLOW },
	{ "ARP: no rule without tuple", { .etype = 0x0806 }, FW_RULE_DEFAULT, FW_DROP },
	{ "v4 truncated in TCP ports", { .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .dport = 80, .cut = 18 }, FW_RULE_MALFORMED, FW_DROP },
	{ "v4 truncated in options", { .ihl_words = 10, .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .cut = 45 }, FW_RULE_MALFORMED, FW_DROP },
	{ "v6 truncated ext header", { .v6 = 1, .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING }, .n_ext = 2, .proto = 17, .src = "::1", .dst = "::2", .cut = 30 }, FW_RULE_MALFORMED, FW_DROP },
	{ "802.1Q tag cut", { .vlans = 1, .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .cut = 58 }, FW_RULE_MALFORMED, FW_DROP },
};

static void
test_firewall_acl_table(void)
{
	char err[256];
	struct fw_rules *r = fw_rules_parse("acl", acl_rules, err, sizeof(err));
	unsigned int i, fails = 0;

	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(fw_rules_count(r), 10);
	CU_ASSERT_STRING_EQUAL(fw_rules_name(r, 1), "bad-src");
	for (i = 0; i < RTE_DIM(acl_rows); i++) {
		int rule = 12345, v = classify_one(r, &acl_rows[i].s, &rule);

		if (!holds_ext(&acl_rows[i].s)) {
			printf("\n  row %u \"%s\": the packet built does not hold its extension headers",
			       i, acl_rows[i].what);
			fails++;
		}

		if (v != acl_rows[i].verdict || rule != acl_rows[i].rule) {
			printf("\n  row %u \"%s\": rule %d verdict %d, expected rule %d verdict %d",
			       i, acl_rows[i].what, rule, v, acl_rows[i].rule,
			       acl_rows[i].verdict);
			fails++;
		}
	}
	CU_ASSERT_EQUAL(fails, 0);
	fw_rules_free(r);
}

/* Policies: malformed classify, default allow, a rule that matches all. */
static void
test_firewall_acl_policies(void)
{
	static const struct spec cut = { .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .cut = 18 };
	static const struct spec arp = { .etype = 0x0806 };
	static const struct spec tcp = { .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 1, .dport = 2 };
	char err[256];
	struct fw_rules *r;
	int rule;

	/* No rules at all: default allow. */
	r = fw_rules_parse("p1", "# nothing\n", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(classify_one(r, &tcp, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, FW_RULE_DEFAULT);
	CU_ASSERT_EQUAL(classify_one(r, &cut, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, FW_RULE_MALFORMED);
	fw_rules_free(r);

	/* malformed classify: a cut packet reaches the match-all rule. */
	r = fw_rules_parse("p2", "malformed classify\ndefault drop\ndrop proto tcp\nallow name all\n",
			   err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(classify_one(r, &cut, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, 1);
	CU_ASSERT_EQUAL(classify_one(r, &arp, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, 1);
	CU_ASSERT_EQUAL(classify_one(r, &tcp, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, 0);
	fw_rules_free(r);

	/* A program rule between ACL rules keeps first-match order. */
	r = fw_rules_parse("p3",
			   "default allow\n"
			   "allow dst 9.9.9.9\n"
			   "drop bpf \"tcp\"\n"
			   "allow proto tcp src 1.1.1.1\n"
			   "drop proto udp bpf \"udp port 53\"\n",
			   err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(classify_one(r, &tcp, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, 1);
	{
		struct spec s9 = tcp, dns = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53 };

		s9.dst = "9.9.9.9";
		CU_ASSERT_EQUAL(classify_one(r, &s9, &rule), FW_ALLOW);
		CU_ASSERT_EQUAL(rule, 0);
		CU_ASSERT_EQUAL(classify_one(r, &dns, &rule), FW_DROP);
		CU_ASSERT_EQUAL(rule, 3);
		dns.dport = 54;
		CU_ASSERT_EQUAL(classify_one(r, &dns, &rule), FW_ALLOW);
		CU_ASSERT_EQUAL(rule, FW_RULE_DEFAULT);
	}
	fw_rules_free(r);
}

/* The example eBPF object: UDP/IPv4 to port 53. */
static void
test_firewall_ebpf_object(void)
{
	static const struct spec dns = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53 };
	static const struct spec dns_opts = { .ihl_words = 3, .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53 };
	static const struct spec other = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 54 };
	static const struct spec cut = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53, .cut = 18 };
	char text[8192], err[512];
	struct fw_rules *r;
	int rule;

	snprintf(text, sizeof(text),
		 "malformed classify\ndrop name dns ebpf \"%s\" section .text\n",
		 FW_EBPF_EXAMPLE);
	r = fw_rules_parse("ebpf", text, err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(fw_rules_jitted(r));
	CU_ASSERT_EQUAL(classify_one(r, &dns, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, 0);
	CU_ASSERT_EQUAL(classify_one(r, &dns_opts, &rule), FW_DROP);
	CU_ASSERT_EQUAL(classify_one(r, &other, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, FW_RULE_DEFAULT);
	/* Port bytes not captured: the load fails, no match. */
	CU_ASSERT_EQUAL(classify_one(r, &cut, &rule), FW_ALLOW);
	fw_rules_free(r);

	/* A program with "jset #2": interpreted, not JIT-crashed. */
	snprintf(text, sizeof(text), "default drop\nallow ebpf \"%s\"\n", FW_EBPF_JSET);
	r = fw_rules_parse("ebpf", text, err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FALSE(fw_rules_jitted(r));
	{
		struct spec syn = { .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 80 };
		uint8_t b[256];
		unsigned int len = build(&syn, b);
		struct rte_mbuf *m[2];
		uint8_t v[2];

		b[47] = 0x02;
		m[0] = mk_mbuf(b, len, len);
		b[47] = 0x10;
		m[1] = mk_mbuf(b, len, len);
		CU_ASSERT_FATAL(m[0] != NULL && m[1] != NULL);
		fw_classify(r, m, 2, v, NULL);
		CU_ASSERT_EQUAL(v[0], FW_ALLOW);
		CU_ASSERT_EQUAL(v[1], FW_DROP);
		rte_pktmbuf_free(m[0]);
		rte_pktmbuf_free(m[1]);
	}
	fw_rules_free(r);

	snprintf(text, sizeof(text), "drop ebpf \"%s\" section nosuch\n",
		 FW_EBPF_EXAMPLE);
	r = fw_rules_parse("ebpf", text, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(strstr(err, "ebpf:1:11: cannot load section \"nosuch\"") == err);
}

static const struct bad_row {
	const char *text;
	const char *err;
} bad_rows[] = {
	{ "permit src 1.2.3.4\n",
	  "bad:1:1: unknown action \"permit\"; expected allow, drop, default or malformed" },
	{ "# c\n\nallow src 10.0.0.0/33\n",
	  "bad:3:20: prefix length 33 too long for an IPv4 address; expected 0..32" },
	{ "allow src 10.0.0.1/8\n",
	  "bad:1:11: \"10.0.0.1/8\" has host bits set past /8; expected a network address" },
	{ "allow src 10.0.0.0/8 dst 2001:db8::/32\n",
	  "bad:1:26: IPv6 prefix in a rule that already has an IPv4 prefix; expected src and dst of one family" },
	{ "allow src 300.1.1.1\n",
	  "bad:1:11: bad address \"300.1.1.1\"; expected an IPv4 or IPv6 address, optionally /LEN" },
	{ "  drop dport 90-80\n",
	  "bad:1:14: empty port range \"90-80\"; expected LOW-HIGH with LOW <= HIGH" },
	{ "drop dport 70000\n",
	  "bad:1:12: bad port \"70000\"; expected a port 0..65535 or a range LOW-HIGH" },
	{ "drop proto foo\n",
	  "bad:1:12: unknown protocol \"foo\"; expected tcp, udp, icmp, icmp6, sctp, gre, esp, ah or a number 0..255" },
	{ "drop proto icmp dport 1\n",
	  "bad:1:1: ports given with protocol 1, which has none; expected proto tcp, udp or sctp" },
	{ "drop sport 1 sport 2\n",
	  "bad:1:14: \"sport\" given twice in one rule; expected it at most once" },
	{ "drop dport\n",
	  "bad:1:11: \"dport\" needs a value; expected a port or range LOW-HIGH" },
	{ "drop colour red\n",
	  "bad:1:6: unknown match \"colour\"; expected name, proto, src, dst, sport, dport, bpf or ebpf" },
	{ "drop bpf \"tcp[13] & 2 != 0\n",
	  "bad:1:10: unterminated string; expected a closing '\"' on the same line" },
	{ "drop bpf tcp\n",
	  "bad:1:10: unquoted filter expression; expected bpf \"EXPRESSION\"" },
	{ "drop bpf \"tcp and\"\n",
	  "bad:1:10: bad filter expression \"tcp and\": can't parse filter expression: syntax error; expected a tcpdump (pcap-filter) expression" },
	{ "drop bpf \"tcp\" ebpf \"x.o\"\n",
	  "bad:1:16: a rule has at most one program; expected bpf or ebpf, not both" },
	{ "default allow\ndefault drop\n",
	  "bad:2:1: \"default\" given twice; expected it once" },
	{ "default maybe\n",
	  "bad:1:9: bad default policy \"maybe\"; expected allow or drop" },
	{ "default\n",
	  "bad:1:8: \"default\" needs a value; expected allow or drop" },
	{ "default drop now\n",
	  "bad:1:14: unexpected \"now\"; expected the end of the line" },
	{ "malformed pass\n",
	  "bad:1:11: bad malformed policy \"pass\"; expected drop or classify" },
	{ "drop name \"\"\n",
	  "bad:1:11: bad rule name \"\"; expected 1..31 characters" },
	{ "drop ebpf \"/nonexistent/x.o\"\n",
	  "bad:1:11: cannot open eBPF object \"/nonexistent/x.o\": No such file or directory; expected an ELF file built with clang -target bpf" },
	{ "allow src 1.1.1.1\"x\"\n",
	  "bad:1:18: quote inside a word; expected a space before '\"'" },
};

static void
test_firewall_bad_rules(void)
{
	unsigned int i, fails = 0;
	char err[512];

	for (i = 0; i < RTE_DIM(bad_rows); i++) {
		struct fw_rules *r = fw_rules_parse("bad", bad_rows[i].text, err,
						    sizeof(err));

		if (r != NULL || strcmp(err, bad_rows[i].err) != 0) {
			printf("\n  row %u: got    \"%s\"\n         wanted \"%s\"", i,
			       r != NULL ? "(accepted)" : err, bad_rows[i].err);
			fails++;
		}
		fw_rules_free(r);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/* Loading from a file: messages carry the path; good rows load. */
static void
test_firewall_rules_file(void)
{
	char path[4096], err[512];
	struct fw_rules *r;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fwtest-%d.rules", (int)getpid());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("default drop\nallow proto tcp dport 22\nallow src fe80::/10 # ok\n"
	      "allow bpf \"icmp or icmp6\"\n   drop dport 1-2-3\n", f);
	fclose(f);
	r = fw_rules_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	{
		char err2[512];

		/* The pre-EAL check finds the same error. */
		CU_ASSERT_EQUAL(fw_rules_check(path, err2, sizeof(err2)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err2, err);
	}
	{
		char want[4200];

		snprintf(want, sizeof(want),
			 "%s:5:15: bad port \"1-2-3\"; expected a port 0..65535 or a range LOW-HIGH",
			 path);
		CU_ASSERT_STRING_EQUAL(err, want);
	}
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("default drop\nallow proto tcp dport 22\nallow src fe80::/10 # ok\n"
	      "allow name ping bpf \"icmp or icmp6\"\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(fw_rules_check(path, err, sizeof(err)), 0);
	r = fw_rules_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(r);
	if (r != NULL) {
		CU_ASSERT_EQUAL(fw_rules_count(r), 3);
		CU_ASSERT_STRING_EQUAL(fw_rules_name(r, 0), "line2");
		CU_ASSERT_STRING_EQUAL(fw_rules_name(r, 2), "ping");
	}
	fw_rules_free(r);
	unlink(path);
	/* The shipped examples stay valid. */
	snprintf(path, sizeof(path), "%s/conf/fw-demo.rules",
		 getenv("FFWD_SOURCE_ROOT") != NULL ? getenv("FFWD_SOURCE_ROOT") : ".");
	CU_ASSERT_EQUAL(fw_rules_check(path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/conf/fw-example.rules",
		 getenv("FFWD_SOURCE_ROOT") != NULL ? getenv("FFWD_SOURCE_ROOT") : ".");
	r = fw_rules_load(path, err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(r);
	if (r != NULL)
		CU_ASSERT_EQUAL(fw_rules_count(r), 9);
	fw_rules_free(r);
	r = fw_rules_load("/nonexistent.rules", err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent.rules: cannot open: No such file or directory; expected a readable rules file");
}

/* ---- malformed captures ------------------------------------------------- */

/* Rules that touch every parser path: ACL v4/v6 with and without ports,
 * filters on TCP flags, VLAN, ARP and length, and the eBPF example. */
static const char mal_text[] =
	"default allow\n"
	"drop name syn bpf \"tcp[13] & 2 != 0 and not net 10.0.0.0/8\"\n"
	"drop name dns proto udp dport 53\n"
	"allow name v6-any src ::/0 dst ::/0\n"
	"drop name v4-low sport 0-1023\n"
	"drop name arp bpf \"arp\"\n"
	"drop name vlan-tcp bpf \"vlan and tcp\"\n"
	"drop name len bpf \"len > 1000\"\n"
	"drop name icmp proto icmp\n";

static struct {
	char text[8192];
	unsigned int files, pkts, fails;
	uint64_t passed, drops[FW_DROP_MAX];
	/* Files the walk did not classify, each named: libpcap cannot open
	 * them (confirmed by the oracle, expected/libpcap_read.json), or
	 * their link type is not Ethernet (idem). */
	json_t *oracle;			/* its "files" object */
	unsigned int visited, unopened, other_dlt;
	char unopened_names[4096], other_dlt_names[4096];
} ms;

/* Append the corpus-relative name of PATH to LIST. */
static void
mal_name(char *list, size_t size, const char *rel)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", rel);
}

static void
mal_count(void *arg, const char *name, uint64_t v)
{
	(void)name;
	*(uint64_t *)arg += v;
}

static void
mal_fill_tail(struct capture *c, int byte)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		memset(rte_pktmbuf_mtod(c->m[i], uint8_t *) + c->m[i]->data_len,
		       byte, rte_pktmbuf_tailroom(c->m[i]));
}

static int
mal_visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	uint64_t drops[FW_DROP_MAX] = { 0 }, passed = 0, dsum = 0, hits = 0;
	struct rte_mbuf **copy = NULL;
	uint8_t *va = NULL, *vb = NULL;
	struct fw_rules *r = NULL;
	struct fw_stage *st = NULL;
	unsigned int i, allowed = 0;
	struct capture *c;
	char err[512];

	const char *rel = path + strlen(corpus) + 1;
	json_t *want = json_object_get(ms.oracle, rel);

	(void)sb;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	ms.visited++;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return 1;
	/* A file left out must be one libpcap's oracle leaves out too (or
	 * not a capture at all: not in the oracle, e.g. the README notes). */
	if (capture_load(path, c) != 0) {
		ms.unopened++;
		mal_name(ms.unopened_names, sizeof(ms.unopened_names), rel);
		if (want != NULL && json_object_get(want, "open_error") == NULL) {
			printf("\n  %s: cannot open, but libpcap's oracle reads it", rel);
			ms.fails++;
		}
		goto out;
	}
	if (want == NULL) {
		printf("\n  %s: opened, but not in the oracle", rel);
		ms.fails++;
	} else if (json_integer_value(json_object_get(want, "dlt")) != c->dlt) {
		printf("\n  %s: link type %d, the oracle says %lld", rel, c->dlt,
		       json_integer_value(json_object_get(want, "dlt")));
		ms.fails++;
	}
	if (c->dlt != DLT_EN10MB) {
		ms.other_dlt++;
		mal_name(ms.other_dlt_names, sizeof(ms.other_dlt_names), rel);
		goto out;
	}
	ms.files++;
	ms.pkts += c->n;
	va = malloc(c->n + 1);
	vb = malloc(c->n + 1);
	copy = calloc(c->n + 1, sizeof(*copy));
	r = fw_rules_parse("mal", ms.text, err, sizeof(err));
	st = fw_stage_create("mal", fw_rules_parse("mal", ms.text, err, sizeof(err)), 1);
	if (va == NULL || vb == NULL || copy == NULL || r == NULL || st == NULL) {
		printf("\n  %s: set-up failed: %s", path, err);
		ms.fails++;
		goto out;
	}
	/* No verdict may depend on bytes past the captured data: classify
	 * with the tailroom filled with 0x00, then with 0xff. */
	mal_fill_tail(c, 0x00);
	fw_classify(r, c->m, c->n, va, NULL);
	mal_fill_tail(c, 0xff);
	fw_classify(r, c->m, c->n, vb, NULL);
	if (memcmp(va, vb, c->n) != 0) {
		printf("\n  %s: a verdict depends on bytes past the data", path);
		ms.fails++;
	}
	/* Through the stage, on copies: dropped ones are freed by it. */
	for (i = 0; i < c->n; i++) {
		/* Same shape: the captured bytes in the first segment. */
		copy[i] = mk_mbuf(rte_pktmbuf_mtod(c->m[i], const uint8_t *),
				  c->m[i]->data_len, c->m[i]->pkt_len);
		if (copy[i] == NULL) {
			printf("\n  %s: no mbuf for a copy", path);
			ms.fails++;
			goto out;
		}
		allowed += va[i] == FW_ALLOW;
	}
	for (i = 0; i < c->n; i += 32) {
		uint16_t n = (uint16_t)RTE_MIN(32u, c->n - i);
		uint16_t out = fw_stage_burst(st, copy + i, n, drops);

		passed += out;
		rte_pktmbuf_free_bulk(copy + i, out);
	}
	for (i = 0; i < FW_DROP_MAX; i++) {
		dsum += drops[i];
		ms.drops[i] += drops[i];
	}
	ms.passed += passed;
	fw_stage_counters(st, mal_count, &hits);
	if (passed + dsum != c->n || hits != c->n || allowed != passed) {
		printf("\n  %s: received %u, passed %lu + dropped %lu, hits %lu, classify allowed %u",
		       path, c->n, passed, dsum, hits, allowed);
		ms.fails++;
	}
out:
	fw_stage_free(st);
	fw_rules_free(r);
	free(va);
	free(vb);
	free(copy);
	capture_free(c);
	free(c);
	return 0;
}

static void
test_firewall_malformed_corpus(void)
{
	char path[8192];
	unsigned int pass, fails = 0;
	json_error_t jerr;
	json_t *oracle;

	snprintf(path, sizeof(path), "%s/expected/libpcap_read.json", corpus);
	oracle = json_load_file(path, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(oracle);
	snprintf(path, sizeof(path), "%s/pcaps", corpus);
	/* Pass 0: malformed drop; pass 1: malformed classify. */
	for (pass = 0; pass < 2; pass++) {
		memset(&ms, 0, sizeof(ms));
		ms.oracle = json_object_get(oracle, "files");
		CU_ASSERT_PTR_NOT_NULL_FATAL(ms.oracle);
		snprintf(ms.text, sizeof(ms.text),
			 "%s%sdrop name ebpf ebpf \"%s\"\n",
			 pass == 0 ? "malformed drop\n" : "malformed classify\n",
			 mal_text, FW_EBPF_EXAMPLE);
		CU_ASSERT_EQUAL(nftw(path, mal_visit, 16, FTW_PHYS), 0);
		printf("\n  pass %u (%s): %u Ethernet captures, %u packets: passed %lu, fw_rule %lu, fw_default %lu, fw_malformed %lu",
		       pass, pass == 0 ? "malformed drop" : "malformed classify",
		       ms.files, ms.pkts, ms.passed, ms.drops[FW_DROP_RULE],
		       ms.drops[FW_DROP_DEFAULT], ms.drops[FW_DROP_MALFORMED]);
		printf("\n  of %u files: %u left out, libpcap cannot open them (%s); %u not Ethernet (%s)",
		       ms.visited, ms.unopened, ms.unopened_names, ms.other_dlt,
		       ms.other_dlt_names);
		CU_ASSERT_EQUAL(ms.files + ms.unopened + ms.other_dlt, ms.visited);
		CU_ASSERT(ms.files >= 100);
		CU_ASSERT(ms.drops[FW_DROP_RULE] > 0);
		CU_ASSERT(ms.passed > 0);
		CU_ASSERT_EQUAL(ms.passed + ms.drops[FW_DROP_RULE] +
				ms.drops[FW_DROP_DEFAULT] + ms.drops[FW_DROP_MALFORMED],
				ms.pkts);
		if (pass == 0) {
			CU_ASSERT(ms.drops[FW_DROP_MALFORMED] > 0);
		} else {
			CU_ASSERT_EQUAL(ms.drops[FW_DROP_MALFORMED], 0);
		}
		fails += ms.fails;
	}
	json_decref(oracle);
	printf("\n");
	CU_ASSERT_EQUAL(fails, 0);
}

/* ---- reload under load -------------------------------------------------- */

struct load {
	struct fw_stage *st;
	volatile int stop;
	uint64_t sent, passed, drops[FW_DROP_MAX];
	volatile uint64_t bursts;
};

static int
load_main(void *arg)
{
	struct load *l = arg;
	uint8_t tmpl[2][64];
	struct spec s[2] = {
		{ .proto = 6, .src = "10.0.0.1", .dst = "192.0.2.1", .sport = 1000, .dport = 80 },
		{ .proto = 17, .src = "10.0.0.2", .dst = "192.0.2.1", .sport = 1000, .dport = 53 },
	};
	uint8_t b[256];
	unsigned int len[2], i;

	for (i = 0; i < 2; i++) {
		len[i] = build(&s[i], b);
		memcpy(tmpl[i], b, RTE_MIN(len[i], 64u));
		len[i] = RTE_MIN(len[i], 64u);
	}
	while (!l->stop) {
		struct rte_mbuf *m[32];
		uint16_t out;

		if (rte_pktmbuf_alloc_bulk(pool, m, 32) != 0)
			continue;
		for (i = 0; i < 32; i++) {
			unsigned int k = i & 1;

			memcpy(rte_pktmbuf_append(m[i], len[k]), tmpl[k], len[k]);
		}
		out = fw_stage_burst(l->st, m, 32, l->drops);
		l->sent += 32;
		l->passed += out;
		rte_pktmbuf_free_bulk(m, out);
		__atomic_store_n(&l->bursts, l->bursts + 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static void
test_firewall_reload_under_load(void)
{
	static const char *const sets[2] = {
		"default allow\ndrop proto udp dport 53\nallow bpf \"tcp\"\n",
		"default drop\nallow proto udp\ndrop bpf \"tcp port 80\"\n",
	};
	struct load *l = calloc(1, sizeof(*l));
	unsigned int worker, i, fails = 0;
	uint64_t dsum = 0, seen;
	char err[256];
	struct fw_rules *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	worker = rte_get_next_lcore(-1, 1, 0);
	CU_ASSERT_FATAL(worker < RTE_MAX_LCORE);
	r = fw_rules_parse("set0", sets[0], err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	l->st = fw_stage_create("reload", r, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l->st);
	CU_ASSERT_EQUAL_FATAL(rte_eal_remote_launch(load_main, l, worker), 0);
	for (i = 1; i <= 100; i++) {
		seen = __atomic_load_n(&l->bursts, __ATOMIC_ACQUIRE);
		/* Let some traffic through each generation. */
		while (__atomic_load_n(&l->bursts, __ATOMIC_ACQUIRE) < seen + 20)
			rte_pause();
		r = fw_rules_parse("set", sets[i & 1], err, sizeof(err));
		if (r == NULL || fw_stage_reload(l->st, r) != 0)
			fails++;
	}
	seen = __atomic_load_n(&l->bursts, __ATOMIC_ACQUIRE);
	while (__atomic_load_n(&l->bursts, __ATOMIC_ACQUIRE) < seen + 20)
		rte_pause();
	l->stop = 1;
	rte_eal_wait_lcore(worker);
	for (i = 0; i < FW_DROP_MAX; i++)
		dsum += l->drops[i];
	printf("\n  100 reloads: sent %lu passed %lu dropped %lu (rule %lu default %lu)\n",
	       l->sent, l->passed, dsum, l->drops[FW_DROP_RULE],
	       l->drops[FW_DROP_DEFAULT]);
	CU_ASSERT_EQUAL(fails, 0);
	CU_ASSERT_EQUAL(fw_stage_reloads(l->st), 100);
	CU_ASSERT_EQUAL(l->sent, l->passed + dsum);
	CU_ASSERT(l->sent >= 100 * 20 * 32);
	/* Both sets ran: set 0 drops UDP by rule, set 1 drops TCP by rule. */
	CU_ASSERT(l->drops[FW_DROP_RULE] > 0);
	CU_ASSERT(l->passed > 0);
	CU_ASSERT_EQUAL(l->drops[FW_DROP_MALFORMED], 0);
	/* Set 0 is current (100 is even): UDP is dropped by rule 0. */
	CU_ASSERT(fw_stage_rule_hits(l->st, 0) > 0);
	fw_stage_free(l->st);
	free(l);
}

/* A reload on an idle stage: no quiescent report comes, the old set is
 * retired (freed later), the new set applies at the next burst, and the
 * per-rule hits start again. */
static void
test_firewall_reload_idle(void)
{
	static const struct spec tcp = { .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 1, .dport = 2 };
	uint64_t drops[FW_DROP_MAX] = { 0 };
	struct rte_mbuf *m[2];
	struct fw_stage *st;
	unsigned int len, i;
	uint8_t b[256];
	char err[256];

	st = fw_stage_create("idle", fw_rules_parse("a", "allow name all\n", err,
						    sizeof(err)), 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	len = build(&tcp, b);
	m[0] = mk_mbuf(b, len, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m[0]);
	CU_ASSERT_EQUAL(fw_stage_burst(st, m, 1, drops), 1);
	CU_ASSERT_EQUAL(fw_stage_rule_hits(st, 0), 1);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(fw_stage_reload(st, fw_rules_parse("b",
				"default allow\ndrop name tcp proto tcp\n", err,
				sizeof(err))), 0);
	CU_ASSERT_EQUAL(fw_stage_reloads(st), 3);
	CU_ASSERT_EQUAL(fw_stage_rule_hits(st, 0), 0);
	m[1] = mk_mbuf(b, len, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m[1]);
	CU_ASSERT_EQUAL(fw_stage_burst(st, m, 2, drops), 0);
	CU_ASSERT_EQUAL(drops[FW_DROP_RULE], 2);
	CU_ASSERT_EQUAL(fw_stage_rule_hits(st, 0), 2);
	CU_ASSERT_EQUAL(fw_stage_reload(st, NULL), -EINVAL);
	fw_stage_free(st);
}

/* ---- registration --------------------------------------------------------- */

int
tests_setup(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--no-huge", "-m", "512", "--no-shconf",
			"--no-pci", "--file-prefix", prefix, "--log-level",
			"lib.eal:error", "--log-level", "lib.bpf:error",
			"--lcores", "0@0,1@1" };
	const char *src = getenv("FFWD_SOURCE_ROOT");

	(void)argc;
	snprintf(prefix, sizeof(prefix), "fwtest-%d", (int)getpid());
	snprintf(corpus, sizeof(corpus), "%s/../shared/corpus", src != NULL ? src : ".");
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("fwt", 16383, 256, 0, 2048 + RTE_PKTMBUF_HEADROOM,
				       rte_socket_id());
	big = rte_pktmbuf_pool_create("fwt_big", 255, 0, 0, UINT16_MAX, rte_socket_id());
	return pool != NULL && big != NULL ? 0 : -1;
}

void
tests_teardown(void)
{
	rte_mempool_free(pool);
	rte_mempool_free(big);
	rte_eal_cleanup();
}

int
tests_register(void)
{
	CU_pSuite s = CU_add_suite("firewall", NULL, NULL);

	if (s == NULL)
		return -1;
	if (CU_add_test(s, "test_firewall_acl_table", test_firewall_acl_table) == NULL ||
	    CU_add_test(s, "test_firewall_acl_policies", test_firewall_acl_policies) == NULL ||
	    CU_add_test(s, "test_firewall_bad_rules", test_firewall_bad_rules) == NULL ||
	    CU_add_test(s, "test_firewall_rules_file", test_firewall_rules_file) == NULL ||
	    CU_add_test(s, "test_firewall_ebpf_object", test_firewall_ebpf_object) == NULL ||
	    CU_add_test(s, "test_firewall_bpf_libpcap_blocks", test_firewall_bpf_libpcap_blocks) == NULL ||
	    CU_add_test(s, "test_firewall_bpf_dpdk_filters", test_firewall_bpf_dpdk_filters) == NULL ||
	    CU_add_test(s, "test_firewall_malformed_corpus", test_firewall_malformed_corpus) == NULL ||
	    CU_add_test(s, "test_firewall_reload_idle", test_firewall_reload_idle) == NULL ||
	    CU_add_test(s, "test_firewall_reload_under_load", test_firewall_reload_under_load) == NULL)
		return -1;
	return 0;
}
