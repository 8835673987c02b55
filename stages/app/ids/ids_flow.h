/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_flow: the flow table of one IDS replica.
 *
 * An rte_hash keyed by a symmetric 5-tuple (the two endpoints in a fixed
 * order, so both directions find the same entry) gives a position into an
 * array of flows allocated at creation: nothing is allocated per packet.
 * Each flow holds its TCP state, two ids_stream directions with their
 * lookback buffers, packet and byte counters per direction, and
 * det_size bytes the detector owns (flowbits).
 *
 * Flows are kept on three lists by state (new, established, closed), each
 * in last-seen order, so the idle timeout of each state is checked at the
 * head of its list in O(1). When the table is full the oldest flow is
 * evicted (closed first, then new, then established) and counted.
 *
 * Time comes from the caller (ns): the packet's capture time offline, the
 * TSC-derived clock inline. Single writer: one lcore owns a table.
 */
#ifndef FFWD_IDS_FLOW_H
#define FFWD_IDS_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids_decode.h"
#include "ids_stream.h"

#define IDS_FLOW_COUNTERS(X)                                                   \
	X(flow_created, "flows created")                                       \
	X(flow_timeout_new, "flows timed out before establishing")             \
	X(flow_timeout_est, "established flows timed out")                     \
	X(flow_timeout_closed, "closed flows timed out")                       \
	X(flow_evicted, "flows evicted because the table was full (memcap)")   \
	X(flow_alloc_fail, "packets without a flow: no entry could be had")    \
	X(flow_flushed, "flows ended by ids_flow_flush (shutdown, end of capture)") \
	X(flow_nokey, "packets not tracked: not IP, or a later fragment")      \
	X(tcp_sessions, "TCP sessions tracked (handshake or pickup)")          \
	X(tcp_syn, "SYN packets")                                              \
	X(tcp_synack, "SYN-ACK packets")                                       \
	X(tcp_established, "TCP sessions that completed the handshake")       \
	X(tcp_midstream, "TCP sessions picked up midstream")                   \
	X(tcp_async, "TCP sessions accepted with one side seen (async-oneside)") \
	X(tcp_fin_close, "TCP sessions closed by FIN from both sides")         \
	X(tcp_rst_close, "TCP sessions closed by RST")                         \
	X(tcp_no_session, "TCP packets on a flow without a session (inspected as packets)") \
	X(tcp_bad_synack, "SYN-ACKs whose ack did not match the SYN")          \
	X(tcp_reuse, "closed sessions ended by a new SYN on their 5-tuple")

enum ids_flow_ctr {
#define X(n, h) IDS_FLOW_C_##n,
	IDS_FLOW_COUNTERS(X)
#undef X
	IDS_FLOW_CTR_MAX
};

extern const char *const ids_flow_ctr_names[IDS_FLOW_CTR_MAX];

/** Flow table settings (flow.* and stream.* in the config). */
struct ids_flow_conf {
	uint32_t max_flows;	/**< entries (the flow memcap), >= 2 */
	uint64_t timeout_new_ns;	/**< not established yet */
	uint64_t timeout_est_ns;	/**< established (or UDP both ways) */
	uint64_t timeout_closed_ns;	/**< after FIN from both sides or RST */
	bool midstream;		/**< stream.midstream: pick up sessions without SYN */
	bool async_oneside;	/**< stream.async-oneside: one direction is enough */
	size_t det_size;	/**< bytes per flow for the detector */
	uint32_t id;		/**< table id (replica), for hash names and flow_id */
};

/** Suricata's defaults: 65536 flows, TCP new 60 s, est 600 s, closed 60 s. */
void ids_flow_conf_default(struct ids_flow_conf *c);

/** The symmetric key: endpoint a is the lesser (address, port) pair. */
struct ids_flow_key {
	uint8_t addr_a[16];
	uint8_t addr_b[16];
	uint16_t port_a, port_b;
	uint8_t proto;
	uint8_t ip_ver;
	uint8_t pad[2];		/* zero: the hash reads every byte */
};

/* Flow lifecycle (which list it is on). */
enum ids_flow_state {
	IDS_FS_NEW = 0,
	IDS_FS_EST,
	IDS_FS_CLOSED,
	IDS_FS_MAX
};

/* TCP session state. */
enum ids_tcp_state {
	IDS_TCP_NONE = 0,	/**< no session: packets only */
	IDS_TCP_SYN_SENT,
	IDS_TCP_SYN_RECV,
	IDS_TCP_ESTABLISHED,
	IDS_TCP_CLOSING,	/**< a FIN seen */
	IDS_TCP_CLOSED,		/**< FIN both ways, or RST */
};

