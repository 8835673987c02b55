/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall_malformed: every capture of the corpus through rules that
 * touch every parser path: no verdict depends on bytes past the captured
 * length, and a file left out is one libpcap's oracle leaves out too.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include <rte_mbuf.h>

#include "test_firewall.h"

/* Rules that touch every parser path: ACL v4/v6 with and without ports,
 * filters on TCP flags, VLAN, ARP and length, and the eBPF example. */
static const char mal_text[] =
	"default allow\n"
	"drop name syn bpf \"tcp[13] & 2 != 0 and not net 10.0.0.0/8\"\n"
	"drop name dns proto udp dport 53\n"
	"allow name v6-any src ::/0 dst ::/0\n"
	"drop name v4-low sport 0-1023\n"
	"drop name arp bpf \"arp\"\n"
	"drop name vlan-tcp bpf \"vlan and tcp\"\n"
	"drop name len bpf \"len > 1000\"\n"
	"drop name icmp proto icmp\n";

static struct {
	char text[8192];
	unsigned int files, pkts, fails;
	uint64_t passed, drops[FW_DROP_MAX];
	/* Files the walk did not classify, each named: libpcap cannot open
	 * them (confirmed by the oracle, expected/libpcap_read.json), or
	 * their link type is not Ethernet (idem). */
	json_t *oracle;			/* its "files" object */
	unsigned int visited, unopened, other_dlt;
	char unopened_names[4096], other_dlt_names[4096];
} ms;

/* Append the corpus-relative name of PATH to LIST. */
static void
mal_name(char *list, size_t size, const char *rel)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", rel);
}

static void
mal_count(void *arg, const char *name, uint64_t v)
{
	(void)name;
	*(uint64_t *)arg += v;
}

static void
mal_fill_tail(struct capture *c, int byte)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		memset(rte_pktmbuf_mtod(c->m[i], uint8_t *) + c->m[i]->data_len,
		       byte, rte_pktmbuf_tailroom(c->m[i]));
}

static int
mal_visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	uint64_t drops[FW_DROP_MAX] = { 0 }, passed = 0, dsum = 0, hits = 0;
	struct rte_mbuf **copy = NULL;
	uint8_t *va = NULL, *vb = NULL;
	struct fw_rules *r = NULL;
	struct fw_stage *st = NULL;
	unsigned int i, allowed = 0;
	struct capture *c;
	char err[512];

	const char *rel = path + strlen(fwt_corpus) + 1;
	json_t *want = json_object_get(ms.oracle, rel);

	(void)sb;
	(void)ftw;
	if (type != FTW_F)
		return 0;
	ms.visited++;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return 1;
	/* A file left out must be one libpcap's oracle leaves out too (or
	 * not a capture at all: not in the oracle, e.g. the README notes). */
	if (fwt_capture_load(path, c) != 0) {
		ms.unopened++;
		mal_name(ms.unopened_names, sizeof(ms.unopened_names), rel);
		if (want != NULL && json_object_get(want, "open_error") == NULL) {
			printf("\n  %s: cannot open, but libpcap's oracle reads it", rel);
			ms.fails++;
		}
		goto out;
	}
	if (want == NULL) {
		printf("\n  %s: opened, but not in the oracle", rel);
		ms.fails++;
	} else if (json_integer_value(json_object_get(want, "dlt")) != c->dlt) {
		printf("\n  %s: link type %d, the oracle says %lld", rel, c->dlt,
		       json_integer_value(json_object_get(want, "dlt")));
		ms.fails++;
	}
	if (c->dlt != DLT_EN10MB) {
		ms.other_dlt++;
		mal_name(ms.other_dlt_names, sizeof(ms.other_dlt_names), rel);
		goto out;
	}
	ms.files++;
	ms.pkts += c->n;
	va = malloc(c->n + 1);
	vb = malloc(c->n + 1);
	copy = calloc(c->n + 1, sizeof(*copy));
	r = fw_rules_parse("mal", ms.text, err, sizeof(err));
	st = fw_stage_create("mal", fw_rules_parse("mal", ms.text, err, sizeof(err)), 1);
	if (va == NULL || vb == NULL || copy == NULL || r == NULL || st == NULL) {
		printf("\n  %s: set-up failed: %s", path, err);
		ms.fails++;
		goto out;
	}
	/* No verdict may depend on bytes past the captured data: classify
	 * with the tailroom filled with 0x00, then with 0xff. */
	mal_fill_tail(c, 0x00);
	fw_classify(r, c->m, c->n, va, NULL);
	mal_fill_tail(c, 0xff);
	fw_classify(r, c->m, c->n, vb, NULL);
	if (memcmp(va, vb, c->n) != 0) {
		printf("\n  %s: a verdict depends on bytes past the data", path);
		ms.fails++;
	}
	/* Through the stage, on copies: dropped ones are freed by it. */
	for (i = 0; i < c->n; i++) {
		/* Same shape: the captured bytes in the first segment. */
		copy[i] = fwt_mbuf(rte_pktmbuf_mtod(c->m[i], const uint8_t *),
				   c->m[i]->data_len, c->m[i]->pkt_len);
		if (copy[i] == NULL) {
			printf("\n  %s: no mbuf for a copy", path);
			ms.fails++;
			goto out;
		}
		allowed += va[i] == FW_ALLOW;
	}
	for (i = 0; i < c->n; i += 32) {
		uint16_t n = (uint16_t)RTE_MIN(32u, c->n - i);
		uint16_t out = fw_stage_burst(st, copy + i, n, drops);

		passed += out;
		rte_pktmbuf_free_bulk(copy + i, out);
	}
	for (i = 0; i < FW_DROP_MAX; i++) {
		dsum += drops[i];
		ms.drops[i] += drops[i];
	}
	ms.passed += passed;
	fw_stage_counters(st, mal_count, &hits);
	if (passed + dsum != c->n || hits != c->n || allowed != passed) {
		printf("\n  %s: received %u, passed %lu + dropped %lu, hits %lu, classify allowed %u",
		       path, c->n, passed, dsum, hits, allowed);
		ms.fails++;
	}
