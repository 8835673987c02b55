/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conf: the pipeline configuration, parsed from YAML and validated
 * completely before EAL starts.
 *
 * Every error is reported as "file:line:col: what was wrong, what was
 * expected" (line and column 1-based, pointing at the offending YAML node);
 * the caller prints it and exits with status 2.
 */
#ifndef FFWD_CONF_H
#define FFWD_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "stage.h"

#define CONF_NAME_MAX	 STAGE_NAME_MAX	/**< longest port/stage/path name, incl. NUL */
#define CONF_LABEL_MAX	 16	/**< longest label, incl. NUL (memzone names) */
#define CONF_DEV_MAX	 512	/**< longest devargs string, incl. NUL */
#define CONF_PATH_MAX	 4096
#define CONF_MAX_PORTS	 16
#define CONF_MAX_STAGES	 32	/**< per path */
#define CONF_MAX_PATHS	 8
#define CONF_MAX_LCORES	 128	/**< lcore ids are 0 .. CONF_MAX_LCORES-1 */
#define CONF_ERR_MAX	 1024
#define CONF_FLEET_MAX	 16	/**< lcores one fleet may reserve */

/** Where a YAML node sits in its file, for error messages. */
struct conf_mark {
	unsigned int line;	/**< 1-based */
	unsigned int col;	/**< 1-based */
};

enum conf_idle {
	CONF_IDLE_SPIN,		/**< busy-poll, no system call ever */
	CONF_IDLE_YIELD,	/**< sched_yield() after an empty poll */
};

/** Receive side scaling of a port with several RX queues. */
enum conf_rss {
	CONF_RSS_OFF,		/**< one queue, or the PMD's own spreading */
	CONF_RSS_SYMMETRIC,	/**< Toeplitz, symmetric key: both directions
				 *   of a flow on the same queue */
};

struct conf_port {
	char name[CONF_NAME_MAX];	/**< key under "ports:" */
	char dev[CONF_DEV_MAX];		/**< DPDK devargs: vdev or PCI address */
	uint16_t rxq;			/**< RX queues, default 1 */
	uint16_t txq;			/**< TX queues, default 1 */
	uint16_t rxd;			/**< RX descriptors, default 1024 */
	uint16_t txd;			/**< TX descriptors, default 1024 */
	uint16_t mtu;			/**< 0: the PMD's default */
	enum conf_rss rss;		/**< default CONF_RSS_OFF */
	int32_t busy_budget;		/**< net_af_xdp: -1 the PMD's default */
	bool force_copy;		/**< net_af_xdp: zero_copy: off */
	bool link_propagate;		/**< bump: its link loss takes the
					 *   peer port down; default true */
	struct conf_mark mark;
};

/*
 * A stage: the keys every kind has, parsed here; the kind's own keys are
 * parsed by its ops->parse into kconf (ops->conf_size bytes, owned by the
 * conf and freed by conf_free()).
 */
struct conf_stage {
	char name[CONF_NAME_MAX];
	const struct stage_ops *ops;	/**< the kind */
	unsigned int lcore;
	enum conf_idle idle;		/**< default CONF_IDLE_SPIN */
	int port;			/**< index into conf.ports (STAGE_F_PORT), else -1 */
	uint16_t queue;			/**< port queue (STAGE_F_PORT), default 0 */
	void *kconf;			/**< the kind's config */
	/*
	 * A fleet (app stages only): `lcores: [a, b]` or `replicas: N` from
	 * `lcore` on reserves n_lcores lcores, one copy of the stage (of its
	 * fused run) on each; `replicas` of them are active at start, the
	 * others provisioned but parked until `ffwdctl scale`. n_lcores 0:
	 * not a fleet, one copy on `lcore` (= lcores[0] for a fleet).
	 */
	unsigned int n_lcores;
	unsigned int lcores[CONF_FLEET_MAX];
	unsigned int replicas;
	struct conf_mark mark;
};

/** What a path does while a stage of it is stalled or detached. */
enum conf_bypass {
	CONF_BYPASS_OFF,	/**< back-pressure: rings fill, inputs hold */
	CONF_BYPASS_OPEN,	/**< fail-open: input straight to the output */
	CONF_BYPASS_CLOSED,	/**< fail-closed: drop, counted as bypass_drop */
};
#define CONF_STALL_MS_DEFAULT	100

struct conf_path {
	char name[CONF_NAME_MAX];
	enum conf_bypass bypass;	/**< default CONF_BYPASS_OFF */
	uint32_t stall_ms;		/**< no progress this long is a stall */
	unsigned int n_stages;
	struct conf_stage stages[CONF_MAX_STAGES];
	struct conf_mark mark;
};

struct conf {
	char file[CONF_PATH_MAX];	/**< as given, used in messages */
	char label[CONF_LABEL_MAX];	/**< [A-Za-z0-9_-], 1..15 chars */
	unsigned int housekeeping;	/**< main lcore, default 0 */
	bool hugepages;			/**< false: --no-huge */
	unsigned int memory_mb;		/**< -m with --no-huge, default 512 */
	uint32_t mbufs;			/**< pool size, default 8191 */
	uint16_t mbuf_size;		/**< data room, default 2176 (RTE default) */
	uint32_t ring_size;		/**< power of two >= 16, default 1024 */
	/** lcore -> CPU; cpu_of[l] < 0: lcore unused. Default: lcore l on CPU l. */
	int cpu_of[CONF_MAX_LCORES];
	bool cpus_given;		/**< "cpus:" map present */
	unsigned int n_ports;
	struct conf_port ports[CONF_MAX_PORTS];
	unsigned int n_paths;
	struct conf_path paths[CONF_MAX_PATHS];
};

/**
 * Parse and validate FILE into CONF.
 *
 * @return 0 on success; -1 on error with a one-line message in ERR of the
 *   form "file:line:col: what was wrong, expected what". Never exits.
 */
int conf_load(struct conf *conf, const char *file, char *err, size_t errlen);

/** Same as conf_load() but from a string; FILE is used only in messages. */
int conf_parse(struct conf *conf, const char *file, const char *text,
	       size_t len, char *err, size_t errlen);

/** Free what conf_parse() allocated (the kinds' configs); idempotent. */
void conf_free(struct conf *conf);

/**
 * Run every stage kind's ops->check (the files a config names, such as
 * rules), before EAL. @return 0, or -1 with a message in err.
 */
int conf_check_kinds(const struct conf *conf, char *err, size_t errlen);

extern const char *const conf_bypass_names[3];

/**
 * Parse TEXT, one stage's YAML mapping ({ kind: KIND, and its keys }), as
 * the only stage of a one-path CONF: `ffwd attach`. NAME and LCORE come
 * from the command line, so the mapping must not give name, lcore or
 * idle; the kind must be an app kind. @return 0, or -1 with
 * "file:line:col: ..." in err.
 */
int conf_parse_stage_alone(struct conf *conf, const char *file,
			   const char *text, size_t len, const char *name,
			   unsigned int lcore, char *err, size_t errlen);

#endif /* FFWD_CONF_H */
