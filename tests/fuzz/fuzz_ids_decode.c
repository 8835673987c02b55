/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target (issue #14): the IDS decoder, flow table and TCP
 * reassembly driven by a sequence of packets from one input.
 *
 * Input layout:
 *   byte 0      settings: bit 0 midstream, bit 1 async-oneside, bits 2-3
 *               link type (Ethernet, raw IP, SLL, NULL), bit 4 tiny tables
 *               (4 flows, 8 segment records: eviction and memcap paths)
 *   then records: [u16 length, little-endian][u8 time step, 10 ms units]
 *               [length bytes of frame] ... until the input ends
 * Each frame is copied into a heap buffer of exactly its length, so that
 * ASan sees any read past the captured length. The stream bytes delivered
 * are checked to lie inside the output buffer, and at the end every flow
 * is flushed and every segment record must be back in the pool.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "ids_decode.h"
#include "ids_flow.h"
#include "ids_stream.h"

static const int links[4] = { IDS_LINK_ETHERNET, IDS_LINK_RAW, IDS_LINK_SLL,
			      IDS_LINK_NULL };

struct fz {
	struct ids_stream_ctx *sx;
	uint8_t *buf;
	uint32_t bufsize;
	uint64_t delivered;
};

static void
check_view(struct fz *z, const struct ids_stream_view *v, uint32_t n)
{
	if (v->len > z->bufsize || v->new_off + n != v->len)
		abort();
	/* Touch every delivered byte: ASan checks they are in bounds. */
	for (uint32_t i = 0; i < v->len; i++)
		z->delivered += v->buf[i];
}

static void
end_cb(void *arg, struct ids_flow *f, enum ids_flow_ctr why)
{
	struct fz *z = arg;
	struct ids_stream_view v;

	(void)why;
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < 512 && f->st[d].seg_head; i++)
			check_view(z, &v, ids_stream_flush(z->sx, &f->st[d], z->buf, &v));
}

static int eal_up;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = { (*argv)[0], "--no-huge", "-m", "256", "--no-shconf",
			"--no-pci", "--no-telemetry", "--file-prefix", prefix,
			"--log-level", "*:error", NULL };

	(void)argc;
	snprintf(prefix, sizeof(prefix), "ids-fuzz-%d", (int)getpid());
	eal_up = rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) >= 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ids_flow_conf fc;
	struct ids_stream_conf sc;
	struct ids_flow_table *t;
	struct ids_dec_stats ds;
	struct fz z;
	uint64_t now = 1000000000ull;
	size_t off = 1;
	int link;

	if (!eal_up || size < 1)
		return 0;
	ids_flow_conf_default(&fc);
	ids_stream_conf_default(&sc);
	fc.midstream = data[0] & 1;
	fc.async_oneside = data[0] & 2;
	link = links[(data[0] >> 2) & 3];
	fc.max_flows = (data[0] & 16) ? 4 : 256;
	sc.memcap_segs = (data[0] & 16) ? 8 : 256;
	sc.max_ooo = 16;
	sc.depth = (data[0] & 32) ? 64 : 1024 * 1024;
	fc.det_size = 16;
	t = ids_flow_table_create(&fc, &sc);
	if (t == NULL)
		return 0;
	memset(&ds, 0, sizeof(ds));
	z.sx = ids_flow_table_stream(t);
	z.bufsize = ids_stream_ctx_bufsize(z.sx);
	z.buf = malloc(z.bufsize);
	z.delivered = 0;
	ids_flow_table_set_end_cb(t, end_cb, &z);

	while (off + 3 <= size) {
		uint32_t len = (uint32_t)data[off] | (uint32_t)data[off + 1] << 8;
		struct ids_stream_view v;
		struct ids_flow *f;
		struct ids_dec d;
		uint8_t *pkt;
		bool created;
		int dir;

		now += (uint64_t)data[off + 2] * 10000000ull;
		off += 3;
		if (len > size - off)
			len = (uint32_t)(size - off);
		pkt = malloc(len ? len : 1);
		memcpy(pkt, data + off, len);
		off += len;
		ids_flow_expire(t, now, 8);
		if (ids_decode(&d, &ds, link, pkt, len) == 0 && d.ip_ver != 0) {
			if (d.payload_len &&
			    (d.payload < pkt || d.payload + d.payload_len > pkt + len))
				abort();
			f = ids_flow_get(t, &d, len, now, &dir, &created);
			if (f != NULL && d.proto == IDS_PROTO_TCP && d.l4 &&
			    f->tcp != IDS_TCP_NONE &&
			    (f->st[dir].flags & IDS_STREAM_F_INIT)) {
				uint32_t seq = d.tcp_seq +
					       ((d.tcp_flags & IDS_TH_SYN) ? 1 : 0);

				check_view(&z, &v,
					   ids_stream_data(z.sx, &f->st[dir], seq,
							   d.payload, d.payload_len,
							   z.buf, &v));
				if ((d.tcp_flags & IDS_TH_ACK) &&
				    (f->st[!dir].flags & IDS_STREAM_F_INIT))
					for (int i = 0; i < 20; i++) {
						check_view(&z, &v,
							   ids_stream_ack(z.sx, &f->st[!dir],
									  d.tcp_ack, z.buf,
									  &v));
						if (!v.gap)
							break;
					}
			}
		}
		free(pkt);
	}
	ids_flow_flush(t);
	if (ids_flow_table_active(t) != 0 ||
	    ids_stream_ctx_free_segs(z.sx) != sc.memcap_segs)
		abort();	/* a flow or a segment record leaked */
	ids_flow_table_free(t);
	free(z.buf);
	return 0;
}
