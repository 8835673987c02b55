/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect: the matcher. A table of payload rows (every content
 * modifier, its edge cases at the buffer ends, isdataat, dsize, pcre with
 * R), then header and flow matching, stream vs packet inspection,
 * flowbits, thresholds, action order, grouping by port and direction,
 * and a randomised cross-check of the prefilter against evaluating every
 * rule in full.
 *
 * This file: the helpers the suites share (test_ids_detect.h), suite
 * ids_detect (header, flow, action order, match fields, groups, the
 * cross-check, no allocation, the empty set) and the registration. The
 * others: test_ids_detect_payload.c (payload rows, stream) and
 * test_ids_detect_state.c (flowbits, thresholds).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cunit_main.h"
#include "test_ids_detect.h"

struct ids_rules *
idt_load_opts(const char *text, const struct ids_rules_opts *o)
{
	char err[512];
	struct ids_rules *r = ids_rules_load_string(text, "t.rules", o, err,
						    sizeof(err));
	if (r == NULL)
		fprintf(stderr, "load failed: %s\n  %s\n", err, text);
	return r;
}

struct ids_rules *
idt_load(const char *text)
{
	return idt_load_opts(text, NULL);
}

struct ids_pkt
idt_pkt(uint8_t proto, const char *src, uint16_t sport, const char *dst,
	uint16_t dport, const void *pl, uint32_t len, uint32_t flags)
{
	struct ids_pkt p = { 0 };

	p.proto = proto;
	if (strchr(src, ':') != NULL) {
		p.ip_version = 6;
		inet_pton(AF_INET6, src, p.src);
		inet_pton(AF_INET6, dst, p.dst);
	} else {
		p.ip_version = 4;
		inet_pton(AF_INET, src, p.src);
		inet_pton(AF_INET, dst, p.dst);
	}
	p.sport = sport;
	p.dport = dport;
	p.payload = pl;
	p.payload_len = len;
	p.flags = flags;
	return p;
}

/* "1,2,3" of the matches */
void
idt_sids(const struct ids_match *m, int n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int k = 0; k < n && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", k ? "," : "",
				      m[k].sid);
}

/* Runs p through both the prefilter path and the full evaluation on
 * fresh contexts; both must give want. */
bool
idt_expect(struct ids_rules *r, const struct ids_pkt *p, const char *want)
{
	struct ids_detect_ctx *a = ids_detect_ctx_create(r);
	struct ids_detect_ctx *b = ids_detect_ctx_create(r);
	struct ids_match m[MAXM];
	char got1[256], got2[256];

	CU_ASSERT_FATAL(a != NULL && b != NULL);
	int n1 = ids_detect(a, r, p, m, MAXM);
	idt_sids(m, n1, got1, sizeof(got1));
	int n2 = ids_detect_noprefilter(b, r, p, m, MAXM);
	idt_sids(m, n2, got2, sizeof(got2));
	ids_detect_ctx_free(a);
	ids_detect_ctx_free(b);
	bool ok = strcmp(got1, want) == 0 && strcmp(got2, want) == 0;
	if (!ok)
		fprintf(stderr, "want [%s] prefilter [%s] full [%s]\n", want,
			got1, got2);
	return ok;
}

