/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect: Suricata rules (a stated subset, docs/IDS.md) and the
 * detection engine of the ids stage.
 *
 * Two objects:
 *  - struct ids_rules: a loaded, compiled rule set. Immutable once built,
 *    shared read-only by every replica; reload builds a new one and swaps
 *    the pointer (RCU, as the firewall does) and frees the old one after
 *    the grace period.
 *  - struct ids_detect_ctx: per lcore / replica. Hyperscan scratch, the
 *    candidate arrays, the PCRE2 match data and the threshold table, all
 *    allocated at creation; ids_detect() allocates nothing, takes no lock
 *    and makes no system call.
 *
 * The decoder / flow table (the other half of the stage) fills a
 * struct ids_pkt per packet and calls ids_detect(); it gets the matching
 * rules back in Suricata's order and emits EVE alerts and IPS verdicts.
 *
 * This header is the contract between the two halves: it only grows, in
 * compatible ways.
 */
#ifndef FFWD_IDS_DETECT_H
#define FFWD_IDS_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * The packet view (filled by the decoder, read-only here)
 * ------------------------------------------------------------------- */

/** ids_pkt.flags: direction relative to the flow (the client started it). */
#define IDS_PKT_TO_SERVER	(1u << 0)	/**< client -> server */
#define IDS_PKT_TO_CLIENT	(1u << 1)	/**< server -> client */
/** ids_pkt.flags: flow state at this packet. */
#define IDS_FLOW_ESTABLISHED	(1u << 2)	/**< TCP: 3WHS done; UDP: both sides seen */
#define IDS_FLOW_NOT_ESTABLISHED (1u << 3)	/**< a flow, not (yet) established */
#define IDS_PKT_NOFLOW		(1u << 4)	/**< stateless: no flow (fd is NULL) */
/**
 * ids_pkt.stream/stream_len hold reassembled TCP data of this direction
 * to be inspected at this packet (content rules on TCP see it, unless
 * flow:no_stream).
 */
#define IDS_PKT_STREAM		(1u << 5)
/**
 * A pseudo packet that only carries stream data (a flush at FIN/RST,
 * timeout or the end of the capture): only stream inspection runs; rules
 * that look at packets (no content, dsize, flow:no_stream) do not.
 */
#define IDS_PKT_PSEUDO		(1u << 6)
/** An IP fragment (not reassembled): no ports, payload from the IP payload. */
#define IDS_PKT_FRAGMENT	(1u << 7)

/** ids_pkt.tcp_flags: the TCP header flag bits, as on the wire. */
#define IDS_TCP_FIN	0x01
#define IDS_TCP_SYN	0x02
#define IDS_TCP_RST	0x04
#define IDS_TCP_PSH	0x08
#define IDS_TCP_ACK	0x10
#define IDS_TCP_URG	0x20

struct ids_flow_det;

/**
 * One decoded packet as the detector sees it. Pointers point into the
 * packet (or the flow's stream buffer) and are only read; lengths never
 * exceed what was captured.
 */
struct ids_pkt {
	const uint8_t *payload;	/**< L4 payload (L3 payload for other protos) */
	uint32_t payload_len;	/**< within the captured length */
	uint32_t flags;		/**< IDS_PKT_* / IDS_FLOW_* */
	const uint8_t *stream;	/**< reassembled stream data or NULL */
	uint32_t stream_len;	/**< bytes at stream (0 if NULL) */
	uint8_t ip_version;	/**< 4 or 6 */
	uint8_t proto;		/**< IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 or other */
	uint8_t tcp_flags;	/**< IDS_TCP_* (TCP only) */
	uint8_t icmp_type;	/**< ICMP/ICMPv6 only */
	uint8_t icmp_code;	/**< ICMP/ICMPv6 only */
	uint8_t pad_[1];
	uint16_t sport;		/**< host byte order; 0 when no ports */
	uint16_t dport;		/**< host byte order; 0 when no ports */
	uint8_t src[16];	/**< network byte order; IPv4 in src[0..3] */
	uint8_t dst[16];	/**< network byte order; IPv4 in dst[0..3] */
	uint64_t ts_ns;		/**< packet time, ns since the epoch */
	struct ids_flow_det *fd; /**< per-flow detection state or NULL */
	/**
	 * Stream only: stream[0..stream_new_off) was inspected with an
	 * earlier packet (a lookback kept so that patterns cut across
	 * segments are found). A rule matches the stream only if one of its
	 * content or pcre matches ends past this offset (later occurrences
	 * are tried); a rule with only negated contents and isdataat is not
	 * held to it. 0: every byte is new.
	 */
	uint32_t stream_new_off;
};

