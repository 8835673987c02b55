/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect_state: what a match leaves behind: flowbits (per flow,
 * across packets, kept or cleared by a reload) and threshold /
 * detection_filter windows (types limit, threshold, both; tracked by
 * source, destination, rule).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "test_ids_detect.h"

static int
run1(struct ids_detect_ctx *c, struct ids_rules *r, struct ids_pkt *p,
     char *buf, size_t len)
{
	struct ids_match m[MAXM];
	int n = ids_detect(c, r, p, m, MAXM);
	idt_sids(m, n, buf, len);
	return n;
}

static void
test_ids_detect_flowbits(void)
{
	struct ids_rules *r = idt_load(
		"alert tcp any any -> any any (content:\"data\"; flowbits:isset,login; sid:1;)\n"
		"alert tcp any any -> any any (content:\"login\"; flowbits:set,login; flowbits:noalert; sid:2;)\n"
		"alert tcp any any -> any any (content:\"logout\"; flowbits:unset,login; sid:3;)\n"
		"alert tcp any any -> any any (content:\"flip\"; flowbits:toggle,f; sid:4;)\n"
		"alert tcp any any -> any any (content:\"probe\"; flowbits:isset,f; sid:5;)\n"
		"alert tcp any any -> any any (content:\"probe\"; flowbits:isnotset,f; sid:6;)\n"
		"alert tcp any any -> any any (content:\"either\"; flowbits:isset,login|f; sid:7;)\n"
		"alert tcp any any -> any any (content:\"both\"; flowbits:isset,login&f; sid:8;)\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	size_t fsz = ids_detect_flow_state_size(r);
	struct ids_flow_det *fd = malloc(fsz);
	ids_detect_flow_init(r, fd, fsz);
	char got[128];
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 80,
				   "data", 4, EST_TS);
	p.fd = fd;

#define SEND(txt, want) do { \
		p.payload = (const uint8_t *)(txt); \
		p.payload_len = (uint32_t)strlen(txt); \
		run1(c, r, &p, got, sizeof(got)); \
		if (strcmp(got, want) != 0) \
			fprintf(stderr, "%s: want [%s] got [%s]\n", txt, want, got); \
		CU_ASSERT_STRING_EQUAL(got, want); \
	} while (0)

	SEND("data", "");
	SEND("login", "2");
	SEND("data", "1");
	/* setter and reader on one packet: the setter runs first although
	 * it comes later in the file */
	SEND("logout", "3");
	SEND("data", "");
	SEND("login data", "2,1");
	SEND("probe", "6");
	SEND("flip", "4");
	SEND("probe", "5");
	SEND("both", "8");
	SEND("flip", "4");
	SEND("probe", "6");
	SEND("either", "7");
	SEND("both", "");

	/* the noalert setter carries the flag */
	struct ids_match m[8];
	p.payload = (const uint8_t *)"login";
	p.payload_len = 5;
	CU_ASSERT_EQUAL(ids_detect(c, r, &p, m, 8), 1);
	CU_ASSERT(m[0].flags & IDS_RULE_NOALERT);

	/* no flow: isset fails, isnotset holds, set is a no-op */
	p.fd = NULL;
	SEND("data login", "2");
	SEND("probe", "6");
	p.fd = fd;

	/* reload: with prev the bits keep their meaning */
	struct ids_rules_opts o = { .prev = r };
	struct ids_rules *r2 = idt_load_opts(
		"alert tcp any any -> any any (content:\"new\"; flowbits:set,other; sid:10;)\n"
		"alert tcp any any -> any any (content:\"data\"; flowbits:isset,login; sid:11;)\n", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
	struct ids_detect_ctx *c2 = ids_detect_ctx_create(r2);
	CU_ASSERT_EQUAL(ids_detect(c, r2, &p, m, 8), -ESTALE);
	CU_ASSERT(!ids_detect_ctx_fits(c, r2));
	CU_ASSERT(ids_detect_ctx_fits(c2, r2));
	p.payload = (const uint8_t *)"data";
	p.payload_len = 4;
	int n = ids_detect(c2, r2, &p, m, 8);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(n > 0 ? m[0].sid : 0, 11);
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c2)[IDS_DC_flowbits_reset], 0);
	/* without prev: a new namespace, the flow's bits are cleared */
	struct ids_rules *r3 = idt_load(
		"alert tcp any any -> any any (content:\"data\"; flowbits:isset,login; sid:11;)\n");
	struct ids_detect_ctx *c3 = ids_detect_ctx_create(r3);
	CU_ASSERT_EQUAL(ids_detect(c3, r3, &p, m, 8), 0);
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c3)[IDS_DC_flowbits_reset], 1);
	ids_detect_ctx_free(c3);
	ids_rules_free(r3);
	ids_detect_ctx_free(c2);
	ids_rules_free(r2);
	ids_detect_ctx_free(c);
	ids_rules_free(r);
	free(fd);
