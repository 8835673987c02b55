/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall_rules: the ACL table with failure rows, the policies
 * (malformed classify, default allow), bad rules and their
 * file:line:col messages, rules loaded from a file.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "test_firewall.h"

/* The rule set of the ACL table: overlapping rules, first match wins. */
static const char acl_rules[] =
	"# ACL table\n"
	"default drop\n"
	"malformed drop\n"
	"allow name web proto tcp dst 192.0.2.0/24 dport 80\n"		/* 0 */
	"drop  name bad-src src 192.0.2.0/25\n"				/* 1 */
	"allow name hi-ports proto udp sport 1024-65535 dport 5000-5010\n" /* 2 */
	"allow name net10 src 10.0.0.0/8 dst 10.1.0.0/16\n"		/* 3 */
	"drop  name v6-dns proto udp dst 2001:db8::/32 dport 53\n"	/* 4 */
	"allow name v6-net src 2001:db8:1::/48\n"			/* 5 */
	"allow name icmp proto icmp\n"					/* 6 */
	"drop  name host-exact src 198.51.100.7 dst 198.51.100.8\n"	/* 7 */
	"allow name anyv4 src 0.0.0.0/0\n"				/* 8 */
	"allow name v6-any-tcp proto tcp sport 0-65535\n";		/* 9 */

