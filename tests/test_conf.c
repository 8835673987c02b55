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
#include "fwd.h"
#include "port_tx.h"
#include "work.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Shared heads, so that line numbers in the bad rows stay easy to check:
 * HEAD is lines 1..6; a PATH header takes two lines, each stage one.
 * Lcores 0..3 sit on CPUs 0 and 1, which any 2-CPU machine offers.
 */
#define PIPE                                   \
	"pipeline:\n"                          \
	"  label: demo\n"                      \
	"  cpus: { 0: 0, 1: 0, 2: 1, 3: 1 }\n"
#define PORTS                                  \
	"ports:\n"                             \
	"  wan: { dev: net_null0 }\n"          \
	"  lan: { dev: net_null1, rxq: 2, txq: 2 }\n"
#define HEAD PIPE PORTS
#define PATH(name) "  - name: " name "\n    stages:\n"
/* Stage lines: the flow mapping opens at column 9. */
#define RX "      - { name: rx, kind: input, port: wan, lcore: 1 }\n"
#define TX "      - { name: tx, kind: output, port: lan, lcore: 2 }\n"
#define SIMPLE HEAD "paths:\n" PATH("p") RX TX
/* Fleets need more lcores: the same three lines, six lcores. */
#define FPIPE                                  \
	"pipeline:\n"                          \
	"  label: demo\n"                      \
	"  cpus: { 0: 0, 1: 0, 2: 1, 3: 1, 4: 0, 5: 1 }\n"
#define FHEAD FPIPE PORTS
#define FTX "      - { name: tx, kind: output, port: lan, lcore: 5 }\n"

struct conf_good {
	const char *name;
	const char *yaml;
	void (*check)(const struct conf *conf); /**< NULL: parsing is all */
};

struct conf_bad {
	const char *name;
	const char *yaml;
	/* The exact message; "@CPUS@" stands for this machine's allowed
	 * CPU list. */
	const char *err;
};

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
	  "  lan: { dev: net_null1, rss: none }\n"
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