#undef SEND
}

/* Count alerts of n packets 100 ms apart starting at t0 (ns). */
static int
count_alerts(struct ids_detect_ctx *c, struct ids_rules *r, const char *src,
	     int n, uint64_t t0, uint64_t step)
{
	int alerts = 0;
	struct ids_match m[8];
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, src, 1, "2.2.2.2", 80, "hit", 3,
				   EST_TS);
	for (int k = 0; k < n; k++) {
		p.ts_ns = t0 + (uint64_t)k * step;
		alerts += ids_detect(c, r, &p, m, 8);
	}
	return alerts;
}

static void
test_ids_detect_threshold(void)
{
	const uint64_t S = 1000000000ull, MS = 1000000ull;
	struct {
		const char *opt;
		int n;
		int want;
	} rows[] = {
		{ "threshold:type limit, track by_src, count 2, seconds 10;", 5, 2 },
		{ "threshold:type threshold, track by_src, count 3, seconds 10;", 7, 2 },
		{ "threshold:type both, track by_src, count 2, seconds 10;", 5, 1 },
		{ "threshold:type both, track by_rule, count 1, seconds 10;", 5, 1 },
		{ "detection_filter:track by_src, count 2, seconds 10;", 5, 3 },
		{ "detection_filter:track by_dst, count 4, seconds 10;", 5, 1 },
	};
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		char text[256];
		snprintf(text, sizeof(text),
			 "alert tcp any any -> any any (content:\"hit\"; %s sid:1;)",
			 rows[k].opt);
		struct ids_rules *r = idt_load(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		struct ids_detect_ctx *c = ids_detect_ctx_create(r);
		int a = count_alerts(c, r, "1.1.1.1", rows[k].n, 100 * S, 100 * MS);
		if (a != rows[k].want)
			fprintf(stderr, "%s: want %d got %d\n", rows[k].opt,
				rows[k].want, a);
		CU_ASSERT_EQUAL(a, rows[k].want);
		ids_detect_ctx_free(c);
		ids_rules_free(r);
	}

	/* limit: per source, and the window restarts once it has passed */
	struct ids_rules *r = idt_load(
		"alert tcp any any -> any any (content:\"hit\"; threshold:type limit, track by_src, count 2, seconds 10; sid:1;)");
	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	CU_ASSERT_EQUAL(count_alerts(c, r, "1.1.1.1", 5, 100 * S, MS), 2);
	CU_ASSERT_EQUAL(count_alerts(c, r, "1.1.1.2", 5, 100 * S, MS), 2);
	CU_ASSERT_EQUAL(count_alerts(c, r, "1.1.1.1", 5, 105 * S, MS), 0);
	CU_ASSERT_EQUAL(count_alerts(c, r, "1.1.1.1", 5, 111 * S, MS), 2);
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c)[IDS_DC_thresholded], 14);
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c)[IDS_DC_matches], 20);
	CU_ASSERT_EQUAL(ids_detect_ctx_rule_hits(c, 0), 6);	/* fired */
	CU_ASSERT_EQUAL(ids_detect_ctx_rule_hits(c, 1), 0);	/* no such rule */
	ids_detect_ctx_free(c);
	ids_rules_free(r);

	/* a thresholded drop is not returned, so its action does not apply;
	 * its flowbits still do (Suricata sets them before thresholding) */
	r = idt_load("drop tcp any any -> any any (content:\"hit\"; flowbits:set,seen; threshold:type limit, track by_rule, count 1, seconds 60; sid:1;)\n"
		     "alert tcp any any -> any any (content:\"hit\"; flowbits:isset,seen; sid:2;)\n");
	c = ids_detect_ctx_create(r);
	size_t fsz = ids_detect_flow_state_size(r);
	struct ids_flow_det *fd = malloc(fsz);
	ids_detect_flow_init(r, fd, fsz);
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 80, "hit", 3, EST_TS);
	p.fd = fd;
	char got[64];
	run1(c, r, &p, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "1,2");
	run1(c, r, &p, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "2");
	free(fd);
	ids_detect_ctx_free(c);
	ids_rules_free(r);
}

CU_TestInfo idt_state_tests[] = {
	{ "test_ids_detect_flowbits", test_ids_detect_flowbits },
	{ "test_ids_detect_threshold", test_ids_detect_threshold },
	CU_TEST_INFO_NULL,
};
