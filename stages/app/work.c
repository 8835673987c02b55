/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * work: burns a configured time per packet on the TSC, standing in for a
 * real application stage in pipeline-depth benchmarks. The burst's whole
 * budget is spent in one wait: n packets cost n times the per-packet time.
 */
#include <rte_cycles.h>
#include <rte_pause.h>

#include "stage.h"

uint16_t
stage_work_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t budget = s->work_cycles * n;
	uint64_t until = rte_rdtsc() + budget;

	(void)pkts;
	s->ctr.planned_cycles += budget;
	while (rte_rdtsc() < until)
		rte_pause();
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return n;
}
