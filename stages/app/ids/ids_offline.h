/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_offline: run a capture through one IDS engine and write
 * DIR/eve.json, shaped like `suricata -r PCAP -S RULES -l DIR`.
 *
 * The argument parser and the run are here, in the library, so that
 * `ffwd ids` and the thin ffwd-ids-offline driver share them; the caller
 * starts EAL (the flow table's rte_hash needs it).
 */
#ifndef FFWD_IDS_OFFLINE_H
#define FFWD_IDS_OFFLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ids_engine.h"

#define IDS_OFFLINE_RULES_MAX 32

struct ids_offline_opts {
	const char *pcap;			/**< -r ("-" or /dev/stdin: standard input) */
	const char *rules[IDS_OFFLINE_RULES_MAX]; /**< -S, repeatable */
	unsigned int nrules;
	const char *logdir;			/**< -l */
	const char *classification;		/**< --set classification-file= */
	bool ips;				/**< --simulate-ips / --set ids.mode=ips */
	bool skip_unsupported;			/**< --set rules.unsupported=skip */
	bool utc;				/**< --set eve.utc=true */
	uint64_t stats_interval_s;		/**< --set stats.interval=N (capture time); 0: at the end only */
	struct ids_engine_conf eng;		/**< -k, stream.*, flow.* */
};

/** Defaults, then the arguments. */
void ids_offline_opts_default(struct ids_offline_opts *o);

/**
 * Parse ARGV (without the program name: argv[0] is the first argument).
 * @return 0, 1 when help was asked for, or -EINVAL with a message in ERR
 *   (an unknown option or --set key, a bad value, -r/-S/-l missing).
 */
int ids_offline_parse(struct ids_offline_opts *o, int argc, char **argv,
		      char *err, size_t errlen);

/** Usage text. */
void ids_offline_usage(FILE *out, const char *prog);

/**
 * Run. Messages go to LOG.
 * @return the exit status: 0 done, 1 run-time failure (capture unreadable,
 *   output not writable), 2 bad rules.
 */
int ids_offline_run(const struct ids_offline_opts *o, FILE *log);

#endif
