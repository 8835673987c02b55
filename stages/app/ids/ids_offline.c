/* SPDX-License-Identifier: BSD-3-Clause */
/* ids_offline: see ids_offline.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "ids_eve.h"
#include "ids_offline.h"
#include "ids_stats.h"

void
ids_offline_opts_default(struct ids_offline_opts *o)
{
	memset(o, 0, sizeof(*o));
	ids_engine_conf_default(&o->eng);
	/* One capture, one replica: Suricata's defaults, smaller tables. */
	o->eng.flow.max_flows = 65536;
}

void
ids_offline_usage(FILE *out, const char *prog)
{
	fprintf(out,
"usage: %s -r PCAP -S RULES [-S RULES...] -l DIR [options]\n"
"  -r PCAP            capture to read (\"-\" or /dev/stdin: standard input)\n"
"  -S RULES           Suricata rule file (repeatable)\n"
"  -l DIR             output directory: DIR/eve.json (appended)\n"
"  -k none|all        checksum checks: none (default) or all (bad ones not inspected)\n"
"  --simulate-ips     IPS verdicts: drop rules drop packets and flows\n"
"  --set KEY=VALUE    one of:\n"
"      stream.midstream=BOOL          pick up TCP sessions without a handshake\n"
"      stream.async-oneside=BOOL      accept sessions with one direction seen\n"
"      stream.reassembly.depth=SIZE   bytes reassembled per direction (1mb; 0: no limit)\n"
"      stream.reassembly.memcap=SIZE  out-of-order segment pool (32mb)\n"
"      stream.reassembly.lookback=N   bytes kept to find cut patterns (256, <= 4096)\n"
"      flow.max-flows=N               flow table entries (65536)\n"
"      ids.mode=ids|ips               as --simulate-ips\n"
"      ids.drop-malformed=BOOL        IPS: drop packets with broken headers (false)\n"
"      rules.unsupported=error|skip   rules outside the subset: error or skipped\n"
"      classification-file=FILE       classification.config for classtype\n"
"      reference-config-file=FILE     accepted for Suricata's command lines; not used\n"
"      eve.payload=BOOL               base64 payload in alerts (true)\n"
"      eve.flow=BOOL                  event_type flow at flow end (true)\n"
"      eve.utc=BOOL                   timestamps in UTC, not local time (false)\n"
"      stats.interval=N               a stats event every N s of capture time (end only)\n",
		prog);
}

static int
parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") ||
	    !strcasecmp(v, "off")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

/* "1048576", "1024kb", "1mb", "1gb" (Suricata's size suffixes). */
static int
parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;
	uint64_t mul = 1;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (end == v || errno != 0 || v[0] == '-')
		return -EINVAL;
	if (!strcasecmp(end, "kb") || !strcasecmp(end, "k"))
		mul = 1024;
	else if (!strcasecmp(end, "mb") || !strcasecmp(end, "m"))
		mul = 1024 * 1024;
	else if (!strcasecmp(end, "gb") || !strcasecmp(end, "g"))
		mul = 1024ull * 1024 * 1024;
	else if (*end != '\0')
		return -EINVAL;
	if (n > UINT64_MAX / mul)
		return -ERANGE;
	*out = n * mul;
	return 0;
}

