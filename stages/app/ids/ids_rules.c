/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules: the Suricata rule parser (the subset of docs/IDS.md) and the
 * compiler that sorts the rules into Suricata's evaluation order, groups
 * them by protocol class, direction and destination port, and builds one
 * Hyperscan literal database per group on the rules' fast patterns.
 *
 * Everything here runs at load time; allocation is fine. Every error a
 * rule can cause names file:line:col of the offending token.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids_core.h"

extern const char ids_classification_builtin[];

/* parse results */
#define P_OK		0
#define P_BAD		(-1)	/* malformed: always an error */
#define P_UNSUP		(-2)	/* outside the subset: skippable */

#define IDS_MAX_GROUPS	64	/* distinct port groups per class/direction */
#define IDS_MAX_VAR_DEPTH 8

struct ids_class {
	char *name, *desc;
	uint8_t prio;
};

struct ids_vec {
	void *v;
	uint32_t n, cap;
	size_t esz;
};

/* One logical rule (continuation lines joined) with the source position
 * of every byte. */
struct ids_text {
	char *s;
	uint32_t *line, *col;
	uint32_t len, cap;
};

struct ids_pctx {
	const char *file;
	char *err;
	size_t errlen;
	const struct ids_rules_opts *o;
	struct ids_rules *r;
	struct ids_vec rules;	/* struct ids_rule */
	struct ids_class *cls;
	uint32_t ncls;
	struct ids_text *t;	/* the rule being parsed */
	uint32_t order;
	const char *var_name;	/* set while expanding a variable */
};

static uint32_t ids_next_id = 1;	/* only touched at load time */

static const struct ids_var ids_default_vars[] = {
	{ "HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]" },
	{ "EXTERNAL_NET", "!$HOME_NET" },
	{ "HTTP_SERVERS", "$HOME_NET" },
	{ "SMTP_SERVERS", "$HOME_NET" },
	{ "SQL_SERVERS", "$HOME_NET" },
	{ "DNS_SERVERS", "$HOME_NET" },
	{ "TELNET_SERVERS", "$HOME_NET" },
	{ "AIM_SERVERS", "$EXTERNAL_NET" },
	{ "DC_SERVERS", "$HOME_NET" },
	{ "DNP3_SERVER", "$HOME_NET" },
	{ "DNP3_CLIENT", "$HOME_NET" },
	{ "MODBUS_CLIENT", "$HOME_NET" },
	{ "MODBUS_SERVER", "$HOME_NET" },
	{ "ENIP_CLIENT", "$HOME_NET" },
	{ "ENIP_SERVER", "$HOME_NET" },
	{ "HTTP_PORTS", "80" },
	{ "SHELLCODE_PORTS", "!80" },
	{ "ORACLE_PORTS", "1521" },
	{ "SSH_PORTS", "22" },
	{ "DNP3_PORTS", "20000" },
	{ "MODBUS_PORTS", "502" },
	{ "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
	{ "FTP_PORTS", "21" },
	{ "GENEVE_PORTS", "6081" },
	{ "VXLAN_PORTS", "4789" },
	{ "TEREDO_PORTS", "3544" },
};

/* ------------------------------------------------------------------ */
/* small helpers                                                      */

static void *
vec_push(struct ids_vec *v)
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

static char *
pool_str(struct ids_rules *r, const char *s, size_t n)
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
 * rule). Returns rc so callers can `return perr(...)`. */
static int __attribute__((format(printf, 4, 5)))
perr(struct ids_pctx *pc, int rc, uint32_t i, const char *fmt, ...)
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

static uint32_t
skip_ws(const char *s, uint32_t i)
{
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
		i++;
	return i;
}

/* Parses a decimal integer in [lo, hi] from s[*i]; false if none/out of range. */
static bool
parse_int(const char *s, uint32_t *i, long long lo, long long hi,
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
static int
value_int(struct ids_pctx *pc, const char *kw, uint32_t vs, uint32_t ve,
	  long long lo, long long hi, long long *out)
{
	const char *s = pc->t->s;
	uint32_t i = skip_ws(s, vs);

	if (i >= ve || !parse_int(s, &i, lo, hi, out))
		return perr(pc, P_BAD, i, "%s: expected an integer in %lld..%lld",
			    kw, lo, hi);
	i = skip_ws(s, i);
	if (i < ve)
		return perr(pc, P_BAD, i, "%s: unexpected '%c' after the number",
			    kw, s[i]);
	return P_OK;
}

/* ------------------------------------------------------------------ */
/* variables                                                          */

static const struct ids_var *
var_find(struct ids_pctx *pc, const char *name, size_t n)
{
	const struct ids_rules_opts *o = pc->o;

	if (o != NULL)
		for (unsigned int k = 0; k < o->nvars; k++)
			if (strlen(o->vars[k].name) == n &&
			    memcmp(o->vars[k].name, name, n) == 0)
				return &o->vars[k];
	for (size_t k = 0; k < sizeof(ids_default_vars) /
		     sizeof(ids_default_vars[0]); k++)
		if (strlen(ids_default_vars[k].name) == n &&
		    memcmp(ids_default_vars[k].name, name, n) == 0)
			return &ids_default_vars[k];
	return NULL;
}


/* ------------------------------------------------------------------ */
/* address and port sets                                              */
/*
 * Sets are exact: sorted, disjoint inclusive intervals (IPv4 and IPv6
 * apart). Suricata's semantics: a list is the union of its plain
 * elements (everything when it has none) minus the union of its negated
 * ones; a negated element outside a list is its complement. Nested
 * lists and variables compose, so !$HOME_NET is right whatever
 * HOME_NET holds.
 */

static const ids_u128 IDS_V4_MAX = 0xffffffffu;
static const ids_u128 IDS_V6_MAX = ~(ids_u128)0;
static const ids_u128 IDS_PORT_MAX = 65535;

static int
iv_cmp(const void *a, const void *b)
{
	const struct ids_iv *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int
ivset_add(struct ids_ivset *s, ids_u128 lo, ids_u128 hi)
{
	struct ids_iv *n = realloc(s->v, (s->n + 1) * sizeof(*n));

	if (n == NULL)
		return -ENOMEM;
	s->v = n;
	s->v[s->n++] = (struct ids_iv){ lo, hi };
	return 0;
}

/* Sorts and merges overlapping or adjacent intervals. */
static void
ivset_norm(struct ids_ivset *s)
{
	uint32_t o = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), iv_cmp);
	for (uint32_t k = 1; k < s->n; k++) {
		struct ids_iv *l = &s->v[o];
		if (l->hi == IDS_V6_MAX || s->v[k].lo <= l->hi + 1) {
			if (s->v[k].hi > l->hi)
				l->hi = s->v[k].hi;
		} else {
			s->v[++o] = s->v[k];
		}
	}
	s->n = o + 1;
}

static int
ivset_union(struct ids_ivset *d, const struct ids_ivset *s)
{
	for (uint32_t k = 0; k < s->n; k++)
		if (ivset_add(d, s->v[k].lo, s->v[k].hi) < 0)
			return -ENOMEM;
	ivset_norm(d);
	return 0;
}

/* d = d minus s (both normalised). */
static int
ivset_diff(struct ids_ivset *d, const struct ids_ivset *s)
{
	struct ids_ivset out = { 0 };

	for (uint32_t k = 0; k < d->n; k++) {
		ids_u128 lo = d->v[k].lo, hi = d->v[k].hi;
		bool gone = false;
		for (uint32_t j = 0; j < s->n && !gone; j++) {
			const struct ids_iv *c = &s->v[j];
			if (c->hi < lo || c->lo > hi)
				continue;
			if (c->lo > lo && ivset_add(&out, lo, c->lo - 1) < 0)
				goto nomem;
			if (c->hi >= hi)
				gone = true;
			else
				lo = c->hi + 1;
		}
		if (!gone && ivset_add(&out, lo, hi) < 0)
			goto nomem;
	}
	free(d->v);
	*d = out;
	return 0;
nomem:
	free(out.v);
	return -ENOMEM;
}

