/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_engine: see ids_engine.h.
 *
 * Alerts once: detection sees a stream view that starts with the lookback
 * (bytes inspected with an earlier packet, kept so that a pattern cut
 * across segments is whole); ids_pkt.stream_new_off tells the detector
 * where the new bytes start, and a rule matches the view only if one of its
 * matches ends past it, so old bytes are not reported again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "ids_engine.h"

const char *const ids_engine_ctr_names[IDS_ENG_CTR_MAX] = {
#define X(n, h) [IDS_ENG_C_##n] = #n,
	IDS_ENGINE_COUNTERS(X)
#undef X
};

/* Flowbits reserved per flow beyond what the first rule set needs, so
 * that a reload with more flowbit names keeps the flows. */
#define IDS_DET_RESERVE_MIN 256
/* Flows timed out per packet at most: the per-packet cost stays bounded. */
#define IDS_EXPIRE_BUDGET 8

struct ids_engine {
	struct ids_engine_conf conf;
	const struct ids_rules *rules;
	struct ids_detect_ctx *dctx;
	struct ids_flow_table *ft;
	struct ids_stream_ctx *sx;
	struct ids_recq *q;
	size_t det_size;	/* bytes reserved per flow */
	uint8_t *sbuf;		/* stream views */
	uint8_t *lin;		/* chained mbufs */
	struct ids_match *m;
	bool needs_stream;	/* some rule inspects the TCP stream */
	uint64_t now_ns;	/* time of the packet being handled */
	uint64_t ctr[IDS_ENG_CTR_MAX];
	struct ids_dec_stats dst;
};

void
ids_engine_conf_default(struct ids_engine_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = IDS_MODE_IDS;
	c->csum = IDS_CSUM_NONE;
	c->payload = true;
	c->flow_records = true;
	c->link = IDS_LINK_ETHERNET;
	c->rec_ring = 4096;
	c->max_matches = 64;
	c->linear_max = 65536 + 256;
	ids_flow_conf_default(&c->flow);
	ids_stream_conf_default(&c->stream);
}

/* ---- records ---- */

/* Fill the 5-tuple of R as the sender of direction DIR of F sees it. */
static void
rec_tuple_dir(struct ids_rec *r, const struct ids_flow *f, int dir)
{
	bool client_a = f->flags & IDS_FLOWF_CLIENT_IS_A;
	bool src_a = (dir == IDS_DIR_TOSERVER) == client_a;

	r->ip_ver = f->key.ip_ver;
	r->proto = f->key.proto;
	memcpy(r->src, src_a ? f->key.addr_a : f->key.addr_b, 16);
	memcpy(r->dst, src_a ? f->key.addr_b : f->key.addr_a, 16);
	r->sport = src_a ? f->key.port_a : f->key.port_b;
	r->dport = src_a ? f->key.port_b : f->key.port_a;
}

static void
rec_flow(struct ids_rec *r, const struct ids_flow *f)
{
	r->flags |= IDS_RECF_FLOW;
	r->flow_id = f->flow_id;
	memcpy(r->pkts, f->pkts, sizeof(r->pkts));
	memcpy(r->bytes, f->bytes, sizeof(r->bytes));
	r->flow_start_ns = f->first_ns;
	r->flow_end_ns = f->last_ns;
}

static struct ids_rec *
rec_get(struct ids_engine *e)
{
	struct ids_rec *r = ids_recq_get(e->q);

	if (r == NULL) {
		e->ctr[IDS_ENG_C_records_lost]++;
		return NULL;
	}
	/* Only the fixed part: msg, category and payload are written up
	 * to their lengths and read no further. */
	memset(r, 0, offsetof(struct ids_rec, msg));
	r->msg[0] = r->category[0] = '\0';
	return r;
}

static void
copy_str(char *dst, size_t n, const char *s)
{
	size_t l = s ? strnlen(s, n - 1) : 0;

	memcpy(dst, s ? s : "", l);
	dst[l] = '\0';
}

/* The packet an event is about. */
struct ev {
	const struct ids_dec *d;	/* NULL for a pseudo packet */
	const struct ids_pkt *p;
	struct ids_flow *f;
	int dir;
	uint64_t pcap_cnt;
	uint32_t wire_len;
};

