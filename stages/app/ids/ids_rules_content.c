/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules payload keywords: content (with its modifiers nocase, depth,
 * offset, distance, within, startswith, endswith, fast_pattern),
 * isdataat and pcre, each a step of the rule's inspection chain; and the
 * chain made ready for the matcher once the rule is complete (absolute
 * depths, folded patterns, Horspool tables, the fast pattern).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules_pvt.h"

static struct ids_step *
last_content(struct ids_rule_build *b)
{
	return b->last_content < 0 ? NULL :
		&((struct ids_step *)b->steps.v)[b->last_content];
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
ids_opt_content(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	bool neg, hex = false;
	uint32_t qs, qe;
	int rc = ids_quoted(pc, "content", op, true, &neg, &qs, &qe);

	if (rc != P_OK)
		return rc;
	uint8_t *pat = malloc(qe - qs + 1);
	uint32_t n = 0;
	if (pat == NULL)
		return ids_perr(pc, P_BAD, qs, "out of memory");
	uint32_t hex_at = 0;
	for (uint32_t k = qs; k < qe; k++) {
		char c = s[k];
		if (c == '|') {
			hex = !hex;
			hex_at = k;
			continue;
		}
		if (hex) {
			if (c == ' ' || c == '\t')
				continue;
			int h = hexval(c), l = k + 1 < qe ? hexval(s[k + 1]) : -1;
			if (h < 0 || l < 0) {
				free(pat);
				return ids_perr(pc, P_BAD, k,
						"content: bad hex byte at '%c' (expected two hex digits between | |)",
						c);
			}
			pat[n++] = (uint8_t)(h << 4 | l);
			k++;
			continue;
		}
		if (c == '\\') {
			char e = k + 1 < qe ? s[k + 1] : '\0';
			if (e != '"' && e != ';' && e != '\\' && e != ':') {
				free(pat);
				return ids_perr(pc, P_BAD, k,
						"content: bad escape '\\%c' (only \\\" \\; \\: \\\\)",
						e ? e : ' ');
			}
			pat[n++] = (uint8_t)e;
			k++;
			continue;
		}
		if (c == ';' || c == '"') {
			free(pat);
			return ids_perr(pc, P_BAD, k,
					"content: '%c' must be escaped or written as hex", c);
		}
		pat[n++] = (uint8_t)c;
	}
	if (hex) {
		free(pat);
		return ids_perr(pc, P_BAD, hex_at, "content: unclosed '|'");
	}
	if (n == 0) {
		free(pat);
		return ids_perr(pc, P_BAD, qs, "content: empty pattern");
	}
	if (n > 65535) {
		free(pat);
		return ids_perr(pc, P_BAD, qs, "content: pattern longer than 65535");
	}
	struct ids_step *st = ids_vec_push(&b->steps);
	if (st == NULL) {
		free(pat);
		return ids_perr(pc, P_BAD, qs, "out of memory");
	}
	st->type = IDS_STEP_CONTENT;
	st->pat = pat;
	st->len = n;
	if (neg)
		st->flags |= IDS_C_NEGATED;
	b->last_content = (int32_t)(b->steps.n - 1);
	b->last_step = b->last_content;
	return P_OK;
}

/* A content modifier: the content it applies to, or an error. */
static int
modifier_target(struct ids_pctx *pc, struct ids_rule_build *b,
		struct ids_opt *op, const char *kw, uint16_t flag,
		struct ids_step **out)
{
	struct ids_step *c = last_content(b);

	if (c == NULL)
		return ids_perr(pc, P_BAD, op->ks, "'%s' needs a preceding content",
				kw);
	if (c->flags & flag)
		return ids_perr(pc, P_BAD, op->ks, "'%s' given twice for one content",
				kw);
	/* like Suricata, a modifier applies to the last content even when a
	 * pcre or isdataat came in between */
	c->flags |= flag;
	*out = c;
	return P_OK;
}

int
ids_opt_modifier(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op,
		 const char *kw)
{
	struct ids_step *c = NULL;
	long long v;
	int rc;
	uint16_t flag;

	if (strcmp(kw, "nocase") == 0)
		flag = IDS_C_NOCASE;
	else if (strcmp(kw, "depth") == 0)
		flag = IDS_C_DEPTH;
	else if (strcmp(kw, "offset") == 0)
		flag = IDS_C_OFFSET;
	else if (strcmp(kw, "distance") == 0)
		flag = IDS_C_DISTANCE;
	else if (strcmp(kw, "within") == 0)
		flag = IDS_C_WITHIN;
	else if (strcmp(kw, "startswith") == 0)
		flag = IDS_C_STARTS;
	else if (strcmp(kw, "endswith") == 0)
		flag = IDS_C_ENDS;
	else
		flag = IDS_C_FAST;

	bool takes_val = flag == IDS_C_DEPTH || flag == IDS_C_OFFSET ||
		flag == IDS_C_DISTANCE || flag == IDS_C_WITHIN;
	if (takes_val && !op->has_val)
		return ids_perr(pc, P_BAD, op->ks, "'%s' needs a value", kw);
	if (!takes_val && flag != IDS_C_FAST && op->has_val)
		return ids_perr(pc, P_BAD, op->vs, "'%s' takes no value", kw);
	rc = modifier_target(pc, b, op, kw, flag, &c);
	if (rc != P_OK)
		return rc;

	bool rel = c->flags & (IDS_C_DISTANCE | IDS_C_WITHIN);
	bool abs = c->flags & (IDS_C_DEPTH | IDS_C_OFFSET);
	if (rel && abs)
		return ids_perr(pc, P_BAD, op->ks,
				"'%s': a content cannot mix relative (distance, within) and absolute (depth, offset) modifiers",
				kw);
	if ((c->flags & IDS_C_STARTS) && (rel || abs))
		return ids_perr(pc, P_BAD, op->ks,
				"'%s': startswith cannot be combined with depth, offset, distance or within",
				kw);

	switch (flag) {
	case IDS_C_DEPTH:
		rc = ids_value_int(pc, kw, op->vs, op->ve, 1, 65535, &v);
		if (rc != P_OK)
			return rc;
		if (v < c->len)
			return ids_perr(pc, P_BAD, op->vs,
					"depth %lld is smaller than the content (%u bytes)",
					v, c->len);
		c->depth = (int32_t)v;
		break;
	case IDS_C_OFFSET:
		rc = ids_value_int(pc, kw, op->vs, op->ve, 0, 65535, &v);
		if (rc != P_OK)
			return rc;
		c->offset = (int32_t)v;
		break;
	case IDS_C_DISTANCE:
		rc = ids_value_int(pc, kw, op->vs, op->ve, -65535, 65535, &v);
		if (rc != P_OK)
			return rc;
		c->distance = (int32_t)v;
		break;
	case IDS_C_WITHIN:
		rc = ids_value_int(pc, kw, op->vs, op->ve, 1, 65535, &v);
		if (rc != P_OK)
			return rc;
		if (v < c->len)
			return ids_perr(pc, P_BAD, op->vs,
					"within %lld is smaller than the content (%u bytes)",
					v, c->len);
		c->within = (int32_t)v;
		break;
	case IDS_C_FAST: {
		if (c->flags & IDS_C_NEGATED)
			return ids_perr(pc, P_BAD, op->ks,
					"fast_pattern cannot be used on a negated content");
		for (uint32_t k = 0; k < b->steps.n; k++) {
			struct ids_step *o = &((struct ids_step *)b->steps.v)[k];
			if (o != c && (o->flags & IDS_C_FAST))
				return ids_perr(pc, P_BAD, op->ks,
						"fast_pattern given for two contents");
		}
		c->fp_off = 0;
		c->fp_len = c->len;
		if (op->has_val) {
			const char *s = pc->t->s;
			uint32_t i = ids_skip_ws(s, op->vs);
			long long a, l;
			if (op->ve - i >= 4 && strncmp(s + i, "only", 4) == 0 &&
			    ids_skip_ws(s, i + 4) >= op->ve)
				break;	/* deprecated; same as plain */
			if (!ids_parse_int(s, &i, 0, 65535, &a) || s[i] != ',')
				return ids_perr(pc, P_BAD, i,
						"fast_pattern: expected 'only' or OFFSET,LENGTH");
			i = ids_skip_ws(s, i + 1);
			if (!ids_parse_int(s, &i, 1, 65535, &l) ||
			    ids_skip_ws(s, i) < op->ve)
				return ids_perr(pc, P_BAD, i,
						"fast_pattern: expected OFFSET,LENGTH");
			if (a + l > c->len)
				return ids_perr(pc, P_BAD, op->vs,
						"fast_pattern: %lld,%lld is beyond the content (%u bytes)",
						a, l, c->len);
			c->fp_off = (uint32_t)a;
			c->fp_len = (uint32_t)l;
		}
		break;
	}
	default:
		break;
	}
	return P_OK;
}

int
ids_opt_isdataat(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	uint32_t i = ids_skip_ws(s, op->vs);
	long long v;
	struct ids_step st = { .type = IDS_STEP_ISDATAAT };

	if (!op->has_val)
		return ids_perr(pc, P_BAD, op->ks, "isdataat needs a value");
	if (s[i] == '!') {
		st.flags |= IDS_C_NEGATED;
		i++;
	}
	if (!ids_parse_int(s, &i, 0, 65535, &v))
		return ids_perr(pc, P_BAD, i, "isdataat: expected a number 0..65535");
	st.offset = (int32_t)v;
	i = ids_skip_ws(s, i);
	while (i < op->ve && s[i] == ',') {
		i = ids_skip_ws(s, i + 1);
		uint32_t e = i;
		while (e < op->ve && isalpha((unsigned char)s[e]))
			e++;
		if (e - i == 8 && strncmp(s + i, "relative", 8) == 0)
			st.flags |= IDS_C_RELATIVE;
		else if (!(e - i == 8 && strncmp(s + i, "rawbytes", 8) == 0))
			return ids_perr(pc, P_BAD, i,
					"isdataat: unknown option '%.*s' (expected relative)",
					(int)(e - i), s + i);
		i = ids_skip_ws(s, e);
	}
	if (i < op->ve)
		return ids_perr(pc, P_BAD, i, "isdataat: unexpected '%c'", s[i]);
	if ((st.flags & IDS_C_RELATIVE) && b->last_step < 0)
		return ids_perr(pc, P_BAD, op->ks,
				"isdataat relative needs a preceding content or pcre");
	struct ids_step *p = ids_vec_push(&b->steps);
	if (p == NULL)
		return ids_perr(pc, P_BAD, op->ks, "out of memory");
	*p = st;
	return P_OK;
}

int
ids_opt_pcre(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	bool neg;
	uint32_t qs, qe;
	int rc = ids_quoted(pc, "pcre", op, true, &neg, &qs, &qe);

	if (rc != P_OK)
		return rc;
	if (qs >= qe || s[qs] != '/')
		return ids_perr(pc, P_BAD, qs, "pcre: expected \"/regex/flags\"");
	uint32_t end = qe;
	while (end > qs && s[end - 1] != '/')
		end--;
	if (end - 1 == qs)
		return ids_perr(pc, P_BAD, qs, "pcre: missing closing '/'");
	uint32_t opts = 0;
	uint16_t fl = neg ? IDS_C_NEGATED : 0;
	for (uint32_t k = end; k < qe; k++) {
		switch (s[k]) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		case 'A': opts |= PCRE2_ANCHORED; break;
		case 'E': opts |= PCRE2_DOLLAR_ENDONLY; break;
		case 'G': opts |= PCRE2_UNGREEDY; break;
		case 'R': fl |= IDS_C_RELATIVE; break;
		case 'B': case 'O': break;	/* rawbytes, no limits: no-ops */
		case 'U': case 'I': case 'P': case 'H': case 'D': case 'M':
		case 'C': case 'K': case 'S': case 'Y': case 'V': case 'W':
		case 'Z': case 'Q':
			return ids_perr(pc, P_UNSUP, k,
					"unsupported keyword 'pcre' modifier '%c' (an HTTP/app-layer buffer)",
					s[k]);
		default:
			return ids_perr(pc, P_BAD, k, "pcre: unknown modifier '%c'",
					s[k]);
		}
	}
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)(s + qs + 1),
				       end - 1 - (qs + 1), opts, &ec, &eo, NULL);
	if (re == NULL) {
		PCRE2_UCHAR m[160];
		pcre2_get_error_message(ec, m, sizeof(m));
		return ids_perr(pc, P_BAD, qs + 1 + (uint32_t)eo, "pcre: %s", m);
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* interpreter if no JIT */
	uint32_t cap = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cap);
	if (cap + 1 > pc->r->max_ovec)
		pc->r->max_ovec = cap + 1;
	struct ids_step *st = ids_vec_push(&b->steps);
	if (st == NULL) {
		pcre2_code_free(re);
		return ids_perr(pc, P_BAD, qs, "out of memory");
	}
	st->type = IDS_STEP_PCRE;
	st->flags = fl;
	st->re = re;
	b->last_step = (int32_t)(b->steps.n - 1);
	return P_OK;
}

