/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_decode tests: a table of frames built layer by layer, good rows
 * checked field by field, bad rows checked for the exact reason counted;
 * then every good frame decoded at every shorter capture length from a
 * heap buffer of exactly that size, so that ASan reports any read past the
 * captured length.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cunit_main.h"
#include "ids_decode.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- frame builder ---- */

struct frame {
	uint8_t b[512];
	uint32_t n;
};

static void
put(struct frame *f, const void *p, uint32_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void
put8(struct frame *f, uint8_t v)
{
	f->b[f->n++] = v;
}

static void
put16(struct frame *f, uint16_t v)
{
	put8(f, (uint8_t)(v >> 8));
	put8(f, (uint8_t)v);
}

static void
put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void
eth(struct frame *f, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };

	put(f, macs, 12);
	put16(f, type);
}

static void
vlan(struct frame *f, uint16_t tpid_next_is, uint16_t vid)
{
	put16(f, vid);
	put16(f, tpid_next_is);
}

/* IPv4 header with OPTLEN bytes of options OPT; TOT = total length. */
static uint32_t
ipv4(struct frame *f, uint8_t proto, uint16_t tot, const uint8_t *opt,
     uint8_t optlen, uint16_t frag)
{
	uint32_t at = f->n;

	put8(f, (uint8_t)(0x40 | (5 + optlen / 4)));
	put8(f, 0);
	put16(f, tot);
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, 0x0a000001);
	put32(f, 0x0a000002);
	if (optlen)
		put(f, opt, optlen);
	return at;
}

static void
ipv6(struct frame *f, uint8_t nh, uint16_t plen)
{
	static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

	put32(f, 0x60000000);
	put16(f, plen);
	put8(f, nh);
	put8(f, 64);
	put(f, a, 16);
	put(f, b, 16);
}

static void
tcp(struct frame *f, uint8_t doff, uint8_t flags, const uint8_t *opt,
    uint8_t optlen)
{
	put16(f, 1234);
	put16(f, 80);
	put32(f, 1000);
	put32(f, 2000);
	put8(f, (uint8_t)(doff << 4));
	put8(f, flags);
	put16(f, 8192);
	put16(f, 0);
	put16(f, 0);
	if (optlen)
		put(f, opt, optlen);
}

static void
udp(struct frame *f, uint16_t len)
{
	put16(f, 5353);
	put16(f, 53);
	put16(f, len);
	put16(f, 0);
}

static void
nsh(struct frame *f, uint8_t ver, uint8_t len_words, uint8_t md, uint8_t np)
{
	/* TTL 63 around the length field: a decoder that reads the
	 * wrong bits sees a wrong length. */
	put8(f, (uint8_t)(ver << 6 | 0x0f));
	put8(f, (uint8_t)(0xc0 | (len_words & 0x3f)));
	put8(f, md);
	put8(f, np);
	put32(f, 0x00000102);	/* SPI 1, SI 2 */
	for (int i = 8; i < len_words * 4; i++)
		put8(f, 0);
}

static const uint8_t PAYLOAD[] = "GET / HTTP/1.0\r\n\r\n";
#define PLEN ((uint16_t)(sizeof(PAYLOAD) - 1))

/* ---- the rows ---- */

struct row {
	const char *name;
	void (*build)(struct frame *f);
	int link;
	int rc;			/* IDS_DEC_OK or the reason */
	uint8_t ip_ver, proto;	/* expected when rc == OK */
	uint16_t sport, dport;
	uint32_t payload_len;
	uint8_t vlan_n;
	bool frag;
};

static void b_ipv4_tcp(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 20 + 20 + PLEN, NULL, 0, 0);
	tcp(f, 5, 0x18, NULL, 0);
	put(f, PAYLOAD, PLEN);
}

static void b_ipv4_tcp_padded(struct frame *f)
{
	/* A 60-byte minimum frame: the padding is not payload. */
	eth(f, 0x0800);
	ipv4(f, 6, 40, NULL, 0, 0);
	tcp(f, 5, 0x10, NULL, 0);
	for (int i = 0; i < 6; i++)
		put8(f, 0xee);
}

