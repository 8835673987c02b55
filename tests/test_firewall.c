/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall tests: filter agreement with libpcap over the corpus, ACL
 * tables with failure rows, bad-rules messages, malformed captures, and
 * rule reloads under load.
 *
 * The corpus is at $FFWD_SOURCE_ROOT/../shared/corpus (set by meson test);
 * the example eBPF object is built next to this test (FW_EBPF_EXAMPLE).
 *
 * This file: EAL, the mbuf and capture helpers and the packet builder
 * the suites share (test_firewall.h), and the registration. The suites:
 *	test_firewall_rules.c		firewall_rules: ACL tables, policies,
 *					bad rules, rules files
 *	test_firewall_bpf.c		firewall_bpf: eBPF objects, libpcap's and
 *					DPDK's filters over the corpus
 *	test_firewall_malformed.c	firewall_malformed: every corpus capture
 *	test_firewall_reload.c		firewall_reload: reloads, loaded and idle
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cunit_main.h"
#include "test_firewall.h"

struct rte_mempool *fwt_pool;
struct rte_mempool *fwt_big;
char fwt_corpus[4096];

/* ---- helpers ---------------------------------------------------------- */

/*
 * An mbuf holding a captured record: the first segment is the captured
 * bytes (data_len = caplen); when the wire length is larger, zero-filled
 * segments bring pkt_len up to it, so that cBPF "len" sees the wire
 * length while the firewall (first segment only) sees just what was
 * captured.
 */
struct rte_mbuf *
fwt_mbuf(const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct rte_mbuf *m, *last;
	uint32_t left;

	if (caplen > UINT16_MAX)
		caplen = UINT16_MAX;
	m = rte_pktmbuf_alloc(caplen + RTE_PKTMBUF_HEADROOM <= 2048 ? fwt_pool : fwt_big);
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
		struct rte_mbuf *s = rte_pktmbuf_alloc(fwt_big);
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

/* Read every record libpcap gives from PATH into mbufs. -1: not opened. */
int
fwt_capture_load(const char *path, struct capture *c)
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
	while ((rc = pcap_next_ex(p, &h, &d)) == 1 && c->n < FWT_MAX_PKTS) {
		c->m[c->n] = fwt_mbuf(d, h->caplen, h->len);
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

void
fwt_capture_free(struct capture *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		rte_pktmbuf_free(c->m[i]);
	c->n = 0;
}

/* Rules text for "allow what EXPR matches, drop the rest", every packet
 * classified (malformed ones too), as libpcap would. */
struct fw_rules *
fwt_filter_rules(const char *expr, char *err, size_t errlen)
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

unsigned int
fwt_build(const struct spec *s, uint8_t *b)
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

/* Does the packet fwt_build() makes of S hold S's IPv6 extension headers,
 * chained from the IPv6 header, then S's protocol? A row that means to
 * test them must not pass without them (0 is IPPROTO_HOPOPTS). */
bool
fwt_holds_ext(const struct spec *s)
{
	unsigned int o = 14 + 4u * s->vlans, i;
	uint8_t b[256];

	fwt_build(s, b);
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

int
fwt_classify_one(const struct fw_rules *r, const struct spec *s, int *rule)
{
	uint8_t b[256], v;
	unsigned int len = fwt_build(s, b);
	struct rte_mbuf *m = fwt_mbuf(b, len, len);

	if (m == NULL)
		return -1;
	fw_classify(r, &m, 1, &v, rule);
	rte_pktmbuf_free(m);
	return v;
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
	snprintf(fwt_corpus, sizeof(fwt_corpus), "%s/../shared/corpus", src != NULL ? src : ".");
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		return -1;
	fwt_pool = rte_pktmbuf_pool_create("fwt", 16383, 256, 0, 2048 + RTE_PKTMBUF_HEADROOM,
					   rte_socket_id());
	fwt_big = rte_pktmbuf_pool_create("fwt_big", 255, 0, 0, UINT16_MAX, rte_socket_id());
	return fwt_pool != NULL && fwt_big != NULL ? 0 : -1;
}

void
tests_teardown(void)
{
	rte_mempool_free(fwt_pool);
	rte_mempool_free(fwt_big);
	rte_eal_cleanup();
}

int
tests_register(void)
{
	static CU_SuiteInfo suites[] = {
		{ .pName = "firewall_rules", .pTests = fwt_rules_tests },
		{ .pName = "firewall_bpf", .pTests = fwt_bpf_tests },
		{ .pName = "firewall_malformed", .pTests = fwt_malformed_tests },
		{ .pName = "firewall_reload", .pTests = fwt_reload_tests },
		CU_SUITE_INFO_NULL,
	};

	return CU_register_suites(suites) == CUE_SUCCESS ? 0 : -1;
}
