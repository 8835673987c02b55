/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_stream and ids_flow tests.
 *
 * Reassembly: a table of segment scripts (data at a sequence offset, an
 * ack, a flush), each with the bytes detection must be given as new, in
 * order, and the counters that must move: in order, out of order, reversed,
 * retransmitted, overlaps (the first data seen wins), gaps by ack and by
 * flush, the depth, the per-stream bound, the pool memcap, sequence wrap.
 *
 * Flows: the TCP handshake, FIN and RST close, midstream and async-oneside
 * on and off, UDP establishment, idle timeouts per state, eviction when the
 * table is full, and both directions finding one flow.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem() */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <rte_eal.h>

#include "cunit_main.h"
#include "ids_flow.h"
#include "ids_stream.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reassembly scripts ---- */

enum op_kind { OP_END = 0, OP_DATA, OP_ACK, OP_FLUSH };

struct op {
	enum op_kind k;
	uint32_t off;		/* relative to the base sequence */
	const char *data;
};

struct srow {
	const char *name;
	uint32_t base;		/* first sequence number */
	uint64_t depth;		/* 0: the default */
	uint16_t max_ooo;	/* 0: the default */
	uint32_t pool;		/* 0: the default */
	struct op ops[8];
	const char *want;	/* every new byte, concatenated */
	uint64_t ctr[IDS_STREAM_CTR_MAX]; /* counters that must equal; others unchecked */
	uint64_t check;		/* bit i: check ctr[i] */
};

#define C(n) (1ull << IDS_STREAM_C_##n)
#define D(o, s) { OP_DATA, (o), (s) }
#define A(o) { OP_ACK, (o), NULL }
#define F { OP_FLUSH, 0, NULL }

