/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * app: the running pipeline. Built from a validated conf after EAL is up:
 * one mbuf pool, the ports, the stages, a ring wherever a path crosses from
 * one lcore to the next, and per lcore the list of segments it runs.
 */
#ifndef FFWD_APP_H
#define FFWD_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

#include "conf.h"
#include "ffwd_ring.h"
#include "port.h"
#include "stage.h"

#define APP_MAX_SEGS	(CONF_MAX_PATHS * CONF_MAX_STAGES)
#define APP_MAX_RINGS	(APP_MAX_SEGS + 2 * CONF_MAX_LCORES)	/**< fleets: 2 per replica */
#define APP_MAX_FLEETS	CONF_MAX_LCORES

struct fleet;
struct fleet_rep;

/*
 * A segment is the run of a path's stages that share one lcore: a source
 * (an input stage or a ring from the previous lcore), app stages applied
 * back to back on the same burst (fusion), and a sink (an output stage or
 * a ring to the next lcore).
 *
 * What the sink does not take stays in the segment's burst buffer, the
 * stash (at most one burst). A segment holding a stash takes no input: it
 * offers the stash again on its next poll, and meanwhile the lcore serves
 * its other segments. That is back-pressure without a wait, so a full ring
 * in one path never stops another path on the same lcore.
 */
struct app_seg {
	struct stage *input;		/**< source, or NULL: in_ring */
	struct ffwd_ring *in_ring;
	const int *upstream_done;	/**< in_ring's producer has finished */
	struct stage *apps[CONF_MAX_STAGES];
	unsigned int n_apps;
	struct stage *output;		/**< sink, or NULL: out_ring */
	struct ffwd_ring *out_ring;
	struct stage *first;		/**< the segment's first stage */
	struct fleet *spread;		/**< sink: spread over a fleet's rings */
	struct fleet *merge;		/**< source: merge a fleet's rings */
	struct fleet_rep *rep;		/**< a fleet replica: publish progress */
	unsigned int path;
	int done;			/**< set (release) when drained */
	bool yield;			/**< idle mode of the lcore */
	unsigned int n_idle;		/**< stages whose ops->idle must run */
	struct stage *idle[CONF_MAX_STAGES];
	struct app_bypass *bypass;	/**< the input's segment of a path with
					 *   a bypass: its switchable sink */
	struct ffwd_ring *bypass_in;	/**< the output's: the bypass ring,
					 *   polled when in_ring is empty */
	uint16_t stash_off, stash_n;	/**< buf[stash_off..+stash_n): the stash */
	uint64_t stash_polls;		/**< polls that found the sink full */
	struct rte_mbuf *buf[STAGE_BURST]; /**< the burst in hand */
} __rte_cache_aligned;

/* Hiccup histogram: bucket b counts gaps in [2^b, 2^(b+1)) µs; the last
 * bucket takes everything longer. */
#define APP_HICCUP_BUCKETS	24
#define APP_HICCUP_DEFAULT_US	10

/*
 * Loop telemetry of one lcore, written only by it. Busy is time in
 * iterations that moved packets, idle in iterations that found none; a
 * hiccup is a gap between two iterations longer than the threshold, less
 * the time a `work` stage meant to spend: the OS (or the hypervisor) took
 * the core.
 */
#define APP_LCORE_COUNTERS(X)                                                  \
	X(iterations, "loop iterations")                                       \
	X(busy_cycles, "TSC cycles in iterations that moved packets")          \
	X(idle_cycles, "TSC cycles in iterations that found nothing")          \
	X(hiccups, "gaps between iterations above the threshold")              \
	X(hiccup_cycles, "TSC cycles lost in those gaps")                      \
	X(hiccup_max_cycles, "longest gap, TSC cycles")

struct app_lcore_stats {
#define X(name, help) uint64_t name;
	APP_LCORE_COUNTERS(X)
#undef X
	uint64_t hist[APP_HICCUP_BUCKETS];	/**< hiccups by length */
} __rte_cache_aligned;

/** What one lcore runs: its launch argument. */
struct app_lcore {
	unsigned int lcore;
	bool yield;
	unsigned int n_segs;
	struct app_seg *segs[CONF_MAX_PATHS];
	unsigned int n_work;			/**< STAGE_F_PLANNED stages here */
	struct stage *work[CONF_MAX_STAGES];
	const int *park;			/**< a fleet replica: parked flag */
	uint64_t hiccup_cycles;			/**< threshold, TSC cycles */
	uint64_t flush_cycles;			/**< publish counters at least this often */
	uint64_t cycles_per_us;
	int tid;	/**< its thread id, stored once before the loop: ffwdctl
			 * reads the thread's context switches and moves it
			 * into the label's cpuset */
	struct app_lcore_stats st;		/**< own cache lines */
};

