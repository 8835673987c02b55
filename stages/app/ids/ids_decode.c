/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_decode: see ids_decode.h. Each layer function gets the offset of its
 * header and the end of the bytes it may read (the capture, or the IP
 * length if shorter: Ethernet padding is not payload), checks the length
 * before each read, and hands the rest to the next layer.
 */
#include <string.h>

#include "ids_decode.h"

const char *const ids_dec_err_names[IDS_DEC_ERR_MAX] = {
	[IDS_DEC_OK] = "ok",
#define X(e, s) [IDS_DEC_E_##e] = s,
	IDS_DEC_ERRORS(X)
#undef X
};

const char *const ids_dec_ctr_names[IDS_DEC_CTR_MAX] = {
#define X(n, h) [IDS_DEC_C_##n] = #n,
	IDS_DEC_COUNTERS(X)
#undef X
};

#define ETH_HLEN 14
#define ETYPE_IPV4 0x0800
#define ETYPE_IPV6 0x86DD
#define ETYPE_VLAN 0x8100
#define ETYPE_QINQ 0x88A8
#define ETYPE_QINQ_OLD 0x9100
#define ETYPE_NSH 0x894F

/* NSH next protocols (RFC 8300 section 11.2.5). */
#define NSH_NP_IPV4 1
#define NSH_NP_IPV6 2
#define NSH_NP_ETH 3
#define NSH_NP_NSH 4

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int
bad(struct ids_dec *d, struct ids_dec_stats *st, enum ids_dec_err e)
{
	d->err = e;
	st->err[e]++;
	st->ctr[IDS_DEC_C_invalid]++;
	return e;
}

/* Walks TCP options: each kind >= 2 carries a length >= 2 within the header. */
static bool
tcp_opts_ok(const uint8_t *p, uint32_t len)
{
	uint32_t i = 0;

	while (i < len) {
		uint8_t kind = p[i];

		if (kind == 0)		/* end of option list */
			return true;
		if (kind == 1) {	/* NOP */
			i++;
			continue;
		}
		if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len)
			return false;
		i += p[i + 1];
	}
	return true;
}

/* IPv4 options have the same TLV shape as TCP's. */
#define ipv4_opts_ok tcp_opts_ok

/* Transport layer at OFF, END the last byte + 1 of the IP payload. */
static int
decode_l4(struct ids_dec *d, struct ids_dec_stats *st, uint32_t off,
	  uint32_t end)
{
	const uint8_t *p = d->data + off;
	uint32_t len = end - off;

	d->l4_off = off;
	switch (d->proto) {
	case IDS_PROTO_TCP: {
		uint32_t hl;

		if (len < 20)
			return bad(d, st, IDS_DEC_E_TCP_TRUNC);
		hl = (uint32_t)(p[12] >> 4) * 4;
		if (hl < 20 || hl > len)
			return bad(d, st, IDS_DEC_E_TCP_BAD_HLEN);
		if (!tcp_opts_ok(p + 20, hl - 20))
			return bad(d, st, IDS_DEC_E_TCP_BAD_OPT);
		d->sport = rd16(p);
		d->dport = rd16(p + 2);
		d->tcp_seq = rd32(p + 4);
		d->tcp_ack = rd32(p + 8);
		d->tcp_flags = p[13] & 0x3f;
		d->tcp_win = rd16(p + 14);
		d->payload = p + hl;
		d->payload_len = len - hl;
		st->ctr[IDS_DEC_C_tcp]++;
		break;
	}
	case IDS_PROTO_UDP: {
		uint16_t ulen;

		if (len < 8)
			return bad(d, st, IDS_DEC_E_UDP_TRUNC);
		ulen = rd16(p + 4);
		/* A first fragment carries the start of the datagram only. */
		if (d->frag && ulen > len)
			ulen = (uint16_t)(len > 0xffff ? 0xffff : len);
		if (ulen < 8 || ulen > len)
			return bad(d, st, IDS_DEC_E_UDP_BAD_LEN);
		d->sport = rd16(p);
		d->dport = rd16(p + 2);
		d->payload = p + 8;
		d->payload_len = ulen - 8u;
		st->ctr[IDS_DEC_C_udp]++;
		break;
	}
	case IDS_PROTO_ICMP:
	case IDS_PROTO_ICMPV6:
		if (len < 8)
			return bad(d, st, d->proto == IDS_PROTO_ICMP ?
					  IDS_DEC_E_ICMP_TRUNC :
					  IDS_DEC_E_ICMPV6_TRUNC);
		d->icmp_type = p[0];
		d->icmp_code = p[1];
		d->payload = p + 8;
		d->payload_len = len - 8;
		st->ctr[d->proto == IDS_PROTO_ICMP ? IDS_DEC_C_icmpv4 :
						     IDS_DEC_C_icmpv6]++;
		break;
	default:
		/* Not decoded: the IP payload is the payload. */
		d->payload = p;
		d->payload_len = len;
		st->ctr[IDS_DEC_C_l4_other]++;
		return 0;
	}
	d->l4 = true;
	return 0;
}