static void
rec_from_ev(struct ids_rec *r, const struct ev *v)
{
	const struct ids_pkt *p = v->p;

	r->ip_ver = p->ip_version;
	r->proto = p->proto;
	memcpy(r->src, p->src, 16);
	memcpy(r->dst, p->dst, 16);
	r->sport = p->sport;
	r->dport = p->dport;
	r->icmp_type = p->icmp_type;
	r->icmp_code = p->icmp_code;
	r->ts_ns = p->ts_ns;
	r->pcap_cnt = v->pcap_cnt;
	r->wire_len = v->wire_len;
	if (v->d != NULL) {
		r->ttl = v->d->ttl;
		r->tcp_flags = v->d->tcp_flags;
		r->tcp_seq = v->d->tcp_seq;
		r->tcp_ack = v->d->tcp_ack;
		r->tcp_win = v->d->tcp_win;
	}
	if (v->dir == IDS_DIR_TOCLIENT)
		r->flags |= IDS_RECF_TOCLIENT;
	if (v->f != NULL)
		rec_flow(r, v->f);
}

static void
rec_alert(struct ids_engine *e, const struct ev *v, const struct ids_match *m,
	  bool blocked)
{
	struct ids_rec *r;
	const uint8_t *pl;
	uint32_t n;

	e->ctr[IDS_ENG_C_alerts]++;
	if (v->f != NULL)
		v->f->flags |= IDS_FLOWF_ALERTED;
	r = rec_get(e);
	if (r == NULL)
		return;
	r->type = IDS_REC_ALERT;
	rec_from_ev(r, v);
	if (blocked)
		r->flags |= IDS_RECF_BLOCKED;
	if (m->flags & IDS_MATCH_STREAM)
		r->flags |= IDS_RECF_STREAM;
	r->sid = m->sid;
	r->gid = m->gid;
	r->rev = m->rev;
	r->severity = m->priority;
	copy_str(r->msg, sizeof(r->msg), m->msg);
	copy_str(r->category, sizeof(r->category), m->category);
	if (e->conf.payload) {
		/* Suricata logs the stream segment for a stream match, the
		 * packet payload otherwise. */
		if ((m->flags & IDS_MATCH_STREAM) && v->p->stream != NULL) {
			pl = v->p->stream;
			n = v->p->stream_len;
		} else {
			pl = v->p->payload;
			n = v->p->payload_len;
		}
		n = RTE_MIN(n, (uint32_t)IDS_REC_PAYLOAD);
		if (n)
			memcpy(r->payload, pl, n);
		r->payload_len = (uint16_t)n;
	}
	ids_recq_put(e->q, r);
}

static void
rec_drop(struct ids_engine *e, const struct ev *v)
{
	struct ids_rec *r;

	e->ctr[IDS_ENG_C_drops_logged]++;
	r = rec_get(e);
	if (r == NULL)
		return;
	r->type = IDS_REC_DROP;
	r->flags |= IDS_RECF_BLOCKED;
	rec_from_ev(r, v);
	ids_recq_put(e->q, r);
}

static void
rec_flow_end(struct ids_engine *e, struct ids_flow *f, enum ids_flow_ctr why)
{
	struct ids_rec *r;

	e->ctr[IDS_ENG_C_flows_logged]++;
	r = rec_get(e);
	if (r == NULL)
		return;
	r->type = IDS_REC_FLOW;
	rec_tuple_dir(r, f, IDS_DIR_TOSERVER);
	rec_flow(r, f);
	r->ts_ns = f->last_ns;
	r->tcp_state = f->tcp;
	if (f->flags & IDS_FLOWF_ALERTED)
		r->flags |= IDS_RECF_ALERTED;
	r->end_reason = why == IDS_FLOW_C_flow_evicted ? 1 :
			why == IDS_FLOW_C_flow_flushed ? 2 :
			why == IDS_FLOW_C_tcp_reuse ? 3 : 0;
	r->flow_state = f->state;
	ids_recq_put(e->q, r);
}

/* ---- detection ---- */

