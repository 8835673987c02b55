/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of ids_rules / ids_detect, shared by ids_rules*.c (parser,
 * compiler) and ids_detect*.c (per-packet engine). Nothing outside
 * stages/app/ids/ includes this (the tests and the bench driver do, to
 * look inside).
 */
#ifndef FFWD_IDS_CORE_H
#define FFWD_IDS_CORE_H

#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <hs/hs.h>

#include "ids_detect.h"

typedef unsigned __int128 ids_u128;

/* An inclusive interval; IPv4 addresses and ports use the low bits. */
struct ids_iv {
	ids_u128 lo, hi;
};

/* Sorted, disjoint, non-adjacent intervals. */
struct ids_ivset {
	struct ids_iv *v;
	uint32_t n;
};

/* A header address: the exact set, per family. any: both are full. */
struct ids_addr_set {
	struct ids_ivset v4, v6;
	uint8_t any;
};

struct ids_port_set {
	struct ids_ivset p;
	uint8_t any;
};

/* Payload inspection steps, in rule order (content, pcre, isdataat). */
enum ids_step_type { IDS_STEP_CONTENT, IDS_STEP_PCRE, IDS_STEP_ISDATAAT };

#define IDS_C_NOCASE	(1u << 0)
#define IDS_C_NEGATED	(1u << 1)
#define IDS_C_DEPTH	(1u << 2)
#define IDS_C_OFFSET	(1u << 3)
#define IDS_C_DISTANCE	(1u << 4)
#define IDS_C_WITHIN	(1u << 5)
#define IDS_C_STARTS	(1u << 6)
#define IDS_C_ENDS	(1u << 7)
#define IDS_C_FAST	(1u << 8)	/* fast_pattern given */
#define IDS_C_RELATIVE	(1u << 9)	/* pcre R / isdataat relative */
#define IDS_C_NEXT_REL	(1u << 10)	/* the next step is relative to this one */

struct ids_step {
	uint8_t type;		/* enum ids_step_type */
	uint16_t flags;		/* IDS_C_* */
	int32_t offset;		/* content: offset; isdataat: n */
	int32_t depth;		/* content: absolute end (offset + depth) */
	int32_t distance;
	int32_t within;
	uint32_t len;		/* content length */
	uint8_t *pat;		/* content bytes (lower-cased when nocase) */
	uint8_t skip[256];	/* content: Horspool shift table */
	pcre2_code *re;		/* pcre */
	uint32_t fp_off, fp_len; /* fast_pattern:off,len chop */
};

/* flow: requirements */
#define IDS_FL_TO_SERVER	(1u << 0)
#define IDS_FL_TO_CLIENT	(1u << 1)
#define IDS_FL_ESTABLISHED	(1u << 2)
#define IDS_FL_NOT_EST		(1u << 3)
#define IDS_FL_STATELESS	(1u << 4)
#define IDS_FL_ONLY_STREAM	(1u << 5)
#define IDS_FL_NO_STREAM	(1u << 6)

enum ids_fb_op {
	IDS_FB_SET, IDS_FB_UNSET, IDS_FB_TOGGLE, IDS_FB_ISSET, IDS_FB_ISNOTSET
};

struct ids_flowbit {
	uint8_t op;		/* enum ids_fb_op */
	uint8_t any;		/* isset a|b (OR) instead of a&b (AND) */
	uint16_t n;		/* names */
	uint32_t bit[8];	/* bit numbers */
};

enum ids_dsize_op { IDS_DS_NONE, IDS_DS_EQ, IDS_DS_NE, IDS_DS_LT, IDS_DS_GT,
	IDS_DS_LE, IDS_DS_GE, IDS_DS_RANGE };

enum ids_thr_type { IDS_THR_NONE, IDS_THR_LIMIT, IDS_THR_THRESHOLD,
	IDS_THR_BOTH, IDS_THR_DETECTION };
enum ids_track { IDS_TRACK_SRC, IDS_TRACK_DST, IDS_TRACK_RULE,
	IDS_TRACK_BOTH };

struct ids_threshold {
	uint8_t type;		/* enum ids_thr_type */
	uint8_t track;		/* enum ids_track */
	uint32_t count;
	uint64_t window_ns;
};

