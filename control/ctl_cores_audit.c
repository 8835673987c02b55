/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cores audit: per dedicated CPU, what stands in the way of its stage
 * (no isolcpus/nohz_full/rcu_nocbs, other tasks, IRQs, a port's IRQs)
 * and what would fix it; the noise measured by the stage's own hiccup
 * counters when the label runs, by a probe on the CPU when it does not.
 */
#define _GNU_SOURCE
#include <dirent.h>
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
#include "ctl_cores_pvt.h"

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
		kth = ctl_is_kthread(p->d_name);
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
					ctl_cpulist_parse(line + 18 + strspn(line + 18, " \t"),
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
			if (ctl_read_line(path, list, sizeof(list)) != 0)
				continue;
			ctl_cpulist_parse(list, on, CTL_MAX_CPUS);
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

int
ctl_cores_audit(const char *what)
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
	ctl_read_line("/proc/cmdline", cmdline, sizeof(cmdline));
	if (cmdline_value(cmdline, "isolcpus", v, sizeof(v)))
		ctl_cpulist_parse(v, iso, CTL_MAX_CPUS);
	if (cmdline_value(cmdline, "nohz_full", v, sizeof(v)))
		ctl_cpulist_parse(v, nohz, CTL_MAX_CPUS);
	if (cmdline_value(cmdline, "rcu_nocbs", v, sizeof(v)))
		ctl_cpulist_parse(v, rcu, CTL_MAX_CPUS);
	have_cpuset = ctl_cpuset_mount(mnt, sizeof(mnt), &v2) == 0;
	ctl_cpulist_format(cpus, CTL_MAX_CPUS, list, sizeof(list));
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
		n_irq = ctl_scan_irqs(cpu, irqs, sizeof(irqs), NULL, NULL);
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
		ctl_cpulist_format(hk, CTL_MAX_CPUS, hkl, sizeof(hkl));
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