static void b_ipv4_opts_tcp_opts(struct frame *f)
{
	static const uint8_t iopt[8] = { 0x01, 0x07, 7, 4, 0, 0, 0, 0 };
	static const uint8_t topt[12] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10,
					  0, 0, 0, 1 };
	static const uint8_t topt2[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };

	eth(f, 0x0800);
	ipv4(f, 6, 28 + 40 + PLEN, iopt, 8, 0);
	tcp(f, 10, 0x02, topt, 12);
	put(f, topt2, 8);
	put(f, PAYLOAD, PLEN);
}

static void b_vlan_udp(struct frame *f)
{
	eth(f, 0x8100);
	vlan(f, 0x0800, 100);
	ipv4(f, 17, 20 + 8 + PLEN, NULL, 0, 0);
	udp(f, 8 + PLEN);
	put(f, PAYLOAD, PLEN);
}

static void b_qinq_udp(struct frame *f)
{
	eth(f, 0x88a8);
	vlan(f, 0x8100, 10);
	vlan(f, 0x0800, 20);
	ipv4(f, 17, 20 + 8 + PLEN, NULL, 0, 0);
	udp(f, 8 + PLEN);
	put(f, PAYLOAD, PLEN);
}

static void b_vlan_too_many(struct frame *f)
{
	eth(f, 0x88a8);
	vlan(f, 0x8100, 1);
	vlan(f, 0x8100, 2);
	vlan(f, 0x8100, 3);
	vlan(f, 0x0800, 4);
	ipv4(f, 17, 28, NULL, 0, 0);
	udp(f, 8);
}

static void b_icmp(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 1, 20 + 8 + 4, NULL, 0, 0);
	put32(f, 0x08000000);
	put32(f, 0x00010001);
	put32(f, 0x61626364);
}

static void b_ipv6_tcp(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 6, 20 + PLEN);
	tcp(f, 5, 0x18, NULL, 0);
	put(f, PAYLOAD, PLEN);
}

static void b_ipv6_ext_udp(struct frame *f)
{
	/* hop-by-hop (8) -> destination options (16) -> UDP */
	eth(f, 0x86dd);
	ipv6(f, 0, 8 + 16 + 8 + PLEN);
	put8(f, 60); put8(f, 0); put16(f, 0x0104); put32(f, 0);
	put8(f, 17); put8(f, 1);
	for (int i = 0; i < 14; i++)
		put8(f, 0);
	udp(f, 8 + PLEN);
	put(f, PAYLOAD, PLEN);
}

static void b_icmpv6(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 58, 8);
	put32(f, 0x80000000);
	put32(f, 0x00010001);
}

static void b_ipv4_frag_first(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 17, 20 + 8 + PLEN, NULL, 0, 0x2000);	/* MF */
	udp(f, 8 + PLEN + 100);	/* the datagram goes on in the next fragment */
	put(f, PAYLOAD, PLEN);
}

static void b_ipv4_frag_later(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 17, 20 + PLEN, NULL, 0, 0x0010);	/* offset 128 */
	put(f, PAYLOAD, PLEN);
}

static void b_ipv6_frag_later(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 44, 8 + PLEN);
	put8(f, 6); put8(f, 0); put16(f, 0x0100); put32(f, 7);
	put(f, PAYLOAD, PLEN);
}

static void b_nsh1_ipv4_udp(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 0, 6, 1, 1);
	ipv4(f, 17, 20 + 8 + PLEN, NULL, 0, 0);
	udp(f, 8 + PLEN);
	put(f, PAYLOAD, PLEN);
}

static void b_nsh2_eth_ipv6(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 0, 4, 2, 3);
	eth(f, 0x86dd);
	ipv6(f, 58, 8);
	put32(f, 0x80000000);
	put32(f, 0x00010001);
}

