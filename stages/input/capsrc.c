/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capsrc: scan, preload and stream a capture file. Everything here runs
 * before the pacer starts or on the main lcore; nothing is on the TX path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include "capsrc.h"
#include "ffwd_ring.h"

/* One record as it will be sent. */
struct capsrc_rec {
	const u_char *data;
	uint32_t caplen;	/**< bytes in the file */
	uint32_t len;		/**< wire length the record claims */
	uint32_t send_len;	/**< bytes to send: caplen, or padded */
	uint64_t abs_ns;	/**< capture time */
};

static int
capsrc_err(char *err, size_t errlen, int ret, const char *fmt, ...)
	__rte_format_printf(4, 5);

static int
capsrc_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* Nanosecond stamps whatever the file holds, so one code path serves
 * pcap (us or ns) and pcapng (any if_tsresol). FP, if not NULL, is read
 * instead of opening FILE; it is closed in every case (by pcap_close()
 * once libpcap has it). */
static pcap_t *
capsrc_open(const char *file, FILE *fp, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;
	int dlt;

	if (fp != NULL) {
		p = pcap_fopen_offline_with_tstamp_precision(fp,
				PCAP_TSTAMP_PRECISION_NANO, perr);
		if (p == NULL)
			fclose(fp);
	} else {
		p = pcap_open_offline_with_tstamp_precision(file,
				PCAP_TSTAMP_PRECISION_NANO, perr);
	}
	if (p == NULL) {
		capsrc_err(err, errlen, 0,
			   "%s: cannot read capture: %s; expected a pcap or "
			   "pcapng file", file, perr);
		return NULL;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);

		capsrc_err(err, errlen, 0,
			   "%s: link type %d (%s) is not Ethernet; expected "
			   "LINKTYPE_ETHERNET (1)", file, dlt,
			   name != NULL ? name : "unknown");
		pcap_close(p);
		return NULL;
	}
	return p;
}

/* @return 1 with *r filled, 0 at the end, -EIO on a read error. */
static int
capsrc_next(pcap_t *p, const char *file, const struct capsrc_opts *o,
	    uint64_t n_read, struct capsrc_rec *r, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int ret;

	ret = pcap_next_ex(p, &h, &data);
	if (ret == PCAP_ERROR_BREAK)
		return 0;
	if (ret != 1)
		return capsrc_err(err, errlen, -EIO,
				  "%s: capture broken after %" PRIu64 " records: "
				  "%s; expected whole records to the end of the "
				  "file", file, n_read, pcap_geterr(p));
	r->data = data;
	r->caplen = h->caplen;
	r->len = h->len;
	r->send_len = h->caplen;
	if (o->pad && h->len > h->caplen)
		r->send_len = RTE_MAX(h->caplen, RTE_MIN(h->len,
					(uint32_t)CAPSRC_PAD_MAX));
	r->abs_ns = (uint64_t)h->ts.tv_sec * 1000000000u +
		    (uint64_t)h->ts.tv_usec;
	return 1;
}

/* Record I (of the non-empty ones) is in OPTS' share. */
static inline bool
capsrc_in_share(const struct capsrc_opts *opts, uint64_t i)
{
	uint64_t every = opts->every != 0 ? opts->every : 1;

	return i >= opts->from && (i - opts->from) % every == 0;
}

static int
capsrc_scan_src(const char *file, FILE *fp, const struct capsrc_opts *opts,
		struct capsrc_info *info, char *err, size_t errlen)
{
	uint64_t first = 0, prev = 0, segs_max_room = 0, share_segs = 0;
	struct capsrc_rec r = { 0 };
	pcap_t *p;
	int ret;

