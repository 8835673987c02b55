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

/** Make the commands answer "gone" and wait out readers, before app_free(). */
void telemetry_unregister(void);

#endif
