/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * status, top, stats: what a pipeline is doing, and the verdict in plain
 * words. Rates, utilisation and hiccups are over an interval: the
 * difference of two snapshots, never the lifetime averages, so a stage that
 * was busy an hour ago is not named the bottleneck now.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "mono.h"

#define BOTTLENECK_FILL	0.5	/* a ring this full marks its consumer */
#define BUSY_HIGH	0.9	/* a stage this busy can take no more */
#define IDLE_HIGH	0.9	/* a stage this idle is starved */

struct stage_iv {
	const char *kind;
	const char *name;
	long long lcore, cpu;
	double rate, util, hiccups;
	long long drops, hiccup_max_ns;
	/* from the OS (ctl_os_annotate), over the interval */
	bool has_os;
	long long preempt;	/**< involuntary context switches */
	double steal_pct;	/**< of the CPU's time, by the hypervisor */
	double irqs;		/**< interrupts per second on the CPU */
	json_t *now;
};

static long long
delta(json_t *b, json_t *a, const char *key)
{
	return ctl_int(a, key) - ctl_int(b, key);
}

/* Interval figures of one stage between snapshots b and a. */
static void
stage_iv(json_t *b, json_t *a, double dt, struct stage_iv *s)
{
	long long busy = delta(b, a, "busy_cycles"), idle = delta(b, a, "idle_cycles");

	s->kind = ctl_str(a, "kind");
	s->lcore = ctl_int(a, "lcore");
	s->cpu = ctl_int(a, "cpu");
	s->rate = delta(b, a, "pkts_out") / dt;
	s->util = busy + idle > 0 ? (double)busy / (busy + idle) : 0;
	s->hiccups = delta(b, a, "hiccups") / dt;
	s->drops = ctl_int(a, "drops");
	s->hiccup_max_ns = ctl_int(a, "hiccup_max_ns");
	s->has_os = json_is_integer(json_object_get(a, "os_preempt")) &&
		    json_is_integer(json_object_get(b, "os_preempt"));
	s->preempt = s->has_os ? delta(b, a, "os_preempt") : 0;
	{
		long long ticks = delta(b, a, "os_cpu_ticks");

		s->steal_pct = ticks > 0 ? 100.0 * delta(b, a, "os_steal_ticks") / ticks : 0;
	}
	s->irqs = delta(b, a, "os_irqs") / dt;
	s->name = ctl_str(a, "name");
	s->now = a;
}

static double
ring_fill(json_t *r)
{
	long long size = ctl_int(r, "size");

	return size > 0 ? (double)ctl_int(r, "backlog") / size : 0;
}

/*
 * Which of the two it was: a thread switched out against its will was
 * preempted by the scheduler for another task on its CPU; gaps with no
 * such switch were taken below the OS (the hypervisor's steal time, or
 * interrupt handlers, which do not switch the thread out).
 */
/* Runnable tasks per CPU, looked up once per verdict (a /proc walk). */
struct who_cache {
	bool done[CTL_MAX_CPUS];
	char names[CTL_MAX_CPUS][128];
};

static void
ctl_attribution(const struct stage_iv *s, double dt, long long pid,
		struct who_cache *wc, FILE *out)
{
	if (!s->has_os) {
		fprintf(out, "the OS took the core (its thread id is unknown, so "
			"preemption cannot be told from time taken below the OS)");
		return;
	}
	if (s->preempt > 0) {
		const char *who = "";

		if (s->cpu >= 0 && s->cpu < CTL_MAX_CPUS) {
			if (!wc->done[s->cpu])
				ctl_runnable_on((int)s->cpu, pid, wc->names[s->cpu],
						sizeof(wc->names[s->cpu]), 3);
			wc->done[s->cpu] = true;
			who = wc->names[s->cpu];
		}
		fprintf(out, "scheduler preempted %s %lld times in the last %.1f s: another "
			"task runs on CPU %lld%s%s%s (see 'ffwdctl cores dedicate')", s->name,
			s->preempt, dt, s->cpu, who[0] ? " (" : "", who, who[0] ? ")" : "");
		return;
	}
	fprintf(out, "no preemption: time taken below the OS, by the hypervisor or "
		"interrupts: steal %.0f %%, %.0f interrupts/s on CPU %lld", s->steal_pct,
		s->irqs, s->cpu);
}

