/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwd attach LABEL STAGE [options] -- KIND-CONFIG
 *
 * Serves the external place STAGE of the running pipeline LABEL as a stage
 * of any app kind, in a DPDK secondary process of the same file prefix, on
 * an lcore of its own: it takes the place's slot (external.h), looks up
 * the ring into the place and the ring out of it, and runs the same
 * non-blocking loop as a segment of the pipeline (a stash, never a wait).
 * SIGTERM or SIGINT detaches: the burst in hand is placed, the slot given
 * back, the rings left as they are; the next `ffwd attach` goes on from
 * the very next packet. When the pipeline stops, the place drains and the
 * process exits by itself.
 */
#define _GNU_SOURCE /* sched_getaffinity() */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_memzone.h>

#include "attach.h"
#include "conf.h"
#include "external.h"
#include "ffwd_ring.h"
#include "stage.h"

#define ATTACH_EXIT_REFUSED	2
#define ATTACH_EXIT_MISMATCH	3
#define ATTACH_TEXT_MAX		(64 * 1024)

static volatile int attach_stop;
static volatile int attach_reload;

struct attach_opts {
	const char *label, *stage;
	unsigned int lcore, main_lcore;
	int cpu;
	bool yield;
	const char *file;	/**< KIND-CONFIG: a file, or NULL */
	char text[ATTACH_TEXT_MAX];
};

/* What the stage lcore runs, and its counters (it alone writes them). */
struct attach_run {
	struct stage *s;
	struct ffwd_ring *in, *out;
	struct ext_slot *sl;
	bool yield;
	uint64_t base_in, base_out, base_drop, base_bursts;
	uint64_t in_n, out_n, bursts;
	uint16_t held;		/**< the stash at exit: 0 */
	int finished;		/**< the pipeline drained through us */
};

static void
attach_usage(FILE *f)
{
	fprintf(f,
"usage: ffwd attach LABEL STAGE [--lcore N] [--main-lcore M] [--cpu C]\n"
"                   [--idle spin|yield] -- KIND-CONFIG\n"
"\n"
"Serves STAGE, a `kind: external` stage of the running pipeline LABEL, as\n"
"a stage of any app kind, in a DPDK secondary process of the same label on\n"
"lcore N (on CPU C). KIND-CONFIG is the stage's YAML mapping without name,\n"
"lcore or idle: a flow mapping, e.g. '{ kind: firewall, rules: FILE }', or\n"
"a YAML file holding it. The pipeline must run on hugepages.\n"
"\n"
"  --lcore N       the stage's lcore id (default 126); it must not be one\n"
"                  of the pipeline's (each lcore id has its own mbuf cache)\n"
"  --main-lcore M  this process's main lcore id (default 127)\n"
"  --cpu C         the CPU of both (default: the last CPU this process may\n"
"                  use)\n"
"  --idle MODE     spin (default) or yield after an empty poll\n"
"\n"
"SIGTERM/SIGINT detaches: the burst in hand goes out, the rings stay; the\n"
"next attach resumes with the next packet, none lost or reordered. SIGHUP\n"
"reloads what the stage reloads. Only the owner of LABEL's runtime folder\n"
"may attach, and only while that folder is closed to others.\n"
"exit status: 0 detached or drained, every packet accounted for; 1\n"
"run-time failure; 2 bad arguments or config, or refused; 3 packets\n"
"unaccounted for.\n");
}

static void
attach_on_signal(int sig)
{
	if (sig == SIGHUP)
		attach_reload = 1;
	else
		attach_stop = 1;
}

static bool
attach_label_ok(const char *l)
{
	size_t i, n = strlen(l);

	if (n == 0 || n >= CONF_LABEL_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)l[i]) && l[i] != '_' && l[i] != '-')
			return false;
	return true;
}

static int
attach_last_cpu(void)
{
	cpu_set_t set;
	int c, last = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			last = c;
	return last;
}

