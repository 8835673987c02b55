/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect: the per-packet engine. One group lookup, one Hyperscan scan
 * per inspected buffer (stream and/or packet payload), then full
 * verification of the candidate rules in evaluation order: header, flow,
 * dsize, flowbit conditions, the content/pcre/isdataat chain, then
 * detection_filter and threshold, then flowbit updates.
 *
 * Nothing here allocates, locks or calls the kernel: the context holds
 * every array, sized for its rule set at creation (ids_detect_ctx.c).
 */
#define _GNU_SOURCE	/* memmem */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ids_core.h"

/* Suricata's default inspection recursion limit (detect.inspection-recursion-limit). */
#define IDS_RECURSION_LIMIT 3000

static const uint8_t *ids_fold;	/* tolower table, built once below */
static uint8_t ids_fold_tab[256];

static void __attribute__((constructor))
ids_fold_init(void)
{
	for (int c = 0; c < 256; c++)
		ids_fold_tab[c] = (uint8_t)tolower(c);
	ids_fold = ids_fold_tab;
}

/* ------------------------------------------------------------------ */
/* header                                                             */

static inline bool
addr_match(const struct ids_addr_set *as, const uint8_t a[16], int v6)
{
	if (as->any)
		return true;
	const struct ids_ivset *set = v6 ? &as->v6 : &as->v4;
	ids_u128 x = 0;

	if (v6)
		for (int k = 0; k < 16; k++)
			x = x << 8 | a[k];
	else
		x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
			(uint32_t)a[2] << 8 | a[3];
	for (uint32_t k = 0; k < set->n; k++) {
		if (x < set->v[k].lo)
			return false;
		if (x <= set->v[k].hi)
			return true;
	}
	return false;
}

static inline bool
header_match(const struct ids_rule *ru, const struct ids_pkt *p)
{
	int v6 = p->ip_version == 6;
	bool ports = !(ru->sport.any && ru->dport.any);

	if (ru->proto != 0) {
		if (ru->proto == IPPROTO_ICMP) {
			if (p->proto != IPPROTO_ICMP && p->proto != IPPROTO_ICMPV6)
				return false;
		} else if (ru->proto == IDS_PROTO_ICMP4) {
			if (p->proto != IPPROTO_ICMP)
				return false;
		} else if (ru->proto != p->proto) {
			return false;
		}
	}
	if (ports && (p->flags & IDS_PKT_FRAGMENT))
		return false;
	if (addr_match(&ru->src, p->src, v6) && addr_match(&ru->dst, p->dst, v6) &&
	    (!ports || (ids_port_match(&ru->sport, p->sport) &&
			ids_port_match(&ru->dport, p->dport))))
		return true;
	return ru->bidir && addr_match(&ru->src, p->dst, v6) &&
		addr_match(&ru->dst, p->src, v6) &&
		(!ports || (ids_port_match(&ru->sport, p->dport) &&
			    ids_port_match(&ru->dport, p->sport)));
}

static inline bool
flow_match(const struct ids_rule *ru, const struct ids_pkt *p)
{
	uint16_t f = ru->flow;

	if ((f & IDS_FL_TO_SERVER) && !(p->flags & IDS_PKT_TO_SERVER))
		return false;
	if ((f & IDS_FL_TO_CLIENT) && !(p->flags & IDS_PKT_TO_CLIENT))
		return false;
	if ((f & IDS_FL_ESTABLISHED) && !(p->flags & IDS_FLOW_ESTABLISHED))
		return false;
	if ((f & IDS_FL_NOT_EST) && !(p->flags & IDS_FLOW_NOT_ESTABLISHED))
		return false;
	return true;
}

static inline bool
dsize_match(const struct ids_rule *ru, uint32_t n)
{
	switch (ru->dsize_op) {
	case IDS_DS_EQ: return n == ru->dsize_a;
	case IDS_DS_NE: return n != ru->dsize_a;
	case IDS_DS_LT: return n < ru->dsize_a;
	case IDS_DS_GT: return n > ru->dsize_a;
	case IDS_DS_LE: return n <= ru->dsize_a;
	case IDS_DS_GE: return n >= ru->dsize_a;
	case IDS_DS_RANGE: return n > ru->dsize_a && n < ru->dsize_b;
	default: return true;
	}
}