static enum ids_verdict
inspect(struct ids_engine *e, const struct ev *v)
{
	const struct ids_pkt *p = v->p;
	enum ids_verdict verdict = IDS_PASS;
	bool ips = e->conf.mode == IDS_MODE_IPS;
	int n;


	e->ctr[IDS_ENG_C_inspected]++;
	if (p->flags & IDS_PKT_STREAM)
		e->ctr[IDS_ENG_C_stream_inspections]++;
	n = ids_detect(e->dctx, e->rules, p, e->m, e->conf.max_matches);
	if (n < 0) {
		e->ctr[IDS_ENG_C_detect_errors]++;
		return IDS_PASS;
	}
	for (int i = 0; i < n; i++) {
		const struct ids_match *m = &e->m[i];
		bool drop = m->action == IDS_ACT_DROP ||
			    m->action == IDS_ACT_REJECT;

		if (m->action == IDS_ACT_PASS) {
			if (v->f != NULL)
				v->f->flags |= IDS_FLOWF_PASS;
			continue;
		}
		if (drop && ips) {
			verdict = IDS_DROP;
			if (v->f != NULL)
				v->f->flags |= IDS_FLOWF_DROP;
		}
		if (!(m->flags & IDS_RULE_NOALERT))
			rec_alert(e, v, m, drop && ips);
	}
	if (verdict == IDS_DROP)
		rec_drop(e, v);
	return verdict;
}

static uint32_t
flow_flags(const struct ids_flow *f, int dir)
{
	uint32_t fl = dir == IDS_DIR_TOSERVER ? IDS_PKT_TO_SERVER :
						IDS_PKT_TO_CLIENT;

	fl |= ids_flow_established(f) ? IDS_FLOW_ESTABLISHED :
					IDS_FLOW_NOT_ESTABLISHED;
	return fl;
}

/* Stream data of direction DIR that no packet of that direction carries:
 * a gap skip (ack) or a flush. Inspected as a pseudo packet. */
static enum ids_verdict
inspect_pseudo(struct ids_engine *e, struct ids_flow *f, int dir,
	       const struct ids_stream_view *sv, uint64_t pcap_cnt)
{
	struct ids_rec tmp;
	struct ids_pkt p;
	struct ev v;

	memset(&p, 0, sizeof(p));
	rec_tuple_dir(&tmp, f, dir);
	p.ip_version = tmp.ip_ver;
	p.proto = tmp.proto;
	memcpy(p.src, tmp.src, 16);
	memcpy(p.dst, tmp.dst, 16);
	p.sport = tmp.sport;
	p.dport = tmp.dport;
	p.ts_ns = e->now_ns;
	p.fd = f->det;
	p.stream = sv->buf;
	p.stream_len = sv->len;
	p.stream_new_off = sv->new_off;
	p.flags = flow_flags(f, dir) | IDS_PKT_STREAM | IDS_PKT_PSEUDO;
	v.d = NULL;
	v.p = &p;
	v.f = f;
	v.dir = dir;
	v.pcap_cnt = pcap_cnt;
	v.wire_len = 0;
	e->ctr[IDS_ENG_C_pseudo]++;
	return inspect(e, &v);
}

/* Deliver and inspect what both streams of F still hold (close, end). */
static void
flush_streams(struct ids_engine *e, struct ids_flow *f, uint64_t pcap_cnt)
{
	struct ids_stream_view sv;

	if (f->flags & (IDS_FLOWF_PASS | IDS_FLOWF_DROP)) {
		ids_stream_release(e->sx, &f->st[0]);
		ids_stream_release(e->sx, &f->st[1]);
		return;
	}
	for (int dir = 0; dir < 2; dir++) {
		/* Each call skips one hole; the bound is the records held. */
		for (unsigned int i = 0;
		     f->st[dir].seg_head != 0 && i <= e->conf.stream.max_ooo; i++)
			if (ids_stream_flush(e->sx, &f->st[dir], e->sbuf, &sv) > 0)
				inspect_pseudo(e, f, dir, &sv, pcap_cnt);
	}
}

