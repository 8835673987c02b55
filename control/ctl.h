/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ffwdctl: the control plane. It is a client of each pipeline's DPDK
 * telemetry socket (/var/run/dpdk/<label>/dpdk_telemetry.v2), like
 * dpdk-telemetry.py, plus the owner of cores: start, stop, audit, dedicate.
 */
#ifndef FFWD_CTL_H
#define FFWD_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define CTL_EXIT_USAGE	2
#define CTL_MAX_CPUS	1024

/** Runtime directory of a label: where EAL puts its socket and config. */
int ctl_runtime_dir(const char *label, char *buf, size_t len);

/**
 * The label's runtime directory and telemetry socket are the caller's own
 * (owner uid, not writable by others, not links). @return 0 or -1 (err).
 */
int ctl_runtime_check(const char *label, char *err, size_t errlen);

/**
 * Is pid the ffwd of this label: > 1, /proc/PID/exe an ffwd binary, run
 * by the caller's uid (root may act on anyone's), and holding the label's
 * runtime directory (its EAL config file open)? Stop, dedicate and undo
 * act on a pid only after this. @return 0 or -1 with the reason in err.
 */
int ctl_pid_check(const char *label, long long pid, char *err, size_t errlen);

/** The pid a label's telemetry reports, checked by ctl_pid_check(). */
long long ctl_label_pid(const char *label, char *err, size_t errlen);

/**
 * Add what the OS says about each stage thread and its CPU to a snapshot:
 * per stage os_preempt (nonvoluntary context switches of its thread),
 * os_vcsw, and of its CPU os_steal_ticks, os_cpu_ticks (USER_HZ) and
 * os_irqs (the CPU's column of /proc/interrupts). Read outside the data
 * path, by ffwdctl, from /proc.
 */
void ctl_os_annotate(json_t *snap);

/** Up to max names of runnable tasks last seen on cpu, pid's excluded. */
int ctl_runnable_on(int cpu, long long skip_pid, char *buf, size_t len, int max);

/** Dedicated CPUs from /ffwd/info (arrays, or the lcores string). */
int ctl_info_cpus(json_t *info, bool *cpus, int max);

/** Label syntax: 1..15 chars of [A-Za-z0-9_-]. */
bool ctl_label_ok(const char *label);

/**
 * Ask a running pipeline one telemetry command.
 * @return the reply's value for cmd (a new reference), or NULL with a
 *   message in err (no such label, not an ffwd, no answer).
 */
json_t *ctl_query(const char *label, const char *cmd, char *err, size_t errlen);

/** info + stages + rings + ports of a label in one object, or NULL. */
json_t *ctl_snapshot(const char *label, char *err, size_t errlen);

/** Labels with a live telemetry socket; returns how many (<= max). */
int ctl_labels(char (*labels)[64], int max);

/** Parse "1@1,2@0" (from /ffwd/info lcores) into a CPU set of stage CPUs. */
int ctl_parse_lcores(const char *s, int housekeeping, bool *cpus, int max);

/** json helpers: integer member or 0, string member or "". */
long long ctl_int(json_t *o, const char *key);
const char *ctl_str(json_t *o, const char *key);

int ctl_cmd_list(int argc, char **argv);
int ctl_cmd_status(int argc, char **argv);
int ctl_cmd_top(int argc, char **argv);
int ctl_cmd_stats(int argc, char **argv);
int ctl_cmd_export(int argc, char **argv);
int ctl_cmd_start(int argc, char **argv);
int ctl_cmd_stop(int argc, char **argv);
int ctl_cmd_cores(int argc, char **argv);
int ctl_cmd_capture(int argc, char **argv);

/** Apply a label's dedication journal backwards, if there is one. */
int ctl_cores_undo(const char *label, bool quiet);
int ctl_cmd_scale(int argc, char **argv);

/**
 * If STAGE is a fleet replica, the verdict on its fleet (average busy,
 * the busiest replica and its share, imbalance or room to grow); WHY is
 * appended to "is the bottleneck". @return false if STAGE is in no fleet.
 */
bool ctl_fleet_verdict(json_t *before, json_t *after, const char *stage,
		       const char *why, FILE *out);

/** Per fleet: provisioned vs allocated lcores, per replica figures. */
void ctl_fleet_table(json_t *before, json_t *after, double dt, FILE *out);

/**
 * The verdict on two snapshots taken dt seconds apart: one or more lines
 * in plain words (bottleneck, stall, stolen cores), written to out.
 */
void ctl_verdict(json_t *before, json_t *after, double dt, FILE *out);

#endif