/* Addresses, ports, protocols, directions. */
static void
test_ids_detect_header(void)
{
	struct ids_var v[] = { { "HOME_NET", "[10.0.0.0/8,!10.9.0.0/16]" } };
	struct ids_rules_opts o = { .vars = v, .nvars = 1 };
	struct ids_rules *r = idt_load_opts(
		"alert tcp $HOME_NET any -> $EXTERNAL_NET 80 (sid:1;)\n"
		"alert tcp any [1024:,!5000] -> any any (sid:2;)\n"
		"alert udp 192.168.1.0/24 any <> 8.8.8.8 53 (sid:3;)\n"
		"alert ip 1.1.1.1-1.1.1.5 any -> any any (sid:4;)\n"
		"alert icmp any any -> any any (sid:5;)\n"
		"alert tcp 2001:db8::/32 any -> any [80,443] (sid:6;)\n"
		"alert tcp any :1023 -> any any (sid:7;)\n"
		"alert icmpv4 any any -> any any (sid:8;)\n"
		"alert icmpv6 any any -> any any (sid:9;)\n"
		"alert udp ![1.0.0.0/8,!1.1.0.0/16] any -> any 7 (sid:10;)\n", &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct ids_pkt p;

	p = idt_pkt(IPPROTO_TCP, "10.1.2.3", 40000, "8.8.4.4", 80, "x", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "1,2"));
	p = idt_pkt(IPPROTO_TCP, "10.9.2.3", 40000, "8.8.4.4", 80, "x", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "2"));	/* excluded from HOME_NET */
	p = idt_pkt(IPPROTO_TCP, "10.1.2.3", 5000, "10.2.2.2", 80, "x", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, ""));	/* dst in HOME_NET; sport 5000 negated */
	p = idt_pkt(IPPROTO_TCP, "10.1.2.3", 1023, "10.2.2.2", 81, "x", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "7"));
	p = idt_pkt(IPPROTO_UDP, "192.168.1.7", 3333, "8.8.8.8", 53, "q", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "3"));
	p = idt_pkt(IPPROTO_UDP, "8.8.8.8", 53, "192.168.1.7", 3333, "a", 1, EST_TC);
	CU_ASSERT(idt_expect(r, &p, "3"));	/* <> the other way */
	p = idt_pkt(IPPROTO_UDP, "8.8.8.8", 54, "192.168.1.7", 3333, "a", 1, EST_TC);
	CU_ASSERT(idt_expect(r, &p, ""));
	p = idt_pkt(IPPROTO_UDP, "1.1.1.3", 1, "2.2.2.2", 2, "a", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "4"));
	p = idt_pkt(IPPROTO_ICMP, "1.1.1.6", 0, "2.2.2.2", 0, "a", 1, IDS_PKT_NOFLOW);
	CU_ASSERT(idt_expect(r, &p, "5,8"));
	p = idt_pkt(IPPROTO_ICMPV6, "2001:db8::1", 0, "::2", 0, "a", 1, IDS_PKT_NOFLOW);
	CU_ASSERT(idt_expect(r, &p, "5,9"));	/* icmp covers ICMPv6 */
	/* everything outside 1/8, plus 1.1/16 */
	p = idt_pkt(IPPROTO_UDP, "1.1.3.4", 5, "9.9.9.9", 7, "a", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "10"));
	p = idt_pkt(IPPROTO_UDP, "1.2.3.4", 5, "9.9.9.9", 7, "a", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, ""));
	p = idt_pkt(IPPROTO_UDP, "2.2.3.4", 5, "9.9.9.9", 7, "a", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "10"));
	p = idt_pkt(IPPROTO_UDP, "2001::1", 5, "::9", 7, "a", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "10"));
	p = idt_pkt(IPPROTO_TCP, "2001:db8::1", 999, "::2", 443, "a", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "6,7"));
	p = idt_pkt(IPPROTO_TCP, "2001:db9::1", 999, "::2", 443, "a", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "7"));
	/* a fragment has no ports: port rules skip it, ip rules see it */
	p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 0, "2.2.2.2", 0, "a", 1,
		    IDS_PKT_NOFLOW | IDS_PKT_FRAGMENT);
	CU_ASSERT(idt_expect(r, &p, "4"));
	ids_rules_free(r);
}