void
ctl_verdict(json_t *before, json_t *after, double dt, FILE *out)
{
	json_t *st_b = json_object_get(before, "stages");
	json_t *st_a = json_object_get(after, "stages");
	json_t *rings = json_object_get(after, "rings");
	json_t *info = json_object_get(after, "info");
	long long thr = ctl_int(info, "hiccup_threshold_us");
	const char *name, *rname;
	json_t *v, *r, *worst = NULL;
	double worst_fill = -1;
	int said = 0;
	long long seen_lcore[256];
	int n_seen = 0, i;
	/* ffwdctl is single-threaded: one cache, cleared per verdict */
	static struct who_cache cache;
	struct who_cache *wc = &cache;

	memset(wc->done, 0, sizeof(wc->done));
	/*
	 * 0. Packets the ports lost: outside every path's accounting, so
	 * "zero loss" needs these at zero too. Lifetime totals, with what
	 * the interval added.
	 */
	{
		json_t *pb = json_object_get(before, "ports");
		json_t *pa = json_object_get(after, "ports");
		long long total = 0;

		json_object_foreach(pa, name, v) {
			json_t *vb = json_object_get(pb, name);
			long long im = ctl_int(v, "imissed"), nb = ctl_int(v, "rx_nombuf");
			long long oe = ctl_int(v, "oerrors");
			long long d = delta(vb, v, "imissed") + delta(vb, v, "rx_nombuf") +
				      delta(vb, v, "oerrors");

			if (im + nb + oe == 0)
				continue;
			total += im + nb + oe;
			fprintf(out, "port %s lost %lld packets (%lld in the last %.1f s): "
				"imissed %lld, rx_nombuf %lld, oerrors %lld: %s\n", name,
				im + nb + oe, d, dt, im, nb, oe,
				nb ? "the pool ran dry (raise pipeline.mbufs, or look "
				     "for a stage that holds mbufs)" :
				im ? "the RX ring overflowed: its input stage does not "
				     "keep up" :
				     "the driver failed to send what it took");
		}
		if (total == 0 && json_object_size(pa) != 0)
			fprintf(out, "ports: zero loss (imissed, rx_nombuf and oerrors "
				"all 0)\n");
	}

	/* 1. The OS taking dedicated cores: per lcore, once. */
	json_object_foreach(st_a, name, v) {
		struct stage_iv s;
		bool dup = false;

		stage_iv(json_object_get(st_b, name), v, dt, &s);
		for (i = 0; i < n_seen; i++)
			dup |= seen_lcore[i] == s.lcore;
		if (dup || n_seen >= 256)
			continue;
		seen_lcore[n_seen++] = s.lcore;
		if (s.hiccups * dt >= 1 || s.preempt > 0) {
			fprintf(out, "lcore %lld (CPU %lld): %.0f hiccups > %lld µs in the last "
				"%.1f s, max %.1f ms since start: ", s.lcore, s.cpu,
				s.hiccups * dt, thr, dt, s.hiccup_max_ns / 1e6);
			ctl_attribution(&s, dt, ctl_int(info, "pid"), wc, out);
			fputc('\n', out);
			said++;
		}
	}

	/*
	 * 2. The longest queue marks the bottleneck: the stage behind it. A
	 * snapshot's backlog is one instant, so a ring whose producer found
	 * it full during the interval counts as long whatever it holds now
	 * (two lcores timesharing a CPU drain and refill it in turns).
	 */
	{
		double best = -1;

		json_object_foreach(rings, rname, r) {
			json_t *rb = json_object_get(json_object_get(before, "rings"),
						     rname);
			double score = ring_fill(r) + (delta(rb, r, "full") > 0 ? 1 : 0);

			if (score > best) {
				best = score;
				worst = r;
				worst_fill = ring_fill(r);
			}
		}
		if (worst != NULL && best >= BOTTLENECK_FILL) {
			const char *to = ctl_str(worst, "to");
			json_t *rb = json_object_get(json_object_get(before, "rings"),
						     ctl_str(worst, "name"));
			long long full = delta(rb, worst, "full");
			struct stage_iv s;

			stage_iv(json_object_get(st_b, to), json_object_get(st_a, to), dt,
				 &s);
			if (ctl_fleet_verdict(before, after, to, "", out))
				return;
			fprintf(out, "stage %s is the bottleneck: ring %s->%s %.0f%% full",
				to, ctl_str(worst, "from"), to, worst_fill * 100);
			if (full > 0)
				fprintf(out, " (found full %lld times in %.1f s)", full, dt);
			fprintf(out, ", %s busy %.0f%%\n", to, s.util * 100);
			return;
		}
	}

	/* 3. Short queues: a saturated stage is the bottleneck. */
	{
		double best = 0;
		const char *busiest = NULL;

		json_object_foreach(st_a, name, v) {
			struct stage_iv s;

			stage_iv(json_object_get(st_b, name), v, dt, &s);
			if (s.util >= BUSY_HIGH && s.rate > 0 && s.util > best) {
				best = s.util;
				busiest = name;
			}
		}
		if (busiest != NULL) {
			if (ctl_fleet_verdict(before, after, busiest, "", out))
				return;
			fprintf(out, "stage %s is the bottleneck: busy %.0f%%, rings short "
				"(longest %.0f%% full)\n", busiest, best * 100,
				worst_fill > 0 ? worst_fill * 100 : 0);
			return;
		}
	}

	/* 4. Stalls: an empty ring in front of an idle stage. */
	json_object_foreach(rings, rname, r) {
		const char *to = ctl_str(r, "to");
		struct stage_iv s;

		stage_iv(json_object_get(st_b, to), json_object_get(st_a, to), dt, &s);
		if (ctl_int(r, "backlog") == 0 && 1 - s.util >= IDLE_HIGH) {
			fprintf(out, "ring %s->%s empty, %s idle %.0f%%: stall upstream\n",
				ctl_str(r, "from"), to, to, (1 - s.util) * 100);
			said++;
		}
	}
	json_object_foreach(st_a, name, v) {
		struct stage_iv s;

		if (strcmp(ctl_str(v, "kind"), "input") != 0)
			continue;
		stage_iv(json_object_get(st_b, name), v, dt, &s);
		if (s.rate == 0) {
			fprintf(out, "input %s received nothing in the last %.1f s: "
				"stall at the source (its port)\n", name, dt);
			said++;
		}
	}
	if (said == 0)
		fprintf(out, "no bottleneck: every stage below %.0f%% busy, rings short\n",
			BUSY_HIGH * 100);
}

