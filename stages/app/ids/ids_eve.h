/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_eve: the EVE JSON logger (Suricata's eve.json), on the housekeeping
 * side of the record queue.
 *
 * One JSON object a line, with Suricata's field names and types
 * (tests/eve_schema.json checks them): event_type alert, drop, flow and
 * stats. Output goes to a file opened for append (reopened on request,
 * e.g. after logrotate's SIGHUP) or to a unix stream socket (reconnected
 * when it went away). A failed write (disk full, socket gone) is counted
 * and the record dropped; it is never fatal, and the packet path never
 * waits for it.
 *
 * Threads: everything here runs on the logger's thread, except
 * ids_eve_request_reopen(), which is async-signal-safe.
 */
#ifndef FFWD_IDS_EVE_H
#define FFWD_IDS_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids_rec.h"

#define IDS_EVE_COUNTERS(X)                                                    \
	X(records, "EVE records written")                                      \
	X(write_errors, "records lost to a failed write (disk full, socket gone)") \
	X(reopens, "output files reopened / sockets reconnected")              \
	X(open_errors, "reopen / reconnect attempts that failed")

enum ids_eve_ctr {
#define X(n, h) IDS_EVE_C_##n,
	IDS_EVE_COUNTERS(X)
#undef X
	IDS_EVE_CTR_MAX
};

extern const char *const ids_eve_ctr_names[IDS_EVE_CTR_MAX];

struct ids_eve_conf {
	const char *path;	/**< file (append), or the socket's path */
	bool unix_socket;	/**< path is a unix stream socket */
	const char *in_iface;	/**< "in_iface", NULL: not written */
	bool payload;		/**< write "payload" (base64) when the record has it */
	bool utc;		/**< timestamps in UTC, else local time (Suricata's) */
};

struct ids_eve;

/** Open the output. NULL with errno and a message in ERR. */
struct ids_eve *ids_eve_open(const struct ids_eve_conf *c, char *err,
			     size_t errlen);
void ids_eve_close(struct ids_eve *w);

/** Ask for a reopen (from a signal handler); done at the next write. */
void ids_eve_request_reopen(struct ids_eve *w);

/** Write one record. @return 0 or -errno (counted). */
int ids_eve_write(struct ids_eve *w, const struct ids_rec *r);

/** Write what Q holds, up to MAX records. @return how many. */
unsigned int ids_eve_drain(struct ids_eve *w, struct ids_recq *q,
			   unsigned int max);

/**
 * Write an event_type stats record at TS_NS with STATS_JSON, a json_t
 * object (jansson; taken over, i.e. its reference is stolen).
 */
int ids_eve_write_stats(struct ids_eve *w, uint64_t ts_ns, void *stats_json);

/**
 * Format TS_NS as Suricata does ("2017-04-07T22:24:37.251547+0100") into
 * BUF (>= 40 bytes). @return BUF.
 */
char *ids_eve_timestamp(char *buf, size_t n, uint64_t ts_ns, bool utc);

const uint64_t *ids_eve_counters(const struct ids_eve *w);

#endif
