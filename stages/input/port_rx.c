/* SPDX-License-Identifier: BSD-3-Clause */
/* input: bursts from one RX queue of a DPDK port. */
#include <rte_ethdev.h>

#include "stage.h"

static const char *const port_rx_keys[] = { NULL };

static uint16_t
port_rx_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t max)
{
	uint16_t n = rte_eth_rx_burst(s->port_id, s->queue, pkts, max);

	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return n;
}

static struct stage_ops port_rx_ops = {
	.name = "input",
	.role = STAGE_ROLE_INPUT,
	.flags = STAGE_F_PORT,
	.summary = "receive from a port's RX queue",
	.help = "port: NAME, queue: Q (default 0)",
	.keys = port_rx_keys,
	.burst = port_rx_burst,
};

STAGE_REGISTER(port_rx_ops)