static void
test_ids_detect_flow(void)
{
	struct ids_rules *r = idt_load(
		"alert tcp any any -> any any (flow:established,to_server; content:\"q\"; sid:1;)\n"
		"alert tcp any any -> any any (flow:to_client; content:\"q\"; sid:2;)\n"
		"alert tcp any any -> any any (flow:not_established; content:\"q\"; sid:3;)\n"
		"alert tcp any any -> any any (flow:stateless; content:\"q\"; sid:4;)\n"
		"alert tcp any any -> any any (flow:from_server,established; content:\"q\"; sid:5;)\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct ids_pkt p;

	p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 2, "q", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "1,4"));
	p = idt_pkt(IPPROTO_TCP, "2.2.2.2", 2, "1.1.1.1", 1, "q", 1, EST_TC);
	CU_ASSERT(idt_expect(r, &p, "2,4,5"));
	p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 2, "q", 1,
		    IDS_PKT_TO_SERVER | IDS_FLOW_NOT_ESTABLISHED);
	CU_ASSERT(idt_expect(r, &p, "3,4"));
	p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 2, "q", 1, IDS_PKT_NOFLOW);
	CU_ASSERT(idt_expect(r, &p, "4"));
	ids_rules_free(r);
}

static void
test_ids_detect_action_order(void)
{
	struct ids_rules *r = idt_load(
		"alert tcp any any -> any any (content:\"x\"; sid:1;)\n"
		"drop tcp any any -> any any (content:\"x\"; sid:2;)\n"
		"reject tcp any any -> any any (content:\"x\"; sid:3;)\n"
		"alert tcp any any -> any any (content:\"x\"; priority:1; sid:4;)\n"
		"pass tcp any any -> any 22 (content:\"x\"; sid:5;)\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 80, "x", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, "2,3,4,1"));
	p.dport = 22;
	CU_ASSERT(idt_expect(r, &p, "5"));
	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	struct ids_match m[8];
	CU_ASSERT_EQUAL(ids_detect(c, r, &p, m, 8), 1);
	CU_ASSERT_EQUAL(m[0].action, IDS_ACT_PASS);
	CU_ASSERT(m[0].flags & IDS_RULE_NOALERT);
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c)[IDS_DC_pass], 1);
	/* the caller's array bounds the matches */
	p.dport = 80;
	CU_ASSERT_EQUAL(ids_detect(c, r, &p, m, 2), 2);
	CU_ASSERT_EQUAL(m[0].sid, 2);
	CU_ASSERT_EQUAL(m[0].action, IDS_ACT_DROP);
	CU_ASSERT_EQUAL(m[1].action, IDS_ACT_REJECT);
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c)[IDS_DC_truncated], 2);
	ids_detect_ctx_free(c);
	ids_rules_free(r);
}

static void
test_ids_detect_match_fields(void)
{
	struct ids_rules *r = idt_load(
		"alert tcp any any -> any any (msg:\"GPL ATTACK_RESPONSE id check returned root\"; "
		"content:\"uid=0|28|root|29|\"; classtype:bad-unknown; sid:2100498; rev:7;)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	const char *pl = "xx uid=0(root) gid=0(root)";
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 80, "2.2.2.2", 4000, pl,
				   (uint32_t)strlen(pl), EST_TC);
	struct ids_match m[4];
	CU_ASSERT_EQUAL_FATAL(ids_detect(c, r, &p, m, 4), 1);
	CU_ASSERT_EQUAL(m[0].sid, 2100498);
	CU_ASSERT_EQUAL(m[0].gid, 1);
	CU_ASSERT_EQUAL(m[0].rev, 7);
	CU_ASSERT_EQUAL(m[0].priority, 2);
	CU_ASSERT_EQUAL(m[0].action, IDS_ACT_ALERT);
	CU_ASSERT_STRING_EQUAL(m[0].msg, "GPL ATTACK_RESPONSE id check returned root");
	CU_ASSERT_STRING_EQUAL(m[0].category, "Potentially Bad Traffic");
	CU_ASSERT_PTR_EQUAL(m[0].rule, ids_rules_info(r, 0));
	const uint64_t *ctr = ids_detect_ctx_counters(c);
	CU_ASSERT_EQUAL(ctr[IDS_DC_packets], 1);
	CU_ASSERT_EQUAL(ctr[IDS_DC_scans], 1);
	CU_ASSERT_EQUAL(ctr[IDS_DC_candidates], 1);
	CU_ASSERT_EQUAL(ctr[IDS_DC_alerts], 1);
	CU_ASSERT_STRING_EQUAL(ids_detect_counter_names[IDS_DC_packets], "packets");
	CU_ASSERT_STRING_EQUAL(ids_detect_counter_names[IDS_DC_MAX - 1], "pcre_errors");
	/* a packet without the pattern never gets to verification */
	p.payload = (const uint8_t *)"nothing here";
	p.payload_len = 12;
	CU_ASSERT_EQUAL(ids_detect(c, r, &p, m, 4), 0);
	CU_ASSERT_EQUAL(ctr[IDS_DC_candidates], 1);
	ids_detect_ctx_free(c);
	ids_rules_free(r);
}

