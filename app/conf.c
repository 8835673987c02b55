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
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "conf.h"

#define CONF_DIM(a)	(sizeof(a) / sizeof((a)[0]))
#define CONF_NAME_RULE	"chars of [A-Za-z0-9_-]"
#define CONF_SHOW_MAX	48	/**< longest user text echoed in a message */
#define CONF_CPU_MAX	65535	/**< largest CPU id accepted as an integer */

struct conf_ctx {
	struct conf *conf;
	const char *file;
	yaml_document_t doc;
	char *err;
	size_t errlen;
	cpu_set_t allowed;		/**< CPUs this process may run on */
	char allowed_str[256];		/**< the same, "0-3,8" for messages */
	int map_cpu[CONF_MAX_LCORES];	/**< pipeline.cpus, -1: not mapped */
};

static const char *const conf_kind_names[] = {
	[CONF_STAGE_INPUT] = "input",
	[CONF_STAGE_FWD] = "fwd",
	[CONF_STAGE_WORK] = "work",
	[CONF_STAGE_OUTPUT] = "output",
	[CONF_STAGE_FIREWALL] = "firewall",
};

#define CONF_KINDS_EXPECTED "input, fwd, work, firewall or output"

static const char *const conf_idle_names[] = {
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

static const char *const conf_path_keys[] = {
	"name", "stages", NULL,
};

/* Indexed by enum conf_stage_kind; the union is used until kind is known. */
static const char *const conf_stage_keys[][11] = {
	[CONF_STAGE_INPUT] = { "name", "kind", "lcore", "idle", "port",
			       "queue", NULL },
	[CONF_STAGE_FWD] = { "name", "kind", "lcore", "idle", "mac_swap",
			     "src_mac", "dst_mac", NULL },
	[CONF_STAGE_WORK] = { "name", "kind", "lcore", "idle", "ns", NULL },
	[CONF_STAGE_OUTPUT] = { "name", "kind", "lcore", "idle", "port",
				"queue", "retries", "pps", "mbps", "overhead",
				NULL },
	[CONF_STAGE_FIREWALL] = { "name", "kind", "lcore", "idle", "rules",
				  NULL },
};

static const char *const conf_stage_any_keys[] = {
	"name", "kind", "lcore", "idle", "port", "queue", "retries",
	"mac_swap", "src_mac", "dst_mac", "ns", "rules", "pps", "mbps",
	"overhead", NULL,
};

const char *
conf_stage_kind_name(enum conf_stage_kind kind)
{
	if ((unsigned int)kind >= CONF_DIM(conf_kind_names))
		return "unknown";
	return conf_kind_names[kind];
}

/* "an input stage", "a fwd stage" */
static const char *
conf_a(enum conf_stage_kind kind)
{
	return kind == CONF_STAGE_INPUT || kind == CONF_STAGE_OUTPUT ? "an" :
								       "a";
}

static struct conf_mark
conf_mark_of(const yaml_node_t *node)
{
	struct conf_mark m = {
		.line = (unsigned int)node->start_mark.line + 1,
		.col = (unsigned int)node->start_mark.column + 1,
	};

	return m;
}

/* Always returns -1 so that callers can "return conf_err(...)". */
static int __attribute__((format(printf, 4, 5)))
conf_err_at(struct conf_ctx *ctx, struct conf_mark m, const char *where,
	    const char *fmt, ...)
{
	char msg[CONF_ERR_MAX];
	va_list ap;

	if (ctx->err == NULL || ctx->errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ctx->err, ctx->errlen, "%s:%u:%u: %s%s%s", ctx->file, m.line,
		 m.col, where != NULL ? where : "", where != NULL ? ": " : "",
		 msg);
	return -1;
}

#define conf_err(ctx, node, where, ...) \
	conf_err_at(ctx, conf_mark_of(node), where, __VA_ARGS__)

static yaml_node_t *
conf_node(struct conf_ctx *ctx, int id)
{
	return yaml_document_get_node(&ctx->doc, id);
}

static const char *
conf_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static bool
conf_text_is(const yaml_node_t *node, const char *s)
{
	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.length == strlen(s) &&
	       memcmp(node->data.scalar.value, s, node->data.scalar.length) == 0;
}

static bool
conf_same_text(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value,
		      a->data.scalar.length) == 0;
}

