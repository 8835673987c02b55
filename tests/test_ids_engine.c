/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_engine: the engine in IDS and IPS mode on frames built here:
 * alerts allowed, drop rules drop the packet and the rest of the flow
 * (ids_drop, ids_flow_drop), pass rules end inspection of the flow,
 * malformed frames dropped only when asked (ids_malformed), and every
 * packet is accounted for; the logger far behind, a reload keeping the
 * flowbits, no allocation per packet, chained mbufs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "ids_engine.h"
#include "ids_rec.h"

#include "test_ids_eve.h"

static uint32_t
frame(uint8_t *b, uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
      const char *payload, bool from_client)
{
	uint32_t plen = payload ? (uint32_t)strlen(payload) : 0;
	uint16_t tot = (uint16_t)(40 + plen);
	uint8_t *ip = b + 14, *th = ip + 20;

	memset(b, 0, 54);
	b[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10; ip[15] = from_client ? 1 : 2;
	ip[16] = 10; ip[19] = from_client ? 2 : 1;
	th[0] = (uint8_t)(sport >> 8); th[1] = (uint8_t)sport;
	th[2] = (uint8_t)(dport >> 8); th[3] = (uint8_t)dport;
	th[4] = (uint8_t)(seq >> 24); th[5] = (uint8_t)(seq >> 16);
	th[6] = (uint8_t)(seq >> 8); th[7] = (uint8_t)seq;
	th[12] = 0x50;
	th[13] = flags;
	if (plen)
		memcpy(th + 20, payload, plen);
	return 54 + plen;
}

static const char RULES[] =
	"alert tcp any any -> any 80 (msg:\"hello\"; content:\"hello\"; sid:1;)\n"
	"drop tcp any any -> any 6667 (msg:\"irc\"; content:\"NICK\"; sid:2;)\n"
	"pass tcp any any -> any 873 (msg:\"rsync\"; content:\"@RSYNCD\"; sid:3;)\n"
	"alert tcp any any -> any 873 (msg:\"after pass\"; content:\"secret\"; sid:4;)\n";

struct vrow {
	const char *name;
	enum ids_mode mode;
	bool drop_malformed;
	uint16_t dport;
	const char *p1, *p2;	/* two data packets of one session */
	bool malformed_first;	/* a broken frame before them */
	enum ids_verdict v1, v2;
	unsigned int alerts, drops_logged;
	uint64_t ids_drop, ids_flow_drop, ids_malformed;
};

static const struct vrow vrows[] = {
	{ "ids: alert, forwarded", IDS_MODE_IDS, false, 80, "hello", "x",
	  false, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
	{ "ids: drop rule only alerts", IDS_MODE_IDS, false, 6667, "NICK a", "b",
	  false, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
	{ "ips: drop rule drops the packet and the flow", IDS_MODE_IPS, false, 6667,
	  "NICK a", "PRIVMSG", false, IDS_DROP, IDS_DROP, 1, 1, 1, 1, 0 },
	{ "ips: pass rule ends inspection", IDS_MODE_IPS, false, 873,
	  "@RSYNCD: 31", "secret", false, IDS_PASS, IDS_PASS, 0, 0, 0, 0, 0 },
	{ "ids: without the pass, the later rule alerts", IDS_MODE_IDS, false, 873,
	  "hi", "secret", false, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
	{ "ips: malformed dropped when asked", IDS_MODE_IPS, true, 80, "hello", "x",
	  true, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 1 },
	{ "ips: malformed passed by default", IDS_MODE_IPS, false, 80, "hello", "x",
	  true, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
};

static void
test_ids_engine_verdicts(void)
{
	char err[512];
	struct ids_rules *rules = ids_rules_load_string(RULES, "verdicts.rules",
							 &(struct ids_rules_opts){ 0 },
							 err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(rules);
	for (size_t i = 0; i < DIM(vrows); i++) {
		const struct vrow *r = &vrows[i];
		struct ids_engine_conf c;
		struct ids_engine *e;
		struct ids_rec *recs[64];
		unsigned int alerts = 0, drops = 0, n, pkts = 0;
		uint8_t b[256];
		uint32_t len;
		const uint64_t *ctr;
		enum ids_verdict v1, v2;
		uint64_t t = 1000000000ull;

		ids_engine_conf_default(&c);
		c.mode = r->mode;
		c.drop_malformed = r->drop_malformed;
		c.flow.max_flows = 64;
		c.stream.memcap_segs = 64;
		e = ids_engine_create(&c, rules, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		if (r->malformed_first) {
			len = frame(b, 1, 2, 0x10, 0, NULL, true);
			b[14] = 0x41;	/* IHL 4: broken */
			CU_ASSERT_EQUAL(ids_engine_packet(e, b, len, len, t, ++pkts),
					r->drop_malformed ? IDS_DROP : IDS_PASS);
		}
		len = frame(b, 40000, r->dport, 0x02, 100, NULL, true);
		ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, r->dport, 40000, 0x12, 500, NULL, false);
		b[14 + 20 + 8] = 0; b[14 + 20 + 11] = 101;	/* ack 101 */
		ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, 40000, r->dport, 0x10, 101, NULL, true);
		ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, 40000, r->dport, 0x18, 101, r->p1, true);
		v1 = ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, 40000, r->dport, 0x18, 101 + (uint32_t)strlen(r->p1),
			    r->p2, true);
		v2 = ids_engine_packet(e, b, len, len, t, ++pkts);
		ids_engine_flush(e);
		while ((n = ids_recq_poll(ids_engine_recq(e), recs, DIM(recs))) > 0) {
			for (unsigned int k = 0; k < n; k++) {
				alerts += recs[k]->type == IDS_REC_ALERT;
				drops += recs[k]->type == IDS_REC_DROP;
				if (recs[k]->type == IDS_REC_ALERT)
					CU_ASSERT_EQUAL(!!(recs[k]->flags & IDS_RECF_BLOCKED),
							r->mode == IDS_MODE_IPS &&
								recs[k]->sid == 2);
			}
			ids_recq_done(ids_engine_recq(e), recs, n);
		}
		ctr = ids_engine_counters(e);
		if (v1 != r->v1 || v2 != r->v2 || alerts != r->alerts)
			fprintf(stderr, "\n  row '%s': verdicts %d %d alerts %u\n",
				r->name, v1, v2, alerts);
		CU_ASSERT_EQUAL(v1, r->v1);
		CU_ASSERT_EQUAL(v2, r->v2);
		CU_ASSERT_EQUAL(alerts, r->alerts);
		CU_ASSERT_EQUAL(drops, r->drops_logged);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_ids_drop], r->ids_drop);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_ids_flow_drop], r->ids_flow_drop);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_ids_malformed], r->ids_malformed);
		/* Every packet is in exactly one place. */
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_pkts], pkts);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_pass] + ctr[IDS_ENG_C_ids_drop] +
					ctr[IDS_ENG_C_ids_flow_drop] +
					ctr[IDS_ENG_C_ids_malformed],
				pkts);
		ids_engine_free(e);
	}
	ids_rules_free(rules);
}