/* Rows with their error at the end of the file share the good heads. */
static const struct conf_bad bad_rows[] = {
	/* document level */
	{ "empty document", "",
	  "t.yaml:1:1: empty configuration, expected a mapping with pipeline, ports and paths" },
	{ "comments only", "# nothing here\n\n",
	  "t.yaml:1:1: empty configuration, expected a mapping with pipeline, ports and paths" },
	{ "top level is a sequence", "- pipeline\n",
	  "t.yaml:1:1: top level is a sequence, expected a mapping with pipeline, ports and paths" },
	{ "top level is a string", "\n  pipeline\n",
	  "t.yaml:2:3: top level is 'pipeline', expected a mapping with pipeline, ports and paths" },
	{ "YAML syntax error", "pipeline: { label: demo\nports: {}\n",
	  "t.yaml:2:6: YAML syntax error: did not find expected ',' or '}'" },
	{ "bad indentation", "pipeline:\n  label: demo\n x: 1\n",
	  "t.yaml:3:2: YAML syntax error: did not find expected key" },
	{ "second document", SIMPLE "---\nfoo: 1\n",
	  "t.yaml:12:1: a second YAML document starts here, expected exactly one document" },
	{ "unknown key after a good file", SIMPLE "extra: 1\n",
	  "t.yaml:12:1: unknown key 'extra', expected one of: pipeline, ports, paths, stages" },
	{ "unknown top-level key", "pipeline: { label: demo }\nport: {}\n",
	  "t.yaml:2:1: unknown key 'port', expected one of: pipeline, ports, paths, stages" },
	{ "duplicate top-level key", "ports: {}\nports: {}\n",
	  "t.yaml:2:1: duplicate key 'ports' (first at 1:1), expected each key once" },
	{ "missing pipeline", PORTS,
	  "t.yaml:1:1: pipeline is missing, expected a mapping with at least a label" },
	{ "missing ports", PIPE "paths: []\n",
	  "t.yaml:1:1: ports is missing, expected a mapping of port names to ports" },
	{ "missing paths", HEAD,
	  "t.yaml:1:1: paths is missing, expected a sequence of paths or a top-level stages sequence" },
	{ "both paths and stages", SIMPLE "stages: []\n",
	  "t.yaml:12:1: both paths and stages are given, expected either a paths sequence or a top-level stages sequence (one path named main)" },
	{ "empty paths", HEAD "paths: []\n",
	  "t.yaml:7:8: paths is an empty sequence, expected at least one path" },
	{ "paths is a mapping", HEAD "paths: { p: 1 }\n",
	  "t.yaml:7:8: paths is a mapping, expected a sequence of paths" },

	/* pipeline */
	{ "pipeline is a sequence", "pipeline: [ demo ]\n",
	  "t.yaml:1:11: pipeline is a sequence, expected a mapping with label and optional settings" },
	{ "unknown pipeline key", "pipeline:\n  label: demo\n  lable: demo\n",
	  "t.yaml:3:3: pipeline: unknown key 'lable', expected one of: label, housekeeping, hugepages, memory, mbufs, mbuf_size, ring_size, cpus" },
	{ "unknown key is shown on one line",
	  "pipeline:\n  label: demo\n  \"a\\nb\": 1\n",
	  "t.yaml:3:3: pipeline: unknown key 'a\\x0ab', expected one of: label, housekeeping, hugepages, memory, mbufs, mbuf_size, ring_size, cpus" },
	{ "duplicate pipeline key", "pipeline:\n  label: demo\n  memory: 64\n  label: demo\n",
	  "t.yaml:4:3: pipeline: duplicate key 'label' (first at 2:3), expected each key once" },
	{ "missing label", "pipeline:\n  memory: 64\n",
	  "t.yaml:2:3: pipeline: label is missing, expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "label with a space", "pipeline:\n  label: de mo\n",
	  "t.yaml:2:10: pipeline: label is 'de mo', expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "label too long", "pipeline:\n  label: abcdefghijklmnop\n",
	  "t.yaml:2:10: pipeline: label is 'abcdefghijklmnop', expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "label empty", "pipeline:\n  label:\n",
	  "t.yaml:2:9: pipeline: label is empty, expected 1..15 chars of [A-Za-z0-9_-]" },
	{ "memory out of range", "pipeline:\n  label: demo\n  memory: 70000\n",
	  "t.yaml:3:11: pipeline: memory is 70000, expected an integer 64..65536" },
	{ "memory not an integer", "pipeline:\n  label: demo\n  memory: 1.5\n",
	  "t.yaml:3:11: pipeline: memory is '1.5', expected an integer 64..65536" },
	{ "memory quoted", "pipeline:\n  label: demo\n  memory: \"512\"\n",
	  "t.yaml:3:11: pipeline: memory is the quoted string '512', expected an integer 64..65536" },
	{ "memory huge", "pipeline:\n  label: demo\n  memory: 99999999999999999999999\n",
	  "t.yaml:3:11: pipeline: memory is 99999999999999999999999, expected an integer 64..65536" },
	{ "mbufs too few", "pipeline:\n  label: demo\n  mbufs: 63\n",
	  "t.yaml:3:10: pipeline: mbufs is 63, expected an integer 64..4194304" },
	{ "mbuf_size is a sequence", "pipeline:\n  label: demo\n  mbuf_size: [1]\n",
	  "t.yaml:3:14: pipeline: mbuf_size is a sequence, expected an integer 256..65535" },
	{ "hugepages yes", "pipeline:\n  label: demo\n  hugepages: yes\n",
	  "t.yaml:3:14: pipeline: hugepages is 'yes', expected true or false" },
	{ "ring_size not a power of two", "pipeline:\n  label: demo\n  ring_size: 1000\n",
	  "t.yaml:3:14: pipeline: ring_size is 1000, expected a power of two 16..1048576" },
	{ "ring_size too small", "pipeline:\n  label: demo\n  ring_size: 8\n",
	  "t.yaml:3:14: pipeline: ring_size is 8, expected an integer 16..1048576" },
	{ "housekeeping negative", "pipeline:\n  label: demo\n  housekeeping: -1\n",
	  "t.yaml:3:17: pipeline: housekeeping is -1, expected an integer 0..127" },
	{ "cpus is a sequence", "pipeline:\n  label: demo\n  cpus: [0, 1]\n",
	  "t.yaml:3:9: pipeline: cpus is a sequence, expected a mapping of lcore to CPU, e.g. { 1: 0, 2: 1 }" },
	{ "cpus lcore out of range", "pipeline:\n  label: demo\n  cpus: { 0: 0, 128: 1 }\n",
	  "t.yaml:3:17: pipeline.cpus: lcore is 128, expected an integer 0..127" },
	{ "cpus lcore twice", "pipeline:\n  label: demo\n  cpus: { 1: 0, 01: 1 }\n",
	  "t.yaml:3:17: pipeline.cpus: lcore 1 is mapped twice (first at 3:11), expected each lcore once" },
	{ "cpus CPU is not an integer", "pipeline:\n  label: demo\n  cpus: { 0: zero }\n",
	  "t.yaml:3:14: pipeline.cpus: CPU of lcore 0 is 'zero', expected an integer 0..65535" },
	{ "cpus CPU does not exist", "pipeline:\n  label: demo\n  cpus: { 0: 0, 1: 4000 }\n",
	  "t.yaml:3:20: pipeline.cpus: lcore 1 maps to CPU 4000, which this machine does not offer, expected one of the allowed CPUs: @CPUS@" },
	{ "housekeeping not in cpus", "pipeline:\n  label: demo\n  housekeeping: 2\n  cpus: { 0: 0, 1: 1 }\n",
	  "t.yaml:3:17: pipeline: housekeeping lcore 2 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "default housekeeping not in cpus", "pipeline:\n  label: demo\n  cpus: { 1: 1 }\n",
	  "t.yaml:3:9: pipeline: housekeeping lcore 0 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "housekeeping CPU absent without cpus", "pipeline:\n  label: demo\n  housekeeping: 127\n",
	  "t.yaml:3:17: pipeline: housekeeping lcore 127 runs on CPU 127, which this machine does not offer (allowed CPUs: @CPUS@); map it with pipeline.cpus" },

	/* ports */
	{ "ports empty", PIPE "ports: {}\n",
	  "t.yaml:4:8: ports is an empty mapping, expected at least one port" },
	{ "ports is a sequence", PIPE "ports: [ wan ]\n",
	  "t.yaml:4:8: ports is a sequence, expected a mapping of port names to ports" },
	{ "port name with a dot", PIPE "ports:\n  wan.0: { dev: net_null0 }\n",
	  "t.yaml:5:3: ports: port name is 'wan.0', expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "duplicate port", HEAD "  wan: { dev: net_null2 }\n",
	  "t.yaml:7:3: ports: duplicate port 'wan' (first at 5:3), expected each port once" },
	{ "port is a string", PIPE "ports:\n  wan: net_null0\n",
	  "t.yaml:5:8: port 'wan' is 'net_null0', expected a mapping with dev and optional rxq, txq, rxd, txd" },
	{ "port without dev", PIPE "ports:\n  wan: { rxq: 1 }\n",
	  "t.yaml:5:8: port 'wan': dev is missing, expected DPDK devargs such as net_pcap0,iface=eth0 or a PCI address" },
	{ "port dev empty", PIPE "ports:\n  wan: { dev: \"\" }\n",
	  "t.yaml:5:15: port 'wan': dev is '', expected DPDK devargs such as net_pcap0,iface=eth0 or a PCI address" },
	{ "port unknown key", PIPE "ports:\n  wan: { dev: net_null0, rx_queues: 2 }\n",
	  "t.yaml:5:26: port 'wan': unknown key 'rx_queues', expected one of: dev, rxq, txq, rxd, txd, rss" },
	{ "port rxq 0", PIPE "ports:\n  wan: { dev: net_null0, rxq: 0 }\n",
	  "t.yaml:5:31: port 'wan': rxq is 0, expected an integer 1..64" },
	{ "port txd too large", PIPE "ports:\n  wan: { dev: net_null0, txd: 32768 }\n",
	  "t.yaml:5:31: port 'wan': txd is 32768, expected an integer 64..16384" },

	/* paths */
	{ "path is a string", HEAD "paths:\n  - p\n",
	  "t.yaml:8:5: paths: path 1 is 'p', expected a mapping with name and stages" },
	{ "path without name", HEAD "paths:\n  - { stages: [] }\n",
	  "t.yaml:8:5: path 1: name is missing, expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "path unknown key", HEAD "paths:\n  - { nmae: p }\n",
	  "t.yaml:8:7: path 1: unknown key 'nmae', expected one of: name, stages" },
	{ "path without stages", HEAD "paths:\n  - { name: p }\n",
	  "t.yaml:8:5: path 'p': stages is missing, expected a sequence of at least 2 stages" },
	{ "path stages is a mapping", HEAD "paths:\n  - { name: p, stages: { rx: 1 } }\n",
	  "t.yaml:8:24: path 'p': stages is a mapping, expected a sequence of at least 2 stages" },
	{ "path with one stage", HEAD "paths:\n" PATH("p") RX,
	  "t.yaml:10:7: path 'p' has 1 stage, expected at least 2 (an input first, an output last)" },
	{ "duplicate path name", SIMPLE PATH("p")
	  "      - { name: rx2, kind: input, port: wan, queue: 0, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: lan, lcore: 3 }\n",
	  "t.yaml:12:11: path name 'p' is already used by the path at 8:5, expected unique path names" },
	{ "first stage not input", HEAD "paths:\n" PATH("p")
	  "      - { name: f, kind: fwd, lcore: 1 }\n" TX,
	  "t.yaml:10:9: path 'p': first stage 'f' is a fwd stage, expected an input stage" },
	{ "last stage not output", HEAD "paths:\n" PATH("p") RX
	  "      - { name: w, kind: work, ns: 10, lcore: 1 }\n",
	  "t.yaml:11:9: path 'p': last stage 'w' is a work stage, expected an output stage" },
	{ "input in the middle", HEAD "paths:\n" PATH("p") RX
	  "      - { name: rx2, kind: input, port: lan, lcore: 1 }\n" TX,
	  "t.yaml:11:9: path 'p': stage 'rx2' is an input stage in the middle of the path, expected input only as the first stage" },
	{ "output in the middle", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx0, kind: output, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:11:9: path 'p': stage 'tx0' is an output stage in the middle of the path, expected output only as the last stage" },

	/* stages */
	{ "stage is a string", HEAD "paths:\n" PATH("p") "      - rx\n" TX,
	  "t.yaml:10:9: path 'p': stage 1 is 'rx', expected a mapping with name, kind, lcore and the kind's keys" },
	{ "stage without name", HEAD "paths:\n" PATH("p")
	  "      - { kind: input, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:9: path 'p' stage 1: name is missing, expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "stage name with a slash", HEAD "paths:\n" PATH("p")
	  "      - { name: r/x, kind: input, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:17: path 'p' stage 1: name is 'r/x', expected 1..31 chars of [A-Za-z0-9_-]" },
	{ "stage without kind", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:9: stage 'rx': kind is missing, expected input, firewall, fwd, work or output" },
	{ "stage kind unknown", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: rx, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:10:27: stage 'rx': kind is 'rx', expected input, firewall, fwd, work or output" },
	/* fleets */
	{ "replicas on an input stage", FHEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, replicas: 2 }\n" FTX,
	  "t.yaml:10:65: stage 'rx': replicas is given on an input stage, expected replicas and lcores on app stages only (an input spreads over RX queues with its port's rss: symmetric and rxq)" },
	{ "lcores on an output stage", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcores: [4, 5] }\n",
	  "t.yaml:11:54: stage 'tx': lcores is given on an output stage, expected replicas and lcores on app stages only (an input spreads over RX queues with its port's rss: symmetric and rxq)" },
	{ "more replicas than lcores reserved", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3], replicas: 3 }\n" FTX,
	  "t.yaml:11:57: stage 'f': replicas is 3 but lcores reserves 2, expected at most as many replicas as lcores reserved" },
	{ "rss on a port that cannot", FPIPE "ports:\n"
	  "  wan: { dev: \"net_pcap0,rx_pcap=a.pcap\", rxq: 2, rss: symmetric }\n"
	  "  lan: { dev: net_null1 }\n",
	  "t.yaml:5:56: port 'wan': rss is symmetric but net_pcap cannot spread flows over RX queues, expected rss on net_null, net_af_packet, net_memif or a PCI NIC" },
	{ "rss with one RX queue", FPIPE "ports:\n"
	  "  wan: { dev: net_null0, rss: symmetric }\n"
	  "  lan: { dev: net_null1 }\n",
	  "t.yaml:5:31: port 'wan': rss is symmetric with rxq 1, expected rxq 2 or more (one RX queue per replica)" },
	{ "rss of another value", FPIPE "ports:\n"
	  "  wan: { dev: net_null0, rxq: 2, rss: toeplitz }\n"
	  "  lan: { dev: net_null1 }\n",
	  "t.yaml:5:39: port 'wan': rss is 'toeplitz', expected none or symmetric" },
	{ "replicas past the cpus map", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 4, replicas: 3 }\n" FTX,
	  "t.yaml:11:51: stage 'f': replica lcore 6 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "replicas 0", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 2, replicas: 0 }\n" FTX,
	  "t.yaml:11:51: stage 'f': replicas is 0, expected an integer 1..16" },
	{ "lcore and lcores disagree", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 3, lcores: [2, 3] }\n" FTX,
	  "t.yaml:11:38: stage 'f': lcore is 3 but lcores starts with 2, expected lcore to be the first of lcores (or left out)" },
	{ "an lcore twice in lcores", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 2] }\n" FTX,
	  "t.yaml:11:43: stage 'f': lcores[1] is 2 again, expected one replica per lcore" },
	{ "fused stages with different fleets", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n"
	  "      - { name: g, kind: fwd, lcores: [2, 4] }\n" FTX,
	  "t.yaml:12:9: path 'p': stage 'g' is fused with stage 'f' on lcore 2 but their replicas/lcores differ, expected the same replicas and lcores on every stage of a fused run" },
	{ "spreader on a replica's lcore", FHEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 2 }\n"
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n" FTX,
	  "t.yaml:10:9: path 'p': stage 'rx' on lcore 2 is in front of fleet 'f', which reserves that lcore, expected the stage in front of a fleet on an lcore of its own (it spreads the flows), or an input whose port has rss: symmetric on the fleet's first lcore" },
	{ "merger on a replica's lcore", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n"
	  "      - { name: tx, kind: output, port: lan, lcore: 3 }\n",
	  "t.yaml:12:9: path 'p': stage 'tx' on lcore 3 is behind fleet 'f', which reserves that lcore, expected the stage behind a fleet on an lcore of its own (it merges the replicas)" },
	{ "another path on a fleet's lcore", FHEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n" FTX
	  PATH("q")
	  "      - { name: rx2, kind: input, port: lan, queue: 1, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: wan, lcore: 5 }\n",
	  "t.yaml:15:9: path 'q': stage 'rx2' uses lcore 3, which fleet 'f' reserves, expected a fleet's lcores to run its replicas only" },
	{ "another input on a port an RSS fleet reads whole", FPIPE "ports:\n"
	  "  wan: { dev: net_null0, rxq: 2, rss: symmetric }\n"
	  "  lan: { dev: net_null1 }\n"
	  "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 2 }\n"
	  "      - { name: f, kind: fwd, lcores: [2, 3] }\n" FTX
	  PATH("q")
	  "      - { name: rx2, kind: input, port: wan, queue: 1, lcore: 1 }\n"
	  "      - { name: tx2, kind: output, port: lan, lcore: 4 }\n",
	  "t.yaml:15:9: stage 'rx2': port 'wan' is read whole by input 'rx' for fleet 'f' (RX queue r by replica r), expected no other input on it" },
	{ "RSS input with fewer queues than lcores", FPIPE "ports:\n"
	  "  wan: { dev: net_null0, rxq: 2, rss: symmetric }\n"
	  "  lan: { dev: net_null1 }\n"
	  "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 2 }\n"
	  "      - { name: f, kind: fwd, lcores: [2, 3, 4] }\n" FTX,
	  "t.yaml:10:9: path 'p': input 'rx' spreads fleet 'f' by RSS over 2 RX queues of port 'wan' for 3 lcores with 3 active, expected one RX queue per lcore and every replica active (a fleet spread by RSS is not resized)" },
	{ "stage unknown key", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, burst: 32 }\n" TX,
	  "t.yaml:10:55: stage 'rx': unknown key 'burst', expected one of: name, kind, lcore, idle, port, queue" },
	{ "pps and mbps together", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, pps: 10, mbps: 5 }\n",
	  "t.yaml:11:71: stage 'tx': mbps is given with pps, expected one of them" },
	{ "overhead without mbps", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, overhead: 20 }\n",
	  "t.yaml:11:66: stage 'tx': overhead is given without mbps, expected it only with mbps" },
	{ "pps out of range", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, pps: 0 }\n",
	  "t.yaml:11:61: stage 'tx': pps is 0, expected an integer 1..1000000000" },
	{ "firewall without rules", HEAD "paths:\n" PATH("p") RX
	  "      - { name: fw, kind: firewall, lcore: 1 }\n" TX,
	  "t.yaml:11:9: stage 'fw': rules is missing, expected the path of a rules file" },
	{ "firewall rules not a string", HEAD "paths:\n" PATH("p") RX
	  "      - { name: fw, kind: firewall, lcore: 1, rules: [a] }\n" TX,
	  "t.yaml:11:54: stage 'fw': rules is a sequence, expected the path of a rules file" },
	{ "firewall with a port", HEAD "paths:\n" PATH("p") RX
	  "      - { name: fw, kind: firewall, rules: x.rules, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:11:53: stage 'fw': key 'port' is not valid for a firewall stage, expected one of: name, kind, lcore, idle, replicas, lcores, rules" },
	{ "key of another kind", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, port: wan, lcore: 1 }\n" TX,
	  "t.yaml:11:31: stage 'f': key 'port' is not valid for a fwd stage, expected one of: name, kind, lcore, idle, replicas, lcores, mac_swap, src_mac, dst_mac" },
	{ "retries on an input stage", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, retries: 3 }\n" TX,
	  "t.yaml:10:55: stage 'rx': key 'retries' is not valid for an input stage, expected one of: name, kind, lcore, idle, port, queue" },
	{ "duplicate stage key", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, lcore: 2 }\n" TX,
	  "t.yaml:10:55: stage 'rx': duplicate key 'lcore' (first at 10:45), expected each key once" },
	{ "duplicate stage name across paths", SIMPLE PATH("q")
	  "      - { name: rx2, kind: input, port: lan, lcore: 3 }\n"
	  "      - { name: tx, kind: output, port: wan, lcore: 3 }\n",
	  "t.yaml:15:17: stage name 'tx' is already used by the stage at 11:9, expected stage names unique across all paths" },
	{ "stage without lcore", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan }\n" TX,
	  "t.yaml:10:9: stage 'rx': lcore is missing, expected an integer 0..127" },
	{ "stage lcore out of range", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 128 }\n" TX,
	  "t.yaml:10:52: stage 'rx': lcore is 128, expected an integer 0..127" },
	{ "stage on the housekeeping lcore", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 0 }\n" TX,
	  "t.yaml:10:52: stage 'rx': lcore is 0, expected another lcore: dedicated lcores must differ from the housekeeping lcore 0" },
	{ "stage lcore not in cpus", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 5 }\n" TX,
	  "t.yaml:10:52: stage 'rx': lcore 5 is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU" },
	{ "stage CPU absent without cpus", "pipeline: { label: demo }\n" PORTS
	  "stages:\n"
	  "  - { name: rx, kind: input, port: wan, lcore: 127 }\n"
	  "  - { name: tx, kind: output, port: lan, lcore: 127 }\n",
	  "t.yaml:6:48: stage 'rx': lcore 127 runs on CPU 127, which this machine does not offer (allowed CPUs: @CPUS@); map it with pipeline.cpus" },
	{ "stage idle unknown", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, lcore: 1, idle: sleep }\n" TX,
	  "t.yaml:10:61: stage 'rx': idle is 'sleep', expected spin or yield" },
	{ "input without port", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, lcore: 1 }\n" TX,
	  "t.yaml:10:9: stage 'rx': port is missing, expected one of: wan, lan" },
	{ "unknown port", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: dmz, lcore: 1 }\n" TX,
	  "t.yaml:10:40: stage 'rx': unknown port 'dmz', expected one of: wan, lan" },
	{ "input queue beyond rxq", HEAD "paths:\n" PATH("p")
	  "      - { name: rx, kind: input, port: wan, queue: 1, lcore: 1 }\n" TX,
	  "t.yaml:10:52: stage 'rx': queue is 1, expected an integer 0..0 (port 'wan' has 1 RX queue)" },
	{ "output queue beyond txq", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, queue: 2, lcore: 2 }\n",
	  "t.yaml:11:53: stage 'tx': queue is 2, expected an integer 0..1 (port 'lan' has 2 TX queues)" },
	{ "retries too many", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 2, retries: 1001 }\n",
	  "t.yaml:11:65: stage 'tx': retries is 1001, expected an integer 0..1000" },
	{ "work without ns", HEAD "paths:\n" PATH("p") RX
	  "      - { name: w, kind: work, lcore: 1 }\n" TX,
	  "t.yaml:11:9: stage 'w': ns is missing, expected an integer 1..1000000" },
	{ "work ns zero", HEAD "paths:\n" PATH("p") RX
	  "      - { name: w, kind: work, ns: 0, lcore: 1 }\n" TX,
	  "t.yaml:11:36: stage 'w': ns is 0, expected an integer 1..1000000" },
	{ "mac_swap with src_mac", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, mac_swap: true, src_mac: 02:00:00:00:00:01, lcore: 1 }\n" TX,
	  "t.yaml:11:9: stage 'f': mac_swap is true together with src_mac, expected either mac_swap or src_mac/dst_mac" },
	{ "bad MAC", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, dst_mac: \"02:00:00:00:00:1g\", lcore: 1 }\n" TX,
	  "t.yaml:11:40: stage 'f': dst_mac is '02:00:00:00:00:1g', expected a MAC address xx:xx:xx:xx:xx:xx" },
	{ "short MAC", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, src_mac: \"02:00:00:00:00\", lcore: 1 }\n" TX,
	  "t.yaml:11:40: stage 'f': src_mac is '02:00:00:00:00', expected a MAC address xx:xx:xx:xx:xx:xx" },
	{ "mac_swap not a boolean", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, mac_swap: 1, lcore: 1 }\n" TX,
	  "t.yaml:11:41: stage 'f': mac_swap is '1', expected true or false" },

	/* between stages */
	{ "path comes back to an lcore", HEAD "paths:\n" PATH("p") RX
	  "      - { name: f, kind: fwd, lcore: 2 }\n"
	  "      - { name: g, kind: fwd, lcore: 1 }\n" TX,
	  "t.yaml:12:9: path 'p': stage 'g' returns to lcore 1 after leaving it at stage 'rx', expected the stages of one lcore to be consecutive" },
	{ "two idle modes on one lcore", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, lcore: 1, idle: yield }\n",
	  "t.yaml:11:9: stage 'tx': idle is yield on lcore 1, but stage 'rx' on the same lcore is spin, expected one idle mode per lcore" },
	{ "RX queue read twice", SIMPLE PATH("q")
	  "      - { name: rx2, kind: input, port: wan, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: wan, lcore: 3 }\n",
	  "t.yaml:14:9: stage 'rx2': port 'wan' RX queue 0 is already read by stage 'rx', expected one input stage per RX queue" },
	{ "TX queue written from two lcores", SIMPLE PATH("q")
	  "      - { name: rx2, kind: input, port: lan, lcore: 3 }\n"
	  "      - { name: tx2, kind: output, port: lan, lcore: 3 }\n",
	  "t.yaml:15:9: stage 'tx2': port 'lan' TX queue 0 is already written by stage 'tx' on lcore 2, expected one writer lcore per TX queue (another queue, or lcore 2)" },
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

/* Replace "@CPUS@" in PATTERN. */
static void
expand_expected(char *buf, size_t size, const char *pattern)
{
	char cpus[512];
	const char *at = strstr(pattern, "@CPUS@");

	if (at == NULL) {
		snprintf(buf, size, "%s", pattern);
		return;
	}
	format_allowed_cpus(cpus, sizeof(cpus));
	snprintf(buf, size, "%.*s%s%s", (int)(at - pattern), pattern, cpus,
		 at + strlen("@CPUS@"));
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

	for (i = 0; i < DIM(bad_rows); i++) {
		const struct conf_bad *row = &bad_rows[i];

		/* A row about an absent CPU needs the CPU to be absent. */
		at = strstr(row->err, "runs on CPU ");
		if (at != NULL && sscanf(at, "runs on CPU %d", &cpu) == 1 &&
		    cpu_offered(cpu)) {
			fprintf(stderr, "\n  skipped row '%s': CPU %d exists\n",
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
