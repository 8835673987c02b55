/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow hash of fleets, part of the stage contract: the runtime spreads
 * a fleet's packets by stage_flow_bucket(), and a stateful kind that
 * implements ops->handover finds which of its flows moved with the same
 * function. Symmetric: both directions of a flow give the same value.
 * Plain C over bytes; includes nothing of the runtime's.
 */
#ifndef FFWD_STAGE_FLOW_H
#define FFWD_STAGE_FLOW_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#define STAGE_FLOW_BUCKET_BITS	8
#define STAGE_FLOW_BUCKETS	(1u << STAGE_FLOW_BUCKET_BITS)

/*
 * One multiply folds a key into the hash (Fibonacci hashing: the high
 * bits of key * 2^64/phi depend on every key bit); the hash is the top 32
 * bits and a bucket the top STAGE_FLOW_BUCKET_BITS of those.
 */
static __rte_always_inline uint64_t
stage_flow_mix(uint64_t x)
{
	return (x ^ (x >> 29)) * 0x9e3779b97f4a7c15ULL;
}

/* Order-independent: (a, b) and (b, a) give the same value. */
static __rte_always_inline uint64_t
stage_flow_pair(uint64_t a, uint64_t b)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return stage_flow_mix(lo) + hi;
}

static __rte_always_inline uint64_t
stage_flow_ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static __rte_always_inline uint64_t
stage_flow_ld64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static __rte_always_inline uint64_t
stage_flow_mac48(const uint8_t *p)
{
	uint16_t lo;

	memcpy(&lo, p + 4, 2);
	return stage_flow_ld32(p) | (uint64_t)lo << 32;
}

/*
 * The symmetric flow hash of a frame's first LEN bytes (the bytes the
 * first mbuf holds: never past the captured length). TCP, UDP and SCTP by
 * 5-tuple; other IP, IP fragments (every fragment, so that all of one
 * datagram stay together) and packets cut before their ports by 3-tuple;
 * non-IP and frames cut inside the IP header by MAC pair. Up to two VLAN
 * tags and IPv6 extension headers are skipped.
 */
static __rte_always_inline uint32_t
stage_flow_hash(const uint8_t *p, uint32_t len)
{
	uint32_t off = 12, l4 = 0;
	uint16_t et;
	uint64_t h;
	uint8_t proto;
	int tags;

	if (unlikely(len < 14))
		return 0;
	memcpy(&et, p + 12, 2);
	for (tags = 0; tags < 2 && (et == RTE_BE16(0x8100) || et == RTE_BE16(0x88a8)) &&
	     off + 6 <= len; tags++) {
		off += 4;
		memcpy(&et, p + off, 2);
	}
	off += 2;
	if (likely(et == RTE_BE16(0x0800)) && off + 20 <= len) {
		const uint8_t *ip = p + off;
		uint32_t ihl = (ip[0] & 0xf) * 4u;
		uint16_t frag;

		proto = ip[9];
		h = stage_flow_pair(stage_flow_ld32(ip + 12), stage_flow_ld32(ip + 16));
		memcpy(&frag, ip + 6, 2);
		/* More fragments, or an offset: a fragment. */
		if ((frag & RTE_BE16(0x3fff)) == 0 && ihl >= 20)
			l4 = off + ihl;
	} else if (et == RTE_BE16(0x86dd) && off + 40 <= len) {
		const uint8_t *ip = p + off;
		uint32_t at = off + 40;
		int ext;

		proto = ip[6];
		h = stage_flow_pair(stage_flow_ld64(ip + 8) ^ stage_flow_ld64(ip + 16),
			       stage_flow_ld64(ip + 24) ^ stage_flow_ld64(ip + 32));
		l4 = at;
		/* Hop-by-hop, routing, destination options, fragment. */
		for (ext = 0; ext < 4; ext++) {
			if (proto == 44) {
				if (at + 8 <= len)
					proto = p[at];
				l4 = 0; /* a fragment: 3-tuple */
				break;
			}
			if (proto != 0 && proto != 43 && proto != 60)
				break;
			if (at + 8 > len) {
				l4 = 0;
				break;
			}
			proto = p[at];
			at += (p[at + 1] + 1u) * 8;
			l4 = at;
		}
	} else {
		return (uint32_t)(stage_flow_mix(stage_flow_pair(stage_flow_mac48(p), stage_flow_mac48(p + 6)) ^ et) >> 32);
	}
	if (l4 != 0 && (proto == 6 || proto == 17 || proto == 132) && l4 + 4 <= len) {
		uint16_t sp, dp;

		memcpy(&sp, p + l4, 2);
		memcpy(&dp, p + l4 + 2, 2);
		h ^= sp < dp ? (uint64_t)sp << 16 | dp : (uint64_t)dp << 16 | sp;
	}
	return (uint32_t)(stage_flow_mix(h ^ (uint64_t)proto << 40) >> 32);
}

/** The fleet bucket of a flow hash: its top bits. */
static __rte_always_inline unsigned int
stage_flow_bucket(uint32_t hash)
{
	return hash >> (32 - STAGE_FLOW_BUCKET_BITS);
}

#endif /* FFWD_STAGE_FLOW_H */
