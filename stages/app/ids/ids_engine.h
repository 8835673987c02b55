/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_engine: one IDS replica's packet path: decode -> flow -> stream ->
 * detect -> verdict, and the alert / drop / flow records for the logger.
 *
 * One engine per lcore (replica): its flow table, segment pool, detection
 * context, linearisation and stream buffers are all allocated by
 * ids_engine_create(); ids_engine_packet() allocates nothing, takes no lock
 * and makes no system call. Records leave through an ids_recq; when it is
 * full the record is lost and counted, and the packet goes on.
 *
 * Detection on TCP follows Suricata (docs/IDS-ENGINE.md "Streams"):
 * a packet of a tracked session hands its bytes to the reassembler, and
 * detection sees the reassembled stream of that direction (the lookback,
 * then what became in order) besides the packet's payload, so that a
 * pattern cut across segments is found once. A packet on a flow without a
 * session (no SYN seen, stream.midstream off) is inspected as a packet.
 * At FIN/RST and when a flow ends, what the streams still hold is flushed
 * (gaps declared) and inspected in a pseudo packet.
 *
 * Verdicts: mode ids passes everything; mode ips drops a packet that a
 * drop/reject rule matched and every later packet of its flow
 * (ids_flow_drop), and, if drop_malformed, packets whose headers are broken
 * (ids_malformed). A pass rule ends inspection of its flow in both modes.
 */
#ifndef FFWD_IDS_ENGINE_H
#define FFWD_IDS_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "ids_decode.h"
#include "ids_detect.h"
#include "ids_flow.h"
#include "ids_rec.h"
#include "ids_stream.h"

struct rte_mbuf;

enum ids_mode {
	IDS_MODE_IDS = 0,	/**< alert only; every packet passes */
	IDS_MODE_IPS,		/**< drop rules drop the packet and its flow */
};

/** Checksum validation (Suricata's -k). */
enum ids_csum {
	IDS_CSUM_NONE = 0,	/**< -k none: not checked */
	IDS_CSUM_ALL,		/**< -k all: a bad IPv4/TCP/UDP checksum: not inspected */
};

/* Per-engine counters beyond the decoder's, the flow table's, the stream's
 * and the detector's. */
#define IDS_ENGINE_COUNTERS(X)                                                 \
	X(pkts, "packets handled")                                             \
	X(pass, "packets passed")                                              \
	X(ids_drop, "IPS: packets a drop rule matched")                        \
	X(ids_flow_drop, "IPS: later packets of a dropped flow")               \
	X(ids_malformed, "IPS: packets dropped for malformed headers")         \
	X(alerts, "alert records made (or lost)")                              \
	X(drops_logged, "drop records made (or lost)")                         \
	X(flows_logged, "flow records made (or lost)")                         \
	X(records_lost, "records lost: the logger ring was full")             \
	X(inspected, "detection calls (packets and stream flushes)")           \
	X(stream_inspections, "detection calls with reassembled stream data") \
	X(pseudo, "pseudo packets: stream flushes at close and flow end")      \
	X(flow_passed, "packets not inspected: a pass rule ended the flow")    \
	X(bad_csum, "packets with a bad checksum, not inspected (-k all)")     \
	X(linearised, "chained mbufs copied to the linear buffer")             \
	X(truncated_mbuf, "chained mbufs longer than the linear buffer (cut)") \
	X(detect_errors, "detection refused the call (context/rules mismatch)")

enum ids_engine_ctr {
#define X(n, h) IDS_ENG_C_##n,
	IDS_ENGINE_COUNTERS(X)
#undef X
	IDS_ENG_CTR_MAX
};

extern const char *const ids_engine_ctr_names[IDS_ENG_CTR_MAX];

/** Engine settings. Zero-initialise, then ids_engine_conf_default(). */
struct ids_engine_conf {
	enum ids_mode mode;
	enum ids_csum csum;
	bool drop_malformed;	/**< IPS: drop packets with broken headers */
	bool payload;		/**< copy the payload into alert records */
	bool flow_records;	/**< make an event_type flow record at flow end */
	int link;		/**< IDS_LINK_* of the frames */
	uint32_t id;		/**< replica id */
	uint32_t rec_ring;	/**< records in the logger queue (power of two) */
	uint32_t max_matches;	/**< matches taken per detection call */
	uint32_t linear_max;	/**< bytes of the linearisation buffer (chained mbufs) */
	struct ids_flow_conf flow;
	struct ids_stream_conf stream;
};

void ids_engine_conf_default(struct ids_engine_conf *c);

/** What to do with a packet. */
enum ids_verdict {
	IDS_PASS = 0,
	IDS_DROP,		/**< reason in ids_engine_last_reason() */
};

struct ids_engine;

/**
 * Create an engine for rule set R (which it only reads; it must outlive
 * the engine or be replaced with ids_engine_set_rules()). Needs EAL (the
 * flow table's rte_hash). Slow path.
 * @return the engine, or NULL with errno set and a message in ERR.
 */
struct ids_engine *ids_engine_create(const struct ids_engine_conf *c,
				     const struct ids_rules *r, char *err,
				     size_t errlen);
void ids_engine_free(struct ids_engine *e);

/**
 * Switch to rule set R (reload). Must be called on the engine's lcore or
 * while it is quiescent; a detection context is built when the current one
 * does not fit R, so this may allocate: call it between bursts, never
 * from a burst. @return 0 or -errno (the old set stays).
 */
int ids_engine_set_rules(struct ids_engine *e, const struct ids_rules *r);

/**
 * Inspect one frame: DATA/CAPLEN as captured, WIRELEN its length on the
 * wire, TS_NS its time, PCAP_CNT its 1-based number in a capture (0 when
 * live). Expires idle flows as of TS_NS first (a bounded number).
 */
enum ids_verdict ids_engine_packet(struct ids_engine *e, const uint8_t *data,
				   uint32_t caplen, uint32_t wirelen,
				   uint64_t ts_ns, uint64_t pcap_cnt);

/**
 * The same for an mbuf. A chained mbuf is copied into the engine's linear
 * buffer (linear_max bytes; the rest is cut and counted) so that every
 * layer is inspected; a contiguous one is read in place.
 */
enum ids_verdict ids_engine_mbuf(struct ids_engine *e, struct rte_mbuf *m,
				 uint64_t ts_ns);

/** Time out idle flows as of NOW_NS (idle polls call this). */
void ids_engine_tick(struct ids_engine *e, uint64_t now_ns);

/** End every flow: flush and inspect the streams, make the flow records. */
void ids_engine_flush(struct ids_engine *e);

/** The logger's side of the records. */
struct ids_recq *ids_engine_recq(struct ids_engine *e);

/** Counter views (each written by the engine's lcore only). */
const uint64_t *ids_engine_counters(const struct ids_engine *e);
const struct ids_dec_stats *ids_engine_dec_stats(const struct ids_engine *e);
const uint64_t *ids_engine_flow_counters(const struct ids_engine *e);
const uint64_t *ids_engine_stream_counters(const struct ids_engine *e);
const uint64_t *ids_engine_detect_counters(const struct ids_engine *e);
uint32_t ids_engine_flows_active(const struct ids_engine *e);
/** Matches of rule IDX (evaluation order) on this engine (telemetry). */
uint64_t ids_engine_rule_hits(const struct ids_engine *e, unsigned int idx);

#endif
