/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf: YAML text -> struct conf, with every check the pipeline depends on
 * done here, so that a bad file is refused before EAL starts and the user
 * is told where and what would be right.
 *
 * libyaml builds the node tree but resolves no implicit tags: every plain
 * scalar arrives as a string, and the typing below is ours. Integers and
 * booleans must be plain (unquoted) scalars, as YAML itself would type them.
 *
 * Messages all read "FILE:LINE:COL: [where: ]X is Y, expected Z". Where a
 * value is checked against other values (ports, housekeeping, cpus), the
 * parts are parsed in dependency order (pipeline, ports, paths) whatever
 * their order in the file, so that such errors can still point at the
 * offending value node.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity(), CPU_ISSET() */
#endif
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_pvt.h"

const char *const conf_idle_names[2] = {
	[CONF_IDLE_SPIN] = "spin",
	[CONF_IDLE_YIELD] = "yield",
};

static const char *const conf_top_keys[] = {
	"pipeline", "ports", "paths", "stages", NULL,
};

static const char *const conf_pipeline_keys[] = {
	"label", "housekeeping", "hugepages", "memory", "mbufs",
	"mbuf_size", "ring_size", "cpus", NULL,
};

static const char *const conf_port_keys[] = {
	"dev", "rxq", "txq", "rxd", "txd", "mtu", "rss", "busy_budget",
	"zero_copy", "link_propagate", NULL,
};

static const char *const conf_zero_copy_names[] = { "auto", "off" };

static const char *const conf_rss_names[] = {
	[CONF_RSS_OFF] = "off",
	[CONF_RSS_SYMMETRIC] = "symmetric",
};

/*
 * Virtual devices whose PMD (DPDK 22.11) computes no RSS hash: a port of
 * theirs with rss is refused here rather than at set-up. Others (net_null,
 * PCI NICs) are asked at set-up, where the error names the port.
 */
static const char *const conf_no_rss_vdevs[] = {
	"net_pcap", "net_memif", "net_af_packet", "net_af_xdp", "net_ring",
	"net_tap", NULL,
};

static bool
conf_cpu_allowed(const struct conf_ctx *ctx, long long cpu)
{
	return cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &ctx->allowed);
}

/*
 * The allowed set, not the online count: under taskset or a cgroup cpuset
 * an online CPU may still be one EAL cannot pin a thread to.
 */
static void
conf_read_affinity(struct conf_ctx *ctx)
{
	size_t n = 0;
	long i, first, ncpu;

	CPU_ZERO(&ctx->allowed);
	if (sched_getaffinity(0, sizeof(ctx->allowed), &ctx->allowed) != 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		for (i = 0; i < ncpu && i < CPU_SETSIZE; i++)
			CPU_SET(i, &ctx->allowed);
	}
	ctx->allowed_str[0] = '\0';
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &ctx->allowed))
			continue;
		first = i;
		while (i + 1 < CPU_SETSIZE && CPU_ISSET(i + 1, &ctx->allowed))
			i++;
		if (n >= sizeof(ctx->allowed_str) - 16) {
			snprintf(ctx->allowed_str + n,
				 sizeof(ctx->allowed_str) - n, ",...");
			break;
		}
		if (first == i)
			n += snprintf(ctx->allowed_str + n,
				      sizeof(ctx->allowed_str) - n, "%s%ld",
				      n > 0 ? "," : "", i);
		else
			n += snprintf(ctx->allowed_str + n,
				      sizeof(ctx->allowed_str) - n,
				      "%s%ld-%ld", n > 0 ? "," : "", first, i);
	}
}

/* Where lcore L will run must exist: EAL would fail later, less clearly. */
int
conf_check_lcore_cpu(struct conf_ctx *ctx, yaml_node_t *node,
		     const char *where, const char *what, unsigned int lcore)
{
	if (ctx->conf->cpus_given) {
		if (ctx->map_cpu[lcore] < 0)
			return conf_err(ctx, node, where,
					"%s %u is not in pipeline.cpus, expected every lcore in use to be mapped to a CPU",
					what, lcore);
		return 0;
	}
	if (!conf_cpu_allowed(ctx, lcore))
		return conf_err(ctx, node, where,
				"%s %u runs on CPU %u, which this machine does not offer (allowed CPUs: %s); map it with pipeline.cpus",
				what, lcore, lcore, ctx->allowed_str);
	return 0;
}

