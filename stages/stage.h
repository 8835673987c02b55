/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage contract: what a stage kind is, and all the runtime knows of it.
 *
 * A kind is a `struct stage_ops` registered from its own file with
 * STAGE_REGISTER(), the way VPP registers a node or rte_graph a node: a
 * name, a role, its YAML keys and their parser, init/burst/idle/reload/fini,
 * and its counter and drop-reason names. The runtime (app/) never names a
 * kind; it parses the common keys of a stage (name, kind, lcore, idle and,
 * for kinds that take one, port and queue), hands the kind's own keys to
 * ops->parse through `struct stage_args`, and calls the kind only through
 * its ops.
 *
 * One burst signature serves every role:
 *
 *   input:  burst(s, pkts, max) -> packets received into pkts (0..max)
 *   app:    burst(s, pkts, n)   -> packets passed on, compacted to the front
 *                                  of pkts; the rest the kind dropped (freed
 *                                  and counted in s->ctr.drops[reason])
 *   output: burst(s, pkts, n)   -> packets taken: sent, or freed and counted
 *                                  as a drop. pkts[ret..n) are NOT taken:
 *                                  the caller keeps them and offers them
 *                                  again (a paced output whose next packet
 *                                  is not due yet), so an output never has
 *                                  to wait inside its burst.
 *
 * n is at most STAGE_BURST. A burst function never logs, allocates, blocks
 * or calls into the kernel. Counters live in the stage, on cache lines of
 * their own, written only by the stage's lcore and read by anyone.
 *
 * This header includes nothing of the runtime's: stages/ sits below app/.
 */
#ifndef FFWD_STAGE_H
#define FFWD_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#define STAGE_BURST		32
#define STAGE_NAME_MAX		32	/**< stage names, incl. NUL */
#define STAGE_DROPS_MAX		8	/**< drop reasons of one kind */
#define STAGE_KCOUNTERS_MAX	16	/**< counters of one kind */

struct stage;
struct rte_mempool;

/** What a kind does in a path. */
enum stage_role {
	STAGE_ROLE_INPUT,	/**< first in a path: a port RX queue, a capture */
	STAGE_ROLE_APP,		/**< in the middle: passes or drops */
	STAGE_ROLE_OUTPUT,	/**< last in a path: a port TX queue, a sink */
};

/** ops->flags */
#define STAGE_F_PORT	 0x1	/**< takes `port:` and `queue:` */
#define STAGE_F_PLANNED	 0x2	/**< spends time on purpose: reports it in
				     ctr.planned_cycles so that it is not
				     taken for a hiccup */
#define STAGE_F_IDLE	 0x4	/**< ops->idle must run when its segment
				     finds nothing (RCU quiescent state) */
#define STAGE_F_EXTERNAL 0x8	/**< a place for a stage served by another
				     process (`ffwd attach`): no lcore here,
				     ops->burst is never called; the runtime
				     makes a ring into it and one out of it */

/*
 * A kind's view of its YAML mapping, implemented by the runtime. Each
 * getter returns 1 when KEY is present and valid (the value stored), 0 when
 * it is absent (nothing stored), and -1 when it is present but wrong: the
 * message, with the value's file:line:col, is already recorded. error()
 * records a message at KEY's value (or at the stage's mapping if KEY is
 * NULL or absent) and returns -1, for constraints between keys.
 */
struct stage_args;

struct stage_args_ops {
	int (*u64)(struct stage_args *a, const char *key, uint64_t min,
		   uint64_t max, uint64_t *v);
	int (*boolean)(struct stage_args *a, const char *key, bool *v);
	/** A non-empty string shorter than SIZE; WHAT says what is expected. */
	int (*str)(struct stage_args *a, const char *key, char *buf,
		   size_t size, const char *what);
	/** xx:xx:xx:xx:xx:xx */
	int (*mac)(struct stage_args *a, const char *key, uint8_t mac[6]);
	/** One of N NAMES; *v is its index. */
	int (*choice)(struct stage_args *a, const char *key,
		      const char *const *names, unsigned int n, unsigned int *v);
	/** Element IDX of a sequence of strings (or the string itself when
	 * KEY is a single string and IDX is 0); 0 past the end. */
	int (*str_at)(struct stage_args *a, const char *key, unsigned int idx,
		      char *buf, size_t size, const char *what);
	int (*error)(struct stage_args *a, const char *key, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
};

struct stage_args {
	const struct stage_args_ops *ops;
	const char *stage;		/**< the stage's name, for messages */
};

/** Where and with what a stage is set up; filled by the runtime. */
struct stage_env {
	const char *label;		/**< the pipeline's label */
	const char *file;		/**< the config file, for messages */
	uint16_t port_id;		/**< STAGE_F_PORT kinds */
	uint16_t queue;
	uint32_t max_frame;		/**< output: longest frame the port
					     takes whole; 0: no limit known */
	uint32_t max_frame_in;		/**< output: longest frame that can reach
					     it (its path's inputs bound it: app
					     stages pass or drop, never lengthen);
					     0 or UINT32_MAX: not known */
	uint64_t tsc_hz;		/**< EAL's TSC rate (rounded: a kind that
					     paces measures its own) */
	int socket;			/**< NUMA socket of the stage's lcore */
	struct rte_mempool *pool;	/**< the path's mbuf pool */
	const volatile int *stop;	/**< the stop flag: read, never wait */
};

typedef uint16_t (*stage_burst_t)(struct stage *s, struct rte_mbuf **pkts,
				  uint16_t n);

/** A named monotonic value, handed out by ops->telemetry. */
typedef void (*stage_emit_t)(void *arg, const char *name, uint64_t value);

struct stage_ops {
	const char *name;		/**< `kind:` in YAML */
	enum stage_role role;
	unsigned int flags;		/**< STAGE_F_* */
	const char *summary;		/**< one line for --help */
	const char *help;		/**< its keys, for --help */
	/** The kind's own YAML keys, NULL-terminated. */
	const char *const *keys;