static void
flow_end_cb(void *arg, struct ids_flow *f, enum ids_flow_ctr why)
{
	struct ids_engine *e = arg;

	flush_streams(e, f, 0);
	if (e->conf.flow_records)
		rec_flow_end(e, f, why);
}

/* ---- checksums (-k all) ---- */

static uint32_t
csum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Whether the IPv4 header and the TCP/UDP checksum are right. Fragments
 * and captures cut short cannot be checked and are taken as right. */
static bool
csum_ok(const struct ids_dec *d)
{
	const uint8_t *ip = d->data + d->l3_off;
	uint32_t sum = 0, l4len;

	if (d->ip_ver == 4 &&
	    csum_fold(csum_add(0, ip, (uint32_t)(ip[0] & 0x0f) * 4)) != 0xffff)
		return false;
	if (!d->l4 || d->frag ||
	    (d->proto != IDS_PROTO_TCP && d->proto != IDS_PROTO_UDP))
		return true;
	l4len = (uint32_t)(d->payload + d->payload_len - (d->data + d->l4_off));
	if (d->proto == IDS_PROTO_UDP && d->ip_ver == 4 &&
	    d->data[d->l4_off + 6] == 0 && d->data[d->l4_off + 7] == 0)
		return true;	/* no UDP checksum over IPv4 */
	if (d->ip_ver == 4) {
		sum = csum_add(sum, d->src, 4);
		sum = csum_add(sum, d->dst, 4);
	} else {
		sum = csum_add(sum, d->src, 16);
		sum = csum_add(sum, d->dst, 16);
	}
	sum += d->proto;
	sum += l4len & 0xffff;
	sum += l4len >> 16;
	sum = csum_add(sum, d->data + d->l4_off, l4len);
	return csum_fold(sum) == 0xffff;
}

/* ---- the packet path ---- */

