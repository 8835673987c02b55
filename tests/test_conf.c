/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf tests: tables of YAML texts, each either parsed and checked field by
 * field or refused with an exact message (file:line:col included), so that
 * a message that moves or changes wording fails here first.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity() */
#endif
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "conf.h"
#include "cunit_main.h"
#include "test_conf.h"
#include "fwd.h"
#include "port_tx.h"
#include "work.h"



/* ---- checks for the good rows ---- */

/* The kinds' own configs, as their parsers filled them. */
#define KIND(st) ((st).ops != NULL ? (st).ops->name : "(none)")
#define FWD(st) ((const struct fwd_conf *)(st).kconf)
#define WORK(st) ((const struct work_conf *)(st).kconf)
#define TXC(st) ((const struct port_tx_conf *)(st).kconf)

static void
check_full(const struct conf *c)
{
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	const struct conf_stage *st;

	CU_ASSERT_STRING_EQUAL(c->file, "t.yaml");
	CU_ASSERT_STRING_EQUAL(c->label, "demo");
	CU_ASSERT_EQUAL(c->housekeeping, 0);
	CU_ASSERT_TRUE(c->hugepages);
	CU_ASSERT_EQUAL(c->memory_mb, 1024);
	CU_ASSERT_EQUAL(c->mbufs, 16383);
	CU_ASSERT_EQUAL(c->mbuf_size, 9216);
	CU_ASSERT_EQUAL(c->ring_size, 4096);
	CU_ASSERT_EQUAL(c->n_ports, 2);
	CU_ASSERT_STRING_EQUAL(c->ports[0].name, "wan");
	CU_ASSERT_STRING_EQUAL(c->ports[0].dev,
			       "net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap");
	CU_ASSERT_EQUAL(c->ports[0].rxq, 2);
	CU_ASSERT_EQUAL(c->ports[0].txq, 3);
	CU_ASSERT_EQUAL(c->ports[0].rxd, 512);
	CU_ASSERT_EQUAL(c->ports[0].txd, 2048);
	CU_ASSERT_EQUAL(c->ports[0].mark.line, 11);
	CU_ASSERT_EQUAL(c->ports[0].mark.col, 8);
	CU_ASSERT_STRING_EQUAL(c->ports[1].name, "lan");
	CU_ASSERT_EQUAL(c->n_paths, 1);
	CU_ASSERT_STRING_EQUAL(c->paths[0].name, "wan2lan");
	CU_ASSERT_EQUAL(c->paths[0].n_stages, 5);
	if (c->paths[0].n_stages != 5)
		return;
	st = c->paths[0].stages;
	CU_ASSERT_STRING_EQUAL(st[0].name, "rx");
	CU_ASSERT_STRING_EQUAL(KIND(st[0]), "input");
	CU_ASSERT_EQUAL(st[0].port, 0);
	CU_ASSERT_EQUAL(st[0].queue, 1);
	CU_ASSERT_EQUAL(st[0].lcore, 1);
	CU_ASSERT_EQUAL(st[0].idle, CONF_IDLE_SPIN);
	CU_ASSERT_EQUAL(st[0].mark.line, 16);
	CU_ASSERT_EQUAL(st[0].mark.col, 9);
	CU_ASSERT_STRING_EQUAL(KIND(st[1]), "fwd");
	CU_ASSERT_TRUE(FWD(st[1])->mac_swap);
	CU_ASSERT_FALSE(FWD(st[1])->mac_set & FWD_SET_SRC);
	CU_ASSERT_EQUAL(st[1].port, -1);
	CU_ASSERT_STRING_EQUAL(KIND(st[2]), "fwd");
	CU_ASSERT_FALSE(FWD(st[2])->mac_swap);
	CU_ASSERT_TRUE(FWD(st[2])->mac_set & FWD_SET_SRC);
	CU_ASSERT_TRUE(FWD(st[2])->mac_set & FWD_SET_DST);
	CU_ASSERT_EQUAL(memcmp(FWD(st[2])->src_mac, src, 6), 0);
	CU_ASSERT_EQUAL(memcmp(FWD(st[2])->dst_mac, dst, 6), 0);
	CU_ASSERT_EQUAL(st[2].lcore, 2);
	CU_ASSERT_STRING_EQUAL(KIND(st[3]), "work");
	CU_ASSERT_EQUAL(WORK(st[3])->ns, 500);
	CU_ASSERT_STRING_EQUAL(KIND(st[4]), "output");
	CU_ASSERT_EQUAL(st[4].port, 1);
	CU_ASSERT_EQUAL(st[4].queue, 0);
	CU_ASSERT_EQUAL(TXC(st[4])->retries, 16);
	CU_ASSERT_EQUAL(st[4].idle, CONF_IDLE_SPIN);
	CU_ASSERT_TRUE(c->cpus_given);
	CU_ASSERT_EQUAL(c->cpu_of[0], 0);
	CU_ASSERT_EQUAL(c->cpu_of[1], 0);
	CU_ASSERT_EQUAL(c->cpu_of[2], 1);
}