	/** Bytes of the kind's config; parse() fills it (zeroed first). */
	size_t conf_size;
	int (*parse)(struct stage_args *a, void *kconf);
	/** Optional: files the config names (rules...), before EAL starts.
	 * @return 0, or -1 with a file:line:col message in err. */
	int (*check)(const void *kconf, char *err, size_t errlen);
	/** Optional: free what parse() allocated inside kconf. */
	void (*conf_free)(void *kconf);

	/** Bytes of private state; s->priv is zeroed and cache aligned. */
	size_t priv_size;
	/** Set s up; may pick s->burst (a variant). @return 0 or -errno,
	 * with a message on stderr naming the stage. */
	int (*init)(struct stage *s, const struct stage_env *env);
	stage_burst_t burst;
	/** STAGE_F_IDLE: called when the stage's segment found nothing. */
	void (*idle)(struct stage *s);
	/** Optional (SIGHUP): rebuild off the fast path and swap in. Writes
	 * one line to f. @return 0, or -1 if the old state was kept. */
	int (*reload)(struct stage *s, FILE *f);
	/** Optional: release what init() took; must cope with a failed init. */
	void (*fini)(struct stage *s);
	/** Optional: called on the housekeeping lcore every few ms while
	 * the pipeline runs, and once more after its lcores have stopped
	 * (FINAL true): work that must leave the fast path, such as writing
	 * the records a stage queued (an IDS's EVE log). Never from a stage
	 * loop; must not block for long. */
	void (*housekeeping)(struct stage *s, bool final);
	/**
	 * Optional, for stateful kinds in a fleet: the flows of the buckets
	 * set in MOVED (a bitmap of 256 bits, STAGE_FLOW_BUCKETS; a packet's
	 * bucket is stage_flow_bucket() of its stage_flow_hash(), both in
	 * stages/stage_flow.h) move
	 * from replica FROM to replica TO. Called on the spreader's lcore
	 * after FROM has finished every packet of those buckets and before
	 * TO sees one; both keep running their other buckets, so it must
	 * touch only the moved flows' state, and obey the burst rules (no
	 * system call, lock, allocation or wait). Without it the runtime
	 * drops the state (the kind simply never sees those flows again on
	 * FROM) and counts the buckets as state_dropped.
	 */
	void (*handover)(struct stage *from, struct stage *to,
			 const uint64_t *moved);

	/** Names of s->ctr.drops[i]. */
	const char *const *drop_names;
	unsigned int n_drops;
	/** Names of s->ctr.kind[i] (monotonic counters of the kind). */
	const char *const *counter_names;
	unsigned int n_counters;
	/** Optional: lines of its own in the exit report. */
	void (*report)(const struct stage *s, FILE *f);
	/** Optional: entries of its own in the stage's telemetry (a
	 * firewall's per-rule hits), each handed to EMIT; the runtime makes
	 * the names safe keys and pages long lists. Called on the telemetry
	 * thread, never during a reload. */
	void (*telemetry)(const struct stage *s, stage_emit_t emit, void *arg);

	struct stage_ops *next;		/**< registry list */
};

/*
 * Generic counters, declared once: struct fields, exit report, telemetry
 * and Prometheus names all come from this list.
 */
#define STAGE_COUNTERS(X)                                                      \
	X(pkts_in, "packets handed to the stage")                              \
	X(pkts_out, "packets passed on or sent")                               \
	X(bursts, "non-empty bursts entering the stage's segment (first stage only)")

/** Per-stage counters: one writer (the stage's lcore), updated per burst. */
struct stage_counters {
#define X(name, help) uint64_t name;
	STAGE_COUNTERS(X)
#undef X
	uint64_t drops[STAGE_DROPS_MAX];	/**< by ops->drop_names */
	uint64_t kind[STAGE_KCOUNTERS_MAX];	/**< by ops->counter_names */
	/** STAGE_F_PLANNED: TSC cycles of intended work since the loop
	 * last looked (the loop reads and clears it). */
	uint64_t planned_cycles;
} __rte_cache_aligned;

struct stage {
	/* Read-only in the loop. */
	const struct stage_ops *ops;
	stage_burst_t burst;		/**< ops->burst, or a variant of it */
	void *priv;			/**< the kind's state */
	const void *kconf;		/**< the kind's config */
	const char *name;
	uint16_t port_id, queue;	/**< STAGE_F_PORT kinds */
	unsigned int lcore;

