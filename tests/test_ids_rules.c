/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules: the rule parser. A table of rules, good and bad; every bad
 * row names the token its error must point at (the column is where that
 * marker starts in the rule) and a piece of the message (the keyword).
 * Then: continuation lines and comments (line numbers), files, the
 * unsupported-skip mode, variables, classification.config, metadata.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "cunit_main.h"
#include "ids_core.h"
#include "ids_detect.h"

#define H "alert tcp any any -> any any "

struct row {
	const char *rule;
	bool ok;
	const char *at;		/* bad: the error's column is where this starts */
	const char *what;	/* bad: a piece of the message */
	bool unsup;		/* bad: outside the subset (skippable) */
};

static const struct row rows[] = {
	/* ---- good ---- */
	{ H "(content:\"abc\"; sid:1;)", true },
	{ "pass tcp any any -> any any (sid:1;)", true },
	{ "drop udp any any -> any 53 (content:\"x\"; sid:1;)", true },
	{ "reject tcp any any -> any 80 (sid:1;)", true },
	{ "alert ip any any -> any any (content:\"uid=0|28|root|29|\"; classtype:bad-unknown; sid:2100498; rev:7;)", true },
	{ "alert icmp any any -> any any (msg:\"ping\"; sid:1;)", true },
	{ "ALERT TCP any any -> any any (Content:\"x\"; NoCase; SID:1;)", true },
	{ "alert icmpv6 any any -> any any (sid:1;)", true },
	{ "alert udp [10.0.0.0/8,!10.1.0.0/16] [1024:,!2000] -> 192.168.1.1 53 (sid:1;)", true },
	{ "alert tcp 1.2.3.4-1.2.3.9 :1023 -> ![5.6.7.8,9.9.9.0/24] 1000:2000 (sid:1;)", true },
	{ "alert tcp 2001:db8::/32 any -> ::1 [80,443] (sid:1;)", true },
	{ "alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)", true },
	{ "alert tcp any any <> any any (sid:1;)", true },
	{ "alert tcp 10.0.0.0/255.0.0.0 any -> any any (sid:1;)", true },
	{ "alert tcp ![1.0.0.0/8,!1.1.0.0/16] any -> any [!80,![1:10,!5]] (sid:1;)", true },
	{ H "(content:\"a\\\"b\\;c\\\\d\\:e\"; sid:1;)", true },
	{ H "(content:!\"evil\"; sid:1;)", true },
	{ H "(content:\"GET\"; nocase; depth:3; offset:0; sid:1;)", true },
	{ H "(content:\"a\"; content:\"b\"; distance:-1; within:5; sid:1;)", true },
	{ H "(content:\"data\"; startswith; endswith; sid:1;)", true },
	{ H "(content:\"long pattern\"; content:\"x\"; fast_pattern; sid:1;)", true },
	{ H "(content:\"abcdef\"; fast_pattern:only; sid:1;)", true },
	{ H "(content:\"abcdef\"; fast_pattern:1,3; sid:1;)", true },
	{ H "(content:\"a\"; isdataat:10,relative; isdataat:!5; sid:1;)", true },
	{ H "(dsize:10; sid:1;)", true },
	{ H "(dsize:<10; sid:1;)", true },
	{ H "(dsize:5<>10; sid:1;)", true },
	{ H "(dsize:>=7; sid:1;)", true },
	{ H "(dsize:!0; sid:1;)", true },
	{ H "(pcre:\"/ab+c/i\"; sid:1;)", true },
	{ H "(content:\"x\"; pcre:\"/^y/R\"; pcre:!\"/z/smx\"; sid:1;)", true },
	{ H "(flow:established,to_server; sid:1;)", true },
	{ H "(flow:from_server, not_established; sid:1;)", true },
	{ H "(flow:stateless; sid:1;)", true },
	{ H "(flow:to_client,only_stream; sid:1;)", true },
	{ H "(flow:no_stream; sid:1;)", true },
	{ H "(flowbits:set,a; flowbits:noalert; sid:1;)", true },
	{ H "(flowbits:isset,a|b; flowbits:isnotset,c&d; sid:1;)", true },
	{ H "(flowbits:toggle,x.y-z; flowbits:unset,a; sid:1;)", true },
	{ H "(noalert; sid:1;)", true },
	{ H "(threshold: type limit, track by_src, count 1, seconds 60; sid:1;)", true },
	{ H "(threshold:type both,track by_both,seconds 10,count 3; sid:1;)", true },
	{ H "(detection_filter: track by_dst, count 5, seconds 2; sid:1;)", true },
	{ H "(classtype:trojan-activity; priority:2; sid:1;)", true },
	{ H "(metadata: created_at 2010_09_23, updated_at 2010_09_23; reference:url,example.com/x; sid:1;)", true },
	{ H "(gid:2; sid:7; rev:3;)", true },
	{ H "(  msg : \"spaces\"  ;   sid : 1 ;  )", true },

	/* ---- bad: header ---- */
	{ "alerts tcp any any -> any any (sid:1;)", false, "alerts", "unknown action 'alerts'" },
	{ "rejectsrc tcp any any -> any any (sid:1;)", false, "rejectsrc", "unsupported action 'rejectsrc'", true },
	{ "alert tcpx any any -> any any (sid:1;)", false, "tcpx", "unknown protocol 'tcpx'" },
	{ "alert http any any -> any any (sid:1;)", false, "http", "unsupported protocol 'http'", true },
	{ "alert dns any any -> any 53 (sid:1;)", false, "dns", "unsupported protocol 'dns'", true },
	{ "alert tcp 1.2.3.256 any -> any any (sid:1;)", false, "1.2.3.256", "bad address '1.2.3.256'" },
	{ "alert tcp 1.2.3.0/33 any -> any any (sid:1;)", false, "1.2.3.0/33", "prefix length" },
	{ "alert tcp any 70000 -> any any (sid:1;)", false, "70000", "bad port '70000'" },
	{ "alert tcp any 2000:1000 -> any any (sid:1;)", false, "2000:1000", "ends before it starts" },
	{ "alert tcp any any ->> any any (sid:1;)", false, "->>", "bad direction '->>'" },
	{ "alert tcp any any => any any (sid:1;)", false, "=>", "unsupported direction '=>'", true },
	{ "alert tcp !any any -> any any (sid:1;)", false, "!any", "'!any'" },
	{ "alert tcp $FOO_NET any -> any any (sid:1;)", false, "$FOO_NET", "unknown address variable '$FOO_NET'" },
	{ "alert tcp any $FOO_PORTS -> any any (sid:1;)", false, "$FOO_PORTS", "unknown port variable '$FOO_PORTS'" },
	{ "alert tcp [1.1.1.1,2.2.2.2 any -> any any (sid:1;)", false, "[1.1.1.1", "address list" },
	{ "alert tcp [1.0.0.0/8,!0.0.0.0/0] any -> any any (sid:1;)", false, "[1.0", "address '[1.0.0.0/8,!0.0.0.0/0]' matches nothing" },
	{ "alert tcp any [1:5,![0:10]] -> any any (sid:1;)", false, "[1:5", "matches nothing" },
	{ "alert tcp [1.1.1.1,,2.2.2.2] any -> any any (sid:1;)", false, ",2.2", "empty address list element" },
	{ "alert icmp any 80 -> any any (sid:1;)", false, "alert", "ports need tcp or udp" },
	{ "alert tcp any any -> any any sid:1;", false, "sid:1", "expected '('" },
	{ "alert tcp any", false, NULL, "expected a source port" },
	/* ---- bad: option syntax ---- */
	{ H "(sid:1;", false, NULL, "missing ')'" },
	{ H "(msg:\"x\"; sid:1)", false, "sid:1", "not terminated by ';'" },
	{ H "(sid:1;) trailing", false, "trailing", "unexpected text after ')'" },
	{ H "(msg:\"x\";)", false, NULL, "rule has no sid" },
	{ H "(msg:x; sid:1;)", false, "x;", "msg: expected a quoted string" },
	{ H "(sid:0;)", false, "0;", "sid: expected an integer" },
	{ H "(sid:abc;)", false, "abc", "sid: expected an integer" },
	{ H "(sid:1; sid:1x;)", false, "x;", "unexpected 'x'" },
	{ H "(priority:0; sid:1;)", false, "0;", "priority: expected an integer in 1..255" },
	{ H "(classtype:no-such-class; sid:1;)", false, "no-such-class", "unknown classtype 'no-such-class'" },
	{ H "(sid:1 2;)", false, "2;", "unexpected '2'" },
	/* ---- bad: keywords outside the subset ---- */
	{ H "(http.uri; content:\"x\"; sid:1;)", false, "http.uri", "unsupported keyword 'http.uri'", true },
	{ H "(app-layer-event:http.x; sid:1;)", false, "app-layer-event", "unsupported keyword 'app-layer-event'", true },
	{ H "(content:\"x\"; http_uri; sid:1;)", false, "http_uri", "unsupported keyword 'http_uri'", true },
	{ H "(byte_test:1,>,2,0; sid:1;)", false, "byte_test", "unsupported keyword 'byte_test'", true },
	{ H "(pcre:\"/x/U\"; sid:1;)", false, "U\"", "unsupported keyword 'pcre' modifier 'U'", true },
	{ H "(flow:only_frag; sid:1;)", false, "only_frag", "unsupported keyword 'flow:only_frag'", true },
	{ H "(threshold:type limit, track by_flow, count 1, seconds 1; sid:1;)", false, "by_flow", "by_flow", true },
	/* ---- bad: content and modifiers ---- */
	{ H "(depth:3; sid:1;)", false, "depth", "'depth' needs a preceding content" },
	{ H "(nocase; sid:1;)", false, "nocase", "'nocase' needs a preceding content" },
	{ H "(content:\"abcd\"; depth:3; sid:1;)", false, "3;", "depth 3 is smaller than the content" },
	{ H "(content:\"a\"; content:\"bcd\"; within:2; sid:1;)", false, "2;", "within 2 is smaller" },
	{ H "(content:\"a\"; content:\"b\"; distance:1; depth:4; sid:1;)", false, "depth", "cannot mix relative" },
	{ H "(content:\"a\"; startswith; offset:1; sid:1;)", false, "offset", "startswith cannot be combined" },
	{ H "(content:\"a\"; nocase; nocase; sid:1;)", false, "nocase; sid", "'nocase' given twice" },
	{ H "(content:\"|4G|\"; sid:1;)", false, "4G", "bad hex byte" },
	{ H "(content:\"ab|41\"; sid:1;)", false, "|41", "unclosed '|'" },
	{ H "(content:\"\"; sid:1;)", false, "\"; sid", "empty pattern" },
	{ H "(content:\"a\\x\"; sid:1;)", false, "\\x", "bad escape" },
	{ H "(content:\"a\" x; sid:1;)", false, "x; sid", "after the string" },
	{ H "(content:\"a\"; depth:-1; sid:1;)", false, "-1", "depth: expected an integer" },
	{ H "(content:!\"a\"; fast_pattern; sid:1;)", false, "fast_pattern", "negated content" },
	{ H "(content:\"ab\"; fast_pattern; content:\"cd\"; fast_pattern; sid:1;)", false, "fast_pattern; sid", "two contents" },
	{ H "(content:\"abc\"; fast_pattern:2,5; sid:1;)", false, "2,5", "beyond the content" },
	{ H "(isdataat:4,relative; sid:1;)", false, "isdataat", "isdataat relative needs a preceding content" },
	{ H "(content:\"a\"; isdataat:x; sid:1;)", false, "x; sid", "isdataat: expected a number" },
	{ H "(dsize:abc; sid:1;)", false, "abc", "dsize: expected a number" },
	{ H "(dsize:10<>11; sid:1;)", false, "10<>11", "holds no value" },
	{ H "(pcre:\"/a(b/\"; sid:1;)", false, "/\"", "pcre: missing closing parenthesis" },
	{ H "(pcre:\"/ab/q\"; sid:1;)", false, "q\"", "unknown modifier 'q'" },
	{ H "(pcre:\"ab\"; sid:1;)", false, "ab\"", "pcre: expected" },
	/* ---- bad: flow, flowbits, thresholds ---- */
	{ H "(flow:to_sever; sid:1;)", false, "to_sever", "flow: unknown option 'to_sever'" },
	{ H "(flow:to_server,to_client; sid:1;)", false, "to_client", "exclude each other" },
	{ H "(flow:established,not_established; sid:1;)", false, "not_established", "established excludes" },
	{ H "(flowbits:sett,a; sid:1;)", false, "sett", "flowbits: unknown command 'sett'" },
	{ H "(flowbits:set; sid:1;)", false, "; sid", "flowbits: expected ','" },
	{ H "(flowbits:set,a|b; sid:1;)", false, "|b", "'|' only with isset" },
	{ H "(flowbits:isset,a|b&c; sid:1;)", false, "&c", "cannot mix" },
	{ H "(threshold:type limit, track by_src, seconds 60; sid:1;)", false, "threshold", "needs type, count, seconds and track" },
	{ H "(threshold:type often, track by_src, count 1, seconds 60; sid:1;)", false, "often", "bad type 'often'" },
	{ H "(detection_filter:track by_me, count 1, seconds 1; sid:1;)", false, "by_me", "bad track 'by_me'" },
	{ H "(detection_filter:track by_src, count 0, seconds 1; sid:1;)", false, "0, seconds", "count expects a positive integer" },
	{ H "(threshold:type limit, track by_src, count 1, seconds 60, color red; sid:1;)", false, "color", "unknown option 'color'" },
};

