/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules lexer: a rules file cut into logical rules (continuation
 * lines joined, comments dropped, the source line and column of every
 * byte kept), a rule's option list cut into keyword/value pairs, and the
 * small helpers every keyword parser uses (integers, quoted strings,
 * error messages at file:line:col).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules_pvt.h"

/* ------------------------------------------------------------------ */
/* small helpers                                                      */

void *
ids_vec_push(struct ids_vec *v)
{
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 16;
		void *nv = realloc(v->v, cap * v->esz);

		if (nv == NULL)
			return NULL;
		v->v = nv;
		v->cap = cap;
	}
	void *e = (char *)v->v + (size_t)v->n * v->esz;
	memset(e, 0, v->esz);
	v->n++;
	return e;
}

char *
ids_pool_str(struct ids_rules *r, const char *s, size_t n)
{
	if (r->nstrs == r->capstrs) {
		uint32_t cap = r->capstrs ? r->capstrs * 2 : 64;
		char **ns = realloc(r->strs, cap * sizeof(*ns));

		if (ns == NULL)
			return NULL;
		r->strs = ns;
		r->capstrs = cap;
	}
	char *d = malloc(n + 1);

	if (d == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	r->strs[r->nstrs++] = d;
	return d;
}

/* An error at byte i of the current rule text (or at the file when no
 * rule). Returns rc so callers can `return ids_perr(...)`. */
int
ids_perr(struct ids_pctx *pc, int rc, uint32_t i, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pc->t != NULL && pc->t->len > 0) {
		/* past the end: just after the last character */
		uint32_t col = i >= pc->t->len ? pc->t->col[pc->t->len - 1] + 1 :
			pc->t->col[i];
		if (i >= pc->t->len)
			i = pc->t->len - 1;
		snprintf(pc->err, pc->errlen, "%s:%u:%u: %s%s%s%s", pc->file,
			 pc->t->line[i], col, msg,
			 pc->var_name ? " (in $" : "",
			 pc->var_name ? pc->var_name : "",
			 pc->var_name ? ")" : "");
	} else {
		snprintf(pc->err, pc->errlen, "%s: %s", pc->file, msg);
	}
	return rc;
}