void
ids_rule_prepare_steps(struct ids_rule *ru)
{
	int32_t best = -1;

	for (uint32_t k = 0; k < ru->nsteps; k++) {
		struct ids_step *st = &ru->steps[k];
		if (st->type != IDS_STEP_CONTENT)
			continue;
		if (st->flags & IDS_C_STARTS) {
			st->flags |= IDS_C_DEPTH;
			st->offset = 0;
			st->depth = (int32_t)st->len;
		} else if (st->flags & IDS_C_DEPTH) {
			st->depth += st->offset;	/* absolute end */
		}
		if (st->flags & IDS_C_NOCASE)
			for (uint32_t j = 0; j < st->len; j++)
				st->pat[j] = (uint8_t)tolower(st->pat[j]);
		/* Horspool shifts (on folded bytes when nocase) */
		for (int c = 0; c < 256; c++)
			st->skip[c] = (uint8_t)(st->len > 255 ? 255 : st->len);
		for (uint32_t j = 0; j + 1 < st->len; j++) {
			uint32_t d = st->len - 1 - j;
			st->skip[st->pat[j]] = (uint8_t)(d > 255 ? 255 : d);
			if (st->flags & IDS_C_NOCASE)
				st->skip[toupper(st->pat[j])] =
					(uint8_t)(d > 255 ? 255 : d);
		}
		if (!(st->flags & IDS_C_FAST)) {
			st->fp_off = 0;
			st->fp_len = st->len;
		}
		if (st->flags & IDS_C_NEGATED)
			continue;
		if (st->flags & IDS_C_FAST) {
			best = (int32_t)k;
			break;
		}
		if (best < 0 || st->len > ru->steps[best].len)
			best = (int32_t)k;
	}
	/* an explicit fast_pattern wins even after a longer content */
	for (uint32_t k = 0; k < ru->nsteps; k++)
		if (ru->steps[k].type == IDS_STEP_CONTENT &&
		    (ru->steps[k].flags & IDS_C_FAST))
			best = (int32_t)k;
	ru->fp = best;
	for (uint32_t k = 0; k < ru->nsteps; k++)
		if (ru->steps[k].type != IDS_STEP_ISDATAAT &&
		    !(ru->steps[k].flags & IDS_C_NEGATED))
			ru->located = 1;
	/* Whether a failed next step is worth a retry at a later occurrence
	 * of this one (Suricata's *_RELATIVE_NEXT / WITHIN_NEXT): only when
	 * the next window moves with this match and may fit later, i.e. a
	 * content with within, a relative pcre or isdataat. A content with
	 * distance alone would only see less of the buffer later. */
	for (uint32_t k = 0; k + 1 < ru->nsteps; k++) {
		const struct ids_step *nx = &ru->steps[k + 1];
		if ((nx->type == IDS_STEP_CONTENT && (nx->flags & IDS_C_WITHIN)) ||
		    (nx->type != IDS_STEP_CONTENT &&
		     (nx->flags & IDS_C_RELATIVE)))
			ru->steps[k].flags |= IDS_C_NEXT_REL;
	}
}