static void b_arp(struct frame *f)
{
	eth(f, 0x0806);
	for (int i = 0; i < 28; i++)
		put8(f, 0);
}

static void b_raw_ipv4(struct frame *f)
{
	ipv4(f, 17, 20 + 8 + PLEN, NULL, 0, 0);
	udp(f, 8 + PLEN);
	put(f, PAYLOAD, PLEN);
}

static void b_sll_ipv4_tcp(struct frame *f)
{
	put16(f, 0); put16(f, 772); put16(f, 6);	/* outgoing, loopback */
	for (int i = 0; i < 8; i++)
		put8(f, 0);
	put16(f, 0x0800);
	ipv4(f, 6, 20 + 20 + PLEN, NULL, 0, 0);
	tcp(f, 5, 0x18, NULL, 0);
	put(f, PAYLOAD, PLEN);
}

static void b_sll2_ipv6_tcp(struct frame *f)
{
	put16(f, 0x86dd); put16(f, 0); put32(f, 1); put16(f, 1);
	put8(f, 0); put8(f, 6);
	for (int i = 0; i < 8; i++)
		put8(f, 0);
	ipv6(f, 6, 20 + PLEN);
	tcp(f, 5, 0x18, NULL, 0);
	put(f, PAYLOAD, PLEN);
}

static void b_null_ipv4_udp(struct frame *f)
{
	put8(f, 2); put8(f, 0); put8(f, 0); put8(f, 0);	/* AF_INET, little-endian */
	ipv4(f, 17, 20 + 8 + PLEN, NULL, 0, 0);
	udp(f, 8 + PLEN);
	put(f, PAYLOAD, PLEN);
}

static void b_three(struct frame *f)
{
	put8(f, 2); put8(f, 0); put8(f, 0);
}

static void b_sll_short(struct frame *f)
{
	put32(f, 0); put32(f, 0); put32(f, 0);
}

static void b_gre(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 47, 20 + 4, NULL, 0, 0);
	put32(f, 0x00000800);
}

