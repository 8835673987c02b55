/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capfile.h"

int
capfile_check(const char *file, uint64_t *packets, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t n = 0;
	pcap_t *p;
	int dlt, ret;

	p = pcap_open_offline(file, perr);
	if (p == NULL) {
		snprintf(err, errlen, "%s: cannot read capture: %s; expected a pcap "
			 "or pcapng file", file, perr);
		return -1;
	}
	dlt = pcap_datalink(p);
	if (dlt != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(dlt);

		snprintf(err, errlen, "%s: link type %d (%s) is not Ethernet; "
			 "expected LINKTYPE_ETHERNET (1)", file, dlt,
			 name != NULL ? name : "unknown");
		pcap_close(p);
		return -1;
	}
	while ((ret = pcap_next_ex(p, &hdr, &data)) == 1)
		n++;
	if (ret == PCAP_ERROR) {
		snprintf(err, errlen, "%s: capture broken after %lu records: %s; "
			 "expected whole records to the end of the file", file, n,
			 pcap_geterr(p));
		pcap_close(p);
		return -1;
	}
	pcap_close(p);
	if (packets != NULL)
		*packets = n;
	return 0;
}

/* Each "rx_pcap=FILE" key of a devargs string, in order. */
int
capfile_check_conf(const struct conf *conf, char *err, size_t errlen)
{
	static const char key[] = "rx_pcap=";
	unsigned int i;

	for (i = 0; i < conf->n_ports; i++) {
		const char *dev = conf->ports[i].dev;
		const char *at = dev;

		while ((at = strstr(at, key)) != NULL) {
			char file[CONF_DEV_MAX];
			size_t len;

			/* Only a whole key: at the start of an argument. */
			if (at != dev && at[-1] != ',') {
				at += sizeof(key) - 1;
				continue;
			}
			at += sizeof(key) - 1;
			len = strcspn(at, ",");
			memcpy(file, at, len);
			file[len] = '\0';
			if (capfile_check(file, NULL, err, errlen) != 0)
				return -1;
		}
	}
	return 0;
}