out:
	fw_stage_free(st);
	fw_rules_free(r);
	free(va);
	free(vb);
	free(copy);
	fwt_capture_free(c);
	free(c);
	return 0;
}

static void
test_firewall_malformed_corpus(void)
{
	char path[8192];
	unsigned int pass, fails = 0;
	json_error_t jerr;
	json_t *oracle;

	snprintf(path, sizeof(path), "%s/expected/libpcap_read.json", fwt_corpus);
	oracle = json_load_file(path, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(oracle);
	snprintf(path, sizeof(path), "%s/pcaps", fwt_corpus);
	/* Pass 0: malformed drop; pass 1: malformed classify. */
	for (pass = 0; pass < 2; pass++) {
		memset(&ms, 0, sizeof(ms));
		ms.oracle = json_object_get(oracle, "files");
		CU_ASSERT_PTR_NOT_NULL_FATAL(ms.oracle);
		snprintf(ms.text, sizeof(ms.text),
			 "%s%sdrop name ebpf ebpf \"%s\"\n",
			 pass == 0 ? "malformed drop\n" : "malformed classify\n",
			 mal_text, FW_EBPF_EXAMPLE);
		CU_ASSERT_EQUAL(nftw(path, mal_visit, 16, FTW_PHYS), 0);
		printf("\n  pass %u (%s): %u Ethernet captures, %u packets: passed %lu, fw_rule %lu, fw_default %lu, fw_malformed %lu",
		       pass, pass == 0 ? "malformed drop" : "malformed classify",
		       ms.files, ms.pkts, ms.passed, ms.drops[FW_DROP_RULE],
		       ms.drops[FW_DROP_DEFAULT], ms.drops[FW_DROP_MALFORMED]);
		printf("\n  of %u files: %u left out, libpcap cannot open them (%s); %u not Ethernet (%s)",
		       ms.visited, ms.unopened, ms.unopened_names, ms.other_dlt,
		       ms.other_dlt_names);
		CU_ASSERT_EQUAL(ms.files + ms.unopened + ms.other_dlt, ms.visited);
		CU_ASSERT(ms.files >= 100);
		CU_ASSERT(ms.drops[FW_DROP_RULE] > 0);
		CU_ASSERT(ms.passed > 0);
		CU_ASSERT_EQUAL(ms.passed + ms.drops[FW_DROP_RULE] +
				ms.drops[FW_DROP_DEFAULT] + ms.drops[FW_DROP_MALFORMED],
				ms.pkts);
		if (pass == 0) {
			CU_ASSERT(ms.drops[FW_DROP_MALFORMED] > 0);
		} else {
			CU_ASSERT_EQUAL(ms.drops[FW_DROP_MALFORMED], 0);
		}
		fails += ms.fails;
	}
	json_decref(oracle);
	printf("\n");
	CU_ASSERT_EQUAL(fails, 0);
}

CU_TestInfo fwt_malformed_tests[] = {
	{ "test_firewall_malformed_corpus", test_firewall_malformed_corpus },
	CU_TEST_INFO_NULL,
};
