/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fleets in the control plane: `ffwdctl scale`, the fleet table of status
 * and top, and the bottleneck verdict spoken of a fleet rather than of one
 * of its replicas.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "mono.h"

#define IMBALANCE	1.2	/* a replica with this many times its fair share */

static long long
fdelta(json_t *b, json_t *a, const char *key)
{
	return ctl_int(a, key) - ctl_int(b, key);
}

static json_t *
fleet_get(const char *label, const char *name, char *err, size_t errlen)
{
	json_t *all = ctl_query(label, "/ffwd/fleets", err, errlen), *f;
	const char *k;
	json_t *v;

	if (all == NULL)
		return NULL;
	f = NULL;
	json_object_foreach(all, k, v) {
		if (strcmp(ctl_str(v, "name"), name) == 0) {
			f = v;
			json_incref(f);
			break;
		}
	}
	json_decref(all);
	if (f == NULL)
		snprintf(err, errlen, "pipeline '%s' has no fleet '%s' (a fleet is named "
			 "by its first stage)", label, name);
	return f;
}

int
ctl_cmd_scale(int argc, char **argv)
{
	double timeout = 10, t0;
	char err[512], dir[PATH_MAX], req[PATH_MAX + 16], tmp[PATH_MAX + 16];
	char ack[PATH_MAX + 16], line[256];
	json_t *before, *after = NULL;
	FILE *fp;
	long long gen, n;
	char *end;

	if (argc == 6 && strcmp(argv[4], "--timeout") == 0) {
		timeout = atof(argv[5]);
		argc = 4;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: ffwdctl scale LABEL FLEET N [--timeout S]\n");
		return CTL_EXIT_USAGE;
	}
	n = strtoll(argv[3], &end, 10);
	if (*end != '\0' || end == argv[3] || n < 1) {
		fprintf(stderr, "ffwdctl: scale: N is '%s', expected a count of replicas >= 1\n",
			argv[3]);
		return CTL_EXIT_USAGE;
	}
	before = fleet_get(argv[1], argv[2], err, sizeof(err));
	if (before == NULL) {
		fprintf(stderr, "ffwdctl: %s\n", err);
		return 1;
	}
	/* The request goes through the label's runtime directory, which is
	 * its owner's alone: telemetry stays read-only. */
	if (ctl_runtime_dir(argv[1], dir, sizeof(dir)) != 0) {
		fprintf(stderr, "ffwdctl: scale: no runtime directory for '%s'\n", argv[1]);
		json_decref(before);
		return 1;
	}
	snprintf(req, sizeof(req), "%s/scale.req", dir);
	snprintf(tmp, sizeof(tmp), "%s/scale.req.tmp", dir);
	snprintf(ack, sizeof(ack), "%s/scale.ack", dir);
	unlink(ack);
	fp = fopen(tmp, "w");
	if (fp == NULL || fprintf(fp, "%s %lld\n", argv[2], n) < 0 || fclose(fp) != 0 ||
	    rename(tmp, req) != 0) {
		fprintf(stderr, "ffwdctl: scale: %s: %s\n", req, strerror(errno));
		json_decref(before);
		return 1;
	}
	t0 = mono_now();
	while ((fp = fopen(ack, "r")) == NULL) {
		if (mono_now() - t0 > timeout) {
			unlink(req);
			fprintf(stderr, "ffwdctl: scale: '%s' did not take the request in %.1f s\n",
				argv[1], timeout);
			json_decref(before);
			return 1;
		}
		usleep(10000);
	}
	line[0] = '\0';
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	unlink(ack);
	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "gen ", 4) != 0) {
		fprintf(stderr, "ffwdctl: fleet %s (%lld lcores reserved): %s\n", argv[2],
			ctl_int(before, "reserved"),
			strncmp(line, "error: ", 7) == 0 ? line + 7 : "no answer");
		json_decref(before);
		return 1;
	}
	gen = strtoll(line + 4, NULL, 10);
	/* The spreader's lcore does the move; wait until it says done. */
	t0 = mono_now();
	for (;;) {
		after = fleet_get(argv[1], argv[2], err, sizeof(err));
		if (after == NULL) {
			fprintf(stderr, "ffwdctl: %s\n", err);
			json_decref(before);
			return 1;
		}
		if (ctl_int(after, "done_gen") >= gen)
			break;
		if (mono_now() - t0 > timeout) {
			fprintf(stderr, "ffwdctl: fleet %s: resize to %lld not done after %.1f s "
				"(is traffic stuck downstream?)\n", argv[2], n, timeout);
			json_decref(after);
			json_decref(before);
			return 1;
		}
		json_decref(after);
		usleep(10000);
	}
	printf("fleet %s: %lld of %lld replicas active (was %lld); %lld buckets moved, "
	       "took %.3f ms\n", argv[2], ctl_int(after, "active"), ctl_int(after, "reserved"),
	       ctl_int(before, "active"), fdelta(before, after, "moves"),
	       ctl_int(after, "last_move_us") / 1e3);
	json_decref(after);
	json_decref(before);
	return 0;
}

