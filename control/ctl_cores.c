/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cores audit and cores dedicate: "selective timesharing". A label's
 * dedicated CPUs (those of its stage lcores) should run nothing but their
 * stage. audit says, per CPU, what stands in the way and what would fix
 * it; dedicate applies what can be applied at run time (a cpuset for the
 * label, other tasks' affinity and IRQ affinity moved off) and records how
 * to undo it, which `cores undo` and `stop` do.
 *
 * This file: the command (ctl_cmd_cores) and dedicate's order of work
 * (checks, cpusets, tasks, IRQs, read-back). The parts, sharing
 * ctl_cores_pvt.h:
 *	ctl_cores_sys.c		/proc and /sys: CPU lists, affinities
 *	ctl_cores_audit.c	cores audit
 *	ctl_cores_cg.c		cpusets (cgroup v1 and v2), task moves
 *	ctl_cores_journal.c	the journal, cores undo
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_cores_pvt.h"

static void
move_irq(struct ded *d, const char *irq, const char *list)
{
	bool set[CTL_MAX_CPUS] = { false };
	char now[1024], path[300];
	int i;

	ctl_cpulist_parse(list, set, CTL_MAX_CPUS);
	for (i = 0; i < CTL_MAX_CPUS; i++)
		set[i] = set[i] && !d->cpus[i];
	if (!ctl_cpus_any(set, NULL))
		memcpy(set, d->hk, sizeof(set));
	ctl_cpulist_format(set, CTL_MAX_CPUS, now, sizeof(now));
	if (d->dry || d->confined) {
		printf("  irq %s: affinity %s -> %s (%s)\n", irq, list, now,
		       d->confined ? "would move: --cgroup-root leaves IRQs alone" : "plan");
		d->irqs_would++;
		return;
	}
	snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", irq);
	if (ctl_jr_log(&d->jr, "irq %s %s", irq, list) != 0)
		return;
	if (ctl_write_str(path, now) == 0)
		d->irqs++;
	else
		d->irqs_refused++; /* per-CPU timers and IPIs never move */
}

static void
irq_cb(const char *irq, const char *list, void *arg)
{
	move_irq(arg, irq, list);
}

/* Per-CPU kernel threads bound to a dedicated CPU: nothing moves them. */
static void
list_immovable(struct ded *d)
{
	int cpu;

	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++) {
		DIR *proc;
		struct dirent *p;
		char names[1024] = "";
		size_t nl = 0;
		int n = 0;

		if (!d->cpus[cpu] || (proc = opendir("/proc")) == NULL)
			continue;
		while ((p = readdir(proc)) != NULL) {
			bool aff[CTL_MAX_CPUS];
			char comm[64];
			long pid = atol(p->d_name);
			int i, k = 0;

			if (pid <= 0 || !ctl_is_kthread(p->d_name) || ctl_get_affinity(pid, aff) != 0 ||
			    !aff[cpu])
				continue;
			for (i = 0; i < CTL_MAX_CPUS; i++)
				k += aff[i];
			if (k != 1)
				continue;
			n++;
			ctl_task_comm(pid, comm, sizeof(comm));
			if (nl < sizeof(names) - 70)
				nl += snprintf(names + nl, sizeof(names) - nl, "%s%s",
					       nl ? " " : "", comm);
		}
		closedir(proc);
		printf("  CPU %d: %d per-CPU kernel threads cannot move: %s%s\n", cpu, n,
		       names, nl >= sizeof(names) - 70 ? " ..." : "");
	}
}

/* Where is each stage thread now? Read back from /proc. */
static int
verify(struct ded *d)
{
	char where[PATH_MAX];
	int i, bad = 0;

	for (i = 0; i < d->n_stage; i++) {
		if (ctl_task_cpuset(d, d->stage_tid[i], where, sizeof(where)) != 0)
			snprintf(where, sizeof(where), "?");
		printf("  stage thread %ld (CPU %d): cpuset %s%s\n", d->stage_tid[i],
		       d->stage_cpu[i], where, strcmp(where, d->set) == 0 ? "" :
		       " -- NOT in the label's cpuset");
		bad += strcmp(where, d->set) != 0;
	}
	if (ctl_task_cpuset(d, d->pid, where, sizeof(where)) == 0)
		printf("  main thread %lld: cpuset %s%s\n", d->pid, where,
		       strcmp(where, d->hkset) == 0 ? " (housekeeping)" : "");
	return bad;
}

