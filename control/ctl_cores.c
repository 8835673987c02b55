/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cores audit and cores dedicate: "selective timesharing". A label's
 * dedicated CPUs (those of its stage lcores) should run nothing but their
 * stage. audit says, per CPU, what stands in the way and what would fix
 * it; dedicate applies what can be applied at run time (a cpuset for the
 * label, other tasks' affinity and IRQ affinity moved off) and records how
 * to undo it, which `cores undo` and `stop` do.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "conf.h"
#include "ctl.h"

#define PF_KTHREAD 0x00200000
#define PF_NO_SETAFFINITY 0x04000000	/* per-CPU kthreads: nothing moves them */

/* Parse a kernel CPU list ("0-3,7", possibly after flags "domain,") into
 * set[]; returns 0 or -1. Non-numeric items (isolcpus flags) are skipped. */
static int
cpulist_parse(const char *s, bool *set, int max)
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

static void
cpulist_format(const bool *set, int max, char *buf, size_t len)
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

static int
read_line(const char *path, char *buf, size_t len)
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

static int
write_str(const char *path, const char *s)
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

/* The value of key= on the kernel command line, or NULL. */
static const char *
cmdline_value(const char *cmdline, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	const char *p = cmdline;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == cmdline || p[-1] == ' ') && p[kl] == '=') {
			size_t n = strcspn(p + kl + 1, " ");

			snprintf(buf, len, "%.*s", (int)n, p + kl + 1);
			return buf;
		}
		p += kl;
	}
	return NULL;
}

/* Where the cpuset controller is: v1 mount point or the v2 root. */
static int
cpuset_mount(char *buf, size_t len, bool *v2)
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
			if (read_line(path, ctl, sizeof(ctl)) == 0 && strstr(ctl, "cpuset")) {
				snprintf(buf, len, "%s", mnt);
				*v2 = true;
				found = 0;
			}
		}
	}
	fclose(f);
	return found;
}

static unsigned long task_flags(const char *pid);

/* Is the task a kernel thread (those bound to one CPU cannot move)? */
static bool
is_kthread(const char *pid)
{
	return (task_flags(pid) & PF_KTHREAD) != 0;
}

/* The flags field (9) of /proc/ID/stat. */
static unsigned long
task_flags(const char *pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (read_line(path, buf, sizeof(buf)) != 0)
		return 0;
	p = strrchr(buf, ')');
	/* fields after comm: state(3) ppid pgrp session tty tpgid flags(9) */
	for (i = 0; p != NULL && i < 7; i++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		flags = strtoul(p + 1, NULL, 10);
	return flags;
}

/* Is every CPU of want[] in have[]? */
static bool
cpus_all(const bool *want, const bool *have)
{
	int i;

	for (i = 0; i < CTL_MAX_CPUS; i++)
		if (want[i] && !have[i])
			return false;
	return true;
}

struct task_scan {
	int movable, pinned_kernel;
	char names[256];
};

/* Tasks allowed to run on `cpu`, except those of process `skip_pid`. */
static void
scan_tasks(int cpu, long skip_pid, struct task_scan *ts,
	   void (*each)(const char *tid, const char *comm, void *arg), void *arg)
{
	DIR *proc = opendir("/proc"), *task;
	struct dirent *p, *t;
	size_t nl = 0;

	memset(ts, 0, sizeof(*ts));
	if (proc == NULL)
		return;
	while ((p = readdir(proc)) != NULL) {
		char path[300];
		bool kth;

		if (p->d_name[0] < '0' || p->d_name[0] > '9' || atol(p->d_name) == skip_pid)
			continue;
		kth = is_kthread(p->d_name);
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (task == NULL)
			continue;
		while ((t = readdir(task)) != NULL) {
			char status[600], line[512], comm[64] = "?";
			bool allowed[CTL_MAX_CPUS] = { false }, one = false;
			int n = 0, i;
			FILE *f;

			if (t->d_name[0] == '.')
				continue;
			snprintf(status, sizeof(status), "/proc/%s/task/%s/status",
				 p->d_name, t->d_name);
			f = fopen(status, "r");
			if (f == NULL)
				continue;
			while (fgets(line, sizeof(line), f) != NULL) {
				if (strncmp(line, "Name:", 5) == 0)
					sscanf(line + 5, "%63s", comm);
				if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
					cpulist_parse(line + 18 + strspn(line + 18, " \t"),
						      allowed, CTL_MAX_CPUS);
					one = true;
				}
			}
			fclose(f);
			if (!one || cpu >= CTL_MAX_CPUS || !allowed[cpu])
				continue;
			for (i = 0; i < CTL_MAX_CPUS; i++)
				n += allowed[i];
			if (kth && n == 1) {
				ts->pinned_kernel++;
				continue;
			}
			ts->movable++;
			if (nl < sizeof(ts->names) - 70 && strstr(ts->names, comm) == NULL)
				nl += snprintf(ts->names + nl, sizeof(ts->names) - nl, "%s%s",
					       nl ? ", " : "", comm);
			if (each != NULL)
				each(t->d_name, comm, arg);
		}
		closedir(task);
	}
	closedir(proc);
}

