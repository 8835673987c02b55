/* SPDX-License-Identifier: BSD-3-Clause */
/* ids_stats: engine counters as a Suricata-shaped "stats" JSON object. */
#ifndef FFWD_IDS_STATS_H
#define FFWD_IDS_STATS_H

#include <stdint.h>

struct ids_engine;
struct ids_eve;

/**
 * The summed counters of N engines (and W's, if not NULL) as a jansson
 * json_t object (returned as void * so that callers need no jansson
 * header): uptime, decoder.{...,event.{reason}}, flow.*, tcp.*, stream.*,
 * detect.* (with detect.alert), ids.*, eve.*. Logger side only.
 */
void *ids_stats_json(struct ids_engine *const *e, unsigned int n,
		     const struct ids_eve *w, uint64_t uptime_s);

#endif