/* "key:" with nothing after it, or an explicit YAML null. */
static bool
conf_is_null(const yaml_node_t *node)
{
	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return conf_text_is(node, "") || conf_text_is(node, "~") ||
	       conf_text_is(node, "null") || conf_text_is(node, "Null") ||
	       conf_text_is(node, "NULL");
}

/*
 * User text goes into a one-line message: escape what is not printable
 * (quoted scalars can hold newlines) and cut what is very long.
 */
static const char *
conf_quote(char *buf, size_t size, const yaml_node_t *node)
{
	const unsigned char *s = node->data.scalar.value;
	size_t len = node->data.scalar.length;
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < len && n + 8 < size; i++) {
		if (i == CONF_SHOW_MAX) {
			n += snprintf(buf + n, size - n, "...");
			break;
		}
		if (isprint(s[i]))
			n += snprintf(buf + n, size - n, "%c", s[i]);
		else
			n += snprintf(buf + n, size - n, "\\x%02x", s[i]);
	}
	return buf;
}

/* What a node is, for "X is <this>, expected Y". */
static const char *
conf_show(char *buf, size_t size, const yaml_node_t *node, bool plain_only)
{
	char q[CONF_SHOW_MAX * 4 + 8];

	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_SCALAR_NODE:
		break;
	default:
		return "nothing";
	}
	if (conf_is_null(node))
		return "empty";
	conf_quote(q, sizeof(q), node);
	if (plain_only && node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		snprintf(buf, size, "the quoted string '%s'", q);
	else
		snprintf(buf, size, "'%s'", q);
	return buf;
}

static const char *
conf_join(char *buf, size_t size, const char *const *list)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; list[i] != NULL && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i > 0 ? ", " : "",
			      list[i]);
	return buf;
}

static bool
conf_in_list(const char *const *list, const yaml_node_t *key)
{
	unsigned int i;

	for (i = 0; list[i] != NULL; i++)
		if (conf_text_is(key, list[i]))
			return true;
	return false;
}

/* First value under KEY in mapping MAP, NULL if absent. */
static yaml_node_t *
conf_get(struct conf_ctx *ctx, yaml_node_t *map, const char *key,
	 yaml_node_t **key_node)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		k = conf_node(ctx, p->key);
		if (conf_text_is(k, key)) {
			if (key_node != NULL)
				*key_node = k;
			return conf_node(ctx, p->value);
		}
	}
	return NULL;
}

static unsigned int
conf_map_size(const yaml_node_t *map)
{
	return map->data.mapping.pairs.top - map->data.mapping.pairs.start;
}

static unsigned int
conf_seq_size(const yaml_node_t *seq)
{
	return seq->data.sequence.items.top - seq->data.sequence.items.start;
}

/*
 * Keys of MAP: all strings, none twice, and each in VALID (NULL: any
 * name). For a stage, KIND names its kind and keys that only another
 * kind takes get their own message.
 */
static int
conf_check_keys(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		const char *const *valid, const enum conf_stage_kind *kind,
		const char *noun)
{
	char show[CONF_SHOW_MAX * 4 + 32];
	char q[CONF_SHOW_MAX * 4 + 8];
	char list[256];
	yaml_node_pair_t *p, *prev;
	yaml_node_t *k, *pk;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		k = conf_node(ctx, p->key);
		if (k->type != YAML_SCALAR_NODE)
			return conf_err(ctx, k, where,
					"a key is %s, expected a string key",
					conf_show(show, sizeof(show), k, false));
		for (prev = map->data.mapping.pairs.start; prev < p; prev++) {
			pk = conf_node(ctx, prev->key);
			if (!conf_same_text(k, pk))
				continue;
			return conf_err(ctx, k, where,
					"duplicate %s '%s' (first at %u:%u), expected each %s once",
					noun, conf_quote(q, sizeof(q), k),
					conf_mark_of(pk).line,
					conf_mark_of(pk).col, noun);
		}
		if (valid == NULL || conf_in_list(valid, k))
			continue;
		conf_join(list, sizeof(list), valid);
		if (kind != NULL && conf_in_list(conf_stage_any_keys, k))
			return conf_err(ctx, k, where,
					"key '%s' is not valid for %s %s stage, expected one of: %s",
					conf_text(k), conf_a(*kind),
					conf_kind_names[*kind], list);
		return conf_err(ctx, k, where,
				"unknown key '%s', expected one of: %s",
				conf_quote(q, sizeof(q), k), list);
	}
	return 0;
}