static void
bar(FILE *out, double fill, int width)
{
	int i, n = (int)lround(fill * width);

	fputc('[', out);
	for (i = 0; i < width; i++)
		fputc(i < n ? '#' : ' ', out);
	fputc(']', out);
}

/*
 * A kind's own counters: the entries of a stage named after its kind
 * ("ids_alerts" of an ids stage), as totals and per-second rates. Other
 * entries of a kind (a firewall's per-rule acl_* hits) are in stats --json.
 */
static void
print_kind_counters(json_t *st_b, json_t *st_a, double dt, FILE *out)
{
	const char *name, *key;
	json_t *v, *x;
	bool head = false;

	json_object_foreach(st_a, name, v) {
		const char *kind = ctl_str(v, "kind");
		json_t *vb = json_object_get(st_b, name);
		size_t klen = strlen(kind), col = 0;

		json_object_foreach(v, key, x) {
			if (!json_is_integer(x) || strncmp(key, kind, klen) != 0 ||
			    key[klen] != '_')
				continue;
			if (!head) {
				fprintf(out, "STAGE COUNTERS (total, per second)\n");
				head = true;
			}
			if (col == 0)
				col = (size_t)fprintf(out, "%-12s", name);
			else if (col > 90)
				col = (size_t)fprintf(out, "\n%-12s", "") - 1;
			col += (size_t)fprintf(out, " %s %lld (%.0f/s)", key + klen + 1,
					       (long long)json_integer_value(x),
					       delta(vb, v, key) / dt);
		}
		if (col != 0)
			fputc('\n', out);
	}
}

