/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules compiler: the parsed rules sorted into Suricata's evaluation
 * order, grouped per protocol class, direction and destination port
 * interval, and one Hyperscan literal database built per group on the
 * rules' fast patterns.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules_pvt.h"

#define IDS_MAX_GROUPS	64	/* distinct port groups per class/direction */

static int
fb_class(const struct ids_rule *ru)
{
	/* Suricata: rules that only set flowbits first, then those that set
	 * and read, then readers, then rules without flowbits. */
	if (ru->fb_writes && !ru->fb_reads)
		return 0;
	if (ru->fb_writes)
		return 1;
	if (ru->fb_reads)
		return 2;
	return 3;
}

static int
action_rank(uint8_t a)
{
	switch (a) {
	case IDS_ACT_PASS: return 0;
	case IDS_ACT_DROP: return 1;
	case IDS_ACT_REJECT: return 2;
	default: return 3;
	}
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct ids_rule *x = a, *y = b;
	int d = action_rank(x->info.action) - action_rank(y->info.action);

	if (d == 0)
		d = fb_class(x) - fb_class(y);
	if (d == 0)
		d = (int)x->info.priority - (int)y->info.priority;
	if (d == 0)
		d = x->order_key < y->order_key ? -1 :
			x->order_key > y->order_key;
	return d;
}

static bool
rule_in_class(const struct ids_rule *ru, int pcl, int dir)
{
	if (dir == 0 && (ru->flow & IDS_FL_TO_CLIENT))
		return false;
	if (dir == 1 && (ru->flow & IDS_FL_TO_SERVER))
		return false;
	switch (pcl) {
	case IDS_PC_TCP: return ru->proto == 0 || ru->proto == IPPROTO_TCP;
	case IDS_PC_UDP: return ru->proto == 0 || ru->proto == IPPROTO_UDP;
	case IDS_PC_ICMP: return ru->proto == 0 || ru->proto == IPPROTO_ICMP ||
			ru->proto == IPPROTO_ICMPV6 || ru->proto == IDS_PROTO_ICMP4;
	default: return ru->proto == 0;
	}
}

/* Whether the rule can match a packet whose destination port is p. */
static bool
rule_port_ok(const struct ids_rule *ru, uint16_t p)
{
	if (ids_port_match(&ru->dport, p))
		return true;
	return ru->bidir && ids_port_match(&ru->sport, p);
}

static bool
rule_ports_any(const struct ids_rule *ru)
{
	return ru->dport.any || (ru->bidir && ru->sport.any);
}

static int
group_build(struct ids_rules *r, struct ids_group *g, const uint32_t *mem,
	    uint32_t n, char *err, size_t errlen)
{
	const char **pats = NULL;
	unsigned int *flags = NULL, *ids = NULL;
	size_t *lens = NULL;
	int ret = 0;

	g->nrules = n;
	g->always = calloc(n ? n : 1, sizeof(*g->always));
	pats = calloc(n ? n : 1, sizeof(*pats));
	flags = calloc(n ? n : 1, sizeof(*flags));
	ids = calloc(n ? n : 1, sizeof(*ids));
	lens = calloc(n ? n : 1, sizeof(*lens));
	if (g->always == NULL || !pats || !flags || !ids || !lens) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t k = 0; k < n; k++) {
		const struct ids_rule *ru = &r->rules[mem[k]];
		if (ru->nsteps > 0 && (ru->flow & IDS_FL_NO_STREAM))
			g->has_packet_only = 1;
		if (ru->fp < 0) {
			g->always[g->nalways++] = mem[k];
			continue;
		}
		const struct ids_step *st = &ru->steps[ru->fp];
		uint32_t off = st->fp_off, len = st->fp_len;
		/* vectorscan's literal API takes a pattern that starts with a
		 * NUL byte for an empty one: prefilter on the part after the
		 * leading NULs (still implied by the content); all NULs: no
		 * prefilter for the rule */
		while (len > 0 && st->pat[off] == 0) {
			off++;
			len--;
		}
		if (len == 0) {
			g->always[g->nalways++] = mem[k];
			continue;
		}
		pats[g->npat] = (const char *)st->pat + off;
		lens[g->npat] = len;
		flags[g->npat] = HS_FLAG_SINGLEMATCH |
			((st->flags & IDS_C_NOCASE) ? HS_FLAG_CASELESS : 0);
		ids[g->npat] = mem[k];
		g->npat++;
	}
	if (g->npat > 0) {
		hs_compile_error_t *ce = NULL;
		if (hs_compile_lit_multi(pats, flags, ids, lens, g->npat,
					 HS_MODE_BLOCK, NULL, &g->db, &ce) !=
		    HS_SUCCESS) {
			snprintf(err, errlen, "prefilter compile: %s",
				 ce ? ce->message : "failed");
			if (ce)
				hs_free_compile_error(ce);
			ret = -EINVAL;
			goto out;
		}
		if (hs_alloc_scratch(g->db, &r->proto_scratch) != HS_SUCCESS) {
			ret = -ENOMEM;
			goto out;
		}
	}
out:
	free(pats);
	free(flags);
	free(ids);
	free(lens);
	return ret;
}

static uint64_t
hash_list(const uint32_t *v, uint32_t n)
{
	uint64_t h = 1469598103934665603ull ^ n;
	for (uint32_t k = 0; k < n; k++)
		h = (h ^ v[k]) * 1099511628211ull;
	return h;
}

