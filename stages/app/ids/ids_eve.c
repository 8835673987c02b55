/* SPDX-License-Identifier: BSD-3-Clause */
/* ids_eve: see ids_eve.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ids_decode.h"
#include "ids_eve.h"
#include "ids_flow.h"

const char *const ids_eve_ctr_names[IDS_EVE_CTR_MAX] = {
#define X(n, h) [IDS_EVE_C_##n] = #n,
	IDS_EVE_COUNTERS(X)
#undef X
};

struct ids_eve {
	struct ids_eve_conf conf;
	char *path;
	char *in_iface;
	int fd;
	volatile sig_atomic_t reopen;	/* set by the signal handler */
	char *line;		/* one serialised record */
	size_t line_cap;
	uint64_t ctr[IDS_EVE_CTR_MAX];
};

static int
out_open(struct ids_eve *w)
{
	int fd;

	if (!w->conf.unix_socket) {
		fd = open(w->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			  0640);
		if (fd < 0)
			return -errno;
	} else {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(w->path) >= sizeof(sa.sun_path))
			return -ENAMETOOLONG;
		strcpy(sa.sun_path, w->path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int rc = -errno;

			close(fd);
			return rc;
		}
	}
	w->fd = fd;
	return 0;
}

struct ids_eve *
ids_eve_open(const struct ids_eve_conf *c, char *err, size_t errlen)
{
	struct ids_eve *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL) {
		snprintf(err, errlen, "eve: out of memory");
		return NULL;
	}
	w->conf = *c;
	w->fd = -1;
	w->path = strdup(c->path);
	w->in_iface = c->in_iface ? strdup(c->in_iface) : NULL;
	w->line_cap = 16384;
	w->line = malloc(w->line_cap);
	if (w->path == NULL || w->line == NULL) {
		snprintf(err, errlen, "eve: out of memory");
		ids_eve_close(w);
		errno = ENOMEM;
		return NULL;
	}
	rc = out_open(w);
	if (rc < 0) {
		snprintf(err, errlen, "eve: %s %s: %s",
			 c->unix_socket ? "cannot connect to socket" :
					  "cannot open",
			 c->path, strerror(-rc));
		ids_eve_close(w);
		errno = -rc;
		return NULL;
	}
	return w;
}

void
ids_eve_close(struct ids_eve *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	free(w->in_iface);
	free(w->line);
	free(w);
}

void
ids_eve_request_reopen(struct ids_eve *w)
{
	w->reopen = 1;
}

const uint64_t *
ids_eve_counters(const struct ids_eve *w)
{
	return w->ctr;
}

char *
ids_eve_timestamp(char *buf, size_t n, uint64_t ts_ns, bool utc)
{
	time_t sec = (time_t)(ts_ns / 1000000000ull);
	unsigned int usec = (unsigned int)(ts_ns % 1000000000ull / 1000);
	struct tm tm;
	char a[32], z[8];

	if (utc)
		gmtime_r(&sec, &tm);
	else
		localtime_r(&sec, &tm);
	strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%S", &tm);
	if (utc)
		strcpy(z, "+0000");
	else
		strftime(z, sizeof(z), "%z", &tm);
	snprintf(buf, n, "%s.%06u%s", a, usec, z);
	return buf;
}

static const char *
proto_name(uint8_t p, char *buf, size_t n)
{
	switch (p) {
	case IDS_PROTO_TCP:
		return "TCP";
	case IDS_PROTO_UDP:
		return "UDP";
	case IDS_PROTO_ICMP:
		return "ICMP";
	case IDS_PROTO_ICMPV6:
		return "IPv6-ICMP";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 51:
		return "AH";
	case 132:
		return "SCTP";
	default:
		snprintf(buf, n, "%u", p);
		return buf;
	}
}

static char *
b64(const uint8_t *p, size_t n)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc((n + 2) / 3 * 4 + 1), *q = o;
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		*q++ = t[v >> 18];
		*q++ = t[(v >> 12) & 63];
		*q++ = t[(v >> 6) & 63];
		*q++ = t[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		*q++ = t[v >> 18];
		*q++ = t[(v >> 12) & 63];
		*q++ = i + 1 < n ? t[(v >> 6) & 63] : '=';
		*q++ = '=';
	}
	*q = '\0';
	return o;
}

/* IPv6 as Suricata writes it: eight groups of four hex digits, nothing
 * compressed ("2001:0db8:0000:...:0001"), so that log tools and
 * suricata-verify checks that compare addresses as strings agree. */
static void
set_ip(json_t *o, const char *key, uint8_t ver, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (ver == 6) {
		for (int i = 0; i < 8; i++)
			snprintf(buf + i * 5, sizeof(buf) - (size_t)i * 5, "%02x%02x%s",
				 a[2 * i], a[2 * i + 1], i < 7 ? ":" : "");
	} else {
		inet_ntop(AF_INET, a, buf, sizeof(buf));
	}
	json_object_set_new(o, key, json_string(buf));
}

