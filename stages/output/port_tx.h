/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * output: its config, as parsed from YAML (tests read it), and what a
 * paced output measured (the replay command reports it).
 */
#ifndef FFWD_PORT_TX_H
#define FFWD_PORT_TX_H

#include <stdbool.h>
#include <stdint.h>

#include "pacer.h"
#include "stage.h"

#define PORT_TX_RETRIES_FOREVER UINT64_MAX	/**< `retries: forever` */

struct port_tx_conf {
	uint64_t retries;		/**< polls that send nothing before tx_full */
	double pps;			/**< packets/s, 0: not paced by it */
	double mbps;			/**< Mbit/s, 0: not paced by it */
	double speed;			/**< timing: capture time x 1/speed, 0: off */
	uint64_t overhead;		/**< bytes added per frame for mbps */
	uint64_t burst;			/**< most packets per TX call, 1..32 */
	bool measure;			/**< unpaced: note first/last TX call TSC */
	double duration;		/**< paced: take nothing due this many s
					     after the first packet; 0: no end */
	bool shared;			/**< paced: one schedule with the other
					     shared outputs, each packet at its
					     capture's place in it (stage.h) */
};

/* The output kind's counters (s->ctr.kind[]), declared once. */
#define PORT_TX_COUNTERS(X)                                                    \
	X(PORT_TX_BYTES, "bytes")	/* pkt_len of what the port took */    \
	X(PORT_TX_CALLS, "tx_calls")	/* rte_eth_tx_burst() calls */         \
	X(PORT_TX_SHORT, "tx_short")	/* calls that took fewer than offered */
enum { PORT_TX_COUNTERS(STAGE_DROP_ENUM) PORT_TX_COUNTER_MAX };

/**
 * What an output measured of its departures. Written by its lcore only;
 * read once the lcore is done (the report), or racily for a display.
 */
struct port_tx_pace {
	enum pacer_mode mode;		/**< PACER_TOPSPEED: not paced */
	double rate;			/**< asked: pps, Mbit/s or speed */
	uint64_t hz;			/**< the TSC rate the schedule runs on */
	uint64_t first_tsc, last_tsc;	/**< TX calls of the first, last packet
					     (unpaced: only with `measure`) */
	uint64_t first_due, last_due;	/**< their departure times */
	uint64_t last_bits;		/**< paced bits of the last packet */
	uint32_t overhead;		/**< bytes per frame added for mbps */
	bool shared;			/**< a share of one schedule: rate is
					     the whole schedule's, not its own */
	struct pacer_hist dep;		/**< TSC at TX call - due, per packet */
};

/** The output stage S's measurements. S must be of the output kind. */
const struct port_tx_pace *port_tx_pace(const struct stage *s);

/**
 * The rate S achieved, in the unit it was asked in (pps, Mbit/s, speed),
 * from its first to its last departure; *span_s gets that time. NAN when
 * S is not paced or sent fewer than two packets.
 */
double port_tx_achieved(const struct stage *s, double *span_s);

#endif /* FFWD_PORT_TX_H */