enum ids_verdict
ids_engine_packet(struct ids_engine *e, const uint8_t *data, uint32_t caplen,
		  uint32_t wirelen, uint64_t ts_ns, uint64_t pcap_cnt)
{
	struct ids_stream_view sv;
	struct ids_flow *f = NULL;
	enum ids_verdict verdict;
	struct ids_dec d;
	struct ids_pkt p;
	struct ev v;
	bool created = false;
	int dir = IDS_DIR_TOSERVER;

	e->ctr[IDS_ENG_C_pkts]++;
	e->now_ns = ts_ns;
	ids_flow_expire(e->ft, ts_ns, IDS_EXPIRE_BUDGET);
	if (ids_decode(&d, &e->dst, e->conf.link, data, caplen) != 0) {
		if (e->conf.mode == IDS_MODE_IPS && e->conf.drop_malformed) {
			e->ctr[IDS_ENG_C_ids_malformed]++;
			return IDS_DROP;
		}
		goto pass;
	}
	if (d.ip_ver == 0)
		goto pass;	/* not IP: nothing the rules look at */
	if (e->conf.csum == IDS_CSUM_ALL && !csum_ok(&d)) {
		e->ctr[IDS_ENG_C_bad_csum]++;
		goto pass;
	}
	f = ids_flow_get(e->ft, &d, wirelen, ts_ns, &dir, &created);
	if (f != NULL) {
		if (created && e->det_size)
			ids_detect_flow_init(e->rules, f->det, e->det_size);
		if (f->flags & IDS_FLOWF_DROP) {
			e->ctr[IDS_ENG_C_ids_flow_drop]++;
			return IDS_DROP;
		}
		if (f->flags & IDS_FLOWF_PASS) {
			e->ctr[IDS_ENG_C_flow_passed]++;
			goto pass;
		}
	}

	memset(&p, 0, sizeof(p));
	p.payload = d.payload;
	p.payload_len = d.payload_len;
	p.ip_version = d.ip_ver;
	p.proto = d.proto;
	p.tcp_flags = d.tcp_flags;
	p.icmp_type = d.icmp_type;
	p.icmp_code = d.icmp_code;
	p.sport = d.sport;
	p.dport = d.dport;
	memcpy(p.src, d.src, 16);
	memcpy(p.dst, d.dst, 16);
	p.ts_ns = ts_ns;
	if (d.frag)
		p.flags |= IDS_PKT_FRAGMENT;
	if (f != NULL) {
		p.fd = f->det;
		p.flags |= flow_flags(f, dir);
	} else {
		p.flags |= IDS_PKT_NOFLOW;
	}
	v.d = &d;
	v.p = &p;
	v.f = f;
	v.dir = dir;
	v.pcap_cnt = pcap_cnt;
	v.wire_len = wirelen;

	/* Packets without a session, and every packet when no rule looks
	 * at the stream, are inspected one by one. */
	if (f == NULL || d.proto != IDS_PROTO_TCP || !d.l4 || !e->needs_stream ||
	    f->tcp == IDS_TCP_NONE || !(f->st[dir].flags & IDS_STREAM_F_INIT)) {
		verdict = inspect(e, &v);
		goto out;
	}

	/* A tracked TCP session. */
	if (d.payload_len) {
		uint32_t seq = d.tcp_seq + ((d.tcp_flags & IDS_TH_SYN) ? 1 : 0);
		uint32_t n = ids_stream_data(e->sx, &f->st[dir], seq, d.payload,
					     d.payload_len, e->sbuf, &sv);

		if (n > 0) {
			p.stream = sv.buf;
			p.stream_len = sv.len;
			p.stream_new_off = sv.new_off;
			p.flags |= IDS_PKT_STREAM;
		} else if (!(f->st[dir].flags & IDS_STREAM_F_DEPTH)) {
			/* Out of order or old: its bytes are inspected when
			 * (if) they become in order, not twice. Past the
			 * depth nothing is reassembled any more, and packets
			 * are inspected one by one, as Suricata does. */
			p.payload_len = 0;
		}
	}
	verdict = inspect(e, &v);
	if (f->flags & IDS_FLOWF_PASS)
		goto out;
	/* The other side acked past a hole of this side's peer: a gap. */
	if ((d.tcp_flags & IDS_TH_ACK) && (f->st[!dir].flags & IDS_STREAM_F_INIT)) {
		for (unsigned int i = 0; i <= e->conf.stream.max_ooo; i++) {
			uint32_t n = ids_stream_ack(e->sx, &f->st[!dir],
						    d.tcp_ack, e->sbuf, &sv);

			if (!sv.gap)
				break;
			if (n > 0 && inspect_pseudo(e, f, !dir, &sv, pcap_cnt) ==
					     IDS_DROP)
				verdict = IDS_DROP;
		}
	}
	if (f->tcp == IDS_TCP_CLOSED)
		flush_streams(e, f, pcap_cnt);
out:
	if (verdict == IDS_DROP) {
		e->ctr[IDS_ENG_C_ids_drop]++;
		return IDS_DROP;
	}
pass:
	e->ctr[IDS_ENG_C_pass]++;
	return IDS_PASS;
}

enum ids_verdict
ids_engine_mbuf(struct ids_engine *e, struct rte_mbuf *m, uint64_t ts_ns)
{
	const uint8_t *data;
	uint32_t len = rte_pktmbuf_pkt_len(m);

	if (m->nb_segs == 1) {
		data = rte_pktmbuf_mtod(m, const uint8_t *);
		len = rte_pktmbuf_data_len(m);
	} else {
		e->ctr[IDS_ENG_C_linearised]++;
		if (len > e->conf.linear_max) {
			e->ctr[IDS_ENG_C_truncated_mbuf]++;
			len = e->conf.linear_max;
		}
		data = rte_pktmbuf_read(m, 0, len, e->lin);
		if (data == NULL)
			len = 0;
	}
	return ids_engine_packet(e, data, len, rte_pktmbuf_pkt_len(m), ts_ns, 0);
}

void
ids_engine_tick(struct ids_engine *e, uint64_t now_ns)
{
	e->now_ns = now_ns;
	ids_flow_expire(e->ft, now_ns, 64);
}

void
ids_engine_flush(struct ids_engine *e)
{
	ids_flow_flush(e->ft);
}

/* ---- set-up ---- */

