/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_stream: see ids_stream.h for the policy. Sequence numbers wrap, so
 * every comparison is on the signed 32-bit difference (RFC 793 style).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ids_stream.h"

const char *const ids_stream_ctr_names[IDS_STREAM_CTR_MAX] = {
#define X(n, h) [IDS_STREAM_C_##n] = #n,
	IDS_STREAM_COUNTERS(X)
#undef X
};

#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* The largest in-order segment one call may deliver (an IPv6 jumbogram
 * in a linearised buffer is larger; the rest of it is cut and counted). */
#define IDS_STREAM_SEG_MAX (256u * 1024)

/* A held out-of-order segment (or a piece of one). */
struct ids_seg {
	uint32_t seq;
	uint32_t next;		/* next record in the stream's list, 0 = end */
	uint16_t len;
	uint8_t data[IDS_SEG_DATA];
};

struct ids_stream_ctx {
	struct ids_stream_conf conf;
	struct ids_seg *segs;	/* [0] unused: index 0 means "none" */
	uint32_t free_head;	/* freed records, 0 = none */
	uint32_t fresh_next;	/* first record never used */
	uint32_t nfree;
	uint32_t bufsize;
	uint64_t ctr[IDS_STREAM_CTR_MAX];
};

void
ids_stream_conf_default(struct ids_stream_conf *c)
{
	c->depth = 1024 * 1024;
	c->memcap_segs = 16384;
	c->max_ooo = 64;
	c->lookback = 256;
}