static int
conf_want(struct conf_ctx *ctx, yaml_node_t *node, yaml_node_type_t type,
	  const char *where, const char *what, const char *expected)
{
	char show[CONF_SHOW_MAX * 4 + 32];

	if (node->type == type)
		return 0;
	return conf_err(ctx, node, where, "%s is %s, expected %s", what,
			conf_show(show, sizeof(show), node, false), expected);
}

/* Optional sign and decimal digits only: YAML's hex/octal/"1_000" are not. */
static bool
conf_is_decimal(const yaml_node_t *node)
{
	const char *s = conf_text(node);
	size_t len = node->data.scalar.length;
	size_t i = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		i++;
	if (i == len)
		return false;
	for (; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* NOTE, if not NULL, follows the range: "(port 'wan' has 1 RX queue)". */
static int
conf_int(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	 const char *what, long long min, long long max, const char *note,
	 long long *out)
{
	char show[CONF_SHOW_MAX * 4 + 32];
	const char *shown;
	long long v;

	if (node->type == YAML_SCALAR_NODE &&
	    node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    conf_is_decimal(node)) {
		errno = 0;
		v = strtoll(conf_text(node), NULL, 10);
		if (errno == 0 && v >= min && v <= max) {
			*out = v;
			return 0;
		}
		shown = conf_quote(show, sizeof(show), node);
	} else {
		shown = conf_show(show, sizeof(show), node, true);
	}
	return conf_err(ctx, node, where,
			"%s is %s, expected an integer %lld..%lld%s%s", what,
			shown, min, max, note != NULL ? " " : "",
			note != NULL ? note : "");
}

static int
conf_bool(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	  const char *what, bool *out)
{
	char show[CONF_SHOW_MAX * 4 + 32];

	if (node->type == YAML_SCALAR_NODE &&
	    node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (conf_text_is(node, "true") || conf_text_is(node, "True") ||
		    conf_text_is(node, "TRUE")) {
			*out = true;
			return 0;
		}
		if (conf_text_is(node, "false") ||
		    conf_text_is(node, "False") ||
		    conf_text_is(node, "FALSE")) {
			*out = false;
			return 0;
		}
	}
	return conf_err(ctx, node, where, "%s is %s, expected true or false",
			what, conf_show(show, sizeof(show), node, true));
}

/* One of NAMES (N of them); EXPECTED lists them for the message. */
static int
conf_enum(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	  const char *what, const char *const *names, unsigned int n,
	  const char *expected, unsigned int *out)
{
	char show[CONF_SHOW_MAX * 4 + 32];
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (conf_text_is(node, names[i])) {
			*out = i;
			return 0;
		}
	}
	return conf_err(ctx, node, where, "%s is %s, expected %s", what,
			conf_show(show, sizeof(show), node, false), expected);
}

/* Names end up in ring, memzone and telemetry names: keep them plain. */
static int
conf_name(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	  const char *what, size_t size, char *out)
{
	char show[CONF_SHOW_MAX * 4 + 32];
	const char *s;
	size_t i, len;

	if (node->type != YAML_SCALAR_NODE || conf_is_null(node))
		goto bad;
	s = conf_text(node);
	len = node->data.scalar.length;
	if (len == 0 || len >= size)
		goto bad;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			goto bad;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
bad:
	return conf_err(ctx, node, where, "%s is %s, expected 1..%zu " CONF_NAME_RULE,
			what, conf_show(show, sizeof(show), node, false),
			size - 1);
}

static int
conf_string(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	    const char *what, size_t size, const char *expected, char *out)
{
	char show[CONF_SHOW_MAX * 4 + 32];
	size_t len;

	if (node->type != YAML_SCALAR_NODE || conf_is_null(node) ||
	    node->data.scalar.length == 0)
		return conf_err(ctx, node, where, "%s is %s, expected %s", what,
				conf_show(show, sizeof(show), node, false),
				expected);
	len = node->data.scalar.length;
	if (memchr(conf_text(node), '\0', len) != NULL)
		return conf_err(ctx, node, where,
				"%s contains a NUL byte, expected %s", what,
				expected);
	if (len >= size)
		return conf_err(ctx, node, where,
				"%s is %zu chars long, expected at most %zu",
				what, len, size - 1);
	memcpy(out, conf_text(node), len + 1);
	return 0;
}

static int
conf_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
conf_mac(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	 const char *what, uint8_t mac[6])
{
	char show[CONF_SHOW_MAX * 4 + 32];
	const char *s;
	int hi, lo;
	unsigned int i;

	if (node->type != YAML_SCALAR_NODE || node->data.scalar.length != 17)
		goto bad;
	s = conf_text(node);
	for (i = 0; i < 6; i++) {
		hi = conf_hex(s[3 * i]);
		lo = conf_hex(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
bad:
	return conf_err(ctx, node, where,
			"%s is %s, expected a MAC address xx:xx:xx:xx:xx:xx",
			what, conf_show(show, sizeof(show), node, false));
}

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
static int
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

static const char *
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

/* Stage keys of an input or output stage: port, queue, retries. */
static int
conf_parse_stage_io(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		    struct conf_stage *st)
{
	const struct conf *conf = ctx->conf;
	const struct conf_port *port;
	char show[CONF_SHOW_MAX * 4 + 32];
	char list[CONF_MAX_PORTS * (CONF_NAME_MAX + 2)];
	char note[CONF_NAME_MAX + 48];
	bool in = st->kind == CONF_STAGE_INPUT;
	unsigned int nq;
	yaml_node_t *v;
	long long n;
	unsigned int i;

	v = conf_get(ctx, map, "port", NULL);
	if (v == NULL)
		return conf_err(ctx, map, where,
				"port is missing, expected one of: %s",
				conf_port_list(conf, list, sizeof(list)));
	for (i = 0; i < conf->n_ports; i++)
		if (conf_text_is(v, conf->ports[i].name))
			break;
	if (i == conf->n_ports) {
		if (v->type == YAML_SCALAR_NODE && !conf_is_null(v))
			return conf_err(ctx, v, where,
					"unknown port %s, expected one of: %s",
					conf_show(show, sizeof(show), v, false),
					conf_port_list(conf, list, sizeof(list)));
		return conf_err(ctx, v, where, "port is %s, expected one of: %s",
				conf_show(show, sizeof(show), v, false),
				conf_port_list(conf, list, sizeof(list)));
	}
	st->port = (int)i;
	port = &conf->ports[i];

	v = conf_get(ctx, map, "queue", NULL);
	if (v != NULL) {
		nq = in ? port->rxq : port->txq;
		snprintf(note, sizeof(note), "(port '%s' has %u %s queue%s)",
			 port->name, nq, in ? "RX" : "TX", nq == 1 ? "" : "s");
		if (conf_int(ctx, v, where, "queue", 0, nq - 1, note, &n) < 0)
			return -1;
		st->queue = (uint16_t)n;
	}
	if (in)
		return 0;
	st->tx_retries = 8;
	v = conf_get(ctx, map, "retries", NULL);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "retries", 0, 1000, NULL, &n) < 0)
			return -1;
		st->tx_retries = (uint32_t)n;
	}
	/* Pacing: departures on an absolute TSC schedule (stage_tx_paced()). */
	v = conf_get(ctx, map, "pps", NULL);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "pps", 1, 1000000000, NULL, &n) < 0)
			return -1;
		st->pace_pps = (uint32_t)n;
	}
	v = conf_get(ctx, map, "mbps", NULL);
	if (v != NULL) {
		if (st->pace_pps != 0)
			return conf_err(ctx, v, where,
					"mbps is given with pps, expected one of them");
		if (conf_int(ctx, v, where, "mbps", 1, 1000000, NULL, &n) < 0)
			return -1;
		st->pace_mbps = (uint32_t)n;
	}
	v = conf_get(ctx, map, "overhead", NULL);
	if (v != NULL) {
		if (st->pace_mbps == 0)
			return conf_err(ctx, v, where,
					"overhead is given without mbps, expected it only with mbps");
		if (conf_int(ctx, v, where, "overhead", 0, 1000, NULL, &n) < 0)
			return -1;
		st->pace_overhead = (uint32_t)n;
	}
	return 0;
}

