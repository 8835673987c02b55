/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf: paths and stages. The keys every stage has (name, kind, lcore,
 * idle, and port/queue for kinds that take a port) are parsed here; the
 * kind's own keys are handed to its ops->parse through struct stage_args,
 * implemented below over the stage's YAML mapping, so that a kind's
 * messages carry file:line:col like every other.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity(), CPU_ISSET() */
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_pvt.h"

static const char *const conf_path_keys[] = {
	"name", "stages", "bypass", "stall_ms", NULL,
};

const char *const conf_bypass_names[3] = { "off", "fail-open", "fail-closed" };

/* Keys of every stage, then those of kinds that take a port. */
static const char *const conf_stage_common_keys[] = {
	"name", "kind", "lcore", "idle", NULL,
};
/* App kinds only: a fleet. */
static const char *const conf_stage_fleet_keys[] = { "replicas", "lcores", NULL };
static const char *const conf_stage_port_keys[] = { "port", "queue", NULL };

#define CONF_STAGE_KEYS_MAX 32

bool
conf_stage_key_known(const yaml_node_t *key)
{
	const struct stage_ops *o = NULL;

	if (conf_in_list(conf_stage_common_keys, key) ||
	    conf_in_list(conf_stage_port_keys, key) ||
	    conf_in_list(conf_stage_fleet_keys, key))
		return true;
	while ((o = stage_kind_next(o)) != NULL)
		if (conf_in_list(o->keys, key))
			return true;
	return false;
}

/* "input, fwd, work or output": every registered kind. */
static const char *
conf_kinds_expected(char *buf, size_t size)
{
	const struct stage_ops *o = NULL, *next;
	size_t n = 0;

	buf[0] = '\0';
	for (o = stage_kind_next(NULL); o != NULL && n < size; o = next) {
		next = stage_kind_next(o);
		n += snprintf(buf + n, size - n, "%s%s",
			      n == 0 ? "" : next == NULL ? " or " : ", ", o->name);
	}
	return buf;
}

/* The keys a stage of kind OPS may have, NULL-terminated, into KEYS. */
static int
conf_stage_keys(const struct stage_ops *ops, const char **keys)
{
	unsigned int n = 0, i;

	for (i = 0; conf_stage_common_keys[i] != NULL; i++)
		keys[n++] = conf_stage_common_keys[i];
	if (ops->flags & STAGE_F_PORT)
		for (i = 0; conf_stage_port_keys[i] != NULL; i++)
			keys[n++] = conf_stage_port_keys[i];
	if (ops->role == STAGE_ROLE_APP)
		for (i = 0; conf_stage_fleet_keys[i] != NULL; i++)
			keys[n++] = conf_stage_fleet_keys[i];
	for (i = 0; ops->keys != NULL && ops->keys[i] != NULL; i++) {
		if (n == CONF_STAGE_KEYS_MAX - 1)
			return -1;
		keys[n++] = ops->keys[i];
	}
	keys[n] = NULL;
	return 0;
}

/* ---- struct stage_args over a stage's mapping ---- */

struct conf_args {
	struct stage_args pub;		/**< first: the kind sees only this */
	struct conf_ctx *ctx;
	yaml_node_t *map;
	const char *where;
};

static struct conf_args *
conf_args_of(struct stage_args *a)
{
	return (struct conf_args *)a;
}

static yaml_node_t *
conf_args_get(struct stage_args *a, const char *key)
{
	struct conf_args *ca = conf_args_of(a);

	return conf_get(ca->ctx, ca->map, key, NULL);
}

static int
conf_args_u64(struct stage_args *a, const char *key, uint64_t min, uint64_t max,
	      uint64_t *v)
{
	struct conf_args *ca = conf_args_of(a);
	yaml_node_t *n = conf_args_get(a, key);
	long long x;

	if (n == NULL)
		return 0;
	if (conf_int(ca->ctx, n, ca->where, key, (long long)min, (long long)max,
		     NULL, &x) < 0)
		return -1;
	*v = (uint64_t)x;
	return 1;
}

static int
conf_args_bool(struct stage_args *a, const char *key, bool *v)
{
	struct conf_args *ca = conf_args_of(a);
	yaml_node_t *n = conf_args_get(a, key);

	if (n == NULL)
		return 0;
	return conf_bool(ca->ctx, n, ca->where, key, v) < 0 ? -1 : 1;
}