static const struct srow srows[] = {
	{ "in order", 1000, 0, 0, 0,
	  { D(0, "GET "), D(4, "/ HT"), D(8, "TP/1.0") },
	  "GET / HTTP/1.0",
	  { [IDS_STREAM_C_stream_ooo] = 0, [IDS_STREAM_C_stream_gap] = 0,
	    [IDS_STREAM_C_stream_bytes] = 14 },
	  C(stream_ooo) | C(stream_gap) | C(stream_bytes) },
	{ "one out of order", 1000, 0, 0, 0,
	  { D(4, "/ HT"), D(0, "GET "), D(8, "TP/1.0") },
	  "GET / HTTP/1.0",
	  { [IDS_STREAM_C_stream_ooo] = 1, [IDS_STREAM_C_stream_gap] = 0 },
	  C(stream_ooo) | C(stream_gap) },
	{ "reversed", 1000, 0, 0, 0,
	  { D(8, "TP/1.0"), D(4, "/ HT"), D(0, "GET ") },
	  "GET / HTTP/1.0",
	  { [IDS_STREAM_C_stream_ooo] = 2, [IDS_STREAM_C_stream_bytes] = 14 },
	  C(stream_ooo) | C(stream_bytes) },
	{ "retransmission", 1000, 0, 0, 0,
	  { D(0, "GET "), D(0, "GET "), D(4, "/ HT") },
	  "GET / HT",
	  { [IDS_STREAM_C_stream_retrans] = 1 },
	  C(stream_retrans) },
	{ "in-order overlap, different bytes: first kept", 1000, 0, 0, 0,
	  { D(0, "GET /"), D(2, "XXXHTTP") },
	  "GET /HTTP",
	  { [IDS_STREAM_C_stream_overlap] = 1 },
	  C(stream_overlap) },
	{ "held overlaps held: first kept", 5, 0, 0, 0,
	  { D(4, "AAAA"), D(2, "BBBBBB"), D(0, "01") },
	  "01BBAAAA",
	  { [IDS_STREAM_C_stream_overlap] = 1,
	    [IDS_STREAM_C_stream_overlap_diff] = 1 },
	  C(stream_overlap) | C(stream_overlap_diff) },
	{ "in-order segment over a held one: held kept", 7, 0, 0, 0,
	  { D(4, "XY"), D(0, "0123456") },
	  "0123XY6",
	  { [IDS_STREAM_C_stream_overlap_diff] = 1 },
	  C(stream_overlap_diff) },
	{ "same bytes overlapping: no diff", 7, 0, 0, 0,
	  { D(4, "45"), D(0, "0123456") },
	  "0123456",
	  { [IDS_STREAM_C_stream_overlap] = 1,
	    [IDS_STREAM_C_stream_overlap_diff] = 0 },
	  C(stream_overlap) | C(stream_overlap_diff) },
	{ "gap: receiver acks past the hole", 1000, 0, 0, 0,
	  { D(0, "GET "), D(8, "TP"), A(10), D(10, "/1.0") },
	  "GET TP/1.0",
	  { [IDS_STREAM_C_stream_gap] = 1, [IDS_STREAM_C_stream_gap_bytes] = 4 },
	  C(stream_gap) | C(stream_gap_bytes) },
	{ "gap: ack with nothing held", 1000, 0, 0, 0,
	  { D(0, "GET "), A(8), D(8, "TP") },
	  "GET TP",
	  { [IDS_STREAM_C_stream_gap] = 1, [IDS_STREAM_C_stream_gap_bytes] = 4 },
	  C(stream_gap) | C(stream_gap_bytes) },
	{ "ack of what we have: no gap", 1000, 0, 0, 0,
	  { D(0, "GET "), A(4), A(2), D(4, "/") },
	  "GET /",
	  { [IDS_STREAM_C_stream_gap] = 0 },
	  C(stream_gap) },
	{ "gap: flush at the end of the flow", 1000, 0, 0, 0,
	  { D(0, "GET "), D(8, "TP"), D(12, ".0"), F, F },
	  "GET TP.0",
	  { [IDS_STREAM_C_stream_gap] = 2, [IDS_STREAM_C_stream_gap_bytes] = 6 },
	  C(stream_gap) | C(stream_gap_bytes) },
	{ "depth cuts the stream", 1000, 6, 0, 0,
	  { D(0, "GET "), D(4, "/ HTTP"), D(10, "more") },
	  "GET / ",
	  { [IDS_STREAM_C_stream_depth] = 1,
	    [IDS_STREAM_C_stream_depth_bytes] = 8 },
	  C(stream_depth) | C(stream_depth_bytes) },
	{ "depth: held data past it is not kept", 1000, 6, 0, 0,
	  { D(8, "late"), D(0, "GET ") },
	  "GET ",
	  { [IDS_STREAM_C_stream_ooo] = 0,
	    [IDS_STREAM_C_stream_depth_bytes] = 4 },
	  C(stream_ooo) | C(stream_depth_bytes) },
	{ "depth reached inside a held record", 1000, 6, 0, 0,
	  { D(4, "/ HTTP"), D(0, "GET ") },
	  "GET / ",
	  { [IDS_STREAM_C_stream_depth] = 1,
	    [IDS_STREAM_C_stream_depth_bytes] = 4 },
	  C(stream_depth) | C(stream_depth_bytes) },
	{ "per-stream bound", 1000, 0, 2, 0,
	  { D(2, "b"), D(4, "d"), D(6, "f"), D(0, "a"), F, F, F },
	  "abd",
	  { [IDS_STREAM_C_stream_ooo_limit] = 1 },
	  C(stream_ooo_limit) },
	{ "pool memcap", 1000, 0, 0, 1,
	  { D(2, "b"), D(4, "d"), D(0, "a"), F },
	  "ab",
	  { [IDS_STREAM_C_stream_memcap] = 1 },
	  C(stream_memcap) },
	{ "sequence wrap", 0xfffffffe, 0, 0, 0,
	  { D(0, "GET "), D(8, "TP"), D(4, "/ HT") },
	  "GET / HTTP",
	  { [IDS_STREAM_C_stream_ooo] = 1, [IDS_STREAM_C_stream_bytes] = 10 },
	  C(stream_ooo) | C(stream_bytes) },
	{ "wholly old after a gap is ignored", 1000, 0, 0, 0,
	  { D(0, "GE"), A(4), D(2, "T "), D(4, "/") },
	  "GE/",
	  { [IDS_STREAM_C_stream_retrans] = 1, [IDS_STREAM_C_stream_gap] = 1 },
	  C(stream_retrans) | C(stream_gap) },
};