/* The logger far behind: records are lost and counted, packets go on. */
static void
test_ids_engine_ring_full(void)
{
	char err[512];
	struct ids_rules *rules = ids_rules_load_string(
		"alert udp any any -> any any (msg:\"u\"; content:\"x\"; sid:9;)\n",
		"ring.rules", &(struct ids_rules_opts){ 0 }, err, sizeof(err));
	struct ids_engine_conf c;
	struct ids_engine *e;
	uint8_t b[64];
	const uint64_t *ctr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rules);
	ids_engine_conf_default(&c);
	c.rec_ring = 8;
	c.flow_records = false;
	c.flow.max_flows = 16;
	c.stream.memcap_segs = 16;
	e = ids_engine_create(&c, rules, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	memset(b, 0, sizeof(b));
	b[12] = 0x08;
	b[14] = 0x45; b[17] = 29; b[22] = 64; b[23] = 17;
	b[26] = 10; b[29] = 1; b[30] = 10; b[33] = 2;
	b[34] = 0x10; b[36] = 0x10; b[39] = 9;
	b[42] = 'x';
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(ids_engine_packet(e, b, 43, 60, 1000 + (uint64_t)i, 0),
				IDS_PASS);
	ctr = ids_engine_counters(e);
	CU_ASSERT_EQUAL(ctr[IDS_ENG_C_alerts], 100);
	CU_ASSERT_EQUAL(ctr[IDS_ENG_C_records_lost], 92);
	CU_ASSERT_EQUAL(ids_recq_lost(ids_engine_recq(e)), 92);
	ids_engine_free(e);
	ids_rules_free(rules);
}