	memset(info, 0, sizeof(*info));
	p = capsrc_open(file, fp, err, errlen);
	if (p == NULL)
		return -EINVAL;
	info->nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
	while ((ret = capsrc_next(p, file, opts, info->records, &r, err,
				  errlen)) == 1) {
		uint64_t rel;

		info->records++;
		if (r.caplen < r.len) {
			info->short_recs++;
			if (r.send_len > r.caplen)
				info->padded++;
		}
		if (r.send_len == 0) {
			info->empty++;
			continue;
		}
		if (info->packets == 0)
			first = r.abs_ns;
		rel = r.abs_ns >= first ? r.abs_ns - first : 0;
		if (rel < prev) {
			info->backwards++;
			rel = prev;
		}
		prev = rel;
		if (capsrc_in_share(opts, info->packets)) {
			info->share_packets++;
			share_segs += (r.send_len + CAPSRC_SEG_ROOM_MAX - 1) /
				      CAPSRC_SEG_ROOM_MAX;
		}
		info->packets++;
		info->bytes += r.send_len;
		info->max_len = RTE_MAX(info->max_len, r.send_len);
		segs_max_room += (r.send_len + CAPSRC_SEG_ROOM_MAX - 1) /
				 CAPSRC_SEG_ROOM_MAX;
	}
	pcap_close(p);
	if (ret < 0)
		return -EINVAL;
	if (info->packets == 0)
		return capsrc_err(err, errlen, -ENODATA,
				  "%s: nothing to send: %" PRIu64 " records, %"
				  PRIu64 " of them empty; expected at least one "
				  "packet", file, info->records, info->empty);
	info->span_ns = prev;
	info->period_ns = prev + (info->packets > 1 ? prev / (info->packets - 1) : 0);
	/* Small packets get small mbufs: a capture of 64-byte frames
	 * preloads in a seventh of the memory of default-sized ones. */
	if (info->max_len <= CAPSRC_SEG_ROOM_MAX) {
		info->seg_room = RTE_ALIGN_CEIL(info->max_len, 64);
		info->segs = info->packets;
		info->share_segs = info->share_packets;
	} else {
		info->seg_room = CAPSRC_SEG_ROOM_MAX;
		info->segs = segs_max_room;
		info->share_segs = share_segs;
	}
	return 0;
}

int
capsrc_scan(const char *file, const struct capsrc_opts *opts,
	    struct capsrc_info *info, char *err, size_t errlen)
{
	return capsrc_scan_src(file, NULL, opts, info, err, errlen);
}

int
capsrc_scan_fp(FILE *fp, const char *file, const struct capsrc_opts *opts,
	       struct capsrc_info *info, char *err, size_t errlen)
{
	return capsrc_scan_src(file, fp, opts, info, err, errlen);
}

uint64_t
capsrc_preload_bytes(const struct capsrc_info *info)
{
	struct rte_mempool_objsz sz;
	uint32_t elt = sizeof(struct rte_mbuf) + RTE_PKTMBUF_HEADROOM +
		       info->seg_room;

	rte_mempool_calc_obj_size(elt, 0, &sz);
	/* objects, the pool's ring of pointers (rounded to a power of two),
	 * the packet, timestamp and gap arrays */
	return info->share_segs * sz.total_size +
	       rte_align64pow2(info->share_segs + 1) * sizeof(void *) +
	       info->share_packets * (sizeof(void *) + 2 * sizeof(uint64_t));
}

/* One packet, chained over as many mbufs as it needs; NULL: pool empty. */
static struct rte_mbuf *
capsrc_build(struct rte_mempool *mp, const struct capsrc_rec *r,
	     uint16_t seg_room)
{
	struct rte_mbuf *head = NULL, *tail = NULL, *m;
	uint32_t off = 0;

	while (off < r->send_len) {
		uint32_t take = RTE_MIN(r->send_len - off, (uint32_t)seg_room);
		uint8_t *dst;

		m = rte_pktmbuf_alloc(mp);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		dst = rte_pktmbuf_mtod(m, uint8_t *);
		/* Bytes past the captured length are the padding: zeros. */
		if (off < r->caplen) {
			uint32_t have = RTE_MIN(take, r->caplen - off);

			memcpy(dst, r->data + off, have);
			memset(dst + have, 0, take - have);
		} else {
			memset(dst, 0, take);
		}
		m->data_len = (uint16_t)take;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
		}
		tail = m;
		off += take;
	}
	head->pkt_len = r->send_len;
	return head;
}

