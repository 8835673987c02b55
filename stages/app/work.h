/* SPDX-License-Identifier: BSD-3-Clause */
/* work: its config, as parsed from YAML (tests read it). */
#ifndef FFWD_WORK_H
#define FFWD_WORK_H

#include <stdbool.h>
#include <stdint.h>

struct work_conf {
	uint64_t ns;			/**< ns of TSC-timed work per packet */
};


#endif /* FFWD_WORK_H */