/* ------------------------------------------------------------------ */
/* flowbits                                                           */

static inline bool
fb_test(const struct ids_flow_det *fd, uint32_t bit)
{
	return fd != NULL && bit / 64 < fd->nwords &&
		(fd->bits[bit / 64] >> (bit % 64) & 1);
}

static bool
flowbits_cond(const struct ids_rule *ru, const struct ids_flow_det *fd)
{
	for (uint32_t k = 0; k < ru->nfb; k++) {
		const struct ids_flowbit *fb = &ru->fb[k];
		bool want = fb->op == IDS_FB_ISSET;
		if (fb->op != IDS_FB_ISSET && fb->op != IDS_FB_ISNOTSET)
			continue;
		/* isset a&b: all set; isset a|b: one set;
		 * isnotset a&b: none set; isnotset a|b: one not set */
		bool ok = !fb->any;
		for (uint32_t j = 0; j < fb->n; j++) {
			bool hit = fb_test(fd, fb->bit[j]) == want;
			if (fb->any && hit) {
				ok = true;
				break;
			}
			if (!fb->any && !hit) {
				ok = false;
				break;
			}
		}
		if (!ok)
			return false;
	}
	return true;
}

static void
flowbits_apply(const struct ids_rule *ru, struct ids_flow_det *fd)
{
	if (fd == NULL)
		return;
	for (uint32_t k = 0; k < ru->nfb; k++) {
		const struct ids_flowbit *fb = &ru->fb[k];
		for (uint32_t j = 0; j < fb->n; j++) {
			uint32_t w = fb->bit[j] / 64;
			uint64_t m = 1ull << (fb->bit[j] % 64);
			if (w >= fd->nwords)
				continue;	/* flow state reserved for a smaller set */
			if (fb->op == IDS_FB_SET)
				fd->bits[w] |= m;
			else if (fb->op == IDS_FB_UNSET)
				fd->bits[w] &= ~m;
			else if (fb->op == IDS_FB_TOGGLE)
				fd->bits[w] ^= m;
		}
	}
}

/* ------------------------------------------------------------------ */
/* thresholds                                                         */

static struct ids_thr_entry *
thr_lookup(struct ids_detect_ctx *c, const struct ids_rule *ru,
	   const struct ids_threshold *t, const struct ids_pkt *p, bool *fresh)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };

	if (t->track == IDS_TRACK_SRC || t->track == IDS_TRACK_BOTH)
		memcpy(a, p->src, 16);
	if (t->track == IDS_TRACK_DST)
		memcpy(a, p->dst, 16);
	if (t->track == IDS_TRACK_BOTH)
		memcpy(b, p->dst, 16);
	/* detection_filter and threshold of one rule are separate entries */
	uint32_t key = ru->info.idx * 2 + (t == &ru->df) + 1;
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	for (int k = 0; k < 16; k++)
		h = (h ^ a[k] ^ (uint64_t)b[k] << 8) * 0x100000001b3ull;
	uint32_t idx = (uint32_t)(h ^ h >> 29) & c->thr_mask;
	struct ids_thr_entry *victim = NULL;
	for (int probe = 0; probe < 8; probe++) {
		struct ids_thr_entry *e = &c->thr[(idx + probe) & c->thr_mask];
		if (e->rule == key && memcmp(e->a, a, 16) == 0 &&
		    memcmp(e->b, b, 16) == 0) {
			*fresh = false;
			return e;
		}
		if (e->rule == 0) {
			victim = e;
			break;
		}
		if (victim == NULL || e->start_ns < victim->start_ns)
			victim = e;
	}
	if (victim->rule != 0) {
		uint64_t win = t->window_ns;
		if (p->ts_ns - victim->start_ns < win)
			c->ctr[IDS_DC_threshold_full]++;
	}
	victim->rule = key;
	memcpy(victim->a, a, 16);
	memcpy(victim->b, b, 16);
	victim->count = 0;
	victim->start_ns = p->ts_ns;
	*fresh = true;
	return victim;
}