/*
 * A first fragment whose transport header is cut by the fragment boundary
 * is not malformed: it is inspected at the IP layer like a later one.
 */
static int
decode_l4_frag(struct ids_dec *d, struct ids_dec_stats *st, uint32_t off,
	       uint32_t end)
{
	struct ids_dec_stats scratch;
	struct ids_dec save = *d;
	int rc;

	memset(&scratch, 0, sizeof(scratch));
	rc = decode_l4(d, &scratch, off, end);
	if (rc != 0) {
		*d = save;
		d->payload = d->data + off;
		d->payload_len = end - off;
		return 0;
	}
	for (int i = 0; i < IDS_DEC_CTR_MAX; i++)
		st->ctr[i] += scratch.ctr[i];
	return 0;
}

static int
decode_ipv4(struct ids_dec *d, struct ids_dec_stats *st, uint32_t off,
	    uint32_t end)
{
	const uint8_t *p = d->data + off;
	uint32_t len = end - off, hl, tot;
	uint16_t fo;

	if (len < 20)
		return bad(d, st, IDS_DEC_E_IPV4_TRUNC);
	if ((p[0] >> 4) != 4)
		return bad(d, st, IDS_DEC_E_IPV4_BAD_VERSION);
	hl = (uint32_t)(p[0] & 0x0f) * 4;
	if (hl < 20 || hl > len)
		return bad(d, st, IDS_DEC_E_IPV4_BAD_HLEN);
	tot = rd16(p + 2);
	if (tot < hl || tot > len)
		return bad(d, st, IDS_DEC_E_IPV4_BAD_LEN);
	if (hl > 20) {
		if (!ipv4_opts_ok(p + 20, hl - 20))
			return bad(d, st, IDS_DEC_E_IPV4_BAD_OPT);
		st->ctr[IDS_DEC_C_ipv4_opts]++;
	}
	st->ctr[IDS_DEC_C_ipv4]++;
	d->ip_ver = 4;
	d->l3_off = off;
	d->ttl = p[8];
	d->proto = p[9];
	memcpy(d->src, p + 12, 4);
	memcpy(d->dst, p + 16, 4);
	end = off + tot;		/* Ethernet padding is not payload */
	fo = rd16(p + 6);
	if (fo & 0x3fff) {		/* MF set or offset != 0 */
		d->frag = true;
		st->ctr[IDS_DEC_C_frag]++;
		if (fo & 0x1fff) {
			d->frag_later = true;
			d->l4_off = off + hl;
			d->payload = d->data + off + hl;
			d->payload_len = end - (off + hl);
			return 0;
		}
		return decode_l4_frag(d, st, off + hl, end);
	}
	return decode_l4(d, st, off + hl, end);
}

