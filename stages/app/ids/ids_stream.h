/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_stream: TCP reassembly, one direction at a time.
 *
 * Each direction of a tracked TCP session has a struct ids_stream: the next
 * sequence number expected, the stream offset reached, a lookback of the
 * last bytes delivered (so that a pattern split across segments is seen
 * whole) and a list of out-of-order segments, sorted by sequence number,
 * held in a per-lcore pool of fixed-size segment records allocated at
 * start (the stream memcap). Nothing is allocated per packet.
 *
 * Policy (Suricata's defaults, docs/IDS-ENGINE.md "Streams"):
 *  - overlaps: the data seen first wins. Bytes already delivered are never
 *    replaced; an out-of-order segment only fills bytes no earlier segment
 *    covered. An overlap whose bytes differ is counted (overlap_diff).
 *  - out-of-order data waits, up to max_ooo segment records per direction
 *    and the pool, until the hole before it fills; if it cannot be stored
 *    it is counted (ooo_limit, memcap) and dropped from reassembly.
 *  - a gap (a hole that will not fill) is declared when the receiver
 *    acknowledges past it, when the held segments reach the bound, or at
 *    the end of the flow: the stream skips to the next held byte, the
 *    lookback is cleared (no match across a gap) and the gap is counted.
 *  - depth: only the first `depth` bytes of each direction are reassembled;
 *    the first cut is counted, with the bytes cut.
 *
 * Output: ids_stream_data() and friends write the bytes delivered, after
 * the lookback, into the caller's per-lcore buffer and return a view:
 * buf[0 .. new_off) is lookback (already inspected), buf[new_off .. len)
 * is new. Detection reports a match only if it ends in the new part, so a
 * pattern is reported once however many packets it is inspected with.
 */
#ifndef FFWD_IDS_STREAM_H
#define FFWD_IDS_STREAM_H

#include <stdbool.h>
#include <stdint.h>

/** Bytes of payload per segment record; longer segments take several. */
#define IDS_SEG_DATA 2048
/** Largest lookback (bytes kept from before the new data). */
#define IDS_STREAM_LOOKBACK_MAX 4096

#define IDS_STREAM_COUNTERS(X)                                                 \
	X(stream_bytes, "bytes delivered in order to detection")              \
	X(stream_segs, "TCP segments with data on tracked streams")           \
	X(stream_ooo, "segments that arrived out of order and were held")     \
	X(stream_retrans, "segments wholly before the stream (old data)")     \
	X(stream_overlap, "segments that overlapped data already seen")       \
	X(stream_overlap_diff, "overlaps whose bytes differed (first kept)")  \
	X(stream_gap, "gaps: holes skipped in a stream")                      \
	X(stream_gap_bytes, "bytes lost to gaps")                             \
	X(stream_memcap, "segments not held: segment pool empty")             \
	X(stream_ooo_limit, "segments not held: per-stream bound reached")    \
	X(stream_depth, "streams cut at the reassembly depth")                \
	X(stream_depth_bytes, "bytes past the reassembly depth")

enum ids_stream_ctr {
#define X(n, h) IDS_STREAM_C_##n,
	IDS_STREAM_COUNTERS(X)
#undef X
	IDS_STREAM_CTR_MAX
};

extern const char *const ids_stream_ctr_names[IDS_STREAM_CTR_MAX];

/** Reassembly settings (stream.* in the config). */
struct ids_stream_conf {
	uint64_t depth;		/**< stream.reassembly.depth, bytes; 0 = unlimited */
	uint32_t memcap_segs;	/**< segment records in the pool */
	uint16_t max_ooo;	/**< records held per direction */
	uint16_t lookback;	/**< bytes kept before new data (<= IDS_STREAM_LOOKBACK_MAX) */
};

/** Defaults: depth 1 MiB (Suricata's), 16384 records (32 MiB), 64, 256. */
void ids_stream_conf_default(struct ids_stream_conf *c);

/** The segment pool and counters of one lcore. */
struct ids_stream_ctx;

/* Stream flags. */
#define IDS_STREAM_F_INIT 0x01	/**< base sequence known */
#define IDS_STREAM_F_DEPTH 0x02	/**< depth reached: nothing more reassembled */
#define IDS_STREAM_F_FIN 0x04	/**< FIN seen */
#define IDS_STREAM_F_GAP 0x08	/**< a gap happened (sticky) */

/** One direction of a TCP session; lives in the flow, zeroed at flow start. */
struct ids_stream {
	uint32_t next_seq;	/**< next sequence number expected */
	uint32_t seg_head;	/**< first held segment record, or 0 = none */
	uint64_t off;		/**< stream bytes delivered so far (0-based) */
	uint16_t nsegs;		/**< records held */
	uint16_t lb_len;	/**< bytes in the lookback */
	uint8_t flags;		/**< IDS_STREAM_F_* */
	uint8_t *lb;		/**< lookback buffer, conf.lookback bytes (in the flow) */
};

/** What ids_stream_*() delivered. */
struct ids_stream_view {
	const uint8_t *buf;	/**< lookback then new bytes (the caller's buffer) */
	uint32_t len;		/**< bytes at buf */
	uint32_t new_off;	/**< new bytes start here */
	uint64_t stream_off;	/**< stream offset of buf[new_off] */
	bool gap;		/**< a gap was declared before the new bytes */
};

/**
 * Create the pool and counters for one lcore. @return the context, or NULL
 * with errno set. Slow path: allocates.
 */
struct ids_stream_ctx *ids_stream_ctx_create(const struct ids_stream_conf *c);
void ids_stream_ctx_free(struct ids_stream_ctx *x);

/** Counters, by enum ids_stream_ctr (owned by the context's lcore). */
const uint64_t *ids_stream_ctx_counters(const struct ids_stream_ctx *x);
/** Segment records free in the pool. */
uint32_t ids_stream_ctx_free_segs(const struct ids_stream_ctx *x);
/** Size of the buffer the caller gives to ids_stream_data(). */
uint32_t ids_stream_ctx_bufsize(const struct ids_stream_ctx *x);

/** Start direction S at sequence SEQ (the first data byte), LB its lookback. */
void ids_stream_init(struct ids_stream *s, uint32_t seq, uint8_t *lb);

/**
 * Add a segment (SEQ, DATA, LEN) to S. Writes into OUT (at least
 * ids_stream_ctx_bufsize() bytes) what became deliverable and fills V.
 * @return the number of new bytes delivered (V->len - V->new_off).
 */
uint32_t ids_stream_data(struct ids_stream_ctx *x, struct ids_stream *s,
			 uint32_t seq, const uint8_t *data, uint32_t len,
			 uint8_t *out, struct ids_stream_view *v);

/**
 * The receiver acknowledged up to ACK: if that is past a hole in S, the
 * hole will never fill (the receiver had it, we did not), so declare a
 * gap and deliver what was held after it. Same output as ids_stream_data().
 */
uint32_t ids_stream_ack(struct ids_stream_ctx *x, struct ids_stream *s,
			uint32_t ack, uint8_t *out, struct ids_stream_view *v);

/** The session ends: declare gaps over every hole and deliver what is held. */
uint32_t ids_stream_flush(struct ids_stream_ctx *x, struct ids_stream *s,
			  uint8_t *out, struct ids_stream_view *v);

/** Return S's held records to the pool (flow end); S stays usable. */
void ids_stream_release(struct ids_stream_ctx *x, struct ids_stream *s);

#endif
