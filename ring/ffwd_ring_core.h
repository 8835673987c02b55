/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FastForward ring internals: the layout and the inline fast path.
 * Include ffwd_ring.h, never this file.
 *
 * The algorithm (FastForward, Giacomoni et al., PPoPP 2008; Linux
 * ptr_ring):
 *
 *  - The ring is a power-of-two array of pointers. NULL marks an empty
 *    slot. The producer owns `head`, the consumer owns `tail`; neither
 *    ever reads the other's index, so no index line ping-pongs between
 *    the two cores. The only shared lines are the slot lines themselves.
 *
 *  - The consumer reads slot[tail]; non-NULL means an item. It does not
 *    write NULL back at once: it clears consumed slots a whole cache line
 *    at a time, once the line is fully consumed, in reverse order (last
 *    slot first, first slot last). The producer therefore takes each slot
 *    line back from the consumer once per lap instead of once per slot.
 *
 *  - The producer's room check matches that clearing order: it looks only
 *    at the FIRST slot of the next line it wants. Because that slot is
 *    cleared last, a NULL there means the consumer has finished the whole
 *    line (and, lines being cleared in order, every line before it). A NULL
 *    in any other slot of a line would prove nothing. The producer keeps
 *    `limit`, the index one past the last slot it knows to be free, and
 *    only probes the consumer's lines when a burst would cross it; so it
 *    too touches each line once per lap.
 *
 *  - Temporal slipping (optional, `slip` lines): before consuming, the
 *    consumer peeks `slip` lines ahead of its tail. If that slot is still
 *    NULL the producer is close, both would work in the same lines, and
 *    the consumer backs off for up to `slip_patience` polls so the
 *    producer pulls ahead. After that it consumes anyway, so a slow or
 *    stopped producer never strands items.
 *
 * Memory ordering (C11, via GCC __atomic builtins; no fences):
 *  - Producer: slot stores RELEASE, in slot order. Pairs with the
 *    consumer's ACQUIRE probes of single slots: a consumer that sees a
 *    slot filled sees every earlier slot of the lap filled, what the
 *    producer wrote into those mbufs and its `enqueued` count. The
 *    consumer then copies the filled slots with plain loads (see
 *    ring_copy_out() for why that is not a race).
 *  - Consumer: clears a line with plain NULL stores, then a RELEASE NULL
 *    store into the line's first slot. Pairs with the producer's ACQUIRE
 *    load of that slot: once the producer sees that NULL it also sees the
 *    other NULLs of the line and the consumer's reads of the old pointers
 *    are done, so it may overwrite the line.
 *  - Counters: single-writer, stored RELAXED except where a reader's
 *    bound depends on order; see ring_backlog() and the comments at each
 *    store. On x86 (TSO) every one of these is a plain MOV: the ordering
 *    costs nothing, it only pins down the compiler and documents intent.
 */
#ifndef FFWD_RING_CORE_H
#define FFWD_RING_CORE_H

#ifndef FFWD_RING_H
#error "include ffwd_ring.h, not ffwd_ring_core.h"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_prefetch.h>

/** Producer/consumer blocks are this far apart: a line plus its
 * adjacent-line-prefetch buddy, so neither side's writes pull the other's
 * line in. */
#define RING_BLOCK_ALIGN	128
#define RING_LINE_SLOTS		(RTE_CACHE_LINE_SIZE / sizeof(void *))
#define RING_NAMESIZE		32
#define RING_HWM_SAMPLE		1024	/**< items between samples, power of two */


/** Producer-owned; only the producer writes here. Readers (telemetry)
 * read the counters. */
struct ring_prod {
	uint64_t head;		/**< next slot to fill (free-running) */
	uint64_t limit;		/**< slots below this are known free */
	uint64_t enqueued;	/**< items enqueued, ever */
	uint64_t full;		/**< enqueue calls that found no room for all */
} __rte_aligned(RING_BLOCK_ALIGN);

/** Consumer-owned; only the consumer writes here. */
struct ring_cons {
	uint64_t tail;		/**< next slot to read (free-running) */
	uint64_t cleared;	/**< slots below this have been set to NULL */
	uint64_t dequeued;	/**< items dequeued, ever */
	uint64_t empty;		/**< dequeue calls that found nothing */
	uint64_t slip_waits;	/**< polls spent backing off (slipping) */
	uint64_t hwm;		/**< highest backlog sampled by the consumer */
	uint32_t slip_slots;	/**< slip distance in slots, 0: off */
	uint32_t slip_patience;	/**< polls to back off before giving in */
	uint32_t slip_left;	/**< back-off polls left in this episode */
} __rte_aligned(RING_BLOCK_ALIGN);

