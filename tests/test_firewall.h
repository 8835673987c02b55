/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall tests: what the suites (test_firewall_*.c) share, from
 * test_firewall.c: the pools and the corpus path set up once per process,
 * mbufs made of captured records, whole captures, and the packet builder
 * of the tables.
 */
#ifndef FFWD_TEST_FIREWALL_H
#define FFWD_TEST_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/Basic.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "firewall.h"

#define FWT_MAX_PKTS 8192	/* records per capture we keep */

extern struct rte_mempool *fwt_pool;	/* 2 KB mbufs */
extern struct rte_mempool *fwt_big;	/* 64 KB mbufs for jumbo records */
extern char fwt_corpus[4096];		/* the shared corpus */

/*
 * An mbuf holding a captured record: the first segment is the captured
 * bytes (data_len = caplen); when the wire length is larger, zero-filled
 * segments bring pkt_len up to it, so that cBPF "len" sees the wire
 * length while the firewall (first segment only) sees just what was
 * captured.
 */
struct rte_mbuf *fwt_mbuf(const uint8_t *data, uint32_t caplen, uint32_t wirelen);

struct capture {
	unsigned int n;
	int error;			/**< reading stopped on an error */
	int dlt;
	struct rte_mbuf *m[FWT_MAX_PKTS];
};

/* Read every record libpcap gives from PATH into mbufs. -1: not opened. */
int fwt_capture_load(const char *path, struct capture *c);
void fwt_capture_free(struct capture *c);
/* Rules text for "allow what EXPR matches, drop the rest", every packet
 * classified (malformed ones too), as libpcap would. */
struct fw_rules *fwt_filter_rules(const char *expr, char *err, size_t errlen);

/* A packet of the tables. */
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

/* The packet of S into b (256 bytes); its length. */
unsigned int fwt_build(const struct spec *s, uint8_t *b);
/* Does fwt_build()'s packet hold S's IPv6 extension headers? */
bool fwt_holds_ext(const struct spec *s);
/* The verdict of r on S's packet (*rule: the rule that decided), -1: no mbuf. */
int fwt_classify_one(const struct fw_rules *r, const struct spec *s, int *rule);

/* The suites, in the order they run. */
extern CU_TestInfo fwt_rules_tests[];
extern CU_TestInfo fwt_bpf_tests[];
extern CU_TestInfo fwt_malformed_tests[];
extern CU_TestInfo fwt_reload_tests[];

#endif /* FFWD_TEST_FIREWALL_H */
