/* SPDX-License-Identifier: BSD-3-Clause */
/* mono_now(): CLOCK_MONOTONIC in seconds, for the slow paths (supervision,
 * control plane, calibration). Never in a stage loop: that uses the TSC. */
#ifndef FFWD_MONO_H
#define FFWD_MONO_H

#include <time.h>

static inline double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