static int
text_add(struct ids_text *t, char ch, uint32_t line, uint32_t col)
{
	if (t->len + 1 >= t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 256;
		char *s = realloc(t->s, cap);
		uint32_t *l, *c;

		if (s == NULL)
			return -ENOMEM;
		t->s = s;
		l = realloc(t->line, cap * sizeof(*l));
		if (l == NULL)
			return -ENOMEM;
		t->line = l;
		c = realloc(t->col, cap * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		t->col = c;
		t->cap = cap;
	}
	t->s[t->len] = ch;
	t->line[t->len] = line;
	t->col[t->len] = col;
	t->len++;
	t->s[t->len] = '\0';
	return 0;
}

uint32_t
ids_skip_ws(const char *s, uint32_t i)
{
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
		i++;
	return i;
}

/* Parses a decimal integer in [lo, hi] from s[*i]; false if none/out of range. */
bool
ids_parse_int(const char *s, uint32_t *i, long long lo, long long hi,
	      long long *out)
{
	uint32_t j = *i;
	bool neg = false;
	long long v = 0;

	if (s[j] == '-' || s[j] == '+') {
		neg = s[j] == '-';
		j++;
	}
	if (!isdigit((unsigned char)s[j]))
		return false;
	while (isdigit((unsigned char)s[j])) {
		v = v * 10 + (s[j] - '0');
		if (v > 10000000000LL)
			return false;
		j++;
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return false;
	*i = j;
	*out = v;
	return true;
}

/* A whole value that is one integer (surrounding blanks allowed). */
int
ids_value_int(struct ids_pctx *pc, const char *kw, uint32_t vs, uint32_t ve,
	      long long lo, long long hi, long long *out)
{
	const char *s = pc->t->s;
	uint32_t i = ids_skip_ws(s, vs);

	if (i >= ve || !ids_parse_int(s, &i, lo, hi, out))
		return ids_perr(pc, P_BAD, i, "%s: expected an integer in %lld..%lld",
				kw, lo, hi);
	i = ids_skip_ws(s, i);
	if (i < ve)
		return ids_perr(pc, P_BAD, i, "%s: unexpected '%c' after the number",
				kw, s[i]);
	return P_OK;
}

/* Value of a quoted option: start/end of the text inside the quotes, and
 * whether a '!' came first. */
int
ids_quoted(struct ids_pctx *pc, const char *kw, struct ids_opt *op, bool allow_neg,
	   bool *neg, uint32_t *qs, uint32_t *qe)
{
	const char *s = pc->t->s;
	uint32_t i = ids_skip_ws(s, op->vs);

	*neg = false;
	if (allow_neg && i < op->ve && s[i] == '!') {
		*neg = true;
		i = ids_skip_ws(s, i + 1);
	}
	if (i >= op->ve || s[i] != '"')
		return ids_perr(pc, P_BAD, i, "%s: expected a quoted string", kw);
	uint32_t j = i + 1;
	while (j < op->ve && s[j] != '"') {
		if (s[j] == '\\' && j + 1 < op->ve)
			j++;
		j++;
	}
	if (j >= op->ve)
		return ids_perr(pc, P_BAD, i, "%s: missing closing '\"'", kw);
	uint32_t k = ids_skip_ws(s, j + 1);
	if (k < op->ve)
		return ids_perr(pc, P_BAD, k, "%s: unexpected '%c' after the string",
				kw, s[k]);
	*qs = i + 1;
	*qe = j;
	return P_OK;
}

/* ------------------------------------------------------------------ */
/* options: "(k:v; k; ...)"                                          */

/* Splits "(k:v; k; ...)" starting at '(' and parses each option. */
int
ids_parse_options(struct ids_pctx *pc, struct ids_rule_build *b, uint32_t i)
{
	const char *s = pc->t->s;
	uint32_t len = pc->t->len;

	i = ids_skip_ws(s, i);
	if (s[i] != '(')
		return ids_perr(pc, P_BAD, i, "expected '(' before the options");
	i++;
	for (;;) {
		i = ids_skip_ws(s, i);
		if (i >= len)
			return ids_perr(pc, P_BAD, len, "missing ')' at the end of the rule");
		if (s[i] == ')')
			break;
		struct ids_opt op = { .ks = i };
		while (i < len && s[i] != ':' && s[i] != ';' && s[i] != ')' &&
		       !isspace((unsigned char)s[i]))
			i++;
		op.ke = i;
		i = ids_skip_ws(s, i);
		if (s[i] == ':') {
			bool inq = false;
			op.has_val = true;
			op.vs = ++i;
			while (i < len && (inq || s[i] != ';')) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				else if (s[i] == '"')
					inq = !inq;
				i++;
			}
			if (i >= len)
				return ids_perr(pc, P_BAD, op.ks,
						"option '%.*s' not terminated by ';'",
						(int)(op.ke - op.ks), s + op.ks);
			op.ve = i;
		} else if (s[i] != ';') {
			if (op.ke == op.ks)
				return ids_perr(pc, P_BAD, i, "expected a keyword");
			return ids_perr(pc, P_BAD, i,
					"expected ':' or ';' after '%.*s'",
					(int)(op.ke - op.ks), s + op.ks);
		} else {
			op.vs = op.ve = i;
		}
		int rc = ids_parse_option(pc, b, &op);
		if (rc != P_OK)
			return rc;
		i++;	/* ';' */
	}
	uint32_t e = ids_skip_ws(s, i + 1);
	if (e < len)
		return ids_perr(pc, P_BAD, e, "unexpected text after ')'");
	return P_OK;
}

/* ------------------------------------------------------------------ */
/* the file: lines, continuations, comments                           */

static int
skipped_add(struct ids_pctx *pc)
{
	struct ids_rules *r = pc->r;
	char **ns = realloc(r->skipped, (r->nskipped + 1) * sizeof(*ns));
	if (ns == NULL)
		return -ENOMEM;
	r->skipped = ns;
	/* name the sid when the rule has one, for the operator */
	const char *sid = strstr(pc->t->s, "sid:");
	char buf[600];
	if (sid != NULL)
		snprintf(buf, sizeof(buf), "%s (sid %ld)", pc->err,
			 strtol(sid + 4, NULL, 10));
	else
		snprintf(buf, sizeof(buf), "%s", pc->err);
	ns[r->nskipped] = strdup(buf);
	if (ns[r->nskipped] == NULL)
		return -ENOMEM;
	r->nskipped++;
	pc->err[0] = '\0';
	return 0;
}

int
ids_parse_text(struct ids_pctx *pc, const char *text)
{
	struct ids_text t = { 0 };
	uint32_t line = 1;
	const char *p = text;
	int ret = 0;

	pc->t = &t;
	while (*p != '\0') {
		/* one logical rule: lines joined while they end in '\' */
		t.len = 0;
		if (t.s)
			t.s[0] = '\0';
		bool first = true, comment = false;
		for (;;) {
			const char *e = strchr(p, '\n');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			size_t m = n;
			if (m > 0 && p[m - 1] == '\r')
				m--;
			if (first) {
				size_t k = 0;
				while (k < m && isspace((unsigned char)p[k]))
					k++;
				comment = k == m || p[k] == '#';
			}
			bool cont = m > 0 && p[m - 1] == '\\';
			if (!comment) {
				for (size_t k = 0; k < (cont ? m - 1 : m); k++)
					if (text_add(&t, p[k], line,
						     (uint32_t)k + 1) < 0) {
						ret = -ENOMEM;
						goto out;
					}
				if (cont && text_add(&t, ' ', line,
						     (uint32_t)m) < 0) {
					ret = -ENOMEM;
					goto out;
				}
			}
			p = e ? e + 1 : p + n;
			line++;
			first = false;
			if (!cont || *p == '\0')
				break;
		}
		if (comment || t.len == 0)
			continue;
		uint32_t k = ids_skip_ws(t.s, 0);
		if (k == t.len)
			continue;
		int rc = ids_parse_rule(pc);
		if (rc == P_OK)
			continue;
		if (rc == P_UNSUP && pc->o != NULL && pc->o->skip_unsupported) {
			if (skipped_add(pc) < 0) {
				ret = -ENOMEM;
				goto out;
			}
			continue;
		}
		ret = -EINVAL;
		goto out;
	}
out:
	free(t.s);
	free(t.line);
	free(t.col);
	pc->t = NULL;
	return ret;
}
