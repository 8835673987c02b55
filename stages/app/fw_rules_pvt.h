/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall rules parser internals, shared by fw_rules.c (the rules file,
 * the ACL) and fw_bpf.c (tcpdump filters and eBPF objects). Nothing
 * outside the firewall includes it.
 */
#ifndef FFWD_FW_RULES_PVT_H
#define FFWD_FW_RULES_PVT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firewall_core.h"

/* A token of a rules line: a word, or a quoted string with its quotes and
 * escapes removed. */
struct fw_tok {
	char *s;
	unsigned int col;	/**< 1-based column of its first character */
	bool quoted;
};

struct fw_parser {
	const char *file;	/**< name in messages */
	char dir[PATH_MAX];	/**< for relative ebpf object paths */
	unsigned int line;
	char *err;
	size_t errlen;
	bool have_default, have_malformed;
	bool check_only;	/**< syntax and expressions only, no EAL */
	struct fw_rules *r;
	unsigned int cap;
};

/** "file:line:col: message" into ps->err; returns -1. */
int fw_err(struct fw_parser *ps, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** A tcpdump expression (token t) as rule RULE's program: libpcap, then
 * rte_bpf_convert (corrected) and the JIT. @return 0 or -1 (ps->err). */
int fw_add_bpf(struct fw_parser *ps, const struct fw_tok *t, uint32_t rule);

/** An eBPF object file (token t), section SECTION, as rule RULE's program.
 * @return 0 or -1 (ps->err). */
int fw_add_ebpf(struct fw_parser *ps, const struct fw_tok *t,
		const char *section, uint32_t rule);

#endif /* FFWD_FW_RULES_PVT_H */
