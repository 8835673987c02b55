/* SPDX-License-Identifier: BSD-3-Clause */
/* Stage set-up: the slow path shared by every kind. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>

#include "firewall.h"
#include "stage.h"

const char *const stage_drop_names[STAGE_DROP_MAX] = {
#define X(e, s) [STAGE_DROP_##e] = s,
	STAGE_DROP_REASONS(X)
#undef X
};

int
stage_init(struct stage *s, const struct conf_stage *cs, uint16_t port_id,
	   uint64_t tsc_hz)
{
	memset(s, 0, sizeof(*s));
	s->conf = cs;
	s->kind = cs->kind;
	s->port_id = port_id;
	s->queue = cs->queue;
	s->max_frame = UINT32_MAX;
	switch (cs->kind) {
	case CONF_STAGE_INPUT:
		break;
	case CONF_STAGE_OUTPUT:
		s->tx_retries = cs->tx_retries;
		if (cs->pace_pps != 0 || cs->pace_mbps != 0) {
			int ret = pacer_sched_init(&s->sched,
						   cs->pace_pps ? PACER_PPS : PACER_MBPS,
						   cs->pace_pps ? cs->pace_pps : cs->pace_mbps,
						   tsc_hz);

			if (ret != 0)
				return ret;
			s->paced = true;
			s->pace_bits = cs->pace_pps == 0;
			s->pace_overhead = cs->pace_overhead;
		}
		break;
	case CONF_STAGE_FWD:
		/* The variant is picked once here, not tested per packet. */
		if (cs->mac_swap) {
			s->burst = stage_fwd_swap_burst;
		} else if (cs->set_src || cs->set_dst) {
			s->burst = stage_fwd_rewrite_burst;
		} else {
			s->burst = stage_fwd_burst;
		}
		memcpy(s->src_mac.addr_bytes, cs->src_mac, RTE_ETHER_ADDR_LEN);
		memcpy(s->dst_mac.addr_bytes, cs->dst_mac, RTE_ETHER_ADDR_LEN);
		/* Rewrite keeps a field whose new value was not given. */
		s->mac_set = (cs->set_src ? FWD_SET_SRC : 0) |
			     (cs->set_dst ? FWD_SET_DST : 0);
		break;
	case CONF_STAGE_FIREWALL: {
		char err[CONF_ERR_MAX];
		struct fw_rules *r = fw_rules_load(cs->rules, err, sizeof(err));

		/* Checked before EAL by fw_rules_check(); what is left here
		 * is the verifier and memory. */
		if (r == NULL) {
			fprintf(stderr, "stage '%s': %s\n", cs->name, err);
			return -EINVAL;
		}
		s->fw = fw_stage_create(cs->name, r, 0);
		if (s->fw == NULL) {
			fw_rules_free(r);
			return -rte_errno;
		}
		s->burst = stage_fw_burst;
		break;
	}
	case CONF_STAGE_WORK:
		s->burst = stage_work_burst;
		s->work_cycles = (uint64_t)cs->work_ns * rte_get_tsc_hz() / 1000000000ull;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

void
stage_fini(struct stage *s)
{
	fw_stage_free(s->fw);
	s->fw = NULL;
}

/* The firewall's reasons onto the stage's, once per burst. */
uint16_t
stage_fw_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t d[FW_DROP_MAX] = { 0 };
	uint16_t out = fw_stage_burst(s->fw, pkts, n, d);

	s->ctr.pkts_in += n;
	s->ctr.pkts_out += out;
	s->ctr.drops[STAGE_DROP_FW_RULE] += d[FW_DROP_RULE];
	s->ctr.drops[STAGE_DROP_FW_DEFAULT] += d[FW_DROP_DEFAULT];
	s->ctr.drops[STAGE_DROP_FW_MALFORMED] += d[FW_DROP_MALFORMED];
	return out;
}

uint16_t
stage_tx_paced(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, in = n, sent = 0;

	n = stage_check_size(s, pkts, n);
	/* The schedule starts with the first packet, not at set-up. */
	if (unlikely(s->pace_units == 0 && s->sched.t0 == 0))
		s->sched.t0 = rte_rdtsc();
	for (i = 0; i < n; i++) {
		uint64_t due = pacer_sched_due(&s->sched, s->pace_units), now;
		uint32_t tries = 0;
		uint16_t ok;

		while ((now = rte_rdtsc()) < due)
			rte_pause();
		s->pace_last = now;
		s->pace_last_units = s->pace_units;
		ok = rte_eth_tx_burst(s->port_id, s->queue, &pkts[i], 1);
		while (unlikely(ok == 0) && tries++ < s->tx_retries)
			ok = rte_eth_tx_burst(s->port_id, s->queue, &pkts[i], 1);
		s->pace_units += s->pace_bits ?
			(uint64_t)(rte_pktmbuf_pkt_len(pkts[i]) + s->pace_overhead) * 8 : 1;
		if (unlikely(ok == 0)) {
			rte_pktmbuf_free(pkts[i]);
			s->ctr.drops[STAGE_DROP_TX_FULL]++;
		}
		sent += ok;
	}
	s->ctr.pkts_in += in;
	s->ctr.pkts_out += sent;
	return sent;
}

uint64_t
stage_drops(const struct stage *s)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < STAGE_DROP_MAX; i++)
		sum += s->ctr.drops[i];
	return sum;
}