/* Replica figures of fleet NAME over the interval. */
struct fleet_iv {
	int n, active, reserved;
	double util[64], pkts[64], total, avg;
	int lcore[64];
	bool on[64];
	long long buckets[64];
	int busiest;
};

static void
fleet_iv(json_t *b, json_t *a, const char *name, struct fleet_iv *f)
{
	json_t *st_b = json_object_get(b, "stages"), *st_a = json_object_get(a, "stages");
	char want[80];
	const char *k;
	json_t *v;
	double sum = 0;
	int i;

	memset(f, 0, sizeof(*f));
	f->busiest = -1;
	json_object_foreach(st_a, k, v) {
		long long r = ctl_int(v, "replica");
		json_t *vb = json_object_get(st_b, k);
		long long busy, idle;

		if (strcmp(ctl_str(v, "fleet"), name) != 0 || r < 0 || r >= 64)
			continue;
		/* The run's first stage speaks for its replica. */
		snprintf(want, sizeof(want), "%s/%lld", name, r);
		if (strcmp(k, want) != 0)
			continue;
		busy = fdelta(vb, v, "busy_cycles");
		idle = fdelta(vb, v, "idle_cycles");
		f->util[r] = busy + idle > 0 ? (double)busy / (busy + idle) : 0;
		f->pkts[r] = fdelta(vb, v, "pkts_in");
		f->on[r] = ctl_int(v, "active") != 0;
		f->lcore[r] = (int)ctl_int(v, "lcore");
		f->buckets[r] = json_object_get(v, "buckets") ? ctl_int(v, "buckets") : -1;
		f->reserved = (int)ctl_int(v, "fleet_reserved");
		if (r + 1 > f->n)
			f->n = (int)r + 1;
	}
	for (i = 0; i < f->n; i++) {
		if (!f->on[i])
			continue;
		f->active++;
		sum += f->util[i];
		f->total += f->pkts[i];
		if (f->busiest < 0 || f->util[i] > f->util[f->busiest] ||
		    (f->util[i] == f->util[f->busiest] && f->pkts[i] > f->pkts[f->busiest]))
			f->busiest = i;
	}
	f->avg = f->active ? sum / f->active : 0;
}

bool
ctl_fleet_verdict(json_t *b, json_t *a, const char *stage, const char *why,
		  FILE *out)
{
	json_t *s = json_object_get(json_object_get(a, "stages"), stage);
	const char *name = ctl_str(s, "fleet");
	struct fleet_iv f;
	double share;

	if (*name == '\0')
		return false;
	fleet_iv(b, a, name, &f);
	if (f.busiest < 0)
		return false;
	share = f.total > 0 ? f.pkts[f.busiest] / f.total : 0;
	fprintf(out, "fleet %s (%d replica%s) is the bottleneck%s: %.0f%% busy on average, "
		"replica %d at %.0f%% with %.0f%% of the packets: ", name, f.active,
		f.active == 1 ? "" : "s", why, f.avg * 100, f.busiest,
		f.util[f.busiest] * 100, share * 100);
	if (f.active > 1 && share > IMBALANCE / f.active)
		fprintf(out, "flow imbalance (a few heavy flows; more replicas will not help them)\n");
	else if (f.active < f.reserved)
		fprintf(out, "balanced; %d more lcore%s provisioned: ffwdctl scale %s %s %d\n",
			f.reserved - f.active, f.reserved - f.active == 1 ? "" : "s",
			ctl_str(json_object_get(a, "info"), "label"), name, f.reserved);
	else
		fprintf(out, "balanced, every reserved lcore allocated: reserve more (lcores:)\n");
	return true;
}

void
ctl_fleet_table(json_t *b, json_t *a, double dt, FILE *out)
{
	const char *k;
	json_t *v;
	int i;

	json_object_foreach(json_object_get(a, "fleets"), k, v) {
		json_t *fb = json_object_get(json_object_get(b, "fleets"), k);
		const char *name = ctl_str(v, "name");
		struct fleet_iv f;

		fleet_iv(b, a, name, &f);
		fprintf(out, "fleet %s: %lld lcores provisioned, %lld allocated, spread by %s "
			"(%s ns/packet), %lld buckets moved in %lld resizes\n", name,
			ctl_int(v, "reserved"), ctl_int(v, "active"), ctl_str(v, "spread"),
			ctl_str(v, "spread_ns"), ctl_int(v, "moves"), ctl_int(v, "resizes"));
		(void)fb;
		fprintf(out, "  %-8s %5s %-11s %8s %12s %6s %7s\n", "REPLICA", "LCORE",
			"STATE", "BUCKETS", "PKTS/S", "BUSY", "SHARE");
		for (i = 0; i < f.n; i++) {
			char bk[24];

			if (f.buckets[i] < 0)
				snprintf(bk, sizeof(bk), "rxq %d", i);
			else
				snprintf(bk, sizeof(bk), "%lld", f.buckets[i]);
			fprintf(out, "  %-8d %5d %-11s %8s %12.0f %5.1f%% %6.1f%%\n", i,
				f.lcore[i], f.on[i] ? "allocated" : "provisioned", bk,
				f.pkts[i] / dt, f.util[i] * 100,
				f.total > 0 ? f.pkts[i] * 100 / f.total : 0);
		}
	}
}
