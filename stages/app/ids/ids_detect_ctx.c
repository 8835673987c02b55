/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect's per lcore / replica context: created for one rule set with
 * every array the packet path needs (candidates, per-rule stamps and hits,
 * the threshold table, PCRE2 match data, a clone of the Hyperscan
 * scratch), so that ids_detect() never allocates; and its counters.
 * Everything here runs off the packet path.
 */
#include <errno.h>
#include <stdlib.h>

#include "ids_core.h"

const char *const ids_detect_counter_names[IDS_DC_MAX] = {
#define IDS_X_NAME(n, d) #n,
	IDS_DETECT_COUNTERS(IDS_X_NAME)
#undef IDS_X_NAME
};

/* ------------------------------------------------------------------ */
/* context                                                            */

struct ids_detect_ctx *
ids_detect_ctx_create(const struct ids_rules *r)
{
	struct ids_detect_ctx *c = calloc(1, sizeof(*c));
	uint32_t n = r->nrules ? r->nrules : 1;
	uint32_t slots = 1;

	if (c == NULL)
		return NULL;
	c->rules_id = r->id;
	c->nrules = r->nrules;
	c->cand = calloc(n, sizeof(*c->cand));
	c->stamp = calloc(n, sizeof(*c->stamp));
	c->hits = calloc(n, sizeof(*c->hits));
	c->merged = calloc(n, sizeof(*c->merged));
	while (slots < r->threshold_slots)
		slots <<= 1;
	c->thr = calloc(slots, sizeof(*c->thr));
	c->thr_mask = slots - 1;
	c->md = pcre2_match_data_create(r->max_ovec, NULL);
	if (c->cand == NULL || c->merged == NULL || c->stamp == NULL || c->hits == NULL ||
	    c->thr == NULL || c->md == NULL)
		goto fail;
	if (r->proto_scratch != NULL &&
	    hs_clone_scratch(r->proto_scratch, &c->scratch) != HS_SUCCESS)
		goto fail;
	return c;
fail:
	ids_detect_ctx_free(c);
	errno = ENOMEM;
	return NULL;
}

void
ids_detect_ctx_free(struct ids_detect_ctx *c)
{
	if (c == NULL)
		return;
	if (c->scratch)
		hs_free_scratch(c->scratch);
	if (c->md)
		pcre2_match_data_free(c->md);
	free(c->cand);
	free(c->merged);
	free(c->stamp);
	free(c->hits);
	free(c->thr);
	free(c);
}

bool
ids_detect_ctx_fits(const struct ids_detect_ctx *c, const struct ids_rules *r)
{
	/* Hyperscan scratch is sized per database, so only the set the
	 * context was made for is known to fit. */
	return c->rules_id == r->id;
}

const uint64_t *
ids_detect_ctx_counters(const struct ids_detect_ctx *c)
{
	return c->ctr;
}

uint64_t
ids_detect_ctx_rule_hits(const struct ids_detect_ctx *c, unsigned int idx)
{
	return idx < c->nrules ? c->hits[idx] : 0;
}
