/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cores dedicate, the cgroup side (v1 and v2): the label's cpuset and the
 * housekeeping one, tasks moved between cpusets with their affinities
 * kept, child cpusets shrunk off the dedicated CPUs, and the label's set
 * made exclusive at the end. Every change goes through the journal first.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl_cores_pvt.h"

static bool
is_stage_tid(const struct ded *d, long tid)
{
	int i;

	for (i = 0; i < d->n_stage; i++)
		if (d->stage_tid[i] == tid)
			return true;
	return false;
}

/* The thread group (process) of a task id, or -1. */
static long
task_tgid(long tid)
{
	char path[64], line[256];
	long tgid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/* The cpuset cgroup a task is in, as a path under the mount. */
int
ctl_task_cpuset(const struct ded *d, long tid, char *buf, size_t len)
{
	char path[64], line[PATH_MAX];
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%ld/cgroup", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool match;

		if (c2 == NULL)
			continue;
		*c2 = '\0';
		match = d->v2 ? strcmp(line, "0") == 0 && c1[1] == '\0' :
				strstr(c1 + 1, "cpuset") != NULL;
		if (!match)
			continue;
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		snprintf(buf, len, "%s%s", d->mnt, strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* The CPUs a cpuset may use (v2: effective; an empty cpuset.cpus inherits). */
int
ctl_cg_cpus(const struct ded *d, const char *dir, bool *set)
{
	char path[PATH_MAX + 64], v[1024];

	snprintf(path, sizeof(path), "%s/%s", dir,
		 d->v2 ? "cpuset.cpus.effective" : "cpuset.cpus");
	if (ctl_read_line(path, v, sizeof(v)) != 0)
		return -1;
	memset(set, 0, sizeof(bool) * CTL_MAX_CPUS);
	ctl_cpulist_parse(v, set, CTL_MAX_CPUS);
	return 0;
}

/* Write a cgroup file, journaling what it held first. */
static int
cg_write(struct ded *d, const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX + 64], old[1024] = "";
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ctl_read_line(path, old, sizeof(old));
	if (d->dry) {
		printf("  write %s: '%s' -> '%s'\n", path, old, val);
		return 0;
	}
	if (strcmp(old, val) == 0)
		return 0;
	if ((ret = ctl_jr_log(&d->jr, "write %s\t%s", path, old)) != 0)
		return ret;
	return ctl_write_str(path, val);
}

/*
 * Move one task: journal its affinity and cgroup, move it into cpuset
 * `to` (which resets its affinity to the cpuset's CPUs), then give it
 * `aff`. file: "tasks" (v1: one thread), "cgroup.procs" (v2: a whole
 * process), "cgroup.threads" (v2: one thread of a threaded subtree).
 */
static int
move_task(struct ded *d, long tid, const char *from, const char *to, const char *file,
	  const bool *old, const bool *aff)
{
	char was[1024], now[1024], path[PATH_MAX + 64], id[32], comm[64];
	unsigned long long start = ctl_task_start(tid);
	int ret = 0;

	ctl_cpulist_format(old, CTL_MAX_CPUS, was, sizeof(was));
	ctl_cpulist_format(aff, CTL_MAX_CPUS, now, sizeof(now));
	ctl_task_comm(tid, comm, sizeof(comm));
	if (d->dry) {
		printf("  task %ld (%s): cpuset %s -> %s, affinity %s -> %s\n", tid, comm,
		       from, to != NULL ? to : "(stays; its cpuset shrinks)", was, now);
		d->moved++;
		return 0;
	}
	if (ctl_jr_log(&d->jr, "affinity %ld %llu %s", tid, start, was) != 0 ||
	    (to != NULL && ctl_jr_log(&d->jr, "cgroup %ld %llu %s %s", tid, start, from,
				      file) != 0))
		return -EIO;
	if (to != NULL) {
		snprintf(path, sizeof(path), "%s/%s", to, file);
		snprintf(id, sizeof(id), "%ld", tid);
		ret = ctl_write_str(path, id);
	}
	if (ret == 0)
		ret = ctl_set_affinity(tid, aff);
	if (ret == 0) {
		d->moved++;
	} else if (ret != -ESRCH) {
		size_t n = strlen(d->refused_names);

		d->refused++;
		if (n < sizeof(d->refused_names) - 80 && strstr(d->refused_names, comm) == NULL)
			snprintf(d->refused_names + n, sizeof(d->refused_names) - n, "%s%s",
				 n ? ", " : "", comm);
	}
	return 0;
}

/* The affinity a task moved off the dedicated CPUs gets: what it had
 * minus those, or, when it had only those (pinned there), within[]. */
static void
affinity_off(const struct ded *d, const bool *old, const bool *within, bool *aff)
{
	int i;

	for (i = 0; i < CTL_MAX_CPUS; i++)
		aff[i] = old[i] && !d->cpus[i] && within[i];
	if (!ctl_cpus_any(aff, NULL))
		memcpy(aff, within, sizeof(bool) * CTL_MAX_CPUS);
}

/* Ids listed in a cgroup's tasks/cgroup.threads, calling fn for each. */
int
ctl_cg_each_task(const char *dir, const char *file, void (*fn)(struct ded *, const char *, long),
		 struct ded *d)
{
	char path[PATH_MAX + 64];
	long *ids = NULL, id;
	size_t n = 0, cap = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	/* read it all first: fn() moves tasks out of this very file */
	while (fscanf(f, "%ld", &id) == 1) {
		if (n == cap) {
			long *m = realloc(ids, (cap = cap ? 2 * cap : 512) * sizeof(*ids));

			if (m == NULL)
				break;
			ids = m;
		}
		ids[n++] = id;
	}
	fclose(f);
	for (i = 0; i < n; i++)
		fn(d, dir, ids[i]);
	free(ids);
	return (int)n;
}

static void note_affinity(struct ded *d, const char *dir, long tid);

/* The other threads of process pid (stage threads left out), each with
 * its affinity; *n of them, in a malloc'd array (NULL if none). */
struct thr {
	long tid;
	bool aff[CTL_MAX_CPUS];
};

static struct thr *
threads_of(struct ded *d, long pid, size_t *n)
{
	struct thr *v = NULL, *m;
	size_t cap = 0;
	char path[64];
	struct dirent *e;
	DIR *t;

	*n = 0;
	snprintf(path, sizeof(path), "/proc/%ld/task", pid);
	t = opendir(path);
	if (t == NULL)
		return NULL;
	while ((e = readdir(t)) != NULL) {
		long tid = atol(e->d_name);

		if (tid <= 0 || tid == pid || is_stage_tid(d, tid))
			continue;
		if (*n == cap) {
			m = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
			if (m == NULL)
				break;
			v = m;
		}
		v[*n].tid = tid;
		if (ctl_get_affinity(tid, v[*n].aff) == 0)
			(*n)++;
	}
	closedir(t);
	return v;
}

/* A task directly in the root (v1) or a process in it (v2): out to the
 * housekeeping set, ffwd's stage threads into the label's set. */
void
ctl_cg_place_task(struct ded *d, const char *dir, long tid)
{
	bool old[CTL_MAX_CPUS], aff[CTL_MAX_CPUS];

	char id[32];

	snprintf(id, sizeof(id), "%ld", tid);
	/* per-CPU kernel threads refuse any move: listed, not tried */
	if (ctl_get_affinity(tid, old) != 0 || (ctl_task_flags(id) & PF_NO_SETAFFINITY) != 0)
		return;
	if (is_stage_tid(d, tid)) {
		/* keeps its pin: EAL put it on its lcore's CPU */
		move_task(d, tid, dir, d->set, d->v2 ? "cgroup.threads" : "tasks", old, old);
		return;
	}
	if (d->v2 && task_tgid(tid) == d->pid && tid != d->pid)
		return; /* moved with its process */
	/* v2 moves the whole process, and the move resets the affinity of
	 * every thread: journal each first, give each its own back after. */
	struct thr *thr = NULL;
	size_t n_thr = 0, k;

	if (d->v2) {
		thr = threads_of(d, tid, &n_thr);
		for (k = 0; k < n_thr; k++)
			note_affinity(d, NULL, thr[k].tid);
	}
	affinity_off(d, old, d->hk, aff);
	move_task(d, tid, dir, d->hkset, d->v2 ? "cgroup.procs" : "tasks", old, aff);
	for (k = 0; !d->dry && k < n_thr; k++) {
		bool ta[CTL_MAX_CPUS];

		affinity_off(d, thr[k].aff, d->hk, ta);
		ctl_set_affinity(thr[k].tid, ta);
	}
	free(thr);
	if (d->v2 && tid == d->pid) {
		int i;

		/* The whole process went to hk; its other threads' own
		 * affinities, and the stage threads into the label's set. */
		for (i = 0; i < d->n_stage; i++) {
			bool so[CTL_MAX_CPUS];

			if (ctl_get_affinity(d->stage_tid[i], so) == 0)
				move_task(d, d->stage_tid[i], d->hkset, d->set,
					  "cgroup.threads", so, so);
		}
	}
}

/* A task in a child cpuset that was shrunk: its affinity off the CPUs. */
static void
shrink_task(struct ded *d, const char *dir, long tid)
{
	bool old[CTL_MAX_CPUS], aff[CTL_MAX_CPUS], within[CTL_MAX_CPUS];

	if (ctl_get_affinity(tid, old) != 0 || ctl_cg_cpus(d, dir, within) != 0)
		return;
	affinity_off(d, old, within, aff);
	move_task(d, tid, dir, NULL, NULL, old, aff);
}

/* Journal a task's affinity before its cpuset shrinks (the kernel resets it). */
static void
note_affinity(struct ded *d, const char *dir, long tid)
{
	bool old[CTL_MAX_CPUS];
	char was[1024];

	(void)dir;
	if (d->dry || ctl_get_affinity(tid, old) != 0)
		return;
	ctl_cpulist_format(old, CTL_MAX_CPUS, was, sizeof(was));
	ctl_jr_log(&d->jr, "affinity %ld %llu %s", tid, ctl_task_start(tid), was);
}

/*
 * A child cpuset of the root (not ours), children first: one whose CPUs
 * include dedicated ones is shrunk off them; one that has nothing but
 * dedicated CPUs cannot be, so its tasks go to the housekeeping set.
 */
void
ctl_cg_walk_children(struct ded *d, const char *dir)
{
	const char *tasks = d->v2 ? "cgroup.threads" : "tasks";
	bool cur[CTL_MAX_CPUS], rest[CTL_MAX_CPUS];
	char sub[PATH_MAX + 32], list[1024];
	struct dirent *e;
	DIR *dd = opendir(dir);
	int i;

	if (dd == NULL)
		return;
	while ((e = readdir(dd)) != NULL) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode) ||
		    strcmp(sub, d->set) == 0 || strcmp(sub, d->hkset) == 0)
			continue;
		ctl_cg_walk_children(d, sub);
		if (ctl_cg_cpus(d, sub, cur) != 0 || !ctl_cpus_any(cur, d->cpus))
			continue;
		for (i = 0; i < CTL_MAX_CPUS; i++)
			rest[i] = cur[i] && !d->cpus[i];
		if (!ctl_cpus_any(rest, NULL)) {
			ctl_cg_each_task(sub, d->v2 ? "cgroup.procs" : "tasks", ctl_cg_place_task, d);
			continue;
		}
		ctl_cpulist_format(rest, CTL_MAX_CPUS, list, sizeof(list));
		ctl_cg_each_task(sub, tasks, note_affinity, d);
		if (cg_write(d, sub, "cpuset.cpus", list) == 0) {
			d->shrunk++;
			ctl_cg_each_task(sub, tasks, shrink_task, d);
		} else {
			printf("  cpuset %s: could not shrink it to %s\n", sub, list);
		}
	}
	closedir(dd);
}