/* bad rows */
static void b_eth_short(struct frame *f)
{
	for (int i = 0; i < 13; i++)
		put8(f, 0);
}
static void b_vlan_short(struct frame *f)
{
	eth(f, 0x8100);
	put16(f, 1);
}
static void b_ipv4_short(struct frame *f)
{
	eth(f, 0x0800);
	put32(f, 0x45000014);
}
static void b_ipv4_ver(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 40, NULL, 0, 0);
	f->b[14] = 0x55;
	tcp(f, 5, 0, NULL, 0);
}
static void b_ipv4_ihl_small(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 40, NULL, 0, 0);
	f->b[14] = 0x44;
	tcp(f, 5, 0, NULL, 0);
}
static void b_ipv4_ihl_big(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 40, NULL, 0, 0);
	f->b[14] = 0x4f;	/* 60 bytes of header, 40 captured */
	tcp(f, 5, 0, NULL, 0);
}
static void b_ipv4_totlen_big(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 1500, NULL, 0, 0);
	tcp(f, 5, 0, NULL, 0);
}
static void b_ipv4_totlen_small(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 19, NULL, 0, 0);
	tcp(f, 5, 0, NULL, 0);
}
static void b_ipv4_opt_bad(struct frame *f)
{
	static const uint8_t iopt[4] = { 0x07, 0x09, 0, 0 }; /* len 9 > 4 */

	eth(f, 0x0800);
	ipv4(f, 6, 24 + 20, iopt, 4, 0);
	tcp(f, 5, 0, NULL, 0);
}
static void b_ipv4_opt_len1(struct frame *f)
{
	static const uint8_t iopt[4] = { 0x07, 0x01, 0, 0 }; /* len < 2 */

	eth(f, 0x0800);
	ipv4(f, 6, 24 + 20, iopt, 4, 0);
	tcp(f, 5, 0, NULL, 0);
}
static void b_ipv6_short(struct frame *f)
{
	eth(f, 0x86dd);
	put32(f, 0x60000000);
}
static void b_ipv6_ver(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 59, 0);
	f->b[14] = 0x40;
}
static void b_ipv6_plen(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 59, 100);
}
static void b_ipv6_ext_trunc(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 0, 8);
	put8(f, 17); put8(f, 3);	/* claims 32 bytes */
	for (int i = 0; i < 6; i++)
		put8(f, 0);
}
static void b_ipv6_ext_loop(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 60, 8 * 10);
	for (int i = 0; i < 10; i++) {
		put8(f, 60); put8(f, 0);
		put16(f, 0x0104); put32(f, 0);
	}
}
static void b_tcp_short(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 20 + 10, NULL, 0, 0);
	put32(f, 0); put32(f, 0); put16(f, 0);
}
static void b_tcp_doff_small(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 40, NULL, 0, 0);
	tcp(f, 4, 0, NULL, 0);
}
static void b_tcp_doff_big(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 6, 40, NULL, 0, 0);
	tcp(f, 15, 0, NULL, 0);
}
static void b_tcp_opt_bad(struct frame *f)
{
	static const uint8_t topt[4] = { 2, 8, 0, 0 };

	eth(f, 0x0800);
	ipv4(f, 6, 44, NULL, 0, 0);
	tcp(f, 6, 0, topt, 4);
}
static void b_udp_short(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 17, 24, NULL, 0, 0);
	put32(f, 0);
}
static void b_udp_len_big(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 17, 28, NULL, 0, 0);
	udp(f, 200);
}
static void b_udp_len_small(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 17, 28, NULL, 0, 0);
	udp(f, 7);
}
static void b_icmp_short(struct frame *f)
{
	eth(f, 0x0800);
	ipv4(f, 1, 24, NULL, 0, 0);
	put32(f, 0x08000000);
}
static void b_icmpv6_short(struct frame *f)
{
	eth(f, 0x86dd);
	ipv6(f, 58, 4);
	put32(f, 0x80000000);
}
static void b_nsh_short(struct frame *f)
{
	eth(f, 0x894f);
	put32(f, 0x00060101);
}
static void b_nsh_ver(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 1, 6, 1, 1);
}
static void b_nsh1_len(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 0, 5, 1, 1);	/* MD type 1 needs 6 words */
}
static void b_nsh2_len(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 0, 1, 2, 1);
	put32(f, 0);
}
static void b_nsh_md(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 0, 2, 0xf, 1);
}
static void b_nsh_np(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 0, 2, 2, 0x77);
}
static void b_nsh_len_past(struct frame *f)
{
	eth(f, 0x894f);
	put8(f, 0x0f); put8(f, 0xcf); put8(f, 2); put8(f, 1); /* 15 words */
	put32(f, 0x102);
}
static void b_nsh_nested(struct frame *f)
{
	eth(f, 0x894f);
	nsh(f, 0, 2, 2, 4);
	nsh(f, 0, 2, 2, 4);
	nsh(f, 0, 2, 2, 1);
}

