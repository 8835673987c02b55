/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flowcount: a test kind (ffwd-testkind only) that counts the distinct
 * flows it sees, so that the fleet tests can tell whether a flow was
 * split between replicas: over all replicas, the flows counted add up to
 * the flows of the capture only if each flow went to exactly one.
 *
 * Its own key, not the spreader's: TCP and UDP by bidirectional 5-tuple
 * (address+port endpoints in a fixed order; VLAN tags ignored), IP
 * fragments by datagram (addresses and identification). Exact: the keys
 * themselves are kept, in a table allocated at init. It never reads past
 * a packet's first segment. Packets pass unchanged.
 *
 * Its state is kept per fleet bucket (stage_flow_bucket() of the packet's
 * stage_flow_hash()), so that it can implement ops->handover: when a
 * resize moves buckets from one replica to another, the moved buckets'
 * key lists change hands (swapped, so no memory moves), and the new
 * replica does not count those flows again. The old replica no longer
 * gets packets of a moved bucket and the new one none yet when the hook
 * runs, so neither touches the lists being swapped.
 */
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "stage.h"
#include "stage_flow.h"

#define FC_PER_BUCKET	64	/* keys kept per bucket; the tests use < 30 */
#define FC_KEY		40

struct fc_key {
	uint8_t len;
	uint8_t b[FC_KEY];
};

struct fc_bucket {
	struct fc_key *keys;	/* FC_PER_BUCKET */
	uint32_t n;
};

struct fc_priv {
	struct fc_key *store;	/* STAGE_FLOW_BUCKETS * FC_PER_BUCKET */
	struct fc_bucket bucket[STAGE_FLOW_BUCKETS];
};

#define FC_COUNTERS(X)                                                         \
	X(FC_FLOWS, "flows")             /* distinct TCP/UDP flows */          \
	X(FC_DATAGRAMS, "datagrams")     /* distinct fragmented datagrams */   \
	X(FC_FULL, "table_full")         /* keys not kept: bucket full */
enum { FC_COUNTERS(STAGE_DROP_ENUM) FC_CTR_MAX };
static const char *const fc_counters[] = { FC_COUNTERS(STAGE_DROP_NAME) };

static const char *const fc_keys[] = { NULL };

static int
fc_init(struct stage *s, const struct stage_env *env)
{
	struct fc_priv *p = s->priv;
	unsigned int b;

	p->store = rte_zmalloc_socket(s->name, STAGE_FLOW_BUCKETS * FC_PER_BUCKET *
				      sizeof(*p->store), 0, env->socket);
	if (p->store == NULL)
		return -ENOMEM;
	for (b = 0; b < STAGE_FLOW_BUCKETS; b++)
		p->bucket[b].keys = p->store + b * FC_PER_BUCKET;
	return 0;
}

static void
fc_fini(struct stage *s)
{
	struct fc_priv *p = s->priv;

	if (p != NULL) {
		rte_free(p->store);
		p->store = NULL;
	}
}

/* The moved buckets' lists change hands. */
static void
fc_handover(struct stage *from, struct stage *to, const uint64_t *moved)
{
	struct fc_priv *a = from->priv, *b = to->priv;
	unsigned int k;

	for (k = 0; k < STAGE_FLOW_BUCKETS; k++) {
		struct fc_bucket t;

		if (!(moved[k / 64] & (1ull << (k % 64))))
			continue;
		t = a->bucket[k];
		a->bucket[k] = b->bucket[k];
		b->bucket[k] = t;
	}
}

static void
fc_put(struct fc_key *k, const uint8_t *src, size_t len)
{
	if (k->len + len <= FC_KEY) {
		memcpy(k->b + k->len, src, len);
		k->len += len;
	}
}

/* Two endpoints of LEN bytes, smaller first. */
static void
fc_put_pair(struct fc_key *k, const uint8_t *a, const uint8_t *b, size_t len)
{
	bool swap = memcmp(a, b, len) > 0;

	fc_put(k, swap ? b : a, len);
	fc_put(k, swap ? a : b, len);
}