static int
conf_parse_cpus(struct conf_ctx *ctx, yaml_node_t *map)
{
	const char *where = "pipeline.cpus";
	yaml_node_t *first[CONF_MAX_LCORES] = { NULL };
	char what[48];
	yaml_node_pair_t *p;
	yaml_node_t *k, *v;
	long long lcore, cpu;

	if (conf_want(ctx, map, YAML_MAPPING_NODE, "pipeline", "cpus",
		      "a mapping of lcore to CPU, e.g. { 1: 0, 2: 1 }") < 0)
		return -1;
	if (conf_check_keys(ctx, map, where, NULL, NULL, "lcore") < 0)
		return -1;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		k = conf_node(ctx, p->key);
		v = conf_node(ctx, p->value);
		if (conf_int(ctx, k, where, "lcore", 0, CONF_MAX_LCORES - 1,
			     NULL, &lcore) < 0)
			return -1;
		/* "1" and "01" pass the key check but are the same lcore. */
		if (first[lcore] != NULL)
			return conf_err(ctx, k, where,
					"lcore %lld is mapped twice (first at %u:%u), expected each lcore once",
					lcore, conf_mark_of(first[lcore]).line,
					conf_mark_of(first[lcore]).col);
		first[lcore] = k;
		snprintf(what, sizeof(what), "CPU of lcore %lld", lcore);
		if (conf_int(ctx, v, where, what, 0, CONF_CPU_MAX, NULL, &cpu) < 0)
			return -1;
		if (!conf_cpu_allowed(ctx, cpu))
			return conf_err(ctx, v, where,
					"lcore %lld maps to CPU %lld, which this machine does not offer, expected one of the allowed CPUs: %s",
					lcore, cpu, ctx->allowed_str);
		ctx->map_cpu[lcore] = (int)cpu;
	}
	ctx->conf->cpus_given = true;
	return 0;
}

static int
conf_parse_pipeline(struct conf_ctx *ctx, yaml_node_t *map)
{
	const char *where = "pipeline";
	struct conf *conf = ctx->conf;
	yaml_node_t *v, *cpus, *hk_node = NULL;
	long long n;

	if (conf_want(ctx, map, YAML_MAPPING_NODE, NULL, "pipeline",
		      "a mapping with label and optional settings") < 0)
		return -1;
	if (conf_check_keys(ctx, map, where, conf_pipeline_keys, NULL,
			    "key") < 0)
		return -1;

	v = conf_get(ctx, map, "label", NULL);
	if (v == NULL)
		return conf_err(ctx, map, where,
				"label is missing, expected 1..%d " CONF_NAME_RULE,
				CONF_LABEL_MAX - 1);
	if (conf_name(ctx, v, where, "label", CONF_LABEL_MAX, conf->label) < 0)
		return -1;

	v = conf_get(ctx, map, "housekeeping", NULL);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "housekeeping", 0,
			     CONF_MAX_LCORES - 1, NULL, &n) < 0)
			return -1;
		conf->housekeeping = (unsigned int)n;
		hk_node = v;
	}
	v = conf_get(ctx, map, "hugepages", NULL);
	if (v != NULL && conf_bool(ctx, v, where, "hugepages",
				   &conf->hugepages) < 0)
		return -1;
	v = conf_get(ctx, map, "memory", NULL);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "memory", 64, 65536, NULL, &n) < 0)
			return -1;
		conf->memory_mb = (unsigned int)n;
	}
	v = conf_get(ctx, map, "mbufs", NULL);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "mbufs", 64, 4194304, NULL, &n) < 0)
			return -1;
		conf->mbufs = (uint32_t)n;
	}
	v = conf_get(ctx, map, "mbuf_size", NULL);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "mbuf_size", 256, 65535, NULL,
			     &n) < 0)
			return -1;
		conf->mbuf_size = (uint16_t)n;
	}
	v = conf_get(ctx, map, "ring_size", NULL);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "ring_size", 16, 1048576, NULL,
			     &n) < 0)
			return -1;
		/* rte_ring needs a power of two unless RING_F_EXACT_SZ. */
		if ((n & (n - 1)) != 0)
			return conf_err(ctx, v, where,
					"ring_size is %lld, expected a power of two 16..1048576",
					n);
		conf->ring_size = (uint32_t)n;
	}
	cpus = conf_get(ctx, map, "cpus", NULL);
	if (cpus != NULL && conf_parse_cpus(ctx, cpus) < 0)
		return -1;

	/* Left implicit, housekeeping is best blamed on what lacks it. */
	if (hk_node == NULL)
		hk_node = cpus != NULL ? cpus : map;
	return conf_check_lcore_cpu(ctx, hk_node, where, "housekeeping lcore",
				    conf->housekeeping);
}