static const struct acl_row {
	const char *what;
	struct spec s;
	int rule;		/* expected deciding rule */
	int verdict;
} acl_rows[] = {
	{ "tcp to web", { .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "tcp to web, wrong port", { .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 81 }, 8, FW_ALLOW },
	{ "web rule before bad-src", { .proto = 6, .src = "192.0.2.1", .dst = "192.0.2.10", .sport = 1, .dport = 80 }, 0, FW_ALLOW },
	{ "bad-src drop", { .proto = 17, .src = "192.0.2.1", .dst = "192.0.2.10", .sport = 1, .dport = 80 }, 1, FW_DROP },
	{ "bad-src /25 edge", { .proto = 17, .src = "192.0.2.127", .dst = "8.8.8.8", .sport = 1, .dport = 2 }, 1, FW_DROP },
	{ "outside /25", { .proto = 17, .src = "192.0.2.128", .dst = "8.8.8.8", .sport = 1, .dport = 2 }, 8, FW_ALLOW },
	{ "udp range low edge", { .proto = 17, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 1024, .dport = 5000 }, 2, FW_ALLOW },
	{ "udp range high edge", { .proto = 17, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 65535, .dport = 5010 }, 2, FW_ALLOW },
	{ "udp sport below range", { .proto = 17, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 1023, .dport = 5000 }, 8, FW_ALLOW },
	{ "tcp not udp range", { .proto = 6, .src = "172.16.0.1", .dst = "8.8.8.8", .sport = 2000, .dport = 5005 }, 8, FW_ALLOW },
	{ "net10", { .proto = 47, .src = "10.9.9.9", .dst = "10.1.2.3" }, 3, FW_ALLOW },
	{ "exact host drop", { .proto = 6, .src = "198.51.100.7", .dst = "198.51.100.8", .sport = 9, .dport = 9 }, 7, FW_DROP },
	{ "exact host, other dst", { .proto = 6, .src = "198.51.100.7", .dst = "198.51.100.9", .sport = 9, .dport = 9 }, 8, FW_ALLOW },
	{ "icmp v4", { .proto = 1, .src = "192.0.2.200", .dst = "1.1.1.1" }, 6, FW_ALLOW },
	{ "icmp after bad-src", { .proto = 1, .src = "192.0.2.2", .dst = "1.1.1.1" }, 1, FW_DROP },
	{ "v6 dns drop", { .v6 = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8:ffff::53", .sport = 999, .dport = 53 }, 4, FW_DROP },
	{ "v6 net allow", { .v6 = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8:ffff::53", .sport = 999, .dport = 54 }, 5, FW_ALLOW },
	{ "v6 tcp any port", { .v6 = 1, .proto = 6, .src = "2001:db9::1", .dst = "2001:db9::2", .sport = 1, .dport = 2 }, 9, FW_ALLOW },
	{ "v6 udp default", { .v6 = 1, .proto = 17, .src = "2001:db9::1", .dst = "2001:db9::2", .sport = 1, .dport = 2 }, FW_RULE_DEFAULT, FW_DROP },
	{ "v6 /48 edge out", { .v6 = 1, .proto = 17, .src = "2001:db8:2::1", .dst = "::1", .sport = 1, .dport = 2 }, FW_RULE_DEFAULT, FW_DROP },
	{ "802.1Q tcp to web", { .vlans = 1, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "QinQ v6 dns", { .vlans = 2, .v6 = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::53", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "IPv4 options", { .ihl_words = 10, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "v4 non-first fragment: L3 only", { .frag = 100, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 8, FW_ALLOW },
	{ "v4 first fragment (MF) has ports", { .frag = 0x2000, .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .sport = 1234, .dport = 80 }, 0, FW_ALLOW },
	{ "v6 hop+route+dst ext headers", { .v6 = 1, .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS }, .n_ext = 3, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "v6 ext chain", { .v6 = 1, .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS, IPPROTO_AH }, .n_ext = 4, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "v6 first fragment", { .v6 = 1, .ext = { IPPROTO_FRAGMENT }, .n_ext = 1, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 4, FW_DROP },
	{ "v6 non-first fragment: L3 only", { .v6 = 1, .ext = { IPPROTO_FRAGMENT }, .n_ext = 1, .frag = 8, .proto = 17, .src = "2001:db8:1::1", .dst = "2001:db8::1", .sport = 1, .dport = 53 }, 5, FW_ALLOW },
	{ "ARP: no rule without tuple", { .etype = 0x0806 }, FW_RULE_DEFAULT, FW_DROP },
	{ "v4 truncated in TCP ports", { .proto = 6, .src = "203.0.113.1", .dst = "192.0.2.10", .dport = 80, .cut = 18 }, FW_RULE_MALFORMED, FW_DROP },
	{ "v4 truncated in options", { .ihl_words = 10, .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .cut = 45 }, FW_RULE_MALFORMED, FW_DROP },
	{ "v6 truncated ext header", { .v6 = 1, .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING }, .n_ext = 2, .proto = 17, .src = "::1", .dst = "::2", .cut = 30 }, FW_RULE_MALFORMED, FW_DROP },
	{ "802.1Q tag cut", { .vlans = 1, .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .cut = 58 }, FW_RULE_MALFORMED, FW_DROP },
};

static void
test_firewall_acl_table(void)
{
	char err[256];
	struct fw_rules *r = fw_rules_parse("acl", acl_rules, err, sizeof(err));
	unsigned int i, fails = 0;

	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(fw_rules_count(r), 10);
	CU_ASSERT_STRING_EQUAL(fw_rules_name(r, 1), "bad-src");
	for (i = 0; i < RTE_DIM(acl_rows); i++) {
		int rule = 12345, v = fwt_classify_one(r, &acl_rows[i].s, &rule);

		if (!fwt_holds_ext(&acl_rows[i].s)) {
			printf("\n  row %u \"%s\": the packet built does not hold its extension headers",
			       i, acl_rows[i].what);
			fails++;
		}

		if (v != acl_rows[i].verdict || rule != acl_rows[i].rule) {
			printf("\n  row %u \"%s\": rule %d verdict %d, expected rule %d verdict %d",
			       i, acl_rows[i].what, rule, v, acl_rows[i].rule,
			       acl_rows[i].verdict);
			fails++;
		}
	}
	CU_ASSERT_EQUAL(fails, 0);
	fw_rules_free(r);
}

/* Policies: malformed classify, default allow, a rule that matches all. */
static void
test_firewall_acl_policies(void)
{
	static const struct spec cut = { .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .cut = 18 };
	static const struct spec arp = { .etype = 0x0806 };
	static const struct spec tcp = { .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 1, .dport = 2 };
	char err[256];
	struct fw_rules *r;
	int rule;

	/* No rules at all: default allow. */
	r = fw_rules_parse("p1", "# nothing\n", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &tcp, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, FW_RULE_DEFAULT);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &cut, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, FW_RULE_MALFORMED);
	fw_rules_free(r);

	/* malformed classify: a cut packet reaches the match-all rule. */
	r = fw_rules_parse("p2", "malformed classify\ndefault drop\ndrop proto tcp\nallow name all\n",
			   err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &cut, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, 1);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &arp, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, 1);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &tcp, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, 0);
	fw_rules_free(r);

	/* A program rule between ACL rules keeps first-match order. */
	r = fw_rules_parse("p3",
			   "default allow\n"
			   "allow dst 9.9.9.9\n"
			   "drop bpf \"tcp\"\n"
			   "allow proto tcp src 1.1.1.1\n"
			   "drop proto udp bpf \"udp port 53\"\n",
			   err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &tcp, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, 1);
	{
		struct spec s9 = tcp, dns = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53 };

		s9.dst = "9.9.9.9";
		CU_ASSERT_EQUAL(fwt_classify_one(r, &s9, &rule), FW_ALLOW);
		CU_ASSERT_EQUAL(rule, 0);
		CU_ASSERT_EQUAL(fwt_classify_one(r, &dns, &rule), FW_DROP);
		CU_ASSERT_EQUAL(rule, 3);
		dns.dport = 54;
		CU_ASSERT_EQUAL(fwt_classify_one(r, &dns, &rule), FW_ALLOW);
		CU_ASSERT_EQUAL(rule, FW_RULE_DEFAULT);
	}
	fw_rules_free(r);
}

static const struct bad_row {
	const char *text;
	const char *err;
} bad_rows[] = {
	{ "permit src 1.2.3.4\n",
	  "bad:1:1: unknown action \"permit\"; expected allow, drop, default or malformed" },
	{ "# c\n\nallow src 10.0.0.0/33\n",
	  "bad:3:20: prefix length 33 too long for an IPv4 address; expected 0..32" },
	{ "allow src 10.0.0.1/8\n",
	  "bad:1:11: \"10.0.0.1/8\" has host bits set past /8; expected a network address" },
	{ "allow src 10.0.0.0/8 dst 2001:db8::/32\n",
	  "bad:1:26: IPv6 prefix in a rule that already has an IPv4 prefix; expected src and dst of one family" },
	{ "allow src 300.1.1.1\n",
	  "bad:1:11: bad address \"300.1.1.1\"; expected an IPv4 or IPv6 address, optionally /LEN" },
	{ "  drop dport 90-80\n",
	  "bad:1:14: empty port range \"90-80\"; expected LOW-HIGH with LOW <= HIGH" },
	{ "drop dport 70000\n",
	  "bad:1:12: bad port \"70000\"; expected a port 0..65535 or a range LOW-HIGH" },
	{ "drop proto foo\n",
	  "bad:1:12: unknown protocol \"foo\"; expected tcp, udp, icmp, icmp6, sctp, gre, esp, ah or a number 0..255" },
	{ "drop proto icmp dport 1\n",
	  "bad:1:1: ports given with protocol 1, which has none; expected proto tcp, udp or sctp" },
	{ "drop sport 1 sport 2\n",
	  "bad:1:14: \"sport\" given twice in one rule; expected it at most once" },
	{ "drop dport\n",
	  "bad:1:11: \"dport\" needs a value; expected a port or range LOW-HIGH" },
	{ "drop colour red\n",
	  "bad:1:6: unknown match \"colour\"; expected name, proto, src, dst, sport, dport, bpf or ebpf" },
	{ "drop bpf \"tcp[13] & 2 != 0\n",
	  "bad:1:10: unterminated string; expected a closing '\"' on the same line" },
	{ "drop bpf tcp\n",
	  "bad:1:10: unquoted filter expression; expected bpf \"EXPRESSION\"" },
	{ "drop bpf \"tcp and\"\n",
	  "bad:1:10: bad filter expression \"tcp and\": can't parse filter expression: syntax error; expected a tcpdump (pcap-filter) expression" },
	{ "drop bpf \"tcp\" ebpf \"x.o\"\n",
	  "bad:1:16: a rule has at most one program; expected bpf or ebpf, not both" },
	{ "default allow\ndefault drop\n",
	  "bad:2:1: \"default\" given twice; expected it once" },
	{ "default maybe\n",
	  "bad:1:9: bad default policy \"maybe\"; expected allow or drop" },
	{ "default\n",
	  "bad:1:8: \"default\" needs a value; expected allow or drop" },
	{ "default drop now\n",
	  "bad:1:14: unexpected \"now\"; expected the end of the line" },
	{ "malformed pass\n",
	  "bad:1:11: bad malformed policy \"pass\"; expected drop or classify" },
	{ "drop name \"\"\n",
	  "bad:1:11: bad rule name \"\"; expected 1..31 characters" },
	{ "drop ebpf \"/nonexistent/x.o\"\n",
	  "bad:1:11: cannot open eBPF object \"/nonexistent/x.o\": No such file or directory; expected an ELF file built with clang -target bpf" },
	{ "allow src 1.1.1.1\"x\"\n",
	  "bad:1:18: quote inside a word; expected a space before '\"'" },
};

static void
test_firewall_bad_rules(void)
{
	unsigned int i, fails = 0;
	char err[512];

	for (i = 0; i < RTE_DIM(bad_rows); i++) {
		struct fw_rules *r = fw_rules_parse("bad", bad_rows[i].text, err,
						    sizeof(err));

		if (r != NULL || strcmp(err, bad_rows[i].err) != 0) {
			printf("\n  row %u: got    \"%s\"\n         wanted \"%s\"", i,
			       r != NULL ? "(accepted)" : err, bad_rows[i].err);
			fails++;
		}
		fw_rules_free(r);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

/* Loading from a file: messages carry the path; good rows load. */
static void
test_firewall_rules_file(void)
{
	char path[4096], err[512];
	struct fw_rules *r;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fwtest-%d.rules", (int)getpid());
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("default drop\nallow proto tcp dport 22\nallow src fe80::/10 # ok\n"
	      "allow bpf \"icmp or icmp6\"\n   drop dport 1-2-3\n", f);
	fclose(f);
	r = fw_rules_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	{
		char err2[512];

		/* The pre-EAL check finds the same error. */
		CU_ASSERT_EQUAL(fw_rules_check(path, err2, sizeof(err2)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err2, err);
	}
	{
		char want[4200];

		snprintf(want, sizeof(want),
			 "%s:5:15: bad port \"1-2-3\"; expected a port 0..65535 or a range LOW-HIGH",
			 path);
		CU_ASSERT_STRING_EQUAL(err, want);
	}
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("default drop\nallow proto tcp dport 22\nallow src fe80::/10 # ok\n"
	      "allow name ping bpf \"icmp or icmp6\"\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(fw_rules_check(path, err, sizeof(err)), 0);
	r = fw_rules_load(path, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(r);
	if (r != NULL) {
		CU_ASSERT_EQUAL(fw_rules_count(r), 3);
		CU_ASSERT_STRING_EQUAL(fw_rules_name(r, 0), "line2");
		CU_ASSERT_STRING_EQUAL(fw_rules_name(r, 2), "ping");
	}
	fw_rules_free(r);
	unlink(path);
	/* The shipped examples stay valid. */
	snprintf(path, sizeof(path), "%s/conf/fw-demo.rules",
		 getenv("FFWD_SOURCE_ROOT") != NULL ? getenv("FFWD_SOURCE_ROOT") : ".");
	CU_ASSERT_EQUAL(fw_rules_check(path, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/conf/fw-example.rules",
		 getenv("FFWD_SOURCE_ROOT") != NULL ? getenv("FFWD_SOURCE_ROOT") : ".");
	r = fw_rules_load(path, err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL(r);
	if (r != NULL)
		CU_ASSERT_EQUAL(fw_rules_count(r), 9);
	fw_rules_free(r);
	r = fw_rules_load("/nonexistent.rules", err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent.rules: cannot open: No such file or directory; expected a readable rules file");
}

CU_TestInfo fwt_rules_tests[] = {
	{ "test_firewall_acl_table", test_firewall_acl_table },
	{ "test_firewall_acl_policies", test_firewall_acl_policies },
	{ "test_firewall_bad_rules", test_firewall_bad_rules },
	{ "test_firewall_rules_file", test_firewall_rules_file },
	CU_TEST_INFO_NULL,
};
