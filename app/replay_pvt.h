/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay internals: the command line (replay_cli.c), shared with the
 * pipeline it generates and its report (replay.c).
 */
#ifndef FFWD_REPLAY_PVT_H
#define FFWD_REPLAY_PVT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>

#include "capsrc.h"
#include "pacer.h"

#define REPLAY_TX_LCORE 1		/* the first TX lcore; port i's is 1 + i */
#define REPLAY_PORTS_MAX 8		/* --port given this many times at most */
#define REPLAY_HICCUP_US 10
#define REPLAY_LINK_WAIT_S 10	/* for the link before the clock starts */

struct replay_opts {
	const char *prog;
	const char *file;
	const char *port;		/**< devargs of the first port */
	const char *ports[REPLAY_PORTS_MAX];	/**< devargs, packet i out of
						     port i mod n_ports */
	unsigned int n_ports;
	enum pacer_mode mode;
	double rate;			/**< pps, Mbit/s or speed */
	bool ifg, fcs;
	uint64_t loops;			/**< 0: forever */
	double duration_s;		/**< 0: no limit */
	double start_delay_s;		/**< after link up, before the clock */
	unsigned int cpu;		/**< CPU of the first TX lcore */
	unsigned int cpus[REPLAY_PORTS_MAX];	/**< CPU of each port's */
	unsigned int burst;		/**< 0: default for the mode */
	bool pad, stream, hugepages;
	unsigned int memory_mb;		/**< 0: auto */
	double stats_interval;		/**< < 0: 1 s */
	int progress;			/**< -1 auto (TTY), 0 off, 1 on */
	int eal_argc;
	char **eal_argv;
};


struct app;
struct app_lcore_stats;
struct stage;

/* The run, as the hooks see it. */
struct replay_run {
	const struct replay_opts *o;
	struct capsrc_info info;
	unsigned int n;				/**< ports */
	const struct stage *cap[REPLAY_PORTS_MAX], *tx[REPLAY_PORTS_MAX];
	uint16_t port_id[REPLAY_PORTS_MAX];
	uint64_t hz;
	uint64_t tsc0, tsc1;		/**< main lcore, around the run */
	double wall0, wall1;
	uint64_t overhead;
	struct rte_eth_stats port_stats[REPLAY_PORTS_MAX];	/**< once drained */
	const struct app_lcore_stats *lst[REPLAY_PORTS_MAX];	/**< TX loops */
	/* the display */
	bool tty;
	double last, last_bar;
	uint64_t last_sent, last_bytes, bar_sent, bar_bytes;
	double bar_pps, bar_mbps;
};

/**
 * The report, a hook of the run (replay_report.c): @return the exit status.
 */
int replay_report(struct app *a, void *arg, int status);

/**
 * Parse the replay's command line into O.
 * @return 0; 1 when --help was printed; -1 on a bad command line (the
 *   message is printed).
 */
int replay_parse(int argc, char **argv, struct replay_opts *o);

#endif /* FFWD_REPLAY_PVT_H */