/* Pipeline last in the file: ports and cpus must still be known. */
static void
check_any_order(const struct conf *c)
{
	CU_ASSERT_STRING_EQUAL(c->label, "demo");
	CU_ASSERT_EQUAL(c->n_ports, 2);
	CU_ASSERT_EQUAL(c->paths[0].stages[1].port, 1);
	CU_ASSERT_EQUAL(c->paths[0].stages[0].mark.line, 4);
	CU_ASSERT_TRUE(c->cpus_given);
	CU_ASSERT_EQUAL(c->cpu_of[2], 1);
}

static void
check_defaults(const struct conf *c)
{
	const struct conf_stage *st = c->paths[0].stages;

	CU_ASSERT_EQUAL(c->housekeeping, 0);
	CU_ASSERT_FALSE(c->hugepages);
	CU_ASSERT_EQUAL(c->memory_mb, 512);
	CU_ASSERT_EQUAL(c->mbufs, 8191);
	CU_ASSERT_EQUAL(c->mbuf_size, 2176);
	CU_ASSERT_EQUAL(c->ring_size, 1024);
	CU_ASSERT_EQUAL(c->ports[0].rxq, 1);
	CU_ASSERT_EQUAL(c->ports[0].txq, 1);
	CU_ASSERT_EQUAL(c->ports[0].rxd, 1024);
	CU_ASSERT_EQUAL(c->ports[0].txd, 1024);
	CU_ASSERT_EQUAL(c->ports[0].mtu, 0);
	CU_ASSERT_EQUAL(c->ports[0].rss, CONF_RSS_OFF);
	CU_ASSERT_EQUAL(c->n_paths, 1);
	CU_ASSERT_EQUAL(c->paths[0].n_stages, 2);
	CU_ASSERT_EQUAL(st[0].idle, CONF_IDLE_SPIN);
	CU_ASSERT_EQUAL(st[0].queue, 0);
	CU_ASSERT_EQUAL(st[1].queue, 0);
	CU_ASSERT_EQUAL(TXC(st[1])->retries, 8);
	/* An input has no keys of its own, so no kind config. */
	CU_ASSERT_PTR_NULL(st[0].kconf);
	CU_ASSERT_PTR_NOT_NULL(st[1].kconf);
}

/* cpu_of[] holds the lcores in use only, not every pipeline.cpus entry. */
static void
check_cpus_used_only(const struct conf *c)
{
	unsigned int l;

	CU_ASSERT_TRUE(c->cpus_given);
	CU_ASSERT_EQUAL(c->cpu_of[0], 0);
	CU_ASSERT_EQUAL(c->cpu_of[1], 0);
	CU_ASSERT_EQUAL(c->cpu_of[2], 1);
	CU_ASSERT_EQUAL(c->cpu_of[3], -1);
	for (l = 4; l < CONF_MAX_LCORES; l++)
		CU_ASSERT_EQUAL(c->cpu_of[l], -1);
}

static void
check_no_cpus(const struct conf *c)
{
	CU_ASSERT_FALSE(c->cpus_given);
	CU_ASSERT_EQUAL(c->cpu_of[0], 0);
	CU_ASSERT_EQUAL(c->cpu_of[1], 1);
	CU_ASSERT_EQUAL(c->cpu_of[2], -1);
}

static void
check_shorthand(const struct conf *c)
{
	CU_ASSERT_EQUAL(c->n_paths, 1);
	CU_ASSERT_STRING_EQUAL(c->paths[0].name, "main");
	CU_ASSERT_EQUAL(c->paths[0].mark.line, 8);
	CU_ASSERT_EQUAL(c->paths[0].mark.col, 3);
	CU_ASSERT_EQUAL(c->paths[0].n_stages, 2);
	CU_ASSERT_STRING_EQUAL(c->paths[0].stages[0].name, "rx");
	CU_ASSERT_STRING_EQUAL(c->paths[0].stages[1].name, "tx");
}

