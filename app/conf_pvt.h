/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf internals: the parser's context and YAML helpers, shared by
 * conf.c, conf_yaml.c and conf_stage.c. Nothing outside conf includes it.
 */
#ifndef FFWD_CONF_PVT_H
#define FFWD_CONF_PVT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity(), CPU_ISSET() */
#endif
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

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

extern const char *const conf_idle_names[2];

struct conf_mark conf_mark_of(const yaml_node_t *node);
/* Always returns -1 so that callers can "return conf_err(...)". */
int conf_err_at(struct conf_ctx *ctx, struct conf_mark m, const char *where,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define conf_err(ctx, node, where, ...) \
	conf_err_at(ctx, conf_mark_of(node), where, __VA_ARGS__)
yaml_node_t *conf_node(struct conf_ctx *ctx, int id);
const char *conf_text(const yaml_node_t *node);
bool conf_text_is(const yaml_node_t *node, const char *s);
bool conf_same_text(const yaml_node_t *a, const yaml_node_t *b);
bool conf_is_null(const yaml_node_t *node);
const char *conf_quote(char *buf, size_t size, const yaml_node_t *node);
const char *conf_show(char *buf, size_t size, const yaml_node_t *node,
		      bool plain_only);
const char *conf_join(char *buf, size_t size, const char *const *list);
bool conf_in_list(const char *const *list, const yaml_node_t *key);
yaml_node_t *conf_get(struct conf_ctx *ctx, yaml_node_t *map, const char *key,
		      yaml_node_t **key_node);
unsigned int conf_map_size(const yaml_node_t *map);
unsigned int conf_seq_size(const yaml_node_t *seq);
int conf_check_keys(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		    const char *const *valid, const struct stage_ops *kind,
		    const char *noun);
int conf_want(struct conf_ctx *ctx, yaml_node_t *node, yaml_node_type_t type,
	      const char *where, const char *what, const char *expected);
bool conf_is_decimal(const yaml_node_t *node);
int conf_int(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	     const char *what, long long min, long long max, const char *note,
	     long long *out);
int conf_bool(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	      const char *what, bool *out);
int conf_enum(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	      const char *what, const char *const *names, unsigned int n,
	      const char *expected, unsigned int *out);
int conf_name(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	      const char *what, size_t size, char *out);
int conf_string(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
		const char *what, size_t size, const char *expected, char *out);
int conf_mac(struct conf_ctx *ctx, yaml_node_t *node, const char *where,
	     const char *what, uint8_t mac[6]);

/* conf.c */
int conf_check_lcore_cpu(struct conf_ctx *ctx, yaml_node_t *node,
			 const char *where, const char *what, unsigned int lcore);
const char *conf_port_list(const struct conf *conf, char *buf, size_t size);

/* conf_stage.c */
/** KEY is a key of some stage kind (or a common one). */
bool conf_stage_key_known(const yaml_node_t *key);
int conf_parse_paths(struct conf_ctx *ctx, yaml_node_t *seq);
int conf_parse_path(struct conf_ctx *ctx, yaml_node_t *node, unsigned int index,
		    yaml_node_t *stages_main);
int conf_check_stages(struct conf_ctx *ctx);

/* conf_fleet.c */
/** replicas and lcores of stage ST; LCORE_NODE its lcore key, or NULL. */
int conf_fleet_parse(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		     struct conf_stage *st, yaml_node_t *lcore_node);
/** A path's fleets: their neighbours spread and merge on lcores of their own. */
int conf_fleet_check_path(struct conf_ctx *ctx, const struct conf_path *path,
			  const char *where);
/** No stage but a fleet's replicas (and an RSS input in front) on its lcores. */
int conf_fleet_check_lcores(struct conf_ctx *ctx);

#endif /* FFWD_CONF_PVT_H */
