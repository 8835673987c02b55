/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules address and port sets: the header's address and port fields
 * (lists, negation, ranges, CIDR, $VARIABLES with Suricata's defaults)
 * parsed into exact interval sets, and the port test the compiler and
 * the matcher use.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules_pvt.h"

#define IDS_MAX_VAR_DEPTH 8
/* Negations and brackets one inside another; Suricata's own rules nest a
 * few. Deeper is refused, not recursed into (a stack overflow). */
#define IDS_MAX_SET_NEST 64

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
		rc = ids_perr(pc, P_BAD, span_pos(&sp, 0), "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k <= sp.n; k++) {
		char ch = k < sp.n ? sp.s[k] : ',';
		if (ch == '[') {
			lvl++;
		} else if (ch == ']') {
			if (lvl == 0) {
				rc = ids_perr(pc, P_BAD, span_pos(&sp, k), "unbalanced ']'");
				goto out;
			}
			lvl--;
		} else if (ch == ',' && lvl == 0) {
			struct ids_span el = span_sub(&sp, start, k);
			start = k + 1;
			if (el.n == 0) {
				rc = ids_perr(pc, P_BAD, span_pos(&sp, k),
					      "empty %s list element", kd->what);
				goto out;
			}
			bool n = el.s[0] == '!';
			if (n)
				el = span_sub(&el, 1, el.n);
			if (n && el.n == 0) {
				rc = ids_perr(pc, P_BAD, span_pos(&sp, k),
					      "'!' without a %s", kd->what);
				goto out;
			}
			t = kd->make();
			if (t == NULL) {
				rc = ids_perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
				goto out;
			}
			rc = set_parse(pc, kd, el, depth, t);
			if (rc != P_OK)
				goto out;
			if (kd->unite(n ? neg : pos, t) < 0) {
				rc = ids_perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
				goto out;
			}
			has_pos |= !n;
			kd->drop(t);
			t = NULL;
		}
	}
	if (lvl != 0) {
		rc = ids_perr(pc, P_BAD, span_pos(&sp, 0), "unbalanced '['");
		goto out;
	}
	if (!has_pos && kd->all(pos) < 0) {
		rc = ids_perr(pc, P_BAD, span_pos(&sp, 0), "out of memory");
		goto out;
	}
	if (kd->minus(pos, neg) < 0 || kd->unite(out, pos) < 0)
		rc = ids_perr(pc, P_BAD, span_pos(&sp, 0), "out of memory");
out:
	if (t)
		kd->drop(t);
	if (pos)
		kd->drop(pos);
	if (neg)
		kd->drop(neg);
	return rc;
}

static int set_parse_el(struct ids_pctx *pc, const struct ids_setkind *kd,
			struct ids_span el, int depth, void *out);

/* Parses one element (any, !x, [list], $VAR or a leaf) into out (empty). */
static int
set_parse(struct ids_pctx *pc, const struct ids_setkind *kd, struct ids_span el,
	  int depth, void *out)
{
	int rc;

	if (pc->set_nest >= IDS_MAX_SET_NEST)
		return ids_perr(pc, P_BAD, span_pos(&el, 0),
				"%s nests '!' and '[' more than %d deep",
				kd->what, IDS_MAX_SET_NEST);
	pc->set_nest++;
	rc = set_parse_el(pc, kd, el, depth, out);
	pc->set_nest--;
	return rc;
}

