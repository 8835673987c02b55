/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall: an app stage that passes or drops each packet by an ordered
 * list of rules (first match wins, then a default policy).
 *
 * A rule matches on a 5-tuple (protocol, IPv4/IPv6 src/dst prefixes,
 * src/dst port ranges, classified by rte_acl), on a tcpdump filter
 * expression (compiled by libpcap, converted to eBPF, JIT-compiled by
 * librte_bpf) or on an eBPF object file, or on a 5-tuple and a program
 * together. The rule syntax, the parsing policy and the figures are in
 * docs/FIREWALL.md.
 *
 * Threads: fw_rules_load(), fw_stage_create(), fw_stage_reload() and the
 * counter readers run on a control thread; fw_stage_burst() runs on the
 * stage's lcore only. A running stage's rules are replaced without
 * stopping it: the new set is built off the fast path, published with one
 * atomic pointer store, and the old set is freed once the stage has
 * reported a quiescent state (rte_rcu_qsbr) after the swap.
 */
#ifndef FFWD_FIREWALL_H
#define FFWD_FIREWALL_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

/** Longest rule name, incl. NUL; counters are named "acl:<name>". */
#define FW_NAME_MAX 32

/** Rule actions, and the verdict given to each packet. */
enum fw_action {
	FW_DROP = 0,	/**< free the packet and count it */
	FW_ALLOW = 1,	/**< pass the packet on */
};

/*
 * Why the firewall dropped a packet, declared once: the enum and the names
 * come from this list (the stage glue maps them onto STAGE_DROP_*).
 */
#define FW_DROP_REASONS(X)                                                     \
	X(RULE, "fw_rule")		/* a drop rule matched */              \
	X(DEFAULT, "fw_default")	/* no rule matched, default drop */    \
	X(MALFORMED, "fw_malformed")	/* headers broken or cut short */

enum fw_drop {
#define X(e, s) FW_DROP_##e,
	FW_DROP_REASONS(X)
#undef X
	FW_DROP_MAX
};

extern const char *const fw_drop_names[FW_DROP_MAX];

/** Rule index reported for a packet that no rule matched. */
#define FW_RULE_DEFAULT	  (-1)
/** Rule index reported for a packet dropped by the malformed policy. */
#define FW_RULE_MALFORMED (-2)

struct fw_rules;
struct fw_stage;

/**
 * Parse and build a rule set from FILE: rte_acl contexts for the 5-tuple
 * rules (built once here), libpcap + rte_bpf_convert + rte_bpf_load + JIT
 * for filter expressions, rte_bpf_elf_load for eBPF objects.
 *
 * Slow path: allocates, reads files, may take seconds for 10k rules.
 * Needs EAL (rte_acl and rte_bpf allocate from DPDK memory).
 *
 * @return the rule set, or NULL with rte_errno set and a one-line message
 *   in ERR: "file:line:col: what was wrong; expected what".
 */
struct fw_rules *fw_rules_load(const char *file, char *err, size_t errlen);

/**
 * Check FILE as fw_rules_load() would, without EAL and without building:
 * syntax, addresses, ports, filter expressions (pcap_compile), eBPF object
 * files exist. For the configuration check that runs before EAL starts;
 * fw_rules_load() may still fail later on the verifier or on memory.
 *
 * @return 0, or -EINVAL (or another -errno) with the message in ERR.
 */
int fw_rules_check(const char *file, char *err, size_t errlen);

/**
 * Same as fw_rules_load() from a string; NAME is used in messages only
 * (and its directory for relative eBPF object paths).
 */
struct fw_rules *fw_rules_parse(const char *name, const char *text,
				char *err, size_t errlen);

/** Free a rule set that no stage uses any more. NULL is a no-op. */
void fw_rules_free(struct fw_rules *r);

/** Number of rules in R (not counting the default policy). */
unsigned int fw_rules_count(const struct fw_rules *r);

/** Name of rule IDX (its "name" or "line<N>"), NULL if out of range. */
const char *fw_rules_name(const struct fw_rules *r, unsigned int idx);

/** True if at least one filter program of R runs JIT-compiled code. */
int fw_rules_jitted(const struct fw_rules *r);

/** Number of filter expressions of R rewritten to direct, bounds-checked
 * packet loads (the fast form; see docs/FIREWALL.md). */
unsigned int fw_rules_direct(const struct fw_rules *r);

/**
 * Classify N packets (any N) with R, without freeing or counting.
 *
 * @param verdicts
 *   FW_ALLOW or FW_DROP per packet.
 * @param rule_idx
 *   If not NULL: the index of the rule that decided, FW_RULE_DEFAULT or
 *   FW_RULE_MALFORMED.
 */
void fw_classify(const struct fw_rules *r, struct rte_mbuf *const *pkts,
		 unsigned int n, uint8_t *verdicts, int *rule_idx);

/**
 * Create a stage that owns INITIAL (freed with the stage or replaced by a
 * reload).
 *
 * @param name
 *   Used for the names of the stage's DPDK objects.
 * @param reload_wait_ms
 *   How long fw_stage_reload() waits for the stage to move past the old
 *   rule set before deferring its release to the next reload or to
 *   fw_stage_free(); 0 means the default of 100 ms.
 * @return the stage, or NULL with rte_errno set.
 */
struct fw_stage *fw_stage_create(const char *name, struct fw_rules *initial,
				 unsigned int reload_wait_ms);

/** Free the stage and its rules; its lcore must have stopped. */
void fw_stage_free(struct fw_stage *st);

/**
 * The fast path: classify up to 32 packets, compact the passing ones to
 * the front of PKTS, free the dropped ones and add them to
 * DROPS[enum fw_drop]. Reports a quiescent state once per call.
 * Never logs, allocates, blocks or makes a system call.
 *
 * @return the number of packets passed.
 */
uint16_t fw_stage_burst(struct fw_stage *st, struct rte_mbuf **pkts,
			uint16_t n, uint64_t *drops);

/**
 * Report a quiescent state without packets; an lcore loop that polls an
 * empty queue may call it so that a reload need not wait for traffic.
 */
void fw_stage_idle(struct fw_stage *st);

/**
 * Replace the stage's rules with NEW_RULES from a control thread while the
 * stage runs. The stage takes ownership of NEW_RULES; the old set is freed
 * once the stage has passed a quiescent state (or later, see
 * fw_stage_create()). Per-rule hit counters start again from zero.
 *
 * @return 0, or -EINVAL.
 */
int fw_stage_reload(struct fw_stage *st, struct fw_rules *new_rules);

/** Number of completed reloads. */
uint64_t fw_stage_reloads(const struct fw_stage *st);

/**
 * Call FN for each per-rule counter of the current rule set, named
 * "acl:<rule>", then "acl:default" and "acl:malformed". Control thread
 * only (the same one that reloads).
 */
void fw_stage_counters(const struct fw_stage *st,
		       void (*fn)(void *arg, const char *name, uint64_t value),
		       void *arg);

/** Hits of rule IDX of the current set; IDX may be FW_RULE_DEFAULT or
 * FW_RULE_MALFORMED. Control thread only. */
uint64_t fw_stage_rule_hits(const struct fw_stage *st, int idx);

#endif /* FFWD_FIREWALL_H */