/* Memory nodes of the dedicated CPUs (sysfs), within the root's. */
void
ctl_cg_dedicated_mems(struct ded *d, const char *root_mems)
{
	bool nodes[CTL_MAX_CPUS] = { false }, allowed[CTL_MAX_CPUS] = { false };
	int cpu, n;

	ctl_cpulist_parse(root_mems, allowed, CTL_MAX_CPUS);
	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++) {
		char path[128];

		if (!d->cpus[cpu])
			continue;
		for (n = 0; n < 64; n++) {
			struct stat st;

			snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/node%d",
				 cpu, n);
			if (stat(path, &st) == 0 && allowed[n])
				nodes[n] = true;
		}
	}
	ctl_cpulist_format(nodes, CTL_MAX_CPUS, d->mems, sizeof(d->mems));
	if (d->mems[0] == '\0')
		snprintf(d->mems, sizeof(d->mems), "%s", root_mems);
}

/* The cpusets: the label's (its CPUs and their memory nodes) and the
 * housekeeping one (the rest of the root's), journaled. */
int
ctl_cg_make_sets(struct ded *d)
{
	char list[1024], hk[1024];
	const char *dirs[2] = { d->set, d->hkset };
	int i;

	ctl_cpulist_format(d->cpus, CTL_MAX_CPUS, list, sizeof(list));
	ctl_cpulist_format(d->hk, CTL_MAX_CPUS, hk, sizeof(hk));
	for (i = 0; i < 2; i++) {
		if (d->dry) {
			printf("  mkdir %s\n", dirs[i]);
			continue;
		}
		if (ctl_jr_log(&d->jr, "mkdir %s", dirs[i]) != 0)
			return -1;
		if (mkdir(dirs[i], 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "ffwdctl: mkdir %s: %s\n", dirs[i], strerror(errno));
			return -1;
		}
	}
	if (d->v2) {
		char path[PATH_MAX + 64], ctl[256] = "";

		/* Threads of one process in two cgroups: a threaded subtree. */
		for (i = 0; i < 2; i++)
			if (cg_write(d, dirs[i], "cgroup.type", "threaded") != 0)
				printf("  %s: could not make it threaded\n", dirs[i]);
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", d->root);
		ctl_read_line(path, ctl, sizeof(ctl));
		if (strstr(ctl, "cpuset") == NULL) {
			if (d->dry) {
				printf("  write %s: +cpuset\n", path);
			} else if (ctl_jr_log(&d->jr, "subtree %s", d->root) != 0 ||
				   ctl_write_str(path, "+cpuset") != 0) {
				fprintf(stderr, "ffwdctl: %s: +cpuset: %s\n", path, strerror(errno));
				return -1;
			}
		}
	}
	/* v1 wants mems before a task may join; the label's CPUs last, so
	 * that no moment has the housekeeping set empty. */
	if (cg_write(d, d->hkset, "cpuset.mems", d->hk_mems) != 0 ||
	    cg_write(d, d->hkset, "cpuset.cpus", hk) != 0 ||
	    cg_write(d, d->set, "cpuset.mems", d->mems) != 0 ||
	    cg_write(d, d->set, "cpuset.cpus", list) != 0) {
		fprintf(stderr, "ffwdctl: could not set up %s / %s: %s\n", d->set, d->hkset,
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * After everything has moved: make the label's set exclusive. v1:
 * cpu_exclusive (refused while a sibling overlaps) and, on the whole
 * system, no load balancing across the root. v2: a partition root, made
 * only now, when nothing of ffwd's is left in a cgroup it could take the
 * CPUs from; read back, since an invalid partition is reported, not
 * refused.
 */
void
ctl_cg_exclusive(struct ded *d)
{
	char path[PATH_MAX + 64], v[256] = "";
	bool hk_now[CTL_MAX_CPUS];

	if (!d->v2) {
		char pe[PATH_MAX + 64], x[8] = "";

		snprintf(pe, sizeof(pe), "%s/cpuset.cpu_exclusive", d->root);
		ctl_read_line(pe, x, sizeof(x));
		if (strcmp(x, "1") != 0)
			printf("  cpuset %s: not made cpu_exclusive: its parent %s is not "
			       "(v1 wants every ancestor exclusive)\n", d->set, d->root);
		else if (cg_write(d, d->set, "cpuset.cpu_exclusive", "1") != 0)
			printf("  cpuset %s: not exclusive (a sibling overlaps)\n", d->set);
		if (!d->confined && cg_write(d, d->root, "cpuset.sched_load_balance", "0") != 0)
			printf("  cpuset %s: load balancing left on\n", d->root);
		if (d->confined)
			printf("  load balancing of %s left alone (confined)\n", d->mnt);
		return;
	}
	if (cg_write(d, d->set, "cpuset.cpus.partition", "root") != 0) {
		printf("  cpuset %s: not a partition root\n", d->set);
		return;
	}
	snprintf(path, sizeof(path), "%s/cpuset.cpus.partition", d->set);
	if (!d->dry && ctl_read_line(path, v, sizeof(v)) == 0 && strcmp(v, "root") != 0) {
		printf("  cpuset %s: partition is '%s'; back to member\n", d->set, v);
		ctl_write_str(path, "member");
	}
	if (!d->dry && (ctl_cg_cpus(d, d->hkset, hk_now) != 0 || !ctl_cpus_any(hk_now, NULL)))
		printf("  WARNING: %s has no effective CPU left\n", d->hkset);
}
