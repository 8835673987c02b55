/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect payload inspection: a rule's chain of content, pcre and
 * isdataat steps run over one buffer (the packet payload or the stream),
 * with Suricata's relative keywords, retries at later occurrences of an
 * earlier step, the stream lookback, and the inspection recursion limit.
 *
 * Nothing here allocates, locks or calls the kernel: pcre uses the
 * context's match data.
 */
#define _GNU_SOURCE	/* memmem */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
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

bool
ids_payload_match(struct ids_detect_ctx *c, const struct ids_rule *ru,
		  const uint8_t *buf, uint32_t len, uint32_t min_end)
{
	struct insp in = { c, ru, buf, len, IDS_RECURSION_LIMIT, min_end,
		min_end > 0 && ru->located };

	if (len == 0)
		return false;
	return inspect(&in, 0, 0, 0) == 1;
}