struct ffwd_ring {
	/* Read-only after init: shared freely by both sides. */
	char name[RING_NAMESIZE];	/**< "<label>.<ring>" */
	uint32_t size;			/**< slots, power of two */
	uint32_t mask;			/**< size - 1 */
	uint32_t flags;			/**< RING_F_* given at create */
	const void *memzone;		/**< owning memzone, NULL if not */

	/* Pad so that the read-only block's line and its buddy are never
	 * written by either side. */
	struct ring_prod prod __rte_aligned(RING_BLOCK_ALIGN);
	char pad0[RING_BLOCK_ALIGN - sizeof(struct ring_prod) % RING_BLOCK_ALIGN];
	struct ring_cons cons __rte_aligned(RING_BLOCK_ALIGN);
	char pad1[RING_BLOCK_ALIGN - sizeof(struct ring_cons) % RING_BLOCK_ALIGN];
	/* The slot array, then one guard block (ring_memsize() adds it) so
	 * that the adjacent-line prefetcher never drags in whatever follows. */
	void *slots[] __rte_aligned(RING_BLOCK_ALIGN);
};

/*
 * Make room for `want` slots from `head`, probing the consumer's lines only
 * past what is already known free. Returns how many slots are free (may be
 * less than want). Touches at most one new line per line gained.
 */
static __rte_always_inline uint32_t
ring_prod_room(struct ffwd_ring *r, uint64_t head, uint32_t want)
{
	uint64_t limit = r->prod.limit;

	/* Never more than one lap ahead of the consumer's cleared lines:
	 * past `size`, the line probed would be one we are about to fill. */
	if (want > r->size)
		want = r->size;
	while (limit - head < want) {
		/* ACQUIRE pairs with the consumer's RELEASE store of NULL
		 * into the line's first slot, its last store to the line
		 * (ring_cons_clear()): a NULL here means the whole line is
		 * free and the consumer is done reading it. */
		void *first = __atomic_load_n(&r->slots[limit & r->mask],
					      __ATOMIC_ACQUIRE);
		if (first != NULL)
			break;
		limit += RING_LINE_SLOTS;
	}
	/* Having gained room, ask for the next line now, for writing: the
	 * consumer cleared it long ago unless the ring is nearly full, and
	 * fetching it in the background turns the next probe and the stores
	 * after it into hits. Not when the probe failed: then that line is
	 * the one the consumer is reading, and taking it would stall it. */
	if (limit != r->prod.limit)
		rte_prefetch0_write(&r->slots[limit & r->mask]);
	r->prod.limit = limit;
	return (uint32_t)RTE_MIN(limit - head, (uint64_t)want);
}

/* Length of the prefix of objs that holds no NULL. Branch-free (and
 * vectorised) over the burst in the common case, where there is none. */
static __rte_always_inline unsigned int
ring_nonnull_prefix(void *const *objs, unsigned int n)
{
	unsigned int i, nulls = 0;

	for (i = 0; i < n; i++)
		nulls |= objs[i] == NULL;
	if (likely(nulls == 0))
		return n;
	for (i = 0; objs[i] != NULL; i++)
		;
	return i;
}

/*
 * Slot accesses, race-free in C11 terms. The consumer reads a burst's
 * worth of slots ahead while the producer may be storing into the same
 * lines, so every slot the other side may be writing at that moment is
 * accessed atomically; a plain access there would be a data race, which
 * is undefined behaviour (a compiler may, say, reload a slot after its
 * NULL check and hand out the NULL it then sees).
 *
 *  - The producer stores each slot RELEASE, in slot order. On x86 that is
 *    a plain MOV; it only stops the compiler from reordering or merging
 *    the stores (so the copy is not vectorised).
 *  - The consumer finds how many slots of its window are filled with
 *    ACQUIRE loads of single slots (ring_copy_out(): the window's last
 *    slot, else a binary search). Seeing slot k filled, it sees every
 *    store the producer made before that one: slots tail..k of this lap
 *    were filled before k (the producer fills in order), and the mbuf data
 *    and the `enqueued` count before those.
 *  - Those slots then hold no store the producer has not finished, and
 *    the producer writes them again only after the consumer has cleared
 *    them (the NULL handshake below). So the consumer copies them with
 *    plain loads: not a race, and the copy vectorises as before.
 *  - The consumer's NULL stores into a line's slots 1..7 are plain too:
 *    the producer touches them only after its ACQUIRE load has seen the
 *    line's slot 0 NULL, which the consumer stores last, RELEASE.
 *
 * ThreadSanitizer checks exactly this code (scripts/test.sh, "ring
 * (tsan)"): the ordering is all per-access release/acquire, which TSan
 * models (it does not model fences, and the ring uses none).
 */