static int
conf_parse_stage_fwd(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		     struct conf_stage *st)
{
	yaml_node_t *v;

	v = conf_get(ctx, map, "mac_swap", NULL);
	if (v != NULL && conf_bool(ctx, v, where, "mac_swap", &st->mac_swap) < 0)
		return -1;
	v = conf_get(ctx, map, "src_mac", NULL);
	if (v != NULL) {
		if (conf_mac(ctx, v, where, "src_mac", st->src_mac) < 0)
			return -1;
		st->set_src = true;
	}
	v = conf_get(ctx, map, "dst_mac", NULL);
	if (v != NULL) {
		if (conf_mac(ctx, v, where, "dst_mac", st->dst_mac) < 0)
			return -1;
		st->set_dst = true;
	}
	/* A rewrite after a swap (or the reverse) would silently undo it. */
	if (st->mac_swap && (st->set_src || st->set_dst))
		return conf_err(ctx, map, where,
				"mac_swap is true together with %s, expected either mac_swap or src_mac/dst_mac",
				st->set_src ? "src_mac" : "dst_mac");
	return 0;
}

/* INDEX is 1-based within PATH, for messages before the name is known. */
static int
conf_parse_stage(struct conf_ctx *ctx, yaml_node_t *map,
		 const struct conf_path *path, unsigned int index,
		 struct conf_stage *st)
{
	const struct conf *conf = ctx->conf;
	const struct conf_stage *o;
	char where[2 * CONF_NAME_MAX + 32];
	char what[32];
	yaml_node_t *name, *kind, *v;
	unsigned int i, j, e = 0;
	long long n;

