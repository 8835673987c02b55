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

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "conf.h"

/** One configured port. */
struct port {
	const struct conf_port *conf;	/**< as configured */
	const char *file;		/**< config file, for messages */
	uint16_t id;			/**< ethdev port id */
	bool started;			/**< rte_eth_dev_start() succeeded */
	int socket;			/**< NUMA socket of its queues */
	uint32_t max_frame;		/**< longest frame it takes whole */
	uint32_t rx_max_frame;		/**< longest frame its RX can deliver;
					     UINT32_MAX: not known */
	bool scatter;			/**< RX may chain mbufs */
	bool multi_seg_tx;		/**< TX takes chained mbufs */
	uint32_t rss_hf;		/**< hash functions in use, 0: no RSS */
	struct rte_mempool *rx_pool;	/**< its own RX pool, or NULL */
	/* Link propagation (bump in the wire), main lcore only. */
	int link_peer;			/**< port whose link follows ours, -1 */
	bool link_seen_up;		/**< link at the last look */
	bool link_forced;		/**< we took it down: its peer lost link */
	uint64_t link_lost;		/**< times its link went down */
	uint64_t peer_downs;		/**< times that took the peer down */
	uint64_t peer_ups;		/**< times the peer was brought back */
	uint64_t peer_cannot;		/**< times the peer's PMD could not */
	struct rte_eth_stats final;	/**< read by port_close() */
	bool closed;			/**< final is valid */
};

/*
 * Packets a port lost outside the pipeline's accounting, declared once:
 * the exit report, the verdict and the tests use these names.
 */
#define PORT_LOSSES(X)                                                         \
	X(imissed, "the NIC had no room: RX descriptors full")                 \
	X(rx_nombuf, "no mbuf to receive into: the pool ran dry")              \
	X(oerrors, "the PMD failed to send what it took")

struct port_loss {
#define X(name, help) uint64_t name;
	PORT_LOSSES(X)
#undef X
};

/*
 * The symmetric Toeplitz key: 0x6d5a repeated. Its 16-bit period makes the
 * hash of (src, dst, sport, dport) equal that of (dst, src, dport, sport),
 * so both directions of a flow land on the same RX queue (Woo and Park,
 * "Scalable TCP Session Monitoring with Symmetric Receive-side Scaling").
 */
#define PORT_RSS_KEY_MAX	64
#define PORT_RSS_KEY_BYTE(i)	((i) % 2 == 0 ? 0x6d : 0x5a)

/*
 * net_pcap (DPDK 22.11) reads a chained mbuf through a stack buffer of
 * RTE_ETHER_MAX_JUMBO_FRAME_LEN (16128) bytes: its file writer cuts a
 * longer frame to that length (not whole), and its TX to an interface
 * drops it. Worse, its RX of a record over 65535 bytes (bigtcp's 80 KB
 * frame) passes the length as 16 bits and builds a chain shorter than
 * its pkt_len, which its TX then reads past the end: SIGSEGV in
 * __rte_pktmbuf_read. So no frame over 16128 bytes is handed to it.
 */
#define PORT_PCAP_MAX_FRAME	16128

/** Bytes a frame may add to the MTU: Ethernet header and one VLAN tag. */
#define PORT_L2_OVERHEAD	(14 + 4)

/**
 * The ethdev port id of a devargs string: its name is what precedes the
 * first comma. @return 0 or -errno (-ENODEV: no such device).
 */
int port_lookup(const char *dev, uint16_t *port_id);

/*
 * net_af_xdp (DPDK 22.11, libxdp) takes the mbufs of its UMEM from the RX
 * queue's pool: at queue set-up it fills half its fill ring (1024 of 2048
 * descriptors) at once, and a queue set-up whose pool cannot give that
 * many fails with "Failed to configure xdp socket" (EINVAL). While it
 * runs it holds up to the whole fill ring and RX ring, and a TX of
 * mbufs from another pool copies into mbufs of this one until the kernel
 * completes them: ring-sized in all three.
 */
#define PORT_XDP_RING		2048	/**< its fill, RX, TX, completion rings */
#define PORT_XDP_RX_MBUFS	(3 * PORT_XDP_RING)	/**< per queue pair */

/**
 * Mbufs the RX queues of a port hold at most: descriptors, or for
 * net_af_xdp PORT_XDP_RX_MBUFS per queue. dev is the devargs.
 */
unsigned int port_rx_mbufs(const char *dev, uint16_t rxq, uint16_t rxd);

