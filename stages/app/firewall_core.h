/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall internals: the rule set, the packet parser and the classifier
 * shared by the stage (firewall.c) and the rule builder (fw_rules.c).
 * Other modules include firewall.h only.
 */
#ifndef FFWD_FIREWALL_CORE_H
#define FFWD_FIREWALL_CORE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_acl.h>
#include <rte_bpf.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "firewall.h"

#define FW_BURST     32
#define FW_MAX_RULES (1u << 20)	/**< a sanity bound, far above 10k */
#define FW_MAX_VLANS 2		/**< 802.1Q, or QinQ (802.1ad + 802.1Q) */
#define FW_MAX_EXTHDRS 8	/**< IPv6 extension headers we walk */
#define FW_PREFETCH 8		/**< packets the data prefetch runs ahead */

/*
 * ACL search keys. The layout is dpdk-test-acl's (one protocol byte, then
 * 4-byte groups): rte_acl reads the first byte alone and then 4 bytes per
 * input index, so every byte here is one trie transition. Addresses and
 * ports stay in network order, as rte_acl expects.
 */
struct fw_key4 {
	uint8_t proto;
	uint8_t pad[3];
	uint32_t src;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
};

struct fw_key6 {
	uint8_t proto;
	uint8_t pad[3];
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
};

/** What the parser made of a packet. */
enum fw_class {
	FW_C_NONIP = 0,	/**< not IPv4/IPv6 (ARP, LLDP, 3+ VLAN tags, ...) */
	FW_C_V4,
	FW_C_V6,
	FW_C_BAD,	/**< malformed: see docs/FIREWALL.md */
};

struct fw_meta {
	union {
		struct fw_key4 v4;
		struct fw_key6 v6;
	} key;
	uint8_t cls;	/**< enum fw_class */
	uint8_t ports;	/**< 1: key ports are the packet's (TCP/UDP/SCTP, not a
			 * non-first fragment); 0: ports are 0 and port rules
			 * cannot match */
};

/**
 * A filter program: a converted tcpdump expression or an eBPF object, run
 * by its JIT code, else by librte_bpf's interpreter; or, for the cBPF that
 * DPDK cannot take (libpcap's "protochain" jumps backwards, which the
 * eBPF verifier refuses as a loop), by fw_cbpf_run(), a classic BPF
 * interpreter with libpcap's semantics and a step budget.
 */
struct fw_prog {
	uint32_t rule;			/**< index of its rule */
	uint8_t action;			/**< its rule's action */
	uint8_t has_tuple;		/**< its rule also has a 5-tuple */
	uint64_t (*jit)(void *);	/**< JIT code, or NULL */
	struct rte_bpf *bpf;		/**< or NULL: cbpf is set */
	struct bpf_insn *cbpf;		/**< classic BPF for fw_cbpf_run() */
	uint32_t cbpf_len;		/**< its instructions */
};

/*
 * Steps a classic program may take on one packet before it is stopped
 * and counts as no match. Only programs with backward jumps (libpcap's
 * "protochain" loop over IPv6 extension headers) run here, and libpcap
 * 1.10's protochain code for AH sets the header offset to the AH length
 * instead of adding it: a crafted packet loops it forever (found by
 * tests/fuzz/fuzz_fw_packet; libpcap's own bpf_filter() would hang the
 * stage). An honest walk takes about 15 steps per header, and the parser
 * calls more than FW_MAX_EXTHDRS headers malformed anyway.
 */
#define FW_CBPF_BUDGET 4096

/**
 * Run classic BPF program PROG (LEN instructions) on BUFLEN bytes at P, of
 * a packet WIRELEN long: libpcap's bpf_filter() semantics (a load past
 * BUFLEN or a division by zero returns 0), but at most FW_CBPF_BUDGET
 * steps and never outside PROG. Returns the program's return value.
 */
uint32_t fw_cbpf_run(const struct bpf_insn *prog, uint32_t len,
		     const uint8_t *p, uint32_t wirelen, uint32_t buflen);

/** One rule as parsed. The fast path reads only the tuple of rules that
 * carry a program; actions travel in the ACL's userdata and in fw_prog. */
struct fw_rule {
	char name[FW_NAME_MAX];
	unsigned int line;
	uint8_t action;			/**< enum fw_action */
	uint8_t family;			/**< 0 (any), 4 or 6 */
	uint8_t has_proto, proto;
	uint8_t has_src, src_len;	/**< prefix length in bits */
	uint8_t has_dst, dst_len;
	uint8_t has_ports;		/**< sport or dport given */
	uint8_t has_tuple;		/**< any of the above given */
	uint8_t src[16], dst[16];	/**< network order, host bits zero */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	int prog;			/**< index in progs[], or -1 */
};