	/* Written by the stage's lcore only; own cache lines. */
	struct stage_counters ctr;
	/** An input that will never have another packet (a capture's last
	 * loop is out): set by its burst, after which its segment drains
	 * and finishes as at a stop, but without stopping the others. */
	bool ended;
} __rte_cache_aligned;

/*
 * A kind declares its drop reasons once, X(ENUM_NAME, "name"), and makes
 * both its enum and its ops->drop_names from the list:
 *	enum { FOO_DROPS(STAGE_DROP_ENUM) FOO_DROP_MAX };
 *	static const char *const foo_drops[] = { FOO_DROPS(STAGE_DROP_NAME) };
 * Counters (ops->counter_names, s->ctr.kind[]) are declared the same way.
 */
#define STAGE_DROP_ENUM(e, s) e,
#define STAGE_DROP_NAME(e, s) [e] = s,

/*
 * Capture time: packets from a capture carry, in an mbuf dynfield of this
 * name (uint64_t), the capture-time gap in nanoseconds since the packet
 * before them (0 for the first). A paced output with `timing:` schedules
 * by it. A gap, not a time stamp, because a looped capture sends the same
 * mbuf again while an earlier copy may still sit in a ring: a gap is the
 * same for every copy, a stamp would change under the earlier one.
 */
#define STAGE_GAP_DYNFIELD "ffwd_capture_gap_ns"

/** Register (once; later calls find it) the gap dynfield: its offset, or
 * -errno. Slow path: from init, never from a burst. */
int stage_gap_field(void);

static inline uint64_t
stage_gap_ns(const struct rte_mbuf *m, int field)
{
	return *RTE_MBUF_DYNFIELD(m, field, const uint64_t *);
}

/*
 * A capture's place in one schedule shared by several outputs (a capture
 * dealt over ports with `every:`, an output with `shared: true`): in an
 * mbuf dynfield of this name, the packets and bytes of the whole capture
 * from the packet before this one in its share (included) up to this one
 * (excluded). An output adds them, as it adds the capture gap, before
 * each packet: pps counts the packets, mbps their bits (plus its per-frame
 * overhead), so every packet keeps the time it has in the one schedule of
 * every packet, whichever output sends it. The first packet a share sends
 * carries what lies before it in the first pass (0 for packet 0), and so
 * does its capture gap. Like the gap, the same for every copy of an mbuf.
 */
#define STAGE_SPAN_DYNFIELD "ffwd_capture_span"

struct stage_span {
	uint32_t pkts;
	uint32_t bytes;
};

/** Register (once) the span dynfield: its offset, or -errno. From init. */
int stage_span_field(void);

static inline struct stage_span
stage_span(const struct rte_mbuf *m, int field)
{
	return *RTE_MBUF_DYNFIELD(m, field, const struct stage_span *);
}

static inline void
stage_span_set(struct rte_mbuf *m, int field, uint32_t pkts, uint32_t bytes)
{
	struct stage_span *sp = RTE_MBUF_DYNFIELD(m, field, struct stage_span *);

	sp->pkts = pkts;
	sp->bytes = bytes;
}

/** Add OPS to the registry (from a constructor: STAGE_REGISTER). */
void stage_register(struct stage_ops *ops);

#define STAGE_REGISTER(ops)						\
	RTE_INIT(stage_register_##ops) { stage_register(&(ops)); }

/** The kind called NAME, or NULL. */
const struct stage_ops *stage_kind_find(const char *name);

/** Kinds in a stable order (by role, then name): NULL starts, NULL ends. */
const struct stage_ops *stage_kind_next(const struct stage_ops *prev);

/** "an" before input/output, else "a": for messages. */
const char *stage_kind_article(const struct stage_ops *ops);

/**
 * Set s up as OPS (kconf parsed by ops->parse): allocates s->priv on
 * env->socket and calls ops->init. @return 0 or -errno.
 */
int stage_init(struct stage *s, const struct stage_ops *ops, const char *name,
	       const void *kconf, const struct stage_env *env);

/** ops->fini and free s->priv; idempotent. */
void stage_fini(struct stage *s);

/** Sum of s's drops over all reasons. */
uint64_t stage_drops(const struct stage *s);

/** Drop (free and count) pkts[0..n) as reason R: the common slow path. */
static inline void
stage_drop(struct stage *s, unsigned int r, struct rte_mbuf **pkts, uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
	s->ctr.drops[r] += n;
}

#endif /* FFWD_STAGE_H */