static struct capsrc *
capsrc_load_src(const char *file, FILE *fp, const struct capsrc_opts *opts,
		const struct capsrc_info *info, int socket, char *err,
		size_t errlen)
{
	uint64_t first = 0, prev = 0, k = 0, n_read = 0, i = 0;
	/* the share's packet before (index, bytes before it in the pass) */
	uint64_t prev_i = 0, prev_cum = 0, cum = 0;
	uint32_t *span_pkts = NULL, *span_bytes = NULL;
	struct capsrc_rec r = { 0 };
	uint64_t m = info->share_packets;
	struct capsrc *c;
	pcap_t *p = NULL;
	int ret;

	if (m == 0) {
		capsrc_err(err, errlen, 0, "%s: every: %" PRIu64 " from: %" PRIu64
			   " takes none of its %" PRIu64 " packets; expected from "
			   "below the packet count", file, opts->every, opts->from,
			   info->packets);
		if (fp != NULL)
			fclose(fp);
		rte_errno = EINVAL;
		return NULL;
	}
	c = rte_zmalloc_socket("capsrc", sizeof(*c), RTE_CACHE_LINE_SIZE, socket);
	if (c == NULL)
		goto nomem;
	c->info = *info;
	c->chained = info->max_len > info->seg_room;
	c->pkts = rte_malloc_socket("capsrc_pkts", m * sizeof(*c->pkts),
				    RTE_CACHE_LINE_SIZE, socket);
	c->ts_ns = rte_malloc_socket("capsrc_ts", m * sizeof(*c->ts_ns),
				     RTE_CACHE_LINE_SIZE, socket);
	c->gap_ns = rte_malloc_socket("capsrc_gap", m * sizeof(*c->gap_ns),
				      RTE_CACHE_LINE_SIZE, socket);
	/* the spans, until the mbufs get them: freed before returning */
	span_pkts = rte_malloc_socket("capsrc_span", m * sizeof(*span_pkts), 0, socket);
	span_bytes = rte_malloc_socket("capsrc_span", m * sizeof(*span_bytes), 0, socket);
	if (c->pkts == NULL || c->ts_ns == NULL || c->gap_ns == NULL ||
	    span_pkts == NULL || span_bytes == NULL)
		goto nomem;
	/* No per-lcore cache: nothing is allocated after this, and every
	 * mbuf must be accounted for in the pool at the end. */
	c->pool = rte_pktmbuf_pool_create(opts->pool != NULL ? opts->pool :
					  "capsrc_pool", (unsigned int)info->share_segs,
					  0, 0, RTE_PKTMBUF_HEADROOM + info->seg_room,
					  socket);
	if (c->pool == NULL)
		goto nomem;
	p = capsrc_open(file, fp, err, errlen);
	fp = NULL;
	if (p == NULL) {
		rte_errno = EIO;
		goto fail;
	}
	while ((ret = capsrc_next(p, file, opts, n_read, &r, err, errlen)) == 1) {
		uint64_t rel;

		n_read++;
		if (r.send_len == 0)
			continue;
		if (i == info->packets)
			break;
		if (i == 0)
			first = r.abs_ns;
		rel = r.abs_ns >= first ? r.abs_ns - first : 0;
		prev = rel = RTE_MAX(rel, prev);
		if (capsrc_in_share(opts, i)) {
			if (k == m) {
				capsrc_err(err, errlen, 0,
					   "%s: changed since it was read: more "
					   "than %" PRIu64 " packets to preload",
					   file, m);
				rte_errno = EIO;
				goto fail;
			}
			c->pkts[k] = capsrc_build(c->pool, &r, info->seg_room);
			if (c->pkts[k] == NULL) {
				capsrc_err(err, errlen, 0,
					   "%s: changed since it was read: mbufs ran "
					   "out at packet %" PRIu64, file, i + 1);
				rte_errno = EIO;
				goto fail;
			}
			if (k == 0) {
				c->lead_pkts = i;
				c->lead_bytes = cum;
			} else {
				span_pkts[k] = (uint32_t)(i - prev_i);
				span_bytes[k] = (uint32_t)(cum - prev_cum);
			}
			prev_i = i;
			prev_cum = cum;
			c->ts_ns[k++] = rel;
		}
		cum += r.send_len;
		i++;
	}
	if (ret < 0 || i != info->packets || k != m) {
		if (ret >= 0)
			capsrc_err(err, errlen, 0,
				   "%s: changed since it was read: %" PRIu64
				   " packets instead of %" PRIu64, file, i,
				   info->packets);
		rte_errno = EIO;
		goto fail;
	}
	pcap_close(p);
	p = NULL;
	c->n = k;
	/* The share's first packet follows its last across the turn of the
	 * pass: the rest of that pass, then what precedes the first. */
	span_pkts[0] = (uint32_t)(i - prev_i + c->lead_pkts);
	span_bytes[0] = (uint32_t)(cum - prev_cum + c->lead_bytes);
	c->lead_ns = c->ts_ns[0];
	/* Gaps are what a paced output follows; the first packet's covers
	 * the turn from one pass to the next. */
	for (k = 0; k < c->n; k++) {
		c->gap_ns[k] = k == 0 ? info->period_ns - c->ts_ns[c->n - 1] + c->ts_ns[0] :
			       c->ts_ns[k] - c->ts_ns[k - 1];
		if (opts->gap_field > 0)
			*RTE_MBUF_DYNFIELD(c->pkts[k], opts->gap_field, uint64_t *) =
				c->gap_ns[k];
		if (opts->span_field > 0) {
			/* struct stage_span: packets, then bytes */
			uint32_t *sp = RTE_MBUF_DYNFIELD(c->pkts[k], opts->span_field,
							 uint32_t *);

			sp[0] = span_pkts[k];
			sp[1] = span_bytes[k];
		}
	}
	rte_free(span_pkts);
	rte_free(span_bytes);
	return c;
nomem:
	capsrc_err(err, errlen, 0,
		   "%s: does not fit in memory: %" PRIu64 " packets in %" PRIu64
		   " mbufs of %u bytes (%.1f MiB): %s; expected a larger -m / "
		   "--memory, or --stream", file, m, info->share_segs,
		   info->seg_room, capsrc_preload_bytes(info) / 1048576.0,
		   rte_strerror(rte_errno));
	rte_errno = ENOMEM;
fail:
	ret = rte_errno;
	if (p != NULL)
		pcap_close(p);
	if (fp != NULL)
		fclose(fp);
	if (c != NULL) {
		c->n = k;
		capsrc_free(c);
	}
	rte_free(span_pkts);
	rte_free(span_bytes);
	rte_errno = ret;
	return NULL;
}

