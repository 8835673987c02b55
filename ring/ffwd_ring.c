/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd_ring slow path: sizing, creation in DPDK shared memory, lookup,
 * counters. The fast path is inline in ffwd_ring_core.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "ffwd_ring.h"

#define RING_SLIP_PATIENCE_DEFAULT 64

_Static_assert(offsetof(struct ffwd_ring, cons) -
		       offsetof(struct ffwd_ring, prod) >= RING_BLOCK_ALIGN,
	       "producer and consumer blocks must be 128 bytes apart");
_Static_assert(offsetof(struct ffwd_ring, slots) -
		       offsetof(struct ffwd_ring, cons) >= RING_BLOCK_ALIGN,
	       "consumer block and slots must be 128 bytes apart");
_Static_assert(offsetof(struct ffwd_ring, prod) >= RING_BLOCK_ALIGN,
	       "read-only header and producer block must be 128 bytes apart");

static bool
ring_size_ok(uint32_t size)
{
	return rte_is_power_of_2(size) && size >= RING_SIZE_MIN &&
	       size <= RING_SIZE_MAX;
}

ssize_t
ring_memsize(uint32_t size)
{
	if (!ring_size_ok(size))
		return -EINVAL;
	/* Header, slots, then one guard block after the array. */
	return sizeof(struct ffwd_ring) + (size_t)size * sizeof(void *) +
	       RING_BLOCK_ALIGN;
}

int
ring_init(struct ffwd_ring *r, const char *name, uint32_t size,
	  const struct ring_opts *opts)
{
	ssize_t bytes = ring_memsize(size);
	struct ring_opts o = { 0 };

	if (r == NULL || name == NULL || bytes < 0 ||
	    ((uintptr_t)r & (RING_BLOCK_ALIGN - 1)) != 0)
		return -EINVAL;
	if (strlen(name) >= sizeof(r->name))
		return -ENAMETOOLONG;
	if (opts != NULL)
		o = *opts;
	if ((uint64_t)o.slip_lines * RING_LINE_SLOTS >= size / 2)
		return -EINVAL; /* a slip of half the ring defeats the ring */

	/* All slots NULL: the ring starts empty and every line free. */
	memset(r, 0, bytes);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->size = size;
	r->mask = size - 1;
	r->prod.limit = size;
	r->cons.slip_slots = o.slip_lines * RING_LINE_SLOTS;
	r->cons.slip_patience = o.slip_patience != 0 ? o.slip_patience :
						       RING_SLIP_PATIENCE_DEFAULT;
	return 0;
}

/* "<label>.<name>": the memzone namespace is per file-prefix already, the
 * label in the name makes a dump of memzones readable across processes. */
static int
ring_mz_name(char *buf, size_t len, const char *label, const char *name)
{
	int n;

	if (label == NULL || name == NULL || label[0] == '\0' ||
	    name[0] == '\0')
		return -EINVAL;
	n = snprintf(buf, len, "%s.%s", label, name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

struct ffwd_ring *
ring_create(const char *label, const char *name, uint32_t size, int socket_id,
	    const struct ring_opts *opts)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct ffwd_ring *r;
	ssize_t bytes;
	int ret;

	ret = ring_mz_name(mz_name, sizeof(mz_name), label, name);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	bytes = ring_memsize(size);
	if (bytes < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (rte_memzone_lookup(mz_name) != NULL) {
		rte_errno = EEXIST;
		return NULL;
	}
	mz = rte_memzone_reserve_aligned(mz_name, bytes, socket_id, 0,
					 RING_BLOCK_ALIGN);
	if (mz == NULL)
		return NULL; /* rte_errno set by EAL */
	r = mz->addr;
	ret = ring_init(r, mz_name, size, opts);
	if (ret < 0) {
		rte_memzone_free(mz);
		rte_errno = -ret;
		return NULL;
	}
	r->memzone = mz;
	return r;
}

struct ffwd_ring *
ring_lookup(const char *label, const char *name)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	int ret;

	ret = ring_mz_name(mz_name, sizeof(mz_name), label, name);
	if (ret < 0) {
		rte_errno = -ret;
		return NULL;
	}
	mz = rte_memzone_lookup(mz_name);
	if (mz == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	return mz->addr;
}

void
ring_free(struct ffwd_ring *r)
{
	if (r == NULL || r->memzone == NULL)
		return;
	rte_memzone_free(r->memzone);
}

uint64_t
ring_backlog(const struct ffwd_ring *r)
{
	uint64_t d1, e, d2;
	int tries;

	/*
	 * Read dequeued, enqueued, dequeued again. With both reads of
	 * dequeued equal, e - d1 is a backlog the ring really had:
	 *  - >= 0: every dequeued item was counted in `enqueued` before it
	 *    was published, and our ACQUIRE on d1 pairs with the consumer's
	 *    RELEASE store of `dequeued`, so e (read after) includes them;
	 *  - <= size: the producer gains room only from NULL stores that
	 *    follow the consumer's `dequeued` store; our ACQUIRE on e pairs
	 *    with the producer's RELEASE store of `enqueued`, so any `dequeued`
	 *    that made room for e is visible to the read of d2 == d1.
	 * If the consumer moved in between, retry; a reader that keeps losing
	 * the race settles for the clamped value, still within [0, size].
	 */
	for (tries = 0; tries < 64; tries++) {
		d1 = __atomic_load_n(&r->cons.dequeued, __ATOMIC_ACQUIRE);
		e = __atomic_load_n(&r->prod.enqueued, __ATOMIC_ACQUIRE);
		d2 = __atomic_load_n(&r->cons.dequeued, __ATOMIC_ACQUIRE);
		if (d1 == d2)
			return e - d1;
	}
	return e > d2 ? RTE_MIN(e - d2, (uint64_t)r->size) : 0;
}

void
ring_stats(const struct ffwd_ring *r, struct ring_stats *st)
{
	st->backlog = ring_backlog(r);
	st->enqueued = __atomic_load_n(&r->prod.enqueued, __ATOMIC_RELAXED);
	st->dequeued = __atomic_load_n(&r->cons.dequeued, __ATOMIC_RELAXED);
	st->full = __atomic_load_n(&r->prod.full, __ATOMIC_RELAXED);
	st->empty = __atomic_load_n(&r->cons.empty, __ATOMIC_RELAXED);
	st->hwm = __atomic_load_n(&r->cons.hwm, __ATOMIC_RELAXED);
	st->slip_waits = __atomic_load_n(&r->cons.slip_waits, __ATOMIC_RELAXED);
	st->size = r->size;
}

int
ring_enqueue_burst_checked(struct ffwd_ring *r, void *const *objs,
			   unsigned int n)
{
	unsigned int i;

	if (r == NULL || (objs == NULL && n != 0))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (objs[i] == NULL)
			return -EINVAL;
	return (int)ring_enqueue_burst(r, objs, n);
}