/* The fields every event of a packet or flow has, in Suricata's order. */
static json_t *
ev_head(struct ids_eve *w, const struct ids_rec *r, const char *type)
{
	json_t *o = json_object();
	char ts[48], pb[8];
	bool ports = r->proto == IDS_PROTO_TCP || r->proto == IDS_PROTO_UDP ||
		     r->proto == 132;

	json_object_set_new(o, "timestamp",
			    json_string(ids_eve_timestamp(ts, sizeof(ts), r->ts_ns,
							  w->conf.utc)));
	if (r->flags & IDS_RECF_FLOW)
		json_object_set_new(o, "flow_id", json_integer((json_int_t)r->flow_id));
	if (w->in_iface != NULL)
		json_object_set_new(o, "in_iface", json_string(w->in_iface));
	if (r->pcap_cnt)
		json_object_set_new(o, "pcap_cnt", json_integer((json_int_t)r->pcap_cnt));
	json_object_set_new(o, "event_type", json_string(type));
	set_ip(o, "src_ip", r->ip_ver, r->src);
	if (ports)
		json_object_set_new(o, "src_port", json_integer(r->sport));
	set_ip(o, "dest_ip", r->ip_ver, r->dst);
	if (ports)
		json_object_set_new(o, "dest_port", json_integer(r->dport));
	json_object_set_new(o, "proto", json_string(proto_name(r->proto, pb, sizeof(pb))));
	if (r->proto == IDS_PROTO_ICMP || r->proto == IDS_PROTO_ICMPV6) {
		json_object_set_new(o, "icmp_type", json_integer(r->icmp_type));
		json_object_set_new(o, "icmp_code", json_integer(r->icmp_code));
	}
	return o;
}

static json_t *
flow_counts(struct ids_eve *w, const struct ids_rec *r)
{
	json_t *f = json_object();
	char ts[48];

	json_object_set_new(f, "pkts_toserver", json_integer((json_int_t)r->pkts[0]));
	json_object_set_new(f, "pkts_toclient", json_integer((json_int_t)r->pkts[1]));
	json_object_set_new(f, "bytes_toserver", json_integer((json_int_t)r->bytes[0]));
	json_object_set_new(f, "bytes_toclient", json_integer((json_int_t)r->bytes[1]));
	json_object_set_new(f, "start",
			    json_string(ids_eve_timestamp(ts, sizeof(ts),
							  r->flow_start_ns,
							  w->conf.utc)));
	return f;
}

static json_t *
rec_json(struct ids_eve *w, const struct ids_rec *r)
{
	static const char *const states[] = { "new", "established", "closed" };
	static const char *const reasons[] = { "timeout", "forced", "shutdown",
						   "tcp_reuse" };
	json_t *o, *a;
	char ts[48];

	switch (r->type) {
	case IDS_REC_ALERT:
		o = ev_head(w, r, "alert");
		a = json_object();
		json_object_set_new(a, "action",
				    json_string(r->flags & IDS_RECF_BLOCKED ?
							"blocked" : "allowed"));
		json_object_set_new(a, "gid", json_integer(r->gid));
		json_object_set_new(a, "signature_id", json_integer(r->sid));
		json_object_set_new(a, "rev", json_integer(r->rev));
		json_object_set_new(a, "signature", json_string(r->msg));
		json_object_set_new(a, "category", json_string(r->category));
		json_object_set_new(a, "severity", json_integer(r->severity));
		json_object_set_new(o, "alert", a);
		if (r->flags & IDS_RECF_FLOW) {
			json_object_set_new(o, "direction",
					    json_string(r->flags & IDS_RECF_TOCLIENT ?
								"to_client" :
								"to_server"));
			json_object_set_new(o, "flow", flow_counts(w, r));
		}
		if (w->conf.payload) {
			char *s = b64(r->payload, r->payload_len);

			if (s != NULL)
				json_object_set_new(o, "payload", json_string(s));
			free(s);
			json_object_set_new(o, "stream",
					    json_integer(r->flags & IDS_RECF_STREAM ? 1 : 0));
		}
		return o;
	case IDS_REC_DROP:
		o = ev_head(w, r, "drop");
		a = json_object();
		json_object_set_new(a, "len", json_integer(r->wire_len));
		json_object_set_new(a, "ttl", json_integer(r->ttl));
		if (r->proto == IDS_PROTO_TCP) {
			json_object_set_new(a, "tcpseq", json_integer(r->tcp_seq));
			json_object_set_new(a, "tcpack", json_integer(r->tcp_ack));
			json_object_set_new(a, "tcpwin", json_integer(r->tcp_win));
			json_object_set_new(a, "syn", json_boolean(r->tcp_flags & IDS_TH_SYN));
			json_object_set_new(a, "ack", json_boolean(r->tcp_flags & IDS_TH_ACK));
			json_object_set_new(a, "psh", json_boolean(r->tcp_flags & IDS_TH_PSH));
			json_object_set_new(a, "rst", json_boolean(r->tcp_flags & IDS_TH_RST));
			json_object_set_new(a, "urg", json_boolean(r->tcp_flags & IDS_TH_URG));
			json_object_set_new(a, "fin", json_boolean(r->tcp_flags & IDS_TH_FIN));
		}
		json_object_set_new(a, "reason", json_string("rules"));
		json_object_set_new(o, "drop", a);
		return o;
	case IDS_REC_FLOW:
		o = ev_head(w, r, "flow");
		a = flow_counts(w, r);
		json_object_set_new(a, "end",
				    json_string(ids_eve_timestamp(ts, sizeof(ts),
								  r->flow_end_ns,
								  w->conf.utc)));
		json_object_set_new(a, "age",
				    json_integer(r->flow_end_ns > r->flow_start_ns ?
							 (json_int_t)(r->flow_end_ns / 1000000000ull -
								      r->flow_start_ns / 1000000000ull) :
							 0));
		json_object_set_new(a, "state",
				    json_string(states[r->flow_state < 3 ? r->flow_state : 0]));
		json_object_set_new(a, "reason",
				    json_string(reasons[r->end_reason < 4 ? r->end_reason : 0]));
		json_object_set_new(a, "alerted",
				    json_boolean(r->flags & IDS_RECF_ALERTED));
		json_object_set_new(o, "flow", a);
		return o;
	default:
		return NULL;
	}
}

