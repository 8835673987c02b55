/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: from a conf_port to a started ethdev, and back to closed.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "port.h"

#define PORT_LINK_SETTLE_MS 100

static int
port_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
port_lookup(const char *dev, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t len = strcspn(dev, ",");

	if (len >= sizeof(name))
		return -ENAMETOOLONG;
	memcpy(name, dev, len);
	name[len] = '\0';
	return rte_eth_dev_get_port_by_name(name, port_id);
}

int
port_setup(struct port *p, const char *file, const struct conf_port *cp,
	   struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_conf port_conf = { 0 };
	uint16_t pid, rxd = cp->rxd, txd = cp->txd, q;
	int socket, ret;

	memset(p, 0, sizeof(*p));
	p->conf = cp;
	p->file = file;
	ret = port_lookup(cp->dev, &pid);
	if (ret != 0)
		return port_err(err, errlen,
				"%s: port '%s': no DPDK device for \"%s\"; expected a "
				"vdev (net_pcap0,...) or a PCI address bound to a DPDK driver",
				file, cp->name, cp->dev);
	p->id = pid;
	socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = (int)rte_socket_id();
	ret = rte_eth_dev_configure(pid, cp->rxq, cp->txq, &port_conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	for (q = 0; ret == 0 && q < cp->rxq; q++)
		ret = rte_eth_rx_queue_setup(pid, q, rxd, socket, NULL, pool);
	for (q = 0; ret == 0 && q < cp->txq; q++)
		ret = rte_eth_tx_queue_setup(pid, q, txd, socket, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(pid);
	if (ret != 0)
		return port_err(err, errlen, "%s: port '%s' (%s): set-up failed: %s",
				file, cp->name, cp->dev, rte_strerror(-ret));
	p->started = true;
	/* Not every driver has a promiscuous mode; a bump in the wire wants
	 * it where there is one. */
	rte_eth_promiscuous_enable(pid);
	return 0;
}

static bool
port_link_down(const struct port *p)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(p->id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_DOWN;
}

int
port_wait_links(struct port *ports, unsigned int n, double seconds,
		volatile int *stop, FILE *f)
{
	uint64_t deadline = rte_get_tsc_cycles() + (uint64_t)(seconds * rte_get_tsc_hz());
	unsigned int i, down;
	bool waited = false;

	do {
		down = 0;
		for (i = 0; i < n; i++)
			down += port_link_down(&ports[i]);
		if (down == 0 || *stop) {
			/* A link that just came up (memif) has a peer that may
			 * not poll yet: what we sent now would only be
			 * dropped as tx_full. Give it a moment. */
			if (waited)
				rte_delay_ms(PORT_LINK_SETTLE_MS);
			return 0;
		}
		waited = true;
		rte_delay_ms(20);
	} while (rte_get_tsc_cycles() < deadline);
	for (i = 0; i < n; i++)
		if (port_link_down(&ports[i]))
			fprintf(f, "%s: port '%s' (%s): link still down after %.1f s; "
				"what it cannot send is dropped as tx_full\n", ports[i].file,
				ports[i].conf->name, ports[i].conf->dev, seconds);
	return -1;
}

void
port_print_stats(const struct port *p, FILE *f)
{
	struct rte_eth_stats es;

	if (p->started && rte_eth_stats_get(p->id, &es) == 0)
		fprintf(f, "port  %-12s rx %lu tx %lu missed %lu rx_errors %lu "
			"tx_errors %lu rx_nombuf %lu\n", p->conf->name,
			es.ipackets, es.opackets, es.imissed, es.ierrors,
			es.oerrors, es.rx_nombuf);
}

void
port_close(struct port *p)
{
	if (!p->started)
		return;
	rte_eth_dev_stop(p->id);
	rte_eth_dev_close(p->id);
	p->started = false;
}