static const struct row rows[] = {
	{ "ipv4 tcp", b_ipv4_tcp, 1, 0, 4, 6, 1234, 80, PLEN, 0, false },
	{ "ipv4 tcp, Ethernet padding", b_ipv4_tcp_padded, 1, 0, 4, 6, 1234, 80, 0, 0, false },
	{ "ipv4 options, tcp options", b_ipv4_opts_tcp_opts, 1, 0, 4, 6, 1234, 80, PLEN, 0, false },
	{ "802.1Q udp", b_vlan_udp, 1, 0, 4, 17, 5353, 53, PLEN, 1, false },
	{ "QinQ udp", b_qinq_udp, 1, 0, 4, 17, 5353, 53, PLEN, 2, false },
	{ "icmp echo", b_icmp, 1, 0, 4, 1, 0, 0, 4, 0, false },
	{ "ipv6 tcp", b_ipv6_tcp, 1, 0, 6, 6, 1234, 80, PLEN, 0, false },
	{ "ipv6 hbh+dstopts udp", b_ipv6_ext_udp, 1, 0, 6, 17, 5353, 53, PLEN, 0, false },
	{ "icmpv6 echo", b_icmpv6, 1, 0, 6, 58, 0, 0, 0, 0, false },
	{ "ipv4 first fragment", b_ipv4_frag_first, 1, 0, 4, 17, 5353, 53, PLEN, 0, true },
	{ "ipv4 later fragment", b_ipv4_frag_later, 1, 0, 4, 17, 0, 0, PLEN, 0, true },
	{ "ipv6 later fragment", b_ipv6_frag_later, 1, 0, 6, 6, 0, 0, PLEN, 0, true },
	{ "nsh md1 ipv4 udp", b_nsh1_ipv4_udp, 1, 0, 4, 17, 5353, 53, PLEN, 0, false },
	{ "nsh md2 eth ipv6 icmpv6", b_nsh2_eth_ipv6, 1, 0, 6, 58, 0, 0, 0, 0, false },
	{ "arp: no ip layer", b_arp, 1, 0, 0, 0, 0, 0, 0, 0, false },
	{ "raw ipv4 udp", b_raw_ipv4, 101, 0, 4, 17, 5353, 53, PLEN, 0, false },
	{ "linux cooked ipv4 tcp", b_sll_ipv4_tcp, 113, 0, 4, 6, 1234, 80, PLEN, 0, false },
	{ "linux cooked v2 ipv6 tcp", b_sll2_ipv6_tcp, 276, 0, 6, 6, 1234, 80, PLEN, 0, false },
	{ "bsd loopback ipv4 udp", b_null_ipv4_udp, 0, 0, 4, 17, 5353, 53, PLEN, 0, false },
	{ "DLT_IPV4 udp", b_raw_ipv4, 228, 0, 4, 17, 5353, 53, PLEN, 0, false },
	{ "gre: transport not decoded", b_gre, 1, 0, 4, 47, 0, 0, 4, 0, false },

	{ "unknown link type", b_ipv4_tcp, 9999, IDS_DEC_E_LINK_UNKNOWN },
	{ "eth 13 bytes", b_eth_short, 1, IDS_DEC_E_ETH_TRUNC },
	{ "sll 12 bytes", b_sll_short, 113, IDS_DEC_E_SLL_TRUNC },
	{ "sll2 12 bytes", b_sll_short, 276, IDS_DEC_E_SLL_TRUNC },
	{ "null 3 bytes", b_three, 0, IDS_DEC_E_NULL_TRUNC },
	{ "null, then 9 bytes of ipv4", b_eth_short, 0, IDS_DEC_E_IPV4_TRUNC },
	{ "vlan cut", b_vlan_short, 1, IDS_DEC_E_VLAN_TRUNC },
	{ "four vlan tags", b_vlan_too_many, 1, IDS_DEC_E_VLAN_TOO_MANY },
	{ "ipv4 4 bytes", b_ipv4_short, 1, IDS_DEC_E_IPV4_TRUNC },
	{ "ipv4 version 5", b_ipv4_ver, 1, IDS_DEC_E_IPV4_BAD_VERSION },
	{ "ipv4 ihl 4", b_ipv4_ihl_small, 1, IDS_DEC_E_IPV4_BAD_HLEN },
	{ "ipv4 ihl past capture", b_ipv4_ihl_big, 1, IDS_DEC_E_IPV4_BAD_HLEN },
	{ "ipv4 total length past capture", b_ipv4_totlen_big, 1, IDS_DEC_E_IPV4_BAD_LEN },
	{ "ipv4 total length < ihl", b_ipv4_totlen_small, 1, IDS_DEC_E_IPV4_BAD_LEN },
	{ "ipv4 option runs out", b_ipv4_opt_bad, 1, IDS_DEC_E_IPV4_BAD_OPT },
	{ "ipv4 option length 1", b_ipv4_opt_len1, 1, IDS_DEC_E_IPV4_BAD_OPT },
	{ "ipv6 4 bytes", b_ipv6_short, 1, IDS_DEC_E_IPV6_TRUNC },
	{ "ipv6 version 4", b_ipv6_ver, 1, IDS_DEC_E_IPV6_BAD_VERSION },
	{ "ipv6 payload length past capture", b_ipv6_plen, 1, IDS_DEC_E_IPV6_BAD_LEN },
	{ "ipv6 ext header cut", b_ipv6_ext_trunc, 1, IDS_DEC_E_IPV6_EXT_TRUNC },
	{ "ipv6 ten ext headers", b_ipv6_ext_loop, 1, IDS_DEC_E_IPV6_EXT_TOO_MANY },
	{ "tcp 10 bytes", b_tcp_short, 1, IDS_DEC_E_TCP_TRUNC },
	{ "tcp data offset 4", b_tcp_doff_small, 1, IDS_DEC_E_TCP_BAD_HLEN },
	{ "tcp data offset past end", b_tcp_doff_big, 1, IDS_DEC_E_TCP_BAD_HLEN },
	{ "tcp option runs out", b_tcp_opt_bad, 1, IDS_DEC_E_TCP_BAD_OPT },
	{ "udp 4 bytes", b_udp_short, 1, IDS_DEC_E_UDP_TRUNC },
	{ "udp length past ip", b_udp_len_big, 1, IDS_DEC_E_UDP_BAD_LEN },
	{ "udp length 7", b_udp_len_small, 1, IDS_DEC_E_UDP_BAD_LEN },
	{ "icmp 4 bytes", b_icmp_short, 1, IDS_DEC_E_ICMP_TRUNC },
	{ "icmpv6 4 bytes", b_icmpv6_short, 1, IDS_DEC_E_ICMPV6_TRUNC },
	{ "nsh 4 bytes", b_nsh_short, 1, IDS_DEC_E_NSH_TRUNC },
	{ "nsh version 1", b_nsh_ver, 1, IDS_DEC_E_NSH_BAD_VERSION },
	{ "nsh md1 length 5", b_nsh1_len, 1, IDS_DEC_E_NSH_BAD_LEN },
	{ "nsh md2 length 1", b_nsh2_len, 1, IDS_DEC_E_NSH_BAD_LEN },
	{ "nsh md type 15", b_nsh_md, 1, IDS_DEC_E_NSH_BAD_MDTYPE },
	{ "nsh next proto 0x77", b_nsh_np, 1, IDS_DEC_E_NSH_UNKNOWN_NP },
	{ "nsh length past capture", b_nsh_len_past, 1, IDS_DEC_E_NSH_TRUNC },
	{ "nsh nested three deep", b_nsh_nested, 1, IDS_DEC_E_NSH_TOO_MANY },
};

