/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run: the runtime's one entry for every command. From a validated conf
 * it derives EAL's arguments and starts EAL, builds the pipeline (pool,
 * ports, stages, rings), waits for the links, registers the telemetry,
 * launches the lcores, supervises them from the main lcore (signals,
 * SIGHUP reloads, idle exit, duration, the stats line) until they have
 * drained, prints the exit report (the accounting) and cleans up. `ffwd`
 * runs a YAML pipeline through it, `ffwd replay` a generated one; a
 * command adds its own display and report through hooks.
 */
#ifndef FFWD_RUN_H
#define FFWD_RUN_H

#include <stdbool.h>

#include "app.h"
#include "conf.h"

#define APP_EXIT_OK		0
#define APP_EXIT_RUNTIME	1	/**< EAL, port or memory failure */
#define APP_EXIT_CONFIG		2	/**< bad config, capture or arguments */
#define APP_EXIT_MISMATCH	3	/**< packets or mbufs unaccounted for */
#define APP_EXIT_PORT_LOSS	4	/**< accounted for, but ports lost packets
					     (imissed, rx_nombuf, oerrors) */

/** A command's additions to a run; every hook is optional. */
struct app_run_hooks {
	/** Built, links not yet waited for. @return 0, or an exit status
	 * to stop with (the hook printed why). */
	int (*built)(struct app *a, void *arg);
	/** Just before the lcores launch. */
	void (*launch)(struct app *a, void *arg);
	/** Every supervision round (about 100 a second), main lcore. */
	void (*tick)(struct app *a, void *arg, double elapsed_s);
	/** The lcores have drained; the ports are not yet stopped. */
	void (*drained)(struct app *a, void *arg);
	/** After the exit report; STATUS is the run's exit status so far.
	 * @return the exit status. */
	int (*report)(struct app *a, void *arg, int status);
};

struct app_run_opts {
	const char *prog;		/**< argv[0]: EAL's first argument */
	const char *name;		/**< the config file, for messages */
	double stats_interval;		/**< < 0: 1 s on a TTY, else off; 0: off */
	unsigned int idle_exit_ms;	/**< 0: off */
	unsigned int hiccup_us;		/**< 0: default */
	double duration_s;		/**< 0: no limit */
	double link_wait_s;		/**< 0: do not wait */
	unsigned int start_delay_ms;
	int eal_argc;			/**< extra EAL args ("--" and after) */
	char **eal_argv;
	bool quiet;			/**< no "pipeline running" line */
	bool rm_runtime_dir;		/**< remove EAL's runtime folder at the
					     end (a label unique to this run) */
	const struct app_run_hooks *hooks;
	void *arg;			/**< the hooks' argument */
};

/**
 * Run CONF (parsed and checked: conf_load/conf_parse, capfile and kind
 * checks) to the end. Installs the SIGINT/SIGTERM/SIGHUP handlers, starts
 * and stops EAL: once per process. @return an APP_EXIT_* status.
 */
int app_run(const struct conf *conf, const struct app_run_opts *o);

#endif /* FFWD_RUN_H */
