/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf tests: every numeric field at its limits and one past them. Each
 * row is a config with one value left open (@V@); the row is parsed with
 * the minimum and the maximum (accepted) and with one below, one above,
 * a negative and a 20-digit number (each refused, with the value's
 * file:line:col and the range). Never a crash, never a silent clamp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "test_conf.h"

struct conf_limit {
	const char *key;		/**< as the message names it */
	const char *yaml;		/**< with one @V@ */
	long long min, max;
	const char *where;		/**< message prefix after file:line:col */
	const char *note;		/**< text after the range, or NULL */
};

#define LPIPE(kv) "pipeline:\n  label: demo\n  cpus: { 0: 0, 1: 0, 2: 1, 3: 1 }\n  " kv "\n" PORTS "paths:\n" PATH("p") RX TX
#define LPORT(kv) PIPE "ports:\n  wan: { dev: net_null0, " kv " }\n  lan: { dev: net_null1, rxq: 2, txq: 2 }\n" "paths:\n" PATH("p") RX TX
#define LSTAGE(st) HEAD "paths:\n" PATH("p") RX st TX

static const struct conf_limit limits[] = {
	{ "housekeeping", "pipeline:\n  label: demo\n  housekeeping: @V@\n"
	  "  cpus: { 0: 0, 1: 0, 2: 1, 3: 1, 127: 1 }\n" PORTS "paths:\n" PATH("p") RX TX,
	  0, 127, "pipeline", NULL },
	{ "memory", LPIPE("memory: @V@"), 64, 65536, "pipeline", NULL },
	{ "mbufs", LPIPE("mbufs: @V@"), 64, 4194304, "pipeline", NULL },
	{ "mbuf_size", LPIPE("mbuf_size: @V@"), 256, 65535, "pipeline", NULL },
	{ "rxq", LPORT("rxq: @V@"), 1, 64, "port 'wan'", NULL },
	{ "txq", LPORT("txq: @V@"), 1, 64, "port 'wan'", NULL },
	{ "rxd", LPORT("rxd: @V@"), 64, 16384, "port 'wan'", NULL },
	{ "txd", LPORT("txd: @V@"), 64, 16384, "port 'wan'", NULL },
	{ "mtu", LPORT("mtu: @V@"), 68, 65535, "port 'wan'", NULL },
	{ "queue", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, queue: @V@, lcore: 2 }\n",
	  0, 1, "stage 'tx'", "(port 'lan' has 2 TX queues)" },
	{ "retries", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, retries: @V@, lcore: 2 }\n",
	  0, 1000, "stage 'tx'", "or forever" },
	{ "pps", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, pps: @V@, lcore: 2 }\n",
	  1, 1000000000, "stage 'tx'", NULL },
	{ "mbps", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, mbps: @V@, lcore: 2 }\n",
	  1, 1000000, "stage 'tx'", NULL },
	{ "overhead", HEAD "paths:\n" PATH("p") RX
	  "      - { name: tx, kind: output, port: lan, mbps: 100, overhead: @V@, lcore: 2 }\n",
	  0, 1000, "stage 'tx'", NULL },
	{ "ns", LSTAGE("      - { name: w, kind: work, ns: @V@, lcore: 1 }\n"),
	  1, 1000000, "stage 'w'", NULL },
};

/* YAML with @V@ replaced by V; *line and *col locate it (1-based). */
static char *
limit_yaml(const char *tmpl, const char *v, unsigned int *line, unsigned int *col)
{
	const char *at = strstr(tmpl, "@V@"), *p;
	size_t pre = (size_t)(at - tmpl);
	char *out = malloc(strlen(tmpl) + strlen(v) + 1);

	*line = 1;
	*col = 1;
	for (p = tmpl; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
	if (out == NULL)
		return NULL;
	memcpy(out, tmpl, pre);
	strcpy(out + pre, v);
	strcat(out, at + 3);
	return out;
}

static void
limit_try(const struct conf_limit *l, long long v, const char *text, bool ok)
{
	char num[32], err[CONF_ERR_MAX], want[CONF_ERR_MAX];
	struct conf *c = calloc(1, sizeof(*c));
	unsigned int line, col;
	char *yaml;
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (text == NULL) {
		snprintf(num, sizeof(num), "%lld", v);
		text = num;
	}
	yaml = limit_yaml(l->yaml, text, &line, &col);
	CU_ASSERT_PTR_NOT_NULL_FATAL(yaml);
	ret = conf_parse(c, "t.yaml", yaml, strlen(yaml), err, sizeof(err));
	if (ok) {
		if (ret != 0)
			printf("\n    %s %s refused: %s\n", l->key, text, err);
		CU_ASSERT_EQUAL(ret, 0);
	} else {
		snprintf(want, sizeof(want),
			 "t.yaml:%u:%u: %s: %s is %s, expected an integer %lld..%lld%s%s",
			 line, col, l->where, l->key, text, l->min, l->max,
			 l->note != NULL ? " " : "", l->note != NULL ? l->note : "");
		CU_ASSERT_EQUAL(ret, -1);
		if (ret != -1 || strcmp(err, want) != 0)
			printf("\n    %s %s:\n    got  %s\n    want %s\n", l->key, text,
			       ret == -1 ? err : "(accepted)", want);
		CU_ASSERT_STRING_EQUAL(err, want);
	}
	conf_free(c);
	free(c);
	free(yaml);
}

void test_conf_numeric_limits(void);

void
test_conf_numeric_limits(void)
{
	unsigned int i;

	for (i = 0; i < DIM(limits); i++) {
		const struct conf_limit *l = &limits[i];

		limit_try(l, l->min, NULL, true);
		limit_try(l, l->max, NULL, true);
		limit_try(l, l->min - 1, NULL, false);
		limit_try(l, l->max + 1, NULL, false);
		if (l->min > 0)
			limit_try(l, -1, NULL, false);
		limit_try(l, 0, "99999999999999999999", false);
	}
}