static int
attach_rules(struct ids_engine *e, const struct ids_rules *r)
{
	struct ids_detect_ctx *c = e->dctx;

	if (ids_detect_flow_state_size(r) > e->det_size)
		return -E2BIG;
	if (c == NULL || !ids_detect_ctx_fits(c, r)) {
		c = ids_detect_ctx_create(r);
		if (c == NULL)
			return -errno;
		ids_detect_ctx_free(e->dctx);
		e->dctx = c;
	}
	e->rules = r;
	e->needs_stream = ids_rules_needs_stream(r);
	return 0;
}

struct ids_engine *
ids_engine_create(const struct ids_engine_conf *c, const struct ids_rules *r,
		  char *err, size_t errlen)
{
	struct ids_engine *e;
	size_t need;
	int rc;

	e = calloc(1, sizeof(*e));
	if (e == NULL)
		goto nomem;
	e->conf = *c;
	need = ids_detect_flow_state_size(r);
	e->det_size = RTE_MAX(need * 2, (size_t)IDS_DET_RESERVE_MIN);
	e->conf.flow.det_size = e->det_size;
	e->ft = ids_flow_table_create(&e->conf.flow, &e->conf.stream);
	if (e->ft == NULL) {
		snprintf(err, errlen, "ids: flow table (%u flows): %s",
			 c->flow.max_flows, strerror(errno));
		goto fail;
	}
	e->sx = ids_flow_table_stream(e->ft);
	ids_flow_table_set_end_cb(e->ft, flow_end_cb, e);
	e->q = ids_recq_create(c->rec_ring);
	e->sbuf = malloc(ids_stream_ctx_bufsize(e->sx));
	e->lin = malloc(c->linear_max ? c->linear_max : 1);
	e->m = calloc(c->max_matches ? c->max_matches : 1, sizeof(*e->m));
	if (e->q == NULL || e->sbuf == NULL || e->lin == NULL || e->m == NULL) {
		snprintf(err, errlen, "ids: record ring of %u (a power of two?) "
			 "or buffers: %s", c->rec_ring, strerror(errno));
		goto fail;
	}
	rc = attach_rules(e, r);
	if (rc < 0) {
		snprintf(err, errlen, "ids: detection context: %s",
			 strerror(-rc));
		errno = -rc;
		goto fail;
	}
	return e;
nomem:
	snprintf(err, errlen, "ids: out of memory");
	errno = ENOMEM;
	return NULL;
fail:
	rc = errno;
	ids_engine_free(e);
	errno = rc ? rc : ENOMEM;
	return NULL;
}

void
ids_engine_free(struct ids_engine *e)
{
	if (e == NULL)
		return;
	/* The table first: its end callback may still make records. */
	ids_flow_table_set_end_cb(e->ft, NULL, NULL);
	ids_flow_table_free(e->ft);
	ids_detect_ctx_free(e->dctx);
	ids_recq_free(e->q);
	free(e->sbuf);
	free(e->lin);
	free(e->m);
	free(e);
}

int
ids_engine_set_rules(struct ids_engine *e, const struct ids_rules *r)
{
	return attach_rules(e, r);
}

struct ids_recq *
ids_engine_recq(struct ids_engine *e)
{
	return e->q;
}

const uint64_t *
ids_engine_counters(const struct ids_engine *e)
{
	return e->ctr;
}

const struct ids_dec_stats *
ids_engine_dec_stats(const struct ids_engine *e)
{
	return &e->dst;
}

const uint64_t *
ids_engine_flow_counters(const struct ids_engine *e)
{
	return ids_flow_table_counters(e->ft);
}

const uint64_t *
ids_engine_stream_counters(const struct ids_engine *e)
{
	return ids_stream_ctx_counters(e->sx);
}

const uint64_t *
ids_engine_detect_counters(const struct ids_engine *e)
{
	return ids_detect_ctx_counters(e->dctx);
}

uint32_t
ids_engine_flows_active(const struct ids_engine *e)
{
	return ids_flow_table_active(e->ft);
}

uint64_t
ids_engine_rule_hits(const struct ids_engine *e, unsigned int idx)
{
	return e->dctx != NULL ? ids_detect_ctx_rule_hits(e->dctx, idx) : 0;
}
