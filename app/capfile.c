/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "capfile.h"
#include "capsrc.h"
#include "port.h"

/* The first net_pcap port an output stage writes, or NULL. */
static const struct conf_port *
capfile_pcap_output(const struct conf *conf)
{
	unsigned int p, i;

	for (p = 0; p < conf->n_paths; p++)
		for (i = 0; i < conf->paths[p].n_stages; i++) {
			const struct conf_stage *cs = &conf->paths[p].stages[i];

			if (cs->ops->role == STAGE_ROLE_OUTPUT && cs->port >= 0 &&
			    strncmp(conf->ports[cs->port].dev, "net_pcap", 8) == 0)
				return &conf->ports[cs->port];
		}
	return NULL;
}

/*
 * Each "rx_pcap=FILE" key of a devargs string, in order, read whole by the
 * capture source's own scanner (the one `ffwd replay` uses). A capture with
 * no packet is fine here: a pipeline fed by it just receives nothing.
 */
int
capfile_check_conf(const struct conf *conf, FILE *warn, char *err,
		   size_t errlen)
{
	const struct conf_port *pcap_out = capfile_pcap_output(conf);
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
			if (ret == 0 && pcap_out != NULL &&
			    info.max_len > PORT_PCAP_MAX_FRAME && warn != NULL)
				fprintf(warn, "warning: %s: frames of up to %u bytes; "
					"net_pcap port '%s' takes at most %u (it cannot "
					"write a longer one whole): those are dropped as "
					"oversize\n", file, info.max_len, pcap_out->name,
					PORT_PCAP_MAX_FRAME);
		}
	}
	return 0;
}
