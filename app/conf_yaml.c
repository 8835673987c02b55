/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf: YAML helpers shared by the parts of the config parser (conf.c:
 * pipeline, ports and the whole file; conf_stage.c: paths and stages).
 * Every typed getter reports "FILE:LINE:COL: where: X is Y, expected Z" at
 * the offending node and returns -1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity(), CPU_ISSET() */
#endif
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_pvt.h"

struct conf_mark
conf_mark_of(const yaml_node_t *node)
{
	struct conf_mark m = {
		.line = (unsigned int)node->start_mark.line + 1,
		.col = (unsigned int)node->start_mark.column + 1,
	};

	return m;
}

/* Always returns -1 so that callers can "return conf_err(...)". */
int __attribute__((format(printf, 4, 5)))
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

yaml_node_t *
conf_node(struct conf_ctx *ctx, int id)
{
	return yaml_document_get_node(&ctx->doc, id);
}

const char *
conf_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

bool
conf_text_is(const yaml_node_t *node, const char *s)
{
	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.length == strlen(s) &&
	       memcmp(node->data.scalar.value, s, node->data.scalar.length) == 0;
}

bool
conf_same_text(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value,
		      a->data.scalar.length) == 0;
}

/* "key:" with nothing after it, or an explicit YAML null. */
bool
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
const char *
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
const char *
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

const char *
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

bool
conf_in_list(const char *const *list, const yaml_node_t *key)
{
	unsigned int i;

	for (i = 0; list[i] != NULL; i++)
		if (conf_text_is(key, list[i]))
			return true;
	return false;
}

/* First value under KEY in mapping MAP, NULL if absent. */
yaml_node_t *
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

unsigned int
conf_map_size(const yaml_node_t *map)
{
	return map->data.mapping.pairs.top - map->data.mapping.pairs.start;
}

unsigned int
conf_seq_size(const yaml_node_t *seq)
{
	return seq->data.sequence.items.top - seq->data.sequence.items.start;
}

/*
 * Keys of MAP: all strings, none twice, and each in VALID (NULL: any
 * name). For a stage, KIND names its kind and keys that only another
 * kind takes get their own message.
 */
int
conf_check_keys(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		const char *const *valid, const struct stage_ops *kind,
		const char *noun)
{
	char show[CONF_SHOW_MAX * 4 + 32];
	char q[CONF_SHOW_MAX * 4 + 8];
	char list[512];
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
		if (kind != NULL && conf_stage_key_known(k))
			return conf_err(ctx, k, where,
					"key '%s' is not valid for %s %s stage, expected one of: %s",
					conf_text(k), stage_kind_article(kind),
					kind->name, list);
		return conf_err(ctx, k, where,
				"unknown key '%s', expected one of: %s",
				conf_quote(q, sizeof(q), k), list);
	}
	return 0;
}

int
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
bool
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
int
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

int
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
int
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
int
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

int
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

int
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