/* IRQs whose affinity includes cpu; calls each(irq, list) per match. */
static int
scan_irqs(int cpu, char *names, size_t len,
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
		if (read_line(path, list, sizeof(list)) != 0)
			continue;
		cpulist_parse(list, set, CTL_MAX_CPUS);
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

struct noise {
	int cpu;
	double seconds;
	long gaps;
	double lost_us, max_us;
	int err;
};

/* FTQ-style probe: spin on one CPU and note every gap over 10 µs. */
static void *
noise_probe(void *arg)
{
	struct noise *nz = arg;
	struct timespec t0, t1;
	cpu_set_t set;
	uint64_t start, prev, now, end, hz, thr;

	CPU_ZERO(&set);
	CPU_SET(nz->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0) {
		nz->err = 1;
		return NULL;
	}
	/* Calibrate the TSC against the monotonic clock over the run. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start = prev = __rdtsc();
	hz = 2000000000ull; /* refined below; only the first threshold uses it */
	thr = hz / 100000;
	end = start + (uint64_t)(hz * nz->seconds);
	while ((now = __rdtsc()) < end) {
		uint64_t gap = now - prev;

		if (gap > thr) {
			nz->gaps++;
			nz->lost_us += gap;
			if (gap > nz->max_us)
				nz->max_us = gap;
		}
		prev = now;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	hz = (uint64_t)((now - start) /
			((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9));
	nz->lost_us = nz->lost_us / hz * 1e6;
	nz->max_us = nz->max_us / hz * 1e6;
	nz->seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	return NULL;
}

/* The label's or the config's dedicated CPUs; *pid = the running ffwd. */
static int
target_cpus(const char *what, bool *cpus, long *pid, char *label, size_t llen,
	    json_t **stages_before)
{
	static struct conf conf;
	char err[CONF_ERR_MAX];
	struct stat st;
	json_t *info;

	*pid = -1;
	if (stat(what, &st) == 0 && S_ISREG(st.st_mode)) {
		unsigned int p, i;

		if (conf_load(&conf, what, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
		for (p = 0; p < conf.n_paths; p++)
			for (i = 0; i < conf.paths[p].n_stages; i++) {
				int c = conf.cpu_of[conf.paths[p].stages[i].lcore];

				if (c >= 0 && c < CTL_MAX_CPUS)
					cpus[c] = true;
			}
		snprintf(label, llen, "%s", conf.label);
		info = ctl_query(conf.label, "/ffwd/info", err, sizeof(err));
		if (info != NULL) {
			*pid = ctl_int(info, "pid");
			json_decref(info);
		}
		return 0;
	}
	info = ctl_query(what, "/ffwd/info", err, sizeof(err));
	if (info == NULL) {
		fprintf(stderr, "ffwdctl: %s (and '%s' is not a config file)\n", err, what);
		return -1;
	}
	ctl_info_cpus(info, cpus, CTL_MAX_CPUS);
	*pid = ctl_int(info, "pid");
	snprintf(label, llen, "%s", what);
	json_decref(info);
	if (stages_before != NULL) {
		/* a snapshot's stages carry the OS's counters too */
		json_t *snap = ctl_snapshot(what, err, sizeof(err));

		*stages_before = json_incref(json_object_get(snap, "stages"));
		json_decref(snap);
	}
	return 0;
}

/* The kernel interface of a devargs string: its iface= value. */
static bool
port_iface(const char *dev, char *buf, size_t len)
{
	const char *at = dev;

	while ((at = strstr(at, "iface=")) != NULL) {
		size_t n;

		if (at != dev && at[-1] != ',') {
			at++;
			continue;
		}
		at += 6;
		n = strcspn(at, ",");
		if (n == 0 || n >= len)
			return false;
		memcpy(buf, at, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

/* Is IRQ `irq` already in list (comma-separated)? */
static bool
irq_listed(const char *list, const char *irq)
{
	size_t n = strlen(irq);
	const char *at = list;

	while ((at = strstr(at, irq)) != NULL) {
		if ((at == list || at[-1] == ' ') && (at[n] == '\0' || at[n] == ' '))
			return true;
		at += n;
	}
	return false;
}

/*
 * The IRQs of interface ifname: its device's MSI vectors, and the lines
 * of /proc/interrupts that name it ("eth0-TxRx-0"). Space-separated in
 * buf. @return their number.
 */
/* Add the IRQ numbers named in folder dir (msi_irqs) to buf. */
static void
msi_irqs(const char *dir, char *buf, size_t len, size_t *at, int *n)
{
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || irq_listed(buf, e->d_name) ||
		    *at + strlen(e->d_name) + 2 >= len)
			continue;
		*at += snprintf(buf + *at, len - *at, "%s%s", *at ? " " : "", e->d_name);
		(*n)++;
	}
	if (d != NULL)
		closedir(d);
}

/*
 * The IRQs of interface ifname: the MSI vectors of its device (or of the
 * PCI function above it, for virtio), and the lines of /proc/interrupts
 * that name it or its device ("eth0-TxRx-0", "virtio1-input.0").
 * Space-separated in buf. @return their number, -1 if there is no such
 * interface.
 */
static int
iface_irqs(const char *ifname, char *buf, size_t len)
{
	char path[PATH_MAX + 16], real[PATH_MAX], line[1024], devname[64] = "";
	size_t at = 0;
	int n = 0;
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	if (access(path, F_OK) != 0)
		return -1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifname);
	if (realpath(path, real) != NULL) {
		char *slash = strrchr(real, '/');

		snprintf(devname, sizeof(devname), "%s", slash + 1);
		snprintf(path, sizeof(path), "%s/msi_irqs", real);
		msi_irqs(path, buf, len, &at, &n);
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/msi_irqs", real);
		if (strncmp(devname, "virtio", 6) == 0)
			msi_irqs(path, buf, len, &at, &n);
	}
	f = fopen("/proc/interrupts", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char irq[16];
		const char *name = strrchr(line, ' ');

		if (sscanf(line, " %15[0-9]:", irq) != 1 || name == NULL ||
		    irq_listed(buf, irq) || at + strlen(irq) + 2 >= len)
			continue;
		name++;
		if (strncmp(name, ifname, strlen(ifname)) != 0 &&
		    (devname[0] == '\0' || strncmp(name, devname, strlen(devname)) != 0 ||
		     name[strlen(devname)] != '-'))
			continue;
		at += snprintf(buf + at, len - at, "%s%s", at ? " " : "", irq);
		n++;
	}
	if (f != NULL)
		fclose(f);
	return n;
}

/*
 * Ports on kernel interfaces (net_af_xdp, net_af_packet, net_pcap
 * iface=): where their IRQs may run. An interrupt on a dedicated CPU
 * takes it from its stage; on the housekeeping CPU it is harmless.
 */
static int
audit_port_irqs(const char *what, const char *label, const bool *cpus)
{
	static struct conf conf;
	char devs[CONF_MAX_PORTS][CONF_DEV_MAX], names[CONF_MAX_PORTS][CONF_NAME_MAX];
	char err[CONF_ERR_MAX];
	unsigned int n = 0, i;
	struct stat st;
	int findings = 0;

	if (stat(what, &st) == 0 && S_ISREG(st.st_mode)) {
		if (conf_load(&conf, what, err, sizeof(err)) != 0)
			return 0;
		for (i = 0; i < conf.n_ports; i++, n++) {
			snprintf(devs[n], sizeof(devs[n]), "%s", conf.ports[i].dev);
			snprintf(names[n], sizeof(names[n]), "%s", conf.ports[i].name);
		}
	} else {
		json_t *ports = ctl_query(label, "/ffwd/ports", err, sizeof(err));
		const char *k;
		json_t *v;

		json_object_foreach(ports, k, v) {
			if (n == CONF_MAX_PORTS)
				break;
			snprintf(devs[n], sizeof(devs[n]), "%s", ctl_str(v, "dev"));
			snprintf(names[n], sizeof(names[n]), "%s", ctl_str(v, "name"));
			n++;
		}
		json_decref(ports);
	}
	for (i = 0; i < n; i++) {
		char ifname[64], irqs[1024], *irq, *save = NULL;
		int n_irq, hit = 0;

		if (!port_iface(devs[i], ifname, sizeof(ifname)))
			continue;
		printf("\nport %s (interface %s):\n", names[i], ifname);
		n_irq = iface_irqs(ifname, irqs, sizeof(irqs));
		if (n_irq < 0) {
			printf("  - no such interface on this machine\n");
			continue;
		}
		if (n_irq == 0) {
			printf("  - no IRQs of its own (a virtual interface such as veth: "
			       "its receive work is softirq on the sending CPU)\n");
			continue;
		}
		for (irq = strtok_r(irqs, " ", &save); irq != NULL;
		     irq = strtok_r(NULL, " ", &save)) {
			char path[128], list[256];
			bool on[CTL_MAX_CPUS] = { false };
			int cpu, bad = 0;

			snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", irq);
			if (read_line(path, list, sizeof(list)) != 0)
				continue;
			cpulist_parse(list, on, CTL_MAX_CPUS);
			for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++)
				bad += on[cpu] && cpus[cpu];
			printf("  - irq %s: CPUs %s%s\n", irq, list,
			       bad ? ", dedicated ones among them" : "");
			hit += bad != 0;
		}
		if (hit) {
			printf("  - %d of its %d IRQs may fire on dedicated CPUs. Fix: set "
			       "their /proc/irq/N/smp_affinity_list to the housekeeping "
			       "CPU ('ffwdctl cores dedicate' does)\n", hit, n_irq);
			findings++;
		}
	}
	return findings;
}

static int
cores_audit(const char *what)
{
	bool cpus[CTL_MAX_CPUS] = { false }, iso[CTL_MAX_CPUS] = { false };
	bool nohz[CTL_MAX_CPUS] = { false }, rcu[CTL_MAX_CPUS] = { false };
	char cmdline[4096] = "", v[1024], label[64], mnt[256], list[256];
	json_t *before = NULL, *after = NULL, *info = NULL;
	double cyc_per_us = 1;
	long long thr_us = 10;
	int cpu, findings = 0;
	bool v2 = false, have_cpuset;
	long pid;

	if (target_cpus(what, cpus, &pid, label, sizeof(label), &before) != 0)
		return 1;
	read_line("/proc/cmdline", cmdline, sizeof(cmdline));
	if (cmdline_value(cmdline, "isolcpus", v, sizeof(v)))
		cpulist_parse(v, iso, CTL_MAX_CPUS);
	if (cmdline_value(cmdline, "nohz_full", v, sizeof(v)))
		cpulist_parse(v, nohz, CTL_MAX_CPUS);
	if (cmdline_value(cmdline, "rcu_nocbs", v, sizeof(v)))
		cpulist_parse(v, rcu, CTL_MAX_CPUS);
	have_cpuset = cpuset_mount(mnt, sizeof(mnt), &v2) == 0;
	cpulist_format(cpus, CTL_MAX_CPUS, list, sizeof(list));
	printf("cores audit for '%s': dedicated CPUs %s%s\n", label, list[0] ? list : "(none)",
	       pid > 0 ? "" : " (not running)");
	printf("kernel command line: %s\n", cmdline);
	printf("cpuset controller: %s\n",
	       have_cpuset ? (v2 ? "cgroup v2" : "cgroup v1") : "not mounted");
	if (before != NULL) {
		info = ctl_query(label, "/ffwd/info", v, sizeof(v));
		if (info != NULL) {
			cyc_per_us = ctl_int(info, "tsc_hz") / 1e6;
			thr_us = ctl_int(info, "hiccup_threshold_us");
		}
		sleep(1);
		{
			json_t *snap = ctl_snapshot(label, v, sizeof(v));

			after = json_incref(json_object_get(snap, "stages"));
			json_decref(snap);
		}
	}

	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++) {
		struct task_scan ts;
		char irqs[256];
		int n_irq;

		if (!cpus[cpu])
			continue;
		printf("\nCPU %d:\n", cpu);
		if (!iso[cpu]) {
			printf("  - not isolated: the scheduler may put any task here. Fix: add "
			       "isolcpus=%d (or isolcpus=domain,managed_irq,%d) to the kernel "
			       "command line and reboot\n", cpu, cpu);
			findings++;
		} else {
			printf("  - isolated (isolcpus)\n");
		}
		if (!nohz[cpu]) {
			printf("  - scheduler tick still runs here. Fix: nohz_full=%d\n", cpu);
			findings++;
		}
		if (!rcu[cpu]) {
			printf("  - RCU callbacks may run here. Fix: rcu_nocbs=%d\n", cpu);
			findings++;
		}
		if (!have_cpuset)
			printf("  - no cpuset controller mounted: no cpuset can reserve it\n");
		scan_tasks(cpu, pid, &ts, NULL, NULL);
		if (ts.movable > 0) {
			printf("  - %d other tasks may run here (%s%s). Fix: 'ffwdctl cores "
			       "dedicate %s' moves the movable ones off\n", ts.movable, ts.names,
			       strlen(ts.names) > 180 ? ", ..." : "", label);
			findings++;
		}
		if (ts.pinned_kernel > 0)
			printf("  - %d per-CPU kernel threads are bound here (normal; they sleep "
			       "unless the kernel has work on this CPU)\n", ts.pinned_kernel);
		n_irq = scan_irqs(cpu, irqs, sizeof(irqs), NULL, NULL);
		if (n_irq > 0) {
			printf("  - %d IRQs may fire here (%s). Fix: move their "
			       "/proc/irq/N/smp_affinity_list off CPU %d ('ffwdctl cores "
			       "dedicate' does)\n", n_irq, irqs, cpu);
			findings++;
		}
		if (after != NULL) {
			/* Running: the stage's own hiccup counters are the probe. */
			const char *sname;
			json_t *s;

			json_object_foreach(after, sname, s) {
				json_t *b = json_object_get(before, sname);
				long long gaps = ctl_int(s, "hiccups") - ctl_int(b, "hiccups");
				double lost = (ctl_int(s, "hiccup_cycles") -
					       ctl_int(b, "hiccup_cycles")) / cyc_per_us;

				if (ctl_int(s, "cpu") != cpu)
					continue;
				long long pre = ctl_int(s, "os_preempt") - ctl_int(b, "os_preempt");
				long long tk = ctl_int(s, "os_cpu_ticks") - ctl_int(b, "os_cpu_ticks");
				double steal = tk > 0 ? 100.0 * (ctl_int(s, "os_steal_ticks") -
						ctl_int(b, "os_steal_ticks")) / tk : 0;
				long long irq = ctl_int(s, "os_irqs") - ctl_int(b, "os_irqs");
				char who[256];

				printf("  - measured by stage %s over 1 s: %lld gaps > %lld µs, "
				       "%.0f µs lost, longest so far %.1f ms\n", sname, gaps,
				       thr_us, lost, ctl_int(s, "hiccup_max_ns") / 1e6);
				if (!json_is_integer(json_object_get(s, "os_preempt"))) {
					printf("    (no thread id from telemetry: preemption "
					       "cannot be told apart)\n");
				} else if (pre > 0) {
					ctl_runnable_on(cpu, pid, who, sizeof(who), 3);
					printf("    scheduler preempted %s %lld times: another task "
					       "runs on CPU %d%s%s%s; steal %.0f %%, %lld "
					       "interrupts\n", sname, pre, cpu, who[0] ? " (" : "",
					       who, who[0] ? ")" : "", steal, irq);
				} else {
					printf("    no preemption: %s by the hypervisor or "
					       "interrupts: steal %.0f %%, %lld interrupts\n",
					       gaps ? "time taken below the OS" : "nothing lost",
					       steal, irq);
				}
				if (gaps || pre > 0)
					findings++;
				break;
			}
		} else {
			struct noise nz = { .cpu = cpu, .seconds = 1 };
			pthread_t th;

			if (pthread_create(&th, NULL, noise_probe, &nz) == 0)
				pthread_join(th, NULL);
			if (nz.err)
				printf("  - noise: could not pin a probe to CPU %d\n", cpu);
			else
				printf("  - noise over %.1f s: %ld gaps > 10 µs, %.0f µs lost "
				       "(%.2f%%), longest %.0f µs%s\n", nz.seconds, nz.gaps,
				       nz.lost_us, nz.lost_us / (nz.seconds * 1e4), nz.max_us,
				       nz.gaps ? ": something else runs on this CPU (the kernel, "
						 "other tasks, or the hypervisor stealing time)" : "");
			if (nz.gaps)
				findings++;
		}
	}
	{
		/* What only a reboot gives: the whole line, ready to paste. */
		bool hk[CTL_MAX_CPUS] = { false };
		char hkl[256];
		long ncpu = sysconf(_SC_NPROCESSORS_CONF);

		for (cpu = 0; cpu < CTL_MAX_CPUS && cpu < ncpu; cpu++)
			hk[cpu] = !cpus[cpu];
		cpulist_format(hk, CTL_MAX_CPUS, hkl, sizeof(hkl));
		if (list[0] != '\0' && !(cpus_all(cpus, iso) && cpus_all(cpus, nohz) &&
					 cpus_all(cpus, rcu)))
			printf("\nkernel command line for CPUs %s (needs a reboot; 'cores "
			       "dedicate' cannot do this at run time):\n  isolcpus=managed_irq,"
			       "domain,%s nohz_full=%s rcu_nocbs=%s irqaffinity=%s\n", list, list,
			       list, list, hkl[0] ? hkl : "0");
	}
	findings += audit_port_irqs(what, label, cpus);
	printf("\n%d findings%s\n", findings, findings ? "" : ": the cores are dedicated");
	json_decref(before);
	json_decref(after);
	json_decref(info);
	return 0;
}

/* ---- dedicate / undo ------------------------------------------------- */

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
struct journal {
	FILE *f;
	int delay_ms;		/* FFWDCTL_DEDICATE_DELAY_MS: for crash tests */
	int n;
};

static int
jr_log(struct journal *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
jr_log(struct journal *j, const char *fmt, ...)
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

static int
journal_path(const char *label, char *buf, size_t len)
{
	char dir[256];

	if (ctl_runtime_dir(label, dir, sizeof(dir)) != 0)
		return -1;
	return snprintf(buf, len, "%s/dedicate.journal", dir) >= (int)len ? -1 : 0;
}

/* Field 22 of /proc/ID/stat: when the task started (clock ticks). */
static unsigned long long
task_start(long tid)
{
	char path[64], buf[1024], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", tid);
	if (read_line(path, buf, sizeof(buf)) != 0)
		return 0;
	p = strrchr(buf, ')');
	for (i = 2; p != NULL && i < 22; i++)
		p = strchr(p + 1, ' ');
	return p != NULL ? strtoull(p + 1, NULL, 10) : 0;
}

static int
get_affinity(long tid, bool *set)
{
	cpu_set_t cs;
	int i;

	if (sched_getaffinity((pid_t)tid, sizeof(cs), &cs) != 0)
		return -errno;
	for (i = 0; i < CTL_MAX_CPUS; i++)
		set[i] = i < CPU_SETSIZE && CPU_ISSET(i, &cs);
	return 0;
}

static int
set_affinity(long tid, const bool *set)
{
	cpu_set_t cs;
	int i;

	CPU_ZERO(&cs);
	for (i = 0; i < CTL_MAX_CPUS && i < CPU_SETSIZE; i++)
		if (set[i])
			CPU_SET(i, &cs);
	return sched_setaffinity((pid_t)tid, sizeof(cs), &cs) == 0 ? 0 : -errno;
}

static bool
cpus_any(const bool *a, const bool *b)
{
	int i;

	for (i = 0; i < CTL_MAX_CPUS; i++)
		if (a[i] && (b == NULL || b[i]))
			return true;
	return false;
}

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

static void
task_comm(long tid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/comm", tid);
	if (read_line(path, buf, len) != 0)
		snprintf(buf, len, "?");
}

/* The cpuset cgroup a task is in, as a path under the mount. */
static int
task_cpuset(const struct ded *d, long tid, char *buf, size_t len)
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
static int
cg_cpus(const struct ded *d, const char *dir, bool *set)
{
	char path[PATH_MAX + 64], v[1024];

	snprintf(path, sizeof(path), "%s/%s", dir,
		 d->v2 ? "cpuset.cpus.effective" : "cpuset.cpus");
	if (read_line(path, v, sizeof(v)) != 0)
		return -1;
	memset(set, 0, sizeof(bool) * CTL_MAX_CPUS);
	cpulist_parse(v, set, CTL_MAX_CPUS);
	return 0;
}

/* Write a cgroup file, journaling what it held first. */
static int
cg_write(struct ded *d, const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX + 64], old[1024] = "";
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	read_line(path, old, sizeof(old));
	if (d->dry) {
		printf("  write %s: '%s' -> '%s'\n", path, old, val);
		return 0;
	}
	if (strcmp(old, val) == 0)
		return 0;
	if ((ret = jr_log(&d->jr, "write %s\t%s", path, old)) != 0)
		return ret;
	return write_str(path, val);
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
	unsigned long long start = task_start(tid);
	int ret = 0;

	cpulist_format(old, CTL_MAX_CPUS, was, sizeof(was));
	cpulist_format(aff, CTL_MAX_CPUS, now, sizeof(now));
	task_comm(tid, comm, sizeof(comm));
	if (d->dry) {
		printf("  task %ld (%s): cpuset %s -> %s, affinity %s -> %s\n", tid, comm,
		       from, to != NULL ? to : "(stays; its cpuset shrinks)", was, now);
		d->moved++;
		return 0;
	}
	if (jr_log(&d->jr, "affinity %ld %llu %s", tid, start, was) != 0 ||
	    (to != NULL && jr_log(&d->jr, "cgroup %ld %llu %s %s", tid, start, from,
				  file) != 0))
		return -EIO;
	if (to != NULL) {
		snprintf(path, sizeof(path), "%s/%s", to, file);
		snprintf(id, sizeof(id), "%ld", tid);
		ret = write_str(path, id);
	}
	if (ret == 0)
		ret = set_affinity(tid, aff);
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
	if (!cpus_any(aff, NULL))
		memcpy(aff, within, sizeof(bool) * CTL_MAX_CPUS);
}

/* Ids listed in a cgroup's tasks/cgroup.threads, calling fn for each. */
static int
cg_each_task(const char *dir, const char *file, void (*fn)(struct ded *, const char *, long),
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
		if (get_affinity(tid, v[*n].aff) == 0)
			(*n)++;
	}
	closedir(t);
	return v;
}

/* A task directly in the root (v1) or a process in it (v2): out to the
 * housekeeping set, ffwd's stage threads into the label's set. */
static void
place_task(struct ded *d, const char *dir, long tid)
{
	bool old[CTL_MAX_CPUS], aff[CTL_MAX_CPUS];

	char id[32];

	snprintf(id, sizeof(id), "%ld", tid);
	/* per-CPU kernel threads refuse any move: listed, not tried */
	if (get_affinity(tid, old) != 0 || (task_flags(id) & PF_NO_SETAFFINITY) != 0)
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
		set_affinity(thr[k].tid, ta);
	}
	free(thr);
	if (d->v2 && tid == d->pid) {
		int i;

		/* The whole process went to hk; its other threads' own
		 * affinities, and the stage threads into the label's set. */
		for (i = 0; i < d->n_stage; i++) {
			bool so[CTL_MAX_CPUS];

			if (get_affinity(d->stage_tid[i], so) == 0)
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

	if (get_affinity(tid, old) != 0 || cg_cpus(d, dir, within) != 0)
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
	if (d->dry || get_affinity(tid, old) != 0)
		return;
	cpulist_format(old, CTL_MAX_CPUS, was, sizeof(was));
	jr_log(&d->jr, "affinity %ld %llu %s", tid, task_start(tid), was);
}

/*
 * A child cpuset of the root (not ours), children first: one whose CPUs
 * include dedicated ones is shrunk off them; one that has nothing but
 * dedicated CPUs cannot be, so its tasks go to the housekeeping set.
 */
static void
walk_children(struct ded *d, const char *dir)
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
		walk_children(d, sub);
		if (cg_cpus(d, sub, cur) != 0 || !cpus_any(cur, d->cpus))
			continue;
		for (i = 0; i < CTL_MAX_CPUS; i++)
			rest[i] = cur[i] && !d->cpus[i];
		if (!cpus_any(rest, NULL)) {
			cg_each_task(sub, d->v2 ? "cgroup.procs" : "tasks", place_task, d);
			continue;
		}
		cpulist_format(rest, CTL_MAX_CPUS, list, sizeof(list));
		cg_each_task(sub, tasks, note_affinity, d);
		if (cg_write(d, sub, "cpuset.cpus", list) == 0) {
			d->shrunk++;
			cg_each_task(sub, tasks, shrink_task, d);
		} else {
			printf("  cpuset %s: could not shrink it to %s\n", sub, list);
		}
	}
	closedir(dd);
}

/* Memory nodes of the dedicated CPUs (sysfs), within the root's. */
static void
dedicated_mems(struct ded *d, const char *root_mems)
{
	bool nodes[CTL_MAX_CPUS] = { false }, allowed[CTL_MAX_CPUS] = { false };
	int cpu, n;

	cpulist_parse(root_mems, allowed, CTL_MAX_CPUS);
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
	cpulist_format(nodes, CTL_MAX_CPUS, d->mems, sizeof(d->mems));
	if (d->mems[0] == '\0')
		snprintf(d->mems, sizeof(d->mems), "%s", root_mems);
}

static void
move_irq(struct ded *d, const char *irq, const char *list)
{
	bool set[CTL_MAX_CPUS] = { false };
	char now[1024], path[300];
	int i;

	cpulist_parse(list, set, CTL_MAX_CPUS);
	for (i = 0; i < CTL_MAX_CPUS; i++)
		set[i] = set[i] && !d->cpus[i];
	if (!cpus_any(set, NULL))
		memcpy(set, d->hk, sizeof(set));
	cpulist_format(set, CTL_MAX_CPUS, now, sizeof(now));
	if (d->dry || d->confined) {
		printf("  irq %s: affinity %s -> %s (%s)\n", irq, list, now,
		       d->confined ? "would move: --cgroup-root leaves IRQs alone" : "plan");
		d->irqs_would++;
		return;
	}
	snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", irq);
	if (jr_log(&d->jr, "irq %s %s", irq, list) != 0)
		return;
	if (write_str(path, now) == 0)
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

			if (pid <= 0 || !is_kthread(p->d_name) || get_affinity(pid, aff) != 0 ||
			    !aff[cpu])
				continue;
			for (i = 0; i < CTL_MAX_CPUS; i++)
				k += aff[i];
			if (k != 1)
				continue;
			n++;
			task_comm(pid, comm, sizeof(comm));
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
		if (task_cpuset(d, d->stage_tid[i], where, sizeof(where)) != 0)
			snprintf(where, sizeof(where), "?");
		printf("  stage thread %ld (CPU %d): cpuset %s%s\n", d->stage_tid[i],
		       d->stage_cpu[i], where, strcmp(where, d->set) == 0 ? "" :
		       " -- NOT in the label's cpuset");
		bad += strcmp(where, d->set) != 0;
	}
	if (task_cpuset(d, d->pid, where, sizeof(where)) == 0)
		printf("  main thread %lld: cpuset %s%s\n", d->pid, where,
		       strcmp(where, d->hkset) == 0 ? " (housekeeping)" : "");
	return bad;
}