/* 1: the rule fires (alert), 0: suppressed. Suricata's threshold.c
 * semantics: the window starts at the first match and restarts once it
 * has passed. */
static int
thr_check(struct ids_detect_ctx *c, const struct ids_rule *ru,
	  const struct ids_threshold *t, const struct ids_pkt *p)
{
	bool fresh;
	struct ids_thr_entry *e = thr_lookup(c, ru, t, p, &fresh);

	if (!fresh && p->ts_ns - e->start_ns >= t->window_ns) {
		e->start_ns = p->ts_ns;
		e->count = 0;
		fresh = true;
	}
	e->count++;
	switch (t->type) {
	case IDS_THR_LIMIT:
		return e->count <= t->count;
	case IDS_THR_THRESHOLD:
		if (e->count >= t->count) {
			e->count = 0;
			return 1;
		}
		return 0;
	case IDS_THR_BOTH:
		return e->count == t->count;
	case IDS_THR_DETECTION:
		return e->count > t->count;
	default:
		return 1;
	}
}

/* ------------------------------------------------------------------ */
/* payload inspection                                                 */

static inline const uint8_t *
find(const struct ids_step *st, const uint8_t *h, uint32_t hn)
{
	uint32_t m = st->len;

	if (m > hn)
		return NULL;
	if (!(st->flags & IDS_C_NOCASE))
		return memmem(h, hn, st->pat, m);
	/* Horspool on folded bytes */
	const uint8_t *pat = st->pat;
	uint8_t last = pat[m - 1];
	for (uint32_t i = 0; i + m <= hn;) {
		uint8_t c = ids_fold[h[i + m - 1]];
		if (c == last) {
			uint32_t j = 0;
			while (j + 1 < m && ids_fold[h[i + j]] == pat[j])
				j++;
			if (j + 1 >= m)
				return h + i;
		}
		i += st->skip[h[i + m - 1]];
	}
	return NULL;
}

struct insp {
	struct ids_detect_ctx *c;
	const struct ids_rule *ru;
	const uint8_t *buf;
	uint32_t len;
	uint32_t budget;
	uint32_t min_end;	/* the match must end past this (stream lookback) */
	bool constrained;	/* min_end applies (and so retries do) */
};

/*
 * Each step gets cur, the end of the previous match (what relative
 * keywords count from), and hi, the furthest end of any content or pcre
 * match so far (what the stream lookback is judged by).
 * 1 match, 0 no match (an earlier step may retry), -1 give up.
 */
static int inspect(struct insp *in, uint32_t i, uint32_t cur, uint32_t hi);

/* Whether a chain that got to its end is a match: past the lookback. */
static inline bool
final_ok(const struct insp *in, uint32_t hi)
{
	return !in->constrained || hi > in->min_end;
}

static inline int
next_step(struct insp *in, uint32_t i, uint32_t cur, uint32_t hi)
{
	if (i + 1 >= in->ru->nsteps)
		return final_ok(in, hi) ? 1 : 0;
	return inspect(in, i + 1, cur, hi);
}

