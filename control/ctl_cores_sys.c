/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cores: what audit and dedicate read and write of the kernel's state
 * (/proc, /sys, the cgroup mount table): CPU lists, task flags, start
 * times and affinities, IRQ affinities.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cores_pvt.h"

/* Parse a kernel CPU list ("0-3,7", possibly after flags "domain,") into
 * set[]; returns 0 or -1. Non-numeric items (isolcpus flags) are skipped. */
int
ctl_cpulist_parse(const char *s, bool *set, int max)
{
	while (s != NULL && *s != '\0') {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s) { /* a flag word: skip it */
			s = strchr(s, ',');
			s = s ? s + 1 : NULL;
			continue;
		}
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b && a < max; a++)
			if (a >= 0)
				set[a] = true;
		s = *end == ',' ? end + 1 : NULL;
	}
	return 0;
}

void
ctl_cpulist_format(const bool *set, int max, char *buf, size_t len)
{
	size_t n = 0;
	int i, j;

	buf[0] = '\0';
	for (i = 0; i < max; i++) {
		if (!set[i])
			continue;
		for (j = i; j + 1 < max && set[j + 1]; j++)
			;
		n += snprintf(buf + n, len > n ? len - n : 0, "%s%d", n ? "," : "", i);
		if (j > i)
			n += snprintf(buf + n, len > n ? len - n : 0, "-%d", j);
		i = j;
	}
}

int
ctl_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	if (fgets(buf, len, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return 0;
}

int
ctl_write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (f == NULL)
		return -errno;
	if (fputs(s, f) < 0)
		ret = -errno;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	return ret;
}

/* Where the cpuset controller is: v1 mount point or the v2 root. */
int
ctl_cpuset_mount(char *buf, size_t len, bool *v2)
{
	char dev[256], mnt[256], type[64], opts[512];
	FILE *f = fopen("/proc/mounts", "r");
	int found = -1;

	if (f == NULL)
		return -1;
	while (fscanf(f, "%255s %255s %63s %511s %*d %*d", dev, mnt, type, opts) == 4) {
		if (strcmp(type, "cgroup") == 0 && strstr(opts, "cpuset") != NULL) {
			snprintf(buf, len, "%s", mnt);
			*v2 = false;
			found = 0;
			break;
		}
		if (strcmp(type, "cgroup2") == 0 && found != 0) {
			char ctl[512], path[300];

			snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
			if (ctl_read_line(path, ctl, sizeof(ctl)) == 0 && strstr(ctl, "cpuset")) {
				snprintf(buf, len, "%s", mnt);
				*v2 = true;
				found = 0;
			}
		}
	}
	fclose(f);
	return found;
}

/* Is the task a kernel thread (those bound to one CPU cannot move)? */
bool
ctl_is_kthread(const char *pid)
{
	return (ctl_task_flags(pid) & PF_KTHREAD) != 0;
}

/* The flags field (9) of /proc/ID/stat. */
unsigned long
ctl_task_flags(const char *pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (ctl_read_line(path, buf, sizeof(buf)) != 0)
		return 0;
	p = strrchr(buf, ')');
	/* fields after comm: state(3) ppid pgrp session tty tpgid flags(9) */
	for (i = 0; p != NULL && i < 7; i++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		flags = strtoul(p + 1, NULL, 10);
	return flags;
}

/* Field 22 of /proc/ID/stat: when the task started (clock ticks). */
unsigned long long
ctl_task_start(long tid)
{
	char path[64], buf[1024], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", tid);
	if (ctl_read_line(path, buf, sizeof(buf)) != 0)
		return 0;
	p = strrchr(buf, ')');
	for (i = 2; p != NULL && i < 22; i++)
		p = strchr(p + 1, ' ');
	return p != NULL ? strtoull(p + 1, NULL, 10) : 0;
}

int
ctl_get_affinity(long tid, bool *set)
{
	cpu_set_t cs;
	int i;

	if (sched_getaffinity((pid_t)tid, sizeof(cs), &cs) != 0)
		return -errno;
	for (i = 0; i < CTL_MAX_CPUS; i++)
		set[i] = i < CPU_SETSIZE && CPU_ISSET(i, &cs);
	return 0;
}

int
ctl_set_affinity(long tid, const bool *set)
{
	cpu_set_t cs;
	int i;

	CPU_ZERO(&cs);
	for (i = 0; i < CTL_MAX_CPUS && i < CPU_SETSIZE; i++)
		if (set[i])
			CPU_SET(i, &cs);
	return sched_setaffinity((pid_t)tid, sizeof(cs), &cs) == 0 ? 0 : -errno;
}

bool
ctl_cpus_any(const bool *a, const bool *b)
{
	int i;

	for (i = 0; i < CTL_MAX_CPUS; i++)
		if (a[i] && (b == NULL || b[i]))
			return true;
	return false;
}

void
ctl_task_comm(long tid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/comm", tid);
	if (ctl_read_line(path, buf, len) != 0)
		snprintf(buf, len, "?");
}

/* IRQs whose affinity includes cpu; calls each(irq, list) per match. */
int
ctl_scan_irqs(int cpu, char *names, size_t len,
	      void (*each)(const char *irq, const char *list, void *arg), void *arg)
{
	DIR *d = opendir("/proc/irq");
	struct dirent *e;
	size_t nl = 0;
	int n = 0;

	if (names != NULL && len != 0)
		names[0] = '\0';
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[300], list[512];
		bool set[CTL_MAX_CPUS] = { false };

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", e->d_name);
		if (ctl_read_line(path, list, sizeof(list)) != 0)
			continue;
		ctl_cpulist_parse(list, set, CTL_MAX_CPUS);
		if (!set[cpu])
			continue;
		n++;
		if (names != NULL && nl < len - 16)
			nl += snprintf(names + nl, len - nl, "%s%s", nl ? "," : "", e->d_name);
		if (each != NULL)
			each(e->d_name, list, arg);
	}
	closedir(d);
	return n;
}

/* Is path (resolved) inside dir (resolved)? */
bool
ctl_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
