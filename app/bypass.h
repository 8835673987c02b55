/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bypass: what an inline path does while a stage of it is stuck.
 *
 * A path with `bypass: fail-open | fail-closed` gets one more ring, from
 * its first segment (the input's lcore) to its last (the output's). The
 * watchdog (app_bypass_watch(), on the housekeeping lcore) watches every
 * place between them: an app stage's segment is stalled when its ring in
 * holds packets and it has taken none for stall_ms; an external place is
 * stalled while nothing is attached (or, attached, by the same rule).
 * Then the first segment's sink switches: fail-open to the bypass ring
 * (the output sends them: "sent", counted as bypassed), fail-closed to a
 * drop (counted as bypass_drop). Each burst goes whole to one sink, and
 * the stash goes wherever the mode says when it is offered again, so no
 * packet is lost or sent twice.
 *
 * Order: packets already queued to the stuck stage come out after it
 * moves again, behind bypassed ones that entered later: a switch into
 * bypass may reorder up to a ring's worth. Switching back keeps order:
 * the first segment first holds its input (DRAIN: it takes nothing, a
 * stash, no wait) until the bypass ring is empty, then feeds the stage
 * again; the output's segment takes its ring from the stage first.
 */
#ifndef FFWD_BYPASS_H
#define FFWD_BYPASS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>

#include "ffwd_ring.h"

enum bypass_mode {
	BYPASS_NORMAL,		/**< through every stage */
	BYPASS_OPEN,		/**< first segment -> bypass ring -> output */
	BYPASS_CLOSED,		/**< first segment drops */
	BYPASS_DRAIN,		/**< back to normal once the bypass ring is empty */
};

/* Counters of a path's bypass, declared once. */
#define BYPASS_COUNTERS(X)                                                     \
	X(bypassed, "packets sent around a stalled stage (fail-open)")         \
	X(bypass_drop, "packets dropped while a stage stalled (fail-closed)")  \
	X(bypass_switches, "switches into bypass")                             \
	X(bypass_resumes, "switches back to inspection")

struct app;
struct app_seg;

/** Set up the bypass of every path that has one (after the segments).
 * @return 0 or -1 (err). */
int app_bypass_build(struct app *a, char *err, size_t errlen);

/** The first segment's sink on a bypass path: ring, bypass ring, drop or
 * hold, as the mode says. @return how many it took. */
uint16_t app_bypass_sink(struct app_seg *seg, struct rte_mbuf **pkts,
			 uint16_t n);

/** The watchdog: every few ms on the housekeeping lcore. */
void app_bypass_watch(struct app *a);

/** What an external place's exit claim did on path P (app/external.c). */
void app_bypass_note_exit(struct app *a, unsigned int p, uint64_t bypassed,
			  uint64_t dropped);

/** Drops of path P the bypass made (path accounting). */
uint64_t app_bypass_drops(const struct app *a, unsigned int p);

/** Mode name and counters of path P; false if it has no bypass. */
bool app_bypass_state(const struct app *a, unsigned int p, const char **mode,
		      uint64_t *counters);

/** The exit report's line for path P, if it has a bypass. */
void app_bypass_report(const struct app *a, unsigned int p, FILE *f);

void app_bypass_free(struct app *a);

#endif /* FFWD_BYPASS_H */