static int
inspect_content(struct insp *in, uint32_t i, uint32_t prev, uint32_t hi)
{
	const struct ids_step *st = &in->ru->steps[i];
	const uint32_t len = in->len;
	uint32_t retry = 0;
	bool rel = st->flags & (IDS_C_DISTANCE | IDS_C_WITHIN);

	for (;;) {
		int64_t start, end = len;

		if (rel) {
			start = prev;
			if (st->flags & IDS_C_DISTANCE) {
				start += st->distance;
				if (start < 0)
					start = 0;
			}
			if (st->flags & IDS_C_WITHIN) {
				int64_t w = (int64_t)prev + st->within +
					((st->flags & IDS_C_DISTANCE) ?
					 st->distance : 0);
				if (w < end)
					end = w < 0 ? 0 : w;
			}
		} else {
			start = (st->flags & IDS_C_OFFSET) ? st->offset : 0;
			if (st->flags & IDS_C_DEPTH)
				end = st->depth;
		}
		if (retry != 0)
			start = retry;
		if (end > len)
			end = len;
		if (start > end || end == 0)
			return (st->flags & IDS_C_NEGATED) ?
				next_step(in, i, prev, hi) : (rel ? 0 : -1);

		const uint8_t *found = NULL;
		if (!((st->flags & IDS_C_ENDS) && end < len))
			found = find(st, in->buf + start, (uint32_t)(end - start));
		if (found == NULL) {
			if (st->flags & IDS_C_NEGATED)
				return next_step(in, i, prev, hi);
			/* an absolute content not found cannot be found later */
			return rel ? 0 : -1;
		}
		uint32_t mend = (uint32_t)(found - in->buf) + st->len;
		if (st->flags & IDS_C_NEGATED) {
			if ((st->flags & IDS_C_ENDS) && mend != len)
				return next_step(in, i, prev, hi);
			return rel ? 0 : -1;
		}
		uint32_t nhi = mend > hi ? mend : hi;
		if (!(st->flags & IDS_C_ENDS) || mend == len) {
			if (i + 1 >= in->ru->nsteps) {
				if (final_ok(in, nhi))
					return 1;
				/* in the lookback: a later occurrence may be new */
			} else {
				if (in->budget-- == 0)
					return -1;
				int r = inspect(in, i + 1, mend, nhi);
				if (r != 0)
					return r;
				if (!(st->flags & IDS_C_NEXT_REL) &&
				    !in->constrained)
					return -1;
			}
		}
		/* try the next occurrence: the next step depends on this one */
		retry = (uint32_t)(found - in->buf) + 1;
	}
}

static int
inspect_pcre(struct insp *in, uint32_t i, uint32_t prev, uint32_t hi)
{
	const struct ids_step *st = &in->ru->steps[i];
	/* like Suricata, a relative pcre sees the buffer from the previous
	 * match on, so ^ anchors there */
	uint32_t base = (st->flags & IDS_C_RELATIVE) ? prev : 0;
	PCRE2_SIZE start = 0;

	if (base > in->len)
		return (st->flags & IDS_C_NEGATED) ? next_step(in, i, prev, hi) : 0;
	for (;;) {
		if (start > in->len - base)
			return 0;
		int rc = pcre2_match(st->re, in->buf + base, in->len - base,
				     start, 0, in->c->md, NULL);
		if (rc < 0) {
			if (rc != PCRE2_ERROR_NOMATCH)
				in->c->ctr[IDS_DC_pcre_errors]++;
			return (st->flags & IDS_C_NEGATED) ?
				next_step(in, i, prev, hi) : 0;
		}
		if (st->flags & IDS_C_NEGATED)
			return 0;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(in->c->md);
		uint32_t mstart = (uint32_t)ov[0], mend = base + (uint32_t)ov[1];
		uint32_t nhi = mend > hi ? mend : hi;
		if (i + 1 >= in->ru->nsteps) {
			if (final_ok(in, nhi))
				return 1;
		} else {
			if (in->budget-- == 0)
				return -1;
			int r = inspect(in, i + 1, mend, nhi);
			if (r != 0 || (!(st->flags & IDS_C_NEXT_REL) &&
				       !in->constrained))
				return r;
		}
		start = mstart + 1;
	}
}

