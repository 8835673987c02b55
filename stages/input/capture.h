/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture: an input stage that sends a capture file (pcap or pcapng)
 * into its path, preloaded into mbufs and looped by reference count, or
 * with `stream: true` read while it is sent. Its config (tests read it)
 * and what the replay command reads back.
 */
#ifndef FFWD_CAPTURE_H
#define FFWD_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "capsrc.h"
#include "stage.h"

#define CAPTURE_FILE_MAX 4096
#define CAPTURE_STREAM_MBUFS 8191	/**< pool of a streamed capture */

struct capture_conf {
	char file[CAPTURE_FILE_MAX];
	uint64_t loops;			/**< passes, 0: forever; default 1 */
	bool stream;			/**< read while sending */
	bool pad;			/**< pad records to their wire length */
	uint64_t every;			/**< deal: every N-th packet (default 1) */
	uint64_t from;			/**< ... starting at this one (0..every-1) */
};

#define CAPTURE_EVERY_MAX 64		/**< most captures one file is dealt over */

/* The capture kind's counters (s->ctr.kind[]). */
#define CAPTURE_COUNTERS(X)                                                    \
	X(CAPTURE_LOOPS, "loops")	/* whole passes handed on */
enum { CAPTURE_COUNTERS(STAGE_DROP_ENUM) CAPTURE_COUNTER_MAX };

/** What a capture stage found and how it ended; valid after the exit
 * report (which releases its mbufs and counts them back). */
struct capture_result {
	struct capsrc_info info;	/**< the file, as scanned */
	unsigned int pool_avail;	/**< mbufs back in its pool */
	unsigned int pool_size;
	uint64_t passes;		/**< passes handed on (streamed: read) */
	bool counted;			/**< pool_* are set */
	bool failed;			/**< the stream broke (message printed) */
};

/** S's result. S must be of the capture kind. */
const struct capture_result *capture_result(const struct stage *s);

/** Passes S has handed on (preloaded) or read (streamed) so far; from
 * any thread, for a display. */
uint64_t capture_passes(const struct stage *s);

#endif /* FFWD_CAPTURE_H */
