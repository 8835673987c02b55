/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the OS says about a pipeline, read by ffwdctl from /proc and never
 * by the data path: whether a pid really is the ffwd of a label (before
 * anything signals or moves it), and, per stage thread, how often the
 * scheduler switched it out against its will, with its CPU's steal time
 * and interrupt count. Those tell a hiccup's two causes apart: another
 * task on the CPU (preemption) or time taken below the OS (the
 * hypervisor, interrupts).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"

/* Real uid of a process, or -1. */
static long
proc_uid(long long pid)
{
	char path[64], line[256];
	long uid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lld/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Uid: %ld", &uid) == 1)
			break;
	fclose(f);
	return uid;
}

/* Does pid hold file `path` open (the same inode)? */
static bool
proc_holds(long long pid, const char *path)
{
	char fdir[64], fp[PATH_MAX];
	struct stat want, st;
	struct dirent *e;
	bool found = false;
	DIR *d;

	if (stat(path, &want) != 0)
		return false;
	snprintf(fdir, sizeof(fdir), "/proc/%lld/fd", pid);
	d = opendir(fdir);
	if (d == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(fp, sizeof(fp), "%s/%s", fdir, e->d_name);
		found = stat(fp, &st) == 0 && st.st_dev == want.st_dev &&
			st.st_ino == want.st_ino;
	}
	closedir(d);
	return found;
}

int
ctl_pid_check(const char *label, long long pid, char *err, size_t errlen)
{
	char path[64], exe[PATH_MAX], dir[256], cfg[320];
	const char *base;
	struct stat st;
	long uid;
	ssize_t n;

	if (pid <= 1) {
		snprintf(err, errlen, "telemetry of '%s' reports pid %lld: not a pipeline's "
			 "process; refused (nothing signalled)", label, pid);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%lld/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0) {
		snprintf(err, errlen, "telemetry of '%s' reports pid %lld, which %s; "
			 "refused", label, pid, errno == ENOENT ? "does not exist" :
			 "cannot be inspected");
		return -1;
	}
	exe[n] = '\0';
	if (strlen(exe) > 10 && strcmp(exe + strlen(exe) - 10, " (deleted)") == 0)
		exe[strlen(exe) - 10] = '\0';
	base = strrchr(exe, '/');
	base = base != NULL ? base + 1 : exe;
	if (strcmp(base, "ffwd") != 0) {
		snprintf(err, errlen, "telemetry of '%s' reports pid %lld, which runs %s, "
			 "not an ffwd binary; refused", label, pid, exe);
		return -1;
	}
	if (ctl_runtime_dir(label, dir, sizeof(dir)) != 0 || lstat(dir, &st) != 0) {
		snprintf(err, errlen, "'%s' has no runtime directory; refused", label);
		return -1;
	}
	uid = proc_uid(pid);
	if (uid < 0 || (uid_t)uid != st.st_uid ||
	    (geteuid() != 0 && (uid_t)uid != geteuid())) {
		snprintf(err, errlen, "pid %lld runs as uid %ld; the label '%s' (%s) "
			 "belongs to uid %u and you are uid %u; refused", pid, uid, label,
			 dir, (unsigned int)st.st_uid, (unsigned int)geteuid());
		return -1;
	}
	/* EAL's primary keeps its config file open (and locked) for its
	 * life: the process that holds it is the one that owns the label. */
	snprintf(cfg, sizeof(cfg), "%s/config", dir);
	if (!proc_holds(pid, cfg)) {
		snprintf(err, errlen, "pid %lld is an ffwd but does not hold %s: it is "
			 "not the pipeline '%s'; refused", pid, cfg, label);
		return -1;
	}
	return 0;
}

long long
ctl_label_pid(const char *label, char *err, size_t errlen)
{
	json_t *info = ctl_query(label, "/ffwd/info", err, errlen);
	long long pid;

	if (info == NULL)
		return -1;
	pid = ctl_int(info, "pid");
	json_decref(info);
	return ctl_pid_check(label, pid, err, errlen) == 0 ? pid : -1;
}

/* nonvoluntary/voluntary context switches of one thread; -1 if gone. */
static int
task_switches(long long pid, long long tid, long long *nv, long long *v)
{
	char path[96], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lld/task/%lld/status", pid, tid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	*nv = *v = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		sscanf(line, "nonvoluntary_ctxt_switches: %lld", nv);
		sscanf(line, "voluntary_ctxt_switches: %lld", v);
	}
	fclose(f);
	return 0;
}

struct cpu_os {
	long long ticks, steal, irqs;
};