static void
run_srow(const struct srow *r)
{
	struct ids_stream_conf c;
	struct ids_stream_ctx *x;
	struct ids_stream s;
	struct ids_stream_view v;
	uint8_t lb[IDS_STREAM_LOOKBACK_MAX];
	char got[256];
	size_t gn = 0;
	uint8_t *buf;

	ids_stream_conf_default(&c);
	if (r->depth)
		c.depth = r->depth;
	if (r->max_ooo)
		c.max_ooo = r->max_ooo;
	if (r->pool)
		c.memcap_segs = r->pool;
	x = ids_stream_ctx_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	buf = malloc(ids_stream_ctx_bufsize(x));
	ids_stream_init(&s, r->base, lb);
	for (const struct op *o = r->ops; o < r->ops + DIM(r->ops) && o->k; o++) {
		uint32_t n = 0;

		switch (o->k) {
		case OP_DATA:
			n = ids_stream_data(x, &s, r->base + o->off,
					    (const uint8_t *)o->data,
					    (uint32_t)strlen(o->data), buf, &v);
			break;
		case OP_ACK:
			n = ids_stream_ack(x, &s, r->base + o->off, buf, &v);
			break;
		case OP_FLUSH:
			n = ids_stream_flush(x, &s, buf, &v);
			break;
		default:
			break;
		}
		CU_ASSERT(v.new_off + n == v.len);
		CU_ASSERT(v.len <= ids_stream_ctx_bufsize(x));
		/* After a gap nothing from before it is in the view. */
		if (v.gap)
			CU_ASSERT_EQUAL(v.new_off, 0);
		if (n && gn + n < sizeof(got)) {
			memcpy(got + gn, v.buf + v.new_off, n);
			gn += n;
		}
	}
	got[gn] = '\0';
	if (strcmp(got, r->want) != 0)
		fprintf(stderr, "\n  row '%s': delivered '%s', want '%s'\n",
			r->name, got, r->want);
	CU_ASSERT_STRING_EQUAL(got, r->want);
	for (int i = 0; i < IDS_STREAM_CTR_MAX; i++) {
		uint64_t have = ids_stream_ctx_counters(x)[i];

		if (!(r->check & (1ull << i)))
			continue;
		if (have != r->ctr[i])
			fprintf(stderr, "\n  row '%s': %s = %lu, want %lu\n",
				r->name, ids_stream_ctr_names[i],
				(unsigned long)have, (unsigned long)r->ctr[i]);
		CU_ASSERT_EQUAL(have, r->ctr[i]);
	}
	/* Every record goes back to the pool. */
	ids_stream_release(x, &s);
	CU_ASSERT_EQUAL(ids_stream_ctx_free_segs(x), c.memcap_segs);
	free(buf);
	ids_stream_ctx_free(x);
}

static void
test_ids_stream_table(void)
{
	for (size_t i = 0; i < DIM(srows); i++)
		run_srow(&srows[i]);
}

