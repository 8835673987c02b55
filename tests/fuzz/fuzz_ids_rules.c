/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the ids rule parser (issue #14): any byte string
 * is a rule file. It must load or fail with a message, never crash, leak
 * or read out of bounds; a loaded set must survive a detection pass.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ids_detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char err[512];

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';	/* the parser takes a C string; NULs end it */
	struct ids_rules_opts o = { .skip_unsupported = size % 2 == 0 };
	struct ids_rules *r = ids_rules_load_string(text, "fuzz.rules", &o,
						    err, sizeof(err));
	if (r != NULL) {
		struct ids_detect_ctx *c = ids_detect_ctx_create(r);
		if (c != NULL) {
			size_t fsz = ids_detect_flow_state_size(r);
			struct ids_flow_det *fd = calloc(1, fsz);
			struct ids_match m[16];
			struct ids_pkt p = {
				.payload = data, .payload_len = (uint32_t)size,
				.stream = data, .stream_len = (uint32_t)size,
				.flags = IDS_PKT_TO_SERVER | IDS_FLOW_ESTABLISHED |
					 IDS_PKT_STREAM,
				.ip_version = 4, .proto = 6,
				.sport = 1234, .dport = 80,
				.src = { 10, 0, 0, 1 }, .dst = { 10, 0, 0, 2 },
				.fd = fd,
				.stream_new_off = (uint32_t)(size / 3),
			};
			if (fd != NULL) {
				ids_detect_flow_init(r, fd, fsz);
				ids_detect(c, r, &p, m, 16);
				p.proto = 17;
				p.flags = IDS_PKT_TO_CLIENT;
				ids_detect(c, r, &p, m, 16);
			}
			free(fd);
			ids_detect_ctx_free(c);
		}
		ids_rules_free(r);
	}
	free(text);
	return 0;
}