static void
check_housekeeping(const struct conf *c)
{
	CU_ASSERT_EQUAL(c->housekeeping, 3);
	CU_ASSERT_EQUAL(c->cpu_of[3], 1);
	CU_ASSERT_EQUAL(c->cpu_of[0], -1);
	CU_ASSERT_EQUAL(c->cpu_of[1], 0);
}

/* Two paths: queues, shared lcores and a TX queue shared on one lcore. */
static void
check_two_paths(const struct conf *c)
{
	const struct conf_path *p = c->paths;

	CU_ASSERT_EQUAL(c->n_paths, 2);
	CU_ASSERT_STRING_EQUAL(p[0].name, "a");
	CU_ASSERT_STRING_EQUAL(p[1].name, "b");
	CU_ASSERT_EQUAL(p[0].stages[0].queue, 0);
	CU_ASSERT_EQUAL(p[1].stages[0].queue, 1);
	CU_ASSERT_EQUAL(p[1].stages[0].port, 1);
	CU_ASSERT_EQUAL(p[0].stages[1].port, 1);
	CU_ASSERT_EQUAL(p[1].stages[1].port, 1);
	CU_ASSERT_EQUAL(p[0].stages[1].lcore, p[1].stages[1].lcore);
	CU_ASSERT_EQUAL(p[0].stages[0].idle, CONF_IDLE_YIELD);
	CU_ASSERT_EQUAL(p[1].stages[0].idle, CONF_IDLE_YIELD);
	CU_ASSERT_EQUAL(TXC(p[1].stages[1])->retries, 0);
}

static void
check_port_index(const struct conf *c)
{
	CU_ASSERT_EQUAL(c->n_ports, 3);
	CU_ASSERT_STRING_EQUAL(c->ports[2].name, "dmz-1");
	CU_ASSERT_STRING_EQUAL(c->ports[2].dev, "0000:01:00.0");
	CU_ASSERT_EQUAL(c->paths[0].stages[0].port, 2);
	CU_ASSERT_EQUAL(c->paths[0].stages[1].port, 0);
}