/* A pattern cut across two segments is whole in the second view. */
static void
test_ids_stream_lookback(void)
{
	struct ids_stream_conf c;
	struct ids_stream_ctx *x;
	struct ids_stream s;
	struct ids_stream_view v;
	uint8_t lb[IDS_STREAM_LOOKBACK_MAX], *buf;

	ids_stream_conf_default(&c);
	x = ids_stream_ctx_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	buf = malloc(ids_stream_ctx_bufsize(x));
	ids_stream_init(&s, 1, lb);
	ids_stream_data(x, &s, 1, (const uint8_t *)"xxuid=0(r", 9, buf, &v);
	CU_ASSERT_EQUAL(v.new_off, 0);
	ids_stream_data(x, &s, 10, (const uint8_t *)"oot)yy", 6, buf, &v);
	CU_ASSERT_EQUAL(v.new_off, 9);
	CU_ASSERT_EQUAL(v.len, 15);
	CU_ASSERT_EQUAL(v.stream_off, 9);
	CU_ASSERT(memmem(v.buf, v.len, "uid=0(root)", 11) != NULL);
	/* A lookback smaller than the data keeps the tail only. */
	c.lookback = 4;
	ids_stream_ctx_free(x);
	x = ids_stream_ctx_create(&c);
	ids_stream_init(&s, 1, lb);
	ids_stream_data(x, &s, 1, (const uint8_t *)"abcdefgh", 8, buf, &v);
	ids_stream_data(x, &s, 9, (const uint8_t *)"ij", 2, buf, &v);
	CU_ASSERT_EQUAL(v.new_off, 4);
	CU_ASSERT(memcmp(v.buf, "efghij", 6) == 0);
	/* A bad config is refused. */
	c.lookback = IDS_STREAM_LOOKBACK_MAX + 1;
	CU_ASSERT_PTR_NULL(ids_stream_ctx_create(&c));
	free(buf);
	ids_stream_ctx_free(x);
}

/* ---- flows ---- */

static struct ids_dec
tcp_pkt(int from_client, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct ids_dec d;

	memset(&d, 0, sizeof(d));
	d.ip_ver = 4;
	d.proto = IDS_PROTO_TCP;
	d.l4 = true;
	d.src[0] = from_client ? 10 : 192;
	d.dst[0] = from_client ? 192 : 10;
	d.sport = from_client ? 40000 : 80;
	d.dport = from_client ? 80 : 40000;
	d.tcp_flags = flags;
	d.tcp_seq = seq;
	d.tcp_ack = ack;
	return d;
}

static struct ids_flow_table *
mktable(uint32_t max, bool mid, bool async)
{
	struct ids_flow_conf c;
	struct ids_stream_conf sc;
	struct ids_flow_table *t;

	ids_flow_conf_default(&c);
	c.max_flows = max;
	c.midstream = mid;
	c.async_oneside = async;
	c.det_size = 24;
	ids_stream_conf_default(&sc);
	sc.memcap_segs = 64;
	t = ids_flow_table_create(&c, &sc);
	CU_ASSERT_PTR_NOT_NULL(t);
	return t;
}

#define SEC 1000000000ull

