/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the firewall's packet parser (fw_parse(), stages/app/
 * firewall_core.h) and the classifier behind it (rte_acl, the converted
 * tcpdump filters run by their JIT code, libpcap's bpf_filter), on one
 * packet from an in-memory buffer.
 *
 * The packet's bytes end exactly at a PROT_NONE page, so a read past the
 * captured length faults even in code ASan does not instrument (the JIT
 * code of the filters); the mbuf is a bare struct pointing at them, as a
 * one-segment mbuf from a port would.
 *
 * Two rule sets classify each packet: one with "malformed drop" (the
 * parser's verdict matters) and one with "malformed classify" (malformed
 * packets reach every filter program). Oracle: a verdict is FW_ALLOW or
 * FW_DROP, the rule index is a rule, the default or the malformed policy,
 * and a packet the parser calls malformed is dropped as malformed by the
 * first set.
 */
#define FUZZ_WITH_EAL 1

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_mbuf.h>

#include "firewall_core.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PKT_MAX 65535u	/* data_len is 16 bits */

static const char *const rule_text[2] = {
	"default allow\n"
	"malformed drop\n"
	"allow name v4ssh proto tcp src 192.0.2.0/24 dport 22\n"
	"drop name v4tcp proto tcp dport 1-1023\n"
	"drop name v6udp proto udp src 2001:db8::/32 sport 53\n"
	"drop name v6any dst 2001:db8:1::/48\n"
	"drop name icmp proto icmp\n"
	"drop name syn bpf \"tcp[13] & 2 != 0 and not net 10.0.0.0/8\"\n"
	"drop name frag bpf \"ip[6:2] & 0x3fff != 0\"\n"
	"drop name v6tcp80 bpf \"ip6 and tcp port 80\"\n"
	"allow name tup+bpf proto udp dport 53 bpf \"udp[8:2] = 0x1234\"\n",

	"default drop\n"
	"malformed classify\n"
	"drop name vlan bpf \"vlan and udp\"\n"
	"drop name long bpf \"len > 1000\"\n"
	"drop name ether bpf \"ether[12:2] = 0x88cc\"\n"
	"allow name proto bpf \"ip proto 47 or ip6 protochain 6\"\n"
	"allow name sctp proto sctp dport 9-99\n"
	"drop name v6bpf src 2001:db8::/32 bpf \"len > 100\"\n"
	"allow name any\n",
};

static struct fw_rules *rules[2];
static uint8_t *page_end;	/* first byte of the PROT_NONE page */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t room = RTE_ALIGN_CEIL(PKT_MAX, pg);
	char err[1024];
	uint8_t *map;
	int i;

	(void)argc;
	fuzz_eal_init((*argv)[0]);
	for (i = 0; i < 2; i++) {
		rules[i] = fw_rules_parse("fuzz-packet.rules", rule_text[i], err,
					  sizeof(err));
		if (rules[i] == NULL) {
			fprintf(stderr, "fuzz_fw_packet: rule set %d: %s\n", i, err);
			exit(1);
		}
	}
	map = mmap(NULL, room + pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + room, pg, PROT_NONE) != 0) {
		perror("fuzz_fw_packet: guard page");
		exit(1);
	}
	page_end = map + room;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf mb, *pkts[1] = { &mb };
	struct fw_meta mt;
	uint8_t verdict;
	int idx, i;
	uint8_t *p;

	if (size > PKT_MAX)
		return -1;	/* not a packet any port delivers in one segment */
	p = page_end - size;
	memcpy(p, data, size);
	memset(&mb, 0, sizeof(mb));
	mb.buf_addr = p;
	mb.data_off = 0;
	mb.data_len = (uint16_t)size;
	mb.pkt_len = (uint32_t)size;
	mb.nb_segs = 1;

	fw_parse(&mb, &mt);
	if (mt.cls > FW_C_BAD)
		FUZZ_FAIL("class %u", mt.cls);
	if (mt.ports && mt.cls != FW_C_V4 && mt.cls != FW_C_V6)
		FUZZ_FAIL("ports on class %u", mt.cls);
	for (i = 0; i < 2; i++) {
		verdict = 0xff;
		idx = 0x7fffffff;
		fw_classify(rules[i], pkts, 1, &verdict, &idx);
		if (verdict != FW_ALLOW && verdict != FW_DROP)
			FUZZ_FAIL("set %d: verdict %u", i, verdict);
		if (idx != FW_RULE_DEFAULT && idx != FW_RULE_MALFORMED &&
		    (idx < 0 || (unsigned int)idx >= fw_rules_count(rules[i])))
			FUZZ_FAIL("set %d: rule index %d", i, idx);
		if (i == 0 && mt.cls == FW_C_BAD &&
		    (idx != FW_RULE_MALFORMED || verdict != FW_DROP))
			FUZZ_FAIL("malformed packet not dropped as malformed: rule %d, verdict %u",
				  idx, verdict);
		if (i == 1 && idx == FW_RULE_MALFORMED)
			FUZZ_FAIL("set 1 classifies malformed packets, got the malformed policy");
	}
	return 0;
}