	snprintf(where, sizeof(where), "path '%s'", path->name);
	snprintf(what, sizeof(what), "stage %u", index);
	if (conf_want(ctx, map, YAML_MAPPING_NODE, where, what,
		      "a mapping with name, kind, lcore and the kind's keys") < 0)
		return -1;
	st->mark = conf_mark_of(map);
	st->port = -1;
	st->idle = CONF_IDLE_SPIN;

	/*
	 * Name and kind first, whatever their order: the name makes the
	 * messages below readable and the kind decides which keys are valid.
	 * Their absence is reported after the key check, so that a misspelt
	 * "nmae" is called unknown rather than "name" missing.
	 */
	name = conf_get(ctx, map, "name", NULL);
	snprintf(where, sizeof(where), "path '%s' stage %u", path->name, index);
	if (name != NULL) {
		if (conf_name(ctx, name, where, "name", CONF_NAME_MAX,
			      st->name) < 0)
			return -1;
		snprintf(where, sizeof(where), "stage '%s'", st->name);
	}
	kind = conf_get(ctx, map, "kind", NULL);
	if (kind != NULL) {
		if (conf_enum(ctx, kind, where, "kind", conf_kind_names, 5,
			      CONF_KINDS_EXPECTED, &e) < 0)
			return -1;
		st->kind = (enum conf_stage_kind)e;
	}
	if (conf_check_keys(ctx, map, where,
			    kind != NULL ? conf_stage_keys[st->kind] :
					   conf_stage_any_keys,
			    kind != NULL ? &st->kind : NULL,
			    "key") < 0)
		return -1;
	if (name == NULL)
		return conf_err(ctx, map, where,
				"name is missing, expected 1..%d " CONF_NAME_RULE,
				CONF_NAME_MAX - 1);
	if (kind == NULL)
		return conf_err(ctx, map, where,
				"kind is missing, expected " CONF_KINDS_EXPECTED);