static void
check_block_style(const struct conf *c)
{
	static const uint8_t mac[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	const struct conf_stage *st = c->paths[0].stages;

	CU_ASSERT_STRING_EQUAL(c->label, "x_Y-9");
	CU_ASSERT_TRUE(c->hugepages);
	CU_ASSERT_EQUAL(c->ring_size, 16);
	CU_ASSERT_EQUAL(c->paths[0].n_stages, 3);
	CU_ASSERT_STRING_EQUAL(KIND(st[1]), "fwd");
	CU_ASSERT_FALSE(FWD(st[1])->mac_set & FWD_SET_SRC);
	CU_ASSERT_TRUE(FWD(st[1])->mac_set & FWD_SET_DST);
	CU_ASSERT_EQUAL(memcmp(FWD(st[1])->dst_mac, mac, 6), 0);
	CU_ASSERT_EQUAL(st[0].mark.line, 11);
	CU_ASSERT_EQUAL(st[0].mark.col, 9);
}

static void
check_mtu_rss(const struct conf *c)
{
	CU_ASSERT_EQUAL(c->ports[0].mtu, 9000);
	CU_ASSERT_EQUAL(c->ports[0].rss, CONF_RSS_SYMMETRIC);
	CU_ASSERT_EQUAL(c->ports[0].rxq, 4);
	CU_ASSERT_EQUAL(c->ports[1].mtu, 68);
	CU_ASSERT_EQUAL(c->ports[1].rss, CONF_RSS_OFF);
	CU_ASSERT_EQUAL(c->ports[0].busy_budget, -1);
	CU_ASSERT_FALSE(c->ports[0].force_copy);
	CU_ASSERT_TRUE(c->ports[0].link_propagate);
	CU_ASSERT_FALSE(c->ports[1].link_propagate);
}

static void
check_af_xdp(const struct conf *c)
{
	CU_ASSERT_EQUAL(c->ports[0].busy_budget, 32);
	CU_ASSERT_TRUE(c->ports[0].force_copy);
	CU_ASSERT_EQUAL(c->ports[1].busy_budget, 0);
	CU_ASSERT_FALSE(c->ports[1].force_copy);
}

/* lcores: [2, 3, 4] with 2 active; the parked lcore is reserved too. */
static void
check_fleet_list(const struct conf *c)
{
	const struct conf_stage *st = &c->paths[0].stages[1];

	CU_ASSERT_EQUAL(st->n_lcores, 3);
	CU_ASSERT_EQUAL(st->replicas, 2);
	CU_ASSERT_EQUAL(st->lcore, 2);
	CU_ASSERT_EQUAL(st->lcores[2], 4);
	CU_ASSERT_EQUAL(c->cpu_of[4], 0);
	CU_ASSERT_EQUAL(c->paths[0].stages[0].n_lcores, 0);
}

/* replicas: 3 from lcore 2: lcores 2, 3, 4, all active. */
static void
check_fleet_replicas(const struct conf *c)
{
	const struct conf_stage *st = &c->paths[0].stages[1];

	CU_ASSERT_EQUAL(st->n_lcores, 3);
	CU_ASSERT_EQUAL(st->replicas, 3);
	CU_ASSERT_EQUAL(st->lcores[0], 2);
	CU_ASSERT_EQUAL(st->lcores[1], 3);
	CU_ASSERT_EQUAL(st->lcores[2], 4);
	CU_ASSERT_EQUAL(c->cpu_of[3], 1);
}

static void
check_fleet_fused(const struct conf *c)
{
	const struct conf_stage *st = c->paths[0].stages;

	CU_ASSERT_EQUAL(st[1].n_lcores, 2);
	CU_ASSERT_EQUAL(st[2].n_lcores, 2);
	CU_ASSERT_EQUAL(st[2].lcores[1], 3);
}

static void
check_fleet_rss(const struct conf *c)
{
	CU_ASSERT_TRUE(c->ports[0].rss);
	CU_ASSERT_FALSE(c->ports[1].rss);
	CU_ASSERT_EQUAL(c->ports[0].rxq, 2);
	CU_ASSERT_EQUAL(c->paths[0].stages[1].n_lcores, 2);
}

static const struct conf_good good_rows[] = {
	{ "full example",
	  "pipeline:\n"
	  "  label: demo\n"
	  "  housekeeping: 0\n"
	  "  hugepages: true\n"
	  "  memory: 1024\n"
	  "  mbufs: 16383\n"
	  "  mbuf_size: 9216\n"
	  "  ring_size: 4096\n"
	  "  cpus: { 0: 0, 1: 0, 2: 1 }\n"
	  "ports:\n"
	  "  wan: { dev: \"net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap\", rxq: 2, txq: 3, rxd: 512, txd: 2048 }\n"
	  "  lan: { dev: net_null0 }\n"
	  "paths:\n"
	  "  - name: wan2lan\n"
	  "    stages:\n"
	  "      - { name: rx, kind: input, port: wan, queue: 1, lcore: 1, idle: spin }\n"
	  "      - { name: sw, kind: fwd, mac_swap: true, lcore: 1 }\n"
	  "      - { name: rw, kind: fwd, src_mac: \"02:00:00:00:00:01\", dst_mac: \"02:00:00:00:00:02\", lcore: 2 }\n"
	  "      - { name: w, kind: work, ns: 500, lcore: 2 }\n"
	  "      - { name: tx, kind: output, port: lan, queue: 0, lcore: 2, retries: 16 }\n",
	  check_full },
	{ "parts in any order",
	  "paths:\n"
	  "  - name: wan2lan\n"
	  "    stages:\n"
	  "      - { name: rx, kind: input, port: wan, lcore: 1 }\n"
	  "      - { name: tx, kind: output, port: lan, lcore: 2 }\n"
	  "ports:\n"
	  "  wan: { dev: net_null0 }\n"
	  "  lan: { dev: net_null1 }\n"
	  "pipeline:\n"
	  "  cpus: { 0: 0, 1: 0, 2: 1 }\n"
	  "  label: demo\n",
	  check_any_order },
	{ "port mtu and rss",
	  PIPE
	  "ports:\n"
	  "  wan: { dev: net_null0, mtu: 9000, rxq: 4, rss: symmetric }\n"
	  "  lan: { dev: \"0000:01:00.0\", rxq: 2, rss: off, mtu: 68, link_propagate: false }\n"
	  "paths:\n" PATH("p") RX TX,
	  check_mtu_rss },
	{ "af_xdp socket options",
	  PIPE
	  "ports:\n"
	  "  wan: { dev: \"net_af_xdp0,iface=v0\", busy_budget: 32, zero_copy: off }\n"
	  "  lan: { dev: \"net_af_xdp1,iface=v1\", busy_budget: 0, zero_copy: auto }\n"
	  "paths:\n" PATH("p") RX TX,
	  check_af_xdp },
	{ "defaults", SIMPLE, check_defaults },
	{ "cpu_of holds the lcores in use only", SIMPLE,
	  check_cpus_used_only },
	{ "no cpus map: lcore L on CPU L",
	  "pipeline: { label: demo }\n"
	  PORTS
	  "stages:\n"
	  "  - { name: rx, kind: input, port: wan, lcore: 1 }\n"
	  "  - { name: tx, kind: output, port: lan, lcore: 1 }\n",
	  check_no_cpus },
	{ "top-level stages is one path named main",
	  HEAD
	  "stages:\n"
	  "  - { name: rx, kind: input, port: wan, lcore: 1 }\n"
	  "  - { name: tx, kind: output, port: lan, lcore: 2 }\n",
	  check_shorthand },
	{ "housekeeping on another lcore",
	  "pipeline:\n"
	  "  label: demo\n"
	  "  housekeeping: 3\n"
	  "  cpus: { 3: 1, 1: 0, 2: 1 }\n"
	  PORTS
	  "paths:\n" PATH("p") RX TX,
	  check_housekeeping },
	{ "two paths share lcores and a TX queue on one lcore",
	  HEAD
	  "paths:\n"
	  PATH("a")
	  "      - { name: a_rx, kind: input, port: lan, lcore: 1, idle: yield }\n"
	  "      - { name: a_tx, kind: output, port: lan, lcore: 2 }\n"
	  PATH("b")
	  "      - { name: b_rx, kind: input, port: lan, queue: 1, lcore: 1, idle: yield }\n"
	  "      - { name: b_tx, kind: output, port: lan, lcore: 2, retries: 0 }\n",
	  check_two_paths },
	{ "port index follows the file order",
	  PIPE
	  "ports:\n"
	  "  wan: { dev: net_null0 }\n"
	  "  lan: { dev: net_null1 }\n"
	  "  dmz-1: { dev: '0000:01:00.0' }\n"
	  "paths:\n"
	  PATH("p")
	  "      - { name: rx, kind: input, port: dmz-1, lcore: 1 }\n"
	  "      - { name: tx, kind: output, port: wan, lcore: 2 }\n",
	  check_port_index },
	{ "block style, comments, document markers, upper-case MAC",
	  "%YAML 1.1\n"
	  "---\n"
	  "pipeline:\n"
	  "  label: x_Y-9   # comment\n"
	  "  hugepages: True\n"
	  "  ring_size: 16\n"
	  "  cpus: { 0: 0, 1: 0, 2: 1 }\n"
	  "ports: { wan: { dev: net_null0 } }\n"
	  "paths:\n"
	  "  - stages:\n"
	  "      - name: rx\n"
	  "        kind: input\n"
	  "        port: wan\n"
	  "        lcore: 1\n"
	  "      - name: set\n"
	  "        kind: fwd\n"
	  "        dst_mac: AA:BB:CC:DD:EE:FF\n"
	  "        lcore: 1\n"
	  "      - { name: tx, kind: output, port: wan, lcore: 2 }\n"
	  "    name: p\n"
	  "...\n",
	  check_block_style },
	{ "fleet: lcores list, fewer replicas active", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3, 4], replicas: 2 }\n" FTX,
	  check_fleet_list },
	{ "fleet: replicas from lcore on", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 2, replicas: 3 }\n" FTX,
	  check_fleet_replicas },
	{ "fleet: a fused run replicated", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n"
	  "      - { name: w, kind: work, ns: 10, lcores: [2, 3] }\n" FTX,
	  check_fleet_fused },
	{ "fleet: spread by an RSS input", FPIPE "ports:\n"
	  "  wan: { dev: net_null0, rxq: 2, rss: symmetric }\n"
	  "  lan: { dev: net_null1, rss: off }\n"
	  "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 2 }\n"
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n" FTX,
	  check_fleet_rss },
	{ "one fwd stage on each of three lcores",
	  HEAD
	  "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 3 }\n"
	  TX,
	  NULL },
};


