/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_decode: the IDS packet decoder.
 *
 * Ethernet (with up to three 802.1Q / 802.1ad tags, so QinQ), NSH
 * (RFC 8300, MD types 1 and 2) carrying IPv4, IPv6 or Ethernet, IPv4
 * with options, IPv6 with extension headers, TCP, UDP, ICMP and ICMPv6.
 * Raw IP captures (DLT_RAW) start at the IP header.
 *
 * The decoder works on a (data, caplen) pair and never reads a byte at or
 * past data + caplen: every header is length-checked before it is read.
 * A broken header stops the decode with a reason (IDS_DEC_ERRORS below)
 * that the caller counts. IP fragments are not reassembled: a first
 * fragment is decoded down to its transport header when that header is
 * whole, later fragments end at the IP layer with their bytes as payload,
 * and both are counted.
 *
 * Thread safety: ids_decode() keeps no state; the counters it updates are
 * the caller's (one struct per lcore).
 */
#ifndef FFWD_IDS_DECODE_H
#define FFWD_IDS_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* Link types the decoder knows (the values are libpcap's DLT_*). */
#define IDS_LINK_ETHERNET 1	/**< DLT_EN10MB */
#define IDS_LINK_RAW	  101	/**< LINKTYPE_RAW: starts at the IP header */
#define IDS_LINK_RAW_BSD  12	/**< DLT_RAW on most systems */
#define IDS_LINK_NULL	  0	/**< DLT_NULL: 4-byte address family, host order */
#define IDS_LINK_LOOP	  108	/**< DLT_LOOP: 4-byte address family, network order */
#define IDS_LINK_SLL	  113	/**< DLT_LINUX_SLL: 16-byte cooked header */
#define IDS_LINK_IPV4	  228	/**< DLT_IPV4: starts at an IPv4 header */
#define IDS_LINK_IPV6	  229	/**< DLT_IPV6: starts at an IPv6 header */
#define IDS_LINK_SLL2	  276	/**< DLT_LINUX_SLL2: 20-byte cooked header */

/** Most VLAN tags one frame may carry (802.1ad outer + 802.1Q inner + 1). */
#define IDS_VLAN_MAX 3
/** Most IPv6 extension headers followed before giving up. */
#define IDS_IPV6_EXT_MAX 8
/** Most NSH headers nested (NSH in NSH). */
#define IDS_NSH_MAX 2

/*
 * Malformed-header reasons, declared once: the enum, the counter names
 * (decoder.<name>) and the tests all come from this list.
 */
#define IDS_DEC_ERRORS(X)                                                      \
	X(LINK_UNKNOWN, "link_unknown")	/* link type not decoded */           \
	X(ETH_TRUNC, "eth_truncated")	/* shorter than an Ethernet header */ \
	X(SLL_TRUNC, "sll_truncated")	/* shorter than a cooked (SLL) header */ \
	X(NULL_TRUNC, "null_truncated")	/* shorter than a loopback header */  \
	X(VLAN_TRUNC, "vlan_truncated")	/* VLAN tag cut short */              \
	X(VLAN_TOO_MANY, "vlan_too_many") /* more than IDS_VLAN_MAX tags */   \
	X(NSH_TRUNC, "nsh_truncated")	/* NSH header cut short */            \
	X(NSH_BAD_VERSION, "nsh_bad_version") /* NSH version != 0 */          \
	X(NSH_BAD_LEN, "nsh_bad_length")  /* length field wrong for MD type */ \
	X(NSH_BAD_MDTYPE, "nsh_bad_md_type") /* reserved MD type */           \
	X(NSH_UNKNOWN_NP, "nsh_unknown_next_proto") /* payload not decoded */ \
	X(NSH_TOO_MANY, "nsh_too_many")	/* NSH nested too deep */             \
	X(IPV4_TRUNC, "ipv4_truncated")	/* shorter than 20 bytes */           \
	X(IPV4_BAD_VERSION, "ipv4_bad_version") /* version nibble != 4 */     \
	X(IPV4_BAD_HLEN, "ipv4_bad_hlen")	/* IHL < 5 or past the capture */ \
	X(IPV4_BAD_LEN, "ipv4_bad_total_len") /* total length < IHL or > capture */ \
	X(IPV4_BAD_OPT, "ipv4_bad_option")	/* option length runs out */      \
	X(IPV6_TRUNC, "ipv6_truncated")	/* shorter than 40 bytes */           \
	X(IPV6_BAD_VERSION, "ipv6_bad_version") /* version nibble != 6 */     \
	X(IPV6_BAD_LEN, "ipv6_bad_payload_len") /* payload length > capture */ \
	X(IPV6_EXT_TRUNC, "ipv6_exthdr_truncated") /* extension header cut */ \
	X(IPV6_EXT_TOO_MANY, "ipv6_exthdr_too_many") /* > IDS_IPV6_EXT_MAX */ \
	X(TCP_TRUNC, "tcp_truncated")	/* shorter than 20 bytes */           \
	X(TCP_BAD_HLEN, "tcp_bad_hlen")	/* data offset < 5 or past the end */ \
	X(TCP_BAD_OPT, "tcp_bad_option")	/* option length runs out */      \
	X(UDP_TRUNC, "udp_truncated")	/* shorter than 8 bytes */            \
	X(UDP_BAD_LEN, "udp_bad_len")	/* length < 8 or > IP payload */      \
	X(ICMP_TRUNC, "icmp_truncated")	/* shorter than 8 bytes */            \
	X(ICMPV6_TRUNC, "icmpv6_truncated") /* shorter than 8 bytes */