/* ids_rule.proto for an icmpv4 rule (IPPROTO_ICMP means both, as the
 * icmp keyword does; IPPROTO_ICMPV6 is icmpv6 only). */
#define IDS_PROTO_ICMP4	254

/* Protocol classes a rule can belong to. */
enum ids_pclass { IDS_PC_TCP, IDS_PC_UDP, IDS_PC_ICMP, IDS_PC_OTHER,
	IDS_PC_MAX };

struct ids_rule {
	struct ids_rule_info info;
	uint8_t proto;		/* 0: ip (any), else IPPROTO_* (ICMP: both), IDS_PROTO_ICMP4 */
	uint8_t bidir;		/* <> */
	uint16_t flow;		/* IDS_FL_* */
	struct ids_addr_set src, dst;
	struct ids_port_set sport, dport;
	struct ids_step *steps;
	uint32_t nsteps;
	int32_t fp;		/* step index of the fast pattern, -1: none */
	uint8_t located;	/* has a non-negated content or pcre */
	uint8_t dsize_op;
	uint16_t dsize_a, dsize_b;
	struct ids_flowbit *fb;
	uint32_t nfb;
	uint8_t fb_reads, fb_writes;
	struct ids_threshold thr;	/* threshold: (suppresses alerts) */
	struct ids_threshold df;	/* detection_filter: (gates the match) */
	uint32_t order_key;		/* file order, for sorting */
};

/* A rule group: the rules a packet of one protocol class, direction and
 * destination port range can match. */
struct ids_group {
	uint32_t *always;	/* rules without a fast pattern, sorted */
	uint32_t nalways;
	uint32_t nrules;	/* rules in the group */
	uint32_t npat;		/* rules in the database */
	hs_database_t *db;	/* NULL when npat == 0 */
	uint8_t has_packet_only; /* some rule inspects the packet despite a stream */
};

/* Per protocol class and direction (0: to server / no flow, 1: to client):
 * a port -> group map (TCP/UDP) or one group. */
struct ids_pmap {
	uint16_t *port_group;	/* 65536 entries, or NULL: group 0 */
	struct ids_group *groups;
	uint32_t ngroups;
};

struct ids_rules {
	struct ids_rule *rules;	/* in evaluation order */
	uint32_t nrules;
	struct ids_pmap map[IDS_PC_MAX][2];
	hs_scratch_t *proto_scratch;	/* fits every database; cloned per ctx */
	uint32_t max_ovec;	/* largest pcre capture count + 1 */
	uint32_t nflowbits;
	char **fb_names;	/* flowbit number -> name */
	uint32_t fb_ns;		/* flowbit namespace id */
	char **skipped;
	uint32_t nskipped;
	uint32_t threshold_slots;
	uint32_t id;		/* unique per loaded set, for ctx_fits */
	/* string pool for msg/classtype/category/file */
	char **strs;
	uint32_t nstrs, capstrs;
};

/* Threshold table entry (per ctx). */
struct ids_thr_entry {
	uint32_t rule;		/* rule index + 1; 0: free */
	uint32_t count;
	uint64_t start_ns;
	uint8_t a[16], b[16];
};

struct ids_detect_ctx {
	uint32_t rules_id;
	uint32_t nrules;
	hs_scratch_t *scratch;
	pcre2_match_data *md;
	uint32_t *cand;		/* candidate rules of this packet */
	uint32_t ncand;
	uint32_t *merged;	/* candidates merged with the group's always list */
	uint32_t *stamp;	/* per rule: packet number it was proposed for */
	uint32_t pkt_no;
	uint64_t *hits;		/* per rule */
	struct ids_thr_entry *thr;
	uint32_t thr_mask;
	uint64_t ctr[IDS_DC_MAX];
};

bool ids_port_match(const struct ids_port_set *ps, uint16_t port);

/*
 * ids_detect() without the prefilter: every rule of the packet's group is
 * evaluated in full (each content searched). Same results; the bench
 * driver's baseline and the tests' cross-check.
 */
int ids_detect_noprefilter(struct ids_detect_ctx *c, const struct ids_rules *r,
			   const struct ids_pkt *p, struct ids_match *out,
			   unsigned int max);

#endif /* FFWD_IDS_CORE_H */