/* /proc/stat "cpuN user nice system idle iowait irq softirq steal ...". */
static void
read_cpu_stat(struct cpu_os *c, int max)
{
	char line[512];
	FILE *f = fopen("/proc/stat", "r");

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		long long x[8] = { 0 };
		int cpu, k;

		if (sscanf(line, "cpu%d %lld %lld %lld %lld %lld %lld %lld %lld", &cpu,
			   &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7]) < 9 ||
		    cpu < 0 || cpu >= max)
			continue;
		c[cpu].ticks = 0;
		for (k = 0; k < 8; k++)
			c[cpu].ticks += x[k];
		c[cpu].steal = x[7];
	}
	fclose(f);
}

/* Per-CPU column sums of /proc/interrupts (device IRQs, timer, IPIs). */
static void
read_interrupts(struct cpu_os *c, int max)
{
	char *line = NULL;
	size_t cap = 0;
	int ncpu = 0, col[CTL_MAX_CPUS];
	FILE *f = fopen("/proc/interrupts", "r");

	if (f == NULL)
		return;
	if (getline(&line, &cap, f) > 0) {
		char *p = line, *end;

		while ((p = strstr(p, "CPU")) != NULL && ncpu < CTL_MAX_CPUS) {
			long n = strtol(p + 3, &end, 10);

			col[ncpu++] = n >= 0 && n < max ? (int)n : -1;
			p = end;
		}
	}
	while (getline(&line, &cap, f) > 0) {
		char *p = strchr(line, ':'), *end;
		int i;

		if (p == NULL)
			continue;
		p++;
		for (i = 0; i < ncpu; i++) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break; /* a short row (ERR, MIS): no per-CPU counts */
			if (col[i] >= 0)
				c[col[i]].irqs += v;
			p = end;
		}
	}
	free(line);
	fclose(f);
}

void
ctl_os_annotate(json_t *snap)
{
	static struct cpu_os cpus[CTL_MAX_CPUS];
	json_t *stages = json_object_get(snap, "stages");
	long long pid = ctl_int(json_object_get(snap, "info"), "pid");
	const char *name;
	json_t *s;

	memset(cpus, 0, sizeof(cpus));
	read_cpu_stat(cpus, CTL_MAX_CPUS);
	read_interrupts(cpus, CTL_MAX_CPUS);
	json_object_foreach(stages, name, s) {
		long long tid = ctl_int(s, "tid"), cpu = ctl_int(s, "cpu"), nv, v;

		if (tid > 0 && pid > 1 && task_switches(pid, tid, &nv, &v) == 0) {
			json_object_set_new(s, "os_preempt", json_integer(nv));
			json_object_set_new(s, "os_vcsw", json_integer(v));
		}
		if (cpu >= 0 && cpu < CTL_MAX_CPUS && cpus[cpu].ticks > 0) {
			json_object_set_new(s, "os_cpu_ticks", json_integer(cpus[cpu].ticks));
			json_object_set_new(s, "os_steal_ticks", json_integer(cpus[cpu].steal));
			json_object_set_new(s, "os_irqs", json_integer(cpus[cpu].irqs));
		}
	}
}

int
ctl_runnable_on(int cpu, long long skip_pid, char *buf, size_t len, int max)
{
	DIR *proc = opendir("/proc"), *task;
	struct dirent *p, *t;
	size_t used = 0;
	int n = 0;

	if (len != 0)
		buf[0] = '\0';
	if (proc == NULL)
		return 0;
	while (n < max && (p = readdir(proc)) != NULL) {
		char path[300];
		long long pid = atoll(p->d_name);

		if (pid <= 0 || pid == skip_pid || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (task == NULL)
			continue;
		while (n < max && (t = readdir(task)) != NULL) {
			char sp[600], line[1024], comm[64], *rp, *q;
			int field, last = -1;
			FILE *f;

			if (t->d_name[0] == '.')
				continue;
			snprintf(sp, sizeof(sp), "%s/%s/stat", path, t->d_name);
			f = fopen(sp, "r");
			if (f == NULL)
				continue;
			if (fgets(line, sizeof(line), f) == NULL)
				line[0] = '\0';
			fclose(f);
			rp = strrchr(line, ')');
			q = strchr(line, '(');
			if (rp == NULL || q == NULL || rp[1] != ' ' || rp[2] != 'R')
				continue;
			snprintf(comm, sizeof(comm), "%.*s", (int)(rp - q - 1), q + 1);
			/* processor is field 39; state is field 3 after ')' */
			for (field = 3, q = rp + 2; q != NULL && field < 39; field++) {
				q = strchr(q, ' ');
				if (q != NULL)
					q++;
			}
			if (q != NULL)
				last = atoi(q);
			if (last != cpu || strstr(buf, comm) != NULL)
				continue;
			used += snprintf(buf + used, len > used ? len - used : 0, "%s%s",
					 used ? ", " : "", comm);
			n++;
		}
		closedir(task);
	}
	closedir(proc);
	return n;
}