static void
test_ids_flow_handshake(void)
{
	struct ids_flow_table *t = mktable(16, false, false);
	const uint64_t *ctr;
	struct ids_flow *f, *g;
	struct ids_dec d;
	bool cr;
	int dir;

	if (t == NULL)
		return;
	ctr = ids_flow_table_counters(t);
	d = tcp_pkt(1, IDS_TH_SYN, 100, 0);
	f = ids_flow_get(t, &d, 60, 1 * SEC, &dir, &cr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(cr);
	CU_ASSERT_EQUAL(dir, IDS_DIR_TOSERVER);
	CU_ASSERT_EQUAL(f->tcp, IDS_TCP_SYN_SENT);
	CU_ASSERT_EQUAL(f->st[0].next_seq, 101);
	d = tcp_pkt(0, IDS_TH_SYN | IDS_TH_ACK, 500, 101);
	g = ids_flow_get(t, &d, 60, 1 * SEC, &dir, &cr);
	CU_ASSERT_PTR_EQUAL(g, f);
	CU_ASSERT(!cr);
	CU_ASSERT_EQUAL(dir, IDS_DIR_TOCLIENT);
	CU_ASSERT_EQUAL(f->tcp, IDS_TCP_SYN_RECV);
	CU_ASSERT(!ids_flow_established(f));
	d = tcp_pkt(1, IDS_TH_ACK, 101, 501);
	ids_flow_get(t, &d, 60, 1 * SEC, &dir, &cr);
	CU_ASSERT_EQUAL(f->tcp, IDS_TCP_ESTABLISHED);
	CU_ASSERT(ids_flow_established(f));
	CU_ASSERT_EQUAL(f->st[1].next_seq, 501);
	CU_ASSERT_EQUAL(f->pkts[0], 2);
	CU_ASSERT_EQUAL(f->pkts[1], 1);
	CU_ASSERT_EQUAL(f->bytes[0], 120);
	d = tcp_pkt(0, IDS_TH_FIN | IDS_TH_ACK, 501, 101);
	ids_flow_get(t, &d, 60, 2 * SEC, &dir, &cr);
	CU_ASSERT_EQUAL(f->tcp, IDS_TCP_CLOSING);
	d = tcp_pkt(1, IDS_TH_FIN | IDS_TH_ACK, 101, 502);
	ids_flow_get(t, &d, 60, 2 * SEC, &dir, &cr);
	CU_ASSERT_EQUAL(f->tcp, IDS_TCP_CLOSED);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_tcp_established], 1);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_tcp_fin_close], 1);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_flow_created], 1);
	CU_ASSERT_EQUAL(ids_flow_table_active(t), 1);
	/* Closed flows go after the closed timeout (60 s), not before. */
	CU_ASSERT_EQUAL(ids_flow_expire(t, 61 * SEC, 10), 0);
	CU_ASSERT_EQUAL(ids_flow_expire(t, 62 * SEC, 10), 1);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_flow_timeout_closed], 1);
	CU_ASSERT_EQUAL(ids_flow_table_active(t), 0);
	/* A bad SYN-ACK does not advance the handshake. */
	d = tcp_pkt(1, IDS_TH_SYN, 100, 0);
	f = ids_flow_get(t, &d, 60, 70 * SEC, &dir, &cr);
	d = tcp_pkt(0, IDS_TH_SYN | IDS_TH_ACK, 500, 99999);
	ids_flow_get(t, &d, 60, 70 * SEC, &dir, &cr);
	CU_ASSERT_EQUAL(f->tcp, IDS_TCP_SYN_SENT);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_tcp_bad_synack], 1);
	d = tcp_pkt(0, IDS_TH_RST, 500, 0);
	ids_flow_get(t, &d, 60, 70 * SEC, &dir, &cr);
	CU_ASSERT_EQUAL(f->tcp, IDS_TCP_CLOSED);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_tcp_rst_close], 1);
	/* Port reuse: a SYN on the closed 5-tuple starts a new session. */
	d = tcp_pkt(1, IDS_TH_SYN, 7777, 0);
	g = ids_flow_get(t, &d, 60, 71 * SEC, &dir, &cr);
	CU_ASSERT(cr);
	CU_ASSERT_EQUAL(g->tcp, IDS_TCP_SYN_SENT);
	CU_ASSERT_EQUAL(g->st[0].next_seq, 7778);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_tcp_reuse], 1);
	CU_ASSERT_EQUAL(ids_flow_table_active(t), 1);
	ids_flow_table_free(t);
}

struct mrow {
	const char *name;
	bool midstream, async;
	int tcp_after;		/* state after the script */
	uint64_t midstream_ctr, async_ctr, no_session;
};

static const struct mrow mrows[] = {
	{ "data without SYN, midstream off", false, false, IDS_TCP_NONE, 0, 0, 2 },
	{ "data without SYN, midstream on", true, false, IDS_TCP_ESTABLISHED, 1, 0, 0 },
};

