/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * export: Prometheus text format on /metrics for every running pipeline,
 * the label as a Prometheus label. Served by libmicrohttpd, one request at
 * a time (a scrape every few seconds needs no more).
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "ctl.h"

static volatile sig_atomic_t export_stop;

static void
on_signal(int sig)
{
	(void)sig;
	export_stop = 1;
}

/* Escape a label value per the exposition format. */
static void
esc(FILE *m, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', m);
		if (*s == '\n')
			fputs("\\n", m);
		else
			fputc(*s, m);
	}
}

/* Counters end in _total; everything else is a gauge. */
static bool
is_gauge(const char *key)
{
	static const char *const gauges[] = {
		"backlog", "size", "hwm", "utilization_bp", "hiccup_max_ns",
		"hiccup_max_cycles", "lcore", "cpu", "port_id", "tid", "entries_cut",
	};
	size_t i;

	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (strcmp(key, gauges[i]) == 0)
			return true;
	return false;
}

/*
 * One family per (section, key): # TYPE once, then a sample per pipeline
 * object. Families are written section by section, key by key, so that
 * every family's samples are contiguous, as the format requires.
 */
static void
metrics_section(FILE *m, json_t **snaps, char (*labels)[64], int n,
		const char *section, const char *obj_label)
{
	json_t *keys = json_object();
	const char *okey, *key;
	json_t *obj, *v;
	int i;

	for (i = 0; i < n; i++)
		json_object_foreach(json_object_get(snaps[i], section), okey, obj)
			json_object_foreach(obj, key, v)
				if (json_is_integer(v))
					json_object_set_new(keys, key, json_true());
	json_object_foreach(keys, key, v) {
		bool gauge = is_gauge(key);

		fprintf(m, "# TYPE ffwd_%s_%s%s %s\n", section, key, gauge ? "" : "_total",
			gauge ? "gauge" : "counter");
		for (i = 0; i < n; i++) {
			json_object_foreach(json_object_get(snaps[i], section), okey, obj) {
				json_t *x = json_object_get(obj, key);

				if (!json_is_integer(x))
					continue;
				fprintf(m, "ffwd_%s_%s%s{label=\"", section, key,
					gauge ? "" : "_total");
				esc(m, labels[i]);
				fprintf(m, "\",%s=\"", obj_label);
				esc(m, okey);
				fprintf(m, "\"} %lld\n", (long long)json_integer_value(x));
			}
		}
	}
	json_decref(keys);
}

char *
ctl_metrics_text(void)
{
	char labels[256][64], err[512], *text = NULL;
	json_t *snaps[256];
	int n = ctl_labels(labels, 256), i, k = 0;
	size_t len = 0;
	FILE *m;

	for (i = 0; i < n; i++) {
		json_t *s = ctl_snapshot(labels[i], err, sizeof(err));

		if (s == NULL)
			continue;
		snaps[k] = s;
		if (k != i)
			memcpy(labels[k], labels[i], sizeof(labels[k]));
		k++;
	}
	m = open_memstream(&text, &len);
	fprintf(m, "# TYPE ffwd_up gauge\n");
	for (i = 0; i < k; i++) {
		json_t *info = json_object_get(snaps[i], "info");

		fprintf(m, "ffwd_up{label=\"");
		esc(m, labels[i]);
		fprintf(m, "\",state=\"%s\",version=\"%s\"} 1\n", ctl_str(info, "state"),
			ctl_str(info, "version"));
	}
	metrics_section(m, snaps, labels, k, "stages", "stage");
	metrics_section(m, snaps, labels, k, "rings", "ring");
	metrics_section(m, snaps, labels, k, "ports", "port");
	fclose(m);
	for (i = 0; i < k; i++)
		json_decref(snaps[i]);
	return text;
}

static enum MHD_Result
serve(void *cls, struct MHD_Connection *c, const char *url, const char *method,
      const char *version, const char *upload, size_t *upload_len, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *text;

	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET") != 0 || strcmp(url, "/metrics") != 0) {
		static const char nf[] = "ffwdctl export: only GET /metrics\n";

		r = MHD_create_response_from_buffer(sizeof(nf) - 1, (void *)nf,
						    MHD_RESPMEM_PERSISTENT);
		ret = MHD_queue_response(c, MHD_HTTP_NOT_FOUND, r);
		MHD_destroy_response(r);
		return ret;
	}
	text = ctl_metrics_text();
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * --listen [ADDR:]PORT; ADDR defaults to 127.0.0.1: the counters say
 * what a pipeline carries and where it is weak, which is not for the
 * whole network to read. 0.0.0.0 is allowed, with a warning.
 */
int
ctl_cmd_export(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const char *listen = "127.0.0.1:9464";
	struct MHD_Daemon *d;
	char host[64] = "127.0.0.1";
	int port;

	if (argc == 2 && strcmp(argv[1], "--once") == 0) {
		char *text = ctl_metrics_text();

		fputs(text, stdout);
		free(text);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--listen") == 0)
		listen = argv[2];
	else if (argc != 1)
		goto usage;
	if (strchr(listen, ':') == NULL) {
		if (sscanf(listen, "%d", &port) != 1)
			goto usage;
	} else if (listen[0] == ':') {
		if (sscanf(listen + 1, "%d", &port) != 1)
			goto usage;
	} else if (sscanf(listen, "%63[^:]:%d", host, &port) != 2) {
		goto usage;
	}
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		goto usage;
	if (sin.sin_addr.s_addr == htonl(INADDR_ANY))
		fprintf(stderr, "ffwdctl: warning: listening on 0.0.0.0 serves every "
			"pipeline's counters to anyone who can reach this machine; the "
			"default is 127.0.0.1\n");
	sin.sin_port = htons(port);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, port, NULL, NULL, serve,
			     NULL, MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "ffwdctl: cannot listen on %s:%d\n", host, port);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("serving /metrics on http://%s:%d/metrics\n", host, port);
	fflush(stdout);
	while (!export_stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
usage:
	fprintf(stderr, "usage: ffwdctl export [--listen [ADDR:]PORT]   (default "
		"127.0.0.1:9464)\n       ffwdctl export --once\n");
	return CTL_EXIT_USAGE;
}
