/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall_bpf: the example eBPF object, and filter expressions against
 * libpcap over the corpus (libpcap's own filter tests, DPDK's test_bpf
 * filters over every Ethernet capture).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include <rte_mbuf.h>

#include "test_firewall.h"

/* The example eBPF object: UDP/IPv4 to port 53. */
static void
test_firewall_ebpf_object(void)
{
	static const struct spec dns = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53 };
	static const struct spec dns_opts = { .ihl_words = 3, .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53 };
	static const struct spec other = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 54 };
	static const struct spec cut = { .proto = 17, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 53, .cut = 18 };
	char text[8192], err[512];
	struct fw_rules *r;
	int rule;

	snprintf(text, sizeof(text),
		 "malformed classify\ndrop name dns ebpf \"%s\" section .text\n",
		 FW_EBPF_EXAMPLE);
	r = fw_rules_parse("ebpf", text, err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT(fw_rules_jitted(r));
	CU_ASSERT_EQUAL(fwt_classify_one(r, &dns, &rule), FW_DROP);
	CU_ASSERT_EQUAL(rule, 0);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &dns_opts, &rule), FW_DROP);
	CU_ASSERT_EQUAL(fwt_classify_one(r, &other, &rule), FW_ALLOW);
	CU_ASSERT_EQUAL(rule, FW_RULE_DEFAULT);
	/* Port bytes not captured: the load fails, no match. */
	CU_ASSERT_EQUAL(fwt_classify_one(r, &cut, &rule), FW_ALLOW);
	fw_rules_free(r);

	/* A program with "jset #2": interpreted, not JIT-crashed. */
	snprintf(text, sizeof(text), "default drop\nallow ebpf \"%s\"\n", FW_EBPF_JSET);
	r = fw_rules_parse("ebpf", text, err, sizeof(err));
	if (r == NULL)
		printf("\n  %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FALSE(fw_rules_jitted(r));
	{
		struct spec syn = { .proto = 6, .src = "1.1.1.1", .dst = "2.2.2.2", .sport = 5, .dport = 80 };
		uint8_t b[256];
		unsigned int len = fwt_build(&syn, b);
		struct rte_mbuf *m[2];
		uint8_t v[2];

		b[47] = 0x02;
		m[0] = fwt_mbuf(b, len, len);
		b[47] = 0x10;
		m[1] = fwt_mbuf(b, len, len);
		CU_ASSERT_FATAL(m[0] != NULL && m[1] != NULL);
		fw_classify(r, m, 2, v, NULL);
		CU_ASSERT_EQUAL(v[0], FW_ALLOW);
		CU_ASSERT_EQUAL(v[1], FW_DROP);
		rte_pktmbuf_free(m[0]);
		rte_pktmbuf_free(m[1]);
	}
	fw_rules_free(r);

	snprintf(text, sizeof(text), "drop ebpf \"%s\" section nosuch\n",
		 FW_EBPF_EXAMPLE);
	r = fw_rules_parse("ebpf", text, err, sizeof(err));
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT(strstr(err, "ebpf:1:11: cannot load section \"nosuch\"") == err);
}

