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
 * and every mbuf back in the pool when the capture is released.
 */
#define FUZZ_WITH_EAL 1

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

static void
fuzz_check_load(const uint8_t *data, size_t size,
		const struct capsrc_opts *o, const struct capsrc_info *info)
{
	char err[CAPSRC_ERR_MAX] = "";
	uint64_t k, bytes = 0;
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
		return;
	}
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
		    info.bytes <= LOAD_BYTES_MAX)
			fuzz_check_load(data, size, &o, &info);
	}
	return 0;
}
