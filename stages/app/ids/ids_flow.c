/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_flow: see ids_flow.h. rte_hash gives each key a stable position in
 * [0, max_flows) while it is in the table; that position indexes the flow
 * array, so the hash stores no data pointer and nothing is allocated after
 * creation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_jhash.h>

#include "ids_flow.h"

const char *const ids_flow_ctr_names[IDS_FLOW_CTR_MAX] = {
#define X(n, h) [IDS_FLOW_C_##n] = #n,
	IDS_FLOW_COUNTERS(X)
#undef X
};

#define IDS_NS_PER_S 1000000000ull

#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

struct ids_flow_list {
	uint32_t head, tail;	/* flow index + 1; 0 = empty */
};

struct ids_flow_table {
	struct ids_flow_conf conf;
	struct rte_hash *h;
	uint8_t *mem;		/* max_flows entries of esize bytes */
	size_t esize;
	uint32_t slots;		/* entries in mem and in the hash */
	uint32_t active;
	uint64_t next_id;
	uint64_t timeout[IDS_FS_MAX];
	struct ids_flow_list list[IDS_FS_MAX];
	struct ids_stream_ctx *sx;
	uint16_t lookback;
	ids_flow_end_cb end_cb;
	void *end_arg;
	uint64_t ctr[IDS_FLOW_CTR_MAX];
};

void
ids_flow_conf_default(struct ids_flow_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_flows = 65536;
	c->timeout_new_ns = 60 * IDS_NS_PER_S;
	c->timeout_est_ns = 600 * IDS_NS_PER_S;
	c->timeout_closed_ns = 60 * IDS_NS_PER_S;
}

static inline struct ids_flow *
flow_at(const struct ids_flow_table *t, uint32_t i)
{
	return (struct ids_flow *)(t->mem + (size_t)i * t->esize);
}

static inline uint32_t
flow_idx(const struct ids_flow_table *t, const struct ids_flow *f)
{
	return (uint32_t)(((const uint8_t *)f - t->mem) / t->esize);
}

struct ids_flow_table *
ids_flow_table_create(const struct ids_flow_conf *c,
		      const struct ids_stream_conf *sc)
{
	struct rte_hash_parameters hp;
	struct ids_flow_table *t;
	char name[RTE_HASH_NAMESIZE];

	if (c->max_flows < 2) {
		errno = rte_errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->conf = *c;
	t->lookback = sc->lookback;
	t->esize = RTE_ALIGN_CEIL(sizeof(struct ids_flow) + 2u * sc->lookback +
					  c->det_size,
				  RTE_CACHE_LINE_SIZE);
	/* rte_hash wants at least a bucket's worth of entries; positions
	 * run over all of them, the flow count stays <= max_flows. */
	t->slots = RTE_MAX(c->max_flows, 8u) /* RTE_HASH_BUCKET_ENTRIES */;
	t->mem = aligned_alloc(RTE_CACHE_LINE_SIZE, t->esize * t->slots);
	if (t->mem == NULL)
		goto err;
	t->sx = ids_stream_ctx_create(sc);
	if (t->sx == NULL)
		goto err;
	/* The name must be unique in the process: tables of several
	 * replicas (and tests) coexist. */
	snprintf(name, sizeof(name), "idsfl%u_%p", c->id, (void *)t);
	memset(&hp, 0, sizeof(hp));
	hp.name = name;
	hp.entries = t->slots;
	hp.key_len = sizeof(struct ids_flow_key);
	hp.hash_func = rte_jhash;
	hp.socket_id = SOCKET_ID_ANY;
	/* Extendable buckets: every one of max_flows keys fits, whatever
	 * the cuckoo displacement would do. */
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		goto err;
	t->timeout[IDS_FS_NEW] = c->timeout_new_ns;
	t->timeout[IDS_FS_EST] = c->timeout_est_ns;
	t->timeout[IDS_FS_CLOSED] = c->timeout_closed_ns;
	t->next_id = 1;
	return t;
err:
	ids_stream_ctx_free(t->sx);
	free(t->mem);
	free(t);
	errno = rte_errno = ENOMEM;
	return NULL;
}

void
ids_flow_table_free(struct ids_flow_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h);
	ids_stream_ctx_free(t->sx);
	free(t->mem);
	free(t);
}

struct ids_stream_ctx *
ids_flow_table_stream(struct ids_flow_table *t)
{
	return t->sx;
}

const uint64_t *
ids_flow_table_counters(const struct ids_flow_table *t)
{
	return t->ctr;
}

uint32_t
ids_flow_table_active(const struct ids_flow_table *t)
{
	return t->active;
}