/* Groups by port and direction: a packet only meets its group's rules. */
static void
test_ids_detect_groups(void)
{
	char *text = malloc(1 << 20), *q = text;
	int sid = 1;
	for (int k = 0; k < 50; k++)
		q += sprintf(q, "alert tcp any any -> any 443 (content:\"hit\"; sid:%d;)\n", sid++);
	q += sprintf(q, "alert tcp any any -> any 80 (content:\"hit\"; sid:%d;)\n", sid++);
	q += sprintf(q, "alert tcp any any -> any any (content:\"hit\"; flow:to_client; sid:%d;)\n", sid++);
	q += sprintf(q, "alert tcp any 80 <> any any (content:\"hit\"; sid:%d;)\n", sid++);
	struct ids_rules *r = idt_load(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* to server: ports 80, 443 and the rest; to client likewise */
	CU_ASSERT_EQUAL(r->map[IDS_PC_TCP][0].ngroups, 3);
	CU_ASSERT_PTR_NOT_NULL(r->map[IDS_PC_TCP][0].port_group);
	CU_ASSERT_EQUAL(r->map[IDS_PC_UDP][0].ngroups, 1);
	CU_ASSERT_EQUAL(r->map[IDS_PC_UDP][0].groups[0].nrules, 0);

	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	struct ids_match m[MAXM];
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1234, "2.2.2.2", 80,
				   "a hit", 5, EST_TS);
	char got[512];
	int n = ids_detect(c, r, &p, m, MAXM);
	idt_sids(m, n, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "51,53");
	/* the 50 port-443 rules were never candidates */
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c)[IDS_DC_candidates], 2);
	p = idt_pkt(IPPROTO_TCP, "2.2.2.2", 80, "1.1.1.1", 1234, "a hit", 5, EST_TC);
	n = ids_detect(c, r, &p, m, MAXM);
	idt_sids(m, n, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "52,53");
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c)[IDS_DC_candidates], 4);
	p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1234, "2.2.2.2", 443, "a hit", 5, EST_TS);
	CU_ASSERT_EQUAL(ids_detect(c, r, &p, m, MAXM), 50);
	ids_detect_ctx_free(c);
	ids_rules_free(r);

	/* more distinct port sets than groups: the rest share one group and
	 * results stay exact */
	q = text;
	for (int k = 0; k < 200; k++)
		q += sprintf(q, "alert udp any any -> any %d (content:\"p%d\"; sid:%d;)\n",
			     1000 + k, k % 7, k + 1);
	q += sprintf(q, "alert udp any any -> any any (content:\"p3\"; sid:999;)\n");
	r = idt_load(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->map[IDS_PC_UDP][0].ngroups, 65);
	for (int port = 1000; port < 1200; port += 13) {
		char want[32];
		p = idt_pkt(IPPROTO_UDP, "1.1.1.1", 5, "2.2.2.2", (uint16_t)port,
			    "xx p3 yy", 8, EST_TS);
		if ((port - 1000) % 7 == 3)
			snprintf(want, sizeof(want), "%d,999", port - 1000 + 1);
		else
			snprintf(want, sizeof(want), "999");
		CU_ASSERT(idt_expect(r, &p, want));
	}
	ids_rules_free(r);
	free(text);
}