static int
conf_parse_port(struct conf_ctx *ctx, yaml_node_t *key, yaml_node_t *map,
		struct conf_port *port)
{
	static const struct {
		const char *key;
		long long min, max;
		size_t off;
	} nums[] = {
		{ "rxq", 1, 64, offsetof(struct conf_port, rxq) },
		{ "txq", 1, 64, offsetof(struct conf_port, txq) },
		{ "rxd", 64, 16384, offsetof(struct conf_port, rxd) },
		{ "txd", 64, 16384, offsetof(struct conf_port, txd) },
		/* 68: IPv4's minimum (RFC 791); 65535: ethdev's limit. */
		{ "mtu", 68, 65535, offsetof(struct conf_port, mtu) },
	};
	char where[CONF_NAME_MAX + 16];
	yaml_node_t *v;
	unsigned int i;
	long long n;

	if (conf_name(ctx, key, "ports", "port name", CONF_NAME_MAX,
		      port->name) < 0)
		return -1;
	snprintf(where, sizeof(where), "port '%s'", port->name);
	port->mark = conf_mark_of(map);
	port->rxq = 1;
	port->txq = 1;
	port->rxd = 1024;
	port->txd = 1024;

	if (conf_want(ctx, map, YAML_MAPPING_NODE, NULL, where,
		      "a mapping with dev and optional rxq, txq, rxd, txd, mtu, rss") < 0)
		return -1;
	if (conf_check_keys(ctx, map, where, conf_port_keys, NULL, "key") < 0)
		return -1;
	v = conf_get(ctx, map, "dev", NULL);
	if (v == NULL)
		return conf_err(ctx, map, where,
				"dev is missing, expected DPDK devargs such as net_pcap0,iface=eth0 or a PCI address");
	if (conf_string(ctx, v, where, "dev", CONF_DEV_MAX,
			"DPDK devargs such as net_pcap0,iface=eth0 or a PCI address",
			port->dev) < 0)
		return -1;
	for (i = 0; i < CONF_DIM(nums); i++) {
		v = conf_get(ctx, map, nums[i].key, NULL);
		if (v == NULL)
			continue;
		if (conf_int(ctx, v, where, nums[i].key, nums[i].min,
			     nums[i].max, NULL, &n) < 0)
			return -1;
		*(uint16_t *)((char *)port + nums[i].off) = (uint16_t)n;
	}
	v = conf_get(ctx, map, "rss", NULL);
	if (v != NULL) {
		unsigned int rss = CONF_RSS_OFF;

		if (conf_enum(ctx, v, where, "rss", conf_rss_names,
			      CONF_DIM(conf_rss_names), "off or symmetric",
			      &rss) < 0)
			return -1;
		port->rss = (enum conf_rss)rss;
	}
	if (port->rss != CONF_RSS_OFF) {
		for (i = 0; conf_no_rss_vdevs[i] != NULL; i++) {
			size_t len = strlen(conf_no_rss_vdevs[i]);

			/* "net_pcap0,...": the driver name, then digits. */
			if (strncmp(port->dev, conf_no_rss_vdevs[i], len) == 0 &&
			    isdigit((unsigned char)port->dev[len]))
				return conf_err(ctx, v, where,
						"rss is symmetric, but %s computes no RSS hash; expected rss: off (or a NIC that hashes)",
						conf_no_rss_vdevs[i]);
		}
		if (port->rxq < 2)
			return conf_err(ctx, v, where,
					"rss is symmetric with rxq %u, expected rxq 2..64 (RSS spreads flows over RX queues)",
					port->rxq);
	}
	port->link_propagate = true;
	v = conf_get(ctx, map, "link_propagate", NULL);
	if (v != NULL && conf_bool(ctx, v, where, "link_propagate",
				   &port->link_propagate) < 0)
		return -1;
	/* AF_XDP socket options, passed to net_af_xdp as its devargs. */
	port->busy_budget = -1;
	v = conf_get(ctx, map, "busy_budget", NULL);
	if (v != NULL) {
		if (strncmp(port->dev, "net_af_xdp", 10) != 0)
			return conf_err(ctx, v, where,
					"busy_budget is given for a port that is not net_af_xdp, expected it on net_af_xdp ports only");
		if (conf_int(ctx, v, where, "busy_budget", 0, 65535, NULL, &n) < 0)
			return -1;
		if (strstr(port->dev, "busy_budget=") != NULL)
			return conf_err(ctx, v, where,
					"busy_budget is given here and in dev, expected it once");
		port->busy_budget = (int32_t)n;
	}
	v = conf_get(ctx, map, "zero_copy", NULL);
	if (v != NULL) {
		unsigned int zc = 0;

		if (strncmp(port->dev, "net_af_xdp", 10) != 0)
			return conf_err(ctx, v, where,
					"zero_copy is given for a port that is not net_af_xdp, expected it on net_af_xdp ports only");
		if (conf_enum(ctx, v, where, "zero_copy", conf_zero_copy_names,
			      CONF_DIM(conf_zero_copy_names),
			      "auto (where the driver offers it) or off", &zc) < 0)
			return -1;
		port->force_copy = zc == 1;
	}
	return 0;
}