static void
test_ids_flow_midstream(void)
{
	for (size_t i = 0; i < DIM(mrows); i++) {
		const struct mrow *r = &mrows[i];
		struct ids_flow_table *t = mktable(16, r->midstream, r->async);
		struct ids_flow *f;
		struct ids_dec d;
		bool cr;
		int dir;

		if (t == NULL)
			return;
		/* The server speaks first, as in a capture cut midstream. */
		d = tcp_pkt(0, IDS_TH_ACK | IDS_TH_PSH, 7000, 300);
		f = ids_flow_get(t, &d, 100, SEC, &dir, &cr);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		d = tcp_pkt(1, IDS_TH_ACK, 300, 7100);
		ids_flow_get(t, &d, 60, SEC, &dir, &cr);
		CU_ASSERT_EQUAL(f->tcp, r->tcp_after);
		CU_ASSERT_EQUAL(ids_flow_table_counters(t)[IDS_FLOW_C_tcp_midstream],
				r->midstream_ctr);
		CU_ASSERT_EQUAL(ids_flow_table_counters(t)[IDS_FLOW_C_tcp_no_session],
				r->no_session);
		if (r->midstream) {
			/* The first sender's stream starts at its seq, the
			 * other's at its ack. */
			CU_ASSERT_EQUAL(f->st[dir == 0 ? 1 : 0].next_seq, 7000);
			CU_ASSERT_EQUAL(f->st[dir].next_seq, 300);
		}
		ids_flow_table_free(t);
	}
}

static void
test_ids_flow_async(void)
{
	for (int async = 0; async <= 1; async++) {
		struct ids_flow_table *t = mktable(16, false, async);
		struct ids_flow *f;
		struct ids_dec d;
		bool cr;
		int dir;

		if (t == NULL)
			return;
		/* Only the client side is seen: SYN, then ACK + data. */
		d = tcp_pkt(1, IDS_TH_SYN, 100, 0);
		f = ids_flow_get(t, &d, 60, SEC, &dir, &cr);
		d = tcp_pkt(1, IDS_TH_ACK | IDS_TH_PSH, 101, 9001);
		ids_flow_get(t, &d, 60, SEC, &dir, &cr);
		CU_ASSERT_EQUAL(f->tcp, async ? IDS_TCP_ESTABLISHED :
						IDS_TCP_SYN_SENT);
		CU_ASSERT_EQUAL(ids_flow_table_counters(t)[IDS_FLOW_C_tcp_async],
				(uint64_t)async);
		if (async)
			CU_ASSERT_EQUAL(f->st[1].next_seq, 9001);
		ids_flow_table_free(t);
	}
}

static void
test_ids_flow_udp_timeouts_eviction(void)
{
	struct ids_flow_table *t = mktable(2, false, false);
	const uint64_t *ctr;
	struct ids_flow *f1, *f2, *f3;
	struct ids_dec d;
	bool cr;
	int dir;

	if (t == NULL)
		return;
	ctr = ids_flow_table_counters(t);
	memset(&d, 0, sizeof(d));
	d.ip_ver = 4;
	d.proto = IDS_PROTO_UDP;
	d.l4 = true;
	d.src[0] = 1;
	d.dst[0] = 2;
	d.sport = 1000;
	d.dport = 53;
	f1 = ids_flow_get(t, &d, 80, 10 * SEC, &dir, &cr);
	CU_ASSERT(!ids_flow_established(f1));
	/* The reply: same flow, other direction, now established. */
	d.src[0] = 2;
	d.dst[0] = 1;
	d.sport = 53;
	d.dport = 1000;
	CU_ASSERT_PTR_EQUAL(ids_flow_get(t, &d, 80, 10 * SEC, &dir, &cr), f1);
	CU_ASSERT_EQUAL(dir, IDS_DIR_TOCLIENT);
	CU_ASSERT(ids_flow_established(f1));
	d.sport = 54;
	f2 = ids_flow_get(t, &d, 80, 11 * SEC, &dir, &cr);
	CU_ASSERT(cr);
	CU_ASSERT(f2 != f1);
	/* Full: a third flow evicts the oldest new one (f2; f1 is established). */
	d.sport = 55;
	f3 = ids_flow_get(t, &d, 80, 12 * SEC, &dir, &cr);
	CU_ASSERT_PTR_NOT_NULL(f3);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_flow_evicted], 1);
	CU_ASSERT_EQUAL(ids_flow_table_active(t), 2);
	d.sport = 53;		/* f1 is still there */
	CU_ASSERT(ids_flow_get(t, &d, 80, 13 * SEC, &dir, &cr) == f1 && !cr);
	/* New flows go at 60 s idle, established at 600 s. */
	CU_ASSERT_EQUAL(ids_flow_expire(t, 71 * SEC, 10), 0);
	CU_ASSERT_EQUAL(ids_flow_expire(t, 72 * SEC, 10), 1);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_flow_timeout_new], 1);
	CU_ASSERT_EQUAL(ids_flow_expire(t, 612 * SEC, 10), 0);
	CU_ASSERT_EQUAL(ids_flow_expire(t, 613 * SEC, 10), 1);
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_flow_timeout_est], 1);
	CU_ASSERT_EQUAL(ids_flow_table_active(t), 0);
	/* Not IP: not tracked, counted. */
	memset(&d, 0, sizeof(d));
	CU_ASSERT_PTR_NULL(ids_flow_get(t, &d, 60, 0, &dir, &cr));
	CU_ASSERT_EQUAL(ctr[IDS_FLOW_C_flow_nokey], 1);
	ids_flow_table_free(t);
}