static int
decode_ipv6(struct ids_dec *d, struct ids_dec_stats *st, uint32_t off,
	    uint32_t end)
{
	const uint8_t *p = d->data + off;
	uint32_t len = end - off, plen, cur;
	uint8_t nh;
	int n;

	if (len < 40)
		return bad(d, st, IDS_DEC_E_IPV6_TRUNC);
	if ((p[0] >> 4) != 6)
		return bad(d, st, IDS_DEC_E_IPV6_BAD_VERSION);
	plen = rd16(p + 4);
	/* A payload length of 0 is a jumbogram (RFC 2675) or a bare header;
	 * both are inspected within the capture. */
	if (plen == 0)
		plen = len - 40;
	if (plen > len - 40)
		return bad(d, st, IDS_DEC_E_IPV6_BAD_LEN);
	st->ctr[IDS_DEC_C_ipv6]++;
	d->ip_ver = 6;
	d->l3_off = off;
	d->ttl = p[7];
	memcpy(d->src, p + 8, 16);
	memcpy(d->dst, p + 24, 16);
	end = off + 40 + plen;
	nh = p[6];
	cur = off + 40;
	for (n = 0;; n++) {
		const uint8_t *e = d->data + cur;
		uint32_t elen;

		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
		case 51:	/* AH: length in 4-byte units minus 2 */
		case 44:	/* fragment */
			break;
		default:
			d->proto = nh;
			return decode_l4(d, st, cur, end);
		}
		if (n >= IDS_IPV6_EXT_MAX)
			return bad(d, st, IDS_DEC_E_IPV6_EXT_TOO_MANY);
		if (end - cur < 8)
			return bad(d, st, IDS_DEC_E_IPV6_EXT_TRUNC);
		st->ctr[IDS_DEC_C_ipv6_ext]++;
		if (nh == 44) {
			uint16_t fo = rd16(e + 2);

			d->frag = true;
			st->ctr[IDS_DEC_C_frag]++;
			d->proto = e[0];
			if (fo & 0xfff8) {	/* offset != 0 */
				d->frag_later = true;
				d->l4_off = cur + 8;
				d->payload = d->data + cur + 8;
				d->payload_len = end - (cur + 8);
				return 0;
			}
			return decode_l4_frag(d, st, cur + 8, end);
		}
		elen = nh == 51 ? ((uint32_t)e[1] + 2) * 4 :
				  ((uint32_t)e[1] + 1) * 8;
		if (elen > end - cur)
			return bad(d, st, IDS_DEC_E_IPV6_EXT_TRUNC);
		nh = e[0];
		cur += elen;
	}
}

static int decode_ether(struct ids_dec *d, struct ids_dec_stats *st,
			uint32_t off, int depth);

/* NSH (RFC 8300): base header, service path header, context headers. */
static int
decode_nsh(struct ids_dec *d, struct ids_dec_stats *st, uint32_t off,
	   int depth)
{
	const uint8_t *p = d->data + off;
	uint32_t hl;
	uint8_t md, np;

	if (depth >= IDS_NSH_MAX)
		return bad(d, st, IDS_DEC_E_NSH_TOO_MANY);
	if (d->caplen - off < 8)
		return bad(d, st, IDS_DEC_E_NSH_TRUNC);
	if ((p[0] >> 6) != 0)
		return bad(d, st, IDS_DEC_E_NSH_BAD_VERSION);
	hl = (uint32_t)(p[1] & 0x3f) * 4;	/* 4-byte words, all headers */
	md = p[2] & 0x0f;
	np = p[3];
	switch (md) {
	case 1:			/* fixed 16-byte context */
		if (hl != 24)
			return bad(d, st, IDS_DEC_E_NSH_BAD_LEN);
		break;
	case 2:			/* variable-length context headers */
		if (hl < 8)
			return bad(d, st, IDS_DEC_E_NSH_BAD_LEN);
		break;
	default:
		return bad(d, st, IDS_DEC_E_NSH_BAD_MDTYPE);
	}
	if (hl > d->caplen - off)
		return bad(d, st, IDS_DEC_E_NSH_TRUNC);
	st->ctr[IDS_DEC_C_nsh]++;
	off += hl;
	switch (np) {
	case NSH_NP_IPV4:
		return decode_ipv4(d, st, off, d->caplen);
	case NSH_NP_IPV6:
		return decode_ipv6(d, st, off, d->caplen);
	case NSH_NP_ETH:
		return decode_ether(d, st, off, depth + 1);
	case NSH_NP_NSH:
		return decode_nsh(d, st, off, depth + 1);
	default:
		return bad(d, st, IDS_DEC_E_NSH_UNKNOWN_NP);
	}
}

/* What follows an ethertype ET at OFF (Ethernet, SLL). DEPTH counts NSH
 * levels so that nesting is bounded. */