static int
conf_parse_ports(struct conf_ctx *ctx, yaml_node_t *map)
{
	struct conf *conf = ctx->conf;
	yaml_node_pair_t *p;
	yaml_node_t *k;

	if (conf_want(ctx, map, YAML_MAPPING_NODE, NULL, "ports",
		      "a mapping of port names to ports") < 0)
		return -1;
	if (conf_map_size(map) == 0)
		return conf_err(ctx, map, NULL,
				"ports is an empty mapping, expected at least one port");
	if (conf_check_keys(ctx, map, "ports", NULL, NULL, "port") < 0)
		return -1;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		k = conf_node(ctx, p->key);
		if (conf->n_ports == CONF_MAX_PORTS)
			return conf_err(ctx, k, "ports",
					"port %u is one too many, expected at most %d ports",
					conf->n_ports + 1, CONF_MAX_PORTS);
		if (conf_parse_port(ctx, k, conf_node(ctx, p->value),
				    &conf->ports[conf->n_ports]) < 0)
			return -1;
		conf->n_ports++;
	}
	return 0;
}
const char *
conf_port_list(const struct conf *conf, char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < conf->n_ports && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i > 0 ? ", " : "",
			      conf->ports[i].name);
	return buf;
}

/* Stage keys of an input or output stage: port, queue, retries. */static void
conf_fill_cpu_of(struct conf_ctx *ctx)
{
	struct conf *conf = ctx->conf;
	unsigned int p, s, l;

	for (l = 0; l < CONF_MAX_LCORES; l++)
		conf->cpu_of[l] = -1;
	l = conf->housekeeping;
	conf->cpu_of[l] = conf->cpus_given ? ctx->map_cpu[l] : (int)l;
	for (p = 0; p < conf->n_paths; p++) {
		for (s = 0; s < conf->paths[p].n_stages; s++) {
			const struct conf_stage *st = &conf->paths[p].stages[s];
			unsigned int r;

			l = st->lcore;
			conf->cpu_of[l] = conf->cpus_given ? ctx->map_cpu[l] :
							     (int)l;
			/* A fleet's parked lcores are reserved all the same. */
			for (r = 0; r < st->n_lcores; r++) {
				l = st->lcores[r];
				conf->cpu_of[l] = conf->cpus_given ?
						  ctx->map_cpu[l] : (int)l;
			}
		}
	}
}

