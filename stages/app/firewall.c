/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall stage: the burst function, and rule-set replacement under
 * traffic with rte_rcu_qsbr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "firewall_core.h"

#define FW_RELOAD_WAIT_MS 100
#define FW_RCU_THREAD	  0	/* the stage's lcore: the only reader */

/*
 * A generation: a rule set and its per-rule hit counters, published
 * together so that the stage never counts a hit of one set against
 * another's rules.
 */
struct fw_gen {
	struct fw_rules *rules;
	uint64_t *hits;		/**< n_rules + 2: rules, default, malformed;
				 * written by the stage's lcore only */
	struct fw_gen *next;	/**< retired list, control thread only */
};

struct fw_stage {
	/* Read by the stage's lcore on every burst. */
	struct fw_gen *cur;		/**< RELEASE-stored by reload */
	struct rte_rcu_qsbr *qsv;

	/* Control thread only. */
	struct fw_gen *retired;		/**< swapped out, not yet freed */
	unsigned int wait_ms;
	uint64_t reloads;
	char name[32];
} __rte_cache_aligned;

static struct fw_gen *
fw_gen_new(struct fw_rules *r)
{
	struct fw_gen *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	/* Counters on lines of their own: only the stage writes them. */
	g->hits = rte_zmalloc("fw_hits", (r->n_rules + 2) * sizeof(uint64_t),
			      RTE_CACHE_LINE_SIZE);
	if (g->hits == NULL) {
		free(g);
		return NULL;
	}
	g->rules = r;
	return g;
}

static void
fw_gen_free(struct fw_gen *g)
{
	fw_rules_free(g->rules);
	rte_free(g->hits);
	free(g);
}

static void
fw_retired_free(struct fw_stage *st)
{
	while (st->retired != NULL) {
		struct fw_gen *g = st->retired;

		st->retired = g->next;
		fw_gen_free(g);
	}
}

