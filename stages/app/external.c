/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * external: a place in a path for a stage that another process serves
 * (`ffwd attach LABEL STAGE -- KIND-CONFIG`, a DPDK secondary of the same
 * label). The kind is only a marker: STAGE_F_EXTERNAL tells the runtime to
 * end the segment before it with a ring into the place and to start the
 * one after it with a ring out of it, and to run nothing here. Its
 * counters are filled by the runtime's housekeeping from the shared block
 * the attached process writes (app/external.c).
 */
#include "stage.h"

static const char *const external_keys[] = { NULL };

#define EXTERNAL_DROPS(X)                                                      \
	X(EXTERNAL_DROP_STAGE, "external")                                     \
	X(EXTERNAL_DROP_DETACHED, "detached")

enum { EXTERNAL_DROPS(STAGE_DROP_ENUM) EXTERNAL_DROP_MAX };
static const char *const external_drops[] = { EXTERNAL_DROPS(STAGE_DROP_NAME) };

/* Never called: the runtime gives this stage no lcore. A pass-through, so
 * that a caller that did call it would lose nothing. */
static uint16_t
external_burst(struct stage *s __rte_unused, struct rte_mbuf **pkts __rte_unused,
	       uint16_t n)
{
	return n;
}

static struct stage_ops external_ops = {
	.name = "external",
	.role = STAGE_ROLE_APP,
	.flags = STAGE_F_EXTERNAL,
	.summary = "a place served by another process: ffwd attach LABEL STAGE",
	.help = "(no keys, and no lcore: the attached process brings its own)\n"
		"drops: external (made by the attached stage), detached (left\n"
		"in its ring at exit with nothing attached and no bypass)",
	.keys = external_keys,
	.burst = external_burst,
	.drop_names = external_drops,
	.n_drops = EXTERNAL_DROP_MAX,
};

STAGE_REGISTER(external_ops)