enum ids_dec_err {
	IDS_DEC_OK = 0,
#define X(e, s) IDS_DEC_E_##e,
	IDS_DEC_ERRORS(X)
#undef X
	IDS_DEC_ERR_MAX
};

/* What was decoded, counted per layer (decoder.<name>, as Suricata names them). */
#define IDS_DEC_COUNTERS(X)                                                    \
	X(pkts, "packets decoded (good or not)")                               \
	X(bytes, "captured bytes")                                             \
	X(ethernet, "Ethernet frames")                                         \
	X(sll, "Linux cooked (SLL/SLL2) frames")                               \
	X(null, "loopback (NULL/LOOP) frames")                                 \
	X(vlan, "frames with one VLAN tag or more")                            \
	X(vlan_qinq, "frames with two VLAN tags or more")                      \
	X(nsh, "NSH headers")                                                  \
	X(ipv4, "IPv4 headers")                                                \
	X(ipv6, "IPv6 headers")                                                \
	X(ipv4_opts, "IPv4 headers with options")                              \
	X(ipv6_ext, "IPv6 extension headers")                                  \
	X(tcp, "TCP headers")                                                  \
	X(udp, "UDP headers")                                                  \
	X(icmpv4, "ICMP headers")                                              \
	X(icmpv6, "ICMPv6 headers")                                            \
	X(frag, "IP fragments (not reassembled; inspected as they are)")      \
	X(l3_other, "frames with an ethertype not decoded")                    \
	X(l4_other, "IP packets with a transport protocol not decoded")        \
	X(invalid, "malformed packets (sum of the reasons)")

enum ids_dec_ctr {
#define X(n, h) IDS_DEC_C_##n,
	IDS_DEC_COUNTERS(X)
#undef X
	IDS_DEC_CTR_MAX
};

extern const char *const ids_dec_err_names[IDS_DEC_ERR_MAX];
extern const char *const ids_dec_ctr_names[IDS_DEC_CTR_MAX];

/** Decoder counters: one per lcore, written by that lcore only. */
struct ids_dec_stats {
	uint64_t ctr[IDS_DEC_CTR_MAX];	/**< by enum ids_dec_ctr */
	uint64_t err[IDS_DEC_ERR_MAX];	/**< by enum ids_dec_err */
};

/* Transport protocols, as IP numbers. */
#define IDS_PROTO_ICMP	 1
#define IDS_PROTO_TCP	 6
#define IDS_PROTO_UDP	 17
#define IDS_PROTO_ICMPV6 58

/* TCP flags. */
#define IDS_TH_FIN 0x01
#define IDS_TH_SYN 0x02
#define IDS_TH_RST 0x04
#define IDS_TH_PSH 0x08
#define IDS_TH_ACK 0x10
#define IDS_TH_URG 0x20

/**
 * A decoded packet: pointers into the caller's buffer, valid while it is.
 * Addresses are kept 16 bytes wide; an IPv4 address is in the first four.
 */
struct ids_dec {
	const uint8_t *data;	/**< the frame */
	uint32_t caplen;	/**< bytes captured at data */
	enum ids_dec_err err;	/**< IDS_DEC_OK or why decoding stopped */
	uint8_t ip_ver;		/**< 4, 6, or 0: no IP layer */
	uint8_t proto;		/**< IP protocol of the transport (after ext hdrs) */
	uint8_t vlan_n;		/**< VLAN tags seen */
	uint8_t ttl;		/**< IPv4 TTL / IPv6 hop limit */
	uint16_t vlan[IDS_VLAN_MAX]; /**< VLAN ids, outermost first */
	uint8_t src[16], dst[16]; /**< IP addresses (network order) */
	bool frag;		/**< an IP fragment */
	bool frag_later;	/**< a fragment other than the first: no L4 header */
	bool l4;		/**< the transport header was decoded */
	uint16_t sport, dport;	/**< TCP/UDP ports (host order); 0 otherwise */
	uint8_t tcp_flags;	/**< TCP flags */
	uint8_t icmp_type, icmp_code; /**< ICMP / ICMPv6 */
	uint16_t tcp_win;	/**< TCP window (unscaled) */
	uint32_t tcp_seq, tcp_ack; /**< TCP sequence and ack (host order) */
	uint32_t l3_off;	/**< offset of the IP header in data */
	uint32_t l4_off;	/**< offset of the transport header in data */
	const uint8_t *payload;	/**< transport payload (or IP payload of a later fragment) */
	uint32_t payload_len;	/**< bytes at payload, within the capture and IP length */
};

/**
 * Decode one frame of link type LINK (IDS_LINK_*) from DATA, CAPLEN bytes.
 * Fills D, adds to ST (the per-layer counters and, if the frame is
 * malformed, its reason and "invalid").
 *
 * @return 0 when the frame decoded (possibly without an IP layer, e.g. ARP),
 *   or the enum ids_dec_err reason (> 0) when a header was malformed; D then
 *   holds whatever layers were decoded before it.
 */
int ids_decode(struct ids_dec *d, struct ids_dec_stats *st, int link,
	       const uint8_t *data, uint32_t caplen);

#endif