	/* Ring and telemetry names derive from stage names. */
	for (i = 0; i <= conf->n_paths; i++) {
		const struct conf_path *pp = &conf->paths[i];
		unsigned int ns = pp == path ? index - 1 : pp->n_stages;

		for (j = 0; j < ns; j++) {
			o = &pp->stages[j];
			if (strcmp(o->name, st->name) == 0)
				return conf_err(ctx, name, NULL,
						"stage name '%s' is already used by the stage at %u:%u, expected stage names unique across all paths",
						st->name, o->mark.line,
						o->mark.col);
		}
	}

	v = conf_get(ctx, map, "lcore", NULL);
	if (v == NULL)
		return conf_err(ctx, map, where,
				"lcore is missing, expected an integer 0..%d",
				CONF_MAX_LCORES - 1);
	if (conf_int(ctx, v, where, "lcore", 0, CONF_MAX_LCORES - 1, NULL,
		     &n) < 0)
		return -1;
	st->lcore = (unsigned int)n;
	if (st->lcore == conf->housekeeping)
		return conf_err(ctx, v, where,
				"lcore is %u, expected another lcore: dedicated lcores must differ from the housekeeping lcore %u",
				st->lcore, conf->housekeeping);
	if (conf_check_lcore_cpu(ctx, v, where, "lcore", st->lcore) < 0)
		return -1;

	v = conf_get(ctx, map, "idle", NULL);
	if (v != NULL) {
		if (conf_enum(ctx, v, where, "idle", conf_idle_names, 2,
			      "spin or yield", &e) < 0)
			return -1;
		st->idle = (enum conf_idle)e;
	}

	switch (st->kind) {
	case CONF_STAGE_INPUT:
	case CONF_STAGE_OUTPUT:
		return conf_parse_stage_io(ctx, map, where, st);
	case CONF_STAGE_FWD:
		return conf_parse_stage_fwd(ctx, map, where, st);
	case CONF_STAGE_WORK:
		v = conf_get(ctx, map, "ns", NULL);
		if (v == NULL)
			return conf_err(ctx, map, where,
					"ns is missing, expected an integer 1..1000000");
		if (conf_int(ctx, v, where, "ns", 1, 1000000, NULL, &n) < 0)
			return -1;
		st->work_ns = (uint32_t)n;
		return 0;
	case CONF_STAGE_FIREWALL:
		/* The file itself is checked by the firewall's own parser
		 * before EAL starts (ffwd --check runs it too). */
		v = conf_get(ctx, map, "rules", NULL);
		if (v == NULL)
			return conf_err(ctx, map, where,
					"rules is missing, expected the path of a rules file");
		return conf_string(ctx, v, where, "rules", CONF_PATH_MAX,
				   "the path of a rules file", st->rules);
	}
	return 0;
}

/* Shape of a path: input first, output last, each lcore one run. */
static int
conf_check_path(struct conf_ctx *ctx, const struct conf_path *path)
{
	const struct conf_stage *st, *prev;
	unsigned int i, j, last = path->n_stages - 1;
	char where[CONF_NAME_MAX + 16];

	snprintf(where, sizeof(where), "path '%s'", path->name);
	for (i = 0; i < path->n_stages; i++) {
		st = &path->stages[i];
		if (i == 0 && st->kind != CONF_STAGE_INPUT)
			return conf_err_at(ctx, st->mark, where,
					   "first stage '%s' is %s %s stage, expected an input stage",
					   st->name, conf_a(st->kind),
					   conf_kind_names[st->kind]);
		if (i == last && st->kind != CONF_STAGE_OUTPUT)
			return conf_err_at(ctx, st->mark, where,
					   "last stage '%s' is %s %s stage, expected an output stage",
					   st->name, conf_a(st->kind),
					   conf_kind_names[st->kind]);
		if (i > 0 && i < last && st->kind == CONF_STAGE_INPUT)
			return conf_err_at(ctx, st->mark, where,
					   "stage '%s' is an input stage in the middle of the path, expected input only as the first stage",
					   st->name);
		if (i > 0 && i < last && st->kind == CONF_STAGE_OUTPUT)
			return conf_err_at(ctx, st->mark, where,
					   "stage '%s' is an output stage in the middle of the path, expected output only as the last stage",
					   st->name);
	}
	/*
	 * An lcore runs its stages of a path back to back; leaving and coming
	 * back would need a second ring hop into the same lcore.
	 */
	for (i = 1; i < path->n_stages; i++) {
		st = &path->stages[i];
		if (st->lcore == path->stages[i - 1].lcore)
			continue;
		for (j = i - 1; j-- > 0;) {
			prev = &path->stages[j];
			if (prev->lcore != st->lcore)
				continue;
			return conf_err_at(ctx, st->mark, where,
					   "stage '%s' returns to lcore %u after leaving it at stage '%s', expected the stages of one lcore to be consecutive",
					   st->name, st->lcore, prev->name);
		}
	}
	return 0;
}

