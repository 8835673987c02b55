/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "capfile.h"
#include "capsrc.h"

/*
 * Each "rx_pcap=FILE" key of a devargs string, in order, read whole by the
 * capture source's own scanner (the one `ffwd replay` uses). A capture with
 * no packet is fine here: a pipeline fed by it just receives nothing.
 */
int
capfile_check_conf(const struct conf *conf, char *err, size_t errlen)
{
	static const char key[] = "rx_pcap=";
	const struct capsrc_opts opts = { 0 };
	unsigned int i;

	for (i = 0; i < conf->n_ports; i++) {
		const char *dev = conf->ports[i].dev;
		const char *at = dev;

		while ((at = strstr(at, key)) != NULL) {
			struct capsrc_info info;
			char file[CONF_DEV_MAX];
			size_t len;
			int ret;

			/* Only a whole key: at the start of an argument. */
			if (at != dev && at[-1] != ',') {
				at += sizeof(key) - 1;
				continue;
			}
			at += sizeof(key) - 1;
			len = strcspn(at, ",");
			memcpy(file, at, len);
			file[len] = '\0';
			ret = capsrc_scan(file, &opts, &info, err, errlen);
			if (ret != 0 && ret != -ENODATA)
				return -1;
		}
	}
	return 0;
}