struct app_ring {
	struct ffwd_ring *ring;
	struct stage *from, *to;	/**< producer and consumer stages */
	unsigned int path;
};

struct app_ext;
struct app_bypass;

struct app {
	const struct conf *conf;
	struct app_ext *ext;		/**< external places (app/external.c) */
	struct app_bypass *bypass[CONF_MAX_PATHS]; /**< app/bypass.c */
	struct rte_mempool *pool;
	struct port ports[CONF_MAX_PORTS];	/**< as conf->ports */
	unsigned int n_stages;
	struct stage *stages;		/**< path by path, in config order */
	unsigned int path_first[CONF_MAX_PATHS]; /**< index of path's 1st stage */
	unsigned int n_segs;
	struct app_seg *segs;
	unsigned int n_rings;
	struct app_ring rings[APP_MAX_RINGS];
	unsigned int n_lcores;
	struct app_lcore lcores[CONF_MAX_LCORES];
	unsigned int n_fleets;
	struct fleet *fleets[APP_MAX_FLEETS];
	uint64_t start_tsc;
	/** pkts_out per stage at the last app_print_rates(); main lcore only */
	uint64_t rate_prev[CONF_MAX_PATHS * CONF_MAX_STAGES];
	uint64_t tsc_hz;		/**< measured (pacing needs it exact) */
	unsigned int hiccup_us;		/**< threshold, µs */
	const char *state;		/**< "starting", "running", "draining", "stopped" */
};

/** The stop flag: the one global, set from the signal handler (the
 * telemetry module keeps the other: DPDK's callbacks take no argument). */
extern volatile int app_stop;
/** Set by SIGHUP: reload what the stages reload (a signal flag, like app_stop). */
extern volatile int app_reload;

/** Build everything (EAL must be up). @return 0, or -1 with a message in err. */
int app_build(struct app *a, const struct conf *conf, char *err, size_t errlen);

/** Launch every stage lcore. @return 0 or -1 (message in err). */
int app_launch(struct app *a, char *err, size_t errlen);

/**
 * Wait up to `seconds` for every port's link to come up (memif and
 * af_packet peers, real NICs); name those still down on f.
 * @return 0 if all are up, -1 if some are not (the run goes on).
 */
int app_wait_links(struct app *a, double seconds, FILE *f);

/**
 * Reload every stage whose kind can (SIGHUP; a firewall's rules): built
 * off the fast path, swapped in without stopping traffic. A kind that
 * cannot rebuild keeps its old state. @return 0, or -1 if some stage kept
 * its old state.
 */
int app_reload_stages(struct app *a, FILE *f);

/**
 * Run every stage's housekeeping op (main lcore only): every few ms while
 * the pipeline runs, and with FINAL once its lcores have returned.
 */
void app_housekeeping(struct app *a, bool final);

/** Wait for all stage lcores to drain and return, running the external
 * places' and the bypass watchdog's housekeeping meanwhile. */
void app_wait(struct app *a);

/** Packets received by all input stages so far (any thread). */
uint64_t app_received(const struct app *a);

/** One line of rates and backlogs for a periodic display. */
void app_print_rates(struct app *a, FILE *f, double interval_s);

/**
 * Stop ports, print final per-stage and per-ring counters and the per-path
 * check received = sent + dropped, the pool check, and what the ports
 * lost outside the paths (imissed, rx_nombuf, oerrors).
 * @return -1 when a path does not add up or an mbuf is missing; else 1
 *   when a port lost packets; else 0 (zero loss).
 */
int app_report(struct app *a, FILE *f);

/** The ring FROM -> TO of PATH, registered for reports (fleets). */
struct ffwd_ring *app_ring_make(struct app *a, struct stage *from,
				struct stage *to, unsigned int path);

/** The lcore entry of LCORE, made on first use (fleets). */
struct app_lcore *app_lcore_get(struct app *a, unsigned int lcore, bool yield);

/** Free what app_build() made (ports closed, rings and pool freed). */
void app_free(struct app *a);

#endif /* FFWD_APP_H */
