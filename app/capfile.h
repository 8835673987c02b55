/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capfile: check the capture files a config reads (net_pcap rx_pcap=)
 * before EAL starts, so that a broken or non-Ethernet file is a clear
 * error naming the file rather than a silent short run inside the PMD.
 */
#ifndef FFWD_CAPFILE_H
#define FFWD_CAPFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

/**
 * Read every rx_pcap file named in the config's port devargs whole. A
 * file with frames longer than a net_pcap output can write whole
 * (PORT_PCAP_MAX_FRAME) gets a warning on `warn` (NULL: none): the
 * output will drop them as oversize.
 * @return 0 if all are Ethernet captures libpcap reads to the end; -1
 *   with "FILE: what was wrong, expected what" in err otherwise.
 */
int capfile_check_conf(const struct conf *conf, FILE *warn, char *err,
		       size_t errlen);

#endif