static int
decode_etype(struct ids_dec *d, struct ids_dec_stats *st, uint16_t et,
	     uint32_t off, int depth)
{
	const uint8_t *p;

	while (et == ETYPE_VLAN || et == ETYPE_QINQ || et == ETYPE_QINQ_OLD) {
		if (d->vlan_n >= IDS_VLAN_MAX)
			return bad(d, st, IDS_DEC_E_VLAN_TOO_MANY);
		if (d->caplen - off < 4)
			return bad(d, st, IDS_DEC_E_VLAN_TRUNC);
		p = d->data + off;
		d->vlan[d->vlan_n++] = rd16(p) & 0x0fff;
		et = rd16(p + 2);
		off += 4;
	}
	if (d->vlan_n >= 1)
		st->ctr[IDS_DEC_C_vlan]++;
	if (d->vlan_n >= 2)
		st->ctr[IDS_DEC_C_vlan_qinq]++;
	switch (et) {
	case ETYPE_IPV4:
		return decode_ipv4(d, st, off, d->caplen);
	case ETYPE_IPV6:
		return decode_ipv6(d, st, off, d->caplen);
	case ETYPE_NSH:
		return decode_nsh(d, st, off, depth);
	default:
		st->ctr[IDS_DEC_C_l3_other]++;
		return 0;
	}
}

static int
decode_ether(struct ids_dec *d, struct ids_dec_stats *st, uint32_t off,
	     int depth)
{
	if (d->caplen - off < ETH_HLEN)
		return bad(d, st, IDS_DEC_E_ETH_TRUNC);
	st->ctr[IDS_DEC_C_ethernet]++;
	return decode_etype(d, st, rd16(d->data + off + 12), off + ETH_HLEN,
			    depth);
}

/* IPv4 or IPv6 by the version nibble (raw IP link types). */
static int
decode_ip_any(struct ids_dec *d, struct ids_dec_stats *st, uint32_t off)
{
	if (d->caplen - off < 1)
		return bad(d, st, IDS_DEC_E_IPV4_TRUNC);
	if ((d->data[off] >> 4) == 6)
		return decode_ipv6(d, st, off, d->caplen);
	return decode_ipv4(d, st, off, d->caplen);
}

int
ids_decode(struct ids_dec *d, struct ids_dec_stats *st, int link,
	   const uint8_t *data, uint32_t caplen)
{
	memset(d, 0, sizeof(*d));
	d->data = data;
	d->caplen = caplen;
	st->ctr[IDS_DEC_C_pkts]++;
	st->ctr[IDS_DEC_C_bytes] += caplen;
	switch (link) {
	case IDS_LINK_ETHERNET:
		return decode_ether(d, st, 0, 0);
	case IDS_LINK_RAW:
	case IDS_LINK_RAW_BSD:
		return decode_ip_any(d, st, 0);
	case IDS_LINK_IPV4:
		return decode_ipv4(d, st, 0, caplen);
	case IDS_LINK_IPV6:
		return decode_ipv6(d, st, 0, caplen);
	case IDS_LINK_SLL:	/* protocol (an ethertype) at offset 14 */
		if (caplen < 16)
			return bad(d, st, IDS_DEC_E_SLL_TRUNC);
		st->ctr[IDS_DEC_C_sll]++;
		return decode_etype(d, st, rd16(data + 14), 16, 0);
	case IDS_LINK_SLL2:	/* protocol at offset 0 */
		if (caplen < 20)
			return bad(d, st, IDS_DEC_E_SLL_TRUNC);
		st->ctr[IDS_DEC_C_sll]++;
		return decode_etype(d, st, rd16(data), 20, 0);
	case IDS_LINK_NULL:
	case IDS_LINK_LOOP:
		/* The address family's value says IPv4 (2) or one of the
		 * IPv6 values (24, 28, 30); the version nibble decides. */
		if (caplen < 4)
			return bad(d, st, IDS_DEC_E_NULL_TRUNC);
		st->ctr[IDS_DEC_C_null]++;
		return decode_ip_any(d, st, 4);
	default:
		return bad(d, st, IDS_DEC_E_LINK_UNKNOWN);
	}
}
