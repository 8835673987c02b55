/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * start and stop: ffwdctl owns the cores. A pipeline starts only if no
 * running label holds any CPU its stage lcores need; it runs detached,
 * logging to ffwd.log in its own runtime directory (owner-only), and stops
 * with a drain whose final counters are checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"
#include "mono.h"

/* ffwd sits beside ffwdctl in the build tree (and when installed);
 * FFWD_BIN overrides. */
static void
ffwd_path(char *buf, size_t len)
{
	const char *env = getenv("FFWD_BIN");
	char self[PATH_MAX - 8];
	ssize_t n;
	char *slash;

	if (env != NULL) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		snprintf(buf, len, "ffwd");
		return;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	/* build/control/ffwdctl -> build/ffwd */
	snprintf(buf, len, "%s/ffwd", self);
	if (access(buf, X_OK) != 0) {
		slash = strrchr(self, '/');
		if (slash != NULL)
			*slash = '\0';
		snprintf(buf, len, "%s/ffwd", self);
	}
}

/* Dedicated CPUs of a config: the CPUs of its stage lcores. */
static int
conf_cpus(const struct conf *c, bool *cpus, char *who[], int max)
{
	unsigned int p, i;
	int n = 0;

	for (p = 0; p < c->n_paths; p++) {
		for (i = 0; i < c->paths[p].n_stages; i++) {
			const struct conf_stage *s = &c->paths[p].stages[i];
			int cpu = c->cpu_of[s->lcore];

			if (cpu < 0 || cpu >= max || cpus[cpu])
				continue;
			cpus[cpu] = true;
			who[cpu] = (char *)s->name;
			n++;
		}
	}
	return n;
}

int
ctl_cmd_start(int argc, char **argv)
{
	static struct conf conf;
	bool want[CTL_MAX_CPUS] = { false };
	char *who[CTL_MAX_CPUS] = { NULL };
	char labels[256][64], err[CONF_ERR_MAX], dir[256], log[320], bin[PATH_MAX];
	int n, i, cpu, fd;
	double deadline;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: ffwdctl start CONF\n");
		return CTL_EXIT_USAGE;
	}
	if (conf_load(&conf, argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return CTL_EXIT_USAGE;
	}
	conf_cpus(&conf, want, who, CTL_MAX_CPUS);

	/* Two labels never share a dedicated core. */
	n = ctl_labels(labels, 256);
	for (i = 0; i < n; i++) {
		bool held[CTL_MAX_CPUS] = { false };
		json_t *info = ctl_query(labels[i], "/ffwd/info", err, sizeof(err));

		if (info == NULL)
			continue;
		if (strcmp(labels[i], conf.label) == 0) {
			fprintf(stderr, "ffwdctl: label '%s' is already running (pid %lld)\n",
				conf.label, ctl_int(info, "pid"));
			json_decref(info);
			return 1;
		}
		ctl_info_cpus(info, held, CTL_MAX_CPUS);
		for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++) {
			if (want[cpu] && held[cpu]) {
				fprintf(stderr, "ffwdctl: CPU %d is dedicated to label '%s'; "
					"%s needs it for stage '%s' (label '%s'): pick other "
					"CPUs in pipeline.cpus or stop '%s' first\n", cpu,
					labels[i], argv[1], who[cpu], conf.label, labels[i]);
				json_decref(info);
				return 1;
			}
		}
		json_decref(info);
	}

	/* The runtime directory is the label's: owner-only. One that
	 * exists already must be ours (not planted by another user). */
	if (ctl_runtime_dir(conf.label, dir, sizeof(dir)) != 0) {
		fprintf(stderr, "ffwdctl: %s; a non-root user needs a runtime directory "
			"of their own (XDG_RUNTIME_DIR), never a shared /tmp path\n", dir);
		return 1;
	}
	{
		char base[256], *slash;

		snprintf(base, sizeof(base), "%s", dir);
		slash = strrchr(base, '/');
		if (slash != NULL) {
			*slash = '\0';
			if (mkdir(base, 0700) != 0 && errno != EEXIST) {
				fprintf(stderr, "ffwdctl: %s: %s\n", base, strerror(errno));
				return 1;
			}
		}
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "ffwdctl: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	{
		struct stat st;

		if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
			fprintf(stderr, "ffwdctl: %s is not a directory of yours: refused "
				"(another user may have created it first)\n", dir);
			return 1;
		}
	}
	chmod(dir, 0700);
	snprintf(log, sizeof(log), "%s/ffwd.log", dir);
	ffwd_path(bin, sizeof(bin));

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "ffwdctl: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		setsid();
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			close(fd);
		}
		execl(bin, bin, argv[1], (char *)NULL);
		fprintf(stderr, "ffwdctl: exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	/* Up when its telemetry says running; gone if the child exits. */
	deadline = mono_now() + 30;
	while (mono_now() < deadline) {
		json_t *info;
		int status;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "ffwdctl: ffwd for '%s' exited (status %d) during "
				"start-up; its log %s says:\n", conf.label,
				WIFEXITED(status) ? WEXITSTATUS(status) : -1, log);
			snprintf(err, sizeof(err), "tail -n 20 '%s' >&2", log);
			if (system(err) != 0)
				fprintf(stderr, "(log unreadable)\n");
			return 1;
		}
		info = ctl_query(conf.label, "/ffwd/info", err, sizeof(err));
		if (info != NULL) {
			bool up = strcmp(ctl_str(info, "state"), "running") == 0;

			json_decref(info);
			if (up) {
				printf("started '%s' (pid %d), log %s\n", conf.label, (int)pid, log);
				return 0;
			}
		}
		usleep(100000);
	}
	fprintf(stderr, "ffwdctl: '%s' (pid %d) did not come up in 30 s; see %s\n",
		conf.label, (int)pid, log);
	return 1;
}