/* Every thread of the label's ffwd is inside the root subtree? */
static bool
ffwd_inside(struct ded *d)
{
	char path[64], where[PATH_MAX];
	struct dirent *e;
	bool all = true;
	DIR *t;

	snprintf(path, sizeof(path), "/proc/%lld/task", d->pid);
	t = opendir(path);
	if (t == NULL)
		return false;
	while ((e = readdir(t)) != NULL)
		if (e->d_name[0] != '.' &&
		    (ctl_task_cpuset(d, atol(e->d_name), where, sizeof(where)) != 0 ||
		     !ctl_path_within(where, d->root)))
			all = false;
	closedir(t);
	return all;
}

static int
ded_setup(struct ded *d, const char *label, const char *root)
{
	char err[512], v[PATH_MAX + 64], rp[PATH_MAX];
	bool rootcpus[CTL_MAX_CPUS] = { false };
	json_t *info, *ids, *cs, *tids;
	long long hk_lcore;
	int hk_cpu = -1, cpu;
	size_t i;
	struct stat st;

	d->label = label;
	d->pid = ctl_label_pid(label, err, sizeof(err));
	if (d->pid <= 0) {
		fprintf(stderr, "ffwdctl: dedicate %s: %s\n", label, err);
		return -1;
	}
	info = ctl_query(label, "/ffwd/info", err, sizeof(err));
	if (info == NULL) {
		fprintf(stderr, "ffwdctl: %s\n", err);
		return -1;
	}
	ids = json_object_get(info, "lcore_ids");
	cs = json_object_get(info, "lcore_cpus");
	tids = json_object_get(info, "lcore_tids");
	hk_lcore = ctl_int(info, "housekeeping");
	if (!json_is_array(ids) || !json_is_array(cs) || !json_is_array(tids)) {
		fprintf(stderr, "ffwdctl: '%s' does not publish its stage thread ids "
			"(lcore_tids in /ffwd/info): an older ffwd?\n", label);
		json_decref(info);
		return -1;
	}
	for (i = 0; i < json_array_size(ids); i++) {
		long long l = json_integer_value(json_array_get(ids, i));
		long long c = json_integer_value(json_array_get(cs, i));
		long long t = json_integer_value(json_array_get(tids, i));

		if (l == hk_lcore)
			continue;
		if (c < 0 || c >= CTL_MAX_CPUS || t <= 0 || d->n_stage >= CONF_MAX_LCORES) {
			fprintf(stderr, "ffwdctl: lcore %lld of '%s' has no thread id yet\n",
				l, label);
			json_decref(info);
			return -1;
		}
		d->cpus[c] = true;
		d->stage_cpu[d->n_stage] = (int)c;
		d->stage_tid[d->n_stage++] = (long)t;
	}
	json_decref(info);
	/* EAL pins the main (housekeeping) lcore's thread to its CPU. */
	{
		bool main_aff[CTL_MAX_CPUS];

		if (ctl_get_affinity(d->pid, main_aff) == 0) {
			for (hk_cpu = 0; hk_cpu < CTL_MAX_CPUS; hk_cpu++)
				if (main_aff[hk_cpu] && d->cpus[hk_cpu])
					break;
			if (hk_cpu < CTL_MAX_CPUS) {
				fprintf(stderr, "ffwdctl: CPU %d runs the housekeeping lcore %lld "
					"and a stage lcore of '%s': a CPU is dedicated or "
					"timeshared, not both; give the stages other CPUs in "
					"pipeline.cpus\n", hk_cpu, hk_lcore, label);
				return -1;
			}
		}
	}
	if (d->n_stage == 0) {
		fprintf(stderr, "ffwdctl: '%s' has no stage lcores\n", label);
		return -1;
	}
	if (ctl_cpuset_mount(d->mnt, sizeof(d->mnt), &d->v2) != 0) {
		fprintf(stderr, "ffwdctl: no cpuset controller is mounted (cgroup v1 "
			"cpuset or v2 with cpuset enabled): nothing can reserve CPUs\n");
		return -1;
	}
	if (realpath(d->mnt, rp) != NULL)
		snprintf(d->mnt, sizeof(d->mnt), "%s", rp);
	if (root != NULL) {
		if (realpath(root, rp) == NULL || stat(rp, &st) != 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "ffwdctl: --cgroup-root %s: not a directory\n", root);
			return -1;
		}
		if (!ctl_path_within(rp, d->mnt) || strcmp(rp, d->mnt) == 0) {
			fprintf(stderr, "ffwdctl: --cgroup-root %s is not a cgroup below the "
				"cpuset hierarchy %s\n", root, d->mnt);
			return -1;
		}
		if (st.st_uid != geteuid()) {
			fprintf(stderr, "ffwdctl: --cgroup-root %s belongs to uid %u: confined "
				"mode works only in a subtree you own\n", root,
				(unsigned int)st.st_uid);
			return -1;
		}
		snprintf(d->root, sizeof(d->root), "%s", rp);
		d->confined = true;
	} else {
		snprintf(d->root, sizeof(d->root), "%s", d->mnt);
	}
	if (ctl_cg_cpus(d, d->root, rootcpus) != 0) {
		fprintf(stderr, "ffwdctl: %s has no cpuset files\n", d->root);
		return -1;
	}
	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++) {
		if (d->cpus[cpu] && !rootcpus[cpu]) {
			fprintf(stderr, "ffwdctl: CPU %d of '%s' is not in %s's cpuset\n", cpu,
				label, d->root);
			return -1;
		}
		d->hk[cpu] = rootcpus[cpu] && !d->cpus[cpu];
	}
	if (!ctl_cpus_any(d->hk, NULL)) {
		fprintf(stderr, "ffwdctl: %s would have no CPU left for housekeeping\n",
			d->root);
		return -1;
	}
	snprintf(v, sizeof(v), "%s/%s", d->root, d->v2 ? "cpuset.mems.effective" :
		 "cpuset.mems");
	if (ctl_read_line(v, d->hk_mems, sizeof(d->hk_mems)) != 0 || d->hk_mems[0] == '\0')
		snprintf(d->hk_mems, sizeof(d->hk_mems), "0");
	ctl_cg_dedicated_mems(d, d->hk_mems);
	snprintf(d->set, sizeof(d->set), "%s/ffwd-%s", d->root, label);
	snprintf(d->hkset, sizeof(d->hkset), "%s/ffwd-%s-hk", d->root, label);
	if (d->confined && !ffwd_inside(d)) {
		fprintf(stderr, "ffwdctl: ffwd of '%s' (pid %lld) is not inside %s: confined "
			"mode moves only tasks in that subtree; put it there first (echo "
			"%lld > %s/cgroup.procs)\n", label, d->pid, d->root, d->pid, d->root);
		return -1;
	}
	return 0;
}