const struct ids_flow_conf *
ids_flow_table_conf(const struct ids_flow_table *t)
{
	return &t->conf;
}

void
ids_flow_table_set_end_cb(struct ids_flow_table *t, ids_flow_end_cb cb,
			  void *arg)
{
	t->end_cb = cb;
	t->end_arg = arg;
}

static void
list_del(struct ids_flow_table *t, struct ids_flow *f)
{
	struct ids_flow_list *l = &t->list[f->state];

	if (f->prev)
		flow_at(t, f->prev - 1)->next = f->next;
	else
		l->head = f->next;
	if (f->next)
		flow_at(t, f->next - 1)->prev = f->prev;
	else
		l->tail = f->prev;
	f->prev = f->next = 0;
}

static void
list_add_tail(struct ids_flow_table *t, struct ids_flow *f)
{
	struct ids_flow_list *l = &t->list[f->state];
	uint32_t i = flow_idx(t, f) + 1;

	f->prev = l->tail;
	f->next = 0;
	if (l->tail)
		flow_at(t, l->tail - 1)->next = i;
	else
		l->head = i;
	l->tail = i;
}

static void
set_state(struct ids_flow_table *t, struct ids_flow *f, enum ids_flow_state s)
{
	if (f->state == s)
		return;
	list_del(t, f);
	f->state = (uint8_t)s;
	list_add_tail(t, f);
}

static void
flow_end(struct ids_flow_table *t, struct ids_flow *f, enum ids_flow_ctr why)
{
	if (t->end_cb != NULL)
		t->end_cb(t->end_arg, f, why);
	ids_stream_release(t->sx, &f->st[0]);
	ids_stream_release(t->sx, &f->st[1]);
	list_del(t, f);
	rte_hash_del_key(t->h, &f->key);
	t->active--;
	t->ctr[why]++;
}

/* Oldest closed flow, else oldest new, else oldest established. */
static bool
evict_one(struct ids_flow_table *t)
{
	static const uint8_t order[] = { IDS_FS_CLOSED, IDS_FS_NEW, IDS_FS_EST };

	for (unsigned int i = 0; i < RTE_DIM(order); i++) {
		uint32_t h = t->list[order[i]].head;

		if (h) {
			flow_end(t, flow_at(t, h - 1), IDS_FLOW_C_flow_evicted);
			return true;
		}
	}
	return false;
}

static int
ep_cmp(const uint8_t *a1, uint16_t p1, const uint8_t *a2, uint16_t p2)
{
	int c = memcmp(a1, a2, 16);

	if (c != 0)
		return c;
	return (int)p1 - (int)p2;
}

int
ids_flow_key_make(struct ids_flow_key *k, const struct ids_dec *d,
		  bool *a_is_src)
{
	if (d->ip_ver == 0 || d->frag_later)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->proto = d->proto;
	k->ip_ver = d->ip_ver;
	if (ep_cmp(d->src, d->sport, d->dst, d->dport) <= 0) {
		memcpy(k->addr_a, d->src, 16);
		memcpy(k->addr_b, d->dst, 16);
		k->port_a = d->sport;
		k->port_b = d->dport;
		*a_is_src = true;
	} else {
		memcpy(k->addr_a, d->dst, 16);
		memcpy(k->addr_b, d->src, 16);
		k->port_a = d->dport;
		k->port_b = d->sport;
		*a_is_src = false;
	}
	return 0;
}

static void
stream_start(struct ids_flow_table *t, struct ids_flow *f, int dir,
	     uint32_t seq)
{
	uint8_t *lb = (uint8_t *)(f + 1) + (size_t)dir * t->lookback;

	ids_stream_init(&f->st[dir], seq, t->lookback ? lb : NULL);
}

static void
tcp_session_begin(struct ids_flow_table *t)
{
	t->ctr[IDS_FLOW_C_tcp_sessions]++;
}