static void
test_ids_decode_table(void)
{
	for (size_t i = 0; i < DIM(rows); i++) {
		const struct row *r = &rows[i];
		struct ids_dec_stats st;
		struct frame f = { .n = 0 };
		struct ids_dec d;
		uint8_t *buf;
		int rc;

		memset(&st, 0, sizeof(st));
		r->build(&f);
		buf = malloc(f.n);	/* exact size: ASan sees overreads */
		memcpy(buf, f.b, f.n);
		rc = ids_decode(&d, &st, r->link, buf, f.n);
		if (rc != r->rc)
			fprintf(stderr, "\n  row '%s': rc %d (%s), want %d (%s)\n",
				r->name, rc, ids_dec_err_names[rc], r->rc,
				ids_dec_err_names[r->rc]);
		CU_ASSERT_EQUAL(rc, r->rc);
		CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_pkts], 1);
		if (r->rc != 0) {
			CU_ASSERT_EQUAL(st.err[r->rc], 1);
			CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_invalid], 1);
			CU_ASSERT_EQUAL(d.err, r->rc);
			free(buf);
			continue;
		}
		CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_invalid], 0);
		CU_ASSERT_EQUAL(d.ip_ver, r->ip_ver);
		CU_ASSERT_EQUAL(d.proto, r->proto);
		CU_ASSERT_EQUAL(d.sport, r->sport);
		CU_ASSERT_EQUAL(d.dport, r->dport);
		CU_ASSERT_EQUAL(d.payload_len, r->payload_len);
		CU_ASSERT_EQUAL(d.vlan_n, r->vlan_n);
		CU_ASSERT_EQUAL(d.frag, r->frag);
		if (d.payload_len)
			CU_ASSERT(d.payload >= buf &&
				  d.payload + d.payload_len <= buf + f.n);
		if (r->payload_len == PLEN && r->proto != 1)
			CU_ASSERT(memcmp(d.payload, PAYLOAD, PLEN) == 0);
		if (r->ip_ver == 4 && !r->frag)
			CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_ipv4], 1);
		free(buf);
	}
}