/* Every agreeing Ethernet block of libpcap's own filter tests. */
static void
test_firewall_bpf_libpcap_blocks(void)
{
	char path[8192], err[512];
	unsigned int b, i, blocks = 0, pkts = 0, bad = 0, direct = 0;
	json_error_t jerr;
	json_t *root, *arr;

	snprintf(path, sizeof(path), "%s/expected/libpcap_filter_apply.json", fwt_corpus);
	root = json_load_file(path, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	arr = json_object_get(root, "blocks");
	CU_ASSERT_FATAL(json_is_array(arr));
	for (b = 0; b < json_array_size(arr); b++) {
		json_t *blk = json_array_get(arr, b), *res;
		const char *expr, *file;
		struct capture *c;
		struct fw_rules *r;
		uint8_t v[FWT_MAX_PKTS];

		if (json_integer_value(json_object_get(blk, "DLT")) != 1 ||
		    !json_is_true(json_object_get(blk, "agrees_with_local_libpcap_1.10.3")))
			continue;
		expr = json_string_value(json_object_get(blk, "expr"));
		file = json_string_value(json_object_get(blk, "savefile"));
		res = json_object_get(blk, "results");
		r = fwt_filter_rules(expr, err, sizeof(err));
		if (r == NULL) {
			printf("\n  block %s: %s", expr, err);
			bad++;
			continue;
		}
		direct += fw_rules_direct(r);
		c = calloc(1, sizeof(*c));
		snprintf(path, sizeof(path), "%s/pcaps/libpcap-filter/%s", fwt_corpus, file);
		CU_ASSERT_FATAL(fwt_capture_load(path, c) == 0);
		CU_ASSERT_EQUAL(c->n, json_array_size(res));
		if (getenv("FW_DEBUG") != NULL)
			fprintf(stderr, "block \"%s\" on %s\n", expr, file);
		fw_classify(r, c->m, c->n, v, NULL);
		for (i = 0; i < c->n && i < json_array_size(res); i++) {
			int want = json_integer_value(json_array_get(res, i)) != 0;

			pkts++;
			if (want != (v[i] == FW_ALLOW)) {
				printf("\n  DISAGREE \"%s\" on %s packet %u: libpcap %d ffwd %d",
				       expr, file, i, want, v[i] == FW_ALLOW);
				bad++;
			}
		}
		blocks++;
		fwt_capture_free(c);
		free(c);
		fw_rules_free(r);
	}
	json_decref(root);
	printf("\n  libpcap blocks: %u blocks (%u with direct loads), %u packets, %u disagreements\n",
	       blocks, direct, pkts, bad);
	CU_ASSERT_EQUAL(blocks, 49);
	/* All but the five protochain blocks (libpcap's bpf_filter()). */
	CU_ASSERT_EQUAL(direct, 44);
	CU_ASSERT(pkts > 0);
	CU_ASSERT_EQUAL(bad, 0);
}

/* DPDK's 26 test_bpf filters over every Ethernet capture of the corpus. */
static void
test_firewall_bpf_dpdk_filters(void)
{
	char path[8192], err[512];
	unsigned int f, i, nf, files = 0, pkts = 0, bad = 0, jitted = 0, direct = 0;
	struct fw_rules *rules[64];
	json_t *root, *filters, *results, *per;
	json_error_t jerr;
	struct capture *c = calloc(1, sizeof(*c));
	uint8_t *v = calloc(FWT_MAX_PKTS, 1), *want = calloc(FWT_MAX_PKTS, 1);
	const char *file;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	snprintf(path, sizeof(path), "%s/expected/dpdk_sample_filters_libpcap.json", fwt_corpus);
	root = json_load_file(path, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	filters = json_object_get(root, "filters");
	results = json_object_get(root, "results");
	nf = (unsigned int)json_array_size(filters);
	CU_ASSERT_EQUAL_FATAL(nf, 26);
	for (f = 0; f < nf; f++) {
		rules[f] = fwt_filter_rules(json_string_value(json_array_get(filters, f)),
					    err, sizeof(err));
		if (rules[f] == NULL)
			printf("\n  %s", err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rules[f]);
		jitted += fw_rules_jitted(rules[f]) != 0;
		direct += fw_rules_direct(rules[f]);
		if (fw_rules_direct(rules[f]) == 0)
			printf("\n  not direct: %s", json_string_value(json_array_get(filters, f)));
	}
	json_object_foreach(results, file, per) {
		snprintf(path, sizeof(path), "%s/%s", fwt_corpus, file);
		CU_ASSERT_FATAL(fwt_capture_load(path, c) == 0);
		for (f = 0; f < nf; f++) {
			const char *expr = json_string_value(json_array_get(filters, f));
			json_t *fr = json_object_get(per, expr), *idx;
			size_t k;

			CU_ASSERT_PTR_NOT_NULL_FATAL(fr);
			if (json_integer_value(json_object_get(fr, "of")) != c->n) {
				printf("\n  %s: libpcap read %lld records, we %u",
				       file, (long long)json_integer_value(json_object_get(fr, "of")),
				       c->n);
				bad++;
				break;
			}
			memset(want, 0, c->n);
			json_array_foreach(json_object_get(fr, "matched_packet_indices"), k, idx)
				if ((json_int_t)json_integer_value(idx) < (json_int_t)c->n)
					want[json_integer_value(idx)] = 1;
			fw_classify(rules[f], c->m, c->n, v, NULL);
			for (i = 0; i < c->n; i++) {
				pkts++;
				if (want[i] != (v[i] == FW_ALLOW)) {
					printf("\n  DISAGREE \"%s\" on %s packet %u: libpcap %d ffwd %d",
					       expr, file, i, want[i], v[i] == FW_ALLOW);
					bad++;
				}
			}
		}
		fwt_capture_free(c);
		files++;
	}
	printf("\n  dpdk filters: %u filters (%u JIT, %u direct loads) x %u captures, %u verdicts, %u disagreements\n",
	       nf, jitted, direct, files, pkts, bad);
	CU_ASSERT_EQUAL(files, json_object_size(results));
	CU_ASSERT(files >= 100);
	CU_ASSERT_EQUAL(jitted, nf);
	CU_ASSERT_EQUAL(direct, nf);
	CU_ASSERT_EQUAL(bad, 0);
	for (f = 0; f < nf; f++)
		fw_rules_free(rules[f]);
	json_decref(root);
	free(c);
	free(v);
	free(want);
}

CU_TestInfo fwt_bpf_tests[] = {
	{ "test_firewall_ebpf_object", test_firewall_ebpf_object },
	{ "test_firewall_bpf_libpcap_blocks", test_firewall_bpf_libpcap_blocks },
	{ "test_firewall_bpf_dpdk_filters", test_firewall_bpf_dpdk_filters },
	CU_TEST_INFO_NULL,
};