static int
inspect(struct insp *in, uint32_t i, uint32_t cur, uint32_t hi)
{
	const struct ids_step *st = &in->ru->steps[i];

	switch (st->type) {
	case IDS_STEP_CONTENT:
		return inspect_content(in, i, cur, hi);
	case IDS_STEP_PCRE:
		return inspect_pcre(in, i, cur, hi);
	default: {
		/* isdataat: a relative one that failed for lack of data fails
		 * for every later match too (give up); a negated relative one
		 * may hold at a later match (let the previous step retry) */
		bool ok;
		if (st->flags & IDS_C_RELATIVE)
			ok = (uint64_t)cur + (uint32_t)st->offset <= in->len;
		else
			ok = (uint32_t)st->offset < in->len;
		if (st->flags & IDS_C_NEGATED)
			ok = !ok;
		if (!ok)
			return (st->flags & IDS_C_RELATIVE) &&
				(st->flags & IDS_C_NEGATED) ? 0 : -1;
		return next_step(in, i, cur, hi);
	}
	}
}

static bool
payload_match(struct ids_detect_ctx *c, const struct ids_rule *ru,
	      const uint8_t *buf, uint32_t len, uint32_t min_end)
{
	struct insp in = { c, ru, buf, len, IDS_RECURSION_LIMIT, min_end,
		min_end > 0 && ru->located };

	if (len == 0)
		return false;
	return inspect(&in, 0, 0, 0) == 1;
}

/* ------------------------------------------------------------------ */
/* one rule                                                           */

/* 0: no match, 1: match in the packet, 2: match in the stream. */
static int
rule_match(struct ids_detect_ctx *c, const struct ids_rule *ru,
	   const struct ids_pkt *p)
{
	bool pseudo = p->flags & IDS_PKT_PSEUDO;

	if (!header_match(ru, p) || !flow_match(ru, p))
		return 0;
	if (ru->nsteps == 0) {
		if (pseudo)
			return 0;
		if (ru->dsize_op != IDS_DS_NONE && !dsize_match(ru, p->payload_len))
			return 0;
		return flowbits_cond(ru, p->fd) ? 1 : 0;
	}
	if (ru->dsize_op != IDS_DS_NONE &&
	    (pseudo || !dsize_match(ru, p->payload_len)))
		return 0;
	if (!flowbits_cond(ru, p->fd))
		return 0;
	/* TCP: the stream when this packet has stream data (Suricata's
	 * PKT_DETECT_HAS_STREAMDATA), else the packet */
	bool stream = p->proto == IPPROTO_TCP && (p->flags & IDS_PKT_STREAM) &&
		p->stream != NULL && !(ru->flow & IDS_FL_NO_STREAM);
	if (stream)
		return payload_match(c, ru, p->stream, p->stream_len,
				     p->stream_new_off) ? 2 : 0;
	if (pseudo || (ru->flow & IDS_FL_ONLY_STREAM))
		return 0;
	return payload_match(c, ru, p->payload, p->payload_len, 0) ? 1 : 0;
}

/* Runs the rules listed in cand (evaluation order); fills out. */
static int
evaluate(struct ids_detect_ctx *c, const struct ids_rules *r,
	 const struct ids_pkt *p, const uint32_t *cand, uint32_t ncand,
	 struct ids_match *out, unsigned int max)
{
	unsigned int n = 0;

	c->ctr[IDS_DC_candidates] += ncand;
	for (uint32_t k = 0; k < ncand; k++) {
		const struct ids_rule *ru = &r->rules[cand[k]];
		int m = rule_match(c, ru, p);

		if (m == 0)
			continue;
		/* Suricata runs flowbit updates as soon as a rule matches and
		 * detection_filter/threshold when it finalises the alerts, so
		 * a suppressed match still sets its flowbits but neither
		 * alerts nor applies its action. */
		c->ctr[IDS_DC_matches]++;
		flowbits_apply(ru, p->fd);
		bool pass = ru->info.action == IDS_ACT_PASS;
		if ((ru->df.type != IDS_THR_NONE && !thr_check(c, ru, &ru->df, p)) ||
		    (ru->thr.type != IDS_THR_NONE &&
		     !thr_check(c, ru, &ru->thr, p))) {
			c->ctr[IDS_DC_thresholded]++;
			continue;
		}
		c->hits[ru->info.idx]++;	/* fired: alerts per sid */
		uint16_t fl = ru->info.flags | (m == 2 ? IDS_MATCH_STREAM : 0);
		if (pass)
			fl |= IDS_RULE_NOALERT;	/* pass rules never alert */
		else if (!(fl & IDS_RULE_NOALERT))
			c->ctr[IDS_DC_alerts]++;
		if (pass)
			n = 0;	/* a pass match is the only one returned */
		if (n < max) {
			struct ids_match *o = &out[n++];
			o->rule = &ru->info;
			o->sid = ru->info.sid;
			o->gid = ru->info.gid;
			o->rev = ru->info.rev;
			o->action = ru->info.action;
			o->priority = ru->info.priority;
			o->flags = fl;
			o->msg = ru->info.msg;
			o->category = ru->info.category;
		} else {
			c->ctr[IDS_DC_truncated]++;
		}
		if (pass) {
			c->ctr[IDS_DC_pass]++;
			break;
		}
	}
	return (int)n;
}