/* INDEX is 1-based; STAGES_MAIN is set for the top-level "stages:" form. */
static int
conf_parse_path(struct conf_ctx *ctx, yaml_node_t *node, unsigned int index,
		yaml_node_t *stages_main)
{
	struct conf *conf = ctx->conf;
	struct conf_path *path = &conf->paths[conf->n_paths];
	char where[CONF_NAME_MAX + 16];
	yaml_node_t *name = NULL, *stages = stages_main;
	yaml_node_item_t *it;
	unsigned int i, n;

	snprintf(where, sizeof(where), "path %u", index);
	if (stages_main != NULL) {
		strcpy(path->name, "main");
		path->mark = conf_mark_of(stages_main);
	} else {
		if (conf_want(ctx, node, YAML_MAPPING_NODE, "paths", where,
			      "a mapping with name and stages") < 0)
			return -1;
		path->mark = conf_mark_of(node);
		name = conf_get(ctx, node, "name", NULL);
		if (name != NULL &&
		    conf_name(ctx, name, where, "name", CONF_NAME_MAX,
			      path->name) < 0)
			return -1;
		if (name != NULL)
			snprintf(where, sizeof(where), "path '%s'", path->name);
		if (conf_check_keys(ctx, node, where, conf_path_keys, NULL,
				    "key") < 0)
			return -1;
		if (name == NULL)
			return conf_err(ctx, node, where,
					"name is missing, expected 1..%d " CONF_NAME_RULE,
					CONF_NAME_MAX - 1);
		for (i = 0; i < conf->n_paths; i++)
			if (strcmp(conf->paths[i].name, path->name) == 0)
				return conf_err(ctx, name, NULL,
						"path name '%s' is already used by the path at %u:%u, expected unique path names",
						path->name,
						conf->paths[i].mark.line,
						conf->paths[i].mark.col);
		stages = conf_get(ctx, node, "stages", NULL);
		if (stages == NULL)
			return conf_err(ctx, node, where,
					"stages is missing, expected a sequence of at least 2 stages");
		if (conf_want(ctx, stages, YAML_SEQUENCE_NODE, where, "stages",
			      "a sequence of at least 2 stages") < 0)
			return -1;
	}
	snprintf(where, sizeof(where), "path '%s'", path->name);

	n = conf_seq_size(stages);
	if (n < 2)
		return conf_err(ctx, stages, NULL,
				"path '%s' has %u stage%s, expected at least 2 (an input first, an output last)",
				path->name, n, n == 1 ? "" : "s");
	if (n > CONF_MAX_STAGES)
		return conf_err(ctx, stages, NULL,
				"path '%s' has %u stages, expected at most %d",
				path->name, n, CONF_MAX_STAGES);
	for (it = stages->data.sequence.items.start, i = 0;
	     it < stages->data.sequence.items.top; it++, i++) {
		if (conf_parse_stage(ctx, conf_node(ctx, *it), path, i + 1,
				     &path->stages[i]) < 0)
			return -1;
		path->n_stages = i + 1;
	}
	if (conf_check_path(ctx, path) < 0)
		return -1;
	conf->n_paths++;
	return 0;
}