static void
print_table(json_t *b, json_t *a, double dt, FILE *out, bool bars)
{
	json_t *info = json_object_get(a, "info");
	json_t *st_b = json_object_get(b, "stages"), *st_a = json_object_get(a, "stages");
	const char *name;
	json_t *v;

	fprintf(out, "pipeline %s (pid %lld, %s, up %.0f s, config %s)\n",
		ctl_str(info, "label"), ctl_int(info, "pid"), ctl_str(info, "state"),
		ctl_int(info, "uptime_ms") / 1000.0, ctl_str(info, "config"));
	fprintf(out, "%-12s %-7s %5s %4s %12s %6s %11s %9s %10s %9s %6s\n", "STAGE",
		"KIND", "LCORE", "CPU", "PKTS/S", "BUSY", "HICCUPS/S", "MAX(ms)", "DROPS",
		"PREEMPT/S", "STEAL");
	json_object_foreach(st_a, name, v) {
		struct stage_iv s;

		stage_iv(json_object_get(st_b, name), v, dt, &s);
		fprintf(out, "%-12s %-7s %5lld %4lld %12.0f %5.1f%% %11.0f %9.2f %10lld ",
			name, s.kind, s.lcore, s.cpu, s.rate, s.util * 100, s.hiccups,
			s.hiccup_max_ns / 1e6, s.drops);
		if (s.has_os)
			fprintf(out, "%9.0f %5.1f%%\n", s.preempt / dt, s.steal_pct);
		else
			fprintf(out, "%9s %6s\n", "-", "-");
	}
	/* Bypass of a path (on its input stage's entry) and the attachment
	 * of an external place: what an operator of an inline path asks
	 * first when the traffic looks wrong. */
	json_object_foreach(st_a, name, v) {
		if (json_object_get(v, "bypass_mode") != NULL)
			fprintf(out, "bypass path %s: %s, now %s: bypassed %lld bypass_drop %lld switches %lld resumes %lld\n",
				ctl_str(v, "path"), ctl_str(v, "bypass"),
				ctl_str(v, "bypass_mode"), ctl_int(v, "bypassed"),
				ctl_int(v, "bypass_drop"), ctl_int(v, "bypass_switches"),
				ctl_int(v, "bypass_resumes"));
		if (json_object_get(v, "attached") != NULL)
			fprintf(out, "external %s: attached %s (pid %lld), attaches %lld detaches %lld\n",
				name, ctl_str(v, "attached"), ctl_int(v, "attached_pid"),
				ctl_int(v, "attaches"), ctl_int(v, "detaches"));
	}
	if (json_object_size(json_object_get(a, "rings")) != 0) {
		fprintf(out, "%-24s %15s %6s %8s %10s %12s\n", "RING", "BACKLOG/SIZE",
			"FILL", "HWM", "FULL", "ITEMS/S");
		json_object_foreach(json_object_get(a, "rings"), name, v) {
			json_t *rb = json_object_get(json_object_get(b, "rings"), name);
			char ft[64], bl[40];

			snprintf(ft, sizeof(ft), "%s->%s", ctl_str(v, "from"), ctl_str(v, "to"));
			snprintf(bl, sizeof(bl), "%lld/%lld", ctl_int(v, "backlog"),
				 ctl_int(v, "size"));
			fprintf(out, "%-24s %15s %5.0f%% %8lld %10lld %12.0f", ft, bl,
				ring_fill(v) * 100, ctl_int(v, "hwm"), ctl_int(v, "full"),
				delta(rb, v, "dequeued") / dt);
			if (bars) {
				fputc(' ', out);
				bar(out, ring_fill(v), 20);
			}
			fputc('\n', out);
		}
	}
	if (json_object_size(json_object_get(a, "ports")) != 0) {
		json_t *pb = json_object_get(b, "ports");

		fprintf(out, "%-12s %12s %12s %10s %10s %10s\n", "PORT", "RX/S", "TX/S",
			"MISSED", "NOMBUF", "OERRORS");
		json_object_foreach(json_object_get(a, "ports"), name, v) {
			json_t *vb = json_object_get(pb, name);

			fprintf(out, "%-12s %12.0f %12.0f %10lld %10lld %10lld\n", name,
				delta(vb, v, "ipackets") / dt,
				delta(vb, v, "opackets") / dt, ctl_int(v, "imissed"),
				ctl_int(v, "rx_nombuf"), ctl_int(v, "oerrors"));
		}
	}
	print_kind_counters(st_b, st_a, dt, out);
	ctl_fleet_table(b, a, dt, out);
}

/* Two snapshots `interval` apart; returns the seconds between them. */
static double
two_snapshots(const char *label, double interval, json_t **b, json_t **a,
	      char *err, size_t errlen)
{
	double t0, t1;

	*b = ctl_snapshot(label, err, errlen);
	if (*b == NULL)
		return -1;
	t0 = mono_now();
	usleep((useconds_t)(interval * 1e6));
	*a = ctl_snapshot(label, err, errlen);
	t1 = mono_now();
	if (*a == NULL) {
		json_decref(*b);
		return -1;
	}
	return t1 - t0;
}

