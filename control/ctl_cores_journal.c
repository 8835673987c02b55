/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cores dedicate's journal: every change recorded before it is made, and
 * `cores undo` (also run by `stop` and by the next dedicate), which
 * applies a journal backwards.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_cores_pvt.h"

/*
 * The journal: one line per change, written and fsynced BEFORE the change
 * is made, so that whatever point ffwdctl is killed at, every change made
 * is on disk and `cores undo` can put it back (undoing a change that did
 * not happen yet is harmless: it writes the value that is already there).
 *
 *	mkdir DIR			a cpuset ffwdctl created
 *	write FILE<TAB>OLD		a cgroup file and what it held
 *	subtree DIR			"+cpuset" written to DIR's subtree_control
 *	cgroup ID START DIR FILE	task ID (START: its start time, so
 *					that a reused id is never touched) was
 *					in DIR; FILE is how to put it back
 *	affinity ID START LIST		task ID's CPU affinity was LIST
 *	irq N LIST			IRQ N's affinity was LIST
 *
 * Undo goes backwards over mkdir/write/subtree/cgroup (moving a task into
 * a cpuset resets its affinity), then backwards over every affinity (the
 * first record of a task is its original value, written last), then IRQs.
 */
int
ctl_jr_log(struct journal *j, const char *fmt, ...)
{
	va_list ap;

	if (j == NULL || j->f == NULL)
		return 0;
	va_start(ap, fmt);
	vfprintf(j->f, fmt, ap);
	va_end(ap);
	fputc('\n', j->f);
	if (fflush(j->f) != 0 || fsync(fileno(j->f)) != 0)
		return -errno;
	j->n++;
	if (j->delay_ms > 0)
		usleep((useconds_t)j->delay_ms * 1000);
	return 0;
}

int
ctl_journal_path(const char *label, char *buf, size_t len)
{
	char dir[256];

	if (ctl_runtime_dir(label, dir, sizeof(dir)) != 0)
		return -1;
	return snprintf(buf, len, "%s/dedicate.journal", dir) >= (int)len ? -1 : 0;
}

/* One journal line, parsed. */
struct jentry {
	char kind[16];
	char *a;		/* path, task or IRQ id */
	char *b;		/* old value, start time */
	char *c;		/* old cgroup dir / affinity list */
	char e[32];		/* cgroup file */
};

/* Is the task id still the task that was journaled (not a reused id)? */
static bool
same_task(const char *id, const char *start)
{
	return ctl_task_start(atol(id)) == strtoull(start, NULL, 10);
}

/* Move every task still in a cpuset we made to its parent, then remove it. */
static int
drain_rmdir(const char *dir)
{
	char parent[PATH_MAX + 64], path[PATH_MAX + 80], *slash;
	const char *files[] = { "cgroup.threads", "tasks" };
	int k;

	if (access(dir, F_OK) != 0)
		return 0;
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	for (k = 0; k < 2; k++) {
		FILE *f;
		long id;

		snprintf(path, sizeof(path), "%s/%s", dir, files[k]);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", parent,
			 k == 0 ? "cgroup.procs" : "tasks");
		while (fscanf(f, "%ld", &id) == 1) {
			char s[32];

			snprintf(s, sizeof(s), "%ld", id);
			ctl_write_str(path, s);
		}
		fclose(f);
	}
	return rmdir(dir) == 0 || errno == ENOENT ? 0 : -1;
}