/* ---------------------------------------------------------------------
 * Per-flow detection state (owned by the flow table, written here)
 * ------------------------------------------------------------------- */

/**
 * Flowbits of one flow. The flow table reserves
 * ids_detect_flow_state_size() bytes per flow and calls
 * ids_detect_flow_init() when the flow is created.
 *
 * The bit numbering belongs to a rule set's flowbit namespace. A rule set
 * loaded with ids_rules_opts.prev keeps the numbering of the previous
 * one (new names get new bits), so a reload keeps every flow's flowbits.
 * A flow whose namespace differs from the rule set's (reload without
 * prev) has its bits cleared on its next packet.
 */
struct ids_flow_det {
	uint32_t ns;		/**< flowbit namespace the bits refer to */
	uint16_t nwords;	/**< words in bits[] */
	uint16_t flags;		/**< reserved, 0 */
	uint64_t bits[];	/**< one bit per flowbit name */
};

/* ---------------------------------------------------------------------
 * Rule sets
 * ------------------------------------------------------------------- */

struct ids_rules;

/** A rule variable: name without '$' ("HOME_NET"), value as in suricata.yaml. */
struct ids_var {
	const char *name;
	const char *value;	/**< "[10.0.0.0/8,!10.1.0.0/16]", "80", "any" */
};

/**
 * Load options. Zero-initialise and set what you need; fields only grow
 * at the end.
 *
 * Variables not given take Suricata's suricata.yaml defaults:
 * HOME_NET "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]",
 * EXTERNAL_NET "!$HOME_NET", the ..._SERVERS and ..._CLIENT address groups
 * "$HOME_NET" (AIM_SERVERS "$EXTERNAL_NET"), and the port groups
 * HTTP_PORTS "80", SHELLCODE_PORTS "!80", ORACLE_PORTS "1521",
 * SSH_PORTS "22", DNP3_PORTS "20000", MODBUS_PORTS "502",
 * FILE_DATA_PORTS "[$HTTP_PORTS,110,143]", FTP_PORTS "21",
 * GENEVE_PORTS "6081", VXLAN_PORTS "4789", TEREDO_PORTS "3544".
 */
struct ids_rules_opts {
	const struct ids_var *vars;	/**< overrides/additions, may be NULL */
	unsigned int nvars;
	/**
	 * true: a rule with a keyword outside the subset is skipped (counted,
	 * listed by ids_rules_skipped_at()) and the rest loads. false: it is
	 * an error. A malformed rule is an error either way.
	 */
	bool skip_unsupported;
	/** classification.config; NULL: conf/classification.config's contents built in. */
	const char *classification_file;
	/** Keep this set's flowbit numbering (reload); may be NULL. */
	const struct ids_rules *prev;
	/** Per replica threshold/detection_filter entries; 0: 65536. */
	unsigned int threshold_slots;
};

/**
 * Load and compile a rule file (Suricata syntax: one rule a line, '\' at
 * the end of a line continues it, '#' starts a comment line).
 *
 * @return the rule set, or NULL with a message "file:line:col: what"
 *   in err (errno set: EINVAL bad rule, ENOENT/EACCES file, ENOMEM).
 */
struct ids_rules *ids_rules_load(const char *file,
				 const struct ids_rules_opts *o,
				 char *err, size_t errlen);

