/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the parts of the CUnit suite "replay" (test_replay.c: set-up,
 * capture files and the kinds on a port; test_replay_sched.c: schedule,
 * histogram, YAML keys; test_replay_dep.c: measured departures).
 */
#ifndef FFWD_TEST_REPLAY_H
#define FFWD_TEST_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "port_tx.h"
#include "stage.h"

#define HZ_TEST UINT64_C(2096010000)	/* a TSC that is not a round number */

extern char tmpdir[];
extern uint16_t ring_port;	/* net_ring0: its TX ring is its RX ring */
extern volatile int no_stop;

struct rec {
	uint32_t caplen, len;
	uint32_t sec, usec;
};

/* A capture input and an output on ring_port, as the runtime sets them up. */
struct pair {
	struct capture_conf cc;
	struct port_tx_conf tc;
	struct stage cap, tx;
};

void write_pcap(const char *path, int dlt, const struct rec *recs, unsigned int n);
unsigned int drain_port(struct rte_mbuf **out, unsigned int max);
void pair_init(struct pair *p, const char *path, bool pad, uint64_t loops,
	       uint16_t burst);
void pair_run_for(struct pair *p, double limit_s);
void pair_run(struct pair *p);
const struct capture_result *pair_fini(struct pair *p);
unsigned int free_port(void);
/** floor(u * num / den), exactly (test_replay_sched.c). */
uint64_t ref_due(uint64_t u, uint64_t num, uint64_t den);

void test_replay_sched_pps_absolute(void);
void test_replay_sched_mbps_line_rate(void);
void test_replay_sched_timing_speed(void);
void test_replay_sched_rejects(void);
void test_replay_sched_incremental(void);
void test_replay_hist_buckets(void);
void test_replay_hist_quantiles(void);
void test_replay_kind_keys(void);
void test_replay_pps_departures(void);

#endif /* FFWD_TEST_REPLAY_H */