/* Builds the port map of one protocol class and direction. */
static int
pmap_build(struct ids_rules *r, int pcl, int dir, char *err, size_t errlen)
{
	struct ids_pmap *pm = &r->map[pcl][dir];
	uint32_t *mem = NULL;
	uint32_t nmem = 0;
	int ret = 0;

	mem = malloc((r->nrules ? r->nrules : 1) * sizeof(*mem));
	if (mem == NULL)
		return -ENOMEM;
	bool ports = pcl == IDS_PC_TCP || pcl == IDS_PC_UDP;
	for (uint32_t k = 0; k < r->nrules; k++)
		if (rule_in_class(&r->rules[k], pcl, dir))
			mem[nmem++] = k;
	bool any_specific = false;
	if (ports)
		for (uint32_t k = 0; k < nmem && !any_specific; k++)
			any_specific = !rule_ports_any(&r->rules[mem[k]]);
	if (!any_specific) {
		pm->groups = calloc(1, sizeof(*pm->groups));
		if (pm->groups == NULL) {
			ret = -ENOMEM;
			goto out;
		}
		pm->ngroups = 1;
		ret = group_build(r, &pm->groups[0], mem, nmem, err, errlen);
		goto out;
	}

	/* Elementary port intervals: the boundaries of every specific
	 * rule's ranges; within one interval every rule matches all or
	 * nothing. */
	uint8_t *bnd = calloc(65537, 1);
	pm->port_group = calloc(65536, sizeof(*pm->port_group));
	if (bnd == NULL || pm->port_group == NULL) {
		free(bnd);
		ret = -ENOMEM;
		goto out;
	}
	bnd[0] = 1;
	for (uint32_t k = 0; k < nmem; k++) {
		const struct ids_rule *ru = &r->rules[mem[k]];
		const struct ids_port_set *sets[2] = { &ru->dport,
			ru->bidir ? &ru->sport : NULL };
		if (rule_ports_any(ru))
			continue;
		for (int s = 0; s < 2; s++) {
			if (sets[s] == NULL || sets[s]->any)
				continue;
			for (uint32_t j = 0; j < sets[s]->p.n; j++) {
				bnd[(uint32_t)sets[s]->p.v[j].lo] = 1;
				bnd[(uint32_t)sets[s]->p.v[j].hi + 1] = 1;
			}
		}
	}
	uint32_t *lst = malloc((nmem ? nmem : 1) * sizeof(*lst));
	uint64_t *ghash = calloc(IDS_MAX_GROUPS, sizeof(*ghash));
	uint32_t *gstart = calloc(IDS_MAX_GROUPS, sizeof(*gstart));
	pm->groups = calloc(IDS_MAX_GROUPS + 1, sizeof(*pm->groups));
	if (lst == NULL || ghash == NULL || gstart == NULL || pm->groups == NULL) {
		ret = -ENOMEM;
		goto out2;
	}
	bool overflow = false;
	for (uint32_t p = 0; p < 65536;) {
		uint32_t e = p + 1;
		while (e < 65536 && !bnd[e])
			e++;
		uint32_t nl = 0;
		for (uint32_t k = 0; k < nmem; k++)
			if (rule_port_ok(&r->rules[mem[k]], (uint16_t)p))
				lst[nl++] = mem[k];
		uint64_t h = hash_list(lst, nl);
		uint32_t gi;
		for (gi = 0; gi < pm->ngroups; gi++) {
			if (ghash[gi] != h || pm->groups[gi].nrules != nl)
				continue;
			/* confirm: rebuild the first port's list */
			uint32_t q = gstart[gi], same = 1, x = 0;
			for (uint32_t k = 0; k < nmem && same; k++)
				if (rule_port_ok(&r->rules[mem[k]], (uint16_t)q))
					same = x < nl && lst[x++] == mem[k];
			if (same && x == nl)
				break;
		}
		if (gi == pm->ngroups) {
			if (pm->ngroups == IDS_MAX_GROUPS) {
				/* too many distinct groups: the rest share one
				 * group of every rule of the class (correct,
				 * since candidates are verified in full) */
				gi = IDS_MAX_GROUPS;
				overflow = true;
			} else {
				ret = group_build(r, &pm->groups[gi], lst, nl,
						  err, errlen);
				if (ret < 0)
					goto out2;
				ghash[gi] = h;
				gstart[gi] = p;
				pm->ngroups++;
			}
		}
		for (uint32_t q = p; q < e; q++)
			pm->port_group[q] = (uint16_t)gi;
		p = e;
	}
	if (overflow) {
		ret = group_build(r, &pm->groups[IDS_MAX_GROUPS], mem, nmem, err,
				  errlen);
		pm->ngroups = IDS_MAX_GROUPS + 1;
	}
out2:
	free(bnd);
	free(lst);
	free(ghash);
	free(gstart);
out:
	free(mem);
	return ret;
}

int
ids_rules_compile(struct ids_pctx *pc)
{
	struct ids_rules *r = pc->r;
	int rc;

	r->rules = pc->rules.v;
	r->nrules = pc->rules.n;
	pc->rules.v = NULL;
	pc->rules.n = 0;
	if (r->nrules > 1)
		qsort(r->rules, r->nrules, sizeof(*r->rules), rule_cmp);
	for (uint32_t k = 0; k < r->nrules; k++)
		r->rules[k].info.idx = k;
	for (int pcl = 0; pcl < IDS_PC_MAX; pcl++)
		for (int dir = 0; dir < 2; dir++) {
			rc = pmap_build(r, pcl, dir, pc->err, pc->errlen);
			if (rc < 0) {
				if (pc->err[0] == '\0')
					snprintf(pc->err, pc->errlen,
						 "%s: %s", pc->file, strerror(-rc));
				return rc;
			}
		}
	if (r->max_ovec == 0)
		r->max_ovec = 1;
	return 0;
}