/* Write one serialised line; a failure is counted and the line lost. */
static int
emit(struct ids_eve *w, json_t *o)
{
	size_t n;
	ssize_t done;
	int rc = 0;

	if (w->reopen) {
		w->reopen = 0;
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
	}
	if (w->fd < 0) {
		if (out_open(w) < 0) {
			w->ctr[IDS_EVE_C_open_errors]++;
			w->ctr[IDS_EVE_C_write_errors]++;
			return -EIO;
		}
		w->ctr[IDS_EVE_C_reopens]++;
	}
	n = json_dumpb(o, w->line, w->line_cap - 1, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n >= w->line_cap - 1) {
		char *bigger = realloc(w->line, n + 2);

		if (bigger == NULL) {
			w->ctr[IDS_EVE_C_write_errors]++;
			return -ENOMEM;
		}
		w->line = bigger;
		w->line_cap = n + 2;
		n = json_dumpb(o, w->line, w->line_cap - 1,
			       JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	w->line[n++] = '\n';
	if (w->conf.unix_socket)
		done = send(w->fd, w->line, n, MSG_NOSIGNAL);
	else
		done = write(w->fd, w->line, n);
	if (done != (ssize_t)n) {
		rc = done < 0 ? -errno : -ENOSPC;
		w->ctr[IDS_EVE_C_write_errors]++;
		/* A socket that went away is reconnected at the next
		 * record; a full disk is retried as it is. */
		if (w->conf.unix_socket) {
			close(w->fd);
			w->fd = -1;
		}
		return rc;
	}
	w->ctr[IDS_EVE_C_records]++;
	return 0;
}

int
ids_eve_write(struct ids_eve *w, const struct ids_rec *r)
{
	json_t *o = rec_json(w, r);
	int rc;

	if (o == NULL)
		return -EINVAL;
	rc = emit(w, o);
	json_decref(o);
	return rc;
}

unsigned int
ids_eve_drain(struct ids_eve *w, struct ids_recq *q, unsigned int max)
{
	struct ids_rec *r[32];
	unsigned int total = 0;

	while (total < max) {
		unsigned int want = max - total < 32 ? max - total : 32;
		unsigned int n = ids_recq_poll(q, r, want);

		if (n == 0)
			break;
		for (unsigned int i = 0; i < n; i++)
			ids_eve_write(w, r[i]);
		ids_recq_done(q, r, n);
		total += n;
	}
	return total;
}

int
ids_eve_write_stats(struct ids_eve *w, uint64_t ts_ns, void *stats_json)
{
	json_t *o = json_object();
	char ts[48];
	int rc;

	json_object_set_new(o, "timestamp",
			    json_string(ids_eve_timestamp(ts, sizeof(ts), ts_ns,
							  w->conf.utc)));
	json_object_set_new(o, "event_type", json_string("stats"));
	json_object_set_new(o, "stats", (json_t *)stats_json);
	rc = emit(w, o);
	json_decref(o);
	return rc;
}
