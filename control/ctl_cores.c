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
#include <limits.h>
#include <pthread.h>
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

/* Is the task a kernel thread (those bound to one CPU cannot move)? */
static bool
is_kthread(const char *pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (read_line(path, buf, sizeof(buf)) != 0)
		return false;
	p = strrchr(buf, ')');
	/* fields after comm: state(3) ppid pgrp session tty tpgid flags(9) */
	for (i = 0; p != NULL && i < 7; i++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		flags = strtoul(p + 1, NULL, 10);
	return (flags & PF_KTHREAD) != 0;
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
	ctl_parse_lcores(ctl_str(info, "lcores"), (int)ctl_int(info, "housekeeping"),
			 cpus, CTL_MAX_CPUS);
	*pid = ctl_int(info, "pid");
	snprintf(label, llen, "%s", what);
	json_decref(info);
	if (stages_before != NULL)
		*stages_before = ctl_query(what, "/ffwd/stages", err, sizeof(err));
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
		after = ctl_query(label, "/ffwd/stages", v, sizeof(v));
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
				printf("  - measured by stage %s over 1 s: %lld gaps > %lld µs, "
				       "%.0f µs lost, longest so far %.1f ms%s\n", sname, gaps,
				       thr_us, lost, ctl_int(s, "hiccup_max_ns") / 1e6,
				       gaps ? ": the OS or the hypervisor takes this CPU" : "");
				if (gaps)
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
	findings += audit_port_irqs(what, label, cpus);
	printf("\n%d findings%s\n", findings, findings ? "" : ": the cores are dedicated");
	json_decref(before);
	json_decref(after);
	json_decref(info);
	return 0;
}

/* ---- dedicate / undo ------------------------------------------------- */

struct plan {
	const bool *cpus;
	FILE *state;		/* undo log, NULL on a dry run */
	bool dry;
	int tasks, tasks_failed, irqs, irqs_failed;
};

static void
move_task(const char *tid, const char *comm, void *arg)
{
	struct plan *pl = arg;
	cpu_set_t set;
	bool allowed[CTL_MAX_CPUS] = { false }, rest[CTL_MAX_CPUS];
	char was[256], now[256];
	int i, n = 0;

	if (sched_getaffinity(atoi(tid), sizeof(set), &set) != 0)
		return;
	for (i = 0; i < CTL_MAX_CPUS && i < CPU_SETSIZE; i++) {
		allowed[i] = CPU_ISSET(i, &set);
		rest[i] = allowed[i] && !pl->cpus[i];
		n += rest[i];
	}
	if (n == 0)
		return; /* allowed only on dedicated CPUs: leave it */
	cpulist_format(allowed, CTL_MAX_CPUS, was, sizeof(was));
	cpulist_format(rest, CTL_MAX_CPUS, now, sizeof(now));
	if (pl->dry) {
		printf("  task %s (%s): affinity %s -> %s\n", tid, comm, was, now);
		pl->tasks++;
		return;
	}
	CPU_ZERO(&set);
	for (i = 0; i < CTL_MAX_CPUS && i < CPU_SETSIZE; i++)
		if (rest[i])
			CPU_SET(i, &set);
	if (sched_setaffinity(atoi(tid), sizeof(set), &set) == 0) {
		fprintf(pl->state, "task %s %s\n", tid, was);
		pl->tasks++;
	} else {
		pl->tasks_failed++;
	}
}

static void
move_irq(const char *irq, const char *list, void *arg)
{
	struct plan *pl = arg;
	bool set[CTL_MAX_CPUS] = { false };
	char now[256], path[300];
	int i, n = 0;

	cpulist_parse(list, set, CTL_MAX_CPUS);
	for (i = 0; i < CTL_MAX_CPUS; i++) {
		set[i] = set[i] && !pl->cpus[i];
		n += set[i];
	}
	if (n == 0) {
		/* Only dedicated CPUs were allowed: send it to CPU 0's side. */
		for (i = 0; i < CTL_MAX_CPUS && n == 0; i++)
			if (!pl->cpus[i])
				set[i] = true, n = 1;
	}
	cpulist_format(set, CTL_MAX_CPUS, now, sizeof(now));
	if (pl->dry) {
		printf("  irq %s: affinity %s -> %s\n", irq, list, now);
		pl->irqs++;
		return;
	}
	snprintf(path, sizeof(path), "/proc/irq/%s/smp_affinity_list", irq);
	if (write_str(path, now) == 0) {
		fprintf(pl->state, "irq %s %s\n", irq, list);
		pl->irqs++;
	} else {
		pl->irqs_failed++; /* some IRQs (per-CPU timers, IPIs) never move */
	}
}

static int
state_path(const char *label, char *buf, size_t len)
{
	char dir[256];

	ctl_runtime_dir(label, dir, sizeof(dir));
	return snprintf(buf, len, "%s/dedicate.state", dir) >= (int)len ? -1 : 0;
}

int
ctl_cores_undo(const char *label, bool quiet)
{
	char path[400], kind[16], a[64], b[512];
	int restored = 0, failed = 0;
	FILE *f;

	state_path(label, path, sizeof(path));
	f = fopen(path, "r");
	if (f == NULL) {
		if (!quiet)
			printf("nothing to undo for '%s'\n", label);
		return 0;
	}
	while (fscanf(f, "%15s %63s %511[^\n]", kind, a, b) == 3) {
		int ok = -1;

		if (strcmp(kind, "task") == 0) {
			bool set[CTL_MAX_CPUS] = { false };
			cpu_set_t cs;
			int i;

			cpulist_parse(b, set, CTL_MAX_CPUS);
			CPU_ZERO(&cs);
			for (i = 0; i < CTL_MAX_CPUS && i < CPU_SETSIZE; i++)
				if (set[i])
					CPU_SET(i, &cs);
			ok = sched_setaffinity(atoi(a), sizeof(cs), &cs);
			if (ok != 0 && errno == ESRCH)
				ok = 0; /* gone: nothing to restore */
		} else if (strcmp(kind, "irq") == 0) {
			char p[300];

			snprintf(p, sizeof(p), "/proc/irq/%s/smp_affinity_list", a);
			ok = write_str(p, b);
		} else if (strcmp(kind, "cpuset") == 0) {
			ok = rmdir(a) == 0 || errno == ENOENT ? 0 : -1;
		}
		if (ok == 0)
			restored++;
		else
			failed++;
	}
	fclose(f);
	unlink(path);
	if (!quiet || failed)
		printf("undone for '%s': %d settings restored, %d could not be\n", label,
		       restored, failed);
	return failed ? 1 : 0;
}

static int
cores_dedicate(const char *label, bool dry)
{
	bool cpus[CTL_MAX_CPUS] = { false }, v2 = false;
	struct plan pl = { .cpus = cpus, .dry = dry };
	char lbl[64], mnt[256], list[256], set_dir[400], path[500], spath[400];
	long pid;
	int cpu;

	if (!dry && geteuid() != 0) {
		fprintf(stderr, "ffwdctl: cores dedicate changes other tasks' affinity, IRQ "
			"affinity and cpusets, which needs root; run it as root, or see what "
			"it would do with --dry-run\n");
		return 1;
	}
	if (target_cpus(label, cpus, &pid, lbl, sizeof(lbl), NULL) != 0)
		return 1;
	if (pid <= 0) {
		fprintf(stderr, "ffwdctl: '%s' is not running\n", label);
		return 1;
	}
	cpulist_format(cpus, CTL_MAX_CPUS, list, sizeof(list));
	state_path(lbl, spath, sizeof(spath));
	if (!dry) {
		ctl_cores_undo(lbl, true); /* start from a clean slate */
		pl.state = fopen(spath, "w");
		if (pl.state == NULL) {
			fprintf(stderr, "ffwdctl: %s: %s\n", spath, strerror(errno));
			return 1;
		}
	}
	printf("%s for '%s' (pid %ld), dedicated CPUs %s:\n",
	       dry ? "plan" : "dedicating", lbl, pid, list);

	/* 1. A cpuset for the label's CPUs. */
	if (cpuset_mount(mnt, sizeof(mnt), &v2) == 0) {
		snprintf(set_dir, sizeof(set_dir), "%s/ffwd-%s", mnt, lbl);
		if (dry) {
			printf("  cpuset %s: cpus %s%s\n", set_dir, list,
			       v2 ? ", partition root" : ", cpu_exclusive (if no sibling "
							 "cpuset overlaps)");
		} else if (mkdir(set_dir, 0755) == 0 || errno == EEXIST) {
			fprintf(pl.state, "cpuset %s -\n", set_dir);
			snprintf(path, sizeof(path), "%s/%s", set_dir, v2 ? "cpuset.cpus" : "cpuset.cpus");
			if (write_str(path, list) != 0)
				printf("  cpuset: could not set cpus %s\n", list);
			if (!v2) {
				snprintf(path, sizeof(path), "%s/cpuset.mems", set_dir);
				write_str(path, "0");
				snprintf(path, sizeof(path), "%s/cpuset.cpu_exclusive", set_dir);
				if (write_str(path, "1") != 0)
					printf("  cpuset: not exclusive: a sibling cpuset "
					       "(e.g. the system's) overlaps CPUs %s\n", list);
			} else {
				snprintf(path, sizeof(path), "%s/cpuset.cpus.partition", set_dir);
				if (write_str(path, "root") != 0)
					printf("  cpuset: could not make a partition root\n");
			}
			printf("  cpuset %s created\n", set_dir);
		}
	} else {
		printf("  no cpuset controller mounted: skipping the cpuset\n");
	}
	/* 2. Other movable tasks off the dedicated CPUs. */
	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++) {
		struct task_scan ts;

		if (cpus[cpu])
			scan_tasks(cpu, pid, &ts, move_task, &pl);
	}
	/* 3. IRQs off them. */
	for (cpu = 0; cpu < CTL_MAX_CPUS; cpu++)
		if (cpus[cpu])
			scan_irqs(cpu, NULL, 0, move_irq, &pl);
	if (dry) {
		printf("%d tasks and %d IRQs would move; nothing changed\n", pl.tasks, pl.irqs);
		return 0;
	}
	fclose(pl.state);
	printf("moved %d tasks (%d refused) and %d IRQs (%d refused); 'ffwdctl cores undo "
	       "%s' or 'ffwdctl stop %s' restores them\n", pl.tasks, pl.tasks_failed,
	       pl.irqs, pl.irqs_failed, lbl, lbl);
	return 0;
}

int
ctl_cmd_cores(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "audit") == 0)
		return cores_audit(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "dedicate") == 0)
		return cores_dedicate(argv[2], argc >= 4 && strcmp(argv[3], "--dry-run") == 0);
	if (argc >= 3 && strcmp(argv[1], "undo") == 0)
		return ctl_cores_undo(argv[2], false);
	fprintf(stderr, "usage: ffwdctl cores audit LABEL|CONF\n"
		"       ffwdctl cores dedicate LABEL [--dry-run]\n"
		"       ffwdctl cores undo LABEL\n");
	return CTL_EXIT_USAGE;
}