/* The allowed-CPU list as conf prints it: "0-3,8". */
static void
format_allowed_cpus(char *buf, size_t size)
{
	cpu_set_t set;
	size_t n = 0;
	int i, first;

	buf[0] = '\0';
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return;
	for (i = 0; i < CPU_SETSIZE && n < size; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		first = i;
		while (i + 1 < CPU_SETSIZE && CPU_ISSET(i + 1, &set))
			i++;
		if (first == i)
			n += snprintf(buf + n, size - n, "%s%d",
				      n > 0 ? "," : "", i);
		else
			n += snprintf(buf + n, size - n, "%s%d-%d",
				      n > 0 ? "," : "", first, i);
	}
}

static bool
cpu_offered(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	return sched_getaffinity(0, sizeof(set), &set) == 0 &&
	       CPU_ISSET(cpu, &set);
}

/*
 * "@KINDS@": every registered kind, inputs first and outputs last, as
 * "a, b or c". The list grows with the kinds a binary links; which kinds
 * there are is test_conf_kind_names' business, where the message puts
 * them is this table's.
 */
static void
format_kinds(char *buf, size_t size)
{
	const struct stage_ops *o, *next;
	size_t n = 0;

	buf[0] = '\0';
	for (o = stage_kind_next(NULL); o != NULL && n < size; o = next) {
		next = stage_kind_next(o);
		n += snprintf(buf + n, size - n, "%s%s",
			      n == 0 ? "" : next == NULL ? " or " : ", ", o->name);
	}
}

