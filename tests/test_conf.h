/* SPDX-License-Identifier: BSD-3-Clause */
/* conf tests: the shared YAML heads and row types of test_conf*.c. */
#ifndef FFWD_TEST_CONF_H
#define FFWD_TEST_CONF_H

#include <stddef.h>

#include "conf.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Shared heads, so that line numbers in the bad rows stay easy to check:
 * HEAD is lines 1..6; a PATH header takes two lines, each stage one.
 * Lcores 0..3 sit on CPUs 0 and 1, which any 2-CPU machine offers.
 */
#define PIPE                                   \
	"pipeline:\n"                          \
	"  label: demo\n"                      \
	"  cpus: { 0: 0, 1: 0, 2: 1, 3: 1 }\n"
#define PORTS                                  \
	"ports:\n"                             \
	"  wan: { dev: net_null0 }\n"          \
	"  lan: { dev: net_null1, rxq: 2, txq: 2 }\n"
#define HEAD PIPE PORTS
#define PATH(name) "  - name: " name "\n    stages:\n"
/* Stage lines: the flow mapping opens at column 9. */
#define RX "      - { name: rx, kind: input, port: wan, lcore: 1 }\n"
#define TX "      - { name: tx, kind: output, port: lan, lcore: 2 }\n"
#define SIMPLE HEAD "paths:\n" PATH("p") RX TX
/* Fleets need more lcores: the same three lines, six lcores. */
#define FPIPE                                  \
	"pipeline:\n"                          \
	"  label: demo\n"                      \
	"  cpus: { 0: 0, 1: 0, 2: 1, 3: 1, 4: 0, 5: 1 }\n"
#define FHEAD FPIPE PORTS
#define FTX "      - { name: tx, kind: output, port: lan, lcore: 5 }\n"

struct conf_good {
	const char *name;
	const char *yaml;
	void (*check)(const struct conf *conf); /**< NULL: parsing is all */
};

struct conf_bad {
	const char *name;
	const char *yaml;
	/* The exact message; "@CPUS@" stands for this machine's allowed
	 * CPU list. */
	const char *err;
};

/** The refused rows (test_conf_bad.c). */
extern const struct conf_bad conf_bad_rows[];
extern const size_t conf_bad_n;

#endif /* FFWD_TEST_CONF_H */