static int
conf_args_str(struct stage_args *a, const char *key, char *buf, size_t size,
	      const char *what)
{
	struct conf_args *ca = conf_args_of(a);
	yaml_node_t *n = conf_args_get(a, key);

	if (n == NULL)
		return 0;
	return conf_string(ca->ctx, n, ca->where, key, size, what, buf) < 0 ? -1 : 1;
}

static int
conf_args_mac(struct stage_args *a, const char *key, uint8_t mac[6])
{
	struct conf_args *ca = conf_args_of(a);
	yaml_node_t *n = conf_args_get(a, key);

	if (n == NULL)
		return 0;
	return conf_mac(ca->ctx, n, ca->where, key, mac) < 0 ? -1 : 1;
}

static int
conf_args_choice(struct stage_args *a, const char *key,
		 const char *const *names, unsigned int n, unsigned int *v)
{
	struct conf_args *ca = conf_args_of(a);
	yaml_node_t *node = conf_args_get(a, key);
	char expected[256];
	size_t len = 0;
	unsigned int i;

	if (node == NULL)
		return 0;
	expected[0] = '\0';
	for (i = 0; i < n && len < sizeof(expected); i++)
		len += snprintf(expected + len, sizeof(expected) - len, "%s%s",
				i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	return conf_enum(ca->ctx, node, ca->where, key, names, n, expected, v) < 0 ?
		-1 : 1;
}

static int
conf_args_str_at(struct stage_args *a, const char *key, unsigned int idx,
		 char *buf, size_t size, const char *what)
{
	struct conf_args *ca = conf_args_of(a);
	yaml_node_t *n = conf_args_get(a, key);
	char item[64];

	if (n == NULL)
		return 0;
	if (n->type == YAML_SCALAR_NODE) {
		if (idx != 0)
			return 0;
		return conf_string(ca->ctx, n, ca->where, key, size, what, buf) < 0 ?
			-1 : 1;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return conf_want(ca->ctx, n, YAML_SEQUENCE_NODE, ca->where, key, what);
	if (idx >= conf_seq_size(n))
		return 0;
	snprintf(item, sizeof(item), "%s[%u]", key, idx);
	return conf_string(ca->ctx, conf_node(ca->ctx, n->data.sequence.items.start[idx]),
			   ca->where, item, size, what, buf) < 0 ? -1 : 1;
}

static int __attribute__((format(printf, 3, 4)))
conf_args_error(struct stage_args *a, const char *key, const char *fmt, ...)
{
	struct conf_args *ca = conf_args_of(a);
	yaml_node_t *n = key != NULL ? conf_args_get(a, key) : NULL;
	char msg[CONF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return conf_err(ca->ctx, n != NULL ? n : ca->map, ca->where, "%s", msg);
}

static const struct stage_args_ops conf_args_ops = {
	.u64 = conf_args_u64,
	.boolean = conf_args_bool,
	.str = conf_args_str,
	.mac = conf_args_mac,
	.choice = conf_args_choice,
	.str_at = conf_args_str_at,
	.error = conf_args_error,
};

/* ---- stages ---- */

/* Port and queue of a kind that takes a port: RX queues for an input
 * kind, TX queues for an output kind. */
static int
conf_parse_stage_port(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		      struct conf_stage *st)
{
	const struct conf *conf = ctx->conf;
	const struct conf_port *port;
	char show[CONF_SHOW_MAX * 4 + 32];
	char list[CONF_MAX_PORTS * (CONF_NAME_MAX + 2)];
	char note[CONF_NAME_MAX + 48];
	bool in = st->ops->role == STAGE_ROLE_INPUT;
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
	return 0;
}

/* INDEX is 1-based within PATH, for messages before the name is known. */
static int
conf_parse_stage(struct conf_ctx *ctx, yaml_node_t *map,
		 const struct conf_path *path, unsigned int index,
		 struct conf_stage *st, const char *fixed_name, int fixed_lcore)
{
	const struct conf *conf = ctx->conf;
	const struct conf_stage *o;
	const char *keys[CONF_STAGE_KEYS_MAX];
	char where[2 * CONF_NAME_MAX + 32];
	char what[32], kinds[256], kname[CONF_NAME_MAX];
	char show[CONF_SHOW_MAX * 4 + 32];
	yaml_node_t *name, *kind, *v;
	unsigned int i, j, e = 0;
	struct conf_args args;
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
	if (fixed_name != NULL) {
		/* `ffwd attach`: the command line names the stage. */
		if (name != NULL)
			return conf_err(ctx, name, "attach",
					"name is given on the command line, expected only kind and the kind's keys");
		snprintf(st->name, sizeof(st->name), "%s", fixed_name);
		snprintf(where, sizeof(where), "stage '%s'", st->name);
	} else if (name != NULL) {
		if (conf_name(ctx, name, where, "name", CONF_NAME_MAX,
			      st->name) < 0)
			return -1;
		snprintf(where, sizeof(where), "stage '%s'", st->name);
	}
	kind = conf_get(ctx, map, "kind", NULL);
	conf_kinds_expected(kinds, sizeof(kinds));
	if (kind != NULL) {
		if (kind->type == YAML_SCALAR_NODE &&
		    kind->data.scalar.length < sizeof(kname)) {
			memcpy(kname, conf_text(kind), kind->data.scalar.length);
			kname[kind->data.scalar.length] = '\0';
			st->ops = stage_kind_find(kname);
		}
		if (st->ops == NULL)
			return conf_err(ctx, kind, where, "kind is %s, expected %s",
					conf_show(show, sizeof(show), kind, false),
					kinds);
		if (conf_stage_keys(st->ops, keys) < 0)
			return conf_err(ctx, kind, where,
					"kind %s declares too many keys", st->ops->name);
	}
	/* Said plainly, before the generic "not valid for" message. */
	if (st->ops != NULL && st->ops->role != STAGE_ROLE_APP &&
	    conf_fleet_parse(ctx, map, where, st, NULL) < 0)
		return -1;
	if (conf_check_keys(ctx, map, where,
			    st->ops != NULL ? keys : NULL, st->ops, "key") < 0)
		return -1;
	if (name == NULL && fixed_name == NULL)
		return conf_err(ctx, map, where,
				"name is missing, expected 1..%d " CONF_NAME_RULE,
				CONF_NAME_MAX - 1);
	if (kind == NULL)
		return conf_err(ctx, map, where, "kind is missing, expected %s",
				kinds);

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
	if (fixed_lcore >= 0 || (st->ops->flags & STAGE_F_EXTERNAL)) {
		/* An external place runs on no lcore of this process: it
		 * is marked with the housekeeping lcore, which runs no
		 * stage but watches this one. `ffwd attach` brings the
		 * lcore of its own process. */
		if (v != NULL)
			return conf_err(ctx, v, where, fixed_lcore >= 0 ?
					"lcore is given on the command line (--lcore), expected only kind and the kind's keys" :
					"lcore is not taken by an external stage: the process that attaches (ffwd attach --lcore N) runs it");
		v = conf_get(ctx, map, "idle", NULL);
		if (v != NULL)
			return conf_err(ctx, v, where, "idle is not taken by %s, expected only kind and the kind's keys",
					fixed_lcore >= 0 ? "ffwd attach" : "an external stage");
		st->lcore = fixed_lcore >= 0 ? (unsigned int)fixed_lcore :
						conf->housekeeping;
		goto kind_keys;
	}
	if (v == NULL && conf_get(ctx, map, "lcores", NULL) == NULL)
		return conf_err(ctx, map, where,
				"lcore is missing, expected an integer 0..%d",
				CONF_MAX_LCORES - 1);
	if (v != NULL) {
		if (conf_int(ctx, v, where, "lcore", 0, CONF_MAX_LCORES - 1,
			     NULL, &n) < 0)
			return -1;
		st->lcore = (unsigned int)n;
		if (st->lcore == conf->housekeeping)
			return conf_err(ctx, v, where,
					"lcore is %u, expected another lcore: dedicated lcores must differ from the housekeeping lcore %u",
					st->lcore, conf->housekeeping);
		if (conf_check_lcore_cpu(ctx, v, where, "lcore", st->lcore) < 0)
			return -1;
	}
	if (conf_fleet_parse(ctx, map, where, st, v) < 0)
		return -1;

	v = conf_get(ctx, map, "idle", NULL);
	if (v != NULL) {
		if (conf_enum(ctx, v, where, "idle", conf_idle_names, 2,
			      "spin or yield", &e) < 0)
			return -1;
		st->idle = (enum conf_idle)e;
	}

kind_keys:
	if ((st->ops->flags & STAGE_F_PORT) &&
	    conf_parse_stage_port(ctx, map, where, st) < 0)
		return -1;
	if (st->ops->conf_size != 0) {
		st->kconf = calloc(1, st->ops->conf_size);
		if (st->kconf == NULL)
			return conf_err(ctx, map, where, "out of memory");
	}
	if (st->ops->parse == NULL)
		return 0;
	args = (struct conf_args){
		.pub = { .ops = &conf_args_ops, .stage = st->name },
		.ctx = ctx,
		.map = map,
		.where = where,
	};
	return st->ops->parse(&args.pub, st->kconf) < 0 ? -1 : 0;
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
		if (i == 0 && st->ops->role != STAGE_ROLE_INPUT)
			return conf_err_at(ctx, st->mark, where,
					   "first stage '%s' is %s %s stage, expected an input stage",
					   st->name, stage_kind_article(st->ops),
					   st->ops->name);
		if (i == last && st->ops->role != STAGE_ROLE_OUTPUT)
			return conf_err_at(ctx, st->mark, where,
					   "last stage '%s' is %s %s stage, expected an output stage",
					   st->name, stage_kind_article(st->ops),
					   st->ops->name);
		if (i > 0 && i < last && st->ops->role == STAGE_ROLE_INPUT)
			return conf_err_at(ctx, st->mark, where,
					   "stage '%s' is an input stage in the middle of the path, expected input only as the first stage",
					   st->name);
		if (i > 0 && i < last && st->ops->role == STAGE_ROLE_OUTPUT)
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
		if ((st->ops->flags & STAGE_F_EXTERNAL) &&
		    (path->stages[i - 1].ops->flags & STAGE_F_EXTERNAL))
			return conf_err_at(ctx, st->mark, where,
					   "external stage '%s' follows external stage '%s', expected a stage of this process between two external ones",
					   st->name, path->stages[i - 1].name);
		if (st->ops->flags & STAGE_F_EXTERNAL)
			continue;
		if (st->lcore == path->stages[i - 1].lcore)
			continue;
		for (j = i - 1; j-- > 0;) {
			prev = &path->stages[j];
			/* Past an external place, the path has left this
			 * process: an lcore before it may serve the path
			 * again after it, through the ring out of it. */
			if (prev->ops->flags & STAGE_F_EXTERNAL)
				break;
			if (prev->lcore != st->lcore)
				continue;
			return conf_err_at(ctx, st->mark, where,
					   "stage '%s' returns to lcore %u after leaving it at stage '%s', expected the stages of one lcore to be consecutive",
					   st->name, st->lcore, prev->name);
		}
	}
	return conf_fleet_check_path(ctx, path, where);
}

/* INDEX is 1-based; STAGES_MAIN is set for the top-level "stages:" form. */
int
conf_parse_path(struct conf_ctx *ctx, yaml_node_t *node, unsigned int index,
		yaml_node_t *stages_main)
{
	struct conf *conf = ctx->conf;
	struct conf_path *path = &conf->paths[conf->n_paths];
	char where[CONF_NAME_MAX + 16];
	yaml_node_t *name = NULL, *stages = stages_main, *byp = NULL, *v;
	yaml_node_item_t *it;
	unsigned int i, n, e;
	long long ms;

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
	path->stall_ms = CONF_STALL_MS_DEFAULT;
	if (stages_main == NULL) {
		byp = conf_get(ctx, node, "bypass", NULL);
		if (byp != NULL) {
			if (conf_enum(ctx, byp, where, "bypass", conf_bypass_names, 3,
				      "off, fail-open or fail-closed", &e) < 0)
				return -1;
			path->bypass = (enum conf_bypass)e;
		}
		v = conf_get(ctx, node, "stall_ms", NULL);
		if (v != NULL) {
			if (conf_int(ctx, v, where, "stall_ms", 1, 60000, NULL,
				     &ms) < 0)
				return -1;
			if (byp == NULL || path->bypass == CONF_BYPASS_OFF)
				return conf_err(ctx, v, where,
						"stall_ms without bypass: fail-open or fail-closed, expected both");
			path->stall_ms = (uint32_t)ms;
		}
	}

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
				     &path->stages[i], NULL, -1) < 0)
			return -1;
		path->n_stages = i + 1;
	}
	if (conf_check_path(ctx, path) < 0)
		return -1;
	if (path->bypass != CONF_BYPASS_OFF) {
		/* The watchdog switches the input's segment to the output's:
		 * there must be something between them to step around. */
		unsigned int lin = path->stages[0].lcore;
		unsigned int lout = path->stages[path->n_stages - 1].lcore;

		for (i = 1; i + 1 < path->n_stages; i++)
			if ((path->stages[i].ops->flags & STAGE_F_EXTERNAL) ||
			    (path->stages[i].lcore != lin &&
			     path->stages[i].lcore != lout))
				break;
		if (i + 1 >= path->n_stages)
			return conf_err(ctx, byp, where,
					"bypass is %s, but no stage of the path runs apart from its input's lcore %u and its output's lcore %u, expected an external stage or an app stage on an lcore of its own to step around",
					conf_bypass_names[path->bypass], lin, lout);
	}
	conf->n_paths++;
	return 0;
}