/* Replace "@CPUS@" and "@KINDS@" in PATTERN. */
static void
expand_expected(char *buf, size_t size, const char *pattern)
{
	char val[512], tmp[CONF_ERR_MAX];
	const char *at;

	snprintf(buf, size, "%s", pattern);
	if ((at = strstr(buf, "@CPUS@")) != NULL) {
		format_allowed_cpus(val, sizeof(val));
		snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(at - buf), buf, val,
			 at + strlen("@CPUS@"));
		snprintf(buf, size, "%s", tmp);
	}
	if ((at = strstr(buf, "@KINDS@")) != NULL) {
		format_kinds(val, sizeof(val));
		snprintf(tmp, sizeof(tmp), "%.*s%s%s", (int)(at - buf), buf, val,
			 at + strlen("@KINDS@"));
		snprintf(buf, size, "%s", tmp);
	}
}

static struct conf *
new_conf(void)
{
	struct conf *c = malloc(sizeof(*c));

	/* Garbage in, so that a field conf_parse() forgets to set shows. */
	if (c != NULL)
		memset(c, 0xa5, sizeof(*c));
	return c;
}

static void
test_conf_good_rows(void)
{
	char err[CONF_ERR_MAX];
	struct conf *c;
	unsigned int i;
	int ret;

	for (i = 0; i < DIM(good_rows); i++) {
		const struct conf_good *row = &good_rows[i];

		c = new_conf();
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		err[0] = '\0';
		ret = conf_parse(c, "t.yaml", row->yaml, strlen(row->yaml),
				 err, sizeof(err));
		if (ret != 0)
			fprintf(stderr, "\n  row '%s': %s\n", row->name, err);
		CU_ASSERT_EQUAL(ret, 0);
		if (ret == 0 && row->check != NULL)
			row->check(c);
		conf_free(c);
		free(c);
	}
}

static void
test_conf_bad_rows(void)
{
	char err[CONF_ERR_MAX], want[CONF_ERR_MAX];
	const char *at;
	struct conf *c;
	unsigned int i;
	int ret, cpu;

	for (i = 0; i < conf_bad_n; i++) {
		const struct conf_bad *row = &conf_bad_rows[i];

		/* A row about an absent CPU needs the CPU to be absent. */
		at = strstr(row->err, "runs on CPU ");
		if (at != NULL && sscanf(at, "runs on CPU %d", &cpu) == 1 &&
		    cpu_offered(cpu)) {
			tests_skip("conf/bad_rows '%s': CPU %d exists here",
				   row->name, cpu);
			continue;
		}
		c = new_conf();
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		expand_expected(want, sizeof(want), row->err);
		strcpy(err, "(no message)");
		ret = conf_parse(c, "t.yaml", row->yaml, strlen(row->yaml),
				 err, sizeof(err));
		CU_ASSERT_EQUAL(ret, -1);
		CU_ASSERT_STRING_EQUAL(err, want);
		if (ret != -1 || strcmp(err, want) != 0)
			fprintf(stderr, "\n  row '%s':\n    got  %s\n    want %s\n",
				row->name, ret == 0 ? "success" : err, want);
		conf_free(c);
		free(c);
	}
}

