/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry: ffwd's commands on DPDK's telemetry socket
 * (/var/run/dpdk/<label>/dpdk_telemetry.v2): /ffwd/info, /ffwd/stages,
 * /ffwd/rings, /ffwd/ports. Reading them takes no lock on the data path.
 */
#ifndef FFWD_TELEMETRY_H
#define FFWD_TELEMETRY_H

struct app;

/** Register the commands for a (after app_build()). @return 0 or -1. */
int telemetry_register(struct app *a, const char *config_path);

/**
 * Run fn(arg) with no telemetry reader inside the app (readers arriving
 * meanwhile are told the pipeline is busy): for changes, such as a rules
 * reload, that free what a reader may be looking at. @return fn's value.
 */
int telemetry_quiesce(int (*fn)(void *arg), void *arg);

/** Make the commands answer "gone" and wait out readers, before app_free(). */
void telemetry_unregister(void);

#endif
