/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * work: burns a configured time per packet on the TSC, standing in for a
 * real application stage in pipeline-depth benchmarks. The burst's whole
 * budget is spent in one wait: n packets cost n times the per-packet time.
 *
 * Test-only: `stall_ms: MS` makes the stage stall once, for MS ms, in the
 * first burst after `stall_after: N` packets (default 0) have passed, as a
 * stage stuck on a bug or a long reload would: the time is not reported
 * as planned, and its input backs up. tests/e2e/bypass.sh uses it.
 */
#include <rte_cycles.h>
#include <rte_pause.h>

#include "stage.h"
#include "work.h"

struct work_priv {
	uint64_t cycles;		/**< TSC cycles per packet */
	uint64_t stall_cycles;		/**< 0: no stall (or done) */
	uint64_t stall_after;
};

static const char *const work_keys[] = { "ns", "stall_ms", "stall_after", NULL };

static int
work_parse(struct stage_args *a, void *kconf)
{
	struct work_conf *c = kconf;
	int r = a->ops->u64(a, "ns", 1, 1000000, &c->ns);

	if (r == 0)
		return a->ops->error(a, NULL, "ns is missing, expected an integer 1..1000000");
	if (r < 0 || a->ops->u64(a, "stall_ms", 1, 60000, &c->stall_ms) < 0)
		return -1;
	r = a->ops->u64(a, "stall_after", 0, UINT64_MAX >> 1, &c->stall_after);
	if (r < 0)
		return -1;
	if (r > 0 && c->stall_ms == 0)
		return a->ops->error(a, "stall_after", "stall_after without stall_ms, expected both");
	return 0;
}

static int
work_init(struct stage *s, const struct stage_env *env __rte_unused)
{
	const struct work_conf *c = s->kconf;
	struct work_priv *p = s->priv;

	p->cycles = c->ns * rte_get_tsc_hz() / 1000000000ull;
	p->stall_cycles = c->stall_ms * rte_get_tsc_hz() / 1000ull;
	p->stall_after = c->stall_after;
	return 0;
}

/* The test-only stall: a spin like the work itself, not reported as
 * planned, so that the loop and the bypass watchdog see a stuck stage. */
static __rte_noinline void
work_stall(struct work_priv *p)
{
	uint64_t until = rte_rdtsc() + p->stall_cycles;

	p->stall_cycles = 0;
	while (rte_rdtsc() < until)
		rte_pause();
}

static uint16_t
work_burst(struct stage *s, struct rte_mbuf **pkts __rte_unused, uint16_t n)
{
	struct work_priv *p = s->priv;
	uint64_t budget = p->cycles * n;
	uint64_t until;

	if (unlikely(p->stall_cycles != 0) && s->ctr.pkts_in >= p->stall_after)
		work_stall(p);
	until = rte_rdtsc() + budget;
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
	.help = "ns: 1..1000000 (required)\n"
		"stall_ms: 1..60000, stall_after: N (test-only: stall once for\n"
		"stall_ms after N packets)",
	.keys = work_keys,
	.conf_size = sizeof(struct work_conf),
	.parse = work_parse,
	.priv_size = sizeof(struct work_priv),
	.init = work_init,
	.burst = work_burst,
};

STAGE_REGISTER(work_ops)
