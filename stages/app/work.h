/* SPDX-License-Identifier: BSD-3-Clause */
/* work: its config, as parsed from YAML (tests read it). */
#ifndef FFWD_WORK_H
#define FFWD_WORK_H

#include <stdbool.h>
#include <stdint.h>

struct work_conf {
	uint64_t ns;			/**< ns of TSC-timed work per packet */
	uint64_t stall_ms;		/**< test-only: stall once, this long */
	uint64_t stall_after;		/**< ... once this many packets passed */
};


#endif /* FFWD_WORK_H */
