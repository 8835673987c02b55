/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capsrc: a capture file (pcap or pcapng, through libpcap) as the source
 * of a replay.
 *
 *  - capsrc_scan() reads the file once before EAL starts: it refuses a file
 *    libpcap cannot read to the end or whose link type is not Ethernet,
 *    with a message naming the file, and sizes what preloading needs.
 *  - capsrc_load() preloads every record into mbufs of a pool made to fit
 *    (records longer than CAPSRC_SEG_ROOM_MAX are chained), so that a loop
 *    sends the same mbufs again by reference count, never by copy; with
 *    opts.every/from, only a share of them (the capture dealt over paths).
 *  - capsrc_stream_*() read the file on the main lcore while the pacer
 *    sends, for captures larger than memory: one copy per packet and pass.
 *
 * Records are sent as captured, or with opts.pad zero-padded to their wire
 * length. Zero-length records are skipped (no port can send them) and
 * counted. Capture times are made monotonic (a record stamped before its
 * predecessor leaves right after it) and relative to the first record; one
 * pass lasts span + the mean gap, so a loop keeps the capture's rhythm
 * across its boundary.
 */
#ifndef FFWD_CAPSRC_H
#define FFWD_CAPSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

struct ffwd_ring;

#define CAPSRC_SEG_ROOM_MAX 2048	/**< data room of one mbuf at most */
#define CAPSRC_PAD_MAX 262144		/**< --pad never builds more (libpcap's
					 *   largest snapshot length) */
#define CAPSRC_ERR_MAX 512

struct capsrc_opts {
	bool pad;		/**< pad short records to their wire length */
	const char *pool;	/**< name of the pool made, NULL: "capsrc_pool" */
	int gap_field;		/**< > 0: mbuf dynfield for the capture gap
				 *   (stage.h), set on each packet built */
	int span_field;		/**< > 0: mbuf dynfield for the span
				 *   (stage.h, struct stage_span), likewise */
	uint64_t every, from;	/**< preload only the share: packets from,
				 *   from + every, ... of a pass (every 0: 1) */
};

/** What capsrc_scan() found. */
struct capsrc_info {
	uint64_t records;	/**< records libpcap read */
	uint64_t packets;	/**< records to send (records - empty) */
	uint64_t empty;		/**< zero-length records, skipped */
	uint64_t short_recs;	/**< caplen < wire length */
	uint64_t padded;	/**< of those, padded (opts.pad) */
	uint64_t backwards;	/**< stamped before their predecessor */
	uint64_t bytes;		/**< bytes sent per pass */
	uint64_t segs;		/**< mbufs one pass needs */
	uint32_t max_len;	/**< longest packet sent */
	uint16_t seg_room;	/**< data room per mbuf */
	uint64_t share_packets;	/**< of packets, those in opts' share */
	uint64_t share_segs;	/**< mbufs the share needs */
	bool nano;		/**< file has nanosecond stamps */
	uint64_t span_ns;	/**< first to last capture time */
	uint64_t period_ns;	/**< one pass: span + mean gap */
};

/**
 * Read FILE whole and fill INFO.
 * @return 0; or, with "FILE: what was wrong; expected what" in err,
 *   -EINVAL (cannot open, not Ethernet, broken part-way) or -ENODATA
 *   (read whole, but no record with data: nothing to send).
 */
int capsrc_scan(const char *file, const struct capsrc_opts *opts,
		struct capsrc_info *info, char *err, size_t errlen);

/**
 * capsrc_scan() of an open stream (a fmemopen() buffer, say) instead of a
 * file; FILE only names it in messages. FP is closed in every case.
 */
int capsrc_scan_fp(FILE *fp, const char *file, const struct capsrc_opts *opts,
		   struct capsrc_info *info, char *err, size_t errlen);

/** Bytes of pool memory a preload of INFO's share takes (objects and
 * headers; the whole file when it was scanned without every). */
