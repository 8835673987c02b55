/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the capture reader (stages/input/capsrc.c) on a pcap or
 * pcapng file held in memory (fmemopen(), read by libpcap): the scan that
 * runs before EAL, then, for a capture it accepts, the preload into mbufs,
 * as captured and padded to wire length.
 *
 * Oracle: a refusal names the file; an accepted capture preloads to
 * exactly the packets and bytes the scan counted, each packet's segments
 * adding up to its length, no segment over the data room the scan chose,
 * and every mbuf back in the pool when the capture is released. A share
 * of it (every: 2 or 3, from: below it; chosen from the input's size)
 * preloads exactly the packets from, from + every, ... of the whole one,
 * the same bytes in the same order, in exactly the mbufs its scan counted.
 */
#define FUZZ_WITH_EAL 1

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "capsrc.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A preload this big is valid but slow; the scan has covered it. */
#define LOAD_SEGS_MAX  4096u
#define LOAD_BYTES_MAX (8u << 20)

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0]);
	return 0;
}

static struct capsrc *
fuzz_load(const uint8_t *data, size_t size, const struct capsrc_opts *o,
	  const struct capsrc_info *info)
{
	char err[CAPSRC_ERR_MAX] = "";
	struct capsrc *c;
	FILE *fp;

	fp = fmemopen((void *)(uintptr_t)data, size, "r");
	if (fp == NULL)
		abort();
	c = capsrc_load_fp(fp, "fuzz.pcap", o, info, SOCKET_ID_ANY, err,
			   sizeof(err));
	if (c == NULL) {
		/* Memory may run short; nothing else may fail on a buffer
		 * the scan accepted. */
		if (rte_errno != ENOMEM)
			FUZZ_FAIL("scan accepted, load refused: %s", err);
		fuzz_check_err("fuzz.pcap", err);
	}
	return c;
}

static void
fuzz_check_load(const uint8_t *data, size_t size,
		const struct capsrc_opts *o, const struct capsrc_info *info)
{
	uint64_t k, bytes = 0;
	struct capsrc *c = fuzz_load(data, size, o, info);

	if (c == NULL)
		return;
	if (c->info.packets != info->packets)
		FUZZ_FAIL("scan %lu packets, load %lu", info->packets,
			  c->info.packets);
	for (k = 0; k < c->info.packets; k++) {
		const struct rte_mbuf *m = c->pkts[k], *s;
		uint32_t sum = 0;
		uint16_t segs = 0;

		for (s = m; s != NULL; s = s->next, segs++) {
			if (s->data_len > info->seg_room || s->data_len == 0)
				FUZZ_FAIL("packet %lu: segment of %u bytes, room %u",
					  k, s->data_len, info->seg_room);
			sum += s->data_len;
		}
		if (sum != m->pkt_len || segs != m->nb_segs ||
		    m->pkt_len > info->max_len)
			FUZZ_FAIL("packet %lu: %u bytes in %u segments, pkt_len %u, nb_segs %u, max %u",
				  k, sum, segs, m->pkt_len, m->nb_segs,
				  info->max_len);
		if (k > 0 && c->ts_ns[k] < c->ts_ns[k - 1])
			FUZZ_FAIL("packet %lu stamped before its predecessor", k);
		bytes += m->pkt_len;
	}
	if (bytes != info->bytes)
		FUZZ_FAIL("scan %lu bytes, load %lu", info->bytes, bytes);
	if (capsrc_release(c) != info->segs)
		FUZZ_FAIL("mbufs not back in the pool after release");
	capsrc_free(c);
}