/* Random rules and packets: the prefilter path must give exactly what
 * evaluating every rule gives. */
static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void
test_ids_detect_crosscheck(void)
{
	static const char *const words[] = { "ab", "abc", "GET", "get", "xyz",
		"|00 01|", "HTTP/1.1", "bc", "a", "zz" };
	static const char *const ports[] = { "any", "80", "443", "[80,8080]",
		"!80", "1000:2000", "any", "any" };
	static const char *const flows[] = { "", "flow:to_server;",
		"flow:to_client;", "flow:established;", "" };
	char *text = malloc(1 << 20), *q = text;
	int nrules = 400;

	for (int k = 0; k < nrules; k++) {
		const char *proto = rnd(3) == 0 ? "udp" : rnd(5) == 0 ? "ip" : "tcp";
		q += sprintf(q, "alert %s any %s -> any %s (", proto,
			     proto[0] == 'i' || rnd(3) == 0 ? "any" : ports[rnd(8)],
			     proto[0] == 'i' || rnd(4) == 0 ? "any" : ports[rnd(8)]);
		int nc = (int)rnd(3);
		for (int j = 0; j <= nc; j++) {
			q += sprintf(q, "content:%s\"%s\"; ", rnd(8) == 0 ? "!" : "",
				     words[rnd(10)]);
			if (rnd(4) == 0)
				q += sprintf(q, "nocase; ");
			if (j > 0 && rnd(2) == 0)
				q += sprintf(q, "distance:%d; ", (int)rnd(4) - 1);
			else if (rnd(5) == 0)
				q += sprintf(q, "offset:%d; ", (int)rnd(4));
		}
		if (rnd(6) == 0)
			q += sprintf(q, "pcre:\"/%s/i\"; ", rnd(2) ? "a.c" : "g[e]t");
		if (rnd(8) == 0)
			q += sprintf(q, "dsize:>%d; ", (int)rnd(20));
		q += sprintf(q, "%s sid:%d;)\n", flows[rnd(5)], k + 1);
	}
	struct ids_rules *r = idt_load(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct ids_detect_ctx *a = ids_detect_ctx_create(r);
	struct ids_detect_ctx *b = ids_detect_ctx_create(r);
	static const char alpha[] = "abcxyzGETHTP/1. \x00\x01get";
	uint8_t pl[64];
	struct ids_match m1[512], m2[512];
	unsigned int diffs = 0, total = 0;
	static const uint16_t dports[] = { 80, 443, 8080, 1500, 22, 53 };
	for (int k = 0; k < 3000; k++) {
		uint32_t len = rnd(40);
		for (uint32_t j = 0; j < len; j++)
			pl[j] = (uint8_t)alpha[rnd(sizeof(alpha) - 1)];
		struct ids_pkt p = idt_pkt(rnd(3) == 0 ? IPPROTO_UDP : IPPROTO_TCP,
					   "1.2.3.4", 5555, "5.6.7.8",
					   dports[rnd(6)], pl, len,
					   rnd(2) ? EST_TS : EST_TC);
		if (rnd(4) == 0)
			p.flags &= ~IDS_FLOW_ESTABLISHED;
		int n1 = ids_detect(a, r, &p, m1, 512);
		int n2 = ids_detect_noprefilter(b, r, &p, m2, 512);
		total += (unsigned int)n1;
		if (n1 != n2) {
			diffs++;
			continue;
		}
		for (int j = 0; j < n1; j++)
			if (m1[j].sid != m2[j].sid) {
				diffs++;
				break;
			}
	}
	CU_ASSERT_EQUAL(diffs, 0);
	CU_ASSERT(total > 1000);	/* the rules did match something */
	/* the prefilter did its job: far fewer rules looked at */
	CU_ASSERT(ids_detect_ctx_counters(a)[IDS_DC_candidates] * 2 <
		  ids_detect_ctx_counters(b)[IDS_DC_candidates]);
	ids_detect_ctx_free(a);
	ids_detect_ctx_free(b);
	ids_rules_free(r);
	free(text);
}

/*
 * No allocation per packet: count malloc/calloc/realloc while packets are
 * inspected, by interposing glibc's allocator. Not under ASan, which owns
 * the allocator itself (the test is then not registered, not passed).
 */
#include "alloc_count.h"
#if IDS_COUNT_ALLOC

static void
test_ids_detect_no_alloc(void)
{
	struct ids_rules *r = idt_load(
		"alert tcp any any -> any any (content:\"GET\"; pcre:\"/^ \\/[a-z]+/R\"; sid:1;)\n"
		"alert tcp any any -> any 80 (content:\"login\"; flowbits:set,l; sid:2;)\n"
		"alert tcp any any -> any any (content:\"data\"; flowbits:isset,l; threshold:type limit, track by_src, count 3, seconds 1; sid:3;)\n"
		"alert udp any any -> any any (dsize:>2; sid:4;)\n"
		"alert ip any any -> any any (content:!\"zz\"; sid:5;)\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	size_t fsz = ids_detect_flow_state_size(r);
	struct ids_flow_det *fd = malloc(fsz);
	ids_detect_flow_init(r, fd, fsz);
	static const char *const pl[] = { "GET /index.html", "login", "data",
		"nothing", "GET x", "zz" };
	struct ids_match m[8];
	unsigned long total = 0;

	alloc_count = 0;
	alloc_watch = 1;
	for (int k = 0; k < 20000; k++) {
		const char *t = pl[k % 6];
		struct ids_pkt p = idt_pkt(k % 3 ? IPPROTO_TCP : IPPROTO_UDP,
					   "1.1.1.1", 1000, "2.2.2.2", 80, t,
					   (uint32_t)strlen(t), EST_TS);
		p.ts_ns = (uint64_t)k * 1000000;
		p.src[3] = (uint8_t)k;
		p.fd = fd;
		if (k % 5 == 0) {
			p.flags |= IDS_PKT_STREAM;
			p.stream = (const uint8_t *)"GET /stream data";
			p.stream_len = 16;
		}
		int n = ids_detect(c, r, &p, m, 8);
		total += n > 0 ? (unsigned long)n : 0;
	}
	alloc_watch = 0;
	CU_ASSERT_EQUAL(alloc_count, 0);
	CU_ASSERT(total > 10000);
	free(fd);
	ids_detect_ctx_free(c);
	ids_rules_free(r);
}
#endif

static void
test_ids_detect_empty_set(void)
{
	struct ids_rules *r = idt_load("# nothing\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(ids_rules_count(r), 0);
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 2, "x", 1, EST_TS);
	CU_ASSERT(idt_expect(r, &p, ""));
	ids_rules_free(r);
}

int
tests_register(void)
{
	static CU_TestInfo tests[] = {
		{ "test_ids_detect_header", test_ids_detect_header },
		{ "test_ids_detect_flow", test_ids_detect_flow },
		{ "test_ids_detect_action_order", test_ids_detect_action_order },
		{ "test_ids_detect_match_fields", test_ids_detect_match_fields },
		{ "test_ids_detect_groups", test_ids_detect_groups },
		{ "test_ids_detect_crosscheck", test_ids_detect_crosscheck },
		{ "test_ids_detect_empty_set", test_ids_detect_empty_set },
#if IDS_COUNT_ALLOC
		{ "test_ids_detect_no_alloc", test_ids_detect_no_alloc },
#endif
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ .pName = "ids_detect_payload", .pTests = idt_payload_tests },
		{ .pName = "ids_detect", .pTests = tests },
		{ .pName = "ids_detect_state", .pTests = idt_state_tests },
		CU_SUITE_INFO_NULL,
	};

	return CU_register_suites(suites) == CUE_SUCCESS ? 0 : -1;
}