/* A reload keeps the flows and their flowbits (the new set keeps the old
 * one's numbering), and a set needing more flow state than was reserved is
 * refused with the old one kept. */
static void
test_ids_engine_reload_keeps_flowbits(void)
{
	char err[512];
	struct ids_rules_opts o = { 0 };
	struct ids_rules *a, *b;
	struct ids_engine_conf c;
	struct ids_engine *e;
	struct ids_rec *recs[16];
	uint8_t f[256];
	uint32_t len;
	unsigned int n, alerts = 0;

	a = ids_rules_load_string(
		"alert tcp any any -> any 80 (msg:\"login\"; content:\"LOGIN\"; "
		"flowbits:set,in; flowbits:noalert; sid:1;)\n",
		"a.rules", &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	o.prev = a;
	b = ids_rules_load_string(
		"alert tcp any any -> any 80 (msg:\"login\"; content:\"LOGIN\"; "
		"flowbits:set,in; flowbits:noalert; sid:1;)\n"
		"alert tcp any any -> any 80 (msg:\"after login\"; content:\"GET\"; "
		"flowbits:isset,in; sid:2;)\n",
		"b.rules", &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	ids_engine_conf_default(&c);
	c.flow.max_flows = 16;
	c.stream.memcap_segs = 16;
	e = ids_engine_create(&c, a, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	/* A UDP-free TCP flow without a handshake: packets inspected alone. */
	len = frame(f, 40000, 80, 0x18, 1, "LOGIN bob", true);
	ids_engine_packet(e, f, len, len, 1000, 1);
	CU_ASSERT_EQUAL(ids_engine_set_rules(e, b), 0);
	len = frame(f, 40000, 80, 0x18, 10, "GET /", true);
	ids_engine_packet(e, f, len, len, 2000, 2);
	while ((n = ids_recq_poll(ids_engine_recq(e), recs, 16)) > 0) {
		for (unsigned int i = 0; i < n; i++)
			alerts += recs[i]->type == IDS_REC_ALERT && recs[i]->sid == 2;
		ids_recq_done(ids_engine_recq(e), recs, n);
	}
	CU_ASSERT_EQUAL(alerts, 1);
	CU_ASSERT_EQUAL(ids_engine_flows_active(e), 1);
	ids_engine_free(e);
	ids_rules_free(b);
	ids_rules_free(a);
}

/*
 * No allocation per packet in the engine: glibc's allocator interposed
 * and counted while packets go through (sessions in and out of order,
 * UDP, malformed frames, evictions of a small table, closes with held
 * data, alerts, a full record queue). Not under ASan, which owns the
 * allocator (the test is then not registered, not passed).
 */
#include "alloc_count.h"
#if IDS_COUNT_ALLOC

static void
test_ids_engine_no_alloc(void)
{
	char err[512];
	struct ids_rules *r = ids_rules_load_string(RULES, "noalloc.rules",
						     &(struct ids_rules_opts){ 0 },
						     err, sizeof(err));
	struct ids_engine_conf c;
	struct ids_engine *e;
	uint8_t b[256];
	uint32_t len;
	uint64_t t = 1000000000ull;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ids_engine_conf_default(&c);
	c.mode = IDS_MODE_IPS;
	c.drop_malformed = true;
	c.rec_ring = 16;	/* fills: records lost, counted */
	c.flow.max_flows = 8;	/* evictions */
	c.stream.memcap_segs = 4;	/* memcap */
	e = ids_engine_create(&c, r, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	alloc_count = 0;
	alloc_watch = 1;
	for (uint16_t k = 0; k < 2000; k++) {
		uint16_t sp = (uint16_t)(10000 + k % 50);
		uint16_t dp = (uint16_t)(k % 3 == 0 ? 80 : k % 3 == 1 ? 6667 : 873);

		t += 1000000;
		len = frame(b, sp, dp, 0x02, 100, NULL, true);
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, dp, sp, 0x12, 500, NULL, false);
		b[14 + 20 + 11] = 101;
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x18, 106, "lo NICK", true);	/* held */
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x18, 101, "hello", true);
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x18, 120, "@RSYNCD secret", true);
		ids_engine_packet(e, b, len, len, t, k);
		b[14] = 0x4f;		/* malformed */
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x11, 200, NULL, true);	/* FIN */
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, dp, sp, 0x14, 500, NULL, false);	/* RST */
		ids_engine_packet(e, b, len, len, t, k);
	}
	ids_engine_tick(e, t + 3600ull * 1000000000ull);
	ids_engine_flush(e);
	alloc_watch = 0;
	CU_ASSERT_EQUAL(alloc_count, 0);
	CU_ASSERT(ids_engine_counters(e)[IDS_ENG_C_alerts] > 1000);
	CU_ASSERT(ids_engine_counters(e)[IDS_ENG_C_records_lost] > 0);
	CU_ASSERT(ids_engine_flow_counters(e)[IDS_FLOW_C_flow_evicted] > 0);
	ids_engine_free(e);
	ids_rules_free(r);
}
#endif

