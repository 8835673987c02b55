/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry client: one SOCK_SEQPACKET connection per query, as
 * dpdk-telemetry.py does. The server greets with a JSON hello, then
 * answers each command with one message {"<cmd>": <value>}.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_MSG_MAX (1 << 20)

/*
 * Where EAL keeps runtime files: /var/run/dpdk for root, else
 * $XDG_RUNTIME_DIR/dpdk (eal_get_runtime_dir()). EAL falls back to
 * /tmp/dpdk without XDG_RUNTIME_DIR; ffwdctl does not: anyone can create
 * /tmp/dpdk/LABEL first and serve a socket there, so a non-root user
 * without a runtime directory of their own gets NULL (and an error).
 */
static const char *
ctl_runtime_base(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (getuid() == 0)
		snprintf(buf, len, "/var/run/dpdk");
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(buf, len, "%s/dpdk", xdg);
	else
		return NULL;
	return buf;
}

int
ctl_runtime_dir(const char *label, char *buf, size_t len)
{
	char base[200];
	int n;

	if (ctl_runtime_base(base, sizeof(base)) == NULL) {
		snprintf(buf, len, "(no runtime directory: XDG_RUNTIME_DIR is not set)");
		return -1;
	}
	n = snprintf(buf, len, "%s/%s", base, label);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Is path (not followed if a link) ours and writable by us alone? */
static int
ctl_owned(const char *path, bool dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s is not a %s (a link or something planted): "
			 "refused", path, dir ? "directory" : "socket");
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s belongs to uid %u, not to you (uid %u): "
			 "refused, another user may have planted it", path,
			 (unsigned int)st.st_uid, (unsigned int)geteuid());
		return -1;
	}
	if ((st.st_mode & 022) != 0) {
		snprintf(err, errlen, "%s is writable by others (mode %03o): refused",
			 path, (unsigned int)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

int
ctl_runtime_check(const char *label, char *err, size_t errlen)
{
	char dir[256], sock[320];

	if (ctl_runtime_dir(label, dir, sizeof(dir)) != 0) {
		snprintf(err, errlen, "%s", dir);
		return -1;
	}
	if (ctl_owned(dir, true, err, errlen) != 0)
		return -1;
	snprintf(sock, sizeof(sock), "%s/dpdk_telemetry.v2", dir);
	if (access(sock, F_OK) != 0 && errno == ENOENT) {
		snprintf(err, errlen, "no pipeline '%s' running (%s: no socket)", label, sock);
		return -1;
	}
	return ctl_owned(sock, false, err, errlen);
}

bool
ctl_label_ok(const char *label)
{
	size_t i, n = strlen(label);

	if (n == 0 || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		char c = label[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int
ctl_connect(const char *label, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 };
	char dir[256];
	int fd;

	if (!ctl_label_ok(label)) {
		snprintf(err, errlen, "'%s' is not a label: expected 1..15 chars of "
			 "[A-Za-z0-9_-]", label);
		return -1;
	}
	if (ctl_runtime_dir(label, dir, sizeof(dir)) != 0) {
		snprintf(err, errlen, "%s", dir);
		return -1;
	}
	/* A pipeline that does not exist is a plain "not running"; one
	 * whose directory or socket is not ours is refused. */
	if (access(dir, F_OK) == 0 && ctl_runtime_check(label, err, errlen) != 0)
		return -1;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%.80s/dpdk_telemetry.v2",
		     dir) >= (int)sizeof(sun.sun_path)) {
		snprintf(err, errlen, "runtime directory path too long: %s", dir);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		snprintf(err, errlen, "no pipeline '%s' running (%s: %s)", label,
			 sun.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static json_t *
ctl_recv_json(int fd, char *err, size_t errlen)
{
	char *buf = malloc(CTL_MSG_MAX);
	json_error_t je;
	json_t *j;
	ssize_t n;

	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n = recv(fd, buf, CTL_MSG_MAX - 1, 0);
	if (n <= 0) {
		snprintf(err, errlen, "telemetry: no answer (%s)",
			 n < 0 ? strerror(errno) : "closed");
		free(buf);
		return NULL;
	}
	j = json_loadb(buf, n, 0, &je);
	if (j == NULL)
		snprintf(err, errlen, "telemetry: bad JSON: %s", je.text);
	free(buf);
	return j;
}

json_t *
ctl_query(const char *label, const char *cmd, char *err, size_t errlen)
{
	json_t *hello, *reply, *val = NULL;
	int fd = ctl_connect(label, err, errlen);
	const char *key;

	if (fd < 0)
		return NULL;
	hello = ctl_recv_json(fd, err, errlen);
	if (hello == NULL)
		goto out;
	json_decref(hello);
	if (send(fd, cmd, strlen(cmd), 0) < 0) {
		snprintf(err, errlen, "telemetry: send: %s", strerror(errno));
		goto out;
	}
	reply = ctl_recv_json(fd, err, errlen);
	if (reply == NULL)
		goto out;
	/* The reply is keyed by the command without its parameters. */
	json_object_foreach(reply, key, val) {
		(void)key;
		break;
	}
	if (val == NULL || json_is_null(val)) {
		snprintf(err, errlen, "'%s' does not answer %s: not an ffwd pipeline "
			 "or it is shutting down", label, cmd);
		val = NULL;
	} else {
		json_incref(val);
	}
	json_decref(reply);
out:
	close(fd);
	return val;
}

/*
 * A paged command: /ffwd/stages, rings, ports and rules stop before
 * DPDK's 16 KiB and 256-entry limits and say where to go on in "_next".
 * Queries cmd, then "cmd,@N" while a page names a next entry N (at most
 * 1024 pages), and hands each page to take(). @return 1 when the last
 * page came, 0 when the page limit stopped it, -1 when a page had no
 * answer (err says why).
 */
static int
ctl_query_each_page(const char *label, const char *cmd,
		    void (*take)(json_t *page, void *arg), void *arg,
		    char *err, size_t errlen)
{
	long long next = 0;
	int pages;

	for (pages = 0; pages < 1024; pages++) {
		char c[128];
		json_t *v;

		snprintf(c, sizeof(c), next ? "%s,@%lld" : "%s", cmd, next);
		v = ctl_query(label, c, err, errlen);
		if (v == NULL)
			return -1;
		next = ctl_int(v, "_next");
		take(v, arg);
		json_decref(v);
		if (next <= 0)
			return 1;
	}
	return 0;
}

/* Entries of a page, keyed by the true names they carry (telemetry keys
 * are sanitised). */
static void
ctl_take_named(json_t *page, void *arg)
{
	json_t *all = arg, *e;
	const char *k;

	json_object_foreach(page, k, e)
		if (json_is_object(e))
			json_object_set(all, *ctl_str(e, "name") ?
					ctl_str(e, "name") : k, e);
}

/* A paged command's entries in one object, or NULL (err). */
static json_t *
ctl_query_pages(const char *label, const char *cmd, char *err, size_t errlen)
{
	json_t *all = json_object();

	if (ctl_query_each_page(label, cmd, ctl_take_named, all, err, errlen) < 0) {
		json_decref(all);
		return NULL;
	}
	return all;
}

/* The per-rule hits (acl_*) of a /ffwd/rules page, into the stage. */
static void
ctl_take_rule_hits(json_t *page, void *arg)
{
	json_t *s = arg, *e;
	const char *k;

	json_object_foreach(page, k, e)
		if (strncmp(k, "acl_", 4) == 0)
			json_object_set(s, k, e);
}

/*
 * A firewall stage whose own entry was cut (entries_cut) gets all its
 * per-rule hits from /ffwd/rules, page by page; entries_cut then goes.
 */
static void
ctl_rules_fill(const char *label, json_t *stages)
{
	const char *name;
	json_t *s;

	json_object_foreach(stages, name, s) {
		char cmd[96], err[256];

		if (ctl_int(s, "entries_cut") == 0 || strcmp(ctl_str(s, "kind"), "firewall") != 0)
			continue;
		snprintf(cmd, sizeof(cmd), "/ffwd/rules,%s", name);
		/* no answer (an older ffwd): the stage stays marked as cut */
		if (ctl_query_each_page(label, cmd, ctl_take_rule_hits, s, err,
					sizeof(err)) == 1)
			json_object_del(s, "entries_cut");
	}
}

json_t *
ctl_snapshot(const char *label, char *err, size_t errlen)
{
	static const char *const cmds[] = { "info", "stages", "rings", "ports",
					    "fleets" };
	json_t *all = json_object();
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char cmd[32];
		json_t *v;

		snprintf(cmd, sizeof(cmd), "/ffwd/%s", cmds[i]);
		v = i == 0 ? ctl_query(label, cmd, err, errlen) :
			     ctl_query_pages(label, cmd, err, errlen);
		/* A pipeline older than fleets: none. */
		if (v == NULL && strcmp(cmds[i], "fleets") == 0)
			v = json_object();
		if (v == NULL || !json_is_object(v)) {
			if (v != NULL)
				snprintf(err, errlen, "'%s': %s is not an object", label, cmd);
			json_decref(v);
			json_decref(all);
			return NULL;
		}
		json_object_set_new(all, cmds[i], v);
	}
	ctl_rules_fill(label, json_object_get(all, "stages"));
	ctl_os_annotate(all);
	return all;
}

int
ctl_info_cpus(json_t *info, bool *cpus, int max)
{
	json_t *ids = json_object_get(info, "lcore_ids");
	json_t *cs = json_object_get(info, "lcore_cpus");
	long long hk = ctl_int(info, "housekeeping");
	size_t i;
	int n = 0;

	if (!json_is_array(ids) || !json_is_array(cs))
		return ctl_parse_lcores(ctl_str(info, "lcores"), (int)hk, cpus, max);
	for (i = 0; i < json_array_size(ids) && i < json_array_size(cs); i++) {
		long long l = json_integer_value(json_array_get(ids, i));
		long long c = json_integer_value(json_array_get(cs, i));

		if (l == hk || c < 0 || c >= max)
			continue;
		n += !cpus[c];
		cpus[c] = true;
	}
	return n;
}

int
ctl_labels(char (*labels)[64], int max)
{
	char base[256], path[600];
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d;

	if (ctl_runtime_base(base, sizeof(base)) == NULL)
		return 0;
	d = opendir(base);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= 64)
			continue;
		snprintf(path, sizeof(path), "%s/%s/dpdk_telemetry.v2", base, de->d_name);
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
			snprintf(labels[n++], 64, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

int
ctl_parse_lcores(const char *s, int housekeeping, bool *cpus, int max)
{
	int n = 0;

	while (s != NULL && *s != '\0') {
		int lcore, cpu;

		if (sscanf(s, "%d@%d", &lcore, &cpu) != 2)
			return -1;
		if (lcore != housekeeping && cpu >= 0 && cpu < max) {
			if (!cpus[cpu])
				n++;
			cpus[cpu] = true;
		}
		s = strchr(s, ',');
		if (s != NULL)
			s++;
	}
	return n;
}

long long
ctl_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

const char *
ctl_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}