int
conf_parse_stage_alone(struct conf *conf, const char *file, const char *text,
		       size_t len, const char *name, unsigned int lcore,
		       char *err, size_t errlen)
{
	struct conf_ctx ctx = {
		.conf = conf,
		.file = file,
		.err = err,
		.errlen = errlen,
	};
	struct conf_path *path = &conf->paths[0];
	struct conf_stage *st = &path->stages[0];
	yaml_parser_t parser;
	yaml_node_t *root;
	int ret = -1;

	memset(conf, 0, sizeof(*conf));
	snprintf(conf->file, sizeof(conf->file), "%s", file);
	snprintf(path->name, sizeof(path->name), "attach");
	conf->housekeeping = CONF_MAX_LCORES; /* none: any lcore will do */
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &ctx.doc)) {
		struct conf_mark m = {
			.line = (unsigned int)parser.problem_mark.line + 1,
			.col = (unsigned int)parser.problem_mark.column + 1,
		};

		conf_err_at(&ctx, m, NULL, "YAML syntax error: %s",
			    parser.problem != NULL ? parser.problem : "unknown problem");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&ctx.doc);
	if (root == NULL || conf_is_null(root)) {
		struct conf_mark m = { .line = 1, .col = 1 };

		conf_err_at(&ctx, m, NULL,
			    "empty stage, expected a mapping { kind: KIND, and the kind's keys }");
		goto out;
	}
	if (conf_parse_stage(&ctx, root, path, 1, st, name, (int)lcore) < 0)
		goto out;
	path->n_stages = 1;
	conf->n_paths = 1;
	if (st->ops->role != STAGE_ROLE_APP ||
	    (st->ops->flags & STAGE_F_EXTERNAL)) {
		conf_err_at(&ctx, st->mark, "attach",
			    "kind is %s, expected an app kind (an attached stage sits between two rings)",
			    st->ops->name);
		goto out;
	}
	ret = 0;
out:
	yaml_document_delete(&ctx.doc);
	yaml_parser_delete(&parser);
	if (ret != 0)
		conf_free(conf);
	return ret;
}

int
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
int
conf_check_stages(struct conf_ctx *ctx)
{
	const struct conf *conf = ctx->conf;
	const struct conf_stage *st, *o;
	const struct conf_port *port;
	char where[CONF_NAME_MAX + 16];
	unsigned int p, s, q, t;

	if (conf_fleet_check_lcores(ctx) < 0)
		return -1;
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
					    o->ops->role != st->ops->role ||
					    o->port != st->port ||
					    o->queue != st->queue)
						continue;
					port = &conf->ports[st->port];
					/* RX queues are single-consumer. */
					if (st->ops->role == STAGE_ROLE_INPUT)
						return conf_err_at(ctx, st->mark, where,
								   "port '%s' RX queue %u is already read by stage '%s', expected one input stage per RX queue",
								   port->name, st->queue,
								   o->name);
					/*
					 * TX queues are single-producer; the
					 * same lcore serialises its writes.
					 */
					if (st->ops->role == STAGE_ROLE_OUTPUT &&
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