/** A built rule set; read-only once built, shared by nobody but its stage. */
struct fw_rules {
	unsigned int n_rules;
	struct fw_rule *rules;
	uint8_t default_action;
	uint8_t malformed_drop;		/**< policy: 1 drop, 0 classify */
	uint32_t any_rule;		/**< first rule without a tuple or a
					 * program (matches non-IP too), or
					 * n_rules (the default) */
	uint8_t any_action;		/**< its action, or the default's */
	/** [0: IPv4, 1: IPv6][0: packet without ports, 1: with ports];
	 * NULL where no rule applies. */
	struct rte_acl_ctx *acl[2][2];
	unsigned int n_progs;
	struct fw_prog *progs;		/**< in rule order */
	int jitted;
	unsigned int n_direct;		/**< filters with direct loads */
	/** No ACL, no program with a tuple, malformed packets classified:
	 * the parser's result would not be used, so it does not run. */
	uint8_t progs_only;
};

static __rte_always_inline uint16_t
fw_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static __rte_always_inline bool
fw_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP;
}

/*
 * Parse the first segment of M into MT. Every read is checked against the
 * segment's data length: a header that does not fit makes the packet
 * FW_C_BAD, never a read past the data. Later segments are never read
 * (documented: headers must sit in the first segment).
 */
static __rte_always_inline void
fw_parse(const struct rte_mbuf *m, struct fw_meta *mt)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	uint32_t off, ihl, l4;
	uint16_t etype;
	unsigned int i;
	uint8_t nh;

	mt->ports = 0;
	if (unlikely(len < 14)) {
		mt->cls = FW_C_BAD;
		return;
	}
	etype = fw_be16(p + 12);
	off = 14;
	for (i = 0; i < FW_MAX_VLANS &&
		    (etype == RTE_ETHER_TYPE_VLAN || etype == RTE_ETHER_TYPE_QINQ);
	     i++) {
		if (unlikely(off + 4 > len)) {
			mt->cls = FW_C_BAD;
			return;
		}
		etype = fw_be16(p + off + 2);
		off += 4;
	}
	if (etype == RTE_ETHER_TYPE_IPV4) {
		if (unlikely(off + 20 > len || (p[off] >> 4) != 4)) {
			mt->cls = FW_C_BAD;
			return;
		}
		ihl = (uint32_t)(p[off] & 0xf) * 4;
		if (unlikely(ihl < 20 || off + ihl > len ||
			     fw_be16(p + off + 2) < ihl)) {
			mt->cls = FW_C_BAD;
			return;
		}
		mt->cls = FW_C_V4;
		mt->key.v4.proto = p[off + 9];
		memcpy(&mt->key.v4.src, p + off + 12, 8);
		mt->key.v4.sport = 0;
		mt->key.v4.dport = 0;
		/* A non-first fragment carries no L4 header: L3 only. */
		if ((fw_be16(p + off + 6) & 0x1fff) != 0 ||
		    !fw_has_ports(mt->key.v4.proto))
			return;
		l4 = off + ihl;
		if (unlikely(l4 + 4 > len)) {
			mt->cls = FW_C_BAD;
			return;
		}
		memcpy(&mt->key.v4.sport, p + l4, 4);
		mt->ports = 1;
		return;
	}
	if (etype == RTE_ETHER_TYPE_IPV6) {
		if (unlikely(off + 40 > len || (p[off] >> 4) != 6)) {
			mt->cls = FW_C_BAD;
			return;
		}
		memcpy(mt->key.v6.src, p + off + 8, 32);
		mt->key.v6.sport = 0;
		mt->key.v6.dport = 0;
		nh = p[off + 6];
		l4 = off + 40;
		for (i = 0;; i++) {
			uint32_t hl;

			if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING &&
			    nh != IPPROTO_FRAGMENT && nh != IPPROTO_DSTOPTS &&
			    nh != IPPROTO_AH)
				break;
			if (unlikely(i == FW_MAX_EXTHDRS || l4 + 8 > len)) {
				mt->cls = FW_C_BAD;
				return;
			}
			if (nh == IPPROTO_FRAGMENT) {
				bool later = (fw_be16(p + l4 + 2) & 0xfff8) != 0;

				nh = p[l4];
				l4 += 8;
				if (later) {
					/* Non-first fragment: L3 only. */
					mt->cls = FW_C_V6;
					mt->key.v6.proto = nh;
					return;
				}
				continue;
			}
			hl = nh == IPPROTO_AH ? ((uint32_t)p[l4 + 1] + 2) * 4 :
						((uint32_t)p[l4 + 1] + 1) * 8;
			nh = p[l4];
			l4 += hl;
		}
		/* The last extension header must end inside the data. */
		if (unlikely(l4 > len)) {
			mt->cls = FW_C_BAD;
			return;
		}
		mt->cls = FW_C_V6;
		mt->key.v6.proto = nh;
		if (!fw_has_ports(nh))
			return;
		if (unlikely(l4 + 4 > len)) {
			mt->cls = FW_C_BAD;
			return;
		}
		memcpy(&mt->key.v6.sport, p + l4, 4);
		mt->ports = 1;
		return;
	}
	mt->cls = FW_C_NONIP;
}

