/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * work: burns a configured time per packet on the TSC, standing in for a
 * real application stage in pipeline-depth benchmarks. The burst's whole
 * budget is spent in one wait: n packets cost n times the per-packet time.
 */
#include <rte_cycles.h>
#include <rte_pause.h>

#include "stage.h"
#include "work.h"

struct work_priv {
	uint64_t cycles;		/**< TSC cycles per packet */
};

static const char *const work_keys[] = { "ns", NULL };

static int
work_parse(struct stage_args *a, void *kconf)
{
	struct work_conf *c = kconf;
	int r = a->ops->u64(a, "ns", 1, 1000000, &c->ns);

	if (r == 0)
		return a->ops->error(a, NULL, "ns is missing, expected an integer 1..1000000");
	return r < 0 ? -1 : 0;
}

static int
work_init(struct stage *s, const struct stage_env *env __rte_unused)
{
	const struct work_conf *c = s->kconf;
	struct work_priv *p = s->priv;

	p->cycles = c->ns * rte_get_tsc_hz() / 1000000000ull;
	return 0;
}

static uint16_t
work_burst(struct stage *s, struct rte_mbuf **pkts __rte_unused, uint16_t n)
{
	const struct work_priv *p = s->priv;
	uint64_t budget = p->cycles * n;
	uint64_t until = rte_rdtsc() + budget;

	s->ctr.planned_cycles += budget;
	while (rte_rdtsc() < until)
		rte_pause();
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return n;
}

static struct stage_ops work_ops = {
	.name = "work",
	.role = STAGE_ROLE_APP,
	.flags = STAGE_F_PLANNED,
	.summary = "spend NS nanoseconds per packet (benchmarks)",
	.help = "ns: 1..1000000 (required)",
	.keys = work_keys,
	.conf_size = sizeof(struct work_conf),
	.parse = work_parse,
	.priv_size = sizeof(struct work_priv),
	.init = work_init,
	.burst = work_burst,
};

STAGE_REGISTER(work_ops)