/* Many flows in and out: positions stay inside the table, nothing leaks. */
static void
test_ids_flow_churn(void)
{
	struct ids_flow_table *t = mktable(64, false, false);
	struct ids_dec d;
	bool cr;
	int dir;

	if (t == NULL)
		return;
	memset(&d, 0, sizeof(d));
	d.ip_ver = 6;
	d.proto = IDS_PROTO_UDP;
	d.l4 = true;
	for (uint32_t i = 0; i < 5000; i++) {
		struct ids_flow *f;

		memcpy(d.src, &i, sizeof(i));
		d.sport = (uint16_t)i;
		f = ids_flow_get(t, &d, 60, (uint64_t)i * SEC / 100, &dir, &cr);
		CU_ASSERT_PTR_NOT_NULL(f);
		CU_ASSERT(cr);
	}
	CU_ASSERT_EQUAL(ids_flow_table_active(t), 64);
	CU_ASSERT_EQUAL(ids_flow_table_counters(t)[IDS_FLOW_C_flow_evicted],
			5000 - 64);
	ids_flow_flush(t);
	CU_ASSERT_EQUAL(ids_flow_table_active(t), 0);
	CU_ASSERT_EQUAL(ids_flow_table_counters(t)[IDS_FLOW_C_flow_flushed], 64);
	ids_flow_table_free(t);
}

int
tests_setup(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-shconf",
			"--no-pci", "--file-prefix", prefix, "--log-level",
			"lib.eal:error", NULL };

	(void)argc;
	snprintf(prefix, sizeof(prefix), "ids-flow-test-%d", (int)getpid());
	return rte_eal_init((int)DIM(eal) - 1, eal) < 0 ? -1 : 0;
}

void
tests_teardown(void)
{
	rte_eal_cleanup();
}

int
tests_register(void)
{
	CU_pSuite s = CU_add_suite("ids_stream", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "test_ids_stream_table", test_ids_stream_table) == NULL ||
	    CU_add_test(s, "test_ids_stream_lookback", test_ids_stream_lookback) == NULL ||
	    CU_add_test(s, "test_ids_flow_handshake", test_ids_flow_handshake) == NULL ||
	    CU_add_test(s, "test_ids_flow_midstream", test_ids_flow_midstream) == NULL ||
	    CU_add_test(s, "test_ids_flow_async", test_ids_flow_async) == NULL ||
	    CU_add_test(s, "test_ids_flow_udp_timeouts_eviction",
			test_ids_flow_udp_timeouts_eviction) == NULL ||
	    CU_add_test(s, "test_ids_flow_churn", test_ids_flow_churn) == NULL)
		return -1;
	return 0;
}
