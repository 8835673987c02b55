/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: from a conf_port to a started ethdev, and back to closed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

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

/* "net_pcap3,rx_pcap=..." is a net_pcap port. */
bool
port_is_driver(const struct conf_port *cp, const char *drv)
{
	size_t len = strlen(drv);

	return strncmp(cp->dev, drv, len) == 0 &&
	       cp->dev[len] >= '0' && cp->dev[len] <= '9';
}

/* MTU, RSS and offloads of cp, checked against what the PMD announces. */
static int
port_conf_build(struct port *p, const struct conf_port *cp,
		const struct rte_eth_dev_info *di, struct rte_mempool *pool,
		struct rte_eth_conf *ec, uint8_t *key, char *err, size_t errlen)
{
	uint32_t room = pool != NULL ?
		(uint32_t)rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM :
		UINT32_MAX;
	uint32_t frame;
	unsigned int i;

	if (cp->mtu != 0) {
		if (cp->mtu < di->min_mtu || cp->mtu > di->max_mtu)
			return port_err(err, errlen,
					"%s: port '%s' (%s): mtu %u is out of range, "
					"expected %u..%u for driver %s", p->file,
					cp->name, cp->dev, cp->mtu, di->min_mtu,
					di->max_mtu, di->driver_name);
		ec->rxmode.mtu = cp->mtu;
	}
	/* Without an MTU the PMD keeps its default (1500 for most). */
	frame = (cp->mtu != 0 ? cp->mtu : RTE_ETHER_MTU) + PORT_L2_OVERHEAD;
	if (frame > room) {
		if (di->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER) {
			ec->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
			p->scatter = true;
		} else if (cp->mtu != 0 && !port_is_driver(cp, "net_pcap")) {
			/* net_pcap chains long frames whatever it announces. */
			return port_err(err, errlen,
					"%s: port '%s' (%s): mtu %u needs frames of %u "
					"bytes, more than one mbuf holds (%u: "
					"pipeline.mbuf_size less %u of headroom), and "
					"driver %s cannot scatter; expected a larger "
					"mbuf_size or a smaller mtu", p->file, cp->name,
					cp->dev, cp->mtu, frame, room,
					RTE_PKTMBUF_HEADROOM, di->driver_name);
		}
	}
	if (di->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) {
		ec->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
		p->multi_seg_tx = true;
	}
	if (cp->rss == CONF_RSS_SYMMETRIC) {
		uint64_t want = RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP;
		uint8_t len = di->hash_key_size != 0 ? di->hash_key_size :
						       PORT_RSS_KEY_MAX;

		if ((di->flow_type_rss_offloads & want) == 0)
			return port_err(err, errlen,
					"%s: port '%s' (%s): rss is symmetric, but driver "
					"%s hashes no IP, TCP or UDP flows; expected rss: off",
					p->file, cp->name, cp->dev, di->driver_name);
		if (len > PORT_RSS_KEY_MAX)
			return port_err(err, errlen,
					"%s: port '%s' (%s): driver %s wants a %u-byte "
					"RSS key, more than %u", p->file, cp->name,
					cp->dev, di->driver_name, len, PORT_RSS_KEY_MAX);
		for (i = 0; i < len; i++)
			key[i] = PORT_RSS_KEY_BYTE(i);
		ec->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		ec->rx_adv_conf.rss_conf.rss_key = key;
		ec->rx_adv_conf.rss_conf.rss_key_len = len;
		ec->rx_adv_conf.rss_conf.rss_hf = di->flow_type_rss_offloads & want;
		p->rss_hf = (uint32_t)ec->rx_adv_conf.rss_conf.rss_hf;
	}
	return 0;
}

unsigned int
port_rx_mbufs(const char *dev, uint16_t rxq, uint16_t rxd)
{
	if (strncmp(dev, "net_af_xdp", 10) == 0)
		return (unsigned int)rxq * PORT_XDP_RX_MBUFS;
	return (unsigned int)rxq * rxd;
}

static bool
port_is_xdp(const struct conf_port *cp)
{
	return port_is_driver(cp, "net_af_xdp");
}

/*
 * The RX pool: the caller's, except where there is none, and for
 * net_af_xdp, which always gets one of its own. Its UMEM is that pool,
 * and in DPDK 22.11 closing the port leaves the mbufs of its fill ring
 * out of it for good: in the pipeline's pool they would fail the final
 * pool check. Its mbufs have the default room (2176 bytes): a UMEM chunk
 * (mbuf, headers and room) must fit in a page, and mempool padding of
 * larger objects would break that. A short pool for any other PMD is the
 * user's to see, as rx_nombuf.
 */
