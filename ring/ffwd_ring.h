/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd_ring: a single-producer, single-consumer FastForward ring of
 * pointers (mbufs). NULL marks an empty slot; the producer and the consumer
 * share no index. How and why: ffwd_ring_core.h and docs/RING.md.
 *
 * Threading contract: exactly one thread enqueues and exactly one thread
 * dequeues at a time (they may be the same thread). Any thread may read the
 * counters (ring_stats(), ring_backlog()) at any time without a lock.
 */
#ifndef FFWD_RING_H
#define FFWD_RING_H

#include <stddef.h>
#include <stdint.h>

#include "ffwd_ring_core.h"

/** Largest burst the stages use; the ring accepts any n. */
#define RING_BURST_MAX	32
#define RING_SIZE_MIN	(2 * RING_LINE_SLOTS)
#define RING_SIZE_MAX	(1u << 24)

/*
 * Counters, as read by ring_stats(), declared once: the struct, telemetry,
 * the exit report and Prometheus use these names.
 */
#define RING_STATS_FIELDS(X)                                                   \
	X(size, "slots")                                                       \
	X(enqueued, "items enqueued, ever")                                    \
	X(dequeued, "items dequeued, ever")                                    \
	X(backlog, "enqueued - dequeued, 0..size")                             \
	X(hwm, "highest backlog sampled")                                      \
	X(full, "enqueue calls that could not place all")                      \
	X(empty, "dequeue calls that returned nothing")                        \
	X(slip_waits, "polls the consumer spent slipping")

struct ring_stats {
#define X(name, help) uint64_t name;
	RING_STATS_FIELDS(X)
#undef X
};

/** Options for ring_create()/ring_init(); zero-initialised means defaults. */
struct ring_opts {
	/** Temporal slipping distance in cache lines, 0 (default): off. */
	uint32_t slip_lines;
	/** Polls the consumer backs off before consuming anyway, default 64. */
	uint32_t slip_patience;
};

/**
 * Bytes needed for a ring of `size` slots, guard block included.
 * @return the size, or -EINVAL if size is not a power of two in
 *   [RING_SIZE_MIN, RING_SIZE_MAX].
 */
ssize_t ring_memsize(uint32_t size);

/**
 * Initialise a ring in caller-provided memory of ring_memsize(size) bytes,
 * aligned to RING_BLOCK_ALIGN. For rings outside DPDK memory (tests).
 * @return 0, or -EINVAL (bad size, NULL argument, misaligned memory),
 *   -ENAMETOOLONG (name too long).
 */
int ring_init(struct ffwd_ring *r, const char *name, uint32_t size,
	      const struct ring_opts *opts);

/**
 * Create a ring in a DPDK memzone named "<label>.<name>", so that another
 * process of the same label (file-prefix) can ring_lookup() it.
 * @return the ring, or NULL with rte_errno set: EINVAL (bad size or
 *   label/name), ENAMETOOLONG ("<label>.<name>" longer than 31 bytes),
 *   EEXIST (already exists), ENOMEM.
 */
struct ffwd_ring *ring_create(const char *label, const char *name,
			      uint32_t size, int socket_id,
			      const struct ring_opts *opts);

/** Find a ring made by ring_create(); NULL with rte_errno = ENOENT. */
struct ffwd_ring *ring_lookup(const char *label, const char *name);

/** Free a ring made by ring_create(); NULL is a no-op. The ring must be
 * empty or its items owned elsewhere: the ring does not free them. */
void ring_free(struct ffwd_ring *r);

/** Read the counters; lock-free, from any thread. */
void ring_stats(const struct ffwd_ring *r, struct ring_stats *st);

/**
 * enqueued - dequeued, read consistently from any thread: never negative
 * and never above the ring's size.
 */
uint64_t ring_backlog(const struct ffwd_ring *r);

static inline const char *
ring_name(const struct ffwd_ring *r)
{
	return r->name;
}

static inline uint32_t
ring_size(const struct ffwd_ring *r)
{
	return r->size;
}

/**
 * Enqueue up to n pointers, in order. Producer side only.
 * NULL pointers must not be passed: use ring_enqueue_burst_checked() where
 * the input is not trusted (NULL is the empty-slot marker).
 * @return how many were enqueued, from the front of objs (0..n).
 */
static __rte_always_inline unsigned int
ring_enqueue_burst(struct ffwd_ring *r, void *const *objs, unsigned int n)
{
	return ring_enqueue_burst_core(r, objs, n);
}

/** Enqueue one pointer. @return 0, -ENOBUFS if full, -EINVAL if NULL. */
static __rte_always_inline int
ring_enqueue(struct ffwd_ring *r, void *obj)
{
	if (unlikely(obj == NULL))
		return -EINVAL;
	return ring_enqueue_burst_core(r, &obj, 1) == 1 ? 0 : -ENOBUFS;
}

/**
 * Like ring_enqueue_burst() but refuses a burst holding a NULL pointer as
 * a whole (nothing is enqueued).
 * @return how many were enqueued, or -EINVAL if objs holds a NULL.
 */
int ring_enqueue_burst_checked(struct ffwd_ring *r, void *const *objs,
			       unsigned int n);

/**
 * Dequeue up to n pointers, in order. Consumer side only.
 * @return how many were dequeued into objs (0..n).
 */
static __rte_always_inline unsigned int
ring_dequeue_burst(struct ffwd_ring *r, void **objs, unsigned int n)
{
	return ring_dequeue_burst_core(r, objs, n);
}

/** Dequeue one pointer. @return 0, or -ENOENT if empty. */
static __rte_always_inline int
ring_dequeue(struct ffwd_ring *r, void **obj)
{
	return ring_dequeue_burst_core(r, obj, 1) == 1 ? 0 : -ENOENT;
}

#endif /* FFWD_RING_H */