static char *
err_prefix(const char *name, unsigned int line, unsigned int col)
{
	static char buf[128];
	snprintf(buf, sizeof(buf), "%s:%u:%u: ", name, line, col);
	return buf;
}

static void
test_ids_rules_table(void)
{
	unsigned int good = 0, bad = 0;

	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		const struct row *rw = &rows[k];
		char err[512] = "";
		struct ids_rules *r = ids_rules_load_string(rw->rule, "t.rules",
							    NULL, err,
							    sizeof(err));
		if (rw->ok) {
			good++;
			if (r == NULL)
				fprintf(stderr, "row %zu should load: %s\n  %s\n",
					k, rw->rule, err);
			CU_ASSERT_PTR_NOT_NULL(r);
			if (r != NULL)
				CU_ASSERT_EQUAL(ids_rules_count(r), 1);
			ids_rules_free(r);
			continue;
		}
		bad++;
		CU_ASSERT_PTR_NULL(r);
		ids_rules_free(r);
		/* at NULL: the error is at the end of the text */
		const char *m = rw->at ? strstr(rw->rule, rw->at) :
			rw->rule + strlen(rw->rule);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		const char *want = err_prefix("t.rules", 1,
					      (unsigned int)(m - rw->rule) + 1);
		bool pos_ok = strncmp(err, want, strlen(want)) == 0;
		bool what_ok = strstr(err, rw->what) != NULL;
		if (!pos_ok || !what_ok)
			fprintf(stderr, "row %zu: %s\n  want %s...%s\n  got  %s\n",
				k, rw->rule, want, rw->what, err);
		CU_ASSERT(pos_ok);
		CU_ASSERT(what_ok);
		CU_ASSERT_EQUAL(errno, EINVAL);

		/* skip mode: outside-the-subset rows are skipped and listed,
		 * malformed rows still fail */
		struct ids_rules_opts o = { .skip_unsupported = true };
		err[0] = '\0';
		r = ids_rules_load_string(rw->rule, "t.rules", &o, err,
					  sizeof(err));
		if (rw->unsup) {
			CU_ASSERT_PTR_NOT_NULL(r);
			if (r != NULL) {
				CU_ASSERT_EQUAL(ids_rules_count(r), 0);
				CU_ASSERT_EQUAL(ids_rules_skipped(r), 1);
				const char *s = ids_rules_skipped_at(r, 0);
				CU_ASSERT(s != NULL && strncmp(s, want,
							       strlen(want)) == 0);
				CU_ASSERT(s != NULL && strstr(s, rw->what) != NULL);
			}
		} else {
			CU_ASSERT_PTR_NULL(r);
		}
		ids_rules_free(r);
	}
	CU_ASSERT(good >= 30);
	CU_ASSERT(bad >= 60);
}

