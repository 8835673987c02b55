/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run: EAL from the conf, the pipeline's life on the main lcore, and the
 * exit report. See run.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw() */
#endif
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_pdump.h>

#include "app.h"
#include "fleet.h"
#include "mono.h"
#include "port.h"
#include "run.h"
#include "telemetry.h"

#define EAL_ARGS_MAX	(64 + 2 * CONF_MAX_PORTS)

/* EAL's argv, derived from the config; strings live in `store`. */
struct eal_args {
	int argc;
	char *argv[EAL_ARGS_MAX];
	char store[8192];
	size_t used;
};

static char *
eal_push(struct eal_args *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *
eal_push(struct eal_args *e, const char *fmt, ...)
{
	char *at = e->store + e->used;
	va_list ap;
	int n;

	if (e->argc >= EAL_ARGS_MAX - 1)
		return NULL;
	va_start(ap, fmt);
	n = vsnprintf(at, sizeof(e->store) - e->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(e->store) - e->used)
		return NULL;
	e->used += n + 1;
	e->argv[e->argc++] = at;
	return at;
}

static int
eal_args_build(struct eal_args *e, const struct conf *c,
	       const struct app_run_opts *o)
{
	char lcores[1024] = "";
	size_t len = 0;
	bool pci = false;
	unsigned int i;
	int ok = 1;

	memset(e, 0, sizeof(*e));
	ok &= eal_push(e, "%s", o->prog) != NULL;
	ok &= eal_push(e, "--file-prefix") && eal_push(e, "%s", c->label);
	for (i = 0; i < CONF_MAX_LCORES; i++) {
		if (c->cpu_of[i] < 0)
			continue;
		len += snprintf(lcores + len, sizeof(lcores) - len, "%s%u@%d",
				len ? "," : "", i, c->cpu_of[i]);
	}
	ok &= eal_push(e, "--lcores") && eal_push(e, "%s", lcores);
	ok &= eal_push(e, "--main-lcore") && eal_push(e, "%u", c->housekeeping);
	if (!c->hugepages)
		ok &= eal_push(e, "--no-huge") && eal_push(e, "-m") &&
		      eal_push(e, "%u", c->memory_mb);
	for (i = 0; i < c->n_ports; i++) {
		const struct conf_port *cp = &c->ports[i];
		unsigned int nq = RTE_MAX(cp->rxq, cp->txq);

		if (port_is_driver(cp, "net_af_xdp")) {
			char extra[96] = "";
			size_t at = 0;

			/* One XDP socket per queue pair, on the interface's
			 * queues start_queue.. (0 by default). */
			if (nq > 1 && strstr(cp->dev, "queue_count=") == NULL)
				at += snprintf(extra + at, sizeof(extra) - at,
					       ",queue_count=%u", nq);
			if (cp->busy_budget >= 0)
				at += snprintf(extra + at, sizeof(extra) - at,
					       ",busy_budget=%d", (int)cp->busy_budget);
			if (cp->force_copy)
				snprintf(extra + at, sizeof(extra) - at, ",force_copy=1");
			ok &= eal_push(e, "--vdev") &&
			      eal_push(e, "%s%s", cp->dev, extra);
		} else if (strncmp(cp->dev, "net_", 4) == 0) {
			ok &= eal_push(e, "--vdev") && eal_push(e, "%s", c->ports[i].dev);
		} else {
			ok &= eal_push(e, "-a") && eal_push(e, "%s", c->ports[i].dev);
			pci = true;
		}
	}
	if (!pci)
		ok &= eal_push(e, "--no-pci") != NULL;
	ok &= eal_push(e, "--log-level") && eal_push(e, "lib.eal:warning");
	for (i = 0; i < (unsigned int)o->eal_argc; i++)
		ok &= eal_push(e, "%s", o->eal_argv[i]) != NULL;
	return ok ? 0 : -1;
}

/* A label's runtime directory and sockets are its owner's alone: whoever
 * can open the telemetry socket can read everything about the pipeline. */
static void
owner_only(const char *dir)
{
	char path[PATH_MAX];

	if (chmod(dir, 0700) != 0)
		fprintf(stderr, "warning: chmod 0700 %s: %s\n", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/dpdk_telemetry.v2", dir);
	chmod(path, 0600);
}

static int
run_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	/* Best effort: a file that will not go leaves its folder behind,
	 * nothing worse, so the walk goes on. */
	remove(path);
	return 0;
}

/*
 * Stop EAL and, for a run whose label is its own (a replay's holds the
 * pid), remove its runtime folder: a command run from a test loop would
 * otherwise leave a folder per run under /var/run/dpdk. A prefix given
 * after "--" is left alone.
 */
static void
run_eal_cleanup(const struct conf *c, const struct app_run_opts *o)
{
	char dir[PATH_MAX], want[CONF_LABEL_MAX + 2];
	size_t len, wlen;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	snprintf(want, sizeof(want), "/%s", c->label);
	rte_pdump_uninit();
	rte_eal_cleanup();
	if (!o->rm_runtime_dir)
		return;
	len = strlen(dir);
	wlen = strlen(want);
	if (len > wlen && strcmp(dir + len - wlen, want) == 0)
		nftw(dir, run_rm, 8, FTW_DEPTH | FTW_PHYS);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		app_reload = 1;
	else
		app_stop = 1;
}

static int
reload_stages(void *arg)
{
	return app_reload_stages(arg, stderr);
}

/* Every segment has drained: a pipeline whose inputs all end (captures
 * sent their last pass) stops by itself. */
static bool
run_drained(const struct app *a)
{
	unsigned int i;

	for (i = 0; i < a->n_segs; i++)
		if (!__atomic_load_n(&a->segs[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

/*
 * The main lcore is housekeeping: it watches for the stop conditions and
 * prints stats while the stage lcores run.
 */
static void
supervise(struct app *a, const struct app_run_opts *o)
{
	const struct app_run_hooks *h = o->hooks;
	double start = mono_now(), last_change = start, last_stats = start;
	double last_link = start;
	double interval = o->stats_interval;
	uint64_t last_rx = 0;

	if (interval < 0)
		interval = isatty(STDOUT_FILENO) ? 1.0 : 0;
	while (!app_stop && !run_drained(a)) {
		double t;
		uint64_t rx;

		usleep(10000);
		app_housekeeping(a, false);
		fleet_poll_requests(a, rte_eal_get_runtime_dir());
		if (app_reload) {
			app_reload = 0;
			/* Telemetry reads kinds' own counters (a
			 * firewall's per-rule hits); keep it out while
			 * their state is swapped. */
			telemetry_quiesce(reload_stages, a);
		}
		t = mono_now();
		rx = app_received(a);
		if (rx != last_rx) {
			last_rx = rx;
			last_change = t;
		}
		if (o->idle_exit_ms && (t - last_change) * 1000 >= o->idle_exit_ms)
			app_stop = 1;
		if (o->duration_s > 0 && t - start >= o->duration_s)
			app_stop = 1;
		/* Link state of bump-in-the-wire pairs: here, never in a
		 * stage loop (it asks the PMD, may take a lock or a syscall). */
		if (t - last_link >= 0.1) {
			port_link_watch(a->ports, a->conf->n_ports, stderr);
			last_link = t;
		}
		if (interval > 0 && t - last_stats >= interval) {
			app_print_rates(a, stdout, t - last_stats);
			last_stats = t;
		}
		if (h != NULL && h->tick != NULL)
			h->tick(a, o->arg, t - start);
	}
}

int
app_run(const struct conf *conf, const struct app_run_opts *o)
{
	static struct app app;
	const struct app_run_hooks *h = o->hooks;
	char err[CONF_ERR_MAX + 256];
	struct eal_args eal;
	int ret;

	if (eal_args_build(&eal, conf, o) != 0) {
		fprintf(stderr, "%s: EAL arguments too long\n", o->name);
		return APP_EXIT_CONFIG;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	/* A memif peer that goes away must not kill us: its control
	 * socket write then fails with EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
	if (rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr, "%s: EAL init failed: %s\n", o->name,
			rte_strerror(rte_errno));
		return APP_EXIT_RUNTIME;
	}
	owner_only(rte_eal_get_runtime_dir());
	/* dpdk-dumpcap (ffwdctl capture) attaches as a secondary process
	 * and asks for copies of a port's RX and TX through this: a callback
	 * on the port's queues, idle until a capture is enabled. */
	if (rte_pdump_init() != 0)
		fprintf(stderr, "%s: packet capture (rte_pdump_init) unavailable: %s; "
			"running without it\n", o->name, rte_strerror(rte_errno));
	ret = app_build(&app, conf, err, sizeof(err));
	if (ret != 0)
		fprintf(stderr, "%s\n", err);
	else if (h != NULL && h->built != NULL)
		ret = h->built(&app, o->arg);
	if (ret != 0) {
		app_free(&app);
		run_eal_cleanup(conf, o);
		return ret > 0 ? ret : APP_EXIT_RUNTIME;
	}
	if (o->hiccup_us != 0)
		app.hiccup_us = o->hiccup_us;
	if (o->link_wait_s > 0)
		app_wait_links(&app, o->link_wait_s, stderr);
	port_link_pairs(app.ports, conf);
	if (o->start_delay_ms > 0 && !app_stop)
		usleep(o->start_delay_ms * 1000u);
	if (telemetry_register(&app, o->name) != 0)
		fprintf(stderr, "%s: telemetry commands not registered; running "
			"without them\n", o->name);
	if (h != NULL && h->launch != NULL)
		h->launch(&app, o->arg);
	if (app_launch(&app, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		telemetry_unregister();
		app_free(&app);
		run_eal_cleanup(conf, o);
		return APP_EXIT_RUNTIME;
	}
	if (!o->quiet) {
		printf("ffwd %s: pipeline '%s' running: %u stages, %u rings, %u lcores\n",
		       FFWD_VERSION, conf->label, app.n_stages, app.n_rings,
		       app.n_lcores);
		fflush(stdout);
	}
	supervise(&app, o);
	__atomic_store_n(&app.state, "draining", __ATOMIC_RELAXED);
	app_wait(&app);
	app_housekeeping(&app, true);
	__atomic_store_n(&app.state, "stopped", __ATOMIC_RELAXED);
	if (h != NULL && h->drained != NULL)
		h->drained(&app, o->arg);
	ret = app_report(&app, stdout);
	ret = ret < 0 ? APP_EXIT_MISMATCH : ret > 0 ? APP_EXIT_PORT_LOSS : APP_EXIT_OK;
	if (h != NULL && h->report != NULL)
		ret = h->report(&app, o->arg, ret);
	telemetry_unregister();
	app_free(&app);
	run_eal_cleanup(conf, o);
	return ret;
}