/* Directions, relative to the flow: 0 = to server, 1 = to client. */
#define IDS_DIR_TOSERVER 0
#define IDS_DIR_TOCLIENT 1

/* ids_flow.flags */
#define IDS_FLOWF_DROP 0x01	/**< IPS: drop the rest of the flow */
#define IDS_FLOWF_PASS 0x02	/**< a pass rule matched: inspect no more */
#define IDS_FLOWF_SEEN_TOSERVER 0x04
#define IDS_FLOWF_SEEN_TOCLIENT 0x08
#define IDS_FLOWF_CLIENT_IS_A 0x10 /**< the client is endpoint a of the key */
#define IDS_FLOWF_ALERTED 0x20	/**< an alert was made on the flow */

struct ids_flow {
	struct ids_flow_key key;
	uint64_t flow_id;	/**< EVE flow_id */
	uint64_t first_ns, last_ns;
	uint64_t pkts[2], bytes[2];	/**< by IDS_DIR_* */
	uint32_t prev, next;	/**< list links (indices + 1; 0 = none) */
	uint8_t state;		/**< enum ids_flow_state */
	uint8_t tcp;		/**< enum ids_tcp_state */
	uint8_t flags;		/**< IDS_FLOWF_* */
	uint8_t fin;		/**< FIN seen, bit per direction */
	struct ids_stream st[2];	/**< data sent in direction d */
	void *det;		/**< det_size bytes for the detector */
};

struct ids_flow_table;

/**
 * Create a table. Slow path: allocates everything (needs EAL for rte_hash).
 * @return the table, or NULL with rte_errno/errno set.
 */
struct ids_flow_table *ids_flow_table_create(const struct ids_flow_conf *c,
					     const struct ids_stream_conf *sc);
void ids_flow_table_free(struct ids_flow_table *t);

/** The table's reassembly context (segment pool, stream counters). */
struct ids_stream_ctx *ids_flow_table_stream(struct ids_flow_table *t);
/** Counters, by enum ids_flow_ctr. */
const uint64_t *ids_flow_table_counters(const struct ids_flow_table *t);
/** Flows in the table now. */
uint32_t ids_flow_table_active(const struct ids_flow_table *t);
const struct ids_flow_conf *ids_flow_table_conf(const struct ids_flow_table *t);

/**
 * Called for every flow that leaves the table (timeout, eviction, flush),
 * before its streams are released: the engine flushes what the streams
 * hold through detection and logs the flow. WHY is the counter that the
 * end is counted under (IDS_FLOW_C_flow_timeout_*, _evicted, _flushed).
 */
typedef void (*ids_flow_end_cb)(void *arg, struct ids_flow *f,
				enum ids_flow_ctr why);
void ids_flow_table_set_end_cb(struct ids_flow_table *t, ids_flow_end_cb cb,
			       void *arg);

/**
 * Find or create the flow of D at time NOW_NS. Sets *DIR to the packet's
 * direction and *CREATED when it is new. Updates the flow's counters,
 * last-seen time and TCP state (handshake, midstream or async pickup,
 * FIN/RST close); starts the streams when a session begins.
 * @return the flow, or NULL (not trackable, or no entry: counted).
 */
struct ids_flow *ids_flow_get(struct ids_flow_table *t,
			      const struct ids_dec *d, uint32_t wire_len,
			      uint64_t now_ns, int *dir, bool *created);

/**
 * Time out idle flows as of NOW_NS, at most BUDGET of them (so that one
 * call stays short). @return the number ended.
 */
unsigned int ids_flow_expire(struct ids_flow_table *t, uint64_t now_ns,
			     unsigned int budget);

/** End every flow (shutdown, end of capture), counted as flow_flushed. */
void ids_flow_flush(struct ids_flow_table *t);

/** Whether a flow is established in Suricata's sense (TCP 3WHS or UDP both ways). */
static inline bool
ids_flow_established(const struct ids_flow *f)
{
	if (f->key.proto == IDS_PROTO_TCP)
		return f->tcp >= IDS_TCP_ESTABLISHED;
	return (f->flags & (IDS_FLOWF_SEEN_TOSERVER | IDS_FLOWF_SEEN_TOCLIENT)) ==
	       (IDS_FLOWF_SEEN_TOSERVER | IDS_FLOWF_SEEN_TOCLIENT);
}

/** Build the symmetric key of D; *A_IS_SRC says whether D's source is endpoint a. */
int ids_flow_key_make(struct ids_flow_key *k, const struct ids_dec *d,
		      bool *a_is_src);

#endif