static void
tcp_update(struct ids_flow_table *t, struct ids_flow *f,
	   const struct ids_dec *d, int dir)
{
	uint8_t fl = d->tcp_flags;
	bool syn = fl & IDS_TH_SYN, ack = fl & IDS_TH_ACK;

	if (syn && !ack)
		t->ctr[IDS_FLOW_C_tcp_syn]++;
	else if (syn)
		t->ctr[IDS_FLOW_C_tcp_synack]++;
	if (fl & IDS_TH_RST) {
		if (f->tcp != IDS_TCP_NONE && f->tcp != IDS_TCP_CLOSED) {
			f->tcp = IDS_TCP_CLOSED;
			t->ctr[IDS_FLOW_C_tcp_rst_close]++;
			set_state(t, f, IDS_FS_CLOSED);
		}
		return;
	}
	switch (f->tcp) {
	case IDS_TCP_NONE:
		if (syn && !ack) {
			/* The SYN consumes one sequence number; TFO data
			 * in it starts at seq + 1. */
			f->tcp = IDS_TCP_SYN_SENT;
			tcp_session_begin(t);
			stream_start(t, f, dir, d->tcp_seq + 1);
		} else if (syn && t->conf.midstream) {
			f->tcp = IDS_TCP_SYN_RECV;
			tcp_session_begin(t);
			t->ctr[IDS_FLOW_C_tcp_midstream]++;
			stream_start(t, f, dir, d->tcp_seq + 1);
			stream_start(t, f, !dir, d->tcp_ack);
		} else if (!syn && t->conf.midstream) {
			f->tcp = IDS_TCP_ESTABLISHED;
			tcp_session_begin(t);
			t->ctr[IDS_FLOW_C_tcp_midstream]++;
			stream_start(t, f, dir, d->tcp_seq);
			if (ack)
				stream_start(t, f, !dir, d->tcp_ack);
			set_state(t, f, IDS_FS_EST);
		}
		break;
	case IDS_TCP_SYN_SENT:
		if (dir == IDS_DIR_TOCLIENT && syn && ack) {
			const struct ids_stream *c = &f->st[IDS_DIR_TOSERVER];

			/* The ack covers the SYN, and the TFO data if the
			 * server took it. */
			if (SEQ_LEQ(d->tcp_ack, c->next_seq) &&
			    SEQ_GEQ(d->tcp_ack, c->next_seq - 0x10000u)) {
				f->tcp = IDS_TCP_SYN_RECV;
				stream_start(t, f, dir, d->tcp_seq + 1);
			} else {
				t->ctr[IDS_FLOW_C_tcp_bad_synack]++;
			}
		} else if (dir == IDS_DIR_TOSERVER && !syn && ack &&
			   t->conf.async_oneside) {
			/* We never see the server: its stream starts
			 * where the client's ack says. */
			f->tcp = IDS_TCP_ESTABLISHED;
			t->ctr[IDS_FLOW_C_tcp_async]++;
			stream_start(t, f, IDS_DIR_TOCLIENT, d->tcp_ack);
			set_state(t, f, IDS_FS_EST);
		}
		break;
	case IDS_TCP_SYN_RECV:
		if (!syn && ack &&
		    (dir == IDS_DIR_TOSERVER || t->conf.async_oneside)) {
			f->tcp = IDS_TCP_ESTABLISHED;
			if (dir == IDS_DIR_TOSERVER)
				t->ctr[IDS_FLOW_C_tcp_established]++;
			else
				t->ctr[IDS_FLOW_C_tcp_async]++;
			set_state(t, f, IDS_FS_EST);
		}
		break;
	default:
		break;
	}
	if ((fl & IDS_TH_FIN) && f->tcp >= IDS_TCP_ESTABLISHED &&
	    f->tcp != IDS_TCP_CLOSED) {
		f->fin |= (uint8_t)(1u << dir);
		f->st[dir].flags |= IDS_STREAM_F_FIN;
		f->tcp = IDS_TCP_CLOSING;
		if (f->fin == 3) {
			f->tcp = IDS_TCP_CLOSED;
			t->ctr[IDS_FLOW_C_tcp_fin_close]++;
			set_state(t, f, IDS_FS_CLOSED);
		}
	}
}