int
ctl_cores_undo(const char *label, bool quiet)
{
	static char a[PATH_MAX + 64], b[PATH_MAX + 64], c[PATH_MAX + 64];
	struct jentry *ent = NULL;
	char path[400], *line = NULL;
	size_t cap = 0, lcap = 0;
	int n = 0, i, restored = 0, failed = 0, gone = 0, phase;
	struct stat st;
	FILE *f;

	if (ctl_journal_path(label, path, sizeof(path)) != 0)
		return 0;
	if (lstat(path, &st) != 0) {
		if (!quiet)
			printf("nothing to undo for '%s'\n", label);
		return 0;
	}
	/* The journal names files to write as root: it must be ours. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		fprintf(stderr, "ffwdctl: %s is not a file of yours: refused\n", path);
		return 1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "ffwdctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (getline(&line, &lcap, f) > 0) {
		struct jentry *e;
		char *tab;

		if ((size_t)n == cap) {
			struct jentry *m = realloc(ent, (cap = cap ? 2 * cap : 256) * sizeof(*ent));

			if (m == NULL) {
				fprintf(stderr, "ffwdctl: out of memory reading %s\n", path);
				break; /* undo what was read; the journal stays */
			}
			ent = m;
		}
		e = &ent[n];
		line[strcspn(line, "\n")] = '\0';
		memset(e, 0, sizeof(*e));
		a[0] = b[0] = c[0] = '\0';
		if (line[0] == '#' || sscanf(line, "%15s", e->kind) != 1)
			continue;
		if (strcmp(e->kind, "write") == 0 && (tab = strchr(line, '\t')) != NULL) {
			*tab = '\0';
			snprintf(a, sizeof(a), "%.4000s", line + 6);
			snprintf(b, sizeof(b), "%.4000s", tab + 1);
		} else if (sscanf(line, "%*s %4159s %4159s %4159s %31s", a, b, c, e->e) < 1) {
			continue;
		}
		e->a = strdup(a);
		e->b = strdup(b);
		e->c = strdup(c);
		if (e->a == NULL || e->b == NULL || e->c == NULL) {
			free(e->a), free(e->b), free(e->c);
			break;
		}
		n++;
	}
	free(line);
	fclose(f);
	/*
	 * Backwards over the structure, then the affinities, then IRQs. Each
	 * phase goes backwards, so that when one task's affinity was recorded
	 * twice (before its cpuset shrank, and again as it moved) the first,
	 * original value is the last one written.
	 */
	for (phase = 0; phase < 3; phase++) {
		for (i = n - 1; i >= 0; i--) {
			struct jentry *e = &ent[i];
			int ok = 1; /* 1: not this phase */

			if (phase == 0 && strcmp(e->kind, "mkdir") == 0) {
				ok = drain_rmdir(e->a);
			} else if (phase == 0 && strcmp(e->kind, "write") == 0) {
				int k;
				bool inside = false;

				/* files of a cpuset we made go with it */
				for (k = 0; k < i; k++)
					inside |= strcmp(ent[k].kind, "mkdir") == 0 &&
						  ctl_path_within(e->a, ent[k].a);
				ok = inside ? 1 : ctl_write_str(e->a, e->b) == 0 ? 0 : -1;
			} else if (phase == 0 && strcmp(e->kind, "subtree") == 0) {
				char p[PATH_MAX + 64];

				snprintf(p, sizeof(p), "%s/cgroup.subtree_control", e->a);
				ok = ctl_write_str(p, "-cpuset") == 0 ? 0 : -1;
			} else if (phase == 0 && strcmp(e->kind, "cgroup") == 0) {
				char p[2 * PATH_MAX];

				if (!same_task(e->a, e->b)) {
					gone++;
					continue;
				}
				/* v2 cgroup.threads: back with the process */
				snprintf(p, sizeof(p), "%s/%s", e->c,
					 strcmp(e->e, "cgroup.threads") == 0 ? "cgroup.threads" :
					 e->e[0] ? e->e : "tasks");
				ok = ctl_write_str(p, e->a) == 0 ? 0 : -1;
				if (ok != 0 && !same_task(e->a, e->b)) {
					gone++;
					continue;
				}
			} else if (phase == 1 && strcmp(e->kind, "affinity") == 0) {
				bool set[CTL_MAX_CPUS] = { false };
				int r;

				if (!same_task(e->a, e->b)) {
					gone++;
					continue;
				}
				ctl_cpulist_parse(e->c, set, CTL_MAX_CPUS);
				r = ctl_set_affinity(atol(e->a), set);
				ok = r == 0 ? 0 : r == -ESRCH ? (gone++, 1) : -1;
			} else if (phase == 2 && strcmp(e->kind, "irq") == 0) {
				char p[300];

				snprintf(p, sizeof(p), "/proc/irq/%s/smp_affinity_list", e->a);
				ok = ctl_write_str(p, e->b) == 0 ? 0 : -1;
			}
			if (ok == 0)
				restored++;
			else if (ok < 0)
				failed++;
		}
	}
	for (i = 0; i < n; i++)
		free(ent[i].a), free(ent[i].b), free(ent[i].c);
	free(ent);
	if (failed == 0)
		unlink(path);
	if (!quiet || failed)
		printf("undone for '%s': %d settings restored, %d could not be%s, %d tasks "
		       "gone since%s\n", label, restored, failed,
		       failed ? " (journal kept)" : "", gone, failed ? "" : "");
	return failed ? 1 : 0;
}