static int
attach_parse_opts(int argc, char **argv, struct attach_opts *o)
{
	static const struct option longopts[] = {
		{ "lcore", required_argument, NULL, 'l' },
		{ "main-lcore", required_argument, NULL, 'm' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "idle", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	size_t len = 0;
	int opt, split, i;
	struct stat sb;

	o->lcore = CONF_MAX_LCORES - 2;
	o->main_lcore = CONF_MAX_LCORES - 1;
	o->cpu = -1;
	for (split = 1; split < argc && strcmp(argv[split], "--") != 0; split++)
		;
	optind = 1;
	while ((opt = getopt_long(split, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l':
		case 'm':
		case 'c':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg ||
			    v >= (opt == 'c' ? CPU_SETSIZE : CONF_MAX_LCORES)) {
				fprintf(stderr, "ffwd attach: bad value '%s' for --%s, expected an integer 0..%d\n",
					optarg, opt == 'l' ? "lcore" : opt == 'm' ? "main-lcore" : "cpu",
					(opt == 'c' ? CPU_SETSIZE : CONF_MAX_LCORES) - 1);
				return -1;
			}
			if (opt == 'l')
				o->lcore = (unsigned int)v;
			else if (opt == 'm')
				o->main_lcore = (unsigned int)v;
			else
				o->cpu = (int)v;
			break;
		case 'i':
			if (strcmp(optarg, "spin") != 0 && strcmp(optarg, "yield") != 0) {
				fprintf(stderr, "ffwd attach: --idle is '%s', expected spin or yield\n",
					optarg);
				return -1;
			}
			o->yield = strcmp(optarg, "yield") == 0;
			break;
		case 'h':
			attach_usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "try 'ffwd attach --help'\n");
			return -1;
		}
	}
	if (split - optind != 2 || split + 1 >= argc) {
		fprintf(stderr, "ffwd attach: expected LABEL STAGE [options] -- KIND-CONFIG (see ffwd attach --help)\n");
		return -1;
	}
	o->label = argv[optind];
	o->stage = argv[optind + 1];
	if (!attach_label_ok(o->label)) {
		fprintf(stderr, "ffwd attach: label '%s' is not 1..%d chars of [A-Za-z0-9_-]\n",
			o->label, CONF_LABEL_MAX - 1);
		return -1;
	}
	if (strlen(o->stage) == 0 || strlen(o->stage) >= STAGE_NAME_MAX) {
		fprintf(stderr, "ffwd attach: stage name '%s' is not 1..%d chars\n",
			o->stage, STAGE_NAME_MAX - 1);
		return -1;
	}
	if (o->lcore == o->main_lcore) {
		fprintf(stderr, "ffwd attach: --lcore and --main-lcore are both %u, expected two lcores\n",
			o->lcore);
		return -1;
	}
	if (o->cpu < 0)
		o->cpu = attach_last_cpu();
	/* One argument naming a file: the file is the mapping. */
	if (argc - split == 2 && stat(argv[split + 1], &sb) == 0 &&
	    S_ISREG(sb.st_mode)) {
		FILE *f = fopen(argv[split + 1], "r");

		if (f == NULL) {
			fprintf(stderr, "ffwd attach: %s: %s\n", argv[split + 1],
				strerror(errno));
			return -1;
		}
		len = fread(o->text, 1, sizeof(o->text) - 1, f);
		fclose(f);
		o->text[len] = '\0';
		o->file = argv[split + 1];
		return 0;
	}
	for (i = split + 1; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (len + n + 2 > sizeof(o->text)) {
			fprintf(stderr, "ffwd attach: KIND-CONFIG is too long\n");
			return -1;
		}
		if (len != 0)
			o->text[len++] = ' ';
		memcpy(o->text + len, argv[i], n);
		len += n;
	}
	o->text[len] = '\0';
	return 0;
}

/*
 * Only the label's owner attaches: its runtime folder (where EAL keeps
 * the config a secondary maps) must exist, be ours and be closed to
 * group and others, as the pipeline leaves it (owner_only() in main.c).
 */
static int
attach_check_owner(const char *label)
{
	char dir[PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat sb;

	if (geteuid() == 0)
		snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", label);
	else
		snprintf(dir, sizeof(dir), "%s/dpdk/%s",
			 xdg != NULL ? xdg : "/tmp", label);
	if (lstat(dir, &sb) != 0) {
		fprintf(stderr, "ffwd attach: %s: %s: is pipeline '%s' running (as this user)?\n",
			dir, strerror(errno), label);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "ffwd attach: %s is not a folder; refused\n", dir);
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		fprintf(stderr, "ffwd attach: %s belongs to uid %u, not to us (uid %u): the label is another user's; refused\n",
			dir, (unsigned int)sb.st_uid, (unsigned int)geteuid());
		return -1;
	}
	if (sb.st_mode & 077) {
		fprintf(stderr, "ffwd attach: %s has mode %03o, expected no access for group and others (0700); refused\n",
			dir, (unsigned int)(sb.st_mode & 0777));
		return -1;
	}
	return 0;
}

static void
attach_publish(struct attach_run *r)
{
	struct ext_slot *sl = r->sl;

	__atomic_store_n(&sl->pkts_in, r->base_in + r->in_n, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->pkts_out, r->base_out + r->out_n, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->drops, r->base_drop + stage_drops(r->s),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&sl->bursts, r->base_bursts + r->bursts, __ATOMIC_RELAXED);
}

/* The stage lcore: a segment between two rings, as in app_seg_poll(). */
static int
attach_loop(void *arg)
{
	struct attach_run *r = arg;
	struct stage *s = r->s;
	struct rte_mbuf *buf[STAGE_BURST];
	uint16_t off = 0, left = 0, n, t;

	for (;;) {
		if (left != 0) {
			t = ring_enqueue_burst(r->out, (void *const *)(buf + off), left);
			off += t;
			left -= t;
			r->out_n += t;
			if (t != 0)
				attach_publish(r);
			continue;	/* the stash first, whatever else */
		}
		if (attach_stop)
			break;
		n = ring_dequeue_burst(r->in, (void **)buf, STAGE_BURST);
		if (n == 0 && __atomic_load_n(r->sl->up_done, __ATOMIC_ACQUIRE)) {
			n = ring_dequeue_burst(r->in, (void **)buf, STAGE_BURST);
			if (n == 0) {
				/* RELEASE: our enqueues before the flag. */
				__atomic_store_n(&r->sl->down_done, 1, __ATOMIC_RELEASE);
				r->finished = 1;
				break;
			}
		}
		if (n == 0) {
			if (s->ops->flags & STAGE_F_IDLE)
				s->ops->idle(s);
			if (r->yield)
				sched_yield();
			continue;
		}
		r->in_n += n;
		r->bursts++;
		n = s->burst(s, buf, n);
		off = 0;
		left = n;
		attach_publish(r);
	}
	r->held = left;
	attach_publish(r);
	return 0;
}

static struct ext_slot *
attach_find_slot(struct ext_dir *dir, const char *stage, char *names, size_t size)
{
	unsigned int i;
	size_t len = 0;

	names[0] = '\0';
	for (i = 0; i < dir->n && i < EXT_MAX; i++) {
		if (strcmp(dir->slot[i].stage, stage) == 0)
			return &dir->slot[i];
		len += snprintf(names + len, len < size ? size - len : 0, "%s%s",
				i ? ", " : "", dir->slot[i].stage);
	}
	return NULL;
}

static bool
attach_lcore_used(const struct ext_dir *dir, unsigned int l)
{
	return (dir->lcores_used[l / 64] >> (l % 64)) & 1;
}

/* Take the slot; refuse, saying why, if it is not free. */
static int
attach_take(struct ext_slot *sl, const struct attach_opts *o, const char *kind)
{
	uint32_t want = EXT_FREE;
	int32_t pid;

	if (__atomic_load_n(&sl->down_done, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "ffwd attach: stage '%s' of '%s' has drained: the pipeline is stopping; refused\n",
			o->stage, o->label);
		return -1;
	}
	if (!__atomic_compare_exchange_n(&sl->state, &want, EXT_ATTACHED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		pid = __atomic_load_n(&sl->pid, __ATOMIC_RELAXED);
		if (want == EXT_ATTACHED)
			fprintf(stderr, "ffwd attach: stage '%s' of '%s' is served by pid %d%s; refused\n",
				o->stage, o->label, pid,
				kill(pid, 0) != 0 && errno == ESRCH ?
				" (gone without detaching: what it held is lost)" : "");
		else
			fprintf(stderr, "ffwd attach: stage '%s' of '%s' was emptied by the stopping pipeline; refused\n",
				o->stage, o->label);
		return -1;
	}
	__atomic_store_n(&sl->pid, (int32_t)getpid(), __ATOMIC_RELAXED);
	sl->lcore = o->lcore;
	snprintf(sl->kind, sizeof(sl->kind), "%s", kind);
	sl->attaches++;
	return 0;
}

static void
attach_report(const struct attach_run *r, const struct attach_opts *o, FILE *f)
{
	const struct stage *s = r->s;
	uint64_t drops = stage_drops(s);
	unsigned int i;
	bool ok = r->in_n == r->out_n + drops && r->held == 0;

	fprintf(f, "stage %-12s %-6s lcore %-3u in %-12lu out %-12lu", s->name,
		s->ops->name, o->lcore, r->in_n, r->out_n);
	for (i = 0; i < s->ops->n_drops; i++)
		if (s->ctr.drops[i] != 0)
			fprintf(f, " %s %lu", s->ops->drop_names[i], s->ctr.drops[i]);
	for (i = 0; i < s->ops->n_counters; i++)
		fprintf(f, " %s %lu", s->ops->counter_names[i], s->ctr.kind[i]);
	fputc('\n', f);
	if (s->ops->report != NULL)
		s->ops->report(s, f);
	fprintf(f, "attach %s: received %lu sent %lu dropped %lu held %u %s; %s\n",
		s->name, r->in_n, r->out_n, drops, r->held,
		ok ? "ok" : "MISMATCH",
		r->finished ? "the pipeline drained through it" :
			      "detached, rings left for the next attach");
	fprintf(f, "place %s: over all attachments received %lu sent %lu dropped %lu\n",
		s->name, r->base_in + r->in_n, r->base_out + r->out_n,
		r->base_drop + drops);
	fflush(f);
}

int
attach_main(int argc, char **argv)
{
	static struct attach_opts o;
	static struct conf conf;
	char err[CONF_ERR_MAX + 256], names[EXT_MAX * (STAGE_NAME_MAX + 2)];
	char lcores[64], zone[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct attach_run run = { 0 };
	struct ext_dir *dir;
	struct ext_slot *sl;
	struct stage *s;
	struct stage_env env;
	char *eal[16];
	int n = 0, ret, rc = 0;

	if (attach_parse_opts(argc, argv, &o) != 0)
		return ATTACH_EXIT_REFUSED;
	if (o.file == NULL && o.text[strspn(o.text, " \t")] != '{') {
		fprintf(stderr, "ffwd attach: KIND-CONFIG is '%s', expected a YAML file or a flow mapping '{ kind: KIND, ... }'\n",
			o.text);
		return ATTACH_EXIT_REFUSED;
	}
	if (conf_parse_stage_alone(&conf, o.file != NULL ? o.file : "kind-config",
				   o.text, strlen(o.text), o.stage, o.lcore,
				   err, sizeof(err)) != 0 ||
	    conf_check_kinds(&conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return ATTACH_EXIT_REFUSED;
	}
	if (attach_check_owner(o.label) != 0) {
		conf_free(&conf);
		return ATTACH_EXIT_REFUSED;
	}
	snprintf(lcores, sizeof(lcores), "%u@%d,%u@%d", o.main_lcore, o.cpu,
		 o.lcore, o.cpu);
	eal[n++] = argv[0];
	eal[n++] = "--proc-type=secondary";
	eal[n++] = "--file-prefix";
	eal[n++] = (char *)o.label;
	eal[n++] = "--lcores";
	eal[n++] = lcores;
	eal[n++] = "--main-lcore";
	snprintf(zone, sizeof(zone), "%u", o.main_lcore);
	eal[n++] = zone;
	eal[n++] = "--no-telemetry";
	eal[n++] = "--no-pci";
	eal[n++] = "--log-level";
	eal[n++] = "lib.eal:error";
	eal[n] = NULL;
	signal(SIGINT, attach_on_signal);
	signal(SIGTERM, attach_on_signal);
	signal(SIGHUP, attach_on_signal);
	if (rte_eal_init(n, eal) < 0) {
		fprintf(stderr, "ffwd attach: EAL (secondary of '%s') failed: %s; the pipeline must be running, on hugepages (pipeline.hugepages: true)\n",
			o.label, rte_strerror(rte_errno));
		conf_free(&conf);
		return 1;
	}
	snprintf(zone, sizeof(zone), "%s.%s", o.label, EXT_ZONE);
	mz = rte_memzone_lookup(zone);
	dir = mz != NULL ? mz->addr : NULL;
	if (dir == NULL || __atomic_load_n(&dir->magic, __ATOMIC_ACQUIRE) != EXT_MAGIC) {
		fprintf(stderr, "ffwd attach: pipeline '%s' has no external stage (no memzone %s)\n",
			o.label, zone);
		rc = ATTACH_EXIT_REFUSED;
		goto out_eal;
	}
	sl = attach_find_slot(dir, o.stage, names, sizeof(names));
	if (sl == NULL) {
		fprintf(stderr, "ffwd attach: pipeline '%s' has no external stage '%s', expected one of: %s\n",
			o.label, o.stage, names);
		rc = ATTACH_EXIT_REFUSED;
		goto out_eal;
	}
	if (attach_lcore_used(dir, o.lcore) || attach_lcore_used(dir, o.main_lcore)) {
		fprintf(stderr, "ffwd attach: lcore %u is one of pipeline '%s''s lcores, expected others (--lcore, --main-lcore)\n",
			attach_lcore_used(dir, o.lcore) ? o.lcore : o.main_lcore, o.label);
		rc = ATTACH_EXIT_REFUSED;
		goto out_eal;
	}
	run.sl = sl;
	run.yield = o.yield;
	run.in = ring_lookup(o.label, sl->in_ring);
	run.out = ring_lookup(o.label, sl->out_ring);
	env = (struct stage_env){
		.label = o.label,
		.file = conf.file,
		.tsc_hz = rte_get_tsc_hz(),
		.socket = (int)rte_lcore_to_socket_id(o.lcore),
		.pool = rte_mempool_lookup("ffwd_mbufs"),
		.stop = &attach_stop,
	};
	if (run.in == NULL || run.out == NULL || env.pool == NULL) {
		fprintf(stderr, "ffwd attach: pipeline '%s': ring %s, ring %s or the mbuf pool not found\n",
			o.label, sl->in_ring, sl->out_ring);
		rc = 1;
		goto out_eal;
	}
	s = rte_zmalloc("ffwd_attach_stage", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL) {
		rc = 1;
		goto out_eal;
	}
	run.s = s;
	ret = stage_init(s, conf.paths[0].stages[0].ops, o.stage,
			 conf.paths[0].stages[0].kconf, &env);
	s->lcore = o.lcore;
	if (ret != 0) {
		fprintf(stderr, "ffwd attach: stage '%s': %s\n", o.stage, strerror(-ret));
		rc = 1;
		goto out_stage;
	}
	if (attach_take(sl, &o, s->ops->name) != 0) {
		rc = ATTACH_EXIT_REFUSED;
		goto out_stage;
	}
	/* We hold the place: the counters go on from where the last
	 * attachment left them. */
	run.base_in = sl->pkts_in;
	run.base_out = sl->pkts_out;
	run.base_drop = sl->drops;
	run.base_bursts = sl->bursts;
	printf("ffwd attach: serving stage '%s' of '%s' as %s %s stage on lcore %u (CPU %d), pid %d\n",
	       o.stage, o.label, stage_kind_article(s->ops), s->ops->name,
	       o.lcore, o.cpu, (int)getpid());
	fflush(stdout);
	ret = rte_eal_remote_launch(attach_loop, &run, o.lcore);
	if (ret != 0) {
		fprintf(stderr, "ffwd attach: lcore %u: launch failed: %s\n", o.lcore,
			rte_strerror(-ret));
		__atomic_store_n(&sl->state, EXT_FREE, __ATOMIC_RELEASE);
		rc = 1;
		goto out_stage;
	}
	while (rte_eal_get_lcore_state(o.lcore) == RUNNING) {
		rte_delay_us_sleep(10000);
		if (s->ops->housekeeping != NULL)
			s->ops->housekeeping(s, false);
		if (attach_reload) {
			attach_reload = 0;
			if (s->ops->reload != NULL)
				s->ops->reload(s, stderr);
		}
	}
	rte_eal_wait_lcore(o.lcore);
	if (s->ops->housekeeping != NULL)
		s->ops->housekeeping(s, true);
	sl->detaches++;
	/* RELEASE: the rings as we leave them, before the place is free. */
	__atomic_store_n(&sl->state, EXT_FREE, __ATOMIC_RELEASE);
	attach_report(&run, &o, stdout);
	if (run.in_n != run.out_n + stage_drops(s) || run.held != 0)
		rc = ATTACH_EXIT_MISMATCH;
out_stage:
	stage_fini(s);
	rte_free(s);
out_eal:
	rte_eal_cleanup();
	conf_free(&conf);
	return rc;
}
