/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect_payload: a table of payload rows (every content modifier,
 * its edge cases at the buffer ends, isdataat, dsize, pcre with R), and
 * stream vs packet inspection with the stream lookback.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "test_ids_detect.h"

struct prow {
	const char *opts;	/* rule options before sid */
	const char *payload;
	int len;		/* -1: strlen */
	bool match;
};

static const struct prow prows[] = {
	/* content, nocase, hex, negation */
	{ "content:\"abc\";", "xxabcxx", -1, true },
	{ "content:\"abc\";", "xxabdxx", -1, false },
	{ "content:\"ABC\"; nocase;", "xaBcx", -1, true },
	{ "content:\"ABC\";", "xaBcx", -1, false },
	{ "content:\"|41 42|C\";", "zABC", -1, true },
	{ "content:\"|00 ff|\";", "a\x00\xff", 3, true },
	{ "content:\"a\\;b\";", "a;b", -1, true },
	{ "content:!\"evil\";", "good", -1, true },
	{ "content:!\"evil\";", "so evil", -1, false },
	{ "content:!\"a\";", "", 0, false },	/* no payload: no content rule */
	{ "content:\"a\"; content:!\"b\"; distance:0; within:1;", "ac", -1, true },
	{ "content:\"a\"; content:!\"b\"; distance:0; within:1;", "ab", -1, false },
	/* depth, offset */
	{ "content:\"abc\"; depth:3;", "abcx", -1, true },
	{ "content:\"abc\"; depth:3;", "xabc", -1, false },
	{ "content:\"abc\"; offset:1; depth:3;", "xabc", -1, true },
	{ "content:\"abc\"; offset:1; depth:3;", "xxabc", -1, false },
	{ "content:\"abc\"; depth:3; offset:1;", "xabc", -1, true },
	{ "content:\"abc\"; offset:2;", "abcabc", -1, true },
	{ "content:\"abc\"; offset:2;", "xabc", -1, false },
	{ "content:\"abc\"; depth:10;", "xxabc", -1, true },	/* depth past the end */
	{ "content:\"a\"; offset:10;", "aaaa", -1, false },	/* offset past the end */
	{ "content:!\"a\"; offset:10;", "aaaa", -1, true },
	{ "content:\"abc\"; offset:2; depth:3;", "xxabc", -1, true },	/* ends at the end */
	/* distance, within, negative distance, buffer ends */
	{ "content:\"a\"; content:\"b\"; distance:1;", "ab", -1, false },
	{ "content:\"a\"; content:\"b\"; distance:1;", "axb", -1, true },
	{ "content:\"a\"; content:\"b\"; within:1;", "ab", -1, true },
	{ "content:\"a\"; content:\"b\"; within:1;", "axb", -1, false },
	{ "content:\"a\"; content:\"b\"; distance:1; within:1;", "axb", -1, true },
	{ "content:\"a\"; content:\"b\"; distance:1; within:1;", "axxb", -1, false },
	{ "content:\"bc\"; content:\"a\"; distance:-3; within:1;", "abc", -1, true },
	{ "content:\"bc\"; content:\"a\"; distance:-2; within:1;", "abc", -1, false },
	{ "content:\"ab\"; content:\"c\"; distance:0;", "ab", -1, false },
	{ "content:\"ab\"; content:\"c\"; distance:0;", "abc", -1, true },
	{ "content:\"a\"; content:\"bc\"; within:5;", "ab", -1, false },
	{ "content:\"a\"; content:\"bc\"; within:2;", "abc", -1, true },
	{ "content:\"a\"; content:\"b\"; distance:-5;", "ba", -1, true },	/* clamps at 0 */
	/* relative backtracking: the first 'a' fails, a later one matches */
	{ "content:\"a\"; content:\"b\"; within:1;", "ax ab", -1, true },
	{ "content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1;", "abxabc", -1, true },
	{ "content:\"a\"; content:\"b\"; within:1; content:\"c\"; within:1;", "abxab", -1, false },
	{ "content:\"a\"; content:\"b\";", "b a", -1, true },	/* independent */
	/* Suricata retries an earlier content only when the next window
	 * moves with it (within, relative pcre/isdataat), not for distance
	 * alone */
	{ "content:\"a\"; content:!\"b\"; distance:0;", "a b a", -1, false },
	{ "content:\"a\"; content:!\"b\"; distance:0; within:2;", "ab a", -1, true },
	{ "content:\"a\"; isdataat:!2,relative;", "axxxa", -1, true },
	{ "content:\"a\"; isdataat:2,relative;", "xxxa", -1, false },
	/* fast_pattern: the prefilter looks for the chosen bytes only */
	{ "content:\"longer one\"; content:\"x\"; fast_pattern;", "longer one x", -1, true },
	{ "content:\"longer one\"; content:\"x\"; fast_pattern;", "longer one", -1, false },
	{ "content:\"abcdef\"; fast_pattern:2,3;", "zabcdefz", -1, true },
	{ "content:\"abcdef\"; fast_pattern:2,3;", "cde", -1, false },
	{ "content:\"abcdef\"; fast_pattern:only;", "abcdef", -1, true },
	/* leading NULs are left out of the prefilter pattern, all-NUL
	 * contents have none: the verification still decides */
	{ "content:\"|00 00|AB\";", "x\0\0AB", 5, true },
	{ "content:\"|00 00|AB\";", "x\0AB", 4, false },
	{ "content:\"|00 00 00|\";", "a\0\0\0", 4, true },
	{ "content:\"|00 00 00|\";", "a\0\0a", 4, false },
	/* startswith, endswith */
	{ "content:\"GET\"; startswith;", "GET /", -1, true },
	{ "content:\"GET\"; startswith;", " GET /", -1, false },
	{ "content:\"end\"; endswith;", "the end", -1, true },
	{ "content:\"end\"; endswith;", "the end.", -1, false },
	{ "content:\"end\"; endswith;", "end end", -1, true },
	{ "content:\"data|0a 0a|\"; startswith; endswith;", "data\n\n", -1, true },
	{ "content:\"data|0a 0a|\"; startswith; endswith;", "data\n\nx", -1, false },
	{ "content:\"data|0a 0a|\"; startswith; endswith;", "xdata\n\n", -1, false },
	{ "content:\"x\"; content:!\"y\"; endswith;", "xay", -1, false },
	{ "content:\"x\"; content:!\"y\"; endswith;", "xya", -1, true },
	/* isdataat */
	{ "isdataat:3;", "abc", -1, false },
	{ "isdataat:3;", "abcd", -1, true },
	{ "isdataat:!3;", "abc", -1, true },
	{ "content:\"ab\"; isdataat:1,relative;", "ab", -1, false },
	{ "content:\"ab\"; isdataat:1,relative;", "abc", -1, true },
	{ "content:\"ab\"; isdataat:!1,relative;", "ab", -1, true },
	{ "content:\"ab\"; isdataat:!1,relative;", "abc", -1, false },
	{ "content:\"ab\"; isdataat:0,relative;", "ab", -1, true },
	/* dsize */
	{ "dsize:3;", "abc", -1, true },
	{ "dsize:3;", "ab", -1, false },
	{ "dsize:<3;", "ab", -1, true },
	{ "dsize:>3;", "abc", -1, false },
	{ "dsize:2<>4;", "abc", -1, true },
	{ "dsize:2<>4;", "ab", -1, false },
	{ "dsize:2<>4;", "abcd", -1, false },
	{ "dsize:!3;", "abc", -1, false },
	{ "dsize:>=3;", "abc", -1, true },
	{ "dsize:<=2;", "abc", -1, false },
	{ "dsize:0;", "", 0, true },
	{ "content:\"a\"; dsize:1;", "a", -1, true },
	/* pcre */
	{ "pcre:\"/a.c/\";", "xabcx", -1, true },
	{ "pcre:\"/ABC/i\";", "xabc", -1, true },
	{ "pcre:\"/ABC/\";", "xabc", -1, false },
	{ "pcre:\"/^abc/\";", "xabc", -1, false },
	{ "content:\"foo\"; pcre:\"/^bar/R\";", "foobar", -1, true },
	{ "content:\"foo\"; pcre:\"/^bar/R\";", "foo bar", -1, false },
	{ "content:\"foo\"; pcre:\"/^bar/R\";", "foox foobar", -1, true },
	{ "content:\"x\"; pcre:\"/y/R\";", "yx", -1, false },
	{ "pcre:!\"/evil/\";", "good", -1, true },
	{ "pcre:!\"/evil/\";", "evil", -1, false },
	{ "pcre:\"/a.b/s\";", "a\nb", -1, true },
	{ "pcre:\"/a.b/\";", "a\nb", -1, false },
	{ "pcre:\"/^b$/m\";", "a\nb\nc", -1, true },
	{ "pcre:\"/^b$/\";", "a\nb\nc", -1, false },
	{ "pcre:\"/a b c/x\";", "abc", -1, true },
	{ "pcre:\"/a+/\"; content:\"b\"; distance:0; within:1;", "aab", -1, true },
	{ "pcre:\"/a+/\"; content:\"b\"; distance:0; within:1;", "aaxb", -1, false },
	{ "content:\"k=\"; pcre:\"/\\d+;/R\";", "k=12;", -1, true },
	{ "pcre:\"/\\x00\\xff/\";", "a\x00\xff", 3, true },
};