static int
cores_dedicate(const char *label, bool dry, const char *root)
{
	static struct ded d;
	char jpath[400], list[1024], hk[1024];
	int cpu, pass, fd, bad;

	memset(&d, 0, sizeof(d));
	d.dry = dry;
	if (!dry && root == NULL && geteuid() != 0) {
		fprintf(stderr, "ffwdctl: cores dedicate changes other tasks' affinity, IRQ "
			"affinity and cpusets, which needs root; run it as root, confine it "
			"to a cgroup subtree you own with --cgroup-root DIR, or see what it "
			"would do with --dry-run\n");
		return 1;
	}
	if (ded_setup(&d, label, root) != 0)
		return 1;
	ctl_cpulist_format(d.cpus, CTL_MAX_CPUS, list, sizeof(list));
	ctl_cpulist_format(d.hk, CTL_MAX_CPUS, hk, sizeof(hk));
	if (ctl_journal_path(label, jpath, sizeof(jpath)) != 0)
		return 1;
	if (!dry) {
		const char *slow = getenv("FFWDCTL_DEDICATE_DELAY_MS");

		/* A journal left by a run that died: apply it first. */
		if (ctl_cores_undo(label, true) != 0) {
			fprintf(stderr, "ffwdctl: the previous dedication of '%s' could not be "
				"undone completely; see %s\n", label, jpath);
			return 1;
		}
		fd = open(jpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || (d.jr.f = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "ffwdctl: %s: %s\n", jpath, strerror(errno));
			return 1;
		}
		d.jr.delay_ms = slow != NULL ? atoi(slow) : 0;
		ctl_jr_log(&d.jr, "# ffwd dedicate journal: label %s pid %lld root %s %s", label,
			   d.pid, d.root, d.v2 ? "v2" : "v1");
	}
	printf("%s '%s' (pid %lld): CPUs %s dedicated, housekeeping CPUs %s, cgroup %s "
	       "(%s%s)\n", dry ? "plan for" : "dedicating", label, d.pid, list, hk, d.root,
	       d.v2 ? "cgroup v2" : "cgroup v1", d.confined ? ", confined" : "");
	if (ctl_cg_make_sets(&d) != 0)
		goto fail;
	/* Tasks in the root itself, then in its child cpusets; a second and
	 * third pass catch what forked meanwhile. */
	for (pass = 0; pass < (dry ? 1 : 3); pass++) {
		int before = d.moved;

		ctl_cg_each_task(d.root, d.v2 ? "cgroup.procs" : "tasks", ctl_cg_place_task, &d);
		if (pass == 0)
			ctl_cg_walk_children(&d, d.root);
		if (d.moved == before)
			break;
	}
	ctl_cg_exclusive(&d);
	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++)
		if (d.cpus[cpu])
			ctl_scan_irqs(cpu, NULL, 0, irq_cb, &d);
	list_immovable(&d);
	if (dry) {
		printf("%d tasks and %d IRQs would move; nothing changed\n", d.moved,
			   d.irqs_would);
		return 0;
	}
	fclose(d.jr.f);
	d.jr.f = NULL;
	bad = verify(&d);
	printf("moved %d tasks (%d refused%s%s%s), shrank %d cpusets, moved %d IRQs (%d "
	       "refused)%s; journal %s; 'ffwdctl cores undo %s' or 'ffwdctl stop %s' "
	       "restores them\n", d.moved, d.refused, d.refused ? ": " : "",
	       d.refused_names, "", d.shrunk, d.irqs, d.irqs_refused,
	       d.irqs_would ? ", IRQs left alone (confined)" : "", jpath, label, label);
	if (d.irqs_would)
		printf("%d IRQs would move off CPUs %s (left alone: --cgroup-root)\n",
			   d.irqs_would, list);
	return bad ? 1 : 0;
fail:
	if (d.jr.f != NULL)
		fclose(d.jr.f);
	fprintf(stderr, "ffwdctl: dedication of '%s' stopped half way; undoing\n", label);
	ctl_cores_undo(label, false);
	return 1;
}

int
ctl_cmd_cores(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "audit") == 0)
		return ctl_cores_audit(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "dedicate") == 0) {
		const char *root = NULL;
		bool dry = false;
		int i;

		for (i = 3; i < argc; i++) {
			if (strcmp(argv[i], "--dry-run") == 0)
				dry = true;
			else if (strcmp(argv[i], "--cgroup-root") == 0 && i + 1 < argc)
				root = argv[++i];
			else
				goto usage;
		}
		return cores_dedicate(argv[2], dry, root);
	}
	if (argc == 3 && strcmp(argv[1], "undo") == 0)
		return ctl_cores_undo(argv[2], false);
usage:
	fprintf(stderr, "usage: ffwdctl cores audit LABEL|CONF\n"
		"       ffwdctl cores dedicate LABEL [--dry-run] [--cgroup-root DIR]\n"
		"       ffwdctl cores undo LABEL\n");
	return CTL_EXIT_USAGE;
}