/* Continuation lines and comments: positions are in the physical file. */
static void
test_ids_rules_multiline(void)
{
	const char *text =
		"# a comment line\n"
		"\n"
		"   # indented comment\n"
		"alert tcp any any -> any any ( \\\n"
		"    msg:\"two lines\"; \\\n"
		"    content:\"abc\"; sid:1;)\n"
		"alert udp any any -> any any ( \\\n"
		"\tmsg:\"bad\"; \\\n"
		"\tdepht:3; sid:2;)\n";
	char err[512];
	struct ids_rules *r = ids_rules_load_string(text, "m.rules", NULL, err,
						    sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_STRING_EQUAL(err, "m.rules:9:2: unsupported keyword 'depht'");

	/* the first two rules alone load; the rule keeps its first line */
	char *two = strdup(text);
	*strstr(two, "alert udp") = '\0';
	r = ids_rules_load_string(two, "m.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(ids_rules_count(r), 1);
	CU_ASSERT_STRING_EQUAL(ids_rules_info(r, 0)->msg, "two lines");
	CU_ASSERT_EQUAL(ids_rules_info(r, 0)->line, 4);
	ids_rules_free(r);
	free(two);

	/* CRLF line ends and a commented-out rule */
	r = ids_rules_load_string("#alert tcp any any -> any any (sid:9;)\r\n"
				  "alert tcp any any -> any any (sid:1;)\r\n"
				  "alert tcp any any -> any any (sid:2; x;)\r\n",
				  "c.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_STRING_EQUAL(err, "c.rules:3:38: unsupported keyword 'x'");

	/* a malformed rule on line 2 of three */
	r = ids_rules_load_string("alert tcp any any -> any any (sid:1;)\n"
				  "alert tcp any any -> any any (sid:2;\n"
				  "alert tcp any any -> any any (sid:3;)\n",
				  "x.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(strncmp(err, "x.rules:2:", 10) == 0);
	CU_ASSERT(strstr(err, "missing ')'") != NULL);
}

static void
test_ids_rules_duplicate_sid(void)
{
	char err[512];
	struct ids_rules *r = ids_rules_load_string(
		"alert tcp any any -> any any (sid:5;)\n"
		"alert udp any any -> any any (msg:\"b\"; sid:5;)\n",
		"d.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_STRING_EQUAL(err,
			       "d.rules:2:40: duplicate sid 5 (first at d.rules:1)");
	/* same sid, other gid: fine */
	r = ids_rules_load_string(
		"alert tcp any any -> any any (sid:5;)\n"
		"alert udp any any -> any any (gid:3; sid:5;)\n",
		"d.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(ids_rules_find(r, 3, 5));
	CU_ASSERT_PTR_NOT_NULL(ids_rules_find(r, 1, 5));
	CU_ASSERT_PTR_NULL(ids_rules_find(r, 2, 5));
	ids_rules_free(r);
}

static void
test_ids_rules_file(void)
{
	char path[] = "/tmp/ids-rules-XXXXXX";
	int fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	const char *text = "alert tcp any any -> any any (sid:1;)\n"
		"alert tcp any any -> any any (content:\"a\"; within:0; sid:2;)\n";
	CU_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	char err[512], want[600];
	struct ids_rules *r = ids_rules_load(path, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	snprintf(want, sizeof(want), "%s:2:51: within: expected an integer", path);
	CU_ASSERT(strncmp(err, want, strlen(want)) == 0);
	unlink(path);

	r = ids_rules_load("/nonexistent/x.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT(strstr(err, "/nonexistent/x.rules") != NULL);

	/* several files: the error names the second one */
	char p1[] = "/tmp/ids-r1-XXXXXX", p2[] = "/tmp/ids-r2-XXXXXX";
	int f1 = mkstemp(p1), f2 = mkstemp(p2);
	CU_ASSERT_FATAL(f1 >= 0 && f2 >= 0);
	const char *t1 = "alert tcp any any -> any any (sid:1;)\n";
	const char *t2 = "\nalert tcp any any -> any any (sid:2; rev:x;)\n";
	CU_ASSERT(write(f1, t1, strlen(t1)) > 0);
	CU_ASSERT(write(f2, t2, strlen(t2)) > 0);
	close(f1);
	close(f2);
	const char *files[] = { p1, p2 };
	r = ids_rules_load_files(files, 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	snprintf(want, sizeof(want), "%s:2:42: rev: expected", p2);
	if (strncmp(err, want, strlen(want)) != 0)
		fprintf(stderr, "got %s\n", err);
	CU_ASSERT(strncmp(err, want, strlen(want)) == 0);
	unlink(p1);
	unlink(p2);
}

static void
test_ids_rules_skip_list(void)
{
	const char *text =
		"alert tcp any any -> any any (content:\"a\"; sid:1;)\n"
		"alert http any any -> any any (http.uri; content:\"b\"; sid:2;)\n"
		"alert tcp any any -> any any (http.uri; content:\"c\"; sid:3;)\n"
		"alert tcp any any -> any any (content:\"d\"; sid:4;)\n";
	struct ids_rules_opts o = { .skip_unsupported = true };
	char err[512];
	struct ids_rules *r = ids_rules_load_string(text, "s.rules", &o, err,
						    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(ids_rules_count(r), 2);
	CU_ASSERT_EQUAL(ids_rules_skipped(r), 2);
	CU_ASSERT_STRING_EQUAL(ids_rules_skipped_at(r, 0),
			       "s.rules:2:7: unsupported protocol 'http' (app-layer and other protocols are outside the subset) (sid 2)");
	CU_ASSERT_STRING_EQUAL(ids_rules_skipped_at(r, 1),
			       "s.rules:3:31: unsupported keyword 'http.uri' (sid 3)");
	CU_ASSERT_PTR_NULL(ids_rules_skipped_at(r, 2));
	ids_rules_free(r);

	/* without skip the first unsupported rule is the error */
	r = ids_rules_load_string(text, "s.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(strncmp(err, "s.rules:2:7: unsupported protocol 'http'", 39) == 0);
}

static void
test_ids_rules_vars(void)
{
	char err[512];
	struct ids_var v[] = { { "HOME_NET", "[10.0.0.0/8]" },
		{ "MY_PORTS", "[8080,8443]" }, { "LOOP", "$LOOP" },
		{ "BADNET", "[1.2.3]" } };
	struct ids_rules_opts o = { .vars = v, .nvars = 4 };
	struct ids_rules *r = ids_rules_load_string(
		"alert tcp $HOME_NET any -> $EXTERNAL_NET $MY_PORTS (sid:1;)",
		"v.rules", &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(r);
	ids_rules_free(r);
	r = ids_rules_load_string("alert tcp $LOOP any -> any any (sid:1;)",
				  "v.rules", &o, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(strncmp(err, "v.rules:1:11: variables nest too deep", 37) == 0);
	/* '!' and '[' nested past the bound are refused, not recursed
	 * into (fuzz_ids_rules: 10 KB of '!' overflowed the stack); a few
	 * are fine */
	{
		char deep[4096];
		int k, n;

		n = snprintf(deep, sizeof(deep), "alert tcp any any -> any ");
		for (k = 0; k < 3000; k++)
			deep[n++] = '!';
		snprintf(deep + n, sizeof(deep) - n, "80 (sid:1;)");
		r = ids_rules_load_string(deep, "n.rules", NULL, err, sizeof(err));
		CU_ASSERT_PTR_NULL(r);
		CU_ASSERT(strstr(err, "n.rules:1:") == err);
		CU_ASSERT(strstr(err, "port nests '!' and '[' more than 64 deep") != NULL);
		r = ids_rules_load_string("alert tcp any any -> ![![10.0.0.0/8]] !![80] (sid:1;)",
					  "n.rules", NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL(r);
		ids_rules_free(r);
	}
	/* an error inside a variable points at the variable and names it */
	r = ids_rules_load_string("alert tcp any any -> $BADNET any (sid:1;)",
				  "v.rules", &o, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(strncmp(err, "v.rules:1:22: bad address '1.2.3'", 33) == 0);
	CU_ASSERT(strstr(err, "(in $BADNET)") != NULL);
	/* default port groups exist */
	r = ids_rules_load_string(
		"alert tcp any $SHELLCODE_PORTS -> any $FILE_DATA_PORTS (sid:1;)",
		"v.rules", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(r);
	ids_rules_free(r);
}

static void
test_ids_rules_classification(void)
{
	const char *root = getenv("FFWD_SOURCE_ROOT");
	char path[1024], err[512];

	snprintf(path, sizeof(path), "%s/conf/classification.config",
		 root ? root : ".");
	struct ids_rules_opts o = { .classification_file = path };
	const char *text =
		"alert tcp any any -> any any (msg:\"t\"; classtype:trojan-activity; sid:1;)\n"
		"alert tcp any any -> any any (classtype:misc-activity; priority:1; sid:2;)\n"
		"alert tcp any any -> any any (classtype:tcp-connection; sid:3;)\n"
		"alert tcp any any -> any any (sid:4;)\n";
	struct ids_rules *a = ids_rules_load_string(text, "c", &o, err, sizeof(err));
	struct ids_rules *b = ids_rules_load_string(text, "c", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (unsigned int k = 0; k < 4; k++) {
		const struct ids_rule_info *x = ids_rules_info(a, k);
		const struct ids_rule_info *y = ids_rules_info(b, k);
		CU_ASSERT_EQUAL(x->sid, y->sid);
		CU_ASSERT_STRING_EQUAL(x->category, y->category);
		CU_ASSERT_EQUAL(x->priority, y->priority);
	}
	const struct ids_rule_info *i1 = ids_rules_find(a, 1, 1);
	CU_ASSERT_STRING_EQUAL(i1->category, "A Network Trojan was detected");
	CU_ASSERT_STRING_EQUAL(i1->classtype, "trojan-activity");
	CU_ASSERT_EQUAL(i1->priority, 1);
	CU_ASSERT_STRING_EQUAL(i1->msg, "t");
	CU_ASSERT_EQUAL(ids_rules_find(a, 1, 2)->priority, 1); /* priority: wins */
	CU_ASSERT_STRING_EQUAL(ids_rules_find(a, 1, 2)->category, "Misc activity");
	CU_ASSERT_EQUAL(ids_rules_find(a, 1, 3)->priority, 4);
	CU_ASSERT_EQUAL(ids_rules_find(a, 1, 4)->priority, 3); /* default */
	CU_ASSERT_STRING_EQUAL(ids_rules_find(a, 1, 4)->category, "");
	CU_ASSERT_PTR_NULL(ids_rules_find(a, 1, 4)->classtype);
	ids_rules_free(a);
	ids_rules_free(b);

	/* a broken classification file is an error with its position */
	char cp[] = "/tmp/ids-cls-XXXXXX";
	int fd = mkstemp(cp);
	CU_ASSERT_FATAL(fd >= 0);
	const char *ct = "# c\nconfig classification: a,A,1\nconfig classification: b,B\n";
	CU_ASSERT(write(fd, ct, strlen(ct)) > 0);
	close(fd);
	o.classification_file = cp;
	a = ids_rules_load_string(text, "c", &o, err, sizeof(err));
	CU_ASSERT_PTR_NULL(a);
	char want[256];
	snprintf(want, sizeof(want), "%s:3:24: expected name,description,priority", cp);
	if (strncmp(err, want, strlen(want)) != 0)
		fprintf(stderr, "got %s\n", err);
	CU_ASSERT(strncmp(err, want, strlen(want)) == 0);
	unlink(cp);
}

/* Rule order: action (pass, drop, reject, alert), flowbit setters before
 * readers, priority, file order. */
static void
test_ids_rules_order(void)
{
	const char *text =
		"alert tcp any any -> any any (sid:1;)\n"
		"alert tcp any any -> any any (flowbits:isset,x; sid:2;)\n"
		"alert tcp any any -> any any (flowbits:set,x; sid:3;)\n"
		"reject tcp any any -> any any (sid:4;)\n"
		"drop tcp any any -> any any (sid:5;)\n"
		"pass tcp any any -> any any (sid:6;)\n"
		"alert tcp any any -> any any (priority:1; sid:7;)\n"
		"alert tcp any any -> any any (flowbits:isset,x; flowbits:set,y; sid:8;)\n";
	char err[256];
	struct ids_rules *r = ids_rules_load_string(text, "o", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	static const uint32_t want[] = { 6, 5, 4, 3, 8, 2, 7, 1 };
	for (unsigned int k = 0; k < 8; k++) {
		CU_ASSERT_EQUAL(ids_rules_info(r, k)->sid, want[k]);
		CU_ASSERT_EQUAL(ids_rules_info(r, k)->idx, k);
	}
	CU_ASSERT_PTR_NULL(ids_rules_info(r, 8));
	ids_rules_free(r);
}

/* Internals the detector relies on: fast pattern choice, relative chain. */
static void
test_ids_rules_fast_pattern(void)
{
	char err[256];
	struct ids_rules *r = ids_rules_load_string(
		"alert tcp any any -> any any (content:\"ab\"; content:\"longest\"; content:\"mid\"; sid:1;)\n"
		"alert tcp any any -> any any (content:\"ab\"; content:\"longest\"; content:\"x\"; fast_pattern; sid:2;)\n"
		"alert tcp any any -> any any (content:!\"neg\"; sid:3;)\n"
		"alert tcp any any -> any any (content:\"abcdef\"; fast_pattern:2,3; sid:4;)\n",
		"f", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->rules[0].fp, 1);
	CU_ASSERT_EQUAL(r->rules[1].fp, 2);
	CU_ASSERT_EQUAL(r->rules[2].fp, -1);	/* negated only: no prefilter */
	CU_ASSERT_EQUAL(r->rules[3].steps[0].fp_off, 2);
	CU_ASSERT_EQUAL(r->rules[3].steps[0].fp_len, 3);
	ids_rules_free(r);
}

static void
test_ids_rules_needs_stream(void)
{
	static const struct {
		const char *rule;
		bool want;
	} rows[] = {
		{ "alert tcp any any -> any any (content:\"a\"; sid:1;)", true },
		{ "alert ip any any -> any any (pcre:\"/a/\"; sid:1;)", true },
		{ "alert tcp any any -> any any (content:\"a\"; flow:no_stream; sid:1;)", false },
		{ "alert tcp any any -> any any (content:\"a\"; dsize:3; sid:1;)", false },
		{ "alert tcp any any -> any any (flow:established; sid:1;)", false },
		{ "alert udp any any -> any any (content:\"a\"; sid:1;)", false },
	};
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		char err[256];
		struct ids_rules *r = ids_rules_load_string(rows[k].rule, "n",
							    NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		CU_ASSERT_EQUAL(ids_rules_needs_stream(r), rows[k].want);
		ids_rules_free(r);
	}
}

static void
test_ids_rules_flow_state_size(void)
{
	char err[256];
	struct ids_rules *r = ids_rules_load_string(
		"alert tcp any any -> any any (flowbits:set,a; sid:1;)",
		"f", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(ids_detect_flow_state_size(r),
			sizeof(struct ids_flow_det) + 4 * 8);
	/* 300 names need 5 words */
	size_t cap = 300 * 64;
	char *big = malloc(cap), *p = big;
	for (int k = 0; k < 300; k++)
		p += sprintf(p, "alert tcp any any -> any any (flowbits:set,fb%d; sid:%d;)\n",
			     k, k + 1);
	struct ids_rules *r2 = ids_rules_load_string(big, "f", NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
	CU_ASSERT_EQUAL(ids_detect_flow_state_size(r2),
			sizeof(struct ids_flow_det) + 5 * 8);
	free(big);
	ids_rules_free(r2);
	ids_rules_free(r);
}

/* tests/ids/all-keywords.rules loads and uses every keyword of the subset. */
static void
test_ids_rules_all_keywords(void)
{
	static const char *const kws[] = { "msg:", "sid:", "rev:", "gid:",
		"classtype:", "priority:", "metadata:", "reference:", "content:",
		"content:!", "nocase;", "depth:", "offset:", "distance:",
		"within:", "startswith;", "endswith;", "fast_pattern;",
		"fast_pattern:", "isdataat:", "isdataat:!", "dsize:", "pcre:",
		"pcre:!", "/Ri", "/smx", "flow:", "to_server", "to_client",
		"from_server", "established", "not_established", "stateless",
		"only_stream", "no_stream", "flowbits:set", "flowbits:unset",
		"flowbits:isset", "flowbits:isnotset", "flowbits:toggle",
		"flowbits:noalert", "noalert;", "threshold:", "type limit",
		"type both", "type threshold", "by_src", "by_dst", "by_rule",
		"by_both", "detection_filter:", "alert ", "drop ", "reject ",
		"pass ", " ip ", " tcp ", " udp ", " icmp ", " icmpv4 ",
		" icmpv6 ", "<>", "$HOME_NET", "$EXTERNAL_NET", "$HTTP_PORTS",
		"!", "/8", "-192", "::/32", "1024:", ":]", "\\\n" };
	const char *root = getenv("FFWD_SOURCE_ROOT");
	char path[1024], err[512];
	snprintf(path, sizeof(path), "%s/tests/ids/all-keywords.rules",
		 root ? root : ".");
	struct ids_rules *r = ids_rules_load(path, NULL, err, sizeof(err));
	if (r == NULL)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(ids_rules_count(r), 26);
	CU_ASSERT_EQUAL(ids_rules_skipped(r), 0);
	ids_rules_free(r);
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static char text[65536];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (size_t k = 0; k < sizeof(kws) / sizeof(kws[0]); k++) {
		const char *kw = kws[k];
		if (strstr(text, kw) == NULL)
			fprintf(stderr, "all-keywords.rules lacks '%s'\n", kw);
		CU_ASSERT(strstr(text, kw) != NULL);
	}
}

/* Every suricata-verify test of the corpus: its rules load, with the
 * rules outside the subset skipped and named. */
static void
test_ids_rules_suricata_verify(void)
{
	const char *root = getenv("FFWD_SOURCE_ROOT");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/../shared/corpus/suricata-verify",
		 root ? root : ".");
	static const char *const tests[] = { "alert-testmyids-midstream",
		"bug-2736-01", "bug-2736-02", "decode-nsh-type1",
		"decode-nsh-type2", "pcap-file-stdin", "tcp-fastopen-04" };
	static const unsigned int loaded[] = { 1, 0, 0, 1, 1, 1, 1 };
	for (size_t k = 0; k < sizeof(tests) / sizeof(tests[0]); k++) {
		char path[1400], err[512];
		snprintf(path, sizeof(path), "%s/%s/test.rules", dir, tests[k]);
		struct ids_rules_opts o = { .skip_unsupported = true };
		struct ids_rules *r = ids_rules_load(path, &o, err, sizeof(err));
		if (r == NULL)
			fprintf(stderr, "%s: %s\n", tests[k], err);
		CU_ASSERT_PTR_NOT_NULL(r);
		if (r == NULL)
			continue;
		CU_ASSERT_EQUAL(ids_rules_count(r), loaded[k]);
		for (unsigned int j = 0; j < ids_rules_skipped(r); j++)
			CU_ASSERT(strstr(ids_rules_skipped_at(r, j),
					 "unsupported protocol 'dns'") != NULL);
		ids_rules_free(r);
	}
}

int
tests_register(void)
{
	CU_pSuite s = CU_add_suite("ids_rules", NULL, NULL);

	if (s == NULL)
		return -1;
	if (!CU_add_test(s, "test_ids_rules_table", test_ids_rules_table) ||
	    !CU_add_test(s, "test_ids_rules_multiline", test_ids_rules_multiline) ||
	    !CU_add_test(s, "test_ids_rules_duplicate_sid", test_ids_rules_duplicate_sid) ||
	    !CU_add_test(s, "test_ids_rules_file", test_ids_rules_file) ||
	    !CU_add_test(s, "test_ids_rules_skip_list", test_ids_rules_skip_list) ||
	    !CU_add_test(s, "test_ids_rules_vars", test_ids_rules_vars) ||
	    !CU_add_test(s, "test_ids_rules_classification", test_ids_rules_classification) ||
	    !CU_add_test(s, "test_ids_rules_order", test_ids_rules_order) ||
	    !CU_add_test(s, "test_ids_rules_fast_pattern", test_ids_rules_fast_pattern) ||
	    !CU_add_test(s, "test_ids_rules_flow_state_size", test_ids_rules_flow_state_size) ||
	    !CU_add_test(s, "test_ids_rules_all_keywords", test_ids_rules_all_keywords) ||
	    !CU_add_test(s, "test_ids_rules_needs_stream", test_ids_rules_needs_stream) ||
	    !CU_add_test(s, "test_ids_rules_suricata_verify", test_ids_rules_suricata_verify))
		return -1;
	return 0;
}