/**
 * Configure, set up every queue of and start port p as cp says: MTU, queue
 * counts, symmetric RSS, RX scatter when a frame of the MTU needs more
 * than one of pool's mbufs, multi-segment TX where the PMD has it. RX
 * queues take their mbufs from pool where it holds port_rx_mbufs() and
 * more; otherwise (pool NULL too) from a pool of the port's own, sized
 * so (net_af_xdp's fill ring, `ffwd replay`'s unread RX queue), with
 * pool's data room (or the default). Descriptor rings go on the device's
 * NUMA socket, or for a virtual device on `socket` (that of the lcores
 * using it; SOCKET_ID_ANY: the caller's). FILE names the config.
 * @return 0, or -1 with "FILE: port 'NAME' (DEVARGS): what failed" in err.
 */
int port_setup(struct port *p, const char *file, const struct conf_port *cp,
	       struct rte_mempool *pool, int socket, char *err, size_t errlen);

/**
 * The longest frame port p takes whole, in bytes: the PMD's
 * max_rx_pktlen, MTU + PORT_L2_OVERHEAD where an MTU is set, and
 * PORT_PCAP_MAX_FRAME for net_pcap. An output drops longer frames as
 * oversize before the PMD sees them.
 */
uint32_t port_max_frame(const struct port *p);

/**
 * The longest frame an RX queue of p can deliver, where the port bounds
 * it: a hardware port its configured MTU plus the L2 overhead ethdev
 * counts for it, net_null its `size`, net_af_xdp one mbuf of its own.
 * UINT32_MAX elsewhere (net_pcap, memif and ring chain whatever comes).
 */
uint32_t port_rx_max_frame(const struct port *p);

/** Whether cp is a port of driver drv ("net_pcap" for "net_pcap3,..."). */
bool port_is_driver(const struct conf_port *cp, const char *drv);

/** The NUMA socket of p's queues (valid after port_setup()). */
int port_socket(const struct port *p);

/**
 * The NUMA socket of an lcore, for the pool and rings of a path: those of
 * the lcores that touch them. SOCKET_ID_ANY when the lcore is not enabled.
 */
int port_lcore_socket(unsigned int lcore);

/**
 * The socket of the lcores that use port `port` of conf c (its input
 * and output stages; the first one found), SOCKET_ID_ANY if none.
 */
int port_conf_socket(const struct conf *c, unsigned int port);

/**
 * Wait up to `seconds` for the link of each of the n ports (memif and
 * af_packet peers, real NICs), or until *stop; name those still down on f.
 * @return 0 if all are up, -1 if some are not (the run goes on).
 */
int port_wait_links(struct port *ports, unsigned int n, double seconds,
		    volatile int *stop, FILE *f);

/**
 * Pair the ports of a bump in the wire for link propagation: ports A and
 * B where one path goes from A to B and another from B to A, both with
 * link_propagate (the default). Reads each link's state now: only later
 * changes count. @return the number of pairs.
 */
unsigned int port_link_pairs(struct port *ports, const struct conf *c);

/**
 * One look at the links of the paired ports (the housekeeping loop calls
 * it, never a stage): a port whose link went down takes its peer's down
 * with rte_eth_dev_set_link_down(), where the peer's PMD can; when it
 * comes back, so does the peer. A port we took down is no source itself.
 * Each change is logged on f and counted.
 */
void port_link_watch(struct port *ports, unsigned int n, FILE *f);

/** "link  NAME lost N, took PEER down N, brought it back N" for each
 * paired port. */
void port_link_report(const struct port *ports, unsigned int n, FILE *f);

/**
 * Print the port's ethdev counters as one "port ..." line on f: the
 * final ones after port_close(), else the live ones.
 */
void port_print_stats(const struct port *p, FILE *f);

/** p's losses (final after port_close(), else live). @return their sum. */
uint64_t port_loss(const struct port *p, struct port_loss *l);

/**
 * Sum the losses of n ports and say where they happened, as
 * "port 'in' rx_nombuf 12, port 'out' oerrors 3" in where (empty when
 * none). @return the sum.
 */
uint64_t port_loss_where(const struct port *ports, unsigned int n,
			 struct port_loss *sum, char *where, size_t len);

/**
 * Stop and close a started port, keeping its final counters: a closed
 * port has released every mbuf its descriptor rings held, and net_pcap
 * has flushed its output file. Idempotent.
 */
void port_close(struct port *p);

#endif /* FFWD_PORT_H */