static inline const struct ids_group *
group_of(const struct ids_rules *r, const struct ids_pkt *p)
{
	int pcl;

	switch (p->proto) {
	case IPPROTO_TCP: pcl = IDS_PC_TCP; break;
	case IPPROTO_UDP: pcl = IDS_PC_UDP; break;
	case IPPROTO_ICMP: case IPPROTO_ICMPV6: pcl = IDS_PC_ICMP; break;
	default: pcl = IDS_PC_OTHER; break;
	}
	const struct ids_pmap *pm = &r->map[pcl][(p->flags & IDS_PKT_TO_CLIENT) ? 1 : 0];
	if (pm->ngroups == 0)
		return NULL;
	return &pm->groups[pm->port_group ? pm->port_group[p->dport] : 0];
}

static inline void
flow_ns_check(struct ids_detect_ctx *c, const struct ids_rules *r,
	      const struct ids_pkt *p)
{
	struct ids_flow_det *fd = p->fd;

	if (fd != NULL && fd->ns != r->fb_ns) {
		memset(fd->bits, 0, fd->nwords * sizeof(uint64_t));
		fd->ns = r->fb_ns;
		c->ctr[IDS_DC_flowbits_reset]++;
	}
}

static int
on_hs_match(unsigned int id, unsigned long long from, unsigned long long to,
	    unsigned int flags, void *ctx)
{
	struct ids_detect_ctx *c = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (c->stamp[id] != c->pkt_no) {
		c->stamp[id] = c->pkt_no;
		c->cand[c->ncand++] = id;
	}
	return 0;
}

