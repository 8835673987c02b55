/* SPDX-License-Identifier: BSD-3-Clause */
/* fwd: its config, as parsed from YAML (tests read it). */
#ifndef FFWD_FWD_H
#define FFWD_FWD_H

#include <stdbool.h>
#include <stdint.h>

#define FWD_SET_SRC 1
#define FWD_SET_DST 2

/** The keys of a fwd stage. */
struct fwd_conf {
	bool mac_swap;			/**< swap src and dst MAC */
	uint8_t mac_set;		/**< FWD_SET_SRC | FWD_SET_DST */
	uint8_t src_mac[6], dst_mac[6];
};


#endif /* FFWD_FWD_H */