/* 1: a flow key, 2: a datagram key, 0: neither (not counted). */
static int
fc_key_of(const uint8_t *p, uint32_t len, struct fc_key *k)
{
	uint8_t e1[18], e2[18], tag;
	uint32_t off = 12, l4 = 0;
	uint16_t et;
	uint8_t proto;
	size_t alen;
	const uint8_t *sa, *da;

	k->len = 0;
	if (len < 14)
		return 0;
	et = (uint16_t)(p[12] << 8 | p[13]);
	while ((et == 0x8100 || et == 0x88a8) && off + 8 <= len) {
		off += 4;
		et = (uint16_t)(p[off] << 8 | p[off + 1]);
	}
	off += 2;
	if (et == 0x0800 && off + 20 <= len) {
		const uint8_t *ip = p + off;

		alen = 4;
		sa = ip + 12;
		da = ip + 16;
		proto = ip[9];
		if (((ip[6] & 0x3f) | ip[7]) != 0) {
			tag = 'F';
			fc_put(k, &tag, 1);
			fc_put_pair(k, sa, da, alen);
			fc_put(k, ip + 4, 2);
			return 2;
		}
		l4 = off + (ip[0] & 0xf) * 4u;
	} else if (et == 0x86dd && off + 40 <= len) {
		const uint8_t *ip = p + off;

		alen = 16;
		sa = ip + 8;
		da = ip + 24;
		proto = ip[6];
		l4 = off + 40;
		if (proto == 44) {
			if (l4 + 8 > len)
				return 0;
			tag = 'G';
			fc_put(k, &tag, 1);
			fc_put_pair(k, sa, da, alen);
			fc_put(k, p + l4 + 4, 4);
			return 2;
		}
	} else {
		return 0;
	}
	if ((proto != 6 && proto != 17) || l4 + 4 > len)
		return 0;
	memcpy(e1, sa, alen);
	memcpy(e1 + alen, p + l4, 2);
	memcpy(e2, da, alen);
	memcpy(e2 + alen, p + l4 + 2, 2);
	fc_put(k, &proto, 1);
	fc_put_pair(k, e1, e2, alen + 2);
	return 1;
}

/* Insert K into bucket BK; true if it was new. */
static bool
fc_insert(struct fc_priv *p, unsigned int bk, const struct fc_key *k, bool *full)
{
	struct fc_bucket *b = &p->bucket[bk];
	uint32_t i;

	for (i = 0; i < b->n; i++)
		if (b->keys[i].len == k->len && memcmp(b->keys[i].b, k->b, k->len) == 0)
			return false;
	if (b->n == FC_PER_BUCKET) {
		*full = true;
		return false;
	}
	b->keys[b->n++] = *k;
	return true;
}

static uint16_t
fc_burst(struct stage *s, struct rte_mbuf **pkts, uint16_t n)
{
	struct fc_priv *p = s->priv;
	struct fc_key k;
	uint16_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *d = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		bool full = false;
		int what = fc_key_of(d, pkts[i]->data_len, &k);
		unsigned int bk;

		if (what == 0)
			continue;
		bk = stage_flow_bucket(stage_flow_hash(d, pkts[i]->data_len));
		if (fc_insert(p, bk, &k, &full))
			s->ctr.kind[what == 1 ? FC_FLOWS : FC_DATAGRAMS]++;
		if (full)
			s->ctr.kind[FC_FULL]++;
	}
	s->ctr.pkts_in += n;
	s->ctr.pkts_out += n;
	return n;
}

static struct stage_ops fc_ops = {
	.name = "flowcount",
	.role = STAGE_ROLE_APP,
	.summary = "count distinct flows and fragmented datagrams (a test kind)",
	.help = "no keys",
	.keys = fc_keys,
	.priv_size = sizeof(struct fc_priv),
	.init = fc_init,
	.fini = fc_fini,
	.handover = fc_handover,
	.burst = fc_burst,
	.counter_names = fc_counters,
	.n_counters = FC_CTR_MAX,
};

STAGE_REGISTER(fc_ops)