struct capsrc *
capsrc_load(const char *file, const struct capsrc_opts *opts,
	    const struct capsrc_info *info, int socket, char *err,
	    size_t errlen)
{
	return capsrc_load_src(file, NULL, opts, info, socket, err, errlen);
}

struct capsrc *
capsrc_load_fp(FILE *fp, const char *file, const struct capsrc_opts *opts,
	       const struct capsrc_info *info, int socket, char *err,
	       size_t errlen)
{
	return capsrc_load_src(file, fp, opts, info, socket, err, errlen);
}

unsigned int
capsrc_release(struct capsrc *c)
{
	uint64_t k;

	if (c->pkts != NULL)
		for (k = 0; k < c->n; k++)
			rte_pktmbuf_free(c->pkts[k]);
	c->n = 0;
	return c->pool != NULL ? rte_mempool_avail_count(c->pool) : 0;
}

void
capsrc_free(struct capsrc *c)
{
	if (c == NULL)
		return;
	capsrc_release(c);
	rte_mempool_free(c->pool);
	rte_free(c->pkts);
	rte_free(c->ts_ns);
	rte_free(c->gap_ns);
	rte_free(c);
}

int
capsrc_stream_init(struct capsrc_stream *s)
{
	if (s->gap_field <= 0)
		return capsrc_err(s->err, sizeof(s->err), -EINVAL,
				  "%s: no mbuf dynfield for capture gaps", s->file);
	s->pcap = NULL;
	s->pass = s->read = 0;
	s->prev_t = 0;
	s->prev_len = 0;
	s->nh = s->hi = 0;
	s->done = 0;
	return 0;
}

