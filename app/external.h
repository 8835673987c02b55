/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * external: stages served by another process, and the block both
 * processes share to find each other and keep the accounting.
 *
 * The primary (ffwd CONFIG) makes, for each `kind: external` place, the
 * ring into it and the ring out of it (ordinary pipeline rings, in
 * memzones "<label>.<from>-><to>"), and one memzone "<label>.ext" holding
 * a slot per place: the ring names, where the segment before it says it
 * has drained, the state of the attachment and the attached stage's
 * counters. `ffwd attach LABEL STAGE` (app/attach.c), a DPDK secondary of
 * the same file prefix, takes the slot (FREE -> ATTACHED), serves the
 * rings on its own lcore and gives the slot back (-> FREE) on detach,
 * with its stash placed: the rings keep every packet in order for the
 * next one. At exit, with nothing attached, the primary takes the slot
 * itself (FREE -> CLAIMED) to empty the ring into it.
 *
 * The slot's counters are the attached stages' own, summed over every
 * attachment and written only by the attached process's stage lcore:
 * pkts_in (taken from the ring into the place) = pkts_out (placed in the
 * ring out of it) + drops + what that lcore holds. The primary's
 * housekeeping copies them into the external stage's counters, so its
 * path accounting sees the packets handed out and back and the drops
 * made over there.
 */
#ifndef FFWD_EXTERNAL_H
#define FFWD_EXTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ffwd_ring.h"
#include "stage.h"

#define EXT_MAX		8		/**< external places per pipeline */
#define EXT_ZONE	"ext"		/**< memzone "<label>.ext" */
#define EXT_MAGIC	0x66657874u	/**< "fext", and the layout's version */

enum ext_state {
	EXT_FREE,		/**< nothing attached: the rings wait */
	EXT_ATTACHED,		/**< a process serves the place */
	EXT_CLAIMED,		/**< the primary emptied it at exit */
};

struct ext_slot {
	/* Set by the primary before it starts; read-only after. */
	char stage[STAGE_NAME_MAX];
	char in_ring[RING_NAMESIZE];	/**< for ring_lookup(label, ...) */
	char out_ring[RING_NAMESIZE];
	const int *up_done;		/**< the segment before has drained
					 *   (shared memory: same address in
					 *   both processes) */
	/* The state word (CAS) and who holds it. */
	uint32_t state;			/**< enum ext_state */
	int32_t pid;			/**< the attached process */
	uint32_t lcore;			/**< its stage lcore */
	int down_done;			/**< set (release) once everything
					 *   the ring in held has gone out */
	uint64_t attaches, detaches;
	char kind[STAGE_NAME_MAX];	/**< the attached stage's kind */
	/* Written by the attached stage's lcore only, own line. */
	uint64_t pkts_in __rte_cache_aligned;
	uint64_t pkts_out;
	uint64_t drops;
	uint64_t bursts;
} __rte_cache_aligned;

struct ext_dir {
	uint32_t magic;
	uint32_t n;
	uint64_t lcores_used[2];	/**< the primary's lcores (bitmap):
					 *   an attach must use others, or
					 *   the mempool caches would clash */
	struct ext_slot slot[EXT_MAX];
};

struct app;

/**
 * Called by the segment builder at an external stage S of path P, after
 * the segment before it (PREV_DONE its done flag): makes the ring into S
 * (returned through *in) and records the slot. @return 0 or -1 (err).
 */
int app_external_add(struct app *a, unsigned int path, struct stage *from,
		     struct stage *s, const int *prev_done,
		     struct ffwd_ring **in, char *err, size_t errlen);

/** The ring out of S is made (OUT): record it; *done is the flag the
 * segment after it waits on. @return 0 or -1 (err). */
int app_external_out(struct app *a, struct stage *s, struct ffwd_ring *out,
		     const int **done, char *err, size_t errlen);

/** The slot of external stage S, or NULL. */
struct ext_slot *app_external_slot(const struct app *a, const struct stage *s);

/** A process serves external stage S now. */
bool app_external_attached(const struct app *a, const struct stage *s);

/** Housekeeping (main lcore): the slots' counters into the stages', and
 * detaches noticed. DRAINING: the pipeline stops; a place with nothing
 * attached whose upstream has drained is claimed and emptied. */
void app_external_poll(struct app *a, bool draining);

/** Free the directory memzone. */
void app_external_free(struct app *a);

#endif /* FFWD_EXTERNAL_H */
