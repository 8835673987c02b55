/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules keywords outside the payload: msg, flow, flowbits (and the
 * flowbit names' numbering), threshold and detection_filter.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules_pvt.h"

int
ids_opt_msg(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	bool neg;
	uint32_t qs, qe;
	int rc = ids_quoted(pc, "msg", op, false, &neg, &qs, &qe);

	if (rc != P_OK)
		return rc;
	char *tmp = malloc(qe - qs + 1);
	size_t n = 0;
	if (tmp == NULL)
		return ids_perr(pc, P_BAD, qs, "out of memory");
	for (uint32_t k = qs; k < qe; k++) {
		if (s[k] == '\\' && k + 1 < qe)
			k++;
		tmp[n++] = s[k];
	}
	b->ru->info.msg = ids_pool_str(pc->r, tmp, n);
	free(tmp);
	return b->ru->info.msg ? P_OK : ids_perr(pc, P_BAD, qs, "out of memory");
}

int
ids_opt_flow(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	uint32_t i = op->vs;

	if (!op->has_val)
		return ids_perr(pc, P_BAD, op->ks, "flow needs a value");
	while (i < op->ve) {
		i = ids_skip_ws(s, i);
		uint32_t e = i;
		while (e < op->ve && s[e] != ',' && !isspace((unsigned char)s[e]))
			e++;
		size_t n = e - i;
		uint16_t f = 0;
#define IS(x) (n == sizeof(x) - 1 && strncmp(s + i, x, n) == 0)
		if (IS("to_server") || IS("from_client"))
			f = IDS_FL_TO_SERVER;
		else if (IS("to_client") || IS("from_server"))
			f = IDS_FL_TO_CLIENT;
		else if (IS("established"))
			f = IDS_FL_ESTABLISHED;
		else if (IS("not_established"))
			f = IDS_FL_NOT_EST;
		else if (IS("stateless"))
			f = IDS_FL_STATELESS;
		else if (IS("only_stream"))
			f = IDS_FL_ONLY_STREAM;
		else if (IS("no_stream"))
			f = IDS_FL_NO_STREAM;
		else if (IS("only_frag") || IS("no_frag"))
			return ids_perr(pc, P_UNSUP, i,
					"unsupported keyword 'flow:%.*s'", (int)n,
					s + i);
		else
			return ids_perr(pc, P_BAD, i,
					"flow: unknown option '%.*s' (expected to_server, to_client, from_server, from_client, established, not_established, stateless, only_stream, no_stream)",
					(int)n, s + i);
#undef IS
		if (b->ru->flow & f)
			return ids_perr(pc, P_BAD, i, "flow: '%.*s' given twice",
					(int)n, s + i);
		b->ru->flow |= f;
		uint16_t fl = b->ru->flow;
		if ((fl & IDS_FL_TO_SERVER) && (fl & IDS_FL_TO_CLIENT))
			return ids_perr(pc, P_BAD, i,
					"flow: to_server and to_client exclude each other");
		if ((fl & IDS_FL_ESTABLISHED) && (fl & (IDS_FL_NOT_EST |
							  IDS_FL_STATELESS)))
			return ids_perr(pc, P_BAD, i,
					"flow: established excludes not_established and stateless");
		if ((fl & IDS_FL_NOT_EST) && (fl & IDS_FL_STATELESS))
			return ids_perr(pc, P_BAD, i,
					"flow: not_established excludes stateless");
		if ((fl & IDS_FL_ONLY_STREAM) && (fl & IDS_FL_NO_STREAM))
			return ids_perr(pc, P_BAD, i,
					"flow: only_stream and no_stream exclude each other");
		i = ids_skip_ws(s, e);
		if (i < op->ve) {
			if (s[i] != ',')
				return ids_perr(pc, P_BAD, i, "flow: expected ','");
			i++;
			if (ids_skip_ws(s, i) >= op->ve)
				return ids_perr(pc, P_BAD, i, "flow: option missing after ','");
		}
	}
	return P_OK;
}

int
ids_flowbit_num(struct ids_pctx *pc, const char *name, size_t n, uint32_t *out)
{
	struct ids_rules *r = pc->r;

	for (uint32_t k = 0; k < r->nflowbits; k++)
		if (strlen(r->fb_names[k]) == n &&
		    memcmp(r->fb_names[k], name, n) == 0) {
			*out = k;
			return 0;
		}
	char **nn = realloc(r->fb_names, (r->nflowbits + 1) * sizeof(*nn));
	if (nn == NULL)
		return -ENOMEM;
	r->fb_names = nn;
	nn[r->nflowbits] = strndup(name, n);
	if (nn[r->nflowbits] == NULL)
		return -ENOMEM;
	*out = r->nflowbits++;
	return 0;
}

int
ids_opt_flowbits(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	uint32_t i = ids_skip_ws(s, op->vs), e;

	if (!op->has_val)
		return ids_perr(pc, P_BAD, op->ks, "flowbits needs a value");
	e = i;
	while (e < op->ve && isalpha((unsigned char)s[e]))
		e++;
	size_t n = e - i;
	struct ids_flowbit fb = { 0 };
#define IS(x) (n == sizeof(x) - 1 && strncmp(s + i, x, n) == 0)
	if (IS("noalert")) {
		if (ids_skip_ws(s, e) < op->ve)
			return ids_perr(pc, P_BAD, e, "flowbits:noalert takes no name");
		b->ru->info.flags |= IDS_RULE_NOALERT;
		return P_OK;
	} else if (IS("set"))
		fb.op = IDS_FB_SET;
	else if (IS("unset"))
		fb.op = IDS_FB_UNSET;
	else if (IS("toggle"))
		fb.op = IDS_FB_TOGGLE;
	else if (IS("isset"))
		fb.op = IDS_FB_ISSET;
	else if (IS("isnotset"))
		fb.op = IDS_FB_ISNOTSET;
	else
		return ids_perr(pc, P_BAD, i,
				"flowbits: unknown command '%.*s' (expected set, unset, toggle, isset, isnotset, noalert)",
				(int)n, s + i);
#undef IS
	i = ids_skip_ws(s, e);
	if (i >= op->ve || s[i] != ',')
		return ids_perr(pc, P_BAD, i, "flowbits: expected ',' and a name");
	i = ids_skip_ws(s, i + 1);
	char sep = 0;
	for (;;) {
		e = i;
		while (e < op->ve && (isalnum((unsigned char)s[e]) ||
				      s[e] == '_' || s[e] == '.' || s[e] == '-'))
			e++;
		if (e == i)
			return ids_perr(pc, P_BAD, i, "flowbits: expected a name");
		if (fb.n == 8)
			return ids_perr(pc, P_BAD, i, "flowbits: more than 8 names");
		if (ids_flowbit_num(pc, s + i, e - i, &fb.bit[fb.n]) < 0)
			return ids_perr(pc, P_BAD, i, "out of memory");
		fb.n++;
		i = ids_skip_ws(s, e);
		if (i >= op->ve)
			break;
		if (s[i] != '|' && s[i] != '&')
			return ids_perr(pc, P_BAD, i,
					"flowbits: unexpected '%c' after the name",
					s[i]);
		if (sep != 0 && sep != s[i])
			return ids_perr(pc, P_BAD, i,
					"flowbits: cannot mix '|' and '&'");
		sep = s[i];
		if (sep == '|' && fb.op != IDS_FB_ISSET &&
		    fb.op != IDS_FB_ISNOTSET)
			return ids_perr(pc, P_BAD, i,
					"flowbits: '|' only with isset or isnotset");
		i = ids_skip_ws(s, i + 1);
	}
	fb.any = sep == '|';
	if (fb.op == IDS_FB_ISSET || fb.op == IDS_FB_ISNOTSET)
		b->ru->fb_reads = 1;
	else
		b->ru->fb_writes = 1;
	struct ids_flowbit *p = ids_vec_push(&b->fb);
	if (p == NULL)
		return ids_perr(pc, P_BAD, op->ks, "out of memory");
	*p = fb;
	return P_OK;
}

int
ids_opt_threshold(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op,
		  bool detection)
{
	const char *s = pc->t->s;
	const char *kw = detection ? "detection_filter" : "threshold";
	struct ids_threshold *t = detection ? &b->ru->df : &b->ru->thr;
	bool have_type = detection, have_track = false, have_count = false,
		have_secs = false;
	uint32_t i = op->vs;

	if (!op->has_val)
		return ids_perr(pc, P_BAD, op->ks, "%s needs a value", kw);
	if (t->type != IDS_THR_NONE)
		return ids_perr(pc, P_BAD, op->ks, "%s given twice", kw);
	if (detection)
		t->type = IDS_THR_DETECTION;
	while (i < op->ve) {
		i = ids_skip_ws(s, i);
		uint32_t e = i;
		while (e < op->ve && (isalnum((unsigned char)s[e]) || s[e] == '_'))
			e++;
		size_t n = e - i;
		uint32_t at = i;
		uint32_t v = ids_skip_ws(s, e), ve = v;
		while (ve < op->ve && s[ve] != ',' && !isspace((unsigned char)s[ve]))
			ve++;
		size_t vn = ve - v;
#define IS(p, l, x) ((l) == sizeof(x) - 1 && strncmp(s + (p), x, l) == 0)
		if (IS(i, n, "type") && !detection) {
			if (IS(v, vn, "limit"))
				t->type = IDS_THR_LIMIT;
			else if (IS(v, vn, "threshold"))
				t->type = IDS_THR_THRESHOLD;
			else if (IS(v, vn, "both"))
				t->type = IDS_THR_BOTH;
			else
				return ids_perr(pc, P_BAD, v,
						"%s: bad type '%.*s' (expected limit, threshold or both)",
						kw, (int)vn, s + v);
			have_type = true;
		} else if (IS(i, n, "track")) {
			if (IS(v, vn, "by_src"))
				t->track = IDS_TRACK_SRC;
			else if (IS(v, vn, "by_dst"))
				t->track = IDS_TRACK_DST;
			else if (IS(v, vn, "by_rule"))
				t->track = IDS_TRACK_RULE;
			else if (IS(v, vn, "by_both"))
				t->track = IDS_TRACK_BOTH;
			else if (IS(v, vn, "by_flow"))
				return ids_perr(pc, P_UNSUP, v,
						"unsupported keyword '%s: track by_flow'",
						kw);
			else
				return ids_perr(pc, P_BAD, v,
						"%s: bad track '%.*s' (expected by_src, by_dst, by_rule or by_both)",
						kw, (int)vn, s + v);
			have_track = true;
		} else if (IS(i, n, "count") || IS(i, n, "seconds")) {
			long long x;
			uint32_t j = v;
			if (!ids_parse_int(s, &j, IS(i, n, "count") ? 1 : 1,
					   IS(i, n, "count") ? UINT32_MAX : 86400 * 365,
					   &x) || j != ve)
				return ids_perr(pc, P_BAD, v,
						"%s: %.*s expects a positive integer",
						kw, (int)n, s + i);
			if (IS(i, n, "count")) {
				t->count = (uint32_t)x;
				have_count = true;
			} else {
				t->window_ns = (uint64_t)x * 1000000000ull;
				have_secs = true;
			}
		} else {
			return ids_perr(pc, P_BAD, at,
					"%s: unknown option '%.*s' (expected %scount, seconds, track)",
					kw, (int)n, s + i, detection ? "" : "type, ");
		}
#undef IS
		i = ids_skip_ws(s, ve);
		if (i < op->ve) {
			if (s[i] != ',')
				return ids_perr(pc, P_BAD, i, "%s: expected ','", kw);
			i++;
		}
	}
	if (!have_type || !have_track || !have_count || !have_secs)
		return ids_perr(pc, P_BAD, op->ks,
				"%s: needs %scount, seconds and track", kw,
				detection ? "" : "type, ");
	return P_OK;
}