static void
ivset_free(struct ids_ivset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static bool
ivset_full(const struct ids_ivset *s, ids_u128 max)
{
	return s->n == 1 && s->v[0].lo == 0 && s->v[0].hi == max;
}

struct ids_aval {
	struct ids_ivset v4, v6;
};

static void
aval_free(struct ids_aval *a)
{
	ivset_free(&a->v4);
	ivset_free(&a->v6);
}

static int
aval_all(struct ids_aval *a)
{
	if (ivset_add(&a->v4, 0, IDS_V4_MAX) < 0 ||
	    ivset_add(&a->v6, 0, IDS_V6_MAX) < 0)
		return -ENOMEM;
	return 0;
}

/* Parsing works on a (string, position) pair: at is the byte of the rule
 * text errors are reported at (inside a variable's value: the $NAME). */
struct ids_span {
	const char *s;
	uint32_t n;
	uint32_t at;		/* rule text index of s[0] */
	bool in_var;		/* s is a variable's value: report at 'at' */
};

static uint32_t
span_pos(const struct ids_span *sp, uint32_t k)
{
	return sp->in_var ? sp->at : sp->at + k;
}

static struct ids_span
span_sub(const struct ids_span *sp, uint32_t a, uint32_t b)
{
	struct ids_span el = *sp;

	while (a < b && isspace((unsigned char)sp->s[a]))
		a++;
	while (b > a && isspace((unsigned char)sp->s[b - 1]))
		b--;
	el.s = sp->s + a;
	el.n = b - a;
	if (!sp->in_var)
		el.at = sp->at + a;
	return el;
}

/* The kind of set: the same list/negation/variable grammar for both. */
struct ids_setkind {
	const char *what;	/* "address" or "port" */
	void *(*make)(void);
	int (*all)(void *v);
	int (*unite)(void *d, const void *s);
	int (*minus)(void *d, const void *s);
	void (*drop)(void *v);
	int (*leaf)(struct ids_pctx *pc, struct ids_span el, void *v);
};

static int set_parse(struct ids_pctx *pc, const struct ids_setkind *k,
		     struct ids_span el, int depth, void *out);

static int
set_list(struct ids_pctx *pc, const struct ids_setkind *kd, struct ids_span sp,
	 int depth, void *out)
{
	void *pos = kd->make(), *neg = kd->make(), *t = NULL;
	uint32_t start = 0, lvl = 0;
	bool has_pos = false;
	int rc = P_OK;

	if (pos == NULL || neg == NULL) {
		rc = perr(pc, P_BAD, span_pos(&sp, 0), "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k <= sp.n; k++) {
		char ch = k < sp.n ? sp.s[k] : ',';
		if (ch == '[') {
			lvl++;
		} else if (ch == ']') {
			if (lvl == 0) {
				rc = perr(pc, P_BAD, span_pos(&sp, k), "unbalanced ']'");
				goto out;
			}
			lvl--;
		} else if (ch == ',' && lvl == 0) {
			struct ids_span el = span_sub(&sp, start, k);
			start = k + 1;
			if (el.n == 0) {
				rc = perr(pc, P_BAD, span_pos(&sp, k),
					  "empty %s list element", kd->what);
				goto out;
			}
			bool n = el.s[0] == '!';
			if (n)
				el = span_sub(&el, 1, el.n);
			if (n && el.n == 0) {
				rc = perr(pc, P_BAD, span_pos(&sp, k),
					  "'!' without a %s", kd->what);
				goto out;
			}
			t = kd->make();
			if (t == NULL) {
				rc = perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
				goto out;
			}
			rc = set_parse(pc, kd, el, depth, t);
			if (rc != P_OK)
				goto out;
			if (kd->unite(n ? neg : pos, t) < 0) {
				rc = perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
				goto out;
			}
			has_pos |= !n;
			kd->drop(t);
			t = NULL;
		}
	}
	if (lvl != 0) {
		rc = perr(pc, P_BAD, span_pos(&sp, 0), "unbalanced '['");
		goto out;
	}
	if (!has_pos && kd->all(pos) < 0) {
		rc = perr(pc, P_BAD, span_pos(&sp, 0), "out of memory");
		goto out;
	}
	if (kd->minus(pos, neg) < 0 || kd->unite(out, pos) < 0)
		rc = perr(pc, P_BAD, span_pos(&sp, 0), "out of memory");
out:
	if (t)
		kd->drop(t);
	if (pos)
		kd->drop(pos);
	if (neg)
		kd->drop(neg);
	return rc;
}

/* Parses one element (any, !x, [list], $VAR or a leaf) into out (empty). */
static int
set_parse(struct ids_pctx *pc, const struct ids_setkind *kd, struct ids_span el,
	  int depth, void *out)
{
	if (el.n == 0)
		return perr(pc, P_BAD, span_pos(&el, 0), "empty %s", kd->what);
	if (el.s[0] == '!') {
		struct ids_span in = span_sub(&el, 1, el.n);
		if (in.n == 3 && strncasecmp(in.s, "any", 3) == 0)
			return perr(pc, P_BAD, span_pos(&el, 0),
				    "'!any' matches nothing");
		void *t = kd->make();
		if (t == NULL)
			return perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
		int rc = set_parse(pc, kd, in, depth, t);
		if (rc == P_OK && (kd->all(out) < 0 || kd->minus(out, t) < 0))
			rc = perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
		kd->drop(t);
		return rc;
	}
	if (el.s[0] == '[') {
		if (el.n < 2 || el.s[el.n - 1] != ']')
			return perr(pc, P_BAD, span_pos(&el, 0),
				    "%s list: expected ']' at the end", kd->what);
		return set_list(pc, kd, span_sub(&el, 1, el.n - 1), depth, out);
	}
	if (el.s[0] == '$') {
		if (depth >= IDS_MAX_VAR_DEPTH)
			return perr(pc, P_BAD, span_pos(&el, 0),
				    "variables nest too deep (a loop?)");
		const struct ids_var *v = var_find(pc, el.s + 1, el.n - 1);
		if (v == NULL)
			return perr(pc, P_BAD, span_pos(&el, 0),
				    "unknown %s variable '%.*s'", kd->what,
				    (int)el.n, el.s);
		struct ids_span vs = { v->value, (uint32_t)strlen(v->value),
			span_pos(&el, 0), true };
		const char *save = pc->var_name;
		if (!el.in_var)	/* name the outermost variable */
			pc->var_name = v->name;
		int rc = set_parse(pc, kd, vs, depth + 1, out);
		pc->var_name = save;
		return rc;
	}
	if (el.n == 3 && strncasecmp(el.s, "any", 3) == 0)
		return kd->all(out) < 0 ?
			perr(pc, P_BAD, span_pos(&el, 0), "out of memory") : P_OK;
	return kd->leaf(pc, el, out);
}

static void
v6_bounds(const uint8_t a[16], unsigned int plen, ids_u128 *lo, ids_u128 *hi)
{
	ids_u128 v = 0;

	for (int k = 0; k < 16; k++)
		v = v << 8 | a[k];
	ids_u128 m = plen == 0 ? 0 : IDS_V6_MAX << (128 - plen);
	*lo = v & m;
	*hi = v | ~m;
}

static int
addr_leaf(struct ids_pctx *pc, struct ids_span el, void *vv)
{
	struct ids_aval *out = vv;
	char buf[128];

	if (el.n >= sizeof(buf))
		return perr(pc, P_BAD, span_pos(&el, 0), "address too long");
	memcpy(buf, el.s, el.n);
	buf[el.n] = '\0';

	char *slash = strchr(buf, '/');
	char *dash = strchr(buf, '-');
	uint8_t a6[16], b6[16];
	struct in_addr a4, b4;
	ids_u128 lo, hi, l2, h2;
	struct ids_ivset *dst;

	if (slash != NULL)
		*slash = '\0';
	if (dash != NULL && slash == NULL) {
		*dash = '\0';
		if (inet_pton(AF_INET, buf, &a4) == 1 &&
		    inet_pton(AF_INET, dash + 1, &b4) == 1) {
			lo = ntohl(a4.s_addr);
			hi = ntohl(b4.s_addr);
			dst = &out->v4;
		} else if (inet_pton(AF_INET6, buf, a6) == 1 &&
			   inet_pton(AF_INET6, dash + 1, b6) == 1) {
			v6_bounds(a6, 128, &lo, &h2);
			v6_bounds(b6, 128, &l2, &hi);
			dst = &out->v6;
		} else {
			return perr(pc, P_BAD, span_pos(&el, 0),
				    "bad address range '%.*s'", (int)el.n, el.s);
		}
		if (lo > hi)
			return perr(pc, P_BAD, span_pos(&el, 0),
				    "address range '%.*s' ends before it starts",
				    (int)el.n, el.s);
	} else if (inet_pton(AF_INET, buf, &a4) == 1) {
		long long plen = 32;
		if (slash != NULL) {
			uint32_t k = 0;
			struct in_addr m;
			if (inet_pton(AF_INET, slash + 1, &m) == 1) {
				uint32_t mm = ntohl(m.s_addr);
				plen = __builtin_popcount(mm);
				if (plen < 32 && mm != (plen ? ~0u << (32 - plen) : 0))
					return perr(pc, P_BAD, span_pos(&el, 0),
						    "netmask '%s' is not contiguous",
						    slash + 1);
			} else if (!parse_int(slash + 1, &k, 0, 32, &plen) ||
				   slash[1 + k] != '\0') {
				return perr(pc, P_BAD, span_pos(&el, 0),
					    "bad IPv4 prefix length in '%.*s' (0..32)",
					    (int)el.n, el.s);
			}
		}
		uint32_t v = ntohl(a4.s_addr);
		uint32_t m = plen == 0 ? 0 : ~0u << (32 - plen);
		lo = v & m;
		hi = v | ~m;
		dst = &out->v4;
	} else if (inet_pton(AF_INET6, buf, a6) == 1) {
		long long plen = 128;
		if (slash != NULL) {
			uint32_t k = 0;
			if (!parse_int(slash + 1, &k, 0, 128, &plen) ||
			    slash[1 + k] != '\0')
				return perr(pc, P_BAD, span_pos(&el, 0),
					    "bad IPv6 prefix length in '%.*s' (0..128)",
					    (int)el.n, el.s);
		}
		v6_bounds(a6, (unsigned int)plen, &lo, &hi);
		dst = &out->v6;
	} else {
		return perr(pc, P_BAD, span_pos(&el, 0),
			    "bad address '%.*s' (expected any, an IP, CIDR, range, [list] or $VAR)",
			    (int)el.n, el.s);
	}
	if (ivset_add(dst, lo, hi) < 0)
		return perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
	ivset_norm(dst);
	return P_OK;
}

static void *
aval_make(void)
{
	return calloc(1, sizeof(struct ids_aval));
}

static int
aval_all_v(void *v)
{
	struct ids_aval *a = v;
	aval_free(a);
	return aval_all(a);
}

static int
aval_unite(void *d, const void *s)
{
	struct ids_aval *x = d;
	const struct ids_aval *y = s;
	return ivset_union(&x->v4, &y->v4) < 0 || ivset_union(&x->v6, &y->v6) < 0 ?
		-ENOMEM : 0;
}

static int
aval_minus(void *d, const void *s)
{
	struct ids_aval *x = d;
	const struct ids_aval *y = s;
	return ivset_diff(&x->v4, &y->v4) < 0 || ivset_diff(&x->v6, &y->v6) < 0 ?
		-ENOMEM : 0;
}

static void
aval_drop(void *v)
{
	aval_free(v);
	free(v);
}

static const struct ids_setkind ids_addr_kind = {
	"address", aval_make, aval_all_v, aval_unite, aval_minus, aval_drop,
	addr_leaf
};

static int
port_leaf(struct ids_pctx *pc, struct ids_span el, void *vv)
{
	struct ids_ivset *out = vv;
	char buf[32];

	if (el.n >= sizeof(buf))
		return perr(pc, P_BAD, span_pos(&el, 0), "port too long");
	memcpy(buf, el.s, el.n);
	buf[el.n] = '\0';
	long long lo = 0, hi = 65535;
	uint32_t k = 0;
	char *colon = strchr(buf, ':');
	if (colon == NULL) {
		if (!parse_int(buf, &k, 0, 65535, &lo) || buf[k] != '\0')
			goto bad;
		hi = lo;
	} else {
		if (colon == buf && colon[1] == '\0')
			goto bad;
		if (colon != buf &&
		    (!parse_int(buf, &k, 0, 65535, &lo) || buf + k != colon))
			goto bad;
		if (colon[1] != '\0') {
			k = 0;
			if (!parse_int(colon + 1, &k, 0, 65535, &hi) ||
			    colon[1 + k] != '\0')
				goto bad;
		}
		if (lo > hi)
			return perr(pc, P_BAD, span_pos(&el, 0),
				    "port range '%s' ends before it starts", buf);
	}
	if (ivset_add(out, (ids_u128)lo, (ids_u128)hi) < 0)
		return perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
	ivset_norm(out);
	return P_OK;
bad:
	return perr(pc, P_BAD, span_pos(&el, 0),
		    "bad port '%s' (expected any, N, N:M, N:, :M, [list], !port or $VAR, 0..65535)",
		    buf);
}

static void *
pval_make(void)
{
	return calloc(1, sizeof(struct ids_ivset));
}

static int
pval_all(void *v)
{
	ivset_free(v);
	return ivset_add(v, 0, IDS_PORT_MAX);
}

static int
pval_unite(void *d, const void *s)
{
	return ivset_union(d, s);
}

static int
pval_minus(void *d, const void *s)
{
	return ivset_diff(d, s);
}

static void
pval_drop(void *v)
{
	ivset_free(v);
	free(v);
}

static const struct ids_setkind ids_port_kind = {
	"port", pval_make, pval_all, pval_unite, pval_minus, pval_drop,
	port_leaf
};

/* Parses a header address into as (an empty set). */
static int
addr_parse(struct ids_pctx *pc, struct ids_span sp, struct ids_addr_set *as)
{
	struct ids_aval v = { 0 };
	int rc = set_parse(pc, &ids_addr_kind, sp, 0, &v);

	if (rc != P_OK) {
		aval_free(&v);
		return rc;
	}
	if (v.v4.n == 0 && v.v6.n == 0) {
		aval_free(&v);
		return perr(pc, P_BAD, sp.at, "address '%.*s' matches nothing",
			    (int)sp.n, sp.s);
	}
	as->v4 = v.v4;
	as->v6 = v.v6;
	as->any = ivset_full(&v.v4, IDS_V4_MAX) && ivset_full(&v.v6, IDS_V6_MAX);
	return P_OK;
}

static int
port_parse(struct ids_pctx *pc, struct ids_span sp, struct ids_port_set *ps)
{
	struct ids_ivset v = { 0 };
	int rc = set_parse(pc, &ids_port_kind, sp, 0, &v);

	if (rc != P_OK) {
		ivset_free(&v);
		return rc;
	}
	if (v.n == 0) {
		ivset_free(&v);
		return perr(pc, P_BAD, sp.at, "port '%.*s' matches nothing",
			    (int)sp.n, sp.s);
	}
	ps->p = v;
	ps->any = ivset_full(&v, IDS_PORT_MAX);
	return P_OK;
}

bool
ids_port_match(const struct ids_port_set *ps, uint16_t port)
{
	if (ps->any)
		return true;
	for (uint32_t k = 0; k < ps->p.n; k++) {
		if (port < ps->p.v[k].lo)
			return false;
		if (port <= ps->p.v[k].hi)
			return true;
	}
	return false;
}
/* ------------------------------------------------------------------ */
/* header                                                             */

/* The next blank-separated token of the header; brackets may hold blanks. */
static bool
next_token(const char *s, uint32_t *i, uint32_t *ts, uint32_t *te)
{
	uint32_t j = skip_ws(s, *i), lvl = 0;

	*ts = j;
	while (s[j] != '\0') {
		if (s[j] == '[')
			lvl++;
		else if (s[j] == ']' && lvl > 0)
			lvl--;
		else if (lvl == 0 && (s[j] == ' ' || s[j] == '\t' ||
				      s[j] == '(' || s[j] == '\r' ||
				      s[j] == '\n'))
			break;
		j++;
	}
	*te = j;
	*i = j;
	return *te > *ts;
}

static const char *const ids_app_protos[] = {
	"http", "http1", "http2", "ftp", "ftp-data", "tls", "ssl", "smb",
	"dcerpc", "dns", "smtp", "imap", "pop3", "ssh", "nfs", "ntp", "dhcp",
	"krb5", "snmp", "sip", "rfb", "mqtt", "rdp", "ike", "ikev2", "modbus",
	"dnp3", "enip", "tftp", "quic", "ldap", "websocket", "telnet", "pgsql",
	"bittorrent-dht", "doh2", "sctp", "pkthdr", "ipv4", "ipv6", "ip4", "ip6",
	"frame", NULL
};

static int
parse_header(struct ids_pctx *pc, struct ids_rule *ru, uint32_t *pi)
{
	const char *s = pc->t->s;
	uint32_t i = *pi, ts, te;
	int rc;

	/* action */
	if (!next_token(s, &i, &ts, &te))
		return perr(pc, P_BAD, ts, "expected an action");
	size_t n = te - ts;
	if (n == 5 && strncasecmp(s + ts, "alert", 5) == 0)
		ru->info.action = IDS_ACT_ALERT;
	else if (n == 4 && strncasecmp(s + ts, "pass", 4) == 0)
		ru->info.action = IDS_ACT_PASS;
	else if (n == 4 && strncasecmp(s + ts, "drop", 4) == 0)
		ru->info.action = IDS_ACT_DROP;
	else if (n == 6 && strncasecmp(s + ts, "reject", 6) == 0)
		ru->info.action = IDS_ACT_REJECT;
	else if ((n == 9 && strncasecmp(s + ts, "rejectsrc", 9) == 0) ||
		 (n == 9 && strncasecmp(s + ts, "rejectdst", 9) == 0) ||
		 (n == 10 && strncasecmp(s + ts, "rejectboth", 10) == 0) ||
		 (n == 6 && strncasecmp(s + ts, "config", 6) == 0))
		return perr(pc, P_UNSUP, ts, "unsupported action '%.*s'",
			    (int)n, s + ts);
	else
		return perr(pc, P_BAD, ts,
			    "unknown action '%.*s' (expected alert, pass, drop or reject)",
			    (int)n, s + ts);

	/* protocol */
	if (!next_token(s, &i, &ts, &te))
		return perr(pc, P_BAD, ts, "expected a protocol");
	n = te - ts;
	if (n == 2 && strncasecmp(s + ts, "ip", 2) == 0)
		ru->proto = 0;
	else if (n == 3 && strncasecmp(s + ts, "tcp", 3) == 0)
		ru->proto = IPPROTO_TCP;
	else if (n == 3 && strncasecmp(s + ts, "udp", 3) == 0)
		ru->proto = IPPROTO_UDP;
	else if (n == 4 && strncasecmp(s + ts, "icmp", 4) == 0)
		ru->proto = IPPROTO_ICMP;	/* ICMP and ICMPv6, as Suricata */
	else if (n == 6 && strncasecmp(s + ts, "icmpv4", 6) == 0)
		ru->proto = IDS_PROTO_ICMP4;
	else if (n == 6 && strncasecmp(s + ts, "icmpv6", 6) == 0)
		ru->proto = IPPROTO_ICMPV6;
	else {
		for (int k = 0; ids_app_protos[k] != NULL; k++)
			if (strlen(ids_app_protos[k]) == n &&
			    strncasecmp(s + ts, ids_app_protos[k], n) == 0)
				return perr(pc, P_UNSUP, ts,
					    "unsupported protocol '%.*s' (app-layer and other protocols are outside the subset)",
					    (int)n, s + ts);
		if (n > 4 && (strncasecmp(s + ts, "tcp-", 4) == 0 ||
			      strncasecmp(s + ts, "udp-", 4) == 0))
			return perr(pc, P_UNSUP, ts,
				    "unsupported protocol '%.*s'", (int)n,
				    s + ts);
		return perr(pc, P_BAD, ts,
			    "unknown protocol '%.*s' (expected ip, tcp, udp, icmp, icmpv4 or icmpv6)",
			    (int)n, s + ts);
	}

	/* src addr, src port, direction, dst addr, dst port */
	struct ids_span sp;
	for (int part = 0; part < 5; part++) {
		static const char *const what[] = { "a source address",
			"a source port", "a direction (-> or <>)",
			"a destination address", "a destination port" };
		if (!next_token(s, &i, &ts, &te))
			return perr(pc, P_BAD, ts, "expected %s", what[part]);
		sp = (struct ids_span){ s + ts, te - ts, ts, false };
		switch (part) {
		case 0:
			rc = addr_parse(pc, sp, &ru->src);
			break;
		case 1:
			rc = port_parse(pc, sp, &ru->sport);
			break;
		case 2:
			if (sp.n == 2 && memcmp(sp.s, "->", 2) == 0)
				ru->bidir = 0;
			else if (sp.n == 2 && memcmp(sp.s, "<>", 2) == 0)
				ru->bidir = 1;
			else if (sp.n == 2 && memcmp(sp.s, "=>", 2) == 0)
				return perr(pc, P_UNSUP, ts,
					    "unsupported direction '=>' (transactional rules)");
			else
				return perr(pc, P_BAD, ts,
					    "bad direction '%.*s' (expected -> or <>)",
					    (int)sp.n, sp.s);
			rc = P_OK;
			break;
		case 3:
			rc = addr_parse(pc, sp, &ru->dst);
			break;
		default:
			rc = port_parse(pc, sp, &ru->dport);
			break;
		}
		if (rc != P_OK)
			return rc;
	}
	if ((ru->proto != IPPROTO_TCP && ru->proto != IPPROTO_UDP) &&
	    (!ru->sport.any || !ru->dport.any)) {
		/* the first port that is not any */
		return perr(pc, P_BAD, *pi,
			    "ports need tcp or udp (this rule's protocol has none); use any");
	}
	*pi = i;
	return P_OK;
}

/* ------------------------------------------------------------------ */
/* options                                                            */

struct ids_opt {
	uint32_t ks, ke;	/* keyword */
	uint32_t vs, ve;	/* value (vs == ve: none) */
	bool has_val;
};

struct ids_rule_build {
	struct ids_rule *ru;
	int32_t last_content;	/* step index, -1: none */
	int32_t last_step;	/* content or pcre, for relative keywords */
	bool have_sid, have_prio;
	uint32_t sid_at;
	struct ids_vec steps;	/* struct ids_step */
	struct ids_vec fb;	/* struct ids_flowbit */
	const char *classtype;
};

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

/* Value of a quoted option: start/end of the text inside the quotes, and
 * whether a '!' came first. */
static int
quoted(struct ids_pctx *pc, const char *kw, struct ids_opt *op, bool allow_neg,
       bool *neg, uint32_t *qs, uint32_t *qe)
{
	const char *s = pc->t->s;
	uint32_t i = skip_ws(s, op->vs);

	*neg = false;
	if (allow_neg && i < op->ve && s[i] == '!') {
		*neg = true;
		i = skip_ws(s, i + 1);
	}
	if (i >= op->ve || s[i] != '"')
		return perr(pc, P_BAD, i, "%s: expected a quoted string", kw);
	uint32_t j = i + 1;
	while (j < op->ve && s[j] != '"') {
		if (s[j] == '\\' && j + 1 < op->ve)
			j++;
		j++;
	}
	if (j >= op->ve)
		return perr(pc, P_BAD, i, "%s: missing closing '\"'", kw);
	uint32_t k = skip_ws(s, j + 1);
	if (k < op->ve)
		return perr(pc, P_BAD, k, "%s: unexpected '%c' after the string",
			    kw, s[k]);
	*qs = i + 1;
	*qe = j;
	return P_OK;
}

static int
opt_msg(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	bool neg;
	uint32_t qs, qe;
	int rc = quoted(pc, "msg", op, false, &neg, &qs, &qe);

	if (rc != P_OK)
		return rc;
	char *tmp = malloc(qe - qs + 1);
	size_t n = 0;
	if (tmp == NULL)
		return perr(pc, P_BAD, qs, "out of memory");
	for (uint32_t k = qs; k < qe; k++) {
		if (s[k] == '\\' && k + 1 < qe)
			k++;
		tmp[n++] = s[k];
	}
	b->ru->info.msg = pool_str(pc->r, tmp, n);
	free(tmp);
	return b->ru->info.msg ? P_OK : perr(pc, P_BAD, qs, "out of memory");
}

static int
opt_content(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	bool neg, hex = false;
	uint32_t qs, qe;
	int rc = quoted(pc, "content", op, true, &neg, &qs, &qe);

	if (rc != P_OK)
		return rc;
	uint8_t *pat = malloc(qe - qs + 1);
	uint32_t n = 0;
	if (pat == NULL)
		return perr(pc, P_BAD, qs, "out of memory");
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
				return perr(pc, P_BAD, k,
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
				return perr(pc, P_BAD, k,
					    "content: bad escape '\\%c' (only \\\" \\; \\: \\\\)",
					    e ? e : ' ');
			}
			pat[n++] = (uint8_t)e;
			k++;
			continue;
		}
		if (c == ';' || c == '"') {
			free(pat);
			return perr(pc, P_BAD, k,
				    "content: '%c' must be escaped or written as hex", c);
		}
		pat[n++] = (uint8_t)c;
	}
	if (hex) {
		free(pat);
		return perr(pc, P_BAD, hex_at, "content: unclosed '|'");
	}
	if (n == 0) {
		free(pat);
		return perr(pc, P_BAD, qs, "content: empty pattern");
	}
	if (n > 65535) {
		free(pat);
		return perr(pc, P_BAD, qs, "content: pattern longer than 65535");
	}
	struct ids_step *st = vec_push(&b->steps);
	if (st == NULL) {
		free(pat);
		return perr(pc, P_BAD, qs, "out of memory");
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
		return perr(pc, P_BAD, op->ks, "'%s' needs a preceding content",
			    kw);
	if (c->flags & flag)
		return perr(pc, P_BAD, op->ks, "'%s' given twice for one content",
			    kw);
	/* like Suricata, a modifier applies to the last content even when a
	 * pcre or isdataat came in between */
	c->flags |= flag;
	*out = c;
	return P_OK;
}

static int
opt_modifier(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op,
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
		return perr(pc, P_BAD, op->ks, "'%s' needs a value", kw);
	if (!takes_val && flag != IDS_C_FAST && op->has_val)
		return perr(pc, P_BAD, op->vs, "'%s' takes no value", kw);
	rc = modifier_target(pc, b, op, kw, flag, &c);
	if (rc != P_OK)
		return rc;

	bool rel = c->flags & (IDS_C_DISTANCE | IDS_C_WITHIN);
	bool abs = c->flags & (IDS_C_DEPTH | IDS_C_OFFSET);
	if (rel && abs)
		return perr(pc, P_BAD, op->ks,
			    "'%s': a content cannot mix relative (distance, within) and absolute (depth, offset) modifiers",
			    kw);
	if ((c->flags & IDS_C_STARTS) && (rel || abs))
		return perr(pc, P_BAD, op->ks,
			    "'%s': startswith cannot be combined with depth, offset, distance or within",
			    kw);

	switch (flag) {
	case IDS_C_DEPTH:
		rc = value_int(pc, kw, op->vs, op->ve, 1, 65535, &v);
		if (rc != P_OK)
			return rc;
		if (v < c->len)
			return perr(pc, P_BAD, op->vs,
				    "depth %lld is smaller than the content (%u bytes)",
				    v, c->len);
		c->depth = (int32_t)v;
		break;
	case IDS_C_OFFSET:
		rc = value_int(pc, kw, op->vs, op->ve, 0, 65535, &v);
		if (rc != P_OK)
			return rc;
		c->offset = (int32_t)v;
		break;
	case IDS_C_DISTANCE:
		rc = value_int(pc, kw, op->vs, op->ve, -65535, 65535, &v);
		if (rc != P_OK)
			return rc;
		c->distance = (int32_t)v;
		break;
	case IDS_C_WITHIN:
		rc = value_int(pc, kw, op->vs, op->ve, 1, 65535, &v);
		if (rc != P_OK)
			return rc;
		if (v < c->len)
			return perr(pc, P_BAD, op->vs,
				    "within %lld is smaller than the content (%u bytes)",
				    v, c->len);
		c->within = (int32_t)v;
		break;
	case IDS_C_FAST: {
		if (c->flags & IDS_C_NEGATED)
			return perr(pc, P_BAD, op->ks,
				    "fast_pattern cannot be used on a negated content");
		for (uint32_t k = 0; k < b->steps.n; k++) {
			struct ids_step *o = &((struct ids_step *)b->steps.v)[k];
			if (o != c && (o->flags & IDS_C_FAST))
				return perr(pc, P_BAD, op->ks,
					    "fast_pattern given for two contents");
		}
		c->fp_off = 0;
		c->fp_len = c->len;
		if (op->has_val) {
			const char *s = pc->t->s;
			uint32_t i = skip_ws(s, op->vs);
			long long a, l;
			if (op->ve - i >= 4 && strncmp(s + i, "only", 4) == 0 &&
			    skip_ws(s, i + 4) >= op->ve)
				break;	/* deprecated; same as plain */
			if (!parse_int(s, &i, 0, 65535, &a) || s[i] != ',')
				return perr(pc, P_BAD, i,
					    "fast_pattern: expected 'only' or OFFSET,LENGTH");
			i = skip_ws(s, i + 1);
			if (!parse_int(s, &i, 1, 65535, &l) ||
			    skip_ws(s, i) < op->ve)
				return perr(pc, P_BAD, i,
					    "fast_pattern: expected OFFSET,LENGTH");
			if (a + l > c->len)
				return perr(pc, P_BAD, op->vs,
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

static int
opt_isdataat(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	uint32_t i = skip_ws(s, op->vs);
	long long v;
	struct ids_step st = { .type = IDS_STEP_ISDATAAT };

	if (!op->has_val)
		return perr(pc, P_BAD, op->ks, "isdataat needs a value");
	if (s[i] == '!') {
		st.flags |= IDS_C_NEGATED;
		i++;
	}
	if (!parse_int(s, &i, 0, 65535, &v))
		return perr(pc, P_BAD, i, "isdataat: expected a number 0..65535");
	st.offset = (int32_t)v;
	i = skip_ws(s, i);
	while (i < op->ve && s[i] == ',') {
		i = skip_ws(s, i + 1);
		uint32_t e = i;
		while (e < op->ve && isalpha((unsigned char)s[e]))
			e++;
		if (e - i == 8 && strncmp(s + i, "relative", 8) == 0)
			st.flags |= IDS_C_RELATIVE;
		else if (!(e - i == 8 && strncmp(s + i, "rawbytes", 8) == 0))
			return perr(pc, P_BAD, i,
				    "isdataat: unknown option '%.*s' (expected relative)",
				    (int)(e - i), s + i);
		i = skip_ws(s, e);
	}
	if (i < op->ve)
		return perr(pc, P_BAD, i, "isdataat: unexpected '%c'", s[i]);
	if ((st.flags & IDS_C_RELATIVE) && b->last_step < 0)
		return perr(pc, P_BAD, op->ks,
			    "isdataat relative needs a preceding content or pcre");
	struct ids_step *p = vec_push(&b->steps);
	if (p == NULL)
		return perr(pc, P_BAD, op->ks, "out of memory");
	*p = st;
	return P_OK;
}

static int
opt_pcre(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	bool neg;
	uint32_t qs, qe;
	int rc = quoted(pc, "pcre", op, true, &neg, &qs, &qe);

	if (rc != P_OK)
		return rc;
	if (qs >= qe || s[qs] != '/')
		return perr(pc, P_BAD, qs, "pcre: expected \"/regex/flags\"");
	uint32_t end = qe;
	while (end > qs && s[end - 1] != '/')
		end--;
	if (end - 1 == qs)
		return perr(pc, P_BAD, qs, "pcre: missing closing '/'");
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
			return perr(pc, P_UNSUP, k,
				    "unsupported keyword 'pcre' modifier '%c' (an HTTP/app-layer buffer)",
				    s[k]);
		default:
			return perr(pc, P_BAD, k, "pcre: unknown modifier '%c'",
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
		return perr(pc, P_BAD, qs + 1 + (uint32_t)eo, "pcre: %s", m);
	}
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* interpreter if no JIT */
	uint32_t cap = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &cap);
	if (cap + 1 > pc->r->max_ovec)
		pc->r->max_ovec = cap + 1;
	struct ids_step *st = vec_push(&b->steps);
	if (st == NULL) {
		pcre2_code_free(re);
		return perr(pc, P_BAD, qs, "out of memory");
	}
	st->type = IDS_STEP_PCRE;
	st->flags = fl;
	st->re = re;
	b->last_step = (int32_t)(b->steps.n - 1);
	return P_OK;
}

static int
opt_flow(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	uint32_t i = op->vs;

	if (!op->has_val)
		return perr(pc, P_BAD, op->ks, "flow needs a value");
	while (i < op->ve) {
		i = skip_ws(s, i);
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
			return perr(pc, P_UNSUP, i,
				    "unsupported keyword 'flow:%.*s'", (int)n,
				    s + i);
		else
			return perr(pc, P_BAD, i,
				    "flow: unknown option '%.*s' (expected to_server, to_client, from_server, from_client, established, not_established, stateless, only_stream, no_stream)",
				    (int)n, s + i);
#undef IS
		if (b->ru->flow & f)
			return perr(pc, P_BAD, i, "flow: '%.*s' given twice",
				    (int)n, s + i);
		b->ru->flow |= f;
		uint16_t fl = b->ru->flow;
		if ((fl & IDS_FL_TO_SERVER) && (fl & IDS_FL_TO_CLIENT))
			return perr(pc, P_BAD, i,
				    "flow: to_server and to_client exclude each other");
		if ((fl & IDS_FL_ESTABLISHED) && (fl & (IDS_FL_NOT_EST |
							  IDS_FL_STATELESS)))
			return perr(pc, P_BAD, i,
				    "flow: established excludes not_established and stateless");
		if ((fl & IDS_FL_NOT_EST) && (fl & IDS_FL_STATELESS))
			return perr(pc, P_BAD, i,
				    "flow: not_established excludes stateless");
		if ((fl & IDS_FL_ONLY_STREAM) && (fl & IDS_FL_NO_STREAM))
			return perr(pc, P_BAD, i,
				    "flow: only_stream and no_stream exclude each other");
		i = skip_ws(s, e);
		if (i < op->ve) {
			if (s[i] != ',')
				return perr(pc, P_BAD, i, "flow: expected ','");
			i++;
			if (skip_ws(s, i) >= op->ve)
				return perr(pc, P_BAD, i, "flow: option missing after ','");
		}
	}
	return P_OK;
}

static int
flowbit_num(struct ids_pctx *pc, const char *name, size_t n, uint32_t *out)
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

static int
opt_flowbits(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	uint32_t i = skip_ws(s, op->vs), e;

	if (!op->has_val)
		return perr(pc, P_BAD, op->ks, "flowbits needs a value");
	e = i;
	while (e < op->ve && isalpha((unsigned char)s[e]))
		e++;
	size_t n = e - i;
	struct ids_flowbit fb = { 0 };
#define IS(x) (n == sizeof(x) - 1 && strncmp(s + i, x, n) == 0)
	if (IS("noalert")) {
		if (skip_ws(s, e) < op->ve)
			return perr(pc, P_BAD, e, "flowbits:noalert takes no name");
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
		return perr(pc, P_BAD, i,
			    "flowbits: unknown command '%.*s' (expected set, unset, toggle, isset, isnotset, noalert)",
			    (int)n, s + i);
#undef IS
	i = skip_ws(s, e);
	if (i >= op->ve || s[i] != ',')
		return perr(pc, P_BAD, i, "flowbits: expected ',' and a name");
	i = skip_ws(s, i + 1);
	char sep = 0;
	for (;;) {
		e = i;
		while (e < op->ve && (isalnum((unsigned char)s[e]) ||
				      s[e] == '_' || s[e] == '.' || s[e] == '-'))
			e++;
		if (e == i)
			return perr(pc, P_BAD, i, "flowbits: expected a name");
		if (fb.n == 8)
			return perr(pc, P_BAD, i, "flowbits: more than 8 names");
		if (flowbit_num(pc, s + i, e - i, &fb.bit[fb.n]) < 0)
			return perr(pc, P_BAD, i, "out of memory");
		fb.n++;
		i = skip_ws(s, e);
		if (i >= op->ve)
			break;
		if (s[i] != '|' && s[i] != '&')
			return perr(pc, P_BAD, i,
				    "flowbits: unexpected '%c' after the name",
				    s[i]);
		if (sep != 0 && sep != s[i])
			return perr(pc, P_BAD, i,
				    "flowbits: cannot mix '|' and '&'");
		sep = s[i];
		if (sep == '|' && fb.op != IDS_FB_ISSET &&
		    fb.op != IDS_FB_ISNOTSET)
			return perr(pc, P_BAD, i,
				    "flowbits: '|' only with isset or isnotset");
		i = skip_ws(s, i + 1);
	}
	fb.any = sep == '|';
	if (fb.op == IDS_FB_ISSET || fb.op == IDS_FB_ISNOTSET)
		b->ru->fb_reads = 1;
	else
		b->ru->fb_writes = 1;
	struct ids_flowbit *p = vec_push(&b->fb);
	if (p == NULL)
		return perr(pc, P_BAD, op->ks, "out of memory");
	*p = fb;
	return P_OK;
}

static int
opt_threshold(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op,
	      bool detection)
{
	const char *s = pc->t->s;
	const char *kw = detection ? "detection_filter" : "threshold";
	struct ids_threshold *t = detection ? &b->ru->df : &b->ru->thr;
	bool have_type = detection, have_track = false, have_count = false,
		have_secs = false;
	uint32_t i = op->vs;

	if (!op->has_val)
		return perr(pc, P_BAD, op->ks, "%s needs a value", kw);
	if (t->type != IDS_THR_NONE)
		return perr(pc, P_BAD, op->ks, "%s given twice", kw);
	if (detection)
		t->type = IDS_THR_DETECTION;
	while (i < op->ve) {
		i = skip_ws(s, i);
		uint32_t e = i;
		while (e < op->ve && (isalnum((unsigned char)s[e]) || s[e] == '_'))
			e++;
		size_t n = e - i;
		uint32_t at = i;
		uint32_t v = skip_ws(s, e), ve = v;
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
				return perr(pc, P_BAD, v,
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
				return perr(pc, P_UNSUP, v,
					    "unsupported keyword '%s: track by_flow'",
					    kw);
			else
				return perr(pc, P_BAD, v,
					    "%s: bad track '%.*s' (expected by_src, by_dst, by_rule or by_both)",
					    kw, (int)vn, s + v);
			have_track = true;
		} else if (IS(i, n, "count") || IS(i, n, "seconds")) {
			long long x;
			uint32_t j = v;
			if (!parse_int(s, &j, IS(i, n, "count") ? 1 : 1,
				       IS(i, n, "count") ? UINT32_MAX : 86400 * 365,
				       &x) || j != ve)
				return perr(pc, P_BAD, v,
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
			return perr(pc, P_BAD, at,
				    "%s: unknown option '%.*s' (expected %scount, seconds, track)",
				    kw, (int)n, s + i, detection ? "" : "type, ");
		}
#undef IS
		i = skip_ws(s, ve);
		if (i < op->ve) {
			if (s[i] != ',')
				return perr(pc, P_BAD, i, "%s: expected ','", kw);
			i++;
		}
	}
	if (!have_type || !have_track || !have_count || !have_secs)
		return perr(pc, P_BAD, op->ks,
			    "%s: needs %scount, seconds and track", kw,
			    detection ? "" : "type, ");
	return P_OK;
}

static const struct ids_class *
class_find(struct ids_pctx *pc, const char *name, size_t n)
{
	for (uint32_t k = 0; k < pc->ncls; k++)
		if (strlen(pc->cls[k].name) == n &&
		    strncmp(pc->cls[k].name, name, n) == 0)
			return &pc->cls[k];
	return NULL;
}

/* Options that only carry information (metadata, reference): any value. */
static int
opt_info(struct ids_pctx *pc, struct ids_opt *op, const char *kw)
{
	if (!op->has_val || skip_ws(pc->t->s, op->vs) >= op->ve)
		return perr(pc, P_BAD, op->ks, "%s needs a value", kw);
	return P_OK;
}

static int
parse_option(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	char kw[48];
	size_t n = op->ke - op->ks;
	long long v;
	int rc;

	if (n >= sizeof(kw))
		n = sizeof(kw) - 1;
	/* keywords are case-insensitive, as in Suricata */
	for (size_t k = 0; k < n; k++)
		kw[k] = (char)tolower((unsigned char)s[op->ks + k]);
	kw[n] = '\0';

	if (strcmp(kw, "msg") == 0)
		return opt_msg(pc, b, op);
	if (strcmp(kw, "sid") == 0 || strcmp(kw, "rev") == 0 ||
	    strcmp(kw, "gid") == 0) {
		if (!op->has_val)
			return perr(pc, P_BAD, op->ks, "%s needs a value", kw);
		rc = value_int(pc, kw, op->vs, op->ve, kw[0] == 'r' ? 0 : 1,
			       UINT32_MAX, &v);
		if (rc != P_OK)
			return rc;
		if (kw[0] == 's') {
			b->ru->info.sid = (uint32_t)v;
			b->have_sid = true;
			b->sid_at = op->ks;
		} else if (kw[0] == 'r') {
			b->ru->info.rev = (uint32_t)v;
		} else {
			b->ru->info.gid = (uint32_t)v;
		}
		return P_OK;
	}
	if (strcmp(kw, "priority") == 0) {
		if (!op->has_val)
			return perr(pc, P_BAD, op->ks, "priority needs a value");
		rc = value_int(pc, kw, op->vs, op->ve, 1, 255, &v);
		if (rc != P_OK)
			return rc;
		b->ru->info.priority = (uint8_t)v;
		b->have_prio = true;
		return P_OK;
	}
	if (strcmp(kw, "classtype") == 0) {
		uint32_t i = skip_ws(s, op->vs), e = op->ve;
		while (e > i && isspace((unsigned char)s[e - 1]))
			e--;
		if (!op->has_val || e == i)
			return perr(pc, P_BAD, op->ks, "classtype needs a value");
		const struct ids_class *c = class_find(pc, s + i, e - i);
		if (c == NULL)
			return perr(pc, P_BAD, i,
				    "unknown classtype '%.*s' (not in the classification config)",
				    (int)(e - i), s + i);
		b->ru->info.classtype = c->name;
		b->ru->info.category = c->desc;
		if (!b->have_prio)
			b->ru->info.priority = c->prio;
		return P_OK;
	}
	if (strcmp(kw, "metadata") == 0 || strcmp(kw, "reference") == 0)
		return opt_info(pc, op, kw);
	if (strcmp(kw, "content") == 0) {
		if (!op->has_val)
			return perr(pc, P_BAD, op->ks, "content needs a value");
		return opt_content(pc, b, op);
	}
	if (strcmp(kw, "nocase") == 0 || strcmp(kw, "depth") == 0 ||
	    strcmp(kw, "offset") == 0 || strcmp(kw, "distance") == 0 ||
	    strcmp(kw, "within") == 0 || strcmp(kw, "startswith") == 0 ||
	    strcmp(kw, "endswith") == 0 || strcmp(kw, "fast_pattern") == 0)
		return opt_modifier(pc, b, op, kw);
	if (strcmp(kw, "isdataat") == 0)
		return opt_isdataat(pc, b, op);
	if (strcmp(kw, "dsize") == 0) {
		uint32_t i = skip_ws(s, op->vs);
		long long a, c;
		uint8_t o = IDS_DS_EQ;
		if (!op->has_val)
			return perr(pc, P_BAD, op->ks, "dsize needs a value");
		if (b->ru->dsize_op != IDS_DS_NONE)
			return perr(pc, P_BAD, op->ks, "dsize given twice");
		if (s[i] == '<' && s[i + 1] == '=') {
			o = IDS_DS_LE;
			i += 2;
		} else if (s[i] == '>' && s[i + 1] == '=') {
			o = IDS_DS_GE;
			i += 2;
		} else if (s[i] == '<') {
			o = IDS_DS_LT;
			i++;
		} else if (s[i] == '>') {
			o = IDS_DS_GT;
			i++;
		} else if (s[i] == '!') {
			o = IDS_DS_NE;
			i++;
		} else if (s[i] == '=') {
			i++;
		}
		i = skip_ws(s, i);
		if (!parse_int(s, &i, 0, 65535, &a))
			return perr(pc, P_BAD, i, "dsize: expected a number 0..65535");
		c = a;
		i = skip_ws(s, i);
		if (o == IDS_DS_EQ && i < op->ve &&
		    (s[i] == '-' || (s[i] == '<' && s[i + 1] == '>'))) {
			i = skip_ws(s, i + (s[i] == '-' ? 1 : 2));
			if (!parse_int(s, &i, 0, 65535, &c))
				return perr(pc, P_BAD, i,
					    "dsize: expected the range's upper bound");
			if (c <= a + 1)
				return perr(pc, P_BAD, op->vs,
					    "dsize: range %lld<>%lld holds no value (bounds are exclusive)",
					    a, c);
			o = IDS_DS_RANGE;
			i = skip_ws(s, i);
		}
		if (i < op->ve)
			return perr(pc, P_BAD, i, "dsize: unexpected '%c'", s[i]);
		if (o == IDS_DS_LT && a == 0)
			return perr(pc, P_BAD, op->vs, "dsize:<0 matches nothing");
		b->ru->dsize_op = o;
		b->ru->dsize_a = (uint16_t)a;
		b->ru->dsize_b = (uint16_t)c;
		return P_OK;
	}
	if (strcmp(kw, "pcre") == 0) {
		if (!op->has_val)
			return perr(pc, P_BAD, op->ks, "pcre needs a value");
		return opt_pcre(pc, b, op);
	}
	if (strcmp(kw, "flow") == 0)
		return opt_flow(pc, b, op);
	if (strcmp(kw, "flowbits") == 0)
		return opt_flowbits(pc, b, op);
	if (strcmp(kw, "noalert") == 0) {
		if (op->has_val)
			return perr(pc, P_BAD, op->vs, "noalert takes no value");
		b->ru->info.flags |= IDS_RULE_NOALERT;
		return P_OK;
	}
	if (strcmp(kw, "threshold") == 0)
		return opt_threshold(pc, b, op, false);
	if (strcmp(kw, "detection_filter") == 0)
		return opt_threshold(pc, b, op, true);
	if (n == 0)
		return perr(pc, P_BAD, op->ks, "expected a keyword");
	for (size_t k = 0; k < n; k++)
		if (!isalnum((unsigned char)kw[k]) && kw[k] != '_' &&
		    kw[k] != '.' && kw[k] != '-')
			return perr(pc, P_BAD, op->ks + k,
				    "bad character '%c' in keyword", kw[k]);
	return perr(pc, P_UNSUP, op->ks, "unsupported keyword '%s'", kw);
}

/* Splits "(k:v; k; ...)" starting at '(' and parses each option. */
static int
parse_options(struct ids_pctx *pc, struct ids_rule_build *b, uint32_t i)
{
	const char *s = pc->t->s;
	uint32_t len = pc->t->len;

	i = skip_ws(s, i);
	if (s[i] != '(')
		return perr(pc, P_BAD, i, "expected '(' before the options");
	i++;
	for (;;) {
		i = skip_ws(s, i);
		if (i >= len)
			return perr(pc, P_BAD, len, "missing ')' at the end of the rule");
		if (s[i] == ')')
			break;
		struct ids_opt op = { .ks = i };
		while (i < len && s[i] != ':' && s[i] != ';' && s[i] != ')' &&
		       !isspace((unsigned char)s[i]))
			i++;
		op.ke = i;
		i = skip_ws(s, i);
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
				return perr(pc, P_BAD, op.ks,
					    "option '%.*s' not terminated by ';'",
					    (int)(op.ke - op.ks), s + op.ks);
			op.ve = i;
		} else if (s[i] != ';') {
			if (op.ke == op.ks)
				return perr(pc, P_BAD, i, "expected a keyword");
			return perr(pc, P_BAD, i,
				    "expected ':' or ';' after '%.*s'",
				    (int)(op.ke - op.ks), s + op.ks);
		} else {
			op.vs = op.ve = i;
		}
		int rc = parse_option(pc, b, &op);
		if (rc != P_OK)
			return rc;
		i++;	/* ';' */
	}
	uint32_t e = skip_ws(s, i + 1);
	if (e < len)
		return perr(pc, P_BAD, e, "unexpected text after ')'");
	return P_OK;
}

static void
rule_free_parts(struct ids_rule *ru)
{
	for (uint32_t k = 0; k < ru->nsteps; k++) {
		free(ru->steps[k].pat);
		if (ru->steps[k].re != NULL)
			pcre2_code_free(ru->steps[k].re);
	}
	free(ru->steps);
	free(ru->fb);
	free(ru->src.v4.v);
	free(ru->src.v6.v);
	free(ru->dst.v4.v);
	free(ru->dst.v6.v);
	free(ru->sport.p.v);
	free(ru->dport.p.v);
}

static void
build_prepare_steps(struct ids_rule *ru)
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

/* Parses the rule in pc->t. P_OK appends it to pc->rules. */
static int
parse_rule(struct ids_pctx *pc)
{
	struct ids_rule_build b = { .last_content = -1, .last_step = -1 };
	struct ids_rule ru = { 0 };
	uint32_t i = 0;
	int rc;

	b.ru = &ru;
	b.steps.esz = sizeof(struct ids_step);
	b.fb.esz = sizeof(struct ids_flowbit);
	ru.info.gid = 1;
	ru.info.priority = 3;
	ru.info.msg = "";
	ru.info.category = "";
	rc = parse_header(pc, &ru, &i);
	if (rc == P_OK)
		rc = parse_options(pc, &b, i);
	if (rc == P_OK && !b.have_sid)
		rc = perr(pc, P_BAD, pc->t->len, "rule has no sid");
	ru.steps = b.steps.v;
	ru.nsteps = b.steps.n;
	ru.fb = b.fb.v;
	ru.nfb = b.fb.n;
	if (rc != P_OK) {
		rule_free_parts(&ru);
		return rc;
	}
	if (ru.dsize_op != IDS_DS_NONE)
		ru.flow |= IDS_FL_NO_STREAM;	/* dsize is about packets */
	build_prepare_steps(&ru);
	ru.info.file = pool_str(pc->r, pc->file, strlen(pc->file));
	ru.info.line = pc->t->line[0];
	ru.order_key = pc->order++;
	/* duplicate gid:sid */
	const struct ids_rule *rs = pc->rules.v;
	for (uint32_t k = 0; k < pc->rules.n; k++)
		if (rs[k].info.sid == ru.info.sid && rs[k].info.gid == ru.info.gid) {
			rc = perr(pc, P_BAD, b.sid_at,
				  "duplicate sid %u (first at %s:%u)",
				  ru.info.sid, rs[k].info.file, rs[k].info.line);
			rule_free_parts(&ru);
			return rc;
		}
	struct ids_rule *slot = vec_push(&pc->rules);
	if (slot == NULL) {
		rule_free_parts(&ru);
		return perr(pc, P_BAD, 0, "out of memory");
	}
	*slot = ru;
	return P_OK;
}

/* ------------------------------------------------------------------ */
/* classification.config                                              */

static int
load_classes(struct ids_pctx *pc, const char *text, const char *name)
{
	const char *p = text;
	uint32_t line = 0;

	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char buf[512];
		line++;
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = e ? e + 1 : p + n;
		char *q = buf;
		while (isspace((unsigned char)*q))
			q++;
		if (*q == '#' || *q == '\0')
			continue;
		const char *pre = "config classification:";
		if (strncmp(q, pre, strlen(pre)) != 0) {
			snprintf(pc->err, pc->errlen,
				 "%s:%u:%u: expected 'config classification: name,description,priority'",
				 name, line, (unsigned int)(q - buf) + 1);
			return -EINVAL;
		}
		q += strlen(pre);
		while (isspace((unsigned char)*q))
			q++;
		char *c1 = strchr(q, ','), *c2 = c1 ? strrchr(c1 + 1, ',') : NULL;
		long pr = c2 ? strtol(c2 + 1, NULL, 10) : 0;
		if (c1 == NULL || c2 == NULL || c1 == q || pr < 1 || pr > 255) {
			snprintf(pc->err, pc->errlen,
				 "%s:%u:%u: expected name,description,priority (priority 1..255)",
				 name, line, (unsigned int)(q - buf) + 1);
			return -EINVAL;
		}
		struct ids_class *nc = realloc(pc->cls, (pc->ncls + 1) * sizeof(*nc));
		if (nc == NULL)
			return -ENOMEM;
		pc->cls = nc;
		nc[pc->ncls].name = pool_str(pc->r, q, (size_t)(c1 - q));
		nc[pc->ncls].desc = pool_str(pc->r, c1 + 1, (size_t)(c2 - c1 - 1));
		nc[pc->ncls].prio = (uint8_t)pr;
		if (nc[pc->ncls].name == NULL || nc[pc->ncls].desc == NULL)
			return -ENOMEM;
		pc->ncls++;
	}
	return 0;
}

static char *
read_file(const char *path, int *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				*err = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		size_t k = fread(buf + n, 1, 4096, f);
		n += k;
		if (k < 4096)
			break;
	}
	if (ferror(f)) {
		*err = EIO;
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
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

static int
parse_text(struct ids_pctx *pc, const char *text)
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
		uint32_t k = skip_ws(t.s, 0);
		if (k == t.len)
			continue;
		int rc = parse_rule(pc);
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

/* ------------------------------------------------------------------ */
/* compile: order, groups, databases                                  */

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

static int
compile_rules(struct ids_pctx *pc)
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

/* ------------------------------------------------------------------ */
/* public                                                             */

void
ids_rules_free(struct ids_rules *r)
{
	if (r == NULL)
		return;
	for (uint32_t k = 0; k < r->nrules; k++)
		rule_free_parts(&r->rules[k]);
	free(r->rules);
	for (int pcl = 0; pcl < IDS_PC_MAX; pcl++)
		for (int dir = 0; dir < 2; dir++) {
			struct ids_pmap *pm = &r->map[pcl][dir];
			for (uint32_t g = 0; g < pm->ngroups; g++) {
				free(pm->groups[g].always);
				hs_free_database(pm->groups[g].db);
			}
			free(pm->groups);
			free(pm->port_group);
		}
	if (r->proto_scratch)
		hs_free_scratch(r->proto_scratch);
	for (uint32_t k = 0; k < r->nflowbits; k++)
		free(r->fb_names[k]);
	free(r->fb_names);
	for (uint32_t k = 0; k < r->nskipped; k++)
		free(r->skipped[k]);
	free(r->skipped);
	for (uint32_t k = 0; k < r->nstrs; k++)
		free(r->strs[k]);
	free(r->strs);
	free(r);
}

/* One text to parse: a file (path) or a string (text, name). */
struct ids_src {
	const char *path;
	const char *text;
	const char *name;
};

/*
 * Loads the sources as one set: classification config, the previous
 * set's flowbit numbering, every rule, then the compile. NULL with errno
 * and a message on failure; nothing half-built survives.
 */
static struct ids_rules *
rules_load(const struct ids_src *src, unsigned int nsrc,
	   const struct ids_rules_opts *o, char *err, size_t errlen)
{
	char dummy[8];
	struct ids_pctx pc = { 0 };
	struct ids_rules *r = calloc(1, sizeof(*r));
	int rc = 0, e = 0;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (r == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	pc.err = err;
	pc.errlen = errlen;
	pc.o = o;
	pc.r = r;
	pc.file = "<rules>";
	pc.rules.esz = sizeof(struct ids_rule);
	r->id = __atomic_fetch_add(&ids_next_id, 1, __ATOMIC_RELAXED);
	r->threshold_slots = o && o->threshold_slots ? o->threshold_slots : 65536;
	if (o != NULL && o->prev != NULL) {
		/* keep the previous set's flowbit numbering */
		r->fb_ns = o->prev->fb_ns;
		for (uint32_t k = 0; k < o->prev->nflowbits; k++) {
			uint32_t bit;
			if (flowbit_num(&pc, o->prev->fb_names[k],
					strlen(o->prev->fb_names[k]), &bit) < 0) {
				rc = -ENOMEM;
				goto fail;
			}
		}
	} else {
		r->fb_ns = r->id;
	}

	if (o != NULL && o->classification_file != NULL) {
		char *txt = read_file(o->classification_file, &e);
		if (txt == NULL) {
			snprintf(err, errlen, "%s: %s", o->classification_file,
				 strerror(e));
			rc = -e;
			goto fail;
		}
		rc = load_classes(&pc, txt, o->classification_file);
		free(txt);
	} else {
		rc = load_classes(&pc, ids_classification_builtin,
				  "<built-in classification.config>");
	}
	if (rc < 0)
		goto fail;

	for (unsigned int f = 0; f < nsrc; f++) {
		char *txt = NULL;
		if (src[f].path != NULL) {
			txt = read_file(src[f].path, &e);
			if (txt == NULL) {
				snprintf(err, errlen, "%s: %s", src[f].path,
					 strerror(e));
				rc = -e;
				goto fail;
			}
			pc.file = src[f].path;
		} else {
			pc.file = src[f].name ? src[f].name : "<string>";
		}
		rc = parse_text(&pc, txt ? txt : src[f].text);
		free(txt);
		if (rc < 0)
			goto fail;
	}
	rc = compile_rules(&pc);
	if (rc < 0)
		goto fail;
	free(pc.cls);
	return r;
fail:
	for (uint32_t k = 0; k < pc.rules.n; k++)
		rule_free_parts(&((struct ids_rule *)pc.rules.v)[k]);
	free(pc.rules.v);
	free(pc.cls);
	ids_rules_free(r);
	errno = rc < 0 ? -rc : EINVAL;
	return NULL;
}

struct ids_rules *
ids_rules_load_files(const char *const *files, unsigned int nfiles,
		     const struct ids_rules_opts *o, char *err, size_t errlen)
{
	struct ids_src *src = calloc(nfiles ? nfiles : 1, sizeof(*src));

	if (src == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	for (unsigned int k = 0; k < nfiles; k++)
		src[k].path = files[k];
	struct ids_rules *r = rules_load(src, nfiles, o, err, errlen);
	int e = errno;
	free(src);
	errno = e;
	return r;
}

struct ids_rules *
ids_rules_load(const char *file, const struct ids_rules_opts *o, char *err,
	       size_t errlen)
{
	struct ids_src src = { .path = file };

	return rules_load(&src, 1, o, err, errlen);
}

struct ids_rules *
ids_rules_load_string(const char *text, const char *name,
		      const struct ids_rules_opts *o, char *err, size_t errlen)
{
	struct ids_src src = { .text = text, .name = name };

	return rules_load(&src, 1, o, err, errlen);
}

unsigned int
ids_rules_count(const struct ids_rules *r)
{
	return r->nrules;
}

unsigned int
ids_rules_skipped(const struct ids_rules *r)
{
	return r->nskipped;
}

const char *
ids_rules_skipped_at(const struct ids_rules *r, unsigned int i)
{
	return i < r->nskipped ? r->skipped[i] : NULL;
}

const struct ids_rule_info *
ids_rules_info(const struct ids_rules *r, unsigned int idx)
{
	return idx < r->nrules ? &r->rules[idx].info : NULL;
}

const struct ids_rule_info *
ids_rules_find(const struct ids_rules *r, uint32_t gid, uint32_t sid)
{
	for (uint32_t k = 0; k < r->nrules; k++)
		if (r->rules[k].info.sid == sid && r->rules[k].info.gid == gid)
			return &r->rules[k].info;
	return NULL;
}

bool
ids_rules_needs_stream(const struct ids_rules *r)
{
	for (uint32_t k = 0; k < r->nrules; k++) {
		const struct ids_rule *ru = &r->rules[k];
		if ((ru->proto == 0 || ru->proto == IPPROTO_TCP) &&
		    ru->nsteps > 0 && !(ru->flow & IDS_FL_NO_STREAM))
			return true;
	}
	return false;
}

size_t
ids_detect_flow_state_size(const struct ids_rules *r)
{
	/* at least 256 bits, so that a reload adding a few flowbits still
	 * fits the flows the table already holds */
	uint32_t words = (r->nflowbits + 63) / 64;
	if (words < 4)
		words = 4;
	return sizeof(struct ids_flow_det) + words * sizeof(uint64_t);
}

void
ids_detect_flow_init(const struct ids_rules *r, struct ids_flow_det *fd,
		     size_t size)
{
	memset(fd, 0, size);
	fd->ns = r->fb_ns;
	size_t words = (size - sizeof(*fd)) / sizeof(uint64_t);
	fd->nwords = (uint16_t)(words > 65535 ? 65535 : words);
}
