/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall: the stage kind around the firewall engine (firewall.h): its
 * config key, its drop reasons, RCU idle, SIGHUP reload and per-rule hits
 * in telemetry. The engine's drop reasons are the stage's, index for
 * index, so the burst adds straight into the stage's counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>

#include "firewall.h"
#include "stage.h"

#define FW_KIND_PATH_MAX 4096

struct fw_kind_conf {
	char rules[FW_KIND_PATH_MAX];	/**< rules file, as given */
};

struct fw_kind_priv {
	struct fw_stage *fw;
};

static const char *const fw_kind_keys[] = { "rules", NULL };

static int
fw_kind_parse(struct stage_args *a, void *kconf)
{
	struct fw_kind_conf *c = kconf;
	int r = a->ops->str(a, "rules", c->rules, sizeof(c->rules),
			    "the path of a rules file");

	/* The file itself is checked by the firewall's own parser before
	 * EAL starts (fw_kind_check(); ffwd --check runs it too). */
	if (r == 0)
		return a->ops->error(a, NULL,
				     "rules is missing, expected the path of a rules file");
	return r < 0 ? -1 : 0;
}

static int
fw_kind_check(const void *kconf, char *err, size_t errlen)
{
	const struct fw_kind_conf *c = kconf;

	return fw_rules_check(c->rules, err, errlen) != 0 ? -1 : 0;
}

static int
fw_kind_init(struct stage *s, const struct stage_env *env __rte_unused)
{
	const struct fw_kind_conf *c = s->kconf;
	struct fw_kind_priv *p = s->priv;
	char err[1024];
	struct fw_rules *r = fw_rules_load(c->rules, err, sizeof(err));

	/* What is left after the check is the verifier and memory. */
	if (r == NULL) {
		fprintf(stderr, "stage '%s': %s\n", s->name, err);
		return -EINVAL;
	}
	p->fw = fw_stage_create(s->name, r, 0);
	if (p->fw == NULL) {
		fw_rules_free(r);
		return -rte_errno;
	}
	return 0;
}

static void
fw_kind_fini(struct stage *s)
{
	struct fw_kind_priv *p = s->priv;

	if (p == NULL)
		return;
	fw_stage_free(p->fw);
	p->fw = NULL;
}

static uint16_t
fw_kind_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct fw_kind_priv *p = s->priv;
	uint16_t out = fw_stage_burst(p->fw, pkts, n, s->ctr.drops);

	s->ctr.pkts_in += n;
	s->ctr.pkts_out += out;
	return out;
}

/* An idle firewall must still let a rules reload finish. */
static void
fw_kind_idle(struct stage *s)
{
	struct fw_kind_priv *p = s->priv;

	fw_stage_idle(p->fw);
}

/* Built here, off the fast path; swapped in atomically; the old set is
 * freed once the stage has moved past it. */
static int
fw_kind_reload(struct stage *s, FILE *f)
{
	const struct fw_kind_conf *c = s->kconf;
	struct fw_kind_priv *p = s->priv;
	char err[1024];
	struct fw_rules *r = fw_rules_load(c->rules, err, sizeof(err));

	if (r == NULL || fw_stage_reload(p->fw, r) != 0) {
		fprintf(f, "stage '%s': reload refused, old rules kept: %s\n",
			s->name, r == NULL ? err : "out of memory");
		if (r != NULL)
			fw_rules_free(r);
		return -1;
	}
	fprintf(f, "stage '%s': rules reloaded from %s (%u rules)\n", s->name,
		c->rules, fw_rules_count(r));
	return 0;
}

/* Per-rule hits, "acl:<rule>", then acl:default and acl:malformed. */
static void
fw_kind_telemetry(const struct stage *s, stage_emit_t emit, void *arg)
{
	const struct fw_kind_priv *p = s->priv;

	if (p->fw != NULL)
		fw_stage_counters(p->fw, emit, arg);
}

static struct stage_ops fw_kind_ops = {
	.name = "firewall",
	.role = STAGE_ROLE_APP,
	.flags = STAGE_F_IDLE,
	.summary = "5-tuple ACL, tcpdump filters and eBPF rules (docs/FIREWALL.md)",
	.help = "rules: FILE (required)",
	.keys = fw_kind_keys,
	.conf_size = sizeof(struct fw_kind_conf),
	.parse = fw_kind_parse,
	.check = fw_kind_check,
	.priv_size = sizeof(struct fw_kind_priv),
	.init = fw_kind_init,
	.burst = fw_kind_burst,
	.idle = fw_kind_idle,
	.reload = fw_kind_reload,
	.fini = fw_kind_fini,
	.drop_names = fw_drop_names,
	.n_drops = FW_DROP_MAX,
	.telemetry = fw_kind_telemetry,
};

STAGE_REGISTER(fw_kind_ops)