static double
parse_interval(int argc, char **argv, int *count, bool *json)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	double interval = 1;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "i:n:j", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i': interval = atof(optarg); break;
		case 'n': if (count) *count = atoi(optarg); break;
		case 'j': if (json) *json = true; break;
		default: return -1;
		}
	}
	return interval > 0 ? interval : -1;
}

int
ctl_cmd_status(int argc, char **argv)
{
	double interval = parse_interval(argc, argv, NULL, NULL), dt;
	char err[512];
	json_t *b, *a;

	if (interval < 0 || optind != argc - 1) {
		fprintf(stderr, "usage: ffwdctl status LABEL [--interval S]\n");
		return CTL_EXIT_USAGE;
	}
	dt = two_snapshots(argv[optind], interval, &b, &a, err, sizeof(err));
	if (dt < 0) {
		fprintf(stderr, "ffwdctl: %s\n", err);
		return 1;
	}
	print_table(b, a, dt, stdout, false);
	printf("verdict:\n");
	{
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);
		char *line, *save = NULL;

		ctl_verdict(b, a, dt, m);
		fclose(m);
		for (line = strtok_r(text, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			printf("  %s\n", line);
		free(text);
	}
	json_decref(b);
	json_decref(a);
	return 0;
}

int
ctl_cmd_top(int argc, char **argv)
{
	int count = 0, i;
	double interval = parse_interval(argc, argv, &count, NULL);
	bool tty = isatty(STDOUT_FILENO);
	const char *label;
	char err[512];
	json_t *b, *a;
	double t0, t1;

	if (interval < 0 || optind != argc - 1) {
		fprintf(stderr, "usage: ffwdctl top LABEL [--interval S] [--count N]\n");
		return CTL_EXIT_USAGE;
	}
	label = argv[optind];
	b = ctl_snapshot(label, err, sizeof(err));
	if (b == NULL) {
		fprintf(stderr, "ffwdctl: %s\n", err);
		return 1;
	}
	t0 = mono_now();
	for (i = 0; count == 0 || i < count; i++) {
		usleep((useconds_t)(interval * 1e6));
		a = ctl_snapshot(label, err, sizeof(err));
		t1 = mono_now();
		if (a == NULL) {
			fprintf(stderr, "ffwdctl: %s\n", err);
			json_decref(b);
			return 1;
		}
		if (tty)
			fputs("\033[H\033[2J", stdout);
		print_table(b, a, t1 - t0, stdout, true);
		ctl_verdict(b, a, t1 - t0, stdout);
		if (!tty)
			fputs("--\n", stdout);
		fflush(stdout);
		json_decref(b);
		b = a;
		t0 = t1;
	}
	json_decref(b);
	return 0;
}

int
ctl_cmd_stats(int argc, char **argv)
{
	bool json = false;
	char err[512];
	json_t *s;

	if (parse_interval(argc, argv, NULL, &json) < 0 || optind != argc - 1) {
		fprintf(stderr, "usage: ffwdctl stats LABEL --json\n");
		return CTL_EXIT_USAGE;
	}
	s = ctl_snapshot(argv[optind], err, sizeof(err));
	if (s == NULL) {
		fprintf(stderr, "ffwdctl: %s\n", err);
		return 1;
	}
	if (json) {
		json_dumpf(s, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
	} else {
		print_table(s, s, 1, stdout, false);
	}
	json_decref(s);
	return 0;
}

int
ctl_cmd_list(int argc, char **argv)
{
	char labels[256][64];
	int n = ctl_labels(labels, 256), i, shown = 0;

	(void)argc;
	(void)argv;
	printf("%-16s %-9s %8s %10s  %s\n", "LABEL", "STATE", "PID", "UPTIME", "LCORES@CPU");
	for (i = 0; i < n; i++) {
		char err[512];
		json_t *info = ctl_query(labels[i], "/ffwd/info", err, sizeof(err));

		if (info == NULL)
			continue; /* a stale socket or another DPDK app */
		printf("%-16s %-9s %8lld %9.0fs  %s (housekeeping %lld)\n", labels[i],
		       ctl_str(info, "state"), ctl_int(info, "pid"),
		       ctl_int(info, "uptime_ms") / 1000.0, ctl_str(info, "lcores"),
		       ctl_int(info, "housekeeping"));
		json_decref(info);
		shown++;
	}
	if (shown == 0)
		printf("(no pipeline running)\n");
	return 0;
}