int
ctl_cmd_stop(int argc, char **argv)
{
	char err[512], dir[256], log[320], line[1024];
	bool in_report = false, ok = false;
	double deadline;
	json_t *info;
	FILE *f;
	pid_t pid;

	if (argc != 2) {
		fprintf(stderr, "usage: ffwdctl stop LABEL\n");
		return CTL_EXIT_USAGE;
	}
	if (ctl_runtime_dir(argv[1], dir, sizeof(dir)) != 0 && ctl_label_ok(argv[1])) {
		fprintf(stderr, "ffwdctl: %s\n", dir);
		return 1;
	}
	info = ctl_query(argv[1], "/ffwd/info", err, sizeof(err));
	if (info == NULL) {
		fprintf(stderr, "ffwdctl: %s\n", err);
		/* Gone (crashed?) with its cores still dedicated: undo. */
		ctl_cores_undo(argv[1], true);
		return 1;
	}
	pid = (pid_t)ctl_int(info, "pid");
	json_decref(info);
	/* A missing pid used to become kill(0): the whole process group. */
	if (ctl_pid_check(argv[1], pid, err, sizeof(err)) != 0) {
		fprintf(stderr, "ffwdctl: stop %s: %s\n", argv[1], err);
		return 1;
	}
	/* Put back what 'cores dedicate' moved, while ffwd's threads are
	 * still there to be moved back into their old cgroups. */
	ctl_cores_undo(argv[1], true);
	if (kill(pid, SIGTERM) != 0) {
		fprintf(stderr, "ffwdctl: kill %d: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	/* SIGTERM drains: inputs stop, rings empty, TX flushes. */
	deadline = mono_now() + 60;
	while (kill(pid, 0) == 0 && mono_now() < deadline) {
		/* Reap it if it is our child (started by this shell's ffwdctl
		 * it is not; then it is reparented and reaped elsewhere). */
		waitpid(pid, NULL, WNOHANG);
		usleep(50000);
	}
	if (kill(pid, 0) == 0) {
		fprintf(stderr, "ffwdctl: '%s' (pid %d) still running after 60 s\n",
			argv[1], (int)pid);
		return 1;
	}
	snprintf(log, sizeof(log), "%s/ffwd.log", dir);
	f = fopen(log, "r");
	if (f == NULL) {
		printf("stopped '%s' (pid %d); no log at %s (not started by ffwdctl?)\n",
		       argv[1], (int)pid, log);
		return 0;
	}
	printf("stopped '%s' (pid %d); final counters:\n", argv[1], (int)pid);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "port ", 5) == 0)
			in_report = true;
		if (in_report)
			fputs(line, stdout);
		if (strncmp(line, "summary:", 8) == 0)
			ok = strstr(line, " ok") != NULL;
	}
	fclose(f);
	if (!ok) {
		fprintf(stderr, "ffwdctl: '%s' did not account for every packet "
			"(see the summary above)\n", argv[1]);
		return 3;
	}
	return 0;
}