/* Packet J of the share is packet K of the whole: same length, same bytes. */
static void
fuzz_same_packet(const struct rte_mbuf *a, const struct rte_mbuf *b,
		 uint64_t j, uint64_t k)
{
	static uint8_t ba[65536], bb[65536];
	uint32_t len = a->pkt_len;
	const void *pa, *pb;

	if (len != b->pkt_len)
		FUZZ_FAIL("share packet %lu: %u bytes, whole packet %lu: %u", j,
			  len, k, b->pkt_len);
	if (len > sizeof(ba))
		len = sizeof(ba);
	pa = rte_pktmbuf_read(a, 0, len, ba);
	pb = rte_pktmbuf_read(b, 0, len, bb);
	if (pa == NULL || pb == NULL || memcmp(pa, pb, len) != 0)
		FUZZ_FAIL("share packet %lu differs from whole packet %lu", j, k);
}

static void
fuzz_check_share(const uint8_t *data, size_t size, bool pad,
		 const struct capsrc_info *whole_info)
{
	struct capsrc_opts o = { .pad = pad, .every = 2 + size % 2 };
	struct capsrc_opts w = { .pad = pad };
	struct capsrc_info info;
	struct capsrc *share, *whole;
	char err[CAPSRC_ERR_MAX] = "";
	uint64_t j, want;
	FILE *fp;
	int ret;

	o.from = (size / 2) % o.every;
	want = whole_info->packets > o.from ?
	       (whole_info->packets - o.from + o.every - 1) / o.every : 0;
	fp = fmemopen((void *)(uintptr_t)data, size, "r");
	if (fp == NULL)
		abort();
	ret = capsrc_scan_fp(fp, "fuzz.pcap", &o, &info, err, sizeof(err));
	if (ret != 0)
		FUZZ_FAIL("whole capture scanned, its share refused (%d): %s", ret, err);
	if (info.packets != whole_info->packets || info.share_packets != want)
		FUZZ_FAIL("share every %lu from %lu: %lu of %lu packets, expected %lu",
			  o.every, o.from, info.share_packets, info.packets, want);
	if (want == 0)
		return;
	share = fuzz_load(data, size, &o, &info);
	if (share == NULL)
		return;
	whole = fuzz_load(data, size, &w, whole_info);
	if (whole == NULL) {
		capsrc_release(share);
		capsrc_free(share);
		return;
	}
	if (share->n != want || whole->n != whole_info->packets)
		FUZZ_FAIL("share preloaded %lu packets of %lu, expected %lu", share->n,
			  whole->n, want);
	for (j = 0; j < share->n; j++)
		fuzz_same_packet(share->pkts[j], whole->pkts[o.from + j * o.every],
				 j, o.from + j * o.every);
	if (capsrc_release(share) != info.share_segs)
		FUZZ_FAIL("share: mbufs not back in the pool after release");
	if (capsrc_release(whole) != whole_info->segs)
		FUZZ_FAIL("whole: mbufs not back in the pool after release");
	capsrc_free(share);
	capsrc_free(whole);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capsrc_info info;
	char err[CAPSRC_ERR_MAX];
	int pad, ret;
	FILE *fp;

	if (size == 0)
		return 0;	/* fmemopen() refuses an empty buffer */
	for (pad = 0; pad < 2; pad++) {
		struct capsrc_opts o = { .pad = pad != 0 };

		fp = fmemopen((void *)(uintptr_t)data, size, "r");
		if (fp == NULL)
			abort();
		err[0] = '\0';
		ret = capsrc_scan_fp(fp, "fuzz.pcap", &o, &info, err,
				     sizeof(err));
		if (ret == -EINVAL || ret == -ENODATA) {
			/* Padding may give empty records a length. */
			fuzz_check_err("fuzz.pcap", err);
			continue;
		}
		if (ret != 0)
			FUZZ_FAIL("capsrc_scan returned %d", ret);
		if (info.packets + info.empty != info.records ||
		    info.packets == 0 || info.max_len == 0 ||
		    info.padded > info.short_recs)
			FUZZ_FAIL("inconsistent scan: %lu records, %lu packets, %lu empty",
				  info.records, info.packets, info.empty);
		if (info.segs <= LOAD_SEGS_MAX &&
		    info.bytes <= LOAD_BYTES_MAX) {
			fuzz_check_load(data, size, &o, &info);
			fuzz_check_share(data, size, o.pad, &info);
		}
	}
	return 0;
}