/**
 * The same from a string; name is the file name used in messages
 * ("<string>" when NULL).
 */
struct ids_rules *ids_rules_load_string(const char *text, const char *name,
					const struct ids_rules_opts *o,
					char *err, size_t errlen);

/** Several files as one set (the `rules:` list of the stage). */
struct ids_rules *ids_rules_load_files(const char *const *files,
				       unsigned int nfiles,
				       const struct ids_rules_opts *o,
				       char *err, size_t errlen);

/** Frees a set no replica uses any more (after the RCU grace period). */
void ids_rules_free(struct ids_rules *r);

/** Number of loaded rules. */
unsigned int ids_rules_count(const struct ids_rules *r);
/** Number of rules skipped as unsupported (skip_unsupported). */
unsigned int ids_rules_skipped(const struct ids_rules *r);
/** "file:line:col: unsupported keyword 'http.uri' (sid 123)", i < skipped. */
const char *ids_rules_skipped_at(const struct ids_rules *r, unsigned int i);

/** Rule actions. */
enum ids_action {
	IDS_ACT_ALERT = 0,
	IDS_ACT_PASS,
	IDS_ACT_DROP,
	IDS_ACT_REJECT,	/**< drop plus an optional RST / ICMP unreachable */
};

/** ids_rule_info.flags / ids_match.flags */
#define IDS_RULE_NOALERT	(1u << 0)	/**< noalert or flowbits:noalert */
#define IDS_MATCH_STREAM	(1u << 8)	/**< matched in the stream buffer */

/** What is known about one loaded rule (for EVE and telemetry). */
struct ids_rule_info {
	uint32_t sid;
	uint32_t gid;		/**< 1 unless gid: */
	uint32_t rev;
	uint32_t idx;		/**< position in the evaluation order, < count */
	uint8_t action;		/**< enum ids_action */
	uint8_t priority;	/**< priority:, else the classtype's, else 3 */
	uint16_t flags;		/**< IDS_RULE_* */
	const char *msg;	/**< "" when no msg */
	const char *classtype;	/**< short name, NULL when none */
	const char *category;	/**< classtype description, "" when none */
	const char *file;	/**< where it was loaded from */
	uint32_t line;		/**< first line of the rule */
};

/** Rule number idx (0..count-1, evaluation order), or NULL. */
const struct ids_rule_info *ids_rules_info(const struct ids_rules *r,
					   unsigned int idx);
/** Looks a rule up by gid:sid, or NULL. */
const struct ids_rule_info *ids_rules_find(const struct ids_rules *r,
					   uint32_t gid, uint32_t sid);

/**
 * Whether some rule inspects the TCP stream (a TCP or ip rule with
 * payload keywords and without flow:no_stream or dsize): when false the
 * flow half can skip handing stream data to ids_detect().
 */
bool ids_rules_needs_stream(const struct ids_rules *r);

/** Bytes the flow table reserves per flow for struct ids_flow_det. */
size_t ids_detect_flow_state_size(const struct ids_rules *r);
/** Initialises fd (size bytes, >= sizeof(struct ids_flow_det)) for r. */
void ids_detect_flow_init(const struct ids_rules *r, struct ids_flow_det *fd,
			  size_t size);

/* ---------------------------------------------------------------------
 * Detection
 * ------------------------------------------------------------------- */

/**
 * One matching rule. Pointers point into the rule set and live as long as
 * it does.
 */
struct ids_match {
	const struct ids_rule_info *rule;
	uint32_t sid;
	uint32_t gid;
	uint32_t rev;
	uint8_t action;		/**< enum ids_action */
	uint8_t priority;	/**< EVE alert.severity */
	uint16_t flags;		/**< IDS_RULE_NOALERT, IDS_MATCH_STREAM */
	const char *msg;	/**< EVE alert.signature */
	const char *category;	/**< EVE alert.category */
};

