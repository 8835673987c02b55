/* SPDX-License-Identifier: BSD-3-Clause */
/* output: its config, as parsed from YAML (tests read it). */
#ifndef FFWD_PORT_TX_H
#define FFWD_PORT_TX_H

#include <stdbool.h>
#include <stdint.h>

struct port_tx_conf {
	uint64_t retries;		/**< polls that send nothing before tx_full */
	uint64_t pps;			/**< packets/s, 0: not paced */
	uint64_t mbps;			/**< Mbit/s, 0: not paced */
	uint64_t overhead;		/**< bytes added per frame for mbps */
};


#endif /* FFWD_PORT_TX_H */