/* Is path (resolved) inside dir (resolved)? */
static bool
path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
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
		    (task_cpuset(d, atol(e->d_name), where, sizeof(where)) != 0 ||
		     !path_within(where, d->root)))
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

		if (get_affinity(d->pid, main_aff) == 0) {
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
	if (cpuset_mount(d->mnt, sizeof(d->mnt), &d->v2) != 0) {
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
		if (!path_within(rp, d->mnt) || strcmp(rp, d->mnt) == 0) {
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
	if (cg_cpus(d, d->root, rootcpus) != 0) {
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
	if (!cpus_any(d->hk, NULL)) {
		fprintf(stderr, "ffwdctl: %s would have no CPU left for housekeeping\n",
			d->root);
		return -1;
	}
	snprintf(v, sizeof(v), "%s/%s", d->root, d->v2 ? "cpuset.mems.effective" :
		 "cpuset.mems");
	if (read_line(v, d->hk_mems, sizeof(d->hk_mems)) != 0 || d->hk_mems[0] == '\0')
		snprintf(d->hk_mems, sizeof(d->hk_mems), "0");
	dedicated_mems(d, d->hk_mems);
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

/* The cpusets: the label's (its CPUs and their memory nodes) and the
 * housekeeping one (the rest of the root's), journaled. */
static int
make_sets(struct ded *d)
{
	char list[1024], hk[1024];
	const char *dirs[2] = { d->set, d->hkset };
	int i;

	cpulist_format(d->cpus, CTL_MAX_CPUS, list, sizeof(list));
	cpulist_format(d->hk, CTL_MAX_CPUS, hk, sizeof(hk));
	for (i = 0; i < 2; i++) {
		if (d->dry) {
			printf("  mkdir %s\n", dirs[i]);
			continue;
		}
		if (jr_log(&d->jr, "mkdir %s", dirs[i]) != 0)
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
		read_line(path, ctl, sizeof(ctl));
		if (strstr(ctl, "cpuset") == NULL) {
			if (d->dry) {
				printf("  write %s: +cpuset\n", path);
			} else if (jr_log(&d->jr, "subtree %s", d->root) != 0 ||
				   write_str(path, "+cpuset") != 0) {
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
static void
exclusive(struct ded *d)
{
	char path[PATH_MAX + 64], v[256] = "";
	bool hk_now[CTL_MAX_CPUS];

	if (!d->v2) {
		char pe[PATH_MAX + 64], x[8] = "";

		snprintf(pe, sizeof(pe), "%s/cpuset.cpu_exclusive", d->root);
		read_line(pe, x, sizeof(x));
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
	if (!d->dry && read_line(path, v, sizeof(v)) == 0 && strcmp(v, "root") != 0) {
		printf("  cpuset %s: partition is '%s'; back to member\n", d->set, v);
		write_str(path, "member");
	}
	if (!d->dry && (cg_cpus(d, d->hkset, hk_now) != 0 || !cpus_any(hk_now, NULL)))
		printf("  WARNING: %s has no effective CPU left\n", d->hkset);
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
	cpulist_format(d.cpus, CTL_MAX_CPUS, list, sizeof(list));
	cpulist_format(d.hk, CTL_MAX_CPUS, hk, sizeof(hk));
	if (journal_path(label, jpath, sizeof(jpath)) != 0)
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
		jr_log(&d.jr, "# ffwd dedicate journal: label %s pid %lld root %s %s", label,
		       d.pid, d.root, d.v2 ? "v2" : "v1");
	}
	printf("%s '%s' (pid %lld): CPUs %s dedicated, housekeeping CPUs %s, cgroup %s "
	       "(%s%s)\n", dry ? "plan for" : "dedicating", label, d.pid, list, hk, d.root,
	       d.v2 ? "cgroup v2" : "cgroup v1", d.confined ? ", confined" : "");
	if (make_sets(&d) != 0)
		goto fail;
	/* Tasks in the root itself, then in its child cpusets; a second and
	 * third pass catch what forked meanwhile. */
	for (pass = 0; pass < (dry ? 1 : 3); pass++) {
		int before = d.moved;

		cg_each_task(d.root, d.v2 ? "cgroup.procs" : "tasks", place_task, &d);
		if (pass == 0)
			walk_children(&d, d.root);
		if (d.moved == before)
			break;
	}
	exclusive(&d);
	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++)
		if (d.cpus[cpu])
			scan_irqs(cpu, NULL, 0, irq_cb, &d);
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
	return task_start(atol(id)) == strtoull(start, NULL, 10);
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
			write_str(path, s);
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

	if (journal_path(label, path, sizeof(path)) != 0)
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
						  path_within(e->a, ent[k].a);
				ok = inside ? 1 : write_str(e->a, e->b) == 0 ? 0 : -1;
			} else if (phase == 0 && strcmp(e->kind, "subtree") == 0) {
				char p[PATH_MAX + 64];

				snprintf(p, sizeof(p), "%s/cgroup.subtree_control", e->a);
				ok = write_str(p, "-cpuset") == 0 ? 0 : -1;
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
				ok = write_str(p, e->a) == 0 ? 0 : -1;
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
				cpulist_parse(e->c, set, CTL_MAX_CPUS);
				r = set_affinity(atol(e->a), set);
				ok = r == 0 ? 0 : r == -ESRCH ? (gone++, 1) : -1;
			} else if (phase == 2 && strcmp(e->kind, "irq") == 0) {
				char p[300];

				snprintf(p, sizeof(p), "/proc/irq/%s/smp_affinity_list", e->a);
				ok = write_str(p, e->b) == 0 ? 0 : -1;
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

int
ctl_cmd_cores(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "audit") == 0)
		return cores_audit(argv[2]);
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