struct ids_stream_ctx *
ids_stream_ctx_create(const struct ids_stream_conf *c)
{
	struct ids_stream_ctx *x;

	if (c->lookback > IDS_STREAM_LOOKBACK_MAX || c->max_ooo == 0) {
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->conf = *c;
	x->segs = calloc((size_t)c->memcap_segs + 1, sizeof(*x->segs));
	if (x->segs == NULL) {
		free(x);
		errno = ENOMEM;
		return NULL;
	}
	/* Records never used are taken in order (fresh_next) and only freed
	 * ones go on the free list: the pool's pages are touched when used,
	 * not all at start. */
	x->free_head = 0;
	x->fresh_next = 1;
	x->nfree = c->memcap_segs;
	x->bufsize = c->lookback + IDS_STREAM_SEG_MAX +
		     (uint32_t)c->max_ooo * IDS_SEG_DATA;
	return x;
}

void
ids_stream_ctx_free(struct ids_stream_ctx *x)
{
	if (x == NULL)
		return;
	free(x->segs);
	free(x);
}

const uint64_t *
ids_stream_ctx_counters(const struct ids_stream_ctx *x)
{
	return x->ctr;
}

uint32_t
ids_stream_ctx_free_segs(const struct ids_stream_ctx *x)
{
	return x->nfree;
}

uint32_t
ids_stream_ctx_bufsize(const struct ids_stream_ctx *x)
{
	return x->bufsize;
}

void
ids_stream_init(struct ids_stream *s, uint32_t seq, uint8_t *lb)
{
	memset(s, 0, sizeof(*s));
	s->next_seq = seq;
	s->lb = lb;
	s->flags = IDS_STREAM_F_INIT;
}

static void
seg_free(struct ids_stream_ctx *x, uint32_t i)
{
	x->segs[i].next = x->free_head;
	x->free_head = i;
	x->nfree++;
}

void
ids_stream_release(struct ids_stream_ctx *x, struct ids_stream *s)
{
	uint32_t i = s->seg_head;

	while (i != 0) {
		uint32_t n = x->segs[i].next;

		seg_free(x, i);
		i = n;
	}
	s->seg_head = 0;
	s->nsegs = 0;
}

/* The output being built for one call. */
struct out {
	uint8_t *buf;
	uint32_t pos;
	uint32_t cap;
};

static void
out_begin(struct ids_stream *s, struct out *o, uint8_t *buf, uint32_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->pos = s->lb_len;
	if (s->lb_len)
		memcpy(buf, s->lb, s->lb_len);
}

/* Append N in-order bytes, cut at the depth. */
static void
deliver(struct ids_stream_ctx *x, struct ids_stream *s, struct out *o,
	const uint8_t *p, uint32_t n)
{
	uint32_t take = n;

	s->next_seq += n;
	if (s->flags & IDS_STREAM_F_DEPTH) {
		x->ctr[IDS_STREAM_C_stream_depth_bytes] += n;
		return;
	}
	if (x->conf.depth && s->off + take > x->conf.depth)
		take = (uint32_t)(x->conf.depth - s->off);
	if (take > o->cap - o->pos) {	/* only a jumbogram gets here */
		x->ctr[IDS_STREAM_C_stream_memcap]++;
		take = o->cap - o->pos;
	}
	memcpy(o->buf + o->pos, p, take);
	o->pos += take;
	s->off += take;
	x->ctr[IDS_STREAM_C_stream_bytes] += take;
	if (take < n) {
		s->flags |= IDS_STREAM_F_DEPTH;
		x->ctr[IDS_STREAM_C_stream_depth]++;
		x->ctr[IDS_STREAM_C_stream_depth_bytes] += n - take;
		ids_stream_release(x, s);
	}
}

/*
 * Deliver the held records that start at or before next_seq. SEQ/DATA/LEN
 * is the segment that arrived with them (LEN 0: none), so that a held
 * record that overlaps it with other bytes is counted: the held bytes were
 * seen first and are the ones delivered.
 */
static void
drain(struct ids_stream_ctx *x, struct ids_stream *s, struct out *o,
      uint32_t seq, const uint8_t *data, uint32_t len)
{
	while (s->seg_head != 0) {
		uint32_t i = s->seg_head;
		struct ids_seg *r = &x->segs[i];
		uint32_t end = r->seq + r->len;

		if (SEQ_GT(r->seq, s->next_seq))
			break;
		/* Off the list before delivering: a delivery that reaches
		 * the depth releases every held record, and this one must
		 * not be among them (it would be freed twice). */
		s->seg_head = r->next;
		s->nsegs--;
		if (SEQ_GT(end, s->next_seq)) {
			uint32_t skip = s->next_seq - r->seq;
			uint32_t a = s->next_seq, b = end;

			/* Does the new segment cover [a, b) too? */
			if (len && SEQ_LT(a, seq + len) && SEQ_GT(b, seq)) {
				uint32_t lo = SEQ_GT(seq, a) ? seq : a;
				uint32_t hi = SEQ_LT(seq + len, b) ? seq + len : b;

				x->ctr[IDS_STREAM_C_stream_overlap]++;
				if (memcmp(r->data + (lo - r->seq),
					   data + (lo - seq), hi - lo) != 0)
					x->ctr[IDS_STREAM_C_stream_overlap_diff]++;
			}
			deliver(x, s, o, r->data + skip, r->len - skip);
		}
		seg_free(x, i);
		if (s->flags & IDS_STREAM_F_DEPTH)
			break;
	}
}

/* Hold [seq, seq + len), filling only bytes no held record covers. */
static void
hold(struct ids_stream_ctx *x, struct ids_stream *s, uint32_t seq,
     const uint8_t *data, uint32_t len)
{
	uint32_t cur = seq, end = seq + len;
	uint32_t prev = 0, ri = s->seg_head;
	bool overlap = false, diff = false;

	/* Data that starts past the depth is never needed. */
	if (x->conf.depth &&
	    s->off + (uint32_t)(seq - s->next_seq) >= x->conf.depth) {
		x->ctr[IDS_STREAM_C_stream_depth_bytes] += len;
		return;
	}
	x->ctr[IDS_STREAM_C_stream_ooo]++;
	while (SEQ_LT(cur, end)) {
		struct ids_seg *r;
		uint32_t pend, ni;

		while (ri != 0 && SEQ_LEQ(x->segs[ri].seq + x->segs[ri].len, cur)) {
			prev = ri;
			ri = x->segs[ri].next;
		}
		if (ri != 0 && SEQ_LEQ(x->segs[ri].seq, cur)) {
			/* cur is inside a held record: the held bytes stay. */
			r = &x->segs[ri];
			pend = SEQ_LT(end, r->seq + r->len) ? end : r->seq + r->len;
			overlap = true;
			if (memcmp(r->data + (cur - r->seq), data + (cur - seq),
				   pend - cur) != 0)
				diff = true;
			cur = pend;
			continue;
		}
		pend = end;
		if (ri != 0 && SEQ_LT(x->segs[ri].seq, pend))
			pend = x->segs[ri].seq;
		if (pend - cur > IDS_SEG_DATA)
			pend = cur + IDS_SEG_DATA;
		if (s->nsegs >= x->conf.max_ooo) {
			x->ctr[IDS_STREAM_C_stream_ooo_limit]++;
			break;
		}
		if (x->free_head != 0) {
			ni = x->free_head;
			x->free_head = x->segs[ni].next;
		} else if (x->fresh_next <= x->conf.memcap_segs) {
			ni = x->fresh_next++;
		} else {
			x->ctr[IDS_STREAM_C_stream_memcap]++;
			break;
		}
		r = &x->segs[ni];
		x->nfree--;
		r->seq = cur;
		r->len = (uint16_t)(pend - cur);
		memcpy(r->data, data + (cur - seq), r->len);
		r->next = ri;
		if (prev == 0)
			s->seg_head = ni;
		else
			x->segs[prev].next = ni;
		prev = ni;
		s->nsegs++;
		cur = pend;
	}
	if (overlap)
		x->ctr[IDS_STREAM_C_stream_overlap]++;
	if (diff)
		x->ctr[IDS_STREAM_C_stream_overlap_diff]++;
}

/* Keep the tail of the output as the next call's lookback, fill V. */
static uint32_t
finish(struct ids_stream_ctx *x, struct ids_stream *s, struct out *o,
       uint32_t new_off, uint64_t stream_off, bool gap,
       struct ids_stream_view *v)
{
	uint32_t keep = o->pos < x->conf.lookback ? o->pos : x->conf.lookback;

	v->buf = o->buf;
	v->len = o->pos;
	v->new_off = new_off;
	v->stream_off = stream_off;
	v->gap = gap;
	if (keep && s->lb != NULL)
		memmove(s->lb, o->buf + o->pos - keep, keep);
	s->lb_len = s->lb != NULL ? (uint16_t)keep : 0;
	return o->pos - new_off;
}

uint32_t
ids_stream_data(struct ids_stream_ctx *x, struct ids_stream *s, uint32_t seq,
		const uint8_t *data, uint32_t len, uint8_t *buf,
		struct ids_stream_view *v)
{
	struct out o;
	uint32_t new_off;
	uint64_t off0 = s->off;

	/* Nothing delivered (no data, old data, held data): an empty view,
	 * and the lookback is neither copied nor moved. */
	v->buf = buf;
	v->len = v->new_off = 0;
	v->stream_off = off0;
	v->gap = false;
	if (len == 0)
		return 0;
	x->ctr[IDS_STREAM_C_stream_segs]++;
	if (SEQ_LEQ(seq + len, s->next_seq)) {
		/* Wholly old data: what was delivered first stays. */
		x->ctr[IDS_STREAM_C_stream_retrans]++;
		return 0;
	}
	if (SEQ_GT(seq, s->next_seq)) {
		if (!(s->flags & IDS_STREAM_F_DEPTH))
			hold(x, s, seq, data, len);
		else
			x->ctr[IDS_STREAM_C_stream_depth_bytes] += len;
		return 0;
	}
	if (s->flags & IDS_STREAM_F_DEPTH) {
		uint32_t n = seq + len - s->next_seq;

		x->ctr[IDS_STREAM_C_stream_depth_bytes] += n;
		s->next_seq += n;
		return 0;
	}
	out_begin(s, &o, buf, x->bufsize);
	new_off = o.pos;
	if (SEQ_LT(seq, s->next_seq))
		x->ctr[IDS_STREAM_C_stream_overlap]++;
	for (;;) {
		uint32_t lim = seq + len;

		drain(x, s, &o, seq, data, len);
		if (SEQ_LEQ(seq + len, s->next_seq))
			break;
		if (s->seg_head != 0 && SEQ_LT(x->segs[s->seg_head].seq, lim))
			lim = x->segs[s->seg_head].seq;
		deliver(x, s, &o, data + (s->next_seq - seq),
			lim - s->next_seq);
	}
	return finish(x, s, &o, new_off, off0, false, v);
}

/* Skip the hole before TARGET: count it, drop the lookback. */
static void
gap_to(struct ids_stream_ctx *x, struct ids_stream *s, uint32_t target)
{
	uint32_t n = target - s->next_seq;

	x->ctr[IDS_STREAM_C_stream_gap]++;
	x->ctr[IDS_STREAM_C_stream_gap_bytes] += n;
	s->next_seq = target;
	if (!(s->flags & IDS_STREAM_F_DEPTH)) {
		s->off += n;
		if (x->conf.depth && s->off >= x->conf.depth) {
			s->flags |= IDS_STREAM_F_DEPTH;
			x->ctr[IDS_STREAM_C_stream_depth]++;
		}
	}
	s->flags |= IDS_STREAM_F_GAP;
	s->lb_len = 0;
}

uint32_t
ids_stream_ack(struct ids_stream_ctx *x, struct ids_stream *s, uint32_t ack,
	       uint8_t *buf, struct ids_stream_view *v)
{
	struct out o;
	uint32_t target;
	uint64_t off0;

	v->len = v->new_off = 0;
	v->buf = buf;
	v->gap = false;
	v->stream_off = s->off;
	/* Only an ack past the data we have, and within 1 GiB (anything
	 * farther is garbage, not a hole), is evidence of a gap. */
	if (!(s->flags & IDS_STREAM_F_INIT) || SEQ_LEQ(ack, s->next_seq) ||
	    ack - s->next_seq > (1u << 30))
		return 0;
	target = ack;
	if (s->seg_head != 0 && SEQ_LT(x->segs[s->seg_head].seq, ack))
		target = x->segs[s->seg_head].seq;
	gap_to(x, s, target);
	off0 = s->off;
	out_begin(s, &o, buf, x->bufsize);
	drain(x, s, &o, 0, NULL, 0);
	return finish(x, s, &o, 0, off0, true, v);
}

uint32_t
ids_stream_flush(struct ids_stream_ctx *x, struct ids_stream *s, uint8_t *buf,
		 struct ids_stream_view *v)
{
	struct out o;
	uint64_t off0;

	v->len = v->new_off = 0;
	v->buf = buf;
	v->gap = false;
	v->stream_off = s->off;
	if (s->seg_head == 0)
		return 0;
	gap_to(x, s, x->segs[s->seg_head].seq);
	off0 = s->off;
	out_begin(s, &o, buf, x->bufsize);
	drain(x, s, &o, 0, NULL, 0);
	return finish(x, s, &o, 0, off0, true, v);
}