static struct rte_mempool *
port_rx_pool(struct port *p, const struct conf_port *cp, struct rte_mempool *pool,
	     uint16_t rxd)
{
	unsigned int need = port_rx_mbufs(cp->dev, cp->rxq, rxd);
	uint16_t room = pool != NULL && !port_is_xdp(cp) ?
		rte_pktmbuf_data_room_size(pool) : RTE_MBUF_DEFAULT_BUF_SIZE;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int n;

	if (cp->rxq == 0)
		return pool;
	if (pool != NULL && !port_is_xdp(cp))
		return pool;
	/* Half again for the per-lcore caches and what is in flight. */
	n = RTE_MAX(need + need / 2, 511u);
	snprintf(name, sizeof(name), "rx_%u", p->id);
	p->rx_pool = rte_pktmbuf_pool_create(name, n, RTE_MIN(256u, n / 8), 0, room,
					     p->socket);
	return p->rx_pool;
}

/* "size=N" of net_null's devargs; 64 when it is not given (the PMD's
 * default). */
static uint32_t
port_null_size(const char *dev)
{
	const char *v = strstr(dev, ",size=");
	unsigned long n;
	char *end;

	if (v == NULL)
		return 64;
	errno = 0;
	n = strtoul(v + 6, &end, 10);
	if (errno != 0 || end == v + 6 || (*end != '\0' && *end != ',') ||
	    n > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)n;
}

/*
 * What an RX queue of the port can deliver at most. Software PMDs that
 * pass on whatever comes (net_pcap chains any capture record, memif and
 * ring whatever the peer built) have no bound. A hardware port drops
 * frames over its configured MTU plus the overhead ethdev counts for it
 * (max_rx_pktlen - max_mtu, or 18); net_null sends frames of its `size`;
 * net_af_xdp copies into one mbuf of the RX pool.
 */
static uint32_t
port_rx_bound(const struct conf_port *cp, const struct rte_eth_dev_info *di,
	      uint16_t pid, struct rte_mempool *rx_pool)
{
	uint16_t mtu;
	uint32_t over;

	if (port_is_driver(cp, "net_null"))
		return port_null_size(cp->dev);
	if (port_is_xdp(cp))
		return rx_pool != NULL ? (uint32_t)rte_pktmbuf_data_room_size(rx_pool) -
					 RTE_PKTMBUF_HEADROOM : UINT32_MAX;
	if (strncmp(cp->dev, "net_", 4) == 0 || rte_eth_dev_get_mtu(pid, &mtu) != 0)
		return UINT32_MAX;
	over = di->max_mtu != UINT16_MAX && di->max_rx_pktlen > di->max_mtu ?
		di->max_rx_pktlen - di->max_mtu : PORT_L2_OVERHEAD;
	return (uint32_t)mtu + over;
}

int
port_setup(struct port *p, const char *file, const struct conf_port *cp,
	   struct rte_mempool *pool, int socket, char *err, size_t errlen)
{
	struct rte_mempool *rx_pool;
	struct rte_eth_conf port_conf = { 0 };
	struct rte_eth_dev_info di;
	uint8_t key[PORT_RSS_KEY_MAX];
	uint16_t pid, rxd = cp->rxd, txd = cp->txd, q;
	int ret;