uint64_t capsrc_preload_bytes(const struct capsrc_info *info);

/**
 * A preloaded capture, or its share (opts every, from): only the share's
 * packets are built, but the gaps and spans (stage.h) are those of the
 * whole capture between one packet of the share and the next.
 */
struct capsrc {
	struct capsrc_info info;	/**< the whole file's */
	uint64_t n;			/**< packets preloaded (the share's) */
	struct rte_mempool *pool;	/**< exactly info.share_segs mbufs */
	struct rte_mbuf **pkts;		/**< n heads, in order */
	uint64_t *ts_ns;		/**< capture time of each, from 0 */
	uint64_t *gap_ns;		/**< capture time since the share's one
					 *   before (for pkts[0]: since the
					 *   previous pass's last of the share) */
	/* What precedes pkts[0] in a pass: packets, bytes and time. */
	uint64_t lead_pkts, lead_bytes, lead_ns;
	bool chained;			/**< some packet spans several mbufs */
};

/**
 * Preload FILE (already scanned into INFO) on SOCKET. EAL must be up.
 * @return the capture, or NULL with rte_errno set and a message in err
 *   naming the file (ENOMEM: does not fit; EIO: file changed since scan).
 */
struct capsrc *capsrc_load(const char *file, const struct capsrc_opts *opts,
			   const struct capsrc_info *info, int socket,
			   char *err, size_t errlen);

/** capsrc_load() of an open stream, as capsrc_scan_fp(); FP is closed. */
struct capsrc *capsrc_load_fp(FILE *fp, const char *file,
			      const struct capsrc_opts *opts,
			      const struct capsrc_info *info, int socket,
			      char *err, size_t errlen);

/**
 * Free every packet's mbufs, keeping the pool, once the port has dropped
 * its references. @return the mbufs now free in the pool (all of them,
 * unless a reference leaked).
 */
unsigned int capsrc_release(struct capsrc *c);

/** Free every mbuf, the pool and C. The pacer must be done. NULL: no-op. */
void capsrc_free(struct capsrc *c);

/** A capture read while it is sent (--stream). */
struct capsrc_stream {
	/* Set by the caller. */
	const char *file;
	struct capsrc_opts opts;
	struct capsrc_info info;	/**< from capsrc_scan() */
	struct rte_mempool *pool;
	struct ffwd_ring *ring;		/**< to the pacer */
	uint64_t loops;			/**< passes, 0: forever */
	int gap_field;			/**< dynfield for the capture gap */
	int span_field;			/**< > 0: dynfield for the span
					     (stage.h): 1 packet and the bytes
					     of the one before, 0 for the first */
	/* State. */
	void *pcap;			/**< pcap_t of the current pass */
	uint64_t pass;			/**< passes finished */
	uint64_t read;			/**< packets enqueued, all passes */
	uint64_t first_abs, prev_rel;	/**< this pass's time base */
	uint64_t prev_t;		/**< pass * period + rel of the last one */
	uint32_t prev_len;		/**< bytes of the last one */
	bool first_seen;
	struct rte_mbuf *held[32];	/**< built, not yet enqueued */
	unsigned int nh, hi;
	int done;			/**< set (release) after the last enqueue */
	char err[CAPSRC_ERR_MAX];
};

/**
 * Prepare S (file opened lazily); s->gap_field must be set.
 * @return 0 or -errno (message in s->err).
 */
int capsrc_stream_init(struct capsrc_stream *s);

/**
 * Read and enqueue up to 32 packets; never blocks on a full ring.
 * @return packets enqueued (0: the ring is full or the pool is empty, try
 *   again), -ENODATA once every pass is sent (s->done is then set), or
 *   another -errno with a message in s->err (the file changed or broke).
 */
int capsrc_stream_poll(struct capsrc_stream *s);

/** Close the file and free what was read but not enqueued. */
void capsrc_stream_close(struct capsrc_stream *s);

#endif /* FFWD_CAPSRC_H */