static __rte_always_inline void
ring_copy_in(struct ffwd_ring *r, uint64_t head, void *const *objs,
	     unsigned int n)
{
	uint32_t idx = head & r->mask;
	unsigned int first = RTE_MIN(n, r->size - idx), i;
	void **slots = r->slots;

	/* RELEASE each, in slot order: pairs with the consumer's ACQUIRE
	 * probes in ring_copy_out() and ring_dequeue_burst_core(). */
	for (i = 0; i < first; i++)
		__atomic_store_n(&slots[idx + i], objs[i], __ATOMIC_RELEASE);
	for (; i < n; i++)
		__atomic_store_n(&slots[i - first], objs[i], __ATOMIC_RELEASE);
}

static __rte_always_inline void *
ring_slot_acquire(const struct ffwd_ring *r, uint64_t pos)
{
	/* ACQUIRE pairs with the producer's RELEASE store of this slot
	 * (ring_copy_in()); see the comment above. */
	return __atomic_load_n(&r->slots[pos & r->mask], __ATOMIC_ACQUIRE);
}

/*
 * Copy out the filled prefix of the n slots from tail, slot[tail] being
 * known filled (the caller's ACQUIRE load saw it); returns its length.
 * The filled slots of the window are a prefix (the producer fills in
 * order, and the window stays within one lap of the cleared lines), so
 * one probe of the last slot settles a full window, and a binary search
 * of at most log2(n) probes any other. The copy itself is plain.
 */
static __rte_always_inline unsigned int
ring_copy_out(struct ffwd_ring *r, uint64_t tail, void **objs, unsigned int n)
{
	uint32_t idx = tail & r->mask;
	unsigned int first, i;
	void *const *slots = r->slots;

	if (n > 1 && ring_slot_acquire(r, tail + n - 1) == NULL) {
		/* slot[tail + lo] filled, slot[tail + hi] seen empty. */
		unsigned int lo = 0, hi = n - 1;

		while (hi - lo > 1) {
			unsigned int mid = lo + (hi - lo) / 2;

			if (ring_slot_acquire(r, tail + mid) != NULL)
				lo = mid;
			else
				hi = mid;
		}
		n = lo + 1;
	}
	first = RTE_MIN(n, r->size - idx);
	for (i = 0; i < first; i++)
		objs[i] = slots[idx + i];
	for (; i < n; i++)
		objs[i] = slots[i - first];
	return n;
}

static __rte_always_inline unsigned int
ring_enqueue_burst_core(struct ffwd_ring *r, void *const *objs, unsigned int n)
{
	uint64_t head = r->prod.head;
	unsigned int room;

	/* NULL is the empty-slot marker: a NULL stored would be lost without
	 * trace. The burst ends before the first NULL; the caller sees a
	 * short count, and ring_enqueue_burst_checked() reports why. */
	n = ring_nonnull_prefix(objs, n);
	if (unlikely(n == 0))
		return 0;
	room = (r->prod.limit - head >= n) ? n : ring_prod_room(r, head, n);
	if (unlikely(room < n)) {
		__atomic_store_n(&r->prod.full, r->prod.full + 1,
				 __ATOMIC_RELAXED);
		if (room == 0)
			return 0;
		n = room;
	}
	/* Count before publishing: a consumer that holds an item has also
	 * seen it counted, so enqueued - dequeued is never negative. RELEASE
	 * pairs with the reader's ACQUIRE in ring_backlog(): it carries
	 * along the consumer's `dequeued` that made this room visible. */
	__atomic_store_n(&r->prod.enqueued, r->prod.enqueued + n,
			 __ATOMIC_RELEASE);
	/* The slot stores are RELEASE (ring_copy_in()): a consumer that
	 * reads one of these pointers sees the mbuf it points to and the
	 * count above. */
	ring_copy_in(r, head, objs, n);
	r->prod.head = head + n;
	return n;
}

/*
 * Clear every fully consumed line below `tail`, its first slot last.
 */
static __rte_always_inline void
ring_cons_clear(struct ffwd_ring *r, uint64_t tail)
{
	uint64_t cleared = r->cons.cleared;
	uint32_t mask = r->mask;

	while (tail - cleared >= RING_LINE_SLOTS) {
		void **line = &r->slots[cleared & mask];
		unsigned int j;

		/* Plain: the producer reads and writes these only after it
		 * has seen line[0] NULL (below). */
		for (j = 1; j < RING_LINE_SLOTS; j++)
			line[j] = NULL;
		/* RELEASE, after the other seven: pairs with the producer's
		 * ACQUIRE probe of line[0] in ring_prod_room(). Seeing it
		 * NULL, the producer sees the whole line NULL and knows our
		 * reads of the old pointers are done. */
		__atomic_store_n(&line[0], NULL, __ATOMIC_RELEASE);
		cleared += RING_LINE_SLOTS;
	}
	r->cons.cleared = cleared;
}