static int
set_parse_el(struct ids_pctx *pc, const struct ids_setkind *kd, struct ids_span el,
	     int depth, void *out)
{
	if (el.n == 0)
		return ids_perr(pc, P_BAD, span_pos(&el, 0), "empty %s", kd->what);
	if (el.s[0] == '!') {
		struct ids_span in = span_sub(&el, 1, el.n);
		if (in.n == 3 && strncasecmp(in.s, "any", 3) == 0)
			return ids_perr(pc, P_BAD, span_pos(&el, 0),
					"'!any' matches nothing");
		void *t = kd->make();
		if (t == NULL)
			return ids_perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
		int rc = set_parse(pc, kd, in, depth, t);
		if (rc == P_OK && (kd->all(out) < 0 || kd->minus(out, t) < 0))
			rc = ids_perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
		kd->drop(t);
		return rc;
	}
	if (el.s[0] == '[') {
		if (el.n < 2 || el.s[el.n - 1] != ']')
			return ids_perr(pc, P_BAD, span_pos(&el, 0),
					"%s list: expected ']' at the end", kd->what);
		return set_list(pc, kd, span_sub(&el, 1, el.n - 1), depth, out);
	}
	if (el.s[0] == '$') {
		if (depth >= IDS_MAX_VAR_DEPTH)
			return ids_perr(pc, P_BAD, span_pos(&el, 0),
					"variables nest too deep (a loop?)");
		const struct ids_var *v = var_find(pc, el.s + 1, el.n - 1);
		if (v == NULL)
			return ids_perr(pc, P_BAD, span_pos(&el, 0),
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
			ids_perr(pc, P_BAD, span_pos(&el, 0), "out of memory") : P_OK;
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
		return ids_perr(pc, P_BAD, span_pos(&el, 0), "address too long");
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
			return ids_perr(pc, P_BAD, span_pos(&el, 0),
					"bad address range '%.*s'", (int)el.n, el.s);
		}
		if (lo > hi)
			return ids_perr(pc, P_BAD, span_pos(&el, 0),
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
					return ids_perr(pc, P_BAD, span_pos(&el, 0),
							"netmask '%s' is not contiguous",
							slash + 1);
			} else if (!ids_parse_int(slash + 1, &k, 0, 32, &plen) ||
				   slash[1 + k] != '\0') {
				return ids_perr(pc, P_BAD, span_pos(&el, 0),
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
			if (!ids_parse_int(slash + 1, &k, 0, 128, &plen) ||
			    slash[1 + k] != '\0')
				return ids_perr(pc, P_BAD, span_pos(&el, 0),
						"bad IPv6 prefix length in '%.*s' (0..128)",
						(int)el.n, el.s);
		}
		v6_bounds(a6, (unsigned int)plen, &lo, &hi);
		dst = &out->v6;
	} else {
		return ids_perr(pc, P_BAD, span_pos(&el, 0),
				"bad address '%.*s' (expected any, an IP, CIDR, range, [list] or $VAR)",
				(int)el.n, el.s);
	}
	if (ivset_add(dst, lo, hi) < 0)
		return ids_perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
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
		return ids_perr(pc, P_BAD, span_pos(&el, 0), "port too long");
	memcpy(buf, el.s, el.n);
	buf[el.n] = '\0';
	long long lo = 0, hi = 65535;
	uint32_t k = 0;
	char *colon = strchr(buf, ':');
	if (colon == NULL) {
		if (!ids_parse_int(buf, &k, 0, 65535, &lo) || buf[k] != '\0')
			goto bad;
		hi = lo;
	} else {
		if (colon == buf && colon[1] == '\0')
			goto bad;
		if (colon != buf &&
		    (!ids_parse_int(buf, &k, 0, 65535, &lo) || buf + k != colon))
			goto bad;
		if (colon[1] != '\0') {
			k = 0;
			if (!ids_parse_int(colon + 1, &k, 0, 65535, &hi) ||
				colon[1 + k] != '\0')
				goto bad;
		}
		if (lo > hi)
			return ids_perr(pc, P_BAD, span_pos(&el, 0),
					"port range '%s' ends before it starts", buf);
	}
	if (ivset_add(out, (ids_u128)lo, (ids_u128)hi) < 0)
		return ids_perr(pc, P_BAD, span_pos(&el, 0), "out of memory");
	ivset_norm(out);
	return P_OK;
bad:
	return ids_perr(pc, P_BAD, span_pos(&el, 0),
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
int
ids_addr_parse(struct ids_pctx *pc, struct ids_span sp, struct ids_addr_set *as)
{
	struct ids_aval v = { 0 };
	int rc = set_parse(pc, &ids_addr_kind, sp, 0, &v);

	if (rc != P_OK) {
		aval_free(&v);
		return rc;
	}
	if (v.v4.n == 0 && v.v6.n == 0) {
		aval_free(&v);
		return ids_perr(pc, P_BAD, sp.at, "address '%.*s' matches nothing",
				(int)sp.n, sp.s);
	}
	as->v4 = v.v4;
	as->v6 = v.v6;
	as->any = ivset_full(&v.v4, IDS_V4_MAX) && ivset_full(&v.v6, IDS_V6_MAX);
	return P_OK;
}

int
ids_port_parse(struct ids_pctx *pc, struct ids_span sp, struct ids_port_set *ps)
{
	struct ids_ivset v = { 0 };
	int rc = set_parse(pc, &ids_port_kind, sp, 0, &v);

	if (rc != P_OK) {
		ivset_free(&v);
		return rc;
	}
	if (v.n == 0) {
		ivset_free(&v);
		return ids_perr(pc, P_BAD, sp.at, "port '%.*s' matches nothing",
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
