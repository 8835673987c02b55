/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sink: an output with no port. Every packet it is handed counts as sent
 * and is freed: the end of a path whose work is what the stages before it
 * saw (an IDS on a capture, `ffwd ids -r`), or of a benchmark.
 */
#include "stage.h"

static const char *const sink_keys[] = { NULL };

static uint16_t
sink_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return n;
}

static struct stage_ops sink_ops = {
	.name = "sink",
	.role = STAGE_ROLE_OUTPUT,
	.summary = "free every packet, counted as sent (no port)",
	.help = "(no keys)",
	.keys = sink_keys,
	.burst = sink_burst,
};

STAGE_REGISTER(sink_ops)