static int
conf_parse_root(struct conf_ctx *ctx, yaml_node_t *root)
{
	char show[CONF_SHOW_MAX * 4 + 32];
	yaml_node_t *pipeline, *ports, *paths, *stages;
	yaml_node_t *k_paths = NULL, *k_stages = NULL;
	yaml_node_pair_t *p;

	if (root->type != YAML_MAPPING_NODE)
		return conf_err(ctx, root, NULL,
				"top level is %s, expected a mapping with pipeline, ports and paths",
				conf_show(show, sizeof(show), root, false));
	if (conf_check_keys(ctx, root, NULL, conf_top_keys, NULL, "key") < 0)
		return -1;

	pipeline = conf_get(ctx, root, "pipeline", NULL);
	ports = conf_get(ctx, root, "ports", NULL);
	paths = conf_get(ctx, root, "paths", &k_paths);
	stages = conf_get(ctx, root, "stages", &k_stages);

	if (pipeline == NULL)
		return conf_err(ctx, root, NULL,
				"pipeline is missing, expected a mapping with at least a label");
	if (conf_parse_pipeline(ctx, pipeline) < 0)
		return -1;
	if (ports == NULL)
		return conf_err(ctx, root, NULL,
				"ports is missing, expected a mapping of port names to ports");
	if (conf_parse_ports(ctx, ports) < 0)
		return -1;
	if (paths != NULL && stages != NULL) {
		/* Point at whichever of the two comes second. */
		for (p = root->data.mapping.pairs.start;; p++)
			if (conf_node(ctx, p->key) == k_paths ||
			    conf_node(ctx, p->key) == k_stages)
				break;
		return conf_err(ctx,
				conf_node(ctx, p->key) == k_paths ? k_stages :
								    k_paths,
				NULL,
				"both paths and stages are given, expected either a paths sequence or a top-level stages sequence (one path named main)");
	}
	if (paths == NULL && stages == NULL)
		return conf_err(ctx, root, NULL,
				"paths is missing, expected a sequence of paths or a top-level stages sequence");
	if (paths != NULL) {
		if (conf_parse_paths(ctx, paths) < 0)
			return -1;
	} else {
		if (conf_want(ctx, stages, YAML_SEQUENCE_NODE, NULL, "stages",
			      "a sequence of stages") < 0)
			return -1;
		if (conf_parse_path(ctx, NULL, 1, stages) < 0)
			return -1;
	}
	if (conf_check_stages(ctx) < 0)
		return -1;
	conf_fill_cpu_of(ctx);
	return 0;
}

/* Reader errors carry a byte offset only: turn it into line and column. */
static struct conf_mark
conf_offset_mark(const char *text, size_t len, size_t off)
{
	struct conf_mark m = { .line = 1, .col = 1 };
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.col = 1;
		} else {
			m.col++;
		}
	}
	return m;
}

static int
conf_syntax_err(struct conf_ctx *ctx, const yaml_parser_t *parser,
		const char *text, size_t len)
{
	struct conf_mark m;

	if (parser->error == YAML_MEMORY_ERROR) {
		snprintf(ctx->err, ctx->errlen, "%s: out of memory while parsing",
			 ctx->file);
		return -1;
	}
	if (parser->error == YAML_READER_ERROR) {
		m = conf_offset_mark(text, len, parser->problem_offset);
	} else {
		m.line = (unsigned int)parser->problem_mark.line + 1;
		m.col = (unsigned int)parser->problem_mark.column + 1;
	}
	return conf_err_at(ctx, m, NULL, "YAML syntax error: %s",
			   parser->problem != NULL ? parser->problem :
						     "unknown problem");
}