static void
test_conf_load_missing_file(void)
{
	char err[CONF_ERR_MAX];
	struct conf *c = new_conf();

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(conf_load(c, "/nonexistent/ffwd.yaml", err,
				  sizeof(err)),
			-1);
	CU_ASSERT_STRING_EQUAL(err, "/nonexistent/ffwd.yaml: cannot open: "
				    "No such file or directory");
	conf_free(c);
	free(c);
}

static void
test_conf_load_directory(void)
{
	char err[CONF_ERR_MAX];
	struct conf *c = new_conf();

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(conf_load(c, "/", err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "/: cannot read: Is a directory");
	conf_free(c);
	free(c);
}

/* conf_load() reads the whole file and names it in messages. */
static void
test_conf_load_file(void)
{
	char path[] = "/tmp/test_conf_XXXXXX";
	char err[CONF_ERR_MAX], want[CONF_ERR_MAX + 64];
	const char *bad = SIMPLE "extra: 1\n";
	struct conf *c = new_conf();
	FILE *f;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(SIMPLE, f);
	fclose(f);
	CU_ASSERT_EQUAL(conf_load(c, path, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c->file, path);
	CU_ASSERT_EQUAL(c->paths[0].n_stages, 2);

	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(bad, f);
	fclose(f);
	CU_ASSERT_EQUAL(conf_load(c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s:12:1: unknown key 'extra', expected one of: pipeline, ports, paths, stages",
		 path);
	CU_ASSERT_STRING_EQUAL(err, want);
	unlink(path);
	conf_free(c);
	free(c);
}

/* A short buffer gets a cut but terminated message; none at all is fine. */
static void
test_conf_error_buffer(void)
{
	char err[12];
	struct conf *c = new_conf();

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	memset(err, 'x', sizeof(err));
	CU_ASSERT_EQUAL(conf_parse(c, "t.yaml", "", 0, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:1:1:");
	CU_ASSERT_EQUAL(conf_parse(c, "t.yaml", "", 0, NULL, 0), -1);
	CU_ASSERT_EQUAL(conf_parse(c, "t.yaml", "- a", 3, NULL, 0), -1);
	conf_free(c);
	free(c);
}

void test_conf_numeric_limits(void);	/* test_conf_limits.c */

/* The registry: every kind the runtime has, found by name, in role order. */
static void
test_conf_kind_names(void)
{
	static const struct {
		const char *name;
		enum stage_role role;
	} kinds[] = {
		{ "input", STAGE_ROLE_INPUT },
		{ "fwd", STAGE_ROLE_APP },
		{ "work", STAGE_ROLE_APP },
		{ "firewall", STAGE_ROLE_APP },
		{ "output", STAGE_ROLE_OUTPUT },
		{ "sink", STAGE_ROLE_OUTPUT },
	};
	const struct stage_ops *o, *prev = NULL;
	unsigned int i;

	for (i = 0; i < DIM(kinds); i++) {
		o = stage_kind_find(kinds[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_STRING_EQUAL(o->name, kinds[i].name);
		CU_ASSERT_EQUAL(o->role, kinds[i].role);
	}
	CU_ASSERT_PTR_NULL(stage_kind_find("unknown"));
	CU_ASSERT_PTR_NULL(stage_kind_find(""));
	/* Inputs first, outputs last, whatever the link order. */
	for (o = stage_kind_next(NULL); o != NULL; prev = o, o = stage_kind_next(o))
		if (prev != NULL)
			CU_ASSERT(prev->role <= o->role);
}

int
tests_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "test_conf_good_rows", test_conf_good_rows },
		{ "test_conf_bad_rows", test_conf_bad_rows },
		{ "test_conf_load_missing_file", test_conf_load_missing_file },
		{ "test_conf_load_directory", test_conf_load_directory },
		{ "test_conf_load_file", test_conf_load_file },
		{ "test_conf_error_buffer", test_conf_error_buffer },
		{ "test_conf_kind_names", test_conf_kind_names },
		{ "test_conf_numeric_limits", test_conf_numeric_limits },
	};
	CU_pSuite suite;
	unsigned int i;

	suite = CU_add_suite("conf", NULL, NULL);
	if (suite == NULL)
		return -1;
	for (i = 0; i < DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