/*
 * High-water mark. Neither side knows the backlog on its own, so the
 * consumer samples it: on its first dequeue and each time its tail crosses
 * a multiple of RING_HWM_SAMPLE, it reads the producer's `enqueued`: one
 * line transfer per sample, not per call. The backlog that dequeue found,
 * enqueued - (dequeued - got), is in [0, size]: the items we hold were
 * counted before they were published, and the producer cannot count past
 * that dequeued + size, because it gains room only from NULL stores and
 * this dequeue has not cleared its lines yet.
 */
static __rte_noinline void
ring_cons_sample_hwm(struct ffwd_ring *r, unsigned int got)
{
	/* The backlog this dequeue found: what is left plus what it took. */
	uint64_t backlog = __atomic_load_n(&r->prod.enqueued, __ATOMIC_RELAXED) -
			   r->cons.dequeued + got;

	if (backlog > r->cons.hwm)
		__atomic_store_n(&r->cons.hwm, backlog, __ATOMIC_RELAXED);
}

/* Temporal slipping: true if the consumer should back off this poll. */
static __rte_always_inline bool
ring_cons_slipping(struct ffwd_ring *r, uint64_t tail)
{
	void *ahead;

	/* ACQUIRE is not needed for a peek whose value is only a hint
	 * (nothing is read through it); RELAXED keeps it a plain load. */
	ahead = __atomic_load_n(&r->slots[(tail + r->cons.slip_slots) & r->mask],
				__ATOMIC_RELAXED);
	if (ahead != NULL) {
		r->cons.slip_left = r->cons.slip_patience;
		return false;
	}
	if (r->cons.slip_left == 0) {
		/* Patience spent: the producer is slow or done; consume what
		 * there is rather than strand it. Rearm for the next time
		 * the gap is re-established. */
		return false;
	}
	r->cons.slip_left--;
	__atomic_store_n(&r->cons.slip_waits, r->cons.slip_waits + 1,
			 __ATOMIC_RELAXED);
	return true;
}

static __rte_always_inline unsigned int
ring_dequeue_burst_core(struct ffwd_ring *r, void **objs, unsigned int n)
{
	uint64_t tail = r->cons.tail;
	unsigned int got;

	/* Stay within one lap of the lines we have cleared: past that the
	 * slots are ones we read moments ago and have not yet NULLed. */
	if (unlikely(n > r->size - (tail - r->cons.cleared)))
		n = r->size - (tail - r->cons.cleared);
	/* Look at one slot before reading a whole burst: an empty poll then
	 * touches one line, not the up to five lines the producer may be
	 * writing, and does not pull them away from it. ACQUIRE (pairs with
	 * the producer's RELEASE slot store): ring_copy_out() relies on
	 * having seen this slot filled. */
	if (r->cons.slip_slots != 0 && ring_cons_slipping(r, tail))
		got = 0;
	else if (ring_slot_acquire(r, tail) == NULL)
		got = 0;
	else
		got = ring_copy_out(r, tail, objs, n);
	if (unlikely(got == 0)) {
		__atomic_store_n(&r->cons.empty, r->cons.empty + 1,
				 __ATOMIC_RELAXED);
		return 0;
	}
	/* The ACQUIRE probes in ring_copy_out() made the mbufs behind the
	 * pointers we took, and their count, visible. */
	tail += got;
	r->cons.tail = tail;
	/* RELEASE, and before any slot is cleared: the producer can only
	 * reuse a slot after our NULL store, so a reader that sees the
	 * producer's newer `enqueued` (acquire) also sees this `dequeued`;
	 * that is what keeps enqueued - dequeued <= size (ring_backlog()). */
	__atomic_store_n(&r->cons.dequeued, r->cons.dequeued + got,
			 __ATOMIC_RELEASE);
	/* Sample on the first dequeue and then once per RING_HWM_SAMPLE
	 * items, whatever the burst size: a sample costs a miss on the
	 * producer's line. Before clearing, so that the producer cannot yet
	 * have refilled the lines this dequeue frees (the bound below). */
	if (unlikely(((tail - got) ^ tail) >= RING_HWM_SAMPLE || tail == got))
		ring_cons_sample_hwm(r, got);
	ring_cons_clear(r, tail);
	return got;
}

#endif /* FFWD_RING_CORE_H */
