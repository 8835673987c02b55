/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall_reload: 100 reloads under load (every packet sent is passed
 * or dropped, both rule sets applied), and a reload on an idle stage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "test_firewall.h"

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
		len[i] = fwt_build(&s[i], b);
		memcpy(tmpl[i], b, RTE_MIN(len[i], 64u));
		len[i] = RTE_MIN(len[i], 64u);
	}
	while (!l->stop) {
		struct rte_mbuf *m[32];
		uint16_t out;

		if (rte_pktmbuf_alloc_bulk(fwt_pool, m, 32) != 0)
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
	len = fwt_build(&tcp, b);
	m[0] = fwt_mbuf(b, len, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m[0]);
	CU_ASSERT_EQUAL(fw_stage_burst(st, m, 1, drops), 1);
	CU_ASSERT_EQUAL(fw_stage_rule_hits(st, 0), 1);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(fw_stage_reload(st, fw_rules_parse("b",
				"default allow\ndrop name tcp proto tcp\n", err,
				sizeof(err))), 0);
	CU_ASSERT_EQUAL(fw_stage_reloads(st), 3);
	CU_ASSERT_EQUAL(fw_stage_rule_hits(st, 0), 0);
	m[1] = fwt_mbuf(b, len, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m[1]);
	CU_ASSERT_EQUAL(fw_stage_burst(st, m, 2, drops), 0);
	CU_ASSERT_EQUAL(drops[FW_DROP_RULE], 2);
	CU_ASSERT_EQUAL(fw_stage_rule_hits(st, 0), 2);
	CU_ASSERT_EQUAL(fw_stage_reload(st, NULL), -EINVAL);
	fw_stage_free(st);
}

CU_TestInfo fwt_reload_tests[] = {
	{ "test_firewall_reload_idle", test_firewall_reload_idle },
	{ "test_firewall_reload_under_load", test_firewall_reload_under_load },
	CU_TEST_INFO_NULL,
};