/* Does the tuple part of rule R match MT? Only for rules with a program. */
static inline bool
fw_prefix_match(const uint8_t *a, const uint8_t *net, unsigned int bits)
{
	unsigned int bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, net, bytes) != 0)
		return false;
	return rem == 0 ||
	       ((a[bytes] ^ net[bytes]) & (uint8_t)(0xff << (8 - rem))) == 0;
}

static inline bool
fw_tuple_match(const struct fw_rule *r, const struct fw_meta *mt)
{
	const uint8_t *src, *dst;
	uint16_t sport, dport;
	uint8_t proto;

	if (mt->cls == FW_C_V4) {
		if (r->family == 6)
			return false;
		proto = mt->key.v4.proto;
		src = (const uint8_t *)&mt->key.v4.src;
		dst = (const uint8_t *)&mt->key.v4.dst;
		sport = rte_be_to_cpu_16(mt->key.v4.sport);
		dport = rte_be_to_cpu_16(mt->key.v4.dport);
	} else if (mt->cls == FW_C_V6) {
		if (r->family == 4)
			return false;
		proto = mt->key.v6.proto;
		src = mt->key.v6.src;
		dst = mt->key.v6.dst;
		sport = rte_be_to_cpu_16(mt->key.v6.sport);
		dport = rte_be_to_cpu_16(mt->key.v6.dport);
	} else {
		return !r->has_proto && !r->has_src && !r->has_dst &&
		       !r->has_ports;
	}
	if (r->has_proto && proto != r->proto)
		return false;
	if (r->has_ports &&
	    (!mt->ports || sport < r->sport_lo || sport > r->sport_hi ||
	     dport < r->dport_lo || dport > r->dport_hi))
		return false;
	if (r->has_src && !fw_prefix_match(src, r->src, r->src_len))
		return false;
	if (r->has_dst && !fw_prefix_match(dst, r->dst, r->dst_len))
		return false;
	return true;
}

/*
 * Run program P on the first segment of M. SH is a shadow mbuf, zeroed by
 * the caller, that presents only the first segment (pkt_len = data_len,
 * no next), so that a cBPF load past the captured data fails and the
 * program returns 0, as in libpcap; the packet's full length, which cBPF
 * "len" reads, sits in hash.usr (fw_rules.c rewrites the converted
 * program's pkt_len loads to read it there).
 */
static __rte_always_inline bool
fw_prog_run(const struct fw_prog *pg, struct rte_mbuf *sh)
{
	uint64_t rc;

	if (likely(pg->jit != NULL))
		rc = pg->jit(sh);
	else if (pg->bpf != NULL)
		rc = rte_bpf_exec(pg->bpf, sh);
	else
		rc = fw_cbpf_run(pg->cbpf, pg->cbpf_len, sh->buf_addr,
				 sh->hash.usr, sh->data_len);
	return rc != 0;
}

/* The shadow presents the first segment alone, its data at buf_addr. */
static __rte_always_inline void
fw_shadow_set(struct rte_mbuf *sh, const struct rte_mbuf *m)
{
	sh->buf_addr = rte_pktmbuf_mtod(m, void *);
	sh->data_len = m->data_len;
	sh->pkt_len = m->data_len;
	sh->hash.usr = m->pkt_len;
}

/*
 * Classify N <= FW_BURST packets: SLOT[i] gets the index of the first rule
 * that matches, n_rules for the default policy or n_rules + 1 for a
 * malformed packet dropped by the malformed policy (the hit counters are
 * indexed the same way); VERDICT[i] the action.
 *
 * The ACL gives, per packet, the first matching 5-tuple rule (priority =
 * reverse rule order); rules with a program that come before it are then
 * tried in order, so first-match-wins holds across both kinds. "No match
 * yet" is n_rules, above every rule, so it needs no test of its own.
 */