static int
set_key(struct ids_offline_opts *o, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	char key[128];
	const char *v;
	uint64_t n;
	int rc = 0;

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		snprintf(err, errlen, "--set %s: expected KEY=VALUE", kv);
		return -EINVAL;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	v = eq + 1;
	if (!strcmp(key, "stream.midstream")) {
		rc = parse_bool(v, &o->eng.flow.midstream);
	} else if (!strcmp(key, "stream.async-oneside")) {
		rc = parse_bool(v, &o->eng.flow.async_oneside);
	} else if (!strcmp(key, "stream.reassembly.depth")) {
		rc = parse_size(v, &o->eng.stream.depth);
	} else if (!strcmp(key, "stream.reassembly.memcap")) {
		rc = parse_size(v, &n);
		if (rc == 0 && (n / IDS_SEG_DATA > UINT32_MAX))
			rc = -ERANGE;
		if (rc == 0)
			o->eng.stream.memcap_segs = (uint32_t)(n / IDS_SEG_DATA);
	} else if (!strcmp(key, "stream.reassembly.lookback")) {
		rc = parse_size(v, &n);
		if (rc == 0 && n > IDS_STREAM_LOOKBACK_MAX)
			rc = -ERANGE;
		if (rc == 0)
			o->eng.stream.lookback = (uint16_t)n;
	} else if (!strcmp(key, "flow.max-flows")) {
		rc = parse_size(v, &n);
		if (rc == 0 && (n < 2 || n > (1u << 26)))
			rc = -ERANGE;
		if (rc == 0)
			o->eng.flow.max_flows = (uint32_t)n;
	} else if (!strcmp(key, "ids.mode")) {
		if (!strcmp(v, "ips"))
			o->ips = true;
		else if (!strcmp(v, "ids"))
			o->ips = false;
		else
			rc = -EINVAL;
	} else if (!strcmp(key, "ids.drop-malformed")) {
		rc = parse_bool(v, &o->eng.drop_malformed);
	} else if (!strcmp(key, "rules.unsupported")) {
		if (!strcmp(v, "skip"))
			o->skip_unsupported = true;
		else if (!strcmp(v, "error"))
			o->skip_unsupported = false;
		else
			rc = -EINVAL;
	} else if (!strcmp(key, "classification-file")) {
		o->classification = v;
	} else if (!strcmp(key, "reference-config-file")) {
		/* EVE alerts carry no references: nothing reads it. */
	} else if (!strcmp(key, "eve.payload")) {
		rc = parse_bool(v, &o->eng.payload);
	} else if (!strcmp(key, "eve.flow")) {
		rc = parse_bool(v, &o->eng.flow_records);
	} else if (!strcmp(key, "eve.utc")) {
		rc = parse_bool(v, &o->utc);
	} else if (!strcmp(key, "stats.interval")) {
		rc = parse_size(v, &o->stats_interval_s);
	} else {
		snprintf(err, errlen,
			 "--set %s: unknown key '%s' (see --help for the keys)",
			 kv, key);
		return -EINVAL;
	}
	if (rc < 0)
		snprintf(err, errlen, "--set %s: bad value '%s' for %s", kv, v,
			 key);
	return rc < 0 ? -EINVAL : 0;
}

int
ids_offline_parse(struct ids_offline_opts *o, int argc, char **argv,
		  char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		bool needs = !strcmp(a, "-r") || !strcmp(a, "-S") ||
			     !strcmp(a, "-l") || !strcmp(a, "-k") ||
			     !strcmp(a, "--set");

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (needs) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "%s: needs a value", a);
				return -EINVAL;
			}
			val = argv[++i];
		} else if (!strncmp(a, "--set=", 6)) {
			a = "--set";
			val = argv[i] + 6;
		}
		if (!strcmp(a, "-r")) {
			o->pcap = val;
		} else if (!strcmp(a, "-S")) {
			if (o->nrules >= IDS_OFFLINE_RULES_MAX) {
				snprintf(err, errlen, "-S: at most %d rule files",
					 IDS_OFFLINE_RULES_MAX);
				return -EINVAL;
			}
			o->rules[o->nrules++] = val;
		} else if (!strcmp(a, "-l")) {
			o->logdir = val;
		} else if (!strcmp(a, "-k")) {
			if (!strcmp(val, "none"))
				o->eng.csum = IDS_CSUM_NONE;
			else if (!strcmp(val, "all"))
				o->eng.csum = IDS_CSUM_ALL;
			else {
				snprintf(err, errlen,
					 "-k %s: expected none or all", val);
				return -EINVAL;
			}
		} else if (!strcmp(a, "--set")) {
			if (set_key(o, val, err, errlen) < 0)
				return -EINVAL;
		} else if (!strcmp(a, "--simulate-ips")) {
			o->ips = true;
		} else {
			snprintf(err, errlen, "unknown option '%s' (see --help)",
				 a);
			return -EINVAL;
		}
	}
	if (o->pcap == NULL || o->nrules == 0 || o->logdir == NULL) {
		snprintf(err, errlen, "-r PCAP, -S RULES and -l DIR are needed");
		return -EINVAL;
	}
	o->eng.mode = o->ips ? IDS_MODE_IPS : IDS_MODE_IDS;
	return 0;
}

static int
link_of(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
		return IDS_LINK_ETHERNET;
	case DLT_RAW:
	case 101:	/* LINKTYPE_RAW */
	case 14:	/* DLT_RAW on OpenBSD */
		return IDS_LINK_RAW;
	case IDS_LINK_NULL:
	case IDS_LINK_LOOP:
	case IDS_LINK_SLL:
	case IDS_LINK_SLL2:
	case IDS_LINK_IPV4:
	case IDS_LINK_IPV6:
		return dlt;	/* the IDS_LINK_* values are the DLT numbers */
	default:
		return -1;
	}
}

static void
stats_out(struct ids_engine *e, struct ids_eve *w, uint64_t ts, uint64_t t0)
{
	void *js = ids_stats_json(&e, 1, w, ts > t0 ? (ts - t0) / 1000000000ull : 0);

	ids_eve_write_stats(w, ts, js);
}