struct ids_flow *
ids_flow_get(struct ids_flow_table *t, const struct ids_dec *d,
	     uint32_t wire_len, uint64_t now_ns, int *dir, bool *created)
{
	struct ids_flow_key k;
	struct ids_flow *f;
	bool a_is_src, client_is_src;
	hash_sig_t sig;
	int32_t pos;

	*created = false;
	if (ids_flow_key_make(&k, d, &a_is_src) < 0) {
		t->ctr[IDS_FLOW_C_flow_nokey]++;
		return NULL;
	}
	sig = rte_hash_hash(t->h, &k);
	pos = rte_hash_lookup_with_hash(t->h, &k, sig);
	if (pos >= 0 && d->proto == IDS_PROTO_TCP && d->l4 &&
	    (d->tcp_flags & (IDS_TH_SYN | IDS_TH_ACK | IDS_TH_RST)) == IDS_TH_SYN &&
	    flow_at(t, (uint32_t)pos)->tcp == IDS_TCP_CLOSED) {
		/* A new connection on the 5-tuple of a closed one (port
		 * reuse): the old flow ends, a new one starts with this SYN. */
		flow_end(t, flow_at(t, (uint32_t)pos), IDS_FLOW_C_tcp_reuse);
		pos = -ENOENT;
	}
	if (pos >= 0) {
		f = flow_at(t, (uint32_t)pos);
		client_is_src = a_is_src == !!(f->flags & IDS_FLOWF_CLIENT_IS_A);
		list_del(t, f);
		list_add_tail(t, f);
	} else {
		if (t->active >= t->conf.max_flows && !evict_one(t)) {
			t->ctr[IDS_FLOW_C_flow_alloc_fail]++;
			return NULL;
		}
		pos = rte_hash_add_key_with_hash(t->h, &k, sig);
		if (pos < 0 && evict_one(t))
			pos = rte_hash_add_key_with_hash(t->h, &k, sig);
		if (pos < 0 || (uint32_t)pos >= t->slots) {
			if (pos >= 0)
				rte_hash_del_key_with_hash(t->h, &k, sig);
			t->ctr[IDS_FLOW_C_flow_alloc_fail]++;
			return NULL;
		}
		f = flow_at(t, (uint32_t)pos);
		memset(f, 0, sizeof(*f));
		f->key = k;
		f->det = t->conf.det_size ?
				 (uint8_t *)(f + 1) + 2u * t->lookback : NULL;
		/* The sender of a SYN-ACK seen first is the server;
		 * otherwise whoever sent the first packet is the client. */
		client_is_src = !(d->proto == IDS_PROTO_TCP && d->l4 &&
				  (d->tcp_flags & (IDS_TH_SYN | IDS_TH_ACK)) ==
					  (IDS_TH_SYN | IDS_TH_ACK));
		if (client_is_src == a_is_src)
			f->flags |= IDS_FLOWF_CLIENT_IS_A;
		f->first_ns = f->last_ns = now_ns;
		/* flow_id: unique in the table (the creation count), with
		 * hash bits above it so that ids differ across replicas and
		 * runs; kept below 2^53 so JSON readers hold it exactly. */
		f->flow_id = ((uint64_t)(sig & 0x7fff) << 37 |
			      ((uint64_t)t->conf.id & 0xff) << 29 |
			      (t->next_id++ & 0x1fffffff)) & ((1ull << 53) - 1);
		f->state = IDS_FS_NEW;
		list_add_tail(t, f);
		t->active++;
		t->ctr[IDS_FLOW_C_flow_created]++;
		*created = true;
	}
	*dir = client_is_src ? IDS_DIR_TOSERVER : IDS_DIR_TOCLIENT;
	/* Capture clocks step back; a flow's time does not. */
	if (now_ns > f->last_ns)
		f->last_ns = now_ns;
	f->pkts[*dir]++;
	f->bytes[*dir] += wire_len;
	f->flags |= *dir == IDS_DIR_TOSERVER ? IDS_FLOWF_SEEN_TOSERVER :
					       IDS_FLOWF_SEEN_TOCLIENT;
	if (d->proto == IDS_PROTO_TCP && d->l4) {
		tcp_update(t, f, d, *dir);
		if (f->tcp == IDS_TCP_NONE)
			t->ctr[IDS_FLOW_C_tcp_no_session]++;
	} else if (f->state == IDS_FS_NEW && ids_flow_established(f)) {
		set_state(t, f, IDS_FS_EST);
	}
	return f;
}

unsigned int
ids_flow_expire(struct ids_flow_table *t, uint64_t now_ns, unsigned int budget)
{
	static const enum ids_flow_ctr why[IDS_FS_MAX] = {
		[IDS_FS_NEW] = IDS_FLOW_C_flow_timeout_new,
		[IDS_FS_EST] = IDS_FLOW_C_flow_timeout_est,
		[IDS_FS_CLOSED] = IDS_FLOW_C_flow_timeout_closed,
	};
	unsigned int n = 0;

	for (int s = 0; s < IDS_FS_MAX; s++) {
		while (n < budget && t->list[s].head) {
			struct ids_flow *f = flow_at(t, t->list[s].head - 1);

			if (now_ns < f->last_ns || now_ns - f->last_ns < t->timeout[s])
				break;
			flow_end(t, f, why[s]);
			n++;
		}
	}
	return n;
}

void
ids_flow_flush(struct ids_flow_table *t)
{
	/* Oldest first in each list, so that end-of-capture records come
	 * out in the order flows were last seen. */
	for (int s = 0; s < IDS_FS_MAX; s++)
		while (t->list[s].head)
			flow_end(t, flow_at(t, t->list[s].head - 1),
				 IDS_FLOW_C_flow_flushed);
}