int
conf_parse(struct conf *conf, const char *file, const char *text, size_t len,
	   char *err, size_t errlen)
{
	char no_err[1];
	struct conf_ctx ctx = {
		.conf = conf,
		.file = file,
		.err = err,
		.errlen = errlen,
	};
	struct conf_mark m = { .line = 1, .col = 1 };
	yaml_document_t extra;
	yaml_parser_t parser;
	yaml_node_t *root;
	unsigned int i;
	int ret = -1;

	if (err == NULL || errlen == 0) {
		ctx.err = no_err;
		ctx.errlen = sizeof(no_err);
	}
	if (conf != NULL)
		memset(conf, 0, sizeof(*conf));
	if (conf == NULL || file == NULL || (text == NULL && len > 0)) {
		snprintf(ctx.err, ctx.errlen, "conf_parse: invalid arguments");
		return -1;
	}
	if (strlen(file) >= sizeof(conf->file)) {
		snprintf(ctx.err, ctx.errlen,
			 "%s: file name is %zu chars long, expected at most %zu",
			 file, strlen(file), sizeof(conf->file) - 1);
		return -1;
	}
	strcpy(conf->file, file);
	conf->memory_mb = 512;
	conf->mbufs = 8191;
	conf->mbuf_size = 2176;
	conf->ring_size = 1024;
	for (i = 0; i < CONF_MAX_LCORES; i++) {
		conf->cpu_of[i] = -1;
		ctx.map_cpu[i] = -1;
	}
	conf_read_affinity(&ctx);

	if (!yaml_parser_initialize(&parser)) {
		snprintf(ctx.err, ctx.errlen, "%s: out of memory", file);
		return -1;
	}
	/* libyaml asserts on a NULL input, even an empty one. */
	yaml_parser_set_input_string(&parser,
				     (const unsigned char *)(text != NULL ? text : ""),
				     len);
	if (!yaml_parser_load(&parser, &ctx.doc)) {
		conf_syntax_err(&ctx, &parser, text, len);
		goto out_parser;
	}
	root = yaml_document_get_root_node(&ctx.doc);
	if (root == NULL || conf_is_null(root)) {
		conf_err_at(&ctx, m, NULL,
			    "empty configuration, expected a mapping with pipeline, ports and paths");
		goto out_doc;
	}
	if (conf_parse_root(&ctx, root) < 0)
		goto out_doc;

	/* A second "---" document would be silently ignored otherwise. */
	if (!yaml_parser_load(&parser, &extra)) {
		conf_syntax_err(&ctx, &parser, text, len);
		goto out_doc;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		m.line = (unsigned int)extra.start_mark.line + 1;
		m.col = (unsigned int)extra.start_mark.column + 1;
		conf_err_at(&ctx, m, NULL,
			    "a second YAML document starts here, expected exactly one document");
	} else {
		ret = 0;
	}
	yaml_document_delete(&extra);
out_doc:
	yaml_document_delete(&ctx.doc);
out_parser:
	yaml_parser_delete(&parser);
	if (ret != 0)
		conf_free(conf);
	return ret;
}

int
conf_load(struct conf *conf, const char *file, char *err, size_t errlen)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int ret = -1;

	/* conf_free() must be safe on whatever this leaves. */
	if (conf != NULL)
		memset(conf, 0, sizeof(*conf));
	if (file == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "conf_load: no file given");
		return -1;
	}
	f = fopen(file, "r");
	if (f == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot open: %s", file,
				 strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : 2 * cap;
			nbuf = realloc(buf, cap);
			if (nbuf == NULL) {
				if (err != NULL && errlen > 0)
					snprintf(err, errlen,
						 "%s: cannot read: %s", file,
						 strerror(ENOMEM));
				goto out;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		/* fread() leaves errno set by the failed read(). */
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot read: %s", file,
				 strerror(errno));
		goto out;
	}
	ret = conf_parse(conf, file, buf, len, err, errlen);
out:
	free(buf);
	fclose(f);
	return ret;
}

void
conf_free(struct conf *conf)
{
	unsigned int p, i;

	for (p = 0; p < CONF_MAX_PATHS; p++) {
		for (i = 0; i < CONF_MAX_STAGES; i++) {
			struct conf_stage *st = &conf->paths[p].stages[i];

			if (st->kconf == NULL)
				continue;
			if (st->ops->conf_free != NULL)
				st->ops->conf_free(st->kconf);
			free(st->kconf);
			st->kconf = NULL;
		}
	}
}

int
conf_check_kinds(const struct conf *conf, char *err, size_t errlen)
{
	unsigned int p, i;

	for (p = 0; p < conf->n_paths; p++)
		for (i = 0; i < conf->paths[p].n_stages; i++) {
			const struct conf_stage *st = &conf->paths[p].stages[i];

			if (st->ops->check != NULL &&
			    st->ops->check(st->kconf, err, errlen) != 0)
				return -1;
		}
	return 0;
}