	memset(p, 0, sizeof(*p));
	p->conf = cp;
	p->file = file;
	p->link_peer = -1;
	ret = port_lookup(cp->dev, &pid);
	if (ret != 0)
		return port_err(err, errlen,
				"%s: port '%s': no DPDK device for \"%s\"; expected a "
				"vdev (net_pcap0,...) or a PCI address bound to a DPDK driver",
				file, cp->name, cp->dev);
	p->id = pid;
	/* A PCI device sits on a socket; a vdev goes where its users are. */
	p->socket = rte_eth_dev_socket_id(pid);
	if (p->socket < 0)
		p->socket = socket;
	if (p->socket < 0)
		p->socket = (int)rte_socket_id();
	ret = rte_eth_dev_info_get(pid, &di);
	if (ret != 0)
		return port_err(err, errlen, "%s: port '%s' (%s): no device info: %s",
				file, cp->name, cp->dev, rte_strerror(-ret));
	if (port_conf_build(p, cp, &di, pool, &port_conf, key, err, errlen) != 0)
		return -1;
	ret = rte_eth_dev_configure(pid, cp->rxq, cp->txq, &port_conf);
	if (ret == 0)
		ret = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	if (ret != 0)
		return port_err(err, errlen, "%s: port '%s' (%s): set-up failed: %s",
				file, cp->name, cp->dev, rte_strerror(-ret));
	rx_pool = port_rx_pool(p, cp, pool, rxd);
	if (rx_pool == NULL)
		return port_err(err, errlen,
				"%s: port '%s' (%s): no RX pool of %u mbufs: %s; "
				"expected more memory (pipeline.memory)", file,
				cp->name, cp->dev, port_rx_mbufs(cp->dev, cp->rxq, rxd),
				rte_strerror(rte_errno));
	for (q = 0; ret == 0 && q < cp->rxq; q++)
		ret = rte_eth_rx_queue_setup(pid, q, rxd, p->socket, NULL, rx_pool);
	for (q = 0; ret == 0 && q < cp->txq; q++)
		ret = rte_eth_tx_queue_setup(pid, q, txd, p->socket, NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(pid);
	if (ret != 0)
		return port_err(err, errlen, "%s: port '%s' (%s): set-up failed: %s",
				file, cp->name, cp->dev, rte_strerror(-ret));
	p->started = true;
	p->max_frame = di.max_rx_pktlen;
	if (cp->mtu != 0)
		p->max_frame = RTE_MIN(p->max_frame,
				       (uint32_t)cp->mtu + PORT_L2_OVERHEAD);
	if (port_is_driver(cp, "net_pcap"))
		p->max_frame = RTE_MIN(p->max_frame, (uint32_t)PORT_PCAP_MAX_FRAME);
	/* net_af_xdp (22.11) copies a frame from another pool into one mbuf
	 * of its own, from the first segment only: a frame that is longer
	 * than that mbuf, or chained, would be read and written past its
	 * end. */
	if (port_is_xdp(cp)) {
		uint32_t own = RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM;

		if (pool != NULL)
			own = RTE_MIN(own, (uint32_t)rte_pktmbuf_data_room_size(pool) -
					   RTE_PKTMBUF_HEADROOM);
		p->max_frame = RTE_MIN(p->max_frame, own);
	}
	p->rx_max_frame = port_rx_bound(cp, &di, pid, rx_pool);
	/* Not every driver has a promiscuous mode; a bump in the wire wants
	 * it where there is one. */
	rte_eth_promiscuous_enable(pid);
	return 0;
}

uint32_t
port_max_frame(const struct port *p)
{
	return p->max_frame;
}

uint32_t
port_rx_max_frame(const struct port *p)
{
	return p->rx_max_frame;
}

int
port_socket(const struct port *p)
{
	return p->socket;
}

int
port_lcore_socket(unsigned int lcore)
{
	if (lcore >= RTE_MAX_LCORE || !rte_lcore_is_enabled(lcore))
		return SOCKET_ID_ANY;
	return (int)rte_lcore_to_socket_id(lcore);
}

int
port_conf_socket(const struct conf *c, unsigned int port)
{
	unsigned int p, i;

	for (p = 0; p < c->n_paths; p++)
		for (i = 0; i < c->paths[p].n_stages; i++)
			if (c->paths[p].stages[i].port == (int)port)
				return port_lcore_socket(c->paths[p].stages[i].lcore);
	return SOCKET_ID_ANY;
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

/* The ports of the first and last stage of path p. */
static void
port_path_ends(const struct conf_path *p, int *in, int *out)
{
	*in = p->stages[0].port;
	*out = p->stages[p->n_stages - 1].port;
}

static bool
port_link_is_up(const struct port *p)
{
	struct rte_eth_link link;

	return rte_eth_link_get_nowait(p->id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_UP;
}

unsigned int
port_link_pairs(struct port *ports, const struct conf *c)
{
	unsigned int p, q, pairs = 0;
	int a, b, x, y;

	/* Every started port's link is watched (a peer that goes away is
	 * reported and counted); pairs also take each other down. */
	for (p = 0; p < c->n_ports; p++)
		if (ports[p].started)
			ports[p].link_seen_up = port_link_is_up(&ports[p]);
	for (p = 0; p < c->n_paths; p++) {
		port_path_ends(&c->paths[p], &a, &b);
		if (a < 0 || b < 0 || a == b || ports[a].link_peer >= 0 ||
		    !c->ports[a].link_propagate || !c->ports[b].link_propagate)
			continue;
		for (q = 0; q < c->n_paths; q++) {
			port_path_ends(&c->paths[q], &x, &y);
			if (x == b && y == a && ports[b].link_peer < 0) {
				ports[a].link_peer = b;
				ports[b].link_peer = a;
				ports[a].link_seen_up = port_link_is_up(&ports[a]);
				ports[b].link_seen_up = port_link_is_up(&ports[b]);
				pairs++;
				break;
			}
		}
	}
	return pairs;
}

void
port_link_watch(struct port *ports, unsigned int n, FILE *f)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct port *p = &ports[i], *peer;
		bool up;
		int ret;

		if (!p->started || p->link_forced)
			continue;
		up = port_link_is_up(p);
		if (up == p->link_seen_up)
			continue;
		p->link_seen_up = up;
		if (p->link_peer < 0) {
			/* No pair: say it, count it, keep polling. What
			 * arrives once the link is back is forwarded as
			 * before. */
			p->link_lost += !up;
			fprintf(f, "port '%s': link %s\n", p->conf->name,
				up ? "up" : "down");
			fflush(f);
			continue;
		}
		peer = &ports[p->link_peer];
		if (!up) {
			p->link_lost++;
			if (peer->link_forced)
				continue;
			ret = rte_eth_dev_set_link_down(peer->id);
			if (ret == 0) {
				peer->link_forced = true;
				p->peer_downs++;
				fprintf(f, "port '%s': link down; took port '%s' down with it\n",
					p->conf->name, peer->conf->name);
			} else {
				p->peer_cannot++;
				fprintf(f, "port '%s': link down; port '%s' cannot be taken "
					"down (%s: %s)\n", p->conf->name, peer->conf->name,
					peer->conf->dev, rte_strerror(-ret));
			}
		} else if (peer->link_forced) {
			ret = rte_eth_dev_set_link_up(peer->id);
			if (ret == 0) {
				peer->link_forced = false;
				p->peer_ups++;
				fprintf(f, "port '%s': link up; brought port '%s' back up\n",
					p->conf->name, peer->conf->name);
			} else {
				fprintf(f, "port '%s': link up; port '%s' does not come back "
					"up: %s (will retry)\n", p->conf->name,
					peer->conf->name, rte_strerror(-ret));
				p->link_seen_up = false;
			}
		} else {
			fprintf(f, "port '%s': link up\n", p->conf->name);
		}
		fflush(f);
	}
}

void
port_link_report(const struct port *ports, unsigned int n, FILE *f)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct port *p = &ports[i];

