/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rec: the fixed-size records the engine hands to the EVE logger, and
 * the queue they travel on.
 *
 * The queue is two single-producer single-consumer rte_rings over one
 * array of records allocated at creation: "free" (logger -> engine) and
 * "full" (engine -> logger). The engine takes a record from free, fills
 * it and puts it on full; when free is empty the logger is behind, and the
 * record is lost and counted (lost), never waited for. The logger takes
 * from full, writes EVE JSON, and returns the record to free.
 *
 * Both rings are made with rte_ring_init() on memory of our own, so the
 * queue needs no EAL memzone (the offline driver and tests use it too).
 */
#ifndef FFWD_IDS_REC_H
#define FFWD_IDS_REC_H

#include <stdbool.h>
#include <stdint.h>

/** Payload bytes a record carries (EVE "payload"), at most. */
#define IDS_REC_PAYLOAD 1536
#define IDS_REC_MSG 256
#define IDS_REC_CATEGORY 128

enum ids_rec_type {
	IDS_REC_ALERT = 1,	/**< EVE event_type "alert" */
	IDS_REC_DROP,		/**< EVE event_type "drop" (IPS) */
	IDS_REC_FLOW,		/**< EVE event_type "flow" (flow end) */
};

/* ids_rec.flags */
#define IDS_RECF_BLOCKED 0x01	/**< alert.action "blocked", else "allowed" */
#define IDS_RECF_STREAM 0x02	/**< matched in the reassembled stream */
#define IDS_RECF_TOCLIENT 0x04	/**< direction to_client, else to_server */
#define IDS_RECF_FLOW 0x08	/**< flow_id and the flow counters are set */
#define IDS_RECF_ALERTED 0x10	/**< flow record: the flow had alerts */

/** One EVE event, as the packet path fills it. */
struct ids_rec {
	uint8_t type;		/**< enum ids_rec_type */
	uint8_t flags;		/**< IDS_RECF_* */
	uint8_t ip_ver, proto;
	uint8_t src[16], dst[16];	/**< src/dest of the event */
	uint16_t sport, dport;
	uint8_t icmp_type, icmp_code;
	uint8_t severity;
	uint8_t tcp_flags;	/**< drop: flags of the packet; flow: seen in the flow */
	uint8_t ttl;
	uint8_t tcp_state;	/**< flow: enum ids_tcp_state at the end */
	uint8_t end_reason;	/**< flow: 0 timeout, 1 forced (eviction), 2 shutdown, 3 tcp_reuse */
	uint8_t flow_state;	/**< flow: enum ids_flow_state at the end */
	uint32_t sid, gid, rev;
	uint32_t wire_len;
	uint32_t tcp_seq, tcp_ack;
	uint16_t tcp_win;
	uint16_t payload_len;
	uint64_t ts_ns;		/**< event time (packet time), ns since the epoch */
	uint64_t pcap_cnt;	/**< 1-based packet number in the capture; 0: none */
	uint64_t flow_id;
	uint64_t pkts[2], bytes[2];	/**< flow counters, by direction */
	uint64_t flow_start_ns, flow_end_ns;
	char msg[IDS_REC_MSG];
	char category[IDS_REC_CATEGORY];
	uint8_t payload[IDS_REC_PAYLOAD];
};

struct ids_recq;

/** A queue of N records (a power of two >= 2). NULL with errno. */
struct ids_recq *ids_recq_create(unsigned int n);
void ids_recq_free(struct ids_recq *q);

/** Producer: a record to fill, or NULL when the logger is behind (counted). */
struct ids_rec *ids_recq_get(struct ids_recq *q);
/** Producer: hand a filled record to the logger. */
void ids_recq_put(struct ids_recq *q, struct ids_rec *r);

/** Consumer: up to N filled records. @return how many. */
unsigned int ids_recq_poll(struct ids_recq *q, struct ids_rec **r,
			   unsigned int n);
/** Consumer: give N records back. */
void ids_recq_done(struct ids_recq *q, struct ids_rec **r, unsigned int n);

/** Records lost because none was free (producer's counter). */
uint64_t ids_recq_lost(const struct ids_recq *q);

#endif