int
ids_offline_run(const struct ids_offline_opts *o, FILE *log)
{
	struct ids_rules_opts ro;
	struct ids_eve_conf ec;
	struct ids_engine_conf c = o->eng;
	struct ids_rules *rules;
	struct ids_engine *e = NULL;
	struct ids_eve *w = NULL;
	char errbuf[PCAP_ERRBUF_SIZE], err[512], path[PATH_MAX];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	uint64_t cnt = 0, ts = 0, t0 = 0, next_stats = 0;
	int rc, status = 1;

	memset(&ro, 0, sizeof(ro));
	ro.skip_unsupported = o->skip_unsupported;
	ro.classification_file = o->classification;
	rules = ids_rules_load_files(o->rules, o->nrules, &ro, err, sizeof(err));
	if (rules == NULL) {
		fprintf(log, "%s\n", err);
		return 2;
	}
	for (unsigned int i = 0; i < ids_rules_skipped(rules); i++)
		fprintf(log, "skipped: %s\n", ids_rules_skipped_at(rules, i));
	fprintf(log, "ids: %u rules loaded, %u skipped\n", ids_rules_count(rules),
		ids_rules_skipped(rules));

	pc = pcap_open_offline(!strcmp(o->pcap, "/dev/stdin") ? "-" : o->pcap,
			       errbuf);
	if (pc == NULL) {
		fprintf(log, "ids: %s: %s\n", o->pcap, errbuf);
		goto out_rules;
	}
	c.link = link_of(pcap_datalink(pc));
	if (c.link < 0) {
		fprintf(log, "ids: %s: link type %s (%d) not decoded; "
			"Ethernet, SLL, SLL2, NULL/LOOP and raw IP are\n", o->pcap,
			pcap_datalink_val_to_name(pcap_datalink(pc)) ?
				pcap_datalink_val_to_name(pcap_datalink(pc)) : "?",
			pcap_datalink(pc));
		goto out_pcap;
	}
	if (mkdir(o->logdir, 0755) < 0 && errno != EEXIST) {
		fprintf(log, "ids: -l %s: %s\n", o->logdir, strerror(errno));
		goto out_pcap;
	}
	snprintf(path, sizeof(path), "%s/eve.json", o->logdir);
	memset(&ec, 0, sizeof(ec));
	ec.path = path;
	ec.payload = c.payload;
	ec.utc = o->utc;
	w = ids_eve_open(&ec, err, sizeof(err));
	if (w == NULL) {
		fprintf(log, "%s\n", err);
		goto out_pcap;
	}
	e = ids_engine_create(&c, rules, err, sizeof(err));
	if (e == NULL) {
		fprintf(log, "%s\n", err);
		goto out_eve;
	}
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		ts = (uint64_t)h->ts.tv_sec * 1000000000ull +
		     (uint64_t)h->ts.tv_usec * 1000ull;
		if (cnt == 0) {
			t0 = ts;
			next_stats = ts + o->stats_interval_s * 1000000000ull;
		}
		ids_engine_packet(e, data, h->caplen, h->len, ts, ++cnt);
		/* The logger keeps up with the packets: offline, nothing
		 * should be lost for want of records. */
		ids_eve_drain(w, ids_engine_recq(e), UINT32_MAX);
		if (o->stats_interval_s && ts >= next_stats) {
			stats_out(e, w, ts, t0);
			next_stats = ts + o->stats_interval_s * 1000000000ull;
		}
	}
	if (rc == -1)
		fprintf(log, "ids: %s: packet %lu: %s\n", o->pcap,
			(unsigned long)cnt + 1, pcap_geterr(pc));
	/* End of capture: every flow ends (streams flushed, flow events). */
	ids_engine_flush(e);
	ids_eve_drain(w, ids_engine_recq(e), UINT32_MAX);
	stats_out(e, w, ts, t0);
	{
		const uint64_t *ec2 = ids_engine_counters(e);
		const uint64_t *wc = ids_eve_counters(w);

		fprintf(log,
			"ids: %lu packets, %lu alerts, %lu drops, %lu malformed, "
			"%lu records written, %lu lost, %lu write errors\n",
			(unsigned long)cnt, (unsigned long)ec2[IDS_ENG_C_alerts],
			(unsigned long)(ec2[IDS_ENG_C_ids_drop] +
					ec2[IDS_ENG_C_ids_flow_drop]),
			(unsigned long)ids_engine_dec_stats(e)->ctr[IDS_DEC_C_invalid],
			(unsigned long)wc[IDS_EVE_C_records],
			(unsigned long)ec2[IDS_ENG_C_records_lost],
			(unsigned long)wc[IDS_EVE_C_write_errors]);
	}
	status = rc == -1 ? 1 : 0;
	ids_engine_free(e);
out_eve:
	ids_eve_close(w);
out_pcap:
	pcap_close(pc);
out_rules:
	ids_rules_free(rules);
	return status;
}