static void
test_ids_detect_payload_table(void)
{
	for (size_t k = 0; k < sizeof(prows) / sizeof(prows[0]); k++) {
		const struct prow *rw = &prows[k];
		char text[512];
		snprintf(text, sizeof(text),
			 "alert tcp any any -> any any (%s sid:1;)", rw->opts);
		struct ids_rules *r = idt_load(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		uint32_t len = rw->len < 0 ? (uint32_t)strlen(rw->payload) :
			(uint32_t)rw->len;
		struct ids_pkt p = idt_pkt(IPPROTO_TCP, "10.0.0.1", 1234,
					   "10.0.0.2", 80, rw->payload, len,
					   EST_TS);
		bool ok = idt_expect(r, &p, rw->match ? "1" : "");
		if (!ok)
			fprintf(stderr, "prow %zu: %s on \"%.*s\"\n", k, rw->opts,
				(int)len, rw->payload);
		CU_ASSERT(ok);
		ids_rules_free(r);
	}
}

/* TCP content rules see the stream when the packet has stream data. */
static void
test_ids_detect_stream(void)
{
	struct ids_rules *r = idt_load(
		"alert tcp any any -> any any (content:\"GET /index\"; sid:1;)\n"
		"alert tcp any any -> any any (content:\"index\"; flow:no_stream; sid:2;)\n"
		"alert tcp any any -> any any (content:\"GET /index\"; flow:only_stream; sid:3;)\n"
		"alert tcp any any -> any any (flow:established; sid:4;)\n"
		"alert tcp any any -> any any (content:\"index\"; dsize:5; sid:5;)\n"
		"alert udp any any -> any any (content:\"GET /index\"; sid:6;)\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	const char *stream = "GET /index";
	struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 80,
				   "index", 5, EST_TS | IDS_PKT_STREAM);
	p.stream = (const uint8_t *)stream;
	p.stream_len = (uint32_t)strlen(stream);
	CU_ASSERT(idt_expect(r, &p, "1,2,3,4,5"));

	struct ids_detect_ctx *c = ids_detect_ctx_create(r);
	struct ids_match m[8];
	int n = ids_detect(c, r, &p, m, 8);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT(m[0].flags & IDS_MATCH_STREAM);	/* sid 1 */
	CU_ASSERT(!(m[1].flags & IDS_MATCH_STREAM));	/* sid 2: the packet */
	CU_ASSERT(m[2].flags & IDS_MATCH_STREAM);
	CU_ASSERT_EQUAL(ids_detect_ctx_counters(c)[IDS_DC_scans], 2);
	ids_detect_ctx_free(c);

	/* the same packet without stream data: packet only */
	p.flags &= ~IDS_PKT_STREAM;
	CU_ASSERT(idt_expect(r, &p, "2,4,5"));
	/* a pseudo packet (flush): stream rules only */
	p.flags |= IDS_PKT_STREAM | IDS_PKT_PSEUDO;
	p.payload_len = 0;
	CU_ASSERT(idt_expect(r, &p, "1,3"));
	/* UDP never uses the stream */
	p = idt_pkt(IPPROTO_UDP, "1.1.1.1", 1, "2.2.2.2", 80, "index", 5,
		    EST_TS | IDS_PKT_STREAM);
	p.stream = (const uint8_t *)stream;
	p.stream_len = (uint32_t)strlen(stream);
	CU_ASSERT(idt_expect(r, &p, ""));
	ids_rules_free(r);
}

/* stream_new_off: a stream match must reach past the lookback. */
static void
test_ids_detect_stream_lookback(void)
{
	static const struct {
		const char *opts;
		uint32_t new_off;
		bool match;
	} rows[] = {
		/* stream: "GET /index.html HTTP/1.1" */
		{ "content:\"GET\";", 0, true },
		{ "content:\"GET\";", 4, false },	/* only in the lookback */
		{ "content:\"GET\";", 3, false },	/* ends at 3: not past it */
		{ "content:\"GET\";", 2, true },
		{ "content:\"GET /in\";", 4, true },	/* cut across: new */
		{ "content:\"index\";", 4, true },
		{ "content:\"index\"; content:\"GET\";", 4, true },	/* one new */
		{ "content:\"GET\"; content:\"/\"; distance:0; within:2;", 10, false },
		{ "content:\"T\";", 4, true },	/* a later occurrence (HTTP) */
		{ "content:\"T\"; content:\"/\"; distance:0; within:2;", 4, true },
		{ "pcre:\"/G.T/\";", 4, false },
		{ "pcre:\"/T.P/\";", 4, true },
		{ "content:!\"POST\";", 20, true },	/* negated only: not held */
		{ "content:\"1.1\"; isdataat:!1,relative;", 24, false },
		{ "content:\"1.1\"; isdataat:!1,relative;", 23, true },
	};
	const char *stream = "GET /index.html HTTP/1.1";

	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		char text[256];
		snprintf(text, sizeof(text),
			 "alert tcp any any -> any any (%s sid:1;)", rows[k].opts);
		struct ids_rules *r = idt_load(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		struct ids_pkt p = idt_pkt(IPPROTO_TCP, "1.1.1.1", 1, "2.2.2.2", 80,
					   "x", 1, EST_TS | IDS_PKT_STREAM);
		p.stream = (const uint8_t *)stream;
		p.stream_len = (uint32_t)strlen(stream);
		p.stream_new_off = rows[k].new_off;
		bool ok = idt_expect(r, &p, rows[k].match ? "1" : "");
		if (!ok)
			fprintf(stderr, "lookback row %zu: %s new_off %u\n", k,
				rows[k].opts, rows[k].new_off);
		CU_ASSERT(ok);
		ids_rules_free(r);
	}
}

CU_TestInfo idt_payload_tests[] = {
	{ "test_ids_detect_payload_table", test_ids_detect_payload_table },
	{ "test_ids_detect_stream", test_ids_detect_stream },
	{ "test_ids_detect_stream_lookback", test_ids_detect_stream_lookback },
	CU_TEST_INFO_NULL,
};