/* Every layer counted once on the way down. */
static void
test_ids_decode_counters(void)
{
	struct ids_dec_stats st;
	struct frame f = { .n = 0 };
	struct ids_dec d;

	memset(&st, 0, sizeof(st));
	b_nsh1_ipv4_udp(&f);
	CU_ASSERT_EQUAL(ids_decode(&d, &st, 1, f.b, f.n), 0);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_ethernet], 1);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_nsh], 1);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_ipv4], 1);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_udp], 1);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_bytes], f.n);
	f.n = 0;
	b_qinq_udp(&f);
	CU_ASSERT_EQUAL(ids_decode(&d, &st, 1, f.b, f.n), 0);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_vlan], 1);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_vlan_qinq], 1);
	CU_ASSERT_EQUAL(d.vlan[0], 10);
	CU_ASSERT_EQUAL(d.vlan[1], 20);
	f.n = 0;
	b_ipv4_frag_later(&f);
	CU_ASSERT_EQUAL(ids_decode(&d, &st, 1, f.b, f.n), 0);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_frag], 1);
	CU_ASSERT(d.frag_later);
	CU_ASSERT(!d.l4);
	CU_ASSERT_EQUAL(st.ctr[IDS_DEC_C_pkts], 3);
}

/*
 * Every good frame cut at every length: the decoder must stop with a
 * reason or decode less, and never touch a byte past the cut (ASan).
 */
static void
test_ids_decode_every_cut(void)
{
	unsigned long cuts = 0, bad_cuts = 0;

	for (size_t i = 0; i < DIM(rows); i++) {
		struct frame f = { .n = 0 };

		if (rows[i].rc != 0)
			continue;
		rows[i].build(&f);
		for (uint32_t n = 0; n < f.n; n++) {
			struct ids_dec_stats st;
			struct ids_dec d;
			uint8_t *buf = malloc(n ? n : 1);
			int rc;

			memset(&st, 0, sizeof(st));
			memcpy(buf, f.b, n);
			rc = ids_decode(&d, &st, rows[i].link, buf, n);
			cuts++;
			if (rc != 0) {
				bad_cuts++;
				CU_ASSERT_EQUAL(st.err[rc], 1);
			}
			if (d.payload_len)
				CU_ASSERT(d.payload >= buf &&
					  d.payload + d.payload_len <= buf + n);
			free(buf);
		}
	}
	/* A frame cut inside its IP header cannot decode cleanly. */
	CU_ASSERT(bad_cuts > cuts / 2);
}

int
tests_register(void)
{
	CU_pSuite s = CU_add_suite("ids_decode", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "test_ids_decode_table", test_ids_decode_table) == NULL ||
	    CU_add_test(s, "test_ids_decode_counters", test_ids_decode_counters) == NULL ||
	    CU_add_test(s, "test_ids_decode_every_cut", test_ids_decode_every_cut) == NULL)
		return -1;
	return 0;
}
