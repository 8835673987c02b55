/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cull: a stage kind that lives only in a test binary (ffwd-testkind), to
 * show that a kind is one file and one registration line: nothing in the
 * runtime, the config parser or telemetry knows it. It drops every
 * `every`-th packet it sees as `culled` and counts what it saw.
 */
#include "stage.h"

struct cull_conf {
	uint64_t every;			/**< drop packet k*every, k >= 1 */
};

struct cull_priv {
	uint64_t every, seen;
};

#define CULL_DROPS(X) X(CULL_DROP, "culled")
enum { CULL_DROPS(STAGE_DROP_ENUM) CULL_DROP_MAX };
static const char *const cull_drops[] = { CULL_DROPS(STAGE_DROP_NAME) };

#define CULL_COUNTERS(X) X(CULL_SEEN, "cull_seen")
enum { CULL_COUNTERS(STAGE_DROP_ENUM) CULL_CTR_MAX };
static const char *const cull_counters[] = { CULL_COUNTERS(STAGE_DROP_NAME) };

static const char *const cull_keys[] = { "every", NULL };

static int
cull_parse(struct stage_args *a, void *kconf)
{
	struct cull_conf *c = kconf;
	int r = a->ops->u64(a, "every", 2, 1000000, &c->every);

	if (r == 0)
		return a->ops->error(a, NULL, "every is missing, expected an integer 2..1000000");
	return r < 0 ? -1 : 0;
}

static int
cull_init(struct stage *s, const struct stage_env *env __rte_unused)
{
	const struct cull_conf *c = s->kconf;
	struct cull_priv *p = s->priv;

	p->every = c->every;
	return 0;
}

static uint16_t
cull_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct cull_priv *p = s->priv;
	uint16_t i, out = 0;

	for (i = 0; i < n; i++) {
		if (++p->seen % p->every == 0) {
			stage_drop(s, CULL_DROP, &pkts[i], 1);
			continue;
		}
		pkts[out++] = pkts[i];
	}
	s->ctr.kind[CULL_SEEN] = p->seen;
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += out;
	return out;
}

static struct stage_ops cull_ops = {
	.name = "cull",
	.role = STAGE_ROLE_APP,
	.summary = "drop every Nth packet (a test kind)",
	.help = "every: 2..1000000 (required)",
	.keys = cull_keys,
	.conf_size = sizeof(struct cull_conf),
	.parse = cull_parse,
	.priv_size = sizeof(struct cull_priv),
	.init = cull_init,
	.burst = cull_burst,
	.drop_names = cull_drops,
	.n_drops = CULL_DROP_MAX,
	.counter_names = cull_counters,
	.n_counters = CULL_CTR_MAX,
};

STAGE_REGISTER(cull_ops)
