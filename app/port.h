/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port: the DPDK ports a pipeline (or `ffwd replay`) uses, as the user
 * configured them: lookup by devargs, set-up, start, the wait for links,
 * the final counters, stop and close.
 *
 * The runtime keeps one struct port per configured port; every function
 * takes it as its first argument. None of this runs on a stage lcore.
 */
#ifndef FFWD_PORT_H
#define FFWD_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

#include "conf.h"

/** One configured port. */
struct port {
	const struct conf_port *conf;	/**< as configured */
	const char *file;		/**< config file, for messages */
	uint16_t id;			/**< ethdev port id */
	bool started;			/**< rte_eth_dev_start() succeeded */
};

/**
 * The ethdev port id of a devargs string: its name is what precedes the
 * first comma. @return 0 or -errno (-ENODEV: no such device).
 */
int port_lookup(const char *dev, uint16_t *port_id);

/**
 * Configure, set up every queue of and start port p as cp says; RX queues
 * take their mbufs from pool. FILE names the config in messages.
 * @return 0, or -1 with "FILE: port 'NAME' (DEVARGS): what failed" in err.
 */
int port_setup(struct port *p, const char *file, const struct conf_port *cp,
	       struct rte_mempool *pool, char *err, size_t errlen);

/**
 * Wait up to `seconds` for the link of each of the n ports (memif and
 * af_packet peers, real NICs), or until *stop; name those still down on f.
 * @return 0 if all are up, -1 if some are not (the run goes on).
 */
int port_wait_links(struct port *ports, unsigned int n, double seconds,
		    volatile int *stop, FILE *f);

/** Print the port's ethdev counters as one "port ..." line on f. */
void port_print_stats(const struct port *p, FILE *f);

/**
 * Stop and close a started port: a closed port has released every mbuf
 * its descriptor rings held, and net_pcap has flushed its output file.
 * Idempotent.
 */
void port_close(struct port *p);

#endif /* FFWD_PORT_H */