/* A frame in a chain of mbufs is linearised and inspected whole: the
 * pattern sits across the segment boundary. */
static void
test_ids_engine_chained_mbuf(void)
{
	char err[512];
	struct ids_rules *r = ids_rules_load_string(RULES, "mbuf.rules",
						     &(struct ids_rules_opts){ 0 },
						     err, sizeof(err));
	struct rte_mempool *mp = rte_pktmbuf_pool_create("ids_test_mp", 63, 0, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE,
							 SOCKET_ID_ANY);
	struct ids_engine_conf c;
	struct ids_engine *e;
	struct rte_mbuf *m1, *m2;
	uint8_t b[256];
	uint32_t len, cut;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
	ids_engine_conf_default(&c);
	c.flow.max_flows = 16;
	c.stream.memcap_segs = 16;
	e = ids_engine_create(&c, r, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	len = frame(b, 40000, 80, 0x18, 1, "xxhelloxx", true);
	cut = 54 + 4;		/* inside "hello" */
	m1 = rte_pktmbuf_alloc(mp);
	m2 = rte_pktmbuf_alloc(mp);
	CU_ASSERT_FATAL(m1 != NULL && m2 != NULL);
	memcpy(rte_pktmbuf_append(m1, (uint16_t)cut), b, cut);
	memcpy(rte_pktmbuf_append(m2, (uint16_t)(len - cut)), b + cut, len - cut);
	CU_ASSERT_EQUAL(rte_pktmbuf_chain(m1, m2), 0);
	CU_ASSERT_EQUAL(ids_engine_mbuf(e, m1, 1000), IDS_PASS);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_linearised], 1);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_alerts], 1);
	/* A contiguous one is read in place. */
	rte_pktmbuf_free(m1);
	m1 = rte_pktmbuf_alloc(mp);
	memcpy(rte_pktmbuf_append(m1, (uint16_t)len), b, len);
	ids_engine_mbuf(e, m1, 2000);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_linearised], 1);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_alerts], 2);
	rte_pktmbuf_free(m1);
	ids_engine_free(e);
	rte_mempool_free(mp);
	ids_rules_free(r);
}

CU_TestInfo test_ids_engine_tests[] = {
	{ "test_ids_engine_verdicts", test_ids_engine_verdicts },
	{ "test_ids_engine_ring_full", test_ids_engine_ring_full },
	{ "test_ids_engine_reload_keeps_flowbits", test_ids_engine_reload_keeps_flowbits },
	{ "test_ids_engine_chained_mbuf", test_ids_engine_chained_mbuf },
#if IDS_COUNT_ALLOC
	{ "test_ids_engine_no_alloc", test_ids_engine_no_alloc },
#endif
	CU_TEST_INFO_NULL,
};
