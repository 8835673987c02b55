/* SPDX-License-Identifier: BSD-3-Clause */
/* ids_rec: see ids_rec.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ring.h>

#include "ids_rec.h"

struct ids_recq {
	struct rte_ring *free_r;	/* logger -> engine */
	struct rte_ring *full_r;	/* engine -> logger */
	struct ids_rec *recs;
	/* Written by the producer only. */
	uint64_t lost __rte_cache_aligned;
};

static struct rte_ring *
ring_make(const char *name, unsigned int n)
{
	ssize_t sz = rte_ring_get_memsize(n);
	struct rte_ring *r;

	if (sz < 0)
		return NULL;
	r = aligned_alloc(RTE_CACHE_LINE_SIZE,
			  RTE_ALIGN_CEIL((size_t)sz, RTE_CACHE_LINE_SIZE));
	if (r == NULL)
		return NULL;
	if (rte_ring_init(r, name, n, RING_F_SP_ENQ | RING_F_SC_DEQ) != 0) {
		free(r);
		return NULL;
	}
	return r;
}

struct ids_recq *
ids_recq_create(unsigned int n)
{
	struct ids_recq *q;

	if (n < 2 || (n & (n - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	q = aligned_alloc(RTE_CACHE_LINE_SIZE,
			  RTE_ALIGN_CEIL(sizeof(*q), RTE_CACHE_LINE_SIZE));
	if (q == NULL)
		return NULL;
	memset(q, 0, sizeof(*q));
	/* A ring of size n holds n - 1: one more slot than records. */
	q->free_r = ring_make("ids_rec_free", n * 2);
	q->full_r = ring_make("ids_rec_full", n * 2);
	q->recs = calloc(n, sizeof(*q->recs));
	if (q->free_r == NULL || q->full_r == NULL || q->recs == NULL) {
		ids_recq_free(q);
		errno = ENOMEM;
		return NULL;
	}
	for (unsigned int i = 0; i < n; i++) {
		void *p = &q->recs[i];

		rte_ring_sp_enqueue_bulk(q->free_r, &p, 1, NULL);
	}
	return q;
}

void
ids_recq_free(struct ids_recq *q)
{
	if (q == NULL)
		return;
	free(q->free_r);
	free(q->full_r);
	free(q->recs);
	free(q);
}

struct ids_rec *
ids_recq_get(struct ids_recq *q)
{
	void *p;

	if (rte_ring_sc_dequeue(q->free_r, &p) != 0) {
		q->lost++;
		return NULL;
	}
	return p;
}

void
ids_recq_put(struct ids_recq *q, struct ids_rec *r)
{
	void *p = r;

	/* Cannot fail: the ring has room for every record there is. */
	rte_ring_sp_enqueue(q->full_r, p);
}

unsigned int
ids_recq_poll(struct ids_recq *q, struct ids_rec **r, unsigned int n)
{
	return rte_ring_sc_dequeue_burst(q->full_r, (void **)r, n, NULL);
}

void
ids_recq_done(struct ids_recq *q, struct ids_rec **r, unsigned int n)
{
	rte_ring_sp_enqueue_burst(q->free_r, (void *const *)r, n, NULL);
}

uint64_t
ids_recq_lost(const struct ids_recq *q)
{
	return q->lost;
}
