/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cores internals, shared by ctl_cores.c (the command, dedicate),
 * ctl_cores_sys.c (/proc and /sys), ctl_cores_audit.c, ctl_cores_cg.c
 * (cpusets) and ctl_cores_journal.c (journal, undo). Nothing outside
 * `ffwdctl cores` includes it.
 */
#ifndef FFWD_CTL_CORES_PVT_H
#define FFWD_CTL_CORES_PVT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf.h"
#include "ctl.h"

#define PF_KTHREAD 0x00200000
#define PF_NO_SETAFFINITY 0x04000000	/* per-CPU kthreads: nothing moves them */

/* The journal a dedication writes (ctl_cores_journal.c says what is in it). */
struct journal {
	FILE *f;
	int delay_ms;		/* FFWDCTL_DEDICATE_DELAY_MS: for crash tests */
	int n;
};

/* What a dedication works on. */
struct ded {
	const char *label;
	long long pid;			/* the label's ffwd */
	bool cpus[CTL_MAX_CPUS];	/* dedicated: the stage lcores' CPUs */
	bool hk[CTL_MAX_CPUS];		/* the rest of the root's CPUs */
	long stage_tid[CONF_MAX_LCORES];
	int stage_cpu[CONF_MAX_LCORES];
	int n_stage;
	bool v2, confined, dry;
	char mnt[PATH_MAX];		/* the cpuset hierarchy's mount */
	char root[PATH_MAX];		/* the subtree it may change */
	char set[PATH_MAX + 32];	/* the label's cpuset */
	char hkset[PATH_MAX + 32];	/* housekeeping cpuset */
	char mems[256], hk_mems[256];
	struct journal jr;
	int moved, refused, shrunk, irqs, irqs_refused, irqs_would;
	char refused_names[512];
};

/* ---- ctl_cores_sys.c: /proc, /sys ---- */

/* Parse a kernel CPU list ("0-3,7", possibly after flags "domain,") into
 * set[]; returns 0 or -1. Non-numeric items (isolcpus flags) are skipped. */
int ctl_cpulist_parse(const char *s, bool *set, int max);
void ctl_cpulist_format(const bool *set, int max, char *buf, size_t len);
/* The first line of a file, without its newline; 0 or -1. */
int ctl_read_line(const char *path, char *buf, size_t len);
/* Writes s to a (sysfs, cgroup) file; 0 or -errno. */
int ctl_write_str(const char *path, const char *s);
/* Where the cpuset controller is: v1 mount point or the v2 root. */
int ctl_cpuset_mount(char *buf, size_t len, bool *v2);
/* The flags field (9) of /proc/ID/stat. */
unsigned long ctl_task_flags(const char *pid);
/* Is the task a kernel thread (those bound to one CPU cannot move)? */
bool ctl_is_kthread(const char *pid);
/* Field 22 of /proc/ID/stat: when the task started (clock ticks). */
unsigned long long ctl_task_start(long tid);
int ctl_get_affinity(long tid, bool *set);
int ctl_set_affinity(long tid, const bool *set);
/* Is some CPU of a[] in b[] (any CPU of a[] when b is NULL)? */
bool ctl_cpus_any(const bool *a, const bool *b);
void ctl_task_comm(long tid, char *buf, size_t len);
/* IRQs whose affinity includes cpu; calls each(irq, list) per match. */
int ctl_scan_irqs(int cpu, char *names, size_t len,
		  void (*each)(const char *irq, const char *list, void *arg),
		  void *arg);
/* Is path (resolved) inside dir (resolved)? */
bool ctl_path_within(const char *path, const char *dir);

/* ---- ctl_cores_audit.c ---- */

/* `ffwdctl cores audit LABEL|CONF`: exit status. */
int ctl_cores_audit(const char *what);

/* ---- ctl_cores_journal.c ---- */

/* One journal line, written and fsynced; 0 or -errno (0 without a file). */
int ctl_jr_log(struct journal *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The label's journal file (in its runtime directory); 0 or -1. */
int ctl_journal_path(const char *label, char *buf, size_t len);

/* ---- ctl_cores_cg.c: cpusets ---- */

/* The cpuset cgroup a task is in, as a path under the mount. */
int ctl_task_cpuset(const struct ded *d, long tid, char *buf, size_t len);
/* The CPUs a cpuset may use (v2: effective; an empty cpuset.cpus inherits). */
int ctl_cg_cpus(const struct ded *d, const char *dir, bool *set);
/* Ids listed in a cgroup's tasks/cgroup.threads, calling fn for each. */
int ctl_cg_each_task(const char *dir, const char *file,
		     void (*fn)(struct ded *, const char *, long), struct ded *d);
/* A task directly in the root (v1) or a process in it (v2): out to the
 * housekeeping set, ffwd's stage threads into the label's set. */
void ctl_cg_place_task(struct ded *d, const char *dir, long tid);
/* The root's child cpusets (not ours) off the dedicated CPUs. */
void ctl_cg_walk_children(struct ded *d, const char *dir);
/* Memory nodes of the dedicated CPUs (sysfs), within the root's. */
void ctl_cg_dedicated_mems(struct ded *d, const char *root_mems);
/* The label's and the housekeeping cpusets, journaled; 0 or -1. */
int ctl_cg_make_sets(struct ded *d);
/* After everything has moved: the label's set made exclusive. */
void ctl_cg_exclusive(struct ded *d);

#endif /* FFWD_CTL_CORES_PVT_H */