		if (p->link_peer < 0) {
			if (p->link_lost != 0)
				fprintf(f, "link  %-12s lost %lu\n", p->conf->name,
					p->link_lost);
			continue;
		}
		fprintf(f, "link  %-12s lost %lu, took %s down %lu, brought it back %lu, "
			"could not %lu\n", p->conf->name, p->link_lost,
			ports[p->link_peer].conf->name, p->peer_downs, p->peer_ups,
			p->peer_cannot);
	}
}

/* The final counters of a closed port, else the live ones. */
static int
port_stats(const struct port *p, struct rte_eth_stats *es)
{
	if (p->closed) {
		*es = p->final;
		return 0;
	}
	if (!p->started)
		return -ENODEV;
	return rte_eth_stats_get(p->id, es);
}

void
port_print_stats(const struct port *p, FILE *f)
{
	struct rte_eth_stats es;

	if (port_stats(p, &es) == 0)
		fprintf(f, "port  %-12s rx %lu tx %lu missed %lu rx_errors %lu "
			"tx_errors %lu rx_nombuf %lu\n", p->conf->name,
			es.ipackets, es.opackets, es.imissed, es.ierrors,
			es.oerrors, es.rx_nombuf);
}

uint64_t
port_loss(const struct port *p, struct port_loss *l)
{
	struct rte_eth_stats es;

	memset(l, 0, sizeof(*l));
	if (port_stats(p, &es) != 0)
		return 0;
#define X(name, help) l->name = es.name;
	PORT_LOSSES(X)
#undef X
	return 0
#define X(name, help) + l->name
		PORT_LOSSES(X)
#undef X
		;
}

uint64_t
port_loss_where(const struct port *ports, unsigned int n,
		struct port_loss *sum, char *where, size_t len)
{
	struct port_loss l;
	uint64_t total = 0;
	size_t at = 0;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	if (len > 0)
		where[0] = '\0';
	for (i = 0; i < n; i++) {
		if (port_loss(&ports[i], &l) == 0)
			continue;
#define X(f, help)                                                             \
		if (l.f != 0) {                                                \
			sum->f += l.f;                                         \
			total += l.f;                                          \
			if (at < len)                                          \
				at += snprintf(where + at, len - at,           \
					       "%sport '%s' %s %lu",           \
					       at ? ", " : "",                 \
					       ports[i].conf->name, #f, l.f);  \
		}
		PORT_LOSSES(X)
#undef X
	}
	return total;
}

void
port_close(struct port *p)
{
	if (p->started) {
		/* Read before the stop: some PMDs reset their counters there. */
		p->closed = rte_eth_stats_get(p->id, &p->final) == 0;
		rte_eth_dev_stop(p->id);
		rte_eth_dev_close(p->id);
		p->started = false;
	}
	/* Closed (or never started): no queue holds an mbuf of it. */
	rte_mempool_free(p->rx_pool);
	p->rx_pool = NULL;
}