static void
sort_u32(uint32_t *v, uint32_t n)
{
	/* insertion sort for the usual handful, heap sort beyond (no
	 * allocation, unlike qsort) */
	if (n <= 24) {
		for (uint32_t i = 1; i < n; i++) {
			uint32_t x = v[i], j = i;
			while (j > 0 && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
		return;
	}
	for (uint32_t s = n / 2; s-- > 0;) {
		for (uint32_t i = s;;) {
			uint32_t l = 2 * i + 1, m = i;
			if (l < n && v[l] > v[m])
				m = l;
			if (l + 1 < n && v[l + 1] > v[m])
				m = l + 1;
			if (m == i)
				break;
			uint32_t t = v[i]; v[i] = v[m]; v[m] = t;
			i = m;
		}
	}
	for (uint32_t e = n; e-- > 1;) {
		uint32_t t = v[0]; v[0] = v[e]; v[e] = t;
		for (uint32_t i = 0;;) {
			uint32_t l = 2 * i + 1, m = i;
			if (l < e && v[l] > v[m])
				m = l;
			if (l + 1 < e && v[l + 1] > v[m])
				m = l + 1;
			if (m == i)
				break;
			t = v[i]; v[i] = v[m]; v[m] = t;
			i = m;
		}
	}
}

int
ids_detect(struct ids_detect_ctx *c, const struct ids_rules *r,
	   const struct ids_pkt *p, struct ids_match *out, unsigned int max)
{
	if (c->rules_id != r->id)
		return -ESTALE;
	c->ctr[IDS_DC_packets]++;
	const struct ids_group *g = group_of(r, p);
	if (g == NULL || g->nrules == 0)
		return 0;
	flow_ns_check(c, r, p);

	if (++c->pkt_no == 0) {
		memset(c->stamp, 0, c->nrules * sizeof(*c->stamp));
		c->pkt_no = 1;
	}
	c->ncand = 0;
	if (g->db != NULL) {
		bool stream = p->proto == IPPROTO_TCP &&
			(p->flags & IDS_PKT_STREAM) && p->stream != NULL &&
			p->stream_len > 0;
		if (stream) {
			c->ctr[IDS_DC_scans]++;
			if (hs_scan(g->db, (const char *)p->stream, p->stream_len,
				    0, c->scratch, on_hs_match, c) != HS_SUCCESS)
				c->ctr[IDS_DC_scan_errors]++;
		}
		if (!(p->flags & IDS_PKT_PSEUDO) && p->payload_len > 0 &&
		    (!stream || g->has_packet_only)) {
			c->ctr[IDS_DC_scans]++;
			if (hs_scan(g->db, (const char *)p->payload,
				    p->payload_len, 0, c->scratch, on_hs_match,
				    c) != HS_SUCCESS)
				c->ctr[IDS_DC_scan_errors]++;
		}
	}
	if (g->nalways == 0) {
		sort_u32(c->cand, c->ncand);
		return evaluate(c, r, p, c->cand, c->ncand, out, max);
	}
	/* merge the sorted prefilter hits with the group's rules that have
	 * no fast pattern (sorted at build time) */
	sort_u32(c->cand, c->ncand);
	uint32_t a = 0, b = 0, n = 0;
	while (a < c->ncand || b < g->nalways) {
		if (b == g->nalways || (a < c->ncand && c->cand[a] < g->always[b]))
			c->merged[n++] = c->cand[a++];
		else
			c->merged[n++] = g->always[b++];
	}
	return evaluate(c, r, p, c->merged, n, out, max);
}

int
ids_detect_noprefilter(struct ids_detect_ctx *c, const struct ids_rules *r,
		       const struct ids_pkt *p, struct ids_match *out,
		       unsigned int max)
{
	if (c->rules_id != r->id)
		return -ESTALE;
	c->ctr[IDS_DC_packets]++;
	const struct ids_group *g = group_of(r, p);
	if (g == NULL || g->nrules == 0)
		return 0;
	flow_ns_check(c, r, p);
	/* every rule of the class and direction, in order */
	int pcl;
	switch (p->proto) {
	case IPPROTO_TCP: pcl = IDS_PC_TCP; break;
	case IPPROTO_UDP: pcl = IDS_PC_UDP; break;
	case IPPROTO_ICMP: case IPPROTO_ICMPV6: pcl = IDS_PC_ICMP; break;
	default: pcl = IDS_PC_OTHER; break;
	}
	int dir = (p->flags & IDS_PKT_TO_CLIENT) ? 1 : 0;
	uint32_t n = 0;
	for (uint32_t k = 0; k < r->nrules; k++) {
		const struct ids_rule *ru = &r->rules[k];
		bool in;
		switch (pcl) {
		case IDS_PC_TCP: in = ru->proto == 0 || ru->proto == IPPROTO_TCP; break;
		case IDS_PC_UDP: in = ru->proto == 0 || ru->proto == IPPROTO_UDP; break;
		case IDS_PC_ICMP: in = ru->proto == 0 || ru->proto == IPPROTO_ICMP ||
			ru->proto == IPPROTO_ICMPV6 || ru->proto == IDS_PROTO_ICMP4; break;
		default: in = ru->proto == 0; break;
		}
		if (dir == 0 && (ru->flow & IDS_FL_TO_CLIENT))
			in = false;
		if (dir == 1 && (ru->flow & IDS_FL_TO_SERVER))
			in = false;
		if (in)
			c->cand[n++] = k;
	}
	return evaluate(c, r, p, c->cand, n, out, max);
}