static int
conf_parse_paths(struct conf_ctx *ctx, yaml_node_t *seq)
{
	yaml_node_item_t *it;
	unsigned int i;

	if (conf_want(ctx, seq, YAML_SEQUENCE_NODE, NULL, "paths",
		      "a sequence of paths") < 0)
		return -1;
	if (conf_seq_size(seq) == 0)
		return conf_err(ctx, seq, NULL,
				"paths is an empty sequence, expected at least one path");
	for (it = seq->data.sequence.items.start, i = 0;
	     it < seq->data.sequence.items.top; it++, i++) {
		if (i == CONF_MAX_PATHS)
			return conf_err(ctx, conf_node(ctx, *it), "paths",
					"path %u is one too many, expected at most %d paths",
					i + 1, CONF_MAX_PATHS);
		if (conf_parse_path(ctx, conf_node(ctx, *it), i + 1, NULL) < 0)
			return -1;
	}
	return 0;
}

/* Constraints between stages of all paths: lcores and port queues. */
static int
conf_check_stages(struct conf_ctx *ctx)
{
	const struct conf *conf = ctx->conf;
	const struct conf_stage *st, *o;
	const struct conf_port *port;
	char where[CONF_NAME_MAX + 16];
	unsigned int p, s, q, t;

	for (p = 0; p < conf->n_paths; p++) {
		for (s = 0; s < conf->paths[p].n_stages; s++) {
			st = &conf->paths[p].stages[s];
			snprintf(where, sizeof(where), "stage '%s'", st->name);
			/* Earlier stages only: each conflict is reported once. */
			for (q = 0; q <= p; q++) {
				unsigned int n = q == p ? s :
						 conf->paths[q].n_stages;

				for (t = 0; t < n; t++) {
					o = &conf->paths[q].stages[t];
					/*
					 * One lcore loop runs all its stages;
					 * it either spins or yields.
					 */
					if (o->lcore == st->lcore &&
					    o->idle != st->idle)
						return conf_err_at(ctx, st->mark, where,
								   "idle is %s on lcore %u, but stage '%s' on the same lcore is %s, expected one idle mode per lcore",
								   conf_idle_names[st->idle],
								   st->lcore, o->name,
								   conf_idle_names[o->idle]);
					if (st->port < 0 ||
					    o->kind != st->kind ||
					    o->port != st->port ||
					    o->queue != st->queue)
						continue;
					port = &conf->ports[st->port];
					/* RX queues are single-consumer. */
					if (st->kind == CONF_STAGE_INPUT)
						return conf_err_at(ctx, st->mark, where,
								   "port '%s' RX queue %u is already read by stage '%s', expected one input stage per RX queue",
								   port->name, st->queue,
								   o->name);
					/*
					 * TX queues are single-producer; the
					 * same lcore serialises its writes.
					 */
					if (st->kind == CONF_STAGE_OUTPUT &&
					    o->lcore != st->lcore)
						return conf_err_at(ctx, st->mark, where,
								   "port '%s' TX queue %u is already written by stage '%s' on lcore %u, expected one writer lcore per TX queue (another queue, or lcore %u)",
								   port->name, st->queue,
								   o->name, o->lcore,
								   o->lcore);
				}
			}
		}
	}
	return 0;
}

/*
 * cpu_of[] lists only the lcores the pipeline uses, so that EAL starts no
 * idle lcore for a pipeline.cpus entry nothing runs on.
 */
static void
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
			l = conf->paths[p].stages[s].lcore;
			conf->cpu_of[l] = conf->cpus_given ? ctx->map_cpu[l] :
							     (int)l;
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
	if (conf == NULL || file == NULL || (text == NULL && len > 0)) {
		snprintf(ctx.err, ctx.errlen, "conf_parse: invalid arguments");
		return -1;
	}
	memset(conf, 0, sizeof(*conf));
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
	return ret;
}

int
conf_load(struct conf *conf, const char *file, char *err, size_t errlen)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int ret = -1;

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