static __rte_always_inline void
fw_classify_burst(const struct fw_rules *r, struct rte_mbuf *const *pkts,
		  uint16_t n, uint32_t *slot, uint8_t *verdict)
{
	const uint32_t dflt = r->n_rules, bad = r->n_rules + 1;
	struct fw_meta mt[FW_BURST];
	const uint8_t *data[4][FW_BURST];
	uint8_t idx[4][FW_BURST];
	uint32_t res[FW_BURST];
	/* Per-group counts in scalars, not an array indexed by the group:
	 * an indexed counter in memory makes every packet wait for the
	 * previous one's store. */
	uint16_t c4 = 0, c4p = 0, c6 = 0, c6p = 0, cnt[4];
	uint16_t i, j, g;

	if (r->progs_only) {
		for (i = 0; i < n; i++) {
			slot[i] = r->any_rule;
			verdict[i] = r->any_action;
		}
		goto progs;
	}
	/* Headers first (independent loads), then each packet's data a few
	 * packets ahead of the parser. */
	for (i = 0; i < n; i++)
		rte_prefetch0(pkts[i]);
	for (i = 0; i < n && i < FW_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + FW_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + FW_PREFETCH], void *));
		fw_parse(pkts[i], &mt[i]);
		switch (mt[i].cls) {
		case FW_C_V4:
			if (likely(mt[i].ports)) {
				data[1][c4p] = (const uint8_t *)&mt[i].key;
				idx[1][c4p++] = (uint8_t)i;
			} else {
				data[0][c4] = (const uint8_t *)&mt[i].key;
				idx[0][c4++] = (uint8_t)i;
			}
			continue;
		case FW_C_V6:
			if (mt[i].ports) {
				data[3][c6p] = (const uint8_t *)&mt[i].key;
				idx[3][c6p++] = (uint8_t)i;
			} else {
				data[2][c6] = (const uint8_t *)&mt[i].key;
				idx[2][c6++] = (uint8_t)i;
			}
			continue;
		case FW_C_BAD:
			if (r->malformed_drop) {
				slot[i] = bad;
				verdict[i] = FW_DROP;
				continue;
			}
			/* classified like non-IP */
			slot[i] = r->any_rule;
			verdict[i] = r->any_action;
			continue;
		default:
			slot[i] = r->any_rule;
			verdict[i] = r->any_action;
			continue;
		}
	}
	cnt[0] = c4;
	cnt[1] = c4p;
	cnt[2] = c6;
	cnt[3] = c6p;
	for (g = 0; g < 4; g++) {
		struct rte_acl_ctx *ctx = r->acl[g >> 1][g & 1];

		if (cnt[g] == 0)
			continue;
		if (ctx == NULL) {
			for (j = 0; j < cnt[g]; j++) {
				slot[idx[g][j]] = dflt;
				verdict[idx[g][j]] = r->default_action;
			}
			continue;
		}
		rte_acl_classify(ctx, data[g], res, cnt[g], 1);
		/* userdata is (rule index + 1) << 1 | action, so that the
		 * verdict needs no lookup; 0 means no match. */
		for (j = 0; j < cnt[g]; j++) {
			uint32_t u = res[j];

			slot[idx[g][j]] = u != 0 ? (u >> 1) - 1 : dflt;
			verdict[idx[g][j]] = u != 0 ? (uint8_t)(u & 1) :
						      r->default_action;
		}
	}
progs:
	if (r->n_progs != 0) {
		struct rte_mbuf sh;

		memset(&sh, 0, sizeof(sh));
		sh.nb_segs = 1;
		for (i = 0; i < n; i++) {
			unsigned int k;

			if (slot[i] == bad)
				continue;
			fw_shadow_set(&sh, pkts[i]);
			for (k = 0; k < r->n_progs; k++) {
				const struct fw_prog *pg = &r->progs[k];

				if (pg->rule >= slot[i])
					break;
				if (pg->has_tuple &&
				    !fw_tuple_match(&r->rules[pg->rule], &mt[i]))
					continue;
				if (fw_prog_run(pg, &sh)) {
					slot[i] = pg->rule;
					verdict[i] = pg->action;
					break;
				}
			}
		}
	}
}

#endif /* FFWD_FIREWALL_CORE_H */