/** Per-context counters (X-macro: enum, names, telemetry, tests). */
#define IDS_DETECT_COUNTERS(X)						\
	X(packets, "packets inspected")					\
	X(scans, "prefilter scans (one per inspected buffer)")		\
	X(candidates, "rules the prefilter or the group proposed")	\
	X(matches, "rules that matched")				\
	X(alerts, "matches not suppressed (noalert, threshold)")	\
	X(thresholded, "matches suppressed by threshold")		\
	X(pass, "packets a pass rule ended inspection of")		\
	X(truncated, "matches beyond the caller's array")		\
	X(flowbits_reset, "flows whose flowbits a new namespace cleared") \
	X(threshold_full, "threshold entries evicted while still live")	\
	X(scan_errors, "prefilter scan errors")				\
	X(pcre_errors, "pcre match errors or limits")

enum ids_detect_counter {
#define IDS_X_ENUM(n, d) IDS_DC_##n,
	IDS_DETECT_COUNTERS(IDS_X_ENUM)
#undef IDS_X_ENUM
	IDS_DC_MAX
};

/** Names of the counters, IDS_DC_MAX entries ("packets", ...). */
extern const char *const ids_detect_counter_names[IDS_DC_MAX];

struct ids_detect_ctx;

/**
 * A per lcore/replica context for r (and any set that fits it, see
 * ids_detect_ctx_fits()). NULL with errno on failure.
 */
struct ids_detect_ctx *ids_detect_ctx_create(const struct ids_rules *r);
void ids_detect_ctx_free(struct ids_detect_ctx *c);
/**
 * Whether c can serve r (scratch large enough, arrays sized). After a
 * reload build a new context per replica unless this says true; call it
 * off the packet path.
 */
bool ids_detect_ctx_fits(const struct ids_detect_ctx *c,
			 const struct ids_rules *r);
/** Counter values, IDS_DC_MAX entries, written only by the owner lcore. */
const uint64_t *ids_detect_ctx_counters(const struct ids_detect_ctx *c);
/**
 * Times rule idx fired on this context: matches returned by ids_detect()
 * (after threshold/detection_filter; noalert and pass matches included,
 * see their flags), for telemetry's alerts per sid; 0 for an index
 * outside the set the context was created for.
 */
uint64_t ids_detect_ctx_rule_hits(const struct ids_detect_ctx *c,
				  unsigned int idx);

/**
 * Runs the rules of p's group on p and writes up to max matches to out.
 *
 * Order and semantics (Suricata's, docs/IDS.md):
 *  - rules are evaluated in the set's order: action (pass, drop, reject,
 *    alert), then flowbit setters before readers, then priority, then
 *    file order; flowbits set/unset/toggle of a matching rule apply at
 *    once to p->fd, so a later rule on the same packet sees them;
 *  - a matching pass rule is returned as the only match (flags as it
 *    has them) and ends inspection of the packet: the caller ends it for
 *    the flow in IPS mode;
 *  - matches suppressed by threshold are not returned; noalert matches
 *    are returned with IDS_RULE_NOALERT (their action still applies);
 *  - a rule is returned at most once per call. A TCP rule with payload
 *    keywords inspects the stream buffer when the packet has one
 *    (IDS_PKT_STREAM, Suricata's PKT_DETECT_HAS_STREAMDATA), otherwise the
 *    packet payload; flow:no_stream (and dsize) always use the packet,
 *    flow:only_stream never does. IDS_MATCH_STREAM tells which matched.
 *    The caller decides which stream bytes are new for this packet (the
 *    flow half tracks the inspected progress), so a match is not
 *    reported twice for the same stream data.
 *
 * @return the number of matches written (<= max, the rest counted as
 *   truncated), or -ESTALE when c does not fit r.
 */
int ids_detect(struct ids_detect_ctx *c, const struct ids_rules *r,
	       const struct ids_pkt *p, struct ids_match *out,
	       unsigned int max);

#ifdef __cplusplus
}
#endif

#endif /* FFWD_IDS_DETECT_H */