/* Hand the built packets to the pacer; false while some are left. */
static bool
capsrc_stream_flush(struct capsrc_stream *s)
{
	unsigned int k;

	if (s->hi == s->nh)
		return true;
	k = ring_enqueue_burst(s->ring, (void *const *)s->held + s->hi,
			       s->nh - s->hi);
	s->hi += k;
	s->read += k;
	return s->hi == s->nh;
}

int
capsrc_stream_poll(struct capsrc_stream *s)
{
	/* The pool has no cache and only this thread allocates, so this many
	 * free mbufs guarantee that the record just read can be built. */
	const unsigned int need = (s->info.max_len + CAPSRC_SEG_ROOM_MAX - 1) /
				  CAPSRC_SEG_ROOM_MAX;
	uint64_t before = s->read;
	struct capsrc_rec r = { 0 };
	int ret;

	if (!capsrc_stream_flush(s))
		return (int)(s->read - before);
	if (s->done)
		return -ENODATA;
	s->nh = s->hi = 0;
	while (s->nh < RTE_DIM(s->held)) {
		uint64_t rel, t;

		if (s->pcap == NULL) {
			if (s->loops != 0 && s->pass == s->loops)
				break;
			s->pcap = capsrc_open(s->file, NULL, s->err, sizeof(s->err));
			if (s->pcap == NULL)
				return -EIO;
			s->first_seen = false;
			s->prev_rel = 0;
		}
		if (rte_mempool_avail_count(s->pool) < need)
			break;
		ret = capsrc_next(s->pcap, s->file, &s->opts, s->read, &r,
				  s->err, sizeof(s->err));
		if (ret < 0)
			return ret;
		if (ret == 0) {
			pcap_close(s->pcap);
			s->pcap = NULL;
			s->pass++;
			continue;
		}
		if (r.send_len == 0)
			continue;
		if (!s->first_seen) {
			s->first_abs = r.abs_ns;
			s->first_seen = true;
		}
		rel = r.abs_ns >= s->first_abs ? r.abs_ns - s->first_abs : 0;
		s->prev_rel = rel = RTE_MAX(rel, s->prev_rel);
		s->held[s->nh] = capsrc_build(s->pool, &r, CAPSRC_SEG_ROOM_MAX);
		if (s->held[s->nh] == NULL)
			return capsrc_err(s->err, sizeof(s->err), -ENOMEM,
					  "%s: stream pool ran dry", s->file);
		t = s->pass * s->info.period_ns + rel;
		*RTE_MBUF_DYNFIELD(s->held[s->nh], s->gap_field, uint64_t *) =
			s->read + s->nh == 0 ? 0 : t - s->prev_t;
		s->prev_t = t;
		if (s->span_field > 0) {
			/* struct stage_span: packets, then bytes */
			uint32_t *sp = RTE_MBUF_DYNFIELD(s->held[s->nh],
					s->span_field, uint32_t *);
			bool first = s->read + s->nh == 0;

			sp[0] = first ? 0 : 1;
			sp[1] = first ? 0 : s->prev_len;
		}
		s->prev_len = r.send_len;
		s->nh++;
	}
	if (!capsrc_stream_flush(s))
		return (int)(s->read - before);
	if (s->pcap == NULL && s->loops != 0 && s->pass == s->loops) {
		/* RELEASE pairs with the pacer's ACQUIRE load of ring_done:
		 * every enqueue above is visible before done is. */
		__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
		if (s->read == before)
			return -ENODATA;
	}
	return (int)(s->read - before);
}

void
capsrc_stream_close(struct capsrc_stream *s)
{
	if (s->pcap != NULL)
		pcap_close(s->pcap);
	s->pcap = NULL;
	if (s->hi < s->nh)
		rte_pktmbuf_free_bulk(s->held + s->hi, s->nh - s->hi);
	s->nh = s->hi = 0;
}