struct fw_stage *
fw_stage_create(const char *name, struct fw_rules *initial,
		unsigned int reload_wait_ms)
{
	struct fw_stage *st;
	size_t sz;

	if (initial == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	st = rte_zmalloc("fw_stage", sizeof(*st), RTE_CACHE_LINE_SIZE);
	if (st == NULL)
		goto nomem;
	snprintf(st->name, sizeof(st->name), "%s", name != NULL ? name : "fw");
	st->wait_ms = reload_wait_ms != 0 ? reload_wait_ms : FW_RELOAD_WAIT_MS;
	sz = rte_rcu_qsbr_get_memsize(1);
	st->qsv = rte_zmalloc("fw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (st->qsv == NULL || rte_rcu_qsbr_init(st->qsv, 1) != 0)
		goto nomem;
	/* Online from the start: a reload waits for the stage's next burst
	 * (or fw_stage_idle()), whichever thread ends up running it. */
	if (rte_rcu_qsbr_thread_register(st->qsv, FW_RCU_THREAD) != 0)
		goto nomem;
	rte_rcu_qsbr_thread_online(st->qsv, FW_RCU_THREAD);
	st->cur = fw_gen_new(initial);
	if (st->cur == NULL)
		goto nomem;
	return st;
nomem:
	if (st != NULL)
		rte_free(st->qsv);
	rte_free(st);
	rte_errno = ENOMEM;
	return NULL;
}

void
fw_stage_free(struct fw_stage *st)
{
	if (st == NULL)
		return;
	fw_retired_free(st);
	fw_gen_free(st->cur);
	rte_free(st->qsv);
	rte_free(st);
}

static __rte_always_inline uint16_t
fw_stage_burst32(struct fw_gen *g, struct rte_mbuf **pkts, uint16_t n,
		 uint64_t *drops)
{
	const struct fw_rules *r = g->rules;
	struct rte_mbuf *dead[FW_BURST];
	uint8_t verdict[FW_BURST];
	uint32_t slot[FW_BURST], prev, run = 0;
	uint16_t i, out = 0, nd = 0;

	if (unlikely(n == 0))
		return 0;
	fw_classify_burst(r, pkts, n, slot, verdict);
	/* Runs of one rule are common (a broad rule near the top): count a
	 * run once, rather than chain increments of one counter through
	 * memory. */
	prev = slot[0];
	for (i = 0; i < n; i++) {
		if (slot[i] != prev) {
			g->hits[prev] += run;
			prev = slot[i];
			run = 0;
		}
		run++;
		if (verdict[i] == FW_ALLOW) {
			pkts[out++] = pkts[i];
			continue;
		}
		dead[nd++] = pkts[i];
		drops[slot[i] < r->n_rules ? FW_DROP_RULE :
		      slot[i] == r->n_rules ? FW_DROP_DEFAULT : FW_DROP_MALFORMED]++;
	}
	g->hits[prev] += run;
	if (nd != 0)
		rte_pktmbuf_free_bulk(dead, nd);
	return out;
}

uint16_t
fw_stage_burst(struct fw_stage *st, struct rte_mbuf **pkts, uint16_t n,
	       uint64_t *drops)
{
	/* ACQUIRE pairs with the RELEASE store in fw_stage_reload(): the new
	 * set's contents are visible before its pointer. */
	struct fw_gen *g = __atomic_load_n(&st->cur, __ATOMIC_ACQUIRE);
	uint16_t done = 0, out = 0;

	/* The contract is 32 at most; longer calls are cut, not refused. */
	while (done < n) {
		uint16_t k = RTE_MIN((uint16_t)(n - done), (uint16_t)FW_BURST);
		uint16_t passed = fw_stage_burst32(g, pkts + done, k, drops);

		if (out != done)
			memmove(pkts + out, pkts + done, passed * sizeof(*pkts));
		out += passed;
		done += k;
	}
	/* g is not touched after this: the reloader may free it once it
	 * sees this report (rte_rcu_qsbr_check() in fw_stage_reload()). */
	rte_rcu_qsbr_quiescent(st->qsv, FW_RCU_THREAD);
	return out;
}

void
fw_stage_idle(struct fw_stage *st)
{
	rte_rcu_qsbr_quiescent(st->qsv, FW_RCU_THREAD);
}

int
fw_stage_reload(struct fw_stage *st, struct fw_rules *new_rules)
{
	struct fw_gen *g, *old;
	uint64_t token, deadline;

	if (st == NULL || new_rules == NULL)
		return -EINVAL;
	g = fw_gen_new(new_rules);
	if (g == NULL)
		return -ENOMEM;
	old = st->cur;
	/* RELEASE pairs with the ACQUIRE load in fw_stage_burst(). */
	__atomic_store_n(&st->cur, g, __ATOMIC_RELEASE);
	__atomic_store_n(&st->reloads, st->reloads + 1, __ATOMIC_RELAXED);
	old->next = st->retired;
	st->retired = old;

	/* A quiescent report after this token means the stage has finished
	 * every burst that could have loaded old (or anything older). */
	token = rte_rcu_qsbr_start(st->qsv);
	deadline = rte_get_timer_cycles() +
		   rte_get_timer_hz() * st->wait_ms / 1000;
	while (rte_rcu_qsbr_check(st->qsv, token, false) == 0) {
		if (rte_get_timer_cycles() > deadline)
			return 0; /* freed by a later reload or the stage's free */
		rte_delay_us_sleep(20);
	}
	fw_retired_free(st);
	return 0;
}

uint64_t
fw_stage_reloads(const struct fw_stage *st)
{
	return __atomic_load_n(&st->reloads, __ATOMIC_RELAXED);
}

void
fw_stage_counters(const struct fw_stage *st,
		  void (*fn)(void *arg, const char *name, uint64_t value),
		  void *arg)
{
	const struct fw_gen *g = st->cur;
	char name[FW_NAME_MAX + 8];
	unsigned int i;

	for (i = 0; i < g->rules->n_rules; i++) {
		snprintf(name, sizeof(name), "acl:%s", g->rules->rules[i].name);
		fn(arg, name, __atomic_load_n(&g->hits[i], __ATOMIC_RELAXED));
	}
	fn(arg, "acl:default", __atomic_load_n(&g->hits[i], __ATOMIC_RELAXED));
	fn(arg, "acl:malformed",
	   __atomic_load_n(&g->hits[i + 1], __ATOMIC_RELAXED));
}

uint64_t
fw_stage_rule_hits(const struct fw_stage *st, int idx)
{
	const struct fw_gen *g = st->cur;
	uint32_t n = g->rules->n_rules;
	uint32_t slot;

	if (idx >= 0 && (uint32_t)idx < n)
		slot = (uint32_t)idx;
	else if (idx == FW_RULE_DEFAULT)
		slot = n;
	else if (idx == FW_RULE_MALFORMED)
		slot = n + 1;
	else
		return 0;
	return __atomic_load_n(&g->hits[slot], __ATOMIC_RELAXED);
}

/* Load SIZE (1, 2 or 4) bytes big-endian at K; false if past BUFLEN. */
static inline bool
fw_cbpf_load(const uint8_t *p, uint32_t buflen, uint32_t k, uint32_t size,
	     uint32_t *v)
{
	if (k >= buflen || size > buflen - k)
		return false;
	if (size == 4)
		*v = (uint32_t)p[k] << 24 | (uint32_t)p[k + 1] << 16 |
		     (uint32_t)p[k + 2] << 8 | p[k + 3];
	else if (size == 2)
		*v = (uint32_t)p[k] << 8 | p[k + 1];
	else
		*v = p[k];
	return true;
}

uint32_t
fw_cbpf_run(const struct bpf_insn *prog, uint32_t len, const uint8_t *p,
	    uint32_t wirelen, uint32_t buflen)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 }, pc = 0, k, v;
	unsigned int steps;

	for (steps = 0; steps < FW_CBPF_BUDGET; steps++) {
		const struct bpf_insn *in;
		uint32_t size;

		if (pc >= len)
			return 0;	/* ran off the program: no match */
		in = &prog[pc++];
		k = in->k;
		switch (BPF_CLASS(in->code)) {
		case BPF_RET:
			return BPF_RVAL(in->code) == BPF_A ? a :
			       BPF_RVAL(in->code) == BPF_K ? k : 0;
		case BPF_LD:
		case BPF_LDX:
			size = BPF_SIZE(in->code) == BPF_W ? 4 :
			       BPF_SIZE(in->code) == BPF_H ? 2 : 1;
			switch (BPF_MODE(in->code)) {
			case BPF_IMM:
				v = k;
				break;
			case BPF_LEN:
				v = wirelen;
				break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS)
					return 0;
				v = mem[k];
				break;
			case BPF_ABS:
				if (!fw_cbpf_load(p, buflen, k, size, &v))
					return 0;
				break;
			case BPF_IND:
				if (k > UINT32_MAX - x ||
				    !fw_cbpf_load(p, buflen, x + k, size, &v))
					return 0;
				break;
			case BPF_MSH:	/* ldx 4*([k]&0xf): IPv4 header length */
				if (!fw_cbpf_load(p, buflen, k, 1, &v))
					return 0;
				v = (v & 0xf) << 2;
				break;
			default:
				return 0;
			}
			if (BPF_CLASS(in->code) == BPF_LD)
				a = v;
			else
				x = v;
			break;
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return 0;
			mem[k] = BPF_CLASS(in->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			v = BPF_SRC(in->code) == BPF_X ? x : k;
			switch (BPF_OP(in->code)) {
			case BPF_ADD: a += v; break;
			case BPF_SUB: a -= v; break;
			case BPF_MUL: a *= v; break;
			case BPF_DIV:
				if (v == 0)
					return 0;
				a /= v;
				break;
			case BPF_MOD:
				if (v == 0)
					return 0;
				a %= v;
				break;
			case BPF_AND: a &= v; break;
			case BPF_OR: a |= v; break;
			case BPF_XOR: a ^= v; break;
			case BPF_LSH: a = v < 32 ? a << v : 0; break;
			case BPF_RSH: a = v < 32 ? a >> v : 0; break;
			case BPF_NEG: a = -a; break;
			default: return 0;
			}
			break;
		case BPF_JMP:
			v = BPF_SRC(in->code) == BPF_X ? x : k;
			switch (BPF_OP(in->code)) {
			/* Offsets wrap: libpcap's protochain jumps back with
			 * a ja whose k is a negative offset. */
			case BPF_JA: pc += k; break;
			case BPF_JEQ: pc += a == v ? in->jt : in->jf; break;
			case BPF_JGT: pc += a > v ? in->jt : in->jf; break;
			case BPF_JGE: pc += a >= v ? in->jt : in->jf; break;
			case BPF_JSET: pc += (a & v) != 0 ? in->jt : in->jf; break;
			default: return 0;
			}
			break;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return 0;
		}
	}
	return 0;	/* budget spent: no match (see FW_CBPF_BUDGET) */
}

void
fw_classify(const struct fw_rules *r, struct rte_mbuf *const *pkts,
	    unsigned int n, uint8_t *verdicts, int *rule_idx)
{
	uint32_t slot[FW_BURST];
	unsigned int i, j;

	for (i = 0; i < n; i += FW_BURST) {
		uint16_t k = (uint16_t)RTE_MIN(n - i, (unsigned int)FW_BURST);

		fw_classify_burst(r, pkts + i, k, slot, verdicts + i);
		for (j = 0; j < k && rule_idx != NULL; j++)
			rule_idx[i + j] = slot[j] < r->n_rules ? (int)slot[j] :
					  slot[j] == r->n_rules ? FW_RULE_DEFAULT :
								  FW_RULE_MALFORMED;
	}
}
